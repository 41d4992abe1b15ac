#include "pvrelief/csv.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/xalloc.h"

struct csv_reader {
	char *file;
	const char *data;
	size_t len, pos;
	int line;     /* line of data[pos] */
	int rec_line; /* line on which the current record starts */
	/* The current record: field texts stored one after another, each NUL-terminated, found
	 * through offsets because the buffer moves when it grows. */
	char *buf;
	size_t buflen, bufcap;
	size_t *offs;
	size_t nfields, offcap;
	char **hdr; /* trimmed header names, owned */
	size_t nhdr;
	int hdr_line;
	int have_header;
};

struct csv_writer {
	char *buf;
	size_t len, cap;
	int in_row;	  /* a cell was written on the current row, so the next needs a comma */
	size_t row_cells; /* cells on the current row */
	size_t row_start; /* offset where the current row starts */
};

/* Values longer than this are shown shortened in messages. */
#define SHOWN_MAX 60

struct csv_reader *csv_reader_new(const char *file, const char *data, size_t len)
{
	struct csv_reader *r = xcalloc(1, sizeof *r);
	r->file = xstrdup(file ? file : "(input)");
	r->data = data;
	r->len = len;
	r->line = 1;
	/* Excel and WPS write a byte-order mark in front of UTF-8 CSV; it is not data. */
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		r->pos = 3;
	return r;
}

void csv_reader_free(struct csv_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nhdr; i++)
		free(r->hdr[i]);
	free(r->hdr);
	free(r->buf);
	free(r->offs);
	free(r->file);
	free(r);
}

static void buf_push(struct csv_reader *r, char c)
{
	if (r->buflen == r->bufcap) {
		r->bufcap = r->bufcap ? r->bufcap * 2 : 256;
		r->buf = xrealloc(r->buf, r->bufcap);
	}
	r->buf[r->buflen++] = c;
}

static void field_start(struct csv_reader *r)
{
	if (r->nfields == r->offcap) {
		r->offcap = r->offcap ? r->offcap * 2 : 16;
		r->offs = xrealloc(r->offs, r->offcap * sizeof *r->offs);
	}
	r->offs[r->nfields++] = r->buflen;
}

/* After a malformed field, skips to the start of the next physical line so that the following
 * records can still be read and checked. */
static void resync(struct csv_reader *r)
{
	while (r->pos < r->len && r->data[r->pos] != '\n')
		r->pos++;
	if (r->pos < r->len) {
		r->pos++;
		r->line++;
	}
}

/* Consumes a line end at pos if there is one: returns 1 for LF or CRLF, 0 otherwise. */
static int eat_eol(struct csv_reader *r)
{
	const char *d = r->data;
	if (r->pos < r->len && d[r->pos] == '\n') {
		r->pos++;
		r->line++;
		return 1;
	}
	if (r->pos + 1 < r->len && d[r->pos] == '\r' && d[r->pos + 1] == '\n') {
		r->pos += 2;
		r->line++;
		return 1;
	}
	return 0;
}

/* Reads a quoted field whose opening quote is at pos. Returns 0, or -1 after reporting. */
static int read_quoted(struct csv_reader *r, struct errlist *e)
{
	int start_line = r->line;
	r->pos++;
	for (;;) {
		if (r->pos >= r->len) {
			errlist_add(e, r->file, start_line,
				    "a quoted field is not closed before the end of the file");
			return -1;
		}
		char c = r->data[r->pos];
		if (c == '"') {
			if (r->pos + 1 < r->len && r->data[r->pos + 1] == '"') {
				buf_push(r, '"');
				r->pos += 2;
				continue;
			}
			r->pos++;
			break;
		}
		if (c == '\0') {
			errlist_add(e, r->file, r->line, "the file holds a NUL byte");
			resync(r);
			return -1;
		}
		if (c == '\n')
			r->line++;
		buf_push(r, c);
		r->pos++;
	}
	if (r->pos < r->len && r->data[r->pos] != ',' && r->data[r->pos] != '\n' &&
	    !(r->data[r->pos] == '\r' && r->pos + 1 < r->len && r->data[r->pos + 1] == '\n')) {
		errlist_add(e, r->file, r->line,
			    "text follows the closing quote of a field; "
			    "a quote inside a field is written as two quotes");
		resync(r);
		return -1;
	}
	return 0;
}

/* Reads an unquoted field up to the next comma or line end. Returns 0, or -1 after reporting. */
static int read_plain(struct csv_reader *r, struct errlist *e)
{
	while (r->pos < r->len) {
		char c = r->data[r->pos];
		if (c == ',' || c == '\n')
			return 0;
		if (c == '\r') {
			if (r->pos + 1 < r->len && r->data[r->pos + 1] == '\n')
				return 0;
			errlist_add(e, r->file, r->line,
				    "a carriage return is not followed by a line feed");
			resync(r);
			return -1;
		}
		if (c == '"') {
			errlist_add(e, r->file, r->line,
				    "a quote appears inside a field that does not start with a "
				    "quote; quote the whole field and double the inner quote");
			resync(r);
			return -1;
		}
		if (c == '\0') {
			errlist_add(e, r->file, r->line, "the file holds a NUL byte");
			resync(r);
			return -1;
		}
		buf_push(r, c);
		r->pos++;
	}
	return 0;
}

int csv_next(struct csv_reader *r, struct errlist *e)
{
	r->buflen = 0;
	r->nfields = 0;
	/* Empty lines carry no record; spreadsheets leave them at the end of files. */
	while (eat_eol(r))
		;
	if (r->pos >= r->len)
		return 0;
	r->rec_line = r->line;
	for (;;) {
		field_start(r);
		int rc = r->pos < r->len && r->data[r->pos] == '"' ? read_quoted(r, e)
								   : read_plain(r, e);
		buf_push(r, '\0');
		if (rc < 0) {
			r->nfields = 0;
			return -1;
		}
		if (r->pos < r->len && r->data[r->pos] == ',') {
			r->pos++;
			continue;
		}
		eat_eol(r);
		break;
	}
	if (r->have_header && r->nfields != r->nhdr) {
		errlist_add(e, r->file, r->rec_line,
			    "the record has %zu fields but the header has %zu", r->nfields,
			    r->nhdr);
		return -1;
	}
	return 1;
}

/* Returns a new copy of s without the spaces and tabs around it. */
static char *trim_dup(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

int csv_read_header(struct csv_reader *r, struct errlist *e)
{
	int rc = csv_next(r, e);
	if (rc == 0) {
		errlist_add(e, r->file, 0, "the file is empty; a header row is needed");
		return -1;
	}
	if (rc < 0)
		return -1;
	r->nhdr = r->nfields;
	r->hdr = xcalloc(r->nhdr, sizeof *r->hdr);
	r->hdr_line = r->rec_line;
	int bad = 0;
	for (size_t i = 0; i < r->nhdr; i++) {
		r->hdr[i] = trim_dup(csv_field(r, i));
		for (size_t j = 0; j < i; j++) {
			if (strcmp(r->hdr[i], r->hdr[j]) == 0) {
				errlist_add(e, r->file, r->hdr_line, "column \"%s\" appears twice",
					    r->hdr[i]);
				bad = 1;
				break;
			}
		}
	}
	r->have_header = 1;
	return bad ? -1 : 0;
}

int csv_column(const struct csv_reader *r, const char *name, int required, struct errlist *e)
{
	for (size_t i = 0; i < r->nhdr; i++)
		if (strcmp(r->hdr[i], name) == 0)
			return (int)i;
	if (required)
		errlist_add(e, r->file, r->have_header ? r->hdr_line : 1, "missing column \"%s\"",
			    name);
	return -1;
}

size_t csv_nfields(const struct csv_reader *r)
{
	return r->nfields;
}

const char *csv_field(const struct csv_reader *r, size_t i)
{
	return i < r->nfields ? r->buf + r->offs[i] : "";
}

int csv_line(const struct csv_reader *r)
{
	return r->rec_line;
}

const char *csv_file(const struct csv_reader *r)
{
	return r->file;
}

int csv_parse_int(const char *s, int64_t *out)
{
	int neg = 0;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s < '0' || *s > '9')
		return -1;
	/* Accumulate the magnitude as unsigned so that INT64_MIN itself can be read. */
	uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int csv_parse_fen(const char *s, int64_t *out_fen)
{
	int neg = 0;
	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (*s < '0' || *s > '9')
		return -1;
	int64_t yuan = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		yuan = yuan * 10 + (*s - '0');
		if (yuan > CSV_MAX_FEN / 100)
			return -1;
	}
	int64_t cents = 0;
	if (*s == '.') {
		s++;
		int ndec = 0;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (++ndec > 2)
				return -1;
			cents = cents * 10 + (*s - '0');
		}
		if (ndec == 0)
			return -1;
		if (ndec == 1)
			cents *= 10;
	}
	if (*s != '\0')
		return -1;
	int64_t v = yuan * 100 + cents;
	if (v > CSV_MAX_FEN)
		return -1;
	*out_fen = neg ? -v : v;
	return 0;
}

/* Reads exactly n decimal digits from s into *out; returns 0 or -1. */
static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

int csv_parse_month(const char *s, int *year, int *month)
{
	int y, m;
	if (strlen(s) != 7 || digits(s, 4, &y) < 0 || s[4] != '-' || digits(s + 5, 2, &m) < 0)
		return -1;
	if (y < 1900 || y > 2999 || m < 1 || m > 12)
		return -1;
	*year = y;
	*month = m;
	return 0;
}

int csv_parse_date(const char *s, int *year, int *month, int *day)
{
	int y, m, d;
	char ym[8];
	if (strlen(s) != 10 || s[7] != '-' || digits(s + 8, 2, &d) < 0)
		return -1;
	memcpy(ym, s, 7);
	ym[7] = '\0';
	if (csv_parse_month(ym, &y, &m) < 0 || d < 1 || d > days_in_month(y, m))
		return -1;
	*year = y;
	*month = m;
	*day = d;
	return 0;
}

/* Copies the trimmed value of column col into tmp. Returns 0, 1 when the value is too long for
 * tmp (it cannot be valid then), or -1 when col is negative (a missing column, already
 * reported). */
static int trimmed_value(const struct csv_reader *r, int col, char *tmp, size_t tmplen)
{
	if (col < 0)
		return -1;
	char *t = trim_dup(csv_field(r, (size_t)col));
	size_t n = strlen(t);
	int rc = n < tmplen ? 0 : 1;
	if (rc == 0)
		memcpy(tmp, t, n + 1);
	free(t);
	return rc;
}

static void report_bad(const struct csv_reader *r, int col, const char *what, struct errlist *e)
{
	const char *raw = csv_field(r, (size_t)col);
	size_t n = strlen(raw);
	const char *ell = n > SHOWN_MAX ? "..." : "";
	int shown = n > SHOWN_MAX ? SHOWN_MAX : (int)n;
	if ((size_t)col < r->nhdr)
		errlist_add(e, r->file, r->rec_line, "column \"%s\": \"%.*s%s\" is not %s",
			    r->hdr[col], shown, raw, ell, what);
	else
		errlist_add(e, r->file, r->rec_line, "column %d: \"%.*s%s\" is not %s", col + 1,
			    shown, raw, ell, what);
}

int csv_get_int(const struct csv_reader *r, int col, int64_t *out, struct errlist *e)
{
	char tmp[32];
	int rc = trimmed_value(r, col, tmp, sizeof tmp);
	if (rc < 0)
		return -1;
	if (rc > 0 || csv_parse_int(tmp, out) < 0) {
		report_bad(r, col, "an integer", e);
		return -1;
	}
	return 0;
}

int csv_get_fen(const struct csv_reader *r, int col, int64_t *out_fen, struct errlist *e)
{
	char tmp[32];
	int rc = trimmed_value(r, col, tmp, sizeof tmp);
	if (rc < 0)
		return -1;
	if (rc > 0 || csv_parse_fen(tmp, out_fen) < 0) {
		report_bad(r, col, "an amount in yuan", e);
		return -1;
	}
	return 0;
}

int csv_get_date(const struct csv_reader *r, int col, int *year, int *month, int *day,
		 struct errlist *e)
{
	char tmp[16];
	int rc = trimmed_value(r, col, tmp, sizeof tmp);
	if (rc < 0)
		return -1;
	if (rc > 0 || csv_parse_date(tmp, year, month, day) < 0) {
		report_bad(r, col, "a date YYYY-MM-DD", e);
		return -1;
	}
	return 0;
}

int csv_get_month(const struct csv_reader *r, int col, int *year, int *month, struct errlist *e)
{
	char tmp[16];
	int rc = trimmed_value(r, col, tmp, sizeof tmp);
	if (rc < 0)
		return -1;
	if (rc > 0 || csv_parse_month(tmp, year, month) < 0) {
		report_bad(r, col, "a month YYYY-MM", e);
		return -1;
	}
	return 0;
}

int csv_get_str(struct csv_reader *r, int col, const char **out, struct errlist *e)
{
	if (col < 0)
		return -1;
	if ((size_t)col >= r->nfields) {
		*out = "";
	} else {
		/* The reader owns the field text, so it is trimmed in place. */
		char *s = r->buf + r->offs[col];
		while (*s == ' ' || *s == '\t')
			s++;
		size_t n = strlen(s);
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			s[--n] = '\0';
		*out = s;
	}
	if (**out == '\0') {
		if ((size_t)col < r->nhdr)
			errlist_add(e, r->file, r->rec_line, "column \"%s\" is empty", r->hdr[col]);
		else
			errlist_add(e, r->file, r->rec_line, "column %d is empty", col + 1);
		return -1;
	}
	return 0;
}

struct csv_writer *csv_writer_new(int bom)
{
	struct csv_writer *w = xcalloc(1, sizeof *w);
	w->cap = 256;
	w->buf = xmalloc(w->cap);
	w->buf[0] = '\0';
	if (bom) {
		memcpy(w->buf, "\xEF\xBB\xBF", 4);
		w->len = 3;
	}
	return w;
}

void csv_writer_free(struct csv_writer *w)
{
	if (!w)
		return;
	free(w->buf);
	free(w);
}

static void out_bytes(struct csv_writer *w, const char *s, size_t n)
{
	if (w->len + n + 1 > w->cap) {
		while (w->len + n + 1 > w->cap)
			w->cap *= 2;
		w->buf = xrealloc(w->buf, w->cap);
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void cell_start(struct csv_writer *w)
{
	if (w->in_row)
		out_bytes(w, ",", 1);
	else
		w->row_start = w->len;
	w->in_row = 1;
	w->row_cells++;
}

void csv_put_str(struct csv_writer *w, const char *s)
{
	cell_start(w);
	/* A spreadsheet runs a cell starting with one of these as a formula (CSV injection); the
	 * apostrophe makes it show the text instead. */
	int guard = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
	/* A cell starting with a byte-order mark is quoted too: at the start of a file, a reader
	 * would take the mark for the file's and drop it from the cell. */
	int quote = strpbrk(s, ",\"\r\n") != NULL || strncmp(s, "\xEF\xBB\xBF", 3) == 0;
	if (quote)
		out_bytes(w, "\"", 1);
	if (guard)
		out_bytes(w, "'", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			out_bytes(w, "\"\"", 2);
		else
			out_bytes(w, p, 1);
	}
	if (quote)
		out_bytes(w, "\"", 1);
}

/* Formats v in decimal into the end of tmp[24] and returns where the text starts. */
static char *fmt_u64(uint64_t v, char *tmp)
{
	char *p = tmp + 23;
	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

void csv_put_fen(struct csv_writer *w, int64_t amount_fen)
{
	char tmp[24];
	cell_start(w);
	/* The magnitude as unsigned, so that INT64_MIN does not overflow. */
	uint64_t mag = amount_fen < 0 ? 0 - (uint64_t)amount_fen : (uint64_t)amount_fen;
	if (amount_fen < 0)
		out_bytes(w, "-", 1);
	char *yuan = fmt_u64(mag / 100, tmp);
	out_bytes(w, yuan, strlen(yuan));
	char dec[3] = {'.', (char)('0' + mag % 100 / 10), (char)('0' + mag % 10)};
	out_bytes(w, dec, 3);
}

void csv_put_int(struct csv_writer *w, int64_t v)
{
	char tmp[24];
	cell_start(w);
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	if (v < 0)
		out_bytes(w, "-", 1);
	char *p = fmt_u64(mag, tmp);
	out_bytes(w, p, strlen(p));
}

void csv_end_row(struct csv_writer *w)
{
	/* A row of one empty cell would be an empty line, which readers skip; quoting keeps it. */
	if (w->row_cells == 1 && w->len == w->row_start)
		out_bytes(w, "\"\"", 2);
	out_bytes(w, "\r\n", 2);
	w->in_row = 0;
	w->row_cells = 0;
}

const char *csv_writer_data(const struct csv_writer *w, size_t *len)
{
	if (len)
		*len = w->len;
	return w->buf;
}

const char *csv_encoding_name(enum csv_encoding e)
{
	switch (e) {
	case CSV_UTF8:
		return "UTF-8";
	case CSV_UTF8_BOM:
		return "UTF-8 (BOM)";
	case CSV_GB18030:
		return "GB18030/GBK";
	}
	return "?";
}

/* Returns the offset of the first byte of data[0..len) that is not part of well-formed UTF-8
 * (no overlong forms, no surrogates, nothing above U+10FFFF), or len when all of it is. */
static size_t utf8_invalid_at(const unsigned char *p, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned c = p[i];
		size_t n;
		unsigned min;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			n = 1, min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2, min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3, min = 0x10000;
		} else {
			return i;
		}
		if (len - i <= n)
			return i;
		unsigned cp = c & (0x3F >> n);
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xC0) != 0x80)
				return i;
			cp = cp << 6 | (p[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return i;
		i += n + 1;
	}
	return len;
}

static int line_at(const char *data, size_t off)
{
	int line = 1;
	for (size_t i = 0; i < off; i++)
		line += data[i] == '\n';
	return line;
}

int csv_decode(const char *data, size_t len, char **out, size_t *outlen, enum csv_encoding *enc,
	       int *line)
{
	size_t bad = utf8_invalid_at((const unsigned char *)data, len);
	*out = NULL;
	*outlen = 0;
	if (bad == len) {
		*enc = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? CSV_UTF8_BOM : CSV_UTF8;
		*out = xmalloc(len + 1);
		memcpy(*out, data, len);
		(*out)[len] = '\0';
		*outlen = len;
		return 0;
	}
	/* Not UTF-8: GB18030 maps every character to at most four bytes of UTF-8 for its at
	 * least one byte (two for Chinese, which become three), so twice the size and a little
	 * is always enough. */
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1) {
		*line = line_at(data, bad);
		return -1;
	}
	size_t cap = len * 2 + 16, left = cap;
	char *buf = xmalloc(cap + 1), *o = buf;
	char *in = (char *)(uintptr_t)data; /* iconv's prototype is not const-correct */
	size_t inleft = len;
	size_t rc = iconv(cd, &in, &inleft, &o, &left);
	int err = rc == (size_t)-1 ? errno : 0;
	iconv_close(cd);
	if (err || inleft) {
		/* The first byte valid in neither encoding, for the message: the later of where
		 * UTF-8 and GB18030 each stopped. */
		size_t stop = (size_t)(in - data);
		*line = line_at(data, stop > bad ? stop : bad);
		free(buf);
		return -1;
	}
	*o = '\0';
	*out = buf;
	*outlen = (size_t)(o - buf);
	*enc = CSV_GB18030;
	return 0;
}
