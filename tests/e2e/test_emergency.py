"""Emergencies end to end (issue #6): a fire reported over WhatsApp goes
straight to the nearest on-duty crew, whose members get an alert with
"Terima" / "Tidak bisa"; the first to accept owns it; a second report of
the same fire follows the first; the officer finishes over WhatsApp; an
alert nobody accepts moves on to the next crew. Both engines, against the
fake Graph API.

Demo (src/domain/seed.c): the Damkar crews Paringin (regu.damkar,
regu2.damkar) and Batu Mandi (regu.batumandi) are on duty around the
clock; kasi.damkar is their supervisor."""

import re
import time

import pytest

from aduan_e2e import Client, fixture_image, pg_available
from wa_helpers import (DAMKAR, SATPOLPP, Citizen, alert_parts, message, start, superadmin,
                        text_of)

REGU, REGU2, BATUMANDI, KASI = "6281100000201", "6281100000203", "6281100000202", "6281100000204"
TRC = "6281100000101"
# Desa Batu Piring: the Paringin post is 3.2 km away, Batu Mandi 7.4 km.
FIRE = (-2.3620, 115.4410)
CODE_RE = re.compile(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*")


def _serve(request, tmp_path, accept_seconds):
    if request.param == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    return start(tmp_path, request.param,
                 extra_env={"ADUAN_ALERT_ACCEPT_SECONDS": str(accept_seconds)})


def _stop(srv, graph):
    try:
        assert not srv.stop()
    finally:
        graph.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def desk(request, tmp_path):
    """Alerts wait the default five minutes: nothing escalates here."""
    srv, graph = _serve(request, tmp_path, 300)
    yield srv, graph
    _stop(srv, graph)


@pytest.fixture(params=["sqlite", "postgres"])
def fast(request, tmp_path):
    """Alerts wait two seconds before the next crew is called."""
    srv, graph = _serve(request, tmp_path, 2)
    yield srv, graph
    _stop(srv, graph)


def report_fire(srv, graph, wa_id, where=FIRE, pnid=DAMKAR):
    """A citizen reports a fire through the dialogue; returns the case."""
    w = Citizen(srv, graph, wa_id, pnid=pnid)
    w.text("menu")
    w.tap("menu:report")
    cats = w.tap("consent:yes", button=True)[0]
    rows = cats["interactive"]["action"]["sections"][0]["rows"]
    fire = [r["id"] for r in rows if "DARURAT" in (r.get("description") or "")][0]
    w.tap(fire)
    done = w.say("location", lat=where[0], lon=where[1], address="Desa Batu Piring")
    code = CODE_RE.search(text_of(done[0])).group(1)
    sa = superadmin(srv)
    case = [c for c in sa.all_cases() if c["tracking_code"] == code][0]
    return w, sa.case(case["id"])


def staff(srv, graph, wa_id):
    return Citizen(srv, graph, wa_id, pnid=DAMKAR, name="Petugas")


def press(officer, payload, title):
    """Taps a quick-reply button of a template (webhook type "button")."""
    return officer.say("button", payload={"payload": payload, "text": title})


def wait_case(client, case_id, pred, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        c = client.case(case_id)
        if pred(c) or time.monotonic() > deadline:
            return c
        time.sleep(0.1)


def is_sla_alert(m):
    return m.get("type") == "template" and m["template"]["name"] == "aduan_sla_alert"


def kasi_messages(graph, since):
    """What the Damkar supervisor got, leaving out SLA alerts (the demo's
    own emergency is hours overdue when the server starts)."""
    return [m for m in graph.messages(to=KASI, since=since) if not is_sla_alert(m)]


def test_fire_alert_accept_follower_and_resolve_over_whatsapp(desk):
    srv, graph = desk
    since = graph.last_seq()
    t0 = time.monotonic()
    citizen, case = report_fire(srv, graph, "6281234560001")
    cid = case["id"]
    # Straight to the nearest on-duty crew, by the system, told to the reporter.
    assert case["kind"] == "emergency" and case["status"] == "dispatched"
    assert case["team"]["name"] == "Regu Damkar Paringin"
    dispatch = [e for e in case["events"] if e["action"] == "dispatch"]
    assert len(dispatch) == 1 and dispatch[0]["actor_id"] is None
    assert dispatch[0]["from_status"] == "received" and dispatch[0]["public"] is True
    assert "Regu Damkar Paringin" in dispatch[0]["note"] and "km" in dispatch[0]["note"]
    assert case["dispatch"]["alert_round"] == 1 and case["dispatch"]["accepted_by"] is None

    # Both on-duty members of that crew get the alert within a second or
    # two; the other crew and the supervisor do not.
    for num in (REGU, REGU2):
        alert = graph.wait_messages(to=num, since=since, timeout=5)[0]
        name, body, payloads = alert_parts(alert)
        assert name == "aduan_darurat"
        assert body[0] == "Kebakaran"
        assert "https://www.google.com/maps?q=-2.362000,115.441000" in body[1]
        assert body[2] == case["tracking_code"]
        assert payloads == ["staff:accept:%d" % cid, "staff:decline:%d" % cid]
    assert time.monotonic() - t0 < 15
    assert not graph.messages(to=BATUMANDI, since=since)
    # (The supervisor may hear about the demo's older, overdue emergency.)
    assert not kasi_messages(graph, since)
    # The citizen heard that a crew is on its way.
    told = [text_of(m) for m in graph.messages(to=citizen.wa_id, since=since)]
    assert any("Didisposisikan ke tim" in t for t in told), told

    # The first to accept owns it; the second is told it was taken.
    regu, regu2 = staff(srv, graph, REGU), staff(srv, graph, REGU2)
    since_accept = graph.last_seq()
    ok = text_of(press(regu, "staff:accept:%d" % cid, "Terima")[0])
    assert "menerima tugas" in ok and case["tracking_code"] in ok
    # The other crew member hears at once that it is taken.
    taken = graph.wait_messages(to=REGU2, since=since_accept, timeout=5)[0]
    assert taken["type"] == "template" and taken["template"]["name"] == "aduan_info_petugas"
    params = [p["text"] for p in taken["template"]["components"][0]["parameters"]]
    assert params[0] == case["tracking_code"]
    assert "sudah diterima oleh Anggota Regu Damkar Paringin" in params[1]
    late = text_of(press(regu2, "staff:accept:%d" % cid, "Terima")[0])
    assert "sudah diterima oleh Anggota Regu Damkar Paringin" in late
    again = text_of(press(regu, "staff:accept:%d" % cid, "Terima")[0])
    assert "sudah menerima" in again
    damkar = Client(srv.port)
    assert damkar.login("admin.damkar").status == 200
    c = damkar.case(cid)
    assert c["dispatch"]["accepted_by"]["name"] == "Anggota Regu Damkar Paringin"
    assert c["dispatch"]["response_seconds"]["to_accept"] >= 0
    assert c["dispatch"]["alert_at"] is None
    accepts = [e for e in c["events"] if e["action"] == "accept"]
    assert len(accepts) == 1 and accepts[0]["public"] is False

    # A second driver reports the same fire 80 m away: a follower, told
    # that it is already being handled; no second alert goes out.
    since2 = graph.last_seq()
    other, dup = report_fire(srv, graph, "6281234560002", where=(-2.3627, 115.4412))
    assert dup["dispatch"]["duplicate_of"] == cid and dup["dispatch"]["follows"] == cid
    assert dup["status"] == "received"
    told = graph.wait_for(lambda r: r["kind"] == "messages" and r["json"].get("to") == other.wa_id
                          and "sudah dilaporkan" in text_of(r["json"]), since=since2)
    assert case["tracking_code"] in text_of(told[0]["json"])
    time.sleep(1.5)
    assert not graph.messages(to=REGU, since=since2)
    assert not graph.messages(to=REGU2, since=since2)
    assert damkar.case(cid)["dispatch"]["followers"] == 1

    # On site, a photo, and resolved with a note: the same lifecycle and
    # audit as the dashboard, by the officer.
    since3 = graph.last_seq()
    assert "tiba di lokasi" in text_of(regu.text("sampai")[0])
    media_id, sha = graph.add_media(fixture_image("exif-gps.jpg"), "image/jpeg")
    assert "Foto tersimpan" in text_of(regu.say("image", media_id=media_id, sha256=sha)[0])
    ask = text_of(regu.text("selesai")[0])
    assert "SELESAI <hasil>" in ask and "dikirim ke pelapor" in ask
    done = text_of(regu.text("selesai Api padam, tidak ada korban")[0])
    assert "selesai ditangani" in done and "Api padam, tidak ada korban" in done
    c = wait_case(damkar, cid, lambda c: c["attachments"] and
                  c["attachments"][0]["state"] == "stored")
    assert c["status"] == "resolved"
    mine = [e for e in c["events"] if e["action"] in ("start", "resolve")]
    assert [e["action"] for e in mine] == ["start", "resolve"]
    assert all(e["actor_name"] == "Anggota Regu Damkar Paringin" for e in mine)
    # SELESAI's text is the result the reporter reads (issue #13).
    assert mine[1]["public_note"] == "Api padam, tidak ada korban" and mine[1]["note"] is None
    assert c["dispatch"]["on_site_at"] is not None
    assert c["dispatch"]["response_seconds"]["to_on_site"] >= 0
    assert [(a["source"], a["state"]) for a in c["attachments"]] == [("officer", "stored")]
    # Both reporters hear that it is resolved: the master's and the follower.
    for who in (citizen.wa_id, other.wa_id):
        got = graph.wait_for(lambda r, w=who: r["kind"] == "messages" and r["json"].get("to") == w
                             and "Selesai ditangani" in text_of(r["json"]), since=since3)
        assert case["tracking_code"] in text_of(got[0]["json"])


def test_unaccepted_alert_escalates_to_the_next_crew(fast):
    srv, graph = fast
    since = graph.last_seq()
    _, case = report_fire(srv, graph, "6281234560003")
    cid = case["id"]
    assert case["team"]["name"] == "Regu Damkar Paringin"
    graph.wait_messages(to=REGU, since=since, timeout=5)
    # Nobody at Paringin answers: after two seconds Batu Mandi is called
    # and the supervisor told.
    alert = graph.wait_messages(to=BATUMANDI, since=since, timeout=10)[0]
    assert alert_parts(alert)[2] == ["staff:accept:%d" % cid, "staff:decline:%d" % cid]
    boss = graph.wait_for(lambda r: r["kind"] == "messages" and r["json"].get("to") == KASI
                          and not is_sla_alert(r["json"]), since=since, timeout=5)[0]["json"]
    assert boss["type"] == "template" and boss["template"]["name"] == "aduan_info_petugas"
    assert "Regu Damkar Batu Mandi" in boss["template"]["components"][0]["parameters"][1]["text"]
    sa = superadmin(srv)
    c = sa.case(cid)
    assert c["status"] == "dispatched" and c["team"]["name"] == "Regu Damkar Batu Mandi"
    assert c["dispatch"]["alert_round"] >= 2
    teams = [e["team_id"] for e in c["events"] if e["action"] == "dispatch"]
    assert len(teams) == 2 and teams[0] != teams[1]

    # A late accept from Paringin is refused: the case is Batu Mandi's now.
    late = text_of(press(staff(srv, graph, REGU), "staff:accept:%d" % cid, "Terima")[0])
    assert "tim lain" in late
    # Nobody else is on duty: alerting ends, the supervisor is told again,
    # and nothing more is sent.
    c = wait_case(sa, cid, lambda c: any(e["action"] == "alert_exhausted" for e in c["events"]))
    assert any(e["action"] == "alert_exhausted" for e in c["events"]), c["events"]
    assert c["status"] == "dispatched" and c["dispatch"]["alert_at"] is None
    assert len(kasi_messages(graph, since)) == 2
    n = len(graph.messages(since=since))
    time.sleep(3)
    assert len(graph.messages(since=since)) == n
    # Batu Mandi can still take it.
    ok = text_of(press(staff(srv, graph, BATUMANDI), "staff:accept:%d" % cid, "Terima")[0])
    assert "menerima tugas" in ok


def test_officer_commands_refused_when_not_theirs(desk):
    srv, graph = desk
    since = graph.last_seq()
    _, case = report_fire(srv, graph, "6281234560004")
    cid = case["id"]
    graph.wait_messages(to=REGU, since=since, timeout=5)
    # Unknown case, and a garbled button.
    regu = staff(srv, graph, REGU)
    assert "Tidak ada tugas" in text_of(press(regu, "staff:accept:999999", "Terima")[0])
    assert "Tidak ada tugas" in text_of(press(regu, "staff:accept:x", "Terima")[0])
    # Staff of another agency (Satpol PP's TRC) pressing a Damkar button.
    trc = staff(srv, graph, TRC)
    r = text_of(press(trc, "staff:accept:%d" % cid, "Terima")[0])
    assert "bukan petugas lapangan instansi ini" in r
    # A supervisor of another agency writing to Damkar is a citizen there:
    # the citizen menu answers, nothing is accepted.
    kabid = Citizen(srv, graph, "6281100000102", pnid=DAMKAR)
    assert kabid.text("terima")[0]["type"] == "interactive"
    # The crew of another team cannot accept either.
    bm = staff(srv, graph, BATUMANDI)
    assert "tim lain" in text_of(press(bm, "staff:accept:%d" % cid, "Terima")[0])
    # "sampai" before anything is accepted still needs the case to be theirs:
    # Batu Mandi has no case in hand.
    assert "tidak sedang menangani" in text_of(bm.text("sampai")[0])
    # Resolving needs the on-site step first (the lifecycle decides).
    r = text_of(regu.text("selesai sudah padam")[0])
    assert "tidak bisa" in r
    # Free text gets the officer's help.
    assert "Perintah petugas" in text_of(regu.text("halo")[0])
    c = superadmin(srv).case(cid)
    assert c["status"] == "dispatched" and c["dispatch"]["accepted_by"] is None
    # Declining is recorded, and changes nothing else.
    assert "Tercatat" in text_of(press(regu, "staff:decline:%d" % cid, "Tidak bisa")[0])
    c = superadmin(srv).case(cid)
    assert [e["actor_name"] for e in c["events"] if e["action"] == "decline"] == [
        "Anggota Regu Damkar Paringin"]
    assert c["status"] == "dispatched" and c["dispatch"]["accepted_by"] is None


def test_inside_the_window_the_alert_is_interactive(desk):
    srv, graph = desk
    # The officer wrote to Damkar a moment ago: the 24-hour window is open.
    regu = staff(srv, graph, REGU)
    assert "Perintah petugas" in text_of(regu.text("halo")[0])
    since = graph.last_seq()
    _, case = report_fire(srv, graph, "6281234560005")
    alert = graph.wait_messages(to=REGU, since=since, timeout=5)[0]
    assert alert["type"] == "interactive"
    buttons = alert["interactive"]["action"]["buttons"]
    assert [(b["reply"]["id"], b["reply"]["title"]) for b in buttons] == [
        ("staff:accept:%d" % case["id"], "Terima"),
        ("staff:decline:%d" % case["id"], "Tidak bisa")]
    assert case["tracking_code"] in alert["interactive"]["body"]["text"]
    # The other member, outside the window, gets the template.
    assert graph.wait_messages(to=REGU2, since=since, timeout=5)[0]["type"] == "template"
    # Typing TERIMA accepts the case in hand.
    assert "menerima tugas" in text_of(regu.text("terima")[0])


def test_fire_reported_to_satpolpp_goes_to_damkar(desk):
    srv, graph = desk
    sa = superadmin(srv)
    # Satpol PP takes fire reports too, but Damkar owns them.
    r = srv.cli("category", "add", "satpolpp", "kebakaran", "--name-id", "Kebakaran",
                "--name-en", "Fire", "--kind", "emergency", "--sla-hours", "1")
    assert r.returncode == 0, r.stderr
    cats = sa.get("/api/v1/categories").json["items"]
    sp_fire = [k["id"] for k in cats if k["agency_id"] == 1 and k["code"] == "kebakaran"][0]
    dk_fire = [k["id"] for k in cats if k["agency_id"] == 2 and k["code"] == "kebakaran"][0]
    r = sa.post("/api/v1/categories/%d/forward" % sp_fire, json={"to_category_id": dk_fire})
    assert r.status == 200, r

    since = graph.last_seq()
    citizen, case = report_fire(srv, graph, "6281234560006", pnid=SATPOLPP)
    assert case["agency"]["id"] == 1 and case["status"] == "forwarded"
    fwd = [e for e in case["events"] if e["action"] == "forward"][0]
    assert fwd["actor_id"] is None and fwd["target_agency_id"] == 2 and fwd["public"] is True
    new = sa.case(case["forwarded_to"])
    assert new["agency"]["id"] == 2 and new["category"]["code"] == "kebakaran"
    assert new["forwarded_from"] == case["id"]
    # Damkar's crew is called at once, as for a report to Damkar itself.
    assert new["status"] == "dispatched" and new["team"]["name"] == "Regu Damkar Paringin"
    assert alert_parts(graph.wait_messages(to=REGU, since=since, timeout=5)[0])[1][2] == \
        new["tracking_code"]
    # The reporter is told who handles it now, and follows the Damkar case.
    assert case["dispatch"]["follows"] == new["id"]
    moved = graph.wait_for(lambda r: r["kind"] == "messages" and r["json"].get("to") ==
                           citizen.wa_id and "Dialihkan" in text_of(r["json"]), since=since)
    assert "Dinas Pemadam Kebakaran" in text_of(moved[0]["json"])
    graph.wait_for(lambda r: r["kind"] == "messages" and r["json"].get("to") == citizen.wa_id
                   and new["tracking_code"] in text_of(r["json"])
                   and "Didisposisikan" in text_of(r["json"]), since=since)
    # Without the setting, a report stays where it was made.
    r = sa.post("/api/v1/categories/%d/forward" % sp_fire, json={"to_category_id": None})
    assert r.status == 200
    _, kept = report_fire(srv, graph, "6281234560007", where=(-2.2601, 115.5712), pnid=SATPOLPP)
    assert kept["agency"]["id"] == 1 and kept["forwarded_to"] is None


def test_supervisor_picks_another_crew(desk):
    srv, graph = desk
    since = graph.last_seq()
    _, case = report_fire(srv, graph, "6281234560008")
    cid = case["id"]
    graph.wait_messages(to=REGU, since=since, timeout=5)
    kasi = Client(srv.port)
    assert kasi.login("kasi.damkar").status == 200
    since2 = graph.last_seq()
    bm = kasi.team_id("Regu Damkar Batu Mandi")
    c = kasi.act(cid, "dispatch", team_id=bm, note="Regu Paringin sedang di lokasi lain")
    assert c["status"] == "dispatched" and c["team"]["id"] == bm
    # The chosen crew is alerted; the supervisor's own step is the only event.
    alert = graph.wait_messages(to=BATUMANDI, since=since2, timeout=5)[0]
    assert alert_parts(alert)[2][0] == "staff:accept:%d" % cid
    full = kasi.case(cid)
    assert [(e["action"], e["actor_id"]) for e in full["events"] if e["action"] == "dispatch"] == [
        ("dispatch", None), ("dispatch", kasi.user_id)]
    assert full["dispatch"]["alert_round"] == 2 and full["dispatch"]["alert_at"] is not None
    assert not kasi_messages(graph, since2)
    assert "tim lain" in text_of(press(staff(srv, graph, REGU), "staff:accept:%d" % cid,
                                       "Terima")[0])
    assert "menerima tugas" in text_of(press(staff(srv, graph, BATUMANDI),
                                             "staff:accept:%d" % cid, "Terima")[0])
