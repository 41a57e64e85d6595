# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""More than a hundred bad invocations across every module, run through ansible-playbook in shards.

The cases live in bad_input_cases.yml. Each must end ``failed`` with a one-line ``msg`` naming the problem (every word
of its ``expect``), never a Python traceback, and none may change anything on the server.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from _harness import LocalHttpServer, run_playbook

CASES_FILE = Path(__file__).resolve().parent / 'bad_input_cases.yml'
TRACEBACK_MARKERS = ('Traceback (most recent call last)', 'MODULE FAILURE', 'module_stderr', 'module_stdout')
CHANGING = ('POST', 'PUT', 'PATCH', 'DELETE')
LOGIN_PATHS = ('/v1/tokens', '/csp/gateway/am/api/login', '/iaas/api/login', '/csp/gateway/am/api/auth/api-tokens/authorize')


def load_cases():
    with CASES_FILE.open(encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def expand(value, sim):
    """Generated values: ``{__big__: N}`` (a string of N characters), ``{__runs__: N}`` (N input mappings)."""
    if isinstance(value, dict):
        if set(value) == {'__big__'}:
            return 'x' * int(value['__big__'])
        if set(value) == {'__runs__'}:
            return [{'str': 'run %d' % i} for i in range(int(value['__runs__']))]
        return {k: expand(v, sim) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, sim) for v in value]
    if value == '__reader_password__':
        return sim.users['vro']['vcoreader']['password']
    return value


def build_playbook(cases, sim, path):
    tasks = []
    for case in cases:
        tasks.append({
            'name': 'case %s' % case['id'],
            'cloudops.orchestrator.%s' % case['module']: expand(case.get('args') or {}, sim),
            'ignore_errors': True,
        })
    play = [{'name': 'Bad input', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]
    # JSON is YAML, and it keeps every string exactly as written (no YAML re-interpretation of the values).
    path.write_text(json.dumps(play), encoding='utf-8')
    return path


def test_case_table_is_big_and_covers_every_module():
    cases = load_cases()
    assert len(cases) >= 100
    assert len({c['id'] for c in cases}) == len(cases), 'duplicate case ids'
    modules = {c['module'] for c in cases}
    assert modules >= {'vro_workflow_run', 'vro_execution_info', 'vro_execution_cancel', 'vro_workflow_info',
                       'vro_interaction', 'vro_task', 'vro_task_info', 'vcf_task_retry', 'vcf_task_info', 'orch_task',
                       'orch_task_info'}


# Cases that reach the server, in shards over the simulator; the offline ones (refused before any request) in shards
# over a fake server that must see no request: no simulator, so the quirks stage does not run them again.
SHARDS = 4
OFFLINE_SHARDS = 3
# The connection settings of the offline cases: every product pointed at the fake server.
OFFLINE_ENV = {'VRO_USERNAME': 'vcoadmin', 'VRO_PASSWORD': 'offline-pw-1', 'VCF_USERNAME': 'admin@local',
               'VCF_PASSWORD': 'offline-pw-2', 'ICO_USERNAME': 'admin', 'ICO_PASSWORD': 'offline-pw-3',
               'ICO_DOMAIN': 'Default', 'ICO_PROJECT': 'admin'}


def problems_of(cases, res):
    """What is wrong with each case's result: it must have failed, cleanly, in one line naming its ``expect``."""
    problems = []
    for case in cases:
        name = 'case %s' % case['id']
        try:
            record = res.record(name)
        except KeyError:
            problems.append('%s: did not run' % case['id'])
            continue
        result = record['result']
        msg = str(result.get('msg', ''))
        if record['status'] != 'ignored':
            problems.append('%s: did not fail (%s): %s' % (case['id'], record['status'], msg[:300]))
            continue
        text = json.dumps(result)
        if any(marker in text for marker in TRACEBACK_MARKERS):
            problems.append('%s: traceback or module crash: %s' % (case['id'], text[:1500]))
            continue
        if not msg or '\n' in msg.strip():
            problems.append('%s: msg is not one line: %r' % (case['id'], msg[:500]))
        missing = [w for w in case.get('expect') or [] if str(w).lower() not in msg.lower()]
        if missing:
            problems.append('%s: msg does not name %s: %s' % (case['id'], missing, msg[:500]))
    return problems


def test_cases_are_split_between_offline_and_server_shards():
    cases = load_cases()
    offline = [c for c in cases if c.get('offline')]
    assert 0 < len(offline) < len(cases)
    assert all(c.get('offline') in (None, True) for c in cases)
    assert not any('__reader_password__' in json.dumps(c) for c in offline), 'an offline case cannot use the simulator'


@pytest.mark.parametrize('shard', range(OFFLINE_SHARDS), ids=lambda i: 'offline%d' % i)
def test_every_offline_bad_input_fails_cleanly_before_sending_anything(tmp_path, shard):
    """The cases marked ``offline`` against a fake server for every product: each fails as above, and not one request
    reaches the server (a case that does belongs with the others, without ``offline``)."""
    cases = [c for c in load_cases() if c.get('offline')][shard::OFFLINE_SHARDS]
    seen = []

    def answer(request):
        seen.append('%s %s' % (request.command, request.path))
        request.send(500, {'status': 500, 'message': 'an offline case sent a request'})

    with LocalHttpServer(answer=answer) as fake:
        env = dict(OFFLINE_ENV, VRO_URL=fake.url, VCF_URL=fake.url, ICO_URL=fake.url)
        res = run_playbook(build_playbook(cases, None, tmp_path / 'bad_input_offline.yml'), env=env, timeout=1800)
    problems = problems_of(cases, res)
    assert not problems, '%d of %d cases are wrong:\n%s' % (len(problems), len(cases), '\n'.join(problems))
    assert seen == [], 'offline cases sent requests (take their offline mark away): %s' % seen


@pytest.mark.parametrize('shard', range(SHARDS), ids=lambda i: 'shard%d' % i)
def test_every_bad_input_fails_cleanly(fresh_simulator, tmp_path, shard):
    """One playbook per shard (every fourth case that reaches the server), so that parallel workers share the table."""
    sim = fresh_simulator
    cases = [c for c in load_cases() if not c.get('offline')][shard::SHARDS]
    playbook = build_playbook(cases, sim, tmp_path / 'bad_input.yml')
    res = run_playbook(playbook, env=sim.all_env(), timeout=1800)
    problems = problems_of(cases, res)
    assert not problems, '%d of %d cases are wrong:\n%s' % (len(problems), len(cases), '\n'.join(problems))

    # Nothing was changed on the server: every state-changing request that was sent was refused (4xx).
    log = sim.admin('GET', 'requests?limit=5000')['requests']
    accepted = ['%s %s -> %s' % (r['method'], r['path'], r['status']) for r in log
                if r['method'] in CHANGING and not r['path'].startswith(LOGIN_PATHS) and not 400 <= r['status'] < 500]
    assert accepted == [], accepted
    assert sim.admin('GET', 'vro/runs')['count'] == 0

    # The names holding & and = never reached the server inside a condition (issue 13 item 5: only a safe part of
    # the name is asked for, the whole name is compared here), and never as a bare '&' that would split the query.
    if not any('typed=inputs' in json.dumps(c.get('args')) for c in cases):
        return
    queries = [r['path'] for r in sim.admin('GET', 'requests?limit=5000')['requests'] if r['path'].startswith('/vco/api/workflows?')]
    assert any('conditions=name~inputs' in q or 'conditions=name~Echo' in q for q in queries), queries
    assert not any('typed%3Dinputs' in q or '%26' in q for q in queries), queries
    assert not any('&typed' in q or '& typed' in q or ' ' in q for q in queries), queries


def test_workflow_names_with_ampersand_and_equals_are_found(simulator_factory, tmp_path):
    """A real workflow named with '&' and '=' is found by name, run, and no other workflow is touched."""
    catalog = tmp_path / 'catalog.yml'
    catalog.write_text(yaml.safe_dump({'workflows': [
        {'name': 'Backup & restore db=primary', 'category': 'Ops', 'inputs': [{'name': 'db', 'type': 'string'}],
         'outputs': [{'name': 'db', 'type': 'string'}], 'behaviour': {'duration': 0.2, 'outputs': {'db': '$db'}}},
        {'name': 'Backup', 'category': 'Ops', 'behaviour': {'duration': 0.2}},
    ]}), encoding='utf-8')
    sim = simulator_factory('--catalog', str(catalog))
    playbook = tmp_path / 'amp.yml'
    playbook.write_text(json.dumps([{'name': 'amp', 'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'run it', 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_name': 'Backup & restore db=primary', 'inputs': {'db': 'a&b=c'}}}]}]), encoding='utf-8')
    res = run_playbook(playbook, env=sim.env('vro'))
    result = res.result('run it')
    assert result['state'] == 'completed' and result['workflow_name'] == 'Backup & restore db=primary'
    assert result['outputs'] == {'db': 'a&b=c'}
    runs = sim.admin('GET', 'vro/runs')['runs']
    assert [r['id'] for r in runs] == [result['execution_id']]
