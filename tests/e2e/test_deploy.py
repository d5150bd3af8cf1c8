"""The deployment files, tested as written: deploy/*.service, deploy/nginx-*.conf
and docs/DEPLOY.md.

nginx (Debian package `nginx`, plus `openssl` for a self-signed certificate)
runs as the current user from a temporary directory, with a minimal wrapper
nginx.conf that `include`s the server blocks of deploy/nginx-single.conf or
deploy/nginx-scaled.conf. Only what must differ in a test is changed in them:
the listen ports (to free loopback ports; the `listen [::]` lines are left
out, they would bind every interface), the certificate paths (to the
self-signed one) and the addresses of the aduan instances (to the test's
servers). Everything else - TLS, HTTP/2, headers, body size, timeouts,
upstream, failover - is the file as shipped.

The scaled set-up needs PostgreSQL (ADUAN_TEST_PG, set by tests/run-all.sh);
the unit files are checked with systemd-analyze when it is installed.
Everything listens on 127.0.0.1 only.
"""

import grp
import http.client
import http.server
import json as jsonlib
import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time

import pytest

import aduan_e2e
from aduan_e2e import (HOST, Client, Response, Server, StraceRefused, aduan_bin, base_env,
                       free_port, http_request, repo_root, run_cli, sanitizer_problems,
                       serve_under_strace)

ROOT = repo_root()
DEPLOY = os.path.join(ROOT, "deploy")
DEPLOY_MD = os.path.join(ROOT, "docs", "DEPLOY.md")
NGINX = "/usr/sbin/nginx"
UNITS = ["aduan.service", "aduan@.service"]
HEALTH_LINE = "info http method=GET path=/healthz status=200"


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# ---- what aduan knows ----------------------------------------------------------


def known_settings():
    """ADUAN_* names aduan reads: the keys table of src/core/config.c, plus
    the few variables src/main.c reads itself (ADUAN_CONFIG)."""
    src = read(os.path.join(ROOT, "src", "core", "config.c"))
    m = re.search(r"\bkeys\[\]\s*=\s*\{(.*?)\n\};", src, re.S)
    assert m, "the keys table of src/core/config.c was not found"
    # Rows are UINT("ADUAN_...", ...), TEXT(...), CHOICE(...), CUSTOM(...).
    names = set(re.findall(r'[{(]\s*"(ADUAN_[A-Z0-9_]+)"', m.group(1)))
    assert {"ADUAN_LISTEN", "ADUAN_DATABASE_URL", "ADUAN_MEDIA_DIR"} <= names, names
    names |= set(re.findall(r'getenv\("(ADUAN_[A-Z0-9_]+)"\)',
                            read(os.path.join(ROOT, "src", "main.c"))))
    assert "ADUAN_CONFIG" in names
    return names


def harness_variables():
    """ADUAN_* names of the test harness (not settings of aduan)."""
    text = read(os.path.join(ROOT, "tests", "run-all.sh")) + read(
        os.path.join(ROOT, "tests", "e2e", "aduan_e2e.py"))
    return set(re.findall(r"\b(ADUAN_TEST_[A-Z0-9_]+|ADUAN_BIN)\b", text))


def help_commands():
    """{command: set of subcommands (empty when it has none)} from `aduan help`."""
    r = run_cli(["help"], base_env(), ROOT)
    assert r.returncode == 0, r.stderr
    cmds = {}
    for m in re.finditer(r"^\s*aduan ([a-z]+)(?: ([a-z]+(?:\|[a-z]+)*))?", r.stdout, re.M):
        subs = cmds.setdefault(m.group(1), set())
        if m.group(2) and m.group(1) in ("user", "agency", "category", "team"):
            subs.update(m.group(2).split("|"))
    assert {"init", "serve", "migrate", "user", "agency"} <= set(cmds), r.stdout
    return cmds


# ---- systemd units ---------------------------------------------------------------


def parse_unit(path):
    """{section: [(key, value), ...]} keeping repeated keys and their order."""
    sections, cur = {}, None
    for raw in read(path).splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        assert not line.endswith("\\"), "continuation lines are not expected: %r" % raw
        m = re.match(r"^\[([A-Za-z]+)\]$", line)
        if m:
            cur = sections.setdefault(m.group(1), [])
            continue
        assert cur is not None, "%s: %r before the first section" % (path, raw)
        key, eq, value = line.partition("=")
        assert eq, "%s: not KEY=VALUE: %r" % (path, raw)
        cur.append((key.strip(), value.strip()))
    return sections


def values(section, key):
    return [v for k, v in section if k == key]


def environment_assignments(service):
    """NAME=VALUE pairs of every Environment= line (unquoted, space-separated)."""
    out = []
    for v in values(service, "Environment"):
        for word in v.split():
            name, eq, val = word.strip('"').partition("=")
            assert eq, "Environment word without '=': %r" % word
            out.append((name, val))
    return out


@pytest.mark.parametrize("unit", UNITS)
def test_unit_file_contents(unit, tmp_path):
    u = parse_unit(os.path.join(DEPLOY, unit))
    assert {"Unit", "Service", "Install"} <= set(u), set(u)
    s = u["Service"]
    one = lambda key: (values(s, key) or [None])[-1]  # noqa: E731
    assert values(s, "ExecStart") == ["/usr/local/bin/aduan serve"]
    assert one("User") == "aduan" and one("Group") == "aduan"
    assert one("WorkingDirectory") == "/var/lib/aduan"
    assert one("StateDirectory") == "aduan"  # i.e. /var/lib/aduan, owned by User=
    assert one("Restart") == "on-failure"
    assert one("KillSignal") == "SIGTERM"
    assert one("NoNewPrivileges") == "yes"
    assert one("ProtectSystem") == "strict"
    assert one("PrivateTmp") == "yes"
    assert one("ProtectHome") in ("yes", "read-only", "tmpfs")
    rw = " ".join(values(s, "ReadWritePaths")).split()
    assert "/var/lib/aduan" in rw, rw
    assert values(s, "EnvironmentFile") == ["-/etc/aduan/aduan.env"]
    assert values(u["Install"], "WantedBy") == ["multi-user.target"]

    env = dict(environment_assignments(s))
    unknown = set(env) - known_settings()
    assert not unknown, "Environment= names aduan does not know: %s" % sorted(unknown)
    assert env.get("ADUAN_CONFIG") == "/etc/aduan/aduan.conf"
    if unit == "aduan@.service":
        # The instance name is the port; only loopback (nginx is in front).
        assert env.get("ADUAN_LISTEN") == "127.0.0.1:%i"
    else:
        assert "ADUAN_LISTEN" not in env  # from aduan.conf, default 127.0.0.1:8080

    # The values are ones aduan accepts: run `aduan migrate` with exactly the
    # unit's Environment= (%i as a port), a real configuration file standing in
    # for /etc/aduan/aduan.conf and a throwaway database.
    conf = tmp_path / "aduan.conf"
    shutil.copy(os.path.join(ROOT, "aduan.conf.example"), conf)
    extra = {k: v.replace("%i", "8081") for k, v in env.items()}
    extra["ADUAN_CONFIG"] = str(conf)
    extra["ADUAN_DATABASE_URL"] = "sqlite:" + str(tmp_path / "aduan.db")
    extra["ADUAN_MEDIA_DIR"] = str(tmp_path / "media")
    r = run_cli(["migrate"], base_env(extra), str(tmp_path))
    assert r.returncode == 0, (extra, r.stderr)
    assert not sanitizer_problems(r.stderr), r.stderr


def systemd_analyze():
    exe = shutil.which("systemd-analyze")
    if not exe:
        pytest.skip("systemd-analyze is not installed (package systemd); "
                    "test_unit_file_contents checked the units without it")
    return exe


# Output of `systemd-analyze verify` that comes from this machine, not the unit.
ENVIRONMENTAL = [
    re.compile(r"Command /usr/local/bin/aduan is not executable: No such file or directory"),
]
NO_MANAGER = re.compile(r"(Failed to (initialize|create|connect to|set up) (manager|bus)|"
                        r"System has not been booted with systemd|Operation not permitted|"
                        r"Failed to allocate manager)", re.I)


def run_verify(exe, unit_path, instance=None):
    target = unit_path
    if instance:
        target = os.path.join(os.path.dirname(unit_path),
                              os.path.basename(unit_path).replace("@.", "@%s." % instance))
    r = subprocess.run([exe, "verify", "--man=no", target], capture_output=True, text=True,
                       timeout=60, env=dict(os.environ, SYSTEMD_LOG_COLOR="0", LC_ALL="C"))
    lines = [ln for ln in (r.stdout + r.stderr).splitlines() if ln.strip()]
    return r.returncode, lines


@pytest.mark.parametrize("unit", UNITS)
def test_unit_systemd_analyze_verify(unit, tmp_path):
    """`systemd-analyze verify` on the unit as written (only the missing
    /usr/local/bin/aduan on this machine is forgiven), then on a copy whose
    ExecStart names the built binary: no complaint at all. And the offline
    security review rates the hardening 'OK' (exposure at most 3.0)."""
    exe = systemd_analyze()
    instance = "8081" if "@." in unit else None
    as_written = tmp_path / "as-written"
    as_written.mkdir()
    shutil.copy(os.path.join(DEPLOY, unit), as_written / unit)
    rc, lines = run_verify(exe, str(as_written / unit), instance)
    if rc != 0 and any(NO_MANAGER.search(ln) for ln in lines):
        pytest.skip("systemd-analyze cannot run here (environment, not the unit): %s"
                    % " | ".join(lines))
    binary_here = os.path.exists("/usr/local/bin/aduan")
    problems = [ln for ln in lines
                if binary_here or not any(p.search(ln) for p in ENVIRONMENTAL)]
    assert not problems, "systemd-analyze verify %s:\n%s" % (unit, "\n".join(lines))

    built = tmp_path / "built"
    built.mkdir()
    text = read(os.path.join(DEPLOY, unit))
    assert text.count("ExecStart=/usr/local/bin/aduan serve") == 1
    (built / unit).write_text(text.replace("ExecStart=/usr/local/bin/aduan serve",
                                           "ExecStart=%s serve" % aduan_bin()))
    rc, lines = run_verify(exe, str(built / unit), instance)
    assert rc == 0 and not lines, "systemd-analyze verify %s (binary present):\n%s" % (
        unit, "\n".join(lines))

    helptext = subprocess.run([exe, "--help"], capture_output=True, text=True).stdout
    if "--offline" in helptext and "--threshold" in helptext:
        target = str(built / unit)
        if instance:
            target = str(built / unit.replace("@.", "@%s." % instance))
        r = subprocess.run([exe, "security", "--offline=true", "--threshold=30", "--no-pager",
                            target], capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, SYSTEMD_LOG_COLOR="0", LC_ALL="C"))
        summary = [ln for ln in r.stdout.splitlines() if "Overall exposure" in ln]
        assert r.returncode == 0, "security review above 3.0:\n%s%s" % (r.stdout[-3000:],
                                                                        r.stderr)
        assert summary, r.stdout[-2000:]


def syscall_groups(exe):
    """{"@group": [members, which may be @groups]} from systemd-analyze."""
    r = subprocess.run([exe, "syscall-filter", "--no-pager"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    groups, cur = {}, None
    for line in r.stdout.splitlines():
        if line.startswith("@"):
            cur = groups.setdefault(line.split()[0], [])
        elif line.startswith("    ") and cur is not None and not line.strip().startswith("#"):
            cur.append(line.split()[0])
    assert "@system-service" in groups, r.stdout[:2000]
    return groups


def allowed_syscalls(service, groups):
    """The system calls the unit's SystemCallFilter= lines allow (an allow
    list, then ~deny lists), with the groups expanded."""
    def expand(names):
        out = set()
        for n in names:
            out |= expand(groups.get(n, [])) if n.startswith("@") else {n}
        return out
    allowed = None
    for v in values(service, "SystemCallFilter"):
        if v.startswith("~"):
            assert allowed is not None, "a deny list before the allow list"
            allowed -= expand(v[1:].split())
        else:
            allowed = expand(v.split()) if allowed is None else allowed | expand(v.split())
    assert allowed, "no SystemCallFilter= allow list"
    return allowed


def traced_serve(srv, trace):
    """Starts `aduan serve` of srv under strace -f; returns (strace process,
    aduan's pid)."""
    try:
        return serve_under_strace(srv, trace)
    except StraceRefused as ex:
        pytest.skip("strace cannot trace here (ptrace not permitted): %s" % ex)


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_unit_syscall_filter_allows_what_aduan_uses(engine, tmp_path):
    """aduan serve, traced with strace through start-up, logins, reads,
    writes, a refused body and SIGTERM, makes only system calls that the
    SystemCallFilter= of deploy/aduan.service allows."""
    exe = systemd_analyze()
    if not shutil.which("strace"):
        pytest.skip("strace is not installed (Debian package strace)")
    allowed = allowed_syscalls(parse_unit(os.path.join(DEPLOY, "aduan.service"))["Service"],
                               syscall_groups(exe))
    extra = {"ADUAN_LOG_LEVEL": "info"}
    if engine == "postgres":
        extra["ADUAN_DATABASE_URL"] = pg_database()
    srv = Server(tmp_path, extra)
    srv.init(demo=True)
    trace = str(tmp_path / "strace.out")
    p, pid = traced_serve(srv, trace)
    try:
        c = srv.client()
        assert c.login("admin.satpolpp").status == 200
        assert c.get("/api/v1/me").status == 200
        assert c.get("/readyz").status == 200
        k = c.create_case(category_id=c.category_id("pkl"), description="Di bawah strace")
        assert c.act(k["id"], "verify")["status"]
        assert c.list_cases(limit=5)["items"]
        r = c.post("/api/v1/cases", body=b"x" * (100 * 1024))
        assert r.status == 413, r
        assert c.logout().status in (200, 204)
    finally:
        # SIGTERM, repeated: under ptrace the kernel may hand the signal to a
        # worker thread (aduan does not block it there), and aduan's main
        # thread, waiting in pause(), then only wakes on a later one.
        rc = None
        deadline = time.monotonic() + 60
        while rc is None and time.monotonic() < deadline:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                rc = p.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        if rc is None:
            # aduan first: killing strace alone would leave it running, detached.
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                rc = p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = p.wait()
    assert rc == 0, "aduan serve under strace exited %s:\n%s" % (rc, srv.read_stderr()[-3000:])
    assert not sanitizer_problems(srv.read_stderr()), srv.read_stderr()[-6000:]
    used = set()
    with open(trace) as f:
        for line in f:
            m = re.match(r"^\d+\s+([a-z0-9_]+)\(", line)
            if m:
                used.add(m.group(1))
    assert {"accept4", "epoll_wait"} & used, sorted(used)  # really traced the server
    used.discard("execve")  # strace starting aduan, before the filter would apply
    if os.geteuid() == 0:
        # SQLite, as root only, gives new journal files the database's owner.
        used.discard("fchown")
    denied = sorted(used - allowed)
    assert not denied, "system calls the unit's SystemCallFilter= does not allow: %s" % denied


# ---- docs/DEPLOY.md --------------------------------------------------------------


def code_of(markdown):
    """The text of fenced code blocks and inline code spans."""
    parts = re.findall(r"^```[^\n]*\n(.*?)^```", markdown, re.S | re.M)
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", markdown, flags=re.S | re.M)
    parts += re.findall(r"`([^`\n]+)`", prose)
    return parts


def test_deploy_md_mentions_only_known_settings():
    text = read(DEPLOY_MD)
    mentioned = set(re.findall(r"\bADUAN_[A-Z0-9_]+\b", text))
    unknown = mentioned - known_settings() - harness_variables()
    assert not unknown, "docs/DEPLOY.md mentions settings aduan does not know: %s" % sorted(
        unknown)
    for needed in ("ADUAN_DATABASE_URL", "ADUAN_MEDIA_DIR", "ADUAN_DB_POOL_SIZE",
                   "ADUAN_PUBLIC_URL", "ADUAN_LISTEN", "ADUAN_CONFIG"):
        assert needed in mentioned, "docs/DEPLOY.md should explain %s" % needed


# `aduan [--config FILE] WORD` as a command: not part of a path or a longer
# name, and not the user name in `sudo -u aduan COMMAND ...`.
COMMAND_RE = re.compile(r"(?<![\w/.@-])(?<!-u )aduan[ \t]+(?:--config[ \t]+\S+[ \t]+)?"
                        r"(?!aduan\b)([a-z][a-z-]*)\b(?:[ \t]+([a-z]+)\b)?")


def test_deploy_md_commands_exist():
    cmds = help_commands()
    seen = set()
    bad = []
    for chunk in code_of(read(DEPLOY_MD)):
        for m in COMMAND_RE.finditer(chunk):
            cmd, sub = m.group(1), m.group(2)
            seen.add(cmd)
            if cmd not in cmds:
                bad.append("aduan %s" % cmd)
            elif cmds[cmd] and sub and sub not in cmds[cmd]:
                bad.append("aduan %s %s" % (cmd, sub))
    assert not bad, "docs/DEPLOY.md uses commands `aduan help` does not list: %s" % bad
    assert {"init", "serve", "migrate", "user", "agency"} <= seen, seen


def test_deploy_md_references_existing_files():
    text = read(DEPLOY_MD)
    refs = set(re.findall(r"\b((?:deploy|docs|tests/e2e)/[\w@.-]+\.(?:service|conf|md|py))\b",
                          text))
    missing = [p for p in sorted(refs) if not os.path.exists(os.path.join(ROOT, p))]
    assert not missing, "docs/DEPLOY.md refers to files that do not exist: %s" % missing
    for f in ("deploy/aduan.service", "deploy/aduan@.service", "deploy/nginx-single.conf",
              "deploy/nginx-scaled.conf", "tests/e2e/test_deploy.py"):
        assert f in refs, "docs/DEPLOY.md should refer to %s" % f


def test_deploy_md_config_blocks_are_accepted(tmp_path):
    """Every ```ini block of DEPLOY.md is an aduan.conf that aduan accepts
    (the database and media directory are pointed at a throwaway place
    by the environment, which overrides the file)."""
    blocks = re.findall(r"^```ini\n(.*?)^```", read(DEPLOY_MD), re.S | re.M)
    assert blocks, "docs/DEPLOY.md shows no aduan.conf (```ini block)"
    for i, block in enumerate(blocks):
        conf = tmp_path / ("aduan-%d.conf" % i)
        conf.write_text(block)
        env = base_env({"ADUAN_DATABASE_URL": "sqlite:" + str(tmp_path / ("db%d" % i)),
                        "ADUAN_MEDIA_DIR": str(tmp_path / ("media%d" % i))})
        r = run_cli(["--config", str(conf), "migrate"], env, str(tmp_path))
        assert r.returncode == 0, "block %d of DEPLOY.md:\n%s\n%s" % (i, block, r.stderr)


# ---- the SQLite backup of DEPLOY.md ------------------------------------------------


def test_sqlite_backup_while_serving_restores(tmp_path):
    """`sqlite3 aduan.db ".backup FILE"` while aduan serves (WAL) gives a
    consistent copy that a second aduan serves with the latest case in it."""
    sqlite3 = shutil.which("sqlite3")
    if not sqlite3:
        pytest.skip("the sqlite3 command is not installed (Debian package sqlite3)")
    live = Server(tmp_path / "live")
    os.makedirs(live.workdir)
    live.init(demo=True)
    restored = Server(tmp_path / "restored")
    os.makedirs(restored.workdir)
    try:
        live.start()
        admin = live.client()
        assert admin.login("admin.satpolpp").status == 200
        case = admin.create_case(category_id=admin.category_id("pkl"),
                                 description="Dicatat sebelum backup")
        backup = os.path.join(restored.workdir, "aduan.db")
        r = subprocess.run([sqlite3, live.db_path, ".backup '%s'" % backup],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and not r.stderr, r.stderr
        # The server goes on working while and after the copy is taken.
        assert admin.get("/api/v1/me").status == 200
        r = subprocess.run([sqlite3, backup, "PRAGMA integrity_check;"], capture_output=True,
                           text=True, timeout=60)
        assert r.stdout.strip() == "ok", r.stdout + r.stderr
        restored.start()
        c = restored.client()
        assert c.login("admin.satpolpp").status == 200
        assert c.case(case["id"])["tracking_code"] == case["tracking_code"]
    finally:
        problems = live.stop() + restored.stop()
    assert not problems, problems


# ---- nginx -------------------------------------------------------------------------


def need_nginx():
    if not os.access(NGINX, os.X_OK):
        pytest.skip("%s is not installed (Debian package nginx; make deps)" % NGINX)
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is not installed (Debian package openssl)")


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and a client context trusting
    exactly it (so the TLS check is real, on loopback)."""
    need_nginx()
    d = tmp_path_factory.mktemp("tls")
    cert, key = str(d / "fullchain.pem"), str(d / "privkey.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                        "subjectAltName=IP:127.0.0.1"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    ctx = ssl.create_default_context(cafile=cert)
    ctx.set_alpn_protocols(["http/1.1"])
    return cert, key, ctx


def render_site(text, http_port, https_port, cert, key, backends):
    """The server-block file with only the test's differences: loopback listen
    ports, the certificate, the aduan addresses in its upstream block (the
    first len(backends) servers get the test's ports, the others are left
    out)."""
    out, in_upstream, used = [], False, 0
    ports = {"80": http_port, "443": https_port}
    mapped, certs = set(), 0
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("#"):
            out.append(line)
            continue
        m = re.match(r"^(\s*)listen\s+(\S+)(.*);\s*$", line)
        if m:
            if m.group(2).startswith("["):
                continue  # [::]:PORT is every IPv6 interface: not in a loopback test
            port = m.group(2).rsplit(":", 1)[-1]
            assert port in ports, "unexpected listen: %r" % line
            mapped.add(port)
            out.append("%slisten %s:%d%s;" % (m.group(1), HOST, ports[port], m.group(3)))
            continue
        if re.match(r"^\s*upstream\s+\S+\s*\{", line):
            in_upstream = True
        elif in_upstream and s == "}":
            in_upstream = False
        m = re.match(r"^(\s*)server\s+(\S+)(.*);\s*$", line)
        if in_upstream and m:
            if used < len(backends):
                out.append("%sserver %s:%d%s;" % (m.group(1), HOST, backends[used], m.group(3)))
                used += 1
            continue
        m = re.match(r"^(\s*)(ssl_certificate|ssl_certificate_key)\s+\S+;\s*$", line)
        if m:
            certs += 1
            out.append("%s%s %s;" % (m.group(1), m.group(2),
                                     cert if m.group(2) == "ssl_certificate" else key))
            continue
        out.append(line)
    assert mapped == {"80", "443"}, mapped
    assert certs >= 2, "ssl_certificate and ssl_certificate_key not found"
    assert used == len(backends), "the upstream has fewer servers than the test needs"
    site = "\n".join(out) + "\n"
    # Nothing in the rendered file leaves loopback.
    for m in re.finditer(r"^\s*(listen|proxy_pass|server)\s+(\S+)", site, re.M):
        if m.group(1) == "listen":
            assert m.group(2).startswith(HOST + ":"), m.group(0)
        elif m.group(1) == "proxy_pass":
            assert re.match(r"http://[a-z_]+;$", m.group(2)), m.group(0)  # an upstream
        elif m.group(2) not in ("{", "localhost"):
            assert m.group(2).startswith(HOST + ":"), m.group(0)  # an upstream server
    return site


class Nginx:
    """nginx -p DIR -c DIR/nginx.conf with the site file included, in the
    foreground, as the current user."""

    def __init__(self, workdir, site):
        self.dir = str(workdir)
        os.makedirs(os.path.join(self.dir, "temp"), exist_ok=True)
        self.conf = os.path.join(self.dir, "nginx.conf")
        self.errlog = os.path.join(self.dir, "error.log")
        self.proc = None
        with open(os.path.join(self.dir, "site.conf"), "w") as f:
            f.write(site)
        user = ""
        if os.geteuid() == 0:  # else the workers would run as nobody
            user = "user %s %s;\n" % (pwd.getpwuid(os.geteuid()).pw_name,
                                       grp.getgrgid(os.getegid()).gr_name)
        temp = os.path.join(self.dir, "temp")
        with open(self.conf, "w") as f:
            f.write(
                "%(user)sdaemon off;\nmaster_process on;\nworker_processes 1;\n"
                "pid %(d)s/nginx.pid;\nerror_log %(d)s/error.log notice;\n"
                "events { worker_connections 256; }\n"
                "http {\n"
                "    access_log %(d)s/access.log;\n"
                "    client_body_temp_path %(t)s/body;\n    proxy_temp_path %(t)s/proxy;\n"
                "    fastcgi_temp_path %(t)s/fastcgi;\n    uwsgi_temp_path %(t)s/uwsgi;\n"
                "    scgi_temp_path %(t)s/scgi;\n"
                "    include %(d)s/site.conf;\n"
                "}\n" % {"user": user, "d": self.dir, "t": temp})

    def args(self, *more):
        return [NGINX, "-p", self.dir + "/", "-c", self.conf, "-e", self.errlog] + list(more)

    def error_log(self):
        try:
            return read(self.errlog)
        except OSError:
            return ""

    def check(self):
        r = subprocess.run(self.args("-t"), capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, "nginx -t:\n%s\n%s" % (r.stderr, self.error_log())
        return r.stderr

    def start(self, ports, timeout=20):
        self.out = open(os.path.join(self.dir, "nginx.stderr"), "wb")
        self.proc = subprocess.Popen(self.args(), stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        waiting = list(ports)
        while waiting and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                socket.create_connection((HOST, waiting[0]), timeout=1).close()
                waiting.pop(0)
            except OSError:
                time.sleep(0.05)
        if waiting:
            self.stop()
            raise AssertionError("nginx did not listen on %s:\n%s" % (waiting, self.error_log()))

    def stop(self):
        """Graceful stop (SIGQUIT), then the whole process group by force."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # the master waits for its workers
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                # Master and workers: the process group nginx was started in
                # (start_new_session), not yet reaped, so still ours.
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None
        self.out.close()


def https_request(port, ctx, method, path, body=None, headers=None, timeout=30, source=None):
    """source: the local address to connect from (127.0.0.2 is another client)."""
    conn = http.client.HTTPSConnection(HOST, port, context=ctx, timeout=timeout,
                                       source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, r.reason, r.headers, data)
    finally:
        conn.close()


class TLSClient(Client):
    """The e2e Client, over HTTPS through nginx."""

    def __init__(self, port, ctx, source=None):
        super().__init__(port, source=source)
        self.ctx = ctx

    def request(self, method, path, json=None, body=None, headers=None, csrf=True, **kw):
        assert not kw, "TLSClient does not support %s" % sorted(kw)
        h = {}
        if json is not None and body is None:
            body = jsonlib.dumps(json).encode("utf-8")
        if body:
            h["Content-Type"] = "application/json"
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if csrf and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        r = https_request(self.port, self.ctx, method, path, body=body, headers=h,
                          source=self.source)
        self._take_cookies(r)
        return r

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json={} if json is None else json, **kw)

    def direct(self, port):
        """A plain-HTTP client straight to one instance, with this session."""
        c = Client(port)
        c.cookies = dict(self.cookies)
        c.csrf = self.csrf
        return c


def health_count(srv):
    return srv.read_stderr().count(HEALTH_LINE)


def wait_counts(servers, before, total, timeout=10):
    """Waits until the servers logged `total` more /healthz lines (a line is
    written just after the answer went out); returns the increments."""
    deadline = time.monotonic() + timeout
    while True:
        inc = [health_count(s) - b for s, b in zip(servers, before)]
        if sum(inc) >= total or time.monotonic() > deadline:
            return inc
        time.sleep(0.05)


def pg_database():
    """A new empty database on the test PostgreSQL; its URL (or skip)."""
    if not aduan_e2e.pg_available():
        pytest.skip("ADUAN_TEST_PG is not set: this needs PostgreSQL "
                    "(tests/run-all.sh starts one with tests/pgtmp.sh)")
    return aduan_e2e.pg_database()


def check_alpn_h2(port, cert):
    """nginx offers HTTP/2 (listen ... http2) over TLS."""
    ctx = ssl.create_default_context(cafile=cert)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection((HOST, port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=HOST) as s:
            return s.selected_alpn_protocol()


def session_headers(client):
    return {"Content-Type": "application/json", "X-CSRF-Token": client.csrf,
            "Cookie": "; ".join("%s=%s" % kv for kv in client.cookies.items())}


REFUSED_LINE = "path=/api/v1/cases status=413"


def post_oversized(port, ctx, client, servers, size):
    """POSTs a case of `size` bytes through nginx: it must reach aduan, which
    refuses it with its own 413 (JSON), passed on by nginx. (aduan reads and
    drops such a body before answering; when it closed without reading,
    nginx, still sending, answered 502 instead.)"""
    seen = sum(s.read_stderr().count(REFUSED_LINE) for s in servers)
    body = b'{"description":"' + b"a" * size + b'"}'
    r = https_request(port, ctx, "POST", "/api/v1/cases", body=body,
                      headers=session_headers(client))
    deadline = time.monotonic() + 10
    while True:
        now = sum(s.read_stderr().count(REFUSED_LINE) for s in servers)
        if now > seen or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert now == seen + 1, "a %d-byte body did not reach aduan (nginx answered %s)" % (
        size, r.status)
    assert r.status == 413 and r.code == "too_large", (size, r)


def check_body_limits(port, ctx, client, servers):
    """Over 64 KiB the API refuses the body itself (aduan's 413); over 4 MiB
    nginx answers 413 without bothering aduan (client_max_body_size 4m)."""
    h = session_headers(client)
    post_oversized(port, ctx, client, servers, 100 * 1024)
    seen = sum(s.read_stderr().count(REFUSED_LINE) for s in servers)
    huge = b"a" * (5 * 1024 * 1024)
    try:
        r = https_request(port, ctx, "POST", "/api/v1/cases", body=huge, headers=h)
    except (BrokenPipeError, ConnectionResetError, ssl.SSLError) as e:
        raise AssertionError("nginx dropped the connection instead of answering 413: %r" % e)
    assert r.status == 413 and r.code is None, r  # nginx's page, not aduan's JSON
    assert sum(s.read_stderr().count(REFUSED_LINE) for s in servers) == seen


@pytest.fixture
def single(tmp_path, tls):
    """deploy/nginx-single.conf in front of one aduan on SQLite."""
    cert, key, ctx = tls
    http_port, https_port = free_port(), free_port()
    # trusted_proxies as in docs/DEPLOY.md A.4: nginx on this machine.
    srv = Server(tmp_path / "aduan", {"ADUAN_PUBLIC_URL": "https://%s:%d" % (HOST, https_port),
                                      "ADUAN_LOG_LEVEL": "info",
                                      "ADUAN_TRUSTED_PROXIES": HOST})
    os.makedirs(srv.workdir)
    srv.init(demo=True)
    ngx = None
    problems = []
    try:
        srv.start()
        site = render_site(read(os.path.join(DEPLOY, "nginx-single.conf")), http_port,
                           https_port, cert, key, [srv.port])
        ngx = Nginx(tmp_path / "nginx", site)
        ngx.check()
        ngx.start([http_port, https_port])
        yield srv, ngx, http_port, https_port
    finally:
        if ngx:
            ngx.stop()
        problems = srv.stop()
    assert not problems, problems


def test_nginx_single(single, tls):
    srv, ngx, http_port, https_port = single
    cert, _, ctx = tls

    # Port 80 sends everything to https, keeping the path and query...
    r = http_request(http_port, "GET", "/api/v1/me?lang=id")
    assert r.status == 301, r
    assert r.header("Location") == "https://%s/api/v1/me?lang=id" % HOST, r.headers
    r = http_request(http_port, "POST", "/api/v1/auth/login", body=b"{}",
                     headers={"Content-Type": "application/json"})
    assert r.status == 301 and r.header("Location").startswith("https://"), r
    # ...but the Let's Encrypt challenge (certbot --webroot) is served there.
    r = http_request(http_port, "GET", "/.well-known/acme-challenge/token123")
    assert r.status == 404, r

    assert check_alpn_h2(https_port, cert) == "h2"
    r = https_request(https_port, ctx, "GET", "/healthz")
    assert r.status == 200 and r.json == {"status": "ok"}, r
    assert "max-age=" in (r.header("Strict-Transport-Security") or ""), r.headers
    r = https_request(https_port, ctx, "GET", "/readyz")
    assert r.status == 200 and r.json["status"] == "ready", r
    # /metrics is answered by nginx (404), never passed on: through the proxy
    # every client would be loopback to aduan. aduan's own port answers it.
    r = https_request(https_port, ctx, "GET", "/metrics")
    assert r.status == 404 and b"aduan_" not in r.body, r
    assert http_request(srv.port, "GET", "/metrics").status == 200

    c = TLSClient(https_port, ctx)
    r = c.login("admin.satpolpp")
    assert r.status == 200, r
    cookie = r.header("Set-Cookie")
    assert "Secure" in cookie and "HttpOnly" in cookie, cookie  # ADUAN_PUBLIC_URL is https
    assert c.get("/api/v1/me").status == 200
    k = c.post("/api/v1/cases", json={"category_id": c.category_id("pkl"),
                                      "description": "Lewat nginx"})
    assert k.status == 201, k
    assert c.direct(srv.port).case(k.json["id"])["description"] == "Lewat nginx"
    check_body_limits(https_port, ctx, c, [srv])
    assert srv.read_stderr().count("path=/api/v1/cases status=201") == 1


@pytest.fixture
def scaled(tmp_path, tls):
    """deploy/nginx-scaled.conf in front of two aduan instances on one
    PostgreSQL database."""
    url = pg_database()
    cert, key, ctx = tls
    http_port, https_port = free_port(), free_port()
    env = {"ADUAN_DATABASE_URL": url, "ADUAN_LOG_LEVEL": "info",
           "ADUAN_PUBLIC_URL": "https://%s:%d" % (HOST, https_port),
           "ADUAN_TRUSTED_PROXIES": HOST,  # docs/DEPLOY.md B.2
           # One media directory for both, as the shared (NFS) one would be.
           "ADUAN_MEDIA_DIR": str(tmp_path / "shared-media")}
    a = Server(tmp_path / "a", env)
    b = Server(tmp_path / "b", env)
    os.makedirs(a.workdir)
    os.makedirs(b.workdir)
    ngx = None
    problems = []
    try:
        a.init(demo=True)
        a.start()
        b.start()
        site = render_site(read(os.path.join(DEPLOY, "nginx-scaled.conf")), http_port,
                           https_port, cert, key, backends=[a.port, b.port])
        ngx = Nginx(tmp_path / "nginx", site)
        ngx.check()
        ngx.start([http_port, https_port])
        yield a, b, ngx, http_port, https_port
    finally:
        if ngx:
            ngx.stop()
        problems = a.stop() + b.stop()
    assert not problems, problems


def test_nginx_scaled_spreads_and_shares_sessions(scaled, tls):
    a, b, ngx, http_port, https_port = scaled
    cert, _, ctx = tls
    assert check_alpn_h2(https_port, cert) == "h2"
    r = http_request(http_port, "GET", "/healthz")
    assert r.status == 301 and r.header("Location") == "https://%s/healthz" % HOST, r

    # Requests are spread over both instances.
    before = [health_count(a), health_count(b)]
    n = 20
    for _ in range(n):
        r = https_request(https_port, ctx, "GET", "/healthz")
        assert r.status == 200 and r.json == {"status": "ok"}, r
    inc = wait_counts([a, b], before, n)
    assert sum(inc) == n, inc
    assert min(inc) >= n // 4, "requests not spread over both instances: %s" % inc
    for _ in range(4):
        r = https_request(https_port, ctx, "GET", "/readyz")
        assert r.status == 200 and r.json == {"status": "ready", "database": "ok"}, r
    r = https_request(https_port, ctx, "GET", "/metrics")
    assert r.status == 404 and b"aduan_" not in r.body, r

    # A session made through nginx (whichever instance) works on both.
    c = TLSClient(https_port, ctx)
    r = c.login("admin.satpolpp")
    assert r.status == 200, r
    assert "Secure" in r.header("Set-Cookie")
    me = [c.direct(s.port).get("/api/v1/me") for s in (a, b)]
    assert [m.status for m in me] == [200, 200], me
    assert me[0].json["user"]["id"] == me[1].json["user"]["id"] == c.user_id
    for _ in range(6):
        assert c.get("/api/v1/me").status == 200
    # Writes through nginx are seen by both instances.
    ids = []
    for i in range(4):
        k = c.post("/api/v1/cases", json={"category_id": c.category_id("pkl"),
                                          "description": "Lewat nginx %d" % i})
        assert k.status == 201, k
        ids.append(k.json["id"])
    for s in (a, b):
        d = c.direct(s.port)
        assert [d.case(i)["description"] for i in ids] == ["Lewat nginx %d" % i
                                                           for i in range(4)]
    assert sum(s.read_stderr().count("path=/api/v1/cases status=201") for s in (a, b)) == 4
    check_body_limits(https_port, ctx, c, [a, b])
    # Logging out through nginx ends the session on both instances.
    old = c.direct(a.port), c.direct(b.port)
    r = c.request("POST", "/api/v1/auth/logout", body=b"")
    assert r.status in (200, 204), r
    for d in old:
        r = d.get("/api/v1/me")
        assert r.status == 401, r


def test_nginx_scaled_failover(scaled, tls):
    a, b, ngx, http_port, https_port = scaled
    _, _, ctx = tls
    c = TLSClient(https_port, ctx)
    assert c.login("admin.satpolpp").status == 200
    before = [health_count(a), health_count(b)]
    for _ in range(6):
        assert https_request(https_port, ctx, "GET", "/healthz").status == 200
    inc = wait_counts([a, b], before, 6)
    assert min(inc) > 0, inc

    # One instance stops (cleanly: exit 0, no sanitizer report)...
    problems = b.stop()
    assert not problems, problems
    # ...and nginx sends everything to the other one.
    before = health_count(a)
    for _ in range(12):
        r = https_request(https_port, ctx, "GET", "/healthz")
        assert r.status == 200, r
    for _ in range(4):
        assert c.get("/api/v1/me").status == 200
        assert https_request(https_port, ctx, "GET", "/readyz").status == 200
    inc = wait_counts([a], [before], 12)
    assert inc == [12], inc
    k = c.post("/api/v1/cases", json={"category_id": c.category_id("pkl"),
                                      "description": "Setelah satu instance mati"})
    assert k.status == 201, k
    assert c.direct(a.port).case(k.json["id"])["description"] == "Setelah satu instance mati"


def test_nginx_single_passes_3_mib_bodies(single, tls):
    """client_max_body_size leaves room for the 3 MiB WhatsApp webhook: a
    3.5 MiB body goes through nginx to aduan, which refuses it (the API
    takes 64 KiB) with its own 413."""
    srv, ngx, http_port, https_port = single
    _, _, ctx = tls
    c = TLSClient(https_port, ctx)
    assert c.login("admin.satpolpp").status == 200
    for _ in range(3):
        post_oversized(https_port, ctx, c, [srv], 3 * 1024 * 1024 + 512 * 1024)
    # The connection stays usable and nothing was stored.
    assert c.get("/api/v1/me").status == 200
    assert "status=201" not in srv.read_stderr()


def start_echo(requests=None):
    """A backend on a free loopback port that answers with the request line
    and headers it got (GET /slow... after 2 s); returns (server, list of
    its connections). The paths it answered are added to `requests`."""
    conns = []
    requests = [] if requests is None else requests

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # no 40 ms delayed-ACK wait per answer

        def setup(self):
            super().setup()
            conns.append(self.client_address)

        def do_GET(self):
            if self.path.startswith("/slow"):
                time.sleep(2)  # a request in progress, for limit_conn
            body = jsonlib.dumps({
                "version": self.request_version, "path": self.path,
                "conn": len(conns), "headers": {k.lower(): v for k, v in self.headers.items()},
            }).encode()
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.do_GET()

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer((HOST, 0), Handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    t.start()
    return srv, conns


@pytest.mark.parametrize("conf,n", [("nginx-single.conf", 1), ("nginx-scaled.conf", 2)])
def test_nginx_proxy_headers_and_keepalive(conf, n, tmp_path, tls):
    """What aduan receives from nginx: Host, X-Forwarded-For, X-Forwarded-Proto,
    X-Real-IP, HTTP/1.1 without 'Connection: close', and connections reused
    (keepalive) rather than one per request."""
    cert, key, ctx = tls
    echoes = [start_echo() for _ in range(n)]
    ngx = None
    try:
        http_port, https_port = free_port(), free_port()
        site = render_site(read(os.path.join(DEPLOY, conf)), http_port, https_port, cert, key,
                           [e[0].server_address[1] for e in echoes])
        ngx = Nginx(tmp_path / "nginx", site)
        ngx.check()
        ngx.start([http_port, https_port])
        got = []
        for i in range(10):
            r = https_request(https_port, ctx, "GET", "/api/v1/me?i=%d" % i,
                              headers={"X-Forwarded-For": "203.0.113.9"})
            assert r.status == 200, r
            got.append(r.json)
        for j in got:
            h = j["headers"]
            assert j["version"] == "HTTP/1.1", j
            assert h.get("host") == HOST, h
            assert h.get("x-forwarded-proto") == "https", h
            assert h.get("x-real-ip") == HOST, h
            # nginx is the edge: a client's own X-Forwarded-For is replaced.
            assert h.get("x-forwarded-for") == HOST, h
            assert h.get("connection", "").lower() != "close", h
        assert [j["path"] for j in got] == ["/api/v1/me?i=%d" % i for i in range(10)]
        conns = sum(len(e[1]) for e in echoes)
        assert conns <= 2 * n, "nginx opened %d connections for 10 requests (keepalive?)" % conns
    finally:
        if ngx:
            ngx.stop()
        for srv, _ in echoes:
            srv.shutdown()
            srv.server_close()


def nginx_on_echoes(conf, n, tmp_path, tls, requests):
    cert, key, ctx = tls
    echoes = [start_echo(requests) for _ in range(n)]
    http_port, https_port = free_port(), free_port()
    site = render_site(read(os.path.join(DEPLOY, conf)), http_port, https_port, cert, key,
                       [e[0].server_address[1] for e in echoes])
    ngx = Nginx(tmp_path / "nginx", site)
    ngx.check()
    ngx.start([http_port, https_port])
    return ngx, echoes, https_port


def stop_echoes(ngx, echoes):
    if ngx:
        ngx.stop()
    for srv, _ in echoes:
        srv.shutdown()
        srv.server_close()


def is_nginx_429(r, lang="id"):
    """nginx's own 429: aduan's JSON error shape, Retry-After, no backend."""
    if r.status != 429:
        return False
    assert r.header("Retry-After") == "10", r.headers
    assert r.header("Content-Type").startswith("application/json"), r.headers
    assert r.code == "rate_limited", r
    want = "Terlalu banyak permintaan" if lang == "id" else "Too many requests"
    assert r.json["error"]["message"].startswith(want), r
    return True


@pytest.mark.parametrize("conf,n", [("nginx-single.conf", 1), ("nginx-scaled.conf", 2)])
def test_nginx_limits_per_client(conf, n, tmp_path, tls):
    """limit_req and limit_conn per client address, as shipped: logins 10 a
    minute with bursts of 20, everything 20 a second with bursts of 100, 64
    requests in progress; over them nginx answers 429 itself (JSON,
    Retry-After) without bothering aduan. Meta's webhook is not limited, and
    other addresses are not affected."""
    _, _, ctx = tls
    requests = []
    ngx, echoes = None, []
    try:
        ngx, echoes, port = nginx_on_echoes(conf, n, tmp_path, tls, requests)

        def go(method, path, source, body=None, lang=None):
            h = {"Content-Type": "application/json"} if body is not None else {}
            if lang:
                h["Accept-Language"] = lang
            return https_request(port, ctx, method, path, body=body, headers=h, source=source)

        def burst(method, path, source, count, body=None):
            """count requests one after the other on one kept-alive
            connection (quick, as a script would send them)."""
            conn = http.client.HTTPSConnection(HOST, port, context=ctx, timeout=30,
                                               source_address=(source, 0))
            out = []
            try:
                for _ in range(count):
                    h = {"Content-Type": "application/json"} if body is not None else {}
                    conn.request(method, path, body=body, headers=h)
                    r = conn.getresponse()
                    out.append(Response(r.status, r.reason, r.headers, r.read()))
            finally:
                conn.close()
            return out

        # Logins from one address: the burst, then 429s that never reach aduan.
        got = burst("POST", "/api/v1/auth/login", "127.0.0.2", 30, body=b"{}")
        passed = [r for r in got if r.status == 200]
        assert 21 <= len(passed) <= 23, [r.status for r in got]
        assert all(is_nginx_429(r) for r in got if r.status != 200), got
        assert requests.count("/api/v1/auth/login") == len(passed)
        r = go("POST", "/api/v1/auth/login", "127.0.0.2", body=b"{}", lang="en-US,en;q=0.9")
        assert is_nginx_429(r, "en"), r
        # Another address logs in at once.
        assert go("POST", "/api/v1/auth/login", "127.0.0.3", body=b"{}").status == 200

        # Meta's webhook: a burst well over the general limit, all passed on.
        got = [r.status for r in burst("POST", "/webhooks/whatsapp", "127.0.0.4", 130, b"{}")]
        assert got == [200] * 130, got

        # Everything else: bursts of 100, then 20 a second.
        got = burst("GET", "/api/v1/me", "127.0.0.5", 160)
        passed = sum(r.status == 200 for r in got)
        assert passed >= 100 and any(is_nginx_429(r) for r in got), [r.status for r in got]

        # 64 requests in progress per address; the 65th and later: 429 at once.
        results, lock = [], threading.Lock()

        def slow():
            r = go("GET", "/slow", "127.0.0.6")
            with lock:
                results.append(r)

        threads = [threading.Thread(target=slow) for _ in range(72)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        # Meanwhile another address is served.
        assert go("GET", "/healthz", "127.0.0.7").status == 200
        for t in threads:
            t.join()
        statuses = [r.status for r in results]
        assert statuses.count(200) <= 64 and statuses.count(429) >= 8, statuses
        assert all(is_nginx_429(r) for r in results if r.status != 200)
    finally:
        stop_echoes(ngx, echoes)


def test_nginx_single_aduan_sees_each_client(single, tls):
    """Behind nginx, with trusted_proxies set as DEPLOY.md says, aduan
    counts failed logins per real client address (X-Forwarded-For from
    nginx): ten wrong passwords from one address lock that address only."""
    srv, ngx, http_port, https_port = single
    _, _, ctx = tls
    bad = TLSClient(https_port, ctx, source="127.0.0.2")
    for i in range(10):
        r = bad.login("admin.satpolpp", "salah-%d" % i)
        assert r.status == 401 and r.code == "bad_login", (i, r)
    r = bad.login("admin.satpolpp")
    assert r.status == 429 and r.code == "locked", r  # aduan's lock, passed on
    assert int(r.header("Retry-After")) > 60, r.headers
    good = TLSClient(https_port, ctx, source="127.0.0.3")
    assert good.login("admin.satpolpp").status == 200
    assert good.get("/api/v1/me").status == 200
    assert "per_address=0 " in srv.read_stderr()


def test_nginx_single_passes_the_event_stream_live(single, tls):
    """Issue 18: GET /api/v1/events through nginx arrives event by event (no
    buffering): a change made now is read from the stream within 2 s."""
    srv, ngx, http_port, https_port = single
    _, _, ctx = tls
    c = TLSClient(https_port, ctx)
    assert c.login("admin.satpolpp").status == 200
    raw = socket.create_connection((HOST, https_port), timeout=10)
    s = ctx.wrap_socket(raw, server_hostname=HOST)
    try:
        cookie = "; ".join("%s=%s" % kv for kv in c.cookies.items())
        s.sendall(("GET /api/v1/events HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n"
                   "Cookie: %s\r\n\r\n" % (HOST, cookie)).encode())
        got = b""
        while b"\r\n\r\n" not in got:
            got += s.recv(4096)
        head = got.split(b"\r\n\r\n", 1)[0].decode()
        assert head.split()[1] == "200" and "text/event-stream" in head, head
        t0 = time.time()
        k = c.post("/api/v1/cases", json={"category_id": c.category_id("pkl"),
                                          "description": "Lewat nginx, langsung"})
        assert k.status == 201, k
        want = ('"case_id":%d,' % k.json["id"]).encode()
        while want not in got and time.time() - t0 < 5:
            s.settimeout(max(0.1, 5 - (time.time() - t0)))
            try:
                chunk = s.recv(4096)
            except (socket.timeout, TimeoutError):
                break
            if not chunk:
                break
            got += chunk
        assert want in got, got[-500:]
        assert time.time() - t0 < 2.0, time.time() - t0
    finally:
        s.close()
