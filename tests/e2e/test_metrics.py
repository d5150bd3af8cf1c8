"""Issue 19 §6: GET /metrics in the Prometheus text exposition format 0.0.4,
answered to loopback and ADUAN_METRICS_ALLOW only.

No Prometheus parser is installed here, so `parse` below checks the format
line by line as the 0.0.4 specification states it (comments, metric and
label names, escapes, values, TYPE before samples, one group per metric,
no repeated series, histogram buckets cumulative with +Inf = _count).

The servers trust 127.0.0.2 as their proxy (ADUAN_TRUSTED_PROXIES), so a
request from 127.0.0.2 with X-Forwarded-For is a request from that
address: the way these tests reach aduan from a non-loopback client.
"""

import json
import math
import os
import re
import time

import pytest

from aduan_e2e import Client, base_env, http_request, run_cli
from wa_helpers import SATPOLPP, envelope, message, sign, start

PROXY = "127.0.0.2"
ALLOWED_NET = "203.0.113.0/24"
EXTRA = {"ADUAN_TRUSTED_PROXIES": PROXY, "ADUAN_METRICS_ALLOW": ALLOWED_NET}
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE = r"[+-]?(?:Inf|NaN|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)"
LABEL_RE = re.compile(r'(%s)="((?:[^"\\\n]|\\[\\"n])*)"' % LABEL)
SAMPLE_RE = re.compile(r"^(%s)(?:\{(.*)\})? (%s)(?: -?[0-9]+)?$" % (NAME, VALUE))
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def parse_labels(text, line):
    if not text:
        return ()
    out, pos = [], 0
    while pos < len(text):
        m = LABEL_RE.match(text, pos)
        assert m, "bad label set in %r" % line
        out.append((m.group(1), m.group(2)))
        pos = m.end()
        if pos < len(text):
            assert text[pos] == ",", "bad label separator in %r" % line
            pos += 1
    names = [n for n, _ in out]
    assert len(names) == len(set(names)), "repeated label in %r" % line
    return tuple(sorted(out))


def family_of(sample, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = sample[:-len(suffix)] if sample.endswith(suffix) else None
        if base and types.get(base) in ("histogram", "summary"):
            return base
    return sample


def parse(text):
    """{family: {"type", "help", "samples": {(name, labels): value}}}, asserting
    the 0.0.4 text format strictly."""
    assert text.endswith("\n"), "the exposition must end with a line feed"
    fams, order, done, series = {}, [], set(), set()
    current = None
    for line in text[:-1].split("\n"):
        assert line == line.strip() and line, "blank or padded line %r" % line
        if line.startswith("#"):
            m = re.match(r"^# (HELP|TYPE) (%s) (.*)$" % NAME, line)
            assert m, "bad comment line %r" % line
            kind, name, rest = m.groups()
            f = fams.setdefault(name, {"type": None, "help": None, "samples": {}})
            if kind == "TYPE":
                assert rest in TYPES, line
                assert f["type"] is None and not f["samples"], "late or repeated TYPE: %r" % line
                f["type"] = rest
            else:
                assert f["help"] is None, "repeated HELP: %r" % line
                f["help"] = rest
            continue
        m = SAMPLE_RE.match(line)
        assert m, "bad sample line %r" % line
        name, labels, value = m.group(1), parse_labels(m.group(2), line), m.group(3)
        fam = family_of(name, {k: v["type"] for k, v in fams.items()})
        assert fam in fams and fams[fam]["type"], "sample before its TYPE: %r" % line
        if fam != current:
            assert fam not in done, "the samples of %s are not together" % fam
            if current:
                done.add(current)
            current = fam
            order.append(fam)
        assert (name, labels) not in series, "repeated series %r" % line
        series.add((name, labels))
        fams[fam]["samples"][(name, labels)] = float(value)
    for name, f in fams.items():
        assert f["type"] and f["help"], "%s lacks TYPE or HELP" % name
        if f["type"] == "counter":
            assert name.endswith("_total"), name
            assert all(v >= 0 for v in f["samples"].values()), name
        if f["type"] == "histogram":
            check_histogram(name, f["samples"])
    return fams


def check_histogram(name, samples):
    buckets = sorted(((float("inf") if dict(l)["le"] == "+Inf" else float(dict(l)["le"])), v)
                     for (n, l), v in samples.items() if n == name + "_bucket")
    assert buckets and math.isinf(buckets[-1][0]), "%s: no +Inf bucket" % name
    counts = [v for _, v in buckets]
    assert counts == sorted(counts), "%s: buckets not cumulative %s" % (name, counts)
    assert samples[(name + "_count", ())] == counts[-1]
    assert samples[(name + "_sum", ())] >= 0


def scrape(port, source=None, xff=None):
    h = {"X-Forwarded-For": xff} if xff else None
    return http_request(port, "GET", "/metrics", headers=h, source=source)


def metrics(port):
    r = scrape(port)
    assert r.status == 200, r
    assert r.header("Content-Type") == CONTENT_TYPE, r.headers
    return parse(r.body.decode("utf-8"))


def value(fams, family, name=None, **labels):
    key = (name or family, tuple(sorted(labels.items())))
    return fams[family]["samples"].get(key, 0.0)


def post_webhook(port, body, signed=True):
    h = {"Content-Type": "application/json"}
    if signed:
        h["X-Hub-Signature-256"] = sign(body)
    return http_request(port, "POST", "/webhooks/whatsapp", body=body, headers=h)


def wait_for(pred, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(0.1)
    return pred()


@pytest.fixture(params=["sqlite", "postgres"])
def desk(request, tmp_path):
    from aduan_e2e import pg_available
    if request.param == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    srv, graph = start(tmp_path, request.param, extra_env=EXTRA)
    yield srv, graph
    try:
        assert not srv.stop()
    finally:
        graph.stop()


def test_metrics_format_and_what_they_count(desk):
    srv, graph = desk
    m0 = metrics(srv.port)
    expected = {
        "aduan_build_info": "gauge", "aduan_database_up": "gauge",
        "aduan_webhook_requests_total": "counter", "aduan_webhook_ack_seconds": "histogram",
        "aduan_inbound_pending": "gauge", "aduan_inbound_oldest_age_seconds": "gauge",
        "aduan_inbound_dead": "gauge", "aduan_outbox_pending": "gauge",
        "aduan_outbox_due": "gauge", "aduan_wa_sends_total": "counter",
        "aduan_endpoints_paused": "gauge", "aduan_sla_breaches_total": "counter",
        "aduan_sessions_active": "gauge", "aduan_db_pool_waits_total": "counter",
        "aduan_db_pool_wait_seconds_total": "counter",
    }
    assert {k: m0[k]["type"] for k in expected if k in m0} == expected
    assert value(m0, "aduan_database_up") == 1

    # Five signed webhooks (each a new citizen: aduan answers each) and
    # one unsigned one.
    for i in range(5):
        msg = message("62813%07d" % i, "text", body="Ada sampah menumpuk %d" % i)
        assert post_webhook(srv.port, json.dumps(envelope(SATPOLPP, [msg])).encode()).status == 200
    assert post_webhook(srv.port, b'{"object":"x"}', signed=False).status == 401
    # A signed body that is not UTF-8 is kept as a dead letter at once.
    assert post_webhook(srv.port, b"\xff\xfe bukan teks").status == 200
    Client(srv.port).login("admin.satpolpp")

    def sent_enough():
        m = metrics(srv.port)
        ok = value(m, "aduan_wa_sends_total", result="sent", code="none") >= \
            value(m0, "aduan_wa_sends_total", result="sent", code="none") + 5
        return m if ok and value(m, "aduan_inbound_pending") == 0 else None
    m1 = wait_for(sent_enough)
    assert m1, "the replies were not counted as sent"
    acked = lambda m: value(m, "aduan_webhook_requests_total", result="acknowledged")  # noqa
    assert acked(m1) - acked(m0) == 6
    assert value(m1, "aduan_webhook_requests_total", result="rejected") - \
        value(m0, "aduan_webhook_requests_total", result="rejected") == 1
    count = "aduan_webhook_ack_seconds_count"
    assert value(m1, "aduan_webhook_ack_seconds", count) - \
        value(m0, "aduan_webhook_ack_seconds", count) == 6
    assert value(m1, "aduan_webhook_ack_seconds", "aduan_webhook_ack_seconds_sum") > 0
    assert value(m1, "aduan_inbound_dead") - value(m0, "aduan_inbound_dead") == 1
    assert value(m1, "aduan_sessions_active") - value(m0, "aduan_sessions_active") == 1
    assert value(m1, "aduan_inbound_oldest_age_seconds") == 0

    # Meta refuses the token: the send is paused (code 190) and the number
    # counts as paused while its message waits; a pair rate limit retries.
    graph.fail_token(times=-1)
    msg = message("6281399999999", "text", body="Lampu jalan mati")
    assert post_webhook(srv.port, json.dumps(envelope(SATPOLPP, [msg])).encode()).status == 200
    m2 = wait_for(lambda: (lambda m: m if value(m, "aduan_endpoints_paused") >= 1 else None)(
        metrics(srv.port)))
    assert m2, "no paused number"
    assert value(m2, "aduan_wa_sends_total", result="paused", code="190") >= 1
    assert value(m2, "aduan_outbox_pending") >= 1
    assert value(m2, "aduan_endpoints_paused") == 1


def test_metrics_answered_only_to_loopback_and_the_allowed(desk):
    srv, _ = desk
    # Loopback, directly.
    assert scrape(srv.port).status == 200
    assert scrape(srv.port, source="127.0.0.3").status == 200
    # Through the trusted proxy, for a client on the internet: refused.
    r = scrape(srv.port, source=PROXY, xff="198.51.100.7")
    assert r.status == 403 and r.json["error"]["code"] == "forbidden", r
    assert "ADUAN_METRICS_ALLOW" in r.json["error"]["detail"]
    assert b"aduan_" not in r.body
    # ...for a Prometheus server in ADUAN_METRICS_ALLOW: answered.
    r = scrape(srv.port, source=PROXY, xff="203.0.113.9")
    assert r.status == 200 and r.header("Content-Type") == CONTENT_TYPE, r
    parse(r.body.decode())
    # An X-Forwarded-For from a peer that is not a trusted proxy is ignored
    # (the peer, loopback, is the client): no way to pretend to be allowed.
    assert scrape(srv.port, source="127.0.0.4", xff="198.51.100.7").status == 200
    # The method is checked; a scrape changes nothing.
    assert http_request(srv.port, "POST", "/metrics", body=b"").status == 405


@pytest.mark.parametrize("bad", ["bukan-alamat", "10.0.0.0/33", ",".join(["10.0.0.1"] * 17)])
def test_bad_metrics_allow_exits_2_naming_it(tmp_path, bad):
    env = base_env({"ADUAN_DATABASE_URL": "sqlite:" + str(tmp_path / "a.db"),
                    "ADUAN_METRICS_ALLOW": bad})
    r = run_cli(["migrate"], env, str(tmp_path))
    assert r.returncode == 2 and "ADUAN_METRICS_ALLOW" in r.stderr, r.stderr
    assert not os.path.exists(tmp_path / "a.db")


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_pool_waits_are_counted(tmp_path, engine):
    """With one database connection, requests that arrive together queue
    for it: the wait shows in aduan_db_pool_waits_total and its seconds."""
    import threading
    from aduan_e2e import pg_available
    if engine == "postgres" and not pg_available():
        pytest.skip("ADUAN_TEST_PG is not set")
    srv, graph = start(tmp_path, engine, extra_env=dict(EXTRA, ADUAN_DB_POOL_SIZE="1"))
    try:
        before = metrics(srv.port)  # the worker may have waited already

        def hammer():
            c = Client(srv.port)  # each request reads its session and the cases
            assert c.login("superadmin").status == 200
            for _ in range(20):
                assert c.get("/api/v1/cases?limit=1").status == 200

        threads = [threading.Thread(target=hammer) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        after = metrics(srv.port)
        for name in ("aduan_db_pool_waits_total", "aduan_db_pool_wait_seconds_total"):
            assert value(after, name) > value(before, name), (name, before[name], after[name])
    finally:
        try:
            assert not srv.stop()
        finally:
            graph.stop()
