"""The simulator's origin faults (issue 12 section 2): ``redirect`` and ``rewrite_location``."""

# pylint: disable=redefined-outer-name

from __future__ import annotations

import pytest
import requests

from simulator import faults

ICO_TASKS = '/orchestrator/v2/tasks'
NEW_TASK = {'eventTopic': 'topic/origin', 'parm': {'k': 'v'}}


@pytest.fixture
def http(fresh_sim):
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace the simulator's CA
    session.verify = fresh_sim.ca_path
    session.auth = ('admin', fresh_sim.users['ico']['admin']['password'])
    session.headers['X-Sim-Admin-Token'] = fresh_sim.admin_token  # /_sim needs it; the API routes ignore it
    yield session
    session.close()


def _fault(sim, http, spec):
    response = http.post(sim.url + '/_sim/faults', json=spec, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def _ico_count(sim, http):
    return len(http.get(sim.url + ICO_TASKS, timeout=30).json())


def test_redirect_fault_validation():
    assert faults.Fault({'kind': 'redirect'}).status == 302
    assert faults.Fault({'kind': 'redirect'}).location == 'https://sso.example/login'
    assert faults.Fault({'kind': 'redirect', 'status': 307, 'location': 'https://lb/x'}).location == 'https://lb/x'
    with pytest.raises(faults.FaultError):
        faults.Fault({'kind': 'redirect', 'status': 200})


def test_redirect_answers_3xx_and_acts_on_nothing(fresh_sim, http):
    before = _ico_count(fresh_sim, http)
    _fault(fresh_sim, http, {'route': ICO_TASKS, 'method': 'POST', 'kind': 'redirect', 'status': 303,
                             'location': 'https://sso.example/saml?x=1', 'count': 1})
    answer = http.post(fresh_sim.url + ICO_TASKS, json=NEW_TASK, allow_redirects=False, timeout=30)
    assert answer.status_code == 303 and answer.headers['Location'] == 'https://sso.example/saml?x=1'
    assert _ico_count(fresh_sim, http) == before
    log = http.get(fresh_sim.url + '/_sim/requests', params={'limit': 2}, timeout=30).json()['requests']
    assert log[0]['fault'] == 'redirect' and log[0]['status'] == 303


@pytest.mark.parametrize('location,expected', [
    (None, 'http://other-host.invalid%s/{id}' % ICO_TASKS),
    ('http://127.0.0.1:9{path}', 'http://127.0.0.1:9%s/{id}' % ICO_TASKS),
    ('{path}', '%s/{id}' % ICO_TASKS),
    ('tasks/{id}', 'tasks/{id}'),
])
def test_rewrite_location_creates_then_names_the_object_elsewhere_without_a_body(fresh_sim, http, location, expected):
    before = _ico_count(fresh_sim, http)
    spec = {'route': ICO_TASKS, 'method': 'POST', 'kind': 'rewrite_location', 'count': 1}
    if location:
        spec['location'] = location
    _fault(fresh_sim, http, spec)
    answer = http.post(fresh_sim.url + ICO_TASKS, json=NEW_TASK, allow_redirects=False, timeout=30)
    assert answer.status_code == 201 and answer.content == b''
    tasks = http.get(fresh_sim.url + ICO_TASKS, timeout=30).json()
    assert len(tasks) == before + 1
    created = max(tasks, key=lambda t: int(t['id']))
    assert answer.headers['Location'] == expected.format(id=created['id'])
