# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Through ansible-playbook at -vvv against an in-test fake vRO (the simulator writes no run that quotes a SecureString
output in its exception): vro_execution_info listing a workflow's runs, whose entries (summaries) carry the exception as
a list attribute and no parameters, never shows the value in clear (the runner-level cases are in
tests/unit/plugins/module_utils/test_masked_texts_and_unreadable_writes.py)."""

from __future__ import annotations

from _harness import run_playbook
from test_dead_endpoints import play
from test_hostile_vro_readings import EID, ENV, PASSWORD, RUN, WID, FakeVro

GENERATED = 'Gen-Listed-5531'


def test_a_secure_output_quoted_by_a_listed_run_never_shows_at_vvv(tmp_path):
    quoting = 'could not register %s on web01' % GENERATED
    run = {'id': EID, 'state': 'failed', 'start-date': '2026-01-01T10:00:00Z', 'end-date': '2026-01-01T10:00:02Z',
           'content-exception': quoting, 'input-parameters': [],
           'output-parameters': [{'name': 'secret', 'type': 'SecureString', 'value': {'secure-string': {'value': GENERATED}}}]}
    attributes = [{'name': 'id', 'value': EID}, {'name': 'state', 'value': 'failed'},
                  {'name': 'startDate', 'value': run['start-date']}, {'name': 'endDate', 'value': run['end-date']},
                  {'name': 'contentException', 'value': quoting}]
    listing = {'relations': {'link': [{'rel': 'down', 'href': 'https://vro.example.com%s/' % RUN, 'attributes': attributes}],
                             'total': 1}}
    logs = {'logs': [{'entry': {'severity': 'error', 'time-stamp': '2026-01-01T10:00:01Z', 'short-description': quoting}}]}
    routes = {'GET /vco/api/workflows/%s/executions' % WID: (200, listing, {}), 'GET %s' % RUN: (200, run, {}),
              'GET %s/' % RUN: (200, run, {}), 'GET %s/logs' % RUN: (200, logs, {})}
    with FakeVro(routes) as vro:
        res = run_playbook(play(tmp_path, 'vro_execution_info', {'url': vro.url, 'workflow_id': WID, 'fetch_logs': True}),
                           env=ENV, verbosity=3)
        seen = list(vro.seen)
    result = res.result('it')
    entry = result['executions'][0]
    assert entry['execution_id'] == EID and entry['content_exception'] == 'could not register ******** on web01', result
    assert entry['logs'][0]['short_description'] == 'could not register ******** on web01', entry
    assert GENERATED not in res.stdout + res.stderr and PASSWORD not in res.stdout + res.stderr
    # The listing, one read of the run (its parameters say which values are secret), its logs.
    assert sum(1 for route in seen if route.startswith('GET %s' % RUN) and not route.endswith('/logs')) == 1, seen
