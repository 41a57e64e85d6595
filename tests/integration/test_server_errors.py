# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A 500 answering a change, and an interaction answer whose answer was lost while its question stays pending.

A server's own 500 (simulator fault ``status`` 500; with ``act`` the API handles the request first) does not prove
that nothing happened: a create, start, retry or answer answered 500 is never sent again; its effect is looked for
during the adoption margin only (10 s: the server had finished with the request) and adopted, or the module fails saying it may or may not have been
applied and where to look. See docs/docsite/rst/reliability.rst, "At most one start".
"""

from __future__ import annotations

import pytest

from _harness import run_playbook
from test_at_most_once import (
    AWSNEW_ID, ECHO_ID, ICO, INPUTS, INTERACTION, LOST, RETRY, RETRY_SUCCEEDS, RUN, START, TASK, UNDER_TEST, failure,
    fired, one_line, runs_of, sent,
)

TASK_ARGS = {'task_name': 'after a 500', 'workflow_id': AWSNEW_ID, 'inputs': {'name': 'web01'},
             'recurrence': {'cycle': 'every-days', 'start': '2030-01-01T02:00:00Z'}}
ICO_FIELDS = {'eventTopic': 'after/500', 'parm': {'job': 'five hundred'}, 'delayInSeconds': 0}
INTERACTION_ROUTE = '/vco/api/workflows/*/executions/*/interaction'


def _vcf_prepare(sim):
    sim.admin('POST', 'vcf/tasks/%s/outcome' % RETRY_SUCCEEDS, json={'retry_seconds': 1})


# name: (product, playbook, extra vars, fault route, method, counted route part, setup)
WRITES = {
    'vro_workflow_run': ('vro', RUN, {'workflow_id': ECHO_ID, 'inputs': INPUTS}, START, 'POST', '/executions', None),
    'vro_task create': ('vro', TASK, TASK_ARGS, '/vco/api/tasks', 'POST', '/vco/api/tasks', None),
    'orch_task create': ('ico', ICO, {'task': ICO_FIELDS}, '/orchestrator/v2/tasks', 'POST', '/orchestrator/v2/tasks', None),
    'vcf_task_retry': ('vcf', RETRY, {'task_id': RETRY_SUCCEEDS}, '/v1/tasks/%s' % RETRY_SUCCEEDS, 'PATCH', '/v1/tasks',
                       _vcf_prepare),
    'vro_interaction': ('vro', INTERACTION, {}, INTERACTION_ROUTE, 'POST', '/interaction', None),
}


@pytest.mark.parametrize('name', sorted(WRITES))
def test_a_change_answered_500_after_the_server_acted_is_adopted_never_resent(fresh_simulator, name):
    product, playbook, extra, route, method, counted, prepare = WRITES[name]
    sim = fresh_simulator
    if prepare:
        prepare(sim)
    sim.faults({'route': route, 'method': method, 'kind': 'status', 'status': 500, 'act': True, 'count': 1})
    res = run_playbook(playbook, env=sim.env(product), extra_vars=extra)
    result = res.result(UNDER_TEST)
    assert fired(sim) == [1], 'the fault did not fire'
    assert sent(sim, method, counted) == 1
    assert result['changed'] is True
    warnings = result.get('warnings', [])
    assert any('HTTP 500' in w and 'instead of sending it again' in w for w in warnings), warnings
    if name == 'vro_workflow_run':
        assert [r['id'] for r in runs_of(sim, ECHO_ID)] == [result['execution_id']] and result['adopted'] is True
    if name == 'vcf_task_retry':
        assert sim.admin('GET', 'vcf/tasks/%s/attempts' % RETRY_SUCCEEDS)['retry_requests'] == 1


def test_a_start_answered_500_without_a_run_fails_saying_it_may_have_happened(fresh_simulator):
    sim = fresh_simulator
    sim.faults({'route': START, 'method': 'POST', 'kind': 'status', 'status': 500, 'count': 1})
    res = run_playbook(RUN, env=sim.env('vro'), expect_failure=True, extra_vars={'workflow_id': ECHO_ID, 'inputs': INPUTS})
    result = failure(res)
    msg = one_line(result['msg'])
    assert LOST in msg and 'HTTP 500' in msg and 'reuse: running' in msg and 'Simulated server error 500' in msg, msg
    # The server had answered: the margin alone (10 s), not the window of a lost answer (timeout + 10 s).
    assert result['adoption_window'] == 10 and 'within 10s' in msg, msg
    assert result['error']['details']['answered'] is True and result['execution_ids'] == []
    assert fired(sim) == [1] and sent(sim, 'POST', '/executions') == 1 and runs_of(sim, ECHO_ID) == []


def test_a_vcf_retry_answered_500_without_a_retry_fails_saying_to_check_first(fresh_simulator):
    sim = fresh_simulator
    sim.faults({'route': '/v1/tasks/%s' % RETRY_SUCCEEDS, 'method': 'PATCH', 'kind': 'status', 'status': 500, 'count': 1})
    res = run_playbook(RETRY, env=sim.env('vcf'), expect_failure=True, extra_vars={'task_id': RETRY_SUCCEEDS})
    msg = one_line(failure(res)['msg'])
    assert LOST in msg and 'HTTP 500' in msg and 'first check in SDDC Manager whether this retry ran' in msg, msg
    assert sent(sim, 'PATCH', '/v1/tasks') == 1
    assert sim.admin('GET', 'vcf/tasks/%s/attempts' % RETRY_SUCCEEDS)['retry_requests'] == 0


def test_a_task_delete_answered_500_with_the_task_still_there_says_it_may_still_be_applied(fresh_simulator):
    sim = fresh_simulator
    run_playbook(TASK, env=sim.env('vro'), extra_vars=TASK_ARGS)
    sim.faults({'route': '/vco/api/tasks/*', 'method': 'DELETE', 'kind': 'status', 'status': 500, 'count': 1})
    res = run_playbook(TASK, env=sim.env('vro'), expect_failure=True,
                       extra_vars={'task_name': TASK_ARGS['task_name'], 'task_state': 'absent'})
    msg = one_line(failure(res)['msg'])
    # Read back, the task is still there: the DELETE is not sent again, and the failure says it may still be applied.
    assert 'HTTP 500' in msg and 'still there' in msg and 'may still be applied' in msg, msg
    assert fired(sim) == [1] and sent(sim, 'DELETE', '/vco/api/tasks') == 1


def test_a_lost_interaction_answer_whose_question_stays_pending_never_calls_a_re_run_safe(fresh_simulator):
    # A gateway's 502 without forwarding: the question stays pending, which is also what a run shows that took the
    # answer and asked the same question again. The module cannot tell: it must say so, and never call a re-run safe.
    sim = fresh_simulator
    sim.faults({'route': INTERACTION_ROUTE, 'method': 'POST', 'kind': 'status', 'status': 502, 'count': 1})
    res = run_playbook(INTERACTION, env=sim.env('vro'), expect_failure=True, extra_vars={'timeout': 1})
    msg = one_line(failure(res)['msg'])
    assert fired(sim) == [1] and sent(sim, 'POST', '/interaction') == 1
    assert LOST in msg and 'is still pending' in msg, msg
    assert 'safe' not in msg and 'fetch_logs: true' in msg and 'check first whether this answer was taken' in msg, msg
