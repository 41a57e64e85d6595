# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The waiter's schedule: it does not drift when requests are slow (found by bench/run.py: the 60 s wait), and it has
no favourite duration (issue 16): its lag is a fixed fraction of the run, within the request budget and the cap."""

from __future__ import annotations

import bisect

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import WaitTimeout
from ansible_collections.cloudops.orchestrator.plugins.module_utils._waiter import INTERVAL_MAX, Waiter, poll_schedule


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


def poll_times(latency, duration, **kwargs):
    clock = SlowClock(latency)
    waiter = Waiter(timeout=1000, clock=clock, sleep=clock.sleep, **kwargs)
    waiter.wait(clock.fetch, lambda now: now >= duration, first_delay=0.25)
    return clock.polls


@pytest.mark.parametrize('latency', [0.05, 0.2])
def test_slow_requests_do_not_push_polls_back(latency):
    assert poll_times(latency, 60) == pytest.approx(poll_times(0.0, 60))


@pytest.mark.parametrize('duration', [30.1, 47.7, 60.0, 61.3])
def test_slow_requests_still_notice_the_end_within_interval_max(duration):
    polls = poll_times(0.3, duration, interval_max=5.0)
    assert polls[-1] + 0.3 - duration <= 5.0 + 0.3
    assert polls[-2] < duration


# -- the schedule has no favourite duration (issue 16) ------------------------------------------------------

# The request's own time: a poll due at t is answered (and the run's end noticed) a little later.
REQUEST = 0.005


def detection_lag(schedule, duration):
    """How late a run of ``duration`` seconds is noticed on ``schedule`` (poll times after the start)."""
    return schedule[bisect.bisect_left(schedule, duration)] - duration + REQUEST


def spread(low, high, count=3000):
    """``count`` durations evenly spread over [low, high] (midpoints)."""
    return [low + (high - low) * (i + 0.5) / count for i in range(count)]


def mean(values):
    values = list(values)
    return sum(values) / len(values)


# The defaults: poll_interval 0.25, poll_interval_max 15.
DEFAULT = poll_schedule(0.25, INTERVAL_MAX, 200)


def test_the_defaults():
    assert (Waiter().interval, Waiter().interval_max, INTERVAL_MAX) == (0.25, 15.0, 15.0)
    assert DEFAULT[:12] == pytest.approx([0.25 * k for k in range(1, 13)])


def test_lag_is_a_tenth_of_the_run_whatever_its_length():
    durations = spread(1, 30)
    # Issue 16: mean lag at most 10 % of the run's duration over runs spread across 1-30 s.
    assert mean(detection_lag(DEFAULT, d) / d for d in durations) <= 0.10
    # Expected lag over expected duration: about the geometric schedule's (r - 1) / (r + 1).
    assert sum(detection_lag(DEFAULT, d) for d in durations) / sum(durations) <= 0.10
    # No favourite duration: past the knee every octave up to 64 s (below the cap) sees about the same lag fraction.
    octaves = [spread(2.0 ** k, 2.0 ** (k + 1), 500) for k in range(2, 6)]
    means = [mean(detection_lag(DEFAULT, d) / d for d in octave) for octave in octaves]
    assert max(means) <= 0.115 and max(means) - min(means) <= 0.03, means
    # The old schedule (fast then 2.5x) noticed a 2.5 s run 0.7 s late and an 8 s one 1.8 s late.
    assert detection_lag(DEFAULT, 2.5) <= 0.26 and detection_lag(DEFAULT, 8.0) <= 1.5


def test_short_runs_are_noticed_within_a_fraction_of_a_second():
    # Issue 16: mean lag at most 0.15 s for runs under 3 s. The first 3 s poll every poll_interval (0.25 s).
    assert mean(detection_lag(DEFAULT, d) for d in spread(0, 3)) <= 0.15
    assert mean(detection_lag(DEFAULT, d) for d in spread(1, 3)) <= 0.15
    assert max(detection_lag(DEFAULT, d) for d in spread(0, 3)) <= 0.25 + REQUEST


def test_a_sixty_second_wait_polls_28_times():
    # Issue 16 asks for at most 25 requests; no schedule blind to the run's length keeps that together with the
    # two lag targets (see the waiting page): the knee and growth spend 28.
    clock = SlowClock(0.0)
    waiter = Waiter(timeout=1000, clock=clock, sleep=clock.sleep)
    waiter.wait(clock.fetch, lambda now: now >= 60.0, first_delay=waiter.interval)
    assert waiter.polls == 28 == bisect.bisect_left(DEFAULT, 60.0) + 1
    # A wait that times out at 60 s polls no more.
    clock = SlowClock(0.0)
    waiter = Waiter(timeout=60, clock=clock, sleep=clock.sleep)
    with pytest.raises(WaitTimeout):
        waiter.wait(clock.fetch, lambda now: False, first_delay=waiter.interval)
    assert waiter.polls <= 28
    # A half-hour wait: 144 polls (the 5 s cap of earlier releases spent 379).
    assert len(poll_schedule(0.25, INTERVAL_MAX, 1800)) == 144


@pytest.mark.parametrize('interval,interval_max', [(0.25, 15.0), (0.25, 5.0), (0.25, 1.0), (0.1, 0.5), (2.0, 2.0),
                                                   (1.0, 30.0), (0.25, 0.25)])
def test_the_cap_and_the_first_interval_are_honoured(interval, interval_max):
    schedule = poll_schedule(interval, interval_max, 600)
    gaps = [later - earlier for earlier, later in zip(schedule, schedule[1:])]
    assert max(gaps) <= interval_max + 1e-9
    assert min(gaps) >= interval - 1e-9
    assert schedule[0] == interval and gaps[0] == pytest.approx(interval)
    # A long wait reaches the cap and stays there.
    assert gaps[-1] == pytest.approx(interval_max)


def test_a_small_cap_keeps_every_run_noticed_within_it():
    capped = poll_schedule(0.25, 2.0, 200)
    assert max(detection_lag(capped, d) for d in spread(0, 150)) <= 2.0 + REQUEST
    # The cap costs requests, not lag: more polls, smaller lags than the defaults.
    assert len(capped) > len(DEFAULT)
    assert mean(detection_lag(capped, d) for d in spread(1, 30)) < mean(detection_lag(DEFAULT, d) for d in spread(1, 30))


def test_never_a_poll_before_the_start_answered():
    # The waiter is built after the start answered; its clock begins there: the first poll waits first_delay.
    clock = SlowClock(0.0)
    clock.now = 100.0  # when the start's answer came back
    waiter = Waiter(timeout=1000, clock=clock, sleep=clock.sleep)
    waiter.wait(clock.fetch, lambda now: now >= 103.0, first_delay=waiter.interval)
    assert clock.polls[0] == pytest.approx(100.0 + waiter.interval)
    assert all(t > 100.0 for t in clock.polls)
    assert poll_schedule(0.25, 5.0, 10)[0] > 0


@pytest.mark.parametrize('duration', [0.1, 2.7, 13.0, 44.4, 100.0])
def test_the_waiter_polls_exactly_on_the_pure_schedule(duration):
    schedule = poll_schedule(0.25, INTERVAL_MAX, duration)
    assert poll_times(0.0, duration) == pytest.approx(schedule)
    assert poll_times(0.1, duration) == pytest.approx(schedule)
