# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Second reading of session 20 (review): paths the session's fixes left out, over the replay server (real HTTP).

- vro_execution_info listing runs (a workflow's, or every workflow's from the catalog): a list entry is a summary
  (no parameters), so the SecureString values that its ``contentException`` attribute or its log lines quote were
  not known and came out in clear; the one-run read masked them.
"""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_vro_hostile_readings import (
    API, EID, GENERATED, LOGS, QUOTING, RUN_PATH, WID, failed_run,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.execution_info import execution_info
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_api import RunApi


def _attrs(run, **more):
    attrs = dict({'id': run['id'], 'name': 'Deploy', 'state': run['state'], 'startDate': run['start-date'],
                  'endDate': run['end-date'], 'contentException': run['content-exception']}, **more)
    return [{'name': key, 'value': value} for key, value in attrs.items()]


def _list_entry(run):
    return {'relations': {'link': [{'rel': 'down', 'href': 'https://vro.example.com%s/' % RUN_PATH,
                                    'attributes': _attrs(run)}], 'total': 1}}


def _catalog_entry(run):
    return {'link': [{'rel': 'down', 'href': 'https://vro.example.com%s/catalog/System/WorkflowToken/%s/' % (API, EID),
                      'attributes': _attrs(run, workflowId=WID)}], 'total': 1}


def _read(routes, **options):
    with ReplayServer(routes) as server:
        api = RunApi(Client(server.url, retries=0, sleep=lambda s: None, **CONNECTIONS['vro']))
        return execution_info(api, **options), server


@pytest.mark.parametrize('fetch', [{'fetch_logs': True}, {'fetch_syslogs': True}, {}], ids=['logs', 'syslogs', 'no-logs'])
def test_listing_a_workflows_runs_never_shows_a_secure_output_they_quote(fetch):
    run = failed_run()
    routes = {'GET %s/workflows/%s/executions' % (API, WID): [respond(200, _list_entry(run))],
              'GET %s' % RUN_PATH: [respond(200, run)], 'GET %s/logs' % RUN_PATH: [respond(200, LOGS)],
              'GET %s/syslogs' % RUN_PATH: [respond(200, LOGS)]}
    result, server = _read(routes, workflow_id=WID, **fetch)
    text = repr(result)
    assert GENERATED not in text and 'Deep-Pw-9' not in text, text
    entry = result['executions'][0]
    assert entry['execution_id'] == EID and entry['content_exception'] == QUOTING.replace(GENERATED, '********').replace(
        'Deep-Pw-9', '********')
    for key in fetch:
        assert entry[key[len('fetch_'):]][0]['short_description'] == 'setting ********'
    # The summary stays a summary (no inputs/outputs without details); the run was read once to know its secrets.
    assert 'outputs' not in entry and len(server.calls('GET', RUN_PATH)) == 1


def test_listing_every_workflows_runs_never_shows_a_secure_output_they_quote():
    run = failed_run()
    routes = {'GET %s/catalog/System/WorkflowToken' % API: [respond(200, _catalog_entry(run))],
              'GET %s' % RUN_PATH: [respond(200, run)], 'GET %s/logs' % RUN_PATH: [respond(200, LOGS)]}
    result, server = _read(routes, fetch_logs=True)
    text = repr(result)
    assert GENERATED not in text and 'Deep-Pw-9' not in text, text
    entry = result['executions'][0]
    assert entry['execution_id'] == EID and entry['content_exception'].startswith('could not set password ********')
    assert entry['logs'][0]['long_description'].startswith('could not set password ********')


def test_a_listed_run_without_exception_or_logs_is_not_read_again():
    run = dict(failed_run(), state='completed', **{'content-exception': ''})
    routes = {'GET %s/workflows/%s/executions' % (API, WID): [respond(200, _list_entry(run))],
              'GET %s' % RUN_PATH: [respond(200, run)]}
    result, server = _read(routes, workflow_id=WID)
    assert result['count'] == 1 and server.calls('GET', RUN_PATH) == []
