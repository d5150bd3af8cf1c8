"""Civil-registry service requests over WhatsApp (issue #7), on both engines
against the fake Graph API: a resident asks for an akta kelahiran, sends
the documents, one is rejected and sent again, the operator issues the PDF,
which reaches the resident as an uploaded WhatsApp document whose delivery
shows on the request. And the bad input: refused, nothing changed."""

import datetime
import hashlib
import json
import re
import time
import uuid
import zoneinfo

import sqlite3

import pytest

from aduan_e2e import Client, http_request, pg_available, png_image, wait_until
from wa_helpers import (desk,  # noqa: F401 (a fixture)
                        Citizen, choices, envelope, sign, start, text_of)

DATA_KEY = "5c" * 32

DUKCAPIL = "100000000000003"
GOOD_NIK = "6311064506210001"  # Balangan, Paringin; a girl born 05-06-2021


def login(srv, who):
    c = Client(srv.port)
    assert c.login(who).status == 200
    return c


def pdf_bytes(text="Kutipan Akta Kelahiran", pad=0):
    body = ("%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%% %s\n" % text).encode()
    return body + b"0" * pad + b"\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def multipart(fields, filename, data, ctype="application/pdf"):
    boundary = "aduan" + uuid.uuid4().hex
    out = b""
    for k, v in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                % (boundary, k, v)).encode()
    out += ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
            "Content-Type: %s\r\n\r\n" % (boundary, filename, ctype)).encode()
    out += data + ("\r\n--%s--\r\n" % boundary).encode()
    return out, "multipart/form-data; boundary=%s" % boundary


def upload(client, cid, filename, data, ctype="application/pdf"):
    body, ct = multipart({"note": "terbit"}, filename, data, ctype)
    return client.request("POST", "/api/v1/cases/%d/service/issue" % cid, body=body,
                          content_type=ct)


def send_file(w, graph, data, mime, kind):
    mid, sha = graph.add_media(data, mime)
    return w.say(kind, media_id=mid, mime=mime, sha256=sha)


def service_id(client, code):
    r = client.get("/api/v1/services")
    assert r.status == 200, r
    return [s for s in r.json["items"] if s["code"] == code][0]


def request_birth_certificate(srv, graph, wa_id):
    """The resident's side up to the tracking code; returns (citizen, code, files)."""
    w = Citizen(srv, graph, wa_id, pnid=DUKCAPIL, name="Siti")
    admin = login(srv, "admin.dukcapil")
    svc = service_id(admin, "akta_kelahiran")
    assert [d["mandatory"] for d in svc["documents"]] == [True, True, True, False]
    menu = w.text("halo")[0]
    assert "menu:service" in choices(menu)
    listed = w.tap("menu:service")[0]
    assert "svc:%d" % svc["id"] in choices(listed)
    consent = w.tap("svc:%d" % svc["id"])[0]
    assert "UU 27/2022" in text_of(consent) and "30 hari" in text_of(consent)
    assert "16 angka" in text_of(w.tap("svc_consent:yes", button=True)[0])
    # A wrong NIK is asked again with the reason.
    assert "16 angka" in text_of(w.text("6311 0645")[0])
    assert "kalender" in text_of(w.text("6311063104900001")[0])
    assert "0000" in text_of(w.text("6311064506210000")[0])
    assert "nama lengkap" in text_of(w.text(GOOD_NIK)[0]).lower()
    first = text_of(w.text("Siti Aminah")[0])
    assert "Surat keterangan kelahiran" in first and "1 dari 4" in first
    # A mandatory document cannot be skipped; an audio note is not a document.
    assert "wajib" in text_of(w.text("lewati")[0])
    files = {"skl": pdf_bytes("surat keterangan lahir"), "nikah": png_image("buku nikah", 20, 14),
             "kk": png_image("kartu keluarga", 24, 16)}
    assert "Buku nikah" in text_of(send_file(w, graph, files["skl"], "application/pdf",
                                             "document")[0])
    assert "Kartu Keluarga" in text_of(send_file(w, graph, files["nikah"], "image/jpeg",
                                                 "image")[0])
    last = send_file(w, graph, files["kk"], "image/jpeg", "image")[0]
    assert "SPTJM" in text_of(last) and "svc_skip" in choices(last)
    summary = w.tap("svc_skip", button=True)[0]
    assert "6311********0001" in text_of(summary) and GOOD_NIK not in text_of(summary)
    done = text_of(w.tap("svc_confirm:send", button=True)[0])
    code = re.search(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*", done).group(1)
    return w, code, files


def find_case(client, code):
    return [c for c in client.all_cases() if c["tracking_code"] == code][0]["id"]


def checklist(client, cid):
    r = client.get("/api/v1/cases/%d/service" % cid)
    assert r.status == 200, r
    return r.json


def stored(client, cid, count):
    cl = checklist(client, cid)
    files = [f for d in cl["documents"] for f in d["files"] if f["state"] == "stored"]
    return cl if len(files) >= count else None


def test_birth_certificate_end_to_end(desk):
    srv, graph = desk
    started = time.time()
    w, code, files = request_birth_certificate(srv, graph, "6281377000001")
    admin = login(srv, "admin.dukcapil")
    cid = find_case(admin, code)
    cl = wait_until(lambda: stored(admin, cid, 3))
    assert cl["status"] == "submitted"
    assert cl["applicant"] == {"nik": GOOD_NIK, "nik_masked": "6311********0001",
                               "name": "Siti Aminah"}
    docs = {d["name_id"]: d for d in cl["documents"]}
    assert docs["SPTJM"]["verdict"] == "skipped" and docs["SPTJM"]["files"] == []
    skl, nikah, kk = (docs["Surat keterangan kelahiran"], docs[
        "Buku nikah / akta perkawinan orang tua"], docs["Kartu Keluarga (KK)"])
    # The NIK is in no message log or public page.
    assert GOOD_NIK not in srv.read_stderr()
    assert GOOD_NIK not in http_request(srv.port, "GET", "/t/" + code).body.decode("utf-8",
                                                                                   "replace")

    # Viewing a file gives its bytes as a download, and is recorded.
    r = admin.get("/api/v1/cases/%d/service/file?attachment=%d" % (cid, skl["files"][0]["id"]))
    assert r.status == 200 and r.body == files["skl"], r
    assert r.header("Content-Type") == "application/pdf"
    assert r.header("Content-Disposition").startswith("attachment;")
    assert "document_view" in [e["action"] for e in admin.case(cid)["events"]]

    # Checklist: two accepted, one rejected with a reason; then sent back.
    for d, verdict, reason in ((skl, "accepted", None), (kk, "accepted", None),
                               (nikah, "rejected", "Foto buram, nama orang tua tidak terbaca")):
        body = {"document_id": d["id"], "verdict": verdict}
        if reason:
            body["reason"] = reason
        r = admin.post("/api/v1/cases/%d/service/checks" % cid, json=body)
        assert r.status == 200, r
    since = graph.last_seq()
    r = admin.post("/api/v1/cases/%d/service/request-more" % cid)
    assert r.status == 200 and "Foto buram" in r.json["message"], r
    told = graph.wait_messages(to=w.wa_id, since=since, timeout=10)
    assert "Buku nikah" in text_of(told[0]) and "Foto buram" in text_of(told[0])
    assert admin.case(cid)["status"] == "incomplete"

    # The resident's new photo attaches to the same request, even after
    # wandering off to the menu.
    assert "menu:service" in choices(w.text("menu")[0])
    again = png_image("buku nikah, lebih jelas", 20, 14)
    assert code in text_of(send_file(w, graph, again, "image/jpeg", "image")[0])
    cl = wait_until(lambda: stored(admin, cid, 4))
    nikah = [d for d in cl["documents"] if d["id"] == nikah["id"]][0]
    assert nikah["verdict"] == "pending" and len(nikah["files"]) == 2
    assert cl["resubmissions"] == 1
    assert "resubmitted" in [e["action"] for e in admin.case(cid)["events"]]

    admin.act(cid, "check")
    assert admin.post("/api/v1/cases/%d/service/checks" % cid,
                      json={"document_id": nikah["id"], "verdict": "accepted"}).status == 200
    admin.act(cid, "process")

    # The issued PDF: uploaded to the Graph API, then sent as a document.
    pdf = pdf_bytes("KUTIPAN AKTA KELAHIRAN NOMOR 6311-LT-01012026-0001", pad=2000)
    since = graph.last_seq()
    time.sleep(1.1)  # issued at least a second after submission (the measures below)
    r = upload(admin, cid, "akta.pdf", pdf)
    assert r.status == 201, r
    up = graph.wait_for(lambda q: q["kind"] == "media_upload", since=since, timeout=15)[0]
    assert up["multipart"]["file"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert up["multipart"]["fields"]["type"] == "application/pdf"
    media_id = up["response"]["id"]
    assert graph.media_bytes(media_id) == pdf
    msg = graph.wait_messages(to=w.wa_id, type="document", since=since, timeout=15)[0]
    assert msg["document"]["id"] == media_id
    assert msg["document"]["filename"] == "akta_kelahiran-%s.pdf" % code
    assert code in msg["document"]["caption"]
    sent = graph.message_requests(to=w.wa_id, type="document", since=since)[-1]
    wamid = sent["response"]["messages"][0]["id"]
    cl = wait_until(lambda: (lambda c: c if c["issued"] and c["issued"]["state"] == "sent"
                             else None)(checklist(admin, cid)))
    assert cl["status"] == "issued"

    body = json.dumps(envelope(DUKCAPIL, statuses=[{
        "id": wamid, "status": "delivered", "timestamp": str(int(time.time())),
        "recipient_id": w.wa_id}])).encode()
    r = http_request(srv.port, "POST", "/webhooks/whatsapp", body=body,
                     headers={"Content-Type": "application/json",
                              "X-Hub-Signature-256": sign(body)})
    assert r.status == 200
    wait_until(lambda: checklist(admin, cid)["issued"]["delivery"] == "delivered")

    # The issued file is served as a PDF download whatever happens.
    att = checklist(admin, cid)["issued"]["attachment_id"]
    r = admin.get("/api/v1/cases/%d/service/file?attachment=%d" % (cid, att))
    assert r.status == 200 and r.body == pdf
    assert r.header("Content-Type") == "application/pdf"

    m = admin.get("/api/v1/services/measures")
    assert m.status == 200, m
    assert m.json["total"]["issued"] == 1 and m.json["total"]["needed_resubmission"] == 1
    per = [s for s in m.json["per_service"] if s["code"] == "akta_kelahiran"][0]
    assert per["within_target"] == 1 and per["within_target_share"] == 1.0
    assert m.json["per_operator"][0]["name"] == "Operator Disdukcapil"
    assert m.json["hours"] == "working"
    # Working hours on the agency's calendar: round the clock, the time it
    # took; with every day around it a holiday, none at all.
    elapsed = time.time() - started
    agency = 3  # disdukcapil in the demo seed
    r = admin.post("/api/v1/agencies/%d/calendar" % agency, json={"always_open": True})
    assert r.status == 200, r
    t = admin.get("/api/v1/services/measures").json["total"]
    assert 1 <= round(t["avg_hours_to_issue"] * 3600) <= elapsed + 1, (t, elapsed)
    r = admin.post("/api/v1/agencies/%d/calendar" % agency, json={"always_open": False})
    assert r.status == 200, r
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Makassar")).date()
    for d in (-1, 0, 1):
        day = (today + datetime.timedelta(days=d)).isoformat()
        r = admin.post("/api/v1/agencies/%d/holidays" % agency,
                       json={"date": day, "name": "Uji libur", "kind": "local"})
        assert r.status in (200, 201), r
    t = admin.get("/api/v1/services/measures").json["total"]
    assert t["avg_hours_to_issue"] == 0 and t["within_target"] == 1, t


def snapshot(client, cid):
    c = client.case(cid)
    return (c["status"], len(c["events"]), json.dumps(checklist(client, cid), sort_keys=True))


def test_bad_input_is_refused_and_changes_nothing(desk):
    srv, graph = desk
    w, code, _ = request_birth_certificate(srv, graph, "6281377000002")
    admin = login(srv, "admin.dukcapil")
    cid = find_case(admin, code)
    cl = wait_until(lambda: stored(admin, cid, 3))
    doc = cl["documents"][0]["id"]

    # Another agency's operator sees and changes nothing.
    other = login(srv, "admin.satpolpp")
    before = snapshot(admin, cid)
    assert other.get("/api/v1/cases/%d/service" % cid).status == 403
    assert other.get("/api/v1/cases/%d/service/file?attachment=%d"
                     % (cid, cl["documents"][0]["files"][0]["id"])).status == 403
    assert other.post("/api/v1/cases/%d/service/checks" % cid,
                      json={"document_id": doc, "verdict": "accepted"}).status == 403
    assert other.post("/api/v1/cases/%d/service/request-more" % cid).status == 403
    assert upload(other, cid, "akta.pdf", pdf_bytes()).status == 403
    viewer = login(srv, "pimpinan.satpolpp")
    assert viewer.get("/api/v1/cases/%d/service" % cid).status == 403
    # Malformed or wrong verdicts.
    for body, want in (({"document_id": doc, "verdict": "rejected"}, "reason"),
                       ({"document_id": doc, "verdict": "maybe"}, "verdict"),
                       ({"document_id": 999999, "verdict": "accepted"}, "document_id"),
                       ({"verdict": "accepted"}, "document_id")):
        r = admin.post("/api/v1/cases/%d/service/checks" % cid, json=body)
        assert r.status == 400 and want in r.json["error"]["detail"], r
    r = admin.post("/api/v1/cases/%d/service/checks" % cid, body=b"{nope",
                   content_type="application/json")
    assert r.status == 400
    # Nothing rejected yet: nothing to ask again.
    assert admin.post("/api/v1/cases/%d/service/request-more" % cid).status == 400
    # Issuing before processing: the wrong state.
    assert upload(admin, cid, "akta.pdf", pdf_bytes()).status == 409
    assert snapshot(admin, cid) == before

    admin.act(cid, "check")
    seen = graph.last_seq()
    admin.act(cid, "process")
    graph.wait_for(lambda q: "Diproses" in json.dumps(q.get("json")), since=seen, timeout=10)
    before = snapshot(admin, cid)
    since = graph.last_seq()
    # A document verdict while processing: the wrong state.
    r = admin.post("/api/v1/cases/%d/service/checks" % cid,
                   json={"document_id": doc, "verdict": "accepted"})
    assert r.status == 409, r
    # Not a PDF, whatever its name and declared type.
    r = upload(admin, cid, "akta.pdf", b"\xff\xd8\xff\xe0 a JPEG renamed to pdf " * 40)
    assert r.status == 400 and "PDF" in r.json["error"]["detail"], r
    r = upload(admin, cid, "akta.pdf", b"%PDF-1.4\n truncated, no end marker " * 40)
    assert r.status == 400, r
    # Too large: the PDF limit (3 MiB), and a body over the upload limit.
    r = upload(admin, cid, "akta.pdf", pdf_bytes(pad=3 * 1024 * 1024))
    assert r.status == 413, r
    r = upload(admin, cid, "akta.pdf", pdf_bytes(pad=3 * 1024 * 1024 + 200 * 1024))
    assert r.status == 413, r
    # Not multipart at all, and multipart without a file part.
    r = admin.post("/api/v1/cases/%d/service/issue" % cid, json={"file": "x"})
    assert r.status == 415, r
    body, ct = multipart({"note": "x"}, "a.pdf", b"")
    body = body.replace(b'name="file"; filename="a.pdf"', b'name="other"')
    r = admin.request("POST", "/api/v1/cases/%d/service/issue" % cid, body=body, content_type=ct)
    assert r.status == 400, r
    r = admin.request("POST", "/api/v1/cases/%d/service/issue" % cid, body=b"--x\r\nbroken",
                      content_type="multipart/form-data; boundary=x")
    assert r.status == 400, r
    # The bare transition cannot issue without the PDF.
    r = admin.post("/api/v1/cases/%d/transitions" % cid, json={"action": "issue"})
    assert r.status == 409 and "/service/issue" in r.json["error"]["detail"], r
    # Another agency's admin is told what any case of another agency gets.
    other = login(srv, "admin.satpolpp")
    r = other.post("/api/v1/cases/%d/transitions" % cid, json={"action": "issue"})
    assert r.status in (403, 404), r
    assert snapshot(admin, cid) == before
    assert not graph.requests(since, kind="media_upload")
    assert not graph.message_requests(to=w.wa_id, since=since)

    # A file for a request that is not waiting for one goes nowhere.
    before = snapshot(admin, cid)
    reply = text_of(w.say("image", media_id=graph.add_media(png_image("ZZ"), "image/jpeg")[0],
                          mime="image/jpeg")[0])
    assert reply
    time.sleep(0.5)
    assert snapshot(admin, cid) == before


def test_catalog_admin(desk):
    srv, graph = desk
    admin = login(srv, "admin.dukcapil")
    new = {"code": "akta_perkawinan", "name_id": "Akta perkawinan", "name_en": "Marriage certificate",
           "target_hours": 16,
           "documents": [{"name_id": "Surat keterangan nikah", "name_en": "Marriage statement",
                          "accepts": "pdf", "mandatory": True, "help_id": "Dari pemuka agama."},
                         {"name_id": "Pas foto berdua", "name_en": "Photo of the couple",
                          "accepts": "photo", "mandatory": False}]}
    r = admin.post("/api/v1/services", json=new)
    assert r.status == 201, r
    sid = r.json["id"]
    assert [d["accepts"] for d in r.json["documents"]] == ["pdf", "photo"]
    keep = r.json["documents"][1]
    upd = dict(new, target_hours=8, documents=[dict(keep, help_id="Latar merah")])
    r = admin.request("PUT", "/api/v1/services/%d" % sid, json=upd)
    assert r.status == 200 and r.json["target_hours"] == 8, r
    assert [d["id"] for d in r.json["documents"]] == [keep["id"]]
    # Refused: another agency's admin, a supervisor-less viewer, bad fields, a taken code.
    other = login(srv, "admin.satpolpp")
    assert other.request("PUT", "/api/v1/services/%d" % sid, json=upd).status == 403
    assert login(srv, "pimpinan.satpolpp").post("/api/v1/services", json=new).status == 403
    for bad in ({"target_hours": 0}, {"code": "Bad Code"}, {"name_id": ""},
                {"documents": [{"name_id": "x", "name_en": "x", "accepts": "fax"}]},
                {"documents": "no"}, {"code": "akta_kelahiran"}):
        r = admin.post("/api/v1/services", json=dict(new, **bad))
        assert r.status in (400, 409), (bad, r)
    r = admin.request("PUT", "/api/v1/services/%d" % sid,
                      json=dict(upd, documents=[dict(keep, id=1)]))
    assert r.status in (400, 404), r
    after = [s for s in admin.get("/api/v1/services").json["items"] if s["id"] == sid][0]
    assert after["target_hours"] == 8 and len(after["documents"]) == 1


def test_document_goes_by_template_when_the_window_is_closed(desk):
    srv, graph = desk
    w, code, _ = request_birth_certificate(srv, graph, "6281377000003")
    admin = login(srv, "admin.dukcapil")
    cid = find_case(admin, code)
    wait_until(lambda: stored(admin, cid, 3))
    # Sent back by the plain transition, without a document named: the
    # resident's next file still joins the request.
    seen = graph.last_seq()
    admin.act(cid, "incomplete", public_note="Mohon kirim juga foto KTP-el ibu.")
    assert "KTP-el ibu" in text_of(graph.wait_messages(to=w.wa_id, since=seen, timeout=10)[0])
    got = send_file(w, graph, png_image("KTP-el ibu"), "image/jpeg", "image")
    assert "sudah kami terima" in text_of(got[0])
    wait_until(lambda: [f for f in checklist(admin, cid)["other_files"]
                        if f["state"] == "stored" and f["source"] == "citizen"])
    admin.act(cid, "check")
    admin.act(cid, "process")
    graph.fail_131047(to=w.wa_id, msg_type="document")
    since = graph.last_seq()
    pdf = pdf_bytes("KIA")
    assert upload(admin, cid, "kia.pdf", pdf).status == 201
    sent = graph.wait_messages(to=w.wa_id, type="template", status=200, since=since, timeout=15)
    t = sent[0]["template"]
    assert t["name"] == "aduan_dokumen"
    header = [c for c in t["components"] if c["type"] == "header"][0]
    media_id = header["parameters"][0]["document"]["id"]
    assert graph.media_bytes(media_id) == pdf
    body = [c for c in t["components"] if c["type"] == "body"][0]
    assert [p["text"] for p in body["parameters"]] == ["Akta kelahiran", code]
    cl = wait_until(lambda: (lambda c: c if c["issued"]["state"] == "sent" else None)(
        checklist(admin, cid)))
    assert cl["status"] == "issued"


@pytest.fixture(params=["sqlite", "postgres"])
def keyed(request, tmp_path):
    """A demo desk whose NIKs are encrypted at rest."""
    if request.param == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    srv, graph = start(tmp_path, request.param, extra_env={"ADUAN_DATA_KEY": DATA_KEY})
    yield srv, graph, request.param
    try:
        assert not srv.stop()
    finally:
        graph.stop()


def test_nik_is_encrypted_at_rest(keyed):
    srv, graph, engine = keyed
    w, code, _ = request_birth_certificate(srv, graph, "6281377000004")
    admin = login(srv, "admin.dukcapil")
    cid = find_case(admin, code)
    cl = checklist(admin, cid)
    assert cl["applicant"]["nik"] == GOOD_NIK
    assert cl["applicant"]["nik_masked"] == "6311********0001"
    if engine == "sqlite":
        db = sqlite3.connect(srv.db_path)
        try:
            (stored_nik,) = db.execute("SELECT nik FROM service_requests WHERE case_id = ?",
                                       (cid,)).fetchone()
            logged = [b for (b,) in db.execute("SELECT body FROM messages WHERE body IS NOT NULL")]
        finally:
            db.close()
        assert stored_nik.startswith("v1:") and GOOD_NIK not in stored_nik
        assert not [b for b in logged if GOOD_NIK in b]
