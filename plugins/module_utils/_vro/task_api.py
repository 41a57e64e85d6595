# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vRO Task service (``/tasks``): :class:`ScheduledTasks`, its endpoints. Internal use only.

The one exception to "every vRO endpoint lives in ``api.py``": only vro_task and vro_task_info use the Task service,
and AnsiballZ ships and compiles every module_utils file an import names, so the read and run modules would carry it
for nothing (docs/architecture.md, rule 4). The nouns it returns live in ``task_model.py``.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import OBJECT, absent_on, path_segment, shape_problem
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, OperationError, settle_lost_delete
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import MAYBE_OBJECT, Execution, vro_links
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_model import (
    LINKS_FIELDS, TASK_FIELDS, ScheduledTask, task_list_problem, task_problem, whole_task,
)


def _q(value):
    """One id as a URL path segment (quoted; refused when it could leave its segment)."""
    return path_segment(value)


class ScheduledTasks(object):
    """The vRO Task service (``/tasks``) over one client: scheduled tasks and their runs."""

    def __init__(self, client):
        self.client = client

    def list(self):
        """Every task as a summary (``GET /tasks``; the service holds at most 50, so one page)."""
        body = self.client.get('/tasks', shape=(dict, list, type(None)), fields=LINKS_FIELDS, inner=task_list_problem) or {}
        if isinstance(body, list):
            return [ScheduledTask(item, summary=True) for item in body]
        links = vro_links(body)[0]
        return [ScheduledTask.from_link(link) for link in links]

    def get(self, task_id):
        """``GET /tasks/{id}``: the full task, or None when it does not exist."""
        data = absent_on((404,), self.client.get, '/tasks/%s' % _q(task_id), shape=OBJECT, fields=TASK_FIELDS,
                         inner=task_problem)
        return None if data is None else ScheduledTask(data)

    def find(self, name, tasks=None):
        """The full tasks named exactly ``name``."""
        found = []
        for summary in tasks if tasks is not None else self.list():
            if summary.name is not None and summary.name != name:
                continue
            task = self.get(summary.id)
            if task is not None and task.name == name:
                found.append(task)
        return found

    def create(self, body):
        """``POST /tasks`` (202); returns the created task (from the body, else read back by ``Location``)."""
        response = self.client.request('POST', '/tasks', json=body, expected=(200, 201, 202))
        location = response.headers.get('Location')
        try:
            data = self.client.decode(response) if response.content else None
            self.client.check(response, data, MAYBE_OBJECT, TASK_FIELDS, task_problem)
        except ApiError as error:
            if not location:
                error.message += ('; the task was created, but the answer does not name it: run the task again to '
                                  'adopt it by name, or look for it with vro_task_info')
                raise
            data = None  # the task exists and Location names it: read it back
        # A whole task in the body is the task; a small one (``{"id", "state"}``, as some servers answer) only names
        # it: the task is read back, by that id, else by Location.
        task = ScheduledTask(data) if whole_task(data) else None
        named = data.get('id') if isinstance(data, dict) and isinstance(data.get('id'), str) and data.get('id') else None
        if task is None and (named or location):
            task_id = named or location.rstrip('/').rsplit('/', 1)[-1]
            try:
                task = self.get(task_id)
            except ApiError as error:
                raise OperationError('created scheduled task %s, but reading it back failed: %s; run the task again '
                                     'to adopt it by name' % (task_id, error), changed=True, task_id=task_id,
                                     task={'id': task_id, 'href': location}, error=error.to_result()) from None
            if task is None and isinstance(data, dict):
                task = ScheduledTask(data)  # not readable back (404): what the answer said is all there is
        return task

    def update(self, task_id, body):
        """``POST /tasks/{id}``: returns the updated task."""
        data = self.client.post('/tasks/%s' % _q(task_id), json=body, expected=(200, 202, 204))
        # A body of the wrong shape, or of another task (an id not the one updated), is not trusted: the task is read
        # back instead.
        if (whole_task(data) and shape_problem(data, OBJECT, TASK_FIELDS) is None
                and task_problem(data) is None and str(data['id']).lower() == str(task_id).lower()):
            return ScheduledTask(data)
        return self.get(task_id)

    def delete(self, task_id):
        """``DELETE /tasks/{id}``; False when it was already gone (404).

        A DELETE whose answer was lost is never sent again: the task is read instead. Gone is this DELETE's doing (True,
        with a warning); still there raises OperationError saying the delete may still be applied.
        """
        try:
            self.client.request('DELETE', '/tasks/%s' % _q(task_id), expected=(200, 202, 204))
        except AnswerLost as lost:
            return settle_lost_delete(lost, lambda: self.get(task_id), self.client.warn, 'delete',
                                      'scheduled task %s' % task_id, 'the task is gone', 'the task is still there',
                                      'cloudops.orchestrator.vro_task_info')
        except ApiError as error:
            if error.status == 404:
                return False
            raise
        return True

    def executions(self, task_id, max_results=None):
        """``GET /tasks/{id}/executions``: the task's runs as summaries, newest first."""
        body = self.client.get('/tasks/%s/executions' % _q(task_id), shape=MAYBE_OBJECT, fields=LINKS_FIELDS) or {}
        links = vro_links(body)[0]
        runs = [Execution.from_link(link) for link in links]
        runs.sort(key=lambda r: r.started_at() or 0.0, reverse=True)
        return runs[:max_results] if max_results else runs
