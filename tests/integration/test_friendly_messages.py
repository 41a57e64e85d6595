# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 14 item 8: a run that does not exist gets one friendly line in vro_execution_info and vro_execution_cancel
(as in vro_interaction); a missing password is named alone, not as 'username and password'."""

from __future__ import annotations

from _harness import run_playbook, write_playbook

ECHO_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
NO_RUN = '00000000-0000-4000-8000-00000000e404'


def _playbook(tmp_path, name, tasks):
    return write_playbook(tmp_path, name, tasks, ignore_errors=True)


def test_missing_run_is_one_friendly_line(simulator, tmp_path):
    target = {'workflow_id': ECHO_ID, 'execution_id': NO_RUN}
    url = '%s/vco/api/workflows/%s/executions/%s/' % (simulator.url.rstrip('/'), ECHO_ID, NO_RUN)
    path = _playbook(tmp_path, 'norun', [
        {'name': 'info', 'cloudops.orchestrator.vro_execution_info': target},
        {'name': 'info wait', 'cloudops.orchestrator.vro_execution_info': dict(target, wait_for=['completed'])},
        {'name': 'info url', 'cloudops.orchestrator.vro_execution_info': {'execution_url': url}},
        {'name': 'cancel', 'cloudops.orchestrator.vro_execution_cancel': target},
    ])
    res = run_playbook(path, env=simulator.env('vro'))
    expected = ("run '%s' of workflow '%s' not found, or this user may not read it (HTTP 404); check execution_id "
                "(or execution_url) and the workflow, or list its runs with cloudops.orchestrator.vro_execution_info"
                % (NO_RUN, ECHO_ID))
    for task in ('info', 'info wait', 'info url', 'cancel'):
        assert [r['status'] for r in res.results if r['task'] == task] == ['ignored'], task
        result = res.result(task)
        assert result['msg'] == expected, (task, result['msg'])
        assert result['error']['status'] == 404 and result['execution_id'] == NO_RUN


def test_only_the_missing_password_is_named(simulator, tmp_path):
    env = dict(simulator.env('vro'))
    env.pop('VRO_PASSWORD')
    path = _playbook(tmp_path, 'nopassword', [
        {'name': 'no password', 'cloudops.orchestrator.vro_execution_info': {'workflow_id': ECHO_ID}},
    ])
    res = run_playbook(path, env=env)
    assert [r['status'] for r in res.results if r['task'] == 'no password'] == ['ignored']
    msg = res.result('no password')['msg']
    assert msg == 'no vRO credentials: set password (or VRO_PASSWORD)', msg


def test_a_wrong_base_path_is_named_with_what_url_should_look_like(simulator, tmp_path):
    """Issue 14 item 8: a url whose path the API is not under (HTTP 404 on the first call) says so, per product,
    instead of 'not found' (or 'workflow id not found'); a 404 on the right url stays about the object."""
    root = simulator.url.rstrip('/')
    envs = {}
    for product, path in (('vro', '/vco-wrong'), ('vcf', '/sddc'), ('ico', '/orchestration')):
        env = dict(simulator.env(product))
        env[product.upper() + '_URL'] = root + path
        envs[product] = env
    cases = [
        ('vro by name', 'vro', 'vro_workflow_info', {'workflow_name': 'Echo'}, '/vco-wrong', 'vRO', '/vco/api', '/about'),
        ('vro by id', 'vro', 'vro_execution_info', {'workflow_id': ECHO_ID}, '/vco-wrong', 'vRO', '/vco/api', '/about'),
        ('vcf', 'vcf', 'vcf_task_info', {'task_id': 'a8a4e6b8-0000-4000-8000-000000000001'}, '/sddc', 'SDDC Manager',
         '/v1', '/tasks'),
        ('ico', 'ico', 'orch_task_info', {'id': '123'}, '/orchestration', 'IBM Cloud Orchestrator', '/orchestrator/v2',
         '/tasks'),
    ]
    for name, product, module, args, path, label, api_path, probe in cases:
        res = run_playbook(_playbook(tmp_path, name.replace(' ', '_'), [{'name': name, 'cloudops.orchestrator.' + module: args}]),
                           env=envs[product])
        result = res.result(name)
        expected = ('the %s API is not under %s%s%s (HTTP 404 here and at %s): the path in url looks wrong; set url to %s, '
                    'without a path (the collection adds %s; a url ending in %s works too)' % (
                        label, root, path, api_path, probe, root, api_path, api_path))
        assert expected in result['msg'], (name, result['msg'])
        assert result['error']['kind'] == 'config' and result['error']['details']['status'] == 404, name
    # The right url: a missing workflow is still a missing workflow.
    res = run_playbook(_playbook(tmp_path, 'right_base', [
        {'name': 'missing', 'cloudops.orchestrator.vro_execution_info': {'workflow_id': NO_RUN}}]), env=simulator.env('vro'))
    msg = res.result('missing')['msg']
    assert 'HTTP 404' in msg and 'Can not find a workflow' in msg and 'path in url' not in msg, msg
    assert res.result('missing')['error']['status'] == 404


def _wrong_case(sim, tmp_path, tag):
    path = _playbook(tmp_path, 'wrong_case_' + tag, [
        {'name': 'info', 'cloudops.orchestrator.vro_workflow_info': {'workflow_name': 'echo typed INPUTS'}},
        {'name': 'run', 'cloudops.orchestrator.vro_workflow_run': {'workflow_name': 'echo typed INPUTS', 'inputs': {}}},
    ])
    res = run_playbook(path, env=sim.env('vro'))
    expected = ("no workflow named 'echo typed INPUTS' is visible to this user; names are case-sensitive: did you mean "
                "'Echo typed inputs' (%s (category 'Library'))? set workflow_name to that exact name" % ECHO_ID)
    for task in ('info', 'run'):
        assert [r['status'] for r in res.results if r['task'] == task] == ['ignored'], task
        assert res.result(task)['msg'] == expected, (task, res.result(task)['msg'])
        assert not res.result(task).get('changed'), task


def test_a_wrong_case_workflow_name_is_refused_suggesting_the_right_case(simulator, tmp_path):
    _wrong_case(simulator, tmp_path, 'default')


def test_a_wrong_case_workflow_name_is_suggested_when_contains_is_case_sensitive(simulator_factory, tmp_path):
    _wrong_case(simulator_factory('--quirk', 'vro-conditions-case-sensitive'), tmp_path, 'quirk')


def _task_play(tmp_path, name, tasks):
    return _playbook(tmp_path, name, [dict({'name': t[0], 'cloudops.orchestrator.vro_task': dict(t[1], workflow_id=ECHO_ID)})
                                      for t in tasks])


PAST_WARNING = ("scheduled task 'once in the past' is one-time and its start 2020-01-01T00:00:00.000Z is already past "
                "(server time ")


def test_a_one_time_task_starting_in_the_past_warns_also_in_check_mode(fresh_simulator, tmp_path):
    past = {'name': 'once in the past', 'recurrence': {'cycle': 'one-time', 'start': '2020-01-01T00:00:00Z'}}
    path = _task_play(tmp_path, 'past', [('past', past)])
    for check in (True, False):
        res = run_playbook(path, env=fresh_simulator.env('vro'), check=check)
        result = res.result('past')
        warnings = [w for w in result.get('warnings', []) if w.startswith(PAST_WARNING)]
        assert len(warnings) == 1, (check, result.get('warnings'))
        keeps = 'would keep' if check else 'keeps'
        assert warnings[0].endswith("): vRO %s it but never runs it; set recurrence.start in the future, or start_mode: "
                                    "start-in-the-past to run it once now" % keeps), warnings[0]
        assert result['changed'] and result['runs_at_once'] is False, result
    # Created for real (not in check mode): it is there, pending.
    assert res.result('past')['task']['name'] == 'once in the past'
    # start-in-the-past runs it at once: no warning; a start in the future: no warning, not at once.
    path = _task_play(tmp_path, 'past_mode', [
        ('catch up', dict(past, name='catch up', start_mode='start-in-the-past')),
        ('future', {'name': 'future', 'recurrence': {'cycle': 'one-time', 'start': '2099-01-01T00:00:00Z'}}),
    ])
    res = run_playbook(path, env=fresh_simulator.env('vro'))
    assert not res.result('catch up').get('warnings') and res.result('catch up')['runs_at_once'] is True
    assert not res.result('future').get('warnings') and res.result('future')['runs_at_once'] is False
    assert 'runs once, now' not in res.result('future')['msg']


def test_a_task_without_recurrence_says_it_runs_at_once(fresh_simulator, tmp_path):
    path = _task_play(tmp_path, 'now', [('now', {'name': 'right now'})])
    for check in (True, False):
        res = run_playbook(path, env=fresh_simulator.env('vro'), check=check)
        result = res.result('now')
        prefix = 'would have created' if check else 'created'
        assert result['msg'] == ("%s scheduled task 'right now' for workflow 'Echo typed inputs'; it has no recurrence "
                                 "start, so it runs once, now (set recurrence.start to schedule it)" % prefix), result['msg']
        assert result['runs_at_once'] is True and not result.get('warnings'), result
