/* CSV reading and writing for the files village accountants exchange with Excel and WPS.
 *
 * The reader takes a memory buffer (the caller reads the file) and follows RFC 4180: quoted
 * fields, doubled quotes, commas and line breaks inside quotes, LF or CRLF line ends. A UTF-8
 * byte-order mark at the start is skipped. Empty lines are skipped. Every problem is reported
 * as "file:line: sentence" into an errlist, and a record knows the line it starts on.
 *
 * The writer produces what Excel opens correctly: an optional byte-order mark, CRLF line ends,
 * quotes only where needed, and a guard against formula injection in text cells. */
#ifndef PVRELIEF_CSV_H
#define PVRELIEF_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "pvrelief/errlist.h"

struct csv_reader;
struct csv_writer;

/* Largest amount the yuan parser accepts, in fen (10^15 fen, ten trillion yuan), so that sums
 * of many amounts stay far from int64_t overflow. */
#define CSV_MAX_FEN INT64_C(1000000000000000)

/* The text encodings a CSV file may come in. */
enum csv_encoding {
	CSV_UTF8,     /* UTF-8 without a byte-order mark */
	CSV_UTF8_BOM, /* UTF-8 with one, as Excel's "CSV UTF-8" writes */
	CSV_GB18030   /* GB18030 (a superset of GBK), what Excel and WPS on Chinese Windows
			 write by default */
};
/* Returns the encoding's name as an accountant knows it ("UTF-8", "UTF-8 (BOM)",
 * "GB18030/GBK"). */
const char *csv_encoding_name(enum csv_encoding e);
/* Decodes a file's bytes data[0..len) into UTF-8: UTF-8 with or without a byte-order mark (the
 * mark is kept, the reader skips it), else GB18030 through iconv. Returns 0 with a new buffer
 * in *out (NUL-terminated, length in *outlen; the caller frees) and the encoding in *enc, or
 * -1 with *line set to the line of the first byte that is valid in neither (the file is in
 * some other encoding, or damaged). */
int csv_decode(const char *data, size_t len, char **out, size_t *outlen, enum csv_encoding *enc,
	       int *line);
/* Creates a reader over data[0..len), which the caller keeps alive and unchanged while the
 * reader exists; file is copied and used in messages. Never returns NULL. */
struct csv_reader *csv_reader_new(const char *file, const char *data, size_t len);
/* Frees the reader and the current record; NULL is allowed. */
void csv_reader_free(struct csv_reader *r);
/* Reads the next record into the reader. Returns 1 when a record is ready, 0 at the end of the
 * data, or -1 when the record was malformed (the reason goes to e with the line; the caller
 * may call again to go on with the record after it). */
int csv_next(struct csv_reader *r, struct errlist *e);
/* Reads the first record as the header row, whose trimmed names csv_column looks up, and
 * checks later records against its field count. Returns 0, or -1 if there is no valid header
 * (reported to e). */
int csv_read_header(struct csv_reader *r, struct errlist *e);
/* Returns the index of the header column called name (compared after trimming spaces), or -1.
 * When required, a missing column is reported as "file:LINE: missing column \"name\"". */
int csv_column(const struct csv_reader *r, const char *name, int required, struct errlist *e);
/* Returns the number of fields in the current record. */
size_t csv_nfields(const struct csv_reader *r);
/* Returns field i of the current record as a NUL-terminated string owned by the reader and
 * valid until the next csv_next; "" when i is out of range. */
const char *csv_field(const struct csv_reader *r, size_t i);
/* Returns the line on which the current record starts (1 for the first line). */
int csv_line(const struct csv_reader *r);
/* Returns the file name given to csv_reader_new (owned by the reader). */
const char *csv_file(const struct csv_reader *r);

/* The typed field helpers below read column col of the current record. Spaces and tabs around
 * the value are ignored. On a bad value they report
 * "file:LINE: column \"name\": \"value\" is not ..." to e and return -1; else they return 0. */

/* Parses an integer (optional minus, decimal digits, within int64_t) into *out. */
int csv_get_int(const struct csv_reader *r, int col, int64_t *out, struct errlist *e);
/* Parses an amount in yuan with at most two decimals ("1234.5", "-3", "0.07") exactly into
 * *out_fen. A leading minus gives a negative amount, which the caller rejects where needed.
 * No thousands separators, no currency sign, magnitude at most CSV_MAX_FEN. */
int csv_get_fen(const struct csv_reader *r, int col, int64_t *out_fen, struct errlist *e);
/* Parses a calendar date YYYY-MM-DD (years 1900-2999, day checked against the month). */
int csv_get_date(const struct csv_reader *r, int col, int *year, int *month, int *day,
		 struct errlist *e);
/* Parses a month YYYY-MM (years 1900-2999). */
int csv_get_month(const struct csv_reader *r, int col, int *year, int *month, struct errlist *e);
/* Sets *out to the field with surrounding spaces removed (owned by the reader, valid until the
 * next csv_next); an empty value is reported as "column \"name\" is empty". */
int csv_get_str(struct csv_reader *r, int col, const char **out, struct errlist *e);

/* Pure parsers behind the helpers, for callers that have a string rather than a CSV field.
 * Each returns 0 and sets its outputs, or -1 leaving them unchanged. No trimming. */
int csv_parse_int(const char *s, int64_t *out);
/* Parses yuan with at most two decimals exactly into fen; see csv_get_fen. */
int csv_parse_fen(const char *s, int64_t *out_fen);
/* Parses YYYY-MM-DD. */
int csv_parse_date(const char *s, int *year, int *month, int *day);
/* Parses YYYY-MM. */
int csv_parse_month(const char *s, int *year, int *month);

/* Creates an empty writer; with bom the output starts with a UTF-8 byte-order mark, which
 * Excel needs to read UTF-8. Never returns NULL. */
struct csv_writer *csv_writer_new(int bom);
/* Frees the writer and its buffer; NULL is allowed. */
void csv_writer_free(struct csv_writer *w);
/* Appends a text cell. Quotes it when it holds a comma, quote, CR or LF; prefixes an apostrophe
 * when it starts with = + - @ TAB or CR so that a spreadsheet shows it as text rather than run
 * it as a formula. s must not be NULL. */
void csv_put_str(struct csv_writer *w, const char *s);
/* Appends an amount in fen as yuan with two decimals ("1234.50", "-0.05"), unguarded. */
void csv_put_fen(struct csv_writer *w, int64_t amount_fen);
/* Appends an integer cell, unguarded. */
void csv_put_int(struct csv_writer *w, int64_t v);
/* Ends the current row with CRLF (a row of one empty cell is written as "" so that it is not
 * an empty line, which readers skip). */
void csv_end_row(struct csv_writer *w);
/* Returns the output so far, NUL-terminated, owned by the writer and valid until the next call
 * that changes the writer; sets *len to its length in bytes when len is not NULL. */
const char *csv_writer_data(const struct csv_writer *w, size_t *len);

#endif
