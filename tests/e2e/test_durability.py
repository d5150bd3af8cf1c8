"""Acknowledged means on disk (issue #19 §1): ADUAN_DURABILITY and the refusal
of a PostgreSQL that would lose acknowledged data on a power cut.

On SQLite the proof is in the system calls: under ADUAN_DURABILITY=fsync
(the default) every commit that answers a request syncs the WAL before the
answer leaves (the HTTP threads and the webhook committer call fdatasync),
under `process` they never do. PostgreSQL syncs in its own server, so there
the test is the start-up check against tests/pgtmp.sh's fsync=off cluster.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from aduan_e2e import (Server, StraceRefused, http_request, pg_available, pg_database,
                       sanitizer_problems, serve_under_strace)
from wa_helpers import SATPOLPP, SECRET, envelope, message, sign


def test_postgres_with_fsync_off_is_refused(tmp_path):
    if not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set (tests/run-all.sh starts a PostgreSQL)")
    srv = Server(tmp_path, {"ADUAN_DATABASE_URL": pg_database()})
    srv.init(demo=True)
    listen = "127.0.0.1:0"  # refused before it listens
    for allow in (None, "0"):
        r = srv.cli("serve", ADUAN_ALLOW_UNSAFE_DB=allow, ADUAN_LISTEN=listen, timeout=60)
        assert r.returncode == 1, (r.returncode, r.stderr[-2000:])
        assert "refusing to serve" in r.stderr, r.stderr
        for part in ("fsync=off", "full_page_writes=off", "ADUAN_ALLOW_UNSAFE_DB=1",
                     "docs/DEPLOY.md"):
            assert part in r.stderr, (part, r.stderr)
        # The durable default also needs synchronous_commit, which is on here.
        assert "synchronous_commit=off" not in r.stderr, r.stderr
        assert not sanitizer_problems(r.stderr), r.stderr
    # `process` does not need the flush at commit, but fsync=off can still
    # corrupt the whole database: refused as well.
    r = srv.cli("serve", ADUAN_ALLOW_UNSAFE_DB=None, ADUAN_DURABILITY="process",
                ADUAN_LISTEN=listen, timeout=60)
    assert r.returncode == 1 and "fsync=off" in r.stderr, r.stderr
    # Bad values are configuration errors (exit 2), naming the setting.
    for key, bad in (("ADUAN_DURABILITY", "always"), ("ADUAN_ALLOW_UNSAFE_DB", "yes")):
        r = srv.cli("serve", ADUAN_LISTEN=listen, **{key: bad})
        assert r.returncode == 2 and key in r.stderr, (key, r.stderr)
    # Declared a throwaway database, it serves, with a warning in the log.
    srv.start()
    try:
        assert http_request(srv.port, "GET", "/readyz").status == 200
        assert "event=unsafe_database" in srv.read_stderr()
    finally:
        assert not srv.stop()


def traced(srv, trace):
    """aduan serve of srv under `strace -f` (fsync and fdatasync only);
    returns (strace process, aduan's pid)."""
    try:
        return serve_under_strace(srv, trace, ["-e", "trace=fsync,fdatasync"])
    except StraceRefused as ex:
        pytest.skip("strace cannot trace here: %s" % ex)


def thread_names(pid):
    names = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                names[int(tid)] = f.read().strip()
        except OSError:
            pass
    return names


def stop_traced(p, pid):
    rc = None
    deadline = time.monotonic() + 60
    while rc is None and time.monotonic() < deadline:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            rc = p.wait(timeout=1)
        except subprocess.TimeoutExpired:
            pass
    if rc is None:
        os.kill(pid, signal.SIGKILL)
        p.kill()
        rc = p.wait()
    return rc


def syncs_by_thread(trace, names):
    """{thread name: number of fsync/fdatasync calls} from the trace."""
    out = {}
    with open(trace) as f:
        for line in f:
            m = re.match(r"^(\d+)\s+(fsync|fdatasync)\(", line)
            if m:
                name = names.get(int(m.group(1)), "?")
                out[name] = out.get(name, 0) + 1
    return out


@pytest.mark.parametrize("mode", ["fsync", "process"])
def test_sqlite_acknowledged_commits_are_synced(mode, tmp_path):
    if not shutil.which("strace"):
        pytest.skip("strace is not installed (Debian package strace)")
    srv = Server(tmp_path, {"ADUAN_DURABILITY": mode, "ADUAN_WA_APP_SECRET": SECRET})
    srv.init(demo=True)
    trace = str(tmp_path / "strace.out")
    p, pid = traced(srv, trace)
    n = 12
    try:
        c = srv.client()
        assert c.login("admin.satpolpp").status == 200
        pkl = c.category_id("pkl")
        for i in range(n):
            c.create_case(category_id=pkl, description="Laporan tersimpan %d" % i)
        for i in range(n):
            body = json.dumps(envelope(SATPOLPP, [message("62812990%05d" % i, "text",
                                                          body="halo")])).encode()
            r = http_request(srv.port, "POST", "/webhooks/whatsapp", body=body,
                             headers={"Content-Type": "application/json",
                                      "X-Hub-Signature-256": sign(body)})
            assert r.status == 200, r
        names = thread_names(pid)
    finally:
        rc = stop_traced(p, pid)
    assert rc == 0, srv.read_stderr()[-3000:]
    assert not sanitizer_problems(srv.read_stderr()), srv.read_stderr()[-6000:]
    syncs = syncs_by_thread(trace, names)
    http, ingest = syncs.get("MHD-worker", 0), syncs.get("aduan-ingest", 0)
    if mode == "fsync":
        # Each case is answered after its commit, each webhook after its
        # group's: one sync at least per answer.
        assert http >= n, syncs
        assert ingest >= n, syncs
    else:
        # Only the background checkpoint syncs; no answer waits for a disk.
        assert http == 0 and ingest == 0, syncs
