# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vro_workflow_run, vro_execution_info and vro_execution_cancel against the simulator's vRO, over TLS with ca_path.

Every playbook is replayed once more with --check, and the simulator's counters prove that nothing was sent that
changes anything (no POST, PUT, PATCH or DELETE).
"""

from __future__ import annotations

import json

import pytest

from _harness import run_playbook

AWSNEW_ID = '3a0ab069-cf2f-47e0-96f5-4a8920a5dc51'
ECHO_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
SLEEP_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002'
FAIL_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0003'
DUPLICATE_LIBRARY_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0005'
DUPLICATE_CLOUD_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0006'

# Counter keys, compared without a trailing slash. On 8.x a DELETE of the execution itself deletes its record.
START_ROUTE = 'POST /vco/api/workflows/<wid>/executions'
CANCEL_8X_ROUTE = 'DELETE /vco/api/workflows/<wid>/executions/<eid>/state'
EXECUTION_DELETE_ROUTE = 'DELETE /vco/api/workflows/<wid>/executions/<eid>'
LIST_ROUTE = 'GET /vco/api/workflows/<wid>/executions'

SECRET = 'Sup3r-s3cret-value!'
MASK = '********'

# What echo.yml sends in "Every type in its canonical form", as the decoded run inputs should read back.
CANONICAL = {
    'str': u'h\u00e9llo "world"',
    'num': 20,
    'flag': True,
    'secret': MASK,
    'when': '2026-01-31T10:00:00.000Z',
    'tags': ['a', 'b', ''],
    'matrix': [[1, 2.5], [], [3]],
    'props': {'env': 'prod', 'replicas': 3, 'debug': False, 'owners': ['ann', 'bob'], 'nested': {'k': 'v'}},
    'endpoint': {'host': 'api.example.com', 'port': 8443},
    'vm': {'type': 'VC:VirtualMachine', 'id': 'vc01.example.com/vm-42'},
    'attachment': {'name': 'a.txt', 'mime_type': 'text/plain', 'content': 'line 1\nline 2\n'},
    'encrypted': 'ENC(abc==)',
    'pattern': '^web[0-9]+$',
}


# Logging in through vRA is a POST that changes nothing on vRO.
LOGIN_ROUTES = ('POST /csp/gateway/am/api/login', 'POST /iaas/api/login', 'POST /csp/gateway/am/api/auth/api-tokens/authorize')


def changes_sent(sim):
    """Every state-changing request the simulator counted, by route (logins aside)."""
    routes = sim.counters().get('routes', {})
    return {route: n for route, n in routes.items()
            if route.split(' ', 1)[0] in ('POST', 'PUT', 'PATCH', 'DELETE') and n and route.rstrip('/') not in LOGIN_ROUTES}


def route_count(sim, route):
    routes = sim.counters().get('routes', {})
    return sum(n for key, n in routes.items() if key.rstrip('/') == route)


def exchange_route(sim):
    """The vRA token exchange: POST /iaas/api/login, or the CSP authorize call on a vRO 8 without it (quirk
    vro-8-standalone-csp-login, where /iaas/api/login answers 404 once per login)."""
    return LOGIN_ROUTES[2] if 'vro-8-standalone-csp-login' in sim.quirks else LOGIN_ROUTES[1]


def check_replay(sim, playbook, extra_vars=None, env=None, expect_failure=False):
    """Reset, replay ``playbook`` with --check, and prove through the counters that nothing changed."""
    sim.reset()
    res = run_playbook(playbook, extra_vars=extra_vars, check=True, env=env or sim.env('vro'),
                       expect_failure=expect_failure)
    assert changes_sent(sim) == {}
    return res


def runs_of(sim, workflow_id):
    """The simulator's own record of a workflow's runs (independent of the collection)."""
    return sim.admin('GET', 'vro/runs?workflow=%s' % workflow_id)['runs']


def failed(res, task):
    record = res.record(task)
    assert record['status'] in ('failed', 'ignored'), record
    return record['result']


def test_every_parameter_type_round_trips(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook('playbooks/vro_core/echo.yml', env=sim.env('vro'), extra_vars={'echo_secret': SECRET})
    canonical = res.result('Every type in its canonical form')
    assert canonical['changed'] is True and canonical['state'] == 'completed'
    assert canonical['inputs'] == CANONICAL
    assert canonical['outputs'] == dict(('out_' + name, value) for name, value in CANONICAL.items())
    raw = {p['name']: p for p in canonical['outputs_raw']}
    assert raw['out_num']['value'] == {'number': {'value': 20.0}}
    assert raw['out_secret']['value'] == {'secure-string': {'value': MASK}}
    assert SECRET not in json.dumps(res.results) and SECRET not in res.stdout

    alternative = res.result('Every type in its alternative forms')
    outputs = alternative['outputs']
    assert outputs['out_str'] == '8080' and outputs['out_num'] == 2.5 and outputs['out_flag'] is True
    assert outputs['out_when'] == '2026-01-31T10:00:00.000Z'
    assert outputs['out_tags'] == []
    assert outputs['out_vm'] == {'type': 'VC:VirtualMachine', 'id': 'vc01.example.com/vm-7'}
    assert outputs['out_attachment'] == {'name': 'report.csv', 'mime_type': 'text/csv', 'content': 'id,name\n1,web01\n'}
    assert outputs['out_pattern'] is None
    assert route_count(sim, START_ROUTE) == 2 and len(runs_of(sim, ECHO_ID)) == 2

    chk = check_replay(sim, 'playbooks/vro_core/echo.yml', {'echo_secret': SECRET})
    preview = chk.result('Every type in its canonical form')
    assert preview['changed'] is True and preview['execution_id'] == 'check-mode-not-started'
    assert preview['request']['method'] == 'POST' and preview['request']['url'].endswith('/workflows/%s/executions' % ECHO_ID)
    sent = {p['name']: p for p in preview['request']['body']['parameters']}
    assert sent['secret']['value'] == {'secure-string': {'value': MASK}}
    assert sent['num'] == {'name': 'num', 'type': 'number', 'scope': 'local', 'value': {'number': {'value': 20}}}
    assert SECRET not in json.dumps(chk.results) and SECRET not in chk.stdout
    assert runs_of(sim, ECHO_ID) == []


def test_workflow_lookup_by_name_category_and_id(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook('playbooks/vro_core/lookup.yml', env=sim.env('vro'))
    ambiguous = failed(res, 'Ambiguous name')
    for wid, category in ((DUPLICATE_LIBRARY_ID, 'Library'), (DUPLICATE_CLOUD_ID, 'Cloud')):
        assert "%s (category '%s')" % (wid, category) in ambiguous['msg']
    assert len(ambiguous['candidates']) == 2
    by_category = res.result('Name and category')
    assert by_category['workflow_id'] == DUPLICATE_CLOUD_ID and by_category['outputs'] == {'category': 'Cloud'}
    assert res.result('Id')['outputs'] == {'category': 'Library'}
    assert res.result('Unique name')['outputs']['instanceId'].startswith('i-')
    wrong = failed(res, 'Wrong category')
    assert "no workflow named 'AWSNEW' in category 'Library'" in wrong['msg']
    assert "%s (category 'Cloud')" % AWSNEW_ID in wrong['msg']
    assert 'not found' in failed(res, 'Unknown id')['msg']
    assert route_count(sim, START_ROUTE) == 3

    chk = check_replay(sim, 'playbooks/vro_core/lookup.yml')
    assert chk.record('Ambiguous name')['status'] == 'ignored'
    assert chk.result('Name and category')['request']['url'].endswith('/workflows/%s/executions' % DUPLICATE_CLOUD_ID)


def test_inputs_are_validated_before_anything_is_sent(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook('playbooks/vro_core/validation.yml', env=sim.env('vro'))
    assert failed(res, 'Input name differing only in case')['msg'] == (
        "workflow 'AWSNEW' has no input 'Name'; did you mean 'name'? vRO input names are case sensitive")
    assert failed(res, 'Misspelt input name')['msg'] == "workflow 'Echo typed inputs' has no input 'nmu'; did you mean 'num'?"
    assert failed(res, 'Value of the wrong kind')['msg'] == (
        "workflow 'Echo typed inputs': input 'num' is declared as number but the value is a boolean: give a number such as 20 or 2.5")
    nested = failed(res, 'Nested value of the wrong kind')['msg']
    assert "input 'endpoint.port' is declared as number but the value is a string" in nested
    batch = failed(res, 'Bad batch entry')['msg']
    assert batch.startswith('runs[1]:') and "input 'flag' is declared as boolean" in batch
    assert changes_sent(sim) == {}

    check_replay(sim, 'playbooks/vro_core/validation.yml')


def test_a_failed_run_reports_exception_logs_outputs_and_id(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook('playbooks/vro_core/failed.yml', env=sim.env('vro'))
    result = failed(res, 'Run a workflow that always fails')
    assert result['state'] == 'failed' and result['execution_id']
    assert result['execution_id'] in result['msg']
    assert 'Simulated failure: this workflow always fails' in result['msg']
    assert 'Something went wrong in the scriptable task' in result['msg']
    assert result['content_exception'].startswith('Simulated failure')
    assert result['outputs'] == {}
    assert [line['short_description'] for line in result['logs'] if line['severity'] == 'error'][0] == (
        'Something went wrong in the scriptable task')

    chk = check_replay(sim, 'playbooks/vro_core/failed.yml')
    assert chk.record('Run a workflow that always fails')['status'] == 'ok'


def test_timeout_and_cancel_on_timeout(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook('playbooks/vro_core/timeout.yml', env=sim.env('vro'))
    timed_out = failed(res, 'Time out')
    assert timed_out['timed_out'] is True and timed_out['state'] == 'running' and timed_out['canceled'] == []
    assert timed_out['execution_id'] in timed_out['msg'] and 'still running' in timed_out['msg']
    canceled = failed(res, 'Time out and cancel')
    assert canceled['canceled'] == [canceled['execution_id']]
    assert res.result('Read the cancelled run')['state'] == 'canceled'
    states = {run['id']: run['state'] for run in runs_of(sim, SLEEP_ID)}
    assert states == {timed_out['execution_id']: 'running', canceled['execution_id']: 'canceled'}

    chk = check_replay(sim, 'playbooks/vro_core/timeout.yml')
    assert chk.record('Read the cancelled run')['status'] == 'ok'  # issue 14 item 1: a placeholder run in check mode


def test_each_on_user_interaction_choice(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook('playbooks/vro_core/interaction.yml', env=sim.env('vro'))
    on_fail = failed(res, 'Fail on the interaction')
    assert on_fail['state'] == 'waiting'
    assert "user interaction 'Approve request' (inputs: approved, comment)" in on_fail['msg'] and 'vro_interaction' in on_fail['msg']
    assert on_fail['execution_id'] in on_fail['msg']
    on_return = res.result('Return on the interaction')
    assert on_return.get('failed') is not True and on_return['state'] == 'waiting'
    assert on_return['interaction'] == {'name': 'Approve request'}
    kept = failed(res, 'Keep waiting on the interaction')
    assert kept['timed_out'] is True and kept['state'] == 'waiting'

    check_replay(sim, 'playbooks/vro_core/interaction.yml')


def test_execution_info_wait_for_speaks_up_on_a_user_interaction(fresh_simulator):
    # issue 14 item 2: the same on_user_interaction as vro_workflow_run, default fail at once naming the interaction.
    sim = fresh_simulator
    res = run_playbook('playbooks/vro_core/interaction_info.yml', env=sim.env('vro'))
    started = res.result('Start a run that asks for approval')
    assert started['state'] == 'waiting'
    eid = started['execution_id']
    on_fail = failed(res, 'Wait for completion with the default')
    assert on_fail.get('timed_out') is not True and on_fail['state'] == 'waiting'
    assert on_fail['msg'].startswith('wait_for (completed): run %s is waiting for ' % eid)
    assert "user interaction 'Approve request' (inputs: approved, comment)" in on_fail['msg']
    assert 'cloudops.orchestrator.vro_interaction' in on_fail['msg'] and 'on_user_interaction' in on_fail['msg']
    assert on_fail['interaction'] == {'name': 'Approve request'} and on_fail['waited'] is False
    returned = res.result('Wait for completion, return on the interaction')
    assert returned.get('failed') is not True and returned['state'] == 'waiting'
    assert returned['interaction'] == {'name': 'Approve request'}
    kept = failed(res, 'Wait for completion, keep waiting')
    assert kept['timed_out'] is True and kept['state'] == 'waiting'
    waiting = res.result('Wait for the waiting state itself')
    assert waiting['state'] == 'waiting' and waiting['waited'] is False and 'interaction' not in waiting

    check_replay(sim, 'playbooks/vro_core/interaction_info.yml')


def test_reuse_never_running_and_completed(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook('playbooks/vro_core/reuse.yml', env=sim.env('vro'))
    first = res.result('Start a long run')
    attached = res.result('Attach to it')
    assert first['changed'] is True
    assert attached['execution_id'] == first['execution_id'] and attached['changed'] is False and attached['reused'] is True
    different = res.result('Different inputs start a new run')
    never = res.result('Never reuse')
    assert different['changed'] and never['changed']
    assert len({first['execution_id'], different['execution_id'], never['execution_id']}) == 3
    completed = res.result('Complete one')
    reused = res.result('Reuse the completed one')
    assert reused['execution_id'] == completed['execution_id'] and reused['changed'] is False
    assert reused['state'] == 'completed' and reused['outputs']['out_str'] == 'reuse me'
    running_only = res.result('A completed run is not reused by reuse running')
    too_old = res.result('A completed run older than reuse_max_age is not reused')
    assert running_only['changed'] and too_old['changed']
    assert len({completed['execution_id'], running_only['execution_id'], too_old['execution_id']}) == 3
    assert route_count(sim, START_ROUTE) == 6

    chk = check_replay(sim, 'playbooks/vro_core/reuse.yml')
    assert chk.result('Start a long run')['changed'] is True
    assert chk.result('Reuse the completed one')['changed'] is True


def test_batch_of_twenty_runs(fresh_simulator):
    sim = fresh_simulator
    runs = [{'str': 'run-%02d' % i, 'num': i} for i in range(20)]
    res = run_playbook('playbooks/vro_core/batch.yml', env=sim.env('vro'), extra_vars={'runs': runs})
    batch = res.result('Start the batch')
    assert batch['changed'] is True and len(batch['executions']) == 20
    for i, execution in enumerate(batch['executions']):
        assert execution['state'] == 'completed'
        assert execution['outputs']['out_str'] == 'run-%02d' % i and execution['outputs']['out_num'] == i
    assert len({e['execution_id'] for e in batch['executions']}) == 20
    assert sorted(r['id'] for r in runs_of(sim, ECHO_ID)) == sorted(e['execution_id'] for e in batch['executions'])
    assert route_count(sim, START_ROUTE) == 22
    batch_failed = failed(res, 'A batch whose runs fail')
    assert batch_failed['failed_runs'] == [0, 1] and '2 of 2 runs did not complete' in batch_failed['msg']
    assert all(e['state'] == 'failed' for e in batch_failed['executions'])

    chk = check_replay(sim, 'playbooks/vro_core/batch.yml', {'runs': runs})
    preview = chk.result('Start the batch')
    assert len(preview['executions']) == 20
    assert [e['request']['body']['parameters'][0]['value'] for e in preview['executions']] == [
        {'string': {'value': r['str']}} for r in runs]


def _cancel_assertions(res):
    long_run = res.result('Start a long run')
    canceled = res.result('Cancel it')
    assert canceled['changed'] is True and canceled['state'] == 'canceled'
    assert canceled['executions'][0]['state_before'] == 'running' and canceled['execution_id'] == long_run['execution_id']
    again = res.result('Cancel it again')
    assert again['changed'] is False and again['state'] == 'canceled'
    every = res.result('Cancel every run still going')
    assert every['changed'] is True
    two = [e['execution_id'] for e in res.result('Start two more')['executions']]
    assert sorted(e['execution_id'] for e in every['executions'] if e['canceled']) == sorted(two)
    assert all(e['state'] == 'canceled' for e in every['executions'])
    return canceled


@pytest.mark.default_reading  # the quirk vro-about-no-version leaves the version unknown (api_version 'unknown')
def test_cancel_on_8_18_uses_delete_state(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook('playbooks/vro_core/cancel.yml', env=sim.env('vro'))
    canceled = _cancel_assertions(res)
    assert canceled['api_version'] == '8' and canceled['cancel_call'].endswith('/state')
    assert route_count(sim, CANCEL_8X_ROUTE) == 3
    assert route_count(sim, EXECUTION_DELETE_ROUTE) == 0, 'the destructive 8.x DELETE was sent'
    assert len(runs_of(sim, SLEEP_ID)) == 3

    chk = check_replay(sim, 'playbooks/vro_core/cancel.yml')
    assert chk.record('Cancel it')['status'] == 'ok'  # issue 14 item 1: a placeholder run in check mode


@pytest.mark.default_reading  # under vro-about-no-version the 7.x call is never guessed: api_version must be given
@pytest.mark.parametrize('quirk', [None, 'vro-7-cancel-state'])
def test_cancel_on_7_6_sends_the_runs_delete_only_where_state_refuses_it(simulator_factory, quirk):
    # The 7.1 guide cancels with DELETE .../executions/{id}/ (DELETE .../state: 405); VMware's SDK cancels with
    # DELETE .../state, and captured 7.x payloads label the run's DELETE rel: remove (quirk vro-7-cancel-state).
    sim = simulator_factory('--vro-version', '7.6', *(('--quirk', quirk) if quirk else ()))
    res = run_playbook('playbooks/vro_core/cancel.yml', env=sim.env('vro'))
    canceled = _cancel_assertions(res)
    assert canceled['api_version'] == '7' and canceled['cancel_call'] == (
        'DELETE /workflows/%s/executions/{id}/state (vRO 7.x refusing it with HTTP 405: DELETE /workflows/%s/executions/{id}/)'
        % (SLEEP_ID, SLEEP_ID))
    assert route_count(sim, CANCEL_8X_ROUTE) == 3
    assert route_count(sim, EXECUTION_DELETE_ROUTE) == (0 if quirk else 3)
    assert len(runs_of(sim, SLEEP_ID)) == 3  # no run record was deleted
    # 7.x dates come as epoch milliseconds and are returned as ISO
    assert res.result('Start a long run')['start_date'].endswith('Z')

    check_replay(sim, 'playbooks/vro_core/cancel.yml')


@pytest.mark.parametrize('auth', ['basic', 'vra'])
def test_lost_start_answer_is_adopted_not_repeated(fresh_simulator, auth):
    sim = fresh_simulator
    env = dict(sim.env('vro'), VRO_AUTH=auth)
    sim.faults({'route': '/vco/api/workflows/*/executions', 'method': 'POST', 'kind': 'reset_after', 'count': 1})
    res = run_playbook('playbooks/vro_core/adopt.yml', env=env)
    adopted = res.result('Start with a lost answer')
    assert adopted['adopted'] is True and adopted['changed'] is True and adopted['state'] == 'completed'
    assert any('adopted run %s' % adopted['execution_id'] in w for w in adopted.get('warnings', []))
    runs = runs_of(sim, ECHO_ID)
    assert [r['id'] for r in runs] == [adopted['execution_id']]
    assert route_count(sim, START_ROUTE) == 1
    assert route_count(sim, exchange_route(sim)) == (1 if auth == 'vra' else 0)

    check_replay(sim, 'playbooks/vro_core/adopt.yml', env=env)


def test_start_without_waiting_then_pick_up_with_execution_info(fresh_simulator):
    sim = fresh_simulator
    # Many old runs: the list must be filtered and paged on the server, not read whole.
    sim.admin('POST', 'vro/workflows/%s/runs' % SLEEP_ID, json={'count': 400, 'state': 'completed', 'started_by': 'vcoadmin'})
    sim.admin('POST', 'vro/workflows/%s/runs' % SLEEP_ID, json={'count': 50, 'state': 'failed', 'started_by': 'someone'})
    res = run_playbook('playbooks/vro_core/later.yml', env=sim.env('vro'))
    started = res.result('Start without waiting')
    assert started['state'] in ('initializing', 'running') and started['end_date'] is None
    picked = res.result('Wait for it by URL')
    assert picked['state'] == 'completed' and isinstance(picked['waited'], bool)
    assert picked['execution_id'] == started['execution_id'] and picked['inputs'] == {'seconds': 4}
    assert any('Sleeping' in (line['short_description'] or '') for line in picked['logs'])
    assert isinstance(picked['syslogs'], list)
    assert res.result('Collect the async result')['state'] == 'completed'
    again = res.result('Already there, by name and id')
    assert again['waited'] is False and again['state'] == 'completed'
    wrong = failed(res, 'Wait for a state the run will not reach')
    assert 'ended completed' in wrong['msg'] and 'wait_for (failed)' in wrong['msg']
    listed = res.result('List the newest completed runs')
    assert listed['count'] == 3 and listed['executions'][0]['execution_id'] == started['execution_id']
    assert all(e['state'] == 'completed' and e['started_by'] == 'vcoadmin' for e in listed['executions'])
    starts = [e['start_date'] for e in listed['executions']]
    assert starts == sorted(starts, reverse=True)
    assert listed['executions'][0]['inputs'] == {'seconds': 4}
    # One listing; two where the server rejects or ignores sortOrders (the plain listing follows, issue 13 item 6).
    date_quirks = {'vro-date-conditions-rejected', 'vro-date-conditions-ignored'} & sim.quirks
    assert route_count(sim, LIST_ROUTE) == (2 if date_quirks else 1)

    chk = check_replay(sim, 'playbooks/vro_core/later.yml')
    # issue 14 item 1: check mode returns a placeholder href, which vro_execution_info in check mode answers.
    placeholder = chk.record('Wait for it by URL')
    assert placeholder['status'] == 'ok' and placeholder['result']['execution_id'] == 'check-mode-not-started'
    assert placeholder['result']['state'] is None and placeholder['result']['waited'] is False


def test_the_british_spelling_of_canceled_is_read_as_canceled(fresh_simulator):
    # The modules read a server's 'cancelled' as canceled (STATE_SPELLINGS); the options take it as well.
    sim = fresh_simulator
    res = run_playbook('playbooks/vro_core/cancelled_spelling.yml', env=sim.env('vro'))
    started, waited = res.result('Start a long run'), res.result('Wait for cancelled')
    assert waited['state'] == 'canceled' and waited['execution_id'] == started['execution_id']
    listed = res.result('List the cancelled runs')
    assert [e['execution_id'] for e in listed['executions']] == [started['execution_id']]
    # One listing; two where the server rejects or ignores sortOrders (the plain listing follows).
    date_quirks = {'vro-date-conditions-rejected', 'vro-date-conditions-ignored'} & sim.quirks
    assert route_count(sim, LIST_ROUTE) == (2 if date_quirks else 1)
