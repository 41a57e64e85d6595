# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's plan: how many playbooks of what, the run durations drawn for the waits, the interleaved order of
the contenders, and how long it should all take -- pure functions (standard library only), printed before a run
starts and tested in bench/test_stats_report.py.
"""

from __future__ import annotations

import math
import random

# What one playbook process costs on a quiet 2-core machine (ansible-core 2.21, Python 3.13), for the estimate only:
# ansible-playbook's start-up, the play and its exit, then each module process (one task, or one loop item or retry).
PLAYBOOK_SECONDS = 1.3
MODULE_SECONDS = 0.45
# The simulator's own time for each run a batch starts and follows (a POST and its share of the list polls).
BATCH_RUN_SECONDS = 0.006

# The full run must stay under 20 minutes and --quick under 5 (issue 16, "Also").
BUDGET_SECONDS = {'full': 20 * 60, 'quick': 5 * 60}


def draw_durations(seed, count, low, high):
    """``count`` run durations spread over [low, high): one uniform draw in each of ``count`` equal strata (so the
    spread covers the range evenly, with no chosen points), seeded, rounded to 10 ms and shuffled so that the order
    in which they run does not follow their length."""
    if count <= 0:
        return []
    rng = random.Random('%s:%s:%s:%s' % (seed, count, low, high))
    width = (high - low) / float(count)
    values = [round(low + width * (index + rng.random()), 2) for index in range(count)]
    values = [min(max(v, low), high) for v in values]
    rng.shuffle(values)
    return values


def rounds(contenders, count):
    """``count`` rounds, each running every contender once; the order rotates by one each round (AB, BA, AB... or
    ABC, BCA, CAB...), so every contender takes every place equally and slow drifts of the machine hit all alike."""
    contenders = list(contenders)
    width = len(contenders)
    return [[contenders[(index + shift) % width] for shift in range(width)] for index in range(count)] if width else []


def uri_polls(seconds, delay):
    """Module processes of the uri until-loop for a run of ``seconds``: every retry is a new process that waits
    ``delay`` after the previous one ended, so it polls about every ``delay + MODULE_SECONDS`` s."""
    return int(math.floor(max(seconds, 0.0) / (delay + MODULE_SECONDS))) + 1


def playbook_seconds(modules, sleep=0.0):
    """Estimated wall time of one playbook: start-up, ``modules`` module processes and ``sleep`` seconds waiting."""
    return PLAYBOOK_SECONDS + modules * MODULE_SECONDS + sleep


class Plan:  # pylint: disable=too-many-instance-attributes
    """How much of each scenario a run does (full or --quick); every count is a plain attribute."""

    def __init__(self, quick=False, reps=None, draws=None, seed=16, long_seconds=60.0, batch_sizes=None):  # pylint: disable=too-many-arguments
        self.quick = quick
        self.seed = seed
        self.reps = reps if reps is not None else (1 if quick else 3)
        self.reps_floor = reps if reps is not None else (3 if quick else 15)
        self.reps_imports = 1 if quick else 5
        self.draws = draws if draws is not None else (3 if quick else 10)
        # The extra runs under 3 s feed only the under-3 s lag figure (16 samples: the lag of one run is a uniform draw
        # over a poll interval, so a handful of samples cannot tell 0.13 s from 0.16 s); the 1-30 s means use only
        # the stratified draws, so the extra short runs do not weigh them towards short runs.
        self.short_draws = 3 if quick else 16
        self.wait_range = (1.0, 30.0)
        self.short_range = (1.0, 3.0)
        self.uri_delay = 1
        self.reps_long = 1 if quick else 2
        self.long_seconds = long_seconds
        self.uri_long_delay = 5
        self.batch_sizes = tuple(batch_sizes) if batch_sizes else (10, 100, 1000)
        self.batch_seconds = 1
        self.batch_concurrency = 100
        self.batch_uri_size = 10
        self.login_tasks = 5
        self.reps_login = 1 if quick else 3
        # Scenarios of earlier issues, kept in the full run: not part of --quick.
        self.reps_find = 0 if quick else 3
        self.reps_vcf = 0 if quick else 3
        self.find_runs = 10000
        self.vcf_tasks = 20
        self.vcf_retry_seconds = 2.5

    def wait_durations(self):
        """The drawn durations of the wait scenario: across 1-30 s, then the extra short ones (1-3 s)."""
        return self.spread_durations() + self.short_durations()

    def spread_durations(self):
        """The durations drawn across 1-30 s, one per stratum: the runs every 1-30 s mean is taken over."""
        return draw_durations(self.seed, self.draws, *self.wait_range)

    def short_durations(self):
        """The extra durations drawn over 1-3 s: runs for the under-3 s lag figure only."""
        return draw_durations(self.seed + 1, self.short_draws, *self.short_range)

    def to_dict(self):
        return {key: (list(value) if isinstance(value, tuple) else value) for key, value in sorted(vars(self).items())}

    def estimate(self, only=None):
        """Estimated seconds of each scenario (in run order), from the per-process costs above."""
        wait = 0.0
        for seconds in self.wait_durations():
            wait += playbook_seconds(1, seconds)  # ours
            wait += playbook_seconds(1 + uri_polls(seconds, self.uri_delay), seconds)  # uri POST + until loop
        wait += len(self.spread_durations()) * playbook_seconds(1)  # one uri GET, the base, with each 1-30 s draw
        batch = 0.0
        for size in self.batch_sizes:
            # without and with outputs, each a few polls beyond the run's second
            batch += 2 * (playbook_seconds(1, self.batch_seconds + 1.0) + size * BATCH_RUN_SECONDS)
        batch += playbook_seconds(self.batch_uri_size * (1 + uri_polls(self.batch_seconds, self.uri_delay)))
        batch *= self.reps
        login = self.reps_login * (playbook_seconds(self.login_tasks, 0.5 * self.login_tasks)  # a login in every task
                                   + playbook_seconds(self.login_tasks + 1, 0.5)  # one login, its token reused
                                   + playbook_seconds(self.login_tasks + 2, 0.5)  # uri: log in, then GETs
                                   + playbook_seconds(self.login_tasks))  # basic auth, no login
        found = {
            'imports': self.reps_imports * 30 * 0.35,
            'floor': self.reps_floor * 4 * playbook_seconds(1),
            'wait': wait,
            'long': self.reps_long * (playbook_seconds(1 + uri_polls(self.long_seconds, self.uri_long_delay), self.long_seconds) + 5),
            'batch': batch,
            'login': login,
            'find': self.reps_find * (playbook_seconds(1) + playbook_seconds(1, 2.2) + playbook_seconds(1, 3.2)) + (15 if self.reps_find else 0),
            'vcf': self.reps_vcf * (playbook_seconds(1, 2.9) + playbook_seconds(2 * self.vcf_tasks + 2, 2.5)),
        }
        return {name: round(seconds, 1) for name, seconds in found.items() if only is None or name in only}


def format_estimate(estimate, quick):
    """One line: the estimated minutes in all and per scenario, against the budget of the kind of run."""
    total = sum(estimate.values())
    budget = BUDGET_SECONDS['quick' if quick else 'full']
    parts = ', '.join('%s %.0fs' % (name, seconds) for name, seconds in estimate.items())
    return 'estimate: %.1f min on a quiet 2-core machine (budget %d min%s): %s' % (
        total / 60.0, budget // 60, '' if total <= budget else ', OVER BUDGET', parts)
