/* Tests for the hash-chained ledger: a known answer, an intact chain, each kind of tampering
 * found at the right entry, and serializations that cannot be confused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pvrelief/ledger.h"

#define N 6

/* A month of one village: settlement, cost, allocation, wage, labour, and a correction of the
 * wage as a new entry. */
static void make_chain(struct ledger_entry *c)
{
	static const struct {
		const char *kind, *station, *person, *memo;
		int64_t amount;
	} rows[N] = {
	    {"settlement", "xinzhuang-pv1", "", "grid settlement for February", 1180500},
	    {"cost", "xinzhuang-pv1", "", "inverter fuse", -12000},
	    {"allocation", "", "", "posts 80%", 934000},
	    {"wage", "", "340321-0001", "road post, 22 of 22 days", 100000},
	    {"labour", "", "340321-0002", "canal repair, 5 days", 75000},
	    {"correction", "", "340321-0001", "corrects seq 4: 2 days were not worked", -9091},
	};
	const char *prev = LEDGER_GENESIS_HASH;
	for (int i = 0; i < N; i++) {
		struct ledger_entry e = {.seq = i + 1,
					 .time_unix = INT64_C(1772330400) + i * 60,
					 .kind = rows[i].kind,
					 .village_id = "dangshan-xinzhuang",
					 .station_id = rows[i].station,
					 .person_id = rows[i].person,
					 .month = "2026-03",
					 .amount_fen = rows[i].amount,
					 .memo = rows[i].memo};
		c[i] = e;
		CHECK_INT(ledger_entry_seal(&c[i], prev), 0);
		prev = c[i].hash;
	}
}

static void test_known_answer(void)
{
	/* Rebuilt outside the program with printf and checked with sha256sum. */
	struct ledger_entry e = {.seq = 1,
				 .time_unix = 1772330400,
				 .kind = "wage",
				 .village_id = "dangshan-xinzhuang",
				 .station_id = "",
				 .person_id = "340321-0001",
				 .month = "2026-03",
				 .amount_fen = 54545,
				 .memo = "护路员 3月工资"};
	CHECK_INT(ledger_entry_seal(&e, LEDGER_GENESIS_HASH), 0);
	size_t len;
	char *ser = ledger_entry_serialize(&e, &len);
	CHECK_STR(ser,
		  "17:pvrelief-ledger-1,1:1,10:1772330400,4:wage,18:dangshan-xinzhuang,0:,"
		  "11:340321-0001,7:2026-03,5:54545,20:护路员 3月工资,64:" LEDGER_GENESIS_HASH ",");
	CHECK_INT(len, strlen(ser));
	CHECK_STR(e.hash, "4f3c7a662c3cf13a3ddbad978f9ea5c4e69ec7aa8899bd7f2498603b00acb212");
	CHECK_STR(e.prev_hash, LEDGER_GENESIS_HASH);
	free(ser);
}

static void test_intact(void)
{
	struct ledger_entry c[N];
	char why[256] = "x";
	make_chain(c);
	CHECK_INT(ledger_verify(c, N, why, sizeof why), -1);
	CHECK_STR(why, "");
	CHECK_INT(ledger_verify(c, 0, why, sizeof why), -1);
	for (int i = 1; i < N; i++)
		CHECK_STR(c[i].prev_hash, c[i - 1].hash);
	/* Every hash differs. */
	for (int i = 0; i < N; i++)
		for (int j = 0; j < i; j++)
			CHECK(strcmp(c[i].hash, c[j].hash) != 0);
}

enum tamper {
	ALTER_AMOUNT,
	ALTER_MEMO_LAST,
	ALTER_HASH,
	ALTER_PREV,
	ALTER_TIME,
	DELETE_ONE,
	DELETE_TWO,
	DELETE_FIRST,
	SWAP,
	SWAP_FIRST,
	DUPLICATE,
	RESEAL_ONE,
	GRAFT,
};

static void test_tampering(void)
{
	static const struct {
		enum tamper t;
		long want;
		const char *why;
	} cases[] = {
	    {ALTER_AMOUNT, 2, "entry seq 3 was altered: its hash does not match its contents"},
	    {ALTER_MEMO_LAST, 5, "entry seq 6 was altered"},
	    {ALTER_HASH, 1, "entry seq 2 was altered"},
	    {ALTER_PREV, 3, "entry seq 4 was altered"},
	    {ALTER_TIME, 0, "entry seq 1 was altered"},
	    {DELETE_ONE, 2, "entry seq 4 follows seq 2: entry seq 3 was deleted"},
	    {DELETE_TWO, 2, "entry seq 5 follows seq 2: entries seq 3 to 4 were deleted"},
	    {DELETE_FIRST, 0,
	     "the chain starts at entry seq 2: the entries before it were deleted"},
	    {SWAP, 2,
	     "entry seq 4 stands where seq 3 belongs: the entries were reordered or "
	     "duplicated"},
	    {SWAP_FIRST, 0, "entry seq 2 stands where seq 1 belongs"},
	    {DUPLICATE, 3, "entry seq 3 stands where seq 4 belongs"},
	    {RESEAL_ONE, 2,
	     "entry seq 3 was replaced or rewritten: entry seq 4 recorded a different "
	     "hash for it"},
	    {GRAFT, 0, "entry seq 1 does not start from the genesis hash"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ledger_entry c[N + 1];
		size_t n = N;
		make_chain(c);
		switch (cases[i].t) {
		case ALTER_AMOUNT:
			c[2].amount_fen += 1;
			break;
		case ALTER_MEMO_LAST:
			c[5].memo = "corrects seq 4: 1 day was not worked";
			break;
		case ALTER_HASH:
			c[1].hash[10] = c[1].hash[10] == '0' ? '1' : '0';
			break;
		case ALTER_PREV:
			c[3].prev_hash[0] = c[3].prev_hash[0] == 'a' ? 'b' : 'a';
			break;
		case ALTER_TIME:
			c[0].time_unix -= 86400;
			break;
		case DELETE_ONE:
			memmove(&c[2], &c[3], 3 * sizeof c[0]);
			n = N - 1;
			break;
		case DELETE_TWO:
			memmove(&c[2], &c[4], 2 * sizeof c[0]);
			n = N - 2;
			break;
		case DELETE_FIRST:
			memmove(&c[0], &c[1], 5 * sizeof c[0]);
			n = N - 1;
			break;
		case SWAP:
		case SWAP_FIRST: {
			int k = cases[i].t == SWAP ? 2 : 0;
			struct ledger_entry t = c[k];
			c[k] = c[k + 1];
			c[k + 1] = t;
			break;
		}
		case DUPLICATE:
			memmove(&c[3], &c[2], 4 * sizeof c[0]);
			n = N + 1;
			break;
		case RESEAL_ONE:
			/* Someone changes an amount and recomputes that entry's hash. */
			c[2].amount_fen = 1;
			CHECK_INT(ledger_entry_seal(&c[2], c[1].hash), 0);
			break;
		case GRAFT:
			CHECK_INT(ledger_entry_seal(&c[0], c[3].hash), 0);
			break;
		}
		char why[256];
		CHECK_INT(ledger_verify(c, n, why, sizeof why), cases[i].want);
		CHECK_CONTAINS(why, cases[i].why);
	}
}

/* What the chain alone cannot show, and why the last hash must be kept elsewhere too. */
static void test_limits(void)
{
	struct ledger_entry c[N], orig[N];
	char why[256];
	make_chain(c);
	memcpy(orig, c, sizeof c);
	/* Entries cut off the end leave a valid shorter chain. */
	CHECK_INT(ledger_verify(c, N - 2, why, sizeof why), -1);
	/* A chain rewritten and resealed from the altered entry onwards verifies, but its last
	 * hash differs from the one kept elsewhere. */
	c[2].amount_fen = 1;
	for (int i = 2; i < N; i++)
		CHECK_INT(ledger_entry_seal(&c[i], c[i - 1].hash), 0);
	CHECK_INT(ledger_verify(c, N, why, sizeof why), -1);
	CHECK(strcmp(c[N - 1].hash, orig[N - 1].hash) != 0);
}

static void test_unambiguous(void)
{
	/* Pairs of entries whose fields concatenate to the same text must hash differently. */
	static const struct {
		const char *village[2], *station[2], *person[2], *memo[2];
		int64_t amount[2];
	} cases[] = {
	    {{"ab", "a"}, {"c", "bc"}, {"", ""}, {"", ""}, {5, 5}},
	    {{"v", "v"}, {"", "x"}, {"x", ""}, {"", ""}, {5, 5}},
	    {{"v", "v"}, {"", ""}, {"", ""}, {"3", ""}, {12, 123}},
	    {{"v", "v"}, {"1:a,", ""}, {"", "a"}, {"", ""}, {5, 5}},
	    {{"v", "v"}, {"", ""}, {"", ""}, {"", ""}, {-5, 5}},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ledger_entry e[2];
		char *ser[2];
		size_t len[2];
		for (int k = 0; k < 2; k++) {
			struct ledger_entry x = {.seq = 7,
						 .time_unix = 1772330400,
						 .kind = "cost",
						 .village_id = cases[i].village[k],
						 .station_id = cases[i].station[k],
						 .person_id = cases[i].person[k],
						 .month = "2026-03",
						 .amount_fen = cases[i].amount[k],
						 .memo = cases[i].memo[k]};
			e[k] = x;
			CHECK_INT(ledger_entry_seal(&e[k], LEDGER_GENESIS_HASH), 0);
			ser[k] = ledger_entry_serialize(&e[k], &len[k]);
		}
		CHECK(strcmp(ser[0], ser[1]) != 0);
		CHECK(strcmp(e[0].hash, e[1].hash) != 0);
		free(ser[0]);
		free(ser[1]);
	}
	/* The first case spelled out. */
	struct ledger_entry a = {1, 0, "cost", "ab", "c", "", "2026-03", 0, "", "", ""};
	struct ledger_entry b = {1, 0, "cost", "a", "bc", "", "2026-03", 0, "", "", ""};
	size_t la, lb;
	char *sa = ledger_entry_serialize(&a, &la), *sb = ledger_entry_serialize(&b, &lb);
	CHECK_CONTAINS(sa, ",2:ab,1:c,0:,");
	CHECK_CONTAINS(sb, ",1:a,2:bc,0:,");
	free(sa);
	free(sb);
}

static void test_seal_rejects(void)
{
	static const struct {
		int64_t seq;
		const char *kind, *village, *month, *memo, *prev, *why;
	} cases[] = {
	    {0, "wage", "v", "2026-03", "", LEDGER_GENESIS_HASH,
	     "entry seq 0: seq must be 1 or more"},
	    {1, "gift", "v", "2026-03", "", LEDGER_GENESIS_HASH,
	     "entry seq 1: \"gift\" is not a ledger entry kind"},
	    {1, NULL, "v", "2026-03", "", LEDGER_GENESIS_HASH, "\"\" is not a ledger entry kind"},
	    {2, "wage", "", "2026-03", "", LEDGER_GENESIS_HASH,
	     "entry seq 2: the village is missing"},
	    {3, "wage", "v", "2026-13", "", LEDGER_GENESIS_HASH,
	     "entry seq 3: \"2026-13\" is not a month YYYY-MM"},
	    {3, "wage", "v", "2026-3", "", LEDGER_GENESIS_HASH, "is not a month YYYY-MM"},
	    {4, "correction", "v", "2026-03", "", LEDGER_GENESIS_HASH,
	     "entry seq 4: a correction must say in its memo what it corrects"},
	    /* The entry is fine but the previous hash is not 64 lowercase hex digits. */
	    {5, "wage", "v", "2026-03", "", "ABC", ""},
	    {5, "wage", "v", "2026-03", "",
	     "000000000000000000000000000000000000000000000000000000000000000G", ""},
	    {5, "wage", "v", "2026-03", "", NULL, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ledger_entry e = {.seq = cases[i].seq,
					 .kind = cases[i].kind,
					 .village_id = cases[i].village,
					 .month = cases[i].month,
					 .memo = cases[i].memo};
		char why[256];
		strcpy(e.hash, "stale");
		CHECK_INT(ledger_entry_seal(&e, cases[i].prev), -1);
		CHECK_STR(e.hash, "");
		if (cases[i].why[0]) {
			CHECK_INT(ledger_entry_check(&e, why, sizeof why), -1);
			CHECK_CONTAINS(why, cases[i].why);
		} else {
			CHECK_INT(ledger_entry_check(&e, why, sizeof why), 0);
		}
	}
	static const char *const kinds[] = {"settlement",    "receivable", "cost",
					    "allocation",    "wage",	   "labour",
					    "carry_forward", "correction"};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		CHECK_INT(ledger_kind_valid(kinds[i]), 1);
	CHECK_INT(ledger_kind_valid("Wage"), 0);
	CHECK_INT(ledger_kind_valid(""), 0);
}

/* A head kept from a notice anchors the chain: cutting entries off its end, or rewriting and
 * resealing up to the head, is found; malformed heads are refused. */
static void test_head(void)
{
	struct ledger_entry c[N];
	char why[512], hash[LEDGER_HASH_HEX_LEN + 1], text[100];
	int64_t seq = 0;
	make_chain(c);
	snprintf(text, sizeof text, "5:%s", c[4].hash);
	CHECK_INT(ledger_head_parse(text, &seq, hash), 0);
	CHECK_INT((int)seq, 5);
	CHECK_STR(hash, c[4].hash);
	CHECK_INT(ledger_check_head(c, N, seq, hash, why, sizeof why), 0);
	CHECK_STR(why, "");
	/* The newest two entries cut off: the chain itself is still intact. */
	CHECK_INT((int)ledger_verify(c, 4, why, sizeof why), -1);
	CHECK_INT(ledger_check_head(c, 4, seq, hash, why, sizeof why), -1);
	CHECK(strstr(why, "cut off") != NULL);
	/* Entry 3 changed and everything after resealed: intact as a chain, not at the head. */
	struct ledger_entry d[N];
	memcpy(d, c, sizeof d);
	d[2].amount_fen += 100;
	for (int i = 2; i < N; i++)
		CHECK_INT(ledger_entry_seal(&d[i], d[i - 1].hash), 0);
	CHECK_INT((int)ledger_verify(d, N, why, sizeof why), -1);
	CHECK_INT(ledger_check_head(d, N, seq, hash, why, sizeof why), -1);
	CHECK(strstr(why, "rewritten") != NULL);
	static const char *const bad[] = {"",
					  "5",
					  "5:",
					  ":abc",
					  "0:" LEDGER_GENESIS_HASH,
					  "-1:" LEDGER_GENESIS_HASH,
					  "x:" LEDGER_GENESIS_HASH,
					  "5:" LEDGER_GENESIS_HASH "0"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_INT(ledger_head_parse(bad[i], &seq, hash), -1);
	snprintf(text, sizeof text, "5:%s", c[4].hash);
	text[10] = 'G';
	CHECK_INT(ledger_head_parse(text, &seq, hash), -1);
	CHECK_INT(ledger_kind_valid("notice"), 1);
	/* The digest helper is plain SHA-256. */
	CHECK_INT(ledger_sha256_hex("abc", 3, hash), 0);
	CHECK_STR(hash, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
	test_known_answer();
	test_intact();
	test_tampering();
	test_limits();
	test_unambiguous();
	test_seal_rejects();
	test_head();
	return check_summary();
}
