"""Several `aduan serve` instances on one PostgreSQL database.

Two instances share one database; several clients send requests to both
alternately and at the same time. Every case must exist once, every
transition must be recorded once, and each case's events must form one
unbroken chain. Also: a second server on one SQLite file refuses to start,
and a database outage answers 503 and heals by itself.
"""

import os
import subprocess
import threading
import uuid

import pytest

import aduan_e2e

from aduan_e2e import Client, Server, aduan_bin, http_request


def pg_database():
    """A new empty database on the test PostgreSQL; its URL (or skip)."""
    if not aduan_e2e.pg_available():
        pytest.skip("ADUAN_TEST_PG is not set (tests/run-all.sh starts a PostgreSQL)")
    return aduan_e2e.pg_database()


@pytest.fixture
def two_instances(tmp_path):
    url = pg_database()
    a = Server(tmp_path / "a", {"ADUAN_DATABASE_URL": url})
    b = Server(tmp_path / "b", {"ADUAN_DATABASE_URL": url})
    os.makedirs(a.workdir)
    os.makedirs(b.workdir)
    a.init(demo=True)
    a.start()
    b.start()
    yield a, b
    problems = a.stop() + b.stop()
    assert not problems, problems


class Alternating:
    """One session used through both instances in turn (sessions live in
    the database, so either instance serves it)."""

    def __init__(self, servers, login):
        self.ports = [s.port for s in servers]
        self.c = Client(self.ports[0])
        r = self.c.login(login)
        assert r.status == 200, r
        self.n = 0

    def __getattr__(self, name):
        self.c.port = self.ports[self.n % len(self.ports)]
        self.n += 1
        return getattr(self.c, name)


def test_two_instances_share_one_database(two_instances):
    servers = list(two_instances)
    admin0 = Alternating(servers, "admin.satpolpp")
    pkl = admin0.category_id("pkl")
    team = admin0.team_id("TRC Pos Paringin")
    run = uuid.uuid4().hex[:8]
    workers, per_worker = 6, 5
    created, errors = [], []
    lock = threading.Lock()

    def worker(w):
        try:
            admin = Alternating(servers, "admin.satpolpp")
            boss = Alternating(servers, "kabid.satpolpp")
            trc = Alternating(servers, "trc.satpolpp")
            for i in range(per_worker):
                tag = "run%s w%d n%d" % (run, w, i)
                c = admin.create_case(category_id=pkl, description="PKL di trotoar " + tag)
                cid = c["id"]
                admin.act(cid, "verify")
                boss.act(cid, "dispatch", team_id=team)
                trc.act(cid, "start")
                trc.act(cid, "resolve", public_note="sudah ditertibkan " + tag)
                admin.act(cid, "close")
                with lock:
                    created.append((cid, tag, c["tracking_code"]))
        except Exception as e:  # surfaced below with the worker's number
            with lock:
                errors.append("worker %d: %r" % (w, e))

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    assert len(created) == workers * per_worker

    # Every case exists once, seen the same from both instances.
    for s in servers:
        c = Client(s.port)
        assert c.login("superadmin").status == 200
        mine = [x for x in c.all_cases(q="run" + run)]
        assert sorted(x["id"] for x in mine) == sorted(x[0] for x in created)
        assert len({x["tracking_code"] for x in mine}) == len(created)
        assert all(x["status"] == "closed" for x in mine)

    # Every transition recorded once, in one unbroken chain.
    expected = ["create", "verify", "dispatch", "start", "resolve", "close"]
    for cid, tag, _ in created:
        case = admin0.case(cid)
        ev = case["events"]
        assert [e["action"] for e in ev] == expected, (cid, ev)
        assert [e["seq"] for e in ev] == list(range(1, len(expected) + 1))
        for prev, cur in zip(ev, ev[1:]):
            assert cur["from_status"] == prev["to_status"], (cid, prev, cur)
        assert ev[-1]["to_status"] == "closed"
        assert ev[4]["public_note"] == "sudah ditertibkan " + tag

    # Both instances did real work.
    for s in servers:
        assert s.read_stderr().count("path=/api/v1/cases") > 20


def test_racing_transitions_across_instances(two_instances):
    servers = list(two_instances)
    admin = Alternating(servers, "admin.satpolpp")
    cases = [admin.create_case(category_id=admin.category_id("trantibum"),
                               description="Keributan malam %d" % i)["id"] for i in range(5)]
    sessions = [Alternating(servers, "admin.satpolpp") for _ in range(8)]
    for cid in cases:
        results = []
        barrier = threading.Barrier(len(sessions))

        def go(s):
            barrier.wait()
            results.append(s.transition(cid, "verify").status)

        threads = [threading.Thread(target=go, args=(s,)) for s in sessions]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(results) == [200] + [409] * (len(sessions) - 1), results
        ev = admin.case(cid)["events"]
        assert [e["action"] for e in ev] == ["create", "verify"]


def test_second_sqlite_server_refuses(tmp_path):
    a = Server(tmp_path)
    a.init(demo=True)
    a.start()
    try:
        second = subprocess.run([aduan_bin(), "serve"],
                                env=dict(a.env(), ADUAN_LISTEN="127.0.0.1:0"),
                                cwd=a.workdir, capture_output=True, text=True, timeout=30)
        assert second.returncode == 1
        assert "already owns" in second.stderr
        assert "PostgreSQL" in second.stderr
        # The first one is unaffected.
        assert http_request(a.port, "GET", "/readyz").status == 200
    finally:
        assert not a.stop()


def test_outage_answers_503_then_heals(tmp_path):
    url = pg_database()
    srv = Server(tmp_path, {"ADUAN_DATABASE_URL": url})
    srv.init(demo=True)
    srv.start()
    pgbin = os.environ["ADUAN_TEST_PG_BIN"]
    pgdir = os.environ["ADUAN_TEST_PG_DIR"]
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    ctl = as_pg + [os.path.join(pgbin, "pg_ctl"), "-D", os.path.join(pgdir, "data"), "-w"]
    try:
        admin = srv.client()
        assert admin.login("admin.satpolpp").status == 200
        pkl = admin.category_id("pkl")
        before = len(admin.all_cases())
        subprocess.run(ctl + ["-m", "fast", "stop"], check=True, capture_output=True)
        try:
            r = admin.post("/api/v1/cases", json={"category_id": pkl, "description": "saat padam"})
            assert r.status == 503 and r.code == "unavailable", r
            assert http_request(srv.port, "GET", "/readyz").status == 503
            assert http_request(srv.port, "GET", "/healthz").status == 200
        finally:
            subprocess.run(ctl + ["-l", os.path.join(pgdir, "server.log"), "-o",
                                  "-k %s -p %s -c listen_addresses= -c fsync=off -c full_page_writes=off"
                                  " -c max_connections=200"
                                  % (pgdir, os.environ["ADUAN_TEST_PG_PORT"]), "start"],
                           check=True, capture_output=True)
        # Back without a restart of aduan; the refused request left nothing.
        assert http_request(srv.port, "GET", "/readyz").status == 200
        after = admin.all_cases()
        assert len(after) == before
        assert not [c for c in after if c["description"] == "saat padam"]
        admin.create_case(category_id=pkl, description="setelah pulih")
    finally:
        assert not srv.stop()


def test_a_form_challenge_from_one_instance_is_good_once_on_another(two_instances):
    """The web form's challenge key is the database's (issue 16): a form
    served by one instance is accepted by the other, and only once on
    either (the used challenge is recorded in the database)."""
    from test_web_form import good_fields, multipart, page_challenge, refused, solve
    a, b = two_instances
    ch, _ = page_challenge(http_request(a.port, "GET", "/lapor").body.decode())
    body, ct = multipart(good_fields(a, text="Dua instansi qxtwoinst") +
                         [("challenge", ch), ("pow", solve(ch))])
    hdr = {"Content-Type": ct}
    r = http_request(b.port, "POST", "/lapor", body=body, headers=hdr)
    assert r.status == 200, r.body.decode()[:2000]
    for srv in (a, b):
        t = refused(http_request(srv.port, "POST", "/lapor", body=body, headers=hdr))
        assert "sudah pernah dikirim" in t
    admin = Client(a.port)
    assert admin.login("admin.satpolpp").status == 200
    assert len(admin.all_cases(q="qxtwoinst")) == 1
