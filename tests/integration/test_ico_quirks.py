# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""orch_task and orch_task_info under each reading of the ICO behaviours the evidence leaves open (issue 13): each
test runs against the default simulator and against one started with the quirk that plays the other reading."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from _harness import ico_task_list, run_playbook


def simulator(fresh_simulator, simulator_factory, quirk):
    """The default simulator (reset), or a new one started with ``--quirk quirk``."""
    return simulator_factory('--quirk', quirk) if quirk else fresh_simulator


@pytest.mark.parametrize('quirk', [None, 'ico-item-wrapped', 'ico-put-replaces', 'ico-tasks-paged', 'all'])
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


@pytest.mark.parametrize('quirks', [('ico-tasks-paged',), ('ico-tasks-paged', 'ico-item-wrapped')])
def test_a_list_answered_in_pages_is_read_whole_on_the_configured_origin(simulator_factory, quirks):
    sim = simulator_factory(*[arg for name in quirks for arg in ('--quirk', name)])
    created = sim.admin('POST', 'ico/tasks', json={'count': 17, 'parm': {'job': 'paged'}})['ids']
    expected = [t['id'] for t in ico_task_list(sim)]
    assert set(created) <= set(expected) and len(expected) > 20  # three pages of 10
    # The module is pointed at localhost; the server's next/last links name 127.0.0.1 (its own base URL).
    origin = sim.url.replace('127.0.0.1', 'localhost')
    assert origin != sim.url
    sim.admin('DELETE', 'counters')
    res = run_playbook('playbooks/ico/list.yml', env=dict(sim.env('ico'), ICO_URL=origin))
    listed = res.result('List every task')
    assert [t['id'] for t in listed['tasks']] == expected and listed['seen'] == len(expected)
    reads = [r for r in sim.admin('GET', 'requests?limit=5000')['requests'] if r['path'].startswith('/orchestrator/v2/tasks')]
    assert {r['host'] for r in reads} == {urlsplit(origin).netloc}
    # One GET per page of 10, each following with _start/_limit (the first one plain), none by the links.
    queries = [parse_qs(urlsplit(r['path']).query) for r in reads]
    assert [q.get('_start', ['0'])[0] for q in queries] == [str(n) for n in range(0, len(expected), 10)]
    assert all(q['_limit'] == ['10'] for q in queries[1:])


def test_a_create_answered_as_an_array_names_its_task(simulator_factory):
    """Quirk ico-create-answers-array: 201 with ``[task]`` and no Location (IBM: the POST's response is "Tasks
    Response"); the task in the array is the one made, taken without listing every task to guess it."""
    sim = simulator_factory('--quirk', 'ico-create-answers-array')
    sim.admin('DELETE', 'counters')
    res = run_playbook('playbooks/ico/create.yml', env=sim.env('ico'))
    result = res.result('Create a task')
    assert result['changed'] is True and result['task']['id']
    assert not [w for w in result.get('warnings', []) if 'named no task' in w], result['warnings']
    reads = [r for r in sim.admin('GET', 'requests?limit=5000')['requests']
             if r['method'] == 'GET' and r['path'].rstrip('/') == '/orchestrator/v2/tasks']
    assert not reads
