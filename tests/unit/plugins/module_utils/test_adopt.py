# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared recovery after a lost answer: 0, 1 or several candidates, the window bound, one-line failures."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._adopt import ADOPTION_MARGIN, adopt, adopt_each, adoption_window
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AdoptionFailed, answer_lost
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.clocks import SleepClock


def lost():
    return answer_lost('no answer within 1.0s (read timeout)', 'timeout', 'POST', 'https://vro/vco/api/tasks', 1)


def run(find, window=5.0, **kwargs):
    fake = SleepClock(100.0)
    kwargs.setdefault('look_at', 'the task list')
    kwargs.setdefault('rerun', 're-running the task is safe: the name lookup adopts it')
    result = adopt(lost(), find, window, 'task', clock=fake, sleep=fake.sleep, **kwargs)
    return result, fake


def test_window_is_the_timeout_plus_the_margin():
    assert adoption_window(1) == 1 + ADOPTION_MARGIN
    assert adoption_window(30.0) == 30 + ADOPTION_MARGIN
    # no usable timeout: the client's default is assumed, never an unbounded or negative window
    for odd in (None, 0, float('nan'), float('inf'), -3):
        assert adoption_window(odd) == 30 + ADOPTION_MARGIN


def test_one_candidate_at_once_is_adopted_with_one_warning_and_no_wait():
    warnings = []
    found, fake = run(lambda: ['t-1'], warn=warnings.append)
    assert found == 't-1' and fake.slept == []
    assert len(warnings) == 1 and 'adopted task t-1' in warnings[0] and 'POST https://vro/vco/api/tasks' in warnings[0]


def test_a_candidate_that_appears_later_is_adopted():
    answers = [[], [], ['late']]
    calls = []

    def find():
        calls.append(1)
        return answers.pop(0)
    found, fake = run(find)
    assert found == 'late' and len(calls) == 3 and fake.slept == [1.0, 1.0]


def test_several_candidates_fail_listing_them_all_without_picking():
    with pytest.raises(AdoptionFailed) as info:
        run(lambda: ['a', 'b'], ids_key='task_ids')
    message = str(info.value)
    assert 'a, b' in message and '2 tasks' in message and '\n' not in message
    assert info.value.result['task_ids'] == ['a', 'b']
    assert info.value.result['error']['details']['sent'] is True


def test_nothing_within_the_window_fails_in_one_line_after_bounded_looks():
    calls = []

    def find():
        calls.append(1)
        return []
    with pytest.raises(AdoptionFailed) as info:
        run(find, window=5.0)
    message = str(info.value)
    assert len(calls) == 6  # at once, then once a second for 5 s
    assert message.startswith('POST https://vro/vco/api/tasks may or may not have been applied')
    assert 'look at the task list' in message and 're-running the task is safe: the name lookup adopts it' in message
    assert '\n' not in message and info.value.result['candidates'] == []


def test_the_callers_deadline_shortens_the_window():
    calls = []
    fake = SleepClock(100.0)

    def find():
        calls.append(1)
        return []
    with pytest.raises(AdoptionFailed) as info:
        adopt(lost(), find, 60.0, 'task', 'the list', 'safe', deadline=fake.now + 2.0, clock=fake, sleep=fake.sleep)
    assert len(calls) == 3 and sum(fake.slept) == 2.0
    assert 'within 2s' in str(info.value)


def test_a_sleep_that_does_not_sleep_still_ends():
    calls = []

    def find():
        calls.append(1)
        return []
    with pytest.raises(AdoptionFailed):
        adopt(lost(), find, 3.0, 'run', 'the runs', 'safe', sleep=lambda seconds: None)
    assert len(calls) == 4


def test_the_callers_error_type_is_raised():
    class Mine(Exception):
        def __init__(self, message, **result):
            super().__init__(message)
            self.result = result
    with pytest.raises(Mine):
        run(lambda: [], window=0.0, fail=Mine)


# ------------------------------------------------------------------ adopt_each: several requests, jointly

def losts(count):
    return [answer_lost('no answer within 1.0s (read timeout)', 'timeout', 'POST', 'https://vro/vco/api/x/%d' % i, 1)
            for i in range(count)]


def test_adopt_each_decides_in_order_with_one_look_for_all_and_one_window():
    fake = SleepClock(100.0)
    looks = []
    taken = []
    # every request may have made 'shared'; request 1 also 'own1' from the third look on; request 2 nothing
    visible = {0: ['shared'], 1: ['shared'], 2: ['shared']}

    def look(pending):
        looks.append(list(pending))
        if len(looks) == 3:
            visible[1] = ['shared', 'own1']
        return lambda index: [c for c in visible[index] if c not in taken]

    outcomes = adopt_each(losts(3), look, 5.0, 'run', ['list %d' % i for i in range(3)], 'safe', clock=fake,
                          sleep=fake.sleep, on_adopt=lambda index, found: taken.append(found))
    assert outcomes[0] == ('shared', None)
    assert outcomes[1] == ('own1', None)
    assert outcomes[2][0] is None and 'may or may not have been applied' in str(outcomes[2][1])
    assert 'look at list 2' in str(outcomes[2][1]) and '(6 looks)' in str(outcomes[2][1])
    # one look per second for one window in all, each with the requests still pending
    assert looks == [[0, 1, 2], [1, 2], [1, 2], [2], [2], [2]] and sum(fake.slept) == 5.0


def test_adopt_each_stops_looking_once_every_request_is_decided():
    fake = SleepClock(100.0)
    calls = []

    def look(pending):
        calls.append(1)
        return lambda index: ['a', 'b'] if index == 0 else ['c']

    outcomes = adopt_each(losts(2), look, 30.0, 'run', 'the runs', 'safe', clock=fake, sleep=fake.sleep)
    assert len(calls) == 1 and fake.slept == []
    assert outcomes[0][0] is None and '2 runs that it may have made appeared' in str(outcomes[0][1])
    assert outcomes[0][1].result['candidates'] == ['a', 'b'] and outcomes[1] == ('c', None)


def test_adopt_each_gives_a_failed_look_to_every_pending_request_and_a_failed_find_to_its_own():
    fake = SleepClock(100.0)

    class Broken(Exception):
        pass

    def bad_find(index):
        if index == 0:
            raise Broken('read failed')
        return []

    outcomes = adopt_each(losts(2), lambda pending: bad_find, 0.0, 'run', 'the runs', 'safe', clock=fake,
                          sleep=fake.sleep, errors=(Broken,))
    assert str(outcomes[0][1]) == 'read failed' and 'may or may not' in str(outcomes[1][1])

    def bad_look(pending):
        raise Broken('list failed')
    outcomes = adopt_each(losts(2), bad_look, 5.0, 'run', 'the runs', 'safe', clock=fake, sleep=fake.sleep,
                          errors=(Broken,))
    assert [str(failure) for found, failure in outcomes] == ['list failed'] * 2
    # other exceptions are not caught
    with pytest.raises(Broken):
        adopt_each(losts(1), bad_look, 5.0, 'run', 'the runs', 'safe', clock=fake, sleep=fake.sleep)
