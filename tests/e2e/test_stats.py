"""Issue #8: GET /api/v1/stats: counts, ratio, medians, breakdowns, the
IKM block and the public map, computed from the database; bad parameters are
refused; no personal data."""

import datetime

from aduan_e2e import Client

NAME, ADDRESS = "Rahmat Hidayat", "Gang Kenanga 5 belakang masjid"


def test_stats_count_what_the_cases_say(fresh_server):
    srv = fresh_server
    admin, boss, trc = Client(srv.port), Client(srv.port), Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    assert boss.login("kabid.satpolpp").status == 200
    assert trc.login("trc.satpolpp").status == 200
    anon = Client(srv.port)
    before = anon.get("/api/v1/stats", params={"agency": "satpolpp"}).json
    cat = admin.category_id("trantibum")
    team = admin.team_id("TRC Pos Paringin")
    made = []
    for i, rahasia in enumerate([False, True, False]):
        c = admin.create_case(category_id=cat, description="Gangguan ketertiban nomor %d" % i,
                              address=ADDRESS, kecamatan_code="63.11.06",
                              lat=-2.3361 - i / 100, lon=115.4662, rahasia=rahasia,
                              reporter={"name": NAME, "phone": "081299990000"})
        made.append(c["id"])
    for cid in made[:2]:
        admin.act(cid, "verify")
        boss.act(cid, "dispatch", team_id=team)
        trc.act(cid, "start")
        trc.act(cid, "resolve", note="Selesai")
    admin.act(made[0], "close")
    r = anon.get("/api/v1/stats", params={"agency": "satpolpp"})
    assert r.status == 200, r
    s = r.json
    assert s["agency"]["code"] == "satpolpp"
    assert s["received"] == before["received"] + 3
    assert s["resolved"] == before["resolved"] + 2
    assert s["closed"] == before["closed"] + 1
    assert abs(s["resolution_ratio"] - round(s["resolved"] / s["received"], 4)) < 1e-9
    assert s["resolution_target"] == 0.91
    assert s["median_first_response_hours"] is not None and s["median_resolution_hours"] >= 0
    assert s["sla_compliance"] is None  # filled by the SLA module
    k = [b for b in s["by_kecamatan"] if b["kecamatan"] == "63.11.06"][0]
    assert k["name"] == "Paringin" and k["received"] >= 3
    assert sum(b["received"] for b in s["by_category"]) == s["received"]
    assert sum(b["received"] for b in s["by_month"]) == s["received"]
    assert s["ikm"]["respondents"] == 0 and s["ikm"]["score"] is None and s["ikm"]["mutu"] == "-"
    assert s["ikm"]["sample_target"] >= 1 and len(s["ikm"]["unsur"]) == 9
    # The map: public cases only, rounded to 3 decimals.
    pts = [(p["lat"], p["lon"]) for p in s["map"]]
    assert (-2.336, 115.466) in pts and (-2.356, 115.466) in pts
    assert (-2.346, 115.466) not in pts  # the rahasia one
    assert NAME not in r.body.decode() and "Kenanga" not in r.body.decode()
    # One category.
    one = anon.get("/api/v1/stats", params={"agency": "satpolpp", "category": cat}).json
    assert one["category"]["code"] == "trantibum"
    assert [b["category"] for b in one["by_category"]] == [str(cat)]
    assert one["received"] == [b for b in s["by_category"] if b["category"] == str(cat)][0]["received"]
    for bad in ("999999", "abc", str(admin.category_id("trantibum")) + "x"):
        r = anon.get("/api/v1/stats", params={"agency": "satpolpp", "category": bad})
        assert r.status == 400 and "category" in r.json["error"]["detail"]
    # A period without these cases.
    old = anon.get("/api/v1/stats", params={"agency": "satpolpp", "from": "2020-01-01",
                                             "to": "2020-12-31"}).json
    assert old["received"] == 0 and old["resolution_ratio"] == 0
    assert old["median_resolution_hours"] is None
    # All agencies together, English names.
    all_ = anon.get("/api/v1/stats", params={"lang": "en"}).json
    assert all_["agency"] is None and all_["received"] >= s["received"]


def test_stats_refuse_bad_parameters(server):
    c = Client(server.port)
    today = datetime.date.today().isoformat()
    for params, field in [({"agency": "nope"}, "agency"), ({"from": "2026-13-01"}, "from"),
                          ({"to": "yesterday"}, "to"), ({"from": today, "to": "2020-01-01"}, "from"),
                          ({"weight": "0.5"}, "weight")]:
        r = c.get("/api/v1/stats", params=params)
        assert r.status == 400 and r.json["error"]["code"] == "invalid", (params, r)
        assert field in r.json["error"]["detail"]
    r = c.get("/api/v1/stats?agency=%ff")
    assert r.status == 400
    ok = c.get("/api/v1/stats", params={"weight": "0.111"})
    assert ok.status == 200 and ok.json["ikm"]["weight"] == "0.111"
    ag = c.get("/api/v1/public/agencies").json["items"]
    assert {"satpolpp", "damkar", "disdukcapil"} <= {a["code"] for a in ag}
    assert set(ag[0]) == {"id", "code", "name"}
