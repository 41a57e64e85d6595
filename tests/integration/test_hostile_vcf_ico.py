# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A hostile-server audit of vcf_task_info, vcf_task_retry, orch_task and orch_task_info (part 17): the cases the
fault matrix (test_faults.py), test_at_most_once.py, test_bounds.py and test_origin.py leave out.

Each test installs a simulator fault, runs one module through ansible-playbook and asserts the one-line message, the
simulator's request counters and records (never durations).
"""

from __future__ import annotations

import json

import pytest

from _harness import TRACEBACK_MARKERS, ico_task_list, run_playbook, write_playbook

RETRY_SUCCEEDS = '7a5e0001-5e1f-4c0d-9a11-000000000001'
ICO_RUNNING = '1006'


def play(tmp_path, module, args, name='it'):
    """A one-task playbook (JSON keeps every value as written) whose task may fail."""
    return write_playbook(tmp_path, 'hostile', [{'name': name, 'cloudops.orchestrator.%s' % module: args}], ignore_errors=True)


def outcome(res, name='it'):
    record = res.record(name)
    result = record['result']
    text = json.dumps(result)
    assert not any(marker in text for marker in TRACEBACK_MARKERS), text[:2000]
    return record['status'], result


def failed_once(res, name='it'):
    status, result = outcome(res, name)
    assert status == 'ignored', result
    assert result['msg'] and '\n' not in result['msg'].strip(), result['msg']
    return result


def count(sim, method, fragment):
    routes = sim.counters()['routes']
    return sum(n for key, n in routes.items() if key.startswith(method + ' ') and fragment in key)


def fired(sim):
    return [f['fired'] for f in sim.admin('GET', 'faults')['faults']]


# -- the info modules: wrong shapes, HTML, a trickle -------------------------------------------------------------

INFO_BODIES = [
    ('vcf_task_info', 'vcf', '/v1/tasks', {'status': 'FAILED'}, {'elements': 'oops'}),
    ('vcf_task_info', 'vcf', '/v1/tasks', {'status': 'FAILED'}, ['a', 'list']),
    ('vcf_task_info', 'vcf', '/v1/tasks', {'status': 'FAILED'}, {'elements': ['not a task']}),
    ('vcf_task_info', 'vcf', '/v1/tasks/%s' % RETRY_SUCCEEDS, {'task_id': RETRY_SUCCEEDS}, {'id': ['x'], 'status': 7}),
    ('orch_task_info', 'ico', '/orchestrator/v2/tasks', {}, 'oops'),
    ('orch_task_info', 'ico', '/orchestrator/v2/tasks', {}, {'items': 'oops', 'total': 3}),
    ('orch_task_info', 'ico', '/orchestrator/v2/tasks', {}, ['not a task', 7]),
    ('orch_task_info', 'ico', '/orchestrator/v2/tasks/%s' % ICO_RUNNING, {'id': ICO_RUNNING}, ['x']),
]


@pytest.mark.parametrize('module,product,route,args,body', INFO_BODIES, ids=[
    '%s-%s-%d' % (case[0], case[2].rsplit('/', 1)[-1], i) for i, case in enumerate(INFO_BODIES)])
def test_a_wrong_shape_answer_fails_an_info_module_in_one_line(fresh_simulator, tmp_path, module, product, route, args,
                                                               body):
    sim = fresh_simulator
    sim.faults({'route': route, 'method': 'GET', 'kind': 'body', 'body': body})
    res = run_playbook(play(tmp_path, module, args), env=sim.env(product))
    status, result = outcome(res)
    assert status == 'ignored', result
    assert '\n' not in result['msg'].strip(), result['msg']
    # Named as a wrong answer at its URL: never a shorter list taken for the whole.
    assert 'was expected' in result['msg'] and sim.url in result['msg'], result['msg']


@pytest.mark.parametrize('module,product,route,args', [
    ('vcf_task_info', 'vcf', '/v1/tasks', {'status': 'FAILED'}),
    ('orch_task_info', 'ico', '/orchestrator/v2/tasks', {}),
])
def test_a_trickling_list_is_bounded_by_timeout(fresh_simulator, tmp_path, module, product, route, args):
    sim = fresh_simulator
    sim.faults({'route': route, 'method': 'GET', 'kind': 'trickle', 'latency': 1})
    res = run_playbook(play(tmp_path, module, dict(args, timeout=3, retries=1)), env=sim.env(product), timeout=120)
    result = failed_once(res)
    assert 'no answer within 3.0s' in result['msg'] and 'after 2 attempts' in result['msg'], result['msg']


# -- the writes: an error page or a 503 answer to a create/retry is never followed by a second one; a gateway's 502
# -- to a retry may have been applied (RFC 9110 15.6.3): looked for, never sent again ----------------------------

@pytest.mark.parametrize('kind', ['html', 'status'])
def test_an_error_answer_to_an_ico_create_is_not_posted_again(fresh_simulator, tmp_path, kind):
    sim = fresh_simulator
    sim.faults({'route': '/orchestrator/v2/tasks', 'method': 'POST', 'kind': kind, 'status': 503})
    res = run_playbook(play(tmp_path, 'orch_task', {'task': {'eventTopic': 'hostile/%s' % kind, 'parm': {'k': 'v'}}}),
                       env=sim.env('ico'))
    result = failed_once(res)
    assert 'HTTP 503' in result['msg'] and sim.url in result['msg'], result['msg']
    assert count(sim, 'POST', '/orchestrator/v2/tasks') == 1
    assert [t for t in ico_task_list(sim) if t.get('eventTopic') == 'hostile/%s' % kind] == []


@pytest.mark.parametrize('kind', ['html', 'status'])
def test_an_error_answer_to_a_vcf_retry_is_not_sent_again(fresh_simulator, tmp_path, kind):
    sim = fresh_simulator
    sim.faults({'route': '/v1/tasks/%s' % RETRY_SUCCEEDS, 'method': 'PATCH', 'kind': kind, 'status': 502})
    res = run_playbook(play(tmp_path, 'vcf_task_retry', {'task_id': RETRY_SUCCEEDS, 'timeout': 1}), env=sim.env('vcf'))
    result = failed_once(res)
    msg = result['msg']
    assert 'may or may not have been applied' in msg and 'HTTP 502' in msg and RETRY_SUCCEEDS in msg, msg
    assert count(sim, 'PATCH', '/v1/tasks') == 1
    assert sim.admin('GET', 'vcf/tasks/%s/attempts' % RETRY_SUCCEEDS)['retry_requests'] == 0
