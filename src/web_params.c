/* Request input for the console: parsing and validation. Everything a request carries is
 * checked here before it reaches a page or the store, so a bad parameter is a 400 page. */
#include "pvrelief/web_params.h"

#include <stdio.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pvrelief/web_html.h"
#include "pvrelief/xalloc.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes n bytes of a urlencoded component; NULL on a bad escape or a NUL byte. */
static char *decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int h, l;
			if (i + 2 >= n)
				goto bad;
			if ((h = hexval(s[i + 1])) < 0 || (l = hexval(s[i + 2])) < 0)
				goto bad;
			c = h * 16 + l;
			i += 2;
		}
		if (c == 0)
			goto bad;
		*o++ = (char)c;
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

int web_form_parse(const char *text, size_t len, struct web_form *f)
{
	memset(f, 0, sizeof *f);
	size_t i = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && text[end] != '&')
			end++;
		if (end > i) {
			const char *eq = memchr(text + i, '=', end - i);
			size_t nlen = eq ? (size_t)(eq - (text + i)) : end - i;
			if (nlen == 0 || f->n >= WEB_FORM_MAX)
				goto bad;
			char *name = decode(text + i, nlen);
			char *value =
			    eq ? decode(eq + 1, (size_t)(text + end - eq - 1)) : xstrdup("");
			if (!name || !value) {
				free(name);
				free(value);
				goto bad;
			}
			f->name[f->n] = name;
			f->value[f->n++] = value;
		}
		i = end + 1;
	}
	return 0;
bad:
	web_form_free(f);
	return -1;
}

const char *web_form_get(const struct web_form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->name[i], name) == 0)
			return f->value[i];
	return NULL;
}

void web_form_free(struct web_form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->name[i]);
		free(f->value[i]);
	}
	memset(f, 0, sizeof *f);
}

int web_param_id(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return 0;
	for (const char *p = s; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.'))
			return 0;
	return 1;
}

/* Reads exactly n digits at s; -1 when they are not. */
static long digits(const char *s, int n)
{
	long v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int web_param_month(const char *s, int *year, int *month)
{
	if (!s || strlen(s) != 7 || s[4] != '-')
		return -1;
	long y = digits(s, 4), m = digits(s + 5, 2);
	if (y < 2000 || y > 2100 || m < 1 || m > 12)
		return -1;
	*year = (int)y;
	*month = (int)m;
	return 0;
}

static int days_in(int y, int m)
{
	static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return n[m - 1] + (m == 2 && leap);
}

int web_param_day(const char *s, int *year, int *month, int *day)
{
	if (!s || strlen(s) != 10 || s[7] != '-')
		return -1;
	char ym[8];
	memcpy(ym, s, 7);
	ym[7] = '\0';
	int y, m;
	long d = digits(s + 8, 2);
	if (web_param_month(ym, &y, &m) != 0 || d < 1 || d > days_in(y, m))
		return -1;
	*year = y;
	*month = m;
	*day = (int)d;
	return 0;
}

int web_param_long(const char *s, long min, long max, long *out)
{
	if (!s || !*s || strlen(s) > 19)
		return -1;
	for (const char *p = *s == '-' ? s + 1 : s; *p; p++)
		if (*p < '0' || *p > '9')
			return -1;
	if (s[0] == '-' && !s[1])
		return -1;
	errno = 0;
	long v = strtol(s, NULL, 10);
	if (errno || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int web_param_enum(const char *s, const char *const names[])
{
	for (int i = 0; s && names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int web_param_text(const char *s, size_t max_bytes)
{
	if (!s || strlen(s) > max_bytes)
		return 0;
	struct strbuf b = {0};
	/* The escaper replaces bad UTF-8 and drops control characters: valid text is text it
	 * leaves unchanged apart from the five characters it escapes. */
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f)
			return 0;
	web_html_escape(&b, s);
	char *e = strbuf_take(&b);
	int ok = strstr(e, "\xef\xbf\xbd") == NULL || strstr(s, "\xef\xbf\xbd") != NULL;
	free(e);
	return ok;
}

int web_param_local_time(const char *s, int utc_offset_s, double *unix_s)
{
	if (!s)
		return -1;
	size_t n = strlen(s);
	if ((n != 16 && n != 19) || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
	    (n == 19 && s[16] != ':'))
		return -1;
	char day[11];
	memcpy(day, s, 10);
	day[10] = '\0';
	int y, m, d;
	long hh = digits(s + 11, 2), mm = digits(s + 14, 2), ss = n == 19 ? digits(s + 17, 2) : 0;
	if (web_param_day(day, &y, &m, &d) != 0 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
	    ss < 0 || ss > 59)
		return -1;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = (int)hh;
	tm.tm_min = (int)mm;
	tm.tm_sec = (int)ss;
	*unix_s = (double)timegm(&tm) - utc_offset_s;
	return 0;
}
