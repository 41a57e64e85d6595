# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The event sources' watches (``_vcf/watch``, ``_vro/watch``, ``_ico/watch``) fed every spec-valid variant of the
items they list (``spec_variants.py``), through the real API layer (``TaskService``, ``VroApi``, ``TaskEngine``) over a
fake client that answers pages from a small in-memory server: no crash, each change emitted once across polls, the
other items of the page still emitted, no secret in any event, the cursor never past an item not yet seen.

The spec-driven tests skip when ``../shared`` is absent; the ICO variants are written by hand (no spec).
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils import _client, _watch
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client, check_shape
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.model import TaskStatus as IcoStatus
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.watch import IcoTaskWatch
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import iso_from_ms, to_epoch_ms
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import CONNECTION as VCF_CONNECTION, TaskService
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import TaskStatus
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.watch import OVERLAP_MS, VcfTaskWatch
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import VroApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.watch import VroExecutionWatch

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.spec_variants import variants
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_spec_variants import (
    ICO_TASK, VCF_CREDENTIALS_TASK, VCF_TASK, VRO_KINDS, ico_variants, vro_execution_base,
)
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.clocks import MsClock

# The variants' dates are 2026-01-31T10:00:00Z in five forms; the source starts half an hour before.
START = to_epoch_ms('2026-01-31T09:30:00Z')
SECRETS = ('new-Secret2', 'old-Secret1', 's3cr3t', 'Out-Secret9')


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def logger():
    log = logging.getLogger('test_watch_variants.%d' % id(object()))
    log.setLevel(logging.DEBUG)
    handler = Lines()
    log.addHandler(handler)
    log.propagate = False
    return log, handler


class FakeClient:
    """What the API layer reads through the shared client (``get`` with its shape check, ``paginate``, ``page_guard``,
    ``url_for``) over ``answer(path, params)``: a body, or an exception to raise. Requests are recorded."""

    paginate = Client.paginate
    page_guard = Client.page_guard

    def __init__(self, base, answer):
        self.base = base
        self.answer = answer
        self.gets = []
        self.secrets = []

    def url_for(self, path, at_root=False):
        return self.base + path

    def get(self, path, params=None, shape=None, fields=None, inner=None, **ignored):
        self.gets.append((path, dict(params or {})))
        body = self.answer(path, dict(params or {}))
        if isinstance(body, Exception):
            raise body
        body = copy.deepcopy(body)
        if shape is not None:
            check_shape(body, shape, fields, method='GET', url=self.url_for(path), status=200, inner=inner)
        return body


def drain(watcher):
    """One poll as run_source does it: every event committed, then the rest observed."""
    pending, observed = watcher.poll()
    events = []
    for event, commit in pending:
        events.append(event)
        commit()
    observed()
    return events


def no_secret(label, events, lines=()):
    text = json.dumps(events, default=str) + '\n'.join(lines)
    for secret in SECRETS:
        assert secret not in text, (label, secret)


# -- VCF ---------------------------------------------------------------------------------------------------


class VcfServer:
    """``/v1/tasks`` of SDDC Manager: ``completedAfter`` and ``taskStatus`` filters, newest first, ``pageNumber`` from
    0 with ``pageMetadata``."""

    def __init__(self):
        self.tasks = []  # raw, newest first

    def answer(self, path, params):
        if path != '/tasks':
            raise AssertionError(path)
        found = self.tasks
        if 'completedAfter' in params:
            after = int(params['completedAfter'])
            found = [t for t in found if TaskStatus.normalise(t.get('status')) in ('FAILED', 'SUCCESSFUL')
                     and (self._ms(t) is None or self._ms(t) > after)]
        if 'taskStatus' in params:
            found = [t for t in found if t.get('status') == params['taskStatus']]
        size, number = int(params.get('pageSize', 100)), int(params.get('pageNumber', 0))
        page = found[number * size:(number + 1) * size]
        return {'elements': page, 'pageMetadata': {'pageNumber': number, 'pageSize': size, 'totalElements': len(found),
                                                   'totalPages': -(-len(found) // size)}}

    @staticmethod
    def _ms(raw):
        try:
            return to_epoch_ms(raw.get('completionTimestamp'))
        except ValueError:
            return None


def vcf_rebased(raw):
    """``raw`` with its dates on the day of the variants (2026-01-31, completed at 10:00:00.456Z)."""
    text = json.dumps(raw).replace('2024-03-01T10:', '2026-01-31T09:')
    out = json.loads(text)
    out['completionTimestamp'] = '2026-01-31T10:00:00.456Z'
    return out


def vcf_watch(server, clock, log, statuses=None):
    client = FakeClient('https://sddc.example.com/v1', server.answer)
    return VcfTaskWatch(TaskService(client), statuses=statuses, clock=clock, log=log), client


def run_vcf_variant(label, raw, statuses=None):
    """A source started on an empty server; then the variant (id ``v``) and a plain failed task (``good``) in one page;
    then three more polls. Returns the events of each poll and the log lines."""
    server, clock = VcfServer(), MsClock(START)
    log, lines = logger()
    watcher, ignored = vcf_watch(server, clock, log, statuses)
    assert drain(watcher) == []
    good = dict(vcf_rebased(VCF_TASK), id='good', status='FAILED', completionTimestamp='2026-01-31T10:00:00.100Z')
    server.tasks = [dict(raw, id='v') if 'id' in raw else raw, good]
    polls = []
    for ignored in range(4):
        clock.ms += 30000
        polls.append(drain(watcher))
        saved = json.loads(json.dumps(watcher.dump()))
        watcher, ignored = vcf_watch(server, clock, log, statuses)  # a restart between polls
        watcher.load(saved)
    return polls, lines.lines


def check_vcf(label, raw, polls, lines, watched=('FAILED',)):
    ids = [e['vcf_task']['id'] for poll in polls for e in poll]
    assert ids.count('good') == 1 and 'good' in [e['vcf_task']['id'] for e in polls[0]], (label, ids)
    expected = 1 if raw.get('id') is not None and TaskStatus.normalise(raw.get('status')) in watched else 0
    assert ids.count('v') == expected, (label, ids)
    no_secret(label, polls, lines)


def test_vcf_task_variants_each_emitted_once_next_to_a_plain_failure(vcf_spec):
    count = 0
    base = vcf_rebased(VCF_TASK)
    for label, raw in variants(vcf_spec, base, vcf_spec.schema('Task')):
        count += 1
        polls, lines = run_vcf_variant(label, raw)
        check_vcf(label, raw, polls, lines)
    assert count > 150


def test_vcf_credentials_task_variants_each_emitted_once_without_its_passwords(vcf_spec):
    count = 0
    base = vcf_rebased(VCF_CREDENTIALS_TASK)
    for label, raw in variants(vcf_spec, base, vcf_spec.schema('CredentialsTask')):
        count += 1
        polls, lines = run_vcf_variant(label, raw)
        check_vcf(label, raw, polls, lines)
    assert count > 40


# -- vRO ---------------------------------------------------------------------------------------------------

WID = '1f3c2a9e-0000-4000-8000-000000000001'


class VroServer:
    """The executions of one workflow: the list (``conditions`` state=, ``sortOrders=-startDate``, ``maxResult``,
    ``startIndex``) as links with attributes, and each run in full."""

    def __init__(self):
        self.runs = []  # full runs, newest first
        self.links = {}  # id: the list entry's attributes, when they differ from the run's

    def answer(self, path, params):
        base = '/workflows/%s/executions' % WID
        if path.startswith(base + '/'):
            rid = path[len(base) + 1:].rstrip('/')
            for run in self.runs:
                if run.get('id') == rid:
                    return run
            return ApiError('not found', kind='http', status=404)
        assert path == base, path
        conditions = params.get('conditions') or []
        conditions = [conditions] if isinstance(conditions, str) else conditions
        wanted = [c.split('=', 1)[1] for c in conditions if c.startswith('state=')]
        links = []
        for run in self.runs:
            attrs = dict((k, run.get(w)) for k, w in (('id', 'id'), ('name', 'name'), ('state', 'state'),
                                                      ('startDate', 'start-date'), ('endDate', 'end-date')))
            attrs.update(self.links.get(run.get('id'), {}))
            if wanted and attrs.get('state') not in wanted:
                continue
            links.append({'rel': 'down', 'href': 'https://vro.example.com/vco/api%s/%s/' % (base, attrs.get('id')),
                          'attributes': [{'name': k, 'value': v} for k, v in attrs.items() if v is not None]})
        start, size = int(params.get('startIndex', 0)), int(params.get('maxResult', 100))
        return {'relations': {'link': links[start:start + size], 'total': len(links)}}


def vro_watch(server, clock, log, states=None):
    client = FakeClient('https://vro.example.com/vco/api', server.answer)
    return VroExecutionWatch(VroApi(client), workflow_ids=[WID], states=states, clock=clock, log=log), client


def vro_good():
    good = dict(vro_execution_base(), id='good', state='failed', **{'content-exception': 'boom'})
    good['start-date'], good['end-date'] = '2026-01-31T09:59:00.000+00:00', '2026-01-31T09:59:01.000+00:00'
    return good


def run_vro_variant(raw, listed_state='failed'):
    """A source started on an empty server; then the variant (listed as failed, id ``v``) and a plain failed run
    (``good``, older); then three more polls, with a restart between polls."""
    server, clock = VroServer(), MsClock(START)
    log, lines = logger()
    watcher, ignored = vro_watch(server, clock, log)
    assert drain(watcher) == []
    variant = dict(raw, id='v')
    server.runs = [variant, vro_good()]
    server.links['v'] = {'state': listed_state, 'startDate': '2026-01-31T10:00:00.120+00:00'}
    polls = []
    for ignored in range(4):
        clock.ms += 30000
        polls.append(drain(watcher))
        saved = json.loads(json.dumps(watcher.dump()))
        watcher, ignored = vro_watch(server, clock, log)
        watcher.load(saved)
    return polls, lines.lines


def test_vro_execution_variants_each_emitted_once_next_to_a_plain_failure(vro_spec):
    count = 0
    for label, raw in variants(vro_spec, vro_execution_base(), vro_spec.schema('WsWorkflowExecution'), VRO_KINDS):
        count += 1
        polls, lines = run_vro_variant(raw)
        ids = [e['vro_execution']['execution_id'] for poll in polls for e in poll]
        assert ids.count('good') == 1 and ids.count('v') == 1, (label, ids, lines)
        assert [e['vro_execution']['execution_id'] for e in polls[0]] == ['good', 'v'], (label, polls[0])
        assert all(e['state'] == 'failed' for poll in polls for e in poll), label
        no_secret(label, polls, lines)
    assert count > 250


# -- ICO ---------------------------------------------------------------------------------------------------


class IcoServer:
    def __init__(self):
        self.tasks = []

    def answer(self, path, params):
        assert path == '/tasks', path
        return self.tasks


def ico_watch(server, log, statuses=None):
    client = FakeClient('https://ico.example.com/orchestrator/v2', server.answer)
    return IcoTaskWatch([TaskEngine(client)], statuses=statuses, log=log), client


def test_ico_task_variants_each_emitted_once_next_to_a_plain_change():
    count = 0
    for label, raw in ico_variants():
        count += 1
        server = IcoServer()
        log, lines = logger()
        server.tasks = [dict(ICO_TASK, id='good', status='RUNNING'), dict(ICO_TASK, id='v', status='QUEUED')]
        watcher, ignored = ico_watch(server, log)
        assert drain(watcher) == []
        server.tasks = [dict(ICO_TASK, id='good', status='FAILED'), dict(raw, id='v')]
        polls = []
        for ignored in range(4):
            polls.append(drain(watcher))
            saved = json.loads(json.dumps(watcher.dump()))
            watcher, ignored = ico_watch(server, log)
            watcher.load(saved)
        ids = [e['ico_task']['id'] for poll in polls for e in poll]
        changed = IcoStatus.normalise(raw.get('status')) != 'QUEUED'
        assert ids.count('good') == 1 and ids.count('v') == int(changed), (label, ids)
        no_secret(label, polls, lines.lines)
    assert count > 30


# -- across polls: timestamps in another form, ids repeated across pages, statuses that move back, shifting pages --


def vcf_task(task_id, status, completed=None, **fields):
    raw = dict(id=task_id, name='task %s' % task_id, status=status, **fields)
    if completed is not None:
        raw['completionTimestamp'] = completed
    return raw


@pytest.mark.parametrize('refused', [False, True])
def test_vcf_the_same_failure_with_its_time_in_another_form_is_not_emitted_again(refused):
    # One listing writes the completion as ...Z, a later one (another node behind the load balancer, an upgrade, the
    # listing by status) as +00:00 or with a fraction: the same instant, the same failure.
    server, clock = VcfServer(), MsClock(START)
    log, lines = logger()
    watcher, client = vcf_watch(server, clock, log)
    if refused:
        watcher.refused = True
    drain(watcher)
    forms = ['2026-01-31T10:00:00Z', '2026-01-31T10:00:00.000+00:00', '2026-01-31T11:00:00+0100', '2026-01-31T10:00:00.000Z']
    emitted = []
    for form in forms:
        server.tasks = [vcf_task('t1', 'FAILED', form)]
        clock.ms += 30000
        emitted.extend(e['vcf_task']['id'] for e in drain(watcher))
        saved = json.loads(json.dumps(watcher.dump()))
        watcher, client = vcf_watch(server, clock, log)
        watcher.load(saved)
    assert emitted == ['t1']


def test_vcf_failed_then_in_progress_then_failed_again_is_two_events_and_the_same_failure_seen_again_none():
    server, clock = VcfServer(), MsClock(START)
    log, lines = logger()
    watcher, client = vcf_watch(server, clock, log, statuses=['FAILED', 'IN_PROGRESS'])
    drain(watcher)
    seen = []
    steps = [vcf_task('t1', 'FAILED', '2026-01-31T10:00:00Z'), vcf_task('t1', 'FAILED', '2026-01-31T10:00:00Z'),
             vcf_task('t1', 'IN_PROGRESS'), vcf_task('t1', 'IN_PROGRESS'),
             vcf_task('t1', 'FAILED', '2026-01-31T10:09:00Z'), vcf_task('t1', 'FAILED', '2026-01-31T10:09:00Z')]
    for raw in steps:
        server.tasks = [raw]
        clock.ms += 60000
        seen.append([(e['status'], e['previous_status']) for e in drain(watcher)])
    assert seen == [[('FAILED', None)], [], [('IN_PROGRESS', 'FAILED')], [], [('FAILED', 'IN_PROGRESS')], []]


def test_vcf_a_failed_retry_without_completion_times_is_a_new_failure_when_the_retry_was_seen():
    # A server that writes no completionTimestamp (optional in the spec), listed by status: the second failure of a
    # retried task is told apart from the first by the status seen in between.
    server, clock = VcfServer(), MsClock(START)
    log, lines = logger()
    watcher, client = vcf_watch(server, clock, log)
    watcher.refused = True
    drain(watcher)
    seen = []
    for status in ('FAILED', 'FAILED', 'IN_PROGRESS', 'FAILED', 'FAILED'):
        server.tasks = [vcf_task('t1', status)]
        clock.ms += 60000
        seen.append([e['previous_status'] for e in drain(watcher)])
    assert seen == [[None], [], [], ['FAILED'], []]


def test_vcf_a_task_inserted_at_the_top_while_paging_is_neither_missed_nor_emitted_twice():
    # 150 failures (two pages); between the reads of page 0 and page 1 a new one lands on top: page 1 starts with
    # the last task of page 0 again. Every failure once, the new one at the next poll.
    server, clock = VcfServer(), MsClock(START)
    log, lines = logger()
    watcher, client = vcf_watch(server, clock, log)
    drain(watcher)
    base = START + 10 * 60000
    server.tasks = [vcf_task('t%03d' % n, 'FAILED', iso_from_ms(base + n * 1000)) for n in range(150, 0, -1)]
    answer = server.answer

    def shifting(path, params):
        if int(params.get('pageNumber', 0)) == 1 and not any(t['id'] == 'late' for t in server.tasks):
            server.tasks.insert(0, vcf_task('late', 'FAILED', iso_from_ms(base + 151 * 1000)))
        return answer(path, params)
    client.answer = shifting
    clock.ms = base + 200 * 1000
    first = [e['vcf_task']['id'] for e in drain(watcher)]
    assert sorted(first) == sorted('t%03d' % n for n in range(1, 151))
    assert [e['vcf_task']['id'] for e in drain(watcher)] == ['late']
    assert drain(watcher) == []


def test_vcf_the_cursor_never_passes_a_task_not_yet_seen_and_never_goes_back():
    server, clock = VcfServer(), MsClock(START)
    log, lines = logger()
    watcher, client = vcf_watch(server, clock, log)
    drain(watcher)
    cursors = [watcher.cursor]
    emitted = []
    for step in range(6):
        clock.ms += 60000
        # one with a time, one without, one unreadable: the cursor follows the readable ones only
        server.tasks = [vcf_task('a%d' % step, 'FAILED', iso_from_ms(clock.ms - 1000)), vcf_task('b%d' % step, 'FAILED'),
                        vcf_task('c%d' % step, 'FAILED', 'yesterday')] + server.tasks
        emitted.extend(e['vcf_task']['id'] for e in drain(watcher))
        cursors.append(watcher.cursor)
    assert cursors == sorted(cursors) and cursors[-1] == clock.ms - 1000
    asked = [int(params['completedAfter']) for path, params in client.gets if 'completedAfter' in params]
    assert asked == sorted(asked) and asked[-1] == clock.ms - 60000 - 1000 - OVERLAP_MS
    assert sorted(emitted) == sorted('%s%d' % (p, n) for p in 'abc' for n in range(6))


def test_vro_a_run_listed_twice_across_pages_and_a_run_waiting_again_are_each_one_event():
    server, clock = VroServer(), MsClock(START)
    log, lines = logger()
    watcher, client = vro_watch(server, clock, log, states=['waiting'])
    drain(watcher)

    def run(rid, state, start):
        return dict(vro_execution_base(), id=rid, state=state, **{'start-date': iso_from_ms(start), 'end-date': None})
    server.runs = [run('r%03d' % n, 'waiting', START + n * 1000) for n in range(150, 0, -1)]
    answer = server.answer

    def shifting(path, params):
        if int(params.get('startIndex', 0)) == 100 and server.runs[0]['id'] != 'late':
            server.runs.insert(0, run('late', 'waiting', START + 151 * 1000))
        return answer(path, params)
    client.answer = shifting
    first = [e['vro_execution']['execution_id'] for e in drain(watcher)]
    assert first == ['r%03d' % n for n in range(1, 151)]
    assert [e['vro_execution']['execution_id'] for e in drain(watcher)] == ['late']
    server.runs[1]['state'] = 'running'  # r150 answered
    assert drain(watcher) == []
    server.runs[1]['state'] = 'waiting'  # a second interaction
    assert [(e['vro_execution']['execution_id'], e['state']) for e in drain(watcher)] == [('r150', 'waiting')]
    assert drain(watcher) == []


def test_ico_failed_running_failed_is_two_events_and_an_id_listed_twice_one():
    server = IcoServer()
    log, lines = logger()
    watcher, client = ico_watch(server, log, statuses=['FAILED'])
    server.tasks = [dict(ICO_TASK, id='1', status='RUNNING')]
    drain(watcher)
    seen = []
    for status in ('FAILED', 'FAILED', 'RUNNING', 'FAILED', 'FAILED'):
        # the same id twice in one list (a page boundary moved): one task
        server.tasks = [dict(ICO_TASK, id='1', status=status), dict(ICO_TASK, id=1, status=status)]
        seen.append([e['previous_status'] for e in drain(watcher)])
    assert seen == [['RUNNING'], [], [], ['RUNNING'], []]


def test_vcf_a_state_saved_before_times_were_compared_as_instants_emits_nothing_again():
    # The state file of an earlier release keys a change by the completion text as it came.
    server, clock = VcfServer(), MsClock(START)
    log, lines = logger()
    watcher, client = vcf_watch(server, clock, log)
    completed = to_epoch_ms('2026-01-31T10:00:00.456Z')
    watcher.load({'started': True, 'cursor': completed, 'floor': START - 3600000, 'last': {'t1': 'FAILED'},
                  'seen': {'t1|FAILED|2026-01-31T10:00:00.456Z': completed}})
    server.tasks = [vcf_task('t1', 'FAILED', '2026-01-31T10:00:00.456Z')]
    clock.ms = completed + 30000
    assert drain(watcher) == []
    server.tasks.insert(0, vcf_task('t2', 'FAILED', '2026-01-31T10:00:20Z'))
    assert [e['vcf_task']['id'] for e in drain(watcher)] == ['t2']


# -- one bad item in a page: skipped with one log line that names it, the others emitted ----------------------


def test_vcf_one_unreadable_task_in_a_page_is_skipped_with_one_line_naming_it_and_the_others_are_emitted():
    server, clock = VcfServer(), MsClock(START)
    log, lines = logger()
    watcher, client = vcf_watch(server, clock, log)
    drain(watcher)
    server.tasks = [vcf_task('t2', 'FAILED', '2026-01-31T10:00:02Z'),
                    vcf_task('bad-1', 'FAILED', '2026-01-31T10:00:01Z', errors='boom'),
                    vcf_task('t1', 'FAILED', '2026-01-31T10:00:00Z')]
    emitted = []
    for ignored in range(3):
        clock.ms += 30000
        emitted.extend(e['vcf_task']['id'] for e in drain(watcher))
    assert emitted == ['t1', 't2']
    named = [line for line in lines.lines if 'bad-1' in line]
    assert len(named) == 1 and 'skipped' in named[0] and '\n' not in named[0], lines.lines


def test_vcf_a_listing_in_which_no_task_can_be_read_is_a_wrong_answer_not_tasks_to_skip():
    server, clock = VcfServer(), MsClock(START)
    log, lines = logger()
    watcher, client = vcf_watch(server, clock, log)
    drain(watcher)
    server.tasks = [vcf_task('bad-1', 'FAILED', '2026-01-31T10:00:01Z', errors='boom'),
                    vcf_task('bad-2', 'FAILED', '2026-01-31T10:00:00Z', errors='boom')]
    clock.ms += 30000
    with pytest.raises(ApiError) as info:
        watcher.poll()
    assert info.value.kind == 'shape' and not [line for line in lines.lines if 'skipped' in line], lines.lines


def test_vro_a_run_whose_details_cannot_be_read_is_emitted_from_its_summary_with_one_line_naming_it():
    server, clock = VroServer(), MsClock(START)
    log, lines = logger()
    watcher, client = vro_watch(server, clock, log)
    drain(watcher)
    bad = dict(vro_good(), id='bad-1', **{'input-parameters': 'not a list'})
    server.runs = [dict(vro_good(), id='r2', **{'start-date': '2026-01-31T10:00:02Z'}), bad, vro_good()]
    emitted = []
    for ignored in range(3):
        clock.ms += 30000
        emitted.extend((e['vro_execution']['execution_id'], e['state']) for e in drain(watcher))
    assert emitted == [('good', 'failed'), ('bad-1', 'failed'), ('r2', 'failed')]
    named = [line for line in lines.lines if 'bad-1' in line]
    assert len(named) == 1 and '\n' not in named[0], lines.lines


def test_ico_one_entry_that_is_not_a_task_is_skipped_with_one_line_and_the_others_are_emitted():
    server = IcoServer()
    log, lines = logger()
    watcher, client = ico_watch(server, log)
    server.tasks = [dict(ICO_TASK, id='1', status='RUNNING')]
    drain(watcher)
    server.tasks = [dict(ICO_TASK, id='1', status='FAILED'), 'garbage', dict(ICO_TASK, id='2', status='QUEUED')]
    emitted = []
    for ignored in range(3):
        emitted.extend(e['ico_task']['id'] for e in drain(watcher))
    assert emitted == ['1', '2']
    named = [line for line in lines.lines if 'skipped' in line]
    assert len(named) == 1 and '[1]' in named[0] and '\n' not in named[0], lines.lines


def test_ico_a_list_without_any_task_is_a_wrong_answer_not_entries_to_skip():
    # ['not', 'a', 'page'] is no project's task list: the poll fails (an outage, logged once by the source), rather
    # than every entry being skipped and every task read as gone.
    server = IcoServer()
    log, lines = logger()
    watcher, client = ico_watch(server, log)
    server.tasks = [dict(ICO_TASK, id='1', status='RUNNING')]
    drain(watcher)
    server.tasks = ['not', 'a', 'page']
    with pytest.raises(ApiError) as info:
        watcher.poll()
    assert info.value.kind == 'shape' and not [line for line in lines.lines if 'skipped' in line], lines.lines


# -- hostile answers between polls, through the loop ansible-rulebook runs (run_source) ------------------------


class Queue:
    def __init__(self):
        self.events = []

    async def put(self, event):
        self.events.append(event)


def run_polls(watcher, tmp_path, polls, secrets=lambda: ()):
    """``polls`` polls of run_source (no real sleeps): the events, the delays asked and the log lines."""
    delays = []

    async def sleep(seconds):
        delays.append(seconds)
    log, lines = logger()
    queue = Queue()
    original = _watch.asyncio.sleep
    _watch.asyncio.sleep = sleep
    try:
        asyncio.run(_watch.run_source(queue, watcher, _watch.StateFile(str(tmp_path / 'state.json')), 10.0, 'src', log,
                                      secrets=secrets, polls=polls))
    finally:
        _watch.asyncio.sleep = original
    return queue.events, delays, lines.lines


def test_vcf_source_logs_in_again_once_on_a_401_for_an_expired_token_and_goes_on_without_an_outage(tmp_path):
    now = to_epoch_ms('2026-01-31T10:00:00Z')
    failed = {'elements': [vcf_task('t1', 'FAILED', iso_from_ms(now + 60000))],
              'pageMetadata': {'pageNumber': 0, 'pageSize': 100, 'totalElements': 1, 'totalPages': 1}}
    routes = {
        'POST /v1/tokens': [respond(200, {'accessToken': 'acc-t0k-1', 'refreshToken': {'id': 'ref-t0k-1'}})],
        'PATCH /v1/tokens/access-token/refresh': [respond(200, {'accessToken': 'acc-t0k-2'})],
        'GET /v1/tasks': [respond(200, {'elements': []}), respond(401, {'message': 'token expired'}), respond(200, failed)],
    }
    with ReplayServer(routes) as server:
        options = _watch.connection('vcf', {'url': server.url, 'username': 'admin', 'password': 'Pa55-w0rd-v'}, {})
        client = _watch.build_client('vcf', options, VCF_CONNECTION)
        try:
            watcher = VcfTaskWatch(TaskService(client), clock=MsClock(now + 120000))
            events, delays, lines = run_polls(watcher, tmp_path, 3, lambda: client.secrets)
        finally:
            client.close()
        auths = [r.headers['Authorization'] for r in server.calls('GET')]
        # The first poll's completedAfter, then its baseline sweep (taskStatus=Failed) meets the 401 and is sent again
        # with the new token (its answer spells FAILED: a server that normalises the filter, so one spelling is
        # enough); then one completedAfter per poll.
        assert auths == ['Bearer acc-t0k-1', 'Bearer acc-t0k-1', 'Bearer acc-t0k-2', 'Bearer acc-t0k-2', 'Bearer acc-t0k-2']
        assert len(server.calls('POST', '/v1/tokens')) == 1
    assert [e['vcf_task']['id'] for e in events] == ['t1']
    assert delays == [10.0, 10.0] and lines == []
    text = json.dumps(events) + '\n'.join(lines)
    assert 'Pa55-w0rd-v' not in text and 'acc-t0k' not in text and 'ref-t0k' not in text


def test_an_endless_page_chain_is_one_outage_line_and_a_backoff_then_the_source_goes_on(tmp_path, monkeypatch):
    # ICO pages ({total, next}) whose next never ends, each page new entries: the page bound (smaller here) stops it.
    monkeypatch.setattr(_client, 'PAGING_MAX_ITEMS', 1000)
    server = IcoServer()
    server.tasks = [dict(ICO_TASK, id='1', status='RUNNING')]
    endless = {'on': False}

    def answer(path, params):
        if not endless['on']:
            return server.tasks
        start = int(params.get('_start', 0))
        entries = [dict(ICO_TASK, id='e%d' % (start + n), status='FAILED') for n in range(100)]
        return {'tasks': entries, 'start': start, 'total': 10 ** 9, 'next': 'https://ico.example.com/next'}
    client = FakeClient('https://ico.example.com/orchestrator/v2', answer)
    watcher = IcoTaskWatch([TaskEngine(client)])
    assert run_polls(watcher, tmp_path, 1)[0] == []
    endless['on'] = True
    events, delays, lines = run_polls(watcher, tmp_path, 3)
    assert events == []
    assert len(lines) == 1 and 'pages' in lines[0] and '\n' not in lines[0], lines
    assert all(delay > 10.0 for delay in delays)
    reads = len(client.gets)
    assert reads <= 3 * (1000 // 100 + 3) + 1  # the first poll, then three bounded polls
    endless['on'] = False
    server.tasks = [dict(ICO_TASK, id='1', status='FAILED')]
    events, delays, lines = run_polls(watcher, tmp_path, 2)
    assert [(e['ico_task']['id'], e['previous_status']) for e in events] == [('1', 'RUNNING')]


@pytest.mark.parametrize('product', ['vcf', 'ico'])
def test_a_huge_page_of_known_items_emits_only_the_one_change(tmp_path, product):
    # A server that ignores the page size (and the filters) answers everything in one page: 5000 entries.
    if product == 'vcf':
        server, clock = VcfServer(), MsClock(START)
        old = [vcf_task('o%05d' % n, 'FAILED', iso_from_ms(START - 7200000 - n * 1000)) for n in range(5000)]
        whole = {'elements': old, 'pageMetadata': {'pageNumber': 0, 'pageSize': 5000, 'totalElements': 5000, 'totalPages': 1}}
        client = FakeClient('https://sddc.example.com/v1', lambda path, params: whole)
        watcher = VcfTaskWatch(TaskService(client), clock=clock)
        assert run_polls(watcher, tmp_path, 1)[0] == []
        old.insert(0, vcf_task('new', 'FAILED', iso_from_ms(START + 1000)))
        clock.ms += 30000
    else:
        tasks = [dict(ICO_TASK, id=str(n), status='FAILED') for n in range(5000)]
        client = FakeClient('https://ico.example.com/orchestrator/v2', lambda path, params: tasks)
        watcher = IcoTaskWatch([TaskEngine(client)])
        assert run_polls(watcher, tmp_path, 1)[0] == []
        tasks[1234] = dict(tasks[1234], status='RUNNING')
    events, delays, lines = run_polls(watcher, tmp_path, 3)
    assert len(events) == 1 and lines == [] and delays == [10.0, 10.0]
