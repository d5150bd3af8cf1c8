"""Health, sessions, lockout, missing sessions and CSRF."""

from aduan_e2e import Client, http_request, snapshot


def test_healthz(server):
    r = http_request(server.port, "GET", "/healthz")
    assert r.status == 200
    assert r.json == {"status": "ok"}
    assert r.header("Content-Type").startswith("application/json")
    assert r.header("Cache-Control") == "no-store"


def test_readyz(server):
    r = http_request(server.port, "GET", "/readyz")
    assert r.status == 200
    assert r.json["status"] == "ready"
    assert r.json["database"] == "ok"


def test_login_sets_strict_httponly_cookie_and_returns_csrf(server):
    c = Client(server.port)
    r = c.login("admin.satpolpp")
    assert r.status == 200, r
    cookies = r.header_all("Set-Cookie")
    assert len(cookies) == 1, cookies
    sc = cookies[0]
    name, _, value = sc.split(";", 1)[0].partition("=")
    assert name == "aduan_session"
    assert len(value) >= 32
    attrs = [a.strip().lower() for a in sc.split(";")[1:]]
    assert "httponly" in attrs, sc
    assert "samesite=strict" in attrs, sc
    assert "path=/" in attrs, sc
    body = r.json
    assert isinstance(body["csrf_token"], str) and len(body["csrf_token"]) >= 32
    assert body["csrf_token"] != value  # the token is not the cookie
    assert body["user"]["login"] == "admin.satpolpp"
    assert body["user"]["name"] == "Operator Satpol PP"
    assert body["roles"] == [{"agency_id": 1, "agency_name": "Satpol PP Kabupaten Balangan",
                              "role": "admin"}]
    assert "password" not in r.body.decode() and "hash" not in r.body.decode()


def test_wrong_password_is_bad_login(server):
    c = Client(server.port)
    r = c.login("admin.satpolpp", "not-the-password")
    assert r.status == 401
    assert r.code == "bad_login"
    assert r.header_all("Set-Cookie") == []
    assert c.get("/api/v1/me").status == 401


def test_unknown_user_is_bad_login(server):
    c = Client(server.port)
    r = c.login("nobody.here", "aduan-demo")
    assert r.status == 401
    assert r.code == "bad_login"
    assert r.header_all("Set-Cookie") == []


def test_login_missing_fields_is_invalid(server):
    c = Client(server.port)
    r = c.post("/api/v1/auth/login", json={"login": "admin.satpolpp"}, csrf=False)
    assert r.status == 400 and r.code == "invalid", r
    r = c.post("/api/v1/auth/login", json={"login": "admin.satpolpp", "password": 12345678},
               csrf=False)
    assert r.status == 400 and r.code == "invalid", r
    assert r.header_all("Set-Cookie") == []


def test_error_messages_follow_language(server):
    c = Client(server.port)
    r = c.login("nobody.here", "x" * 10)
    assert r.json["error"]["message"] == "Nama pengguna atau kata sandi salah"
    r = c.post("/api/v1/auth/login?lang=en", json={"login": "nobody", "password": "xxxxxxxx"})
    assert r.status == 401 and r.code == "bad_login"
    assert r.json["error"]["message"] == "Wrong username or password"
    r = c.post("/api/v1/auth/login", json={"login": "nobody", "password": "xxxxxxxx"},
               lang="en-US,en;q=0.9")
    assert r.json["error"]["message"] == "Wrong username or password"


def test_me_and_logout(server):
    c = Client(server.port)
    login = c.login("kabid.satpolpp")
    assert login.status == 200
    r = c.get("/api/v1/me")
    assert r.status == 200
    assert r.json["user"]["login"] == "kabid.satpolpp"
    assert r.json["csrf_token"] == login.json["csrf_token"]
    assert r.json["roles"][0]["role"] == "supervisor"

    # Logout needs the CSRF token like every POST; without it the session stays.
    r = c.post("/api/v1/auth/logout", body=b"", content_type=None, csrf=False)
    assert r.status == 403 and r.code == "csrf", r
    assert c.get("/api/v1/me").status == 200

    old_cookies = dict(c.cookies)
    r = c.logout()
    assert r.status == 200, r
    sc = " ".join(r.header_all("Set-Cookie")).lower()
    assert "aduan_session=" in sc and "max-age=0" in sc
    # The old cookie no longer opens anything, even if the browser kept it.
    c.cookies = old_cookies
    r = c.get("/api/v1/me")
    assert r.status == 401 and r.code == "unauthorized", r
    r = c.get("/api/v1/cases")
    assert r.status == 401 and r.code == "unauthorized", r


def test_sessions_are_independent(server):
    a = Client(server.port)
    b = Client(server.port)
    assert a.login("admin.damkar").status == 200
    assert b.login("admin.damkar").status == 200
    assert a.csrf != b.csrf
    assert a.logout().status == 200
    assert a.get("/api/v1/me").status == 401
    assert b.get("/api/v1/me").status == 200


def test_lockout_after_ten_failures(fresh_server):
    """Ten wrong passwords from one address lock that address out of the
    login (issue #13: only that address; test_login_throttle.py has the rest).
    Each part comes from its own loopback address, so the per-address
    buckets of one part do not spill into the next."""
    c = Client(fresh_server.port, source="127.0.0.11")
    # Nine failures, then the right password: still fine, and the count restarts.
    for _ in range(9):
        r = c.login("regu.damkar", "wrong-password")
        assert r.status == 401 and r.code == "bad_login", r
    assert c.login("regu.damkar").status == 200

    c = Client(fresh_server.port, source="127.0.0.12")
    for i in range(10):
        r = c.login("admin.dukcapil", "wrong-password-%d" % i)
        assert r.status == 401 and r.code == "bad_login", (i, r)
    r = c.login("admin.dukcapil")
    assert r.status == 429, r
    assert r.code == "locked"
    assert 0 < int(r.header("Retry-After")) <= 15 * 60, r.headers
    assert r.header_all("Set-Cookie") == []
    r = c.login("admin.dukcapil", "wrong-again")
    assert r.status == 429 and r.code == "locked", r
    assert c.get("/api/v1/me").status == 401
    # Other accounts are not affected.
    assert Client(fresh_server.port, source="127.0.0.13").login("admin.satpolpp").status == 200


def test_no_session_is_unauthorized(server, users):
    sa = users("superadmin")
    before = sa.all_cases()
    c = Client(server.port)
    for path in ("/api/v1/cases", "/api/v1/cases/1", "/api/v1/me", "/api/v1/agencies",
                 "/api/v1/categories", "/api/v1/teams", "/api/v1/regions"):
        r = c.get(path)
        assert r.status == 401, (path, r)
        assert r.code == "unauthorized", (path, r)
    r = c.post("/api/v1/cases", json={"category_id": 1, "description": "x"}, csrf="whatever")
    assert r.status == 401 and r.code == "unauthorized", r
    r = c.post("/api/v1/cases/1/transitions", json={"action": "verify"}, csrf="whatever")
    assert r.status == 401 and r.code == "unauthorized", r
    r = c.post("/api/v1/auth/logout", body=b"", content_type=None)
    assert r.status == 401 and r.code == "unauthorized", r
    assert sa.all_cases() == before


def test_garbage_cookie_is_unauthorized(server, users):
    admin = users("admin.satpolpp")
    before = admin.all_cases()
    for value in ("garbage", "A" * 43, "x" * 400, "%00%ff", ""):
        c = Client(server.port)
        c.cookies = {"aduan_session": value}
        r = c.get("/api/v1/cases")
        assert r.status == 401 and r.code == "unauthorized", (value, r)
        r = c.post("/api/v1/cases", json={"category_id": 1, "description": "garbage cookie"},
                   csrf="x")
        assert r.status == 401 and r.code == "unauthorized", (value, r)
    # Another cookie name is not a session either.
    c = Client(server.port)
    c.cookies = {"session": admin.cookies["aduan_session"]}
    assert c.get("/api/v1/cases").code == "unauthorized"
    assert admin.all_cases() == before


def test_csrf_required_on_posts(server, users):
    admin = users("admin.satpolpp")
    other = users("kabid.satpolpp")
    case = admin.create_case(category_id=admin.category_id("pkl"),
                             description="CSRF test: pedagang di trotoar")
    cid = case["id"]
    before_case = snapshot(admin.case(cid))
    before_list = admin.all_cases()

    for token in (False, "", "wrong-token", admin.csrf[:-1], admin.csrf + "x", other.csrf):
        r = admin.post("/api/v1/cases/%d/transitions" % cid, json={"action": "verify"},
                       csrf=token)
        assert r.status == 403, (token, r)
        assert r.code == "csrf", (token, r)
        r = admin.post("/api/v1/cases", json={"category_id": 1, "description": "csrf"},
                       csrf=token)
        assert r.status == 403, (token, r)
        assert r.code == "csrf", (token, r)

    assert snapshot(admin.case(cid)) == before_case
    assert admin.all_cases() == before_list
    # With the token it works.
    assert admin.act(cid, "verify")["status"] == "verified"
