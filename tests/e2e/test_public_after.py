"""Issue 18: the officer's "after" photo on the public tracking page. When
the agency publishes photos (agencies.publish_photos, the admin setting),
the resolve step of /t/CODE shows the officer's photos taken for the result
(from the start of the work to the resolve step) as thumbnails linking to
/t/foto/{id}, which asks every rule again: never the reporter's photos,
never a rahasia case, never a service request, never before the agency
turns the setting on; an unknown id and one that is not public get the
same 404. The served file is the re-encoded one (no EXIF), with cache
headers. Both engines."""

import hashlib
import re
import time

from aduan_e2e import Client, fixture_image, http_request
from db_peek import sql

JPEG = fixture_image("exif-gps.jpg")  # EXIF: camera, GPS, a comment with a phone number
PNG = fixture_image("gray.jpg")


def login(srv, name):
    c = Client(srv.port)
    assert c.login(name).status == 200
    return c


def publish(admin, on):
    agency = admin.get("/api/v1/agencies").json["items"]
    aid = [a["id"] for a in agency if a["code"] == "satpolpp"][0]
    r = admin.request("PUT", "/api/v1/agencies/%d/settings" % aid, json={"publish_photos": on})
    assert r.status == 200 and r.json["publish_photos"] is on, r


def upload(who, cid, body=JPEG):
    r = who.post("/api/v1/cases/%d/attachments" % cid, json=None, body=body,
                 content_type="image/jpeg")
    assert r.status == 201, r
    return r.json["id"]


def worked_case(srv, rahasia=False):
    """A case a TRC officer handled: a photo before the work started, one
    for the result, the resolve step, and one after it. Returns (case,
    before, result, later) attachment ids."""
    admin, kabid, trc = (login(srv, n) for n in ("admin.satpolpp", "kabid.satpolpp",
                                                  "trc.satpolpp"))
    c = admin.create_case(category_id=admin.category_id("pkl"), channel="phone",
                          description="Lapak liar menutup trotoar", kecamatan_code="63.11.06",
                          rahasia=rahasia, reporter={"name": "Bu Rahmah", "phone": "0812-7777-1212"})
    admin.act(c["id"], "verify")
    kabid.act(c["id"], "dispatch", team_id=kabid.team_id("TRC Pos Paringin"))
    before = upload(trc, c["id"])
    time.sleep(1.1)  # event times are in seconds: the start comes after it
    trc.act(c["id"], "start", public_note="Petugas di lokasi")
    result = upload(trc, c["id"])
    trc.act(c["id"], "resolve", public_note="Lapak sudah ditertibkan")
    time.sleep(1.1)
    later = upload(trc, c["id"])
    return c, before, result, later


def public(srv, code, lang=None):
    h = {"Accept-Language": lang} if lang else {}
    r = http_request(srv.port, "GET", "/api/v1/public/cases/" + code, headers=h)
    assert r.status == 200, r
    return r.json


def photos_of(pub):
    return [p["id"] for it in pub["timeline"] for p in it.get("photos", [])]


def test_the_result_photo_is_shown_only_when_the_agency_publishes(server):
    admin = login(server, "admin.satpolpp")
    publish(admin, False)
    c, before, result, later = worked_case(server)
    code = c["tracking_code"]
    # Off: nothing on the page, the file is a 404.
    assert photos_of(public(server, code)) == []
    page = http_request(server.port, "GET", "/t/" + code).body.decode()
    assert "/t/foto/" not in page
    assert http_request(server.port, "GET", "/t/foto/%d" % result).status == 404

    publish(admin, True)
    try:
        pub = public(server, code)
        # Only the photo taken for the result, on the resolve step.
        assert photos_of(pub) == [result]
        [step] = [it for it in pub["timeline"] if it.get("photos")]
        assert step["status"] == "resolved" and step["photos"][0]["url"] == "/t/foto/%d" % result
        r = http_request(server.port, "GET", "/t/" + code)
        page = r.body.decode()
        assert ('<a class="after" href="/t/foto/%d"><img src="/t/foto/%d?ukuran=kecil"'
                % (result, result)) in page
        assert step["photos"][0]["thumb"] == "/t/foto/%d?ukuran=kecil" % result
        assert "Foto dari petugas" in page and "img-src 'self'" in r.headers["Content-Security-Policy"]
        en = http_request(server.port, "GET", "/t/" + code + "?lang=en").body.decode()
        assert "Photo of the result" in en
        # The file: the re-encoded photo (no EXIF), cached for a while.
        r = http_request(server.port, "GET", "/t/foto/%d" % result)
        assert r.status == 200 and r.headers["Content-Type"] == "image/jpeg", r
        assert r.body[:3] == b"\xff\xd8\xff" and b"PhoneCam" not in r.body and b"0812" not in r.body
        assert hashlib.sha256(r.body).hexdigest() != hashlib.sha256(JPEG).hexdigest()
        assert r.headers["Cache-Control"] == "public, max-age=600"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        # The thumbnail: a JPEG too, no larger, no EXIF, cached alike.
        t = http_request(server.port, "GET", "/t/foto/%d?ukuran=kecil" % result)
        assert t.status == 200 and t.headers["Content-Type"] == "image/jpeg", t
        assert t.body[:3] == b"\xff\xd8\xff" and len(t.body) <= len(r.body)
        assert b"PhoneCam" not in t.body and t.headers["Cache-Control"] == "public, max-age=600"
        # Another size is refused with the reason; nothing else is answered.
        bad = http_request(server.port, "GET", "/t/foto/%d?ukuran=besar" % result)
        assert bad.status == 400 and "kecil" in bad.json["error"]["detail"], bad
        assert bad.headers["Cache-Control"] == "no-store"
        assert http_request(server.port, "GET",
                            "/t/foto/%d?ukuran=kecil" % later).status == 404
        # The photos before the work and after the resolve step are not public.
        for aid in (before, later):
            assert http_request(server.port, "GET", "/t/foto/%d" % aid).status == 404
        # The reporter's photo of the same case: never, even in the window.
        t = sql(server, "SELECT created_at, sha256 FROM attachments WHERE id = ?", (result,))[0]
        sql(server, "INSERT INTO attachments (case_id, sha256, mime, size_bytes, source, state,"
            " created_at) VALUES (?, ?, 'image/jpeg', 10, 'citizen', 'stored', ?)",
            (c["id"], t[1], int(t[0])))
        [[cit]] = sql(server, "SELECT MAX(id) FROM attachments WHERE case_id = ?", (c["id"],))
        assert http_request(server.port, "GET", "/t/foto/%s" % cit).status == 404
        assert photos_of(public(server, code)) == [result]
        # Unknown and malformed ids: the same 404, no cache header.
        for bad in ("999999", "0", "01", "-1", "1x", "99999999999999999999"):
            r = http_request(server.port, "GET", "/t/foto/" + bad)
            assert r.status == 404 and r.headers["Cache-Control"] == "no-store", (bad, r)
        miss = http_request(server.port, "GET", "/t/foto/999999")
        hidden = http_request(server.port, "GET", "/t/foto/%d" % later)
        assert miss.body == hidden.body
    finally:
        publish(admin, False)
    # Off again: gone at once from the page and the route.
    assert photos_of(public(server, code)) == []
    assert http_request(server.port, "GET", "/t/foto/%d" % result).status == 404


def test_never_for_a_rahasia_case_or_a_service_request(server):
    admin = login(server, "admin.satpolpp")
    publish(admin, True)
    try:
        c, _, result, _ = worked_case(server, rahasia=True)
        assert photos_of(public(server, c["tracking_code"])) == []
        assert http_request(server.port, "GET", "/t/foto/%d" % result).status == 404
        # The same case as a service request: not shown either.
        c2, _, result2, _ = worked_case(server)
        assert http_request(server.port, "GET", "/t/foto/%d" % result2).status == 200
        sql(server, "UPDATE cases SET kind = 'service' WHERE id = ?", (c2["id"],))
        assert http_request(server.port, "GET", "/t/foto/%d" % result2).status == 404
        sql(server, "UPDATE cases SET kind = 'complaint' WHERE id = ?", (c2["id"],))
    finally:
        publish(admin, False)


def test_never_a_photo_the_desk_marked_as_an_identity_document(server):
    """An officer who photographed the reporter's KTP during the work: once
    the desk marks that file as an identity document, the public page and
    /t/foto/{id} never show it (its views are for the access log)."""
    admin = login(server, "admin.satpolpp")
    publish(admin, True)
    try:
        c, _, result, _ = worked_case(server)
        assert http_request(server.port, "GET", "/t/foto/%d" % result).status == 200
        r = admin.request("PUT", "/api/v1/attachments/%d/identity" % result,
                          json={"identity": True})
        assert r.status == 200, r
        assert photos_of(public(server, c["tracking_code"])) == []
        assert http_request(server.port, "GET", "/t/foto/%d" % result).status == 404
        assert http_request(server.port, "GET",
                            "/t/foto/%d?ukuran=kecil" % result).status == 404
    finally:
        publish(admin, False)


def test_the_admin_setting_says_whose_responsibility_faces_are(server):
    r = http_request(server.port, "GET", "/admin/open311.js")
    if r.status != 200:
        r = http_request(server.port, "GET", "/admin/js/open311.js")
    body = r.body.decode()
    assert "Wajah dan pelat nomor" in body and "tanggung jawab petugas" in body
    assert "Faces and number plates" in body and "officer\\'s responsibility" in body
    assert re.search(r"card\.append\(h, label, help, duty\)", body)
