# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credentials and server-supplied URLs, the cases test_client_origin.py leaves out.

- credentials in the configured url (``https://user:password@host``): refused before anything is sent (requests would
  send them as Basic credentials in place of the configured token), without quoting the password;
- a secret the server echoes escaped (JSON ``\\"``/``\\u00e9``, percent-encoded as in a form) is masked like a plain one;
- a proxy URL with credentials that requests cannot parse: its password is not quoted; a proxy without a host is a
  configuration error, not a crash;
- server URLs with user info, odd host spellings (case, trailing dot, IPv6) and a backslash: the request goes to the
  configured server with the configured credentials only, or is refused.
Servers are replay servers on real sockets: the assertions are on what they received.
"""

from __future__ import annotations

import json
import logging

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils import _watch
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import BasicAuth, BearerAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_vcf import VcfTokenAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client, redact, url_password
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, safe_url
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import CONNECTION as VRO_CONNECTION
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond

PRODUCTS = [('vro', '/vco/api/about'), ('vcf', '/v1/tasks'), ('ico', '/orchestrator/v2/tasks')]
URL_PASSWORD = 'UrlPw-7c1d'
PROXY_PASSWORD = 'ProxyPw-93a1'


def client(url, product='vro', **kwargs):
    kwargs.setdefault('sleep', lambda seconds: None)
    return Client(url, **CONNECTIONS[product], **kwargs)


def everything(error):
    """Every text an ApiError shows: its message, its structured result, and each of its fields as it is."""
    fields = [error.message, error.server_message, error.body_excerpt, error.url, error.hint]
    return ' '.join([str(error), json.dumps(error.to_result(), default=str)] + [str(f) for f in fields if f] +
                    [str(v) for v in error.details.values()])


# -- credentials in the configured url ---------------------------------------------------------------------------

@pytest.mark.parametrize('product,path', PRODUCTS)
@pytest.mark.parametrize('auth', [BearerAuth('tok-configured-1'), BasicAuth('admin', 'Configured-pw1')])
def test_credentials_in_the_configured_url_are_refused_before_anything_is_sent(product, path, auth):
    with ReplayServer({'GET ' + path: [respond(200, {})]}) as server:
        url = server.url.replace('http://', 'http://urluser:%s@' % URL_PASSWORD)
        with pytest.raises(ApiError) as info:
            client(url, product, auth=auth).get(path)
        assert server.requests == []
    error = info.value
    assert error.kind == 'config' and URL_PASSWORD not in everything(error) and '\n' not in str(error)
    assert 'user name or password' in str(error) and 'set username and password' in str(error)
    assert server.url in str(error)


def test_a_url_with_a_user_name_only_is_refused_too():
    with pytest.raises(ApiError) as info:
        client('https://someone@server.example')
    assert info.value.kind == 'config' and 'https://server.example' in str(info.value)


@pytest.mark.parametrize('url,password', [('https://u:%s@h' % URL_PASSWORD, URL_PASSWORD), ('https://u@h', None),
                                          ('https://h/x?a=b@c', None), ('https://[bad', None), (None, None)])
def test_url_password_reads_the_user_info_only(url, password):
    assert url_password(url) == password


def test_an_event_source_with_credentials_in_its_url_stops_without_quoting_them():
    options = _watch.connection('vro', {'url': 'https://admin:%s@vro.example' % URL_PASSWORD, 'username': 'admin',
                                        'password': 'Pa55-w0rd-x'}, {})
    with pytest.raises(_watch.SourceError) as info:
        _watch.build_client('vro', options, VRO_CONNECTION, logging.getLogger('test'))
    assert URL_PASSWORD not in str(info.value) and 'https://vro.example' in str(info.value)


# -- secrets the server echoes, escaped ----------------------------------------------------------------------------

# A password with a quote, a backslash, a slash, a plus and a non-ASCII letter: JSON and percent-encoding change each.
ODD_PASSWORD = 'pa"ss\\w\u00f6rd/+x'


@pytest.mark.parametrize('body', [
    {'message': 'bad credentials ' + ODD_PASSWORD},                # the message: server_message
    {'error_description': 'bad credentials ' + ODD_PASSWORD},      # no message key: the body excerpt
    {'message': 'x', 'errorCode': 'E1', 'arguments': [ODD_PASSWORD]},
])
@pytest.mark.parametrize('ensure_ascii', [True, False])
def test_a_password_echoed_json_escaped_is_masked(body, ensure_ascii):
    text = json.dumps(body, ensure_ascii=ensure_ascii)
    assert ODD_PASSWORD not in text  # the test is about the escaped forms
    with ReplayServer({'GET /v1/tasks': [respond(400, text)]}) as server:
        with pytest.raises(ApiError) as info:
            client(server.url, 'vcf', auth=BasicAuth('admin', ODD_PASSWORD)).get('/tasks')
    shown = everything(info.value)
    for form in (ODD_PASSWORD, json.dumps(ODD_PASSWORD)[1:-1], json.dumps(ODD_PASSWORD, ensure_ascii=False)[1:-1]):
        assert form not in shown, shown
    assert 'HTTP 400' in str(info.value)


def test_a_token_echoed_percent_encoded_is_masked():
    refresh = 'Rf/tok+en=42=='
    page = 'invalid_grant: refresh_token=%s was refused' % 'Rf%2Ftok%2Ben%3D42%3D%3D'
    with ReplayServer({'GET /v1/tasks': [respond(500, page, content_type='text/plain')]}) as server:
        auth = VcfTokenAuth()
        auth.access_token = 'opaque-access-1'
        auth.refresh_id = refresh
        auth.secrets += ['opaque-access-1', refresh]
        with pytest.raises(ApiError) as info:
            client(server.url, 'vcf', auth=auth, retries=0).get('/tasks')
    shown = everything(info.value)
    assert 'Rf%2Ftok%2Ben%3D42%3D%3D' not in shown and refresh not in shown and 'was refused' in shown


def test_redact_keeps_text_without_secrets_and_masks_each_form():
    assert redact('nothing here', ['abcdef']) == 'nothing here'
    assert redact('a "x\\"y" b x%22y c x"y', ['x"y']) == 'a "********" b ******** c ********'


# -- proxies from the environment ----------------------------------------------------------------------------------

@pytest.mark.parametrize('url', ['https://server.example', 'http://server.example'])
def test_a_proxy_url_that_cannot_be_parsed_does_not_show_its_password(no_proxy_environment, url):
    proxy = 'http://puser:%s@127.0.0.1:99999' % PROXY_PASSWORD   # a port out of range: urllib3 quotes the whole URL
    no_proxy_environment.setenv('HTTPS_PROXY', proxy)
    no_proxy_environment.setenv('HTTP_PROXY', proxy)
    with pytest.raises(ApiError) as info:
        client(url, 'vcf', auth=BasicAuth('admin', 'pw12345'), retries=0).get('/tasks')
    shown = everything(info.value)
    assert PROXY_PASSWORD not in shown and '127.0.0.1:99999' in shown


@pytest.mark.parametrize('url', ['https://server.example', 'http://server.example'])
def test_a_proxy_without_a_host_is_a_configuration_error(no_proxy_environment, url):
    no_proxy_environment.setenv('HTTPS_PROXY', 'http://puser:%s@' % PROXY_PASSWORD)
    no_proxy_environment.setenv('HTTP_PROXY', 'http://puser:%s@' % PROXY_PASSWORD)
    with pytest.raises(ApiError) as info:
        client(url, 'vcf', auth=BasicAuth('admin', 'pw12345'), retries=0).get('/tasks')
    error = info.value
    assert error.kind == 'config' and 'has no host' in str(error) and 'use_proxy' in str(error)
    assert PROXY_PASSWORD not in everything(error) and '\n' not in str(error)
    # use_proxy: false does not read the environment at all.
    with ReplayServer({'GET /v1/tasks': [respond(200, {'elements': []})]}) as server:
        assert client(server.url, 'vcf', use_proxy=False).get('/tasks') == {'elements': []}


def test_safe_url_strips_user_info_anywhere_in_a_text():
    text = "Failed to parse: 'http://u:p@ss@proxy:1' and https://a:b@h/x?token=t&u=a@b"
    assert safe_url(text) == "Failed to parse: 'http://proxy:1' and https://h/x?token=********&u=a@b"


# -- server URLs: user info, host spellings ---------------------------------------------------------------------

@pytest.mark.parametrize('template', [
    'http://intruder:stolen-pw@{host}/v1/tasks/7',    # user info on our own origin: dropped, never sent
    'http://{HOST}/v1/tasks/7',                        # host case
    'http://evil.example\\@{host}/v1/tasks/7',        # a backslash: urlsplit reads the host after '@'
])
def test_a_server_url_on_our_origin_reaches_our_server_with_our_credentials_only(template):
    with ReplayServer({'GET /v1/tasks/7': [respond(200, {'id': '7'})]}) as server:
        host = server.url.split('://', 1)[1]
        c = client(server.url, 'vcf', auth=BearerAuth('tok-ours-123'))
        assert c.get(template.format(host=host, HOST=host.upper())) == {'id': '7'}
        assert [(r.path, r.headers['Authorization'], r.headers['Host']) for r in server.requests] == [
            ('/v1/tasks/7', 'Bearer tok-ours-123', host)]


@pytest.mark.parametrize('foreign', [
    'https://server.example@evil.example/v1/tasks/7',  # our host as user info of another
    'https://server.example./v1/tasks/7',              # a trailing dot: another name to the origin rule
    'https://[::1]/v1/tasks/7',                         # an IPv6 literal
    'https://SERVER.example:8443/v1/tasks/7',          # another port
])
def test_odd_spellings_of_a_foreign_server_url_are_refused(foreign):
    c = client('https://server.example', 'vcf', auth=BearerAuth('tok-ours-123'))
    with pytest.raises(ApiError) as info:
        c.url_for(foreign)
    assert info.value.kind == 'origin' and 'credentials are only sent there' in str(info.value)


def test_a_port_with_a_leading_zero_is_the_same_port():
    assert client('https://server.example', 'vcf').url_for('https://server.example:0443/v1/tasks/7') == \
        'https://server.example/v1/tasks/7'


def test_an_ipv6_server_url_matches_an_ipv6_configured_url():
    c = client('https://[::1]:8443', 'vcf')
    assert c.url_for('https://[::1]:8443/v1/tasks/7') == 'https://[::1]:8443/v1/tasks/7'
    with pytest.raises(ApiError):
        c.url_for('https://[::2]:8443/v1/tasks/7')


# -- a foreign Location of a vRO create: only its last segment is used, at home ------------------------------------

def test_vro_start_and_task_create_with_a_foreign_location_send_nothing_there():
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_api import RunApi
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_api import ScheduledTasks
    task = {'id': 't-1', 'name': 'nightly', 'state': 'pending', 'workflow': {'id': 'w1'}}
    with ReplayServer({'GET /vco/api/tasks/t-1': [respond(200, {'stolen': True})],
                       'GET /vco/api/workflows/w1/executions/e-1': [respond(200, {'stolen': True})]}) as other:
        routes = {
            'POST /vco/api/workflows/w1/executions': [respond(202, '', headers={
                'Location': 'http://intruder:pw@%s/vco/api/workflows/w1/executions/e-1/' % other.url.split('://')[1]})],
            'POST /vco/api/tasks': [respond(202, '', headers={'Location': other.url + '/vco/api/tasks/t-1/'})],
            'GET /vco/api/tasks/t-1': [respond(200, task)],
        }
        with ReplayServer(routes) as server:
            c = client(server.url, 'vro', auth=BasicAuth('admin', 'Configured-pw1'))
            run = RunApi(c).start('w1', [])
            created = ScheduledTasks(c).create({'name': 'nightly'})
            assert [(r.method, r.path) for r in server.requests] == [
                ('POST', '/vco/api/workflows/w1/executions'), ('POST', '/vco/api/tasks'), ('GET', '/vco/api/tasks/t-1')]
        assert other.requests == []
    assert run.id == 'e-1' and created.id == 't-1'
