# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vRO modules against a hostile server: the (module, fault) pairs the fault matrix (test_faults.py) and the
at-most-once tests (test_at_most_once.py) do not play.

- a dismiss (DELETE) or an answer (POST) of a user interaction whose answer was lost: the dismiss is reported as
  done, the answer is adopted, never sent twice; an answer refused with 503 is not sent again;
- a scheduled task update (POST /tasks/{id}) whose answer was lost: never sent twice, adopted when the task shows
  the change, else a one-line failure saying the update may or may not have been applied;
- an HTML page, a garbled JSON body or a JSON body of the wrong shape on the first request of every vRO module:
  a one-line failure, nothing changed on the server, no secret in the output;
- a start answered with a Location on another origin, or redirected there: nothing is sent there, never twice.
"""

from __future__ import annotations

import json
import os

import pytest

from _harness import run_playbook
from test_origin import Recorder, outcome, play, short_tmpdir

ECHO = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
AWSNEW = '3a0ab069-cf2f-47e0-96f5-4a8920a5dc51'
RUN_ID = '0f0e0d0c-0b0a-4909-8807-060504030201'
START = '/vco/api/workflows/%s/executions' % ECHO
INTERACTION = '/vco/api/workflows/*/executions/*/interaction'
TASK = 'playbooks/once/task.yml'
UNDER_TEST = 'Under test'
LOST = 'may or may not have been applied'
NIGHTLY = {'cycle': 'every-days', 'start': '2030-01-01T02:00:00Z'}
TRACEBACK_MARKERS = ('Traceback (most recent call last)', 'MODULE FAILURE', 'module_stderr')


def sent(sim, method, path_part):
    """How many ``method`` requests whose route contains ``path_part`` the simulator counted."""
    routes = sim.counters().get('routes', {})
    return sum(n for key, n in routes.items()
               if key.split(' ', 1)[0] == method and path_part in key.split(' ', 1)[1].rstrip('/'))


def fired(sim):
    return [f['fired'] for f in sim.admin('GET', 'faults')['faults']]


def runs_of(sim, workflow_id):
    return sim.admin('GET', 'vro/runs?workflow=%s' % workflow_id)['runs']


def clean(result):
    text = repr(result)
    for marker in TRACEBACK_MARKERS:
        assert marker not in text, text[:2000]
    msg = result.get('msg', '')
    assert msg and '\n' not in msg, msg
    return msg


# -- user interactions ----------------------------------------------------------------------------------------

def _approval(state='present', timeout=None):
    answer = {'workflow_name': 'Request approval', 'execution_id': '{{ started.execution_id }}', 'state': state,
              'inputs': {'approved': True, 'comment': 'hostile'}, 'poll_interval': 0.2, 'wait_timeout': 60}
    if timeout:
        answer['timeout'] = timeout
    return [
        {'name': 'start', 'module': 'vro_workflow_run',
         'args': {'workflow_name': 'Request approval', 'inputs': {'request': 'hostile server'},
                  'on_user_interaction': 'return', 'poll_interval': 0.2}, 'register': 'started'},
        {'name': UNDER_TEST, 'module': 'vro_interaction', 'args': answer},
    ]


def play_registered(sim, tasks, env=None):
    """``play`` with ``register`` kept (the answer needs the run id the start returned)."""
    body = []
    for task in tasks:
        entry = {'name': task['name'], 'cloudops.orchestrator.%s' % task['module']: task['args'], 'ignore_errors': True}
        if task.get('register'):
            entry['register'] = task['register']
        body.append(entry)
    with short_tmpdir() as tmp:
        path = os.path.join(tmp, 'hostile.yml')
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump([{'name': 'Hostile', 'hosts': 'localhost', 'gather_facts': False, 'tasks': body}], handle)
        return run_playbook(path, env=env or sim.env('vro'))


def test_dismiss_whose_answer_was_lost_reports_changed(fresh_simulator):
    # The DELETE dismissed the interaction and lost its answer; it is never sent again: read back, none is pending,
    # which is the effect of this task's own DELETE, not "already answered or dismissed".
    sim = fresh_simulator
    sim.faults({'route': INTERACTION, 'method': 'DELETE', 'kind': 'reset_after', 'count': 1})
    res = play_registered(sim, _approval(state='absent'))
    status, result = outcome(res, UNDER_TEST)
    assert fired(sim) == [1]
    assert status == 'ok', result
    assert sent(sim, 'DELETE', '/interaction') == 1
    assert result['changed'] is True and 'already' not in result['msg'], result['msg']
    assert result['state'] != 'waiting', result


def test_answer_whose_answer_was_lost_is_adopted_not_resent(fresh_simulator):
    sim = fresh_simulator
    sim.faults({'route': INTERACTION, 'method': 'POST', 'kind': 'reset_after', 'count': 1})
    res = play_registered(sim, _approval(timeout=1))
    status, result = outcome(res, UNDER_TEST)
    assert fired(sim) == [1]
    assert status == 'ok', result
    assert sent(sim, 'POST', '/interaction') == 1
    assert result['changed'] is True
    assert any('is answered' in w for w in result.get('warnings', [])), result.get('warnings')


def test_answer_dropped_before_the_server_acted_fails_saying_so(fresh_simulator):
    sim = fresh_simulator
    sim.faults({'route': INTERACTION, 'method': 'POST', 'kind': 'reset_before', 'count': 1})
    res = play_registered(sim, _approval(timeout=1))
    status, result = outcome(res, UNDER_TEST)
    msg = clean(result)
    assert fired(sim) == [1]
    assert status == 'ignored' and LOST in msg and 'still pending' in msg, msg
    assert sent(sim, 'POST', '/interaction') == 1


def test_answer_refused_with_503_is_sent_once(fresh_simulator):
    # A POST is not resent on 503 (only on 429 and 401, which say nothing was acted upon).
    sim = fresh_simulator
    sim.faults({'route': INTERACTION, 'method': 'POST', 'kind': 'status', 'status': 503})
    res = play_registered(sim, _approval())
    status, result = outcome(res, UNDER_TEST)
    msg = clean(result)
    assert status == 'ignored' and 'HTTP 503' in msg and '/interaction' in msg, msg
    assert sent(sim, 'POST', '/interaction') == 1
    assert fired(sim) == [1]


# -- scheduled task update ------------------------------------------------------------------------------------

def _task(sim, name, recurrence, timeout=None, expect_failure=False):
    extra = {'task_name': name, 'workflow_id': AWSNEW, 'inputs': {'name': 'web01'}, 'recurrence': recurrence}
    if timeout:
        extra['timeout'] = timeout
    return run_playbook(TASK, env=sim.env('vro'), extra_vars=extra, expect_failure=expect_failure)


def _updates_sent(sim):
    routes = sim.counters().get('routes', {})
    return sum(n for key, n in routes.items() if key.startswith('POST /vco/api/tasks/'))


def test_task_update_whose_answer_was_lost_is_adopted_not_resent(fresh_simulator):
    sim = fresh_simulator
    created = _task(sim, 'hostile update', NIGHTLY).result(UNDER_TEST)
    sim.faults({'route': '/vco/api/tasks/*', 'method': 'POST', 'kind': 'reset_after', 'count': 1})
    later = dict(NIGHTLY, start='2030-01-01T03:00:00Z')
    updated = _task(sim, 'hostile update', later, timeout=1).result(UNDER_TEST)
    assert fired(sim) == [1]
    assert _updates_sent(sim) == 1
    assert updated['changed'] is True and updated['task']['id'] == created['task']['id']
    assert any('adopted' in w and created['task']['id'] in w for w in updated.get('warnings', [])), updated
    # The update was applied once: a run without the fault finds the task up to date.
    again = _task(sim, 'hostile update', later).result(UNDER_TEST)
    assert again['changed'] is False, again


def test_task_update_dropped_before_the_server_acted_fails_saying_so(fresh_simulator):
    sim = fresh_simulator
    created = _task(sim, 'hostile dropped', NIGHTLY).result(UNDER_TEST)
    sim.faults({'route': '/vco/api/tasks/*', 'method': 'POST', 'kind': 'reset_before', 'count': 1})
    res = _task(sim, 'hostile dropped', dict(NIGHTLY, start='2030-01-01T03:00:00Z'), timeout=1, expect_failure=True)
    result = res.failed_results()[0]['result']
    msg = clean(result)
    assert fired(sim) == [1]
    assert _updates_sent(sim) == 1
    assert LOST in msg and created['task']['id'] in msg and 're-running' in msg, msg
    assert result['error']['details']['sent'] is True


# -- a garbled first answer, for every module -----------------------------------------------------------------

EVERY_MODULE = [
    ('vro_workflow_info', {'workflow_id': ECHO}),
    ('vro_workflow_schema', {'workflow_id': ECHO, 'dest': '/tmp/hostile-vro-schema.json'}),
    ('vro_workflow_run', {'workflow_id': ECHO, 'inputs': {'str': 'hostile', 'num': 1}}),
    ('vro_workflow_run', {'workflow_id': ECHO, 'runs': [{'str': 'hostile', 'num': 1}, {'str': 'hostile', 'num': 2}]}),
    ('vro_execution_info', {'workflow_id': ECHO, 'execution_id': RUN_ID}),
    ('vro_execution_cancel', {'workflow_id': ECHO, 'execution_id': RUN_ID}),
    ('vro_interaction', {'workflow_id': ECHO, 'execution_id': RUN_ID, 'inputs': {'approved': True}}),
    ('vro_task', {'name': 'hostile', 'workflow_id': AWSNEW, 'recurrence': NIGHTLY}),
    ('vro_task_info', {}),
    ('vro_login', {}),
]
GARBLED = [
    ('html', {}, ('HTML',)),
    ('bad_json', {}, ('not valid JSON',)),
    ('body', {'body': ['not', 'an', 'object']}, ('JSON', 'list', 'array')),
]


@pytest.mark.parametrize('kind,extra,words', GARBLED, ids=[g[0] for g in GARBLED])
def test_a_garbled_first_answer_fails_every_module_cleanly(fresh_simulator, kind, extra, words):
    sim = fresh_simulator
    sim.faults(dict({'route': '*', 'kind': kind}, **extra))
    tasks = [{'name': '%d %s' % (n, module), 'module': module, 'args': args} for n, (module, args) in enumerate(EVERY_MODULE)]
    res = play(sim, tasks, env=sim.env('vro'))
    password = sim.users['vro'][sim.user('vro')[0]]['password']
    assert password not in res.stdout and password not in res.stderr
    for task in tasks:
        status, result = outcome(res, task['name'])
        msg = clean(result)
        assert status == 'ignored', (task['name'], result)
        assert any(w in msg for w in words), (task['name'], msg)
    routes = sim.counters().get('routes', {})
    changes = {k: n for k, n in routes.items() if k.split(' ', 1)[0] in ('POST', 'PUT', 'DELETE', 'PATCH')
               and 'login' not in k and 'token' not in k}
    assert changes == {}, changes
    assert runs_of(sim, ECHO) == []


# -- a start whose answer points elsewhere --------------------------------------------------------------------

def test_start_with_a_foreign_location_sends_nothing_there(fresh_simulator):
    sim = fresh_simulator
    with Recorder() as other:
        sim.faults({'route': START, 'method': 'POST', 'kind': 'rewrite_location', 'count': 1,
                    'location': other.url + '{path}'})
        res = play(sim, [{'name': UNDER_TEST, 'module': 'vro_workflow_run',
                          'args': {'workflow_id': ECHO, 'inputs': {'str': 'elsewhere', 'num': 2}, 'poll_interval': 0.2}}],
                   env=sim.env('vro'))
        assert other.requests == [], 'a request (with credentials) went to the foreign Location'
    status, result = outcome(res, UNDER_TEST)
    made = [r['id'] for r in runs_of(sim, ECHO)]
    assert fired(sim) == [1]
    assert sent(sim, 'POST', '/executions') == 1 and len(made) == 1
    if status == 'ok':
        assert result['execution_id'] == made[0] and result['state'] == 'completed', result
    else:
        assert made[0] in clean(result), result


def test_start_redirected_elsewhere_is_neither_followed_nor_resent(fresh_simulator):
    sim = fresh_simulator
    with Recorder() as other:
        sim.faults({'route': START, 'method': 'POST', 'kind': 'redirect', 'status': 307, 'location': other.url + '/login'})
        res = play(sim, [{'name': UNDER_TEST, 'module': 'vro_workflow_run',
                          'args': {'workflow_id': ECHO, 'inputs': {'str': 'redirected', 'num': 3}}}], env=sim.env('vro'))
        assert other.requests == [], 'the redirect was followed'
    status, result = outcome(res, UNDER_TEST)
    msg = clean(result)
    assert status == 'ignored' and result['error']['kind'] == 'redirect', result
    assert other.url in msg, msg
    assert sent(sim, 'POST', '/executions') == 1 and runs_of(sim, ECHO) == []


# -- a non-idempotent request refused with 503 ----------------------------------------------------------------

def test_a_start_refused_with_503_is_sent_once(fresh_simulator):
    # Only 429 and 401 say that nothing was acted upon: a POST answered 503 is not sent again.
    sim = fresh_simulator
    sim.faults({'route': START, 'method': 'POST', 'kind': 'status', 'status': 503})
    res = play(sim, [{'name': UNDER_TEST, 'module': 'vro_workflow_run',
                      'args': {'workflow_id': ECHO, 'runs': [{'str': 'refused', 'num': 1}, {'str': 'refused', 'num': 2}],
                               'concurrency': 1}}], env=sim.env('vro'))
    status, result = outcome(res, UNDER_TEST)
    msg = clean(result)
    assert status == 'ignored' and 'HTTP 503' in msg, msg
    assert sent(sim, 'POST', '/executions') == 2 and fired(sim) == [2]


@pytest.mark.parametrize('update', [False, True], ids=['create', 'update'])
def test_a_task_create_or_update_refused_with_503_is_sent_once(fresh_simulator, update):
    sim = fresh_simulator
    route = '/vco/api/tasks'
    if update:
        _task(sim, 'hostile refused', NIGHTLY)
        route += '/*'
    sim.faults({'route': route, 'method': 'POST', 'kind': 'status', 'status': 503})
    res = _task(sim, 'hostile refused', dict(NIGHTLY, start='2030-01-01T04:00:00Z'), expect_failure=True)
    msg = clean(res.failed_results()[0]['result'])
    assert 'HTTP 503' in msg, msg
    assert fired(sim) == [1]
    assert (_updates_sent(sim) if update else sent(sim, 'POST', '/vco/api/tasks')) == 1


# -- a schema image cut short ---------------------------------------------------------------------------------

def test_a_schema_image_cut_in_half_keeps_the_file_already_written(fresh_simulator):
    # bad_json on the schema cuts the PNG in half under a correct Content-Length: it still starts like a PNG, and
    # must not replace the good image written before.
    sim = fresh_simulator
    with short_tmpdir() as tmp:
        dest = os.path.join(tmp, 'echo.png')
        task = {'name': UNDER_TEST, 'module': 'vro_workflow_schema', 'args': {'workflow_id': ECHO, 'dest': dest}}
        status, first = outcome(play(sim, [task], env=sim.env('vro')), UNDER_TEST)
        assert status == 'ok' and first['changed'] is True, first
        with open(dest, 'rb') as handle:
            good = handle.read()
        sim.faults({'route': '/vco/api/workflows/%s/schema' % ECHO, 'method': 'GET', 'kind': 'bad_json'})
        status, result = outcome(play(sim, [task], env=sim.env('vro')), UNDER_TEST)
        with open(dest, 'rb') as handle:
            kept = handle.read()
    assert fired(sim) and fired(sim)[0] >= 1
    assert status == 'ignored', result
    msg = clean(result)
    assert 'not a complete PNG' in msg and ECHO in msg, msg
    assert kept == good
