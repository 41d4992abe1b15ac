/* pvrelief report: placeholder until the renderers land. */
#include <stdio.h>

#include "pvrelief/cli.h"

int cli_report(struct cli_env *env, int argc, char **argv)
{
	(void)env;
	(void)argc;
	(void)argv;
	fprintf(stderr, "pvrelief report: not yet available\n");
	return 1;
}
