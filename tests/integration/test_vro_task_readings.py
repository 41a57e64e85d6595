# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vro_task updates under every reading of POST /tasks/{id} that the evidence leaves open (simulator/README.md, quirk
table): the body merged into the task or replacing it, and a null that removes, is refused (400) or is ignored. Under
each, an update keeps what the user did not ask to change, removing an end date and pattern works, and a second run
changes nothing."""

from __future__ import annotations

import json

import pytest
import requests

from _harness import run_playbook

AWSNEW_ID = '3a0ab069-cf2f-47e0-96f5-4a8920a5dc51'
START = '2031-01-01T02:00:00.000Z'
END = '2031-06-01T02:00:00.000Z'
NAME = 'nightly web'

# The readings: the body merged (default) or replacing the task; null removing (default), refused or ignored.
READINGS = [(), ('vro-task-update-replaces',), ('vro-task-null-refused',), ('vro-task-null-kept',),
            ('vro-task-null-refused', 'vro-task-update-replaces')]


def removal_writes(quirks):
    """The writes that removing the end date and pattern takes on a server playing ``quirks``: one update (null), or
    after a 400 to the null one more without it; then, on a server that still keeps them (it merges), a new task
    and the deletion of the old one."""
    refused, replaces = 'vro-task-null-refused' in quirks, 'vro-task-update-replaces' in quirks
    kept = not replaces and (refused or 'vro-task-null-kept' in quirks)
    expected = {'POST /vco/api/tasks/<tid>': 2 if refused else 1}
    if kept:
        expected.update({'POST /vco/api/tasks': 1, 'DELETE /vco/api/tasks/<tid>': 1})
    return expected


def simulator(fresh_simulator, simulator_factory, quirks):
    if not quirks:
        return fresh_simulator
    return simulator_factory(*[arg for name in quirks for arg in ('--quirk', name)])


def vro(sim, method, path, **kwargs):
    name, entry = sim.user('vro')
    response = requests.request(method, sim.url + '/vco/api' + path, auth=(name, entry['password']), timeout=30,
                                verify=sim.ca_path, headers={'Accept': 'application/json'}, **kwargs)
    assert response.status_code < 400, response.text
    return response.json() if response.content else None


def the_task(sim):
    """The one task named NAME, read back in full."""
    ids = [a['value'] for link in vro(sim, 'GET', '/tasks/')['relations']['link'] for a in link['attributes']
           if a['name'] == 'id' and {b['name']: b['value'] for b in link['attributes']}['name'] == NAME]
    assert len(ids) == 1, ids
    return vro(sim, 'GET', '/tasks/%s/' % ids[0])


def writes(sim):
    sent = {}
    for route, n in sim.counters().get('routes', {}).items():
        method, path = (route.split(' ', 1) + [''])[:2]
        if n and method in ('POST', 'PUT', 'PATCH', 'DELETE') and path.startswith('/vco/api/'):
            key = '%s %s' % (method, path.rstrip('/'))
            sent[key] = sent.get(key, 0) + n
    return sent


def play(tmp_path, name, args):
    """A playbook of one vro_task task run twice (``first`` and ``again``)."""
    task = dict({'name': NAME, 'workflow_name': 'AWSNEW'}, **args)
    path = tmp_path / ('%s.yml' % name)
    path.write_text(json.dumps([{'name': name, 'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'first', 'cloudops.orchestrator.vro_task': task},
        {'name': 'again', 'cloudops.orchestrator.vro_task': task},
    ]}]), encoding='utf-8')
    return path


@pytest.mark.parametrize('quirks', READINGS, ids=['+'.join(q) or 'default' for q in READINGS])
def test_update_keeps_what_was_not_asked_and_removes_end_and_pattern(fresh_simulator, simulator_factory, tmp_path, quirks):
    sim = simulator(fresh_simulator, simulator_factory, quirks)
    vro(sim, 'POST', '/tasks/', json={
        'name': NAME, 'workflow': {'id': AWSNEW_ID}, 'description': 'deploys web01', 'recurrence-cycle': 'every-days',
        'recurrence-start-date': START, 'recurrence-end-date': END, 'recurrence-pattern': '02:00:00',
        'start-mode': 'normal',
        'input-parameters': [{'name': 'name', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'web01'}}}]})

    # Only the start mode is asked: description, inputs, recurrence (end date and pattern too) stay as they are.
    sim.admin('DELETE', 'counters')
    res = run_playbook(play(tmp_path, 'mode', {'start_mode': 'start-in-the-past'}), env=sim.env('vro'))
    first, again = res.result('first'), res.result('again')
    assert first['changed'] is True and first['differences'] == ['start_mode']
    assert again['changed'] is False, again
    assert writes(sim) == {'POST /vco/api/tasks/<tid>': 1}
    task = the_task(sim)
    assert task['start-mode'] == 'start-in-the-past' and task['description'] == 'deploys web01'
    assert task['input-parameters'][0]['value'] == {'string': {'value': 'web01'}}
    assert task['recurrence-cycle'] == 'every-days' and task['recurrence-pattern'] == '02:00:00'
    assert task['recurrence-end-date'].startswith('2031-06-01T02:00:00')
    assert again['task']['inputs'] == {'name': 'web01'} and again['task']['description'] == 'deploys web01'

    # The recurrence without end date, and pattern '' (left out, it is kept): both go, whatever the server does with null.
    sim.admin('DELETE', 'counters')
    res = run_playbook(play(tmp_path, 'removal', {'recurrence': {'cycle': 'every-days', 'start': START, 'pattern': ''}}),
                       env=sim.env('vro'))
    first, again = res.result('first'), res.result('again')
    assert first['changed'] is True and first['differences'] == ['recurrence.end', 'recurrence.pattern']
    assert again['changed'] is False, again
    # What the simulator plays: these quirks, and those of CLOUDOPS_SIM_QUIRKS (make integration-quirks).
    assert writes(sim) == removal_writes(sim.quirks)
    task = the_task(sim)
    assert 'recurrence-end-date' not in task and not task.get('recurrence-pattern')
    assert task['start-mode'] == 'start-in-the-past' and task['description'] == 'deploys web01'
    assert task['input-parameters'][0]['value'] == {'string': {'value': 'web01'}}
    assert task['recurrence-start-date'].startswith('2031-01-01T02:00:00') and task['recurrence-cycle'] == 'every-days'
    assert first['task']['id'] == task['id'] and first['task']['recurrence']['end'] is None
    assert bool(first.get('recreated')) == ('POST /vco/api/tasks' in removal_writes(sim.quirks))
