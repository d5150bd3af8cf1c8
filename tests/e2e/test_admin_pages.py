"""The admin page (issue #5): served at /admin and /admin/, and the list of
a community group's members it shows (GET /api/v1/community-groups/{id}/members),
with its refusals. Both engines."""

from aduan_e2e import http_request


def test_admin_page_served(server):
    for path in ("/admin", "/admin/", "/admin/index.html"):
        r = http_request(server.port, "GET", path)
        assert r.status == 200, path
        assert b"<title>Administrasi" in r.body
        assert r.header("Content-Type").startswith("text/html")
        assert "script-src 'self'" in r.header("Content-Security-Policy")
    assert http_request(server.port, "GET", "/adminx").status == 404


def test_group_members_listed_for_the_desk(admin, kabid, trc, viewer, damkar, sa):
    g = admin.post("/api/v1/community-groups",
                   json={"name": "Paguyuban Bentor Juai", "skip_verification": False}).json
    r = admin.get("/api/v1/community-groups/%d/members" % g["id"])
    assert r.status == 200
    assert r.json == {"id": g["id"], "agency_id": g["agency_id"], "name": "Paguyuban Bentor Juai",
                      "members": []}
    for phone, name in (("0812-7777-1001", "Pak Amat"), ("+62 812 7777 1002", None)):
        body = {"phone": phone}
        if name:
            body["name"] = name
        assert admin.post("/api/v1/community-groups/%d/members" % g["id"], json=body).status == 200
    for who in (admin, kabid, sa):
        members = who.get("/api/v1/community-groups/%d/members" % g["id"]).json["members"]
        assert [(m["mobile"], m["name"]) for m in members] == [
            ("6281277771001", "Pak Amat"), ("6281277771002", None)]
        assert all(m["since"] for m in members)
    # Field officers, viewers and other agencies do not see the numbers.
    for who in (trc, viewer, damkar):
        r = who.get("/api/v1/community-groups/%d/members" % g["id"])
        assert r.status == 403, r
        assert "6281277771001" not in r.body.decode()
    assert admin.get("/api/v1/community-groups/999999/members").status == 404
    assert admin.get("/api/v1/community-groups/abc/members").status in (400, 404)
    # Removing one leaves the other.
    assert admin.post("/api/v1/community-groups/%d/members/remove" % g["id"],
                      json={"phone": "081277771001"}).status == 200
    members = admin.get("/api/v1/community-groups/%d/members" % g["id"]).json["members"]
    assert [m["mobile"] for m in members] == ["6281277771002"]
