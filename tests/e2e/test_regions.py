"""The kecamatan comes from the location (issue #13, item 7), on both
engines: the demo's boundaries (`aduan init --demo`) give a WhatsApp report
with a shared location its kecamatan, which then shows in the case, the
inbox, the CSV, /api/v1/stats and the monthly PDF; a point outside every
boundary keeps none and the case says so; `aduan region import` replaces
boundaries (holes, MultiPolygons) and gives located cases their
kecamatan, and a bad file changes nothing. Emergencies keep the citizen's
own words."""

import copy
import csv
import datetime
import io
import json
import os
import re
import subprocess
import zoneinfo

import pytest

from aduan_e2e import Client
from db_peek import sql
from wa_helpers import DAMKAR, Citizen, choices, desk, message, superadmin, text_of  # noqa: F401

CODE_RE = re.compile(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*")
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO_FILE = os.path.join(REPO, "web", "data", "balangan-kecamatan.geojson")
TEBING_TINGGI = (-2.35, 115.78)
TANJUNG = (-2.17, 115.38)        # Tabalong, north of Balangan: no boundary holds it
PASAR_PARINGIN = (-2.3361, 115.4668)


def complaint(srv, graph, wa_id, where, text="Pedagang kaki lima menutup trotoar depan pasar"):
    """A WhatsApp complaint with a shared location; returns the case."""
    w = Citizen(srv, graph, wa_id)
    w.text("halo")
    w.tap("menu:report")
    cats = w.tap("consent:yes", button=True)[0]
    w.tap([c for c in choices(cats) if c.startswith("cat:")][1])
    w.text(text)
    w.say("location", lat=where[0], lon=where[1])
    w.tap("photos:next", button=True)
    code = CODE_RE.search(text_of(w.tap("confirm:send", button=True)[0])).group(1)
    return case_of(superadmin(srv), code)


def case_of(sa, code):
    c = [c for c in sa.all_cases() if c["tracking_code"] == code][0]
    return sa.case(c["id"])


def fire(srv, graph, wa_id, where, words=(), after=()):
    """An emergency: the opening words, the category, words typed instead
    of the location, the location, then more words; returns the case."""
    w = Citizen(srv, graph, wa_id, pnid=DAMKAR)
    w.text(words[0] if words else "menu")
    w.tap("menu:report")
    cats = w.tap("consent:yes", button=True)[0]
    rows = cats["interactive"]["action"]["sections"][0]["rows"]
    w.tap([r["id"] for r in rows if "DARURAT" in (r.get("description") or "")][0])
    for t in words[1:]:
        assert "lokasi" in text_of(w.text(t)[0])
    done = w.say("location", lat=where[0], lon=where[1])
    code = CODE_RE.search(text_of(done[0])).group(1)
    for t in after:
        # The crew's dispatch notice may come first: wait for the answer.
        since = graph.last_seq()
        w.post(message(wa_id, "text", body=t))
        graph.wait_for(lambda r: r["kind"] == "messages" and isinstance(r["json"], dict)
                       and "Tambahan" in text_of(r["json"]), since=since, timeout=10)
    return case_of(superadmin(srv), code)


def this_month():
    now = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Makassar"))
    return "%04d-%02d" % (now.year, now.month), now.strftime("%Y-%m-01"), now.strftime("%Y-%m-%d")


def test_a_shared_location_names_the_kecamatan_everywhere(desk, tmp_path):
    srv, graph = desk
    case = complaint(srv, graph, "6281234588001", TEBING_TINGGI)
    assert case["kecamatan"] == {"code": "63.11.08", "name": "Tebing Tinggi"}
    assert case["kecamatan_outside"] is False
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    # The inbox, with its kecamatan filter.
    listed = admin.list_cases(kecamatan="63.11.08")["items"]
    assert [c["id"] for c in listed] == [case["id"]]
    assert listed[0]["kecamatan"]["name"] == "Tebing Tinggi"
    # The CSV.
    r = admin.get("/api/v1/cases/export.csv", params={"columns": "id,kecamatan_code,kecamatan"})
    rows = list(csv.reader(io.StringIO(r.body[3:].decode("utf-8"), newline="")))
    assert [str(case["id"]), "63.11.08", "Tebing Tinggi"] in rows
    # /statistik's figures.
    month, first, last = this_month()
    stats = Client(srv.port).get("/api/v1/stats", params={"agency": "satpolpp", "from": first,
                                                          "to": last}).json
    k = [b for b in stats["by_kecamatan"] if b["kecamatan"] == "63.11.08"]
    assert k and k[0]["received"] == 1 and k[0]["name"] == "Tebing Tinggi"
    # The monthly PDF.
    r = admin.get("/api/v1/reports/monthly.pdf", params={"agency": "satpolpp", "month": month})
    assert r.status == 200
    path = os.path.join(str(tmp_path), "r.pdf")
    with open(path, "wb") as f:
        f.write(r.body)
    text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Tebing Tinggi" in text


def test_a_point_outside_every_boundary_keeps_none_and_says_so(desk):
    srv, graph = desk
    case = complaint(srv, graph, "6281234588002", TANJUNG)
    assert case["kecamatan"] is None and case["kecamatan_outside"] is True
    assert case["location"] == {"lat": TANJUNG[0], "lon": TANJUNG[1]}
    # Without a location there is nothing to be outside of.
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    walk_in = admin.create_case(category_id=admin.category_id("pkl"),
                                description="Laporan datang langsung tanpa lokasi")
    assert walk_in["kecamatan"] is None and walk_in["kecamatan_outside"] is False
    # A walk-in with a location and no kecamatan chosen gets it too; one
    # chosen by the operator stays.
    located = admin.create_case(category_id=admin.category_id("pkl"),
                                description="Laporan datang langsung dengan titik",
                                lat=PASAR_PARINGIN[0], lon=PASAR_PARINGIN[1])
    assert located["kecamatan"]["code"] == "63.11.06"
    chosen = admin.create_case(category_id=admin.category_id("pkl"),
                               description="Operator memilih kecamatan sendiri",
                               lat=PASAR_PARINGIN[0], lon=PASAR_PARINGIN[1],
                               kecamatan_code="63.11.07")
    assert chosen["kecamatan"]["code"] == "63.11.07"


def test_an_emergency_keeps_the_citizens_words_and_its_kecamatan(desk):
    srv, graph = desk
    case = fire(srv, graph, "6281234588003", (-2.3620, 115.4410),
                words=("Tolong ada kebakaran rumah di Desa Batu Piring",
                       "Apinya besar dekat masjid"),
                after=("Ada dua orang masih di dalam",))
    assert case["kind"] == "emergency"
    assert case["kecamatan"]["code"] == "63.11.07"
    d = case["description"]
    assert "Tolong ada kebakaran rumah di Desa Batu Piring" in d
    assert "Apinya besar dekat masjid" in d
    assert "Ada dua orang masih di dalam" in d
    assert d.index("Tolong") < d.index("Apinya") < d.index("Ada dua")
    assert "(WhatsApp)" not in d
    # Without any words, the category names it as before.
    quiet = fire(srv, graph, "6281234588004", (-2.3390, 115.4590))
    assert quiet["description"] == "Kebakaran (WhatsApp)"
    assert quiet["kecamatan"]["code"] == "63.11.06"


def demo():
    with open(DEMO_FILE) as f:
        return json.load(f)


def write(tmp_path, name, obj):
    path = os.path.join(str(tmp_path), name)
    with open(path, "w") as f:
        f.write(obj if isinstance(obj, str) else json.dumps(obj))
    return path


def feature(doc, code):
    return [f for f in doc["features"] if f["properties"]["kode"] == code][0]


def bad_files():
    """(name, content, what the error says) of files that must change nothing."""
    out = [("not-json", "{\"type\": \"FeatureCollection\", ", "not JSON"),
           ("no-collection", {"type": "Feature", "features": []}, "FeatureCollection"),
           ("empty", {"type": "FeatureCollection", "features": []}, "1 to"),
           ("point", None, "not a Polygon or MultiPolygon"),
           ("unknown-code", None, "63.11.09 is not a kecamatan"),
           ("name-not-code", None, "Kemendagri kecamatan code"),
           ("open-ring", None, "end where it starts"),
           ("swapped", None, "[longitude, latitude]"),
           ("hole-outside", None, "hole lies outside"),
           ("twice", None, "appears twice"),
           ("multi-bad", None, "feature 2 (63.11.02)")]
    files = []
    for name, content, why in out:
        d = demo()
        if content is None:
            f = d["features"]
            if name == "point":
                f[0]["geometry"] = {"type": "Point", "coordinates": [115.5, -2.3]}
            elif name == "unknown-code":
                f[7]["properties"]["kode"] = "63.11.09"
            elif name == "name-not-code":
                f[3]["properties"] = {"nama": "Batu Mandi"}
            elif name == "open-ring":
                f[5]["geometry"]["coordinates"][0].pop()
            elif name == "swapped":
                ring = f[5]["geometry"]["coordinates"][0]
                f[5]["geometry"]["coordinates"][0] = [[p[1], p[0] + 200] for p in ring]
            elif name == "hole-outside":
                f[5]["geometry"]["coordinates"].append(
                    [[116.0, -3.0], [116.1, -3.0], [116.1, -3.1], [116.0, -3.0]])
            elif name == "twice":
                f.append(copy.deepcopy(f[0]))
            elif name == "multi-bad":
                g = f[1]["geometry"]
                f[1]["geometry"] = {"type": "MultiPolygon",
                                    "coordinates": [g["coordinates"], [[[115.0, -2.0]]]]}
            content = d
        files.append((name, content, why))
    return files


def test_region_import_replaces_boundaries_and_refuses_bad_files(desk, tmp_path):
    srv, graph = desk
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    before = sql(srv, "SELECT code, geometry FROM region_shapes ORDER BY code")
    assert len(before) == 8
    # A walk-in located where no boundary is yet (east of Halong).
    far_east = (-2.05, 115.95)
    early = admin.create_case(category_id=admin.category_id("pkl"),
                              description="Laporan lama di timur Halong",
                              lat=far_east[0], lon=far_east[1])
    assert early["kecamatan"] is None and early["kecamatan_outside"] is True

    for name, content, why in bad_files():
        r = srv.cli("region", "import", write(tmp_path, name + ".geojson", content))
        assert r.returncode == 1, (name, r.stdout, r.stderr)
        assert why in r.stderr and "nothing was imported" in r.stderr, (name, r.stderr)
        assert sql(srv, "SELECT code, geometry FROM region_shapes ORDER BY code") == before, name
    r = srv.cli("region", "import", os.path.join(str(tmp_path), "missing.geojson"))
    assert r.returncode == 1 and "cannot read" in r.stderr
    r = srv.cli("region", "import")
    assert r.returncode == 2 and "Usage" in r.stderr
    # Nothing changed: the market is still in Paringin.
    assert complaint(srv, graph, "6281234588010", PASAR_PARINGIN)["kecamatan"]["code"] == "63.11.06"

    # Paringin gets a hole around the market; Halong becomes a MultiPolygon
    # with a second part far east (it now holds the early case).
    d = demo()
    par = feature(d, "63.11.06")["geometry"]
    par["coordinates"].append([[115.46, -2.34], [115.47, -2.34], [115.47, -2.33],
                               [115.46, -2.33], [115.46, -2.34]])
    hal = feature(d, "63.11.02")
    hal["geometry"] = {"type": "MultiPolygon", "coordinates": [
        hal["geometry"]["coordinates"],
        [[[115.92, -2.0], [116.0, -2.0], [116.0, -2.1], [115.92, -2.1], [115.92, -2.0]]]]}
    hal["properties"] = {"code": "631102", "name": "Halong"}   # the other spelling
    r = srv.cli("region", "import", write(tmp_path, "new.geojson", d))
    assert r.returncode == 0, r.stderr
    assert "8 kecamatan" in r.stdout and "1 case(s)" in r.stdout, r.stdout
    assert admin.case(early["id"])["kecamatan"]["code"] == "63.11.02"
    listed = srv.cli("region", "list")
    assert listed.returncode == 0 and "Paringin" in listed.stdout
    assert listed.stdout.count("(no boundary)") == 0
    # In the hole: outside; beside it: Paringin; the far part: Halong.
    hole = complaint(srv, graph, "6281234588011", PASAR_PARINGIN)
    assert hole["kecamatan"] is None and hole["kecamatan_outside"] is True
    assert complaint(srv, graph, "6281234588012", (-2.3000, 115.4500))["kecamatan"]["code"] \
        == "63.11.06"
    assert complaint(srv, graph, "6281234588013", (-2.05, 115.97))["kecamatan"]["code"] \
        == "63.11.02"


def test_the_demo_file_is_served_and_is_what_init_loaded(desk):
    srv, graph = desk
    r = Client(srv.port).get("/data/balangan-kecamatan.geojson")
    assert r.status == 200
    doc = json.loads(r.body)
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 8
    assert "Approximate" in doc["description"]
    codes = [row[0] for row in sql(srv, "SELECT code FROM region_shapes ORDER BY code")]
    assert codes == sorted(f["properties"]["kode"] for f in doc["features"])
