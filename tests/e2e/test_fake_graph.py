"""The fake WhatsApp Cloud (Graph) API of tests/fakes: the fake itself.

Other e2e tests point aduan at it; these tests make sure it behaves like the
parts of the Cloud API that aduan uses (tests/fakes/graph.py).
"""

import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))

from graph_client import (DEFAULT_PYTHON, DETAILS_131047, GRAPH_PY, FakeGraph,  # noqa: E402
                          FakeGraphError)

TOKEN = "test-token-123"
PNID = "100000000000001"
MSG_PATH = "/v21.0/%s/messages" % PNID
TO = "+62 812-3456-7890"
WA_ID = "6281234567890"


@pytest.fixture(scope="module")
def graph_proc():
    g = FakeGraph(token=TOKEN)
    yield g
    g.stop()


@pytest.fixture
def g(graph_proc):
    graph_proc.reset()
    yield graph_proc
    assert graph_proc.alive(), graph_proc.stderr_text()


# ---- helpers --------------------------------------------------------------------


def call(g, method, path, obj=None, body=None, token=TOKEN, content_type="application/json",
         timeout=5, headers=None):
    h = dict(headers or {})
    if obj is not None:
        body = json.dumps(obj).encode("utf-8")
    if body is not None and content_type:
        h["Content-Type"] = content_type
    if token:
        h["Authorization"] = "Bearer " + token
    status, hdrs, data = g.http(method, path, body, h, timeout=timeout)
    try:
        j = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        j = None
    return status, hdrs, data, j


def send(g, obj, **kw):
    status, _, _, j = call(g, "POST", MSG_PATH, obj, **kw)
    return status, j


def text(body="hello", to=TO, **extra):
    m = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
         "type": "text", "text": {"body": body}}
    m.update(extra)
    return m


def buttons(*titles, ids=None, body="Pilih"):
    ids = ids or ["b%d" % i for i in range(len(titles))]
    return {"messaging_product": "whatsapp", "to": TO, "type": "interactive",
            "interactive": {"type": "button", "body": {"text": body},
                            "action": {"buttons": [{"type": "reply",
                                                    "reply": {"id": i, "title": t}}
                                                   for i, t in zip(ids, titles)]}}}


def listmsg(sections, button="Kategori", body="Pilih kategori"):
    return {"messaging_product": "whatsapp", "to": TO, "type": "interactive",
            "interactive": {"type": "list", "header": {"type": "text", "text": "Aduan"},
                            "body": {"text": body}, "footer": {"text": "Balangan"},
                            "action": {"button": button, "sections": sections}}}


def rows(n, prefix="r", title=None, desc=None, rid=None):
    return [{"id": rid or "%s%d" % (prefix, i), "title": title or "Row %d" % i,
             "description": desc if desc is not None else "about %d" % i} for i in range(n)]


def template(name="status_update", code="id"):
    t = {"name": name, "components": [{"type": "body", "parameters": [
        {"type": "text", "text": "ABCD-EFGH"}]}]}
    if code is not None:
        t["language"] = {"code": code}
    return {"messaging_product": "whatsapp", "to": TO, "type": "template", "template": t}


def assert_graph_error(status, j, http_status, code, details=None):
    assert status == http_status, (status, j)
    e = j["error"]
    assert e["code"] == code, j
    assert e["type"] in ("OAuthException", "GraphMethodException"), j
    assert e["fbtrace_id"], j
    if details is not None:
        assert details in e["error_data"]["details"], j
        assert e["error_data"]["messaging_product"] == "whatsapp"


def multipart(fields, file_field="file", filename="foto.jpg", file_type="image/jpeg",
              data=b"", boundary="----aduanBoundary7MA4YWxkTrZu0gW"):
    out = b""
    for k, v in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                % (boundary, k, v)).encode("utf-8")
    if file_field:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                "Content-Type: %s\r\n\r\n" % (boundary, file_field, filename, file_type)
                ).encode("utf-8") + data + b"\r\n"
    out += ("--%s--\r\n" % boundary).encode("ascii")
    return "multipart/form-data; boundary=%s" % boundary, out


def upload(g, data, mime="image/jpeg", fields=None, token=TOKEN, **kw):
    f = {"messaging_product": "whatsapp", "type": mime} if fields is None else fields
    ctype, body = multipart(f, data=data, file_type=mime, **kw)
    status, _, _, j = call(g, "POST", "/v21.0/%s/media" % PNID, body=body, content_type=ctype,
                           token=token)
    return status, j


# ---- process ------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_cli_prints_port_and_exits_cleanly(sig):
    p = subprocess.Popen([DEFAULT_PYTHON, GRAPH_PY, "--port", "0"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    try:
        line = p.stdout.readline().decode()
        assert line.startswith("PORT=") and line.endswith("\n"), line
        port = int(line[5:])
        assert port > 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/_control/health")
        r = conn.getresponse()
        assert r.status == 200 and json.loads(r.read())["ok"] is True
        conn.close()
        # Loopback only.
        assert socket.create_connection(("127.0.0.1", port), timeout=2)
        p.send_signal(sig)
        out, err = p.communicate(timeout=10)
        assert p.returncode == 0, err
        assert out == b"", out  # exactly one line in all
        assert b"Traceback" not in err, err
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_two_fakes_get_distinct_ports():
    with FakeGraph() as a, FakeGraph() as b:
        assert a.port != b.port
        assert a.base_url == "http://127.0.0.1:%d/v21.0" % a.port
        status, j = send(a, text(), token=None)
        assert status == 200, j


# ---- sending ---------------------------------------------------------------------------


def test_send_text(g):
    status, j = send(g, text("Halo, aduan Anda diterima."))
    assert status == 200, j
    assert j["messaging_product"] == "whatsapp"
    assert j["contacts"] == [{"input": TO, "wa_id": WA_ID}]
    wamid = j["messages"][0]["id"]
    assert wamid.startswith("wamid.") and len(wamid) > 20
    status, j2 = send(g, text("again"))
    assert j2["messages"][0]["id"] != wamid
    assert [m["text"]["body"] for m in g.messages(to=WA_ID)] == [
        "Halo, aduan Anda diterima.", "again"]
    assert g.messages(to="+1 555 0000") == []
    # A reply in context, and the 4096-character limit itself.
    status, j = send(g, text("x" * 4096, context={"message_id": wamid}))
    assert status == 200, j


def test_send_interactive_and_template(g):
    status, j = send(g, buttons("Ya", "Tidak", "X" * 20, ids=["yes", "no", "i" * 256]))
    assert status == 200, j
    secs = [{"title": "Ketertiban", "rows": rows(6, "a", desc="d" * 72)},
            {"title": "S" * 24, "rows": rows(4, "b", title="T" * 24, rid="b" * 200)[:1] +
             rows(3, "c")}]
    status, j = send(g, listmsg(secs, button="B" * 20, body="y" * 4096))
    assert status == 200, j
    status, j = send(g, template())
    assert status == 200, j
    assert [m["type"] for m in g.messages()] == ["interactive", "interactive", "template"]
    assert len(g.messages(type="template")) == 1


@pytest.mark.parametrize("obj", [
    {"type": "image", "image": {"id": "1376223850470843", "caption": "foto"}},
    {"type": "image", "image": {"link": "https://example.org/a.jpg"}},
    {"type": "document", "document": {"id": "1", "filename": "laporan.pdf", "caption": "c"}},
    {"type": "audio", "audio": {"id": "2"}},
    {"type": "video", "video": {"id": "3"}},
    {"type": "sticker", "sticker": {"id": "4"}},
    {"type": "location", "location": {"latitude": -2.32, "longitude": 115.5, "name": "Paringin"}},
    {"type": "reaction", "reaction": {"message_id": "wamid.X", "emoji": "\U0001F44D"}},
    {"type": "reaction", "reaction": {"message_id": "wamid.X", "emoji": ""}},
    {"type": "contacts", "contacts": [{"name": {"formatted_name": "Posko"}}]},
], ids=lambda o: o["type"])
def test_send_other_types(g, obj):
    m = {"messaging_product": "whatsapp", "to": "6281234567890"}
    m.update(obj)
    status, j = send(g, m)
    assert status == 200, j
    assert j["contacts"][0]["wa_id"] == WA_ID


def test_mark_as_read(g):
    status, j = send(g, {"messaging_product": "whatsapp", "status": "read",
                         "message_id": "wamid.ABC"})
    assert (status, j) == (200, {"success": True})
    assert g.reads() == ["wamid.ABC"]
    assert g.messages() == []  # sends only
    assert g.requests(kind="mark_read")[0]["status"] == 200


def _long_list(n_sections, per):
    return [{"title": "S%d" % s, "rows": rows(per, "s%d_" % s)} for s in range(n_sections)]


INVALID = [
    ("not-json", b"{nope", "not valid JSON"),
    ("array", [text()], "JSON object"),
    ("no-product", {k: v for k, v in text().items() if k != "messaging_product"},
     "messaging_product"),
    ("wrong-product", dict(text(), messaging_product="sms"), "messaging_product"),
    ("no-to", {k: v for k, v in text().items() if k != "to"}, "to"),
    ("to-number", dict(text(), to=6281234567890), "to"),
    ("to-garbage", dict(text(), to="not a phone"), "to"),
    ("bad-type", dict(text(), type="fax"), "type"),
    ("missing-object", {"messaging_product": "whatsapp", "to": TO, "type": "image"}, "image"),
    ("text-too-long", text("x" * 4097), "text['body']"),
    ("text-empty", text(""), "text['body']"),
    ("text-not-object", dict(text(), text="hi"), "text"),
    ("media-id-and-link", {"messaging_product": "whatsapp", "to": TO, "type": "image",
                           "image": {"id": "1", "link": "https://x/y"}}, "exactly one"),
    ("buttons-4", buttons("a", "b", "c", "d"), "1 to 3"),
    ("buttons-0", buttons(), "1 to 3"),
    ("button-title-21", buttons("x" * 21), "['title']"),
    ("button-title-dup", buttons("Ya", "Ya"), "unique titles"),
    ("button-id-257", buttons("Ya", ids=["i" * 257]), "['id']"),
    ("button-body-missing", dict(buttons("Ya"), interactive=dict(
        buttons("Ya")["interactive"], body={})), "['body']['text']"),
    ("list-11-rows", listmsg(_long_list(2, 6)[:1] + [{"title": "B", "rows": rows(5, "z")}]),
     "at most 10 rows"),
    ("list-11-sections", listmsg(_long_list(11, 1)), "1 to 10 sections"),
    ("list-button-21", listmsg(_long_list(1, 2), button="b" * 21), "['button']"),
    ("list-row-title-25", listmsg([{"rows": rows(1, title="t" * 25)}]), "['title']"),
    ("list-row-desc-73", listmsg([{"rows": rows(1, desc="d" * 73)}]), "['description']"),
    ("list-row-id-201", listmsg([{"rows": rows(1, rid="i" * 201)}]), "['id']"),
    ("list-body-4097", listmsg(_long_list(1, 1), body="y" * 4097), "['body']['text']"),
    ("list-section-title-needed", listmsg([{"rows": rows(1, "a")}, {"rows": rows(1, "b")}]),
     "['title']"),
    ("template-no-name", dict(template(), template={"language": {"code": "id"}}), "['name']"),
    ("template-no-language", template(code=None), "['language']"),
    ("template-no-code", dict(template(), template={"name": "x", "language": {}}), "['code']"),
    ("read-no-id", {"messaging_product": "whatsapp", "status": "read"}, "message_id"),
]


@pytest.mark.parametrize("body,details", [(b, d) for _, b, d in INVALID],
                         ids=[i for i, _, _ in INVALID])
def test_invalid_send_is_400_code_100(g, body, details):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, _, _, j = call(g, "POST", MSG_PATH, body=raw)
    assert_graph_error(status, j, 400, 100, details)
    assert j["error"]["message"] == "(#100) Invalid parameter"
    assert g.requests()[-1]["status"] == 400


def test_send_needs_json_content_type(g):
    status, _, _, j = call(g, "POST", MSG_PATH, body=json.dumps(text()).encode(),
                           content_type="application/x-www-form-urlencoded")
    assert_graph_error(status, j, 400, 100, "Content-Type")
    # The body is still recorded, parsed.
    assert g.requests()[-1]["json"]["to"] == TO


def test_chunked_body_and_keep_alive(g):
    conn = http.client.HTTPConnection("127.0.0.1", g.port, timeout=5)
    try:
        h = {"Content-Type": "application/json", "Authorization": "Bearer " + TOKEN}
        conn.request("POST", MSG_PATH, body=iter([json.dumps(text("chunked")).encode()]),
                     headers=h, encode_chunked=True)
        r = conn.getresponse()
        assert r.status == 200, r.read()
        r.read()
        conn.request("POST", MSG_PATH, body=json.dumps(text("same conn")), headers=h)
        r = conn.getresponse()
        assert r.status == 200, r.read()
        r.read()
    finally:
        conn.close()
    assert [m["text"]["body"] for m in g.messages()] == ["chunked", "same conn"]


def test_unknown_paths(g):
    status, _, _, j = call(g, "POST", "/v21.0/%s/nothing" % PNID, text())
    assert_graph_error(status, j, 400, 2500)
    status, _, _, j = call(g, "POST", "/%s/messages" % PNID, text())  # no version
    assert_graph_error(status, j, 400, 2500)
    status, _, _, j = call(g, "POST", "//v21.0/%s/messages" % PNID, text())  # base URL + "/"
    assert_graph_error(status, j, 400, 2500)
    assert {r["kind"] for r in g.requests()} == {"unknown"}
    # Any v<digits>.<digits> version works.
    assert send(g, text())[0] == 200
    assert call(g, "POST", "/v25.0/%s/messages" % PNID, text())[0] == 200


# ---- token --------------------------------------------------------------------------------


@pytest.mark.parametrize("token,headers", [
    (None, None),
    ("wrong", None),
    (None, {"Authorization": TOKEN}),
    (None, {"Authorization": "Basic " + TOKEN}),
])
def test_token_required(g, token, headers):
    status, _, _, j = call(g, "POST", MSG_PATH, text(), token=token, headers=headers)
    assert_graph_error(status, j, 401, 190)
    assert j["error"]["error_subcode"] == 463
    assert j["error"]["type"] == "OAuthException"
    assert "access token" in j["error"]["message"]
    assert g.messages(status=200) == []
    # The control API needs none.
    assert len(g.requests()) == 1


def test_token_is_checked_before_validation(g):
    status, _, _, j = call(g, "POST", MSG_PATH, {"bogus": True}, token=None)
    assert_graph_error(status, j, 401, 190)


# ---- failure rules ------------------------------------------------------------------------


def test_fail_once_then_ok(g):
    g.fail_500()
    status, j = send(g, text())
    assert_graph_error(status, j, 500, 131000)
    assert j["error"]["message"] == "(#131000) Something went wrong"
    status, j = send(g, text())
    assert status == 200, j
    reqs = g.requests()
    assert [r["status"] for r in reqs] == [500, 200]
    assert reqs[0]["rule"] is not None and reqs[1]["rule"] is None
    assert [r["times"] for r in g.rules()] == [0]


def test_fail_times_and_order(g):
    g.fail_429(times=2)
    g.fail_131056()
    statuses = [send(g, text())[0] for _ in range(4)]
    assert statuses == [429, 429, 400, 200]
    codes = [r["response"]["error"]["code"] if r["status"] != 200 else None
             for r in g.requests()]
    assert codes == [130429, 130429, 131056, None]
    assert [(r["times"], r["hits"]) for r in g.rules()] == [(0, 2), (0, 1)]


def test_fail_forever_until_cleared(g):
    g.fail_131047(times=-1)
    for _ in range(3):
        status, j = send(g, text())
        assert_graph_error(status, j, 400, 131047, DETAILS_131047)
        assert j["error"]["message"] == "(#131047) Re-engagement message"
    g.clear_rules()
    assert send(g, text())[0] == 200


def test_fail_filters_recipient_and_spares_mark_read(g):
    g.fail_131047(to="+62 811 1111")
    # Mark-as-read does not consume a send rule.
    status, j = send(g, {"messaging_product": "whatsapp", "status": "read", "message_id": "w"})
    assert status == 200, j
    assert send(g, text(to="+6282222222"))[0] == 200
    assert send(g, text(to="62-811-1111"))[0] == 400
    assert send(g, text(to="+628111111"))[0] == 200
    assert len(g.messages(to="628111111")) == 2


def test_fail_plain_500_and_token_and_custom(g):
    g.fail_500(plain=True)
    status, hdrs, data, j = call(g, "POST", MSG_PATH, text())
    assert status == 500 and j is None and hdrs["Content-Type"].startswith("text/html"), data
    g.fail_token()
    status, _, _, j = call(g, "GET", "/v21.0/123456")  # any Graph call
    assert_graph_error(status, j, 401, 190)
    assert j["error"]["error_subcode"] == 463
    g.fail(method="POST", path_regex=r"/media$", status=503,
           body={"error": {"message": "down", "type": "OAuthException", "code": 131016}})
    status, j = upload(g, b"\xff\xd8jpeg")
    assert_graph_error(status, j, 503, 131016)
    assert upload(g, b"\xff\xd8jpeg")[0] == 200


def test_fail_delay_answers_late(g):
    g.fail(path_regex=r"/messages$", delay=0.4)
    t0 = time.monotonic()
    status, j = send(g, text())
    assert status == 200, j
    assert time.monotonic() - t0 >= 0.35


def test_fail_timeout(g):
    g.fail_timeout(seconds=0.6)
    t0 = time.monotonic()
    with pytest.raises(socket.timeout):
        send(g, text(), timeout=0.2)
    assert time.monotonic() - t0 < 0.55
    # Recorded on arrival; the answer (a normal 200) goes nowhere.
    rec = g.wait_for(lambda r: r["kind"] == "messages")[0]
    assert rec["rule"] is not None
    rec = g.wait_for(lambda r: r["client_gone"] or r["status"] == 200, timeout=3)[0]
    assert rec["status"] == 200
    assert send(g, text())[0] == 200  # the rule was used up


@pytest.mark.parametrize("reset", [False, True])
def test_fail_close(g, reset):
    g.fail_close(reset=reset)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        send(g, text())
    rec = g.requests()[0]
    assert rec["closed"] is True and rec["status"] is None
    assert send(g, text())[0] == 200


def test_fail_rule_validation(g):
    with pytest.raises(FakeGraphError):
        g.fail(path_regex="(", status=500)
    with pytest.raises(FakeGraphError):
        g.fail(times=-2, status=500)
    with pytest.raises(FakeGraphError):
        g._control("POST", "fail", {"match": {"colour": "red"}})


def test_fail_download_then_retry(g):
    mid, _ = g.add_media(b"abc", "image/jpeg")
    g.fail(path_regex=r"^/_media/", status=404, body="Not Found")
    url = g.media_url(mid)
    path = urllib.parse.urlsplit(url)
    status = call(g, "GET", path.path + "?" + path.query)[0]
    assert status == 404
    assert call(g, "GET", path.path + "?" + path.query)[2] == b"abc"


# ---- recordings ---------------------------------------------------------------------------


def test_recordings(g):
    send(g, text("one"), headers={"X-Custom": "v"})
    first = g.last_seq()
    send(g, text("two"))
    reqs = g.requests()
    assert first == 1  # reset restarts the numbering
    assert [r["seq"] for r in reqs] == [1, 2]
    r = reqs[0]
    assert r["method"] == "POST" and r["path"] == MSG_PATH and r["kind"] == "messages"
    assert r["headers"]["authorization"] == "Bearer " + TOKEN
    assert r["headers"]["x-custom"] == "v"
    assert r["headers"]["content-type"] == "application/json"
    assert all(k == k.lower() for k in r["headers"])
    assert r["raw_size"] == len(json.dumps(text("one")))
    assert r["json"]["text"]["body"] == "one"
    assert r["status"] == 200 and r["response"]["messages"][0]["id"].startswith("wamid.")
    assert isinstance(r["time"], float)
    later = g.requests(since=first)
    assert [x["json"]["text"]["body"] for x in later] == ["two"]
    assert g.wait_messages(count=2, timeout=1)[1]["text"]["body"] == "two"
    with pytest.raises(FakeGraphError, match="timed out"):
        g.wait_messages(to="+1999", timeout=0.2)


def test_wait_for_sees_later_requests(g):
    import threading
    t = threading.Timer(0.2, lambda: send(g, text("late")))
    t.start()
    try:
        bodies = g.wait_messages(timeout=3)
    finally:
        t.join()
    assert bodies[0]["text"]["body"] == "late"


# ---- media --------------------------------------------------------------------------------


def test_media_get_and_download(g):
    data = bytes(range(256)) * 10 + b"\r\n--x--\r\n"
    mid, sha = g.add_media(data, "image/jpeg")
    assert sha == hashlib.sha256(data).hexdigest()
    status, _, _, j = call(g, "GET", "/v21.0/%s?phone_number_id=%s" % (mid, PNID))
    assert status == 200, j
    assert j["messaging_product"] == "whatsapp" and j["id"] == mid
    assert j["mime_type"] == "image/jpeg" and j["sha256"] == sha
    assert j["file_size"] == len(data) and isinstance(j["file_size"], int)
    url = urllib.parse.urlsplit(j["url"])
    assert (url.scheme, url.hostname, url.port) == ("http", "127.0.0.1", g.port)
    path = url.path + "?" + url.query
    status, hdrs, body, _ = call(g, "GET", path)
    assert status == 200 and body == data
    assert hdrs["Content-Type"] == "image/jpeg"
    assert int(hdrs["Content-Length"]) == len(data)
    # Without the token (or with another one): 401.
    assert call(g, "GET", path, token=None)[0] == 401
    assert call(g, "GET", path, token="nope")[0] == 401
    # A tampered or missing signature, or an unknown id: 404.
    assert call(g, "GET", url.path + "?sig=0000")[0] == 404
    assert call(g, "GET", url.path)[0] == 404
    assert call(g, "GET", "/_media/999?sig=x")[0] == 404
    assert [r["kind"] for r in g.requests()] == ["media_get"] + ["media_download"] * 6
    assert g.media_bytes(mid) == data


def test_media_unknown_id(g):
    status, _, _, j = call(g, "GET", "/v21.0/424242")
    assert_graph_error(status, j, 400, 100)
    assert "Unsupported get request" in j["error"]["message"]
    assert call(g, "GET", "/v21.0/424242", token=None)[0] == 401


def test_media_fixed_id_and_delete(g):
    mid, _ = g.add_media(b"OggS", "audio/ogg", media_id="777")
    assert mid == "777"
    status, _, _, j = call(g, "DELETE", "/v21.0/777")
    assert (status, j) == (200, {"success": True})
    assert call(g, "GET", "/v21.0/777")[0] == 400


def test_upload_roundtrip(g):
    data = b"%PDF-1.4\r\n--boundary-lookalike\r\n\x00\xff" * 100
    status, j = upload(g, data, mime="application/pdf", filename="surat.pdf")
    assert status == 200, j
    mid = j["id"]
    assert set(j) == {"id"} and mid.isdigit()
    status, _, _, info = call(g, "GET", "/v21.0/" + mid)
    assert status == 200 and info["sha256"] == hashlib.sha256(data).hexdigest()
    assert info["mime_type"] == "application/pdf" and info["file_size"] == len(data)
    url = urllib.parse.urlsplit(info["url"])
    assert call(g, "GET", url.path + "?" + url.query)[2] == data
    up = g.uploads()
    assert up == [{"fields": {"messaging_product": "whatsapp", "type": "application/pdf"},
                   "file": {"field": "file", "filename": "surat.pdf",
                            "content_type": "application/pdf",
                            "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}}]
    assert g.media_bytes(mid) == data
    assert g.media_info(mid)["filename"] == "surat.pdf"


@pytest.mark.parametrize("fields,kw,details", [
    ({"messaging_product": "whatsapp"}, {}, "type"),
    ({"type": "image/jpeg"}, {}, "messaging_product"),
    ({"messaging_product": "whatsapp", "type": "image/jpeg"}, {"file_field": None}, "file"),
    ({"messaging_product": "whatsapp", "type": "image/jpeg"}, {"file_field": "media"}, "file"),
    ({"messaging_product": "whatsapp", "type": "application/x-msdownload"}, {}, "types"),
])
def test_upload_invalid(g, fields, kw, details):
    status, j = upload(g, b"data", fields=fields, **kw)
    assert_graph_error(status, j, 400, 100, details)
    assert g.media() == []
    assert g.requests()[0]["multipart"]["fields"] == fields


def test_upload_not_multipart_and_no_token(g):
    status, _, _, j = call(g, "POST", "/v21.0/%s/media" % PNID, {"file": "x"})
    assert_graph_error(status, j, 400, 100, "multipart")
    status, j = upload(g, b"x", token=None)
    assert_graph_error(status, j, 401, 190)
    assert g.media() == []


def test_upload_too_big(g):
    status, j = upload(g, b"\0" * (500 * 1024 + 1), mime="image/webp")
    assert_graph_error(status, j, 400, 100, "too large")


# ---- reset ----------------------------------------------------------------------------


def test_reset(g):
    mid, _ = g.add_media(b"x", "image/png")
    g.fail_500(times=-1)
    send(g, text())
    assert g.requests() and g.rules() and g.media()
    g.reset()
    assert g.requests() == [] and g.rules() == [] and g.media() == []
    assert call(g, "GET", "/v21.0/" + mid)[0] == 400
    assert send(g, text())[0] == 200
    assert [r["seq"] for r in g.requests()] == [1, 2]  # numbering restarted


def test_without_token_everything_open():
    with FakeGraph() as f:
        assert send(f, text(), token=None)[0] == 200
        mid, _ = f.add_media(b"abc", "image/png")
        url = urllib.parse.urlsplit(f.media_url(mid))
        assert call(f, "GET", url.path + "?" + url.query, token=None)[2] == b"abc"


def test_stop_with_pending_delay_and_idle_connection():
    f = FakeGraph()
    try:
        f.fail_timeout(seconds=30)
        with pytest.raises(socket.timeout):
            send(f, text(), token=None, timeout=0.2)
        idle = socket.create_connection(("127.0.0.1", f.port), timeout=2)
        t0 = time.monotonic()
        f.stop()  # asserts exit 0 and no traceback
        assert time.monotonic() - t0 < 2
        idle.close()
    finally:
        f._kill()
