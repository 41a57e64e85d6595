# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 14 item 12: vro_execution_info lists the runs of every workflow (the catalog's System/WorkflowToken objects)
with the same filters, applied here where the server cannot (user, name, dates), under both readings of the catalog's
conditions."""

from __future__ import annotations

import datetime
import json

from _harness import run_playbook

ECHO_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
FAIL_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0003'
AWSNEW_ID = '3a0ab069-cf2f-47e0-96f5-4a8920a5dc51'


def _play(tmp_path, name, tasks):
    path = tmp_path / ('%s.yml' % name)
    path.write_text(json.dumps([{'name': name, 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]),
                    encoding='utf-8')
    return path


def _start(tmp_path, sim):
    tasks = [{'name': 'fail %d' % i, 'ignore_errors': True, 'cloudops.orchestrator.vro_workflow_run': {'workflow_id': FAIL_ID}}
             for i in range(2)]
    tasks.append({'name': 'aws', 'cloudops.orchestrator.vro_workflow_run': {'workflow_id': AWSNEW_ID, 'inputs': {'name': 'x1'}}})
    res = run_playbook(_play(tmp_path, 'start', tasks), env=sim.env('vro'))
    return [res.result('fail %d' % i)['execution_id'] for i in range(2)], res.result('aws')['execution_id']


def _lists(sim, tmp_path, tag):
    failed, completed = _start(tmp_path, sim)
    later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime('%Y-%m-%dT%H:%M:%SZ')
    tasks = [
        {'name': 'failed', 'cloudops.orchestrator.vro_execution_info': {'state': ['failed']}},
        {'name': 'all', 'cloudops.orchestrator.vro_execution_info': {'max_results': 100}},
        {'name': 'newest failed', 'cloudops.orchestrator.vro_execution_info': {'state': ['failed'], 'max_results': 1,
                                                                               'details': True}},
        {'name': 'future', 'cloudops.orchestrator.vro_execution_info': {'started_after': later}},
        {'name': 'by user', 'cloudops.orchestrator.vro_execution_info': {'started_by': 'nobody-else', 'state': ['failed']}},
        {'name': 'id alone', 'ignore_errors': True, 'cloudops.orchestrator.vro_execution_info': {'execution_id': completed}},
    ]
    path = _play(tmp_path, 'across_' + tag, tasks)
    for check in (False, True):
        res = run_playbook(path, env=sim.env('vro'), check=check)
        found = res.result('failed')
        assert found['workflow_id'] is None and found['changed'] is False
        assert sorted(r['execution_id'] for r in found['executions']) == sorted(failed)
        assert {(r['workflow_id'], r['state']) for r in found['executions']} == {(FAIL_ID, 'failed')}
        assert all(r['href'].endswith('/vco/api/workflows/%s/executions/%s/' % (FAIL_ID, r['execution_id']))
                   for r in found['executions'])
        everything = res.result('all')
        ids = [r['execution_id'] for r in everything['executions']]
        assert set(failed + [completed]) <= set(ids)
        starts = [r['start_date'] for r in everything['executions']]
        assert starts == sorted(starts, reverse=True)
        newest = res.result('newest failed')['executions']
        assert [r['execution_id'] for r in newest] == [found['executions'][0]['execution_id']]
        assert newest[0]['content_exception'] and 'inputs' in newest[0]
        assert res.result('future')['executions'] == []
        assert res.result('by user')['executions'] == []
        assert res.result('id alone')['msg'] == ('execution_id needs its workflow: give workflow_id or workflow_name too, '
                                                 'or use execution_url')


def test_runs_of_every_workflow_filtered_by_state_date_and_user(fresh_simulator, tmp_path):
    _lists(fresh_simulator, tmp_path, 'default')


def test_runs_of_every_workflow_when_the_catalog_ignores_conditions(simulator_factory, tmp_path):
    _lists(simulator_factory('--quirk', 'vro-catalog-conditions-ignored'), tmp_path, 'quirk')


def test_runs_of_every_workflow_when_the_catalog_is_system_workflowexecution(simulator_factory, tmp_path):
    # VMware's o11n workflow manager and a public vRO log script read the catalog of runs at System/WorkflowExecution;
    # under this quirk System/WorkflowToken is a 404, and the module reads the other one.
    _lists(simulator_factory('--quirk', 'vro-catalog-workflowexecution'), tmp_path, 'workflowexecution')
