/* Escaping for the console: markup in any name or note becomes text, bad UTF-8 cannot sneak
 * through, URLs and Prometheus labels are encoded. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pvrelief/web_html.h"

static char *esc(const char *s)
{
	struct strbuf b = {0};
	web_html_escape(&b, s);
	return strbuf_take(&b);
}

static void test_escape_table(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
	    {"", ""},
	    {"plain", "plain"},
	    {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
	    {"a & b", "a &amp; b"},
	    {"\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"},
	    {"红旗村<b>", "红旗村&lt;b&gt;"},
	    {"tab\tnew\nline", "tab\tnew\nline"},
	    {"bell\a esc\x1b", "bell esc"},
	    {"bad \xff byte", "bad \xef\xbf\xbd byte"},
	    {"overlong \xc0\xbc", "overlong \xef\xbf\xbd\xef\xbf\xbd"},
	    {"cut \xe7\xba", "cut \xef\xbf\xbd\xef\xbf\xbd"},
	    {"surrogate \xed\xa0\x80", "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
	    {"emoji \xf0\x9f\x98\x80", "emoji \xf0\x9f\x98\x80"},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char *got = esc(t[i].in);
		CHECK_STR(got, t[i].want);
		free(got);
	}
	char *n = esc(NULL);
	CHECK_STR(n, "");
	free(n);
}

static void test_printf(void)
{
	struct strbuf b = {0};
	web_html_printf(&b, "<td>%s</td><td>%d</td><td>%.1f</td><td>%zu%%</td><td>%lld</td>",
			"<i>x</i>", -3, 2.25, (size_t)7, 12345678901LL);
	char *got = strbuf_take(&b);
	CHECK_STR(got, "<td>&lt;i&gt;x&lt;/i&gt;</td><td>-3</td><td>2.2</td><td>7%</td>"
		       "<td>12345678901</td>");
	free(got);
	web_html_printf(&b, "<a href=\"/s/%s\" title=\"%s\">%u</a>", "a\"b", "'", 5u);
	got = strbuf_take(&b);
	CHECK_STR(got, "<a href=\"/s/a&quot;b\" title=\"&#39;\">5</a>");
	free(got);
}

static void test_url_and_labels(void)
{
	struct strbuf b = {0};
	web_url_encode(&b, "jz01-hong.qi_~ a/b?c=&红");
	char *got = strbuf_take(&b);
	CHECK_STR(got, "jz01-hong.qi_~%20a%2Fb%3Fc%3D%26%E7%BA%A2");
	free(got);
	web_prom_label(&b, "a\"b\\c\nd");
	got = strbuf_take(&b);
	CHECK_STR(got, "a\\\"b\\\\c\\nd");
	free(got);
}

int main(void)
{
	test_escape_table();
	test_printf();
	test_url_and_labels();
	return check_summary();
}
