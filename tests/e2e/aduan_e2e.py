"""Helpers for the aduan end-to-end tests: the server process and an HTTP client.

Standard library only. Everything talks to 127.0.0.1.
"""

import http.client
import json as jsonlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse

HOST = "127.0.0.1"
DEMO_PASSWORD = "aduan-demo"

# Crockford base32 (no I, L, O, U), shown as XXXX-XXXX.
TRACKING_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer")

_MISSING = object()


def repo_root():
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


_bin_copy = None


def source_bin():
    """The binary named by $ADUAN_BIN (default build/asan/aduan)."""
    b = os.environ.get("ADUAN_BIN") or os.path.join(repo_root(), "build", "asan", "aduan")
    return os.path.abspath(b)


def aduan_bin():
    """The binary the tests run: a private copy once snapshot_binary() ran (so
    a rebuild during the run cannot swap it underneath), else $ADUAN_BIN."""
    return _bin_copy or source_bin()


def snapshot_binary(dest_dir, wait=60):
    """Copies $ADUAN_BIN into dest_dir and checks the copy runs (`version`);
    retries while the source is being rewritten by a concurrent build."""
    global _bin_copy
    src = source_bin()
    dst = os.path.join(dest_dir, "aduan")
    deadline = time.monotonic() + wait
    last = ""
    while True:
        try:
            shutil.copy2(src, dst + ".tmp")
            os.replace(dst + ".tmp", dst)
            r = subprocess.run([dst, "version"], capture_output=True, text=True, timeout=30,
                               env=base_env())
            if r.returncode == 0 and r.stdout.startswith("aduan "):
                _bin_copy = dst
                return dst
            last = "rc=%s %s" % (r.returncode, r.stderr[-500:])
        except OSError as ex:
            last = repr(ex)
        if time.monotonic() > deadline:
            raise RuntimeError("cannot snapshot %s: %s" % (src, last))
        time.sleep(1)


def sanitizer_problems(text):
    """The sanitizer markers found in a process's stderr."""
    return [m for m in SANITIZER_MARKERS if m in text]


def base_env(extra=None):
    """The environment for every aduan process: no ADUAN_* from the caller's
    shell but ADUAN_ALLOW_UNSAFE_DB=1, sanitizers set to report (and UBSan to
    stop) on any finding. extra: values to set, None to remove."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADUAN_")}
    # tests/pgtmp.sh's PostgreSQL runs with fsync=off, which `aduan serve`
    # refuses without this (test_durability.py checks the refusal).
    env["ADUAN_ALLOW_UNSAFE_DB"] = "1"
    # Two-step sign-in is required of superadmin and admin by default
    # (issue 19 §3); the tests that are not about it sign in with the
    # password alone. test_2fa.py and test_audit.py set it in SERVER_ENV.
    env["ADUAN_2FA_REQUIRED_ROLES"] = ""
    # The webhook receivers and media servers of the tests listen on
    # loopback, which the SSRF guard refuses otherwise (issue 17,
    # core/netguard.h); the tests of the refusal set it to None.
    env["ADUAN_FETCH_ALLOW_PRIVATE"] = "1"
    env["ASAN_OPTIONS"] = "detect_leaks=1"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    if extra:
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
    return env


def wait_until(fn, timeout=30, interval=0.1):
    """Calls fn until it returns something true, and returns that; fails the
    test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("condition not met within %ss" % timeout)
        time.sleep(interval)


def read_port_file(path, proc, timeout=20):
    """The port `aduan serve --port-file PATH` wrote once listening (with
    ADUAN_LISTEN=127.0.0.1:0 the system chose it); None when proc ended
    first or timeout passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path) as f:
                text = f.read()
            if text.endswith("\n"):
                return int(text)
        except OSError:
            pass
        if proc.poll() is not None:
            return None
        time.sleep(0.02)
    return None


def serve_on_port_zero(path):
    """The arguments and environment of an `aduan serve` that listens on a port
    the system picks and reports it in path (read it with read_port_file)."""
    if os.path.exists(path):
        os.unlink(path)
    return ["serve", "--port-file", path], {"ADUAN_LISTEN": "%s:0" % HOST}


class StraceRefused(Exception):
    """strace cannot trace here (ptrace not permitted): the caller skips."""


def serve_under_strace(srv, trace, strace_args=()):
    """Starts `aduan serve` of srv (port 0, reported) under `strace -f -qq -o
    trace` with strace_args; returns (strace process, aduan's pid). Raises
    StraceRefused when ptrace is not permitted, AssertionError when aduan
    does not come up."""
    port_file = os.path.join(srv.workdir, "traced.port")
    args, env = serve_on_port_zero(port_file)
    err = open(srv.stderr_path, "wb")
    p = subprocess.Popen(["strace", "-f", "-qq"] + list(strace_args) + ["-o", trace, aduan_bin()]
                         + args,
                         # LeakSanitizer cannot work under ptrace; the other tests check leaks.
                         env=srv.env(ASAN_OPTIONS="detect_leaks=0", **env), cwd=srv.workdir,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    err.close()
    deadline = time.monotonic() + 30
    srv.port = read_port_file(port_file, p, 30)
    while srv.port and time.monotonic() < deadline and p.poll() is None:
        try:
            if http_request(srv.port, "GET", "/healthz", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.1)
    else:
        if p.poll() is None:
            for line in subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True,
                                       text=True).stdout.split():
                try:
                    os.kill(int(line), signal.SIGKILL)
                except (OSError, ValueError):
                    pass
            p.kill()
            p.wait()
        text = srv.read_stderr()
        if "ptrace" in text or "Operation not permitted" in text:
            raise StraceRefused(text[-500:])
        raise AssertionError("aduan serve under strace did not start:\n%s" % text[-3000:])
    pid = None
    for _ in range(100):
        try:
            pid = int(subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True,
                                     text=True).stdout.split()[0])
            break
        except (IndexError, ValueError):
            time.sleep(0.05)
    assert pid, "no aduan process under strace"
    return p, pid


def free_port():
    """A port free now, for a process that cannot report the one it bound
    (nginx in test_deploy.py); aduan itself binds port 0 (serve_on_port_zero)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((HOST, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def server_routes():
    """(method, pattern) -> scope of every route the server has, from `aduan
    routes` (the route table of src/http/server.c)."""
    r = subprocess.run([aduan_bin(), "routes"], capture_output=True, text=True, timeout=30,
                       env=base_env())
    assert r.returncode == 0, r.stderr
    out = {}
    for line in r.stdout.splitlines():
        method, pattern, scope = line.split("\t")[:3]
        out[(method, pattern)] = scope
    assert out, r.stdout
    return out


def run_cli(args, env, cwd, input=None, timeout=60):
    """Runs the aduan binary; returns CompletedProcess (text mode)."""
    return subprocess.run([aduan_bin()] + list(args), env=env, cwd=cwd, input=input,
                          capture_output=True, text=True, timeout=timeout)


# ---- pictures -----------------------------------------------------------------


def fixture_image(name):
    """The bytes of tests/fixtures/images/NAME (real JPEG, PNG and WebP files;
    exif-gps.jpg carries EXIF with a GPS position and a comment)."""
    with open(os.path.join(repo_root(), "tests", "fixtures", "images", name), "rb") as f:
        return f.read()


def png_image(seed, width=8, height=8):
    """A real RGB PNG whose pixels depend on seed: distinct seeds, distinct
    pictures (aduan stores pictures decoded and encoded again, so fake bytes
    with an image's first bytes are refused)."""
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    h = zlib.crc32(repr(seed).encode())
    raw = b"".join(b"\0" + bytes(((x * 31 + y * 17 + h + c * 85) >> (c * 3)) & 0xff
                                  for x in range(width) for c in range(3))
                   for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# ---- HTTP ------------------------------------------------------------------


class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # http.client.HTTPMessage
        self.body = body
        self._json = _MISSING

    @property
    def json(self):
        if self._json is _MISSING:
            try:
                self._json = jsonlib.loads(self.body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self._json = None
        return self._json

    @property
    def code(self):
        """The error code of a JSON error answer, or None."""
        j = self.json
        if isinstance(j, dict) and isinstance(j.get("error"), dict):
            return j["error"].get("code")
        return None

    def header(self, name):
        return self.headers.get(name) if self.headers is not None else None

    def header_all(self, name):
        return self.headers.get_all(name) or [] if self.headers is not None else []

    def __repr__(self):
        return "<Response %s %r>" % (self.status, self.body[:500])


def http_request(port, method, path, body=None, headers=None, timeout=30, encode_chunked=False,
                 source=None):
    """source: the local address to connect from (another loopback address,
    e.g. 127.0.0.2, is another client to the server)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=body, headers=headers or {},
                     encode_chunked=encode_chunked)
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, r.reason, r.headers, data)
    finally:
        conn.close()


def raw_exchange(port, payload, timeout=30):
    """Sends raw bytes on a fresh connection and reads until the server closes
    (or the answer's Content-Length is complete). Returns (status, headers, body)."""
    s = socket.create_connection((HOST, port), timeout=timeout)
    try:
        try:
            s.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
        buf = b""
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            buf += chunk
            head, sep, rest = buf.partition(b"\r\n\r\n")
            if sep:
                m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
                if m and len(rest) >= int(m.group(1)):
                    break
    finally:
        s.close()
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else None
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return status, hdrs, body


class Client:
    """A browser-like API client: a cookie jar and the CSRF token of its session."""

    def __init__(self, port, source=None):
        self.port = port
        self.source = source  # local address to connect from (None: 127.0.0.1)
        self.cookies = {}
        self.csrf = None
        self.me = None

    # -- low level --
    def request(self, method, path, json=_MISSING, body=None, headers=None,
                content_type=_MISSING, csrf=True, send_cookies=True, lang=None,
                encode_chunked=False, timeout=30):
        """json: an object to send as JSON. body: raw bytes (wins over json).
        content_type: _MISSING = application/json when there is a body; None
        = no Content-Type header. csrf: True = the session's token, False =
        none, a string = that token."""
        h = {}
        if json is not _MISSING and body is None:
            body = jsonlib.dumps(json).encode("utf-8")
        if content_type is _MISSING:
            if body is not None:
                h["Content-Type"] = "application/json"
        elif content_type is not None:
            h["Content-Type"] = content_type
        if send_cookies and self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if csrf is True and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        elif isinstance(csrf, str):
            h["X-CSRF-Token"] = csrf
        if lang:
            h["Accept-Language"] = lang
        if headers:
            h.update(headers)
        r = http_request(self.port, method, path, body=body, headers=h, timeout=timeout,
                         encode_chunked=encode_chunked, source=self.source)
        self._take_cookies(r)
        return r

    def _take_cookies(self, r):
        for sc in r.header_all("Set-Cookie"):
            first = sc.split(";", 1)[0]
            name, _, value = first.partition("=")
            name = name.strip()
            attrs = sc.lower()
            if not value or "max-age=0" in attrs:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def get(self, path, params=None, **kw):
        if params:
            path = path + ("&" if "?" in path else "?") + urllib.parse.urlencode(params)
        return self.request("GET", path, **kw)

    def post(self, path, json=_MISSING, **kw):
        if json is _MISSING and "body" not in kw:
            json = {}
        return self.request("POST", path, json=json, **kw)

    # -- sessions --
    def login(self, login, password=DEMO_PASSWORD):
        r = self.post("/api/v1/auth/login", json={"login": login, "password": password},
                      csrf=False)
        if r.status == 200:
            self.csrf = r.json["csrf_token"]
            self.me = r.json
        return r

    def logout(self):
        return self.post("/api/v1/auth/logout", json=None, body=b"", content_type=None)

    @property
    def user_id(self):
        return self.me["user"]["id"] if self.me else None

    # -- API shortcuts --
    def case(self, case_id):
        r = self.get("/api/v1/cases/%d" % case_id)
        assert r.status == 200, r
        return r.json

    def create_case(self, expect=201, **fields):
        r = self.post("/api/v1/cases", json=fields)
        assert r.status == expect, r
        return r.json

    def transition(self, case_id, action, **fields):
        body = {"action": action}
        body.update(fields)
        return self.post("/api/v1/cases/%d/transitions" % case_id, json=body)

    def act(self, case_id, action, **fields):
        """A transition that must succeed; returns the updated case."""
        r = self.transition(case_id, action, **fields)
        assert r.status == 200, (action, r)
        return r.json

    def list_cases(self, **params):
        r = self.get("/api/v1/cases", params=params or None)
        assert r.status == 200, r
        return r.json

    def all_cases(self, **params):
        """Every case visible with these filters, walking the pages."""
        out, cursor = [], None
        for _ in range(1000):
            p = dict(params)
            p.setdefault("limit", 200)
            if cursor:
                p["cursor"] = cursor
            page = self.list_cases(**p)
            out.extend(page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                return out
        raise AssertionError("pagination does not end")

    def category_id(self, code):
        r = self.get("/api/v1/categories")
        assert r.status == 200, r
        for k in r.json["items"]:
            if k["code"] == code:
                return k["id"]
        raise KeyError(code)

    def team_id(self, name):
        r = self.get("/api/v1/teams")
        assert r.status == 200, r
        for t in r.json["items"]:
            if t["name"] == name:
                return t["id"]
        raise KeyError(name)


def snapshot(case_json):
    """The parts of a case an error must not change."""
    c = dict(case_json)
    for k in ("event_id", "new_case_id"):
        c.pop(k, None)
    return c


# ---- the server process ------------------------------------------------------


class Server:
    """One aduan instance with its own database and media directory in workdir."""

    def __init__(self, workdir, extra_env=None):
        self.workdir = str(workdir)
        self.db_path = os.path.join(self.workdir, "aduan.db")
        self.extra_env = dict(extra_env or {})
        self.port = None
        self.proc = None
        self.stderr_path = os.path.join(self.workdir, "serve.stderr")
        self.stdout_path = os.path.join(self.workdir, "serve.stdout")
        self.result = None  # (returncode, stderr) after stop()

    def env(self, **more):
        e = {
            "ADUAN_DATABASE_URL": "sqlite:" + self.db_path,
            "ADUAN_MEDIA_DIR": os.path.join(self.workdir, "media"),
        }
        if self.port:
            e["ADUAN_LISTEN"] = "%s:%d" % (HOST, self.port)
        e.update(self.extra_env)
        e.update(more)
        return base_env(e)

    def cli(self, *args, input=None, timeout=60, **env):
        return run_cli(args, self.env(**env), self.workdir, input=input, timeout=timeout)

    def init(self, demo=True):
        r = self.cli("init", *(["--demo"] if demo else []))
        assert r.returncode == 0, "init failed: rc=%s\n%s" % (r.returncode, r.stderr)
        assert not sanitizer_problems(r.stderr), r.stderr
        return r

    def start(self, timeout=20):
        """Starts `aduan serve` on a port the system picks (no race with
        another test for a port) and waits for /healthz."""
        port_file = os.path.join(self.workdir, "serve.port")
        args, env = serve_on_port_zero(port_file)
        self.port = None
        self._err = open(self.stderr_path, "wb")
        self._out = open(self.stdout_path, "wb")
        self.proc = subprocess.Popen([aduan_bin()] + args, env=self.env(**env), cwd=self.workdir,
                                     stdout=self._out, stderr=self._err, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        self.port = read_port_file(port_file, self.proc, timeout)
        while self.port and time.monotonic() < deadline and self.proc.poll() is None:
            try:
                r = http_request(self.port, "GET", "/healthz", timeout=2)
                if r.status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._close_files()
        raise RuntimeError("aduan serve did not answer /healthz within %ss:\n%s"
                           % (timeout, self.read_stderr()))

    def _close_files(self):
        for f in (getattr(self, "_err", None), getattr(self, "_out", None)):
            if f and not f.closed:
                f.close()

    def read_stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, timeout=30):
        """SIGTERM, wait; returns a list of problems (empty when clean)."""
        problems = []
        if self.proc is None:
            return problems
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                problems.append("did not stop within %ss of SIGTERM" % timeout)
        rc = self.proc.returncode
        self._close_files()
        err = self.read_stderr()
        self.result = (rc, err)
        if rc != 0:
            problems.append("exit code %s" % rc)
        found = sanitizer_problems(err)
        if found:
            problems.append("sanitizer report(s): %s" % ", ".join(found))
        self.proc = None
        if problems:
            starts = [err.find(m) for m in found]
            if starts:
                at = max(0, min(starts) - 2000)
                problems.append("stderr (from the first report):\n" + err[at:at + 12000])
            else:
                problems.append("stderr (tail):\n" + err[-6000:])
        return problems

    def client(self):
        return Client(self.port)


# ---- PostgreSQL ---------------------------------------------------------------


def pg_available():
    return bool(os.environ.get("ADUAN_TEST_PG"))


def pg_database():
    """A new empty database on the test PostgreSQL that tests/run-all.sh
    started (ADUAN_TEST_PG and friends); returns its URL."""
    import uuid
    base = os.environ["ADUAN_TEST_PG"]
    name = "aduan_e2e_" + uuid.uuid4().hex[:12]
    subprocess.run([os.path.join(os.environ["ADUAN_TEST_PG_BIN"], "createdb"),
                    "-h", os.environ["ADUAN_TEST_PG_DIR"], "-p", os.environ["ADUAN_TEST_PG_PORT"],
                    "-U", "postgres", name], check=True, capture_output=True)
    return base.replace("/postgres?", "/%s?" % name, 1)


def engine_env(engine):
    """extra_env for a Server on this engine ("sqlite" needs none)."""
    return {"ADUAN_DATABASE_URL": pg_database()} if engine == "postgres" else None
