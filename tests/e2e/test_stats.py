"""Issue #8: GET /api/v1/stats: counts, ratio, medians, breakdowns, the
IKM block and the public map, computed from the database; bad parameters are
refused; no personal data."""

import datetime
import os
import subprocess
import time

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
        trc.act(cid, "resolve", public_note="Selesai")
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
    # Resolved at once under the default policy (5 working days): on time.
    assert s["sla_cases"] >= 2 and 0 <= s["sla_met"] <= s["sla_cases"]
    assert s["sla_compliance"] == round(s["sla_met"] / s["sla_cases"], 4)
    assert [a["agency"] for a in s["by_agency"]] == ["satpolpp"]
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


def _category(admin, code, name):
    r = admin.post("/api/v1/admin/categories",
                   json={"agency_id": 1, "code": code, "kind": "complaint", "name_id": name,
                         "name_en": name, "sla_hours": 48})
    assert r.status == 201, r
    return r.json["id"]


def _work(admin, boss, trc, cid, team, close=False, wait=0):
    admin.act(cid, "verify")
    if wait:
        time.sleep(wait)
    boss.act(cid, "dispatch", team_id=team)
    trc.act(cid, "start")
    trc.act(cid, "resolve", public_note="Selesai")
    if close:
        admin.act(cid, "close")


def test_sla_compliance_per_agency_and_category(fresh_server, tmp_path):
    """A case resolved after its resolve deadline counts against compliance,
    one resolved in time for it; open cases do not count. The API, the
    category filter and the monthly PDF agree."""
    srv = fresh_server
    admin, boss, trc = Client(srv.port), Client(srv.port), Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    assert boss.login("kabid.satpolpp").status == 200
    assert trc.login("trc.satpolpp").status == 200
    team = admin.team_id("TRC Pos Paringin")
    late_cat = _category(admin, "sla_ketat", "Uji SLA ketat")
    ok_cat = _category(admin, "sla_longgar", "Uji SLA longgar")
    # One second to resolve after verification: the case below misses it.
    r = admin.post("/api/v1/categories/%d/sla" % late_cat,
                   json={"resolve": {"amount": 1, "unit": "seconds"}})
    assert r.status == 200, r
    r = admin.post("/api/v1/categories/%d/sla" % ok_cat,
                   json={"resolve": {"amount": 30, "unit": "days"}})
    assert r.status == 200, r
    late = [admin.create_case(category_id=late_cat, description="Uji terlambat %d" % i)["id"]
            for i in range(2)]
    ok = [admin.create_case(category_id=ok_cat, description="Uji tepat waktu %d" % i)["id"]
          for i in range(3)]
    _work(admin, boss, trc, late[0], team, close=True, wait=2.2)
    _work(admin, boss, trc, ok[0], team)
    _work(admin, boss, trc, ok[1], team, close=True)
    admin.act(ok[2], "verify")  # open: not judged yet
    admin.act(late[1], "verify")
    time.sleep(1.2)  # overdue but still open: not judged either
    case = admin.case(late[0])
    assert case["sla"]["resolve_due_at"], case["sla"]
    anon = Client(srv.port)
    one = anon.get("/api/v1/stats", params={"agency": "satpolpp", "category": late_cat}).json
    assert one["sla_cases"] == 1 and one["sla_met"] == 0 and one["sla_compliance"] == 0
    two = anon.get("/api/v1/stats", params={"agency": "satpolpp", "category": ok_cat}).json
    assert two["sla_cases"] == 2 and two["sla_met"] == 2 and two["sla_compliance"] == 1
    s = anon.get("/api/v1/stats", params={"agency": "satpolpp", "lang": "en"}).json
    by = {b["category"]: b for b in s["by_category"]}
    assert by[str(late_cat)]["sla_compliance"] == 0 and by[str(ok_cat)]["sla_compliance"] == 1
    assert by[str(late_cat)]["name"] == "Uji SLA ketat"
    assert s["sla_met"] <= s["sla_cases"] and s["sla_compliance"] == round(
        s["sla_met"] / s["sla_cases"], 4)
    ag = {b["agency"]: b for b in s["by_agency"]}
    assert set(ag) == {"satpolpp"} and ag["satpolpp"]["sla_compliance"] == s["sla_compliance"]
    # All agencies: one row per agency with cases, satpolpp's the same.
    every = anon.get("/api/v1/stats").json
    ag = {b["agency"]: b for b in every["by_agency"]}
    assert ag["satpolpp"]["sla_compliance"] == s["sla_compliance"]
    assert sum(b["received"] for b in every["by_agency"]) == every["received"]
    # A period without cases: nothing to judge.
    old = anon.get("/api/v1/stats", params={"agency": "satpolpp", "from": "2020-01-01",
                                             "to": "2020-12-31"}).json
    assert old["sla_compliance"] is None and old["sla_cases"] == 0 and old["by_agency"] == []
    # The monthly PDF shows the same share, per category too.
    month = datetime.datetime.fromisoformat(s["to"]).strftime("%Y-%m")
    first = month + "-01"
    m = anon.get("/api/v1/stats", params={"agency": "satpolpp", "from": first,
                                           "to": s["to"][:10]}).json
    r = admin.get("/api/v1/reports/monthly.pdf", params={"agency": "satpolpp", "month": month})
    assert r.status == 200, r
    path = os.path.join(str(tmp_path), "sla.pdf")
    with open(path, "wb") as f:
        f.write(r.body)
    text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True,
                          check=True).stdout
    # Indonesian numbers: the decimal comma (issue 13).
    assert "Kepatuhan SLA: %s %% (%d dari %d selesai tepat waktu)" % (
        ("%.1f" % (m["sla_compliance"] * 100)).replace(".", ","), m["sla_met"],
        m["sla_cases"]) in text, text
    assert "Uji SLA ketat" in text and "0,0 %" in text


def test_ikm_weight_setting_is_the_default(fresh_server):
    """ADUAN_IKM_WEIGHT=0.111 makes the printed weight the default of the
    statistics and the report; a request may still choose."""
    srv = fresh_server
    anon = Client(srv.port)
    assert anon.get("/api/v1/stats").json["ikm"]["weight"] == "1/9"
    assert srv.stop() == []
    srv.extra_env["ADUAN_IKM_WEIGHT"] = "0.111"
    srv.start()
    anon = Client(srv.port)
    assert anon.get("/api/v1/stats").json["ikm"]["weight"] == "0.111"
    assert anon.get("/api/v1/stats", params={"weight": "exact"}).json["ikm"]["weight"] == "1/9"
    assert anon.get("/api/v1/stats", params={"weight": "0.111"}).json["ikm"]["weight"] == "0.111"
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    r = admin.get("/api/v1/reports/monthly.pdf", params={"agency": "satpolpp", "month": "2026-01"})
    assert r.status == 200 and r.body[:5] == b"%PDF-"
    # A bad value stops the program with the setting named.
    bad = srv.cli("report", "monthly", "--agency", "satpolpp", "--month", "2026-01", "-o",
                  os.path.join(srv.workdir, "x.pdf"), ADUAN_IKM_WEIGHT="1/9")
    assert bad.returncode == 2 and "ADUAN_IKM_WEIGHT" in bad.stderr
