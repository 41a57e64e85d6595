# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``/v1/tasks`` paging when ``pageMetadata`` contradicts the page it comes with: ``totalPages`` 0 or
``totalElements`` smaller than the elements already received (a server filling the counts before filtering, or
not at all). Counts that the answer itself disproves do not end the listing: it goes on to a short or empty page,
so that no task is silently left out; counts that agree still end it without an extra request."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import TaskService

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_watch_variants import FakeClient

TASKS = [{'id': 't%03d' % n, 'name': 'task %d' % n, 'status': 'FAILED'} for n in range(250)]


def server(meta):
    def answer(path, params):
        size, number = int(params['pageSize']), int(params.get('pageNumber', 0))
        return {'elements': TASKS[number * size:(number + 1) * size],
                'pageMetadata': dict(meta(number, size), pageNumber=number, pageSize=size)}
    return answer


@pytest.mark.parametrize('meta', [
    lambda number, size: {'totalPages': 0, 'totalElements': 0},
    lambda number, size: {'totalPages': 0},
    lambda number, size: {'totalElements': 0},
    lambda number, size: {'totalElements': 7, 'totalPages': 1},
], ids=['both-zero', 'pages-zero', 'elements-zero', 'elements-fewer'])
def test_counts_the_page_disproves_do_not_cut_the_listing(meta):
    client = FakeClient('https://sddc.example.com/v1', server(meta))
    found = TaskService(client).list({'taskStatus': 'FAILED'})
    assert sorted(t.id for t in found) == [t['id'] for t in TASKS]
    # Pages 0, 1, 2 (short: the last); no request past it.
    assert [params.get('pageNumber', 0) for path, params in client.gets if params.get('taskStatus') == 'Failed'] == [0, 1, 2]


def test_counts_that_agree_end_the_listing_without_an_extra_request():
    client = FakeClient('https://sddc.example.com/v1', server(
        lambda number, size: {'totalPages': 3, 'totalElements': 250}))
    assert len(TaskService(client).list({'taskStatus': 'FAILED'})) == 250
    assert [params.get('pageNumber', 0) for path, params in client.gets if params.get('taskStatus') == 'Failed'] == [0, 1, 2]
