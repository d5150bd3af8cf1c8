"""Issue 18: the hotspot map for leadership, GET /api/v1/stats/hotspots.
Counts of the cases received in a period per grid cell (never finer than
the public pages' 0.001 degree), per kecamatan and per category; nothing
that names a case (no id, code, text, reporter or exact place). For the
desk and leadership of the agency (superadmin, admin, supervisor,
pimpinan); a field officer and another agency's admin get 403; bad
dates, cells and categories get 400 and a message in Indonesian first."""

import json

from aduan_e2e import Client

NAME, PHONE = "Bu Hotspot Rahmawati", "0813-4444-0177"
DESCRIPTION = "Balap liar setiap malam minggu di jalan lingkar Paringin"
HERE = (-2.336412, 115.466987)  # one cell at 0.001 degree: -2.336, 115.467
FAR = (-2.401234, 115.512345)


def new_case(admin, where, rahasia=False, category="trantibum"):
    return admin.create_case(category_id=admin.category_id(category), description=DESCRIPTION,
                             kecamatan_code="63.11.06", lat=where[0], lon=where[1],
                             rahasia=rahasia, reporter={"name": NAME, "phone": PHONE})


def hotspots(client, expect=200, **q):
    r = client.get("/api/v1/stats/hotspots", params=q or None)
    assert r.status == expect, r
    return r.json


def cell(j, lat, lon):
    for c in j["cells"]:
        if abs(c["lat"] - lat) < 1e-9 and abs(c["lon"] - lon) < 1e-9:
            return c
    return {"count": 0, "by_category": {}}


def test_counts_per_cell_kecamatan_and_category(server, admin, viewer):
    before = hotspots(viewer, cell="1")
    tram = admin.category_id("trantibum")
    new_case(admin, HERE)
    new_case(admin, HERE)
    new_case(admin, HERE, rahasia=True)  # counted: planning needs it, no one is named
    new_case(admin, FAR)
    after = hotspots(viewer, cell="1")
    assert after["cell_degrees"] == 0.001
    assert [a["code"] for a in after["agencies"]] == ["satpolpp"]
    assert after["total"] - before["total"] == 4
    here_b, here_a = cell(before, -2.336, 115.467), cell(after, -2.336, 115.467)
    assert here_a["count"] - here_b["count"] == 3
    assert here_a["by_category"][str(tram)] - here_b["by_category"].get(str(tram), 0) == 3
    assert cell(after, -2.401, 115.512)["count"] - cell(before, -2.401, 115.512)["count"] == 1
    kec = {k["code"]: k for k in after["kecamatan"]}
    kec_b = {k["code"]: k for k in before["kecamatan"]}
    assert kec["63.11.06"]["name"]
    assert kec["63.11.06"]["count"] - kec_b.get("63.11.06", {"count": 0})["count"] == 4
    cats = {c["id"]: c for c in after["categories"]}
    assert cats[tram]["code"] == "trantibum" and cats[tram]["agency"] == "satpolpp"
    assert cats[tram]["name"]

    # The default cell (0.005 degree) holds the 0.001 ones around it.
    coarse = hotspots(viewer)
    assert coarse["cell_degrees"] == 0.005
    assert sum(c["count"] for c in coarse["cells"]) == sum(c["count"] for c in after["cells"])
    assert len(coarse["cells"]) <= len(after["cells"])

    # Nothing that names a case, and no place finer than 0.001 degree.
    text = json.dumps(after)
    for secret in (NAME, "Rahmawati", "4444", "0177", "Balap", "tracking", "\"id\": %d" % 0):
        assert secret not in text, secret
    for c in after["cells"]:
        assert set(c) == {"lat", "lon", "count", "by_category"}
        assert round(c["lat"], 3) == c["lat"] and round(c["lon"], 3) == c["lon"]

    # A category filter: only its cases.
    only = hotspots(viewer, category=str(tram), cell="1")
    assert set(k for c in only["cells"] for k in c["by_category"]) <= {str(tram)}
    assert only["total"] == cats[tram]["count"]
    # A period without cases: nothing.
    empty = hotspots(viewer, **{"from": "2020-01-01", "to": "2020-01-31"})
    assert empty["total"] == 0 and empty["cells"] == [] and empty["kecamatan"] == []


def test_roles(server, users, admin, trc, kabid, viewer, sa, damkar):
    for c in (admin, kabid, viewer):
        assert [a["code"] for a in hotspots(c)["agencies"]] == ["satpolpp"]
    # A superadmin sees every agency, or the one asked for.
    assert len(hotspots(sa)["agencies"]) >= 3
    assert [a["code"] for a in hotspots(sa, agency="damkar")["agencies"]] == ["damkar"]
    # A field officer has no hotspot map; another agency's admin not this one.
    r = trc.get("/api/v1/stats/hotspots")
    assert r.status == 403, r
    r = damkar.get("/api/v1/stats/hotspots", params={"agency": "satpolpp"})
    assert r.status == 403 and "pimpinan" in r.json["error"]["detail"], r
    assert [a["code"] for a in hotspots(damkar)["agencies"]] == ["damkar"]
    # Another agency's category is not one to ask this agency about.
    r = admin.get("/api/v1/stats/hotspots", params={"category": damkar.category_id("kebakaran")})
    assert r.status == 400 and r.json["error"]["detail"].startswith("category:"), r
    r = Client(server.port).get("/api/v1/stats/hotspots")
    assert r.status == 401, r


def test_bad_input_is_refused(server, viewer):
    bad = [
        ({"from": "2026-13-01"}, "from: tanggal"),
        ({"to": "kemarin"}, "to: tanggal"),
        ({"from": "2026-05-02", "to": "2026-05-01"}, "from: harus sebelum to"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "from: periode paling lama"),
        ({"cell": "0"}, "cell:"),
        ({"cell": "101"}, "cell:"),
        ({"cell": "5x"}, "cell:"),
        ({"category": "abc"}, "category"),
        ({"category": "999999"}, "category:"),
        ({"agency": "tidak-ada"}, "agency: instansi tidak dikenal"),
    ]
    for q, why in bad:
        r = viewer.get("/api/v1/stats/hotspots", params=q)
        assert r.status == 400, (q, r)
        assert why in r.json["error"]["detail"], (q, r.json)
    r = viewer.get("/api/v1/stats/hotspots", params={"cell": "0"},
                   headers={"Accept-Language": "en"})
    assert r.status == 400 and "thousandths of a degree" in r.json["error"]["detail"], r
