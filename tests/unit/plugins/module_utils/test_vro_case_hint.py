# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wrong-case hint of a workflow name that was not found (``VroApi.other_case``): one bounded listing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import VroApi
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond

WORKFLOWS = '/vco/api/workflows'
NAMES = ['Echo typed inputs', 'Deploy VM', 'Sleep', 'Fail', 'Build 12345', 'Ask user', 'Clean up']


def inventory(request):
    """The workflows inventory, paged with maxResult/startIndex; ``name=`` exact, ``name~`` contains ignoring case."""
    query = parse_qs(urlsplit(request.path).query)
    found = list(enumerate(NAMES))
    for condition in query.get('conditions', []):
        if condition.startswith('name='):
            found = [(i, n) for i, n in found if n == condition[5:]]
        elif condition.startswith('name~'):
            found = [(i, n) for i, n in found if condition[5:].lower() in n.lower()]
    start, size = int(query['startIndex'][0]), int(query['maxResult'][0])
    links = [{'href': 'http://h%s/w%d/' % (WORKFLOWS, i), 'rel': 'down',
              'attributes': [{'name': 'id', 'value': 'w%d' % i}, {'name': 'name', 'value': n},
                             {'name': 'categoryName', 'value': 'Library'}]} for i, n in found[start:start + size]]
    return respond(200, {'link': links, 'total': len(found)})


def listings(server):
    return [parse_qs(urlsplit(r.path).query) for r in server.requests if urlsplit(r.path).path == WORKFLOWS]


def test_a_name_found_in_no_case_is_one_lookup_then_one_bounded_listing():
    with ReplayServer({'GET ' + WORKFLOWS: [inventory]}) as server:
        api = VroApi(Client(server.url, **CONNECTIONS['vro']))
        with pytest.raises(OperationError) as info:
            api.lookup_workflow('No such workflow')
        queries = listings(server)
    assert "no workflow named 'No such workflow'" in str(info.value) and 'case-sensitive' not in str(info.value)
    # The lookup (name=), then one listing for the hint: not a listing of every workflow followed by a second scan.
    assert [q.get('conditions') for q in queries] == [['name=No such workflow'], None]


def test_the_hint_listing_reads_at_most_scan_max_workflows():
    with ReplayServer({'GET ' + WORKFLOWS: [inventory]}) as server:
        api = VroApi(Client(server.url, **CONNECTIONS['vro']))
        assert api.other_case('ECHO TYPED INPUTS', scan_max=3)[0].id == 'w0'
        assert api.other_case('clean UP', scan_max=3) == []  # beyond the bound: no hint, and no further read
        queries = listings(server)
    assert [(q.get('conditions'), q['maxResult'], q['startIndex']) for q in queries] == [
        (None, ['3'], ['0']), (None, ['3'], ['0'])]


def test_a_name_with_no_cased_letter_is_narrowed_on_the_server_and_the_hint_names_the_right_case():
    with ReplayServer({'GET ' + WORKFLOWS: [inventory]}) as server:
        api = VroApi(Client(server.url, **CONNECTIONS['vro']))
        assert api.other_case('12345') == []
        with pytest.raises(OperationError) as info:
            api.lookup_workflow('echo typed INPUTS')
        queries = listings(server)
    assert "did you mean 'Echo typed inputs' (" in str(info.value)
    assert [q.get('conditions') for q in queries] == [['name~12345'], ['name=echo typed INPUTS'], None]
    assert '\n' not in str(info.value)
