"""Issue 19 §2: who looked at what. An append-only audit log of staff
actions: sign-in and sign-out with the address, every read of a reporter's
identity, exports with personal columns, changes of users, texts,
categories, calendars and channels; visible to the superadmin and
exportable; refused UPDATE/DELETE at the database level (tried here with
sqlite3 and psql directly); retention (ADUAN_AUDIT_RETENTION_DAYS).
Every test runs on SQLite and PostgreSQL.
"""

import csv
import io
import json
import os
import sqlite3
import subprocess
import time

import pytest

import db_peek
from aduan_e2e import Client, http_request

DAY = 86400


def rows(srv, action, login=None):
    q = "SELECT user_id, login, client, case_id, target, detail FROM audit_log WHERE action = ?"
    p = [action]
    if login:
        q += " AND login = ?"
        p.append(login)
    return db_peek.sql(srv, q + " ORDER BY id", p)


def raw(srv, query):
    """Runs a statement straight on the database; returns (ok, error text)."""
    if db_peek.engine_of(srv) == "sqlite":
        db = sqlite3.connect(srv.db_path, timeout=30)
        try:
            db.execute(query)
            db.commit()
            return True, ""
        except sqlite3.DatabaseError as e:
            return False, str(e)
        finally:
            db.close()
    psql = os.path.join(os.environ["ADUAN_TEST_PG_BIN"], "psql")
    r = subprocess.run([psql, srv.extra_env["ADUAN_DATABASE_URL"], "-X", "-q", "-v",
                        "ON_ERROR_STOP=1", "-c", query], capture_output=True, text=True,
                       timeout=60)
    return r.returncode == 0, r.stderr


def test_sign_in_and_out_with_the_address(server):
    body = json.dumps({"login": "kabid.satpolpp", "password": "aduan-demo"}).encode()
    r = http_request(server.port, "POST", "/api/v1/auth/login", body=body,
                     headers={"Content-Type": "application/json"}, source="127.0.0.5")
    assert r.status == 200
    got = [x for x in rows(server, "login", "kabid.satpolpp") if x[2] == "127.0.0.5"]
    assert len(got) == 1 and got[0][0] == str(r.json["user"]["id"])
    c = Client(server.port)
    c.login("kabid.satpolpp")
    assert c.logout().status == 200
    assert len(rows(server, "logout", "kabid.satpolpp")) == 1
    bad = http_request(server.port, "POST", "/api/v1/auth/login",
                       body=json.dumps({"login": "kabid.satpolpp", "password": "x" * 9}).encode(),
                       headers={"Content-Type": "application/json"}, source="127.0.0.6")
    assert bad.status == 401
    assert ["127.0.0.6", "password"] in [[x[2], x[5]] for x in
                                         rows(server, "login_failed", "kabid.satpolpp")]


def test_reads_of_personal_data(server, users):
    admin, viewer = users("admin.satpolpp"), users("pimpinan.satpolpp")
    case = admin.create_case(category_id=admin.category_id("pkl"),
                             description="Lapak qxaudit di trotoar",
                             reporter={"name": "Warga Audit", "phone": "081377770001"})
    cid = case["id"]
    before = len(rows(server, "reporter_read"))
    assert admin.get("/api/v1/cases/%d" % cid).status == 200
    got = rows(server, "reporter_read", "admin.satpolpp")
    assert [cid] in [[int(x[3])] for x in got]
    # The viewer sees no identity: no entry.
    r = viewer.get("/api/v1/cases/%d" % cid)
    assert r.status == 200 and "reporter" not in r.json
    assert rows(server, "reporter_read", "pimpinan.satpolpp") == []
    assert len(rows(server, "reporter_read")) == before + 1
    # A list with identities: one entry naming the cases.
    r = admin.get("/api/v1/cases", params={"limit": "5"})
    assert r.status == 200 and len(r.json["items"]) > 1
    lst = rows(server, "reporter_list_read", "admin.satpolpp")
    shown = [i["id"] for i in r.json["items"] if i.get("reporter")]
    assert lst and lst[-1][5] == "cases=%d ids=%s" % (len(shown), ",".join(map(str, shown)))
    # Personal data never in the entries.
    dump = json.dumps(db_peek.sql(server, "SELECT * FROM audit_log"))
    assert "081377770001" not in dump and "Warga Audit" not in dump
    # The conversation with the reporter.
    assert admin.get("/api/v1/cases/%d/conversation" % cid).status == 200
    assert [str(cid)] in [[x[3]] for x in rows(server, "conversation_read", "admin.satpolpp")]
    # Exports: with personal columns an entry; without, none.
    r = admin.get("/api/v1/cases/export.csv", params={"columns": "id,status"})
    assert r.status == 200
    assert rows(server, "export_personal", "admin.satpolpp") == []
    r = admin.get("/api/v1/cases/export.csv", params={"columns": "id,reporter_phone"})
    assert r.status == 200
    exp = rows(server, "export_personal", "admin.satpolpp")
    assert len(exp) == 1 and exp[0][5] == "columns=id,reporter_phone"
    # A community group's members (citizens' numbers).
    g = admin.post("/api/v1/community-groups", json={"name": "Paguyuban Audit"}).json
    assert admin.get("/api/v1/community-groups/%d/members" % g["id"]).status == 200
    assert ["group:%d" % g["id"]] in [[x[4]] for x in
                                       rows(server, "group_members_read", "admin.satpolpp")]


def test_changes_are_logged_with_the_fields_not_the_values(server, users):
    admin, sa = users("admin.satpolpp"), users("superadmin")
    r = admin.post("/api/v1/admin/users", json={"login": "audit.baru", "name": "Audit Baru",
                                                "password": "rahasia-sekali", "role": "viewer"})
    assert r.status in (200, 201), r
    got = rows(server, "user_create", "admin.satpolpp")
    assert got and got[-1][5].startswith("fields=") and "password" in got[-1][5]
    assert "rahasia-sekali" not in json.dumps(db_peek.sql(server, "SELECT * FROM audit_log"))
    r = admin.post("/api/v1/agencies/1/holidays", json={"date": "2026-11-30", "name": "Uji"})
    assert r.status == 201, r
    assert rows(server, "holiday_add", "admin.satpolpp")[-1][4] == "agency:1"
    # A refused change is no entry.
    r = admin.post("/api/v1/agencies/1/holidays", json={"date": "2026-02-30", "name": "X"})
    assert r.status == 400
    assert len(rows(server, "holiday_add", "admin.satpolpp")) == 1
    r = sa.post("/api/v1/bot/texts", json={"key": "greeting", "lang": "id",
                                                "text": "Halo dari {agency}, uji audit"})
    assert r.status == 200, r
    assert rows(server, "text_set", "superadmin")[-1][5] == "fields=key,lang,text"
    r = admin.post("/api/v1/admin/categories", json={"code": "audit_uji", "kind": "complaint",
                                                     "name_id": "Uji", "name_en": "Test",
                                                     "sla_hours": 48})
    assert r.status == 201, r
    r = admin.post("/api/v1/admin/categories/%d" % r.json["id"], json={"sla_hours": 24})
    assert r.status == 200, r
    assert rows(server, "category_update", "admin.satpolpp")[-1][4:] == \
        ["category:%d" % r.json["id"], "fields=sla_hours"]


def test_the_superadmin_sees_and_exports_it(server, users):
    sa, admin = users("superadmin"), users("admin.satpolpp")
    assert admin.get("/api/v1/admin/audit").status == 403
    assert admin.get("/api/v1/admin/audit.csv").status == 403
    r = sa.get("/api/v1/admin/audit", params={"action": "login", "limit": "2"})
    assert r.status == 200, r
    assert len(r.json["items"]) == 2 and all(i["action"] == "login" for i in r.json["items"])
    assert r.json["retention_days"] == 730
    nxt = r.json["next_before"]
    r2 = sa.get("/api/v1/admin/audit", params={"action": "login", "before": str(nxt)})
    assert all(i["id"] < nxt for i in r2.json["items"])
    r = sa.get("/api/v1/admin/audit", params={"login": "superadmin"})
    assert r.json["items"] and all(i["login"] == "superadmin" for i in r.json["items"])
    assert sa.get("/api/v1/admin/audit", params={"from": "yesterday"}).status == 400
    assert sa.get("/api/v1/admin/audit", params={"limit": "0"}).status == 400
    r = sa.get("/api/v1/admin/audit.csv")
    assert r.status == 200 and r.header("Content-Type").startswith("text/csv")
    assert "attachment" in r.header("Content-Disposition")
    table = list(csv.reader(io.StringIO(r.body.decode())))
    assert table[0] == ["id", "at", "user_id", "login", "client", "action", "case_id", "target",
                        "detail"]
    assert any(row[5] == "login" for row in table[1:])
    assert rows(server, "audit_export", "superadmin")


def test_the_database_refuses_changes(server, users):
    users("superadmin")  # at least one entry
    n = db_peek.sql(server, "SELECT COUNT(*) FROM audit_log")[0][0]
    ok, why = raw(server, "UPDATE audit_log SET action = 'x'")
    assert not ok and "append-only" in why
    ok, why = raw(server, "DELETE FROM audit_log")
    assert not ok and "retention" in why
    if db_peek.engine_of(server) == "postgres":
        ok, why = raw(server, "TRUNCATE audit_log")
        assert not ok and "append-only" in why
    ok, why = raw(server, "DELETE FROM audit_policy")
    assert not ok
    assert db_peek.sql(server, "SELECT COUNT(*) FROM audit_log")[0][0] == n
    # An entry older than the retention is the one thing a DELETE removes.
    old = int(time.time()) - 800 * DAY
    db_peek.sql(server, "INSERT INTO audit_log (at, action) VALUES (?, 'old_test')", (old,))
    ok, why = raw(server, "DELETE FROM audit_log WHERE action = 'old_test'")
    assert ok, why
    assert db_peek.sql(server, "SELECT COUNT(*) FROM audit_log")[0][0] == n


def test_retention(fresh_server):
    srv = fresh_server
    now = int(time.time())
    srv.stop()
    db_peek.sql(srv, "INSERT INTO audit_log (at, action) VALUES (?, 'ancient')", (now - 800 * DAY,))
    db_peek.sql(srv, "INSERT INTO audit_log (at, action) VALUES (?, 'older')", (now - 500 * DAY,))
    db_peek.sql(srv, "INSERT INTO audit_log (at, action) VALUES (?, 'recent')", (now - 300 * DAY,))
    srv.extra_env["ADUAN_AUDIT_RETENTION_DAYS"] = "400"
    srv.start()
    deadline = time.time() + 20
    while time.time() < deadline:
        left = {r[0] for r in db_peek.sql(srv, "SELECT action FROM audit_log WHERE action IN"
                                               " ('ancient', 'older', 'recent')")}
        if left == {"recent"}:
            break
        time.sleep(0.3)
    assert left == {"recent"}
    assert db_peek.sql(srv, "SELECT retention_days FROM audit_policy") == [["400"]]
    assert db_peek.sql(srv, "SELECT detail FROM audit_log WHERE action = 'audit_retention_set'") \
        == [["days 730 -> 400"]]
    # The shorter retention lets the database delete what is older only.
    ok, _ = raw(srv, "DELETE FROM audit_log WHERE action = 'recent'")
    assert not ok
