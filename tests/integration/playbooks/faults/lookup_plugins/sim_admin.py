# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only lookup: the simulator's admin steps of one fault scenario, done in the controller process.

Doing them here instead of as uri tasks keeps one scenario at one module run, which matters on a 2-core machine.
"""

from __future__ import annotations

DOCUMENTATION = """
    name: sim_admin
    short_description: Prepare a fault scenario on the simulator and collect its evidence (tests only)
    description:
      - C(prepare) resets the simulator, makes the scenario's admin calls, starts its setup run and installs its faults.
      - C(evidence) returns the faults (with fired counts), the counters, the runs of a workflow and VCF attempts.
    options:
      _terms:
        description: C(prepare) or C(evidence).
      scenario:
        description: The scenario mapping.
      url:
        description: The simulator URL.
      ca:
        description: The simulator CA bundle.
"""

import base64
import os
import time

import requests

from ansible.errors import AnsibleError
from ansible.plugins.lookup import LookupBase

TYPES = {'str': 'string', 'num': 'number', 'seconds': 'number'}


def _param(name, value):
    kind = TYPES.get(name, 'string')
    return {'name': name, 'type': kind, 'scope': 'local', 'value': {kind: {'value': value}}}


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        url = self.get_option('url').rstrip('/')
        ca = self.get_option('ca')
        sc = self.get_option('scenario')
        session = requests.Session()
        session.trust_env = False
        session.headers['X-Sim-Admin-Token'] = os.environ.get('SIM_ADMIN_TOKEN', '')  # set by the harness (Simulator.env)

        def admin(method, path, body=None):
            resp = session.request(method, '%s/_sim/%s' % (url, path), json=body, verify=ca, timeout=30)
            if resp.status_code >= 400:
                raise AnsibleError('%s /_sim/%s -> %s %s' % (method, path, resp.status_code, resp.text[:300]))
            return resp.json() if resp.content else None

        if terms[0] == 'prepare':
            admin('POST', 'reset', {})
            for call in sc.get('admin') or []:
                admin(call.get('method', 'POST'), call['path'], call.get('body') or {})
            setup = {}
            if sc.get('setup'):
                setup = self._start(session, url, ca, sc['setup'])
            for spec in sc.get('faults') or []:
                admin('POST', 'faults', spec)
            return [setup]
        evidence = {'fired': admin('GET', 'faults')['faults'], 'counters': admin('GET', 'counters')['routes']}
        if sc.get('count_runs'):
            evidence['runs'] = admin('GET', 'vro/runs?workflow=%s&limit=1000' % sc['count_runs'])['runs']
        if sc.get('module') == 'vcf_task_retry':
            evidence['attempts'] = admin('GET', 'vcf/tasks/%s/attempts' % sc['args']['task_id'])
        return [evidence]

    @staticmethod
    def _start(session, url, ca, setup):
        """Start the setup run with Basic auth (the VRO_* variables) and optionally wait until it has finished."""
        auth = base64.b64encode(('%s:%s' % (os.environ['VRO_USERNAME'], os.environ['VRO_PASSWORD'])).encode()).decode()
        headers = {'Authorization': 'Basic ' + auth, 'Accept': 'application/json'}
        base = '%s/vco/api/workflows/%s/executions' % (url, setup['workflow_id'])
        body = {'parameters': [_param(k, v) for k, v in setup['inputs'].items()]}
        resp = session.post(base, json=body, headers=headers, verify=ca, timeout=30)
        if resp.status_code != 202:
            raise AnsibleError('setup run: %s %s' % (resp.status_code, resp.text[:300]))
        eid = resp.headers['Location'].rstrip('/').rsplit('/', 1)[1]
        deadline = time.monotonic() + 60
        while setup.get('wait') and time.monotonic() < deadline:
            state = session.get('%s/%s/state' % (base, eid), headers=headers, verify=ca, timeout=30).json()['value']
            if state in ('completed', 'failed', 'canceled'):
                break
            time.sleep(0.1)
        return {'execution_id': eid}
