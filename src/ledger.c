#include "pvrelief/ledger.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/xalloc.h"

#define FORMAT_TAG "pvrelief-ledger-1"

static const char *const kinds[] = {"settlement",    "receivable", "cost",
				    "allocation",    "wage",	   "labour",
				    "carry_forward", "correction", "notice"};

int ledger_kind_valid(const char *kind)
{
	if (!kind)
		return 0;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return 1;
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int month_valid(const char *m)
{
	if (!m || strlen(m) != 7 || m[4] != '-')
		return 0;
	for (int i = 0; i < 7; i++)
		if (i != 4 && !is_digit(m[i]))
			return 0;
	int mon = (m[5] - '0') * 10 + (m[6] - '0');
	return mon >= 1 && mon <= 12;
}

static int hash_valid(const char *h)
{
	for (int i = 0; i < LEDGER_HASH_HEX_LEN; i++)
		if (!is_digit(h[i]) && !(h[i] >= 'a' && h[i] <= 'f'))
			return 0;
	return h[LEDGER_HASH_HEX_LEN] == '\0';
}

int ledger_entry_check(const struct ledger_entry *e, char *why, size_t whylen)
{
	if (whylen)
		why[0] = '\0';
	if (e->seq < 1) {
		snprintf(why, whylen, "entry seq %" PRId64 ": seq must be 1 or more", e->seq);
		return -1;
	}
	if (!ledger_kind_valid(e->kind)) {
		snprintf(why, whylen, "entry seq %" PRId64 ": \"%s\" is not a ledger entry kind",
			 e->seq, e->kind ? e->kind : "");
		return -1;
	}
	if (!e->village_id || !e->village_id[0]) {
		snprintf(why, whylen, "entry seq %" PRId64 ": the village is missing", e->seq);
		return -1;
	}
	if (!month_valid(e->month)) {
		snprintf(why, whylen, "entry seq %" PRId64 ": \"%s\" is not a month YYYY-MM",
			 e->seq, e->month ? e->month : "");
		return -1;
	}
	if (strcmp(e->kind, "correction") == 0 && (!e->memo || !e->memo[0])) {
		snprintf(why, whylen,
			 "entry seq %" PRId64
			 ": a correction must say in its memo what it corrects",
			 e->seq);
		return -1;
	}
	return 0;
}

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_netstring(struct sbuf *b, const char *s)
{
	char pre[32];
	size_t n = s ? strlen(s) : 0;
	int k = snprintf(pre, sizeof pre, "%zu:", n);
	sb_add(b, pre, (size_t)k);
	sb_add(b, s ? s : "", n);
	sb_add(b, ",", 1);
}

static void sb_int(struct sbuf *b, int64_t v)
{
	char num[32];
	snprintf(num, sizeof num, "%" PRId64, v);
	sb_netstring(b, num);
}

char *ledger_entry_serialize(const struct ledger_entry *e, size_t *len)
{
	struct sbuf b = {0};
	sb_netstring(&b, FORMAT_TAG);
	sb_int(&b, e->seq);
	sb_int(&b, e->time_unix);
	sb_netstring(&b, e->kind);
	sb_netstring(&b, e->village_id);
	sb_netstring(&b, e->station_id);
	sb_netstring(&b, e->person_id);
	sb_netstring(&b, e->month);
	sb_int(&b, e->amount_fen);
	sb_netstring(&b, e->memo);
	/* prev_hash is a fixed array; bound it in case a caller left it unterminated. */
	char prev[LEDGER_HASH_HEX_LEN + 1];
	memcpy(prev, e->prev_hash, LEDGER_HASH_HEX_LEN);
	prev[LEDGER_HASH_HEX_LEN] = '\0';
	sb_netstring(&b, prev);
	*len = b.len;
	return b.p;
}

int ledger_sha256_hex(const void *data, size_t len, char out[LEDGER_HASH_HEX_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int rc = -1;
	out[0] = '\0';
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		goto fail;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, data, len) != 1 || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 ||
	    mdlen * 2 != LEDGER_HASH_HEX_LEN)
		goto fail;
	for (unsigned int i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[LEDGER_HASH_HEX_LEN] = '\0';
	rc = 0;
fail:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* Computes the hex hash of e as it stands (with its prev_hash) into out. Returns 0 or -1. */
static int digest(const struct ledger_entry *e, char out[LEDGER_HASH_HEX_LEN + 1])
{
	size_t len;
	char *ser = ledger_entry_serialize(e, &len);
	int rc = ledger_sha256_hex(ser, len, out);
	free(ser);
	return rc;
}

int ledger_entry_seal(struct ledger_entry *e, const char *prev_hash)
{
	char why[256];
	e->hash[0] = '\0';
	if (!prev_hash || !hash_valid(prev_hash) || ledger_entry_check(e, why, sizeof why) < 0)
		return -1;
	memcpy(e->prev_hash, prev_hash, LEDGER_HASH_HEX_LEN + 1);
	return digest(e, e->hash);
}

/* Returns 1 when e's stored hash is well formed and matches its contents. */
static int hash_matches(const struct ledger_entry *e)
{
	char h[LEDGER_HASH_HEX_LEN + 1];
	if (memchr(e->hash, '\0', sizeof e->hash) == NULL || !hash_valid(e->hash))
		return 0;
	if (memchr(e->prev_hash, '\0', sizeof e->prev_hash) == NULL || !hash_valid(e->prev_hash))
		return 0;
	return digest(e, h) == 0 && strcmp(h, e->hash) == 0;
}

long ledger_verify(const struct ledger_entry *entries, size_t n, char *why, size_t whylen)
{
	if (whylen)
		why[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct ledger_entry *e = &entries[i];
		int64_t want = i == 0 ? 1 : entries[i - 1].seq + 1;
		if (!hash_matches(e)) {
			snprintf(why, whylen,
				 "entry seq %" PRId64 " was altered: its hash does not match its "
				 "contents",
				 e->seq);
			return (long)i;
		}
		if (e->seq != want) {
			/* A seq that jumps ahead means entries were removed, unless the missing
			 * one turns up later, which means the order was changed. */
			size_t later = n;
			for (size_t j = i + 1; j < n && later == n; j++)
				if (entries[j].seq == want)
					later = j;
			if (i == 0 && e->seq > 1 && later == n)
				snprintf(why, whylen,
					 "the chain starts at entry seq %" PRId64
					 ": the entries before it were deleted",
					 e->seq);
			else if (e->seq == want + 1 && later == n)
				snprintf(why, whylen,
					 "entry seq %" PRId64 " follows seq %" PRId64
					 ": entry seq %" PRId64 " was deleted",
					 e->seq, want - 1, want);
			else if (e->seq > want && later == n)
				snprintf(why, whylen,
					 "entry seq %" PRId64 " follows seq %" PRId64
					 ": entries seq %" PRId64 " to %" PRId64 " were deleted",
					 e->seq, want - 1, want, e->seq - 1);
			else
				snprintf(why, whylen,
					 "entry seq %" PRId64 " stands where seq %" PRId64
					 " belongs: the entries were reordered or duplicated",
					 e->seq, want);
			return (long)i;
		}
		const char *prev = i == 0 ? LEDGER_GENESIS_HASH : entries[i - 1].hash;
		if (strncmp(e->prev_hash, prev, LEDGER_HASH_HEX_LEN) != 0) {
			if (i == 0) {
				snprintf(why, whylen,
					 "entry seq %" PRId64
					 " does not start from the genesis hash: "
					 "the chain was cut or grafted",
					 e->seq);
				return 0;
			}
			/* This entry's own hash is right, so it is as sealed, and the hash it
			 * recorded for the one before no longer matches: that one was replaced
			 * or rewritten and resealed after this entry was appended. */
			snprintf(why, whylen,
				 "entry seq %" PRId64
				 " was replaced or rewritten: entry seq %" PRId64
				 " recorded a different hash for it",
				 entries[i - 1].seq, e->seq);
			return (long)i - 1;
		}
	}
	return -1;
}

int ledger_head_parse(const char *text, int64_t *seq, char hash[LEDGER_HASH_HEX_LEN + 1])
{
	const char *colon = text ? strchr(text, ':') : NULL;
	int64_t v = 0;
	if (!colon || colon == text || colon - text > 18)
		return -1;
	for (const char *p = text; p < colon; p++) {
		if (!is_digit(*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || strlen(colon + 1) != LEDGER_HASH_HEX_LEN || !hash_valid(colon + 1))
		return -1;
	*seq = v;
	memcpy(hash, colon + 1, LEDGER_HASH_HEX_LEN + 1);
	return 0;
}

int ledger_check_head(const struct ledger_entry *entries, size_t n, int64_t seq, const char *hash,
		      char *why, size_t whylen)
{
	const struct ledger_entry *e = NULL;
	if (whylen)
		why[0] = '\0';
	for (size_t i = 0; i < n && !e; i++)
		if (entries[i].seq == seq)
			e = &entries[i];
	if (!e) {
		snprintf(why, whylen,
			 "the kept head is entry %" PRId64 " but the ledger ends at entry %" PRId64
			 ": entries were cut off its end",
			 seq, n ? entries[n - 1].seq : 0);
		return -1;
	}
	if (strcmp(e->hash, hash) != 0) {
		snprintf(why, whylen,
			 "entry %" PRId64 " has hash %s, not the kept %s: the ledger was rewritten "
			 "up to the kept head",
			 seq, e->hash, hash);
		return -1;
	}
	return 0;
}
