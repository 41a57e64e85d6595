# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An http:// url on a port that speaks TLS: a TLS alert record read as the status line fails at once, saying
use https://; a plain reset from a port that does not speak TLS either keeps its retries (it can be a real network
fault)."""

from __future__ import annotations

import socket
import threading

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError

# An OpenSSL server's answer to bytes that are no TLS record: alert (21), TLS 1.0 record version, fatal (2),
# protocol_version (70).
TLS_ALERT = b'\x15\x03\x01\x00\x02\x02\x46'


class RawPort(object):
    """Reads each request and answers ``reply`` raw (or closes with a reset when ``reply`` is None)."""

    def __init__(self, reply):
        self.reply = reply
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        # Connections that brought an HTTP request (the others: the client's TLS handshake asking what the port speaks).
        self.requests = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while True:
            try:
                conn, ignored = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            if conn.recv(65536)[:1] != b'\x16':
                self.requests += 1
            if self.reply is None:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\x00\x00\x00\x00\x00\x00\x00')
            else:
                conn.sendall(self.reply)
            conn.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.sock.close()


def client(port, retries):
    return Client('http://127.0.0.1:%d' % port, api_path='/vco/api', retries=retries, timeout=5, sleep=lambda s: None)


def test_a_tls_alert_as_the_status_line_fails_at_once_saying_use_https():
    with RawPort(TLS_ALERT) as port:
        with pytest.raises(ApiError) as info:
            client(port.port, retries=3).get('/about')
        accepted = port.accepted
    error = info.value
    assert accepted == 1 and error.attempts == 1 and error.kind == 'config' and error.details == {'sent': False}
    text = str(error)
    assert 'url is http:// but 127.0.0.1 port %d serves HTTPS (it answered a TLS alert)' % port.port in text, text
    assert 'use https://127.0.0.1:%d (same host and port)' % port.port in text and '\n' not in text


def test_a_plain_reset_keeps_its_retries():
    with RawPort(None) as port:
        with pytest.raises(ApiError) as info:
            client(port.port, retries=2).get('/about')
        accepted, sent = port.accepted, port.requests
    # Three requests, and one TLS handshake (reset too) that found the port does not speak TLS.
    assert sent == 3 and accepted == 4 and info.value.attempts == 3 and info.value.kind == 'connection'
