# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vRO runners' functions called with explicit arguments over a VroApi: no module, fake or real (issue 15 rule 2)."""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.interaction_api import InteractionApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_api import RunApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.execution_cancel import cancel_executions
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.execution_info import execution_info
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_info import task_info
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.workflow_info import workflow_info
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.workflow_run import RunOptions, start_runs
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond


class AllVroApi(RunApi, InteractionApi):
    """Every vRO call: api.VroApi and the *_api.py files next to it (each module ships only those it uses)."""


API = '/vco/api'
WID = 'w-1'
RUN = {'id': 'e-1', 'state': 'completed', 'start-date': '2026-01-01T10:00:00Z', 'end-date': '2026-01-01T10:00:02Z',
       'input-parameters': [], 'output-parameters': [{'name': 'out', 'type': 'string', 'value': {'string': {'value': 'ok'}}}]}


def api_for(server):
    return AllVroApi(Client(server.url, retries=0, sleep=lambda s: None, **CONNECTIONS['vro']))


def link(**attrs):
    return {'rel': 'down', 'href': 'https://vro/x/%s/' % attrs.get('id'),
            'attributes': [{'name': k, 'value': v} for k, v in attrs.items()]}


def test_execution_info_reads_one_run_from_explicit_arguments():
    routes = {'GET %s/workflows/%s/executions/e-1' % (API, WID): [respond(200, RUN)]}
    with ReplayServer(routes) as server:
        result = execution_info(api_for(server), workflow_id=WID, execution_id='e-1')
    assert result['state'] == 'completed' and result['outputs'] == {'out': 'ok'} and result['waited'] is False
    assert [r.method for r in server.requests] == ['GET']


def test_cancel_executions_in_check_mode_sends_no_delete():
    routes = {'GET %s/about' % API: [respond(200, {'version': '8.18.0'})],
              'GET %s/workflows/%s/executions/e-1/state' % (API, WID): [respond(200, {'value': 'running'})]}
    with ReplayServer(routes) as server:
        result = cancel_executions(api_for(server), workflow_id=WID, execution_id='e-1', check_mode=True)
    assert result['changed'] is True and result['executions'][0]['canceled'] is True
    assert not [r for r in server.requests if r.method == 'DELETE']


def test_task_info_filters_without_a_module():
    tasks = {'link': [link(id='t-1', name='nightly', state='pending'), link(id='t-2', name='weekly', state='finished')]}
    routes = {'GET %s/tasks' % API: [respond(200, tasks)],
              'GET %s/tasks/t-1' % API: [respond(200, {'id': 't-1', 'name': 'nightly', 'state': 'pending'})]}
    with ReplayServer(routes) as server:
        result = task_info(api_for(server), name_contains='night', executions=False)
    assert [t['id'] for t in result['tasks']] == ['t-1'] and result['task_count'] == 2
    assert not server.calls('GET', '%s/tasks/t-2' % API)


def test_workflow_info_searches_with_one_workflow_query():
    found = {'link': [link(id=WID, name='Deploy web', categoryName='Demo')], 'total': 1}
    with ReplayServer({'GET %s/workflows' % API: [respond(200, found)]}) as server:
        result = workflow_info(api_for(server), name_contains='web', category='Demo', max_results=10)
    assert result['workflows'] == [{'id': WID, 'name': 'Deploy web', 'category': 'Demo', 'href': 'https://vro/x/%s/' % WID,
                                    'description': None, 'version': None}]
    assert len(server.requests) == 1 and 'categoryName%3DDemo' in server.requests[0].path


def test_start_runs_in_check_mode_from_run_options():
    definition = {'id': WID, 'name': 'Deploy', 'input-parameters': [{'name': 'host', 'type': 'string'}]}
    with ReplayServer({'GET %s/workflows/%s' % (API, WID): [respond(200, definition)]}) as server:
        result = start_runs(api_for(server), [{'host': 'web01'}], RunOptions(workflow_id=WID, check_mode=True))
    assert result['changed'] is True and result['request']['method'] == 'POST'
    assert result['request']['body'] == {'parameters': [{'name': 'host', 'type': 'string', 'scope': 'local',
                                                         'value': {'string': {'value': 'web01'}}}]}
    assert [r.method for r in server.requests] == ['GET']


def test_check_mode_returns_every_key_a_later_task_reads_and_execution_info_accepts_its_href():
    # issue 14 item 1: href, outputs (declared names, placeholder values) and an execution id in check mode.
    outputs = [{'name': 'out_str', 'type': 'string'}, {'name': 'out_num', 'type': 'number'},
               {'name': 'out_flag', 'type': 'boolean'}, {'name': 'out_list', 'type': 'Array/string'},
               {'name': 'out_props', 'type': 'Properties'}, {'name': 'out_vm', 'type': 'VC:VirtualMachine'}]
    definition = {'id': WID, 'name': 'Deploy', 'input-parameters': [{'name': 'host', 'type': 'string'}],
                  'output-parameters': outputs}
    with ReplayServer({'GET %s/workflows/%s' % (API, WID): [respond(200, definition), respond(200, definition)]}) as server:
        api = api_for(server)
        result = start_runs(api, [{'host': 'web01'}], RunOptions(workflow_id=WID, check_mode=True))
        placeholders = {'out_str': '', 'out_num': 0, 'out_flag': False, 'out_list': [], 'out_props': {}, 'out_vm': None}
        assert result['outputs'] == placeholders and result['inputs'] == {'host': 'web01'}
        assert result['execution_id'] == 'check-mode-not-started' and result['state'] is None
        assert result['href'].endswith('/vco/api/workflows/w-1/executions/check-mode-not-started/')
        info = execution_info(api, execution_url=result['href'], wait_for=['completed'], check_mode=True)
    assert info['execution_id'] == result['execution_id'] and info['outputs'] == placeholders
    assert info['workflow_name'] == 'Deploy' and info['waited'] is False and info['changed'] is False
    assert [r.method for r in server.requests] == ['GET', 'GET']
