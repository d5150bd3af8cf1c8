#!/usr/bin/python3
"""A fake of the Telegram Bot API for the aduan tests.

Standard library only. Run it as its own process:

    /usr/bin/python3 tests/fakes/telegram.py --port 0 [--token TOKEN ...]

It binds 127.0.0.1 (port 0 = a free port), prints one line `PORT=<n>` on
stdout, and serves until SIGTERM or SIGINT (then exits 0). Point aduan at
`http://127.0.0.1:<n>` (ADUAN_TELEGRAM_API).

Bot API (https://core.telegram.org/bots/api), a known token only (else 401
{"ok": false, "error_code": 401, "description": "Unauthorized"}):

  POST /bot{token}/setWebhook            {url, secret_token, ...} -> true
  POST /bot{token}/getWebhookInfo        {url, has_custom_certificate, pending_update_count, ...}
  POST /bot{token}/deleteWebhook         true
  POST /bot{token}/getMe                 the bot
  POST /bot{token}/sendMessage           JSON {chat_id, text, reply_markup?} -> a Message
  POST /bot{token}/sendDocument          multipart (chat_id, caption, document file) -> a Message
  POST /bot{token}/answerCallbackQuery   {callback_query_id} -> true
  POST /bot{token}/getFile               {file_id} -> {file_id, file_size, file_path}
  GET  /file/bot{token}/{file_path}      the file's bytes

Control API (no auth; JSON):

  GET  /_control/health                  {"ok": true}
  GET  /_control/requests[?since=SEQ]    {"requests": [record, ...]} with seq > SEQ
  POST /_control/file                    {"data_b64", "mime_type"?} -> {"file_id", "sha256", "size"}
  POST /_control/fail                    a failure rule {"method"?, "chat_id"?, "times": 1,
                                         "status", "body"} -> {"id"}; the first matching
                                         rule with times != 0 answers instead
  DELETE /_control/fail                  drop every rule

A record: {"seq", "time", "method" (the Bot API method, or "file"), "token_ok",
"params" (the JSON body, or a multipart's text fields), "file" (an upload:
{"field", "filename", "content_type", "sha256", "size"}), "status", "rule"}.
"""

import argparse
import base64
import email.parser
import email.policy
import hashlib
import http.server
import json
import re
import secrets
import signal
import sys
import threading
import time
import urllib.parse

HOST = "127.0.0.1"
BOT_RE = re.compile(r"^/bot([^/]+)/([A-Za-z]+)$")
FILE_RE = re.compile(r"^/file/bot([^/]+)/(.+)$")


class State:
    def __init__(self, tokens):
        self.lock = threading.Lock()
        self.tokens = set(tokens)
        self.seq = 0
        self.records = []
        self.rules = []
        self.rule_ids = 0
        self.files = {}  # file_id -> (path, bytes, mime)
        self.webhooks = {}  # token -> {url, secret_token, ...}
        self.message_ids = 0

    def record(self, rec):
        with self.lock:
            self.seq += 1
            rec["seq"] = self.seq
            rec["time"] = time.time()
            self.records.append(rec)
            return rec

    def take_rule(self, method, params):
        with self.lock:
            for r in self.rules:
                if r.get("times", 1) == 0:
                    continue
                if r.get("method") and r["method"] != method:
                    continue
                if r.get("chat_id") is not None and str(params.get("chat_id")) != str(r["chat_id"]):
                    continue
                if r.get("times", 1) > 0:
                    r["times"] = r.get("times", 1) - 1
                return r
        return None


STATE = None


def parse_multipart(ctype, body):
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body)
    fields, upload = {}, None
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        fname = part.get_filename()
        if fname is not None:
            upload = {"field": name, "filename": fname, "content_type": part.get_content_type(),
                      "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        else:
            fields[name] = data.decode("utf-8", "replace")
    return fields, upload


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _send(self, status, obj=None, raw=None, ctype="application/json"):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path == "/_control/health":
            return self._send(200, {"ok": True})
        if u.path == "/_control/requests":
            since = int(q.get("since", ["0"])[0])
            with STATE.lock:
                recs = [r for r in STATE.records if r["seq"] > since]
            return self._send(200, {"requests": recs})
        m = FILE_RE.match(u.path)
        if m:
            token, path = m.groups()
            ok = token in STATE.tokens
            found = [f for f in STATE.files.values() if f[0] == path]
            STATE.record({"method": "file", "token_ok": ok, "params": {"file_path": path},
                          "status": 200 if ok and found else 404})
            if not ok or not found:
                return self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return self._send(200, raw=found[0][1], ctype=found[0][2])
        m = BOT_RE.match(u.path)
        if m:
            return self._bot(m.group(1), m.group(2), {})
        self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    def do_DELETE(self):
        if self.path == "/_control/fail":
            with STATE.lock:
                STATE.rules = []
            return self._send(200, {"ok": True})
        self._send(404, {"ok": False})

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        body = self._body()
        if u.path == "/_control/file":
            j = json.loads(body)
            data = base64.b64decode(j["data_b64"])
            fid = "F" + secrets.token_hex(12)
            path = "photos/file_%d.jpg" % len(STATE.files)
            with STATE.lock:
                STATE.files[fid] = (path, data, j.get("mime_type", "image/jpeg"))
            return self._send(200, {"file_id": fid, "sha256": hashlib.sha256(data).hexdigest(),
                                    "size": len(data)})
        if u.path == "/_control/fail":
            j = json.loads(body)
            with STATE.lock:
                STATE.rule_ids += 1
                j["id"] = STATE.rule_ids
                j.setdefault("times", 1)
                STATE.rules.append(j)
            return self._send(200, {"id": j["id"]})
        m = BOT_RE.match(u.path)
        if not m:
            return self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        ctype = self.headers.get("Content-Type") or ""
        params, upload = {}, None
        try:
            if ctype.startswith("application/json"):
                params = json.loads(body or b"{}")
            elif ctype.startswith("multipart/form-data"):
                params, upload = parse_multipart(ctype, body)
        except ValueError:
            return self._send(400, {"ok": False, "error_code": 400,
                                    "description": "Bad Request: can't parse JSON"})
        return self._bot(m.group(1), m.group(2), params, upload)

    def _bot(self, token, method, params, upload=None):
        ok = token in STATE.tokens
        rec = {"method": method, "token_ok": ok, "params": params, "file": upload,
               "status": None, "rule": None}
        rule = STATE.take_rule(method, params)
        if rule:
            rec["status"], rec["rule"] = rule.get("status", 500), rule["id"]
            STATE.record(rec)
            return self._send(rec["status"], rule.get("body") or {
                "ok": False, "error_code": rec["status"], "description": "fake failure"})
        if not ok:
            rec["status"] = 401
            STATE.record(rec)
            return self._send(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        status, ans = self._answer(token, method, params, upload)
        rec["status"] = status
        STATE.record(rec)
        return self._send(status, ans)

    def _answer(self, token, method, p, upload):
        bad = lambda d: (400, {"ok": False, "error_code": 400, "description": "Bad Request: " + d})
        if method == "setWebhook":
            if not p.get("url"):
                return bad("bad webhook: An HTTPS URL must be provided for webhook")
            st = p.get("secret_token") or ""
            if st and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", st):
                return bad("secret token contains unallowed characters")
            STATE.webhooks[token] = dict(p)
            return 200, {"ok": True, "result": True, "description": "Webhook was set"}
        if method == "getWebhookInfo":
            w = STATE.webhooks.get(token) or {}
            return 200, {"ok": True, "result": {"url": w.get("url", ""),
                                                "has_custom_certificate": False,
                                                "pending_update_count": 0,
                                                "allowed_updates": w.get("allowed_updates", [])}}
        if method == "deleteWebhook":
            STATE.webhooks.pop(token, None)
            return 200, {"ok": True, "result": True, "description": "Webhook was deleted"}
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": int(token.split(":")[0]), "is_bot": True,
                                                "first_name": "Aduan",
                                                "username": "aduan%s_bot" % token.split(":")[0]}}
        if method == "answerCallbackQuery":
            if not p.get("callback_query_id"):
                return bad("query id is empty")
            return 200, {"ok": True, "result": True}
        if method == "getFile":
            f = STATE.files.get(p.get("file_id"))
            if not f:
                return bad("invalid file_id")
            return 200, {"ok": True, "result": {"file_id": p["file_id"], "file_size": len(f[1]),
                                                "file_path": f[0]}}
        if method in ("sendMessage", "sendDocument"):
            if not p.get("chat_id"):
                return bad("chat not found")
            if method == "sendMessage" and not p.get("text"):
                return bad("message text is empty")
            if method == "sendDocument" and not upload and not p.get("document"):
                return bad("there is no document in the request")
            markup = p.get("reply_markup")
            if isinstance(markup, str):
                try:
                    markup = json.loads(markup)
                except ValueError:
                    return bad("can't parse reply keyboard markup JSON object")
            if markup is not None:
                for row in markup.get("inline_keyboard", []):
                    for b in row:
                        if len(b.get("callback_data", "").encode()) > 64:
                            return bad("BUTTON_DATA_INVALID")
            with STATE.lock:
                STATE.message_ids += 1
                mid = STATE.message_ids
            return 200, {"ok": True, "result": {"message_id": mid, "date": int(time.time()),
                                                "chat": {"id": int(p["chat_id"]),
                                                         "type": "private"}}}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


def main():
    global STATE
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token", action="append", default=[])
    a = ap.parse_args()
    STATE = State(a.token)
    srv = http.server.ThreadingHTTPServer((HOST, a.port), Handler)
    srv.daemon_threads = True

    def stop(*_):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stdout.write("PORT=%d\n" % srv.server_address[1])
    sys.stdout.flush()
    srv.serve_forever()
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
