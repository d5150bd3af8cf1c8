"""Issue 17 §3 (media): the LAPOR! liaison's changes reach a webhook
subscriber (a LAPOR! bridge) as case.lapor_updated, on both engines:
marking and unmarking a case for LAPOR!, entering (and clearing) its
tracking id and changing its national class each queue one delivery in the
transaction of the change (it is in the log when the PUT answers), carrying
data.lapor {lapor_class, marked, marked_at, tracking_id}; saving the same
values again, or a refused change, queues nothing. Signed, delivered once
per delivery id, nothing personal for an untrusted subscriber."""

import json

import pytest

from aduan_e2e import Client, Server, engine_env, pg_available, wait_until
from test_webhooks import ENV, SECRET, Receiver, verify

NAME, PHONE = "Rusdiansyah Qxlapor", "081255501234"


@pytest.fixture(params=["sqlite", "postgres"])
def bridge(request, tmp_path):
    if request.param == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    env = dict(engine_env(request.param) or {})
    env.update(ENV)
    srv = Server(tmp_path, env)
    srv.init(demo=True)
    srv.start()
    rcv = Receiver()
    yield srv, rcv
    rcv.stop()
    assert not srv.stop()


def test_the_liaisons_changes_reach_the_bridge(bridge):
    srv, rcv = bridge
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    r = admin.post("/api/v1/webhooks", json={"url": rcv.url("/lapor"), "secret": SECRET,
                                             "events": ["case.lapor_updated"]})
    assert r.status == 201, r
    sub = r.json["id"]
    assert r.json["events"] == ["case.lapor_updated"]
    assert "case.lapor_updated" in admin.get("/api/v1/webhooks").json["event_types"]
    made = admin.create_case(category_id=admin.category_id("pkl"), address="Jl. Ahmad Yani 5",
                             description="Lapak menutup trotoar depan sekolah",
                             reporter={"name": NAME, "phone": PHONE})
    cid = made["id"]
    assert admin.case(cid)["reporter"]["name"] == NAME

    def log():
        return admin.get("/api/v1/webhooks/%d/deliveries" % sub).json["deliveries"]
    assert log() == []  # a new case is not a LAPOR! change

    def put(expect=200, **body):
        r = admin.request("PUT", "/api/v1/cases/%d/lapor" % cid, json=body)
        assert r.status == expect, (body, r)
        return r

    steps = [({"lapor_marked": True}, "lapor_mark", ("pengaduan", True, None)),
             ({"lapor_tracking_id": "1916449"}, "lapor_set", ("pengaduan", True, "1916449")),
             ({"lapor_class": "aspirasi"}, "lapor_class", ("aspirasi", True, "1916449")),
             ({"lapor_tracking_id": ""}, "lapor_clear", ("aspirasi", True, None)),
             ({"lapor_marked": False}, "lapor_unmark", ("aspirasi", False, None))]
    for n, (body, action, (cls, marked, tracking)) in enumerate(steps, 1):
        put(**body)
        # Queued with the change: in the log as the PUT answers.
        queued = log()
        assert len(queued) == n, (body, queued)
        assert queued[0]["type"] == "case.lapor_updated" and queued[0]["case_id"] == cid
        got = wait_until(lambda: [r for r in rcv.on("/lapor") if r["status"] == 200][n - 1:],
                         timeout=30)
        ev = json.loads(got[0]["body"])
        assert got[0]["event"] == "case.lapor_updated" == ev["type"]
        assert ev["data"]["event"]["action"] == action, ev
        lap = ev["data"]["lapor"]
        assert (lap["lapor_class"], lap["marked"], lap["tracking_id"]) == (cls, marked, tracking)
        assert (lap["marked_at"] is not None) == marked
        assert ev["data"]["case"]["lapor_class"] == cls
        assert ev["data"]["case"]["lapor_tracking_id"] == tracking
    # The same values again, and refused changes: nothing more queued.
    assert put(lapor_marked=False).json["changed"] is False
    assert put(lapor_class="aspirasi").json["changed"] is False
    put(400, lapor_tracking_id="bukan-nomor")
    put(400, lapor_class="keluhan")
    kabid = Client(srv.port)
    assert kabid.login("trc.satpolpp").status == 200
    assert kabid.request("PUT", "/api/v1/cases/%d/lapor" % cid,
                         json={"lapor_marked": True}).status == 403
    assert len(log()) == len(steps)
    # Two changes in one PUT: one event each, one delivery each.
    put(lapor_marked=True, lapor_tracking_id="2020202")
    assert len(log()) == len(steps) + 2
    wait_until(lambda: len([r for r in rcv.on("/lapor") if r["status"] == 200]) == len(steps) + 2,
               timeout=30)
    recs = rcv.on("/lapor")
    # Signed; each delivery id once; nothing personal (an untrusted bridge).
    assert len({r["id"] for r in recs}) == len(recs) == len(steps) + 2
    for r in recs:
        assert verify(SECRET, r["sig"], r["body"]), r
    blob = b"".join(r["body"] for r in recs)
    assert b"Qxlapor" not in blob and b"55501234" not in blob
    assert all(d["state"] == "delivered" for d in log())
