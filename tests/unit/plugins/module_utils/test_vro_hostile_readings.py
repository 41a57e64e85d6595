# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vRO runners against readings of a real server that the simulator does not play (part 20 audit), over a small
replay server (real HTTP): what each answer must lead to, and how many requests of each kind were sent.

- A start accepted (202) whose answer names no run (no ``Location``, a ``Location`` that names no run, a body that is
  not a run): the run exists, so the start is never sent again; the run is looked for and adopted as after a lost
  answer. Before, the module failed and the run went on unseen.
- A relative ``Location`` on a start (RFC 9110 section 10.2.2 allows one; API-NOTES: the id is read from it): read
  against the URL of the POST.
- A scheduled-task update answered with the body of another task (an id not the one updated): that body is not the
  task; the task is read back.
- Basic refused with a 401 whose ``WWW-Authenticate`` names Bearer and not Basic (vRO 8 without basic authentication
  enabled, API-NOTES): the message says to log in through vRA, not to check a password that may well be right.
"""

from __future__ import annotations

import datetime
import time

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import format_date
from ansible_collections.cloudops.orchestrator.plugins.module_utils._waiter import Waiter
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.auth import choose_auth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_api import RunApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_api import ScheduledTasks
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.workflow_run import RunOptions, start_runs
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.execution_info import execution_info
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.clocks import SleepClock

API = '/vco/api'
WID = 'w-1'
EID = 'e-9'
DEFINITION = {'id': WID, 'name': 'Deploy', 'input-parameters': [{'name': 'host', 'type': 'string'}]}
HOST = [{'name': 'host', 'type': 'string', 'value': {'string': {'value': 'web01'}}}]
START = 'POST %s/workflows/%s/executions' % (API, WID)
LIST = 'GET %s/workflows/%s/executions' % (API, WID)
RUN_PATH = '%s/workflows/%s/executions/%s' % (API, WID, EID)


def run_now(**fields):
    """The run the start made, started now (server clock: the replay server's Date header)."""
    now = format_date(datetime.datetime.fromtimestamp(time.time(), datetime.timezone.utc))
    return dict({'id': EID, 'state': 'completed', 'start-date': now, 'end-date': now, 'input-parameters': HOST,
                 'output-parameters': []}, **fields)


def listed(run):
    attrs = [{'name': 'id', 'value': run['id']}, {'name': 'state', 'value': run['state']},
             {'name': 'startDate', 'value': run['start-date']}]
    return {'link': [{'rel': 'down', 'href': 'https://vro.example.com%s/' % RUN_PATH, 'attributes': attrs}], 'total': 1}


def start_once(routes, timeout=30):
    clock = SleepClock()
    warnings = []
    opts = RunOptions(workflow_id=WID, warn=warnings.append,
                      waiter=lambda: Waiter(timeout=30, interval=1.0, interval_max=5.0, clock=clock, sleep=clock.sleep))
    with ReplayServer(routes) as server:
        api = RunApi(Client(server.url, retries=0, timeout=timeout, sleep=lambda s: None, **CONNECTIONS['vro']))
        try:
            result = start_runs(api, [{'host': 'web01'}], opts)
        except OperationError as error:
            result = error
        return result, server, warnings


UNNAMED = [
    pytest.param(respond(202, None), id='empty-no-location'),
    pytest.param(respond(202, None, {'Location': 'https://vro.example.com/vco/api/workflows/%s/' % WID}),
                 id='location-names-no-run'),
    pytest.param(respond(202, '<html><body>Accepted</body></html>', content_type='text/html'), id='html-body'),
    pytest.param(respond(200, {'state': 'running'}), id='200-body-without-id'),
]


@pytest.mark.parametrize('answer', UNNAMED)
def test_an_accepted_start_that_names_no_run_is_adopted_not_resent(answer):
    run = run_now()
    routes = {'GET %s/workflows/%s' % (API, WID): [respond(200, DEFINITION)], START: [answer],
              LIST: [respond(200, listed(run))], 'GET %s' % RUN_PATH: [respond(200, run)]}
    result, server, warnings = start_once(routes)
    assert isinstance(result, dict), result
    assert result['execution_id'] == EID and result['adopted'] is True and result['changed'] is True
    assert result['state'] == 'completed'
    assert len(server.calls('POST')) == 1
    assert len(warnings) == 1 and EID in warnings[0] and 'instead of sending it again' in warnings[0], warnings


def test_an_accepted_start_that_names_no_run_and_shows_none_fails_saying_it_was_applied():
    routes = {'GET %s/workflows/%s' % (API, WID): [respond(200, DEFINITION)], START: [respond(202, None)],
              LIST: [respond(200, {'link': [], 'total': 0})]}
    # A short request timeout: a short adoption window (timeout + margin), fewer looks.
    result, server, warnings = start_once(routes, timeout=1)
    assert isinstance(result, OperationError), result
    message = str(result)
    # A 202 is a start that happened (review s20): never "may or may not have been applied", and changed.
    assert 'it was applied' in message and 'may or may not' not in message and 'named no execution' in message, message
    assert 'vro_execution_info' in message and '\n' not in message, message
    assert len(server.calls('POST')) == 1 and warnings == [] and result.result['changed'] is True


@pytest.mark.parametrize('location', ['executions/%s' % EID, 'executions/%s/' % EID, './executions/%s' % EID])
def test_a_relative_location_names_the_run_read_against_the_post(location):
    run = run_now()
    routes = {'GET %s/workflows/%s' % (API, WID): [respond(200, DEFINITION)],
              START: [respond(202, None, {'Location': location})],
              'GET %s/state' % RUN_PATH: [respond(200, {'value': 'completed'})], 'GET %s' % RUN_PATH: [respond(200, run)]}
    result, server, warnings = start_once(routes)
    assert isinstance(result, dict), result
    assert result['execution_id'] == EID and result['adopted'] is False and result['state'] == 'completed'
    assert len(server.calls('POST')) == 1 and not server.calls('GET', LIST.split(' ', 1)[1]) and warnings == []


# -- scheduled tasks ----------------------------------------------------------------------------------------------

TASK_ID = '8a7480d3-1e4f-4b7e-9b2f-0f0e0d0c0b0a'
TASK = {'id': TASK_ID, 'name': 'nightly', 'state': 'pending', 'start-mode': 'normal',
        'workflow': {'id': WID, 'name': 'Deploy'}, 'recurrence-cycle': 'every-days',
        'recurrence-start-date': '2030-01-01T04:00:00Z'}


@pytest.mark.parametrize('answer_id', ['0b0a0c0d-0000-4000-8000-000000000001', TASK_ID.upper()],
                         ids=['another-task', 'same-id-upper-case'])
def test_a_task_update_answered_with_another_task_reads_the_task_back(answer_id):
    other = dict(TASK, id=answer_id, name='someone else', **{'recurrence-start-date': '2031-05-05T05:00:00Z'})
    path = '%s/tasks/%s' % (API, TASK_ID)
    routes = {'POST %s' % path: [respond(200, other)], 'GET %s' % path: [respond(200, TASK)]}
    with ReplayServer(routes) as server:
        tasks = ScheduledTasks(Client(server.url, retries=0, sleep=lambda s: None, **CONNECTIONS['vro']))
        updated = tasks.update(TASK_ID, {'name': 'nightly'})
        reads = len(server.calls('GET', path))
        posts = len(server.calls('POST', path))
    assert posts == 1
    if answer_id.lower() == TASK_ID:
        # The same task, its id in capitals: the answer is the task.
        assert reads == 0 and updated.name == 'someone else'
    else:
        assert reads == 1 and updated.id == TASK_ID and updated.name == 'nightly'


# -- Basic refused by a server that takes only bearer tokens ------------------------------------------------------

@pytest.mark.parametrize('challenge, hinted', [
    ('Bearer error="invalid_token"', True),
    ('Bearer realm="vro", error="invalid_token", error_description="a, b"', True),
    ('Basic realm="vRealize Orchestrator"', False),
    ('Bearer realm="vro", Basic realm="vRealize Orchestrator"', False),
    (None, False),
])
def test_basic_refused_with_a_bearer_only_challenge_says_to_log_in_through_vra(challenge, hinted):
    # API-NOTES: vRO 8 takes Basic only when basic authentication is enabled on the server; a 401 whose challenge
    # (RFC 9110 11.6.1) names Bearer and not Basic is not a wrong password, and checking it again helps nothing.
    headers = {'WWW-Authenticate': challenge} if challenge else {}
    routes = {'GET %s/about' % API: [respond(401, {'status': 401, 'message': 'Unauthorized'}, headers)]}
    with ReplayServer(routes) as server:
        auth = choose_auth({'username': 'svc', 'password': 'pw-Secret-1'})
        client = Client(server.url, auth=auth, retries=0, sleep=lambda s: None, **CONNECTIONS['vro'])
        with pytest.raises(ApiError) as caught:
            client.get('/about')
        sent = len(server.requests)
    text = str(caught.value)
    assert sent == 1 and caught.value.status == 401 and '\n' not in text
    assert 'pw-Secret-1' not in text and auth.secrets[1] not in text
    assert ('auth: vra' in text) is hinted, text
    assert ('auth: vra' in (caught.value.to_result().get('hint') or '')) is hinted


# -- a SecureString value the run holds in clear, quoted in its exception and logs ---------------------------------

GENERATED = 'Gen-Pw-7731'
SECURE_OUT = [{'name': 'password', 'type': 'SecureString', 'value': {'secure-string': {'value': GENERATED}}},
              {'name': 'extra', 'type': 'Properties',
               'value': {'properties': {'property': [{'key': 'k', 'value': {'secure-string': {'value': 'Deep-Pw-9'}}}]}}}]
QUOTING = 'could not set password %s (and Deep-Pw-9) on web01' % GENERATED
LOGS = {'logs': [{'entry': {'severity': 'error', 'time-stamp': '2026-01-01T10:00:01Z',
                            'short-description': 'setting %s' % GENERATED, 'long-description': QUOTING}}]}


def failed_run():
    return run_now(state='failed', **{'output-parameters': SECURE_OUT, 'content-exception': QUOTING})


def test_execution_info_never_shows_a_secure_output_quoted_in_the_exception_or_the_logs():
    # vRO sends SecureString outputs in clear (return_secure_outputs exists for that): masked in outputs, they must not
    # come out through the run's content-exception or its log lines either.
    routes = {'GET %s' % RUN_PATH: [respond(200, failed_run())], 'GET %s/logs' % RUN_PATH: [respond(200, LOGS)]}
    with ReplayServer(routes) as server:
        api = RunApi(Client(server.url, retries=0, sleep=lambda s: None, **CONNECTIONS['vro']))
        result = execution_info(api, workflow_id=WID, execution_id=EID, fetch_logs=True)
    text = repr(result)
    assert GENERATED not in text and 'Deep-Pw-9' not in text, text
    assert result['state'] == 'failed' and result['content_exception'].startswith('could not set password ********')
    assert result['logs'][0]['short_description'] == 'setting ********' and result['outputs']['password'] == '********'


def test_a_failed_run_never_shows_a_secure_output_quoted_in_its_exception_in_the_message():
    run = failed_run()
    routes = {'GET %s/workflows/%s' % (API, WID): [respond(200, DEFINITION)],
              START: [respond(202, None, {'Location': '%s/' % RUN_PATH})],
              'GET %s/state' % RUN_PATH: [respond(200, {'value': 'failed'})], 'GET %s' % RUN_PATH: [respond(200, run)],
              'GET %s/logs' % RUN_PATH: [respond(200, LOGS)]}
    result, server, warnings = start_once(routes)
    assert isinstance(result, OperationError), result
    text = str(result) + repr(result.result)
    assert GENERATED not in text and 'Deep-Pw-9' not in text, text
    assert 'failed: could not set password ********' in str(result) and len(server.calls('POST')) == 1
