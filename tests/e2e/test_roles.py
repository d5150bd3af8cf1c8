"""Roles (viewer, field officer, admin, supervisor, superadmin) and agency scoping."""

import pytest

from aduan_e2e import snapshot


@pytest.fixture(scope="module")
def teams(admin):
    return {"paringin": admin.team_id("TRC Pos Paringin"), "juai": admin.team_id("TRC Pos Juai")}


def complaint(admin, text="Pedagang kaki lima memenuhi trotoar pasar",
              reporter=None):
    body = {"category_id": admin.category_id("pkl"), "description": text}
    if reporter:
        body["reporter"] = reporter
    return admin.create_case(**body)


def same(client, cid, before):
    after = client.case(cid)
    assert snapshot(after) == snapshot(before)
    assert after["events"] == before["events"]


# ---- 9: roles ------------------------------------------------------------------


def test_viewer_cannot_create(viewer, sa):
    before = sa.all_cases()
    for body in ({"category_id": 1, "description": "pimpinan mencoba mencatat"},
                 {"category_id": 1, "description": "dengan agency", "agency_id": 1}):
        r = viewer.post("/api/v1/cases", json=body)
        assert r.status == 403, r
        assert r.code == "forbidden", r
    assert sa.all_cases() == before


def test_viewer_cannot_transition(viewer, admin, kabid, teams):
    cid = complaint(admin)["id"]
    before = admin.case(cid)
    for action, extra in (("verify", {}), ("reject", {"public_note": "tidak"}),
                          ("hold", {"public_note": "tunggu"}), ("forward", {"target_agency": "damkar"}),
                          ("close", {}), ("explode", {})):
        r = viewer.transition(cid, action, **extra)
        assert r.status == 403, (action, r)
        assert r.code == "forbidden", (action, r)
    same(admin, cid, before)


def test_viewer_sees_cases_without_reporter(viewer, admin):
    c = complaint(admin, "Pedagang menutup jalan, pelapor rahasia",
                  reporter={"name": "Rahasia Sekali", "phone": "081311112222"})
    assert c["reporter"]["name"] == "Rahasia Sekali"
    # The desk sees the reporter...
    assert admin.case(c["id"])["reporter"]["phone"] == "6281311112222"
    assert any("reporter" in x for x in admin.list_cases()["items"])
    # ...the viewer sees the case but not who reported it.
    v = viewer.case(c["id"])
    assert v["id"] == c["id"] and v["description"] == c["description"]
    assert "reporter" not in v
    assert "Rahasia Sekali" not in viewer.get("/api/v1/cases/%d" % c["id"]).body.decode()
    items = viewer.list_cases(limit=200)["items"]
    assert c["id"] in [x["id"] for x in items]
    assert all("reporter" not in x for x in items)
    assert b"6281311112222" not in viewer.get("/api/v1/cases?limit=200").body


def test_field_officer_cannot_verify_or_create(trc, admin, sa):
    cid = complaint(admin)["id"]
    before = admin.case(cid)
    for action, extra in (("verify", {}), ("reject", {"public_note": "x"}), ("hold", {"public_note": "x"})):
        r = trc.transition(cid, action, **extra)
        assert r.status == 403 and r.code == "forbidden", (action, r)
    same(admin, cid, before)
    count = len(sa.all_cases())
    r = trc.post("/api/v1/cases", json={"category_id": 1, "description": "TRC mencatat"})
    assert r.status == 403 and r.code == "forbidden", r
    assert len(sa.all_cases()) == count


def test_field_officer_works_their_teams_cases(trc, admin, kabid, teams):
    cid = complaint(admin)["id"]
    admin.act(cid, "verify")
    before = admin.case(cid)
    # Verified, not yet dispatched: nothing for the field (not their team; or
    # the wrong status).
    r = trc.transition(cid, "start")
    assert r.status in (403, 409), r
    assert r.code in ("forbidden", "conflict"), r
    r = trc.transition(cid, "dispatch", team_id=teams["paringin"])
    assert r.status == 403 and r.code == "forbidden", r
    same(admin, cid, before)

    kabid.act(cid, "dispatch", team_id=teams["paringin"])
    c = trc.act(cid, "start")
    assert c["status"] == "in_progress"
    before = admin.case(cid)
    r = trc.transition(cid, "resolve")  # the result for the reporter is required
    assert r.status == 400 and r.code == "invalid", r
    r = trc.transition(cid, "close")  # not from in_progress, for anyone
    assert r.status == 409 and r.code == "conflict", r
    same(admin, cid, before)
    c = trc.act(cid, "resolve", public_note="Lapak ditertibkan")
    assert c["status"] == "resolved"
    before = admin.case(cid)
    for action, extra in (("close", {}), ("reopen", {"note": "belum beres"})):
        r = trc.transition(cid, action, **extra)  # the desk's steps
        assert r.status == 403 and r.code == "forbidden", (action, r)
    same(admin, cid, before)
    ev = admin.case(cid)["events"]
    assert [(e["action"], e["actor_id"]) for e in ev[-2:]] == [
        ("start", trc.user_id), ("resolve", trc.user_id)]


def test_field_officer_cannot_touch_another_teams_case(trc, admin, kabid, teams):
    cid = complaint(admin)["id"]
    admin.act(cid, "verify")
    kabid.act(cid, "dispatch", team_id=teams["juai"])
    before = admin.case(cid)
    r = trc.transition(cid, "start")
    assert r.status == 403, r
    assert r.code == "forbidden", r
    same(admin, cid, before)
    # The supervisor may start it in the team's stead, but the officer still
    # may not resolve it.
    kabid.act(cid, "start")
    before = admin.case(cid)
    r = trc.transition(cid, "resolve", public_note="bukan tim saya")
    assert r.status == 403 and r.code == "forbidden", r
    same(admin, cid, before)


def test_admin_cannot_dispatch_verified_complaint(admin, kabid, teams):
    cid = complaint(admin)["id"]
    admin.act(cid, "verify")
    before = admin.case(cid)
    r = admin.transition(cid, "dispatch", team_id=teams["paringin"])
    assert r.status == 403, r
    assert r.code == "forbidden", r
    r = admin.transition(cid, "reject", public_note="admin tidak boleh menolak yang terverifikasi")
    assert r.status == 403 and r.code == "forbidden", r
    same(admin, cid, before)
    assert kabid.act(cid, "dispatch", team_id=teams["paringin"])["status"] == "dispatched"


def test_superadmin_may_act_everywhere(sa, admin, damkar, teams):
    cid = complaint(admin)["id"]
    assert sa.act(cid, "verify")["status"] == "verified"
    assert sa.act(cid, "dispatch", team_id=teams["paringin"])["status"] == "dispatched"
    e = damkar.create_case(category_id=damkar.category_id("penyelamatan"),
                           description="Kucing terjebak di atas pohon")
    assert sa.case(e["id"])["agency"]["id"] == 2
    # A superadmin works in several agencies: creating needs agency_id.
    r = sa.post("/api/v1/cases", json={"category_id": 1, "description": "tanpa agency"})
    assert r.status == 400 and r.code == "invalid", r
    assert "agency_id" in r.json["error"]["detail"]
    c = sa.create_case(agency_id=1, category_id=admin.category_id("perda"),
                       description="Superadmin mencatat pelanggaran perda")
    assert c["agency"]["id"] == 1
    ids = {x["agency"]["id"] for x in sa.all_cases()}
    assert {1, 2} <= ids


# ---- 10: agency scoping -------------------------------------------------------


def test_damkar_does_not_see_satpolpp_cases(damkar, admin, sa):
    c = complaint(admin, "Kasus satpol pp yang tidak boleh dilihat damkar")
    cid = c["id"]
    seen = damkar.all_cases()
    assert seen, "damkar sees its own demo case"
    assert all(x["agency"]["id"] == 2 for x in seen)
    assert cid not in [x["id"] for x in seen]
    assert damkar.list_cases(q="dilihat damkar")["items"] == []

    r = damkar.get("/api/v1/cases/%d" % cid)
    assert r.status == 403, r
    assert r.code == "forbidden", r
    assert "Kasus satpol pp" not in r.body.decode()

    before = admin.case(cid)
    for action, extra in (("verify", {}), ("reject", {"public_note": "bukan"}),
                          ("forward", {"target_agency": "damkar"})):
        r = damkar.transition(cid, action, **extra)
        assert r.status == 403, (action, r)
        assert r.code == "forbidden", (action, r)
    same(admin, cid, before)

    for q in ("agency=1", "agency=3", "agency=1&status=received"):
        r = damkar.get("/api/v1/cases?" + q)
        assert r.status == 403, (q, r)
        assert r.code == "forbidden", (q, r)
    r = damkar.get("/api/v1/cases?agency=2")
    assert r.status == 200 and all(x["agency"]["id"] == 2 for x in r.json["items"])


def test_satpolpp_does_not_see_damkar_cases(admin, damkar):
    e = damkar.create_case(category_id=damkar.category_id("kebakaran"),
                           description="Kebakaran lahan gambut dekat jalan")
    assert e["id"] not in [x["id"] for x in admin.all_cases()]
    r = admin.get("/api/v1/cases/%d" % e["id"])
    assert r.status == 403 and r.code == "forbidden", r
    before = damkar.case(e["id"])
    r = admin.transition(e["id"], "dispatch", team_id=admin.team_id("TRC Pos Paringin"))
    assert r.status == 403 and r.code == "forbidden", r
    same(damkar, e["id"], before)
    # A damkar category is not a satpolpp admin's to create in.
    r = admin.post("/api/v1/cases", json={"category_id": damkar.category_id("kebakaran"),
                                          "description": "kategori damkar"})
    assert r.status == 400 and r.code == "invalid", r
    r = admin.post("/api/v1/cases", json={"agency_id": 2, "category_id":
                                          damkar.category_id("kebakaran"),
                                          "description": "instansi damkar"})
    assert r.status == 403 and r.code == "forbidden", r
