# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vRO modules, run by ansible-playbook at -vvv, against readings of a real vRO that the simulator does not play
(part 20 audit; the runner-level cases are in tests/unit/plugins/module_utils/test_vro_hostile_readings.py).

- vRO 8 without basic authentication enabled (API-NOTES, "vRO 8 basic auth must be enabled on the server") refuses
  Basic with a 401 whose ``WWW-Authenticate`` names Bearer: one request, a one-line failure saying to set
  ``auth: vra``, and the password nowhere in the output.
- A failed run whose SecureString output (sent in clear, as vRO 8 does) is quoted in its ``content-exception`` and
  its log lines: the value appears nowhere in the output, at -vvv.
"""

from __future__ import annotations

from _harness import LocalHttpServer, run_playbook
from test_dead_endpoints import failed_once, play

WID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
EID = '0f0e0d0c-0b0a-4909-8807-060504030201'
RUN = '/vco/api/workflows/%s/executions/%s' % (WID, EID)
PASSWORD = 'Hostile-pw-4417'
GENERATED = 'Gen-Secret-8812'
ENV = {'VRO_USERNAME': 'svc-hostile', 'VRO_PASSWORD': PASSWORD}


class FakeVro(LocalHttpServer):
    """Answers ``routes`` (``'METHOD /path'`` -> ``(status, body, headers)``), 404 elsewhere; ``seen`` lists requests."""

    def __init__(self, routes):
        super().__init__()
        self.routes = routes
        self.seen = []

    def answer(self, request):
        route = '%s %s' % (request.command, request.url_path)
        self.seen.append(route)
        return request.send(*self.routes.get(route, (404, {'status': 404, 'message': 'not found'}, {})))


def test_basic_refused_by_a_bearer_only_vro_says_to_use_auth_vra(tmp_path):
    routes = {'GET /vco/api/workflows/%s' % WID: (401, {'status': 401, 'message': 'Unauthorized'},
                                                  {'WWW-Authenticate': 'Bearer error="invalid_token"'})}
    with FakeVro(routes) as vro:
        res = run_playbook(play(tmp_path, 'vro_workflow_info', {'url': vro.url, 'workflow_id': WID}), env=ENV,
                           verbosity=3)
        seen = list(vro.seen)
    result = failed_once(res)
    assert seen == ['GET /vco/api/workflows/%s' % WID]
    assert 'HTTP 401' in result['msg'] and 'set auth: vra' in result['msg'], result['msg']
    assert PASSWORD not in res.stdout + res.stderr


def test_a_secure_output_quoted_by_a_failed_run_never_shows_at_vvv(tmp_path):
    quoting = 'could not register %s on web01' % GENERATED
    run = {'id': EID, 'state': 'failed', 'start-date': '2026-01-01T10:00:00Z', 'end-date': '2026-01-01T10:00:02Z',
           'content-exception': quoting, 'input-parameters': [],
           'output-parameters': [{'name': 'secret', 'type': 'SecureString', 'value': {'secure-string': {'value': GENERATED}}}]}
    logs = {'logs': [{'entry': {'severity': 'error', 'time-stamp': '2026-01-01T10:00:01Z', 'short-description': quoting}}]}
    routes = {'GET %s' % RUN: (200, run, {}), 'GET %s/logs' % RUN: (200, logs, {})}
    with FakeVro(routes) as vro:
        res = run_playbook(play(tmp_path, 'vro_execution_info', {'url': vro.url, 'workflow_id': WID, 'execution_id': EID,
                                                                 'fetch_logs': True}), env=ENV, verbosity=3)
    result = res.result('it')
    assert result['state'] == 'failed' and result['content_exception'] == 'could not register ******** on web01', result
    assert result['logs'][0]['short_description'] == 'could not register ******** on web01', result['logs']
    assert GENERATED not in res.stdout + res.stderr and PASSWORD not in res.stdout + res.stderr
