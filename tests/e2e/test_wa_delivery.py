"""Outbound WhatsApp: status updates, retries, template fallback, delivery
statuses, permanent failures, operator replies, and crashes."""

import hashlib
import json
import os
import re
import signal
import time

import pytest

from aduan_e2e import Client, fixture_image, http_request, pg_available, png_image, wait_until
from wa_helpers import (desk,  # noqa: F401 (a fixture)
                        Citizen, choices, envelope, message, sign, start, superadmin, text_of)


def report(w):
    """A complete complaint over WhatsApp; returns (case id, tracking code)."""
    w.text("halo")
    w.tap("menu:report")
    w.tap("consent:yes", button=True)
    w.tap("cat:1")
    w.text("Keributan dan balap liar setiap malam di depan pasar")
    w.text("Jl. A. Yani dekat pasar Paringin")
    w.tap("kec:63.11.06")
    w.tap("photos:skip", button=True)
    done = text_of(w.tap("confirm:send", button=True)[0])
    code = re.search(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*", done).group(1)
    sa = superadmin(w.srv)
    cid = [c["id"] for c in sa.all_cases() if c["tracking_code"] == code][0]
    return cid, code


def outbox(srv, cid):
    sa = superadmin(srv)
    r = sa.get("/api/v1/cases/%d/messages" % cid)
    assert r.status == 200, r
    return r.json["items"]


def test_status_changes_reach_the_reporter(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281300000001")
    cid, code = report(w)
    admin, boss = Client(srv.port), Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200 and boss.login("kabid.satpolpp").status == 200
    since = graph.last_seq()
    admin.act(cid, "verify")
    got = graph.wait_messages(to=w.wa_id, since=since, timeout=10)
    assert code in text_of(got[0]) and "Diverifikasi" in text_of(got[0])
    since = graph.last_seq()
    boss.act(cid, "dispatch", team_id=admin.team_id("TRC Pos Paringin"))
    got = graph.wait_messages(to=w.wa_id, since=since, timeout=10)
    assert "Didisposisikan" in text_of(got[0])
    items = wait_until(lambda: [i for i in outbox(srv, cid) if i["kind"] == "status_update"
                                and i["state"] == "sent"][1:] and outbox(srv, cid))
    assert len([i for i in items if i["kind"] == "status_update"]) == 2


def test_retry_after_500_and_429_until_delivered(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281300000002")
    cid, code = report(w)
    graph.fail_500(to=w.wa_id)
    graph.fail_429(to=w.wa_id)
    since = graph.last_seq()
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    admin.act(cid, "verify")
    recs = graph.wait_for(lambda r: r["kind"] == "messages" and r["status"] == 200, since=since,
                          timeout=30)
    assert "Diverifikasi" in text_of(recs[0]["json"])
    tries = graph.message_requests(to=w.wa_id, since=since)
    assert [t["status"] for t in tries] == [500, 429, 200]
    item = wait_until(lambda: [i for i in outbox(srv, cid) if i["kind"] == "status_update"
                               and i["state"] == "sent"])[0]
    assert item["attempts"] == 3 and item["template"] is False


def test_template_after_131047(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281300000003")
    cid, code = report(w)
    graph.fail_131047(to=w.wa_id)
    since = graph.last_seq()
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    admin.act(cid, "verify")
    sent = graph.wait_messages(to=w.wa_id, since=since, type="template", timeout=15)
    t = sent[0]["template"]
    assert t["name"] == "aduan_status_update" and t["language"]["code"] == "id"
    params = [p["text"] for p in t["components"][0]["parameters"]]
    assert params[0] == code and params[1] == "Diverifikasi"
    item = wait_until(lambda: [i for i in outbox(srv, cid) if i["kind"] == "status_update"
                               and i["state"] == "sent"])[0]
    assert item["template"] is True


def test_delivery_statuses_never_go_backwards(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281300000004")
    cid, _ = report(w)
    reply = graph.message_requests(to=w.wa_id)[-1]
    wamid = reply["response"]["messages"][0]["id"]

    def status(st):
        body = json.dumps(envelope(w.pnid, statuses=[{
            "id": wamid, "status": st, "timestamp": str(int(time.time())),
            "recipient_id": w.wa_id}])).encode()
        r = http_request(srv.port, "POST", "/webhooks/whatsapp", body=body,
                         headers={"Content-Type": "application/json",
                                  "X-Hub-Signature-256": sign(body)})
        assert r.status == 200

    for st in ("sent", "delivered", "read", "delivered", "sent"):
        status(st)
    item = wait_until(lambda: [i for i in outbox(srv, cid) if i["delivery"] == "read"])
    time.sleep(1)
    assert [i for i in outbox(srv, cid) if i["delivery"] == "read"]


def test_permanent_failure_is_visible_on_the_case(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281300000005")
    cid, _ = report(w)
    graph.fail(path_regex="/messages$", to=w.wa_id, status=400, times=1,
               body={"error": {"message": "(#131026) Message undeliverable", "code": 131026,
                               "type": "OAuthException"}})
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    admin.act(cid, "verify")
    failed = wait_until(lambda: [i for i in outbox(srv, cid) if i["state"] == "failed"])
    assert "131026" in failed[0]["last_error"]
    ev = wait_until(lambda: [e for e in admin.case(cid)["events"] if e["action"] == "notify_failed"])
    assert "131026" in ev[0]["note"] and ev[0]["public"] is False


def test_operator_reply(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281300000006")
    cid, code = report(w)
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    since = graph.last_seq()
    r = admin.post("/api/v1/cases/%d/messages" % cid, json={"text": "Mohon kirim foto lokasi."})
    assert r.status == 202, r
    assert r.json["sent_as"] == "text" and r.json["window_open"] is True
    got = graph.wait_messages(to=w.wa_id, since=since, timeout=10)
    assert text_of(got[0]) == "Mohon kirim foto lokasi."
    assert [e for e in admin.case(cid)["events"] if e["action"] == "message"]
    # Bad input changes nothing.
    assert admin.post("/api/v1/cases/%d/messages" % cid, json={"text": "  "}).status == 400
    assert admin.post("/api/v1/cases/%d/messages" % cid, json={"text": 5}).status == 400
    assert admin.post("/api/v1/cases/%d/messages" % cid, json={}).status == 400
    assert admin.post("/api/v1/cases/999999/messages", json={"text": "x"}).status == 404
    walk_in = admin.create_case(category_id=1, description="Laporan di loket")["id"]
    assert admin.post("/api/v1/cases/%d/messages" % walk_in, json={"text": "x"}).status == 409
    viewer, damkar = Client(srv.port), Client(srv.port)
    assert viewer.login("pimpinan.satpolpp").status == 200
    assert damkar.login("admin.damkar").status == 200
    assert viewer.post("/api/v1/cases/%d/messages" % cid, json={"text": "x"}).status == 403
    assert damkar.post("/api/v1/cases/%d/messages" % cid, json={"text": "x"}).status == 403
    time.sleep(1)
    assert len([m for m in graph.messages(to=w.wa_id, since=since)]) == 1


def test_token_rejected_pauses_sending(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281300000007")
    cid, _ = report(w)
    graph.fail_token(times=-1)
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    admin.act(cid, "verify")
    item = wait_until(lambda: [i for i in outbox(srv, cid) if i["last_error"]
                               and "190" in i["last_error"]])
    assert item[0]["state"] == "pending"
    assert "event=token_rejected" in srv.read_stderr()
    assert "graph-token" not in srv.read_stderr()
    graph.clear_rules()


def test_kill_9_loses_nothing_and_processes_once(tmp_path):
    srv, graph = start(tmp_path)
    try:
        people = ["62813100%05d" % i for i in range(30)]
        bodies = []
        for p in people:
            body = json.dumps(envelope("100000000000001", [message(p, "text", body="halo")],
                                       wa_id=p)).encode()
            bodies.append(body)
        for body in bodies:
            r = http_request(srv.port, "POST", "/webhooks/whatsapp", body=body,
                             headers={"Content-Type": "application/json",
                                      "X-Hub-Signature-256": sign(body)})
            assert r.status == 200
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
        srv.proc = None
        srv.start()
        # Meta retries what it is not sure about: send them all again too.
        for body in bodies:
            r = http_request(srv.port, "POST", "/webhooks/whatsapp", body=body,
                             headers={"Content-Type": "application/json",
                                      "X-Hub-Signature-256": sign(body)})
            assert r.status == 200
        sa = superadmin(srv)

        def settled():
            rows = sa.get("/api/v1/inbound", params={"state": "new"}).json["items"]
            return not rows
        wait_until(settled, timeout=30)
        for p in people:
            wait_until(lambda: graph.messages(to=p), timeout=30)
        time.sleep(1.5)
        for p in people:
            menus = [m for m in graph.messages(to=p) if "menu:report" in choices(m)]
            # Processed once: one menu queued per person (a send cut by the
            # kill may be repeated, but never a second processing).
            assert 1 <= len(menus) <= 2, (p, len(menus))
        assert len(sa.get("/api/v1/inbound", params={"state": "done"}).json["items"]) == 60
    finally:
        try:
            assert not srv.stop()
        finally:
            graph.stop()


def test_photos_are_downloaded_and_checked(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281300000008")
    w.text("halo")
    w.tap("menu:report")
    w.tap("consent:yes", button=True)
    w.tap("cat:1")
    w.text("Balap liar setiap malam minggu di jalan utama")
    w.say("location", lat=-2.33, lon=115.46)
    data1, data2 = fixture_image("exif-gps.jpg"), png_image("photo two")
    fake = b"\xff\xd8\xff photo three" * 100     # a JPEG's first bytes, then nothing
    m1, sha1 = graph.add_media(data1, "image/jpeg")
    m2, _ = graph.add_media(data2, "image/jpeg")
    m3, sha3 = graph.add_media(fake, "image/jpeg")
    w.say("image", media_id=m1, sha256=sha1)
    w.say("image", media_id=m2, sha256="0" * 64)   # a digest that does not match
    w.say("image", media_id=m3, sha256=sha3)
    w.tap("photos:next", button=True)
    done = text_of(w.tap("confirm:send", button=True)[0])
    code = re.search(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*", done).group(1)
    sa = superadmin(srv)
    cid = [c["id"] for c in sa.all_cases() if c["tracking_code"] == code][0]
    atts = wait_until(lambda: [a for a in sa.case(cid)["attachments"] if a["state"] == "stored"])
    # Kept decoded and encoded again, named by the new bytes: the phone's
    # EXIF (GPS position, camera) and the comment did not travel on.
    path = os.path.join(srv.workdir, "media", atts[0]["sha256"])
    stored = open(path, "rb").read()
    assert atts[0]["sha256"] == hashlib.sha256(stored).hexdigest()
    assert atts[0]["size"] == len(stored) and atts[0]["state_label"] == "tersimpan"
    assert stored[:3] == b"\xff\xd8\xff" and stored != data1
    assert b"PhoneCam" not in stored and b"0812" not in stored and b"\x88\x25" not in stored
    assert not os.path.exists(os.path.join(srv.workdir, "media", sha1))
    # The second keeps being refused (checksum), and is retried, not stored.
    others = {a["id"]: a for a in sa.case(cid)["attachments"] if a["id"] != atts[0]["id"]}
    second, third = sorted(others)
    assert others[second]["state"] == "pending"
    assert others[second]["state_label"] == "bukti sedang diunduh"
    # The third is no picture: given up at once, nothing kept.
    third = wait_until(lambda: [a for a in sa.case(cid)["attachments"]
                                if a["id"] == third and a["state"] == "failed"])[0]
    assert "event=media_failed" in srv.read_stderr()
    assert "not a usable image (corrupt)" in srv.read_stderr()
    assert not os.path.exists(os.path.join(srv.workdir, "media", sha3))
    downloads = graph.requests(kind="media_download")
    assert all(r["headers"].get("authorization") == "Bearer graph-token" for r in downloads)


def test_the_agency_templates_are_used(desk):
    srv, graph = desk
    r = srv.cli("agency", "templates", "satpolpp", "--status", "satpol_update",
                "--reply", "satpol_reply", "--lang", "id")
    assert r.returncode == 0, r.stderr
    assert srv.cli("agency", "templates", "satpolpp", "--status", "Bad Name").returncode == 2
    assert srv.cli("agency", "templates", "nope", "--status", "x").returncode == 1
    w = Citizen(srv, graph, "6281300000009")
    cid, code = report(w)
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    agencies = admin.get("/api/v1/agencies").json["items"]
    assert agencies[0]["templates"] == {"status": "satpol_update", "reply": "satpol_reply",
                                           "language": "id"}
    assert "templates" not in agencies[1]
    graph.fail_131047(to=w.wa_id)
    since = graph.last_seq()
    admin.act(cid, "verify")
    sent = graph.wait_messages(to=w.wa_id, since=since, type="template", timeout=15)
    assert sent[0]["template"]["name"] == "satpol_update"
    graph.fail_131047(to=w.wa_id)
    since = graph.last_seq()
    assert admin.post("/api/v1/cases/%d/messages" % cid, json={"text": "Baris satu\nbaris dua"}).status == 202
    sent = graph.wait_messages(to=w.wa_id, since=since, type="template", timeout=15)
    t = sent[0]["template"]
    assert t["name"] == "satpol_reply"
    assert t["components"][0]["parameters"][1]["text"] == "Baris satu baris dua"
