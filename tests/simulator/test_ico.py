"""The simulator's IBM Cloud Orchestrator 2.5 task engine API over real HTTPS."""

from __future__ import annotations

import pathlib
import re
import sys
import time

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from simulator import ico_catalog  # noqa: E402  pylint: disable=wrong-import-position
from simulator.runner import Simulator  # noqa: E402  pylint: disable=wrong-import-position

BASE = '/orchestrator/v2'
ISO = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$')


class Ico:
    """A tiny ICO client: Basic auth plus the domainName/projectName headers."""

    def __init__(self, sim, user='admin', project=None, domain=None):
        self.sim = sim
        self.http = requests.Session()
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace the simulator's CA
        self.http.verify = sim.ca_path
        self.as_user(user, project, domain)

    def as_user(self, user, project=None, domain=None, password=None):
        entry = self.sim.users['ico'].get(user, {})
        self.http.auth = (user, password if password is not None else entry.get('password', ''))
        self.http.headers.pop('projectName', None)
        self.http.headers.pop('domainName', None)
        if project:
            self.http.headers['projectName'] = project
        if domain:
            self.http.headers['domainName'] = domain
        return self

    def call(self, method, path, **kwargs):
        response = self.http.request(method, self.sim.url + BASE + path, **kwargs)
        if response.content:
            assert 'json' in response.headers['Content-Type'], response.headers
            body = response.json()
            if response.status_code >= 400:
                assert isinstance(body.get('error_message'), str) and body['error_message'], body
        return response

    def ok(self, method, path, status=200, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def admin(self, method, path, **kwargs):
        kwargs.setdefault('headers', {'X-Sim-Admin-Token': self.sim.admin_token})
        response = self.http.request(method, self.sim.url + '/_sim' + path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json()


@pytest.fixture
def ico(fresh_sim):
    """An admin client on the session simulator, reset to its seed with default settings (conftest)."""
    client = Ico(fresh_sim)
    yield client
    client.http.close()


def _ids(tasks):
    return {t['id'] for t in tasks}


# -- auth ------------------------------------------------------------------------------------------------
def test_missing_or_wrong_credentials_are_401_with_a_basic_challenge(ico):
    response = requests.get(ico.sim.url + BASE + '/tasks', verify=ico.sim.ca_path, timeout=30)
    assert response.status_code == 401
    assert response.headers['WWW-Authenticate'].startswith('Basic')
    assert response.json()['error_message']
    ico.as_user('admin', password='wrong')
    assert ico.call('GET', '/tasks').status_code == 401


def test_project_or_domain_the_user_is_not_in_is_401(ico):
    ico.as_user('alice', project=ico_catalog.PROJECT_B)
    response = ico.call('GET', '/tasks')
    assert response.status_code == 401
    assert ico_catalog.PROJECT_B in response.json()['error_message']
    ico.as_user('alice', domain='OtherDomain')
    assert ico.call('GET', '/tasks').status_code == 401


# -- scoping ---------------------------------------------------------------------------------------------
def test_members_see_only_their_project_and_admin_sees_all(ico):
    everything = ico.ok('GET', '/tasks')
    projects = {t['project'] for t in everything}
    assert {ico_catalog.PROJECT_ADMIN, ico_catalog.PROJECT_A, ico_catalog.PROJECT_B} <= projects
    ico.as_user('alice')
    alice = ico.ok('GET', '/tasks')
    assert alice and {t['project'] for t in alice} == {ico_catalog.PROJECT_A}
    ico.as_user('bob', project=ico_catalog.PROJECT_B)
    bob = ico.ok('GET', '/tasks')
    assert bob and {t['project'] for t in bob} == {ico_catalog.PROJECT_B}
    assert _ids(alice) | _ids(bob) < _ids(everything)
    # Another project's task is invisible to a member: 404, as if it did not exist.
    assert ico.call('GET', '/tasks/1004').status_code == 404
    assert ico.ok('GET', '/tasks/1008')['project'] == ico_catalog.PROJECT_B


def test_list_pages_with_start_and_limit(ico):
    everything = ico.ok('GET', '/tasks')
    first = ico.ok('GET', '/tasks', params={'_start': 0, '_limit': 3})
    second = ico.ok('GET', '/tasks', params={'_start': 3, '_limit': 3})
    assert [t['id'] for t in first + second] == [t['id'] for t in everything[:6]]
    assert ico.call('GET', '/tasks', params={'_limit': 'x'}).status_code == 400


# -- task fields -----------------------------------------------------------------------------------------
def test_seed_sample_task_1003_has_ibms_fields(ico):
    task = ico.ok('GET', '/tasks/1003')
    assert task['status'] == 'COMPLETED' and task['status_localized'] == 'Completed'
    assert task['created'] == 1396263830875 and task['updated'] == 1396263914896
    assert task['created_iso'] == '2014-03-31T13:03:50+0200'
    assert task['user'] == 'ksadmin' and task['project'] == 'admin' and task['domain'] == 'Default'
    assert task['eventTopic'] == 'com/ibm/orchestrator/serviceinstance/plan/ibm_bpm_process'
    assert task['delayInSeconds'] == 30
    assert task['error']['messageKey'] == 'BPM_PROCESS_COMPLETE' and task['error']['args'] == ['3']
    assert task['description']['messageKey'] == 'PROCESS_COMPLETE'
    assert task['error_message'] == 'CTJCO0002I: Business process instance 3 completed successfully.'
    assert isinstance(task['parm'], dict)


def test_catalogue_covers_several_statuses(ico):
    statuses = {t['status'] for t in ico.ok('GET', '/tasks')}
    assert {'COMPLETED', 'FAILED', 'RUNNING', 'QUEUED', 'CANCELED'} <= statuses


def test_expand_service_instance(ico):
    plain = ico.ok('GET', '/tasks/1004')
    assert plain['serviceInstanceId'] == ico_catalog.SERVICE_INSTANCE_A and 'serviceInstance' not in plain
    expanded = ico.ok('GET', '/tasks/1004', params={'expand': 'serviceInstance'})
    assert expanded['serviceInstance']['id'] == ico_catalog.SERVICE_INSTANCE_A
    assert expanded['serviceInstance']['name'] == 'fin-app-01'
    listing = ico.ok('GET', '/tasks', params={'expand': 'serviceInstance'})
    with_instance = [t for t in listing if t.get('serviceInstanceId')]
    assert with_instance and all(t['serviceInstance']['id'] == t['serviceInstanceId'] for t in with_instance)
    assert all('serviceInstance' not in t for t in listing if not t.get('serviceInstanceId'))


def test_service_instances_collection_pages(ico):
    page = ico.ok('GET', '/serviceinstances', params={'_start': 0, '_limit': 2})
    assert page['start'] == 0 and page['limit'] == 2 and page['total'] == 3
    assert len(page['items']) == 2 and page['previous'] is None and '_start=2' in page['next']
    last = ico.ok('GET', '/serviceinstances', params={'_start': 2, '_limit': 2})
    assert len(last['items']) == 1 and last['next'] is None
    ico.as_user('alice')
    mine = ico.ok('GET', '/serviceinstances')
    assert [i['id'] for i in mine['items']] == [ico_catalog.SERVICE_INSTANCE_A]
    assert ico.call('GET', '/serviceinstances/' + ico_catalog.SERVICE_INSTANCE_B).status_code == 404


# -- CRUD ------------------------------------------------------------------------------------------------
def test_admin_creates_a_task_with_201_and_location(ico):
    response = ico.call('POST', '/tasks', json={'parm': {'vm': 'web01'}, 'delayInSeconds': 3600,
                                                'project': ico_catalog.PROJECT_A})
    assert response.status_code == 201
    task = response.json()
    assert response.headers['Location'].endswith(BASE + '/tasks/' + task['id'])
    assert isinstance(task['id'], str)
    assert task['status'] == 'QUEUED' and task['user'] == 'admin' and task['project'] == ico_catalog.PROJECT_A
    assert ISO.match(task['created_iso']) and ISO.match(task['updated_iso'])
    assert ico.ok('GET', '/tasks/' + task['id'])['parm'] == {'vm': 'web01'}
    ico.as_user('alice')
    assert task['id'] in _ids(ico.ok('GET', '/tasks'))


def test_post_and_delete_are_admin_only_with_401(ico):
    ico.as_user('alice')
    refused = ico.call('POST', '/tasks', json={'parm': {}})
    assert refused.status_code == 401
    assert 'admin' in refused.json()['error_message']
    assert ico.call('DELETE', '/tasks/1004').status_code == 401
    assert ico.ok('GET', '/tasks/1004')['id'] == '1004'


def test_post_with_a_malformed_body_is_400(ico):
    assert ico.call('POST', '/tasks', data='not json', headers={'Content-Type': 'application/json'}).status_code == 400
    assert ico.call('POST', '/tasks', json={'delayInSeconds': -1}).status_code == 400
    assert ico.call('POST', '/tasks', json={'parm': 'text'}).status_code == 400


def test_put_by_admin_or_same_project_member(ico):
    ico.as_user('alice')
    updated = ico.ok('PUT', '/tasks/1006', json={'status': 'COMPLETED', 'description_message': 'done by alice'})
    assert updated['status'] == 'COMPLETED' and updated['description_message'] == 'done by alice'
    assert updated['updated'] >= updated['created']
    assert ico.call('PUT', '/tasks/1006', json={'project': 'engineering'}).status_code == 400
    ico.as_user('bob')
    refused = ico.call('PUT', '/tasks/1006', json={'status': 'FAILED'})
    assert refused.status_code == 401
    assert ico.call('PUT', '/tasks/99999', json={'status': 'FAILED'}).status_code == 404
    ico.as_user('admin')
    assert ico.ok('PUT', '/tasks/1006', json={'status': 'failed'})['status'] == 'FAILED'


def test_delete_by_admin_then_404(ico):
    response = ico.call('DELETE', '/tasks/1009')
    assert response.status_code == 204 and response.content == b''
    assert ico.call('GET', '/tasks/1009').status_code == 404
    assert ico.call('DELETE', '/tasks/1009').status_code == 404


# -- status movement -------------------------------------------------------------------------------------
def test_status_follows_delay_and_step_settings(ico):
    ico.admin('PUT', '/settings', json={'ico_status_step_seconds': 3600})
    task = ico.ok('POST', '/tasks', status=201, json={'delayInSeconds': 3600})
    assert task['status'] == 'QUEUED'
    running = ico.ok('PUT', '/tasks/' + task['id'], json={'delayInSeconds': 0})
    assert running['status'] == 'RUNNING' and running['status_localized'] == 'Running'
    ico.admin('PUT', '/settings', json={'ico_status_step_seconds': 0})
    done = ico.ok('GET', '/tasks/' + task['id'])
    assert done['status'] == 'COMPLETED'
    assert done['error_message'].startswith('CTJCO0002I')
    failing = ico.ok('POST', '/tasks', status=201, json={'delayInSeconds': 0, 'parm': {'simulate': 'fail'}})
    assert ico.ok('GET', '/tasks/' + failing['id'])['status'] == 'FAILED'


def test_status_moves_over_real_time(ico):
    ico.admin('PUT', '/settings', json={'ico_status_step_seconds': 0.4})
    task = ico.ok('POST', '/tasks', status=201, json={'delayInSeconds': 0.4})
    order = ['QUEUED', 'RUNNING', 'COMPLETED']
    seen = [task['status']]
    deadline = time.monotonic() + 30
    while seen[-1] != 'COMPLETED' and time.monotonic() < deadline:
        time.sleep(0.05)
        status = ico.ok('GET', '/tasks/' + task['id'])['status']
        if status != seen[-1]:
            seen.append(status)
    assert seen[-1] == 'COMPLETED'
    assert [order.index(s) for s in seen] == sorted(order.index(s) for s in seen)


def test_admin_forces_a_status(ico):
    forced = ico.admin('POST', '/ico/tasks/1007/status', json={'status': 'FAILED', 'error_message': 'CTJCO0003E: forced'})
    assert forced['status'] == 'FAILED'
    task = ico.ok('GET', '/tasks/1007')
    assert task['status'] == 'FAILED' and task['error_message'] == 'CTJCO0003E: forced'
    released = ico.admin('POST', '/ico/tasks/1007/status', json={'status': None})
    assert released['status'] == 'QUEUED'  # back to its own clock: created at seed time with a one-hour delay
    bad = ico.http.post(ico.sim.url + '/_sim/ico/tasks/1007/status', json={'status': 'EXPLODED'},
                        headers={'X-Sim-Admin-Token': ico.sim.admin_token})
    assert bad.status_code == 400


def test_unknown_paths_answer_json(ico):
    assert ico.call('GET', '/nothing-here').status_code == 404
    wrong = ico.call('POST', '/tasks/1003')
    assert wrong.status_code == 405 and 'PUT' in wrong.headers['Allow']


# -- persistence and catalogue ---------------------------------------------------------------------------
def test_restart_keeps_tasks_and_their_clock(tmp_path):
    first = Simulator(tls=True, data_dir=str(tmp_path)).start()
    try:
        client = Ico(first)
        client.admin('PUT', '/settings', json={'ico_status_step_seconds': 0.5})
        task = client.ok('POST', '/tasks', status=201, json={'delayInSeconds': 0.5, 'parm': {'simulate': 'fail'}})
        client.ok('DELETE', '/tasks/1005', status=204)
    finally:
        first.stop()
    second = Simulator(tls=True, data_dir=str(tmp_path)).start()
    try:
        client = Ico(second)
        deadline = time.monotonic() + 30
        while client.ok('GET', '/tasks/' + task['id'])['status'] != 'FAILED' and time.monotonic() < deadline:
            time.sleep(0.1)
        again = client.ok('GET', '/tasks/' + task['id'])
        assert again['status'] == 'FAILED' and again['created'] == task['created']
        assert client.call('GET', '/tasks/1005').status_code == 404
    finally:
        second.stop()


def test_catalog_file_adds_ico_tasks(tmp_path):
    catalog = tmp_path / 'catalog.yml'
    catalog.write_text(
        'ico_tasks:\n'
        '  - {id: "7001", project: engineering, user: bob, status: FAILED, parm: {job: nightly},'
        ' error_message: "CTJCO0003E: disk full"}\n'
        '  - {project: finance, delayInSeconds: 3600}\n', encoding='utf-8')
    server = Simulator(tls=True, data_dir=str(tmp_path / 'data'), catalog=str(catalog)).start()
    try:
        client = Ico(server, 'bob')
        task = client.ok('GET', '/tasks/7001')
        assert task['status'] == 'FAILED' and task['error_message'] == 'CTJCO0003E: disk full'
        client.as_user('alice')
        queued = [t for t in client.ok('GET', '/tasks') if t['parm'] == {} and t['delayInSeconds'] == 3600]
        assert len(queued) == 1 and queued[0]['status'] == 'QUEUED'
    finally:
        server.stop()
