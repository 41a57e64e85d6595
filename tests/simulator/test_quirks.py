"""Named quirks (simulator/quirks.py): the machinery, and each quirk's behaviour over real HTTPS."""

from __future__ import annotations

import base64
import json
import pathlib
import subprocess
import sys
import time

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from simulator import quirks, vcf_catalog  # noqa: E402  pylint: disable=wrong-import-position

VCF_ADMIN = 'administrator@vsphere.local'


class Http:
    """Admin and product calls on one simulator."""

    def __init__(self, sim):
        self.sim = sim
        self.http = requests.Session()
        self.http.trust_env = False
        self.http.verify = sim.ca_path
        self.token = None

    def admin(self, method, path, expect=200, **kwargs):
        response = self.http.request(method, self.sim.url + '/_sim/' + path, headers={'X-Sim-Admin-Token': self.sim.admin_token},
                                     timeout=30, **kwargs)
        assert response.status_code == expect, response.text
        return response.json() if response.content else None

    def quirks(self, *names):
        return self.admin('PUT', 'settings', json={'quirks': list(names)})

    def vcf(self, method, path, **kwargs):
        if self.token is None:
            password = self.sim.users['vcf'][VCF_ADMIN]['password']
            self.token = self.http.post(self.sim.url + '/v1/tokens', json={'username': VCF_ADMIN, 'password': password},
                                        timeout=30).json()['accessToken']
        return self.http.request(method, self.sim.url + '/v1' + path, headers={'Authorization': 'Bearer ' + self.token},
                                 timeout=30, **kwargs)

    def tasks(self, **params):
        response = self.vcf('GET', '/tasks', params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def ico(self, method, path, user='admin', **kwargs):
        entry = self.sim.users['ico'][user]
        auth = base64.b64encode(('%s:%s' % (user, entry['password'])).encode()).decode()
        headers = {'Authorization': 'Basic ' + auth, 'domainName': entry['domain'], 'projectName': entry['project']}
        headers.update(kwargs.pop('headers', {}))
        return self.http.request(method, self.sim.url + '/orchestrator/v2' + path, headers=headers, timeout=30, **kwargs)


@pytest.fixture
def http(fresh_sim):
    client = Http(fresh_sim)
    yield client
    client.http.close()


# -- machinery -------------------------------------------------------------------------------------------
def test_parse_names_all_values_and_unknown_names():
    assert quirks.parse(['vcf-status-exact']) == (['vcf-status-exact'], {})
    names, values = quirks.parse(['all', 'vcf-retry-lag=4.5'])
    assert set(names) == set(quirks.KNOWN) - set(quirks.NOT_IN_ALL)
    assert values == {'vcf_retry_lag_seconds': 4.5}
    for bad in (['no-such-quirk'], ['vcf-status-exact=1'], ['vcf-retry-lag=soon']):
        with pytest.raises(quirks.QuirkError):
            quirks.parse(bad)


def test_settings_api_sets_lists_and_refuses_unknown_quirks(http):
    assert http.admin('GET', 'settings')['quirks'] == []
    assert http.quirks('vcf-status-exact', 'ico-item-wrapped')['quirks'] == ['ico-item-wrapped', 'vcf-status-exact']
    listed = http.admin('GET', 'quirks')
    assert listed['enabled'] == ['ico-item-wrapped', 'vcf-status-exact']
    assert set(listed['known']) == set(quirks.KNOWN) and all(listed['known'].values())
    refused = http.admin('PUT', 'settings', expect=400, json={'quirks': ['vcf-nonsense']})
    assert 'unknown quirk' in refused['message']
    # The admin token guards this route like every /_sim route.
    assert requests.get(http.sim.url + '/_sim/quirks', verify=http.sim.ca_path, timeout=30).status_code == 401
    http.admin('POST', 'reset', json={'settings': True})
    assert http.admin('GET', 'settings')['quirks'] == []


def test_a_settings_reset_restores_the_start_up_vro_version(http):
    # A test that switches the flavour at run time must not leave it for the next one (the session simulator is shared).
    start = http.admin('GET', 'settings')['vro_version']
    other = '7.6' if start.startswith('8') else '8.18'
    http.admin('PUT', 'settings', json={'vro_version': other})
    assert http.admin('GET', 'settings')['vro_version'] == other
    http.admin('POST', 'reset', json={'settings': True})
    assert http.admin('GET', 'settings')['vro_version'] == start


def test_command_line_quirks_are_in_the_first_line_and_survive_a_settings_reset(tmp_path):
    command = [sys.executable, '-m', 'simulator', '--no-tls', '--data-dir', str(tmp_path / 'd'),
               '--quirk', 'vcf-status-exact', '--quirk', 'vcf-retry-lag=3']
    proc = subprocess.Popen(command, cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = json.loads(proc.stdout.readline())
        assert first['quirks'] == ['vcf-retry-lag', 'vcf-status-exact']
        headers = {'X-Sim-Admin-Token': first['admin_token']}
        requests.post(first['url'] + '/_sim/reset', json={'settings': True}, headers=headers, timeout=30)
        settings = requests.get(first['url'] + '/_sim/settings', headers=headers, timeout=30).json()
        assert settings['quirks'] == ['vcf-retry-lag', 'vcf-status-exact'] and settings['vcf_retry_lag_seconds'] == 3
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    refused = subprocess.run([sys.executable, '-m', 'simulator', '--quirk', 'bogus'], cwd=str(ROOT), capture_output=True,
                             text=True, timeout=60, check=False)
    assert refused.returncode == 2 and 'unknown quirk' in refused.stderr


# -- VCF -------------------------------------------------------------------------------------------------
def test_vcf_status_exact_matches_only_the_spelling_sent(http):
    both = http.tasks(taskStatus='FAILED', pageSize=100)['pageMetadata']['totalElements']
    http.quirks('vcf-status-exact')
    upper = http.tasks(taskStatus='FAILED', pageSize=100)
    title = http.tasks(taskStatus='Failed', pageSize=100)
    assert {t['status'] for t in upper['elements']} == {'FAILED'}
    assert {t['status'] for t in title['elements']} == {'Failed'}
    assert upper['pageMetadata']['totalElements'] + title['pageMetadata']['totalElements'] == both
    assert http.tasks(taskStatus='IN_PROGRESS')['elements'] == []
    assert [t['id'] for t in http.tasks(taskStatus='In Progress')['elements']] == [vcf_catalog.IN_PROGRESS_ID]


def test_vcf_task_fields_omitted_leaves_out_the_optional_fields_as_the_4_4_samples(http):
    """The 4.4 reference's samples: a Failed task without completionTimestamp nor isRetryable (completedAfter cannot list
    it then); subTasks, errors and resources left out when empty."""
    failed = http.tasks(taskStatus='FAILED', pageSize=100)['elements']
    seed = http.vcf('GET', '/tasks/' + vcf_catalog.SEED_COMMISSION_ID).json()
    assert 'completionTimestamp' in seed and 'isRetryable' in seed
    listed_before = http.tasks(completedAfter=0, pageSize=100)['pageMetadata']['totalElements']
    http.quirks('vcf-task-fields-omitted')
    sparse = http.vcf('GET', '/tasks/' + vcf_catalog.SEED_COMMISSION_ID).json()
    assert 'completionTimestamp' not in sparse and 'isRetryable' not in sparse
    assert {k: v for k, v in seed.items() if k not in ('completionTimestamp', 'isRetryable')} == sparse
    for task in http.tasks(pageSize=100)['elements']:
        assert 'isRetryable' not in task
        assert all(task[key] for key in ('subTasks', 'errors', 'resources') if key in task), task
        if task['status'].upper() == 'FAILED':
            assert 'completionTimestamp' not in task
    # A task that completed otherwise keeps its completion time; completedAfter lists no failed task.
    done = http.tasks(completedAfter=0, pageSize=100)
    assert done['elements'] and all(t['status'].upper() == 'SUCCESSFUL' and t['completionTimestamp'] for t in done['elements'])
    assert done['pageMetadata']['totalElements'] == listed_before - len(failed)
    # Still listed by status, and still retryable.
    assert {t['id'] for t in http.tasks(taskStatus='FAILED', pageSize=100)['elements']} == {t['id'] for t in failed}
    assert http.vcf('PATCH', '/tasks/' + vcf_catalog.RETRY_SUCCEEDS_ID).status_code == 200


def test_vcf_expired_token_403_answers_an_expired_token_with_403(http):
    assert http.vcf('GET', '/tasks/' + vcf_catalog.SEED_COMMISSION_ID).status_code == 200
    http.admin('POST', 'tokens/expire')
    assert http.vcf('GET', '/tasks/' + vcf_catalog.SEED_COMMISSION_ID).status_code == 401
    http.quirks('vcf-expired-token-403')
    expired = http.vcf('GET', '/tasks/' + vcf_catalog.SEED_COMMISSION_ID)
    assert expired.status_code == 403 and expired.json()['errorCode'] == 'TOKEN_EXPIRED'
    # A forged token is still a 401: only expiry changes.
    http.token = http.token[:-4] + 'AAAA'
    assert http.vcf('GET', '/tasks/' + vcf_catalog.SEED_COMMISSION_ID).status_code == 401


def test_vcf_paging_one_based_counts_pages_from_one(http):
    total = http.tasks(pageSize=100)['pageMetadata']['totalElements']
    http.quirks('vcf-paging-one-based')
    first = http.tasks(pageSize=100)
    assert first['pageMetadata']['pageNumber'] == 1
    assert http.tasks(pageSize=100, pageNumber=0)['elements'] == first['elements']
    ids = []
    for number in range(1, first['pageMetadata']['totalPages'] + 1):
        page = http.tasks(pageSize=100, pageNumber=number)
        assert page['pageMetadata']['pageNumber'] == number
        ids.extend(t['id'] for t in page['elements'])
    assert len(ids) == len(set(ids)) == total


def test_vcf_paging_ignored_answers_everything_at_once(http):
    total = http.tasks(pageSize=100)['pageMetadata']['totalElements']
    assert total > 100
    http.quirks('vcf-paging-ignored')
    page = http.tasks(pageSize=100, pageNumber=2)
    assert len(page['elements']) == total
    assert page['pageMetadata'] == {'pageNumber': 0, 'pageSize': total, 'totalElements': total, 'totalPages': 1}


def test_vcf_retry_lag_keeps_the_failed_state_then_runs(http):
    task_id = vcf_catalog.RETRY_SUCCEEDS_ID
    http.quirks('vcf-retry-lag')
    http.admin('PUT', 'settings', json={'vcf_retry_lag_seconds': 1.0})
    http.admin('POST', 'vcf/tasks/%s/outcome' % task_id, json={'retry_seconds': 0.3})
    before = http.vcf('GET', '/tasks/' + task_id).json()
    assert http.vcf('PATCH', '/tasks/' + task_id).status_code == 200
    during = http.vcf('GET', '/tasks/' + task_id).json()
    assert during == before  # same status, errors and completionTimestamp: no sign of the retry yet
    deadline = time.monotonic() + 30
    seen = set()
    while time.monotonic() < deadline:
        status = http.vcf('GET', '/tasks/' + task_id).json()['status']
        seen.add(status)
        if status == 'Successful':
            break
        time.sleep(0.05)
    assert 'Successful' in seen and 'Failed' in seen
    assert http.admin('GET', 'vcf/tasks/%s/attempts' % task_id)['retry_requests'] == 1


CREDENTIALS_UPDATE = {'name': 'Credentials update operation', 'type': 'CREDENTIALS_UPDATE', 'status': 'Failed',
                      'credentials': True, 'outcomes': ['successful'],
                      'subtasks': [{'name': 'sfo01-m01-esx01.rainpole.io:SSH', 'status': 'FAILED',
                                    'resourceName': 'sfo01-m01-esx01.rainpole.io', 'credentialType': 'SSH',
                                    'username': 'root', 'entityType': 'ESXI'}]}


def test_vcf_credentials_update_retry_needs_the_new_passwords(http):
    task_id = http.admin('POST', 'vcf/tasks', expect=201, json={'tasks': [CREDENTIALS_UPDATE]})['ids'][0]
    element = {'resourceName': 'sfo01-m01-esx01.rainpole.io', 'resourceType': 'ESXI',
               'credentials': [{'credentialType': 'SSH', 'username': 'root'}]}
    refused = http.vcf('PATCH', '/credentials/tasks/' + task_id, json={'operationType': 'UPDATE', 'elements': [element]})
    assert refused.status_code == 400 and 'password' in refused.json()['message']
    assert http.vcf('PATCH', '/credentials/tasks/' + task_id,
                    json={'operationType': 'UPDATE', 'elements': []}).status_code == 400
    element['credentials'][0]['password'] = 'N3w-Passw0rd!x'
    accepted = http.vcf('PATCH', '/credentials/tasks/' + task_id, json={'operationType': 'UPDATE', 'elements': [element]})
    assert accepted.status_code == 202 and 'N3w-Passw0rd!x' not in accepted.text
    # ROTATE needs no password.
    rotate = http.vcf('PATCH', '/credentials/tasks/' + vcf_catalog.CREDENTIALS_FAILED_ID,
                      json={'operationType': 'ROTATE', 'elements': [dict(element, credentials=[{'username': 'root'}])]})
    assert rotate.status_code == 202


# -- ICO -------------------------------------------------------------------------------------------------
def _ico_ok(http, path, user='admin', **kwargs):
    response = http.ico('GET', path, user=user, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def test_ico_tasks_paged_answers_pages_of_the_other_collections(http):
    every = [t['id'] for t in _ico_ok(http, '/tasks')]
    made = http.admin('POST', 'ico/tasks', expect=201, json={'count': 14, 'parm': {'job': 'paged'}})
    assert made['count'] == 14 and len(set(made['ids'])) == 14
    every += made['ids']
    assert [t['id'] for t in _ico_ok(http, '/tasks')] == every  # default: one plain array
    finance = [t['id'] for t in _ico_ok(http, '/tasks', user='alice')]
    http.quirks('ico-tasks-paged')
    first = _ico_ok(http, '/tasks')
    assert isinstance(first, dict) and set(first) == {'href', 'start', 'limit', 'total', 'first', 'previous', 'next', 'last',
                                                      'items'}
    assert (first['start'], first['limit'], first['total'], first['previous']) == (0, 10, len(every), None)
    assert [t['id'] for t in first['items']] == every[:10]
    base = http.sim.url + '/orchestrator/v2/tasks'
    assert first['next'] == base + '?_start=10&_limit=10' and first['first'] == base + '?_start=0&_limit=10'
    assert first['last'] == base + '?_start=%d&_limit=10' % ((len(every) - 1) // 10 * 10)
    # Following next page by page reads every task exactly once.
    ids, url = [t['id'] for t in first['items']], first['next']
    while url:
        assert url.startswith(base + '?')
        page = _ico_ok(http, '/tasks?' + url.split('?', 1)[1])
        ids.extend(t['id'] for t in page['items'])
        url = page['next']
    assert ids == every
    # _start/_limit are honoured; the last page has no next.
    page = _ico_ok(http, '/tasks', params={'_start': 20, '_limit': 5})
    assert [t['id'] for t in page['items']] == every[20:25] and page['previous'] == base + '?_start=15&_limit=5'
    assert page['next'] is None and page['total'] == len(every)
    assert http.ico('GET', '/tasks', params={'_start': -1}).status_code == 400
    # Scoping and the other quirks still apply: a member sees only the project's tasks, wrapped under ico-item-wrapped.
    alice = _ico_ok(http, '/tasks', user='alice')
    assert alice['total'] == len(finance) and [t['id'] for t in alice['items']] == finance
    http.quirks('ico-tasks-paged', 'ico-item-wrapped')
    wrapped = _ico_ok(http, '/tasks', params={'_limit': 3})
    assert [t['item']['id'] for t in wrapped['items']] == every[:3]


def test_ico_admin_route_creates_tasks_as_given(http):
    entry = {'id': '7001', 'project': 'engineering', 'user': 'bob', 'status': 'FAILED'}
    made = http.admin('POST', 'ico/tasks', expect=201, json={'tasks': [entry]})
    assert made == {'ids': ['7001'], 'count': 1}
    task = _ico_ok(http, '/tasks/7001', user='bob')
    assert (task['project'], task['user'], task['status']) == ('engineering', 'bob', 'FAILED')
    for bad in ({'count': 0}, {'tasks': 'x'}, {'tasks': [{'delayInSeconds': -1}]}):
        http.admin('POST', 'ico/tasks', expect=400, json=bad)


def test_ico_secrets_masked_on_read_hides_secret_values_in_every_answer_and_keeps_them(http):
    parm = {'job': 'masked', 'password': 'Pa55-word!', 'nested': {'apiKey': 'k-123456'}, 'list': [{'token': 't-654321'}],
            'note': 'not a secret'}
    body = {'name': 'masked-on-read', 'eventTopic': 'topic/masked', 'parm': parm}
    made = http.ico('POST', '/tasks', json=body)
    assert made.status_code in (200, 201), made.text
    task_id = made.json()['id']
    # default reading: shown as sent
    assert _ico_ok(http, '/tasks/%s' % task_id)['parm'] == parm
    http.quirks('ico-secrets-masked-on-read')
    shown = _ico_ok(http, '/tasks/%s' % task_id)['parm']
    assert shown['password'] == shown['nested']['apiKey'] == shown['list'][0]['token'] == '********'
    assert shown['job'] == 'masked' and shown['note'] == 'not a secret'
    listed = [t for t in _ico_ok(http, '/tasks') if t['id'] == task_id]
    assert listed and 'Pa55-word!' not in json.dumps(listed)
    # the task keeps the real values (the admin view), and the default reading shows them again
    assert http.admin('GET', 'ico/tasks/%s' % task_id)['parm'] == parm
    http.quirks()
    assert _ico_ok(http, '/tasks/%s' % task_id)['parm'] == parm
