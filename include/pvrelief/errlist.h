/* A list of error messages, each "file:line: sentence", so that a loader can report every
 * problem in an input rather than only the first. */
#ifndef PVRELIEF_ERRLIST_H
#define PVRELIEF_ERRLIST_H

#include <stddef.h>

struct errlist {
	char **msgs; /* owned; each message owned */
	size_t n, cap;
};

/* Appends "file:line: message" (or "file: message" when line <= 0, or just the message when
 * file is NULL). */
void errlist_add(struct errlist *e, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Appends every message of src to dst, leaving src untouched. */
void errlist_extend(struct errlist *dst, const struct errlist *src);
/* Returns all messages joined by newlines in a new string the caller frees ("" if none). */
char *errlist_join(const struct errlist *e);
/* Frees the messages and empties the list; the list itself may be reused. */
void errlist_clear(struct errlist *e);

#endif
