# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the HTTP client: retries, the no-resend rule for POST, error mapping and paging.

The client talks to a replay server over a real socket; the responses are recorded shapes of the three APIs.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS, PAGERS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, may_have_been_applied, safe_url
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client, parse_retry_after, split_url
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import (
    LocalServer, ReplayServer, closed_port, hang, reset, respond,
)
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.clocks import SleepClock

VCF_409 = {
    'errorCode': 'TASK_NOT_RETRYABLE', 'errorType': 'ERROR', 'arguments': [], 'context': {},
    'message': 'Task can not be retried. Only a failed Task can be retried.',
    'remediationMessage': 'Retry only tasks whose status is FAILED.',
    'referenceToken': 'K3B7QF', 'causes': [], 'nestedErrors': [],
}
HTML_502 = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>'


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def make(server, product='vro', **kwargs):
    kwargs.setdefault('sleep', Sleeps())
    return Client(server.url, **CONNECTIONS[product], **kwargs)


def test_get_is_retried_on_503_then_succeeds():
    routes = {'GET /vco/api/about': [respond(503, 'busy', content_type='text/plain'), respond(200, {'version': '8.18.1'})]}
    with ReplayServer(routes) as server:
        client = make(server, retries=3)
        assert client.get('/about') == {'version': '8.18.1'}
        assert len(server.calls('GET', '/vco/api/about')) == 2
        assert len(client.sleep) == 1


def test_retry_after_is_honoured():
    routes = {'GET /v1/tasks': [respond(429, {'message': 'slow down'}, headers={'Retry-After': '3'}),
                                respond(200, {'elements': []})]}
    with ReplayServer(routes) as server:
        client = make(server, product='vcf', retries=2)
        assert client.get('/tasks') == {'elements': []}
        assert client.sleep == [3.0]


def test_retry_budget_exhausted_names_attempts_and_url():
    with ReplayServer({'GET /vco/api/about': [respond(504, 'gateway timeout', content_type='text/plain')]}) as server:
        client = make(server, retries=2)
        with pytest.raises(ApiError) as info:
            client.get('/about')
    assert info.value.status == 504
    assert info.value.attempts == 3
    assert len(server.calls()) == 3
    assert '/vco/api/about' in str(info.value) and 'after 3 attempts' in str(info.value)


def test_post_is_not_resent_after_a_read_timeout():
    with ReplayServer({'POST /vco/api/workflows/w1/executions': [hang(1.5)]}) as server:
        client = make(server, retries=3, timeout=0.5)
        with pytest.raises(ApiError) as info:
            client.post('/workflows/w1/executions', json={'parameters': []})
        assert len(server.calls('POST')) == 1
    assert info.value.kind == 'timeout'
    assert info.value.details['sent'] is True


def test_post_is_not_resent_after_a_reset_once_sent():
    with ReplayServer({'POST /vco/api/workflows/w1/executions': [reset()]}) as server:
        client = make(server, retries=3)
        with pytest.raises(ApiError) as info:
            client.post('/workflows/w1/executions', json={'parameters': []})
        assert len(server.calls('POST')) == 1
    assert info.value.kind == 'connection'
    assert info.value.details['sent'] is True


def test_get_is_resent_after_a_reset():
    routes = {'GET /vco/api/about': [reset(), respond(200, {'version': '7.6.0'})]}
    with ReplayServer(routes) as server:
        client = make(server, retries=1)
        assert client.get('/about') == {'version': '7.6.0'}
        assert len(server.calls('GET')) == 2


def test_post_is_retried_when_the_connection_was_refused():
    client = Client('http://127.0.0.1:%d' % closed_port(), retries=2, sleep=Sleeps())
    with pytest.raises(ApiError) as info:
        client.post('/workflows/w1/executions', json={})
    assert info.value.details['sent'] is False
    assert info.value.attempts == 3


def test_post_is_not_retried_on_503():
    with ReplayServer({'POST /orchestrator/v2/tasks': [respond(503, {'error_message': 'down'})]}) as server:
        client = make(server, product='ico', retries=3)
        with pytest.raises(ApiError) as info:
            client.post('/tasks', json={})
        assert len(server.calls('POST')) == 1
    assert info.value.server_message == 'down'


@pytest.mark.parametrize('status, phrase', [(502, 'Bad Gateway'), (504, 'Gateway Timeout')])
def test_post_answered_by_a_gateway_may_have_been_applied(status, phrase):
    # RFC 9110 15.6.3/15.6.5: a proxy answered; the server behind it may have acted on the POST.
    answer = respond(status, HTML_502, content_type='text/html', headers={'Location': '/vco/api/workflows/w1/executions/e9/'})
    with ReplayServer({'POST /vco/api/workflows/w1/executions': [answer]}) as server:
        client = make(server, retries=3)
        with pytest.raises(AnswerLost) as info:
            client.post('/workflows/w1/executions', json={'parameters': []})
        assert len(server.calls('POST')) == 1
    error = info.value
    assert may_have_been_applied(error) and error.details['sent'] is True
    assert error.details['status'] == status and error.created_id == 'e9'
    assert error.kind == 'http' and error.attempts == 1 and client.sleep == []
    text = str(error)
    assert 'HTTP %d %s' % (status, phrase) in text and 'may have reached the server' in text and '\n' not in text
    assert '/vco/api/workflows/w1/executions' in text


def test_non_idempotent_patch_answered_504_is_not_resent():
    with ReplayServer({'PATCH /v1/tasks/t1': [respond(504, {'message': 'upstream timed out'})]}) as server:
        client = make(server, product='vcf', retries=3)
        with pytest.raises(AnswerLost) as info:
            client.patch('/tasks/t1', idempotent=False)
        assert len(server.calls('PATCH')) == 1
    assert info.value.details['status'] == 504 and info.value.server_message == 'upstream timed out'


def test_get_answered_502_is_retried_as_before():
    routes = {'GET /vco/api/about': [respond(502, HTML_502, content_type='text/html'), respond(200, {'version': '8.18.1'})]}
    with ReplayServer(routes) as server:
        client = make(server, retries=3)
        assert client.get('/about') == {'version': '8.18.1'}
        assert len(server.calls('GET', '/vco/api/about')) == 2


def test_login_answered_502_is_a_plain_error():
    with ReplayServer({'POST /v1/tokens': [respond(502, HTML_502, content_type='text/html')]}) as server:
        client = make(server, product='vcf', retries=3)
        with pytest.raises(ApiError) as info:
            client.post('/tokens', json={}, auth_request=True)
        assert len(server.calls('POST')) == 1
    assert not may_have_been_applied(info.value) and info.value.status == 502


def test_delete_answered_504_is_not_resent():
    routes = {'DELETE /vco/api/tasks/t1': [respond(504, 'gateway timeout', content_type='text/plain'),
                                           respond(404, {'message': 'not found'})]}
    with ReplayServer(routes) as server:
        client = make(server, retries=2)
        with pytest.raises(AnswerLost) as info:
            client.delete('/tasks/t1')
        assert len(server.calls('DELETE')) == 1
    assert info.value.details['status'] == 504 and may_have_been_applied(info.value)


def test_a_503_says_its_status_once():
    with ReplayServer({'POST /orchestrator/v2/tasks': [respond(503, {'error_message': 'down'})]}) as server:
        client = make(server, product='ico', retries=0)
        with pytest.raises(ApiError) as info:
            client.post('/tasks', json={})
    text = str(info.value)
    assert text.count('503') == 1 and 'returned HTTP 503' in text and 'server said: down' in text, text


def test_vcf_error_body_gives_message_remediation_and_reference():
    with ReplayServer({'PATCH /v1/tasks/t1': [respond(409, VCF_409)]}) as server:
        client = make(server, product='vcf')
        with pytest.raises(ApiError) as info:
            client.patch('/tasks/t1', idempotent=False)
    text = str(info.value)
    assert info.value.status == 409
    assert 'Only a failed Task can be retried' in text
    assert 'Retry only tasks whose status is FAILED.' in text
    assert 'K3B7QF' in text
    assert info.value.to_result()['details']['error_code'] == 'TASK_NOT_RETRYABLE'


def test_ico_error_message_is_used():
    with ReplayServer({'GET /orchestrator/v2/tasks/42': [respond(404, {'error_message': 'CTJCO1234E: task 42 not found'})]}) as server:
        with pytest.raises(ApiError) as info:
            make(server, product='ico').get('/tasks/42')
    assert info.value.server_message == 'CTJCO1234E: task 42 not found'
    assert info.value.status == 404


def test_vro_text_error_is_used():
    with ReplayServer({'GET /vco/api/workflows/nope': [respond(404, 'Workflow nope not found', content_type='text/plain')]}) as server:
        with pytest.raises(ApiError) as info:
            make(server).get('/workflows/nope')
    assert info.value.server_message == 'Workflow nope not found'


def test_html_error_page_is_quoted_with_a_hint():
    with ReplayServer({'GET /vco/api/about': [respond(502, HTML_502, content_type='text/html')]}) as server:
        with pytest.raises(ApiError) as info:
            make(server, retries=0).get('/about')
    assert info.value.kind == 'html'
    assert info.value.body_excerpt.startswith('<!DOCTYPE html>')
    assert len(info.value.body_excerpt) <= 200
    assert "the page is a proxy's or load balancer's (HTTP 502 Bad Gateway, a gateway's answer)" in str(info.value)


def test_html_answer_with_200_is_not_taken_for_json():
    with ReplayServer({'GET /vco/api/about': [respond(200, HTML_502, content_type='text/html')]}) as server:
        with pytest.raises(ApiError) as info:
            make(server).get('/about')
    assert info.value.kind == 'html'


def test_malformed_json_is_a_clear_error():
    with ReplayServer({'GET /vco/api/about': [respond(200, '{"version": "8.18', content_type='application/json')]}) as server:
        with pytest.raises(ApiError) as info:
            make(server).get('/about')
    assert info.value.kind == 'json'
    assert 'not valid JSON' in str(info.value)
    assert '{"version": "8.18' in str(info.value)


def test_tls_failure_on_a_plain_http_port_names_the_scheme_not_ca_path():
    # An https:// URL on a plain-HTTP port is a wrong scheme, not a certificate problem (issue 14): the ca_path hint
    # of a real verification failure is asserted against the simulator's self-signed certificate in test_secrets.py.
    with ReplayServer({'GET /vco/api/about': [respond(200, {})]}) as server:
        client = Client(server.url.replace('http://', 'https://'), retries=0, sleep=Sleeps())
        with pytest.raises(ApiError) as info:
            client.get('/about')
    assert info.value.kind == 'tls'
    assert 'answered in plain HTTP: use http://' in str(info.value) and 'ca_path' not in str(info.value)


def test_credentials_never_appear_in_error_urls():
    url = 'http://admin:s3cr3t-Pw@127.0.0.1:%d/vco/api' % closed_port()
    with pytest.raises(ApiError) as info:
        Client(url, retries=0, sleep=Sleeps())  # credentials in url are refused (test_client_secrets_origin.py)
    assert 's3cr3t-Pw' not in str(info.value) and info.value.kind == 'config'
    client = Client(url.replace('admin:s3cr3t-Pw@', ''), retries=0, sleep=Sleeps())
    with pytest.raises(ApiError) as info:
        client.get('/about?access_token=abc123&x=1')
    assert 's3cr3t-Pw' not in str(info.value)
    assert 'abc123' not in str(info.value)
    assert 's3cr3t-Pw' not in repr(info.value.to_result())
    assert safe_url('https://u:p@h/x?password=1&a=2') == 'https://h/x?password=********&a=2'


def test_split_url_adds_or_keeps_the_api_path():
    assert split_url('https://vro.example.com', CONNECTIONS['vro']['api_path']) == ('https://vro.example.com', 'https://vro.example.com/vco/api')
    assert split_url('https://vro.example.com:8281/vco/api/', CONNECTIONS['vro']['api_path'])[1] == 'https://vro.example.com:8281/vco/api'
    assert split_url('https://sddc/v1', CONNECTIONS['vcf']['api_path']) == ('https://sddc', 'https://sddc/v1')
    with pytest.raises(ApiError):
        split_url('vro.example.com', CONNECTIONS['vro']['api_path'])


def test_parse_retry_after_accepts_seconds_and_dates():
    assert parse_retry_after('7') == 7.0
    assert parse_retry_after('Wed, 21 Oct 2015 07:28:10 GMT', now=1445412480.0) == pytest.approx(10.0)
    assert parse_retry_after('soon') is None


def _vro_page(start, count, total):
    return {'relations': {'total': total, 'link': [{'rel': 'up', 'href': 'x'}] + [
        {'rel': 'down', 'href': '/e/%d/' % i, 'attributes': [{'name': 'id', 'value': str(i)}]}
        for i in range(start, start + count)]}}


def test_paginate_vro_reads_only_needed_pages():
    def page(request):
        query = dict(p.split('=') for p in request.path.split('?', 1)[1].split('&'))
        start = int(query['startIndex'])
        return respond(200, _vro_page(start, max(0, min(2, 5 - start)), 5))
    with ReplayServer({'GET /vco/api/workflows/w/executions': [page]}) as server:
        client = make(server)
        ids = [link['href'] for link in client.paginate('/workflows/w/executions', PAGERS['vro'], page_size=2)]
        assert ids == ['/e/%d/' % i for i in range(5)]
        assert len(server.calls()) == 3
        first = list(client.paginate('/workflows/w/executions', PAGERS['vro'], page_size=2, max_items=1))
        assert len(first) == 1 and len(server.calls()) == 4


@pytest.mark.parametrize('first_page', [0, 1])
def test_paginate_vcf_follows_the_servers_page_numbering(first_page):
    def page(request):
        query = dict(p.split('=') for p in request.path.split('?', 1)[1].split('&'))
        number = int(query.get('pageNumber', first_page))
        index = number - first_page
        elements = [{'id': 't%d' % i} for i in range(index * 2, min(index * 2 + 2, 5))]
        return respond(200, {'elements': elements, 'pageMetadata': {
            'pageNumber': number, 'pageSize': 2, 'totalElements': 5, 'totalPages': 3}})
    with ReplayServer({'GET /v1/tasks': [page]}) as server:
        ids = [t['id'] for t in make(server, product='vcf').paginate('/tasks', PAGERS['vcf'], page_size=2)]
        assert ids == ['t0', 't1', 't2', 't3', 't4']
        assert len(server.calls()) == 3


def test_paginate_ico_list_and_collection_shapes():
    collection = [respond(200, {'href': 'x', 'start': 0, 'limit': 2, 'total': 3, 'items': [{'id': 1}, {'id': 2}], 'next': 'y'}),
                  respond(200, {'href': 'y', 'start': 2, 'limit': 2, 'total': 3, 'items': [{'id': 3}], 'next': None})]
    with ReplayServer({'GET /orchestrator/v2/serviceinstances': collection,
                       'GET /orchestrator/v2/tasks': [respond(200, [{'id': 'a'}])]}) as server:
        client = make(server, product='ico')
        assert [i['id'] for i in client.paginate('/serviceinstances', PAGERS['ico'], page_size=2, items='items')] == [1, 2, 3]
        assert [t['id'] for t in client.paginate('/tasks', PAGERS['ico'], page_size=2)] == ['a']


def test_retry_after_past_the_wait_deadline_fails_at_once_in_one_line():
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._waiter import Waiter
    routes = {'GET /vco/api/workflows/w/executions/e/state': [
        respond(429, {'status': 429, 'message': 'slow down'}, headers={'Retry-After': '5'})]}
    with ReplayServer(routes) as server:
        clock = SleepClock(1000.0)
        client = make(server, retries=3, sleep=clock.sleep)
        client.clock = clock
        waiter = Waiter(timeout=1, interval=0.25, interval_max=1, clock=clock, sleep=clock.sleep, client=client)
        with pytest.raises(ApiError) as info:
            waiter.wait(lambda: client.get('/workflows/w/executions/e/state'), lambda body: False)
        assert len(server.calls()) == 1
    assert clock.slept == []
    message = str(info.value)
    assert 'the server asked to retry in 5 s (Retry-After), after the wait_timeout of 1 s' in message
    assert info.value.status == 429 and info.value.details['deadline'] is True
    assert '\n' not in message
    # The deadline is the wait's only: afterwards the client honours Retry-After again.
    assert client.deadline is None


def test_retry_after_within_the_wait_deadline_is_honoured():
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._waiter import Waiter
    routes = {'GET /v1/tasks/t': [respond(429, {'message': 'slow down'}, headers={'Retry-After': '2'}),
                                  respond(200, {'id': 't', 'status': 'SUCCESSFUL'})]}
    with ReplayServer(routes) as server:
        clock = SleepClock(1000.0)
        client = make(server, product='vcf', retries=3, sleep=clock.sleep)
        client.clock = clock
        waiter = Waiter(timeout=10, clock=clock, sleep=clock.sleep, client=client)
        assert waiter.wait(lambda: client.get('/tasks/t'), lambda body: True)['status'] == 'SUCCESSFUL'
        assert len(server.calls()) == 2
    assert clock.slept == [2.0]


def test_exponential_backoff_past_the_deadline_is_refused():
    with ReplayServer({'GET /orchestrator/v2/tasks/1': [respond(503, {'error_message': 'down'})]}) as server:
        clock = SleepClock(1000.0)
        client = make(server, product='ico', retries=3, sleep=clock.sleep, backoff_base=4, backoff_max=8)
        client.clock = clock
        client.set_deadline(clock() + 1, 'the wait_timeout of 1 s')
        with pytest.raises(ApiError) as info:
            client.get('/tasks/1')
        assert len(server.calls()) == 1
    assert 'the next retry would come after the wait_timeout of 1 s' in str(info.value)
    assert clock.slept == []


# -- bounded paging -------------------------------------------------------------------------------------------

def _query(request):
    return dict(p.split('=', 1) for p in request.path.split('?', 1)[1].split('&'))


def _same_page(style):
    """A server that ignores the paging parameter and sends no total: always the first, full page."""
    def page(request):
        size = int(_query(request).get('maxResult') or _query(request).get('_limit') or 2)
        if style == 'vro':
            return respond(200, {'link': [{'rel': 'down', 'href': '/w/%d/' % i} for i in range(size)]})
        return respond(200, [{'id': i} for i in range(size)])
    return page


@pytest.mark.parametrize('style, product, route, path, parameter', [
    ('vro', 'vro', 'GET /vco/api/workflows', '/workflows', 'startIndex'),
    ('ico', 'ico', 'GET /orchestrator/v2/tasks', '/tasks', '_start'),
])
def test_a_repeated_page_fails_in_one_line_naming_the_url(style, product, route, path, parameter):
    with ReplayServer({route: [_same_page(style)]}) as server:
        client = make(server, product=product)
        with pytest.raises(ApiError) as info:
            list(client.paginate(path, PAGERS[style], page_size=2))
        assert len(server.calls()) == 2
    message = str(info.value)
    assert info.value.kind == 'paging'
    assert message.startswith('GET %s%s failed; the server sent the same page again for %s=2: it may ignore %s' % (
        server.url, route.split(' ', 1)[1], parameter, parameter))
    assert '\n' not in message


def test_vcf_repeated_page_stays_the_end_of_the_list():
    # SDDC Manager builds that ignore pageNumber send page 0 again: a real reading of "no more", not a loop.
    page = respond(200, {'elements': [{'id': 't0'}, {'id': 't1'}]})
    with ReplayServer({'GET /v1/tasks': [page]}) as server:
        assert [t['id'] for t in make(server, product='vcf').paginate('/tasks', PAGERS['vcf'], page_size=2)] == ['t0', 't1']
        # Without pageMetadata page 1 may be the first page of a 1-based server: page 2 is asked once more (issue 13).
        assert len(server.calls()) == 3


@pytest.mark.parametrize('style, product, route, path', [
    ('vro', 'vro', 'GET /vco/api/workflows/w/executions', '/workflows/w/executions'),
    ('vcf', 'vcf', 'GET /v1/tasks', '/tasks'),
    ('ico', 'ico', 'GET /orchestrator/v2/tasks', '/tasks'),
])
def test_endless_distinct_pages_stop_at_the_page_bound(monkeypatch, style, product, route, path):
    from ansible_collections.cloudops.orchestrator.plugins.module_utils import _client
    monkeypatch.setattr(_client, 'PAGING_MAX_ITEMS', 10)
    calls = []

    def page(request):
        calls.append(request.path)
        ids = [len(calls) * 10 + i for i in range(2)]
        if style == 'vro':
            return respond(200, {'link': [{'rel': 'down', 'href': '/e/%d/' % i} for i in ids]})
        if style == 'vcf':
            return respond(200, {'elements': [{'id': i} for i in ids], 'pageMetadata': {'pageNumber': len(calls) - 1}})
        return respond(200, [{'id': i} for i in ids])
    with ReplayServer({route: [page]}) as server:
        client = make(server, product=product)
        items = []
        with pytest.raises(ApiError) as info:
            for item in client.paginate(path, PAGERS[style], page_size=2):
                items.append(item)
        # 10 items at 2 a page is 5 pages, plus one: the 7th page is refused before its items are used.
        assert len(server.calls()) == 7
    assert len(items) == 12
    assert 'read 6 pages without reaching the last one (the bound is 10 items)' in str(info.value)


def test_max_items_ends_paging_before_the_bound():
    with ReplayServer({'GET /vco/api/workflows': [_same_page('vro')]}) as server:
        client = make(server)
        assert len(list(client.paginate('/workflows', PAGERS['vro'], page_size=2, max_items=2))) == 2
        assert len(server.calls()) == 1


# -- timeout is a deadline for the whole request --------------------------------------------------------------

class TrickleServer(LocalServer):
    """Answers every GET 200 with a JSON body sent one byte every ``gap`` seconds (headers at once)."""

    def __init__(self, gap, body=b'{"status": "' + b'x' * 30 + b'"}'):
        import http.server
        import threading
        outer = self
        self.requests = 0
        self.completed = 0  # answers written to their last byte (the client read on until then)

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - the stdlib's name
                outer.requests += 1
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                try:
                    for byte in body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        outer.stop.wait(gap)
                except OSError:
                    return
                outer.completed += 1

        self.stop = threading.Event()
        super().__init__(Handler)

    def __exit__(self, *exc):
        self.stop.set()
        super().__exit__(*exc)


def test_a_trickling_answer_ends_at_the_timeout_for_the_whole_request():
    # Each byte comes well within the timeout, so a per-read timeout never fires; the whole answer takes longer.
    with TrickleServer(gap=0.2) as server:
        client = Client(server.url, **CONNECTIONS['vro'], timeout=1, retries=1, sleep=Sleeps())
        with pytest.raises(ApiError) as info:
            client.get('/about')
        assert server.requests == 2
        # Cut at the deadline, not read on to the end (urllib3 1.26, without read1, read on as long as bytes came).
        assert server.completed == 0, 'the client read a trickling answer to its end, past its timeout'
    assert info.value.kind == 'timeout' and info.value.details['sent'] is True
    assert str(info.value).startswith('GET %s/vco/api/about failed; no answer within 1.0s' % server.url)


def test_a_whole_answer_within_the_timeout_is_read_and_decoded():
    with TrickleServer(gap=0.0) as server:
        client = Client(server.url, **CONNECTIONS['vro'], timeout=5, retries=0)
        assert client.get('/about') == {'status': 'x' * 30}
        response = client.request('GET', '/about')
        assert response.json() == {'status': 'x' * 30} and response.text.startswith('{"status"')
        assert server.requests == 2


class EncodedServer(LocalServer):
    """Answers every GET 200 with one JSON body, gzip- or deflate-compressed and/or chunked, as proxies send them."""

    BODY = {'elements': [{'id': 'task-%d' % i, 'status': 'Failed'} for i in range(40)]}

    def __init__(self, encoding, chunked):
        import http.server
        import json
        import zlib
        raw = json.dumps(self.BODY).encode()
        if encoding == 'gzip':
            raw = gzip_bytes(raw)
        elif encoding == 'deflate':
            raw = zlib.compress(raw)

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - the stdlib's name
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                if encoding:
                    self.send_header('Content-Encoding', encoding)
                if chunked:
                    self.send_header('Transfer-Encoding', 'chunked')
                    self.end_headers()
                    for start in range(0, len(raw), 64):
                        part = raw[start:start + 64]
                        self.wfile.write(b'%x\r\n%s\r\n' % (len(part), part))
                    self.wfile.write(b'0\r\n\r\n')
                else:
                    self.send_header('Content-Length', str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)

        super().__init__(Handler)


def gzip_bytes(data):
    import gzip
    return gzip.compress(data)


@pytest.mark.parametrize('encoding', [None, 'gzip', 'deflate'])
@pytest.mark.parametrize('chunked', [False, True], ids=['length', 'chunked'])
def test_compressed_and_chunked_answers_are_decoded_within_the_deadline(encoding, chunked):
    # requests asks for gzip and deflate; servers and proxies (nginx in front of SDDC Manager) may use them.
    with EncodedServer(encoding, chunked) as server:
        client = Client(server.url, **CONNECTIONS['vcf'], timeout=5, retries=0)
        assert client.get('/tasks') == EncodedServer.BODY


# -- wrong-shape answers ----------------------------------------------------------------------------------------

WRONG_SHAPES = [
    # (product, route, body, call, expected words)
    ('vro', 'GET /vco/api/workflows/w', 'oops', lambda c: _vro(c).definition('w'),
     'the answer is a JSON string where an object with input-parameters (an object or a list)'),
    ('vro', 'GET /vco/api/workflows/w', [1, 2], lambda c: _vro(c).definition('w'), 'the answer is a JSON list'),
    ('vro', 'GET /vco/api/workflows/w', {'input-parameters': 'oops'}, lambda c: _vro(c).definition('w'),
     'the answer is an object whose input-parameters is a JSON string'),
    ('vro', 'GET /vco/api/workflows/w/executions/e', None, lambda c: _vro(c).execution('w', 'e'), 'the answer is null'),
    ('vro', 'GET /vco/api/workflows/w/executions/e/state', [1], lambda c: _vro(c).state('w', 'e'),
     'the answer is a JSON list where an object or a string'),
    ('vro', 'GET /vco/api/workflows', {'link': {}}, lambda c: list(c.paginate('/workflows', PAGERS['vro'])),
     'the answer is an object whose link is a JSON object'),
    ('vcf', 'GET /v1/tasks', {'elements': {}}, lambda c: list(c.paginate('/tasks', PAGERS['vcf'])),
     'the answer is an object whose elements is a JSON object'),
    ('vcf', 'GET /v1/tasks', 'oops', lambda c: list(c.paginate('/tasks', PAGERS['vcf'])), 'the answer is a JSON string'),
    ('ico', 'GET /orchestrator/v2/tasks/7', ['x'], lambda c: _ico(c).get('7'), 'the answer is a JSON list where an object'),
    ('ico', 'GET /orchestrator/v2/tasks', 'oops', lambda c: list(c.paginate('/tasks', PAGERS['ico'])), 'the answer is a JSON string'),
]


def _vro(client):
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import VroApi
    return VroApi(client)


def _ico(client):
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine
    return TaskEngine(client)


@pytest.mark.parametrize('product, route, body, call, words', WRONG_SHAPES,
                         ids=['%s-%s' % (c[0], i) for i, c in enumerate(WRONG_SHAPES)])
def test_a_wrong_shape_answer_is_one_line_naming_the_url_and_what_was_expected(product, route, body, call, words):
    with ReplayServer({route: [respond(200, json.dumps(body))]}) as server:
        client = make(server, product=product)
        with pytest.raises(ApiError) as info:
            call(client)
    message = str(info.value)
    assert info.value.kind == 'shape'
    assert message.startswith('GET %s%s' % (server.url, route.split(' ', 1)[1])), message
    assert words in message, message
    assert '\n' not in message


def _base_checked(server, product='vro', **kwargs):
    client = make(server, product, **kwargs)
    client.check_base = True
    return client


def test_a_first_404_probes_once_without_credentials_and_names_a_wrong_base_path():
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import BasicAuth
    html = '<!doctype html><html><title>404 Not Found</title></html>'
    routes = {'GET /vco-wrong/vco/api/workflows/w1': [respond(404, html, content_type='text/html')],
              'GET /vco-wrong/vco/api/about': [respond(404, html, content_type='text/html')]}
    with ReplayServer(routes) as server:
        client = Client(server.url + '/vco-wrong', auth=BasicAuth('ann', 'Secret-pass-1'), **CONNECTIONS['vro'])
        client.check_base = True
        for attempt in range(2):
            with pytest.raises(ApiError) as info:
                client.get('/workflows/w1')
            assert info.value.kind == 'config' and info.value.status is None, attempt
        probes = [r for r in server.requests if r.path.endswith('/about')]
        assert len(probes) == 1, 'probed once per client'
        assert 'Authorization' not in probes[0].headers
    message = str(info.value)
    assert ('the vRO API is not under %s/vco-wrong/vco/api (HTTP 404 here and at /about): the path in url looks wrong; set url '
            'to %s, without a path (the collection adds /vco/api; a url ending in /vco/api works too)' % (server.url, server.url)
            ) in message
    assert info.value.details == {'status': 404, 'probe': server.url + '/vco-wrong/vco/api/about'}


def test_a_404_at_the_servers_root_never_probes_the_api_base():
    # A login route the product may not serve (a vRO 8 without /iaas/api/login) answers 404 at the root: that says
    # nothing about the path in url, so no probe of the API base (one request less per login).
    routes = {'POST /iaas/api/login': [respond(404, {'message': 'Not Found'})],
              'GET /vco/api/about': [respond(404, {'message': 'Not Found'})]}
    with ReplayServer(routes) as server:
        with pytest.raises(ApiError) as info:
            _base_checked(server).request('POST', '/iaas/api/login', json={'refreshToken': 'x'}, at_root=True,
                                          auth_request=True, idempotent=True, expected=(200,))
        assert info.value.status == 404 and info.value.kind != 'config'
        assert [r.path for r in server.requests] == ['/iaas/api/login']


def test_a_404_on_the_right_base_path_stays_a_404():
    routes = {'GET /vco/api/workflows/w1': [respond(404, {'message': 'Workflow w1 not found'})],
              'GET /vco/api/workflows/w2': [respond(200, {'id': 'w2'}), respond(404, {'message': 'gone'})],
              'GET /vco/api/about': [respond(401, {'message': 'log in'})]}
    with ReplayServer(routes) as server:
        with pytest.raises(ApiError) as info:
            _base_checked(server).get('/workflows/w1')
        assert info.value.status == 404 and 'Workflow w1 not found' in str(info.value)
        assert len([r for r in server.requests if r.path.endswith('/about')]) == 1
        # After a success, a 404 is about the object: no probe.
        client = _base_checked(server)
        client.get('/workflows/w2')
        with pytest.raises(ApiError) as info:
            client.get('/workflows/w2')
        assert info.value.status == 404
        assert len([r for r in server.requests if r.path.endswith('/about')]) == 1
        # Without check_base (a bare client), never a probe.
        with pytest.raises(ApiError):
            make(server).get('/workflows/w1')
        assert len([r for r in server.requests if r.path.endswith('/about')]) == 1
