"""`aduan migrate --to postgres://...`: a SQLite deployment moves up to
PostgreSQL without losing history."""

import os

from aduan_e2e import Server
from test_instances import pg_database


def _view(srv):
    """Everything the API shows of the deployment: cases with events."""
    c = srv.client()
    assert c.login("superadmin").status == 200
    cases = c.all_cases()
    return [dict(c.case(x["id"]), updated_at=None) for x in cases]


def test_demo_moves_to_postgres_with_history(tmp_path):
    url = pg_database()
    lite = Server(tmp_path / "lite")
    os.makedirs(lite.workdir)
    lite.init(demo=True)
    lite.start()
    try:
        admin = lite.client()
        assert admin.login("admin.satpolpp").status == 200
        boss = lite.client()
        assert boss.login("kabid.satpolpp").status == 200
        cid = admin.create_case(category_id=admin.category_id("pkl"),
                                description="Lapak di bahu jalan\tdengan tab\ndan baris baru \\ ",
                                reporter={"name": "Siti", "phone": "0812-1111-2222"},
                                lat=-2.33, lon=115.46)["id"]
        admin.act(cid, "verify")
        boss.act(cid, "dispatch", team_id=admin.team_id("TRC Pos Paringin"))
        fwd = admin.act(1, "forward", target_agency="damkar")["new_case_id"]
        assert fwd
    finally:
        assert not lite.stop()
    before_rows = None

    r = lite.cli("migrate", "--to", url)
    assert r.returncode == 0, r.stderr + r.stdout
    lines = [l.split() for l in r.stdout.splitlines() if l.split() and l.split()[-1] in ("ok", "MISMATCH")]
    # 44 on main; 0034 (issue 18 operators): case_reads, live_events, case_presence;
    # 0036 (issue 18 field app): idempotency_keys; 0039 (issue 18 public): email_follows;
    # 0033 (issue 18 ops2): saved_filters.
    assert len(lines) == 44 + 3 + 1 + 1 + 1 and all(l[-1] == "ok" and l[1] == l[2] for l in lines), r.stdout
    before_rows = {l[0]: int(l[1]) for l in lines}
    assert before_rows["cases"] == 7 and before_rows["case_events"] >= 10

    # Moving twice is refused: the destination is not empty any more.
    again = lite.cli("migrate", "--to", url)
    assert again.returncode == 1 and "not empty" in again.stderr

    # The same deployment, served from PostgreSQL, shows the same history.
    lite.start()
    try:
        want = _view(lite)
    finally:
        assert not lite.stop()
    pg = Server(tmp_path / "pg", {"ADUAN_DATABASE_URL": url})
    os.makedirs(pg.workdir)
    pg.start()
    try:
        got = _view(pg)
        assert got == want
        # Sequences moved on: a new case gets a new id, logins still work.
        admin = pg.client()
        assert admin.login("admin.satpolpp").status == 200
        new = admin.create_case(category_id=admin.category_id("pkl"), description="baru di pg")
        assert new["id"] > max(c["id"] for c in want)
    finally:
        assert not pg.stop()


def test_migrate_to_needs_sqlite_source_and_postgres_target(tmp_path):
    srv = Server(tmp_path)
    srv.init(demo=True)
    r = srv.cli("migrate", "--to", "mysql://x")
    assert r.returncode == 2 and "postgres://" in r.stderr
    r = srv.cli("migrate", "--to", "postgresql:///nowhere?host=/nonexistent&port=1")
    assert r.returncode == 1 and "cannot" in r.stderr
    r = srv.cli("migrate", "--to")
    assert r.returncode == 2
