# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blind audit of vcf_task_info and vcf_task_retry against an independent SDDC Manager fake.

The fake below was written from public evidence only, before reading the simulator or the modules' code:

- VCF 9.0 OpenAPI (``/v1/tokens`` answers 201 with a TokenPair; ``PATCH /v1/tokens/access-token/refresh`` takes the
  refresh token id as its body and answers the access token as a string; ``PATCH /v1/tasks/{id}`` answers 200 with no
  body, or 409/404 with an ``Error``; ``PageOfTask`` with ``pageMetadata``; task times are strings);
- the VCF 4.4 API reference sample (seeds/vcf-4.4-tasks-api.txt): a list answer without ``pageMetadata``, a top-level
  ``Failed`` over upper-case sub-task statuses, a task without ``completionTimestamp`` nor ``isRetryable``;
- VMware's PowerVCF (vmware/powershell-module-for-vmware-cloud-foundation, PowerVCF.psm1 ``checkVCFToken``): the
  refresh token id is sent as the raw request body (no JSON quotes) and the answer is taken as the token itself;
  ``Get-VCFTask`` reads ``GET /v1/tasks`` without any paging parameter;
- terraform-provider-vcf (internal/api_client/task_tracker.go): statuses ``In Progress``, ``IN_PROGRESS``,
  ``Pending``, ``Failed``, ``Cancelled``; tasks may come without ``subTasks``; the provider logs in again because
  calls fail with 401 once the token expires;
- vmware/vcf-sdk-python (sddc-manager-samples/common/helper.py): a retried task may still read ``Failed`` a while.

A Spring controller that takes ``@RequestBody String`` and returns a ``String`` reads and writes the raw text, so the
refresh answer may be the bare JWT (not JSON-quoted) and the refresh request body may need to be the bare id: the
fake can play both forms.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest

from _harness import LocalHttpServer, run_playbook, write_playbook

USER = 'administrator@vsphere.local'
PASSWORD = 'S3cret-VCF-pass!w0rd'
REFRESH_ID = 'a7b2c9d4-0000-4c1e-9d8f-refresh00001'


def jwt(exp_in=3600):
    """A token that looks like SDDC Manager's (a JWT with ``exp``), unique per call."""
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b'=').decode()
    now = int(time.time())
    return '%s.%s.%s' % (part({'alg': 'HS256', 'typ': 'JWT'}),
                         part({'sub': USER, 'iat': now, 'exp': now + exp_in, 'jti': str(uuid.uuid4())}),
                         uuid.uuid4().hex)


def iso_ms(text):
    return int(datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def error_body(code, message, remediation=None, reference='REF-%s' % uuid.uuid4().hex[:6].upper(), nested=None):
    body = {'errorCode': code, 'errorType': 'ERROR', 'arguments': [], 'context': {}, 'message': message,
            'causes': [], 'referenceToken': reference}
    if remediation:
        body['remediationMessage'] = remediation
    if nested:
        body['nestedErrors'] = nested
    return body


SEED_LIST = [{
    'id': '9d63e8b9-fa17-4465-912a-69aa1f2a2840',
    'name': 'Commissioning host(s) sfo01-w01-esx05.rainpole.io to VMware Cloud Foundation',
    'status': 'Failed',
    'creationTimestamp': '2019-06-20T12:03:18.890Z',
    'subTasks': [
        {'name': 'HostVibValidationAction', 'description': 'Validate the hosts for any disallowed VIBS',
         'status': 'SUCCESSFUL', 'creationTimestamp': '2019-06-20T12:03:18.890Z'},
        {'name': 'HostMaintenanceModeValidationAction',
         'description': 'Verifies that none of the hosts are in maintenance mode',
         'status': 'FAILED', 'creationTimestamp': '2019-06-20T12:03:18.890Z'},
        {'name': 'FetchDnsAndNtpAction', 'description': 'Fetches DNS \\u0026 NTP IPs', 'status': 'PENDING',
         'creationTimestamp': '2019-06-20T12:03:18.890Z'}],
    'errors': [{'errorCode': 'COMMISION_HOST_FAILED', 'errorType': 'ERROR',
                'message': 'Failed to Commissioning host(s) sfo01-w01-esx05.rainpole.io to VMware Cloud Foundation',
                'causes': []}],
    'resources': [{'resourceId': '2478efd9-9882-469f-9d74-629dddf760a0', 'type': 'HOST'}],
    'resolutionStatus': 'UNRESOLVED',
    'isCancellable': False,
}, {
    'id': '4d3736c1-7345-4c20-a778-5e46f9715036',
    'name': 'Credentials rotate operation',
    'status': 'Successful',
    'creationTimestamp': '2019-06-20T12:03:18.890Z',
    'subTasks': [{'name': 'sfo-vcf01.rainpole.io:FTP',
                  'description': 'Password rotate for sfo-vcf01.rainpole.io and credential type FTP',
                  'status': 'SUCCESSFUL', 'creationTimestamp': '2019-06-20T12:03:18.890Z'}],
    'errors': [],
    'resources': [{'resourceId': 'd8c1f4a4-bfdf-4889-a2dc-e486cf598337', 'type': 'HOST'}],
    'resolutionStatus': 'UNRESOLVED',
    'isCancellable': False,
}]

SEED_ONE = {
    'id': '55831ff0-76fe-4944-9682-d73d9612a02e',
    'name': 'Vi workload Domain Creation',
    'status': 'FAILED',
    'creationTimestamp': '1970-01-20T01:47:10.561Z',
    'subTasks': SEED_LIST[0]['subTasks'],
    'errors': [],
    'resources': [{'resourceId': '3ed1aedb-6f54-4d38-93d4-fb4d16a7c6f5', 'type': 'HOST'}],
    'resolutionStatus': 'UNRESOLVED',
    'isCancellable': False,
}


def failed_task(task_id, name='Add cluster', completed='2026-03-02T10:00:02.450Z', **extra):
    task = {
        'id': task_id, 'name': name, 'type': 'CLUSTER_CREATE', 'status': 'Failed',
        'creationTimestamp': '2026-03-02T09:58:00.120Z', 'completionTimestamp': completed,
        'subTasks': [
            {'name': 'ValidateClusterSpec', 'description': 'Validate', 'status': 'SUCCESSFUL',
             'creationTimestamp': '2026-03-02T09:58:00.120Z'},
            {'name': 'ConfigureVsanDatastoreAction', 'description': 'Configure vSAN', 'status': 'FAILED',
             'creationTimestamp': '2026-03-02T09:59:00.120Z',
             'errors': [{'errorCode': 'VSAN_CONFIG_FAILED', 'message': 'vSAN datastore configuration failed',
                         'remediationMessage': 'Check the disk groups', 'referenceToken': 'SUB123'}]}],
        'errors': [error_body('CLUSTER_CREATE_FAILED', 'Failed to add cluster', 'Retry the task', 'ABC123',
                              nested=[error_body('HOST_UNREACHABLE', 'Host esx05 unreachable', None, 'NEST99')])],
        'resources': [{'resourceId': 'c1', 'type': 'CLUSTER', 'name': 'cl01'}],
        'resolutionStatus': 'UNRESOLVED', 'isCancellable': False, 'isRetryable': True,
    }
    task.update(extra)
    return task


class FakeSddcManager(LocalHttpServer):
    """An SDDC Manager as the public evidence allows it to behave; ``options`` choose the open readings.

    options:
      token_status: 200 or 201 (POST /v1/tokens)
      refresh_answer: 'json' (a JSON string) or 'raw' (the bare token, as Spring writes a String)
      refresh_body: 'any', 'raw' (only the bare id is understood) or 'json' (only a JSON string)
      token_uses: answer 401 once a token was used this many times (None: never expires)
      paging: 'meta' (pageMetadata, pageNumber from page_base), 'none' (all elements, no pageMetadata, paging
              parameters ignored)
      page_base: 0 or 1
      status_filter: 'exact' (taskStatus compared exactly), 'ci' (any case)
      retry_status: status of a successful PATCH (200, 202, 204)
      retry_lost: drop the connection after applying the retry, without an answer
      retry_lag: reads of a retried task that still show its old failure
      after_retry: list of statuses the task goes through after a retry (one per read), the last one stays
    """

    def __init__(self, tasks=(), **options):
        self.options = dict(token_status=201, refresh_answer='raw', refresh_body='any', token_uses=None,
                            paging='meta', page_base=0, status_filter='exact', retry_status=200, retry_lost=False,
                            retry_lag=0, refresh_expired=False, expired_status=401, after_retry=('In Progress', 'Successful'), retry_409=False)
        self.options.update(options)
        self.tasks = {task['id']: json.loads(json.dumps(task)) for task in tasks}
        self.order = [task['id'] for task in tasks]
        self.log = []
        self.lock = threading.Lock()
        self.tokens = {}          # token -> uses
        self.retry_state = {}     # task id -> {'lag': n, 'steps': [...]}
        self.patches = []
        self.credential_tasks = {}
        self.credential_patches = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):  # quiet
                return

            def _body(self):
                length = int(self.headers.get('Content-Length') or 0)
                return self.rfile.read(length) if length else b''

            def _send(self, status, body=None, raw=None, ctype='application/json'):
                data = raw if raw is not None else (b'' if body is None else json.dumps(body).encode())
                self.send_response(status)
                if data or status not in (204,):
                    self.send_header('Content-Type', ctype)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                if data:
                    self.wfile.write(data)

            def _authorised(self):
                auth = self.headers.get('Authorization') or ''
                token = auth[7:] if auth.startswith('Bearer ') else None
                with fake.lock:
                    if token not in fake.tokens:
                        return False
                    fake.tokens[token] += 1
                    limit = fake.options['token_uses']
                    return limit is None or fake.tokens[token] <= limit

            def _handle(self, method):
                url = urlsplit(self.path)
                body = self._body()
                query = parse_qs(url.query)
                with fake.lock:
                    fake.log.append({'method': method, 'path': url.path, 'query': query, 'body': body.decode('utf-8', 'replace'),
                                     'auth': self.headers.get('Authorization')})
                if url.path == '/v1/tokens' and method == 'POST':
                    try:
                        spec = json.loads(body or b'{}')
                    except ValueError:
                        spec = {}
                    if spec.get('username') != USER or spec.get('password') != PASSWORD:
                        return self._send(400, error_body('INVALID_CREDENTIALS', 'Invalid credentials'))
                    token = jwt()
                    with fake.lock:
                        fake.tokens[token] = 0
                    return self._send(fake.options['token_status'], {'accessToken': token, 'refreshToken': {'id': REFRESH_ID}})
                if url.path == '/v1/tokens/access-token/refresh' and method == 'PATCH':
                    text = body.decode('utf-8', 'replace').strip()
                    form = fake.options['refresh_body']
                    ok = (text == REFRESH_ID and form in ('any', 'raw')) or (text == json.dumps(REFRESH_ID) and form in ('any', 'json'))
                    if not ok or fake.options['refresh_expired']:
                        return self._send(404, error_body('REFRESH_TOKEN_NOT_FOUND', 'Refresh token not found'))
                    token = jwt()
                    with fake.lock:
                        fake.tokens[token] = 0
                    if fake.options['refresh_answer'] == 'raw':
                        return self._send(200, raw=token.encode())
                    return self._send(200, token)
                if not self._authorised():
                    return self._send(fake.options['expired_status'], error_body('UNAUTHORIZED', 'Access token expired or invalid'))
                if url.path in ('/v1/tasks', '/v1/tasks/') and method == 'GET':
                    return self._list(query)
                if url.path.startswith('/v1/credentials/tasks/'):
                    task_id = url.path[len('/v1/credentials/tasks/'):]
                    with fake.lock:
                        task = fake.credential_tasks.get(task_id)
                        if method == 'PATCH':
                            fake.credential_patches.append((task_id, body.decode('utf-8', 'replace')))
                            if task is not None:
                                task['status'] = 'IN_PROGRESS'
                    if task is None:
                        return self._send(400, error_body('CREDENTIALS_TASK_NOT_FOUND', 'Credentials task not found'))
                    if method == 'GET':
                        return self._send(200, task)
                    if method == 'PATCH':
                        return self._send(202)
                if url.path.startswith('/v1/tasks/'):
                    task_id = url.path[len('/v1/tasks/'):]
                    if method == 'GET':
                        return self._get(task_id)
                    if method == 'PATCH':
                        return self._retry(task_id)
                return self._send(404, error_body('NOT_FOUND', 'No such resource %s' % url.path))

            def _list(self, query):
                with fake.lock:
                    tasks = [fake.view(task_id, advance=True) for task_id in fake.order]
                after = (query.get('completedAfter') or [None])[0]
                if after is not None:
                    # the spec: "A task is completed if its status is 'Successful' or 'Failed'"
                    tasks = [t for t in tasks if t.get('completionTimestamp') and t['status'].upper() in ('SUCCESSFUL', 'FAILED')
                             and iso_ms(t['completionTimestamp']) > int(after)]
                status = (query.get('taskStatus') or [None])[0]
                if status:
                    if fake.options['status_filter'] == 'exact':
                        tasks = [t for t in tasks if t['status'] == status]
                    else:
                        tasks = [t for t in tasks if t['status'].upper().replace(' ', '_') == status.upper().replace(' ', '_')]
                for key, field in (('taskType', 'type'),):
                    if query.get(key):
                        tasks = [t for t in tasks if t.get(field) == query[key][0]]
                if fake.options['paging'] == 'none':
                    return self._send(200, {'elements': tasks})
                size = min(int((query.get('pageSize') or ['20'])[0]), 100)
                base = fake.options['page_base']
                number = int((query.get('pageNumber') or [str(base)])[0])
                start = (number - base) * size
                page = tasks[start:start + size] if start >= 0 else []
                total_pages = (len(tasks) + size - 1) // size
                return self._send(200, {'elements': page, 'pageMetadata': {
                    'pageNumber': number, 'pageSize': size, 'totalElements': len(tasks), 'totalPages': total_pages}})

            def _get(self, task_id):
                with fake.lock:
                    if task_id not in fake.tasks:
                        found = None
                    else:
                        found = fake.view(task_id, advance=True)
                if found is None:
                    return self._send(404, error_body('TASK_NOT_FOUND', 'Task %s not found' % task_id))
                return self._send(200, found)

            def _retry(self, task_id):
                with fake.lock:
                    fake.patches.append(task_id)
                    task = fake.tasks.get(task_id)
                    if task is None:
                        missing = True
                    else:
                        missing = False
                        retryable = task['status'].upper() == 'FAILED' and task_id not in fake.retry_state
                        if retryable and not fake.options['retry_409']:
                            fake.retry_state[task_id] = {'lag': fake.options['retry_lag'], 'steps': list(fake.options['after_retry'])}
                if missing:
                    return self._send(404, error_body('TASK_NOT_FOUND', 'Task %s not found' % task_id))
                if not retryable or fake.options['retry_409']:
                    return self._send(409, error_body('TASK_CANNOT_BE_RETRIED',
                                                      'Task can not be retried. Only a failed Task can be retried.',
                                                      'Check the task status before retrying it', 'RETRY409'))
                if fake.options['retry_lost'] == 'unapplied':
                    with fake.lock:
                        fake.retry_state.pop(task_id, None)
                if fake.options['retry_lost']:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                return self._send(fake.options['retry_status'])

            def do_GET(self):
                self._handle('GET')

            def do_PATCH(self):
                self._handle('PATCH')

            def do_POST(self):
                self._handle('POST')

            def do_DELETE(self):
                self._handle('DELETE')

        super().__init__(Handler)

    def view(self, task_id, advance=False):
        """The task as served now; a read of a retried task moves it along its steps (called under the lock)."""
        task = self.tasks[task_id]
        state = self.retry_state.get(task_id)
        if state is not None and advance:
            if state['lag'] > 0:
                state['lag'] -= 1
            elif state['steps']:
                status = state['steps'].pop(0)
                task['status'] = status
                if status.upper().replace(' ', '_') in ('IN_PROGRESS', 'PENDING'):
                    task.pop('completionTimestamp', None)
                    task['errors'] = []
                    for sub in task.get('subTasks', []):
                        if sub['status'] == 'FAILED':
                            sub['status'] = 'IN_PROGRESS'
                            sub.pop('errors', None)
                else:
                    task['completionTimestamp'] = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'
                    if status.upper() == 'FAILED':
                        task['errors'] = failed_task(task_id)['errors']
                    for sub in task.get('subTasks', []):
                        if sub['status'] == 'IN_PROGRESS':
                            sub['status'] = 'SUCCESSFUL' if status.upper() == 'SUCCESSFUL' else 'FAILED'
        return json.loads(json.dumps(task))

    def env(self):
        return {'VCF_URL': self.url, 'VCF_USERNAME': USER, 'VCF_PASSWORD': PASSWORD}

    def calls(self, method, prefix):
        return [entry for entry in self.log if entry['method'] == method and entry['path'].startswith(prefix)]


def run(tmp_path, server, tasks, expect_failure=False, verbosity=0):
    body = [dict(task, ignore_errors=True) for task in tasks]
    path = write_playbook(tmp_path, 'blind_vcf', body)
    return run_playbook(path, env=server.env(), expect_failure=expect_failure, verbosity=verbosity)


FAST = {'poll_interval': 0.2, 'poll_interval_max': 0.5, 'wait_timeout': 60}


def info(task_args, name='info'):
    return {'name': name, 'cloudops.orchestrator.vcf_task_info': task_args}


def retry(task_args, name='retry'):
    return {'name': name, 'cloudops.orchestrator.vcf_task_retry': dict(FAST, **task_args)}


# ----------------------------------------------------------------------------------------------------- reading tasks

@pytest.mark.parametrize('token_status', [200, 201])
def test_seed_task_read_as_documented(tmp_path, token_status):
    """The 4.4 reference's 'Get a Task' sample: no completionTimestamp, no isRetryable, upper-case sub-tasks."""
    with FakeSddcManager([SEED_ONE], token_status=token_status) as server:
        res = run(tmp_path, server, [info({'task_id': SEED_ONE['id']})])
    result = res.result('info')
    assert not result.get('failed'), result
    task = result['tasks'][0]
    assert task['status'] == 'FAILED' and task['status_raw'] == 'FAILED'
    assert task['creation_timestamp'] == '1970-01-20T01:47:10.561Z'
    assert task['completion_timestamp'] is None
    assert task['is_retryable'] is None
    assert task['subtask_summary']['counts'] == {'SUCCESSFUL': 1, 'FAILED': 1, 'PENDING': 1}
    assert task['subtask_summary']['failed'] == ['HostMaintenanceModeValidationAction']
    assert task['raw'] == SEED_ONE


@pytest.mark.parametrize('paging,page_base', [('none', 0), ('meta', 0), ('meta', 1)])
def test_list_every_paging_form(tmp_path, paging, page_base):
    """A list without pageMetadata (the 4.4 sample; PowerVCF reads it with no paging parameter), or paged from 0 or 1."""
    many = [dict(SEED_LIST[0], id='t-%03d' % number, name='task %d' % number) for number in range(230)]
    tasks = SEED_LIST + many if paging == 'meta' else SEED_LIST
    with FakeSddcManager(tasks, paging=paging, page_base=page_base) as server:
        res = run(tmp_path, server, [info({})])
        lists = server.calls('GET', '/v1/tasks')
    result = res.result('info')
    assert not result.get('failed'), result
    ids = [task['id'] for task in result['tasks']]
    assert ids == [task['id'] for task in tasks], (len(ids), len(set(ids)))
    assert all(int(call['query'].get('pageSize', ['100'])[0]) <= 100 for call in lists)
    assert len(lists) <= 4, [call['query'] for call in lists]


@pytest.mark.parametrize('asked', ['FAILED', 'Failed', 'failed'])
def test_status_filter_any_spelling_on_an_exact_server(tmp_path, asked):
    """SDDC Manager mixes 'Failed' and 'FAILED'; a server comparing taskStatus exactly must still give both."""
    tasks = [SEED_LIST[0], SEED_LIST[1], dict(SEED_ONE)]
    with FakeSddcManager(tasks, status_filter='exact') as server:
        res = run(tmp_path, server, [info({'status': asked})])
    result = res.result('info')
    assert not result.get('failed'), result
    assert sorted(task['id'] for task in result['tasks']) == sorted([SEED_LIST[0]['id'], SEED_ONE['id']])


def test_unknown_task_gives_one_clear_line(tmp_path):
    with FakeSddcManager([SEED_ONE]) as server:
        res = run(tmp_path, server, [info({'task_id': 'no-such-task'})])
    record = res.record('info')
    assert record['status'] == 'ignored', record
    result = record['result']
    assert 'no-such-task' in result['msg'] and '\n' not in result['msg'], result['msg']


@pytest.mark.parametrize('refresh_answer,refresh_body', [('raw', 'any'), ('json', 'any'), ('raw', 'raw'), ('json', 'json')])
def test_wait_outlives_the_access_token(tmp_path, refresh_answer, refresh_body):
    """401 mid-wait: the token is refreshed with the refresh token id (raw or JSON-quoted forms) and the wait goes on."""
    task = failed_task('w-1', status='In Progress')
    task.pop('completionTimestamp')
    with FakeSddcManager([task], token_uses=3, refresh_answer=refresh_answer, refresh_body=refresh_body) as server:
        server.retry_state['w-1'] = {'lag': 6, 'steps': ['Successful']}
        res = run(tmp_path, server, [info(dict(FAST, task_id='w-1', wait_for=['SUCCESSFUL']))])
        refreshes = server.calls('PATCH', '/v1/tokens/access-token/refresh')
        logins = server.calls('POST', '/v1/tokens')
    result = res.result('info')
    assert not result.get('failed'), result
    assert result['tasks'][0]['status'] == 'SUCCESSFUL'
    assert refreshes, 'the token was never refreshed'
    assert len(logins) <= 1 + len(refreshes)


# ------------------------------------------------------------------------------------------------------- retrying

@pytest.mark.parametrize('retry_status', [200, 202, 204])
def test_retry_answered_without_body(tmp_path, retry_status):
    """PATCH /v1/tasks/{id}: 200 with no body (spec, 4.4 sample); 202 as the credentials retry answers; 204."""
    with FakeSddcManager([failed_task('r-1')], retry_status=retry_status) as server:
        res = run(tmp_path, server, [retry({'task_id': 'r-1'})])
        patches = server.patches
    result = res.result('retry')
    assert not result.get('failed'), result
    assert result['changed'] and result['retried'] == ['r-1']
    assert result['tasks'][0]['status'] == 'SUCCESSFUL'
    assert patches == ['r-1']


def test_retry_lag_is_not_a_second_failure(tmp_path):
    """A retried task may read its old failure for a while (vcf-sdk-python samples, terraform-provider-vcf)."""
    with FakeSddcManager([failed_task('r-2')], retry_lag=4) as server:
        res = run(tmp_path, server, [retry({'task_id': 'r-2'})])
        patches = server.patches
    result = res.result('retry')
    assert not result.get('failed'), result
    assert result['tasks'][0]['status'] == 'SUCCESSFUL'
    assert patches == ['r-2']


@pytest.mark.parametrize('lag', [0, 3])
def test_retry_answer_lost_is_never_resent(tmp_path, lag):
    """The server applied the retry and the answer was lost: the task is read back and the retry adopted, once."""
    with FakeSddcManager([failed_task('r-3')], retry_lost=True, retry_lag=lag) as server:
        res = run(tmp_path, server, [retry({'task_id': 'r-3', 'timeout': 5})])
        patches = server.patches
    result = res.result('retry')
    assert patches == ['r-3'], patches
    assert not result.get('failed'), result
    assert result['tasks'][0]['status'] == 'SUCCESSFUL'


def test_retry_refused_409_says_why(tmp_path):
    with FakeSddcManager([failed_task('r-4')], retry_409=True) as server:
        res = run(tmp_path, server, [retry({'task_id': 'r-4'})])
        patches = server.patches
    record = res.record('retry')
    assert record['status'] == 'ignored', record
    msg = record['result']['msg']
    assert 'Only a failed Task can be retried' in msg and 'Check the task status before retrying it' in msg, msg
    assert 'RETRY409' in msg or record['result']['error']['details'].get('reference_token') == 'RETRY409'
    assert '\n' not in msg
    assert patches == ['r-4']


def test_task_fails_again_names_subtasks_and_errors(tmp_path):
    with FakeSddcManager([failed_task('r-5')], after_retry=('In Progress', 'Failed')) as server:
        res = run(tmp_path, server, [retry({'task_id': 'r-5'})])
        patches = server.patches
    record = res.record('retry')
    assert record['status'] == 'ignored', record
    result = record['result']
    assert patches == ['r-5']
    assert 'ConfigureVsanDatastoreAction' in result['msg'], result['msg']
    tokens = {error.get('reference_token') for error in result['errors']}
    assert 'ABC123' in tokens, result['errors']


def test_retry_when_the_token_expired_on_the_patch(tmp_path):
    """The PATCH itself meets an expired token (401, nothing done): refreshed, then the retry is sent and applied once."""
    with FakeSddcManager([failed_task('r-6')], token_uses=1) as server:
        res = run(tmp_path, server, [retry({'task_id': 'r-6'})])
        patches = server.patches
        applied = list(server.retry_state)
    result = res.result('retry')
    assert not result.get('failed'), result
    assert applied == ['r-6']
    assert result['tasks'][0]['status'] == 'SUCCESSFUL'


def test_selector_retries_failed_tasks_of_both_spellings(tmp_path):
    tasks = [failed_task('s-1'), failed_task('s-2', status='FAILED'), failed_task('s-3', status='Successful'),
             dict(failed_task('s-4'), type='HOST_COMMISSION')]
    with FakeSddcManager(tasks, status_filter='exact', paging='none') as server:
        res = run(tmp_path, server, [retry({'failed_tasks': {'type': 'CLUSTER_CREATE'}})])
        patches = server.patches
    result = res.result('retry')
    assert not result.get('failed'), result
    assert sorted(patches) == ['s-1', 's-2'], patches
    assert result['matched'] == 2


def test_completed_after_finds_failures_without_completion_time(tmp_path):
    """The 4.4 reference's list sample has a Failed task without completionTimestamp, and the 9.0 spec's completedAfter
    returns tasks 'completed after the given timestamp', which this fake takes literally: a failure of the last day
    without a completion time (w-1) is found by vcf_task_info and retried by vcf_task_retry's failed_tasks, as the dated
    one (w-2), each once; neither the sample's undated failure of 2019 nor an old dated one (w-3). This fake ignores
    orderBy and compares taskStatus exactly."""
    def ago(hours):
        moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=hours)
        return moment.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'
    undated = failed_task('w-1', name='Add host', creationTimestamp=ago(3))
    undated.pop('completionTimestamp')
    tasks = SEED_LIST + [failed_task('w-3'), undated, failed_task('w-2', creationTimestamp=ago(2), completed=ago(1))]
    since = ago(24)
    with FakeSddcManager(tasks) as server:
        res = run(tmp_path, server, [info({'status': 'failed', 'completed_after': since}, name='failed'),
                                     info({'completed_after': since}, name='any'),
                                     retry({'failed_tasks': {'completed_after': since}})])
        patches = server.patches
        lists = [call for call in server.calls('GET', '/v1/tasks') if call['path'].rstrip('/') == '/v1/tasks']
    assert sorted(t['id'] for t in res.result('failed')['tasks']) == ['w-1', 'w-2']
    assert sorted(t['id'] for t in res.result('any')['tasks']) == ['w-1', 'w-2']
    result = res.result('retry')
    assert not result.get('failed'), result
    assert (result['matched'], sorted(patches)) == (2, ['w-1', 'w-2'])
    # Per module one more listing (in each spelling of taskStatus on this exact fake), never one per task.
    assert len(lists) <= 4 + 2 + 4, '\n'.join(str(call['query']) for call in lists)


def test_no_secret_in_any_output(tmp_path):
    with FakeSddcManager([failed_task('x-1')], token_uses=2, retry_409=True) as server:
        res = run(tmp_path, server, [info({'task_id': 'x-1'}), retry({'task_id': 'x-1'})], verbosity=4)
        tokens = list(server.tokens)
    text = res.stdout + res.stderr + json.dumps(res.results) + json.dumps(res.module_log)
    for secret in [PASSWORD, REFRESH_ID] + tokens:
        assert secret not in text, secret[:12]


def test_retry_answer_lost_and_not_applied_fails_without_resending(tmp_path):
    with FakeSddcManager([failed_task('r-7')], retry_lost='unapplied') as server:
        res = run(tmp_path, server, [retry({'task_id': 'r-7', 'timeout': 3, 'retry_grace': 1})])
        patches = server.patches
    record = res.record('retry')
    assert patches == ['r-7'], patches
    assert record['status'] == 'ignored', record
    assert 'may' in record['result']['msg'], record['result']['msg']


def test_expired_refresh_token_logs_in_again(tmp_path):
    task = failed_task('w-2', status='In Progress')
    task.pop('completionTimestamp')
    with FakeSddcManager([task], token_uses=3, refresh_expired=True) as server:
        server.retry_state['w-2'] = {'lag': 6, 'steps': ['Successful']}
        res = run(tmp_path, server, [info(dict(FAST, task_id='w-2', wait_for=['SUCCESSFUL']))])
    result = res.result('info')
    assert not result.get('failed'), result
    assert result['tasks'][0]['status'] == 'SUCCESSFUL'


@pytest.mark.parametrize('final', ['Failed', 'Cancelled', 'TIMED_OUT'])
def test_wait_for_ends_at_once_on_another_final_status(tmp_path, final):
    task = failed_task('w-3', status='In Progress')
    task.pop('completionTimestamp')
    with FakeSddcManager([task]) as server:
        server.retry_state['w-3'] = {'lag': 1, 'steps': [final]}
        res = run(tmp_path, server, [info(dict(FAST, task_id='w-3', wait_for=['SUCCESSFUL']))])
    record = res.record('info')
    assert record['status'] == 'ignored', record
    assert final.upper() in record['result']['msg'].upper(), record['result']['msg']


def test_tasks_without_subtasks_nor_errors(tmp_path):
    """terraform-provider-vcf handles tasks with no subTasks (it then logs localizableDescriptionPack)."""
    bare = {'id': 'b-1', 'name': 'Bare', 'status': 'Failed', 'creationTimestamp': '2026-03-02T09:58:00.120Z',
            'completionTimestamp': '2026-03-02T09:59:00.120Z',
            'localizableDescriptionPack': {'component': 'x', 'messageKey': 'y', 'message': 'Bare task failed'}}
    with FakeSddcManager([bare], paging='none') as server:
        res = run(tmp_path, server, [info({}), retry({'task_id': 'b-1'})])
        patches = server.patches
    listed = res.result('info')
    assert not listed.get('failed'), listed
    entry = listed['tasks'][0]
    assert entry['subtask_summary']['total'] == 0
    assert (entry['sub_tasks'], entry['errors'], entry['resources']) == ([], [], [])
    assert (entry['type'], entry['is_retryable'], entry['resolution_status']) == (None, None, None)
    result = res.result('retry')
    assert not result.get('failed'), result
    assert patches == ['b-1']


def test_nested_subtasks_are_counted(tmp_path):
    task = failed_task('n-1')
    task['subTasks'][0]['subTasks'] = [{'name': 'Inner', 'description': 'inner', 'status': 'FAILED',
                                        'creationTimestamp': '2026-03-02T09:58:00.120Z'}]
    with FakeSddcManager([task]) as server:
        res = run(tmp_path, server, [info({'task_id': 'n-1'})])
    summary = res.result('info')['tasks'][0]['subtask_summary']
    assert summary['total'] == 3, summary
    assert 'Inner' in summary['failed'], summary


def test_not_retryable_sends_nothing(tmp_path):
    with FakeSddcManager([failed_task('nr-1', isRetryable=False), failed_task('nr-2')]) as server:
        res = run(tmp_path, server, [retry({'task_ids': ['nr-1', 'nr-2']})])
        patches = server.patches
    record = res.record('retry')
    assert record['status'] == 'ignored', record
    assert patches == []
    assert 'nr-1' in record['result']['msg']


OLD_SECRET = 'Old-Pa55word-Leak!'
NEW_SECRET = 'New-Pa55word-Leak!'


def credentials_task(task_id, status='FAILED', kind='ROTATE'):
    """GET /v1/credentials/tasks/{id} (CredentialsTask, 9.0 spec): its sub-tasks carry oldPassword and newPassword."""
    return {'id': task_id, 'name': 'Credentials rotate operation', 'type': kind, 'status': status,
            'creationTimestamp': '2026-03-02T09:58:00.120Z', 'completionTimestamp': '2026-03-02T09:59:00.120Z',
            'isAutoRotate': False,
            'subTasks': [{'id': 'cs-1', 'resourceName': 'sfo01-m01-esx01.rainpole.io', 'name': 'ESXI:SSH',
                          'description': 'Password rotate', 'status': 'FAILED',
                          'creationTimestamp': '2026-03-02T09:58:00.120Z', 'oldPassword': OLD_SECRET,
                          'newPassword': NEW_SECRET, 'entityType': 'ESXI', 'username': 'root', 'credentialType': 'SSH',
                          'dependentSubTasks': [{'id': 'cs-2', 'name': 'dep', 'description': 'dependent',
                                                 'status': 'FAILED', 'creationTimestamp': '2026-03-02T09:58:00.120Z',
                                                 'oldPassword': OLD_SECRET, 'newPassword': NEW_SECRET}],
                          'errors': [error_body('ROTATE_FAILED', 'Password rotation failed', 'Check SSH', 'CRED1')]}],
            'errors': [error_body('ROTATE_FAILED', 'Password rotation failed', 'Check SSH', 'CRED0')]}


def test_credentials_task_passwords_never_shown(tmp_path):
    """A credentials task read through /v1/credentials/tasks carries oldPassword/newPassword in its sub-tasks."""
    with FakeSddcManager([]) as server:
        server.credential_tasks['c-1'] = credentials_task('c-1')
        res = run(tmp_path, server, [info({'task_id': 'c-1'}), retry({'task_id': 'c-1', 'wait': False})], verbosity=4)
        patches = server.credential_patches
    read = res.result('info')
    assert not read.get('failed'), read
    assert read['tasks'][0]['credentials_task'] is True
    assert [task_id for task_id, ignored in patches] == ['c-1']
    text = res.stdout + res.stderr + json.dumps(res.results) + json.dumps(res.module_log)
    assert OLD_SECRET not in text and NEW_SECRET not in text


@pytest.mark.parametrize('final,ok', [('Successful', True), ('COMPLETED_WITH_WARNING', True), ('Cancelled', False),
                                      ('Failed', False)])
def test_selector_wait_sees_every_final_status(tmp_path, final, ok):
    """Several retried tasks are waited on together; completedAfter only knows 'Successful' and 'Failed' (spec), and
    an exact server answers taskStatus=In Progress only for that spelling."""
    tasks = [failed_task('m-1'), failed_task('m-2', status='FAILED')]
    with FakeSddcManager(tasks, after_retry=('IN_PROGRESS', final)) as server:
        res = run(tmp_path, server, [retry({'failed_tasks': {}, 'wait_timeout': 30})])
        patches = server.patches
    record = res.record('retry')
    assert sorted(patches) == ['m-1', 'm-2']
    result = record['result']
    assert 'still not done' not in result['msg'], result['msg']
    assert (record['status'] == 'ok') == ok, result['msg']
    assert {task['status'] for task in result['tasks']} == {final.upper()}


def test_selector_wait_lists_running_tasks_spelt_in_upper_case_instead_of_reading_each(tmp_path):
    """An exact server whose retried tasks read IN_PROGRESS (the 9.0 spec's enum; terraform-provider-vcf's task tracker
    expects it): the running list asks that spelling too, so the running tasks are not read by id at every poll."""
    tasks = [failed_task('u-1'), failed_task('u-2'), failed_task('u-3')]
    with FakeSddcManager(tasks, status_filter='exact', after_retry=('IN_PROGRESS',) * 8 + ('Successful',)) as server:
        res = run(tmp_path, server, [retry({'failed_tasks': {}, 'wait_timeout': 60})])
        reads = [call['path'] for call in server.calls('GET', '/v1/tasks/')]
        lists = [call['query'].get('taskStatus', [None])[0] for call in server.calls('GET', '/v1/tasks') if call['path'] == '/v1/tasks']
    result = res.result('retry')
    assert not result.get('failed'), result
    assert {task['status'] for task in result['tasks']} == {'SUCCESSFUL'}
    # At most one read by id per task (when it left the running list); it used to be one per task and poll.
    assert len(reads) <= len(tasks), reads
    assert 'IN_PROGRESS' in lists, lists


def test_wait_outlives_a_token_that_expires_with_403(tmp_path):
    """terraform-provider-vcf logs in again every 20 minutes because calls 'fail with 401, 403 because of token
    expiration' (internal/api_client/sddc_manager_client.go)."""
    task = failed_task('w-4', status='In Progress')
    task.pop('completionTimestamp')
    with FakeSddcManager([task], token_uses=3, expired_status=403) as server:
        server.retry_state['w-4'] = {'lag': 6, 'steps': ['Successful']}
        res = run(tmp_path, server, [info(dict(FAST, task_id='w-4', wait_for=['SUCCESSFUL']))])
    record = res.record('info')
    assert record['status'] == 'ok', record['result'].get('msg')
    assert record['result']['tasks'][0]['status'] == 'SUCCESSFUL'


def test_bad_password_says_so(tmp_path):
    with FakeSddcManager([SEED_ONE]) as server:
        path = write_playbook(tmp_path, 'badpw', [dict(info({'task_id': SEED_ONE['id']}), ignore_errors=True)])
        res = run_playbook(path, env=dict(server.env(), VCF_PASSWORD='wrong'))
    record = res.record('info')
    assert record['status'] == 'ignored'
    msg = record['result']['msg']
    assert 'Invalid credentials' in msg and '\n' not in msg, msg


# ---------------------------------------------------------------------------------------------- the vcf_tasks source

def test_event_source_emits_a_failure_without_completion_time_once(tmp_path):
    """The 4.4 reference's list sample has a Failed task without completionTimestamp, and the 9.0 spec's completedAfter
    returns only tasks 'completed after the given timestamp': the source's real main(), run in-process against this
    fake, emits such a later failure (e-3) as well as a dated one (e-2), each once, and nothing that was failed at its
    first start (the sample's undated Failed task, an old dated failure)."""
    import asyncio  # pylint: disable=import-outside-toplevel
    from test_eda import RunningSource, load_source  # pylint: disable=import-outside-toplevel
    old = failed_task('e-1')  # completed 2026-03-02: long before the first start
    state_file = str(tmp_path / 'vcf-state.json')
    source = load_source('vcf_tasks')

    def lists(server):
        return len(server.calls('GET', '/v1/tasks'))

    def add(server, task):
        with server.lock:
            server.tasks[task['id']] = json.loads(json.dumps(task))
            server.order.insert(0, task['id'])

    with FakeSddcManager(SEED_LIST + [old]) as server:
        args = {'url': server.url, 'username': USER, 'password': PASSWORD, 'interval': 0.1, 'state_file': state_file}

        async def scenario():
            async with RunningSource(source, args) as running:
                await running.until('the first poll', lambda: os.path.exists(state_file))
                now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'
                undated = failed_task('e-3', name='Add host')
                undated.pop('completionTimestamp')
                add(server, failed_task('e-2', completed=now))
                add(server, undated)
                events = [await asyncio.wait_for(running.queue.get(), 60) for ignored in range(2)]
                polls = await asyncio.to_thread(lists, server)
                # Long enough for two more sweeps (one every 10 polls): nothing comes twice.
                await running.until('30 more listings', lambda: lists(server) >= polls + 30)
                return events, running.queue.qsize()

        events, more = asyncio.run(scenario())
        sweeps = [call['query']['taskStatus'][0] for call in server.calls('GET', '/v1/tasks') if 'taskStatus' in call['query']]
    assert sorted((e['vcf_task']['id'], e['status']) for e in events) == [('e-2', 'FAILED'), ('e-3', 'FAILED')]
    assert more == 0
    undated_event = [e for e in events if e['vcf_task']['id'] == 'e-3'][0]
    assert undated_event['vcf_task']['completion_timestamp'] is None and undated_event['previous_status'] is None
    # The sweeps ask both spellings (this fake compares taskStatus exactly).
    assert set(sweeps) == {'Failed', 'FAILED'}
