/* "Failing since, still failing, recovered": the one way pvrelief logs a peer that keeps
 * failing (a device, the broker, the weather service). The first failure is logged, then the
 * 2nd, 4th, 8th ... with how long it has been failing, so that a device down for a week
 * costs a few lines, not thousands; the recovery is logged exactly once. Not thread-safe: a
 * complaint belongs to whoever holds its peer's lock. */
#ifndef PVRELIEF_COMPLAIN_H
#define PVRELIEF_COMPLAIN_H

/* A peer's failure record; all zeroes (the initial state) means not failing. */
struct complaint {
	unsigned failures; /* consecutive failures so far */
	double since;	   /* time of the first of them, in the caller's seconds */
};

/* Records a failure at now (seconds on any clock the caller keeps using) and, when it is the
 * 1st, 2nd, 4th, 8th ... in a row, logs the formatted message as a warning, followed by how
 * many failures over how long for the later ones. Returns 1 when it logged. */
int complain(struct complaint *c, double now, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Records a success at now: when the peer was failing, logs the formatted message at info
 * level once, followed by how many failures over how long, and clears the record. Returns 1
 * when the peer was failing. */
int complain_release(struct complaint *c, double now, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Returns 1 while the peer is failing. */
int complain_failing(const struct complaint *c);

#endif
