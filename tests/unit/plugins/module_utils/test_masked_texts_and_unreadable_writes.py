# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Masked texts and writes answered unreadably: paths the first fixes for these left out, over the replay server
(real HTTP).

- vro_execution_info listing runs (a workflow's, or every workflow's from the catalog): a list entry is a summary
  (no parameters), so the SecureString values that its ``contentException`` attribute or its log lines quote were
  not known and came out in clear; the one-run read masked them.
- orch_task create (ICO) answered with success but a body that cannot be read (HTML, wrong shape) and no Location.
- vRO: a start accepted (202) without naming its run was adopted or failed as if its answer had been lost ("may or may
  not have been applied", changed false): it was applied.
- VCF: a value under a key about a password (passwordExpiresAt: a date) was masked in every text of the task.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_vro_hostile_readings import (
    API, DEFINITION, EID, GENERATED, LIST, LOGS, QUOTING, RUN_PATH, START, WID, failed_run, listed, run_now, start_once,
)
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_ico_create_answers import (
    FIELDS, NoIdCreate, task as ico_task,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client, masked, names_a_secret
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.task import manage_task
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import Task, info_entry
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


# -- ICO: a create answered with success but a body that cannot be read ----------------------------------------------
#
# orch_task create answered 2xx with an HTML page (a proxy's) or a body of the wrong shape, and no Location: the task
# was created. Before, the HTML page failed as "often a proxy or load balancer error" (nothing said a task was made,
# changed false: running again made a second one), and a wrong shape failed with changed false. Now it is found as an
# answer without id is (test_ico_create_answers.py): the one task this user created since with these fields, or a
# failure with changed true saying a task was created and where to look.

UNREADABLE = [('<html><body>Created</body></html>', 'text/html'), ('<html><body>Created</body></html>', 'application/json'),
              ('["oops"]', 'application/json'), ('{"id": {"n": 1}}', 'application/json')]


class UnreadableCreate(NoIdCreate):
    """NoIdCreate whose POST answer has its own Content-Type."""

    def __init__(self, status, text, listing, content_type):
        super().__init__(status, text, listing)
        self.content_type = content_type

    def request(self, method, path, **kw):
        response = super().request(method, path, **kw)
        response.headers['Content-Type'] = self.content_type
        return response


@pytest.mark.parametrize('text,content_type', UNREADABLE)
def test_an_unreadable_create_answer_finds_the_created_task_and_posts_once(text, content_type):
    client = UnreadableCreate(201, text, [ico_task('1', 1000, **FIELDS), ico_task('2', 100000, **FIELDS)], content_type)
    engine = TaskEngine(client, user='admin', project='admin', clock=lambda: 99.0)
    result = manage_task(engine, None, FIELDS, 'present', warn=client.warn)
    assert result['task']['id'] == '2' and result['changed'] is True and result['msg'] == 'created task 2'
    assert client.posts == 1 and client.gets == 1
    assert len(client.warnings) == 1 and 'named no task' in client.warnings[0]


@pytest.mark.parametrize('text,content_type', UNREADABLE)
def test_an_unreadable_create_answer_and_no_match_says_a_task_was_created(text, content_type):
    client = UnreadableCreate(201, text, [], content_type)
    engine = TaskEngine(client, user='admin', project='admin', clock=lambda: 99.0)
    with pytest.raises(OperationError) as info:
        manage_task(engine, None, FIELDS, 'present', warn=client.warn)
    message = str(info.value)
    assert '\n' not in message and 'created a task (HTTP 201)' in message and 'orch_task_info' in message, message
    assert info.value.result.get('changed') is True and client.posts == 1


# -- VCF: a value under a key about a password (not the password) is not masked in every text -----------------------
#
# The session masks, in every text of a task, the values found under secret-named keys. The 9.0 spec's
# LocalOsUserAccount has passwordExpiresAt, passwordInactiveAt and lastPasswordChange: dates, not secrets. A date found
# under such a key in an error's context was replaced by ******** in every message of the task (the very date the user
# needs), while the key's own value stays masked as before.

EXPIRES = '2026-12-01T00:00:00Z'
NEW_PASSWORD = 'N3w-Secr3t#9'


def _expiry_task():
    return {'id': 't-1', 'name': 'Rotate root on esx01', 'status': 'FAILED',
            'errors': [{'errorCode': 'PASSWORD_EXPIRED', 'message': 'the password of root on esx01 expired at %s' % EXPIRES,
                        'context': {'passwordExpiresAt': EXPIRES, 'lastPasswordChange': '2026-09-01T00:00:00Z',
                                    'host': 'esx01'}}],
            'subTasks': [{'name': 'Update password', 'status': 'FAILED', 'newPassword': NEW_PASSWORD, 'validToken': 'yes-really',
                          'errors': [{'message': 'esx01 refused %s; token yes-really seen' % NEW_PASSWORD}]}]}


def test_a_date_under_a_key_about_a_password_stays_in_the_messages():
    task = Task(_expiry_task())
    messages = [error['message'] for error in task.result()['errors']]
    assert messages[0] == 'the password of root on esx01 expired at %s' % EXPIRES, messages
    # The password itself is still masked wherever it is quoted, and a key that only ends in '...idToken' letters is not
    # a secret's name.
    assert messages[1] == 'esx01 refused ********; token yes-really seen', messages
    text = json.dumps([info_entry(task), task.result()])
    assert NEW_PASSWORD not in text and EXPIRES in text


@pytest.mark.parametrize('key, names', [('password', True), ('newPassword', True), ('ROOT_PASSWORD', True),
                                        ('clientSecret', True), ('apiKey', True), ('api_key', True), ('APIKey', True),
                                        ('privateKey', True), ('secretKey', True), ('accessToken', True), ('idToken', True),
                                        ('passphrase', True), ('passwordExpiresAt', False),
                                        ('lastPasswordChange', False), ('passwordInactiveAt', False),
                                        ('validToken', False), ('secretName', False), ('passwordPolicy', False)])
def test_which_keys_name_a_secret(key, names):
    assert names_a_secret(key) is names


# -- vRO: a start accepted (202) but naming no run is applied: the adoption never says "lost" nor "may or may not" -----

def _two_listed(first, second):
    links = []
    for run in (first, second):
        attrs = [{'name': 'id', 'value': run['id']}, {'name': 'state', 'value': run['state']},
                 {'name': 'startDate', 'value': run['start-date']}]
        links.append({'rel': 'down', 'href': 'https://vro.example.com%s/workflows/%s/executions/%s/' % (API, WID, run['id']),
                      'attributes': attrs})
    return {'link': links, 'total': 2}


def test_an_accepted_unnamed_start_is_said_accepted_when_adopted():
    run = run_now()
    routes = {'GET %s/workflows/%s' % (API, WID): [respond(200, DEFINITION)], START: [respond(202, None)],
              LIST: [respond(200, listed(run))], 'GET %s' % RUN_PATH: [respond(200, run)]}
    result, server, warnings = start_once(routes)
    assert result['execution_id'] == EID and result['adopted'] is True and len(server.calls('POST')) == 1
    assert len(warnings) == 1 and warnings[0].startswith('the server accepted POST ') and '(HTTP 202)' in warnings[0]
    assert 'was lost' not in warnings[0], warnings


def test_an_accepted_unnamed_start_with_two_candidates_fails_changed_and_adopts_none():
    first, second = run_now(), run_now(id='e-10')
    routes = {'GET %s/workflows/%s' % (API, WID): [respond(200, DEFINITION)], START: [respond(202, None)],
              LIST: [respond(200, _two_listed(first, second))], 'GET %s' % RUN_PATH: [respond(200, first)],
              'GET %s/workflows/%s/executions/e-10' % (API, WID): [respond(200, second)]}
    result, server, warnings = start_once(routes)
    assert isinstance(result, OperationError), result
    message = str(result)
    assert message.startswith('the server accepted POST ') and 'may or may not' not in message, message
    assert sorted(result.result['execution_ids']) == ['e-10', EID] and result.result['changed'] is True
    assert len(server.calls('POST')) == 1 and warnings == []


def test_a_user_chosen_key_about_a_password_is_masked_under_itself_only():
    # An ICO task's parm keys are the user's: "passwordPolicy: strong" keeps its own value hidden, but "strong" in the
    # other texts of the task is a word, not a secret (one rule for ICO and VCF: _client.names_a_secret).
    task = {'parm': {'passwordPolicy': 'strong', 'db_password': 'Hunter2-x'},
            'error_message': 'policy strong refused Hunter2-x'}
    shown = masked(task)
    assert shown['parm'] == {'passwordPolicy': '********', 'db_password': '********'}
    assert shown['error_message'] == 'policy strong refused ********'
