# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Seed ansible-test's pip bootstrap cache so that `ansible-test --venv` works without its download host.

Reads the pip version that the ansible-test of the running interpreter wants (python_requirements.py) and copies
tools/get_pip_standin.py to ~/.ansible/test/cache/get_pip_<version with _>.py unless the same file is there.
Run it with the Python of the venv whose ansible-test will be used.
"""

from __future__ import annotations

import filecmp
import importlib.util
import os
import re
import shutil
import sys


def wanted_pip_versions():
    """The pip versions named in ansible-test's get_venv_packages()."""
    spec = importlib.util.find_spec('ansible_test')
    if spec is None or not spec.submodule_search_locations:
        sys.exit('seed_ansible_test.py: ansible_test is not installed for %s' % sys.executable)
    source = os.path.join(list(spec.submodule_search_locations)[0], '_internal', 'python_requirements.py')
    with open(source, encoding='utf-8') as handle:
        text = handle.read()
    body = text.split('def get_venv_packages', 1)[1].split('\ndef ', 1)[0]
    versions = sorted(set(re.findall(r"pip\s*[=:]\s*'([0-9][0-9.]*)'", body)))
    if not versions:
        sys.exit('seed_ansible_test.py: no pip version found in %s' % source)
    return versions


def main():
    standin = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'get_pip_standin.py')
    cache = os.path.expanduser('~/.ansible/test/cache')
    os.makedirs(cache, exist_ok=True)
    for version in wanted_pip_versions():
        target = os.path.join(cache, 'get_pip_%s.py' % version.replace('.', '_'))
        if not (os.path.exists(target) and filecmp.cmp(standin, target, shallow=False)):
            shutil.copyfile(standin, target)
            print('seeded %s (pip %s bootstrap stand-in)' % (target, version))


if __name__ == '__main__':
    main()
