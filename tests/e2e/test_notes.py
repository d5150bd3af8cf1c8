"""Issue #13, item 1: internal notes versus messages to the reporter. Every
transition takes `note` (staff only: never sent, never on /t/{code} or its
JSON) and `public_note` (sent to the reporter on their channel and shown on
the public page). Resolve needs the result the reporter confirms; reject,
hold and incomplete need what the reporter must read. Both engines."""

import re

from aduan_e2e import Client, http_request
from wa_helpers import desk, Citizen, superadmin, text_of  # noqa: F401 (a fixture)

INTERNAL = "Mohon tertibkan hari ini, koordinasi dengan pengelola pasar"
INTERNAL2 = "Pemilik lapak keponakan pak camat, hati-hati"
INTERNAL3 = "Dua anggota lembur sampai jam 23"
PUBLIC = "Tim kami menuju lokasi hari ini"
RESULT = "Lapak dipindahkan ke lokasi relokasi"


def report(w):
    """A complaint over WhatsApp; returns (case id, tracking code)."""
    w.text("halo")
    w.tap("menu:report")
    w.tap("consent:yes", button=True)
    w.tap("cat:1")
    w.text("Pedagang menutup trotoar di depan pasar setiap pagi")
    w.text("Jl. A. Yani dekat pasar Paringin")
    w.tap("kec:63.11.06")
    w.tap("photos:skip", button=True)
    done = text_of(w.tap("confirm:send", button=True)[0])
    code = re.search(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*", done).group(1)
    cid = [c["id"] for c in superadmin(w.srv).all_cases() if c["tracking_code"] == code][0]
    return cid, code


def login(srv, name):
    c = Client(srv.port)
    assert c.login(name).status == 200
    return c


def body_of(m):
    """What a message says (a template: its values)."""
    if m["type"] == "template":
        return " | ".join(p["text"] for c in m["template"]["components"]
                          if c["type"] == "body" for p in c["parameters"])
    return text_of(m)


def told(graph, w, since, status):
    """The update about `status` the reporter got after since."""
    got = graph.wait_for(lambda r: r["kind"] == "messages" and r["json"].get("to") == w.wa_id
                         and status in body_of(r["json"]), since=since, timeout=15)
    return body_of(got[0]["json"])


def public_view(srv, code):
    ip = {"X-Forwarded-For": "198.51.100.213"}
    j = http_request(srv.port, "GET", "/api/v1/public/cases/" + code, headers=ip)
    page = http_request(srv.port, "GET", "/t/" + code, headers=ip)
    assert j.status == 200 and page.status == 200, (j, page)
    return j.json, j.body.decode() + page.body.decode()


def test_internal_notes_stay_inside_and_messages_reach_the_reporter(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281313130001")
    cid, code = report(w)
    admin, kabid, trc = (login(srv, n) for n in ("admin.satpolpp", "kabid.satpolpp",
                                                 "trc.satpolpp"))

    # An internal note alone: the reporter hears the status, not the note.
    since = graph.last_seq()
    admin.act(cid, "verify", note=INTERNAL)
    msg = told(graph, w, since, "Diverifikasi")
    assert code in msg
    assert INTERNAL not in msg and "tertibkan" not in msg

    # Both: the reporter gets the message only.
    since = graph.last_seq()
    kabid.act(cid, "dispatch", team_id=kabid.team_id("TRC Pos Paringin"), note=INTERNAL2,
              public_note=PUBLIC)
    msg = told(graph, w, since, "Didisposisikan")
    assert PUBLIC in msg and INTERNAL2 not in msg and "keponakan" not in msg

    trc.act(cid, "start")
    # The result is required, and a note does not stand in for it.
    before = admin.case(cid)
    for body in ({}, {"note": RESULT}, {"public_note": "   "}, {"public_note": 7},
                 {"public_note": "x" * 2001}):
        r = trc.transition(cid, "resolve", **body)
        assert r.status == 400 and r.code == "invalid", (body, r)
        assert "public_note" in r.json["error"]["detail"], r
    assert admin.case(cid)["events"] == before["events"]
    assert admin.case(cid)["status"] == "in_progress"

    # Resolved with the result: it is what the reporter is asked to confirm.
    since = graph.last_seq()
    trc.act(cid, "resolve", note=INTERNAL3, public_note=RESULT)
    text = told(graph, w, since, "Selesai ditangani")
    assert RESULT in text and "Apakah masalah sudah selesai?" in text
    assert INTERNAL3 not in text

    # Staff see both, each in its place.
    ev = {e["action"]: e for e in admin.case(cid)["events"]}
    assert (ev["verify"]["note"], ev["verify"]["public_note"]) == (INTERNAL, None)
    assert (ev["dispatch"]["note"], ev["dispatch"]["public_note"]) == (INTERNAL2, PUBLIC)
    assert (ev["resolve"]["note"], ev["resolve"]["public_note"]) == (INTERNAL3, RESULT)

    # The public page and its JSON: public messages and status lines only.
    j, both = public_view(srv, code)
    notes = [e.get("note") for e in j["timeline"]]
    assert notes == [None, None, PUBLIC, None, RESULT], j["timeline"]
    for secret in (INTERNAL, INTERNAL2, INTERNAL3, "tertibkan", "keponakan", "lembur"):
        assert secret not in both, secret
    assert PUBLIC in both and RESULT in both

    # Nothing internal ever went to the reporter.
    for m in graph.messages(to=w.wa_id):
        body = str(m)
        for secret in (INTERNAL, INTERNAL2, INTERNAL3):
            assert secret not in body


def test_the_template_carries_only_the_message(desk):
    """Outside the 24-hour window the approved template goes: its note
    variable is the message to the reporter, '-' without one."""
    srv, graph = desk
    w = Citizen(srv, graph, "6281313130002")
    cid, code = report(w)
    admin, kabid, trc = (login(srv, n) for n in ("admin.satpolpp", "kabid.satpolpp",
                                                 "trc.satpolpp"))
    graph.fail_131047(to=w.wa_id)
    since = graph.last_seq()
    admin.act(cid, "verify", note=INTERNAL)
    t = graph.wait_messages(to=w.wa_id, since=since, type="template", timeout=15)[0]["template"]
    assert t["name"] == "aduan_status_update"
    assert [p["text"] for p in t["components"][0]["parameters"]] == [code, "Diverifikasi", "-"]
    since = graph.last_seq()
    kabid.act(cid, "dispatch", team_id=kabid.team_id("TRC Pos Paringin"))
    trc.act(cid, "start")
    told(graph, w, since, "Sedang ditangani")
    graph.fail_131047(to=w.wa_id)
    since = graph.last_seq()
    trc.act(cid, "resolve", note=INTERNAL3, public_note=RESULT)
    t = graph.wait_messages(to=w.wa_id, since=since, type="template", timeout=15)[0]["template"]
    assert t["name"] == "aduan_konfirmasi_selesai"
    body = [p["text"] for c in t["components"] if c["type"] == "body" for p in c["parameters"]]
    assert body == [code, RESULT]


def test_each_step_asks_for_what_the_reporter_must_read(desk):
    srv, graph = desk
    admin, kabid = login(srv, "admin.satpolpp"), login(srv, "kabid.satpolpp")
    cat = admin.category_id("pkl")

    # Hold: the question to the reporter. Reject: the reason.
    cid = admin.create_case(category_id=cat, description="PKL di trotoar depan sekolah")["id"]
    for action in ("hold", "reject"):
        r = admin.transition(cid, action, note="hanya catatan internal")
        assert r.status == 400 and r.code == "invalid", (action, r)
        assert "public_note" in r.json["error"]["detail"]
    # A message on a step the reporter is not told of is refused.
    admin.act(cid, "hold", public_note="Mohon sebutkan nama sekolahnya")
    r = admin.transition(cid, "resume", public_note="Terima kasih")
    assert r.status == 400 and "public_note" in r.json["error"]["detail"], r
    assert admin.case(cid)["status"] == "on_hold"
    admin.act(cid, "resume", note="pelapor menjawab lewat telepon")
    c = admin.act(cid, "reject", public_note="Bukan kewenangan Satpol PP", note="lempar ke Dishub")
    assert c["status"] == "rejected"
    ev = admin.case(cid)["events"]
    assert [(e["action"], e["note"], e["public_note"]) for e in ev[1:]] == [
        ("hold", None, "Mohon sebutkan nama sekolahnya"),
        ("resume", "pelapor menjawab lewat telepon", None),
        ("reject", "lempar ke Dishub", "Bukan kewenangan Satpol PP")]

    # Reopen: a reason, internal or for the reporter.
    cid = admin.create_case(category_id=cat, description="PKL kembali berjualan di trotoar")["id"]
    admin.act(cid, "verify")
    kabid.act(cid, "dispatch", team_id=kabid.team_id("TRC Pos Paringin"))
    kabid.act(cid, "start")
    kabid.act(cid, "resolve", public_note=RESULT)
    r = kabid.transition(cid, "reopen")
    assert r.status == 400 and r.code == "invalid", r
    assert kabid.act(cid, "reopen", note="pedagang kembali")["status"] == "reopened"

    # The dashboard is told what each step needs.
    acts = {a["action"]: a for a in admin.case(
        admin.create_case(category_id=cat, description="PKL baru")["id"])["actions"]}
    assert acts["reject"]["needs_public_note"] and acts["reject"]["public"]
    assert acts["hold"]["needs_public_note"] and not acts["verify"]["needs_public_note"]
    assert acts["verify"]["public"] and not acts["verify"]["needs_note"]


def test_a_forward_tells_the_reporter_only_the_message(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281313130003")
    cid, code = report(w)
    admin = login(srv, "admin.satpolpp")
    damkar = login(srv, "admin.damkar")
    since = graph.last_seq()
    c = admin.act(cid, "forward", target_agency="damkar", note="Ini urusan Damkar, mohon segera",
                  public_note="Laporan Anda kami teruskan ke Damkar")
    msg = told(graph, w, since, "Dialihkan")
    assert "Laporan Anda kami teruskan ke Damkar" in msg and "mohon segera" not in msg
    # The other agency's desk gets the internal note with the new case.
    first = damkar.case(c["new_case_id"])["events"][0]
    assert first["action"] == "create" and first["note"] == "Ini urusan Damkar, mohon segera"
    j, both = public_view(srv, code)
    assert j["timeline"][-1]["note"] == "Laporan Anda kami teruskan ke Damkar"
    assert "mohon segera" not in both
