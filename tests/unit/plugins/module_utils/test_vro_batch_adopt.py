# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 16 follow-up: the lost starts of one vro_workflow_run batch are adopted jointly.

One listing of the workflow's runs per look serves every pending lost start, and the looks stop when all are
decided or one adoption window has passed, never one window per lost start. The per-start rules stay those of a
single start (never resend, start date, user, inputs, claimed runs, several candidates refused). A fake API over a
fake clock: nothing sleeps, and every figure asserted is a count of requests or a decision.
"""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._adopt import ADOPTION_MARGIN
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import format_date
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro import workflow_run
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_api import RunApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.encode import encode_parameters
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import Execution
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.clocks import SleepClock

WID = 'wf-1'
DECLARED = [{'name': 'name', 'type': 'string'}]
LOST = 'may or may not have been applied'
SERVER_EPOCH = 1900000000.0
TIMEOUT = 30.0
# adoption window = timeout + margin, one look a second, plus the first look
WINDOW_LOOKS = int(TIMEOUT + ADOPTION_MARGIN) + 1


class FakeClient(SleepClock):
    """What RunApi's adoption uses of the client: the timeout, and a clock that moves only when slept on."""

    def __init__(self):
        super().__init__(100.0)
        self.timeout = TIMEOUT

    def clock(self):
        return self.now

    def allow_parallel(self, workers):
        pass


class FakeApi(RunApi):
    """A vRO server played in memory: each POST follows the plan for its ``name`` input.

    Plans: ``ok`` (answered), ``lost`` (run made, answer lost; the run shows in lists from ``appear`` seconds after
    the POST), ``none`` (answer lost, nothing made), ``named`` (run made, the cut answer's Location names it).
    """

    def __init__(self, plans, appear=None, user='svc'):
        super().__init__(FakeClient())
        self.plans = plans
        self.appear = appear or {}
        self.user = user
        self.runs = {}  # id -> (data, visible from clock)
        self.posts = []
        self.listings = []
        self.reads = []
        self.fail_listing = None

    def plan_in_turn(self, name, plans):
        """The POSTs for ``name`` follow ``plans`` one after the other (identical inputs, different outcomes)."""
        turns = iter(plans)
        start = self.start

        def start_next(workflow_id, parameters):
            self.plans[name] = next(turns)
            return start(workflow_id, parameters)
        self.start = start_next

    def server_now(self):
        return SERVER_EPOCH + self.client.now

    def _make(self, name, params, visible):
        run_id = 'run-%d' % (len(self.runs) + 1)
        start = datetime.datetime.fromtimestamp(self.server_now(), datetime.timezone.utc)
        data = {'id': run_id, 'state': 'running', 'name': 'Provision', 'start-date': format_date(start),
                'started-by': self.user, 'input-parameters': params}
        self.runs[run_id] = (data, visible)
        # Each POST takes a tenth of a second: the runs have distinct start dates, oldest POST first.
        self.client.now += 0.1
        return run_id

    def add_run(self, params, user='svc', visible=0.0):
        """A run nobody in the batch started (another task, or before the POST)."""
        run_id = self._make('other', params, visible)
        self.runs[run_id][0]['started-by'] = user
        return run_id

    def start(self, workflow_id, parameters):
        name = parameters[0]['value']['string']['value']
        plan = self.plans[name]
        self.posts.append(name)
        url = 'https://vro/vco/api/workflows/%s/executions' % workflow_id
        if plan == 'ok':
            return Execution(self.runs[self._make(name, parameters, self.client.now)][0], workflow_id)
        details = {'sent': True}
        if plan in ('lost', 'named'):
            run_id = self._make(name, parameters, self.client.now + self.appear.get(name, 0.0))
            if plan == 'named':
                details['id'] = run_id
        else:
            self.client.now += 0.1
        raise AnswerLost('no answer within 30.0s (read timeout)', kind='timeout', method='POST', url=url, details=details)

    def list_executions(self, workflow_id, states=None, started_by=None, started_after=None, started_before=None,
                        name=None, max_results=None, page_size=500):
        self.listings.append(started_after)
        if self.fail_listing:
            raise self.fail_listing
        shown = [Execution(dict(data, **{'input-parameters': []}), workflow_id) for data, visible in self.runs.values()
                 if visible <= self.client.now]
        shown = [r for r in shown if started_after is None or r.started_at() >= started_after]
        shown.sort(key=lambda r: r.started_at(), reverse=True)
        return shown[:max_results] if max_results else shown

    def execution(self, workflow_id, execution_id):
        self.reads.append(execution_id)
        if execution_id not in self.runs or self.runs[execution_id][1] > self.client.now:
            raise ApiError('HTTP 404: not found', status=404, method='GET', url=execution_id)
        return Execution(self.runs[execution_id][0], workflow_id)


class Workflow(object):
    id = WID
    name = 'Provision'


def params(name):
    return encode_parameters(DECLARED, {'name': name}, 'Provision')


def start_batch(api, names, claimed=None):
    """``_start_all`` over ``names`` (one run each, one at a time): the slots and the warnings."""
    warnings = []
    opts = workflow_run.RunOptions(workflow_id=WID, batch=True, concurrency=1, user='svc', warn=warnings.append)
    slots = [workflow_run._Slot(index, {'name': name}, params(name)) for index, name in enumerate(names)]
    workflow_run._start_all(opts, api, Workflow(), slots, claimed if claimed is not None else set())
    return slots, warnings


def one_line(message):
    assert '\n' not in message, message
    return message


def test_lost_starts_whose_runs_never_appear_share_one_window_of_looks():
    names = ['a%d' % i for i in range(5)]
    api = FakeApi(dict((n, 'none') for n in names))
    slots, warnings = start_batch(api, names)
    assert api.posts == names  # each POST sent once, never again
    # One listing per look for all five, for one window: not five windows one after another (5 x 41 listings).
    assert len(api.listings) == WINDOW_LOOKS
    assert sum(api.client.slept) == pytest.approx(TIMEOUT + ADOPTION_MARGIN)
    for slot in slots:
        assert slot.execution is None and isinstance(slot.error, OperationError)
        message = one_line(str(slot.error))
        assert message.startswith('POST https://vro/vco/api/workflows/wf-1/executions ' + LOST), message
        assert '(%d looks)' % WINDOW_LOOKS in message and 'reuse: running' in message
        assert slot.error.result['execution_ids'] == []
    assert warnings == []


def test_lost_starts_whose_runs_exist_are_all_adopted_from_one_listing():
    names = ['a%d' % i for i in range(5)]
    api = FakeApi(dict((n, 'lost') for n in names))
    slots, warnings = start_batch(api, names)
    assert len(api.listings) == 1 and api.client.slept == []
    made = sorted(api.runs)
    assert sorted(s.execution.id for s in slots) == made
    for slot in slots:
        assert slot.adopted and slot.started and slot.error is None
        assert slot.execution.input_parameters == params(slot.inputs['name'])
    assert len(warnings) == 5 and all('adopted run %s' % s.execution.id in w for s, w in zip(slots, warnings))
    # each candidate read in full once, not once per lost start
    assert sorted(api.reads) == made


def test_runs_that_appear_later_are_adopted_with_one_listing_per_look():
    names = ['a', 'b', 'c']
    api = FakeApi(dict((n, 'lost') for n in names), appear={'a': 3.0, 'b': 1.0, 'c': 2.0})
    slots, warnings = start_batch(api, names)
    assert all(s.adopted for s in slots) and len(warnings) == 3
    assert len(api.listings) == 4 and api.client.slept == [1.0, 1.0, 1.0]
    # The listing reaches back to just before the earliest POST (server clock).
    assert api.listings[0] == SERVER_EPOCH + 100.0 - 5.0


def test_identical_inputs_appearing_one_at_a_time_go_oldest_post_first_and_the_last_fails():
    # Three identical starts, answers lost; two runs are made, visible at different looks. As one start at a time
    # would: the first start adopts the first run to show, the second the next, the third finds none.
    api = FakeApi({'same': 'lost'})
    slots = [workflow_run._Slot(index, {'name': 'same'}, params('same')) for index in range(3)]
    plans = iter(['lost', 'lost', 'none'])
    starts = []

    def start(workflow_id, parameters):
        api.plans['same'] = next(plans)
        api.appear['same'] = 2.0 if len(starts) == 0 else 4.0
        starts.append(1)
        return FakeApi.start(api, workflow_id, parameters)
    api.start = start
    warnings = []
    opts = workflow_run.RunOptions(workflow_id=WID, batch=True, concurrency=1, user='svc', warn=warnings.append)
    workflow_run._start_all(opts, api, Workflow(), slots, set())
    assert [s.execution.id if s.execution else None for s in slots] == ['run-1', 'run-2', None]
    assert LOST in one_line(str(slots[2].error))
    assert len(warnings) == 2
    assert len(api.listings) == WINDOW_LOOKS


def test_identical_inputs_with_several_runs_at_once_fail_each_listing_them():
    api = FakeApi({'same': 'lost'})
    slots, warnings = start_batch(api, ['same', 'same', 'same'])
    # three runs were made, all visible at the first look: every start sees three candidates, none is guessed
    assert len(api.listings) == 1 and warnings == []
    for slot in slots:
        assert slot.execution is None
        message = one_line(str(slot.error))
        assert 'and 3 runs that it may have made appeared' in message and 'not adopting any' in message
        assert slot.error.result['execution_ids'] == ['run-1', 'run-2', 'run-3']


def test_a_run_another_start_of_the_batch_made_is_never_adopted():
    api = FakeApi({'same': 'ok'})
    api.plan_in_turn('same', ['ok', 'none'])
    slots, warnings = start_batch(api, ['same', 'same'])
    assert slots[0].execution.id == 'run-1' and not slots[0].adopted
    assert slots[1].execution is None and LOST in str(slots[1].error) and warnings == []


def test_runs_of_others_and_from_before_the_post_are_left_out():
    api = FakeApi({'a': 'none'})
    api.add_run(params('a'))
    api.client.now += 60.0  # the POST is a minute later than this identical run of ours
    api.add_run(params('a'), user='eve')  # and just after this identical run of someone else
    slots, warnings = start_batch(api, ['a'])
    assert slots[0].execution is None and LOST in str(slots[0].error) and warnings == []


def test_a_run_named_by_a_cut_answer_is_read_first_and_never_adopted_by_another_start():
    # 'x' lost its answer with nothing made; 'y' (identical inputs, later in the batch) was made and its cut answer
    # named its run. One start at a time, 'x' adopted the run of 'y' (the only candidate), then 'y' took it too.
    api = FakeApi({'same': 'none'})
    api.plan_in_turn('same', ['none', 'named'])
    slots, warnings = start_batch(api, ['same', 'same'])
    assert slots[1].execution.id == 'run-1' and slots[1].adopted
    assert slots[0].execution is None and LOST in str(slots[0].error)
    assert len(warnings) == 1 and 'adopted run run-1' in warnings[0]


def test_only_named_runs_need_no_listing():
    api = FakeApi({'a': 'named', 'b': 'named'})
    slots, warnings = start_batch(api, ['a', 'b'])
    assert [s.execution.id for s in slots] == ['run-1', 'run-2'] and all(s.adopted for s in slots)
    assert api.listings == [] and api.reads == ['run-1', 'run-2']


def test_a_failed_listing_fails_every_pending_lost_start_with_its_error():
    api = FakeApi({'a': 'none', 'b': 'none', 'c': 'ok'})
    api.fail_listing = ApiError('HTTP 503: busy', status=503, method='GET', url='executions')
    slots, warnings = start_batch(api, ['a', 'b', 'c'])
    assert len(api.listings) == 1
    assert [s.error for s in slots[:2]] == [api.fail_listing] * 2 and slots[2].error is None


@pytest.mark.parametrize('plan', ['none', 'lost'])
def test_one_start_keeps_its_single_adoption(plan):
    api = FakeApi({'a': plan})
    if plan == 'none':
        with pytest.raises(OperationError) as info:
            api.start_once(WID, params('a'), user='svc')
        assert LOST in str(info.value) and len(api.listings) == WINDOW_LOOKS
    else:
        run, adopted = api.start_once(WID, params('a'), user='svc')
        assert adopted and run.id == 'run-1' and len(api.listings) == 1
    assert api.posts == ['a']
