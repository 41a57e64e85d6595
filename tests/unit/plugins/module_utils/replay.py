# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A tiny HTTP server that replays recorded responses over a real socket, for the client's unit tests.

Each request takes the next scripted step: ``respond(status, body, headers)``, ``hang(seconds)`` (read the
request, answer nothing), or ``reset()`` (read the request, then drop the connection). Requests are recorded.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def respond(status=200, body=None, headers=None, content_type='application/json'):
    if body is not None and not isinstance(body, (str, bytes)):
        body = json.dumps(body)
    return ('respond', status, body, dict(headers or {}), content_type)


def hang(seconds):
    return ('hang', seconds)


def reset():
    return ('reset',)


def truncated(status=202, body=None, headers=None):
    """Act as answered: status line, headers and a Content-Length for ``body``, then half of it and a close."""
    return ('truncated', status, json.dumps(body if body is not None else {'id': 'x', 'state': 'running'}),
            dict(headers or {}))


class Recorded:
    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body) if self.body else None


class LocalServer:
    """A plain-HTTP server on a free local port serving ``handler`` (a ``BaseHTTPRequestHandler`` class) from a thread; a
    context manager. ``url`` and ``port`` name it. The servers of the client's tests (replayed answers, or answers
    written at the byte level: trickling, chunked) are built on it."""

    def __init__(self, handler, poll_interval=0.5):
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = 'http://127.0.0.1:%d' % self.port
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={'poll_interval': poll_interval}, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class ReplayServer(LocalServer):
    """Serve ``routes``: a mapping of ``'METHOD /path'`` (path without query) to a list of steps.

    The last step of a list repeats. ``requests`` lists what was received, in order.
    """

    def __init__(self, routes=None):
        self.routes = {k: list(v) for k, v in (routes or {}).items()}
        self.requests = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                return

            def _handle(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length).decode('utf-8') if length else ''
                path = self.path.split('?', 1)[0]
                with outer._lock:
                    outer.requests.append(Recorded(self.command, self.path, dict(self.headers), body))
                    steps = outer.routes.get('%s %s' % (self.command, path))
                    if not steps:
                        step = respond(404, {'message': 'no route %s %s' % (self.command, path)})
                    else:
                        step = steps.pop(0) if len(steps) > 1 else steps[0]
                if callable(step):
                    step = step(outer.requests[-1])
                if step[0] == 'hang':
                    time.sleep(step[1])
                    self.close_connection = True
                    return
                if step[0] == 'reset':
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                    self.close_connection = True
                    return
                if step[0] == 'truncated':
                    data = step[2].encode('utf-8')
                    self.send_response(step[1])
                    for key, value in dict(step[3], **{'Content-Type': 'application/json'}).items():
                        self.send_header(key, value)
                    self.send_header('Content-Length', str(len(data)))
                    self.end_headers()
                    self.wfile.write(data[:len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                status, payload, headers, content_type = step[1:]
                data = payload.encode('utf-8') if isinstance(payload, str) else (payload or b'')
                self.send_response(status)
                if data:
                    self.send_header('Content-Type', content_type)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        super().__init__(Handler, poll_interval=0.05)

    def calls(self, method=None, path=None):
        return [r for r in self.requests
                if (method is None or r.method == method) and (path is None or r.path.split('?')[0] == path)]


# Sockets kept bound for the whole test run by closed_port(): while one is held, no other test or process can take its
# port, so a connection to it is refused (Linux answers a SYN to a bound, non-listening port with a reset).
_HELD_PORTS = []


def closed_port():
    """A local port that refuses connections for the rest of the run: bound, never listening (a port merely closed
    again could be taken by a server another worker starts, which would then answer)."""
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    _HELD_PORTS.append(sock)
    return sock.getsockname()[1]
