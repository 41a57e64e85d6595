# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the SDDC Manager layer: status normalisation, the retry decision table, the retry run.

Recorded responses only: a fake client answers from canned task bodies and records what was sent.
"""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, OperationError, WaitTimeout, answer_lost
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf import task_info, task_retry
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import (
    Action, CredentialsTask, Task, TaskStatus, decide_retry, describe_failure, matches_selector, selector_params, summarize_subtasks)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.task_retry import RetryRun
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf import api as vcf_api
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import TaskService, status_spellings
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import to_epoch_ms


def task(status, **extra):
    raw = {'id': extra.pop('id', 't-1'), 'name': extra.pop('name', 'Add cluster cl02'), 'status': status,
           'creationTimestamp': '2026-03-02T09:15:00.000Z'}
    raw.update(extra)
    return raw


# -- TaskStatus.normalise --------------------------------------------------------------------------------------

@pytest.mark.parametrize('raw, expected', [
    ('FAILED', 'FAILED'),
    ('Failed', 'FAILED'),
    ('failed', 'FAILED'),
    ('In Progress', 'IN_PROGRESS'),
    ('IN_PROGRESS', 'IN_PROGRESS'),
    ('  In   Progress ', 'IN_PROGRESS'),
    ('Successful', 'SUCCESSFUL'),
    ('COMPLETED_WITH_WARNING', 'COMPLETED_WITH_WARNING'),
    ('Cancelled', 'CANCELLED'),
    ('Pending', 'PENDING'),
    ('queued', 'QUEUED'),
    (None, ''),
])
def test_normalise(raw, expected):
    assert TaskStatus.normalise(raw) == expected


def test_every_spelling_of_the_spec_enum_is_known():
    # The 9.0 spec lists both spellings of each value in one enum.
    spec_enum = ['PENDING', 'Pending', 'IN_PROGRESS', 'In Progress', 'SUCCESSFUL', 'Successful', 'FAILED', 'Failed',
                 'CANCELLED', 'Cancelled', 'COMPLETED_WITH_WARNING', 'SKIPPED', 'QUEUED', 'TIMED_OUT']
    assert all(TaskStatus.normalise(s) in TaskStatus.KNOWN for s in spec_enum)
    assert TaskStatus.is_terminal('Failed') and TaskStatus.is_terminal('Successful')
    assert not TaskStatus.is_terminal('In Progress') and not TaskStatus.is_terminal('Pending')


# -- the retry decision table ------------------------------------------------------------------------------------

@pytest.mark.parametrize('status, retryable, action', [
    ('FAILED', None, Action.RETRY),
    ('Failed', None, Action.RETRY),
    ('FAILED', True, Action.RETRY),
    ('Failed', 'true', Action.RETRY),
    ('TIMED_OUT', None, Action.RETRY),
    ('FAILED', False, Action.FAIL),
    ('Failed', 'false', Action.FAIL),
    ('PENDING', None, Action.RUNNING),
    ('Pending', None, Action.RUNNING),
    ('QUEUED', None, Action.RUNNING),
    ('In Progress', None, Action.RUNNING),
    ('IN_PROGRESS', False, Action.RUNNING),
    ('SUCCESSFUL', None, Action.DONE),
    ('Successful', None, Action.DONE),
    ('COMPLETED_WITH_WARNING', None, Action.DONE),
    ('SKIPPED', None, Action.DONE),
    ('CANCELLED', None, Action.FAIL),
    ('Cancelled', True, Action.FAIL),
    ('USER_CANCELLED', None, Action.FAIL),
    ('INCONSISTENT', None, Action.FAIL),
    ('EXPLODED', None, Action.FAIL),
])
def test_decision_table(status, retryable, action):
    raw = task(status)
    if retryable is not None:
        raw['isRetryable'] = retryable
    got, reason = decide_retry(raw)
    assert got == action
    assert 't-1' in reason


def test_decision_reasons_say_why():
    assert 'not retryable' in decide_retry(task('Failed', isRetryable=False))[1]
    assert 'cancelled' in decide_retry(task('Cancelled'))[1]
    assert "'EXPLODED'" in decide_retry(task('EXPLODED'))[1]


# -- credentials detection, sub-tasks, errors ----------------------------------------------------------------------

@pytest.mark.parametrize('raw, expected', [
    ({'id': 'a', 'type': 'CREDENTIALS_ROTATE', 'name': 'x'}, True),
    ({'id': 'a', 'type': 'CREDENTIALS_UPDATE', 'name': 'x'}, True),
    ({'id': 'a', 'name': 'Credentials rotate operation'}, True),
    ({'id': 'a', 'name': 'Password update operation'}, True),
    ({'id': 'a', 'type': 'HOST_COMMISSION', 'name': 'Commissioning host(s)'}, False),
    ({'id': 'a', 'type': 'UPGRADE', 'name': 'Upgrade vCenter'}, False),
])
def test_credentials_detection(raw, expected):
    assert Task(raw).looks_like_credentials is expected


def test_credentials_operation_type():
    assert CredentialsTask({'id': 'a', 'type': 'ROTATE'}).operation_type == 'ROTATE'
    assert CredentialsTask({'id': 'a', 'type': 'CREDENTIALS_UPDATE'}).operation_type == 'UPDATE'
    assert CredentialsTask({'id': 'a', 'name': 'Credentials rotate operation'}).operation_type == 'ROTATE'


def test_subtask_summary_counts_nested_and_names_failures():
    subtasks = [
        {'name': 'Validate', 'status': 'SUCCESSFUL'},
        {'name': 'Configure', 'status': 'Failed', 'subTasks': [{'name': 'Inner', 'status': 'FAILED'}]},
        {'name': 'Add', 'status': 'PENDING'},
    ]
    summary = summarize_subtasks(subtasks)
    assert summary == {'total': 4, 'counts': {'SUCCESSFUL': 1, 'FAILED': 2, 'PENDING': 1},
                       'failed': ['Configure', 'Inner']}


def test_failure_description_carries_subtasks_and_errors():
    raw = task('Failed', subTasks=[{'name': 'ConfigureVsan', 'status': 'FAILED'}],
               errors=[{'message': 'disk claim failed', 'remediationMessage': 'free a disk', 'referenceToken': 'RT42'}])
    text = describe_failure(Task(raw))
    for part in ('ConfigureVsan', 'disk claim failed', 'free a disk', 'RT42'):
        assert part in text


# -- selectors -------------------------------------------------------------------------------------------------

def test_selector_params():
    params = selector_params({'name_contains': 'Bench', 'type': 'REMEDIATION', 'resource_id': 'r1',
                              'completed_after': '2026-03-01T00:00:00Z'}, status='FAILED')
    assert params == {'taskStatus': 'FAILED', 'taskName': 'Bench', 'taskType': 'REMEDIATION', 'resourceId': 'r1',
                      'completedAfter': 1772323200000}


@pytest.mark.parametrize('value, ms', [
    ('2026-03-01T00:00:00Z', 1772323200000),
    ('2026-03-01T02:00:00+0200', 1772323200000),
    ('2026-03-01T00:00:00.000Z', 1772323200000),
    (1772323200000, 1772323200000),
    ('1772323200000', 1772323200000),
    (1772323200, 1772323200000),
])
def test_to_epoch_ms(value, ms):
    assert to_epoch_ms(value) == ms


def test_to_epoch_ms_refuses_garbage():
    with pytest.raises(ValueError, match='ISO 8601'):
        to_epoch_ms('last tuesday')
    with pytest.raises(ValueError, match="^completed_after: 'last tuesday' is not"):
        to_epoch_ms('last tuesday', option='completed_after')


def test_matches_selector_rechecks_on_the_client():
    raw = task('Failed', name='Bench remediation 03', type='REMEDIATION',
               resources=[{'resourceId': 'r1', 'type': 'CLUSTER'}], completionTimestamp='2026-03-01T00:05:00.000Z')
    assert matches_selector(raw, {'name_contains': 'bench REMEDIATION'})
    assert not matches_selector(raw, {'name_contains': 'upgrade'})
    assert matches_selector(raw, {'type': 'remediation', 'resource_id': 'r1'})
    assert not matches_selector(raw, {'resource_id': 'r2'})
    assert matches_selector(raw, {'completed_after': '2026-03-01T00:00:00Z'})
    assert not matches_selector(raw, {'completed_after': '2026-03-02T00:00:00Z'})


# -- the retry run, over recorded responses ----------------------------------------------------------------------

class RecordedClient:
    """Answers GETs from ``tasks`` (id -> list of bodies, the last repeats) and records every request."""

    timeout = 1.0

    def __init__(self, tasks, credentials=None, patch_errors=None):
        self.sleeps = []
        self.tasks = {k: list(v) for k, v in tasks.items()}
        self.credentials = {k: list(v) for k, v in (credentials or {}).items()}
        self.patch_errors = dict(patch_errors or {})
        self.sent = []

    @staticmethod
    def _next(bodies):
        return bodies.pop(0) if len(bodies) > 1 else bodies[0]

    def sleep(self, seconds):
        self.sleeps.append(seconds)

    def get(self, path, params=None, **kw):
        self.sent.append(('GET', path, params))
        parts = path.strip('/').split('/')
        if parts[0] == 'credentials':
            if len(parts) == 4:
                return []
            store = self.credentials
        else:
            store = self.tasks
        if parts[-1] not in store:
            raise ApiError('not found', status=404, method='GET', url=path)
        return self._next(store[parts[-1]])

    def patch(self, path, json=None, **kw):
        self.sent.append(('PATCH', path, json, kw.get('idempotent')))
        errors = self.patch_errors.get(path)
        if errors:
            raise errors.pop(0)

    def paginate(self, path, style, params=None, page_size=100, max_items=None, items=None):
        self.sent.append(('LIST', path, params))
        for bodies in self.tasks.values():
            yield bodies[0]


class NoWait:
    """A waiter that polls until done without sleeping (no timing in unit tests)."""

    def __init__(self, timeout):
        self.timeout = timeout
        self.first_delay = None

    def wait(self, fetch, done, first_delay=0.0):
        self.first_delay = first_delay
        for _poll in range(50):
            seen = fetch()
            if done(seen):
                return seen
        raise AssertionError('never done')


def patches(client):
    return [s for s in client.sent if s[0] == 'PATCH']


def make_run(client, **kw):
    return RetryRun(TaskService(client), waiter_factory=NoWait, **kw)


def test_failed_task_is_retried_once_without_blind_resend_and_waited():
    client = RecordedClient({'t-1': [task('Failed'), task('In Progress'), task('Successful')]})
    run = make_run(client)
    run.add(TaskService(client).get('t-1'))
    pending = run.start()
    run.wait_all(pending)
    assert patches(client) == [('PATCH', '/tasks/t-1', None, False)]
    result = run.result()
    assert result['changed'] is True and result['retried'] == ['t-1']
    assert result['tasks'][0]['status'] == 'SUCCESSFUL' and result['tasks'][0]['attempts'] == 1
    assert not run.failures


def test_check_mode_decides_but_sends_nothing():
    client = RecordedClient({'t-1': [task('Failed')]})
    run = make_run(client, check_mode=True)
    run.add(TaskService(client).get('t-1'))
    assert run.start() == []
    assert patches(client) == []
    assert run.result()['changed'] is True and run.result()['retried'] == ['t-1']


@pytest.mark.parametrize('status', ['In Progress', 'PENDING', 'Successful', 'SKIPPED'])
def test_no_retry_for_running_or_finished(status):
    client = RecordedClient({'t-1': [task(status)]})
    run = make_run(client)
    run.add(TaskService(client).get('t-1'))
    run.start()
    assert patches(client) == [] and run.result()['changed'] is False and not run.failures


def test_one_cancelled_task_stops_the_whole_run_before_anything_is_sent():
    client = RecordedClient({'t-1': [task('Failed')], 't-2': [task('Cancelled', id='t-2')]})
    run = make_run(client)
    service = TaskService(client)
    run.add(service.get('t-1'))
    run.add(service.get('t-2'))
    assert run.start() == []
    assert patches(client) == []
    assert len(run.failures) == 1 and 't-2' in run.failures[0]


def test_failing_again_fails_with_errors_unless_attempts_remain():
    failed_again = task('Failed', subTasks=[{'name': 'InstallCertificateAction', 'status': 'FAILED'}],
                        errors=[{'message': 'install failed', 'remediationMessage': 'retry', 'referenceToken': 'TOK1'}])
    bodies = [task('Failed'), task('In Progress'), failed_again]
    client = RecordedClient({'t-1': list(bodies)})
    run = make_run(client, max_attempts=1)
    run.add(TaskService(client).get('t-1'))
    run.wait_all(run.start())
    assert len(patches(client)) == 1
    assert run.failures and 'InstallCertificateAction' in run.failures[0] and 'TOK1' in run.failures[0]

    client = RecordedClient({'t-1': bodies + [task('In Progress'), task('Successful')]})
    run = make_run(client, max_attempts=2)
    run.add(TaskService(client).get('t-1'))
    run.wait_all(run.start())
    assert len(patches(client)) == 2 and not run.failures
    assert run.result()['tasks'][0]['attempts'] == 2


def test_lost_answer_rereads_and_does_not_resend_when_the_task_moved_on():
    lost = answer_lost('connection reset', 'connection', 'PATCH', '/tasks/t-1')
    client = RecordedClient({'t-1': [task('Failed'), task('In Progress'), task('Successful')]},
                            patch_errors={'/tasks/t-1': [lost]})
    run = make_run(client)
    run.add(TaskService(client).get('t-1'))
    run.wait_all(run.start())
    assert len(patches(client)) == 1
    assert run.result()['tasks'][0]['attempts'] == 1 and not run.failures
    # The fresh read came right after the lost PATCH.
    index = client.sent.index(patches(client)[0])
    assert client.sent[index + 1][:2] == ('GET', '/tasks/t-1')


def test_lost_answer_keeps_reading_a_slow_server_and_never_resends():
    # Changed by issue 12: a task still FAILED on the first read used to get a second PATCH (a double retry when
    # the server was only slow to apply the first one).
    lost = answer_lost('no answer within 1.0s (read timeout)', 'timeout', 'PATCH', '/tasks/t-1')
    client = RecordedClient({'t-1': [task('Failed'), task('Failed'), task('In Progress'), task('Successful')]},
                            patch_errors={'/tasks/t-1': [lost]})
    warnings = []
    run = make_run(client, warn=warnings.append)
    run.add(TaskService(client).get('t-1'))
    run.wait_all(run.start())
    sent = [s[:2] for s in client.sent]
    first = sent.index(('PATCH', '/tasks/t-1'))
    assert sent[first + 1:first + 3] == [('GET', '/tasks/t-1')] * 2
    assert len(patches(client)) == 1 and not run.failures
    assert run.result()['tasks'][0]['attempts'] == 1
    assert any('the retry was applied' in w for w in warnings)


def test_lost_answer_with_the_task_still_failed_after_the_window_fails_without_resending():
    lost = answer_lost('no answer within 1.0s (read timeout)', 'timeout', 'PATCH', '/tasks/t-1')
    client = RecordedClient({'t-1': [task('Failed')]}, patch_errors={'/tasks/t-1': [lost]})
    run = make_run(client)
    run.add(TaskService(client).get('t-1'))
    with pytest.raises(OperationError) as info:
        run.start()
    assert len(patches(client)) == 1 and len(client.sleeps) == 11
    message = str(info.value)
    assert 'may or may not have been applied' in message and 'is still FAILED' in message and 'vcf_task_info' in message


def test_conflict_fails_with_the_servers_words():
    conflict = ApiError('conflict with the current state', status=409, method='PATCH', url='/tasks/t-1',
                        server_message='Task can not be retried. Only a failed Task can be retried.',
                        details={'remediationMessage': 'Wait for the running retry.'})
    client = RecordedClient({'t-1': [task('Failed')]}, patch_errors={'/tasks/t-1': [conflict]})
    run = make_run(client)
    run.add(TaskService(client).get('t-1'))
    with pytest.raises(ApiError) as info:
        run.start()
    assert 'Only a failed Task' in str(info.value) and 'Wait for the running retry' in str(info.value)


def test_credentials_task_is_retried_through_the_credentials_api():
    cred = task('FAILED', id='c-1', name='Credentials rotate operation', type='CREDENTIALS_ROTATE')
    client = RecordedClient({'c-1': [cred]},
                            credentials={'c-1': [dict(cred, type='ROTATE'), dict(cred, status='IN_PROGRESS'),
                                                 dict(cred, status='SUCCESSFUL')]})
    run = make_run(client)
    found = TaskService(client).get('c-1')
    assert isinstance(found, CredentialsTask)
    run.add(found)
    run.wait_all(run.start())
    assert patches(client) == [('PATCH', '/credentials/tasks/c-1', {'operationType': 'ROTATE', 'elements': []}, False)]
    assert run.result()['tasks'][0]['credentials_task'] is True and not run.failures


def test_server_telling_it_is_a_credentials_task_switches_api():
    refusal = ApiError('the server rejected the request as invalid', status=400, method='PATCH', url='/tasks/x-1',
                       server_message='Credential tasks must be retried through /v1/credentials/tasks')
    plain = task('Failed', id='x-1', name='Operation 7', type='SOMETHING')
    client = RecordedClient({'x-1': [plain]}, credentials={'x-1': [dict(plain, type='UPDATE')]},
                            patch_errors={'/tasks/x-1': [refusal]})
    # A credentials UPDATE retry carries the new passwords (issue 13: it used to send the resources without them).
    elements = [{'resourceType': 'ESXI', 'resourceName': 'esx01', 'credentials': [{'username': 'root', 'password': 'N3w!'}]}]
    run = make_run(client, update_elements=elements)
    run.add(TaskService(client).get('x-1'))
    run.start()
    assert [p[1] for p in patches(client)] == ['/tasks/x-1', '/credentials/tasks/x-1']
    assert patches(client)[1][2] == {'operationType': 'UPDATE', 'elements': elements}


def test_task_missing_from_both_apis_raises_the_404():
    client = RecordedClient({})
    with pytest.raises(ApiError) as info:
        TaskService(client).get('nope')
    assert info.value.status == 404


def test_module_level_names_exist():
    # The modules import these two entry points.
    assert callable(task_retry.run) and callable(task_info.run)


class Credentials400(RecordedClient):
    """A recorded SDDC Manager whose credentials API answers every GET with 400 (its answer to an unknown id)."""

    def get(self, path, params=None, **kw):
        if path.startswith('/credentials/'):
            self.sent.append(('GET', path, params))
            raise ApiError('bad request', status=400, method='GET', url=path)
        return super().get(path, params=params, **kw)


def test_unknown_id_is_the_tasks_404_when_the_credentials_api_answers_400():
    with pytest.raises(ApiError) as info:
        TaskService(Credentials400({})).get('nope')
    assert info.value.status == 404


# -- the wait's cost: requests per round -------------------------------------------------------------------------

class TickingServer:
    """SDDC Manager over a tick clock: a retried task runs for ``run_ticks`` ticks, then ends with ``outcome``.

    Lists honour ``taskStatus`` and ``taskName`` and carry no sub-tasks or errors (a server may leave them out),
    so the final details can only come from a read by id. Every request is recorded.
    """

    def __init__(self, count, run_ticks=3, outcome=None, list_details=False):
        self.list_details = list_details
        self.now = 0
        self.run_ticks = run_ticks
        self.outcome = outcome or {}
        self.patched = {}
        self.ids = ['t-%02d' % n for n in range(count)]
        self.sent = []

    def body(self, task_id, full=True):
        status = 'Failed'
        if task_id in self.patched:
            ended = self.now >= self.patched[task_id] + self.run_ticks
            status = self.outcome.get(task_id, 'Successful') if ended else 'In Progress'
        raw = {'id': task_id, 'name': 'Deploy %s' % task_id, 'type': 'DEPLOY', 'status': status}
        if task_id in self.patched and status == 'Failed':
            # A new failure carries its own completion time (a retried task still reading the old one has not run).
            raw['completionTimestamp'] = 'tick %d' % (self.patched[task_id] + self.run_ticks)
        if self.list_details:
            raw['creationTimestamp'] = '2026-05-01T12:00:00.000Z'
        if full or self.list_details:
            failed = status == 'Failed'
            raw['subTasks'] = [{'name': 'Step of %s' % task_id, 'status': 'FAILED' if failed else 'SUCCESSFUL'}]
            raw['errors'] = [{'message': 'broke %s' % task_id, 'referenceToken': 'TOK-%s' % task_id}] if failed else []
        return raw

    @staticmethod
    def url_for(path):
        return 'https://sddc.example/v1' + path

    def get(self, path, params=None, **kw):
        self.sent.append(('GET', path, params))
        task_id = path.strip('/').split('/')[-1]
        if task_id not in self.ids:
            raise ApiError('not found', status=404, method='GET', url=path)
        return self.body(task_id)

    def patch(self, path, json=None, **kw):
        self.sent.append(('PATCH', path, json))
        task_id = path.strip('/').split('/')[-1]
        if task_id in self.patched:
            # The second retry works.
            self.outcome.pop(task_id, None)
        self.patched[task_id] = self.now

    def paginate(self, path, style, params=None, page_size=100, max_items=None, items=None):
        self.sent.append(('LIST', path, dict(params or {})))
        wanted = TaskStatus.normalise((params or {}).get('taskStatus'))
        for task_id in self.ids:
            raw = self.body(task_id, full=False)
            if wanted and TaskStatus.normalise(raw['status']) != wanted:
                continue
            if (params or {}).get('taskName', '').lower() not in raw['name'].lower():
                continue
            if 'completedAfter' in (params or {}) and not TaskStatus.is_terminal(raw['status']):
                continue
            yield raw


class TickingWaiter:
    """Polls until done; each sleep (the first delay included) is one tick of the server's clock."""

    interval = 0.25

    def __init__(self, server):
        self.server = server
        self.polls = 0

    def __call__(self, timeout):
        return self

    def wait(self, fetch, done, first_delay=0.0):
        if first_delay:
            self.server.now += 1
        for _poll in range(50):
            self.polls += 1
            seen = fetch()
            if done(seen):
                return seen
            self.server.now += 1
        raise AssertionError('never done')


def run_over(server, selector=None, max_attempts=1):
    service = TaskService(server)
    run = RetryRun(service, waiter_factory=TickingWaiter(server), selector=selector, max_attempts=max_attempts)
    for task_id in server.ids:
        run.add(service.get(task_id))
    del server.sent[:]
    pending = run.start()
    run.wait_all(pending)
    return run, [s for s in server.sent if s[0] != 'PATCH']


@pytest.mark.parametrize('count', [3, 20])
def test_waiting_on_many_tasks_costs_one_list_per_round_and_one_read_per_task(count):
    server = TickingServer(count, run_ticks=3)
    run, polls = run_over(server, selector={'name_contains': 'deploy'})
    lists = [s for s in polls if s[0] == 'LIST']
    reads = [s for s in polls if s[0] == 'GET']
    # Running 3 ticks after the retry, first poll a tick later: lists at ticks 1 and 2, the end seen at tick 3.
    # While every task is in the list, one spelling per poll, the one real 9.0 tasks carry; at tick 3 the tasks
    # are missing from it, so the other spelling (an exact server lists IN_PROGRESS only for that one) is asked too.
    assert [params['taskStatus'] for _m, _p, params in lists] == ['In Progress'] * 3 + ['IN_PROGRESS']
    assert all(params['taskName'] == 'deploy' for _m, _p, params in lists)
    # Each task is read by id exactly once, when it left the running list; finished tasks are not read again.
    assert sorted(path for _m, path, _p in reads) == ['/tasks/%s' % i for i in server.ids]
    assert len(polls) == count + 4 < 2 * count + 4


class UpperCaseExactServer(TickingServer):
    """A server that spells running tasks IN_PROGRESS (the 9.0 spec's enum; terraform-provider-vcf's task tracker
    expects it) and matches taskStatus exactly as spelled."""

    def body(self, task_id, full=True):
        raw = TickingServer.body(self, task_id, full)
        if raw['status'] == 'In Progress':
            raw['status'] = 'IN_PROGRESS'
        return raw

    def paginate(self, path, style, params=None, page_size=100, max_items=None, items=None):
        self.sent.append(('LIST', path, dict(params or {})))
        for task_id in self.ids:
            raw = self.body(task_id, full=False)
            if (params or {}).get('taskStatus') not in (None, raw['status']):
                continue
            if 'completedAfter' in (params or {}) and not TaskStatus.is_terminal(raw['status']):
                continue
            yield raw


def test_running_tasks_spelt_in_upper_case_on_an_exact_server_are_found_by_the_list():
    """A running task spelt IN_PROGRESS is in the list of that spelling only: it is asked when In Progress misses a
    task, and first once the tasks read IN_PROGRESS, so no running task is read by id."""
    server = UpperCaseExactServer(5, run_ticks=3)
    run, polls = run_over(server)
    lists = [params['taskStatus'] for method, _p, params in polls if method == 'LIST']
    reads = [path for method, path, _p in polls if method == 'GET']
    # Tick 1: the tasks read Failed, In Progress misses them, IN_PROGRESS has them; tick 2: IN_PROGRESS first, found;
    # tick 3: they left both lists.
    assert lists == ['In Progress', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'In Progress']
    # Each task is read by id once, when it left the running list (it used to be read at every poll).
    assert sorted(reads) == ['/tasks/%s' % i for i in server.ids]
    assert not run.failures and all(t['status'] == 'SUCCESSFUL' for t in run.result()['tasks'])
    assert not run.failures and all(t['status'] == 'SUCCESSFUL' for t in run.result()['tasks'])


def test_final_details_come_from_a_read_by_id_when_the_list_lacks_them():
    server = TickingServer(5, run_ticks=2, outcome={'t-03': 'Failed'})
    run, _polls = run_over(server)
    assert len(run.failures) == 1
    assert 'Step of t-03' in run.failures[0] and 'TOK-t-03' in run.failures[0]
    entry = [t for t in run.result()['tasks'] if t['id'] == 't-03'][0]
    assert entry['status'] == 'FAILED' and entry['errors'][0]['reference_token'] == 'TOK-t-03'


def test_few_pending_tasks_are_read_by_id_after_one_interval():
    server = TickingServer(2, run_ticks=2)
    run, polls = run_over(server)
    assert [s[0] for s in polls] == ['GET'] * 4  # ticks 1 (both running) and 2 (both done): no list, no poll at tick 0
    assert not run.failures


def test_a_task_failing_again_is_retried_and_waited_on_alone():
    server = TickingServer(4, run_ticks=1, outcome={'t-01': 'Failed'})
    service = TaskService(server)
    run = RetryRun(service, waiter_factory=TickingWaiter(server), max_attempts=2)
    for task_id in server.ids:
        run.add(service.get(task_id))
    run.wait_all(run.start())
    assert [s[1] for s in server.sent if s[0] == 'PATCH'].count('/tasks/t-01') == 2
    assert not run.failures and run.result()['tasks'][1]['attempts'] == 2


def test_a_server_refusing_the_list_is_read_by_id():
    class NoList(TickingServer):
        def paginate(self, path, style, params=None, page_size=100, max_items=None, items=None):
            self.sent.append(('LIST', path, params))
            raise ApiError('bad filter', status=400, method='GET', url=path)
            yield  # pragma: no cover  # pylint: disable=unreachable

    server = NoList(4, run_ticks=2)
    run, polls = run_over(server)
    assert [s[0] for s in polls].count('LIST') == 1
    assert not run.failures and all(t['status'] == 'SUCCESSFUL' for t in run.result()['tasks'])


def test_tasks_leaving_the_running_list_are_settled_by_one_list_when_it_has_their_details():
    server = TickingServer(20, run_ticks=3, outcome={'t-07': 'Failed'}, list_details=True)
    run, polls = run_over(server, selector={'name_contains': 'deploy'})
    # Ticks 1 and 2: In Progress lists every task; tick 3: In Progress and IN_PROGRESS (a task is missing from the
    # first) miss them all, and one completedAfter list settles them.
    assert [s[0] for s in polls] == ['LIST'] * 5 and not [s for s in polls if s[0] == 'GET']
    assert [s[2].get('taskStatus') for s in polls] == ['In Progress'] * 3 + ['IN_PROGRESS', None]
    assert 'completedAfter' in polls[-1][2] and 'taskStatus' not in polls[-1][2]
    assert len(run.failures) == 1 and 'TOK-t-07' in run.failures[0] and 'Step of t-07' in run.failures[0]
    assert sum(t['status'] == 'SUCCESSFUL' for t in run.result()['tasks']) == 19


# -- issue 13: retry lag, status spellings, paging base, credentials UPDATE ------------------------------------
class FakeClock:
    """A monotonic clock the waiter moves: every sleep of the test waiter adds ``step`` seconds."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class ClockWait(NoWait):
    """NoWait that moves a FakeClock by one second per poll."""

    clock = None

    def wait(self, fetch, done, first_delay=0.0):
        for _poll in range(500):
            self.clock.now += 1.0
            seen = fetch()
            if done(seen):
                return seen
        raise AssertionError('never done')


def lagging_run(client, grace, **kw):
    clock = FakeClock()
    waiter = type('Waiter', (ClockWait,), {'clock': clock})
    return RetryRun(TaskService(client), waiter_factory=waiter, clock=clock, retry_grace=grace, **kw), clock


def test_a_retried_task_still_reading_its_old_failure_is_not_started_yet_within_the_grace():
    old = task('Failed', completionTimestamp='2026-05-01T10:00:00.000Z', errors=[{'message': 'old'}])
    client = RecordedClient({'t-1': [old, old, old, old, task('In Progress'), task('Successful')]})
    run, _clock = lagging_run(client, grace=60)
    run.add(TaskService(client).get('t-1'))
    run.wait_all(run.start())
    assert not run.failures and run.result()['tasks'][0]['status'] == 'SUCCESSFUL'
    assert len(patches(client)) == 1


def test_no_second_retry_within_the_grace_and_a_clear_failure_after_it():
    old = task('Failed', completionTimestamp='2026-05-01T10:00:00.000Z', errors=[{'message': 'old'}])
    client = RecordedClient({'t-1': [old]})
    run, clock = lagging_run(client, grace=30, max_attempts=3)
    run.add(TaskService(client).get('t-1'))
    run.wait_all(run.start())
    # max_attempts 3: a retry is sent again only once each grace is over, never within it.
    sent_at = [s for s in client.sent if s[0] == 'PATCH']
    assert len(sent_at) == 3
    assert len(run.failures) == 1 and 'did not visibly start the retry' in run.failures[0]
    assert clock.now >= 3 * 30


def test_a_new_failure_after_a_retry_is_failed_again_at_once():
    old = task('Failed', completionTimestamp='2026-05-01T10:00:00.000Z', errors=[{'message': 'old'}])
    new = task('Failed', completionTimestamp='2026-05-01T11:00:00.000Z', errors=[{'message': 'new'}])
    client = RecordedClient({'t-1': [old, new]})
    run, clock = lagging_run(client, grace=600)
    run.add(TaskService(client).get('t-1'))
    run.wait_all(run.start())
    assert len(run.failures) == 1 and 'new' in run.failures[0] and clock.now < 600


def test_a_credentials_update_retry_without_the_new_passwords_is_refused_before_anything_is_sent():
    update = task('Failed', id='c-1', name='Credentials update operation', type='CREDENTIALS_UPDATE')
    rotate = task('Failed', id='c-2', name='Credentials rotate operation', type='CREDENTIALS_ROTATE')
    client = RecordedClient({'c-1': [update], 'c-2': [rotate]}, credentials={'c-1': [update], 'c-2': [rotate]})
    run = make_run(client)
    run.add(TaskService(client).get('c-1'))
    run.add(TaskService(client).get('c-2'))
    assert run.start() == []
    assert len(run.failures) == 1 and 'credentials_update' in run.failures[0] and 'c-1' in run.failures[0]
    assert patches(client) == []
    # ROTATE alone keeps working as before: the resources, no password.
    client = RecordedClient({'c-2': [rotate]}, credentials={'c-2': [rotate]})
    run = make_run(client)
    run.add(TaskService(client).get('c-2'))
    run.start()
    assert patches(client)[0][2]['operationType'] == 'ROTATE'


class ExactServer(RecordedClient):
    """Lists match taskStatus exactly as spelled (quirk vcf-status-exact) and record each query."""

    @staticmethod
    def url_for(path):
        return 'https://sddc.example/v1' + path

    def paginate(self, path, style, params=None, page_size=100, max_items=None, items=None):
        self.sent.append(('LIST', path, dict(params or {})))
        for bodies in self.tasks.values():
            if not (params or {}).get('taskStatus') or bodies[0]['status'] == params['taskStatus']:
                yield bodies[0]


@pytest.mark.parametrize('exact', [True, False])
def test_a_status_filter_finds_every_spelling_on_exact_and_normalising_servers(exact):
    # Newest first, as the server orders them.
    tasks = {'b': [task('FAILED', id='b', creationTimestamp='2026-01-01T00:00:03Z')],
             'c': [task('Successful', id='c', creationTimestamp='2026-01-01T00:00:02Z')],
             'a': [task('Failed', id='a', creationTimestamp='2026-01-01T00:00:01Z')]}

    class Normalising(ExactServer):
        def paginate(self, path, style, params=None, page_size=100, max_items=None, items=None):
            self.sent.append(('LIST', path, dict(params or {})))
            wanted = TaskStatus.normalise((params or {}).get('taskStatus'))
            for bodies in self.tasks.values():
                if not wanted or TaskStatus.normalise(bodies[0]['status']) == wanted:
                    yield bodies[0]

    client = (ExactServer if exact else Normalising)(tasks)
    found = TaskService(client).list({'taskStatus': 'FAILED'})
    assert [t.id for t in found] == ['b', 'a']  # newest first, each once
    lists = [s[2]['taskStatus'] for s in client.sent if s[0] == 'LIST']
    # A normalising server shows it in its first answer (another spelling came back): one list is enough.
    assert lists == (['Failed', 'FAILED'] if exact else ['Failed'])


def test_status_spellings():
    assert status_spellings('FAILED') == ['Failed', 'FAILED']
    assert status_spellings('In Progress') == ['In Progress', 'IN_PROGRESS']
    assert status_spellings('completed_with_warning') == ['Completed With Warning', 'COMPLETED_WITH_WARNING']


class PagedServer:
    """``/v1/tasks`` over 250 tasks with a page base (0 or 1), with or without pageMetadata, or ignoring paging."""

    def __init__(self, base, meta=True, ignore=False):
        self.base, self.meta, self.ignore = base, meta, ignore
        self.ids = ['t%03d' % n for n in range(250)]
        self.calls = []

    def page_guard(self, path, page_size, parameter):
        return type('Guard', (), {'check': staticmethod(lambda signature, position: None)})()

    def get(self, path, params=None, **kw):
        self.calls.append(dict(params))
        size = params['pageSize']
        if self.ignore:
            body = {'elements': [{'id': i} for i in self.ids]}
            if self.meta:
                body['pageMetadata'] = {'pageNumber': 0, 'pageSize': 250, 'totalElements': 250, 'totalPages': 1}
            return body
        number = max(self.base, params.get('pageNumber', self.base))
        start = (number - self.base) * size
        body = {'elements': [{'id': i} for i in self.ids[start:start + size]]}
        if self.meta:
            body['pageMetadata'] = {'pageNumber': number, 'pageSize': size, 'totalElements': 250, 'totalPages': 3}
        return body


@pytest.mark.parametrize('base, meta, ignore', [(0, True, False), (1, True, False), (0, False, False), (1, False, False),
                                                (0, True, True), (0, False, True)])
def test_listing_is_complete_whatever_the_page_base_or_when_paging_is_ignored(base, meta, ignore):
    server = PagedServer(base, meta, ignore)
    ids = [raw['id'] for raw in vcf_api.paged(server, '/tasks', {}, 100)]
    assert ids == server.ids


class FirstPageServer(PagedServer):
    """Ignores pageNumber but honours pageSize, without pageMetadata: the first page every time."""

    def __init__(self):
        super().__init__(0, meta=False)
        self.warnings = []
        self.warn = self.warnings.append

    def get(self, path, params=None, **kw):
        self.calls.append(dict(params))
        return {'elements': [{'id': i} for i in self.ids[:params['pageSize']]]}


def test_a_full_page_sent_again_is_said_not_kept_silent():
    server = FirstPageServer()
    ids = [raw['id'] for raw in vcf_api.paged(server, '/tasks', {}, 100)]
    assert ids == server.ids[:100]
    assert len(server.warnings) == 1 and 'ignores pageNumber' in server.warnings[0] and '\n' not in server.warnings[0]
    # A server that sends everything in one (repeated) page loses nothing and warns of nothing.
    whole = PagedServer(0, meta=False, ignore=True)
    whole.warnings = []
    whole.warn = whole.warnings.append
    assert [raw['id'] for raw in vcf_api.paged(whole, '/tasks', {}, 100)] == whole.ids and whole.warnings == []


def test_lost_answer_then_a_new_failure_at_once_is_the_retry_adopted_not_resent():
    # Part 18: the PATCH was applied, the retry failed again before the first look. The status reads Failed as
    # before; the new completionTimestamp shows the retry ran: adopted at the first look, never sent again.
    lost = answer_lost('connection reset', 'connection', 'PATCH', '/tasks/t-1')
    old = task('Failed', completionTimestamp='2026-03-02T09:20:00.000Z')
    client = RecordedClient({'t-1': [old, task('Failed', completionTimestamp='2026-03-02T10:00:01.000Z')]},
                            patch_errors={'/tasks/t-1': [lost]})
    warnings = []
    run = make_run(client, warn=warnings.append)
    run.add(TaskService(client).get('t-1'))
    run.wait_all(run.start())
    assert len(patches(client)) == 1 and client.sleeps.count(1.0) == 0
    assert run.result()['tasks'][0]['attempts'] == 1
    assert any('the retry was applied' in w for w in warnings), warnings
    assert len(run.failures) == 1 and 'may or may not' not in run.failures[0]


def test_lost_answer_with_the_same_failure_after_the_window_does_not_call_a_rerun_safe():
    lost = answer_lost('connection reset', 'connection', 'PATCH', '/tasks/t-1')
    client = RecordedClient({'t-1': [task('Failed', completionTimestamp='2026-03-02T09:20:00.000Z')]},
                            patch_errors={'/tasks/t-1': [lost]})
    run = make_run(client)
    run.add(TaskService(client).get('t-1'))
    with pytest.raises(OperationError) as info:
        run.start()
    message = str(info.value)
    assert len(patches(client)) == 1 and 'may or may not have been applied' in message
    assert 'is safe' not in message and 'whether this retry ran' in message


# -- blind VCF server: a wait on a task that was already running ---------------------------------------------------
class TimeoutWait(NoWait):
    """A waiter whose deadline passes after one poll."""

    def wait(self, fetch, done, first_delay=0.0):
        seen = fetch()
        raise WaitTimeout('still not done after 1.0s (1 polls)', last=seen, polls=1)


def test_a_timed_out_wait_on_a_running_task_does_not_claim_a_retry_was_sent():
    client = RecordedClient({'t-1': [task('In Progress', isRetryable=False)]})
    with pytest.raises(OperationError) as caught:
        task_retry.retry(TaskService(client), ['t-1'], None, waiter_factory=TimeoutWait)
    message = str(caught.value)
    assert patches(client) == []
    assert 'the retry was sent' not in message
    assert 'no retry was sent (already running, not failed) and it goes on: wait for it with' in message


def test_a_timed_out_wait_after_a_retry_says_the_retry_was_sent():
    client = RecordedClient({'t-1': [task('Failed'), task('In Progress')], 't-2': [task('In Progress', id='t-2')]})
    with pytest.raises(OperationError) as caught:
        task_retry.retry(TaskService(client), ['t-1', 't-2'], None, waiter_factory=TimeoutWait)
    message = str(caught.value)
    assert patches(client) == [('PATCH', '/tasks/t-1', None, False)]
    assert 'the retry was sent and goes on; no retry was sent for t-2 (already running): wait for it with' in message


def test_credentials_task_the_credentials_api_does_not_know_is_refused_before_any_patch():
    # A blind fake of SDDC Manager (VCF 9.0 spec: the credentials task GET answers an unknown id with 400) listed a
    # CREDENTIALS_ROTATE task in /v1/tasks that /v1/credentials/tasks did not know: the retry used to send a PATCH with
    # no resources ({"operationType": "ROTATE", "elements": []}) and report whatever the server made of it.
    client = Credentials400({'c-9': [task('Failed', id='c-9', name='Credentials rotate operation', type='CREDENTIALS_ROTATE')]})
    run = make_run(client)
    found = TaskService(client).get('c-9')
    assert isinstance(found, CredentialsTask)
    run.add(found)
    with pytest.raises(OperationError) as info:
        run.start()
    assert patches(client) == []
    message = str(info.value)
    assert 'c-9' in message and 'no record' in message and 'no retry was sent' in message and '\n' not in message
