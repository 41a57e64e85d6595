"""Third-party vRO clients replayed against the simulator over real HTTPS: the requests each sends (method, path with or
without the trailing slash, query, headers) and what it reads back. Written from what each client sends, not copied
from it; the sources are named per test and in the client table of ``simulator/README.md`` ("Public clients").

Covered here: the workflow categories and the ``System`` catalog of workflows (jakkulabs/PowervRO ``Get-vROWorkflow
-CategoryId``, sammcgeown/vra-cli, a public vRO log-tail script), comma-joined ``conditions`` (vra-cli), the log-tail
script's ``/syslogs`` polling by ``timestamp>`` and PowervRO's ``Get-vROWorkflowExecutionResult``.
"""

# pylint: disable=redefined-outer-name

from __future__ import annotations

import time
import urllib.parse

import pytest
import requests

from conftest import admin_headers, basic, sim_session

AWSNEW = "3a0ab069-cf2f-47e0-96f5-4a8920a5dc51"
ECHO = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001"
RESTRICTED = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0007"


def _headers(sim, user="vcoadmin"):
    # PowervRO's Invoke-vRORestMethod and the log-tail script send these on every call, GETs included.
    return {"Accept": "application/json", "Content-Type": "application/json",
            "Authorization": basic(user, sim.users["vro"][user]["password"])}


def _attributes(link):
    return {a["name"]: a.get("value", "") for a in link["attributes"]}


def _quirks(sim, names):
    answer = requests.put(sim.url + "/_sim/settings", json={"quirks": names}, verify=sim.ca_path, timeout=30,
                          headers=admin_headers(sim))
    assert answer.status_code == 200, answer.text


def _wait_state(http, url, headers, done=("completed", "failed")):
    state = None
    for ignored in range(500):
        state = http.get(url + "state", headers=headers).json()["value"]
        if state in done:
            break
        time.sleep(0.02)
    return state


# -- categories and the System catalog ----------------------------------------------------------------------------
def test_powervro_get_workflow_by_category_id(fresh_sim):
    """PowervRO Get-vROWorkflow -CategoryId: GET /vco/api/catalog/System/WorkflowCategory/{id}/workflows (the 8.18
    spec's /catalog/{namespace}/{parentType}/{parentId}/{relationName}), reading each link's href as ItemHref and the
    attributes name, id, description, version, categoryName, categoryHref, canExecute, canEdit."""
    http, headers, url = sim_session(fresh_sim), _headers(fresh_sim), fresh_sim.url
    listed = http.get(url + "/vco/api/workflows/?conditions=name=AWSNEW", headers=headers).json()
    category_id = _attributes(listed["link"][0])["categoryId"]
    answer = http.get(url + "/vco/api/catalog/System/WorkflowCategory/%s/workflows" % category_id, headers=headers)
    assert answer.status_code == 200, answer.text
    links = answer.json()["link"]
    assert answer.json()["total"] == len(links) >= 1
    by_id = {_attributes(link)["id"]: link for link in links}
    assert by_id[AWSNEW]["href"] == url + "/vco/api/workflows/%s/" % AWSNEW
    attributes = _attributes(by_id[AWSNEW])
    assert attributes["name"] == "AWSNEW" and attributes["categoryName"] == "Cloud" and attributes["version"]
    assert attributes["canExecute"] == "true" and attributes["canEdit"] == "true"
    assert all(_attributes(link)["categoryId"] == category_id for link in links)
    # The same list behind the trailing slash; an unknown category is a 404 in vRO's error shape.
    assert http.get(url + "/vco/api/catalog/System/WorkflowCategory/%s/workflows/" % category_id,
                    headers=headers).json()["total"] == len(links)
    missing = http.get(url + "/vco/api/catalog/System/WorkflowCategory/nope/workflows", headers=headers)
    assert missing.status_code == 404 and missing.json()["status"] == 404


def test_category_href_of_the_workflow_list_resolves(vro):
    """Every categoryHref the workflow list hands out (PowervRO reads it) and the workflow's 'up' relation
    (/categories/{id}/) answer 200 with the spec's WsInventoryItem and WsCategory (the ``vro`` client checks the
    shapes against the 8.18 OpenAPI document)."""
    links = vro.get("/workflows").json()["link"]
    for link in links:
        attributes = _attributes(link)
        item = vro.get(attributes["categoryHref"])
        assert item.status_code == 200, item.text
        assert _attributes(item.json())["displayName"] == attributes["categoryName"]
        assert _attributes(item.json())["id"] == attributes["categoryId"]
    body = vro.get("/workflows/%s" % AWSNEW).json()
    (up,) = [r["href"] for r in body["relations"]["link"] if r["rel"] == "up"]
    category = vro.get(up)
    assert category.status_code == 200, category.text
    assert category.json()["name"] == "Cloud" and category.json()["type"] == "WorkflowCategory"


def test_log_tail_script_finds_a_workflow_by_folder(fresh_sim):
    """A public vRO log-tail script (stored public code index, repository not identified): GET
    /vco/api/catalog/System/Workflow?conditions=name=<name>, then for each link GET
    /vco/api/catalog/System/WorkflowCategory/<categoryId> (no trailing slash) and compares its 'displayName'
    attribute with the folder the user gave ('Cloud/AWSNEW')."""
    http, headers, url = sim_session(fresh_sim), _headers(fresh_sim), fresh_sim.url
    found = http.get(url + "/vco/api/catalog/System/Workflow?conditions=name=" + urllib.parse.quote("Duplicate name"),
                     headers=headers)
    assert found.status_code == 200, found.text
    folders = {}
    for link in found.json()["link"]:
        workflow = _attributes(link)
        category = http.get(url + "/vco/api/catalog/System/WorkflowCategory/" + workflow["categoryId"], headers=headers)
        assert category.status_code == 200, category.text
        folders[_attributes(category.json())["displayName"]] = workflow["id"]
    assert folders == {"Library": "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0005", "Cloud": "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0006"}


def test_vra_cli_category_and_workflow_lookups(fresh_sim):
    """sammcgeown/vra-cli (pkg/cmd/orchestrator): GetCategoryByName sends GET
    /vco/api/catalog/System/WorkflowCategory/?conditions=name~<name> and reads each link's 'id' attribute, then
    GetCategoryByID GET /vco/api/categories/<id> (WsCategory: id, name, path, type, href, path-ids); GetWorkflow joins
    its conditions with a comma in one parameter (conditions=name~X,categoryName~Y) and sends an empty one when
    there is no filter, then GET /vco/api/workflows/<id> for each id."""
    http, headers, url = sim_session(fresh_sim), _headers(fresh_sim), fresh_sim.url
    listed = http.get(url + "/vco/api/catalog/System/WorkflowCategory/?conditions=name~Lib", headers=headers)
    assert listed.status_code == 200, listed.text
    ids = [_attributes(link)["id"] for link in listed.json()["link"]]
    assert len(ids) == 1 and listed.json()["total"] == 1
    category = http.get(url + "/vco/api/categories/" + ids[0], headers=headers)
    assert category.status_code == 200, category.text
    assert {k: category.json()[k] for k in ("id", "name", "path", "type")} == {
        "id": ids[0], "name": "Library", "path": "Library", "type": "WorkflowCategory"}
    assert category.json()["path-ids"] == [ids[0]]
    assert http.get(url + "/vco/api/categories/nope", headers=headers).status_code == 404

    joined = http.get(url + "/vco/api/workflows", params={"conditions": "name~AWS,categoryName~Cloud"}, headers=headers)
    assert joined.status_code == 200, joined.text
    assert [_attributes(link)["id"] for link in joined.json()["link"]] == [AWSNEW]
    other = http.get(url + "/vco/api/workflows", params={"conditions": "name~AWS,categoryName~Library"}, headers=headers)
    assert other.json()["total"] == 0
    everything = http.get(url + "/vco/api/workflows?conditions=", headers=headers).json()
    assert everything["total"] == len(everything["link"]) >= 7
    assert http.get(url + "/vco/api/workflows/" + AWSNEW, headers=headers).json()["category-id"]


@pytest.mark.parametrize("quirk", [False, True])
def test_comma_in_a_name_and_comma_joined_conditions(fresh_sim, quirk):
    """A comma followed by a condition separates two conditions on both readings; one followed by no condition stays
    in the value by default and is a 400 under vro-conditions-comma-split."""
    if quirk:
        _quirks(fresh_sim, ["vro-conditions-comma-split"])
    http, headers, url = sim_session(fresh_sim), _headers(fresh_sim), fresh_sim.url
    joined = http.get(url + "/vco/api/workflows", params={"conditions": "name=AWSNEW,categoryName=Cloud"}, headers=headers)
    assert joined.status_code == 200 and joined.json()["total"] == 1
    in_name = http.get(url + "/vco/api/workflows", params={"conditions": "name=Deploy VM, Linux"}, headers=headers)
    assert in_name.status_code == (400 if quirk else 200), in_name.text


def test_categories_follow_read_rights(fresh_sim):
    """The read-only user does not see the category of the workflows it may not read (as with the workflows)."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    admin = http.get(url + "/vco/api/catalog/System/WorkflowCategory", headers=_headers(fresh_sim)).json()
    names = {_attributes(link)["name"]: _attributes(link)["id"] for link in admin["link"]}
    assert "Restricted" in names
    reader = _headers(fresh_sim, "vcoreader")
    listed = http.get(url + "/vco/api/catalog/System/WorkflowCategory", headers=reader).json()
    assert "Restricted" not in {_attributes(link)["name"] for link in listed["link"]}
    assert http.get(url + "/vco/api/catalog/System/WorkflowCategory/" + names["Restricted"], headers=reader).status_code == 404
    assert http.get(url + "/vco/api/categories/" + names["Restricted"], headers=reader).status_code == 404
    workflows = http.get(url + "/vco/api/catalog/System/Workflow", headers=reader).json()
    assert RESTRICTED not in {_attributes(link)["id"] for link in workflows["link"]}


# -- runs ------------------------------------------------------------------------------------------------------------
def test_log_tail_script_polls_syslogs_by_timestamp(fresh_sim):
    """The log-tail script polls GET .../syslogs?maxResult=100&conditions=severity=<s>&conditions=timestamp%3E<t>
    with t the last line's 'time-stamp-val' (0 at first), until the run stops running and no line is new."""
    http, headers, url = sim_session(fresh_sim), _headers(fresh_sim), fresh_sim.url
    started = http.post(url + "/vco/api/workflows/%s/executions" % AWSNEW,
                        json={"parameters": [{"name": "name", "type": "string", "value": {"string": {"value": "web01"}}}]},
                        headers=headers)
    assert started.status_code == 202
    run = urllib.parse.urlsplit(started.headers["Location"]).path
    assert _wait_state(http, url + run, headers) == "completed"
    first = http.get(url + run + "syslogs?maxResult=100&conditions=severity=info&conditions=timestamp%3E0", headers=headers)
    assert first.status_code == 200, first.text
    lines = first.json()["logs"]
    assert len(lines) >= 2
    stamps = [line["time-stamp-val"] for line in lines]
    middle = stamps[len(stamps) // 2]
    later = http.get(url + run + "syslogs?maxResult=100&conditions=severity=info&conditions=timestamp%%3E%d" % middle,
                     headers=headers).json()["logs"]
    assert [line["time-stamp-val"] for line in later] == [s for s in stamps if s > middle]
    last = http.get(url + run + "syslogs?maxResult=100&conditions=severity=info&conditions=timestamp%%3E%d" % stamps[-1],
                    headers=headers).json()["logs"]
    assert not last
    bad = http.get(url + run + "syslogs?conditions=timestamp%3Eyesterday", headers=headers)
    assert bad.status_code == 400 and bad.json()["status"] == 400


def test_powervro_execution_result(fresh_sim):
    """PowervRO Get-vROWorkflowExecutionResult: GET <execution ref> (Location's path, trailing slash), reading each
    output parameter's name, scope, type and value.<type>.value."""
    http, headers, url = sim_session(fresh_sim), _headers(fresh_sim), fresh_sim.url
    body = ('{"parameters":\n\t[\n        {\n            "value": {"string":{ "value": "hello"}},\n'
            '            "type": "string",\n            "name": "str",\n            "scope": "local"\n        }\t\n\t]\n}')
    started = http.post(url + "/vco/api/workflows/%s/executions/" % ECHO, data=body, headers=headers)
    assert started.status_code == 202
    execution = urllib.parse.urlsplit(started.headers["Location"]).path
    assert _wait_state(http, url + execution, headers) == "completed"
    outputs = http.get(url + execution, headers=headers).json()["output-parameters"]
    (out,) = [p for p in outputs if p["name"] == "out_str"]
    assert out["scope"] == "local" and out["type"] == "string"
    assert out["value"][out["type"]]["value"] == "hello"


@pytest.mark.parametrize("query", ["keys=id,state", "keys=id&keys=state", "keys=id,%20state"])
def test_executions_list_keys_comma_joined_or_repeated(fresh_sim, query):
    """``keys`` is a list parameter in the 8.18 spec (``type: array``): repeated or comma-joined (Spring binds a
    comma-delimited value to a list), each link keeps exactly the attributes named."""
    http, headers, url = sim_session(fresh_sim), _headers(fresh_sim), fresh_sim.url
    started = http.post(url + "/vco/api/workflows/%s/executions" % AWSNEW, json={"parameters": []}, headers=headers)
    assert started.status_code == 202
    listing = http.get(url + "/vco/api/workflows/%s/executions?maxResult=5&%s" % (AWSNEW, query), headers=headers).json()
    (run,) = [link for link in listing["relations"]["link"] if link["rel"] == "down"]
    assert sorted(_attributes(run)) == ["id", "state"]
