"""The simulator's vRO API over real HTTPS (8.18 unless a test starts a 7.6 one).

Every /vco/api JSON response the ``vro`` / ``vro_reader`` clients receive is checked against the vRO 8.18.1
OpenAPI document with the exceptions of simulator/fidelity.py (skipped when ../shared is absent).
"""

from __future__ import annotations

import base64
import struct
import time
import zlib

import pytest
import requests

from conftest import ADMIN, READER, VroClient, param  # pylint: disable=import-error
from simulator import vro_catalog
from simulator.vro_values import composite_fields, parse_date


def vro_values_parse(text):
    return parse_date(text).timestamp()


AWSNEW = vro_catalog.AWSNEW_ID
ECHO = vro_catalog.ECHO_ID
SLEEP = vro_catalog.SLEEP_ID
FAIL = vro_catalog.FAIL_ID
APPROVAL = vro_catalog.APPROVAL_ID
RESTRICTED = vro_catalog.RESTRICTED_ID


def attrs(link):
    return {a["name"]: a["value"] for a in link.get("attributes", [])}


def downs(body):
    links = body["relations"]["link"] if "relations" in body else body["link"]
    return [l for l in links if l.get("rel") == "down"]


# -- service, workflows ------------------------------------------------------------------------------------
def test_about_versions_health(vro):
    about = vro.get("/about").json()
    assert about["version"].startswith("8.18")
    assert vro.get("/versions").json()["versions"][0]["versionCode"]
    assert vro.get("/healthstatus").json()["health-status"]["healthStatus"] == "OK"
    assert vro.get("/health/liveness").status_code == 200


def test_find_workflow_by_name_and_category(vro):
    body = vro.get("/workflows", params={"conditions": "name=AWSNEW"}).json()
    assert body["total"] == 1
    link = body["link"][0]
    assert attrs(link)["id"] == AWSNEW and link["href"].endswith("/workflows/%s/" % AWSNEW)
    dupes = vro.get("/workflows", params={"conditions": "name=Duplicate name"}).json()
    assert dupes["total"] == 2
    assert {attrs(l)["categoryName"] for l in dupes["link"]} == {"Library", "Cloud"}
    # Several conditions: repeated parameters, or joined with '&' inside one.
    for params in ({"conditions": ["name=Duplicate name", "categoryName=Cloud"]},
                   {"conditions": "name=Duplicate name&categoryName=Cloud"}):
        one = vro.get("/workflows", params=params).json()
        assert [attrs(l)["id"] for l in one["link"]] == [vro_catalog.DUPLICATE_B_ID]
    contains = vro.get("/workflows", params={"conditions": "name~echo"}).json()
    assert [attrs(l)["name"] for l in contains["link"]] == ["Echo typed inputs"]
    assert vro.get("/workflows", params={"conditions": "name=awsnew"}).json()["total"] == 0
    page = vro.get("/workflows", params={"maxResult": 2, "startIndex": 1}).json()
    assert len(page["link"]) == 2 and page["total"] > 2
    assert vro.get("/workflows", params={"conditions": "bogus"}).status_code == 400


def test_workflow_definition_and_schema_png(vro):
    body = vro.get("/workflows/%s" % ECHO).json()
    inputs = {p["name"]: p["type"] for p in body["input-parameters"]}
    assert inputs["matrix"] == "Array/Array/number" and inputs["vm"] == "VC:VirtualMachine"
    assert inputs["endpoint"].startswith("CompositeType(")
    assert {p["name"] for p in body["output-parameters"]} == {"out_" + n for n in inputs}
    response = vro.get("/workflows/%s/schema" % AWSNEW)
    assert response.headers["Content-Type"] == "image/png"
    png = response.content
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", png[8:16])
    width, height = struct.unpack(">II", png[16:24])
    assert kind == b"IHDR" and length == 13 and width > 0 and height > 0
    idat_len = struct.unpack(">I", png[33:37])[0]
    raw = zlib.decompress(png[41:41 + idat_len])
    assert len(raw) == height * (1 + 3 * width)
    assert vro.get("/workflows/%s/schema" % AWSNEW).content == png
    assert vro.get("/workflows/%s/schema" % ECHO).content != png
    assert vro.get("/workflows/nope").status_code == 404


# -- runs ---------------------------------------------------------------------------------------------------
def test_awsnew_run_state_machine(vro):
    started = time.monotonic()
    response = vro.start(AWSNEW, [param("name", "string", "string", {"value": "web01"})])
    assert response.status_code == 202
    location = response.headers["Location"]
    eid = response.json()["id"]
    assert location.endswith("/executions/%s/" % eid)
    seen = []
    while time.monotonic() - started < 10:
        state = vro.get(location + "state").json()["value"]
        if not seen or seen[-1] != state:
            seen.append(state)
        if state == "completed":
            break
        time.sleep(0.05)
    assert seen[-1] == "completed" and "running" in seen
    assert time.monotonic() - started >= 1.5  # "runs about 2 s"
    run = vro.get(location).json()
    assert run["started-by"] == ADMIN and run["end-date"] >= run["start-date"]
    assert run["input-parameters"] == [{"name": "name", "type": "string", "scope": "local", "value": {"string": {"value": "web01"}}}]
    out = {p["name"]: p["value"] for p in run["output-parameters"]}
    assert out["instanceId"]["string"]["value"].startswith("i-")
    logs = vro.get(location + "logs").json()["logs"]
    assert any("web01" in e["short-description"] for e in logs)


ECHO_PARAMS = [
    param("str", "string", "string", {"value": "héllo"}),
    param("num", "number", "number", {"value": 20}),
    param("flag", "boolean", "boolean", {"value": True}),
    param("secret", "SecureString", "secure-string", {"value": "pw"}),
    param("when", "Date", "date", {"value": "2026-01-31T10:00:00.000Z"}),
    param("tags", "Array/string", "array", {"elements": [{"string": {"value": "a"}}, {"string": {"value": "b"}}]}),
    param("matrix", "Array/Array/number", "array", {"elements": [{"array": {"elements": [{"number": {"value": 1}}, {"number": {"value": 2.5}}]}}]}),
    param("props", "Properties", "properties", {"properties": [{"key": "k", "value": {"string": {"value": "v"}}}]}),
    param("endpoint", vro_catalog.ENDPOINT_TYPE, "composite",
          {"type": vro_catalog.ENDPOINT_TYPE, "property": [{"id": "host", "value": {"string": {"value": "h"}}},
                                                           {"id": "port", "value": {"number": {"value": 443}}}]}),
    param("vm", "VC:VirtualMachine", "sdk-object", {"type": "VC:VirtualMachine", "id": "vc01.example.com/vm-42"}),
    param("attachment", "MimeAttachment", "mime-attachment", {"name": "a.csv", "mime-type": "text/csv", "content": base64.b64encode(b"a,b").decode()}),
    param("encrypted", "EncryptedString", "encrypted-string", {"value": "enc"}),
    param("pattern", "Regexp", "regex", {"value": "^a.*"}),
]


def test_echo_typed_inputs_round_trip(vro):
    response = vro.start(ECHO, ECHO_PARAMS)
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    assert vro.wait(location) == "completed"
    run = vro.get(location).json()
    out = {p["name"]: p["value"] for p in run["output-parameters"] if "value" in p}
    assert out["out_str"] == {"string": {"value": "héllo"}}
    assert out["out_num"] == {"number": {"value": 20.0}}
    assert '"value":20.0' in vro.get(location).text.replace(" ", "")  # a double on the wire
    assert out["out_flag"] == {"boolean": {"value": True}}
    assert out["out_secret"] == {"secure-string": {"value": "pw"}}
    assert out["out_when"] == {"date": {"value": "2026-01-31T10:00:00.000Z"}}
    assert [e["string"]["value"] for e in out["out_tags"]["array"]["elements"]] == ["a", "b"]
    assert out["out_matrix"]["array"]["elements"][0]["array"]["elements"][1] == {"number": {"value": 2.5}}
    assert out["out_props"] == {"properties": {"property": [{"key": "k", "value": {"string": {"value": "v"}}}]}}
    assert out["out_endpoint"]["composite"]["property"][1] == {"id": "port", "value": {"number": {"value": 443.0}}}
    assert out["out_vm"] == {"sdk-object": {"type": "VC:VirtualMachine", "id": "vc01.example.com/vm-42"}}
    assert out["out_attachment"]["mime-attachment"]["mime-content"] == base64.b64encode(b"a,b").decode()
    assert out["out_encrypted"] == {"encrypted-string": {"value": "enc"}} and out["out_pattern"] == {"regex": {"value": "^a.*"}}
    # input-parameters echo the wire format the server keeps
    inputs = {p["name"]: p["value"] for p in run["input-parameters"]}
    assert inputs["vm"] == out["out_vm"] and inputs["num"] == {"number": {"value": 20.0}}


@pytest.mark.parametrize("body, fragment", [
    (b'{"parameters": [', "Malformed JSON"),
    ({"parameters": [param("num", "number", "string", {"value": "20"})]}, "expected a 'number'"),
    ({"parameters": [param("num", "number", "number", {"value": "twenty"})]}, "numeric"),
    ({"parameters": [param("1bad", "string", "string", {"value": "x"})]}, "Invalid parameter name"),
    ({"parameters": [param("tags", "Array/string", "array", {"elements": [{"number": {"value": 1}}]})]}, "expected a 'string'"),
    ({"parameters": [param("vm", "VC:VirtualMachine", "sdk-object", {"type": "VC:Datastore", "id": "x"})]}, "VC:VirtualMachine"),
    ({"parameters": [param("attachment", "MimeAttachment", "mime-attachment", {"name": "a", "content": "***"})]}, "base64"),
    ({"parameters": "nope"}, "list"),
])
def test_start_validation_400(vro, body, fragment):
    kwargs = {"data": body, "headers": {"Content-Type": "application/json"}} if isinstance(body, bytes) else {"json": body}
    response = vro.post("/workflows/%s/executions" % ECHO, **kwargs)
    assert response.status_code == 400
    error = response.json()
    assert error["status"] == 400 and fragment in error["message"]
    assert vro.admin("GET", "vro/runs", params={"workflow": ECHO})["count"] == 0


def test_unknown_input_names_are_ignored_and_singular_key_accepted(vro):
    response = vro.start(AWSNEW, [param("Name", "string", "string", {"value": "x"})])
    assert response.status_code == 202
    run = vro.get(response.headers["Location"]).json()
    assert run["input-parameters"] == [{"name": "name", "type": "string", "scope": "local"}]
    response = vro.start(AWSNEW, [param("name", "string", "string", {"value": "y"})], key="parameter")
    assert response.status_code == 202
    assert vro.get(response.headers["Location"]).json()["input-parameters"][0]["value"] == {"string": {"value": "y"}}


def test_unknown_workflow_404(vro):
    response = vro.start("00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404 and response.json()["status"] == 404


def test_read_only_user(vro_reader):
    assert vro_reader.get("/workflows/%s" % RESTRICTED).status_code == 404
    names = [attrs(l)["name"] for l in vro_reader.get("/workflows").json()["link"]]
    assert "Restricted maintenance" not in names and "AWSNEW" in names
    assert vro_reader.start(RESTRICTED).status_code == 404
    response = vro_reader.start(AWSNEW, [param("name", "string", "string", {"value": "x"})])
    assert response.status_code == 403 and "vcoreader" in response.json()["message"]
    admin = VroClient(vro_reader.sim, ADMIN)
    assert admin.get("/workflows/%s" % RESTRICTED).status_code == 200


def test_always_fail(vro):
    location = vro.start(FAIL).headers["Location"]
    assert vro.wait(location) == "failed"
    run = vro.get(location).json()
    assert "always fails" in run["content-exception"]
    logs = vro.get(location + "logs").json()["logs"]
    assert [e for e in logs if e["severity"] == "error"]
    errors = vro.get(location + "syslogs", params={"conditions": "severity=error"}).json()["logs"]
    assert errors and all(e["severity"] == "error" for e in errors)


def test_sleep_completes_after_seconds(vro):
    started = time.monotonic()
    location = vro.start(SLEEP, [param("seconds", "number", "number", {"value": 1})]).headers["Location"]
    assert vro.get(location + "state").json()["value"] in ("initializing", "running")
    assert vro.wait(location) == "completed"
    assert time.monotonic() - started >= 0.9


def _approval(vro):
    location = vro.start(APPROVAL, [param("request", "string", "string", {"value": "more disk"})]).headers["Location"]
    assert vro.wait(location) == "waiting"
    return location


def test_user_interaction_approve(vro):
    location = _approval(vro)
    interaction = vro.get(location + "interaction").json()
    assert {p["name"]: p["type"] for p in interaction["input-parameters"]} == {"approved": "boolean", "comment": "string"}
    listed = vro.get("/workflows/%s/interactions" % APPROVAL).json()
    assert listed["total"] == 1 and downs(listed)[0]["href"] == location + "interaction/"
    assert vro.get("/interactions").json()["total"] == 1
    bad = vro.post(location + "interaction", json={"parameters": [param("approved", "boolean", "string", {"value": "yes"})]})
    assert bad.status_code == 400
    answer = vro.post(location + "interaction", json={"parameters": [param("approved", "boolean", "boolean", {"value": True}),
                                                                     param("comment", "string", "string", {"value": "ok"})]})
    assert answer.status_code == 204
    assert vro.wait(location, states=("completed", "failed")) == "completed"
    out = {p["name"]: p.get("value") for p in vro.get(location).json()["output-parameters"]}
    assert out == {"approved": {"boolean": {"value": True}}, "comment": {"string": {"value": "ok"}}}
    assert vro.get(location + "interaction").status_code == 404


def test_user_interaction_reject_and_delete(vro):
    location = _approval(vro)
    vro.post(location + "interaction", json={"parameters": [param("approved", "boolean", "boolean", {"value": False}),
                                                            param("comment", "string", "string", {"value": "no budget"})]})
    assert vro.wait(location, states=("completed", "failed")) == "failed"
    assert "no budget" in vro.get(location).json()["content-exception"]
    location = _approval(vro)
    assert vro.delete(location + "interaction").status_code == 204
    assert vro.get(location + "state").json()["value"] == "canceled"


def test_cancel_and_delete_8x(vro):
    location = vro.start(SLEEP, [param("seconds", "number", "number", {"value": 30})]).headers["Location"]
    assert vro.wait(location, states=("running",)) == "running"
    assert vro.delete(location).status_code == 400  # deleting a running run is refused: cancel first
    assert vro.delete(location + "state").status_code == 204
    run = vro.get(location).json()
    assert run["state"] == "canceled" and "end-date" in run
    assert vro.delete(location + "state").status_code == 204  # cancelling a finished run is a no-op
    assert vro.get(location + "state").json()["value"] == "canceled"
    assert vro.delete(location).status_code == 204
    assert vro.get(location).status_code == 404


def test_list_executions_filters_sort_paging(vro):
    reader = VroClient(vro.sim, READER)
    assert reader.start(AWSNEW).status_code == 403
    locations = [vro.start(SLEEP, [param("seconds", "number", "number", {"value": s})]).headers["Location"] for s in (0, 0, 30)]
    for location in locations[:2]:
        assert vro.wait(location) == "completed"
    assert vro.wait(locations[2], states=("running",)) == "running"
    path = "/workflows/%s/executions" % SLEEP
    body = vro.get(path).json()
    assert body["relations"]["total"] == 3
    assert [l["rel"] for l in body["relations"]["link"]][0] == "up"
    ids = [attrs(l)["id"] for l in downs(body)]
    assert ids == [l.rstrip("/").rsplit("/", 1)[1] for l in reversed(locations)]  # newest first
    ascending = [attrs(l)["id"] for l in downs(vro.get(path, params={"sortOrders": "+startDate"}).json())]
    assert ascending == list(reversed(ids))
    running = vro.get(path, params={"conditions": "state=running"}).json()
    assert running["relations"]["total"] == 1 and attrs(downs(running)[0])["state"] == "running"
    assert vro.get(path, params={"conditions": "state!=running"}).json()["relations"]["total"] == 2
    assert vro.get(path, params={"conditions": "startedBy=%s" % ADMIN}).json()["relations"]["total"] == 3
    assert vro.get(path, params={"conditions": "startedBy=%s" % READER}).json()["relations"]["total"] == 0
    second = attrs(downs(vro.get(path, params={"sortOrders": "+startDate"}).json())[1])["startDate"]
    after = vro.get(path, params={"conditions": "startDate>%s" % second}).json()
    assert after["relations"]["total"] == 1
    page = vro.get(path, params={"maxResult": 1, "startIndex": 1}).json()
    assert page["relations"]["total"] == 3 and [attrs(l)["id"] for l in downs(page)] == ids[1:2]
    assert vro.get(path, params={"conditions": "colour=red"}).status_code == 400
    assert vro.get(path, params={"maxResult": "x"}).status_code == 400


def test_bulk_runs_page_like_few(vro):
    created = vro.admin("POST", "vro/workflows/%s/runs" % AWSNEW, json={"count": 2000, "state": "completed", "running": 3})
    assert created["total"] == 2003
    path = "/workflows/%s/executions" % AWSNEW
    first = vro.get(path, params={"maxResult": 50}).json()
    assert first["relations"]["total"] == 2003 and len(downs(first)) == 50
    assert {attrs(l)["state"] for l in downs(first)[:3]} == {"running"}
    assert vro.get(path, params={"conditions": "state=running"}).json()["relations"]["total"] == 3
    last = vro.get(path, params={"maxResult": 50, "startIndex": 2000}).json()
    assert len(downs(last)) == 3


def test_outcome_override(vro):
    location = vro.start(AWSNEW, [param("name", "string", "string", {"value": "x"})]).headers["Location"]
    eid = location.rstrip("/").rsplit("/", 1)[1]
    vro.admin("POST", "vro/executions/%s/outcome" % eid, json={"state": "failed", "exception": "quota exceeded"})
    assert vro.wait(location) == "failed"
    assert vro.get(location).json()["content-exception"] == "quota exceeded"


# -- scheduled tasks ----------------------------------------------------------------------------------------
def _iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(ts))


def _task(name, cycle="one-time", start=None, wid=AWSNEW, **extra):
    body = {"name": name, "workflow": {"id": wid}, "recurrence-cycle": cycle,
            "recurrence-start-date": _iso(start if start is not None else time.time()),
            "input-parameters": [param("name", "string", "string", {"value": name})]}
    body.update(extra)
    return body


def test_one_time_task_fires(vro):
    response = vro.post("/tasks", json=_task("nightly", start=time.time() + 1))
    assert response.status_code == 202, response.text
    task = response.json()
    assert task["state"] == "pending" and response.headers["Location"].endswith("/tasks/%s/" % task["id"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        runs = vro.get("/tasks/%s/executions" % task["id"]).json()
        if runs["relations"]["total"]:
            break
        time.sleep(0.1)
    assert runs["relations"]["total"] == 1
    assert attrs(downs(runs)[0])["startedBy"] == ADMIN
    listed = vro.get("/tasks").json()
    assert [attrs(l)["id"] for l in downs(listed)] == [task["id"]]
    assert vro.delete("/tasks/%s" % task["id"]).status_code == 204
    assert vro.get("/tasks/%s" % task["id"]).status_code == 404


def test_recurring_task_fires_repeatedly(vro):
    vro.admin("PUT", "settings", json={"vro_task_time_scale": 120})  # every-minutes -> every 0.5 s
    task = vro.post("/tasks", json=_task("often", cycle="every-minutes")).json()
    deadline, total = time.monotonic() + 15, 0
    while total < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
        total = vro.get("/tasks/%s/executions" % task["id"]).json()["relations"]["total"]
    assert total >= 3
    runs = downs(vro.get("/tasks/%s/executions" % task["id"], params={"sortOrders": "+startDate"}).json())
    starts = [vro_values_parse(attrs(l)["startDate"]) for l in runs[:3]]
    for gap in (starts[1] - starts[0], starts[2] - starts[1]):
        # Runs start at scheduled occurrences (every 0.5 s from the start date), not whenever the ticker ran.
        assert round(gap / 0.5) >= 1 and abs(gap / 0.5 - round(gap / 0.5)) < 0.01, starts
    update = vro.post("/tasks/%s" % task["id"], json={"workflow": {"id": SLEEP}})
    assert update.status_code == 400 and "cannot be changed" in update.json()["message"]
    renamed = vro.post("/tasks/%s" % task["id"], json={"name": "renamed"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "renamed"


def test_task_validation_and_limit(vro):
    assert vro.post("/tasks", json={"name": "x", "workflow": {"id": AWSNEW}}).status_code == 400  # no start date
    assert vro.post("/tasks", json=_task("x", cycle="every-decade")).status_code == 400
    assert vro.post("/tasks", json=_task("x", wid="nope")).status_code == 404
    future = time.time() + 3600
    for index in range(50):
        assert vro.post("/tasks", json=_task("t%d" % index, start=future)).status_code == 202
    response = vro.post("/tasks", json=_task("one too many", start=future))
    assert response.status_code == 400
    assert "50" in response.json()["message"]


# -- auth ---------------------------------------------------------------------------------------------------
def test_basic_auth_required(fresh_sim, vro_spec):
    anonymous = VroClient(fresh_sim, None, vro_spec)
    response = anonymous.get("/workflows")
    assert response.status_code == 401 and response.json()["status"] == 401
    wrong = VroClient(fresh_sim, ADMIN, vro_spec, password="wrong")
    assert wrong.get("/workflows").status_code == 401
    assert not anonymous.violations + wrong.violations


def test_vra_login_bearer_and_expiry(vro):
    http, url, verify = vro.http, vro.url, vro.http.verify
    password = vro.sim.users["vro"][ADMIN]["password"]
    login = http.post(url + "/csp/gateway/am/api/login", params={"access_token": ""},
                      json={"username": ADMIN, "password": password}, auth=None)
    assert login.status_code == 200
    refresh = login.json()["refresh_token"]
    # Refused credentials at the CSP login are a 400, as the vendor reference documents (issue 13 item 7).
    assert http.post(url + "/csp/gateway/am/api/login", json={"username": ADMIN, "password": "nope"}, auth=None).status_code == 400
    exchange = http.post(url + "/iaas/api/login", json={"refreshToken": refresh}, auth=None)
    assert exchange.status_code == 200 and exchange.json()["tokenType"] == "Bearer"
    token = exchange.json()["token"]
    bearer = {"Authorization": "Bearer " + token}
    anonymous = requests.Session()
    anonymous.trust_env = False
    assert anonymous.get(url + "/vco/api/workflows", headers=bearer, verify=verify).status_code == 200
    csp_access = {"Authorization": "Bearer " + login.json()["access_token"]}
    assert anonymous.get(url + "/vco/api/workflows", headers=csp_access, verify=verify).status_code == 200
    vro.admin("POST", "tokens/expire")
    assert anonymous.get(url + "/vco/api/workflows", headers=bearer, verify=verify).status_code == 401
    assert http.post(url + "/iaas/api/login", json={"refreshToken": refresh}, auth=None).status_code == 401
    vro.admin("PUT", "settings", json={"vra_token_lifetime": 1})
    login = http.post(url + "/csp/gateway/am/api/login", json={"username": ADMIN, "password": password}, auth=None).json()
    short = {"Authorization": "Bearer " + login["access_token"]}
    assert anonymous.get(url + "/vco/api/about", headers=short, verify=verify).status_code == 200
    assert anonymous.get(url + "/vco/api/workflows", headers=short, verify=verify).status_code == 200
    time.sleep(1.2)
    assert anonymous.get(url + "/vco/api/workflows", headers=short, verify=verify).status_code == 401


# -- 7.6 flavour --------------------------------------------------------------------------------------------
def test_vro_76_flavour(make_sim):
    sim = make_sim(vro_version="7.6")
    vro = VroClient(sim, ADMIN)
    assert vro.get("/about").json()["version"].startswith("7.6")
    assert vro.get("/health/liveness").status_code == 404
    login = vro.http.post(sim.url + "/csp/gateway/am/api/login", json={"username": ADMIN, "password": "x"}, auth=None)
    assert login.status_code == 404
    location = vro.start(SLEEP, [param("seconds", "number", "number", {"value": 30})]).headers["Location"]
    assert vro.wait(location, states=("running",)) == "running"
    run = vro.get(location).json()
    assert isinstance(run["start-date"], int) and run["start-date"] > 1_500_000_000_000
    assert vro.delete(location + "state").status_code == 405
    assert vro.delete(location.rstrip("/")).status_code == 204  # 7.x: DELETE on the execution cancels it
    assert vro.get(location + "state").json()["value"] == "canceled"
    assert vro.get(location).status_code == 200  # ... and keeps the record
    logs = vro.get(location + "syslogs").json()["logs"]
    assert logs and all(set(e) == {"entry"} and isinstance(e["entry"]["time-stamp"], int) for e in logs)
    echo = vro.start(ECHO, [param("when", "Date", "date", {"value": "2026-01-31T10:00:00.000Z"})]).headers["Location"]
    assert vro.wait(echo) == "completed"
    out = {p["name"]: p.get("value") for p in vro.get(echo).json()["output-parameters"]}
    assert out["out_when"] == {"date": {"value": 1769853600000}}


# -- persistence --------------------------------------------------------------------------------------------
def test_restart_keeps_runs_tokens_tasks(make_sim, tmp_path):
    data_dir = str(tmp_path / "persist")
    sim = make_sim(data_dir=data_dir)
    vro = VroClient(sim, ADMIN)
    location = vro.start(SLEEP, [param("seconds", "number", "number", {"value": 2})]).headers["Location"]
    eid = location.rstrip("/").rsplit("/", 1)[1]
    login = vro.http.post(sim.url + "/csp/gateway/am/api/login",
                          json={"username": ADMIN, "password": sim.users["vro"][ADMIN]["password"]}, auth=None).json()
    task = vro.post("/tasks", json=_task("later", start=time.time() + 3600)).json()
    ca = open(sim.ca_path, encoding="ascii").read()
    sim.stop()
    again = make_sim(data_dir=data_dir)
    assert open(again.ca_path, encoding="ascii").read() == ca
    vro = VroClient(again, ADMIN)
    path = "/workflows/%s/executions/%s/" % (SLEEP, eid)
    assert vro.wait(path) == "completed"
    bearer = {"Authorization": "Bearer " + login["access_token"]}
    plain = requests.Session()
    plain.trust_env = False
    assert plain.get(again.url + "/vco/api/workflows", headers=bearer, verify=again.ca_path).status_code == 200
    assert vro.get("/tasks/%s" % task["id"]).json()["name"] == "later"


def test_composite_fields_of_a_composite_field_do_not_split_the_outer_one():
    # The collection's own parser reads nested composite type names (its blind audit of typed values); the
    # simulator's split every comma, so the inner fields leaked into the outer type.
    assert composite_fields('CompositeType(host:string,port:number):Endpoint') == {'host': 'string', 'port': 'number'}
    assert composite_fields('CompositeType(a:string,b:CompositeType(x:number,y:string):Inner):Outer') == {
        'a': 'string', 'b': 'CompositeType(x:number,y:string):Inner'}
    assert composite_fields('CompositeType(a:string') == {} and composite_fields('Properties') == {}
