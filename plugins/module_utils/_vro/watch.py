# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ``cloudops.orchestrator.vro_executions`` event source does: one event per run of the watched workflows
that reaches a watched state (``failed`` by default; ``waiting``: a run waiting for a user interaction), each once,
also across restarts (see ``_watch``).

Each poll lists, per workflow and state, the newest runs in that state with the run filters (``conditions`` state,
``sortOrders=-startDate``): one page in the steady state. A run is new when it was not in that list at the last poll;
a run that leaves ``waiting`` and comes back to it (a second interaction) is emitted again.

A workflow and state seen for the first time start with a baseline (what is listed then is not emitted unless
emit_existing) and a floor, the time of that baseline less ``SKEW_MS``: a run that ended before it (failed, completed or
canceled) was already in that state, and is never emitted, also when it shows up in the page later (newer runs deleted).

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import time

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import STATES, Workflow, epoch, state_value

# Runs read per workflow and state in one poll (one page).
PAGE = 100
# The floor of a baseline is this much before the local clock at that time (the server's clock may be behind).
SKEW_MS = 5 * 60 * 1000


class VroExecutionWatch:
    """Change detection for ``vro_executions`` over a :class:`VroApi`."""

    def __init__(self, api, workflow_ids=None, workflow_names=None, states=None, emit_existing=False, log=None,
                 clock=time.time):
        self.api = api
        self.workflow_ids = list(workflow_ids or [])
        self.workflow_names = list(workflow_names or [])
        if not self.workflow_ids and not self.workflow_names:
            raise ValueError('vro_executions watches the runs of given workflows: set workflow_ids or workflow_names')
        self.states = [state_value(s) for s in (states or ['failed'])]
        unknown = [s for s in self.states if s not in STATES]
        if unknown:
            raise ValueError('states %s: not vRO run states; use %s' % (', '.join(unknown), ', '.join(STATES)))
        self.emit_existing = emit_existing
        self.log = log
        self.clock = clock
        self.workflows = None
        self.seen = {}
        self.floors = {}

    def load(self, state):
        if state:
            self.seen = dict((key, list(ids)) for key, ids in (state.get('seen') or {}).items())
            self.floors = dict(state.get('floors') or {})

    def dump(self):
        return {'seen': self.seen, 'floors': self.floors}

    def resolve(self):
        """The watched workflows (ids, and names looked up once per start; a name must match one workflow)."""
        if self.workflows is None:
            found = [Workflow(wid) for wid in self.workflow_ids]
            for name in self.workflow_names:
                workflow = self.api.lookup_workflow(name)
                if workflow.id not in [w.id for w in found]:
                    found.append(workflow)
            self.workflows = found
        return self.workflows

    def event(self, workflow, run, state):
        try:
            full = self.api.execution(workflow.id, run.id)
        except ApiError as error:
            if error.status != 404:
                raise
            full = run  # deleted since it was listed: the summary says what is known
        result = full.to_result(Workflow(workflow.id, workflow.name or full.name))
        return {'vro_execution': result, 'state': state, 'workflow_id': workflow.id,
                'workflow_name': result.get('workflow_name'), 'error': result.get('content_exception')}

    def poll(self):
        """``(pending, observed)`` (see ``_watch``)."""
        pending, listed, floors = [], {}, {}
        now = int(self.clock() * 1000)
        for workflow in self.resolve():
            for state in self.states:
                key = '%s|%s' % (workflow.id, state)
                runs = self.api.list_executions(workflow.id, states=[state], max_results=PAGE)
                runs = [run for run in runs if run.id and run.state == state]
                listed[key] = [run.id for run in runs]
                baseline = key not in self.seen
                if baseline and not self.emit_existing:
                    floors[key] = now - SKEW_MS
                    continue
                known = set(self.seen.get(key) or [])
                for run in reversed(runs):  # oldest first
                    if run.id not in known and not self._before(run, self.floors.get(key)):
                        pending.append((self.event(workflow, run, state), self._committer(key, run.id)))

        def observed():
            self.seen.update(listed)
            self.floors.update(floors)
        return pending, observed

    @staticmethod
    def _before(run, floor):
        """Whether the run ended at or before the floor of its baseline (it was already in that state then)."""
        ended = epoch(run.end_date) if run.terminal else None
        return floor is not None and ended is not None and ended * 1000 <= floor

    def _committer(self, key, run_id):
        def commit():
            self.seen.setdefault(key, [])
            if run_id not in self.seen[key]:
                self.seen[key].append(run_id)
        return commit
