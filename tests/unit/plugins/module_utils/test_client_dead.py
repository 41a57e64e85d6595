# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Dead endpoints fail fast, and say why (issue 14, item 3).

Small servers on local sockets play each way a server can be dead: a port that accepts connections and never
answers, a port whose accept queue is full (connections are never accepted: the kernel drops the SYNs, as a
firewall does), a closed port, a plain-HTTP port reached with https://, and a host name that does not resolve.
Nothing here asserts a duration: attempts, backoff sleeps (recorded, not slept), messages and hints are asserted,
and the worst case is computed from the client's own rules and module defaults.
"""

from __future__ import annotations

import http.server
import socket
import threading

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import DEFAULT_CONNECT_TIMEOUT, Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import CONNECTION_DEFAULTS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import parse_duration
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import LocalServer, closed_port


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


class Warnings(object):
    """The client's ``warn`` (a list would be falsy while empty, and the client would drop it)."""

    def __init__(self):
        self.messages = []

    def __call__(self, message):
        self.messages.append(message)


class SilentServer(object):
    """Accepts every connection, reads what comes, never answers; counts the connections it accepted."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = 'http://127.0.0.1:%d' % self.port
        self.accepted = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        self.sock.settimeout(0.05)
        while not self.stop.is_set():
            try:
                conn, ignored = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.accepted.append(conn)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(2)
        for conn in self.accepted:
            conn.close()
        self.sock.close()


class FullBacklog(object):
    """A listening port whose accept queue is full: the kernel drops new SYNs, so a connect never completes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self.url = 'https://127.0.0.1:%d' % self.port
        self.fillers = []

    def __enter__(self):
        for ignored in range(4):
            filler = socket.socket()
            filler.settimeout(0.2)
            try:
                filler.connect(('127.0.0.1', self.port))
            except OSError:
                filler.close()
                break
            self.fillers.append(filler)
        return self

    def __exit__(self, *exc):
        for filler in self.fillers:
            filler.close()
        self.sock.close()


# -- a port that accepts and never answers ---------------------------------------------------------------------

def test_a_silent_port_is_asked_twice_at_most_whatever_retries_says():
    sleeps, warnings = Sleeps(), Warnings()
    with SilentServer() as server:
        client = Client(server.url, **CONNECTIONS['vro'], timeout=0.3, retries=3, sleep=sleeps, warn=warnings)
        with pytest.raises(ApiError) as info:
            client.get('/about')
        accepted = len(server.accepted)
    error = info.value
    # Before: 4 attempts (retries 3) with 3 backoff sleeps. Now: the read timeout is resent once, at once.
    assert accepted == 2 and error.attempts == 2 and client.requests_sent == 2
    assert sleeps == []
    assert len(warnings.messages) == 1 and 'sending it once more' in warnings.messages[0]
    assert error.kind == 'timeout' and error.details['sent'] is True
    message = str(error)
    assert 'no answer within 0.3s (read timeout)' in message and 'after 2 attempts' in message
    assert '127.0.0.1 port %d accepted the connection but sent no answer' % server.port in message
    assert 'names the API port' in message and 'if that port serves HTTPS, use https://' in message
    assert 'raise timeout if the server is slow' in message
    # The computed worst case is what the server saw: two whole timeouts, no backoff.
    assert client.worst_case()['no_answer'] == accepted * client.timeout + sum(sleeps)


def test_a_silent_port_is_asked_once_when_retries_is_zero():
    with SilentServer() as server:
        client = Client(server.url, **CONNECTIONS['vcf'], timeout=0.3, retries=0, sleep=Sleeps())
        with pytest.raises(ApiError):
            client.get('/tasks')
        assert len(server.accepted) == 1
    assert client.worst_case()['no_answer'] == 0.3


def test_a_post_to_a_silent_port_is_never_resent():
    # Issue 12's rule holds: a read timeout on a POST is AnswerLost, never sent again.
    sleeps = Sleeps()
    with SilentServer() as server:
        client = Client(server.url, **CONNECTIONS['ico'], timeout=0.3, retries=3, sleep=sleeps)
        with pytest.raises(AnswerLost) as info:
            client.post('/tasks', json={'eventTopic': 'x'})
        assert len(server.accepted) == 1
    assert info.value.kind == 'timeout' and info.value.details['sent'] is True and sleeps == []
    assert client.worst_case(idempotent=False)['no_answer'] == 0.3


def test_with_the_module_defaults_a_dead_server_fails_within_a_minute():
    """The module's defaults, through the client's rules: today (30 s x 4 attempts plus backoff) it was 127 s."""
    defaults = dict(timeout=CONNECTION_DEFAULTS['timeout'], retries=CONNECTION_DEFAULTS['retries'],
                    connect_timeout=CONNECTION_DEFAULTS['connect_timeout'])
    assert defaults == {'timeout': 30.0, 'retries': 3, 'connect_timeout': DEFAULT_CONNECT_TIMEOUT}
    worst = Client('https://vro.example.com', **CONNECTIONS['vro'], **defaults).worst_case()
    # accepts, never answers: 2 attempts x 30 s, no backoff between them
    assert worst['no_answer'] == 60.0
    # never accepts (firewall drops): 4 attempts x 5 s connect timeout + backoffs of at most 0.5, 1 and 2 s
    assert worst['no_connection'] == 4 * 5.0 + 0.5 + 1 + 2
    assert max(worst.values()) <= 60


def test_the_connect_timeout_is_capped_by_the_whole_timeout():
    client = Client('https://h', **CONNECTIONS['vro'], timeout=2, connect_timeout=5)
    bounds = client.timeouts(2.0)
    assert bounds.connect_timeout == 2.0 and bounds.total == 2.0
    assert Client('https://h', **CONNECTIONS['vro'], timeout=30).timeouts(30.0).connect_timeout == DEFAULT_CONNECT_TIMEOUT


@pytest.mark.parametrize('value', [0, -1])
def test_a_connect_timeout_that_is_not_positive_is_refused(value):
    with pytest.raises(ApiError) as info:
        Client('https://h', **CONNECTIONS['vro'], connect_timeout=value)
    assert info.value.kind == 'config'
    assert str(info.value).startswith('connect_timeout must be greater than 0, got %s' % value)
    # Durations take units now (_time.parse_duration): the suggestion says so, and its example parses.
    assert str(info.value).endswith(': set a number of seconds such as 5.0, or a duration with a unit such as 5s or 500ms')
    assert parse_duration('5s', 'connect_timeout') == 5.0 and parse_duration('500ms', 'connect_timeout') == 0.5


# -- a port that never accepts -----------------------------------------------------------------------------------

def test_a_port_that_never_accepts_fails_on_the_connect_timeout_not_the_whole_timeout():
    sleeps = Sleeps()
    with FullBacklog() as server:
        client = Client(server.url, **CONNECTIONS['vro'], timeout=20, connect_timeout=0.2, retries=2, sleep=sleeps)
        with pytest.raises(ApiError) as info:
            client.get('/about')
    error = info.value
    assert error.kind == 'timeout' and error.details['sent'] is False and error.attempts == 3 and len(sleeps) == 2
    message = str(error)
    assert 'no connection within 0.2s (connect timeout)' in message
    assert 'no connection to 127.0.0.1 port %d: a firewall may drop the packets' % server.port in message
    assert 'raise connect_timeout only for a slow network' in message


# -- refused, wrong scheme, unknown host ----------------------------------------------------------------------

def test_a_closed_port_names_the_port():
    port = closed_port()
    client = Client('https://127.0.0.1:%d' % port, **CONNECTIONS['vcf'], retries=1, sleep=Sleeps())
    with pytest.raises(ApiError) as info:
        client.get('/tasks')
    assert info.value.kind == 'connection' and info.value.attempts == 2
    assert 'nothing accepts connections on 127.0.0.1 port %d: check the port in url' % port in str(info.value)


class PlainServer(LocalServer):
    """A plain-HTTP server answering every GET with 200 {}."""

    def __init__(self):
        outer = self
        self.requests = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - the stdlib's name
                outer.requests += 1
                self.send_response(200)
                self.send_header('Content-Length', '2')
                self.end_headers()
                self.wfile.write(b'{}')

        super().__init__(Handler)


def test_https_on_a_plain_http_port_says_so_and_does_not_blame_the_certificate():
    with PlainServer() as server:
        client = Client('https://127.0.0.1:%d' % server.port, **CONNECTIONS['vro'], retries=3, sleep=Sleeps())
        with pytest.raises(ApiError) as info:
            client.get('/about')
        assert server.requests == 0
    error = info.value
    assert error.kind == 'tls' and error.attempts == 1 and error.details == {'sent': False}
    message = str(error)
    assert message.count('\n') == 0 and 'TLS handshake failed' in message
    assert 'url is https:// but 127.0.0.1 port %d answered in plain HTTP: use http://' % server.port in message
    assert 'ca_path' not in message


@pytest.mark.parametrize('method', ['GET', 'POST'])
def test_a_host_name_that_does_not_resolve_is_never_retried(method):
    sleeps = Sleeps()
    client = Client('https://no-such-host.invalid', **CONNECTIONS['vro'], retries=3, sleep=sleeps)
    with pytest.raises(ApiError) as info:
        client.request(method, '/about', json={} if method == 'POST' else None)
    error = info.value
    # Before: 4 attempts and 3 backoffs (a failed lookup sends nothing, so even a POST was retried).
    assert error.attempts == 1 and client.requests_sent == 1 and sleeps == []
    assert error.kind == 'connection' and error.details['sent'] is False
    assert 'the host name no-such-host.invalid does not resolve: check the host in url' in str(error)
