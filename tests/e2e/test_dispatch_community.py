"""Community reporters (LACAK BENTOR, issue #6): a registered group of
citizens, whose WhatsApp reports carry the group, skip verification when
the agency trusts the group, and count in the group's statistics. Both
engines, against the fake Graph API."""

import re
import time
from datetime import datetime, timedelta, timezone

from aduan_e2e import Client
from wa_helpers import (SATPOLPP, Citizen, alert_parts, choices, desk,  # noqa: F401
                        message, superadmin, text_of)

CODE_RE = re.compile(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*")


def login(srv, who):
    c = Client(srv.port)
    assert c.login(who).status == 200
    return c


def complain(srv, graph, wa_id, lat, lon):
    """A complaint through the whole dialogue (a registered reporter says
    it is not urgent); returns the case."""
    w = Citizen(srv, graph, wa_id, pnid=SATPOLPP)
    w.text("halo")
    cats = w.tap("menu:report")[-1]
    if "consent:yes" in choices(cats):  # asked once per number
        cats = w.tap("consent:yes", button=True)[0]
    asked = w.tap([c for c in choices(cats) if c.startswith("cat:")][1])[-1]
    if choices(asked) == ["urgent:yes", "urgent:no"]:
        assert "Ceritakan" in text_of(w.text("Tidak darurat")[-1])
    w.text("Pedagang kaki lima menutup trotoar di depan sekolah")
    w.say("location", lat=lat, lon=lon, address="Jl. Sekolah")
    w.tap("photos:skip", button=True)
    code = CODE_RE.search(text_of(w.tap("confirm:send", button=True)[0])).group(1)
    sa = superadmin(srv)
    return w, sa.case([c for c in sa.all_cases() if c["tracking_code"] == code][0]["id"])


def test_trusted_group_reports_skip_verification(desk):  # noqa: F811
    srv, graph = desk
    admin = login(srv, "admin.satpolpp")
    r = admin.post("/api/v1/community-groups",
                   json={"name": " Paguyuban Bentor Paringin ", "skip_verification": True})
    assert r.status == 201, r
    g = r.json
    assert g["name"] == "Paguyuban Bentor Paringin" and g["agency_id"] == 1
    assert g["skip_verification"] is True and g["members"] == 0
    assert g["cases"] == {"total": 0, "open": 0, "resolved": 0}
    r = admin.post("/api/v1/community-groups/%d/members" % g["id"],
                   json={"phone": "0812-7777-0001", "name": "Pak Amat"})
    assert r.status == 200 and r.json["members"] == 1, r
    # Registering again renames, never doubles.
    r = admin.post("/api/v1/community-groups/%d/members" % g["id"],
                   json={"phone": "+62 812 7777 0001", "name": "Amat"})
    assert r.json["members"] == 1

    # A member's complaint starts verified by the system, with the group.
    w, case = complain(srv, graph, "6281277770001", -2.2700, 115.5200)
    assert case["status"] == "verified"
    assert case["dispatch"]["community_group"] == {"id": g["id"],
                                                   "name": "Paguyuban Bentor Paringin"}
    verify = case["events"][-1]
    assert verify["action"] == "verify" and verify["actor_id"] is None
    assert "Paguyuban Bentor Paringin" in verify["note"]
    graph.wait_for(lambda r: r["kind"] == "messages" and r["json"].get("to") == w.wa_id
                   and "Diverifikasi" in text_of(r["json"]))
    # Anyone else's waits for the desk.
    _, other = complain(srv, graph, "6281277770002", -2.2500, 115.5400)
    assert other["status"] == "received" and other["dispatch"]["community_group"] is None

    items = admin.get("/api/v1/community-groups").json["items"]
    assert [(i["name"], i["members"], i["cases"]) for i in items] == [
        ("Paguyuban Bentor Paringin", 1, {"total": 1, "open": 1, "resolved": 0})]
    # Removing the member: later reports are ordinary again.
    r = admin.post("/api/v1/community-groups/%d/members/remove" % g["id"],
                   json={"phone": "081277770001"})
    assert r.status == 200 and r.json["members"] == 0, r
    r = admin.post("/api/v1/community-groups/%d/members/remove" % g["id"],
                   json={"phone": "081277770001"})
    assert r.status == 404, r


def test_group_refusals(desk):  # noqa: F811
    srv, _ = desk
    admin = login(srv, "admin.satpolpp")
    g = admin.post("/api/v1/community-groups", json={"name": "Ojek Halong"}).json
    assert g["skip_verification"] is False
    for body in ({}, {"name": "   "}, {"name": "x" * 121}, {"name": 5},
                 {"name": "A", "skip_verification": "ya"}, {"name": "A", "agency_id": "1"}):
        r = admin.post("/api/v1/community-groups", json=body)
        assert r.status == 400 and r.code == "invalid", (body, r)
    r = admin.post("/api/v1/community-groups", json={"name": "Ojek Halong"})
    assert r.status == 409 and r.code == "conflict", r
    r = admin.post("/api/v1/community-groups", body=b'{"name": "\xff"}',
                   content_type="application/json")
    assert r.status == 400, r
    # Another agency, the viewer, a field officer, and a superadmin without
    # an agency.
    r = login(srv, "admin.damkar").post("/api/v1/community-groups",
                                        json={"name": "X", "agency_id": 1})
    assert r.status == 403, r
    for who in ("pimpinan.satpolpp", "trc.satpolpp"):
        assert login(srv, who).post("/api/v1/community-groups", json={"name": "Y"}).status == 403
    sa = superadmin(srv)
    assert sa.post("/api/v1/community-groups", json={"name": "Z"}).status == 400
    assert sa.get("/api/v1/community-groups").status == 400
    assert sa.get("/api/v1/community-groups?agency=1").json["items"][0]["name"] == "Ojek Halong"
    assert login(srv, "admin.damkar").get("/api/v1/community-groups?agency=1").status == 403
    assert admin.get("/api/v1/community-groups?agency=x").status == 400
    # Members: a real mobile number, a group of one's own agency.
    path = "/api/v1/community-groups/%d/members" % g["id"]
    for body in ({}, {"phone": "abc"}, {"phone": "0511-21234"}, {"phone": 812},
                 {"phone": "081277770003", "name": "n" * 121}):
        r = admin.post(path, json=body)
        assert r.status == 400, (body, r)
    assert login(srv, "admin.damkar").post(path, json={"phone": "081277770003"}).status == 403
    assert admin.post("/api/v1/community-groups/9999/members",
                      json={"phone": "081277770003"}).status == 404
    assert admin.get("/api/v1/community-groups").json["items"][0]["members"] == 0


TRC = "6281100000101"


def alert_of(msg):
    """alert_parts of a staff template; inside the 24-hour window a notice
    is free text instead: ("text", [code, notice], [])."""
    if msg["type"] == "text":
        code, _, rest = msg["text"]["body"].partition(": ")
        return "text", [code.split()[-1], rest], []
    return alert_parts(msg)


def trc_on_duty(srv):
    """The TRC Paringin member is on duty now (the demo has him in office
    hours only, and tests run at any hour)."""
    kabid = login(srv, "kabid.satpolpp")
    team = kabid.team_id("TRC Pos Paringin")
    trc = next(i for i in kabid.get("/api/v1/duty").json["items"] if i["login"] == "trc.satpolpp")
    now = datetime.now(timezone.utc)
    r = kabid.post("/api/v1/duty", json={
        "team_id": team, "user_id": trc["user_id"],
        "starts_at": (now - timedelta(hours=1)).isoformat(timespec="seconds"),
        "ends_at": (now + timedelta(hours=12)).isoformat(timespec="seconds")})
    assert r.status == 201, r


def test_registered_reporter_marks_a_report_urgent(desk):  # noqa: F811
    """A registered driver marks a public-order report urgent: no desk
    step, straight to the nearest on-duty team, whose member is alerted
    with Terima / Tidak bisa, accepts and resolves it over WhatsApp."""
    srv, graph = desk
    admin = login(srv, "admin.satpolpp")
    g = admin.post("/api/v1/community-groups", json={"name": "Bentor Juai"}).json
    r = admin.post("/api/v1/community-groups/%d/members" % g["id"], json={"phone": "081277770011"})
    assert r.status == 200, r
    trc_on_duty(srv)

    w = Citizen(srv, graph, "6281277770011", pnid=SATPOLPP)
    w.text("halo")
    w.tap("menu:report")
    cats = w.tap("consent:yes", button=True)[0]
    asked = w.tap([c for c in choices(cats) if c.startswith("cat:")][0])[-1]
    assert choices(asked) == ["urgent:yes", "urgent:no"]
    assert "Bentor Juai" in text_of(asked) and "DARURAT" in text_of(asked)
    # Words the step cannot use get the question again, once, with help.
    since = graph.last_seq()
    w.post(message(w.wa_id, "text", body="entahlah"))
    again = graph.wait_messages(to=w.wa_id, since=since, count=2, timeout=10)
    assert "belum memahami" in text_of(again[0]) and choices(again[1]) == choices(asked)
    # Typed "darurat" is understood: location first, as for a fire.
    loc = text_of(w.text("darurat")[-1])
    assert "DARURAT" in loc and "Lokasi" in loc
    since = graph.last_seq()
    done = w.say("location", lat=-2.3350, lon=115.4640, address="Pasar Paringin")
    code = CODE_RE.search(text_of(done[0])).group(1)
    sa = superadmin(srv)
    cid = [c for c in sa.all_cases() if c["tracking_code"] == code][0]["id"]
    kabid = login(srv, "kabid.satpolpp")
    case = kabid.case(cid)
    assert case["kind"] == "emergency" and case["priority"] == "urgent"
    assert case["status"] == "dispatched" and case["team"]["name"] == "TRC Pos Paringin"
    assert case["dispatch"]["community_group"]["name"] == "Bentor Juai"
    urgent = [e for e in case["events"] if e["action"] == "urgent"]
    assert len(urgent) == 1 and "Bentor Juai" in urgent[0]["note"] and not urgent[0]["public"]
    assert not [e for e in case["events"] if e["action"] == "verify"]
    # The emergency clock: the team's first action is due within the hour.
    assert case["sla"]["stage"] == "action"
    due = datetime.fromisoformat(case["sla"]["due_at"])
    assert due - datetime.now(timezone.utc) < timedelta(hours=1)

    alert = graph.wait_messages(to=TRC, since=since, timeout=5)[0]
    name, body, payloads = alert_of(alert)
    assert name == "aduan_darurat" and body[2] == case["tracking_code"]
    assert payloads == ["staff:accept:%d" % cid, "staff:decline:%d" % cid]
    trc = Citizen(srv, graph, TRC, pnid=SATPOLPP, name="Petugas")
    ok = trc.say("button", payload={"payload": "staff:accept:%d" % cid, "text": "Terima"})
    assert "menerima tugas" in text_of(ok[0])
    assert "tiba di lokasi" in text_of(trc.text("sampai")[0])
    assert "selesai ditangani" in text_of(trc.text("selesai Jalan sudah dibuka kembali")[0])
    case = kabid.case(cid)
    assert case["status"] == "resolved"
    assert case["dispatch"]["accepted_by"]["name"] == "Anggota TRC Paringin"
    items = admin.get("/api/v1/community-groups").json["items"]
    assert [(i["name"], i["cases"]["total"]) for i in items] == [("Bentor Juai", 1)]

    # "Tidak" is a complaint as usual, waiting for the desk; someone not
    # registered is never asked.
    _, plain = complain(srv, graph, "6281277770011", -2.2700, 115.5200)
    assert plain["kind"] == "complaint" and plain["status"] == "received"
    assert plain["priority"] == "normal"
    w2 = Citizen(srv, graph, "6281277770012", pnid=SATPOLPP)
    w2.text("halo")
    w2.tap("menu:report")
    cats = w2.tap("consent:yes", button=True)[0]
    asked = w2.tap([c for c in choices(cats) if c.startswith("cat:")][0])[-1]
    assert "Ceritakan" in text_of(asked) and not choices(asked)


def test_dispatched_complaint_reaches_the_team_on_whatsapp(desk):  # noqa: F811
    """A complaint the supervisor dispatches reaches the team's members by
    WhatsApp (the staff template outside the 24-hour window), and the
    officer moves it without opening the dashboard."""
    srv, graph = desk
    trc_on_duty(srv)
    _, case = complain(srv, graph, "6281277770021", -2.3340, 115.4650)
    cid = case["id"]
    kabid = login(srv, "kabid.satpolpp")
    kabid.act(cid, "verify")
    since = graph.last_seq()
    kabid.act(cid, "dispatch", team_id=kabid.team_id("TRC Pos Paringin"))
    got = graph.wait_messages(to=TRC, since=since, timeout=5)
    assert len(got) == 1
    name, body, payloads = alert_of(got[0])
    assert name in ("aduan_info_petugas", "text") and payloads == []
    assert body[0] == case["tracking_code"]
    assert "tugas baru" in body[1] and "SAMPAI" in body[1] and "Jl. Sekolah" in body[1]
    # Nobody else of the agency is told: the supervisor dispatched it.
    assert not graph.messages(to="6281100000102", since=since)
    trc = Citizen(srv, graph, TRC, pnid=SATPOLPP, name="Petugas")
    assert "tiba di lokasi" in text_of(trc.text("sampai")[0])
    assert "selesai ditangani" in text_of(trc.text("selesai PKL sudah ditertibkan")[0])
    c = kabid.case(cid)
    assert c["status"] == "resolved"
    acts = [(e["action"], e["actor_name"]) for e in c["events"] if e["action"] in
            ("start", "resolve")]
    assert acts == [("start", "Anggota TRC Paringin"), ("resolve", "Anggota TRC Paringin")]
    # Another member, off duty: not told while someone of the team is on
    # duty; when nobody is, every member with a number is told.
    admin = login(srv, "admin.satpolpp")
    r = admin.post("/api/v1/admin/users", json={
        "login": "trc2.satpolpp", "name": "Anggota TRC Paringin 2", "password": "rahasia-123",
        "role": "field", "agency_id": 1, "wa": "081100000105"})
    assert r.status == 201, r
    team = kabid.team_id("TRC Pos Paringin")
    r = admin.post("/api/v1/admin/teams/%d/members" % team, json={"add": r.json["id"]})
    assert r.status == 200, r
    _, second = complain(srv, graph, "6281277770022", -2.3341, 115.4651)
    kabid.act(second["id"], "verify")
    since = graph.last_seq()
    kabid.act(second["id"], "dispatch", team_id=team)
    assert len(graph.wait_messages(to=TRC, since=since, timeout=5)) == 1
    time.sleep(0.5)
    assert not graph.messages(to="6281100000105", since=since)
    for shift in kabid.get("/api/v1/duty").json["items"]:
        if shift["login"] == "trc.satpolpp":
            assert kabid.request("DELETE", "/api/v1/duty/%d" % shift["id"]).status == 200
    _, third = complain(srv, graph, "6281277770023", -2.3342, 115.4652)
    kabid.act(third["id"], "verify")
    since = graph.last_seq()
    kabid.act(third["id"], "dispatch", team_id=team)
    for num in (TRC, "6281100000105"):
        got = graph.wait_messages(to=num, since=since, timeout=5)
        assert len(got) == 1 and alert_of(got[0])[1][0] == third["tracking_code"]
