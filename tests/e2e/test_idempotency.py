"""Idempotency-Key on the field officer's changes (issue 18, the field app's
offline queue).

A phone that sent a queued start or photo and lost the signal before the
answer sends it again under the same key: the server answers as the first
time (`Idempotent-Replayed: true`) and changes nothing. A different key is a
new request; a key reused for a different request is 422 and changes
nothing; a malformed key is 400. Keys are the user's own, and leave the
database 48 hours after they were used (the retention job).
"""

import time

import pytest

from aduan_e2e import Client, fixture_image, wait_until
from test_field_scope import db_exec

JPEG = fixture_image("exif-gps.jpg")
# The retention job looks every second (a quarter of this, at least 1 s).
SERVER_ENV = {"ADUAN_RAW_RETENTION_SECONDS": "4"}


def login(srv, name):
    c = Client(srv.port)
    assert c.login(name).status == 200, name
    return c


@pytest.fixture(scope="module")
def world(server):
    admin, kabid = login(server, "admin.satpolpp"), login(server, "kabid.satpolpp")
    trc = login(server, "trc.satpolpp")
    paringin = admin.team_id("TRC Pos Paringin")

    def dispatched(text):
        cid = admin.create_case(category_id=admin.category_id("pkl"), description=text,
                                reporter={"name": "Warga Idem", "phone": "081311119001"})["id"]
        admin.act(cid, "verify")
        kabid.act(cid, "dispatch", team_id=paringin, note="Cek lokasi")
        return cid

    return {"admin": admin, "kabid": kabid, "trc": trc, "dispatched": dispatched}


def start(client, cid, key, body=None):
    return client.post("/api/v1/cases/%d/transitions" % cid, json=body or {"action": "start"},
                       headers={"Idempotency-Key": key})


def upload(client, cid, key, note=None, data=JPEG):
    path = "/api/v1/cases/%d/attachments" % cid + ("?note=" + note if note else "")
    return client.post(path, body=data, content_type="image/jpeg",
                       headers={"Idempotency-Key": key})


def starts(case):
    return [e for e in case["events"] if e["action"] == "start"]


def test_the_same_start_twice_is_one_transition(server, world):
    trc, cid = world["trc"], world["dispatched"]("Lapak qxidemstart di trotoar")
    first = start(trc, cid, "k-start-1")
    assert first.status == 200, first
    assert first.header("Idempotent-Replayed") is None
    again = start(trc, cid, "k-start-1")
    assert again.status == 200, again
    assert again.header("Idempotent-Replayed") == "true"
    assert again.json["event_id"] == first.json["event_id"]
    assert again.json["status"] == "in_progress"
    case = trc.case(cid)
    assert case["status"] == "in_progress"
    assert len(starts(case)) == 1
    # Without the key, a second start is what it always was: not possible now.
    assert trc.transition(cid, "start").status == 409


def test_the_same_photo_twice_is_one_attachment(server, world):
    trc, cid = world["trc"], world["dispatched"]("Reklame qxidemphoto di pohon")
    before = len(trc.case(cid)["attachments"])
    first = upload(trc, cid, "k-photo-1")
    assert first.status == 201, first
    again = upload(trc, cid, "k-photo-1")
    assert again.status == 201, again
    assert again.header("Idempotent-Replayed") == "true"
    assert again.json["id"] == first.json["id"]
    assert len(trc.case(cid)["attachments"]) == before + 1
    # A different key is another photo.
    other = upload(trc, cid, "k-photo-2")
    assert other.status == 201, other
    assert other.json["id"] != first.json["id"]
    assert len(trc.case(cid)["attachments"]) == before + 2


def test_a_key_reused_for_another_request_is_422_and_changes_nothing(server, world):
    trc, cid = world["trc"], world["dispatched"]("Parkir qxidemreuse di bahu jalan")
    assert upload(trc, cid, "k-reuse").status == 201
    n = len(trc.case(cid)["attachments"])
    # Another note (the query), another case, another route: each a different request.
    other_cid = world["dispatched"]("Parkir qxidemreuse2 di bahu jalan")
    for r in (upload(trc, cid, "k-reuse", note="lain"),
              upload(trc, other_cid, "k-reuse"),
              start(trc, cid, "k-reuse")):
        assert r.status == 422, r
        assert r.code == "idempotency_key_reused"
        assert "Idempotency-Key" in r.json["error"]["detail"]
    case = trc.case(cid)
    assert len(case["attachments"]) == n and case["status"] == "dispatched"
    assert trc.case(other_cid)["attachments"] == []
    # In English too.
    r = trc.post("/api/v1/cases/%d/transitions" % cid, json={"action": "start"},
                 headers={"Idempotency-Key": "k-reuse"}, lang="en")
    assert r.status == 422 and "different request" in r.json["error"]["detail"], r


@pytest.mark.parametrize("key", ["", "a b", "x" * 101, "kunci\u00e9"])
def test_a_malformed_key_is_400_and_changes_nothing(server, world, key):
    trc, cid = world["trc"], world["dispatched"]("Lapak qxidembad di trotoar")
    r = trc.post("/api/v1/cases/%d/transitions" % cid, json={"action": "start"},
                 headers={"Idempotency-Key": key.encode("utf-8").decode("latin-1")})
    assert r.status == 400, r
    assert trc.case(cid)["status"] == "dispatched"


def test_a_failed_request_does_not_keep_its_key(server, world):
    """A refused request (resolve before start) leaves the key free: once the
    officer has started, the same request under the same key runs."""
    trc, cid = world["trc"], world["dispatched"]("Lapak qxidemfail di trotoar")
    body = {"action": "resolve", "public_note": "Lapak sudah dipindahkan."}
    assert start(trc, cid, "k-fail", body).status == 409
    assert start(trc, cid, "k-fail-start").status == 200
    r = start(trc, cid, "k-fail", body)
    assert r.status == 200 and r.header("Idempotent-Replayed") is None, r
    assert trc.case(cid)["status"] == "resolved"


def test_keys_are_each_users_own(server, world):
    trc, kabid = world["trc"], world["kabid"]
    cid = world["dispatched"]("Reklame qxidemusers di pohon")
    a, b = upload(trc, cid, "k-shared"), upload(kabid, cid, "k-shared")
    assert a.status == 201 and b.status == 201, (a, b)
    assert a.json["id"] != b.json["id"] and b.header("Idempotent-Replayed") is None
    assert len(trc.case(cid)["attachments"]) == 2


def test_the_scope_is_checked_before_the_key(server, world):
    """Another agency's user replaying nothing: 403 before any key is looked at."""
    damkar = login(server, "admin.damkar")
    cid = world["dispatched"]("Lapak qxidemscope di trotoar")
    r = start(damkar, cid, "k-scope")
    assert r.status == 403, r
    assert start(world["trc"], cid, "k-scope").status == 200


def test_keys_leave_after_48_hours(server, world):
    trc, cid = world["trc"], world["dispatched"]("Lapak qxidemold di trotoar")
    assert upload(trc, cid, "k-old").status == 201
    db_exec(server, ["UPDATE idempotency_keys SET created_at = created_at - 49 * 3600"
                     " WHERE key = 'k-old'",
                     "UPDATE idempotency_keys SET created_at = created_at - 47 * 3600"
                     " WHERE key = 'k-photo-1'"])

    def gone():
        r = upload(trc, cid, "k-old")
        if r.status == 201 and r.header("Idempotent-Replayed") is None:
            return r
        assert r.status == 201, r
        time.sleep(0.5)
        return None

    # Once purged, the key is free again: the same upload is a new photo.
    assert wait_until(gone, timeout=20)
    # A key 47 hours old is still kept.
    r = upload(trc, world["dispatched"]("x qxidemnew"), "k-photo-1")
    assert r.status == 422, r
