# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the auth schemes and the waiter."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import BasicAuth, jwt_claims
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_ico import IcoAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_vcf import VcfTokenAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_vra import VraLoginAuth, VraTenantAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, WaitTimeout
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._waiter import Waiter
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.clocks import SleepClock


def jwt(exp, iat, sub='administrator@vsphere.local'):
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip('=')
    return '%s.%s.%s' % (part({'alg': 'HS256', 'typ': 'JWT'}), part({'sub': sub, 'iat': iat, 'exp': exp}), 'c2ln')


def test_jwt_claims_reads_exp_and_survives_garbage():
    assert jwt_claims(jwt(2000, 1000))['exp'] == 2000
    assert jwt_claims('not-a-jwt') == {}


def test_basic_auth_header_and_secrets():
    auth = BasicAuth('vcoadmin', 'Pa55word!')
    headers = {}
    auth.apply(None, headers)
    assert headers['Authorization'] == 'Basic ' + base64.b64encode(b'vcoadmin:Pa55word!').decode()
    assert 'Pa55word!' in auth.secrets


def test_ico_auth_sends_domain_and_project_headers():
    headers = {}
    IcoAuth('admin', 'pw', 'Default', 'projA').apply(None, headers)
    assert headers['domainName'] == 'Default' and headers['projectName'] == 'projA'
    assert headers['Authorization'].startswith('Basic ')


def test_vcf_401_triggers_exactly_one_refresh():
    first, second = jwt(5000, 1000), jwt(9000, 1000)
    routes = {
        'POST /v1/tokens': [respond(201, {'accessToken': first, 'refreshToken': {'id': 'rt-1'}})],
        'PATCH /v1/tokens/access-token/refresh': [respond(200, json.dumps(second))],
        'GET /v1/tasks/t1': [respond(401, {'message': 'expired'}), respond(200, {'id': 't1'})],
    }
    clock = SleepClock(1000.0)
    with ReplayServer(routes) as server:
        auth = VcfTokenAuth('administrator@vsphere.local', 'VMware123!', clock=clock)
        client = Client(server.url, auth=auth, **CONNECTIONS['vcf'])
        assert client.get('/tasks/t1') == {'id': 't1'}
        refreshes = server.calls('PATCH', '/v1/tokens/access-token/refresh')
        assert len(refreshes) == 1
        assert refreshes[0].json() == 'rt-1'
        gets = server.calls('GET', '/v1/tasks/t1')
        assert gets[0].headers['Authorization'] == 'Bearer ' + first
        assert gets[1].headers['Authorization'] == 'Bearer ' + second
        assert len(server.calls('POST', '/v1/tokens')) == 1


def test_vcf_second_401_is_not_refreshed_again():
    routes = {
        'POST /v1/tokens': [respond(200, {'accessToken': jwt(5000, 1000), 'refreshToken': {'id': 'rt-1'}})],
        'PATCH /v1/tokens/access-token/refresh': [respond(200, json.dumps(jwt(9000, 1000)))],
        'GET /v1/tasks': [respond(401, {'message': 'no'})],
    }
    with ReplayServer(routes) as server:
        client = Client(server.url, auth=VcfTokenAuth('u', 'p', clock=SleepClock(1000.0)), **CONNECTIONS['vcf'])
        with pytest.raises(ApiError) as info:
            client.get('/tasks')
        assert info.value.status == 401
        assert len(server.calls('PATCH')) == 1
        assert len(server.calls('GET')) == 2


def test_vcf_token_is_refreshed_before_its_exp():
    clock = SleepClock(1000.0)
    routes = {
        'POST /v1/tokens': [respond(200, {'accessToken': jwt(1100, 1000), 'refreshToken': {'id': 'rt-9'}})],
        'PATCH /v1/tokens/access-token/refresh': [respond(200, json.dumps(jwt(1300, 1100)))],
        'GET /v1/tasks/t1': [respond(200, {'id': 't1'})],
    }
    with ReplayServer(routes) as server:
        client = Client(server.url, auth=VcfTokenAuth('u', 'p', clock=clock), **CONNECTIONS['vcf'])
        client.get('/tasks/t1')
        assert not server.calls('PATCH')
        clock.now = 1095.0  # inside the last 10 % of the token's life
        client.get('/tasks/t1')
        assert len(server.calls('PATCH')) == 1
        assert server.calls('GET')[-1].headers['Authorization'] == 'Bearer ' + jwt(1300, 1100)
        assert len(server.calls('POST', '/v1/tokens')) == 1


def test_vcf_expired_refresh_token_logs_in_again():
    routes = {
        'POST /v1/tokens': [respond(200, {'accessToken': jwt(1100, 1000), 'refreshToken': {'id': 'rt-1'}}),
                            respond(200, {'accessToken': jwt(5000, 1200), 'refreshToken': {'id': 'rt-2'}})],
        'PATCH /v1/tokens/access-token/refresh': [respond(404, {'message': 'refresh token not found'})],
        'GET /v1/tasks': [respond(200, {'elements': []})],
    }
    clock = SleepClock(1000.0)
    with ReplayServer(routes) as server:
        client = Client(server.url, auth=VcfTokenAuth('u', 'p', clock=clock), **CONNECTIONS['vcf'])
        client.get('/tasks')
        clock.now = 1200.0
        client.get('/tasks')
        assert len(server.calls('POST', '/v1/tokens')) == 2


def test_vra_login_flow_and_reexchange_on_401():
    routes = {
        'POST /csp/gateway/am/api/login': [respond(200, {'refresh_token': 'rt-abc', 'access_token': 'at-0'})],
        'POST /iaas/api/login': [respond(200, {'tokenType': 'Bearer', 'token': 'bearer-1'}),
                                 respond(200, {'tokenType': 'Bearer', 'token': 'bearer-2'})],
        'GET /vco/api/workflows': [respond(401, {'message': 'expired'}), respond(200, {'link': [], 'total': 0})],
    }
    with ReplayServer(routes) as server:
        auth = VraLoginAuth('configadmin', 'VMware1!', domain='System Domain')
        client = Client(server.url, auth=auth, **CONNECTIONS['vro'])
        assert client.get('/workflows') == {'link': [], 'total': 0}
        login = server.calls('POST', '/csp/gateway/am/api/login')
        assert len(login) == 1
        assert login[0].json() == {'username': 'configadmin', 'password': 'VMware1!', 'domain': 'System Domain'}
        assert login[0].path.endswith('?access_token')
        assert [r.json() for r in server.calls('POST', '/iaas/api/login')] == [{'refreshToken': 'rt-abc'}] * 2
        assert [r.headers['Authorization'] for r in server.calls('GET')] == ['Bearer bearer-1', 'Bearer bearer-2']
        assert {'VMware1!', 'rt-abc', 'bearer-1', 'bearer-2'} <= set(auth.secrets)


def test_vra_api_token_skips_the_password_login():
    routes = {'POST /iaas/api/login': [respond(200, {'token': 'bearer-x'})],
              'GET /vco/api/about': [respond(200, {'version': '8.18.1'})]}
    with ReplayServer(routes) as server:
        client = Client(server.url, auth=VraLoginAuth(refresh_token='api-token-1'), **CONNECTIONS['vro'])
        client.get('/about')
        assert not server.calls('POST', '/csp/gateway/am/api/login')


TENANT_TOKEN = '/oauth/tenant/org-a/token'
TM_TENANT_TOKEN = '/tm/oauth/tenant/org-a/token'


def form(recorded):
    return {k: v[0] for k, v in parse_qs(recorded.body).items()}


def test_vra_tenant_login_exchanges_the_api_token_as_a_form_and_again_after_a_401():
    routes = {
        'POST ' + TENANT_TOKEN: [respond(200, {'access_token': 'bearer-1', 'token_type': 'Bearer', 'expires_in': 3600}),
                                 respond(200, {'access_token': 'bearer-2', 'token_type': 'Bearer', 'expires_in': 3600})],
        'GET /vco/api/workflows': [respond(401, {'message': 'expired'}), respond(200, {'link': [], 'total': 0})],
    }
    with ReplayServer(routes) as server:
        auth = VraTenantAuth('org-a', 'api-Token-1')
        client = Client(server.url, auth=auth, **CONNECTIONS['vro'])
        assert client.get('/workflows') == {'link': [], 'total': 0}
        logins = server.calls('POST', TENANT_TOKEN)
        assert [form(r) for r in logins] == [{'grant_type': 'refresh_token', 'refresh_token': 'api-Token-1'}] * 2
        assert logins[0].headers['Content-Type'] == 'application/x-www-form-urlencoded'
        assert 'Authorization' not in logins[0].headers
        assert [r.headers['Authorization'] for r in server.calls('GET')] == ['Bearer bearer-1', 'Bearer bearer-2']
        assert not server.calls('POST', '/csp/gateway/am/api/login') and not server.calls('POST', '/iaas/api/login')
        assert {'api-Token-1', 'bearer-1', 'bearer-2'} <= set(auth.secrets)


def test_vra_tenant_login_tries_the_tm_path_after_a_404_and_keeps_it():
    routes = {
        'POST ' + TM_TENANT_TOKEN: [respond(200, {'access_token': 'bearer-1', 'refresh_token': 'api-Token-2'}),
                                    respond(200, {'access_token': 'bearer-2'})],
        'GET /vco/api/workflows': [respond(401, {'message': 'expired'}), respond(200, {'link': [], 'total': 0})],
    }
    with ReplayServer(routes) as server:
        auth = VraTenantAuth('org-a', 'api-Token-1')
        client = Client(server.url, auth=auth, **CONNECTIONS['vro'])
        client.get('/workflows')
        # One 404 at the first path, then the /tm path only; a rotated token replaces the spent one.
        assert len(server.calls('POST', TENANT_TOKEN)) == 1
        assert [form(r)['refresh_token'] for r in server.calls('POST', TM_TENANT_TOKEN)] == ['api-Token-1', 'api-Token-2']
        assert 'api-Token-2' in auth.secrets


@pytest.mark.parametrize('status', [400, 401, 403])
def test_vra_tenant_login_refused_is_an_auth_error_sent_once(status):
    body = {'error': 'invalid_grant', 'error_description': 'Invalid refresh token'}
    with ReplayServer({'POST ' + TENANT_TOKEN: [respond(status, body)]}) as server:
        client = Client(server.url, auth=VraTenantAuth('org-a', 'api-Token-1'), **CONNECTIONS['vro'])
        with pytest.raises(ApiError) as caught:
            client.get('/workflows')
        error = caught.value
        assert error.kind == 'auth' and error.status == status
        assert 'refused the API token (HTTP %d)' % status in str(error) and 'auth_tenant' in str(error)
        assert len(server.requests) == 1
        assert 'api-Token-1' not in str(error) + json.dumps(error.to_result())


def test_vra_tenant_login_not_found_at_either_path_names_both():
    with ReplayServer({}) as server:
        client = Client(server.url, auth=VraTenantAuth('org a/b', 'api-Token-1'), **CONNECTIONS['vro'])
        with pytest.raises(ApiError) as caught:
            client.get('/workflows')
        assert caught.value.kind == 'auth' and caught.value.status == 404
        assert '/oauth/tenant/org%20a%2Fb/token or /tm/oauth/tenant/org%20a%2Fb/token' in str(caught.value)
        assert [r.path for r in server.requests] == ['/oauth/tenant/org%20a%2Fb/token', '/tm/oauth/tenant/org%20a%2Fb/token']


# -- waiter -------------------------------------------------------------------------------------------


def waiter(clock, **kwargs):
    return Waiter(clock=clock, sleep=clock.sleep, **kwargs)


@pytest.mark.parametrize('duration,max_polls', [(0.5, 2), (2, 8), (10, 19), (60, 28)])
def test_waiter_poll_counts_stay_low(duration, max_polls):
    clock = SleepClock(0.0)
    w = waiter(clock, timeout=1000)
    seen = w.wait(clock, lambda now: now >= duration, first_delay=0.25)
    assert w.polls <= max_polls
    # The end is noticed within the interval cap.
    assert seen - duration <= w.interval_max


def test_waiter_notices_a_two_second_run_quickly():
    lags = []
    for end in (1.8, 1.9, 2.0, 2.1, 2.2):
        clock = SleepClock(0.0)
        lags.append(waiter(clock).wait(clock, lambda now, end=end: now >= end, first_delay=0.25) - end)
    assert sorted(lags)[2] < 0.35


def test_waiter_timeout_carries_the_last_observation():
    clock = SleepClock(0.0)
    with pytest.raises(WaitTimeout) as info:
        waiter(clock, timeout=3).wait(lambda: {'state': 'running', 'at': clock.now}, lambda o: False)
    assert info.value.last['state'] == 'running'
    assert clock.now == pytest.approx(3.0)
    assert info.value.polls >= 2


def test_waiter_tolerates_transient_errors():
    clock = SleepClock(0.0)
    answers = [ApiError('busy', status=503), ApiError('reset', kind='connection'), 'completed']
    seen = []

    def fetch():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert waiter(clock).wait(fetch, lambda s: s == 'completed', on_transient=seen.append) == 'completed'
    assert [e.kind for e in seen] == ['http', 'connection']


def test_waiter_raises_other_errors_at_once():
    clock = SleepClock(0.0)

    def fetch():
        raise ApiError('gone', status=404)

    with pytest.raises(ApiError) as info:
        waiter(clock).wait(fetch, lambda s: True)
    assert info.value.status == 404


def test_waiter_rejects_bad_options():
    with pytest.raises(ValueError):
        Waiter(timeout=-1)
    with pytest.raises(ValueError):
        Waiter(interval=0)
    with pytest.raises(ValueError):
        Waiter(interval=2, interval_max=1)


def test_waiter_never_sleeps_past_the_deadline():
    clock = SleepClock(0.0)
    with pytest.raises(WaitTimeout):
        waiter(clock, timeout=7.3, interval=1, interval_max=5).wait(lambda: None, lambda o: False)
    assert clock.now == pytest.approx(7.3)
