"""The simulator core: store, faults, counters and request log, keep-alive, reset, settings, CLI contract,
catalogue file, restart."""

from __future__ import annotations

import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time

import pytest
import requests

from conftest import ADMIN, ROOT, VroClient, param  # pylint: disable=import-error
from simulator import catalog, faults, vro_catalog
from simulator.store import Store

AWSNEW = vro_catalog.AWSNEW_ID
RUN_PATH = "/vco/api/workflows/%s/executions" % AWSNEW
NAME = [param("name", "string", "string", {"value": "n"})]


# -- store ----------------------------------------------------------------------------------------------------
def test_store_query_filters_and_paging(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    rows = [("run", "r%03d" % i, {"i": i}, "wf1" if i % 2 else "wf2", "running" if i % 5 == 0 else "completed",
             float(i), "name%d" % (i % 3), "alice" if i < 50 else "bob") for i in range(100)]
    store.put_many(rows)
    docs, total = store.query("run", parent="wf1", limit=5, offset=2)
    assert total == 50 and [d["i"] for d in docs] == [95, 93, 91, 89, 87]
    docs, total = store.query("run", parent="wf1", states=["running"], descending=False)
    assert total == 10 and [d["i"] for d in docs][:3] == [5, 15, 25]
    assert store.count("run", owner="alice", sort_after=40.0) == 9
    assert store.count("run", sort_before=10.0, name="name0") == 4
    assert store.count("run", name_contains="NAME1") == 33
    assert store.count("run", states=[]) == 0
    store.put("run", "r001", {"i": -1}, parent="wf1", state="failed", sort_key=1.0)
    assert store.get("run", "r001") == {"i": -1}
    assert store.delete("run", "r001") and not store.delete("run", "r001") and store.get("run", "r001") is None
    assert [store.next_id("x") for _round in range(3)] == [1, 2, 3]
    store.reset()
    assert store.is_empty() and store.next_id("x") == 1


def test_store_transactions_serialise_read_modify_write(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    store.put("counter", "c", {"n": 0})

    def bump():
        for _round in range(200):
            with store.transaction():
                doc = store.get("counter", "c")
                doc["n"] += 1
                store.put("counter", "c", doc)

    threads = [threading.Thread(target=bump) for _round in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get("counter", "c")["n"] == 800
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.put("counter", "c", {"n": -1})
            raise RuntimeError("rolled back")
    assert store.get("counter", "c")["n"] == 800
    store.close()
    assert Store(tmp_path / "s.sqlite").get("counter", "c")["n"] == 800


# -- faults ---------------------------------------------------------------------------------------------------
def test_fault_spec_parsing_and_validation():
    assert faults.parse_spec("route=/vco/api/*,method=POST,kind=reset_after,count=1") == {
        "route": "/vco/api/*", "method": "POST", "kind": "reset_after", "count": "1"}
    with pytest.raises(faults.FaultError):
        faults.Fault({"kind": "explode"})
    with pytest.raises(faults.FaultError):
        faults.Fault({"kind": "status", "status": 418})
    # 404 on a read: an object the server just named, not readable yet (test fault).
    assert faults.Fault({"kind": "status", "status": 404}).status == 404
    with pytest.raises(faults.FaultError):
        faults.parse_spec("route")
    a, b = faults.Fault({"kind": "status", "probability": 0.5, "seed": 7}), faults.Fault({"kind": "status", "probability": 0.5, "seed": 7})
    assert [a.draw() for _round in range(20)] == [b.draw() for _round in range(20)]
    assert 0 < a.fired < 20


def test_status_throttle_html_bad_json_faults(vro):
    vro.admin("POST", "faults", json={"route": "/vco/api/about", "kind": "status", "status": 503, "count": 1})
    first = vro.http.get(vro.url + "/vco/api/about")
    assert first.status_code == 503 and first.json() == {"status": 503, "message": "Simulated server error 503"}
    assert vro.http.get(vro.url + "/vco/api/about").status_code == 200  # count=1: only the next request
    vro.admin("POST", "faults", json={"route": "/vco/api/about", "kind": "throttle", "retry_after": 7, "count": 1})
    throttled = vro.http.get(vro.url + "/vco/api/about")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "7"
    vro.admin("POST", "faults", json={"route": "/vco/api/*", "method": "GET", "kind": "html", "count": 1})
    page = vro.http.get(vro.url + "/vco/api/workflows")
    assert page.status_code == 502 and page.headers["Content-Type"].startswith("text/html") and "<html>" in page.text
    vro.admin("POST", "faults", json={"route": "/vco/api/about", "kind": "bad_json", "count": 1})
    garbled = vro.http.get(vro.url + "/vco/api/about")
    assert garbled.status_code == 200
    with pytest.raises(ValueError):
        json.loads(garbled.text)
    vro.admin("POST", "faults", json={"route": "/vco/api/about", "kind": "latency", "latency": 0.3, "count": 1})
    started = time.monotonic()
    assert vro.http.get(vro.url + "/vco/api/about").status_code == 200
    assert time.monotonic() - started >= 0.3
    log = vro.admin("GET", "requests", params={"limit": 5})["requests"]
    assert [e["fault"] for e in log] == [None, "throttle", "html", "bad_json", "latency"]
    assert vro.admin("GET", "faults")["faults"][0]["fired"] == 1


def test_token_expired_fault_per_product(vro):
    vro.admin("POST", "faults", json={"route": "*", "kind": "token_expired", "count": 3})
    vro_answer = vro.http.get(vro.url + "/vco/api/workflows")
    assert vro_answer.status_code == 401 and vro_answer.json()["status"] == 401
    vcf_answer = vro.http.get(vro.url + "/v1/tasks")
    assert vcf_answer.status_code == 401 and {"errorCode", "message", "referenceToken"} <= set(vcf_answer.json())
    ico_answer = vro.http.get(vro.url + "/orchestrator/v2/tasks")
    assert ico_answer.status_code == 401 and "error_message" in ico_answer.json()
    assert vro.http.get(vro.url + "/vco/api/workflows").status_code == 200


def _runs(vro):
    return vro.admin("GET", "vro/runs", params={"workflow": AWSNEW})["count"]


def test_reset_before_acts_on_nothing(vro):
    vro.admin("POST", "faults", json={"route": "/vco/api/workflows/*/executions", "method": "POST", "kind": "reset_before", "count": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        vro.http.post(vro.url + RUN_PATH, json={"parameters": NAME}, timeout=10)
    assert _runs(vro) == 0
    assert vro.http.post(vro.url + RUN_PATH, json={"parameters": NAME}).status_code == 202
    assert _runs(vro) == 1


def test_reset_after_acts_then_drops_the_answer(vro):
    vro.admin("POST", "faults", json={"route": "/vco/api/workflows/*/executions", "method": "POST", "kind": "reset_after", "count": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        vro.http.post(vro.url + RUN_PATH, json={"parameters": NAME}, timeout=10)
    assert _runs(vro) == 1  # the run was created although the client never heard back
    entry = vro.admin("GET", "requests", params={"limit": 1})["requests"][-1]
    assert entry["fault"] == "reset_after" and entry["status"] == 0
    # The session recovers on a new connection.
    assert vro.http.get(vro.url + "/vco/api/about").status_code == 200


def test_faults_admin_api(vro):
    created = vro.admin("POST", "faults", json={"route": "/x", "kind": "status"})
    listed = vro.admin("GET", "faults")["faults"]
    assert [f["id"] for f in listed] == [created["id"]]
    assert vro.http.post(vro.url + "/_sim/faults", json={"kind": "nope"}).status_code == 400
    assert vro.http.delete(vro.url + "/_sim/faults/%s" % created["id"]).status_code == 204
    assert vro.http.delete(vro.url + "/_sim/faults/%s" % created["id"]).status_code == 404
    vro.admin("POST", "faults", json={"route": "/y", "kind": "html"})
    vro.admin("DELETE", "faults")
    assert vro.admin("GET", "faults")["faults"] == []


# -- counters, request log, reset, settings --------------------------------------------------------------------
def test_counters_request_log_and_reset(vro):
    vro.admin("DELETE", "counters")
    location = vro.start(AWSNEW, NAME).headers["Location"]
    for _round in range(3):
        vro.get(location + "state")
    counters = vro.admin("GET", "counters")
    assert counters["routes"]["POST /vco/api/workflows/<wid>/executions"] == 1
    assert counters["routes"]["GET /vco/api/workflows/<wid>/executions/<eid>/state"] == 3
    assert counters["total"] == 4
    log = vro.admin("GET", "requests")["requests"]
    assert [(e["method"], e["status"], e["user"]) for e in log][0] == ("POST", 202, ADMIN)
    assert not any("/_sim" in e["path"] for e in log)
    vro.admin("PUT", "settings", json={"vcf_access_token_lifetime": 2})
    vro.admin("POST", "reset")
    assert _runs(vro) == 0 and vro.admin("GET", "counters")["total"] == 0
    assert vro.admin("GET", "settings")["vcf_access_token_lifetime"] == 2  # kept unless {"settings": true}
    vro.admin("POST", "reset", json={"settings": True})
    assert vro.admin("GET", "settings")["vcf_access_token_lifetime"] == 3600
    assert vro.http.put(vro.url + "/_sim/settings", json={"vro_version": "9"}).status_code == 400


def test_request_log_is_bounded():
    log = faults.RequestLog(maxlen=10)
    for index in range(25):
        log.record("GET /x", {"i": index})
    assert [e["i"] for e in log.recent()] == list(range(15, 25))
    assert log.counters() == {"routes": {"GET /x": 25}, "total": 25}


# -- keep-alive -----------------------------------------------------------------------------------------------
def test_keep_alive_over_one_tls_connection(fresh_sim):
    context = ssl.create_default_context(cafile=fresh_sim.ca_path)
    conn = http.client.HTTPSConnection("127.0.0.1", fresh_sim.port, context=context, timeout=10)
    headers = {"Authorization": requests.auth._basic_auth_str(ADMIN, fresh_sim.users["vro"][ADMIN]["password"])}  # pylint: disable=protected-access
    sockets = set()
    for path in ("/vco/api/about", "/vco/api/workflows", "/vco/api/nothing-here", "/vco/api/about"):
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        assert response.getheader("Connection") != "close"
        assert int(response.getheader("Content-Length")) == len(body)
        sockets.add(id(conn.sock))
    # A POST with a body the handler does not read must not spoil the next request on the connection.
    conn.request("POST", "/vco/api/about", body=b'{"x": 1}', headers=dict(headers, **{"Content-Type": "application/json"}))
    response = conn.getresponse()
    response.read()
    conn.request("GET", "/vco/api/about", headers=headers)
    assert conn.getresponse().status == 200
    assert len(sockets) == 1
    conn.close()


# -- CLI contract, catalogue, restart ---------------------------------------------------------------------------
def _start_cli(*args):
    proc = subprocess.Popen([sys.executable, "-m", "simulator", *args], cwd=str(ROOT), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    return proc, json.loads(line)


def test_cli_first_line_contract_catalogue_and_sigterm(tmp_path):
    catalogue = tmp_path / "catalog.yml"
    catalogue.write_text(
        "workflows:\n"
        "  - name: Provision database\n"
        "    category: Databases\n"
        "    inputs: [{name: size, type: number}]\n"
        "    outputs: [{name: dbId, type: string}, {name: sizes, type: Array/number}]\n"
        "    behaviour: {duration: 0.2, result: completed, outputs: {dbId: db-1, sizes: [1, 2]}}\n",
        encoding="utf-8")
    data_dir = tmp_path / "data"
    proc, info = _start_cli("--data-dir", str(data_dir), "--catalog", str(catalogue), "--fault",
                            "route=/vco/api/about,kind=status,status=502,count=1")
    try:
        assert set(info) >= {"url", "ca_path", "vro_version", "data_dir", "pid", "users"}
        assert info["url"].startswith("https://127.0.0.1:") and info["pid"] == proc.pid
        assert info["ca_path"] == str(data_dir / "ca.pem") and info["vro_version"] == "8.18"
        assert info["users"]["vro"][ADMIN]["roles"] == ["admin"]
        assert set(info["users"]) >= {"vro"}
        web = requests.Session()
        web.trust_env = False
        web.verify = info["ca_path"]
        web.auth = (ADMIN, info["users"]["vro"][ADMIN]["password"])
        web.headers["X-Sim-Admin-Token"] = info["admin_token"]
        assert web.get(info["url"] + "/vco/api/about").status_code == 502  # the --fault
        found = web.get(info["url"] + "/vco/api/workflows", params={"conditions": "name=Provision database"}).json()
        wid = found["link"][0]["attributes"][0]["value"]
        location = web.post(info["url"] + "/vco/api/workflows/%s/executions" % wid,
                            json={"parameters": [param("size", "number", "number", {"value": 3})]}).headers["Location"]
        deadline = time.monotonic() + 10
        while web.get(location + "state").json()["value"] != "completed" and time.monotonic() < deadline:
            time.sleep(0.05)
        out = {p["name"]: p["value"] for p in web.get(location).json()["output-parameters"]}
        assert out == {"dbId": {"string": {"value": "db-1"}},
                       "sizes": {"array": {"elements": [{"number": {"value": 1.0}}, {"number": {"value": 2.0}}]}}}
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        proc.stdout.close()
        proc.stderr.close()
    # Restart on the same data dir: same CA, the run is still there.
    proc, again = _start_cli("--data-dir", str(data_dir), "--vro-version", "7.6")
    try:
        assert again["ca_path"] == info["ca_path"] and again["vro_version"] == "7.6"
        web.verify = again["ca_path"]
        web.headers["X-Sim-Admin-Token"] = again["admin_token"]  # a new random token per start
        runs = web.get(again["url"] + "/_sim/vro/runs", params={"workflow": wid}).json()
        assert runs["count"] == 1 and runs["runs"][0]["state"] == "completed"
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
        proc.stdout.close()
        proc.stderr.close()


def test_cli_rejects_a_bad_catalogue(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("workflow: []\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "simulator", "--catalog", str(bad), "--data-dir", str(tmp_path / "d")],
                            cwd=str(ROOT), capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and "unknown section" in result.stderr
    with pytest.raises(catalog.CatalogError):
        catalog.check({"workflows": [{"name": "x", "behaviour": {"result": "exploded"}}]})


def test_no_tls_mode(make_sim):
    sim = make_sim(tls=False)
    assert sim.url.startswith("http://") and sim.ca_path is None
    client = VroClient(sim, ADMIN)
    assert client.get("/about").status_code == 200
    assert not os.path.exists(os.path.join(sim.data_dir, "ca.pem"))


def test_concurrent_clients(vro):
    """Eight threads start and poll runs at once: every start is answered once and recorded once."""
    errors, locations = [], []
    lock = threading.Lock()

    def worker():
        client = VroClient(vro.sim, ADMIN)
        try:
            for _round in range(10):
                response = client.start(AWSNEW, NAME)
                if response.status_code != 202:
                    errors.append(response.text)
                    continue
                with lock:
                    locations.append(response.headers["Location"])
                for _poll in range(3):
                    if client.get(response.headers["Location"] + "state").status_code != 200:
                        errors.append("poll")
        except requests.RequestException as exc:  # pragma: no cover - reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker) for _round in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    assert len(set(locations)) == 80
    assert _runs(vro) == 80
    assert vro.admin("GET", "counters")["routes"]["POST /vco/api/workflows/<wid>/executions"] == 80


def test_store_tallies_match_counting(tmp_path):
    """Counts by kind/parent/state come from trigger-maintained tallies; they must equal a real COUNT(*)."""
    store = Store(tmp_path / "t.sqlite")
    rows = [("run", "r%d" % i, {}, "wf%d" % (i % 3), ("running", "completed", None)[i % 3], float(i), None, None) for i in range(60)]
    store.put_many(rows)
    store.put("run", "r1", {}, parent="wf9", state="failed", sort_key=1.0)  # moves between tallies
    store.put("run", "r2", {}, parent="wf2", state=None, sort_key=2.0)      # same tally, body update
    store.delete("run", "r3")
    store.put("other", "x", {}, parent="wf0", state="running")

    def counted(**filters):
        # sort_after=-inf is a no-op filter that forces a real COUNT(*)
        return store.count("run", sort_after=float("-inf"), **filters)

    for filters in ({}, {"parent": "wf0"}, {"parent": "wf9"}, {"states": ["running"]}, {"parent": "wf1", "states": ["running", "failed"]},
                    {"states": []}):
        assert store.count("run", **filters) == counted(**filters), filters
        assert store.query("run", limit=1, **filters)[1] == counted(**filters), filters
    assert store.count("run") == 59 and store.count("run", parent="wf9", states=["failed"]) == 1
    store.close()
    # A data directory from before the tallies is counted once on open.
    import sqlite3  # pylint: disable=import-outside-toplevel
    db = sqlite3.connect(str(tmp_path / "t.sqlite"))
    db.execute("DELETE FROM tallies")
    db.execute("PRAGMA user_version = 0")
    db.commit()
    db.close()
    store = Store(tmp_path / "t.sqlite")
    assert store.count("run") == 59 and store.count("run", parent="wf0", states=["running"]) == counted(parent="wf0", states=["running"])
    store.reset()
    assert store.count("run") == 0 and store.count("other") == 0


def test_store_paging_page_by_page_matches_offsets(tmp_path):
    """Consecutive pages resume from a cursor; the result must be what plain OFFSET paging gives, also after writes."""
    store = Store(tmp_path / "p.sqlite")
    rows = [("run", "r%04d" % i, {"i": i}, "wf", ("running", "completed")[i % 2], float(i // 3) if i % 7 else None, None, None)
            for i in range(500)]
    store.put_many(rows)
    store.put_many([("run", "s%04d" % i, {"i": 1000 + i}, "wf2", "completed", float(i // 2), None, None) for i in range(300)])

    def walk(parent, states=None, descending=True, write_at=None):
        seen, offset = [], 0
        while True:
            if write_at is not None and offset == write_at:
                store.put("run", "new", {"i": -1}, parent=parent, state="completed", sort_key=10000.0)
            docs, _total = store.query("run", parent=parent, states=states, limit=23, offset=offset, descending=descending)
            if not docs:
                return seen
            seen += [d["i"] for d in docs]
            offset += len(docs)

    for parent in ("wf", "wf2"):
        for states in (None, ["running"], ["completed"]):
            for descending in (True, False):
                expected = [d["i"] for d in store.query("run", parent=parent, states=states, descending=descending)[0]]
                assert walk(parent, states, descending) == expected, (parent, states, descending)
    # A run added between two pages shifts positions as OFFSET paging does (the cursor is dropped).
    paged = walk("wf2", write_at=46)
    # 1254 again: the new row at the top pushed it to position 46 (a cursor would wrongly have given 1253).
    assert paged[:46] == list(range(1299, 1253, -1)) and paged[46] == 1254
    store.delete("run", "new")


def test_ignore_paging_fault_serves_the_first_page_without_total(vro):
    url = vro.url + "/vco/api/workflows"
    first = vro.http.get(url, params={"maxResult": 2, "startIndex": 0}).json()
    second = vro.http.get(url, params={"maxResult": 2, "startIndex": 2}).json()
    assert first["link"] != second["link"] and "total" in first
    vro.admin("POST", "faults", json={"route": "/vco/api/workflows", "method": "GET", "kind": "ignore_paging", "count": 1})
    ignored = vro.http.get(url, params={"maxResult": 2, "startIndex": 2}).json()
    assert ignored["link"] == first["link"] and "total" not in ignored
    log = vro.admin("GET", "requests", params={"limit": 1})["requests"]
    assert log[0]["fault"] == "ignore_paging" and "startIndex=2" in log[0]["path"]


def test_trickle_fault_sends_the_whole_answer_byte_by_byte(vro):
    normal = vro.http.get(vro.url + "/vco/api/about").json()
    vro.admin("POST", "faults", json={"route": "/vco/api/about", "kind": "trickle", "latency": 0.01, "count": 1})
    chunks = []
    with vro.http.get(vro.url + "/vco/api/about", stream=True) as trickled:
        assert trickled.status_code == 200 and trickled.headers["Connection"] == "close"
        chunk = trickled.raw.read1(1024)
        while chunk:
            chunks.append(chunk)
            chunk = trickled.raw.read1(1024)
    assert json.loads(b"".join(chunks)) == normal
    assert len(chunks) > 1  # it came in pieces
    log = vro.admin("GET", "requests", params={"limit": 1})["requests"]
    assert log[0]["fault"] == "trickle"
    assert vro.admin("GET", "faults")["faults"][0]["fired"] == 1


def test_body_fault_answers_a_wrong_shape_without_acting(vro):
    vro.admin("POST", "faults", json={"route": RUN_PATH, "method": "POST", "kind": "body", "body": ["not", "a", "run"],
                                      "count": 1})
    answer = vro.http.post(vro.url + RUN_PATH, json={"parameters": NAME}, timeout=10)
    assert answer.status_code == 200 and answer.json() == ["not", "a", "run"] and "Location" not in answer.headers
    assert _runs(vro) == 0  # nothing acted upon
    vro.admin("POST", "faults", json={"route": "/vco/api/about", "kind": "body", "body": None, "status": 201, "count": 1})
    empty = vro.http.get(vro.url + "/vco/api/about")
    assert empty.status_code == 201 and empty.json() is None
    log = vro.admin("GET", "requests", params={"limit": 2})["requests"]
    assert [e["fault"] for e in log] == ["body", "body"]


def test_body_fault_with_act_starts_the_run_then_spoils_the_answer(vro):
    vro.admin("POST", "faults", json={"route": RUN_PATH, "method": "POST", "kind": "body", "body": "oops", "act": True,
                                      "count": 1})
    answer = vro.http.post(vro.url + RUN_PATH, json={"parameters": NAME}, timeout=10)
    # The run was started: its 202 and Location are kept, only the body is wrong.
    assert answer.status_code == 202 and answer.json() == "oops"
    assert _runs(vro) == 1
    run_id = vro.admin("GET", "vro/runs", params={"workflow": AWSNEW})["runs"][0]["id"]
    assert answer.headers["Location"].rstrip("/").endswith(run_id)
    # A later read is wrong-shaped too when the fault says so (GET acts on nothing either way).
    vro.admin("POST", "faults", json={"route": RUN_PATH + "/*/state", "kind": "body", "body": {"value": ["running"]},
                                      "act": "true", "count": 1})
    assert vro.http.get(answer.headers["Location"] + "state").json() == {"value": ["running"]}
    assert isinstance(vro.http.get(answer.headers["Location"] + "state").json()["value"], str)  # count: 1
    spec = vro.admin("GET", "faults")["faults"]
    assert [(f["body"], f["act"], f["fired"]) for f in spec] == [("oops", True, 1), ({"value": ["running"]}, True, 1)]


def test_body_fault_from_the_command_line_form():
    fault = faults.Fault(faults.parse_spec("route=/v1/tasks,kind=body,body=[1],act=true"))
    assert fault.body == [1] and fault.act is True
    assert faults.Fault(faults.parse_spec("kind=body,body=oops")).body == "oops"
    assert faults.Fault({"kind": "body"}).body is None and faults.Fault({"kind": "body"}).act is False


@pytest.mark.parametrize("kind, status", [("status", 504), ("status", 502), ("html", 502)])
def test_gateway_fault_with_act_starts_the_run_then_answers_in_its_place(vro, kind, status):
    # RFC 9110 15.6.3/15.6.5: a gateway forwarded the start, the run was created, and the gateway answered 502/504.
    vro.admin("POST", "faults", json={"route": RUN_PATH, "method": "POST", "kind": kind, "status": status, "act": True,
                                      "count": 1})
    answer = vro.http.post(vro.url + RUN_PATH, json={"parameters": NAME}, timeout=10)
    assert answer.status_code == status and "Location" not in answer.headers
    assert _runs(vro) == 1
    log = vro.admin("GET", "requests", params={"limit": 1})["requests"]
    assert [(e["fault"], e["status"]) for e in log] == [(kind, status)]
    vro.admin("POST", "faults", json={"route": RUN_PATH, "method": "POST", "kind": kind, "status": status, "count": 1})
    assert vro.http.post(vro.url + RUN_PATH, json={"parameters": NAME}, timeout=10).status_code == status
    assert _runs(vro) == 1  # without act nothing is acted upon
