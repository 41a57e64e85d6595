# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A task the server named when it created it may answer 404 for a moment (nodes not in step): orch_task follows it
with wait_for_status instead of failing (a re-run would create a second task). A task that stays unreadable past the
grace (the request timeout plus a margin), or that answers 404 after a read showed it, still fails, once created."""

from __future__ import annotations

import pytest

from _harness import run_playbook

TASK_READ = '/orchestrator/v2/tasks/*'
PLAYBOOK = 'playbooks/once/ico_wait.yml'


def created(sim):
    return sim.counters().get('routes', {}).get('POST /orchestrator/v2/tasks', 0)


def reads(sim):
    return sim.counters().get('routes', {}).get('GET /orchestrator/v2/tasks/<task_id>', 0)


def fired(sim):
    return [f['fired'] for f in sim.admin('GET', 'faults')['faults']]


def test_task_answering_404_just_after_its_create_is_followed(fresh_simulator):
    sim = fresh_simulator
    sim.faults({'route': TASK_READ, 'method': 'GET', 'kind': 'status', 'status': 404, 'count': 2})
    res = run_playbook(PLAYBOOK, env=sim.env('ico'), extra_vars={'parm': {'processName': 'Deploy'},
                                                                 'statuses': ['COMPLETED'], 'timeout': 5})
    result = res.result('Under test')
    assert fired(sim) == [2], 'the fault did not fire'
    assert result['changed'] is True and result['task']['status'] == 'COMPLETED', result
    assert result['msg'] == 'created task %s' % result['task']['id']
    assert created(sim) == 1


def test_task_that_stays_unreadable_still_fails_once_created(fresh_simulator):
    sim = fresh_simulator
    sim.faults({'route': TASK_READ, 'method': 'GET', 'kind': 'status', 'status': 404})
    res = run_playbook(PLAYBOOK, env=sim.env('ico'), expect_failure=True,
                       extra_vars={'parm': {'processName': 'Deploy'}, 'statuses': ['COMPLETED'], 'timeout': 1})
    result = res.failed_results()[0]['result']
    assert 'HTTP 404' in result['msg'] and '\n' not in result['msg'], result['msg']
    assert 'was created' in result['msg'] and result['task']['id'] in result['msg'], result['msg']
    assert result['changed'] is True
    # More than one read: the 404s within the grace were waited out, the one after it failed the task.
    assert reads(sim) > 1 and fired(sim) == [reads(sim)]
    assert created(sim) == 1


# -- a create answered with a Location and no task: the read of that Location -------------------------------------

TASKS = '/orchestrator/v2/tasks'
CREATE = 'playbooks/once/ico.yml'
TASK = {'eventTopic': 'com/ibm/orchestrator/serviceinstance/plan/ibm_bpm_process', 'parm': {'processName': 'Deploy'}}


def _named_by_location_only(sim):
    # 201 with the task's Location (relative, on the configured server) and no body: the module reads the task there.
    sim.faults({'route': TASKS, 'method': 'POST', 'kind': 'rewrite_location', 'count': 1, 'location': '{path}'})


# Under the quirk ico-create-answers-array the answer has no Location to rewrite.
@pytest.mark.default_reading
def test_created_task_whose_location_answers_404_for_a_moment_is_read(fresh_simulator):
    sim = fresh_simulator
    _named_by_location_only(sim)
    sim.faults({'route': TASK_READ, 'method': 'GET', 'kind': 'status', 'status': 404, 'count': 2})
    res = run_playbook(CREATE, env=sim.env('ico'), extra_vars={'task': TASK, 'timeout': 5})
    result = res.result('Under test')
    assert fired(sim) == [1, 2], 'the faults did not fire'
    assert result['changed'] is True and result['msg'] == 'created task %s' % result['task']['id'], result
    assert result['task']['parm'] == TASK['parm'], result
    assert created(sim) == 1 and reads(sim) == 3


@pytest.mark.default_reading
def test_created_task_whose_location_stays_404_fails_once_created(fresh_simulator):
    sim = fresh_simulator
    _named_by_location_only(sim)
    sim.faults({'route': TASK_READ, 'method': 'GET', 'kind': 'status', 'status': 404})
    res = run_playbook(CREATE, env=sim.env('ico'), expect_failure=True,
                       extra_vars={'task': TASK, 'timeout': 1})
    result = res.failed_results()[0]['result']
    task_id = sim.admin('GET', 'requests')['requests'][-1]['path'].rsplit('/', 1)[-1]
    assert 'HTTP 404' in result['msg'] and '\n' not in result['msg'], result['msg']
    assert 'created a task' in result['msg'] and 'orch_task_info (id: %s)' % task_id in result['msg'], result['msg']
    assert result['changed'] is True
    # The 404s within the grace were read again; the POST was never sent again.
    assert reads(sim) > 1 and fired(sim) == [1, reads(sim)]
    assert created(sim) == 1


# -- a create answered with neither a task nor a Location: the list that finds it ----------------------------------

def list_reads(sim):
    return sim.counters().get('routes', {}).get('GET /orchestrator/v2/tasks', 0)


@pytest.mark.parametrize('empty_lists', [2, None])
def test_created_task_named_by_nothing_is_looked_for_in_the_list_again(simulator_factory, empty_lists):
    # 201 with an object without id and no Location (quirk ico-create-answers-array: no Location): the module finds
    # the task in the list, which a node not in step yet answers without it for a moment (empty_lists reads; None:
    # until the end of the window). The POST is sent once either way.
    sim = simulator_factory('--quirk', 'ico-create-answers-array')
    sim.faults({'route': TASKS, 'method': 'POST', 'kind': 'body', 'act': True, 'count': 1, 'body': {'status': 'QUEUED'}})
    sim.faults(dict({'route': TASKS, 'method': 'GET', 'kind': 'body', 'body': []},
                    **({'count': empty_lists} if empty_lists else {})))
    res = run_playbook(CREATE, env=sim.env('ico'), expect_failure=not empty_lists, extra_vars={'task': TASK, 'timeout': 1})
    assert created(sim) == 1
    if empty_lists:
        result = res.result('Under test')
        assert result['changed'] is True and result['task']['parm'] == TASK['parm'], result
        assert [w for w in result.get('warnings', []) if 'named no task' in w], result.get('warnings')
        assert list_reads(sim) == empty_lists + 1
    else:
        result = res.failed_results()[0]['result']
        assert 'named no task' in result['msg'] and 'none of' in result['msg'] and '\n' not in result['msg'], result['msg']
        assert result['changed'] is True
        assert list_reads(sim) > 1
