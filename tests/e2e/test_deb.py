"""The Debian package (`make deb`, deploy/debian/): what it holds, its
maintainer scripts, lintian, and the service started from the installed
files. `make test` builds the package first; run alone, this file uses
ADUAN_DEB or build/aduan_*.deb.

Nothing here touches the machine's own /etc, /usr or users: the package is
unpacked with `dpkg -x` into a temporary root, its scripts run against
stand-ins for adduser, dpkg-statoverride and systemd's helpers, and the
server runs from the unpacked binary with the packaged configuration,
moved into the temporary root."""

import glob
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from aduan_e2e import (Client, base_env, http_request, read_port_file, repo_root,
                       sanitizer_problems)
from test_deploy import NO_MANAGER, run_verify, systemd_analyze

FILES = ["./usr/bin/aduan", "./lib/systemd/system/aduan.service",
         "./lib/systemd/system/aduan@.service", "./etc/aduan/aduan.conf",
         "./usr/share/doc/aduan/copyright", "./usr/share/doc/aduan/changelog.gz",
         "./usr/share/doc/aduan/README.md.gz", "./usr/share/doc/aduan/DEPLOY.md.gz",
         "./usr/share/doc/aduan/WHATSAPP.md.gz", "./usr/share/doc/aduan/OPERATOR.md.gz",
         "./usr/share/doc/aduan/API.md.gz", "./usr/share/doc/aduan/OPEN311.md.gz",
         "./usr/share/doc/aduan/aduan.conf.example",
         "./usr/share/doc/aduan/examples/nginx-single.conf",
         "./usr/share/man/man1/aduan.1.gz", "./usr/share/lintian/overrides/aduan"]


@pytest.fixture(scope="module")
def deb():
    path = os.environ.get("ADUAN_DEB")
    if not path:
        found = sorted(glob.glob(os.path.join(repo_root(), "build", "aduan_*.deb")),
                       key=os.path.getmtime)
        if not found:
            pytest.skip("no package: run `make deb` (make test does)")
        path = found[-1]
    return path


def run(*cmd, **kw):
    r = subprocess.run(list(cmd), capture_output=True, text=True, timeout=kw.pop("timeout", 120),
                       **kw)
    return r


def field(deb, name):
    r = run("dpkg-deb", "-f", deb, name)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_contents_and_control(deb, tmp_path):
    assert re.match(r"aduan_\d+\.\d+\.\d+_amd64\.deb$", os.path.basename(deb)), deb
    assert field(deb, "Package") == "aduan"
    assert field(deb, "Architecture") == "amd64"
    version = run(os.path.join(repo_root(), "build", "asan", "aduan"), "version",
                  env=base_env()).stdout.split()
    assert field(deb, "Version") in version or not version, (field(deb, "Version"), version)
    depends = field(deb, "Depends")
    for lib in ("adduser", "libc6", "libmicrohttpd12", "libsqlite3-0", "libpq5", "libsodium23",
                "libjpeg62-turbo", "libpng16-16", "libwebp7"):
        assert lib in depends, (lib, depends)
    assert "libasan" not in depends  # the release build, not the test one
    listing = run("dpkg-deb", "-c", deb).stdout
    names = {line.split()[-1] for line in listing.splitlines()}
    for f in FILES:
        # Debian compresses a document over 4 KiB (policy 12.3), examples too.
        assert f in names or f + ".gz" in names, f
    for line in listing.splitlines():
        mode, owner = line.split()[:2]
        assert owner == "root/root", line
        if line.endswith("/usr/bin/aduan"):
            assert mode == "-rwxr-xr-x", line
    # The control area: conffiles, scripts, checksums that match.
    ctl = tmp_path / "DEBIAN"
    assert run("dpkg-deb", "-e", deb, str(ctl)).returncode == 0
    assert (ctl / "conffiles").read_text().split() == ["/etc/aduan/aduan.conf"]
    root = tmp_path / "root"
    assert run("dpkg-deb", "-x", deb, str(root)).returncode == 0
    r = run("md5sum", "--check", "--quiet", str(ctl / "md5sums"), cwd=str(root))
    assert r.returncode == 0, r.stdout + r.stderr
    # A stripped, hardened binary.
    sections = run("readelf", "-SW", str(root / "usr/bin/aduan")).stdout
    assert ".symtab" not in sections and ".debug_info" not in sections
    relro = run("readelf", "-lW", str(root / "usr/bin/aduan")).stdout
    assert "GNU_RELRO" in relro
    assert "BIND_NOW" in run("readelf", "-dW", str(root / "usr/bin/aduan")).stdout
    # The unit runs the packaged binary.
    unit = (root / "lib/systemd/system/aduan.service").read_text()
    assert "ExecStart=/usr/bin/aduan serve" in unit and "/usr/local" not in unit
    assert "User=aduan" in unit and "Environment=ADUAN_CONFIG=/etc/aduan/aduan.conf" in unit
    assert "Documentation=man:aduan(1)" in unit


def stubs(tmp_path, user_exists, override_exists):
    """A PATH of stand-ins that log their arguments to calls.log."""
    d = tmp_path / "bin"
    d.mkdir()
    log = tmp_path / "calls.log"
    for name in ("adduser", "install", "dpkg-statoverride", "deb-systemd-helper",
                 "deb-systemd-invoke", "systemctl", "getent"):
        rc = 0
        if name == "getent":
            rc = 0 if user_exists else 2
        script = "#!/bin/sh\necho \"%s $*\" >>%s\n" % (name, log)
        if name == "dpkg-statoverride":
            script += "[ \"$1\" = --list ] && exit %d\n" % (0 if override_exists else 1)
        if name == "deb-systemd-helper":
            script += "[ \"$1\" = --quiet ] && exit 0\n"
        script += "exit %d\n" % rc
        (d / name).write_text(script)
        (d / name).chmod(0o755)
    env = {"PATH": "%s:/usr/bin:/bin" % d}
    return env, log


def calls(log):
    return log.read_text().splitlines() if log.exists() else []


def test_maintainer_scripts(deb, tmp_path):
    ctl = tmp_path / "DEBIAN"
    assert run("dpkg-deb", "-e", deb, str(ctl)).returncode == 0
    for s in ("postinst", "prerm", "postrm"):
        assert os.access(ctl / s, os.X_OK), s
        assert run("sh", "-n", str(ctl / s)).returncode == 0, s
        assert (ctl / s).read_text().startswith("#!/bin/sh\n"), s
        text = (ctl / s).read_text()
        assert "set -e" in text
    systemd = os.path.isdir("/run/systemd/system")

    # First install: the user, its directories, the configuration's group.
    first = tmp_path / "first"
    first.mkdir()
    env, log = stubs(first, user_exists=False, override_exists=False)
    r = run("sh", str(ctl / "postinst"), "configure", "", env=env)
    assert r.returncode == 0, r.stderr
    got = calls(log)
    assert "getent passwd aduan" in got
    assert [c for c in got if c.startswith("adduser --system --group --home /var/lib/aduan")
            and c.endswith(" aduan")], got
    if not os.path.isdir("/var/lib/aduan"):
        assert "install -d -o aduan -g aduan -m 750 /var/lib/aduan" in got, got
    assert "dpkg-statoverride --update --add root aduan 640 /etc/aduan/aduan.conf" in got, got
    assert "deb-systemd-helper enable aduan.service" in got, got
    assert ("deb-systemd-invoke start aduan.service" in got) == systemd, got
    assert "user add admin" in r.stdout  # says what to do next

    # An upgrade: the user and the override are there; nothing is redone.
    again = tmp_path / "again"
    again.mkdir()
    env, log = stubs(again, user_exists=True, override_exists=True)
    r = run("sh", str(ctl / "postinst"), "configure", "0.0.9", env=env)
    assert r.returncode == 0, r.stderr
    got = calls(log)
    assert not [c for c in got if c.startswith("adduser") or "--add" in c], got
    assert ("deb-systemd-invoke restart aduan.service" in got) == systemd, got
    assert "user add" not in r.stdout
    r = run("sh", str(ctl / "postinst"), "bogus", env=env)
    assert r.returncode == 1

    # Removal and purge: the service goes, the records stay.
    gone = tmp_path / "gone"
    gone.mkdir()
    env, log = stubs(gone, user_exists=True, override_exists=True)
    assert run("sh", str(ctl / "prerm"), "remove", env=env).returncode == 0
    assert run("sh", str(ctl / "postrm"), "remove", env=env).returncode == 0
    assert run("sh", str(ctl / "postrm"), "purge", env=env).returncode == 0
    got = calls(log)
    assert ("deb-systemd-invoke stop aduan.service" in got) == systemd, got
    assert "dpkg-statoverride --remove /etc/aduan/aduan.conf" in got, got
    text = (ctl / "postrm").read_text()
    assert "rm " not in text and "deluser" not in text and "/var/lib/aduan" in text


def test_lintian_clean(deb):
    if not shutil.which("lintian"):
        pytest.skip("lintian is not installed (make deps installs it)")
    r = run("lintian", "--fail-on", "error,warning", "--pedantic", deb, timeout=600)
    out = "\n".join(ln for ln in (r.stdout + r.stderr).splitlines()
                    if "running with root privileges" not in ln)
    assert r.returncode == 0 and not re.search(r"^[EW]:", out, re.M), out


def test_service_starts_from_the_installed_files(deb, tmp_path):
    root = tmp_path / "root"
    assert run("dpkg-deb", "-x", deb, str(root)).returncode == 0
    unit = (root / "lib/systemd/system/aduan.service").read_text()
    keys = dict(re.findall(r"^(ExecStart|WorkingDirectory|Environment)=(.*)$", unit, re.M))
    assert keys["ExecStart"] == "/usr/bin/aduan serve"
    conf_path = keys["Environment"].split("=", 1)[1]
    assert conf_path == "/etc/aduan/aduan.conf"

    def moved(p):
        return str(root) + p

    # The packaged configuration, with its paths moved into the root and a
    # port the system picks (reported in a file): nothing else changed.
    conf = (root / conf_path.lstrip("/")).read_text()
    assert "url = sqlite:/var/lib/aduan/aduan.db" in conf and "listen = 127.0.0.1:8080" in conf
    conf = conf.replace("/var/lib/aduan", moved("/var/lib/aduan"))
    conf = conf.replace("listen = 127.0.0.1:8080", "listen = 127.0.0.1:0")
    (root / conf_path.lstrip("/")).write_text(conf)
    state = root / "var/lib/aduan"
    os.makedirs(state / "media")
    exe = moved("/usr/bin/aduan")
    env = base_env({"ADUAN_CONFIG": moved(conf_path)})
    r = run(exe, "init", env=env, cwd=str(state))
    assert r.returncode == 0, r.stderr
    r = run(exe, "user", "add", "admin", "--name", "Admin", "--role", "superadmin", env=env,
            cwd=str(state), input="rahasia-sekali\n")
    assert r.returncode == 0, r.stderr

    if shutil.which("systemd-analyze"):
        # The unit as installed, its binary at the moved path.
        units = tmp_path / "units"
        units.mkdir()
        (units / "aduan.service").write_text(unit.replace("/usr/bin/aduan", exe))
        rc, lines = run_verify(systemd_analyze(), str(units / "aduan.service"))
        if not (rc != 0 and any(NO_MANAGER.search(ln) for ln in lines)):
            assert rc == 0 and not lines, "\n".join(lines)

    err = open(tmp_path / "serve.err", "wb")
    port_file = str(tmp_path / "serve.port")
    p = subprocess.Popen([exe, "serve", "--port-file", port_file], env=env, cwd=str(state),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
    try:
        up = False
        port = read_port_file(port_file, p)
        for _ in range(200):
            try:
                if http_request(port, "GET", "/readyz", timeout=2).status == 200:
                    up = True
                    break
            except OSError:
                pass
            if p.poll() is not None:
                break
            time.sleep(0.05)
        assert up, (tmp_path / "serve.err").read_text()
        c = Client(port)
        assert c.login("admin", "rahasia-sekali").status == 200
        assert c.get("/api/v1/me").status == 200
        assert (state / "aduan.db").exists()
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
        err.close()
    text = (tmp_path / "serve.err").read_text()
    assert rc == 0, text[-3000:]
    assert not sanitizer_problems(text)
