# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A password in an ICO task's parm never shows in a -vvv run with diffs, and still decides "changed"."""

from __future__ import annotations

import json

from _harness import run_playbook

FIRST = 'Parm-pass-0ne!'
SECOND = 'Parm-pass-tw0!'


def test_a_parm_password_is_compared_but_never_shown_at_vvv(fresh_simulator):
    sim = fresh_simulator
    env = dict(sim.env('ico'), ANSIBLE_DIFF_ALWAYS='true')
    res = run_playbook('playbooks/ico/secret_parm.yml', extra_vars={'first_password': FIRST, 'second_password': SECOND},
                       env=env, verbosity=3)
    output = res.stdout + res.stderr + res.module_log
    for line in output.splitlines():
        assert FIRST not in line and SECOND not in line, line[:600]
    created = res.result('Create a task with a password')
    assert created['changed'] is True and created['task']['parm']['db_password'] == '********'
    assert created['diff']['after']['parm']['db_password'] == '********'
    assert res.result('The same password again')['changed'] is False
    changed = res.result('A new password')
    assert changed['changed'] is True
    assert changed['diff']['before']['parm']['db_password'] == '********'
    assert changed['diff']['after']['parm']['db_password'] == '******** (changed)'
    assert res.result('Read it')['tasks'][0]['raw']['parm']['db_password'] == '********'
    assert res.result('Delete it')['diff']['before']['parm']['db_password'] == '********'
    # The server holds the real new password (the comparison used real values, the PUT sent one).
    assert sim.counters().get('routes', {}).get('PUT /orchestrator/v2/tasks/<task_id>') == 1


# Held by the server only: a module run by id without it learns it from the task read. A quote, so that a body echoing
# the task as JSON quotes it escaped (\") as well as plain.
HELD = 'Held-"pass"-0ne'


def test_a_password_held_by_the_server_is_masked_in_the_error_texts_of_a_run_by_id_without_it(fresh_simulator):
    """An update without parm and a delete, each refused (409) with a body that quotes the task's password plainly and
    JSON-escaped: neither the failure messages nor anything else at -vvv shows it."""
    sim = fresh_simulator
    echo = json.dumps({'id': 'x', 'parm': {'host': 'db1.example.com', 'db_password': HELD}})
    for method in ('PUT', 'DELETE'):
        sim.faults({'route': '/orchestrator/v2/tasks/*', 'method': method, 'kind': 'body', 'status': 409, 'count': 1,
                    'body': {'error_message': 'CTJCO0409E: task in use by db_password %s: %s' % (HELD, echo)}})
    res = run_playbook('playbooks/ico/held_secret_errors.yml', extra_vars={'held_password': HELD},
                       env=dict(sim.env('ico'), ANSIBLE_DIFF_ALWAYS='true'), verbosity=3)
    failures = [r for r in res.results if r['task'] in ('Change the topic only', 'Delete it')]
    assert [r['status'] for r in failures] == ['ignored', 'ignored']
    for failed in failures:
        assert 'HTTP 409' in failed['result']['msg'] and '********' in failed['result']['msg'], failed['result']['msg']
    forms = (HELD, json.dumps(HELD)[1:-1])
    output = res.stdout + res.stderr + res.module_log + json.dumps(res.results)
    for line in output.splitlines():
        assert not any(form in line for form in forms), line[:600]
    assert sum(f['fired'] for f in sim.admin('GET', 'faults')['faults']) == 2


def test_a_server_that_masks_secrets_on_read_and_replaces_on_put_keeps_the_users_secrets(simulator_factory):
    """ico-secrets-masked-on-read with ico-put-replaces: a PUT sent for another field carries the user's whole parm, so
    that the stored task keeps both passwords (one in a list); the masked values count as unchanged (the same parm
    again is no change); a PUT without parm warns that parm is left out. No output shows a password."""
    sim = simulator_factory('--quirk', 'ico-secrets-masked-on-read', '--quirk', 'ico-put-replaces')
    res = run_playbook('playbooks/ico/masked_on_read.yml', extra_vars={'first_password': FIRST, 'second_password': SECOND},
                       env=dict(sim.env('ico'), ANSIBLE_DIFF_ALWAYS='true'), verbosity=3)
    output = res.stdout + res.stderr + res.module_log + json.dumps(res.results)
    for line in output.splitlines():
        assert FIRST not in line and SECOND not in line, line[:600]
    task_id = res.result('Create a task with passwords')['task']['id']
    moved = res.result('Another topic with the same parm')
    assert moved['changed'] is True and moved['msg'].endswith(': eventTopic'), moved['msg']
    assert any('masked' in w and 'parm.db_password' in w and 'parm.replicas[0].password' in w for w in moved['warnings'])
    again = res.result('The same parm again')
    assert again['changed'] is False, again['msg']
    stored = sim.admin('GET', 'ico/tasks/%s' % task_id)
    assert stored['eventTopic'] == 'com/ibm/orchestrator/other'
    assert stored['parm'] == {'host': 'db1.example.com', 'db_password': FIRST,
                              'replicas': [{'host': 'db2.example.com', 'password': SECOND}]}
    # Without parm the PUT cannot carry it (its secrets are only known masked): said so, never sent as asterisks.
    res = run_playbook('playbooks/ico/delay_without_parm.yml', extra_vars={'task_id': task_id}, env=sim.env('ico'),
                       verbosity=3)
    delay = res.result('A delay without parm')
    assert delay['changed'] is True and any('parm left out of the update' in w for w in delay['warnings'])
    assert '********' not in json.dumps(sim.admin('GET', 'ico/tasks/%s' % task_id))
