# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unknown status names (issue 14, item 4), through ansible-playbook against the simulator.

VCF publishes its task statuses: a name outside them fails the task before anything is sent (the simulator's
counters prove it, the login included), listing the valid ones. ICO does not publish its list: ``orch_task`` warns
before it creates the task, and creates it.
"""

from __future__ import annotations

import json

from _harness import TRACEBACK_MARKERS, run_playbook, write_playbook

VCF_FAILED = '7a5e0001-5e1f-4c0d-9a11-000000000001'


def play(tmp_path, module, args, name='it'):
    return write_playbook(tmp_path, 'status_names', [{'name': name, 'cloudops.orchestrator.%s' % module: args}], ignore_errors=True)


def requests_to(sim, fragment):
    """Every request the simulator counted on routes containing ``fragment`` (any method)."""
    return sum(n for route, n in sim.counters()['routes'].items() if fragment in route)


def test_vcf_task_info_refuses_an_unknown_status_before_anything_is_sent(fresh_simulator, tmp_path):
    sim = fresh_simulator
    res = run_playbook(play(tmp_path, 'vcf_task_info', {'status': 'FAIL'}), env=sim.env('vcf'))
    record = res.record('it')
    assert record['status'] == 'ignored'
    msg = record['result']['msg']
    assert msg.startswith("status 'FAIL' is not an SDDC Manager task status; nothing was sent: use one of PENDING, QUEUED, ")
    assert 'FAILED, TIMED_OUT, CANCELLED' in msg and msg.endswith('did you mean FAILED?')
    assert not any(marker in json.dumps(record['result']) for marker in TRACEBACK_MARKERS)
    # Before: GET /v1/tasks?taskStatus=FAIL answered [] and the task "succeeded". Now not even the login is sent.
    assert requests_to(sim, '/v1/') == 0


def test_vcf_task_info_refuses_a_misspelt_wait_for_before_anything_is_sent(fresh_simulator, tmp_path):
    sim = fresh_simulator
    res = run_playbook(play(tmp_path, 'vcf_task_info', {'task_id': VCF_FAILED, 'wait_for': ['Successful', 'SUCCESFUL'],
                                                        'wait_timeout': 5}), env=sim.env('vcf'))
    record = res.record('it')
    assert record['status'] == 'ignored'
    assert record['result']['msg'].startswith("wait_for 'SUCCESFUL' is not an SDDC Manager task status; nothing was sent")
    assert record['result']['msg'].endswith('did you mean SUCCESSFUL?')
    assert requests_to(sim, '/v1/') == 0


def test_vcf_task_info_takes_any_spelling_of_a_documented_status(fresh_simulator, tmp_path):
    sim = fresh_simulator
    res = run_playbook(play(tmp_path, 'vcf_task_info', {'status': 'failed'}), env=sim.env('vcf'))
    record = res.record('it')
    assert record['status'] == 'ok', record['result']
    tasks = record['result']['tasks']
    assert tasks and all(t['status'] == 'FAILED' for t in tasks) and VCF_FAILED in [t['id'] for t in tasks]
    assert requests_to(sim, 'GET /v1/tasks') >= 1


def test_orch_task_warns_on_an_unknown_status_before_creating_and_creates(fresh_simulator, tmp_path):
    sim = fresh_simulator
    res = run_playbook(play(tmp_path, 'orch_task', {'task': {'eventTopic': 'names/typo', 'parm': {'a': 1}},
                                                    'wait_for_status': ['COMPLETE'], 'wait': False}), env=sim.env('ico'))
    record = res.record('it')
    assert record['status'] == 'changed' or record['result']['changed'] is True, record['result']
    warnings = record['result'].get('warnings', [])
    assert any(w.startswith("wait_for_status names 'COMPLETE', which IBM Cloud Orchestrator is not known to use (known: ")
               and 'check the spelling' in w for w in warnings), warnings
    # A warning, not a failure: the task was created, once.
    assert sim.counters()['routes'].get('POST /orchestrator/v2/tasks') == 1
    assert record['result']['task']['event_topic'] == 'names/typo'


def test_orch_task_known_statuses_give_no_warning(fresh_simulator, tmp_path):
    sim = fresh_simulator
    res = run_playbook(play(tmp_path, 'orch_task', {'task': {'eventTopic': 'names/ok', 'parm': {'a': 1}},
                                                    'wait_for_status': ['Completed', 'RUNNING'], 'wait': False}),
                       env=sim.env('ico'))
    record = res.record('it')
    assert record['result']['changed'] is True
    assert not any('wait_for_status' in w for w in record['result'].get('warnings', []))
