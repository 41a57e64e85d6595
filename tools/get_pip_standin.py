# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for ansible-test's downloaded pip bootstrap script (get-pip.py).

ansible-test --venv runs ~/.ansible/test/cache/get_pip_<version>.py as __main__ inside a new venv with pip's
arguments but without the word `install`, e.g. `--disable-pip-version-check pip==25.2 --no-setuptools --no-wheel`.
This script puts the interpreter's bundled pip in place with ensurepip, then lets that pip install the requested
version from the configured index (pip.conf). tools/seed_ansible_test.py copies it to the cache path.
"""

from __future__ import annotations

import ensurepip
import os
import subprocess
import sys

# get-pip.py's own flags: the pip we install never adds setuptools or wheel by itself.
DROPPED = {'--no-setuptools', '--no-wheel'}


def main():
    args = [arg for arg in sys.argv[1:] if arg not in DROPPED]
    saved = dict(os.environ)
    try:
        ensurepip.bootstrap(upgrade=False, default_pip=True)
    finally:
        # ensurepip blanks pip's configuration (PIP_CONFIG_FILE=devnull); the CA and index settings live there.
        os.environ.clear()
        os.environ.update(saved)
    if args:
        cmd = [sys.executable, '-m', 'pip', 'install'] + args
        sys.exit(subprocess.call(cmd))


if __name__ == '__main__':
    main()
