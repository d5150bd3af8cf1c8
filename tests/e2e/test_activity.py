"""The activity report for leadership (LA-LISA, issue #6): per officer and
team, cases handled, response and resolution times and SLA breaches, as
JSON and CSV, on SQLite and PostgreSQL."""

import csv
import io


def run_case(users):
    admin, kabid, trc = users("admin.satpolpp"), users("kabid.satpolpp"), users("trc.satpolpp")
    case = admin.create_case(category_id=admin.category_id("pkl"),
                             description="Lapak menutup trotoar di depan sekolah.")
    admin.act(case["id"], "verify")
    kabid.act(case["id"], "dispatch", team_id=kabid.team_id("TRC Pos Paringin"))
    trc.act(case["id"], "start")
    trc.act(case["id"], "resolve", public_note="Lapak dipindahkan ke lokasi relokasi.")
    return case


def test_activity_report_json_and_csv(users):
    run_case(users)
    boss = users("pimpinan.satpolpp")
    r = boss.get("/api/v1/reports/activity", params={"agency": 1})
    assert r.status == 200, r
    rep = r.json
    assert rep["agency"]["id"] == 1 and rep["truncated"] is False
    assert rep["totals"]["cases"] >= 1 and rep["totals"]["resolved"] >= 1
    officers = {o["name"]: o for o in rep["officers"]}
    trc = officers["Anggota TRC Paringin"]
    assert trc["cases"] >= 1 and trc["resolved"] >= 1 and trc["actions"] >= 2
    assert trc["avg_response_seconds"] is not None and trc["avg_response_seconds"] >= 0
    assert trc["avg_resolution_seconds"] is not None
    assert officers["Kepala Bidang Trantibum"]["actions"] >= 1
    assert officers["Operator Satpol PP"]["actions"] >= 1
    assert all("phone" not in o and "mobile" not in o and "wa_id" not in o for o in rep["officers"])
    teams = {t["name"]: t for t in rep["teams"]}
    t = teams["TRC Pos Paringin"]
    assert t["cases"] >= 1 and t["resolved"] >= 1 and t["started"] >= 1
    assert t["avg_response_seconds"] is not None

    r = boss.get("/api/v1/reports/activity", params={"agency": 1, "format": "csv"})
    assert r.status == 200 and r.header("Content-Type").startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"))))
    assert rows[0][:3] == ["type", "id", "name"] and "sla_breaches" in rows[0]
    names = {(x[0], x[2]) for x in rows[1:]}
    assert ("officer", "Anggota TRC Paringin") in names and ("team", "TRC Pos Paringin") in names

    # An empty period is an empty report, not an error.
    r = boss.get("/api/v1/reports/activity",
                 params={"agency": 1, "from": "2020-01-01", "to": "2020-01-31"})
    assert r.status == 200 and r.json["officers"] == [] and r.json["totals"]["cases"] == 0


def test_activity_report_refusals(users):
    for who, params, status in [
        ("trc.satpolpp", {"agency": 1}, 403),
        ("admin.damkar", {"agency": 1}, 403),
        ("pimpinan.satpolpp", {"agency": 1, "from": "yesterday"}, 400),
        ("pimpinan.satpolpp", {"agency": 1, "from": "2026-02-01", "to": "2026-01-01"}, 400),
        ("pimpinan.satpolpp", {"agency": 1, "from": "2024-01-01", "to": "2026-01-01"}, 400),
        ("pimpinan.satpolpp", {"agency": 1, "format": "xml"}, 400),
        ("pimpinan.satpolpp", {"agency": "satu"}, 400),
        ("superadmin", {}, 400),
        ("superadmin", {"agency": 999}, 404),
    ]:
        r = users(who).get("/api/v1/reports/activity", params=params)
        assert r.status == status, (who, params, r)
        assert r.json["error"]["code"]
    assert users.anon().get("/api/v1/reports/activity?agency=1").status == 401
    # The only agency of a user is the default.
    assert users("pimpinan.satpolpp").get("/api/v1/reports/activity").status == 200
