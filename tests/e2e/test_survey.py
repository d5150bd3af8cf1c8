"""Issue #8: a resolved case asks its WhatsApp reporter "Apakah masalah sudah
selesai?"; "Sudah" closes it and runs the 9-question IKM survey, whose result
shows in /api/v1/stats; "Belum" reopens it with the reporter's reason; any
other close invites the survey. Both engines, fake Graph API."""

import re

from aduan_e2e import Client
from browser import dom
from wa_helpers import desk, Citizen, choices, message, text_of  # noqa: F401 (a fixture)


def report(w):
    w.text("halo")
    w.tap("menu:report")
    w.tap("consent:yes", button=True)
    w.tap("cat:1")
    w.text("Keributan dan balap liar setiap malam di depan pasar")
    w.text("Jl. A. Yani dekat pasar Paringin")
    w.tap("kec:63.11.06")
    w.tap("photos:skip", button=True)
    done = text_of(w.tap("confirm:send", button=True)[0])
    code = re.search(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*", done).group(1)
    sa = Client(w.srv.port)
    assert sa.login("superadmin").status == 200
    cid = [c["id"] for c in sa.all_cases() if c["tracking_code"] == code][0]
    return cid, code


def wait_text(graph, w, since, needle, timeout=10):
    """The first message to w since `since` whose text has needle."""
    return graph.wait_for(lambda r: r["kind"] == "messages" and isinstance(r["json"], dict)
                          and r["json"].get("to") == w.wa_id and needle in text_of(r["json"]),
                          timeout=timeout, since=since)[0]["json"]


def send(graph, w, needle, kind="text", **fields):
    """Sends a message and returns aduan's answer that has needle (status
    updates may come in between)."""
    since = graph.last_seq()
    w.post(message(w.wa_id, kind, **fields))
    return wait_text(graph, w, since, needle)


def staff(srv):
    out = []
    for login in ("admin.satpolpp", "kabid.satpolpp", "trc.satpolpp"):
        c = Client(srv.port)
        assert c.login(login).status == 200
        out.append(c)
    return out


def resolve(srv, graph, w, cid):
    """Moves the case to resolved; returns the reporter's resolved update."""
    admin, boss, trc = staff(srv)
    admin.act(cid, "verify")
    boss.act(cid, "dispatch", team_id=admin.team_id("TRC Pos Paringin"))
    trc.act(cid, "start")
    since = graph.last_seq()
    trc.act(cid, "resolve", public_note="Para pemuda dibubarkan dan diberi pembinaan")
    return wait_text(graph, w, since, "Apakah masalah"), admin


def answer_all(graph, w, cid, first, values, comment):
    """Answers the 9 lists (first is the message with question 1)."""
    q = first
    for n, v in enumerate(values, start=1):
        assert q["type"] == "interactive" and q["interactive"]["type"] == "list", q
        assert "(%d/9)" % n in text_of(q)
        ids = choices(q)
        assert sorted(ids) == ["ikm:%d:%d:%d" % (cid, n, k) for k in (1, 2, 3, 4)]
        q = send(graph, w, "(%d/9)" % (n + 1) if n < 9 else "saran", "interactive",
                 id="ikm:%d:%d:%d" % (cid, n, v))
    assert choices(q) == ["svy:skip:%d" % cid] and "saran" in text_of(q)
    if comment is None:
        return send(graph, w, "Terima kasih atas", "interactive", id="svy:skip:%d" % cid,
                    button=True)
    return send(graph, w, "Terima kasih atas", body=comment)


def test_sudah_closes_and_the_survey_feeds_the_ikm(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281377000001")
    cid, code = report(w)
    upd, admin = resolve(srv, graph, w, cid)
    # The resolved update asks for confirmation with Sudah / Belum.
    assert code in text_of(upd) and "Apakah masalah sudah selesai?" in text_of(upd)
    assert choices(upd) == ["res:yes:%d" % cid, "res:no:%d" % cid]
    titles = [b["reply"]["title"] for b in upd["interactive"]["action"]["buttons"]]
    assert titles == ["Sudah", "Belum"]
    # Labels of the regulation in the lists.
    since = graph.last_seq()
    w.post(message(w.wa_id, "interactive", id="res:yes:%d" % cid, button=True))
    q1 = wait_text(graph, w, since, "(1/9)")
    wait_text(graph, w, since, "kami tutup")
    rows = [r["title"] for s in q1["interactive"]["action"]["sections"] for r in s["rows"]]
    assert rows == ["Sangat sesuai", "Sesuai", "Kurang sesuai", "Tidak sesuai"]
    assert admin.case(cid)["status"] == "closed"
    values = [4, 3, 4, 4, 3, 4, 4, 3, 4]
    done = answer_all(graph, w, cid, q1, values, "Petugas cepat dan ramah")
    assert "Terima kasih" in text_of(done)
    # The IKM: mean of the 9 NRRs x 25 = 33/9 x 25 = 91.67, mutu A.
    r = Client(srv.port).get("/api/v1/stats", params={"agency": "satpolpp"})
    assert r.status == 200, r
    ikm = r.json["ikm"]
    assert ikm["respondents"] == 1 and ikm["score"] == 91.67 and ikm["mutu"] == "A"
    assert ikm["kinerja"] == "Sangat baik" and ikm["population"] >= 1
    assert [u["nrr"] for u in ikm["unsur"]] == values
    assert ikm["unsur"][3]["name"] == "Biaya/Tarif"
    # The public statistics page is served, and reads the same API.
    page = Client(srv.port).get("/statistik")
    assert page.status == 200 and b"statistik.js" in page.body
    # In a browser, /statistik shows it (the page's script reads the API).
    page_dom = dom("http://127.0.0.1:%d/statistik?agency=satpolpp" % srv.port)
    assert 'id="ikm">91,67 (A)' in page_dom and 'id="sample">1 / ' in page_dom
    # Once per case: another go is refused, nothing is counted twice.
    again = send(graph, w, "sudah diisi", "interactive", id="ikm:%d:1:1" % cid)
    assert "sudah diisi" in text_of(again)
    r = Client(srv.port).get("/api/v1/stats", params={"agency": "satpolpp"})
    assert r.json["ikm"]["respondents"] == 1
    # Anonymous towards officers: the case shows no answers, and the
    # message log keeps none of them.
    body = Client(srv.port)
    assert body.login("admin.satpolpp").status == 200
    case_json = str(body.get("/api/v1/cases/%d" % cid).json)
    assert "Petugas cepat dan ramah" not in case_json and "Sangat sesuai" not in case_json


def test_public_page_of_a_whatsapp_case_shows_no_reporter(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281377000005", name="Budi Santoso")
    cid, code = report(w)
    resolve(srv, graph, w, cid)
    bodies = [Client(srv.port).get(p) for p in ("/t/" + code, "/api/v1/public/cases/" + code)]
    assert all(r.status == 200 for r in bodies), bodies
    bodies = [r.body.decode() for r in bodies]
    # What a browser shows of the pages, scripts run.
    base = "http://127.0.0.1:%d" % srv.port
    bodies += [dom(base + "/t/" + code + "?lang=id"), dom(base + "/statistik?agency=satpolpp")]
    assert "Selesai ditangani" in bodies[2] and 'id="received">' in bodies[3]
    assert code in bodies[0] and code in bodies[1] and code in bodies[2]
    for body in bodies:
        for secret in ("Budi", "Santoso", "6281377000005", "77000005", "A. Yani", "balap liar"):
            assert secret not in body, secret


def test_belum_reopens_with_the_reason(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281377000002")
    cid, code = report(w)
    upd, admin = resolve(srv, graph, w, cid)
    ask = send(graph, w, "belum selesai", "interactive", id="res:no:%d" % cid, button=True)
    assert code in text_of(ask) and "belum selesai" in text_of(ask)
    short = send(graph, w, "lebih rinci", body="ok")
    assert "lebih rinci" in text_of(short)
    since = graph.last_seq()
    w.post(message(w.wa_id, "text", body="Tadi malam masih ada balap liar di sana"))
    wait_text(graph, w, since, "dibuka kembali dan akan ditindaklanjuti")
    c = admin.case(cid)
    assert c["status"] == "reopened"
    ev = [e for e in c["events"] if e["action"] == "reopen"][0]
    assert ev["note"] == "Tadi malam masih ada balap liar di sana" and ev["actor_id"] is None


def test_typed_sudah_and_digits_work_too(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281377000003")
    cid, code = report(w)
    resolve(srv, graph, w, cid)
    since = graph.last_seq()
    w.post(message(w.wa_id, "text", body="Sudah"))
    q = wait_text(graph, w, since, "(1/9)")
    for n in range(1, 10):
        assert "(%d/9)" % n in text_of(q)
        q = send(graph, w, "(%d/9)" % (n + 1) if n < 9 else "saran", body="2")
    done = send(graph, w, "Terima kasih atas", body="lewati")
    assert "Terima kasih" in text_of(done)
    r = Client(srv.port).get("/api/v1/stats", params={"agency": "satpolpp"})
    assert r.json["ikm"]["score"] == 50.0 and r.json["ikm"]["mutu"] == "D"


def test_an_operator_close_invites_the_survey(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281377000004")
    cid, code = report(w)
    upd, admin = resolve(srv, graph, w, cid)
    since = graph.last_seq()
    admin.act(cid, "close")
    got = [wait_text(graph, w, since, "Ditutup")]
    assert "survei" in text_of(got[0])
    assert choices(got[0]) == ["svy:start:%d" % cid, "svy:later:%d" % cid]
    q1 = send(graph, w, "(1/9)", "interactive", id="svy:start:%d" % cid, button=True)
    assert "(1/9)" in text_of(q1)
    # A stale confirmation of a closed case does not reopen or re-close it.
    later = send(graph, w, "SURVEI", "interactive", id="svy:later:%d" % cid, button=True)
    assert "SURVEI" in text_of(later)
    # Someone else's case: nothing happens to it.
    other = Citizen(srv, graph, "6281377000099")
    miss = send(graph, other, "Tidak ada survei", "interactive", id="svy:start:%d" % cid,
                button=True)
    assert "Tidak ada survei" in text_of(miss)
    assert admin.case(cid)["status"] == "closed"


def test_stale_answers_change_nothing(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281377000006")
    cid, code = report(w)
    upd, admin = resolve(srv, graph, w, cid)
    send(graph, w, "(1/9)", "interactive", id="res:yes:%d" % cid, button=True)
    # An answer to a later question than the one asked: question 1 again.
    again = send(graph, w, "(1/9)", "interactive", id="ikm:%d:5:4" % cid)
    assert "ikm:%d:1:4" % cid in choices(again)
    # The case is reopened meanwhile: an old list does not count.
    boss = Client(srv.port)
    assert boss.login("kabid.satpolpp").status == 200
    boss.act(cid, "reopen", note="Pelapor menelepon, masih terjadi")
    stale = send(graph, w, "saat ini berstatus", "interactive", id="ikm:%d:1:4" % cid)
    assert "Dibuka kembali" in text_of(stale)
    # Skip without a survey going on, and a malformed choice id.
    send(graph, w, "Tidak ada survei", "interactive", id="svy:skip:%d" % cid, button=True)
    menu = send(graph, w, "Selamat datang", "interactive", id="ikm:%d:1:9" % cid)
    assert choices(menu)[0] == "menu:report"
    r = Client(srv.port).get("/api/v1/stats", params={"agency": "satpolpp"})
    assert r.json["ikm"]["respondents"] == 0
