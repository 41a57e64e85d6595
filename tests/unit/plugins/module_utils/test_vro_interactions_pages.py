# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``workflow_of_pending_run`` reads every page of ``GET /interactions`` that the server says it has (its ``total``),
within the client's page guard, and only the first when that page holds them all (the 8.18 spec's answer)."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.interaction_api import InteractionApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro import model
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond

ROUTE = 'GET /vco/api/interactions'


def _link(number):
    return {'rel': 'down', 'href': 'https://vro/vco/api/workflows/wf-%d/executions/run-%d/interaction/' % (number, number),
            'attributes': [{'name': 'executionId', 'value': 'run-%d' % number}, {'name': 'workflowId', 'value': 'wf-%d' % number}]}


def _page(numbers, total):
    return respond(200, {'link': [_link(n) for n in numbers], 'total': total})


def _find(steps, execution_id):
    with ReplayServer({ROUTE: steps}) as server:
        api = InteractionApi(Client(server.url, **CONNECTIONS['vro'], retries=0))
        try:
            return api.workflow_of_pending_run(execution_id), [r.path for r in server.calls('GET')]
        except ApiError as error:
            return error, [r.path for r in server.calls('GET')]


def test_a_run_on_a_later_page_is_found():
    found, paths = _find([_page([1, 2], 5), _page([3, 4], 5), _page([5], 5)], 'run-5')
    assert found == 'wf-5'
    assert paths == ['/vco/api/interactions', '/vco/api/interactions?startIndex=2&maxResult=2',
                     '/vco/api/interactions?startIndex=4&maxResult=2']


def test_reading_stops_at_the_page_that_holds_the_run():
    found, paths = _find([_page([1, 2], 5), _page([3, 4], 5), _page([5], 5)], 'run-3')
    assert found == 'wf-3' and len(paths) == 2


@pytest.mark.parametrize('total', [2, None])
def test_one_page_that_holds_every_interaction_is_the_only_request(total):
    found, paths = _find([_page([1, 2], total)], 'run-9')
    assert found is None and paths == ['/vco/api/interactions']


def test_a_run_listed_nowhere_reads_to_the_end_and_is_none():
    found, paths = _find([_page([1, 2], 3), _page([3], 3)], 'run-9')
    assert found is None and len(paths) == 2


def test_a_server_that_ignores_start_index_is_stopped_by_the_page_guard():
    found, paths = _find([_page([1, 2], 5)], 'run-9')
    assert isinstance(found, ApiError) and found.kind == 'paging' and 'same page again' in str(found)
    assert len(paths) == 2


def test_an_entry_naming_its_run_in_the_href_only_is_found():
    # VMware's o11n workflow manager (UserInteractionModel) reads only id, createDate, name and description from the
    # attributes, and the workflow and run ids from the href.
    def bare(number):
        return {'rel': 'down', 'href': 'https://vro/vco/api/workflows/wf-%d/executions/run-%d/interaction/' % (number, number),
                'attributes': [{'name': 'id', 'value': 'ui-%d' % number}, {'name': 'name', 'value': 'Approve'},
                               {'name': 'createDate', 'value': '2026-01-01T10:00:00.000+00:00'}]}
    steps = [respond(200, {'link': [bare(1), bare(22)], 'total': 2})]
    found, paths = _find(list(steps), 'run-22')
    assert found == 'wf-22' and paths == ['/vco/api/interactions']
    missing, paths = _find(list(steps), 'run-2')
    assert missing is None and paths == ['/vco/api/interactions']


def test_a_list_entry_naming_its_run_only_in_its_href_reports_that_run_and_no_made_up_state():
    # the attributes VMware's UserInteractionModel reads (vro-interactions-bare-attributes): no run, no state
    link = {'href': 'https://vro.example.com:443/vco/api/workflows/w-1/executions/e%2D2/interaction/', 'rel': 'down',
            'attributes': [{'name': 'id', 'value': 'i-3'}, {'name': 'name', 'value': 'Approve'},
                           {'name': 'createDate', 'value': '2026-11-30T05:00:00Z'}, {'name': 'description', 'value': ''}]}
    result = model.UserInteraction.from_link(link).to_result()
    assert (result['id'], result['name'], result['execution_id']) == ('i-3', 'Approve', 'e-2')
    assert result.get('state') is None
    assert model.run_in_href('https://vro.example.com/vco/api/interactions/') is None
