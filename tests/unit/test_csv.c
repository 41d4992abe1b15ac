/* Tests for the CSV reader, the typed field helpers and the writer. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pvrelief/csv.h"

/* Reads every record of text and returns them as "f1|f2;f1|f2;" with "@line" after each record,
 * plus all messages, so that one string comparison checks a whole parse. */
static char *parse_all(const char *text, size_t len, char *msgs, size_t msglen)
{
	static char out[2048];
	struct errlist e = {0};
	struct csv_reader *r = csv_reader_new("t.csv", text, len);
	out[0] = '\0';
	int rc;
	while ((rc = csv_next(r, &e)) != 0) {
		if (rc < 0) {
			strcat(out, "ERR;");
			continue;
		}
		for (size_t i = 0; i < csv_nfields(r); i++) {
			if (i)
				strcat(out, "|");
			strcat(out, csv_field(r, i));
		}
		char at[16];
		snprintf(at, sizeof at, "@%d;", csv_line(r));
		strcat(out, at);
	}
	char *joined = errlist_join(&e);
	snprintf(msgs, msglen, "%s", joined);
	free(joined);
	errlist_clear(&e);
	csv_reader_free(r);
	return out;
}

static void test_reader_table(void)
{
	static const struct {
		const char *in, *want, *msgs;
	} cases[] = {
	    {"a,b,c\n1,2,3\n", "a|b|c@1;1|2|3@2;", ""},
	    {"a,b\r\n1,2\r\n", "a|b@1;1|2@2;", ""},
	    {"a,b\n1,2", "a|b@1;1|2@2;", ""},
	    {"\xEF\xBB\xBF"
	     "name,x\n",
	     "name|x@1;", ""},
	    {"\"a,b\",\"say \"\"hi\"\"\"\n", "a,b|say \"hi\"@1;", ""},
	    /* A quoted line break: the next record starts on line 3. */
	    {"\"two\nlines\",x\ny,z\n", "two\nlines|x@1;y|z@3;", ""},
	    {"\"crlf\r\ninside\",x\r\ny,z\r\n", "crlf\r\ninside|x@1;y|z@3;", ""},
	    {"a,,\n", "a||@1;", ""},
	    {"\"\",x\n", "|x@1;", ""},
	    {"a\n\n\nb\n", "a@1;b@4;", ""},
	    {"", "", ""},
	    {"a,\"b\n", "ERR;", "t.csv:1: a quoted field is not closed before the end of the file"},
	    {"x\na,b\"c,d\ne,f\n", "x@1;ERR;e|f@3;",
	     "t.csv:2: a quote appears inside a field that does not start with a quote"},
	    {"\"ab\"c,d\ne\n", "ERR;e@2;", "t.csv:1: text follows the closing quote of a field"},
	    {"a\rb\nc\n", "ERR;c@2;", "t.csv:1: a carriage return is not followed by a line feed"},
	    {"a\nb\0c\n", "a@1;ERR;", "t.csv:2: the file holds a NUL byte"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char msgs[512];
		/* The NUL case needs its real length; the others are strings. */
		size_t len = strlen(cases[i].in);
		if (strcmp(cases[i].in, "a\nb") == 0)
			len = 6;
		const char *got = parse_all(cases[i].in, len, msgs, sizeof msgs);
		CHECK_STR(got, cases[i].want);
		if (cases[i].msgs[0])
			CHECK_CONTAINS(msgs, cases[i].msgs);
		else
			CHECK_STR(msgs, "");
	}
}

static void test_header_and_helpers(void)
{
	const char *text = "\xEF\xBB\xBF"
			   " person , amount,date,month,days,note\r\n"
			   "p1,1234.5,2026-03-01,2026-03,22,ok\r\n"
			   "p2,12.3x,2026-02-30,2026-13,2x,  \r\n"
			   "\"p3\",-0.07,2024-02-29,2026-01,-3,\"  spaced  \"\r\n"
			   "p4,1\r\n";
	struct errlist e = {0};
	struct csv_reader *r = csv_reader_new("pay.csv", text, strlen(text));
	CHECK_INT(csv_read_header(r, &e), 0);
	int c_person = csv_column(r, "person", 1, &e);
	int c_amount = csv_column(r, "amount", 1, &e);
	int c_date = csv_column(r, "date", 1, &e);
	int c_month = csv_column(r, "month", 1, &e);
	int c_days = csv_column(r, "days", 1, &e);
	int c_note = csv_column(r, "note", 1, &e);
	CHECK_INT(c_person, 0);
	CHECK_INT(c_note, 5);
	CHECK_INT(e.n, 0);
	CHECK_INT(csv_column(r, "bank", 1, &e), -1);
	CHECK_INT(csv_column(r, "optional", 0, &e), -1);
	CHECK_INT(e.n, 1);
	CHECK_STR(e.msgs[0], "pay.csv:1: missing column \"bank\"");
	errlist_clear(&e);

	/* Line 2: everything valid. 1234.5 yuan is 123450 fen exactly. */
	int64_t fen = 0, days = 0;
	int y = 0, m = 0, d = 0;
	const char *s = NULL;
	CHECK_INT(csv_next(r, &e), 1);
	CHECK_INT(csv_line(r), 2);
	CHECK_INT(csv_get_str(r, c_person, &s, &e), 0);
	CHECK_STR(s, "p1");
	CHECK_INT(csv_get_fen(r, c_amount, &fen, &e), 0);
	CHECK_INT(fen, 123450);
	CHECK_INT(csv_get_date(r, c_date, &y, &m, &d, &e), 0);
	CHECK(y == 2026 && m == 3 && d == 1);
	CHECK_INT(csv_get_month(r, c_month, &y, &m, &e), 0);
	CHECK(y == 2026 && m == 3);
	CHECK_INT(csv_get_int(r, c_days, &days, &e), 0);
	CHECK_INT(days, 22);
	CHECK_INT(e.n, 0);

	/* Line 3: every typed field is bad and each is reported with the line and column. */
	CHECK_INT(csv_next(r, &e), 1);
	CHECK_INT(csv_get_fen(r, c_amount, &fen, &e), -1);
	CHECK_INT(csv_get_date(r, c_date, &y, &m, &d, &e), -1);
	CHECK_INT(csv_get_month(r, c_month, &y, &m, &e), -1);
	CHECK_INT(csv_get_int(r, c_days, &days, &e), -1);
	CHECK_INT(csv_get_str(r, c_note, &s, &e), -1);
	CHECK_INT(csv_get_fen(r, -1, &fen, &e), -1); /* a missing column was reported already */
	CHECK_INT(e.n, 5);
	CHECK_STR(e.msgs[0], "pay.csv:3: column \"amount\": \"12.3x\" is not an amount in yuan");
	CHECK_STR(e.msgs[1], "pay.csv:3: column \"date\": \"2026-02-30\" is not a date YYYY-MM-DD");
	CHECK_STR(e.msgs[2], "pay.csv:3: column \"month\": \"2026-13\" is not a month YYYY-MM");
	CHECK_STR(e.msgs[3], "pay.csv:3: column \"days\": \"2x\" is not an integer");
	CHECK_STR(e.msgs[4], "pay.csv:3: column \"note\" is empty");
	errlist_clear(&e);

	/* Line 4: a negative amount parses as negative so the caller can refuse it; leap day. */
	CHECK_INT(csv_next(r, &e), 1);
	CHECK_INT(csv_get_fen(r, c_amount, &fen, &e), 0);
	CHECK_INT(fen, -7);
	CHECK_INT(csv_get_date(r, c_date, &y, &m, &d, &e), 0);
	CHECK(y == 2024 && m == 2 && d == 29);
	CHECK_INT(csv_get_int(r, c_days, &days, &e), 0);
	CHECK_INT(days, -3);
	CHECK_INT(csv_get_str(r, c_note, &s, &e), 0);
	CHECK_STR(s, "spaced");

	/* Line 5: too few fields. */
	CHECK_INT(csv_next(r, &e), -1);
	CHECK_INT(e.n, 1);
	CHECK_STR(e.msgs[0], "pay.csv:5: the record has 2 fields but the header has 6");
	CHECK_INT(csv_next(r, &e), 0);
	errlist_clear(&e);
	csv_reader_free(r);
}

static void test_header_problems(void)
{
	struct errlist e = {0};
	struct csv_reader *r = csv_reader_new("h.csv", "", 0);
	CHECK_INT(csv_read_header(r, &e), -1);
	CHECK_STR(e.msgs[0], "h.csv: the file is empty; a header row is needed");
	csv_reader_free(r);
	errlist_clear(&e);

	r = csv_reader_new("h.csv", "a,b,a\n", 6);
	CHECK_INT(csv_read_header(r, &e), -1);
	CHECK_STR(e.msgs[0], "h.csv:1: column \"a\" appears twice");
	csv_reader_free(r);
	errlist_clear(&e);
}

static void test_parse_fen(void)
{
	static const struct {
		const char *in;
		int rc;
		int64_t fen;
	} cases[] = {
	    {"0", 0, 0},
	    {"1234.5", 0, 123450},
	    {"1234.50", 0, 123450},
	    {"0.07", 0, 7},
	    {"0.1", 0, 10},
	    {"-3", 0, -300},
	    {"-0.01", 0, -1},
	    {"007.10", 0, 710},
	    {"10000000000000", 0, INT64_C(1000000000000000)}, /* CSV_MAX_FEN */
	    {"10000000000000.01", -1, 0},
	    {"99999999999999999999", -1, 0},
	    {"1.234", -1, 0},
	    {"1.", -1, 0},
	    {".5", -1, 0},
	    {"", -1, 0},
	    {"-", -1, 0},
	    {"+1", -1, 0},
	    {"1,234.00", -1, 0},
	    {"¥12", -1, 0},
	    {"1e3", -1, 0},
	    {"12.3x", -1, 0},
	    {" 1", -1, 0}, /* the pure parser does not trim; the field helper does */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t fen = -999;
		int rc = csv_parse_fen(cases[i].in, &fen);
		CHECK_INT(rc, cases[i].rc);
		CHECK_INT(fen, cases[i].rc == 0 ? cases[i].fen : -999);
	}
}

static void test_parse_int_date_month(void)
{
	int64_t v = 0;
	CHECK_INT(csv_parse_int("9223372036854775807", &v), 0);
	CHECK_INT(v, INT64_MAX);
	CHECK_INT(csv_parse_int("-9223372036854775808", &v), 0);
	CHECK_INT(v, INT64_MIN);
	CHECK_INT(csv_parse_int("9223372036854775808", &v), -1);
	CHECK_INT(csv_parse_int("12a", &v), -1);
	CHECK_INT(csv_parse_int("", &v), -1);
	CHECK_INT(csv_parse_int("1.0", &v), -1);

	static const struct {
		const char *in;
		int rc;
	} dates[] = {
	    {"2026-03-08", 0},	{"2024-02-29", 0},   {"2000-02-29", 0},	 {"1900-02-29", -1},
	    {"2026-02-29", -1}, {"2026-04-31", -1},  {"2026-00-10", -1}, {"2026-3-8", -1},
	    {"2026/03/08", -1}, {"2026-03-08x", -1}, {"3026-01-01", -1}, {"2026-12-31", 0},
	};
	for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		int y, m, d;
		CHECK_INT(csv_parse_date(dates[i].in, &y, &m, &d), dates[i].rc);
	}
	int y = 0, m = 0;
	CHECK_INT(csv_parse_month("2026-12", &y, &m), 0);
	CHECK(y == 2026 && m == 12);
	CHECK_INT(csv_parse_month("2026-1", &y, &m), -1);
	CHECK_INT(csv_parse_month("2026-01-01", &y, &m), -1);
	CHECK_INT(csv_parse_month("1899-01", &y, &m), -1);
}

static void test_writer(void)
{
	struct csv_writer *w = csv_writer_new(1);
	csv_put_str(w, "姓名");
	csv_put_str(w, "a,b");
	csv_put_str(w, "say \"hi\"");
	csv_put_str(w, "two\nlines");
	csv_put_str(w, "");
	csv_end_row(w);
	/* Formula injection: each dangerous first character gets an apostrophe. */
	csv_put_str(w, "=SUM(A1:A9)");
	csv_put_str(w, "+1");
	csv_put_str(w, "-1");
	csv_put_str(w, "@cmd");
	csv_put_str(w, "\tx");
	csv_put_str(w, "\rx");
	csv_put_str(w, "=1,2");
	csv_put_str(w, "a=b");
	csv_end_row(w);
	/* Numbers written through the numeric functions are never altered. */
	csv_put_fen(w, 123450);
	csv_put_fen(w, -5);
	csv_put_fen(w, 0);
	csv_put_fen(w, -123456);
	csv_put_fen(w, INT64_MIN);
	csv_put_int(w, -42);
	csv_put_int(w, INT64_MIN);
	csv_end_row(w);
	size_t len = 0;
	const char *out = csv_writer_data(w, &len);
	const char *want = "\xEF\xBB\xBF"
			   "姓名,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n"
			   "'=SUM(A1:A9),'+1,'-1,'@cmd,'\tx,\"'\rx\",\"'=1,2\",a=b\r\n"
			   "1234.50,-0.05,0.00,-1234.56,-92233720368547758.08,-42,"
			   "-9223372036854775808\r\n";
	CHECK_STR(out, want);
	CHECK_INT(len, strlen(want));
	csv_writer_free(w);

	w = csv_writer_new(0);
	csv_put_int(w, 7);
	CHECK_STR(csv_writer_data(w, NULL), "7");
	csv_end_row(w);
	csv_put_str(w, "");
	csv_end_row(w);
	csv_end_row(w);
	CHECK_STR(csv_writer_data(w, NULL), "7\r\n\"\"\r\n\r\n");
	csv_writer_free(w);
}

/* Whatever the writer produces, the reader gives back (apart from the apostrophe guard). */
static void test_round_trip(void)
{
	static const char *const cells[] = {"plain", "a,b",  "q\"q",	 "line\r\nbreak",
					    "",	     " sp ", "中文,逗号"};
	size_t n = sizeof cells / sizeof cells[0];
	struct csv_writer *w = csv_writer_new(1);
	for (size_t i = 0; i < n; i++)
		csv_put_str(w, cells[i]);
	csv_end_row(w);
	size_t len;
	const char *out = csv_writer_data(w, &len);
	struct errlist e = {0};
	struct csv_reader *r = csv_reader_new("rt.csv", out, len);
	CHECK_INT(csv_next(r, &e), 1);
	CHECK_INT(csv_nfields(r), n);
	for (size_t i = 0; i < n; i++)
		CHECK_STR(csv_field(r, i), cells[i]);
	CHECK_INT(csv_next(r, &e), 0);
	CHECK_INT(e.n, 0);
	csv_reader_free(r);
	csv_writer_free(w);
}

/* Found by fuzz_csv (tests/fuzz/corpus/csv/regress-bom-cell): a cell read from the middle of a
 * file may start with a byte-order mark; written as the first cell of a file without one, it
 * lost its mark when read back, because a reader drops a mark at the start of a file. */
static void test_round_trip_bom_cell(void)
{
	static const char in[] = "name,kind\r\n\xEF\xBB\xBFpost_id,x\r\n";
	struct errlist e = {0};
	struct csv_reader *r = csv_reader_new("in.csv", in, sizeof in - 1);
	CHECK_INT(csv_read_header(r, &e), 0);
	CHECK_INT(csv_next(r, &e), 1);
	CHECK_STR(csv_field(r, 0), "\xEF\xBB\xBFpost_id");
	struct csv_writer *w = csv_writer_new(0);
	csv_put_str(w, csv_field(r, 0));
	csv_put_str(w, csv_field(r, 1));
	csv_end_row(w);
	size_t len;
	const char *out = csv_writer_data(w, &len);
	struct csv_reader *back = csv_reader_new("out.csv", out, len);
	CHECK_INT(csv_next(back, &e), 1);
	CHECK_INT(csv_nfields(back), 2);
	CHECK_STR(csv_field(back, 0), "\xEF\xBB\xBFpost_id");
	CHECK_STR(csv_field(back, 1), "x");
	CHECK_INT(csv_next(back, &e), 0);
	CHECK_INT(e.n, 0);
	csv_reader_free(back);
	csv_writer_free(w);
	csv_reader_free(r);
}

/* xorshift64*: deterministic random cells for the round-trip property. */
static uint64_t rng_state = 0x2545F4914F6CDD1Du;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Du;
}

/* Random tables written and read back give the same cells, with the apostrophe guard in front
 * of the cells that start like a formula, and the same line numbers the writer produced. */
static void test_round_trip_property(void)
{
	static const char *const atoms[] = {"a",  ",",	"\"", "\r",   "\n", " ", "=",		"-",
					    "中", "\t", "@",  "\r\n", "0",  "'", "\xEF\xBB\xBF"};
	enum { ROWS = 20, COLS = 5, LEN = 8 };
	int failures = 0;
	for (int round = 0; round < 2000; round++) {
		static char cells[ROWS][COLS][LEN * 3 + 1];
		int ncols[ROWS], line[ROWS], nrows = 1 + (int)(rng() % ROWS), at = 1;
		struct csv_writer *w = csv_writer_new((int)(rng() % 2));
		for (int r = 0; r < nrows; r++) {
			ncols[r] = 1 + (int)(rng() % COLS);
			line[r] = at;
			for (int c = 0; c < ncols[r]; c++) {
				cells[r][c][0] = '\0';
				int len = (int)(rng() % (LEN + 1));
				for (int k = 0; k < len; k++)
					strcat(cells[r][c],
					       atoms[rng() % (sizeof atoms / sizeof atoms[0])]);
				csv_put_str(w, cells[r][c]);
				for (const char *p = cells[r][c]; *p; p++)
					at += *p == '\n';
			}
			csv_end_row(w);
			at++;
		}
		size_t len;
		const char *out = csv_writer_data(w, &len);
		struct errlist e = {0};
		struct csv_reader *rd = csv_reader_new("rt.csv", out, len);
		for (int r = 0; r < nrows; r++) {
			int ok = csv_next(rd, &e) == 1 && csv_nfields(rd) == (size_t)ncols[r] &&
				 csv_line(rd) == line[r];
			for (int c = 0; ok && c < ncols[r]; c++) {
				const char *want = cells[r][c], *got = csv_field(rd, (size_t)c);
				if (want[0] && strchr("=+-@\t\r", want[0])) {
					ok = got[0] == '\'' && strcmp(got + 1, want) == 0;
				} else {
					ok = strcmp(got, want) == 0;
				}
			}
			if (!ok && failures++ < 5)
				fprintf(stderr, "round %d row %d did not read back\n", round, r);
		}
		if (csv_next(rd, &e) != 0 || e.n != 0)
			failures++;
		errlist_clear(&e);
		csv_reader_free(rd);
		csv_writer_free(w);
	}
	CHECK_INT(failures, 0);
}

/* Decoding a file as counties save it: UTF-8 with or without the mark, GB18030, and neither. */
static void test_decode(void)
{
	static const struct {
		const char *bytes;
		size_t len;
		int rc;
		enum csv_encoding enc;
		const char *utf8; /* expected text, NULL when refused */
		int line;	  /* the line named when refused */
	} cases[] = {
	    {"a,b\r\n1,2\r\n", 10, 0, CSV_UTF8, "a,b\r\n1,2\r\n", 0},
	    {"\xEF\xBB\xBF\xE7\xBB\x93,b\n", 9, 0, CSV_UTF8_BOM, "\xEF\xBB\xBF\xE7\xBB\x93,b\n", 0},
	    /* 结算期 in GBK: BD E1 CB E3 C6 DA. */
	    {"\xBD\xE1\xCB\xE3\xC6\xDA\n", 7, 0, CSV_GB18030, "结算期\n", 0},
	    /* A four-byte GB18030 sequence (U+00A5 is 81 30 84 36). */
	    {"x\x81\x30\x84\x36\n", 6, 0, CSV_GB18030, "x\xC2\xA5\n", 0},
	    /* 0xFF is valid in neither; it is on line 2. */
	    {"a,b\n1,\xFF\n", 7, -1, CSV_UTF8, NULL, 2},
	    /* A GBK lead byte cut off by the end of the line is neither. */
	    {"ok\n\n\xC0\n", 6, -1, CSV_UTF8, NULL, 3},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *out = NULL;
		size_t len = 0;
		enum csv_encoding enc = CSV_UTF8;
		int line = 0;
		int rc = csv_decode(cases[i].bytes, cases[i].len, &out, &len, &enc, &line);
		CHECK_INT(rc, cases[i].rc);
		if (rc == 0) {
			CHECK_INT((int)enc, (int)cases[i].enc);
			CHECK_STR(out, cases[i].utf8);
			CHECK_INT((int)len, (int)strlen(cases[i].utf8));
		} else {
			CHECK(out == NULL);
			CHECK_INT(line, cases[i].line);
		}
		free(out);
	}
	CHECK_STR(csv_encoding_name(CSV_GB18030), "GB18030/GBK");
}

int main(void)
{
	test_decode();
	test_reader_table();
	test_header_and_helpers();
	test_header_problems();
	test_parse_fen();
	test_parse_int_date_month();
	test_writer();
	test_round_trip();
	test_round_trip_bom_cell();
	test_round_trip_property();
	return check_summary();
}
