"""Evidence on the case page (issue 18), on both engines: every view of a
reporter's identity document (a service request's KTP/KK/akta uploads),
thumbnail, full view or download, is written to the access log by the
server on the attachment's GET; the case's access log is for the agency's
admin only (403 for the kepala bidang, the field officer, the pimpinan and
another agency's admin); pictures and PDF are sent inline and may be
framed by our own pages only, anything else never; bad input is refused
and writes nothing."""

from aduan_e2e import Client, fixture_image, wait_until
from test_service import find_case, request_birth_certificate, stored
from wa_helpers import desk  # noqa: F401 (a fixture)

JPEG = fixture_image("exif-gps.jpg")


def login(srv, who):
    c = Client(srv.port)
    assert c.login(who).status == 200, who
    return c


def access_log(client, cid, identity=True):
    r = client.get("/api/v1/cases/%d/access-log%s" % (cid, "?identity=1" if identity else ""))
    assert r.status == 200, r
    return r.json["items"]


def test_identity_document_views_are_logged_and_shown_to_admins(desk):
    srv, graph = desk
    _, code, _ = request_birth_certificate(srv, graph, "6281377000801")
    admin = login(srv, "admin.dukcapil")
    cid = find_case(admin, code)
    assert wait_until(lambda: stored(admin, cid, 3), 20)
    atts = admin.get("/api/v1/cases/%d" % cid).json["attachments"]
    photo = [a for a in atts if a["mime"].startswith("image/")][0]
    pdf = [a for a in atts if a["mime"] == "application/pdf"][0]
    assert access_log(admin, cid) == []

    # A thumbnail in the chat, the lightbox, the PDF preview, a download.
    seen = []
    for att, query, view in ((photo, "?view=thumb", "thumb"), (photo, "?view=full", "full"),
                             (pdf, "", "full"), (pdf, "?download=1", "download")):
        r = admin.get("/api/v1/attachments/%d%s" % (att["id"], query))
        assert r.status == 200, r
        assert r.header("X-Content-Type-Options") == "nosniff"
        disp = r.header("Content-Disposition")
        if view == "download":
            assert disp == 'attachment; filename="lampiran-%d.pdf"' % att["id"], disp
            assert r.header("X-Frame-Options") == "DENY"
        else:
            assert disp.startswith("inline; filename=\"lampiran-%d." % att["id"]), disp
            # Framed by our own case page only (the preview), by no one else.
            assert r.header("X-Frame-Options") == "SAMEORIGIN"
            csp = r.header("Content-Security-Policy")
            assert "frame-ancestors 'self'" in csp and "script-src" not in csp, csp
        seen.append((att["id"], view))
    log = access_log(admin, cid)
    assert [(e["attachment_id"], e["view"]) for e in reversed(log)] == seen
    assert {e["login"] for e in log} == {"admin.dukcapil"}
    assert {e["action"] for e in log} == {"identity_document_view"}
    assert all(e["at"] for e in log)
    # The superadmin's audit log has them too, with the case.
    sa = login(srv, "superadmin")
    audit = sa.get("/api/v1/admin/audit?action=identity_document_view&case=%d" % cid).json
    assert len(audit["items"]) == 4 and audit["items"][0]["target"] == "attachment:%d" % pdf["id"]
    # The whole log of the case holds the other reads of the reporter too.
    assert "reporter_read" in {e["action"] for e in access_log(admin, cid, identity=False)}
    assert len(access_log(sa, cid)) == 4
    # The request file's own download route is an identity view as well,
    # with the file it sent.
    r = admin.get("/api/v1/cases/%d/service/file?attachment=%d" % (cid, pdf["id"]))
    assert r.status == 200, r
    log = access_log(admin, cid)
    assert len(log) == 5 and log[0]["action"] == "identity_document_read"
    assert (log[0]["attachment_id"], log[0]["view"]) == (pdf["id"], "download")

    # Bad input: refused, and nothing written.
    for q in ("?view=big", "?view=THUMB", "?download=2", "?download=yes"):
        r = admin.get("/api/v1/attachments/%d%s" % (photo["id"], q))
        assert r.status == 400, (q, r)
        assert r.json["error"]["detail"].split(":")[0] in ("view", "download"), r.json
    for q in ("?identity=2", "?before=x", "?before=-1"):
        assert admin.get("/api/v1/cases/%d/access-log%s" % (cid, q)).status == 400, q
    assert len(access_log(admin, cid)) == 5
    # Someone else's agency: neither the file nor the log.
    other = login(srv, "admin.satpolpp")
    assert other.get("/api/v1/attachments/%d?view=thumb" % photo["id"]).status == 403
    assert other.get("/api/v1/cases/%d/access-log" % cid).status == 403
    assert len(access_log(admin, cid)) == 5


def test_the_access_log_is_for_admins_and_other_files_are_not_logged(desk):
    srv, _ = desk
    admin = login(srv, "admin.satpolpp")
    cats = admin.get("/api/v1/categories").json["items"]
    pkl = [c for c in cats if c["code"] == "pkl"][0]["id"]
    c = admin.request("POST", "/api/v1/cases", json={
        "category_id": pkl, "description": "Lapak di trotoar qxevidence",
        "reporter": {"name": "Warga Uji", "phone": "081377100801"}}).json
    r = admin.request("POST", "/api/v1/cases/%d/attachments" % c["id"], body=JPEG,
                      content_type="image/jpeg")
    assert r.status == 201, r
    att = [a for a in admin.get("/api/v1/cases/%d" % c["id"]).json["attachments"]][0]
    r = admin.get("/api/v1/attachments/%d?view=thumb" % att["id"])
    assert r.status == 200 and r.header("Content-Disposition").startswith("inline;")
    # A complaint's photo is evidence, not an identity document.
    assert access_log(admin, c["id"]) == []
    assert access_log(login(srv, "superadmin"), c["id"]) == []
    # The kepala bidang, the field officer and the pimpinan: 403, with the reason.
    for who in ("kabid.satpolpp", "trc.satpolpp", "pimpinan.satpolpp"):
        r = login(srv, who).get("/api/v1/cases/%d/access-log" % c["id"])
        assert r.status == 403, (who, r)
    r = login(srv, "kabid.satpolpp").get("/api/v1/cases/%d/access-log" % c["id"],
                                         headers={"Accept-Language": "id"})
    assert "hanya admin instansi" in r.json["error"]["detail"], r.json
    assert Client(srv.port).get("/api/v1/cases/%d/access-log" % c["id"]).status == 401


def test_a_file_marked_as_identity_document_is_logged(desk):
    """A KTP photo sent in a complaint's chat: the desk marks it, and from
    then on each view of it is on the access log; unmarked, no more."""
    srv, _ = desk
    admin = login(srv, "admin.satpolpp")
    cats = admin.get("/api/v1/categories").json["items"]
    pkl = [c for c in cats if c["code"] == "pkl"][0]["id"]
    c = admin.request("POST", "/api/v1/cases", json={
        "category_id": pkl, "description": "Lapak qxktp di trotoar",
        "reporter": {"name": "Warga Uji", "phone": "081377100802"}}).json
    assert admin.request("POST", "/api/v1/cases/%d/attachments" % c["id"], body=JPEG,
                         content_type="image/jpeg").status == 201
    att = admin.get("/api/v1/cases/%d" % c["id"]).json["attachments"][0]
    assert att["identity"] is False
    url = "/api/v1/attachments/%d/identity" % att["id"]
    # Bad input: refused, nothing changed, nothing logged.
    for body in ({}, {"identity": "ya"}, {"identity": 1}, {"identity": None}):
        r = admin.request("PUT", url, json=body)
        assert r.status == 400 and "identity" in r.json["error"]["detail"], (body, r)
    assert admin.request("PUT", url, body=b"identity=1",
                         content_type="application/x-www-form-urlencoded").status == 415
    for who in ("trc.satpolpp", "pimpinan.satpolpp", "admin.damkar"):
        assert login(srv, who).request("PUT", url, json={"identity": True}).status == 403, who
    assert admin.get("/api/v1/cases/%d" % c["id"]).json["attachments"][0]["identity"] is False
    admin.get("/api/v1/attachments/%d?view=thumb" % att["id"])
    assert access_log(admin, c["id"]) == []

    # The kepala bidang marks it: its views are logged from now on.
    kabid = login(srv, "kabid.satpolpp")
    r = kabid.request("PUT", url, json={"identity": True})
    assert r.status == 200 and r.json == {"id": att["id"], "identity": True, "marked": True}, r
    assert admin.get("/api/v1/cases/%d" % c["id"]).json["attachments"][0]["identity"] is True
    assert admin.get("/api/v1/attachments/%d?view=full" % att["id"]).status == 200
    log = access_log(admin, c["id"])
    assert [(e["attachment_id"], e["view"], e["login"]) for e in log] == \
        [(att["id"], "full", "admin.satpolpp")]
    every = access_log(admin, c["id"], identity=False)
    assert [e["login"] for e in every if e["action"] == "identity_document_mark"] == \
        ["kabid.satpolpp"]
    # Unmarked: no more entries.
    r = admin.request("PUT", url, json={"identity": False})
    assert r.status == 200 and r.json["identity"] is False
    admin.get("/api/v1/attachments/%d?view=full" % att["id"])
    assert len(access_log(admin, c["id"])) == 1


def test_a_service_request_file_stays_an_identity_document(desk):
    srv, graph = desk
    _, code, _ = request_birth_certificate(srv, graph, "6281377000802")
    admin = login(srv, "admin.dukcapil")
    cid = find_case(admin, code)
    assert wait_until(lambda: stored(admin, cid, 3), 20)
    atts = admin.get("/api/v1/cases/%d" % cid).json["attachments"]
    assert atts and all(a["identity"] for a in atts)
    r = admin.request("PUT", "/api/v1/attachments/%d/identity" % atts[0]["id"],
                      json={"identity": False})
    assert r.status == 200 and r.json == {"id": atts[0]["id"], "identity": True,
                                          "marked": False}, r
