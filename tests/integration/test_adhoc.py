# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ad-hoc use, as the README shows it: `ansible localhost -m cloudops.orchestrator.<module> -a ...` with the
connection taken from VRO_* environment variables."""

from __future__ import annotations

import json
import os
import subprocess

from _harness import PYTHON, ensure_playbook_collection, venv_bin


def adhoc(sim, module, args):
    """Run one module ad hoc against localhost; return (rc, parsed result, raw output)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(('VRO_', 'VCF_', 'ICO_', 'ANSIBLE_'))}
    env.update(sim.env('vro'))
    env.update(ANSIBLE_COLLECTIONS_PATH=str(ensure_playbook_collection()), ANSIBLE_PYTHON_INTERPRETER=PYTHON,
               ANSIBLE_NOCOLOR='1', ANSIBLE_LOCALHOST_WARNING='false', ANSIBLE_INVENTORY_UNPARSED_WARNING='false')
    proc = subprocess.run([venv_bin('ansible'), 'localhost', '-m', 'cloudops.orchestrator.' + module, '-a', args],
                          env=env, capture_output=True, text=True, timeout=300, check=False, stdin=subprocess.DEVNULL)
    out = proc.stdout
    assert '=>' in out, 'no module result in the output:\n%s\n%s' % (out, proc.stderr)
    result = json.loads(out.split('=>', 1)[1])
    password = sim.env('vro')['VRO_PASSWORD']
    assert password not in out and password not in proc.stderr
    return proc.returncode, result, out


def test_adhoc_run_then_read_the_run(simulator):
    rc, started, out = adhoc(simulator, 'vro_workflow_run', '{"workflow_name": "AWSNEW", "inputs": {"name": "adhoc01"}}')
    assert rc == 0 and out.startswith('localhost | CHANGED'), out
    assert started['state'] == 'completed'

    rc, info, out = adhoc(simulator, 'vro_execution_info',
                          'workflow_name=AWSNEW execution_id=%s' % started['execution_id'])
    assert rc == 0 and out.startswith('localhost | SUCCESS'), out
    assert info['state'] == 'completed'
    assert info['inputs'] == {'name': 'adhoc01'}
    assert info['outputs'] == started['outputs']


def test_adhoc_list_runs_and_report_errors(simulator):
    # A completed run of its own: the simulator seeds none, and which tests shared this worker's simulator is not fixed.
    rc, started, out = adhoc(simulator, 'vro_workflow_run', '{"workflow_name": "AWSNEW", "inputs": {"name": "adhoc02"}}')
    assert rc == 0 and started['state'] == 'completed', out
    rc, listed, _out = adhoc(simulator, 'vro_execution_info', 'workflow_name=AWSNEW state=completed max_results=3')
    assert rc == 0
    assert 1 <= listed['count'] <= 3
    assert {e['state'] for e in listed['executions']} == {'completed'}

    rc, failed, out = adhoc(simulator, 'vro_execution_info', 'workflow_name="No such workflow"')
    assert rc != 0 and 'localhost | FAILED' in out, out
    assert 'No such workflow' in failed['msg']
