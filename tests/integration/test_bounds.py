# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every failure bounded in time and requests, in one line (issue 12, section 4).

Each test installs a simulator fault, runs one module through ansible-playbook and asserts the one-line message and
the request counters (never durations): paging that never ends, wrong-shape answers, a body trickling in, and a
Retry-After longer than the wait.
"""

from __future__ import annotations

import json

import pytest

from _harness import failed_once, run_playbook, write_playbook

ECHO = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
SLEEP = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002'
UUID_GLOB = '????????-????-????-????-????????????'


def play(tmp_path, module, args, name='it'):
    """A one-task playbook (JSON keeps every value as written) whose task may fail."""
    return write_playbook(tmp_path, 'bounds', [{'name': name, 'cloudops.orchestrator.%s' % module: args}], ignore_errors=True)


def count(sim, method, fragment):
    """Requests counted by the simulator for routes of ``method`` whose rule contains ``fragment``."""
    routes = sim.counters()['routes']
    return sum(n for key, n in routes.items() if key.startswith(method + ' ') and fragment in key)


def test_retry_after_longer_than_the_wait_fails_at_once(fresh_simulator, tmp_path):
    sim = fresh_simulator
    sim.faults({'route': '/vco/api/workflows/*/executions/%s/state' % UUID_GLOB, 'method': 'GET', 'kind': 'throttle',
                'retry_after': 5})
    res = run_playbook(play(tmp_path, 'vro_workflow_run', {'workflow_id': SLEEP, 'inputs': {'seconds': 30},
                                                           'wait_timeout': 1}), env=sim.env('vro'))
    result = failed_once(res)
    assert 'the server asked to retry in 5 s (Retry-After), after the wait_timeout of 1 s' in result['msg']
    # One state request, answered 429: no retry slept through the wait, and the started run is named.
    assert count(sim, 'GET', '/state') == 1
    runs = sim.admin('GET', 'vro/runs')['runs']
    assert len(runs) == 1 and result['execution_id'] == runs[0]['id'] and runs[0]['id'] in result['msg']


def test_paging_that_ignores_start_index_is_bounded(simulator_factory, tmp_path):
    # More same-named workflows than one page (100) holds, so that a server ignoring startIndex sends full pages.
    catalog = tmp_path / 'catalog.yml'
    catalog.write_text(json.dumps({'workflows': [
        {'name': 'Many', 'category': 'Cat%03d' % i, 'behaviour': {'duration': 0.1}} for i in range(101)]}),
        encoding='utf-8')
    sim = simulator_factory('--catalog', str(catalog))
    sim.faults({'route': '/vco/api/workflows', 'method': 'GET', 'kind': 'ignore_paging'})
    res = run_playbook(play(tmp_path, 'vro_workflow_run', {'workflow_name': 'Many', 'category': 'Cat100'}),
                       env=sim.env('vro'))
    result = failed_once(res)
    assert 'the server sent the same page again for startIndex=100: it may ignore startIndex' in result['msg']
    assert '%s/vco/api/workflows' % sim.url in result['msg']
    # Two pages read, the second the same as the first; nothing started.
    assert sim.counters()['routes'].get('GET /vco/api/workflows') == 2
    assert count(sim, 'POST', '/executions') == 0


def test_a_trickling_answer_is_bounded_by_timeout(fresh_simulator, tmp_path):
    sim = fresh_simulator
    # Each byte of the workflow's definition comes within the 3 s timeout; the whole answer would take minutes.
    sim.faults({'route': '/vco/api/workflows/%s' % ECHO, 'method': 'GET', 'kind': 'trickle', 'latency': 1})
    res = run_playbook(play(tmp_path, 'vro_workflow_run', {'workflow_id': ECHO, 'timeout': 3, 'retries': 1}),
                       env=sim.env('vro'), timeout=120)
    result = failed_once(res)
    assert 'GET %s/vco/api/workflows/%s failed; no answer within 3.0s' % (sim.url, ECHO) in result['msg']
    assert 'after 2 attempts' in result['msg']
    # Two attempts (retries: 1), each cut at the deadline; nothing started.
    assert sim.counters()['routes'].get('GET /vco/api/workflows/<wid>') == 2
    assert count(sim, 'POST', '/executions') == 0


# -- a started run or a created task is named when a later read is of the wrong shape ---------------------------

EXECUTION_GLOB = '/vco/api/workflows/%s/executions/%s' % (ECHO, UUID_GLOB)
WRONG_READS = {
    # A run whose outputs hold an SDK object that is a string: the decoder would index into it.
    'outputs': (EXECUTION_GLOB,
                {'id': 'x', 'state': 'completed', 'output-parameters': [
                    {'name': 'vm', 'type': 'VC:VirtualMachine', 'value': {'sdk-object': 'oops'}}]},
                'an object whose output-parameters[0].value.sdk-object is a JSON string where an object was expected'),
    # A state that is a list.
    'state': (EXECUTION_GLOB + '/state', {'value': ['running']},
              'the answer is an object whose value is a JSON list'),
}


def _started(sim):
    return sorted(r['id'] for r in sim.admin('GET', 'vro/runs')['runs'])


@pytest.mark.parametrize('read', sorted(WRONG_READS))
def test_a_started_run_is_named_when_a_later_read_has_the_wrong_shape(fresh_simulator, tmp_path, read):
    sim = fresh_simulator
    route, body, words = WRONG_READS[read]
    sim.faults({'route': route, 'method': 'GET', 'kind': 'body', 'body': body, 'count': 1})
    res = run_playbook(play(tmp_path, 'vro_workflow_run', {'workflow_id': ECHO, 'inputs': {'str': 'one'},
                                                           'poll_interval': 0.2}), env=sim.env('vro'))
    result = failed_once(res)
    assert words in result['msg'] and result['error']['kind'] == 'shape'
    runs = _started(sim)
    assert len(runs) == 1 and count(sim, 'POST', '/executions') == 1
    assert result['execution_id'] == runs[0] and runs[0] in result['msg'] and runs[0] in result['href']
    assert result['changed'] is True


@pytest.mark.parametrize('read', sorted(WRONG_READS))
def test_every_started_run_of_a_batch_is_named_when_a_later_read_has_the_wrong_shape(fresh_simulator, tmp_path, read):
    sim = fresh_simulator
    route, body, words = WRONG_READS[read]
    sim.faults({'route': route, 'method': 'GET', 'kind': 'body', 'body': body, 'count': 1})
    res = run_playbook(play(tmp_path, 'vro_workflow_run', {'workflow_id': ECHO, 'poll_interval': 0.2, 'runs': [
        {'str': 'one'}, {'str': 'two'}]}), env=sim.env('vro'))
    result = failed_once(res)
    assert words in result['msg']
    runs = _started(sim)
    assert len(runs) == 2 and count(sim, 'POST', '/executions') == 2
    assert sorted(e['execution_id'] for e in result['executions']) == runs
    assert all(run in result['msg'] for run in runs)
    assert all(run in e['href'] for run, e in zip(runs, sorted(result['executions'], key=lambda e: e['execution_id'])))


def test_a_created_ico_task_is_named_when_following_it_reads_the_wrong_shape(fresh_simulator, tmp_path):
    sim = fresh_simulator
    sim.faults({'route': '/orchestrator/v2/tasks/*', 'method': 'GET', 'kind': 'body', 'body': ['not', 'a', 'task'],
                'count': 1})
    res = run_playbook(play(tmp_path, 'orch_task', {
        'task': {'eventTopic': 'com/ibm/orchestrator/serviceinstance/plan/ibm_bpm_process',
                 'parm': {'processName': 'Deploy'}, 'delayInSeconds': 1},
        'wait_for_status': ['COMPLETED'], 'poll_interval': 0.2}), env=sim.env('ico'))
    result = failed_once(res)
    assert 'the answer is a JSON list where an object was expected' in result['msg']
    assert count(sim, 'POST', '/orchestrator/v2/tasks') == 1
    created = result['task']['id']
    assert created is not None and 'task %s was created' % created in result['msg']
    assert '/orchestrator/v2/tasks/%s' % created in result['error']['url']
    assert result['changed'] is True


def test_a_created_vro_task_is_named_when_reading_it_back_has_the_wrong_shape(fresh_simulator, tmp_path):
    sim = fresh_simulator
    # The create is applied but its answer is garbled (Location kept); the read-back holds an input that is a number.
    sim.faults({'route': '/vco/api/tasks', 'method': 'POST', 'kind': 'body', 'body': 'oops', 'act': True, 'count': 1})
    sim.faults({'route': '/vco/api/tasks/%s' % UUID_GLOB, 'method': 'GET', 'kind': 'body',
                'body': {'id': 'x', 'name': 'nightly', 'input-parameters': [5]}, 'count': 1})
    res = run_playbook(play(tmp_path, 'vro_task', {'name': 'nightly', 'workflow_id': ECHO,
                                                   'recurrence': {'cycle': 'every-days'}}), env=sim.env('vro'))
    result = failed_once(res)
    assert 'the answer is an object whose input-parameters[0] is a JSON number where a parameter' in result['msg']
    assert count(sim, 'POST', '/tasks') == 1
    tasks = sim.admin('GET', 'requests')['requests']
    posted = [e for e in tasks if e['method'] == 'POST' and e['path'].rstrip('/') == '/vco/api/tasks']
    assert len(posted) == 1
    created = result['task_id']
    assert 'created scheduled task %s' % created in result['msg'] and result['task']['id'] == created
    assert any(e['path'].rstrip('/').endswith(created) for e in tasks if e['method'] == 'GET')
    assert result['changed'] is True
