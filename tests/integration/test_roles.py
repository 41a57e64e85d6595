# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The roles of the collection, each applied for real against the simulator, and again in check mode."""

from __future__ import annotations

import pytest

from _harness import run_playbook

ROLE_PLAYBOOK = 'playbooks/role_apply.yml'
CAPTURE = "Capture the role's fact"

# Ids of the simulator's built-in VCF tasks (simulator/vcf_catalog.py).
RETRY_SUCCEEDS = '7a5e0001-5e1f-4c0d-9a11-000000000001'
RETRY_FAILS_ONCE = '7a5e0002-5e1f-4c0d-9a11-000000000002'
NOT_RETRYABLE = '7a5e0006-5e1f-4c0d-9a11-000000000006'
CREDENTIALS_FAILED = '7a5e0007-5e1f-4c0d-9a11-000000000007'
MARCH_WINDOW = '2026-03-01T12:00:00Z'  # holds exactly the four failed tasks above


def apply_role(sim, product, role, fact=None, check=False, expect_failure=False, **role_vars):
    """Apply ``role`` with ``role_vars`` as extra vars; return (PlaybookResult, captured fact or None)."""
    extra = dict(role_vars, role_under_test=role)
    if fact:
        extra['captured_fact'] = fact
    env = {}
    for name in (product if isinstance(product, (list, tuple)) else [product]):
        env.update(sim.env(name))
    res = run_playbook(ROLE_PLAYBOOK, extra_vars=extra, env=env, check=check, expect_failure=expect_failure)
    captured = None
    if fact and not expect_failure:
        captured = res.result(CAPTURE)['ansible_facts']['captured']
    return res, captured


def role_task(res, role, name):
    return res.result('cloudops.orchestrator.%s : %s' % (role, name))


def route_count(sim, route):
    return sim.counters()['routes'].get(route, 0)


START_RUN = 'POST /vco/api/workflows/<wid>/executions/'


# -- vro_workflow ------------------------------------------------------------------------------------------
def test_vro_workflow_sets_named_fact_and_checks_outputs(simulator):
    _res, outputs = apply_role(simulator, 'vro', 'vro_workflow', fact='deployed', vro_workflow_name='AWSNEW',
                               vro_workflow_inputs={'name': 'role-test-01'}, vro_workflow_result_var='deployed')
    assert set(outputs) == {'instanceId'}
    assert outputs['instanceId'].startswith('i-')

    # The same inputs again with reuse=completed: the finished run is reused, and its outputs are checked.
    res, execution = apply_role(simulator, 'vro', 'vro_workflow', fact='vro_workflow_execution',
                                vro_workflow_name='AWSNEW', vro_workflow_inputs={'name': 'role-test-01'},
                                vro_workflow_reuse='completed',
                                vro_workflow_expected_outputs={'instanceId': outputs['instanceId']})
    assert execution['state'] == 'completed'
    assert execution['workflow_name'] == 'AWSNEW'
    assert execution['reused'] is True and execution['changed'] is False
    assert role_task(res, 'vro_workflow', 'Check the expected outputs')['msg'] == '1 expected output(s) match'


def test_vro_workflow_fails_on_unexpected_output(simulator):
    res, _fact = apply_role(simulator, 'vro', 'vro_workflow', vro_workflow_name='AWSNEW',
                            vro_workflow_inputs={'name': 'role-test-02'}, vro_workflow_expected_outputs={'instanceId': 'i-nope'},
                            expect_failure=True)
    failed = res.failed_results()
    assert [r['task'] for r in failed] == ['cloudops.orchestrator.vro_workflow : Check the expected outputs']
    msg = failed[0]['result']['msg']
    assert "'instanceId' is \"i-" in msg and 'expected "i-nope"' in msg


# answer_replaced: the role's first task (an assert, roles/vro_workflow/tasks/main.yml) fails before any module runs,
# and playbooks/role_apply.yml does nothing before the role: no request is made, no reading of the simulator consulted.
@pytest.mark.answer_replaced
def test_vro_workflow_needs_exactly_one_workflow(simulator):
    res, _fact = apply_role(simulator, 'vro', 'vro_workflow', vro_workflow_name='AWSNEW', vro_workflow_id='3a0ab069',
                            expect_failure=True)
    assert 'exactly one of vro_workflow_name and vro_workflow_id' in res.failed_results()[0]['result']['msg']


def test_vro_workflow_check_mode_starts_nothing(simulator):
    before = route_count(simulator, START_RUN)
    _res, outputs = apply_role(simulator, 'vro', 'vro_workflow', fact='checked', check=True, vro_workflow_name='AWSNEW',
                               vro_workflow_inputs={'name': 'role-test-03'}, vro_workflow_result_var='checked',
                               vro_workflow_expected_outputs={'instanceId': 'not checked in check mode'})
    assert outputs == {'instanceId': ''}  # issue 14 item 1: the declared outputs, as check-mode placeholders
    assert route_count(simulator, START_RUN) == before


# -- vcf_task_remediation ----------------------------------------------------------------------------------
def test_vcf_task_remediation_check_mode_is_a_dry_run(fresh_simulator):
    before = route_count(fresh_simulator, 'PATCH /v1/tasks/<task_id>')
    res, result = apply_role(fresh_simulator, 'vcf', 'vcf_task_remediation', fact='vcf_task_remediation_result', check=True,
                             vcf_task_remediation_since=MARCH_WINDOW)
    assert result['check_mode'] is True
    assert sorted(result['retried']) == sorted([RETRY_SUCCEEDS, RETRY_FAILS_ONCE, CREDENTIALS_FAILED])
    assert result['not_retryable'] == [NOT_RETRYABLE]
    assert result['still_failed'] == []
    assert route_count(fresh_simulator, 'PATCH /v1/tasks/<task_id>') == before
    summary = role_task(res, 'vcf_task_remediation', 'Summary')['msg']
    assert 'Check mode: 3 task(s) would be retried, 1 cannot be.' in summary
    assert res.record('cloudops.orchestrator.vcf_task_remediation : Fail when failed tasks remain')['status'] == 'skipped'


def test_vcf_task_remediation_retries_and_fails_on_what_remains(fresh_simulator):
    res, _fact = apply_role(fresh_simulator, 'vcf', 'vcf_task_remediation', vcf_task_remediation_since=MARCH_WINDOW,
                            vcf_task_remediation_max_attempts=2, expect_failure=True)
    summary = role_task(res, 'vcf_task_remediation', 'Summary')['msg']
    rows = {line.split()[0]: line for line in summary[1:-1]}
    assert 'SUCCESSFUL' in rows[RETRY_SUCCEEDS] and 'SUCCESSFUL' in rows[RETRY_FAILS_ONCE]
    assert rows[RETRY_FAILS_ONCE].split()[2] == '2'  # it needed its second retry
    assert 'NOT RETRYABLE' in rows[NOT_RETRYABLE]
    assert summary[-1] == '4 failed task(s): 3 retried, 3 succeeded, 0 still failed, 1 not retryable.'
    failed = res.failed_results()
    assert [r['task'] for r in failed] == ['cloudops.orchestrator.vcf_task_remediation : Fail when failed tasks remain']
    assert NOT_RETRYABLE in failed[0]['result']['msg']


def test_vcf_task_remediation_bounded_attempts_leave_a_task_failed(fresh_simulator):
    # With one attempt the certificate task fails again; it is reported, not hidden.
    _res, result = apply_role(fresh_simulator, 'vcf', 'vcf_task_remediation', fact='vcf_task_remediation_result',
                              vcf_task_remediation_since=MARCH_WINDOW, vcf_task_remediation_name_contains='certificates',
                              vcf_task_remediation_max_attempts=1, vcf_task_remediation_fail_on_remaining=False)
    assert result['found'] == 1
    assert result['still_failed'] == [RETRY_FAILS_ONCE]
    assert result['tasks'][0]['attempts'] == 1


@pytest.mark.parametrize('quirk', [None, 'vcf-task-fields-omitted'])
def test_vcf_task_remediation_finds_failures_without_completion_time(fresh_simulator, simulator_factory, quirk):
    # The 4.4 reference's list sample has a Failed task without completionTimestamp, which completedAfter cannot list:
    # the role finds the failures of its window either way (an undated one placed by its creation, also against _until)
    # and retries them, instead of silently doing nothing.
    sim = simulator_factory('--quirk', quirk) if quirk else fresh_simulator
    _res, result = apply_role(sim, 'vcf', 'vcf_task_remediation', fact='vcf_task_remediation_result', check=True,
                              vcf_task_remediation_since=MARCH_WINDOW, vcf_task_remediation_until='2026-03-05T12:00:00Z')
    assert sorted(result['retried'] + result['not_retryable']) == sorted([RETRY_SUCCEEDS, RETRY_FAILS_ONCE, NOT_RETRYABLE])
    _res, result = apply_role(sim, 'vcf', 'vcf_task_remediation', fact='vcf_task_remediation_result',
                              vcf_task_remediation_since=MARCH_WINDOW, vcf_task_remediation_name_contains='sfo-m01-cl02')
    assert (result['found'], result['retried'], result['succeeded']) == (1, [RETRY_SUCCEEDS], [RETRY_SUCCEEDS])


@pytest.mark.parametrize('until', ['2026-03-03T15:00:00+01:00', '2026-03-03T14:07:45Z', '1772546400000'])
def test_vcf_task_remediation_until_is_compared_as_an_instant(fresh_simulator, until):
    # RETRY_FAILS_ONCE completed at 2026-03-03T14:07:45.220Z: after each of these ends of the window (14:00Z with an
    # offset, the same second without its fraction, epoch ms), which the role once compared as text and kept.
    _res, result = apply_role(fresh_simulator, 'vcf', 'vcf_task_remediation', fact='vcf_task_remediation_result', check=True,
                              vcf_task_remediation_since=MARCH_WINDOW, vcf_task_remediation_until=until)
    assert result['retried'] + result['not_retryable'] == [RETRY_SUCCEEDS]


def test_vcf_task_remediation_refuses_a_too_wide_window(fresh_simulator):
    before = route_count(fresh_simulator, 'PATCH /v1/tasks/<task_id>')
    res, _fact = apply_role(fresh_simulator, 'vcf', 'vcf_task_remediation', vcf_task_remediation_since=MARCH_WINDOW,
                            vcf_task_remediation_max_tasks=2, expect_failure=True)
    assert 'more than vcf_task_remediation_max_tasks=2; nothing was retried' in res.failed_results()[0]['result']['msg']
    assert route_count(fresh_simulator, 'PATCH /v1/tasks/<task_id>') == before


# -- vro_schedules -----------------------------------------------------------------------------------------
def _schedule(name, workflow, start, inputs):
    return {'name': name, 'workflow_name': workflow, 'inputs': inputs,
            'recurrence': {'cycle': 'every-days', 'start': start}}


def test_vro_schedules_creates_updates_and_prunes(simulator):
    first = [_schedule('rt nightly a', 'AWSNEW', '2031-01-01T02:00:00Z', {'name': 'rt-a'}),
             _schedule('rt nightly b', 'AWSNEW', '2031-01-01T03:00:00Z', {'name': 'rt-b'})]
    _res, result = apply_role(simulator, 'vro', 'vro_schedules', fact='vro_schedules_result',
                              vro_schedules_tasks=first, vro_schedules_prune=True)
    assert sorted(result['created']) == ['rt nightly a', 'rt nightly b']

    second = [_schedule('rt nightly a', 'AWSNEW', '2031-01-01T05:00:00Z', {'name': 'rt-a'})]
    check_res, checked = apply_role(simulator, 'vro', 'vro_schedules', fact='vro_schedules_result', check=True,
                                    vro_schedules_tasks=second, vro_schedules_prune=True)
    assert checked['updated'] == ['rt nightly a'] and checked['removed'] == ['rt nightly b']
    assert role_task(check_res, 'vro_schedules', 'Summary')['msg'][-1] == (
        '1 scheduled task(s): 0 would be created, 1 would be updated, 0 up to date, 1 would be removed')

    _res, result = apply_role(simulator, 'vro', 'vro_schedules', fact='vro_schedules_result',
                              vro_schedules_tasks=second, vro_schedules_prune=True)
    assert result['updated'] == ['rt nightly a'] and result['removed'] == ['rt nightly b']

    _res, result = apply_role(simulator, 'vro', 'vro_schedules', fact='vro_schedules_result',
                              vro_schedules_tasks=second, vro_schedules_prune=True)
    assert result['unchanged'] == ['rt nightly a']
    assert result['created'] == [] and result['updated'] == [] and result['removed'] == []


def test_vro_schedules_rejects_duplicate_names(simulator):
    tasks = [_schedule('rt dup', 'AWSNEW', '2031-01-01T02:00:00Z', {'name': 'x'})] * 2
    res, _fact = apply_role(simulator, 'vro', 'vro_schedules', vro_schedules_tasks=tasks, expect_failure=True)
    assert 'unique names' in res.failed_results()[0]['result']['msg']


# -- ico_task_housekeeping ---------------------------------------------------------------------------------
OLD_FINISHED = ['1003', '1004', '1005', '1008', '1009', '1011']  # built-in ICO tasks that ended before 2026-02


@pytest.mark.parametrize('check', [True, False], ids=['check', 'real'])
def test_ico_task_housekeeping(fresh_simulator, check):
    deletes = route_count(fresh_simulator, 'DELETE /orchestrator/v2/tasks/<task_id>')
    res, result = apply_role(fresh_simulator, 'ico', 'ico_task_housekeeping', fact='ico_task_housekeeping_result', check=check,
                             ico_task_housekeeping_older_than_days=1)
    assert sorted(result['tasks']) == OLD_FINISHED
    assert sorted(result['deleted']) == OLD_FINISHED
    report = role_task(res, 'ico_task_housekeeping', 'Report')['msg']
    assert report.startswith('Check mode: would delete 6' if check else 'Deleted 6')
    after = route_count(fresh_simulator, 'DELETE /orchestrator/v2/tasks/<task_id>')
    assert after - deletes == (0 if check else 6)
    if not check:
        _res, again = apply_role(fresh_simulator, 'ico', 'ico_task_housekeeping', fact='ico_task_housekeeping_result',
                                 ico_task_housekeeping_older_than_days=1)
        assert again['matched'] == 0 and again['deleted'] == []


def test_ico_task_housekeeping_by_project_and_limit(fresh_simulator):
    _res, result = apply_role(fresh_simulator, 'ico', 'ico_task_housekeeping', fact='ico_task_housekeeping_result', check=True,
                              ico_task_housekeeping_project='finance', ico_task_housekeeping_statuses=['failed'],
                              ico_task_housekeeping_older_than_days=1)
    assert result['tasks'] == ['1005']
    res, _fact = apply_role(fresh_simulator, 'ico', 'ico_task_housekeeping', ico_task_housekeeping_older_than_days=1,
                            ico_task_housekeeping_max_delete=2, expect_failure=True)
    assert 'more than ico_task_housekeeping_max_delete=2; nothing was deleted' in res.failed_results()[0]['result']['msg']
