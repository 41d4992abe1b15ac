/* Escaping for everything the console writes: HTML text and attributes, JSON strings inside
 * pages, and Prometheus label values, so that a name like <script>alert(1)</script> is shown
 * as text wherever it appears. Pure: no I/O, no globals. */
#ifndef PVRELIEF_WEB_HTML_H
#define PVRELIEF_WEB_HTML_H

#include <stddef.h>

#include "pvrelief/strbuf.h"

/* Appends s to b with & < > " ' escaped, fit for HTML text and quoted attributes; invalid
 * UTF-8 bytes become U+FFFD and control characters other than tab and newline are dropped. */
void web_html_escape(struct strbuf *b, const char *s);
/* Appends printf-formatted text whose %s arguments are all escaped as HTML; other
 * conversions (numbers) are written as they are. Only %s, %d, %ld, %lld, %u, %zu, %f/%.Nf,
 * %g and %% are understood. */
void web_html_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s percent-encoded for a URL query value. */
void web_url_encode(struct strbuf *b, const char *s);
/* Appends s escaped as a Prometheus label value (backslash, double quote, newline). */
void web_prom_label(struct strbuf *b, const char *s);

#endif
