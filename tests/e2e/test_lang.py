"""Issue 13 item 11, "Indonesian first, everywhere", on both engines: every
API error a user can trigger explains itself in Indonesian by default and
in English on request, with the same machine code; the public pages hold no
English; every detail in the sources is in the catalogue; Indonesian numbers
use the decimal comma (/statistik and the monthly PDF)."""

import glob
import json
import os
import re
import subprocess

import pytest

from aduan_e2e import Client
from browser import dom
from lang_check import detail_english, english, keys, visible_text

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


@pytest.fixture(scope="module")
def case_id(users):
    admin = users("admin.satpolpp")
    cat = admin.category_id("trantibum")
    return admin.create_case(category_id=cat, channel="walk_in",
                             description="Keributan di pasar Paringin setiap malam.")["id"]


def errors(users, case_id):
    """(name, client, method, path, kwargs, status, code): an error path each."""
    anon = users.anon()
    admin, viewer, trc = users("admin.satpolpp"), users("pimpinan.satpolpp"), users("trc.satpolpp")
    damkar, sa = users("admin.damkar"), users("superadmin")
    cat = admin.category_id("trantibum")
    big = b'{"description": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    tr = "/api/v1/cases/%d/transitions" % case_id
    return [
        ("unknown id", admin, "GET", "/api/v1/cases/99999999", {}, 404, "not_found"),
        ("unknown route", admin, "GET", "/api/v1/nothing-here", {}, 404, "not_found"),
        ("wrong method", admin, "DELETE", "/api/v1/cases", {}, 405, "method_not_allowed"),
        ("no session", anon, "GET", "/api/v1/cases", {}, 401, "unauthorized"),
        ("expired session", Client(admin.port), "GET", "/api/v1/cases",
         {"headers": {"Cookie": "aduan_session=nope"}}, 401, "unauthorized"),
        ("no csrf", admin, "POST", "/api/v1/cases", {"json": {}, "csrf": False}, 403, "csrf"),
        ("wrong role", trc, "GET", "/api/v1/admin/users", {}, 403, "forbidden"),
        ("viewer records", viewer, "POST", "/api/v1/cases",
         {"json": {"category_id": cat, "description": "Uji peran pimpinan saja.",
                   "channel": "phone"}}, 403, "forbidden"),
        ("bad json", admin, "POST", "/api/v1/cases", {"body": b"{nope"}, 400, "bad_json"),
        ("not an object", admin, "POST", "/api/v1/cases", {"body": b"[1]"}, 400, "bad_json"),
        ("invalid utf-8 body", admin, "POST", "/api/v1/cases",
         {"body": b'{"description": "\xff\xfe"}'}, 400, "bad_utf8"),
        ("invalid utf-8 query", admin, "GET", "/api/v1/cases?q=%FF%FE", {}, 400, "bad_utf8"),
        ("oversized body", admin, "POST", "/api/v1/cases", {"body": big}, 413, "too_large"),
        ("wrong content type", admin, "POST", "/api/v1/cases",
         {"body": b"{}", "content_type": "text/plain"}, 415, "unsupported_media_type"),
        ("missing fields", admin, "POST", "/api/v1/cases", {"json": {"channel": "phone"}},
         400, "invalid"),
        ("wrong type", admin, "POST", "/api/v1/cases",
         {"json": {"category_id": "satu", "description": 5}}, 400, "invalid"),
        ("bad channel", admin, "POST", "/api/v1/cases",
         {"json": {"category_id": cat, "description": "Uji kanal yang salah.",
                   "channel": "fax"}}, 400, "invalid"),
        ("wrong agency", damkar, "POST", tr, {"json": {"action": "verify"}}, 403, "forbidden"),
        ("wrong agency lapor", damkar, "PUT", "/api/v1/cases/%d/lapor" % case_id,
         {"json": {"lapor_tracking_id": "1916449"}}, 403, "forbidden"),
        ("unknown action", admin, "POST", tr, {"json": {"action": "terbang"}}, 400, "invalid"),
        ("no action", admin, "POST", tr, {"json": {}}, 400, "invalid"),
        ("not now", admin, "POST", tr, {"json": {"action": "close"}}, 409, "conflict"),
        ("team needed", sa, "POST", tr, {"json": {"action": "dispatch"}}, 409, "conflict"),
        ("bad status filter", admin, "GET", "/api/v1/cases?status=terbang", {}, 400, "invalid"),
        ("bad limit", admin, "GET", "/api/v1/cases?limit=100000", {}, 400, "invalid"),
        ("bad date", admin, "GET", "/api/v1/cases?from=kemarin", {}, 400, "invalid"),
        ("bad export column", admin, "GET", "/api/v1/cases/export.csv?columns=nope", {}, 400,
         "invalid"),
        ("bad stats date", anon, "GET", "/api/v1/stats?from=kemarin", {}, 400, "invalid"),
        ("bad report month", admin, "GET", "/api/v1/reports/monthly.pdf?month=13", {}, 400,
         "invalid"),
        ("bad activity format", admin, "GET", "/api/v1/reports/activity?format=xml", {}, 400,
         "invalid"),
        ("bad login name", admin, "POST", "/api/v1/admin/users",
         {"json": {"login": "A B", "name": "Uji", "password": "rahasia-sekali", "role": "field"}},
         400, "invalid"),
        ("bad role", admin, "POST", "/api/v1/admin/users",
         {"json": {"login": "uji.peran", "name": "Uji", "password": "rahasia-sekali",
                   "role": "raja"}}, 400, "invalid"),
        ("bad duty", admin, "POST", "/api/v1/duty", {"json": {"team_id": 1}}, 400, "invalid"),
        ("bad holiday", admin, "POST", "/api/v1/agencies/1/holidays", {"json": {}}, 400,
         "invalid"),
        ("message no text", admin, "POST", "/api/v1/cases/%d/messages" % case_id,
         {"json": {}}, 400, "invalid"),
        ("attachment not image", trc, "POST", "/api/v1/cases/%d/attachments" % case_id,
         {"body": b"abc", "content_type": "text/plain"}, 403, "forbidden"),
        ("service of a complaint", admin, "GET", "/api/v1/cases/%d/service" % case_id, {}, 404,
         "not_found"),
        ("public unknown code", anon, "GET", "/api/v1/public/cases/ZZZZZZZZ", {}, 404,
         "not_found"),
        ("bad login", anon, "POST", "/api/v1/auth/login", {"json": {"login": 1}}, 400,
         "invalid"),
    ]


def call(client, method, path, kw, lang=None):
    kw = dict(kw)
    if lang:
        kw["lang"] = lang
    if "body" in kw and "content_type" not in kw:
        kw["content_type"] = "application/json"
    return client.request(method, path, **kw)


def test_every_api_error_speaks_indonesian_and_keeps_its_code(users, case_id):
    seen_detail = 0
    for name, client, method, path, kw, status, code in errors(users, case_id):
        r = call(client, method, path, kw)
        assert r.status == status and r.code == code, (name, r)
        err = r.json["error"]
        found = english(err["message"]) + detail_english(err.get("detail", ""))
        assert not found, (name, found, err)
        assert not re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", err.get("detail", "x")), (name, err)
        if "detail" in err:
            seen_detail += 1
            # English on request: the same code, the English text.
            en = call(client, method, path, kw, lang="en-US,en;q=0.9")
            assert en.status == status and en.code == code, (name, en)
            assert en.json["error"]["detail"] != err["detail"] or not english(
                en.json["error"]["detail"]), (name, en.json, err)
    assert seen_detail >= 25


def test_the_detail_follows_the_language(users, case_id):
    damkar = users("admin.damkar")
    tr = "/api/v1/cases/%d/transitions" % case_id
    r = damkar.post(tr, json={"action": "verify"})
    assert r.code == "forbidden" and r.json["error"]["detail"] == "kasus ini milik instansi lain"
    r = damkar.post(tr, json={"action": "verify"}, lang="en")
    assert r.code == "forbidden"
    assert r.json["error"]["detail"] == "this case belongs to another agency"
    # ?lang= wins over the header, as on the public pages.
    r = damkar.post(tr + "?lang=id", json={"action": "verify"}, lang="en")
    assert r.json["error"]["detail"] == "kasus ini milik instansi lain"
    # A formatted detail is translated before it is filled in.
    admin = users("admin.satpolpp")
    r = admin.post("/api/v1/cases", json={"category_id": "satu", "description": "x"})
    assert r.code == "invalid" and r.json["error"]["detail"] == \
        "category_id: seharusnya ID berupa bilangan bulat positif", r
    r = admin.post("/api/v1/cases", json={"category_id": "satu", "description": "x"}, lang="en")
    assert r.json["error"]["detail"] == "category_id: expected a positive integer id", r
    # Nothing changed: the case is still received, without events beyond its creation.
    c = admin.case(case_id)
    assert c["status"] == "received" and len(c["events"]) == 1, c


def test_public_pages_are_indonesian(users, case_id):
    admin = users("admin.satpolpp")
    code = admin.case(case_id)["tracking_code"].replace("-", "")
    anon = users.anon()
    for path in ("/t/%s" % code, "/statistik"):
        r = anon.get(path)
        assert r.status == 200, (path, r)
        text = visible_text(r.body.decode())
        assert not english(text) and not keys(text), (path, english(text), keys(text), text)
    # An unknown code: an Indonesian page too.
    r = anon.get("/t/ZZZZZZZZ")
    text = visible_text(r.body.decode())
    assert r.status == 404 and not english(text), text


def test_statistik_and_the_pdf_use_the_decimal_comma(users, case_id, server, tmp_path):
    admin = users("admin.satpolpp")
    # Resolve one case of two: a resolution ratio of 50 %, with a decimal.
    cat = admin.category_id("trantibum")
    other = admin.create_case(category_id=cat, channel="phone",
                              description="Kebisingan dari bengkel dekat sekolah.")["id"]
    kabid, trc = users("kabid.satpolpp"), users("trc.satpolpp")
    admin.act(other, "verify")
    kabid.act(other, "dispatch", team_id=admin.team_id("TRC Pos Paringin"))
    trc.act(other, "start")
    trc.act(other, "resolve", public_note="Bengkel diminta menutup pintu saat bekerja.")
    s = Client(server.port).get("/api/v1/stats", params={"agency": "satpolpp"}).json
    assert 0 < s["resolution_ratio"] < 1, s
    want = ("%.1f" % (s["resolution_ratio"] * 100)).replace(".", ",") + " %"
    page = dom("http://127.0.0.1:%d/statistik?agency=satpolpp" % server.port)
    assert 'id="ratio">%s<' % want in page, (want, re.findall(r'id="ratio">[^<]*', page))
    assert not re.search(r'class="n" id="\w+">\d+\.\d', page), page
    # In English, the decimal point.
    page_en = dom("http://127.0.0.1:%d/statistik?agency=satpolpp&lang=en" % server.port)
    assert 'id="ratio">%s%%<' % want[:-2].replace(",", ".") in page_en
    # The monthly report, through pdftotext.
    month = s["to"][:7]
    r = admin.get("/api/v1/reports/monthly.pdf", params={"agency": "satpolpp", "month": month})
    assert r.status == 200, r
    path = tmp_path / "bulanan.pdf"
    path.write_bytes(r.body)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    got = int(re.search(r"Diterima: (\d+)", text).group(1))
    done = int(re.search(r"Diselesaikan: (\d+)", text).group(1))
    ratio = ("%.1f" % (100.0 * done / got)).replace(".", ",")
    assert "Rasio penyelesaian: %s %%" % ratio in text and "," in ratio, text
    assert not re.search(r"\d\.\d+ ?(%|jam|hari)", text), text


# ---- every detail in the sources is in the catalogue ---------------------------------

_LIT = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_ENGLISHY = re.compile(r"\b(the|not|must|required|expected|only|may|is|no|at most|unknown|"
                       r"give|already|too|cannot|nothing|a|an|to|or|and)\b")


def _c_unescape(s):
    return s.encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def _sources_details():
    """Every English string literal a handler gives as an error detail."""
    out = {}
    files = (glob.glob(os.path.join(ROOT, "src/http/*.c"))
             + [os.path.join(ROOT, "src/domain", f) for f in ("cases.c", "services.c", "export.c")])
    for f in files:
        src = open(f, encoding="utf-8").read()
        src = re.sub(r"/\*.*?\*/", " ", src, flags=re.S)
        src = re.sub(r"//[^\n]*", "", src)
        # Literals out of the way first: they may hold ";" or "{".
        src = re.sub(r'(?<!\\)"\s*\n\s*"', "", src)
        lits = []

        def hide(m):
            lits.append(m.group(1))
            return '"#%d"' % (len(lits) - 1)
        src = _LIT.sub(hide, src)
        for m in re.finditer(r"[^;{}]*;", src):
            st = m.group(0)
            if not re.search(r"\bdetail\b|\brefuse\(|\bwhy\b|\breturn \"|field_err\(", st):
                continue
            if re.search(r"\btr\(r,|\blog_\w+\(|json_pack|en \?|\ben\(r\)|strcmp\(r->lang|"
                         r"refuse\(\s*r, ERR_\w+, \w+,", st):
                continue
            for n in re.findall(r'"#(\d+)"', st):
                text = _c_unescape(lits[int(n)])
                if len(text) < 6 or " " not in text or "=" in text or not _ENGLISHY.search(text):
                    continue
                out.setdefault(text, os.path.relpath(f, ROOT))
    return out


def _catalogue():
    src = open(os.path.join(ROOT, "src/core/msg.c"), encoding="utf-8").read()
    body = src[src.index("msgs[] = {"):src.index("#define NMSGS")]
    body = re.sub(r"/\*.*?\*/", " ", body, flags=re.S)
    body = re.sub(r'(?<!\\)"\s*\n\s*"', "", body)
    pairs = re.findall(r'\{\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"\s*\}', body)
    return {_c_unescape(en): _c_unescape(id_) for en, id_ in pairs}


def test_every_detail_in_the_sources_is_in_the_catalogue():
    cat = _catalogue()
    assert len(cat) > 200
    found = _sources_details()
    assert len(found) > 150, len(found)
    missing = {t: f for t, f in found.items() if t not in cat}
    assert not missing, json.dumps(missing, indent=1, ensure_ascii=False)
    # And the Indonesian side is Indonesian.
    bad = {en: id_ for en, id_ in cat.items() if detail_english(id_.replace("%s", "x"))}
    assert not bad, json.dumps(bad, indent=1, ensure_ascii=False)
