"""The WhatsApp webhook: handshake, signature, durable receipt.

Every payload in ../shared/fixtures/whatsapp/webhooks, correctly signed, is
acknowledged and stored once; unsigned or wrongly signed, it is refused with
401 and nothing is stored.
"""

import glob
import hashlib
import hmac
import json
import os
import time
import urllib.parse

import pytest

from aduan_e2e import Client, Server, engine_env, http_request, pg_available, repo_root

SECRET = "test-app-secret-\u00e9"[:16]
VERIFY = "verify-token-123"
# A copy of ../shared/fixtures/whatsapp/webhooks (46 real payloads from
# public sources, see PROVENANCE.md there), kept in the repository so the
# tests stay the same when shared/ changes.
FIXTURES = sorted(glob.glob(os.path.join(repo_root(), "tests", "fixtures", "whatsapp",
                                         "webhooks", "*.json")))


def sign(body, secret=SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(port, body, signature=None, extra=None):
    h = {"Content-Type": "application/json"}
    if signature is not None:
        h["X-Hub-Signature-256"] = signature
    h.update(extra or {})
    return http_request(port, "POST", "/webhooks/whatsapp", body=body, headers=h)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def wa(request, tmp_path_factory):
    if request.param == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    env = engine_env(request.param) or {}
    env.update({"ADUAN_WA_APP_SECRET": SECRET, "ADUAN_WA_VERIFY_TOKEN": VERIFY})
    srv = Server(tmp_path_factory.mktemp("wa"), env)
    srv.init(demo=True)
    srv.start()
    sa = Client(srv.port)
    assert sa.login("superadmin").status == 200
    yield srv, sa
    assert not srv.stop()


def inbox(sa, state=None):
    r = sa.get("/api/v1/inbound", params={"state": state} if state else None)
    assert r.status == 200, r
    return r.json["items"]


def test_fixtures_are_there():
    assert len(FIXTURES) == 46, "tests/fixtures/whatsapp/webhooks is incomplete"


def test_handshake(wa):
    srv, _ = wa
    q = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.verify_token": VERIFY,
                                "hub.challenge": "1158201444"})
    r = http_request(srv.port, "GET", "/webhooks/whatsapp?" + q)
    assert r.status == 200 and r.body == b"1158201444"
    assert r.header("Content-Type").startswith("text/plain")
    for bad in ({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
                {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
                {"hub.mode": "subscribe", "hub.challenge": "1"},
                {"hub.mode": "subscribe", "hub.verify_token": VERIFY},
                {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "x" * 200}):
        r = http_request(srv.port, "GET", "/webhooks/whatsapp?" + urllib.parse.urlencode(bad))
        assert r.status == 403, (bad, r)
        assert b"1158201444" not in r.body


def test_every_fixture_signed_is_stored_once(wa):
    srv, sa = wa
    before = len(inbox(sa))
    for path in FIXTURES:
        body = open(path, "rb").read()
        r = post(srv.port, body, sign(body))
        assert r.status == 200, (path, r)
        assert r.json == {"status": "received"}
    rows = inbox(sa)
    assert len(rows) == before + len(FIXTURES)
    stored = [row["body"].encode() for row in rows[:len(FIXTURES)]]
    for path in FIXTURES:
        assert stored.count(open(path, "rb").read()) == 1, path


def test_concurrent_webhooks_are_each_committed_once(wa):
    """Webhooks arriving together are committed in shared transactions
    (group commit): every 200 means stored, and each body is stored once."""
    import concurrent.futures
    srv, sa = wa
    tag = "gc-%d" % time.time_ns()
    bodies = []
    for i in range(90):  # the inbox API lists the newest 100
        body = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
            "field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "62511000001",
                             "phone_number_id": "100000000000001"},
                "contacts": [{"profile": {"name": "W"}, "wa_id": "62812%07d" % i}],
                "messages": [{"from": "62812%07d" % i, "id": "wamid.%s.%d" % (tag, i),
                              "timestamp": "1700000000", "type": "text",
                              "text": {"body": "halo %s %d" % (tag, i)}}]}}]}]}
        bodies.append(json.dumps(body).encode())
    with concurrent.futures.ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(pool.map(lambda b: post(srv.port, b, sign(b)), bodies))
    assert all(a.status == 200 and a.json == {"status": "received"} for a in answers), answers
    stored = [row["body"].encode() for row in inbox(sa) if tag in row["body"]]
    assert sorted(stored) == sorted(bodies)


@pytest.mark.parametrize("how", ["missing", "wrong_secret", "garbage", "other_body", "sha1",
                                 "uppercase_prefix", "truncated"])
def test_unsigned_or_wrongly_signed_is_refused(wa, how):
    srv, sa = wa
    body = open(FIXTURES[0], "rb").read()
    sig = {"missing": None, "wrong_secret": sign(body, "another-secret"),
           "garbage": "sha256=zz", "other_body": sign(body + b" "),
           "sha1": "sha1=" + hashlib.sha1(body).hexdigest(),
           "uppercase_prefix": "SHA256=" + sign(body)[7:], "truncated": sign(body)[:-2]}[how]
    before = len(inbox(sa))
    r = post(srv.port, body, sig)
    assert r.status == 401, r
    assert r.code == "unauthorized"
    assert len(inbox(sa)) == before


def test_signature_is_over_the_raw_bytes(wa):
    srv, sa = wa
    # The same JSON, re-serialised, is another body: its signature differs.
    body = open(FIXTURES[0], "rb").read()
    other = json.dumps(json.loads(body), separators=(",", ":")).encode()
    assert other != body
    assert post(srv.port, other, sign(body)).status == 401
    assert post(srv.port, other, sign(other)).status == 200


def test_signed_but_unusable_is_a_dead_letter(wa):
    srv, sa = wa
    for body in (b"\xff\xfe not utf-8", b"{not json", b"[]"):
        r = post(srv.port, body, sign(body))
        assert r.status == 200, r
    # More events than Meta ever batches (1000) is not Meta: refused whole.
    many = {"object": "whatsapp_business_account", "entry": [{"id": "W", "changes": [{
        "field": "messages", "value": {"metadata": {"phone_number_id": "100000000000001"},
                                       "statuses": [{"id": "wamid.X%d" % i, "status": "sent"}
                                                    for i in range(2001)]}}]}]}
    body = json.dumps(many).encode()
    assert post(srv.port, body, sign(body)).status == 200
    for _ in range(100):
        dead = inbox(sa, "dead")
        if any("too many events" in (d["error"] or "") for d in dead):
            break
        time.sleep(0.1)
    assert any("not UTF-8" in (d["error"] or "") for d in dead)
    assert any("too many events" in (d["error"] or "") for d in dead)
    assert any("not JSON" in (d["error"] or "") for d in dead)


def test_oversized_is_413_and_not_stored(wa):
    srv, sa = wa
    top = inbox(sa)[0]["id"]
    body = b'{"object":"whatsapp_business_account","pad":"' + b"x" * (3 * 1024 * 1024) + b'"}'
    r = post(srv.port, body, sign(body))
    assert r.status == 413 and r.code == "too_large"
    assert inbox(sa)[0]["id"] == top
    # Just under the limit is fine.
    body = b'{"object":"whatsapp_business_account","pad":"' + b"x" * (3 * 1024 * 1024 - 100) + b'"}'
    assert post(srv.port, body, sign(body)).status == 200
    rows = inbox(sa)
    assert rows[0]["id"] > top and rows[0]["body"].encode() == body
    assert rows[1]["id"] == top


def test_inbox_is_for_the_superadmin_only(wa):
    srv, _ = wa
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    assert admin.get("/api/v1/inbound").status == 403
    assert Client(srv.port).get("/api/v1/inbound").status == 401


def test_without_a_secret_everything_is_refused(tmp_path):
    # A real set-up (an access token) without the app secret: nothing passes.
    srv = Server(tmp_path, {"ADUAN_WA_ACCESS_TOKEN": "token"})
    srv.init(demo=True)
    srv.start()
    try:
        body = open(FIXTURES[0], "rb").read()
        r = post(srv.port, body, sign(body))
        assert r.status == 401 and "ADUAN_WA_APP_SECRET" in r.json["error"]["detail"]
        q = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.verify_token": "",
                                    "hub.challenge": "1"})
        assert http_request(srv.port, "GET", "/webhooks/whatsapp?" + q).status == 403
    finally:
        assert not srv.stop()
