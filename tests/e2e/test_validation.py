"""Bad request bodies and queries, unknown paths and methods: the right error,
and nothing changes."""

import json

import pytest

from aduan_e2e import http_request, raw_exchange, snapshot


@pytest.fixture(scope="module")
def superadmin(users):
    return users("superadmin")


@pytest.fixture
def unchanged(superadmin):
    """Asserts at the end of the test that the set of cases (and each case's
    status and history length) is what it was at the start."""
    def state():
        return [(c["id"], c["status"], c["updated_at"]) for c in superadmin.all_cases()]
    before = state()
    yield
    assert state() == before, "an error changed the cases"


def create(admin, body=None, raw=None, **kw):
    if raw is not None:
        return admin.post("/api/v1/cases", body=raw, **kw)
    return admin.post("/api/v1/cases", json=body, **kw)


def test_malformed_json_is_bad_json(admin, unchanged):
    for raw in (b'{"category_id": 1, "description": "x"', b"{category_id: 1}", b"nope",
                b'{"description": "a",}', b"", b'{"a":1} {"b":2}'):
        r = create(admin, raw=raw)
        assert r.status == 400, (raw, r)
        assert r.code == "bad_json", (raw, r)


def test_non_object_json_is_bad_json(admin, unchanged):
    for raw in (b'[{"category_id": 1, "description": "array body"}]', b'"text"', b"42",
                b"null", b"true"):
        r = create(admin, raw=raw)
        assert r.status == 400, (raw, r)
        assert r.code == "bad_json", (raw, r)


def test_duplicate_keys_are_refused(admin, unchanged):
    r = create(admin, raw=b'{"category_id": 1, "description": "a", "description": "b"}')
    assert r.status == 400, r
    assert r.code == "bad_json", r


def test_invalid_utf8_in_body_is_bad_utf8(admin, unchanged):
    for raw in (b'{"category_id": 1, "description": "Keributan \xff di pasar"}',
                b'{"category_id": 1, "description": "\xc3\x28"}',
                b'{"category_id": 1, "description": "surrogate \xed\xa0\x80"}',
                b'{"category_id": 1, "description": "overlong \xc0\xaf"}'):
        r = create(admin, raw=raw)
        assert r.status == 400, (raw, r)
        assert r.code == "bad_utf8", (raw, r)


def test_invalid_utf8_in_transition_body_is_bad_utf8(admin):
    cid = admin.create_case(category_id=1, description="utf8 transition test")["id"]
    before = snapshot(admin.case(cid))
    r = admin.post("/api/v1/cases/%d/transitions" % cid,
                   body=b'{"action": "reject", "note": "alasan \xfe\xff"}')
    assert r.status == 400 and r.code == "bad_utf8", r
    assert snapshot(admin.case(cid)) == before


def test_invalid_utf8_in_query_is_bad_utf8(admin):
    for q in ("q=%ff", "q=pasar%c3%28", "q=%ed%a0%80", "status=%ff"):
        r = admin.get("/api/v1/cases?" + q)
        assert r.status == 400, (q, r)
        assert r.code == "bad_utf8", (q, r)


def test_valid_utf8_query_is_fine(admin):
    r = admin.get("/api/v1/cases?q=%C3%A9t%C3%A9")  # "été"
    assert r.status == 200, r
    assert r.json["items"] == []


@pytest.mark.parametrize("body,field", [
    ({"category_id": "1", "description": "kategori sebagai teks"}, "category_id"),
    ({"category_id": 1.5, "description": "kategori pecahan"}, "category_id"),
    ({"category_id": -1, "description": "kategori negatif"}, "category_id"),
    ({"category_id": 1, "description": "rahasia teks", "rahasia": "yes"}, "rahasia"),
    ({"category_id": 1, "description": "anonim angka", "anonim": 1}, "anonim"),
    ({"category_id": 1, "description": 12345}, "description"),
    ({"category_id": 1, "description": "lat teks", "lat": "-2.3", "lon": 115.4}, "lat"),
    ({"category_id": 1, "description": "reporter teks", "reporter": "Budi"}, "reporter"),
    ({"category_id": 1, "description": "phone angka", "reporter": {"phone": 812345}}, "phone"),
])
def test_wrong_types_are_invalid(admin, unchanged, body, field):
    r = create(admin, body)
    assert r.status == 400, r
    assert r.code == "invalid", r
    assert field in r.json["error"].get("detail", ""), r


@pytest.mark.parametrize("body,field", [
    ({"category_id": 1}, "description"),
    ({"category_id": 1, "description": "   \n\t "}, "description"),
    ({"category_id": 1, "description": "x" * 4001}, "description"),
    ({"description": "tanpa kategori"}, "category_id"),
    ({"category_id": 999, "description": "kategori tak dikenal"}, "category_id"),
    ({"category_id": 6, "description": "kategori instansi lain"}, "category_id"),
    ({"category_id": 1, "description": "lat saja", "lat": -2.33}, "lat"),
    ({"category_id": 1, "description": "lon saja", "lon": 115.46}, "lon"),
    ({"category_id": 1, "description": "lat di luar", "lat": 91, "lon": 115.46}, "lat"),
    ({"category_id": 1, "description": "channel", "channel": "whatsapp"}, "channel"),
    ({"category_id": 1, "description": "priority", "priority": "asap"}, "priority"),
    ({"category_id": 1, "description": "kecamatan", "kecamatan_code": "63.11.99"},
     "kecamatan_code"),
    ({"category_id": 1, "description": "alamat", "address": "a" * 501}, "address"),
    ({"category_id": 1, "description": "telepon", "reporter": {"phone": "abc"}}, "phone"),
    ({"category_id": 1, "description": "nama", "reporter": {"name": "n" * 121}}, "name"),
])
def test_missing_or_out_of_range_is_invalid(admin, unchanged, body, field):
    r = create(admin, body)
    assert r.status == 400, r
    assert r.code == "invalid", r
    assert field in r.json["error"].get("detail", ""), r


def test_description_limit_counts_characters(admin):
    # 4000 characters of two bytes each are allowed (the limit is in characters).
    c = admin.create_case(category_id=1, description="é" * 4000)
    assert c["description"] == "é" * 4000


def test_wrong_content_type_is_415(admin, unchanged):
    body = json.dumps({"category_id": 1, "description": "content type"}).encode()
    for ct in ("text/plain", "application/x-www-form-urlencoded", None):
        r = create(admin, raw=body, content_type=ct)
        assert r.status == 415, (ct, r)
        assert r.code == "unsupported_media_type", (ct, r)


def test_json_content_type_with_charset_is_accepted(admin):
    body = json.dumps({"category_id": 1, "description": "content type"}).encode()
    r = create(admin, raw=body, content_type="application/json; charset=utf-8")
    assert r.status == 201, r


def _big_body(size):
    pad = "x" * size
    return json.dumps({"category_id": 1, "description": "besar", "address": pad}).encode()


def test_body_over_64k_with_content_length_is_413(server, admin, unchanged):
    body = _big_body(70 * 1024)
    r = create(admin, raw=body)
    assert r.status == 413, r
    assert r.code == "too_large", r


@pytest.mark.parametrize("length,expect", [(10 * 1024 * 1024, ""), (100000, "Expect: 100-continue\r\n")])
def test_body_over_64k_refused_before_reading(server, admin, unchanged, length, expect):
    # Only the head is sent: beyond what is worth draining (4 MiB), or when
    # the client waits for "100 Continue", the answer comes without the body.
    head = ("POST /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n%s"
            "Cookie: aduan_session=%s\r\nX-CSRF-Token: %s\r\n\r\n"
            % (length, expect, admin.cookies["aduan_session"], admin.csrf)).encode()
    status, _, body = raw_exchange(server.port, head, timeout=15)
    assert status == 413, body
    assert json.loads(body)["error"]["code"] == "too_large"


def test_body_over_64k_is_read_then_refused(server, admin, unchanged):
    # Up to 4 MiB the body is read (and thrown away) before the 413, so a
    # proxy that forwards whole bodies gets an answer, not a reset.
    body = _big_body(3 * 1024 * 1024)
    head = ("POST /api/v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n"
            "Cookie: aduan_session=%s\r\nX-CSRF-Token: %s\r\n\r\n"
            % (len(body), admin.cookies["aduan_session"], admin.csrf)).encode()
    status, _, answer = raw_exchange(server.port, head + body, timeout=30)
    assert status == 413, answer
    assert json.loads(answer)["error"]["code"] == "too_large"


def test_body_over_64k_chunked_is_413(admin, unchanged):
    body = _big_body(80 * 1024)

    def chunks():
        for i in range(0, len(body), 8192):
            yield body[i:i + 8192]

    r = admin.request("POST", "/api/v1/cases", body=chunks(), encode_chunked=True,
                      headers={"Transfer-Encoding": "chunked"})
    assert r.status == 413, r
    assert r.code == "too_large", r


def test_body_just_under_64k_is_accepted_by_the_http_layer(admin):
    # A body under the limit is parsed: here it is then refused for the
    # address being too long (400 invalid, not 413).
    body = _big_body(60 * 1024)
    assert len(body) < 64 * 1024
    r = create(admin, raw=body)
    assert r.status == 400 and r.code == "invalid", r


def test_chunked_small_body_works(admin):
    body = json.dumps({"category_id": 1, "description": "chunked kecil"}).encode()
    r = admin.request("POST", "/api/v1/cases", body=iter([body[:10], body[10:]]),
                      encode_chunked=True, headers={"Transfer-Encoding": "chunked"})
    assert r.status == 201, r


# ---- unknown ids, paths and methods -----------------------------------------


def test_unknown_case_is_404(admin, unchanged):
    r = admin.get("/api/v1/cases/999999")
    assert r.status == 404 and r.code == "not_found", r
    r = admin.transition(999999, "verify")
    assert r.status == 404 and r.code == "not_found", r
    r = admin.transition(999999, "reject", public_note="tidak ada")
    assert r.status == 404 and r.code == "not_found", r


def test_unknown_routes_are_404(server, admin, unchanged):
    for path in ("/api/v1/nothing", "/api/v1/cases/0", "/api/v1/cases/abc",
                 "/api/v1/cases/1/nope", "/api/v1/cases/-1", "/api/v2/cases", "/nope",
                 "/api/v1/cases/", "/api/v1/cases/1/transitions/x"):
        r = admin.get(path)
        assert r.status == 404, (path, r)
        assert r.code == "not_found", (path, r)
    # Without a session too.
    r = http_request(server.port, "GET", "/api/v1/nothing")
    assert r.status == 404 and r.code == "not_found", r


def test_wrong_method_is_405(admin, unchanged):
    cases = [("DELETE", "/api/v1/cases"), ("PUT", "/api/v1/cases/1"),
             ("DELETE", "/api/v1/cases/1"), ("GET", "/api/v1/cases/1/transitions"),
             ("GET", "/api/v1/auth/login"), ("POST", "/api/v1/agencies"),
             ("PATCH", "/api/v1/cases/1"), ("POST", "/healthz")]
    for method, path in cases:
        r = admin.request(method, path, json={"action": "verify"})
        assert r.status == 405, (method, path, r)
        assert r.code == "method_not_allowed", (method, path, r)
