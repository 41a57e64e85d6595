# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a benchmark run ran on: the machine (CPU, memory, OS, load) and the versions (Python, ansible-core,
requests, the git commit and any uncommitted plugin file)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable


def machine():
    info = {'cpu_model': None, 'cores': os.cpu_count(), 'memory_gib': None, 'os': platform.platform(),
            'kernel': platform.release()}
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('model name'):
                    info['cpu_model'] = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open('/proc/meminfo', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('MemTotal:'):
                    info['memory_gib'] = round(int(line.split()[1]) / 1024.0 / 1024.0, 1)
    except OSError:
        pass
    try:
        with open('/etc/os-release', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('PRETTY_NAME='):
                    info['os'] = line.split('=', 1)[1].strip().strip('"') + ' (Linux %s)' % platform.release()
    except OSError:
        pass
    try:
        info['load_average_at_end'] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


def versions():
    from ansible.release import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
    found = {'python': platform.python_version(), 'ansible_core': ansible_version, 'requests': requests.__version__,
             'python_executable': PY}
    try:
        found['git_commit'] = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True, text=True,
                                             check=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--', 'plugins'], cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout.split('\n')
        found['uncommitted_plugin_files'] = sorted(line[3:] for line in dirty if line.strip())
    except (OSError, subprocess.CalledProcessError):
        pass
    return found
