/* "Did you mean": the nearest known word to a misspelling, and none for a word that is not
 * one. */
#include "check.h"
#include "pvrelief/suggest.h"

static void test_nearest(void)
{
	static const char *const keys[] = {"fast_interval", "energy_interval", "timeout_ms",
					   "retries", NULL};
	static const char *const cmds[] = {"scan", "health", "alerts", "import", "report", "plan"};
	static const struct {
		const char *word;
		const char *const *known;
		size_t n;
		const char *want; /* NULL: no suggestion */
	} cases[] = {
	    {"fast_intervall", keys, 5, "fast_interval"},
	    {"timout_ms", keys, 5, "timeout_ms"},
	    {"retires", keys, 5, "retries"}, /* two letters swapped */
	    {"colour", keys, 5, NULL},	     /* nothing like it */
	    {"heatlh", cmds, 6, "health"},   /* swapped */
	    {"alert", cmds, 6, "alerts"},    /* singular */
	    {"imports", cmds, 6, "import"},  /* plural */
	    {"x", cmds, 6, NULL},	     /* too short to be like anything */
	    {"plane", cmds, 6, "plan"},	     /* one letter more */
	    {"reprot", cmds, 6, "report"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *got = suggest_nearest(cases[i].word, cases[i].known, cases[i].n);
		if (cases[i].want)
			CHECK_STR(got, cases[i].want);
		else
			CHECK_REPORT_(got == NULL, "\"%s\" suggested \"%s\"", cases[i].word, got);
	}
}

int main(void)
{
	test_nearest();
	return check_summary();
}
