# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vro_workflow_info, vro_interaction, vro_task and vro_task_info against the simulator (TLS, ca_path).

Every playbook is also replayed with --check, and the simulator's request counters prove that nothing that changes
state was sent.
"""

from __future__ import annotations

import datetime
import json
import os
import stat
import time

import requests

from _harness import run_playbook

ECHO_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
APPROVAL_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0004'
AWSNEW_ID = '3a0ab069-cf2f-47e0-96f5-4a8920a5dc51'
SLEEP_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002'
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'

WORKFLOW_INFO = 'playbooks/vro_extras/workflow_info.yml'
INTERACTION = 'playbooks/vro_extras/interaction.yml'
TASK = 'playbooks/vro_extras/task.yml'
TASK_INFO = 'playbooks/vro_extras/task_info.yml'
MANAGE = 'Manage the task'
ANSWER = 'Answer the request'
# Logging in changes nothing on the server's workflows, runs or tasks.
LOGIN_PATHS = ('/csp/gateway/am/api/login', '/iaas/api/login', '/csp/gateway/am/api/auth/api-tokens/authorize')


# -- helpers ---------------------------------------------------------------------------------------------------

def changes_sent(sim):
    """Every state-changing request the simulator counted, by route (logins excepted)."""
    sent = {}
    for route, n in sim.counters().get('routes', {}).items():
        method, path = (route.split(' ', 1) + [''])[:2]
        if n and method in ('POST', 'PUT', 'PATCH', 'DELETE') and not path.startswith(LOGIN_PATHS):
            # Route keys are compared without a trailing slash, however the server spells them.
            key = '%s %s' % (method, path.rstrip('/'))
            sent[key] = sent.get(key, 0) + n
    return sent


def check_replay(sim, playbook, extra_vars=None, expect_failure=False):
    """Replay ``playbook`` with --check on the simulator as it is, and prove that nothing that changes state was sent."""
    sim.admin('DELETE', 'counters')
    res = run_playbook(playbook, extra_vars=extra_vars, check=True, env=sim.env('vro'), expect_failure=expect_failure)
    assert changes_sent(sim) == {}, res.stdout
    return res


def vro_session(sim):
    """A session straight to the vRO API of the simulator (independent of the collection)."""
    name, entry = sim.user('vro')
    session = requests.Session()
    session.auth = (name, entry['password'])
    session.headers['Accept'] = 'application/json'
    return session


def api(sim, method, path, **kwargs):
    # verify per request: a session's verify loses to REQUESTS_CA_BUNDLE from the environment.
    response = vro_session(sim).request(method, sim.url + '/vco/api' + path, timeout=30, verify=sim.ca_path, **kwargs)
    assert response.status_code < 400, response.text
    return response


def start_waiting_approval(sim):
    """Start a 'Request approval' run through the API and return its id once it waits."""
    response = api(sim, 'POST', '/workflows/%s/executions/' % APPROVAL_ID, json={'parameters': [
        {'name': 'request', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'set up by the test'}}}]})
    execution_id = response.headers['Location'].rstrip('/').rsplit('/', 1)[-1]
    for _attempt in range(200):
        state = api(sim, 'GET', '/workflows/%s/executions/%s/state' % (APPROVAL_ID, execution_id)).json()['value']
        if state == 'waiting':
            return execution_id
        time.sleep(0.1)
    raise AssertionError('run %s never reached waiting (last state %s)' % (execution_id, state))


def tasks_named(sim, name):
    links = api(sim, 'GET', '/tasks/').json()['relations']['link']
    found = []
    for link in links:
        attrs = {a['name']: a['value'] for a in link['attributes']}
        if attrs['name'] == name:
            found.append(api(sim, 'GET', '/tasks/%s/' % attrs['id']).json())
    return found


def iso(moment):
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


# -- vro_workflow_info -------------------------------------------------------------------------------------------

def test_schema_image_example_inputs_and_search(fresh_simulator, tmp_path):
    sim = fresh_simulator
    dest = tmp_path / 'echo-schema.png'
    res = run_playbook(WORKFLOW_INFO, extra_vars={'schema_dest': str(dest)}, env=sim.env('vro'))

    first, second = res.result('Write its schema image'), res.result('Write it again')
    assert first['changed'] is True and second['changed'] is False
    assert first['content_changed'] is True and second['content_changed'] is False
    content = dest.read_bytes()
    assert content.startswith(PNG_SIGNATURE) and content[12:16] == b'IHDR' and content.endswith(b'IEND\xaeB`\x82')
    assert first['size'] == len(content) and first['dest'] == str(dest)
    assert first['workflow'] == {'id': ECHO_ID, 'name': 'Echo typed inputs', 'category': 'Library'}
    assert stat.S_IMODE(os.stat(str(dest)).st_mode) == 0o640
    # vro_workflow_info reads only: never changed, no schema.
    info = res.result('Read the workflow')
    assert info['changed'] is False and 'schema' not in info
    first = info

    workflow = first['workflow']
    assert (workflow['id'], workflow['name'], workflow['category'], workflow['version']) == (
        ECHO_ID, 'Echo typed inputs', 'Library', '1.0.0')
    types = {p['name']: p['type'] for p in workflow['input_parameters']}
    assert types['endpoint'] == 'CompositeType(host:string,port:number):Endpoint' and types['vm'] == 'VC:VirtualMachine'
    assert all(p['description'] for p in workflow['input_parameters'] + workflow['output_parameters'])

    examples = first['example_inputs']
    assert examples['endpoint'] == {'host': '', 'port': 0}
    assert examples['vm']['type'] == 'VC:VirtualMachine' and examples['vm']['id']
    assert examples['matrix'] == [[0]] and examples['tags'] == [''] and examples['flag'] is False

    run = res.result('Run the workflow with the example inputs exactly as returned')
    assert run['state'] == 'completed'
    outputs = run['outputs']
    assert outputs['out_endpoint'] == examples['endpoint'] and outputs['out_matrix'] == examples['matrix']
    assert outputs['out_when'] == examples['when'] and outputs['out_vm']['id'] == examples['vm']['id']

    search = res.result('Search the workflows whose name contains "duplicate"')
    assert sorted(w['category'] for w in search['workflows']) == ['Cloud', 'Library']
    assert {w['name'] for w in search['workflows']} == {'Duplicate name'}
    assert res.result('Read the approval workflow with its pending interactions')['interactions'] == []

    # Check mode against a new path: the same prediction, no file, nothing started.
    execution_id = start_waiting_approval(sim)
    new_dest = tmp_path / 'not-written.png'
    chk = check_replay(sim, WORKFLOW_INFO, {'schema_dest': str(new_dest)})
    assert chk.result('Write its schema image')['changed'] is True and chk.result('Read the workflow')['changed'] is False
    assert not new_dest.exists()
    interactions = chk.result('Read the approval workflow with its pending interactions')['interactions']
    # the run from the entry's attributes, or from its href where they name none (vro-interactions-bare-attributes,
    # whose entries carry no state either: none is made up)
    assert [(i['execution_id'], i['name']) for i in interactions] == [(execution_id, 'Approve request')]
    assert [i.get('state') for i in interactions] in (['waiting'], [None])
    # Check mode against the existing file: no change predicted.
    chk = check_replay(sim, WORKFLOW_INFO, {'schema_dest': str(dest)})
    assert chk.result('Write its schema image')['changed'] is False
    assert dest.read_bytes() == content


# -- vro_interaction ---------------------------------------------------------------------------------------------

def test_approve_completes_the_run(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook(INTERACTION, extra_vars={'approved': True, 'comment': 'go ahead', 'wait_for': ['completed']},
                       env=sim.env('vro'))
    answer = res.result(ANSWER)
    assert answer['changed'] is True and answer['previous_state'] == 'waiting'
    assert answer['state'] == 'completed'
    assert answer['outputs'] == {'approved': True, 'comment': 'go ahead'}
    assert answer['interaction']['name'] == 'Approve request'
    assert [p['name'] for p in answer['interaction']['input_parameters']] == ['approved', 'comment']
    assert answer['parameters'][0] == {'name': 'approved', 'type': 'boolean', 'scope': 'local',
                                       'value': {'boolean': {'value': True}}}
    assert changes_sent(sim) == {'POST /vco/api/workflows/<wid>/executions': 1,
                                 'POST /vco/api/workflows/<wid>/executions/<eid>/interaction': 1}

    # --check on a run that waits: the answer is predicted and validated, not sent.
    waiting = start_waiting_approval(sim)
    chk = check_replay(sim, INTERACTION, {'execution_id': waiting, 'approved': True, 'comment': 'go ahead'})
    predicted = chk.result(ANSWER)
    assert predicted['changed'] is True and predicted['state'] == 'waiting'
    assert predicted['parameters'] == answer['parameters']
    assert api(sim, 'GET', '/workflows/%s/executions/%s/state' % (APPROVAL_ID, waiting)).json()['value'] == 'waiting'


def test_reject_fails_the_run_without_failing_the_task(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook(INTERACTION, extra_vars={'approved': False, 'comment': 'not this quarter'}, env=sim.env('vro'))
    answer = res.result(ANSWER)
    assert answer['changed'] is True and answer['state'] == 'failed'
    assert 'not this quarter' in answer['execution']['content_exception']
    assert answer['outputs'] == {'approved': None, 'comment': None}

    # wait_for names the state expected: another outcome fails the task, with the run's error.
    res = run_playbook(INTERACTION, extra_vars={'approved': False, 'comment': 'no', 'wait_for': ['completed']},
                       env=sim.env('vro'), expect_failure=True)
    failed = res.failed_results()[0]['result']
    assert failed['state'] == 'failed' and 'ended failed, not completed' in failed['msg']

    waiting = start_waiting_approval(sim)
    chk = check_replay(sim, INTERACTION, {'execution_id': waiting, 'approved': False, 'comment': 'no'})
    assert chk.result(ANSWER)['changed'] is True


def test_bad_answer_fails_before_sending(fresh_simulator):
    sim = fresh_simulator
    waiting = start_waiting_approval(sim)
    sim.admin('DELETE', 'counters')
    res = run_playbook(INTERACTION, extra_vars={'execution_id': waiting, 'approved': 'perhaps'}, env=sim.env('vro'),
                       expect_failure=True)
    msg = res.failed_results()[0]['result']['msg']
    assert "input 'approved' is declared as boolean" in msg and 'user interaction' in msg
    assert changes_sent(sim) == {}
    check_replay(sim, INTERACTION, {'execution_id': waiting, 'approved': 'perhaps'}, expect_failure=True)


def test_dismiss_cancels_the_run_idempotently(fresh_simulator):
    sim = fresh_simulator
    waiting = start_waiting_approval(sim)
    chk = check_replay(sim, INTERACTION, {'execution_id': waiting, 'dismiss': True})
    assert chk.result(ANSWER)['changed'] is True and 'would dismiss' in chk.result(ANSWER)['msg']

    # Only the run's id: its workflow is found among the pending interactions.
    res = run_playbook(INTERACTION, extra_vars={'execution_id': waiting, 'dismiss': True, 'by_run_only': True},
                       env=sim.env('vro'))
    dismissed = res.result(ANSWER)
    assert dismissed['changed'] is True and dismissed['state'] == 'canceled'
    assert dismissed['workflow_id'] == APPROVAL_ID
    again = res.result('Answer it once more')
    assert again['changed'] is False and 'GET /interactions does not list it' in again['msg']
    assert changes_sent(sim) == {'DELETE /vco/api/workflows/<wid>/executions/<eid>/interaction': 1}


# -- vro_task ----------------------------------------------------------------------------------------------------

def predict_then_apply(sim, extra_vars):
    """Run the task playbook with --check (nothing sent), then for real; the prediction must match the outcome."""
    predicted = check_replay(sim, TASK, extra_vars).result(MANAGE)
    sim.admin('DELETE', 'counters')
    applied = run_playbook(TASK, extra_vars=extra_vars, env=sim.env('vro')).result(MANAGE)
    assert predicted['changed'] == applied['changed']
    assert predicted['diff'] == applied['diff']
    return applied


def test_task_create_update_noop_recreate_delete(fresh_simulator):
    sim = fresh_simulator
    base = {'task_name': 'nightly deploy', 'workflow_name': 'AWSNEW',
            'recurrence': {'cycle': 'every-days', 'start': '2030-01-01T02:00:00Z'}, 'inputs': {'name': 'web01'}}

    created = predict_then_apply(sim, base)
    assert created['changed'] is True and created['differences'] == ['created']
    assert created['diff']['before'] == {}
    assert created['diff']['after']['inputs'] == {'name': 'web01'}
    assert created['diff']['after']['recurrence'] == {'cycle': 'every-days', 'start': '2030-01-01T02:00:00.000Z',
                                                      'end': None, 'pattern': None}
    assert changes_sent(sim) == {'POST /vco/api/tasks': 1}
    [task] = tasks_named(sim, 'nightly deploy')
    assert task['workflow']['id'] == AWSNEW_ID and task['recurrence-cycle'] == 'every-days'
    assert task['input-parameters'][0]['value'] == {'string': {'value': 'web01'}}

    # The same start in another zone, and the same inputs: nothing to do.
    same = dict(base, recurrence={'cycle': 'every-days', 'start': '2030-01-01T03:00:00+01:00'})
    noop = predict_then_apply(sim, same)
    assert noop['changed'] is False and noop['differences'] == []
    assert noop['diff']['before'] == noop['diff']['after']
    assert changes_sent(sim) == {}

    updated = predict_then_apply(sim, dict(base, inputs={'name': 'web02'}, description='deploys web02'))
    assert updated['changed'] is True and updated['differences'] == ['description', 'inputs']
    assert (updated['diff']['before']['inputs'], updated['diff']['after']['inputs']) == ({'name': 'web01'}, {'name': 'web02'})
    assert updated['task']['id'] == task['id'] and updated['task']['inputs'] == {'name': 'web02'}
    assert changes_sent(sim) == {'POST /vco/api/tasks/<tid>': 1}
    [task] = tasks_named(sim, 'nightly deploy')
    assert task['description'] == 'deploys web02'

    recreated = predict_then_apply(sim, dict(base, workflow_name='Sleep', inputs={'seconds': 1}))
    assert recreated['changed'] is True and recreated['recreated'] is True
    assert 'workflow_id' in recreated['differences'] and 'deleted and created again' in recreated['msg']
    assert (recreated['diff']['before']['workflow_id'], recreated['diff']['after']['workflow_id']) == (AWSNEW_ID, SLEEP_ID)
    assert recreated['previous_task_id'] == task['id'] and recreated['task']['id'] != task['id']
    assert changes_sent(sim) == {'POST /vco/api/tasks': 1, 'DELETE /vco/api/tasks/<tid>': 1}
    [task] = tasks_named(sim, 'nightly deploy')
    assert task['workflow']['id'] == SLEEP_ID and task['id'] == recreated['task']['id']
    assert task['description'] == 'deploys web02'

    deleted = predict_then_apply(sim, {'task_name': 'nightly deploy', 'task_state': 'absent'})
    assert deleted['changed'] is True and deleted['diff']['after'] == {}
    assert deleted['diff']['before']['workflow_id'] == SLEEP_ID
    assert tasks_named(sim, 'nightly deploy') == []
    again = predict_then_apply(sim, {'task_name': 'nightly deploy', 'task_state': 'absent'})
    assert again['changed'] is False
    assert changes_sent(sim) == {}


def test_task_inputs_are_typed_and_checked(fresh_simulator):
    sim = fresh_simulator
    bad = {'task_name': 'typo', 'workflow_name': 'Sleep', 'inputs': {'Seconds': 5}}
    res = run_playbook(TASK, extra_vars=bad, env=sim.env('vro'), expect_failure=True)
    assert "did you mean 'seconds'" in res.failed_results()[0]['result']['msg']
    assert changes_sent(sim) == {}

    typed = predict_then_apply(sim, {'task_name': 'sleepy', 'workflow_name': 'Sleep', 'inputs': {'seconds': '20'},
                                     'recurrence': {'start': '2030-01-01T00:00:00Z'}})
    assert typed['task']['inputs'] == {'seconds': 20}
    [task] = tasks_named(sim, 'sleepy')
    assert task['input-parameters'][0]['value']['number']['value'] == 20
    # 20 (an integer here) equals the 20.0 the server echoes.
    sim.admin('DELETE', 'counters')
    noop = run_playbook(TASK, extra_vars={'task_name': 'sleepy', 'workflow_name': 'Sleep', 'inputs': {'seconds': 20}},
                        env=sim.env('vro')).result(MANAGE)
    assert noop['changed'] is False and changes_sent(sim) == {}


def test_fifty_task_limit_is_a_clear_error(fresh_simulator):
    sim = fresh_simulator
    past, future = '2020-01-01T00:00:00Z', '2031-01-01T00:00:00Z'
    for i in range(50):
        api(sim, 'POST', '/tasks/', json={'name': 'filler %02d' % i, 'workflow': {'id': SLEEP_ID},
                                          'recurrence-cycle': 'one-time',
                                          'recurrence-start-date': past if i < 3 else future})
    one_more = {'task_name': 'one too many', 'workflow_name': 'AWSNEW', 'inputs': {'name': 'web09'},
                'recurrence': {'start': future}}

    chk = check_replay(sim, TASK, one_more, expect_failure=True)
    predicted = chk.failed_results()[0]['result']
    sim.admin('DELETE', 'counters')
    res = run_playbook(TASK, extra_vars=one_more, env=sim.env('vro'), expect_failure=True)
    failed = res.failed_results()[0]['result']
    for result in (predicted, failed):
        assert 'at most 50 scheduled tasks and 50 exist' in result['msg']
        assert 'state: absent' in result['msg'] and 'vro_task_info' in result['msg']
        assert "'filler 00' (finished)" in result['msg']
        assert result['task_count'] == 50
        assert sorted(t['name'] for t in result['spent_tasks']) == ['filler 00', 'filler 01', 'filler 02']
    assert failed['error']['status'] == 400 and 'at most 50' in failed['msg']
    assert tasks_named(sim, 'one too many') == []

    # A new workflow for a task at the limit: the old task is deleted first to make room.
    recreate = {'task_name': 'filler 10', 'workflow_name': 'AWSNEW', 'inputs': {'name': 'web10'}}
    recreated = predict_then_apply(sim, recreate)
    assert recreated['recreated'] is True and recreated['task']['workflow_id'] == AWSNEW_ID
    assert changes_sent(sim) == {'DELETE /vco/api/tasks/<tid>': 1, 'POST /vco/api/tasks': 1}
    [task] = tasks_named(sim, 'filler 10')
    assert task['workflow']['id'] == AWSNEW_ID and len(api(sim, 'GET', '/tasks/').json()['relations']['link']) == 50


def test_one_time_task_fires_and_its_run_is_visible(fresh_simulator):
    sim = fresh_simulator
    start = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)
    created = run_playbook(TASK, extra_vars={'task_name': 'once', 'workflow_name': 'AWSNEW', 'inputs': {'name': 'web05'},
                                             'recurrence': {'cycle': 'one-time', 'start': iso(start)}},
                           env=sim.env('vro')).result(MANAGE)
    assert created['changed'] is True and created['task']['state'] == 'pending'

    res = run_playbook(TASK_INFO, extra_vars={'task_name': 'once', 'wait_for_run': True}, env=sim.env('vro'))
    [task] = res.result('Read the tasks')['tasks']
    assert task['id'] == created['task']['id'] and task['state'] == 'finished'
    [execution] = task['executions']
    assert execution['state'] == 'completed' and execution['workflow_id'] == AWSNEW_ID
    run = api(sim, 'GET', '/workflows/%s/executions/%s/' % (AWSNEW_ID, execution['execution_id'])).json()
    assert run['input-parameters'][0]['value'] == {'string': {'value': 'web05'}}

    chk = check_replay(sim, TASK_INFO, {'task_name': 'once'})
    assert chk.result('Read the tasks')['tasks'][0]['executions'][0]['execution_id'] == execution['execution_id']
    listed = check_replay(sim, TASK_INFO).result('Read the tasks')
    assert listed['task_count'] == 1 and listed['task_limit'] == 50


def test_workflow_info_reads_only_and_the_schema_module_writes_into_a_directory(simulator, tmp_path):
    """Issue 14 item 10: vro_workflow_info has no schema_dest (nor file options) any more; vro_workflow_schema writes."""
    out = tmp_path / 'schemas'
    out.mkdir()
    path = tmp_path / 'schema.yml'
    path.write_text(json.dumps([{'name': 'schema', 'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'old option', 'ignore_errors': True,
         'cloudops.orchestrator.vro_workflow_info': {'workflow_id': ECHO_ID, 'schema_dest': str(out / 'old.png')}},
        {'name': 'into a directory', 'cloudops.orchestrator.vro_workflow_schema': {'workflow_id': ECHO_ID, 'dest': str(out)}},
    ]}]), encoding='utf-8')
    res = run_playbook(path, env=simulator.env('vro'))
    assert [r['status'] for r in res.results if r['task'] == 'old option'] == ['ignored']
    assert 'Unsupported parameters' in res.result('old option')['msg'] and 'schema_dest' in res.result('old option')['msg']
    written = res.result('into a directory')
    assert written['dest'] == str(out / ('%s.png' % ECHO_ID)) and written['changed'] is True
    assert sorted(p.name for p in out.iterdir()) == ['%s.png' % ECHO_ID]
    assert (out / ('%s.png' % ECHO_ID)).read_bytes().startswith(PNG_SIGNATURE)
