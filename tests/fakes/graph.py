#!/usr/bin/python3
"""A fake of the WhatsApp Cloud (Graph) API for the aduan tests.

Standard library only. Run it as its own process:

    /usr/bin/python3 tests/fakes/graph.py --port 0 [--token TOKEN] [--verbose]

It binds 127.0.0.1 (port 0 = a free port), prints one line `PORT=<n>` on
stdout, and serves until SIGTERM or SIGINT (then exits 0). Point aduan at
`http://127.0.0.1:<n>/v21.0` (any `v<digits>.<digits>` is accepted).

Graph endpoints (with --token, each needs `Authorization: Bearer TOKEN`,
else 401 with the Graph error envelope, code 190, subcode 463):

  POST   /{ver}/{phone_number_id}/messages   send / mark-as-read (validated)
  POST   /{ver}/{phone_number_id}/media      multipart upload -> {"id": ...}
  GET    /{ver}/{media_id}                   media URL, mime_type, sha256, file_size
  DELETE /{ver}/{media_id}                   {"success": true}
  GET    /_media/{media_id}?sig=...          the bytes (the URL the GET above gives)

Control API for the tests (no auth; JSON in and out):

  GET    /_control/health                    {"ok": true}
  GET    /_control/requests[?since=SEQ]      {"requests": [record, ...]} with seq > SEQ
  POST   /_control/reset                     forget recordings, rules and media
  POST   /_control/media                     {"id"?, "mime_type", "data_b64", "filename"?}
                                             -> {"id", "sha256", "file_size", "url"}
  GET    /_control/media                     {"media": [info, ...]}
  GET    /_control/media/{id}[?data=1]       info (+ "data_b64" with data=1)
  POST   /_control/fail                      queue a failure rule -> {"id": n}
  GET    /_control/fail                      {"rules": [...]} (with remaining "times")
  DELETE /_control/fail                      drop every rule
  POST   /_control/tiles                     {"enabled": bool}: map tiles on or off

Map tiles (for the dashboard's maps, ADUAN_MAP_TILE_URL pointed here): off
by default (404, the maps show their markers only); when enabled,
GET /tiles/{z}/{x}/{y}.png answers a 256 px PNG of one colour (from x+y)
with Access-Control-Allow-Origin: * as tile.openstreetmap.org does;
recorded with kind "tile".

A failure rule: {"match": {"method", "path_regex", "to", "kind", "msg_type"}
(all optional; path_regex is re.search'ed on the path without the query;
"to" compares the digits of the body's `to`), "times": N (default 1, -1 =
forever), "status", "body" (object -> JSON; string -> raw text), "content_type",
"delay" (seconds to wait first), "close" (close the connection without an
answer), "reset" (close with a TCP RST)}. Rules are tried in order for each
Graph request; the first matching one with times != 0 is applied (and its
times decremented). A rule with only a delay delays the normal answer. Rules
are consulted before the token check and before validation.

A record: {"seq", "time", "method", "path", "query", "kind", "headers"
(lower-case keys), "json" (the parsed body or null), "raw_size", "multipart"
(uploads: {"fields", "file": {"field", "filename", "content_type", "sha256",
"size"}}), "status" (null while pending or when closed), "response" (the JSON
answer or null), "rule" (id of the applied rule or null), "closed",
"client_gone"}. `kind` is one of messages, mark_read, media_upload,
media_get, media_delete, media_download, tile, unknown.
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import re
import secrets
import signal
import socket
import struct
import sys
import threading
import time
import traceback
import urllib.parse
import zlib

HOST = "127.0.0.1"

VERSION_RE = re.compile(r"^/(v\d+\.\d+)/(.*)$")
MEDIA_PATH_RE = re.compile(r"^/_media/([^/]+)$")
TILE_PATH_RE = re.compile(r"^/tiles/(\d+)/(\d+)/(\d+)\.png$")
TILE_COLOURS = ((0xcf, 0xe3, 0xc8), (0xe8, 0xe0, 0xc8), (0xc8, 0xd8, 0xe8), (0xe0, 0xcc, 0xd8))
_TILES = {}


def tile_png(i):
    """A 256x256 PNG of TILE_COLOURS[i] (made once)."""
    if i not in _TILES:
        row = b"\x00" + bytes(TILE_COLOURS[i]) * 256

        def chunk(kind, data):
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
        _TILES[i] = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(row * 256)) + chunk(b"IEND", b""))
    return _TILES[i]

MESSAGE_TYPES = ("text", "image", "video", "audio", "document", "sticker", "location",
                 "contacts", "interactive", "template", "reaction")
MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")

# Upload MIME types and size limits (WA/business-phone-numbers/media).
MB = 1024 * 1024
UPLOAD_LIMITS = {
    "audio/aac": 16 * MB, "audio/amr": 16 * MB, "audio/mpeg": 16 * MB, "audio/mp4": 16 * MB,
    "audio/ogg": 16 * MB,
    "text/plain": 100 * MB, "application/pdf": 100 * MB, "application/vnd.ms-excel": 100 * MB,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": 100 * MB,
    "application/msword": 100 * MB,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": 100 * MB,
    "application/vnd.ms-powerpoint": 100 * MB,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": 100 * MB,
    "image/jpeg": 5 * MB, "image/png": 5 * MB,
    "image/webp": 500 * 1024,
    "video/3gpp": 16 * MB, "video/mp4": 16 * MB,
}

STOP = threading.Event()


# ---- state -------------------------------------------------------------------


class State:
    def __init__(self, token):
        self.token = token
        self.tiles = False
        self.lock = threading.Lock()
        self.url_key = secrets.token_bytes(16)
        self.port = None
        self.clear()

    def clear(self):
        self.records = []
        self.seq = 0
        self.rules = []
        self.rule_seq = 0
        self.media = {}

    # -- records --
    def record(self, rec):
        with self.lock:
            self.seq += 1
            rec["seq"] = self.seq
            self.records.append(rec)
        return rec

    def finish(self, rec, **fields):
        with self.lock:
            rec.update(fields)

    def requests_since(self, since):
        with self.lock:
            return json.loads(json.dumps([r for r in self.records if r["seq"] > since]))

    # -- rules --
    def add_rule(self, spec):
        with self.lock:
            self.rule_seq += 1
            rule = dict(spec)
            rule["id"] = self.rule_seq
            rule["hits"] = 0
            self.rules.append(rule)
            return rule["id"]

    def take_rule(self, rec):
        with self.lock:
            for rule in self.rules:
                if rule["times"] == 0 or not rule_matches(rule["match"], rec):
                    continue
                if rule["times"] > 0:
                    rule["times"] -= 1
                rule["hits"] += 1
                return dict(rule)
        return None

    # -- media --
    def new_media_id(self):
        while True:
            mid = str(secrets.randbelow(9 * 10 ** 15) + 10 ** 15)
            if mid not in self.media:
                return mid

    def add_media(self, data, mime, media_id=None, filename=None, origin="control"):
        with self.lock:
            mid = media_id or self.new_media_id()
            m = {"id": mid, "mime_type": mime, "data": data,
                 "sha256": hashlib.sha256(data).hexdigest(), "file_size": len(data),
                 "filename": filename, "origin": origin}
            self.media[mid] = m
            return m

    def get_media(self, mid):
        with self.lock:
            return self.media.get(mid)

    def sig(self, mid):
        return hmac.new(self.url_key, mid.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def media_url(self, mid):
        return "http://%s:%d/_media/%s?sig=%s" % (HOST, self.port, urllib.parse.quote(mid),
                                                   self.sig(mid))

    def media_info(self, m, data=False):
        info = {k: m[k] for k in ("id", "mime_type", "sha256", "file_size", "filename", "origin")}
        info["url"] = self.media_url(m["id"])
        if data:
            info["data_b64"] = base64.b64encode(m["data"]).decode("ascii")
        return info


def digits(s):
    return re.sub(r"\D", "", s) if isinstance(s, str) else ""


def rule_matches(match, rec):
    if not match:
        return True
    m = match.get("method")
    if m and m.upper() != rec["method"]:
        return False
    pr = match.get("path_regex")
    if pr and not re.search(pr, rec["path"]):
        return False
    k = match.get("kind")
    if k and k != rec["kind"]:
        return False
    body = rec.get("json") if isinstance(rec.get("json"), dict) else {}
    to = match.get("to")
    if to is not None and (not isinstance(body.get("to"), str) or digits(body["to"]) != digits(to)):
        return False
    mt = match.get("msg_type")
    if mt is not None and body.get("type", "text" if "to" in body else None) != mt:
        return False
    return True


# ---- Graph errors --------------------------------------------------------------


def fbtrace():
    return base64.b64encode(secrets.token_bytes(8)).decode("ascii").rstrip("=") + "Aq" + \
        secrets.token_hex(4)


def graph_error(code, message, type_="OAuthException", details=None, subcode=None):
    e = {"message": message, "type": type_, "code": code}
    if details is not None:
        e["error_data"] = {"messaging_product": "whatsapp", "details": details}
    if subcode is not None:
        e["error_subcode"] = subcode
    e["fbtrace_id"] = fbtrace()
    return {"error": e}


def invalid(details):
    return 400, graph_error(100, "(#100) Invalid parameter", details=details)


def token_error():
    return 401, graph_error(190, "Error validating access token", subcode=463)


class Invalid(Exception):
    pass


# ---- send validation -----------------------------------------------------------


def pname(path):
    """text.body -> text['body'], the way Graph names parameters."""
    parts = path.split(".")
    out = parts[0]
    for p in parts[1:]:
        out += "[%s]" % p if p.isdigit() else "['%s']" % p
    return out


def need_obj(v, path):
    if not isinstance(v, dict):
        raise Invalid("Param %s must be a JSON object" % pname(path))
    return v


def need_list(v, path):
    if not isinstance(v, list):
        raise Invalid("Param %s must be an array" % pname(path))
    return v


def need_str(obj, key, path, maxlen=None, required=True, allow_empty=False):
    v = obj.get(key)
    full = path + "." + key if path else key
    if v is None:
        if required:
            raise Invalid("The parameter %s is required." % pname(full))
        return None
    if not isinstance(v, str):
        raise Invalid("Param %s must be a string" % pname(full))
    if not v and not allow_empty:
        raise Invalid("Param %s must not be empty" % pname(full))
    if maxlen is not None and len(v) > maxlen:
        raise Invalid("Param %s must be at most %d characters long (got %d)."
                      % (pname(full), maxlen, len(v)))
    return v


def check_text(o):
    need_str(o, "body", "text", 4096)
    if "preview_url" in o and not isinstance(o["preview_url"], bool):
        raise Invalid("Param text['preview_url'] must be a boolean")


def check_media(t, o, path=None):
    path = path or t
    has_id, has_link = o.get("id") is not None, o.get("link") is not None
    if has_id == has_link:
        raise Invalid("Param %s must have exactly one of 'id' or 'link'" % pname(path))
    if has_id:
        need_str(o, "id", path)
    else:
        link = need_str(o, "link", path)
        if not re.match(r"^https?://", link):
            raise Invalid("Param %s['link'] must be an http(s) URL" % pname(path))
    if "caption" in o:
        if t in ("audio", "sticker"):
            raise Invalid("Param %s['caption'] is not supported for %s" % (pname(path), t))
        need_str(o, "caption", path, 1024, allow_empty=True)
    if "filename" in o:
        if t != "document":
            raise Invalid("Param %s['filename'] is only supported for documents" % pname(path))
        need_str(o, "filename", path, 240)


def check_location(o):
    for k in ("latitude", "longitude"):
        v = o.get(k)
        if isinstance(v, str):
            try:
                v = float(v)
            except ValueError:
                v = None
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise Invalid("The parameter location['%s'] is required and must be a number." % k)
        lim = 90 if k == "latitude" else 180
        if not -lim <= v <= lim:
            raise Invalid("Param location['%s'] is out of range" % k)
    need_str(o, "name", "location", 1000, required=False)
    need_str(o, "address", "location", 1000, required=False)


def check_contacts(lst):
    need_list(lst, "contacts")
    if not lst:
        raise Invalid("Param contacts must not be empty")
    for i, c in enumerate(lst):
        need_obj(c, "contacts.%d" % i)
        name = need_obj(c.get("name"), "contacts.%d.name" % i)
        need_str(name, "formatted_name", "contacts.%d.name" % i)


def check_reaction(o):
    need_str(o, "message_id", "reaction")
    need_str(o, "emoji", "reaction", required=True, allow_empty=True)


def check_template(o):
    need_str(o, "name", "template", 512)
    lang = need_obj(o.get("language"), "template.language")
    need_str(lang, "code", "template.language")
    if "components" in o:
        for i, c in enumerate(need_list(o["components"], "template.components")):
            need_obj(c, "template.components.%d" % i)
            need_str(c, "type", "template.components.%d" % i)
            if "parameters" in c:
                for j, p in enumerate(need_list(c["parameters"],
                                                "template.components.%d.parameters" % i)):
                    need_obj(p, "template.components.%d.parameters.%d" % (i, j))
                    need_str(p, "type", "template.components.%d.parameters.%d" % (i, j))


def check_header(o, path):
    h = o.get("header")
    if h is None:
        return
    need_obj(h, path + ".header")
    t = need_str(h, "type", path + ".header")
    if t == "text":
        need_str(h, "text", path + ".header", 60)
    elif t in ("image", "video", "document"):
        p = path + ".header." + t
        check_media(t, need_obj(h.get(t), p), p)
    else:
        raise Invalid("Param %s['type'] must be one of text, image, video, document"
                      % pname(path + ".header"))


def check_footer(o, path):
    f = o.get("footer")
    if f is not None:
        need_str(need_obj(f, path + ".footer"), "text", path + ".footer", 60)


def check_interactive(o):
    t = need_str(o, "type", "interactive")
    action = need_obj(o.get("action"), "interactive.action")
    if t == "button":
        need_str(need_obj(o.get("body"), "interactive.body"), "text", "interactive.body", 1024)
        check_header(o, "interactive")
        check_footer(o, "interactive")
        buttons = need_list(action.get("buttons"), "interactive.action.buttons")
        if not 1 <= len(buttons) <= 3:
            raise Invalid("Param interactive['action']['buttons'] must have 1 to 3 buttons (got %d)"
                          % len(buttons))
        titles, ids = set(), set()
        for i, b in enumerate(buttons):
            p = "interactive.action.buttons.%d" % i
            need_obj(b, p)
            if b.get("type") != "reply":
                raise Invalid("Param %s['type'] must be 'reply'" % pname(p))
            r = need_obj(b.get("reply"), p + ".reply")
            bid = need_str(r, "id", p + ".reply", 256)
            title = need_str(r, "title", p + ".reply", 20)
            if title in titles:
                raise Invalid("Buttons must have unique titles: %r is repeated" % title)
            if bid in ids:
                raise Invalid("Buttons must have unique ids: %r is repeated" % bid)
            titles.add(title)
            ids.add(bid)
    elif t == "list":
        need_str(need_obj(o.get("body"), "interactive.body"), "text", "interactive.body", 4096)
        h = o.get("header")
        if h is not None:
            need_obj(h, "interactive.header")
            if h.get("type") != "text":
                raise Invalid("Param interactive['header']['type'] must be 'text' for lists")
            need_str(h, "text", "interactive.header", 60)
        check_footer(o, "interactive")
        need_str(action, "button", "interactive.action", 20)
        sections = need_list(action.get("sections"), "interactive.action.sections")
        if not 1 <= len(sections) <= 10:
            raise Invalid("Param interactive['action']['sections'] must have 1 to 10 sections "
                          "(got %d)" % len(sections))
        total, ids = 0, set()
        for i, s in enumerate(sections):
            p = "interactive.action.sections.%d" % i
            need_obj(s, p)
            need_str(s, "title", p, 24, required=len(sections) > 1)
            rows = need_list(s.get("rows"), p + ".rows")
            if not rows:
                raise Invalid("Param %s must have at least one row" % pname(p + ".rows"))
            for j, r in enumerate(rows):
                rp = "%s.rows.%d" % (p, j)
                need_obj(r, rp)
                rid = need_str(r, "id", rp, 200)
                need_str(r, "title", rp, 24)
                need_str(r, "description", rp, 72, required=False, allow_empty=True)
                if rid in ids:
                    raise Invalid("Rows must have unique ids: %r is repeated" % rid)
                ids.add(rid)
            total += len(rows)
        if total > 10:
            raise Invalid("A list message can have at most 10 rows in all sections (got %d)"
                          % total)
    elif t == "cta_url":
        need_str(need_obj(o.get("body"), "interactive.body"), "text", "interactive.body", 1024)
        if action.get("name") != "cta_url":
            raise Invalid("Param interactive['action']['name'] must be 'cta_url'")
        prm = need_obj(action.get("parameters"), "interactive.action.parameters")
        need_str(prm, "display_text", "interactive.action.parameters", 20)
        need_str(prm, "url", "interactive.action.parameters")
    elif t in ("product", "product_list", "catalog_message", "flow", "location_request_message",
               "address_message", "call_permission_request"):
        pass
    else:
        raise Invalid("Param interactive['type'] is not a valid interactive type: %r" % t)


def validate_send(body):
    """Returns ("read"|"message", details-or-None)."""
    if not isinstance(body, dict):
        raise Invalid("The request body must be a JSON object")
    if body.get("messaging_product") != "whatsapp":
        raise Invalid("The parameter messaging_product is required and must be 'whatsapp'.")
    if "status" in body:
        if body["status"] != "read":
            raise Invalid("Param status must be 'read'")
        need_str(body, "message_id", "")
        return "read"
    rt = body.get("recipient_type", "individual")
    if rt not in ("individual", "group"):
        raise Invalid("Param recipient_type must be 'individual' or 'group'")
    to = need_str(body, "to", "")
    if not re.match(r"^[+0-9() \-]+$", to) or not 5 <= len(digits(to)) <= 15:
        raise Invalid("Param to must be a phone number (+, digits, spaces, hyphens, "
                      "parentheses), got %r" % to)
    t = body.get("type", "text")
    if t not in MESSAGE_TYPES:
        raise Invalid("Param type must be one of %s (got %r)" % (", ".join(MESSAGE_TYPES), t))
    if t not in body:
        raise Invalid("The parameter %s is required for type %s." % (t, t))
    if "context" in body:
        need_str(need_obj(body["context"], "context"), "message_id", "context")
    if t == "contacts":
        check_contacts(body[t])
        return "message"
    o = need_obj(body[t], t)
    if t == "text":
        check_text(o)
    elif t in MEDIA_TYPES:
        check_media(t, o)
    elif t == "location":
        check_location(o)
    elif t == "reaction":
        check_reaction(o)
    elif t == "template":
        check_template(o)
    elif t == "interactive":
        check_interactive(o)
    return "message"


def new_wamid(to):
    d = base64.b64encode(digits(to).encode("ascii")).decode("ascii").rstrip("=")
    return "wamid.HBgL%sFQIAERgS%s" % (d.replace("+", "A").replace("/", "B"),
                                       secrets.token_hex(12).upper())


# ---- multipart -----------------------------------------------------------------


def header_params(value):
    """'form-data; name="file"; filename="a.jpg"' -> ("form-data", {...})."""
    parts = re.findall(r'(?:[^;"]|"(?:[^"\\]|\\.)*")+', value)
    main = parts[0].strip().lower() if parts else ""
    params = {}
    for p in parts[1:]:
        k, sep, v = p.strip().partition("=")
        if not sep:
            continue
        v = v.strip()
        if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
            v = re.sub(r'\\(.)', r'\1', v[1:-1])
        params[k.strip().lower()] = v
    return main, params


def parse_multipart(content_type, body):
    """Returns a list of (headers dict, data bytes); raises Invalid."""
    main, params = header_params(content_type or "")
    if main != "multipart/form-data":
        raise Invalid("The request must be multipart/form-data (got %r)" % (content_type or ""))
    boundary = params.get("boundary")
    if not boundary:
        raise Invalid("multipart/form-data without a boundary")
    delim = b"--" + boundary.encode("latin-1")
    if not body.startswith(delim) and (b"\r\n" + delim) not in body:
        raise Invalid("multipart body does not contain its boundary")
    chunks = (b"\r\n" + body).split(b"\r\n" + delim)
    parts = []
    closed = False
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            closed = True
            break
        if not chunk.startswith(b"\r\n"):
            # Transport padding (spaces/tabs) is allowed before the CRLF.
            line, _, rest = chunk.partition(b"\r\n")
            if line.strip(b" \t"):
                raise Invalid("malformed multipart boundary line")
            chunk = b"\r\n" + rest
        if chunk[2:4] == b"\r\n":  # no headers at all
            head, data = b"", chunk[4:]
        else:
            head, sep, data = chunk[2:].partition(b"\r\n\r\n")
            if not sep:
                raise Invalid("malformed multipart part (no header end)")
        hdrs = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            if line:
                k, _, v = line.partition(":")
                hdrs[k.strip().lower()] = v.strip()
        parts.append((hdrs, data))
    if not closed:
        raise Invalid("multipart body has no closing boundary")
    return parts


# ---- HTTP ----------------------------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeGraph/1.0"
    sys_version = ""
    timeout = 120  # idle keep-alive connections
    state = None  # set in main()
    verbose = False

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("graph-fake: %s %s\n" % (self.address_string(), fmt % args))

    # -- plumbing --
    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            out = bytearray()
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise ConnectionError("eof in chunked body")
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline(3)
        n = self.headers.get("Content-Length")
        if n is None:
            return b""
        n = int(n)
        data = self.rfile.read(n) if n > 0 else b""
        if len(data) != n:
            raise ConnectionError("short body")
        return data

    def send(self, status, body=None, content_type=None, extra_headers=None):
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode("utf-8")
            content_type = content_type or "application/json; charset=UTF-8"
        elif isinstance(body, str):
            data = body.encode("utf-8")
            content_type = content_type or "text/plain; charset=UTF-8"
        elif body is None:
            data = b""
        else:
            data = body
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if status >= 400 and isinstance(body, dict) and "error" in body:
            self.send_header("WWW-Authenticate", 'OAuth "Facebook Platform" "invalid_token"'
                             if status == 401 else 'OAuth "Facebook Platform" "invalid_request"')
        for k, v in (extra_headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def dispatch(self):
        try:
            body = self.read_body()
        except (ConnectionError, ValueError):
            self.close_connection = True
            return
        # The raw target: http.server folds a leading "//" into "/", and
        # urlsplit would take "//v21.0/..." for a netloc; a doubled slash
        # (base URL ending in "/") is a client bug that must show.
        words = self.requestline.split()
        target = words[1] if len(words) >= 2 else self.path
        path, _, query = target.partition("?")
        try:
            if path.startswith("/_control/") or path == "/_control":
                self.control(path, query, body)
            else:
                self.graph(path, query, body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # noqa: BLE001 - a bug in the fake must show, not hang
            traceback.print_exc(file=sys.stderr)
            try:
                self.send(500, graph_error(1, "fake graph internal error: %s"
                                           % sys.exc_info()[1]))
            except OSError:
                pass
            self.close_connection = True

    # -- control API --
    def control(self, path, query, body):
        st = self.state
        q = urllib.parse.parse_qs(query)
        m = self.command
        try:
            req = json.loads(body.decode("utf-8")) if body.strip() else {}
        except (ValueError, UnicodeDecodeError):
            return self.send(400, {"error": "body is not JSON"})
        if path == "/_control/health" and m == "GET":
            return self.send(200, {"ok": True, "port": st.port})
        if path == "/_control/requests" and m == "GET":
            try:
                since = int(q.get("since", ["0"])[0])
            except ValueError:
                return self.send(400, {"error": "since must be an integer"})
            return self.send(200, {"requests": st.requests_since(since)})
        if path == "/_control/reset" and m == "POST":
            with st.lock:
                st.clear()
            return self.send(200, {"ok": True})
        if path == "/_control/media" and m == "POST":
            if not isinstance(req, dict) or not isinstance(req.get("mime_type"), str) \
                    or not isinstance(req.get("data_b64"), str):
                return self.send(400, {"error": "need mime_type and data_b64"})
            try:
                data = base64.b64decode(req["data_b64"], validate=True)
            except ValueError:
                return self.send(400, {"error": "data_b64 is not base64"})
            mid = req.get("id")
            if mid is not None and (not isinstance(mid, str) or not re.match(r"^[A-Za-z0-9_.-]+$",
                                                                             mid)):
                return self.send(400, {"error": "id must be a string of [A-Za-z0-9_.-]"})
            mm = st.add_media(data, req["mime_type"], mid, req.get("filename"))
            return self.send(200, st.media_info(mm))
        if path == "/_control/media" and m == "GET":
            with st.lock:
                ms = list(st.media.values())
            return self.send(200, {"media": [st.media_info(x) for x in ms]})
        mm = re.match(r"^/_control/media/([^/]+)$", path)
        if mm and m == "GET":
            x = st.get_media(urllib.parse.unquote(mm.group(1)))
            if x is None:
                return self.send(404, {"error": "no such media"})
            return self.send(200, st.media_info(x, data=q.get("data", ["0"])[0] == "1"))
        if path == "/_control/fail" and m == "POST":
            try:
                spec = parse_rule(req)
            except ValueError as ex:
                return self.send(400, {"error": str(ex)})
            return self.send(200, {"id": st.add_rule(spec)})
        if path == "/_control/fail" and m == "GET":
            with st.lock:
                rules = json.loads(json.dumps(st.rules))
            return self.send(200, {"rules": rules})
        if path == "/_control/fail" and m == "DELETE":
            with st.lock:
                st.rules = []
            return self.send(200, {"ok": True})
        if path == "/_control/tiles" and m == "POST":
            if not isinstance(req, dict) or not isinstance(req.get("enabled"), bool):
                return self.send(400, {"error": "need enabled (true or false)"})
            st.tiles = req["enabled"]
            return self.send(200, {"ok": True})
        return self.send(404, {"error": "unknown control endpoint %s %s" % (m, path)})

    # -- Graph --
    def classify(self, path, parsed):
        mv = VERSION_RE.match(path)
        if mv:
            segs = mv.group(2).split("/")
            if len(segs) == 2 and segs[0] and segs[1] == "messages" and self.command == "POST":
                if isinstance(parsed, dict) and "status" in parsed and "to" not in parsed:
                    return "mark_read"
                return "messages"
            if len(segs) == 2 and segs[0] and segs[1] == "media" and self.command == "POST":
                return "media_upload"
            if len(segs) == 1 and segs[0] and self.command == "GET":
                return "media_get"
            if len(segs) == 1 and segs[0] and self.command == "DELETE":
                return "media_delete"
        elif MEDIA_PATH_RE.match(path) and self.command in ("GET", "HEAD"):
            return "media_download"
        elif TILE_PATH_RE.match(path) and self.command == "GET":
            return "tile"
        return "unknown"

    def graph(self, path, query, body):
        st = self.state
        ctype = self.headers.get("Content-Type") or ""
        parsed = None
        if body and not ctype.lower().startswith("multipart/"):
            try:
                parsed = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                parsed = None
        headers = {}
        for k, v in self.headers.items():
            k = k.lower()
            headers[k] = headers[k] + ", " + v if k in headers else v
        rec = st.record({
            "seq": None, "time": time.time(), "method": self.command, "path": path, "query": query,
            "kind": None, "headers": headers, "json": parsed, "raw_size": len(body),
            "multipart": None, "status": None, "response": None, "rule": None,
            "closed": False, "client_gone": False,
        })
        rec["kind"] = self.classify(path, parsed)

        if rec["kind"] == "tile" and st.tiles:
            m = TILE_PATH_RE.match(path)
            self.state.finish(rec, status=200)
            return self.send(200, tile_png((int(m.group(2)) + int(m.group(3))) % len(TILE_COLOURS)),
                             "image/png", {"Access-Control-Allow-Origin": "*",
                                           "Cache-Control": "max-age=604800"})

        rule = st.take_rule(rec)
        if rule is not None:
            st.finish(rec, rule=rule["id"])
            if rule.get("delay"):
                STOP.wait(rule["delay"])
            if rule.get("close") or rule.get("reset"):
                if rule.get("reset"):
                    try:
                        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                                   struct.pack("ii", 1, 0))
                    except OSError:
                        pass
                st.finish(rec, closed=True)
                self.close_connection = True
                return
            if rule.get("status") is not None:
                rbody = rule.get("body")
                if rbody is None:
                    rbody = graph_error(1, "An unknown error occurred") \
                        if rule["status"] >= 400 else {}
                if isinstance(rbody, dict) and isinstance(rbody.get("error"), dict):
                    rbody = json.loads(json.dumps(rbody))
                    rbody["error"].setdefault("fbtrace_id", fbtrace())
                return self.answer(rec, rule["status"], rbody, rule.get("content_type"))

        if st.token is not None:
            auth = self.headers.get("Authorization") or ""
            scheme, _, tok = auth.partition(" ")
            if scheme.lower() != "bearer" or tok.strip() != st.token:
                return self.answer(rec, *token_error())

        kind = rec["kind"]
        if kind in ("messages", "mark_read"):
            return self.answer(rec, *self.send_message(ctype, body, parsed))
        if kind == "media_upload":
            return self.answer(rec, *self.upload(rec, ctype, body))
        if kind == "media_get":
            mid = urllib.parse.unquote(VERSION_RE.match(path).group(2))
            m = st.get_media(mid)
            if m is None:
                return self.answer(rec, 400, graph_error(
                    100, "Unsupported get request. Object with ID '%s' does not exist, cannot be "
                    "loaded due to missing permissions, or does not support this operation."
                    % mid, type_="GraphMethodException", subcode=33))
            return self.answer(rec, 200, {
                "messaging_product": "whatsapp", "url": st.media_url(mid),
                "mime_type": m["mime_type"], "sha256": m["sha256"],
                "file_size": m["file_size"], "id": mid})
        if kind == "media_delete":
            mid = urllib.parse.unquote(VERSION_RE.match(path).group(2))
            with st.lock:
                gone = st.media.pop(mid, None)
            if gone is None:
                return self.answer(rec, 400, graph_error(
                    100, "Unsupported delete request. Object with ID '%s' does not exist."
                    % mid, type_="GraphMethodException", subcode=33))
            return self.answer(rec, 200, {"success": True})
        if kind == "media_download":
            mid = urllib.parse.unquote(MEDIA_PATH_RE.match(path).group(1))
            m = st.get_media(mid)
            sig = urllib.parse.parse_qs(query).get("sig", [""])[0]
            if m is None or not hmac.compare_digest(sig, st.sig(mid)):
                return self.answer(rec, 404, "Not Found", "text/plain")
            return self.answer(rec, 200, m["data"], m["mime_type"])
        return self.answer(rec, 400, graph_error(
            2500, "Unknown path components: %s %s" % (self.command, path)))

    def answer(self, rec, status, body, content_type=None):
        resp = body if isinstance(body, (dict, list)) else None
        self.state.finish(rec, status=status, response=resp)
        try:
            self.send(status, body, content_type)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.state.finish(rec, client_gone=True)
            self.close_connection = True

    def send_message(self, ctype, body, parsed):
        if ctype.split(";")[0].strip().lower() != "application/json":
            return invalid("Content-Type must be application/json (got %r)" % ctype)
        if parsed is None:
            return invalid("The request body is not valid JSON")
        try:
            what = validate_send(parsed)
        except Invalid as ex:
            return invalid(str(ex))
        if what == "read":
            return 200, {"success": True}
        to = parsed["to"]
        return 200, {"messaging_product": "whatsapp",
                     "contacts": [{"input": to, "wa_id": digits(to)}],
                     "messages": [{"id": new_wamid(to)}]}

    def upload(self, rec, ctype, body):
        try:
            parts = parse_multipart(ctype, body)
        except Invalid as ex:
            return invalid(str(ex))
        fields, file_part = {}, None
        for hdrs, data in parts:
            disp, params = header_params(hdrs.get("content-disposition", ""))
            name = params.get("name")
            if disp != "form-data" or name is None:
                return invalid("multipart part without Content-Disposition: form-data; name=...")
            if "filename" in params:
                if file_part is not None:
                    return invalid("more than one file part")
                file_part = {"field": name, "filename": params["filename"],
                             "content_type": hdrs.get("content-type"),
                             "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                             "data": data}
            else:
                fields[name] = data.decode("utf-8", "replace")
        info = {"fields": fields, "file": None}
        if file_part is not None:
            info["file"] = {k: v for k, v in file_part.items() if k != "data"}
        self.state.finish(rec, multipart=info)
        if fields.get("messaging_product") != "whatsapp":
            return invalid("The parameter messaging_product is required and must be 'whatsapp'.")
        if file_part is None or file_part["field"] != "file":
            return invalid("The parameter file is required.")
        mime = fields.get("type")
        if not mime:
            return invalid("The parameter type is required.")
        mime = mime.strip().lower()
        if mime not in UPLOAD_LIMITS:
            return invalid("Param file must be a file with one of the following types: %s. "
                           "Received file of type '%s'." % (", ".join(sorted(UPLOAD_LIMITS)),
                                                             mime))
        if file_part["size"] == 0:
            return invalid("Param file must not be empty")
        if file_part["size"] > UPLOAD_LIMITS[mime]:
            return invalid("Param file is too large for %s: %d > %d bytes"
                           % (mime, file_part["size"], UPLOAD_LIMITS[mime]))
        m = self.state.add_media(file_part["data"], mime, filename=file_part["filename"],
                                 origin="upload")
        return 200, {"id": m["id"]}


def parse_rule(req):
    if not isinstance(req, dict):
        raise ValueError("rule must be a JSON object")
    match = req.get("match") or {}
    if not isinstance(match, dict):
        raise ValueError("match must be an object")
    unknown = set(match) - {"method", "path_regex", "to", "kind", "msg_type"}
    if unknown:
        raise ValueError("unknown match keys: %s" % ", ".join(sorted(unknown)))
    if match.get("path_regex") is not None:
        try:
            re.compile(match["path_regex"])
        except re.error as ex:
            raise ValueError("bad path_regex: %s" % ex)
    unknown = set(req) - {"match", "times", "status", "body", "content_type", "delay", "close",
                          "reset"}
    if unknown:
        raise ValueError("unknown rule keys: %s" % ", ".join(sorted(unknown)))
    times = req.get("times", 1)
    if not isinstance(times, int) or isinstance(times, bool) or times < -1:
        raise ValueError("times must be an integer >= -1")
    status = req.get("status")
    if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
        raise ValueError("status must be an HTTP status")
    delay = req.get("delay") or 0
    if not isinstance(delay, (int, float)) or delay < 0:
        raise ValueError("delay must be a number >= 0")
    body = req.get("body")
    if body is not None and not isinstance(body, (dict, list, str)):
        raise ValueError("body must be an object, array or string")
    if status is None and body is not None:
        raise ValueError("body needs a status")
    return {"match": match, "times": times, "status": status, "body": body,
            "content_type": req.get("content_type"), "delay": delay,
            "close": bool(req.get("close")), "reset": bool(req.get("reset"))}


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout)):
            return
        super().handle_error(request, client_address)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Fake WhatsApp Cloud (Graph) API")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token", default=None)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)

    state = State(args.token)
    Handler.state = state
    Handler.verbose = args.verbose
    srv = Server((HOST, args.port), Handler)
    state.port = srv.server_address[1]

    def on_signal(signum, frame):
        STOP.set()  # wakes delayed answers
        # shutdown() waits for serve_forever() to end: not from this thread.
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    sys.stdout.write("PORT=%d\n" % state.port)
    sys.stdout.flush()
    srv.serve_forever(poll_interval=0.05)
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
