"""Issue 18: following a case from its public page, like FixMyStreet's
alerts. /t/{code} offers a WhatsApp click-to-chat link with "IKUTI <code>"
ready to send; a citizen who sends it from their own number (their opt-in)
gets the case's public updates, with the same texts as its reporter and
never the internal notes, until they send BERHENTI <code>. A rahasia case,
a civil-registry request, a code of another agency and a malformed code
all get the same refusal, and the page offers no link for them. Both
engines."""

import json
import time
import urllib.parse

from aduan_e2e import Client, http_request
from wa_helpers import desk, Citizen, text_of  # noqa: F401 (a fixture)

WATCHER = "6281355501234"


def login(srv, name):
    c = Client(srv.port)
    assert c.login(name).status == 200
    return c


def new_case(admin, rahasia=False):
    return admin.create_case(category_id=admin.category_id("trantibum"), channel="phone",
                             description="Sound system keras setiap malam di lapangan",
                             kecamatan_code="63.11.06", rahasia=rahasia,
                             reporter={"name": "Pak Anwar", "phone": "0812-1111-2222"})


def public(srv, code, lang=None):
    h = {"Accept-Language": lang} if lang else {}
    r = http_request(srv.port, "GET", "/api/v1/public/cases/" + code, headers=h)
    assert r.status == 200, r
    return r.json


def updates_to(graph, since, who):
    return [r["json"] for r in graph.requests(since=since)
            if r["kind"] == "messages" and r["json"].get("to") == who]


def test_follow_from_the_public_page_and_stop(desk):
    srv, graph = desk
    admin = login(srv, "admin.satpolpp")
    c = new_case(admin)
    code = c["tracking_code"]

    # The page's link: click-to-chat to the agency's number, text ready.
    follow = public(srv, code)["follow"]
    assert [f["channel"] for f in follow] == ["whatsapp"] and follow[0]["title"] == "WhatsApp"
    url = urllib.parse.urlparse(follow[0]["url"])
    assert url.scheme == "https" and url.netloc == "wa.me" and url.path.strip("/").isdigit()
    text = urllib.parse.parse_qs(url.query)["text"][0]
    assert text == "IKUTI " + code
    assert public(srv, code, "en")["follow"][0]["url"].endswith("FOLLOW%20" + code)
    page = http_request(srv.port, "GET", "/t/" + code).body.decode()
    assert 'class="follow"' in page and "Ikuti lewat WhatsApp" in page

    # Sending it: a confirmation with the public page's link.
    w = Citizen(srv, graph, WATCHER)
    got = w.text(text)
    said = text_of(got[-1])
    assert code in said and "BERHENTI" in said and "/t/" + code in said

    # A public step reaches the follower, with the message to the reporter
    # and never the internal note.
    since = graph.last_seq()
    admin.act(c["id"], "verify", note="catatan internal: pemilik kerabat pejabat",
              public_note="Petugas akan datang malam ini")
    msgs = graph.wait_for(lambda r: r["kind"] == "messages" and r["json"].get("to") == WATCHER,
                          since=since, timeout=15)
    body = json.dumps(msgs[0]["json"])
    assert code in body and "Petugas akan datang malam ini" in body
    assert "kerabat" not in body and "Anwar" not in body

    # Following twice changes nothing: one update per step.
    w.text("ikuti " + code.lower())
    since = graph.last_seq()
    kabid = login(srv, "kabid.satpolpp")
    kabid.act(c["id"], "dispatch", team_id=admin.team_id("TRC Pos Paringin"),
              public_note="Tim TRC berangkat")
    graph.wait_for(lambda r: r["kind"] == "messages" and r["json"].get("to") == WATCHER,
                   since=since, timeout=15)
    assert len(updates_to(graph, since, WATCHER)) == 1

    # BERHENTI: no more updates.
    said = text_of(w.text("BERHENTI " + code)[-1])
    assert code in said
    since = graph.last_seq()
    login(srv, "trc.satpolpp").act(c["id"], "start", public_note="Petugas di lokasi")
    time.sleep(2)
    assert updates_to(graph, since, WATCHER) == []


def test_what_cannot_be_followed_is_refused_alike(desk):
    srv, graph = desk
    admin = login(srv, "admin.satpolpp")
    secret = new_case(admin, rahasia=True)["tracking_code"]
    assert public(srv, secret)["follow"] == []
    assert 'class="follow"' not in http_request(srv.port, "GET", "/t/" + secret).body.decode()
    damkar = login(srv, "admin.damkar")
    other = damkar.create_case(category_id=damkar.category_id("penyelamatan"), channel="phone",
                               description="Kucing terjebak di atas pohon kelapa tinggi",
                               kecamatan_code="63.11.06")["tracking_code"]
    w = Citizen(srv, graph, "6281355509999")
    answers = []
    for code in (secret, other, "ZZZZ-ZZZZ", "bukan-kode"):
        answers.append(text_of(w.text("IKUTI " + code)[-1]).replace(code, "<code>"))
    assert len(set(answers)) == 1 and "tidak ditemukan" in answers[0], answers
    # Nothing was recorded: a public step of the rahasia case sends nothing.
    since = graph.last_seq()
    sid = next(x["id"] for x in admin.get("/api/v1/cases").json["items"]
               if x["tracking_code"] == secret)
    admin.act(sid, "verify", public_note="Diperiksa")
    time.sleep(2)
    assert updates_to(graph, since, "6281355509999") == []


def test_a_follower_who_wrote_follow_gets_the_updates_in_english(desk):
    """The English page prepares "FOLLOW <code>": the answer and the case's
    updates to that follower come in English (the conversation keeps it),
    while the reporter of the case still gets Indonesian."""
    srv, graph = desk
    admin = login(srv, "admin.satpolpp")
    c = new_case(admin)
    code = c["tracking_code"]
    who = "6281355507777"
    w = Citizen(srv, graph, who)
    said = text_of(w.text("FOLLOW " + code)[-1])
    assert code in said and "UNFOLLOW" in said and "BERHENTI" not in said, said
    since = graph.last_seq()
    admin.act(c["id"], "verify", public_note="Petugas akan datang malam ini")
    msgs = graph.wait_for(lambda r: r["kind"] == "messages" and r["json"].get("to") == who,
                          since=since, timeout=15)
    body = text_of(msgs[0]["json"])
    assert body.startswith("Report *%s*" % code) and "Laporan" not in body, body
    # An Indonesian follower of the same case: Indonesian.
    v = Citizen(srv, graph, "6281355508888")
    assert "BERHENTI" in text_of(v.text("IKUTI " + code)[-1])
    since = graph.last_seq()
    login(srv, "kabid.satpolpp").act(c["id"], "dispatch", team_id=admin.team_id("TRC Pos Paringin"),
                                     public_note="Tim TRC berangkat")
    graph.wait_for(lambda r: r["kind"] == "messages" and r["json"].get("to") == "6281355508888",
                   since=since, timeout=15)
    got = {m["to"]: text_of(m) for m in updates_to(graph, since, who)
           + updates_to(graph, since, "6281355508888")}
    assert got[who].startswith("Report *%s*" % code), got
    assert got["6281355508888"].startswith("Laporan *%s*" % code), got
