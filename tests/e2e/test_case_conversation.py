"""Issue #13, item 4: a conversation belongs to a case. The case page's
thread holds the messages of this case, from the first message of its
report to its close: not a cancelled draft, not another report's summary
and code. The reporter's other cases come as links beside it, and status
updates carry their text. Both engines."""

import re
import time

from aduan_e2e import Client
from wa_helpers import desk, Citizen, superadmin, text_of  # noqa: F401 (a fixture)

WA = "6281313140001"


def login(srv, name):
    c = Client(srv.port)
    assert c.login(name).status == 200
    return c


def send(w):
    done = text_of(w.tap("confirm:send", button=True)[0])
    code = re.search(r"\*([0-9A-Z]{4}-[0-9A-Z]{4})\*", done).group(1)
    cid = [c["id"] for c in superadmin(w.srv).all_cases() if c["tracking_code"] == code][0]
    return cid, code


def thread(c, cid):
    r = c.get("/api/v1/cases/%d/conversation" % cid)
    assert r.status == 200, r
    return r.json


def texts(conv):
    return "\n".join(i["text"] or "" for i in conv["items"])


def test_the_thread_holds_this_case_only(desk):
    srv, graph = desk
    admin = login(srv, "admin.satpolpp")
    w = Citizen(srv, graph, WA, name="Sari")

    # A draft the citizen cancels.
    w.text("halo")
    w.tap("menu:report")
    w.tap("consent:yes", button=True)
    w.tap("cat:1")
    w.text("DRAF PERTAMA yang akhirnya dibatalkan")
    assert "dibatalkan" in text_of(w.text("batal")[0])

    # Report A, then report B.
    w.text("halo")
    w.tap("menu:report")
    w.tap("cat:1")
    w.text("LAPORAN A: balap liar tiap malam di depan pasar")
    w.text("Jl. A. Yani dekat pasar Paringin")
    w.tap("kec:63.11.06")
    w.tap("photos:skip", button=True)
    a, code_a = send(w)
    # A draft cancelled while A is open: still no case's.
    w.text("halo")
    w.tap("menu:report")
    w.tap("cat:1")
    w.text("DRAF KEDUA yang juga dibatalkan")
    w.text("batal")
    w.text("halo")
    w.tap("menu:report")
    w.tap("cat:1")
    w.text("LAPORAN B: parkir liar menutup jalan masuk")
    w.text("Jl. Merdeka depan toko emas")
    w.tap("kec:63.11.06")
    w.tap("photos:skip", button=True)
    b, code_b = send(w)

    ta, tb = thread(admin, a), thread(admin, b)
    sa, sb = texts(ta), texts(tb)
    # A's thread: its report, its summary and code; none of B's, no draft.
    assert "LAPORAN A" in sa and code_a in sa
    assert "LAPORAN B" not in sa and code_b not in sa
    assert "DRAF PERTAMA" not in sa and "DRAF KEDUA" not in sa
    # B's: the same the other way round.
    assert "LAPORAN B" in sb and code_b in sb
    assert "LAPORAN A" not in sb and code_a not in sb
    assert "DRAF PERTAMA" not in sb and "DRAF KEDUA" not in sb
    assert "Laporan dibatalkan" not in sa + sb
    # Each starts with the first message of its report: the greeting.
    assert tb["items"][0]["dir"] == "in" and tb["items"][0]["text"] == "halo"
    # In order: the citizen's messages by their own time, our replies by
    # ours. (A reply is placed after the message it answers, so it may come
    # after a message the citizen sent meanwhile: the two clocks are not
    # comparable when the worker is busy.)
    for way in ("in", "out"):
        ats = [i["at"] for i in tb["items"] if i["dir"] == way]
        assert ats == sorted(ats), way

    # The other cases, as links beside it.
    assert [(o["id"], o["tracking_code"], o["status"]) for o in ta["other_cases"]] == [
        (b, code_b, "received")]
    assert [o["id"] for o in tb["other_cases"]] == [a]
    assert tb["other_cases"][0]["status_label"] == "Diterima"
    # A field officer's page has no such panel.
    kabid, trc = login(srv, "kabid.satpolpp"), login(srv, "trc.satpolpp")
    admin.act(a, "verify", public_note="Sudah kami periksa")
    kabid.act(a, "dispatch", team_id=kabid.team_id("TRC Pos Paringin"))
    assert thread(trc, a)["other_cases"] is None

    # Status updates show what they said, not a placeholder.
    for _ in range(100):
        ups = [i for i in thread(admin, a)["items"] if i["type"] == "status_update"]
        if len(ups) == 2 and all(u["state"] == "sent" for u in ups):
            break
        time.sleep(0.1)
    assert [u["text"] for u in ups] == [
        "Laporan *%s*: Diverifikasi.\nSudah kami periksa" % code_a,
        "Laporan *%s*: Didisposisikan ke tim." % code_a]

    # What the citizen writes while A is open shows in both open cases; once
    # A is closed, what follows is no longer A's.
    w.text("Terima kasih atas tindak lanjutnya")
    trc.act(a, "start")
    trc.act(a, "resolve", public_note="Para pemuda dibubarkan")
    admin.act(a, "close")
    time.sleep(1.1)  # message times are in seconds
    w.text("Pesan sesudah laporan A ditutup")
    sa, sb = texts(thread(admin, a)), texts(thread(admin, b))
    assert "Terima kasih atas tindak lanjutnya" in sa and "Terima kasih atas tindak lanjutnya" in sb
    assert "Pesan sesudah laporan A ditutup" not in sa
    assert "Pesan sesudah laporan A ditutup" in sb
    # The closing update is A's and stays in A's thread.
    assert "Ditutup" in sa and "Ditutup" not in sb
