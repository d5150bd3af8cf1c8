#!/usr/bin/python3
"""Times the first page of the inbox (GET /api/v1/cases) on a running aduan.

    inbox_measure.py BASE_URL RUNS [IDS.json]

Logs in as demo users and asks each view RUNS times over one keep-alive
connection, after one warm-up request. The time is from sending the request
to the end of the answer's headers (curl's time_starttransfer): the server's
time plus loopback. Prints one line per view with p50/p99/max in ms and the
number of items of the page, and exits 1 when a request fails or a p99 is
over the 300 ms target. With IDS.json, also writes the ids of each view's
page there, so that two engines loaded with the same data can be compared.
"""
import http.client
import json
import sys
import time
import urllib.parse

BASE = urllib.parse.urlsplit(sys.argv[1])
RUNS = int(sys.argv[2])
PASSWORD = "aduan-demo"
TARGET_MS = 300.0

VIEWS = [
    ("admin.satpolpp", "default view (newest first)", ""),
    ("superadmin", "superadmin, every agency", ""),
    ("admin.satpolpp", "status=on_hold (rare)", "status=on_hold"),
    ("admin.satpolpp", "status=received, kecamatan", "status=received&kecamatan=63.11.04"),
    ("admin.satpolpp", "status=closed, kecamatan", "status=closed&kecamatan=63.11.08"),
    ("admin.satpolpp", "team + status", "team=3&status=in_progress"),
    ("admin.satpolpp", "category", "category=4"),
    ("admin.satpolpp", "date range (a month in 2024)", "from=2024-03-01&to=2024-04-01"),
    ("admin.satpolpp", "every filter at once",
     "status=closed&kecamatan=63.11.06&category=2&team=1&from=2024-01-01&to=2025-01-01"),
    ("admin.satpolpp", "deep cursor (page in the middle)", "cursor=500000"),
    ("admin.satpolpp", "q=pasar (common word)", "q=pasar"),
    ("admin.satpolpp", "q=trotoar paringin", "q=trotoar+paringin"),
    ("admin.satpolpp", "q=baliho + status=closed", "q=baliho&status=closed"),
    ("admin.satpolpp", "q=tawon (other agency's word: 0 hits)", "q=tawon"),
    ("admin.satpolpp", "q=xyzzy (no such word)", "q=xyzzy"),
    ("admin.satpolpp", "q=pas (prefix)", "q=pas"),
    ("superadmin", "superadmin q=kebakaran + kecamatan", "q=kebakaran&kecamatan=63.11.02"),
    ("admin.damkar", "damkar default", ""),
    ("admin.satpolpp", "change feed (since_id)", "since_id=SINCE"),
    # Issue 13: the LAPOR! filter, and a field officer's view (own teams and
    # open emergencies only).
    ("admin.satpolpp", "lapor=yes (1 in 200)", "lapor=yes"),
    ("admin.satpolpp", "lapor=no", "lapor=no"),
    ("admin.satpolpp", "lapor=yes + status=closed", "lapor=yes&status=closed"),
    ("trc.satpolpp", "field officer default", ""),
    ("trc.satpolpp", "field officer status=in_progress", "status=in_progress"),
    ("trc.satpolpp", "field officer q=pasar", "q=pasar"),
    ("regu.damkar", "fire crew default (+ open emergencies)", ""),
]


def conn():
    return http.client.HTTPConnection(BASE.hostname, BASE.port, timeout=30)


def login(user):
    c = conn()
    c.request("POST", "/api/v1/auth/login", body=json.dumps({"login": user, "password": PASSWORD}),
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit("login %s: HTTP %d" % (user, r.status))
    cookie = r.getheader("Set-Cookie").split(";")[0]
    return c, cookie


def get(c, cookie, path):
    t0 = time.perf_counter()
    c.request("GET", path, headers={"Cookie": cookie})
    r = c.getresponse()
    t1 = time.perf_counter()
    body = r.read()
    return r.status, (t1 - t0) * 1000.0, body


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    sessions = {}
    pages = {}
    bad = False
    print("%-44s %8s %8s %8s %6s" % ("view", "p50 ms", "p99 ms", "max ms", "items"))
    for user, name, query in VIEWS:
        if user not in sessions:
            sessions[user] = login(user)[1]
        cookie = sessions[user]
        # A fresh keep-alive connection per view: the server drops idle ones.
        c = conn()
        if "SINCE" in query:
            st, _, body = get(c, cookie, "/api/v1/cases?limit=1")
            query = query.replace("SINCE", str(json.loads(body)["items"][0]["id"] - 20))
        path = "/api/v1/cases" + ("?" + query if query else "")
        st, _, body = get(c, cookie, path)  # warm-up
        times = []
        for _ in range(RUNS):
            st, ms, body = get(c, cookie, path)
            if st != 200:
                print("%s: HTTP %d %s" % (path, st, body[:200]))
                bad = True
                break
            times.append(ms)
        c.close()
        if not times:
            continue
        n = len(json.loads(body)["items"])
        pages[name] = [x["id"] for x in json.loads(body)["items"]]
        p99 = pct(times, 99)
        bad = bad or p99 > TARGET_MS
        print("%-44s %8.1f %8.1f %8.1f %6d" % (name, pct(times, 50), p99, max(times), n))
    if len(sys.argv) > 3:
        with open(sys.argv[3], "w") as f:
            json.dump(pages, f, indent=1)
    sys.exit(1 if bad else 0)


main()
