# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``vcf_tasks`` after a long stop: more tasks completed since the cursor than one poll reads (``PAGES_PER_POLL``
pages). Through the real ``TaskService`` over a fake client answering ``/v1/tasks`` pages: every failure is emitted
once, a poll sends a bounded number of requests, the cursor never passes a task not read, one line per cut poll. The
server sorts by ``orderBy``/``orderDirection`` as asked, or ignores them (newest created first), or ignores paging.
Also: a task the event code cannot build an event from is skipped with one line, the others still emitted."""

from __future__ import annotations

import json

from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import iso_from_ms, to_epoch_ms
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import TaskService
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import TaskStatus
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.watch import PAGES_PER_POLL, VcfTaskWatch

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.clocks import MsClock
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_watch_variants import FakeClient, drain, logger

START = to_epoch_ms('2026-01-31T09:30:00Z')


def iso(ms):
    return iso_from_ms(ms).replace('+00:00', 'Z')


class Server:
    """``/v1/tasks`` with ``completedAfter`` or ``taskStatus`` (any spelling) and paging (``pageNumber`` from 0,
    ``pageSize``); ``sorts``: honours ``orderBy``/``orderDirection`` (else newest created first, the default);
    ``paging``: honours the page parameters (else every match in one page)."""

    def __init__(self, sorts=True, paging=True):
        self.tasks = []  # in creation order
        self.sorts = sorts
        self.paging = paging

    def add(self, task_id, status, created, completed):
        self.tasks.append({'id': task_id, 'name': 'task %s' % task_id, 'status': status, 'creationTimestamp': iso(created),
                           'completionTimestamp': iso(completed)})

    def answer(self, path, params):
        assert path == '/tasks'
        if 'taskStatus' in params:
            found = [t for t in reversed(self.tasks) if TaskStatus.normalise(t['status']) == TaskStatus.normalise(params['taskStatus'])]
        else:
            after = int(params['completedAfter'])
            found = [t for t in reversed(self.tasks) if to_epoch_ms(t['completionTimestamp']) > after
                     and TaskStatus.normalise(t['status']) in ('FAILED', 'SUCCESSFUL')]
        if self.sorts and params.get('orderBy'):
            found.sort(key=lambda t: str(t[params['orderBy']]), reverse=params.get('orderDirection') != 'ASC')
        size, number = int(params.get('pageSize', 100)), int(params.get('pageNumber', 0))
        if not self.paging:
            size, number = max(1, len(found)), 0
        return {'elements': found[number * size:(number + 1) * size],
                'pageMetadata': {'pageNumber': number, 'pageSize': size, 'totalElements': len(found),
                                 'totalPages': -(-len(found) // size)}}


def backlog(server, count, failed_every):
    """``count`` tasks created and completed one second apart after START, every ``failed_every``-th failed; the
    ones that complete first are created last (completion and creation orders differ, as for long tasks)."""
    failed = []
    for number in range(count):
        task_id = 'b%05d' % number
        status = 'Failed' if number % failed_every == 0 else 'Successful'
        server.add(task_id, status, created=START + 60000 + (count - number) * 10, completed=START + 60000 + number * 1000)
        if status == 'Failed':
            failed.append(task_id)
    return failed


def watch(server, clock, log):
    client = FakeClient('https://sddc.example.com/v1', server.answer)
    return VcfTaskWatch(TaskService(client), clock=clock, log=log), client


def catch_up(server, count=2500, polls=8):
    """A source started on an empty server, stopped, then ``count`` tasks completed, then restarted: the events of
    each poll, the requests of each, the cursor after each, and the log lines."""
    clock = MsClock(START)
    log, handler = logger()
    lines = handler.lines
    watcher, client = watch(server, clock, log)
    assert drain(watcher) == []
    failed = backlog(server, count, 7)
    clock.ms = START + 60000 + count * 1000 + 60000
    saved = json.loads(json.dumps(watcher.dump()))
    events, requests, cursors = [], [], []
    for ignored in range(polls):
        watcher, client = watch(server, clock, log)  # a restart before each poll: the state carries the catch-up
        watcher.load(saved)
        events.append([e['vcf_task']['id'] for e in drain(watcher)])
        requests.append(client.gets)
        cursors.append(watcher.cursor)
        saved = json.loads(json.dumps(watcher.dump()))
        clock.ms += 30000
    return failed, events, requests, cursors, lines


def completed_after(requests):
    """The ``completedAfter`` requests of one poll (not those of a sweep by ``taskStatus``)."""
    return [(path, params) for path, params in requests if 'completedAfter' in params]


def read_ids(requests, server):
    """The ids of the tasks the requests of one poll were answered with."""
    return set(t['id'] for path, params in requests for t in server.answer(path, params)['elements'])


def check_catch_up(server, failed, events, requests, cursors):
    emitted = [task_id for poll in events for task_id in poll]
    assert sorted(emitted) == failed
    assert len(emitted) == len(set(emitted))
    # The completedAfter listing reads at most PAGES_PER_POLL pages; a sweep adds one page per spelling of FAILED.
    assert max(len(completed_after(r)) for r in requests) <= PAGES_PER_POLL
    assert max(len(r) for r in requests) <= PAGES_PER_POLL + 2
    # The cursor never passes a task not read: every task completed at or before it was in an answer by then.
    read = set()
    for poll_requests, cursor in zip(requests, cursors):
        read |= read_ids(poll_requests, server)
        passed = [t['id'] for t in server.tasks if to_epoch_ms(t['completionTimestamp']) <= cursor]
        assert set(passed) <= read


def test_a_backlog_larger_than_a_poll_is_read_oldest_first_over_several_polls_and_every_failure_emitted_once():
    server = Server()
    failed, events, requests, cursors, lines = catch_up(server)
    check_catch_up(server, failed, events, requests, cursors)
    # The oldest failure (completed first) is emitted at the first poll after the restart.
    assert 'b00000' in events[0]
    assert all(params['orderBy'] == 'completionTimestamp' and params['orderDirection'] == 'ASC'
               for poll in requests for path, params in completed_after(poll))
    cut = [line for line in lines if 'the next poll reads on' in line]
    assert len(cut) == 2 and 'cursor never passes a task not read' in cut[0]
    # Caught up: the polls that follow read what the overlap holds, and are not cut.
    assert len(requests[-1]) < PAGES_PER_POLL and events[-1] == []


def test_a_server_that_ignores_the_sort_is_read_on_by_page_and_the_cursor_waits_until_every_page_was_read():
    server = Server(sorts=False)
    failed, events, requests, cursors, lines = catch_up(server)
    check_catch_up(server, failed, events, requests, cursors)
    cut = [line for line in lines if 'did not list them oldest first' in line]
    assert 'reads on from page 10' in cut[0] and 'reads on from page 19' in cut[1]
    # The polls that read on start a page before where the last one stopped; the cursor moved only at the end.
    assert requests[1][0][1].get('pageNumber') == 9
    assert len(cut) == 2 and cursors[0] == cursors[1] < cursors[2]
    assert len(requests[-1]) < PAGES_PER_POLL and events[-1] == []


def test_a_server_that_ignores_paging_answers_the_backlog_at_once_and_it_is_all_read_in_one_request():
    server = Server(paging=False)
    failed, events, requests, cursors, lines = catch_up(server, polls=2)
    check_catch_up(server, failed, events, requests, cursors)
    assert sorted(events[0]) == failed and len(completed_after(requests[0])) == 1
    assert not [line for line in lines if 'reads on' in line]


def test_a_first_start_with_more_tasks_in_its_hour_than_a_poll_reads_emits_none_of_them_and_watches_from_then():
    server, clock = Server(), MsClock(START + 3600 * 1000)
    for number in range(1500):
        server.add('old%d' % number, 'Failed', created=START + number, completed=START + 60000 + number * 1000)
    log, handler = logger()
    lines = handler.lines
    watcher, client = watch(server, clock, log)
    assert drain(watcher) == []
    # PAGES_PER_POLL pages of completedAfter, and the baseline sweep: the newest 100 failed (one page per spelling).
    assert len(completed_after(client.gets)) == PAGES_PER_POLL
    assert [params['taskStatus'] for path, params in client.gets if 'taskStatus' in params] == ['Failed', 'FAILED']
    assert [line for line in lines if 'taken as already there' in line]
    server.add('new', 'Failed', created=clock.ms, completed=clock.ms + 1000)
    clock.ms += 30000
    assert [e['vcf_task']['id'] for e in drain(watcher)] == ['new']


def test_a_task_the_event_code_cannot_build_is_skipped_with_one_line_naming_it_and_the_others_are_emitted():
    # A number where the spec has a date-time (NaN, as Python's json reads it) makes the event's time conversion raise:
    # before, that failed every poll (no task of the server was emitted again); now that one task is left out, once.
    server, clock = Server(), MsClock(START)
    log, handler = logger()
    lines = handler.lines
    watcher, ignored = watch(server, clock, log)
    assert drain(watcher) == []
    server.add('odd', 'Failed', created=START, completed=START + 1000)
    server.tasks[-1]['creationTimestamp'] = float('nan')
    server.add('good', 'Failed', created=START, completed=START + 2000)
    clock.ms += 30000
    assert [e['vcf_task']['id'] for e in drain(watcher)] == ['good']
    assert len([line for line in lines if 'task odd is skipped' in line]) == 1
    clock.ms += 30000
    assert drain(watcher) == []
    assert len([line for line in lines if 'task odd is skipped' in line]) == 1
