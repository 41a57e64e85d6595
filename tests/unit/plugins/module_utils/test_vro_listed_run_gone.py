# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vro_execution_info lists runs with fetch_logs: a listed run deleted before it is read in full (404) leaves the list
whole (its logs empty, a warning), and no log of it is asked for; its exception shows as the listing gave it."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import respond
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_masked_texts_and_unreadable_writes import (
    _catalog_entry, _list_entry, _read)
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_vro_hostile_readings import (
    API, EID, RUN_PATH, WID, failed_run)

GONE = {'errorMessage': 'execution %s not found' % EID}


@pytest.mark.parametrize('listing', ['one-workflow', 'every-workflow'])
def test_a_run_deleted_between_its_listing_and_its_read_leaves_the_list_whole(listing):
    run = dict(failed_run(), **{'content-exception': 'boom'})
    routes = {'GET %s' % RUN_PATH: [respond(404, GONE)], 'GET %s/logs' % RUN_PATH: [respond(404, GONE)],
              'GET %s/syslogs' % RUN_PATH: [respond(404, GONE)]}
    if listing == 'one-workflow':
        routes['GET %s/workflows/%s/executions' % (API, WID)] = [respond(200, _list_entry(run))]
        options = {'workflow_id': WID}
    else:
        routes['GET %s/catalog/System/WorkflowToken' % API] = [respond(200, _catalog_entry(run))]
        options = {}
    warnings = []
    result, server = _read(routes, fetch_logs=True, fetch_syslogs=True, warn=warnings.append, **options)
    entry = result['executions'][0]
    assert result['count'] == 1 and entry['execution_id'] == EID and entry['content_exception'] == 'boom'
    assert entry['logs'] == [] and entry['syslogs'] == []
    assert len(server.calls('GET', RUN_PATH)) == 1
    assert server.calls('GET', RUN_PATH + '/logs') == [] and server.calls('GET', RUN_PATH + '/syslogs') == []
    assert len(warnings) == 1 and 'deleted after it was listed' in warnings[0] and EID in warnings[0]
