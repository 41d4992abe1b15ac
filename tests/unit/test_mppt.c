/* Dead strings: the weakest DC input against the median of its siblings, with a band between
 * the dead and alive lines in which nothing changes, and nothing judged in dim light. */
#include <math.h>

#include "check.h"
#include "pvrelief/mppt.h"

int main(void)
{
	static const struct {
		const char *what;
		double dca[4];
		size_t n;
		enum mppt_verdict want;
		size_t weakest;
		double ratio;
	} cases[] = {
	    {"two equal inputs", {8, 8}, 2, MPPT_ALIVE, 0, 1.0},
	    {"one of two dead", {8, 0.2}, 2, MPPT_DEAD, 1, 0.025},
	    {"one of three dead", {6, 0, 7}, 3, MPPT_DEAD, 1, 0},
	    {"a negative offset counts as zero", {-0.1, 6, 6, 6}, 4, MPPT_DEAD, 0, 0},
	    {"shaded to 30%: in the band, no change", {9, 2.7}, 2, MPPT_UNKNOWN, 1, 0.3},
	    {"back to 60%: alive", {5, 3}, 2, MPPT_ALIVE, 1, 0.6},
	    {"dawn: siblings below 1 A", {0.8, 0.0}, 2, MPPT_UNKNOWN, 1, NAN},
	    {"snow: every input near zero", {0.1, 0.05, 0.2}, 3, MPPT_UNKNOWN, 1, NAN},
	    {"a single input has no sibling", {0}, 1, MPPT_UNKNOWN, 0, NAN},
	    {"median of the siblings, not the mean (which would call it dead)",
	     {0.4, 2, 3, 30},
	     4,
	     MPPT_UNKNOWN,
	     0,
	     0.4 / 3},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t weak;
		double ratio;
		enum mppt_verdict v = mppt_judge(cases[i].dca, cases[i].n, &weak, &ratio);
		CHECK_REPORT_(v == cases[i].want, "%s: verdict %d, want %d", cases[i].what, (int)v,
			      (int)cases[i].want);
		CHECK_REPORT_(weak == cases[i].weakest, "%s: weakest %zu, want %zu", cases[i].what,
			      weak, cases[i].weakest);
		CHECK_REPORT_(isnan(cases[i].ratio) ? isnan(ratio)
						    : fabs(ratio - cases[i].ratio) < 1e-12,
			      "%s: ratio %g, want %g", cases[i].what, ratio, cases[i].ratio);
	}
	return check_summary();
}
