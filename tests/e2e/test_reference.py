"""Reference data: agencies, categories, teams, regions."""

import pytest


def test_agencies(admin, users):
    r = admin.get("/api/v1/agencies")
    assert r.status == 200, r
    items = r.json["items"]
    assert [(a["id"], a["code"]) for a in items] == [
        (1, "satpolpp"), (2, "damkar"), (3, "disdukcapil")]
    for a in items:
        assert set(a) >= {"id", "code", "name", "kind", "timezone"}
        assert a["timezone"] == "Asia/Makassar"
    assert items[0]["name"] == "Satpol PP Kabupaten Balangan"
    # Only the user's own agency shows its WhatsApp numbers.
    assert items[0]["phone_number_ids"] == "100000000000001"
    assert "phone_number_ids" not in items[1]
    assert "phone_number_ids" not in items[2]

    dk = users("admin.dukcapil").get("/api/v1/agencies").json["items"]
    assert [("phone_number_ids" in a) for a in dk] == [False, False, True]
    assert dk[2]["phone_number_ids"] == "100000000000003"

    sa = users("superadmin").get("/api/v1/agencies").json["items"]
    assert [a.get("phone_number_ids") for a in sa] == [
        "100000000000001", "100000000000002", "100000000000003"]


def test_categories(admin):
    r = admin.get("/api/v1/categories")
    assert r.status == 200
    items = r.json["items"]
    assert len(items) == 13
    assert {k["agency_id"] for k in items} == {1, 2, 3}
    for k in items:
        assert set(k) == {"id", "agency_id", "code", "name_id", "name_en", "kind", "sla_hours",
                          "active"}
        assert k["active"] is True

    svc = admin.get("/api/v1/categories?agency=3").json["items"]
    assert len(svc) == 6
    assert all(k["kind"] == "service" and k["agency_id"] == 3 for k in svc)
    assert {k["code"] for k in svc} == {"ktp_el", "kk", "akta_kelahiran", "akta_kematian",
                                        "kia", "pindah_datang"}

    dk = admin.get("/api/v1/categories?agency=2").json["items"]
    assert {(k["code"], k["kind"]) for k in dk} == {("kebakaran", "emergency"),
                                                    ("penyelamatan", "emergency")}
    sp = admin.get("/api/v1/categories?agency=1").json["items"]
    assert len(sp) == 5 and all(k["kind"] == "complaint" for k in sp)
    trantibum = [k for k in sp if k["code"] == "trantibum"][0]
    assert trantibum["name_en"] == "Public order disturbance"
    assert trantibum["sla_hours"] == 120

    assert admin.get("/api/v1/categories?agency=99").json["items"] == []
    r = admin.get("/api/v1/categories?agency=x")
    assert r.status == 400 and r.code == "invalid", r


def test_teams_only_own_agency(admin, users):
    r = admin.get("/api/v1/teams")
    assert r.status == 200
    items = r.json["items"]
    assert sorted(t["name"] for t in items) == ["TRC Pos Halong", "TRC Pos Juai",
                                                "TRC Pos Paringin"]
    assert all(t["agency_id"] == 1 for t in items)
    paringin = [t for t in items if t["name"] == "TRC Pos Paringin"][0]
    assert paringin["members"] == 1
    assert paringin["base"] == {"lat": -2.3345, "lon": 115.4632}
    # Another agency's teams stay hidden even when asked for.
    r = admin.get("/api/v1/teams?agency=2")
    assert r.status == 200 and r.json["items"] == []

    dk = users("admin.damkar").get("/api/v1/teams").json["items"]
    assert sorted(t["name"] for t in dk) == ["Regu Damkar Batu Mandi", "Regu Damkar Paringin"]
    assert users("admin.dukcapil").get("/api/v1/teams").json["items"] == []
    assert len(users("superadmin").get("/api/v1/teams").json["items"]) == 5
    r = admin.get("/api/v1/teams?agency=-1")
    assert r.status == 400 and r.code == "invalid", r


def test_regions(admin):
    r = admin.get("/api/v1/regions")
    assert r.status == 200
    items = r.json["items"]
    assert len(items) == 8
    assert [g["code"] for g in items] == ["63.11.0%d" % i for i in range(1, 9)]
    assert {"code": "63.11.06", "name": "Paringin"} in items
    assert {"code": "63.11.05", "name": "Lampihong"} in items


def test_reference_needs_a_session(server):
    from aduan_e2e import Client
    c = Client(server.port)
    for p in ("/api/v1/agencies", "/api/v1/categories", "/api/v1/teams", "/api/v1/regions"):
        r = c.get(p)
        assert r.status == 401 and r.code == "unauthorized", (p, r)
