"""Field officers see what their work needs, no more (issue 13, item 5).

A `field` user (TRC member, fire crew) sees the cases dispatched to their own
teams and the open emergencies of their agency; the reporter's phone only
while the case is their team's and not closed; everything else is 403. Every
route of the router table has its expected status for a field officer
written down here (ROUTES), and a test fails when src/http/server.c gains a
route this table does not name. The field card (GET /api/v1/me/tasks) shows
the kepala bidang's dispatch instruction and what the officer's teams
resolved today, in the agency's time zone.
"""

import os
import re
import sqlite3
import subprocess
import time

import pytest

from aduan_e2e import Client, fixture_image, server_routes

INSTRUCTION = "Mohon tertibkan hari ini, koordinasi dengan pengelola pasar"
PHONE_A, PHONE_B, PHONE_E = "081311110001", "081311110002", "081311110003"
JPEG = fixture_image("exif-gps.jpg")


def login(srv, name):
    c = Client(srv.port)
    assert c.login(name).status == 200, name
    return c


def complaint(admin, text, phone):
    return admin.create_case(category_id=admin.category_id("pkl"), description=text,
                             reporter={"name": "Warga " + phone[-2:], "phone": phone})


def photo(client, cid):
    r = client.post("/api/v1/cases/%d/attachments" % cid, body=JPEG, content_type="image/jpeg")
    assert r.status == 201, r
    return r.json["id"]


@pytest.fixture(scope="module")
def world(server):
    admin, kabid = login(server, "admin.satpolpp"), login(server, "kabid.satpolpp")
    paringin, juai = admin.team_id("TRC Pos Paringin"), admin.team_id("TRC Pos Juai")
    # A: dispatched to the officer's own team, with the kepala bidang's instruction.
    a = complaint(admin, "Lapak qxfieldown menutup trotoar depan pasar", PHONE_A)["id"]
    admin.act(a, "verify")
    kabid.act(a, "dispatch", team_id=paringin, note=INSTRUCTION)
    # B: another team's case, with a citizen's photo on it.
    b = complaint(admin, "Reklame qxfieldother di pohon jalan provinsi", PHONE_B)["id"]
    admin.act(b, "verify")
    kabid.act(b, "dispatch", team_id=juai, note="Untuk Juai saja")
    b_photo = photo(kabid, b)
    # C: not dispatched at all.
    c = complaint(admin, "Keributan qxfieldnone di gang sempit", "081311110009")["id"]
    # Another agency's case.
    damkar = login(server, "admin.damkar")
    d = damkar.create_case(category_id=damkar.category_id("kebakaran"),
                           description="Api qxfieldfire di gudang belakang pasar",
                           reporter={"name": "Warga D", "phone": "081311110004"})["id"]
    a_photo = photo(kabid, a)
    return {"a": a, "b": b, "c": c, "d": d, "a_photo": a_photo, "b_photo": b_photo,
            "paringin": paringin, "juai": juai, "admin": admin, "kabid": kabid,
            "damkar": damkar}


def ids(page):
    return [x["id"] for x in page["items"]]


# ---- every route of the router table -------------------------------------------------

# (method, pattern in server.c) -> expected status for trc.satpolpp (field), with
# the path to call: {X} another team's case of the officer's agency, {O} the
# officer's own team's case, {XA}/{OA} an attachment of those. "public" routes
# are the same for everyone (no session is asked); they are called and must not
# be 401/403/5xx.
ROUTES = {
    ("GET", "/"): ("/", 200),
    ("GET", "/healthz"): ("/healthz", 200),
    ("GET", "/readyz"): ("/readyz", 200),
    # By address, not session: loopback (this test) gets it, others 403
    # (test_metrics.py).
    ("GET", "/metrics"): ("/metrics", 200),
    ("POST", "/api/v1/auth/login"): ("public", None),
    ("POST", "/api/v1/auth/logout"): ("/api/v1/auth/logout", 200),
    ("GET", "/api/v1/me"): ("/api/v1/me", 200),
    ("GET", "/api/v1/cases"): ("/api/v1/cases", 200),  # scoped: test_the_list_is_scoped
    ("POST", "/api/v1/cases"): ("/api/v1/cases", 403),
    ("GET", "/api/v1/cases/export.csv"): ("/api/v1/cases/export.csv", 403),
    ("GET", "/api/v1/cases/{id}"): ("/api/v1/cases/{X}", 403),
    ("POST", "/api/v1/cases/{id}/transitions"): ("/api/v1/cases/{X}/transitions", 403),
    ("GET", "/api/v1/agencies"): ("/api/v1/agencies", 200),
    ("GET", "/api/v1/categories"): ("/api/v1/categories", 200),
    ("GET", "/api/v1/teams"): ("/api/v1/teams", 200),
    ("GET", "/api/v1/regions"): ("/api/v1/regions", 200),
    ("GET", "/api/v1/inbound"): ("/api/v1/inbound", 403),
    ("GET", "/api/v1/bot/texts"): ("/api/v1/bot/texts", 403),
    ("POST", "/api/v1/bot/texts"): ("/api/v1/bot/texts", 403),
    ("DELETE", "/api/v1/bot/texts"): ("/api/v1/bot/texts?key=created", 403),
    ("POST", "/api/v1/cases/{id}/messages"): ("/api/v1/cases/{X}/messages", 403),
    ("GET", "/api/v1/cases/{id}/messages"): ("/api/v1/cases/{X}/messages", 403),
    ("GET", "/api/v1/canned-replies"): ("/api/v1/canned-replies", 200),
    ("POST", "/api/v1/canned-replies"): ("/api/v1/canned-replies", 403),
    ("POST", "/api/v1/canned-replies/{id}"): ("/api/v1/canned-replies/1", 403),
    ("DELETE", "/api/v1/canned-replies/{id}"): ("/api/v1/canned-replies/1", 403),
    ("GET", "/api/v1/admin/users"): ("/api/v1/admin/users", 403),
    ("POST", "/api/v1/admin/users"): ("/api/v1/admin/users", 403),
    ("POST", "/api/v1/admin/users/{id}"): ("/api/v1/admin/users/1", 403),
    ("POST", "/api/v1/admin/categories"): ("/api/v1/admin/categories", 403),
    ("POST", "/api/v1/admin/categories/{id}"): ("/api/v1/admin/categories/1", 403),
    ("POST", "/api/v1/admin/teams"): ("/api/v1/admin/teams", 403),
    ("POST", "/api/v1/admin/teams/{id}"): ("/api/v1/admin/teams/1", 403),
    ("GET", "/api/v1/admin/teams/{id}/members"): ("/api/v1/admin/teams/1/members", 403),
    ("POST", "/api/v1/admin/teams/{id}/members"): ("/api/v1/admin/teams/1/members", 403),
    ("GET", "/api/v1/admin/numbers"): ("/api/v1/admin/numbers", 403),
    ("POST", "/api/v1/admin/numbers"): ("/api/v1/admin/numbers", 403),
    ("GET", "/api/v1/admin/login-attacks"): ("/api/v1/admin/login-attacks", 403),
    ("GET", "/api/v1/cases/{id}/conversation"): ("/api/v1/cases/{X}/conversation", 403),
    ("POST", "/api/v1/cases/{id}/attachments"): ("/api/v1/cases/{X}/attachments", 403),
    ("GET", "/api/v1/attachments/{id}"): ("/api/v1/attachments/{XA}", 403),
    ("GET", "/api/v1/me/teams"): ("/api/v1/me/teams", 200),
    ("GET", "/api/v1/me/tasks"): ("/api/v1/me/tasks", 200),
    ("PUT", "/api/v1/cases/{id}/lapor"): ("/api/v1/cases/{O}/lapor", 403),
    ("GET", "/api/v1/dashboard/settings"): ("/api/v1/dashboard/settings", 200),
    ("GET", "/webhooks/whatsapp"): ("public", None),
    ("POST", "/webhooks/whatsapp"): ("public", None),
    ("GET", "/sim/api/numbers"): ("public", None),
    ("POST", "/sim/api/send"): ("public", None),
    ("GET", "/sim/api/messages"): ("public", None),
    ("GET", "/open311/discovery.json"): ("public", None),  # Open311: no personal data, api_key for POST
    ("GET", "/open311/discovery.xml"): ("public", None),  # Open311: no personal data, api_key for POST
    ("GET", "/open311/v2/services.json"): ("public", None),  # Open311: no personal data, api_key for POST
    ("GET", "/open311/v2/services.xml"): ("public", None),  # Open311: no personal data, api_key for POST
    ("GET", "/open311/v2/services/{file}"): ("public", None),  # Open311: no personal data, api_key for POST
    ("GET", "/open311/v2/requests.json"): ("public", None),  # Open311: no personal data, api_key for POST
    ("GET", "/open311/v2/requests.xml"): ("public", None),  # Open311: no personal data, api_key for POST
    ("POST", "/open311/v2/requests.json"): ("public", None),  # Open311: no personal data, api_key for POST
    ("POST", "/open311/v2/requests.xml"): ("public", None),  # Open311: no personal data, api_key for POST
    ("GET", "/open311/v2/requests/{file}"): ("public", None),  # Open311: no personal data, api_key for POST
    ("GET", "/open311/v2/tokens/{file}"): ("public", None),  # Open311: no personal data, api_key for POST
    ("GET", "/open311/v2/{file}"): ("public", None),  # Open311: no personal data, api_key for POST
    ("GET", "/open311/{file}"): ("public", None),  # Open311: no personal data, api_key for POST
    ("GET", "/api/v1/agencies/{id}/calendar"): ("/api/v1/agencies/1/calendar", 200),
    ("POST", "/api/v1/agencies/{id}/calendar"): ("/api/v1/agencies/1/calendar", 403),
    ("POST", "/api/v1/agencies/{id}/holidays"): ("/api/v1/agencies/1/holidays", 403),
    ("DELETE", "/api/v1/agencies/{id}/holidays"): ("/api/v1/agencies/1/holidays", 403),
    ("GET", "/api/v1/categories/{id}/sla"): ("/api/v1/categories/1/sla", 200),
    ("POST", "/api/v1/categories/{id}/sla"): ("/api/v1/categories/1/sla", 403),
    ("GET", "/api/v1/sla/attention"): ("/api/v1/sla/attention", 403),
    ("GET", "/api/v1/reports/activity"): ("/api/v1/reports/activity?agency=1", 403),
    ("GET", "/api/v1/cases/{id}/dispatch-suggestions"):
        ("/api/v1/cases/{O}/dispatch-suggestions", 403),
    ("POST", "/api/v1/cases/{id}/merge"): ("/api/v1/cases/{O}/merge", 403),
    ("POST", "/api/v1/cases/{id}/split"): ("/api/v1/cases/{O}/split", 403),
    ("GET", "/api/v1/duty"): ("/api/v1/duty", 200),
    ("POST", "/api/v1/duty"): ("/api/v1/duty", 403),
    ("DELETE", "/api/v1/duty/{id}"): ("/api/v1/duty/1", 403),
    ("POST", "/api/v1/categories/{id}/forward"): ("/api/v1/categories/1/forward", 403),
    ("GET", "/api/v1/community-groups"): ("/api/v1/community-groups", 200),
    ("POST", "/api/v1/community-groups"): ("/api/v1/community-groups", 403),
    ("POST", "/api/v1/community-groups/{id}/members"):
        ("/api/v1/community-groups/1/members", 403),
    ("POST", "/api/v1/community-groups/{id}/members/remove"):
        ("/api/v1/community-groups/1/members/remove", 403),
    ("GET", "/api/v1/community-groups/{id}/members"):
        ("/api/v1/community-groups/1/members", 403),
    ("GET", "/t/{code}"): ("public", None),
    ("GET", "/api/v1/public/cases/{code}"): ("public", None),
    ("GET", "/api/v1/stats"): ("public", None),
    ("GET", "/statistik"): ("public", None),
    ("GET", "/api/v1/public/agencies"): ("public", None),
    ("GET", "/api/v1/reports/monthly.pdf"): ("/api/v1/reports/monthly.pdf?month=2026-01", 403),
    ("GET", "/api/v1/services"): ("/api/v1/services", 200),
    ("POST", "/api/v1/services"): ("/api/v1/services", 403),
    ("PUT", "/api/v1/services/{id}"): ("/api/v1/services/8", 403),
    ("GET", "/api/v1/services/measures"): ("/api/v1/services/measures", 403),
    ("GET", "/api/v1/cases/{id}/service"): ("/api/v1/cases/{O}/service", 403),
    ("POST", "/api/v1/cases/{id}/service/checks"): ("/api/v1/cases/{O}/service/checks", 403),
    ("POST", "/api/v1/cases/{id}/service/request-more"):
        ("/api/v1/cases/{O}/service/request-more", 403),
    ("POST", "/api/v1/cases/{id}/service/issue"): ("/api/v1/cases/{O}/service/issue", 403),
    ("GET", "/api/v1/cases/{id}/service/file"): ("/api/v1/cases/{O}/service/file", 403),
    # Issue 19: one's own account (two-step sign-in, sessions, password); the audit log.
    ("GET", "/api/v1/me/2fa"): ("/api/v1/me/2fa", 200),
    ("POST", "/api/v1/me/2fa/setup"): ("/api/v1/me/2fa/setup", 200),
    ("POST", "/api/v1/me/2fa/confirm"): ("/api/v1/me/2fa/confirm", 400),
    ("POST", "/api/v1/me/2fa/disable"): ("/api/v1/me/2fa/disable", 400),
    ("GET", "/api/v1/me/sessions"): ("/api/v1/me/sessions", 200),
    ("POST", "/api/v1/me/sessions/end"): ("/api/v1/me/sessions/end", 400),
    ("POST", "/api/v1/me/sessions/end-all"): ("/api/v1/me/sessions/end-all", 200),
    ("POST", "/api/v1/me/password"): ("/api/v1/me/password", 400),
    ("GET", "/api/v1/admin/audit"): ("/api/v1/admin/audit", 403),
    ("GET", "/api/v1/admin/audit.csv"): ("/api/v1/admin/audit.csv", 403),
    # Issue 17: outbound webhooks are an admin's business.
    ("GET", "/api/v1/webhooks"): ("/api/v1/webhooks", 403),
    ("POST", "/api/v1/webhooks"): ("/api/v1/webhooks", 403),
    ("POST", "/api/v1/webhooks/{id}"): ("/api/v1/webhooks/1", 403),
    ("DELETE", "/api/v1/webhooks/{id}"): ("/api/v1/webhooks/1", 403),
    ("POST", "/api/v1/webhooks/{id}/resume"): ("/api/v1/webhooks/1/resume", 403),
    ("GET", "/api/v1/webhooks/{id}/deliveries"): ("/api/v1/webhooks/1/deliveries", 403),
    ("POST", "/api/v1/webhooks/deliveries/{id}/retry"): ("/api/v1/webhooks/deliveries/1/retry", 403),
    # Issue 18: the public list of reports; the simulator's documents and staff numbers.
    ("GET", "/laporan"): ("public", None),
    ("GET", "/api/v1/public/reports"): ("public", None),
    ("GET", "/sim/api/media/{file}"): ("public", None),
    ("GET", "/sim/api/staff"): ("/sim/api/staff", 403),
    # Issue 17 §3: the LAPOR! liaison's worklist is the desk's.
    ("GET", "/api/v1/lapor/worklist"): ("/api/v1/lapor/worklist", 403),
    # Issue 17 §1: Open311's published photos; the agency's setting for them.
    ("GET", "/open311/v2/media/{file}"): ("public", None),
    ("PUT", "/api/v1/agencies/{id}/settings"): ("/api/v1/agencies/1/settings", 403),
    # Issue 18: the district's logo is the superadmin's.
    ("POST", "/api/v1/admin/logo"): ("/api/v1/admin/logo", 403),
    # Issue 18 operators: the event stream (a bad Last-Event-ID: past the router, answered at
    # once), ownership is the desk's, presence on a case of their team.
    ("GET", "/api/v1/events"): ("/api/v1/events?last_event_id=x", 400),
    ("PUT", "/api/v1/cases/{id}/assignee"): ("/api/v1/cases/{O}/assignee", 403),
    ("GET", "/api/v1/assignees"): ("/api/v1/assignees", 403),
    ("GET", "/api/v1/inbox/counts"): ("/api/v1/inbox/counts", 200),
    ("POST", "/api/v1/cases/{id}/presence"): ("/api/v1/cases/{O}/presence", 200),
    ("GET", "/api/v1/cases/{id}/presence"): ("/api/v1/cases/{O}/presence", 200),
    # Issue 16 §1: the public web form (no session; personal data only goes in).
    ("GET", "/lapor"): ("public", None),
    ("GET", "/lapor/{file}"): ("public", None),
    ("POST", "/lapor"): ("public", None),
    ("POST", "/lapor/{file}"): ("public", None),
    # Issue 16 §2: the Telegram webhook (its secret, not a session, lets it in).
    ("POST", "/webhooks/telegram/{file}"): ("public", None),
    # Issue 18 evidence: the case's access log is for the agency's admin.
    ("GET", "/api/v1/cases/{id}/access-log"): ("/api/v1/cases/{X}/access-log", 403),
    ("PUT", "/api/v1/attachments/{id}/identity"): ("/api/v1/attachments/{XA}/identity", 403),
    # Issue 18: the hotspot map is for the desk and leadership, not the field.
    ("GET", "/api/v1/stats/hotspots"): ("/api/v1/stats/hotspots", 403),
    # Issue 18: following a case by email (public: a form and its links).
    ("POST", "/ikuti"): ("public", None),
    ("GET", "/ikuti/konfirmasi"): ("public", None),
    ("POST", "/ikuti/konfirmasi"): ("public", None),
    ("GET", "/ikuti/berhenti"): ("public", None),
    ("POST", "/ikuti/berhenti"): ("public", None),
    # Issue 18 (ops2): saved filters are every user's own ({} has no name: 400; filter 1 is
    # not theirs: 404); bulk actions are the desk's.
    ("GET", "/api/v1/me/filters"): ("/api/v1/me/filters", 200),
    ("POST", "/api/v1/me/filters"): ("/api/v1/me/filters", 400),
    ("DELETE", "/api/v1/me/filters/{id}"): ("/api/v1/me/filters/1", 404),
    ("POST", "/api/v1/cases/bulk"): ("/api/v1/cases/bulk", 403),
    # Issue 16 (chan2): the web form's private cancel link (its token, not a session).
    ("GET", "/batal"): ("public", None),
    ("POST", "/batal"): ("public", None),
    # Issue 18 (after): the officer's "after" photo of the tracking page (public; the
    # handler asks every rule again).
    ("GET", "/t/foto/{id}"): ("public", None),
}

# Routes that end the session: called last.
LAST = ("/api/v1/auth/logout", "/api/v1/me/sessions/end-all")

# Routes a field officer may use on their own team's case (the same paths with {O}).
OWN = {
    ("GET", "/api/v1/cases/{id}"): ("/api/v1/cases/{O}", 200),
    ("GET", "/api/v1/cases/{id}/conversation"): ("/api/v1/cases/{O}/conversation", 200),
    ("GET", "/api/v1/cases/{id}/messages"): ("/api/v1/cases/{O}/messages", 200),
    ("GET", "/api/v1/attachments/{id}"): ("/api/v1/attachments/{OA}", 200),
}


def router_table():
    """(method, pattern) of every route the server has (`aduan routes`, as
    test_role_matrix.py reads it)."""
    return set(server_routes())


def test_every_route_has_an_expectation():
    routes = router_table()
    assert len(routes) > 60, routes
    assert routes - set(ROUTES) == set(), "routes without a field officer's expectation"
    assert set(ROUTES) - routes == set(), "expectations for routes that do not exist"


def call(client, method, path, world):
    path = (path.replace("{XA}", str(world["b_photo"])).replace("{OA}", str(world["a_photo"]))
            .replace("{X}", str(world["b"])).replace("{O}", str(world["a"])))
    if method == "GET":
        return client.get(path)
    if method == "POST" and path.endswith("/attachments"):
        return client.post(path, body=JPEG, content_type="image/jpeg")
    return client.request(method, path, json={})


def test_each_route_answers_a_field_officer_as_written(server, world):
    trc = login(server, "trc.satpolpp")
    for (method, pattern), (path, want) in sorted(ROUTES.items(),
                                                  key=lambda kv: LAST.index(kv[0][1]) + 1
                                                  if kv[0][1] in LAST else 0):
        if path == "public":
            continue
        r = call(trc, method, path, world)
        assert r.status == want, (method, pattern, r)
        if want == 403:
            assert r.code == "forbidden", (method, pattern, r)
        if pattern in LAST:  # the session ended: a new one for what follows
            trc = login(server, "trc.satpolpp")
    trc = login(server, "trc.satpolpp")
    for (method, pattern), (path, want) in OWN.items():
        assert (method, pattern) in ROUTES
        r = call(trc, method, path, world)
        assert r.status == want, (method, pattern, r)


def test_public_routes_ask_no_session(server, world):
    anon = Client(server.port)
    code = world["admin"].case(world["a"])["tracking_code"]
    for path in ("/t/" + code, "/api/v1/public/cases/" + code, "/api/v1/stats", "/statistik",
                 "/api/v1/public/agencies", "/sim/api/numbers"):
        r = anon.get(path)
        assert r.status == 200, (path, r)
    assert anon.post("/webhooks/whatsapp", json={}).status == 401  # unsigned
    assert anon.get("/webhooks/whatsapp").status in (400, 403)
    assert anon.post("/api/v1/auth/login", json={"login": "trc.satpolpp",
                                                 "password": "aduan-demo"}).status == 200


# ---- what the field officer sees -------------------------------------------------------


def test_the_list_is_scoped_to_the_officers_teams(server, world):
    trc = login(server, "trc.satpolpp")
    seen = ids(trc.list_cases(limit=200))
    assert world["a"] in seen
    assert world["b"] not in seen and world["c"] not in seen and world["d"] not in seen
    # Every case listed is one of the officer's team.
    assert {x["team"]["id"] for x in trc.list_cases(limit=200)["items"]} == {world["paringin"]}
    # Search finds nothing outside: another team's words, an undispatched case's.
    assert ids(trc.list_cases(q="qxfieldother")) == []
    assert ids(trc.list_cases(q="qxfieldnone")) == []
    assert ids(trc.list_cases(q="qxfieldown")) == [world["a"]]
    # The change feed too.
    assert world["b"] not in ids(trc.list_cases(since_id=world["a"] - 1))
    # A team filter naming another team is refused, the own team's works.
    r = trc.get("/api/v1/cases", params={"team": world["juai"]})
    assert r.status == 403 and r.code == "forbidden", r
    assert world["a"] in ids(trc.list_cases(team=world["paringin"]))
    # The desk still sees everything of the agency.
    desk = ids(world["admin"].list_cases(limit=200))
    assert {world["a"], world["b"], world["c"]} <= set(desk)


def test_the_csv_export_is_not_for_field_officers(server, world):
    trc = login(server, "trc.satpolpp")
    for params in ({}, {"agency": 1}, {"team": world["paringin"]},
                   {"columns": "id,tracking_code"}):
        r = trc.get("/api/v1/cases/export.csv", params=params)
        assert r.status == 403 and r.code == "forbidden", (params, r)
        assert b"qxfield" not in r.body


def test_another_teams_case_stays_closed(server, world):
    trc = login(server, "trc.satpolpp")
    b = world["b"]
    for path in ("/api/v1/cases/%d" % b, "/api/v1/cases/%d/conversation" % b,
                 "/api/v1/cases/%d/messages" % b, "/api/v1/attachments/%d" % world["b_photo"]):
        r = trc.get(path)
        assert r.status == 403 and r.code == "forbidden", (path, r)
        assert PHONE_B[1:] not in r.body.decode() and b"qxfieldother" not in r.body
    # Nor may the officer add to it or move it.
    before = world["admin"].case(b)
    r = trc.post("/api/v1/cases/%d/attachments" % b, body=JPEG, content_type="image/jpeg")
    assert r.status == 403, r
    assert trc.transition(b, "start").status == 403
    after = world["admin"].case(b)
    assert after["status"] == before["status"] and after["attachments"] == before["attachments"]
    # Another agency's case, as before.
    assert trc.get("/api/v1/cases/%d" % world["d"]).status == 403
    # An unknown case is still a 404.
    assert trc.get("/api/v1/cases/999999").status == 404


def test_the_reporters_phone_only_while_the_team_holds_the_case(server, world):
    trc = login(server, "trc.satpolpp")
    a = world["a"]
    mine = trc.case(a)
    assert mine["reporter"]["phone"] == "62" + PHONE_A[1:]
    listed = [x for x in trc.list_cases(limit=200)["items"] if x["id"] == a][0]
    assert listed["reporter"]["phone"] == "62" + PHONE_A[1:]
    assert trc.get("/api/v1/attachments/%d" % world["a_photo"]).status == 200
    trc.act(a, "start")
    assert trc.case(a)["reporter"]["phone"] == "62" + PHONE_A[1:]
    trc.act(a, "resolve", public_note="Lapak sudah ditertibkan")
    world["admin"].act(a, "close")
    # Closed: the case stays visible to the team, the reporter does not.
    closed = trc.case(a)
    assert closed["status"] == "closed" and "reporter" not in closed
    assert PHONE_A[1:] not in trc.get("/api/v1/cases/%d" % a).body.decode()
    listed = [x for x in trc.list_cases(limit=200)["items"] if x["id"] == a][0]
    assert "reporter" not in listed
    assert trc.get("/api/v1/cases/%d/conversation" % a).status == 403
    # The desk keeps seeing it.
    assert world["admin"].case(a)["reporter"]["phone"] == "62" + PHONE_A[1:]


def test_open_emergencies_of_the_agency_without_the_reporter(server, world):
    damkar = world["damkar"]
    paringin_crew, batumandi = login(server, "regu.damkar"), login(server, "regu.batumandi")
    fire = damkar.create_case(category_id=damkar.category_id("kebakaran"),
                              description="Kebakaran qxfieldopen rumah warga",
                              reporter={"name": "Warga E", "phone": PHONE_E})["id"]
    bm = damkar.team_id("Regu Damkar Batu Mandi")
    c = damkar.case(fire)
    if c["status"] == "received":
        damkar.act(fire, "dispatch", team_id=bm)
    elif c["team"]["id"] != bm:
        login(server, "kasi.damkar").act(fire, "dispatch", team_id=bm)
    # The crew it went to sees the reporter; another crew of the agency sees the
    # open emergency, without the reporter.
    assert batumandi.case(fire)["reporter"]["phone"] == "62" + PHONE_E[1:]
    other = paringin_crew.case(fire)
    assert other["kind"] == "emergency" and "reporter" not in other
    assert fire in ids(paringin_crew.list_cases(limit=200))
    assert paringin_crew.get("/api/v1/cases/%d/conversation" % fire).status == 403
    # A TRC officer of Satpol PP does not see Damkar's emergencies.
    assert login(server, "trc.satpolpp").get("/api/v1/cases/%d" % fire).status == 403
    # Once resolved it is no longer open: closed to the other crew.
    batumandi.act(fire, "start")
    batumandi.act(fire, "resolve", public_note="Api padam")
    assert paringin_crew.get("/api/v1/cases/%d" % fire).status == 403
    assert fire not in ids(paringin_crew.list_cases(limit=200))
    assert fire in ids(batumandi.list_cases(limit=200))


# ---- the field card ----------------------------------------------------------------


def test_the_field_card_shows_the_dispatch_instruction(server, world):
    admin, kabid = world["admin"], world["kabid"]
    trc = login(server, "trc.satpolpp")
    cid = complaint(admin, "Parkir liar qxfieldcard di bahu jalan", "081311110005")["id"]
    admin.act(cid, "verify")
    kabid.act(cid, "dispatch", team_id=world["paringin"], note=INSTRUCTION)
    j = trc.get("/api/v1/me/tasks").json
    assert [t["name"] for t in j["teams"]] == ["TRC Pos Paringin"]
    card = [x for x in j["items"] if x["id"] == cid][0]
    assert card["instruction"]["note"] == INSTRUCTION
    assert card["instruction"]["by"] == "Kepala Bidang Trantibum"
    assert card["reporter"]["phone"] == "6281311110005"
    assert all(x["team"]["id"] == world["paringin"] for x in j["items"])
    assert world["b"] not in [x["id"] for x in j["items"]]
    # Without a note there is no instruction; a re-dispatch shows the newest.
    trc.act(cid, "start")
    assert [x for x in trc.get("/api/v1/me/tasks").json["items"]
            if x["id"] == cid][0]["status"] == "in_progress"
    # Someone with no team gets an empty card.
    empty = login(server, "admin.satpolpp").get("/api/v1/me/tasks").json
    assert empty["items"] == [] and empty["resolved_today"] == [] and empty["teams"] == []


def test_resolved_today_lists_the_teams_resolutions(server, world):
    admin, kabid = world["admin"], world["kabid"]
    trc = login(server, "trc.satpolpp")
    mine = complaint(admin, "Pedagang qxfieldtoday di trotoar", "081311110006")["id"]
    other = complaint(admin, "Pedagang qxfieldjuai di trotoar", "081311110007")["id"]
    for cid, team in ((mine, world["paringin"]), (other, world["juai"])):
        admin.act(cid, "verify")
        kabid.act(cid, "dispatch", team_id=team)
        kabid.act(cid, "start")
        kabid.act(cid, "resolve", public_note="Selesai hari ini")
    j = trc.get("/api/v1/me/tasks").json
    done = [x["id"] for x in j["resolved_today"]]
    assert mine in done and other not in done
    row = [x for x in j["resolved_today"] if x["id"] == mine][0]
    assert row["status"] == "resolved" and row["team"]["name"] == "TRC Pos Paringin"
    assert j["timezone"] == "Asia/Makassar" and re.match(r"^\d{4}-\d{2}-\d{2}$", j["today"])
    # Closed the same day: still resolved today.
    admin.act(mine, "close")
    assert mine in [x["id"] for x in trc.get("/api/v1/me/tasks").json["resolved_today"]]


def db_exec(srv, statements):
    url = srv.extra_env.get("ADUAN_DATABASE_URL")
    if not url:
        db = sqlite3.connect(srv.db_path, timeout=10)
        try:
            for s in statements:
                db.execute(s)
            db.commit()
        finally:
            db.close()
        return
    psql = os.path.join(os.environ["ADUAN_TEST_PG_BIN"], "psql")
    for s in statements:
        subprocess.run([psql, url, "-v", "ON_ERROR_STOP=1", "-q", "-c", s], check=True,
                       capture_output=True)


def test_today_is_the_agencys_day_not_utcs(server, world):
    """Resolutions just before and just after the agency's local midnight (WITA,
    UTC+8): only the second is today's. Whatever the hour the test runs, a day
    counted in UTC gets one of the two wrong."""
    admin, kabid = world["admin"], world["kabid"]
    trc = login(server, "trc.satpolpp")
    before = complaint(admin, "Pedagang qxfieldeve di trotoar", "081311110008")["id"]
    after = complaint(admin, "Pedagang qxfieldmorn di trotoar", "081311110010")["id"]
    for cid in (before, after):
        admin.act(cid, "verify")
        kabid.act(cid, "dispatch", team_id=world["paringin"])
    now = int(time.time())
    offset = 8 * 3600
    midnight = (now + offset) // 86400 * 86400 - offset
    pg = bool(server.extra_env.get("ADUAN_DATABASE_URL"))
    rows = []
    for cid, at in ((before, midnight - 60), (after, midnight + 1)):
        rows.append(
            "INSERT INTO case_events (case_id, seq, action, from_status, to_status, actor_id,"
            " note, is_public, created_at) SELECT %d, MAX(seq) + 1, 'resolve', 'in_progress',"
            " 'resolved', NULL, 'x', %s, %d FROM case_events WHERE case_id = %d"
            % (cid, "FALSE" if pg else "0", at, cid))
        rows.append("UPDATE cases SET updated_at = %d WHERE id = %d" % (now, cid))
    db_exec(server, rows)
    done = [x["id"] for x in trc.get("/api/v1/me/tasks").json["resolved_today"]]
    assert after in done and before not in done
