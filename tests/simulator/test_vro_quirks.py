"""The vRO quirks (issue 13 items 5-9) over real HTTPS: each one off (the default reading) and on (the other)."""

from __future__ import annotations

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
    # The default reading keeps a comma inside the value; the quirk splits at it, and ' Linux' is no condition.
    params = {'conditions': 'name=Deploy VM, Linux'}
    assert vro.get('/workflows', params=params).status_code == 200
    assert vro.get('/workflows', params={'conditions': 'name=AWSNEW,categoryName=Cloud'}).json()['total'] == 0
    quirks(vro, 'vro-conditions-comma-split')
    refused = vro.get('/workflows', params=params)
    assert refused.status_code == 400 and 'Linux' in refused.json()['message']
    both = vro.get('/workflows', params={'conditions': 'name=AWSNEW,categoryName=Cloud'}).json()
    assert both['total'] == 1
    assert vro.get('/workflows/%s/executions' % AWSNEW, params={'conditions': 'startedBy=a,b'}).status_code == 400


def test_contains_case_sensitive(vro):
    # The default reading: '~' ignores case; the quirk matches as spelled.
    assert vro.get('/workflows', params={'conditions': 'name~awsn'}).json()['total'] == 1
    quirks(vro, 'vro-contains-case-sensitive')
    assert vro.get('/workflows', params={'conditions': 'name~awsn'}).json()['total'] == 0
    assert vro.get('/workflows', params={'conditions': 'name~AWSN'}).json()['total'] == 1


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


def test_about_without_version(vro):
    assert vro.get('/about').json()['version'].startswith('8.18')
    quirks(vro, 'vro-about-no-version')
    about = vro.get('/about').json()
    assert 'version' not in about and about['api-version']


def _tokens(vro, **params):
    response = vro.get('/catalog/System/WorkflowToken', params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    return [dict((a['name'], a['value']) for a in link['attributes']) for link in body['link']], body


def test_catalog_lists_runs_of_every_workflow_and_the_quirk_ignores_conditions(vro):
    older, newer = _start_two(vro)
    failed = vro.post('/workflows/%s/executions' % vro_catalog.FAIL_ID, json={'parameters': []}).headers['Location']
    assert vro.wait(failed) == 'failed'
    tokens, body = _tokens(vro)
    assert body['total'] == len(tokens) and {t['workflowId'] for t in tokens} >= {AWSNEW, vro_catalog.FAIL_ID}
    assert all(link['href'].endswith('/vco/api/catalog/System/WorkflowToken/%s/' % link['attributes'][0]['value'])
               for link in body['link'])
    starts = [t['startDate'] for t in tokens]
    assert starts == sorted(starts, reverse=True)
    only_failed, body = _tokens(vro, conditions='state=failed')
    assert [t['id'] for t in only_failed] == [failed.rstrip('/').rsplit('/', 1)[-1]] and body['total'] == 1
    assert [t['id'] for t in _tokens(vro, conditions='workflowId=%s' % AWSNEW, maxResult=1)[0]] == [newer]
    assert [t['id'] for t in _tokens(vro, conditions='workflowId=%s' % AWSNEW, maxResult=1, startIndex=1)[0]] == [older]
    assert vro.get('/catalog/System/WorkflowToken', params={'conditions': 'startDate>0'}).status_code == 400
    quirks(vro, 'vro-catalog-conditions-ignored')
    assert len(_tokens(vro, conditions='state=failed')[0]) == len(tokens)
