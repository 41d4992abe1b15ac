#!/usr/bin/env python3
"""A real HTTP server on loopback for the weather and webhook integration tests.

It serves recorded JSON files from a directory, records every request as one JSON line
(method, path, query, params, headers, body) and answers each path as a rules file says. The
rules file is read again on every request, so a test can change behaviour while running:

  {"/hook/a": {"mode": "ok", "body": "{\"errcode\":0,\"errmsg\":\"ok\"}"},
   "/hook/b": {"mode": "fail_first", "count": 1, "status": 500},
   "/hook/c": {"mode": "hang", "seconds": 60},
   "/v1/forecast": {"mode": "slow", "seconds": 10, "file": "good.json"},
   "/v1/bad": {"mode": "status", "status": 503},
   "/v1/junk": {"mode": "malformed"}}

Modes: ok (default), slow (wait, then as ok), status (that status, with "body" if given),
malformed (200 with a JSON text cut short), hang (read the request, answer nothing for
"seconds"), fail_first (the first "count" requests get "status", later ones as ok).
With "ok", a GET gets "file" (or the path under the directory); a POST gets "body" or
{"errcode":0,"errmsg":"ok"}. Python 3 standard library only.
"""
import argparse
import json
import os
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
COUNTS = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def rules(self):
        try:
            with open(self.server.rules_path, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def record(self, path, query, body):
        entry = {
            "time": time.time(),
            "method": self.command,
            "path": path,
            "query": query,
            "params": {k: v[0] for k, v in urllib.parse.parse_qs(query).items()},
            "headers": {k: v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
        }
        with LOCK:
            with open(self.server.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def reply(self, status, body, ctype="application/json; charset=utf-8"):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def serve_ok(self, path, rule):
        if self.command == "POST":
            self.reply(200, rule.get("body", '{"errcode":0,"errmsg":"ok"}'))
            return
        if "body" in rule:
            self.reply(200, rule["body"])
            return
        name = rule.get("file", path.lstrip("/"))
        full = os.path.realpath(os.path.join(self.server.root, name))
        if not full.startswith(os.path.realpath(self.server.root) + os.sep) or not os.path.isfile(full):
            self.reply(404, '{"error":true,"reason":"no such file"}')
            return
        with open(full, "rb") as f:
            self.reply(200, f.read())

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.record(url.path, url.query, body)
        rule = self.rules().get(url.path, {})
        mode = rule.get("mode", "ok")
        if mode == "slow":
            time.sleep(float(rule.get("seconds", 5)))
        elif mode == "hang":
            time.sleep(float(rule.get("seconds", 60)))
            self.close_connection = True
            return
        elif mode == "status":
            self.reply(int(rule.get("status", 500)), rule.get("body", '{"error":true,"reason":"test"}'))
            return
        elif mode == "malformed":
            self.reply(200, '{"minutely_15": {"time": [1782010800, 17820')
            return
        elif mode == "fail_first":
            with LOCK:
                seen = COUNTS.get(url.path, 0)
                COUNTS[url.path] = seen + 1
            if seen < int(rule.get("count", 1)):
                self.reply(int(rule.get("status", 500)), rule.get("fail_body", "internal error"),
                           "text/plain")
                return
        self.serve_ok(url.path, rule)

    do_GET = handle_any
    do_POST = handle_any


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True, help="directory of recorded answers")
    ap.add_argument("--log", required=True, help="JSON-lines file of the requests received")
    ap.add_argument("--rules", required=True, help="JSON file of per-path behaviour")
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.root, server.log_path, server.rules_path = args.dir, args.log, args.rules
    server.serve_forever()


if __name__ == "__main__":
    main()
