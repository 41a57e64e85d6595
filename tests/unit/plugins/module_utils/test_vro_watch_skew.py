# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``vro_executions`` against a vRO server whose clock is behind this host's by more than the five minutes the first
start's floor allows: a run that fails after the source started carries an end date (server time) before
``local now - 5 min``. It must still be emitted, once; the runs that had failed before the first start must not."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import iso_from_ms

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_watch_variants import (
    START, VroServer, drain, logger, vro_watch)
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.clocks import MsClock

MINUTE = 60 * 1000
BEHIND = 20 * MINUTE  # the server's clock, behind this host's


def run(run_id, ended):
    return {'id': run_id, 'name': 'run %s' % run_id, 'state': 'failed', 'content-exception': 'boom',
            'start-date': iso_from_ms(ended - 1000), 'end-date': iso_from_ms(ended)}


def ids(events):
    return [event['vro_execution']['execution_id'] for event in events]


@pytest.mark.parametrize('existing', [0, 2])
def test_a_run_failing_after_the_first_start_is_emitted_when_the_servers_clock_is_behind(existing):
    server, clock = VroServer(), MsClock(START)
    server_now = START - BEHIND
    server.runs = [run('old%d' % n, server_now - (n + 1) * MINUTE) for n in range(existing)]
    log, handler = logger()
    watcher, ignored = vro_watch(server, clock, log)
    assert drain(watcher) == []  # the first start: what failed before is already there
    clock.ms += MINUTE
    server.runs.insert(0, run('new', server_now + 30000))
    assert ids(drain(watcher)) == ['new']
    clock.ms += MINUTE
    assert drain(watcher) == []
