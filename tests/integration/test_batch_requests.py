# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 16: what a batch (`runs:`) costs in requests, proved on the simulator's counters with 20 runs.

A workflow that declares no outputs has nothing to read at the end: its runs' ends come from the pages of the
workflow's executions list, and no run is read one by one. A workflow with outputs is read once per run at the end.
Whatever the server does with date conditions, every run is followed and none is started twice.
"""

from __future__ import annotations

import json

import pytest

from _harness import run_playbook

ECHO_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
SLEEP_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002'
START_ROUTE = 'POST /vco/api/workflows/<wid>/executions'
READ_ROUTES = ('GET /vco/api/workflows/<wid>/executions/<eid>', 'GET /vco/api/workflows/<wid>/executions/<eid>/state')
RUNS = 20
# Requests that do not grow with the number of runs: the workflow read and one list page per poll of a wait of a
# couple of seconds (poll_schedule: 0.25, 0.5, ... 2.52, 3.18 s). With 1,000 runs they weigh 0.01 request per run,
# which is how the targets (1.2 requests per run without outputs, 2.2 with) are met.
FIXED = 12


def route_count(sim, route):
    return sum(n for key, n in sim.counters().get('routes', {}).items() if key.rstrip('/') == route)


def batch(sim, tmp_path, workflow_id, runs):
    path = tmp_path / 'batch.yml'
    path.write_text(json.dumps([{'name': 'batch', 'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'Start the batch', 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_id': workflow_id, 'runs': runs, 'concurrency': RUNS}}]}]), encoding='utf-8')
    sim.admin('DELETE', 'counters')
    return run_playbook(path, env=sim.env('vro')).result('Start the batch')


def assert_every_run_followed(sim, result, workflow_id):
    executions = result['executions']
    assert len(executions) == RUNS and all(e['state'] == 'completed' for e in executions)
    assert all(e['end_date'] and e['start_date'] and e['duration_seconds'] is not None for e in executions)
    # Exactly the runs the server holds from this task: none lost, none started twice.
    assert route_count(sim, START_ROUTE) == RUNS
    ours = {e['execution_id'] for e in executions}
    assert len(ours) == RUNS
    held = {r['id'] for r in sim.admin('GET', 'vro/runs?workflow=%s&limit=500' % workflow_id)['runs']}
    assert ours <= held


@pytest.mark.default_reading
def test_a_batch_without_outputs_learns_the_ends_from_the_list_and_reads_no_run(fresh_simulator, tmp_path):
    sim = fresh_simulator
    result = batch(sim, tmp_path, SLEEP_ID, [{'seconds': 1 + (i % 3) * 0.5} for i in range(RUNS)])
    assert_every_run_followed(sim, result, SLEEP_ID)
    assert [e['inputs'] for e in result['executions']] == [{'seconds': 1 + (i % 3) * 0.5} for i in range(RUNS)]
    assert all(e['outputs'] == {} for e in result['executions'])
    assert [route_count(sim, route) for route in READ_ROUTES] == [0, 0]
    # One request per run (its start); the rest does not grow with the runs.
    assert sim.counters()['total'] - RUNS <= FIXED


@pytest.mark.default_reading
def test_a_batch_with_outputs_reads_each_run_once_at_the_end(fresh_simulator, tmp_path):
    sim = fresh_simulator
    runs = [{'str': 'run-%02d' % i, 'num': i} for i in range(RUNS)]
    result = batch(sim, tmp_path, ECHO_ID, runs)
    assert_every_run_followed(sim, result, ECHO_ID)
    assert [e['outputs']['out_str'] for e in result['executions']] == [r['str'] for r in runs]
    assert [route_count(sim, route) for route in READ_ROUTES] == [RUNS, 0]
    # Two requests per run (its start and its read); the rest does not grow with the runs.
    assert sim.counters()['total'] - 2 * RUNS <= FIXED


@pytest.mark.parametrize('quirk', ['vro-date-conditions-rejected', 'vro-date-conditions-ignored'])
def test_a_batch_without_outputs_keeps_track_whatever_the_server_does_with_dates(simulator_factory, tmp_path, quirk):
    sim = simulator_factory('--quirk', quirk)
    # Older runs of the same workflow, which a server ignoring the dates lists first.
    sim.admin('POST', 'vro/workflows/%s/runs' % SLEEP_ID, json={'count': 30, 'state': 'completed', 'spacing': 60})
    result = batch(sim, tmp_path, SLEEP_ID, [{'seconds': 1} for i in range(RUNS)])
    assert_every_run_followed(sim, result, SLEEP_ID)
    assert all(e['inputs'] == {'seconds': 1} for e in result['executions'])
