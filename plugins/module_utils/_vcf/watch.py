# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ``cloudops.orchestrator.vcf_tasks`` event source does: one event per SDDC Manager task that reaches a
watched status, each once (also across restarts, through the state the source saves; see ``_watch``).

Cheap polling: ``completedAfter`` (the newest completion seen, less an overlap) lists only what finished since the
last poll, one page in the steady state; statuses that ``completedAfter`` does not cover (anything but FAILED and
SUCCESSFUL), or a server that refuses it, are listed by ``taskStatus``, newest first, one page each.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import time

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import to_epoch_ms
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import list_refused
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import CredentialsTask, Task, TaskStatus, info_entry

# The statuses the spec's completedAfter returns ("Successful/Failed tasks completed after").
COMPLETED_AFTER_COVERS = frozenset((TaskStatus.FAILED, TaskStatus.SUCCESSFUL))
# Each poll asks again for this much before the newest completion seen: a task committed late is not missed.
OVERLAP_MS = 5 * 60 * 1000
# At the first start, what completed this long before now is read once and taken as already there. The start of that
# window is kept as the floor: no later poll asks for less (the overlap never reaches behind it), and a change that
# completed before it is never emitted unless emit_existing (it was already there when the source first started).
BASELINE_MS = 60 * 60 * 1000
# Tasks read per status listing (one page) and, with emit_existing, at the first start.
PAGE = 100
EXISTING_MAX = 1000
# Last statuses remembered (for previous_status).
LAST_MAX = 5000


def completion_ms(raw):
    try:
        return to_epoch_ms(raw.get('completionTimestamp'))
    except ValueError:
        return None


def change_key(raw):
    """What makes one change of a task: its id, status and completion (a retried task that fails again is new). The
    completion as epoch ms when it reads as a time: the same instant written in another form (``Z``, ``+00:00``, a
    fraction; another node or the listing by status) is the same change."""
    completed = completion_ms(raw)
    return '%s|%s|%s' % (raw.get('id'), TaskStatus.normalise(raw.get('status')),
                         raw.get('completionTimestamp') or '' if completed is None else completed)


def legacy_key(raw):
    """The key of a change as states saved before the completion was read as a time (the text as it came)."""
    return '%s|%s|%s' % (raw.get('id'), TaskStatus.normalise(raw.get('status')), raw.get('completionTimestamp') or '')


def as_task(raw):
    task = Task(raw)
    return CredentialsTask(raw) if task.looks_like_credentials else task


class VcfTaskWatch:
    """Change detection for ``vcf_tasks`` over a :class:`TaskService`."""

    def __init__(self, service, statuses=None, emit_existing=False, clock=time.time, log=None):
        self.service = service
        self.statuses = frozenset(TaskStatus.checked(statuses or [TaskStatus.FAILED], 'statuses'))
        self.emit_existing = emit_existing
        self.clock = clock
        self.log = log
        self.started = False
        self.cursor = None
        self.floor = None
        self.seen = {}
        self.last = {}
        self.refused = False
        # The tasks skipped as unreadable (logged once each while the source runs).
        self.skipped = set()

    # -- state ---------------------------------------------------------------------------------------------

    def load(self, state):
        if not state:
            return
        self.started = bool(state.get('started'))
        self.cursor = state.get('cursor')
        self.floor = state.get('floor')
        self.seen = dict(state.get('seen') or {})
        self.last = dict(state.get('last') or {})
        self.refused = bool(state.get('completed_after_refused'))

    def dump(self):
        return {'started': self.started, 'cursor': self.cursor, 'floor': self.floor, 'seen': self.seen, 'last': self.last,
                'completed_after_refused': self.refused}

    # -- polling -------------------------------------------------------------------------------------------

    def _completed(self, after):
        """Tasks completed after ``after`` (ms), or None when the server will not filter on completedAfter."""
        if self.refused:
            return None
        try:
            return self.service.completed_since(max(0, int(after)), skip=self._skip)
        except ApiError as error:
            if not list_refused(error):
                raise
            self.refused = True
            if self.log:
                self.log.warning('vcf_tasks: SDDC Manager refused completedAfter (%s); tasks are listed by status from '
                                 'now on', error)
            return None

    def _skip(self, raw, error):
        """One task of a listing that cannot be read: left out, with one line naming it (once per task and problem)."""
        task_id = raw.get('id') if isinstance(raw, dict) else None
        what = 'task %s' % task_id if task_id is not None else 'a task without an id'
        problem = str(getattr(error, 'message', None) or error)
        if (what, problem) in self.skipped:
            return
        self.skipped.add((what, problem))
        if self.log:
            self.log.warning('vcf_tasks: %s is skipped: %s; the other tasks are still watched', what,
                             ' '.join(str(error).split()))

    def _by_status(self, statuses, limit):
        found = []
        for status in sorted(statuses):
            found.extend(task.raw for task in self.service.list({'taskStatus': status}, max_results=limit, skip=self._skip))
        return found

    def observe(self, after, existing=False):
        """The raw tasks of one poll: completed after ``after``, plus the listings by status it needs."""
        raws = []
        covered = self.statuses & COMPLETED_AFTER_COVERS
        completed = self._completed(after) if covered else []
        if completed is None:
            completed, listed = [], set(self.statuses)
        else:
            listed = set(self.statuses - COMPLETED_AFTER_COVERS)
        raws.extend(completed)
        raws.extend(self._by_status(listed, PAGE))
        if existing:
            raws.extend(self._by_status(self.statuses, EXISTING_MAX))
        unique = {}
        for raw in raws:
            if isinstance(raw, dict) and raw.get('id') is not None:
                unique.setdefault(change_key(raw), raw)
        return sorted(unique.values(), key=lambda raw: (completion_ms(raw) or 0, str(raw.get('id'))))

    def poll(self):
        """``(pending, observed)`` (see ``_watch``)."""
        now = int(self.clock() * 1000)
        first = not self.started
        if first:
            after = now - BASELINE_MS
            floor = None if self.emit_existing else after
        else:
            after = (self.cursor if self.cursor is not None else now - BASELINE_MS) - OVERLAP_MS
            floor = self.floor
            if floor is not None:
                after = max(after, floor)
        raws = self.observe(after, existing=first and self.emit_existing)
        emit = self.emit_existing or not first
        pending = []
        for raw in raws:
            key = change_key(raw)
            task = as_task(raw)
            if emit and task.status in self.statuses and not self._known(key, raw) and not self._before(raw, floor):
                event = {'vcf_task': info_entry(task), 'status': task.status, 'previous_status': self.last.get(task.id)}
                pending.append((event, self._committer(key, raw)))

        def observed():
            for raw in raws:
                self._record(change_key(raw), raw)
            newest = max([completion_ms(raw) or 0 for raw in raws] + [self.cursor or 0])
            self.cursor = newest or (after if first else self.cursor)
            self.floor = floor
            self.started = True
            self._prune(set(change_key(raw) for raw in raws))
        return pending, observed

    def _known(self, key, raw):
        """Whether the change was emitted or seen already (under its key, or the key a state of an older release has)."""
        return key in self.seen or legacy_key(raw) in self.seen

    @staticmethod
    def _before(raw, floor):
        """Whether the task completed at or before the first start's floor (already there when the source started)."""
        completed = completion_ms(raw)
        return floor is not None and completed is not None and completed <= floor

    def _committer(self, key, raw):
        return lambda: self._record(key, raw)

    def _record(self, key, raw):
        task_id = str(raw.get('id'))
        self.seen[key] = completion_ms(raw)
        self.last.pop(task_id, None)
        self.last[task_id] = TaskStatus.normalise(raw.get('status'))
        while len(self.last) > LAST_MAX:
            self.last.pop(next(iter(self.last)))

    def _prune(self, observed):
        """Forget the changes that no later poll can return again (completed before the overlap window)."""
        horizon = (self.cursor or 0) - 2 * OVERLAP_MS
        self.seen = dict((key, ms) for key, ms in self.seen.items()
                         if key in observed or (ms is not None and (ms >= horizon or self._first_window(ms))))

    def _first_window(self, ms):
        """Whether a change completed in the first start's window (after the floor, before the first poll): it was
        there at the first start, and is kept (that hour bounds them) so that a listing by status that drops it and
        lists it again later does not emit it."""
        return self.floor is not None and self.floor < ms <= self.floor + BASELINE_MS
