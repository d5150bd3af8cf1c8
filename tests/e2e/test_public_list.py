"""Issue 18: the public list and map of reports, /laporan and
/api/v1/public/reports. Non-confidential complaints only (no rahasia case,
no civil-registry request), each with its tracking link, filtered by
agency, category, status, kecamatan and month; nothing personal (no
reporter, no description, no address), locations rounded to ~100 m; bad
filters get a clear 400 and the form again; lookups are rate-limited."""

import itertools
import json
import re
import time
import urllib.parse

from aduan_e2e import http_request

NAME, PHONE = "Rusdiansyah Pelapor", "0813-5555-0199"
ADDRESS = "Gang Mawar samping rumah Pak RT nomor 12"
DESCRIPTION = "Pengamen memaksa meminta uang di lampu merah simpang Kenanga Ungu"
SERVER_ENV = {"ADUAN_TRUSTED_PROXIES": "127.0.0.1"}
_client = itertools.count(1)


def ip():
    return "203.0.113.%d" % next(_client)


def get(srv, path, addr=None, lang=None):
    h = {"X-Forwarded-For": addr or ip()}
    if lang:
        h["Accept-Language"] = lang
    return http_request(srv.port, "GET", path, headers=h)


def reports(srv, **q):
    r = get(srv, "/api/v1/public/reports?" + urllib.parse.urlencode(q))
    assert r.status == 200, r
    return r.json


def new_case(admin, rahasia=False, kec="63.11.06"):
    c = admin.create_case(category_id=admin.category_id("trantibum"), description=DESCRIPTION,
                          address=ADDRESS, kecamatan_code=kec, lat=-2.336412, lon=115.466987,
                          rahasia=rahasia, reporter={"name": NAME, "phone": PHONE})
    return c


def no_personal_data(text):
    for secret in (NAME, "Rusdiansyah", "5555", "0199", "Mawar", "Pengamen", "Kenanga", "62813"):
        assert secret not in text, secret


def test_list_shows_public_reports_without_personal_data(server, admin):
    open_case = new_case(admin)
    secret_case = new_case(admin, rahasia=True)
    j = reports(server, agency="satpolpp")
    codes = [x["code"] for x in j["reports"]]
    assert open_case["tracking_code"] in codes
    assert secret_case["tracking_code"] not in codes
    mine = next(x for x in j["reports"] if x["code"] == open_case["tracking_code"])
    assert mine["url"] == "/t/" + open_case["tracking_code"]
    assert mine["location"] == {"lat": -2.336, "lon": 115.467}
    assert mine["kecamatan"]["code"] == "63.11.06" and mine["category"]["code"] == "trantibum"
    assert set(mine) == {"code", "url", "agency", "kind", "category", "status", "status_label",
                         "kecamatan", "created_at", "location"}
    assert all(x["agency"].startswith("Satpol PP") for x in j["reports"])
    no_personal_data(json.dumps(j))

    page = get(server, "/laporan?agency=satpolpp")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    text = page.body.decode()
    assert open_case["tracking_code"] in text and secret_case["tracking_code"] not in text
    assert 'href="/t/%s?lang=id"' % open_case["tracking_code"] in text
    assert 'data-lat="-2.336" data-lon="115.467"' in text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    no_personal_data(text)


def test_no_civil_registry_requests_are_listed(server):
    for x in reports(server)["reports"]:
        assert x["kind"] != "service", x
    for x in reports(server, agency="disdukcapil")["reports"]:
        assert x["kind"] != "service", x


def test_filters(server, admin, kabid, trc):
    c = new_case(admin, kec="63.11.03")
    admin.act(c["id"], "reject", public_note="Bukan kewenangan kami")
    done = reports(server, agency="satpolpp", status="closed")["reports"]
    assert c["tracking_code"] in [x["code"] for x in done]
    assert all(x["status"] in ("resolved", "closed", "rejected", "forwarded") for x in done)
    opened = reports(server, agency="satpolpp", status="open")["reports"]
    assert c["tracking_code"] not in [x["code"] for x in opened]
    assert all(x["status"] not in ("resolved", "closed", "rejected", "forwarded") for x in opened)
    rej = reports(server, status="rejected")["reports"]
    assert rej and all(x["status"] == "rejected" for x in rej)
    kec = reports(server, kecamatan="63.11.03")["reports"]
    assert c["tracking_code"] in [x["code"] for x in kec]
    assert all(x["kecamatan"]["code"] == "63.11.03" for x in kec)
    cat = reports(server, agency="satpolpp", category="trantibum")["reports"]
    assert cat and all(x["category"]["code"] == "trantibum" for x in cat)
    month = time.strftime("%Y-%m")
    assert c["tracking_code"] in [x["code"] for x in reports(server, month=month)["reports"]]
    assert reports(server, month="2001-01")["reports"] == []


def test_bad_filters_are_refused_clearly(server):
    for q, word in (("agency=nope", "agency"), ("category=trantibum", "category"),
                    ("agency=satpolpp&category=nope", "category"), ("status=maybe", "status"),
                    ("kecamatan=99.99.99", "kecamatan"), ("month=2026-13", "month"),
                    ("month=november", "month"), ("before=-4", "before"), ("before=abc", "before")):
        r = get(server, "/api/v1/public/reports?" + q)
        assert r.status == 400, (q, r)
        assert word in r.json["error"]["detail"], (q, r.json)
        page = get(server, "/laporan?" + q)
        assert page.status == 400, (q, page)
        text = page.body.decode()
        assert 'role="alert"' in text and word in text and "<form" in text, q
    r = get(server, "/api/v1/public/reports?agency=%ff")
    assert r.status == 400, r
    r = get(server, "/api/v1/public/reports?agency=" + "x" * 200)
    assert r.status == 400, r


def test_pages_follow_each_other_without_repeats(server, admin):
    have = len(reports(server)["reports"])
    for _ in range(max(0, 55 - have)):  # more than one page of 50
        new_case(admin)
    seen, before, pages = [], None, 0
    while pages < 50:
        q = {"before": before} if before else {}
        j = reports(server, **q)
        seen += [x["code"] for x in j["reports"]]
        pages += 1
        if not j["next_before"]:
            break
        before = j["next_before"]
    assert len(seen) == len(set(seen)) and len(seen) >= 55 and pages >= 2
    page = get(server, "/laporan").body.decode()
    nxt = re.search(r'rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    second = get(server, nxt).body.decode()
    first_codes = set(re.findall(r"<code>([A-Z0-9-]+)</code>", page))
    assert len(first_codes) == 50
    assert not first_codes & set(re.findall(r"<code>([A-Z0-9-]+)</code>", second))


def test_english_and_rate_limit(server):
    addr = ip()
    r = get(server, "/laporan?lang=en", addr)
    assert r.status == 200 and "Public reports" in r.body.decode()
    got = [get(server, "/api/v1/public/reports", addr).status for _ in range(40)]
    assert 429 in got, got
    r = get(server, "/laporan", addr)
    assert r.status == 429 and r.headers.get("Retry-After"), r
