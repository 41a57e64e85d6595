# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ``cloudops.orchestrator.vro_executions`` event source does: one event per run of the watched workflows
that reaches a watched state (``failed`` by default; ``waiting``: a run waiting for a user interaction), each once,
also across restarts (see ``_watch``).

Each poll lists, per workflow and state, the newest runs in that state with the run filters (``conditions`` state,
``sortOrders=-startDate``): one page in the steady state. A run is new when it was not in that list at the last poll;
a run that leaves ``waiting`` and comes back to it (a second interaction) is emitted again.

When a full page holds only new runs (more than ``PAGE`` runs reached the state since the last poll), the next page is
read (``startIndex``), until a page holds a run of the last listing or one that ended before the floor, the last page,
or ``MAX_PAGES`` pages: then one warning says that older runs may have been missed. What is remembered is every run
read (all pages), so that a page that goes past the newest runs of the last poll still finds them: the next poll stops
on a page that reaches the runs of this one, and every run of that page it did not read before is new. Runs beyond
the last page read stay remembered (with their start, up to ``KEPT_MAX``) while they started no later than the oldest
run listed: when newer runs leave the state (answered, deleted) they come back into the first page, and are not new.

A workflow and state seen for the first time start with a baseline (what is listed then is not emitted unless
emit_existing) and a floor, the time of that baseline less ``SKEW_MS``: a run that ended before it (failed, completed or
canceled) was already in that state, and is never emitted, also when it shows up in the page later (newer runs deleted).

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import time

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import path_segment
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, one_line
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import STATES, Workflow, epoch, state_value

# The problems of one run's details read that make its event from the list entry (not an outage): an answer of the
# wrong shape, one that is not JSON (garbled, NaN, nested too deep), one past the client's size bound.
UNREADABLE = ('shape', 'json', 'size')


def unreadable(error):
    """One line saying why a run's details cannot be read, without the body's excerpt (it may quote a secret)."""
    where = '%s %s: ' % (error.method, error.url) if error.method and error.url else ''
    return one_line(where + str(error.message))


# Runs read per workflow and state in one page; a poll reads more pages only while they hold only new runs.
PAGE = 100
# The most pages read per workflow and state in one poll (PAGE * MAX_PAGES runs); past it a warning is logged.
MAX_PAGES = 10
# The floor of a baseline is this much before the local clock at that time (the server's clock may be behind).
SKEW_MS = 5 * 60 * 1000
# Why an event built from the list entry (the run's details unreadable or gone) has no error text.
WITHHELD = ("the run's error text is left out: its details could not be read, so the SecureString values it may quote "
            "cannot be masked; while the run exists, read it with cloudops.orchestrator.vro_execution_info, which masks them")
# Runs remembered per workflow and state at most: those listed, and older ones beyond the last page read (see observed).
KEPT_MAX = PAGE * MAX_PAGES


def start_ms(run):
    """The start of a run in epoch ms, or None."""
    started = run.started_at()
    return int(started * 1000) if started is not None else None


def baseline_floor(runs, cut, now):
    """The floor of a first start's listing (``runs``, newest first; ``cut``: its page was full): a run that ended at
    or before it was already in that state then. No later than the newest end the server itself wrote in that
    listing: a server whose clock is behind this host's by more than :data:`SKEW_MS` dates the runs that end after the
    start before ``now - SKEW_MS``, and they would never be emitted. None when the listing holds every run in that
    state and none (nothing can show up later that was there before)."""
    ends = [epoch(run.end_date) for run in runs if run.terminal]
    ends = [int(ended * 1000) for ended in ends if ended is not None]
    if not runs and not cut:
        return None
    return min([now - SKEW_MS] + ([max(ends)] if ends else []))


class VroExecutionWatch:
    """Change detection for ``vro_executions`` over a :class:`VroApi`."""

    def __init__(self, api, workflow_ids=None, workflow_names=None, states=None, emit_existing=False, log=None,
                 clock=time.time):
        self.api = api
        self.workflow_ids = list(workflow_ids or [])
        self.workflow_names = list(workflow_names or [])
        if not self.workflow_ids and not self.workflow_names:
            raise ValueError('vro_executions watches the runs of given workflows: set workflow_ids or workflow_names')
        for wid in self.workflow_ids:
            try:
                path_segment(wid, option='workflow_ids')  # the user's value: refused as such, before anything is sent
            except ApiError as error:
                raise ValueError(str(error)) from None
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
        # Per workflow and state, the start (epoch ms, or None) of each run remembered in seen.
        self.starts = {}
        # The state words that are no vRO run state already logged (once per word while the source runs).
        self.unknown_logged = set()

    def load(self, state):
        if state:
            self.seen = dict((key, list(ids)) for key, ids in (state.get('seen') or {}).items())
            self.floors = dict(state.get('floors') or {})
            self.starts = dict((key, dict(runs)) for key, runs in (state.get('starts') or {}).items())

    def dump(self):
        return {'seen': self.seen, 'floors': self.floors, 'starts': self.starts}

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
            if error.status == 404:
                full = run  # deleted since it was listed: the summary says what is known
            elif error.kind in UNREADABLE:
                # Details that cannot be read (one run: wrong shape, garbled or too deep JSON, past the size bound):
                # the summary, rather than failing every poll on that run. The body's excerpt is not logged: a run's
                # details hold its SecureString values, which no mask knows.
                if self.log is not None:
                    self.log.warning('vro_executions: the details of run %s of workflow %s cannot be read (%s); its '
                                     'event holds what the list says, without its error text', run.id,
                                     self._label(workflow), unreadable(error))
                full = run
            else:
                raise
        result = full.to_result(Workflow(workflow.id, workflow.name or full.name))
        event = {'vro_execution': result, 'state': state, 'workflow_id': workflow.id,
                 'workflow_name': result.get('workflow_name'), 'error': result.get('content_exception')}
        if full is run and result.pop('content_exception', None) is not None:
            # The run's SecureString values (its inputs and outputs) are in its details only, so that a text of the
            # list entry cannot be masked: it is left out, and the event says why (a workflow's declared inputs name
            # its SecureStrings, not their values).
            event['error'] = None
            event['error_withheld'] = WITHHELD
        return event

    def poll(self):
        """``(pending, observed)`` (see ``_watch``)."""
        pending, listed, floors = [], {}, {}
        now = int(self.clock() * 1000)
        for workflow in self.resolve():
            for state in self.states:
                key = '%s|%s' % (workflow.id, state)
                baseline = key not in self.seen
                runs, cut = self._listing(workflow, state, key, baseline)
                self._log_unknown_states(workflow)
                listed[key] = (runs, cut)
                if baseline and not self.emit_existing:
                    floors[key] = baseline_floor(runs, cut, now)
                    continue
                known = set(self.seen.get(key) or [])
                for run in reversed(runs):  # oldest first
                    if run.id not in known and not self._before(run, self.floors.get(key)):
                        pending.append((self.event(workflow, run, state), self._committer(key, run.id)))

        def observed():
            for key, (runs, cut) in listed.items():
                self._remember(key, runs, cut)
            self.floors.update(floors)
        return pending, observed

    def _remember(self, key, runs, cut):
        """Remember the runs listed now; when the listing was cut (its last page was full), also the runs remembered
        before that started no later than the oldest one listed: they are beyond the pages read, still in the state,
        and come back into the first page when newer runs leave it (answered, deleted). A remembered run that started
        later and is not listed left the state: forgotten, so that it is new when it comes back (a second interaction)."""
        ids = [run.id for run in runs]
        starts = dict((run.id, start_ms(run)) for run in runs)
        if cut:
            listed_starts = [ms for ms in starts.values() if ms is not None]
            oldest = min(listed_starts) if listed_starts else None
            before = self.starts.get(key) or {}
            for run_id in self.seen.get(key) or []:
                start = before.get(run_id)
                if run_id not in starts and (oldest is None or start is None or start <= oldest):
                    ids.append(run_id)
                    starts[run_id] = start
        ids = ids[:KEPT_MAX]
        self.seen[key] = ids
        self.starts[key] = dict((run_id, starts.get(run_id)) for run_id in ids)

    def _listing(self, workflow, state, key, baseline):
        """The runs of ``workflow`` in ``state``, newest first: the first page, and the next ones while each full page
        holds only new runs (none of the last listing, none ended before the floor), up to ``MAX_PAGES`` pages. A
        baseline reads one page."""
        known, floor = set(self.seen.get(key) or []), self.floors.get(key)
        runs, ids = [], set()
        # Whether the listing was cut: its last page was full (more runs in that state may follow).
        for number in range(MAX_PAGES):
            paging = {'start_index': number * PAGE} if number else {}
            page = self.api.list_executions(workflow.id, states=[state], max_results=PAGE, **paging)
            # A run that moved to the next page (a newer one came in between two reads) is read once.
            fresh = [run for run in page if run.id and run.state == state and run.id not in ids]
            ids.update(run.id for run in fresh)
            runs.extend(fresh)
            if baseline or len(page) < PAGE or any(run.id in known or self._before(run, floor) for run in fresh):
                return runs, len(page) >= PAGE
        if self.log is not None:
            self.log.warning('vro_executions: more than %d runs of workflow %s reached %s since the last poll: the '
                             'newest %d are emitted, older ones may have been missed; set a shorter interval so that '
                             'a poll finds fewer new runs', PAGE * MAX_PAGES, self._label(workflow), state,
                             PAGE * MAX_PAGES)
        return runs, True

    def _log_unknown_states(self, workflow):
        """One line per state word a listed run read that is no vRO run state (``VroApi.unknown_states``), as the modules
        warn once per word (``note_state``): such a run is in no watched state, so it is never emitted."""
        for word, run_id in sorted((getattr(self.api, 'unknown_states', None) or {}).items()):
            if word in self.unknown_logged or self.log is None:
                continue
            self.unknown_logged.add(word)
            self.log.warning("vro_executions: run %s of workflow %s reads state '%s', which is not a vRO run state (%s): "
                             "it is in none of the watched states (%s) and is not emitted; look at the run in the vRO "
                             "client", run_id, self._label(workflow), one_line(word)[:64], ', '.join(STATES),
                             ', '.join(self.states))

    @staticmethod
    def _label(workflow):
        return "'%s' (%s)" % (workflow.name, workflow.id) if workflow.name else workflow.id

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
