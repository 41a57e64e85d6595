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
