# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for issue 12 section 2: credentials go only to the configured origin.

The origin rule (``Client.url_for``, ``Client.resolve``), 3xx answers, ~/.netrc, proxies and the CA bundle from the
environment, and ids as path segments, for every product. Servers are replay servers on real sockets.
"""

from __future__ import annotations

import os

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import BasicAuth, BearerAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client, path_segment
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import TaskService
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import VroApi
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond

PRODUCTS = [('vro', '/vco/api'), ('vcf', '/v1'), ('ico', '/orchestrator/v2')]


def client(url, product='vro', **kwargs):
    kwargs.setdefault('sleep', lambda seconds: None)
    return Client(url, **CONNECTIONS[product], **kwargs)


# -- the origin rule ------------------------------------------------------------------------------------------

@pytest.mark.parametrize('product,api', PRODUCTS)
@pytest.mark.parametrize('url,expected', [
    ('https://Server.Example:443{api}/tasks/7', 'https://server.example{api}/tasks/7'),
    ('https://server.example{api}/tasks/7?expand=x', 'https://server.example{api}/tasks/7?expand=x'),
    ('HTTPS://SERVER.EXAMPLE/{api_tail}/tasks/7', 'https://server.example{api}/tasks/7'),
])
def test_same_origin_urls_are_reduced_to_their_path(product, api, url, expected):
    c = client('https://server.example', product)
    given = url.format(api=api, api_tail=api.lstrip('/'))
    assert c.url_for(given) == expected.format(api=api)


@pytest.mark.parametrize('product,api', PRODUCTS)
@pytest.mark.parametrize('foreign', [
    'http://server.example{api}/tasks/7',          # https -> http downgrade
    'https://other-host{api}/tasks/7',             # another host
    'https://server.example:8443{api}/tasks/7',    # another port
    'https://server.example.evil{api}/tasks/7',    # a host that only starts like ours
    '//other-host{api}/tasks/7',                   # scheme-relative
])
def test_foreign_urls_are_refused_before_anything_is_sent(product, api, foreign):
    with ReplayServer({}) as server:
        c = client(server.url.replace('127.0.0.1', 'localhost'), product, auth=BasicAuth('admin', 's3cret-pw'))
        target = foreign.format(api=api)
        with pytest.raises(ApiError) as info:
            c.get(target)
        assert server.requests == []
    assert info.value.kind == 'origin'
    assert 'credentials are only sent there' in str(info.value)
    assert 's3cret-pw' not in str(info.value) and '\n' not in str(info.value)


def test_a_foreign_url_on_the_real_wire_reaches_nobody():
    with ReplayServer({}) as ours, ReplayServer({'GET /vco/api/about': [respond(200, {'stolen': True})]}) as other:
        c = client(ours.url, auth=BasicAuth('admin', 's3cret-pw'))
        with pytest.raises(ApiError) as info:
            c.get(other.url + '/vco/api/about')
        assert other.requests == [] and ours.requests == []
    assert other.url in str(info.value)


def test_a_url_outside_the_configured_root_path_is_refused():
    c = client('https://server.example/prefix', 'ico')
    assert c.url_for('https://server.example/prefix/orchestrator/v2/tasks/1') == \
        'https://server.example/prefix/orchestrator/v2/tasks/1'
    with pytest.raises(ApiError) as info:
        c.url_for('https://server.example/other/orchestrator/v2/tasks/1')
    assert info.value.kind == 'origin' and 'outside the configured url' in str(info.value)


@pytest.mark.parametrize('product,api', PRODUCTS)
@pytest.mark.parametrize('reference,expected', [
    ('{api}/tasks/99', '{api}/tasks/99'),             # absolute path: not joined to the API base twice
    ('tasks/99', '{api}/tasks/99'),                   # relative to the POST's URL
    ('99', '{api}/99'),
    ('../x', '{parent}/x'),
    ('https://server.example{api}/tasks/99/', '{api}/tasks/99/'),
])
def test_relative_references_resolve_against_the_request_url(product, api, reference, expected):
    c = client('https://server.example', product)
    request_url = 'https://server.example%s/tasks' % api
    parent = api.rsplit('/', 1)[0]
    resolved = c.resolve(reference.format(api=api), request_url)
    assert resolved == 'https://server.example' + expected.format(api=api, parent=parent)
    assert c.url_for(resolved) == resolved


@pytest.mark.parametrize('product', [p for p, ignored in PRODUCTS])
def test_resolve_refuses_a_reference_that_leaves_the_origin(product):
    c = client('https://server.example', product)
    with pytest.raises(ApiError) as info:
        c.resolve('http://other-host/orchestrator/v2/tasks/99', 'https://server.example/orchestrator/v2/tasks')
    assert info.value.kind == 'origin' and 'http://other-host/orchestrator/v2/tasks/99' in str(info.value)


def test_dot_segments_in_a_server_url_are_refused():
    c = client('https://server.example', 'vcf')
    with pytest.raises(ApiError) as info:
        c.url_for('https://server.example/v1/tasks/%2e%2e/tokens')
    assert info.value.kind == 'origin'


# -- 3xx answers ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize('product,api', PRODUCTS)
@pytest.mark.parametrize('status', [301, 302, 303, 307, 308])
def test_a_redirect_is_a_failure_naming_the_target(product, api, status):
    routes = {'GET %s/tasks' % api: [respond(status, '', headers={'Location': 'https://sso.example/login?token=abc'})]}
    with ReplayServer(routes) as server:
        c = client(server.url, product, auth=BasicAuth('admin', 's3cret-pw'))
        with pytest.raises(ApiError) as info:
            c.get('/tasks')
        assert len(server.requests) == 1
    error = info.value
    assert error.kind == 'redirect' and error.status == status
    text = str(error)
    assert 'redirected to https://sso.example/login' in text and 'login page or a load balancer' in text
    assert 'abc' not in text and '\n' not in text


def test_a_relative_redirect_names_the_resolved_target():
    with ReplayServer({'GET /vco/api/workflows': [respond(302, '', headers={'Location': '/login'})]}) as server:
        with pytest.raises(ApiError) as info:
            client(server.url).get('/workflows')
    assert 'redirected to %s/login' % server.url in str(info.value)


def test_a_redirect_without_location_is_a_failure_too():
    with ReplayServer({'GET /v1/tasks': [respond(302, '')]}) as server:
        with pytest.raises(ApiError) as info:
            client(server.url, 'vcf').get('/tasks')
    assert info.value.kind == 'redirect' and 'without a Location' in str(info.value)


# -- the environment: netrc, proxies, CA bundle -----------------------------------------------------------------

@pytest.fixture
def netrc_for_loopback(tmp_path, monkeypatch):
    path = tmp_path / 'netrc'
    path.write_text('machine 127.0.0.1 login netrcuser password netrcpass\n', encoding='utf-8')
    os.chmod(str(path), 0o600)
    monkeypatch.setenv('NETRC', str(path))
    monkeypatch.setenv('HOME', str(tmp_path))
    (tmp_path / '.netrc').write_text(path.read_text(encoding='utf-8'), encoding='utf-8')
    os.chmod(str(tmp_path / '.netrc'), 0o600)
    return path


@pytest.mark.parametrize('auth,expected', [
    (BearerAuth('tok-123456'), 'Bearer tok-123456'),
    (BasicAuth('admin', 'pw'), BasicAuth('admin', 'pw').header),
])
def test_netrc_never_replaces_the_configured_credentials(netrc_for_loopback, auth, expected):
    with ReplayServer({'GET /v1/tasks': [respond(200, {'elements': []})]}) as server:
        client(server.url, 'vcf', auth=auth).get('/tasks')
        assert server.requests[0].headers['Authorization'] == expected


def test_netrc_is_not_used_for_a_request_without_credentials(netrc_for_loopback):
    with ReplayServer({'POST /v1/tokens': [respond(200, {'accessToken': 'a'})]}) as server:
        client(server.url, 'vcf').post('/tokens', json={'username': 'u', 'password': 'p'})
        assert 'Authorization' not in server.requests[0].headers


def test_proxies_come_from_the_environment_only_with_use_proxy(no_proxy_environment):
    with ReplayServer({'GET /vco/api/about': [respond(200, {'via': 'direct'})]}) as server, ReplayServer({}) as proxy:
        # A proxied plain-http request names the whole URL in its request line.
        proxy.routes['GET %s/vco/api/about' % server.url] = [respond(200, {'via': 'proxy'})]
        no_proxy_environment.setenv('HTTP_PROXY', proxy.url)
        assert client(server.url).get('/about') == {'via': 'proxy'}
        assert client(server.url, use_proxy=False).get('/about') == {'via': 'direct'}
        no_proxy_environment.setenv('NO_PROXY', '127.0.0.1')
        assert client(server.url).get('/about') == {'via': 'direct'}
        assert len(proxy.requests) == 1 and len(server.requests) == 2


def test_use_proxy_false_ignores_the_environment():
    # requests must not trust the environment wholesale (that is what reads ~/.netrc), whatever use_proxy says.
    assert Client('https://h', use_proxy=False).session.trust_env is False
    assert Client('https://h').session.trust_env is False


def test_ca_bundle_from_the_environment_only_when_verifying_without_ca_path(monkeypatch, tmp_path):
    monkeypatch.delenv('CURL_CA_BUNDLE', raising=False)
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/env/ca.pem')
    assert Client('https://h').verify == '/env/ca.pem'
    assert Client('https://h', ca_path='/given/ca.pem').verify == '/given/ca.pem'
    assert Client('https://h', validate_certs=False).verify is False
    monkeypatch.delenv('REQUESTS_CA_BUNDLE')
    monkeypatch.setenv('CURL_CA_BUNDLE', '/curl/ca.pem')
    assert Client('https://h').verify == '/curl/ca.pem'
    monkeypatch.delenv('CURL_CA_BUNDLE')
    assert Client('https://h').verify is True


# -- ids are path segments --------------------------------------------------------------------------------------

@pytest.mark.parametrize('bad', ['%2e%2e/%2e%2e/tokens', '../tokens', '..', '.', 'a/b', 'a?b', 'a#b', '%2E', 'x%2ey', ''])
def test_ids_that_could_leave_their_segment_are_refused(bad):
    with pytest.raises(ApiError) as info:
        path_segment(bad, 'task_id')
    assert info.value.kind == 'validation' and 'task_id' in str(info.value) and '\n' not in str(info.value)


@pytest.mark.parametrize('good,quoted', [('2001', '2001'), ('a b', 'a%20b'), ('x%41', 'x%2541'), ('a;b', 'a%3Bb'),
                                         ('5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001', '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001')])
def test_ids_are_quoted_as_one_segment(good, quoted):
    assert path_segment(good) == quoted


def _vro_get(c, task_id):
    return VroApi(c).execution('w1', task_id)


def _vcf_get(c, task_id):
    return TaskService(c).get(task_id)


def _ico_get(c, task_id):
    return TaskEngine(c, user='admin').get(task_id)


@pytest.mark.parametrize('product,api,read', [('vro', '/vco/api/workflows/w1/executions', _vro_get),
                                              ('vcf', '/v1/tasks', _vcf_get),
                                              ('ico', '/orchestrator/v2/tasks', _ico_get)])
def test_every_product_quotes_ids_and_refuses_traversal(product, api, read):
    with ReplayServer({'GET %s/a%%20b' % api: [respond(200, {'id': 'a b', 'status': 'x', 'state': 'running'})]}) as server:
        c = client(server.url, product, auth=BasicAuth('admin', 'pw'))
        read(c, 'a b')
        assert [r.path for r in server.requests] == ['%s/a%%20b' % api]
        with pytest.raises(ApiError) as info:
            read(c, '%2e%2e/%2e%2e/tokens')
        assert info.value.kind == 'validation'
        assert len(server.requests) == 1


# -- ICO: the Location of a created task ----------------------------------------------------------------------

CREATED = {'id': '2001', 'eventTopic': 'topic/a', 'parm': {'k': 'v'}, 'user': 'admin', 'status': 'QUEUED'}
FIELDS = {'eventTopic': 'topic/a', 'parm': {'k': 'v'}}


@pytest.mark.parametrize('location', ['/orchestrator/v2/tasks/2001', 'tasks/2001', '../v2/tasks/2001/'])
def test_ico_relative_location_is_read_once_from_the_right_url(location):
    routes = {'POST /orchestrator/v2/tasks': [respond(201, '', headers={'Location': location})],
              'GET /orchestrator/v2/tasks/2001': [respond(200, CREATED)],
              'GET /orchestrator/v2/tasks/2001/': [respond(200, CREATED)]}
    with ReplayServer(routes) as server:
        task = TaskEngine(client(server.url, 'ico', auth=BasicAuth('admin', 'pw')), user='admin').create(dict(FIELDS))
        assert task['id'] == '2001'
        assert [r.method for r in server.requests] == ['POST', 'GET']
        assert server.requests[1].path.rstrip('/') == '/orchestrator/v2/tasks/2001'


def test_ico_foreign_location_is_not_followed_and_the_task_is_read_at_home():
    warnings = []
    with ReplayServer({'GET /orchestrator/v2/tasks/2001': [respond(200, {'stolen': True})]}) as other:
        routes = {'POST /orchestrator/v2/tasks': [respond(201, '', headers={
            'Location': other.url + '/orchestrator/v2/tasks/2001'})],
            'GET /orchestrator/v2/tasks/2001': [respond(200, CREATED)]}
        with ReplayServer(routes) as server:
            c = client(server.url, 'ico', auth=BasicAuth('admin', 's3cret-pw'), warn=warnings.append)
            task = TaskEngine(c, user='admin').create(dict(FIELDS))
            assert [r.method for r in server.requests] == ['POST', 'GET']
        assert other.requests == []
    assert task['id'] == '2001'
    assert len(warnings) == 1 and other.url in warnings[0] and 'not on the configured server' in warnings[0]


def test_ico_foreign_location_naming_another_task_fails_saying_a_task_was_created():
    routes = {'POST /orchestrator/v2/tasks': [respond(201, '', headers={
        'Location': 'http://other-host/orchestrator/v2/tasks/2001'})],
        'GET /orchestrator/v2/tasks/2001': [respond(200, dict(CREATED, eventTopic='someone/else'))]}
    with ReplayServer(routes) as server:
        with pytest.raises(OperationError) as info:
            TaskEngine(client(server.url, 'ico', auth=BasicAuth('admin', 'pw')), user='admin').create(dict(FIELDS))
    text = str(info.value)
    assert 'created a task' in text and '2001' in text and 'http://other-host' in text and 'orch_task_info' in text
    assert info.value.result['changed'] is True and info.value.result['task'] == {'id': '2001'}
