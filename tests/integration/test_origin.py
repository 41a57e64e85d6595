# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 12 section 2: credentials never leave the configured origin, through real modules and the simulator.

- a 3xx (an SSO page in front of the API) is a failure naming the target, for every info module;
- an ICO create answered with a ``Location`` on another origin: nothing (no password) goes there, the task is read
  from the configured server; a relative ``Location`` is read from the right URL, once;
- ``~/.netrc`` never replaces the configured credentials;
- ``http://`` with a password warns that it travels in clear;
- ids that could leave their path segment are refused before anything is sent, for every module that takes one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from _harness import LocalHttpServer, ico_task_list, run_playbook, write_playbook

ECHO = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
RETRY_SUCCEEDS = '7a5e0001-5e1f-4c0d-9a11-000000000001'
RUN_ID = '0f0e0d0c-0b0a-4909-8807-060504030201'
ICO_TASKS = '/orchestrator/v2/tasks'
TOPIC = 'origin/test'
SSO = 'https://sso.example/login'
TRAVERSAL = '%2e%2e/%2e%2e/tokens'


@contextmanager
def short_tmpdir():
    path = tempfile.mkdtemp(prefix='orig')
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def play(sim, tasks, env=None, expect_failure=False):
    """Run ``tasks`` ({'name', 'module', 'args'}) as one playbook with ignore_errors; return the PlaybookResult."""
    body = [{'name': task['name'], 'cloudops.orchestrator.%s' % task['module']: task['args']} for task in tasks]
    with short_tmpdir() as tmp:
        return run_playbook(write_playbook(Path(tmp), 'origin', body, ignore_errors=True), env=env, expect_failure=expect_failure)


def outcome(res, name):
    """``(status, result)`` of one task: status is ``ignored`` for a failure under ignore_errors."""
    record = res.record(name)
    return record['status'], record['result']


def total_requests(sim):
    return sim.counters()['total']


def ico_tasks(sim, topic=TOPIC):
    # Read under every quirk: wrapped entries (ico-item-wrapped) and pages (ico-tasks-paged).
    return [t for t in ico_task_list(sim) if t.get('eventTopic') == topic]


class Recorder(LocalHttpServer):
    """A tiny HTTP server playing "other-host": it records every request it receives and answers 200 {}."""

    def __init__(self):
        super().__init__()
        self.requests = []

    def answer(self, request):
        self.requests.append((request.command, request.path, dict(request.headers)))
        return request.send(200, {})


# -- a 3xx is a failure -------------------------------------------------------------------------------------

REDIRECTED = [
    ('vro_workflow_info', 'vro', '/vco/api/*', {'workflow_id': ECHO}),
    ('vro_execution_info', 'vro', '/vco/api/*', {'workflow_id': ECHO, 'execution_id': RUN_ID}),
    ('vcf_task_info', 'vcf', '/v1/tasks*', {'task_id': RETRY_SUCCEEDS}),
    ('orch_task_info', 'ico', ICO_TASKS + '*', {}),
]


def test_a_redirect_to_a_login_page_fails_every_info_module(fresh_simulator):
    sim = fresh_simulator
    env = {}
    for route in sorted({r for ignored, ignored2, r, ignored3 in REDIRECTED}):
        sim.faults({'route': route, 'method': 'GET', 'kind': 'redirect', 'location': SSO + '?state=s3cr3t-state'})
    for ignored, product, ignored2, ignored3 in REDIRECTED:
        env.update(sim.env(product))
    res = play(sim, [{'name': module, 'module': module, 'args': args} for module, ignored, ignored2, args in REDIRECTED],
               env=env)
    for module, ignored, ignored2, ignored3 in REDIRECTED:
        status, result = outcome(res, module)
        assert status == 'ignored', (module, result)
        msg = result['msg']
        assert 'HTTP 302' in msg and 'redirected to %s' % SSO in msg and 'login page or a load balancer' in msg, msg
        assert '\n' not in msg and 'Traceback' not in res.stdout
        assert result['error']['kind'] == 'redirect'
    fired = [f['fired'] for f in sim.admin('GET', 'faults')['faults']]
    assert all(count >= 1 for count in fired), fired
    # One redirected GET per module, and nothing followed it: the first 3xx ends the task.
    redirected = [e for e in sim.admin('GET', 'requests')['requests'] if e['fault'] == 'redirect']
    assert len(redirected) == len(REDIRECTED) and sum(fired) == len(REDIRECTED), redirected


# -- ICO Location on another origin, and relative ----------------------------------------------------------------

def _create(topic):
    return {'name': 'create', 'module': 'orch_task', 'args': {'task': {'eventTopic': topic, 'parm': {'k': 'v'}}}}


# Both tests rewrite the Location of a create's answer: under the quirk ico-create-answers-array the answer is [task]
# with no Location (the body names the task, which the module takes), so they assert the default reading.
@pytest.mark.default_reading
def test_ico_create_with_a_foreign_location_sends_nothing_there(fresh_simulator):
    sim = fresh_simulator
    password = sim.users['ico'][sim.user('ico')[0]]['password']
    with Recorder() as other:
        sim.faults({'route': ICO_TASKS, 'method': 'POST', 'kind': 'rewrite_location', 'count': 1,
                    'location': other.url + '{path}'})
        res = play(sim, [_create(TOPIC)], env=sim.env('ico'))
        assert other.requests == [], 'a request (with credentials) went to the foreign Location'
    status, result = outcome(res, 'create')
    created = ico_tasks(sim)
    assert len(created) == 1, created
    assert status == 'ok', result
    assert result['changed'] is True and result['task']['id'] == created[0]['id']
    assert any(other.url in w and 'not on the configured server' in w for w in result.get('warnings', [])), result
    assert password not in res.stdout
    assert sim.admin('GET', 'faults')['faults'][0]['fired'] == 1


@pytest.mark.default_reading
@pytest.mark.parametrize('location', ['{path}', 'tasks/{id}'])
def test_ico_create_with_a_relative_location_reads_the_created_task(fresh_simulator, location):
    sim = fresh_simulator
    sim.faults({'route': ICO_TASKS, 'method': 'POST', 'kind': 'rewrite_location', 'count': 1, 'location': location})
    res = play(sim, [_create(TOPIC)], env=sim.env('ico'))
    status, result = outcome(res, 'create')
    created = ico_tasks(sim)
    assert len(created) == 1, created
    assert status == 'ok', result
    assert result['changed'] is True and result['task']['id'] == created[0]['id']
    assert result['task']['event_topic'] == TOPIC
    routes = sim.counters()['routes']
    assert routes.get('POST %s' % ICO_TASKS) == 1
    assert routes.get('GET %s/<task_id>' % ICO_TASKS) == 1, routes
    assert sim.admin('GET', 'faults')['faults'][0]['fired'] == 1


# -- ~/.netrc ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('module,product,args', [
    ('orch_task_info', 'ico', {}),
    ('vcf_task_info', 'vcf', {'task_id': RETRY_SUCCEEDS}),
])
def test_netrc_does_not_replace_the_configured_credentials(fresh_simulator, module, product, args):
    sim = fresh_simulator
    host = urlsplit(sim.url).hostname
    with short_tmpdir() as home:
        netrc = os.path.join(home, '.netrc')
        with open(netrc, 'w', encoding='utf-8') as handle:
            handle.write('machine %s login netrcuser password netrcpass\n' % host)
        os.chmod(netrc, 0o600)
        env = dict(sim.env(product), HOME=home)
        res = play(sim, [{'name': 'read', 'module': module, 'args': args}], env=env)
    status, result = outcome(res, 'read')
    assert status == 'ok', result
    users = {entry['user'] for entry in sim.admin('GET', 'requests')['requests'] if entry['path'].startswith(('/v1', '/orch'))}
    assert users == {sim.user(product)[0]}, users


# -- http:// warning ----------------------------------------------------------------------------------------------

def test_http_url_with_a_password_warns_once(simulator_factory):
    sim = simulator_factory('--no-tls')
    assert sim.url.startswith('http://')
    res = play(sim, [{'name': 'read', 'module': 'orch_task_info', 'args': {}}], env=sim.env('ico'))
    status, result = outcome(res, 'read')
    assert status == 'ok', result
    clear = [w for w in result.get('warnings', []) if 'travels in clear text' in w]
    assert len(clear) == 1 and 'use https://' in clear[0], result.get('warnings')


def test_https_url_does_not_warn(fresh_simulator):
    res = play(fresh_simulator, [{'name': 'read', 'module': 'orch_task_info', 'args': {}}], env=fresh_simulator.env('ico'))
    assert not [w for w in res.result('read').get('warnings', []) if 'clear text' in w]


# -- ids are path segments ------------------------------------------------------------------------------------------

TRAVERSALS = [
    ('vcf_task_info', 'vcf', {'task_id': TRAVERSAL}, 'task_id'),
    ('vcf_task_info', 'vcf', {'task_ids': ['ok-id', '../tokens']}, 'task_ids'),
    ('vcf_task_retry', 'vcf', {'task_id': TRAVERSAL}, 'task_id'),
    ('orch_task_info', 'ico', {'id': TRAVERSAL}, "refusing id"),
    ('orch_task', 'ico', {'id': '..', 'state': 'absent'}, "refusing id"),
    ('vro_execution_info', 'vro', {'workflow_id': ECHO, 'execution_id': TRAVERSAL}, 'execution_id'),
    ('vro_execution_info', 'vro', {'execution_url': 'https://x/vco/api/workflows/%s/executions/%%2e%%2e/' % ECHO},
     'refusing'),
    ('vro_execution_cancel', 'vro', {'workflow_id': '%2E%2E', 'execution_id': RUN_ID}, 'workflow_id'),
    ('vro_workflow_info', 'vro', {'workflow_id': 'a/b'}, 'workflow_id'),
    ('vro_workflow_run', 'vro', {'workflow_id': 'a?b'}, 'workflow_id'),
    ('vro_task_info', 'vro', {'task_id': 'x#y'}, 'task_id'),
    ('vro_interaction', 'vro', {'execution_id': TRAVERSAL, 'inputs': {}}, 'execution_id'),
]


# answer_replaced: every module refuses its id before it sends anything (no answer exists yet to decide on), and the
# test asserts that no request reached the simulator: no reading of the simulator is consulted, under any quirk.
@pytest.mark.answer_replaced
def test_ids_that_leave_their_segment_are_refused_before_anything_is_sent(fresh_simulator):
    sim = fresh_simulator
    env = {}
    for product in ('vro', 'vcf', 'ico'):
        env.update(sim.env(product))
    before = total_requests(sim)
    res = play(sim, [{'name': 'case %d' % i, 'module': module, 'args': args}
                     for i, (module, ignored, args, ignored2) in enumerate(TRAVERSALS)], env=env)
    for i, (module, ignored, args, expect) in enumerate(TRAVERSALS):
        status, result = outcome(res, 'case %d' % i)
        assert status == 'ignored', (module, args, result)
        msg = result['msg']
        assert 'refusing' in msg and expect in msg and '\n' not in msg, (module, msg)
    assert 'Traceback' not in res.stdout
    assert total_requests(sim) == before, sim.admin('GET', 'requests')['requests'][-5:]


# -- credentials in the configured url ------------------------------------------------------------------------------

URL_PASSWORD = 'UrlPw-4e2b-never-shown'


# answer_replaced: the url is refused before anything is sent (no answer exists yet to decide on), and the test asserts
# that no request reached the simulator: no reading of the simulator is consulted, under any quirk.
@pytest.mark.answer_replaced
@pytest.mark.parametrize('source', ['option', 'environment'])
def test_credentials_in_url_are_refused_and_never_shown_at_vvv(fresh_simulator, source):
    """``url: https://user:password@host``: nothing is sent (requests would send them as Basic credentials in place
    of the configured ones), the message says what to set instead, and the password is in no output, result, invocation
    (ansible-core before 2.21 returns one; ANSIBLE_INJECT_INVOCATION asks 2.21 for it) nor module log, at -vvv."""
    sim = fresh_simulator
    url = sim.url.replace('://', '://svc-user:%s@' % URL_PASSWORD)
    env = dict(sim.env('ico'), ANSIBLE_INJECT_INVOCATION='true')
    args = {}
    if source == 'option':
        args['url'] = url
    else:
        env['ICO_URL'] = url
    before = total_requests(sim)
    body = [{'name': 'read', 'cloudops.orchestrator.orch_task_info': args}]
    with short_tmpdir() as tmp:
        res = run_playbook(write_playbook(Path(tmp), 'userinfo', body, ignore_errors=True), env=env, verbosity=3)
    status, result = outcome(res, 'read')
    assert status == 'ignored', result
    msg = result['msg']
    assert 'user name or password' in msg and 'set username and password' in msg and '\n' not in msg, msg
    assert 'svc-user' not in msg
    assert total_requests(sim) == before
    if source == 'option':
        assert result['invocation']['module_args']['url'] == sim.url, result.get('invocation')
    everything = res.stdout + res.stderr + json.dumps(res.results) + res.module_log
    assert URL_PASSWORD not in everything
