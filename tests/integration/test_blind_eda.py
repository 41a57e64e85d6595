# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Findings of the blind-fake run of the event sources, roles and playbooks (part 21, blind EDA), each played by the
simulator over real HTTP: the module runs through ansible-playbook, the assertions are on its result and the
simulator's request counters and records.
"""

from __future__ import annotations

import json

from _harness import LocalHttpServer, run_playbook, write_playbook

RETRY_SUCCEEDS = '7a5e0001-5e1f-4c0d-9a11-000000000001'
RETRY_FAILS_ONCE = '7a5e0002-5e1f-4c0d-9a11-000000000002'


def play(tmp_path, module, args, name='it'):
    """A one-task playbook (JSON keeps every value as written) whose task may fail."""
    return write_playbook(tmp_path, 'blind', [{'name': name, 'cloudops.orchestrator.%s' % module: args}], ignore_errors=True)


def test_a_refused_retry_after_a_sent_one_reports_the_sent_retry(fresh_simulator, tmp_path):
    """Two tasks to retry (the role vcf_task_remediation sends every failed task of its window): the first PATCH is
    taken, the second is answered with an error (the blind fake answered a credentials retry with 404, SDDC Manager
    documents 409 for a task that can no longer be retried). The run fails, but says that the first retry was sent,
    reports changed, and lists it in ``retried``: a re-run must not be read as "nothing happened"."""
    sim = fresh_simulator
    sim.faults({'route': '/v1/tasks/%s' % RETRY_FAILS_ONCE, 'method': 'PATCH', 'kind': 'status', 'status': 502,
                'count': 1})
    res = run_playbook(play(tmp_path, 'vcf_task_retry', {'task_ids': [RETRY_SUCCEEDS, RETRY_FAILS_ONCE], 'wait': False,
                                                         'timeout': 1}), env=sim.env('vcf'))
    record = res.record('it')
    result = record['result']
    assert record['status'] == 'ignored', result
    msg = result['msg']
    assert '\n' not in msg.strip() and 'HTTP 502' in msg and RETRY_FAILS_ONCE in msg, msg
    assert 'the retry of %s was sent' % RETRY_SUCCEEDS in msg, msg
    assert result['changed'] is True, result
    assert result['retried'] == [RETRY_SUCCEEDS], result
    assert result['error']['details'] == {'sent': True, 'status': 502}, result['error']
    assert [f['fired'] for f in sim.admin('GET', 'faults')['faults']] == [1]
    # One PATCH each, none sent again.
    assert sim.admin('GET', 'vcf/tasks/%s/attempts' % RETRY_SUCCEEDS)['retry_requests'] == 1
    routes = sim.counters()['routes']
    assert sum(n for key, n in routes.items() if key.startswith('PATCH ') and '/v1/tasks' in key) == 2, routes


def test_the_remediation_role_stops_on_a_failed_retry_request_and_names_the_sent_one(fresh_simulator):
    """vcf_task_remediation, whose window holds several failed tasks: when the PATCH of its second task fails, the role
    stops at the retry step with the module's message (the first retry was sent), rather than going on to a summary
    that shows that task as "still failed after its retries" although it was never waited on."""
    sim = fresh_simulator
    sim.faults({'route': '/v1/tasks/%s' % RETRY_FAILS_ONCE, 'method': 'PATCH', 'kind': 'status', 'status': 502,
                'count': 1})
    res = run_playbook('playbooks/role_apply.yml', env=dict(sim.env('vcf'), VCF_TIMEOUT='1'), expect_failure=True,
                       extra_vars={'role_under_test': 'vcf_task_remediation',
                                   'vcf_task_remediation_since': '2026-03-01T12:00:00Z'})
    failed = res.failed_results()
    assert [r['task'] for r in failed] == ['cloudops.orchestrator.vcf_task_remediation : Retry the failed tasks and wait for them']
    result = failed[0]['result']
    assert 'the retry of %s was sent' % RETRY_SUCCEEDS in result['msg'], result['msg']
    assert result['changed'] is True and result['retried'] == [RETRY_SUCCEEDS], result
    assert sim.admin('GET', 'vcf/tasks/%s/attempts' % RETRY_SUCCEEDS)['retry_requests'] == 1


# -- role variables given as strings (``-e name=value``, an AWX survey's text answer) -----------------------------
def apply_role_with_strings(sim, product, role, fact, **role_vars):
    """Apply ``role`` with every variable a string, as ``ansible-playbook -e name=value`` gives it."""
    extra = dict(role_vars, role_under_test=role, captured_fact=fact)
    res = run_playbook('playbooks/role_apply.yml', extra_vars=extra, env=sim.env(product), check=True)
    return res, res.result("Capture the role's fact")['ansible_facts']['captured']


def test_ico_task_housekeeping_takes_its_numbers_as_strings(fresh_simulator):
    """``-e ico_task_housekeeping_older_than_days=1``: the role's argument spec accepts "1" as an int, but the value
    stays a string; the cut-off was computed as ``"1" * 86400`` and the role failed with a template error."""
    _res, result = apply_role_with_strings(fresh_simulator, 'ico', 'ico_task_housekeeping', 'ico_task_housekeeping_result',
                                           ico_task_housekeeping_older_than_days='1', ico_task_housekeeping_max_delete='200')
    assert sorted(result['tasks']) == ['1003', '1004', '1005', '1008', '1009', '1011']


def test_vcf_task_remediation_takes_its_numbers_and_flags_as_strings(fresh_simulator):
    """``-e vcf_task_remediation_window_hours=...`` (and the other numbers and the flag) as strings: the window was
    computed as ``"..." * 3600`` and the role failed with a template error."""
    res, result = apply_role_with_strings(fresh_simulator, 'vcf', 'vcf_task_remediation', 'vcf_task_remediation_result',
                                          vcf_task_remediation_window_hours='100000', vcf_task_remediation_max_tasks='1000',
                                          vcf_task_remediation_max_attempts='1', vcf_task_remediation_fail_on_remaining='false',
                                          vcf_task_remediation_name_contains='Add cluster sfo-m01-cl02')
    assert result['check_mode'] is True
    assert result['retried'] == [RETRY_SUCCEEDS], result
    assert res.record('cloudops.orchestrator.vcf_task_remediation : Fail when failed tasks remain')['status'] == 'skipped'


def test_vro_schedules_takes_prune_as_a_string(simulator):
    """``-e vro_schedules_prune=false``: a string in a bare ``when`` is refused by ansible-core 2.19 ("Conditionals
    must have a boolean result") and failed the role; it is read as the boolean it names, and nothing is removed."""
    tasks = [{'name': 'blind prune as string', 'workflow_name': 'AWSNEW', 'inputs': {'name': 'bp'},
              'recurrence': {'cycle': 'every-days', 'start': '2031-01-01T02:00:00Z'}}]
    res, result = apply_role_with_strings(simulator, 'vro', 'vro_schedules', 'vro_schedules_result',
                                          vro_schedules_tasks=tasks, vro_schedules_prune='false')
    assert result['removed'] == [], result
    assert res.record('cloudops.orchestrator.vro_schedules : Remove the unlisted ones')['status'] == 'skipped'


class RefusingSddcManager(LocalHttpServer):
    """An SDDC Manager (tokens, GET and PATCH /v1/tasks/{id}) whose PATCH of ``refused`` answers the 409 of the VCF 9.0
    spec ("Task can not be retried"), as it does when the task changed between the read and the retry (retried by
    someone else meanwhile); ``patches`` lists the task ids PATCHed. The simulator cannot play that race."""

    def __init__(self, tasks, refused):
        super().__init__()
        self.tasks, self.refused = tasks, refused
        self.patches = []

    def answer(self, request):
        path, method = request.url_path, request.command
        task_id = path.rsplit('/', 1)[-1]
        if method == 'POST' and path == '/v1/tokens':
            return request.send(200, {'accessToken': 'blind-access', 'refreshToken': {'id': 'blind-refresh'}})
        if path.startswith('/v1/tasks/') and task_id in self.tasks and method == 'GET':
            return request.send(200, self.tasks[task_id])
        if path.startswith('/v1/tasks/') and task_id in self.tasks and method == 'PATCH':
            self.patches.append(task_id)
            if task_id == self.refused:
                return request.send(409, {'errorCode': 'TASK_NOT_RETRYABLE', 'errorType': 'ERROR', 'message':
                                          'Task can not be retried. Only a failed Task can be retried.'})
            return request.send(200)
        return request.send(404, {'errorCode': 'NOT_FOUND', 'message': 'No handler for %s %s' % (method, path)})


def test_a_409_refusal_after_a_sent_retry_reports_the_sent_retry(tmp_path):
    """The refusal answered at once (no lost answer): the module fails with the server's words, changed, and the
    task retried before it named in its message and in ``retried``."""
    first, second = 'blind-task-1', 'blind-task-2'
    tasks = dict((task_id, {'id': task_id, 'name': 'Blind task %s' % task_id, 'type': 'HOST_COMMISSION', 'status': 'FAILED',
                            'creationTimestamp': '2026-03-02T09:15:00.000Z', 'completionTimestamp': '2026-03-02T09:41:27.512Z',
                            'errors': [], 'subTasks': [], 'resources': []}) for task_id in (first, second))
    with RefusingSddcManager(tasks, refused=second) as server:
        env = {'VCF_URL': server.url, 'VCF_USERNAME': 'blind-user', 'VCF_PASSWORD': 'blind-password-1'}
        res = run_playbook(play(tmp_path, 'vcf_task_retry', {'task_ids': [first, second], 'wait': False}), env=env)
    record = res.record('it')
    result = record['result']
    assert record['status'] == 'ignored', result
    msg = result['msg']
    assert '\n' not in msg.strip() and 'HTTP 409' in msg and 'Task can not be retried' in msg, msg
    assert 'the retry of %s was sent' % first in msg, msg
    assert result['changed'] is True and result['retried'] == [first], result
    assert result['error']['status'] == 409, result['error']
    assert server.patches == [first, second]
    assert 'blind-password-1' not in json.dumps(result)
