# -*- coding: utf-8 -*-
# Copyright (c) cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What vro_task_info does: list scheduled tasks (filtered) or read one with its recent runs. Internal use only.

``run(module)`` reads the options once and calls :func:`task_info` with explicit arguments.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import VroApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_api import ScheduledTasks
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_model import TASK_LIMIT


def _wanted(task, name, name_contains, states, workflow_id, listed):
    """True when ``task`` passes the filters; a summary (``listed``) lacking an attribute passes that filter."""
    if name and (task.name is not None or not listed) and task.name != name:
        return False
    if name_contains and (task.name is not None or not listed) and name_contains.lower() not in (task.name or '').lower():
        return False
    if states and (task.state or not listed) and task.state not in states:
        return False
    if workflow_id and (task.workflow_id or not listed) and task.workflow_id != workflow_id:
        return False
    return True


def task_info(api, task_id=None, name=None, name_contains=None, states=None, workflow_id=None, workflow_name=None,
              category=None, executions=None, max_executions=20):
    """The vro_task_info result: one task by ``task_id``, or every task that passes the filters, with their runs
    when ``executions`` says so (None: for ``task_id``, and for ``name`` when it matches one task)."""
    service = ScheduledTasks(api.client)
    states = [s.lower() for s in states or []]
    if workflow_name and not workflow_id:
        workflow_id = api.lookup_workflow(workflow_name, category).id
    if task_id:
        task = service.get(task_id)
        if task is None:
            raise OperationError("scheduled task '%s' not found; list the tasks with vro_task_info and no task_id"
                                 % task_id)
        candidates = [task]
        total = None
    else:
        summaries = service.list()
        total = len(summaries)
        candidates = []
        for summary in summaries:
            if _wanted(summary, name, name_contains, states, workflow_id, listed=True):
                task = service.get(summary.id)
                if task is not None:
                    candidates.append(task)
    # The full read is the truth: filter again, for servers whose list lacks an attribute.
    tasks = [t for t in candidates if _wanted(t, name, name_contains, states, workflow_id, listed=False)]
    with_runs = executions if executions is not None else (bool(task_id) or (bool(name) and len(tasks) == 1))
    results = []
    for task in tasks:
        entry = task.to_result()
        if with_runs:
            entry['executions'] = [run.to_result() for run in service.executions(task.id, max_executions)]
        results.append(entry)
    result = {'changed': False, 'tasks': results, 'task_limit': TASK_LIMIT}
    if total is not None:
        result['task_count'] = total
    return result


def run(module):
    """The vro_task_info operation (see the module docs): reads the options once."""
    p = module.params
    return task_info(VroApi(module.client()), p['task_id'], p['name'], p['name_contains'], p['state'], p['workflow_id'],
                     p['workflow_name'], p['category'], p['executions'], p['max_executions'])
