"""werkzeug's threaded server with real HTTP/1.1 keep-alive and socket-level connection resets.

werkzeug's own request handler answers every request with ``Connection: close``. This handler reads each
request body completely, buffers the response, always sends ``Content-Length`` and keeps the connection
open, so a client polling over one session pays for TLS once. When the application marks the request with
``environ['sim.reset'] = True`` the handler sends nothing and aborts the TCP connection (RST, SO_LINGER 0); with
``environ['sim.truncate'] = True`` it sends the status line, the headers and half of the body, then closes.
"""

from __future__ import annotations

import email.utils
import http
import http.client
import io
import logging
import socket
import struct
import time

from werkzeug.serving import WSGIRequestHandler, make_server

LOG = logging.getLogger("simulator.server")

# Idle keep-alive connections are closed after this many seconds, bounding the number of threads.
IDLE_TIMEOUT = 120


_DATE = [0, ""]
_REASONS = {status.value: status.phrase for status in http.HTTPStatus}


def _http_date():
    """The Date header value, formatted once per second."""
    now = int(time.time())
    if _DATE[0] != now:
        _DATE[1] = email.utils.formatdate(now, usegmt=True)
        _DATE[0] = now
    return _DATE[1]


class KeepAliveHandler(WSGIRequestHandler):
    """HTTP/1.1 request handler with keep-alive, full request-body draining and fault resets."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT

    def setup(self):
        super().setup()
        # A large answer goes out as several TLS records; without this, Nagle holds the last one until the
        # client's delayed ACK (about 40 ms).
        try:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass

    def parse_request(self):
        """The usual request line and headers parsed without the email package (a tenth of the cost).

        Anything unusual (HTTP/0.9, folded headers, odd versions) goes to the standard parser.
        """
        words = self.raw_requestline.decode("iso-8859-1").rstrip("\r\n").split()
        if len(words) != 3 or words[2] not in ("HTTP/1.1", "HTTP/1.0"):
            return super().parse_request()
        self.command, self.path, self.request_version = words
        self.requestline = " ".join(words)
        headers = http.client.HTTPMessage()
        for _count in range(101):
            line = self.rfile.readline(65537)
            if len(line) > 65536:
                self.send_error(431, "Line too long")
                return False
            if line in (b"\r\n", b"\n", b""):
                break
            name, sep, value = line.decode("iso-8859-1").partition(":")
            if not sep or name[:1] in (" ", "\t"):
                self.send_error(400, "Bad header line")
                return False
            headers[name.strip()] = value.strip()
        else:
            self.send_error(431, "Too many headers")
            return False
        self.headers = headers
        connection = headers.get("Connection", "").lower()
        self.close_connection = connection == "close" or (words[2] == "HTTP/1.0" and connection != "keep-alive")
        return True

    def run_wsgi(self):
        if self.headers.get("Expect", "").lower().strip() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.make_environ()
        # Read the whole body now so the next request on this connection starts at a clean boundary.
        if environ.get("wsgi.input_terminated"):
            data = environ["wsgi.input"].read()
        else:
            length = self.headers.get("Content-Length")
            try:
                data = self.rfile.read(int(length)) if length else b""
            except ValueError:
                data, self.close_connection = b"", True
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        environ.pop("wsgi.input_terminated", None)
        environ.pop("HTTP_TRANSFER_ENCODING", None)

        captured = {}

        def start_response(status, headers, exc_info=None):
            if exc_info and captured.get("sent"):
                raise exc_info[1].with_traceback(exc_info[2])
            captured["status"], captured["headers"] = status, headers
            return lambda chunk: captured.setdefault("extra", []).append(chunk)

        try:
            result = self.server.app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
            body = b"".join(captured.get("extra", [])) + body
        except Exception:  # pylint: disable=broad-except
            LOG.exception("error while handling %s %s", self.command, self.path)
            captured = {"status": "500 INTERNAL SERVER ERROR", "headers": [("Content-Type", "application/json")]}
            body = b'{"status": 500, "message": "simulator internal error"}'
            self.close_connection = True

        if environ.get("sim.reset"):
            self.abort_connection()
            return

        if environ.get("sim.trickle"):
            self.close_connection = True
        status = captured["status"]
        code = int(status.split(None, 1)[0])
        # Real servers send the registered reason phrase ("202 Accepted"); werkzeug upper-cases it.
        lines = ["HTTP/1.1 %d %s" % (code, _REASONS.get(code) or status.partition(" ")[2])]
        has_length = False
        for key, value in captured["headers"]:
            lowered = key.lower()
            if lowered == "content-length":
                has_length = True
                value = str(len(body)) if self.command != "HEAD" else value
            elif lowered in ("connection", "transfer-encoding"):
                continue
            lines.append("%s: %s" % (key, value))
        if code in (204, 304) or 100 <= code < 200:
            body = b""
            lines = [line for line in lines if not line.lower().startswith("content-length:")]
        if not body and self.command != "HEAD":
            # No body, so no Content-Type either (Flask labels an empty answer text/html).
            lines = [line for line in lines if not line.lower().startswith("content-type:")]
        elif not has_length:
            lines.append("Content-Length: %d" % len(body))
        lines.append("Date: %s" % _http_date())
        lines.append("Server: cloudops-orchestrator-simulator")
        if self.close_connection:
            lines.append("Connection: close")
        if self.command == "HEAD":
            body = b""
        if environ.get("sim.truncate") and body:
            # The headers promise the whole body (Content-Length); half of it goes out, then the connection closes.
            body = body[: len(body) // 2]
            self.close_connection = True
        if environ.get("sim.trickle"):
            self.trickle(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), body, environ["sim.trickle"])
            return
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        self.wfile.flush()

    def trickle(self, head, body, gap):
        """The ``trickle`` fault: the headers at once, then the body one byte every ``gap`` seconds (until the
        client hangs up); the connection is closed afterwards."""
        self.close_connection = True
        try:
            self.wfile.write(head)
            self.wfile.flush()
            for index in range(len(body)):
                time.sleep(gap)
                self.wfile.write(body[index:index + 1])
                self.wfile.flush()
        except OSError:
            pass

    def abort_connection(self):
        """Close the TCP connection with a reset, sending nothing."""
        self.close_connection = True
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            # Closing the raw descriptor skips the TLS close_notify, so the client sees a reset.
            raw = socket.socket(fileno=sock.detach()) if hasattr(sock, "detach") else sock
            raw.close()
        except OSError:
            pass

    def log_request(self, code="-", size="-"):
        """The simulator keeps its own request log (/_sim/requests); stderr stays quiet."""

    def log_error(self, format, *args):  # pylint: disable=redefined-builtin
        LOG.debug(format, *args)


def build_server(host, port, app, ssl_context=None):
    """A threaded werkzeug server bound to ``host:port`` (port 0 picks a free port)."""
    server = make_server(host, port, app, threaded=True, request_handler=KeepAliveHandler, ssl_context=ssl_context)
    server.daemon_threads = True
    return server
