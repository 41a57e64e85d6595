"""The simulator as third-party clients see it: raw HTTP against the real server, the way generic REST clients,
vendor-doc curl scripts and vRO/VCF client libraries talk to vRO, the vRA login, SDDC Manager and ICO.

Each test names the real-server behaviour it pins (API-NOTES, the seeds, the specs, RFC 9110 where the
products follow the servlet container).
"""

# pylint: disable=redefined-outer-name

from __future__ import annotations

import base64
import json
import time

import pytest
import requests

from simulator import vro_catalog

AWSNEW = vro_catalog.AWSNEW_ID
APPROVAL = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0004"
NAME = {"name": "name", "type": "string", "scope": "local", "value": {"string": {"value": "web01"}}}


class Raw:
    """A bare HTTP client: no redirects followed, nothing added beyond what the test says."""

    def __init__(self, sim):
        self.sim = sim
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = sim.ca_path if sim.ca_path else True

    def vro_auth(self, user="vcoadmin"):
        return (user, self.sim.users["vro"][user]["password"])

    def __call__(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        return self.http.request(method, path if path.startswith("http") else self.sim.url + path, **kwargs)

    def start(self, wid=AWSNEW, params=(NAME,), **kwargs):
        kwargs.setdefault("auth", self.vro_auth())
        kwargs.setdefault("json", {"parameters": list(params)})
        response = self("POST", "/vco/api/workflows/%s/executions" % wid, **kwargs)
        assert response.status_code == 202, response.text
        return response

    def vcf_tokens(self, user="administrator@vsphere.local"):
        response = self("POST", "/v1/tokens", json={"username": user, "password": self.sim.users["vcf"][user]["password"]})
        assert response.status_code in (200, 201), response.text
        return response.json()

    def ico_headers(self, user="admin"):
        entry = self.sim.users["ico"][user]
        token = base64.b64encode(("%s:%s" % (user, entry["password"])).encode()).decode()
        return {"Authorization": "Basic " + token, "domainName": entry["domain"], "projectName": entry["project"]}


@pytest.fixture
def raw(fresh_sim):
    client = Raw(fresh_sim)
    yield client
    client.http.close()


def wait_state(raw, location, wanted, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        state = raw("GET", location + "state", auth=raw.vro_auth()).json()["value"]
        if state in wanted or time.monotonic() > deadline:
            return state
        time.sleep(0.05)


# -- trailing slashes, every route and method, never a redirect ----------------------------------------------
def _vro_routes(raw):
    """(method, path without trailing slash, kwargs) for every implemented vRO route, against live objects."""
    run = raw.start(APPROVAL, params=[{"name": "request", "type": "string", "value": {"string": {"value": "r"}}}])
    eid_url = run.headers["Location"]
    assert wait_state(raw, eid_url, ("waiting",)) == "waiting"
    run_path = eid_url.split(raw.sim.url, 1)[1].rstrip("/")
    task = raw("POST", "/vco/api/tasks", auth=raw.vro_auth(), json={
        "name": "slash", "workflow": {"id": AWSNEW}, "recurrence-cycle": "every-days",
        "recurrence-start-date": "2099-01-01T00:00:00.000Z", "input-parameters": [NAME]})
    assert task.status_code == 202, task.text
    task_path = task.headers["Location"].split(raw.sim.url, 1)[1].rstrip("/")
    wf = "/vco/api/workflows/%s" % AWSNEW
    return [
        ("GET", "/vco/api/about", {}), ("GET", "/vco/api/versions", {}), ("GET", "/vco/api/healthstatus", {}),
        ("GET", "/vco/api/health/liveness", {}), ("GET", "/vco/api/workflows", {}), ("GET", wf, {}),
        ("GET", wf + "/schema", {}), ("GET", wf + "/interactions", {}), ("GET", "/vco/api/interactions", {}),
        ("GET", wf + "/executions", {}), ("POST", wf + "/executions", {"json": {"parameters": [NAME]}}),
        ("GET", run_path, {}), ("GET", run_path + "/state", {}), ("GET", run_path + "/logs", {}),
        ("GET", run_path + "/syslogs", {}), ("GET", run_path + "/interaction", {}),
        ("GET", "/vco/api/tasks", {}), ("GET", task_path, {}), ("GET", task_path + "/executions", {}),
        ("POST", task_path, {"json": {"description": "changed"}}),
    ]


def test_vro_every_route_answers_with_and_without_trailing_slash(raw):
    for method, path, kwargs in _vro_routes(raw):
        answers = []
        for variant in (path, path + "/"):
            response = raw(method, variant, auth=raw.vro_auth(), **kwargs)
            assert response.status_code < 300, (method, variant, response.status_code, response.text[:200])
            answers.append(response.status_code)
        assert answers[0] == answers[1], (method, path, answers)


def test_vro_state_changing_calls_work_with_the_trailing_slash_hrefs_hand_out(raw):
    # A client that follows hrefs verbatim (they end in '/') answers, cancels and deletes through them.
    run = raw.start(APPROVAL, params=[{"name": "request", "type": "string", "value": {"string": {"value": "r"}}}])
    href = run.json()["href"]
    assert href.endswith("/") and href == run.headers["Location"]
    assert wait_state(raw, href, ("waiting",)) == "waiting"
    answer = {"parameters": [{"name": "approved", "type": "boolean", "scope": "local", "value": {"boolean": {"value": True}}}]}
    response = raw("POST", href + "interaction/", auth=raw.vro_auth(), json=answer)
    assert response.status_code == 204 and response.content == b""
    assert wait_state(raw, href, ("completed", "failed")) == "completed"
    other = raw.start().headers["Location"]
    assert raw("DELETE", other + "state/", auth=raw.vro_auth()).status_code == 204
    assert raw("GET", other + "state/", auth=raw.vro_auth()).json() == {"value": "canceled"}
    assert raw("DELETE", other, auth=raw.vro_auth()).status_code == 204
    assert raw("GET", other, auth=raw.vro_auth()).status_code == 404


def test_repeated_slashes_are_routed_not_redirected(raw):
    # A client joining "https://host/vco/api/" with "/workflows/..." sends '//': a 308 would break its POST.
    response = raw("POST", "/vco/api//workflows/%s//executions" % AWSNEW, auth=raw.vro_auth(), json={"parameters": [NAME]})
    assert response.status_code == 202, (response.status_code, response.headers.get("Location"))
    assert "//" not in response.headers["Location"].split("://", 1)[1]
    assert raw("GET", "/vco/api//about").status_code == 200
    token = raw.vcf_tokens()["accessToken"]
    assert raw("GET", "/v1//tasks", headers={"Authorization": "Bearer " + token}).status_code == 200


def test_vcf_and_ico_routes_answer_with_and_without_trailing_slash(raw):
    tokens = raw.vcf_tokens()
    bearer = {"Authorization": "Bearer " + tokens["accessToken"]}
    listing = raw("GET", "/v1/tasks", headers=bearer).json()
    task_id = listing["elements"][0]["id"]
    for path in ("/v1/tasks", "/v1/tasks/" + task_id, "/v1/credentials/tasks"):
        assert raw("GET", path, headers=bearer).status_code == 200
        assert raw("GET", path + "/", headers=bearer).status_code == 200
    refresh = json.dumps(tokens["refreshToken"]["id"])
    json_type = {"Content-Type": "application/json"}
    assert raw("PATCH", "/v1/tokens/access-token/refresh/", data=refresh, headers=json_type).status_code == 200
    ico = raw.ico_headers()
    for path in ("/orchestrator/v2/tasks", "/orchestrator/v2/tasks/1003", "/orchestrator/v2/serviceinstances"):
        assert raw("GET", path, headers=ico).status_code == 200
        assert raw("GET", path + "/", headers=ico).status_code == 200


# -- the run start: 202, Location, reason phrase, empty 204s ------------------------------------------------
def test_run_start_answers_202_accepted_with_an_absolute_location(raw):
    response = raw.start(headers={"Accept": "application/json", "Content-Type": "application/json; charset=UTF-8"},
                         data=json.dumps({"parameters": [NAME]}), json=None)
    assert response.status_code == 202 and response.reason == "Accepted"
    location = response.headers["Location"]
    assert location.startswith(raw.sim.url + "/vco/api/workflows/%s/executions/" % AWSNEW) and location.endswith("/")
    eid = location.rstrip("/").rsplit("/", 1)[1]
    assert response.json()["id"] == eid and response.headers["Content-Type"].startswith("application/json")
    for variant in (location, location.rstrip("/")):
        body = raw("GET", variant, auth=raw.vro_auth()).json()
        assert body["id"] == eid and body["href"] == location


def test_no_content_answers_carry_neither_body_nor_content_type(raw):
    location = raw.start().headers["Location"]
    cancel = raw("DELETE", location + "state", auth=raw.vro_auth())
    assert cancel.status_code == 204 and cancel.reason == "No Content"
    assert cancel.content == b"" and "Content-Type" not in cancel.headers
    tokens = raw.vcf_tokens()
    dropped = raw("DELETE", "/v1/tokens/refresh-token", data=json.dumps(tokens["refreshToken"]["id"]),
                  headers={"Content-Type": "application/json"})
    assert dropped.status_code == 204 and dropped.content == b"" and "Content-Type" not in dropped.headers
    bearer = {"Authorization": "Bearer " + tokens["accessToken"]}
    failed = next(t for t in raw("GET", "/v1/tasks?taskStatus=FAILED&pageSize=100", headers=bearer).json()["elements"]
                  if not t["type"].startswith("CREDENTIALS") and t.get("isRetryable"))
    retried = raw("PATCH", "/v1/tasks/" + failed["id"], headers=bearer)
    assert retried.status_code == 200 and retried.content == b"" and "Content-Type" not in retried.headers
    options = raw("OPTIONS", "/vco/api/workflows")
    assert options.status_code < 500 and (options.content or "Content-Type" not in options.headers)
    created = raw("POST", "/orchestrator/v2/tasks", headers=raw.ico_headers(), json={"parm": {"job": "x"}})
    assert created.status_code == 201 and created.reason == "Created"
    deleted = raw("DELETE", "/orchestrator/v2/tasks/%s" % created.json()["id"], headers=raw.ico_headers())
    assert deleted.status_code == 204 and deleted.content == b"" and "Content-Type" not in deleted.headers


# -- content negotiation ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("accept", [None, "application/json", "*/*", "application/json;q=0.9, */*;q=0.1",
                                    "application/xml", "text/html", "application/vnd.vmware.vco+json"])
def test_any_accept_header_gets_json_or_a_clean_406(raw, accept):
    headers = {"Accept": accept} if accept else {}
    location = raw.start(headers=headers).headers["Location"]
    for path in ("/vco/api/workflows/%s" % AWSNEW, location + "state", "/vco/api/workflows?maxResult=1"):
        response = raw("GET", path, auth=raw.vro_auth(), headers=headers)
        assert response.status_code in (200, 406), (accept, path, response.status_code)
        if response.status_code == 200:
            assert response.headers["Content-Type"].split(";")[0] == "application/json"
            assert isinstance(response.json(), dict)


def test_json_bodies_with_a_charset_or_no_content_type_are_read(raw):
    body = json.dumps({"parameters": [NAME]})
    for content_type in ("application/json; charset=UTF-8", "application/json;charset=utf-8", None):
        headers = {"Content-Type": content_type} if content_type else {}
        response = raw("POST", "/vco/api/workflows/%s/executions" % AWSNEW, auth=raw.vro_auth(), data=body, headers=headers)
        assert response.status_code == 202, (content_type, response.text)
    password = raw.sim.users["vro"]["vcoadmin"]["password"]
    login = json.dumps({"username": "vcoadmin", "password": password})
    for content_type in ("application/json; charset=UTF-8", None):
        headers = {"Content-Type": content_type} if content_type else {}
        response = raw("POST", "/csp/gateway/am/api/login?access_token", data=login, headers=headers)
        assert response.status_code == 200, (content_type, response.text)


def test_the_schema_png_is_image_png_even_when_json_is_accepted(raw):
    response = raw("GET", "/vco/api/workflows/%s/schema" % AWSNEW, auth=raw.vro_auth(), headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


# -- auth: challenges and scheme spelling ----------------------------------------------------------------------
def test_401s_carry_the_challenge_real_servers_send(raw):
    missing = raw("GET", "/vco/api/workflows")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Basic ")
    assert missing.json()["status"] == 401 and missing.json()["message"]
    wrong = raw("GET", "/vco/api/workflows", auth=("vcoadmin", "wrong"))
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Basic ")
    bad_bearer = raw("GET", "/vco/api/workflows", headers={"Authorization": "Bearer not-a-token"})
    assert bad_bearer.status_code == 401 and bad_bearer.headers["WWW-Authenticate"].startswith("Bearer")
    ico = raw("GET", "/orchestrator/v2/tasks")
    assert ico.status_code == 401 and ico.headers["WWW-Authenticate"].startswith("Basic ")
    # /about answers without credentials (clients read the version before logging in).
    assert raw("GET", "/vco/api/about").status_code == 200


def test_the_auth_scheme_name_is_case_insensitive(raw):
    user, password = raw.vro_auth()
    basic = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
    for scheme in ("Basic", "basic", "BASIC"):
        response = raw("GET", "/vco/api/workflows?maxResult=1", headers={"Authorization": "%s %s" % (scheme, basic)})
        assert response.status_code == 200, scheme
    token = raw("POST", "/csp/gateway/am/api/login?access_token", json={"username": user, "password": password}).json()["access_token"]
    for scheme in ("Bearer", "bearer"):
        response = raw("GET", "/vco/api/workflows?maxResult=1", headers={"Authorization": "%s %s" % (scheme, token)})
        assert response.status_code == 200, scheme
    vcf = raw.vcf_tokens()["accessToken"]
    assert raw("GET", "/v1/tasks", headers={"Authorization": "bearer " + vcf}).status_code == 200
    ico = raw.ico_headers()
    ico["Authorization"] = ico["Authorization"].replace("Basic", "basic")
    assert raw("GET", "/orchestrator/v2/tasks", headers=ico).status_code == 200


# -- HEAD and OPTIONS ------------------------------------------------------------------------------------------
def test_head_and_options_never_fail_with_a_server_error(raw):
    location = raw.start().headers["Location"]
    bearer = {"Authorization": "Bearer " + raw.vcf_tokens()["accessToken"]}
    targets = [("/vco/api/about", {}), ("/vco/api/workflows", {}), (location, {}), (location + "state", {}),
               ("/vco/api/workflows/%s/schema" % AWSNEW, {}), ("/vco/api/no/such/thing", {}),
               ("/v1/tasks", bearer), ("/v1/tokens", {}), ("/orchestrator/v2/tasks", raw.ico_headers()),
               ("/csp/gateway/am/api/login", {}), ("/iaas/api/login", {})]
    for path, headers in targets:
        head = raw("HEAD", path, auth=raw.vro_auth() if "/vco/" in path else None, headers=headers)
        assert head.status_code < 500 and head.content == b"", (path, head.status_code)
        options = raw("OPTIONS", path, headers=headers)
        assert options.status_code < 500, (path, options.status_code)
    head = raw("HEAD", "/vco/api/workflows/%s" % AWSNEW, auth=raw.vro_auth())
    get = raw("GET", "/vco/api/workflows/%s" % AWSNEW, auth=raw.vro_auth())
    assert head.status_code == 200 and head.headers["Content-Type"] == get.headers["Content-Type"]


# -- status codes per the notes --------------------------------------------------------------------------------
def test_vro_error_statuses_follow_the_notes(raw):
    auth = raw.vro_auth()
    assert raw("GET", "/vco/api/workflows/no-such-id", auth=auth).status_code == 404
    assert raw("POST", "/vco/api/workflows/no-such-id/executions", auth=auth, json={"parameters": []}).status_code == 404
    assert raw("GET", "/vco/api/workflows/%s/executions/no-such-run" % AWSNEW, auth=auth).status_code == 404
    bad_name = {"parameters": [{"name": "1bad", "type": "string", "value": {"string": {"value": "x"}}}]}
    invalid = raw("POST", "/vco/api/workflows/%s/executions" % AWSNEW, auth=auth, json=bad_name)
    assert invalid.status_code == 400 and set(invalid.json()) == {"status", "message"}
    wrong_kind = {"parameters": [{"name": "name", "type": "string", "value": {"number": {"value": 1}}}]}
    assert raw("POST", "/vco/api/workflows/%s/executions" % AWSNEW, auth=auth, json=wrong_kind).status_code == 400
    garbled = raw("POST", "/vco/api/workflows/%s/executions" % AWSNEW, auth=auth, data=b"{not json",
                  headers={"Content-Type": "application/json"})
    assert garbled.status_code == 400 and garbled.json()["status"] == 400
    reader = raw("POST", "/vco/api/workflows/%s/executions" % AWSNEW, auth=raw.vro_auth("vcoreader"), json={"parameters": [NAME]})
    assert reader.status_code == 403


def test_vcf_statuses_follow_the_notes(raw):
    bearer = {"Authorization": "Bearer " + raw.vcf_tokens()["accessToken"]}
    tasks = raw("GET", "/v1/tasks?pageSize=100", headers=bearer).json()["elements"]
    done = next(t for t in tasks if t["status"].upper() == "SUCCESSFUL" and not t["type"].startswith("CREDENTIALS"))
    retry = raw("PATCH", "/v1/tasks/" + done["id"], headers=bearer)
    assert retry.status_code == 409 and retry.json()["message"] == "Task can not be retried. Only a failed Task can be retried."
    assert raw("PATCH", "/v1/tasks/no-such-task", headers=bearer).status_code == 404
    cancel = raw("DELETE", "/v1/tasks/" + done["id"], headers=bearer)
    assert cancel.status_code == 409 and "Only a IN_PROGRESS task can be cancelled." in cancel.json()["message"]
    body = raw("GET", "/v1/tasks/no-such-task", headers=bearer)
    assert body.status_code == 404 and {"errorCode", "message", "referenceToken"} <= set(body.json())


# -- vRA, VCF and ICO auth flows exactly as the notes describe them --------------------------------------------
def test_vra_login_flow(raw):
    user, password = raw.vro_auth()
    login = raw("POST", "/csp/gateway/am/api/login?access_token", json={"username": user, "password": password, "domain": "System Domain"})
    assert login.status_code == 200 and login.headers["Content-Type"].startswith("application/json")
    refresh = login.json()["refresh_token"]
    assert isinstance(refresh, str) and refresh
    exchanged = raw("POST", "/iaas/api/login?apiVersion=2021-07-15", json={"refreshToken": refresh, "unknownField": 1})
    assert exchanged.status_code == 200
    body = exchanged.json()
    assert body["tokenType"] == "Bearer" and isinstance(body["token"], str)
    assert raw("GET", "/vco/api/workflows?maxResult=1", headers={"Authorization": "Bearer " + body["token"]}).status_code == 200
    # The vendor's reference documents 400 for refused credentials at this endpoint (issue 13 item 7).
    assert raw("POST", "/csp/gateway/am/api/login?access_token", json={"username": user, "password": "nope"}).status_code == 400
    # "user@domain" is not a user name: it takes username + domain.
    full = {"username": user + "@vsphere.local", "password": password}
    assert raw("POST", "/csp/gateway/am/api/login?access_token", json=full).status_code == 400
    split = {"username": user, "password": password, "domain": "vsphere.local"}
    assert raw("POST", "/csp/gateway/am/api/login?access_token", json=split).status_code == 200
    assert raw("POST", "/iaas/api/login", json={"refreshToken": "forged"}).status_code == 401


def test_vcf_token_flow(raw):
    user = "administrator@vsphere.local"
    created = raw("POST", "/v1/tokens", json={"username": user, "password": raw.sim.users["vcf"][user]["password"], "extra": True})
    assert created.status_code in (200, 201)
    pair = created.json()
    assert isinstance(pair["accessToken"], str) and isinstance(pair["refreshToken"]["id"], str)
    refresh_id = pair["refreshToken"]["id"]
    refreshed = raw("PATCH", "/v1/tokens/access-token/refresh", data=json.dumps(refresh_id),
                    headers={"Content-Type": "application/json"})
    assert refreshed.status_code == 200
    access = refreshed.json()
    assert isinstance(access, str) and access.count(".") == 2
    assert raw("GET", "/v1/tasks", headers={"Authorization": "Bearer " + access}).status_code == 200
    dropped = raw("DELETE", "/v1/tokens/refresh-token", data=json.dumps(refresh_id), headers={"Content-Type": "application/json"})
    assert dropped.status_code in (200, 204)
    again = raw("PATCH", "/v1/tokens/access-token/refresh", data=json.dumps(refresh_id), headers={"Content-Type": "application/json"})
    assert 400 <= again.status_code < 500
    assert raw("POST", "/v1/tokens", json={"username": user, "password": "wrong"}).status_code == 401


def test_ico_header_names_are_case_insensitive_and_scope_the_tasks(raw):
    alice = raw.ico_headers("alice")
    spelled = {"authorization": alice["Authorization"], "DOMAINNAME": alice["domainName"], "projectname": alice["projectName"]}
    tasks = raw("GET", "/orchestrator/v2/tasks", headers=spelled)
    assert tasks.status_code == 200 and tasks.json()
    assert {t["project"] for t in tasks.json()} == {"finance"}
    admin = raw("GET", "/orchestrator/v2/tasks/1003", headers=raw.ico_headers())
    task = admin.json()
    assert task["id"] == "1003" and isinstance(task["created"], int) and task["status"] == "COMPLETED"
    assert raw("GET", "/orchestrator/v2/tasks/1003", headers=spelled).status_code == 404


# -- query parameters as third-party clients send them ---------------------------------------------------------
def _names(response):
    assert response.status_code == 200, response.text
    return sorted({a["value"] for link in response.json()["link"] for a in link["attributes"] if a["name"] == "name"})


def test_vro_conditions_repeated_joined_or_encoded_select_the_same_workflows(raw):
    auth = raw.vro_auth()
    base = "/vco/api/workflows?"
    forms = [
        "conditions=name=Duplicate%20name&conditions=categoryName=Cloud",
        "conditions=name%3DDuplicate%20name%26categoryName%3DCloud",
        "conditions=name=Duplicate+name%26categoryName=Cloud",
    ]
    answers = [raw("GET", base + form, auth=auth) for form in forms]
    for answer in answers:
        assert answer.json()["total"] == 1, answer.text
        ids = [a["value"] for a in answer.json()["link"][0]["attributes"] if a["name"] == "id"]
        assert ids == ["5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0006"]
    both = raw("GET", base + "conditions=name%3DDuplicate%20name", auth=auth)
    assert both.json()["total"] == 2
    assert _names(raw("GET", base + "conditions=name~typed&maxResult=10&startIndex=0&unknownParam=1", auth=auth)) == ["Echo typed inputs"]


def test_vro_paging_parameters_arrive_as_strings_and_page_consistently(raw):
    auth = raw.vro_auth()
    everything = raw("GET", "/vco/api/workflows", auth=auth).json()
    total = everything["total"]
    assert isinstance(total, int) and total == len(everything["link"]) and total >= 4
    seen = []
    for start in range(0, total, 3):
        page = raw("GET", "/vco/api/workflows", auth=auth, params={"maxResult": "3", "startIndex": str(start)}).json()
        assert page["total"] == total and len(page["link"]) <= 3
        seen.extend(link["href"] for link in page["link"])
    assert seen == [link["href"] for link in everything["link"]]


def test_vro_execution_list_filters_combine_and_total_is_an_integer(raw):
    auth = raw.vro_auth()
    first = raw.start().headers["Location"]
    raw.start()
    assert raw("DELETE", first + "state", auth=auth).status_code == 204
    path = "/vco/api/workflows/%s/executions" % AWSNEW
    listing = raw("GET", path, auth=auth, params={"maxResult": "10", "startIndex": "0", "keys": "state", "foo": "bar"}).json()
    relations = listing["relations"]
    assert isinstance(relations["total"], int) and relations["total"] == 2
    assert isinstance(relations["link"], list) and relations["link"][0]["rel"] == "up"
    downs = [link for link in relations["link"] if link["rel"] == "down"]
    assert all(isinstance(link["attributes"], list) and link["href"].endswith("/") for link in downs)
    canceled = raw("GET", path + "?conditions=state%3Dcanceled%26name%3DAWSNEW", auth=auth).json()["relations"]
    assert canceled["total"] == 1
    assert [link["href"] for link in canceled["link"] if link["rel"] == "down"] == [first]
    repeated = raw("GET", path, auth=auth, params=[("conditions", "state=canceled"), ("conditions", "startedBy=vcoadmin")]).json()
    assert repeated["relations"]["total"] == 1


def test_vcf_paging_and_filters(raw):
    bearer = {"Authorization": "Bearer " + raw.vcf_tokens()["accessToken"]}
    whole = raw("GET", "/v1/tasks", headers=bearer).json()
    total = whole["pageMetadata"]["totalElements"]
    assert isinstance(total, int) and total == len(whole["elements"]) and total >= 3
    collected = []
    first = raw("GET", "/v1/tasks", headers=bearer, params={"pageSize": "2"}).json()
    number = first["pageMetadata"]["pageNumber"]
    assert first["pageMetadata"]["totalPages"] == -(-total // 2)
    collected.extend(e["id"] for e in first["elements"])
    for page in range(number + 1, number + first["pageMetadata"]["totalPages"]):
        answer = raw("GET", "/v1/tasks", headers=bearer, params={"pageSize": "2", "pageNumber": str(page), "x": "y"}).json()
        collected.extend(e["id"] for e in answer["elements"])
    assert collected == [e["id"] for e in whole["elements"]]
    failed = raw("GET", "/v1/tasks", headers=bearer, params={"taskStatus": "FAILED", "taskType": "UPGRADE"}).json()
    assert all(e["status"].upper() == "FAILED" and e["type"] == "UPGRADE" for e in failed["elements"])
    spaced = raw("GET", "/v1/tasks?taskStatus=In%20Progress", headers=bearer).json()["elements"]
    assert spaced and all(e["status"].upper().replace(" ", "_") == "IN_PROGRESS" for e in spaced)


# -- unknown fields in bodies ----------------------------------------------------------------------------------
def test_vro_start_body_as_the_vendor_doc_shows_it_is_accepted(raw):
    # The 8.x reference page's sample: singular 'parameter', with description/updated/encrypt-value, plus
    # executionId and profilerOptions; fields vRO does not know are ignored.
    body = {"executionId": None, "profilerOptions": {"enabled": False, "debuggerEnabled": False}, "somethingNew": 1,
            "parameter": [dict(NAME, description="VM name", updated=False, **{"encrypt-value": False})]}
    response = raw.start(json=body)
    run = raw("GET", response.headers["Location"], auth=raw.vro_auth()).json()
    values = {p["name"]: p.get("value") for p in run["input-parameters"]}
    assert values["name"] == {"string": {"value": "web01"}}


# -- response shapes and dates by flavour ----------------------------------------------------------------------
def test_vro_8_run_shape_and_iso_dates(raw):
    location = raw.start().headers["Location"]
    assert wait_state(raw, location, ("completed",)) == "completed"
    run = raw("GET", location, auth=raw.vro_auth()).json()
    for key in ("id", "name", "href", "state", "start-date", "end-date", "started-by", "input-parameters", "output-parameters", "relations"):
        assert key in run, key
    assert isinstance(run["start-date"], str) and run["start-date"][:4].isdigit() and "T" in run["start-date"]
    assert isinstance(run["relations"]["link"], list)
    output = run["output-parameters"][0]
    assert output["name"] == "instanceId" and list(output["value"]) == ["string"]
    logs = raw("GET", location + "logs", auth=raw.vro_auth()).json()["logs"]
    assert logs and all("entry" not in entry and isinstance(entry["time-stamp"], str) for entry in logs)


def test_vro_7_flavour_cancel_dates_and_405(make_sim):
    sim = make_sim(tls=False, vro_version="7.6")
    raw = Raw(sim)
    location = raw.start().headers["Location"]
    assert location.endswith("/")
    refused = raw("DELETE", location + "state", auth=raw.vro_auth())
    assert refused.status_code == 405 and "GET" in refused.headers["Allow"] and refused.json()["status"] == 405
    cancel = raw("DELETE", location, auth=raw.vro_auth())
    assert cancel.status_code == 204 and cancel.content == b""
    run = raw("GET", location, auth=raw.vro_auth()).json()
    assert run["state"] == "canceled" and isinstance(run["start-date"], int) and isinstance(run["end-date"], int)
    logs = raw("GET", location + "syslogs", auth=raw.vro_auth()).json()["logs"]
    assert logs and all(isinstance(e["entry"]["time-stamp"], int) for e in logs)
    assert raw("GET", "/vco/api/about").json()["version"].startswith("7.")
    assert raw("POST", "/csp/gateway/am/api/login?access_token", json={"username": "vcoadmin", "password": "x"}).status_code == 404
