/* The public notice (公示) of a village's month: rendered from the store with the amendments
 * to the village's earlier posted notices, and issued when the plan is publicised, which
 * stores every format's exact bytes and puts each one's SHA-256 in the ledger. A notice once
 * posted is served from the store, never rendered again. */
#ifndef PVRELIEF_NOTICE_H
#define PVRELIEF_NOTICE_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct config;
struct report;

/* The formats a notice is issued in, in the order they are issued. */
extern const char *const notice_formats[4];

/* Gathers village index vi's public notice of month as of now (unix seconds): the public
 * report of the village, with the ledger head and, for each earlier month with a posted
 * notice, an amendment for every figure that changed since it was posted. Returns a report
 * the caller frees with report_free, or NULL on a database error (printed). */
struct report *notice_load(struct store *st, const struct config *cfg, size_t vi, const char *month,
			   int64_t now);
/* Renders r in format ("html", "csv", "json" or "xlsx") into a new buffer the caller frees,
 * with its length in *len; 0, or -1 with a sentence in why. XLSX goes through a temporary
 * file, since libxlsxwriter writes files. */
int notice_render(const struct report *r, const char *format, char **out, size_t *len, char *why,
		  size_t whylen);
/* Issues village index vi's notice of month at now, inside the caller's transaction, after
 * the plan was moved to publicised: renders every format, appends a ledger entry of kind
 * notice with each one's SHA-256, and stores the bytes. 0, or -1 with a sentence in why. */
int notice_issue(struct store *st, const struct config *cfg, size_t vi, const char *month,
		 int64_t now, char *why, size_t whylen);

#endif
