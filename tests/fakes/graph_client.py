"""FakeGraph: starts tests/fakes/graph.py (a fake WhatsApp Cloud API) and talks
to its control API. Standard library only.

    import os, sys
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fakes"))
    from graph_client import FakeGraph

    with FakeGraph(token="tok") as g:
        # configure aduan: ADUAN_WA_GRAPH_URL=g.base_url, ADUAN_WA_ACCESS_TOKEN=g.token
        ...
        sent = g.wait_messages(to="6281234567890")
        g.fail_131047(to="6281234567890")

See graph.py's docstring for the wire formats (records, rules).
"""

import atexit
import base64
import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import weakref

HOST = "127.0.0.1"
GRAPH_PY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "graph.py")
DEFAULT_PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable

MESSAGES_PATH = r"^/v\d+\.\d+/[^/]+/messages$"
MEDIA_UPLOAD_PATH = r"^/v\d+\.\d+/[^/]+/media$"

DETAILS_131047 = ("Message failed to send because more than 24 hours have passed since the "
                  "customer last replied to this number.")
DETAILS_131056 = ("Message failed to send because there were too many messages sent from this "
                  "phone number to the same phone number in a short period of time.")

_live = weakref.WeakSet()


@atexit.register
def _kill_leftovers():
    for g in list(_live):
        try:
            g._kill()
        except Exception:  # noqa: BLE001
            pass


def graph_error(code, message, details=None, subcode=None, type_="OAuthException"):
    """A Graph error envelope (the fake adds fbtrace_id)."""
    e = {"message": message, "type": type_, "code": code}
    if details is not None:
        e["error_data"] = {"messaging_product": "whatsapp", "details": details}
    if subcode is not None:
        e["error_subcode"] = subcode
    return {"error": e}


class FakeGraphError(AssertionError):
    pass


class FakeGraph:
    """One fake Graph API process on a free loopback port.

    token: when set, every Graph call must carry `Authorization: Bearer token`.
    """

    def __init__(self, token=None, python=None, startup_timeout=10, verbose=False):
        self.token = token
        self.port = None
        self.proc = None
        self.returncode = None
        self._stderr = tempfile.TemporaryFile()
        cmd = [python or DEFAULT_PYTHON, GRAPH_PY, "--port", "0"]
        if token is not None:
            cmd += ["--token", token]
        if verbose:
            cmd.append("--verbose")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._stderr, start_new_session=True)
        _live.add(self)
        try:
            self.port = self._read_port(startup_timeout)
        except Exception:
            self._kill()
            raise

    def _read_port(self, timeout):
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        buf = b""
        try:
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise FakeGraphError("fake graph did not print PORT= within %ss: %s"
                                         % (timeout, self.stderr_text()))
                chunk = os.read(self.proc.stdout.fileno(), 256)
                if not chunk:
                    raise FakeGraphError("fake graph exited (rc=%s) before PORT=: %s"
                                         % (self.proc.wait(), self.stderr_text()))
                buf += chunk
        finally:
            sel.close()
        line = buf.split(b"\n", 1)[0].decode("ascii", "replace").strip()
        if not line.startswith("PORT="):
            raise FakeGraphError("unexpected first line from fake graph: %r" % line)
        return int(line[5:])

    # ---- addresses ----
    @property
    def url(self):
        """http://127.0.0.1:PORT"""
        return "http://%s:%d" % (HOST, self.port)

    @property
    def base_url(self):
        """What aduan's whatsapp.graph_url should be: http://127.0.0.1:PORT/v21.0"""
        return self.url + "/v21.0"

    # ---- raw HTTP ----
    def http(self, method, path, body=None, headers=None, timeout=10):
        """One request to the fake; returns (status, headers, body bytes)."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.headers, r.read()
        finally:
            conn.close()

    def _control(self, method, path, obj=None):
        body = None if obj is None else json.dumps(obj).encode("utf-8")
        hdrs = {"Content-Type": "application/json"} if body is not None else {}
        status, _, data = self.http(method, "/_control/" + path, body, hdrs)
        out = json.loads(data.decode("utf-8")) if data else None
        if status != 200:
            raise FakeGraphError("fake graph control %s %s -> %s %r" % (method, path, status, out))
        return out

    # ---- recordings ----
    def requests(self, since=0, kind=None):
        """Every recorded Graph request with seq > since (optionally of one kind:
        messages, mark_read, media_upload, media_get, media_delete,
        media_download, unknown)."""
        reqs = self._control("GET", "requests?since=%d" % since)["requests"]
        return [r for r in reqs if kind is None or r["kind"] == kind]

    def last_seq(self):
        """The seq of the newest record (0 when none): pass as since= later."""
        reqs = self.requests()
        return reqs[-1]["seq"] if reqs else 0

    @staticmethod
    def _message_matches(r, to, type, status):
        if r["kind"] != "messages":
            return False
        b = r["json"] if isinstance(r["json"], dict) else {}
        if to is not None and _digits(b.get("to")) != _digits(to):
            return False
        if type is not None and b.get("type", "text") != type:
            return False
        if status is not None and r["status"] != status:
            return False
        return True

    def message_requests(self, to=None, type=None, status=None, since=0):
        """The records of POST .../messages sends (not mark-as-read), filtered by
        recipient (digits compared), message type and answer status."""
        return [r for r in self.requests(since)
                if self._message_matches(r, to, type, status)]

    def messages(self, to=None, type=None, status=None, since=0):
        """The JSON bodies of POST .../messages sends (every attempt, including
        the ones answered with an error unless status= is given; mark-as-read
        calls are left out: see reads())."""
        return [r["json"] for r in self.message_requests(to, type, status, since)]

    def reads(self, since=0):
        """The message_ids of mark-as-read calls."""
        return [r["json"].get("message_id") for r in self.requests(since, kind="mark_read")
                if isinstance(r["json"], dict)]

    def uploads(self, since=0):
        """The multipart info of media uploads: {"fields", "file": {...}} each."""
        return [r["multipart"] for r in self.requests(since, kind="media_upload")]

    def wait_for(self, predicate, timeout=5.0, since=0, count=1, interval=0.02):
        """Polls until at least `count` records with seq > since satisfy
        predicate(record); returns them all. Raises FakeGraphError (an
        AssertionError) with what was recorded on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            reqs = self.requests(since)
            hits = [r for r in reqs if predicate(r)]
            if len(hits) >= count:
                return hits
            if time.monotonic() >= deadline:
                raise FakeGraphError("timed out after %ss waiting for %d matching request(s); "
                                     "got %d; recorded: %s" % (timeout, count, len(hits),
                                                               _summary(reqs)))
            time.sleep(interval)

    def wait_messages(self, to=None, type=None, status=None, count=1, timeout=5.0, since=0):
        """wait_for() on message sends; returns their JSON bodies."""
        hits = self.wait_for(lambda r: self._message_matches(r, to, type, status),
                             timeout=timeout, since=since, count=count)
        return [r["json"] for r in hits]

    # ---- failure rules ----
    def fail(self, method=None, path_regex=None, to=None, kind=None, msg_type=None, times=1,
             status=None, body=None, delay=None, close=False, reset=False, content_type=None):
        """Queues a failure rule; returns its id. See graph.py for the semantics.
        times: N, or -1 = forever. body: dict -> JSON, str -> raw text."""
        match = {k: v for k, v in (("method", method), ("path_regex", path_regex), ("to", to),
                                   ("kind", kind), ("msg_type", msg_type)) if v is not None}
        rule = {"match": match, "times": times}
        for k, v in (("status", status), ("body", body), ("delay", delay),
                     ("content_type", content_type)):
            if v is not None:
                rule[k] = v
        if close:
            rule["close"] = True
        if reset:
            rule["reset"] = True
        return self._control("POST", "fail", rule)["id"]

    def _fail_send(self, kw, **rule):
        """Defaults for the named helpers: message sends (POST .../messages, not
        mark-as-read: pass kind=None to include those, or path_regex=/method=
        to aim elsewhere, e.g. path_regex="^/_media/")."""
        kw.setdefault("method", "POST")
        kw.setdefault("path_regex", MESSAGES_PATH)
        kw.setdefault("kind", "messages" if kw["path_regex"] == MESSAGES_PATH else None)
        for k, v in rule.items():
            kw.setdefault(k, v)
        return self.fail(**kw)

    def fail_500(self, plain=False, **kw):
        """HTTP 500: Graph error 131000 "Something went wrong", or (plain=True)
        a text/html 500 page without the envelope."""
        if plain:
            return self._fail_send(kw, status=500, content_type="text/html; charset=utf-8",
                                   body="<html><body><h1>500 Internal Server Error</h1>"
                                        "</body></html>")
        return self._fail_send(kw, status=500, body=graph_error(
            131000, "(#131000) Something went wrong", details="Something went wrong"))

    def fail_429(self, **kw):
        """HTTP 429, code 130429 (Cloud API throughput reached)."""
        return self._fail_send(kw, status=429, body=graph_error(
            130429, "(#130429) Rate limit hit",
            details="Cloud API message throughput has been reached."))

    def fail_131056(self, **kw):
        """HTTP 400, code 131056 (pair rate limit)."""
        return self._fail_send(kw, status=400, body=graph_error(
            131056, "(#131056) (Business Account, Consumer Account) pair rate limit hit",
            details=DETAILS_131056))

    def fail_131047(self, **kw):
        """HTTP 400, code 131047 (re-engagement: the 24 h window is closed)."""
        return self._fail_send(kw, status=400, body=graph_error(
            131047, "(#131047) Re-engagement message", details=DETAILS_131047,
            subcode=2494047))

    def fail_token(self, **kw):
        """HTTP 401, code 190 subcode 463 (expired access token). Matches every
        Graph call unless narrowed (method/path_regex/...)."""
        kw.setdefault("method", None)
        kw.setdefault("path_regex", None)
        kw.setdefault("kind", None)
        return self._fail_send(kw, status=401, body=graph_error(
            190, "Error validating access token: Session has expired on Friday, "
                 "01-Jan-2027 00:00:00 PST. The current time is Saturday, 02-Jan-2027 "
                 "00:00:00 PST.", subcode=463))

    def fail_timeout(self, seconds=30.0, **kw):
        """Answers only after `seconds` (longer than the client's timeout). With
        no status= the request is then processed normally (as when Meta got
        the message but the answer was lost)."""
        return self._fail_send(kw, delay=seconds)

    def fail_close(self, **kw):
        """Closes the connection without an answer (reset=True: with a TCP RST)."""
        return self._fail_send(kw, close=True)

    def rules(self):
        """The queued rules with their remaining times and hits."""
        return self._control("GET", "fail")["rules"]

    def clear_rules(self):
        self._control("DELETE", "fail")

    # ---- media ----
    def add_media(self, data, mime, media_id=None, filename=None):
        """Registers inbound media (as if a user sent it); returns (id, sha256 hex)."""
        req = {"mime_type": mime, "data_b64": base64.b64encode(data).decode("ascii")}
        if media_id is not None:
            req["id"] = media_id
        if filename is not None:
            req["filename"] = filename
        out = self._control("POST", "media", req)
        assert out["sha256"] == hashlib.sha256(data).hexdigest()
        return out["id"], out["sha256"]

    def media_info(self, media_id):
        """{"id","mime_type","sha256","file_size","filename","origin","url"}"""
        return self._control("GET", "media/%s" % media_id)

    def media_url(self, media_id):
        """The signed download URL (what GET /{ver}/{media_id} gives)."""
        return self.media_info(media_id)["url"]

    def media_bytes(self, media_id):
        """The stored bytes of a media id (uploaded by aduan or added)."""
        info = self._control("GET", "media/%s?data=1" % media_id)
        return base64.b64decode(info["data_b64"])

    def media(self):
        """Info of every media object."""
        return self._control("GET", "media")["media"]

    # ---- lifecycle ----
    def reset(self):
        """Forgets recordings, rules and media."""
        self._control("POST", "reset")

    def stderr_text(self):
        try:
            self._stderr.seek(0)
            return self._stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10):
        """SIGTERM, wait; asserts a clean exit (0, nothing on stderr)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                err = self.stderr_text()
                self._kill()
                raise FakeGraphError("fake graph did not exit within %ss of SIGTERM: %s"
                                     % (timeout, err))
        rc = self.proc.returncode
        err = self.stderr_text()
        self._close()
        assert rc == 0, "fake graph exited with %s: %s" % (rc, err)
        assert "Traceback" not in err, "fake graph errors:\n" + err

    def _kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self):
        _live.discard(self)
        if self.proc is not None:
            self.returncode = self.proc.returncode
            if self.proc.stdout:
                self.proc.stdout.close()
            self.proc = None
        if not self._stderr.closed:
            self._stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, et, ev, tb):
        if et is None:
            self.stop()
        else:
            self._kill()
        return False

    def __repr__(self):
        return "<FakeGraph %s>" % (self.url if self.port else "not started")


def _digits(s):
    return "".join(c for c in s if c.isdigit()) if isinstance(s, str) else ""


def _summary(reqs, limit=20):
    out = []
    for r in reqs[-limit:]:
        b = r.get("json")
        extra = ""
        if isinstance(b, dict):
            extra = " to=%s type=%s" % (b.get("to"), b.get("type", b.get("status")))
        out.append("#%d %s %s -> %s%s" % (r["seq"], r["method"], r["path"], r["status"], extra))
    return "[" + "; ".join(out) + "]" if out else "(nothing)"
