# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The first hour of a new user: the mistakes made while learning the collection get one line that says what
happened and what to do next, and keeps the ids (session 18, part "the first hour of a new user")."""

from __future__ import annotations

import re

from _harness import run_playbook, write_playbook

AWSNEW_ID = '3a0ab069-cf2f-47e0-96f5-4a8920a5dc51'
ECHO_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
SLEEP_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002'
VCF_IN_PROGRESS = '7a5e0003-5e1f-4c0d-9a11-000000000003'
VCF_RETRY_SUCCEEDS = '7a5e0001-5e1f-4c0d-9a11-000000000001'
ICO_TOPIC = 'com/ibm/orchestrator/serviceinstance/plan/ibm_bpm_process'


def _playbook(tmp_path, name, tasks):
    return write_playbook(tmp_path, name, tasks, ignore_errors=True)


def _failed(res, task):
    assert [r['status'] for r in res.results if r['task'] == task] == ['ignored'], task
    return res.result(task)


def test_a_misspelt_workflow_name_suggests_the_close_names(fresh_simulator, tmp_path):
    sim = fresh_simulator
    path = _playbook(tmp_path, 'typo', [
        {'name': 'run typo', 'cloudops.orchestrator.vro_workflow_run': {'workflow_name': 'AWSNWE', 'inputs': {'name': 'x'}}},
        {'name': 'info typo', 'cloudops.orchestrator.vro_workflow_info': {'workflow_name': 'Echo typed input'}},
        {'name': 'nothing close', 'cloudops.orchestrator.vro_workflow_run': {'workflow_name': 'Provision database'}},
    ])
    res = run_playbook(path, env=sim.env('vro'))
    result = _failed(res, 'run typo')
    assert result['msg'] == ("no workflow named 'AWSNWE' is visible to this user; did you mean 'AWSNEW' (%s (category "
                             "'Cloud'))? set workflow_name to that exact name" % AWSNEW_ID), result['msg']
    assert not result.get('changed')
    result = _failed(res, 'info typo')
    assert result['msg'] == ("no workflow named 'Echo typed input' is visible to this user; did you mean 'Echo typed inputs' "
                             "(%s (category 'Library'))? set workflow_name to that exact name" % ECHO_ID), result['msg']
    result = _failed(res, 'nothing close')
    assert result['msg'] == ("no workflow named 'Provision database' is visible to this user; check the spelling and that "
                             "this user may read it, or list the workflows it sees with "
                             "cloudops.orchestrator.vro_workflow_info and name_contains"), result['msg']
    routes = sim.counters().get('routes', {})
    assert not [route for route, n in routes.items() if n and route.split(' ', 1)[0] in ('POST', 'PUT', 'PATCH', 'DELETE')
                and 'login' not in route], routes


def test_a_number_given_as_text_that_is_no_number_is_quoted(simulator, tmp_path):
    path = _playbook(tmp_path, 'notanumber', [
        {'name': 'not a number', 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_id': ECHO_ID, 'inputs': {'num': 'twenty', 'str': 'x'}}},
        {'name': 'list for a number', 'cloudops.orchestrator.vro_workflow_run': {'workflow_id': ECHO_ID, 'inputs': {'num': [1]}}},
        {'name': 'number for a boolean', 'cloudops.orchestrator.vro_workflow_run': {'workflow_id': ECHO_ID, 'inputs': {'flag': 2}}},
        {'name': 'list for a string', 'cloudops.orchestrator.vro_workflow_run': {'workflow_id': ECHO_ID, 'inputs': {'str': ['a']}}},
        {'name': 'text number', 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_id': ECHO_ID, 'inputs': {'num': '20'}}},
    ])
    res = run_playbook(path, env=simulator.env('vro'))
    result = _failed(res, 'not a number')
    assert result['msg'].endswith("input 'num' is declared as number but the value is a string: 'twenty' is not a number: "
                                  "give one such as 20 or 2.5"), result['msg']
    assert _failed(res, 'list for a number')['msg'] == (
        "workflow 'Echo typed inputs': input 'num' is declared as number but the value is a list: give a number such as 20 or 2.5")
    assert _failed(res, 'number for a boolean')['msg'] == (
        "workflow 'Echo typed inputs': input 'flag' is declared as boolean but the value is an integer: give true or false")
    assert _failed(res, 'list for a string')['msg'] == (
        "workflow 'Echo typed inputs': input 'str' is declared as string but the value is a list: give text")
    assert res.result('text number')['outputs']['out_num'] == 20


def test_a_vro_wait_that_times_out_says_the_run_goes_on(simulator, tmp_path):
    path = _playbook(tmp_path, 'vro_wait', [
        {'name': 'start', 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_id': SLEEP_ID, 'inputs': {'seconds': 120}, 'wait': False}, 'register': 'started'},
        {'name': 'wait short', 'cloudops.orchestrator.vro_execution_info': {
            'execution_url': '{{ started.href }}', 'wait_for': ['completed'], 'wait_timeout': 1}},
        {'name': 'cancel', 'cloudops.orchestrator.vro_execution_cancel': {'execution_url': '{{ started.href }}'}},
    ])
    res = run_playbook(path, env=simulator.env('vro'))
    eid = res.result('start')['execution_id']
    result = _failed(res, 'wait short')
    msg = result['msg']
    assert msg.startswith('run %s did not reach completed within wait_timeout 1.0s; last state: running (' % eid), msg
    assert msg.endswith('); the run goes on: raise wait_timeout, or run this task again to wait more'), msg
    assert result['execution_id'] == eid and result['timed_out'] is True
    assert res.result('cancel')['state'] == 'canceled'


def test_a_vcf_wait_that_times_out_says_the_task_goes_on(fresh_simulator, tmp_path):
    sim = fresh_simulator
    sim.admin('POST', 'vcf/tasks/%s/outcome' % VCF_RETRY_SUCCEEDS, json={'retry_seconds': 3600})
    path = _playbook(tmp_path, 'vcf_wait', [
        {'name': 'wait short', 'cloudops.orchestrator.vcf_task_info': {
            'task_id': VCF_IN_PROGRESS, 'wait_for': ['SUCCESSFUL'], 'wait_timeout': 1}},
        {'name': 'retry short', 'cloudops.orchestrator.vcf_task_retry': {'task_id': VCF_RETRY_SUCCEEDS, 'wait_timeout': 1}},
    ])
    res = run_playbook(path, env=sim.env('vcf'))
    result = _failed(res, 'wait short')
    msg = result['msg']
    assert msg.startswith("task %s 'Upgrade vCenter sfo-w01-vc01.rainpole.io' is still In Progress after waiting for "
                          "SUCCESSFUL: " % VCF_IN_PROGRESS), msg
    assert msg.endswith('; the task goes on: raise wait_timeout, or run this task again to wait more'), msg
    assert result['tasks'][0]['id'] == VCF_IN_PROGRESS
    result = _failed(res, 'retry short')
    msg = result['msg']
    # In Progress, or still Failed under the quirk vcf-retry-lag (SDDC Manager shows the retry late): named either way.
    assert "; still waited on: task %s 'Add cluster sfo-m01-cl02 to domain sfo-m01' (" % VCF_RETRY_SUCCEEDS in msg, msg
    assert msg.endswith('; the retry was sent and goes on: wait for it with cloudops.orchestrator.vcf_task_info (task_id, '
                        'wait_for), or raise wait_timeout'), msg
    assert result['changed'] is True and result['retried'] == [VCF_RETRY_SUCCEEDS]
    assert sim.admin('GET', 'vcf/tasks/%s/attempts' % VCF_RETRY_SUCCEEDS)['retry_requests'] == 1


def test_an_ico_wait_that_times_out_says_the_task_goes_on(fresh_simulator, tmp_path):
    sim = fresh_simulator
    sim.admin('PUT', 'settings', json={'ico_status_step_seconds': 3600})
    path = _playbook(tmp_path, 'ico_wait', [
        {'name': 'create short', 'cloudops.orchestrator.orch_task': {
            'task': {'eventTopic': ICO_TOPIC, 'parm': {'processName': 'first hour'}},
            'wait_for_status': ['COMPLETED'], 'wait_timeout': 1}},
    ])
    try:
        res = run_playbook(path, env=sim.env('ico'))
    finally:
        sim.admin('POST', 'reset', json={'settings': True})
    result = _failed(res, 'create short')
    task_id = result['task']['id']
    msg = result['msg']
    assert msg.startswith('task %s is still %s after waiting for COMPLETED: ' % (task_id, result['task']['status'])), msg
    assert result['task']['status'] in ('QUEUED', 'RUNNING')
    assert msg.endswith('; the task goes on: follow it with cloudops.orchestrator.orch_task (id: %s, wait_for_status), or '
                        'raise wait_timeout' % task_id), msg
    assert result['changed'] is True


def test_an_interaction_is_answered_by_the_run_url_as_runs_are_read_and_cancelled(fresh_simulator, tmp_path):
    """vro_execution_info and vro_execution_cancel take a run's href as execution_url; vro_interaction takes it too."""
    sim = fresh_simulator
    path = _playbook(tmp_path, 'answer_by_url', [
        {'name': 'start', 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_name': 'Request approval', 'inputs': {'request': 'a VM'}, 'on_user_interaction': 'return'},
         'register': 'run'},
        {'name': 'both', 'cloudops.orchestrator.vro_interaction': {
            'execution_url': '{{ run.href }}', 'execution_id': '{{ run.execution_id }}', 'inputs': {'approved': True}}},
        {'name': 'neither', 'cloudops.orchestrator.vro_interaction': {'inputs': {'approved': True}}},
        {'name': 'not a run url', 'cloudops.orchestrator.vro_interaction': {
            'execution_url': '{{ run.href | replace("/executions/", "/runs/") }}', 'inputs': {'approved': True}}},
        {'name': 'by id alone, a run that is not waiting', 'cloudops.orchestrator.vro_interaction': {
            'execution_id': '00000000-0000-4000-8000-00000000e404', 'inputs': {'approved': True}}},
        {'name': 'check', 'cloudops.orchestrator.vro_interaction': {
            'execution_url': '{{ run.href }}', 'inputs': {'approved': True, 'comment': 'ok'}}, 'check_mode': True},
        {'name': 'answer', 'cloudops.orchestrator.vro_interaction': {
            'execution_url': '{{ run.href }}', 'inputs': {'approved': True, 'comment': 'ok'}, 'wait_for': ['completed']}},
    ])
    res = run_playbook(path, env=sim.env('vro'))
    run = res.result('start')
    assert run['state'] == 'waiting'
    assert _failed(res, 'both')['msg'] == 'parameters are mutually exclusive: execution_id|execution_url'
    assert _failed(res, 'neither')['msg'] == 'one of the following is required: execution_id, execution_url'
    assert "is not the URL of a workflow run: expected .../workflows/<id>/executions/<id>/" in _failed(res, 'not a run url')['msg']
    alone = res.result('by id alone, a run that is not waiting')
    assert alone['changed'] is False and alone['msg'] == (
        "run 00000000-0000-4000-8000-00000000e404 has no pending user interaction (GET /interactions does not list it): "
        "nothing to answer; give workflow_id or workflow_name, or the run's href as execution_url, to read the run itself")
    check = res.result('check')
    assert check['changed'] is True and check['execution_id'] == run['execution_id']
    answered = res.result('answer')
    assert answered['changed'] is True and answered['state'] == 'completed'
    assert answered['execution_id'] == run['execution_id'] and answered['workflow_id'] == run['workflow_id']
    assert answered['outputs'] == {'approved': True, 'comment': 'ok'}
    routes = sim.counters().get('routes', {})
    assert sum(n for route, n in routes.items() if route.startswith('POST ') and route.rstrip('/').endswith('/interaction')) == 1


def test_a_vcf_status_given_as_a_list_is_refused_saying_it_takes_one(fresh_simulator, tmp_path):
    """vro_execution_info's state is a list; vcf_task_info's status is one status: a list gets a line saying so."""
    sim = fresh_simulator
    path = _playbook(tmp_path, 'status_list', [
        {'name': 'one in a list', 'cloudops.orchestrator.vcf_task_info': {'status': ['failed']}},
        {'name': 'two in a list', 'cloudops.orchestrator.vcf_task_info': {'status': ['In Progress', 'FAILED']}},
    ])
    res = run_playbook(path, env=sim.env('vcf'))
    assert _failed(res, 'one in a list')['msg'] == ("status takes one status, not a list (['failed']); nothing was sent: "
                                                    "give one, such as status: FAILED (a loop for several)")
    assert _failed(res, 'two in a list')['msg'] == ("status takes one status, not a list (['In Progress', 'FAILED']); nothing "
                                                    "was sent: give one, such as status: IN_PROGRESS (a loop for several)")
    routes = sim.counters().get('routes', {})
    assert not [route for route, n in routes.items() if n and route.startswith('GET /v1/tasks')], routes


def test_the_remediation_window_is_reported_as_a_date_not_epoch_milliseconds(fresh_simulator, tmp_path):
    """vcf_task_remediation's default window (window_hours back from now) reads as ISO 8601 in its summary."""
    sim = fresh_simulator
    path = write_playbook(tmp_path, 'remediation', [
        {'name': 'apply', 'ansible.builtin.include_role': {'name': 'cloudops.orchestrator.vcf_task_remediation'}},
        {'name': 'keep', 'ansible.builtin.set_fact': {'kept': '{{ vcf_task_remediation_result }}'}},
    ])
    res = run_playbook(path, env=sim.env('vcf'))
    kept = res.result('keep')['ansible_facts']['kept']
    start = kept['window_start']
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', start), start
    assert kept['found'] in (0, '0')
    assert res.result('cloudops.orchestrator.vcf_task_remediation : Summary')['msg'] == [
        'No failed task completed after %s.' % start]
