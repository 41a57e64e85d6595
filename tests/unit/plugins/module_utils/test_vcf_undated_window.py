# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``completed_after`` and failures without a completion time: the 9.0 spec's ``completedAfter`` lists tasks "completed
after the given timestamp", and the VCF 4.4 reference's list sample has a ``Failed`` task without
``completionTimestamp``, which such a listing can never return. ``TaskService.list`` adds them from one listing with
the same filters, newest creation first, read until the window's start; an undated task counts as in the window when
it was created after its start."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import iso_from_ms
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import TaskService
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import matches_selector, selector_params

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_watch_variants import FakeClient

START = 1772366400000  # 2026-03-01T12:00:00Z
HOUR = 3600 * 1000


def stamp(ms):
    return iso_from_ms(ms).replace('+00:00', 'Z')


def task(task_id, created, completed=None, status='Failed'):
    raw = {'id': task_id, 'name': 'task %s' % task_id, 'status': status, 'creationTimestamp': stamp(created)}
    if completed is not None:
        raw['completionTimestamp'] = stamp(completed)
    return raw


# 250 failures without completion time created before the window, newest first; three inside it; one dated.
OLD = [task('old%03d' % n, START - (n + 1) * HOUR) for n in range(250)]
NEW = [task('new%d' % n, START + (3 - n) * HOUR) for n in range(3)]
DATED = task('dated', START + HOUR, START + 2 * HOUR)
GOOD = task('good', START + 5 * HOUR, status='Successful')


def sdddc(tasks, newest_first=True, refuse=None):
    """A server over ``tasks``: honours completedAfter (tasks with a completion time only), taskStatus (normalised),
    paging; orders by creation newest first, or ignores the order asked (oldest first) with ``newest_first=False``."""
    def answer(path, params):
        if refuse and refuse(params):
            return ApiError('GET', 'https://sddc.example.com/v1/tasks', 400, 'Bad request')
        found = list(tasks)
        if 'completedAfter' in params:
            found = [t for t in found if t.get('completionTimestamp') and t['creationTimestamp'] and
                     int(params['completedAfter']) < to_ms(t['completionTimestamp'])]
        if params.get('taskStatus'):
            found = [t for t in found if t['status'].upper() == params['taskStatus'].upper()]
        found.sort(key=lambda t: t['creationTimestamp'], reverse=newest_first)
        size, number = int(params['pageSize']), int(params.get('pageNumber', 0))
        return {'elements': found[number * size:(number + 1) * size],
                'pageMetadata': {'pageNumber': number, 'pageSize': size, 'totalElements': len(found),
                                 'totalPages': (len(found) + size - 1) // size}}
    return answer


def to_ms(text):
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import to_epoch_ms  # pylint: disable=import-outside-toplevel
    return to_epoch_ms(text)


def listing(tasks, selector, status='FAILED', newest_first=True, max_results=1000, refuse=None, **params):
    client = FakeClient('https://sddc.example.com/v1', sdddc(tasks, newest_first, refuse))
    client.warnings = []
    client.warn = client.warnings.append
    query = dict(selector_params(selector, status=status), **params)
    return TaskService(client).list(query, max_results=max_results), client


def test_undated_failures_created_in_the_window_are_listed_once_each_one_page_read():
    found, client = listing(OLD + NEW + [DATED, GOOD], {'completed_after': START})
    assert sorted(t.id for t in found) == ['dated', 'new0', 'new1', 'new2']
    sweeps = [params for path, params in client.gets if 'completedAfter' not in params]
    # One page per spelling of taskStatus, newest creation first: the page reaches a task created before the window and
    # the listing stops there (250 older failures are not read).
    assert [(p.get('pageNumber', 0), p['taskStatus'], p['orderBy'], p['orderDirection']) for p in sweeps] == [
        (0, 'Failed', 'creationTimestamp', 'DESC'), (0, 'FAILED', 'creationTimestamp', 'DESC')]
    assert len(client.gets) == 4


def test_a_server_that_ignores_the_order_is_read_on():
    found, client = listing(OLD + NEW, {'completed_after': START}, newest_first=False)
    assert sorted(t.id for t in found) == ['new0', 'new1', 'new2']
    assert len([p for path, p in client.gets if 'completedAfter' not in p]) == 2 * 3


def test_the_listing_is_bounded_by_max_results():
    found, client = listing(OLD + NEW, {'completed_after': START}, newest_first=False, max_results=100)
    assert found == []
    assert len([p for path, p in client.gets if 'completedAfter' not in p]) == 2 * 1


def test_a_task_both_listings_return_is_listed_once_and_the_order_asked_is_kept():
    # A server that dates a task in one listing and not in the other (two nodes): one entry, the dated one.
    twin = task('new1', START + 2 * HOUR, START + 2 * HOUR + 1000)
    tasks = [t for t in NEW if t['id'] != 'new1'] + [twin, DATED]
    client = FakeClient('https://sddc.example.com/v1', sdddc(tasks))

    def answer(path, params):
        body = sdddc(tasks)(path, params)
        if 'completedAfter' not in params:
            body['elements'] = [dict(t, completionTimestamp=None) if t['id'] == 'new1' else t for t in body['elements']]
        return body
    client.answer = answer
    found = TaskService(client).list(dict(selector_params({'completed_after': START}, status='FAILED'),
                                          orderBy='completionTimestamp', orderDirection='ASC'))
    # Ordered by completion, an undated failure at its creation.
    assert [(t.id, t.raw.get('completionTimestamp')) for t in found] == [
        ('new2', None), ('dated', DATED['completionTimestamp']), ('new1', twin['completionTimestamp']), ('new0', None)]


def test_no_status_lists_both_statuses_completed_after_covers():
    found, client = listing(OLD + NEW + [GOOD, task('x', START + HOUR, status='Cancelled')], {'completed_after': START},
                            status=None)
    assert sorted(t.id for t in found) == ['good', 'new0', 'new1', 'new2']
    assert len(client.gets) == 2


@pytest.mark.parametrize('params', [{'status': 'CANCELLED', 'selector': {'completed_after': START}},
                                    {'status': 'FAILED', 'selector': {}}])
def test_nothing_more_is_asked_when_not_needed(params):
    found, client = listing(OLD + NEW, params['selector'], status=params['status'])
    assert len(client.gets) == (2 if params['selector'] else 2 * 3)
    assert all('orderBy' not in p for path, p in client.gets)
    del found


def test_a_server_that_refuses_the_listing_by_creation_says_so_once():
    found, client = listing(NEW + [DATED], {'completed_after': START},
                            refuse=lambda params: params.get('orderBy') == 'creationTimestamp')
    assert [t.id for t in found] == ['dated']
    assert len(client.warnings) == 1 and 'without a completion time' in client.warnings[0]


def test_a_failure_without_completion_time_matches_the_window_by_its_creation():
    selector = {'completed_after': '2026-03-01T12:00:00Z'}
    assert matches_selector(NEW[0], selector)
    assert not matches_selector(OLD[0], selector)
    assert not matches_selector(task('d', START + HOUR, START - 1), selector)
    assert matches_selector(task('d', START - HOUR, START + 1), selector)
