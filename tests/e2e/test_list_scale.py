"""GET /api/v1/cases: the kecamatan filter, the since_id change feed, and text
search paging, on both engines (the list SQL is built per filter set)."""

import pytest


def ids_of(page):
    return [x["id"] for x in page["items"]]


@pytest.fixture(scope="module")
def world(admin, damkar):
    cat = admin.category_id("pkl")
    a = admin.create_case(category_id=cat, kecamatan_code="63.11.03",
                          description="Gerobak qwzpalung di trotoar", address="Jl. Merdeka 1")
    b = admin.create_case(category_id=cat, kecamatan_code="63.11.03",
                          description="Lapak qwzpalung menutup jalan", address="Pasar Juai")
    c = admin.create_case(category_id=cat, kecamatan_code="63.11.05",
                          description="Spanduk liar di pagar sekolah",
                          address="Gang qwzpalung nomor 2")
    d = admin.create_case(category_id=cat, description="Tanpa kecamatan qwzpalung")
    admin.act(b["id"], "verify")
    fire = damkar.create_case(category_id=damkar.category_id("kebakaran"),
                              kecamatan_code="63.11.03",
                              description="Kebakaran qwzpalung di gudang")
    return {"a": a, "b": b, "c": c, "d": d, "fire": fire}


def test_kecamatan_filter(admin, world):
    page = admin.list_cases(kecamatan="63.11.03")
    ids = ids_of(page)
    assert world["a"]["id"] in ids and world["b"]["id"] in ids
    assert world["c"]["id"] not in ids and world["d"]["id"] not in ids
    assert world["fire"]["id"] not in ids  # another agency's case
    assert all(x["kecamatan"]["code"] == "63.11.03" for x in page["items"])
    assert ids == sorted(ids, reverse=True)


def test_kecamatan_with_status_and_search(admin, world):
    assert ids_of(admin.list_cases(kecamatan="63.11.03", status="verified",
                                   q="qwzpalung")) == [world["b"]["id"]]
    assert ids_of(admin.list_cases(kecamatan="63.11.05", q="qwzpalung")) == [world["c"]["id"]]
    assert admin.list_cases(kecamatan="63.11.08", q="qwzpalung")["items"] == []


def test_kecamatan_superadmin_sees_every_agency(sa, world):
    ids = ids_of(sa.list_cases(kecamatan="63.11.03", q="qwzpalung"))
    assert ids == [world["fire"]["id"], world["b"]["id"], world["a"]["id"]]


@pytest.mark.parametrize("value", ["63.11.99", "x", "63.11.03'--", "a" * 40])
def test_unknown_kecamatan_is_refused(admin, value):
    r = admin.get("/api/v1/cases", params={"kecamatan": value})
    assert r.status == 400, r
    assert r.json["error"]["code"] == "invalid"
    assert "kecamatan" in r.json["error"]["detail"]


def test_search_words_and_prefixes(admin, world):
    both = ids_of(admin.list_cases(q="qwzpalung"))
    assert both == [world["d"]["id"], world["c"]["id"], world["b"]["id"], world["a"]["id"]]
    # Every word must match (AND), each as a word or a prefix, any case,
    # in the description or the address.
    assert ids_of(admin.list_cases(q="QWZPAL gerobak")) == [world["a"]["id"]]
    assert ids_of(admin.list_cases(q="qwzpalung pasar")) == [world["b"]["id"]]
    assert ids_of(admin.list_cases(q="qwzpalung nosuchwordzz")) == []
    # Syntax of either engine's query language is just text.
    assert ids_of(admin.list_cases(q='"qwzpalung"* ^(')) == both
    assert ids_of(admin.list_cases(q="qwzpalung & !:*")) == both


def test_search_pages_with_the_cursor(admin, world):
    first = admin.list_cases(q="qwzpalung", limit=3)
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = admin.list_cases(q="qwzpalung", limit=3, cursor=first["next_cursor"])
    assert ids_of(rest) == [world["a"]["id"]]
    assert rest["next_cursor"] is None


def test_since_id_change_feed(admin, damkar, world):
    top = admin.list_cases(limit=1)
    since = top["next_since_id"]
    assert since == top["items"][0]["id"]
    assert admin.list_cases(since_id=since)["items"] == []
    cat = admin.category_id("trantibum")
    new = [admin.create_case(category_id=cat, description="Baru %d" % i) for i in range(3)]
    damkar.create_case(category_id=damkar.category_id("kebakaran"), description="Lain")
    feed = admin.list_cases(since_id=since)
    # Oldest first, only the user's agency, and the id to ask from next.
    assert ids_of(feed) == [x["id"] for x in new]
    assert feed["next_since_id"] == new[-1]["id"]
    assert feed["next_cursor"] is None
    part = admin.list_cases(since_id=since, limit=2)
    assert ids_of(part) == [new[0]["id"], new[1]["id"]]
    more = admin.list_cases(since_id=part["next_since_id"])
    assert ids_of(more) == [new[2]["id"]]
    # Filters apply to the feed too.
    assert admin.list_cases(since_id=since, status="verified")["items"] == []
    nothing = admin.list_cases(since_id=new[-1]["id"])
    assert nothing["items"] == [] and nothing["next_since_id"] == new[-1]["id"]


@pytest.mark.parametrize("params", [{"since_id": "0"}, {"since_id": "abc"},
                                    {"since_id": "-5"}, {"since_id": "5", "cursor": "9"}])
def test_bad_since_id_is_refused(admin, params):
    r = admin.get("/api/v1/cases", params=params)
    assert r.status == 400, r
    assert r.json["error"]["code"] == "invalid"


def test_viewer_sees_feed_without_reporter(viewer, admin, world):
    since = admin.list_cases(limit=1)["next_since_id"]
    admin.create_case(category_id=admin.category_id("perda"), description="Untuk pimpinan",
                      reporter={"name": "Budi", "phone": "081234567890"})
    feed = viewer.list_cases(since_id=since)
    assert len(feed["items"]) == 1
    assert "reporter" not in feed["items"][0]
