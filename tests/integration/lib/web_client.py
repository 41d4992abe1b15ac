"""Plain HTTP against pvrelief-web for web_console.sh: writes without a login, malformed
requests on raw sockets, the login rate limit and a locked database. Each mode exits 0 when
every expectation holds and prints what failed otherwise."""
import http.cookiejar
import re
import socket
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

mode, url = sys.argv[1], sys.argv[2]
host, port = urllib.parse.urlparse(url).hostname, urllib.parse.urlparse(url).port
failures = []


def expect(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


class Client:
    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def req(self, path, data=None, timeout=30):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            r = self.opener.open(url + path, body, timeout=timeout)
            return r.status, r.read().decode("utf-8", "replace"), r.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace"), e.headers

    def csrf(self, path="/login"):
        _, text, _ = self.req(path)
        m = re.search(r'name="csrf" value="([^"]+)"', text)
        return m.group(1) if m else ""

    def login(self, user, password):
        token = self.csrf()
        return self.req("/login", {"user": user, "password": password, "csrf": token})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def raw(data, timeout=5):
    """Sends bytes on a new connection; returns the status code (0 when it was closed)."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        s.sendall(data)
        got = b""
        while b"\r\n" not in got:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
        m = re.match(rb"HTTP/1\.[01] (\d{3})", got)
        return int(m.group(1)) if m else 0
    except (ConnectionResetError, BrokenPipeError, socket.timeout):
        return 0
    finally:
        s.close()


if mode == "nologin":
    c = Client()
    token = c.csrf()
    expect(token != "", "the login form carries a CSRF token")
    st, text, _ = c.req("/alerts/ack", {"id": "900", "note": "x", "csrf": token})
    expect(st == 403 and "登录" in text, f"ack without login: {st}")
    st, _, _ = c.req("/maintenance", {"station": "s1", "kind": "repair", "csrf": token})
    expect(st == 403, f"maintenance without login: {st}")
    st, _, _ = Client().req("/alerts/ack", {"id": "900", "note": "x"})
    expect(st == 403, f"ack without CSRF token: {st}")
    set_cookie = [h for h in c.req("/login")[2].get_all("Set-Cookie") or []]
    expect(all("HttpOnly" in h and "SameSite=Strict" in h for h in set_cookie if "pvw_sid" in h),
           f"session cookie flags: {set_cookie}")

elif mode == "malformed":
    c = Client()
    cases = [
        ("/?state=bogus", 400), ("/?town=nowhere", 400), ("/?sort=1;drop", 400),
        ("/alerts?from=2026-13-01", 400), ("/alerts?limit=abc", 400),
        ("/alerts?station=..%2F..%2Fetc", 400), ("/alerts?kind=nosuch", 400),
        ("/health?month=2026-1", 400), ("/health?day=2026-02-30", 400),
        ("/health?format=pdf", 400), ("/revenue?month=abcd-ef", 400),
        ("/revenue/report?village=none&month=2026-06", 400),
        ("/station/nope", 404), ("/station/..%2F..%2Fetc%2Fpasswd", 404),
        ("/station/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 404),
        ("/api/stations/nope", 404), ("/api/nothing", 404), ("/nothing", 404),
        ("/lang?to=fr", 400), ("/api/live?station=%3Cx%3E", 404),
    ]
    for path, want in cases:
        st, text, _ = c.req(path)
        expect(st == want, f"GET {path}: {st}, want {want}")
        expect("<script>alert" not in text, f"GET {path} reflects markup unescaped")
    st, _, h = c.req("/lang?to=en&back=//evil.example/")
    expect(st == 303 and h.get("Location") == "/", f"lang switch redirects only inside: {h.get('Location')}")
    expect(raw(b"GARBAGE\r\n\r\n") in (0, 400, 505), "garbage request line")
    expect(raw(b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n") == 405, "DELETE")
    expect(raw(b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n") in (0, 400), "invalid UTF-8 path")
    expect(raw(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n") in (0, 400, 413, 431),
           "100 kB header")
    big = b"a=" + b"b" * 200000
    expect(raw(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               b"Content-Length: " + str(len(big)).encode() + b"\r\n\r\n" + big) in (0, 413),
           "200 kB body")
    expect(raw(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n%zz") == 400, "bad %-escape")
    expect(raw(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n=nono") == 400, "nameless field")
    expect(raw(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n") in (0, 400), "negative length")
    expect(raw(b"POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") in (0, 400),
           "bad chunk")
    st, _, _ = c.req("/")
    expect(st == 200, f"the overview still answers: {st}")

elif mode == "ratelimit":
    c = Client()
    codes = [c.login("管理员", "wrong password")[0] for _ in range(3)]
    expect(codes == [401, 401, 401], f"wrong passwords: {codes}")
    st, text, h = c.login("管理员", "correct horse battery")
    expect(st == 429 and h.get("Retry-After"), f"the 4th attempt, even right, is refused: {st}")

elif mode == "locked":
    c = Client()
    st, _, _ = c.login("管理员", "correct horse battery")
    expect(st == 303, f"login: {st}")
    token = c.csrf("/maintenance")
    db = sqlite3.connect(__import__("os").environ["DB"], isolation_level=None, timeout=10)
    db.execute("BEGIN EXCLUSIVE")
    t0 = time.monotonic()
    st, text, _ = c.req("/maintenance", {"station": "s1", "kind": "repair", "by": "x",
                                         "note": "locked", "csrf": token}, timeout=60)
    took = time.monotonic() - t0
    db.execute("ROLLBACK")
    expect(st == 503 and "没有记录" in text, f"write under lock: {st} after {took:.1f} s")
    n = db.execute("SELECT count(*) FROM maintenance_log WHERE note = 'locked'").fetchone()[0]
    expect(n == 0, "nothing half-written")
    st, _, _ = c.req("/maintenance", {"station": "s1", "kind": "repair", "by": "x",
                                      "note": "after the lock", "csrf": token})
    expect(st == 303, f"the next write goes through: {st}")
    db.close()

sys.exit(1 if failures else 0)
