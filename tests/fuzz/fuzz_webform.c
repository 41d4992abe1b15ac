/* The console's request input: the form body parser and every parameter validator on the
 * input, and the HTML escaper on whatever they accept. Bad input must be refused, never
 * crash, leak or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/web_html.h"
#include "pvrelief/web_i18n.h"
#include "pvrelief/web_params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_form f;
	if (web_form_parse((const char *)data, size, &f) == 0) {
		for (size_t i = 0; i < f.n; i++) {
			int y, m, d;
			long n;
			double t;
			const char *v = f.value[i];
			web_param_id(v);
			web_param_month(v, &y, &m);
			web_param_day(v, &y, &m, &d);
			web_param_long(v, -1000, 1000, &n);
			web_param_text(v, 500);
			web_param_local_time(v, 8 * 3600, &t);
			web_i18n_pick(v, f.name[i]);
			struct strbuf b = {0};
			web_html_escape(&b, v);
			web_url_encode(&b, f.name[i]);
			web_prom_label(&b, v);
			free(strbuf_take(&b));
		}
		web_form_get(&f, "csrf");
		web_form_free(&f);
	}
	return 0;
}
