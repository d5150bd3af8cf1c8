"""Issue #13, item 10: one client cannot hold every connection.

1,100 connections that never finish their request headers (slowloris)
from 127.0.0.1 used to fill libmicrohttpd's 1,024 slots, and /healthz
answered 1 time in 10. Now one address holds at most 64 connections
(CONN_PER_ADDRESS), and a connection that goes quiet while sending its
headers is closed after ADUAN_HEADER_TIMEOUT; behind a trusted proxy,
where every connection comes from the proxy, the per-address limit is off.
Another client is another loopback address (127.0.0.2).
"""

import resource
import socket
import time

import pytest

from aduan_e2e import HOST, Server, engine_env, http_request, pg_available

SLOW = 1100           # more than the server's 1,024 connections
PER_ADDRESS = 64      # CONN_PER_ADDRESS in src/http/server.c
PARTIAL = b"GET /healthz HTTP/1.1\r\nHost: aduan\r\nX-Slow: "


def _serve(engine, tmp_path, env):
    if engine == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set: run through tests/run-all.sh (make test)")
    e = dict(engine_env(engine) or {})
    e.update(env)
    srv = Server(tmp_path, e)
    tmp_path.mkdir(parents=True, exist_ok=True)
    srv.init(demo=True)
    srv.start()
    return srv


@pytest.fixture(params=["sqlite", "postgres"])
def serve(request, tmp_path):
    """serve(env): a demo server with these settings, stopped after the test."""
    servers = []

    def make(env):
        srv = _serve(request.param, tmp_path / str(len(servers)), env)
        servers.append(srv)
        return srv

    yield make
    problems = []
    for s in servers:
        problems += s.stop()
    assert not problems, problems


def enough_files(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n:
        if hard != resource.RLIM_INFINITY and hard < n:
            pytest.skip("needs %d open files, the limit is %d" % (n, hard))
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, hard))


def open_slow(port, n, source=HOST):
    """n connections from source that send the start of a request and stop."""
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        s.bind((source, 0))
        try:
            s.connect((HOST, port))
            s.sendall(PARTIAL)
        except OSError:
            pass  # refused or reset: the server is protecting itself
        socks.append(s)
    return socks


def still_open(s):
    """True while the server has not closed the connection (looks without
    waiting; the socket is left non-blocking)."""
    s.settimeout(0)
    try:
        return s.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:  # nothing to read yet: still open
        return True
    except OSError:
        return False


def close_all(socks):
    for s in socks:
        s.close()


def test_one_address_cannot_hold_every_connection(serve, tmp_path):
    enough_files(SLOW + 200)
    srv = serve({})
    slow = open_slow(srv.port, SLOW)
    try:
        # Another client is served at once, every time.
        times = []
        for _ in range(20):
            t = time.monotonic()
            r = http_request(srv.port, "GET", "/healthz", timeout=5, source="127.0.0.2")
            times.append(time.monotonic() - t)
            assert r.status == 200 and r.json == {"status": "ok"}, r
        assert max(times) < 2, times
        # The slow address holds no more than its share; the rest were
        # closed as they came.
        time.sleep(0.5)
        held = sum(still_open(s) for s in slow)
        assert PER_ADDRESS <= held <= PER_ADDRESS + 8, held
        # At its limit, the slow address itself gets no further connection.
        r = None
        try:
            r = http_request(srv.port, "GET", "/healthz", timeout=5)
        except (ConnectionError, OSError):
            pass
        assert r is None, r
    finally:
        close_all(slow)
    # Once its connections are gone, the address is served again.
    deadline = time.monotonic() + 5
    while True:
        try:
            assert http_request(srv.port, "GET", "/healthz", timeout=5).status == 200
            break
        except (ConnectionError, OSError):
            assert time.monotonic() < deadline, "127.0.0.1 is still refused"
            time.sleep(0.1)
    assert "event=limits connections=1024 per_address=64 header_timeout=10" in srv.read_stderr()


def test_quiet_request_headers_are_cut_off(serve):
    """A connection that stops in the middle of its request headers is
    closed after ADUAN_HEADER_TIMEOUT (1 s here); one that sent a whole
    request keeps the longer keep-alive time."""
    srv = serve({"ADUAN_HEADER_TIMEOUT": "1"})
    slow = open_slow(srv.port, 3, source="127.0.0.3")
    # Also one that connects and says nothing at all.
    mute = socket.create_connection((HOST, srv.port), timeout=5)
    keep = socket.create_connection((HOST, srv.port), timeout=5)
    try:
        keep.sendall(b"GET /healthz HTTP/1.1\r\nHost: aduan\r\n\r\n")
        first = keep.recv(65536)
        assert first.startswith(b"HTTP/1.1 200"), first
        deadline = time.monotonic() + 6
        while any(still_open(s) for s in slow + [mute]) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(still_open(s) for s in slow + [mute]), "slow clients were not cut off"
        # The whole request went through: 2 s idle on keep-alive is fine.
        assert still_open(keep)
        keep.settimeout(5)
        keep.sendall(b"GET /healthz HTTP/1.1\r\nHost: aduan\r\n\r\n")
        second = keep.recv(65536)
        assert second.startswith(b"HTTP/1.1 200"), second
    finally:
        close_all(slow + [mute, keep])
    assert "header_timeout=1 " in srv.read_stderr()


def test_behind_a_trusted_proxy_the_address_limit_is_off(serve):
    """Behind nginx every connection comes from the proxy's address: with
    ADUAN_TRUSTED_PROXIES set, that address may hold more than 64
    connections (nginx limits per client itself: limit_conn in deploy/)."""
    srv = serve({"ADUAN_TRUSTED_PROXIES": "127.0.0.1"})
    conns = []
    try:
        for _ in range(PER_ADDRESS + 36):
            s = socket.create_connection((HOST, srv.port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: aduan\r\n\r\n")
            conns.append(s)
        for s in conns:  # every one answered, and all still open together
            assert s.recv(65536).startswith(b"HTTP/1.1 200")
        assert all(still_open(s) for s in conns)
        for s in conns:
            s.settimeout(5)
            s.sendall(b"GET /readyz HTTP/1.1\r\nHost: aduan\r\n\r\n")
        for s in conns:
            assert s.recv(65536).startswith(b"HTTP/1.1 200")
    finally:
        close_all(conns)
    assert "per_address=0 " in srv.read_stderr()
