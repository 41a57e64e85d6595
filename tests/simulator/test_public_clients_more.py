"""More public clients of the vRO and ICO APIs, replayed request by request against the simulator (written from what
each client sends, not copied from it); the sources are named per test and in the client table of
``simulator/README.md`` ("Public clients").

Each test sends the client's method, path (trailing slash or not), headers and body, and asserts what the client
reads back. The XML, ``/server/permissions`` and ICO ``Content-Type`` decisions are in the README's "Decisions" list.
"""

# pylint: disable=redefined-outer-name

from __future__ import annotations

import json
import re
import time
import urllib.parse

import pytest
import requests

from conftest import admin_headers, basic, sim_session

AWSNEW = "3a0ab069-cf2f-47e0-96f5-4a8920a5dc51"
ECHO = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001"
ALWAYS_FAIL = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0003"
VCO_NS = "http://www.vmware.com/vco"


def _admin(sim):
    return basic("vcoadmin", sim.users["vro"]["vcoadmin"]["password"])


def _settings(sim, **values):
    response = requests.put(sim.url + "/_sim/settings", json=values, verify=sim.ca_path, timeout=30, headers=admin_headers(sim))
    assert response.status_code == 200, response.text


def _poll(http, url, headers, read, done, limit=500):
    """Poll ``url`` until ``read(answer)`` is in ``done`` (at most ``limit`` polls, 20 ms apart); the last value read."""
    value = None
    for ignored in range(limit):
        answer = http.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        value = read(answer.json())
        if value in done:
            break
        time.sleep(0.02)
    return value


def _runs(sim, wid):
    response = requests.get(sim.url + "/_sim/vro/runs", params={"workflow": wid}, verify=sim.ca_path, timeout=30,
                            headers=admin_headers(sim))
    return response.json()["count"]


# -- vmwvro (PyPI) and its vmwvro2 fork ---------------------------------------------------------------------------
def test_vmwvro_get_start_and_follow_location(fresh_sim):
    """vmwvro (Lior P. Abitbol, PyPI 'vmwvro': Client.get_workflow, Workflow.start, WorkflowRun.update) and its fork
    vmwvro2 (Jose Ibanez): GET /vco/api/workflows/{id} without the trailing slash; POST .../executions/ with the body
    written as text, each parameter carrying a 'description' and its value as text; then GET of the Location URL with
    only 'Content-Type: application/json' (requests adds 'Accept: */*'), parsed as JSON; vmwvro2 takes the run id
    from Location with the regex 'executions/([\\w-]+)/' and stops at 'completed' or 'failed'."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    json_headers = {"Content-Type": "application/json", "Accept": "application/json", "Authorization": _admin(fresh_sim)}
    workflow = http.get(url + "/vco/api/workflows/" + ECHO, headers=json_headers)
    assert workflow.status_code == 200
    body = workflow.json()
    assert body["id"] == ECHO and body["name"] == "Echo typed inputs" and body["href"] and body["version"]
    inputs = {p["name"]: p for p in body["input-parameters"]}
    assert inputs["str"]["type"] == "string" and inputs["num"]["type"] == "number"

    # WorkflowParameters.to_json: '{"type":..,"scope":..,"name":..,"description":"None","value":{"<type>":{"value":"<text>"}}}'
    data = ('{"parameters":[{"type":"string","scope":"local","name":"str","description":"None","value":{"string":{"value":"web01"}}},'
            '{"type":"number","scope":"local","name":"num","description":"None","value":{"number":{"value":"3"}}}]}')
    started = http.post(url + "/vco/api/workflows/%s/executions/" % ECHO, data=data, headers=json_headers)
    assert started.status_code == 202, started.text
    location = started.headers["Location"]
    match = re.search(r'^http.*/vco/api/.*executions/([\w-]+)/', location)
    assert match is not None

    follow = {"Content-Type": "application/json", "Authorization": _admin(fresh_sim)}
    state = _poll(http, location, follow, lambda run: run["state"], ("completed", "failed", "canceled"))
    assert state == "completed"
    run = http.get(location, headers=follow)
    assert run.headers["Content-Type"].split(";")[0] == "application/json"
    run = run.json()
    assert run["id"] == match.group(1) and run["href"] and run["name"] == "Echo typed inputs"
    assert run["start-date"] and run["end-date"] and run["started-by"] == "vcoadmin"
    outputs = {p["name"]: p.get("value") for p in run["output-parameters"]}
    assert outputs["out_str"] == {"string": {"value": "web01"}} and outputs["out_num"] == {"number": {"value": 3.0}}


def test_vmwvro_start_without_inputs_sends_empty_object(fresh_sim):
    """vmwvro Workflow.start(): data '{}' when no parameters are given; raise_for_status, then 202 and Location."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    headers = {"Content-Type": "application/json", "Accept": "application/json", "Authorization": _admin(fresh_sim)}
    started = http.post(url + "/vco/api/workflows/%s/executions/" % ALWAYS_FAIL, data="{}", headers=headers)
    assert started.status_code == 202 and started.headers["Location"].endswith("/")


# -- VMware's vcenter_vro_config Ansible module (2015) --------------------------------------------------------------
def test_vcenter_vro_config_module(fresh_sim):
    """VMware's 'vcenter_vro_config' Ansible module (2015, 'Tested on VMware-vCO-Appliance-6.0.3'): Basic and JSON
    Accept/Content-Type on every call; 'workflows?conditions=name=<name>' with the name's spaces as they are (requests
    sends %20), failing unless 'total' is 1; POST 'workflows/<id>/executions/' with the body of a JSON file; the run id
    as Location's path split('/')[-2]; polls '.../executions/<eid>/state' for 'value'; then lists
    'workflows/<id>/executions/' and reads 'relations.total' and each link's 'state', 'id' and 'endDate' attributes."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    headers = {"Content-Type": "application/json", "Accept": "application/json", "Authorization": _admin(fresh_sim)}
    found = http.get(url + "/vco/api/workflows?conditions=name=Always fail", headers=headers)
    assert found.status_code == 200 and found.json()["total"] == 1
    wid = [a["value"] for a in found.json()["link"][0]["attributes"] if a["name"] == "id"][0]
    assert wid == ALWAYS_FAIL
    # a name held by two workflows is "not found" for this client (total 2)
    assert http.get(url + "/vco/api/workflows?conditions=name=Duplicate name", headers=headers).json()["total"] == 2

    started = http.post(url + "/vco/api/workflows/%s/executions/" % wid, json={"parameters": []}, headers=headers)
    assert started.status_code == 202
    eid = urllib.parse.urlparse(started.headers["location"]).path.split("/")[-2]
    state_url = url + "/vco/api/workflows/%s/executions/%s/state" % (wid, eid)
    assert _poll(http, state_url, headers, lambda body: body["value"], ("failed", "completed")) == "failed"

    runs = http.get(url + "/vco/api/workflows/%s/executions/" % wid, headers=headers).json()
    assert runs["relations"]["total"] >= 1
    rows = [{a["name"]: a.get("value") for a in link["attributes"]} for link in runs["relations"]["link"] if "attributes" in link]
    failed = [row["id"] for row in rows if row["state"] == "failed"]
    assert failed == [eid] and rows[0]["endDate"]


# -- oporanski/Ansible_RunvROWorkflow (run_vro_wf) -----------------------------------------------------------------
def test_run_vro_wf_module_polls_the_location(fresh_sim):
    """oporanski/Ansible_RunvROWorkflow 'library/run_vro_wf.py' (ansible open_url, force_basic_auth): POST
    '/vco/api/workflows/<id>/executions/' with JSON Content-Type and Accept and every input as a string, plus a boolean
    'test' input the workflow may not declare (check mode); then GETs the Location URL itself with only
    'Accept: application/json' and loops on the run's 'state' until 'completed' or 'failed'."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    auth = _admin(fresh_sim)
    payload = {"parameters": [{"value": {"string": {"value": "web01"}}, "type": "string", "name": "str", "scope": "local"},
                              {"value": {"boolean": {"value": False}}, "type": "boolean", "name": "test", "scope": "local"}]}
    started = http.post(url + "/vco/api/workflows/%s/executions/" % ECHO, data=json.dumps(payload),
                        headers={"Content-Type": "application/json", "Accept": "application/json", "Authorization": auth})
    assert started.status_code == 202
    location = started.headers["Location"]
    headers = {"Accept": "application/json", "Authorization": auth}
    assert _poll(http, location, headers, lambda run: run["state"], ("completed", "failed")) == "completed"
    run = http.get(location, headers=headers).json()
    names = {p["name"] for p in run["input-parameters"]}
    assert "str" in names and "test" not in names  # an input the workflow does not declare is ignored


# -- JulianWe/vRealizeAutomation: the XML flavour --------------------------------------------------------------------
def _xml_context(*params):
    items = "".join('<parameter name="%s" type="%s" scope="local"><%s>%s</%s></parameter>' % (n, t, k, v, k)
                    for n, t, k, v in params)
    return '<?xml version="1.0"?><execution-context xmlns="%s"><parameters>%s</parameters></execution-context>' % (VCO_NS, items)


def test_xml_client_starts_a_run_and_reads_the_headers(fresh_sim):
    """JulianWe/vRealizeAutomation 'Execute-vRoWorkflow.ps1' (vRO 8.2, default apiFormat 'xml'): GET /vco/api/about
    with no credentials; POST /vco/api/workflows/<id>/executions (no slash) with 'Content-Type' and 'Accept'
    'application/xml' and an XML body, reading only the answer's headers. The body here is the 8.18 OpenAPI's
    execution-context in the element form vmwvro's to_xml writes."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    about = http.get(url + "/vco/api/about")
    assert about.status_code == 200 and about.json()["version"]
    headers = {"Authorization": _admin(fresh_sim), "Content-Type": "application/xml", "Accept": "application/xml"}
    body = _xml_context(("str", "string", "string", "web01"), ("num", "number", "number", "20"),
                        ("flag", "boolean", "boolean", "true"))
    started = http.post(url + "/vco/api/workflows/%s/executions" % ECHO, data=body, headers=headers)
    assert started.status_code == 202, started.text
    location = started.headers["Location"]
    assert "/vco/api/workflows/%s/executions/" % ECHO in location
    # The client accepts no JSON: the run is started, the answer has its status and Location and no JSON body.
    assert started.content == b"" and "Content-Type" not in started.headers
    run = http.get(location, headers={"Authorization": _admin(fresh_sim), "Accept": "application/json"}).json()
    inputs = {p["name"]: p.get("value") for p in run["input-parameters"]}
    assert inputs["str"] == {"string": {"value": "web01"}}
    assert inputs["num"] == {"number": {"value": 20.0}} and inputs["flag"] == {"boolean": {"value": True}}


@pytest.mark.parametrize("strict", [False, True])
def test_xml_numbers_are_numbers_under_both_value_readings(fresh_sim, strict):
    """XML carries every value as text; a number element is a number (as JAXB reads it), so the quirk
    vro-values-strict (refusing JSON numbers written as text) does not refuse it."""
    if strict:
        _settings(fresh_sim, quirks=["vro-values-strict"])
    http, url = sim_session(fresh_sim), fresh_sim.url
    headers = {"Authorization": _admin(fresh_sim), "Content-Type": "application/xml"}
    good = http.post(url + "/vco/api/workflows/%s/executions" % ECHO, data=_xml_context(("num", "number", "number", "7.5")),
                     headers=headers)
    assert good.status_code == 202, good.text
    bad = http.post(url + "/vco/api/workflows/%s/executions" % ECHO, data=_xml_context(("num", "number", "number", "seven")),
                    headers=headers)
    assert bad.status_code == 400 and "num" in bad.json()["message"]
    assert _runs(fresh_sim, ECHO) == 1


def test_xml_bodies_the_simulator_cannot_read_are_refused_before_acting(fresh_sim):
    """JulianWe's InputParameterBody.xml is the OpenAPI sample of a WsWorkflowExecution, not an execution-context:
    a 400 naming the root; malformed XML and XML values that are not text (an array) are 400s too; XML on a call
    that takes no execution-context (POST /tasks) is a 415. No run or task is created."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    headers = {"Authorization": _admin(fresh_sim), "Content-Type": "application/xml", "Accept": "application/xml"}
    sample = '<?xml version="1.0"?><WsWorkflowExecution><state>canceled</state></WsWorkflowExecution>'
    refused = http.post(url + "/vco/api/workflows/%s/executions" % ECHO, data=sample, headers=headers)
    assert refused.status_code == 400 and "WsWorkflowExecution" in refused.json()["message"]
    broken = http.post(url + "/vco/api/workflows/%s/executions" % ECHO, data="<execution-context", headers=headers)
    assert broken.status_code == 400 and "Malformed XML" in broken.json()["message"]
    array = ('<execution-context xmlns="%s"><parameters><parameter name="tags" type="Array/string"><array><elements>'
             '<string>a</string></elements></array></parameter></parameters></execution-context>' % VCO_NS)
    not_text = http.post(url + "/vco/api/workflows/%s/executions" % ECHO, data=array, headers=headers)
    assert not_text.status_code == 400 and "JSON" in not_text.json()["message"]
    task = http.post(url + "/vco/api/tasks", data="<task/>", headers=headers)
    assert task.status_code == 415 and "Content-Type: application/json" in task.json()["message"]
    assert _runs(fresh_sim, ECHO) == 0
    listed = http.get(url + "/vco/api/tasks", headers={"Authorization": _admin(fresh_sim)}).json()
    assert listed["relations"]["total"] == 0


@pytest.mark.parametrize("accept", ["application/xml", "text/xml", "application/xml, text/xml"])
def test_a_get_accepting_only_xml_is_a_406(fresh_sim, accept):
    """JulianWe's Get-vRoXMLRestCall sends 'Accept: application/xml' on a GET. Real servers answer XML there (the 8.18
    OpenAPI lists application/xml for every answer); this simulator writes no XML, so it says so with a 406 naming
    the header to send, rather than JSON the client cannot parse. The status is 401 first without credentials."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    headers = {"Authorization": _admin(fresh_sim), "Accept": accept}
    for path in ("/vco/api/about", "/vco/api/workflows/%s/" % AWSNEW, "/vco/api/workflows"):
        answer = http.get(url + path, headers=headers)
        assert answer.status_code == 406, (path, answer.status_code)
        assert answer.json()["status"] == 406 and "Accept: application/json" in answer.json()["message"]
    assert http.get(url + "/vco/api/workflows", headers={"Accept": accept}).status_code == 401
    # the schema is a PNG whatever the client accepts
    assert http.get(url + "/vco/api/workflows/%s/schema" % AWSNEW, headers=headers).status_code == 200
    # JSON anywhere in the header is enough
    mixed = http.get(url + "/vco/api/about", headers={"Accept": "application/xml, application/json;q=0.5"})
    assert mixed.status_code == 200 and mixed.json()["version"]


# -- PowervRO Connect-vROServer ----------------------------------------------------------------------------------------
def _powervro(sim, password=None):
    password = password if password is not None else sim.users["vro"]["vcoadmin"]["password"]
    return {"Accept": "application/json", "Content-Type": "application/json", "Authorization": basic("vcoadmin", password)}


def test_powervro_connect_checks_credentials_on_7x(fresh_sim):
    """jakkulabs/PowervRO Connect-vROServer: Get-vROVersion (GET /vco/api/about), then
    'GET /vco/api/server/permissions' with -ErrorAction Stop to test the credentials (its body is discarded). vRO 7.x
    serves it (the 7.1 guide's permissions service); a wrong password is a 401, so Connect fails as it should."""
    _settings(fresh_sim, vro_version="7.6")
    http, url = sim_session(fresh_sim), fresh_sim.url
    assert http.get(url + "/vco/api/about", headers=_powervro(fresh_sim)).json()["version"].startswith("7.")
    checked = http.get(url + "/vco/api/server/permissions", headers=_powervro(fresh_sim))
    assert checked.status_code == 200 and checked.json()["permissions"]
    wrong = http.get(url + "/vco/api/server/permissions", headers=_powervro(fresh_sim, "wrong"))
    assert wrong.status_code == 401


@pytest.mark.parametrize("quirk", [False, True])
def test_powervro_connect_on_8x(fresh_sim, quirk):
    """vRO 8.18: the OpenAPI has no /server/permissions (nor any permissions path), so the default is a JSON 404 and
    Connect-vROServer fails against it; the quirk vro-8-server-permissions serves it as 7.x does."""
    if quirk:
        _settings(fresh_sim, quirks=["vro-8-server-permissions"])
    http, url = sim_session(fresh_sim), fresh_sim.url
    checked = http.get(url + "/vco/api/server/permissions", headers=_powervro(fresh_sim))
    assert checked.status_code == (200 if quirk else 404)
    assert ("permissions" in checked.json()) if quirk else (checked.json()["status"] == 404)
    assert http.get(url + "/vco/api/server/permissions", headers=_powervro(fresh_sim, "wrong")).status_code == 401


# -- ICO: bodies that are not declared as JSON ---------------------------------------------------------------------
def _ico(sim, **extra):
    entry = sim.users["ico"]["admin"]
    headers = {"Authorization": basic("admin", entry["password"]), "domainName": entry["domain"], "projectName": entry["project"]}
    headers.update(extra)
    return headers


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", "application/xml"])
def test_ico_body_of_another_type_is_a_415(fresh_sim, content_type):
    """IBM's 'Task engine REST API V2' gives every call 'Content-Type application/JSON'. A JSON body declared as another
    type (curl -d sends application/x-www-form-urlencoded) is a 415 that says which type to send, not a 400 saying the
    body is no JSON object; nothing is created or changed."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    before = len(http.get(url + "/orchestrator/v2/tasks", headers=_ico(fresh_sim)).json())
    body = json.dumps({"parm": {"job": "nightly"}})
    created = http.post(url + "/orchestrator/v2/tasks", data=body, headers=_ico(fresh_sim, **{"Content-Type": content_type}))
    assert created.status_code == 415
    assert "application/json" in created.json()["error_message"] and content_type in created.json()["error_message"]
    assert len(http.get(url + "/orchestrator/v2/tasks", headers=_ico(fresh_sim)).json()) == before
    changed = http.put(url + "/orchestrator/v2/tasks/1003", data=json.dumps({"description_message": "x"}),
                       headers=_ico(fresh_sim, **{"Content-Type": content_type}))
    assert changed.status_code == 415
    assert http.get(url + "/orchestrator/v2/tasks/1003", headers=_ico(fresh_sim)).json()["description_message"] != "x"


def test_ico_body_without_content_type_is_read_as_json(fresh_sim):
    """A JSON body sent with no Content-Type at all (requests' data= with a str) is read, as on the vRO side."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    created = http.post(url + "/orchestrator/v2/tasks", data=json.dumps({"parm": {"job": "nightly"}}), headers=_ico(fresh_sim))
    assert created.status_code == 201, created.text
    assert created.json()["parm"] == {"job": "nightly"}
    not_object = http.post(url + "/orchestrator/v2/tasks", data="[1]", headers=_ico(fresh_sim))
    assert not_object.status_code == 400 and "JSON object" in not_object.json()["error_message"]


# -- PowerVCF: credentials tasks -------------------------------------------------------------------------------------
CREDENTIALS_FAILED = "7a5e0007-5e1f-4c0d-9a11-000000000007"

# vmware/powershell-module-for-vmware-cloud-foundation SampleJSON/Credential/rotateCredentialSpec.json, as
# Restart-VCFCredentialTask sends it: 'Get-Content $json' without -Raw gives the file's lines, which -Body joins with
# spaces.
ROTATE_SPEC_LINES = ['{', '  "operationType" : "ROTATE",', '  "elements" : [ {',
                     '    "resourceName" : "sfo01m01esx02.sfo01.rainpole.local",', '    "resourceType" : "ESXI",',
                     '    "credentials" : [ {', '      "credentialType" : "SSH",', '      "username" : "root"', '    } ]',
                     '  } ]', '}']


def test_powervcf_credentials_tasks(fresh_sim):
    """PowerVCF (vmware/powershell-module-for-vmware-cloud-foundation) Get-VCFCredentialTask (GET /v1/credentials/tasks
    -> .elements, GET /v1/credentials/tasks/{id}, GET .../{id}/resource-credentials), Restart-VCFCredentialTask (PATCH
    .../{id}, -ContentType application/json, the sample spec's lines joined by spaces) and Stop-VCFCredentialTask
    (DELETE .../{id} with -ContentType application/json and no body); createHeader sets Accept and the bearer."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    user = "administrator@vsphere.local"
    login = http.post(url + "/v1/tokens", data=json.dumps({"username": user, "password": fresh_sim.users["vcf"][user]["password"]}),
                      headers={"Content-Type": "application/json"})
    headers = {"Accept": "application/json", "Authorization": "Bearer " + login.json()["accessToken"]}
    listed = http.get(url + "/v1/credentials/tasks", headers=headers)
    assert listed.status_code == 200
    assert CREDENTIALS_FAILED in [task["id"] for task in listed.json()["elements"]]
    task = http.get(url + "/v1/credentials/tasks/" + CREDENTIALS_FAILED, headers=headers).json()
    assert task["status"] == "FAILED" and task["type"] == "ROTATE" and task["subTasks"]
    resources = http.get(url + "/v1/credentials/tasks/%s/resource-credentials" % CREDENTIALS_FAILED, headers=headers).json()
    assert resources and all(r["resourceName"] and r["credentials"][0]["username"] for r in resources)
    assert all("password" not in c for r in resources for c in r["credentials"])

    json_headers = dict(headers, **{"Content-Type": "application/json"})
    retried = http.patch(url + "/v1/credentials/tasks/" + CREDENTIALS_FAILED, data=" ".join(ROTATE_SPEC_LINES), headers=json_headers)
    assert retried.status_code == 202, retried.text
    assert retried.json()["id"] == CREDENTIALS_FAILED
    stopped = http.delete(url + "/v1/credentials/tasks/" + CREDENTIALS_FAILED, headers=json_headers)
    assert stopped.status_code == 202, stopped.text
    assert http.get(url + "/v1/credentials/tasks/" + CREDENTIALS_FAILED, headers=headers).json()["status"] == "USER_CANCELLED"
