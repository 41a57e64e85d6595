# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A gateway's 502/504 to a request that changes something: "may have been applied" (RFC 9110 15.6.3, 15.6.5).

A proxy or load balancer answers 502 Bad Gateway or 504 Gateway Timeout when its upstream sent no valid or timely
answer: the request may have been forwarded and acted upon, exactly as after a read timeout. The simulator plays
"the server acted, then the gateway answered 502/504" with a ``status`` fault with ``act``, and "the gateway
answered without forwarding" with the same fault without ``act``. The module never sends the request again: it
adopts what the request made, or fails saying it may or may not have been applied.
"""

from __future__ import annotations

import pytest

from _harness import run_playbook
from test_at_most_once import (
    AWSNEW_ID, ECHO_ID, INPUTS, LOST, RUN, START, TASK, UNDER_TEST, failure, fired, one_line, runs_of, sent,
)


@pytest.mark.parametrize('kind', ['status', 'html'])
def test_a_start_answered_504_after_the_run_was_created_adopts_that_run(fresh_simulator, kind):
    sim = fresh_simulator
    sim.faults({'route': START, 'method': 'POST', 'kind': kind, 'status': 504, 'act': True, 'count': 1})
    res = run_playbook(RUN, env=sim.env('vro'), extra_vars={'workflow_id': ECHO_ID, 'inputs': INPUTS, 'timeout': 1})
    run = res.result(UNDER_TEST)
    assert fired(sim) == [1], 'the fault did not fire'
    assert [r['id'] for r in runs_of(sim, ECHO_ID)] == [run['execution_id']]
    assert sent(sim, 'POST', '/executions') == 1
    assert run['changed'] is True and run['adopted'] is True and run['state'] == 'completed'
    warnings = run.get('warnings', [])
    assert any('adopted run %s' % run['execution_id'] in w and 'HTTP 504' in w for w in warnings), warnings


def test_a_start_answered_502_without_a_run_fails_saying_it_may_have_happened(fresh_simulator):
    sim = fresh_simulator
    sim.faults({'route': START, 'method': 'POST', 'kind': 'status', 'status': 502, 'count': 1})
    res = run_playbook(RUN, env=sim.env('vro'), expect_failure=True,
                       extra_vars={'workflow_id': ECHO_ID, 'inputs': INPUTS, 'timeout': 1})
    result = failure(res)
    msg = one_line(result['msg'])
    assert LOST in msg and 'HTTP 502 Bad Gateway' in msg and 'reuse: running' in msg, msg
    assert result['execution_ids'] == [] and result['error']['details'] == {'sent': True, 'status': 502}
    assert fired(sim) == [1] and sent(sim, 'POST', '/executions') == 1 and runs_of(sim, ECHO_ID) == []


def test_a_task_delete_answered_504_after_it_was_done_reports_changed(fresh_simulator):
    # A DELETE is never sent again after a 504 (it may have been forwarded): the task, read back, is gone.
    sim = fresh_simulator
    args = {'task_name': 'gateway deleted', 'workflow_id': AWSNEW_ID, 'inputs': {'name': 'web01'},
            'recurrence': {'cycle': 'every-days', 'start': '2030-01-01T02:00:00Z'}}
    run_playbook(TASK, env=sim.env('vro'), extra_vars=args)
    sim.faults({'route': '/vco/api/tasks/*', 'method': 'DELETE', 'kind': 'status', 'status': 504, 'act': True, 'count': 1})
    res = run_playbook(TASK, env=sim.env('vro'), extra_vars={'task_name': 'gateway deleted', 'task_state': 'absent'})
    deleted = res.result(UNDER_TEST)
    assert fired(sim) == [1] and sent(sim, 'DELETE', '/vco/api/tasks') == 1
    assert deleted['changed'] is True and 'already gone' not in deleted['msg'], deleted['msg']
