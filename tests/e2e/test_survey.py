"""Issue #8: a resolved case asks its WhatsApp reporter "Apakah masalah sudah
selesai?"; "Sudah" closes it and runs the 9-question IKM survey, whose result
shows in /api/v1/stats; "Belum" reopens it with the reporter's reason; any
other close invites the survey. Both engines, fake Graph API."""

import re

from aduan_e2e import Client
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
    trc.act(cid, "resolve", note="Para pemuda dibubarkan dan diberi pembinaan")
    got = graph.wait_messages(to=w.wa_id, since=since, type="interactive", timeout=10)
    return got[0], admin


def answer_all(graph, w, cid, first, values, comment):
    """Answers the 9 lists (first is the message with question 1)."""
    q = first
    for n, v in enumerate(values, start=1):
        assert q["type"] == "interactive" and q["interactive"]["type"] == "list", q
        assert "(%d/9)" % n in text_of(q)
        ids = choices(q)
        assert sorted(ids) == ["ikm:%d:%d:%d" % (cid, n, k) for k in (1, 2, 3, 4)]
        q = w.say("interactive", id="ikm:%d:%d:%d" % (cid, n, v))[0]
    assert choices(q) == ["svy:skip:%d" % cid] and "saran" in text_of(q)
    if comment is None:
        return w.tap("svy:skip:%d" % cid, button=True)[0]
    return w.text(comment)[0]


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
    q1 = graph.wait_messages(to=w.wa_id, since=since, type="interactive", timeout=10)[0]
    texts = [text_of(m) for m in graph.wait_messages(to=w.wa_id, since=since, count=2)]
    assert any("kami tutup" in t for t in texts), texts
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
    # Once per case: another go is refused, nothing is counted twice.
    again = w.say("interactive", id="ikm:%d:1:1" % cid)[0]
    assert "sudah diisi" in text_of(again)
    r = Client(srv.port).get("/api/v1/stats", params={"agency": "satpolpp"})
    assert r.json["ikm"]["respondents"] == 1
    # Anonymous towards officers: the case shows no answers, and the
    # message log keeps none of them.
    body = Client(srv.port)
    assert body.login("admin.satpolpp").status == 200
    case_json = str(body.get("/api/v1/cases/%d" % cid).json)
    assert "Petugas cepat dan ramah" not in case_json and "Sangat sesuai" not in case_json


def test_belum_reopens_with_the_reason(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281377000002")
    cid, code = report(w)
    upd, admin = resolve(srv, graph, w, cid)
    ask = w.tap("res:no:%d" % cid, button=True)[0]
    assert code in text_of(ask) and "belum selesai" in text_of(ask)
    short = w.text("ok")[0]
    assert "lebih rinci" in text_of(short)
    since = graph.last_seq()
    w.post(message(w.wa_id, "text", body="Tadi malam masih ada balap liar di sana"))
    got = graph.wait_messages(to=w.wa_id, since=since, count=2, timeout=10)
    assert any("dibuka kembali dan akan ditindaklanjuti" in text_of(m) for m in got), got
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
    q = graph.wait_messages(to=w.wa_id, since=since, type="interactive", timeout=10)[0]
    for n in range(1, 10):
        assert "(%d/9)" % n in text_of(q)
        q = w.text("2")[0]
    done = w.text("lewati")[0]
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
    got = graph.wait_messages(to=w.wa_id, since=since, timeout=10)
    assert "Ditutup" in text_of(got[0]) and "survei" in text_of(got[0])
    assert choices(got[0]) == ["svy:start:%d" % cid, "svy:later:%d" % cid]
    q1 = w.tap("svy:start:%d" % cid, button=True)[0]
    assert "(1/9)" in text_of(q1)
    # A stale confirmation of a closed case does not reopen or re-close it.
    later = w.tap("svy:later:%d" % cid, button=True)[0]
    assert "SURVEI" in text_of(later)
    # Someone else's case: nothing happens to it.
    other = Citizen(srv, graph, "6281377000099")
    miss = other.tap("svy:start:%d" % cid, button=True)[0]
    assert "Tidak ada survei" in text_of(miss)
    assert admin.case(cid)["status"] == "closed"
