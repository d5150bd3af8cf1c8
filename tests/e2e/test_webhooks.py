"""Signed outbound webhooks (issue 17 §2, docs/WEBHOOKS.md), on SQLite and
PostgreSQL, against a local receiver started here that answers 200, 500,
a wrong status or nothing (a timeout) on request.

The waits are shortened with the test knobs: ADUAN_WEBHOOK_BACKOFF_SCALE
(the 30 s first retry becomes about a second), ADUAN_WEBHOOK_TIMEOUT (a
2 s timeout) and ADUAN_WEBHOOK_PAUSE_AFTER (8 failures in a row pause a
subscription instead of 100; the default count is tested in
tests/unit/test_webhooks.c)."""

import importlib.util
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from aduan_e2e import Client, pg_available, wait_until
from test_emergency import report_fire
from test_survey import answer_all, report, resolve, wait_text
from wa_helpers import Citizen, message, start

ENV = {"ADUAN_WEBHOOK_BACKOFF_SCALE": "0.034", "ADUAN_WEBHOOK_TIMEOUT": "2",
       "ADUAN_WEBHOOK_PAUSE_AFTER": "8", "ADUAN_SCHED_TICK_MS": "200"}
ALL = ["case.created", "case.status_changed", "case.assigned", "case.note_public",
       "message.received", "survey.submitted", "sla.breached",
       "case.lapor_updated"]  # issue 17 §3: tests/e2e/test_webhooks_lapor.py
SECRET = "rahasia-penerima-uji-0123"


def _receiver_module():
    path = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "webhook-receiver.py")
    spec = importlib.util.spec_from_file_location("webhook_receiver", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


verify = _receiver_module().verify


class Receiver:
    """Records every request; answers by path: /ok 200, /fail 500, /wrong
    400, /flaky/N 500 to the first N tries of each delivery then 200,
    /slow the first try of each delivery after 4 s (past the timeout)."""

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        outer = self

        class H(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                did = self.headers.get("X-Aduan-Delivery")
                with outer.lock:
                    tries = sum(1 for r in outer.requests
                                if r["path"] == self.path and r["id"] == did)
                    rec = {"path": self.path, "id": did, "body": body,
                           "event": self.headers.get("X-Aduan-Event"),
                           "sig": self.headers.get("X-Aduan-Signature"),
                           "type": self.headers.get("Content-Type"), "status": None}
                    outer.requests.append(rec)
                status = 200
                if self.path == "/fail":
                    status = 500
                elif self.path == "/wrong":
                    status = 400
                elif self.path.startswith("/flaky/"):
                    status = 500 if tries < int(self.path.split("/")[2]) else 200
                elif self.path == "/slow" and tries == 0:
                    time.sleep(4)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                    rec["status"] = status
                except OSError:
                    rec["status"] = "gone"

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def on(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def delivered(self, path):
        """Bodies answered 2xx, by delivery id (a list per id)."""
        out = {}
        for r in self.on(path):
            if r["status"] == 200:
                out.setdefault(r["id"], []).append(r)
        return out

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(params=["sqlite", "postgres"])
def hook_desk(request, tmp_path):
    if request.param == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    srv, graph = start(tmp_path, request.param, extra_env=ENV)
    rcv = Receiver()
    yield srv, graph, rcv
    rcv.stop()
    try:
        assert not srv.stop()
    finally:
        graph.stop()


def login(srv, who):
    c = Client(srv.port)
    assert c.login(who).status == 200, who
    return c


def subscribe(client, url, events=ALL, **more):
    body = dict({"url": url, "events": events, "secret": SECRET}, **more)
    r = client.post("/api/v1/webhooks", json=body)
    assert r.status == 201, r
    return r.json


def test_every_event_signed_and_without_personal_data(hook_desk):
    srv, graph, rcv = hook_desk
    admin, sa = login(srv, "admin.satpolpp"), login(srv, "superadmin")
    agency = admin.get("/api/v1/webhooks").json
    assert agency["event_types"] == ALL and agency["webhooks"] == []
    plain = subscribe(admin, rcv.url("/plain"))
    assert plain["trusted"] is False and plain["state"] == "active" and "secret" not in plain
    trusted = subscribe(sa, rcv.url("/trusted"), trusted=True, agency_id=plain["agency_id"])
    assert trusted["trusted"] is True
    # A WhatsApp report, its handling, a message on it, the survey.
    w = Citizen(srv, graph, "6281377000077", name="Budi Santoso")
    cid, code = report(w)
    upd, _ = resolve(srv, graph, w, cid)
    since = graph.last_seq()
    w.post(message(w.wa_id, "interactive", id="res:yes:%d" % cid, button=True))
    q1 = wait_text(graph, w, since, "(1/9)")
    answer_all(graph, w, cid, q1, [4, 3, 4, 4, 3, 4, 4, 3, 4], "Petugas cepat")
    # A message on a case: more words after an emergency report (Damkar's).
    damkar = login(srv, "admin.damkar")
    fire_plain = subscribe(damkar, rcv.url("/damkar"), events=["message.received"])
    fw, fire = report_fire(srv, graph, "6281377000078")
    fw.text("Apinya sudah menjalar ke rumah sebelah")
    wait_until(lambda: [r for r in rcv.on("/damkar") if r["status"] == 200], timeout=30)
    got = [json.loads(r["body"]) for r in rcv.on("/damkar")]
    assert {g["type"] for g in got} == {"message.received"}
    assert got[0]["data"]["case"]["id"] == fire["id"]
    assert fire_plain["agency_id"] != plain["agency_id"]
    # An SLA breach: a policy of seconds on another category's new case.
    perda = admin.category_id("perda")
    r = admin.post("/api/v1/categories/%d/sla" % perda,
                   json={"verify": {"amount": 2, "unit": "seconds"}, "due_soon_pct": 50})
    assert r.status == 200, r
    late = admin.create_case(category_id=perda, description="Reklame liar di trotoar",
                             address="Jl. Merdeka")["id"]
    # A rahasia case: its place goes only to a trusted subscriber.
    hidden = admin.create_case(category_id=admin.category_id("pkl"), rahasia=True,
                               description="Lapak di depan rumah pelapor", address="Gang Anggrek 7",
                               lat=-2.3364123, lon=115.4669871)["id"]

    def created_of(path, case_id):
        return [json.loads(r["body"])["data"]["case"] for r in rcv.on(path)
                if r["status"] == 200 and r["event"] == "case.created"
                and json.loads(r["body"])["data"]["case"]["id"] == case_id]

    def types(path):
        return {r["event"] for r in rcv.on(path) if r["status"] == 200}

    # Satpol PP's cases: no emergency; the LAPOR! liaison's changes are
    # test_webhooks_lapor.py's.
    want = set(ALL) - {"message.received", "case.lapor_updated"}
    try:
        wait_until(lambda: types("/plain") >= want and types("/trusted") >= want, timeout=60)
    except AssertionError:
        raise AssertionError("missing: %s / %s" % (want - types("/plain"),
                                                   want - types("/trusted")))
    for path in ("/plain", "/trusted"):
        for rec in rcv.on(path):
            assert rec["type"] == "application/json"
            assert verify(SECRET, rec["sig"], rec["body"]), rec
            assert not verify(SECRET + "x", rec["sig"], rec["body"])
            ev = json.loads(rec["body"])
            assert ev["id"] == rec["id"] and ev["type"] == rec["event"]
            assert ev["created_at"] and ev["data"]["case"]["id"] in (cid, late, hidden)
    # Nothing personal in the untrusted deliveries; the trusted ones carry it.
    plain_bodies = b"".join(r["body"] for r in rcv.on("/plain"))
    assert b"Budi Santoso" not in plain_bodies and b"6281377000077" not in plain_bodies
    assert b'"reporter"' not in plain_bodies
    trusted_bodies = b"".join(r["body"] for r in rcv.on("/trusted"))
    assert b"Budi Santoso" in trusted_bodies and b"6281377000077" in trusted_bodies
    wait_until(lambda: created_of("/plain", hidden) and created_of("/trusted", hidden), timeout=30)
    secret_plain, secret_trusted = created_of("/plain", hidden)[0], created_of("/trusted", hidden)[0]
    assert secret_plain["address"] is None and secret_plain["location"] is None
    assert secret_trusted["address"] == "Gang Anggrek 7"
    assert secret_trusted["location"] == {"lat": -2.3364123, "lon": 115.4669871}
    # Any other point is rounded for an untrusted subscriber, as on /t/.
    for c in (created_of("/plain", cid) or []):
        if c["location"]:
            assert c["location"]["lat"] == round(c["location"]["lat"], 3)
    # The event's own change is in the body.
    notes = [json.loads(r["body"]) for r in rcv.on("/plain") if r["event"] == "case.note_public"]
    assert any(n["data"]["event"]["public_note"] == "Para pemuda dibubarkan dan diberi pembinaan"
               and n["data"]["event"]["to_status"] == "resolved" for n in notes), notes
    created = [json.loads(r["body"]) for r in rcv.on("/plain") if r["event"] == "case.created"]
    assert {c["data"]["case"]["tracking_code"].replace("-", "") for c in created} >= {
        code.replace("-", "")}
    # What a LAPOR! bridge needs (issue 17 §3): the class and the tracking id.
    assert all(c["data"]["case"]["lapor_class"] == "pengaduan"
               and "lapor_tracking_id" in c["data"]["case"] for c in created)
    # Each delivery once (the receiver answered 200 every time).
    assert all(len(v) == 1 for v in rcv.delivered("/plain").values())
    # The delivery log shows them with their status codes.
    log = admin.get("/api/v1/webhooks/%d/deliveries" % plain["id"]).json["deliveries"]
    assert log and all(d["state"] == "delivered" and d["last_status"] == 200 for d in log
                       if d["state"] != "pending")
    # Metrics count them.
    m = Client(srv.port).get("/metrics").body.decode()
    assert 'aduan_webhook_deliveries_total{result="delivered"}' in m


def test_retries_timeouts_exactly_once_and_pause(hook_desk):
    srv, graph, rcv = hook_desk
    admin = login(srv, "admin.satpolpp")
    flaky = subscribe(admin, rcv.url("/flaky/2"), events=["case.created"])
    slow = subscribe(admin, rcv.url("/slow"), events=["case.created"])
    wrong = subscribe(admin, rcv.url("/wrong"), events=["case.created"])
    ids = [admin.create_case(category_id=admin.category_id("pkl"),
                             description="Pedagang di bahu jalan %d" % i,
                             address="Jl. Pasar")["id"] for i in range(3)]
    wait_until(lambda: len(rcv.delivered("/flaky/2")) == 3 and len(rcv.delivered("/slow")) == 3,
               timeout=60)
    for path in ("/flaky/2", "/slow"):
        got = rcv.delivered(path)
        assert all(len(v) == 1 for v in got.values()), got  # once per delivery id
        seen = {json.loads(v[0]["body"])["data"]["case"]["id"] for v in got.values()}
        assert seen == set(ids)
        # A retry sends the same bytes under the same id.
        for r in rcv.on(path):
            assert r["body"] == got[r["id"]][0]["body"]
    assert len(rcv.on("/flaky/2")) == 9
    assert admin.get("/api/v1/webhooks").json["webhooks"][0]["state"] == "active"
    log = admin.get("/api/v1/webhooks/%d/deliveries" % flaky["id"]).json["deliveries"]
    assert [d["attempts"] for d in log] == [3, 3, 3] and {d["state"] for d in log} == {"delivered"}
    # The wrong answer (400) is retried until 8 failures in a row pause it
    # (the flaky one, 6 at most in a row, was not).
    wait_until(lambda: admin.get("/api/v1/webhooks").json["webhooks"][2]["state"] == "paused",
               timeout=60)
    sub = [s for s in admin.get("/api/v1/webhooks").json["webhooks"] if s["id"] == wrong["id"]][0]
    assert sub["consecutive_failures"] == 8 and sub["paused_at"] and sub["pending"] >= 1
    log = admin.get("/api/v1/webhooks/%d/deliveries" % wrong["id"]).json["deliveries"]
    assert all(d["last_status"] == 400 and "HTTP 400" in d["last_error"] for d in log
               if d["attempts"])
    sa = login(srv, "superadmin")
    audit = sa.get("/api/v1/admin/audit", params={"action": "webhook_paused"}).json
    assert any(e.get("target") == "webhook:%d" % wrong["id"] for e in audit["items"]), audit
    # Paused: nothing more goes out; new events queue no deliveries.
    n = len(rcv.on("/wrong"))
    time.sleep(2)
    assert len(rcv.on("/wrong")) == n
    # Resumed at a receiver that now answers 200: the queue is delivered.
    r = admin.post("/api/v1/webhooks/%d" % wrong["id"], json={"url": rcv.url("/ok")})
    assert r.status == 200 and r.json["state"] == "paused"
    r = admin.post("/api/v1/webhooks/%d/resume" % wrong["id"], json={})
    assert r.status == 200 and r.json["state"] == "active" and r.json["consecutive_failures"] == 0
    wait_until(lambda: len(rcv.delivered("/ok")) == 3, timeout=30)
    # "Kirim ulang": a delivered one goes again, same id and body.
    d = admin.get("/api/v1/webhooks/%d/deliveries" % slow["id"]).json["deliveries"][0]
    r = admin.post("/api/v1/webhooks/deliveries/%d/retry" % d["id"], json={})
    assert r.status == 200 and r.json["state"] == "pending", r
    wait_until(lambda: len(rcv.delivered("/slow")[d["delivery_id"]]) == 2, timeout=30)
    again = rcv.delivered("/slow")[d["delivery_id"]]
    assert again[0]["body"] == again[1]["body"]
    r = admin.post("/api/v1/webhooks/deliveries/%d/retry" % d["id"], json={})
    assert r.status in (200, 409)


def test_bad_input_and_roles(hook_desk):
    srv, graph, rcv = hook_desk
    admin, damkar, sa = login(srv, "admin.satpolpp"), login(srv, "admin.damkar"), login(
        srv, "superadmin")
    kabid = login(srv, "kabid.satpolpp")
    ok = {"url": rcv.url("/ok"), "events": ["case.created"], "secret": SECRET}
    bad = [
        ({"url": "ftp://example.org/x"}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "http://exa mple.org/"}, "url"),
        ({"url": "http://"}, "url"),
        ({"events": []}, "events"),
        ({"events": ["case.deleted"]}, "events"),
        ({"events": "case.created"}, "events"),
        ({"secret": "short"}, "secret"),
        ({"active": "yes"}, "active"),
    ]
    for change, word in bad:
        r = admin.post("/api/v1/webhooks", json=dict(ok, **change))
        assert r.status == 400 and word in r.json["error"]["detail"], (change, r)
    r = admin.request("POST", "/api/v1/webhooks", body=b"{not json",
                      content_type="application/json")
    assert r.status == 400
    # Only a superadmin marks a subscription trusted.
    r = admin.post("/api/v1/webhooks", json=dict(ok, trusted=True))
    assert r.status == 403 and "superadmin" in r.json["error"]["detail"]
    made = admin.post("/api/v1/webhooks", json={"url": rcv.url("/ok"), "events": ["case.created"]})
    assert made.status == 201 and len(made.json["secret"]) >= 32  # generated, shown once
    sid = made.json["id"]
    listed = admin.get("/api/v1/webhooks").json["webhooks"]
    assert all("secret" not in s for s in listed)
    assert admin.post("/api/v1/webhooks/%d" % sid, json={"trusted": True}).status == 403
    r = sa.post("/api/v1/webhooks/%d" % sid, json={"trusted": True})
    assert r.status == 200 and r.json["trusted"] is True
    # Other agencies' admins and other roles see nothing of it.
    assert damkar.get("/api/v1/webhooks/%d/deliveries" % sid).status == 403
    assert damkar.post("/api/v1/webhooks/%d" % sid, json={"active": False}).status == 403
    assert damkar.request("DELETE", "/api/v1/webhooks/%d" % sid).status == 403
    assert damkar.get("/api/v1/webhooks", params={"agency": made.json["agency_id"]}).status == 403
    assert kabid.get("/api/v1/webhooks").status == 403
    assert Client(srv.port).get("/api/v1/webhooks").status == 401
    # Unknown ids.
    assert admin.get("/api/v1/webhooks/999999/deliveries").status == 404
    assert admin.post("/api/v1/webhooks/deliveries/999999/retry", json={}).status == 404
    assert admin.post("/api/v1/webhooks/999999/resume", json={}).status == 404
    # Switched off: no deliveries queued; deleted: gone.
    r = admin.post("/api/v1/webhooks/%d" % sid, json={"active": False})
    assert r.status == 200 and r.json["state"] == "inactive"
    admin.create_case(category_id=admin.category_id("pkl"), description="Tidak dikirim",
                      address="Jl. Pasar")
    time.sleep(1)
    assert admin.get("/api/v1/webhooks/%d/deliveries" % sid).json["deliveries"] == []
    assert admin.request("DELETE", "/api/v1/webhooks/%d" % sid).status == 200
    assert admin.get("/api/v1/webhooks/%d/deliveries" % sid).status == 404
    # Changes are audited by field name, never a secret's value.
    audit = sa.get("/api/v1/admin/audit", params={"action": "webhook_update"}).json["items"]
    assert any(e["target"] == "webhook:%d" % sid and "trusted" in (e["detail"] or "")
               for e in audit), audit
    made_log = sa.get("/api/v1/admin/audit", params={"action": "webhook_create"}).json["items"]
    assert made_log and SECRET not in str(made_log) and made.json["secret"] not in str(made_log)
