# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``vcf_tasks`` against a server whose clock was wrong for a while: one task reads a completion far in the future (a
node whose clock ran ahead, since corrected). The cursor of ``completedAfter`` must not follow that date past this
host's clock, or every task completing later (with a true, earlier date) is never listed again and its event lost."""

from __future__ import annotations

from email.utils import formatdate

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


class DatedClient(FakeClient):
    """A client whose answers carry the server's HTTP Date header (``server_ms()``), as the shared client records it."""

    def __init__(self, base, answer, server_ms):
        super().__init__(base, answer)
        self.server_ms = server_ms
        self.server_date = None

    def get(self, path, params=None, **kwargs):
        body = super().get(path, params, **kwargs)
        self.server_date = formatdate(self.server_ms() / 1000.0, usegmt=True)
        return body


def test_a_server_clock_hours_behind_loses_no_failure_after_the_first_start():
    """SDDC Manager's clock 3 hours behind this host's: its tasks are dated on its clock. The first start's hour is
    placed on that clock (the Date header): a failure after the first start is emitted, one before it is not."""
    server = Server()
    clock = MsClock(NOW)
    behind = 3 * 60 * MINUTE
    log, handler = logger()
    client = DatedClient('https://sddc.example.com/v1', server.answer, lambda: clock.ms - behind)
    watcher = VcfTaskWatch(TaskService(client), clock=clock, log=log)
    server.add('before', 'Failed', created=NOW - behind - 20 * MINUTE, completed=NOW - behind - 10 * MINUTE)
    assert drain(watcher) == []  # first start: 'before' was already there
    for number in range(3):
        clock.ms += MINUTE
        server.add('after%d' % number, 'Failed', created=clock.ms - behind - 30000, completed=clock.ms - behind - 10000)
        assert emitted_ids(drain(watcher)) == ['after%d' % number]
    clock.ms += 10 * MINUTE
    assert drain(watcher) == []
    assert len([line for line in handler.lines if 'behind this host' in line]) == 1, handler.lines


def test_a_server_clock_in_step_reads_the_first_hour_once():
    server = Server()
    clock = MsClock(NOW)
    log, handler = logger()
    client = DatedClient('https://sddc.example.com/v1', server.answer, lambda: clock.ms - 60000)
    watcher = VcfTaskWatch(TaskService(client), clock=clock, log=log)
    assert drain(watcher) == []
    assert len([params for path, params in client.gets if 'completedAfter' in params]) == 1
    assert not any('behind' in line for line in handler.lines)
