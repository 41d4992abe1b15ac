/* Languages of the console: Chinese unless the browser clearly prefers English or the user
 * switched; names of states, alert kinds and plan states in both. */
#include <string.h>

#include "check.h"
#include "pvrelief/web_i18n.h"

int main(void)
{
	static const struct {
		const char *choice, *accept;
		enum web_lang want;
	} t[] = {
	    {NULL, NULL, WEB_LANG_ZH},
	    {NULL, "", WEB_LANG_ZH},
	    {NULL, "zh-CN,zh;q=0.9,en;q=0.8", WEB_LANG_ZH},
	    {NULL, "en-US,en;q=0.9", WEB_LANG_EN},
	    {NULL, "en-US,en;q=0.9,zh-CN;q=0.95", WEB_LANG_EN},
	    {NULL, "en-US;q=0.5,zh-CN;q=0.95", WEB_LANG_ZH},
	    {NULL, "zh-TW;q=0.5, en-GB;q=0.7", WEB_LANG_EN},
	    {NULL, "fr-FR,de;q=0.8", WEB_LANG_ZH},
	    {NULL, "en;q=0", WEB_LANG_ZH},
	    {NULL, "english", WEB_LANG_ZH},
	    {NULL, "EN", WEB_LANG_EN},
	    {"zh", "en-US", WEB_LANG_ZH},
	    {"en", "zh-CN", WEB_LANG_EN},
	    {"fr", "en", WEB_LANG_EN},
	    {"fr", NULL, WEB_LANG_ZH},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		CHECK_INT(web_i18n_pick(t[i].choice, t[i].accept), t[i].want);
	CHECK_STR(web_i18n_state(WEB_LANG_ZH, "fault"), "故障");
	CHECK_STR(web_i18n_state(WEB_LANG_EN, "partial"), "partly offline");
	CHECK_STR(web_i18n_state(WEB_LANG_ZH, "odd"), "odd");
	CHECK_STR(web_i18n_alert_kind(WEB_LANG_ZH, "fault"), "设备故障");
	CHECK_STR(web_i18n_alert_kind(WEB_LANG_EN, "low_efficiency"), "low efficiency");
	CHECK_STR(web_i18n_severity(WEB_LANG_ZH, "critical"), "严重");
	CHECK_STR(web_i18n_maintenance(WEB_LANG_ZH, "cleaning"), "清洗");
	CHECK_STR(web_i18n_plan_state(WEB_LANG_ZH, "paid"), "已发放");
	CHECK_STR(web_i18n_alert_event(WEB_LANG_ZH, "cleared"), "消除");
	CHECK_STR(web_i18n_alert_event(WEB_LANG_EN, "raised"), "raised");
	CHECK_STR(web_i18n_alert_event(WEB_LANG_ZH, "<b>"), "<b>");
	CHECK_STR(web_i18n_plan_state(WEB_LANG_EN, ""), "no plan");
	/* Every state and kind the pages use has both languages. */
	static const char *const states[] = {"producing", "idle",  "night",  "partial",
					     "offline",	  "fault", "unknown"};
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
		CHECK(strcmp(web_i18n_state(WEB_LANG_ZH, states[i]), states[i]) != 0);
		CHECK(strcmp(web_i18n_state(WEB_LANG_EN, states[i]), "") != 0);
	}
	static const char *const kinds[] = {
	    "low_efficiency", "pr_drop",      "county_target_at_risk",
	    "offline",	      "fault",	      "zero_output",
	    "data_anomaly",   "cleaning_due", "inspection_overdue",
	    "summary"};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		CHECK(strcmp(web_i18n_alert_kind(WEB_LANG_ZH, kinds[i]), kinds[i]) != 0);
		CHECK(strchr(web_i18n_alert_kind(WEB_LANG_EN, kinds[i]), '_') == NULL);
	}
	return check_summary();
}
