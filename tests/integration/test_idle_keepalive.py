# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A vRO start sent on a keep-alive connection the server is closing for idleness, over real HTTP, through
ansible-playbook.

Servers close idle keep-alive connections on their own clock (Apache httpd and Node.js after 5 s, Tomcat 20-60 s,
nginx 75 s); urllib3 notices only a close that has already arrived. The fake vRO of ``test_blind_vro_runs`` is made to
close, without answering, a connection idle longer than ``IDLE`` (1.5 s) when the next request arrives on it (the race made
deterministic), and to answer the first start with ``429`` and ``Retry-After: 2``: the start is sent again (a 429
proves nothing was done) after two idle seconds. Before the fix, that resend went on the pooled connection, was lost
unanswered, read as "may have been applied", found no run during the adoption window and failed; now it goes on a
fresh connection and starts exactly one run.
"""

from __future__ import annotations

import time

from test_blind_vro_runs import START, RunVro, run

IDLE = 1.5  # between the client's 1 s threshold and the 2 s of Retry-After


class IdleClosingVro(RunVro):
    """:class:`RunVro` whose connections close, unanswered, when a request comes after ``IDLE`` idle seconds, and
    whose first ``throttle`` starts are answered 429 with ``Retry-After: 2``."""

    def __init__(self, throttle=1, **variant):
        super().__init__(**variant)
        self.throttle = throttle
        self.dropped = []
        outer = self
        base = self.server.RequestHandlerClass

        class Handler(base):
            answered_at = None

            def handle_one_request(self):
                super().handle_one_request()
                self.answered_at = time.monotonic()

            def parse_request(self):
                if self.answered_at is not None and time.monotonic() - self.answered_at > IDLE:
                    with outer.lock:
                        outer.dropped.append(tuple(self.raw_requestline.decode('latin-1').split()[:2]))
                    self.close_connection = True
                    return False
                return super().parse_request()

        self.server.RequestHandlerClass = Handler

    def start(self, h, body):
        if self.throttle:
            self.throttle -= 1
            return h.send(429, {'status': 429, 'message': 'Too many requests'}, {'Retry-After': '2'})
        return super().start(h, body)


def test_a_start_resent_after_retry_after_goes_on_a_fresh_connection_and_starts_one_run(tmp_path):
    with IdleClosingVro() as server:
        res = run(tmp_path, server, [('start', 'vro_workflow_run', dict(START, timeout=3))])
    rec = res.record('start')
    assert [p for m, p in server.dropped if m == 'POST'] == [], 'a start went on a connection the server was closing'
    assert rec['status'] == 'ok', rec['result'].get('msg')
    assert rec['result']['state'] == 'completed'
    assert server.count('POST', '/executions') == 2  # the 429, then the start
    assert len(server.runs) == 1
    assert not rec['result'].get('adopted')


def test_reads_lost_on_idle_keep_alive_connections_are_sent_again_without_a_warning(tmp_path):
    # Polls further apart than the server keeps an idle connection: each poll's read goes on a pooled connection the
    # server closes as it arrives (a GET that reaches nothing). A read is safe to resend and this is normal keep-alive
    # behaviour: it is sent again at once, with no warning to the user; the run is followed to its end.
    with IdleClosingVro(throttle=0, script=('running', 'running', 'completed')) as server:
        args = dict(START, timeout=3, poll_interval=2, poll_interval_max=2)
        res = run(tmp_path, server, [('start', 'vro_workflow_run', args)])
    rec = res.record('start')
    assert rec['status'] == 'ok', rec['result'].get('msg')
    assert rec['result']['state'] == 'completed'
    assert [m for m, p in server.dropped if m == 'GET'], 'no read met a closed connection: the race did not happen'
    assert not [m for m, p in server.dropped if m != 'GET']
    assert not [w for w in rec['result'].get('warnings') or [] if 'retry' in w or 'connection' in w], rec['result'].get('warnings')
    assert server.count('POST', '/executions') == 1
