/* The complaint record: which failures are logged, what the lines say, and that a recovery is
 * logged once. The log goes to a file the test reads back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pvrelief/complain.h"
#include "pvrelief/log.h"

static char path[] = "/tmp/pvrelief-complain.XXXXXX";

/* Returns the log written so far (caller frees). */
static char *log_text(void)
{
	fflush(stderr);
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);
	if (f) {
		size_t n = fread(buf, 1, 65535, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

int main(void)
{
	int fd = mkstemp(path);
	if (fd < 0 || !freopen(path, "w", stderr))
		return 1;
	close(fd);
	log_init("test_complain", 0, LOG_LEVEL_DEBUG);

	struct complaint c = {0};
	CHECK(!complain_failing(&c));
	CHECK_INT(complain_release(&c, 5, "peer: fine"), 0);
	/* Failures 1, 2, 4, 8 and 16 of 20 are logged: the gaps double. */
	int logged[21] = {0};
	for (int i = 1; i <= 20; i++)
		logged[i] = complain(&c, 100 + 60.0 * (i - 1), "peer: timed out (%d)", i);
	for (int i = 1; i <= 20; i++)
		CHECK_INT(logged[i], i == 1 || i == 2 || i == 4 || i == 8 || i == 16);
	CHECK(complain_failing(&c));
	CHECK_INT(c.failures, 20);
	CHECK_NEAR(c.since, 100, 0);
	/* The recovery is logged once, with how long the peer was failing. */
	CHECK_INT(complain_release(&c, 100 + 3600, "peer: answering again"), 1);
	CHECK_INT(complain_release(&c, 100 + 3700, "peer: answering again"), 0);
	CHECK(!complain_failing(&c));
	/* A new outage starts its own count and time. */
	CHECK_INT(complain(&c, 9000, "peer: refused"), 1);
	CHECK_NEAR(c.since, 9000, 0);
	CHECK_INT(complain_release(&c, 9030, "peer: back"), 1);

	char *text = log_text();
	CHECK_CONTAINS(text, "peer: timed out (1)\n");
	CHECK_CONTAINS(text, "peer: timed out (2) (still failing: 2 failures over 60 s)");
	CHECK_CONTAINS(text, "peer: timed out (16) (still failing: 16 failures over 15 min)");
	CHECK(strstr(text, "timed out (3)") == NULL);
	CHECK(strstr(text, "timed out (17)") == NULL);
	CHECK_CONTAINS(text, "peer: answering again (after 20 failures over 60 min)");
	CHECK(strstr(text, "peer: fine") == NULL);
	CHECK_CONTAINS(text, "peer: back (after 1 failure over 30 s)");
	/* Failed checks wrote their messages into the log file too: show it. */
	if (check_failed)
		fputs(text, stdout);
	free(text);
	unlink(path);
	return check_summary();
}
