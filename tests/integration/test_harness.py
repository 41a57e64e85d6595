# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the integration harness itself: the playbook runner, the recording callback, the simulator fixture."""

from __future__ import annotations

import os
import subprocess

import pytest
import requests

import _harness
from _harness import REPO_ROOT, PlaybookError, run_playbook

HAS_SIMULATOR = os.path.exists(os.path.join(str(REPO_ROOT), 'simulator', '__main__.py'))
needs_simulator = pytest.mark.skipif(not HAS_SIMULATOR, reason='simulator/__main__.py is not in the tree yet')


def test_run_playbook_records_every_task():
    res = run_playbook('playbooks/harness_smoke.yml', extra_vars={'greeting': 'hi'}, env={'HARNESS_PROBE': 'probe-42'})
    assert res.rc == 0
    assert res.result('Echo a variable')['ansible_facts'] == {'echoed': 'hi'}
    assert res.result('Show an environment variable')['msg'] == 'probe-42'
    assert res.record('Skipped task')['status'] == 'skipped'
    assert res.failed_results() == []
    assert res.stats['localhost']['ok'] == 3
    assert 'PLAY RECAP' in res.stdout


def test_check_mode_is_passed():
    res = run_playbook('playbooks/harness_smoke.yml', check=True)
    assert res.result('Report check mode')['msg'] is True


def test_expected_failure_is_reported():
    res = run_playbook('playbooks/harness_smoke.yml', extra_vars={'fail_reason': 'on purpose'}, expect_failure=True)
    assert res.rc != 0
    failed = res.failed_results()
    assert [r['task'] for r in failed] == ['Fail on request']
    assert failed[0]['result']['msg'] == 'asked to fail: on purpose'


def test_unexpected_failure_raises_with_output():
    with pytest.raises(PlaybookError, match='asked to fail'):
        run_playbook('playbooks/harness_smoke.yml', extra_vars={'fail_reason': 'surprise'})


def test_unexpected_success_raises():
    with pytest.raises(PlaybookError, match='failure was expected'):
        run_playbook('playbooks/harness_smoke.yml', expect_failure=True)


def test_missing_task_name_lists_tasks_that_ran():
    res = run_playbook('playbooks/harness_smoke.yml')
    with pytest.raises(KeyError, match='Echo a variable'):
        res.result('No such task')


def test_collection_is_found_from_the_working_tree():
    link = REPO_ROOT / 'build' / 'playbook' / 'ansible_collections' / 'cloudops' / 'orchestrator'
    run_playbook('playbooks/harness_smoke.yml')
    assert link.resolve() == REPO_ROOT
    assert (link / 'galaxy.yml').exists()


@needs_simulator
def test_simulator_first_line_and_env(simulator):
    assert simulator.url.startswith('https://127.0.0.1:')
    assert os.path.exists(simulator.ca_path)
    products = [(p, x) for p, x in (('vro', 'VRO'), ('vcf', 'VCF'), ('ico', 'ICO')) if simulator.users.get(p)]
    assert products, 'the simulator announced no users at all'
    for product, prefix in products:
        env = simulator.env(product)
        assert env[prefix + '_URL'] == simulator.url
        assert env[prefix + '_CA_PATH'] == simulator.ca_path
        assert env[prefix + '_USERNAME'] in simulator.users[product]
        assert env[prefix + '_PASSWORD'] == simulator.users[product][env[prefix + '_USERNAME']]['password']
    if simulator.users.get('ico'):
        assert simulator.env('ico')['ICO_DOMAIN']


@needs_simulator
def test_simulator_tls_is_verified_with_its_ca(simulator):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(simulator.url + '/_sim/counters', verify=True, timeout=10)
    assert isinstance(simulator.counters(), dict)


@needs_simulator
def test_simulator_reset_answers(fresh_simulator):
    fresh_simulator.reset()
    assert isinstance(fresh_simulator.counters(), dict)


@needs_simulator
def test_restart_keeps_data_dir(simulator_factory):
    sim = simulator_factory()
    data_dir, first_pid = sim.data_dir, sim.proc.pid
    sim.restart()
    assert sim.data_dir == data_dir
    assert sim.proc.pid != first_pid
    assert isinstance(sim.counters(), dict)


@needs_simulator
def test_playbook_reaches_simulator_with_exported_env(simulator):
    res = run_playbook('playbooks/harness_uri.yml', env=simulator.env('vcf'))
    assert res.result('Read the simulator counters over verified TLS')['status'] == 200


def test_long_tmpdir_failure_names_the_cause(tmp_path):
    # ansible-core's RPC socket path must fit in 107 bytes; a deep TMPDIR breaks every playbook before its first task.
    deep = tmp_path / ('d' * 60) / ('e' * 60)
    deep.mkdir(parents=True)
    with pytest.raises(PlaybookError, match='short TMPDIR'):
        run_playbook('playbooks/harness_smoke.yml', env={'TMPDIR': str(deep)})


def test_failures_are_not_repeated(monkeypatch):
    calls = []

    def failing_run(cmd, **kwargs):
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 2, 'fatal: something else\n', '')

    monkeypatch.setattr(_harness.subprocess, 'run', failing_run)
    with pytest.raises(PlaybookError, match='something else') as exc:
        run_playbook('playbooks/harness_smoke.yml')
    assert len(calls) == 1
    assert 'HINT' not in str(exc.value)
