# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vro_login: one vRA login whose token the later tasks reuse (auth: token), expiry, and the token never printed."""

from __future__ import annotations

import re

import pytest

from _harness import run_playbook

PLAYBOOK = 'playbooks/vro_login/reuse.yml'
LOGIN = ('POST', '/csp/gateway/am/api/login')
EXCHANGE = ('POST', '/iaas/api/login')
# The exchange on a vRO 8 without /iaas/api/login (quirk vro-8-standalone-csp-login; that path answers 404 once).
AUTHORIZE = ('POST', '/csp/gateway/am/api/auth/api-tokens/authorize')
JWT = re.compile(r'eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}')


def login_env(sim):
    """The connection without credentials (VRO_USERNAME/VRO_PASSWORD unset): only the login task gets them."""
    env = {k: v for k, v in sim.env('vro').items() if k not in ('VRO_USERNAME', 'VRO_PASSWORD')}
    name, entry = sim.user('vro')
    env.update(LOGIN_USER=name, LOGIN_PASSWORD=str(entry['password']))
    return env


def requests(sim):
    return [(r['method'], r['path'].split('?')[0].rstrip('/'), r['status'], r.get('user'))
            for r in sim.admin('GET', 'requests')['requests']]


def exchange(sim):
    return AUTHORIZE if 'vro-8-standalone-csp-login' in sim.quirks else EXCHANGE


def count(sim, route):
    return sum(1 for method, path, status, user in requests(sim) if (method, path) == route)


def assert_hidden(res):
    everything = res.stdout + res.stderr
    assert not JWT.search(everything), 'a token is in the -vvv output'
    login = res.result('Log in')
    assert 'token' not in login and 'censored' in login, login


def test_one_login_for_many_tasks(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook(PLAYBOOK, env=login_env(sim), verbosity=3)
    assert count(sim, LOGIN) == 1 and count(sim, exchange(sim)) == 1
    # Without /iaas/api/login (quirk), its 404 is at the server's root: no probe of the API base (_client.wrong_base),
    # so every vRO request is made as the user.
    vro = [r for r in requests(sim) if r[1].startswith('/vco/api')]
    assert len(vro) >= 7 and all(r[2] < 400 and r[3] == sim.user('vro')[0] for r in vro), vro
    assert res.result('Read one')['state'] == 'completed'
    assert_hidden(res)


def test_an_expired_token_fails_saying_so(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook(PLAYBOOK, env=login_env(sim), verbosity=3, extra_vars={'expire': True}, expect_failure=True)
    failed = res.failed_results()
    assert [f['task'] for f in failed] == ['Run one']
    msg = failed[0]['result']['msg']
    assert 'HTTP 401' in msg and 'may have expired' in msg and 'vro_login' in msg, msg
    assert '\n' not in msg
    assert count(sim, LOGIN) == 1
    # Nothing was started with the refused token.
    assert not [r for r in requests(sim) if r[0] == 'POST' and r[1].startswith('/vco/api')]
    assert_hidden(res)


@pytest.mark.parametrize('expire', [False, True])
def test_with_credentials_an_expired_token_logs_in_again(fresh_simulator, expire):
    sim = fresh_simulator
    res = run_playbook(PLAYBOOK, env=login_env(sim), verbosity=3, extra_vars={'expire': expire, 'relogin': True})
    assert res.result('Read one')['state'] == 'completed'
    # The first login, then (expired) one more in each of the three tasks, and the second vro_login.
    assert count(sim, LOGIN) == (5 if expire else 2)
    assert_hidden(res)
