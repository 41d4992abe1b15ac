/* The console's languages: Chinese by default, English when the browser prefers it or the
 * user switches. Picks the language of a request and names the things pages show (station
 * states, alert kinds and severities, maintenance kinds) in it. Pure: no I/O, no globals. */
#ifndef PVRELIEF_WEB_I18N_H
#define PVRELIEF_WEB_I18N_H

enum web_lang { WEB_LANG_ZH, WEB_LANG_EN };

/* Picks the language: an explicit choice ("zh" or "en", from the switch's cookie) wins;
 * otherwise English only when Accept-Language ranks an English tag above every Chinese one;
 * otherwise (no header, other languages) Chinese. Any argument may be NULL. */
enum web_lang web_i18n_pick(const char *choice, const char *accept_language);
/* Returns the code of a language: "zh" or "en" (the HTML lang attribute uses "zh-CN"). */
const char *web_i18n_code(enum web_lang l);
/* Returns a station state ("producing", "idle", "night", "partial", "offline", "fault",
 * "unknown") in the language; unknown names are returned as they are. */
const char *web_i18n_state(enum web_lang l, const char *state);
/* Returns an alert kind ("fault", "offline", "low_efficiency", ...) in the language. */
const char *web_i18n_alert_kind(enum web_lang l, const char *kind);
/* Returns an alert severity ("critical", "warning", "info") in the language. */
const char *web_i18n_severity(enum web_lang l, const char *severity);
/* Returns an alert event ("raised", "cleared", "acknowledged") in the language. */
const char *web_i18n_alert_event(enum web_lang l, const char *event);
/* Returns a maintenance kind ("inspection", "cleaning", "repair") in the language. */
const char *web_i18n_maintenance(enum web_lang l, const char *kind);
/* Returns a plan state ("draft", "reviewed", ... "paid") in the language. */
const char *web_i18n_plan_state(enum web_lang l, const char *state);

#endif
