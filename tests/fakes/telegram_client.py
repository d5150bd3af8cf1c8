"""FakeTelegram: starts tests/fakes/telegram.py (a fake Telegram Bot API) and
talks to its control API. Standard library only. See telegram.py's
docstring for the records and the failure rules."""

import base64
import http.client
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time

HOST = "127.0.0.1"
TELEGRAM_PY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "telegram.py")
DEFAULT_PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable


class FakeTelegram:
    def __init__(self, tokens=(), startup_timeout=10):
        self._stderr = tempfile.TemporaryFile()
        cmd = [DEFAULT_PYTHON, TELEGRAM_PY, "--port", "0"]
        for t in tokens:
            cmd += ["--token", t]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=self._stderr, start_new_session=True)
        try:
            self.port = self._read_port(startup_timeout)
        except Exception:
            self.proc.kill()
            self.proc.wait()
            raise

    def _read_port(self, timeout):
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline, buf = time.monotonic() + timeout, b""
        try:
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise AssertionError("fake telegram did not start: " + self.stderr_text())
                chunk = os.read(self.proc.stdout.fileno(), 256)
                if not chunk:
                    raise AssertionError("fake telegram exited: " + self.stderr_text())
                buf += chunk
        finally:
            sel.close()
        line = buf.split(b"\n", 1)[0].decode()
        assert line.startswith("PORT="), line
        return int(line[5:])

    @property
    def url(self):
        return "http://%s:%d" % (HOST, self.port)

    def _control(self, method, path, obj=None):
        c = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            body = json.dumps(obj).encode() if obj is not None else None
            c.request(method, path, body=body, headers={"Content-Type": "application/json"})
            r = c.getresponse()
            data = r.read()
            assert r.status == 200, (method, path, r.status, data)
            return json.loads(data)
        finally:
            c.close()

    def requests(self, since=0, method=None):
        recs = self._control("GET", "/_control/requests?since=%d" % since)["requests"]
        return [r for r in recs if method is None or r["method"] == method]

    def last_seq(self):
        recs = self.requests()
        return recs[-1]["seq"] if recs else 0

    def sent(self, chat_id=None, since=0):
        """The messages aduan sent (sendMessage, sendDocument) that were accepted."""
        return [r for r in self.requests(since)
                if r["method"] in ("sendMessage", "sendDocument") and r["status"] == 200
                and (chat_id is None or str(r["params"].get("chat_id")) == str(chat_id))]

    def wait_for(self, fn, timeout=10.0, interval=0.05):
        deadline = time.monotonic() + timeout
        while True:
            got = fn()
            if got:
                return got
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting on the fake Bot API; requests: %s"
                                     % json.dumps(self.requests()[-8:])[:3000])
            time.sleep(interval)

    def wait_sent(self, chat_id, since, count=1, timeout=10.0):
        return self.wait_for(lambda: (lambda s: s if len(s) >= count else None)(
            self.sent(chat_id, since)), timeout)

    def add_file(self, data, mime="image/jpeg"):
        return self._control("POST", "/_control/file",
                             {"data_b64": base64.b64encode(data).decode(), "mime_type": mime})

    def fail(self, **rule):
        return self._control("POST", "/_control/fail", rule)["id"]

    def stderr_text(self):
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def stop(self, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        err = self.stderr_text()
        self.proc.stdout.close()
        self._stderr.close()
        assert "Traceback" not in err, "fake telegram errors:\n" + err
