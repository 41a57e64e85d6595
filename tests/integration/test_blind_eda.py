# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Findings of the blind-fake run of the event sources, roles and playbooks (part 21, blind EDA), each played by the
simulator over real HTTP: the module runs through ansible-playbook, the assertions are on its result and the
simulator's request counters and records.
"""

from __future__ import annotations

import json

from _harness import run_playbook

RETRY_SUCCEEDS = '7a5e0001-5e1f-4c0d-9a11-000000000001'
RETRY_FAILS_ONCE = '7a5e0002-5e1f-4c0d-9a11-000000000002'


def play(tmp_path, module, args, name='it'):
    """A one-task playbook (JSON keeps every value as written) whose task may fail."""
    path = tmp_path / 'blind.yml'
    path.write_text(json.dumps([{'name': 'blind', 'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': name, 'cloudops.orchestrator.%s' % module: args, 'ignore_errors': True}]}]), encoding='utf-8')
    return path


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
