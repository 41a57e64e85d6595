"""The vRO quirks (issue 13 items 5-9) over real HTTPS: each one off (the default reading) and on (the other)."""

from __future__ import annotations

import json
import time

import pytest

from conftest import ADMIN, VroClient
from simulator import vro_catalog

AWSNEW = vro_catalog.AWSNEW_ID


@pytest.fixture
def vro(fresh_sim):
    client = VroClient(fresh_sim, ADMIN)
    yield client
    client.http.close()


def quirks(client, *names):
    return client.admin('PUT', 'settings', json={'quirks': list(names)})


def test_conditions_comma_split(vro):
    # The default reading keeps a comma inside the value unless a condition follows it (sammcgeown/vra-cli joins its
    # conditions with commas); the quirk splits at every comma, and ' Linux' is no condition.
    params = {'conditions': 'name=Deploy VM, Linux'}
    assert vro.get('/workflows', params=params).status_code == 200
    assert vro.get('/workflows', params={'conditions': 'name=AWSNEW,categoryName=Cloud'}).json()['total'] == 1
    quirks(vro, 'vro-conditions-comma-split')
    refused = vro.get('/workflows', params=params)
    assert refused.status_code == 400 and 'Linux' in refused.json()['message']
    both = vro.get('/workflows', params={'conditions': 'name=AWSNEW,categoryName=Cloud'}).json()
    assert both['total'] == 1
    assert vro.get('/workflows/%s/executions' % AWSNEW, params={'conditions': 'startedBy=a,b'}).status_code == 400


def test_conditions_case_sensitive(vro):
    # The default reading: '~' ignores case; the quirk: it matches the case as written ('=' is exact on both).
    assert vro.get('/workflows', params={'conditions': 'name~awsn'}).json()['total'] == 1
    assert vro.get('/workflows', params={'conditions': 'name=awsnew'}).json()['total'] == 0
    vro.start(AWSNEW, [{'name': 'name', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'a'}}}])
    runs = '/workflows/%s/executions' % AWSNEW
    assert vro.get(runs, params={'conditions': 'name~awsn'}).json()['relations']['total'] == 1
    quirks(vro, 'vro-conditions-case-sensitive')
    assert vro.get('/workflows', params={'conditions': 'name~awsn'}).json()['total'] == 0
    assert vro.get('/workflows', params={'conditions': 'name~AWSN'}).json()['total'] == 1
    assert vro.get(runs, params={'conditions': 'name~awsn'}).json()['relations']['total'] == 0
    assert vro.get(runs, params={'conditions': 'name~AWSN'}).json()['relations']['total'] == 1


def _start_two(vro):
    first = vro.start(AWSNEW, [{'name': 'name', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'a'}}}])
    assert first.status_code == 202, first.text
    time.sleep(0.05)
    second = vro.start(AWSNEW, [{'name': 'name', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'b'}}}])
    assert second.status_code == 202, second.text
    return [r.headers['Location'].rstrip('/').rsplit('/', 1)[-1] for r in (first, second)]


def _ids(body):
    return [a['value'] for link in body['relations']['link'] if link['rel'] == 'down'
            for a in link['attributes'] if a['name'] == 'id']


def test_date_conditions_and_sort_orders_rejected_or_ignored(vro):
    older, newer = _start_two(vro)
    path = '/workflows/%s/executions' % AWSNEW
    future = {'conditions': 'startDate>=%d' % int((time.time() + 3600) * 1000)}
    assert _ids(vro.get(path, params=future).json()) == []
    assert _ids(vro.get(path, params={'sortOrders': '-startDate'}).json()) == [newer, older]
    assert _ids(vro.get(path, params={'sortOrders': '+startDate'}).json()) == [older, newer]
    quirks(vro, 'vro-date-conditions-rejected')
    for params in (future, {'sortOrders': '-startDate'}):
        assert vro.get(path, params=params).status_code == 400
    assert _ids(vro.get(path).json()) == [newer, older]
    quirks(vro, 'vro-date-conditions-ignored')
    assert _ids(vro.get(path, params=future).json()) == [older, newer]
    assert _ids(vro.get(path, params={'sortOrders': '-startDate'}).json()) == [older, newer]


def test_logs_newest_first(vro):
    body = {'parameters': []}
    location = vro.post('/workflows/%s/executions' % vro_catalog.FAIL_ID, json=body).headers['Location']
    assert vro.wait(location) == 'failed'
    oldest_first = [e['short-description'] for e in vro.get(location + 'syslogs/').json()['logs']]
    times = [e['time-stamp'] for e in vro.get(location + 'syslogs/').json()['logs']]
    assert len(oldest_first) >= 3 and times == sorted(times) and len(set(times)) == len(times)
    quirks(vro, 'vro-logs-newest-first')
    assert [e['short-description'] for e in vro.get(location + 'syslogs/').json()['logs']] == oldest_first[::-1]
    newest_two = [e['short-description'] for e in vro.get(location + 'syslogs/', params={'maxResult': 2}).json()['logs']]
    assert newest_two == oldest_first[::-1][:2]


def test_8x_logs_wrapped(vro):
    location = vro.post('/workflows/%s/executions' % vro_catalog.FAIL_ID, json={'parameters': []}).headers['Location']
    assert vro.wait(location) == 'failed'
    plain = vro.get(location + 'syslogs/').json()['logs']
    assert plain and all('entry' not in e and e['user'] == e['userName'] for e in plain)
    quirks(vro, 'vro-8x-logs-wrapped')
    for kind in ('syslogs/', 'logs/'):
        wrapped = vro.get(location + kind).json()['logs']
        assert wrapped and all(list(e) == ['entry'] and 'user' not in e['entry'] and e['entry']['userName'] for e in wrapped)
    lines = [e['entry'] for e in vro.get(location + 'syslogs/').json()['logs']]
    assert [e['short-description'] for e in lines] == [e['short-description'] for e in plain]
    assert all(isinstance(e['time-stamp-val'], int) and e['origin'] for e in lines)


def test_about_without_version(vro):
    assert vro.get('/about').json()['version'].startswith('8.18')
    quirks(vro, 'vro-about-no-version')
    about = vro.get('/about').json()
    assert 'version' not in about and about['api-version']


def _api_token(vro):
    password = vro.sim.users['vro'][ADMIN]['password']
    login = vro.http.post(vro.url + '/csp/gateway/am/api/login', params={'access_token': ''}, auth=None,
                          json={'username': ADMIN, 'password': password}, timeout=30)
    assert login.status_code == 200, login.text
    return login.json()['refresh_token']


def test_oauth_tenant_login_and_its_tm_path_quirk(vro):
    token = _api_token(vro)
    form = {'grant_type': 'refresh_token', 'refresh_token': token}
    plain, tm = '/oauth/tenant/vsphere.local/token', '/tm/oauth/tenant/vsphere.local/token'
    answer = vro.http.post(vro.url + plain, data=form, auth=None, timeout=30)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body['token_type'] == 'Bearer' and body['expires_in'] > 0 and 'refresh_token' not in body
    about = vro.http.get(vro.url + '/vco/api/workflows/' + AWSNEW, auth=None, timeout=30,
                         headers={'Authorization': 'Bearer ' + body['access_token']})
    assert about.status_code == 200
    assert vro.http.post(vro.url + tm, data=form, auth=None, timeout=30).status_code == 404
    # RFC 6749 section 5.2 errors: a JSON body, a wrong grant, a bad token, another tenant.
    refused = [vro.http.post(vro.url + plain, json=form, auth=None, timeout=30),
               vro.http.post(vro.url + plain, data=dict(form, grant_type='password'), auth=None, timeout=30),
               vro.http.post(vro.url + plain, data=dict(form, refresh_token='nope'), auth=None, timeout=30),
               vro.http.post(vro.url + '/oauth/tenant/other/token', data=form, auth=None, timeout=30)]
    assert [(r.status_code, r.json()['error']) for r in refused] == [
        (400, 'invalid_request'), (400, 'unsupported_grant_type'), (400, 'invalid_grant'), (400, 'invalid_grant')]
    quirks(vro, 'vra-oauth-tenant-tm')
    assert vro.http.post(vro.url + plain, data=form, auth=None, timeout=30).status_code == 404
    assert vro.http.post(vro.url + tm, data=form, auth=None, timeout=30).status_code == 200


def test_vro_7_cancel_state_quirk(vro):
    # 7.6, the 7.1 guide's reading: DELETE .../state is refused and the run's DELETE cancels it.
    vro.admin('PUT', 'settings', json={'vro_version': '7.6'})
    params = [{'name': 'name', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'a'}}}]
    path = vro.start(AWSNEW, params).headers['Location'].rstrip('/')
    assert vro.delete(path + '/state/').status_code == 405
    assert vro.delete(path + '/').status_code == 204 and vro.get(path + '/').json()['state'] == 'canceled'
    # The SDK's reading (quirk): DELETE .../state cancels, and the run's DELETE (rel: remove) deletes its record.
    quirks(vro, 'vro-7-cancel-state')
    path = vro.start(AWSNEW, params).headers['Location'].rstrip('/')
    assert vro.delete(path + '/state/').status_code == 204 and vro.get(path + '/').json()['state'] == 'canceled'
    assert vro.delete(path + '/').status_code == 204 and vro.get(path + '/').status_code == 404


AUTHORIZE = '/csp/gateway/am/api/auth/api-tokens/authorize'


def _v8_token(vro):
    """A CSP refresh token from a vRO 8 (an earlier test may leave the setting vro_version at 7.6)."""
    vro.admin('PUT', 'settings', json={'vro_version': '8.18'})
    return _api_token(vro)


def test_csp_authorize_exchanges_a_refresh_token(vro):
    # Served with or without the quirk: the form VMware's vRO client sends, answered as its AccessTokenResponse.
    token = _v8_token(vro)
    answer = vro.http.post(vro.url + AUTHORIZE, data={'refresh_token': token}, auth=None, timeout=30)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {'scope', 'access_token', 'refresh_token', 'id_token', 'token_type', 'expires_in'}
    assert body['refresh_token'] == token and body['expires_in'] > 0 and body['access_token'] != token
    bearer = {'Authorization': 'Bearer ' + body['access_token']}
    assert vro.http.get(vro.url + '/vco/api/workflows/' + AWSNEW, auth=None, headers=bearer, timeout=30).status_code == 200
    # The JSON body and the query (the vRA 8 identity references' readings) work too.
    assert vro.http.post(vro.url + AUTHORIZE, json={'refresh_token': token}, auth=None, timeout=30).status_code == 200
    assert vro.http.post(vro.url + AUTHORIZE, params={'refresh_token': token}, auth=None, timeout=30).status_code == 200
    # A missing, unknown or access token: 400 in the CSP error shape.
    refused = [vro.http.post(vro.url + AUTHORIZE, data={}, auth=None, timeout=30),
               vro.http.post(vro.url + AUTHORIZE, data={'refresh_token': 'forged'}, auth=None, timeout=30),
               vro.http.post(vro.url + AUTHORIZE, data={'refresh_token': body['access_token']}, auth=None, timeout=30)]
    assert [r.status_code for r in refused] == [400, 400, 400]
    assert all({'cspErrorCode', 'message', 'statusCode'} <= set(r.json()) for r in refused)
    assert 'forged' not in refused[1].text
    # An expired refresh token is refused as well.
    vro.admin('POST', 'tokens/expire')
    assert vro.http.post(vro.url + AUTHORIZE, data={'refresh_token': token}, auth=None, timeout=30).status_code == 400


def test_csp_authorize_never_logs_the_token(vro):
    token = _v8_token(vro)
    assert vro.http.post(vro.url + AUTHORIZE, params={'refresh_token': token}, auth=None, timeout=30).status_code == 200
    logged = vro.admin('GET', 'requests')
    assert token not in json.dumps(logged)
    paths = [r['path'] for r in logged['requests'] if r['path'].startswith(AUTHORIZE)]
    assert paths == [AUTHORIZE + '?refresh_token=***']


def test_vro_8_standalone_quirk_removes_the_iaas_login(vro):
    token = _v8_token(vro)
    assert vro.http.post(vro.url + '/iaas/api/login', json={'refreshToken': token}, auth=None, timeout=30).status_code == 200
    quirks(vro, 'vro-8-standalone-csp-login')
    missing = vro.http.post(vro.url + '/iaas/api/login', json={'refreshToken': token}, auth=None, timeout=30)
    assert missing.status_code == 404
    answer = vro.http.post(vro.url + AUTHORIZE, data={'refresh_token': token}, auth=None, timeout=30)
    assert answer.status_code == 200 and answer.json()['access_token']


def test_csp_authorize_is_not_served_on_vro_7(vro):
    token = _v8_token(vro)
    vro.admin('PUT', 'settings', json={'vro_version': '7.6'})
    try:
        assert vro.http.post(vro.url + AUTHORIZE, data={'refresh_token': token}, auth=None, timeout=30).status_code == 404
    finally:
        vro.admin('PUT', 'settings', json={'vro_version': '8.18'})


# -- scheduled task updates: merge or replace, null removes, is refused or is ignored ---------------------------------

def _new_task(vro):
    """A task with every optional field set: description, end date, pattern, an input."""
    response = vro.post("/tasks", json={
        "name": "full", "workflow": {"id": AWSNEW}, "description": "kept?", "recurrence-cycle": "every-days",
        "recurrence-start-date": "2031-01-01T02:00:00.000Z", "recurrence-end-date": "2031-06-01T02:00:00.000Z",
        "recurrence-pattern": "02:00:00", "start-mode": "start-in-the-past",
        "input-parameters": [{"name": "name", "type": "string", "scope": "local", "value": {"string": {"value": "web01"}}}]})
    assert response.status_code == 202, response.text
    return response.json()["id"]


SET_FIELDS = ("description", "recurrence-end-date", "recurrence-pattern", "recurrence-cycle", "start-mode", "input-parameters")


def _values(task):
    """The optional fields of a task read back (None when the server no longer shows one)."""
    shown = {key: task.get(key) or None for key in SET_FIELDS}
    shown["input-parameters"] = [p.get("value") for p in task.get("input-parameters", [])]
    return shown


def test_task_update_merges_by_default_and_replaces_under_the_quirk(vro):
    tid = _new_task(vro)
    before = _values(vro.get("/tasks/%s" % tid).json())
    assert before["recurrence-end-date"] and before["recurrence-pattern"] == "02:00:00"
    assert before["input-parameters"] == [{"string": {"value": "web01"}}]
    partial = {"recurrence-start-date": "2031-01-02T02:00:00.000Z"}
    merged = vro.post("/tasks/%s" % tid, json=partial)
    assert merged.status_code == 200, merged.text
    assert _values(merged.json()) == before  # a field left out is kept
    quirks(vro, "vro-task-update-replaces")
    assert vro.post("/tasks/%s" % tid, json={"description": "no start"}).status_code == 400
    replaced = vro.post("/tasks/%s" % tid, json=partial)
    assert replaced.status_code == 200, replaced.text
    # A field left out is reset: no description, end date, pattern or input value; one-time, normal start.
    assert _values(replaced.json()) == {"description": None, "recurrence-end-date": None, "recurrence-pattern": None,
                                        "recurrence-cycle": "one-time", "start-mode": "normal",
                                        "input-parameters": [None]}
    assert replaced.json()["name"] == "full"


def test_task_null_removes_by_default_is_refused_or_kept_under_the_quirks(vro):
    nulls = {"recurrence-end-date": None, "recurrence-pattern": None}
    tid = _new_task(vro)
    removed = vro.post("/tasks/%s" % tid, json=nulls).json()
    assert "recurrence-end-date" not in removed and "recurrence-pattern" not in removed

    quirks(vro, "vro-task-null-refused")
    tid = _new_task(vro)
    refused = vro.post("/tasks/%s" % tid, json=dict(nulls, description="changed"))
    assert refused.status_code == 400 and "recurrence-end-date" in refused.json()["message"]
    after = vro.get("/tasks/%s" % tid).json()
    assert after["description"] == "kept?" and after["recurrence-pattern"] == "02:00:00"  # nothing applied
    made = vro.post("/tasks", json={"name": "n", "workflow": {"id": AWSNEW}, "recurrence-start-date": "2031-01-01T00:00:00Z",
                                    "recurrence-end-date": None})
    assert made.status_code == 400

    quirks(vro, "vro-task-null-kept")
    kept = vro.post("/tasks/%s" % tid, json=dict(nulls, description="changed"))
    assert kept.status_code == 200, kept.text
    assert kept.json()["description"] == "changed" and kept.json()["recurrence-pattern"] == "02:00:00"
    assert kept.json()["recurrence-end-date"]

    # Replace with null kept: a field given as null is not given, so it is reset like one left out.
    quirks(vro, "vro-task-null-kept", "vro-task-update-replaces")
    reset = vro.post("/tasks/%s" % tid, json=dict(nulls, **{"recurrence-start-date": "2031-01-01T02:00:00.000Z"})).json()
    assert "recurrence-end-date" not in reset and "recurrence-pattern" not in reset


def test_task_answers_are_small_under_the_quirk(vro):
    quirks(vro, "vro-task-answer-small")
    made = vro.post("/tasks", json={"name": "small", "workflow": {"id": AWSNEW}, "recurrence-start-date": "2031-01-01T00:00:00Z"})
    assert made.status_code == 202 and made.json() == {"id": made.json()["id"], "state": "pending"}
    assert made.headers["Location"].rstrip("/").endswith(made.json()["id"])
    updated = vro.post("/tasks/%s" % made.json()["id"], json={"description": "d"})
    assert updated.status_code == 200 and sorted(updated.json()) == ["id", "state"]
    assert vro.get("/tasks/%s" % made.json()["id"]).json()["description"] == "d"


# -- the catalog of runs: System/WorkflowToken, or System/WorkflowExecution as public clients read it ----------------

def test_catalog_of_runs_is_workflowtoken_by_default_and_workflowexecution_under_the_quirk(vro):
    ids = _start_two(vro)
    tokens = vro.get('/catalog/System/WorkflowToken')
    assert tokens.status_code == 200 and set(ids) <= {e['href'].rstrip('/').rsplit('/', 1)[-1] for e in tokens.json()['link']}
    assert vro.get('/catalog/System/WorkflowExecution').status_code == 404
    quirks(vro, 'vro-catalog-workflowexecution')
    assert vro.get('/catalog/System/WorkflowToken').status_code == 404
    listed = vro.get('/catalog/System/WorkflowExecution', params={'conditions': 'state=completed'})
    assert listed.status_code == 200, listed.text
    links = listed.json()['link']
    assert all('/catalog/System/WorkflowExecution/' in e['href'] and e['type'] == 'System:WorkflowExecution' for e in links)
    everything = vro.get('/catalog/System/WorkflowExecution').json()
    assert set(ids) <= {e['href'].rstrip('/').rsplit('/', 1)[-1] for e in everything['link']}
    # The entries name no workflow (the attributes VMware's client reads); one entry's relations do.
    assert all('workflowId' not in {a['name'] for a in e['attributes']} for e in everything['link'])
    item = vro.get('/catalog/System/WorkflowExecution/%s' % ids[0])
    assert item.status_code == 200 and item.json()['relations']['link'][0]['href'].endswith('/vco/api/workflows/%s/' % AWSNEW)
    assert vro.get('/catalog/System/WorkflowExecution/no-such-run').status_code == 404


def test_interaction_entries_name_their_run_by_attribute_by_default_and_by_href_only_under_the_quirk(vro):
    approval = vro.get('/workflows', params={'conditions': 'name=Request approval'}).json()['link'][0]
    wid = approval['href'].rstrip('/').rsplit('/', 1)[-1]
    started = vro.start(wid, [{'name': 'request', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'x'}}}])
    eid = started.headers['Location'].rstrip('/').rsplit('/', 1)[-1]
    for ignored in range(100):
        if vro.get('/workflows/%s/executions/%s/state' % (wid, eid)).json()['value'] == 'waiting':
            break
        time.sleep(0.05)

    def entry():
        links = [e for e in vro.get('/interactions').json()['link'] if ('/executions/%s/' % eid) in e['href']]
        assert len(links) == 1 and links[0]['href'].endswith('/workflows/%s/executions/%s/interaction/' % (wid, eid))
        return {a['name']: a.get('value') for a in links[0]['attributes']}
    assert entry()['executionId'] == eid and entry()['workflowId'] == wid
    quirks(vro, 'vro-interactions-bare-attributes')
    assert set(entry()) == {'id', 'name', 'createDate', 'description'}


def _echo_run(vro, params):
    started = vro.start(vro_catalog.ECHO_ID, params)
    assert started.status_code == 202, started.text
    location = started.headers['Location']
    assert vro.wait(location) == 'completed'
    return location


def _param_values(body, key):
    return {p['name']: p.get('value') for p in body[key]}


def test_one_element_lists_are_lists_by_default_and_bare_objects_under_the_quirk(vro):
    one = {'string': {'value': 'only'}}
    entry = {'key': 'k', 'value': {'string': {'value': 'v'}}}
    location = _echo_run(vro, [
        {'name': 'tags', 'type': 'Array/string', 'scope': 'local', 'value': {'array': {'elements': [one]}}},
        {'name': 'matrix', 'type': 'Array/Array/number', 'scope': 'local', 'value': {'array': {'elements': [
            {'array': {'elements': [{'number': {'value': 1}}]}}, {'array': {'elements': []}}]}}},
        {'name': 'props', 'type': 'Properties', 'scope': 'local', 'value': {'properties': {'property': [entry]}}},
    ])
    body = vro.get(location).json()
    for key, prefix in (('input-parameters', ''), ('output-parameters', 'out_')):
        values = _param_values(body, key)
        assert values[prefix + 'tags'] == {'array': {'elements': [one]}}
        assert values[prefix + 'props'] == {'properties': {'property': [entry]}}
    quirks(vro, 'vro-one-element-bare')
    body = vro.get(location).json()  # the stored run is unchanged: the quirk is how it is written
    for key, prefix in (('input-parameters', ''), ('output-parameters', 'out_')):
        values = _param_values(body, key)
        assert values[prefix + 'tags'] == {'array': {'element': one}}
        assert values[prefix + 'props'] == {'properties': {'property': entry}}
        # two elements stay a list; the one-element list inside it is bare; an empty one stays a list
        assert values[prefix + 'matrix'] == {'array': {'elements': [
            {'array': {'element': {'number': {'value': 1.0}}}}, {'array': {'elements': []}}]}}


SECURE_CATALOG = {'workflows': [{
    'name': 'Secure parts', 'category': 'Ops',
    'inputs': [{'name': 'pw', 'type': 'SecureString'}, {'name': 'pws', 'type': 'Array/SecureString'},
               {'name': 'cred', 'type': 'CompositeType(user:string,pw:SecureString):Cred'},
               {'name': 'bag', 'type': 'Properties'}],
    'outputs': [{'name': 'o_pws', 'type': 'Array/SecureString'},
                {'name': 'o_cred', 'type': 'CompositeType(user:string,pw:SecureString):Cred'}],
    'behaviour': {'duration': 0.1, 'outputs': {'o_pws': '$pws', 'o_cred': '$cred'}}}]}


def test_secure_parts_are_secure_strings_by_default_and_strings_under_the_quirk(make_sim, tmp_path):
    catalog = tmp_path / 'catalog.yml'
    catalog.write_text(json.dumps(SECURE_CATALOG), encoding='utf-8')
    client = VroClient(make_sim(catalog=str(catalog)), ADMIN)
    wid = [w for w in client.get('/workflows').json()['link']
           if {'name': 'name', 'value': 'Secure parts'} in w['attributes']][0]['href'].rstrip('/').rsplit('/', 1)[-1]

    def secure(text):
        return {'secure-string': {'value': text}}
    cred = {'composite': {'type': 'CompositeType(user:string,pw:SecureString):Cred', 'property': [
        {'id': 'user', 'value': {'string': {'value': 'alice'}}}, {'id': 'pw', 'value': secure('p2')}]}}
    started = client.start(wid, [
        {'name': 'pw', 'type': 'SecureString', 'scope': 'local', 'value': secure('p1')},
        {'name': 'pws', 'type': 'Array/SecureString', 'scope': 'local', 'value': {'array': {'elements': [secure('p3'), secure('p4')]}}},
        {'name': 'cred', 'type': 'CompositeType(user:string,pw:SecureString):Cred', 'scope': 'local', 'value': cred},
        {'name': 'bag', 'type': 'Properties', 'scope': 'local', 'value': {'properties': {'property': [
            {'key': 'pw', 'value': secure('p5')}]}}},
    ])
    assert started.status_code == 202, started.text
    location = started.headers['Location']
    assert client.wait(location) == 'completed'
    body = client.get(location).json()
    ins, outs = _param_values(body, 'input-parameters'), _param_values(body, 'output-parameters')
    assert ins['pw'] == secure('p1')
    assert ins['pws'] == outs['o_pws'] == {'array': {'elements': [secure('p3'), secure('p4')]}}
    assert ins['cred']['composite']['property'][1]['value'] == secure('p2')
    quirks(client, 'vro-secure-as-string')
    body = client.get(location).json()
    ins, outs = _param_values(body, 'input-parameters'), _param_values(body, 'output-parameters')
    assert ins['pw'] == {'string': {'value': 'p1'}}
    assert ins['pws'] == outs['o_pws'] == {'array': {'elements': [{'string': {'value': 'p3'}}, {'string': {'value': 'p4'}}]}}
    assert ins['cred'] == outs['o_cred']
    assert ins['cred']['composite']['property'] == [{'id': 'user', 'value': {'string': {'value': 'alice'}}},
                                                    {'id': 'pw', 'value': {'string': {'value': 'p2'}}}]
    # a secure-string under a type that does not declare it (a Properties value) keeps its kind
    assert ins['bag'] == {'properties': {'property': [{'key': 'pw', 'value': secure('p5')}]}}
    client.http.close()


@pytest.mark.parametrize('strict', [False, True])
def test_string_values_in_nested_secure_places_taken_unless_values_strict(make_sim, tmp_path, strict):
    """vro-values-strict's reading reaches SecureString elements of arrays and fields of composites: taken (stored as
    secure-string) by default, refused (400) under the quirk, as a top-level SecureString input is."""
    catalog = tmp_path / 'catalog.yml'
    catalog.write_text(json.dumps(SECURE_CATALOG), encoding='utf-8')
    client = VroClient(make_sim(catalog=str(catalog)), ADMIN)
    if strict:
        quirks(client, 'vro-values-strict')
    wid = [w for w in client.get('/workflows').json()['link']
           if {'name': 'name', 'value': 'Secure parts'} in w['attributes']][0]['href'].rstrip('/').rsplit('/', 1)[-1]
    for param in ({'name': 'pws', 'type': 'Array/SecureString', 'value': {'array': {'elements': [{'string': {'value': 'p'}}]}}},
                  {'name': 'cred', 'type': 'CompositeType(user:string,pw:SecureString):Cred', 'value': {'composite': {
                      'type': 'CompositeType(user:string,pw:SecureString):Cred', 'property': [{'id': 'pw', 'value': {'string': {'value': 'p'}}}]}}}):
        started = client.start(wid, [dict(param, scope='local')])
        assert started.status_code == (400 if strict else 202), started.text
        if not strict:
            body = client.get(started.headers['Location']).json()
            assert 'secure-string' in json.dumps(_param_values(body, 'input-parameters')[param['name']])
    client.http.close()
