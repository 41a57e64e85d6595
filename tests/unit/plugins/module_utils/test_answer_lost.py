# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one error type for "the request may have been applied": which failures raise it, what it carries.

A real socket (the replay server) plays each failure; nothing is mocked below ``requests``.
"""

from __future__ import annotations


import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, answer_lost, may_have_been_applied
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import (
    ReplayServer, hang, reset, respond, truncated,
)
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import closed_port

RUN = '/vco/api/workflows/w1/executions'


def make(server, product='vro', **kwargs):
    kwargs.setdefault('sleep', lambda seconds: None)
    return Client(server.url, **CONNECTIONS[product], **kwargs)


def test_factory_keeps_kind_sent_and_the_location_id():
    class Answer(object):
        status_code = 202
        headers = {'Location': 'https://vro/vco/api/workflows/w1/executions/run%2D7/'}

    error = answer_lost('the answer was cut short', 'connection', 'POST', 'https://vro' + RUN, 1, Answer())
    assert isinstance(error, AnswerLost) and isinstance(error, ApiError) and may_have_been_applied(error)
    assert error.kind == 'connection' and error.details['sent'] is True
    assert error.details['status'] == 202 and error.created_id == 'run-7'
    assert error.location == 'https://vro/vco/api/workflows/w1/executions/run%2D7/'
    assert error.status is None, 'a lost answer has no HTTP status of its own'


def test_read_timeout_on_post_is_answer_lost_and_never_resent():
    with ReplayServer({'POST ' + RUN: [hang(1.5)]}) as server:
        client = make(server, retries=3, timeout=0.5)
        with pytest.raises(ApiError) as info:
            client.post('/workflows/w1/executions', json={'parameters': []})
        assert len(server.calls('POST')) == 1
    assert may_have_been_applied(info.value)
    assert info.value.kind == 'timeout' and info.value.details == {'sent': True}
    assert 'read timeout' in info.value.message


def test_reset_after_sending_is_answer_lost():
    with ReplayServer({'POST ' + RUN: [reset()]}) as server:
        client = make(server, retries=3)
        with pytest.raises(ApiError) as info:
            client.post('/workflows/w1/executions', json={'parameters': []})
        assert len(server.calls('POST')) == 1
    assert may_have_been_applied(info.value) and info.value.kind == 'connection'


@pytest.fixture(params=['enforced', 'lenient'])
def content_length(request, monkeypatch):
    """urllib3 2 holds a body to its Content-Length (IncompleteRead); urllib3 1.26, which Debian 12 and RHEL 9 ship, does
    not, so an answer cut short ends like a whole one. 'lenient' plays 1.26 here whatever urllib3 is installed."""
    if request.param == 'lenient':
        import urllib3.response

        init = urllib3.response.HTTPResponse.__init__

        def lenient(self, *args, **kwargs):
            init(self, *args, **kwargs)
            self.enforce_content_length = False

        monkeypatch.setattr(urllib3.response.HTTPResponse, '__init__', lenient)
    return request.param


def test_truncated_answer_is_answer_lost_with_status_and_location(content_length):
    location = 'http://127.0.0.1/vco/api/workflows/w1/executions/made-1/'
    with ReplayServer({'POST ' + RUN: [truncated(202, {'id': 'made-1', 'state': 'running'}, {'Location': location})]}) as server:
        client = make(server, retries=3)
        with pytest.raises(ApiError) as info:
            client.post('/workflows/w1/executions', json={'parameters': []})
        assert len(server.calls('POST')) == 1, 'a POST whose answer was cut short was sent again'
    error = info.value
    assert may_have_been_applied(error), 'a truncated answer was taken for "never sent": %r' % error.to_result()
    assert error.kind == 'connection' and error.details['sent'] is True
    assert error.details['status'] == 202 and error.created_id == 'made-1' and error.location == location


def test_truncated_answer_to_a_get_is_resent(content_length):
    routes = {'GET /vco/api/about': [truncated(200, {'version': '8.18.1', 'padding': 'x' * 40}), respond(200, {'version': '8.18.1'})]}
    with ReplayServer(routes) as server:
        client = make(server, retries=2)
        assert client.get('/about') == {'version': '8.18.1'}
        assert len(server.calls('GET')) == 2


def test_refused_connection_is_not_answer_lost_and_is_resent():
    attempts = []
    client = Client('http://127.0.0.1:%d' % closed_port(), retries=2, sleep=attempts.append)
    with pytest.raises(ApiError) as info:
        client.post('/workflows/w1/executions', json={})
    assert not may_have_been_applied(info.value)
    assert info.value.details['sent'] is False and info.value.attempts == 3 and len(attempts) == 2


def test_http_error_is_not_answer_lost():
    with ReplayServer({'POST ' + RUN: [respond(400, {'message': 'bad input'})]}) as server:
        with pytest.raises(ApiError) as info:
            make(server).post('/workflows/w1/executions', json={})
    assert not may_have_been_applied(info.value)


def test_a_delete_reset_after_sending_is_answer_lost_and_never_resent():
    # It used to be resent, and a 404 to the resend read as the first DELETE's doing: the caller now reads the object.
    routes = {'DELETE /vco/api/tasks/t1': [reset(), respond(404, {'message': 'gone'})]}
    with ReplayServer(routes) as server:
        with pytest.raises(AnswerLost) as info:
            make(server, retries=2).delete('/tasks/t1')
        assert len(server.calls('DELETE')) == 1
    assert may_have_been_applied(info.value) and info.value.attempts == 1


def test_404_on_a_first_delete_is_not_answer_lost():
    with ReplayServer({'DELETE /vco/api/tasks/t1': [respond(404, {'message': 'gone'})]}) as server:
        with pytest.raises(ApiError) as info:
            make(server, retries=2).delete('/tasks/t1')
    assert info.value.status == 404 and not may_have_been_applied(info.value)
