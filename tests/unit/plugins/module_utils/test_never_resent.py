# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PUT, DELETE and PATCH are never sent again once they may have reached the server (the client's rule).

"A request that may have reached the server is never sent again. Resend only what provably never left." Only the
safe methods (GET, HEAD, OPTIONS) are resent after a lost, late or cut-short answer, a gateway's 502/504 or a server's
own 500; a PUT, DELETE or PATCH raises AnswerLost after one request, as a POST does. What nothing acted upon (429, a
refused connection) is still resent; a 503 is a plain failure, as for a POST. A real socket (the replay server) plays each failure.
"""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, may_have_been_applied
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import (
    ReplayServer, closed_port, hang, reset, respond, truncated,
)

PATH = '/vco/api/tasks/t1'
CHANGES = {
    'PUT': lambda client: client.put('/tasks/t1', json={'name': 'x'}),
    'DELETE': lambda client: client.delete('/tasks/t1'),
    'PATCH': lambda client: client.patch('/tasks/t1', json={'name': 'x'}),
}
# Each way an answer is lost after the request may have reached the server; the second step would succeed.
LOST = {
    'reset': reset(),
    'cut_short': truncated(200, {'id': 't1', 'name': 'x', 'padding': 'p' * 40}),
    'read_timeout': hang(1.5),
    '502': respond(502, '<html><title>502 Bad Gateway</title></html>', content_type='text/html'),
    '504': respond(504, {'message': 'upstream timed out'}),
    '500': respond(500, {'message': 'NullPointerException'}),
    '507': respond(507, {'message': 'insufficient storage'}),
}


def make(server_url, **kwargs):
    kwargs.setdefault('sleep', lambda seconds: None)
    return Client(server_url, **CONNECTIONS['vro'], **kwargs)


@pytest.mark.parametrize('how', sorted(LOST))
@pytest.mark.parametrize('method', sorted(CHANGES))
def test_a_change_whose_answer_was_lost_is_sent_once_and_may_have_been_applied(method, how):
    routes = {'%s %s' % (method, PATH): [LOST[how], respond(200, {'id': 't1', 'name': 'x'})]}
    with ReplayServer(routes) as server:
        waits = []
        client = make(server.url, retries=3, timeout=0.5, sleep=waits.append)
        with pytest.raises(AnswerLost) as info:
            CHANGES[method](client)
        assert len(server.calls(method)) == 1
    error = info.value
    assert may_have_been_applied(error) and error.details['sent'] is True and error.method == method
    assert error.attempts == 1 and waits == [] and client.requests_sent == 1
    assert '\n' not in str(error)


@pytest.mark.parametrize('method', sorted(CHANGES))
def test_a_change_throttled_with_429_is_still_resent(method):
    answer = respond(429, {'message': 'busy'}, headers={'Retry-After': '0'})
    with ReplayServer({'%s %s' % (method, PATH): [answer, respond(200, {'id': 't1'})]}) as server:
        client = make(server.url, retries=3)
        assert CHANGES[method](client) == {'id': 't1'}
        assert len(server.calls(method)) == 2


@pytest.mark.parametrize('method', sorted(CHANGES))
def test_a_change_answered_503_is_a_plain_failure_as_a_post(method):
    # The server says it did not handle it (RFC 9110 15.6.4): not "may have been applied"; not resent, as a POST.
    with ReplayServer({'%s %s' % (method, PATH): [respond(503, {'message': 'down'}), respond(200, {'id': 't1'})]}) as server:
        with pytest.raises(ApiError) as info:
            CHANGES[method](make(server.url, retries=3))
        assert len(server.calls(method)) == 1
    assert not may_have_been_applied(info.value) and info.value.status == 503


@pytest.mark.parametrize('method', sorted(CHANGES))
def test_a_change_whose_connection_was_refused_is_resent(method):
    waits = []
    client = Client('http://127.0.0.1:%d' % closed_port(), retries=2, sleep=waits.append, **CONNECTIONS['vro'])
    with pytest.raises(ApiError) as info:
        CHANGES[method](client)
    assert not may_have_been_applied(info.value) and info.value.details['sent'] is False
    assert info.value.attempts == 3 and len(waits) == 2 and client.requests_sent == 3


@pytest.mark.parametrize('how', ['reset', 'cut_short', '502'])
def test_a_get_whose_answer_was_lost_is_still_resent(how):
    routes = {'GET %s' % PATH: [LOST[how], respond(200, {'id': 't1'})]}
    with ReplayServer(routes) as server:
        assert make(server.url, retries=3).get('/tasks/t1') == {'id': 't1'}
        assert len(server.calls('GET')) == 2


def test_an_explicitly_idempotent_login_is_still_resent_after_a_reset():
    # The logins pass idempotent=True: a second token is not an effect a user sees.
    routes = {'POST /iaas/api/login': [reset(), respond(200, {'token': 'abc'})]}
    with ReplayServer(routes) as server:
        client = make(server.url, retries=3)
        assert client.call('POST', '/iaas/api/login', json={}, at_root=True, auth_request=True, idempotent=True) == {'token': 'abc'}
        assert len(server.calls('POST')) == 2
