# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""More threads than pooled connections on one Client: every answer is kept (issue 16).

A batch of 100 starts over the 16 pooled connections lost answers ("[Errno 9] Bad file descriptor") that then had to
be adopted: once a body was read to its end, urllib3 had given the connection back to the pool (which, when full,
closes it, or hands it to another thread), and the deadline reader still set the timeout of that socket.
"""

from __future__ import annotations

import http.server
import json
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client

THREADS = 48
POOL = 4


class Server(http.server.ThreadingHTTPServer):
    # A listen backlog for every thread (the stdlib's 5 resets connections beyond it: not what is tested here).
    request_queue_size = 128
    daemon_threads = True


class KeepAliveServer:
    """A local HTTP/1.1 server (keep-alive) that answers every POST with 202 and a small JSON body."""

    def __init__(self):
        self.posts = 0
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 - the stdlib's name
                length = int(self.headers.get('Content-Length') or 0)
                sent = json.loads(self.rfile.read(length) or b'{}')
                with outer.lock:
                    outer.posts += 1
                body = json.dumps({'id': sent.get('n'), 'state': 'running'}).encode()
                self.send_response(202)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = Server(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def small_pool(client, size):
    from requests.adapters import HTTPAdapter  # pylint: disable=import-outside-toplevel
    adapter = HTTPAdapter(max_retries=0, pool_connections=1, pool_maxsize=size)
    client.session.mount('http://', adapter)


def test_more_threads_than_pooled_connections_lose_no_answer():
    warnings = []
    with KeepAliveServer() as server:
        client = Client(server.url, retries=0, timeout=30, warn=warnings.append)
        small_pool(client, POOL)
        errors = []

        def start(n):
            for _round in range(5):
                try:
                    answer = client.request('POST', '/start', json={'n': n}, expected=(202,))
                    assert answer.json() == {'id': n, 'state': 'running'}
                except Exception as error:  # pylint: disable=broad-except
                    errors.append('%s: %s' % (type(error).__name__, error))

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            list(pool.map(start, range(THREADS)))
        client.close()
    assert errors == []
    assert warnings == []
    assert server.posts == THREADS * 5
