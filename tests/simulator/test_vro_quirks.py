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
