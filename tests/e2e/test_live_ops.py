"""The operators' live workspace (issue 18, "Operators"): a case assigned to
a person (PUT /api/v1/cases/{id}/assignee, an "assign" event, the webhook's
case.assigned), the inbox's views ?assignee=me|none|ID with unread counts
(GET /api/v1/inbox/counts), presence on a case, and the event stream
GET /api/v1/events (server-sent events, resumable with Last-Event-ID), also
across two instances on one PostgreSQL. Both engines."""

import json
import os
import re
import socket
import time

import pytest

import aduan_e2e
from aduan_e2e import Client, Server
from wa_helpers import DAMKAR, Citizen, desk, message  # noqa: F401 (a fixture)


def assign(client, cid, user_id, **kw):
    return client.request("PUT", "/api/v1/cases/%d/assignee" % cid, json={"user_id": user_id},
                          **kw)


def ids(client, **params):
    return [c["id"] for c in client.all_cases(**params)]


@pytest.fixture(scope="module")
def cases(admin):
    pkl = admin.category_id("pkl")
    return [admin.create_case(category_id=pkl, description="Lapak qxassign%d" % i)["id"]
            for i in range(3)]


def test_the_desk_assigns_a_case_to_a_person(admin, kabid, cases):
    cid = cases[0]
    r = assign(admin, cid, kabid.user_id)
    assert r.status == 200, r
    assert r.json["assignee"] == {"id": kabid.user_id, "name": "Kepala Bidang Trantibum"}
    assert r.json["changed"] is True
    ev = admin.case(cid)["events"][-1]
    assert ev["action"] == "assign" and ev["note"] == "kabid.satpolpp"
    assert ev["actor_name"] == "Operator Satpol PP" and ev["public"] is False
    # The same again changes nothing and adds no event.
    n = len(admin.case(cid)["events"])
    r = assign(admin, cid, kabid.user_id)
    assert r.status == 200 and r.json["changed"] is False, r
    assert len(admin.case(cid)["events"]) == n
    # The supervisor takes it; null gives it back to nobody.
    r = assign(kabid, cid, admin.user_id)
    assert r.status == 200 and r.json["assignee"]["id"] == admin.user_id, r
    r = assign(kabid, cid, None)
    assert r.status == 200 and r.json["assignee"] is None and r.json["changed"], r
    assert admin.case(cid)["events"][-1]["action"] == "unassign"


@pytest.mark.parametrize("value", ["1", 0, -3, 1.5, True, [1], {"id": 1}, 999999, "missing"])
def test_a_bad_assignee_is_refused_and_changes_nothing(admin, kabid, cases, value):
    cid = cases[1]
    assert assign(admin, cid, kabid.user_id).status == 200
    n = len(admin.case(cid)["events"])
    body = {} if value == "missing" else {"user_id": value}
    r = admin.request("PUT", "/api/v1/cases/%d/assignee" % cid, json=body)
    assert r.status == 400 and r.code == "invalid", (value, r)
    assert "user_id" in r.json["error"]["detail"]
    c = admin.case(cid)
    assert c["assignee"]["id"] == kabid.user_id and len(c["events"]) == n


def test_only_the_desk_of_the_agency_may_be_assigned_or_assign(admin, trc, viewer, damkar, cases):
    cid = cases[1]
    before = admin.case(cid)["assignee"]
    # A field officer and another agency's admin cannot own it ...
    for who in (trc, damkar):
        r = assign(admin, cid, who.user_id)
        assert r.status == 400 and "user_id" in r.json["error"]["detail"], r
    # ... and neither a field officer, a viewer nor another agency assigns.
    for who in (trc, viewer, damkar):
        r = assign(who, cid, admin.user_id)
        assert r.status in (403, 404), r
    assert admin.case(cid)["assignee"] == before


def test_the_picker_lists_the_desk(admin, kabid, trc):
    r = admin.get("/api/v1/assignees")
    assert r.status == 200, r
    logins = [u["login"] for u in r.json["items"]]
    assert "admin.satpolpp" in logins and "kabid.satpolpp" in logins
    assert "trc.satpolpp" not in logins and "admin.damkar" not in logins
    assert trc.get("/api/v1/assignees").status == 403


def test_the_three_views(admin, kabid, cases):
    mine, other, nobody = cases
    assert assign(admin, mine, admin.user_id).status == 200
    assert assign(admin, other, kabid.user_id).status == 200
    assert assign(admin, nobody, None).status == 200
    me = ids(admin, assignee="me")
    assert mine in me and other not in me and nobody not in me
    none = ids(admin, assignee="none")
    assert nobody in none and mine not in none and other not in none
    theirs = ids(admin, assignee=str(kabid.user_id))
    assert other in theirs and mine not in theirs
    assert set(cases) <= set(ids(admin))
    for bad in ("you", "0", "-1", "1x", ""):
        r = admin.get("/api/v1/cases", params={"assignee": bad})
        if bad == "":
            assert r.status == 200, r  # empty: no filter
            continue
        assert r.status == 400 and "assignee" in r.json["error"]["detail"], (bad, r)


# ---- the event stream -------------------------------------------------------------------


class Stream:
    """GET /api/v1/events read from a socket: its events as dicts. (Not
    http.client: its socket file is unusable after a read timed out.)"""

    def __init__(self, port, client, last_id=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        h = ["GET /api/v1/events HTTP/1.1", "Host: 127.0.0.1", "Accept: text/event-stream",
             "Cookie: " + "; ".join("%s=%s" % kv for kv in client.cookies.items())]
        if last_id is not None:
            h.append("Last-Event-ID: %s" % last_id)
        self.sock.sendall(("\r\n".join(h) + "\r\n\r\n").encode())
        self.raw = b""
        while b"\r\n\r\n" not in self.raw:
            chunk = self.sock.recv(4096)
            assert chunk, "the stream closed before its headers"
            self.raw += chunk
        head, self.raw = self.raw.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.lower(): v.strip() for k, _, v in
                        (line.partition(":") for line in lines[1:])}
        self.chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
        self.buf = b""
        self.ended = False  # the last chunk came, or the server closed

    def header(self, name):
        return self.headers.get(name.lower())

    def _dechunk(self):
        if not self.chunked:
            self.buf += self.raw
            self.raw = b""
            return
        while b"\r\n" in self.raw:
            size_line, rest = self.raw.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                self.ended = True
                return
            if len(rest) < size + 2:
                return
            self.buf += rest[:size]
            self.raw = rest[size + 2:]

    def next(self, timeout=5.0):
        """The next event (a dict of its fields), or None by the timeout."""
        deadline = time.time() + timeout
        while True:
            self._dechunk()
            while b"\n\n" in self.buf:
                block, self.buf = self.buf.split(b"\n\n", 1)
                ev = {}
                for line in block.decode().split("\n"):
                    if line.startswith(":") or ":" not in line:
                        continue
                    k, _, v = line.partition(":")
                    ev[k] = v[1:] if v.startswith(" ") else v
                if "event" in ev:
                    return ev
            left = deadline - time.time()
            if left <= 0 or self.ended:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(4096)
            except (socket.timeout, TimeoutError):
                return None
            if not chunk:
                self.ended = True
                return None
            self.raw += chunk

    def until(self, pred, timeout=5.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            ev = self.next(deadline - time.time())
            if ev is None:
                return None
            if pred(ev):
                return ev
        return None

    def close(self):
        self.sock.close()


def test_the_stream_is_an_event_stream_for_a_session_only(server, admin):
    s = Stream(server.port, admin)
    try:
        assert s.status == 200
        assert s.header("Content-Type").startswith("text/event-stream")
        assert s.header("X-Accel-Buffering") == "no"
        assert s.header("Cache-Control") == "no-store"
    finally:
        s.close()
    r = Client(server.port).get("/api/v1/events")
    assert r.status == 401, r
    r = admin.get("/api/v1/events", headers={"Last-Event-ID": "abc"})
    assert r.status == 400 and "Last-Event-ID" in r.json["error"]["detail"], r


def test_a_change_reaches_the_agency_and_not_another(server, admin, kabid, damkar, cases):
    mine = Stream(server.port, kabid)
    other = Stream(server.port, damkar)
    try:
        t0 = time.time()
        assert assign(admin, cases[2], kabid.user_id).status == 200
        ev = mine.until(lambda e: e["event"] == "case" and '"case_id":%d' % cases[2] in e["data"])
        assert ev is not None and time.time() - t0 < 2.0
        assert re.fullmatch(r"\d+", ev["id"])
        # Damkar's admin sees nothing of Satpol PP's case.
        assert other.until(lambda e: '"case_id":%d,' % cases[2] in e["data"], timeout=1.0) is None
    finally:
        mine.close()
        other.close()


def test_resume_with_last_event_id(server, admin, kabid, cases):
    s = Stream(server.port, kabid)
    try:
        assert assign(admin, cases[2], None).status == 200
        first = s.until(lambda e: '"case_id":%d,' % cases[2] in e["data"])
        assert first is not None
    finally:
        s.close()
    # While away: two changes.
    assert assign(admin, cases[2], admin.user_id).status == 200
    assert assign(admin, cases[2], kabid.user_id).status == 200
    s = Stream(server.port, kabid, last_id=first["id"])
    try:
        got = [s.until(lambda e: '"case_id":%d,' % cases[2] in e["data"]) for _ in range(2)]
        assert all(got), got
        assert int(first["id"]) < int(got[0]["id"]) < int(got[1]["id"])
    finally:
        s.close()


# ---- presence ---------------------------------------------------------------------------


def test_presence_shows_who_is_looking(server, admin, kabid, trc, damkar, cases):
    cid = cases[0]
    s = Stream(server.port, admin)
    try:
        r = kabid.post("/api/v1/cases/%d/presence" % cid)
        assert r.status == 200, r
        assert [v["name"] for v in r.json["viewers"]] == ["Kepala Bidang Trantibum"]
        assert s.until(lambda e: e["event"] == "presence" and '"case_id":%d,' % cid in e["data"],
                       timeout=2.0)
        r = admin.post("/api/v1/cases/%d/presence" % cid)
        names = sorted(v["name"] for v in r.json["viewers"])
        assert names == ["Kepala Bidang Trantibum", "Operator Satpol PP"], r
        assert [v["me"] for v in r.json["viewers"] if v["name"] == "Operator Satpol PP"] == [True]
        assert s.until(lambda e: e["event"] == "presence", timeout=2.0)  # the admin came
        # A second beat is no change: no event.
        assert kabid.post("/api/v1/cases/%d/presence" % cid).status == 200
        assert s.until(lambda e: e["event"] == "presence", timeout=1.0) is None
        # Leaving is.
        r = kabid.post("/api/v1/cases/%d/presence" % cid, json={"leaving": True})
        assert r.status == 200 and [v["name"] for v in r.json["viewers"]] == ["Operator Satpol PP"]
        assert s.until(lambda e: e["event"] == "presence", timeout=2.0)
    finally:
        s.close()
    r = admin.post("/api/v1/cases/%d/presence" % cid, json={"leaving": "ya"})
    assert r.status == 400 and "leaving" in r.json["error"]["detail"], r
    assert damkar.post("/api/v1/cases/%d/presence" % cid).status in (403, 404)
    r = admin.get("/api/v1/cases/%d/presence" % cid)
    assert r.status == 200 and [v["name"] for v in r.json["viewers"]] == ["Operator Satpol PP"]


# ---- an emergency and a citizen's message: live and unread -----------------------------

WA = "6281313149001"
FIRE = (-2.3620, 115.4410)


def counts(client):
    r = client.get("/api/v1/inbox/counts")
    assert r.status == 200, r
    return r.json["unread"]


def test_an_emergency_and_a_citizen_message_are_live_and_unread(desk):
    srv, graph = desk
    admin, kasi, satpol = Client(srv.port), Client(srv.port), Client(srv.port)
    assert admin.login("admin.damkar").status == 200
    assert kasi.login("kasi.damkar").status == 200
    assert satpol.login("admin.satpolpp").status == 200
    s, other = Stream(srv.port, admin), Stream(srv.port, satpol)
    try:
        w = Citizen(srv, graph, WA, pnid=DAMKAR)
        w.text("menu")
        w.tap("menu:report")
        cats = w.tap("consent:yes", button=True)[0]
        rows = cats["interactive"]["action"]["sections"][0]["rows"]
        w.tap([r["id"] for r in rows if "DARURAT" in (r.get("description") or "")][0])
        # The webhook that makes the emergency: its event within 2 s.
        t0 = time.time()
        w.post(message(WA, "location", lat=FIRE[0], lon=FIRE[1],
                       address="Desa Batu Piring"))
        ev = s.until(lambda e: e["event"] == "emergency", timeout=5.0)
        assert ev is not None, "no emergency event"
        assert time.time() - t0 < 2.0, time.time() - t0
        cid = json.loads(ev["data"])["case_id"]
        assert other.until(lambda e: '"case_id":%d,' % cid in e["data"], timeout=0.5) is None
        assert assign(admin, cid, admin.user_id).status == 200
        admin.case(cid)  # opened: read
        before = counts(admin)
        item = [c for c in admin.list_cases(assignee="me")["items"] if c["id"] == cid][0]
        assert item["unread"] is False
        time.sleep(0.5)
        # More words from the citizen about the fire: a message event.
        t0 = time.time()
        w.post(message(WA, "text", body="Apinya makin besar, tolong cepat"))
        ev = s.until(lambda e: e["event"] == "message" and '"case_id":%d,' % cid in e["data"],
                     timeout=5.0)
        assert ev is not None, "no message event"
        assert time.time() - t0 < 2.0, time.time() - t0
    finally:
        s.close()
        other.close()
    after = counts(admin)
    assert after["mine"] == before["mine"] + 1 and after["all"] == before["all"] + 1
    assert after["none"] == before["none"]
    item = [c for c in admin.list_cases(assignee="me")["items"] if c["id"] == cid][0]
    assert item["unread"] is True
    # The supervisor never opened it: unread for them too, not theirs.
    k = counts(kasi)
    assert k["all"] >= 1 and k["mine"] == 0
    admin.case(cid)  # read again
    assert counts(admin)["mine"] == before["mine"]
    assert counts(satpol)["all"] == 0 or cid not in [
        c["id"] for c in satpol.list_cases()["items"]]


# ---- two instances on one PostgreSQL --------------------------------------------------


def test_an_event_on_one_instance_reaches_a_stream_of_the_other(tmp_path):
    """Done when of issue 18: the stream of a client of instance B shows a
    change made through instance A within 2 s (live_events is shared)."""
    if not aduan_e2e.pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    url = aduan_e2e.pg_database()
    a = Server(tmp_path / "a", {"ADUAN_DATABASE_URL": url})
    b = Server(tmp_path / "b", {"ADUAN_DATABASE_URL": url})
    os.makedirs(a.workdir)
    os.makedirs(b.workdir)
    a.init(demo=True)
    a.start()
    b.start()
    try:
        on_a, on_b = Client(a.port), Client(b.port)
        assert on_a.login("admin.satpolpp").status == 200
        assert on_b.login("kabid.satpolpp").status == 200
        s = Stream(b.port, on_b)
        try:
            t0 = time.time()
            cid = on_a.create_case(category_id=on_a.category_id("pkl"),
                                   description="Lapak qxinstances di trotoar")["id"]
            ev = s.until(lambda e: e["event"] == "created" and '"case_id":%d,' % cid in e["data"])
            assert ev is not None and time.time() - t0 < 2.0
            assert assign(on_a, cid, on_b.user_id).status == 200
            assert s.until(lambda e: e["event"] == "case" and '"case_id":%d,' % cid in e["data"])
        finally:
            s.close()
    finally:
        problems = a.stop() + b.stop()
        assert not problems, problems


def test_a_stream_ends_with_its_session(server, admin):
    c = Client(server.port)
    assert c.login("admin.satpolpp").status == 200
    s = Stream(server.port, c)
    try:
        assert c.logout().status == 200
        # The next change is not told to a signed-out stream: it ends.
        cid = admin.create_case(category_id=admin.category_id("pkl"),
                                description="Lapak qxlogout di trotoar")["id"]
        assert s.until(lambda e: '"case_id":%d,' % cid in e["data"], timeout=2.0) is None
        assert s.ended, "the stream did not end"
    finally:
        s.close()


def test_assignment_is_a_case_assigned_webhook(server, admin, kabid):
    """The agency's subscribers asked for case.assigned get one delivery per
    assignment (queued in its transaction); none when nothing changed."""
    r = admin.post("/api/v1/webhooks", json={
        "url": "http://127.0.0.1:9/penerima", "events": ["case.assigned"],
        "secret": "rahasia-penerima-uji-0123"})
    assert r.status == 201, r
    hook = r.json["id"]
    try:
        cid = admin.create_case(category_id=admin.category_id("pkl"),
                                description="Lapak qxhook di trotoar")["id"]

        def types():
            log = admin.get("/api/v1/webhooks/%d/deliveries" % hook).json["deliveries"]
            return [d["type"] for d in log]

        assert types() == []
        assert assign(admin, cid, kabid.user_id).status == 200
        assert types() == ["case.assigned"]
        assert assign(admin, cid, kabid.user_id).json["changed"] is False
        assert types() == ["case.assigned"]
    finally:
        assert admin.request("DELETE", "/api/v1/webhooks/%d" % hook).status == 200


def test_the_server_stops_cleanly_with_streams_open(fresh_server):
    """SIGTERM with open streams: each ends, the server exits cleanly
    (libmicrohttpd must not stop with a suspended connection)."""
    c = Client(fresh_server.port)
    assert c.login("admin.satpolpp").status == 200
    streams = [Stream(fresh_server.port, c) for _ in range(5)]
    time.sleep(0.3)  # every one waiting, suspended
    t0 = time.time()
    assert fresh_server.stop() == []
    assert time.time() - t0 < 5
    for s in streams:
        # A background job may have changed a case just before the stop:
        # its event may still come first; then the stream must end.
        for _ in range(20):
            if s.next(2.0) is None:
                break
        assert s.ended
        s.close()
