/* A tiny assertion kit for table-driven unit tests run by CTest. Each CHECK counts; the
 * program prints "N passed, N failed" and exits non-zero if anything failed or nothing was
 * checked. */
#ifndef PVRELIEF_TEST_CHECK_H
#define PVRELIEF_TEST_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK_REPORT_(ok, ...)                                                                     \
	do {                                                                                       \
		if (ok) {                                                                          \
			check_passed++;                                                            \
		} else {                                                                           \
			check_failed++;                                                            \
			fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

#define CHECK(cond) CHECK_REPORT_((cond), "check failed: %s", #cond)
#define CHECK_INT(got, want)                                                                       \
	do {                                                                                       \
		long long g_ = (long long)(got), w_ = (long long)(want);                           \
		CHECK_REPORT_(g_ == w_, "%s = %lld, want %lld", #got, g_, w_);                     \
	} while (0)
#define CHECK_NEAR(got, want, tol)                                                                 \
	do {                                                                                       \
		double g_ = (double)(got), w_ = (double)(want);                                    \
		CHECK_REPORT_(fabs(g_ - w_) <= (tol), "%s = %.9g, want %.9g +- %g", #got, g_, w_,  \
			      (double)(tol));                                                      \
	} while (0)
#define CHECK_STR(got, want)                                                                       \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		CHECK_REPORT_(g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0,                     \
			      "%s = \"%s\", want \"%s\"", #got, g_ ? g_ : "(null)",                \
			      w_ ? w_ : "(null)");                                                 \
	} while (0)
/* Checks that haystack contains needle. */
#define CHECK_CONTAINS(hay, needle)                                                                \
	do {                                                                                       \
		const char *h_ = (hay), *n_ = (needle);                                            \
		CHECK_REPORT_(h_ != NULL && n_ != NULL && strstr(h_, n_) != NULL,                  \
			      "%s does not contain \"%s\":\n%s", #hay, n_ ? n_ : "(null)",         \
			      h_ ? h_ : "(null)");                                                 \
	} while (0)

/* Prints the summary line and returns the exit status: failure when a check failed, and also
 * when no check ran at all, since a test that asserted nothing proves nothing. */
static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	if (check_passed + check_failed == 0) {
		fprintf(stderr, "no check ran\n");
		return 1;
	}
	return check_failed ? 1 : 0;
}

#endif
