"""The operator's inbox tools (issue 18, "find anything"): saved filters per
user (GET/POST /api/v1/me/filters, DELETE /api/v1/me/filters/{id}) and bulk
actions on selected cases (POST /api/v1/cases/bulk: assign, verify, close as
duplicate), each case through the single action's checks and transition, in
its own transaction, with a result per id. Bad input changes nothing. Both
engines."""

import pytest

from aduan_e2e import snapshot
from test_live_ops import Stream

FILTERS = "/api/v1/me/filters"
BULK = "/api/v1/cases/bulk"


def names(client):
    r = client.get(FILTERS)
    assert r.status == 200, r
    return [f["name"] for f in r.json["items"]]


def bulk(client, **body):
    return client.post(BULK, json=body)


@pytest.fixture(scope="module")
def pkl(admin):
    return admin.category_id("pkl")


def new_cases(admin, pkl, n, tag):
    return [admin.create_case(category_id=pkl, description="Lapak %s %d" % (tag, i))["id"]
            for i in range(n)]


# ---- saved filters ---------------------------------------------------------------------


def test_a_user_saves_lists_and_deletes_their_filters(admin, kabid):
    r = admin.post(FILTERS, json={"name": "PKL baru milik saya",
                                  "query": {"status": "received", "category": 3,
                                            "assignee": "me", "q": "lapak"}})
    assert r.status == 201, r
    f = r.json
    # Numbers are kept as the inbox sends them: text.
    assert f["name"] == "PKL baru milik saya" and f["query"] == {
        "status": "received", "category": "3", "assignee": "me", "q": "lapak"}
    assert "PKL baru milik saya" in names(admin)
    # Only the owner sees it, and only the owner deletes it: for anyone else
    # it does not exist.
    assert "PKL baru milik saya" not in names(kabid)
    r = kabid.request("DELETE", "%s/%d" % (FILTERS, f["id"]))
    assert r.status == 404 and r.code == "not_found", r
    assert "PKL baru milik saya" in names(admin)
    r = admin.request("DELETE", "%s/%d" % (FILTERS, f["id"]))
    assert r.status == 200 and r.json["deleted"] is True, r
    assert "PKL baru milik saya" not in names(admin)
    r = admin.request("DELETE", "%s/%d" % (FILTERS, f["id"]))
    assert r.status == 404, r


def test_a_name_is_once_per_user(admin, kabid):
    body = {"name": "Darurat", "query": {"status": "received"}}
    assert admin.post(FILTERS, json=body).status == 201
    r = admin.post(FILTERS, json=body)
    assert r.status == 409 and "name" in r.json["error"]["detail"], r
    assert names(admin).count("Darurat") == 1
    # Another user may use the same name.
    assert kabid.post(FILTERS, json=body).status == 201


@pytest.mark.parametrize("body", [
    {"query": {"status": "received"}},
    {"name": "", "query": {"status": "received"}},
    {"name": "   ", "query": {"status": "received"}},
    {"name": "x" * 61, "query": {"status": "received"}},
    {"name": 5, "query": {"status": "received"}},
    {"name": "Tanpa query"},
    {"name": "Query teks", "query": "status=received"},
    {"name": "Query kosong", "query": {}},
    {"name": "Kunci asing", "query": {"limit": "5"}},
    {"name": "Kunci asing 2", "query": {"status": "received", "cursor": "9"}},
    {"name": "Kunci aneh", "query": {"k\u00e9y" * 30: "x"}},
    {"name": "Status asing", "query": {"status": "selesai"}},
    {"name": "Pemilik asing", "query": {"assignee": "dia"}},
    {"name": "Nilai kosong", "query": {"q": ""}},
    {"name": "Nilai panjang", "query": {"q": "x" * 201}},
    {"name": "Nilai daftar", "query": {"category": [1, 2]}},
    {"name": "Nilai nol", "query": {"category": 0}},
])
def test_a_bad_filter_is_refused_and_nothing_is_saved(admin, body):
    before = names(admin)
    r = admin.post(FILTERS, json=body)
    assert r.status == 400 and r.code == "invalid", (body, r)
    assert r.json["error"]["detail"]
    assert names(admin) == before


def test_the_detail_is_indonesian_first(admin):
    r = admin.post(FILTERS, json={"name": "A", "query": {"limit": "5"}})
    assert r.status == 400 and "filter tidak dikenal" in r.json["error"]["detail"], r
    r = admin.post(FILTERS, json={"name": "A", "query": {"limit": "5"}}, lang="en")
    assert r.status == 400 and "unknown filter" in r.json["error"]["detail"], r


def test_at_most_thirty_filters_per_user(viewer):
    have = len(names(viewer))
    for i in range(30 - have):
        r = viewer.post(FILTERS, json={"name": "Filter %02d" % i, "query": {"q": "x%d" % i}})
        assert r.status == 201, r
    r = viewer.post(FILTERS, json={"name": "Satu lagi", "query": {"q": "y"}})
    assert r.status == 400 and "30" in r.json["error"]["detail"], r
    assert len(names(viewer)) == 30
    # Deleting one makes room.
    first = viewer.get(FILTERS).json["items"][0]["id"]
    assert viewer.request("DELETE", "%s/%d" % (FILTERS, first)).status == 200
    assert viewer.post(FILTERS, json={"name": "Satu lagi", "query": {"q": "y"}}).status == 201


def test_filters_need_a_session(users):
    anon = users.anon()
    assert anon.get(FILTERS).status == 401
    assert anon.post(FILTERS, json={"name": "A", "query": {"q": "a"}}).status == 401


# ---- bulk actions ----------------------------------------------------------------------


def test_bulk_verify_of_two_cases(admin, pkl):
    a, b = new_cases(admin, pkl, 2, "qxbulkverify")
    r = bulk(admin, action="verify", ids=[a, b], note="dicek bersama")
    assert r.status == 200, r
    assert r.json["ok"] == 2 and r.json["failed"] == 0
    assert r.json["results"] == [{"id": a, "ok": True}, {"id": b, "ok": True}]
    for cid in (a, b):
        c = admin.case(cid)
        assert c["status"] == "verified"
        ev = c["events"][-1]
        # The same event as the single transition.
        assert ev["action"] == "verify" and ev["actor_name"] == "Operator Satpol PP"


def test_a_superadmin_works_any_agency(sa, admin, damkar, pkl):
    mine = new_cases(admin, pkl, 1, "qxbulksa")[0]
    fire = damkar.create_case(category_id=damkar.category_id("kebakaran"),
                              description="Api qxbulksa")["id"]
    r = bulk(sa, action="verify", ids=[mine])
    assert r.status == 200 and r.json["ok"] == 1, r
    assert admin.case(mine)["status"] == "verified"
    # Damkar's admin may own Damkar's case, not Satpol PP's: checked per case.
    r = bulk(sa, action="assign", ids=[mine, fire], user_id=damkar.user_id)
    assert r.status == 200 and r.json["ok"] == 1, r
    assert r.json["results"][0]["error"]["code"] == "invalid"
    assert "user_id" in r.json["results"][0]["error"]["detail"]
    assert damkar.case(fire)["assignee"]["id"] == damkar.user_id
    assert admin.case(mine)["assignee"] is None


def test_bulk_assign_to_me_to_a_person_and_to_nobody(admin, kabid, pkl):
    ids = new_cases(admin, pkl, 3, "qxbulkassign")
    r = bulk(kabid, action="assign", ids=ids, user_id="me")
    assert r.status == 200 and r.json["ok"] == 3, r
    assert all(admin.case(i)["assignee"]["id"] == kabid.user_id for i in ids)
    mine = [c["id"] for c in kabid.all_cases(assignee="me")]
    assert set(ids) <= set(mine)
    r = bulk(kabid, action="assign", ids=ids[:2], user_id=admin.user_id)
    assert r.status == 200 and r.json["ok"] == 2, r
    assert admin.case(ids[0])["assignee"]["id"] == admin.user_id
    assert admin.case(ids[0])["events"][-1]["action"] == "assign"
    r = bulk(admin, action="assign", ids=ids, user_id=None)
    assert r.status == 200 and r.json["ok"] == 3, r
    assert all(admin.case(i)["assignee"] is None for i in ids)


def test_bulk_close_as_duplicate(admin, pkl):
    master, d1, d2 = new_cases(admin, pkl, 3, "qxbulkdup")
    r = bulk(admin, action="duplicate", ids=[d1, d2], master_id=master)
    assert r.status == 200 and r.json["ok"] == 2, r
    for cid in (d1, d2):
        c = admin.case(cid)
        assert c["dispatch"]["follows"] == master and c["events"][-1]["action"] == "merge"
    assert admin.case(master)["dispatch"]["followers"] == 2
    # The master itself among the ids: that one is refused, as the single merge.
    x = new_cases(admin, pkl, 1, "qxbulkdup2")[0]
    r = bulk(admin, action="duplicate", ids=[x, master], master_id=x)
    assert r.status == 200 and r.json["ok"] == 0, r
    res = {x["id"]: x for x in r.json["results"]}
    assert res[x]["error"]["code"] == "invalid"
    assert res[master]["error"]["code"] == "conflict"  # others follow it


def test_each_case_is_checked_on_its_own(admin, damkar, pkl):
    ok, done = new_cases(admin, pkl, 2, "qxbulkmixed")
    admin.act(done, "verify")
    fire = damkar.create_case(category_id=damkar.category_id("kebakaran"),
                              description="Api kecil qxbulkmixed")["id"]
    before = snapshot(damkar.case(fire))
    r = bulk(admin, action="verify", ids=[ok, 99999999, fire, done])
    assert r.status == 200, r
    assert r.json["ok"] == 1 and r.json["failed"] == 3
    res = {x["id"]: x for x in r.json["results"]}
    assert res[ok] == {"id": ok, "ok": True}
    assert res[99999999]["error"]["code"] == "not_found"
    assert res[fire]["error"]["code"] == "forbidden" and res[fire]["error"]["detail"]
    assert res[done]["error"]["code"] == "conflict"
    assert [x["id"] for x in r.json["results"]] == [ok, 99999999, fire, done]
    assert admin.case(ok)["status"] == "verified"
    assert snapshot(damkar.case(fire)) == before


def test_a_desk_of_another_agency_changes_nothing(admin, damkar, pkl):
    cid = new_cases(admin, pkl, 1, "qxbulkother")[0]
    before = snapshot(admin.case(cid))
    for body in ({"action": "verify"}, {"action": "assign", "user_id": "me"}):
        r = bulk(damkar, ids=[cid], **body)
        assert r.status == 200 and r.json["failed"] == 1, r
        assert r.json["results"][0]["error"]["code"] == "forbidden"
    assert snapshot(admin.case(cid)) == before


def test_roles_that_do_not_work_the_desk_are_refused(trc, viewer, admin, pkl):
    cid = new_cases(admin, pkl, 1, "qxbulkrole")[0]
    for who in (trc, viewer):
        r = bulk(who, action="verify", ids=[cid])
        assert r.status == 403 and r.code == "forbidden", r
    assert admin.case(cid)["status"] == "received"


@pytest.mark.parametrize("body", [
    {},
    {"ids": [1]},
    {"action": "close", "ids": [1]},
    {"action": 5, "ids": [1]},
    {"action": "verify"},
    {"action": "verify", "ids": []},
    {"action": "verify", "ids": "1,2"},
    {"action": "verify", "ids": list(range(1, 102))},
    {"action": "verify", "ids": [1, "2"]},
    {"action": "verify", "ids": [1, 0]},
    {"action": "verify", "ids": [1, 1]},
    {"action": "verify", "ids": [1], "note": "x" * 2001},
    {"action": "assign", "ids": [1]},
    {"action": "assign", "ids": [1], "user_id": "dia"},
    {"action": "assign", "ids": [1], "user_id": 0},
    {"action": "duplicate", "ids": [1]},
    {"action": "duplicate", "ids": [1], "master_id": "1"},
    {"action": "duplicate", "ids": [1], "master_id": 99999999},
])
def test_bad_bulk_input_is_refused_and_changes_nothing(admin, pkl, body):
    cid = new_cases(admin, pkl, 1, "qxbulkbad")[0]
    body = dict(body)
    if "ids" in body and body["ids"] == [1]:
        body["ids"] = [cid]
    if body.get("ids") == [1, 1]:
        body["ids"] = [cid, cid]
    before = snapshot(admin.case(cid))
    r = bulk(admin, **body)
    assert r.status == 400 and r.code == "invalid", (body, r)
    assert r.json["error"]["detail"]
    assert snapshot(admin.case(cid)) == before


def test_a_master_of_another_agency_is_refused(admin, damkar, pkl):
    fire = damkar.create_case(category_id=damkar.category_id("kebakaran"),
                              description="Api qxbulkmaster")["id"]
    cid = new_cases(admin, pkl, 1, "qxbulkmaster")[0]
    r = bulk(admin, action="duplicate", ids=[cid], master_id=fire)
    assert r.status == 400 and "master_id" in r.json["error"]["detail"], r
    assert admin.case(cid)["dispatch"]["follows"] is None


def test_bulk_changes_reach_the_live_stream(server, admin, kabid, pkl):
    """The same live events as the single actions: a desk's open inbox
    hears of each case the bulk action changed."""
    a, b = new_cases(admin, pkl, 2, "qxbulklive")
    s = Stream(server.port, kabid)
    try:
        assert s.status == 200
        assert bulk(admin, action="verify", ids=[a, b]).json["ok"] == 2
        seen = set()
        for _ in range(20):
            ev = s.until(lambda e: e["event"] == "case", timeout=3.0)
            if ev is None:
                break
            for cid in (a, b):
                if '"case_id":%d,' % cid in ev["data"] or '"case_id":%d}' % cid in ev["data"]:
                    seen.add(cid)
            if seen == {a, b}:
                break
        assert seen == {a, b}
    finally:
        s.close()
