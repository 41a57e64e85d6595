# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""orch_task and orch_task_info under each reading of the ICO behaviours the evidence leaves open (issue 13): each
test runs against the default simulator and against one started with the quirk that plays the other reading."""

from __future__ import annotations

import pytest

from _harness import run_playbook


def simulator(fresh_simulator, simulator_factory, quirk):
    """The default simulator (reset), or a new one started with ``--quirk quirk``."""
    return simulator_factory('--quirk', quirk) if quirk else fresh_simulator


@pytest.mark.parametrize('quirk', [None, 'ico-item-wrapped', 'ico-put-replaces', 'all'])
def test_lists_are_read_and_a_partial_update_keeps_the_rest_of_the_task(fresh_simulator, simulator_factory, quirk):
    sim = simulator(fresh_simulator, simulator_factory, quirk)
    res = run_playbook('playbooks/ico/quirks.yml', env=sim.env('ico'))
    listed = res.result('List every task')['tasks']
    assert len(listed) >= 8 and all(t.get('id') and t.get('status') for t in listed)
    assert '1010' in {t['id'] for t in listed}
    assert res.result('Change only the delay')['diff'] == {'before': {'delayInSeconds': 0}, 'after': {'delayInSeconds': 5}}
    task = res.result('Read it back')['tasks'][0]
    assert task['delay_in_seconds'] == 5
    assert task['parm'] == {'action': 'restart', 'pattern': 'web-tier'}
    assert task['service_instance_id'] and task['event_topic']


@pytest.mark.parametrize('quirk', [None, 'ico-fqdn-required'])
def test_a_create_refused_for_lack_of_the_fqdn_says_so(fresh_simulator, simulator_factory, quirk):
    sim = simulator(fresh_simulator, simulator_factory, quirk)
    res = run_playbook('playbooks/ico/create.yml', env=sim.env('ico'), expect_failure=bool(quirk))
    result = res.result('Create a task')
    if not quirk:
        assert result['changed'] is True and result['task']['id']
        return
    # The simulator serves on 127.0.0.1: the message says to use the server's FQDN in url.
    assert 'FQDN' in result['msg'] and '127.0.0.1' in result['msg']
    assert result['error']['status'] == 403
