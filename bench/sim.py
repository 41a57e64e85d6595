# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The simulator the benchmark runs against: the one ``make bench`` started (``SIM_URL``/``SIM_INFO`` from
tools/with_simulator.py), or one of its own; its admin API (``/_sim``, with the admin token) and the few vRO calls
the scenarios set up with."""

from __future__ import annotations

import datetime
import json
import os
import sys

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tests', 'integration'))

from _harness import Simulator  # noqa: E402  # pylint: disable=wrong-import-position

SLEEP_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002'  # the simulator's built-in "Sleep" workflow
# bench/catalog.yml: two runs of one second, without and with outputs (make bench loads it; so does Sim.start).
CATALOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'catalog.yml')
ONE_SECOND_ID = 'b3c4a000-0000-4000-8000-000000000016'
ONE_SECOND_OUTPUTS_ID = 'b3c4a000-0000-4000-8000-000000000017'
# The vRA login routes of vRO 8 (the two round trips of a login).
LOGIN_ROUTES = ('/csp/gateway/am/api/login', '/iaas/api/login')


class Sim:
    """A running simulator: the environment a module reads, admin calls and vRO/VCF calls for setting up."""

    def __init__(self, url, ca_path, users, owned=None, pid=None, admin_token=''):  # pylint: disable=too-many-arguments
        self.url = url.rstrip('/')
        self.pid = pid
        self.ca_path = ca_path
        self.users = users
        self.owned = owned
        self.http = requests.Session()
        self.http.headers['X-Sim-Admin-Token'] = admin_token or ''  # /_sim needs the simulator's admin token
        self.verify = ca_path or True  # per request: REQUESTS_CA_BUNDLE would override a Session default

    @classmethod
    def from_environment(cls):
        if os.environ.get('SIM_URL') and os.environ.get('SIM_INFO'):
            info = json.loads(os.environ['SIM_INFO'])
            return cls(os.environ['SIM_URL'], os.environ.get('SIM_CA_PATH') or None, info.get('users', {}), pid=info.get('pid'),
                       admin_token=info.get('admin_token'))
        return cls.start()

    @classmethod
    def start(cls):
        sim = Simulator('--catalog', CATALOG).start()
        return cls(sim.url, sim.ca_path, sim.users, owned=sim, pid=sim.proc.pid if sim.proc else None,
                   admin_token=sim.info.get('admin_token'))

    def stop(self):
        if self.owned is not None:
            self.owned.cleanup()

    def user(self, product):
        users = self.users.get(product) or {}
        for name, entry in users.items():
            if any('admin' in str(role).lower() for role in (entry or {}).get('roles', [])):
                return name, entry.get('password', '')
        for name, entry in users.items():
            return name, entry.get('password', '')
        return None, None

    def env(self):
        env = {}
        for product, prefix in (('vro', 'VRO'), ('vcf', 'VCF')):
            name, password = self.user(product)
            if name is None:
                continue
            env.update({prefix + '_URL': self.url, prefix + '_USERNAME': name, prefix + '_PASSWORD': password})
            if self.ca_path:
                env[prefix + '_CA_PATH'] = self.ca_path
        return env

    def admin(self, method, path, **kw):
        resp = self.http.request(method, '%s/_sim/%s' % (self.url, path.lstrip('/')), timeout=120, verify=self.verify, **kw)
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def vro(self, method, path, **kw):
        name, password = self.user('vro')
        resp = self.http.request(method, '%s/vco/api/%s' % (self.url, path.lstrip('/')), auth=(name, password),
                                 headers={'Accept': 'application/json'}, timeout=120, verify=self.verify, **kw)
        return resp

    def has_vro(self):
        try:
            return self.user('vro')[0] is not None and self.vro('GET', 'workflows/%s' % SLEEP_ID).status_code == 200
        except requests.RequestException:
            return False

    def has_workflow(self, workflow_id):
        try:
            return self.vro('GET', 'workflows/%s' % workflow_id).status_code == 200
        except requests.RequestException:
            return False

    def settings(self):
        return self.admin('GET', 'settings') or {}

    def login_latency(self, seconds):
        """Make each vRA login take ``seconds`` longer: through the simulator's own login-latency setting when it has
        one (a setting named like ``*login*latency*``), else with a ``latency`` fault on the two login routes, each
        taking half. Returns how it was done (for the notes) and a function that undoes it."""
        current = self.settings()
        for key in sorted(current):
            if 'login' in key and 'latency' in key:
                self.admin('PUT', 'settings', json={key: seconds})
                return ('simulator setting %s = %s s' % (key, seconds),
                        lambda: self.admin('PUT', 'settings', json={key: current[key]}))
        ids = [self.admin('POST', 'faults', json={'route': route, 'method': 'POST', 'kind': 'latency', 'latency': seconds / 2.0})['id']
               for route in LOGIN_ROUTES]
        return ('latency faults of %s s on each of %s' % (seconds / 2.0, ' and '.join(LOGIN_ROUTES)),
                lambda: [self.admin('DELETE', 'faults/%s' % fault_id) for fault_id in ids])

    def start_sleep(self, seconds):
        body = {'parameters': [{'name': 'seconds', 'type': 'number', 'scope': 'local',
                                'value': {'number': {'value': seconds}}}]}
        resp = self.vro('POST', 'workflows/%s/executions' % SLEEP_ID, json=body)
        resp.raise_for_status()
        return resp.headers['Location'].rstrip('/').rsplit('/', 1)[1]

    def execution(self, workflow_id, execution_id):
        resp = self.vro('GET', 'workflows/%s/executions/%s' % (workflow_id, execution_id))
        resp.raise_for_status()
        return resp.json()

    def clear_counters(self):
        self.admin('DELETE', 'counters')

    def counters(self):
        return self.admin('GET', 'counters')

    def request_log(self):
        return self.admin('GET', 'requests', params={'limit': 5000}).get('requests', [])


def parse_time(value):
    """vRO dates: ISO 8601 (8.x) or epoch milliseconds (7.x) -> epoch seconds."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return value / 1000.0
    text = str(value).replace('Z', '+00:00')
    return datetime.datetime.fromisoformat(text).timestamp()
