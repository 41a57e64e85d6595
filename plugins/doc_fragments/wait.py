# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """The wait options shared by every module that waits."""

    DOCUMENTATION = r'''
options:
  wait:
    description:
      - Whether to wait until the run or task reaches the state the module waits for.
      - Waiting happens inside the module, over one keep-alive connection, on an adaptive schedule;
        no C(until)/C(retries) loop is needed.
      - In check mode nothing is waited for.
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait before failing with the last state seen.
      - A number of seconds (V(600), also as text from a survey, V("600"), V("1.5")) or a duration with units
        C(ms), C(s), C(m), C(h), C(d), case-insensitive, parts added up (V(90s), V(10m), V(1h30m), V(1h 30m), V(500ms)).
        The same forms are accepted by every duration option of the collection (O(timeout), O(poll_interval), ...).
      - Booleans, negative numbers, C(nan), C(inf), unknown units and empty text fail the task before anything is sent.
    type: raw
    default: 600
  poll_interval:
    description:
      - The interval between two polls for the first 3 seconds of a wait, in seconds, and the shortest one.
      - After 3 seconds each interval is about a fifth (0.21) of the time waited so far, up to O(poll_interval_max),
        so that the end of a run is noticed about a tenth of its duration late on average, whatever its length (a run
        of up to 3 seconds within O(poll_interval) / 2 on average). With the defaults a 60-second wait costs 28 polls.
      - A number of seconds or a duration with units, like O(wait_timeout) (V(0.25), V(250ms), V(2s)).
    type: raw
    default: 0.25
  poll_interval_max:
    description:
      - The longest interval between two polls, in seconds. The end of a run is always noticed within this time.
      - With the default, intervals reach it after about 70 seconds; a smaller value notices the end of long runs
        sooner at the cost of more requests (a half-hour wait polls 144 times with 15, 379 with 5).
      - A number of seconds or a duration with units, like O(wait_timeout) (V(15), V(15s), V(1m)).
    type: raw
    default: 15
'''
