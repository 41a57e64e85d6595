# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the vRO run and execution functions use of OrchestratorModule, for their unit tests.

The parameters carry the modules' defaults (tight poll intervals), ``client()`` returns the real client the test
gives, and ``waiter()`` sleeps on a fake clock: ``clock[0]`` is the time the run functions would have slept.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._waiter import Waiter


class FakeVroModule:

    def __init__(self, client, check_mode=False, **params):
        self.params = dict(workflow_id=None, workflow_name=None, category=None, inputs=None, runs=None, raw_inputs=None,
                           reuse='never', reuse_max_age=3600.0, concurrency=4, cancel_on_timeout=False,
                           on_user_interaction='fail', fetch_logs=False, wait=True, wait_timeout=60.0,
                           poll_interval=0.01, poll_interval_max=0.01, username='svc', auth=None,
                           execution_id=None, execution_url=None, state=None, started_by=None, started_after=None,
                           started_before=None, name=None, max_results=20, details=False, fetch_syslogs=False,
                           wait_for=None, all_running=False, api_version='auto')
        self.params.update(params)
        self.check_mode = check_mode
        self.warnings = []
        self.secrets = []
        self.clock = [0.0]
        self._client = client

    def client(self):
        return self._client

    def warn(self, msg):
        self.warnings.append(msg)

    def add_secret(self, value):
        self.secrets.append(value)

    def waiter(self):
        def sleep(seconds):
            self.clock[0] += seconds
        return Waiter(timeout=self.params['wait_timeout'], interval=self.params['poll_interval'],
                      interval_max=self.params['poll_interval_max'], clock=lambda: self.clock[0], sleep=sleep)
