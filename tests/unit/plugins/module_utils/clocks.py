# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Clocks the unit tests move by hand, so that waits, backoffs and event-source cursors cost no real time."""

from __future__ import annotations


class SleepClock:
    """A monotonic clock that only the code's own sleeps move; ``slept`` lists each sleep asked for."""

    def __init__(self, now=0.0):
        self.now = now
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class MsClock:
    """A wall clock in epoch milliseconds that the test moves (``clock.ms += 60000``); called, it gives seconds."""

    def __init__(self, ms):
        self.ms = ms

    def __call__(self):
        return self.ms / 1000.0
