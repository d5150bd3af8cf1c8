"""Issue 18: following a case by email from its public page (like
FixMyStreet's alerts), on both engines, through the agency's real mailbox
settings (a local SMTP sink; Dovecot holds the IMAP side). The page offers
a form (address + UU PDP consent) when the agency has a mailbox and the
case is not rahasia; the request sends a confirmation mail with a one-use
link (double opt-in, only the token's hash kept); once confirmed, the
case's public updates arrive by mail with Auto-Submitted and a one-click
List-Unsubscribe link that works once. Bad input changes nothing; the
address is on no page and in no info log; requests are rate-limited."""

import email
import email.policy
import hashlib
import os
import re
import sys
import time
import urllib.parse

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fakes"))

from aduan_e2e import Client, http_request, wait_until  # noqa: E402
from db_peek import sql  # noqa: E402
from dovecot import Dovecot  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

BOX = "aduan.satpolpp"
ADDRESS = "aduan.satpolpp@balangankab.go.id"
FOLLOWER = "pengikut.laporan@example.id"
# The unsubscribe tokens are sealed at rest with it.
SERVER_ENV = {"ADUAN_DATA_KEY": "7a" * 32,
              # The retention job looks every few seconds (a quarter of this).
              "ADUAN_RAW_RETENTION_SECONDS": "8"}
LINK_RE = re.compile(r"(http://[^\s]+/ikuti/konfirmasi\?t=([A-Za-z0-9_-]{43})[^\s]*)")


@pytest.fixture(scope="module")
def mail(server, tmp_path_factory):
    dov = Dovecot({BOX: "kata-sandi"})
    sink = SmtpSink()
    pw = tmp_path_factory.mktemp("pw") / "password"
    pw.write_text("kata-sandi\n")
    r = server.cli("email", "connect", "satpolpp", "--imap", dov.url, "--smtp", sink.url,
                   "--user", BOX, "--password-file", str(pw), "--from", ADDRESS,
                   "--starttls", "try", "--poll-seconds", "30")
    assert r.returncode == 0, r.stderr
    admin = Client(server.port)
    assert admin.login("admin.satpolpp").status == 200
    yield server, sink, admin
    sink.stop()
    dov.stop()


def mails_to(sink, who):
    with sink.lock:
        return [email.message_from_bytes(m["data"], policy=email.policy.default)
                for m in sink.messages if m["to"] == ["<%s>" % who]]


def new_case(admin, rahasia=False):
    return admin.create_case(category_id=admin.category_id("trantibum"), channel="phone",
                             description="Musik keras sampai subuh di gang Melati",
                             kecamatan_code="63.11.06", rahasia=rahasia,
                             reporter={"name": "Pak Baihaqi", "phone": "0812-3333-4444"})


def follow(srv, code, address=FOLLOWER, consent="1", lang=None):
    form = {"code": code, "email": address}
    if consent is not None:
        form["consent"] = consent
    if lang:
        form["lang"] = lang
    return http_request(srv.port, "POST", "/ikuti", body=urllib.parse.urlencode(form).encode(),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})


def post_token(srv, path, token, body=None):
    return http_request(srv.port, "POST", path + "?t=" + token,
                        body=body if body is not None else ("t=" + token).encode(),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})


def follows(srv, code=None):
    if code is None:
        return sql(srv, "SELECT address, state, confirm_hash, unsub_token FROM email_follows")
    return sql(srv, "SELECT f.address, f.state, f.confirm_hash, f.unsub_token FROM email_follows f"
               " JOIN cases c ON c.id = f.case_id WHERE c.tracking_code = ?",
               (code.replace("-", ""),))


def test_subscribe_confirm_update_unsubscribe(mail):
    srv, sink, admin = mail
    c = new_case(admin)
    code = c["tracking_code"]
    pub = http_request(srv.port, "GET", "/api/v1/public/cases/" + code).json
    assert pub["follow_email"] is True
    page = http_request(srv.port, "GET", "/t/" + code).body.decode()
    assert 'id="follow-email"' in page and 'name="consent"' in page and "UU PDP" in page

    # Bad input changes nothing and sends nothing.
    for kw, status, why in [({"address": "bukan-alamat"}, 400, "alamat email yang benar"),
                            ({"address": "a@b"}, 400, "alamat email"),
                            ({"address": "x y@example.id"}, 400, "alamat email"),
                            ({"consent": None}, 400, "Centang persetujuan"),
                            ({"consent": "0"}, 400, "Centang persetujuan")]:
        r = follow(srv, code, **kw)
        assert r.status == status and why in r.body.decode(), (kw, r)
    r = follow(srv, "ZZZZ-ZZZZ")
    assert r.status == 404, r
    r = http_request(srv.port, "POST", "/ikuti", body=b'{"code": "x"}',
                     headers={"Content-Type": "application/json"})
    assert r.status == 404, r
    assert follows(srv, code) == [] and mails_to(sink, FOLLOWER) == []

    # The request: the same answer, a confirmation mail, only hashes kept.
    r = follow(srv, code, address="Pengikut.Laporan@Example.ID")
    assert r.status == 200 and "Periksa email Anda" in r.body.decode(), r
    assert FOLLOWER not in r.body.decode().lower()
    got = wait_until(lambda: mails_to(sink, FOLLOWER), timeout=30)
    m = got[-1]
    assert m["From"] == ADDRESS and code in m["Subject"] and "Konfirmasi" in m["Subject"]
    assert m["Auto-Submitted"] == "auto-generated"
    body = m.get_content()
    link, token = LINK_RE.search(body).groups()
    assert "/t/" + code in body and "48 jam" in body
    [[addr, state, confirm_hash, unsub]] = follows(srv, code)
    assert addr == FOLLOWER and state == "pending"
    assert confirm_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in unsub and unsub.startswith("v1:")  # sealed with ADUAN_DATA_KEY

    # The link's page asks for the button; its POST confirms, once.
    r = http_request(srv.port, "GET", urllib.parse.urlparse(link).path + "?t=" + token)
    assert r.status == 200 and 'action="/ikuti/konfirmasi' in r.body.decode(), r
    assert follows(srv, code)[0][1] == "pending"  # a GET (a mail scanner) confirms nothing
    r = post_token(srv, "/ikuti/konfirmasi", token)
    assert r.status == 200 and "Anda mengikuti laporan ini" in r.body.decode(), r
    assert follows(srv, code)[0][1:3] == ["active", None]
    r = post_token(srv, "/ikuti/konfirmasi", token)
    assert r.status == 404 and "tidak berlaku" in r.body.decode(), r
    r = post_token(srv, "/ikuti/konfirmasi", "A" * 43)
    assert r.status == 404, r
    r = http_request(srv.port, "GET", "/ikuti/konfirmasi?t=pendek")
    assert r.status == 404, r

    # The reporter's own messages about the case, by WhatsApp and by mail:
    # their ids (a wamid carries the sender's number) never reach a follower.
    for ch, mid in (("whatsapp", "wamid.HBgLNjI4MTIzMzMzNDQ0NBUCABIYFjNFQjA="),
                    ("email", "<laporan.baihaqi@example.id>")):
        sql(srv, "INSERT INTO messages (agency_id, case_id, direction, wamid, type, body,"
            " channel, created_at) VALUES (?, ?, 'in', ?, 'text', 'x', ?, ?)",
            (c["agency"]["id"], c["id"], mid, ch, int(time.time())))
    # A public step reaches the follower by mail, with the unsubscribe link.
    before = len(mails_to(sink, FOLLOWER))
    admin.act(c["id"], "verify", note="catatan internal: pemilik kerabat pejabat",
              public_note="Petugas akan datang malam ini")
    got = wait_until(lambda: mails_to(sink, FOLLOWER)[before:], timeout=30)
    m = got[-1]
    body = m.get_content()
    assert m["Subject"] == "[ADUAN %s] Laporan yang Anda ikuti / A report you follow" % code
    assert "Petugas akan datang malam ini" in body
    assert "kerabat" not in body and "Baihaqi" not in body and "3333" not in body
    assert m["Auto-Submitted"] == "auto-generated"
    assert m["In-Reply-To"] is None and m["References"] is None
    assert "HBgL" not in m.as_string() and "baihaqi" not in m.as_string().lower()
    assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsub_url = m["List-Unsubscribe"].strip("<>")
    assert unsub_url in body
    u = urllib.parse.urlparse(unsub_url)
    assert u.path == "/ikuti/berhenti"
    utoken = urllib.parse.parse_qs(u.query)["t"][0]

    # The unsubscribe page (GET changes nothing), then the one-click POST.
    r = http_request(srv.port, "GET", u.path + "?" + u.query)
    assert r.status == 200 and "Berhenti" in r.body.decode(), r
    assert len(follows(srv, code)) == 1
    r = post_token(srv, "/ikuti/berhenti", utoken, body=b"List-Unsubscribe=One-Click")
    assert r.status == 200 and "alamat Anda dihapus" in r.body.decode(), r
    assert follows(srv, code) == []
    assert sql(srv, "SELECT COUNT(*) FROM case_watchers WHERE channel = 'email'") == [["0"]]
    r = post_token(srv, "/ikuti/berhenti", utoken, body=b"List-Unsubscribe=One-Click")
    assert r.status == 404, r

    # No more mail after it.
    before = len(mails_to(sink, FOLLOWER))
    kabid = Client(srv.port)
    assert kabid.login("kabid.satpolpp").status == 200
    kabid.act(c["id"], "dispatch", team_id=admin.team_id("TRC Pos Paringin"))
    time.sleep(3)
    assert len(mails_to(sink, FOLLOWER)) == before

    # The address is in no info log line.
    assert FOLLOWER not in srv.read_stderr().lower()


def test_rahasia_is_refused(mail):
    srv, sink, admin = mail
    c = new_case(admin, rahasia=True)
    code = c["tracking_code"]
    assert http_request(srv.port, "GET", "/api/v1/public/cases/" + code).json["follow_email"] is False
    assert 'id="follow-email"' not in http_request(srv.port, "GET", "/t/" + code).body.decode()
    r = follow(srv, code, address="rahasia.tidak@example.id")
    assert r.status == 403 and "rahasia" in r.body.decode(), r
    assert follows(srv, code) == []
    assert mails_to(sink, "rahasia.tidak@example.id") == []


def test_an_agency_without_a_mailbox_offers_nothing(mail):
    srv, sink, _ = mail
    damkar = Client(srv.port)
    assert damkar.login("admin.damkar").status == 200
    c = damkar.create_case(category_id=damkar.category_id("kebakaran"), channel="phone",
                           description="Asap dari gudang", kecamatan_code="63.11.06",
                           reporter={"name": "Bu Ina", "phone": "0812-5555-6666"})
    code = c["tracking_code"]
    assert http_request(srv.port, "GET", "/api/v1/public/cases/" + code).json["follow_email"] is False
    r = follow(srv, code, address="damkar.ikut@example.id")
    assert r.status == 409, r
    assert follows(srv, code) == []


def test_requests_are_limited_per_address(mail):
    srv, sink, admin = mail
    code = new_case(admin)["tracking_code"]
    who = "banyak.permintaan@example.id"
    for _ in range(3):
        r = follow(srv, code, address=who, lang="en")
        assert r.status == 200 and "Check your email" in r.body.decode(), r
    r = follow(srv, code, address=who)
    assert r.status == 429 and r.header("Retry-After"), r
    # Asking again replaced the link: only the last one works; one row.
    wait_until(lambda: len(mails_to(sink, who)) == 3, timeout=30)
    tokens = [LINK_RE.search(m.get_content()).group(2) for m in mails_to(sink, who)]
    assert "48 hours" in mails_to(sink, who)[0].get_content()
    assert len(follows(srv, code)) == 1
    assert post_token(srv, "/ikuti/konfirmasi", tokens[0]).status == 404
    assert post_token(srv, "/ikuti/konfirmasi", tokens[-1]).status == 200


def test_retention_forgets_the_addresses(mail):
    """An unconfirmed request goes once its link has run out; a follow of
    a case finished more than 30 days ago goes with its watcher."""
    srv, sink, admin = mail
    waiting, done = new_case(admin), new_case(admin)
    assert follow(srv, waiting["tracking_code"], address="lupa.konfirmasi@example.id").status == 200
    assert follow(srv, done["tracking_code"], address="sudah.selesai@example.id").status == 200
    got = wait_until(lambda: mails_to(sink, "sudah.selesai@example.id"), timeout=30)
    token = LINK_RE.search(got[-1].get_content()).group(2)
    assert post_token(srv, "/ikuti/konfirmasi", token).status == 200
    assert len(follows(srv, waiting["tracking_code"])) == 1
    assert len(follows(srv, done["tracking_code"])) == 1
    # The link ran out two days ago; the case was closed 31 days ago.
    sql(srv, "UPDATE email_follows SET confirm_until = ? WHERE address = ?",
        (int(time.time()) - 2 * 86400, "lupa.konfirmasi@example.id"))
    sql(srv, "UPDATE cases SET status = 'closed', updated_at = ? WHERE id = ?",
        (int(time.time()) - 31 * 86400, done["id"]))
    wait_until(lambda: follows(srv, waiting["tracking_code"]) == [] and
               follows(srv, done["tracking_code"]) == [], timeout=30)
    assert sql(srv, "SELECT COUNT(*) FROM case_watchers WHERE case_id = ?", (done["id"],)) == [["0"]]


def test_a_follower_in_english_gets_the_updates_in_english(mail):
    """The English page's form sends lang=en: the confirmation and the
    case's updates come in English (email_follows.lang is where the
    outbox finds the follower's language: they have no conversation)."""
    srv, sink, admin = mail
    who = "english.follower@example.id"
    c = new_case(admin)
    code = c["tracking_code"]
    assert follow(srv, code, address=who, lang="en").status == 200
    m = wait_until(lambda: mails_to(sink, who), timeout=30)[-1]
    token = LINK_RE.search(m.get_content()).group(2)
    assert post_token(srv, "/ikuti/konfirmasi", token).status == 200
    before = len(mails_to(sink, who))
    admin.act(c["id"], "verify", public_note="Officers will come tonight")
    m = wait_until(lambda: mails_to(sink, who)[before:], timeout=30)[-1]
    body = m.get_content()
    assert ("Report *%s*" % code) in body or ("Report %s" % code) in body, body
    assert ("Laporan *%s*" % code) not in body, body
