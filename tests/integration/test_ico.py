# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""orch_task and orch_task_info against the simulator's ICO 2.5 task engine, each playbook replayed with --check."""

from __future__ import annotations

import requests

from _harness import run_playbook

FINANCE_COMPLETED = '1004'   # alice, finance, service instance si-fin-0001
FINANCE_FAILED = '1005'
ENGINEERING_COMPLETED = '1008'  # bob, engineering


def changes_sent(sim):
    """Every state-changing request the simulator counted, by route."""
    routes = sim.counters().get('routes', {})
    return {route: n for route, n in routes.items()
            if route.split(' ', 1)[0] in ('POST', 'PUT', 'PATCH', 'DELETE') and n}


def check_replay(sim, playbook, extra_vars=None, env=None, expect_failure=False):
    """Reset, replay ``playbook`` with --check, and prove through the counters that nothing changed."""
    sim.reset()
    res = run_playbook(playbook, extra_vars=extra_vars, check=True, env=env or sim.env('ico'),
                       expect_failure=expect_failure)
    assert changes_sent(sim) == {}
    return res


def task_exists(sim, task_id):
    """Straight from the API as admin (independent of the collection)."""
    name, entry = sim.user('ico', 'admin')
    resp = requests.get('%s/orchestrator/v2/tasks/%s' % (sim.url, task_id), auth=(name, entry['password']),
                        headers={'domainName': entry['domain'], 'projectName': entry['project'],
                                 'Accept': 'application/json'}, verify=sim.ca_path, timeout=30)
    assert resp.status_code in (200, 404), resp.text
    return resp.status_code == 200


def test_create_update_noop_and_delete_as_admin(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook('playbooks/ico/lifecycle.yml', env=sim.env('ico'))
    created = res.result('Create a task')
    assert created['changed'] and created['task']['id'] and created['task']['user'] == 'admin'
    assert created['task']['delay_in_seconds'] == 600 and created['task']['raw']['delayInSeconds'] == 600
    updated = res.result('Update only what differs')
    assert updated['diff'] == {'before': {'delayInSeconds': 600}, 'after': {'delayInSeconds': 0}}
    assert res.result('Update again with the same values')['changed'] is False
    assert res.result('Follow it to completion')['task']['status'] == 'COMPLETED'
    assert res.result('Delete it')['changed'] is True
    assert res.result('Delete it again')['changed'] is False
    assert not task_exists(sim, created['task']['id'])
    # One POST, one PUT (the no-op sent none), one DELETE that removed something and one that found nothing.
    assert changes_sent(sim) == {'POST /orchestrator/v2/tasks': 1, 'PUT /orchestrator/v2/tasks/<task_id>': 1,
                                 'DELETE /orchestrator/v2/tasks/<task_id>': 1}

    chk = check_replay(sim, 'playbooks/ico/lifecycle.yml')
    assert chk.result('Create a task')['diff']['after']['delayInSeconds'] == 600
    assert chk.result('Update only what differs')['diff']['after']['delayInSeconds'] == 0
    assert chk.result('Delete it')['changed'] is True
    assert task_exists(sim, '1007')


def test_project_member_cannot_delete(fresh_simulator):
    sim = fresh_simulator
    alice = sim.env('ico', user='alice')
    res = run_playbook('playbooks/ico/delete.yml', extra_vars={'task_id': FINANCE_COMPLETED}, env=alice,
                       expect_failure=True)
    result = res.result('Delete the task')
    assert res.record('Delete the task')['status'] == 'failed'
    assert 'admin role' in result['msg'] and 'alice' in result['msg'] and FINANCE_COMPLETED in result['msg']
    assert result['error']['status'] in (401, 403)
    assert task_exists(sim, FINANCE_COMPLETED)

    # Check mode only reads, so it cannot hear the refusal; it predicts and sends nothing.
    chk = check_replay(sim, 'playbooks/ico/delete.yml', {'task_id': FINANCE_COMPLETED}, env=alice)
    assert chk.result('Delete the task')['changed'] is True


def test_cross_project_visibility(fresh_simulator):
    sim = fresh_simulator
    admin = run_playbook('playbooks/ico/visibility.yml', env=sim.env('ico'),
                         extra_vars={'project_filter': 'finance', 'user_filter': 'alice', 'task_id': ENGINEERING_COMPLETED})
    every = admin.result('Every visible task')['tasks']
    assert {t['project'] for t in every} == {'admin', 'finance', 'engineering'}
    failed = admin.result('Failed tasks of one project, updated since 2026')['tasks']
    assert [t['id'] for t in failed] == [FINANCE_FAILED]
    assert admin.result('Failed tasks of one project, updated since 2026')['seen'] == len(every)
    assert {t['user'] for t in admin.result('Tasks of one user with one event topic pattern')['tasks']} == {'alice'}
    assert admin.result('One task by id')['tasks'][0]['project'] == 'engineering'

    alice = sim.env('ico', user='alice')
    mine = run_playbook('playbooks/ico/visibility.yml', env=alice, expect_failure=True,
                        extra_vars={'project_filter': 'finance', 'user_filter': 'bob', 'task_id': ENGINEERING_COMPLETED})
    seen = mine.result('Every visible task')['tasks']
    assert seen and {t['project'] for t in seen} == {'finance'}
    assert [t['id'] for t in mine.result('Failed tasks of one project, updated since 2026')['tasks']] == [FINANCE_FAILED]
    assert mine.result('Tasks of one user with one event topic pattern')['tasks'] == []
    # Another project's task does not exist for alice; the failure names the id.
    assert mine.record('One task by id')['status'] == 'failed'
    assert "'%s' not found" % ENGINEERING_COMPLETED in mine.result('One task by id')['msg']
    assert changes_sent(sim) == {}
    check_replay(sim, 'playbooks/ico/visibility.yml', env=alice, expect_failure=True,
                 extra_vars={'project_filter': 'finance', 'user_filter': 'bob', 'task_id': ENGINEERING_COMPLETED})


def test_wait_for_status_follows_a_process(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook('playbooks/ico/wait.yml', env=sim.env('ico'),
                       extra_vars={'parm': {'processName': 'Deploy'}, 'statuses': ['COMPLETED']})
    task = res.result('Start and follow it')['task']
    assert task['status'] == 'COMPLETED' and task['error_message'].startswith('CTJCO0002I')
    assert changes_sent(sim) == {'POST /orchestrator/v2/tasks': 1}
    assert sim.counters()['routes']['GET /orchestrator/v2/tasks/<task_id>'] >= 2
    chk = check_replay(sim, 'playbooks/ico/wait.yml',
                       {'parm': {'processName': 'Deploy'}, 'statuses': ['COMPLETED']})
    assert chk.result('Start and follow it')['changed'] is True


def test_wait_for_status_fails_on_another_final_status(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook('playbooks/ico/wait.yml', env=sim.env('ico'), expect_failure=True,
                       extra_vars={'parm': {'simulate': 'fail'}, 'statuses': ['COMPLETED']})
    result = res.result('Start and follow it')
    assert 'reached FAILED, not one of COMPLETED' in result['msg'] and 'CTJCO0003E' in result['msg']
    assert result['task']['status'] == 'FAILED'


def test_wait_for_an_intermediate_status(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook('playbooks/ico/wait.yml', env=sim.env('ico'),
                       extra_vars={'parm': {'processName': 'Deploy'}, 'statuses': ['running']})
    assert res.result('Start and follow it')['task']['status'] == 'RUNNING'


def test_expand_service_instance(fresh_simulator):
    sim = fresh_simulator
    res = run_playbook('playbooks/ico/expand.yml', env=sim.env('ico'), extra_vars={'task_id': FINANCE_COMPLETED})
    expanded = res.result('One task with its service instance')['tasks'][0]
    assert expanded['service_instance']['id'] == expanded['service_instance_id'] == 'si-fin-0001'
    assert expanded['service_instance']['name'] == 'fin-app-01'
    assert 'service_instance' not in res.result('The same task without it')['tasks'][0]
    listed = res.result('The whole list with service instances')['tasks']
    assert all('service_instance' in t for t in listed if t.get('service_instance_id'))
    assert all('service_instance' not in t for t in listed if not t.get('service_instance_id'))
    assert changes_sent(sim) == {}
    check_replay(sim, 'playbooks/ico/expand.yml', {'task_id': FINANCE_COMPLETED})


def test_lost_create_answer_is_not_posted_again(fresh_simulator):
    sim = fresh_simulator
    sim.faults({'route': '/orchestrator/v2/tasks', 'method': 'POST', 'kind': 'reset_after', 'count': 1})
    res = run_playbook('playbooks/ico/wait.yml', env=sim.env('ico'),
                       extra_vars={'parm': {'processName': 'Lost answer'}, 'statuses': ['COMPLETED']})
    task = res.result('Start and follow it')['task']
    assert task['status'] == 'COMPLETED' and task['parm'] == {'processName': 'Lost answer'}
    assert [f['fired'] for f in sim.admin('GET', 'faults')['faults']] == [1], 'the fault did not fire'
    # The server acted on the one POST; the module found that task instead of creating a second one.
    assert changes_sent(sim) == {'POST /orchestrator/v2/tasks': 1}
    listing = run_playbook('playbooks/ico/expand.yml', env=sim.env('ico'), extra_vars={'task_id': task['id']})
    same = [t for t in listing.result('The whole list with service instances')['tasks']
            if t.get('parm') == {'processName': 'Lost answer'}]
    assert [t['id'] for t in same] == [task['id']]
