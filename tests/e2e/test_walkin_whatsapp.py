"""Issue #13, item 3: walk-in and phone reports reach the reporter. An
operator records the reporter's mobile number and that they agreed; the
case's updates then go to that number on WhatsApp through the agency's
approved template (they never wrote: no 24-hour window is open), and the
reply box works the same way. Without the consent nothing is sent. Both
engines."""

import time

from aduan_e2e import Client
from wa_helpers import desk, Citizen, superadmin, text_of  # noqa: F401 (a fixture)

PHONE = "0812-4455-6601"
WA_ID = "6281244556601"


def login(srv, name):
    c = Client(srv.port)
    assert c.login(name).status == 200
    return c


def template_values(m):
    assert m["type"] == "template", m
    t = m["template"]
    return t["name"], [p["text"] for c in t["components"] if c["type"] == "body"
                       for p in c["parameters"]]


def next_template(graph, since, name=None):
    got = graph.wait_for(lambda r: r["kind"] == "messages" and r["json"].get("to") == WA_ID
                         and (name is None or r["json"].get("template", {}).get("name") == name),
                         since=since, timeout=15)
    return got[0]["json"]


def test_a_walk_in_reporter_who_agreed_hears_by_template(desk):
    srv, graph = desk
    admin, kabid, trc = (login(srv, n) for n in ("admin.satpolpp", "kabid.satpolpp",
                                                 "trc.satpolpp"))
    since = graph.last_seq()
    c = admin.create_case(category_id=admin.category_id("pkl"), channel="walk_in",
                          description="PKL menutup trotoar di depan kantor pos",
                          reporter={"name": "Bu Rina", "phone": PHONE, "notify_consent": True})
    cid, code = c["id"], c["tracking_code"]
    assert c["chat_updates"] is True and c["notify_consent_at"] is not None
    assert c["reporter"]["mobile"] == WA_ID

    # The tracking code at once, as the approved status template.
    name, values = template_values(next_template(graph, since))
    assert name == "aduan_status_update" and values == [code, "Diterima", "-"]

    # Each public step: the template with the message to the reporter.
    since = graph.last_seq()
    admin.act(cid, "verify", note="internal: sudah dicek di lokasi",
              public_note="Laporan Anda sudah kami periksa")
    name, values = template_values(next_template(graph, since))
    assert (name, values) == ("aduan_status_update",
                              [code, "Diverifikasi", "Laporan Anda sudah kami periksa"])

    # The desk replies through the agency's reply template.
    since = graph.last_seq()
    r = admin.post("/api/v1/cases/%d/messages" % cid, json={"text": "Besok pagi tim datang"})
    assert r.status == 202, r
    assert r.json["sent_as"] == "template" and r.json["window_open"] is False
    name, values = template_values(next_template(graph, since, "aduan_reply"))
    assert values == [code, "Besok pagi tim datang"]

    # The case page: the reply box, with the template rule; the thread shows
    # what was sent, status updates with their text.
    conv = admin.get("/api/v1/cases/%d/conversation" % cid).json
    assert conv["chat"] is True and conv["channel"] == "whatsapp" and conv["via_consent"] is True
    assert conv["window_open"] is False and conv["can_reply"] is True
    outs = [i for i in conv["items"] if i["dir"] == "out"]
    kinds = [i["type"] for i in outs]
    assert kinds == ["status_update", "status_update", "operator"], kinds
    assert outs[0]["text"] == "Laporan *%s*: Diterima." % code
    assert outs[1]["text"] == "Laporan *%s*: Diverifikasi.\nLaporan Anda sudah kami periksa" % code
    assert outs[2]["text"] == "Besok pagi tim datang"
    for o in outs:
        for _ in range(100):
            if o["state"] == "sent":
                break
            time.sleep(0.1)
            o = next(i for i in admin.get("/api/v1/cases/%d/conversation" % cid).json["items"]
                     if i["id"] == o["id"] and i["dir"] == "out")
        assert o["state"] == "sent" and o["as_template"] is True, o

    # Resolved: the reporter is asked to confirm, by the confirmation template.
    kabid.act(cid, "dispatch", team_id=kabid.team_id("TRC Pos Paringin"))
    trc.act(cid, "start")
    since = graph.last_seq()
    trc.act(cid, "resolve", public_note="Lapak sudah dipindahkan")
    name, values = template_values(next_template(graph, since, "aduan_konfirmasi_selesai"))
    assert values == [code, "Lapak sudah dipindahkan"]

    # When the reporter answers on WhatsApp ("Sudah"), the case closes as for
    # any WhatsApp reporter.
    w = Citizen(srv, graph, WA_ID)
    w.tap("res:yes:%d" % cid, button=True)
    for _ in range(100):
        if admin.case(cid)["status"] == "closed":
            break
        time.sleep(0.1)
    assert admin.case(cid)["status"] == "closed"


def test_without_consent_nothing_is_sent(desk):
    srv, graph = desk
    admin = login(srv, "admin.satpolpp")
    since = graph.last_seq()
    c = admin.create_case(category_id=admin.category_id("pkl"), channel="phone",
                          description="Parkir liar di depan pasar",
                          reporter={"name": "Pak Dodi", "phone": "0812-4455-6602"})
    assert c["chat_updates"] is False and c["notify_consent_at"] is None
    admin.act(c["id"], "verify", public_note="Sudah kami periksa")
    r = admin.post("/api/v1/cases/%d/messages" % c["id"], json={"text": "Halo"})
    assert r.status == 409 and r.code == "conflict", r
    conv = admin.get("/api/v1/cases/%d/conversation" % c["id"]).json
    assert conv["chat"] is False and conv["can_reply"] is False and conv["items"] == []
    time.sleep(1.5)
    assert not graph.messages(to="6281244556602", since=since)


def test_consent_needs_a_mobile_number(desk):
    srv, graph = desk
    admin = login(srv, "admin.satpolpp")
    sa = superadmin(srv)
    count = len(sa.all_cases())
    cat = admin.category_id("pkl")
    for reporter, field in (
            ({"name": "Tanpa nomor", "notify_consent": True}, "notify_consent"),
            ({"phone": "0526-2021-234", "notify_consent": True}, "nomor HP"),  # a landline
            ({"phone": PHONE, "notify_consent": "ya"}, "notify_consent"),
            ({"phone": PHONE, "notify_consent": 1}, "notify_consent")):
        r = admin.post("/api/v1/cases", json={"category_id": cat, "description": "Uji izin",
                                              "reporter": reporter})
        assert r.status == 400 and r.code == "invalid", (reporter, r)
        assert field in r.json["error"]["detail"], r
    assert len(sa.all_cases()) == count


def test_the_old_consent_field_is_refused_not_dropped(desk):
    """A client of before migration 0024 still sends whatsapp_consent: the
    consent must not vanish silently, so the request is refused and
    nothing is recorded."""
    srv, graph = desk
    admin = login(srv, "admin.satpolpp")
    before = len(admin.all_cases())
    r = admin.post("/api/v1/cases", json={
        "category_id": admin.category_id("pkl"), "channel": "walk_in",
        "description": "Pedagang di trotoar depan pasar",
        "reporter": {"name": "Bu Rina", "phone": "0812-4455-6603", "whatsapp_consent": True}})
    assert r.status == 400 and r.code == "invalid", r
    assert "notify_consent" in r.json["error"]["detail"], r.json
    assert len(admin.all_cases()) == before
