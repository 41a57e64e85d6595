# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vRO behaviours the public evidence settles differently from the simulator's first reading (issue 13 items 7-9):
the vRA login, the logs' order and the version detection."""

from __future__ import annotations

import json

from _harness import run_playbook

AWSNEW_ID = '3a0ab069-cf2f-47e0-96f5-4a8920a5dc51'
CSP_LOGIN = 'POST /csp/gateway/am/api/login'


def failed(res, task):
    record = res.record(task)
    assert record['status'] in ('failed', 'ignored'), record
    return record['result']


def route_count(sim, route):
    return sum(n for key, n in sim.counters().get('routes', {}).items() if key.rstrip('/') == route)


def playbook(tmp_path, tasks, name='play.yml'):
    path = tmp_path / name
    path.write_text(json.dumps([{'name': 'fidelity', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]),
                    encoding='utf-8')
    return path


def info_play(tmp_path):
    return playbook(tmp_path, [{'name': 'read', 'cloudops.orchestrator.vro_workflow_info': {'workflow_id': AWSNEW_ID},
                                'ignore_errors': True}])


def test_vra_login_with_user_at_domain_is_split_into_username_and_domain(fresh_simulator, tmp_path):
    sim = fresh_simulator
    env = dict(sim.env('vro'), VRO_AUTH='vra')
    env['VRO_USERNAME'] = env['VRO_USERNAME'] + '@vsphere.local'
    res = run_playbook(info_play(tmp_path), env=env)
    assert res.result('read')['workflow']['id'] == AWSNEW_ID
    assert route_count(sim, CSP_LOGIN) == 1


def test_a_refused_vra_login_is_an_authentication_error_never_retried(fresh_simulator, tmp_path):
    sim = fresh_simulator
    env = dict(sim.env('vro'), VRO_AUTH='vra', VRO_PASSWORD='wrong-password')
    res = run_playbook(info_play(tmp_path), env=env)
    result = failed(res, 'read')
    assert 'refused the credentials (HTTP 400)' in result['msg'] and 'auth_domain' in result['msg']
    assert result['error']['kind'] == 'auth' and '\n' not in result['msg']
    assert route_count(sim, CSP_LOGIN) == 1
    # user@domain: tried split, then as the full name; then the same authentication error.
    sim.reset()
    env['VRO_USERNAME'] = sim.env('vro')['VRO_USERNAME'] + '@vsphere.local'
    result = failed(run_playbook(info_play(tmp_path), env=env), 'read')
    assert result['error']['kind'] == 'auth' and 'HTTP 400' in result['msg']
    assert route_count(sim, CSP_LOGIN) == 2
    assert 'wrong-password' not in json.dumps(result)


def api_token(sim):
    """An API token for the OAuth tenant login: the simulator takes a CSP login's refresh token as one."""
    import requests  # pylint: disable=import-outside-toplevel
    name, entry = sim.user('vro')
    login = requests.post(sim.url + '/csp/gateway/am/api/login', params={'access_token': ''}, verify=sim.ca_path,
                          json={'username': name, 'password': entry['password']}, timeout=30)
    assert login.status_code == 200, login.text
    return login.json()['refresh_token']


def test_vra_oauth_tenant_login_exchanges_the_api_token(fresh_simulator, tmp_path):
    sim = fresh_simulator
    token = api_token(sim)
    tm = 'vra-oauth-tenant-tm' in sim.quirks
    env = dict(sim.env('vro'), VRO_AUTH_TENANT='vsphere.local', VRO_TOKEN=token, VRO_PASSWORD='not-used-here')
    res = run_playbook(info_play(tmp_path), env=env)
    assert res.result('read')['workflow']['id'] == AWSNEW_ID
    # The plain path first; the /tm one only after its 404 (quirk vra-oauth-tenant-tm).
    assert route_count(sim, 'POST /oauth/tenant/<tenant>/token') == 1
    assert route_count(sim, 'POST /tm/oauth/tenant/<tenant>/token') == (1 if tm else 0)
    assert route_count(sim, CSP_LOGIN) == 1 and route_count(sim, 'POST /iaas/api/login') == 0  # the one of api_token()
    assert token not in res.stdout + res.stderr


def test_a_refused_vra_tenant_login_is_an_authentication_error_sent_once(fresh_simulator, tmp_path):
    sim = fresh_simulator
    token = api_token(sim)
    tm = 'vra-oauth-tenant-tm' in sim.quirks
    env = dict(sim.env('vro'), VRO_AUTH_TENANT='another-tenant', VRO_TOKEN=token)
    res = run_playbook(info_play(tmp_path), env=env, verbosity=3)
    result = failed(res, 'read')
    assert result['error']['kind'] == 'auth' and 'refused the API token (HTTP 400)' in result['msg']
    assert 'auth_tenant' in result['msg'] and '\n' not in result['msg']
    assert route_count(sim, 'POST /tm/oauth/tenant/<tenant>/token' if tm else 'POST /oauth/tenant/<tenant>/token') == 1
    assert token not in res.stdout + res.stderr + json.dumps(res.results)
    assert env['VRO_PASSWORD'] not in res.stdout + res.stderr


def test_answering_an_interaction_on_7_6_posts_the_execution_context_as_on_8x(simulator_factory):
    # VMware's vCO REST client SDK (ExecutionService.answerUserInteraction) answers with POST
    # .../executions/{id}/interaction and an execution-context body; 7.x has no GET /interactions.
    sim = simulator_factory('--vro-version', '7.6')
    res = run_playbook('playbooks/vro_extras/interaction.yml', env=sim.env('vro'),
                       extra_vars={'approved': True, 'comment': 'go ahead', 'wait_for': ['completed']})
    answer = res.result('Answer the request')
    assert answer['changed'] is True and answer['previous_state'] == 'waiting' and answer['state'] == 'completed'
    assert answer['outputs'] == {'approved': True, 'comment': 'go ahead'}
    assert route_count(sim, 'POST /vco/api/workflows/<wid>/executions/<eid>/interaction') == 1
    # Given only the run, a 7.x server cannot tell its workflow: the module asks for it.
    res = run_playbook('playbooks/vro_extras/interaction.yml', env=sim.env('vro'),
                       extra_vars={'approved': True, 'by_run_only': True}, expect_failure=True)
    assert 'give workflow_id or workflow_name' in failed(res, 'Answer the request')['msg']


def test_an_interaction_answered_by_run_id_alone_when_interactions_name_the_run_in_their_href_only(simulator_factory, tmp_path):
    # VMware's o11n workflow manager reads only id, createDate, name and description from an interaction entry, and the
    # workflow and run ids from its href: under this quirk the entries carry no executionId nor workflowId.
    sim = simulator_factory('--quirk', 'vro-interactions-bare-attributes')
    path = playbook(tmp_path, [
        {'name': 'start', 'register': 'run', 'cloudops.orchestrator.vro_workflow_run': {
            'workflow_name': 'Request approval', 'inputs': {'request': 'bare'}, 'on_user_interaction': 'return'}},
        {'name': 'answer', 'cloudops.orchestrator.vro_interaction': {
            'execution_id': '{{ run.execution_id }}', 'inputs': {'approved': True, 'comment': 'ok'}, 'wait_for': ['completed']}},
    ])
    res = run_playbook(path, env=sim.env('vro'))
    started, answered = res.result('start'), res.result('answer')
    assert started['state'] == 'waiting'
    assert answered['state'] == 'completed' and answered['workflow_id'] == started['workflow_id']
    assert route_count(sim, 'POST /vco/api/workflows/<wid>/executions/<eid>/interaction') == 1
