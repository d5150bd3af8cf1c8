"""The command line: user management, help, configuration errors, init, migrate."""

import glob
import os
import re
import signal
import socket
import subprocess
import time

import pytest

from aduan_e2e import (Client, Server, aduan_bin, base_env, http_request, read_port_file,
                       repo_root, run_cli, sanitizer_problems)


def ok(r):
    assert not sanitizer_problems(r.stderr), r.stderr
    return r


def one_line_mentioning(text, word):
    lines = [ln for ln in text.splitlines() if word in ln]
    assert lines, "stderr does not mention %s:\n%s" % (word, text)
    return lines[0]


# ---- user management against a running server ----------------------------------


def test_user_add_then_login(server):
    r = ok(server.cli("user", "add", "operator.baru", "--name", "Operator Baru", "--role",
                      "admin", "--agency", "satpolpp", input="longpassword1\n"))
    assert r.returncode == 0, r.stderr
    assert "longpassword1" not in r.stdout + r.stderr
    c = Client(server.port)
    lr = c.login("operator.baru", "longpassword1")
    assert lr.status == 200, lr
    assert lr.json["user"]["name"] == "Operator Baru"
    assert lr.json["roles"] == [{"agency_id": 1, "agency_name": "Satpol PP Kabupaten Balangan",
                                 "role": "admin"}]
    # The new admin works like the demo one.
    k = c.create_case(category_id=1, description="Dicatat oleh operator baru")
    assert k["agency"]["id"] == 1

    r = ok(server.cli("user", "list"))
    assert r.returncode == 0
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("operator.baru ")]
    assert line and "active" in line[0] and "admin@" in line[0], r.stdout
    assert "admin.satpolpp" in r.stdout and "superadmin" in r.stdout


def test_user_add_by_agency_id_and_duplicate(server):
    r = ok(server.cli("user", "add", "regu.dua", "--name", "Regu Dua", "--role", "field",
                      "--agency", "2", input="longpassword2\n"))
    assert r.returncode == 0, r.stderr
    me = Client(server.port).login("regu.dua", "longpassword2")
    assert me.status == 200 and me.json["roles"][0]["agency_id"] == 2
    r = ok(server.cli("user", "add", "regu.dua", "--name", "Lagi", "--role", "field",
                      "--agency", "damkar", input="longpassword3\n"))
    assert r.returncode != 0
    assert "exists" in r.stderr
    assert Client(server.port).login("regu.dua", "longpassword3").status == 401


def test_user_add_short_password_fails(server):
    r = ok(server.cli("user", "add", "pendek", "--name", "Pendek", "--role", "admin",
                      "--agency", "satpolpp", input="short7!\n"))
    assert r.returncode != 0
    assert "password" in r.stderr.lower()
    r = ok(server.cli("user", "add", "kosong", "--name", "Kosong", "--role", "admin",
                      "--agency", "satpolpp", input=""))
    assert r.returncode != 0
    for login in ("pendek", "kosong"):
        lr = Client(server.port).login(login, "short7!")
        assert lr.status == 401 and lr.code == "bad_login"
    assert "pendek" not in ok(server.cli("user", "list")).stdout


@pytest.mark.parametrize("args", [
    ["user", "add", "tanpa.agency", "--name", "X", "--role", "admin"],
    ["user", "add", "super.dgn.agency", "--name", "X", "--role", "superadmin",
     "--agency", "satpolpp"],
    ["user", "add", "peran.aneh", "--name", "X", "--role", "boss", "--agency", "satpolpp"],
    ["user", "add", "--name", "X", "--role", "admin", "--agency", "satpolpp"],
    ["user", "add", "tanpa.nama", "--role", "admin", "--agency", "satpolpp"],
    ["user", "add", "a", "b", "--name", "X", "--role", "admin", "--agency", "satpolpp"],
    ["user", "frobnicate"],
    ["user"],
    ["user", "disable"],
])
def test_user_usage_errors_exit_2(server, args):
    r = ok(server.cli(*args, input="longpassword1\n"))
    assert r.returncode == 2, (args, r.returncode, r.stderr)
    assert r.stderr.strip()
    assert "tanpa.agency" not in ok(server.cli("user", "list")).stdout


def test_user_add_unknown_agency_fails(server):
    r = ok(server.cli("user", "add", "x.y", "--name", "X", "--role", "admin", "--agency",
                      "nowhere", input="longpassword1\n"))
    assert r.returncode == 1, r.stderr
    assert "nowhere" in r.stderr


def test_user_disable_enable(server):
    r = ok(server.cli("user", "add", "akan.nonaktif", "--name", "Akan Nonaktif", "--role",
                      "viewer", "--agency", "damkar", input="longpassword1\n"))
    assert r.returncode == 0, r.stderr
    c = Client(server.port)
    assert c.login("akan.nonaktif", "longpassword1").status == 200
    assert c.get("/api/v1/me").status == 200

    r = ok(server.cli("user", "disable", "akan.nonaktif"))
    assert r.returncode == 0, r.stderr
    # The open session ends, and no new one starts.
    r = c.get("/api/v1/me")
    assert r.status == 401 and r.code == "unauthorized", r
    lr = Client(server.port).login("akan.nonaktif", "longpassword1")
    assert lr.status == 401 and lr.code == "bad_login", lr
    assert re.search(r"^akan\.nonaktif\s.*disabled", ok(server.cli("user", "list")).stdout, re.M)

    r = ok(server.cli("user", "enable", "akan.nonaktif"))
    assert r.returncode == 0, r.stderr
    assert Client(server.port).login("akan.nonaktif", "longpassword1").status == 200

    r = ok(server.cli("user", "disable", "tidak.ada"))
    assert r.returncode == 1 and "tidak.ada" in r.stderr


def test_user_passwd(server):
    r = ok(server.cli("user", "add", "ganti.sandi", "--name", "Ganti Sandi", "--role",
                      "supervisor", "--agency", "disdukcapil", input="old-password-1\n"))
    assert r.returncode == 0, r.stderr
    c = Client(server.port)
    assert c.login("ganti.sandi", "old-password-1").status == 200

    r = ok(server.cli("user", "passwd", "ganti.sandi", input="new-password-2\n"))
    assert r.returncode == 0, r.stderr
    # A new password ends the old sessions.
    assert c.get("/api/v1/me").status == 401
    assert Client(server.port).login("ganti.sandi", "old-password-1").code == "bad_login"
    assert Client(server.port).login("ganti.sandi", "new-password-2").status == 200

    r = ok(server.cli("user", "passwd", "ganti.sandi", input="short\n"))
    assert r.returncode != 0
    assert Client(server.port).login("ganti.sandi", "new-password-2").status == 200
    r = ok(server.cli("user", "passwd", "tidak.ada", input="longpassword1\n"))
    assert r.returncode == 1


def test_user_wa_number(server):
    # The demo's field officer already has 0811-0000-0101; numbers are unique.
    r = ok(server.cli("user", "wa", "kabid.satpolpp", "0811-0000-0101"))
    assert r.returncode == 1 and "another user" in r.stderr, r.stderr
    r = ok(server.cli("user", "wa", "kabid.satpolpp", "12345"))
    assert r.returncode == 2 and "12345" in r.stderr, r.stderr
    r = ok(server.cli("user", "wa", "tidak.ada", "081234567890"))
    assert r.returncode == 1 and "tidak.ada" in r.stderr
    r = ok(server.cli("user", "wa", "kabid.satpolpp"))
    assert r.returncode == 2
    # Freed, the number can move to someone else.
    assert ok(server.cli("user", "wa", "trc.satpolpp", "-")).returncode == 0
    r = ok(server.cli("user", "wa", "kabid.satpolpp", "+62 811-0000-0101"))
    assert r.returncode == 0 and "set" in r.stdout, r.stderr
    r = ok(server.cli("user", "wa", "trc.satpolpp", "0811-0000-0101"))
    assert r.returncode == 1


# ---- commands that need no server --------------------------------------------------


def test_version(tmp_path):
    r = ok(run_cli(["version"], base_env(), str(tmp_path)))
    assert r.returncode == 0
    assert re.match(r"^aduan \d+\.\d+\.\d+\s*$", r.stdout), r.stdout
    r = ok(run_cli(["--version"], base_env(), str(tmp_path)))
    assert r.returncode == 0 and r.stdout.startswith("aduan ")


def test_help(tmp_path):
    r = ok(run_cli(["help", "user"], base_env(), str(tmp_path)))
    assert r.returncode == 0
    assert "aduan user add LOGIN" in r.stdout
    r = ok(run_cli(["help"], base_env(), str(tmp_path)))
    assert r.returncode == 0 and "Usage:" in r.stdout
    r = ok(run_cli(["help", "bogus"], base_env(), str(tmp_path)))
    assert r.returncode == 2


def test_unknown_command_and_no_command(tmp_path):
    r = ok(run_cli(["bogus"], base_env(), str(tmp_path)))
    assert r.returncode == 2
    assert "bogus" in r.stderr
    r = ok(run_cli([], base_env(), str(tmp_path)))
    assert r.returncode == 2
    assert "Usage" in r.stderr
    r = ok(run_cli(["version", "--config"], base_env(), str(tmp_path)))
    assert r.returncode == 2


def _serve_expecting_exit(tmp_path, env, args=("serve",)):
    try:
        r = run_cli(list(args), env, str(tmp_path), timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("serve kept running with a bad configuration")
    return ok(r)


@pytest.mark.parametrize("var,value", [
    ("ADUAN_LISTEN", "nonsense"),
    ("ADUAN_LISTEN", "127.0.0.1:99999"),
    ("ADUAN_LISTEN", "127.0.0.1:"),
    ("ADUAN_TIMEZONE", "Mars/Base"),
    ("ADUAN_TIMEZONE", "../../etc/passwd"),
    ("ADUAN_DATABASE_URL", "mysql://x"),
    ("ADUAN_LOG_LEVEL", "loud"),
    ("ADUAN_SESSION_HOURS", "0"),
    ("ADUAN_THREADS", "many"),
    ("ADUAN_PUBLIC_URL", "ftp://x"),
])
def test_bad_setting_exits_2_naming_it(tmp_path, var, value):
    env = base_env({"ADUAN_DATABASE_URL": "sqlite:%s/aduan.db" % tmp_path,
                    "ADUAN_MEDIA_DIR": str(tmp_path / "media"),
                    "ADUAN_LISTEN": "127.0.0.1:0", var: value})
    r = _serve_expecting_exit(tmp_path, env)
    assert r.returncode == 2, (r.returncode, r.stderr)
    line = one_line_mentioning(r.stderr, var)
    assert value[:20] in line or var in line
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not os.path.exists(tmp_path / "aduan.db")  # nothing was created


def test_config_file_is_honoured(tmp_path):
    srv = Server(tmp_path)
    srv.init()
    conf = tmp_path / "custom.conf"
    conf.write_text("# test configuration\n[server]\nlisten = 127.0.0.1:0\n"
                    "[auth]\nsession_hours = 2\n")
    env = srv.env()
    env.pop("ADUAN_LISTEN", None)
    errf = open(tmp_path / "conf.stderr", "wb")
    port_file = str(tmp_path / "conf.port")
    proc = subprocess.Popen([aduan_bin(), "--config", str(conf), "serve", "--port-file",
                             port_file], env=env,
                            cwd=str(tmp_path), stdout=subprocess.DEVNULL, stderr=errf)
    try:
        up = False
        deadline = time.monotonic() + 20
        port = read_port_file(port_file, proc, 20)
        while port and time.monotonic() < deadline and proc.poll() is None:
            try:
                if http_request(port, "GET", "/healthz", timeout=2).status == 200:
                    up = True
                    break
            except OSError:
                time.sleep(0.05)
        assert up, (tmp_path / "conf.stderr").read_text()
        lr = Client(port).login("admin.satpolpp")
        assert lr.status == 200
        assert "Max-Age=7200" in lr.header("Set-Cookie")
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(30)
        errf.close()
    err = (tmp_path / "conf.stderr").read_text()
    assert proc.returncode == 0, err
    assert not sanitizer_problems(err), err


@pytest.mark.parametrize("text,needle", [
    ("[server]\nlisten = 127.0.0.1:8080\ncolour = blue\n", "colour"),
    ("[nosuch]\nlisten = 127.0.0.1:8080\n", "nosuch"),
    ("[server]\nlisten = nonsense\n", "listen"),
    ("this is not ini\n", "syntax"),
])
def test_bad_config_file_exits_2(tmp_path, text, needle):
    conf = tmp_path / "bad.conf"
    conf.write_text(text)
    env = base_env({"ADUAN_DATABASE_URL": "sqlite:%s/aduan.db" % tmp_path})
    r = _serve_expecting_exit(tmp_path, env, ("--config", str(conf), "serve"))
    assert r.returncode == 2, (r.returncode, r.stderr)
    one_line_mentioning(r.stderr, needle)


def test_missing_config_file_exits_2(tmp_path):
    env = base_env({"ADUAN_DATABASE_URL": "sqlite:%s/aduan.db" % tmp_path})
    r = _serve_expecting_exit(tmp_path, env, ("serve", "--config", str(tmp_path / "none.conf")))
    assert r.returncode == 2
    one_line_mentioning(r.stderr, "none.conf")


def test_init_twice_and_keep(tmp_path):
    srv = Server(tmp_path)
    r = srv.init()
    assert "admin.satpolpp" in r.stdout
    r = ok(srv.cli("init", "--demo"))
    assert r.returncode != 0
    assert "already initialised" in r.stderr
    r = ok(srv.cli("init"))
    assert r.returncode != 0
    r = ok(srv.cli("init", "--keep"))
    assert r.returncode == 0, r.stderr
    r = ok(srv.cli("init", "--demo", "--keep"))
    assert r.returncode == 0, r.stderr
    r = ok(srv.cli("init", "--bogus"))
    assert r.returncode == 2
    # --keep really kept the data: still exactly the demo's users.
    users = [ln.split()[0] for ln in ok(srv.cli("user", "list")).stdout.splitlines()[1:]]
    assert users.count("admin.satpolpp") == 1 and len(users) == 11


def test_init_without_demo_then_first_user(tmp_path):
    srv = Server(tmp_path)
    r = srv.init(demo=False)
    assert "user add" in r.stdout
    assert os.path.isdir(tmp_path / "media")
    r = ok(srv.cli("user", "add", "root", "--name", "Root", "--role", "superadmin",
                   input="rootpassword\n"))
    assert r.returncode == 0, r.stderr
    srv.start()
    try:
        c = Client(srv.port)
        assert c.login("root", "rootpassword").status == 200
        assert c.get("/api/v1/regions").json["items"][5]["name"] == "Paringin"
        assert c.get("/api/v1/agencies").json["items"] == []
        assert c.list_cases()["items"] == []
    finally:
        problems = srv.stop()
    assert not problems, problems


def test_migrate_prints_schema_version(tmp_path):
    srv = Server(tmp_path)
    # On a fresh database, migrate creates the schema.
    r = ok(srv.cli("migrate"))
    assert r.returncode == 0, r.stderr
    m = re.search(r"schema version (\d+) \((\d+) migrations? applied\)", r.stdout)
    assert m, r.stdout
    version, applied = int(m.group(1)), int(m.group(2))
    # Numbers are assigned per feature branch, so they may have gaps.
    mig = os.path.join(os.path.dirname(__file__), "..", "..", "src", "store", "migrations")
    # A number is one shared file (NNNN_name.sql) or one per engine; a few
    # are one engine's alone (0021: PostgreSQL's btree_gin index).
    numbers = {int(f[:4]) for f in os.listdir(mig)
               if f.endswith(".sql") and not f.endswith(".pg.sql")}
    assert version == max(numbers) and applied == len(numbers)
    # Again: nothing left to apply.
    r = ok(srv.cli("migrate"))
    assert r.returncode == 0
    assert "schema version %d (0 migrations applied)" % version in r.stdout
    # init after migrate works (the schema is there, no data yet).
    assert srv.init().returncode == 0


def test_serve_stops_cleanly_on_sigint(tmp_path):
    srv = Server(tmp_path)
    srv.init()
    srv.start()
    assert Client(srv.port).login("admin.satpolpp").status == 200
    srv.proc.send_signal(signal.SIGINT)
    srv.proc.wait(30)
    assert srv.proc.returncode == 0
    assert not srv.stop()


def test_serve_on_a_busy_port_fails(tmp_path):
    srv = Server(tmp_path)
    srv.init()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        r = _serve_expecting_exit(tmp_path, srv.env(ADUAN_LISTEN="127.0.0.1:%d" % port))
    finally:
        sock.close()
    assert r.returncode == 1, (r.returncode, r.stderr)
    one_line_mentioning(r.stderr, str(port))


def test_aduan_config_variable_must_name_a_readable_file(tmp_path):
    env = base_env({"ADUAN_CONFIG": str(tmp_path / "missing.conf"),
                    "ADUAN_DATABASE_URL": "sqlite:%s/aduan.db" % tmp_path})
    r = _serve_expecting_exit(tmp_path, env)
    assert r.returncode == 2
    one_line_mentioning(r.stderr, "missing.conf")


def test_timezone_setting_shapes_times(tmp_path):
    srv = Server(tmp_path, {"ADUAN_TIMEZONE": "Asia/Jakarta"})
    srv.init()
    srv.start()
    try:
        c = Client(srv.port)
        assert c.login("admin.satpolpp").status == 200
        k = c.create_case(category_id=1, description="Zona waktu WIB")
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$", k["created_at"]), k
    finally:
        problems = srv.stop()
    assert not problems, problems


def test_database_password_never_printed(tmp_path):
    srv = Server(tmp_path, {"ADUAN_DATABASE_URL":
                            "postgresql://aduan:s3cretpw@127.0.0.1:1/aduan?connect_timeout=2"})
    r = srv.cli("migrate")
    assert r.returncode == 1
    assert "s3cretpw" not in r.stderr + r.stdout
    assert "aduan:***@" in r.stderr
    r = srv.cli("serve", ADUAN_DATABASE_URL="mysql://aduan:s3cretpw@db/x")
    assert r.returncode == 2 and "s3cretpw" not in r.stderr, r.stderr
