/* Webhook message formats and signatures. Signatures are checked against the openssl command
 * line tool, computed independently of the code under test. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pvrelief/webhook.h"

#define T_EVENT 1782021600 /* 2026-06-21 06:00:00 UTC, 14:00 in the county */
#define UTC8 (8 * 3600)

static struct webhook_event sample(int cleared)
{
	struct webhook_event ev = {.id = 42, .severity = WEBHOOK_WARNING, .cleared = cleared};
	snprintf(ev.kind, sizeof ev.kind, "low_efficiency");
	snprintf(ev.station_id, sizeof ev.station_id, "tjh-01");
	snprintf(ev.station_name, sizeof ev.station_name, "谭家河村光伏帮扶电站");
	snprintf(ev.village_name, sizeof ev.village_name, "谭家河村");
	snprintf(ev.device_id, sizeof ev.device_id, "inv2");
	snprintf(ev.title, sizeof ev.title, "η=0.48（目标0.60），连续3个有效日偏低");
	snprintf(ev.detail, sizeof ev.detail, "请安排看管员清洗组件并检查组串。");
	snprintf(ev.figures[0].name, sizeof ev.figures[0].name, "η");
	ev.figures[0].value = 0.48;
	snprintf(ev.figures[1].name, sizeof ev.figures[1].name, "目标");
	ev.figures[1].value = 0.6;
	snprintf(ev.figures[2].name, sizeof ev.figures[2].name, "E_act");
	snprintf(ev.figures[2].unit, sizeof ev.figures[2].unit, "kWh");
	ev.figures[2].value = 1234.4;
	snprintf(ev.figures[3].name, sizeof ev.figures[3].name, "离线");
	snprintf(ev.figures[3].unit, sizeof ev.figures[3].unit, "min");
	ev.figures[3].value = 45;
	snprintf(ev.figures[4].name, sizeof ev.figures[4].name, "H");
	snprintf(ev.figures[4].unit, sizeof ev.figures[4].unit, "kWh/m²");
	ev.figures[4].value = 5.126;
	ev.n_figures = 5;
	ev.time_unix = T_EVENT;
	return ev;
}

/* Runs a shell command and returns its first output line (newline removed). */
static void run(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");
	out[0] = '\0';
	if (!p)
		return;
	if (!fgets(out, (int)len, p))
		out[0] = '\0';
	pclose(p);
	out[strcspn(out, "\n")] = '\0';
}

static void hex(const char *s, char *out)
{
	for (; *s; s++, out += 2)
		sprintf(out, "%02x", (unsigned char)*s);
	*out = '\0';
}

/* base64(HMAC-SHA256(key, contents of file)) by the openssl tool. */
static void openssl_hmac(const char *key, const char *msg, char *out, size_t len)
{
	char path[] = "/tmp/pvrelief-hmac-XXXXXX", hexkey[512], cmd[1024];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	fputs(msg, f);
	fclose(f);
	hex(key, hexkey);
	snprintf(cmd, sizeof cmd,
		 "openssl dgst -sha256 -mac HMAC -macopt hexkey:%s -binary %s | openssl base64 -A",
		 hexkey, path);
	run(cmd, out, len);
	remove(path);
}

static void test_text(void)
{
	struct webhook_event ev = sample(0);
	char *zh = webhook_format_text(&ev, "zh", UTC8, 0);
	CHECK(strncmp(zh, "【告警】谭家河村光伏帮扶电站 发电效率偏低\n",
		      strlen("【告警】谭家河村光伏帮扶电站 发电效率偏低\n")) == 0);
	CHECK_CONTAINS(zh, "\nη=0.48（目标0.60），连续3个有效日偏低\n");
	CHECK_CONTAINS(zh, "数据：η=0.48，目标=0.60，E_act=1234 kWh，离线=45 min，H=5.13 kWh/m²\n");
	CHECK_CONTAINS(zh, "级别：警告\n");
	CHECK_CONTAINS(zh, "村：谭家河村\n");
	CHECK_CONTAINS(zh, "电站：tjh-01，设备 inv2\n");
	CHECK_CONTAINS(zh, "开始时间：2026-06-21 14:00:00\n");
	CHECK_CONTAINS(zh, "告警编号：42\n请安排看管员清洗组件并检查组串。");
	free(zh);

	ev = sample(1);
	char *cl = webhook_format_text(&ev, "zh", UTC8, 0);
	CHECK(strncmp(cl, "【恢复】谭家河村光伏帮扶电站", strlen("【恢复】谭家河村光伏帮扶电站")) ==
	      0);
	CHECK_CONTAINS(cl, "恢复时间：2026-06-21 14:00:00");
	free(cl);

	ev = sample(0);
	snprintf(ev.station_name, sizeof ev.station_name, "Tanjiahe village PV station");
	snprintf(ev.title, sizeof ev.title, "eta 0.48 against a target of 0.60 for 3 valid days");
	char *en = webhook_format_text(&ev, "en", 0, 0);
	CHECK(
	    strncmp(en, "[ALERT] Tanjiahe village PV station - Low generation efficiency\n",
		    strlen("[ALERT] Tanjiahe village PV station - Low generation efficiency\n")) ==
	    0);
	CHECK_CONTAINS(en,
		       "Figures: η=0.48, 目标=0.60, E_act=1234 kWh, 离线=45 min, H=5.13 kWh/m²\n");
	CHECK_CONTAINS(en, "Severity: warning\n");
	CHECK_CONTAINS(en, "Station: tjh-01, device inv2\n");
	CHECK_CONTAINS(en, "Since: 2026-06-21 06:00:00\n");
	free(en);
	ev.cleared = 1;
	en = webhook_format_text(&ev, "en", 0, 0);
	CHECK(strncmp(en, "[CLEARED] ", 10) == 0);
	CHECK_CONTAINS(en, "Cleared at: 2026-06-21 06:00:00");
	free(en);

	ev = sample(0);
	char *md = webhook_format_text(&ev, "zh", UTC8, 1);
	CHECK(strncmp(md, "### 【告警】", strlen("### 【告警】")) == 0);
	CHECK_CONTAINS(md, "\n**η=0.48（目标0.60），连续3个有效日偏低**\n");
	CHECK_CONTAINS(md, "\n- 级别：警告\n");
	CHECK_CONTAINS(md, "\n- 告警编号：42\n\n请安排看管员清洗组件并检查组串。");
	free(md);

	CHECK_STR(webhook_kind_label("offline", "zh"), "设备离线");
	CHECK_STR(webhook_kind_label("offline", "en"), "Offline");
	CHECK_STR(webhook_kind_label("something_new", "zh"), "something_new");
}

static json_t *parse(const char *s)
{
	json_t *j = json_loads(s, 0, NULL);
	CHECK(j != NULL);
	return j;
}

static const char *sget(json_t *root, const char *a, const char *b)
{
	json_t *o = json_object_get(root, a);
	if (b)
		o = json_object_get(o, b);
	return json_string_value(o);
}

static void test_bodies(void)
{
	struct webhook_event ev = sample(0);
	char *body = webhook_build_body(CONFIG_WEBHOOK_WECOM, &ev, "zh", UTC8, "", 0);
	json_t *j = parse(body);
	CHECK_STR(sget(j, "msgtype", NULL), "markdown");
	CHECK(strncmp(sget(j, "markdown", "content"),
		      "### 【告警】谭家河村光伏帮扶电站 发电效率偏低",
		      strlen("### 【告警】谭家河村光伏帮扶电站 发电效率偏低")) == 0);
	CHECK_INT(json_object_size(j), 2);
	json_decref(j);
	free(body);

	body = webhook_build_body(CONFIG_WEBHOOK_DINGTALK, &ev, "zh", UTC8, "SECxyz", 0);
	j = parse(body);
	CHECK_STR(sget(j, "msgtype", NULL), "markdown");
	CHECK_STR(sget(j, "markdown", "title"), "【告警】谭家河村光伏帮扶电站 发电效率偏低");
	CHECK_CONTAINS(sget(j, "markdown", "text"), "- 数据：η=0.48，目标=0.60");
	json_decref(j);
	free(body);

	body = webhook_build_body(CONFIG_WEBHOOK_FEISHU, &ev, "zh", UTC8, "", 1782010800123);
	j = parse(body);
	CHECK_STR(sget(j, "msg_type", NULL), "text");
	CHECK(strncmp(sget(j, "content", "text"), "【告警】谭家河村光伏帮扶电站 发电效率偏低\n",
		      strlen("【告警】谭家河村光伏帮扶电站 发电效率偏低\n")) == 0);
	CHECK(json_object_get(j, "sign") == NULL);
	CHECK(json_object_get(j, "timestamp") == NULL);
	json_decref(j);
	free(body);

	body = webhook_build_body(CONFIG_WEBHOOK_FEISHU, &ev, "zh", UTC8, "feishu-secret",
				  1782010800123);
	j = parse(body);
	char want[128];
	openssl_hmac("1782010800\nfeishu-secret", "", want, sizeof want);
	CHECK_INT(strlen(want), 44);
	CHECK_STR(sget(j, "timestamp", NULL), "1782010800");
	CHECK_STR(sget(j, "sign", NULL), want);
	json_decref(j);
	free(body);

	ev.figures[1].value = NAN;
	body = webhook_build_body(CONFIG_WEBHOOK_JSON, &ev, "zh", UTC8, "", 0);
	j = parse(body);
	CHECK_INT(json_integer_value(json_object_get(j, "id")), 42);
	CHECK_STR(sget(j, "kind", NULL), "low_efficiency");
	CHECK_STR(sget(j, "kind_label", NULL), "发电效率偏低");
	CHECK_STR(sget(j, "severity", NULL), "warning");
	CHECK_STR(sget(j, "state", NULL), "raised");
	CHECK_STR(sget(j, "station_id", NULL), "tjh-01");
	CHECK_STR(sget(j, "station_name", NULL), "谭家河村光伏帮扶电站");
	CHECK_STR(sget(j, "village_name", NULL), "谭家河村");
	CHECK_STR(sget(j, "device_id", NULL), "inv2");
	CHECK_INT(json_integer_value(json_object_get(j, "time")), T_EVENT);
	CHECK_STR(sget(j, "time_local", NULL), "2026-06-21T14:00:00+08:00");
	json_t *figs = json_object_get(j, "figures");
	CHECK_INT(json_array_size(figs), 5);
	CHECK_STR(json_string_value(json_object_get(json_array_get(figs, 0), "name")), "η");
	CHECK_NEAR(json_real_value(json_object_get(json_array_get(figs, 0), "value")), 0.48, 1e-12);
	CHECK_CONTAINS(body, "\"value\":0.48,"); /* not 0.47999999999999998 */
	CHECK(json_is_null(json_object_get(json_array_get(figs, 1), "value")));
	CHECK_STR(json_string_value(json_object_get(json_array_get(figs, 2), "unit")), "kWh");
	CHECK_CONTAINS(sget(j, "text", NULL), "目标=n/a");
	json_decref(j);
	free(body);

	/* A name cut in the middle of a character by the caller still gives valid JSON. */
	ev = sample(0);
	ev.device_id[0] = '\0';
	snprintf(ev.station_name, sizeof ev.station_name, "谭家\xe6\xb2");
	body = webhook_build_body(CONFIG_WEBHOOK_JSON, &ev, "zh", UTC8, "", 0);
	j = parse(body);
	CHECK_STR(sget(j, "station_name", NULL), "谭家??");
	CHECK(json_is_null(json_object_get(j, "device_id")));
	json_decref(j);
	free(body);
}

static void test_signatures(void)
{
	char got[64], want[128];
	CHECK_INT(webhook_sign_dingtalk("SEC000test", 1782010800123, got, sizeof got), 0);
	openssl_hmac("SEC000test", "1782010800123\nSEC000test", want, sizeof want);
	CHECK_INT(strlen(want), 44);
	CHECK_STR(got, want);
	CHECK_INT(webhook_sign_dingtalk("SEC000test", 1782010800123, got, 10), -1);

	CHECK_INT(webhook_sign_feishu("abc", 1599360473, got, sizeof got), 0);
	openssl_hmac("1599360473\nabc", "", want, sizeof want);
	CHECK_STR(got, want);

	/* The DingTalk URL carries the signature percent-encoded. */
	char *url = webhook_build_url(CONFIG_WEBHOOK_DINGTALK,
				      "https://oapi.dingtalk.com/robot/send?access_token=abc",
				      "SEC000test", 1782010800123);
	openssl_hmac("SEC000test", "1782010800123\nSEC000test", want, sizeof want);
	char enc[256], *o = enc;
	for (const char *p = want; *p; p++)
		o += *p == '+'	 ? sprintf(o, "%%2B")
		     : *p == '/' ? sprintf(o, "%%2F")
		     : *p == '=' ? sprintf(o, "%%3D")
				 : sprintf(o, "%c", *p);
	char expect[512];
	snprintf(
	    expect, sizeof expect,
	    "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1782010800123&sign=%s",
	    enc);
	CHECK_STR(url, expect);
	free(url);
	url = webhook_build_url(CONFIG_WEBHOOK_DINGTALK, "http://h/robot", "", 1);
	CHECK_STR(url, "http://h/robot");
	free(url);
	url = webhook_build_url(CONFIG_WEBHOOK_WECOM, "http://h/send?key=k", "s", 1);
	CHECK_STR(url, "http://h/send?key=k");
	free(url);
}

static void test_replies(void)
{
	static const struct {
		enum config_webhook_kind kind;
		long status;
		const char *body;
		int rc;
		const char *why;
	} cases[] = {
	    {CONFIG_WEBHOOK_WECOM, 200, "{\"errcode\":0,\"errmsg\":\"ok\"}", 0, ""},
	    {CONFIG_WEBHOOK_WECOM, 200, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url\"}",
	     -1, "errcode 93000: invalid webhook url"},
	    {CONFIG_WEBHOOK_WECOM, 500, "{\"errcode\":0}", -1, "HTTP status 500"},
	    {CONFIG_WEBHOOK_DINGTALK, 200, "{\"errcode\":310000,\"errmsg\":\"sign not match\"}", -1,
	     "errcode 310000: sign not match"},
	    {CONFIG_WEBHOOK_DINGTALK, 200, "<html>proxy</html>", -1, "not the robot's JSON"},
	    {CONFIG_WEBHOOK_DINGTALK, 200, "{\"ok\":true}", -1, "has no errcode"},
	    {CONFIG_WEBHOOK_FEISHU, 200, "{\"code\":0,\"msg\":\"success\",\"data\":{}}", 0, ""},
	    {CONFIG_WEBHOOK_FEISHU, 200, "{\"code\":19021,\"msg\":\"sign match fail\"}", -1,
	     "code 19021: sign match fail"},
	    {CONFIG_WEBHOOK_FEISHU, 200, "{\"StatusCode\":0,\"StatusMessage\":\"success\"}", 0, ""},
	    {CONFIG_WEBHOOK_JSON, 204, "", 0, ""},
	    {CONFIG_WEBHOOK_JSON, 404, "not found", -1, "HTTP status 404"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char why[256] = "unset";
		int rc = webhook_check_reply(cases[i].kind, cases[i].status, cases[i].body, why,
					     sizeof why);
		CHECK_INT(rc, cases[i].rc);
		if (cases[i].rc == 0)
			CHECK_STR(why, "");
		else
			CHECK_CONTAINS(why, cases[i].why);
	}
}

int main(void)
{
	test_text();
	test_bodies();
	test_signatures();
	test_replies();
	return check_summary();
}
