# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vro_task's update paths under a lost answer, on the readings of POST /tasks/{id} the evidence leaves open
(test_vro_task_readings.py plays them without faults): the resend without nulls after a 400 whose answer is lost, a
task with SecureString inputs that a kept end date would make recreate, and the recreate itself (the new task's
create, the old task's delete) losing its answer. Nothing is ever sent a third time or created twice; what may
have happened is adopted when the server shows it, or named in a one-line failure."""

from __future__ import annotations

import json
import random

import pytest

from _harness import run_playbook
from test_vro_task_readings import AWSNEW_ID, END, NAME, START, simulator, the_task, vro, writes

ECHO_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
UPDATE = '/vco/api/tasks/*'
LOST = 'may or may not have been applied'
REMOVAL = {'cycle': 'every-days', 'start': START, 'pattern': ''}  # no end date, the pattern removed
# A server that refuses null and merges (the resend keeps the end date and pattern: a recreate follows), one that
# refuses null and replaces (the resend removes them).
REFUSING = [('vro-task-null-refused',), ('vro-task-null-refused', 'vro-task-update-replaces')]


def second_only(spec):
    """``spec`` made to fire on the second matching request only: count 1, probability 0.5 and a seed whose first
    draw misses and second hits (the simulator's faults draw from ``random.Random(seed)``)."""
    def misses_then_hits(seed):
        draws = random.Random(seed)
        return draws.random() >= 0.5 > draws.random()

    return dict(spec, count=1, probability=0.5, seed=next(s for s in range(1000) if misses_then_hits(s)))


def fired(sim):
    return [f['fired'] for f in sim.admin('GET', 'faults')['faults']]


def one_line(msg):
    assert '\n' not in msg and 'Traceback' not in msg, msg
    return msg


def merges(sim):
    return 'vro-task-update-replaces' not in sim.quirks


def tasks_named(sim, name=NAME):
    return [a['value'] for link in vro(sim, 'GET', '/tasks/')['relations']['link'] for a in link['attributes']
            if a['name'] == 'id' and {b['name']: b['value'] for b in link['attributes']}['name'] == name]


def seed_task(sim, workflow_id=AWSNEW_ID, parameters=None):
    """The task NAME, every day at 02:00 from START to END, with ``parameters`` (default: AWSNEW's name web01)."""
    if parameters is None:
        parameters = [{'name': 'name', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'web01'}}}]
    return vro(sim, 'POST', '/tasks/', json={
        'name': NAME, 'workflow': {'id': workflow_id}, 'description': 'deploys web01', 'recurrence-cycle': 'every-days',
        'recurrence-start-date': START, 'recurrence-end-date': END, 'recurrence-pattern': '02:00:00',
        'start-mode': 'normal', 'input-parameters': parameters})


def run(tmp_path, sim, args, again=False, expect_failure=False):
    """vro_task on NAME with ``args`` (and a second, identical run when ``again``); the playbook result."""
    task = dict({'name': NAME, 'workflow_name': 'AWSNEW', 'timeout': 1}, **args)
    tasks = [{'name': 'first', 'cloudops.orchestrator.vro_task': task}]
    if again:
        tasks.append({'name': 'again', 'cloudops.orchestrator.vro_task': dict(task, timeout=30)})
    path = tmp_path / 'play.yml'
    path.write_text(json.dumps([{'name': 'lost', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]),
                    encoding='utf-8')
    return run_playbook(path, env=sim.env('vro'), expect_failure=expect_failure)


# -- 1. the resend without nulls loses its answer ---------------------------------------------------------------

@pytest.mark.parametrize('quirks', REFUSING, ids=['+'.join(q) for q in REFUSING])
def test_lost_resend_is_adopted_and_never_sent_a_third_time(fresh_simulator, simulator_factory, tmp_path, quirks):
    sim = simulator(fresh_simulator, simulator_factory, quirks)
    old = seed_task(sim)['id']
    sim.admin('DELETE', 'counters')
    # The null update is refused (400); the resend without nulls is applied and its answer lost.
    sim.faults(second_only({'route': UPDATE, 'method': 'POST', 'kind': 'reset_after'}))
    res = run(tmp_path, sim, {'recurrence': REMOVAL, 'description': 'deploys web02'}, again=True)
    first, again = res.result('first'), res.result('again')
    assert fired(sim) == [1], 'the fault did not fire on the resend'
    recreated = merges(sim)
    expected = {'POST /vco/api/tasks/<tid>': 2}
    if recreated:
        expected.update({'POST /vco/api/tasks': 1, 'DELETE /vco/api/tasks/<tid>': 1})
    assert writes(sim) == expected
    assert first['changed'] is True and bool(first.get('recreated')) == recreated, first
    assert any('adopted the update' in w and old in w for w in first.get('warnings', [])), first.get('warnings')
    assert again['changed'] is False, again
    task = the_task(sim)
    assert 'recurrence-end-date' not in task and not task.get('recurrence-pattern')
    assert task['description'] == 'deploys web02' and task['input-parameters'][0]['value'] == {'string': {'value': 'web01'}}
    assert first['task']['id'] == task['id'] and (task['id'] != old) == recreated


def test_lost_resend_not_applied_fails_saying_it_may_have_happened(fresh_simulator, simulator_factory, tmp_path):
    # The resend is dropped before the server acts: the task never shows the new description. One line says the update
    # may or may not have been applied; nothing more is sent (no third update, no recreate).
    sim = simulator(fresh_simulator, simulator_factory, ('vro-task-null-refused',))
    old = seed_task(sim)['id']
    sim.admin('DELETE', 'counters')
    sim.faults(second_only({'route': UPDATE, 'method': 'POST', 'kind': 'reset_before'}))
    res = run(tmp_path, sim, {'recurrence': REMOVAL, 'description': 'deploys web02'}, expect_failure=True)
    result = res.failed_results()[0]['result']
    msg = one_line(result['msg'])
    assert fired(sim) == [1]
    assert writes(sim) == {'POST /vco/api/tasks/<tid>': 2}
    assert LOST in msg and old in msg and 're-running' in msg, msg
    task = the_task(sim)
    assert task['id'] == old and task['description'] == 'deploys web01'
    assert task['recurrence-end-date'].startswith('2031-06-01T02:00:00') and task['recurrence-pattern'] == '02:00:00'


# -- 2. SecureString inputs and a kept end date ------------------------------------------------------------------

SECRET = [{'name': 'str', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'kept'}}},
          {'name': 'secret', 'type': 'SecureString', 'scope': 'local', 'value': {'secure-string': {'value': 's3cr3t-task'}}}]


@pytest.mark.parametrize('quirks', [('vro-task-null-refused',), ('vro-task-null-kept',)],
                         ids=['null-refused', 'null-kept'])
def test_secret_inputs_that_a_recreate_would_lose_fail_in_one_line(fresh_simulator, simulator_factory, tmp_path, quirks):
    sim = simulator(fresh_simulator, simulator_factory, quirks)
    if not merges(sim):
        pytest.skip('a server that replaces the task removes the end date and pattern: no recreate')
    old = seed_task(sim, ECHO_ID, SECRET)['id']
    sim.admin('DELETE', 'counters')
    res = run(tmp_path, sim, {'workflow_name': 'Echo typed inputs', 'recurrence': REMOVAL}, expect_failure=True)
    result = res.failed_results()[0]['result']
    msg = one_line(result['msg'])
    assert 'SecureString' in msg and old in msg and 'secret_inputs' in msg, msg
    assert result['changed'] is True
    # Nothing lost: the one task keeps its id, its inputs (the secret too) and, as the server would not remove them,
    # its end date and pattern; nothing was created or deleted.
    assert writes(sim) == {'POST /vco/api/tasks/<tid>': 2 if 'vro-task-null-refused' in sim.quirks else 1}
    assert tasks_named(sim) == [old]
    task = the_task(sim)
    values = {p['name']: p.get('value') for p in task['input-parameters']}
    assert values['str'] == {'string': {'value': 'kept'}} and values['secret'] is not None
    assert task['recurrence-end-date'].startswith('2031-06-01T02:00:00')
    assert 's3cr3t-task' not in res.stdout


# -- 3. the recreate loses an answer ----------------------------------------------------------------------------

KEEPING = ('vro-task-null-kept',)  # merges and ignores null: one update, then a recreate


def test_recreate_whose_create_answer_was_lost_adopts_the_new_task(fresh_simulator, simulator_factory, tmp_path):
    sim = simulator(fresh_simulator, simulator_factory, KEEPING)
    if not merges(sim):
        pytest.skip('a server that replaces the task removes the end date and pattern: no recreate')
    old = seed_task(sim)['id']
    sim.admin('DELETE', 'counters')
    sim.faults({'route': '/vco/api/tasks', 'method': 'POST', 'kind': 'reset_after', 'count': 1})
    res = run(tmp_path, sim, {'recurrence': REMOVAL}, again=True)
    first, again = res.result('first'), res.result('again')
    assert fired(sim) == [1]
    expected = {'POST /vco/api/tasks/<tid>': 2 if 'vro-task-null-refused' in sim.quirks else 1,
                'POST /vco/api/tasks': 1, 'DELETE /vco/api/tasks/<tid>': 1}
    assert writes(sim) == expected
    [new] = tasks_named(sim)
    assert new != old and first['recreated'] is True and first['previous_task_id'] == old and first['task']['id'] == new
    assert any('adopted scheduled task %s' % new in w for w in first.get('warnings', [])), first.get('warnings')
    assert again['changed'] is False, again
    task = the_task(sim)
    assert 'recurrence-end-date' not in task and task['input-parameters'][0]['value'] == {'string': {'value': 'web01'}}


def test_recreate_whose_delete_answer_was_lost_adopts_the_deletion(fresh_simulator, simulator_factory, tmp_path):
    # The DELETE of the old task is applied and its answer lost; never sent again, the old task read back is gone.
    sim = simulator(fresh_simulator, simulator_factory, KEEPING)
    if not merges(sim):
        pytest.skip('a server that replaces the task removes the end date and pattern: no recreate')
    old = seed_task(sim)['id']
    sim.admin('DELETE', 'counters')
    sim.faults({'route': UPDATE, 'method': 'DELETE', 'kind': 'reset_after', 'count': 1})
    res = run(tmp_path, sim, {'recurrence': REMOVAL}, again=True)
    first, again = res.result('first'), res.result('again')
    assert fired(sim) == [1]
    assert writes(sim).get('POST /vco/api/tasks') == 1 and writes(sim).get('DELETE /vco/api/tasks/<tid>') == 1
    [new] = tasks_named(sim)
    assert new != old and first['changed'] is True and first['recreated'] is True and first['task']['id'] == new
    assert again['changed'] is False, again


# Why the task is recreated: an end date and pattern the server keeps, or a new workflow (any reading).
CAUSES = {'kept-end': {'recurrence': REMOVAL},
          'new-workflow': {'workflow_name': 'Echo typed inputs', 'inputs': {'str': 'x'}, 'recurrence': REMOVAL}}


@pytest.mark.parametrize('cause', sorted(CAUSES))
@pytest.mark.parametrize('kind', ['reset_before'])
def test_recreate_whose_old_task_cannot_be_deleted_fails_naming_both(fresh_simulator, simulator_factory, tmp_path,
                                                                     kind, cause):
    # The DELETE of the old task is dropped before the server acts (both tasks now run the same schedule); it is never
    # sent again, and the old task read back is still there. The run fails in one line naming both tasks, so that the
    # user checks and deletes the old one; it never passes silently. (Acted upon with its answer lost, the old task
    # read back is gone: test_recreate_whose_delete_answer_was_lost_adopts_the_deletion.)
    sim = simulator(fresh_simulator, simulator_factory, KEEPING)
    if cause == 'kept-end' and not merges(sim):
        pytest.skip('a server that replaces the task removes the end date and pattern: no recreate')
    old = seed_task(sim)['id']
    sim.admin('DELETE', 'counters')
    sim.faults({'route': UPDATE, 'method': 'DELETE', 'kind': kind})
    res = run(tmp_path, sim, dict(CAUSES[cause], retries=1), expect_failure=True)
    result = res.failed_results()[0]['result']
    msg = one_line(result['msg'])
    assert writes(sim).get('POST /vco/api/tasks') == 1 and writes(sim).get('DELETE /vco/api/tasks/<tid>') == 1
    ids = tasks_named(sim)
    new = result['task']['id']
    assert sorted(ids) == sorted([new, old] if kind == 'reset_before' else [new]), ids
    assert new != old and old in msg and new in msg and 'may still be there' in msg, msg
    assert result['changed'] is True and result['previous_task_id'] == old and sorted(result['task_ids']) == sorted([new, old])


@pytest.mark.parametrize('quirks', [(), ('vro-task-update-replaces',)], ids=['merges', 'replaces'])
def test_secret_inputs_left_unmanaged_are_kept_or_their_reset_fails_in_one_line(fresh_simulator, simulator_factory,
                                                                                tmp_path, quirks):
    # Inputs left out of the options are sent back with an update, but SecureString values cannot be (they are not
    # shown), so the update leaves the inputs out. A server that merges keeps them; one that replaces the task resets
    # them, which must not pass as a plain "updated": the run fails in one line naming the inputs to give again.
    sim = simulator(fresh_simulator, simulator_factory, quirks)
    old = seed_task(sim, ECHO_ID, SECRET)['id']
    sim.admin('DELETE', 'counters')
    res = run(tmp_path, sim, {'workflow_name': 'Echo typed inputs', 'start_mode': 'start-in-the-past',
                              'recurrence': {'cycle': 'every-days', 'start': START, 'end': END, 'pattern': '02:00:00'}},
              expect_failure=not merges(sim))
    assert writes(sim) == {'POST /vco/api/tasks/<tid>': 1}
    task = the_task(sim)
    assert task['id'] == old and task['start-mode'] == 'start-in-the-past'
    values = {p['name']: p.get('value') for p in task['input-parameters']}
    if merges(sim):
        first = res.result('first')
        assert first['changed'] is True and first['differences'] == ['start_mode'], first
        assert values['str'] == {'string': {'value': 'kept'}} and values['secret'] is not None
        return
    assert values['str'] is None and values['secret'] is None  # what the server did
    result = res.failed_results()[0]['result']
    msg = one_line(result['msg'])
    assert 'reset its inputs secret, str' in msg and old in msg and 'secret_inputs' in msg, msg
    assert result['changed'] is True and result['task']['id'] == old
