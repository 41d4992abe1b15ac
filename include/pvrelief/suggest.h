/* "Did you mean": the nearest of a list of known words to a word that is not one of them, for
 * misspelt configuration keys and CLI subcommands. Pure: no I/O, no globals. */
#ifndef PVRELIEF_SUGGEST_H
#define PVRELIEF_SUGGEST_H

#include <stddef.h>

/* Returns the word of known[0..n) (NULL entries skipped) nearest to word by edit distance
 * (insertions, deletions, substitutions and swaps of neighbours each cost one), or NULL when
 * none is near enough to be a likely misspelling: at most a third of the longer word's length,
 * and at least 1. The result points into known. */
const char *suggest_nearest(const char *word, const char *const *known, size_t n);

#endif
