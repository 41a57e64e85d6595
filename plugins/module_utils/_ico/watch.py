# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ``cloudops.orchestrator.ico_tasks`` event source does: one event per task status change in the watched
projects (only changes to ``statuses`` when given), each once, also across restarts (see ``_watch``).

ICO's task list takes no filters (IBM documents none): each poll is one ``GET /tasks`` per project, compared with the
statuses of the last poll. The state keeps the projects it covers: a project watched later (projects widened with the
same state_file) starts with its own baseline, as at the first start.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import json_name
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, one_line
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.model import TaskStatus, with_iso_times

# Statuses remembered at most (a task missing from a listing is remembered too, the oldest forgotten first): a list
# that leaves tasks out for a poll (an empty answer of a server in trouble) does not make them new when they come back.
LAST_MAX = 5000
# Answers to one project's listing that refuse that project (its user removed from it, the project renamed): with
# other projects watched, that project is left out of the poll rather than stopping them all.
PROJECT_REFUSALS = (401, 403, 404)


class IcoTaskWatch:
    """Change detection for ``ico_tasks`` over one :class:`TaskEngine` per project (or one without a project)."""

    def __init__(self, engines, statuses=None, projects=None, emit_existing=False, log=None):
        self.engines = list(engines)
        self.statuses = frozenset(TaskStatus.normalise(s) for s in statuses or [])
        self.projects = frozenset(projects or [])
        self.emit_existing = emit_existing
        self.log = log
        self.started = False
        self.status = {}
        self.covered = self.scope()
        # The entries skipped as not tasks (logged once each while the source runs).
        self.skipped = set()
        # The projects whose listing the last poll left out as refused (logged once each until they list again).
        self.refused = set()

    def scope(self):
        """The projects the state covers: the watched ones, or ``['*']`` for every task the engines list."""
        return sorted(self.projects) or ['*']

    def load(self, state):
        if state:
            self.started = bool(state.get('started'))
            self.status = dict(state.get('status') or {})
            self.covered = list(state.get('projects') or self.scope())

    def dump(self):
        return {'started': self.started, 'status': self.status, 'projects': self.covered}

    def fresh(self, task):
        """Whether the task is in a project the state did not cover (watched since): taken as there, not emitted."""
        return '*' not in self.covered and task.get('project') not in self.covered

    def observe(self):
        """``{id: task}`` of every task the engines list, in the watched projects."""
        tasks = {}
        refused = []
        for engine in self.engines:
            try:
                listed = engine.list(skip=self._skip)
            except ApiError as error:
                # One project refused beside others: left out (its statuses are kept); all refused: an outage.
                if len(self.engines) < 2 or getattr(error, 'status', None) not in PROJECT_REFUSALS:
                    raise
                refused.append((engine, error))
                continue
            for task in listed:
                if not isinstance(task, dict) or task.get('id') is None:
                    continue
                if self.projects and task.get('project') not in self.projects:
                    continue
                tasks.setdefault(str(task['id']), task)
        if refused and len(refused) == len(self.engines):
            raise refused[0][1]
        now_refused = set()
        for engine, error in refused:
            project = getattr(engine, 'project', None)
            now_refused.add(project)
            if project not in self.refused and self.log is not None:
                self.log.warning('ico_tasks: the tasks of project %r cannot be listed (%s); its tasks are not watched '
                                 'until that works again, the other projects are still watched', project, one_line(error))
        self.refused = now_refused
        return tasks

    def _skip(self, index, entry):
        """An entry of the task list that is not a task: left out, with one line naming it (once per entry)."""
        what = '[%d] %s' % (index, json_name(entry))
        if what in self.skipped:
            return
        self.skipped.add(what)
        if self.log is not None:
            self.log.warning('ico_tasks: the task list entry %s is not a task and is skipped; the other tasks are still '
                             'watched', what)

    def poll(self):
        """``(pending, observed)`` (see ``_watch``)."""
        tasks = self.observe()
        emit = self.started or self.emit_existing
        pending = []
        for task_id in sorted(tasks, key=lambda i: (len(i), i)):
            status = TaskStatus.normalise(tasks[task_id].get('status'))
            previous = self.status.get(task_id)
            if previous == status or not emit or (self.statuses and status not in self.statuses):
                continue
            if previous is None and not self.emit_existing and self.fresh(tasks[task_id]):
                continue
            event = {'ico_task': with_iso_times(tasks[task_id]), 'status': status, 'previous_status': previous}
            pending.append((event, self._committer(task_id, status)))

        def observed():
            # Every task listed now, after those remembered that this listing left out (oldest first, bounded).
            now = dict((task_id, TaskStatus.normalise(task.get('status'))) for task_id, task in tasks.items())
            kept = [(task_id, status) for task_id, status in self.status.items() if task_id not in now]
            self.status = dict(kept[max(0, len(kept) + len(now) - LAST_MAX):] + list(now.items()))
            # A project refused at its first poll has no baseline yet: it is not covered until it lists.
            self.covered = sorted(set(self.scope()) - (self.refused - set(self.covered if self.started else ())))
            self.started = True
        return pending, observed

    def _committer(self, task_id, status):
        def commit():
            self.status[task_id] = status
        return commit
