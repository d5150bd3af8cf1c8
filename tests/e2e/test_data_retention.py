"""Raw webhooks do not keep personal data forever (issue #13, item 6), on
both engines: after ADUAN_RAW_RETENTION_SECONDS (the test knob of
ADUAN_RAW_RETENTION_HOURS) a processed body is gone from inbound and only
ids, types, times and reasons stay; a dead letter's body is encrypted with
ADUAN_DATA_KEY and removed 30 days after it died; the superadmin's view
says what was removed and when."""

import json
import os
import re
import sqlite3
import time

import pytest

from aduan_e2e import Server, http_request, pg_available, wait_until
from db_peek import engine_of, sql
from wa_helpers import Citizen, choices, envelope, message, sign, start, superadmin, text_of

DATA_KEY = "7a" * 32
NIK = "6311061501900001"
CITIZEN = "6281234577001"
PROFILE = "Siti Rahmawati"
TYPED_NAME = "Budi Santoso"
TYPED_PHONE = "081298765432"
UNKNOWN_PNID = "999999999999999"
MARKER = "xqz-only-in-the-dead-letter"


def serve(request, tmp_path, **env):
    if request.param == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    return start(tmp_path, request.param, extra_env=env)


def stop(srv, graph):
    try:
        assert not srv.stop()
    finally:
        graph.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def short(request, tmp_path):
    """Raw bodies are kept 3 seconds after processing."""
    srv, graph = serve(request, tmp_path, ADUAN_RAW_RETENTION_SECONDS="3")
    yield srv, graph
    stop(srv, graph)


@pytest.fixture(params=["sqlite", "postgres"])
def keyed(request, tmp_path):
    """Dead letters encrypted at rest; raw bodies kept 2 seconds."""
    srv, graph = serve(request, tmp_path, ADUAN_RAW_RETENTION_SECONDS="2",
                       ADUAN_DATA_KEY=DATA_KEY)
    yield srv, graph
    stop(srv, graph)


def inbox_rows(srv):
    """Every column of every inbound row, as one string per row."""
    return [" | ".join(v or "" for v in row) for row in sql(srv, "SELECT * FROM inbound")]


def personal_data_in(rows):
    """What of the citizen's personal data the rows still hold."""
    found = set()
    for r in rows:
        for what, needle in (("NIK", NIK), ("NIK", "6311 0615"), ("name", TYPED_NAME),
                             ("profile name", PROFILE), ("wa_id", CITIZEN),
                             ("phone", TYPED_PHONE), ("phone", TYPED_PHONE[1:])):
            if needle in r:
                found.add(what)
    return found


def file_complaint(srv, graph):
    """A whole complaint in which the citizen types a NIK, a name and a
    phone number; returns the tracking code."""
    w = Citizen(srv, graph, CITIZEN, name=PROFILE)
    w.text("halo")
    w.tap("menu:report")
    cats = w.tap("consent:yes", button=True)[0]
    cat = [c for c in choices(cats) if c.startswith("cat:")][1]
    assert "Ceritakan" in text_of(w.tap(cat)[0])
    w.text("Saya %s, NIK %s, HP %s. Pedagang menutup trotoar depan pasar setiap pagi."
           % (TYPED_NAME, NIK, TYPED_PHONE))
    w.say("location", lat=-2.3361, lon=115.4668, address="Jl. A. Yani, Paringin")
    w.tap("photos:next", button=True)
    done = text_of(w.tap("confirm:send", button=True)[0])
    return re.search(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*", done).group(1)


def test_a_complaint_leaves_no_personal_data_in_the_inbox(short):
    srv, graph = short
    code = file_complaint(srv, graph)
    sa = superadmin(srv)
    # Right after processing the bodies are still there (for debugging)...
    assert {"NIK", "name", "profile name", "wa_id", "phone"} <= personal_data_in(inbox_rows(srv))
    # ...and after the retention window nothing of the person is left.
    wait_until(lambda: not personal_data_in(inbox_rows(srv)))
    items = sa.get("/api/v1/inbound?state=done").json["items"]
    assert len(items) >= 7
    for it in items:
        assert it["body"] is None and it["body_state"] == "removed", it
        assert it["body_removed_at"] and it["processed_at"] and it["received_at"]
        assert "dihapus" in it["body_note"] and "UU PDP" in it["body_note"]
        # What debugging needs stays: the number's id, each message's id and type.
        assert it["summary"]["phone_number_id"] == "100000000000001"
        for m in it["summary"]["messages"]:
            assert m["id"].startswith("wamid.") and m["type"] and m["timestamp"]
    types = sorted(m["type"] for it in items for m in it["summary"]["messages"])
    assert types.count("interactive") >= 3 and "location" in types and "text" in types
    en = sa.get("/api/v1/inbound?state=done", lang="en").json["items"][0]
    assert "removed" in en["body_note"]
    # The report itself is untouched, and a repeated message is still
    # recognised (idempotency does not need the body).
    case = [c for c in sa.all_cases() if c["tracking_code"] == code][0]
    assert NIK in sa.case(case["id"])["description"]
    r = sa.get("/api/v1/inbound")
    assert r.json["retention"] == {"raw_seconds": 3, "dead_days": 30}


def test_a_repeated_message_after_the_window_is_not_answered_twice(short):
    srv, graph = short
    w = Citizen(srv, graph, "6281234577002", name=PROFILE)
    msg = message(w.wa_id, "text", body="halo, saya %s" % TYPED_NAME)
    since = graph.last_seq()
    w.post(msg)
    graph.wait_messages(to=w.wa_id, since=since, timeout=10)
    wait_until(lambda: not [r for r in inbox_rows(srv) if TYPED_NAME in r])
    # Meta re-sends the same message id: stored, processed, not answered.
    since = graph.last_seq()
    w.post(msg)
    time.sleep(1.5)
    assert graph.messages(to=w.wa_id, since=since) == []


def post_raw(srv, body):
    r = http_request(srv.port, "POST", "/webhooks/whatsapp", body=body,
                     headers={"Content-Type": "application/json",
                              "X-Hub-Signature-256": sign(body)})
    assert r.status == 200, r
    return r


def dead_letter_body(text):
    msg = message(CITIZEN, "text", body=text)
    return json.dumps(envelope(UNKNOWN_PNID, [msg], name=PROFILE)).encode()


def test_dead_letters_are_encrypted_then_removed_after_30_days(keyed):
    srv, graph = keyed
    sa = superadmin(srv)
    post_raw(srv, dead_letter_body("NIK saya %s, tolong" % NIK))
    post_raw(srv, dead_letter_body("Saya %s, HP %s" % (TYPED_NAME, TYPED_PHONE)))
    # Not UTF-8: a dead letter from the start, kept as hex, never processed.
    post_raw(srv, b'{"object": "whatsapp_business_account", "x": "\xff\xfe ' +
             CITIZEN.encode() + b'"}')

    def dead():
        return sa.get("/api/v1/inbound?state=dead").json["items"]
    wait_until(lambda: len(dead()) == 3 and all(d["body_state"] == "sealed" for d in dead()))
    # At rest: encrypted, none of the person readable; the reason is kept.
    rows = sql(srv, "SELECT id, body, body_state, error FROM inbound WHERE state = 'dead'")
    assert len(rows) == 3
    for _, body, state, error in rows:
        assert body.startswith("v1:") and state == "sealed" and error
    assert not personal_data_in(inbox_rows(srv))
    # The superadmin still reads them (the key is on the server).
    items = dead()
    assert all(d["encrypted"] is True for d in items)
    assert any(NIK in d["body"] for d in items)
    assert any(d["error"] == "1 message(s) for a phone_number_id no agency has" for d in items)
    assert all("terenkripsi" in d["body_note"] for d in items)

    # 29 days on, still there; 31 days on, the body goes, the row stays.
    ids = sorted(int(r[0]) for r in rows)
    sql(srv, "UPDATE inbound SET received_at = received_at - ?,"
             " processed_at = processed_at - ? WHERE id = ?",
        (29 * 86400, 29 * 86400, ids[0]))
    sql(srv, "UPDATE inbound SET received_at = received_at - ?,"
             " processed_at = processed_at - ? WHERE id IN (?, ?)",
        (31 * 86400, 31 * 86400, ids[1], ids[2]))
    wait_until(lambda: sum(d["body_state"] == "removed" for d in dead()) == 2)
    time.sleep(2.5)   # another pass or two: the 29-day one is kept
    by_id = {d["id"]: d for d in dead()}
    assert by_id[ids[0]]["body_state"] == "sealed" and by_id[ids[0]]["body"]
    for i in ids[1:]:
        d = by_id[i]
        assert d["body"] is None and d["body_removed_at"] and d["error"]
        assert "dihapus" in d["body_note"]
    stored = {int(r[0]): r[1] for r in sql(srv, "SELECT id, body FROM inbound WHERE state = 'dead'")}
    assert stored[ids[1]] == "" and stored[ids[2]] == "" and stored[ids[0]].startswith("v1:")


def test_without_a_key_dead_letters_stay_readable_until_removed(short):
    """No ADUAN_DATA_KEY: nothing to encrypt with (README says so); the
    30-day removal still applies."""
    srv, graph = short
    sa = superadmin(srv)
    post_raw(srv, dead_letter_body("NIK saya %s, %s" % (NIK, MARKER)))
    wait_until(lambda: sa.get("/api/v1/inbound?state=dead").json["items"])
    time.sleep(1.5)
    d = sa.get("/api/v1/inbound?state=dead").json["items"][0]
    assert d["body_state"] == "raw" and NIK in d["body"] and d["encrypted"] is False
    sql(srv, "UPDATE inbound SET received_at = received_at - ?, processed_at = processed_at - ?"
             " WHERE state = 'dead'", (31 * 86400, 31 * 86400))
    wait_until(lambda: sa.get("/api/v1/inbound?state=dead").json["items"][0]["body_state"]
               == "removed")
    assert not personal_data_in(inbox_rows(srv))
    if engine_of(srv) == "sqlite":
        # Nor in the file's free space: a backup taken now does not hold it.
        copy = os.path.join(srv.workdir, "backup.db")
        src, dst = sqlite3.connect(srv.db_path), sqlite3.connect(copy)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        with open(copy, "rb") as f:
            raw = f.read()
        assert MARKER.encode() not in raw and NIK.encode() not in raw


def test_an_abandoned_request_leaves_no_nik_in_the_conversation(short):
    """A resident types the NIK and goes away: a day later the draft keeps
    nothing of them; when they come back the dialogue says it expired."""
    srv, graph = short
    w = Citizen(srv, graph, "6281234577003", pnid="100000000000003", name=PROFILE)
    assert "menu:service" in choices(w.text("halo")[0])
    listed = w.tap("menu:service")[0]
    w.tap([c for c in choices(listed) if c.startswith("svc:")][0])
    w.tap("svc_consent:yes", button=True)
    assert "nama lengkap" in text_of(w.text(NIK)[0]).lower()

    def drafts():
        return [d for (d,) in sql(srv, "SELECT draft FROM conversations WHERE address = ?",
                                  (w.wa_id,))]
    assert NIK in drafts()[0]
    time.sleep(4)   # a few passes: a fresh draft is left alone
    assert NIK in drafts()[0]
    sql(srv, "UPDATE conversations SET updated_at = updated_at - 90000 WHERE address = ?",
        (w.wa_id,))
    wait_until(lambda: NIK not in drafts()[0])
    assert "svc" not in json.loads(drafts()[0])
    since = graph.last_seq()
    w.post(message(w.wa_id, "text", body="Saya mau lanjut"))
    answer = graph.wait_messages(to=w.wa_id, since=since, count=2, timeout=10)
    assert "kedaluwarsa" in text_of(answer[0])


@pytest.mark.parametrize("key,value", [("ADUAN_RAW_RETENTION_HOURS", "0"),
                                       ("ADUAN_RAW_RETENTION_HOURS", "721"),
                                       ("ADUAN_RAW_RETENTION_HOURS", "2.5"),
                                       ("ADUAN_RAW_RETENTION_SECONDS", "0")])
def test_a_bad_retention_setting_stops_the_program(tmp_path, key, value):
    r = Server(tmp_path).cli("migrate", **{key: value})
    assert r.returncode == 2 and key in r.stderr, r.stderr
    assert "configuration error" in r.stderr
