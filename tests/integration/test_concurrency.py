# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Twenty forks run the modules in parallel against one simulator: the same workflow and different ones, ICO and VCF
too. Every host gets its own results (no cross-talk), every run is its own, no module leaves a temporary file, and
nothing fails."""

from __future__ import annotations

import os
import shutil
import tempfile

from _harness import run_playbook

ECHO = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
AWSNEW = '3a0ab069-cf2f-47e0-96f5-4a8920a5dc51'
SLEEP = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002'


def test_twenty_forks_no_cross_talk(fresh_simulator):
    sim = fresh_simulator
    sim.admin('PUT', 'settings', json={'ico_status_step_seconds': 1})
    # Not tmp_path: under xdist it is too deep for the Unix socket ansible-core binds under TMPDIR (107 bytes).
    scratch = tempfile.mkdtemp(prefix='forks-')
    env = dict(sim.all_env(), ANSIBLE_FORKS='20', TMPDIR=scratch)
    res = run_playbook('playbooks/concurrency/forks.yml', env=env, timeout=900)
    assert res.failed_results() == []
    by_host = {}
    for record in res.results:
        if record['host'].startswith('w') and record['status'] == 'ok':
            by_host.setdefault(record['host'], {})[record['task']] = record['result']
    assert sorted(by_host) == ['w%02d' % i for i in range(1, 21)]

    execution_ids = []
    for host, tasks in by_host.items():
        index = int(host[1:])
        if index <= 10:
            run = tasks['The same workflow on ten hosts']
            assert run['state'] == 'completed'
            assert (run['outputs']['out_str'], run['outputs']['out_num'], run['outputs']['out_tags']) == (
                host, index, [host, str(index)]), '%s got another host\'s run: %r' % (host, run['outputs'])
            assert run['inputs']['str'] == host
            execution_ids.append(run['execution_id'])
        elif index <= 15:
            aws = tasks['Another workflow on five hosts']
            assert aws['state'] == 'completed' and aws['inputs'] == {'name': host}
            execution_ids.append(aws['execution_id'])
        else:
            batch = tasks['A batch of two runs of a third workflow on five hosts']['executions']
            assert [e['state'] for e in batch] == ['completed', 'completed']
            assert [e['inputs']['seconds'] for e in batch] == [1, 1.5]
            execution_ids += [e['execution_id'] for e in batch]
        ico = tasks['Create and follow an ICO task']['task']
        assert ico['status'] == 'COMPLETED' and ico['parm'] == {'job': host}
        assert tasks['Read a VCF task']['tasks'][0]['id'] == '7a5e0004-5e1f-4c0d-9a11-000000000004'

    # Every run reported is its own, and the server holds exactly the runs that were asked for.
    assert len(execution_ids) == len(set(execution_ids)) == 10 + 5 + 10
    runs = {wid: sim.admin('GET', 'vro/runs?workflow=%s&limit=100' % wid)['runs'] for wid in (ECHO, AWSNEW, SLEEP)}
    assert (len(runs[ECHO]), len(runs[AWSNEW]), len(runs[SLEEP])) == (10, 5, 10)
    assert sorted(r['id'] for rs in runs.values() for r in rs) == sorted(execution_ids)
    instance_ids = {by_host['w%02d' % i]['Another workflow on five hosts']['outputs']['instanceId'] for i in range(11, 16)}
    assert len(instance_ids) == 5
    ico_ids = [by_host[h]['Create and follow an ICO task']['task']['id'] for h in by_host]
    assert len(set(ico_ids)) == 20

    # No module left a temporary file behind (ansible's own per-task directories live elsewhere and are removed).
    left = sorted(os.listdir(scratch))
    shutil.rmtree(scratch, ignore_errors=True)
    assert left == []
