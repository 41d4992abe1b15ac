/* The village's public notice: rendered with amendments, issued once, stored for good. */
#include "pvrelief/notice.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvrelief/cli.h"
#include "pvrelief/config.h"
#include "pvrelief/ledger.h"
#include "pvrelief/report.h"
#include "pvrelief/store.h"
#include "pvrelief/store_ledger.h"
#include "pvrelief/store_notice.h"
#include "pvrelief/xalloc.h"

const char *const notice_formats[4] = {"html", "csv", "json", "xlsx"};

/* A county keeps a few decades of months at most; more posted months than this before one
 * notice would be a corrupt store. */
#define NOTICE_MAX_MONTHS 1200

/* Appends the amendments to village vi's posted month months[p] to r: the month's posted
 * JSON and every later posted JSON (they may already have amended it) against the month
 * as the store has it now. */
static int amend_month(struct store *st, const struct config *cfg, size_t vi, char (*months)[8],
		       int p, int n, int64_t now, struct report *r)
{
	const char *village = cfg->villages[vi].id;
	const char **docs = xcalloc((size_t)(n - p), sizeof *docs);
	struct store_notice *sn = xcalloc((size_t)(n - p), sizeof *sn);
	size_t nd = 0;
	int rc = -1;
	for (int q = p; q < n; q++) {
		int g = store_notice_get(st, village, months[q], "json", &sn[nd]);
		if (g < 0)
			goto done;
		if (g == 0) {
			docs[nd] = (const char *)sn[nd].body;
			nd++;
		}
	}
	rc = 0;
	if (nd && strcmp(sn[0].month, months[p]) == 0) {
		struct report *was = cli_report_load(st, cfg, months[p], (long)vi, 1, now);
		if (!was) {
			rc = -1;
			goto done;
		}
		report_amend(r, docs, nd, was);
		report_free(was);
	}
done:
	for (size_t i = 0; i < nd; i++)
		free(sn[i].body);
	free(sn);
	free(docs);
	return rc;
}

struct report *notice_load(struct store *st, const struct config *cfg, size_t vi, const char *month,
			   int64_t now)
{
	struct report *r = cli_report_load(st, cfg, month, (long)vi, 1, now);
	if (!r)
		return NULL;
	char(*months)[8] = xmalloc(NOTICE_MAX_MONTHS * sizeof *months);
	int n = store_notice_months(st, cfg->villages[vi].id, month, months, NOTICE_MAX_MONTHS);
	for (int p = 0; p < n; p++)
		if (amend_month(st, cfg, vi, months, p, n, now, r) != 0)
			n = -1;
	free(months);
	if (n < 0) {
		fprintf(stderr, "%s %s: cannot read the posted notices: %s\n", cfg->villages[vi].id,
			month, store_errmsg(st));
		report_free(r);
		return NULL;
	}
	return r;
}

static int render_xlsx(const struct report *r, char **out, size_t *len, char *why, size_t whylen)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/pvrelief-notice-XXXXXX", dir && dir[0] ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		snprintf(why, whylen, "cannot make a temporary file in %s: %s",
			 dir && dir[0] ? dir : "/tmp", strerror(errno));
		return -1;
	}
	close(fd);
	int rc = report_xlsx(r, path, why, whylen);
	FILE *f = rc == 0 ? fopen(path, "rb") : NULL;
	if (rc == 0 && !f) {
		snprintf(why, whylen, "cannot read back %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (f) {
		size_t cap = 65536, n = 0, got;
		char *buf = xmalloc(cap);
		while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
			n += got;
			if (n == cap)
				buf = xrealloc(buf, cap *= 2);
		}
		if (ferror(f)) {
			snprintf(why, whylen, "cannot read back %s", path);
			free(buf);
			rc = -1;
		} else {
			*out = buf;
			*len = n;
		}
		fclose(f);
	}
	unlink(path);
	return rc;
}

int notice_render(const struct report *r, const char *format, char **out, size_t *len, char *why,
		  size_t whylen)
{
	*out = NULL;
	*len = 0;
	if (strcmp(format, "xlsx") == 0)
		return render_xlsx(r, out, len, why, whylen);
	if (strcmp(format, "csv") == 0) {
		*out = report_csv(r, len);
		return 0;
	}
	if (strcmp(format, "json") == 0)
		*out = report_json(r);
	else if (strcmp(format, "html") == 0)
		*out = report_html(r);
	else {
		snprintf(why, whylen, "unknown format \"%s\"", format);
		return -1;
	}
	*len = strlen(*out);
	return 0;
}

int notice_issue(struct store *st, const struct config *cfg, size_t vi, const char *month,
		 int64_t now, char *why, size_t whylen)
{
	const char *village = cfg->villages[vi].id;
	struct report *r = notice_load(st, cfg, vi, month, now);
	int rc = -1;
	if (!r) {
		snprintf(why, whylen, "cannot gather the notice: %s", store_errmsg(st));
		return -1;
	}
	for (size_t f = 0; f < sizeof notice_formats / sizeof notice_formats[0]; f++) {
		struct store_notice n = {.issued_at_unix = now};
		char *body = NULL, memo[160];
		size_t len = 0;
		if (notice_render(r, notice_formats[f], &body, &len, why, whylen) != 0)
			goto done;
		snprintf(n.village, sizeof n.village, "%s", village);
		snprintf(n.month, sizeof n.month, "%s", month);
		snprintf(n.format, sizeof n.format, "%s", notice_formats[f]);
		if (ledger_sha256_hex(body, len, n.sha256) != 0) {
			snprintf(why, whylen, "cannot hash the %s notice", notice_formats[f]);
			free(body);
			goto done;
		}
		snprintf(memo, sizeof memo, "公示 %s sha256 %s", notice_formats[f], n.sha256);
		struct ledger_entry e = {.time_unix = now,
					 .kind = "notice",
					 .village_id = village,
					 .station_id = "",
					 .person_id = "",
					 .month = month,
					 .amount_fen = 0,
					 .memo = memo};
		if (store_ledger_append(st, &e, why, whylen) != 0) {
			free(body);
			goto done;
		}
		n.ledger_seq = e.seq;
		n.body = (unsigned char *)body;
		n.len = len;
		int put = store_notice_put(st, &n);
		free(body);
		if (put != 0) {
			snprintf(why, whylen, "cannot store the %s notice: %s", notice_formats[f],
				 store_errmsg(st));
			goto done;
		}
	}
	rc = 0;
done:
	report_free(r);
	return rc;
}
