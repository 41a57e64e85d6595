# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Server-supplied URLs that Python's URL parser cannot read (part 22, blind foreign URLs).

A hostile or broken server can answer with ``Location: https://[::1:8443/...`` (an unclosed IPv6 bracket):
``urlsplit`` and ``urljoin`` raise ``ValueError("Invalid IPv6 URL")``. Before, that bare text was the whole failure:

- a 3xx with such a ``Location``, on any request of any product: requests raises it from ``Session.send`` even with
  ``allow_redirects=False`` (it prepares the request it would send next), so the answer was lost;
- a vRO start (202) with such a ``Location``: the run was started, and the task failed with "Invalid IPv6 URL",
  changed false, naming no run;
- ``Client.url_for`` / ``Client.resolve`` of such a URL raised ValueError instead of the origin refusal.

Nothing was ever sent elsewhere; these tests pin that it still is not, and that each case is a one-line ApiError.
"""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import BasicAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_api import RunApi
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond

PRODUCTS = [('vro', '/vco/api'), ('vcf', '/v1'), ('ico', '/orchestrator/v2')]
UNREADABLE = 'https://[::1:8443/login?next=1'


def client(url, product='vro', **kwargs):
    kwargs.setdefault('sleep', lambda seconds: None)
    return Client(url, **CONNECTIONS[product], **kwargs)


@pytest.mark.parametrize('product,api', PRODUCTS)
@pytest.mark.parametrize('method,status', [('GET', 302), ('GET', 301), ('POST', 307), ('DELETE', 308), ('PATCH', 303)])
def test_a_redirect_to_an_unreadable_url_is_a_one_line_failure_naming_it(product, api, method, status):
    routes = {'%s %s/tasks/7' % (method, api): [respond(status, '', headers={'Location': UNREADABLE})]}
    with ReplayServer(routes) as server:
        c = client(server.url, product, auth=BasicAuth('admin', 's3cret-pw'))
        with pytest.raises(ApiError) as info:
            c.request(method, '/tasks/7', json={} if method in ('POST', 'PATCH') else None)
        assert len(server.requests) == 1  # sent once, never again because of the redirect
    error = info.value
    assert error.kind == 'redirect' and error.status == status
    text = str(error)
    assert 'redirected to https://[::1:8443/login' in text and 'login page or a load balancer' in text, text
    assert 's3cret-pw' not in text and '\n' not in text


@pytest.mark.parametrize('product,api', PRODUCTS)
@pytest.mark.parametrize('unreadable', ['https://[::1{api}/tasks/7', 'https://[::1]x{api}/tasks/7', '//[v1.x{api}/tasks/7'])
def test_an_unreadable_server_url_is_refused_before_anything_is_sent(product, api, unreadable):
    with ReplayServer({}) as server:
        c = client(server.url, product, auth=BasicAuth('admin', 's3cret-pw'))
        target = unreadable.format(api=api)
        for call in (c.get, c.resolve):
            with pytest.raises(ApiError) as info:
                call(target)
            assert info.value.kind == 'origin', info.value
            assert 'credentials are only sent there' in str(info.value) and '\n' not in str(info.value)
        assert server.requests == []


def test_a_vro_start_whose_location_is_unreadable_still_names_the_run_and_is_sent_once():
    wid, eid = 'w-1', 'e-9'
    start = 'POST /vco/api/workflows/%s/executions' % wid
    location = 'https://[::1:8443/vco/api/workflows/%s/executions/%s/' % (wid, eid)
    with ReplayServer({start: [respond(202, None, {'Location': location})]}) as server:
        api = RunApi(Client(server.url, retries=0, sleep=lambda s: None, **CONNECTIONS['vro']))
        execution = api.start(wid, [])
        assert len(server.calls('POST')) == 1 and len(server.requests) == 1
    # Only the run id is taken from Location, never its host (API-NOTES: vRO behind a load balancer).
    assert execution.id == eid


@pytest.mark.parametrize('trick', ['..%2F..%2F', '%2e%2e/%2e%2e/', '%2E%2E%2F'])
def test_a_vro_start_whose_location_names_a_traversal_id_adopts_the_run_instead(trick):
    """A 202 whose ``Location`` names an id that leaves its segment (``.../executions/..%2F..%2Fe-9/``): the run was
    started, but that id is never used in a URL; the run is looked for and adopted as when Location names no run
    (before: the task failed with "refusing id '../../e-9' ... check the value", a value the user never gave)."""
    from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils import test_vro_hostile_readings as vro
    location = 'https://vro.example.com%s/workflows/%s/executions/%s%s/' % (vro.API, vro.WID, trick, vro.EID)
    run = vro.run_now()
    routes = {'GET %s/workflows/%s' % (vro.API, vro.WID): [respond(200, vro.DEFINITION)],
              vro.START: [respond(202, None, {'Location': location})],
              vro.LIST: [respond(200, vro.listed(run))], 'GET %s' % vro.RUN_PATH: [respond(200, run)]}
    result, server, warnings = vro.start_once(routes)
    assert isinstance(result, dict), result
    assert result['execution_id'] == vro.EID and result['adopted'] is True and result['changed'] is True
    assert len(server.calls('POST')) == 1
    assert not any('..' in r.path or '%2e' in r.path.lower() for r in server.requests), [r.path for r in server.requests]
