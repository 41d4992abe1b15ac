#include "pvrelief/errlist.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/xalloc.h"

static void push(struct errlist *e, char *msg)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 8;
		e->msgs = xrealloc(e->msgs, e->cap * sizeof *e->msgs);
	}
	e->msgs[e->n++] = msg;
}

void errlist_add(struct errlist *e, const char *file, int line, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (file && line > 0)
		push(e, xasprintf("%s:%d: %s", file, line, text));
	else if (file)
		push(e, xasprintf("%s: %s", file, text));
	else
		push(e, xstrdup(text));
}

void errlist_extend(struct errlist *dst, const struct errlist *src)
{
	for (size_t i = 0; i < src->n; i++)
		push(dst, xstrdup(src->msgs[i]));
}

char *errlist_join(const struct errlist *e)
{
	size_t len = 1;
	for (size_t i = 0; i < e->n; i++)
		len += strlen(e->msgs[i]) + 1;
	char *out = xmalloc(len), *p = out;
	for (size_t i = 0; i < e->n; i++) {
		size_t l = strlen(e->msgs[i]);
		memcpy(p, e->msgs[i], l);
		p += l;
		if (i + 1 < e->n)
			*p++ = '\n';
	}
	*p = '\0';
	return out;
}

void errlist_clear(struct errlist *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->msgs[i]);
	free(e->msgs);
	e->msgs = NULL;
	e->n = e->cap = 0;
}
