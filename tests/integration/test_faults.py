# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every fault kind of the simulator against every module that talks to a server, with the documented outcome.

The matrix runs as one playbook per module (playbooks/faults/matrix.yml): each scenario resets the simulator,
installs its faults, runs the module once and records the result, the faults that fired and the request counters,
so that each assertion below is backed by proof that the fault really happened.

Outcomes asserted (docs/docsite/rst/reliability.rst carries the same table):

- transient 502/503/504, 429 with Retry-After, a connection reset, latency below the timeout, on idempotent calls:
  the module recovers within its retries and the result equals the fault-free one;
- the same faults beyond the retry budget: a clean failure naming the fault, the URL, the attempts and the
  run or task id; no traceback;
- a reset after the server acted on a start/create/retry: exactly one run (task, retry) exists, reported;
- an HTML error page or malformed JSON: a clean failure quoting the start of the body;
- token expiry in the middle of a wait: one refresh and the wait goes on (also with real 2-second tokens);
- the simulator killed and restarted on the same data dir in the middle of a wait: the wait resumes.
"""

from __future__ import annotations

import threading
import time

import pytest

from _harness import ico_task_list, run_playbook

ECHO = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
SLEEP = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002'
RETRY_SUCCEEDS = '7a5e0001-5e1f-4c0d-9a11-000000000001'
ICO_RUNNING = '1006'
UUID_GLOB = '????????-????-????-????-????????????'

WF_DEF = '/vco/api/workflows/%s' % ECHO
WF_START = '/vco/api/workflows/%s/executions' % ECHO
WF_STATE = '/vco/api/workflows/*/executions/%s/state' % UUID_GLOB
WF_RUN = '/vco/api/workflows/*/executions/%s' % UUID_GLOB
WF_LIST = '/vco/api/workflows/%s/executions' % ECHO
VCF_TASK = '/v1/tasks/%s' % RETRY_SUCCEEDS
ICO_TASKS = '/orchestrator/v2/tasks'
ICO_TASK = '/orchestrator/v2/tasks/*'

MATRIX = 'playbooks/faults/matrix.yml'
TRACEBACK_MARKERS = ('Traceback (most recent call last)', 'MODULE FAILURE', 'module_stderr', 'exception')


def fault(route, kind, method=None, count=None, **extra):
    spec = {'route': route, 'kind': kind}
    if method:
        spec['method'] = method
    if count is not None:
        spec['count'] = count
    spec.update(extra)
    return spec


# Transient faults in two groups of three: consecutive faults on one route, so each group uses exactly the default
# budget of 3 retries, and each fault must fire once (latency fires twice, below the 30 s timeout).
TRANSIENT_GROUPS = [
    ('5xx', [('status', {'status': 502}), ('status', {'status': 503}), ('status', {'status': 504})]),
    ('429_reset_latency', [('throttle', {'retry_after': 1}), ('reset_before', {}), ('latency', {'latency': 1.5})]),
]
# The same faults forever, with retries: 1 (two attempts) and, for latency, a 1 s timeout.
BEYOND = [
    ('503', 'status', {'status': 503}, 'HTTP 503'),
    ('429', 'throttle', {'retry_after': 1}, 'HTTP 429'),
    ('reset', 'reset_before', {}, 'connection failed'),
    ('latency', 'latency', {'latency': 3}, 'no answer within 1.0s'),
]


def _transient(prefix, module, route, method, args, **common):
    out = []
    for suffix, kinds in TRANSIENT_GROUPS:
        faults = [fault(route, kind, method, 1, **extra) for kind, extra in kinds]
        out.append(dict(common, id='%s_%s' % (prefix, suffix), module=module, args=dict(args), faults=faults,
                        expect='recover'))
    return out


def _beyond(prefix, module, route, method, args, ident, kinds=None, **common):
    out = []
    for suffix, kind, extra, words in BEYOND:
        if kinds and suffix not in kinds:
            continue
        scenario_args = dict(args, retries=1)
        if kind == 'latency':
            scenario_args['timeout'] = 1
        out.append(dict(common, id='%s_beyond_%s' % (prefix, suffix), module=module, args=scenario_args,
                        faults=[fault(route, kind, method, None, **extra)], expect='fail', words=words, ident=ident))
    return out


def _body(prefix, module, route, method, args, ident, **common):
    """An HTML error page and a JSON body cut in half: clean failures quoting the body."""
    return [
        dict(common, id='%s_html' % prefix, module=module, args=dict(args, retries=1),
             faults=[fault(route, 'html', method)], expect='fail', words='HTML', quote='<', ident=ident),
        dict(common, id='%s_bad_json' % prefix, module=module, args=dict(args),
             faults=[fault(route, 'bad_json', method, 1)], expect='fail', words='not valid JSON', quote='{',
             ident=ident, no_attempts=True),
    ]


def vro_run_scenarios():
    args = {'workflow_id': ECHO, 'inputs': {'str': 'fault matrix', 'num': 7}}
    common = {'count_runs': ECHO}
    out = [dict(common, id='run_baseline', module='vro_workflow_run', args=args, faults=[], expect='recover')]
    out += _transient('run_def', 'vro_workflow_run', WF_DEF, 'GET', args, **common)
    out += _transient('run_state', 'vro_workflow_run', WF_STATE, 'GET', args, **common)
    out += _beyond('run_def', 'vro_workflow_run', WF_DEF, 'GET', args, None, **common)
    out += _beyond('run_read', 'vro_workflow_run', WF_RUN, 'GET', args, 'run', kinds=('503',), **common)
    out += _body('run_def', 'vro_workflow_run', WF_DEF, 'GET', args, None, **common)
    out += [
        dict(common, id='run_post_429', module='vro_workflow_run', args=args,
             faults=[fault(WF_START, 'throttle', 'POST', 1, retry_after=1)], expect='recover'),
        # Issue 12: a connection dropped after the POST was sent may have started the run, so it is never resent;
        # nothing appears within the adoption window (timeout 1 s + 10 s), which is a one-line failure.
        dict(common, id='run_post_reset_before', module='vro_workflow_run', args=dict(args, timeout=1),
             faults=[fault(WF_START, 'reset_before', 'POST', 1)], expect='fail', words='may or may not have been applied',
             no_attempts=True),
        dict(common, id='run_post_reset_after', module='vro_workflow_run', args=args,
             faults=[fault(WF_START, 'reset_after', 'POST', 1)], expect='adopted'),
        dict(common, id='run_post_bad_json', module='vro_workflow_run', args=args,
             faults=[fault(WF_START, 'bad_json', 'POST', 1)], expect='one_run'),
    ]
    batch = {'workflow_id': ECHO, 'runs': [{'str': 'batch %d' % i, 'num': i} for i in range(3)], 'concurrency': 3}
    common = dict(common, group='runs')
    out += [
        dict(common, id='runs_baseline', module='vro_workflow_run', args=batch, faults=[], expect='recover'),
        # A batch is polled with one list of the workflow's runs per poll.
        dict(common, id='runs_list_5xx', module='vro_workflow_run', args=batch,
             faults=[fault(WF_LIST, 'status', 'GET', 1, status=s) for s in (502, 503, 504)], expect='recover'),
        dict(common, id='runs_list_429_reset', module='vro_workflow_run', args=batch,
             faults=[fault(WF_LIST, 'throttle', 'GET', 1), fault(WF_LIST, 'reset_before', 'GET', 2)], expect='recover'),
        dict(common, id='runs_post_429', module='vro_workflow_run', args=batch,
             faults=[fault(WF_START, 'throttle', 'POST', 2, retry_after=1)], expect='recover'),
        dict(common, id='runs_post_reset_after', module='vro_workflow_run', args=batch,
             faults=[fault(WF_START, 'reset_after', 'POST', 2)], expect='adopted'),
        dict(common, id='runs_beyond_503', module='vro_workflow_run', args=dict(batch, retries=1),
             faults=[fault(WF_RUN, 'status', 'GET', None, status=503)], expect='fail', words='HTTP 503',
             ident='run'),
    ]
    return out


def vro_info_scenarios():
    common = {'setup': {'workflow_id': ECHO, 'inputs': {'str': 'info', 'num': 3}, 'wait': True}}
    out = [dict(common, id='info_baseline', module='vro_execution_info', args={}, faults=[], expect='recover')]
    out += _transient('info', 'vro_execution_info', WF_RUN, 'GET', {}, **common)
    out += _beyond('info', 'vro_execution_info', WF_RUN, 'GET', {}, 'setup', **common)
    out += _body('info', 'vro_execution_info', WF_RUN, 'GET', {}, 'setup', **common)
    wait = {'setup': {'workflow_id': SLEEP, 'inputs': {'seconds': 2}}, 'group': 'wait'}
    out += _transient('info_wait_state', 'vro_execution_info', WF_STATE, 'GET', {'wait_for': ['completed']}, **wait)
    return out


def vro_cancel_scenarios():
    common = {'setup': {'workflow_id': SLEEP, 'inputs': {'seconds': 60}}}
    cancel = '/vco/api/workflows/%s/executions/%s/state' % (SLEEP, UUID_GLOB)
    out = [dict(common, id='cancel_baseline', module='vro_execution_cancel', args={}, faults=[], expect='recover')]
    # A DELETE that may have reached the server is never sent again: only a 429 (nothing acted upon) is resent, and
    # a latency below the timeout is no fault. A 502 without the cancel taken, or a reset, leaves the run going: the
    # module fails saying the cancel may still be applied; a 503 is a plain failure (as for a POST).
    out += [
        dict(common, id='cancel_delete_429_latency', module='vro_execution_cancel', args={},
             faults=[fault(cancel, 'throttle', 'DELETE', 1, retry_after=1), fault(cancel, 'latency', 'DELETE', 1, latency=1.5)],
             expect='recover'),
        dict(common, id='cancel_delete_reset_after', module='vro_execution_cancel', args={},
             faults=[fault(cancel, 'reset_after', 'DELETE', 1)], expect='recover'),
        dict(common, id='cancel_delete_502', module='vro_execution_cancel', args={},
             faults=[fault(cancel, 'status', 'DELETE', 1, status=502)], expect='fail', words='may still be applied',
             ident='setup', no_attempts=True),
        dict(common, id='cancel_delete_reset_before', module='vro_execution_cancel', args={},
             faults=[fault(cancel, 'reset_before', 'DELETE', 1)], expect='fail', words='may still be applied',
             ident='setup', no_attempts=True),
        dict(common, id='cancel_delete_503', module='vro_execution_cancel', args={},
             faults=[fault(cancel, 'status', 'DELETE', 1, status=503)], expect='fail', words='HTTP 503',
             ident='setup', no_attempts=True),
        dict(common, id='cancel_about_503', module='vro_execution_cancel', args={},
             faults=[fault('/vco/api/about', 'status', 'GET', 2, status=503)], expect='recover'),
    ]
    out += _beyond('cancel_delete', 'vro_execution_cancel', cancel, 'DELETE', {}, 'setup', kinds=('429',), **common)
    out += _body('cancel_about', 'vro_execution_cancel', '/vco/api/about', 'GET', {}, None, **common)
    return out


def vcf_scenarios():
    common = {'admin': [{'path': 'vcf/tasks/%s/outcome' % RETRY_SUCCEEDS, 'body': {'retry_seconds': 1}}]}
    args = {'task_id': RETRY_SUCCEEDS}
    out = [dict(common, id='vcf_baseline', module='vcf_task_retry', args=args, faults=[], expect='recover')]
    out += _transient('vcf_get', 'vcf_task_retry', VCF_TASK, 'GET', args, **common)
    out += [
        dict(common, id='vcf_patch_429', module='vcf_task_retry', args=args,
             faults=[fault(VCF_TASK, 'throttle', 'PATCH', 1, retry_after=1)], expect='recover'),
        # The retry itself is not idempotent (two PATCHes are two retries): a 503 on it is a clean failure.
        dict(common, id='vcf_patch_503', module='vcf_task_retry', args=args,
             faults=[fault(VCF_TASK, 'status', 'PATCH', 1, status=503)], expect='fail', words='HTTP 503',
             ident=RETRY_SUCCEEDS, no_attempts=True),
        dict(common, id='vcf_patch_reset_after', module='vcf_task_retry', args=args,
             faults=[fault(VCF_TASK, 'reset_after', 'PATCH', 1)], expect='recover'),
        dict(common, id='vcf_get_token_expired', module='vcf_task_retry', args=args,
             faults=[fault(VCF_TASK, 'token_expired', 'GET', 1)], expect='recover', refreshes=1),
    ]
    out += _beyond('vcf_get', 'vcf_task_retry', VCF_TASK, 'GET', args, RETRY_SUCCEEDS, **common)
    out += _body('vcf_get', 'vcf_task_retry', VCF_TASK, 'GET', args, RETRY_SUCCEEDS, **common)
    return out


def ico_scenarios():
    def create(tag):
        return {'task': {'eventTopic': 'faults/%s' % tag, 'parm': {'job': 'matrix'}, 'delayInSeconds': 0},
                'wait_for_status': ['COMPLETED']}

    common = {'admin': [{'path': 'settings', 'method': 'PUT', 'body': {'ico_status_step_seconds': 1}}]}
    out = [dict(common, id='ico_baseline', module='orch_task', args=create('baseline'), faults=[], expect='recover')]
    out += [dict(s, args=create(s['id'])) for s in _transient('ico_get', 'orch_task', ICO_TASK, 'GET', {}, **common)]
    out += [
        dict(common, id='ico_post_429', module='orch_task', args=create('post-429'), ico_count=True,
             faults=[fault(ICO_TASKS, 'throttle', 'POST', 1, retry_after=1)], expect='recover'),
        dict(common, id='ico_post_reset_after', module='orch_task', args=create('post-reset-after'), ico_count=True,
             faults=[fault(ICO_TASKS, 'reset_after', 'POST', 1)], expect='recover'),
    ]
    update = {'id': ICO_RUNNING, 'task': {'parm': {'job': 'updated'}}}
    one = '/orchestrator/v2/tasks/%s' % ICO_RUNNING
    out += _beyond('ico_read', 'orch_task', one, 'GET', update, ICO_RUNNING, **common)
    out += _body('ico_read', 'orch_task', one, 'GET', update, ICO_RUNNING, **common)
    return out


SUITES = {
    'vro_workflow_run': vro_run_scenarios,
    'vro_execution_info': vro_info_scenarios,
    'vro_execution_cancel': vro_cancel_scenarios,
    'vcf_task_retry': vcf_scenarios,
    'orch_task': ico_scenarios,
}


def run_matrix(sim, scenarios):
    env = sim.all_env()
    res = run_playbook(MATRIX, env=env, extra_vars={'sim_url': sim.url, 'sim_ca': sim.ca_path, 'scenarios': scenarios},
                       timeout=1200)
    return res.result('Outcomes')['outcomes']


def assert_clean(result, sid):
    text = repr(result)
    for marker in TRACEBACK_MARKERS[:3]:
        assert marker not in text, '%s: traceback or module failure: %s' % (sid, text[:2000])
    assert '\n' not in result.get('msg', ''), '%s: msg is not one line: %r' % (sid, result.get('msg'))


def comparable(module, result):
    """The parts of a result that must be the same with and without a fault."""
    if module == 'vro_workflow_run':
        if 'executions' in result:
            return [(e['state'], e['outputs']) for e in result['executions']]
        return result['state'], result['outputs']
    if module == 'vro_execution_info':
        return result['state'], result['outputs']
    if module == 'vro_execution_cancel':
        return result['state'], result['changed'], [e['state'] for e in result['executions']]
    if module == 'vcf_task_retry':
        return result['retried'], [(t['id'], t['status']) for t in result['tasks']]
    return result['task']['status'], result['task']['parm']


def ident_of(scenario, outcome):
    ident = scenario.get('ident')
    if ident == 'setup':
        return outcome['setup']['execution_id']
    if ident == 'run':
        return [r['id'] for r in outcome['runs']]
    return ident


def judge(module, sc, out, baselines):
    """Assert the documented outcome of one scenario (AssertionError names the scenario)."""
    sid = sc['id']
    result = out['result']
    assert_clean(result, sid)
    for spec in out['fired']:
        # Every fault must have fired, as often as asked when it was bounded: the outcome is proven, not assumed.
        wanted = spec['count'] or 1
        assert spec['fired'] >= wanted, '%s: fault %s %s %s fired %d of %d times' % (
            sid, spec['kind'], spec['method'], spec['route'], spec['fired'], wanted)
    if module == 'vcf_task_retry':
        accepted = out['attempts']['attempts']
        assert accepted == (0 if sc['expect'] == 'fail' else 1), '%s: %d retries accepted' % (sid, accepted)
    if sc['expect'] == 'fail':
        assert result.get('failed'), '%s: did not fail: %r' % (sid, result)
        msg = result['msg']
        assert sc['words'] in msg, '%s: %r not in %s' % (sid, sc['words'], msg)
        route = sc['faults'][0]['route'].split('*')[0].split('?')[0]
        assert 'https://' in msg and route in msg, '%s: URL not named: %s' % (sid, msg)
        if not sc.get('no_attempts'):
            assert 'after %d attempts' % (sc['args']['retries'] + 1) in msg, '%s: attempts not named: %s' % (sid, msg)
        if sc.get('quote'):
            assert 'body starts with' in msg and sc['quote'] in msg.split('body starts with', 1)[1], \
                '%s: body not quoted: %s' % (sid, msg)
        ident = ident_of(sc, out)
        for one in ([ident] if isinstance(ident, str) else ident or []):
            assert one in msg, '%s: id %s not named: %s' % (sid, one, msg)
        return
    if sc.get('count_runs'):
        wanted = len(sc['args'].get('runs') or [1])
        assert len(out['runs']) == wanted, '%s: %d runs exist, wanted %d' % (sid, len(out['runs']), wanted)
    if sc['expect'] == 'one_run' and result.get('failed'):
        # A garbled start answer may fail the task, but it must name the one run that exists.
        assert out['runs'][0]['id'] in result['msg'], '%s: run id not named: %s' % (sid, result['msg'])
        return
    assert not result.get('failed'), '%s: failed: %s' % (sid, result.get('msg'))
    group = sc.get('group', 'single')
    if sid.endswith('_baseline'):
        baselines[group] = comparable(module, result)
    elif group in baselines:
        assert comparable(module, result) == baselines[group], '%s: result differs from the fault-free one: %r != %r' % (
            sid, comparable(module, result), baselines[group])
    if sc.get('setup'):
        assert result['execution_id'] == out['setup']['execution_id'], '%s: another run was reported' % sid
    if sc['expect'] == 'adopted':
        adopted = [e['adopted'] for e in result['executions']] if 'executions' in result else [result['adopted']]
        assert any(adopted), '%s: nothing was adopted: %r' % (sid, adopted)
    if sc.get('ico_count'):
        assert len(out['ico_tasks']) == 1, '%s: %d ICO tasks created' % (sid, len(out['ico_tasks']))
    if sc.get('refreshes') is not None:
        counters = out['counters']
        assert counters.get('PATCH /v1/tokens/access-token/refresh', 0) == sc['refreshes'], '%s: %r' % (sid, counters)
        assert counters.get('POST /v1/tokens', 0) == 1, '%s: %r' % (sid, counters)


# Scenarios per playbook at most: a module's matrix runs in shards, so that one long playbook (vro_workflow_run's took
# 60-85 s alone) does not hold a worker while the others have finished (the stage's wall time is its longest test).
SHARD_SIZE = 8


def shard(scenarios, size=SHARD_SIZE):
    """``scenarios`` cut into pieces of at most ``size`` (baselines not counted), each piece led by the baselines
    of the groups it holds, so that every scenario is still compared with its own fault-free run."""
    baselines = {s.get('group', 'single'): s for s in scenarios if s['id'].endswith('_baseline')}
    others = [s for s in scenarios if not s['id'].endswith('_baseline')]
    count = max(1, -(-len(others) // size))
    pieces = []
    for index in range(count):
        piece = others[index::count]
        groups = sorted({s.get('group', 'single') for s in piece} & set(baselines))
        pieces.append([baselines[g] for g in groups] + piece)
    return pieces


MATRIX_SHARDS = [(module, index) for module in sorted(SUITES) for index in range(len(shard(SUITES[module]())))]


def test_shards_cover_every_scenario_once_with_its_baseline():
    for module, suite in SUITES.items():
        scenarios = suite()
        with_baseline = {s.get('group', 'single') for s in scenarios if s['id'].endswith('_baseline')}
        pieces = shard(scenarios)
        ids = [s['id'] for piece in pieces for s in piece if not s['id'].endswith('_baseline')]
        assert sorted(ids) == sorted(s['id'] for s in scenarios if not s['id'].endswith('_baseline')), module
        for piece in pieces:
            seen = set()
            for s in piece:
                group = s.get('group', 'single')
                if s['id'].endswith('_baseline'):
                    seen.add(group)
                else:
                    assert group not in with_baseline or group in seen, '%s: %s runs before its baseline' % (module, s['id'])
            assert len([s for s in piece if not s['id'].endswith('_baseline')]) <= SHARD_SIZE, module


@pytest.mark.parametrize('module,index', MATRIX_SHARDS, ids=['%s-%d' % m for m in MATRIX_SHARDS])
def test_fault_matrix(simulator, module, index):
    scenarios = shard(SUITES[module]())[index]
    outcomes = run_matrix(simulator, scenarios)
    baselines = {}
    problems = []
    for sc in scenarios:
        try:
            judge(module, sc, outcomes[sc['id']], baselines)
        except AssertionError as error:
            problems.append(str(error))
    assert not problems, '%d of %d scenarios broke:\n%s' % (len(problems), len(scenarios), '\n'.join(problems))


# ---------------------------------------------------------------- restart and token expiry in the middle of a wait

WAITS = 'playbooks/faults/waits.yml'


def _in_thread(target):
    box = {}

    def run():
        try:
            box['result'] = target()
        except BaseException as error:  # pylint: disable=broad-except
            box['error'] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


def _until(predicate, what, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError('%s did not happen within %ss' % (what, timeout))


def _ico_tasks(sim, topic):
    # Read under every quirk: wrapped entries (ico-item-wrapped) and pages (ico-tasks-paged).
    return [t for t in ico_task_list(sim) if t.get('eventTopic') == topic]


def test_restart_in_the_middle_of_waits(simulator_factory):
    """Killed (SIGTERM) and restarted on the same data dir while three modules wait: each wait resumes and ends right."""
    sim = simulator_factory()
    sim.admin('POST', 'vcf/tasks/%s/outcome' % RETRY_SUCCEEDS, json={'retry_seconds': 8})
    sim.admin('PUT', 'settings', json={'ico_status_step_seconds': 2})
    env = sim.all_env()
    topic = 'faults/restart'
    plays = {
        'vro': {'which': 'vro', 'seconds': 8},
        'vcf': {'which': 'vcf', 'task_id': RETRY_SUCCEEDS},
        'ico': {'which': 'ico', 'seconds': 6, 'topic': topic},
    }
    started = {k: _in_thread(lambda v=v: run_playbook(WAITS, env=env, extra_vars=v, timeout=300)) for k, v in plays.items()}
    # A run is 'initializing' for a moment after it is created: wait for 'running', the state this test is about.
    _until(lambda: [r['state'] for r in sim.admin('GET', 'vro/runs?workflow=%s' % SLEEP)['runs']] == ['running'],
           'the vRO run start')
    # Under the vcf-retry-lag quirk the retried task reads Failed for a while after the PATCH: wait until it runs.
    _until(lambda: sim.admin('GET', 'vcf/tasks/%s/attempts' % RETRY_SUCCEEDS)['status'] == 'In Progress', 'the VCF retry')
    _until(lambda: len(_ico_tasks(sim, topic)) >= 1, 'the ICO task creation')
    assert sim.admin('GET', 'vro/runs?workflow=%s' % SLEEP)['runs'][0]['state'] == 'running'
    assert sim.admin('GET', 'vcf/tasks/%s/attempts' % RETRY_SUCCEEDS)['attempts'] == 1
    sim.restart()
    for key, (thread, box) in started.items():
        thread.join(timeout=300)
        assert 'error' not in box, '%s: %s' % (key, box.get('error'))
    # The counters are in memory, so these requests prove that each wait went on against the new process.
    routes = sim.counters()['routes']
    assert routes.get('GET /vco/api/workflows/<wid>/executions/<eid>/state', 0) >= 1, routes
    assert routes.get('GET /v1/tasks/<task_id>', 0) >= 1, routes
    assert routes.get('GET /orchestrator/v2/tasks/<task_id>', 0) >= 1, routes
    vro = started['vro'][1]['result'].result('Run and wait (vRO, Basic)')
    assert vro['state'] == 'completed' and vro['changed'] is True
    runs = sim.admin('GET', 'vro/runs?workflow=%s' % SLEEP)['runs']
    assert [r['id'] for r in runs] == [vro['execution_id']] and runs[0]['state'] == 'completed'
    vcf = started['vcf'][1]['result'].result('Retry and wait (VCF)')
    assert vcf['tasks'][0]['status'] == 'SUCCESSFUL' and vcf['retried'] == [RETRY_SUCCEEDS]
    assert sim.admin('GET', 'vcf/tasks/%s/attempts' % RETRY_SUCCEEDS)['retry_requests'] == 1
    ico = started['ico'][1]['result'].result('Create and wait (ICO)')
    assert ico['task']['status'] == 'COMPLETED'
    assert [t['id'] for t in _ico_tasks(sim, topic)] == [ico['task']['id']]


def exchange_route(sim):
    """The vRA token exchange: POST /iaas/api/login, or the CSP authorize call on a vRO 8 without it (quirk
    vro-8-standalone-csp-login, where /iaas/api/login answers 404 once per login)."""
    if 'vro-8-standalone-csp-login' in sim.quirks:
        return 'POST /csp/gateway/am/api/auth/api-tokens/authorize'
    return 'POST /iaas/api/login'


def test_token_expiry_in_the_middle_of_waits(fresh_simulator):
    """Real short-lived tokens (VCF 2 s, vRA 2 s) and one injected expiry each: refreshed, and the wait goes on."""
    sim = fresh_simulator
    sim.admin('PUT', 'settings', json={'vcf_access_token_lifetime': 2, 'vra_token_lifetime': 2})
    sim.admin('POST', 'vcf/tasks/%s/outcome' % RETRY_SUCCEEDS, json={'retry_seconds': 5})
    try:
        vcf = run_playbook(WAITS, env=sim.env('vcf'), extra_vars={'which': 'vcf', 'task_id': RETRY_SUCCEEDS})
        vra = run_playbook(WAITS, env=sim.env('vro'), extra_vars={'which': 'vro_vra', 'seconds': 5})
        routes = sim.counters()['routes']
    finally:
        sim.admin('PUT', 'settings', json={'vcf_access_token_lifetime': 3600, 'vra_token_lifetime': 28800})
    assert vcf.result('Retry and wait (VCF)')['tasks'][0]['status'] == 'SUCCESSFUL'
    assert routes['POST /v1/tokens'] == 1, routes  # one login, then refreshes only
    assert routes['PATCH /v1/tokens/access-token/refresh'] >= 1, routes
    assert vra.result('Run and wait (vRO behind the vRA login)')['state'] == 'completed'
    assert routes['POST /csp/gateway/am/api/login'] == 1, routes
    assert routes[exchange_route(sim)] >= 2, routes

    # One expiry injected in the middle of a vRA-authenticated wait: exactly one more token exchange.
    sim.reset()
    sim.faults({'route': WF_STATE.replace('*', SLEEP, 1), 'method': 'GET', 'kind': 'token_expired', 'count': 1})
    vra = run_playbook(WAITS, env=sim.env('vro'), extra_vars={'which': 'vro_vra', 'seconds': 2})
    routes = sim.counters()['routes']
    assert vra.result('Run and wait (vRO behind the vRA login)')['state'] == 'completed'
    assert sim.admin('GET', 'faults')['faults'][0]['fired'] == 1
    assert (routes['POST /csp/gateway/am/api/login'], routes[exchange_route(sim)]) == (1, 2), routes
