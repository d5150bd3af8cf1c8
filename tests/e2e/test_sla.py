"""SLA deadlines end to end (issue #6), on SQLite and PostgreSQL.

The production binary runs on the real clock: the tests give a category a
policy of a few clock seconds through the API and run the scheduler with a
short tick (ADUAN_SCHED_TICK_MS), then watch the case, its events and the
fake Graph API.
"""

import time

import pytest

from aduan_e2e import Client, pg_available, wait_until
from wa_helpers import start

KABID_WA = "6281100000102"  # kabid.satpolpp's staff number in the demo seed
TICK_MS = "200"


def login(srv, who):
    c = Client(srv.port)
    assert c.login(who).status == 200, who
    return c


def alerts_for(graph, code, word):
    """Template alerts to the supervisor about one case (by tracking code)."""
    out = []
    # Accepted sends only: a retried attempt is the same alert.
    for m in graph.messages(to=KABID_WA, type="template", status=200):
        t = m["template"]
        params = [p["text"] for p in t["components"][0]["parameters"]]
        if t["name"] == "aduan_sla_alert" and params[0] == code and word in params[1]:
            out.append(params)
    return out


def actions(case):
    return [e["action"] for e in case["events"]]


@pytest.fixture(params=["sqlite", "postgres"])
def sla_desk(request, tmp_path):
    if request.param == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    srv, graph = start(tmp_path, request.param, extra_env={"ADUAN_SCHED_TICK_MS": TICK_MS})
    yield srv, graph
    try:
        assert not srv.stop()
    finally:
        graph.stop()


def test_unverified_complaint_escalates_to_supervisor_once(sla_desk):
    srv, graph = sla_desk
    admin, kabid, trc = login(srv, "admin.satpolpp"), login(srv, "kabid.satpolpp"), login(
        srv, "trc.satpolpp")
    perda = admin.category_id("perda")
    r = admin.post("/api/v1/categories/%d/sla" % perda,
                   json={"verify": {"amount": 8, "unit": "seconds"}, "due_soon_pct": 50,
                         "autoclose": {"amount": 3, "unit": "seconds"}})
    assert r.status == 200, r
    assert r.json["source"] == "category" and r.json["verify"] == {"amount": 8, "unit": "seconds"}

    case = admin.create_case(category_id=perda, description="Warung buka melewati jam Perda.")
    code = case["tracking_code"]
    assert case["sla_state"] == "on_time"
    assert case["sla"]["stage"] == "verify" and case["sla"]["escalation"] == "none"
    assert case["sla"]["due_at"] and case["sla"]["due_soon_at"] and case["sla"]["current"]

    # Half-way: the supervisor is told on WhatsApp (an approved template:
    # staff are outside the 24-hour window) and the case records it.
    soon = wait_until(lambda: alerts_for(graph, code, "Segera jatuh tempo"))
    assert "menunggu verifikasi" in soon[0][1]
    c = admin.case(case["id"])
    assert "sla_due_soon" in actions(c)
    # At the deadline: a breach, recorded as an internal event.
    wait_until(lambda: alerts_for(graph, code, "LEWAT BATAS WAKTU"))
    c = wait_until(lambda: (lambda x: x if "sla_breach" in actions(x) else None)(
        admin.case(case["id"])))
    assert c["sla_state"] == "overdue" and c["sla"]["escalation"] == "breach"
    ev = [e for e in c["events"] if e["action"] == "sla_breach"][0]
    assert ev["public"] is False and ev["actor_id"] is None and ev["to_status"] == "received"
    listed = [x for x in admin.list_cases()["items"] if x["id"] == case["id"]][0]
    assert listed["sla_state"] == "overdue"
    # The supervisor's list of what is late.
    r = kabid.get("/api/v1/sla/attention", params={"state": "overdue"})
    assert r.status == 200, r
    late = [x for x in r.json["items"] if x["id"] == case["id"]]
    assert late and late[0]["stage"] == "verify" and late[0]["escalation"] == "breach"
    assert late[0]["tracking_code"] == code

    # Many ticks later: still one of each, event and message.
    time.sleep(1.5)
    c = admin.case(case["id"])
    assert actions(c).count("sla_breach") == 1 and actions(c).count("sla_due_soon") == 1
    assert len(alerts_for(graph, code, "LEWAT BATAS WAKTU")) == 1
    assert len(alerts_for(graph, code, "Segera jatuh tempo")) == 1

    # Verified: the next step has its own deadline, nothing escalated yet.
    c = admin.act(case["id"], "verify")
    assert c["sla"]["stage"] == "dispatch" and c["sla"]["escalation"] == "none"
    assert c["sla_state"] == "on_time" and c["sla"]["resolve_due_at"]

    # Resolved, and no word from the reporter: the case closes by itself.
    team = kabid.team_id("TRC Pos Paringin")
    kabid.act(case["id"], "dispatch", team_id=team)
    trc.act(case["id"], "start")
    c = trc.act(case["id"], "resolve", public_note="Warung sudah ditertibkan.")
    assert c["sla"]["stage"] == "autoclose" and c["sla_state"] is None
    # (The deadline is cleared just after the close, by the same tick.)
    c = wait_until(lambda: (lambda x: x if x["status"] == "closed" and x["sla"]["stage"] is None
                            else None)(admin.case(case["id"])))
    last = c["events"][-1]
    assert last["action"] == "close" and last["actor_id"] is None and last["public"] is True
    assert c["sla"]["stage"] is None and c["sla_state"] is None


def test_emergency_breach_without_supervisor_number(sla_desk):
    """Damkar has no supervisor: the breach is still recorded, once."""
    srv, graph = sla_desk
    admin = login(srv, "admin.damkar")
    fire = admin.category_id("kebakaran")
    assert admin.post("/api/v1/categories/%d/sla" % fire,
                      json={"dispatch": {"amount": 1, "unit": "seconds"},
                            "action": {"amount": 1, "unit": "seconds"}}).status == 200
    case = admin.create_case(category_id=fire, description="Api di gudang kayu.")
    # An emergency goes straight to the nearest crew on duty (dispatch
    # rules): its clock is then the first field action.
    assert case["sla"]["stage"] in ("dispatch", "action")
    c = wait_until(lambda: (lambda x: x if "sla_breach" in actions(x) else None)(
        admin.case(case["id"])))
    time.sleep(0.6)
    assert actions(admin.case(case["id"])).count("sla_breach") == 1
    assert c["sla_state"] == "overdue"


def test_two_instances_escalate_once(tmp_path):
    """Two `aduan serve` on one PostgreSQL database, both ticking fast:
    every due-soon notice and breach happens once, event and message."""
    import os

    import aduan_e2e
    from aduan_e2e import Server
    from graph_client import FakeGraph
    from wa_helpers import SECRET

    if not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    url = aduan_e2e.pg_database()
    graph = FakeGraph(token="graph-token")
    env = {"ADUAN_DATABASE_URL": url, "ADUAN_SCHED_TICK_MS": "50",
           "ADUAN_WA_APP_SECRET": SECRET, "ADUAN_WA_VERIFY_TOKEN": "v",
           "ADUAN_WA_GRAPH_URL": graph.base_url, "ADUAN_WA_ACCESS_TOKEN": "graph-token"}
    a, b = Server(tmp_path / "a", env), Server(tmp_path / "b", env)
    os.makedirs(a.workdir)
    os.makedirs(b.workdir)
    try:
        a.init(demo=True)
        a.start()
        b.start()
        admin = login(a, "admin.satpolpp")
        perda = admin.category_id("perda")
        assert admin.post("/api/v1/categories/%d/sla" % perda,
                          json={"verify": {"amount": 2, "unit": "seconds"}}).status == 200
        cases = [admin.create_case(category_id=perda, description="Kasus %d" % i)
                 for i in range(5)]
        for case in cases:
            wait_until(lambda: "sla_breach" in actions(admin.case(case["id"])))
        time.sleep(1.0)
        for case in cases:
            acts = actions(admin.case(case["id"]))
            assert acts.count("sla_breach") == 1, acts
            assert acts.count("sla_due_soon") <= 1, acts
            wait_until(lambda: alerts_for(graph, case["tracking_code"], "LEWAT BATAS WAKTU"))
            assert len(alerts_for(graph, case["tracking_code"], "LEWAT BATAS WAKTU")) == 1
    finally:
        problems = a.stop() + b.stop()
        graph.stop()
    assert not problems, problems


def test_reporter_reply_delays_autoclose(sla_desk):
    """A report made over WhatsApp gets its deadline within a tick; once
    resolved, a message from the reporter restarts the auto-close wait."""
    import re

    from wa_helpers import Citizen, text_of

    def complete_report(w):
        w.text("halo")
        w.tap("menu:report")
        w.tap("consent:yes", button=True)
        w.tap("cat:1")
        w.text("Keributan di depan pasar setiap malam minggu")
        w.say("location", lat=-2.33, lon=115.46)
        w.tap("photos:skip", button=True)
        return text_of(w.tap("confirm:send", button=True)[0])

    srv, graph = sla_desk
    admin, kabid, trc = login(srv, "admin.satpolpp"), login(srv, "kabid.satpolpp"), login(
        srv, "trc.satpolpp")
    k = admin.category_id("trantibum")
    assert admin.post("/api/v1/categories/%d/sla" % k,
                      json={"autoclose": {"amount": 6, "unit": "seconds"}}).status == 200
    w = Citizen(srv, graph, "6281234500777", name="Sari")
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", complete_report(w)).group(0)
    case = [c for c in admin.all_cases() if c["tracking_code"] == code][0]
    # Created by the WhatsApp worker, not the API: the scheduler gives it
    # its deadline on its next tick.
    c = wait_until(lambda: (lambda x: x if x["sla"] and x["sla"]["current"] else None)(
        admin.case(case["id"])))
    assert c["sla"]["stage"] == "verify" and c["channel"] == "whatsapp"
    admin.act(case["id"], "verify")
    kabid.act(case["id"], "dispatch", team_id=kabid.team_id("TRC Pos Paringin"))
    trc.act(case["id"], "start")
    resolved = trc.act(case["id"], "resolve", public_note="Sudah ditertibkan.")
    first_due = resolved["sla"]["due_at"]
    time.sleep(1.0)
    w.text("Terima kasih, tapi masih ramai tadi malam")
    c = wait_until(lambda: (lambda x: x if x["sla"]["due_at"] != first_due or
                            x["status"] == "closed" else None)(admin.case(case["id"])))
    assert c["status"] == "resolved", "the reply must hold the auto-close"
    assert c["sla"]["stage"] == "autoclose" and c["sla"]["due_at"] > first_due
    c = wait_until(lambda: (lambda x: x if x["status"] == "closed" else None)(
        admin.case(case["id"])))
    assert c["events"][-1]["action"] == "close"
