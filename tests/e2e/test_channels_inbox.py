"""Issue 16 section 4: one inbox for every channel. Each message of a
conversation says which channel it came or went on; the inbox (and its CSV)
filters by channel (?channel=); /api/v1/stats, the monthly PDF and the CSV
count cases per channel ("Kanal pengaduan"). On both engines, a WhatsApp
case made through the real webhook beside walk-in and phone cases."""

import csv
import io
import os
import re
import subprocess

from aduan_e2e import Client
from test_report import this_month
from wa_helpers import Citizen, desk, superadmin, text_of  # noqa: F401


def report_on_whatsapp(srv, graph, wa_id, name):
    w = Citizen(srv, graph, wa_id, name=name)
    w.text("halo")
    w.tap("menu:report")
    w.tap("consent:yes", button=True)
    w.tap("cat:1")
    w.text("Pedagang menutup trotoar depan pasar setiap pagi")
    w.say("location", lat=-2.33, lon=115.46)
    w.tap("photos:skip", button=True)
    done = text_of(w.tap("confirm:send", button=True)[0])
    return re.search(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*", done).group(1)


def codes(client, **params):
    r = client.get("/api/v1/cases", params=params)
    assert r.status == 200, r
    return {c["tracking_code"]: c["channel"] for c in r.json["items"]}


def test_one_inbox_every_channel(desk, tmp_path):  # noqa: F811
    srv, graph = desk
    code = report_on_whatsapp(srv, graph, "6281234561601", "Rina")
    admin = Client(srv.port)
    assert admin.login("admin.satpolpp").status == 200
    cat = admin.category_id("trantibum")
    phone = admin.create_case(category_id=cat, channel="phone",
                              description="Keributan di depan pasar qxchan")
    walk = admin.create_case(category_id=cat, channel="walk_in",
                             description="Lapak di trotoar qxchan")

    # The conversation: every message with its channel.
    wa = [c for c in admin.get("/api/v1/cases", params={"q": code}).json["items"]]
    assert len(wa) == 1 and wa[0]["channel"] == "whatsapp"
    conv = admin.get("/api/v1/cases/%d/conversation" % wa[0]["id"])
    assert conv.status == 200, conv
    items = conv.json["items"]
    assert any(i["dir"] == "in" for i in items) and any(i["dir"] == "out" for i in items)
    assert {i["channel"] for i in items} == {"whatsapp"}, items

    # The inbox by channel.
    got = codes(admin, channel="whatsapp")
    assert code in got and set(got.values()) == {"whatsapp"}
    got = codes(admin, channel="phone")
    assert phone["tracking_code"] in got and set(got.values()) == {"phone"}
    assert walk["tracking_code"] not in got and code not in got
    assert codes(admin, channel="telegram") == {}
    # Bad input: a clear refusal (Indonesian first).
    for bad in ("sms", "WhatsApp", "", "x" * 300):
        r = admin.get("/api/v1/cases", params={"channel": bad})
        if bad == "":
            assert r.status == 200
            continue
        assert r.status == 400 and "channel: whatsapp, telegram" in r.json["error"]["detail"], r
    r = admin.get("/api/v1/cases", params={"channel": "sms"}, lang="id")
    assert "atau forward" in r.json["error"]["detail"]

    # The CSV: the same filter, and the channel by its name to count.
    r = admin.get("/api/v1/cases/export.csv", params={"channel": "phone"})
    assert r.status == 200, r
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
    head = rows[0]
    assert "Kanal pengaduan" in head and "Kode kanal" in head
    k = head.index("Kanal pengaduan")
    assert rows[1:] and {row[k] for row in rows[1:]} == {"Telepon"}
    r = admin.get("/api/v1/cases/export.csv")
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"))))
    per = {}
    for row in rows[1:]:
        per[row[k]] = per.get(row[k], 0) + 1
    assert per.get("WhatsApp", 0) >= 1 and per.get("Telepon", 0) >= 1
    assert per.get("Datang langsung", 0) >= 1

    # The command line's export: the same filter, a clear refusal.
    out = os.path.join(str(tmp_path), "phone.csv")
    cli = srv.cli("export", "--agency", "satpolpp", "--channel", "phone", "-o", out)
    assert cli.returncode == 0, cli.stderr
    with open(out, encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[1:] and {row[rows[0].index("Kanal pengaduan")] for row in rows[1:]} == {"Telepon"}
    bad = srv.cli("export", "--channel", "sms", "-o", out)
    assert bad.returncode == 2 and "not a channel" in bad.stderr

    # /api/v1/stats: cases per channel, the same counts as the inbox.
    month, first, last = this_month()
    st = Client(srv.port).get("/api/v1/stats", params={"agency": "satpolpp", "from": first,
                                                       "to": last}).json
    by = {b["channel"]: b for b in st["by_channel"]}
    assert by["whatsapp"]["name"] == "WhatsApp" and by["phone"]["name"] == "Telepon"
    assert by["walk_in"]["name"] == "Datang langsung"
    assert sum(b["received"] for b in st["by_channel"]) == st["received"]
    en = Client(srv.port).get("/api/v1/stats", params={"agency": "satpolpp", "from": first,
                                                       "to": last, "lang": "en"}).json
    assert {b["channel"]: b["name"] for b in en["by_channel"]}["walk_in"] == "Walk-in"

    # The monthly PDF: the "Kanal pengaduan" table with the same counts.
    r = admin.get("/api/v1/reports/monthly.pdf", params={"agency": "satpolpp", "month": month})
    assert r.status == 200
    path = os.path.join(str(tmp_path), "r.pdf")
    with open(path, "wb") as f:
        f.write(r.body)
    text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Kanal pengaduan" in text
    for name, key in (("WhatsApp", "whatsapp"), ("Telepon", "phone"),
                      ("Datang langsung", "walk_in")):
        assert re.search(r"%s\s+%d\s+%d" % (name, by[key]["received"], by[key]["resolved"]),
                         text), (name, text)
    assert "Kanal pengaduan yang dipakai: %d" % len(by) in text
