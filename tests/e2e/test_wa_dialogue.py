"""The dialogue's states as data (issue 15, item 3): a conversation whose
stored state no version knows is an error an operator sees (a warning in
the log, a counter in GET /metrics) and the citizen gets the menu; the
names stored before the dialogue became a table keep working."""

import re

from aduan_e2e import http_request
from db_peek import sql
from wa_helpers import Citizen, choices, desk, text_of  # noqa: F401 (desk: the fixture)


def unknown_states(srv):
    r = http_request(srv.port, "GET", "/metrics")
    assert r.status == 200, r
    m = re.search(r"^aduan_dialogue_unknown_state_total (\d+)$", r.body.decode(), re.M)
    assert m, "no aduan_dialogue_unknown_state_total"
    return int(m.group(1))


def state_of(srv, wa_id):
    return sql(srv, "SELECT state FROM conversations WHERE address = ?", (wa_id,))[0][0]


def test_unknown_state_is_a_warning_a_metric_and_the_menu(desk):
    srv, graph = desk
    w = Citizen(srv, graph, "6281234599001")
    assert "menu:report" in choices(w.text("halo")[0])
    assert unknown_states(srv) == 0
    # A row written by another version (or by hand): no table knows it.
    sql(srv, "UPDATE conversations SET state = ? WHERE address = ?",
        ("langkah_baru", "6281234599001"))
    got = w.text("Jalan di depan rumah saya rusak")
    assert len(got) == 1 and "menu:report" in choices(got[0])
    assert "Satpol PP" in text_of(got[0])
    assert state_of(srv, "6281234599001") == "menu"
    assert unknown_states(srv) == 1
    log = srv.read_stderr()
    warn = [ln for ln in log.splitlines() if "event=unknown_state" in ln]
    assert len(warn) == 1 and "WARN" in warn[0].upper(), warn
    assert 'state="langkah_baru"' in warn[0]
    assert "6281234599001" not in warn[0]  # no personal data in the log
    # The conversation goes on from the menu as usual.
    assert "consent:yes" in choices(w.tap("menu:report")[0])
    assert unknown_states(srv) == 1


def test_stored_names_of_every_sub_dialogue_still_work(desk):
    """Conversations in progress when the server is upgraded keep their
    step: the names stored by the string dialogue map to the same steps."""
    srv, graph = desk
    w = Citizen(srv, graph, "6281234599002")
    w.text("halo")
    w.tap("menu:report")
    cats = w.tap("consent:yes", button=True)[0]
    pkl = [c for c in choices(cats) if c.startswith("cat:")][1]
    w.tap(pkl)
    assert state_of(srv, "6281234599002") == "describe"
    # A request sent back as incomplete (its case is gone): the step
    # "svc_resend:<id>" still answers for it.
    sql(srv, "UPDATE conversations SET state = ? WHERE address = ?",
        ("svc_resend:987654", "6281234599002"))
    got = w.text("ini dokumennya")
    assert len(got) == 1 and "tidak sedang menunggu" in text_of(got[0])
    assert state_of(srv, "6281234599002") == "idle"
    assert unknown_states(srv) == 0
