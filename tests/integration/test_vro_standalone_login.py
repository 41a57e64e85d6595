# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""auth: vra against a vRO 8 appliance without Aria Automation (simulator quirk vro-8-standalone-csp-login): no
``/iaas/api/login`` (404), so the refresh token is exchanged at the CSP authorize call, once per login; the
exchange that answered is kept for the re-exchange after an expired token; no secret in the -vvv output."""

from __future__ import annotations

import json
import re

import pytest

from _harness import run_playbook

QUIRK = 'vro-8-standalone-csp-login'
AWSNEW_ID = '3a0ab069-cf2f-47e0-96f5-4a8920a5dc51'
CSP_LOGIN = 'POST /csp/gateway/am/api/login'
IAAS_LOGIN = 'POST /iaas/api/login'
AUTHORIZE = 'POST /csp/gateway/am/api/auth/api-tokens/authorize'
JWT = re.compile(r'eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}')


@pytest.fixture
def standalone(fresh_simulator):
    """The session simulator with the quirk on (added to the quirks it plays already), restored afterwards."""
    sim = fresh_simulator
    sim.admin('PUT', 'settings', json={'quirks': sorted(sim.quirks | {QUIRK})})
    try:
        yield sim
    finally:
        sim.admin('PUT', 'settings', json={'quirks': sorted(sim.quirks)})


def routes(sim):
    counted = sim.counters().get('routes', {})
    return {route: sum(n for key, n in counted.items() if key.rstrip('/') == route) for route in (CSP_LOGIN, IAAS_LOGIN, AUTHORIZE)}


def play(tmp_path, reads):
    tasks = [{'name': 'read %d' % i, 'cloudops.orchestrator.vro_workflow_info': {'workflow_id': AWSNEW_ID}}
             for i in range(reads)]
    path = tmp_path / 'standalone.yml'
    path.write_text(json.dumps([{'name': 'standalone vRO 8', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}]),
                    encoding='utf-8')
    return path


def assert_no_secret(sim, res, env):
    everything = res.stdout + res.stderr + json.dumps(res.results)
    assert not JWT.search(everything), 'a token is in the -vvv output'
    assert env['VRO_PASSWORD'] not in everything
    logged = json.dumps(sim.admin('GET', 'requests'))
    assert not JWT.search(logged) and env['VRO_PASSWORD'] not in logged


def test_vra_login_on_a_standalone_vro_8_uses_the_csp_authorize_call(standalone, tmp_path):
    sim = standalone
    env = dict(sim.env('vro'), VRO_AUTH='vra')
    res = run_playbook(play(tmp_path, 2), env=env, verbosity=3)
    assert [res.result('read %d' % i)['workflow']['id'] for i in range(2)] == [AWSNEW_ID] * 2
    # Two module runs, two logins: each tries /iaas/api/login once (404), then exchanges at the authorize call once.
    assert routes(sim) == {CSP_LOGIN: 2, IAAS_LOGIN: 2, AUTHORIZE: 2}
    statuses = [(r['path'].split('?')[0], r['status']) for r in sim.admin('GET', 'requests')['requests']
                if not r['path'].startswith('/vco/')]
    assert sorted(set(statuses)) == [('/csp/gateway/am/api/auth/api-tokens/authorize', 200),
                                     ('/csp/gateway/am/api/login', 200), ('/iaas/api/login', 404)]
    assert_no_secret(sim, res, env)


def test_an_expired_token_is_exchanged_again_at_the_authorize_call_only(standalone, tmp_path):
    sim = standalone
    env = dict(sim.env('vro'), VRO_AUTH='vra')
    sim.faults({'route': '/vco/api/workflows/%s' % AWSNEW_ID, 'method': 'GET', 'kind': 'token_expired', 'count': 1})
    res = run_playbook(play(tmp_path, 1), env=env, verbosity=3)
    assert res.result('read 0')['workflow']['id'] == AWSNEW_ID
    assert sim.admin('GET', 'faults')['faults'][0]['fired'] == 1
    # One login; the 404 is not asked again: the second exchange goes straight to the authorize call.
    assert routes(sim) == {CSP_LOGIN: 1, IAAS_LOGIN: 1, AUTHORIZE: 2}
    assert_no_secret(sim, res, env)


def test_a_garbled_authorize_answer_fails_without_quoting_it(standalone, tmp_path):
    sim = standalone
    env = dict(sim.env('vro'), VRO_AUTH='vra')
    sim.faults({'route': '/csp/gateway/am/api/auth/api-tokens/authorize', 'method': 'POST', 'kind': 'bad_json', 'count': 1})
    res = run_playbook(play(tmp_path, 1), env=env, verbosity=3, expect_failure=True)
    assert sim.admin('GET', 'faults')['faults'][0]['fired'] == 1
    failed = res.failed_results()
    assert [f['task'] for f in failed] == ['read 0']
    msg = failed[0]['result']['msg']
    assert 'not valid JSON' in msg and '\n' not in msg, msg
    # The answer came (garbled): the exchange is not sent again.
    assert routes(sim) == {CSP_LOGIN: 1, IAAS_LOGIN: 1, AUTHORIZE: 1}
    assert_no_secret(sim, res, env)
