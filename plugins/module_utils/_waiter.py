# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One waiter for every module that waits.

Internal use only: this file may change without notice between releases.

A monotonic deadline, a poll interval that stays short for the first seconds and then grows with the time waited
up to a cap, a "done" predicate, tolerance of transient errors while polling, and a timeout error that carries the
last observation.
"""

from __future__ import annotations

import time

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, WaitTimeout
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import after_timeout

TRANSIENT_KINDS = frozenset(('connection', 'timeout', 'html', 'json'))
TRANSIENT_STATUSES = frozenset((429, 500, 502, 503, 504))


def is_transient(error):
    """True for an error worth polling through: the server or the path may recover by itself.

    A retry refused because it would pass the wait's deadline (``details['deadline']``) is final.
    """
    if isinstance(error, ApiError) and error.details.get('deadline'):
        return False
    return isinstance(error, ApiError) and (error.kind in TRANSIENT_KINDS or error.status in TRANSIENT_STATUSES)


# The poll schedule has a knee. For the first KNEE seconds every interval is ``interval`` (poll_interval, 0.25 by
# default): a run of up to 3 s is noticed interval / 2 late on average (0.125 s), 12 polls. After the knee each
# interval is GROWTH times the time elapsed since the wait began (at least ``interval``, at most ``interval_max``):
# polls at t, r t, r^2 t... with r = 1 + GROWTH = 1.21, so a run that ends between two polls is noticed on average
# r ln r / (r - 1) - 1 = 9.8 % of its duration late whatever its length (expected lag over expected duration
# (r - 1) / (r + 1) = 9.5 %): no duration is favoured. Over runs spread across 1-30 s the mean lag fraction is 9.9 %
# (with 5 ms for the request itself), under 3 s 0.13 s; a 60 s wait costs 28 polls (the arithmetic, and why no
# schedule blind to the run's length also keeps the 25: docs/docsite/rst/waiting_idempotency_check_mode.rst).
KNEE = 3.0
GROWTH = 0.21
# The default poll_interval_max: the geometric part reaches it at INTERVAL_MAX / GROWTH = 71 s, past a minute.
INTERVAL_MAX = 15.0
# Seconds added to the request timeout during which an object this task just created (a run, a task) may still answer
# 404 to a read: the node that answered the create and the one answering the read are not in step yet.
UNREADABLE_MARGIN = 10.0
# The request timeout assumed when the client has none.
DEFAULT_REQUEST_TIMEOUT = 30.0


def next_interval(elapsed, interval, interval_max, growth=GROWTH, knee=KNEE):
    """The pause after a poll due ``elapsed`` seconds into the wait: ``interval`` before ``knee``, then
    ``growth * elapsed``, at least ``interval`` and at most ``interval_max``. A pure function of the schedule's own
    times (never of when a request returned)."""
    if elapsed < knee:
        return min(interval_max, interval)
    return min(interval_max, max(interval, growth * elapsed))


def poll_schedule(interval, interval_max, until, first_delay=None, growth=GROWTH, knee=KNEE):
    """The times (seconds after the wait began) at which polls are due, up to the first one at or after ``until``.

    ``first_delay`` (default ``interval``) is when the first poll is due: a wait that begins right after a start
    was answered never polls before that answer. Pure: what :class:`Waiter` sleeps is exactly this schedule.
    """
    due = interval if first_delay is None else first_delay
    times = [due]
    while due < until:
        due += next_interval(due, interval, interval_max, growth, knee)
        times.append(due)
    return times


class Waiter:
    """Poll ``fetch`` until ``done`` says so or ``timeout`` seconds have passed.

    Polls are due on :func:`poll_schedule`: the first after ``first_delay``, then every ``interval`` for the first
    ``knee`` seconds (a short run is noticed ``interval / 2`` late on average), then each interval ``growth`` times
    the time elapsed, never less than ``interval`` nor more than ``interval_max``, so that the end of a run is
    noticed within a fixed fraction of its duration (about a tenth), and within ``interval_max`` always. Polls are
    counted from when the previous poll was due, not from when its request returned, so the time requests take does
    not add up. The last sleep is cut so that the
    waiter never sleeps past its deadline.
    """

    def __init__(self, timeout=600.0, interval=0.25, interval_max=INTERVAL_MAX, growth=GROWTH, clock=time.monotonic,
                 sleep=time.sleep, client=None, knee=KNEE):
        # The options are validated by the module (OrchestratorModule, WAIT_BOUNDS); these are programmer errors.
        if (timeout is not None and timeout < 0) or interval is None or interval <= 0 or interval_max is None \
                or interval_max < interval or growth is None or growth <= 0:
            raise ValueError('Waiter(timeout=%r, interval=%r, interval_max=%r, growth=%r): needs timeout >= 0, '
                             '0 < interval <= interval_max and growth > 0' % (timeout, interval, interval_max, growth))
        self.timeout = timeout
        self.interval = float(interval)
        self.interval_max = float(interval_max)
        self.growth = growth
        self.knee = knee
        self.clock = clock
        self.sleep = sleep
        self.polls = 0
        self.transient_errors = 0
        # The client whose backoff (Retry-After) must not sleep past this wait's deadline.
        self.client = client

    def next_interval(self, elapsed):
        """The sleep after a poll due ``elapsed`` seconds into the wait (see :func:`next_interval`)."""
        return next_interval(elapsed, self.interval, self.interval_max, self.growth, self.knee)

    def readable_by(self, request_timeout):
        """Until when (this waiter's clock) an object this task just created may answer 404 to a read without being
        gone: ``request_timeout`` (the client's; :data:`DEFAULT_REQUEST_TIMEOUT` when it has none) plus
        :data:`UNREADABLE_MARGIN`, from now."""
        return self.clock() + after_timeout(request_timeout, UNREADABLE_MARGIN, DEFAULT_REQUEST_TIMEOUT)

    def not_readable_yet(self, error, readable_by):
        """True when ``error`` is a 404 before ``readable_by`` (:meth:`readable_by`). The caller asks only about an
        object this task created and that no read has shown yet: a 404 after a read showed it is a deleted one."""
        return getattr(error, 'status', None) == 404 and self.clock() < readable_by

    def wait(self, fetch, done, on_transient=None, first_delay=0.0):
        """Return the first observation for which ``done(observation)`` is true.

        ``fetch()`` is called after ``first_delay`` seconds (straight away by default), then on the adaptive
        schedule. Transient :class:`ApiError`s are passed to ``on_transient(error)`` and polling goes on; any
        other error propagates. Raises :class:`WaitTimeout` with the last observation. While waiting, the client
        (when given) refuses any backoff that would sleep past the deadline.
        """
        client = self.client
        if client is None or self.timeout is None:
            return self._wait(fetch, done, on_transient, first_delay)
        previous = (client.deadline, client.deadline_reason)
        client.set_deadline(client.clock() + self.timeout,
                            'the wait_timeout of %s s' % ('%.3f' % self.timeout).rstrip('0').rstrip('.'))
        try:
            return self._wait(fetch, done, on_transient, first_delay)
        finally:
            client.set_deadline(*previous)

    def _wait(self, fetch, done, on_transient, first_delay):
        start = self.clock()
        deadline = None if self.timeout is None else start + self.timeout
        last = None
        last_error = None
        pending = first_delay
        due = start
        while True:
            if pending:
                # Each poll is due one interval after the previous one was due, so slow requests never push the
                # schedule back (the end of a run stays noticed within interval_max).
                due += pending
                now = self.clock()
                remaining = None if deadline is None else deadline - now
                if remaining is not None and remaining <= 0:
                    break
                pause = max(0.0, due - now)
                if pause:
                    self.sleep(pause if remaining is None else min(pause, remaining))
            else:
                due = self.clock()
            try:
                self.polls += 1
                observation = fetch()
            except ApiError as error:
                if not is_transient(error):
                    raise
                self.transient_errors += 1
                last_error = error
                if on_transient is not None:
                    on_transient(error)
            else:
                last = observation
                if done(observation):
                    return observation
            now = self.clock()
            if deadline is not None and now >= deadline:
                break
            # The schedule is a pure function of when polls were due (poll_schedule), never of when answers came.
            pending = self.next_interval(due - start)
        elapsed = self.clock() - start
        message = 'still not done after %.1fs (%d polls)' % (elapsed, self.polls)
        if last_error is not None and last is None:
            message += '; every poll failed, last error: %s' % last_error
        raise WaitTimeout(message, last=last, elapsed=elapsed, polls=self.polls, last_error=last_error)
