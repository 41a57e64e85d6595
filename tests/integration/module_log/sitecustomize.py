# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Capture what modules log, for the secrets tests (tests only; run_playbook puts this directory on PYTHONPATH).

When ``CLOUDOPS_MODULE_LOG`` names a file, every Python process started with this directory on its path (the
modules ansible-playbook runs, and ansible-playbook itself) writes what it would send to syslog and to journald
into that file instead, one JSON object a line: ``{"sink": "syslog", "ident": ..., "message": ...}`` or
``{"sink": "journal", "fields": {...}}`` (every field, ``MESSAGE`` and one per logged parameter).

ansible-core logs through journald when ``systemd.journal`` imports and the system is booted with systemd, and falls
back to syslog when sending fails. A stand-in ``systemd`` package is installed that records the journal fields and
then fails, so each log call exercises both paths and both are captured. Nothing reaches the real logs.

When ``CLOUDOPS_TEST_ANSIBLE_BYTECODE`` names a directory (``run_playbook`` sets it, one per pytest worker), the
modules also take ansible-core's own module_utils from the payload zip through the collection's
``plugins/module_utils/_compile_once.py`` finder, with a bytecode cache in that directory: AnsiballZ loads them with
``zipimport``, which compiles every file from source on every run (twice on CPython 3.11-3.13), about 0.07 s of CPU a
module task here, some 2,000 tasks an integration stage. Tests only: the code run is the very code compiled from the
same sources (the cache is keyed by the SHA-256 of each source), so nothing a test checks changes; ansible-core
imports these files before any module, so the collection cannot do this for its users (``_compile_once.py`` does it
for the collection's own files). The controller's imports are not in a zip and go on as before.
"""

from __future__ import annotations

import json
import os
import sys
import types

_TARGET = os.environ.get('CLOUDOPS_MODULE_LOG')


def _write(record):
    with open(_TARGET, 'a', encoding='utf-8') as handle:
        handle.write(json.dumps(record, default=str) + '\n')


def _install():
    import syslog  # pylint: disable=import-outside-toplevel

    state = {'ident': None}

    def openlog(ident=None, *args, **kwargs):  # pylint: disable=unused-argument
        state['ident'] = ident

    def syslog_(*args):
        _write({'sink': 'syslog', 'ident': state['ident'], 'pid': os.getpid(), 'message': str(args[-1])})

    syslog.openlog = openlog
    syslog.syslog = syslog_

    def send(MESSAGE=None, **fields):  # pylint: disable=invalid-name
        fields['MESSAGE'] = MESSAGE
        _write({'sink': 'journal', 'pid': os.getpid(), 'fields': fields})
        raise OSError('journal stand-in: the message is also sent to syslog, to capture that path too')

    def sendv(*args):
        _write({'sink': 'journal', 'pid': os.getpid(), 'fields': {'argv': list(args)}})
        raise OSError('journal stand-in')

    package = types.ModuleType('systemd')
    package.__path__ = []
    journal = types.ModuleType('systemd.journal')
    journal.send = send
    journal.sendv = sendv
    daemon = types.ModuleType('systemd.daemon')
    daemon.booted = lambda: True
    package.journal = journal
    package.daemon = daemon
    sys.modules.update({'systemd': package, 'systemd.journal': journal, 'systemd.daemon': daemon})


if _TARGET:
    _install()


def _compile_ansible_once(directory):
    """Put the collection's compile-once finder, for ``ansible.*`` names, first in ``sys.meta_path``."""
    import importlib.util  # pylint: disable=import-outside-toplevel

    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'plugins', 'module_utils',
                          '_compile_once.py')
    spec = importlib.util.spec_from_file_location('_cloudops_test_compile_once', source)
    if spec is None or not os.path.isfile(source):
        return
    compile_once = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(compile_once)
    cache = compile_once.BytecodeCache.open(os.path.join(directory, sys.implementation.cache_tag))
    if cache is not None:
        sys.meta_path.insert(0, compile_once.CompileOnceFinder('ansible', cache))


if os.environ.get('CLOUDOPS_TEST_ANSIBLE_BYTECODE'):
    try:
        _compile_ansible_once(os.environ['CLOUDOPS_TEST_ANSIBLE_BYTECODE'])
    except Exception:  # pylint: disable=broad-except  # a test aid: the normal import goes on without it
        pass
