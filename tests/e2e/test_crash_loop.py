"""Webhook load, kill -9, restart, ten times, on both engines: every
acknowledged message is stored and processed exactly once, and a reply is
sent again only when a kill cut its answer off (tests/e2e/crash_loop.py;
the 100-cycle run is bench/crash_loop.sh)."""

import pytest

import crash_loop
from aduan_e2e import pg_available, pg_database

CYCLES = 10


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_crash_loop(engine, tmp_path):
    url = None
    if engine == "postgres":
        if not pg_available():
            pytest.skip("ADUAN_TEST_PG is not set (tests/run-all.sh starts a PostgreSQL)")
        url = pg_database()
    figures = crash_loop.run(str(tmp_path), CYCLES, url, log=lambda s: None)
    assert figures["acknowledged"] > 0 and figures["processed"] >= figures["acknowledged"]
    print(figures)
