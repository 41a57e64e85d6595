# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module_utils against recorded server traffic in every shape real servers emit (API-NOTES and the seeds).

Each answer below is what a vRO 7.x/8.x, SDDC Manager or ICO 2.5 server sends on the wire, served over a real
socket by ``replay.ReplayServer``; the real code paths (API classes, auth classes, run functions) read them.
"""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS, PAGERS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_vcf import VcfTokenAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_vra import VraLoginAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.model import TaskFilter, with_iso_times, wait_done
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import Action, Task, TaskStatus, decide_retry
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import TaskService
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.interaction_api import InteractionApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_api import RunApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import Execution
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.execution_info import run as execution_info
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.workflow_run import run as run_workflow
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_api import ScheduledTasks as VroTasks
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import decode_parameters
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.fake_module import FakeVroModule

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond


class AllVroApi(RunApi, InteractionApi):
    """Every vRO call: api.VroApi and the *_api.py files next to it (each module ships only those it uses)."""


API = '/vco/api'
WID = '3a0ab069-cf2f-47e0-96f5-4a8920a5dc51'
EID = '8a70f6b5-1f4e-4a3c-9b7e-2f0c3d4e5f60'
RUN = '%s/workflows/%s/executions/%s' % (API, WID, EID)


def vro(server, **kw):
    kw.setdefault('retries', 0)
    return AllVroApi(Client(server.url, **CONNECTIONS['vro'], sleep=lambda s: None, **kw))


def b64(text):
    return base64.b64encode(text.encode()).decode()


# -- recorded vRO bodies ---------------------------------------------------------------------------------------
ABOUT_7 = {'version': '7.6.0.12345', 'build-number': '12345', 'build-date': '2019-04-02T05:41:35Z', 'api-version': '2.0'}
ABOUT_8 = {'version': '8.18.1.24180498', 'build-number': '24180498', 'build-date': '2024-09-24T10:01:34Z',
           'api-version': '6.0.0', 'features': [{'name': 'Bearer authentication'}]}

TYPED_OUTPUTS = [
    {'name': 'count', 'type': 'number', 'scope': 'local', 'value': {'number': {'value': 20.0}}},
    {'name': 'ratio', 'type': 'number', 'scope': 'local', 'value': {'number': {'value': 0.5}}},
    {'name': 'props_spec', 'type': 'Properties', 'scope': 'local',
     'value': {'properties': {'properties': [{'key': 'k', 'value': {'string': {'value': 'v'}}}]}}},
    {'name': 'props_real', 'type': 'Properties', 'scope': 'local',
     'value': {'properties': {'property': [{'key': 'n', 'value': {'number': {'value': 3.0}}}]}}},
    {'name': 'file_a', 'type': 'MimeAttachment', 'scope': 'local',
     'value': {'mime-attachment': {'name': 'a.csv', 'mime-type': 'text/csv', 'mime-content': b64('x,y\n')}}},
    {'name': 'file_b', 'type': 'MimeAttachment', 'scope': 'local',
     'value': {'mime-attachment': {'name': 'b.txt', 'mime-type': 'text/plain', 'content': b64('hello')}}},
    {'name': 'when_iso', 'type': 'Date', 'scope': 'local', 'value': {'date': {'value': '2026-01-31T10:00:00.000Z'}}},
    {'name': 'when_ms', 'type': 'Date', 'scope': 'local', 'value': {'date': {'value': 1769853600000}}},
    {'name': 'tags', 'type': 'Array/number', 'scope': 'local',
     'value': {'array': {'elements': [{'number': {'value': 1.0}}, {'number': {'value': 2.5}}]}}},
    {'name': 'secret', 'type': 'SecureString', 'scope': 'local', 'value': {'secure-string': {'value': 'pw'}}},
    {'name': 'unset', 'type': 'string', 'scope': 'local'},
]
PLAIN_OUTPUTS = {'count': 20, 'ratio': 0.5, 'props_spec': {'k': 'v'}, 'props_real': {'n': 3},
                 'file_a': {'name': 'a.csv', 'mime_type': 'text/csv', 'content': 'x,y\n'},
                 'file_b': {'name': 'b.txt', 'mime_type': 'text/plain', 'content': 'hello'},
                 'when_iso': '2026-01-31T10:00:00.000Z', 'when_ms': '2026-01-31T10:00:00.000Z', 'tags': [1, 2.5],
                 'secret': '********', 'unset': None}


def execution_8x(state='completed', lists='dashed'):
    body = {'id': EID, 'name': 'AWSNEW', 'href': 'https://vro.example.com' + RUN + '/', 'state': state,
            'start-date': '2026-01-31T10:00:00.123+00:00', 'end-date': '2026-01-31T10:00:02.456+00:00',
            'started-by': 'administrator@vsphere.local', 'current-item-display-name': '',
            'relations': {'link': [{'rel': 'up', 'href': 'https://vro.example.com%s/workflows/%s/' % (API, WID)}]}}
    inputs = [{'name': 'name', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'IMGIMG03'}}}]
    if lists == 'dashed':
        body['input-parameters'], body['output-parameters'] = inputs, TYPED_OUTPUTS
    else:
        body['inputParameters'], body['outputParameters'] = inputs, TYPED_OUTPUTS
    return body


# -- vRO: executions --------------------------------------------------------------------------------------------
@pytest.mark.parametrize('lists', ['dashed', 'camel'])
def test_execution_parameter_lists_in_either_spelling_decode_alike(lists):
    with ReplayServer({'GET %s' % RUN: [respond(200, execution_8x(lists=lists))]}) as server:
        run = vro(server).execution(WID, EID)
    assert run.inputs() == {'name': 'IMGIMG03'}
    assert run.outputs() == PLAIN_OUTPUTS
    assert run.state == 'completed' and run.duration_seconds() == 2.333


@pytest.mark.parametrize('raw, expected', [
    ('2026-01-31T10:00:00.123Z', '2026-01-31T10:00:00.123Z'),
    ('2026-01-31T10:00:00Z', '2026-01-31T10:00:00.000Z'),
    ('2026-01-31T12:00:00.123+02:00', '2026-01-31T10:00:00.123Z'),
    ('2026-01-31T12:00:00+0200', '2026-01-31T10:00:00.000Z'),
    ('2026-01-31T10:00:00.123', '2026-01-31T10:00:00.123Z'),
    (1769853600123, '2026-01-31T10:00:00.123Z'),
    ('1769853600123', '2026-01-31T10:00:00.123Z'),
])
def test_execution_dates_in_every_form_become_canonical_iso(raw, expected):
    body = {'id': EID, 'state': 'running', 'start-date': raw, 'started-by': 'svc'}
    with ReplayServer({'GET %s' % RUN: [respond(200, body)]}) as server:
        run = vro(server).execution(WID, EID)
    assert run.start_date == expected
    assert run.started_at() == pytest.approx(1769853600.0, abs=0.2)


@pytest.mark.parametrize('answer, expected', [
    ({'value': 'running'}, 'running'), ({'state': 'completed'}, 'completed'), ({'value': 'RUNNING'}, 'running'),
    ({'state': 'CANCELED'}, 'canceled'), ({'value': 'STATE_WAITING_ON_SIGNAL'}, 'waiting-signal'),
    ({'value': 'WAITING'}, 'waiting'), ({'value': 'waiting-signal'}, 'waiting-signal'), ({'value': 'FAILED'}, 'failed'),
    ({'value': 'INITIALIZING'}, 'initializing'), ({'value': 'SUSPENDED'}, 'suspended'), ({'value': 'COMPLETED'}, 'completed'),
])
def test_state_answers_in_every_shape_and_case_are_normalised(answer, expected):
    with ReplayServer({'GET %s/state' % RUN: [respond(200, answer)]}) as server:
        assert vro(server).state(WID, EID) == expected


@pytest.mark.parametrize('wrapped', [False, True])
def test_log_entries_plain_or_wrapped(wrapped):
    entries = [
        {'severity': 'info', 'time-stamp': '2026-01-31T10:00:00.100+00:00', 'user': 'svc',
         'short-description': 'started', 'long-description': 'started run'},
        {'severity': 'ERROR', 'time-stamp': 1769853601000, 'user': 'svc',
         'short-description': 'boom', 'long-description': 'boom: details'},
    ]
    body = {'logs': [{'entry': e} for e in entries] if wrapped else entries}
    with ReplayServer({'GET %s/logs' % RUN: [respond(200, body)]}) as server:
        logs = vro(server).logs(WID, EID)
    assert logs == [
        {'severity': 'info', 'time_stamp': '2026-01-31T10:00:00.100Z', 'user': 'svc',
         'short_description': 'started', 'long_description': 'started run'},
        {'severity': 'error', 'time_stamp': '2026-01-31T10:00:01.000Z', 'user': 'svc',
         'short_description': 'boom', 'long_description': 'boom: details'},
    ]


def test_execution_list_summaries_read_relations_and_string_dates():
    link = {'rel': 'down', 'href': 'https://vro.example.com%s/' % RUN, 'attributes': [
        {'name': 'id', 'value': EID}, {'name': 'state', 'value': 'COMPLETED'}, {'name': 'name', 'value': 'AWSNEW'},
        {'name': 'startDate', 'value': '1769853600000'}, {'name': 'endDate', 'value': ''},
        {'name': 'startedBy', 'value': 'svc@corp.local'}]}
    body = {'relations': {'total': 1, 'link': [{'rel': 'up', 'href': 'https://vro.example.com%s/workflows/%s/' % (API, WID)}, link]},
            'href': 'https://vro.example.com%s/workflows/%s/executions/' % (API, WID)}
    with ReplayServer({'GET %s/workflows/%s/executions' % (API, WID): [respond(200, body)]}) as server:
        runs = vro(server).list_executions(WID, states=['completed'], started_by='svc')
        query = server.requests[0].path
    assert [(r.id, r.state, r.start_date, r.end_date) for r in runs] == [(EID, 'completed', '2026-01-31T10:00:00.000Z', None)]
    assert 'maxResult=' in query and 'startIndex=0' in query


# -- vRO: workflows ---------------------------------------------------------------------------------------------
def _workflow_link(wid, name, category):
    return {'rel': 'down', 'href': 'https://vro.example.com%s/workflows/%s/' % (API, wid), 'attributes': [
        {'name': 'id', 'value': wid}, {'name': 'name', 'value': name}, {'name': 'categoryName', 'value': category},
        {'name': 'canExecute', 'value': 'true'}]}


@pytest.mark.parametrize('shape', ['top-level', 'relations', 'string-total'])
def test_inventory_lists_with_link_at_top_level_or_under_relations(shape):
    links = [_workflow_link(WID, 'AWSNEW', 'Cloud'), _workflow_link('other', 'AWSNEW copy', 'Cloud')]
    if shape == 'top-level':
        body = {'link': links, 'total': 2}
    elif shape == 'relations':
        body = {'relations': {'link': links, 'total': 2}}
    else:
        body = {'link': links, 'total': '2'}
    with ReplayServer({'GET %s/workflows' % API: [respond(200, body)]}) as server:
        found = vro(server).find_workflows('AWSNEW')
        sent = server.requests[0].path
    assert [(w.id, w.category) for w in found] == [(WID, 'Cloud')]
    assert 'conditions=name%3DAWSNEW' in sent


def _tagged_link(wid, name, folders):
    # A real 8.x entry (vmware/build-tools-for-vmware-aria, codify's workflow model test: globalTags
    # "Codify:__SYSTEM_TAG__" for the folder Codify): each folder of the path is a system tag (Search-vRO8ScriptItem).
    link = _workflow_link(wid, name, folders[-1])
    link['attributes'].append({'name': 'globalTags', 'value': ' '.join(f + ':__SYSTEM_TAG__' for f in folders)})
    return link


@pytest.mark.parametrize('category, expected', [('Library/Demo', ['w1']), ('/Lab Tools/Demo/', ['w2']), ('Demo', ['w1', 'w2']),
                                                ('Other/Demo', []), ('Library', [])])
def test_category_path_is_read_from_the_folder_tags_of_a_real_8x_list(category, expected):
    """The documented category form Library/Demo against a real 8.x list, which names only the last folder
    (categoryName) and gives the path as globalTags "Library:__SYSTEM_TAG__ Demo:__SYSTEM_TAG__"."""
    links = [_tagged_link('w1', 'Deploy', ['Library', 'Demo']), _tagged_link('w2', 'Deploy', ['Lab Tools', 'Demo']),
             _tagged_link('w3', 'Deploy', ['Library', 'Demo', 'Old'])]
    with ReplayServer({'GET %s/workflows' % API: [respond(200, {'link': links, 'total': 3})]}) as server:
        found = vro(server).find_workflows('Deploy', category)
    assert [w.id for w in found] == expected


def test_a_quoted_total_still_ends_paging():
    # A full page and "total" as a string: the next page is asked for once, then paging stops at the total.
    links = [_workflow_link('w%d' % i, 'AWSNEW', 'Cloud') for i in range(2)]
    with ReplayServer({'GET %s/workflows' % API: [respond(200, {'link': links, 'total': '4'}),
                                                  respond(200, {'link': [_workflow_link('w9', 'AWSNEW', 'Lab')] * 2, 'total': '4'})]}) as server:
        found = vro(server).find_workflows('AWSNEW', page_size=2)
        assert len(server.requests) == 2
    assert [w.id for w in found] == ['w0', 'w1', 'w9', 'w9']


def test_definition_with_camel_case_parameter_lists():
    body = {'id': WID, 'name': 'AWSNEW', 'version': '1.0.0', 'href': 'https://vro/vco/api/workflows/%s/' % WID,
            'inputParameters': [{'name': 'name', 'type': 'string', 'description': 'instance name'}],
            'outputParameters': [{'name': 'instanceId', 'type': 'string'}]}
    with ReplayServer({'GET %s/workflows/%s' % (API, WID): [respond(200, body)]}) as server:
        definition = vro(server).definition(WID)
    assert definition.input_types() == {'name': 'string'}
    assert [p['name'] for p in definition.output_parameters] == ['instanceId']


# -- vRO: starting a run ----------------------------------------------------------------------------------------
@pytest.mark.parametrize('location', [
    'https://vro.example.com:8281%s/' % RUN,
    'https://vro.example.com%s' % RUN,
    '%s/' % RUN,
    RUN,
])
@pytest.mark.parametrize('body', [None, {'id': EID, 'state': 'running', 'href': 'x'}, ''])
def test_start_reads_the_id_from_location_in_every_form(location, body):
    with ReplayServer({'POST %s/workflows/%s/executions' % (API, WID): [respond(202, body, {'Location': location})]}) as server:
        run = vro(server).start(WID, [{'name': 'name', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'a'}}}])
        sent = server.requests[0].json()
    assert run.id == EID and run.workflow_id == WID
    assert sent == {'parameters': [{'name': 'name', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'a'}}}]}


def test_start_without_location_takes_the_id_from_a_small_body():
    with ReplayServer({'POST %s/workflows/%s/executions' % (API, WID): [respond(202, {'id': EID, 'state': 'RUNNING'})]}) as server:
        run = vro(server).start(WID, [])
    assert run.id == EID and run.state == 'running'


def test_start_with_neither_location_nor_id_is_a_clear_error():
    with ReplayServer({'POST %s/workflows/%s/executions' % (API, WID): [respond(202, None)]}) as server:
        with pytest.raises(ApiError) as caught:
            vro(server).start(WID, [])
    assert 'named no execution' in str(caught.value)


# -- vRO: versions and cancel -----------------------------------------------------------------------------------
@pytest.mark.parametrize('about, major, method_path', [
    (ABOUT_7, 7, ('DELETE', RUN + '/state')),  # /state cancels here: the 7.x DELETE of the run is not sent
    (ABOUT_8, 8, ('DELETE', RUN + '/state')),
    ({'version': '7.6.0'}, 7, ('DELETE', RUN + '/state')),
    ({'api-version': '6.0.0', 'version': '8.12.0.21000000'}, 8, ('DELETE', RUN + '/state')),
])
def test_about_of_7x_and_8x_picks_the_cancel_call(about, major, method_path):
    routes = {'GET %s/about' % API: [respond(200, about)], 'DELETE %s/' % RUN: [respond(204)],
              'DELETE %s/state' % RUN: [respond(204)], 'DELETE %s' % RUN: [respond(500, 'must never be called')]}
    with ReplayServer(routes) as server:
        api = vro(server)
        assert api.major_version() == major
        api.cancel(WID, EID)
        sent = [(r.method, r.path) for r in server.requests if r.method == 'DELETE']
    assert sent == [method_path]


# -- vRO: error bodies ------------------------------------------------------------------------------------------
HTML_ERROR = ('<!doctype html><html><head><title>HTTP Status 500 - Internal Server Error</title></head><body>'
              '<h1>HTTP Status 500</h1><p>Apache Tomcat/8.5</p></body></html>')


@pytest.mark.parametrize('status, body, content_type, kind, words', [
    (400, {'status': 400, 'message': "Workflow input 'name' is not valid"}, 'application/json', 'http',
     "Workflow input 'name' is not valid"),
    (404, 'Workflow with id: wf-x not found', 'text/plain', 'http', 'Workflow with id: wf-x not found'),
    (401, {'status': 401, 'message': 'Full authentication is required to access this resource'}, 'application/json;charset=UTF-8',
     'auth', 'Full authentication is required'),
    (503, HTML_ERROR, 'text/html;charset=utf-8', 'html', 'HTTP Status 500'),
    (500, {'errorMessage': 'internal error', 'status': 'INTERNAL_SERVER_ERROR'}, 'application/json', 'http', 'internal error'),
])
def test_vro_error_bodies_in_every_form(status, body, content_type, kind, words):
    with ReplayServer({'GET %s/workflows/%s' % (API, WID): [respond(status, body, content_type=content_type)]}) as server:
        with pytest.raises(ApiError) as caught:
            vro(server).client.get('/workflows/%s' % WID)
    error = caught.value
    assert error.status == status and error.kind == kind
    assert words in str(error)
    assert '\n' not in str(error)


TOMCAT_401 = ('<!doctype html><html lang="en"><head><title>HTTP Status 401 \u2013 Unauthorized</title></head><body>'
              '<h1>HTTP Status 401 \u2013 Unauthorized</h1><p><b>Message</b> Bad credentials</p></body></html>')
TOMCAT_404 = '<html><head><title>Error 404 - Not Found</title></head><body><h2>404 Not Found</h2></body></html>'


def test_servlet_container_error_pages_keep_their_status_meaning():
    # vRO 7.x (Tomcat) answers bad credentials and unknown URLs with its own HTML page, not JSON.
    with ReplayServer({'GET %s/workflows' % API: [respond(401, TOMCAT_401, content_type='text/html;charset=utf-8')]}) as server:
        with pytest.raises(ApiError) as caught:
            vro(server).client.get('/workflows')
    assert caught.value.kind == 'auth' and caught.value.status == 401
    assert 'authentication failed' in str(caught.value) and 'HTTP Status 401' in str(caught.value)
    with ReplayServer({'GET %s/about' % API: [respond(404, TOMCAT_404, content_type='text/html')]}) as server:
        with pytest.raises(ApiError) as caught:
            vro(server).about()
    assert caught.value.kind == 'http' and caught.value.status == 404 and caught.value.server_message == 'Error 404 - Not Found'


def test_a_404_page_while_waiting_fails_at_once_instead_of_polling_to_the_deadline():
    routes = {'GET %s/state' % RUN: [respond(200, {'value': 'RUNNING'}), respond(404, TOMCAT_404, content_type='text/html')]}
    with ReplayServer(routes) as server:
        module = FakeModule(server.url, workflow_name=None, workflow_id=WID, execution_id=EID, wait_for=['completed'],
                            wait_timeout=3600.0)
        with pytest.raises(ApiError) as caught:
            execution_info(module)
        polls = len(server.calls('GET'))
    assert caught.value.status == 404 and polls == 2 and module.clock[0] < 1.0


# -- vRO: a whole run through run_workflow and execution_info ---------------------------------------------------
class FakeModule(FakeVroModule):
    """The module, with a real client to the replay server at ``url``."""

    def __init__(self, url, **params):
        params.setdefault('workflow_name', 'AWSNEW')
        super().__init__(Client(url, **CONNECTIONS['vro'], retries=0, sleep=lambda s: None), **params)


def test_run_workflow_over_real_traffic_shapes():
    # Inventory at the top level, a camelCase definition, an empty 202 with a relative Location ending in '/',
    # upper-case states in both /state shapes, and a run whose outputs use every alternative spelling.
    definition = {'id': WID, 'name': 'AWSNEW', 'inputParameters': [{'name': 'name', 'type': 'string'}],
                  'outputParameters': [{'name': p['name'], 'type': p['type']} for p in TYPED_OUTPUTS]}
    routes = {
        'GET %s/workflows' % API: [respond(200, {'link': [_workflow_link(WID, 'AWSNEW', 'Cloud')], 'total': 1})],
        'GET %s/workflows/%s' % (API, WID): [respond(200, definition)],
        'POST %s/workflows/%s/executions' % (API, WID): [respond(202, None, {'Location': RUN + '/'})],
        'GET %s/state' % RUN: [respond(200, {'state': 'RUNNING'}), respond(200, {'value': 'COMPLETED'})],
        'GET %s' % RUN: [respond(200, execution_8x(lists='camel'))],
    }
    with ReplayServer(routes) as server:
        result = run_workflow(FakeModule(server.url, inputs={'name': 'IMGIMG03'}))
        posts = server.calls('POST')
    assert result['changed'] is True and result['state'] == 'completed' and result['execution_id'] == EID
    assert result['outputs'] == PLAIN_OUTPUTS
    assert len(posts) == 1 and posts[0].json()['parameters'][0]['value'] == {'string': {'value': 'IMGIMG03'}}


def test_execution_info_waits_through_upper_case_states_of_a_7x_run():
    run = {'id': EID, 'name': 'AWSNEW', 'state': 'FAILED', 'start-date': 1769853600000, 'end-date': '1769853605000',
           'started-by': 'svc', 'content-exception': 'Quota exceeded', 'input-parameters': [], 'output-parameters': []}
    routes = {'GET %s/state' % RUN: [respond(200, {'value': 'RUNNING'}), respond(200, {'value': 'FAILED'})],
              'GET %s' % RUN: [respond(200, run)]}
    with ReplayServer(routes) as server:
        module = FakeModule(server.url, workflow_name=None, workflow_id=WID, execution_id=EID, wait_for=['failed'])
        result = execution_info(module)
    assert result['state'] == 'failed' and result['waited'] is True
    assert result['start_date'] == '2026-01-31T10:00:00.000Z' and result['duration_seconds'] == 5.0
    assert result['content_exception'] == 'Quota exceeded'


def test_decoding_tolerates_xml_born_wrappers():
    params = [{'name': 'p', 'type': 'Properties', 'value': {'properties': {}}},
              {'name': 'arr', 'type': 'Array/string', 'value': {'array': {}}},
              {'name': 'b', 'type': 'boolean', 'value': {'boolean': {'value': 'true'}}},
              {'name': 'n', 'type': 'number', 'value': {'number': {'value': '20.0'}}}]
    assert decode_parameters(params) == {'p': {}, 'arr': [], 'b': True, 'n': 20}
    wrapped = Execution({'id': EID, 'output-parameters': {'parameter': TYPED_OUTPUTS[:1]}})
    assert wrapped.outputs() == {'count': 20}


# -- vRA login answers ------------------------------------------------------------------------------------------
def test_vra_login_answers_as_recorded():
    login = {'refresh_token': 'rt-secret', 'access_token': 'csp-access', 'id_token': 'idt', 'token_type': 'bearer',
             'expires_in': 1799, 'scope': 'openid'}
    routes = {'POST /csp/gateway/am/api/login': [respond(200, login, content_type='application/json;charset=UTF-8')],
              'POST /iaas/api/login': [respond(200, {'tokenType': 'Bearer', 'token': 'iaas-token'})],
              'GET %s/about' % API: [respond(200, ABOUT_8)]}
    with ReplayServer(routes) as server:
        auth = VraLoginAuth('svc', 'pw')
        client = Client(server.url, auth=auth, **CONNECTIONS['vro'], retries=0, sleep=lambda s: None)
        client.get('/about')
        sent = [(r.method, r.path, r.json() if r.body else None) for r in server.requests]
        header = server.requests[-1].headers['Authorization']
    assert sent[0] == ('POST', '/csp/gateway/am/api/login?access_token', {'username': 'svc', 'password': 'pw'})
    assert sent[1] == ('POST', '/iaas/api/login', {'refreshToken': 'rt-secret'})
    assert header == 'Bearer iaas-token'


# -- VCF --------------------------------------------------------------------------------------------------------
JWT = 'eyJhbGciOiJIUzI1NiJ9.%s.c2ln' % base64.urlsafe_b64encode(json.dumps({'exp': 4102444800, 'iat': 4102441200}).encode()).decode().rstrip('=')
JWT2 = JWT.replace('c2ln', 'c2lnMg')


@pytest.mark.parametrize('status', [200, 201])
@pytest.mark.parametrize('refresh_answer', [
    respond(200, json.dumps(JWT2)),                              # a JSON string, as the spec says
    respond(200, JWT2, content_type='application/json'),        # the bare token (a String written as-is by Spring)
    respond(200, JWT2, content_type='text/plain'),
    respond(200, {'accessToken': JWT2}),
])
def test_vcf_token_pair_200_or_201_and_every_refresh_answer(status, refresh_answer):
    routes = {'POST /v1/tokens': [respond(status, {'accessToken': JWT, 'refreshToken': {'id': 'rid-1'}})],
              'PATCH /v1/tokens/access-token/refresh': [refresh_answer],
              'GET /v1/tasks/t1': [respond(401, {'errorCode': 'TOKEN_EXPIRED', 'message': 'expired'}),
                                   respond(200, {'id': 't1', 'status': 'In Progress'})]}
    with ReplayServer(routes) as server:
        auth = VcfTokenAuth('admin@local', 'pw')
        client = Client(server.url, auth=auth, **CONNECTIONS['vcf'], retries=0, sleep=lambda s: None)
        task = TaskService(client).get('t1')
        patch = server.calls('PATCH')[0]
        last = server.requests[-1].headers['Authorization']
    assert task.status == 'IN_PROGRESS'
    assert json.loads(patch.body) == 'rid-1'
    assert last == 'Bearer ' + JWT2 and auth.refreshes == 1 and auth.logins == 1


@pytest.mark.parametrize('raw, normalised, action', [
    ('In Progress', 'IN_PROGRESS', Action.RUNNING), ('IN_PROGRESS', 'IN_PROGRESS', Action.RUNNING),
    ('Pending', 'PENDING', Action.RUNNING), ('PENDING', 'PENDING', Action.RUNNING), ('QUEUED', 'QUEUED', Action.RUNNING),
    ('Successful', 'SUCCESSFUL', Action.DONE), ('SUCCESSFUL', 'SUCCESSFUL', Action.DONE),
    ('COMPLETED_WITH_WARNING', 'COMPLETED_WITH_WARNING', Action.DONE), ('SKIPPED', 'SKIPPED', Action.DONE),
    ('Failed', 'FAILED', Action.RETRY), ('FAILED', 'FAILED', Action.RETRY), ('TIMED_OUT', 'TIMED_OUT', Action.RETRY),
    ('Cancelled', 'CANCELLED', Action.FAIL), ('CANCELLED', 'CANCELLED', Action.FAIL),
    ('in progress', 'IN_PROGRESS', Action.RUNNING), (' Failed ', 'FAILED', Action.RETRY),
])
def test_vcf_statuses_in_every_case_of_the_enum(raw, normalised, action):
    task = Task({'id': 't', 'name': 'Deploy', 'status': raw})
    assert task.status == normalised and TaskStatus.normalise(raw) == normalised
    assert decide_retry(task)[0] == action
    assert TaskStatus.is_terminal(raw) == (action != Action.RUNNING)


SEED_TASK_LIST = {'elements': [
    {'id': '9d63e8b9-fa17-4465-912a-69aa1f2a2840', 'name': 'Commissioning host(s) sfo01-w01-esx05.rainpole.io to VMware Cloud Foundation',
     'status': 'Failed', 'creationTimestamp': '2019-06-20T12:03:18.890Z',
     'subTasks': [{'name': 'HostVibValidationAction', 'status': 'SUCCESSFUL', 'creationTimestamp': '2019-06-20T12:03:18.890Z'},
                  {'name': 'HostMaintenanceModeValidationAction', 'status': 'FAILED'},
                  {'name': 'FetchDnsAndNtpAction', 'description': 'Fetches DNS \\u0026 NTP IPs', 'status': 'PENDING'}],
     'errors': [{'errorCode': 'COMMISION_HOST_FAILED', 'errorType': 'ERROR',
                 'message': 'Failed to Commissioning host(s) sfo01-w01-esx05.rainpole.io to VMware Cloud Foundation', 'causes': []}],
     'resources': [{'resourceId': '2478efd9-9882-469f-9d74-629dddf760a0', 'type': 'HOST'}],
     'resolutionStatus': 'UNRESOLVED', 'isCancellable': False},
    {'id': '4d3736c1-7345-4c20-a778-5e46f9715036', 'name': 'Credentials rotate operation', 'status': 'Successful',
     'creationTimestamp': '2019-06-20T12:03:18.890Z', 'subTasks': [], 'errors': [],
     'resources': [{'resourceId': 'd8c1f4a4-bfdf-4889-a2dc-e486cf598337', 'type': 'HOST'}],
     'resolutionStatus': 'UNRESOLVED', 'isCancellable': False},
]}


@pytest.mark.parametrize('first_page', [0, 1])
def test_vcf_paging_from_zero_or_one(first_page):
    def page(number, elements, total_pages):
        return respond(200, {'elements': elements, 'pageMetadata': {'pageNumber': number, 'pageSize': 1,
                                                                    'totalElements': 2, 'totalPages': total_pages}})
    routes = {'GET /v1/tasks': [page(first_page, SEED_TASK_LIST['elements'][:1], 2),
                                page(first_page + 1, SEED_TASK_LIST['elements'][1:], 2)]}
    with ReplayServer(routes) as server:
        client = Client(server.url, **CONNECTIONS['vcf'], retries=0, sleep=lambda s: None)
        tasks = list(client.paginate('/tasks', PAGERS['vcf'], page_size=1))
        paths = [r.path for r in server.requests]
    assert [t['status'] for t in tasks] == ['Failed', 'Successful']
    assert len(paths) == 2 and 'pageNumber=%d' % (first_page + 1) in paths[1]


def test_vcf_seed_task_list_without_page_metadata():
    # The 4.4 reference's sample answer has no pageMetadata at all.
    with ReplayServer({'GET /v1/tasks': [respond(200, SEED_TASK_LIST)]}) as server:
        client = Client(server.url, **CONNECTIONS['vcf'], retries=0, sleep=lambda s: None)
        tasks = TaskService(client).list()
        assert len(server.requests) == 1
    assert [t.status for t in tasks] == ['FAILED', 'SUCCESSFUL']
    assert decide_retry(tasks[0])[0] == Action.RETRY and decide_retry(tasks[1])[0] == Action.DONE


def test_vcf_server_ignoring_page_number_is_read_once():
    # No pageMetadata and pageNumber ignored: the same full page comes back; it is not yielded twice, nor forever.
    with ReplayServer({'GET /v1/tasks': [respond(200, {'elements': SEED_TASK_LIST['elements']})]}) as server:
        client = Client(server.url, **CONNECTIONS['vcf'], retries=0, sleep=lambda s: None)
        tasks = list(client.paginate('/tasks', PAGERS['vcf'], page_size=2))
        # Without pageMetadata page 1 may be the first page of a 1-based server: page 2 is asked once more (issue 13).
        assert len(server.requests) == 3
    assert [t['id'] for t in tasks] == [t['id'] for t in SEED_TASK_LIST['elements']]


def test_vcf_refresh_answer_that_is_no_token_is_an_error_without_the_body():
    page = '<html><body>Session expired for rid-1</body></html>'
    routes = {'PATCH /v1/tokens/access-token/refresh': [respond(200, page, content_type='text/html')],
              'GET /v1/tasks/t1': [respond(401, {'message': 'expired'})]}
    # Part 20: with username and password, such an answer starts over with a login (test_vcf_token_answers.py); here
    # there is none (a given token and its refresh token), so it is the error.
    auth = VcfTokenAuth(access_token=JWT)
    auth.refresh_id = 'rid-1'
    with ReplayServer(routes) as server:
        client = Client(server.url, auth=auth, **CONNECTIONS['vcf'], retries=0, sleep=lambda s: None)
        with pytest.raises(ApiError) as caught:
            TaskService(client).get('t1')
    assert caught.value.kind == 'json' and 'not an access token' in str(caught.value)
    assert 'Session expired' not in str(caught.value)


def test_vcf_error_body_with_nested_errors_and_causes():
    body = {'errorCode': 'TASK_NOT_RETRYABLE', 'errorType': 'ERROR', 'arguments': ['t1'], 'context': {},
            'message': 'Task can not be retried. Only a failed Task can be retried.',
            'remediationMessage': 'Retry a failed task', 'causes': [{'type': 'java.lang.IllegalStateException', 'message': 'state SUCCESSFUL'}],
            'nestedErrors': [{'errorCode': 'INNER', 'message': 'inner problem'}], 'referenceToken': 'K3J9QX'}
    with ReplayServer({'PATCH /v1/tasks/t1': [respond(409, body)]}) as server:
        client = Client(server.url, **CONNECTIONS['vcf'], retries=0, sleep=lambda s: None)
        with pytest.raises(ApiError) as caught:
            TaskService(client).retry(Task({'id': 't1', 'status': 'Successful'}))
    error = caught.value
    assert error.status == 409 and error.server_message == body['message']
    assert error.details['remediationMessage'] == 'Retry a failed task' and error.details['referenceToken'] == 'K3J9QX'
    assert error.details['causes'] == ['state SUCCESSFUL', 'inner problem']
    text = str(error)
    assert 'Only a failed Task can be retried.' in text and 'K3J9QX' in text


# -- ICO --------------------------------------------------------------------------------------------------------
# The seed's Task Response, verbatim except its elided "parm" ({ ..... } is not JSON).
SEED_ICO_TASK = '''{
     "updated_iso" : "2014-03-31T13:05:14+0200",
     "description_message" : "The process is complete.",
     "domain" : "Default",
     "created" : 1396263830875,
     "error" : {
         "resourceBundle" : "com.ibm.orchestrator.messages.orchestratormessages",
         "message" : null,
         "messageKey" : "BPM_PROCESS_COMPLETE",
         "args" :
         [
             "3"
         ]
     },
     "user" : "ksadmin",
     "parm" : {
     },
     "created_iso" : "2014-03-31T13:03:50+0200",
     "status_localized" : "Completed",
     "error_message" : "CTJCO0002I: Business process instance 3 completed successfully.",
     "status" : "COMPLETED",
     "eventTopic" : "com/ibm/orchestrator/serviceinstance/plan/ibm_bpm_process",
     "delayInSeconds" : 30,
     "project" : "admin",
     "id" : "1003",
     "updated" : 1396263914896,
     "description" : {
         "resourceBundle" : "com.ibm.orchestrator.messages.orchestratormessages",
         "message" : null,
         "messageKey" : "PROCESS_COMPLETE",
         "args" :
         [
         ]
     }
 }'''


def ico(server):
    return TaskEngine(Client(server.url, **CONNECTIONS['ico'], retries=0, sleep=lambda s: None), user='admin', project='admin')


def test_ico_seed_task_verbatim():
    routes = {'GET /orchestrator/v2/tasks/1003': [respond(200, SEED_ICO_TASK, content_type='application/JSON')],
              'GET /orchestrator/v2/tasks': [respond(200, '[' + SEED_ICO_TASK + ']', content_type='application/JSON')]}
    with ReplayServer(routes) as server:
        engine = ico(server)
        task = engine.get('1003')
        listed = engine.list()
    assert task['id'] == '1003' and task['status'] == 'COMPLETED' and task['created'] == 1396263830875
    assert wait_done(['COMPLETED'])(task)
    assert TaskFilter(status='completed', updated_after='2014-03-31T11:05:00Z')(listed[0])
    assert not TaskFilter(updated_after=1396263914896)(listed[0])
    shown = with_iso_times({'id': '1', 'created': 1396263830875})
    assert shown['created_iso'].startswith('2014-03-31T11:03:50')


def test_ico_seed_with_its_elided_parm_is_a_clear_json_error():
    garbled = SEED_ICO_TASK.replace('"parm" : {\n     }', '"parm" : {\n         .....\n     }')
    assert '.....' in garbled
    with ReplayServer({'GET /orchestrator/v2/tasks/1003': [respond(200, garbled)]}) as server:
        with pytest.raises(ApiError) as caught:
            ico(server).get('1003')
    assert caught.value.kind == 'json' and 'not valid JSON' in str(caught.value)


@pytest.mark.parametrize('status, body, content_type, words', [
    (404, {'error_message': 'CTJCO0404E: The task with ID 77 was not found.'}, 'application/json', 'CTJCO0404E'),
    (500, {'error': {'message': 'CTJCO0500E: database unavailable', 'messageKey': 'DB_DOWN'}}, 'application/json', 'CTJCO0500E'),
    (500, 'Error 500: java.lang.NullPointerException', 'text/plain', 'NullPointerException'),
])
def test_ico_error_bodies(status, body, content_type, words):
    with ReplayServer({'GET /orchestrator/v2/tasks/77': [respond(status, body, content_type=content_type)]}) as server:
        with pytest.raises(ApiError) as caught:
            ico(server).get('77')
    assert caught.value.status == status and words in str(caught.value)


# -- vRO: scheduled tasks and user interactions -----------------------------------------------------------------
TASK_7X = {'id': 'task-1', 'name': 'nightly', 'state': 'PENDING', 'user': 'svc', 'href': 'https://vro:8281/vco/api/tasks/task-1/',
           'workflow': {'href': 'https://vro:8281/vco/api/workflows/%s/' % WID}, 'recurrence-cycle': 'every-days',
           'recurrence-start-date': 1769853600000, 'start-mode': 'normal',
           'input-parameters': [{'name': 'name', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'n1'}}}]}
TASK_8X = {'id': 'task-1', 'name': 'nightly', 'state': 'pending', 'userName': 'svc', 'href': 'https://vro/vco/api/tasks/task-1/',
           'workflow': {'id': WID, 'name': 'AWSNEW'}, 'recurrenceCycle': 'every-days',
           'recurrenceStartDate': '2026-01-31T10:00:00.000+00:00', 'startMode': 'normal',
           'inputParameters': [{'name': 'name', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'n1'}}}]}


@pytest.mark.parametrize('task', [TASK_7X, TASK_8X], ids=['7x', '8x'])
@pytest.mark.parametrize('listing', ['relations', 'top-level'])
def test_scheduled_tasks_of_7x_and_8x(task, listing):
    link = {'rel': 'down', 'href': task['href'], 'attributes': [{'name': 'id', 'value': 'task-1'}, {'name': 'name', 'value': 'nightly'},
                                                                {'name': 'state', 'value': 'PENDING'}]}
    body = {'relations': {'link': [link], 'total': 1}} if listing == 'relations' else {'link': [link], 'total': 1}
    with ReplayServer({'GET %s/tasks' % API: [respond(200, body)], 'GET %s/tasks/task-1' % API: [respond(200, task)]}) as server:
        found = VroTasks(Client(server.url, **CONNECTIONS['vro'], retries=0, sleep=lambda s: None)).find('nightly')
    assert len(found) == 1
    result = found[0].to_result()
    assert result['workflow_id'] == WID and result['state'] == 'pending' and result['user'] == 'svc'
    assert result['recurrence'] == {'cycle': 'every-days', 'start': '2026-01-31T10:00:00.000Z', 'end': None, 'pattern': None}
    assert result['inputs'] == {'name': 'n1'} and result['start_mode'] == 'normal'


@pytest.mark.parametrize('lists', ['input-parameters', 'inputParameters'])
def test_pending_interaction_in_either_spelling(lists):
    body = {'id': EID, 'name': 'Approve request', 'state': 'WAITING', 'href': 'https://vro%s/interaction/' % RUN,
            'assignees': {'assignee': ['admins@corp.local']},
            lists: [{'name': 'approved', 'type': 'boolean'}, {'name': 'comment', 'type': 'string'}]}
    with ReplayServer({'GET %s/interaction' % RUN: [respond(200, body)]}) as server:
        interaction = AllVroApi(Client(server.url, **CONNECTIONS['vro'], retries=0, sleep=lambda s: None)).pending_interaction(WID, EID)
    assert interaction.pending and interaction.state == 'waiting'
    assert [p['name'] for p in interaction.input_parameters] == ['approved', 'comment']
    assert interaction.assignees == ['admins@corp.local']
