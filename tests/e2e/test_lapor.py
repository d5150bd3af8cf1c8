"""The LAPOR! tracking number can be recorded on any case (issue 13, item 8):
PUT /api/v1/cases/{id}/lapor (admin, supervisor) with an internal event, the
inbox filter lapor=yes|no ("sudah/belum diteruskan ke LAPOR!") in the list,
the HTTP CSV export and `aduan export --lapor`. Both engines."""

import csv
import io
import re

import pytest

from aduan_e2e import Client
from wa_helpers import Citizen, desk, superadmin, text_of  # noqa: F401

BOM = b"\xef\xbb\xbf"


def put(client, cid, value, **kw):
    return client.request("PUT", "/api/v1/cases/%d/lapor" % cid,
                          json={"lapor_tracking_id": value}, **kw)


def events(client, cid):
    return client.case(cid)["events"]


@pytest.fixture(scope="module")
def cases(admin):
    pkl = admin.category_id("pkl")
    made = [admin.create_case(category_id=pkl, description="Lapak qxlapor%d di trotoar" % i)["id"]
            for i in range(3)]
    return made


def test_admin_records_the_number_with_an_event(admin, cases):
    cid = cases[0]
    before = len(events(admin, cid))
    r = put(admin, cid, "1916449")
    assert r.status == 200, r
    assert r.json["lapor_tracking_id"] == "1916449" and r.json["changed"] is True
    assert r.json["status"] == "received"  # the status does not move
    c = admin.case(cid)
    assert c["lapor_tracking_id"] == "1916449"
    ev = c["events"][-1]
    assert len(c["events"]) == before + 1
    assert ev["action"] == "lapor_set" and ev["note"] == "1916449"
    assert ev["actor_name"] == "Operator Satpol PP" and ev["public"] is False
    assert ev["from_status"] == ev["to_status"] == "received"
    # The same number again, typed as LAPOR! shows it: no change, no event.
    r = put(admin, cid, "  #1916449 ")
    assert r.status == 200 and r.json["changed"] is False, r
    assert len(events(admin, cid)) == before + 1


def test_the_supervisor_changes_and_clears_it(kabid, admin, cases):
    cid = cases[1]
    assert put(kabid, cid, "4352158").json["lapor_tracking_id"] == "4352158"
    r = put(kabid, cid, "#20250012345")
    assert r.status == 200 and r.json["lapor_tracking_id"] == "20250012345", r
    r = put(kabid, cid, "")
    assert r.status == 200 and r.json["lapor_tracking_id"] is None and r.json["changed"], r
    ev = events(admin, cid)
    assert [e["action"] for e in ev[-3:]] == ["lapor_set", "lapor_set", "lapor_clear"]
    assert ev[-1]["note"] is None and ev[-1]["actor_name"] == "Kepala Bidang Trantibum"
    # null clears too; clearing a cleared number changes nothing.
    r = put(kabid, cid, None)
    assert r.status == 200 and r.json["changed"] is False, r


@pytest.mark.parametrize("value", ["abc", "123", "1916449x", "19 16 449", "+6281234567890",
                                   "1234567890123456", "LAPOR-2026-0042", "#", "１９１６４４９",
                                   1916449, True, ["1916449"]])
def test_a_bad_number_is_refused_and_changes_nothing(admin, cases, value):
    cid = cases[2]
    before = admin.case(cid)
    r = put(admin, cid, value)
    assert r.status == 400 and r.code == "invalid", (value, r)
    assert "lapor_tracking_id" in r.json["error"]["detail"]
    after = admin.case(cid)
    assert after["lapor_tracking_id"] == before["lapor_tracking_id"]
    assert after["events"] == before["events"]


def test_bad_requests(admin, cases):
    cid = cases[2]
    before = admin.case(cid)
    assert admin.request("PUT", "/api/v1/cases/%d/lapor" % cid, json={}).status == 400
    assert admin.request("PUT", "/api/v1/cases/%d/lapor" % cid, body=b"1916449",
                         content_type="text/plain").status in (400, 415)
    assert admin.request("PUT", "/api/v1/cases/%d/lapor" % cid, body=b"{",
                         content_type="application/json").status == 400
    assert put(admin, 999999, "1916449").status == 404
    assert put(admin, cid, "1916449", csrf=False).status == 403
    assert admin.post("/api/v1/cases/%d/lapor" % cid, json={"lapor_tracking_id": "1"}).status == 405
    # The reason in the request's language.
    r = put(admin, cid, "abc", lang="en")
    assert "a LAPOR! Tracking ID is a number" in r.json["error"]["detail"]
    r = put(admin, cid, "abc")
    assert "berupa angka" in r.json["error"]["detail"]
    assert admin.case(cid)["events"] == before["events"]


def test_who_may_record_it(server, admin, trc, viewer, damkar, sa, cases):
    cid = cases[2]
    before = admin.case(cid)
    for client in (trc, viewer, damkar):
        r = put(client, cid, "5551234")
        assert r.status == 403 and r.code == "forbidden", r
    assert Client(server.port).request("PUT", "/api/v1/cases/%d/lapor" % cid,
                                       json={"lapor_tracking_id": "5551234"}).status == 401
    assert admin.case(cid)["events"] == before["events"]
    r = put(sa, cid, "5551234")
    assert r.status == 200 and r.json["lapor_tracking_id"] == "5551234", r
    assert put(sa, cid, "").status == 200


def test_any_status_even_closed(admin, kabid):
    cid = admin.create_case(category_id=admin.category_id("pkl"),
                            description="Lapak qxlaporclosed di trotoar")["id"]
    admin.act(cid, "reject", public_note="Bukan wewenang")
    r = put(kabid, cid, "7654321")
    assert r.status == 200 and r.json["status"] == "rejected", r


def test_a_walk_in_with_a_number_is_checked_the_same_way(admin):
    pkl = admin.category_id("pkl")
    c = admin.create_case(category_id=pkl, description="Datang qxlaporwalk",
                          lapor_tracking_id="#1234567")
    assert c["lapor_tracking_id"] == "1234567"
    r = admin.post("/api/v1/cases", json={"category_id": pkl, "description": "x qxlaporbad",
                                          "lapor_tracking_id": "nomor saya"})
    assert r.status == 400 and "lapor_tracking_id" in r.json["error"]["detail"], r


# ---- the inbox filter and the exports -------------------------------------------


@pytest.fixture(scope="module")
def marked(admin):
    pkl = admin.category_id("pkl")
    yes = [admin.create_case(category_id=pkl, description="Lapak qxlaporfilter ya %d" % i)["id"]
           for i in range(2)]
    no = admin.create_case(category_id=pkl, description="Lapak qxlaporfilter belum")["id"]
    for i, cid in enumerate(yes):
        assert put(admin, cid, "88800%d" % i).status == 200
    admin.act(yes[1], "verify")
    return {"yes": yes, "no": no}


def ids(page):
    return [x["id"] for x in page["items"]]


def test_the_list_filters_forwarded_or_not(admin, marked):
    got = admin.all_cases(lapor="yes")
    assert set(marked["yes"]) <= {x["id"] for x in got}
    assert marked["no"] not in [x["id"] for x in got]
    assert all(x["lapor_tracking_id"] for x in got)
    got = admin.all_cases(lapor="no")
    assert marked["no"] in [x["id"] for x in got]
    assert not set(marked["yes"]) & {x["id"] for x in got}
    assert all(x["lapor_tracking_id"] is None for x in got)
    # With the other filters and the text search.
    assert ids(admin.list_cases(lapor="yes", q="qxlaporfilter")) == sorted(marked["yes"],
                                                                           reverse=True)
    assert ids(admin.list_cases(lapor="no", q="qxlaporfilter")) == [marked["no"]]
    assert ids(admin.list_cases(lapor="yes", status="verified", q="qxlaporfilter")) == \
        [marked["yes"][1]]
    for bad in ("maybe", "1", "YES", ""):
        r = admin.get("/api/v1/cases", params={"lapor": bad})
        if bad == "":
            assert r.status == 200, r  # an empty value is no filter
        else:
            assert r.status == 400 and "lapor" in r.json["error"]["detail"], (bad, r)


def csv_rows(body):
    assert body.startswith(BOM)
    return list(csv.DictReader(io.StringIO(body[len(BOM):].decode("utf-8"), newline="")))


def test_the_csv_export_filters_too(admin, marked):
    r = admin.get("/api/v1/cases/export.csv",
                  params={"lapor": "yes", "columns": "id,lapor_tracking_id", "q": "qxlaporfilter"})
    assert r.status == 200, r
    rows = csv_rows(r.body)
    assert sorted(int(x["ID"]) for x in rows) == sorted(marked["yes"])
    assert all(x["Nomor LAPOR!"] for x in rows)
    r = admin.get("/api/v1/cases/export.csv",
                  params={"lapor": "no", "columns": "id,lapor_tracking_id", "q": "qxlaporfilter"})
    assert [int(x["ID"]) for x in csv_rows(r.body)] == [marked["no"]]
    assert admin.get("/api/v1/cases/export.csv", params={"lapor": "x"}).status == 400


def test_the_cli_export_filters_too(server, marked):
    r = server.cli("export", "--lapor", "yes", "--q", "qxlaporfilter", "--columns",
                   "id,lapor_tracking_id", "-o", "-")
    assert r.returncode == 0, r.stderr
    rows = csv_rows(r.stdout.encode("utf-8"))
    assert sorted(int(x["ID"]) for x in rows) == sorted(marked["yes"])
    r = server.cli("export", "--lapor", "no", "--q", "qxlaporfilter", "--columns", "id", "-o", "-")
    assert r.returncode == 0, r.stderr
    assert [int(x["ID"]) for x in csv_rows(r.stdout.encode("utf-8"))] == [marked["no"]]
    r = server.cli("export", "--lapor", "maybe", "-o", "-")
    assert r.returncode == 2 and "--lapor" in r.stderr
    assert "--lapor yes|no" in server.cli("help", "export").stdout + \
        server.cli("help", "export").stderr


# ---- a WhatsApp case: the case that motivated the item -------------------------


def test_a_whatsapp_case_gets_its_number(desk):  # noqa: F811
    srv, graph = desk
    w = Citizen(srv, graph, "6281234561301", name="Rina")
    w.text("halo")
    w.tap("menu:report")
    w.tap("consent:yes", button=True)
    w.tap("cat:1")
    w.text("Pedagang menutup trotoar depan pasar setiap pagi")
    w.say("location", lat=-2.33, lon=115.46)
    w.tap("photos:skip", button=True)
    done = text_of(w.tap("confirm:send", button=True)[0])
    code = re.search(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*", done).group(1)
    sa = superadmin(srv)
    cid = [c for c in sa.all_cases() if c["tracking_code"] == code][0]["id"]
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    assert admin.case(cid)["channel"] == "whatsapp"
    r = put(admin, cid, "1916449")
    assert r.status == 200 and r.json["lapor_tracking_id"] == "1916449", r
    assert cid in ids(admin.list_cases(lapor="yes"))
    # An internal event: nothing goes to the citizen, nothing on the public page.
    public = Client(srv.port).get("/api/v1/public/cases/" + code).json
    assert "1916449" not in str(public)
