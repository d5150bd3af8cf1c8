"""Issue 18: the monthly PDF as an agency prints it. A kop with the agency's
name and the district's logo (uploaded by the superadmin), Indonesian dates
with the zone, decimal commas, the NRR tertimbang column, tables whose words
never overlap and stay whole (read back with `pdftotext -bbox`), and a file
name that says what it is."""

import html
import os
import re
import subprocess

from aduan_e2e import Client, fixture_image, png_image
from test_report import this_month

LOGO = "/api/v1/admin/logo"
MONTHS = ("Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November"
          "|Desember")
# A category name that must wrap in its column, with one word too wide for
# the column at the table's size.
LONG_NAME = ("Penertiban pedagang kaki lima di kawasan Pasar Paringin "
             "Pemberdayaanmasyarakatkelurahanpenanggulangankebakaran")


def write(tmp, name, data):
    path = os.path.join(str(tmp), name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_words(path):
    """[(page, xMin, yMin, xMax, yMax, word)] from pdftotext -bbox."""
    out = subprocess.run(["pdftotext", "-bbox", path, "-"], capture_output=True, text=True,
                         check=True).stdout
    words, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                      r"(.*)</word>", line)
        if m:
            words.append((page,) + tuple(float(m.group(i)) for i in range(1, 5))
                         + (html.unescape(m.group(5)),))
    return words


def images(path):
    out = subprocess.run(["pdfimages", "-list", path], capture_output=True, text=True,
                         check=True).stdout
    return [l.split() for l in out.splitlines()[2:] if l.strip()]


def overlaps(words):
    """Pairs of word boxes on one page that cover each other (more than a
    hair: 0.5 pt each way)."""
    bad = []
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            if a[0] != b[0]:
                continue
            w = min(a[3], b[3]) - max(a[1], b[1])
            h = min(a[4], b[4]) - max(a[2], b[2])
            if w > 0.5 and h > 0.5:
                bad.append((a, b))
    return bad


def test_logo_upload_is_the_superadmins_and_refuses_what_is_not_a_picture(fresh_server, tmp_path):
    srv = fresh_server
    sa, admin = Client(srv.port), Client(srv.port)
    assert sa.login("superadmin").status == 200
    assert admin.login("admin.satpolpp").status == 200
    good = png_image("logo", 96, 64)
    assert admin.post(LOGO, body=good, content_type="image/png").status == 403
    assert Client(srv.port).post(LOGO, body=good, content_type="image/png",
                                 csrf=False).status == 401
    for body, ct, status in ((b"{}", "application/json", 415),
                             (good, None, 415),
                             (fixture_image("lossy.webp"), "image/webp", 415),
                             (fixture_image("lossy.webp"), "image/png", 415),
                             (b"\x89PNG\r\n\x1a\nnot really", "image/png", 400),
                             (b"<script>alert(1)</script>", "image/jpeg", 400)):
        r = sa.post(LOGO, body=body, content_type=ct, lang="id")
        assert r.status == status, (ct, body[:12], r)
        assert r.json["error"]["detail"], r
    r = sa.post(LOGO, body=b"x" * (2 * 1024 * 1024 + 1), content_type="image/png")
    assert r.status == 413, r
    # Nothing was stored: the report has no picture.
    month = this_month()[0]
    r = admin.get("/api/v1/reports/monthly.pdf", params={"agency": "satpolpp", "month": month})
    assert r.status == 200
    assert images(write(tmp_path, "none.pdf", r.body)) == []
    # The Indonesian refusal.
    r = sa.post(LOGO, body=b"{}", content_type="application/json", lang="id")
    assert "logo harus gambar PNG atau JPEG" in r.json["error"]["detail"], r
    # A real PNG and a real JPEG (with GPS EXIF: stored without it).
    r = sa.post(LOGO, body=good, content_type="image/png")
    assert r.status == 201, r
    assert r.json["mime"] == "image/png" and r.json["width"] == 96 and r.json["height"] == 64
    stored = os.path.join(srv.workdir, "media", r.json["sha256"])
    assert os.path.exists(stored)
    r = sa.post(LOGO, body=fixture_image("exif-gps.jpg"), content_type="image/jpeg")
    assert r.status == 201, r
    with open(os.path.join(srv.workdir, "media", r.json["sha256"]), "rb") as f:
        kept = f.read()
    assert b"GPS" not in kept and b"0812" not in kept  # only the orientation stays
    with open(os.path.join(srv.workdir, "media", "district-logo")) as f:
        assert f.read().strip() == r.json["sha256"]


def test_monthly_pdf_as_an_agency_prints_it(fresh_server, tmp_path):
    srv = fresh_server
    sa, admin, boss, trc = (Client(srv.port) for _ in range(4))
    for c, login in ((sa, "superadmin"), (admin, "admin.satpolpp"), (boss, "kabid.satpolpp"),
                     (trc, "trc.satpolpp")):
        assert c.login(login).status == 200
    assert sa.post(LOGO, body=png_image("kop", 120, 120), content_type="image/png").status == 201
    r = admin.post("/api/v1/admin/categories",
                   json={"code": "pkl_paringin", "kind": "complaint", "name_id": LONG_NAME,
                         "name_en": "Street vendors", "sla_hours": 48})
    assert r.status == 201, r
    long_cat = r.json["id"]
    cat = admin.category_id("trantibum")
    ids = [admin.create_case(category_id=k, description="Gangguan nomor %d di pasar" % i,
                             kecamatan_code="63.11.06",
                             reporter={"name": "Nama Rahasia", "phone": "081211112222"})["id"]
           for i, k in enumerate((cat, cat, long_cat, long_cat, long_cat))]
    admin.act(ids[0], "verify")
    boss.act(ids[0], "dispatch", team_id=admin.team_id("TRC Pos Paringin"))
    trc.act(ids[0], "start")
    trc.act(ids[0], "resolve", public_note="Selesai")
    month = this_month()[0]
    r = admin.get("/api/v1/reports/monthly.pdf", params={"agency": "satpolpp", "month": month})
    assert r.status == 200, r
    assert r.header("Content-Disposition") == (
        'attachment; filename="laporan-bulanan-satpolpp-%s.pdf"' % month)
    path = write(tmp_path, "r.pdf", r.body)
    text = pdf_text(path)
    # The kop: the agency's name in capitals and the district's logo.
    assert "SATPOL PP" in text, text
    assert len(images(path)) >= 1
    # "3 Desember 2026, 08.27 WITA": the demo's zone is Asia/Makassar.
    assert re.search(r"Dibuat \d{1,2} (%s) \d{4}, \d{2}\.\d{2} WITA" % MONTHS, text), text
    assert "NRR tertimbang" in text
    assert not re.search(r"\d\.\d+ ?%", text), text
    assert "Nama Rahasia" not in text and "1111" not in text
    words = pdf_words(path)
    assert words
    # No two words on top of each other, anywhere (the tables included).
    assert overlaps(words) == []
    # Every word of the long category name is a whole word of the PDF, in
    # order, in the category column (left of the counts).
    got = [w[5] for w in words]
    want = LONG_NAME.split()
    start = got.index(want[0])
    assert got[start:start + len(want)] == want, got[start:start + 20]
    for w in words[start:start + len(want)]:
        assert w[3] < 50 + 235 + 1, w  # MARGIN + the column's width
    # Every word in the page, left and right margins kept.
    for w in words:
        assert w[1] >= 49 and w[3] <= 595 - 49, w


def test_long_tables_break_pages_and_long_names_fit(fresh_server, tmp_path):
    """Forty categories push the tables over a page: the header is set again
    on the next page, and still no word covers another; the longest agency
    name fits its kop."""
    srv = fresh_server
    sa, admin, damkar = Client(srv.port), Client(srv.port), Client(srv.port)
    assert sa.login("superadmin").status == 200
    assert admin.login("admin.satpolpp").status == 200
    assert damkar.login("admin.damkar").status == 200
    assert sa.post(LOGO, body=png_image("wide", 200, 80), content_type="image/png").status == 201
    for i in range(40):
        r = admin.post("/api/v1/admin/categories",
                       json={"code": "uji_%02d" % i, "kind": "complaint",
                             "name_id": "Kategori uji nomor %d dengan nama yang cukup panjang "
                                        "sekali untuk dibungkus" % i,
                             "name_en": "Test %d" % i, "sla_hours": 24})
        assert r.status == 201, r
        admin.create_case(category_id=r.json["id"], description="Uji %d" % i,
                          kecamatan_code="63.11.06")
    month = this_month()[0]
    for client, agency in ((admin, "satpolpp"), (damkar, "damkar")):
        r = client.get("/api/v1/reports/monthly.pdf", params={"agency": agency, "month": month})
        assert r.status == 200, r
        path = write(tmp_path, agency + ".pdf", r.body)
        words = pdf_words(path)
        assert overlaps(words) == []
        for w in words:
            assert w[1] >= 49 and w[3] <= 595 - 49 and w[2] >= 40 and w[4] <= 842 - 40, w
        text = pdf_text(path)
        assert "KABUPATEN BALANGAN" in text
        if agency == "satpolpp":
            pages = max(w[0] for w in words)
            assert pages >= 2
            # The category table's header again at the top of the next page.
            heads = {w[0] for w in words if w[5] == "Kategori"}
            assert len(heads) >= 2, heads
            joined = " ".join(w[5] for w in words)
            for i in range(40):
                assert "Kategori uji nomor %d dengan nama" % i in joined, i
