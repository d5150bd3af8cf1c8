"""Disdukcapil input over WhatsApp (issue #13, item 12), on both engines: a
16-digit number is not a name (and leaves no digits in the message log); a
NIK whose province, kabupaten/kota or kecamatan code does not exist today
is accepted (codes change with pemekaran) with a warning the operator sees
on the request, never silently."""

import re

import pytest

from db_peek import sql
from test_service import (DUKCAPIL, checklist, find_case, login, pdf_bytes, send_file,
                          service_id)
from wa_helpers import Citizen, choices, desk, text_of  # noqa: F401

CODE_RE = re.compile(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*")


def request_with(srv, graph, wa_id, nik, names=("Siti Aminah",)):
    """A birth-certificate request with this NIK; names are typed in turn
    (all but the last refused). Returns (tracking code, answers to names)."""
    w = Citizen(srv, graph, wa_id, pnid=DUKCAPIL, name="Warga")
    admin = login(srv, "admin.dukcapil")
    svc = service_id(admin, "akta_kelahiran")
    w.text("halo")
    w.tap("menu:service")
    w.tap("svc:%d" % svc["id"])
    w.tap("svc_consent:yes", button=True)
    assert "nama lengkap" in text_of(w.text(nik)[0]).lower()
    answers = [text_of(w.text(n)[0]) for n in names]
    assert "1 dari 4" in answers[-1], answers
    send_file(w, graph, pdf_bytes("surat keterangan lahir"), "application/pdf", "document")
    send_file(w, graph, b"\xff\xd8\xff" + b"N" * 300, "image/jpeg", "image")
    last = send_file(w, graph, b"\xff\xd8\xff" + b"K" * 400, "image/jpeg", "image")[0]
    assert "svc_skip" in choices(last)
    w.tap("svc_skip", button=True)
    done = text_of(w.tap("svc_confirm:send", button=True)[0])
    return CODE_RE.search(done).group(1), answers


def test_a_number_is_not_a_name(desk):
    srv, graph = desk
    nik = "6311064506210001"
    code, answers = request_with(srv, graph, "6281377100001", nik,
                                 names=(nik, "6311 0645 0621 0001", "Siti 2", "Siti Aminah"))
    for a in answers[:3]:
        assert "angka" in a and "nama lengkap" in a, a
    admin = login(srv, "admin.dukcapil")
    cl = checklist(admin, find_case(admin, code))
    assert cl["applicant"]["name"] == "Siti Aminah"
    assert "nik_warning" not in cl["applicant"]
    # The NIK typed as a name is not in the message log in clear.
    logged = [b for (b,) in sql(srv, "SELECT body FROM messages WHERE body IS NOT NULL")]
    assert not [b for b in logged if "6311064506210001" in b or "0645 0621" in b], logged
    assert "****************" in logged


@pytest.mark.parametrize("nik,code", [
    ("6311094506210001", "63.11.09"),   # Balangan has kecamatan 01-08
    ("6312014506210001", "63.12"),      # Kalimantan Selatan has kabupaten 01-11, kota 71-72
    ("6404014506210001", "64.04"),      # Bulungan before it moved to Kalimantan Utara (65.01)
    ("9911014506210001", "99"),         # no province 99
])
def test_an_unknown_region_is_accepted_with_a_warning(desk, nik, code):
    srv, graph = desk
    cid_code, _ = request_with(srv, graph, "6281377100002", nik)
    admin = login(srv, "admin.dukcapil")
    cid = find_case(admin, cid_code)
    cl = checklist(admin, cid)
    assert cl["applicant"]["nik"] == nik
    w = cl["applicant"]["nik_warning"]
    assert code + " " in w and "Cocokkan NIK" in w, w
    assert nik[6:] not in w
    en = admin.get("/api/v1/cases/%d/service" % cid, lang="en").json["applicant"]["nik_warning"]
    assert code + " " in en and "Check the NIK" in en


def test_a_known_nik_has_no_warning(desk):
    srv, graph = desk
    code, _ = request_with(srv, graph, "6281377100003", "6371014506210001")   # Banjarmasin
    admin = login(srv, "admin.dukcapil")
    cl = checklist(admin, find_case(admin, code))
    assert "nik_warning" not in cl["applicant"]
