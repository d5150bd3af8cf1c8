"""The case lifecycle over HTTP: the happy paths, forwards, emergencies,
service requests, refused steps and concurrent steps."""

import re
import threading

import pytest

from aduan_e2e import TRACKING_RE, snapshot


@pytest.fixture(scope="module")
def ids(admin):
    """Ids of the demo's categories and teams, looked up by name."""
    return {
        "trantibum": admin.category_id("trantibum"),
        "pkl": admin.category_id("pkl"),
        "kebakaran": admin.category_id("kebakaran"),
        "akta_kelahiran": admin.category_id("akta_kelahiran"),
        "paringin": admin.team_id("TRC Pos Paringin"),
        "juai": admin.team_id("TRC Pos Juai"),
    }


CASE_KEYS = {"id", "tracking_code", "agency", "category", "kind", "channel", "status",
             "status_label", "priority", "description", "address", "kecamatan", "location",
             "team", "rahasia", "anonim", "lapor_tracking_id", "forwarded_from", "forwarded_to",
             "reporter", "created_at", "updated_at", "sla_state", "sla", "kecamatan_outside",
             "chat_updates", "notify_channel", "notify_consent_at",
             # Issue 17 §3: the LAPOR! liaison.
             "lapor_class", "lapor_class_label", "lapor_marked_at",
             "assignee"}  # issue 18: the person who owns the case
EVENT_KEYS = {"seq", "action", "from_status", "to_status", "actor_id", "actor_name", "note",
              "public_note", "team_id", "target_agency_id", "public", "at"}
# Times are RFC 3339 in the deployment's zone (default Asia/Makassar, +08:00).
RFC3339_WITA = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def new_complaint(admin, ids, text="Keributan di depan pasar tiap malam"):
    c = admin.create_case(category_id=ids["trantibum"], description=text)
    assert c["status"] == "received"
    return c


def assert_unchanged(client, cid, before):
    after = client.case(cid)
    assert snapshot(after) == snapshot(before)
    assert len(after["events"]) == len(before["events"])


# ---- 11: the whole way of a complaint ---------------------------------------


def test_full_happy_path(admin, kabid, trc, ids):
    created = admin.create_case(
        category_id=ids["trantibum"], channel="walk_in",
        description="Keributan di depan pasar tiap malam, balap liar",
        address="Jl. A. Yani", kecamatan_code="63.11.06", lat=-2.341, lon=115.470,
        rahasia=True, lapor_tracking_id="1916449",
        reporter={"name": "Budi", "phone": "0812-3456-7890"})
    cid = created["id"]
    assert set(created) == CASE_KEYS
    assert TRACKING_RE.match(created["tracking_code"]), created["tracking_code"]
    assert created["status"] == "received"
    assert created["status_label"] == "Diterima"
    assert created["kind"] == "complaint"
    assert created["channel"] == "walk_in"
    assert created["priority"] == "normal"
    assert created["agency"]["id"] == 1
    assert created["category"]["code"] == "trantibum"
    assert created["kecamatan"] == {"code": "63.11.06", "name": "Paringin"}
    assert created["location"] == {"lat": -2.341, "lon": 115.470}
    assert created["rahasia"] is True and created["anonim"] is False
    assert created["team"] is None
    assert created["reporter"] == {"name": "Budi", "phone": "6281234567890",
                                   "mobile": "6281234567890"}
    assert created["forwarded_from"] is None and created["forwarded_to"] is None

    c = admin.act(cid, "verify")
    assert c["status"] == "verified" and isinstance(c["event_id"], int)
    assert c["new_case_id"] is None
    c = kabid.act(cid, "dispatch", team_id=ids["paringin"])
    assert c["status"] == "dispatched"
    assert c["team"] == {"id": ids["paringin"], "name": "TRC Pos Paringin"}
    c = trc.act(cid, "start")
    assert c["status"] == "in_progress"
    c = trc.act(cid, "resolve", public_note="Para pemuda dibubarkan dan diberi pembinaan")
    assert c["status"] == "resolved"
    c = admin.act(cid, "close")
    assert c["status"] == "closed" and c["status_label"] == "Ditutup"

    full = admin.case(cid)
    assert set(full) == CASE_KEYS | {"events", "attachments", "dispatch", "actions"}
    assert full["actions"] == []  # closed: only a supervisor may reopen
    assert full["tracking_code"] == created["tracking_code"]
    assert full["lapor_tracking_id"] == "1916449"
    assert full["created_at"] == created["created_at"]
    assert RFC3339_WITA.match(full["created_at"]), full["created_at"]
    assert RFC3339_WITA.match(full["updated_at"]) and full["updated_at"] >= full["created_at"]
    assert full["attachments"] == []
    ev = full["events"]
    for e in ev:
        assert set(e) == EVENT_KEYS, e
        assert RFC3339_WITA.match(e["at"]), e
    expected = [
        (1, "create", None, "received", admin.user_id),
        (2, "verify", "received", "verified", admin.user_id),
        (3, "dispatch", "verified", "dispatched", kabid.user_id),
        (4, "start", "dispatched", "in_progress", trc.user_id),
        (5, "resolve", "in_progress", "resolved", trc.user_id),
        (6, "close", "resolved", "closed", admin.user_id),
    ]
    got = [(e["seq"], e["action"], e["from_status"], e["to_status"], e["actor_id"]) for e in ev]
    assert got == expected
    assert [e["actor_name"] for e in ev] == [
        "Operator Satpol PP", "Operator Satpol PP", "Kepala Bidang Trantibum",
        "Anggota TRC Paringin", "Anggota TRC Paringin", "Operator Satpol PP"]
    assert ev[2]["team_id"] == ids["paringin"]
    assert ev[4]["public_note"] == "Para pemuda dibubarkan dan diberi pembinaan"
    assert ev[4]["note"] is None
    assert all(e["at"] for e in ev)
    assert [e["at"] for e in ev] == sorted(e["at"] for e in ev)

    # Only the supervisor may reopen a closed case, and only with a note.
    before = admin.case(cid)
    r = admin.transition(cid, "reopen", note="warga bilang masih ramai")
    assert r.status == 403 and r.code == "forbidden", r
    r = kabid.transition(cid, "reopen")
    assert r.status == 400 and r.code == "invalid", r
    assert_unchanged(admin, cid, before)
    c = kabid.act(cid, "reopen", note="Warga melapor balap liar terjadi lagi")
    assert c["status"] == "reopened"
    ev = admin.case(cid)["events"]
    assert len(ev) == 7
    assert (ev[6]["seq"], ev[6]["action"], ev[6]["from_status"], ev[6]["to_status"],
            ev[6]["actor_id"], ev[6]["note"]) == (
        7, "reopen", "closed", "reopened", kabid.user_id, "Warga melapor balap liar terjadi lagi")
    # A reopened case goes back to the field.
    assert trc.act(cid, "start")["status"] == "in_progress"


def test_hold_resume_and_reject(admin, kabid, ids):
    cid = new_complaint(admin, ids)["id"]
    c = admin.act(cid, "hold", public_note="Mohon kirim lokasi yang tepat")
    assert c["status"] == "on_hold"
    assert admin.act(cid, "resume")["status"] == "received"
    assert admin.act(cid, "reject", public_note="Bukan kewenangan Satpol PP")["status"] == "rejected"
    ev = admin.case(cid)["events"]
    assert [e["action"] for e in ev] == ["create", "hold", "resume", "reject"]
    # resume is internal, the others are shown on the public page.
    assert [e["public"] for e in ev[1:]] == [True, False, True]


def test_english_status_label(admin, ids):
    cid = new_complaint(admin, ids)["id"]
    r = admin.get("/api/v1/cases/%d?lang=en" % cid)
    assert r.status == 200
    assert r.json["status_label"] == "Received"
    r = admin.get("/api/v1/cases/%d" % cid, lang="en")
    assert r.json["status_label"] == "Received"


# ---- 8: refused transitions --------------------------------------------------


def test_transitions_the_table_forbids_are_409(admin, kabid, trc, ids):
    cid = new_complaint(admin, ids)["id"]
    before = admin.case(cid)
    for who, action, extra in [
        (admin, "close", {}),
        (kabid, "start", {}),
        (kabid, "resolve", {"public_note": "selesai"}),
        (admin, "resume", {}),
        (kabid, "reopen", {"note": "lagi"}),
        (admin, "check", {}),     # a service step on a complaint
        (admin, "issue", {}),
        (kabid, "dispatch", {"team_id": ids["paringin"]}),  # a complaint must be verified first
    ]:
        r = who.transition(cid, action, **extra)
        assert r.status == 409, (action, r)
        assert r.code == "conflict", (action, r)
    assert_unchanged(admin, cid, before)

    # The same step twice: the second is a conflict.
    assert admin.act(cid, "verify")["status"] == "verified"
    before = admin.case(cid)
    r = admin.transition(cid, "verify")
    assert r.status == 409 and r.code == "conflict", r
    assert_unchanged(admin, cid, before)


def test_unknown_or_missing_action_is_400(admin, ids):
    cid = new_complaint(admin, ids)["id"]
    before = admin.case(cid)
    for body in ({"action": "explode"}, {"action": ""}, {"action": "VERIFY"}, {},
                 {"action": 1}, {"action": None}, {"action": ["verify"]}):
        r = admin.post("/api/v1/cases/%d/transitions" % cid, json=body)
        assert r.status == 400, (body, r)
        assert r.code == "invalid", (body, r)
    assert_unchanged(admin, cid, before)


def test_missing_note_is_400(admin, kabid, ids):
    cid = new_complaint(admin, ids)["id"]
    before = admin.case(cid)
    for body in ({"action": "reject"}, {"action": "reject", "public_note": ""},
                 {"action": "reject", "public_note": "   "}, {"action": "hold"},
                 {"action": "reject", "public_note": 5},
                 {"action": "reject", "public_note": "n" * 2001},
                 {"action": "reject", "public_note": "ok", "note": "n" * 2001},
                 # The reason the reporter reads cannot hide in the internal note.
                 {"action": "reject", "note": "Bukan kewenangan Satpol PP"}):
        r = admin.post("/api/v1/cases/%d/transitions" % cid, json=body)
        assert r.status == 400, (body, r)
        assert r.code == "invalid", (body, r)
        assert "note" in r.json["error"]["detail"], r
    assert_unchanged(admin, cid, before)


def test_dispatch_needs_a_team_of_the_agency(admin, kabid, ids, users):
    cid = new_complaint(admin, ids)["id"]
    admin.act(cid, "verify")
    before = admin.case(cid)
    damkar_team = users("admin.damkar").team_id("Regu Damkar Paringin")
    for extra in ({"team_id": damkar_team}, {"team_id": 99999}, {}, {"team_id": 0},
                  {"team_id": "1"}, {"team_id": -3}):
        r = kabid.transition(cid, "dispatch", **extra)
        assert r.status == 400, (extra, r)
        assert r.code == "invalid", (extra, r)
        assert "team_id" in r.json["error"]["detail"], r
    assert_unchanged(admin, cid, before)


def test_redispatch_to_another_team(admin, kabid, trc, ids):
    cid = new_complaint(admin, ids)["id"]
    admin.act(cid, "verify")
    kabid.act(cid, "dispatch", team_id=ids["juai"])
    # Before the re-dispatch, the Paringin officer may not start the Juai case.
    r = trc.transition(cid, "start")
    assert r.status == 403 and r.code == "forbidden", r
    c = kabid.act(cid, "dispatch", team_id=ids["paringin"])
    assert c["status"] == "dispatched" and c["team"]["id"] == ids["paringin"]
    ev = admin.case(cid)["events"]
    assert [(e["action"], e["from_status"], e["to_status"], e["team_id"]) for e in ev[-2:]] == [
        ("dispatch", "verified", "dispatched", ids["juai"]),
        ("dispatch", "dispatched", "dispatched", ids["paringin"])]
    assert trc.act(cid, "start")["status"] == "in_progress"


def test_redispatch_to_the_same_team_is_refused(admin, kabid, ids):
    """API.md: dispatched -> dispatch needs `team_id` (another team)."""
    cid = new_complaint(admin, ids)["id"]
    admin.act(cid, "verify")
    kabid.act(cid, "dispatch", team_id=ids["paringin"])
    before = admin.case(cid)
    r = kabid.transition(cid, "dispatch", team_id=ids["paringin"])
    assert r.status == 400, r
    assert r.code == "invalid", r
    assert "team_id" in r.json["error"].get("detail", ""), r
    assert_unchanged(admin, cid, before)


# ---- 12: forwards --------------------------------------------------------------


def test_forward_to_damkar(admin, users, ids):
    damkar = users("admin.damkar")
    orig = admin.create_case(category_id=ids["trantibum"], priority="high",
                             description="Asap tebal dan api dari gudang kosong",
                             address="Jl. Merdeka 3", kecamatan_code="63.11.06",
                             lat=-2.33, lon=115.46,
                             reporter={"name": "Siti", "phone": "+62 813 1111 2222"})
    oid = orig["id"]
    c = admin.act(oid, "forward", target_agency="damkar",
                  target_category_id=ids["kebakaran"], note="Ini kebakaran")
    assert c["status"] == "forwarded"
    new_id = c["new_case_id"]
    assert isinstance(new_id, int) and new_id != oid
    assert c["forwarded_to"] == new_id

    o = admin.case(oid)
    assert o["status"] == "forwarded" and o["forwarded_to"] == new_id
    assert o["events"][-1]["action"] == "forward"
    assert o["events"][-1]["target_agency_id"] == 2

    # The satpolpp admin has no role in damkar: the copy is not theirs to see.
    r = admin.get("/api/v1/cases/%d" % new_id)
    assert r.status == 403 and r.code == "forbidden", r

    n = damkar.case(new_id)
    assert n["agency"]["id"] == 2
    assert n["kind"] == "emergency"
    assert n["status"] == "received"
    assert n["channel"] == "forward"
    assert n["category"]["code"] == "kebakaran"
    assert n["forwarded_from"] == oid
    assert n["forwarded_to"] is None
    assert n["description"] == orig["description"]
    assert n["address"] == "Jl. Merdeka 3"
    assert n["priority"] == "high"
    assert n["reporter"]["phone"] == "6281311112222"
    assert n["tracking_code"] != orig["tracking_code"]
    assert TRACKING_RE.match(n["tracking_code"])
    assert [e["action"] for e in n["events"]] == ["create"]
    assert n["events"][0]["to_status"] == "received"
    assert new_id in [x["id"] for x in damkar.all_cases()]
    # ...and the damkar desk can work it straight away (an emergency).
    team = damkar.team_id("Regu Damkar Paringin")
    assert damkar.act(new_id, "dispatch", team_id=team)["status"] == "dispatched"


def test_forward_by_id_without_category(admin, users, ids):
    oid = new_complaint(admin, ids, "Permohonan KTP hilang di kantor camat")["id"]
    c = admin.act(oid, "forward", target_agency=3)
    n = users("admin.dukcapil").case(c["new_case_id"])
    assert n["agency"]["id"] == 3
    assert n["kind"] == "complaint" and n["status"] == "received"
    assert n["category"] is None
    assert n["forwarded_from"] == oid


def test_forward_refusals(admin, kabid, ids, superadmin_count):
    cid = new_complaint(admin, ids)["id"]
    before = admin.case(cid)
    count = superadmin_count()
    for extra in ({"target_agency": "satpolpp"}, {"target_agency": 1},
                  {"target_agency": "nowhere"}, {"target_agency": 99},
                  {}, {"target_agency": True},
                  {"target_agency": "damkar", "target_category_id": ids["pkl"]},
                  {"target_agency": "damkar", "target_category_id": 9999}):
        r = admin.transition(cid, "forward", **extra)
        assert r.status == 400, (extra, r)
        assert r.code == "invalid", (extra, r)
    assert_unchanged(admin, cid, before)
    assert superadmin_count() == count

    # A verified case is forwarded by the supervisor only.
    admin.act(cid, "verify")
    before = admin.case(cid)
    r = admin.transition(cid, "forward", target_agency="damkar")
    assert r.status == 403 and r.code == "forbidden", r
    assert_unchanged(admin, cid, before)
    assert superadmin_count() == count
    c = kabid.act(cid, "forward", target_agency="damkar")
    assert c["status"] == "forwarded"
    # A forwarded case is finished here.
    r = kabid.transition(cid, "forward", target_agency="disdukcapil")
    assert r.status == 409 and r.code == "conflict", r
    assert superadmin_count() == count + 1


@pytest.fixture(scope="module")
def superadmin_count(users):
    sa = users("superadmin")
    return lambda: len(sa.all_cases())


# ---- 13: emergencies -----------------------------------------------------------


def test_emergency_dispatched_directly(admin, kabid, users, ids):
    damkar = users("admin.damkar")
    regu = users("regu.damkar")
    e = damkar.create_case(category_id=ids["kebakaran"], channel="phone",
                           description="Rumah terbakar di Desa Batu Piring",
                           kecamatan_code="63.11.07")
    # No desk step (issue #6): straight to an on-duty crew, by the system
    # (without a location, the first crew on duty).
    assert e["kind"] == "emergency" and e["status"] == "dispatched"
    assert e["channel"] == "phone"
    team = damkar.team_id("Regu Damkar Paringin")
    assert e["team"]["id"] == team
    c = damkar.case(e["id"])
    assert [(x["action"], x["actor_id"]) for x in c["events"]] == [("create", damkar.user_id),
                                                                   ("dispatch", None)]
    assert regu.act(e["id"], "start")["status"] == "in_progress"
    assert regu.act(e["id"], "resolve", public_note="Api padam")["status"] == "resolved"

    # A complaint is never dispatched straight from received.
    cid = new_complaint(admin, ids)["id"]
    before = admin.case(cid)
    for who in (admin, kabid):
        r = who.transition(cid, "dispatch", team_id=ids["paringin"])
        assert r.status == 409, r
        assert r.code == "conflict", r
    assert_unchanged(admin, cid, before)


# ---- 15: service requests ------------------------------------------------------


def test_service_request_lifecycle(users, ids):
    dk = users("admin.dukcapil")
    c = dk.create_case(category_id=ids["akta_kelahiran"],
                       description="Permohonan akta kelahiran anak kedua",
                       reporter={"name": "Rina", "phone": "081298765432"})
    sid = c["id"]
    assert c["kind"] == "service"
    assert c["status"] == "submitted" and c["status_label"] == "Diajukan"
    assert c["agency"]["id"] == 3

    before = dk.case(sid)
    for action, extra in (("verify", {}), ("process", {}), ("issue", {}), ("close", {}),
                          ("dispatch", {"team_id": 1}), ("resume", {})):
        r = dk.transition(sid, action, **extra)
        assert r.status == 409 and r.code == "conflict", (action, r)
    r = dk.transition(sid, "incomplete")
    assert r.status == 400 and r.code == "invalid", r
    assert_unchanged(dk, sid, before)

    assert dk.act(sid, "check")["status"] == "checking"
    assert dk.act(sid, "incomplete", public_note="Lampirkan surat keterangan lahir")["status"] \
        == "incomplete"
    assert dk.act(sid, "check")["status"] == "checking"
    assert dk.act(sid, "process")["status"] == "processing"
    assert dk.act(sid, "issue")["status"] == "issued"
    assert dk.act(sid, "close")["status"] == "closed"
    ev = dk.case(sid)["events"]
    assert [(e["seq"], e["action"], e["from_status"], e["to_status"]) for e in ev] == [
        (1, "create", None, "submitted"),
        (2, "check", "submitted", "checking"),
        (3, "incomplete", "checking", "incomplete"),
        (4, "check", "incomplete", "checking"),
        (5, "process", "checking", "processing"),
        (6, "issue", "processing", "issued"),
        (7, "close", "issued", "closed"),
    ]
    assert ev[2]["public_note"] == "Lampirkan surat keterangan lahir"
    assert all(e["actor_id"] == dk.user_id for e in ev)


# ---- 17: concurrent steps ------------------------------------------------------


def test_concurrent_verify_exactly_one_wins(server, users, admin, ids):
    cid = new_complaint(admin, ids, "Uji serentak verifikasi")["id"]
    clients = [admin] + [users.fresh("kabid.satpolpp") for _ in range(3)] + \
        [users("kabid.satpolpp")] + [users.fresh("admin.satpolpp") for _ in range(3)]
    assert len(clients) == 8
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def worker(i, c):
        barrier.wait()
        try:
            results[i] = c.transition(cid, "verify")
        except Exception as ex:  # noqa: BLE001 - reported below
            results[i] = ex

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = sorted(getattr(r, "status", repr(r)) for r in results)
    assert statuses == [200] + [409] * 7, [(getattr(r, "status", r), getattr(r, "body", b""))
                                           for r in results]
    assert all(r.code == "conflict" for r in results if r.status == 409)
    full = admin.case(cid)
    assert full["status"] == "verified"
    assert [e["action"] for e in full["events"]] == ["create", "verify"]
    assert [e["seq"] for e in full["events"]] == [1, 2]


def test_concurrent_creates_all_succeed(users, admin, ids):
    before = len(users("superadmin").all_cases())
    clients = [admin, users("kabid.satpolpp")] * 4
    barrier = threading.Barrier(len(clients))
    results = [None] * len(clients)

    def worker(i, c):
        barrier.wait()
        results[i] = c.post("/api/v1/cases", json={
            "category_id": ids["pkl"], "description": "Uji serentak buat kasus %d" % i})

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [r.status for r in results] == [201] * len(clients), results
    made = [r.json for r in results]
    assert len({c["id"] for c in made}) == len(made)
    assert len({c["tracking_code"] for c in made}) == len(made)
    assert len(users("superadmin").all_cases()) == before + len(made)
    for c in made:
        full = admin.case(c["id"])
        assert [e["seq"] for e in full["events"]] == [1]
