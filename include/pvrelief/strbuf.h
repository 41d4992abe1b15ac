/* A growable NUL-terminated string for rendering text, HTML and messages. Allocation failure
 * aborts (xalloc), so appending cannot fail. */
#ifndef PVRELIEF_STRBUF_H
#define PVRELIEF_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *s;	 /* NULL until something is appended */
	size_t len, cap; /* bytes used (without the NUL) and allocated */
};

/* Appends n bytes of s. */
void strbuf_add(struct strbuf *b, const char *s, size_t n);
/* Appends a NUL-terminated string. */
void strbuf_puts(struct strbuf *b, const char *s);
/* Appends printf-formatted text. */
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the text, owned by the caller (an empty string when nothing was appended), and leaves
 * the buffer empty. */
char *strbuf_take(struct strbuf *b);

#endif
