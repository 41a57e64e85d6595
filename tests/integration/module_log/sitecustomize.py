# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Capture what modules log, for the secrets tests (tests only; run_playbook puts this directory on PYTHONPATH).

When ``CLOUDOPS_MODULE_LOG`` names a file, every Python process started with this directory on its path (the
modules ansible-playbook runs, and ansible-playbook itself) writes what it would send to syslog and to journald
into that file instead, one JSON object a line: ``{"sink": "syslog", "ident": ..., "message": ...}`` or
``{"sink": "journal", "fields": {...}}`` (every field, ``MESSAGE`` and one per logged parameter).

ansible-core logs through journald when ``systemd.journal`` imports and the system is booted with systemd, and falls
back to syslog when sending fails. A stand-in ``systemd`` package is installed that records the journal fields and
then fails, so each log call exercises both paths and both are captured. Nothing reaches the real logs.
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
