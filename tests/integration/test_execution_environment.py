# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""meta/execution-environment.yml: ansible-builder accepts it (create writes the build context; no container engine
is needed) and finds the collection's requirements by introspection, as it does inside an EE build."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from _harness import REPO_ROOT, venv_bin

EE_FILE = REPO_ROOT / 'meta' / 'execution-environment.yml'


def builder(*args):
    try:
        binary = venv_bin('ansible-builder')
    except FileNotFoundError:
        pytest.skip('ansible-builder is not installed (requirements/tools.txt)')
    proc = subprocess.run([binary] + list(args), capture_output=True, text=True, timeout=300, check=False,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, 'ansible-builder %s failed:\n%s\n%s' % (' '.join(args), proc.stdout, proc.stderr)
    return proc.stdout


def requirement_lines(path):
    return [line.strip() for line in path.read_text(encoding='utf-8').splitlines() if line.strip() and not line.startswith('#')]


def test_definition_is_version_3_with_lower_bounds_only():
    definition = yaml.safe_load(EE_FILE.read_text(encoding='utf-8'))
    assert definition['version'] == 3
    deps = definition['dependencies']
    pins = [deps['ansible_core']['package_pip'], deps['ansible_runner']['package_pip']]
    pins += requirement_lines(REPO_ROOT / 'meta' / deps['python'])
    for pin in pins:
        assert '>=' in pin and '==' not in pin and '<' not in pin, pin
    # Introspection reads the same names from the collection root: both copies must say the same.
    for name in (deps['python'], deps['system']):
        assert requirement_lines(REPO_ROOT / 'meta' / name) == requirement_lines(REPO_ROOT / name), name


def test_create_writes_the_build_context(tmp_path):
    context = tmp_path / 'context'
    builder('create', '-f', str(EE_FILE), '--context', str(context), '--output-filename', 'Containerfile')
    containerfile = (context / 'Containerfile').read_text(encoding='utf-8')
    assert 'quay.io/centos/centos:stream9' in containerfile
    assert 'ansible-core>=2.19.0' in containerfile and 'ansible-runner>=2.4.0' in containerfile
    assert requirement_lines(context / '_build' / 'requirements.txt') == ['requests>=2.25.0']
    assert requirement_lines(context / '_build' / 'bindep.txt') == ['ca-certificates [platform:rpm platform:dpkg]']
    galaxy = yaml.safe_load((context / '_build' / 'requirements.yml').read_text(encoding='utf-8'))
    assert galaxy['collections'][0]['name'] == 'cloudops.orchestrator'


def test_introspect_finds_the_collection_requirements(tmp_path):
    # A minimal installed-collection layout: what ansible-builder sees inside the image.
    root = tmp_path / 'ansible_collections' / 'cloudops' / 'orchestrator'
    (root / 'meta').mkdir(parents=True)
    for name in ('meta/execution-environment.yml', 'requirements.txt', 'bindep.txt', 'galaxy.yml'):
        shutil.copy(REPO_ROOT / name, root / name)
    out = builder('introspect', '--sanitize', str(tmp_path))
    data = yaml.safe_load(out.split('\n', 1)[1] if out.startswith('#') else out)
    assert data['python'] == ['requests>=2.25.0  # from collection cloudops.orchestrator']
    assert data['system'] == ['ca-certificates [platform:rpm platform:dpkg]  # from collection cloudops.orchestrator']
