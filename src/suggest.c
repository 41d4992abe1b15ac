#include "pvrelief/suggest.h"

#include <string.h>

/* Words longer than this are not compared: keys and commands are short. */
#define SUGGEST_MAX_LEN 64

/* The optimal string alignment distance between a and b (both at most SUGGEST_MAX_LEN). */
static size_t distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[la][lb];
}

const char *suggest_nearest(const char *word, const char *const *known, size_t n)
{
	size_t lw = strlen(word), best_d = (size_t)-1;
	const char *best = NULL;
	if (lw > SUGGEST_MAX_LEN)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (!known[i])
			continue;
		size_t lk = strlen(known[i]);
		if (lk > SUGGEST_MAX_LEN)
			continue;
		size_t d = distance(word, lw, known[i], lk), longer = lw > lk ? lw : lk;
		size_t limit = longer / 3 > 1 ? longer / 3 : 1;
		if (d <= limit && d < best_d) {
			best_d = d;
			best = known[i];
		}
	}
	return best;
}
