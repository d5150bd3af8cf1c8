#!/usr/bin/env python3
"""A minimal receiver of aduan's outbound webhooks (docs/WEBHOOKS.md).

Python 3 standard library only. It checks X-Aduan-Signature
(t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>) over the raw
body, refuses a signature older or newer than five minutes (a replayed
request), answers 200 once the delivery is taken, and skips a delivery id
it has seen already (aduan sends one delivery again after a timeout or a
"kirim ulang").

    ADUAN_WEBHOOK_SECRET=... python3 docs/webhook-receiver.py [PORT]

Penerima contoh / example receiver: answers 401 to a bad signature, 400 to
a body that is not JSON, 200 otherwise.
"""

import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE = 300  # seconds: the replay window


def verify(secret, header, body, now=None, tolerance=TOLERANCE):
    """True when header (the X-Aduan-Signature value) signs body (bytes)
    with secret (str) and its time is within tolerance of now."""
    if not header:
        return False
    parts = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        t = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - t) > tolerance:
        return False
    want = hmac.new(secret.encode(), b"%d." % t + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(want, v) for v in parts.get("v1", []))


SEEN = set()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        secret = os.environ.get("ADUAN_WEBHOOK_SECRET", "")
        if not verify(secret, self.headers.get("X-Aduan-Signature"), body):
            self.send_response(401)
            self.end_headers()
            return
        try:
            event = json.loads(body)
        except ValueError:
            self.send_response(400)
            self.end_headers()
            return
        delivery = self.headers.get("X-Aduan-Delivery")
        if delivery not in SEEN:
            SEEN.add(delivery)
            case = (event.get("data") or {}).get("case") or {}
            print("%s %s case=%s status=%s" % (delivery, event.get("type"),
                                               case.get("tracking_code"), case.get("status")),
                  flush=True)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8099
    if not os.environ.get("ADUAN_WEBHOOK_SECRET"):
        sys.exit("set ADUAN_WEBHOOK_SECRET to the subscription's secret")
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
