"""The dashboard's API (src/http/dash.c): the actions a user may take on a
case, the WhatsApp thread with its 24-hour window, attachments served to
staff, officers' photos, and the user's teams. Both engines."""

import hashlib
import re
import time

from aduan_e2e import Client, Server, fixture_image, png_image
from wa_helpers import desk, Citizen, choices, superadmin, text_of  # noqa: F401

# Real pictures: aduan stores them decoded and encoded again (core/image.c).
JPEG = fixture_image("exif-gps.jpg")  # with EXIF: camera, GPS, a comment with a phone number
PNG = png_image("officer", 12, 10)


def login(srv, name):
    c = Client(srv.port)
    assert c.login(name).status == 200
    return c


def actions(c, case_id):
    return [a["action"] for a in c.case(case_id)["actions"]]


def report_over_whatsapp(srv, graph, wa_id, photo=JPEG):
    w = Citizen(srv, graph, wa_id, name="Sari")
    w.text("halo")
    w.tap("menu:report")
    cats = w.tap("consent:yes", button=True)[0]
    w.tap([c for c in choices(cats) if c.startswith("cat:")][0])
    w.text("Keributan <b>malam</b> di depan pasar")
    w.say("location", lat=-2.3361, lon=115.4668, address="Jl. A. Yani")
    m, _ = graph.add_media(photo, "image/jpeg")
    w.say("image", media_id=m)
    w.tap("photos:next", button=True)
    done = text_of(w.tap("confirm:send", button=True)[0])
    code = re.search(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*", done).group(1)
    sa = superadmin(srv)
    for c in sa.all_cases():
        if c["tracking_code"] == code:
            return w, c["id"]
    raise AssertionError("case %s not found" % code)


def wait_stored(c, case_id):
    for _ in range(100):
        atts = c.case(case_id)["attachments"]
        if atts and all(a["state"] == "stored" for a in atts):
            return atts
        time.sleep(0.1)
    raise AssertionError("attachments not stored: %r" % atts)


def test_actions_follow_the_role_and_the_state(desk):
    srv, _ = desk
    admin, kabid, trc, viewer = (login(srv, n) for n in
                                 ("admin.satpolpp", "kabid.satpolpp", "trc.satpolpp",
                                  "pimpinan.satpolpp"))
    case = admin.create_case(category_id=admin.category_id("pkl"), description="PKL di trotoar")
    cid = case["id"]
    assert actions(admin, cid) == ["verify", "reject", "hold", "forward"]
    assert actions(viewer, cid) == []
    # A field officer does not see a case before it is their team's (issue 13).
    assert trc.get("/api/v1/cases/%d" % cid).status == 403
    a = admin.case(cid)["actions"][1]
    assert a == {"action": "reject", "label": "Tolak", "to": "rejected", "needs_note": False,
                 "needs_public_note": True, "public": True, "needs_team": False,
                 "needs_agency": False}
    en = admin.get("/api/v1/cases/%d" % cid, lang="en").json["actions"][0]
    assert en["label"] == "Verify"
    admin.act(cid, "verify")
    assert actions(admin, cid) == ["hold"]
    assert actions(kabid, cid) == ["dispatch", "reject", "hold", "forward"]
    assert next(x for x in kabid.case(cid)["actions"] if x["action"] == "dispatch")["needs_team"]
    kabid.act(cid, "dispatch", team_id=kabid.team_id("TRC Pos Juai"))
    assert trc.get("/api/v1/cases/%d" % cid).status == 403  # not trc.satpolpp's team
    kabid.act(cid, "dispatch", team_id=kabid.team_id("TRC Pos Paringin"))
    assert actions(trc, cid) == ["start"]
    assert actions(admin, cid) == []
    trc.act(cid, "start")
    assert actions(trc, cid) == ["resolve"]
    # What the list says is what the server accepts: the viewer may do nothing.
    assert viewer.transition(cid, "resolve", public_note="x").status == 403


def test_the_thread_of_a_whatsapp_case(desk):
    srv, graph = desk
    w, cid = report_over_whatsapp(srv, graph, "6281234588001")
    admin = login(srv, "admin.satpolpp")
    atts = wait_stored(admin, cid)
    r = admin.get("/api/v1/cases/%d/conversation" % cid)
    assert r.status == 200, r
    conv = r.json
    assert conv["chat"] is True and conv["window_open"] is True and conv["can_reply"] is True
    assert conv["window_closes_at"] > conv["last_inbound_at"]
    items = conv["items"]
    ins = [i for i in items if i["dir"] == "in"]
    outs = [i for i in items if i["dir"] == "out"]
    assert ins[0]["text"] == "halo" and ins[0]["type"] == "text"
    assert any(i["text"] == "Keributan <b>malam</b> di depan pasar" for i in ins)
    loc = next(i for i in ins if i["type"] == "location")
    assert loc["location"] == {"lat": -2.3361, "lon": 115.4668}
    img = next(i for i in ins if i["type"] == "image")
    assert img["attachment_id"] == atts[0]["id"]
    assert outs and all(o["state"] in ("pending", "sent") for o in outs)
    assert any(o["text"] and "Satpol PP" in o["text"] for o in outs)
    # Oldest first, each inbound message before the answer to it.
    assert items[0]["dir"] == "in" and items[1]["dir"] == "out"
    assert [i["at"] for i in items] == sorted(i["at"] for i in items)
    # An operator's reply shows in the thread, with its delivery state.
    assert admin.post("/api/v1/cases/%d/messages" % cid, json={"text": "Kami cek"}).status == 202
    for _ in range(100):
        items = admin.get("/api/v1/cases/%d/conversation" % cid).json["items"]
        mine = [i for i in items if i["dir"] == "out" and i["type"] == "operator"]
        if mine and mine[0]["state"] == "sent":
            break
        time.sleep(0.1)
    assert mine[0]["text"] == "Kami cek" and mine[0]["delivery"] in ("accepted", "sent")
    # The reporter's words are for the agency's desk and field, not others.
    assert login(srv, "pimpinan.satpolpp").get("/api/v1/cases/%d/conversation" % cid).status == 403
    r = login(srv, "admin.damkar").get("/api/v1/cases/%d/conversation" % cid)
    assert r.status == 403 and r.code == "forbidden"
    assert admin.get("/api/v1/cases/999999/conversation").status == 404
    trc = login(srv, "trc.satpolpp")
    # Not the officer's team's case (issue 13; tests/e2e/test_field_scope.py).
    assert trc.get("/api/v1/cases/%d/conversation" % cid).status == 403


def test_a_walk_in_case_has_no_thread(desk):
    srv, _ = desk
    admin = login(srv, "admin.satpolpp")
    cid = admin.create_case(category_id=admin.category_id("pkl"), description="Datang langsung")["id"]
    conv = admin.get("/api/v1/cases/%d/conversation" % cid).json
    assert conv == {"chat": False, "channel": None, "via_consent": False, "window_open": False,
                    "last_inbound_at": None, "window_closes_at": None, "can_reply": False,
                    "items": [], "other_cases": []}


def test_attachments_are_served_to_the_agency_only(desk):
    srv, graph = desk
    photo = JPEG
    _, cid = report_over_whatsapp(srv, graph, "6281234588002", photo=photo)
    admin = login(srv, "admin.satpolpp")
    att = wait_stored(admin, cid)[0]
    r = admin.get("/api/v1/attachments/%d" % att["id"])
    # The picture, encoded again: its metadata did not travel on.
    assert r.status == 200 and r.body[:3] == b"\xff\xd8\xff" and r.body != photo
    assert hashlib.sha256(r.body).hexdigest() == att["sha256"] and len(r.body) == att["size"]
    for secret in (b"PhoneCam", b"0812-3456-7890", b"\x88\x25"):
        assert secret in photo and secret not in r.body, secret
    assert r.header("Content-Type") == "image/jpeg"
    assert r.header("Cache-Control") == "no-store"
    assert r.header("X-Content-Type-Options") == "nosniff"
    assert login(srv, "admin.damkar").get("/api/v1/attachments/%d" % att["id"]).status == 403
    assert login(srv, "pimpinan.satpolpp").get("/api/v1/attachments/%d" % att["id"]).status == 403
    assert admin.get("/api/v1/attachments/999999").status == 404
    assert Client(srv.port).get("/api/v1/attachments/%d" % att["id"]).status == 401


def test_officer_photos(desk):
    srv, _ = desk
    admin, kabid, trc = (login(srv, n) for n in ("admin.satpolpp", "kabid.satpolpp",
                                                  "trc.satpolpp"))
    cid = admin.create_case(category_id=admin.category_id("pkl"), description="Lapak liar")["id"]
    admin.act(cid, "verify")
    kabid.act(cid, "dispatch", team_id=kabid.team_id("TRC Pos Juai"))
    path = "/api/v1/cases/%d/attachments" % cid

    def up(c, body=JPEG, ct="image/jpeg", **kw):
        return c.post(path, json=None, body=body, content_type=ct, **kw)

    # Not the officer's team yet.
    assert up(trc).status == 403
    kabid.act(cid, "dispatch", team_id=kabid.team_id("TRC Pos Paringin"))
    before = admin.case(cid)
    # Bad uploads change nothing.
    assert up(trc, body=b"GIF89a....").status == 400                      # not an image we take
    assert up(trc, body=PNG, ct="image/jpeg").status == 400               # type and bytes differ
    # The first bytes of a JPEG and nothing else, a script behind them, half
    # a photo: refused, with the reason in Indonesian (English on request).
    for fake in (b"\xff\xd8\xff", b"\xff\xd8\xff\xe0<?php system($_GET[1]); ?>",
                 JPEG[:len(JPEG) // 2]):
        r = up(trc, body=fake)
        assert r.status == 400 and r.code == "invalid", r
        assert "rusak" in r.json["error"]["detail"], r
    r = up(trc, body=b"\xff\xd8\xff", lang="en")
    assert "damaged" in r.json["error"]["detail"], r
    # A header that claims a giant picture: 413 before any pixel is decoded.
    bomb = bytearray(fixture_image("gray.jpg"))
    sof = bomb.index(b"\xff\xc0")
    bomb[sof + 5:sof + 9] = bytes([60000 >> 8, 60000 & 0xff] * 2)
    r = up(trc, body=bytes(bomb))
    assert r.status == 413 and "megapiksel" in r.json["error"]["detail"], r
    assert up(trc, ct="text/plain").status == 415
    assert up(trc, ct=None).status == 415
    assert up(trc, csrf=False).status == 403
    big = up(trc, body=b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024))
    assert big.status == 413, big
    assert up(login(srv, "pimpinan.satpolpp")).status == 403
    assert up(login(srv, "admin.damkar")).status == 403
    assert trc.post("/api/v1/cases/999999/attachments", json=None, body=JPEG,
                    content_type="image/jpeg").status == 404
    bad = trc.post(path + "?note=%ff", json=None, body=JPEG, content_type="image/jpeg")
    assert bad.status == 400 and bad.code == "bad_utf8"
    after = admin.case(cid)
    assert after["attachments"] == before["attachments"] and after["events"] == before["events"]
    # A good one: stored by content, recorded with an event, readable back.
    r = up(trc, body=PNG, ct="image/png; charset=binary")
    assert r.status == 201, r
    assert r.json["mime"] == "image/png" and r.json["source"] == "officer"
    c = admin.case(cid)
    assert c["status"] == "dispatched"
    att = c["attachments"][-1]
    assert att["id"] == r.json["id"] and att["state"] == "stored" and att["source"] == "officer"
    ev = c["events"][-1]
    assert ev["action"] == "attachment" and ev["public"] is False
    assert ev["actor_name"] == "Anggota TRC Paringin"
    got = login(srv, "pimpinan.satpolpp").get("/api/v1/attachments/%d" % att["id"])
    assert got.status == 200  # the officer's photo is not personal data
    assert got.body[:8] == PNG[:8] and len(got.body) == r.json["size"]
    assert hashlib.sha256(got.body).hexdigest() == r.json["sha256"]
    # A phone's JPEG: stored without its EXIF (GPS, camera) and comment.
    r = up(trc, body=JPEG)
    assert r.status == 201 and r.json["mime"] == "image/jpeg", r
    got = admin.get("/api/v1/attachments/%d" % r.json["id"]).body
    assert got[:3] == b"\xff\xd8\xff" and b"PhoneCam" not in got and b"0812" not in got
    webp = fixture_image("lossy.webp")
    r = up(admin, body=webp, ct="image/webp")
    assert r.status == 201 and r.json["mime"] == "image/webp", r
    # A finished case takes no more files.
    trc.act(cid, "start")
    trc.act(cid, "resolve", public_note="beres")
    admin.act(cid, "close")
    assert up(admin).status == 409


def test_my_teams(desk):
    srv, _ = desk
    trc = login(srv, "trc.satpolpp")
    assert [t["name"] for t in trc.get("/api/v1/me/teams").json["items"]] == ["TRC Pos Paringin"]
    assert login(srv, "admin.satpolpp").get("/api/v1/me/teams").json["items"] == []
    assert Client(srv.port).get("/api/v1/me/teams").status == 401


def test_the_root_serves_the_dashboard(desk):
    srv, _ = desk
    c = Client(srv.port)
    for path in ("/", "/app/", "/app"):
        r = c.get(path)
        assert r.status == 200 and b'src="/app/app.js"' in r.body, path
        assert r.header("Content-Type").startswith("text/html")
        csp = r.header("Content-Security-Policy")
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert r.header("X-Frame-Options") == "DENY" and r.header("Cache-Control") == "no-store"
    for asset in ("app.js", "api.js", "case.js", "field.js", "inbox.js", "report.js", "util.js",
                  "i18n.js"):
        r = c.get("/app/" + asset)
        assert r.status == 200 and r.header("Content-Type").startswith("text/javascript"), asset
        assert b"innerHTML" not in r.body, asset


def test_the_field_app_is_installable(desk):
    """Issue 18: the manifest, the service worker (scope /app/) and the icons,
    with their types; the dashboard's policy lets the page use them."""
    srv, _ = desk
    c = Client(srv.port)
    r = c.get("/app/manifest.webmanifest")
    assert r.status == 200 and r.header("Content-Type").startswith("application/manifest+json")
    m = r.json
    assert m["scope"] == "/app/" and m["start_url"].startswith("/app/") and m["lang"] == "id"
    assert {"192x192", "512x512"} <= {i["sizes"] for i in m["icons"]}
    for icon in m["icons"]:
        assert c.get(icon["src"]).header("Content-Type") == icon["type"], icon
    r = c.get("/app/sw.js")
    assert r.status == 200 and r.header("Content-Type").startswith("text/javascript")
    assert b"innerHTML" not in r.body
    csp = c.get("/app/").header("Content-Security-Policy")
    assert "manifest-src 'self'" in csp and "worker-src 'self'" in csp, csp
    assert b'rel="manifest" href="/app/manifest.webmanifest"' in c.get("/").body


def test_map_tiles_are_configurable(desk, tmp_path):
    srv, _ = desk
    c = login(srv, "admin.satpolpp")
    assert c.get("/api/v1/dashboard/settings").json == {
        "tile_url": "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"}
    assert "img-src 'self' data: blob: https://*.tile.openstreetmap.org;" in \
        c.get("/").header("Content-Security-Policy")
    assert Client(srv.port).get("/api/v1/dashboard/settings").status == 401
    (tmp_path / "other").mkdir()
    other = Server(tmp_path / "other",
                   {"ADUAN_MAP_TILE_URL": "https://tiles.example.go.id/osm/{z}/{x}/{y}.png"})
    r = other.cli("migrate")
    assert r.returncode == 0, r.stderr
    for bad in ("ftp://t/{z}/{x}/{y}.png", "https://t.example/{z}/{x}.png",
                "https://t.example/{z}/{x}/{y}.png; script-src *", "https://a{s}.t/{z}/{x}/{y}",
                "https://{s}/{z}/{x}/{y}"):
        r = other.cli("migrate", ADUAN_MAP_TILE_URL=bad)
        assert r.returncode == 2 and "ADUAN_MAP_TILE_URL" in r.stderr, (bad, r.stderr)


def test_the_dashboard_csp_names_the_configured_tiles(tmp_path):
    srv = Server(tmp_path, {"ADUAN_MAP_TILE_URL": "http://127.0.0.1:9/t/{z}/{x}/{y}.png"})
    srv.init(demo=True)
    srv.start()
    try:
        c = login(srv, "admin.satpolpp")
        assert c.get("/api/v1/dashboard/settings").json["tile_url"] == \
            "http://127.0.0.1:9/t/{z}/{x}/{y}.png"
        for path in ("/", "/app/", "/app/app.js"):
            csp = c.get(path).header("Content-Security-Policy")
            assert "img-src 'self' data: blob: http://127.0.0.1:9;" in csp, csp
        # The simulator keeps its own policy.
        assert "openstreetmap" in c.get("/sim/").header("Content-Security-Policy")
    finally:
        assert not srv.stop()
