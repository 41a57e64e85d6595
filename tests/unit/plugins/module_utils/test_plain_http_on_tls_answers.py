# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An http:// url on a port that speaks TLS, whatever that port answers to plain HTTP: the first answer is the last.
One request carries the Basic credentials (in clear text: the user asked for http://), never a second one; the failure
says in one line to use https:// on the same host and port, and that nothing was acted upon.

What TLS ports answer to a plain-HTTP request: an OpenSSL server (Python's ssl, the simulator) resets the connection
(SSL_R_HTTP_REQUEST, no alert), another closes it without a byte, or sends a TLS alert record; behind a web server a
400 page: nginx "The plain HTTP request was sent to HTTPS port" (error 497), Apache mod_ssl "You're speaking plain HTTP
to an SSL-enabled server port", Tomcat "This combination of host and port requires TLS", Go net/http "Client sent an
HTTP request to an HTTPS server". A reset or a close says nothing by itself: the client tells a TLS port by a handshake
of its own (nothing sent over it), answered here with a TLS alert as a server without a matching cipher does. A reset
from a port that does not speak TLS either keeps its retries: it can be a real network fault."""

from __future__ import annotations

import socket
import threading

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import BasicAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client, speaks_tls
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError

PASSWORD = 'Pl4in-on-TLS-pw'
# A fatal handshake_failure alert (TLS 1.2 record): a TLS server's answer to a ClientHello it cannot serve.
HANDSHAKE_ALERT = b'\x15\x03\x03\x00\x02\x02\x28'
# An OpenSSL server's answer to bytes that are no TLS record: fatal protocol_version.
VERSION_ALERT = b'\x15\x03\x01\x00\x02\x02\x46'


def page(text):
    body = ('<html><head><title>400 Bad Request</title></head><body>%s</body></html>' % text).encode()
    return b'HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' % (
        len(body), body)


ANSWERS = {
    'reset': None,
    'empty close': b'',
    'tls alert': VERSION_ALERT,
    'nginx 400': page('<center>The plain HTTP request was sent to HTTPS port</center>'),
    'apache 400': page("Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />"),
    'tomcat 400': page('Bad Request\r\nThis combination of host and port requires TLS.'),
    'go 400': page('Client sent an HTTP request to an HTTPS server.'),
}
SAID = {
    'reset': 'a reset to plain HTTP, and a handshake to TLS',
    'empty close': 'a reset to plain HTTP, and a handshake to TLS',
    'tls alert': 'a TLS alert',
    'nginx 400': "HTTP 400 'The plain HTTP request was sent to HTTPS port'",
    'apache 400': "HTTP 400 'speaking plain HTTP to an SSL-enabled server port'",
    'tomcat 400': "HTTP 400 'This combination of host and port requires TLS'",
    'go 400': "HTTP 400 'Client sent an HTTP request to an HTTPS server'",
}


class TlsPort(object):
    """A port that speaks TLS (``tls``: a handshake gets a TLS alert) or not (a handshake is reset too), and answers a
    plain-HTTP request with ``reply`` (None: a reset). Counts the HTTP requests and those that carried credentials."""

    def __init__(self, reply, tls=True):
        self.reply, self.tls = reply, tls
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.requests = 0
        self.with_credentials = 0
        self.handshakes = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while True:
            try:
                conn, ignored = self.sock.accept()
            except OSError:
                return
            data = conn.recv(65536)
            if data[:1] == b'\x16':
                self.handshakes += 1
                reply = HANDSHAKE_ALERT if self.tls else None
            else:
                data = _whole_request(conn, data)  # read to its end: unread bytes at close would make the close a reset
                self.requests += 1
                self.with_credentials += b'Authorization: Basic ' in data
                reply = self.reply
            if reply is None:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
            else:
                conn.sendall(reply)
            conn.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.sock.close()


def _whole_request(conn, data):
    """``data`` read on to the end of the request's headers and its Content-Length body."""
    while b'\r\n\r\n' not in data:
        more = conn.recv(65536)
        if not more:
            return data
        data += more
    head, body = data.split(b'\r\n\r\n', 1)
    length = 0
    for line in head.split(b'\r\n')[1:]:
        name, _sep, value = line.partition(b':')
        if name.strip().lower() == b'content-length':
            length = int(value.strip() or 0)
    while len(body) < length:
        more = conn.recv(65536)
        if not more:
            break
        body += more
    return head + b'\r\n\r\n' + body


def client(port, retries=3):
    return Client('http://127.0.0.1:%d' % port, api_path='/vco/api', auth=BasicAuth('vcoadmin', PASSWORD), retries=retries,
                  timeout=5, sleep=lambda s: None, use_proxy=False)


@pytest.mark.parametrize('method', ['GET', 'POST'])
@pytest.mark.parametrize('answer', sorted(ANSWERS))
def test_the_first_answer_of_a_tls_port_to_plain_http_is_the_last(answer, method):
    with TlsPort(ANSWERS[answer]) as port:
        with pytest.raises(ApiError) as info:
            client(port.port).request(method, '/workflows', json={} if method == 'POST' else None)
        requests, with_credentials, handshakes = port.requests, port.with_credentials, port.handshakes
    error = info.value
    assert requests == 1 and with_credentials == 1 and error.attempts == 1
    # Only a reset or an empty close says nothing by itself: the port is asked once what it speaks, and only then.
    assert handshakes == (1 if answer in ('reset', 'empty close') else 0)
    assert error.kind == 'config' and error.details == {'sent': False}
    text = str(error)
    assert ('url is http:// but 127.0.0.1 port %d serves HTTPS (it answered %s): use https://127.0.0.1:%d (same host and '
            'port)' % (port.port, SAID[answer], port.port)) in text, text
    assert '\n' not in text and PASSWORD not in text


def test_a_reset_from_a_port_that_does_not_speak_tls_keeps_its_retries():
    with TlsPort(None, tls=False) as port:
        with pytest.raises(ApiError) as info:
            client(port.port, retries=2).get('/about')
        requests, handshakes = port.requests, port.handshakes
    # Asked once what the port speaks (for the whole client), then retried as any reset is.
    assert requests == 3 and handshakes == 1 and info.value.attempts == 3 and info.value.kind == 'connection'


@pytest.mark.parametrize('method', ['GET', 'POST'])
def test_a_reset_from_a_port_found_not_to_speak_tls_never_says_use_https(method):
    # Client.hint('reset') used to say "as an HTTPS port does with plain HTTP: use https://" after the probe had just
    # found that the port does not speak TLS.
    with TlsPort(None, tls=False) as port:
        with pytest.raises(ApiError) as info:
            client(port.port, retries=0).request(method, '/workflows', json={} if method == 'POST' else None)
        handshakes = port.handshakes
    error = info.value
    assert handshakes == 1 and error.kind == 'connection'
    text = str(error)
    assert 'use https://' not in text and 'as an HTTPS port does' not in text, text
    assert ('127.0.0.1 port %d closed the connection without answering, and it does not speak TLS either (so https:// '
            'would not help)' % port.port) in text, text
    assert '\n' not in text


def test_speaks_tls_tells_a_tls_alert_from_a_reset_and_from_nothing_listening():
    with TlsPort(None) as tls, TlsPort(None, tls=False) as plain:
        assert speaks_tls('127.0.0.1', tls.port, 5) is True
        assert speaks_tls('127.0.0.1', plain.port, 5) is False
    spare = socket.socket()
    spare.bind(('127.0.0.1', 0))
    port = spare.getsockname()[1]
    spare.close()
    assert speaks_tls('127.0.0.1', port, 5) is False
