"""The dispatch API (issue #6): suggestions by distance among the teams on
duty, the duty roster and its effect on emergencies, merging and splitting
duplicates, and refusals of bad input and wrong roles. Both engines."""

import pytest

FIRE = {"lat": -2.3620, "lon": 115.4410}  # Paringin post 3.2 km, Batu Mandi 7.4 km


@pytest.fixture(scope="module")
def kasi(users):
    return users("kasi.damkar")


@pytest.fixture(scope="module")
def teams(damkar):
    return {t["name"]: t["id"] for t in damkar.get("/api/v1/teams").json["items"]}


def fire(client, **extra):
    body = {"category_id": client.category_id("kebakaran"), "channel": "phone",
            "description": "Gudang terbakar, asap tebal"}
    body.update(FIRE)
    body.update(extra)
    return client.create_case(**body)


def test_suggestions_nearest_on_duty_first(damkar, teams):
    c = fire(damkar)
    r = damkar.get("/api/v1/cases/%d/dispatch-suggestions" % c["id"])
    assert r.status == 200, r
    items = r.json["items"]
    assert [i["team_name"] for i in items] == ["Regu Damkar Paringin", "Regu Damkar Batu Mandi"]
    assert abs(items[0]["distance_m"] - 3247) <= 1 and abs(items[1]["distance_m"] - 7374) <= 1
    assert [i["on_duty"] for i in items] == [2, 1]
    assert [i["reachable"] for i in items] == [2, 1]
    assert [i["suggested"] for i in items] == [True, False]
    assert items[0]["base"] == {"lat": -2.339, "lon": 115.459}
    assert r.json["location"] == FIRE
    # The supervisor may still pick another team than the suggestion.
    assert c["status"] == "dispatched" and c["team"]["id"] == teams["Regu Damkar Paringin"]


def test_suggestions_refused(damkar, admin, viewer, sa):
    c = fire(damkar)
    # Another agency's desk, the read-only viewer, an unknown case.
    r = admin.get("/api/v1/cases/%d/dispatch-suggestions" % c["id"])
    assert r.status == 403 and r.code == "forbidden", r
    r = viewer.get("/api/v1/cases/%d/dispatch-suggestions" % c["id"])
    assert r.status == 403, r
    r = damkar.get("/api/v1/cases/999999/dispatch-suggestions")
    assert r.status == 404 and r.code == "not_found", r
    assert sa.get("/api/v1/cases/%d/dispatch-suggestions" % c["id"]).status == 200


def test_roster_view(damkar, admin, viewer, sa):
    r = damkar.get("/api/v1/duty")
    assert r.status == 200, r
    items = r.json["items"]
    assert r.json["timezone"] == "Asia/Makassar"
    assert len(items) == 21  # three crew members, every day of the week
    assert {i["login"] for i in items} == {"regu.damkar", "regu2.damkar", "regu.batumandi"}
    assert all(i["start"] == "00:00" and i["end"] == "24:00" for i in items)
    assert sorted({i["weekday"] for i in items}) == list(range(7))
    assert sum(i["on_duty_now"] for i in items) == 3
    sp = admin.get("/api/v1/duty").json["items"]
    assert [(i["login"], i["start"], i["end"]) for i in sp] == [
        ("trc.satpolpp", "07:30", "16:00")] * 5
    assert sorted(i["weekday"] for i in sp) == [1, 2, 3, 4, 5]
    assert viewer.get("/api/v1/duty").status == 200
    # Not another agency's, and a superadmin has to say which one.
    r = admin.get("/api/v1/duty?agency=2")
    assert r.status == 403, r
    r = sa.get("/api/v1/duty")
    assert r.status == 400 and r.code == "invalid", r
    assert len(sa.get("/api/v1/duty?agency=2").json["items"]) == 21
    for bad in ("x", "0", "-1"):
        assert sa.get("/api/v1/duty?agency=" + bad).status == 400
    # An unknown agency is 404, as for every route scoped by ?agency= (issue 15).
    assert sa.get("/api/v1/duty?agency=99").status == 404


def test_roster_edit_and_refusals(kasi, damkar, admin, users, teams):
    regu = next(i for i in damkar.get("/api/v1/duty").json["items"] if i["login"] == "regu.damkar")
    paringin, batumandi = teams["Regu Damkar Paringin"], teams["Regu Damkar Batu Mandi"]
    before = damkar.get("/api/v1/duty").json["items"]
    bad = [
        {},
        {"team_id": paringin},
        {"team_id": paringin, "user_id": regu["user_id"]},
        {"team_id": paringin, "user_id": regu["user_id"], "weekday": 7, "start": "08:00",
         "end": "12:00"},
        {"team_id": paringin, "user_id": regu["user_id"], "weekday": 1, "start": "25:00",
         "end": "12:00"},
        {"team_id": paringin, "user_id": regu["user_id"], "weekday": 1, "start": "8:00",
         "end": "12:00"},
        {"team_id": paringin, "user_id": regu["user_id"], "weekday": 1, "start": "08:00",
         "end": "08:00"},
        {"team_id": paringin, "user_id": regu["user_id"], "weekday": 1, "start": "24:00",
         "end": "08:00"},
        {"team_id": paringin, "user_id": regu["user_id"], "weekday": "1", "start": "08:00",
         "end": "12:00"},
        {"team_id": paringin, "user_id": regu["user_id"], "weekday": 1, "start": "08:00",
         "end": "12:00", "starts_at": "2026-12-01T08:00:00+08:00"},
        {"team_id": paringin, "user_id": regu["user_id"], "starts_at": "2026-12-01T08:00:00+08:00",
         "ends_at": "2026-12-01T07:00:00+08:00"},
        {"team_id": paringin, "user_id": regu["user_id"], "starts_at": "2026-12-01T08:00:00+08:00",
         "ends_at": "2027-02-01T08:00:00+08:00"},
        {"team_id": paringin, "user_id": regu["user_id"], "starts_at": "besok", "ends_at": "lusa"},
        {"team_id": batumandi, "user_id": regu["user_id"], "weekday": 1, "start": "08:00",
         "end": "12:00"},  # not a member of that team
        {"team_id": 99999, "user_id": regu["user_id"], "weekday": 1, "start": "08:00",
         "end": "12:00"},
        {"team_id": -1, "user_id": regu["user_id"], "weekday": 1, "start": "08:00",
         "end": "12:00"},
    ]
    for body in bad:
        r = kasi.post("/api/v1/duty", json=body)
        assert r.status == 400 and r.code == "invalid", (body, r)
    r = kasi.post("/api/v1/duty", body=b'{"team_id": 1,', content_type="application/json")
    assert r.status == 400, r
    r = kasi.post("/api/v1/duty", body=b'{"team_id": "\xff"}', content_type="application/json")
    assert r.status == 400, r
    ok = {"team_id": paringin, "user_id": regu["user_id"], "weekday": 1, "start": "08:00",
          "end": "12:00"}
    # Another agency's desk, a field officer, the viewer: refused.
    r = admin.post("/api/v1/duty", json=ok)
    assert r.status == 403 and r.code == "forbidden", r
    for login in ("regu.damkar", "pimpinan.satpolpp"):
        assert users(login).post("/api/v1/duty", json=ok).status == 403
    assert damkar.get("/api/v1/duty").json["items"] == before

    # A night shift across midnight and a dated shift, by the supervisor.
    r = kasi.post("/api/v1/duty", json=dict(ok, start="22:00", end="06:00"))
    assert r.status == 201, r
    night = r.json
    assert (night["weekday"], night["start"], night["end"]) == (1, "22:00", "06:00")
    r = damkar.post("/api/v1/duty", json={"team_id": paringin, "user_id": regu["user_id"],
                                          "starts_at": "2026-12-01T08:00:00+08:00",
                                          "ends_at": "2026-12-02T08:00:00+08:00"})
    assert r.status == 201, r
    dated = r.json
    assert dated["starts_at"] == "2026-12-01T08:00:00+08:00" and "weekday" not in dated
    assert len(damkar.get("/api/v1/duty").json["items"]) == len(before) + 2

    # Deleting: not another agency's, not twice, not unknown.
    r = admin.request("DELETE", "/api/v1/duty/%d" % night["id"])
    assert r.status == 403, r
    assert kasi.request("DELETE", "/api/v1/duty/%d" % night["id"]).status == 200
    assert damkar.request("DELETE", "/api/v1/duty/%d" % dated["id"]).status == 200
    r = damkar.request("DELETE", "/api/v1/duty/%d" % dated["id"])
    assert r.status == 404 and r.code == "not_found", r
    assert damkar.request("DELETE", "/api/v1/duty/999999").status == 404
    assert damkar.get("/api/v1/duty").json["items"] == before


def test_off_duty_crew_is_skipped(fresh_users):
    """With the Paringin crew off the roster, a fire goes to Batu Mandi."""
    damkar = fresh_users("admin.damkar")
    for i in damkar.get("/api/v1/duty").json["items"]:
        if i["team_name"] == "Regu Damkar Paringin":
            assert damkar.request("DELETE", "/api/v1/duty/%d" % i["id"]).status == 200
    c = fire(damkar)
    assert c["status"] == "dispatched" and c["team"]["name"] == "Regu Damkar Batu Mandi"
    s = damkar.get("/api/v1/cases/%d/dispatch-suggestions" % c["id"]).json["items"]
    assert [(i["team_name"], i["on_duty"]) for i in s] == [("Regu Damkar Batu Mandi", 1),
                                                           ("Regu Damkar Paringin", 0)]
    # Nobody on duty at all: the case waits at the desk, the event says why.
    for i in damkar.get("/api/v1/duty").json["items"]:
        assert damkar.request("DELETE", "/api/v1/duty/%d" % i["id"]).status == 200
    c = fire(damkar, lat=-2.2, lon=115.6)
    assert c["status"] == "received" and c["team"] is None
    full = damkar.case(c["id"])
    assert full["events"][-1]["action"] == "alert_exhausted"
    assert "Tidak ada tim" in full["events"][-1]["note"]
    # The desk dispatches by hand as before.
    team = damkar.team_id("Regu Damkar Paringin")
    assert fresh_users("kasi.damkar").act(c["id"], "dispatch", team_id=team)["status"] == \
        "dispatched"


def complaint(client, lat, lon, text="Pedagang berjualan di trotoar depan taman kota"):
    return client.create_case(category_id=client.category_id("pkl"), description=text,
                              lat=lat, lon=lon)


def test_duplicates_merge_and_split(admin, kabid, damkar, viewer, trc):
    first = complaint(admin, -2.3000, 115.5000)
    # 150 m away, same category, within 7 days: a likely duplicate (not a
    # follower: it did not come over WhatsApp).
    second = complaint(admin, -2.3013, 115.5000)
    d = admin.case(second["id"])["dispatch"]
    assert d["duplicate_of"] == first["id"] and d["follows"] is None
    assert admin.case(second["id"])["events"][-1]["action"] == "duplicate"
    # 2 km away: not a duplicate.
    far = complaint(admin, -2.2820, 115.5000)
    assert admin.case(far["id"])["dispatch"]["duplicate_of"] is None

    # Merge: the case follows the master.
    r = kabid.post("/api/v1/cases/%d/merge" % second["id"], json={"master_id": first["id"]})
    assert r.status == 200, r
    assert r.json["dispatch"]["follows"] == first["id"]
    assert admin.case(first["id"])["dispatch"]["followers"] == 1
    ev = admin.case(second["id"])["events"][-1]
    assert ev["action"] == "merge" and ev["public"] is False and ev["actor_name"]

    # Refusals, each changing nothing.
    for body in ({}, {"master_id": second["id"]}, {"master_id": 999999},
                 {"master_id": "1"}, {"master_id": fire(damkar)["id"]}):
        r = admin.post("/api/v1/cases/%d/merge" % far["id"], json=body)
        assert r.status == 400 and r.code == "invalid", (body, r)
    # Into a follower: refused (merge into its master instead).
    r = admin.post("/api/v1/cases/%d/merge" % far["id"], json={"master_id": second["id"]})
    assert r.status == 400, r
    # A master with followers cannot itself follow.
    r = admin.post("/api/v1/cases/%d/merge" % first["id"], json={"master_id": far["id"]})
    assert r.status == 409 and r.code == "conflict", r
    r = damkar.post("/api/v1/cases/%d/merge" % far["id"], json={"master_id": first["id"]})
    assert r.status == 403, r
    for who in (viewer, trc):
        assert who.post("/api/v1/cases/%d/merge" % far["id"],
                        json={"master_id": first["id"]}).status == 403
    assert admin.post("/api/v1/cases/999999/merge", json={"master_id": first["id"]}).status == 404
    r = admin.post("/api/v1/cases/%d/merge" % far["id"], body=b"{", content_type="application/json")
    assert r.status == 400, r
    assert admin.case(far["id"])["dispatch"]["follows"] is None

    # Split undoes it.
    r = admin.post("/api/v1/cases/%d/split" % second["id"], json={})
    assert r.status == 200, r
    assert r.json["dispatch"]["follows"] is None and r.json["dispatch"]["duplicate_of"] is None
    assert admin.case(first["id"])["dispatch"]["followers"] == 0
    assert admin.case(second["id"])["events"][-1]["action"] == "split"
    r = admin.post("/api/v1/cases/%d/split" % second["id"], json={})
    assert r.status == 409, r
    assert viewer.post("/api/v1/cases/%d/split" % first["id"], json={}).status == 403


def test_category_forward_setting(sa, admin, damkar):
    pkl = admin.category_id("pkl")
    kebakaran = damkar.category_id("kebakaran")
    for body in ({"to_category_id": pkl}, {"to_category_id": 99999}, {"to_category_id": "x"}):
        r = sa.post("/api/v1/categories/%d/forward" % pkl, json=body)
        assert r.status == 400, (body, r)
    assert sa.post("/api/v1/categories/99999/forward", json={}).status == 404
    assert admin.post("/api/v1/categories/%d/forward" % pkl,
                      json={"to_category_id": kebakaran}).status == 403
    r = sa.post("/api/v1/categories/%d/forward" % pkl, json={"to_category_id": kebakaran})
    assert r.status == 200 and r.json["forward_category_id"] == kebakaran, r
    r = sa.post("/api/v1/categories/%d/forward" % pkl, json={"to_category_id": None})
    assert r.status == 200 and r.json["forward_category_id"] is None, r
