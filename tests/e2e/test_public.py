"""Issue #8: the public tracking page /t/{code} and its JSON. No personal
data ever; rahasia cases show no location, others one rounded to ~100 m;
unknown and malformed codes get the same answer; lookups are rate-limited
per client address (X-Forwarded-For trusted only from the proxies of
ADUAN_TRUSTED_PROXIES: here the test itself, on loopback, plays nginx)."""

import itertools

from aduan_e2e import http_request

NAME, PHONE, ADDRESS = "Siti Rahmawati", "0812-7777-4321", "Jl. Merdeka No. 17 RT 03, rumah cat hijau"
DESCRIPTION = "Warung remang-remang buka sampai subuh dan mengganggu warga sekitar"
_client = itertools.count(1)

SERVER_ENV = {"ADUAN_TRUSTED_PROXIES": "127.0.0.1"}


def client_ip():
    """A fresh client address for each test, so the buckets do not mix."""
    n = next(_client)
    return "198.51.100.%d" % n


def get(srv, path, ip, lang=None):
    h = {"X-Forwarded-For": ip}
    if lang:
        h["Accept-Language"] = lang
    return http_request(srv.port, "GET", path, headers=h)


def make_case(admin, trc, kabid, rahasia):
    cat = admin.category_id("trantibum")
    c = admin.create_case(category_id=cat, description=DESCRIPTION, address=ADDRESS,
                          kecamatan_code="63.11.06", lat=-2.336412, lon=115.466987,
                          rahasia=rahasia, reporter={"name": NAME, "phone": PHONE})
    admin.act(c["id"], "verify")
    kabid.act(c["id"], "dispatch", team_id=admin.team_id("TRC Pos Paringin"))
    trc.act(c["id"], "start")
    trc.act(c["id"], "resolve", public_note="Warung ditertibkan dan pemilik dibina")
    return c


def no_personal_data(text):
    for secret in (NAME, "Siti", "7777", "4321", "Merdeka", "cat hijau", "remang", "62812"):
        assert secret not in text, secret


def test_public_json_and_page_show_no_personal_data(server, admin, kabid, trc):
    ip = client_ip()
    c = make_case(admin, trc, kabid, rahasia=False)
    code = c["tracking_code"]
    r = get(server, "/api/v1/public/cases/" + code, ip)
    assert r.status == 200, r
    j = r.json
    assert j["code"] == code and j["status"] == "resolved" and j["status_label"] == "Selesai ditangani"
    assert j["category"]["code"] == "trantibum" and j["kecamatan"]["name"] == "Paringin"
    # Rounded to 3 decimals (about 100 m).
    assert j["location"]["lat"] == -2.336 and j["location"]["lon"] == 115.467
    assert [e["status"] for e in j["timeline"]] == ["received", "verified", "dispatched",
                                                   "in_progress", "resolved"]
    assert j["timeline"][-1]["note"] == "Warung ditertibkan dan pemilik dibina"
    no_personal_data(r.body.decode())
    assert "reporter" not in j and "address" not in j and "description" not in j
    page = get(server, "/t/" + code, ip)
    assert page.status == 200 and page.header("Content-Type").startswith("text/html")
    html = page.body.decode()
    assert code in html and "Selesai ditangani" in html and "Paringin" in html
    assert "-2.336, 115.467" in html
    no_personal_data(html)
    en = get(server, "/t/" + code + "?lang=en", ip)
    assert "Resolved" in en.body.decode() and "Progress" in en.body.decode()
    assert get(server, "/api/v1/public/cases/" + code, ip, "en").json["status_label"] == "Resolved"
    # Typing slips of the code still land: lower case, no hyphen, O for 0.
    slip = code.replace("-", "").lower()
    assert get(server, "/api/v1/public/cases/" + slip, ip).json["code"] == code


def test_rahasia_case_shows_no_location(server, admin, kabid, trc):
    ip = client_ip()
    c = make_case(admin, trc, kabid, rahasia=True)
    j = get(server, "/api/v1/public/cases/" + c["tracking_code"], ip).json
    assert j["location"] is None and j["location_hidden"] is True
    html = get(server, "/t/" + c["tracking_code"], ip).body.decode()
    assert "-2.33" not in html and "115.46" not in html and "rahasia" in html
    no_personal_data(html)


def test_unknown_and_malformed_codes_get_the_same_answer(server):
    ip = client_ip()
    unknown = get(server, "/api/v1/public/cases/ZZZZ-ZZZZ", ip)
    malformed = get(server, "/api/v1/public/cases/hello", ip)
    assert unknown.status == malformed.status == 404
    assert unknown.body == malformed.body
    p1, p2 = get(server, "/t/ZZZZ-ZZZZ", ip), get(server, "/t/not-a-code", ip)
    assert p1.status == p2.status == 404 and p1.body == p2.body
    assert "tidak ditemukan" in p1.body.decode()


def test_guessing_slows_down_per_client(server, admin, kabid, trc):
    c = make_case(admin, trc, kabid, rahasia=False)
    guesser, other = client_ip(), client_ip()
    statuses = []
    for i in range(12):
        statuses.append(get(server, "/api/v1/public/cases/ZZZZ-ZZ%02d" % i, guesser).status)
    assert statuses[:5] == [404] * 5 and statuses[-1] == 429, statuses
    r = get(server, "/api/v1/public/cases/" + c["tracking_code"], guesser)
    assert r.status == 429 and int(r.header("Retry-After")) > 0
    assert r.json["error"]["code"] == "rate_limited"
    assert get(server, "/t/" + c["tracking_code"], guesser).status == 429
    # Another address is not affected.
    assert get(server, "/api/v1/public/cases/" + c["tracking_code"], other).status == 200
