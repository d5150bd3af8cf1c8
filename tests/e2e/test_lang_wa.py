"""Issue 13 item 11 over WhatsApp, on both engines against the fake Graph
API: staff messages are Indonesian only; a service request is a
"permohonan" to the resident (BATAL, status updates); the answer to
"Sudah" speaks to the reporter."""

import re

from lang_check import english
from test_emergency import REGU, REGU2, desk, report_fire, staff  # noqa: F401 (a fixture)
from test_service import (DUKCAPIL, login, multipart, request_birth_certificate, service_id,
                          stored, wait_until)
from test_survey import report, resolve, wait_text
from wa_helpers import Citizen, message, text_of


def staff_texts(graph, numbers, since):
    out = []
    for n in numbers:
        for m in graph.messages(to=n, since=since):
            if m.get("type") == "template":
                continue  # Meta's approved template, Indonesian by its own text
            out.append(text_of(m))
    return out


def test_staff_whatsapp_is_indonesian_only(desk):
    srv, graph = desk
    since = graph.last_seq()
    regu = staff(srv, graph, REGU)
    said = [text_of(regu.text("halo")[0])]               # help, inside the window now
    _, case = report_fire(srv, graph, "6281234560101")
    graph.wait_messages(to=REGU, since=since, timeout=5)
    said.append(text_of(regu.text("selesai sudah padam")[0]))  # refused: not on site
    said.append(text_of(regu.text("terima")[0]))
    said.append(text_of(regu.text("terima")[0]))          # already theirs
    said.append(text_of(regu.text("selesai")[0]))         # the result is missing
    said.append(text_of(regu.text("sampai")[0]))
    said.append(text_of(regu.text("selesai Api sudah padam, tidak ada korban.")[0]))
    said += staff_texts(graph, [REGU, REGU2], since)
    assert len(said) >= 9, said
    for t in said:
        assert " / " not in t and not english(t), (t, english(t))
    assert any("tidak bisa" in t for t in said)
    c = login(srv, "superadmin").case(case["id"])
    assert c["status"] == "resolved", c


def test_a_service_request_is_a_permohonan(desk):
    srv, graph = desk
    admin = login(srv, "admin.dukcapil")
    svc = service_id(admin, "akta_kelahiran")
    # BATAL while the request is written: the request is cancelled, not a report.
    w = Citizen(srv, graph, "6281234560102", pnid=DUKCAPIL, name="Siti")
    w.text("halo")
    w.tap("menu:service")
    w.tap("svc:%d" % svc["id"])
    w.tap("svc_consent:yes", button=True)
    said = text_of(w.text("batal")[0])
    assert said.startswith("Permohonan dibatalkan") and "Laporan" not in said, said
    # In English, the same.
    w.text("english")
    w.tap("menu:service")
    w.tap("svc:%d" % svc["id"])
    said = text_of(w.text("cancel")[0])
    assert said.startswith("The request was cancelled"), said
    # A request sent: its status updates say "Permohonan".
    w2, code, _ = request_birth_certificate(srv, graph, "6281234560103")
    cid = [c for c in admin.all_cases() if c["tracking_code"] == code][0]["id"]
    since = graph.last_seq()
    admin.act(cid, "check")
    upd = wait_until(lambda: [text_of(m) for m in graph.messages(to=w2.wa_id, since=since)
                              if "Diperiksa" in text_of(m)])
    assert upd[0].startswith("Permohonan *%s*: Diperiksa" % code), upd
    assert "Laporan" not in upd[0]
    # The dashboard's conversation shows the update as the resident read it.
    conv = admin.get("/api/v1/cases/%d/conversation" % cid).json
    told = [i.get("text") or "" for i in conv["items"] if i["dir"] == "out"]
    assert any(t.startswith("Permohonan *%s*: Diperiksa" % code) for t in told), told
    assert admin.case(cid)["status"] == "checking"
    cl = wait_until(lambda: stored(admin, cid, 3))
    for d in cl["documents"]:
        if d["mandatory"]:
            r = admin.post("/api/v1/cases/%d/service/checks" % cid,
                           json={"document_id": d["id"], "verdict": "accepted"})
            assert r.status == 200, r
    admin.act(cid, "process")
    # A file that is not a PDF: refused, in Indonesian, and in English on request.
    body, ct = multipart({"note": "terbit"}, "akta.pdf", b"bukan pdf")
    path = "/api/v1/cases/%d/service/issue" % cid
    r = admin.request("POST", path, body=body, content_type=ct)
    assert r.status == 400 and r.code == "invalid", r
    assert r.json["error"]["detail"] == "berkas ini bukan PDF (harus diawali %PDF-)", r
    r = admin.request("POST", path, body=body, content_type=ct, lang="en")
    assert r.code == "invalid" and "is not a PDF" in r.json["error"]["detail"], r
    assert admin.case(cid)["status"] == "processing"


def test_the_answer_to_sudah_speaks_to_the_reporter(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281377000101")
    cid, code = report(w)
    resolve(srv, graph, w, cid)
    since = graph.last_seq()
    w.post(message(w.wa_id, "interactive", id="res:yes:%d" % cid, button=True))
    closed = text_of(wait_text(graph, w, since, "kami tutup"))
    assert "Anda" in closed and not re.search(r"\bpelapor\b", closed, re.I), closed
    for m in graph.messages(to=w.wa_id, since=since):
        assert not re.search(r"\bpelapor\b", text_of(m), re.I), text_of(m)
