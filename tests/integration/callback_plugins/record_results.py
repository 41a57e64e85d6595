# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: appends every task result as one JSON line to a file for the integration harness."""

from __future__ import annotations

DOCUMENTATION = """
    name: record_results
    type: aggregate
    short_description: Record every task result as JSON lines (integration harness only)
    description:
      - Writes one JSON object per task result with the task name, host, status and result dict.
    options:
      path:
        description: File the JSON lines are appended to; nothing is written when unset.
        env:
          - name: CLOUDOPS_RECORD_RESULTS
        type: path
"""

import json
import os

from ansible.plugins.callback import CallbackBase


def _plain(value):
    """Return a JSON-safe copy of a result value (tagged or custom types become plain ones)."""
    return json.loads(json.dumps(value, default=str))


class CallbackModule(CallbackBase):
    """Append task results to the file named by CLOUDOPS_RECORD_RESULTS."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'record_results'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get('CLOUDOPS_RECORD_RESULTS')
        self._play = None

    def _write(self, record):
        if not self._path:
            return
        with open(self._path, 'a', encoding='utf-8') as handle:
            handle.write(json.dumps(record, default=str) + '\n')

    def _record(self, result, status):
        task = result.task
        data = {k: v for k, v in dict(result.result).items() if not k.startswith('_ansible')}
        self._write({
            'play': self._play,
            'task': task.get_name(),
            'action': task.action,
            'host': result.host.get_name(),
            'status': status,
            'result': _plain(data),
        })

    def v2_playbook_on_play_start(self, play):
        self._play = play.get_name()

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'ignored' if ignore_errors else 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        self._write({'stats': {h: stats.summarize(h) for h in hosts}})
