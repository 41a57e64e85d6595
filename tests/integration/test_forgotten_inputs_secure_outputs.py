# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 14 items 5 and 9: forgotten inputs are named (warning, or an error with strict_inputs before anything is
started); SecureString outputs come back only with return_secure_outputs (and the task uses no_log)."""

from __future__ import annotations

import json

import yaml

from _harness import run_playbook, write_playbook
from test_secrets import SECURE_VALUE

ECHO = 'Echo typed inputs'
# Echo typed inputs declares 13 inputs (simulator/vro_catalog.py ECHO_INPUTS); these tasks give two of them.
NOT_GIVEN = ['flag', 'secret', 'when', 'tags', 'matrix', 'props', 'endpoint', 'vm', 'attachment', 'encrypted', 'pattern']
EXECUTION_STARTS = 'POST /vco/api/workflows/<wid>/executions'


def _playbook(tmp_path, name, tasks, play_vars=None):
    return write_playbook(tmp_path, name, tasks, play_vars=play_vars)


def _starts(sim):
    return sim.counters()['routes'].get(EXECUTION_STARTS, 0)


def test_forgotten_inputs_warn_and_the_run_starts(fresh_simulator, tmp_path):
    path = _playbook(tmp_path, 'forgotten', [
        {'name': 'two of thirteen', 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_name': ECHO, 'inputs': {'str': 'hello', 'num': 3}}},
        {'name': 'batch', 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_name': ECHO, 'runs': [
                {'str': 'a', 'num': 1},
                dict({'str': 'b', 'num': 2}, **dict((n, None) for n in NOT_GIVEN))]}},
    ])
    res = run_playbook(path, env=fresh_simulator.env('vro'))
    single = res.result('two of thirteen')
    assert single['state'] == 'completed'
    warnings = [w for w in single.get('warnings', []) if 'not given' in w]
    assert len(warnings) == 1, single.get('warnings')
    assert ("workflow 'Echo typed inputs' declares inputs that were not given (nothing is sent for them): %s;"
            % ', '.join(NOT_GIVEN)) in warnings[0]
    assert 'strict_inputs: true' in warnings[0]
    batch = res.result('batch')
    assert [r['state'] for r in batch['executions']] == ['completed', 'completed']
    warnings = [w for w in batch.get('warnings', []) if 'not given' in w]
    assert len(warnings) == 1, batch.get('warnings')
    # runs[1] gives the others as null (left out on purpose): only runs[0] is named.
    assert 'runs[0]: %s' % ', '.join(NOT_GIVEN) in warnings[0] and 'runs[1]' not in warnings[0]
    assert _starts(fresh_simulator) == 3


def test_strict_inputs_fails_before_anything_is_started(fresh_simulator, tmp_path):
    path = _playbook(tmp_path, 'strict', [
        {'name': 'strict', 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_name': ECHO, 'inputs': {'str': 'hello', 'num': 3}, 'strict_inputs': True}},
    ])
    for check in (False, True):
        res = run_playbook(path, env=fresh_simulator.env('vro'), check=check, expect_failure=True)
        msg = res.result('strict')['msg']
        assert msg.startswith("workflow 'Echo typed inputs' declares inputs that were not given"), msg
        assert ', '.join(NOT_GIVEN) in msg and 'nothing was started' in msg and 'strict_inputs: false' in msg
        assert '\n' not in msg
    assert _starts(fresh_simulator) == 0
    assert fresh_simulator.admin('GET', 'vro/runs')['runs'] == []


def test_secure_outputs_masked_unless_asked(simulator_factory, tmp_path):
    """A catalogue workflow whose SecureString output is not one of its inputs (so not masked as a sent secret).

    The value is test_secrets.SECURE_VALUE, which the session's secrets scan looks for in every transcript: the
    opt-in task has no_log: true, and only an assert compares the value."""
    catalog = tmp_path / 'catalog.yml'
    catalog.write_text(yaml.safe_dump({'workflows': [
        {'name': 'Issue token', 'category': 'Ops', 'inputs': [{'name': 'user', 'type': 'string'}],
         'outputs': [{'name': 'token', 'type': 'SecureString'}, {'name': 'user', 'type': 'string'}],
         'behaviour': {'duration': 0.2, 'outputs': {'token': SECURE_VALUE, 'user': '$user'}}},
    ]}), encoding='utf-8')
    sim = simulator_factory('--catalog', str(catalog))
    run = {'workflow_name': 'Issue token', 'inputs': {'user': 'alice'}}
    path = _playbook(tmp_path, 'secure', [
        {'name': 'masked', 'cloudops.orchestrator.vro_workflow_run': run, 'register': 'masked'},
        {'name': 'revealed', 'cloudops.orchestrator.vro_workflow_run': dict(run, return_secure_outputs=True),
         'register': 'revealed', 'no_log': True},
        {'name': 'compare', 'ansible.builtin.assert': {'quiet': True, 'that': [
            'masked.outputs.token == "********"',
            'revealed.outputs.token == expected_token',
            'revealed.outputs.user == "alice"',
            # the server's own form: secure-string, or string under the quirk vro-secure-as-string
            '((revealed.outputs_raw | selectattr("name", "equalto", "token") | first).value.values() | first).value'
            ' == expected_token',
        ]}},
    ], play_vars={'expected_token': SECURE_VALUE})
    res = run_playbook(path, env=sim.env('vro'))
    masked = res.result('masked')
    assert masked['outputs'] == {'token': '********', 'user': 'alice'}
    assert SECURE_VALUE not in json.dumps(masked)
    revealed = res.result('revealed')
    assert 'censored' in revealed and SECURE_VALUE not in json.dumps(revealed)
    assert [r['status'] for r in res.results if r['task'] == 'compare'] == ['ok']
    assert SECURE_VALUE not in res.stdout
