# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the vRO API layer under the readings the evidence leaves open (issue 13 items 5, 6, 8)."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import VroApi, by_time, safe_fragment
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond

API = '/vco/api'
WID = 'wf-1'
LIST = 'GET %s/workflows/%s/executions' % (API, WID)


def api_for(server):
    return VroApi(Client(server.url, retries=0, sleep=lambda s: None, **CONNECTIONS['vro']))


def runs_page(*runs):
    links = [{'rel': 'down', 'href': 'https://vro/vco/api/workflows/%s/executions/%s/' % (WID, rid),
              'attributes': [{'name': 'id', 'value': rid}, {'name': 'state', 'value': 'completed'},
                             {'name': 'startDate', 'value': start}]} for rid, start in runs]
    return {'relations': {'link': links, 'total': len(links)}}


@pytest.mark.parametrize('value, expected', [
    ('AWSNEW', (True, 'AWSNEW')),
    ('Deploy VM, Linux', (False, 'Deploy VM')),
    ('Backup & restore db=primary', (False, 'restore db')),
    ('a~b', (False, 'a')),
    (',,', (False, '')),
])
def test_safe_fragment(value, expected):
    assert safe_fragment(value) == expected


def test_logs_are_ordered_by_time_not_position():
    newest_first = [{'time_stamp': '2026-01-01T00:00:0%d.000Z' % s, 'short_description': str(s)} for s in (3, 2, 1)]
    assert [e['short_description'] for e in by_time(newest_first)] == ['1', '2', '3']
    same_ms = [{'time_stamp': '2026-01-01T00:00:02.000Z', 'short_description': 'b'},
               {'time_stamp': '2026-01-01T00:00:02.000Z', 'short_description': 'a'},
               {'time_stamp': '2026-01-01T00:00:01.000Z', 'short_description': 'first'}]
    # Newest first as a whole: turned round, so lines of one millisecond keep their relative order.
    assert [e['short_description'] for e in by_time(same_ms)] == ['first', 'a', 'b']
    undated = [{'time_stamp': None, 'short_description': 'x'}, {'time_stamp': None, 'short_description': 'y'}]
    assert by_time(undated) == undated


def test_a_rejected_date_condition_falls_back_to_plain_listing_once_per_task():
    routes = {LIST: [respond(400, {'message': "Unsupported condition attribute 'startDate'"}),
                     respond(200, runs_page(('old', '2026-01-01T00:00:00.000Z'), ('new', '2026-01-02T00:00:00.000Z')))]}
    with ReplayServer(routes) as server:
        api = api_for(server)
        first = api.list_executions(WID, started_after=1767225600.0 + 3600)  # after 'old', before 'new'
        second = api.list_executions(WID, started_after=1767225600.0 + 3600)
        queries = [r.path for r in server.requests]
    assert [r.id for r in first] == ['new'] and [r.id for r in second] == ['new']
    assert len(queries) == 3 and api.plain_listing
    assert 'sortOrders' in queries[0] and not any('sortOrders' in q or 'startDate' in q for q in queries[1:])


def test_an_ignored_date_condition_is_noticed_and_the_list_read_in_full():
    # The server answers oldest first and ignores the dates: with max_results 1 the newest run is still found.
    page = runs_page(('a', '2026-01-01T00:00:00.000Z'), ('b', '2026-01-02T00:00:00.000Z'), ('c', '2026-01-03T00:00:00.000Z'))
    with ReplayServer({LIST: [respond(200, page)]}) as server:
        api = api_for(server)
        runs = api.list_executions(WID, max_results=1)
    assert [r.id for r in runs] == ['c'] and api.plain_listing


def test_start_index_goes_to_the_server_for_one_sorted_query_and_is_applied_here_after_plain_listing():
    newest_first = runs_page(('c', '2026-01-03T00:00:00.000Z'), ('b', '2026-01-02T00:00:00.000Z'))
    with ReplayServer({LIST: [respond(200, newest_first)]}) as server:
        api = api_for(server)
        runs = api.list_executions(WID, states=['completed'], max_results=2, start_index=2)
        query = server.requests[0].path
    assert [r.id for r in runs] == ['c', 'b'] and not api.plain_listing
    assert 'startIndex=2' in query and 'maxResult=2' in query and 'sortOrders' in query
    # The server ignores the order (oldest first): every run is read from the first, sorted, and the first 2 skipped.
    oldest_first = runs_page(('a', '2026-01-01T00:00:00.000Z'), ('b', '2026-01-02T00:00:00.000Z'),
                             ('c', '2026-01-03T00:00:00.000Z'))
    with ReplayServer({LIST: [respond(200, oldest_first)]}) as server:
        api = api_for(server)
        runs = api.list_executions(WID, states=['completed'], max_results=2, start_index=2)
        queries = [r.path for r in server.requests]
    assert [r.id for r in runs] == ['a'] and api.plain_listing
    assert 'startIndex=2' in queries[0] and not any('startIndex=2' in q for q in queries[1:])
