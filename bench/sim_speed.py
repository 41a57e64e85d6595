# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator's own speed (prints figures; asserts nothing).

    python bench/sim_speed.py [--seconds 5] [--runs 10000] [--page-size 100] [--json]

1. State polls per second: ``GET .../executions/{id}/state`` in a loop over one keep-alive TLS session
   (requests, as the collection's client does; and http.client, a lighter client).
2. Listing cost: the time per page of ``GET /workflows/{id}/executions`` for a workflow with 10 runs and for one
   with ``--runs`` runs, walking every page in order (startIndex 0, n, 2n ...), plus the last page asked alone
   and a state condition.

The simulator is a fresh ``python -m simulator`` process of its own (``sim.Sim.start``), so client and server do
not share a GIL and the seeded runs start from an empty store.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import ssl
import statistics
import sys
import time

import requests

from sim import SLEEP_ID, Sim

AWSNEW_ID = "3a0ab069-cf2f-47e0-96f5-4a8920a5dc51"  # the built-in workflows whose executions are listed
ECHO_ID = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001"


def session(sim):
    """A keep-alive session as the collection's client holds one: the simulator's CA, Basic auth as the vRO admin."""
    web = requests.Session()
    web.trust_env = False  # REQUESTS_CA_BUNDLE would replace the simulator's CA
    web.verify = sim.ca_path
    web.auth = sim.user("vro")
    return web


def polls_per_second(sim, seconds):
    """(requests polls/s, http.client polls/s) for one state URL over one connection each."""
    web = session(sim)
    path = "/vco/api/workflows/%s/executions/%s/state" % (SLEEP_ID, sim.start_sleep(3600))
    url = sim.url + path
    web.get(url).raise_for_status()
    count, deadline = 0, time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        response = web.get(url)
        assert response.status_code == 200
        count += 1
    with_requests = count / (time.perf_counter() - started)

    context = ssl.create_default_context(cafile=sim.ca_path)
    host, port = sim.url.split("//", 1)[1].rsplit(":", 1)
    conn = http.client.HTTPSConnection(host, int(port), context=context, timeout=30)
    headers = {"Authorization": requests.auth._basic_auth_str(*web.auth)}  # pylint: disable=protected-access
    count, deadline = 0, time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 200
        count += 1
    conn.close()
    return with_requests, count / (time.perf_counter() - started)


def page_times(sim, runs, page_size, repeats=20, seed=True):
    """Median milliseconds per page for 10 runs and for ``runs`` runs (``seed`` creates the runs first)."""
    web = session(sim)
    if seed:
        sim.admin("POST", "vro/workflows/%s/runs" % ECHO_ID, json={"count": 10, "state": "completed"})
        sim.admin("POST", "vro/workflows/%s/runs" % AWSNEW_ID, json={"count": runs - 5, "state": "completed", "running": 5})
    results = {}
    for label, wid, total in (("10 runs", ECHO_ID, 10), ("%d runs" % runs, AWSNEW_ID, runs)):
        url = sim.url + "/vco/api/workflows/%s/executions" % wid
        walk = []  # every page of a sequential walk (repeated until at least `repeats` pages were timed)
        while len(walk) < repeats:
            start = 0
            while start < total:
                started = time.perf_counter()
                response = web.get(url, params={"maxResult": page_size, "startIndex": start})
                response.raise_for_status()
                walk.append((time.perf_counter() - started) * 1000.0)
                start += page_size
        deep = []  # the same deep page asked again and again (no cursor to resume from)
        for _round in range(repeats):
            started = time.perf_counter()
            web.get(url, params={"maxResult": page_size, "startIndex": max(0, total - page_size)}).raise_for_status()
            deep.append((time.perf_counter() - started) * 1000.0)
        filtered = []
        for _round in range(repeats):
            started = time.perf_counter()
            web.get(url, params={"maxResult": page_size, "conditions": "state=running"}).raise_for_status()
            filtered.append((time.perf_counter() - started) * 1000.0)
        results[label] = {
            "page by page, median": round(statistics.median(walk), 2),
            "page by page, p95": round(sorted(walk)[int(len(walk) * 0.95) - 1], 2),
            "pages walked": len(walk),
            "last page alone": round(statistics.median(deep), 2),
            "state=running": round(statistics.median(filtered), 2),
            "total": web.get(url, params={"maxResult": 1}).json()["relations"]["total"],
        }
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python bench/sim_speed.py")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=10000)
    parser.add_argument("--page-size", type=int, action="append", help="page sizes to time (default 10 and 100)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    page_sizes = args.page_size or [10, 100]
    sim = Sim.start()
    try:
        via_requests, via_http_client = polls_per_second(sim, args.seconds)
        pages = {size: page_times(sim, args.runs, size, seed=(size == page_sizes[0])) for size in page_sizes}
    finally:
        sim.stop()
    result = {"state_polls_per_second": {"requests_keepalive_tls": round(via_requests), "http_client_keepalive_tls": round(via_http_client)},
              "page_ms_median": {str(k): v for k, v in pages.items()}, "cpus": os.cpu_count(),
              "load_average": os.getloadavg()}
    if args.json:
        print(json.dumps(result))
    else:
        print("state polls/s over one keep-alive TLS connection: requests %d, http.client %d"
              % (result["state_polls_per_second"]["requests_keepalive_tls"], result["state_polls_per_second"]["http_client_keepalive_tls"]))
        for size, by_label in pages.items():
            for label, figures in by_label.items():
                print("executions list, %s, page of %d: %s" % (label, size, ", ".join(
                    ("%s %s" if k == "pages walked" else "%s %s ms") % (k, v) for k, v in figures.items() if k != "total")))
        print("load average while measuring: %.2f %.2f %.2f on %d CPUs" % (os.getloadavg() + (os.cpu_count(),)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
