# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the event sources' change detection (``_vcf/watch``, ``_vro/watch``, ``_ico/watch``), their dedup and
restart state, and the shared state file, outage log and poll loop (``_watch``)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils import _watch
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import BearerAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_vra import VraTenantAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, InputError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.watch import IcoTaskWatch
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import iso_from_ms
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import CompletedPages
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import Task, TaskStatus
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.watch import BASELINE_MS, OVERLAP_MS, SWEEP_MS, SWEEP_POLLS, VcfTaskWatch
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import Execution, Workflow
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.watch import KEPT_MAX, MAX_PAGES, PAGE, SKEW_MS, VroExecutionWatch
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.clocks import MsClock
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_watch_variants import logger

NOW = 1767261600000  # 2026-01-01T10:00:00Z


def drain(watcher, commit=True):
    """One poll: the events, each committed (as run_source does after putting it), then the rest observed."""
    pending, observed = watcher.poll()
    events = []
    for event, done in pending:
        events.append(event)
        if commit:
            done()
    if commit:
        observed()
    return events


# -- VCF ---------------------------------------------------------------------------------------------------


class FakeTasks:
    """/v1/tasks as TaskService shows it: completedAfter and taskStatus listings, with a request log."""

    def __init__(self, refuse_completed_after=False):
        self.tasks = {}
        self.calls = []
        self.refuse = refuse_completed_after

    def put(self, task_id, status, completed=None, **fields):
        raw = dict(id=task_id, name='task %s' % task_id, status=status, **fields)
        if completed is not None:
            raw['completionTimestamp'] = iso_from_ms(completed).replace('+00:00', 'Z')
        self.tasks[task_id] = raw
        return raw

    def completed_since(self, after_ms, max_items=1000, skip=None):
        self.calls.append(('completedAfter', after_ms))
        if self.refuse:
            raise ApiError('the server rejected the request as invalid', kind='http', status=400)
        found = [dict(raw) for raw in self.tasks.values() if raw.get('completionTimestamp')
                 and TaskStatus.normalise(raw['status']) in ('FAILED', 'SUCCESSFUL')
                 and _ms(raw['completionTimestamp']) > after_ms]
        return found[:max_items]

    def completed_pages(self, after_ms, max_pages, page=None, skip=None):
        """completed_since as one complete listing (the paging is tested with TaskService over a fake server)."""
        return CompletedPages(self.completed_since(after_ms, skip=skip), {'done': True, 'pages': 1})

    def list(self, params=None, max_results=None, skip=None):
        self.calls.append(('taskStatus', params.get('taskStatus')))
        wanted = TaskStatus.normalise(params.get('taskStatus'))
        return [Task(dict(raw)) for raw in self.tasks.values() if TaskStatus.normalise(raw['status']) == wanted][:max_results]


def _ms(iso):
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import to_epoch_ms  # pylint: disable=import-outside-toplevel
    return to_epoch_ms(iso)


def test_vcf_first_start_takes_what_is_failed_as_there_then_emits_each_new_failure_once():
    service, clock = FakeTasks(), MsClock(NOW)
    service.put('old', 'Failed', completed=NOW - 60000)
    watcher = VcfTaskWatch(service, clock=clock)
    assert drain(watcher) == []
    # The first poll: completedAfter over the baseline hour, and the baseline sweep by status (failed tasks without a
    # completion time, which completedAfter cannot list).
    assert service.calls == [('completedAfter', NOW - BASELINE_MS), ('taskStatus', 'FAILED')]
    service.put('new', 'FAILED', completed=NOW + 1000)
    service.put('fine', 'Successful', completed=NOW + 2000)
    clock.ms += 5000
    events = drain(watcher)
    assert [(e['vcf_task']['id'], e['status'], e['previous_status']) for e in events] == [('new', 'FAILED', None)]
    # The event carries the task as vcf_task_info returns it (info_entry): status normalised, the raw one kept.
    assert events[0]['vcf_task']['status_raw'] == 'FAILED' and 'subtask_summary' in events[0]['vcf_task']
    # The steady-state poll asks completedAfter from the newest completion seen, less the overlap: the task comes
    # back in the overlap, and is not emitted again.
    assert service.calls[-1] == ('completedAfter', NOW - 60000 - OVERLAP_MS)
    assert drain(watcher) == []
    assert service.calls[-1] == ('completedAfter', NOW + 2000 - OVERLAP_MS)


def test_vcf_first_start_with_nothing_recent_never_emits_what_failed_before_it_through_the_overlap():
    # Nothing completed in the last hour at the first start: the cursor is the window's start (now - 1 h), and the
    # next poll's overlap used to ask from now - 65 min, emitting a failure 62 minutes old as new.
    service, clock = FakeTasks(), MsClock(NOW)
    service.put('old', 'Failed', completed=NOW - BASELINE_MS - 2 * 60000)
    watcher = VcfTaskWatch(service, clock=clock)
    assert drain(watcher) == []
    clock.ms += 30000
    assert drain(watcher) == []
    # The overlap never reaches behind the first start's window, also after a restart.
    assert [c for c in service.calls if c[0] == 'completedAfter'] == [('completedAfter', NOW - BASELINE_MS)] * 2
    again = VcfTaskWatch(service, clock=clock)
    again.load(json.loads(json.dumps(watcher.dump())))
    service.put('new', 'Failed', completed=NOW + 40000)
    clock.ms += 30000
    assert [e['vcf_task']['id'] for e in drain(again)] == ['new']
    assert service.calls[-1] == ('completedAfter', NOW - BASELINE_MS)
    assert [e['vcf_task']['id'] for e in drain(again)] == []
    assert service.calls[-1] == ('completedAfter', NOW + 40000 - OVERLAP_MS)


def test_vcf_what_failed_before_the_first_start_is_not_emitted_when_a_listing_by_status_shows_it_again():
    # Listed by status (completedAfter refused): a failure from before the first start that a page left out at one
    # poll and lists again later (the page is the newest 100, and newer failures get deleted) is not new.
    service, clock = FakeTasks(refuse_completed_after=True), MsClock(NOW)
    service.put('older', 'Failed', completed=NOW - 3 * BASELINE_MS)
    service.put('recent', 'Failed', completed=NOW - 60000)
    watcher = VcfTaskWatch(service, clock=clock)
    assert drain(watcher) == []
    hidden = {'older': service.tasks.pop('older'), 'recent': service.tasks.pop('recent')}
    for step in range(3):  # well past the overlap: the changes no later poll should return are pruned
        clock.ms += 10 * 60000
        service.put('n%d' % step, 'Failed', completed=clock.ms)
        assert [e['vcf_task']['id'] for e in drain(watcher)] == ['n%d' % step]
    service.tasks.update(hidden)
    clock.ms += 60000
    assert drain(watcher) == []


def test_vcf_emit_existing_has_no_floor():
    service, clock = FakeTasks(), MsClock(NOW)
    service.put('old', 'Failed', completed=NOW - BASELINE_MS - 2 * 60000)
    watcher = VcfTaskWatch(service, emit_existing=True, clock=clock)
    assert [e['vcf_task']['id'] for e in drain(watcher)] == ['old']
    assert watcher.dump()['floor'] is None
    assert drain(watcher) == []


def test_vcf_a_task_that_fails_again_after_a_retry_is_a_new_change_with_its_previous_status():
    service, clock = FakeTasks(), MsClock(NOW)
    watcher = VcfTaskWatch(service, clock=clock)
    drain(watcher)
    service.put('t1', 'Failed', completed=NOW + 1000)
    assert len(drain(watcher)) == 1
    service.put('t1', 'Failed', completed=NOW + 9000)  # retried, failed again: a new completion
    events = drain(watcher)
    assert [(e['vcf_task']['id'], e['previous_status']) for e in events] == [('t1', 'FAILED')]


def test_vcf_restart_emits_nothing_twice_and_what_failed_while_down_once():
    service, clock = FakeTasks(), MsClock(NOW)
    first = VcfTaskWatch(service, clock=clock)
    drain(first)
    service.put('a', 'Failed', completed=NOW + 1000)
    assert len(drain(first)) == 1
    saved = json.loads(json.dumps(first.dump()))  # through JSON, as the state file keeps it
    service.put('b', 'Failed', completed=NOW + 2000)  # while the source is stopped
    second = VcfTaskWatch(service, clock=clock)
    second.load(saved)
    assert [e['vcf_task']['id'] for e in drain(second)] == ['b']
    assert drain(second) == []


def test_vcf_an_event_put_but_not_committed_is_emitted_again_after_a_restart():
    service, clock = FakeTasks(), MsClock(NOW)
    watcher = VcfTaskWatch(service, clock=clock)
    drain(watcher)
    saved = watcher.dump()
    service.put('a', 'Failed', completed=NOW + 1000)
    service.put('b', 'Failed', completed=NOW + 2000)
    pending, ignored = watcher.poll()
    pending[0][1]()  # a was put and recorded; the source stopped before b
    again = VcfTaskWatch(service, clock=clock)
    again.load(json.loads(json.dumps(dict(watcher.dump(), **{'cursor': saved['cursor']}))))
    assert [e['vcf_task']['id'] for e in drain(again)] == ['b']


def test_vcf_emit_existing_emits_what_is_failed_at_the_first_start_once():
    service, clock = FakeTasks(), MsClock(NOW)
    service.put('old', 'Failed', completed=NOW - 3 * BASELINE_MS)
    service.put('recent', 'FAILED', completed=NOW - 1000)
    service.put('ok', 'Successful', completed=NOW - 1000)
    watcher = VcfTaskWatch(service, emit_existing=True, clock=clock)
    assert sorted(e['vcf_task']['id'] for e in drain(watcher)) == ['old', 'recent']
    assert drain(watcher) == []


def test_vcf_statuses_any_spelling_and_a_typo_is_refused_before_anything_is_sent():
    service = FakeTasks()
    assert VcfTaskWatch(service, statuses=['Failed', 'timed out']).statuses == frozenset(('FAILED', 'TIMED_OUT'))
    with pytest.raises(InputError, match='FAILD'):
        VcfTaskWatch(service, statuses=['FAILD'])
    assert service.calls == []


def test_vcf_a_status_completedafter_does_not_cover_is_listed_by_status():
    service, clock = FakeTasks(), MsClock(NOW)
    watcher = VcfTaskWatch(service, statuses=['FAILED', 'TIMED_OUT'], clock=clock)
    drain(watcher)
    service.put('slow', 'TIMED_OUT', completed=NOW + 1000)
    assert [e['status'] for e in drain(watcher)] == ['TIMED_OUT']
    assert ('taskStatus', 'TIMED_OUT') in service.calls


def test_vcf_a_server_refusing_completedafter_is_listed_by_status_and_still_deduplicated():
    service, clock = FakeTasks(refuse_completed_after=True), MsClock(NOW)
    service.put('old', 'Failed', completed=NOW - 1000)
    watcher = VcfTaskWatch(service, clock=clock)
    assert drain(watcher) == []
    assert watcher.dump()['completed_after_refused'] is True
    service.put('new', 'Failed', completed=NOW + 1000)
    assert [e['vcf_task']['id'] for e in drain(watcher)] == ['new']
    assert drain(watcher) == []
    # Refused once: not asked again.
    assert [c for c in service.calls if c[0] == 'completedAfter'] == [('completedAfter', NOW - BASELINE_MS)]


def status_calls(service):
    return [call for call in service.calls if call[0] == 'taskStatus']


def test_vcf_a_failure_without_completion_time_is_emitted_once_at_the_next_sweep():
    """The 4.4 reference's list sample has a Failed task without completionTimestamp, and completedAfter only lists
    tasks completed after a time (9.0 spec): such a task is seen by the sweep (taskStatus), every SWEEP_POLLS polls."""
    service, clock = FakeTasks(), MsClock(NOW)
    service.put('before', 'Failed')  # failed, no completion time, already there at the first start
    watcher = VcfTaskWatch(service, clock=clock)
    assert drain(watcher) == []
    assert status_calls(service) == [('taskStatus', 'FAILED')]  # the baseline sweep
    service.put('e-3', 'Failed')
    events = []
    for ignored in range(SWEEP_POLLS):
        clock.ms += 1000
        events.extend(drain(watcher))
    assert [(e['vcf_task']['id'], e['status'], e['previous_status']) for e in events] == [('e-3', 'FAILED', None)]
    assert events[0]['vcf_task']['completion_timestamp'] is None
    # Cheap: one sweep in those SWEEP_POLLS polls (the SWEEP_POLLS-th), each other poll one completedAfter.
    assert len(status_calls(service)) == 2
    # Neither failure comes again: not at the next sweeps, not after a restart.
    for ignored in range(2 * SWEEP_POLLS):
        clock.ms += 1000
        assert drain(watcher) == []
    again = VcfTaskWatch(service, clock=clock)
    again.load(json.loads(json.dumps(watcher.dump())))
    clock.ms += SWEEP_MS
    assert drain(again) == []
    assert len(status_calls(service)) == 5


def test_vcf_the_sweep_also_runs_once_its_time_has_passed_and_ignores_tasks_completedafter_lists():
    service, clock = FakeTasks(), MsClock(NOW)
    watcher = VcfTaskWatch(service, clock=clock)
    drain(watcher)
    service.put('dated', 'Failed', completed=NOW + 1000)
    clock.ms += 30000
    assert [e['vcf_task']['id'] for e in drain(watcher)] == ['dated']
    # Long past the overlap: 'dated' is forgotten by the completedAfter bookkeeping; the sweep lists it again (it is
    # still Failed) but it has a completion time, so it is completedAfter's, not a new change.
    service.put('undated', 'FAILED')
    clock.ms += 4 * OVERLAP_MS
    assert [e['vcf_task']['id'] for e in drain(watcher)] == ['undated']
    assert len(status_calls(service)) == 2


def test_vcf_a_failure_without_completion_time_retried_and_failing_again_is_a_new_event():
    service, clock = FakeTasks(), MsClock(NOW)
    watcher = VcfTaskWatch(service, clock=clock)
    drain(watcher)
    service.put('t1', 'Failed')
    clock.ms += SWEEP_MS
    assert [e['vcf_task']['id'] for e in drain(watcher)] == ['t1']
    service.put('t1', 'In Progress')  # retried: a sweep sees it gone from the failed tasks
    clock.ms += SWEEP_MS
    assert drain(watcher) == []
    service.put('t1', 'Failed')
    clock.ms += SWEEP_MS
    assert [(e['vcf_task']['id'], e['previous_status']) for e in drain(watcher)] == [('t1', 'FAILED')]


def test_vcf_a_state_saved_without_sweeps_takes_what_its_first_sweep_shows_as_there():
    """Upgrading from a release without sweeps: the failures without completion time it never looked at are not new."""
    service, clock = FakeTasks(), MsClock(NOW)
    watcher = VcfTaskWatch(service, clock=clock)
    drain(watcher)
    old = dict(watcher.dump())
    for key in ('swept', 'sweep_refused'):
        del old[key]
    service.put('old', 'Failed')
    again = VcfTaskWatch(service, clock=clock)
    again.load(json.loads(json.dumps(old)))
    clock.ms += 1000
    assert drain(again) == []
    service.put('new', 'Failed')
    clock.ms += SWEEP_MS
    assert [e['vcf_task']['id'] for e in drain(again)] == ['new']


def test_vcf_a_server_refusing_the_sweep_is_said_once_and_not_swept_again():
    class NoStatus(FakeTasks):
        def list(self, params=None, max_results=None, skip=None):
            self.calls.append(('taskStatus', params.get('taskStatus')))
            raise ApiError('the server rejected the request as invalid', kind='http', status=400)
    service, clock = NoStatus(), MsClock(NOW)
    log, handler = logger()
    watcher = VcfTaskWatch(service, clock=clock, log=log)
    assert drain(watcher) == []
    service.put('new', 'Failed', completed=NOW + 1000)
    clock.ms += SWEEP_MS
    assert [e['vcf_task']['id'] for e in drain(watcher)] == ['new']
    assert len(status_calls(service)) == 1 and watcher.dump()['sweep_refused'] is True
    assert len([line for line in handler.lines if 'refused the listing by taskStatus' in line]) == 1


def test_vcf_other_errors_are_raised_for_the_outage_log():
    class Down(FakeTasks):
        def completed_since(self, after_ms, max_items=1000, skip=None):
            raise ApiError('connection failed: refused', kind='connection')
    watcher = VcfTaskWatch(Down(), clock=MsClock(NOW))
    with pytest.raises(ApiError):
        watcher.poll()
    assert watcher.dump()['started'] is False


# -- vRO ---------------------------------------------------------------------------------------------------


class FakeVro:
    def __init__(self):
        self.runs = {}
        self.lookups = []
        self.pages = []  # (workflow_id, state, start_index) of each listing

    def add(self, wid, rid, state, start, end=None):
        self.runs[(wid, rid)] = {'id': rid, 'state': state, 'start-date': iso_from_ms(start), 'name': 'wf %s' % wid,
                                 'content-exception': 'boom' if state == 'failed' else None}
        if end is not None:
            self.runs[(wid, rid)]['end-date'] = iso_from_ms(end)

    def list_executions(self, workflow_id, states=None, max_results=None, start_index=0):
        self.pages.append((workflow_id, tuple(states), start_index))
        found = [Execution(dict(raw), workflow_id, summary=True) for (wid, rid), raw in self.runs.items()
                 if wid == workflow_id and raw['state'] in states]
        found.sort(key=lambda r: r.started_at(), reverse=True)
        return found[start_index:start_index + max_results]

    def execution(self, workflow_id, execution_id):
        return Execution(dict(self.runs[(workflow_id, execution_id)]), workflow_id)

    def lookup_workflow(self, name, category=None):
        self.lookups.append(name)
        return Workflow('wf-' + name, name)


def test_vro_first_start_baseline_then_each_failed_run_once_with_its_error():
    api = FakeVro()
    api.add('w1', 'r0', 'failed', NOW)
    watcher = VroExecutionWatch(api, workflow_ids=['w1'])
    assert drain(watcher) == []
    api.add('w1', 'r1', 'failed', NOW + 1000)
    api.add('w1', 'r2', 'completed', NOW + 2000)
    events = drain(watcher)
    assert [(e['vro_execution']['execution_id'], e['state'], e['error']) for e in events] == [('r1', 'failed', 'boom')]
    assert events[0]['vro_execution']['workflow_id'] == 'w1'
    assert drain(watcher) == []


def test_vro_a_run_failed_before_the_first_start_beyond_the_first_page_is_never_emitted():
    # 101 failed runs at the first start: the page holds the newest 100. Newer runs deleted later bring the oldest
    # into the page: it was failed before the source started, so it is not new.
    api, clock = FakeVro(), MsClock(NOW)
    for number in range(PAGE + 1):
        api.add('w1', 'r%03d' % number, 'failed', NOW - 3600000 + number * 1000, end=NOW - 3000000 + number * 1000)
    watcher = VroExecutionWatch(api, workflow_ids=['w1'], clock=clock)
    assert drain(watcher) == []
    # The floor: the newest end the server wrote in that listing, when it is before NOW - SKEW_MS (part 20: a server
    # clock behind this host's must not date the runs failing after the start before the floor).
    assert watcher.dump()['floors'] == {'w1|failed': min(NOW - SKEW_MS, NOW - 3000000 + PAGE * 1000)}
    again = VroExecutionWatch(api, workflow_ids=['w1'], clock=clock)
    again.load(json.loads(json.dumps(watcher.dump())))
    del api.runs[('w1', 'r100')]
    clock.ms += 60000
    api.add('w1', 'new', 'failed', NOW + 10000, end=NOW + 20000)
    del api.runs[('w1', 'r099')]
    assert [e['vro_execution']['execution_id'] for e in drain(again)] == ['new']
    assert drain(again) == []


def test_vro_restart_and_waiting_again_and_names_looked_up_once_per_start():
    api = FakeVro()
    watcher = VroExecutionWatch(api, workflow_names=['Deploy'], states=['failed', 'WAITING'])
    drain(watcher)
    api.add('wf-Deploy', 'r1', 'waiting', NOW)
    assert [(e['state'], e['workflow_name']) for e in drain(watcher)] == [('waiting', 'Deploy')]
    saved = json.loads(json.dumps(watcher.dump()))
    again = VroExecutionWatch(api, workflow_names=['Deploy'], states=['failed', 'waiting'])
    again.load(saved)
    assert drain(again) == []
    api.runs[('wf-Deploy', 'r1')]['state'] = 'running'  # answered
    assert drain(again) == []
    api.runs[('wf-Deploy', 'r1')]['state'] = 'waiting'  # a second interaction: a new change
    assert [e['state'] for e in drain(again)] == ['waiting']
    api.runs[('wf-Deploy', 'r1')]['state'] = 'failed'
    assert [e['state'] for e in drain(again)] == ['failed']
    assert api.lookups == ['Deploy', 'Deploy']


def test_vro_emit_existing_and_a_workflow_added_later_starts_with_its_own_baseline():
    api = FakeVro()
    api.add('w1', 'r1', 'failed', NOW)
    api.add('w2', 'r2', 'failed', NOW)
    watcher = VroExecutionWatch(api, workflow_ids=['w1'], emit_existing=True)
    assert [e['vro_execution']['execution_id'] for e in drain(watcher)] == ['r1']
    wider = VroExecutionWatch(api, workflow_ids=['w1', 'w2'])
    wider.load(watcher.dump())
    assert drain(wider) == []  # w2 is new to the state: its failed run was there before it was watched


class Warnings:
    def __init__(self):
        self.lines = []

    def warning(self, msg, *args):
        self.lines.append(msg % args)


def storm(api, wid, count, first, state='failed', prefix='s'):
    """``count`` runs of ``wid`` that reached ``state``, started (and ended) a second apart from ``first`` ms on."""
    ids = ['%s%04d' % (prefix, number) for number in range(count)]
    for number, rid in enumerate(ids):
        api.add(wid, rid, state, first + number * 1000, end=first + number * 1000 + 500 if state == 'failed' else None)
    return ids


def test_vro_a_storm_of_250_failed_runs_between_two_polls_is_emitted_oldest_first_each_once_also_after_a_restart():
    api, clock, log = FakeVro(), MsClock(NOW), Warnings()
    storm(api, 'w1', 30, NOW - 600000, prefix='old')
    watcher = VroExecutionWatch(api, workflow_ids=['w1'], clock=clock, log=log)
    assert drain(watcher) == []  # baseline: one page
    assert api.pages == [('w1', ('failed',), 0)]
    clock.ms += 600000
    ids = storm(api, 'w1', 250, NOW + 1000)
    del api.pages[:]
    events = drain(watcher)
    assert [e['vro_execution']['execution_id'] for e in events] == ids
    # Three pages: the third holds the last 50 new runs and 50 of the last listing.
    assert api.pages == [('w1', ('failed',), 0), ('w1', ('failed',), PAGE), ('w1', ('failed',), 2 * PAGE)]
    assert log.lines == []
    del api.pages[:]
    assert drain(watcher) == []
    assert api.pages == [('w1', ('failed',), 0)]  # the steady state: one page
    again = VroExecutionWatch(api, workflow_ids=['w1'], clock=clock, log=log)
    again.load(json.loads(json.dumps(watcher.dump())))
    assert drain(again) == []
    # Every run still failed is remembered (those beyond the first page too: they come back into it when newer runs
    # are deleted), within the bound.
    assert len(again.dump()['seen']['w1|failed']) == 280 <= KEPT_MAX


def test_vro_a_stop_in_the_middle_of_a_storm_emits_the_rest_after_the_restart_each_once():
    api, clock = FakeVro(), MsClock(NOW)
    storm(api, 'w1', 120, NOW - 600000, prefix='old')
    watcher = VroExecutionWatch(api, workflow_ids=['w1'], clock=clock)
    drain(watcher)
    clock.ms += 600000
    ids = storm(api, 'w1', 250, NOW + 1000)
    pending, observed = watcher.poll()
    for event, commit in pending[:130]:  # run_source saves the state after each commit: stopped after 130
        commit()
    saved = json.loads(json.dumps(watcher.dump()))
    again = VroExecutionWatch(api, workflow_ids=['w1'], clock=clock)
    again.load(saved)
    assert [e['vro_execution']['execution_id'] for e in drain(again)] == ids[130:]
    assert drain(again) == []


def test_vro_runs_read_on_a_deeper_page_stay_known_when_the_newer_ones_leave_waiting():
    # 250 runs reach waiting: the third page holds the last 50 of them and the 50 runs waiting since before. All 250
    # answered: the 50 are on the first page now, and are not new (remembering only the first page and what was
    # emitted would emit them again).
    api, clock = FakeVro(), MsClock(NOW)
    older = storm(api, 'w1', 50, NOW - 600000, state='waiting', prefix='old')
    watcher = VroExecutionWatch(api, workflow_ids=['w1'], states=['waiting'], clock=clock)
    drain(watcher)
    ids = storm(api, 'w1', 250, NOW + 1000, state='waiting')
    assert [e['vro_execution']['execution_id'] for e in drain(watcher)] == ids
    for rid in ids:
        api.runs[('w1', rid)]['state'] = 'running'
    again = VroExecutionWatch(api, workflow_ids=['w1'], states=['waiting'], clock=clock)
    again.load(json.loads(json.dumps(watcher.dump())))
    assert drain(again) == []
    assert sorted(again.dump()['seen']['w1|waiting']) == older


def test_vro_more_new_runs_than_the_bound_emits_the_newest_with_one_warning_and_goes_on():
    api, clock, log = FakeVro(), MsClock(NOW), Warnings()
    watcher = VroExecutionWatch(api, workflow_ids=['w1'], clock=clock, log=log)
    drain(watcher)
    ids = storm(api, 'w1', PAGE * MAX_PAGES + 20, NOW + 1000)
    events = drain(watcher)
    assert [e['vro_execution']['execution_id'] for e in events] == ids[20:]
    assert len(api.pages) == 1 + MAX_PAGES
    assert len(log.lines) == 1
    assert 'w1' in log.lines[0] and 'failed' in log.lines[0] and 'missed' in log.lines[0] and 'interval' in log.lines[0]
    assert '\n' not in log.lines[0]
    assert drain(watcher) == []
    assert len(log.lines) == 1


def test_vro_first_start_reads_one_page_and_emits_nothing_unless_emit_existing():
    api, clock = FakeVro(), MsClock(NOW)
    ids = storm(api, 'w1', 250, NOW - 600000)
    watcher = VroExecutionWatch(api, workflow_ids=['w1'], clock=clock)
    assert drain(watcher) == []
    assert api.pages == [('w1', ('failed',), 0)]
    del api.pages[:]
    existing = VroExecutionWatch(api, workflow_ids=['w1'], clock=clock, emit_existing=True)
    assert [e['vro_execution']['execution_id'] for e in drain(existing)] == ids[-PAGE:]
    assert api.pages == [('w1', ('failed',), 0)]
    assert drain(existing) == []


def test_vro_paging_stops_at_a_run_that_ended_before_the_floor():
    # 150 runs failed before the first start (its page held the newest 100), those 100 deleted, then 100 new: the
    # second page holds runs from before the floor: not emitted, and no third page.
    api, clock = FakeVro(), MsClock(NOW)
    older = storm(api, 'w1', 250, NOW - 3600000, prefix='old')
    watcher = VroExecutionWatch(api, workflow_ids=['w1'], clock=clock)
    drain(watcher)
    for rid in older[-PAGE:]:
        del api.runs[('w1', rid)]
    clock.ms += 600000
    ids = storm(api, 'w1', PAGE, NOW + 1000)
    del api.pages[:]
    assert [e['vro_execution']['execution_id'] for e in drain(watcher)] == ids
    assert [page[2] for page in api.pages] == [0, PAGE]


def test_vro_arguments_are_checked():
    with pytest.raises(ValueError, match='workflow_ids or workflow_names'):
        VroExecutionWatch(FakeVro())
    with pytest.raises(ValueError, match='broken'):
        VroExecutionWatch(FakeVro(), workflow_ids=['w'], states=['broken'])


# -- ICO ---------------------------------------------------------------------------------------------------


class FakeEngine:
    def __init__(self, tasks):
        self.tasks = tasks

    def list(self, skip=None):
        return [dict(t) for t in self.tasks]


def test_ico_each_status_change_once_with_previous_status_and_across_a_restart():
    tasks = [{'id': '1', 'status': 'RUNNING', 'project': 'finance', 'updated': NOW},
             {'id': '2', 'status': 'FAILED', 'project': 'admin', 'updated': NOW}]
    watcher = IcoTaskWatch([FakeEngine(tasks)], projects=['finance'])
    assert drain(watcher) == []
    tasks[0]['status'] = 'COMPLETED'
    tasks[1]['status'] = 'RUNNING'  # another project: not watched
    tasks.append({'id': '3', 'status': 'QUEUED', 'project': 'finance', 'updated': NOW})
    events = drain(watcher)
    assert [(e['ico_task']['id'], e['status'], e['previous_status']) for e in events] == [
        ('1', 'COMPLETED', 'RUNNING'), ('3', 'QUEUED', None)]
    assert events[0]['ico_task']['updated_iso']  # as orch_task_info returns it (with_iso_times)
    saved = json.loads(json.dumps(watcher.dump()))
    tasks[2]['status'] = 'FAILED'  # while stopped
    again = IcoTaskWatch([FakeEngine(tasks)], projects=['finance'])
    again.load(saved)
    assert [(e['ico_task']['id'], e['previous_status']) for e in drain(again)] == [('3', 'QUEUED')]
    assert drain(again) == []


def test_ico_a_project_watched_later_starts_with_its_own_baseline():
    tasks = [{'id': '1', 'status': 'FAILED', 'project': 'finance'}, {'id': '2', 'status': 'FAILED', 'project': 'admin'}]
    watcher = IcoTaskWatch([FakeEngine(tasks)], projects=['finance'])
    assert drain(watcher) == []
    # The same state_file, one more project: its task was failed before it was watched.
    wider = IcoTaskWatch([FakeEngine(tasks)], projects=['finance', 'admin'])
    wider.load(json.loads(json.dumps(watcher.dump())))
    assert drain(wider) == []
    tasks[1]['status'] = 'RUNNING'
    tasks.append({'id': '3', 'status': 'FAILED', 'project': 'admin'})
    assert [(e['ico_task']['id'], e['previous_status']) for e in drain(wider)] == [('2', 'FAILED'), ('3', None)]
    # Every project (no filter) after a filter: the same.
    tasks.append({'id': '4', 'status': 'FAILED', 'project': 'hr'})
    every = IcoTaskWatch([FakeEngine(tasks)])
    every.load(json.loads(json.dumps(wider.dump())))
    assert drain(every) == []
    assert every.dump()['projects'] == ['*']


def test_ico_statuses_filter_and_emit_existing():
    tasks = [{'id': '1', 'status': 'failed'}, {'id': '2', 'status': 'COMPLETED'}]
    watcher = IcoTaskWatch([FakeEngine(tasks)], statuses=['FAILED'], emit_existing=True)
    assert [e['ico_task']['id'] for e in drain(watcher)] == ['1']
    tasks[1]['status'] = 'RUNNING'
    assert drain(watcher) == []
    tasks[1]['status'] = 'FAILED'
    assert [(e['ico_task']['id'], e['previous_status']) for e in drain(watcher)] == [('2', 'RUNNING')]


# -- shared: state file, outages, the loop -------------------------------------------------------------


def test_state_file_is_written_atomically_for_its_owner_only(tmp_path):
    store = _watch.StateFile(str(tmp_path / 'sub' / 'state.json'))
    assert store.load() is None
    store.save({'seen': {'a': 1}})
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert store.load() == {'seen': {'a': 1}, 'version': _watch.STATE_VERSION}
    assert os.listdir(str(tmp_path / 'sub')) == ['state.json']  # no temporary file left
    with open(store.path, 'w') as out:
        out.write('{broken')
    with pytest.raises(_watch.SourceError, match='cannot be read'):
        store.load()


def test_default_state_path_is_under_the_cache_dir_and_depends_on_what_is_watched(tmp_path):
    env = {'XDG_CACHE_HOME': str(tmp_path)}
    one = _watch.default_state_path('vcf_tasks', {'url': 'https://a'}, env)
    assert one.startswith(str(tmp_path / 'cloudops.orchestrator' / 'eda' / 'vcf_tasks-'))
    assert one != _watch.default_state_path('vcf_tasks', {'url': 'https://b'}, env)
    assert one == _watch.default_state_path('vcf_tasks', {'url': 'https://a'}, env)


def test_connection_arguments_fall_back_to_the_modules_environment_variables():
    env = {'VCF_URL': 'https://sddc.example.com', 'VCF_USERNAME': 'admin', 'VCF_PASSWORD': 'secret-pw',
           'VCF_VALIDATE_CERTS': 'false'}
    options = _watch.connection('vcf', {'username': 'other'}, env)
    assert options['url'] == 'https://sddc.example.com' and options['username'] == 'other'
    assert options['validate_certs'] is False and options['timeout'] == _watch.DEFAULT_TIMEOUT
    with pytest.raises(_watch.SourceError, match='VRO_URL'):
        _watch.connection('vro', {}, {})
    with pytest.raises(_watch.SourceError, match='credentials'):
        _watch.build_auth('vcf', {'url': 'https://x'})
    assert _watch.build_auth('ico', {'username': 'u', 'password': 'p', 'project': 'finance'}).project == 'finance'


def test_auth_tenant_selects_the_vra_tenant_login_as_the_modules_do():
    env = {'VRO_URL': 'https://vra.example.com', 'VRO_TOKEN': 'api-token-1', 'VRO_AUTH_TENANT': 'acme'}
    auth = _watch.build_auth('vro', _watch.connection('vro', {}, env))
    # The API token is exchanged at the tenant's OAuth endpoint, not sent as a bearer token.
    assert isinstance(auth, VraTenantAuth) and (auth.tenant, auth.api_token) == ('acme', 'api-token-1')
    assert auth.secrets == ['api-token-1']
    auth = _watch.build_auth('vro', _watch.connection('vro', {'auth': 'vra', 'auth_tenant': 'other', 'token': 't2'}, env))
    assert isinstance(auth, VraTenantAuth) and (auth.tenant, auth.api_token) == ('other', 't2')
    # A tenant from the environment only (an AWX credential) and auth token in the arguments: the token as it is.
    auth = _watch.build_auth('vro', _watch.connection('vro', {'auth': 'token'}, env))
    assert isinstance(auth, BearerAuth) and not isinstance(auth, VraTenantAuth)
    with pytest.raises(_watch.SourceError, match='but auth is token'):
        _watch.build_auth('vro', _watch.connection('vro', {'auth': 'token', 'auth_tenant': 'acme'}, env))
    with pytest.raises(_watch.SourceError, match='but auth is basic'):
        _watch.build_auth('vro', _watch.connection('vro', {'auth': 'basic'}, env))
    with pytest.raises(_watch.SourceError, match='API token of tenant acme'):
        _watch.build_auth('vro', _watch.connection('vro', {'username': 'u', 'password': 'p'},
                                                   dict(env, VRO_TOKEN='')))


def test_a_vro_source_reuses_a_token_and_logs_in_again_once_when_it_is_refused_as_the_modules_do():
    # auth token with vro_login's token (from VRO_TOKEN) next to username and password: used until the server refuses it
    # (expired), then one vRA login gives the bearer that the request is sent again with, and the polls after it.
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import CONNECTION
    from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond
    routes = {
        'POST /csp/gateway/am/api/login': [respond(200, {'refresh_token': 'rt-abc'})],
        'POST /iaas/api/login': [respond(200, {'token': 'bearer-new-2'})],
        'GET /vco/api/workflows': [respond(401, {'message': 'expired'}), respond(200, {'link': [], 'total': 0}),
                                   respond(200, {'link': [], 'total': 0})],
    }
    with ReplayServer(routes) as server:
        options = _watch.connection('vro', {'url': server.url, 'auth': 'token', 'username': 'admin', 'password': 'Pa55-w0rd-x'},
                                    {'VRO_TOKEN': 'tok-from-login-1'})
        client = _watch.build_client('vro', options, CONNECTION)
        try:
            assert client.get('/workflows') == {'link': [], 'total': 0}
            client.get('/workflows')
        finally:
            client.close()
        assert [r.headers['Authorization'] for r in server.calls('GET')] == [
            'Bearer tok-from-login-1', 'Bearer bearer-new-2', 'Bearer bearer-new-2']
        assert len(server.calls('POST', '/csp/gateway/am/api/login')) == 1
        assert [r.json() for r in server.calls('POST', '/iaas/api/login')] == [{'refreshToken': 'rt-abc'}]
    # A token alone is sent as it is, with the modules' hint for when it is refused.
    auth = _watch.build_auth('vro', _watch.connection('vro', {'url': 'https://vro', 'token': 'tok-from-login-1'}, {}))
    assert isinstance(auth, BearerAuth) and 'vro_login' in auth.refused_hint


def test_a_source_names_what_credentials_are_missing_as_the_modules_do():
    with pytest.raises(_watch.SourceError) as caught:
        _watch.build_auth('vcf', _watch.connection('vcf', {'url': 'https://sddc', 'username': 'admin'}, {}))
    assert str(caught.value) == 'no SDDC Manager credentials: set password (or VCF_PASSWORD), or an access token in token'
    with pytest.raises(_watch.SourceError) as caught:
        _watch.build_auth('vro', _watch.connection('vro', {'url': 'https://vro', 'auth': 'vra', 'username': 'u'}, {}))
    assert str(caught.value) == 'auth is vra: set password (or a vRA API/refresh token in token)'
    with pytest.raises(_watch.SourceError, match=r"^auth must be basic, vra or token, got 'bearer'$"):
        _watch.build_auth('vro', _watch.connection('vro', {'url': 'https://vro', 'auth': 'bearer', 'token': 't'}, {}))


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def _logger():
    log = logging.getLogger('test_watch.%d' % id(object()))
    handler = Records()
    log.addHandler(handler)
    log.propagate = False
    return log, handler


def test_outage_is_one_line_and_a_backoff_that_grows_to_its_bound():
    log, records = _logger()
    outage = _watch.Outage('src', 10, log, backoff_max=60, secrets=lambda: ['s3cret-token'], jitter=lambda: 1.0)
    error = ApiError('connection failed: refused with s3cret-token', kind='connection')
    delays = [outage.failed(error) for ignored in range(5)]
    assert delays == [20, 40, 60, 60, 60]
    assert len(records.lines) == 1 and 's3cret-token' not in records.lines[0] and 'refused' in records.lines[0]
    outage.recovered()
    outage.recovered()
    assert len(records.lines) == 2 and '5 failed polls' in records.lines[1]
    assert outage.failed(ApiError('too many requests', kind='http', status=429)) == 20


class Queue:
    def __init__(self):
        self.events = []

    async def put(self, event):
        self.events.append(event)


class Flaky:
    """A watcher whose polls fail, then work: the loop carries on."""

    def __init__(self, results):
        self.results = results
        self.state = {'n': 0}

    def load(self, state):
        self.state = state or {'n': 0}

    def dump(self):
        return dict(self.state)

    def poll(self):
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result

        def commit(event=None):
            self.state['n'] += 1
        return [(event, commit) for event in result], lambda: None


def test_run_source_puts_each_event_once_saves_after_each_and_survives_failed_polls(tmp_path, monkeypatch):
    slept = []

    async def sleep(seconds):
        slept.append(seconds)
    monkeypatch.setattr(_watch.asyncio, 'sleep', sleep)
    log, records = _logger()
    store = _watch.StateFile(str(tmp_path / 'state.json'))
    watcher = Flaky([ApiError('unexpected HTML answer', kind='html', status=502), ValueError('bad shape'),
                     TypeError('an answer nobody foresaw'), [{'e': 1}, {'e': 2}], []])
    queue = Queue()
    asyncio.run(_watch.run_source(queue, watcher, store, 1.0, 'src', log, polls=5))
    assert queue.events == [{'e': 1}, {'e': 2}]
    assert store.load()['n'] == 2
    assert len(slept) == 4 and slept[0] > 1.0 and slept[-1] == 1.0
    assert len(records.lines) == 2  # the outage, then "works again"
    # A restart loads the saved state.
    again = Flaky([[]])
    asyncio.run(_watch.run_source(queue, again, store, 1.0, 'src', log, polls=1))
    assert again.state['n'] == 2


def test_run_source_stops_on_a_source_error(tmp_path):
    log = _logger()[0]
    watcher = Flaky([_watch.SourceError('state_file is broken')])
    with pytest.raises(_watch.SourceError):
        asyncio.run(_watch.run_source(Queue(), watcher, _watch.StateFile(str(tmp_path / 's.json')), 1.0, 'src', log, polls=1))


class Formatted(logging.Handler):
    """Every record as a handler prints it: message, then its traceback when it has one."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter('%(levelname)s %(message)s'))
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def _debug_logger():
    log = logging.getLogger('test_watch.debug.%d' % id(object()))
    log.setLevel(logging.DEBUG)
    handler = Formatted()
    log.addHandler(handler)
    log.propagate = False
    return log, handler


def test_client_warnings_of_a_source_are_logged_without_its_secrets():
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import CONNECTION
    log, records = _debug_logger()
    options = _watch.connection('vro', {'url': 'https://vro.example.com', 'username': 'admin',
                                        'password': 'Pa55-w0rd-x'}, {})
    client = _watch.build_client('vro', options, CONNECTION, log)
    try:
        client.warn('GET https://vro.example.com/vco/api/workflows?p=Pa55-w0rd-x: read timed out; sending it once more')
        client.auth.secrets.append('tok-3nd-later')  # a secret the auth learns after the client was built
        client.warn('retrying after a 503 that echoed tok-3nd-later')
    finally:
        client.close()
    assert len(records.lines) == 2 and all(line.startswith('DEBUG ') for line in records.lines)
    assert 'read timed out' in records.lines[0] and '********' in records.lines[0]
    assert not any('Pa55-w0rd-x' in line or 'tok-3nd-later' in line for line in records.lines)


class Leaky(Flaky):
    """A watcher that logs the server's answer and whose poll fails with an error nobody foresaw, both with secrets."""

    def __init__(self, results, log):
        super().__init__(results)
        self.log = log

    def poll(self):
        self.log.warning('refused a filter (%s)', 'answer echoing tok-s3cret-9')
        return super().poll()


def test_run_source_logs_unexpected_errors_and_watcher_lines_without_secrets(tmp_path, monkeypatch):
    async def sleep(seconds):
        return None
    monkeypatch.setattr(_watch.asyncio, 'sleep', sleep)
    log, records = _debug_logger()
    jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'
    watcher = Leaky([KeyError('tok-s3cret-9 and %s' % jwt), []], log)
    store = _watch.StateFile(str(tmp_path / 'state.json'))
    asyncio.run(_watch.run_source(Queue(), watcher, store, 1.0, 'src', log, secrets=lambda: ['tok-s3cret-9'], polls=2))
    text = '\n'.join(records.lines)
    assert 'tok-s3cret-9' not in text and jwt not in text and 'eyJ' not in text
    debug = [line for line in records.lines if line.startswith('DEBUG ')]
    # The unexpected error: its redacted one-line message, then its redacted traceback.
    assert len(debug) == 1 and 'unexpected error while polling' in debug[0]
    assert 'Traceback (most recent call last)' in debug[0] and 'KeyError' in debug[0] and '********' in debug[0]
    assert sum('refused a filter (answer echoing ********)' in line for line in records.lines) == 2
    assert sum('polling goes on with a backoff' in line for line in records.lines) == 1
