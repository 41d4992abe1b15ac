/* The console's request input, checked before anything uses it: form bodies and cookies
 * parsed, and every parameter validated against what it may be (an id, a month, a day, a
 * whole number in range, one of a list, a text of bounded length). Pure: no I/O, no globals. */
#ifndef PVRELIEF_WEB_PARAMS_H
#define PVRELIEF_WEB_PARAMS_H

#include <stddef.h>

enum { WEB_FORM_MAX = 32 };

/* The fields of an application/x-www-form-urlencoded body, decoded. */
struct web_form {
	size_t n;
	char *name[WEB_FORM_MAX], *value[WEB_FORM_MAX]; /* owned */
};

/* Parses len bytes of a form body into f (which it clears first); returns 0, or -1 for a bad
 * %-escape, a field without a name, more than WEB_FORM_MAX fields or a NUL byte (f is then
 * empty). Free with web_form_free. */
int web_form_parse(const char *text, size_t len, struct web_form *f);
/* Returns the value of the first field called name, or NULL. */
const char *web_form_get(const struct web_form *f, const char *name);
/* Frees what f holds and empties it. */
void web_form_free(struct web_form *f);

/* Returns 1 when s is an id as the configuration allows them (ASCII letters, digits, - _ .,
 * 1-64 characters), else 0. */
int web_param_id(const char *s);
/* Parses "YYYY-MM" (year 2000-2100); returns 0 or -1. */
int web_param_month(const char *s, int *year, int *month);
/* Parses "YYYY-MM-DD", a real calendar day; returns 0 or -1. */
int web_param_day(const char *s, int *year, int *month, int *day);
/* Parses a whole decimal number in [min, max]; returns 0 or -1. */
int web_param_long(const char *s, long min, long max, long *out);
/* Returns the index of s in names (NULL-terminated), or -1. */
int web_param_enum(const char *s, const char *const names[]);
/* Returns 1 when s is valid UTF-8 of at most max_bytes bytes without control characters
 * other than tab and newline, else 0. */
int web_param_text(const char *s, size_t max_bytes);
/* Parses a local time "YYYY-MM-DDTHH:MM" (an HTML datetime-local field; ":SS" and a space
 * instead of T accepted) at utc_offset_s into unix seconds; returns 0 or -1. */
int web_param_local_time(const char *s, int utc_offset_s, double *unix_s);

#endif
