# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SDDC Manager and ICO 2.5 answers that real servers may give and the simulator does not play by default, served
over a real socket by ``replay.ReplayServer`` (the public source of each is named at its test)."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_vcf import VcfTokenAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import TaskService
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import Task


def _jwt(marker):
    claims = base64.urlsafe_b64encode(json.dumps({'sub': 'admin@local', 'jti': marker}).encode()).decode().rstrip('=')
    return 'eyJhbGciOiJIUzI1NiJ9.%s.c2ln' % claims


FIRST, SECOND = _jwt('first'), _jwt('second')
TOKEN_PAIR = respond(200, {'accessToken': FIRST, 'refreshToken': {'id': 'rid-1'}})
REFRESHED = respond(200, json.dumps(SECOND))
EXPIRED_403 = respond(403, {'errorCode': 'TOKEN_EXPIRED', 'message': 'The access token has expired'})
FORBIDDEN = respond(403, {'errorCode': 'FORBIDDEN', 'message': 'Access is denied for this role'})
FAILED_TASK = {'id': 't1', 'name': 'Deploy', 'status': 'Failed', 'creationTimestamp': '2024-01-01T00:00:00.000Z'}


def vcf_client(server, auth):
    return Client(server.url, auth=auth, **CONNECTIONS['vcf'], retries=0, sleep=lambda s: None)


# -- VCF: an expired access token answered with 403 ------------------------------------------------------------
# vmware/terraform-provider-vcf, internal/api_client/sddc_manager_client.go (authEditor): it logs in again every
# 20 minutes "so that SDK operations won't start to fail with 401, 403 because of token expiration".
@pytest.mark.parametrize('method, route, call', [
    ('GET', 'GET /v1/tasks/t1', lambda service: service.get('t1').status),
    ('PATCH', 'PATCH /v1/tasks/t1', lambda service: service.retry(Task(FAILED_TASK))),
])
def test_vcf_token_expired_with_403_is_refreshed_once_and_the_call_goes_through(method, route, call):
    routes = {'POST /v1/tokens': [TOKEN_PAIR], 'PATCH /v1/tokens/access-token/refresh': [REFRESHED],
              route: [EXPIRED_403, respond(200, FAILED_TASK if method == 'GET' else None)]}
    with ReplayServer(routes) as server:
        auth = VcfTokenAuth('admin@local', 'pw')
        call(TaskService(vcf_client(server, auth)))
        sent = server.calls(method, route.split(' ', 1)[1])
    assert auth.logins == 1 and auth.refreshes == 1
    # Refused (403: nothing done), then sent once more with the new token.
    assert [r.headers['Authorization'] for r in sent] == ['Bearer ' + FIRST, 'Bearer ' + SECOND]


def test_vcf_forbidden_for_the_role_is_refused_after_one_refresh():
    routes = {'POST /v1/tokens': [TOKEN_PAIR], 'PATCH /v1/tokens/access-token/refresh': [REFRESHED],
              'PATCH /v1/tasks/t1': [FORBIDDEN]}
    with ReplayServer(routes) as server:
        auth = VcfTokenAuth('viewer@local', 'pw')
        with pytest.raises(ApiError) as caught:
            TaskService(vcf_client(server, auth)).retry(Task(FAILED_TASK))
        patches = server.calls('PATCH', '/v1/tasks/t1')
    assert caught.value.status == 403 and 'Access is denied for this role' in str(caught.value)
    assert auth.refreshes == 1 and len(patches) == 2


def test_vcf_403_with_a_given_token_and_no_way_to_renew_it_keeps_the_servers_words():
    with ReplayServer({'GET /v1/tasks/t1': [FORBIDDEN]}) as server:
        auth = VcfTokenAuth(access_token=FIRST)
        with pytest.raises(ApiError) as caught:
            TaskService(vcf_client(server, auth)).get('t1')
        posts = server.calls('POST')
    assert caught.value.status == 403 and 'Access is denied for this role' in str(caught.value)
    assert posts == [] and len(server.requests) == 1


# -- ICO: the task list answered as a page of the other /orchestrator/v2 collections -----------------------------
# API-NOTES (ICO 2.5): "Collections elsewhere in /orchestrator/v2 page with ?_start=&_limit= and return
# {href,start,limit,total,first,previous,next,last}"; the wrapped entries are seen in a real client script (Evidence).
def ico_task(task_id):
    return {'id': task_id, 'status': 'COMPLETED', 'created': 1396263830875, 'updated': 1396263914896, 'user': 'admin',
            'project': 'admin', 'parm': {'n': task_id}, 'eventTopic': 'com/ibm/orchestrator/serviceinstance/plan/ibm_bpm_process'}


def ico_page(start, limit, total, entries, wrapped=False, with_next=True):
    base = '/orchestrator/v2/tasks'
    page = {'href': '%s?_start=%d&_limit=%d' % (base, start, limit), 'start': start, 'limit': limit, 'total': total,
            'first': '%s?_start=0&_limit=%d' % (base, limit), 'previous': None, 'last': None,
            'items': [{'item': e} if wrapped else e for e in entries]}
    if with_next:
        page['next'] = '%s?_start=%d&_limit=%d' % (base, start + limit, limit) if start + limit < total else None
    return respond(200, page)


def ico_engine(server):
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine
    return TaskEngine(Client(server.url, **CONNECTIONS['ico'], retries=0, sleep=lambda s: None), user='admin', project='admin')


@pytest.mark.parametrize('wrapped', [False, True])
@pytest.mark.parametrize('with_next', [True, False])
def test_ico_task_list_answered_in_pages_is_read_to_its_end(wrapped, with_next):
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.task_info import task_info
    pages = [ico_page(0, 2, 5, [ico_task('1'), ico_task('2')], wrapped, with_next),
             ico_page(2, 2, 5, [ico_task('3'), ico_task('4')], wrapped, with_next),
             ico_page(4, 2, 5, [ico_task('5')], wrapped, with_next)]
    with ReplayServer({'GET /orchestrator/v2/tasks': pages}) as server:
        result = task_info(ico_engine(server), None, {'status': 'completed'}, expand=True)
        paths = [r.path for r in server.requests]
    assert [t['id'] for t in result['tasks']] == ['1', '2', '3', '4', '5'] and result['seen'] == 5
    assert len(paths) == 3 and '_start=2' in paths[1] and '_limit=2' in paths[1] and '_start=4' in paths[2]
    assert all('expand=serviceInstance' in path for path in paths)


def test_ico_plain_array_list_is_one_request_without_paging_parameters():
    with ReplayServer({'GET /orchestrator/v2/tasks': [respond(200, [ico_task('1'), ico_task('2')])]}) as server:
        tasks = ico_engine(server).list()
        paths = [r.path for r in server.requests]
    assert [t['id'] for t in tasks] == ['1', '2'] and paths == ['/orchestrator/v2/tasks']


# -- ICO: one task wrapped as {"item": {...}} like the collection entries -------------------------------------
def test_ico_task_read_or_created_wrapped_in_item_is_the_task():
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.task import manage_task
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.task_info import task_info
    routes = {'GET /orchestrator/v2/tasks/7': [respond(200, {'item': ico_task('7')})],
              'POST /orchestrator/v2/tasks': [respond(201, {'item': ico_task('8')})]}
    with ReplayServer(routes) as server:
        read = task_info(ico_engine(server), '7', {'status': 'COMPLETED'})
        created = manage_task(ico_engine(server), None, {'parm': {'n': '8'}}, 'present')
    assert read['matched'] == 1 and read['tasks'][0]['id'] == '7' and read['tasks'][0]['created_iso'].endswith('Z')
    assert created['task']['id'] == '8' and created['msg'] == 'created task 8'


# -- ICO: entries as {"href", "item"}, ids as numbers, a create answered as an array -----------------------------
# IBM, ICO 2.5.0.2 "Managing entities by using actions": /orchestrator/v2 entries come as {"href": ..., "item": {...}};
# "Task engine REST API V2": the POST's response is "Tasks Response" ([Task Response 1, ..., n]); the sample's id is
# a string.
def test_ico_entries_with_href_numeric_ids_and_an_array_create_answer():
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.task import manage_task
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.task_info import task_info
    href = '/orchestrator/v2/tasks/'
    routes = {'GET /orchestrator/v2/tasks': [respond(200, [{'href': href + '1', 'item': dict(ico_task('1'), id=1)},
                                                           {'href': href + '2', 'item': ico_task('2')}])],
              'GET /orchestrator/v2/tasks/7': [respond(200, {'href': href + '7', 'item': dict(ico_task('7'), id=7)})],
              'POST /orchestrator/v2/tasks': [respond(201, [dict(ico_task('8'), id=8)])]}
    with ReplayServer(routes) as server:
        listed = task_info(ico_engine(server), None, {})
        read = task_info(ico_engine(server), '7', {})
        created = manage_task(ico_engine(server), None, {'parm': {'n': '8'}}, 'present', warn=pytest.fail)
        posts = server.calls('POST')
        lists = server.calls('GET', '/orchestrator/v2/tasks')
    assert [t['id'] for t in listed['tasks']] == ['1', '2'] and listed['tasks'][0]['raw']['id'] == 1
    assert read['tasks'][0]['id'] == '7'
    assert created['task']['id'] == '8' and created['msg'] == 'created task 8'
    assert len(posts) == 1 and len(lists) == 1  # the created task was not looked for in the list
