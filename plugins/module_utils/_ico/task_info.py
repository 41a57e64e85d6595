# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``orch_task_info`` does: one task by id, or the filtered list (filters applied on the client).

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.model import TaskFilter, with_iso_times


def run(module):
    """``orch_task_info``: reads the options once; returns the result."""
    p = module.params
    return task_info(TaskEngine(module.client(), user=p.get('username'), project=p.get('project')), p.get('id'),
                     p.get('filters') or {}, expand=bool(p.get('expand_service_instance')))


def task_info(engine, task_id, filters, expand=False):
    """One task by id, or the list, kept by ``filters`` (applied on the client)."""
    keep = TaskFilter(status=filters.get('status'), user=filters.get('user'), project=filters.get('project'),
                      event_topic=filters.get('event_topic'), updated_after=filters.get('updated_after'))
    if task_id:
        tasks = [engine.get(task_id, expand=expand)]
    else:
        tasks = engine.list(expand=expand)
    seen = len(tasks)
    tasks = [with_iso_times(t) for t in tasks if isinstance(t, dict) and keep(t)]
    return {'changed': False, 'tasks': tasks, 'seen': seen, 'matched': len(tasks)}
