"""Community reporters (LACAK BENTOR, issue #6): a registered group of
citizens, whose WhatsApp reports carry the group, skip verification when
the agency trusts the group, and count in the group's statistics. Both
engines, against the fake Graph API."""

import re

from aduan_e2e import Client
from wa_helpers import SATPOLPP, Citizen, choices, desk, superadmin, text_of  # noqa: F401

CODE_RE = re.compile(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*")


def login(srv, who):
    c = Client(srv.port)
    assert c.login(who).status == 200
    return c


def complain(srv, graph, wa_id, lat, lon):
    """A complaint through the whole dialogue; returns the case."""
    w = Citizen(srv, graph, wa_id, pnid=SATPOLPP)
    w.text("halo")
    w.tap("menu:report")
    cats = w.tap("consent:yes", button=True)[0]
    w.tap([c for c in choices(cats) if c.startswith("cat:")][1])
    w.text("Pedagang kaki lima menutup trotoar di depan sekolah")
    w.say("location", lat=lat, lon=lon, address="Jl. Sekolah")
    w.tap("photos:skip", button=True)
    code = CODE_RE.search(text_of(w.tap("confirm:send", button=True)[0])).group(1)
    sa = superadmin(srv)
    return w, sa.case([c for c in sa.all_cases() if c["tracking_code"] == code][0]["id"])


def test_trusted_group_reports_skip_verification(desk):  # noqa: F811
    srv, graph = desk
    admin = login(srv, "admin.satpolpp")
    r = admin.post("/api/v1/community-groups",
                   json={"name": " Paguyuban Bentor Paringin ", "skip_verification": True})
    assert r.status == 201, r
    g = r.json
    assert g["name"] == "Paguyuban Bentor Paringin" and g["agency_id"] == 1
    assert g["skip_verification"] is True and g["members"] == 0
    assert g["cases"] == {"total": 0, "open": 0, "resolved": 0}
    r = admin.post("/api/v1/community-groups/%d/members" % g["id"],
                   json={"phone": "0812-7777-0001", "name": "Pak Amat"})
    assert r.status == 200 and r.json["members"] == 1, r
    # Registering again renames, never doubles.
    r = admin.post("/api/v1/community-groups/%d/members" % g["id"],
                   json={"phone": "+62 812 7777 0001", "name": "Amat"})
    assert r.json["members"] == 1

    # A member's complaint starts verified by the system, with the group.
    w, case = complain(srv, graph, "6281277770001", -2.2700, 115.5200)
    assert case["status"] == "verified"
    assert case["dispatch"]["community_group"] == {"id": g["id"],
                                                   "name": "Paguyuban Bentor Paringin"}
    verify = case["events"][-1]
    assert verify["action"] == "verify" and verify["actor_id"] is None
    assert "Paguyuban Bentor Paringin" in verify["note"]
    graph.wait_for(lambda r: r["kind"] == "messages" and r["json"].get("to") == w.wa_id
                   and "Diverifikasi" in text_of(r["json"]))
    # Anyone else's waits for the desk.
    _, other = complain(srv, graph, "6281277770002", -2.2500, 115.5400)
    assert other["status"] == "received" and other["dispatch"]["community_group"] is None

    items = admin.get("/api/v1/community-groups").json["items"]
    assert [(i["name"], i["members"], i["cases"]) for i in items] == [
        ("Paguyuban Bentor Paringin", 1, {"total": 1, "open": 1, "resolved": 0})]
    # Removing the member: later reports are ordinary again.
    r = admin.post("/api/v1/community-groups/%d/members/remove" % g["id"],
                   json={"phone": "081277770001"})
    assert r.status == 200 and r.json["members"] == 0, r
    r = admin.post("/api/v1/community-groups/%d/members/remove" % g["id"],
                   json={"phone": "081277770001"})
    assert r.status == 404, r


def test_group_refusals(desk):  # noqa: F811
    srv, _ = desk
    admin = login(srv, "admin.satpolpp")
    g = admin.post("/api/v1/community-groups", json={"name": "Ojek Halong"}).json
    assert g["skip_verification"] is False
    for body in ({}, {"name": "   "}, {"name": "x" * 121}, {"name": 5},
                 {"name": "A", "skip_verification": "ya"}, {"name": "A", "agency_id": "1"}):
        r = admin.post("/api/v1/community-groups", json=body)
        assert r.status == 400 and r.code == "invalid", (body, r)
    r = admin.post("/api/v1/community-groups", json={"name": "Ojek Halong"})
    assert r.status == 409 and r.code == "conflict", r
    r = admin.post("/api/v1/community-groups", body=b'{"name": "\xff"}',
                   content_type="application/json")
    assert r.status == 400, r
    # Another agency, the viewer, a field officer, and a superadmin without
    # an agency.
    r = login(srv, "admin.damkar").post("/api/v1/community-groups",
                                        json={"name": "X", "agency_id": 1})
    assert r.status == 403, r
    for who in ("pimpinan.satpolpp", "trc.satpolpp"):
        assert login(srv, who).post("/api/v1/community-groups", json={"name": "Y"}).status == 403
    sa = superadmin(srv)
    assert sa.post("/api/v1/community-groups", json={"name": "Z"}).status == 400
    assert sa.get("/api/v1/community-groups").status == 400
    assert sa.get("/api/v1/community-groups?agency=1").json["items"][0]["name"] == "Ojek Halong"
    assert login(srv, "admin.damkar").get("/api/v1/community-groups?agency=1").status == 403
    assert admin.get("/api/v1/community-groups?agency=x").status == 400
    # Members: a real mobile number, a group of one's own agency.
    path = "/api/v1/community-groups/%d/members" % g["id"]
    for body in ({}, {"phone": "abc"}, {"phone": "0511-21234"}, {"phone": 812},
                 {"phone": "081277770003", "name": "n" * 121}):
        r = admin.post(path, json=body)
        assert r.status == 400, (body, r)
    assert login(srv, "admin.damkar").post(path, json={"phone": "081277770003"}).status == 403
    assert admin.post("/api/v1/community-groups/9999/members",
                      json={"phone": "081277770003"}).status == 404
    assert admin.get("/api/v1/community-groups").json["items"][0]["members"] == 0
