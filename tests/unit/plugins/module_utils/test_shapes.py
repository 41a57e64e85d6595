# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Wrong-shape answers at every parse point: a one-line ApiError of kind ``shape`` naming the URL, never a traceback.

Each row feeds one answer of the wrong shape (over a real socket, from the replay server) to one reader of the
collection, including the decoders that index into parameter values, and checks the error it ends in.
"""

from __future__ import annotations

import json
import re

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import TaskService as VcfTasks
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.interaction_api import InteractionApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_api import RunApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.workflow_api import WorkflowApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_api import ScheduledTasks as VroTasks
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond


class AllVroApi(RunApi, InteractionApi, WorkflowApi):
    """Every vRO call: api.VroApi and the *_api.py files next to it (each module ships only those it uses)."""


WF = '/vco/api/workflows/w'
RUN = WF + '/executions/e'


def param(value, name='p', type_name='string'):
    return {'input-parameters': [{'name': name, 'type': type_name, 'value': value}]}


def _definition(client):
    return AllVroApi(client).definition('w').input_types()


def _execution(client):
    run = AllVroApi(client).execution('w', 'e')
    return run.to_result()


def _logs(client):
    return AllVroApi(client).logs('w', 'e')


# (id, route, body, headers, call, words)
CASES = [
    # -- vRO parameter lists and the decoders behind them (definition, run, interaction, task)
    ('definition-wrapper', 'GET ' + WF, {'input-parameters': {'parameter': 'oops'}}, None, _definition,
     'an object whose input-parameters.parameter is a JSON string where a list of parameters was expected'),
    ('definition-parameter', 'GET ' + WF, {'input-parameters': [5]}, None, _definition,
     'input-parameters[0] is a JSON number where a parameter (an object with a string name and a typed value)'),
    ('definition-name', 'GET ' + WF, {'input-parameters': [{'name': {'a': 1}, 'type': 'string'}]}, None, _definition,
     'input-parameters[0].name is a JSON object where a string was expected'),
    ('definition-type', 'GET ' + WF, {'input-parameters': [{'name': 'a', 'type': ['string']}]}, None, _definition,
     'input-parameters[0].type is a JSON list where a string was expected'),
    ('run-array-elements', 'GET ' + RUN, param({'array': {'elements': 5}}), None, _execution,
     'input-parameters[0].value.array.elements is a JSON number where a list was expected'),
    ('run-array-nested', 'GET ' + RUN, param({'array': {'elements': [{'sdk-object': 'vm-1'}]}}), None, _execution,
     'input-parameters[0].value.array.elements[0].sdk-object is a JSON string where an object was expected'),
    ('run-properties-key', 'GET ' + RUN, param({'properties': {'property': [{'key': ['k'], 'value': None}]}}), None,
     _execution, 'input-parameters[0].value.properties.property[0].key is a JSON list where a string was expected'),
    ('run-properties-entry', 'GET ' + RUN, param({'properties': {'property': ['k=v']}}), None, _execution,
     'input-parameters[0].value.properties.property[0] is a JSON string where an entry'),
    ('run-composite', 'GET ' + RUN, param({'composite': 'oops'}), None, _execution,
     'input-parameters[0].value.composite is a JSON string where an object was expected'),
    ('run-composite-entries', 'GET ' + RUN, param({'composite': {'property': 7}}), None, _execution,
     'input-parameters[0].value.composite.property is a JSON number where a list of entries was expected'),
    ('run-mime', 'GET ' + RUN, {'output-parameters': [{'name': 'f', 'value': {'mime-attachment': ['x']}}]}, None,
     _execution, 'output-parameters[0].value.mime-attachment is a JSON list where an object was expected'),
    ('run-id', 'GET ' + RUN, {'id': 5}, None, _execution, 'the answer is an object whose id is a JSON number'),
    ('run-href', 'GET ' + RUN, {'href': ['x']}, None, _execution, 'the answer is an object whose href is a JSON list'),
    ('about', 'GET /vco/api/about', ['8.18'], None, lambda c: AllVroApi(c).version(), 'the answer is a JSON list'),
    # -- vRO logs
    ('logs-string', 'GET ' + RUN + '/logs', 'oops', None, _logs, 'the answer is a JSON string where'),
    ('logs-field', 'GET ' + RUN + '/logs', {'logs': 'oops'}, None, _logs,
     'an object whose logs is a JSON string where a list of log entries was expected'),
    ('logs-entry', 'GET ' + RUN + '/logs', {'logs': ['oops']}, None, _logs,
     'an object whose logs[0] is a JSON string where a log entry (an object) was expected'),
    ('logs-severity', 'GET ' + RUN + '/logs', [{'entry': {'severity': 3}}], None, _logs,
     'a list whose item[0].severity is a JSON number where a string was expected'),
    # -- vRO interactions and their presentations
    ('run-interaction', 'GET ' + RUN + '/interaction', {'input-parameters': ['oops']}, None,
     lambda c: AllVroApi(c).pending_interaction('w', 'e'), 'input-parameters[0] is a JSON string where a parameter'),
    ('pending-interaction', 'GET ' + RUN + '/interaction', {'state': ['waiting']}, None,
     lambda c: AllVroApi(c).pending_interaction('w', 'e'), 'the answer is an object whose state is a JSON list'),
    ('interactions-items', 'GET ' + WF + '/interactions', {'items': ['oops']}, None,
     lambda c: AllVroApi(c).workflow_interactions('w'), 'an object whose items[0] is a JSON string where an object'),
    ('interactions-presentation', 'GET ' + WF + '/interactions', [{'name': 'Approve', 'input-parameters': 'oops'}],
     None, lambda c: AllVroApi(c).workflow_interactions('w'), 'a list whose item[0] is an object whose input-parameters is a JSON string'),
    ('interactions-parameter', 'GET ' + WF + '/interactions', [{'name': 'Approve', 'input-parameters': [{'name': 1}]}],
     None, lambda c: AllVroApi(c).workflow_interactions('w'), 'a list whose item[0].input-parameters[0].name is a JSON number'),
    ('pending-runs', 'GET /vco/api/interactions', ['oops'], None, lambda c: AllVroApi(c).workflow_of_pending_run('e'),
     'the answer is a JSON list'),
    # -- vRO runs: a start whose answer names no run, but the run was started
    ('start-unnamed', 'POST ' + WF + '/executions', ['oops'], None, lambda c: AllVroApi(c).start('w', []),
     'the answer is a JSON list where an object'),
    # -- vRO scheduled tasks
    ('tasks-list', 'GET /vco/api/tasks', [5], None, lambda c: VroTasks(c).list(),
     'a list whose item[0] is a JSON number where an object'),
    ('tasks-links', 'GET /vco/api/tasks', {'link': 'oops'}, None, lambda c: VroTasks(c).list(),
     'the answer is an object whose link is a JSON string'),
    ('task-workflow', 'GET /vco/api/tasks/t', {'id': 't', 'workflow': {'href': 5}}, None,
     lambda c: VroTasks(c).get('t').to_result(), 'an object whose workflow is an object whose href is a JSON number'),
    ('task-state', 'GET /vco/api/tasks/t', {'id': 't', 'state': 1}, None, lambda c: VroTasks(c).get('t').to_result(),
     'the answer is an object whose state is a JSON number'),
    ('task-inputs', 'GET /vco/api/tasks/t', dict(param({'sdk-object': []}), id='t'), None,
     lambda c: VroTasks(c).get('t').to_result(), 'input-parameters[0].value.sdk-object is a JSON list'),
    ('task-executions', 'GET /vco/api/tasks/t/executions', {'link': {}}, None, lambda c: VroTasks(c).executions('t'),
     'the answer is an object whose link is a JSON object'),
    ('task-created-unnamed', 'POST /vco/api/tasks', ['oops'], None, lambda c: VroTasks(c).create({'name': 'n'}),
     'the task was created, but the answer does not name it'),
    # -- VCF task lists, sub-tasks and errors
    ('vcf-subtask-errors', 'GET /v1/tasks/t', {'id': 't', 'subTasks': [{'name': 's', 'errors': 'oops'}]}, None,
     lambda c: VcfTasks(c).get('t').result(), 'an object whose subTasks[0] is an object whose errors is a JSON string'),
    ('vcf-nested-subtasks', 'GET /v1/tasks/t', {'id': 't', 'subTasks': [{'name': 's', 'subTasks': [{'dependentSubTasks': 5}]}]},
     None, lambda c: VcfTasks(c).get('t').result(), 'subTasks[0].subTasks[0] is an object whose dependentSubTasks is a JSON number'),
    ('vcf-error-causes', 'GET /v1/tasks/t', {'id': 't', 'errors': [{'message': 'm', 'causes': 5}]}, None,
     lambda c: VcfTasks(c).get('t').result(), 'an object whose errors[0] is an object whose causes is a JSON number'),
    ('vcf-list-element', 'GET /v1/tasks', {'elements': ['oops']}, None, lambda c: VcfTasks(c).list(),
     'the answer is a JSON string where an object'),
    # The ICO create answers of the wrong shape (a list, an id that is an object) are not failures of their own: the task
    # was created, and it is found as after an answer without id (test_masked_texts_and_unreadable_writes.py).
]


def _product(route):
    path = route.split(' ', 1)[1]
    return 'vcf' if path.startswith('/v1/') else 'ico' if path.startswith('/orchestrator/') else 'vro'


@pytest.mark.parametrize('route, body, headers, call, words', [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_wrong_shape_is_one_line_naming_the_url_never_a_traceback(route, body, headers, call, words):
    method, path = route.split(' ', 1)
    with ReplayServer({route: [respond(200, json.dumps(body), headers=headers)]}) as server:
        client = Client(server.url, **CONNECTIONS[_product(route)], retries=0)
        with pytest.raises(ApiError) as info:
            call(client)
    error = info.value
    message = str(error)
    assert error.kind == 'shape', message
    # The URL may carry a query (the logs are read with maxResult, issue 13 item 8).
    assert re.match(re.escape('%s %s%s' % (method, server.url, path)) + r'(\?\S*)? returned HTTP 200; the answer is ', message), message
    assert words in message, message
    assert '\n' not in message


def test_a_wrong_shape_start_answer_with_a_location_still_names_the_run():
    # The run exists and Location names it: the body of the wrong shape is not used, and nothing fails.
    location = {'Location': '/vco/api/workflows/w/executions/e-1/'}
    with ReplayServer({'POST ' + WF + '/executions': [respond(202, {'input-parameters': 'oops'}, headers=location)]}) as server:
        run = AllVroApi(Client(server.url, **CONNECTIONS['vro'], retries=0)).start('w', [])
    assert run.id == 'e-1' and run.to_result()['execution_id'] == 'e-1'


def test_a_wrong_shape_update_answer_is_read_back():
    task = {'id': 't', 'name': 'nightly', 'state': 'pending'}
    with ReplayServer({'POST /vco/api/tasks/t': [respond(200, dict(param(['x']), id='t', state=['pending']))],
                       'GET /vco/api/tasks/t': [respond(200, task)]}) as server:
        updated = VroTasks(Client(server.url, **CONNECTIONS['vro'], retries=0)).update('t', {})
        assert len(server.calls()) == 2
    assert updated.state == 'pending'
