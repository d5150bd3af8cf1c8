"""The crash loop (issue #19 §5): webhook load, kill -9, restart, again; then
every acknowledged message must be in the database and processed exactly
once. Used by tests/e2e/test_crash_loop.py (10 cycles in `make test`) and by
bench/crash_loop.sh (100 cycles, a release build, PostgreSQL with fsync on):

    python3 tests/e2e/crash_loop.py --cycles 100 --workdir DIR [--database-url URL]

Each cycle starts `aduan serve` on the same database, posts signed webhooks
(each a "halo" from a citizen of its own, so that each processing leaves
exactly one reply) from three threads at about 150 a second, and kills the server with SIGKILL
after a random moment (0.2-0.8 s, seeded: the same cycles every run) while
requests, the dialogue and the sends are in flight. The fake Graph API
answers each send after SEND_DELAY, so that a kill often lands during one.
After the last cycle a server runs to the end; Meta's retries are played
(every request whose answer was lost, and one in ten acknowledged ones,
are sent again) and then the database is checked:

- every acknowledged message is in the inbox and was processed: its
  "m:<wamid>" key is in inbound_seen and it is in the message log once;
- nothing is left waiting or dead in the inbox or the outbox;
- every citizen got exactly as many replies queued as one processing
  makes (processed once: a crash never repeats the dialogue);
- the fake Graph API got each reply at least once, and at most one more
  time per kill (the outbox's at-least-once window, docs/WHATSAPP.md 7.4).
"""

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fakes"))

from aduan_e2e import HOST, Server, sanitizer_problems  # noqa: E402
from graph_client import FakeGraph  # noqa: E402
from wa_helpers import SATPOLPP, SECRET, envelope, sign  # noqa: E402

THREADS = 3
PAUSE = 0.02  # seconds between one thread's requests: about 150 webhooks/s in all
SEND_DELAY = 0.005  # seconds the fake Graph API takes to answer a send
TOKEN = "crash-graph-token"


class Load:
    """Threads posting unique signed webhooks until stopped; records each
    request's wamid and whether it got its 200."""

    def __init__(self, port, first_id):
        self.port = port
        self.next_id = first_id
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.acked, self.lost = {}, {}  # wamid -> body
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(THREADS)]

    def body(self):
        with self.lock:
            n = self.next_id
            self.next_id += 1
        wa_id = "62877%08d" % n
        wamid = "wamid.CRASH%08d" % n
        msg = {"from": wa_id, "id": wamid, "timestamp": str(int(time.time())), "type": "text",
               "text": {"body": "halo"}}
        return wamid, json.dumps(envelope(SATPOLPP, [msg], wa_id=wa_id)).encode()

    def run(self):
        conn = None
        while not self.stop.is_set():
            wamid, body = self.body()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
                conn.request("POST", "/webhooks/whatsapp", body=body,
                             headers={"Content-Type": "application/json",
                                      "X-Hub-Signature-256": sign(body)})
                r = conn.getresponse()
                r.read()
                ok = r.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                if conn:
                    conn.close()
                conn = None
                time.sleep(0.01)
            with self.lock:
                (self.acked if ok else self.lost)[wamid] = body
            self.stop.wait(PAUSE)
        if conn:
            conn.close()

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)


class Db:
    """Read-only queries on the server's database: sqlite3 or psql."""

    def __init__(self, srv, url):
        self.srv, self.url = srv, url

    def rows(self, sql):
        if self.url.startswith("sqlite:"):
            cmd = ["sqlite3", "-batch", "-noheader", "-separator", "\t", self.url[7:], sql]
        else:
            cmd = [os.path.join(os.environ["ADUAN_TEST_PG_BIN"], "psql"), "-X", "-q", "-A", "-t",
                   "-F", "\t", "-d", self.url.replace("postgres://", "postgresql://", 1), "-c", sql]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise AssertionError("%s: %s" % (" ".join(cmd[:2]), r.stderr))
        return [line.split("\t") for line in r.stdout.splitlines() if line]

    def value(self, sql):
        return int(self.rows(sql)[0][0])


def kill9(srv):
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait()
    srv.proc = None
    srv._close_files()


def post_all(port, bodies):
    for body in bodies:
        for _ in range(50):
            try:
                c = http.client.HTTPConnection(HOST, port, timeout=10)
                c.request("POST", "/webhooks/whatsapp", body=body,
                          headers={"Content-Type": "application/json",
                                   "X-Hub-Signature-256": sign(body)})
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise AssertionError("a retried webhook was never acknowledged")


def wait_settled(db, timeout):
    deadline = time.monotonic() + timeout
    while True:
        waiting = db.value("SELECT (SELECT count(*) FROM inbound WHERE state = 'new') +"
                           " (SELECT count(*) FROM outbox WHERE state = 'pending')")
        if waiting == 0:
            return
        if time.monotonic() > deadline:
            raise AssertionError("%d inbox/outbox rows still waiting after %ss" % (waiting, timeout))
        time.sleep(0.25)


def run(workdir, cycles, database_url=None, extra_env=None, seed=19, log=print):
    """Runs the crash loop; returns a dict of figures. Raises AssertionError
    on any lost, doubled or unprocessed acknowledged message."""
    rng = random.Random(seed)
    graph = FakeGraph(token=TOKEN)
    env = {"ADUAN_WA_APP_SECRET": SECRET, "ADUAN_WA_VERIFY_TOKEN": "v",
           "ADUAN_WA_GRAPH_URL": graph.base_url, "ADUAN_WA_ACCESS_TOKEN": TOKEN,
           "ADUAN_LOG_LEVEL": "warn"}
    if database_url:
        env["ADUAN_DATABASE_URL"] = database_url
    env.update(extra_env or {})
    srv = Server(workdir, env)
    url = database_url or "sqlite:" + srv.db_path
    db = Db(srv, url)
    acked, lost = {}, {}
    problems = []
    t0 = time.monotonic()
    try:
        srv.init(demo=True)
        graph.fail_timeout(seconds=SEND_DELAY, times=-1)
        for cycle in range(cycles):
            srv.start()
            load = Load(srv.port, 1 + cycle * 1000000)
            load.start()
            time.sleep(rng.uniform(0.2, 0.8))
            kill9(srv)
            load.finish()
            acked.update(load.acked)
            lost.update(load.lost)
            found = sanitizer_problems(srv.read_stderr())
            if found:
                problems.append("cycle %d: %s\n%s" % (cycle, found, srv.read_stderr()[-4000:]))
            log("cycle %d: %d acknowledged, %d answers lost" % (cycle + 1, len(load.acked),
                                                               len(load.lost)))
        srv.start()
        # Meta retries what it got no 200 for, and now and then what it did.
        retried = list(lost.values()) + [b for i, b in enumerate(acked.values()) if i % 10 == 0]
        post_all(srv.port, retried)
        wait_settled(db, timeout=120 + len(acked) // 20)
        graph.clear_rules()
        figures = check(db, graph, acked, lost, cycles)
        figures["seconds"] = round(time.monotonic() - t0, 1)
        stop = srv.stop()
        if stop:
            problems.extend(stop)
        if problems:
            raise AssertionError("\n".join(problems))
        return figures
    finally:
        if srv.proc is not None:
            srv.stop()
        graph.stop()


def check(db, graph, acked, lost, cycles):
    # The inbox: which messages it holds, processed or not.
    seen = {r[0][2:] for r in db.rows("SELECT key FROM inbound_seen WHERE key LIKE 'm:wamid.CRASH%'")}
    logged = {}
    for (wamid,) in db.rows("SELECT wamid FROM messages WHERE direction = 'in'"
                            " AND wamid LIKE 'wamid.CRASH%'"):
        logged[wamid] = logged.get(wamid, 0) + 1
    missing = [w for w in acked if w not in seen]
    assert not missing, "acknowledged but not processed: %d, e.g. %s" % (len(missing), missing[:5])
    unlogged = [w for w in acked if logged.get(w) != 1]
    assert not unlogged, "not in the message log exactly once: %s" % unlogged[:5]
    stranger = seen - set(acked) - set(lost)
    assert not stranger, "processed but never sent: %s" % sorted(stranger)[:5]
    left = db.rows("SELECT state, count(*) FROM inbound WHERE state <> 'done' GROUP BY state")
    assert not left, "inbox rows not done: %s" % left
    left = db.rows("SELECT state, count(*) FROM outbox WHERE state <> 'sent' GROUP BY state")
    assert not left, "outbox rows not sent: %s" % left
    # Processed once: every citizen has the replies of one processing.
    queued = {}
    for to, n in db.rows("SELECT address, count(*) FROM outbox"
                         " WHERE address LIKE '62877%' GROUP BY address"):
        queued[to] = int(n)
    counts = list(queued.values())
    replies = max(set(counts), key=counts.count)
    odd = sorted((to, n) for to, n in queued.items() if n != replies)
    assert not odd, "replies queued (one processing makes %d): %s" % (replies, odd[:5])
    assert len(queued) == len(seen), (len(queued), len(seen))
    # Sent at least once, and again only when a kill cut the answer off.
    sent = {}
    for r in graph.message_requests():
        to = (r.get("json") or {}).get("to", "")
        digits = "".join(ch for ch in to if ch.isdigit())
        if digits.startswith("62877"):
            sent[digits] = sent.get(digits, 0) + 1
    short = [to for to in queued if sent.get(to, 0) < replies]
    assert not short, "replies never sent: %s" % short[:5]
    duplicates = sum(n - replies for n in sent.values())
    assert duplicates <= cycles, "%d sends repeated after %d kills" % (duplicates, cycles)
    return {"cycles": cycles, "acknowledged": len(acked), "answers_lost": len(lost),
            "lost_but_committed": len(seen & set(lost)), "processed": len(seen),
            "replies_per_message": replies, "repeated_sends": duplicates}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cycles", type=int, default=100)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--database-url")
    ap.add_argument("--seed", type=int, default=19)
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    figures = run(a.workdir, a.cycles, a.database_url, seed=a.seed,
                  log=lambda s: print(s, file=sys.stderr, flush=True))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
