# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vRO and its vRA login against real-server forms found in the fidelity audit (part 17), each with its public source.

- A vRO 8 appliance without Aria Automation has the CSP gateway but no ``/iaas/api/login``: VMware's own vRO client
  (vmware/build-tools-for-vmware-aria, ``typescript/codify/src/client/vro.ts``) exchanges the CSP login's
  ``refresh_token`` at ``POST /csp/gateway/am/api/auth/api-tokens/authorize`` (form ``refresh_token=...``) for an
  ``access_token``, the bearer on ``/vco/api``.
- A run that has no current item says ``"current-item-display-name": "__item-undefined__"`` (a captured 7.x run in
  vaquero-io/vcoworkflows ``lib/vcoworkflows/workflowtoken.rb``); the 8.18.1 spec also has ``current-item-for-display``.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_vra import VraLoginAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import Execution
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond

API = '/vco/api'
ABOUT_8 = {'version': '8.18.1.24180498', 'build-number': '24180498', 'api-version': '6.0.0'}
AUTHORIZE = '/csp/gateway/am/api/auth/api-tokens/authorize'
NOT_FOUND_PAGE = '<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center></body></html>'


def _client(server, auth):
    return Client(server.url, auth=auth, **CONNECTIONS['vro'], retries=0, sleep=lambda s: None)


def test_standalone_vro_8_without_iaas_login_gets_its_bearer_from_the_csp_authorize_call():
    login = {'refresh_token': 'rt-secret'}
    authorized = {'scope': 'openid', 'access_token': 'csp-access', 'refresh_token': 'rt-secret', 'id_token': 'idt',
                  'token_type': 'bearer', 'expires_in': 1799}
    routes = {'POST /csp/gateway/am/api/login': [respond(200, login)],
              'POST /iaas/api/login': [respond(404, NOT_FOUND_PAGE, content_type='text/html')],
              'POST %s' % AUTHORIZE: [respond(200, authorized)],
              'GET %s/about' % API: [respond(200, ABOUT_8)]}
    with ReplayServer(routes) as server:
        auth = VraLoginAuth('svc', 'pw')
        client = _client(server, auth)
        client.get('/about')
        # A second token (the first one refused later): the exchange that answered is used again, alone.
        auth.refresh(client)
        client.get('/about')
        sent = [(r.method, r.path.split('?')[0]) for r in server.requests]
        form = parse_qs(server.calls('POST', AUTHORIZE)[0].body)
        content_type = server.calls('POST', AUTHORIZE)[0].headers.get('Content-Type')
        header = server.requests[-1].headers['Authorization']
    assert sent == [('POST', '/csp/gateway/am/api/login'), ('POST', '/iaas/api/login'), ('POST', AUTHORIZE),
                    ('GET', API + '/about'), ('POST', AUTHORIZE), ('GET', API + '/about')]
    assert form == {'refresh_token': ['rt-secret']}
    assert content_type == 'application/x-www-form-urlencoded'
    assert header == 'Bearer csp-access'
    assert 'csp-access' in auth.secrets


def test_a_refused_csp_authorize_is_an_authentication_error():
    routes = {'POST /csp/gateway/am/api/login': [respond(200, {'refresh_token': 'rt-secret'})],
              'POST /iaas/api/login': [respond(404, {'message': 'Not Found'})],
              'POST %s' % AUTHORIZE: [respond(400, {'message': 'invalid_grant: Invalid refresh token'})]}
    with ReplayServer(routes) as server:
        client = _client(server, VraLoginAuth('svc', 'pw'))
        try:
            client.get('/about')
        except Exception as error:  # pylint: disable=broad-except
            caught = error
        else:
            caught = None
        logins = len(server.calls('POST', '/csp/gateway/am/api/login'))
        abouts = len(server.calls('GET', API + '/about'))
    assert caught is not None and getattr(caught, 'kind', None) == 'auth' and getattr(caught, 'status', None) == 400
    assert 'authorize' in str(caught) and 'Invalid refresh token' in str(caught) and '\n' not in str(caught)
    assert 'rt-secret' not in str(caught)
    assert abouts == 0 and logins == 2  # the expired-refresh-token path logs in once more, then gives up


def test_a_run_without_a_current_item_says_none():
    undefined = Execution({'id': 'e1', 'state': 'running', 'current-item-display-name': '__item-undefined__'}, 'w1')
    assert undefined.current_item is None and undefined.to_result()['current_item'] is None
    spec_name = Execution({'id': 'e1', 'state': 'running', 'current-item-for-display': 'Scriptable task'}, 'w1')
    assert spec_name.current_item == 'Scriptable task'
    real = Execution({'id': 'e1', 'state': 'running', 'current-item-display-name': 'Scriptable task'}, 'w1')
    assert real.to_result()['current_item'] == 'Scriptable task'
