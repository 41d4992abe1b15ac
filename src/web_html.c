/* Escaping for HTML, URLs and Prometheus labels. Text from the database and the request is
 * never trusted to be valid UTF-8: a bad byte becomes U+FFFD rather than slipping through. */
#include "pvrelief/web_html.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Returns the length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	size_t n;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void web_html_escape(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		size_t n = utf8_len(p);
		if (n == 0) {
			strbuf_puts(b, "\xef\xbf\xbd");
			p++;
			continue;
		}
		if (n > 1) {
			strbuf_add(b, (const char *)p, n);
			p += n;
			continue;
		}
		switch (*p) {
		case '&':
			strbuf_puts(b, "&amp;");
			break;
		case '<':
			strbuf_puts(b, "&lt;");
			break;
		case '>':
			strbuf_puts(b, "&gt;");
			break;
		case '"':
			strbuf_puts(b, "&quot;");
			break;
		case '\'':
			strbuf_puts(b, "&#39;");
			break;
		default:
			if (*p >= 0x20 || *p == '\t' || *p == '\n')
				strbuf_add(b, (const char *)p, 1);
		}
		p++;
	}
}

void web_html_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	const char *p = fmt;
	while (*p) {
		const char *pct = strchr(p, '%');
		if (!pct) {
			strbuf_puts(b, p);
			break;
		}
		strbuf_add(b, p, (size_t)(pct - p));
		if (pct[1] == '%') {
			strbuf_add(b, "%", 1);
			p = pct + 2;
			continue;
		}
		/* One conversion: flags, width and precision, length, then the letter. */
		const char *q = pct + 1;
		while (*q && strchr("-+ #0123456789.", *q))
			q++;
		char len[3] = "";
		while (*q == 'l' || *q == 'z' || *q == 'h') {
			if (strlen(len) < 2)
				strncat(len, q, 1);
			q++;
		}
		char spec[32], out[128];
		size_t sl = (size_t)(q - pct) + 1;
		if (!*q || sl >= sizeof spec)
			break;
		memcpy(spec, pct, sl);
		spec[sl] = '\0';
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		switch (*q) {
		case 's':
			web_html_escape(b, va_arg(ap, const char *));
			break;
		case 'd':
		case 'i':
		case 'u':
		case 'x':
			if (strcmp(len, "ll") == 0)
				snprintf(out, sizeof out, spec, va_arg(ap, long long));
			else if (strcmp(len, "l") == 0)
				snprintf(out, sizeof out, spec, va_arg(ap, long));
			else if (strcmp(len, "z") == 0)
				snprintf(out, sizeof out, spec, va_arg(ap, size_t));
			else
				snprintf(out, sizeof out, spec, va_arg(ap, int));
			strbuf_puts(b, out);
			break;
		case 'f':
		case 'g':
		case 'e':
			snprintf(out, sizeof out, spec, va_arg(ap, double));
			strbuf_puts(b, out);
			break;
		default:
			/* A programming bug: only the conversions above are supported. */
			va_end(ap);
			return;
		}
#pragma GCC diagnostic pop
		p = q + 1;
	}
	va_end(ap);
}

void web_url_encode(struct strbuf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			strbuf_add(b, (const char *)p, 1);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			strbuf_add(b, e, 3);
		}
	}
}

void web_prom_label(struct strbuf *b, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++) {
		if (*p == '\\')
			strbuf_puts(b, "\\\\");
		else if (*p == '"')
			strbuf_puts(b, "\\\"");
		else if (*p == '\n')
			strbuf_puts(b, "\\n");
		else
			strbuf_add(b, p, 1);
	}
}
