# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark callback: append one JSON line per finished task to the file named by ``$BENCH_TIMINGS``.

Each line holds the task name, its start and end (``time.time()``, the clock the simulator's request log
uses, so requests can be attributed to a task by time window), the status and a few small result fields.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r'''
name: bench_timer
type: aggregate
short_description: record task start and end times for bench/run.py
description:
  - Writes one JSON line per task to the file named by the BENCH_TIMINGS environment variable.
requirements:
  - enable in configuration
'''

# Small result fields worth keeping; big ones (lists of runs) are reduced to their length.
KEEP = ('attempts', 'changed', 'failed', 'msg', 'state', 'polls', 'elapsed', 'count', 'status')


def _summary(result):
    out = {}
    for key, value in result.items():
        if key in KEEP and isinstance(value, (str, int, float, bool, type(None))):
            out[key] = value if not isinstance(value, str) else value[:300]
        elif isinstance(value, (list, dict)) and not key.startswith('_') and key not in ('invocation', 'json'):
            out['len_' + key] = len(value)
    return out


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._path = os.environ.get('BENCH_TIMINGS')
        self._task = None
        self._start = None

    def _write(self, record):
        if self._path:
            with open(self._path, 'a', encoding='utf-8') as handle:
                handle.write(json.dumps(record) + '\n')

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start = time.time()
        self._task = task.get_name()

    def _finish(self, status, result):
        end = time.time()
        self._write({'task': result._task.get_name(), 'start': self._start, 'end': end, 'status': status,
                     'result': _summary(result._result)})

    def v2_runner_on_ok(self, result):
        self._finish('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._finish('ignored' if ignore_errors else 'failed', result)

    def v2_runner_on_skipped(self, result):
        self._finish('skipped', result)

    def v2_runner_on_unreachable(self, result):
        self._finish('unreachable', result)
