"""Kill -9 between a case's commit and what must follow it (issue 15 item
4): the reporter's confirmation, the team's alert and the reporter's
"dispatched" update are written with the case (outbox rows, and the
new-case rules as a row a worker runs), so after a restart every notice
goes out exactly once, as without the crash. Both engines, against the
fake Graph API.

The crash is the test-only hook ADUAN_TEST_CRASH_AT=case_commit
(src/core/proc.h): the process _exits right after the commit of a new
case, as kill -9 would end it there."""

import re
import time

import pytest

from aduan_e2e import Client, pg_available
from wa_helpers import DAMKAR, Citizen, message, start, text_of

REGU, REGU2, BATUMANDI = "6281100000201", "6281100000203", "6281100000202"
FIRE = (-2.3620, 115.4410)
CODE_RE = re.compile(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*")


@pytest.fixture(params=["sqlite", "postgres"])
def crashing(request, tmp_path):
    if request.param == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    srv, graph = start(tmp_path, request.param, extra_env={"ADUAN_TEST_CRASH_AT": "case_commit"})
    yield srv, graph
    try:
        assert not srv.stop()
    finally:
        graph.stop()


def crashed(srv, timeout=20):
    deadline = time.monotonic() + timeout
    while srv.proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    rc = srv.proc.poll()
    assert rc == 86, (rc, srv.read_stderr()[-3000:])
    assert "ADUAN_TEST_CRASH_AT" in srv.read_stderr()
    srv._close_files()
    srv.proc = None


def restart(srv):
    del srv.extra_env["ADUAN_TEST_CRASH_AT"]
    srv.start()


def alerts(graph, to, since):
    return [m for m in graph.messages(to=to, since=since)
            if m.get("type") == "template" and m["template"]["name"] == "aduan_darurat"]


def settle(count, want, timeout=15):
    """Waits until count() reaches want, then a little longer: it stays."""
    deadline = time.monotonic() + timeout
    while count() < want and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(2)
    return count()


def test_whatsapp_report_crash_after_commit(crashing):
    srv, graph = crashing
    w = Citizen(srv, graph, "6281234569001", pnid=DAMKAR)
    w.text("menu")
    w.tap("menu:report")
    cats = w.tap("consent:yes", button=True)[0]
    rows = cats["interactive"]["action"]["sections"][0]["rows"]
    fire = [r["id"] for r in rows if "DARURAT" in (r.get("description") or "")][0]
    w.tap(fire)
    since = graph.last_seq()
    # The location makes the case; the worker dies right after its commit,
    # before any reply, alert or rule.
    w.post(message(w.wa_id, "location", lat=FIRE[0], lon=FIRE[1], address="Desa Batu Piring"))
    crashed(srv)
    assert not graph.messages(to=w.wa_id, since=since)
    assert not alerts(graph, REGU, since)
    restart(srv)

    # Every notice once: the crew's alerts, the reporter's code and update.
    assert settle(lambda: len(alerts(graph, REGU, since)), 1) == 1
    assert len(alerts(graph, REGU2, since)) == 1
    assert not graph.messages(to=BATUMANDI, since=since)
    told = [text_of(m) for m in graph.messages(to=w.wa_id, since=since)]
    codes = [t for t in told if "diterima, kode" in t]
    assert len(codes) == 1, told
    assert len([t for t in told if "Didisposisikan ke tim" in t]) == 1, told
    code = CODE_RE.search(codes[0]).group(1)
    sa = Client(srv.port)
    assert sa.login("superadmin").status == 200
    case = [c for c in sa.all_cases() if c["tracking_code"] == code]
    assert len(case) == 1
    case = sa.case(case[0]["id"])
    assert case["status"] == "dispatched" and case["team"]["name"] == "Regu Damkar Paringin"
    assert len([e for e in case["events"] if e["action"] == "dispatch"]) == 1


def test_desk_case_crash_after_commit(crashing):
    srv, graph = crashing
    kasi = Client(srv.port)
    assert kasi.login("admin.damkar").status == 200
    before = {c["id"] for c in kasi.all_cases()}
    since = graph.last_seq()
    body = {"category_id": kasi.category_id("kebakaran"), "channel": "phone",
            "description": "Gudang terbakar, asap tebal", "lat": FIRE[0], "lon": FIRE[1]}
    try:
        r = kasi.post("/api/v1/cases", json=body)
        answered = r.status
    except OSError:
        answered = None  # the process died before its answer
    assert answered is None or answered >= 500, answered
    crashed(srv)
    restart(srv)
    # The worker runs the rules the request did not get to: one alert each.
    assert settle(lambda: len(alerts(graph, REGU, since)), 1) == 1
    assert len(alerts(graph, REGU2, since)) == 1
    kasi = Client(srv.port)
    assert kasi.login("admin.damkar").status == 200
    fires = [c for c in kasi.all_cases() if c["id"] not in before]
    assert len(fires) == 1, fires
    case = kasi.case(fires[0]["id"])
    assert case["status"] == "dispatched" and case["team"]["name"] == "Regu Damkar Paringin"
