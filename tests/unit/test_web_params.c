/* Request input of the console: form bodies, ids, months, days, numbers, texts and local
 * times, each accepted or refused as the pages rely on. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pvrelief/web_params.h"

static void test_form(void)
{
	static const struct {
		const char *body;
		int rc;
		size_t n;
		const char *name, *value; /* of the first field */
	} t[] = {
	    {"", 0, 0, NULL, NULL},
	    {"a=1", 0, 1, "a", "1"},
	    {"a=1&b=2", 0, 2, "a", "1"},
	    {"note=%3Cscript%3E+x", 0, 1, "note", "<script> x"},
	    {"note=%E5%B7%B2%E5%88%B0%E5%9C%BA", 0, 1, "note", "已到场"},
	    {"flag", 0, 1, "flag", ""},
	    {"a=&&b=", 0, 2, "a", ""},
	    {"=x", -1, 0, NULL, NULL},
	    {"a=%zz", -1, 0, NULL, NULL},
	    {"a=%4", -1, 0, NULL, NULL},
	    {"a=%", -1, 0, NULL, NULL},
	    {"a=%00", -1, 0, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct web_form f;
		int rc = web_form_parse(t[i].body, strlen(t[i].body), &f);
		CHECK_INT(rc, t[i].rc);
		CHECK_INT(f.n, t[i].n);
		if (t[i].name) {
			CHECK_STR(f.name[0], t[i].name);
			CHECK_STR(web_form_get(&f, t[i].name), t[i].value);
		}
		web_form_free(&f);
	}
	/* Too many fields are refused whole. */
	char many[WEB_FORM_MAX * 4 + 16] = "";
	for (int i = 0; i <= WEB_FORM_MAX; i++)
		strcat(many, "a=1&");
	struct web_form f;
	CHECK_INT(web_form_parse(many, strlen(many), &f), -1);
	CHECK_INT(f.n, 0);
	/* A body with a NUL byte inside its length is refused. */
	CHECK_INT(web_form_parse("a=1\0b=2", 7, &f), -1);
	CHECK(web_form_get(&f, "a") == NULL);
}

static void test_values(void)
{
	int y, m, d;
	long n;
	double t;
	CHECK(web_param_id("jz01-hongqi"));
	CHECK(web_param_id("a.b_c"));
	CHECK(!web_param_id(""));
	CHECK(!web_param_id("../etc"));
	CHECK(!web_param_id("a b"));
	CHECK(!web_param_id("红旗"));
	CHECK(!web_param_id("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	CHECK_INT(web_param_month("2026-06", &y, &m), 0);
	CHECK(y == 2026 && m == 6);
	CHECK_INT(web_param_month("2026-13", &y, &m), -1);
	CHECK_INT(web_param_month("2026-6", &y, &m), -1);
	CHECK_INT(web_param_month("1999-01", &y, &m), -1);
	CHECK_INT(web_param_month("2026-06x", &y, &m), -1);
	CHECK_INT(web_param_day("2024-02-29", &y, &m, &d), 0);
	CHECK(d == 29);
	CHECK_INT(web_param_day("2026-02-29", &y, &m, &d), -1);
	CHECK_INT(web_param_day("2026-04-31", &y, &m, &d), -1);
	CHECK_INT(web_param_day("2026-04-00", &y, &m, &d), -1);
	CHECK_INT(web_param_long("42", 1, 100, &n), 0);
	CHECK_INT(n, 42);
	CHECK_INT(web_param_long("-1", 0, 100, &n), -1);
	CHECK_INT(web_param_long("101", 0, 100, &n), -1);
	CHECK_INT(web_param_long("1e3", 0, 5000, &n), -1);
	CHECK_INT(web_param_long(" 5", 0, 100, &n), -1);
	CHECK_INT(web_param_long("", 0, 100, &n), -1);
	CHECK_INT(web_param_long("-", -5, 100, &n), -1);
	CHECK_INT(web_param_long("99999999999999999999", 0, 100, &n), -1);
	static const char *const kinds[] = {"inspection", "cleaning", "repair", NULL};
	CHECK_INT(web_param_enum("cleaning", kinds), 1);
	CHECK_INT(web_param_enum("painting", kinds), -1);
	CHECK_INT(web_param_enum(NULL, kinds), -1);
	CHECK(web_param_text("逆变器风扇正常\n第二行", 100));
	CHECK(web_param_text("<script>alert(1)</script>", 100));
	CHECK(!web_param_text("too long", 3));
	CHECK(!web_param_text("bad \xff", 100));
	CHECK(!web_param_text("bell \a", 100));
	CHECK(!web_param_text(NULL, 100));
	CHECK_INT(web_param_local_time("2026-06-21T09:30", 8 * 3600, &t), 0);
	CHECK_NEAR(t, 1782005400, 0);
	CHECK_INT(web_param_local_time("2026-06-21 09:30:15", 8 * 3600, &t), 0);
	CHECK_NEAR(t, 1782005415, 0);
	CHECK_INT(web_param_local_time("2026-06-21T24:00", 0, &t), -1);
	CHECK_INT(web_param_local_time("2026-06-31T10:00", 0, &t), -1);
	CHECK_INT(web_param_local_time("2026-06-21", 0, &t), -1);
}

int main(void)
{
	test_form();
	test_values();
	return check_summary();
}
