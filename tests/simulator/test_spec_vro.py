"""The simulator's vRO API against the official vRO 8.18.1 OpenAPI document.

``conftest.VroSpec`` is the checker (strict object schemas, ``simulator/fidelity.py`` applied); test_vro.py runs
it on every response it receives. This module tests the checker itself, keeps the fidelity list honest, sweeps
every implemented operation once, and runs a bounded property-based exploration (hypothesis strategies built
from the spec's parameters; schemathesis cannot generate from this spec as published, its parameter values
being a recursive oneOf) that must find no 5xx and no schema violation.
The spec lives in ../shared (third-party, never copied here): without it these tests skip.
"""

# pylint: disable=redefined-outer-name

from __future__ import annotations

import time

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ADMIN, NO_VRO_SPEC, READER, StandIn, VroClient, admin_headers, param  # pylint: disable=import-error
from simulator import fidelity, vro_catalog

IMPLEMENTED = [
    ("GET", "/"), ("GET", "/about"), ("GET", "/versions"), ("GET", "/healthstatus"), ("GET", "/health/liveness"),
    ("GET", "/workflows"), ("GET", "/workflows/{id}"), ("GET", "/workflows/{id}/schema"),
    ("GET", "/workflows/{workflowId}/interactions"), ("GET", "/interactions"),
    ("POST", "/workflows/{workflowId}/executions"), ("GET", "/workflows/{workflowId}/executions"),
    ("GET", "/workflows/{workflowId}/executions/{executionId}"), ("DELETE", "/workflows/{workflowId}/executions/{executionId}"),
    ("GET", "/workflows/{workflowId}/executions/{executionId}/state"),
    ("DELETE", "/workflows/{workflowId}/executions/{executionId}/state"),
    ("GET", "/workflows/{workflowId}/executions/{executionId}/logs"),
    ("GET", "/workflows/{workflowId}/executions/{executionId}/syslogs"),
    ("GET", "/workflows/{workflowId}/executions/{executionId}/interaction"),
    ("POST", "/workflows/{workflowId}/executions/{executionId}/interaction"),
    ("DELETE", "/workflows/{workflowId}/executions/{executionId}/interaction"),
    ("GET", "/tasks"), ("POST", "/tasks"), ("GET", "/tasks/{id}"), ("POST", "/tasks/{id}"), ("DELETE", "/tasks/{id}"),
    ("GET", "/tasks/{id}/executions"), ("GET", "/categories"), ("GET", "/categories/{id}"),
]


@pytest.fixture(scope="module")
def spec(vro_spec):
    if vro_spec is None:
        pytest.skip(NO_VRO_SPEC)
    return vro_spec


def test_checker_accepts_real_shapes_and_rejects_what_the_spec_forbids(spec):
    url = "https://h/vco/api/workflows/w/executions/e"
    good = {"id": "e", "state": "running", "start-date": "2026-01-01T00:00:00.000+00:00",
            "input-parameters": [{"name": "n", "type": "string", "scope": "local", "value": {"string": {"value": "x"}}}]}
    assert spec.problems("GET", url, StandIn(200, good)) == []
    assert spec.problems("GET", url, StandIn(200, dict(good, startDate="x")))  # misspelt field
    assert spec.problems("GET", url, StandIn(200, dict(good, state="exploded")))  # not in the enum
    bad_value = dict(good, **{"input-parameters": [{"name": "n", "type": "string", "value": {"string": {"value": 1}}}]})
    assert spec.problems("GET", url, StandIn(200, bad_value))
    two_kinds = dict(good, **{"input-parameters": [{"name": "n", "value": {"string": {}, "number": {}}}]})
    assert spec.problems("GET", url, StandIn(200, two_kinds))
    assert spec.problems("GET", url, StandIn(418, {"status": 418, "message": "teapot"}))  # undocumented status
    assert spec.problems("GET", url, StandIn(404, {"error": "nope"}))  # not vRO's error shape
    assert spec.problems("GET", url, StandIn(404, {"status": 404, "message": "no such run"})) == []
    assert spec.problems("POST", "https://h/vco/api/workflows/w/executions", StandIn(403, {"status": 403, "message": "no"})) == []
    assert spec.problems("GET", url + "/state", StandIn(200, {"value": "running"})) == []
    assert spec.problems("GET", url + "/state", StandIn(200, {"value": "sleeping"}))
    assert spec.problems("GET", url, StandIn(500, {"status": 500, "message": "boom"}))


def test_fidelity_names_real_spec_paths_and_schemas(spec):
    paths = spec.doc["paths"]
    for item in fidelity.VRO_STATUS_DEVIATIONS:
        assert item["why"]
        if item["path"] != "*":
            assert item["path"] in paths, item
            if item["method"] != "*":
                operation = paths[item["path"]].get(item["method"].lower())
                assert operation is not None, item
    schemas = spec.doc["components"]["schemas"]
    for item in fidelity.VRO_SCHEMA_DEVIATIONS:
        assert item["why"] and all(name in schemas for name in item["schemas"]), item
    for method, template in IMPLEMENTED:
        assert template in paths and method.lower() in paths[template], (method, template)


def _sweep(client, reader):
    """Hit every implemented operation at least once, successes and errors alike."""
    aws, echo, approval = vro_catalog.AWSNEW_ID, vro_catalog.ECHO_ID, vro_catalog.APPROVAL_ID
    for path in ("/", "/about", "/versions", "/healthstatus", "/health/liveness", "/workflows", "/interactions",
                 "/workflows/%s" % aws, "/workflows/%s/schema" % aws, "/workflows/%s/interactions" % approval, "/tasks"):
        assert client.get(path).status_code == 200, path
    client.get("/workflows/none")
    category = [a["value"] for a in client.get("/workflows").json()["link"][0]["attributes"] if a["name"] == "categoryId"][0]
    for path in ("/categories", "/categories/%s" % category):
        assert client.get(path).status_code == 200, path
    client.get("/categories", params={"categoryType": "Bogus"})
    client.get("/categories/none")
    location = client.start(aws, [param("name", "string", "string", {"value": "x"})]).headers["Location"]
    client.start(echo, [param("num", "number", "string", {"value": "x"})])
    client.get("/workflows/%s/executions" % aws, params={"conditions": "state=running", "sortOrders": "-startDate"})
    client.get("/workflows/%s/executions" % aws, params={"conditions": "bogus"})
    for suffix in ("", "state", "logs", "syslogs", "interaction"):
        client.get(location + suffix)
    waiting = client.start(approval).headers["Location"]
    assert client.wait(waiting) == "waiting"
    client.get(waiting + "interaction")
    client.post(waiting + "interaction", json={"parameters": [param("approved", "boolean", "boolean", {"value": True})]})
    other = client.start(approval).headers["Location"]
    client.wait(other)
    reader.delete(other + "interaction")
    client.delete(other + "interaction")
    client.delete(location + "state")
    client.delete(location)
    client.delete(location)
    task = client.post("/tasks", json={"name": "t", "workflow": {"id": aws}, "recurrence-cycle": "every-hours",
                                       "recurrence-start-date": "2030-01-01T00:00:00.000Z"}).json()
    client.post("/tasks", json={"name": "t"})
    client.get("/tasks/%s" % task["id"])
    client.post("/tasks/%s" % task["id"], json={"description": "d"})
    client.get("/tasks/%s/executions" % task["id"])
    client.delete("/tasks/%s" % task["id"])
    client.get("/tasks/%s" % task["id"])
    reader.start(aws, [param("name", "string", "string", {"value": "x"})])
    reader.get("/workflows/%s" % vro_catalog.RESTRICTED_ID)


def test_sweep_of_implemented_operations_conforms(fresh_sim, spec):
    client, reader = VroClient(fresh_sim, ADMIN, spec), VroClient(fresh_sim, READER, spec)
    before = len(spec.checked)
    _sweep(client, reader)
    anonymous = VroClient(fresh_sim, None, spec)
    anonymous.get("/workflows")
    problems = client.violations + reader.violations + anonymous.violations
    assert not problems, "\n".join(problems)
    covered = {(m, t) for m, t, _s in spec.checked[before:]}
    missing = [op for op in IMPLEMENTED if op not in covered]
    assert not missing, missing


# -- property-based exploration ----------------------------------------------------------------------------
_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABC0123456789-_", min_size=1, max_size=12)
_CONDITION = st.one_of(
    st.tuples(st.sampled_from(["name", "state", "startedBy", "startDate", "categoryName", "id", "severity", "x"]),
              st.sampled_from(["=", "~", "!=", ">", "<", ""]),
              st.one_of(_WORD, st.sampled_from(["running", "completed", "AWSNEW", "2026-01-01T00:00:00Z", "1700000000000"])))
    .map("".join),
    st.text(max_size=20),
)
_QUERY = st.fixed_dictionaries({}, optional={
    "maxResult": st.one_of(st.integers(-3, 3000), _WORD),
    "startIndex": st.one_of(st.integers(-3, 50), _WORD),
    "queryCount": st.sampled_from(["true", "false", "maybe"]),
    "conditions": st.lists(_CONDITION, max_size=3),
    "sortOrders": st.lists(st.sampled_from(["-startDate", "+startDate", "startDate", "name", "-x"]), max_size=2),
    "keys": st.lists(st.sampled_from(["id", "state", "name", "bogus"]), max_size=3),
})
_KINDS = list(fidelity.VRO_KINDS) + ["bogus"]
_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8))
_VALUE = st.recursive(
    st.builds(lambda kind, inner: {kind: inner}, st.sampled_from(_KINDS),
              st.dictionaries(st.sampled_from(["value", "elements", "property", "properties", "id", "type", "mime-content"]), _LEAF, max_size=2)),
    lambda children: st.one_of(
        st.builds(lambda items: {"array": {"elements": items}}, st.lists(children, max_size=3)),
        st.builds(lambda items: {"properties": {"property": [{"key": "k%d" % i, "value": v} for i, v in enumerate(items)]}},
                  st.lists(children, max_size=2))),
    max_leaves=5)
_PARAM = st.fixed_dictionaries({"name": st.one_of(st.sampled_from(["name", "num", "tags", "vm", "approved", "seconds"]), st.text(max_size=6)),
                                "type": st.sampled_from(["string", "number", "Array/string", "VC:VirtualMachine", "boolean"])},
                               optional={"value": _VALUE, "scope": st.sampled_from(["local", "token"])})
_BODY = st.one_of(st.none(), st.fixed_dictionaries({}, optional={"parameters": st.lists(_PARAM, max_size=3),
                                                                 "parameter": st.lists(_PARAM, max_size=2),
                                                                 "executionId": _WORD}),
                  st.lists(st.integers(), max_size=2), st.just("not json"))
_TASK = st.fixed_dictionaries({}, optional={
    "name": st.one_of(_WORD, st.integers()), "workflow": st.one_of(st.fixed_dictionaries({"id": st.sampled_from([vro_catalog.AWSNEW_ID, "nope"])}), _WORD),
    "recurrence-cycle": st.sampled_from(["one-time", "every-hours", "every-months", "sometimes"]),
    "recurrence-start-date": st.sampled_from(["2030-01-01T00:00:00Z", "1900-01-01T00:00:00Z", "yesterday", "1893456000000"]),
    "recurrence-end-date": st.sampled_from(["2031-01-01T00:00:00Z", "", "nope"]),
    "start-mode": st.sampled_from(["normal", "start-in-the-past", "later"]),
    "input-parameters": st.lists(_PARAM, max_size=2)})


@pytest.fixture(scope="module")
def live(sim, spec):
    """The session simulator with a few runs and a task to aim at; fixed ids for the strategies."""
    requests.post(sim.url + "/_sim/reset", verify=sim.ca_path, timeout=30, headers=admin_headers(sim)).raise_for_status()
    client = VroClient(sim, ADMIN, spec)
    runs = {}
    for wid, params in ((vro_catalog.AWSNEW_ID, [param("name", "string", "string", {"value": "x"})]),
                        (vro_catalog.APPROVAL_ID, []), (vro_catalog.SLEEP_ID, [param("seconds", "number", "number", {"value": 600})])):
        runs[wid] = client.start(wid, params).json()["id"]
    task = client.post("/tasks", json={"name": "t", "workflow": {"id": vro_catalog.AWSNEW_ID},
                                       "recurrence-start-date": "2030-01-01T00:00:00Z"}).json()["id"]
    time.sleep(0.5)
    return {"runs": runs, "task": task}


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_property_based_run_finds_no_5xx_and_no_schema_violation(sim, spec, live, data):
    # pylint: disable=redefined-outer-name
    method, template = data.draw(st.sampled_from(IMPLEMENTED), label="operation")
    wid = data.draw(st.sampled_from(list(live["runs"]) + [vro_catalog.RESTRICTED_ID, vro_catalog.ECHO_ID, "no-such-workflow"]), label="workflow")
    eid = data.draw(st.sampled_from([live["runs"].get(wid, "none"), "no-such-run"]), label="execution")
    tid = data.draw(st.sampled_from([live["task"], "no-such-task"]), label="task")
    path = template.replace("{workflowId}", wid).replace("{id}", tid if template.startswith("/tasks") else wid)
    path = path.replace("{executionId}", eid)
    user = data.draw(st.sampled_from([ADMIN, READER, None]), label="user")
    client = VroClient(sim, user, spec)
    kwargs = {"params": data.draw(_QUERY, label="query")}
    if method == "POST":
        body = data.draw(_TASK if template.startswith("/tasks") else _BODY, label="body")
        if body == "not json":
            kwargs.update(data=b"{not json", headers={"Content-Type": "application/json"})
        else:
            kwargs["json"] = body
    if method == "DELETE" and template.endswith("{executionId}") and eid != "no-such-run":
        return  # deleting the fixture runs would starve the other examples; the sweep covers it
    response = client.call(method, path, **kwargs)
    assert response.status_code < 500, (method, path, kwargs, response.text[:300])
    assert not client.violations, "\n".join(client.violations)
