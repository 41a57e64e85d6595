# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``vcf_tasks`` against a server whose clock was wrong for a while: one task reads a completion far in the future (a
node whose clock ran ahead, since corrected). The cursor of ``completedAfter`` must not follow that date past this
host's clock, or every task completing later (with a true, earlier date) is never listed again and its event lost."""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import to_epoch_ms
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import TaskService
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.watch import VcfTaskWatch

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_vcf_watch_backlog import Server, iso
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_watch_variants import FakeClient, drain, logger
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.clocks import MsClock

NOW = to_epoch_ms('2026-01-31T10:00:00Z')
MINUTE = 60 * 1000


def emitted_ids(events):
    return [event['vcf_task']['id'] for event in events]


def test_a_task_dated_in_the_future_does_not_hide_the_tasks_that_complete_after_it():
    server = Server()
    clock = MsClock(NOW)
    log, handler = logger()
    watcher = VcfTaskWatch(TaskService(FakeClient('https://sddc.example.com/v1', server.answer)), clock=clock, log=log)
    assert drain(watcher) == []  # first start: the baseline
    clock.ms += MINUTE
    # A node whose clock ran a day ahead wrote this completion.
    server.add('skewed', 'Failed', created=NOW, completed=NOW + 24 * 60 * MINUTE)
    assert emitted_ids(drain(watcher)) == ['skewed']
    # The clock is right again: the next failures carry true dates, before the skewed one.
    for number in range(3):
        clock.ms += MINUTE
        server.add('later%d' % number, 'Failed', created=clock.ms - 30000, completed=clock.ms - 10000)
        assert emitted_ids(drain(watcher)) == ['later%d' % number]
    # Neither the skewed task nor the later ones come twice.
    clock.ms += MINUTE
    assert drain(watcher) == []
    assert watcher.cursor <= clock.ms
    # Said once, with the task and what it means.
    said = [line for line in handler.lines if 'skewed' in line]
    assert len(said) == 1, handler.lines
    assert iso(NOW + 24 * 60 * MINUTE) in said[0] and 'clock' in said[0]


def test_a_server_whose_clock_is_ahead_loses_nothing_and_is_said_once():
    server = Server()
    clock = MsClock(NOW)
    log, handler = logger()
    watcher = VcfTaskWatch(TaskService(FakeClient('https://sddc.example.com/v1', server.answer)), clock=clock, log=log)
    assert drain(watcher) == []
    for number in range(4):
        clock.ms += MINUTE
        # Every task dated two hours ahead of this host.
        server.add('ahead%d' % number, 'Failed', created=clock.ms + 120 * MINUTE - 30000, completed=clock.ms + 120 * MINUTE)
        assert emitted_ids(drain(watcher)) == ['ahead%d' % number]
    assert drain(watcher) == []
    assert len([line for line in handler.lines if 'clock' in line]) == 1, handler.lines
