/* Dead strings: the weakest DC input against its siblings. */
#include "pvrelief/mppt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

enum mppt_verdict mppt_judge(const double *dca, size_t n, size_t *weakest, double *ratio)
{
	*weakest = 0;
	*ratio = NAN;
	if (n < 2 || n > 64)
		return MPPT_UNKNOWN;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(dca[i]))
			return MPPT_UNKNOWN;
		if (dca[i] < dca[*weakest])
			*weakest = i;
	}
	double others[64];
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (i != *weakest)
			others[m++] = dca[i];
	qsort(others, m, sizeof others[0], cmp_double);
	double median = m % 2 ? others[m / 2] : (others[m / 2 - 1] + others[m / 2]) / 2;
	if (!(median > MPPT_MIN_SIBLING_A))
		return MPPT_UNKNOWN;
	*ratio = fmax(dca[*weakest], 0) / median;
	if (*ratio < MPPT_DEAD_RATIO)
		return MPPT_DEAD;
	return *ratio > MPPT_ALIVE_RATIO ? MPPT_ALIVE : MPPT_UNKNOWN;
}
