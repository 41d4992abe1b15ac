/* The append-only money ledger: every settlement, receivable, cost, allocation and payment is an
 * entry chained to the one before by SHA-256, so that an altered, deleted or reordered entry is
 * found. Corrections are new entries of kind "correction", never edits: `pvrelief correct`
 * reverses each entry of a wrong row with one whose amount is the negation and whose memo is
 * "reverses seq N (the reversed entry's memo): reason; by NAME". Pure: no I/O.
 *
 * Hash: hash = lowercase hex SHA-256 of the canonical serialization, which is the
 * concatenation of these fields as netstrings ("<decimal byte length>:<bytes>,"), in order:
 *   "pvrelief-ledger-1" (format tag), seq, time_unix, kind, village_id, station_id, person_id,
 *   month, amount_fen, memo, prev_hash
 * Integers are written in canonical decimal (a minus sign for negatives, no plus sign, no
 * leading zeros). Because every field carries its length, no two different entries serialize
 * alike ("ab" + "c" is "2:ab,1:c," while "a" + "bc" is "1:a,2:bc,"). NULL strings are written
 * as "". The serialization can be rebuilt with printf and checked with sha256sum.
 *
 * The first entry's prev_hash is LEDGER_GENESIS_HASH. The chain cannot show that entries were
 * cut off its end, or that the whole chain was rewritten and resealed: keep the last hash
 * somewhere else too (the public notice, the county's copy) and compare. */
#ifndef PVRELIEF_LEDGER_H
#define PVRELIEF_LEDGER_H

#include <stddef.h>
#include <stdint.h>

/* Length of a hash in hex digits, without the NUL. */
#define LEDGER_HASH_HEX_LEN 64
/* The prev_hash of the first entry: 64 zeros. */
#define LEDGER_GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

struct ledger_entry {
	int64_t seq;	   /* 1, 2, 3 ... in the order appended */
	int64_t time_unix; /* when it was recorded, unix seconds */
	const char *kind;  /* one of the kinds ledger_kind_valid accepts */
	const char *village_id;
	const char *station_id; /* "" when the entry is not about one station */
	const char *person_id;	/* "" when the entry is not about one person */
	const char *month;	/* YYYY-MM the money belongs to */
	int64_t amount_fen;	/* signed */
	const char *memo;	/* free text; a correction says what it corrects */
	char prev_hash[LEDGER_HASH_HEX_LEN + 1];
	char hash[LEDGER_HASH_HEX_LEN + 1];
};

/* Returns 1 when kind is one of settlement, receivable, cost, allocation, wage, labour,
 * carry_forward, correction, notice (a posted public notice: amount 0, its SHA-256 in the
 * memo); else 0. */
int ledger_kind_valid(const char *kind);
/* Writes the lowercase hex SHA-256 of data[0..len) into out; 0, or -1 (out "") when the digest
 * fails. */
int ledger_sha256_hex(const void *data, size_t len, char out[LEDGER_HASH_HEX_LEN + 1]);
/* Parses a kept chain head "SEQ:HASH" (seq >= 1, 64 lowercase hex digits); 0, or -1. */
int ledger_head_parse(const char *text, int64_t *seq, char hash[LEDGER_HASH_HEX_LEN + 1]);
/* Checks entries[0..n) against a kept head: the entry numbered seq must exist and have hash.
 * Returns 0, or -1 with a sentence in why (the chain was cut before seq, or rewritten). Run
 * ledger_verify too: this only anchors the chain's length and content up to seq. */
int ledger_check_head(const struct ledger_entry *entries, size_t n, int64_t seq, const char *hash,
		      char *why, size_t whylen);
/* Checks an entry's fields before sealing (seq >= 1, known kind, village, month YYYY-MM, a memo
 * on corrections). Returns 0, or -1 with a sentence in why. */
int ledger_entry_check(const struct ledger_entry *e, char *why, size_t whylen);
/* Returns the canonical serialization of e with its prev_hash, in a new buffer the caller frees
 * (NUL-terminated for convenience; the NUL is not part of it), and its length in *len. */
char *ledger_entry_serialize(const struct ledger_entry *e, size_t *len);
/* Sets e->prev_hash to prev_hash (LEDGER_GENESIS_HASH for the first entry) and e->hash to the
 * hash of the entry. Returns 0, or -1 when the fields fail ledger_entry_check, prev_hash is not
 * 64 lowercase hex digits, or the digest fails; e->hash is then "". */
int ledger_entry_seal(struct ledger_entry *e, const char *prev_hash);
/* Checks the chain entries[0..n): each hash matches its entry, seqs run 1, 2, 3 ... and each
 * prev_hash is the previous entry's hash. Returns, with a sentence naming it by seq in why:
 * the index of an entry whose hash does not match (altered), of the entry after a seq gap
 * (deleted before it), of an entry out of place (reordered), or of an entry the next one does
 * not link to (replaced or rewritten and resealed); the first such index in the chain. Returns
 * -1 with why "" when the chain is intact. */
long ledger_verify(const struct ledger_entry *entries, size_t n, char *why, size_t whylen);

#endif
