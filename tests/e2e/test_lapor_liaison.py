"""The LAPOR! liaison (issue 17 §3): the national classification on every case
(API, list filter, CSV), the mark for LAPOR! and the worklist with its
copy-ready summary, and the webhooks' case shape carrying both. Both engines."""

import csv
import io

import pytest

import db_peek
from aduan_e2e import Client

BOM = b"\xef\xbb\xbf"


def put(client, cid, **body):
    return client.request("PUT", "/api/v1/cases/%d/lapor" % cid, json=body)


def worklist(client, **params):
    r = client.get("/api/v1/lapor/worklist", params=params)
    assert r.status == 200, r
    return r.json["items"]


def wl_ids(client, **params):
    return [x["id"] for x in worklist(client, **params)]


@pytest.fixture(scope="module")
def pkl(admin):
    return admin.category_id("pkl")


def test_every_case_has_a_class_pengaduan_by_default(admin, pkl):
    c = admin.create_case(category_id=pkl, description="Lapak qxliaison default")
    assert c["lapor_class"] == "pengaduan" and c["lapor_class_label"] == "Pengaduan"
    assert c["lapor_marked_at"] is None
    en = admin.get("/api/v1/cases/%d" % c["id"], lang="en").json
    assert en["lapor_class_label"] == "Complaint"


def test_the_desk_sets_the_class_with_an_event(admin, kabid, pkl):
    cid = admin.create_case(category_id=pkl, description="Usul qxliaison taman")["id"]
    before = len(admin.case(cid)["events"])
    r = put(kabid, cid, lapor_class="aspirasi")
    assert r.status == 200 and r.json["changed"] is True, r
    assert r.json["lapor_class"] == "aspirasi" and r.json["lapor_class_label"] == "Aspirasi"
    c = admin.case(cid)
    assert c["lapor_class"] == "aspirasi"
    ev = c["events"][-1]
    assert len(c["events"]) == before + 1
    assert ev["action"] == "lapor_class" and ev["note"] == "aspirasi" and ev["public"] is False
    assert ev["from_status"] == ev["to_status"] == "received"
    # The same class again changes nothing and adds no event.
    r = put(admin, cid, lapor_class="aspirasi")
    assert r.status == 200 and r.json["changed"] is False, r
    assert len(admin.case(cid)["events"]) == before + 1
    r = put(admin, cid, lapor_class="permintaan_informasi")
    assert r.json["lapor_class_label"] == "Permintaan informasi", r


@pytest.mark.parametrize("body", [
    {"lapor_class": "keluhan"}, {"lapor_class": "Pengaduan"}, {"lapor_class": ""},
    {"lapor_class": 1}, {"lapor_class": None}, {"lapor_marked": "ya"}, {"lapor_marked": 1},
    {"lapor_marked": True, "lapor_class": "x"}, {"lapor_class": "aspirasi",
                                                 "lapor_tracking_id": "abc"},
    {}, {"other": 1}])
def test_bad_input_is_refused_and_changes_nothing(admin, pkl, body):
    cid = admin.create_case(category_id=pkl, description="Lapak qxliaison bad")["id"]
    before = admin.case(cid)
    r = put(admin, cid, **body)
    assert r.status == 400 and r.code == "invalid", (body, r)
    after = admin.case(cid)
    assert after["events"] == before["events"]
    for k in ("lapor_class", "lapor_marked_at", "lapor_tracking_id"):
        assert after[k] == before[k]


def test_the_reason_in_the_request_language(admin, pkl):
    cid = admin.create_case(category_id=pkl, description="Lapak qxliaison lang")["id"]
    r = admin.request("PUT", "/api/v1/cases/%d/lapor" % cid, json={"lapor_class": "x"}, lang="en")
    assert "pengaduan, aspirasi or permintaan_informasi" in r.json["error"]["detail"], r
    r = put(admin, cid, lapor_class="x")
    assert "pengaduan, aspirasi atau permintaan_informasi" in r.json["error"]["detail"], r
    r = put(admin, cid)
    assert "isi lapor_tracking_id, lapor_class atau lapor_marked" in r.json["error"]["detail"]


def test_who_may_set_it(server, admin, trc, viewer, damkar, sa, pkl):
    cid = admin.create_case(category_id=pkl, description="Lapak qxliaison who")["id"]
    before = admin.case(cid)
    for client in (trc, viewer, damkar):
        for body in ({"lapor_class": "aspirasi"}, {"lapor_marked": True}):
            r = put(client, cid, **body)
            assert r.status == 403, (client, body, r)
    assert Client(server.port).request("PUT", "/api/v1/cases/%d/lapor" % cid,
                                       json={"lapor_marked": True}).status == 401
    assert admin.case(cid)["events"] == before["events"]
    assert put(sa, cid, lapor_class="aspirasi").status == 200


def test_the_list_and_csv_filter_by_class(admin, pkl):
    a = admin.create_case(category_id=pkl, description="Usul qxliaisonfilter a")["id"]
    b = admin.create_case(category_id=pkl, description="Tanya qxliaisonfilter b")["id"]
    c = admin.create_case(category_id=pkl, description="Aduan qxliaisonfilter c")["id"]
    assert put(admin, a, lapor_class="aspirasi").status == 200
    assert put(admin, b, lapor_class="permintaan_informasi").status == 200
    ids = lambda **p: [x["id"] for x in admin.list_cases(q="qxliaisonfilter", **p)["items"]]
    assert ids(lapor_class="aspirasi") == [a]
    assert ids(lapor_class="permintaan_informasi") == [b]
    assert ids(lapor_class="pengaduan") == [c]
    assert ids() == [c, b, a]
    for bad in ("x", "Aspirasi", "pengaduan,aspirasi"):
        r = admin.get("/api/v1/cases", params={"lapor_class": bad})
        assert r.status == 400 and "lapor_class" in r.json["error"]["detail"], (bad, r)
    r = admin.get("/api/v1/cases/export.csv",
                  params={"q": "qxliaisonfilter", "columns": "id,lapor_class"})
    assert r.status == 200, r
    rows = list(csv.DictReader(io.StringIO(r.body[len(BOM):].decode("utf-8"), newline="")))
    got = {int(x["ID"]): x["Klasifikasi LAPOR!"] for x in rows}
    assert got == {a: "Aspirasi", b: "Permintaan informasi", c: "Pengaduan"}
    r = admin.get("/api/v1/cases/export.csv",
                  params={"q": "qxliaisonfilter", "columns": "id,lapor_class",
                          "lapor_class": "aspirasi"}, lang="en")
    rows = list(csv.DictReader(io.StringIO(r.body[len(BOM):].decode("utf-8"), newline="")))
    assert [(int(x["ID"]), x["LAPOR! classification"]) for x in rows] == [(a, "Aspiration")]


# ---- the mark and the worklist -------------------------------------------------


@pytest.fixture(scope="module")
def work(admin, pkl):
    made = {}
    made["plain"] = admin.create_case(
        category_id=pkl, description="Pedagang qxliaisonwork menutup trotoar tiap pagi",
        address="Jl. A. Yani depan Pasar Paringin", kecamatan_code="63.11.07",
        lat=-2.3301, lon=115.4602,
        reporter={"name": "Siti Liaison", "phone": "081377780001"})["id"]
    made["anonim"] = admin.create_case(
        category_id=pkl, description="Lapak qxliaisonwork anonim", anonim=True,
        reporter={"name": "Budi Anonim", "phone": "081377780002"})["id"]
    made["rahasia"] = admin.create_case(
        category_id=pkl, description="Pungli qxliaisonwork rahasia", rahasia=True,
        reporter={"name": "Citra Rahasia", "phone": "081377780003"})["id"]
    made["unmarked"] = admin.create_case(category_id=pkl,
                                         description="Lapak qxliaisonwork tanpa tanda")["id"]
    return made


def test_marking_puts_a_case_on_the_worklist_oldest_first(admin, kabid, work):
    for key in ("rahasia", "plain", "anonim"):  # marked out of order
        r = put(admin, work[key], lapor_marked=True)
        assert r.status == 200 and r.json["changed"] and r.json["lapor_marked_at"], r
    ev = admin.case(work["plain"])["events"][-1]
    assert ev["action"] == "lapor_mark" and ev["public"] is False
    # Marking again changes nothing.
    r = put(admin, work["plain"], lapor_marked=True)
    assert r.status == 200 and r.json["changed"] is False, r
    got = wl_ids(kabid)
    mine = [i for i in got if i in work.values()]
    assert mine == [work["plain"], work["anonim"], work["rahasia"]]
    assert work["unmarked"] not in got
    assert got == sorted(got)  # oldest first
    # The inbox filter shows the same cases.
    listed = [x["id"] for x in admin.all_cases(lapor="marked")]
    assert set(mine) <= set(listed) and work["unmarked"] not in listed


def test_the_summary_is_copy_ready_and_hides_who_asked_to_be_hidden(admin, work):
    items = {x["id"]: x for x in worklist(admin)}
    plain = items[work["plain"]]["lapor_summary"]
    assert "Klasifikasi: Pengaduan" in plain
    assert "Kategori: " in plain and "Kecamatan: " in plain and "Kecamatan: -" not in plain
    assert "Jl. A. Yani depan Pasar Paringin" in plain and "-2.33010" in plain
    assert "Pedagang qxliaisonwork menutup trotoar tiap pagi" in plain
    assert "Tanggal dilaporkan: " in plain and "pukul" in plain
    assert "Pelapor: Siti Liaison" in plain
    assert items[work["plain"]]["tracking_code"] in plain
    anon = items[work["anonim"]]["lapor_summary"]
    assert "Budi" not in anon and "081377780002" not in anon and "ANONIM" in anon
    rah = items[work["rahasia"]]["lapor_summary"]
    assert "Citra" not in rah and "081377780003" not in rah and "RAHASIA" in rah
    # No phone number in any summary.
    assert "0813777800" not in plain


def test_the_tracking_id_entered_back_takes_it_off_the_list(admin, work):
    r = put(admin, work["plain"], lapor_tracking_id="#1916449")
    assert r.status == 200 and r.json["lapor_tracking_id"] == "1916449", r
    assert work["plain"] not in wl_ids(admin)
    # Still marked: it counts as forwarded.
    assert admin.case(work["plain"])["lapor_marked_at"]
    # Clearing the mark takes a case off too, with its event.
    r = put(admin, work["anonim"], lapor_marked=False)
    assert r.status == 200 and r.json["lapor_marked_at"] is None and r.json["changed"], r
    assert admin.case(work["anonim"])["events"][-1]["action"] == "lapor_unmark"
    assert work["anonim"] not in wl_ids(admin)
    assert work["rahasia"] in wl_ids(admin)


def test_the_worklist_is_agency_scoped(admin, damkar, trc, viewer, sa, work, server):
    fire = damkar.create_case(category_id=damkar.category_id("kebakaran"),
                              description="Asap qxliaisonwork damkar")["id"]
    assert put(damkar, fire, lapor_marked=True).status == 200
    assert fire in wl_ids(damkar) and work["rahasia"] not in wl_ids(damkar)
    assert fire not in wl_ids(admin)
    both = wl_ids(sa)
    assert fire in both and work["rahasia"] in both
    agency = admin.case(work["rahasia"])["agency"]["id"]
    assert fire not in wl_ids(sa, agency=agency)
    assert admin.get("/api/v1/lapor/worklist",
                     params={"agency": damkar.case(fire)["agency"]["id"]}).status == 403
    for client in (trc, viewer):
        assert client.get("/api/v1/lapor/worklist").status == 403
    assert Client(server.port).get("/api/v1/lapor/worklist").status == 401
    for bad in ({"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"agency": "x"}):
        assert admin.get("/api/v1/lapor/worklist", params=bad).status == 400, bad


def test_the_worklist_pages_by_since_id(admin, pkl):
    made = [admin.create_case(category_id=pkl, description="Lapak qxliaisonpage %d" % i)["id"]
            for i in range(3)]
    for cid in made:
        assert put(admin, cid, lapor_marked=True).status == 200
    first = admin.get("/api/v1/lapor/worklist", params={"limit": "1",
                                                        "since_id": str(made[0] - 1)}).json
    assert [x["id"] for x in first["items"]] == [made[0]]
    nxt = admin.get("/api/v1/lapor/worklist",
                    params={"limit": "2", "since_id": first["next_since_id"]}).json
    assert [x["id"] for x in nxt["items"]] == made[1:]


def test_the_worklist_read_of_a_named_reporter_is_audited(server, admin, work):
    q = "SELECT detail FROM audit_log WHERE action = ? AND login = ?"
    before = len(db_peek.sql(server, q, ["reporter_list_read", "admin.satpolpp"]))
    worklist(admin)
    assert len(db_peek.sql(server, q, ["reporter_list_read", "admin.satpolpp"])) == before + 1


def test_a_walk_in_may_carry_its_class(admin, pkl):
    c = admin.create_case(category_id=pkl, description="Tanya qxliaisonwalk izin",
                          lapor_class="permintaan_informasi")
    assert c["lapor_class"] == "permintaan_informasi", c
    for bad in ("informasi", 3, ""):
        r = admin.post("/api/v1/cases", json={"category_id": pkl, "lapor_class": bad,
                                              "description": "Tanya qxliaisonwalkbad"})
        assert r.status == 400 and "lapor_class" in r.json["error"]["detail"], (bad, r)
    r = admin.post("/api/v1/cases", json={"category_id": pkl, "lapor_class": "x",
                                          "description": "Tanya qxliaisonwalkbad"})
    assert "atau permintaan_informasi" in r.json["error"]["detail"], r
    assert admin.list_cases(q="qxliaisonwalkbad")["items"] == []


def test_the_cli_export_filters_by_class_and_mark(server, admin, pkl):
    a = admin.create_case(category_id=pkl, description="Usul qxliaisoncli a")["id"]
    b = admin.create_case(category_id=pkl, description="Usul qxliaisoncli b")["id"]
    assert put(admin, a, lapor_class="aspirasi", lapor_marked=True).status == 200

    def ids(*args):
        r = server.cli("export", "--q", "qxliaisoncli", "--columns", "id,lapor_class", *args,
                       "-o", "-")
        assert r.returncode == 0, r.stderr
        rows = list(csv.DictReader(io.StringIO(r.stdout.lstrip("\ufeff"), newline="")))
        return sorted(int(x["ID"]) for x in rows)

    assert ids() == [a, b]
    assert ids("--lapor-class", "aspirasi") == [a]
    assert ids("--lapor-class", "pengaduan") == [b]
    assert ids("--lapor", "marked") == [a]
    r = server.cli("export", "--lapor-class", "keluhan", "-o", "-")
    assert r.returncode == 2 and "--lapor-class" in r.stderr
