# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A keep-alive connection the server closes for idleness just as a write is sent on it.

Servers close idle keep-alive connections on their own clock (Apache httpd and Node.js after 5 s, Tomcat 20-60 s,
nginx 75 s), and urllib3 only notices a close that has already arrived: a start sent in that instant ends in "Remote
end closed connection without response", which the client rightly reads as "may have been applied" (never resent),
so the task spent the adoption window and failed although nothing had reached the server. The race is made
deterministic here: :class:`IdleClosingServer` closes, without answering, a connection that was idle longer than
``idle`` seconds when the next request arrives on it. A request that is not resent (POST, PUT, PATCH, DELETE) goes on a
fresh connection once the pooled one has been idle longer than ``_client.FRESH_WRITE_AFTER_IDLE``; a write right after
another request keeps the warm connection (no extra handshake). Runs on both stacks (urllib3 2 and 1.26).
Nothing here asserts a duration: connections, drops and requests are counted by the server.
"""

from __future__ import annotations

import http.server
import threading
import time

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils import _client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost

WRITES = ('POST', 'PUT', 'PATCH', 'DELETE')


class IdleClosingServer(object):
    """A local HTTP/1.1 server (keep-alive) that closes a connection idle longer than ``idle`` seconds, without an
    answer, when the next request arrives on it: the server's idle timeout and the client's reuse at the same instant."""

    def __init__(self, idle, drop_every=False):
        self.idle = idle
        self.drop_every = drop_every  # every request is closed unanswered, the first on a connection too
        self.connections = 0
        self.dropped = []       # (method, path) of the requests that found their connection closed
        self.handled = []       # (method, path) of the requests answered
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'
            answered_at = None

            def log_message(self, *args):
                pass

            def setup(self):
                super().setup()
                with outer.lock:
                    outer.connections += 1

            def handle_one_request(self):
                super().handle_one_request()
                self.answered_at = time.monotonic()

            def parse_request(self):
                if outer.drop_every or (self.answered_at is not None and time.monotonic() - self.answered_at > outer.idle):
                    with outer.lock:
                        outer.dropped.append(tuple(self.raw_requestline.decode('latin-1').split()[:2]))
                    self.close_connection = True
                    return False  # no answer: the connection is closed
                return super().parse_request()

            def _any(self):
                length = int(self.headers.get('Content-Length') or 0)
                if length:
                    self.rfile.read(length)
                with outer.lock:
                    outer.handled.append((self.command, self.path))
                if self.path.startswith('/slow'):
                    time.sleep(0.3)  # the reads of a batch at the same time: each on a connection of its own
                body = b'{"id": "run-1"}'
                self.send_response(200 if self.command == 'GET' else 202)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any  # noqa: N815 - the stdlib's names

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_the_default_threshold_is_under_the_shortest_common_server_idle_timeout():
    # Apache httpd's KeepAliveTimeout and Node.js's keepAliveTimeout are 5 s, the shortest of the common servers.
    assert 0 < _client.FRESH_WRITE_AFTER_IDLE <= 2.0


@pytest.mark.parametrize('parallel', [False, True], ids=['single', 'batch-pool'])
@pytest.mark.parametrize('method', WRITES)
def test_a_write_after_the_connection_was_idle_goes_on_a_fresh_connection(monkeypatch, method, parallel):
    monkeypatch.setattr(_client, 'FRESH_WRITE_AFTER_IDLE', 0.05, raising=False)
    with IdleClosingServer(idle=0.2) as server:
        client = Client(server.url, retries=0, timeout=10)
        if parallel:
            client.allow_parallel(64)  # a batch's bigger pool keeps the rule
        assert client.get('/workflows/wf') == {'id': 'run-1'}
        time.sleep(0.5)  # longer than the server keeps an idle connection, and than the client's threshold
        try:
            answer = client.request(method, '/workflows/wf/executions', json={}, expected=(202,))
        except AnswerLost as lost:  # the code before: the write went on the connection the server was closing
            pytest.fail('the write was lost on a stale keep-alive connection: %s (dropped %s)' % (lost, server.dropped))
        client.close()
    assert answer.status_code == 202
    assert server.dropped == []
    assert server.handled == [('GET', '/workflows/wf'), (method, '/workflows/wf/executions')]
    assert server.connections == 2  # the write opened its own


def test_a_write_right_after_a_read_keeps_the_warm_connection(monkeypatch):
    # The zero-second run (read the workflow, start it at once) costs no second handshake (issue 16 measures it).
    monkeypatch.setattr(_client, 'FRESH_WRITE_AFTER_IDLE', 30.0, raising=False)  # whatever this machine's load, within the threshold
    with IdleClosingServer(idle=30.0) as server:
        client = Client(server.url, retries=0, timeout=10)
        client.get('/workflows/wf')
        client.post('/workflows/wf/executions', json={})
        client.patch('/tasks/1', json={}, idempotent=False)
        client.close()
    assert server.connections == 1
    assert len(server.handled) == 3 and server.dropped == []


def test_a_read_after_the_connection_was_idle_keeps_the_pooled_connection_and_is_sent_again(monkeypatch):
    # A read costs no extra handshake for the rare stale connection: lost to the closing server, it is sent again.
    monkeypatch.setattr(_client, 'FRESH_WRITE_AFTER_IDLE', 0.05, raising=False)
    sleeps = []
    with IdleClosingServer(idle=0.2) as server:
        client = Client(server.url, retries=1, timeout=10, sleep=sleeps.append)
        client.get('/about')
        time.sleep(0.5)
        assert client.get('/workflows/wf/executions/1/state') == {'id': 'run-1'}
        client.close()
    assert server.dropped == [('GET', '/workflows/wf/executions/1/state')]
    assert [m for m, ignored in server.handled] == ['GET', 'GET']


@pytest.mark.parametrize('retries', [0, 2])
def test_a_read_lost_on_a_reused_connection_the_server_closed_is_sent_again_at_once_without_a_warning(monkeypatch, retries):
    # The server closed the idle keep-alive connection as the read was sent on it (nothing of an answer came): normal
    # keep-alive behaviour, and a read is safe to send again. It is resent at once, on a new connection, without a
    # backoff nor a warning (the user can do nothing about it), and without spending a retry (retries=0 too); the
    # debug log keeps a line.
    monkeypatch.setattr(_client, 'FRESH_WRITE_AFTER_IDLE', 0.05, raising=False)
    sleeps, warnings, debug = [], [], []
    with IdleClosingServer(idle=0.2) as server:
        client = Client(server.url, retries=retries, timeout=10, sleep=sleeps.append, warn=warnings.append, debug=debug.append)
        client.get('/about')
        time.sleep(0.5)
        assert client.get('/workflows/wf/executions/1/state') == {'id': 'run-1'}
        client.close()
    assert server.dropped == [('GET', '/workflows/wf/executions/1/state')]  # the race happened
    assert [m for m, ignored in server.handled] == ['GET', 'GET']
    assert sleeps == [] and warnings == []
    assert len(debug) == 1 and 'GET' in debug[0] and 'sent again at once' in debug[0], debug
    assert server.connections == 2


@pytest.mark.parametrize('retries', [0, 2])
def test_a_read_meeting_several_closed_pooled_connections_is_sent_again_quietly_each_time(monkeypatch, retries):
    # A batch (runs: with concurrency) left several kept-alive connections in the pool, and the server closed them all
    # for idleness. urllib3 gives a resend the new-connection slot the dropped connection left on top of the pool, but
    # another thread of the batch may take that slot first: the resend then meets the next pooled connection, closed as
    # well. That race is made deterministic here (the slot is taken as it is put back). Each stale connection is
    # resent at once, without a backoff, a warning or a retry spent; up to the pool's size; never a write.
    monkeypatch.setattr(_client, 'FRESH_WRITE_AFTER_IDLE', 0.05, raising=False)
    sleeps, warnings, debug = [], [], []
    with IdleClosingServer(idle=0.2) as server:
        client = Client(server.url, retries=retries, timeout=10, sleep=sleeps.append, warn=warnings.append, debug=debug.append)
        client.allow_parallel(20)
        threads = [threading.Thread(target=client.get, args=('/slow/%d' % n,)) for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert server.connections == 3 and len(server.handled) == 3  # three pooled connections
        time.sleep(0.5)  # the server closes each of them at its next request
        put_conn = _client._FreshWritesMixin._put_conn

        def slot_taken_by_another_thread(pool, conn):
            if conn is not None:
                put_conn(pool, conn)
        monkeypatch.setattr(_client._FreshWritesMixin, '_put_conn', slot_taken_by_another_thread)
        assert client.get('/workflows/wf/executions/1/state') == {'id': 'run-1'}
        client.close()
    assert server.dropped == [('GET', '/workflows/wf/executions/1/state')] * 3  # the race happened on each
    assert server.handled[-1] == ('GET', '/workflows/wf/executions/1/state')
    assert sleeps == [] and warnings == []
    assert len(debug) == 3 and all('sent again at once' in line for line in debug), debug


def test_a_read_lost_on_a_fresh_connection_keeps_its_backoff_and_warning():
    # A connection that was not reused and closes before answering says something about the server: the rule for it
    # is unchanged (a retry after a backoff, with a warning).
    sleeps, warnings, debug = [], [], []
    with IdleClosingServer(idle=30.0, drop_every=True) as server:
        client = Client(server.url, retries=1, timeout=10, sleep=sleeps.append, warn=warnings.append, debug=debug.append)
        with pytest.raises(AnswerLost):
            client.get('/about')
        client.close()
    assert len(sleeps) == 1 and len(warnings) == 1 and not debug
