/* Languages of the console. Chinese names of alert kinds and plan states come from the
 * modules that define them (alert.c, plan.c), so the console says what the CLI, MQTT and the
 * reports say; this file adds the English and the console's own words. */
#include "pvrelief/web_i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pvrelief/alert.h"
#include "pvrelief/plan.h"

/* Returns the weight ("q") an Accept-Language list gives to tags starting with prefix, or -1
 * when it names none. */
static double weight(const char *header, const char *prefix)
{
	double best = -1;
	size_t pl = strlen(prefix);
	const char *p = header;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *tag = p;
		while (*p && *p != ',' && *p != ';' && *p != ' ')
			p++;
		size_t tl = (size_t)(p - tag);
		double q = 1.0;
		while (*p && *p != ',') {
			if (*p == ';') {
				const char *e = p + 1;
				while (*e == ' ')
					e++;
				if ((e[0] == 'q' || e[0] == 'Q') && e[1] == '=')
					q = strtod(e + 2, NULL);
			}
			p++;
		}
		if (tl >= pl && strncasecmp(tag, prefix, pl) == 0 && (tl == pl || tag[pl] == '-') &&
		    q > 0 && q > best)
			best = q;
	}
	return best;
}

enum web_lang web_i18n_pick(const char *choice, const char *accept_language)
{
	if (choice && strcmp(choice, "en") == 0)
		return WEB_LANG_EN;
	if (choice && strcmp(choice, "zh") == 0)
		return WEB_LANG_ZH;
	if (!accept_language)
		return WEB_LANG_ZH;
	double en = weight(accept_language, "en"), zh = weight(accept_language, "zh");
	return en > 0 && en > zh ? WEB_LANG_EN : WEB_LANG_ZH;
}

const char *web_i18n_code(enum web_lang l)
{
	return l == WEB_LANG_EN ? "en" : "zh";
}

struct pair {
	const char *key, *zh, *en;
};

static const char *lookup(const struct pair *t, enum web_lang l, const char *key)
{
	for (; t->key; t++)
		if (strcmp(t->key, key) == 0)
			return l == WEB_LANG_EN ? t->en : t->zh;
	return key;
}

const char *web_i18n_state(enum web_lang l, const char *state)
{
	static const struct pair t[] = {
	    {"producing", "发电中", "producing"}, {"idle", "在线无出力", "idle"},
	    {"night", "夜间", "night"},		  {"partial", "部分离线", "partly offline"},
	    {"offline", "离线", "offline"},	  {"fault", "故障", "fault"},
	    {"unknown", "未知", "unknown"},	  {NULL, NULL, NULL}};
	return lookup(t, l, state);
}

const char *web_i18n_alert_kind(enum web_lang l, const char *kind)
{
	static const struct pair t[] = {{"low_efficiency", NULL, "low efficiency"},
					{"pr_drop", NULL, "PR drop"},
					{"county_target_at_risk", NULL, "county target at risk"},
					{"offline", NULL, "offline"},
					{"fault", NULL, "fault"},
					{"zero_output", NULL, "no output in daylight"},
					{"data_anomaly", NULL, "data anomaly"},
					{"cleaning_due", NULL, "cleaning due"},
					{"inspection_overdue", NULL, "inspection overdue"},
					{"summary", NULL, "summary"},
					{NULL, NULL, NULL}};
	int k = alert_kind_parse(kind);
	if (l == WEB_LANG_ZH)
		return k >= 0 ? alert_kind_name_zh((enum alert_kind)k) : kind;
	return lookup(t, l, kind);
}

const char *web_i18n_severity(enum web_lang l, const char *severity)
{
	static const struct pair t[] = {{"critical", "严重", "critical"},
					{"warning", "警告", "warning"},
					{"info", "提示", "info"},
					{NULL, NULL, NULL}};
	return lookup(t, l, severity);
}

const char *web_i18n_alert_event(enum web_lang l, const char *event)
{
	static const struct pair t[] = {{"raised", "产生", "raised"},
					{"cleared", "消除", "cleared"},
					{"acknowledged", "已确认", "acknowledged"},
					{NULL, NULL, NULL}};
	return lookup(t, l, event);
}

const char *web_i18n_maintenance(enum web_lang l, const char *kind)
{
	static const struct pair t[] = {{"inspection", "巡检", "inspection"},
					{"cleaning", "清洗", "cleaning"},
					{"repair", "维修", "repair"},
					{NULL, NULL, NULL}};
	return lookup(t, l, kind);
}

const char *web_i18n_plan_state(enum web_lang l, const char *state)
{
	int s = plan_state_parse(state);
	if (s < 0)
		return l == WEB_LANG_EN ? "no plan" : "未编制";
	return l == WEB_LANG_EN ? plan_state_name((enum plan_state)s)
				: plan_state_name_zh((enum plan_state)s);
}
