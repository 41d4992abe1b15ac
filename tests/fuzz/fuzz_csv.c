/* Fuzzes the CSV reader and its typed field parsers, which every import runs on the village
 * accountants' files. The input is a file: its first record is read as the header, and every
 * field of every later record goes through each typed helper (integer, yuan, date, month,
 * text) and pure parser. Each record is also written back with the CSV writer and read again,
 * which must give the same fields (a text cell the writer guards against formula injection
 * comes back with its leading apostrophe). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/csv.h"
#include "pvrelief/errlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const struct csv_reader *r)
{
	size_t n = csv_nfields(r);
	char **orig = malloc(n * sizeof *orig);
	struct csv_writer *w = csv_writer_new(0);
	for (size_t i = 0; i < n; i++) {
		orig[i] = strdup(csv_field(r, i));
		csv_put_str(w, orig[i]);
	}
	csv_end_row(w);
	size_t len;
	const char *out = csv_writer_data(w, &len);
	struct csv_reader *back = csv_reader_new("written", out, len);
	struct errlist e = {0};
	if (csv_next(back, &e) != 1 || csv_nfields(back) != n)
		abort();
	for (size_t i = 0; i < n; i++) {
		const char *b = csv_field(back, i);
		if (strcmp(b, orig[i]) != 0 && !(b[0] == '\'' && strcmp(b + 1, orig[i]) == 0))
			abort();
		free(orig[i]);
	}
	if (csv_next(back, &e) != 0 || e.n != 0)
		abort();
	free(orig);
	csv_reader_free(back);
	csv_writer_free(w);
}

static void typed(struct csv_reader *r, int col, struct errlist *e)
{
	int64_t v;
	int y, m, d;
	const char *s;
	csv_get_int(r, col, &v, e);
	if (csv_get_fen(r, col, &v, e) == 0 && (v > CSV_MAX_FEN || v < -CSV_MAX_FEN))
		abort();
	if (csv_get_date(r, col, &y, &m, &d, e) == 0 &&
	    (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31))
		abort();
	if (csv_get_month(r, col, &y, &m, e) == 0 && (y < 1900 || y > 2999 || m < 1 || m > 12))
		abort();
	if (csv_get_str(r, col, &s, e) == 0 && !s[0])
		abort();
	const char *raw = csv_field(r, (size_t)col);
	csv_parse_int(raw, &v);
	csv_parse_fen(raw, &v);
	csv_parse_date(raw, &y, &m, &d);
	csv_parse_month(raw, &y, &m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist e = {0};
	struct csv_reader *r = csv_reader_new("fuzz.csv", (const char *)data, size);
	if (csv_read_header(r, &e) == 0) {
		csv_column(r, "amount", 1, &e);
		csv_column(r, "金额", 0, NULL);
		int rc;
		while ((rc = csv_next(r, &e)) != 0) {
			if (rc < 0)
				continue;
			if (csv_line(r) < 1)
				abort();
			round_trip(r);
			for (size_t i = 0; i < csv_nfields(r); i++)
				typed(r, (int)i, &e);
		}
	}
	csv_reader_free(r);
	errlist_clear(&e);
	return 0;
}
