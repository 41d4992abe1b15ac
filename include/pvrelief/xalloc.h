/* Allocation wrapper: every allocation in pvrelief goes through here. Running out of memory
 * aborts with a message instead of spreading NULL checks through the code. */
#ifndef PVRELIEF_XALLOC_H
#define PVRELIEF_XALLOC_H

#include <stddef.h>

/* Allocates n bytes; never returns NULL. The caller frees with free(). */
void *xmalloc(size_t n);
/* Allocates zeroed space for count items of size bytes; never returns NULL. */
void *xcalloc(size_t count, size_t size);
/* Resizes p to n bytes; never returns NULL. */
void *xrealloc(void *p, size_t n);
/* Returns a new copy of s (NULL gives NULL); the caller frees it. */
char *xstrdup(const char *s);
/* Returns a new copy of at most n bytes of s, always NUL-terminated; the caller frees it. */
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated printf-formatted string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
