"""The WhatsApp simulator: the page and its assets are in the binary, and
its API drives the real webhook path when no Meta access token is set."""

import base64
import hashlib
import time

from aduan_e2e import Server, fixture_image, http_request
import json


def api(srv, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    h = {"Content-Type": "application/json"} if data is not None else {}
    return http_request(srv.port, method, path, body=data, headers=h)


def wait_messages(srv, pnid, wa_id, after=0, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = api(srv, "GET", "/sim/api/messages?phone_number_id=%s&wa_id=%s&after=%d"
                % (pnid, wa_id, after))
        assert r.status == 200, r
        if r.json["items"]:
            return r.json["items"]
        time.sleep(0.1)
    raise AssertionError("no reply")


def test_simulator_page_and_conversation(tmp_path):
    srv = Server(tmp_path)
    srv.init(demo=True)
    srv.start()
    try:
        page = http_request(srv.port, "GET", "/sim")
        assert page.status == 200 and page.header("Content-Type").startswith("text/html")
        csp = page.header("Content-Security-Policy")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert b"app.js" in page.body
        for path, ctype in (("/sim/app.js", "text/javascript"), ("/sim/app.css", "text/css"),
                            ("/vendor/leaflet/leaflet.js", "text/javascript"),
                            ("/vendor/leaflet/leaflet.css", "text/css"),
                            ("/vendor/leaflet/images/marker-icon.png", "image/png")):
            r = http_request(srv.port, "GET", path)
            assert r.status == 200 and r.header("Content-Type").startswith(ctype), path
        nums = api(srv, "GET", "/sim/api/numbers").json["items"]
        assert [n["phone_number_id"] for n in nums] == ["100000000000001", "100000000000002",
                                                        "100000000000003"]
        r = api(srv, "POST", "/sim/api/send", {"phone_number_id": "100000000000001",
                                               "wa_id": "6281299990001", "name": "Sim",
                                               "message": {"type": "text", "text": "halo"}})
        assert r.status == 200 and r.json["wamid"].startswith("wamid.SIM"), r
        items = wait_messages(srv, "100000000000001", "6281299990001")
        assert items[0]["payload"]["interactive"]["type"] == "list"
        # Replies of another agency's number are not mixed in.
        assert not api(srv, "GET", "/sim/api/messages?phone_number_id=100000000000002"
                       "&wa_id=6281299990001").json["items"]
        # A tapped row, then a photo through the whole path to the case.
        last = items[-1]["id"]
        api(srv, "POST", "/sim/api/send", {"phone_number_id": "100000000000001",
                                           "wa_id": "6281299990001", "message": {
                                               "type": "interactive", "reply_id": "menu:report",
                                               "title": "Buat laporan", "kind": "list"}})
        items = wait_messages(srv, "100000000000001", "6281299990001", after=last)
        assert "UU 27/2022" in items[0]["payload"]["interactive"]["body"]["text"]
        # Bad input.
        assert api(srv, "POST", "/sim/api/send", {"phone_number_id": "1", "wa_id": "abc",
                                                  "message": {"type": "text", "text": "x"}}).status == 400
        assert api(srv, "POST", "/sim/api/send", {"phone_number_id": "100000000000001",
                                                  "wa_id": "6281299990001",
                                                  "message": {"type": "sticker"}}).status == 400
        big = base64.b64encode(b"x" * (2 * 1024 * 1024 + 10)).decode()
        assert api(srv, "POST", "/sim/api/send", {"phone_number_id": "100000000000001",
                                                  "wa_id": "6281299990001", "message": {
                                                      "type": "image", "data_b64": big}}).status == 413
        # Not a picture: refused, the reason in Indonesian.
        fake = b"\xff\xd8\xff simulated photo"
        r = api(srv, "POST", "/sim/api/send", {"phone_number_id": "100000000000001",
                                               "wa_id": "6281299990002", "message": {
                                                   "type": "image", "mime": "image/jpeg",
                                                   "data_b64": base64.b64encode(fake).decode()}})
        assert r.status == 400 and "rusak" in r.json["error"]["detail"], r
        # A photo with EXIF (GPS): kept as the media worker keeps a download,
        # decoded and encoded again, without it.
        photo = fixture_image("exif-gps.jpg")
        r = api(srv, "POST", "/sim/api/send", {"phone_number_id": "100000000000001",
                                               "wa_id": "6281299990002", "message": {
                                                   "type": "image", "mime": "image/jpeg",
                                                   "data_b64": base64.b64encode(photo).decode()}})
        assert r.status == 200
        assert not (tmp_path / "media" / hashlib.sha256(photo).hexdigest()).exists()
        stored = [p for p in (tmp_path / "media").iterdir() if not p.name.startswith(".")]
        assert len(stored) == 1
        data = stored[0].read_bytes()
        assert data[:3] == b"\xff\xd8\xff" and b"PhoneCam" not in data
        assert stored[0].name == hashlib.sha256(data).hexdigest()
    finally:
        assert not srv.stop()


def test_simulator_is_off_with_a_real_token(tmp_path):
    srv = Server(tmp_path, {"ADUAN_WA_ACCESS_TOKEN": "real", "ADUAN_WA_APP_SECRET": "s"})
    srv.init(demo=True)
    srv.start()
    try:
        assert api(srv, "GET", "/sim/api/numbers").status == 404
        assert api(srv, "POST", "/sim/api/send", {"phone_number_id": "100000000000001",
                                                  "wa_id": "6281299990001",
                                                  "message": {"type": "text", "text": "x"}}).status == 404
    finally:
        assert not srv.stop()


def test_simulator_acts_as_staff_taps_template_buttons_and_reacts(tmp_path):
    """Issue 18, the simulator: an admin acts as a field officer's number,
    sees the emergency alert as WhatsApp shows a template (its parameters
    and quick-reply payloads), taps *Terima* (a template button answer, as
    WhatsApp delivers it) and the case is accepted; a citizen reacts to a
    message, which needs no answer; files are served only to the number
    they were sent to."""
    from aduan_e2e import Client
    srv = Server(tmp_path)
    srv.init(demo=True)
    srv.start()
    try:
        staff = "6281100000201"  # regu.damkar, on duty around the clock
        admin = Client(srv.port)
        assert admin.login("admin.damkar").status == 200
        listed = admin.get("/sim/api/staff").json["items"]
        assert staff in [s["wa_id"] for s in listed]
        # Only their own agency's staff.
        assert all(not s["wa_id"].startswith("62811000001") for s in listed), listed
        field = Client(srv.port)
        assert field.login("regu.damkar").status == 200
        assert field.get("/sim/api/staff").status == 403
        assert api(srv, "GET", "/sim/api/staff").status == 401

        c = admin.create_case(category_id=admin.category_id("kebakaran"), channel="phone",
                              description="Api besar di gudang karet dekat jembatan",
                              address="Jl. Jembatan Paringin", kecamatan_code="63.11.06",
                              lat=-2.33, lon=115.46)
        alerts = wait_messages(srv, "100000000000002", staff)
        tpl = next(m["payload"]["template"] for m in alerts if m["payload"].get("type") == "template")
        assert tpl["name"] == "aduan_darurat"
        payloads = [p["payload"] for comp in tpl["components"] if comp["type"] == "button"
                    for p in comp["parameters"]]
        assert payloads == ["staff:accept:%d" % c["id"], "staff:decline:%d" % c["id"]]
        last = alerts[-1]["id"]
        r = api(srv, "POST", "/sim/api/send", {"phone_number_id": "100000000000002",
                                               "wa_id": staff, "name": "Regu",
                                               "message": {"type": "button", "payload": payloads[0],
                                                           "text": "Terima"}})
        assert r.status == 200, r
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            got = admin.get("/api/v1/cases/%d" % c["id"]).json
            if (got.get("dispatch") or {}).get("accepted_by"):
                break
            time.sleep(0.1)
        assert got["dispatch"]["accepted_by"]["name"] == "Anggota Regu Damkar Paringin", got
        assert wait_messages(srv, "100000000000002", staff, after=last)  # the confirmation

        # A reaction to a message: accepted, nothing answers it.
        wamid = alerts[-1].get("provider_id")
        assert wamid
        citizen = "6281299990077"
        r = api(srv, "POST", "/sim/api/send", {"phone_number_id": "100000000000001",
                                               "wa_id": citizen, "message": {
                                                   "type": "reaction", "message_id": wamid,
                                                   "emoji": "\U0001F44D"}})
        assert r.status == 200, r
        time.sleep(1.5)
        assert not api(srv, "GET", "/sim/api/messages?phone_number_id=100000000000001&wa_id="
                       + citizen).json["items"]
        # A button answer without its payload, a reaction without its emoji: refused.
        for bad in ({"type": "button", "text": "Terima"}, {"type": "reaction", "message_id": "x"}):
            assert api(srv, "POST", "/sim/api/send", {"phone_number_id": "100000000000001",
                                                      "wa_id": citizen, "message": bad}).status == 400

        # Files: a malformed id or no number -> 400; a file never sent to
        # this number -> 404, whatever exists in the media directory.
        sha = hashlib.sha256(b"x").hexdigest()
        (tmp_path / "media").mkdir(exist_ok=True)
        (tmp_path / "media" / sha).write_bytes(b"%PDF-1.4 secret")
        assert api(srv, "GET", "/sim/api/media/%s" % sha).status == 400
        assert api(srv, "GET", "/sim/api/media/zz?wa_id=" + citizen).status == 400
        assert api(srv, "GET", "/sim/api/media/%s?wa_id=%s" % (sha, citizen)).status == 404
    finally:
        assert not srv.stop()
