# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A run the server named when it started it may answer 404 for a moment (nodes not in step): it is followed, not
reported as a failure, and never started again. A run that stays unreadable past the grace still fails."""

from __future__ import annotations

from _harness import run_playbook

ECHO_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
START = '/vco/api/workflows/%s/executions' % ECHO_ID
RUN = 'playbooks/once/run.yml'
INPUTS = {'str': 'not readable yet', 'num': 3}


def started(sim):
    routes = sim.counters().get('routes', {})
    return sum(n for key, n in routes.items() if key.split(' ', 1)[0] == 'POST' and key.rstrip('/').endswith('/executions'))


def test_run_answering_404_just_after_its_start_is_followed(fresh_simulator):
    sim = fresh_simulator
    sim.faults({'route': START + '/*/state', 'method': 'GET', 'kind': 'status', 'status': 404, 'count': 2})
    res = run_playbook(RUN, env=sim.env('vro'), extra_vars={'workflow_id': ECHO_ID, 'inputs': INPUTS, 'timeout': 5})
    run = res.result('Under test')
    assert [f['fired'] for f in sim.admin('GET', 'faults')['faults']] == [2], 'the fault did not fire'
    assert run['changed'] is True and run['state'] == 'completed', run
    runs = sim.admin('GET', 'vro/runs?workflow=%s' % ECHO_ID)['runs']
    assert [r['id'] for r in runs] == [run['execution_id']]
    assert started(sim) == 1


def test_run_that_stays_unreadable_still_fails_once_started(fresh_simulator):
    sim = fresh_simulator
    sim.faults({'route': START + '/*/state', 'method': 'GET', 'kind': 'status', 'status': 404})
    res = run_playbook(RUN, env=sim.env('vro'), expect_failure=True,
                       extra_vars={'workflow_id': ECHO_ID, 'inputs': INPUTS, 'timeout': 1})
    result = res.failed_results()[0]['result']
    assert 'HTTP 404' in result['msg'] and '\n' not in result['msg'], result['msg']
    assert result['changed'] is True
    assert started(sim) == 1
