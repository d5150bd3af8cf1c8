"""Fixtures of the aduan end-to-end tests.

Run from the repository root with Debian's interpreter:

    make build/asan/aduan
    ADUAN_BIN=build/asan/aduan /usr/bin/python3 -m pytest -q tests/e2e

Each server gets its own temporary directory holding the SQLite database
(created by `aduan init --demo`) and the media directory, and listens on a
free loopback port. The `server` and `fresh_server` fixtures run every test
that uses them twice: on SQLite and on PostgreSQL (a new database on the
server that tests/run-all.sh starts; ADUAN_TEST_PG). Without ADUAN_TEST_PG
the PostgreSQL half is skipped, loudly. At teardown the server gets SIGTERM; a non-zero exit or a
sanitizer report on its stderr fails the test.
"""

import os
import shutil
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from aduan_e2e import (Client, Server, engine_env, pg_available, snapshot_binary,  # noqa: E402
                       source_bin)

ENGINES = ["sqlite", "postgres"]


_snapshot_dir = None


def pytest_configure(config):
    global _snapshot_dir
    b = source_bin()
    if not os.access(b, os.X_OK):
        raise pytest.UsageError(
            "aduan binary not found at %s; build it (make build/asan/aduan) or set ADUAN_BIN" % b)
    # Run a private copy: a rebuild during the run must not swap the binary.
    _snapshot_dir = tempfile.mkdtemp(prefix="aduan-e2e-bin-")
    snapshot_binary(_snapshot_dir)


def pytest_unconfigure(config):
    if _snapshot_dir:
        shutil.rmtree(_snapshot_dir, ignore_errors=True)


def _serve(tmp_dir, engine="sqlite", module=None):
    """A demo server; a test module may give settings of its own in a
    module-level SERVER_ENV dict (e.g. ADUAN_TRUSTED_PROXIES)."""
    if engine == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set: run through tests/run-all.sh (make test)")
    env = dict(engine_env(engine) or {})
    env.update(getattr(module, "SERVER_ENV", None) or {})
    srv = Server(tmp_dir, env)
    srv.init(demo=True)
    srv.start()
    return srv


def _finish(srv):
    problems = srv.stop()
    if problems:
        pytest.fail("aduan serve (port %s) ended badly: %s" % (srv.port, "\n".join(problems)),
                    pytrace=False)


class Users:
    """Logged-in clients of one server, one session per login (cached)."""

    def __init__(self, srv):
        self.srv = srv
        self._cache = {}

    def __call__(self, login):
        c = self._cache.get(login)
        if c is None:
            c = self.fresh(login)
            self._cache[login] = c
        return c

    def fresh(self, login, password="aduan-demo"):
        c = Client(self.srv.port)
        r = c.login(login, password)
        assert r.status == 200, (login, r)
        return c

    def anon(self):
        return Client(self.srv.port)


@pytest.fixture(scope="module", params=ENGINES)
def server(request, tmp_path_factory):
    """A demo server shared by the tests of one module, once per engine."""
    srv = _serve(tmp_path_factory.mktemp("aduan"), request.param, request.module)
    yield srv
    _finish(srv)


@pytest.fixture(scope="module")
def users(server):
    return Users(server)


@pytest.fixture(params=ENGINES)
def fresh_server(request, tmp_path):
    """A demo server of its own, for tests that need pristine state."""
    srv = _serve(tmp_path, request.param, request.module)
    yield srv
    _finish(srv)


@pytest.fixture
def fresh_users(fresh_server):
    return Users(fresh_server)


# Logged-in demo users of the module's server, one per role.
def _role_fixture(login):
    @pytest.fixture(scope="module")
    def fixture(users):
        return users(login)
    return fixture


admin = _role_fixture("admin.satpolpp")
kabid = _role_fixture("kabid.satpolpp")
trc = _role_fixture("trc.satpolpp")
viewer = _role_fixture("pimpinan.satpolpp")
damkar = _role_fixture("admin.damkar")
sa = _role_fixture("superadmin")
