# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The install routes besides Galaxy that getting_started.rst documents -- the tarball of ``make build`` through a
``requirements.yml``, and a git URL -- and the simulator started from the installed copy the way simulator.rst says
(``PYTHONPATH=<collection> python -m simulator``, from any directory), not from the repository root."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import time

import pytest
import requests

from _harness import PYTHON, REPO_ROOT, venv_bin

DOCS = REPO_ROOT / 'docs' / 'docsite' / 'rst'


def _run(cmd, **kwargs):
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, timeout=300, **kwargs)
    assert proc.returncode == 0, '%s failed (rc=%d):\n%s%s' % (' '.join(str(c) for c in cmd), proc.returncode, proc.stdout, proc.stderr)
    return proc


@pytest.fixture(name='tarball', scope='module')
def tarball_fixture(tmp_path_factory):
    """What `make build` does: a copy of the tree (tools/sync_tree.py), then ansible-galaxy collection build."""
    root = tmp_path_factory.mktemp('build')
    collection = root / 'ansible_collections' / 'cloudops' / 'orchestrator'
    _run([PYTHON, str(REPO_ROOT / 'tools' / 'sync_tree.py'), str(REPO_ROOT), str(collection)])
    _run([venv_bin('ansible-galaxy'), 'collection', 'build', '--force', '--output-path', str(root / 'dist')], cwd=str(collection))
    found = sorted((root / 'dist').glob('cloudops-orchestrator-*.tar.gz'))
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(name='installed', scope='module')
def installed_fixture(tarball, tmp_path_factory):
    """The tarball installed with a requirements.yml (``type: file``), as getting_started.rst shows it."""
    root = tmp_path_factory.mktemp('installed')
    requirements = root / 'requirements.yml'
    requirements.write_text('collections:\n  - name: %s\n    type: file\n' % tarball, encoding='utf-8')
    _run([venv_bin('ansible-galaxy'), 'collection', 'install', '--offline', '-r', str(requirements), '-p', str(root / 'collections')])
    return root / 'collections' / 'ansible_collections' / 'cloudops' / 'orchestrator'


def test_the_documented_routes_are_on_the_pages():
    guide = (DOCS / 'getting_started.rst').read_text(encoding='utf-8')
    assert 'ansible-galaxy collection install build/dist/cloudops-orchestrator-*.tar.gz' in guide
    assert 'ansible-galaxy collection install git+https://github.com/cloudops/orchestrator.git' in guide
    assert 'type: file' in guide and 'type: git' in guide
    simulator = (DOCS / 'simulator.rst').read_text(encoding='utf-8')
    assert 'PYTHONPATH="$COLL" python3 -m simulator' in simulator
    assert 'It is not part of the installed collection' not in simulator


def test_tarball_installs_with_requirements_yml_and_ships_the_simulator(installed):
    assert (installed / 'MANIFEST.json').is_file()
    assert (installed / 'plugins' / 'modules' / 'vro_workflow_run.py').is_file()
    assert (installed / 'simulator' / '__main__.py').is_file() and (installed / 'simulator' / 'README.md').is_file()
    assert not (installed / 'tools').exists()  # build_ignore: with_simulator.py stays in the repository
    assert not list(installed.rglob('__pycache__'))


def test_simulator_starts_from_the_installed_collection(installed, tmp_path):
    workdir = tmp_path / 'elsewhere'  # not the repository root: `python -m simulator` must find the installed copy
    workdir.mkdir()
    env = dict(os.environ, PYTHONPATH=str(installed), PYTHONUNBUFFERED='1')
    env.pop('SIM_ADMIN_TOKEN', None)
    where = _run([PYTHON, '-c', 'import simulator; print(simulator.__file__)'], cwd=str(workdir), env=env)
    assert where.stdout.strip() == str(installed / 'simulator' / '__init__.py')

    data_dir = tmp_path / 'sim-data'
    # pylint: disable-next=consider-using-with
    proc = subprocess.Popen([PYTHON, '-m', 'simulator', '--port', '0', '--data-dir', str(data_dir)], cwd=str(workdir),
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        line = ''
        while not line.lstrip().startswith('{'):
            assert time.monotonic() < deadline, 'no first line from the installed simulator'
            if select.select([proc.stdout], [], [], 1)[0]:
                line = proc.stdout.readline()
                assert line, 'the installed simulator exited (rc=%s)' % proc.wait()
        info = json.loads(line)
        assert info['ca_path'] == str(data_dir / 'ca.pem') and info['admin_token']
        password = info['users']['vro']['vcoadmin']['password']
        answer = requests.get(info['url'] + '/vco/api/workflows', params={'conditions': 'name=AWSNEW'}, auth=('vcoadmin', password),
                              headers={'Accept': 'application/json'}, verify=info['ca_path'], timeout=30)
        assert answer.status_code == 200 and answer.json()['total'] == 1
        refused = requests.get(info['url'] + '/_sim/counters', verify=info['ca_path'], timeout=30)
        assert refused.status_code == 401
        counters = requests.get(info['url'] + '/_sim/counters', headers={info.get('admin_header', 'X-Sim-Admin-Token'): info['admin_token']},
                                verify=info['ca_path'], timeout=30)
        assert counters.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def test_git_url_installs_the_collection(tmp_path):
    if not shutil.which('git') or subprocess.run(['git', '-C', str(REPO_ROOT), 'rev-parse', 'HEAD'], capture_output=True,
                                                 check=False).returncode:
        pytest.skip('not a git checkout')
    commit = _run(['git', '-C', str(REPO_ROOT), 'rev-parse', 'HEAD']).stdout.strip()
    _run([venv_bin('ansible-galaxy'), 'collection', 'install', 'git+file://%s,%s' % (REPO_ROOT, commit), '-p', str(tmp_path)])
    installed = tmp_path / 'ansible_collections' / 'cloudops' / 'orchestrator'
    assert json.loads((installed / 'MANIFEST.json').read_text(encoding='utf-8'))['collection_info']['name'] == 'orchestrator'
    assert (installed / 'plugins' / 'modules' / 'vcf_task_retry.py').is_file()
    assert (installed / 'simulator' / '__main__.py').is_file()
