# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs across workflows from the catalog (issue 14 item 12): the other readings of the catalog, over a real socket."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.catalog_api import CatalogApi
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond

TOKENS = '/vco/api/catalog/System/WorkflowToken'


def token(tid, wid, state, start, user='ann'):
    attrs = {'id': tid, 'title': 'Run ' + tid, 'workflowId': wid, 'globalState': state, 'startDate': start, 'startedBy': user}
    return {'href': 'https://h/vco/api/catalog/System/WorkflowToken/%s/' % tid, 'rel': 'down',
            'attributes': [{'name': k, 'value': v} for k, v in attrs.items()]}


def test_a_refused_state_condition_falls_back_to_one_plain_read_filtered_and_sorted_here():
    body = {'link': [token('t1', 'w1', 'failed', '2026-01-01T10:00:00Z'), token('t2', 'w2', 'completed', '2026-01-02T10:00:00Z'),
                     token('t3', 'w2', 'failed', '2026-01-03T10:00:00Z', user='bob')], 'total': 3}
    routes = {'GET ' + TOKENS: [respond(400, {'message': "Unsupported condition 'state'"}), respond(200, body)]}
    with ReplayServer(routes) as server:
        api = CatalogApi(Client(server.url, **CONNECTIONS['vro']))
        runs, truncated = api.list_all_executions(states=['failed', 'canceled'])
        queries = [parse_qs(urlsplit(r.path).query) for r in server.requests]
    assert [r.id for r in runs] == ['t3', 't1'] and truncated is False
    assert [(r.workflow_id, r.state, r.name) for r in runs] == [('w2', 'failed', 'Run t3'), ('w1', 'failed', 'Run t1')]
    assert runs[0].href == server.url + '/vco/api/workflows/w2/executions/t3/'
    # One refused query with the condition, then one plain read: not one per state.
    assert [q.get('conditions') for q in queries] == [['state=failed'], None]


def test_the_bounded_read_says_when_it_was_cut_short():
    body = {'link': [token('t%d' % i, 'w1', 'failed', '2026-01-01T10:00:0%dZ' % i) for i in range(3)], 'total': 9}
    with ReplayServer({'GET ' + TOKENS: [respond(200, body)]}) as server:
        api = CatalogApi(Client(server.url, **CONNECTIONS['vro']))
        runs, truncated = api.list_all_executions(started_by='ann', scan_max=3, max_results=2)
    assert truncated is True and [r.id for r in runs] == ['t2', 't1']


def test_an_entry_whose_id_cannot_be_a_path_segment_is_left_out_with_one_warning():
    body = {'link': [token('t1', 'w1', 'failed', '2026-01-01T10:00:00Z'), token('..', 'w1', 'failed', '2026-01-02T10:00:00Z'),
                     token('a/b', 'w2', 'failed', '2026-01-03T10:00:00Z'), token('t4', '..', 'failed', '2026-01-04T10:00:00Z'),
                     token('t5', 'w2', 'failed', '2026-01-05T10:00:00Z')], 'total': 5}
    warnings = []
    with ReplayServer({'GET ' + TOKENS: [respond(200, body)]}) as server:
        api = CatalogApi(Client(server.url, **CONNECTIONS['vro']))
        runs, truncated = api.list_all_executions(warn=warnings.append)
        paths = [urlsplit(r.path).path for r in server.requests]
    assert [r.id for r in runs] == ['t5', 't1'] and truncated is False
    assert [r.href for r in runs] == [server.url + '/vco/api/workflows/w2/executions/t5/',
                                      server.url + '/vco/api/workflows/w1/executions/t1/']
    assert len(warnings) == 1 and 'listed 3 entries' in warnings[0] and 'left out' in warnings[0] and '\n' not in warnings[0]
    assert paths == [TOKENS]  # the catalog only: nothing built from the entries left out


def test_a_404_for_system_workflowtoken_reads_system_workflowexecution_once_known():
    execs = '/vco/api/catalog/System/WorkflowExecution'
    failed = {'link': [token('t1', 'w1', 'failed', '2026-01-01T10:00:00Z')], 'total': 1}
    canceled = {'link': [token('t2', 'w2', 'canceled', '2026-01-02T10:00:00Z')], 'total': 1}
    routes = {'GET ' + TOKENS: [respond(404, {'message': 'Not found'})], 'GET ' + execs: [respond(200, failed), respond(200, canceled)]}
    with ReplayServer(routes) as server:
        api = CatalogApi(Client(server.url, **CONNECTIONS['vro']))
        runs, truncated = api.list_all_executions(states=['failed', 'canceled'])
        paths = [urlsplit(r.path).path for r in server.requests]
    assert [r.id for r in runs] == ['t2', 't1'] and truncated is False
    assert runs[0].href == server.url + '/vco/api/workflows/w2/executions/t2/'
    # One 404 for the first name, then the second name for both states: the GET is not sent twice to the 404.
    assert paths == [TOKENS, execs, execs]


def test_an_entry_naming_no_workflow_gets_it_from_the_relations_of_its_own_catalog_item():
    def bare(tid, state, start):  # the attributes VMware's o11n workflow manager reads: no workflowId
        attrs = {'id': tid, 'name': 'Run ' + tid, 'state': state, 'startDate': start, 'type': 'WorkflowExecution'}
        return {'href': 'https://h/vco/api/catalog/System/WorkflowToken/%s/' % tid, 'rel': 'down',
                'attributes': [{'name': k, 'value': v} for k, v in attrs.items()]}
    body = {'link': [bare('t1', 'failed', '2026-01-01T10:00:00Z'), bare('t2', 'failed', '2026-01-02T10:00:00Z'),
                     bare('t3', 'failed', '2026-01-03T10:00:00Z')], 'total': 3}
    item = {'relations': {'link': [{'rel': 'up', 'href': 'https://elsewhere.example/vco/api/workflows/w9/'}]}}
    unsafe = {'relations': {'link': [{'rel': 'up', 'href': 'https://h/vco/api/workflows/%2E%2E/'}]}}
    routes = {'GET ' + TOKENS: [respond(200, body)], 'GET %s/t3' % TOKENS: [respond(200, item)],
              'GET %s/t2' % TOKENS: [respond(404, {'message': 'gone'})], 'GET %s/t1' % TOKENS: [respond(200, unsafe)]}
    with ReplayServer(routes) as server:
        api = CatalogApi(Client(server.url, **CONNECTIONS['vro']))
        runs, truncated = api.list_all_executions(states=['failed'])
        paths = [urlsplit(r.path).path for r in server.requests]
    assert [(r.id, r.workflow_id) for r in runs] == [('t3', 'w9'), ('t2', None), ('t1', None)]
    # The id comes from the link; the URL is the configured server's, never the link's host.
    assert runs[0].href == server.url + '/vco/api/workflows/w9/executions/t3/' and runs[1].href is None
    assert paths == [TOKENS, TOKENS + '/t3', TOKENS + '/t2', TOKENS + '/t1']
