"""Issue 19 §4: `aduan backup FILE` while webhooks and API writes arrive,
then `aduan restore FILE --to URL` into a fresh database, a server on the
copy, and every table compared.

What "consistent" means here, and how it is checked honestly:
- the backup is one snapshot: the reference is the backup file itself,
  read without aduan (SQLite: Python's sqlite3 on the file; PostgreSQL:
  `pg_restore --data-only` of the dump, its COPY blocks counted), so the
  restored database must have exactly the reference's rows, table by table;
- nothing acknowledged before the backup started is missing from it: every
  webhook answered 200, and every case the API returned 201 for, before
  `aduan backup` was started is in the reference;
- the snapshot is not torn: foreign keys hold in the copy (SQLite's
  foreign_key_check, and PostgreSQL accepts the restore with its
  constraints), and it holds no more webhooks than were acknowledged by the
  end of the load;
- a server on the restored copy answers with the sampled cases as they were.
"""

import os
import random
import re
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest

from aduan_e2e import Client, Server, http_request, pg_available, pg_database
from wa_helpers import SATPOLPP, envelope, message, sign, start

ENGINES = ["sqlite", "postgres"]


def need_engine(engine):
    if engine == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")


# ---- references read without aduan --------------------------------------------------


def sqlite_tables(path):
    """{table: rows} of a SQLite file, read-only, as aduan's backup lists them."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        names = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'cases_fts%'")]
        return {n: db.execute('SELECT COUNT(*) FROM "%s"' % n).fetchone()[0] for n in names}
    finally:
        db.close()


def sqlite_rows(path, query):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return [[None if v is None else str(v) for v in row] for row in db.execute(query)]
    finally:
        db.close()


def pg_tool(name):
    return os.path.join(os.environ["ADUAN_TEST_PG_BIN"], name)


def dump_copy_blocks(dump):
    """{table: (columns, rows)} from the COPY blocks of `pg_restore
    --data-only` of a -Fc dump: the dump's own content, without aduan."""
    r = subprocess.run([pg_tool("pg_restore"), "--data-only", "-f", "-", dump],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out, cur = {}, None
    for line in r.stdout.split("\n"):
        m = re.match(r"^COPY public\.(\w+) \((.*)\) FROM stdin;$", line)
        if m:
            cur = m.group(1)
            out[cur] = ([c.strip().strip('"') for c in m.group(2).split(",")], [])
        elif cur and line == "\\.":
            cur = None
        elif cur:
            out[cur][1].append([None if v == "\\N" else v for v in line.split("\t")])
    return out


def psql(url, query):
    r = subprocess.run([pg_tool("psql"), url, "-X", "-q", "-A", "-t", "-F", "\x1f",
                        "-v", "ON_ERROR_STOP=1", "-c", query],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return [line.split("\x1f") for line in r.stdout.split("\n") if line]


def pg_tables(url):
    names = [r[0] for r in psql(url, "SELECT table_name FROM information_schema.tables"
                                     " WHERE table_schema = 'public'"
                                     " AND table_type = 'BASE TABLE'")]
    return {n: int(psql(url, 'SELECT COUNT(*) FROM "%s"' % n)[0][0]) for n in names}


# ---- load -------------------------------------------------------------------------


class Load:
    """Signed webhooks (three threads) and case creations over the API (one
    thread) until stopped; remembers what was acknowledged and when."""

    def __init__(self, srv):
        self.srv = srv
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked = []   # (monotonic time of the 200, wamid)
        self.cases = []   # (monotonic time of the 201, case json)
        self.errors = []
        self.threads = [threading.Thread(target=self.webhooks, args=(i,)) for i in range(3)]
        self.threads.append(threading.Thread(target=self.api))

    def webhooks(self, k):
        n = 0
        while not self.stop.is_set():
            n += 1
            msg = message("6281%d%07d" % (k + 3, n), "text", body="Laporan beban %d-%d" % (k, n))
            body = __import__("json").dumps(envelope(SATPOLPP, [msg])).encode()
            try:
                r = http_request(self.srv.port, "POST", "/webhooks/whatsapp", body=body,
                                 headers={"Content-Type": "application/json",
                                          "X-Hub-Signature-256": sign(body)})
            except OSError as ex:
                self.errors.append(repr(ex))
                continue
            if r.status == 200:
                with self.lock:
                    self.acked.append((time.monotonic(), msg["id"]))
            else:
                self.errors.append(r.status)

    def api(self):
        c = Client(self.srv.port)
        assert c.login("admin.satpolpp").status == 200
        pkl = c.category_id("pkl")
        n = 0
        while not self.stop.is_set():
            n += 1
            r = c.post("/api/v1/cases", json={"category_id": pkl,
                                              "description": "Dicatat saat backup %d" % n})
            if r.status == 201:
                with self.lock:
                    self.cases.append((time.monotonic(), r.json))
            else:
                self.errors.append(r.status)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(60)


def backup_under_load(srv, path, *extra):
    """Runs `aduan backup` in the middle of the load; returns (load, t0, rc)."""
    with Load(srv) as load:
        deadline = time.monotonic() + 60
        while (len(load.acked) < 20 or len(load.cases) < 3) and time.monotonic() < deadline:
            time.sleep(0.1)
        t0 = time.monotonic()
        r = srv.cli("backup", path, *extra, timeout=300)
        time.sleep(0.5)
    assert r.returncode == 0, r.stderr
    assert not load.errors, load.errors[:5]
    before = [w for t, w in load.acked if t < t0]
    cases_before = [k for t, k in load.cases if t < t0]
    assert len(before) >= 20 and len(cases_before) >= 3, (len(before), len(cases_before))
    return load, t0, r


def cli(tmp_path, *args):
    """An aduan command run from a directory of its own (no database there)."""
    srv = Server(tmp_path / "cli")
    os.makedirs(srv.workdir, exist_ok=True)
    return srv.cli(*args, timeout=300)


def check_restored_server(tmp_path, url, sample):
    """A server on the restored copy answers the sampled cases as they were."""
    srv = Server(tmp_path / "restored-serve", {"ADUAN_DATABASE_URL": url})
    os.makedirs(srv.workdir, exist_ok=True)
    srv.start()
    try:
        c = Client(srv.port)
        assert c.login("superadmin").status == 200
        for case_id, code, status, desc in sample:
            k = c.case(int(case_id))
            assert (k["tracking_code"].replace("-", ""), k["status"], k["description"]) == \
                (code, status, desc), k
    finally:
        assert not srv.stop()


# ---- the test of the issue ---------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_backup_while_serving_restores_every_row(engine, tmp_path):
    need_engine(engine)
    os.makedirs(tmp_path / "live")
    srv, graph = start(tmp_path / "live", engine)
    dest = str(tmp_path / ("backup.db" if engine == "sqlite" else "backup.dump"))
    media = os.path.join(srv.workdir, "media")
    os.makedirs(media, exist_ok=True)
    with open(os.path.join(media, "ab" * 32), "wb") as f:
        f.write(b"\x89PNG bukti")
    try:
        load, t0, r = backup_under_load(srv, dest)
    finally:
        assert not srv.stop()
        graph.stop()
    assert os.path.exists(dest) and not os.path.exists(dest + ".part")
    assert oct(os.stat(dest).st_mode & 0o777) == "0o600"
    assert "media: 1 files" in r.stdout, r.stdout
    before = {w for t, w in load.acked if t < t0}

    # The reference: the backup itself, read without aduan.
    if engine == "sqlite":
        assert "integrity_check ok" in r.stdout
        assert sqlite_rows(dest, "PRAGMA integrity_check") == [["ok"]]
        assert sqlite_rows(dest, "PRAGMA foreign_key_check") == []
        ref = sqlite_tables(dest)
        bodies = "\n".join(b for (b,) in sqlite_rows(dest, "SELECT body FROM inbound"))
        ref_cases = sqlite_rows(dest, "SELECT id, tracking_code, status, description FROM cases")
    else:
        assert "pg_restore -l lists the dump" in r.stdout
        blocks = dump_copy_blocks(dest)
        ref = {t: len(rows) for t, (cols, rows) in blocks.items()}
        cols, rows = blocks["inbound"]
        bodies = "\n".join(row[cols.index("body")] or "" for row in rows)
        cols, rows = blocks["cases"]
        ref_cases = [[row[cols.index(c)] for c in ("id", "tracking_code", "status", "description")]
                     for row in rows]
    # Nothing acknowledged before the backup started is missing; nothing
    # that was never acknowledged is in it.
    missing = [w for w in before if w not in bodies]
    assert not missing, "%d acknowledged webhooks missing from the backup" % len(missing)
    in_backup = set(re.findall(r"wamid\.E2E\d+\.[0-9a-f]+", bodies))
    assert in_backup <= {w for _, w in load.acked}
    ref_codes = {row[1] for row in ref_cases}
    for t, k in load.cases:
        if t < t0:
            assert k["tracking_code"].replace("-", "") in ref_codes, k
    assert ref["inbound"] >= len(before) and ref["cases"] >= 5

    # Restore into a fresh database of the same engine.
    if engine == "sqlite":
        url = "sqlite:" + str(tmp_path / "restored" / "aduan.db")
    else:
        url = pg_database()
    rr = cli(tmp_path, "restore", dest, "--to", url, "--media-to",
             str(tmp_path / "restored-media"))
    assert rr.returncode == 0, rr.stderr
    got = sqlite_tables(url[7:]) if engine == "sqlite" else pg_tables(url)
    assert got == ref, {t: (ref.get(t), got.get(t)) for t in set(ref) | set(got)
                        if ref.get(t) != got.get(t)}
    assert os.listdir(tmp_path / "restored-media") == ["ab" * 32]
    with open(tmp_path / "restored-media" / ("ab" * 32), "rb") as f:
        assert f.read() == b"\x89PNG bukti"

    # Sample rows, then a server on the copy.
    rnd = random.Random(19)
    sample = rnd.sample(ref_cases, min(15, len(ref_cases)))
    for case_id, code, status, desc in sample:
        q = "SELECT tracking_code, status, description FROM cases WHERE id = %d" % int(case_id)
        row = sqlite_rows(url[7:], q) if engine == "sqlite" else psql(url, q)
        assert row == [[code, status, desc]], (case_id, row)
    check_restored_server(tmp_path, url, sample)


def test_sqlite_backup_gzip_restores_into_postgres(tmp_path):
    """A compressed SQLite backup restores into PostgreSQL through the copy
    of `migrate --to`: every table's count checked before the commit."""
    if not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    os.makedirs(tmp_path / "live")
    srv, graph = start(tmp_path / "live", "sqlite")
    dest = str(tmp_path / "backup.db.gz")
    try:
        backup_under_load(srv, dest, "--gzip", "--no-media")
    finally:
        assert not srv.stop()
        graph.stop()
    with open(dest, "rb") as f:
        assert f.read(2) == b"\x1f\x8b"
    plain = str(tmp_path / "plain.db")
    with open(plain, "wb") as out:
        subprocess.run(["gzip", "-dc", dest], stdout=out, check=True)
    ref = sqlite_tables(plain)
    url = pg_database()
    r = cli(tmp_path, "restore", dest, "--to", url)
    assert r.returncode == 0, r.stderr
    assert "MISMATCH" not in r.stdout
    got = pg_tables(url)
    ref.pop("schema_migrations")
    got.pop("schema_migrations")
    assert got == ref
    sample = sqlite_rows(plain, "SELECT id, tracking_code, status, description FROM cases"
                                " ORDER BY id DESC LIMIT 5")
    check_restored_server(tmp_path, url, sample)


# ---- bad input: a clear error, nothing written ------------------------------------


@pytest.fixture(params=ENGINES)
def demo(request, tmp_path):
    need_engine(request.param)
    from aduan_e2e import engine_env
    srv = Server(tmp_path / "demo", engine_env(request.param))
    os.makedirs(srv.workdir, exist_ok=True)
    srv.init(demo=True)
    return request.param, srv


def fresh_target(engine, tmp_path, name="target"):
    return ("sqlite:" + str(tmp_path / name / "aduan.db")) if engine == "sqlite" \
        else pg_database()


def target_tables(engine, url):
    if engine == "sqlite":
        p = url[7:]
        return sqlite_tables(p) if os.path.exists(p) else {}
    return pg_tables(url)


def test_restore_missing_file(demo, tmp_path):
    engine, srv = demo
    url = fresh_target(engine, tmp_path)
    r = srv.cli("restore", str(tmp_path / "tidak-ada.db"), "--to", url)
    assert r.returncode == 1 and "cannot read" in r.stderr, r.stderr
    assert target_tables(engine, url) == {}


def test_restore_corrupt_backup_writes_nothing(demo, tmp_path):
    engine, srv = demo
    dest = str(tmp_path / "b")
    assert srv.cli("backup", dest, "--no-media").returncode == 0
    data = bytearray(open(dest, "rb").read())
    if engine == "sqlite":
        # Overwrite pages past the schema: the file still opens, the
        # b-trees are broken, integrity_check says so.
        for off in range(8192, len(data) - 4096, 4096):
            data[off + 100:off + 400] = os.urandom(300)
        needle = "integrity_check"
    else:
        data = data[:len(data) // 2]  # a dump cut short
        needle = "pg_restore"
    open(dest, "wb").write(bytes(data))
    url = fresh_target(engine, tmp_path)
    r = srv.cli("restore", dest, "--to", url)
    assert r.returncode == 1 and needle in r.stderr and "unchanged" in r.stderr, r.stderr
    assert target_tables(engine, url) == {}
    if engine == "sqlite":
        assert os.listdir(tmp_path / "target") == []


def test_restore_refuses_a_non_empty_target(demo, tmp_path):
    engine, srv = demo
    dest = str(tmp_path / "b")
    assert srv.cli("backup", dest, "--no-media").returncode == 0
    url = fresh_target(engine, tmp_path)
    assert srv.cli("restore", dest, "--to", url).returncode == 0
    before = target_tables(engine, url)
    r = srv.cli("restore", dest, "--to", url)
    assert r.returncode == 1 and "not empty" in r.stderr, r.stderr
    assert target_tables(engine, url) == before
    # The live database itself is a non-empty target too.
    r = srv.cli("restore", dest, "--to", srv.env()["ADUAN_DATABASE_URL"])
    assert r.returncode == 1 and "not empty" in r.stderr, r.stderr


def test_backup_bad_usage_and_unwritable_place(demo, tmp_path):
    engine, srv = demo
    r = srv.cli("backup")
    assert r.returncode == 2 and "FILE" in r.stderr
    r = srv.cli("backup", "a", "b")
    assert r.returncode == 2
    r = srv.cli("restore", "x.db")
    assert r.returncode == 2 and "--to" in r.stderr
    r = srv.cli("restore", "x.db", "--to", "mysql://x")
    assert r.returncode == 2, r.stderr
    if engine == "sqlite":
        # Never over the database itself (the server's open file would be
        # replaced under it).
        before = open(srv.db_path, "rb").read()
        for same in (srv.db_path, os.path.join(srv.workdir, ".", "aduan.db")):
            r = srv.cli("backup", same, "--no-media")
            assert r.returncode == 1 and "database itself" in r.stderr, r.stderr
        assert open(srv.db_path, "rb").read() == before
    bad = str(tmp_path / "tidak" / "ada" / "b.db")
    r = srv.cli("backup", bad, "--no-media")
    assert r.returncode == 1 and "not written" in r.stderr, r.stderr
    assert not os.path.exists(os.path.dirname(bad))
    if engine == "postgres":
        # A pg_dump file is for PostgreSQL only.
        dest = str(tmp_path / "b.dump")
        assert srv.cli("backup", dest, "--no-media").returncode == 0
        r = srv.cli("restore", dest, "--to", "sqlite:" + str(tmp_path / "x" / "a.db"))
        assert r.returncode == 1 and "PostgreSQL only" in r.stderr
