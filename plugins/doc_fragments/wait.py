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
      - How long to wait, in seconds, before failing with the last state seen.
    type: float
    default: 600
  poll_interval:
    description:
      - The first interval between two polls, in seconds, and the shortest one.
      - After that each interval is about a quarter (0.26) of the time waited so far, up to O(poll_interval_max),
        so that the end of a run is noticed about a ninth of its duration late on average, whatever its length
        (a short run within O(poll_interval) / 2 on average), and a 60-second wait costs 25 polls with the defaults.
    type: float
    default: 0.25
  poll_interval_max:
    description:
      - The longest interval between two polls, in seconds. The end of a run is always noticed within this time.
    type: float
    default: 5
'''
