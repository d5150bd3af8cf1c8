"""The calendar and SLA policy API (issue #6): who may read and change an
agency's office hours, holidays and a category's deadlines, and what bad
input gets, on SQLite and PostgreSQL. Every refusal changes nothing."""

import pytest


def cal(c, agency=1):
    r = c.get("/api/v1/agencies/%d/calendar" % agency)
    assert r.status == 200, r
    return r.json


def test_calendar_defaults_and_2026_holidays(users):
    c = cal(users("admin.satpolpp"))
    assert c["timezone"] == "Asia/Makassar" and c["utc_offset_minutes"] == 480
    assert c["hours"]["mon"] == "07:30-16:00" and c["hours"]["fri"] == "07:30-16:30"
    assert c["hours"]["sat"] is None and c["hours"]["sun"] is None
    days = {h["date"]: h for h in c["holidays"]}
    assert days["2026-03-21"]["kind"] == "national"
    assert days["2026-03-20"]["kind"] == "cuti_bersama"
    assert days["2026-12-24"]["scope"] == "national"
    assert len([h for h in c["holidays"] if h["date"].startswith("2026-")]) >= 25
    r = users("admin.satpolpp").get("/api/v1/agencies/1/calendar",
                                    params={"from": "2026-03-01", "to": "2026-03-31"})
    assert [h["date"] for h in r.json["holidays"]][:2] == ["2026-03-18", "2026-03-19"]
    # Staff of the agency, even read-only, may read it.
    assert users("pimpinan.satpolpp").get("/api/v1/agencies/1/calendar").status == 200


def test_calendar_refusals_change_nothing(users):
    admin, before = users("admin.satpolpp"), cal(users("admin.satpolpp"))
    cases = [
        (users("pimpinan.satpolpp"), {"hours": {"sat": "08:00-12:00"}}, 403),
        (users("kabid.satpolpp"), {"hours": {"sat": "08:00-12:00"}}, 403),
        (users("trc.satpolpp"), {"hours": {"sat": "08:00-12:00"}}, 403),
        (users("admin.damkar"), {"hours": {"sat": "08:00-12:00"}}, 403),
        (admin, {"hours": {"sat": "25:00-26:00"}}, 400),
        (admin, {"hours": {"sat": "08:00-08:00"}}, 400),
        (admin, {"hours": {"sabtu": "08:00-12:00"}}, 400),
        (admin, {"hours": {"sat": 8}}, 400),
        (admin, {"hours": "07:30-16:00"}, 400),
        (admin, {"always_open": "yes"}, 400),
        (admin, {"timezone": "Asia/Jakarta"}, 400),
        (admin, {"hours": {d: None for d in ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]}},
         400),
    ]
    for who, body, status in cases:
        r = who.post("/api/v1/agencies/1/calendar", json=body)
        assert r.status == status, (body, r)
        assert r.json["error"]["code"]
    r = admin.post("/api/v1/agencies/1/calendar", body=b'{"hours": {', content_type="application/json")
    assert r.status == 400
    r = admin.post("/api/v1/agencies/1/calendar", body=b'{"hours": {"sat": "\xff"}}')
    assert r.status == 400
    assert admin.post("/api/v1/agencies/999/calendar", json={}).status in (403, 404)
    assert users("superadmin").post("/api/v1/agencies/999/calendar", json={}).status == 404
    assert users("admin.damkar").get("/api/v1/agencies/1/calendar").status == 403
    assert cal(admin) == before


def test_calendar_change_and_holidays(users):
    admin, sa = users("admin.satpolpp"), users("superadmin")
    r = admin.post("/api/v1/agencies/1/calendar", json={"hours": {"sat": "08:00-12:00"}})
    assert r.status == 200, r
    assert r.json["source"] == "agency" and r.json["hours"]["sat"] == "08:00-12:00"
    assert r.json["hours"]["mon"] == "07:30-16:00"  # the other days are kept
    # A night desk across midnight is accepted.
    r = admin.post("/api/v1/agencies/1/calendar", json={"hours": {"sun": "22:00-06:00"}})
    assert r.status == 200 and r.json["hours"]["sun"] == "22:00-06:00"

    # Holidays: the agency's own, by its admin; the national ones only by a superadmin.
    r = admin.post("/api/v1/agencies/1/holidays",
                   json={"date": "2026-11-27", "name": "Hari Jadi Kabupaten Balangan"})
    assert r.status == 201 and r.json["scope"] == "agency" and r.json["kind"] == "local"
    assert "2026-11-27" in [h["date"] for h in cal(admin)["holidays"]]
    assert "2026-11-27" not in [h["date"] for h in cal(users("admin.damkar"), 2)["holidays"]]
    for body, status in [
        ({"date": "2026-11-28", "name": "Libur", "national": True}, 403),
        ({"date": "2026-02-30", "name": "Tidak ada"}, 400),
        ({"date": "28-11-2026", "name": "Salah format"}, 400),
        ({"date": "2026-11-28", "name": "   "}, 400),
        ({"date": "2026-11-28"}, 400),
        ({"date": "2026-11-28", "name": "x" * 121}, 400),
        ({"date": "2026-11-28", "name": "Libur", "kind": "festival"}, 400),
        ({"date": 20261128, "name": "Libur"}, 400),
    ]:
        r = admin.post("/api/v1/agencies/1/holidays", json=body)
        assert r.status == status, (body, r)
    assert users("kabid.satpolpp").post("/api/v1/agencies/1/holidays",
                                        json={"date": "2026-11-28", "name": "x"}).status == 403
    assert "2026-11-28" not in [h["date"] for h in cal(admin)["holidays"]]

    r = sa.post("/api/v1/agencies/2/holidays",
                json={"date": "2026-12-31", "name": "Cuti bersama tambahan", "national": True,
                      "kind": "cuti_bersama"})
    assert r.status == 201 and r.json["scope"] == "national"
    assert "2026-12-31" in [h["date"] for h in cal(admin)["holidays"]]  # every agency

    r = admin.request("DELETE", "/api/v1/agencies/1/holidays?date=2026-12-31&national=1")
    assert r.status == 403
    r = admin.request("DELETE", "/api/v1/agencies/1/holidays?date=2026-11-29")
    assert r.status == 404
    r = admin.request("DELETE", "/api/v1/agencies/1/holidays?date=nope")
    assert r.status == 400
    r = admin.request("DELETE", "/api/v1/agencies/1/holidays?date=2026-11-27", csrf=False)
    assert r.status == 403
    r = admin.request("DELETE", "/api/v1/agencies/1/holidays?date=2026-11-27")
    assert r.status == 200
    assert "2026-11-27" not in [h["date"] for h in cal(admin)["holidays"]]
    r = sa.request("DELETE", "/api/v1/agencies/1/holidays?date=2026-12-31&national=1")
    assert r.status == 200
    # Back to the default hours for the other tests of the module.
    r = admin.post("/api/v1/agencies/1/calendar", json={"hours": {"sat": None, "sun": None}})
    assert r.status == 200 and r.json["hours"]["sat"] is None


def test_policy_api(users):
    admin = users("admin.satpolpp")
    k = admin.category_id("bangunan_liar")
    r = admin.get("/api/v1/categories/%d/sla" % k)
    assert r.status == 200 and r.json["source"] == "default"
    assert r.json["verify"] == {"amount": 3, "unit": "work_days"}
    assert r.json["autoclose"] == {"amount": 10, "unit": "work_days"}
    assert r.json["cap_days"] == 60 and r.json["due_soon_pct"] == 75
    before = r.json
    for who, body, status in [
        (users("trc.satpolpp"), {"verify": {"amount": 2, "unit": "work_days"}}, 403),
        (users("kabid.satpolpp"), {"verify": {"amount": 2, "unit": "work_days"}}, 403),
        (users("admin.damkar"), {"verify": {"amount": 2, "unit": "work_days"}}, 403),
        (admin, {"verify": {"amount": 2, "unit": "fortnights"}}, 400),
        (admin, {"verify": {"amount": -1, "unit": "hours"}}, 400),
        (admin, {"verify": {"amount": 2}}, 400),
        (admin, {"verify": 3}, 400),
        (admin, {"due_soon_pct": 100}, 400),
        (admin, {"cap_days": "60"}, 400),
        (admin, {"resolve": {"amount": 5, "unit": "work_days"}, "escalate_to": "bupati"}, 400),
    ]:
        r = who.post("/api/v1/categories/%d/sla" % k, json=body)
        assert r.status == status, (body, r)
    assert admin.get("/api/v1/categories/%d/sla" % k).json == before
    assert users("admin.damkar").get("/api/v1/categories/%d/sla" % k).status == 403
    assert admin.get("/api/v1/categories/99999/sla").status == 404
    r = admin.post("/api/v1/categories/%d/sla" % k,
                   json={"resolve": {"amount": 14, "unit": "work_days"}, "due_soon_pct": 80})
    assert r.status == 200 and r.json["source"] == "category"
    assert r.json["resolve"] == {"amount": 14, "unit": "work_days"}
    assert r.json["verify"] == before["verify"]  # unchanged steps stay


def test_cases_show_deadlines(users):
    admin = users("admin.satpolpp")
    k = admin.category_id("trantibum")
    case = admin.create_case(category_id=k, description="Keributan di depan pasar malam.")
    assert case["sla_state"] in ("on_time", "due_soon")
    assert case["sla"]["stage"] == "verify" and case["sla"]["due_at"]
    assert case["sla"]["resolve_due_at"] is None
    page = admin.list_cases()
    assert all("sla_state" in c and "sla" in c for c in page["items"])
    got = admin.case(case["id"])
    assert got["sla"]["due_at"] == case["sla"]["due_at"]
    # A viewer sees the deadline too (it is not personal data).
    assert users("pimpinan.satpolpp").case(case["id"])["sla"]["stage"] == "verify"


def test_attention_list(users):
    r = users("kabid.satpolpp").get("/api/v1/sla/attention")
    assert r.status == 200 and r.json["agency_id"] == 1
    assert all(x["sla_state"] in ("due_soon", "overdue") for x in r.json["items"])
    assert all("reporter" not in x and "description" not in x for x in r.json["items"])
    assert users("admin.damkar").get("/api/v1/sla/attention?agency=1").status == 403
    assert users("kabid.satpolpp").get("/api/v1/sla/attention?state=late").status == 400
    assert users("kabid.satpolpp").get("/api/v1/sla/attention?agency=x").status == 400
    assert users("superadmin").get("/api/v1/sla/attention").status == 400
    assert users("superadmin").get("/api/v1/sla/attention?agency=999").status == 404
    assert users.anon().get("/api/v1/sla/attention").status == 401
