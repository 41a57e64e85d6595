# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The waiter's schedule does not drift when requests are slow (found by bench/run.py: the 60 s wait)."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._waiter import Waiter


class SlowClock:
    """A fake clock; every fetch costs ``latency`` seconds."""

    def __init__(self, latency):
        self.now = 0.0
        self.latency = latency
        self.polls = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds

    def fetch(self):
        self.polls.append(self.now)
        self.now += self.latency
        return self.now


def poll_times(latency, duration):
    clock = SlowClock(latency)
    waiter = Waiter(timeout=1000, clock=clock, sleep=clock.sleep)
    waiter.wait(clock.fetch, lambda now: now >= duration, first_delay=0.25)
    return clock.polls


@pytest.mark.parametrize('latency', [0.05, 0.2])
def test_slow_requests_do_not_push_polls_back(latency):
    assert poll_times(latency, 60) == pytest.approx(poll_times(0.0, 60))


@pytest.mark.parametrize('duration', [30.1, 47.7, 60.0, 61.3])
def test_slow_requests_still_notice_the_end_within_interval_max(duration):
    polls = poll_times(0.3, duration)
    assert polls[-1] + 0.3 - duration <= 5.0 + 0.3
    assert polls[-2] < duration
