"""Issue 17 §1, Open311 POST media_url (docs/OPEN311.md), on both engines:
the request is answered at once with the fetch waiting as a pending
attachment of the new case (written with it); a worker (jobs/fetch.c)
fetches it from a local media server started here, keeps the picture
re-encoded (EXIF gone) by its sha256, and gives up, visibly on the case's
timeline, on what is not an image, too large, a 404, too many redirects, a
redirect to a private address, or a server that stays silent (after its
retries); a 503 is tried again.

The server runs with ADUAN_FETCH_ALLOW_PRIVATE=loopback: the media server
is on this machine, every other private address is refused
(core/netguard.h); the refusals with the flag unset are in
tests/unit/test_netguard.c, tests/e2e/test_webhooks_guard.py and the last
test here (its own server, the flag unset). Waits are
shortened by ADUAN_FETCH_TIMEOUT (1 s) and ADUAN_FETCH_BACKOFF_SCALE."""

import hashlib
import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from aduan_e2e import Client, Server, engine_env, fixture_image, pg_available, wait_until
from test_open311 import JURISDICTION, assert_error, json_of, key, post  # noqa: F401

SERVER_ENV = {"ADUAN_OPEN311_JURISDICTION": JURISDICTION, "ADUAN_FETCH_ALLOW_PRIVATE": "loopback",
              "ADUAN_FETCH_TIMEOUT": "1", "ADUAN_FETCH_BACKOFF_SCALE": "0.01"}
JPEG = fixture_image("exif-gps.jpg")  # EXIF: camera, GPS, a comment with a phone number
LIMIT = 32 * 1024 * 1024  # IMAGE_BYTES_MAX, the limit of every picture


class MediaServer:
    """Answers by path: /photo.jpg the JPEG; /page an HTML page; /big a
    JPEG-looking stream past the limit (no Content-Length); /missing 404;
    /flaky/N 503 to the first N tries, then the JPEG; /slow nothing for
    3 s; /hops/N a chain of N redirects to the JPEG; /to-private a
    redirect to the cloud metadata address."""

    def __init__(self):
        self.hits = []
        self.lock = threading.Lock()
        outer = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def send(self, status, body=b"", ctype="image/jpeg", headers=()):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                with outer.lock:
                    outer.hits.append(self.path)
                    tries = outer.hits.count(self.path)
                p = self.path.split("?")[0]
                try:
                    if p == "/photo.jpg":
                        self.send(200, JPEG)
                    elif p == "/page":
                        self.send(200, b"<html><body>bukan foto</body></html>", "text/html")
                    elif p == "/big":
                        self.send_response(200)
                        self.send_header("Content-Type", "image/jpeg")
                        self.send_header("Connection", "close")
                        self.end_headers()
                        chunk = JPEG[:4] + b"\0" * (1024 * 1024 - 4)
                        for _ in range(LIMIT // len(chunk) + 4):
                            self.wfile.write(chunk)
                    elif p == "/missing":
                        self.send(404, b"not here", "text/plain")
                    elif p.startswith("/flaky/"):
                        if tries <= int(p.split("/")[2]):
                            self.send(503, b"busy", "text/plain")
                        else:
                            self.send(200, JPEG)
                    elif p == "/slow":
                        time.sleep(3)
                        self.send(200, JPEG)
                    elif p.startswith("/hops/"):
                        n = int(p.split("/")[2])
                        to = "/hops/%d" % (n - 1) if n > 1 else "/photo.jpg?hopped"
                        self.send(302, b"", "text/plain", [("Location", to)])
                    elif p == "/to-private":
                        self.send(302, b"", "text/plain",
                                  [("Location", "http://169.254.169.254/latest/meta-data/")])
                    else:
                        self.send(404)
                except OSError:
                    pass  # aduan cut the transfer (the limit, the timeout)

            def log_message(self, *a):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def count(self, path):
        with self.lock:
            return self.hits.count(path)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def media():
    m = MediaServer()
    yield m
    m.stop()


def post_with_url(srv, key, url, words):
    fields = {"api_key": key, "service_code": "satpolpp-pkl", "lat": "-2.3301",
              "long": "115.4602", "description": "Lapak di trotoar " + words, "media_url": url}
    t0 = time.monotonic()
    r = post(srv, "json", fields)
    took = time.monotonic() - t0
    assert r.status == 200, r
    return int(json_of(r)[0]["service_request_id"]), took


def the_fetch(admin, cid):
    """The case's one citizen attachment (the fetch), and the case."""
    c = admin.case(cid)
    atts = [a for a in c["attachments"] if a["source"] == "citizen"]
    assert len(atts) == 1, c["attachments"]
    return atts[0], c


def settled(admin, cid, timeout=30):
    return wait_until(lambda: (lambda a: a if a[0]["state"] != "pending" else None)(
        the_fetch(admin, cid)), timeout=timeout)


def failed_with(admin, cid, reason, timeout=30):
    att, c = settled(admin, cid, timeout)
    assert att["state"] == "failed", att
    # The attachment and its event are committed together, but the case's
    # answer reads its events and its files in two statements: one read may
    # fall between them, so the event is looked for again.
    c = wait_until(lambda: (lambda k: k if any(e["action"] == "media_failed"
                                               for e in k["events"]) else None)(admin.case(cid)),
                   timeout=10)
    ev = [e for e in c["events"] if e["action"] == "media_failed"]
    assert len(ev) == 1, c["events"]
    assert reason in ev[0]["note"], ev[0]
    assert ev[0]["public"] is False  # the desk's, not the reporter's page
    return ev[0]["note"]


def test_a_media_url_becomes_evidence_without_its_exif(server, key, admin, media):
    path = "/photo.jpg?%s" % server.port
    cid, took = post_with_url(server, key, media.url(path), "qxmediaurl")
    assert took < 5, took
    att, c = settled(admin, cid)
    assert att["state"] == "stored" and att["mime"] == "image/jpeg", att
    assert [e["action"] for e in c["events"]][0] == "create"
    assert not [e for e in c["events"] if e["action"] == "media_failed"]
    got = admin.get("/api/v1/attachments/%d" % att["id"])
    assert got.status == 200 and got.body[:3] == b"\xff\xd8\xff"
    # Stored by its own sha256, encoded again: not the bytes that came.
    assert hashlib.sha256(got.body).hexdigest() == att["sha256"] != hashlib.sha256(JPEG).hexdigest()
    assert att["size"] == len(got.body)
    # Of the EXIF only the orientation is written back (core/image.h).
    assert b"PhoneCam" not in got.body and b"0812" not in got.body
    app1 = got.body.find(b"\xff\xe1")
    assert app1 < 0 or int.from_bytes(got.body[app1 + 2:app1 + 4], "big") < 64
    assert media.count(path) == 1


def test_the_answer_does_not_wait_for_the_media_server(server, key, admin, media):
    path = "/slow?%s" % server.port  # its own count per engine
    cid, took = post_with_url(server, key, media.url(path), "qxslowanswer")
    # Answered while the media server still sleeps; the fetch is pending,
    # written with the case.
    assert took < 2.5, took
    att, _ = the_fetch(admin, cid)
    assert att["state"] == "pending" and att["state_label"] == "bukti sedang diunduh", att
    # Silent for longer than the timeout, every time: tried FETCH_ATTEMPTS
    # (5) times with backoff, then failed and told on the timeline.
    note = failed_with(admin, cid, "Timeout", timeout=60)
    assert "Timeout" in note
    assert media.count(path) == 5


def test_a_server_error_is_tried_again(server, key, admin, media):
    path = "/flaky/2?%s" % server.port  # its own count per engine
    cid, _ = post_with_url(server, key, media.url(path), "qxflaky")
    att, _ = settled(admin, cid)
    assert att["state"] == "stored", att
    assert media.count(path) == 3


@pytest.mark.parametrize("path, reason", [
    ("/page", "not a usable image (not_image)"),
    ("/big", "larger than 33554432 bytes"),
    ("/missing", "HTTP 404"),
    ("/hops/4", "more than 3 redirects"),
    ("/to-private", "refused: 169.254.169.254 (link-local) is not a public address"),
])
def test_what_cannot_be_evidence_fails_once_and_shows(server, key, admin, media, path, reason):
    before = media.count(path)
    cid, _ = post_with_url(server, key, media.url(path), "qxbadurl")
    failed_with(admin, cid, reason)
    # Not tried again: it could not help.
    time.sleep(0.5)
    assert media.count(path) == before + 1
    # The case itself stands, as any other (the intake ran).
    _, c = the_fetch(admin, cid)
    assert c["channel"] == "open311"


def test_three_redirects_are_followed(server, key, admin, media):
    cid, _ = post_with_url(server, key, media.url("/hops/3"), "qxhops")
    att, _ = settled(admin, cid)
    assert att["state"] == "stored", att


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/a.jpg", "file:///etc/passwd",
                                 "http://10.0.0.5/a.jpg", "http://169.254.169.254/latest/",
                                 "http://[fd00::1]/a.jpg", "http:///a.jpg",
                                 "http://example.org/a b.jpg", "javascript:alert(1)"])
def test_a_bad_media_url_refuses_the_request(server, key, admin, url):
    before = admin.list_cases(q="qxrefusedurl")["items"]
    fields = {"api_key": key, "service_code": "satpolpp-pkl", "address_string": "Pasar",
              "description": "Lapak qxrefusedurl", "media_url": url}
    r = post(server, "json", fields)
    assert_error(r, 400)
    assert json_of(r)[0]["description"].startswith("media_url: "), r
    assert admin.list_cases(q="qxrefusedurl")["items"] == before


@pytest.fixture(params=["sqlite", "postgres"])
def unguarded_off(request, tmp_path):
    """A server with ADUAN_FETCH_ALLOW_PRIVATE unset, as in production."""
    if request.param == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    env = dict(engine_env(request.param) or {})
    env.update(SERVER_ENV)
    env["ADUAN_FETCH_ALLOW_PRIVATE"] = None
    srv = Server(tmp_path, env)
    srv.init(demo=True)
    srv.start()
    yield srv
    assert not srv.stop()


def test_a_name_of_this_machine_is_refused_where_the_fetch_connects(unguarded_off, media):
    """This machine's own name passes the literal check at POST (a name is
    not judged there) and is refused on the address it resolves to."""
    name = socket.gethostname()
    try:
        addr = ipaddress.ip_address(socket.gethostbyname(name))
    except (OSError, ValueError):
        pytest.skip("this machine's name does not resolve")
    if addr.is_global:
        pytest.skip("this machine's name resolves to a public address")
    srv = unguarded_off
    k = srv.cli("open311", "key", "add", "guard-test").stdout.strip().splitlines()[-1]
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    path = "/photo.jpg?named-%s" % srv.port
    url = "http://%s:%d%s" % (name, media.port, path)
    cid, _ = post_with_url(srv, k, url, "qxnamed")
    note = failed_with(admin, cid, "is not a public address")
    assert note.startswith("refused: "), note  # the address curl tried (IPv4 or IPv6)
    assert media.count(path) == 0
    # A private address literal is refused at once, with nothing made.
    r = post(srv, "json", {"api_key": k, "service_code": "satpolpp-pkl",
                           "address_string": "Pasar", "media_url": media.url("/photo.jpg")})
    assert_error(r, 400)
    assert json_of(r)[0]["description"] == "media_url: not a public address"
