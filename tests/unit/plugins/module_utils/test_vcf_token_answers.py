# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SDDC Manager token answers the simulator does not give: a refresh answered 200 with an HTML page (a login portal or
proxy in front of an expired refresh token) starts over with a login instead of failing every call (and every poll of
an event source) until restarted; a login answered without an access token fails in one line saying what to check."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_vcf import VcfTokenAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.clocks import SleepClock
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_auth_waiter import jwt

LOGIN_PAGE = '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Sign in to continue</body></html>'


@pytest.mark.parametrize('answer', [respond(200, LOGIN_PAGE, content_type='text/html'),
                                    respond(200, LOGIN_PAGE, content_type='application/json'),
                                    respond(200, {'status': 'ok'})], ids=['html', 'html-as-json', 'no-token'])
def test_a_refresh_answered_with_no_token_logs_in_again_once(answer):
    clock = SleepClock(1000.0)
    second = jwt(5000, 1200)
    routes = {
        'POST /v1/tokens': [respond(200, {'accessToken': jwt(1100, 1000), 'refreshToken': {'id': 'rt-1'}}),
                            respond(200, {'accessToken': second, 'refreshToken': {'id': 'rt-2'}})],
        'PATCH /v1/tokens/access-token/refresh': [answer],
        'GET /v1/tasks': [respond(200, {'elements': []})],
    }
    with ReplayServer(routes) as server:
        client = Client(server.url, auth=VcfTokenAuth('u', 'p', clock=clock), **CONNECTIONS['vcf'])
        client.get('/tasks')
        clock.now = 1200.0  # past the first token's exp
        assert client.get('/tasks') == {'elements': []}
        assert len(server.calls('PATCH', '/v1/tokens/access-token/refresh')) == 1
        assert len(server.calls('POST', '/v1/tokens')) == 2
        assert server.calls('GET')[-1].headers['Authorization'] == 'Bearer ' + second


def test_a_refresh_with_no_token_and_no_password_fails_in_one_line():
    clock = SleepClock(1000.0)
    routes = {'PATCH /v1/tokens/access-token/refresh': [respond(200, LOGIN_PAGE, content_type='text/html')],
              'GET /v1/tasks': [respond(401, {'message': 'expired'})]}
    with ReplayServer(routes) as server:
        auth = VcfTokenAuth(access_token=jwt(1100, 1000), clock=clock)
        auth.refresh_id = 'rt-given'
        client = Client(server.url, auth=auth, **CONNECTIONS['vcf'])
        clock.now = 1200.0
        with pytest.raises(ApiError) as info:
            client.get('/tasks')
        text = str(info.value)
        assert '\n' not in text and 'not an access token' in text and 'password' in text, text


def test_a_login_answered_without_an_access_token_says_what_to_check():
    routes = {'POST /v1/tokens': [respond(200, {'refreshToken': {'id': 'rt-1'}})]}
    with ReplayServer(routes) as server:
        client = Client(server.url, auth=VcfTokenAuth('u', 'p', clock=SleepClock(1000.0)), **CONNECTIONS['vcf'])
        with pytest.raises(ApiError) as info:
            client.get('/tasks')
        text = str(info.value)
        assert '\n' not in text and 'without an access token' in text and 'url' in text, text
        assert len(server.calls('POST', '/v1/tokens')) == 1
