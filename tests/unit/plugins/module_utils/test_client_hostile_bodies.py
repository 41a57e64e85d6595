# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile answer bodies at the client (part 25): the bound of one answer (endless bodies, decompression bombs) and
strict JSON (deep nesting, huge numbers, NaN, a byte order mark, encodings), on both urllib3 2 and 1.26 (which read
and decode differently: read1 against read). tests/integration/test_hostile_bodies.py runs the modules."""

from __future__ import annotations

import http.server
import threading
import zlib

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils import _client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, may_have_been_applied
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client, json_text, parse_json
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import LocalServer, ReplayServer, respond

BOUND = 1024 * 1024


def gzip_bomb(inflated):
    """gzip of ``inflated`` bytes of a JSON string's spaces (about 1/1000 of that size)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b' ' * 65536
    return b''.join([packer.compress(b'"')] + [packer.compress(block) for ignored in range(inflated // 65536)]
                    + [packer.compress(b'"') + packer.flush()])


class HostileServer(LocalServer):
    """Answers every request 200 with an endless chunked JSON list, or a gzip bomb; counts requests and bytes sent."""

    def __init__(self, kind):
        outer = self
        self.requests = 0
        self.lock = threading.Lock()
        bomb = gzip_bomb(64 * BOUND) if kind == 'bomb' else None

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def answer(self):
                length = int(self.headers.get('Content-Length') or 0)
                if length:
                    self.rfile.read(length)
                with outer.lock:
                    outer.requests += 1
                self.send_response(200)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Location', '/vco/api/workflows/w/executions/e1/')
                try:
                    if bomb is not None:
                        self.send_header('Content-Encoding', 'gzip')
                        self.send_header('Content-Length', str(len(bomb)))
                        self.end_headers()
                        self.wfile.write(bomb)
                        return
                    self.send_header('Transfer-Encoding', 'chunked')
                    self.end_headers()
                    chunk = b'{},' * 4000
                    self.wfile.write(b'1\r\n[\r\n')
                    while True:
                        self.wfile.write(b'%x\r\n%s\r\n' % (len(chunk), chunk))
                except OSError:
                    self.close_connection = True

            do_GET = do_POST = do_PATCH = answer  # noqa: N815 - the stdlib's names

        super().__init__(Handler)


@pytest.fixture
def small_bound(monkeypatch):
    monkeypatch.setattr(_client, 'MAX_ANSWER_BYTES', BOUND)


@pytest.mark.parametrize('kind', ['endless', 'bomb'])
@pytest.mark.parametrize('method', ['GET', 'POST', 'PATCH'])
def test_an_answer_past_the_bound_stops_the_read_and_is_never_asked_again(small_bound, kind, method):
    with HostileServer(kind) as server:
        client = Client(server.url, **CONNECTIONS['vro'], timeout=60, retries=3)
        with pytest.raises(ApiError) as info:
            client.call(method, '/workflows/w/executions', json={} if method != 'GET' else None)
        assert server.requests == 1
    error = info.value
    assert error.kind == 'size' and may_have_been_applied(error)
    assert error.details['bound'] == BOUND and error.details['status'] == 200
    # The start's Location is kept: the caller adopts what it names.
    assert error.created_id == 'e1'
    text = str(error)
    assert '\n' not in text and text.startswith('%s %s/vco/api/workflows/w/executions failed; the answer is larger than 1 MiB' % (
        method, server.url)), text
    assert 'narrow the query' in text


def test_the_default_bound_is_documented():
    assert _client.MAX_ANSWER_BYTES == 64 * 1024 * 1024


@pytest.mark.parametrize('text, words', [
    ('[' * 100000 + ']' * 100000, 'nested deeper than a JSON parser here can read'),
    ('{"id": %s}' % ('7' * 5000), 'a number of more than 4300 digits'),
    ('{"id": NaN}', 'it holds NaN, which JSON does not allow'),
    ('[Infinity]', 'it holds Infinity'),
    ('[-Infinity]', 'it holds -Infinity'),
])
def test_what_json_cannot_hold_is_a_json_problem(text, words):
    with pytest.raises(ValueError) as info:
        parse_json(text)
    assert words in info.value.problem


def test_a_byte_order_mark_is_ignored_and_the_last_duplicate_key_wins():
    assert parse_json('\ufeff{"a": 1, "a": 2}') == {'a': 2}


class Answer(object):
    """What json_text reads of a response."""

    def __init__(self, content, content_type='application/json'):
        self.content = content
        self.headers = {'Content-Type': content_type}
        self.url = 'https://vro.example.com/vco/api/about'
        self.request = None


@pytest.mark.parametrize('content, content_type', [
    (b'\xef\xbb\xbf{"n": "caf\xc3\xa9"}', 'application/json'),
    ('{"n": "café"}'.encode('utf-16'), 'application/json'),
    ('{"n": "café"}'.encode('utf-16-be'), 'application/json'),
    ('{"n": "café"}'.encode('utf-32'), 'application/json'),
    ('{"n": "café"}'.encode('utf-16-le'), 'application/json; charset=UTF-16LE'),
    (b'{"n": "caf\xe9"}', 'application/json; charset="ISO-8859-1"'),
    (b'{"n": "caf\xe9"}', 'application/json; charset=windows-1252'),
    (b'{"n": "caf\xc3\xa9"}', 'application/json; charset=no-such-charset'),
    (b'{"n": "caf\xc3\xa9"}', 'text/plain'),
])
def test_an_answer_is_decoded_by_its_charset_or_as_json_is(content, content_type):
    warnings = []
    assert parse_json(json_text(Answer(content, content_type), warnings.append)) == {'n': 'café'}
    assert warnings == []


@pytest.mark.parametrize('content_type', ['application/json;charset=UTF-8', 'application/json'])
def test_latin_1_sent_as_utf_8_is_kept_with_a_warning(content_type):
    warnings = []
    assert parse_json(json_text(Answer(b'{"n": "caf\xe9"}', content_type), warnings.append)) == {'n': 'café'}
    assert warnings == ['the request https://vro.example.com/vco/api/about: the answer is not valid utf-8; read as '
                        'ISO-8859-1 (Latin-1) instead']


@pytest.mark.parametrize('method', ['POST', 'PUT', 'PATCH', 'DELETE'])
@pytest.mark.parametrize('body', ['{"id": NaN}', '[' * 5000, 'not json'])
def test_a_write_accepted_with_an_unreadable_answer_is_applied_never_resent(method, body):
    path = '/vco/api/tasks/t1'
    with ReplayServer({'%s %s' % (method, path): [respond(200, body)]}) as server:
        client = Client(server.url, **CONNECTIONS['vro'], timeout=5, retries=3)
        with pytest.raises(AnswerLost) as info:
            client.call(method, '/tasks/t1', json={'a': 1} if method != 'DELETE' else None)
        assert len(server.calls(method, path)) == 1
    assert info.value.kind == 'json' and info.value.details['accepted'] == 200 and info.value.details['sent'] is True
    assert info.value.message.startswith('the answer is not valid JSON')


def test_a_read_or_a_login_with_an_unreadable_answer_is_a_plain_json_error():
    with ReplayServer({'GET /vco/api/about': [respond(200, '{"v": NaN}')],
                       'POST /vco/api/login': [respond(200, '{"token": "eyJsecret", "n": NaN}')]}) as server:
        client = Client(server.url, **CONNECTIONS['vro'], timeout=5, retries=3)
        with pytest.raises(ApiError) as read:
            client.get('/about')
        with pytest.raises(ApiError) as login:
            client.call('POST', '/login', json={}, auth_request=True)
        assert len(server.calls('GET', '/vco/api/about')) == 1 and len(server.calls('POST', '/vco/api/login')) == 1
    assert not may_have_been_applied(read.value) and read.value.kind == 'json'
    assert not may_have_been_applied(login.value) and 'eyJ' not in str(login.value)


def _task_list(count):
    return [{'id': str(1000 + n), 'status': 'COMPLETED', 'user': 'admin', 'project': 'admin', 'eventTopic': 'x' * 900,
             'parm': {'processName': 'Deploy %d' % n}} for n in range(count)]


def test_the_unpaged_ico_task_list_may_pass_the_usual_bound_up_to_its_own(small_bound, monkeypatch):
    """ICO 2.5 lists every task in one array (no paging): a list of about 2 MiB, past the usual bound (1 MiB here),
    is read whole by the task list, while any other answer of that size fails; past the list's own bound it fails."""
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico import api as ico_api
    tasks = _task_list(2000)
    with ReplayServer({'GET /orchestrator/v2/tasks': [respond(200, tasks)],
                       'GET /orchestrator/v2/other': [respond(200, tasks)]}) as server:
        client = Client(server.url, **CONNECTIONS['ico'], retries=0, sleep=lambda s: None)
        assert [t['id'] for t in ico_api.TaskEngine(client, user='admin', project='admin').list()] == [t['id'] for t in tasks]
        with pytest.raises(ApiError) as info:
            client.get('/other')
        assert info.value.kind == 'size' and info.value.details['bound'] == BOUND
        monkeypatch.setattr(ico_api, 'UNPAGED_LIST_MAX_BYTES', BOUND // 2)
        with pytest.raises(ApiError) as info:
            ico_api.TaskEngine(client, user='admin', project='admin').list()
        assert info.value.kind == 'size' and info.value.details['bound'] == BOUND // 2
        assert 'larger than 0 MiB' not in str(info.value)
    assert _client.UNPAGED_LIST_MAX_BYTES == 256 * 1024 * 1024 and _client.UNPAGED_LIST_MAX_BYTES >= _client.PAGING_MAX_ITEMS * 2500
