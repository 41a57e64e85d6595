"""Third-party clients reading the vRO catalogue, replayed over real HTTPS: the workflow list's field selection
(``keys``), tag filter (``tags``) and the attributes real 8.x servers put in each entry (``customIcon``, ``globalTags``,
``@id``...), the categories list (``GET /categories``, ``categoryType``, ``isRoot``) and ``GET /api-docs``. Written
from what each client sends, not copied from it; the sources are named per test and in the client table of
``simulator/README.md`` ("Public clients").
"""

# pylint: disable=redefined-outer-name

from __future__ import annotations

import pytest

from conftest import admin_headers, basic, sim_session

AWSNEW = "3a0ab069-cf2f-47e0-96f5-4a8920a5dc51"
ECHO = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001"
RESTRICTED = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0007"
LIBRARY = {"5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee00%02d" % n for n in (1, 2, 3, 4, 5)}


def _powervro_headers(sim, user="vcoadmin"):
    # PowervRO's Invoke-vRORestMethod sends these on every call, GETs included.
    return {"Accept": "application/json", "Content-Type": "application/json",
            "Authorization": basic(user, sim.users["vro"][user]["password"])}


def _attributes(link):
    return {a["name"]: a.get("value") for a in link["attributes"]}


def _powervro_tags(value):
    """PowervRO Get-vROWorkflow's reading of 'globalTags': its -replace ':__SYSTEM_TAG__|.$' then Split(' ')."""
    # PowerShell's -replace replaces every match, leftmost first: each ':__SYSTEM_TAG__', and the last character
    # when the value does not end with one.
    out, i = [], 0
    while i < len(value):
        if value.startswith(":__SYSTEM_TAG__", i):
            i += len(":__SYSTEM_TAG__")
        elif i == len(value) - 1:
            i += 1
        else:
            out.append(value[i])
            i += 1
    return "".join(out).split(" ")


# -- workflow list entries --------------------------------------------------------------------------------------------
def test_workflow_entry_carries_the_attributes_of_a_real_8x_list(fresh_sim):
    """A real 8.x entry (vmware/build-tools-for-vmware-aria, codify's workflow model test, captured from a server):
    @id, @name, @type and @fullType, customIcon "false", editable, globalTags "<folder>:__SYSTEM_TAG__". A public vRA
    lab test script (stored public code index) sends GET /vco/api/workflows?maxResult=2147483647&queryCount=false&
    conditions=name%3D<name> and takes the id from the '@id' attribute; PowervRO reads customIcon."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    answer = http.get(url + "/vco/api/workflows?maxResult=2147483647&queryCount=false&conditions=name%3DAWSNEW",
                      headers={"Content-Type": "application/json", "Authorization": _powervro_headers(fresh_sim)["Authorization"]})
    assert answer.status_code == 200, answer.text
    attributes = _attributes(answer.json()["link"][0])
    assert attributes["@id"] == attributes["id"] == AWSNEW
    assert attributes["@name"] == "AWSNEW" and attributes["@type"] == attributes["@fullType"] == "Workflow"
    assert attributes["customIcon"] == "false" and attributes["editable"] == "true"
    assert attributes["globalTags"] == "Cloud:__SYSTEM_TAG__"


def test_empty_description_is_an_attribute_without_value(make_sim, tmp_path):
    """The same capture lists an empty description as {"name": "description"}, no value."""
    catalog = tmp_path / "catalog.yml"
    catalog.write_text("workflows:\n  - name: Bare\n    category: Ops\n", encoding="utf-8")
    sim = make_sim(catalog=str(catalog))
    answer = sim_session(sim).get(sim.url + "/vco/api/workflows?conditions=name=Bare", headers=_powervro_headers(sim))
    (link,) = answer.json()["link"]
    assert {"name": "description"} in link["attributes"]


def test_powervro_reads_tags_from_global_tags(fresh_sim):
    """PowervRO Get-vROWorkflow (jakkulabs/PowervRO, src/Functions/Public/workflow-service): GET /vco/api/workflows,
    each entry's globalTags turned into Tags; Search-vRO8ScriptItem (Clint Fritz, stored public code index) builds the
    folder path from it ("each folder in a Workflow path is a tag")."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    links = http.get(url + "/vco/api/workflows", headers=_powervro_headers(fresh_sim)).json()["link"]
    for link in links:
        attributes = _attributes(link)
        assert _powervro_tags(attributes["globalTags"]) == [attributes["categoryName"]]
        assert attributes["globalTags"].replace(" ", "\\").replace(":__SYSTEM_TAG__", "") == attributes["categoryName"]


def test_7x_lists_no_global_tags_and_ignores_tags(make_sim):
    """PowervRO refuses -Tag on 7.x ("Tagging is not supported with vRO 7.x"): the 7.6 flavour has no globalTags and
    lists every workflow whatever 'tags' says."""
    sim = make_sim(vro_version="7.6")
    http, headers = sim_session(sim), _powervro_headers(sim)
    everything = http.get(sim.url + "/vco/api/workflows", headers=headers).json()
    assert all("globalTags" not in _attributes(link) for link in everything["link"])
    assert http.get(sim.url + "/vco/api/workflows?tags=Nope", headers=headers).json()["total"] == everything["total"]


# -- tags ----------------------------------------------------------------------------------------------------------------
def test_powervro_get_workflow_by_tag(fresh_sim):
    """PowervRO Get-vROWorkflow -Tag: GET /vco/api/workflows?tags=<t> (one tags= per tag), or
    /vco/api/workflows/?conditions=categoryName=<c>&tags=<t> with -CategoryName; every tag must match, case aside
    (Search-vRO8ScriptItem: 'the tag array search is an AND', 'case insensitive')."""
    http, headers, url = sim_session(fresh_sim), _powervro_headers(fresh_sim), fresh_sim.url
    library = http.get(url + "/vco/api/workflows?tags=Library", headers=headers).json()
    assert {_attributes(link)["id"] for link in library["link"]} == LIBRARY and library["total"] == len(LIBRARY)
    assert all("Library:__SYSTEM_TAG__" in _attributes(link)["globalTags"].split(" ") for link in library["link"])
    caseless = http.get(url + "/vco/api/workflows?tags=library", headers=headers).json()
    assert caseless["total"] == len(LIBRARY)
    both = http.get(url + "/vco/api/workflows?tags=Library&tags=Cloud", headers=headers).json()
    assert both["total"] == 0 and both["link"] == []
    in_category = http.get(url + "/vco/api/workflows/?conditions=categoryName=Cloud&tags=Cloud", headers=headers).json()
    assert {_attributes(link)["categoryName"] for link in in_category["link"]} == {"Cloud"} and in_category["total"] == 2
    assert http.get(url + "/vco/api/workflows?tags=Nope", headers=headers).json()["total"] == 0


def test_search_script_tags_comma_joined(fresh_sim):
    """Search-vRO8ScriptItem: GET {api}/workflows?maxResult=2147483647&startIndex=0&queryCount=false&tags=a%2Cb ("in the
    API the array of strings is comma separated"), then each entry's href, id, name, globalTags."""
    http, headers, url = sim_session(fresh_sim), _powervro_headers(fresh_sim), fresh_sim.url
    base = url + "/vco/api/workflows?maxResult=2147483647&startIndex=0&queryCount=false"
    one = http.get(base + "&tags=Library", headers=headers).json()
    assert {_attributes(link)["id"] for link in one["link"]} == LIBRARY
    assert http.get(base + "&tags=Library%2CCloud", headers=headers).json()["total"] == 0
    assert http.get(base + "&tags=Cloud%2Ccloud", headers=headers).json()["total"] == 2


def test_tags_follow_read_rights(fresh_sim):
    """The read-only user's tag filter never reveals a workflow it may not read."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    admin = http.get(url + "/vco/api/workflows?tags=Restricted", headers=_powervro_headers(fresh_sim)).json()
    assert [_attributes(link)["id"] for link in admin["link"]] == [RESTRICTED]
    reader = http.get(url + "/vco/api/workflows?tags=Restricted", headers=_powervro_headers(fresh_sim, "vcoreader")).json()
    assert reader == {"link": [], "total": 0}


# -- keys ----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["keys=id&keys=name", "keys=id,name", "keys=id,%20name"])
def test_workflow_list_keys_selects_attributes(vro, query):
    """``keys`` on GET /workflows (the 8.18 spec: a list parameter, as on the executions list): each entry keeps
    exactly the attributes named, its href and rel unchanged; conditions and paging still apply."""
    listing = vro.get("/workflows?conditions=name=AWSNEW&" + query).json()
    (link,) = listing["link"]
    assert sorted(_attributes(link)) == ["id", "name"] and listing["total"] == 1
    assert link["href"].endswith("/vco/api/workflows/%s/" % AWSNEW) and link["rel"] == "down"


def test_keys_on_the_system_catalog_and_a_category(vro):
    """The catalog lists (/catalog/System/Workflow, .../WorkflowCategory/{id}/workflows, /catalog/System/WorkflowCategory)
    take the same keys (the spec's /catalog/{namespace}/{type} declares it too); a key no entry has selects nothing."""
    catalog = vro.get("/catalog/System/Workflow", params={"keys": ["@id", "globalTags"], "conditions": "name=AWSNEW"}).json()
    assert sorted(_attributes(catalog["link"][0])) == ["@id", "globalTags"]
    category = _attributes(vro.get("/workflows?conditions=name=AWSNEW").json()["link"][0])["categoryId"]
    listed = vro.get("/catalog/System/WorkflowCategory/%s/workflows" % category, params={"keys": "name"}).json()
    assert listed["link"] and all(list(_attributes(link)) == ["name"] for link in listed["link"])
    assert vro.get("/workflows", params={"keys": "bogus", "maxResult": 2}).json()["link"][0]["attributes"] == []
    categories = vro.get("/catalog/System/WorkflowCategory", params={"keys": "id,displayName"}).json()
    assert categories["link"] and all(sorted(_attributes(link)) == ["displayName", "id"] for link in categories["link"])


# -- categories ----------------------------------------------------------------------------------------------------------
def test_powervro_get_category(fresh_sim, vro):
    """PowervRO Get-vROCategory (src/Functions/Public/category-service): GET /vco/api/categories,
    ?categoryType=<type>, ?isRoot=true, ?categoryType=<type>&isRoot=true, reading each link's href and the attributes
    name, id, description, type; -Id: GET /vco/api/categories/<id> (name, id, description, type, path, href). The
    ``vro`` client checks every answer against the 8.18 spec's CategoriesList and WsCategory."""
    http, headers, url = sim_session(fresh_sim), _powervro_headers(fresh_sim), fresh_sim.url
    answer = http.get(url + "/vco/api/categories", headers=headers)
    assert answer.status_code == 200, answer.text
    by_name = {_attributes(link)["name"]: link for link in answer.json()["link"]}
    assert {"Cloud", "Library", "Restricted"} <= set(by_name) and answer.json()["total"] == len(by_name)
    cloud = _attributes(by_name["Cloud"])
    assert cloud["type"] == "WorkflowCategory" and "description" in cloud
    assert by_name["Cloud"]["href"] == url + "/vco/api/categories/%s/" % cloud["id"]
    one = http.get(by_name["Cloud"]["href"], headers=headers).json()
    assert (one["name"], one["id"], one["type"], one["path"]) == ("Cloud", cloud["id"], "WorkflowCategory", "Cloud")
    for query in ("?isRoot=true", "?categoryType=WorkflowCategory", "?categoryType=WorkflowCategory&isRoot=true"):
        listed = http.get(url + "/vco/api/categories" + query, headers=headers).json()
        assert {_attributes(link)["name"] for link in listed["link"]} == set(by_name), query
    for kind in ("ScriptModuleCategory", "ConfigurationElementCategory", "ResourceElementCategory"):
        assert http.get(url + "/vco/api/categories?categoryType=" + kind, headers=headers).json() == {"link": [], "total": 0}
    # The same answers through the spec-checked client.
    assert vro.get("/categories").status_code == 200
    assert vro.get("/categories", params={"categoryType": "WorkflowCategory", "isRoot": "true"}).status_code == 200


def test_categories_list_refuses_an_unknown_type_and_hides_unreadable(fresh_sim):
    """A categoryType outside the spec's category types is a 400 naming them; the read-only user does not see the
    category of the workflows it may not read."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    bad = http.get(url + "/vco/api/categories?categoryType=Workflow", headers=_powervro_headers(fresh_sim))
    assert bad.status_code == 400 and "WorkflowCategory" in bad.json()["message"]
    assert http.get(url + "/vco/api/categories?isRoot=maybe", headers=_powervro_headers(fresh_sim)).status_code == 400
    reader = http.get(url + "/vco/api/categories", headers=_powervro_headers(fresh_sim, "vcoreader")).json()
    assert "Restricted" not in {_attributes(link)["name"] for link in reader["link"]}
    assert http.get(url + "/vco/api/categories").status_code == 401


# -- api-docs --------------------------------------------------------------------------------------------------------------
def test_julianwe_reads_api_docs_paths_without_credentials(fresh_sim):
    """JulianWe/vRealizeAutomation Execute-vRoWorkflow.ps1 ("Orchestrator v8.2"): Invoke-RestMethod GET
    https://<vro>/vco/api/api-docs with no credentials after /about, '.paths' shown next. The document is an OpenAPI 3 one as the
    8.18 spec (springdoc: 'Generated server url') whose paths name what the server serves."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    answer = http.get(url + "/vco/api/api-docs")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    doc = answer.json()
    assert doc["openapi"].startswith("3.") and doc["info"]["title"]
    assert doc["servers"] == [{"url": url + "/vco/api", "description": "Generated server url"}]
    paths = doc["paths"]
    assert {"get", "post"} <= set(paths["/workflows/{wid}/executions"])
    assert "get" in paths["/workflows"] and "get" in paths["/categories"] and "/api-docs" not in paths
    assert not any(p.startswith("/server/permissions") for p in paths)
    for path in paths:
        assert "<" not in path and (path == "/" or not path.endswith("/")), path
    # Every path it names is served: a GET of each parameterless one is never the simulator's "not implemented" 404.
    headers = _powervro_headers(fresh_sim)
    for path, methods in paths.items():
        if "get" in methods and "{" not in path:
            got = http.get(url + "/vco/api" + path, headers=headers)
            assert "not implemented by the simulator" not in got.text, path


def test_api_docs_is_8x_only(make_sim):
    """The only client that reads it runs against 8.2; the 7.6 flavour answers 404 (7.x as OpenAPI: source silent)."""
    sim = make_sim(vro_version="7.6")
    answer = sim_session(sim).get(sim.url + "/vco/api/api-docs")
    assert answer.status_code == 404 and answer.json()["status"] == 404


def test_api_docs_follows_the_quirks(fresh_sim):
    """Under vro-8-server-permissions the permissions path is served, so the document names it."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    assert http.put(url + "/_sim/settings", json={"quirks": ["vro-8-server-permissions"]},
                    headers=admin_headers(fresh_sim)).status_code == 200
    paths = http.get(url + "/vco/api/api-docs").json()["paths"]
    assert "/server/permissions" in paths


# -- codify ----------------------------------------------------------------------------------------------------------------
def test_codify_resolves_a_workflow_by_path_and_by_id(fresh_sim):
    """vmware/build-tools-for-vmware-aria codify (typescript/codify/src/model/workflows.ts, base.ts), after its login:
    by path 'Cloud/AWSNEW', GET /vco/api/workflows?conditions=name=AWSNEW and the entry whose categoryName ends the
    folder; by id, GET /vco/api/workflows/{id} then GET /vco/api/categories/{category-id} for the folder ('path');
    the folder's category id from GET /vco/api/catalog/System/WorkflowCategory?conditions=name=<last folder>, the
    entry whose displayName is the folder."""
    http, url = sim_session(fresh_sim), fresh_sim.url
    headers = {"Authorization": _powervro_headers(fresh_sim)["Authorization"]}  # axios: its own Accept, no more
    listed = http.get(url + "/vco/api/workflows?conditions=name=AWSNEW", headers=headers).json()["link"]
    (found,) = [_attributes(link) for link in listed if "Cloud".endswith(_attributes(link)["categoryName"])]
    assert (found["id"], found["name"], found["version"]) == (AWSNEW, "AWSNEW", "1.0.0") and found["description"]
    workflow = http.get(url + "/vco/api/workflows/" + AWSNEW, headers=headers).json()
    assert http.get(url + "/vco/api/categories/" + workflow["category-id"], headers=headers).json()["path"] == "Cloud"
    categories = http.get(url + "/vco/api/catalog/System/WorkflowCategory?conditions=name=Cloud", headers=headers).json()
    (category,) = [_attributes(link) for link in categories["link"] if _attributes(link)["displayName"] == "Cloud"]
    assert category["id"] == workflow["category-id"] == found["categoryId"]
