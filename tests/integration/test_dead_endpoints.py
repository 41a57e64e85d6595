# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Dead endpoints fail fast and name the cause (issue 14, item 3), through ansible-playbook.

The simulator cannot play a port that never answers or a plain-HTTP port behind an https:// URL, so small in-test
servers do: a socket that accepts connections and never answers (counting them), and a plain HTTP server. The
simulator's own HTTPS port is hit with http://. Nothing asserts a duration: connections, attempts and messages are
asserted (the worst case with the defaults is computed in tests/unit/plugins/module_utils/test_client_dead.py).
"""

from __future__ import annotations

import socket
import threading

import pytest

from _harness import LocalHttpServer, failed_once, run_playbook, write_playbook

ECHO = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
# Credentials for runs against the in-test servers (nothing checks them; they never reach a real server).
FAKE_ENV = {'VRO_USERNAME': 'dead-endpoint-user', 'VRO_PASSWORD': 'dead-endpoint-pw-1'}


def play(tmp_path, module, args, name='it'):
    """A one-task playbook (JSON keeps every value as written) whose task may fail."""
    return write_playbook(tmp_path, 'dead', [{'name': name, 'cloudops.orchestrator.%s' % module: args}], ignore_errors=True)


class SilentPort(object):
    """Accepts every connection and never answers; ``accepted`` counts the connections."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def accepted(self):
        return len(self.connections)

    def _serve(self):
        self.sock.settimeout(0.05)
        while not self.stop.is_set():
            try:
                conn, ignored = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections.append(conn)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(2)
        for conn in self.connections:
            conn.close()
        self.sock.close()


class PlainHttp(LocalHttpServer):
    """A plain-HTTP server that counts the requests it reads (it answers none of interest)."""

    def __init__(self):
        super().__init__()
        self.requests = 0

    def answer(self, request):
        self.requests += 1
        return request.send(404)


def test_a_port_that_accepts_and_never_answers_is_asked_twice_then_named(tmp_path):
    with SilentPort() as port:
        url = 'http://127.0.0.1:%d' % port.port
        res = run_playbook(play(tmp_path, 'vro_workflow_info', {'url': url, 'workflow_id': ECHO, 'timeout': 1,
                                                                'retries': 3}), env=FAKE_ENV, timeout=120)
        accepted = port.accepted
    result = failed_once(res)
    # retries: 3, yet a read timeout is resent once only (before: four connections, each held for the timeout).
    assert accepted == 2 and result['error']['attempts'] == 2
    assert result['error']['kind'] == 'timeout'
    msg = result['msg']
    assert 'no answer within 1.0s (read timeout)' in msg and 'after 2 attempts' in msg
    assert '127.0.0.1 port %d accepted the connection but sent no answer: check that url names the API port' % port.port in msg
    assert 'if that port serves HTTPS, use https://' in msg
    assert any('sending it once more' in w for w in result.get('warnings', [])), result.get('warnings')


# answer_replaced: plain HTTP to the TLS port ends in the simulator's TLS layer (werkzeug's ssl_context,
# simulator/server.py and tls.py, which read no quirk) before any request is parsed, and the module's probe
# (_client.speaks_tls) sends nothing over its handshake: no reading of the simulator is consulted, under any quirk.
@pytest.mark.answer_replaced
def test_http_on_the_simulators_https_port_says_use_https(fresh_simulator, tmp_path):
    sim = fresh_simulator
    plain = sim.url.replace('https://', 'http://')
    port = plain.rsplit(':', 1)[1]
    before = sim.counters()['routes'].get('GET /vco/api/workflows/<wid>', 0)
    res = run_playbook(play(tmp_path, 'vro_workflow_info', {'url': plain, 'workflow_id': ECHO, 'retries': 3}),
                       env=sim.env('vro'))
    result = failed_once(res)
    # The simulator (an OpenSSL server) resets plain HTTP; the module's own TLS handshake tells it is a TLS port: the
    # first reset is the last (before: four attempts, each with the credentials in clear text).
    assert result['error']['attempts'] == 1 and result['error']['kind'] == 'config', result['error']
    assert ('url is http:// but 127.0.0.1 port %s serves HTTPS (it answered a reset to plain HTTP, and a handshake to '
            'TLS): use https://127.0.0.1:%s (same host and port)' % (port, port)) in result['msg'], result['msg']
    # The simulator never saw a request it could read.
    assert sim.counters()['routes'].get('GET /vco/api/workflows/<wid>', 0) == before


def test_https_on_a_plain_http_port_says_use_http_not_ca_path(tmp_path):
    with PlainHttp() as server:
        url = 'https://127.0.0.1:%d' % server.port
        res = run_playbook(play(tmp_path, 'vro_workflow_info', {'url': url, 'workflow_id': ECHO}), env=FAKE_ENV)
        requests_read = server.requests
    result = failed_once(res)
    assert requests_read == 0
    assert result['error']['kind'] == 'tls' and result['error']['attempts'] == 1
    assert 'TLS handshake failed' in result['msg']
    assert 'url is https:// but 127.0.0.1 port %d answered in plain HTTP: use http://' % server.port in result['msg']
    assert 'ca_path' not in result['msg']


def test_a_host_name_that_does_not_resolve_fails_at_once(tmp_path):
    res = run_playbook(play(tmp_path, 'vro_workflow_info', {'url': 'https://vro.no-such-host.invalid', 'workflow_id': ECHO,
                                                            'retries': 3}), env=FAKE_ENV)
    result = failed_once(res)
    # Never retried (before: four lookups and three backoffs), and no retry warning.
    assert result['error']['attempts'] == 1 and result['error']['kind'] == 'connection'
    assert 'the host name vro.no-such-host.invalid does not resolve: check the host in url' in result['msg']
    assert not any('retrying' in w for w in result.get('warnings', []))


def test_connect_timeout_comes_from_the_environment(tmp_path):
    env = dict(FAKE_ENV, VRO_CONNECT_TIMEOUT='0')
    res = run_playbook(play(tmp_path, 'vro_workflow_info', {'url': 'https://127.0.0.1:9', 'workflow_id': ECHO}), env=env)
    result = failed_once(res)
    assert result['msg'].startswith('connect_timeout must be greater than 0, got 0.0')
