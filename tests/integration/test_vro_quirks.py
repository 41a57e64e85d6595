# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vRO modules under each reading of the behaviours the evidence leaves open (issue 13 items 5-9): every test
runs against the default simulator and against one started with the quirk that plays the other reading."""

from __future__ import annotations

import json

import pytest
import yaml

from _harness import run_playbook

ECHO_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
SLEEP_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002'
START_ROUTE = 'POST /vco/api/workflows/<wid>/executions'
LIST_PATH = '/vco/api/workflows/%s/executions'
DATE_QUIRKS = [None, 'vro-date-conditions-rejected', 'vro-date-conditions-ignored']


def simulator(fresh_simulator, simulator_factory, quirk, *args):
    """The default simulator (reset), or a new one started with ``--quirk quirk`` (and ``args``)."""
    if quirk or args:
        return simulator_factory(*(args + (('--quirk', quirk) if quirk else ())))
    return fresh_simulator


def route_count(sim, route):
    return sum(n for key, n in sim.counters().get('routes', {}).items() if key.rstrip('/') == route)


def list_requests(sim, workflow_id):
    """``(status, path)`` of every executions-list request the simulator saw for the workflow."""
    log = sim.admin('GET', 'requests?limit=5000')['requests']
    prefix = LIST_PATH % workflow_id
    return [(r['status'], r['path']) for r in log if r['method'] == 'GET' and r['path'].rstrip('/').split('?')[0] == prefix]


def playbook(tmp_path, tasks, name='play.yml'):
    path = tmp_path / name
    path.write_text(json.dumps([{'name': 'quirks', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]),
                    encoding='utf-8')
    return path


@pytest.mark.parametrize('quirk', [None, 'vro-conditions-comma-split'])
def test_names_with_commas_are_found_and_runs_listed_by_name(fresh_simulator, simulator_factory, tmp_path, quirk):
    catalog = tmp_path / 'catalog.yml'
    catalog.write_text(yaml.safe_dump({'workflows': [
        {'name': 'Deploy VM, Linux', 'category': 'Ops', 'behaviour': {'duration': 0.1}},
        {'name': 'Deploy VM', 'category': 'Ops', 'behaviour': {'duration': 0.1}},
        {'name': 'Linux', 'category': 'Ops', 'behaviour': {'duration': 0.1}},
        {'name': 'Tag a~b=c', 'category': 'Ops', 'behaviour': {'duration': 0.1}},
    ]}), encoding='utf-8')
    sim = simulator(fresh_simulator, simulator_factory, quirk, '--catalog', str(catalog))
    res = run_playbook(playbook(tmp_path, [
        {'name': 'run it', 'cloudops.orchestrator.vro_workflow_run': {'workflow_name': 'Deploy VM, Linux'}},
        {'name': 'run the other', 'cloudops.orchestrator.vro_workflow_run': {'workflow_name': 'Tag a~b=c'}},
        {'name': 'list by name', 'cloudops.orchestrator.vro_execution_info': {
            'workflow_name': 'Deploy VM, Linux', 'name': 'VM, Linux'}},
        {'name': 'search', 'cloudops.orchestrator.vro_workflow_info': {'name_contains': 'vm, lin'}},
    ]), env=sim.env('vro'))
    run = res.result('run it')
    assert run['state'] == 'completed' and run['workflow_name'] == 'Deploy VM, Linux'
    assert res.result('run the other')['workflow_name'] == 'Tag a~b=c'
    listed = res.result('list by name')
    assert [e['execution_id'] for e in listed['executions']] == [run['execution_id']]
    assert [w['name'] for w in res.result('search')['workflows']] == ['Deploy VM, Linux']
    # No request carried a comma inside a condition (so no 400 from a comma-splitting server; a 400 to sortOrders,
    # when the simulator also plays vro-date-conditions-rejected, is another matter).
    log = sim.admin('GET', 'requests?limit=5000')['requests']
    assert not [r for r in log if r['path'].startswith('/vco/api/') and r['status'] == 400 and 'sortOrders' not in r['path']]
    assert not [r for r in log if 'conditions=' in r['path'] and '%2C' in r['path'].split('conditions=', 1)[1]]
    assert route_count(sim, START_ROUTE) == 2


@pytest.mark.parametrize('quirk', [None, 'vro-conditions-case-sensitive'])
def test_name_searches_ignore_case_whatever_the_servers_conditions_do(fresh_simulator, simulator_factory, tmp_path, quirk):
    # name_contains and a run-name filter are case-insensitive; a server whose '~' matches case must not hide a match.
    sim = simulator(fresh_simulator, simulator_factory, quirk)
    res = run_playbook(playbook(tmp_path, [
        {'name': 'run it', 'cloudops.orchestrator.vro_workflow_run': {'workflow_name': 'Sleep', 'inputs': {'seconds': 0}}},
        {'name': 'search', 'cloudops.orchestrator.vro_workflow_info': {'name_contains': 'sLEE'}},
        {'name': 'list by name', 'cloudops.orchestrator.vro_execution_info': {'workflow_name': 'Sleep', 'name': 'SLEEP'}},
    ]), env=sim.env('vro'))
    assert 'Sleep' in [w['name'] for w in res.result('search')['workflows']]
    assert [e['execution_id'] for e in res.result('list by name')['executions']] == [res.result('run it')['execution_id']]


@pytest.mark.parametrize('quirk', DATE_QUIRKS)
def test_batches_keep_track_of_their_runs_whatever_the_server_does_with_dates(fresh_simulator, simulator_factory, quirk):
    sim = simulator(fresh_simulator, simulator_factory, quirk)
    # Older runs of the same workflow, which a server ignoring the dates lists first.
    sim.admin('POST', 'vro/workflows/%s/runs' % ECHO_ID, json={'count': 30, 'state': 'completed', 'spacing': 60})
    runs = [{'str': 'run-%02d' % i, 'num': i} for i in range(5)]
    res = run_playbook('playbooks/vro_core/batch.yml', env=sim.env('vro'), extra_vars={'runs': runs})
    batch = res.result('Start the batch')
    assert [e['outputs']['out_str'] for e in batch['executions']] == [r['str'] for r in runs]
    assert all(e['state'] == 'completed' for e in batch['executions'])
    assert route_count(sim, START_ROUTE) == 7
    refused = [path for status, path in list_requests(sim, ECHO_ID) if status == 400]
    # The 400 is met at most once per task: the fallback is remembered.
    assert len(refused) <= 1 if 'vro-date-conditions-rejected' in sim.quirks else refused == []


@pytest.mark.parametrize('quirk', DATE_QUIRKS)
def test_lost_start_is_adopted_whatever_the_server_does_with_dates(fresh_simulator, simulator_factory, quirk):
    sim = simulator(fresh_simulator, simulator_factory, quirk)
    sim.admin('POST', 'vro/workflows/%s/runs' % ECHO_ID, json={'count': 30, 'state': 'completed', 'spacing': 60})
    sim.faults({'route': '/vco/api/workflows/*/executions', 'method': 'POST', 'kind': 'reset_after', 'count': 1})
    res = run_playbook('playbooks/vro_core/adopt.yml', env=sim.env('vro'))
    adopted = res.result('Start with a lost answer')
    assert adopted['adopted'] is True and adopted['state'] == 'completed'
    assert route_count(sim, START_ROUTE) == 1
    statuses = [status for status, path in list_requests(sim, ECHO_ID)]
    assert statuses.count(400) == (1 if 'vro-date-conditions-rejected' in sim.quirks else 0)


@pytest.mark.parametrize('quirk', DATE_QUIRKS)
def test_reuse_and_cancel_all_running_whatever_the_server_does_with_dates(fresh_simulator, simulator_factory, quirk):
    sim = simulator(fresh_simulator, simulator_factory, quirk)
    res = run_playbook('playbooks/vro_core/reuse.yml', env=sim.env('vro'))
    first, attached = res.result('Start a long run'), res.result('Attach to it')
    assert attached['execution_id'] == first['execution_id'] and attached['reused'] is True
    completed, reused = res.result('Complete one'), res.result('Reuse the completed one')
    assert reused['execution_id'] == completed['execution_id'] and reused['changed'] is False
    assert route_count(sim, START_ROUTE) == 6
    res = run_playbook('playbooks/vro_core/cancel.yml', env=sim.env('vro'))
    every = res.result('Cancel every run still going')
    two = [e['execution_id'] for e in res.result('Start two more')['executions']]
    # The runs the reuse playbook left going are canceled too: every active run, whatever the listing order.
    assert set(two) <= {e['execution_id'] for e in every['executions'] if e['canceled']}
    assert all(e['state'] == 'canceled' for e in every['executions'])
    going = sim.admin('GET', 'vro/runs?limit=5000')['runs']
    assert not [r for r in going if r['state'] in ('running', 'waiting')]


@pytest.mark.parametrize('version', ['8.18', '7.6'])
@pytest.mark.parametrize('quirk', [None, 'vro-logs-newest-first'])
def test_a_failure_message_shows_the_last_error_lines_whatever_the_logs_order(
        fresh_simulator, simulator_factory, tmp_path, quirk, version):
    catalog = tmp_path / 'catalog.yml'
    catalog.write_text(yaml.safe_dump({'workflows': [
        {'name': 'Fail loudly', 'category': 'Ops', 'behaviour': {
            'duration': 0.1, 'result': 'failed', 'error': 'error 8 of 8',
            'error_logs': ['error %d of 8' % i for i in range(1, 8)]}},
    ]}), encoding='utf-8')
    sim = simulator(fresh_simulator, simulator_factory, quirk, '--catalog', str(catalog), '--vro-version', version)
    res = run_playbook(playbook(tmp_path, [
        {'name': 'fail', 'cloudops.orchestrator.vro_workflow_run': {'workflow_name': 'Fail loudly', 'poll_interval': 0.1},
         'ignore_errors': True}]), env=sim.env('vro'))
    record = res.record('fail')
    assert record['status'] in ('failed', 'ignored')
    result = record['result']
    shown = [i for i in range(1, 9) if 'error %d of 8' % i in result['msg']]
    assert shown == [4, 5, 6, 7, 8]
    errors = [line['short_description'] for line in result['logs'] if line['severity'] == 'error']
    assert errors == ['error %d of 8' % i for i in range(1, 9)]
    # The logs were read with a bound.
    log = sim.admin('GET', 'requests?limit=5000')['requests']
    reads = [r['path'] for r in log if r['method'] == 'GET' and '/logs' in r['path']]
    assert reads and all('maxResult=' in path for path in reads)


@pytest.mark.parametrize('quirk', [None, 'vro-8x-logs-wrapped'])
def test_log_lines_keep_their_user_and_time_whatever_their_8x_shape(fresh_simulator, simulator_factory, tmp_path, quirk):
    # Captured 8.x logs wrap each line under "entry" and name the user only "userName" (simulator/README.md).
    catalog = tmp_path / 'catalog.yml'
    catalog.write_text(yaml.safe_dump({'workflows': [
        {'name': 'Fail with logs', 'category': 'Ops', 'behaviour': {
            'duration': 0.1, 'result': 'failed', 'error': 'step 3 failed', 'logs': ['step 1 done', 'step 2 done']}},
    ]}), encoding='utf-8')
    sim = simulator(fresh_simulator, simulator_factory, quirk, '--catalog', str(catalog))
    res = run_playbook(playbook(tmp_path, [
        {'name': 'fail', 'cloudops.orchestrator.vro_workflow_run': {'workflow_name': 'Fail with logs', 'poll_interval': 0.1},
         'ignore_errors': True}]), env=sim.env('vro'))
    result = res.record('fail')['result']
    lines = result['logs']
    texts = [line['short_description'] for line in lines]
    assert texts.index('step 1 done') < texts.index('step 2 done')
    assert all(line['user'] == sim.env('vro')['VRO_USERNAME'] for line in lines if line['short_description'].startswith('step'))
    stamps = [line['time_stamp'] for line in lines]
    assert all(stamp.endswith('Z') for stamp in stamps) and stamps == sorted(stamps)
    assert 'step 3 failed' in result['msg']


CANCEL_8X_ROUTE = 'DELETE /vco/api/workflows/<wid>/executions/<eid>/state'
EXECUTION_DELETE_ROUTE = 'DELETE /vco/api/workflows/<wid>/executions/<eid>'


def cancel_play(tmp_path, api_version=None):
    cancel = {'workflow_name': 'Sleep', 'execution_id': '{{ long.execution_id }}'}
    if api_version:
        cancel['api_version'] = api_version
    return playbook(tmp_path, [
        {'name': 'start', 'cloudops.orchestrator.vro_workflow_run': {'workflow_name': 'Sleep', 'inputs': {'seconds': 300},
                                                                     'wait': False}, 'register': 'long'},
        {'name': 'cancel', 'cloudops.orchestrator.vro_execution_cancel': cancel, 'ignore_errors': True},
    ], name='cancel-%s.yml' % (api_version or 'auto'))


@pytest.mark.parametrize('quirk', [pytest.param(None, marks=pytest.mark.default_reading), 'vro-about-no-version'])
def test_cancel_never_guesses_the_destructive_call_when_about_has_no_version(
        fresh_simulator, simulator_factory, tmp_path, quirk):
    sim = simulator(fresh_simulator, simulator_factory, quirk)
    result = run_playbook(cancel_play(tmp_path), env=sim.env('vro')).result('cancel')
    assert result['state'] == 'canceled' and result['cancel_call'].endswith('/state')
    assert result['api_version'] == ('unknown' if quirk else '8')
    assert route_count(sim, CANCEL_8X_ROUTE) == 1 and route_count(sim, EXECUTION_DELETE_ROUTE) == 0


@pytest.mark.parametrize('quirk', [pytest.param(None, marks=pytest.mark.default_reading), 'vro-about-no-version'])
def test_cancel_on_7_6_without_a_version_asks_for_api_version(simulator_factory, tmp_path, quirk):
    sim = simulator_factory('--vro-version', '7.6', *(('--quirk', quirk) if quirk else ()))
    res = run_playbook(cancel_play(tmp_path), env=sim.env('vro'))
    record = res.record('cancel')
    if 'vro-7-cancel-state' in sim.quirks:
        # With every quirk on, this 7.6 server cancels with DELETE .../state: the first call does it, version or not.
        assert record['result']['state'] == 'canceled' and record['result']['api_version'] == 'unknown'
        assert route_count(sim, CANCEL_8X_ROUTE) == 1 and route_count(sim, EXECUTION_DELETE_ROUTE) == 0
        return
    if quirk:
        assert record['status'] in ('failed', 'ignored')
        msg = record['result']['msg']
        assert 'does not tell the vRO version' in msg and 'set api_version' in msg and '\n' not in msg
        assert route_count(sim, EXECUTION_DELETE_ROUTE) == 0
        # Told the version, it uses the 7.x call.
        res = run_playbook(cancel_play(tmp_path, '7.6'), env=sim.env('vro'))
    result = res.result('cancel')
    assert result['state'] == 'canceled' and result['api_version'] == '7' and result['cancel_call'].endswith('/{id}/)')
    # .../state first (refused on this 7.1-guide server, also while the version was unknown), then the run's DELETE.
    assert route_count(sim, EXECUTION_DELETE_ROUTE) == 1 and route_count(sim, CANCEL_8X_ROUTE) == (2 if quirk else 1)


@pytest.mark.parametrize('quirk', [None, 'vro-values-strict'])
def test_every_parameter_type_is_sent_in_its_declared_kind(fresh_simulator, simulator_factory, quirk):
    """The modules send each input in the kind of its declared type (a number as a number, a SecureString as a
    secure-string), so a server that refuses numbers written as text or a 'string' value for a SecureString input
    (quirk vro-values-strict) runs them alike."""
    sim = simulator(fresh_simulator, simulator_factory, quirk)
    res = run_playbook('playbooks/vro_core/echo.yml', env=sim.env('vro'), extra_vars={'echo_secret': 'Quirk-Secret-77'})
    for task in ('Every type in its canonical form', 'Every type in its alternative forms'):
        result = res.result(task)
        assert result['changed'] is True and result['state'] == 'completed', result
    assert res.result('Every type in its canonical form')['outputs']['out_num'] == 20
    assert route_count(sim, START_ROUTE) == 2


CRED = 'CompositeType(user:string,pw:SecureString):Cred'
VALUES_CATALOG = {'workflows': [{
    'name': 'Typed parts', 'category': 'Ops',
    'inputs': [{'name': 'tags', 'type': 'Array/string'}, {'name': 'props', 'type': 'Properties'},
               {'name': 'pw', 'type': 'SecureString'}, {'name': 'pws', 'type': 'Array/SecureString'},
               {'name': 'cred', 'type': CRED}],
    'outputs': [{'name': 'o_tags', 'type': 'Array/string'}, {'name': 'o_props', 'type': 'Properties'},
                {'name': 'o_pws', 'type': 'Array/SecureString'}, {'name': 'o_cred', 'type': CRED},
                {'name': 'o_nested', 'type': 'Properties'}],
    'behaviour': {'duration': 0.2, 'outputs': {'o_tags': '$tags', 'o_props': '$props', 'o_pws': '$pws', 'o_cred': '$cred',
                                               'o_nested': {'list': ['only'], 'inner': {'k': 'v'}}}}}]}
SECRETS = ['Sekr1t-Top-never-printed', 'Sekr1t-Elem-never-printed', 'Sekr1t-Field-never-printed']


@pytest.mark.parametrize('quirk', [None, 'vro-one-element-bare', 'vro-secure-as-string'])
def test_one_element_lists_and_secure_parts_read_alike_whatever_their_wire_form(fresh_simulator, simulator_factory, tmp_path, quirk):
    """A one-element array or Properties given as a bare object reads as a list or mapping; SecureString parts
    (the parameter, Array/SecureString elements, a composite's SecureString field) are masked in inputs, outputs,
    outputs_raw and at -vvv whether they come as secure-string or as string; reuse still finds the run."""
    catalog = tmp_path / 'catalog.yml'
    catalog.write_text(yaml.safe_dump(VALUES_CATALOG), encoding='utf-8')
    sim = simulator(fresh_simulator, simulator_factory, quirk, '--catalog', str(catalog))
    inputs = {'tags': ['only'], 'props': {'k': 'v'}, 'pw': SECRETS[0], 'pws': [SECRETS[1]],
              'cred': {'user': 'alice', 'pw': SECRETS[2]}}
    res = run_playbook(playbook(tmp_path, [
        {'name': 'run it', 'cloudops.orchestrator.vro_workflow_run': {'workflow_name': 'Typed parts', 'inputs': inputs},
         'register': 'ran'},
        {'name': 'read it', 'cloudops.orchestrator.vro_execution_info': {
            'workflow_name': 'Typed parts', 'execution_id': '{{ ran.execution_id }}'}},
        {'name': 'list them', 'cloudops.orchestrator.vro_execution_info': {'workflow_name': 'Typed parts'}},
        {'name': 'run again', 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_name': 'Typed parts', 'inputs': inputs, 'reuse': 'completed'}},
    ]), env=sim.env('vro'), verbosity=3)
    run = res.result('run it')
    assert run['state'] == 'completed', run.get('msg')
    expected_in = {'tags': ['only'], 'props': {'k': 'v'}, 'pw': '********', 'pws': ['********'],
                   'cred': {'user': 'alice', 'pw': '********'}}
    expected_out = {'o_tags': ['only'], 'o_props': {'k': 'v'}, 'o_pws': ['********'],
                    'o_cred': {'user': 'alice', 'pw': '********'}, 'o_nested': {'list': ['only'], 'inner': {'k': 'v'}}}
    for result in (run, res.result('read it')):
        assert result['inputs'] == expected_in, result['inputs']
        assert result['outputs'] == expected_out, result['outputs']
    listed = res.result('list them')['executions']
    assert [e['execution_id'] for e in listed] == [run['execution_id']]
    again = res.result('run again')
    assert again['execution_id'] == run['execution_id'] and again['changed'] is False, again
    assert route_count(sim, START_ROUTE) == 1
    text = res.stdout + res.stderr + json.dumps(res.results) + res.module_log
    for secret in SECRETS:
        assert secret not in text, 'secret leaked under %s' % quirk
