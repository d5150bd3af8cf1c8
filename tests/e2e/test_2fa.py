"""Issue 19 §3: staff sign-in with a second factor (TOTP, RFC 6238), the
sessions of one's account, and the password change.

The codes are computed here with Python's hmac/hashlib, an implementation
independent of aduan's (libcrypto). Superadmin and admin must use the
second factor (ADUAN_2FA_REQUIRED_ROLES, set below as the default is);
others may. Every test runs on SQLite and PostgreSQL.
"""

import base64
import hashlib
import hmac
import json
import struct
import time

import db_peek
from aduan_e2e import Client, http_request

SERVER_ENV = {"ADUAN_2FA_REQUIRED_ROLES": "superadmin,admin"}
LOGIN = "/api/v1/auth/login"
PASSWORD = "aduan-demo"
MAX_FAILURES = 10  # AUTH_MAX_FAILURES


def totp(secret, at=None, offset=0):
    """RFC 6238: HMAC-SHA-1 of the 30-second step, 6 digits."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    step = int((time.time() if at is None else at) // 30) + offset
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def test_rfc6238_vector_in_python():
    # The helper above against RFC 6238 Appendix B (8 digits there: the last 6 match).
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, at=59) == "287082"
    assert totp(secret, at=1111111109) == "081804"


def add_user(srv, login, role, agency="satpolpp", password=PASSWORD):
    args = ["user", "add", login, "--name", "Uji " + login, "--role", role]
    if role != "superadmin":
        args += ["--agency", agency]
    r = srv.cli(*args, input=password + "\n")
    assert r.returncode == 0, r.stderr


def signin(srv, login, password=PASSWORD, code=None, source=None):
    """A login attempt; returns (response, client with its session or None)."""
    body = {"login": login, "password": password}
    if code is not None:
        body["code"] = code
    r = http_request(srv.port, "POST", LOGIN, body=json.dumps(body).encode(),
                     headers={"Content-Type": "application/json"}, source=source)
    if r.status != 200:
        return r, None
    c = Client(srv.port)
    for v in r.header_all("Set-Cookie"):
        name, _, rest = v.partition("=")
        c.cookies[name] = rest.split(";")[0]
    c.csrf = r.json["csrf_token"]
    c.me = r.json
    return r, c


def enrol(c):
    """Sets up and confirms the second factor; returns (secret, recovery codes)."""
    r = c.post("/api/v1/me/2fa/setup")
    assert r.status == 200, r
    secret = r.json["secret"]
    assert r.json["qr_svg"].startswith("<svg") and r.json["qr_svg"].endswith("</svg>")
    assert r.json["otpauth_uri"].startswith("otpauth://totp/aduan:")
    assert "secret=" + secret in r.json["otpauth_uri"]
    r = c.post("/api/v1/me/2fa/confirm", json={"code": totp(secret)})
    assert r.status == 200, r
    codes = r.json["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    return secret, codes


def audit_rows(srv, action, login):
    return db_peek.sql(srv, "SELECT action, login, client, detail FROM audit_log"
                            " WHERE action = ? AND login = ? ORDER BY id", (action, login))


def test_required_role_enrols_first_then_needs_the_code(server):
    add_user(server, "adm.2fa", "admin")
    r, c = signin(server, "adm.2fa")
    assert r.status == 200, r
    tf = r.json["two_factor"]
    assert tf["required"] and tf["must_enrol"] and not tf["enabled"]
    # Until enrolled: only the account page's enrolment works.
    r = c.get("/api/v1/cases")
    assert r.status == 403 and "dua langkah" in r.json["error"]["detail"], r
    assert c.get("/api/v1/me").status == 200
    assert c.get("/api/v1/me/sessions").status == 403
    # A wrong code is refused with a clear error and changes nothing.
    r = c.post("/api/v1/me/2fa/confirm", json={"code": "000000"})
    assert r.status == 409, r  # no setup started yet
    r = c.post("/api/v1/me/2fa/setup")
    secret = r.json["secret"]
    wrong = "%06d" % ((int(totp(secret)) + 1) % 1000000)
    r = c.post("/api/v1/me/2fa/confirm", json={"code": wrong})
    assert r.status == 400 and "kode verifikasi salah" in r.json["error"]["detail"], r
    assert not c.get("/api/v1/me/2fa").json["enabled"]
    assert c.get("/api/v1/cases").status == 403
    r = c.post("/api/v1/me/2fa/confirm", json={"code": totp(secret)})
    assert r.status == 200, r
    codes = r.json["recovery_codes"]
    assert c.get("/api/v1/cases").status == 200
    st = c.get("/api/v1/me/2fa").json
    assert st["enabled"] and st["recovery_codes_left"] == 10
    # A required role may not turn it off.
    r = c.post("/api/v1/me/2fa/disable", json={"code": totp(secret, offset=1)})
    assert r.status == 403, r
    assert c.logout().status == 200
    # Next sign-in: the password alone is not enough.
    r, _ = signin(server, "adm.2fa")
    assert r.status == 401 and r.code == "totp_required", r
    r, _ = signin(server, "adm.2fa", code=wrong)
    assert r.status == 401 and r.code == "totp_invalid", r
    assert "kode verifikasi salah" in r.json["error"]["message"]
    r, _ = signin(server, "adm.2fa", password="wrong-pass", code=totp(secret, offset=1))
    assert r.status == 401 and r.code == "bad_login", r
    # The next step's code (the confirmation spent this one); once only.
    code = totp(secret, offset=1)
    r, c = signin(server, "adm.2fa", code=code)
    assert r.status == 200, r
    assert c.get("/api/v1/cases").status == 200
    r, _ = signin(server, "adm.2fa", code=code)
    assert r.status == 401 and r.code == "totp_invalid", r  # no replay
    # A recovery code works, once, typed in any case.
    r, _ = signin(server, "adm.2fa", code=codes[0].upper())
    assert r.status == 200, r
    r, _ = signin(server, "adm.2fa", code=codes[0])
    assert r.status == 401 and r.code == "totp_invalid", r
    st = c.get("/api/v1/me/2fa").json
    assert st["recovery_codes_left"] == 9
    sessions = c.get("/api/v1/me/sessions").json["items"]
    assert {s["factor"] for s in sessions} == {"totp", "recovery"}
    rows = audit_rows(server, "login", "adm.2fa")
    assert [r[3] for r in rows] == ["factor=password", "factor=totp", "factor=recovery"]
    assert all(r[2] == "127.0.0.1" for r in rows)
    assert len(audit_rows(server, "2fa_enabled", "adm.2fa")) == 1
    fails = audit_rows(server, "login_failed", "adm.2fa")
    assert [r[3] for r in fails] == ["code", "password", "code", "code"]


def test_optional_role_may_enrol_and_turn_it_off(server):
    add_user(server, "spv.2fa", "supervisor")
    r, c = signin(server, "spv.2fa")
    tf = r.json["two_factor"]
    assert not tf["required"] and not tf["must_enrol"]
    assert c.get("/api/v1/cases").status == 200
    secret, _ = enrol(c)
    r, _ = signin(server, "spv.2fa")
    assert r.status == 401 and r.code == "totp_required"
    r = c.post("/api/v1/me/2fa/disable", json={"code": "123"})
    assert r.status == 400, r
    assert c.get("/api/v1/me/2fa").json["enabled"]
    r = c.post("/api/v1/me/2fa/disable", json={"code": totp(secret, offset=1)})
    assert r.status == 200, r
    r, _ = signin(server, "spv.2fa")
    assert r.status == 200, r
    assert len(audit_rows(server, "2fa_disabled", "spv.2fa")) == 1


def test_reset_by_the_superadmin(server):
    add_user(server, "adm.lost", "admin")
    r, c = signin(server, "adm.lost")
    secret, _ = enrol(c)
    r = server.cli("user", "2fa-reset", "adm.lost")
    assert r.returncode == 0, r.stderr
    assert "removed" in r.stdout
    assert c.get("/api/v1/me").status == 401  # sessions ended
    r, c = signin(server, "adm.lost")
    assert r.status == 200 and r.json["two_factor"]["must_enrol"], r
    rows = db_peek.sql(server, "SELECT user_id, client, target FROM audit_log"
                               " WHERE action = '2fa_reset' AND target = ?",
                       ("user:%d" % r.json["user"]["id"],))
    assert rows == [[None, "cli", "user:%d" % r.json["user"]["id"]]]
    r = server.cli("user", "2fa-reset", "no.such.user")
    assert r.returncode != 0 and "no user" in r.stderr


def test_wrong_codes_are_throttled_like_passwords(server):
    add_user(server, "adm.guess", "admin")
    _, c = signin(server, "adm.guess")
    secret, _ = enrol(c)
    src = "127.0.0.23"
    for i in range(MAX_FAILURES):
        r, _ = signin(server, "adm.guess", code="%06d" % i, source=src)
        assert r.status == 401 and r.code == "totp_invalid", (i, r)
    r, _ = signin(server, "adm.guess", code=totp(secret, offset=1), source=src)
    assert r.status == 429, r
    assert r.header("Retry-After")
    # Another address is not locked out.
    r, _ = signin(server, "adm.guess", code=totp(secret, offset=1), source="127.0.0.24")
    assert r.status == 200, r


def test_sessions_list_and_sign_out_everywhere(server):
    add_user(server, "trc.sess", "field")
    _, a = signin(server, "trc.sess")
    _, b = signin(server, "trc.sess")
    _, c = signin(server, "trc.sess")
    items = a.get("/api/v1/me/sessions").json["items"]
    assert len(items) == 3
    assert sum(1 for s in items if s["current"]) == 1
    assert all(s["client"] == "127.0.0.1" for s in items)
    # Ending one session by its id; a bad id changes nothing.
    cur_c = [s["id"] for s in c.get("/api/v1/me/sessions").json["items"] if s["current"]][0]
    assert a.post("/api/v1/me/sessions/end", json={"id": "zz"}).status == 400
    assert a.post("/api/v1/me/sessions/end", json={"id": "0" * 12}).status == 404
    assert len(a.get("/api/v1/me/sessions").json["items"]) == 3
    assert a.post("/api/v1/me/sessions/end", json={"id": cur_c}).status == 200
    assert c.get("/api/v1/me").status == 401
    # Everywhere else.
    r = a.post("/api/v1/me/sessions/end-all", json={"keep_current": True})
    assert r.status == 200 and r.json["ended"] == 1, r
    assert b.get("/api/v1/me").status == 401
    assert a.get("/api/v1/me").status == 200
    # "Keluar dari semua perangkat": this one too.
    r = a.post("/api/v1/me/sessions/end-all", json={})
    assert r.status == 200 and r.json["signed_out"], r
    assert a.get("/api/v1/me").status == 401
    assert len(audit_rows(server, "sessions_end_all", "trc.sess")) == 2
    assert len(audit_rows(server, "session_end", "trc.sess")) == 1


def test_password_change_ends_the_other_sessions(server):
    add_user(server, "view.pw", "viewer")
    _, a = signin(server, "view.pw")
    _, b = signin(server, "view.pw")
    r = a.post("/api/v1/me/password", json={"current_password": "wrong-one",
                                             "new_password": "a-new-password"})
    assert r.status == 403 and "salah" in r.json["error"]["detail"], r
    r = a.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "short"})
    assert r.status == 400, r
    assert b.get("/api/v1/me").status == 200  # nothing changed
    assert signin(server, "view.pw")[0].status == 200
    r = a.post("/api/v1/me/password", json={"current_password": PASSWORD,
                                             "new_password": "a-new-password"})
    assert r.status == 200, r
    assert b.get("/api/v1/me").status == 401
    assert a.get("/api/v1/me").status == 200
    assert len(a.get("/api/v1/me/sessions").json["items"]) == 1
    assert signin(server, "view.pw")[0].status == 401
    assert signin(server, "view.pw", password="a-new-password")[0].status == 200
    assert len(audit_rows(server, "password_change", "view.pw")) == 1


def test_required_roles_setting():
    from aduan_e2e import base_env, run_cli
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        env = base_env({"ADUAN_DATABASE_URL": "sqlite:" + d + "/x.db",
                        "ADUAN_2FA_REQUIRED_ROLES": "admin,kepala"})
        r = run_cli(["migrate"], env, d)
        assert r.returncode != 0
        assert "ADUAN_2FA_REQUIRED_ROLES" in r.stderr
        env["ADUAN_AUDIT_RETENTION_DAYS"] = "5"
        env["ADUAN_2FA_REQUIRED_ROLES"] = "admin, field"
        r = run_cli(["migrate"], env, d)
        assert r.returncode != 0 and "ADUAN_AUDIT_RETENTION_DAYS" in r.stderr
