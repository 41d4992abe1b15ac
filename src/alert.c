#include "pvrelief/alert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvrelief/xalloc.h"

enum entry_state { ST_IDLE, ST_PENDING, ST_ACTIVE, ST_CLEARING };

struct entry {
	int used;
	struct alert_key key;
	enum entry_state state;
	double since; /* start of the pending or clearing period */
	uint64_t id;
	double raised_at;
};

struct alert_tracker {
	struct alert_settings set;
	uint64_t next_id;
	struct entry *tab; /* open addressing, linear probing */
	size_t cap, used, active;
	double burst[64]; /* times of the recent published raises (ring) */
	size_t burst_head, burst_len;
	unsigned suppressed;
};

static const struct {
	const char *name, *zh;
	enum alert_severity sev;
} kinds[ALERT_KIND_COUNT] = {
    [ALERT_LOW_EFFICIENCY] = {"low_efficiency", "发电效率偏低", ALERT_SEV_WARNING},
    [ALERT_PR_DROP] = {"pr_drop", "性能比骤降", ALERT_SEV_WARNING},
    [ALERT_COUNTY_AT_RISK] = {"county_target_at_risk", "全县发电参数未达标风险", ALERT_SEV_WARNING},
    [ALERT_OFFLINE] = {"offline", "设备离线", ALERT_SEV_CRITICAL},
    [ALERT_FAULT] = {"fault", "设备故障", ALERT_SEV_CRITICAL},
    [ALERT_ZERO_OUTPUT] = {"zero_output", "白天零发电", ALERT_SEV_CRITICAL},
    [ALERT_DATA_ANOMALY] = {"data_anomaly", "数据异常", ALERT_SEV_WARNING},
    [ALERT_CLEANING_DUE] = {"cleaning_due", "组件需清洗", ALERT_SEV_INFO},
    [ALERT_INSPECTION_OVERDUE] = {"inspection_overdue", "巡检逾期", ALERT_SEV_INFO},
    [ALERT_STRING_FAULT] = {"string_fault", "组串故障", ALERT_SEV_WARNING},
    [ALERT_LINK_BUDGET] = {"link_budget", "通信流量将超套餐", ALERT_SEV_WARNING},
    [ALERT_SUMMARY] = {"summary", "告警汇总", ALERT_SEV_CRITICAL},
};

const char *alert_kind_name(enum alert_kind k)
{
	return (unsigned)k < ALERT_KIND_COUNT ? kinds[k].name : "unknown";
}

const char *alert_kind_name_zh(enum alert_kind k)
{
	return (unsigned)k < ALERT_KIND_COUNT ? kinds[k].zh : "未知";
}

int alert_kind_parse(const char *name)
{
	for (int k = 0; k < ALERT_KIND_COUNT; k++)
		if (strcmp(kinds[k].name, name) == 0)
			return k;
	return -1;
}

enum alert_severity alert_kind_severity(enum alert_kind k)
{
	return (unsigned)k < ALERT_KIND_COUNT ? kinds[k].sev : ALERT_SEV_WARNING;
}

const char *alert_severity_name(enum alert_severity s)
{
	static const char *const names[] = {"info", "warning", "critical"};
	_Static_assert(sizeof names / sizeof names[0] == ALERT_SEV_CRITICAL + 1,
		       "a name for every severity");
	return (unsigned)s <= ALERT_SEV_CRITICAL ? names[s] : "warning";
}

struct alert_tracker *alert_tracker_new(const struct alert_settings *s, uint64_t first_id)
{
	struct alert_tracker *t = xcalloc(1, sizeof *t);
	t->set = *s;
	t->next_id = first_id + 1;
	t->cap = 256;
	t->tab = xcalloc(t->cap, sizeof *t->tab);
	return t;
}

void alert_tracker_free(struct alert_tracker *t)
{
	if (!t)
		return;
	free(t->tab);
	free(t);
}

static size_t hash_key(const struct alert_key *k)
{
	uint64_t h = (uint64_t)k->kind * 0x9E3779B97F4A7C15ull;
	h ^= (uint64_t)(uint32_t)k->station * 0xC2B2AE3D27D4EB4Full;
	h ^= (uint64_t)(uint32_t)k->device * 0x165667B19E3779F9ull;
	return (size_t)(h ^ (h >> 29));
}

static int key_eq(const struct alert_key *a, const struct alert_key *b)
{
	return a->kind == b->kind && a->station == b->station && a->device == b->device;
}

static struct entry *lookup(struct alert_tracker *t, const struct alert_key *k, int create)
{
	if (create && (t->used + 1) * 2 > t->cap) {
		struct entry *old = t->tab;
		size_t oldcap = t->cap;
		t->cap *= 2;
		t->tab = xcalloc(t->cap, sizeof *t->tab);
		t->used = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].used) {
				struct entry *e = lookup(t, &old[i].key, 1);
				*e = old[i];
			}
		free(old);
	}
	for (size_t i = hash_key(k) % t->cap;; i = (i + 1) % t->cap) {
		struct entry *e = &t->tab[i];
		if (e->used && key_eq(&e->key, k))
			return e;
		if (!e->used) {
			if (!create)
				return NULL;
			memset(e, 0, sizeof *e);
			e->used = 1;
			e->key = *k;
			t->used++;
			return e;
		}
	}
}

void alert_tracker_restore(struct alert_tracker *t, const struct alert_key *key, uint64_t id,
			   double raised_at)
{
	struct entry *e = lookup(t, key, 1);
	if (e->state != ST_ACTIVE && e->state != ST_CLEARING)
		t->active++;
	e->state = ST_ACTIVE;
	e->id = id;
	e->raised_at = raised_at;
	if (id >= t->next_id)
		t->next_id = id + 1;
}

/* Counts a raise against the burst cap; returns non-zero when it must be suppressed. */
static int over_burst(struct alert_tracker *t, double now)
{
	size_t ring = sizeof t->burst / sizeof t->burst[0];
	while (t->burst_len && now - t->burst[t->burst_head] >= 60.0) {
		t->burst_head = (t->burst_head + 1) % ring;
		t->burst_len--;
	}
	if ((int)t->burst_len >= t->set.burst_cap || t->burst_len == ring)
		return 1;
	t->burst[(t->burst_head + t->burst_len) % ring] = now;
	t->burst_len++;
	return 0;
}

static int emit(struct alert_tracker *t, struct entry *e, enum alert_event_type type,
		const struct alert_obs *obs, double now, struct alert_event *out, size_t cap)
{
	if (cap == 0)
		return 0;
	memset(out, 0, sizeof *out);
	out->type = type;
	out->key = e->key;
	out->id = e->id;
	out->at = now;
	out->raised_at = e->raised_at;
	out->value = obs->value;
	out->threshold = obs->threshold;
	if (obs->detail)
		snprintf(out->detail, sizeof out->detail, "%s", obs->detail);
	if (type == ALERT_EV_RAISED && e->key.kind != ALERT_SUMMARY && over_burst(t, now)) {
		out->suppressed = 1;
		t->suppressed++;
	}
	return 1;
}

int alert_observe(struct alert_tracker *t, const struct alert_obs *obs, double now,
		  struct alert_event *out, size_t cap)
{
	int holds, clear_ok;
	if (obs->verdict == ALERT_UNKNOWN)
		return 0;
	if (obs->thresholded) {
		double h = t->set.hysteresis * obs->threshold;
		holds =
		    obs->alert_below ? obs->value < obs->threshold : obs->value > obs->threshold;
		clear_ok = obs->alert_below ? obs->value >= obs->threshold + h
					    : obs->value <= obs->threshold - h;
	} else {
		holds = obs->verdict == ALERT_HOLDS;
		clear_ok = obs->verdict == ALERT_CLEAR;
	}
	struct entry *e = lookup(t, &obs->key, holds);
	if (!e)
		return 0;
	switch (e->state) {
	case ST_IDLE:
		if (!holds)
			return 0;
		e->state = ST_PENDING;
		e->since = now;
		if (t->set.raise_delay_s > 0)
			return 0;
		/* no delay configured */
		__attribute__((fallthrough));
	case ST_PENDING:
		if (!holds) {
			e->state = ST_IDLE;
			return 0;
		}
		/* Raised only when it still holds once the delay has passed: the recheck. */
		if (now - e->since < t->set.raise_delay_s)
			return 0;
		e->state = ST_ACTIVE;
		e->id = t->next_id++;
		e->raised_at = now;
		t->active++;
		return emit(t, e, ALERT_EV_RAISED, obs, now, out, cap);
	case ST_ACTIVE:
		if (!clear_ok)
			return 0;
		e->state = ST_CLEARING;
		e->since = now;
		if (t->set.clear_delay_s > 0)
			return 0;
		__attribute__((fallthrough));
	case ST_CLEARING:
		if (!clear_ok) {
			e->state = ST_ACTIVE;
			return 0;
		}
		if (now - e->since < t->set.clear_delay_s)
			return 0;
		e->state = ST_IDLE;
		t->active--;
		return emit(t, e, ALERT_EV_CLEARED, obs, now, out, cap);
	}
	return 0;
}

int alert_take_summary(struct alert_tracker *t, double now, struct alert_event *summary)
{
	if (!t->suppressed)
		return 0;
	memset(summary, 0, sizeof *summary);
	summary->type = ALERT_EV_RAISED;
	summary->key = (struct alert_key){ALERT_SUMMARY, -1, -1};
	summary->id = t->next_id++;
	summary->at = summary->raised_at = now;
	summary->value = t->suppressed;
	snprintf(summary->detail, sizeof summary->detail,
		 "%u more alerts were raised within a minute; see the alert list", t->suppressed);
	t->suppressed = 0;
	return 1;
}

size_t alert_active_count(const struct alert_tracker *t)
{
	return t->active;
}
