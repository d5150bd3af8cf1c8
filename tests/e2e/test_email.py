"""The email channel (issue 16 §3) through its real path, on both engines: a
real Dovecot (tests/e2e/dovecot.py) holds the agency's mailbox, aduan polls
it over IMAP with libcurl, and answers through a local SMTP sink
(tests/fakes/smtp_sink.py). A complaint with a photo gets its tracking code
by mail; a status update goes out by mail; a reply is threaded onto its
case by the subject's code and by In-Reply-To; auto-replies, bounces and
list mail open nothing and get nothing; malformed MIME is a dead letter
for the superadmin."""

import json
import email
import email.policy
import os
import re
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fakes"))

from aduan_e2e import Client, png_image, wait_until  # noqa: E402
from db_peek import sql  # noqa: E402
from dovecot import Dovecot  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

BOX = "aduan.satpolpp"
ADDRESS = "aduan.satpolpp@balangankab.go.id"
PASSWORD = "kata-sandi-kotak"
CITIZEN = "warga.paringin@example.id"
# The mailbox password is sealed at rest with it (and opened to log in).
SERVER_ENV = {"ADUAN_DATA_KEY": "5e" * 32}
CODE_RE = re.compile(r"\[ADUAN ([0-9A-Z]{4}-[0-9A-Z]{4})\]")


@pytest.fixture(scope="module")
def mail(server, tmp_path_factory):
    dov = Dovecot({BOX: PASSWORD})
    sink = SmtpSink()
    pw = tmp_path_factory.mktemp("pw") / "password"
    pw.write_text(PASSWORD + "\n")
    r = server.cli("email", "connect", "satpolpp", "--imap", dov.url, "--smtp", sink.url,
                   "--user", BOX, "--password-file", str(pw), "--from", ADDRESS,
                   "--starttls", "try", "--poll-seconds", "1")
    assert r.returncode == 0, r.stderr
    sa = Client(server.port)
    assert sa.login("superadmin").status == 200
    yield server, dov, sink, sa
    sink.stop()
    dov.stop()


def mime(subject, text, sender=CITIZEN, headers=None, attachments=(), message_id=None):
    """A mail as a citizen's client writes it (bytes, CRLF)."""
    from email.message import EmailMessage
    m = EmailMessage()
    m["From"] = "Warga Paringin <%s>" % sender
    m["To"] = ADDRESS
    m["Subject"] = subject
    m["Message-ID"] = message_id or email.utils.make_msgid(domain="example.id")
    m["Date"] = email.utils.formatdate()
    for k, v in (headers or {}).items():
        m[k] = v
    m.set_content(text)
    for data, maintype, subtype, name in attachments:
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return m.as_bytes(policy=email.policy.SMTP), m["Message-ID"]


def parsed(msg):
    return email.message_from_bytes(msg["data"], policy=email.policy.default)


def mails_to(sink, who):
    with sink.lock:
        return [parsed(m) for m in sink.messages if m["to"] == ["<%s>" % who]]


def case_by_code(sa, code):
    for c in sa.all_cases():
        if c["tracking_code"] == code:
            return sa.case(c["id"])
    raise AssertionError("no case %s" % code)


def inbound(sa, state=None):
    r = sa.get("/api/v1/inbound", params={"state": state} if state else None)
    assert r.status == 200, r
    return r.json["items"]


def summaries(sa):
    return [i["summary"] or {} for i in inbound(sa)]


def test_complaint_with_photo_gets_its_code_by_mail(mail):
    srv, dov, sink, sa = mail
    photo = png_image("email photo one")
    raw, mid = mime("Pedagang kaki lima menutup trotoar",
                    "Di depan pasar Paringin, setiap pagi trotoar tertutup lapak.\n"
                    "Lokasi: https://maps.google.com/?q=-2.333,115.466\n",
                    attachments=[(photo, "image", "png", "trotoar.png")])
    dov.deliver(BOX, raw)
    got = wait_until(lambda: mails_to(sink, CITIZEN), timeout=30)
    reply = got[-1]
    code = CODE_RE.search(reply["Subject"]).group(1)
    assert reply["From"] == ADDRESS
    assert reply["Auto-Submitted"] == "auto-replied"
    assert reply["In-Reply-To"] == mid
    assert reply["Message-ID"].startswith("<aduan.")
    body = reply.get_content()
    assert code in body and "/t/" in body and "Terima kasih" in body
    case = case_by_code(sa, code)
    assert case["channel"] == "email" and case["status"] == "received"
    assert case["description"].startswith("Pedagang kaki lima menutup trotoar\n\nDi depan pasar")
    assert case["rahasia"] is True
    # The maps link the citizen pasted is the case's place, its kecamatan
    # found from the boundaries as for any case with a point.
    assert case["location"] == {"lat": -2.333, "lon": 115.466}
    wait_until(lambda: (sa.case(case["id"])["kecamatan"] or {}).get("code") == "63.11.06")
    # The photo is evidence, re-encoded and kept by the media worker.
    assert len(case["attachments"]) == 1
    wait_until(lambda: [a["state"] for a in sa.case(case["id"])["attachments"]] == ["stored"])
    # The mail was marked \Seen only once it was committed.
    wait_until(lambda: dov.flags(BOX) == ["S"])


def first_case_code(sink):
    for m in mails_to(sink, CITIZEN):
        found = CODE_RE.search(m["Subject"] or "")
        if found:
            return found.group(1)
    raise AssertionError("no reply with a code yet")


def test_status_update_is_delivered_by_mail(mail, users):
    srv, dov, sink, sa = mail
    code = first_case_code(sink)
    case = case_by_code(sa, code)
    before = len(mails_to(sink, CITIZEN))
    users("admin.satpolpp").act(case["id"], "verify")
    wait_until(lambda: len(mails_to(sink, CITIZEN)) > before, timeout=30)
    update = mails_to(sink, CITIZEN)[-1]
    assert CODE_RE.search(update["Subject"]).group(1) == code
    assert update["Auto-Submitted"] == "auto-replied"
    assert code in update.get_content()
    assert "*" not in update.get_content()  # WhatsApp's bold marks are not shown


def test_a_reply_is_threaded_onto_its_case(mail):
    srv, dov, sink, sa = mail
    code = first_case_code(sink)
    before = len(mails_to(sink, CITIZEN))
    # By the subject's code ...
    raw, _ = mime("Re: [ADUAN %s] Laporan Anda" % code,
                  "Tambahan: lapaknya buka mulai jam 5 pagi.\n\n> kutipan lama\n")
    dov.deliver(BOX, raw)
    wait_until(lambda: "jam 5 pagi" in case_by_code(sa, code)["description"], timeout=30)
    # ... and by In-Reply-To alone (a client that rewrote the subject).
    ours = [m for m in mails_to(sink, CITIZEN) if CODE_RE.search(m["Subject"] or "")][0]
    raw, _ = mime("Masih sama", "Hari ini juga masih ditutup.\n",
                  headers={"In-Reply-To": ours["Message-ID"]})
    dov.deliver(BOX, raw)
    wait_until(lambda: "masih ditutup" in case_by_code(sa, code)["description"], timeout=30)
    desc = case_by_code(sa, code)["description"]
    assert "kutipan lama" not in desc  # quoted lines are not the citizen's new words
    acks = wait_until(lambda: mails_to(sink, CITIZEN)[before:], timeout=30)
    assert "ditambahkan" in acks[0].get_content()
    assert acks[0]["Auto-Submitted"] == "auto-replied"
    # One acknowledgement an hour per sender: a robot that answers without
    # saying so cannot start a loop.
    time.sleep(1.5)
    assert len(mails_to(sink, CITIZEN)) == before + 1
    # Still one case from this citizen.
    assert [c["tracking_code"] for c in sa.all_cases() if c["channel"] == "email"] == [code]


def test_a_reply_batal_withdraws_the_case(mail, users):
    """Issue 16: a reply in the case's thread whose first non-empty line is
    BATAL withdraws it, answered by mail; the same word from another
    address, or once a team has the case, changes nothing."""
    srv, dov, sink, sa = mail
    rina = "rina.batal@example.id"

    def file(subject, text):
        before = len(mails_to(sink, rina))
        raw, _ = mime(subject, text, sender=rina)
        dov.deliver(BOX, raw)
        got = wait_until(lambda: mails_to(sink, rina)[before:], timeout=30)
        return CODE_RE.search(got[0]["Subject"]).group(1)

    def reply(code, text, sender=rina):
        """A reply as a mail client writes it: In-Reply-To names our last
        mail to rina about the case."""
        before = len(mails_to(sink, sender))
        ours = [m for m in mails_to(sink, rina) if code in (m["Subject"] or "")]
        headers = {"In-Reply-To": ours[-1]["Message-ID"]}
        raw, _ = mime("Re: [ADUAN %s] Laporan Anda" % code, text, sender=sender, headers=headers)
        dov.deliver(BOX, raw)
        return wait_until(lambda: mails_to(sink, sender)[before:], timeout=30)[0].get_content()

    code = file("Lampu jalan mati", "Lampu jalan di depan masjid mati sejak seminggu.\n")
    # Someone else's BATAL in that thread is no withdrawal, and opens no
    # case of its own: the sender is told how withdrawing works.
    cases_before = len(sa.all_cases())
    said = reply(code, "BATAL\n", sender="orang.lain@example.id")
    assert "tidak menemukan laporan" in said and "BATAL" in said
    assert case_by_code(sa, code)["status"] == "received"
    assert len(sa.all_cases()) == cases_before
    assert any(s.get("result") == "no_case_to_withdraw" for s in summaries(sa))
    said = reply(code, "\n  batal\n\n> Laporan Anda sudah kami terima\n")
    assert code in said and "sudah dibatalkan" in said
    case = case_by_code(sa, code)
    assert case["status"] == "closed"
    assert "batal" not in case["description"].lower()
    # A case a team has is not withdrawn by mail: the reply says so.
    code2 = file("Sampah menumpuk", "Sampah menumpuk di pinggir jalan dekat sekolah.\n")
    c2 = case_by_code(sa, code2)
    users("admin.satpolpp").act(c2["id"], "verify")
    sup = users("kabid.satpolpp")
    sup.act(c2["id"], "dispatch", team_id=sup.get("/api/v1/teams").json["items"][0]["id"])
    wait_until(lambda: len(mails_to(sink, rina)) >= 5, timeout=30)  # the two status updates
    said = reply(code2, "Cancel\n")
    assert "sudah ditangani" in said
    assert case_by_code(sa, code2)["status"] == "dispatched"
    # rina's address and the code in the subject, but answering no mail of
    # ours (a forged From): an ordinary reply in the thread, nothing withdrawn.
    code3 = file("Parkir liar", "Parkir liar di depan toko bangunan.\n")
    raw, mid = mime("Re: [ADUAN %s] Laporan Anda" % code3, "BATAL\n", sender=rina)
    dov.deliver(BOX, raw)
    wait_until(lambda: any(s.get("message_id") == mid.strip("<>") and
                           s.get("result") == "threaded" for s in summaries(sa)), timeout=30)
    assert case_by_code(sa, code3)["status"] == "received"


@pytest.mark.parametrize("sender,headers", [
    ("liburan@example.id", {"Auto-Submitted": "auto-replied"}),
    ("buletin@example.id", {"Precedence": "bulk"}),
    ("milis@example.id", {"List-Id": "<warga.example.id>"}),
    ("MAILER-DAEMON@example.id", {}),
])
def test_automatic_mail_opens_nothing_and_gets_nothing(mail, sender, headers):
    srv, dov, sink, sa = mail
    cases_before = len(sa.all_cases())
    raw, mid = mime("Out of office: Laporan", "Saya sedang cuti.\n", sender=sender,
                    headers=headers)
    dov.deliver(BOX, raw)
    wait_until(lambda: any(s.get("message_id") == mid.strip("<>") and
                           s.get("result") == "ignored" for s in summaries(sa)), timeout=30)
    time.sleep(1.5)  # a worker pass or two: nothing is queued for it either
    assert mails_to(sink, sender) == []
    assert len(sa.all_cases()) == cases_before


def test_malformed_mime_is_a_dead_letter(mail):
    srv, dov, sink, sa = mail
    cases_before = len(sa.all_cases())
    raw = (b"From: Warga <rusak@example.id>\r\nTo: " + ADDRESS.encode() +
           b"\r\nSubject: rusak\r\nMessage-ID: <rusak-1@example.id>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhalo\r\n"
           b"--x--\r\n")
    dov.deliver(BOX, raw)
    dead = wait_until(lambda: [d for d in inbound(sa, "dead")
                               if "malformed MIME" in (d["error"] or "")], timeout=30)
    assert "boundary" in dead[0]["error"]
    # The superadmin reads the mail as it came.
    assert "Content-Type: multipart/mixed" in json.loads(dead[0]["body"])["mail"]
    assert mails_to(sink, "rusak@example.id") == []
    assert len(sa.all_cases()) == cases_before
    # The inbox is the superadmin's only.
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    assert admin.get("/api/v1/inbound").status == 403


def test_connect_refuses_bad_settings(mail, tmp_path):
    srv, dov, sink, sa = mail
    pw = tmp_path / "pw"
    pw.write_text("x\n")
    for bad in (["--imap", "http://127.0.0.1/", "--smtp", sink.url],
                ["--imap", dov.url, "--smtp", "ftp://127.0.0.1/"]):
        r = srv.cli("email", "connect", "satpolpp", *bad, "--user", "u", "--password-file",
                    str(pw), "--from", "lain@balangankab.go.id")
        assert r.returncode == 2 and "--imap" in r.stderr
    r = srv.cli("email", "connect", "satpolpp", "--imap", dov.url, "--smtp", sink.url, "--user",
                "u", "--password-file", str(tmp_path / "missing"), "--from",
                "lain@balangankab.go.id")
    assert r.returncode == 2 and "password" in r.stderr
    r = srv.cli("email", "connect", "tidak-ada", "--imap", dov.url, "--smtp", sink.url, "--user",
                "u", "--password-file", str(pw), "--from", "lain@balangankab.go.id")
    assert r.returncode == 1
    listed = srv.cli("email", "list").stdout
    assert ADDRESS in listed and "lain@" not in listed and PASSWORD not in listed
    # The password is not in the database as it was typed.
    [[secret]] = sql(srv, "SELECT secret FROM channel_endpoints WHERE channel = 'email'")
    assert secret.startswith("v1:") and PASSWORD not in secret


def test_an_8bit_latin1_mail_is_read_in_its_charset(mail):
    srv, dov, sink, sa = mail
    sender = "latin@example.id"
    raw = ("From: Warga <%s>\r\nTo: %s\r\nSubject: Kafe berisik\r\n"
           "Message-ID: <latin-1@example.id>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=iso-8859-1\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\nMusik keras di caf\xe9 sampai jam 2.\r\n"
           % (sender, ADDRESS)).encode("latin-1")
    dov.deliver(BOX, raw)
    reply = wait_until(lambda: mails_to(sink, sender), timeout=30)[0]
    code = CODE_RE.search(reply["Subject"]).group(1)
    assert "Musik keras di caf\u00e9 sampai jam 2." in case_by_code(sa, code)["description"]


def test_a_refused_answer_is_visible_on_the_case(mail, users):
    srv, dov, sink, sa = mail
    sender = "tidak.ada@example.id"
    sink.refuse = "550 5.1.1 no such user"
    try:
        raw, mid = mime("Lampu jalan mati", "Lampu di simpang empat mati sejak kemarin.\n",
                        sender=sender)
        dov.deliver(BOX, raw)
        done = wait_until(lambda: [s for s in summaries(sa)
                                   if s.get("message_id") == mid.strip("<>")], timeout=30)
        assert done[0]["result"] == "case"
        admin = users("admin.satpolpp")
        case = [c for c in sa.all_cases() if c["channel"] == "email" and
                "Lampu jalan" in (sa.case(c["id"])["description"] or "")][0]
        ev = wait_until(lambda: [e for e in admin.case(case["id"])["events"]
                                 if e["action"] == "notify_failed"], timeout=30)
        assert "550" in ev[0]["note"] and ev[0]["public"] is False
    finally:
        sink.refuse = None
    assert mails_to(sink, sender) == []


def test_an_operator_reply_goes_by_mail_without_auto_submitted(mail, users):
    srv, dov, sink, sa = mail
    code = first_case_code(sink)
    case = case_by_code(sa, code)
    before = len(mails_to(sink, CITIZEN))
    r = users("admin.satpolpp").post("/api/v1/cases/%d/messages" % case["id"],
                                      json={"text": "Petugas akan datang besok pagi."})
    assert r.status in (200, 201, 202), r
    got = wait_until(lambda: mails_to(sink, CITIZEN)[before:], timeout=30)
    assert "Petugas akan datang besok pagi." in got[0].get_content()
    assert CODE_RE.search(got[0]["Subject"]).group(1) == code
    assert got[0]["Auto-Submitted"] is None  # a person wrote it
    assert got[0]["In-Reply-To"]  # the citizen's last mail about the case


MINI_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def test_a_pdf_is_evidence_and_a_mail_fetched_twice_is_one_case(mail):
    srv, dov, sink, sa = mail
    sender = "pdf@example.id"
    raw, mid = mime("Surat keberatan", "Terlampir surat keberatan kami.\n", sender=sender,
                    attachments=[(MINI_PDF, "application", "pdf", "keberatan.pdf"),
                                 (b"PK\x03\x04 not evidence", "application", "zip", "x.zip")])
    dov.deliver(BOX, raw)
    dov.deliver(BOX, raw)  # the same Message-ID again (e.g. fetched twice)
    reply = wait_until(lambda: mails_to(sink, sender), timeout=30)[0]
    code = CODE_RE.search(reply["Subject"]).group(1)
    wait_until(lambda: [s for s in summaries(sa) if s.get("message_id") == mid.strip("<>")
                        and s.get("result") == "duplicate"], timeout=30)
    case = case_by_code(sa, code)
    assert [a["mime"] for a in case["attachments"]] == ["application/pdf"]
    wait_until(lambda: [a["state"] for a in sa.case(case["id"])["attachments"]] == ["stored"])
    time.sleep(1.5)
    assert len(mails_to(sink, sender)) == 1
    assert [c for c in sa.all_cases() if c["tracking_code"] == code]


def test_the_daily_limit_per_sender(mail):
    srv, dov, sink, sa = mail
    sender = "rajin@example.id"
    mids = []
    for i in range(7):
        raw, mid = mime("Laporan ke-%d" % (i + 1), "Isi laporan nomor %d.\n" % (i + 1),
                        sender=sender)
        mids.append(mid.strip("<>"))
        dov.deliver(BOX, raw)
    done = wait_until(lambda: (lambda r: r if len(r) == 7 else None)(
        {s["message_id"]: s["result"] for s in summaries(sa) if s.get("message_id") in mids}),
        timeout=60)
    assert sorted(done.values()) == ["case"] * 5 + ["daily_limit"] * 2
    # Five codes, one notice of the limit (not one per mail: no loops).
    got = wait_until(lambda: (lambda m: m if len(m) >= 6 else None)(mails_to(sink, sender)))
    time.sleep(1.5)
    got = mails_to(sink, sender)
    assert len(got) == 6
    assert sum(1 for m in got if "batas per hari" in m.get_content()) == 1


def test_a_mail_committed_but_not_flagged_is_flagged_not_stored_again(mail):
    """The commit happened, the STORE \\Seen did not (a crash between the
    two, a lost connection): the next poll finds the mail's UID in
    inbound_seen and flags it, with no second row, case or answer."""
    srv, dov, sink, sa = mail
    sender = "sekali@example.id"
    raw, mid = mime("Parit tersumbat", "Parit di jalan A. Yani tersumbat sampah.\n",
                    sender=sender)
    dov.deliver(BOX, raw)
    reply = wait_until(lambda: mails_to(sink, sender), timeout=30)[0]
    code = CODE_RE.search(reply["Subject"]).group(1)
    wait_until(lambda: "" not in dov.flags(BOX))
    rows = lambda: [s for s in summaries(sa) if s.get("message_id") == mid.strip("<>")]  # noqa
    assert len(wait_until(rows)) == 1
    assert dov.unseen(BOX, mid.encode()) == 1
    assert "" in dov.flags(BOX)
    wait_until(lambda: "" not in dov.flags(BOX), timeout=30)  # flagged again
    time.sleep(1.5)
    assert len(rows()) == 1
    assert len(mails_to(sink, sender)) == 1
    assert [c for c in sa.all_cases() if c["tracking_code"] == code]
    assert sum(1 for c in sa.all_cases() if c["channel"] == "email" and
               "Parit" in (sa.case(c["id"])["description"] or "")) == 1


class WriteLock:
    """Holds the database's write lock (SQLite) or a lock on the inbound
    table (PostgreSQL) until released: aduan's commit of a fetched mail
    waits behind it."""

    def __init__(self, srv):
        from db_peek import engine_of
        import subprocess
        if engine_of(srv) == "sqlite":
            import sqlite3
            self.db = sqlite3.connect(srv.db_path, timeout=30, isolation_level=None)
            self.db.execute("BEGIN IMMEDIATE")
            self.proc = None
        else:
            self.db = None
            self.srv = srv
            psql = os.path.join(os.environ["ADUAN_TEST_PG_BIN"], "psql")
            self.proc = subprocess.Popen(
                [psql, srv.extra_env["ADUAN_DATABASE_URL"], "-X", "-q", "-c",
                 "BEGIN; LOCK TABLE inbound IN EXCLUSIVE MODE; SELECT pg_sleep(120);"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_until(lambda: sql(srv, "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON"
                                   " c.oid = l.relation WHERE c.relname = 'inbound' AND"
                                   " l.mode = 'ExclusiveLock' AND l.granted")[0][0] == "1")

    def release(self):
        if self.db:
            self.db.execute("ROLLBACK")
            self.db.close()
        if self.proc:
            # The backend sleeps without reading its socket: ended here.
            sql(self.srv, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE query LIKE 'BEGIN; LOCK TABLE inbound%'")
            self.proc.kill()
            self.proc.wait()


def test_a_restart_between_fetch_and_commit_fetches_the_mail_again(mail):
    """The mail is fetched with BODY.PEEK[]: while its commit waits (here
    behind a lock) it stays unseen on the server, so a kill -9 then loses
    nothing: the restarted server fetches it again and makes its case."""
    srv, dov, sink, sa = mail
    sender = "mulai.lagi@example.id"
    raw, mid = mime("Pohon tumbang", "Pohon tumbang menutup jalan ke Halong.\n", sender=sender)
    lock = WriteLock(srv)
    try:
        dov.deliver(BOX, raw)
        time.sleep(3)  # polled every second: fetched, its commit waiting
        assert dov.flags(BOX).count("") == 1  # not \Seen by the fetch
        srv.proc.kill()
        srv.proc.wait()
    finally:
        lock.release()
    assert dov.flags(BOX).count("") == 1
    srv.start()
    sa.port = srv.port
    reply = wait_until(lambda: mails_to(sink, sender), timeout=30)
    code = CODE_RE.search(reply[0]["Subject"]).group(1)
    wait_until(lambda: "" not in dov.flags(BOX), timeout=30)
    assert case_by_code(sa, code)["description"].startswith("Pohon tumbang")
    assert len(mails_to(sink, sender)) == 1


def test_a_large_mail_and_one_with_an_overlong_line(mail):
    """BODY.PEEK[]'s literal is read from libcurl's response lines, of which
    it keeps 300 KB a command: a mail of several megabytes comes whole in
    parts of 128 KB (BODY.PEEK[]<start.count>), and so does one whose
    single line is longer than a part (a mail that breaks RFC 5322's 998).
    Both become cases, once, and stay unseen until committed."""
    srv, dov, sink, sa = mail
    big = os.urandom(3 * 1024 * 1024)
    raw, mid = mime("Foto besar", "Terlampir foto resolusi tinggi.\n", sender="besar@example.id",
                    attachments=[(MINI_PDF + big, "application", "pdf", "besar.pdf")])
    dov.deliver(BOX, raw)
    long_line = "panjang " * 40000  # 320 KB on one line
    raw2 = ("From: Warga <panjang@example.id>\r\nTo: %s\r\nSubject: Satu baris panjang\r\n"
            "Message-ID: <panjang-1@example.id>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nAwal qxlongline %s akhir\r\n"
            % (ADDRESS, long_line)).encode()
    dov.deliver(BOX, raw2)
    for sender in ("besar@example.id", "panjang@example.id"):
        wait_until(lambda: mails_to(sink, sender), timeout=60)
    wait_until(lambda: "" not in dov.flags(BOX), timeout=30)
    pdf = [s for s in summaries(sa) if s.get("message_id") == mid.strip("<>")]
    assert [s["result"] for s in pdf] == ["case"] and pdf[0]["attachments"] == 1
    code = CODE_RE.search(mails_to(sink, "panjang@example.id")[0]["Subject"]).group(1)
    assert case_by_code(sa, code)["description"].startswith("Satu baris panjang")
    # The mail came whole: its one line ends as it was sent.
    [[body]] = sql(srv, "SELECT body FROM inbound WHERE body LIKE '%qxlongline%'")
    assert len(body) > 320000 and " akhir" in body[-40:]
    time.sleep(1.5)
    assert len(mails_to(sink, "besar@example.id")) == 1
    assert len(mails_to(sink, "panjang@example.id")) == 1

