"""Building and posting WhatsApp webhook payloads like Meta's, for the
end-to-end conversation tests."""

import hashlib
import hmac
import itertools
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fakes"))

import pytest  # noqa: E402

from aduan_e2e import Client, Server, engine_env, http_request, pg_available  # noqa: E402
from graph_client import FakeGraph  # noqa: E402

SECRET = "e2e-app-secret"
SATPOLPP = "100000000000001"
DAMKAR = "100000000000002"
_ids = itertools.count(1)


def sign(body, secret=SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def envelope(pnid, messages=None, statuses=None, name="Warga", wa_id=None):
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": "6281150000001", "phone_number_id": pnid}}
    if messages:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": wa_id or messages[0]["from"]}]
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "WABA1", "changes": [{"value": value, "field": "messages"}]}]}


def message(frm, kind, **fields):
    m = {"from": frm, "id": "wamid.E2E%06d.%s" % (next(_ids), os.urandom(4).hex()),
         "timestamp": str(int(time.time())), "type": kind}
    if kind == "text":
        m["text"] = {"body": fields["body"]}
    elif kind == "interactive":
        key = "button_reply" if fields.get("button") else "list_reply"
        m["interactive"] = {"type": key, key: {"id": fields["id"], "title": fields.get("title", "x")}}
    elif kind == "location":
        m["location"] = {"latitude": fields["lat"], "longitude": fields["lon"]}
        if fields.get("address"):
            m["location"]["address"] = fields["address"]
    elif kind in ("image", "video", "document"):
        m[kind] = {"id": fields["media_id"], "mime_type": fields.get("mime", "image/jpeg"),
                   "sha256": fields.get("sha256", "")}
    else:
        m[kind] = fields.get("payload", {})
    return m


class Citizen:
    """One WhatsApp user talking to one agency number through the webhook."""

    def __init__(self, srv, graph, wa_id, pnid=SATPOLPP, name="Warga"):
        self.srv, self.graph, self.wa_id, self.pnid, self.name = srv, graph, wa_id, pnid, name
        self.last_body = None

    def post(self, msg):
        body = json.dumps(envelope(self.pnid, [msg], name=self.name)).encode()
        self.last_body = body
        r = http_request(self.srv.port, "POST", "/webhooks/whatsapp", body=body,
                         headers={"Content-Type": "application/json",
                                  "X-Hub-Signature-256": sign(body)})
        assert r.status == 200, r
        return msg

    def say(self, kind="text", **fields):
        """Sends one message and waits for aduan's answer(s); returns them."""
        since = self.graph.last_seq()
        self.post(message(self.wa_id, kind, **fields))
        return self.graph.wait_messages(to=self.wa_id, since=since, timeout=10)

    def text(self, body):
        return self.say("text", body=body)

    def tap(self, reply_id, button=False):
        return self.say("interactive", id=reply_id, button=button)


def text_of(msg):
    if msg.get("type") == "text":
        return msg["text"]["body"]
    if msg.get("type") == "interactive":
        return msg["interactive"]["body"]["text"]
    return json.dumps(msg)


def alert_parts(msg):
    """(template name, body texts, button payloads) of a staff template."""
    assert msg["type"] == "template", msg
    t = msg["template"]
    body = [p["text"] for c in t["components"] if c["type"] == "body" for p in c["parameters"]]
    payloads = [p["payload"] for c in t["components"] if c["type"] == "button"
                for p in c["parameters"]]
    return t["name"], body, payloads


def choices(msg):
    """The ids offered by an interactive message: buttons or list rows."""
    i = msg.get("interactive") or {}
    if i.get("type") == "button":
        return [b["reply"]["id"] for b in i["action"]["buttons"]]
    if i.get("type") == "list":
        return [r["id"] for s in i["action"]["sections"] for r in s["rows"]]
    return []


def start(tmp, engine="sqlite", token="graph-token", with_graph=True, extra_env=None):
    graph = FakeGraph(token=token) if with_graph else None
    env = engine_env(engine) or {}
    env.update({"ADUAN_WA_APP_SECRET": SECRET, "ADUAN_WA_VERIFY_TOKEN": "v"})
    if graph:
        env.update({"ADUAN_WA_GRAPH_URL": graph.base_url, "ADUAN_WA_ACCESS_TOKEN": token})
    env.update(extra_env or {})
    srv = Server(tmp, env)
    srv.init(demo=True)
    srv.start()
    return srv, graph


def superadmin(srv):
    c = Client(srv.port)
    assert c.login("superadmin").status == 200
    return c


@pytest.fixture(params=["sqlite", "postgres"])
def desk(request, tmp_path):
    """A demo server in front of a fake Graph API, once per engine."""
    if request.param == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    srv, graph = start(tmp_path, request.param)
    yield srv, graph
    try:
        assert not srv.stop()
    finally:
        graph.stop()
