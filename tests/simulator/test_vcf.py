"""The simulator's VMware Cloud Foundation SDDC Manager API over real HTTPS.

Every ``/v1`` response these tests receive is also checked against the official VCF OpenAPI document
(see test_spec_vcf.py; the check is skipped when ../shared is absent).
"""

from __future__ import annotations

import base64
import importlib.util
import json
import pathlib
import sys
import time

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from simulator import vcf_catalog  # noqa: E402  pylint: disable=wrong-import-position
from simulator.runner import Simulator  # noqa: E402  pylint: disable=wrong-import-position

ADMIN = 'administrator@vsphere.local'
VIEWER = 'viewer@vsphere.local'
CATALOG = vcf_catalog


def _load_spec_checker():
    """test_spec_vcf.VcfSpec loaded by file path (works whatever pytest's import mode)."""
    path = pathlib.Path(__file__).with_name('test_spec_vcf.py')
    spec = importlib.util.spec_from_file_location('_vcf_spec_checker', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.load_spec()


SPEC = _load_spec_checker()


class Vcf:
    """A tiny SDDC Manager client for the tests: bearer token, spec check of every /v1 response."""

    def __init__(self, sim):
        self.sim = sim
        self.url = sim.url
        self.http = requests.Session()
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace the simulator's CA
        self.http.verify = sim.ca_path
        self.token = None
        self.refresh_id = None
        self.violations = []

    def call(self, method, path, auth=True, **kwargs):
        headers = dict(kwargs.pop('headers', None) or {})
        if auth and self.token:
            headers['Authorization'] = 'Bearer ' + self.token
        response = self.http.request(method, self.url + path, headers=headers, **kwargs)
        if SPEC is not None and path.startswith('/v1'):
            problems = SPEC.problems(method, path.split('?')[0], response)
            assert not problems, problems
        return response

    def login(self, user=ADMIN):
        password = self.sim.users['vcf'][user]['password']
        response = self.call('POST', '/v1/tokens', auth=False, json={'username': user, 'password': password})
        assert response.status_code == 200, response.text
        self.token = response.json()['accessToken']
        self.refresh_id = response.json()['refreshToken']['id']
        return self

    def admin(self, method, path, **kwargs):
        kwargs.setdefault('headers', {'X-Sim-Admin-Token': self.sim.admin_token})
        response = self.http.request(method, self.url + '/_sim' + path, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def task(self, task_id):
        response = self.call('GET', '/v1/tasks/' + task_id)
        assert response.status_code == 200, response.text
        return response.json()

    def tasks(self, **params):
        response = self.call('GET', '/v1/tasks', params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def wait_status(self, task_id, wanted, path='/v1/tasks/', limit=30.0):
        """Poll until the task leaves IN_PROGRESS; returns the last task (no timing assertion)."""
        deadline = time.monotonic() + limit
        while True:
            body = self.call('GET', path + task_id).json()
            if body['status'].upper().replace(' ', '_') != 'IN_PROGRESS' or time.monotonic() > deadline:
                assert body['status'] == wanted, body
                return body
            time.sleep(0.1)


@pytest.fixture
def vcf(fresh_sim):
    """A logged-in admin client on the session simulator, reset to its seed with default settings (conftest)."""
    client = Vcf(fresh_sim)
    yield client.login()
    client.http.close()


def _claims(token):
    payload = token.split('.')[1]
    return json.loads(base64.urlsafe_b64decode(payload + '=' * (-len(payload) % 4)))


# -- tokens ----------------------------------------------------------------------------------------------
def test_token_pair_is_a_real_jwt_with_exp_and_a_refresh_id(vcf):
    claims = _claims(vcf.token)
    assert claims['sub'] == ADMIN
    assert claims['exp'] > claims['iat']
    assert json.loads(base64.urlsafe_b64decode(vcf.token.split('.')[0] + '==')) == {'alg': 'HS256', 'typ': 'JWT'}
    assert len(vcf.refresh_id) == 36
    assert vcf.call('GET', '/v1/tasks', params={'pageSize': 1}).status_code == 200


def test_bad_password_unknown_user_and_missing_fields_are_refused(vcf):
    bad = vcf.call('POST', '/v1/tokens', auth=False, json={'username': ADMIN, 'password': 'nope'})
    assert bad.status_code == 401
    assert bad.json()['message'] and bad.json()['referenceToken']
    assert vcf.call('POST', '/v1/tokens', auth=False, json={'username': 'who@x', 'password': 'x'}).status_code == 401
    assert vcf.call('POST', '/v1/tokens', auth=False, json={'username': ADMIN}).status_code == 400


def test_requests_without_or_with_a_forged_token_get_401(vcf):
    assert vcf.call('GET', '/v1/tasks', auth=False).status_code == 401
    header, payload, _signature = vcf.token.split('.')
    forged = '%s.%s.%s' % (header, payload, base64.urlsafe_b64encode(b'x' * 32).rstrip(b'=').decode())
    response = vcf.call('GET', '/v1/tasks', auth=False, headers={'Authorization': 'Bearer ' + forged})
    assert response.status_code == 401
    assert response.json()['errorCode'] == 'INVALID_TOKEN'


def test_access_token_expires_after_its_lifetime_and_refresh_gives_a_new_one(vcf):
    vcf.admin('PUT', '/settings', json={'vcf_access_token_lifetime': 2})
    vcf.login()
    claims = _claims(vcf.token)
    assert claims['exp'] - claims['iat'] <= 3
    assert vcf.call('GET', '/v1/tasks/' + CATALOG.SUCCESSFUL_ID).status_code == 200
    # Wait past exp (no timing assertion: only the outcome matters).
    while time.time() < claims['exp'] + 0.05:
        time.sleep(0.1)
    expired = vcf.call('GET', '/v1/tasks/' + CATALOG.SUCCESSFUL_ID)
    assert expired.status_code == 401
    assert expired.json()['errorCode'] == 'TOKEN_EXPIRED'
    refreshed = vcf.call('PATCH', '/v1/tokens/access-token/refresh', auth=False, json=vcf.refresh_id)
    assert refreshed.status_code == 200
    new_token = refreshed.json()
    assert isinstance(new_token, str) and new_token != vcf.token
    assert _claims(new_token)['exp'] > claims['exp'] - 1
    vcf.token = new_token
    assert vcf.call('GET', '/v1/tasks/' + CATALOG.SUCCESSFUL_ID).status_code == 200


def test_invalidated_refresh_token_can_no_longer_refresh(vcf):
    deleted = vcf.call('DELETE', '/v1/tokens/refresh-token', json=vcf.refresh_id)
    assert deleted.status_code == 204
    again = vcf.call('PATCH', '/v1/tokens/access-token/refresh', auth=False, json=vcf.refresh_id)
    assert again.status_code == 404
    assert vcf.refresh_id in again.json()['message']


def test_admin_token_expiry_makes_existing_tokens_fail(vcf):
    vcf.admin('POST', '/tokens/expire')
    assert vcf.call('GET', '/v1/tasks', params={'pageSize': 1}).status_code == 401
    assert vcf.call('PATCH', '/v1/tokens/access-token/refresh', auth=False, json=vcf.refresh_id).status_code == 404
    vcf.login()
    assert vcf.call('GET', '/v1/tasks', params={'pageSize': 1}).status_code == 200


# -- listing: paging and filters -------------------------------------------------------------------------
def test_paging_is_zero_based_and_walks_every_task_once(vcf):
    first = vcf.tasks(pageSize=100)
    meta = first['pageMetadata']
    assert meta['pageNumber'] == 0 and meta['pageSize'] == 100
    assert meta['totalElements'] >= 250 + 24
    assert meta['totalPages'] == -(-meta['totalElements'] // 100)
    ids = []
    for number in range(meta['totalPages']):
        page = vcf.tasks(pageSize=100, pageNumber=number)
        assert page['pageMetadata']['pageNumber'] == number
        ids.extend(t['id'] for t in page['elements'])
    assert len(ids) == len(set(ids)) == meta['totalElements']
    assert vcf.tasks(pageSize=100, pageNumber=meta['totalPages'])['elements'] == []
    stamps = [t['creationTimestamp'] for t in first['elements']]
    assert stamps == sorted(stamps, reverse=True)


def test_page_size_above_100_is_clamped(vcf):
    page = vcf.tasks(pageSize=500)
    assert page['pageMetadata']['pageSize'] == 100
    assert len(page['elements']) == 100


def test_malformed_paging_parameter_is_a_400_error(vcf):
    response = vcf.call('GET', '/v1/tasks', params={'pageSize': 'ten'})
    assert response.status_code == 400
    assert 'pageSize' in response.json()['message']


def test_order_direction_asc_reverses_the_order(vcf):
    desc = vcf.tasks(pageSize=20)['elements']
    asc = vcf.tasks(pageSize=20, orderDirection='ASC')['elements']
    assert [t['creationTimestamp'] for t in asc] == sorted(t['creationTimestamp'] for t in asc)
    assert asc[0]['creationTimestamp'] < desc[0]['creationTimestamp']
    by_name = vcf.tasks(pageSize=100, orderBy='name', orderDirection='ASC')['elements']
    assert [t['name'] for t in by_name] == sorted(t['name'] for t in by_name)


def test_task_status_filter_matches_both_spellings(vcf):
    failed = vcf.tasks(taskStatus='FAILED', pageSize=100)
    spellings = {t['status'] for t in failed['elements']}
    assert spellings == {'Failed', 'FAILED'}
    assert vcf.tasks(taskStatus='Failed', pageSize=1)['pageMetadata']['totalElements'] == failed['pageMetadata']['totalElements']
    in_progress = vcf.tasks(taskStatus='In Progress')['elements']
    assert [t['id'] for t in in_progress] == [CATALOG.IN_PROGRESS_ID]
    assert vcf.tasks(taskStatus='NO_SUCH_STATUS')['pageMetadata']['totalElements'] == 0


def test_task_type_name_and_resource_filters(vcf):
    upgrades = vcf.tasks(taskType='UPGRADE')['elements']
    assert upgrades and {t['type'] for t in upgrades} == {'UPGRADE'}
    bench = vcf.tasks(taskName='bench remediation')['elements']
    assert len(bench) == CATALOG.BENCH_COUNT
    assert all(t['name'].startswith(CATALOG.BENCH_PREFIX) for t in bench)
    seed = vcf.tasks(resourceId='2478efd9-9882-469f-9d74-629dddf760a0')['elements']
    assert [t['id'] for t in seed] == [CATALOG.SEED_COMMISSION_ID]
    vcenters = vcf.tasks(resourceType='VCENTER', pageSize=100)['elements']
    assert vcenters and all(any(r['type'] == 'VCENTER' for r in t['resources']) for t in vcenters)
    combined = vcf.tasks(taskType='HOST_COMMISSION', taskStatus='FAILED', pageSize=100)['elements']
    assert combined and all(t['type'] == 'HOST_COMMISSION' and t['status'].upper() == 'FAILED' for t in combined)


def test_completed_after_keeps_only_successful_or_failed_tasks_completed_later(vcf):
    cutoff = 1772323200000  # 2026-03-01T00:00:00Z
    tasks = vcf.tasks(completedAfter=cutoff, pageSize=100)['elements']
    assert tasks
    for task in tasks:
        assert task['status'].upper() in ('SUCCESSFUL', 'FAILED')
        assert task['completionTimestamp'] > '2026-03-01T00:00:00'
    assert CATALOG.CANCELLED_ID not in {t['id'] for t in tasks}


def test_credentials_tasks_appear_in_tasks_with_a_credentials_type(vcf):
    rotate = vcf.tasks(taskType='CREDENTIALS_ROTATE')['elements']
    assert {CATALOG.CREDENTIALS_FAILED_ID, CATALOG.SEED_CREDENTIALS_ROTATE_ID} <= {t['id'] for t in rotate}


# -- one task --------------------------------------------------------------------------------------------
def test_seed_task_has_the_reference_sample_facts_and_mixed_case_statuses(vcf):
    task = vcf.task(CATALOG.SEED_COMMISSION_ID)
    assert task['name'] == 'Commissioning host(s) sfo01-w01-esx05.rainpole.io to VMware Cloud Foundation'
    assert task['status'] == 'Failed'
    assert [(s['name'], s['status']) for s in task['subTasks']] == [
        ('HostVibValidationAction', 'SUCCESSFUL'), ('HostMaintenanceModeValidationAction', 'FAILED'),
        ('FetchDnsAndNtpAction', 'PENDING')]
    assert task['errors'][0]['errorCode'] == 'COMMISION_HOST_FAILED'
    assert task['resources'] == [{'resourceId': '2478efd9-9882-469f-9d74-629dddf760a0', 'type': 'HOST'}]
    assert task['resolutionStatus'] == 'UNRESOLVED'
    assert task['isCancellable'] is False and task['isRetryable'] is True
    assert vcf.task(CATALOG.SEED_DOMAIN_CREATION_ID)['status'] == 'FAILED'
    assert vcf.task(CATALOG.IN_PROGRESS_ID)['status'] == 'In Progress'
    assert vcf.task(CATALOG.NOT_RETRYABLE_ID)['isRetryable'] is False


def test_unknown_task_is_404_with_the_error_shape(vcf):
    response = vcf.call('GET', '/v1/tasks/00000000-0000-0000-0000-000000000000')
    assert response.status_code == 404
    assert set(response.json()) >= {'errorCode', 'message', 'referenceToken'}
    assert vcf.call('PATCH', '/v1/tasks/nope').status_code == 404
    assert vcf.call('DELETE', '/v1/tasks/nope').status_code == 404


# -- retry -----------------------------------------------------------------------------------------------
def test_retry_goes_in_progress_then_to_the_scripted_success(vcf):
    task_id = CATALOG.RETRY_SUCCEEDS_ID
    vcf.admin('POST', '/vcf/tasks/%s/outcome' % task_id, json={'retry_seconds': 0.5})
    response = vcf.call('PATCH', '/v1/tasks/' + task_id)
    assert response.status_code == 200 and response.content == b''
    running = vcf.task(task_id)
    assert running['status'] == 'In Progress'
    assert running['isCancellable'] is True and 'completionTimestamp' not in running
    done = vcf.wait_status(task_id, 'Successful')
    assert done['resolutionStatus'] == 'RESOLVED' and done['errors'] == []
    assert {s['status'] for s in done['subTasks']} == {'SUCCESSFUL'}
    assert vcf.admin('GET', '/vcf/tasks/%s/attempts' % task_id)['attempts'] == 1


def test_retry_fails_once_then_succeeds(vcf):
    task_id = CATALOG.RETRY_FAILS_ONCE_ID
    vcf.admin('POST', '/vcf/tasks/%s/outcome' % task_id, json={'retry_seconds': 0.3})
    assert vcf.call('PATCH', '/v1/tasks/' + task_id).status_code == 200
    failed = vcf.wait_status(task_id, 'Failed')
    assert failed['isRetryable'] is True and failed['errors']
    assert vcf.call('PATCH', '/v1/tasks/' + task_id).status_code == 200
    vcf.wait_status(task_id, 'Successful')
    attempts = vcf.admin('GET', '/vcf/tasks/%s/attempts' % task_id)
    assert attempts['attempts'] == 2 and attempts['retry_requests'] == 2


def test_retry_of_a_task_that_has_not_failed_is_409(vcf):
    for task_id in (CATALOG.SUCCESSFUL_ID, CATALOG.IN_PROGRESS_ID, CATALOG.CANCELLED_ID):
        response = vcf.call('PATCH', '/v1/tasks/' + task_id)
        assert response.status_code == 409
        assert response.json()['message'] == 'Task can not be retried. Only a failed Task can be retried.'
    assert vcf.admin('GET', '/vcf/tasks/%s/attempts' % CATALOG.SUCCESSFUL_ID)['retry_requests'] == 1


def test_retry_of_a_non_retryable_task_is_409(vcf):
    response = vcf.call('PATCH', '/v1/tasks/' + CATALOG.NOT_RETRYABLE_ID)
    assert response.status_code == 409
    assert 'not retryable' in response.json()['message']
    assert vcf.task(CATALOG.NOT_RETRYABLE_ID)['status'] == 'Failed'


def test_viewer_may_read_but_not_retry_or_cancel(vcf):
    vcf.login(VIEWER)
    assert vcf.task(CATALOG.SEED_COMMISSION_ID)['status'] == 'Failed'
    assert vcf.call('PATCH', '/v1/tasks/' + CATALOG.SEED_COMMISSION_ID).status_code == 403
    assert vcf.call('DELETE', '/v1/tasks/' + CATALOG.IN_PROGRESS_ID).status_code == 403
    assert vcf.task(CATALOG.SEED_COMMISSION_ID)['status'] == 'Failed'


# -- cancel ----------------------------------------------------------------------------------------------
def test_cancel_only_an_in_progress_task(vcf):
    refused = vcf.call('DELETE', '/v1/tasks/' + CATALOG.SEED_COMMISSION_ID)
    assert refused.status_code == 409
    assert 'Only a IN_PROGRESS task can be cancelled.' in refused.json()['message']
    assert vcf.call('DELETE', '/v1/tasks/' + CATALOG.IN_PROGRESS_ID).status_code == 200
    cancelled = vcf.task(CATALOG.IN_PROGRESS_ID)
    assert cancelled['status'] == 'Cancelled' and cancelled['isCancellable'] is False
    assert 'completionTimestamp' in cancelled
    assert vcf.call('DELETE', '/v1/tasks/' + CATALOG.IN_PROGRESS_ID).status_code == 409


# -- credentials tasks -----------------------------------------------------------------------------------
def test_credentials_task_cannot_be_retried_through_tasks_api(vcf):
    response = vcf.call('PATCH', '/v1/tasks/' + CATALOG.CREDENTIALS_FAILED_ID)
    assert response.status_code == 409
    body = response.json()
    assert 'credentials' in body['message'].lower()
    assert '/v1/credentials/tasks/' in body['remediationMessage']
    assert vcf.task(CATALOG.CREDENTIALS_FAILED_ID)['status'] == 'Failed'


def test_credentials_api_lists_reads_and_retries_with_202(vcf):
    listing = vcf.call('GET', '/v1/credentials/tasks').json()
    ids = {t['id'] for t in listing['elements']}
    assert CATALOG.CREDENTIALS_FAILED_ID in ids and CATALOG.SEED_COMMISSION_ID not in ids
    assert {t['type'] for t in listing['elements']} <= {'ROTATE', 'UPDATE'}
    task = vcf.call('GET', '/v1/credentials/tasks/' + CATALOG.CREDENTIALS_FAILED_ID).json()
    assert task['status'] == 'FAILED' and task['type'] == 'ROTATE'
    assert task['subTasks'][0]['credentialType'] == 'SSH'
    resources = vcf.call('GET', '/v1/credentials/tasks/%s/resource-credentials' % CATALOG.CREDENTIALS_FAILED_ID).json()
    assert resources[0]['resourceName'] == 'sfo-m01-vc01.rainpole.io'
    assert vcf.call('PATCH', '/v1/credentials/tasks/' + CATALOG.CREDENTIALS_FAILED_ID, json={}).status_code == 400
    vcf.admin('POST', '/vcf/tasks/%s/outcome' % CATALOG.CREDENTIALS_FAILED_ID, json={'retry_seconds': 0.3})
    accepted = vcf.call('PATCH', '/v1/credentials/tasks/' + CATALOG.CREDENTIALS_FAILED_ID,
                        json={'operationType': 'ROTATE', 'elements': resources})
    assert accepted.status_code == 202
    assert accepted.json()['id'] == CATALOG.CREDENTIALS_FAILED_ID
    done = vcf.wait_status(CATALOG.CREDENTIALS_FAILED_ID, 'SUCCESSFUL', path='/v1/credentials/tasks/')
    assert {s['status'] for s in done['subTasks']} == {'SUCCESSFUL'}
    assert vcf.task(CATALOG.CREDENTIALS_FAILED_ID)['status'] == 'Successful'


def test_credentials_api_cancels_a_failed_task_and_refuses_other_ids(vcf):
    unknown = vcf.call('GET', '/v1/credentials/tasks/' + CATALOG.SEED_COMMISSION_ID)
    assert unknown.status_code == 400 and unknown.json()['errorCode'] == 'CREDENTIALS_TASK_NOT_FOUND'
    cancelled = vcf.call('DELETE', '/v1/credentials/tasks/' + CATALOG.CREDENTIALS_FAILED_ID)
    assert cancelled.status_code == 202
    assert vcf.call('GET', '/v1/credentials/tasks/' + CATALOG.CREDENTIALS_FAILED_ID).json()['status'] == 'USER_CANCELLED'
    assert vcf.call('DELETE', '/v1/credentials/tasks/' + CATALOG.CREDENTIALS_FAILED_ID).status_code == 400


# -- admin API -------------------------------------------------------------------------------------------
def test_admin_creates_tasks_in_bulk_that_the_api_serves(vcf):
    created = vcf.admin('POST', '/vcf/tasks', json={'count': 30, 'prefix': 'Selector probe', 'type': 'REMEDIATION',
                                                    'outcomes': ['failed']})
    assert created['count'] == 30
    found = vcf.tasks(taskName='Selector probe', pageSize=100)
    assert found['pageMetadata']['totalElements'] == 30
    assert {t['status'] for t in found['elements']} == {'Failed'}
    task_id = created['ids'][0]
    vcf.admin('POST', '/vcf/tasks/%s/outcome' % task_id, json={'retry_seconds': 0.2})
    assert vcf.call('PATCH', '/v1/tasks/' + task_id).status_code == 200
    vcf.wait_status(task_id, 'Failed')


def test_admin_forces_a_status_and_scripts_outcomes(vcf):
    task_id = CATALOG.SUCCESSFUL_ID
    view = vcf.admin('POST', '/vcf/tasks/%s/outcome' % task_id, json={'status': 'Failed', 'outcomes': ['failed', 'successful']})
    assert view['outcomes'] == ['failed', 'successful']
    assert vcf.task(task_id)['status'] == 'Failed'
    vcf.admin('POST', '/vcf/tasks/%s/outcome' % task_id, json={'status': 'In Progress', 'seconds': 0.2, 'outcome': 'successful'})
    vcf.wait_status(task_id, 'Successful')
    bad = vcf.http.post(vcf.url + '/_sim/vcf/tasks/%s/outcome' % task_id, json={'outcomes': ['maybe']},
                        headers={'X-Sim-Admin-Token': vcf.sim.admin_token})
    assert bad.status_code == 400


def test_unknown_paths_and_methods_answer_with_the_error_shape(vcf):
    missing = vcf.call('GET', '/v1/no-such-thing')
    assert missing.status_code == 404 and missing.json()['errorCode'] == 'RESOURCE_NOT_FOUND'
    wrong = vcf.call('PUT', '/v1/tasks/' + CATALOG.SEED_COMMISSION_ID)
    assert wrong.status_code == 405
    assert set(wrong.headers['Allow'].split(', ')) == {'GET', 'PATCH', 'DELETE'}


# -- persistence -----------------------------------------------------------------------------------------
def test_restart_with_the_same_data_dir_keeps_tokens_and_continues_a_retry(tmp_path):
    first = Simulator(tls=True, data_dir=str(tmp_path)).start()  # stopped here, so not through make_sim
    try:
        client = Vcf(first).login()
        client.admin('POST', '/vcf/tasks/%s/outcome' % CATALOG.RETRY_SUCCEEDS_ID, json={'retry_seconds': 1.5})
        assert client.call('PATCH', '/v1/tasks/' + CATALOG.RETRY_SUCCEEDS_ID).status_code == 200
        token, refresh_id = client.token, client.refresh_id
    finally:
        first.stop()
    second = Simulator(tls=True, data_dir=str(tmp_path)).start()
    try:
        client = Vcf(second)
        client.token = token
        task = client.task(CATALOG.RETRY_SUCCEEDS_ID)
        assert task['status'] in ('In Progress', 'Successful')
        client.wait_status(CATALOG.RETRY_SUCCEEDS_ID, 'Successful')
        assert client.admin('GET', '/vcf/tasks/%s/attempts' % CATALOG.RETRY_SUCCEEDS_ID)['attempts'] == 1
        assert client.call('PATCH', '/v1/tokens/access-token/refresh', auth=False, json=refresh_id).status_code == 200
        assert client.tasks(pageSize=1)['pageMetadata']['totalElements'] >= 250
    finally:
        second.stop()


def test_catalog_file_adds_vcf_tasks_with_scripted_outcomes(tmp_path):
    catalog = tmp_path / 'catalog.yml'
    catalog.write_text(
        'vcf_tasks:\n'
        '  - id: 11111111-2222-4333-8444-555555555555\n'
        '    name: Expand cluster sfo-w01-cl01\n'
        '    type: CLUSTER_EXPANSION\n'
        '    status: FAILED\n'
        '    outcomes: [failed, successful]\n'
        '    retry_seconds: 0.2\n'
        '    subtasks: [{name: AddHostAction, status: FAILED}]\n'
        '    errors: [{errorCode: HOST_UNREACHABLE, message: host sfo01-w01-esx12 is unreachable}]\n'
        '    resources: [{resourceId: 9a9a9a9a-0000-4000-8000-000000000001, type: CLUSTER, name: sfo-w01-cl01}]\n'
        '  - {name: Stuck upgrade, type: UPGRADE, status: In Progress}\n', encoding='utf-8')
    server = Simulator(tls=True, data_dir=str(tmp_path / 'data'), catalog=str(catalog)).start()
    try:
        client = Vcf(server).login()
        task_id = '11111111-2222-4333-8444-555555555555'
        task = client.task(task_id)
        assert task['status'] == 'FAILED' and task['errors'][0]['errorCode'] == 'HOST_UNREACHABLE'
        assert task['subTasks'][0]['description'] == 'AddHostAction'
        assert client.call('PATCH', '/v1/tasks/' + task_id).status_code == 200
        client.wait_status(task_id, 'Failed')
        assert client.call('PATCH', '/v1/tasks/' + task_id).status_code == 200
        client.wait_status(task_id, 'Successful')
        stuck = client.tasks(taskName='Stuck upgrade')['elements']
        assert len(stuck) == 1 and stuck[0]['status'] == 'In Progress' and stuck[0]['isCancellable'] is True
    finally:
        server.stop()
