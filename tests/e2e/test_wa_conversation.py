"""Whole WhatsApp conversations through the real binary and the fake Graph
API: a complaint with location and two photos, an emergency, a status
check, cancelling, unknown numbers and duplicates."""

import json
import re
import time

import pytest

from aduan_e2e import pg_available, png_image
from wa_helpers import desk, DAMKAR, Citizen, choices, envelope, message, sign, start, superadmin, text_of
from aduan_e2e import Client, http_request


def case_by_code(sa, code):
    for c in sa.all_cases():
        if c["tracking_code"] == code:
            return sa.case(c["id"])
    raise AssertionError("no case %s" % code)


def test_complaint_with_location_and_two_photos(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281234500001", name="Budi")
    first = w.text("halo")
    assert len(first) == 1 and "menu:report" in choices(first[0])
    assert "Satpol PP" in text_of(first[0])
    consent = w.tap("menu:report")[0]
    assert "UU 27/2022" in text_of(consent) and "consent:yes" in choices(consent)
    cats = w.tap("consent:yes", button=True)[0]
    pkl = [c for c in choices(cats) if c.startswith("cat:")]
    assert len(pkl) >= 5
    ask = w.tap(pkl[1])[0]
    assert "Ceritakan" in text_of(ask)
    assert "rinci" in text_of(w.text("pkl")[0])          # too short: asked again
    assert "lokasi" in text_of(w.text("Pedagang kaki lima menutup trotoar depan pasar")[0]).lower()
    photos = w.say("location", lat=-2.3361, lon=115.4668, address="Jl. A. Yani, Paringin")[0]
    assert "photos:skip" in choices(photos)
    m1, _ = graph.add_media(png_image("jpeg one"), "image/jpeg")
    m2, _ = graph.add_media(png_image("jpeg two"), "image/jpeg")
    assert "(1)" in text_of(w.say("image", media_id=m1)[0])
    assert "(2)" in text_of(w.say("image", media_id=m2)[0])
    summary = w.tap("photos:next", button=True)[0]
    assert "2 berkas" in text_of(summary) and choices(summary) == [
        "confirm:send", "confirm:edit", "confirm:cancel"]
    done = text_of(w.tap("confirm:send", button=True)[0])
    code = re.search(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*", done).group(1)
    assert "/t/" in done
    sa = superadmin(srv)
    case = case_by_code(sa, code)
    assert case["channel"] == "whatsapp" and case["status"] == "received"
    assert case["rahasia"] is True and case["anonim"] is False
    assert case["location"] == {"lat": -2.3361, "lon": 115.4668}
    assert case["description"] == "Pedagang kaki lima menutup trotoar depan pasar"
    assert case["reporter"]["mobile"] == "6281234500001" and case["reporter"]["name"] == "Budi"
    assert len(case["attachments"]) == 2
    # Both photos are fetched from the Graph API in the background.
    for _ in range(100):
        states = [a["state"] for a in sa.case(case["id"])["attachments"]]
        if states == ["stored", "stored"]:
            break
        time.sleep(0.1)
    assert states == ["stored", "stored"]
    # Every reply was sent with the token to the agency's number.
    for rec in graph.message_requests(to="6281234500001"):
        assert rec["headers"]["authorization"] == "Bearer graph-token"
        assert rec["path"] == "/v21.0/100000000000001/messages"


def test_emergency_is_created_when_the_location_arrives(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281234500002", pnid=DAMKAR)
    w.text("menu")
    w.tap("menu:report")
    cats = w.tap("consent:anon", button=True)[0]
    fire = cats["interactive"]["action"]["sections"][0]["rows"]
    fire_id = [r["id"] for r in fire if "DARURAT" in (r.get("description") or "")][0]
    ask = text_of(w.tap(fire_id)[0])
    assert "DARURAT" in ask
    assert "lokasi" in text_of(w.text("api besar di gudang")[0]).lower()
    done = text_of(w.say("location", lat=-2.362, lon=115.441)[0])
    code = re.search(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*", done).group(1)
    case = case_by_code(superadmin(srv), code)
    assert case["kind"] == "emergency" and case["priority"] == "urgent"
    assert case["anonim"] is True and case["agency"]["id"] == 2
    # What follows joins the same case: a photo and a few words.
    m1, _ = graph.add_media(png_image("after the fire report"), "image/jpeg")
    added = text_of(w.say("image", media_id=m1)[0])
    assert code in added and "Tambahan" in added
    assert code in text_of(w.text("apinya merambat ke rumah sebelah")[0])
    sa = superadmin(srv)
    case = case_by_code(sa, code)
    assert len(case["attachments"]) == 1
    # "menu" starts something new; a later photo is not added to the fire.
    assert "menu:report" in choices(w.text("menu")[0])
    m2, _ = graph.add_media(png_image("unrelated"), "image/jpeg")
    since = graph.last_seq()
    w.post(message(w.wa_id, "image", media_id=m2))
    again = graph.wait_messages(to=w.wa_id, since=since, count=2, timeout=10)
    assert "menu:report" in choices(again[-1])
    assert len(case_by_code(sa, code)["attachments"]) == 1


def test_status_check_and_cancel(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281234500003")
    assert "Belum ada laporan" in text_of(w.text("STATUS")[0])
    w.text("menu")
    w.tap("menu:report")
    w.tap("consent:yes", button=True)
    w.tap("cat:1")
    assert "dibatalkan" in text_of(w.text("batal")[0]).lower()
    # After cancelling, anything brings the menu back, nothing was created.
    assert "menu:report" in choices(w.text("halo lagi")[0])
    assert not [c for c in superadmin(srv).all_cases() if c["channel"] == "whatsapp"]


def test_duplicate_delivery_is_processed_once(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281234500004")
    msg = message(w.wa_id, "text", body="halo")
    body = json.dumps(envelope(w.pnid, [msg])).encode()
    for _ in range(3):
        r = http_request(srv.port, "POST", "/webhooks/whatsapp", body=body,
                         headers={"Content-Type": "application/json",
                                  "X-Hub-Signature-256": sign(body)})
        assert r.status == 200
    graph.wait_messages(to=w.wa_id, timeout=10)
    time.sleep(1.5)
    assert len(graph.messages(to=w.wa_id)) == 1


def test_unknown_number_is_a_dead_letter(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281234500005", pnid="999999999999999")
    w.post(message(w.wa_id, "text", body="halo"))
    sa = superadmin(srv)
    for _ in range(100):
        dead = sa.get("/api/v1/inbound", params={"state": "dead"}).json["items"]
        if dead:
            break
        time.sleep(0.1)
    assert dead and "phone_number_id" in dead[0]["error"]
    assert not graph.messages(to=w.wa_id)


def test_unsupported_types_get_a_polite_reply(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281234500006")
    answer = w.say("sticker", payload={"id": "123", "mime_type": "image/webp"})
    assert "belum dapat kami proses" in text_of(answer[0])


def complete_report(w):
    w.text("halo")
    w.tap("menu:report")
    w.tap("consent:yes", button=True)
    w.tap("cat:1")
    w.text("Keributan di depan pasar setiap malam minggu")
    w.say("location", lat=-2.33, lon=115.46)
    w.tap("photos:skip", button=True)
    return text_of(w.tap("confirm:send", button=True)[0])


def test_daily_limit_and_office_hours(tmp_path):
    # A window of office hours that does not contain the current WITA time.
    hour = time.gmtime(time.time() + 8 * 3600).tm_hour
    hours = "13:00-14:00" if hour < 12 else "01:00-02:00"
    srv, graph = start(tmp_path, extra_env={"ADUAN_WA_DAILY_LIMIT": "1",
                                            "ADUAN_OFFICE_HOURS": hours})
    try:
        w = Citizen(srv, graph, "6281234500009")
        first = complete_report(w)
        assert re.search(r"\*[0-9A-Z]{4}-[0-9A-Z]{4}\*", first)
        assert "di luar jam kerja" in first and hours.replace(":", ".")[:5] in first
        second = complete_report(w)
        assert "batas per hari" in second
        mine = [c for c in superadmin(srv).all_cases() if c["channel"] == "whatsapp"]
        assert len(mine) == 1
    finally:
        try:
            assert not srv.stop()
        finally:
            graph.stop()


def test_bad_office_hours_setting_exits_2(tmp_path):
    from aduan_e2e import Server
    srv = Server(tmp_path, {"ADUAN_OFFICE_HOURS": "16:00-07:30"})
    r = srv.cli("serve")
    assert r.returncode == 2 and "ADUAN_OFFICE_HOURS" in r.stderr


def test_admin_changes_a_text_without_rebuilding(desk):
    srv, graph = desk
    sa = superadmin(srv)
    texts = sa.get("/api/v1/bot/texts").json["items"]
    greeting = [t for t in texts if t["key"] == "greeting"][0]
    assert "{agency}" in greeting["default"]["id"] and greeting["custom"]["id"] is None
    r = sa.post("/api/v1/bot/texts", json={"key": "greeting", "lang": "id",
                                               "text": "Halo dari {agency}! Pilih menu."})
    assert r.status == 200, r
    # Refused, and nothing changed: unknown key, unknown placeholder, wrong lang, roles.
    assert sa.post("/api/v1/bot/texts", json={"key": "nope", "lang": "id",
                                                  "text": "x"}).status == 400
    assert sa.post("/api/v1/bot/texts", json={"key": "greeting", "lang": "id",
                                                  "text": "Halo {nama}"}).status == 400
    assert sa.post("/api/v1/bot/texts", json={"key": "greeting", "lang": "fr",
                                                  "text": "x"}).status == 400
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    assert admin.post("/api/v1/bot/texts", json={"key": "greeting", "lang": "id",
                                                     "text": "x"}).status == 403
    time.sleep(1.2)   # the worker picks changes up between passes
    w = Citizen(srv, graph, "6281234500010")
    first = w.text("halo")[0]
    assert text_of(first) == "Halo dari Satpol PP Kabupaten Balangan! Pilih menu."
    # Back to the default.
    assert sa.post("/api/v1/bot/texts", json={"key": "greeting", "lang": "id",
                                                  "text": None}).status == 200
    time.sleep(1.2)
    assert "Selamat datang" in text_of(w.text("menu")[0])


def test_a_draft_expires_after_24_hours(tmp_path):
    import sqlite3
    srv, graph = start(tmp_path)
    try:
        w = Citizen(srv, graph, "6281234500011")
        w.text("halo")
        w.tap("menu:report")
        w.tap("consent:yes", button=True)
        assert "Ceritakan" in text_of(w.tap("cat:1")[0])
        # A day of silence: age the conversation in the database.
        db = sqlite3.connect(srv.db_path, timeout=10)
        db.execute("UPDATE conversations SET updated_at = updated_at - 90000")
        db.commit()
        db.close()
        since = graph.last_seq()
        w.post(message(w.wa_id, "text", body="Ada keributan di pasar tadi malam sekali"))
        # Two answers: the notice, then the menu again.
        answer = graph.wait_messages(to=w.wa_id, since=since, count=2, timeout=10)
        assert "kedaluwarsa" in text_of(answer[0])
        assert "menu:report" in choices(answer[1])
    finally:
        try:
            assert not srv.stop()
        finally:
            graph.stop()


def test_free_text_at_a_button_step_is_reasked_once_with_help(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281234500077")
    w.text("halo")
    consent = w.tap("menu:report")[0]
    assert "consent:yes" in choices(consent)
    # Not understood: said so, and the question comes again with its buttons.
    since = graph.last_seq()
    w.post(message(w.wa_id, "text", body="apa maksudnya?"))
    again = graph.wait_messages(to=w.wa_id, since=since, count=2, timeout=10)
    assert "belum memahami" in text_of(again[0])
    assert choices(again[-1]) == choices(consent)
    # Twice: one line on how to get out, without the buttons again.
    hint = w.text("saya tidak paham")
    assert len(hint) == 1 and "MENU" in text_of(hint[0]) and "BATAL" in text_of(hint[0])
    # After that the bot does not repeat itself: the next answer it sends
    # is the one for "ya", understood as the first button.
    since = graph.last_seq()
    w.post(message(w.wa_id, "text", body="hmm"))
    w.post(message(w.wa_id, "text", body="ya"))
    graph.wait_messages(to=w.wa_id, since=since, timeout=10)
    time.sleep(0.5)
    got = graph.messages(to=w.wa_id, since=since)
    assert len(got) == 1 and any(c.startswith("cat:") for c in choices(got[0])), got
    # A new step counts afresh; "tidak" at the consent step means no.
    w2 = Citizen(srv, graph, "6281234500078")
    w2.text("halo")
    w2.tap("menu:report")
    since = graph.last_seq()
    w2.post(message(w2.wa_id, "text", body="???"))
    again = graph.wait_messages(to=w2.wa_id, since=since, count=2, timeout=10)
    assert "belum memahami" in text_of(again[0])
    refused = w2.text("tidak")
    assert len(refused) == 1 and not choices(refused[0])


def test_batal_code_withdraws_a_filed_case(desk):
    """Issue 16: BATAL <code> after filing asks Ya/Tidak; Ya closes the case
    as withdrawn by the reporter; another number's BATAL of that code is
    refused and changes nothing; a second BATAL finds it closed."""
    srv, graph = desk
    w = Citizen(srv, graph, "6281234500031")
    code = re.search(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*", complete_report(w)).group(1)
    other = Citizen(srv, graph, "6281234500032")
    got = other.text("BATAL " + code)
    assert "tidak ditemukan" in text_of(got[0]) and not choices(got[0])
    sa = superadmin(srv)
    assert case_by_code(sa, code)["status"] == "received"
    ask = w.text("batal " + code)[0]
    assert code in text_of(ask) and choices(ask) == ["wd:yes", "wd:no"]
    done = w.tap("wd:yes", button=True)[0]
    assert "sudah dibatalkan" in text_of(done)
    case = case_by_code(sa, code)
    assert case["status"] == "closed"
    r = http_request(srv.port, "GET", "/api/v1/public/cases/" + code)
    assert r.json["timeline"][-1]["note"] == "Dibatalkan oleh pelapor"
    assert "tidak dapat dibatalkan" in text_of(w.text("BATAL " + code)[0])
    # With nothing left to withdraw, BATAL alone is today's answer.
    assert "dibatalkan" in text_of(w.text("BATAL")[0]).lower()
