"""Reading (and, to age rows, writing) a test server's database directly,
on either engine: for the checks that must look under the API, e.g. that
no personal data is left in a table."""

import os
import sqlite3
import subprocess


def engine_of(srv):
    url = srv.extra_env.get("ADUAN_DATABASE_URL", "")
    return "postgres" if url.startswith("postgres") else "sqlite"


def sql(srv, query, params=()):
    """Runs one statement; returns the rows as lists of strings (None for
    NULL). params are substituted as SQL literals: tests' own values only."""
    q = query
    for p in params:
        lit = "NULL" if p is None else (str(p) if isinstance(p, (int, float))
                                        else "'" + str(p).replace("'", "''") + "'")
        q = q.replace("?", lit, 1)
    if engine_of(srv) == "sqlite":
        db = sqlite3.connect(srv.db_path, timeout=30)
        try:
            cur = db.execute(q)
            out = [[None if v is None else str(v) for v in row] for row in cur.fetchall()]
            db.commit()
            return out
        finally:
            db.close()
    psql = os.path.join(os.environ["ADUAN_TEST_PG_BIN"], "psql")
    r = subprocess.run([psql, srv.extra_env["ADUAN_DATABASE_URL"], "-X", "-q", "-A", "-t",
                        "-F", "\x1f", "-R", "\x1e", "-P", "null=\x1d", "-v", "ON_ERROR_STOP=1",
                        "-c", q], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = []
    for rec in r.stdout.split("\x1e"):
        rec = rec.strip("\n")
        if not rec:
            continue
        out.append([None if v == "\x1d" else v for v in rec.split("\x1f")])
    return out
