"""Issue #8: the monthly report PDF, from the API (staff of the agency) and
the command line; pdftotext shows the totals /api/v1/stats gives for the
same month."""

import calendar
import datetime
import os
import re
import subprocess
import zoneinfo

from aduan_e2e import Client, sanitizer_problems


def this_month():
    now = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Makassar"))
    last = calendar.monthrange(now.year, now.month)[1]
    return ("%04d-%02d" % (now.year, now.month), "%04d-%02d-01" % (now.year, now.month),
            "%04d-%02d-%02d" % (now.year, now.month, last))


def pdf_text(data, tmp):
    path = os.path.join(str(tmp), "r.pdf")
    with open(path, "wb") as f:
        f.write(data)
    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True,
                          check=True).stdout


def test_monthly_pdf_matches_the_api(fresh_server, tmp_path):
    srv = fresh_server
    admin, boss, trc = Client(srv.port), Client(srv.port), Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    assert boss.login("kabid.satpolpp").status == 200
    assert trc.login("trc.satpolpp").status == 200
    cat = admin.category_id("trantibum")
    ids = [admin.create_case(category_id=cat, description="Gangguan nomor %d di pasar" % i,
                             kecamatan_code="63.11.06",
                             reporter={"name": "Nama Rahasia", "phone": "081211112222"})["id"]
           for i in range(3)]
    admin.act(ids[0], "verify")
    boss.act(ids[0], "dispatch", team_id=admin.team_id("TRC Pos Paringin"))
    trc.act(ids[0], "start")
    trc.act(ids[0], "resolve", public_note="Selesai")
    month, first, last = this_month()
    stats = Client(srv.port).get("/api/v1/stats", params={"agency": "satpolpp", "from": first,
                                                          "to": last}).json
    r = admin.get("/api/v1/reports/monthly.pdf", params={"agency": "satpolpp", "month": month})
    assert r.status == 200, r
    assert r.header("Content-Type") == "application/pdf" and r.body[:5] == b"%PDF-"
    text = pdf_text(r.body, tmp_path)
    assert "Satpol PP" in text
    assert re.search(r"Diterima: %d\b" % stats["received"], text), text
    assert re.search(r"Diselesaikan: %d\b" % stats["resolved"], text)
    # Indonesian numbers: the decimal comma, "87,5 %" (issue 13).
    ratio = ("%.1f" % (stats["resolution_ratio"] * 100)).replace(".", ",")
    assert "Rasio penyelesaian: %s %%" % ratio in text, text
    assert not re.search(r"\d\.\d+ ?%", text), text
    assert "target 91 %" in text and "IKM" in text and "Per kecamatan" in text
    assert "Paringin" in text and "terbuka terlama" in text and "IGA" in text
    assert "Nama Rahasia" not in text and "1111" not in text
    # The command line writes the same figures.
    out = os.path.join(str(tmp_path), "cli.pdf")
    cli = srv.cli("report", "monthly", "--agency", "satpolpp", "--month", month, "-o", out)
    assert cli.returncode == 0, cli.stderr
    assert not sanitizer_problems(cli.stderr)
    with open(out, "rb") as f:
        cli_text = pdf_text(f.read(), tmp_path)
    assert re.search(r"Diterima: %d\b" % stats["received"], cli_text)
    bad = srv.cli("report", "monthly", "--agency", "satpolpp", "--month", "2026-13", "-o", out)
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr
    unknown = srv.cli("report", "monthly", "--agency", "nope", "--month", month, "-o", out)
    assert unknown.returncode == 2 and "unknown agency" in unknown.stderr


def test_monthly_pdf_is_for_the_agency_staff(server):
    month = this_month()[0]
    anon = Client(server.port)
    assert anon.get("/api/v1/reports/monthly.pdf",
                    params={"agency": "satpolpp", "month": month}).status == 401
    damkar = Client(server.port)
    assert damkar.login("admin.damkar").status == 200
    r = damkar.get("/api/v1/reports/monthly.pdf", params={"agency": "satpolpp", "month": month})
    assert r.status == 403
    for params in ({"agency": "satpolpp", "month": "2026-1"}, {"agency": "satpolpp"},
                   {"agency": "nope", "month": month}):
        r = damkar.get("/api/v1/reports/monthly.pdf", params=params)
        assert r.status == 400 and r.json["error"]["code"] == "invalid", (params, r)
    # Without agency: the user's only one.
    r = damkar.get("/api/v1/reports/monthly.pdf", params={"month": month})
    assert r.status == 200 and r.body[:5] == b"%PDF-"


def test_monthly_pdf_has_the_lapor_section(fresh_server, tmp_path):
    """Issue 17 §3: the month's cases forwarded to LAPOR!, with and without a
    tracking id, and their national classification."""
    srv = fresh_server
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    cat = admin.category_id("pkl")
    ids = [admin.create_case(category_id=cat, description="Lapak qxreportlapor %d" % i)["id"]
           for i in range(5)]

    def put(cid, **body):
        r = admin.request("PUT", "/api/v1/cases/%d/lapor" % cid, json=body)
        assert r.status == 200, r

    put(ids[0], lapor_marked=True, lapor_tracking_id="1916449")
    put(ids[1], lapor_tracking_id="1916450")  # recorded without the mark: forwarded too
    put(ids[2], lapor_marked=True, lapor_class="aspirasi")
    put(ids[3], lapor_class="permintaan_informasi")
    month = this_month()[0]
    r = admin.get("/api/v1/reports/monthly.pdf", params={"agency": "satpolpp", "month": month})
    assert r.status == 200, r
    text = pdf_text(r.body, tmp_path)
    received = int(re.search(r"Diterima: (\d+)", text).group(1))
    others = received - 5  # the demo's own cases of the month, none forwarded
    assert "7. SP4N-LAPOR!" in text, text
    assert re.search(r"Diteruskan ke LAPOR!: 3\b", text), text
    assert re.search(r"Dengan Tracking ID LAPOR!: 2\b", text), text
    assert re.search(r"Ditandai, belum ada Tracking ID: 1\b", text), text
    assert re.search(r"Pengaduan\s+%d\b" % (3 + others), text), text
    assert re.search(r"Aspirasi\s+1\b", text) and re.search(r"Permintaan informasi\s+1\b", text)
    assert "1916449" not in text  # counts, not numbers
