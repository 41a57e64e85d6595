# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbooks under playbooks/, run as a user (or an AWX job template) runs them, against the simulator."""

from __future__ import annotations

import json
import textwrap

from _harness import REPO_ROOT, run_playbook

PLAYBOOKS = REPO_ROOT / 'playbooks'
NOT_RETRYABLE = '7a5e0006-5e1f-4c0d-9a11-000000000006'


def _all_env(sim):
    env = {}
    for product in ('vro', 'vcf', 'ico'):
        env.update(sim.env(product))
    return env


# -- run_workflow.yml --------------------------------------------------------------------------------------
def test_run_workflow_with_survey_style_answers(simulator):
    # A survey textarea delivers YAML text; integers may come as strings.
    res = run_playbook(PLAYBOOKS / 'run_workflow.yml', env=simulator.env('vro'), extra_vars={
        'vro_workflow_name': 'Echo typed inputs',
        'vro_inputs': 'str: from a survey\nnum: 7\ntags: [a, b]\n',
        'vro_expected_outputs': '{"out_str": "from a survey", "out_num": 7}',
        'vro_wait_timeout': '120',
    })
    report = res.result('Report')['msg']
    assert report[0].startswith('Echo typed inputs run ') and report[0].endswith(': completed')
    stats = res.result('Hand the outputs to the next job of a workflow template')['ansible_stats']['data']
    assert stats['vro_outputs']['out_tags'] == ['a', 'b']
    assert stats['vro_outputs']['out_num'] == 7


def test_run_workflow_rejects_bad_parameters(simulator):
    res = run_playbook(PLAYBOOKS / 'run_workflow.yml', env=simulator.env('vro'), expect_failure=True,
                       extra_vars={'vro_workflow_name': 'AWSNEW', 'vro_reuse': 'sometimes'})
    failed = res.failed_results()
    assert [r['task'] for r in failed] == ['Validate the job parameters']
    assert 'vro_reuse' in failed[0]['result']['msg']

    res = run_playbook(PLAYBOOKS / 'run_workflow.yml', env=simulator.env('vro'), expect_failure=True, extra_vars={})
    assert 'Give exactly one of vro_workflow_name and vro_workflow_id' in res.failed_results()[0]['result']['msg']


def test_run_workflow_reports_the_modules_error(simulator):
    res = run_playbook(PLAYBOOKS / 'run_workflow.yml', env=simulator.env('vro'), expect_failure=True,
                       extra_vars={'vro_workflow_name': 'AWSNEW', 'vro_inputs': {'Name': 'wrong case'}})
    msg = res.failed_results()[0]['result']['msg']
    assert "'Name'" in msg and 'name' in msg


# -- cancel_stuck_runs.yml ---------------------------------------------------------------------------------
def test_cancel_stuck_runs(fresh_simulator):
    env = fresh_simulator.env('vro')
    started = run_playbook('playbooks/start_runs.yml', env=env,
                           extra_vars={'workflow': 'Sleep', 'runs': [{'seconds': 600}, {'seconds': 600}]})
    ids = sorted(e['execution_id'] for e in started.result('Start them')['executions'])
    assert len(ids) == 2

    dry = run_playbook(PLAYBOOKS / 'cancel_stuck_runs.yml', env=env, check=True,
                       extra_vars={'vro_workflow_name': 'Sleep', 'vro_older_than_minutes': 0})
    assert dry.result('Summary')['msg'].startswith('Check mode: would cancel 2 of 2 run(s)')

    # Nothing was cancelled by the dry run, and runs younger than the cut-off are left alone.
    young = run_playbook(PLAYBOOKS / 'cancel_stuck_runs.yml', env=env,
                         extra_vars={'vro_workflow_name': 'Sleep', 'vro_older_than_minutes': 60})
    assert young.result('Summary')['msg'].startswith('Cancelled 0 of 0 run(s)')

    real = run_playbook(PLAYBOOKS / 'cancel_stuck_runs.yml', env=env,
                        extra_vars={'vro_workflow_name': 'Sleep', 'vro_older_than_minutes': '0'})
    cancelled = real.result('Cancel them')['results']
    assert sorted(r['execution_id'] for r in cancelled) == ids
    assert {r['state'] for r in cancelled} == {'canceled'}
    assert real.result('Summary')['msg'].startswith('Cancelled 2 of 2 run(s)')


# -- retry_failed_vcf_tasks.yml ----------------------------------------------------------------------------
def test_retry_failed_vcf_tasks_dry_run(fresh_simulator):
    # The real run is in test_awx_runner.py (as AWX runs it) and the role's own tests.
    before = fresh_simulator.counters()['routes'].get('PATCH /v1/tasks/<task_id>', 0)
    dry = run_playbook(PLAYBOOKS / 'retry_failed_vcf_tasks.yml', env=fresh_simulator.env('vcf'), check=True,
                       extra_vars={'vcf_since': '2026-03-01T12:00:00Z', 'vcf_max_attempts': '2'})
    summary = dry.result('cloudops.orchestrator.vcf_task_remediation : Summary')['msg']
    assert summary[-1] == 'Check mode: 3 task(s) would be retried, 1 cannot be.'
    assert any(NOT_RETRYABLE in line and 'NOT RETRYABLE' in line for line in summary)
    assert fresh_simulator.counters()['routes'].get('PATCH /v1/tasks/<task_id>', 0) == before


def test_retry_failed_vcf_tasks_validates_parameters(simulator):
    res = run_playbook(PLAYBOOKS / 'retry_failed_vcf_tasks.yml', env=simulator.env('vcf'), expect_failure=True,
                       extra_vars={'vcf_window_hours': 'a day'})
    failed = res.failed_results()
    assert [r['task'] for r in failed] == ['Validate the job parameters']
    assert 'vcf_window_hours' in failed[0]['result']['msg']
    res = run_playbook(PLAYBOOKS / 'retry_failed_vcf_tasks.yml', env=simulator.env('vcf'), expect_failure=True,
                       extra_vars={'vcf_max_attempts': 0})
    assert 'must be positive' in res.failed_results()[0]['result']['msg']


def test_the_awx_playbooks_pass_a_wait_timeout_with_units_to_the_module(fresh_simulator):
    # A survey answer such as 2m goes through to the module, which parses durations (it used to be refused as no int).
    res = run_playbook(PLAYBOOKS / 'run_workflow.yml', env=fresh_simulator.env('vro'), extra_vars={
        'vro_workflow_name': 'Echo typed inputs', 'vro_inputs': {'str': 'x', 'num': 1, 'tags': []}, 'vro_wait_timeout': '2m'})
    assert res.result('Report')['msg'][0].endswith(': completed')
    dry = run_playbook(PLAYBOOKS / 'retry_failed_vcf_tasks.yml', env=fresh_simulator.env('vcf'), check=True,
                       extra_vars={'vcf_since': '2026-03-01T12:00:00Z', 'vcf_wait_timeout': '1h'})
    assert dry.failed_results() == []
    assert dry.result('cloudops.orchestrator.vcf_task_remediation : Summary')['msg'][-1].startswith('Check mode: ')


def test_the_awx_playbooks_refuse_a_wait_timeout_of_zero_first(simulator):
    res = run_playbook(PLAYBOOKS / 'run_workflow.yml', env=simulator.env('vro'), expect_failure=True,
                       extra_vars={'vro_workflow_name': 'Echo typed inputs', 'vro_wait_timeout': '0s'})
    failed = res.failed_results()
    assert [r['task'] for r in failed] == ['Check the parameters'] and 'vro_wait_timeout positive' in failed[0]['result']['msg']
    res = run_playbook(PLAYBOOKS / 'retry_failed_vcf_tasks.yml', env=simulator.env('vcf'), expect_failure=True,
                       extra_vars={'vcf_wait_timeout': -5})
    failed = res.failed_results()
    assert [r['task'] for r in failed] == ['Check the numbers'] and 'must be positive' in failed[0]['result']['msg']


# -- demo.yml ----------------------------------------------------------------------------------------------
def test_demo_tour(fresh_simulator):
    res = run_playbook(PLAYBOOKS / 'demo.yml', env=_all_env(fresh_simulator))
    assert res.failed_results() == []
    assert res.result('The decoded output, a plain value instead of vRO\'s typed JSON')['msg'][1].startswith('instanceId = i-')
    echo = res.result("Each input as vRO recorded it, checked against the workflow's echo (out_<name>) decoded back")['msg']
    assert echo[-1].startswith('13 of 13 values came back unchanged')
    assert 'Demo-S3cret!' not in res.stdout
    assert res.result('The run, picked up later')['msg'].endswith('is completed after 3.0 s')
    assert 'running -> canceled' in res.result('What the cancel did')['msg'][0]
    assert res.result('The answer reached the workflow')['msg'][0].endswith('waiting -> completed')
    assert 'with name=demo-nightly' in res.result('The scheduled task')['msg'][0]
    assert res.result('cloudops.orchestrator.vcf_task_remediation : Summary')['msg'][-1].startswith('4 failed task(s): 3 retried')
    assert 'COMPLETED' in res.result('How it ended')['msg']
    assert res.result('Gone')['msg'].startswith('deleted task ')
    # No raw JSON dumps: every debug message is a line or a list of lines.
    for record in res.results:
        if record['action'] == 'ansible.builtin.debug':
            msg = record['result']['msg']
            assert isinstance(msg, (str, list)), record['task']
            assert all(isinstance(line, str) for line in (msg if isinstance(msg, list) else [msg])), record['task']


# -- register_credential_types.yml -------------------------------------------------------------------------
STUB_MODULE = textwrap.dedent('''\
    #!/usr/bin/python
    # GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
    """Test stand-in for awx.awx.credential_type: records its arguments."""
    import json
    import os
    from ansible.module_utils.basic import AnsibleModule


    def main():
        module = AnsibleModule(argument_spec=dict(name=dict(required=True), description=dict(), kind=dict(),
                                                  inputs=dict(type='dict'), injectors=dict(type='dict'),
                                                  state=dict(default='present')), supports_check_mode=True)
        with open(os.environ['STUB_RECORD'], 'a') as handle:
            handle.write(json.dumps(module.params) + '\\n')
        module.exit_json(changed=True)


    main()
''')


def test_register_credential_types(tmp_path):
    modules = tmp_path / 'ansible_collections' / 'awx' / 'awx' / 'plugins' / 'modules'
    modules.mkdir(parents=True)
    (modules / 'credential_type.py').write_text(STUB_MODULE, encoding='utf-8')
    record = tmp_path / 'calls.jsonl'
    env = {'ANSIBLE_COLLECTIONS_PATH': '%s:%s' % (tmp_path, REPO_ROOT / 'build' / 'playbook'), 'STUB_RECORD': str(record)}
    run_playbook(PLAYBOOKS / 'register_credential_types.yml', env=env)
    calls = [json.loads(line) for line in record.read_text(encoding='utf-8').splitlines()]
    by_prefix = {sorted(c['injectors']['env'])[0].split('_')[0]: c for c in calls}
    assert sorted(by_prefix) == ['ICO', 'VCF', 'VRO']
    for prefix, call in by_prefix.items():
        assert call['kind'] == 'cloud' and call['state'] == 'present'
        assert call['injectors']['env'][prefix + '_URL'] == '{{ url }}'
        secrets = {f['id'] for f in call['inputs']['fields'] if f.get('secret')}
        assert 'password' in secrets
    assert 'token' in {f['id'] for f in by_prefix['VRO']['inputs']['fields'] if f.get('secret')}

    record.unlink()
    run_playbook(PLAYBOOKS / 'register_credential_types.yml', env=env, extra_vars={'credential_types_wanted': ['vcf']})
    calls = [json.loads(line) for line in record.read_text(encoding='utf-8').splitlines()]
    assert [c['name'] for c in calls] == ['VMware Cloud Foundation SDDC Manager (cloudops.orchestrator)']
