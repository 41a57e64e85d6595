# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Failures that say what to do next, true to who caused them: a task id ICO does not know (for its administrator,
who sees every project, and for a project member), an id a server sent that no request can address (the user
never gave it, so "check the value" is no next step), and an HTML error page (a proxy's, or ICO's application
server's own: WebSphere/Liberty "Error 500: <exception>")."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from http.server import BaseHTTPRequestHandler

from _harness import LocalHttpServer, run_playbook

ICO_MISSING = '999999'
ICO_OTHER_PROJECT = '1008'  # bob's task in another project than alice's (simulator/ico_catalog.py)


def play(sim, product, name, module, args, user=None, env=None):
    """One task of ``module`` with ``args`` under ignore_errors; its result."""
    body = [{'name': name, 'cloudops.orchestrator.%s' % module: args, 'ignore_errors': True}]
    tmp = tempfile.mkdtemp()
    try:
        path = os.path.join(tmp, 'next.yml')
        with open(path, 'w', encoding='utf-8') as handle:
            json.dump([{'name': 'Next steps', 'hosts': 'localhost', 'gather_facts': False, 'tasks': body}], handle)
        res = run_playbook(path, env=env or sim.env(product, user=user))
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


# WebSphere / Open Liberty answer an exception with "Error 500: <exception>" as text/html (OpenLiberty/openliberty.io#2517;
# open-liberty#16118: the web container sets text/html on an error).
LIBERTY_500 = b'Error 500: javax.servlet.ServletException: java.lang.NullPointerException'


class _IcoFailingItself(BaseHTTPRequestHandler):
    """ICO whose application server fails every request with its own HTML error page."""

    def do_GET(self):  # noqa: N802 pylint: disable=invalid-name
        self.send_response(500)
        self.send_header('Content-Type', 'text/html;charset=ISO-8859-1')
        self.send_header('Content-Length', str(len(LIBERTY_500)))
        self.end_headers()
        self.wfile.write(LIBERTY_500)

    def log_message(self, *args):
        return


def test_icos_own_html_500_is_not_called_a_proxy_error(fresh_simulator):
    with LocalHttpServer(_IcoFailingItself) as server:
        env = dict(fresh_simulator.env('ico'), ICO_URL=server.url)
        result = play(fresh_simulator, 'ico', 'read', 'orch_task_info', {}, env=env)
    msg = result['msg']
    assert 'HTTP 500' in msg and '\n' not in msg, msg
    assert 'proxy or load balancer error' not in msg and "application server's own ('Error 500: javax.servlet" in msg, msg
    assert "look in the product's server logs" in msg, msg


def test_a_proxys_html_500_is_called_a_proxys(fresh_simulator):
    sim = fresh_simulator
    # The simulator's html fault is nginx's page ("<hr><center>nginx</center>").
    sim.faults({'route': '/orchestrator/v2/tasks', 'method': 'GET', 'kind': 'html', 'status': 500})
    result = play(sim, 'ico', 'read', 'orch_task_info', {})
    msg = result['msg']
    assert 'HTTP 500' in msg and '\n' not in msg, msg
    assert "the page is a proxy's or load balancer's (nginx)" in msg and 'reachable from that proxy' in msg, msg
