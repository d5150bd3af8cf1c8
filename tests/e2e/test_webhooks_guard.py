"""Issue 17 (media): the SSRF guard on webhook subscriptions
(core/netguard.h, docs/WEBHOOKS.md), on both engines, with
ADUAN_FETCH_ALLOW_PRIVATE unset as in production: a subscription to an
address literal of this machine or a private network is refused when it is
saved (400, in Indonesian first), and a delivery whose address turns out
private where it is connected to (a name, or one saved while the flag was
on) is refused there and never reaches the receiver."""

import pytest

from aduan_e2e import Client, Server, engine_env, pg_available, wait_until
from test_webhooks import ENV, SECRET, Receiver

ID_MSG = ("url: alamat loopback, privat, link-local atau multicast tidak boleh menerima webhook "
          "(ADUAN_FETCH_ALLOW_PRIVATE=1 mengizinkannya)")
EN_MSG = ("url: a loopback, private, link-local or multicast address may not receive webhooks "
          "(ADUAN_FETCH_ALLOW_PRIVATE=1 allows it)")
PRIVATE = ["http://127.0.0.1:9/hook", "http://localhost:9/hook", "https://10.1.2.3/hook",
           "http://172.16.5.4/hook", "http://192.168.1.10:8080/hook",
           "http://169.254.169.254/latest/meta-data/", "http://[::1]/hook", "http://[fd00::5]/",
           "http://[fe80::1]/", "http://0.0.0.0/", "http://224.0.0.1/", "http://2130706433/",
           "http://0x7f.0.0.1/"]


@pytest.fixture(params=["sqlite", "postgres"])
def guarded(request, tmp_path):
    if request.param == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    env = dict(engine_env(request.param) or {})
    env.update(ENV)
    env["ADUAN_FETCH_ALLOW_PRIVATE"] = None  # as in production
    srv = Server(tmp_path, env)
    srv.init(demo=True)
    srv.start()
    rcv = Receiver()
    yield srv, rcv
    rcv.stop()
    assert not srv.stop()


def login(srv, who="admin.satpolpp"):
    c = Client(srv.port)
    assert c.login(who).status == 200, who
    return c


def test_a_private_address_is_refused_when_saved(guarded):
    srv, _ = guarded
    admin = login(srv)
    before = admin.get("/api/v1/webhooks").json["webhooks"]
    for url in PRIVATE:
        r = admin.post("/api/v1/webhooks", json={"url": url, "events": ["case.created"]})
        assert r.status == 400, (url, r)
        assert r.json["error"]["detail"] == ID_MSG, (url, r.json)
    r = admin.post("/api/v1/webhooks", json={"url": PRIVATE[0], "events": ["case.created"]},
                   lang="en")
    assert r.status == 400 and r.json["error"]["detail"] == EN_MSG, r
    assert admin.get("/api/v1/webhooks").json["webhooks"] == before
    # A public address is taken; changing it to a private one is refused
    # and changes nothing.
    r = admin.post("/api/v1/webhooks", json={"url": "https://hooks.example.org/aduan",
                                             "events": ["case.created"], "secret": SECRET})
    assert r.status == 201, r
    sub = r.json
    r = admin.post("/api/v1/webhooks/%d" % sub["id"], json={"url": "http://10.0.0.7/x"})
    assert r.status == 400 and r.json["error"]["detail"] == ID_MSG, r
    got = [w for w in admin.get("/api/v1/webhooks").json["webhooks"] if w["id"] == sub["id"]]
    assert got[0]["url"] == "https://hooks.example.org/aduan", got


def test_a_delivery_to_a_private_address_is_refused_where_it_connects(guarded):
    srv, rcv = guarded
    # Saved while the flag was on (a name, or a desk that changed its
    # mind): the guard still holds at delivery, on the address connected to.
    srv.stop()
    srv.extra_env["ADUAN_FETCH_ALLOW_PRIVATE"] = "1"
    srv.start()
    admin = login(srv)
    subs = []
    for url in (rcv.url("/literal"), "http://localhost:%d/named" % rcv.port):
        r = admin.post("/api/v1/webhooks", json={"url": url, "events": ["case.created"],
                                                 "secret": SECRET})
        assert r.status == 201, r
        subs.append(r.json["id"])
    srv.stop()
    srv.extra_env["ADUAN_FETCH_ALLOW_PRIVATE"] = None
    srv.start()
    admin = login(srv)
    admin.create_case(category_id=admin.category_id("pkl"), description="Lapak qxguard")

    def tried():
        logs = [admin.get("/api/v1/webhooks/%d/deliveries" % s).json["deliveries"] for s in subs]
        return logs if all(log and log[0]["attempts"] >= 1 and log[0]["last_error"]
                           for log in logs) else None
    logs = wait_until(tried, timeout=30)
    for log in logs:
        assert "is not a public address" in log[0]["last_error"], log[0]
        assert "(loopback)" in log[0]["last_error"], log[0]
        assert log[0]["state"] in ("pending", "failed") and log[0]["last_status"] is None, log[0]
    assert rcv.requests == []
