"""Requests of public clients of the three APIs, replayed against the simulator (written from what each client sends,
not copied from it); the sources are named per test and in the client table of ``simulator/README.md``.

Each test sends the client's exact method, path (trailing slash or not), headers and body, and asserts what the client
reads back (status, ``Location``, the fields it picks), so the simulator answers real clients as the servers do.
"""

# pylint: disable=redefined-outer-name

from __future__ import annotations

import base64
import http.client as http_client
import json
import ssl
import urllib.parse

import pytest
import requests

from conftest import admin_headers, basic, sim_session

AWSNEW = "3a0ab069-cf2f-47e0-96f5-4a8920a5dc51"
ECHO = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001"
RETRY_SUCCEEDS = "7a5e0001-5e1f-4c0d-9a11-000000000001"
RETRY_FAILS_ONCE = "7a5e0002-5e1f-4c0d-9a11-000000000002"


def _set_quirks(sim, names):
    response = requests.put(sim.url + "/_sim/settings", json={"quirks": names}, verify=sim.ca_path, timeout=30,
                            headers=admin_headers(sim))
    assert response.status_code == 200, response.text


def _runs(sim, wid):
    response = requests.get(sim.url + "/_sim/vro/runs", params={"workflow": wid}, verify=sim.ca_path, timeout=30,
                            headers=admin_headers(sim))
    return response.json()["count"]


# -- vRO -----------------------------------------------------------------------------------------------------------
def _powervro_headers(sim):
    # jakkulabs/PowervRO Invoke-vRORestMethod: these three headers on every call, GET included.
    password = sim.users["vro"]["vcoadmin"]["password"]
    return {"Accept": "application/json", "Content-Type": "application/json", "Authorization": basic("vcoadmin", password)}


def test_powervro_connect_find_run_and_poll(fresh_sim):
    """PowervRO: Get-vROVersion, Get-vROWorkflow -Name, Invoke-vROWorkflow -ParameterType, Get-vROWorkflowExecution,
    Get-vROWorkflowExecutionState."""
    http, headers, url = sim_session(fresh_sim), _powervro_headers(fresh_sim), fresh_sim.url
    about = http.get(url + "/vco/api/about", headers=headers).json()
    assert about["version"].startswith("8.") and about["build-number"] and about["api-version"]

    # Get-vROWorkflow -Name: '/vco/api/workflows/?conditions=name=<name>' (slash before the query), reads link attributes
    found = http.get(url + "/vco/api/workflows/?conditions=name=AWSNEW", headers=headers)
    assert found.status_code == 200
    (link,) = found.json()["link"]
    attributes = {a["name"]: a["value"] for a in link["attributes"]}
    assert attributes["id"] == AWSNEW and attributes["name"] == "AWSNEW"
    assert attributes["itemHref"] == link["href"] == url + "/vco/api/workflows/%s/" % AWSNEW
    assert attributes["categoryHref"] == url + "/vco/api/catalog/System/WorkflowCategory/%s/" % attributes["categoryId"]
    assert attributes["canExecute"] == "true" and attributes["version"]

    # Invoke-vROWorkflow -ParameterName name -ParameterValue web01 -ParameterType String: the type lower-cased, the
    # value always a JSON string, POST to executions/ with the trailing slash; it keeps Location's path.
    body = ('{"parameters":\n\t[\n        {\n            "value": {"string":{ "value": "web01"}},\n'
            '            "type": "string",\n            "name": "name",\n            "scope": "local"\n        }\t\n\t]\n}')
    started = http.post(url + "/vco/api/workflows/%s/executions/" % AWSNEW, data=body, headers=headers)
    assert started.status_code == 202
    execution = urllib.parse.urlsplit(started.headers["Location"]).path
    assert execution.startswith("/vco/api/workflows/%s/executions/" % AWSNEW) and execution.endswith("/")

    # Get-vROWorkflowExecutionState: <Location path> + "state", reads .Value
    state = http.get(url + execution + "state", headers=headers)
    assert state.status_code == 200 and state.json()["value"] in ("initializing", "running")

    # Get-vROWorkflowExecution: the runs' link attributes, then "<list URI>/<id>/" + "state"
    listing = http.get(url + "/vco/api/workflows/%s/executions" % AWSNEW, headers=headers).json()
    runs = [{a["name"]: a["value"] for a in item["attributes"]} for item in listing["relations"]["link"] if item.get("attributes")]
    assert [run["id"] for run in runs] == [execution.rstrip("/").rsplit("/", 1)[1]]
    assert set(runs[0]) >= {"name", "id", "state", "startedBy", "startDate"}
    again = http.get(url + "/vco/api/workflows/%s/executions/%s/state" % (AWSNEW, runs[0]["id"]), headers=headers)
    assert again.json()["value"] in ("initializing", "running", "completed")


def _typed_as_text():
    # PowervRO Invoke-vROWorkflow writes every value as a JSON string ({"number":{"value":"20"}}); the
    # vmware_vro_workflow Ansible module's documented example sends a templated number as text and its SecureString
    # input as a 'string' value.
    return {"parameters": [
        {"value": {"number": {"value": "20"}}, "type": "number", "name": "num", "scope": "local"},
        {"value": {"boolean": {"value": "true"}}, "type": "boolean", "name": "flag", "scope": "local"},
        {"value": {"string": {"value": "a_secret"}}, "type": "SecureString", "name": "secret", "scope": "local"},
    ]}


def test_values_written_as_text_are_taken_by_default(fresh_sim):
    http, headers, url = sim_session(fresh_sim), _powervro_headers(fresh_sim), fresh_sim.url
    started = http.post(url + "/vco/api/workflows/%s/executions/" % ECHO, data=json.dumps(_typed_as_text()), headers=headers)
    assert started.status_code == 202, started.text
    run = http.get(started.headers["Location"], headers=headers).json()
    inputs = {p["name"]: p.get("value") for p in run["input-parameters"]}
    assert inputs["num"] == {"number": {"value": 20.0}}
    assert inputs["flag"] == {"boolean": {"value": True}}
    assert inputs["secret"] == {"secure-string": {"value": "a_secret"}}
    # Text that is no number stays a 400 on both readings (Jackson cannot read it either).
    bad = {"parameters": [{"value": {"number": {"value": "twenty"}}, "type": "number", "name": "num"}]}
    refused = http.post(url + "/vco/api/workflows/%s/executions/" % ECHO, data=json.dumps(bad), headers=headers)
    assert refused.status_code == 400 and "numeric" in refused.json()["message"]


def test_values_written_as_text_are_refused_under_quirk(fresh_sim):
    _set_quirks(fresh_sim, ["vro-values-strict"])
    http, headers, url = sim_session(fresh_sim), _powervro_headers(fresh_sim), fresh_sim.url
    for param in _typed_as_text()["parameters"]:
        refused = http.post(url + "/vco/api/workflows/%s/executions/" % ECHO, data=json.dumps({"parameters": [param]}),
                            headers=headers)
        assert refused.status_code == 400, param
        assert refused.json()["status"] == 400 and "parameter '%s'" % param["name"] in refused.json()["message"]
    assert _runs(fresh_sim, ECHO) == 0
    # Values of the declared kind still start the run under the quirk.
    good = {"parameters": [{"value": {"number": {"value": 20}}, "type": "number", "name": "num", "scope": "local"}]}
    assert http.post(url + "/vco/api/workflows/%s/executions" % ECHO, json=good, headers=headers).status_code == 202


def test_ansible_vmware_vro_workflow_module(fresh_sim):
    """The community vmware_vro_workflow module (Tony Skidmore, after Tom Hite's ansible-module-chaperone): Basic on
    every call, 'workflows?conditions=name=<name>' reading 'total' and the link's id, POST '{}' when there are no
    inputs, the execution id as Location's path split('/')[-2], polling .../state for 'value'."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    headers = {"Content-Type": "application/json", "Accept": "application/json",
               "Authorization": basic("vcoadmin", fresh_sim.users["vro"]["vcoadmin"]["password"])}
    found = http.get(url + "/vco/api/workflows?conditions=name=AWSNEW", headers=headers).json()
    assert found["total"] == 1
    wid = [a["value"] for a in found["link"][0]["attributes"] if a["name"] == "id"][0]
    started = http.post(url + "/vco/api/workflows/%s/executions/" % wid, data="{}", headers=headers)
    assert started.status_code == 202
    eid = urllib.parse.urlsplit(started.headers["location"]).path.split("/")[-2]
    state = http.get(url + "/vco/api/workflows/%s/executions/%s/state" % (wid, eid), headers=headers)
    assert state.status_code == 200 and state.json()["value"] in ("initializing", "running")
    run = http.get(url + "/vco/api/workflows/%s/executions/%s/" % (wid, eid), headers=headers)
    assert run.status_code == 200 and run.json()["id"] == eid
    runs = http.get(url + "/vco/api/workflows/%s/executions/" % wid, headers=headers).json()
    assert runs["relations"]["total"] == 1


def test_domain_backslash_user_basic_auth(fresh_sim):
    """JulianWe/vRealizeAutomation Execute-vRoWorkflow.ps1 (vRO 8.2, an Active Directory user 'vdi\\julian'):
    Basic with DOMAIN\\user, GET /vco/api/workflows/{id}/ without Accept, reading 'input-parameters'."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    password = fresh_sim.users["vro"]["vcoadmin"]["password"]
    answer = http.get(url + "/vco/api/workflows/%s/" % AWSNEW, headers={"Authorization": basic("vsphere.local\\vcoadmin", password)})
    assert answer.status_code == 200
    assert [p["name"] for p in answer.json()["input-parameters"]] == ["name"]
    wrong = http.get(url + "/vco/api/workflows/%s/" % AWSNEW, headers={"Authorization": basic("vsphere.local\\vcoadmin", "nope")})
    assert wrong.status_code == 401
    unknown = http.get(url + "/vco/api/workflows/%s/" % AWSNEW, headers={"Authorization": basic("vsphere.local\\nobody", password)})
    assert unknown.status_code == 401


# -- VCF SDDC Manager ----------------------------------------------------------------------------------------------
def _vcf_login(sim, http, **headers):
    user = "administrator@vsphere.local"
    body = '{"username": "' + user + '","password": "' + sim.users["vcf"][user]["password"] + '"}'
    return http.post(sim.url + "/v1/tokens", data=body, headers=headers)


def _jwt_claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_powervcf_token_tasks_refresh_and_retry(fresh_sim):
    """PowerVCF (Request-VCFToken, createHeader, checkVCFToken, Get-VCFTask, Restart-VCFTask)."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    # Request-VCFToken: the body built as text, only Content-Type (no Accept); reads accessToken and refreshToken.id
    login = _vcf_login(fresh_sim, http, **{"Content-Type": "application/json"})
    assert login.status_code in (200, 201)
    access, refresh = login.json()["accessToken"], login.json()["refreshToken"]["id"]
    # checkVCFToken decodes the JWT's exp to decide when to refresh
    assert _jwt_claims(access)["exp"] > _jwt_claims(access)["iat"]
    headers = {"Accept": "application/json", "Content-Type": "application/json", "Authorization": "Bearer " + access}
    # Get-VCFTask: '/v1/tasks/' with the trailing slash, reads .elements; '/v1/tasks/<id>'
    listing = http.get(url + "/v1/tasks/", headers=headers)
    assert listing.status_code == 200 and listing.json()["elements"]
    assert http.get(url + "/v1/tasks/" + RETRY_SUCCEEDS, headers=headers).json()["status"] == "Failed"
    # checkVCFToken: PATCH the refresh URL with the bare refresh token id as the body (not a JSON string)
    refreshed = http.patch(url + "/v1/tokens/access-token/refresh", data=refresh,
                           headers={"Accept": "application/json", "Content-Type": "application/json"})
    assert refreshed.status_code == 200
    new_access = refreshed.json()
    assert isinstance(new_access, str) and _jwt_claims(new_access)["sub"] == "administrator@vsphere.local"
    # Restart-VCFTask: PATCH /v1/tasks/<id> with the JSON headers and no body
    headers["Authorization"] = "Bearer " + new_access
    retried = http.patch(url + "/v1/tasks/" + RETRY_SUCCEEDS, headers=headers)
    assert retried.status_code == 200
    assert http.get(url + "/v1/tasks/" + RETRY_SUCCEEDS, headers=headers).json()["status"] == "In Progress"


def test_terraform_provider_vcf_headers(fresh_sim):
    """vmware/terraform-provider-vcf: its request editor adds 'Content-Type: application/json' on top of the SDK's
    (two Content-Type lines on a POST, one on a GET), and sends the previous access token along with a new
    POST /v1/tokens when it logs in again every 20 minutes; TaskTracker compares status as 'In Progress',
    'IN_PROGRESS', 'Pending', 'Failed', 'Cancelled' and reads completionTimestamp of a finished task."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    login = _vcf_login(fresh_sim, http, **{"Content-Type": "application/json"})
    access = login.json()["accessToken"]
    requests.post(url + "/_sim/tokens/expire", verify=fresh_sim.ca_path, timeout=30, headers=admin_headers(fresh_sim))
    # requests merges a dict of headers: the duplicated header line goes through http.client.
    parts = urllib.parse.urlsplit(url)
    conn = http_client.HTTPSConnection(parts.hostname, parts.port, context=ssl.create_default_context(cafile=fresh_sim.ca_path))
    body = json.dumps({"username": "administrator@vsphere.local",
                       "password": fresh_sim.users["vcf"]["administrator@vsphere.local"]["password"]})
    conn.putrequest("POST", "/v1/tokens")
    for name, value in (("Content-Type", "application/json"), ("Authorization", "Bearer " + access),
                        ("User-Agent", "terraform-provider-vcf"), ("Content-Type", "application/json"),
                        ("Content-Length", str(len(body)))):
        conn.putheader(name, value)
    conn.endheaders(body.encode())
    answer = conn.getresponse()
    payload = json.loads(answer.read())
    conn.close()
    assert answer.status in (200, 201) and payload["accessToken"]
    headers = {"Authorization": "Bearer " + payload["accessToken"], "User-Agent": "terraform-provider-vcf",
               "Content-Type": "application/json"}
    task = http.get(url + "/v1/tasks/" + RETRY_FAILS_ONCE, headers=headers).json()
    assert task["status"] == "Failed" and task["completionTimestamp"] and task["id"] and task["name"] and task["type"]
    assert all(sub["status"] and sub["description"] for sub in task["subTasks"])


def test_vcf_sdk_python_refresh_and_retry(fresh_sim):
    """vmware/vcf-sdk-python samples (vAPI REST bindings): Refresh.refresh_access_token(refresh_token) sends the id
    as a JSON string; Tasks.retry_task(id) a PATCH without a body; the filter refreshes after a 401."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    login = _vcf_login(fresh_sim, http, **{"Content-Type": "application/json", "Accept": "application/json"})
    requests.post(url + "/_sim/tokens/expire", verify=fresh_sim.ca_path, timeout=30, headers=admin_headers(fresh_sim))
    expired = http.get(url + "/v1/tasks/" + RETRY_SUCCEEDS, headers={"Authorization": "Bearer " + login.json()["accessToken"]})
    assert expired.status_code == 401
    # an expired refresh token is refused too: log in again, then refresh with a JSON string body
    login = _vcf_login(fresh_sim, http, **{"Content-Type": "application/json", "Accept": "application/json"})
    refresh = login.json()["refreshToken"]["id"]
    refreshed = http.patch(url + "/v1/tokens/access-token/refresh", data=json.dumps(refresh),
                           headers={"Content-Type": "application/json", "Accept": "application/json"})
    assert refreshed.status_code == 200
    headers = {"Authorization": "Bearer " + refreshed.json(), "Accept": "application/json"}
    retried = http.patch(url + "/v1/tasks/" + RETRY_SUCCEEDS, headers=headers)
    assert retried.status_code == 200


# -- ICO 2.5 -------------------------------------------------------------------------------------------------------
def test_ico_requests_as_ibm_documents_them(fresh_sim):
    """IBM ICO 2.5.0.2 'Task engine REST API V2': every call 'Accepts */*' with 'Content-Type application/JSON'
    (spelt so), Basic plus domainName/projectName headers; POST 201, GET 200, PUT 200, DELETE 204."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    headers = {"Accept": "*/*", "Content-Type": "application/JSON", "domainName": "Default", "projectName": "admin",
               "Authorization": basic("admin", fresh_sim.users["ico"]["admin"]["password"])}
    created = http.post(url + "/orchestrator/v2/tasks", data=json.dumps({"parm": {"job": "nightly"}}), headers=headers)
    assert created.status_code == 201
    task_url = created.headers["Location"]
    assert task_url == url + "/orchestrator/v2/tasks/" + created.json()["id"]
    assert http.get(url + "/orchestrator/v2/tasks", headers=headers).json()[-1]["id"] == created.json()["id"]
    changed = http.put(task_url, data=json.dumps({"description_message": "moved"}), headers=headers)
    assert changed.status_code == 200 and changed.json()["description_message"] == "moved"
    assert http.delete(task_url, headers=headers).status_code == 204
    assert http.get(task_url, headers=headers).status_code == 404


def test_ico_json_charset_content_type(fresh_sim):
    """A JSON body with a charset parameter in its Content-Type (what .NET and Java clients send) is read."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    headers = {"Authorization": basic("admin", fresh_sim.users["ico"]["admin"]["password"]),
               "Content-Type": "application/json; charset=UTF-8"}
    created = http.post(url + "/orchestrator/v2/tasks", data=json.dumps({"parm": {"job": "nightly"}}), headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["parm"] == {"job": "nightly"}


@pytest.mark.parametrize("strict", [False, True])
def test_scheduled_task_inputs_written_as_text(fresh_sim, strict):
    """POST /tasks checks its input-parameters as a run's: text numbers taken unless vro-values-strict."""
    if strict:
        _set_quirks(fresh_sim, ["vro-values-strict"])
    http, headers, url = sim_session(fresh_sim), _powervro_headers(fresh_sim), fresh_sim.url
    body = {"name": "text inputs", "workflow": {"id": ECHO}, "recurrence-cycle": "one-time",
            "recurrence-start-date": "2099-01-01T00:00:00.000Z",
            "input-parameters": [{"value": {"number": {"value": "20"}}, "type": "number", "name": "num", "scope": "local"}]}
    answer = http.post(url + "/vco/api/tasks", data=json.dumps(body), headers=headers)
    assert answer.status_code == (400 if strict else 202), answer.text
    listed = http.get(url + "/vco/api/tasks", headers=headers).json()
    assert listed["relations"]["total"] == (0 if strict else 1)
