# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Durations with units (first hour, session 20): `wait_timeout: 2m`, `poll_interval: 500ms` in a playbook, text
numbers from a survey, check mode, and `-a 'wait_timeout=10m'` ad hoc, through real ansible-playbook / ansible."""

from __future__ import annotations

from _harness import run_playbook, write_playbook
from test_adhoc import adhoc

ECHO_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
SLEEP_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002'
FORMS = 'a number of seconds (90, 1.5) or a number with units ms, s, m, h, d (500ms, 90s, 10m, 1h30m)'


def test_a_playbook_with_durations_in_units(fresh_simulator, tmp_path):
    sim = fresh_simulator
    path = write_playbook(tmp_path, 'durations', [
        {'name': 'units', 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_id': ECHO_ID, 'inputs': {'str': 'units'}, 'wait_timeout': '2m', 'poll_interval': '500ms',
            'poll_interval_max': '1M', 'timeout': '30s', 'connect_timeout': '5 s'}},
        {'name': 'survey text', 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_id': ECHO_ID, 'inputs': {'str': 'survey'}, 'wait_timeout': '90', 'poll_interval': '0.5'}},
        {'name': 'role', 'ansible.builtin.include_role': {'name': 'cloudops.orchestrator.vro_workflow'}, 'vars': {
            'vro_workflow_name': 'AWSNEW', 'vro_workflow_inputs': {'name': 'role'}, 'vro_workflow_wait_timeout': '2m',
            'vro_workflow_result_var': 'role_outputs'}},
        {'name': 'role outputs', 'ansible.builtin.debug': {'var': 'role_outputs'}},
        {'name': 'check mode', 'check_mode': True, 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_id': ECHO_ID, 'inputs': {'str': 'check'}, 'wait_timeout': '1h30m', 'reuse': 'completed',
            'reuse_max_age': '1d'}},
        {'name': 'start', 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_id': SLEEP_ID, 'inputs': {'seconds': 120}, 'wait': False}, 'register': 'started'},
        {'name': 'wait short', 'ignore_errors': True, 'cloudops.orchestrator.vro_execution_info': {
            'execution_url': '{{ started.href }}', 'wait_for': ['completed'], 'wait_timeout': '1500ms',
            'poll_interval': '250ms'}},
        {'name': 'cancel', 'cloudops.orchestrator.vro_execution_cancel': {'execution_url': '{{ started.href }}'}},
        {'name': 'unknown unit', 'ignore_errors': True, 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_id': ECHO_ID, 'inputs': {'str': 'never'}, 'wait_timeout': '10 minuets'}},
        {'name': 'boolean', 'ignore_errors': True, 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_id': ECHO_ID, 'inputs': {'str': 'never'}, 'poll_interval': True}},
    ])
    res = run_playbook(path, env=sim.env('vro'))
    for task in ('units', 'survey text'):
        result = res.result(task)
        assert result['changed'] is True and result['state'] == 'completed', result
    assert res.result('role outputs')['role_outputs']['instanceId'].startswith('i-')
    checked = res.result('check mode')
    assert checked['changed'] is True and checked['execution_id'] == 'check-mode-not-started', checked

    eid = res.result('start')['execution_id']
    result = res.result('wait short')
    assert [r['status'] for r in res.results if r['task'] == 'wait short'] == ['ignored']
    assert result['msg'].startswith('run %s did not reach completed within wait_timeout 1.5s; last state: running (' % eid), result['msg']
    assert res.result('cancel')['state'] == 'canceled'

    assert res.result('unknown unit')['msg'] == "wait_timeout must be a duration, got '10 minuets': give " + FORMS
    assert res.result('boolean')['msg'] == 'poll_interval must be a duration, got True (a boolean): give ' + FORMS
    # two runs of Echo started (units, survey text), one of AWSNEW (role) and one of Sleep: neither check mode nor
    # the refusals sent one.
    assert sim.counters().get('routes', {}).get('POST /vco/api/workflows/<wid>/executions') == 4


def test_adhoc_wait_timeout_with_units(simulator):
    rc, result, out = adhoc(simulator, 'vro_workflow_run',
                            'workflow_id=%s wait_timeout=10m poll_interval=500ms timeout=1m' % ECHO_ID)
    assert rc == 0 and out.startswith('localhost | CHANGED'), out
    assert result['state'] == 'completed'

    rc, result, out = adhoc(simulator, 'vro_workflow_run', 'workflow_id=%s wait_timeout=-10m' % ECHO_ID)
    assert rc != 0 and 'localhost | FAILED' in out, out
    assert result['msg'] == "wait_timeout must not be negative, got '-10m': give " + FORMS
