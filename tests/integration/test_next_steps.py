# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Failures that say what to do next, true to who caused them: a task id ICO does not know (for its administrator,
who sees every project, and for a project member), and an id a server sent that no request can address (the user
never gave it, so "check the value" is no next step)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile

from _harness import run_playbook

ICO_MISSING = '999999'
ICO_OTHER_PROJECT = '1008'  # bob's task in another project than alice's (simulator/ico_catalog.py)


def play(sim, product, name, module, args, user=None):
    """One task of ``module`` with ``args`` under ignore_errors; its result."""
    body = [{'name': name, 'cloudops.orchestrator.%s' % module: args, 'ignore_errors': True}]
    tmp = tempfile.mkdtemp()
    try:
        path = os.path.join(tmp, 'next.yml')
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump([{'name': 'Next steps', 'hosts': 'localhost', 'gather_facts': False, 'tasks': body}], handle)
        res = run_playbook(path, env=sim.env(product, user=user))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    record = res.record(name)
    assert record['status'] == 'ignored', record
    return record['result']


def test_ico_404_for_the_admin_says_to_check_the_id(fresh_simulator):
    sim = fresh_simulator
    assert sim.user('ico')[0] == 'admin'
    result = play(sim, 'ico', 'read', 'orch_task_info', {'id': ICO_MISSING})
    msg = result['msg']
    assert "task '%s' not found" % ICO_MISSING in msg and '\n' not in msg, msg
    # The admin sees every project: the id is wrong or the task is gone, never "non-admin users only see ...".
    assert 'non-admin' not in msg and 'set project' not in msg, msg
    assert 'check the id' in msg and 'deleted' in msg and 'orch_task_info' in msg, msg


def test_ico_404_for_a_project_member_says_the_task_may_be_in_another_project(fresh_simulator):
    sim = fresh_simulator
    result = play(sim, 'ico', 'read', 'orch_task_info', {'id': ICO_OTHER_PROJECT}, user='alice')
    msg = result['msg']
    project = sim.users['ico']['alice']['project']
    assert "task '%s' not found" % ICO_OTHER_PROJECT in msg and '\n' not in msg, msg
    assert 'check the id' in msg and "own project ('%s')" % project in msg, msg
    assert 'set project to that one or use an account with the admin role' in msg, msg


def test_a_server_sent_id_that_leaves_its_segment_is_refused_as_the_servers(fresh_simulator):
    sim = fresh_simulator
    # The workflow list names the workflow by an id (in its link's attributes list) that no URL can carry.
    listing = {'link': [{'rel': 'down', 'href': sim.url + '/vco/api/workflows/x/', 'attributes': [
        {'name': 'id', 'value': '../../tokens'}, {'name': 'name', 'value': 'Echo'},
        {'name': 'categoryName', 'value': 'Library'}]}], 'total': 1}
    sim.faults({'route': '/vco/api/workflows', 'method': 'GET', 'kind': 'body', 'body': listing})
    result = play(sim, 'vro', 'run', 'vro_workflow_run', {'workflow_name': 'Echo', 'inputs': {'str': 'x'}})
    msg = result['msg']
    assert "'../../tokens'" in msg and '\n' not in msg, msg
    assert 'check the value' not in msg and 'the server sent' in msg, msg
    assert "product's own interface" in msg, msg
    paths = [entry['path'] for entry in sim.admin('GET', 'requests')['requests']]
    assert not any('tokens' in path or '..' in path for path in paths), paths
