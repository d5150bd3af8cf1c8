"""Issue 18, "find anything": the inbox's one search box (q of
GET /api/v1/cases) takes a tracking code with typing slips, a reporter's
phone number in any usual spelling, a LAPOR! tracking id, or words. What a
user may not see stays hidden: another agency's case, a reporter's cases
for a viewer (who sees no reporters). Both engines."""

import urllib.parse

PHONE = "0812-9999-1234"


def search(client, q, **extra):
    r = client.get("/api/v1/cases?" + urllib.parse.urlencode(dict(q=q, **extra)))
    assert r.status == 200, r
    return r.json


def test_code_phone_lapor_and_words(server, admin, viewer, damkar):
    c = admin.create_case(category_id=admin.category_id("pkl"), channel="phone",
                          description="Gerobak bakso menutup trotoar depan sekolah dasar",
                          kecamatan_code="63.11.06",
                          reporter={"name": "Bu Salmah", "phone": PHONE, "notify_consent": True})
    code = c["tracking_code"]

    # A code as typed on a phone: lower case, no dash, O for 0, I for 1.
    slipped = code.replace("-", "").lower().replace("0", "o").replace("1", "i")
    j = search(admin, slipped)
    assert j["matched"] == "code" and [x["id"] for x in j["items"]] == [c["id"]]

    # The reporter's number in any spelling: their cases.
    for q in (PHONE, "081299991234", "+62 812 9999 1234", "6281299991234"):
        j = search(admin, q)
        assert j["matched"] == "phone", (q, j)
        assert c["id"] in [x["id"] for x in j["items"]]

    # A LAPOR! tracking id, with or without '#'.
    r = admin.request("PUT", "/api/v1/cases/%d/lapor" % c["id"], json={"lapor_tracking_id": "7311842"})
    assert r.status == 200, r
    for q in ("#7311842", "7311842"):
        j = search(admin, q)
        assert j["matched"] == "lapor" and [x["id"] for x in j["items"]] == [c["id"]], j

    # Words: the full-text search as before.
    j = search(admin, "gerobak bakso")
    assert j["matched"] is None and c["id"] in [x["id"] for x in j["items"]]

    # A viewer sees no reporters: a number is words to them, found nowhere.
    j = search(viewer, PHONE)
    assert j["matched"] is None and c["id"] not in [x["id"] for x in j["items"]]
    # Another agency: neither the code nor the number finds the case.
    for q in (code, PHONE, "#7311842"):
        j = search(damkar, q)
        assert c["id"] not in [x["id"] for x in j["items"]], (q, j)

    # With other filters, q stays words (the exact matches are a first page).
    j = search(admin, code, status="verified")
    assert j["matched"] is None
    # A code that exists nowhere: nothing, no error.
    assert search(admin, "ZZZZ-ZZZZ")["items"] == []
    assert admin.get("/api/v1/cases?q=" + "x" * 300).status == 400
