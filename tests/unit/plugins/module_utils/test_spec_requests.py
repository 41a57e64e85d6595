# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every request our API layer builds, checked against the official specs as a strict fake server would read it.

A walk drives every public method of the product API classes (``_vro/api.py``, ``run_api.py``, ``interaction_api.py``,
``task_api.py``, ``_vcf/api.py``, ``_ico/api.py``) and the auth schemes, with the bodies the runners build (every vRO
value kind, every scheduled-task cycle and start mode, the VCF retry specs, ICO creates and updates), through the
real :class:`Client` whose transport is a recording ``requests`` adapter (no socket). Each recorded request goes to
``spec_requests.RequestChecker`` (vRO 8.18.1 and VCF 9.0 OpenAPI documents) or ``ico_problems`` (IBM's page and
API-NOTES). A method added to an API class without a place in the walk fails :func:`test_every_api_method_is_walked`.
The spec-driven tests skip when ``../shared`` is absent.
"""

from __future__ import annotations

import inspect
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import BasicAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_ico import IcoAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_vcf import VcfTokenAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico import api as ico_api
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.task import manage_task
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf import api as vcf_api
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import TaskService
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.task_info import task_info
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.task_retry import retry as vcf_retry
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.task_retry import update_elements
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro import api as vro_api
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro import catalog_api, interaction_api, run_api, task_api, workflow_api
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.encode import encode_parameters
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.catalog_api import CatalogApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.interaction_api import InteractionApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import PNG_SIGNATURE
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_api import RunApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_api import ScheduledTasks
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_model import (
    CYCLES, START_MODES, DesiredTask, ScheduledTask, desired_view, task_body,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.workflow_api import WorkflowApi

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.spec_requests import (
    RequestChecker, Sent, ico_problems,
)


VRO = 'https://vro.test'
VCF = 'https://sddc.test'
ICO = 'https://ico.example.com'
WID = 'wf-1'
EID = 'run-1'
CRED = 'cred-1'
PNG_END = b'\x00\x00\x00\x00IEND\xaeB`\x82'

# One input of every vRO type the encoder writes (API-NOTES, "Parameter value encoding").
DECLARED = [
    {'name': 'text', 'type': 'string'}, {'name': 'count', 'type': 'number'}, {'name': 'ratio', 'type': 'number'},
    {'name': 'flag', 'type': 'boolean'}, {'name': 'pw', 'type': 'SecureString'}, {'name': 'enc', 'type': 'EncryptedString'},
    {'name': 'when', 'type': 'Date'}, {'name': 'rx', 'type': 'Regexp'}, {'name': 'names', 'type': 'Array/string'},
    {'name': 'grid', 'type': 'Array/Array/number'}, {'name': 'props', 'type': 'Properties'},
    {'name': 'pair', 'type': 'CompositeType(a:string,b:number):Pair'}, {'name': 'vm', 'type': 'VC:VirtualMachine'},
    {'name': 'vm2', 'type': 'VC:VirtualMachine'}, {'name': 'file', 'type': 'MimeAttachment'}, {'name': 'anything', 'type': 'Any'},
]
INPUTS = {
    'text': 'web01', 'count': 20, 'ratio': 2.5, 'flag': 'yes', 'pw': 's3cret-Value', 'enc': 'x', 'when': '2026-01-31T10:00:00Z',
    'rx': '^a.*', 'names': ['a', 'b'], 'grid': [[1, 2], [3.5]],
    'props': {'env': 'prod', 'size': 3, 'on': True, 'tags': ['x'], 'nested': {'k': 'v'}, 'at': '2026-01-31'},
    'pair': {'a': 'x', 'b': 2}, 'vm': 'vc01/vm-42', 'vm2': {'id': 'vm-43', 'display_value': 'web', 'href': 'https://vc/vm-43'},
    'file': {'name': 'a.csv', 'mime_type': 'text/csv', 'content': 'a,b'},
    'anything': {'list': [1, 'two', False], 'map': {'deep': 1.5}},
}
RAW_INPUT = {'name': 'extra', 'type': 'string', 'value': {'string': {'value': 'raw'}}}


def response(request, status, data=None, headers=None, content=None):
    answer = requests.Response()
    answer.status_code = status
    answer._content = content if content is not None else (json.dumps(data).encode() if data is not None else b'')
    answer.headers = CaseInsensitiveDict(headers or {})
    if data is not None:
        answer.headers['Content-Type'] = 'application/json'
    answer.url = request.url
    answer.request = request
    return answer


class Recorder(BaseAdapter):
    """A transport that records every request and answers with ``route(method, path, query, body)``."""

    def __init__(self, route):
        super().__init__()
        self.route = route
        self.sent = []

    def send(self, request, **kwargs):
        self.sent.append(Sent(request.method, request.url, request.headers, request.body))
        url = urlsplit(request.url)
        body = json.loads(request.body) if request.body else None
        return response(request, *self.route(request.method, url.path, parse_qs(url.query), body))

    def close(self):
        pass


def client_for(url, product, route, auth=None):
    recorder = Recorder(route)
    client = Client(url, auth=auth, retries=0, sleep=lambda s: None, **CONNECTIONS[product])
    client.session.mount('https://', recorder)
    return client, recorder


# -- vRO -------------------------------------------------------------------------------------------------------------

def vro_link(href, **attrs):
    return {'rel': 'down', 'href': VRO + '/vco/api' + href, 'attributes': [{'name': k, 'value': v} for k, v in attrs.items()]}


TASK = {'id': 'task-1', 'name': 'nightly', 'state': 'pending', 'workflow': {'id': WID, 'name': 'Echo'},
        'recurrence-cycle': 'every-days', 'recurrence-start-date': '2026-01-31T10:00:00.000Z',
        'recurrence-end-date': '2026-03-31T10:00:00.000Z', 'recurrence-pattern': 'x', 'start-mode': 'normal',
        'input-parameters': []}


def vro_route(version='8.18.1'):
    def route(method, path, query, body):
        path = path[len('/vco/api'):]
        run = {'id': EID, 'state': 'waiting', 'name': 'Echo', 'start-date': '2026-01-31T10:00:00Z', 'started-by': 'bob',
               'input-parameters': [], 'output-parameters': []}
        if path == '/about':
            return 200, {'version': version, 'api-version': '6.0.0'}
        if path == '/workflows':
            return 200, {'link': [vro_link('/workflows/%s/' % WID, id=WID, name='Echo', categoryName='Library')], 'total': 1}
        if path == '/workflows/%s' % WID:
            return 200, {'id': WID, 'name': 'Echo', 'input-parameters': DECLARED + [{'name': 'extra', 'type': 'string'}]}
        if path == '/workflows/%s/schema' % WID:
            return 200, None, {'Content-Type': 'image/png'}, PNG_SIGNATURE + b'body' + PNG_END
        if path == '/workflows/%s/interactions' % WID:
            return 200, {'link': [vro_link('/interactions/i-1/', id='i-1', name='Approve')]}
        if path == '/interactions':
            return 200, {'link': [vro_link('/interactions/i-1/', executionId=EID, workflowId=WID)]}
        if path == '/catalog/System/WorkflowToken':
            return 200, {'link': [vro_link('/catalog/System/WorkflowToken/%s/' % EID, id=EID, name='Echo', state='waiting',
                                           startDate='2026-01-31T10:00:00Z', workflowId=WID)]}
        base = '/workflows/%s/executions' % WID
        if path == base and method == 'POST':
            return 202, None, {'Location': VRO + '/vco/api%s/%s/' % (base, EID)}
        if path == base:
            return 200, {'relations': {'link': [vro_link('%s/%s/' % (base, EID), id=EID, state='waiting',
                                                         startDate='2026-01-31T10:00:00Z', startedBy='bob')], 'total': 1}}
        if path == '%s/%s' % (base, EID) and method == 'GET':
            return 200, run
        if path in ('%s/%s/state' % (base, EID), '%s/%s/' % (base, EID)) and method == 'DELETE':
            return (405, {'message': 'no'}) if version.startswith('7') and path.endswith('/state') else (204,)
        if path == '%s/%s/state' % (base, EID):
            return 200, {'value': 'waiting'}
        if path in ('%s/%s/logs' % (base, EID), '%s/%s/syslogs' % (base, EID)):
            return 200, {'logs': [{'entry': {'severity': 'info', 'short-description': 'hi', 'time-stamp': '2026-01-31T10:00:00Z'}}]}
        if path == '%s/%s/interaction' % (base, EID):
            if method == 'GET':
                return 200, {'name': 'Approve', 'input-parameters': [{'name': 'approved', 'type': 'boolean'},
                                                                     {'name': 'note', 'type': 'string'}]}
            return (204,)
        if path == '/tasks' and method == 'GET':
            return 200, {'link': [vro_link('/tasks/task-1/', id='task-1', name='nightly')]}
        if path == '/tasks' and method == 'POST':
            return 202, dict(TASK, **{'name': body.get('name')}), {'Location': VRO + '/vco/api/tasks/task-1/'}
        if path == '/tasks/task-1' and method == 'POST':
            return 200, TASK
        if path == '/tasks/task-1' and method == 'GET':
            return 200, TASK
        if path == '/tasks/task-1' and method == 'DELETE':
            return (204,)
        if path == '/tasks/task-1/executions':
            return 200, {'link': [vro_link('%s/%s/' % (base, EID), id=EID, state='completed')]}
        return 404, {'message': 'no route %s %s' % (method, path)}
    return route


class AllVroApi(RunApi, InteractionApi, WorkflowApi, CatalogApi):
    """Every vRO call of api.py and the *_api.py files next to it."""


def walk_vro():
    """Every vRO request: ``(recorded requests, names of the methods walked)``."""
    walked = set()
    client, recorder = client_for(VRO, 'vro', vro_route(), auth=BasicAuth('bob', 'pw-123'))
    api = AllVroApi(client)

    def call(method, *args, **kwargs):
        walked.add(method)
        return getattr(api, method)(*args, **kwargs)

    call('find_workflows', name='Echo', category='Library')
    call('find_workflows', name_contains='v2.1', category='Library')
    call('find_workflows', name='a,b=c')
    call('lookup_workflow', 'Echo', 'Library')
    call('other_case', 'ECHO')
    call('case_hint', 'Ech0 1')
    call('resolve_workflow', workflow_id=WID)
    call('resolve_workflow', name='Echo')
    call('schema', WID)
    definition = call('definition', WID)
    call('execution', WID, EID)
    call('state', WID, EID)
    call('logs', WID, EID, max_results=10, severity='error')
    call('syslogs', WID, EID)
    call('pending_interaction', WID, EID)
    call('workflow_interactions', WID)
    call('list_executions', WID, states=['running', 'failed'], started_by='bob', started_after=1769853600.0,
         started_before=1769857200.0, name='v2', max_results=5, start_index=2)
    call('list_executions', WID)
    call('list_all_executions', states=['waiting'], started_by='bob')
    call('list_all_executions')
    call('about')
    call('version')
    call('major_version')
    parameters = encode_parameters(definition.input_parameters, INPUTS, 'Echo', raw_inputs=[RAW_INPUT])
    call('start', WID, parameters)
    call('start_once', WID, parameters, user='bob')
    call('cancel', WID, EID)
    walked.update(('cancel_path', 'cancel_call', 'executions_path', 'server_now'))  # no request: paths and clocks
    interaction = api.pending_interaction(WID, EID)
    answers = encode_parameters(interaction.input_parameters, {'approved': True, 'note': 'ok'}, 'Approve',
                                context_kind='interaction')
    call('answer_interaction', WID, EID, answers)
    call('dismiss_interaction', WID, EID)
    call('workflow_of_pending_run', EID)
    # Only after a lost answer (AnswerLost): their requests are those of list_executions and execution, walked above.
    walked.update(('adopt_lost', 'adopt_lost_all'))

    tasks = ScheduledTasks(client)

    def task_call(method, *args, **kwargs):
        walked.add('ScheduledTasks.' + method)
        return getattr(tasks, method)(*args, **kwargs)

    task_call('list')
    current = task_call('get', 'task-1')
    task_call('find', 'nightly')
    inputs = encode_parameters(definition.input_parameters, {'text': 'a', 'pair': {'a': 'x'}}, 'Echo')
    for cycle in CYCLES:
        for mode in START_MODES:
            desired = DesiredTask('nightly', workflow_id=WID, recurrence={'cycle': cycle, 'start': '2026-01-31T10:00:00Z'},
                                  start_mode=mode, description='d', parameters=inputs)
            task_call('create', task_body(desired_view(None, desired), inputs))
    full = DesiredTask('nightly', workflow_id=WID, recurrence={'cycle': 'every-weeks', 'start': '2026-01-31T10:00:00Z',
                                                               'end': '2026-02-28T10:00:00Z', 'pattern': 'p'})
    task_call('create', task_body(desired_view(None, full)))
    # Updates: changes that keep the end date and pattern; one that removes the description; one of a task that has
    # neither (nothing to remove: neither is sent). Removing them is test_vro_task_update_removing_end_and_pattern.
    for desired in (DesiredTask('nightly', start_mode='start-in-the-past'), DesiredTask('nightly', description=''),
                    DesiredTask('nightly', recurrence={'cycle': 'every-days', 'end': '2026-04-30T10:00:00Z', 'pattern': 'q'})):
        task_call('update', 'task-1', task_body(desired_view(current, desired), None, task_id='task-1', current=current))
    plain = ScheduledTask(dict(TASK, **{'recurrence-end-date': None, 'recurrence-pattern': None}))
    task_call('update', 'task-1', task_body(desired_view(plain, DesiredTask('nightly', start_mode='normal')), inputs,
                                            task_id='task-1', current=plain))
    task_call('delete', 'task-1')
    task_call('executions', 'task-1')
    return recorder.sent, walked


def update_removing(current):
    """The request of a vro_task update that manages the recurrence as a plain every-days one (no end date, the pattern
    removed: ``pattern: ''``), to ``current``."""
    client, recorder = client_for(VRO, 'vro', vro_route(), auth=BasicAuth('bob', 'pw-123'))
    view = desired_view(current, DesiredTask('nightly', recurrence={'cycle': 'every-days', 'pattern': ''}))
    ScheduledTasks(client).update(current.id, task_body(view, None, task_id=current.id, current=current))
    return recorder.sent[0]


def walk_vro_7():
    """The vRO 7.x cancel: ``DELETE .../state`` refused with 405, then the 7.1 guide's ``DELETE .../executions/{id}/``."""
    client, recorder = client_for(VRO, 'vro', vro_route('7.6.0'), auth=BasicAuth('bob', 'pw-123'))
    RunApi(client).cancel(WID, EID)
    return recorder.sent


# -- VCF -------------------------------------------------------------------------------------------------------------

JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDAsImlhdCI6MTcwMDAwMDAwMH0.c2ln'
VCF_TASK = {'id': 't-1', 'name': 'Add host', 'type': 'HOST_ADDITION', 'status': 'Failed', 'isRetryable': True,
            'creationTimestamp': '2026-01-31T10:00:00.000Z', 'completionTimestamp': '2026-01-31T10:05:00.000Z',
            'resources': [{'resourceId': 'r-1', 'type': 'ESXI'}]}
VCF_CRED_TASK = {'id': CRED, 'name': 'Password rotation', 'type': 'ROTATE', 'status': 'FAILED',
                 'creationTimestamp': '2026-01-31T10:00:00.000Z'}
RESOURCE_CREDENTIALS = [{'resourceName': 'vc01', 'resourceType': 'VCENTER',
                         'credentials': [{'username': 'root', 'credentialType': 'SSH', 'accountType': 'USER'}]}]


def vcf_route(method, path, query, body):
    path = path[len('/v1'):]
    if path == '/tokens':
        return 201, {'accessToken': JWT, 'refreshToken': {'id': 'refresh-1'}}
    if path == '/tokens/access-token/refresh':
        return 200, JWT
    if path == '/tasks' and method == 'GET':
        number = int((query.get('pageNumber') or ['0'])[0])
        elements = [dict(VCF_TASK, id='t-%d' % (number + 1))] if number < 2 else []
        return 200, {'elements': elements, 'pageMetadata': {'pageNumber': number, 'pageSize': 1, 'totalElements': 2,
                                                            'totalPages': 2}}
    if re.match(r'^/tasks/t-\d+$', path):
        return (200,) if method == 'PATCH' else (200, dict(VCF_TASK, id=path.rsplit('/', 1)[1]))
    if path == '/tasks/%s' % CRED:
        return 404, {'message': 'not found'}
    if path == '/credentials/tasks/%s' % CRED:
        return (202, VCF_CRED_TASK) if method == 'PATCH' else (200, VCF_CRED_TASK)
    if path == '/credentials/tasks/%s/resource-credentials' % CRED:
        return 200, RESOURCE_CREDENTIALS
    return 404, {'message': 'no route %s %s' % (method, path)}


def walk_vcf():
    walked = set()
    auth = VcfTokenAuth('admin@local', 'pw-123')
    client, recorder = client_for(VCF, 'vcf', vcf_route, auth=auth)
    service = TaskService(client)

    def call(method, *args, **kwargs):
        walked.add(method)
        return getattr(service, method)(*args, **kwargs)

    task = call('get', 't-1')
    cred = call('get', CRED)
    call('as_credentials', task)
    call('refresh', task)
    call('refresh', cred)
    call('list', {'taskStatus': 'FAILED'}, max_results=5)
    call('undated_since', {'taskStatus': 'FAILED', 'completedAfter': 1769853600000}, max_results=5)
    call('find', {'t-1'}, {'taskStatus': 'IN_PROGRESS', 'taskType': 'HOST_ADDITION'})
    call('retry', task)
    call('retry', cred)
    update = update_elements([{'resource_type': 'VCENTER', 'resource_name': 'vc01', 'credentials': [
        {'username': 'root', 'password': 'N3w-Secret!', 'credential_type': 'SSH', 'account_type': 'USER'}]}])
    rotate = vcf_api.CredentialsTask(dict(VCF_CRED_TASK, type='UPDATE'), CRED)
    call('retry', rotate, update_elements=update)
    call('credentials_retry_spec', cred)
    call('completed_since', 1769853600000)
    call('completed_pages', 1769853600000, 2)
    walked.add('as_credentials')
    # The runners' own queries: every filter of vcf_task_info, and the retry of the failed tasks a selector matches.
    task_info(service, [], {'name_contains': 'host', 'type': 'HOST_ADDITION', 'resource_id': 'r-1', 'resource_type': 'ESXI',
                            'completed_after': '2026-01-31T10:00:00Z'}, status='failed', order='asc',
              order_by='creationTimestamp', max_results=3)
    vcf_retry(service, [], {'name_contains': 'host'}, max_results=2, wait=False)
    auth.refresh(client)
    return recorder.sent, walked


# -- ICO -------------------------------------------------------------------------------------------------------------

ICO_TASK = {'id': '1003', 'status': 'COMPLETED', 'user': 'admin', 'project': 'admin', 'created': 1396263830875,
            'eventTopic': 'com/ibm/orchestrator/serviceinstance/plan/ibm_bpm_process', 'delayInSeconds': 30,
            'parm': {'a': 1}}


def ico_route(method, path, query, body):
    path = path[len('/orchestrator/v2'):]
    if path == '/tasks' and method == 'GET':
        if 'paged' in query.get('expand', []) or query.get('_start'):
            start = int((query.get('_start') or ['0'])[0])
            return 200, {'tasks': [dict(ICO_TASK, id=str(1003 + start))] if start < 2 else [], 'start': start, 'limit': 1,
                         'total': 2}
        return 200, [ICO_TASK]
    if path == '/tasks' and method == 'POST':
        return 201, dict(ICO_TASK, **body)
    if path == '/tasks/1003':
        return (204,) if method == 'DELETE' else (200, ICO_TASK)
    return 404, {'message': 'no route'}


def walk_ico():
    walked = set()
    client, recorder = client_for(ICO, 'ico', ico_route, auth=IcoAuth('admin', 'pw-123', domain='Default', project='admin'))
    engine = TaskEngine(client, user='admin', project='admin')

    def call(method, *args, **kwargs):
        walked.add(method)
        return getattr(engine, method)(*args, **kwargs)

    call('list')
    call('list', expand=True)
    call('get', '1003')
    call('get', '1003', expand=True)
    call('create', {'eventTopic': 'x/y', 'parm': {'a': 1}, 'delayInSeconds': 5})
    call('update', '1003', {'delayInSeconds': 60})
    call('delete', '1003')
    call('find_created', {'eventTopic': 'x/y'}, 0)
    # A /tasks answered as a page of the other /orchestrator/v2 collections: the next pages by _start/_limit.
    page = {'tasks': [ICO_TASK], 'start': 0, 'limit': 1, 'total': 2}
    call('_rest_of_pages', page, False)
    walked.update(('read_created',))  # a GET of the Location a create answer names: the GET /tasks/{id} above
    manage_task(engine, None, {'eventTopic': 'x/y', 'parm': {'b': 2}, 'delayInSeconds': '30'}, 'present', wait=False)
    manage_task(engine, '1003', {'parm': {'b': 3}}, 'present', wait=False)
    return recorder.sent, walked


# -- the checks ------------------------------------------------------------------------------------------------------

@pytest.fixture(scope='module')
def vro_checker(vro_spec):
    return RequestChecker(vro_spec, '/vco/api')


@pytest.fixture(scope='module')
def vcf_checker(vcf_spec):
    return RequestChecker(vcf_spec, '')


def distinct(sent):
    """One request per method, path, query names and body shape (the label names what differs)."""
    seen = {}
    for request in sent:
        key = (request.method, request.path, tuple(sorted(set(n for n, v in request.query))), request.text)
        seen.setdefault(key, request)
    return list(seen.values())


def report(checker, sent):
    return ['%s: %s' % (request.label(), problem) for request in distinct(sent) for problem in checker(request)]


def test_vro_requests_follow_the_818_spec(vro_checker):
    sent, walked = walk_vro()
    assert len(distinct(sent)) > 30 and {'start', 'answer_interaction', 'ScheduledTasks.create'} <= walked
    assert report(vro_checker.problems, sent) == []


def test_vcf_requests_follow_the_90_spec(vcf_checker):
    sent, walked = walk_vcf()
    assert {'retry', 'list', 'completed_since'} <= walked
    assert any(r.method == 'PATCH' and r.path.startswith('/v1/credentials/tasks/') for r in sent)
    assert report(vcf_checker.problems, sent) == []


def test_ico_requests_follow_ibm_page_and_api_notes():
    sent, walked = walk_ico()
    assert {'create', 'update', 'delete'} <= walked
    assert any(name == '_start' for r in sent for name, v in r.query)
    assert report(ico_problems, sent) == []


def test_vro_task_update_sends_no_null_for_nothing_to_remove(vro_checker):
    """A task without an end date or pattern: an update sends neither (the spec allows no null there)."""
    plain = ScheduledTask(dict(TASK, **{'recurrence-end-date': None, 'recurrence-pattern': None}))
    sent = update_removing(plain)
    assert 'recurrence-end-date' not in sent.body and 'recurrence-pattern' not in sent.body
    assert vro_checker.problems(sent) == []


def test_vro_task_update_removing_end_and_pattern(vro_checker):
    """Open: the one request outside the spec. Removing a task's end date and pattern sends them as null, which the 8.18
    spec does not allow (WsTask: plain strings, not nullable); a server that merges the body (the simulator) keeps a
    field left out, so null is what removes them there (simulator/README.md, notes of sources)."""
    sent = update_removing(ScheduledTask(TASK))
    assert sent.body['recurrence-end-date'] is None and sent.body['recurrence-pattern'] is None
    assert vro_checker.problems(sent) == ['body.recurrence-end-date is null, which the spec does not allow (not nullable)',
                                          'body.recurrence-pattern is null, which the spec does not allow (not nullable)']


def test_vro_7_cancel_fallback_is_the_71_guide_call():
    """Not in the 8.18 spec: after a 405 on .../state, only a 7.x server gets DELETE .../executions/{id}/ (the 7.1
    guide, seeds/vro-7.1-rest-api-guide-excerpt.txt: 'Cancel a workflow run')."""
    sent = walk_vro_7()
    assert [(r.method, r.path) for r in sent if r.method == 'DELETE'] == [
        ('DELETE', '/vco/api/workflows/%s/executions/%s/state' % (WID, EID)),
        ('DELETE', '/vco/api/workflows/%s/executions/%s/' % (WID, EID))]


API_CLASSES = ((vro_api, vro_api.VroApi, '', 'walk_vro'), (run_api, RunApi, '', 'walk_vro'),
               (interaction_api, InteractionApi, '', 'walk_vro'), (workflow_api, WorkflowApi, '', 'walk_vro'),
               (catalog_api, CatalogApi, '', 'walk_vro'), (task_api, ScheduledTasks, 'ScheduledTasks.', 'walk_vro'),
               (vcf_api, TaskService, '', 'walk_vcf'), (ico_api, TaskEngine, '', 'walk_ico'))


@pytest.mark.parametrize('module, cls, prefix, walk', API_CLASSES, ids=[c.__name__ for m, c, p, w in API_CLASSES])
def test_every_api_method_is_walked(module, cls, prefix, walk):
    """A new endpoint method is checked against the spec only once the walk calls it: add it to walk_*()."""
    names = globals()[walk]()[1]
    own = [name for name, member in vars(cls).items() if inspect.isfunction(member) and name != '__init__'
           and (not name.startswith('_') or name == '_rest_of_pages') and member.__module__ == module.__name__]
    missing = [prefix + name for name in own if prefix + name not in names]
    assert own and missing == []
