# Webhook delivery against a real HTTP server on loopback: each of the four formats arrives
# with the right body and signature, a 500 is retried and the message delivered once, a robot's
# error code counts as a failure, and a hanging endpoint does not hold back another.
. "$(dirname "$0")/lib/common.sh"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

port=$(free_port)
# Feishu answers {"code":0}; the others' default {"errcode":0} would not do for it.
echo '{"/feishu/hook/FSHOOK789": {"body": "{\"code\":0,\"msg\":\"success\",\"data\":{}}"}}' >"$WORK/rules.json"
spawn python3 "$SRC/tests/integration/lib/httpd.py" --port "$port" --dir "$WORK" \
	--log "$WORK/requests.jsonl" --rules "$WORK/rules.json"
wait_for 10 "the HTTP server on $port" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
base="http://127.0.0.1:$port"

printf 'SECdingtalk-test-secret' >"$WORK/dingtalk.secret"
printf 'feishu-test-secret' >"$WORK/feishu.secret"
chmod 600 "$WORK"/*.secret

write_conf() { # write_conf FILE WEBHOOKS
	cat >"$1" <<CONF
county = { id = "test"; utc_offset = 8; };
database = { path = "$WORK/test.db"; };
maps_dir = "$SRC/conf/maps";
towns = ( { id = "t1"; villages = ( { id = "tjh"; name = "谭家河村"; } ); } );
stations = (
  { id = "tjh-01"; name = "谭家河村光伏帮扶电站"; village = "tjh"; lat = 31.6; lon = 115.9;
    capacity_kwp = 100.0; devices = ( { id = "inv2"; host = "127.0.0.1"; port = 1; unit = 1; } ); }
);
alerts = { language = "zh"; webhooks = ( $2 ); };
CONF
	chmod 600 "$1" # robot URLs carry their keys
}
write_conf "$WORK/four.conf" "
  { name = \"wecom-ops\"; kind = \"wecom\"; url = \"$base/wecom/send?key=WECOMKEY123\"; },
  { name = \"dingtalk-ops\"; kind = \"dingtalk\"; url = \"$base/dingtalk/robot/send?access_token=DTTOKEN456\";
    secret_file = \"$WORK/dingtalk.secret\"; },
  { name = \"feishu-ops\"; kind = \"feishu\"; url = \"$base/feishu/hook/FSHOOK789\";
    secret_file = \"$WORK/feishu.secret\"; },
  { name = \"county-json\"; kind = \"json\"; url = \"$base/json/alerts\"; }"

pvrelief() { "$BIN/pvrelief" "$@"; }
alert_args=(--kind low_efficiency --severity warning --title "η=0.48（目标0.60），连续3个有效日偏低"
	--figure "η=0.48" --figure "目标=0.60" --device inv2 --id 7 --time 1782021600 --wait 20)

# 1. All four formats.
set +e
pvrelief -c "$WORK/four.conf" webhook-test "${alert_args[@]}" >"$WORK/out1" 2>"$WORK/err1"
rc=$?
set -e
check "webhook-test delivers to all four endpoints" test "$rc" -eq 0
for name in wecom-ops dingtalk-ops feishu-ops county-json; do
	check "$name reports one delivery" grep -q "^$name: delivered 1, failed attempts 0, dropped 0" "$WORK/out1"
done

# Checks the recorded requests with Python, which computes the signatures independently.
verify() {
	python3 - "$WORK/requests.jsonl" "$@" <<'PY'
import base64, hashlib, hmac, json, sys
reqs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
what = sys.argv[2]
def one(path):
    got = [r for r in reqs if r["path"] == path]
    assert len(got) == 1, f"{len(got)} requests to {path}"
    return got[0]
head = "【告警】谭家河村光伏帮扶电站 发电效率偏低"
if what == "wecom":
    r = one("/wecom/send")
    assert r["method"] == "POST" and r["params"] == {"key": "WECOMKEY123"}, r
    assert r["headers"]["Content-Type"].startswith("application/json"), r["headers"]
    b = json.loads(r["body"])
    assert set(b) == {"msgtype", "markdown"} and b["msgtype"] == "markdown", b
    c = b["markdown"]["content"]
    assert c.startswith("### " + head + "\n**η=0.48（目标0.60），连续3个有效日偏低**\n"), c
    assert "- 数据：η=0.48，目标=0.60\n" in c and "- 开始时间：2026-06-21 14:00:00\n" in c, c
elif what == "dingtalk":
    r = one("/dingtalk/robot/send")
    p = r["params"]
    assert p["access_token"] == "DTTOKEN456", p
    secret = "SECdingtalk-test-secret"
    want = base64.b64encode(hmac.new(secret.encode(), (p["timestamp"] + "\n" + secret).encode(),
                                     hashlib.sha256).digest()).decode()
    assert p["sign"] == want, (p["sign"], want)
    assert len(p["timestamp"]) == 13, p["timestamp"]  # milliseconds
    assert "%2B" in r["query"] or "+" not in want, r["query"]  # sent percent-encoded
    b = json.loads(r["body"])
    assert b["msgtype"] == "markdown" and b["markdown"]["title"] == head, b
    assert b["markdown"]["text"].startswith("### " + head), b
elif what == "feishu":
    r = one("/feishu/hook/FSHOOK789")
    b = json.loads(r["body"])
    key = (b["timestamp"] + "\n" + "feishu-test-secret").encode()
    want = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert b["sign"] == want, (b["sign"], want)
    assert len(b["timestamp"]) == 10, b["timestamp"]  # seconds
    assert b["msg_type"] == "text" and b["content"]["text"].startswith(head + "\n"), b
elif what == "json":
    r = one("/json/alerts")
    b = json.loads(r["body"])
    assert b["id"] == 7 and b["kind"] == "low_efficiency" and b["state"] == "raised", b
    assert b["station_id"] == "tjh-01" and b["village_name"] == "谭家河村", b
    assert b["device_id"] == "inv2" and b["severity"] == "warning", b
    assert b["time"] == 1782021600 and b["time_local"] == "2026-06-21T14:00:00+08:00", b
    assert [f["name"] for f in b["figures"]] == ["η", "目标"], b
elif what == "count":
    n = len([r for r in reqs if r["path"] == sys.argv[3]])
    assert n == int(sys.argv[4]), f"{n} requests to {sys.argv[3]}, want {sys.argv[4]}"
PY
}
check "WeCom gets markdown with the Chinese alert" verify wecom
check "DingTalk gets markdown with timestamp and a correct sign in the URL" verify dingtalk
check "Feishu gets text with timestamp and a correct sign in the body" verify feishu
check "the JSON endpoint gets the whole event" verify json
check "no key or secret appears in the log" bash -c "! grep -qE 'WECOMKEY|DTTOKEN|FSHOOK|test-secret' '$WORK/err1' '$WORK/out1'"

# 2. A 500 then success: retried and delivered exactly once.
: >"$WORK/requests.jsonl"
echo '{"/wecom/send": {"mode": "fail_first", "count": 1, "status": 500}}' >"$WORK/rules.json"
set +e
pvrelief -c "$WORK/four.conf" webhook-test -w wecom-ops --backoff 0.2 --wait 20 >"$WORK/out2" 2>"$WORK/err2"
rc=$?
set -e
check "after a 500 the message is delivered" test "$rc" -eq 0
check "... once, after one failed attempt" grep -q "^wecom-ops: delivered 1, failed attempts 1, dropped 0" "$WORK/out2"
check "... with two requests in all" verify count /wecom/send 2
check "the failure is logged by the webhook's name and host" \
	grep -q "webhook wecom-ops (wecom http://127.0.0.1:$port): alert 1 attempt 1 failed: HTTP status 500; trying again" "$WORK/err2"
check "... without the key" bash -c "! grep -q WECOMKEY '$WORK/err2'"

# 3. A robot's error code in a 200 answer is a failure, and attempts are bounded.
echo '{"/feishu/hook/FSHOOK789": {"mode": "ok", "body": "{\"code\":19021,\"msg\":\"sign match fail or timestamp is not within one hour from current time\"}"}}' >"$WORK/rules.json"
set +e
pvrelief -c "$WORK/four.conf" webhook-test -w feishu-ops --attempts 2 --backoff 0.2 --wait 20 >"$WORK/out3" 2>"$WORK/err3"
rc=$?
set -e
check "a Feishu code 19021 is not taken for delivery" test "$rc" -eq 1
check "... it is tried twice and dropped" grep -q "^feishu-ops: delivered 0, failed attempts 2, dropped 1" "$WORK/out3"
check "... and the robot's message is logged" grep -q "code 19021: sign match fail" "$WORK/err3"
check "... as is the drop" grep -q "feishu-ops (feishu http://127.0.0.1:$port): alert 1 (test, station tjh-01) dropped after 2 failed attempts" "$WORK/err3"

# 4. A hanging endpoint does not delay another, and shutdown does not wait for it.
: >"$WORK/requests.jsonl"
echo '{"/stuck/hook": {"mode": "hang", "seconds": 120}}' >"$WORK/rules.json"
write_conf "$WORK/two.conf" "
  { name = \"stuck\"; kind = \"json\"; url = \"$base/stuck/hook\"; timeout_ms = 60000; },
  { name = \"good\"; kind = \"json\"; url = \"$base/json/alerts\"; }"
spawn "$BIN/pvrelief" -c "$WORK/two.conf" webhook-test --id 99 --wait 8 >"$WORK/out4" 2>"$WORK/err4"
cli=$LAST_PID
wait_for 10 "the good endpoint's request" verify count /json/alerts 1
check "the good endpoint got its message while the stuck one still hangs" kill -0 "$cli"
check "the stuck endpoint was asked too" verify count /stuck/hook 1
# The stuck request would run for 60 s; stopping cancels it, so the tool ends well before.
wait_for 30 "webhook-test to stop" bash -c "! kill -0 $cli"
set +e
wait "$cli"
rc=$?
set -e
check "webhook-test reports the stuck endpoint as failed" test "$rc" -eq 1
check "good: delivered" grep -q "^good: delivered 1, failed attempts 0, dropped 0, waiting 0" "$WORK/out4"
check "stuck: still waiting at the end" grep -q "^stuck: delivered 0, failed attempts 0, dropped 0, waiting 1" "$WORK/out4"
check "the undelivered message is logged as dropped at shutdown" \
	grep -q "webhook stuck: 1 undelivered alert(s) dropped at shutdown" "$WORK/err4"
finish
