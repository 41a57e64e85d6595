# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A password in an ICO task's parm never shows in a -vvv run with diffs, and still decides "changed"."""

from __future__ import annotations

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
