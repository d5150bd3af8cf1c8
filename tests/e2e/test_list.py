"""GET /api/v1/cases: filters, search, dates and cursor pagination."""

import datetime

import pytest

WITA = datetime.timezone(datetime.timedelta(hours=8))  # Asia/Makassar, no DST


def today_wita():
    return datetime.datetime.now(WITA).date()


@pytest.fixture(scope="module")
def world(users, admin):
    """A few cases in known states, made once for the module."""
    kabid = users("kabid.satpolpp")
    cat = {k: admin.category_id(k) for k in ("trantibum", "pkl", "reklame_liar", "perda")}
    team = {k: admin.team_id(n) for k, n in (("paringin", "TRC Pos Paringin"),
                                            ("juai", "TRC Pos Juai"))}
    a = admin.create_case(category_id=cat["perda"],
                          description="Warung remang-remang zebrakudaxyz buka sampai subuh",
                          address="Jalan Sungai Pinang")
    b = admin.create_case(category_id=cat["perda"],
                          description="Karaoke tanpa izin di gang mawar",
                          address="Gang zebrakudaxyz nomor 7")
    c = admin.create_case(category_id=cat["reklame_liar"],
                          description="Baliho roboh menutupi jalan kampung",
                          address="Desa Lok Batu")
    d = admin.create_case(category_id=cat["pkl"],
                          description="Lapak buah di badan jalan depan sekolah")
    admin.act(c["id"], "verify")
    admin.act(d["id"], "verify")
    kabid.act(d["id"], "dispatch", team_id=team["juai"])
    return {"a": a, "b": b, "c": c, "d": d, "cat": cat, "team": team}


def ids_of(page):
    return [x["id"] for x in page["items"]]


def test_default_list_is_newest_first(admin, world):
    page = admin.list_cases()
    ids = ids_of(page)
    assert ids == sorted(ids, reverse=True)
    assert ids[0] == world["d"]["id"]
    assert len(ids) <= 50
    assert all(x["agency"]["id"] == 1 for x in page["items"])
    assert page["next_cursor"] is None  # fewer than 50 cases


def test_filter_status(admin, world):
    verified = admin.list_cases(status="verified")
    assert world["c"]["id"] in ids_of(verified)
    assert all(x["status"] == "verified" for x in verified["items"])
    dispatched = admin.list_cases(status="dispatched")
    assert ids_of(dispatched) == [world["d"]["id"]]
    received = admin.list_cases(status="received")
    assert world["a"]["id"] in ids_of(received) and world["c"]["id"] not in ids_of(received)
    assert admin.list_cases(status="issued")["items"] == []


def test_filter_category(admin, world):
    page = admin.list_cases(category=world["cat"]["perda"])
    assert ids_of(page) == [world["b"]["id"], world["a"]["id"]]
    assert all(x["category"]["code"] == "perda" for x in page["items"])
    assert admin.list_cases(category=9999)["items"] == []


def test_filter_team(admin, world):
    page = admin.list_cases(team=world["team"]["juai"])
    assert ids_of(page) == [world["d"]["id"]]
    assert page["items"][0]["team"]["name"] == "TRC Pos Juai"
    assert admin.list_cases(team=world["team"]["paringin"])["items"] == []


def test_filters_combine(admin, world):
    page = admin.list_cases(category=world["cat"]["perda"], status="received",
                            q="zebrakudaxyz")
    assert ids_of(page) == [world["b"]["id"], world["a"]["id"]]
    assert admin.list_cases(category=world["cat"]["pkl"], q="zebrakudaxyz")["items"] == []
    assert admin.list_cases(status="verified", q="zebrakudaxyz")["items"] == []


def test_search_words_and_prefixes(admin, world):
    a, b = world["a"]["id"], world["b"]["id"]
    # In the description of a and the address of b.
    assert ids_of(admin.list_cases(q="zebrakudaxyz")) == [b, a]
    # A word prefix.
    assert ids_of(admin.list_cases(q="zebrak")) == [b, a]
    assert ids_of(admin.list_cases(q="ZEBRAKUDA")) == [b, a]
    # Every word must appear.
    assert ids_of(admin.list_cases(q="zebrakudaxyz subuh")) == [a]
    assert ids_of(admin.list_cases(q="zebrakudaxyz gang")) == [b]
    assert admin.list_cases(q="zebrakudaxyz tidakada")["items"] == []
    # Not a prefix: the middle of a word does not match.
    assert admin.list_cases(q="kudaxyz")["items"] == []
    # Punctuation and FTS syntax are only separators.
    assert ids_of(admin.list_cases(q='"zebrakudaxyz" (subuh*:')) == [a]
    assert ids_of(admin.list_cases(q="remang-remang")) == [a]
    assert admin.get("/api/v1/cases?q=%22%29%28*%3A%5E").status == 200
    # Too long.
    r = admin.get("/api/v1/cases", params={"q": "a" * 201})
    assert r.status == 400 and r.code == "invalid", r


def test_from_and_to_dates(admin, world):
    today = today_wita()
    mine = {world[k]["id"] for k in "abcd"}
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    # The demo's oldest satpolpp case was made 120 hours before init.
    old = [x for x in admin.all_cases() if x["description"].startswith("Bangunan semi permanen")]
    assert len(old) == 1
    old_id = old[0]["id"]

    recent = set(ids_of(admin.list_cases(**{"from": yesterday, "limit": 200})))
    assert mine <= recent
    assert old_id not in recent

    until = (today - datetime.timedelta(days=3)).isoformat()
    early = set(ids_of(admin.list_cases(to=until, limit=200)))
    assert old_id in early
    assert not (mine & early)

    # `to` is inclusive of the whole local day.
    assert mine <= set(ids_of(admin.list_cases(to=today.isoformat(), limit=200)))
    both = set(ids_of(admin.list_cases(**{"from": yesterday, "to": today.isoformat(),
                                          "limit": 200})))
    assert mine <= both and old_id not in both

    future = (today + datetime.timedelta(days=2)).isoformat()
    assert admin.list_cases(**{"from": future})["items"] == []
    assert admin.list_cases(**{"from": "2999-01-01"})["items"] == []
    assert admin.list_cases(to="2000-01-01")["items"] == []

    # RFC 3339 times.
    later = (datetime.datetime.now(WITA) + datetime.timedelta(hours=1)).replace(microsecond=0)
    assert admin.list_cases(**{"from": later.isoformat()})["items"] == []
    assert admin.list_cases(**{"from": "2999-01-01T00:00:00Z"})["items"] == []
    earlier = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=6))
    got = set(ids_of(admin.list_cases(**{"from": earlier.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                          "limit": 200})))
    assert mine <= got and old_id not in got


@pytest.mark.parametrize("query", [
    "from=yesterday", "from=2024-13-01", "from=2024-01-01T25:00:00Z", "to=20240101",
    "from=2024-01-01T10:00:00", "to=1969-12-31",
    # Dates that do not exist are not silently moved to the next month.
    "from=2026-02-30", "to=2026-04-31", "from=2026-02-29T00:00:00Z",
])
def test_bad_dates_are_invalid(admin, query):
    r = admin.get("/api/v1/cases?" + query)
    assert r.status == 400, r
    assert r.code == "invalid", r


@pytest.mark.parametrize("query", [
    "limit=500", "limit=201", "limit=0", "limit=-1", "limit=abc", "status=bogus",
    "status=RECEIVED", "category=abc", "team=1x", "cursor=abc", "cursor=-5", "agency=0",
])
def test_bad_list_parameters_are_invalid(admin, query):
    r = admin.get("/api/v1/cases?" + query)
    assert r.status == 400, r
    assert r.code == "invalid", r


def test_limit_200_is_allowed(admin):
    r = admin.get("/api/v1/cases?limit=200")
    assert r.status == 200, r


def test_cursor_pagination_walks_everything(users, admin, world):
    for who in (admin, users("superadmin")):
        everything = ids_of(who.list_cases(limit=200))
        assert len(everything) >= 5
        assert everything == sorted(everything, reverse=True)
        walked, cursor, pages = [], None, 0
        while True:
            params = {"limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = who.list_cases(**params)
            pages += 1
            assert len(page["items"]) <= 2
            walked.extend(ids_of(page))
            cursor = page["next_cursor"]
            if cursor is None:
                break
            assert isinstance(cursor, str)
            assert int(cursor) == page["items"][-1]["id"]
            assert pages < 1000
        assert walked == everything  # no duplicates, no gaps, descending
        assert len(set(walked)) == len(walked)


def test_new_cases_do_not_shift_later_pages(admin, world):
    first = admin.list_cases(limit=2)
    second_before = admin.list_cases(limit=2, cursor=first["next_cursor"])
    admin.create_case(category_id=world["cat"]["pkl"], description="Kasus baru di tengah jalan")
    second_after = admin.list_cases(limit=2, cursor=first["next_cursor"])
    assert ids_of(second_after) == ids_of(second_before)
