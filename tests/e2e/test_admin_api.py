"""The admin API on both engines: canned replies, staff accounts and roles,
categories. Happy paths and refusals: wrong role, another agency, bad JSON,
unknown ids, duplicates."""

import pytest

from aduan_e2e import Client

CANNED = "/api/v1/canned-replies"
USERS = "/api/v1/admin/users"
CATS = "/api/v1/admin/categories"


def err(r, status, code=None):
    assert r.status == status, r
    if code:
        assert r.json["error"]["code"] == code, r
    return r.json["error"]


# ---- canned replies ------------------------------------------------------------


def test_canned_reply_lifecycle(admin, trc, damkar):
    r = admin.post(CANNED, json={"title": "  Terima kasih  ", "body": "Laporan Anda kami terima.",
                                 "lang": "id"})
    assert r.status == 201, r
    c = r.json
    assert c["title"] == "Terima kasih" and c["agency_id"] == 1 and c["lang"] == "id"
    # Everyone of the agency reads them (operators answer with them).
    for client in (admin, trc):
        items = client.get(CANNED).json["items"]
        assert c["id"] in [x["id"] for x in items]
    assert c["id"] not in [x["id"] for x in damkar.get(CANNED).json["items"]]
    r = admin.post("%s/%d" % (CANNED, c["id"]),
                   json={"title": "Terima kasih", "body": "Sudah kami teruskan.", "lang": "en"})
    assert r.status == 200 and r.json["body"] == "Sudah kami teruskan." and r.json["lang"] == "en"
    r = admin.request("DELETE", "%s/%d" % (CANNED, c["id"]))
    assert r.status == 200 and r.json["deleted"] is True
    err(admin.request("DELETE", "%s/%d" % (CANNED, c["id"])), 404, "not_found")
    err(admin.post("%s/%d" % (CANNED, c["id"]), json={"title": "x", "body": "y"}), 404)


def test_canned_reply_refusals(admin, trc, damkar, sa):
    mine = admin.post(CANNED, json={"title": "Ditolak", "body": "Maaf, bukan wewenang kami."})
    assert mine.status == 201, mine
    err(admin.post(CANNED, json={"title": "Ditolak", "body": "lain"}), 409, "conflict")
    err(admin.post(CANNED, json={"body": "tanpa judul"}), 400, "invalid")
    err(admin.post(CANNED, json={"title": "   ", "body": "kosong"}), 400, "invalid")
    err(admin.post(CANNED, json={"title": "x", "body": "y" * 2001}), 400, "invalid")
    err(admin.post(CANNED, json={"title": "x", "body": "y", "lang": "fr"}), 400, "invalid")
    err(admin.post(CANNED, json={"title": 5, "body": "y"}), 400, "invalid")
    err(admin.post(CANNED, body=b'{"title": "x",', content_type="application/json"), 400)
    err(admin.post(CANNED, body=b'{"title": "\xff", "body": "y"}'), 400)
    err(admin.post(CANNED, json={"title": "x", "body": "y", "agency_id": 2}), 403, "forbidden")
    err(trc.post(CANNED, json={"title": "x", "body": "y"}), 403, "forbidden")
    # Another agency's admin can neither change, delete nor list them.
    path = "%s/%d" % (CANNED, mine.json["id"])
    err(damkar.post(path, json={"title": "x", "body": "y"}), 403, "forbidden")
    err(damkar.request("DELETE", path), 403, "forbidden")
    err(damkar.get(CANNED, params={"agency": "1"}), 403, "forbidden")
    err(admin.get(CANNED, params={"agency": "x"}), 400, "invalid")
    # No CSRF token: refused before anything happens.
    err(admin.post(CANNED, json={"title": "y", "body": "z"}, csrf=False), 403)
    # The superadmin acts anywhere, but must say where.
    err(sa.post(CANNED, json={"title": "x", "body": "y"}), 400, "invalid")
    r = sa.post(CANNED, json={"title": "Dari pusat", "body": "y", "agency_id": 2})
    assert r.status == 201 and r.json["agency_id"] == 2
    assert "Dari pusat" in [x["title"] for x in damkar.get(CANNED).json["items"]]


# ---- staff accounts ------------------------------------------------------------


def test_admin_lists_only_own_agency(admin, sa):
    logins = [u["login"] for u in admin.get(USERS).json["items"]]
    assert "trc.satpolpp" in logins and "kabid.satpolpp" in logins
    assert "admin.damkar" not in logins
    every = [u["login"] for u in sa.get(USERS).json["items"]]
    assert "admin.damkar" in every and "superadmin" in every
    damkar_only = [u["login"] for u in sa.get(USERS, params={"agency": "2"}).json["items"]]
    assert set(damkar_only) == {"admin.damkar", "regu.damkar", "regu2.damkar", "regu.batumandi",
                                "kasi.damkar"}
    err(admin.get(USERS, params={"agency": "2"}), 403, "forbidden")


def test_create_user_then_login_disable_enable(admin, server):
    r = admin.post(USERS, json={"login": "trc.baru", "name": "Petugas Baru",
                                "password": "rahasia-awal-1", "role": "field",
                                "wa": "0812 7777 0001"})
    assert r.status == 201, r
    u = r.json
    assert u["roles"] == [{"agency_id": 1, "agency_name": "Satpol PP Kabupaten Balangan",
                           "role": "field"}]
    assert u["mobile"] == "6281277770001" and u["disabled"] is False
    assert "password" not in u and "password_hash" not in u
    c = Client(server.port)
    assert c.login("trc.baru", "rahasia-awal-1").status == 200
    r = admin.post("%s/%d" % (USERS, u["id"]), json={"disabled": True})
    assert r.status == 200 and r.json["disabled"] is True
    # Disabling ends the sessions and stops logins.
    assert c.get("/api/v1/me").status == 401
    assert Client(server.port).login("trc.baru", "rahasia-awal-1").status == 401
    r = admin.post("%s/%d" % (USERS, u["id"]), json={"disabled": False, "role": "supervisor"})
    assert r.status == 200 and r.json["roles"][0]["role"] == "supervisor"
    assert Client(server.port).login("trc.baru", "rahasia-awal-1").status == 200
    r = admin.post("%s/%d" % (USERS, u["id"]), json={"wa": None})
    assert r.status == 200 and r.json["mobile"] is None


@pytest.mark.parametrize("body,status", [
    ({"login": "x", "name": "N", "password": "panjang-sekali", "role": "field"}, 400),
    ({"login": "Budi Besar", "name": "N", "password": "panjang-sekali", "role": "field"}, 400),
    ({"login": "ok.login", "name": "N", "password": "pendek", "role": "field"}, 400),
    ({"login": "ok.login", "name": "N", "password": "panjang-sekali"}, 400),
    ({"login": "ok.login", "name": "N", "password": "panjang-sekali", "role": "boss"}, 400),
    ({"login": "ok.login", "password": "panjang-sekali", "role": "field"}, 400),
    ({"login": "ok.login", "name": "N", "password": "panjang-sekali", "role": "field",
      "wa": "12"}, 400),
    ({"login": "ok.login", "name": "N", "password": "panjang-sekali", "role": "superadmin"},
     403),
    ({"login": "ok.login", "name": "N", "password": "panjang-sekali", "role": "admin",
      "agency_id": 2}, 403),
    ({"login": "trc.satpolpp", "name": "N", "password": "panjang-sekali", "role": "field"},
     409),
])
def test_create_user_refusals(admin, body, status):
    err(admin.post(USERS, json=body), status)
    assert "ok.login" not in [u["login"] for u in admin.get(USERS).json["items"]]


def test_user_changes_refused(admin, kabid, users, sa):
    every = {u["login"]: u["id"] for u in sa.get(USERS).json["items"]}
    # Another agency's user, and the superadmin, are out of an admin's reach.
    err(admin.post("%s/%d" % (USERS, every["admin.damkar"]), json={"disabled": True}), 403)
    err(admin.post("%s/%d" % (USERS, every["superadmin"]), json={"disabled": True}), 403)
    err(admin.post("%s/999999" % USERS, json={"disabled": True}), 404, "not_found")
    err(admin.post("%s/%d" % (USERS, every["trc.satpolpp"]), json={}), 400, "invalid")
    err(admin.post("%s/%d" % (USERS, every["trc.satpolpp"]), json={"disabled": "yes"}), 400)
    err(admin.post("%s/%d" % (USERS, every["trc.satpolpp"]),
                   json={"role": "viewer", "agency_id": 2}), 403)
    err(admin.post("%s/%d" % (USERS, every["admin.satpolpp"]), json={"disabled": True}), 409)
    # A number another user has is refused; nothing changes.
    r = admin.post("%s/%d" % (USERS, every["trc.satpolpp"]), json={"wa": "081288880001"})
    assert r.status == 200, r
    err(admin.post("%s/%d" % (USERS, every["kabid.satpolpp"]), json={"wa": "081288880001"}),
        409, "conflict")
    # Supervisors have no admin API at all.
    err(kabid.get(USERS), 403, "forbidden")
    err(kabid.post(USERS, json={}), 403, "forbidden")
    assert users.fresh("trc.satpolpp").get("/api/v1/me").status == 200


# ---- categories ----------------------------------------------------------------


def test_category_create_and_update(admin, trc):
    r = admin.post(CATS, json={"code": "parkir_liar", "kind": "complaint",
                               "name_id": "Parkir liar", "name_en": "Illegal parking",
                               "sla_hours": 48})
    assert r.status == 201, r
    k = r.json
    assert k["agency_id"] == 1 and k["active"] is True
    listed = {x["id"]: x for x in trc.get("/api/v1/categories").json["items"]}
    assert listed[k["id"]]["name_id"] == "Parkir liar"
    r = admin.post("%s/%d" % (CATS, k["id"]),
                   json={"name_en": "Unlicensed parking", "sla_hours": 24, "active": False})
    assert r.status == 200, r
    assert r.json["name_en"] == "Unlicensed parking" and r.json["name_id"] == "Parkir liar"
    assert r.json["sla_hours"] == 24 and r.json["active"] is False
    listed = {x["id"]: x for x in trc.get("/api/v1/categories").json["items"]}
    assert listed[k["id"]]["active"] is False and listed[k["id"]]["sla_hours"] == 24


@pytest.mark.parametrize("body,status", [
    ({"code": "pkl", "kind": "complaint", "name_id": "A", "name_en": "B", "sla_hours": 5}, 409),
    ({"code": "x y", "kind": "complaint", "name_id": "A", "name_en": "B", "sla_hours": 5}, 400),
    ({"code": "baru1", "kind": "nope", "name_id": "A", "name_en": "B", "sla_hours": 5}, 400),
    ({"code": "baru1", "kind": "complaint", "name_id": "A", "name_en": "B", "sla_hours": 0},
     400),
    ({"code": "baru1", "kind": "complaint", "name_id": "A", "name_en": "B"}, 400),
    ({"code": "baru1", "kind": "complaint", "name_en": "B", "sla_hours": 5}, 400),
    ({"code": "baru1", "kind": "complaint", "name_id": "A", "name_en": "B", "sla_hours": 5,
      "agency_id": 2}, 403),
])
def test_category_create_refusals(admin, body, status):
    err(admin.post(CATS, json=body), status)


def test_category_update_refusals(admin, damkar, trc):
    fire = damkar.category_id("kebakaran")
    err(admin.post("%s/%d" % (CATS, fire), json={"sla_hours": 2}), 403, "forbidden")
    err(admin.post("%s/999999" % CATS, json={"sla_hours": 2}), 404, "not_found")
    pkl = admin.category_id("pkl")
    err(admin.post("%s/%d" % (CATS, pkl), json={"sla_hours": -1}), 400, "invalid")
    err(admin.post("%s/%d" % (CATS, pkl), json={"active": "no"}), 400, "invalid")
    err(admin.post("%s/%d" % (CATS, pkl), json={"name_id": ""}), 400, "invalid")
    err(trc.post("%s/%d" % (CATS, pkl), json={"sla_hours": 2}), 403, "forbidden")
    assert {x["id"]: x for x in trc.get("/api/v1/categories").json["items"]}[pkl]["sla_hours"] \
        != 2


# ---- teams and WhatsApp numbers -------------------------------------------------

TEAMS = "/api/v1/admin/teams"
NUMBERS = "/api/v1/admin/numbers"


def test_team_create_move_and_members(admin, sa, trc):
    r = admin.post(TEAMS, json={"name": "TRC Pos Awayan", "base": {"lat": -2.41, "lon": 115.38}})
    assert r.status == 201, r
    t = r.json
    assert t["agency_id"] == 1 and t["base"] == {"lat": -2.41, "lon": 115.38}
    listed = {x["id"]: x for x in trc.get("/api/v1/teams").json["items"]}
    assert listed[t["id"]]["name"] == "TRC Pos Awayan"
    r = admin.post("%s/%d" % (TEAMS, t["id"]), json={"base": {"lat": -2.40, "lon": 115.37}})
    assert r.status == 200 and r.json["base"] == {"lat": -2.40, "lon": 115.37}
    assert r.json["name"] == "TRC Pos Awayan"
    ids = {u["login"]: u["id"] for u in sa.get(USERS).json["items"]}
    path = "%s/%d/members" % (TEAMS, t["id"])
    r = admin.post(path, json={"add": ids["trc.satpolpp"]})
    assert r.status == 200 and [m["login"] for m in r.json["members"]] == ["trc.satpolpp"]
    assert admin.post(path, json={"add": ids["trc.satpolpp"]}).status == 200  # twice: no change
    assert len(admin.get(path).json["members"]) == 1
    r = admin.post(path, json={"remove": ids["trc.satpolpp"]})
    assert r.status == 200 and r.json["members"] == []
    err(admin.post(path, json={"remove": ids["trc.satpolpp"]}), 404, "not_found")
    r = admin.post("%s/%d" % (TEAMS, t["id"]), json={"base": None, "name": "TRC Awayan"})
    assert r.status == 200 and r.json["base"] is None and r.json["name"] == "TRC Awayan"


def test_team_refusals(admin, damkar, sa, kabid):
    ids = {u["login"]: u["id"] for u in sa.get(USERS).json["items"]}
    paringin = admin.team_id("TRC Pos Paringin")
    err(admin.post(TEAMS, json={"name": "TRC Pos Juai"}), 409, "conflict")
    err(admin.post(TEAMS, json={"name": ""}), 400, "invalid")
    err(admin.post(TEAMS, json={"name": "X", "base": {"lat": 95, "lon": 1}}), 400, "invalid")
    err(admin.post(TEAMS, json={"name": "X", "base": {"lat": 1}}), 400, "invalid")
    err(admin.post(TEAMS, json={"name": "X", "base": "Paringin"}), 400, "invalid")
    err(admin.post(TEAMS, json={"name": "X", "agency_id": 2}), 403, "forbidden")
    err(damkar.post("%s/%d" % (TEAMS, paringin), json={"name": "Milik kami"}), 403, "forbidden")
    err(damkar.get("%s/%d/members" % (TEAMS, paringin)), 403, "forbidden")
    err(admin.post("%s/999999" % TEAMS, json={"name": "X"}), 404, "not_found")
    err(admin.post("%s/%d" % (TEAMS, paringin), json={"name": "TRC Pos Juai"}), 409, "conflict")
    path = "%s/%d/members" % (TEAMS, paringin)
    err(admin.post(path, json={"add": ids["regu.damkar"]}), 400, "invalid")  # other agency
    err(admin.post(path, json={"add": 999999}), 400, "invalid")
    err(admin.post(path, json={}), 400, "invalid")
    err(admin.post(path, json={"add": ids["trc.satpolpp"], "remove": ids["trc.satpolpp"]}), 400)
    err(kabid.post(TEAMS, json={"name": "Y"}), 403, "forbidden")


def test_numbers_list_and_add(admin, damkar):
    r = admin.get(NUMBERS)
    assert r.status == 200 and r.json["items"] == [{"phone_number_id": "100000000000001"}]
    r = admin.post(NUMBERS, json={"phone_number_id": "109876543210", "display_phone": "+62 811"})
    assert r.status == 201, r
    assert {"phone_number_id": "109876543210"} in r.json["items"]
    err(admin.post(NUMBERS, json={"phone_number_id": "109876543210"}), 409, "conflict")
    err(damkar.post(NUMBERS, json={"phone_number_id": "100000000000001"}), 409, "conflict")
    err(admin.post(NUMBERS, json={"phone_number_id": "+62 811 2345"}), 400, "invalid")
    err(admin.post(NUMBERS, json={}), 400, "invalid")
    err(admin.post(NUMBERS, json={"phone_number_id": "1234567", "agency_id": 2}), 403)
    err(damkar.get(NUMBERS, params={"agency": "1"}), 403, "forbidden")
    assert {"phone_number_id": "109876543210"} not in damkar.get(NUMBERS).json["items"]


# ---- the page ------------------------------------------------------------------


def test_admin_page_is_served_with_a_strict_policy(server):
    c = Client(server.port)
    r = c.get("/admin/index.html")
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("text/html")
    csp = r.header("Content-Security-Policy")
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    html = r.body.decode("utf-8")
    assert '<html lang="id">' in html
    # Scripts only from files: no inline script, no inline handler.
    assert "<script>" not in html and " onclick=" not in html
    js = c.get("/admin/admin.js")
    assert js.status == 200 and "javascript" in js.header("Content-Type")
    assert b"innerHTML" not in js.body  # server values go in as text only
    assert c.get("/admin/admin.css").status == 200
