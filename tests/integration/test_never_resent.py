# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PUT and DELETE are never sent again once they may have reached the server; the object is read back instead.

"A request that may have reached the server is never sent again. After a lost or late answer, look for its effect;
adopt it, or fail saying it may have happened." For each PUT/DELETE call site (vRO cancel, vRO scheduled-task delete,
vRO interaction dismissal, ICO task delete and update) the simulator loses the answer after acting (``reset_after``,
``truncated``, ``slow_answer`` past ``timeout``, a gateway's 502/504 or the server's own 500 with ``act``): exactly one
request reaches it and the effect is adopted with a warning. A gateway's answer without ``act`` (nothing was done)
leaves the object as it was: the module fails in one line saying the change may still be applied, still after one
request. The simulator's own counters count the requests.
"""

from __future__ import annotations

import pytest

from _harness import ico_task_list, run_playbook
from test_at_most_once import SLEEP_ID, UNDER_TEST, failure, fired, one_line, scheduled_tasks, sent, vro_api
from test_hostile_vro import _approval, outcome, play_registered

CANCEL = 'playbooks/once/cancel.yml'
TASK = 'playbooks/once/task.yml'
ICO_CHANGE = 'playbooks/once/ico_change.yml'
CANCEL_ROUTE = '/vco/api/workflows/*/executions/*/state'
INTERACTION_ROUTE = '/vco/api/workflows/*/executions/*/interaction'
ICO_TASK_ROUTE = '/orchestrator/v2/tasks/*'
# The answer lost after the server acted: (fault options, module timeout).
ACTED = {
    'reset_after': ({'kind': 'reset_after'}, None),
    'truncated': ({'kind': 'truncated'}, None),
    'slow_answer': ({'kind': 'slow_answer', 'latency': 3}, 1),
    'gateway_502': ({'kind': 'status', 'status': 502, 'act': True}, None),
    'gateway_504': ({'kind': 'html', 'status': 504, 'act': True}, None),
    'server_500': ({'kind': 'status', 'status': 500, 'act': True}, None),
}
# A gateway that answered without forwarding: nothing was done, which the module cannot tell from "not yet".
NOT_DONE = {'kind': 'status', 'status': 502}


def fault(route, method, options):
    return dict(options, route=route, method=method, count=1)


def warned(result, words):
    warnings = result.get('warnings', [])
    assert any(all(w in warning for w in words) for warning in warnings), warnings


def sleeping_run(sim):
    """A Sleep run (120 s) started straight on the simulator: its id."""
    parameters = [{'name': 'seconds', 'type': 'number', 'value': {'number': {'value': 120}}}]
    response = vro_api(sim, 'POST', '/workflows/%s/executions' % SLEEP_ID, json={'parameters': parameters})
    location = response.headers.get('Location') or response.json()['href']
    return location.rstrip('/').rsplit('/', 1)[-1]


def run_state(sim, run_id):
    return [r['state'] for r in sim.admin('GET', 'vro/runs?workflow=%s' % SLEEP_ID)['runs'] if r['id'] == run_id][0]


# -- vRO cancel -----------------------------------------------------------------------------------------------

# A cancel answers 204 without a body: nothing to cut short ('truncated' plays on the ICO update, which has one).
@pytest.mark.parametrize('how', sorted(set(ACTED) - {'truncated'}))
def test_a_cancel_whose_answer_was_lost_is_sent_once_and_adopted(fresh_simulator, how):
    sim = fresh_simulator
    run_id = sleeping_run(sim)
    options, timeout = ACTED[how]
    sim.faults(fault(CANCEL_ROUTE, 'DELETE', options))
    extra = {'workflow_id': SLEEP_ID, 'execution_id': run_id, 'timeout': timeout or 30}
    res = run_playbook(CANCEL, env=sim.env('vro'), extra_vars=extra)
    result = res.result(UNDER_TEST)
    assert fired(sim) == [1], 'the fault did not fire'
    assert sent(sim, 'DELETE', '/state') == 1
    assert run_state(sim, run_id) == 'canceled' and result['state'] == 'canceled' and result['changed'] is True
    warned(result, ('answer to the cancel of run %s was lost' % run_id, 'not sending it again'))


def test_a_cancel_lost_while_the_run_still_goes_fails_saying_it_may_still_be_applied(fresh_simulator):
    sim = fresh_simulator
    run_id = sleeping_run(sim)
    sim.faults(fault(CANCEL_ROUTE, 'DELETE', NOT_DONE))
    res = run_playbook(CANCEL, env=sim.env('vro'), expect_failure=True,
                       extra_vars={'workflow_id': SLEEP_ID, 'execution_id': run_id})
    result = failure(res)
    msg = one_line(result['msg'])
    assert fired(sim) == [1] and sent(sim, 'DELETE', '/state') == 1 and run_state(sim, run_id) == 'running'
    assert 'HTTP 502' in msg and 'still running' in msg and 'may still be applied' in msg, msg
    assert 'vro_execution_info' in msg and 'running this task again is safe' in msg, msg
    assert result['error']['details']['sent'] is True


# -- vRO scheduled task delete -------------------------------------------------------------------------------

def scheduled(sim, name):
    vro_api(sim, 'POST', '/tasks/', json={'name': name, 'workflow': {'id': SLEEP_ID}, 'recurrence-cycle': 'one-time',
                                          'recurrence-start-date': '2031-01-01T00:00:00Z'})
    sim.admin('DELETE', 'counters')


@pytest.mark.parametrize('how', ['reset_after', 'slow_answer', 'gateway_504', 'server_500'])
def test_a_task_delete_whose_answer_was_lost_is_sent_once_and_adopted(fresh_simulator, how):
    sim = fresh_simulator
    scheduled(sim, 'lost delete')
    options, timeout = ACTED[how]
    sim.faults(fault('/vco/api/tasks/*', 'DELETE', options))
    extra = {'task_name': 'lost delete', 'task_state': 'absent'}
    if timeout:
        extra['timeout'] = timeout
    res = run_playbook(TASK, env=sim.env('vro'), extra_vars=extra)
    deleted = res.result(UNDER_TEST)
    assert fired(sim) == [1] and sent(sim, 'DELETE', '/vco/api/tasks') == 1
    assert 'lost delete' not in scheduled_tasks(sim).values()
    assert deleted['changed'] is True and 'already gone' not in deleted['msg'], deleted['msg']
    warned(deleted, ('answer to the delete of scheduled task', 'the task is gone'))


def test_a_task_delete_lost_with_the_task_still_there_fails_saying_it_may_still_be_applied(fresh_simulator):
    sim = fresh_simulator
    scheduled(sim, 'kept task')
    sim.faults(fault('/vco/api/tasks/*', 'DELETE', NOT_DONE))
    res = run_playbook(TASK, env=sim.env('vro'), expect_failure=True,
                       extra_vars={'task_name': 'kept task', 'task_state': 'absent'})
    msg = one_line(failure(res)['msg'])
    assert fired(sim) == [1] and sent(sim, 'DELETE', '/vco/api/tasks') == 1
    assert 'kept task' in scheduled_tasks(sim).values()
    assert 'still there' in msg and 'may still be applied' in msg and 'HTTP 502' in msg, msg


# -- vRO interaction dismissal -------------------------------------------------------------------------------

def test_a_dismissal_lost_with_the_interaction_still_pending_fails_saying_it_may_still_be_applied(fresh_simulator):
    sim = fresh_simulator
    sim.faults(fault(INTERACTION_ROUTE, 'DELETE', NOT_DONE))
    res = play_registered(sim, _approval(state='absent'))
    status, result = outcome(res, UNDER_TEST)
    assert fired(sim) == [1] and sent(sim, 'DELETE', '/interaction') == 1
    assert status == 'ignored', result
    msg = one_line(result['msg'])
    assert 'still pending' in msg and 'may still be applied' in msg and 'HTTP 502' in msg, msg


# -- ICO task delete and update ------------------------------------------------------------------------------

NEW_TASK = {'eventTopic': 'never/resent', 'parm': {'job': 'once', 'size': 'small'}, 'delayInSeconds': 0}
CHANGES = {'parm': {'job': 'once', 'size': 'large'}}


def ico_tasks_with(sim, topic):
    return [t for t in ico_task_list(sim) if t.get('eventTopic') == topic]


@pytest.mark.parametrize('how', ['reset_after', 'gateway_504', 'server_500'])
def test_an_ico_delete_whose_answer_was_lost_is_sent_once_and_adopted(fresh_simulator, how):
    sim = fresh_simulator
    options, timeout = ACTED[how]
    sim.faults(fault(ICO_TASK_ROUTE, 'DELETE', options))
    res = run_playbook(ICO_CHANGE, env=sim.env('ico'), extra_vars={'task': NEW_TASK})
    deleted = res.result(UNDER_TEST)
    assert fired(sim) == [1] and sent(sim, 'DELETE', '/orchestrator/v2/tasks') == 1
    assert ico_tasks_with(sim, NEW_TASK['eventTopic']) == []
    assert deleted['changed'] is True
    warned(deleted, ('answer to the delete of task', 'the task is gone'))


def test_an_ico_delete_lost_with_the_task_still_there_fails_saying_it_may_still_be_applied(fresh_simulator):
    sim = fresh_simulator
    sim.faults(fault(ICO_TASK_ROUTE, 'DELETE', NOT_DONE))
    res = run_playbook(ICO_CHANGE, env=sim.env('ico'), expect_failure=True, extra_vars={'task': NEW_TASK})
    msg = one_line(failure(res)['msg'])
    assert fired(sim) == [1] and sent(sim, 'DELETE', '/orchestrator/v2/tasks') == 1
    assert len(ico_tasks_with(sim, NEW_TASK['eventTopic'])) == 1
    assert 'still there' in msg and 'may still be applied' in msg, msg


@pytest.mark.parametrize('how', ['reset_after', 'truncated', 'slow_answer', 'gateway_502', 'server_500'])
def test_an_ico_update_whose_answer_was_lost_is_sent_once_and_adopted(fresh_simulator, how):
    sim = fresh_simulator
    options, timeout = ACTED[how]
    sim.faults(fault(ICO_TASK_ROUTE, 'PUT', options))
    extra = {'task': NEW_TASK, 'changes': CHANGES}
    if timeout:
        extra['timeout'] = timeout
    res = run_playbook(ICO_CHANGE, env=sim.env('ico'), extra_vars=extra)
    updated = res.result(UNDER_TEST)
    assert fired(sim) == [1] and sent(sim, 'PUT', '/orchestrator/v2/tasks') == 1
    [task] = ico_tasks_with(sim, NEW_TASK['eventTopic'])
    assert task['parm'] == CHANGES['parm'] and updated['changed'] is True
    assert updated['task']['parm'] == CHANGES['parm']
    warned(updated, ('answer to the update of task', 'holds every field as sent'))


def test_an_ico_update_lost_and_not_applied_fails_saying_it_may_have_been_applied(fresh_simulator):
    sim = fresh_simulator
    sim.faults(fault(ICO_TASK_ROUTE, 'PUT', NOT_DONE))
    res = run_playbook(ICO_CHANGE, env=sim.env('ico'), expect_failure=True,
                       extra_vars={'task': NEW_TASK, 'changes': CHANGES})
    msg = one_line(failure(res)['msg'])
    assert fired(sim) == [1] and sent(sim, 'PUT', '/orchestrator/v2/tasks') == 1
    [task] = ico_tasks_with(sim, NEW_TASK['eventTopic'])
    assert task['parm'] == NEW_TASK['parm']
    assert 'may have been applied' in msg and 'differs in parm' in msg and 'compares and updates' in msg, msg


# A 2xx whose body is garbled (``bad_json``): the change was applied, its answer only cannot be read. The warning says
# that (not that the answer was lost, nor that it did not name what it made: an update or a delete makes nothing).
@pytest.mark.parametrize('method', ['PUT', 'DELETE'])
def test_an_ico_change_accepted_with_an_unreadable_answer_is_said_to_be_accepted(fresh_simulator, method):
    sim = fresh_simulator
    sim.faults(fault(ICO_TASK_ROUTE, method, {'kind': 'bad_json'}))
    extra = {'task': NEW_TASK, 'changes': CHANGES} if method == 'PUT' else {'task': NEW_TASK}
    res = run_playbook(ICO_CHANGE, env=sim.env('ico'), extra_vars=extra)
    result = res.result(UNDER_TEST)
    assert fired(sim) == [1] and sent(sim, method, '/orchestrator/v2/tasks') == 1 and result['changed'] is True
    action = 'update' if method == 'PUT' else 'delete'
    warned(result, ('the %s of task' % action, 'was accepted (HTTP 200) but its answer could not be read',
                    'not sending it again'))
    assert not any('was lost' in w or 'what it made' in w for w in result.get('warnings', [])), result['warnings']
