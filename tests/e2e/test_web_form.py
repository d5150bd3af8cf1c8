"""Issue 16 §1: the public web form /lapor and /lapor/{agency}. A plain
multipart form that works without JavaScript: a report with text, location
and a photo becomes a case with channel 'web' (the same intake as every
channel), its photo an attachment without EXIF, and the page shows the
tracking code and its link. Bad input is refused with a clear page that
keeps what the citizen typed and changes nothing: a fake image, the
honeypot, missing fields, an oversized body, invalid UTF-8, the proof of
work or the question missing or wrong, and too many posts from one
address."""

import hashlib
import html
import itertools
import re
import uuid

from aduan_e2e import fixture_image, http_request, png_image
from wa_helpers import desk  # noqa: F401 (a fixture: a server before a fake Graph API)

SERVER_ENV = {"ADUAN_TRUSTED_PROXIES": "127.0.0.1"}
JPEG = fixture_image("exif-gps.jpg")  # EXIF: camera, GPS, a comment with a phone number
TEXT = "Lampu jalan mati sejak seminggu di depan masjid qxwebform"
_client = itertools.count(1)


def ip():
    return "198.51.100.%d" % next(_client)


def multipart(fields, files=()):
    """fields: (name, str or bytes) pairs; files: (name, filename, ctype, bytes)."""
    b = "----aduan" + uuid.uuid4().hex
    out = []
    for name, value in fields:
        v = value.encode() if isinstance(value, str) else value
        out.append(b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                   % (b.encode(), name.encode(), v))
    for name, filename, ctype, data in files:
        out.append(b"--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                   b"Content-Type: %s\r\n\r\n%s\r\n"
                   % (b.encode(), name.encode(),
                      filename.encode() if isinstance(filename, str) else filename,
                      ctype.encode(), data))
    out.append(b"--%s--\r\n" % b.encode())
    return b"".join(out), "multipart/form-data; boundary=" + b


def get(srv, path, addr=None):
    return http_request(srv.port, "GET", path, headers={"X-Forwarded-For": addr or ip()})


def page_challenge(text):
    ch = re.search(r'name="challenge" value="([^"]+)"', text).group(1)
    a, b = re.search(r"(\d) \+ (\d)\?", text).groups()
    return ch, int(a) + int(b)


def solve(ch, bits=16):
    for n in itertools.count():
        d = hashlib.sha256(("%s:%d" % (ch, n)).encode()).digest()
        if int.from_bytes(d[:4], "big") >> (32 - bits) == 0:
            return str(n)


def category_value(text, code_name):
    """The radio value of the category whose label shows code_name."""
    m = re.search(r'value="(\d+)"[^>]*>\s*<span><b>%s</b>' % re.escape(code_name), text)
    assert m, code_name
    return m.group(1)


def post(srv, fields, files=(), path="/lapor", addr=None, pow=True, answer=None, lang="id"):
    """Fetches the form (a fresh challenge), then posts fields with the proof
    of work (pow) or the question's answer."""
    addr = addr or ip()
    form = get(srv, path + "?lang=" + lang, addr).body.decode()
    ch, total = page_challenge(form)
    f = [("challenge", ch)]
    if pow:
        f.append(("pow", solve(ch)))
    else:
        f.append(("answer", str(total) if answer is None else answer))
    body, ct = multipart(list(fields) + f, files)
    return http_request(srv.port, "POST", path + "?lang=" + lang, body=body,
                        headers={"Content-Type": ct, "X-Forwarded-For": addr})


def good_fields(srv, **over):
    form = get(srv, "/lapor").body.decode()
    f = {"category": category_value(form, "Gangguan ketenteraman dan ketertiban umum"),
         "text": TEXT, "lat": "-2.336412", "lon": "115.466987",
         "address": "Jl. Ahmad Yani depan masjid", "kecamatan": "63.11.06"}
    f.update(over)
    return [(k, v) for k, v in f.items() if v is not None]


def cases_with(admin, word):
    return [c for c in admin.all_cases(q=word)]


def test_the_form_works_without_javascript(server, admin):
    r = get(server, "/lapor")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/html")
    text = r.body.decode()
    assert 'enctype="multipart/form-data"' in text and 'method="post"' in text
    assert 'name="website"' in text and 'name="answer"' in text  # honeypot, no-JS question
    assert "UU No. 27 Tahun 2022" in text and "Anonim" in text and "Rahasia" in text
    # Categories with their one line; no civil-registry request (needs a chat).
    assert "Gangguan ketenteraman dan ketertiban umum" in text and "Ditindaklanjuti dalam" in text
    assert "Akta" not in text and "KTP" not in text
    # Emergencies first: the fire service's numbers before the form.
    assert text.index('href="tel:113"') < text.index("<form")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert len(r.body) < 100 * 1024
    css = get(server, "/public/lapor.css")
    js = get(server, "/public/lapor.js")
    assert css.status == 200 and js.status == 200
    assert len(r.body) + len(css.body) + len(js.body) < 100 * 1024
    # English on request; one agency's own URL; an unknown agency.
    en = get(server, "/lapor?lang=en").body.decode()
    assert "Send report" in en and "Kirim laporan" not in en
    own = get(server, "/lapor/damkar").body.decode()
    assert "Kebakaran" in own and "Gangguan ketenteraman dan ketertiban umum" not in own
    assert get(server, "/lapor/nosuch").status == 404


def test_a_report_with_text_location_and_photo(server, admin):
    before = len(cases_with(admin, "qxwebform"))
    r = post(server, good_fields(server, contact="0812-3456-7890", consent="1"),
             files=[("photo", "IMG_0001.jpg", "image/jpeg", JPEG)])
    assert r.status == 200, r.body.decode()[:2000]
    text = r.body.decode()
    code = re.search(r'id="code">([A-Z0-9-]+)<', text).group(1)
    assert 'href="/t/%s?lang=id"' % code in text
    assert "dikirim ke kontak Anda" in text
    found = cases_with(admin, "qxwebform")
    assert len(found) == before + 1
    c = admin.case(next(x["id"] for x in found if x["tracking_code"] == code))
    assert c["channel"] == "web" and c["description"] == TEXT
    assert c["kecamatan"]["code"] == "63.11.06" and abs(c["location"]["lat"] + 2.336412) < 1e-6
    assert c["notify_channel"] == "whatsapp"
    assert c["rahasia"] is False and c["anonim"] is False
    (att,) = c["attachments"]
    assert att["source"] == "citizen" and att["mime"] == "image/jpeg" and att["state"] == "stored"
    got = admin.get("/api/v1/attachments/%d" % att["id"]).body
    assert got[:3] == b"\xff\xd8\xff"
    # Of the EXIF only the orientation is written back (core/image.h): a
    # block of a few dozen bytes, no GPS position, camera or comment.
    app1 = got.find(b"\xff\xe1")
    assert app1 < 0 or int.from_bytes(got[app1 + 2:app1 + 4], "big") < 64
    assert b"\x88\x25" not in got[app1:app1 + 64] if app1 >= 0 else True
    assert b"PhoneCam" not in got and b"0812" not in got
    # The reporter hears of the code on WhatsApp (the outbox).
    msgs = admin.get("/api/v1/cases/%d/messages" % c["id"]).json["items"]
    # ... and of its private cancel link (issue 16), after the code (newest first).
    assert [m["kind"] for m in msgs] == ["withdraw_link", "status_update"], msgs
    # The public page knows it; a public step reaches the contact again.
    assert get(server, "/t/" + code).status == 200
    admin.act(c["id"], "verify", public_note="Laporan Anda sudah kami periksa qxwebstep")
    msgs = admin.get("/api/v1/cases/%d/messages" % c["id"]).json["items"]
    assert [m["kind"] for m in msgs] == ["status_update", "withdraw_link", "status_update"], msgs  # newest first
    assert "qxwebstep" in get(server, "/t/" + code).body.decode()


def test_without_javascript_the_question_is_enough(server, admin):
    r = post(server, good_fields(server, text="Sampah menumpuk qxwebnojs", rahasia="1",
                                 anonim="1"), pow=False)
    assert r.status == 200, r.body.decode()[:2000]
    assert "halaman laporan" in r.body.decode()  # no contact: the public page only
    (c,) = cases_with(admin, "qxwebnojs")
    c = admin.case(c["id"])
    assert c["rahasia"] is True and c["anonim"] is True and c["notify_channel"] is None


def test_emergency_report_shows_the_numbers_first(server, damkar):
    form = get(server, "/lapor/damkar").body.decode()
    fire = category_value(form, "Kebakaran")
    r = post(server, [("category", fire), ("text", "Rumah terbakar qxwebfire"),
                      ("address", "Desa Batu Piring RT 3")], path="/lapor/damkar")
    assert r.status == 200, r.body.decode()[:2000]
    text = r.body.decode()
    assert text.index('href="tel:113"') < text.index('id="code"')
    assert 'href="/lapor/damkar?lang=id"' in text  # another report: the same form
    (c,) = cases_with(damkar, "qxwebfire")
    assert c["kind"] == "emergency"
    # No cancel link: an emergency goes to a team at once (issue 16).
    assert 'id="cancel"' not in text


def refused(r, status=400):
    assert r.status == status, (r.status, r.body.decode()[:3000])
    text = r.body.decode()
    assert r.headers["Content-Type"].startswith("text/html")
    assert 'role="alert"' in text
    return text


def test_bad_input_is_refused_with_the_form_still_filled(server, admin):
    before = admin.all_cases(q="qxwebbad")
    typed = "Jalan berlubang qxwebbad <b>besar</b>"
    fields = good_fields(server, text=typed, address="Gang Melati", contact="warga@example.id",
                         consent="1")
    # A fake image: a JPEG's first bytes and a script.
    t = refused(post(server, fields, files=[("photo", "x.jpg", "image/jpeg",
                                             b"\xff\xd8\xff\xe0<?php system($_GET[1]); ?>")]))
    assert "rusak" in t and "x.jpg" in t
    assert html.escape(typed, quote=True) in t  # what was typed, escaped
    assert 'value="Gang Melati"' in t and 'value="warga@example.id"' in t
    assert 'value="63.11.06" selected' in t and 'checked' in t
    # Not a picture at all, and in English.
    t = refused(post(server, fields, files=[("photo", "a.txt", "text/plain", b"hello")],
                     lang="en"))
    assert "not a picture" in t.lower() or "not an image" in t.lower() or "photo 1" in t.lower()
    # The honeypot.
    refused(post(server, fields + [("website", "http://spam.example")]))
    # Missing fields: text, category, location.
    refused(post(server, [x for x in fields if x[0] != "text"]))
    refused(post(server, [x for x in fields if x[0] != "category"]))
    refused(post(server, [x for x in fields if x[0] not in ("lat", "lon", "address")]))
    # A contact without consent, a contact that is neither.
    refused(post(server, [x for x in fields if x[0] != "consent"]))
    refused(post(server, [x if x[0] != "contact" else ("contact", "bukan nomor")
                          for x in fields]))
    # Too many photos, invalid UTF-8, a category of another agency.
    six = [("photo", "p%d.png" % i, "image/png", png_image(i)) for i in range(6)]
    refused(post(server, fields, files=six))
    t = refused(post(server, [x if x[0] != "text" else ("text", b"Jalan \xff\xfe rusak")
                              for x in fields]))
    form = get(server, "/lapor/damkar").body.decode()
    fire = category_value(form, "Kebakaran")
    refused(post(server, [x if x[0] != "category" else ("category", fire) for x in fields],
                 path="/lapor/satpolpp"))
    # Proof of work and question: missing, wrong.
    addr = ip()
    page = get(server, "/lapor", addr).body.decode()
    ch, total = page_challenge(page)
    for extra in ([("challenge", ch)], [("challenge", ch), ("pow", "12345")],
                  [("challenge", ch), ("answer", str(total + 1))],
                  [("challenge", ch[:-1] + ("0" if ch[-1] != "0" else "1")),
                   ("answer", str(total))], []):
        body, ct = multipart(fields + extra)
        t = refused(http_request(server.port, "POST", "/lapor", body=body,
                                 headers={"Content-Type": ct, "X-Forwarded-For": ip()}))
        assert "pertanyaan pengaman" in t
    # A solved challenge answers one post: the same again is refused (a
    # reload of the confirmation page sends no second case).
    addr = ip()
    page = get(server, "/lapor", addr).body.decode()
    ch, total = page_challenge(page)
    once = [("challenge", ch), ("pow", solve(ch))]
    body, ct = multipart(good_fields(server, text="Sekali saja qxwebonce") + once)
    hdr = {"Content-Type": ct, "X-Forwarded-For": addr}
    assert http_request(server.port, "POST", "/lapor", body=body, headers=hdr).status == 200
    t = refused(http_request(server.port, "POST", "/lapor", body=body, headers=hdr))
    assert "sudah pernah dikirim" in t and "Sekali saja qxwebonce" in t
    assert len(admin.all_cases(q="qxwebonce")) == 1
    # A file name that is not text is not shown back.
    t = refused(post(server, fields, files=[("photo", b"\xff.jpg", "image/jpeg", b"\xff\xd8\xff")]))
    assert "Foto 1:" in t  # the page decodes as UTF-8: the name was left out
    # Not multipart at all.
    r = http_request(server.port, "POST", "/lapor", body=b"text=halo",
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              "X-Forwarded-For": ip()})
    refused(r)
    # Oversized: the form again with a 413, not JSON.
    body, ct = multipart(fields, files=[("photo", "big.jpg", "image/jpeg",
                                         b"\xff\xd8\xff" + b"\0" * (12 * 1024 * 1024))])
    r = http_request(server.port, "POST", "/lapor", body=body,
                     headers={"Content-Type": ct, "X-Forwarded-For": ip()})
    t = refused(r, 413)
    assert "terlalu besar" in t
    # Nothing was created.
    assert admin.all_cases(q="qxwebbad") == before


def test_too_many_posts_from_one_address(server):
    addr = ip()
    statuses = []
    for _ in range(12):
        body, ct = multipart([("text", "qxwebrate")])
        r = http_request(server.port, "POST", "/lapor", body=body,
                         headers={"Content-Type": ct, "X-Forwarded-For": addr})
        statuses.append(r.status)
    assert statuses[:10] == [400] * 10 and statuses[10] == 429, statuses
    assert r.headers["Retry-After"] and "qxwebrate" in r.body.decode()  # kept what was typed
    # Another address is not held up.
    assert post(server, [("text", "x")]).status == 400


def test_an_agency_sets_its_emergency_numbers(server):
    r = server.cli("agency", "emergency", "damkar", "113, (0526) 2090113")
    assert r.returncode == 0, r.stderr
    try:
        text = get(server, "/lapor/damkar").body.decode()
        assert 'href="tel:113"' in text and 'href="tel:05262090113">(0526) 2090113</a>' in text
        assert server.cli("agency", "emergency", "nosuch", "113").returncode != 0
    finally:
        assert server.cli("agency", "emergency", "damkar", "113, 112").returncode == 0
    # Cleared: the national 112.
    assert server.cli("agency", "emergency", "damkar", "").returncode == 0
    assert 'href="tel:112"' in get(server, "/lapor/damkar").body.decode()
    assert server.cli("agency", "emergency", "damkar", "113, 112").returncode == 0


def test_a_challenge_from_before_a_restart_is_accepted_after_it(server, admin):
    """The challenge key is kept in the database (server_keys, made once;
    or derived from ADUAN_DATA_KEY): a citizen who opened the form before a
    restart (or on another instance) can still send it, once, and a
    restart does not forget that it was used."""
    from db_peek import sql
    addr = ip()
    ch, _ = page_challenge(get(server, "/lapor", addr).body.decode())
    assert not server.stop()
    server.start()
    admin.port = server.port
    body, ct = multipart(good_fields(server, text="Sesudah restart qxwebrestart") +
                         [("challenge", ch), ("pow", solve(ch))])
    hdr = {"Content-Type": ct, "X-Forwarded-For": addr}
    r = http_request(server.port, "POST", "/lapor", body=body, headers=hdr)
    assert r.status == 200, r.body.decode()[:2000]
    assert re.search(r'id="code">([A-Z0-9-]+)<', r.body.decode())
    # Still one use, across a restart too.
    t = refused(http_request(server.port, "POST", "/lapor", body=body, headers=hdr))
    assert "sudah pernah dikirim" in t
    assert not server.stop()
    server.start()
    admin.port = server.port
    t = refused(http_request(server.port, "POST", "/lapor", body=body, headers=hdr))
    assert "sudah pernah dikirim" in t and "Sesudah restart qxwebrestart" in t
    assert len(admin.all_cases(q="qxwebrestart")) == 1
    assert sql(server, "SELECT COUNT(*) FROM server_keys WHERE name = 'webform_challenge'") == [["1"]]
    # A challenge signed with another key (another deployment's, forged)
    # is refused and the form asks again, keeping what was typed.
    forged = ch[:-32] + ("0" * 32 if not ch.endswith("0" * 32) else "1" * 32)
    body, ct = multipart(good_fields(server, text="Palsu qxwebforged") +
                         [("challenge", forged), ("pow", solve(forged))])
    t = refused(http_request(server.port, "POST", "/lapor", body=body,
                             headers={"Content-Type": ct, "X-Forwarded-For": ip()}))
    assert "Palsu qxwebforged" in t and not admin.all_cases(q="qxwebforged")


def test_the_code_and_an_update_reach_the_whatsapp_contact_given(desk):
    """Done when (issue 16): a web report's acknowledgement and its status
    updates go to the contact the citizen gave, here a WhatsApp number,
    through the Graph API (a fake one on loopback): templates, since the
    citizen never wrote to the agency (no 24-hour window)."""
    import json
    from aduan_e2e import Client
    srv, graph = desk
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    to = "6281277770001"
    since = graph.last_seq()
    r = post(srv, good_fields(srv, text="Jembatan kayu patah qxwebwa", contact="0812-7777-0001",
                              consent="1"),
             files=[("photo", "IMG_0002.jpg", "image/jpeg", JPEG)])
    assert r.status == 200, r.body.decode()[:2000]
    code = re.search(r'id="code">([A-Z0-9-]+)<', r.body.decode()).group(1)
    sent = lambda rec: rec["kind"] == "messages" and rec["json"].get("to") == to  # noqa: E731
    ack = graph.wait_for(sent, since=since, timeout=20)
    assert code in json.dumps(ack[0]["json"]) and ack[0]["json"]["type"] == "template"
    # Then the private cancel link (issue 16), the same one the page showed.
    token = re.search(r"t=([0-9a-f]{64})", cancel_token(r.body.decode())).group(1)
    link = graph.wait_for(lambda rec: sent(rec) and token in json.dumps(rec["json"]),
                          since=since, timeout=20)
    assert link[0]["json"]["type"] == "template" and "/batal?t=" in json.dumps(link[0]["json"])
    case = next(c for c in admin.all_cases(q="qxwebwa") if c["tracking_code"] == code)
    full = admin.case(case["id"])
    assert full["channel"] == "web" and full["location"] and len(full["attachments"]) == 1
    since = graph.last_seq()
    admin.act(case["id"], "verify", public_note="Petugas memeriksa jembatan qxwebstep")
    upd = graph.wait_for(sent, since=since, timeout=20)
    body = json.dumps(upd[0]["json"])
    assert code in body and "Petugas memeriksa jembatan" in body


# ---- the private cancel link (issue 16) ----------------------------------------------


def cancel_token(text):
    return html.unescape(re.search(r'id="cancel" href="([^"]+)"', text).group(1))


def post_cancel(srv, body, addr=None):
    return http_request(srv.port, "POST", "/batal", body=body.encode(),
                        headers={"Content-Type": "application/x-www-form-urlencoded",
                                 "X-Forwarded-For": addr or ip()})


def test_the_cancel_link_withdraws_once(server, admin):
    r = post(server, good_fields(server, text="Baliho roboh di trotoar qxwebbatal"))
    assert r.status == 200, r.body.decode()[:2000]
    text = r.body.decode()
    code = re.search(r'id="code">([A-Z0-9-]+)<', text).group(1)
    link = cancel_token(text)
    assert link.startswith("/batal?t=")
    token = re.search(r"t=([0-9a-f]{64})", link).group(1)
    c = next(x for x in cases_with(admin, "qxwebbatal") if x["tracking_code"] == code)
    # Only the token's hash is stored.
    from db_peek import sql
    rows = sql(server, "SELECT token_hash FROM withdraw_links WHERE case_id = %d" % c["id"])
    assert rows and rows[0][0] == hashlib.sha256(token.encode()).hexdigest()
    # A wrong token: a clear refusal, nothing changes.
    bad = get(server, "/batal?t=" + "0" * 64)
    assert bad.status == 404 and "tidak dikenal" in bad.body.decode()
    assert post_cancel(server, "t=" + "f" * 64).status == 404
    assert post_cancel(server, "t=nohex").status == 404
    assert admin.case(c["id"])["status"] == "received"
    # GET shows the confirmation and changes nothing.
    page = get(server, link)
    assert page.status == 200 and code in page.body.decode()
    assert "Ya, batalkan laporan" in page.body.decode()
    assert admin.case(c["id"])["status"] == "received"
    en = get(server, link.replace("lang=id", "lang=en"))
    assert "Yes, withdraw it" in en.body.decode()
    # POST withdraws.
    done = post_cancel(server, "t=" + token)
    assert done.status == 200 and "sudah dibatalkan" in done.body.decode()
    assert admin.case(c["id"])["status"] == "closed"
    pub = http_request(server.port, "GET", "/api/v1/public/cases/" + code).json
    assert pub["timeline"][-1]["note"] == "Dibatalkan oleh pelapor"
    # A second use is refused.
    again = post_cancel(server, "t=" + token)
    assert again.status == 409 and "sudah pernah dipakai" in again.body.decode()
    assert get(server, link).status == 409


def test_the_cancel_link_cannot_withdraw_a_case_being_handled(server, admin, users):
    r = post(server, good_fields(server, text="Pohon tumbang menutup jalan qxwebbatal2"))
    text = r.body.decode()
    code = re.search(r'id="code">([A-Z0-9-]+)<', text).group(1)
    token = re.search(r"t=([0-9a-f]{64})", cancel_token(text)).group(1)
    c = next(x for x in cases_with(admin, "qxwebbatal2") if x["tracking_code"] == code)
    users("admin.satpolpp").act(c["id"], "verify")
    sup = users("kabid.satpolpp")
    sup.act(c["id"], "dispatch", team_id=sup.get("/api/v1/teams").json["items"][0]["id"])
    r = post_cancel(server, "t=" + token)
    assert r.status == 409 and "sudah ditangani" in r.body.decode()
    assert admin.case(c["id"])["status"] == "dispatched"
