"""CSV export of cases: GET /api/v1/cases/export.csv and `aduan export`, on
both engines: BOM, quoting, formula defusing, filters, columns, roles."""

import csv
import io
import os
import pty
import subprocess

import pytest

from aduan_e2e import Client, aduan_bin, sanitizer_problems

BOM = b"\xef\xbb\xbf"
EXPORT = "/api/v1/cases/export.csv"


def rows_of(body):
    assert body.startswith(BOM), body[:20]
    text = body[len(BOM):].decode("utf-8")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture(scope="module")
def world(admin, damkar):
    pkl = admin.category_id("pkl")
    tricky = admin.create_case(
        category_id=pkl, kecamatan_code="63.11.07", lat=-2.3301, lon=115.4702,
        description='Lapak "Bu Ani", di trotoar;\nbaris kedua xqexport',
        address="Jl. Merdeka, RT 3", reporter={"name": "Siti Aminah", "phone": "081234500001"})
    formulas = [admin.create_case(category_id=pkl, kecamatan_code="63.11.07",
                                  description=d + " xqexport")
                for d in ("=HYPERLINK(\"http://x\")", "+1+2", "-3-4", "@SUM(A1)")]
    other = admin.create_case(category_id=pkl, kecamatan_code="63.11.01",
                              description="Di kecamatan lain xqexport")
    admin.act(other["id"], "verify")
    fire = damkar.create_case(category_id=damkar.category_id("kebakaran"),
                              kecamatan_code="63.11.07", description="Api xqexport")
    return {"tricky": tricky, "formulas": formulas, "other": other, "fire": fire}


def get_csv(client, **params):
    r = client.get(EXPORT, params=params or None)
    assert r.status == 200, r
    assert r.header("Content-Type") == "text/csv; charset=utf-8"
    assert "attachment" in r.header("Content-Disposition")
    assert r.header("Cache-Control") == "no-store"
    return rows_of(r.body)


def by_id(rows):
    head = rows[0]
    return {int(r[0]): dict(zip(head, r)) for r in rows[1:]}


def test_default_columns_indonesian_with_personal_data(admin, world):
    rows = get_csv(admin, q="xqexport")
    assert rows[0][:3] == ["ID", "Kode pelacakan", "Diterima"]
    assert "Nama pelapor" in rows[0] and "Alamat" in rows[0]
    ids = [int(r[0]) for r in rows[1:]]
    assert ids == sorted(ids, reverse=True)
    assert world["fire"]["id"] not in ids  # another agency's case
    t = by_id(rows)[world["tricky"]["id"]]
    # Commas, quotes, semicolons and a line break survive a CSV reader.
    assert t["Uraian"] == 'Lapak "Bu Ani", di trotoar;\nbaris kedua xqexport'
    assert t["Nama pelapor"] == "Siti Aminah"
    assert t["Telepon pelapor"] == "6281234500001"  # normalised on entry
    assert t["Alamat"] == "Jl. Merdeka, RT 3"
    assert t["Status"] == "Diterima"
    assert t["Kode pelacakan"] == world["tricky"]["tracking_code"]


def test_formulas_are_defused(admin, world):
    rows = by_id(get_csv(admin, q="xqexport", columns="id,description,lat,lon"))
    got = sorted(rows[c["id"]]["Uraian"] for c in world["formulas"])
    assert got == sorted(["'=HYPERLINK(\"http://x\") xqexport", "'+1+2 xqexport",
                          "'-3-4 xqexport", "'@SUM(A1) xqexport"])
    # Our own numbers are numbers, even negative ones.
    t = rows[world["tricky"]["id"]]
    assert t["Lintang"] == "-2.330100" and t["Bujur"] == "115.470200"


def test_english_headers_and_labels(admin, world):
    rows = get_csv(admin, q="xqexport", lang="en", columns="id,status_label,rahasia")
    assert rows[0] == ["ID", "Status", "Confidential"]
    assert by_id(rows)[world["other"]["id"]]["Status"] == "Verified"
    assert by_id(rows)[world["other"]["id"]]["Confidential"] == "no"


def test_filters_apply(admin, world):
    rows = get_csv(admin, q="xqexport", kecamatan="63.11.07", columns="id,kecamatan_code")
    ids = {int(r[0]) for r in rows[1:]}
    assert ids == {world["tricky"]["id"]} | {c["id"] for c in world["formulas"]}
    assert all(r[1] == "63.11.07" for r in rows[1:])
    rows = get_csv(admin, q="xqexport", status="verified", columns="id")
    assert rows == [["ID"], [str(world["other"]["id"])]]
    assert get_csv(admin, q="nothingmatcheszz", columns="id,status") == [["ID", "Kode status"]]


def test_superadmin_exports_every_agency(sa, world):
    ids = {int(r[0]) for r in get_csv(sa, q="xqexport", columns="id")[1:]}
    assert world["fire"]["id"] in ids and world["tricky"]["id"] in ids


def test_viewer_gets_no_personal_data(viewer, world):
    rows = get_csv(viewer, q="xqexport")
    assert not {"Nama pelapor", "Telepon pelapor", "Alamat"} & set(rows[0])
    assert "Siti Aminah" not in repr(rows) and "81234500001" not in repr(rows)
    for cols in ("reporter_phone", "id,reporter_name", "address", "reporter_mobile"):
        r = viewer.get(EXPORT, params={"columns": cols})
        assert r.status == 403, r
        assert r.json["error"]["code"] == "forbidden"


@pytest.mark.parametrize("params", [{"columns": "id,nosuch"}, {"columns": "id,id"},
                                    {"columns": ",,"}, {"status": "nosuch"},
                                    {"kecamatan": "99.99"}, {"cursor": "10"},
                                    {"since_id": "10"}, {"from": "kemarin"}])
def test_bad_requests_are_refused(admin, params):
    r = admin.get(EXPORT, params=params)
    assert r.status == 400, r
    assert r.json["error"]["code"] == "invalid"


def test_other_agency_and_anonymous_are_refused(damkar, server):
    r = damkar.get(EXPORT, params={"agency": "1"})
    assert r.status == 403, r
    r = Client(server.port).get(EXPORT)
    assert r.status == 401, r


# ---- the command line --------------------------------------------------------


def test_cli_export_with_filters(server, world, tmp_path):
    out = tmp_path / "kasus.csv"
    r = server.cli("export", "--agency", "satpolpp", "--q", "xqexport", "--kecamatan",
                   "63.11.07", "--columns", "id,description,reporter_name", "--lang", "en",
                   "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert not sanitizer_problems(r.stderr), r.stderr
    assert "exported 5 cases" in r.stderr
    rows = rows_of(out.read_bytes())
    assert rows[0] == ["ID", "Description", "Reporter name"]
    got = by_id(rows)
    assert set(got) == {world["tricky"]["id"]} | {c["id"] for c in world["formulas"]}
    assert got[world["tricky"]["id"]]["Reporter name"] == "Siti Aminah"
    assert not os.path.exists(str(out) + ".part")


def test_cli_export_to_stdout_every_agency(server, world):
    r = server.cli("export", "--q", "xqexport", "--columns", "id", "-o", "-")
    assert r.returncode == 0, r.stderr
    ids = {int(x) for x in r.stdout.lstrip("\ufeff").split()[1:]}
    assert world["fire"]["id"] in ids and world["other"]["id"] in ids


@pytest.mark.parametrize("args", [["--status", "nosuch"], ["--agency", "nosuch"],
                                  ["--kecamatan", "63.11.99"], ["--columns", "id,bogus"],
                                  ["--from", "x"], ["--lang", "fr"], ["--category", "-1"],
                                  ["--bogus", "1"], ["--status"]])
def test_cli_export_bad_usage(server, args, tmp_path):
    out = tmp_path / "x.csv"
    r = server.cli("export", *args, "-o", str(out)) if args != ["--status"] else \
        server.cli("export", "-o", str(out), *args)
    assert r.returncode == 2, (args, r.stderr)
    assert "aduan: export" in r.stderr
    assert not out.exists()


def test_cli_export_needs_output(server):
    r = server.cli("export", "--status", "received")
    assert r.returncode == 2 and "-o FILE.csv" in r.stderr


def test_cli_progress_bar_on_a_terminal(server, world, tmp_path):
    out = tmp_path / "tty.csv"
    master, slave = pty.openpty()
    try:
        p = subprocess.run([aduan_bin(), "export", "--q", "xqexport", "-o", str(out)],
                           env=server.env(), cwd=server.workdir, stderr=slave,
                           stdout=subprocess.DEVNULL, timeout=60)
        os.close(slave)
        slave = None
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)
    assert p.returncode == 0, seen
    assert b"] 100%" in seen and b"rows" in seen, seen
    assert b"#" in seen
