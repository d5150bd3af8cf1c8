"""Issue 17 §1: the Open311 GeoReport v2 server (docs/OPEN311.md), over real
HTTP on both engines: discovery, services, service definitions, requests
(GET with every filter, GET one, POST), in JSON and in XML; the spec's error
list for every refusal; no personal data ever; a request's id is the case's
numeric id, and its tracking code (the reporter's key to /t/CODE) reaches
only the poster, in the POST answer's notice; rahasia cases are not there."""

import json
import os
import re
import shlex
import shutil
import subprocess
import urllib.parse
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from aduan_e2e import http_request, png_image

# The GeoReport v2 JSON Schemas (tests/e2e/schemas/, written from the spec):
# every JSON answer of this module is checked against its own.
SCHEMAS = os.path.join(os.path.dirname(__file__), "schemas")


def schema(name):
    with open(os.path.join(SCHEMAS, name + ".json"), encoding="utf-8") as f:
        s = json.load(f)
    jsonschema.Draft7Validator.check_schema(s)
    return jsonschema.Draft7Validator(s)


VALID = {n: schema(n) for n in ("services", "service_definition", "requests", "post_answer",
                                "errors")}


def conforms(name, instance):
    errors = sorted(VALID[name].iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "%s: %s" % (name, "; ".join(
        "%s: %s" % ("/".join(map(str, e.path)), e.message) for e in errors))
    return instance

NAME, PHONE, ADDRESS = "Siti Rahmawati", "0812-7777-4321", "Jl. Merdeka No. 17 RT 03, rumah cat hijau"
DESCRIPTION = "Warung remang-remang buka sampai subuh dan mengganggu warga sekitar"
EMAIL = "siti.rahma@example.org"
JURISDICTION = "balangankab.go.id"
SERVER_ENV = {"ADUAN_OPEN311_JURISDICTION": JURISDICTION}
ID = re.compile(r"^[1-9][0-9]*$")
CODE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$")
NOTICE_ID = re.compile(r"^Kode lacak: ([0-9A-Z]{4}-[0-9A-Z]{4})\. Target penyelesaian: \d+ jam$")
NOTICE_EN = re.compile(r"^Tracking code: ([0-9A-Z]{4}-[0-9A-Z]{4})\. Resolution target: \d+ hours$")
# The tracking code of every case this module made, by its request id: none
# may ever show in a GET answer.
CODES = {}
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
REQUEST_KEYS = {"service_request_id", "status", "status_notes", "service_name", "service_code",
                "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                "expected_datetime", "address", "lat", "long"}


def no_personal_data(text):
    for secret in (NAME, "Siti", "Rahma", "7777", "4321", "Merdeka", "cat hijau", "remang",
                   "62812", "example.org", "Budi", "Santoso", "budi@"):
        assert secret not in text, secret


@pytest.fixture(scope="module")
def key(server):
    r = server.cli("open311", "key", "add", "fixmystreet-test")
    assert r.returncode == 0, r.stderr
    k = r.stdout.strip().splitlines()[-1]
    assert re.match(r"^[A-Za-z0-9_-]{40,}$", k), r.stdout
    return k


def get(srv, path, **params):
    q = ("?" + urllib.parse.urlencode(params)) if params else ""
    return http_request(srv.port, "GET", "/open311" + path + q)


def post(srv, fmt, fields, content_type="application/x-www-form-urlencoded", body=None, query=""):
    if body is None:
        body = urllib.parse.urlencode(fields).encode()
    return http_request(srv.port, "POST", "/open311/v2/requests." + fmt + query, body=body,
                        headers={"Content-Type": content_type})


def xml_of(r):
    assert r.header("Content-Type") == "text/xml; charset=utf-8", r
    assert r.body.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), r.body[:80]
    root = ET.fromstring(r.body)  # well-formed, or this raises
    assert "}" not in root.tag  # no namespaces
    return root


def json_of(r):
    assert r.header("Content-Type") == "application/json; charset=utf-8", r
    return r.json


def assert_error(r, status, fmt="json"):
    assert r.status == status, r
    if fmt == "json":
        conforms("errors", json_of(r))
    if fmt == "json":
        j = json_of(r)
        assert isinstance(j, list) and len(j) == 1, j
        assert j[0]["code"] == status and isinstance(j[0]["description"], str) and j[0]["description"]
    else:
        root = xml_of(r)
        assert root.tag == "errors"
        errs = root.findall("error")
        assert len(errs) == 1
        assert errs[0].findtext("code") == str(status) and errs[0].findtext("description")


def posted(srv, key, **more):
    fields = {"api_key": key, "service_code": "satpolpp-trantibum", "lat": "-2.336412",
              "long": "115.466987", "description": DESCRIPTION, "first_name": "Siti",
              "last_name": "Rahmawati", "email": EMAIL, "phone": PHONE,
              "address_string": ADDRESS, "attribute[WHISPERER]": "x"}
    fields.update(more)
    r = post(srv, "json", fields)
    assert r.status == 200, r
    j = conforms("post_answer", json_of(r))
    assert isinstance(j, list) and len(j) == 1 and set(j[0]) <= {"service_request_id",
                                                                  "service_notice", "account_id"}
    rid, notice = j[0]["service_request_id"], j[0]["service_notice"]
    assert ID.match(rid), rid
    m = NOTICE_ID.match(notice)
    assert m, notice
    CODES[rid] = m.group(1)
    return rid


def case_of(admin, rid):
    """The case of a request id, checked to hold the code its poster was given."""
    c = admin.case(int(rid))
    assert c["tracking_code"] == CODES[rid], (c["tracking_code"], CODES[rid])
    return c


def no_tracking_code(text):
    for code in CODES.values():
        assert code not in text and code.replace("-", "") not in text, code


# ---- discovery and services ---------------------------------------------------


def test_discovery_both_formats(server):
    j = json_of(get(server, "/discovery.json"))
    assert set(j) >= {"changeset", "contact", "key_service", "endpoints"}
    ep = j["endpoints"][0]
    assert ep["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert ep["url"].endswith("/open311/v2") and set(ep["formats"]) == {"application/json",
                                                                          "text/xml"}
    root = xml_of(get(server, "/discovery.xml"))
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/specification").text == ep["specification"]
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ep["formats"]


def test_services_list_and_definition(server):
    j = json_of(get(server, "/v2/services.json"))
    codes = [s["service_code"] for s in j]
    assert "satpolpp-trantibum" in codes and len(codes) == len(set(codes))
    # Complaint categories only: no service (civil registry) nor emergency.
    assert not any(c.startswith("disdukcapil-") for c in codes)
    for s in j:
        assert set(s) == {"service_code", "service_name", "description", "metadata", "type",
                          "keywords", "group"}
        assert s["type"] == "realtime" and s["metadata"] is False and s["group"]
    root = xml_of(get(server, "/v2/services.xml"))
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == codes
    assert root.find("service/metadata").text == "false"
    d = json_of(get(server, "/v2/services/satpolpp-trantibum.json"))
    assert d == {"service_code": "satpolpp-trantibum", "attributes": []}
    root = xml_of(get(server, "/v2/services/satpolpp-trantibum.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "satpolpp-trantibum"
    assert root.find("attributes") is not None


def test_service_errors(server):
    assert_error(get(server, "/v2/services/nope-nope.json"), 404)
    assert_error(get(server, "/v2/services/nope-nope.xml"), 404, "xml")
    assert_error(get(server, "/v2/services/satpolpp-trantibum.html"), 404)
    assert_error(get(server, "/v2/services.html"), 404)
    assert_error(get(server, "/discovery.yaml"), 404)
    assert_error(get(server, "/v2/services.json", jurisdiction_id="elsewhere.go.id"), 404)
    assert_error(get(server, "/v2/services.xml", jurisdiction_id="elsewhere.go.id"), 404, "xml")
    assert get(server, "/v2/services.json", jurisdiction_id=JURISDICTION).status == 200


# ---- posting -------------------------------------------------------------------


def test_post_creates_a_case_through_the_intake(server, key, admin):
    rid = posted(server, key)
    c = case_of(admin, rid)
    assert rid == str(c["id"])
    assert c["channel"] == "open311" and c["status"] == "received"
    assert c["kecamatan"]["code"] == "63.11.06"  # located like any case
    assert c["description"] == DESCRIPTION
    # The reporter kept as personal data, the client named in the first event.
    assert c["reporter"]["name"] == NAME
    assert c["events"][0]["note"] == "Open311: fixmystreet-test", c["events"][0]


def test_post_xml_and_multipart(server, key):
    r = post(server, "xml", {"api_key": key, "service_code": "satpolpp-pkl",
                             "address_string": "Pasar Paringin", "jurisdiction_id": JURISDICTION})
    assert r.status == 200, r
    root = xml_of(r)
    assert root.tag == "service_requests"
    assert ID.match(root.findtext("request/service_request_id"))
    assert NOTICE_ID.match(root.findtext("request/service_notice"))
    b = "----aduan311"
    parts = []
    for k, v in (("api_key", key), ("service_code", "satpolpp-pkl"), ("lat", "-2.33"),
                 ("long", "115.46"), ("description", "Lapak di trotoar")):
        parts.append('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (b, k, v))
    parts.append('--%s\r\nContent-Disposition: form-data; name="other"; filename="a.txt"\r\n'
                 'Content-Type: text/plain\r\n\r\nnot kept\r\n--%s--\r\n' % (b, b))
    r = post(server, "json", None, "multipart/form-data; boundary=" + b,
             "".join(parts).encode())
    assert r.status == 200, r
    assert ID.match(json_of(r)[0]["service_request_id"])


def test_every_json_answer_conforms_to_the_georeport_schemas(server, key, admin):
    services = conforms("services", json_of(get(server, "/v2/services.json")))
    assert services
    for s in services:
        conforms("service_definition",
                 json_of(get(server, "/v2/services/%s.json" % s["service_code"])))
    rid = posted(server, key)
    conforms("requests", json_of(get(server, "/v2/requests/%s.json" % rid)))
    conforms("requests", json_of(get(server, "/v2/requests.json")))
    conforms("requests", json_of(get(server, "/v2/requests.json", status="closed")))
    conforms("requests", json_of(get(server, "/v2/requests.json", service_request_id=rid)))
    # The schemas refuse what must not pass: a field the spec does not name,
    # a tracking code for an id, a status of ours, an error without a code.
    one = json_of(get(server, "/v2/requests/%s.json" % rid))[0]
    for bad in ({**one, "reporter": "x"},
                {**one, "service_request_id": CODES[rid]}, {**one, "status": "received"},
                {**one, "lat": 1.0, "long": "x"}):
        assert not VALID["requests"].is_valid([bad]), bad
    assert not VALID["errors"].is_valid([{"description": "x"}])
    assert not VALID["errors"].is_valid([])
    assert not VALID["post_answer"].is_valid([{"service_notice": "x"}])
    assert not VALID["services"].is_valid([{"service_code": "a", "service_name": "b",
                                            "metadata": "false", "type": "realtime"}])


# ---- photos (FixMyStreet style) and media_url ----------------------------------

def multipart_post(srv, fields, photo=None, fmt="json", name="media"):
    b = "----aduan311photo"
    out = b""
    for k, v in fields.items():
        out += ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                % (b, k, v)).encode()
    if photo is not None:
        out += ('--%s\r\nContent-Disposition: form-data; name="%s"; filename="foto.png"\r\n'
                'Content-Type: image/png\r\n\r\n' % (b, name)).encode() + photo + b"\r\n"
    out += ("--%s--\r\n" % b).encode()
    return post(srv, fmt, None, "multipart/form-data; boundary=" + b, out)


def test_a_posted_photo_is_evidence_and_published_only_when_the_agency_says(server, key,
                                                                           admin, damkar):
    fields = {"api_key": key, "service_code": "satpolpp-pkl", "lat": "-2.3301",
              "long": "115.4602", "description": "Lapak qxphoto311 di trotoar"}
    r = multipart_post(server, fields, png_image(7, 16, 12))
    assert r.status == 200, r
    rid = json_of(r)[0]["service_request_id"]
    c = admin.case(int(rid))
    photos = [a for a in c["attachments"] if a["source"] == "citizen"]
    assert len(photos) == 1 and photos[0]["mime"] == "image/png", c["attachments"]
    # The desk sees it as the reporter's evidence.
    got = admin.get("/api/v1/attachments/%d" % photos[0]["id"])
    assert got.status == 200 and got.body[:8] == b"\x89PNG\r\n\x1a\n"
    # Not published: no media_url, and the media address answers 404.
    one = json_of(get(server, "/v2/requests/%s.json" % rid))[0]
    assert "media_url" not in one
    media = "/open311/v2/media/%d" % photos[0]["id"]
    assert http_request(server.port, "GET", media).status == 404
    agency = c["agency"]["id"]
    # The agency's admin publishes its photos.
    r = admin.request("PUT", "/api/v1/agencies/%d/settings" % agency, json={"publish_photos": True})
    assert r.status == 200 and r.json["publish_photos"] is True and r.json["changed"], r
    one = conforms("requests", json_of(get(server, "/v2/requests/%s.json" % rid)))[0]
    assert one["media_url"] == "http://127.0.0.1:%d%s" % (server.port, media) or \
        one["media_url"].endswith(media), one
    x = xml_of(get(server, "/v2/requests/%s.xml" % rid))
    assert x.findtext("request/media_url").endswith(media)
    pic = http_request(server.port, "GET", media)
    assert pic.status == 200 and pic.header("Content-Type") == "image/png", pic
    assert pic.body == got.body
    listed = json_of(get(server, "/v2/requests.json", service_code="satpolpp-pkl"))
    assert [x.get("media_url") for x in listed if x["service_request_id"] == rid] == [one["media_url"]]
    # An officer's photo is the desk's, never published; nor is an unknown id.
    r = admin.request("POST", "/api/v1/cases/%s/attachments" % rid, body=png_image(9),
                      content_type="image/png")
    assert r.status == 201, r
    assert http_request(server.port, "GET", "/open311/v2/media/%d" % r.json["id"]).status == 404
    for bad in ("999999", "x", "0", "%d.png" % photos[0]["id"]):
        assert_error(http_request(server.port, "GET", "/open311/v2/media/" + bad), 404)
    # The reporter's photo, once the desk marks it as an identity document
    # (a KTP sent as a picture): no media_url, and the address is a 404.
    r = admin.request("PUT", "/api/v1/attachments/%d/identity" % photos[0]["id"],
                      json={"identity": True})
    assert r.status == 200, r
    assert "media_url" not in json_of(get(server, "/v2/requests/%s.json" % rid))[0]
    assert http_request(server.port, "GET", media).status == 404
    r = admin.request("PUT", "/api/v1/attachments/%d/identity" % photos[0]["id"],
                      json={"identity": False})
    assert r.status == 200, r
    assert http_request(server.port, "GET", media).status == 200
    # Unpublished again: gone.
    r = admin.request("PUT", "/api/v1/agencies/%d/settings" % agency, json={"publish_photos": False})
    assert r.status == 200 and r.json["publish_photos"] is False, r
    assert http_request(server.port, "GET", media).status == 404
    assert "media_url" not in json_of(get(server, "/v2/requests/%s.json" % rid))[0]
    # Who may change it, and bad input.
    assert damkar.request("PUT", "/api/v1/agencies/%d/settings" % agency,
                          json={"publish_photos": True}).status == 403
    for bad in ({}, {"publish_photos": "ya"}, {"publish_photos": 1}):
        r = admin.request("PUT", "/api/v1/agencies/%d/settings" % agency, json=bad)
        assert r.status == 400 and "publish_photos" in r.json["error"]["detail"], (bad, r)
    assert [a for a in admin.get("/api/v1/agencies").json["items"]
            if a["id"] == agency][0]["publish_photos"] is False


@pytest.mark.parametrize("photo", [b"JPEGDATA", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, b""])
def test_a_bad_photo_refuses_the_request_and_makes_no_case(server, key, admin, photo):
    before = admin.list_cases(q="qxbadphoto311")["items"]
    fields = {"api_key": key, "service_code": "satpolpp-pkl", "address_string": "Pasar",
              "description": "Lapak qxbadphoto311"}
    r = multipart_post(server, fields, photo)
    assert_error(r, 400)
    assert "media" in json_of(r)[0]["description"]
    assert admin.list_cases(q="qxbadphoto311")["items"] == before


def test_two_photos_are_refused(server, key):
    b = "----two"
    body = b""
    for k, v in (("api_key", key), ("service_code", "satpolpp-pkl"), ("address_string", "Pasar")):
        body += ('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                 % (b, k, v)).encode()
    for _ in range(2):
        body += ('--%s\r\nContent-Disposition: form-data; name="media"; filename="a.png"\r\n'
                 'Content-Type: image/png\r\n\r\n' % b).encode() + png_image(3) + b"\r\n"
    body += ("--%s--\r\n" % b).encode()
    r = post(server, "json", None, "multipart/form-data; boundary=" + b, body)
    assert_error(r, 400)


def test_post_notice_carries_the_tracking_code_in_english_too(server, key, admin):
    r = post(server, "json", {"api_key": key, "service_code": "satpolpp-pkl",
                              "address_string": "Pasar Paringin"}, query="?lang=en")
    assert r.status == 200, r
    j = json_of(r)[0]
    m = NOTICE_EN.match(j["service_notice"])
    assert m, j
    CODES[j["service_request_id"]] = m.group(1)
    c = case_of(admin, j["service_request_id"])
    # The code the poster passes on opens the reporter's public page.
    t = http_request(server.port, "GET", "/t/" + c["tracking_code"])
    assert t.status == 200, t


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_errors(server, key, fmt):
    base = {"api_key": key, "service_code": "satpolpp-pkl", "lat": "-2.33", "long": "115.46"}
    drop = lambda k: {x: v for x, v in base.items() if x != k}  # noqa: E731
    assert_error(post(server, fmt, drop("api_key")), 403, fmt)
    assert_error(post(server, fmt, dict(base, api_key="not-a-key")), 403, fmt)
    assert_error(post(server, fmt, drop("service_code")), 400, fmt)
    assert_error(post(server, fmt, dict(base, service_code="nope-nope")), 404, fmt)
    assert_error(post(server, fmt, {k: v for k, v in base.items() if k not in ("lat", "long")}),
                 400, fmt)
    assert_error(post(server, fmt, dict(base, lat="north")), 400, fmt)
    assert_error(post(server, fmt, dict(base, lat="95")), 400, fmt)
    assert_error(post(server, fmt, drop("long")), 400, fmt)
    assert_error(post(server, fmt, dict(base, jurisdiction_id="elsewhere.go.id")), 404, fmt)
    assert_error(post(server, fmt, dict(base, email="not an address")), 400, fmt)
    assert_error(post(server, fmt, dict(base, phone="abc")), 400, fmt)
    assert_error(post(server, fmt, None, "application/json", b'{"api_key": "x"}'), 400, fmt)
    assert_error(post(server, fmt, None, body=b"api_key=%zz"), 400, fmt)
    assert_error(post(server, fmt, None, body=b"api_key=a%00b"), 400, fmt)
    assert_error(post(server, fmt, None, body=b"description=%C3"), 400, fmt)


def test_keys_list_and_revoke(server):
    r = server.cli("open311", "key", "add", "revoke-me")
    assert r.returncode == 0, r.stderr
    k = r.stdout.strip().splitlines()[-1]
    assert server.cli("open311", "key", "add", "revoke-me").returncode == 1  # one active key
    listed = server.cli("open311", "key", "list")
    assert listed.returncode == 0 and "revoke-me" in listed.stdout and k not in listed.stdout
    ok = post(server, "json", {"api_key": k, "service_code": "satpolpp-pkl",
                               "address_string": "Pasar"})
    assert ok.status == 200, ok
    assert server.cli("open311", "key", "revoke", "revoke-me").returncode == 0
    assert_error(post(server, "json", {"api_key": k, "service_code": "satpolpp-pkl",
                                       "address_string": "Pasar"}), 403)
    assert server.cli("open311", "key", "revoke", "revoke-me").returncode == 1
    assert server.cli("open311", "key", "add", "bad name").returncode == 2
    assert server.cli("open311", "key").returncode == 2
    assert server.cli("open311", "key", "list", "extra").returncode == 2


# ---- reading -------------------------------------------------------------------


def check_request_json(j):
    assert set(j) <= REQUEST_KEYS, set(j) - REQUEST_KEYS
    assert j["status"] in ("open", "closed")
    for k in ("requested_datetime", "updated_datetime", "expected_datetime"):
        if k in j:
            assert W3C.match(j[k]), j[k]
    assert j["requested_datetime"].endswith("+08:00")  # the agency's zone (WITA)


def test_requests_one_and_list_without_personal_data(server, key, admin, kabid, trc):
    rid = posted(server, key, description=DESCRIPTION + " dua")
    c = case_of(admin, rid)
    admin.act(c["id"], "verify")
    kabid.act(c["id"], "dispatch", team_id=admin.team_id("TRC Pos Paringin"))
    trc.act(c["id"], "start")
    trc.act(c["id"], "resolve", public_note="Warung ditertibkan")
    r = get(server, "/v2/requests/%s.json" % rid)
    j = json_of(r)
    assert len(j) == 1
    one = j[0]
    check_request_json(one)
    assert one["service_request_id"] == rid == str(c["id"]) and one["status"] == "closed"
    assert one["status_notes"] == "Warung ditertibkan"
    assert one["service_code"] == "satpolpp-trantibum" and one["agency_responsible"]
    assert one["lat"] == -2.336 and one["long"] == 115.467  # rounded as the public page
    no_personal_data(r.body.decode())
    rx = get(server, "/v2/requests/%s.xml" % rid)
    root = xml_of(rx)
    assert root.tag == "service_requests" and root.findtext("request/status") == "closed"
    assert root.findtext("request/service_request_id") == rid
    no_personal_data(rx.body.decode())
    # The tracking code is not an id, in any spelling.
    code = CODES[rid]
    for spelling in (code, code.replace("-", ""), code.lower()):
        assert_error(get(server, "/v2/requests/%s.json" % spelling), 404)
        assert_error(get(server, "/v2/requests/%s.xml" % spelling), 404, "xml")
        assert json_of(get(server, "/v2/requests.json", service_request_id=spelling)) == []
    for fmt in ("json", "xml"):
        r = get(server, "/v2/requests." + fmt)
        assert r.status == 200
        no_personal_data(r.body.decode())
    lst = json_of(get(server, "/v2/requests.json"))
    assert rid in [x["service_request_id"] for x in lst] and len(lst) <= 1000
    for x in lst:
        check_request_json(x)
    root = xml_of(get(server, "/v2/requests.xml"))
    assert [x.findtext("service_request_id") for x in root.findall("request")] == \
        [x["service_request_id"] for x in lst]


def test_requests_filters(server, key):
    a = posted(server, key, service_code="satpolpp-pkl")
    b = posted(server, key, service_code="satpolpp-trantibum")
    ids = lambda r: [x["service_request_id"] for x in json_of(r)]  # noqa: E731
    got = ids(get(server, "/v2/requests.json",
                  service_request_id="%s, %s,ZZZZ-ZZZZ,%s,0%s,-1,99999999999" % (a, b, CODES[a], a)))
    assert sorted(got) == sorted([a, b])
    pkl = ids(get(server, "/v2/requests.json", service_code="satpolpp-pkl"))
    assert a in pkl and b not in pkl
    assert a in ids(get(server, "/v2/requests.json", status="open"))
    assert a not in ids(get(server, "/v2/requests.json", status="closed"))
    assert a not in ids(get(server, "/v2/requests.json", start_date="2020-01-01T00:00:00Z",
                            end_date="2020-03-01T00:00:00+07:00"))
    now = json_of(get(server, "/v2/requests/%s.json" % a))[0]["requested_datetime"]
    assert a in ids(get(server, "/v2/requests.json", end_date=now[:10] + "T23:59:59+08:00"))
    assert a not in ids(get(server, "/v2/requests.json", end_date="2020-01-01T00:00:00Z"))
    assert a in ids(get(server, "/v2/requests.json", jurisdiction_id=JURISDICTION))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_errors(server, fmt):
    assert_error(get(server, "/v2/requests/ZZZZ-ZZZZ." + fmt), 404, fmt)
    assert_error(get(server, "/v2/requests/not_an_id." + fmt), 404, fmt)
    for bad in ("0", "-1", "01", "1.5", "99999999999", "9" * 30):
        assert_error(get(server, "/v2/requests/%s.%s" % (bad, fmt)), 404, fmt)
    assert_error(get(server, "/v2/requests." + fmt, start_date="yesterday"), 400, fmt)
    assert_error(get(server, "/v2/requests." + fmt, end_date="2026-02-30T00:00:00Z"), 400, fmt)
    assert_error(get(server, "/v2/requests." + fmt, start_date="2026-01-01T00:00:00Z",
                     end_date="2025-01-01T00:00:00Z"), 400, fmt)
    assert_error(get(server, "/v2/requests." + fmt, start_date="2025-01-01T00:00:00Z",
                     end_date="2026-01-01T00:00:00Z"), 400, fmt)  # over 90 days
    assert_error(get(server, "/v2/requests." + fmt, status="pending"), 400, fmt)
    assert_error(get(server, "/v2/requests." + fmt, service_code="nope-nope"), 404, fmt)
    assert_error(get(server, "/v2/requests." + fmt, jurisdiction_id="elsewhere.go.id"), 404, fmt)
    assert_error(get(server, "/v2/requests/ZZZZ-ZZZZ.csv"), 404)
    assert_error(get(server, "/v2/tokens/abc." + fmt), 404, fmt)


def test_open_case_expected_datetime_and_internal_notes(server, key, admin):
    rid = posted(server, key, description=DESCRIPTION + " tiga")
    c = case_of(admin, rid)
    admin.act(c["id"], "verify", note="catatan internal rahasia sekali")
    r = get(server, "/v2/requests/%s.json" % rid)
    j = json_of(r)[0]
    assert j["status"] == "open"
    assert "status_notes" not in j and "rahasia sekali" not in r.body.decode()
    assert W3C.match(j["expected_datetime"]) and j["expected_datetime"].endswith("+08:00"), j
    assert j["expected_datetime"] > j["requested_datetime"]


def test_rahasia_case_is_not_there(server, admin):
    """A rahasia case's existence and place are confidential: it is not
    listed, not found by its id, alone or in a list."""
    cat = admin.category_id("trantibum")
    c = admin.create_case(category_id=cat, description=DESCRIPTION, address=ADDRESS,
                          kecamatan_code="63.11.06", lat=-2.336412, lon=115.466987, rahasia=True,
                          reporter={"name": NAME, "phone": PHONE})
    plain = admin.create_case(category_id=cat, description=DESCRIPTION, address=ADDRESS,
                              kecamatan_code="63.11.06", lat=-2.336412, lon=115.466987)
    rid, pid = str(c["id"]), str(plain["id"])
    CODES[rid], CODES[pid] = c["tracking_code"], plain["tracking_code"]
    for fmt in ("json", "xml"):
        assert_error(get(server, "/v2/requests/%s.%s" % (rid, fmt)), 404, fmt)
        assert get(server, "/v2/requests/%s.%s" % (pid, fmt)).status == 200
    listed = lambda **q: [x["service_request_id"]  # noqa: E731
                          for x in json_of(get(server, "/v2/requests.json", **q))]
    assert pid in listed() and rid not in listed()
    assert rid not in listed(service_code="satpolpp-trantibum")
    assert listed(service_request_id="%s,%s" % (rid, pid)) == [pid]
    root = xml_of(get(server, "/v2/requests.xml"))
    assert rid not in [x.findtext("service_request_id") for x in root.findall("request")]


def test_no_tracking_code_in_any_get_answer(server):
    """Every case of this module (posted, made at the desk, rahasia): its
    tracking code is in no GET answer, JSON or XML, list or one."""
    assert len(CODES) >= 8, "run with the whole module: %r" % CODES
    every = ",".join(CODES)
    for fmt in ("json", "xml"):
        for path, q in (("/v2/requests." + fmt, {}),
                        ("/v2/requests." + fmt, {"service_request_id": every}),
                        ("/v2/requests." + fmt, {"status": "closed"}),
                        ("/v2/requests." + fmt, {"service_code": "satpolpp-pkl"})):
            r = get(server, path, **q)
            assert r.status == 200, r
            no_tracking_code(r.body.decode())
        for rid in CODES:
            r = get(server, "/v2/requests/%s.%s" % (rid, fmt))
            assert r.status in (200, 404), r
            no_tracking_code(r.body.decode())
    j = json_of(get(server, "/v2/requests.json", service_request_id=every))
    assert len(j) == len(CODES) - 1  # all but the rahasia one


def test_rate_limit_per_key(server):
    r = server.cli("open311", "key", "add", "busy-client")
    assert r.returncode == 0, r.stderr
    k = r.stdout.strip().splitlines()[-1]
    # Refused posts count too: 60 a minute, then the spec's error list with 429.
    statuses = [post(server, "json", {"api_key": k}).status for _ in range(60)]
    assert statuses == [400] * 60, statuses
    r = post(server, "xml", {"api_key": k})
    assert r.status == 429 and r.header("Retry-After"), r
    assert xml_of(r).findtext("error/code") == "429"


# ---- the examples of docs/OPEN311.md ---------------------------------------------


DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "OPEN311.md")
DOC_BASE, DOC_ID = "http://127.0.0.1:8080", "57"
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")
# What differs from run to run besides times: the request id and the code.
ANSWER_ID = re.compile(r'("service_request_id":"|<service_request_id>)\d+')
ANSWER_CODE = re.compile(r"(Kode lacak|Tracking code): [0-9A-Z]{4}-[0-9A-Z]{4}")


def doc_norm(s, base):
    s = TIME.sub("TIME", s.replace(base, "BASE").replace(DOC_BASE, "BASE"))
    return ANSWER_CODE.sub(r"\1: CODE", ANSWER_ID.sub(r"\1ID", s))


def doc_examples():
    """(command, expected answer) of each `$ curl` in the Examples block."""
    text = open(DOC, encoding="utf-8").read()
    marker = ("<!-- tested: tests/e2e/test_open311.py runs every \"$ curl\" line of the next"
              " block -->")
    assert text.count(marker) == 1, "the examples' marker is gone from docs/OPEN311.md"
    block = text.split(marker, 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    out = []
    for line in block.splitlines():
        if line.startswith("$ "):
            out.append([line[2:], []])
        else:
            out[-1][1].append(line)
    return [(cmd, "\n".join(ans)) for cmd, ans in out]


@pytest.mark.skipif(not shutil.which("curl"), reason="curl is not installed")
def test_docs_examples_match_the_server(server, key):
    base = "http://127.0.0.1:%d" % server.port
    rid = None
    examples = doc_examples()
    assert len(examples) >= 10
    for cmd, want in examples:
        args = [a.replace("YOUR_KEY", key).replace(DOC_BASE, base) for a in shlex.split(cmd)]
        if rid:
            args = [a.replace("/requests/%s." % DOC_ID, "/requests/%s." % rid) for a in args]
        assert args[0] == "curl"
        r = subprocess.run(args, capture_output=True, text=True, timeout=30,
                           cwd=os.path.join(os.path.dirname(__file__), "..", ".."))
        got = r.stdout.rstrip("\n")
        if rid is None and '"service_request_id"' in got:
            rid = json.loads(got)[0]["service_request_id"]
        assert doc_norm(got, base) == doc_norm(want, base), cmd
