"""The benchmarks under bench/ still run on today's schema.

bench/inbox.sh's bulk load named reporters.wa_id for two weeks after
migration 0024 had renamed it, and nobody knew until the next measurement
(issue 14). Each script runs here at a toy size on the binary under test,
with its own PostgreSQL as it does for a real measurement. The figures are
not judged (this machine is shared); what is checked is what the scripts
check themselves: every step ran, both engines returned the same pages, and
every acknowledged webhook was found committed.
"""

import os
import re
import subprocess

from aduan_e2e import source_bin

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run(script, env, timeout):
    e = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "BENCH_"))}
    e.update(env)
    e["BENCH_ADUAN"] = os.path.abspath(source_bin())
    p = subprocess.run(["bash", os.path.join(ROOT, "bench", script)], cwd=ROOT, env=e,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=timeout)
    out = p.stdout.decode("utf-8", "replace")
    return p.returncode, out


def test_inbox_benchmark_loads_and_measures_both_engines():
    rc, out = run("inbox.sh", {"BENCH_CASES": "400", "BENCH_RUNS": "2"}, 600)
    assert rc == 0, out[-4000:]
    for engine in ("== sqlite", "== pg"):
        assert engine in out, out[-4000:]
    # Each engine's part ran to its end: the views, the API export and the
    # command-line export of every case.
    assert out.count("first page of GET /api/v1/cases") == 2, out[-4000:]
    assert out.count("API export: HTTP 200") == 2, out[-4000:]
    exported = re.findall(r"aduan export \(every case\) +exported (\d+) cases", out)
    assert len(exported) == 2 and all(int(n) >= 400 for n in exported), out[-4000:]
    assert "both engines returned the same page for every view" in out, out[-4000:]


def test_ingest_benchmark_finds_every_acknowledged_message():
    rc, out = run("run.sh", {"BENCH_RATES": "200", "BENCH_DURATION": "2",
                             "BENCH_ENGINES": "sqlite pg-fsync"}, 600)
    assert rc == 0, out[-4000:]
    assert "MISMATCH" not in out, out[-4000:]
    # One row per engine in the table, each checked against the database.
    rows = [r for r in (ln.split() for ln in out.splitlines())
            if len(r) == 16 and r[0] in ("sqlite", "pg-fsync") and r[1].isdigit()]
    assert sorted(r[0] for r in rows) == ["pg-fsync", "sqlite"], out[-4000:]
    assert all(r[9] == "ok" and int(r[7]) > 0 for r in rows), out[-4000:]
    assert "every acknowledged message was found committed" in out, out[-4000:]
