"""Telegram (issue 16 §2) through its real path, on both engines: an agency's
bot connected with the CLI (setWebhook seen by a fake Bot API on loopback,
tests/fakes/telegram.py), updates posted to /webhooks/telegram/{agency} with
the secret, the dialogue's answers sent back with sendMessage, a photo
fetched with getFile, and the outbox's rules for Telegram's errors."""

import hashlib
import itertools
import json
import os
import re
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fakes"))

from aduan_e2e import Client, Server, engine_env, http_request, pg_available, png_image, wait_until  # noqa: E402
from db_peek import sql  # noqa: E402
from telegram_client import FakeTelegram  # noqa: E402

TOKEN = "7000000001:AAHk3s9FakeTokenForTheTests_abcdefgh"
BOT = "7000000001"
PATH = "/webhooks/telegram/satpolpp"
# Disdukcapil's own bot: the civil-registry requests and their documents.
DUK_TOKEN = "7000000003:AAHk3s9FakeTokenForDisdukcapil_abcd"
DUK_PATH = "/webhooks/telegram/disdukcapil"
DATA_KEY = "5c" * 32
GOOD_NIK = "6311064506210001"
_ids = itertools.count(1000)


@pytest.fixture(params=["sqlite", "postgres"])
def desk(request, tmp_path):
    """A demo server, a fake Bot API, and the Satpol PP bot connected."""
    if request.param == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    tg = FakeTelegram(tokens=[TOKEN, DUK_TOKEN])
    env = dict(engine_env(request.param) or {})
    env.update({"ADUAN_TELEGRAM_API": tg.url, "ADUAN_PUBLIC_URL": "https://aduan.example.go.id",
                "ADUAN_DATA_KEY": DATA_KEY})
    srv = Server(tmp_path, env)
    try:
        srv.init(demo=True)
        srv.start()
        r = srv.cli("telegram", "connect", "satpolpp", "--token", TOKEN)
        assert r.returncode == 0, r.stderr
        assert TOKEN not in r.stdout + r.stderr
        yield srv, tg
    finally:
        try:
            assert not srv.stop()
        finally:
            tg.stop()


def secret_of(tg, path=PATH):
    hooks = [h for h in tg.requests(method="setWebhook") if h["params"]["url"].endswith(path)]
    return hooks[-1]["params"]["secret_token"]


class Citizen:
    """One Telegram user in a private chat with the agency's bot."""

    def __init__(self, srv, tg, chat_id, name="Warga", path=PATH):
        self.srv, self.tg, self.chat_id, self.name, self.path = srv, tg, chat_id, name, path
        self.secret = secret_of(tg, path)
        self.last = None

    def post(self, update, secret=None, expect=200):
        body = json.dumps(update).encode()
        r = http_request(self.srv.port, "POST", self.path, body=body,
                         headers={"Content-Type": "application/json",
                                  "X-Telegram-Bot-Api-Secret-Token": secret or self.secret})
        assert r.status == expect, r
        return r

    def message(self, **content):
        m = {"message_id": next(_ids), "date": int(time.time()),
             "chat": {"id": self.chat_id, "type": "private", "first_name": self.name},
             "from": {"id": self.chat_id, "is_bot": False, "first_name": self.name}}
        m.update(content)
        return {"update_id": next(_ids), "message": m}

    def say(self, update):
        since = self.tg.last_seq()
        self.post(update)
        got = self.tg.wait_sent(self.chat_id, since)
        self.last = got[-1]
        return got

    def text(self, t):
        return self.say(self.message(text=t))

    def tap(self, data):
        """Taps the inline button data on the last message that offered it."""
        msg = self.last["params"]
        assert data in buttons(msg), (data, msg)
        since = self.tg.last_seq()
        cq = {"id": "cq%d" % next(_ids), "data": data, "chat_instance": "1",
              "from": {"id": self.chat_id, "is_bot": False, "first_name": self.name},
              "message": {"message_id": 1, "date": int(time.time()),
                          "chat": {"id": self.chat_id, "type": "private"},
                          "text": msg.get("text"), "reply_markup": msg.get("reply_markup")}}
        self.post({"update_id": next(_ids), "callback_query": cq})
        got = self.tg.wait_sent(self.chat_id, since)
        # The tap was answered (the spinner stops).
        self.tg.wait_for(lambda: [r for r in self.tg.requests(since, "answerCallbackQuery")
                                  if r["params"]["callback_query_id"] == cq["id"]])
        self.last = got[-1]
        return got


def buttons(params):
    kb = (params.get("reply_markup") or {}).get("inline_keyboard") or []
    return [b["callback_data"] for row in kb for b in row]


def text_of(rec):
    return rec["params"].get("text") or rec["params"].get("caption") or ""


def superadmin(srv):
    c = Client(srv.port)
    assert c.login("superadmin").status == 200
    return c


def report(w, photo=None):
    """A complaint with a shared location (and a photo): the tracking code."""
    w.text("/start")
    w.tap("menu:report")
    w.tap("consent:yes")
    w.tap("cat:1")
    got = w.text("Balap liar setiap malam di depan pasar Paringin")
    # The share-location button of a reply keyboard.
    kb = got[-1]["params"]["reply_markup"]["keyboard"]
    assert kb[0][0]["request_location"] is True
    w.say(w.message(location={"latitude": -2.333, "longitude": 115.466}))
    if photo:
        f = w.tg.add_file(photo)
        sizes = [{"file_id": "small", "width": 90, "height": 90},
                 {"file_id": f["file_id"], "width": 800, "height": 600}]
        got = w.say(w.message(photo=sizes, caption="fotonya"))
        w.tap("photos:next")
    else:
        w.tap("photos:skip")
    done = text_of(w.tap("confirm:send")[-1])
    return re.search(r"([0-9A-Z]{4}-[0-9A-Z]{4})", done).group(1)


def case_of(srv, code):
    sa = superadmin(srv)
    return [c for c in sa.all_cases() if c["tracking_code"] == code][0]


def test_connect_sets_the_webhook_and_status_shows_it(desk):
    srv, tg = desk
    hook = tg.requests(method="setWebhook")[-1]
    assert hook["token_ok"]
    assert hook["params"]["url"] == "https://aduan.example.go.id" + PATH
    assert re.fullmatch(r"[A-Za-z0-9_-]{20,256}", hook["params"]["secret_token"])
    r = srv.cli("telegram", "status")
    assert r.returncode == 0, r.stderr
    assert "satpolpp: bot " + BOT in r.stdout and PATH in r.stdout
    # getMe's username at connect: the public page's t.me link.
    assert "@aduan%s_bot" % BOT in r.stdout
    assert TOKEN not in r.stdout
    # A bad token is refused before anything happens.
    r = srv.cli("telegram", "connect", "damkar", "--token", "not-a-token")
    assert r.returncode == 2 and "--token" in r.stderr
    # Telegram refusing the token (401) changes nothing.
    seq = tg.last_seq()
    r = srv.cli("telegram", "connect", "damkar", "--token", "7000000002:" + "x" * 35)
    assert r.returncode == 1 and "nothing was changed" in r.stderr
    assert tg.requests(seq, "getMe")[0]["status"] == 401
    assert tg.requests(seq, "setWebhook") == []
    assert "damkar" not in srv.cli("telegram", "status").stdout


def test_disconnect_lets_the_bot_go(desk):
    srv, tg = desk
    w = Citizen(srv, tg, 5550010)
    seq = tg.last_seq()
    r = srv.cli("telegram", "disconnect", "satpolpp")
    assert r.returncode == 0, r.stderr
    assert tg.requests(seq, "deleteWebhook")[0]["status"] == 200
    assert "no Telegram bot is connected" in srv.cli("telegram", "status", "satpolpp").stdout
    # The old secret no longer lets anything in.
    n = int(sql(srv, "SELECT COUNT(*) FROM inbound")[0][0])
    w.post(w.message(text="halo"), expect=401)
    assert int(sql(srv, "SELECT COUNT(*) FROM inbound")[0][0]) == n
    r = srv.cli("telegram", "disconnect", "satpolpp")
    assert r.returncode == 1 and "no Telegram bot" in r.stderr


def test_a_server_error_is_retried(desk):
    srv, tg = desk
    w = Citizen(srv, tg, 5550011)
    tg.fail(method="sendMessage", chat_id=w.chat_id, times=2, status=502,
            body={"ok": False, "error_code": 502, "description": "Bad Gateway"})
    since = tg.last_seq()
    w.post(w.message(text="halo"))
    ok = tg.wait_sent(w.chat_id, since, timeout=30)
    failed = [r for r in tg.requests(since, "sendMessage") if r["status"] == 502]
    assert len(failed) == 2 and ok[0]["seq"] > failed[-1]["seq"]


def test_a_complaint_with_location_and_photo_gets_a_code_and_hears_back(desk):
    srv, tg = desk
    w = Citizen(srv, tg, 5550001, "Budi")
    code = report(w, photo=png_image(7, 64, 48))
    c = case_of(srv, code)
    assert c["channel"] == "telegram"
    sa = superadmin(srv)
    full = sa.case(c["id"])
    assert full["location"] == {"lat": -2.333, "lon": 115.466}
    assert full["kecamatan"]["code"] == "63.11.06"
    assert full["notify_channel"] == "telegram" and full["reporter"]["mobile"] is None
    # One reporter behind the chat: the dialogue's messages joined the case.
    assert int(sql(srv, "SELECT COUNT(DISTINCT reporter_id) FROM messages WHERE wamid LIKE"
                        " 'tg:%%' AND reporter_id = (SELECT reporter_id FROM contacts WHERE"
                        " channel = 'telegram' AND address = '5550001')")[0][0]) == 1
    assert int(sql(srv, "SELECT COUNT(*) FROM messages WHERE case_id = %d" % c["id"])[0][0]) >= 8
    # The photo was fetched with getFile and kept by its sha256.
    wait_until(lambda: tg.requests(method="file"))
    got = tg.requests(method="getFile")
    assert got and got[0]["params"]["file_id"] != "small"
    def stored():
        rows = sql(srv, "SELECT sha256, state FROM attachments WHERE case_id = %d" % c["id"])
        return rows if rows and rows[0][1] == "stored" else None
    rows = wait_until(stored)
    assert os.path.exists(os.path.join(srv.workdir, "media", rows[0][0]))
    # A status update goes back to the chat.
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    since = tg.last_seq()
    admin.act(c["id"], "verify")
    got = tg.wait_sent(w.chat_id, since)
    assert code in text_of(got[0]) and "Diverifikasi" in text_of(got[0])
    # The operator's reply goes to the same chat (no window to mind).
    since = tg.last_seq()
    r = admin.post("/api/v1/cases/%d/messages" % c["id"], json={"text": "Mohon tunggu petugas."})
    assert r.status == 202, r
    assert r.json["sent_as"] == "text"
    got = tg.wait_sent(w.chat_id, since)
    assert text_of(got[0]) == "Mohon tunggu petugas."
    # The citizen asks for the status of their reports in the same chat.
    w.text("menu")
    got = w.tap("menu:status")
    assert code in text_of(got[-1]) and "Diverifikasi" in text_of(got[-1])


def test_cancel_leaves_no_case(desk):
    srv, tg = desk
    w = Citizen(srv, tg, 5550002)
    before = len(superadmin(srv).all_cases())
    w.text("halo")
    w.tap("menu:report")
    w.tap("consent:yes")
    w.tap("cat:1")
    w.text("Pedagang menutup trotoar di pasar")
    w.say(w.message(location={"latitude": -2.33, "longitude": 115.46}))
    w.tap("photos:skip")
    got = w.tap("confirm:cancel")
    assert "batal" in text_of(got[-1]).lower()
    assert len(superadmin(srv).all_cases()) == before


def test_batal_typed_mid_report_leaves_no_case(desk):
    """The same cancel as WhatsApp's, typed: BATAL (or CANCEL) at any step
    drops the report being written."""
    srv, tg = desk
    w = Citizen(srv, tg, 5550012)
    before = len(superadmin(srv).all_cases())
    w.text("/start")
    w.tap("menu:report")
    w.tap("consent:yes")
    w.tap("cat:1")
    w.text("Parkir liar di depan sekolah")
    got = w.text("BATAL")
    assert "dibatalkan" in text_of(got[-1]).lower()
    # The next words start afresh: the menu, not the old draft.
    got = w.text("halo")
    assert "menu:report" in buttons(got[-1]["params"])
    assert len(superadmin(srv).all_cases()) == before


def test_follow_from_the_public_page_with_the_bot(desk):
    """The public page's follow links include the agency's bot
    (https://t.me/<username from getMe>?start=IKUTI_<code>); Telegram's
    Start sends "/start IKUTI_<code>", which follows the case like
    WhatsApp's IKUTI: its public updates reach the chat."""
    srv, tg = desk
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    c = admin.create_case(category_id=admin.category_id("trantibum"), channel="phone",
                          description="Sound system keras setiap malam di lapangan",
                          kecamatan_code="63.11.06", rahasia=False,
                          reporter={"name": "Pak Anwar", "phone": "0812-1111-2222"})
    code = c["tracking_code"]
    def follow(lang=None):
        h = {"Accept-Language": lang} if lang else {}
        r = http_request(srv.port, "GET", "/api/v1/public/cases/" + code, headers=h)
        assert r.status == 200, r
        return {f["channel"]: f for f in r.json["follow"]}
    links = follow()
    assert links["telegram"]["title"] == "Telegram"
    assert links["telegram"]["url"] == "https://t.me/aduan%s_bot?start=IKUTI_%s" % (BOT, code)
    assert follow("en")["telegram"]["url"].endswith("?start=FOLLOW_" + code)
    page = http_request(srv.port, "GET", "/t/" + code).body.decode()
    assert "Ikuti lewat Telegram" in page
    # Start in the chat the link opened.
    w = Citizen(srv, tg, 5550013, "Sari")
    said = text_of(w.text("/start IKUTI_" + code)[-1])
    assert code in said and "BERHENTI" in said and "/t/" + code in said
    since = tg.last_seq()
    admin.act(c["id"], "verify", note="catatan internal", public_note="Petugas datang malam ini")
    got = tg.wait_sent(w.chat_id, since)
    body = " ".join(text_of(g) for g in got)
    assert code in body and "Petugas datang malam ini" in body and "internal" not in body
    # A payload that carries nothing known opens the menu.
    got = w.text("/start x%%y")
    assert "menu:report" in buttons(got[-1]["params"])
    # A rahasia case offers no link at all.
    r = admin.create_case(category_id=admin.category_id("trantibum"), channel="phone",
                          description="Rahasia: pungutan liar di terminal", rahasia=True,
                          kecamatan_code="63.11.06",
                          reporter={"name": "Bu Siti", "phone": "0812-3333-4444"})
    r2 = http_request(srv.port, "GET", "/api/v1/public/cases/" + r["tracking_code"])
    assert r2.json["follow"] == []


def test_a_wrong_secret_is_refused_and_nothing_is_stored(desk):
    srv, tg = desk
    w = Citizen(srv, tg, 5550003)
    n = int(sql(srv, "SELECT COUNT(*) FROM inbound")[0][0])
    up = w.message(text="halo")
    r = w.post(up, secret="wrong-secret", expect=401)
    assert "X-Telegram-Bot-Api-Secret-Token" in r.json["error"]["detail"]
    body = json.dumps(up).encode()
    r = http_request(srv.port, "POST", PATH, body=body, headers={"Content-Type": "application/json"})
    assert r.status == 401
    r = http_request(srv.port, "POST", "/webhooks/telegram/damkar", body=body,
                     headers={"Content-Type": "application/json",
                              "X-Telegram-Bot-Api-Secret-Token": w.secret})
    assert r.status == 401
    assert int(sql(srv, "SELECT COUNT(*) FROM inbound")[0][0]) == n


def test_a_repeated_update_is_stored_once(desk):
    srv, tg = desk
    w = Citizen(srv, tg, 5550004)
    n = int(sql(srv, "SELECT COUNT(*) FROM inbound")[0][0])
    up = w.message(text="halo")
    since = tg.last_seq()
    w.post(up)
    w.post(up)
    tg.wait_sent(w.chat_id, since)
    time.sleep(1)
    assert int(sql(srv, "SELECT COUNT(*) FROM inbound")[0][0]) == n + 1
    assert len(tg.sent(w.chat_id, since)) == 1
    assert sql(srv, "SELECT COUNT(*) FROM messages WHERE wamid = 'tg:%s:%d'"
               % (BOT, up["update_id"]))[0][0] == "1"


def test_a_group_chat_gets_no_answer(desk):
    srv, tg = desk
    w = Citizen(srv, tg, -100123)
    up = w.message(text="halo")
    up["message"]["chat"]["type"] = "supergroup"
    since = tg.last_seq()
    w.post(up)
    # Processed (its summary kept) without a word to the group.
    wait_until(lambda: sql(srv, "SELECT summary FROM inbound WHERE summary LIKE '%%%d%%'"
                                % up["update_id"]))
    assert "ignored" in sql(srv, "SELECT summary FROM inbound WHERE summary LIKE '%%%d%%'"
                                 % up["update_id"])[0][0]
    assert not tg.sent(w.chat_id, since)


def test_429_waits_retry_after_then_sends(desk):
    srv, tg = desk
    w = Citizen(srv, tg, 5550005)
    tg.fail(method="sendMessage", chat_id=w.chat_id, times=1, status=429,
            body={"ok": False, "error_code": 429,
                  "description": "Too Many Requests: retry after 3",
                  "parameters": {"retry_after": 3}})
    since = tg.last_seq()
    w.post(w.message(text="halo"))
    first = tg.wait_for(lambda: [r for r in tg.requests(since, "sendMessage")
                                 if r["status"] == 429])
    ok = tg.wait_sent(w.chat_id, since, timeout=20)
    assert ok[0]["time"] - first[0]["time"] >= 2.9


def test_blocked_by_the_user_fails_for_good_and_shows_on_the_case(desk):
    srv, tg = desk
    w = Citizen(srv, tg, 5550006)
    code = report(w)
    c = case_of(srv, code)
    tg.fail(method="sendMessage", chat_id=w.chat_id, times=-1, status=403,
            body={"ok": False, "error_code": 403,
                  "description": "Forbidden: bot was blocked by the user"})
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    since = tg.last_seq()
    admin.act(c["id"], "verify")
    tg.wait_for(lambda: tg.requests(since, "sendMessage"))
    sa = superadmin(srv)

    def failed():
        items = sa.get("/api/v1/cases/%d/messages" % c["id"]).json["items"]
        return [i for i in items if i["state"] == "failed"]
    got = wait_until(failed)
    assert "blocked by the user" in got[0]["last_error"]
    time.sleep(2)
    assert len(tg.requests(since, "sendMessage")) == 1  # not retried
    events = sa.case(c["id"])
    assert "notify_failed" in json.dumps(events)


def test_an_issued_document_goes_with_send_document(desk):
    """A civil-registry request over Telegram; the issued PDF is uploaded
    with its message (sendDocument)."""
    srv, tg = desk
    # The token from standard input: not in ps or the shell's history.
    r = srv.cli("telegram", "connect", "disdukcapil", "--token", "-", input=DUK_TOKEN + "\n")
    assert r.returncode == 0, r.stderr
    w = Citizen(srv, tg, 5550007, "Siti", path=DUK_PATH)
    admin = Client(srv.port)
    assert admin.login("admin.dukcapil").status == 200
    svc = [s for s in admin.get("/api/v1/services").json["items"]
           if s["code"] == "akta_kelahiran"][0]
    w.text("halo")
    w.tap("menu:service")
    w.tap("svc:%d" % svc["id"])
    w.tap("svc_consent:yes")
    w.text(GOOD_NIK)
    w.text("Siti Aminah")
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    f = tg.add_file(pdf, "application/pdf")
    w.say(w.message(document={"file_id": f["file_id"], "file_name": "skl.pdf",
                              "mime_type": "application/pdf"}))
    for seed in (1, 2):
        f = tg.add_file(png_image(seed, 20, 14))
        w.say(w.message(photo=[{"file_id": f["file_id"], "width": 20, "height": 14}]))
    w.tap("svc_skip")
    done = text_of(w.tap("svc_confirm:send")[-1])
    code = re.search(r"([0-9A-Z]{4}-[0-9A-Z]{4})", done).group(1)
    cid = [c for c in admin.all_cases() if c["tracking_code"] == code][0]["id"]
    assert admin.case(cid)["channel"] == "telegram"

    def checklist():
        cl = admin.get("/api/v1/cases/%d/service" % cid).json
        files = [x for d in cl["documents"] for x in d["files"] if x["state"] == "stored"]
        return cl if len(files) >= 3 else None
    cl = wait_until(checklist)
    admin.act(cid, "check")
    for d in cl["documents"]:
        if d["mandatory"] and d["files"]:
            r = admin.post("/api/v1/cases/%d/service/checks" % cid,
                           json={"document_id": d["id"], "verdict": "accepted"})
            assert r.status == 200, r
    admin.act(cid, "process")
    issued = b"%PDF-1.4\n% KUTIPAN AKTA KELAHIRAN\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    boundary = "aduanTG"
    body = (("--%s\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nterbit\r\n"
             "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"akta.pdf\"\r\n"
             "Content-Type: application/pdf\r\n\r\n" % (boundary, boundary)).encode()
            + issued + ("\r\n--%s--\r\n" % boundary).encode())
    since = tg.last_seq()
    r = admin.request("POST", "/api/v1/cases/%d/service/issue" % cid, body=body,
                      content_type="multipart/form-data; boundary=%s" % boundary)
    assert r.status == 201, r
    doc = tg.wait_for(lambda: [q for q in tg.requests(since, "sendDocument")
                               if q["status"] == 200], timeout=15)[0]
    assert doc["params"]["chat_id"] == "5550007" and code in doc["params"]["caption"]
    assert doc["file"]["sha256"] == hashlib.sha256(issued).hexdigest()
    assert doc["file"]["filename"] == "akta_kelahiran-%s.pdf" % code
    assert DUK_TOKEN not in srv.read_stderr() and GOOD_NIK not in srv.read_stderr()


# ---- the reporter withdraws a filed case (issue 16) ------------------------------------


def public_case(srv, code):
    r = http_request(srv.port, "GET", "/api/v1/public/cases/" + code)
    assert r.status == 200, r
    return r.json


def test_batal_code_withdraws_a_filed_case_after_ya(desk):
    """BATAL <code> asks Ya/Tidak; Ya closes the case with a public
    "Dibatalkan oleh pelapor" step, a live event and no survey; Tidak
    keeps it; BATAL alone finds the one case still withdrawable."""
    srv, tg = desk
    w = Citizen(srv, tg, 5550021, "Rina")
    code = report(w)
    c = case_of(srv, code)
    # Tidak: nothing changes.
    got = w.text("BATAL " + code.lower())
    assert code in text_of(got[-1]) and buttons(got[-1]["params"]) == ["wd:yes", "wd:no"]
    got = w.tap("wd:no")
    assert "tetap" in text_of(got[-1])
    assert case_of(srv, code)["status"] == "received"
    # BATAL alone, one case that can be withdrawn: that one.
    got = w.text("batal")
    assert code in text_of(got[-1]) and "wd:yes" in buttons(got[-1]["params"])
    got = w.tap("wd:yes")
    assert "sudah dibatalkan" in text_of(got[-1])
    assert case_of(srv, code)["status"] == "closed"
    ev = sql(srv, "SELECT action, from_status, to_status, is_public, note, actor_id FROM"
                  " case_events WHERE case_id = %d ORDER BY seq DESC LIMIT 1" % c["id"])[0]
    assert ev[0] == "withdraw" and ev[1] == "received" and ev[2] == "closed"
    assert ev[3] in (1, True, "1", "t") and "telegram" in ev[4] and ev[5] is None
    pub = public_case(srv, code)
    assert pub["status"] == "closed"
    assert pub["timeline"][-1]["note"] == "Dibatalkan oleh pelapor"
    r = http_request(srv.port, "GET", "/api/v1/public/cases/" + code,
                     headers={"Accept-Language": "en"})
    assert r.json["timeline"][-1]["note"] == "Withdrawn by the reporter"
    # No satisfaction survey, no status update on top of the answer.
    assert sql(srv, "SELECT COUNT(*) FROM survey_cases WHERE case_id = %d" % c["id"])[0][0] in (0, "0")
    assert not [o for o in sql(srv, "SELECT kind FROM outbox WHERE case_id = %d" % c["id"])
                if o[0] == "status_update"]
    # Once is all: the closed case cannot be withdrawn again.
    got = w.text("BATAL " + code)
    assert "tidak dapat dibatalkan" in text_of(got[-1])


def test_batal_code_refuses_another_reporters_case_and_one_being_handled(desk):
    srv, tg = desk
    a = Citizen(srv, tg, 5550022, "Ani")
    b = Citizen(srv, tg, 5550023, "Beni")
    code = report(a)
    # Someone else's code: the same answer as an unknown one; nothing changes.
    got = b.text("BATAL " + code)
    assert "tidak ditemukan" in text_of(got[-1]) and not buttons(got[-1]["params"])
    got = b.text("BATAL ZZZZ-ZZZZ")
    assert "tidak ditemukan" in text_of(got[-1])
    assert case_of(srv, code)["status"] == "received"
    # Once a team has it: already being handled, write to the operator.
    c = case_of(srv, code)
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    since = tg.last_seq()
    admin.act(c["id"], "verify")
    tg.wait_sent(a.chat_id, since)  # the status update
    got = a.text("BATAL " + code)  # verified: still withdrawable, asked
    assert "wd:yes" in buttons(got[-1]["params"])
    sup = Client(srv.port)
    assert sup.login("kabid.satpolpp").status == 200
    team = sup.get("/api/v1/teams").json["items"][0]["id"]
    since = tg.last_seq()
    r = sup.post("/api/v1/cases/%d/transitions" % c["id"], json={"action": "dispatch", "team_id": team})
    assert r.status == 200, r
    tg.wait_sent(a.chat_id, since)  # the status update
    # Ya after a team took it meanwhile: refused, the case stays with the team.
    got = a.tap("wd:yes")
    assert "sudah ditangani" in text_of(got[-1])
    assert case_of(srv, code)["status"] == "dispatched"
    got = a.text("BATAL " + code)
    assert "sudah ditangani" in text_of(got[-1]) and not buttons(got[-1]["params"])
    # Staff cannot use the reporter's action.
    r = admin.post("/api/v1/cases/%d/transitions" % c["id"], json={"action": "withdraw"})
    assert r.status in (403, 409), r
