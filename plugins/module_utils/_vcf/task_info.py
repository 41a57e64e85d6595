# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``vcf_task_info`` does: one task, several, or a server-filtered list; optionally wait for statuses.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import InputError, OperationError, WaitTimeout
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import to_epoch_ms
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import TaskService
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import (
    TaskStatus, describe_failure, info_entry, selector_params, task_ids, window_ms)


def run(module):
    """``vcf_task_info``: reads the options once; returns the result or raises OperationError."""
    p = module.params
    selector = dict((key, p.get(key)) for key in ('name_contains', 'type', 'resource_id', 'resource_type', 'completed_after',
                                                  'completed_before'))
    return task_info(TaskService(module.client()), task_ids(p.get('task_id'), p.get('task_ids')), selector,
                     status=p.get('status'), order=p.get('order'), order_by=p.get('order_by'),
                     max_results=p.get('max_results'), wait_for=p.get('wait_for'),
                     waiter=None if module.check_mode else module.waiter)


def _listed(text):
    """The strings of ``text`` when it is the text of a list of strings (``"['failed', 'In Progress']"``), else None."""
    text = text.strip()
    if not (text.startswith('[') and text.endswith(']')):
        return None
    items = [item.strip().strip('\'"').strip() for item in text[1:-1].split(',')]
    return [item for item in items if item]


def task_info(service, ids, selector, status=None, order=None, order_by=None, max_results=None, wait_for=None,
              waiter=None):
    """The tasks ``ids``, or the list ``selector``/``status`` select; with ``wait_for``, follow the one task with
    ``waiter()`` (None: check mode, no wait)."""
    # Unknown names are refused before anything is sent (a typo would list nothing, or wait until wait_timeout).
    wait_for = TaskStatus.checked(wait_for, 'wait_for')
    if status not in (None, ''):
        listed = _listed(status)
        if listed is not None:
            # Ansible turns a list given to this str option into its text, "['failed']".
            raise InputError('status takes one status, not a list (%s); nothing was sent: give one, such as status: %s '
                             '(a loop for several)' % (status, TaskStatus.normalise(listed[0]) if listed else 'FAILED'))
        TaskStatus.checked(status, 'status')
    if wait_for and len(ids) != 1:
        raise InputError('wait_for follows exactly one task: set task_id (or one entry in task_ids)')
    if ids:
        tasks = [service.get(task_id) for task_id in ids]
    else:
        # SDDC Manager has no completedBefore: the end of a window is applied here, to instants (never to the text,
        # where '+01:00' or a missing fraction compares wrongly), placing a task as completed_after does (window_ms).
        before = to_epoch_ms(selector.get('completed_before'), option='completed_before')
        query = selector_params(selector, status=TaskStatus.normalise(status) or None)
        if order:
            query['orderDirection'] = order.upper()
        if order_by:
            query['orderBy'] = order_by
        tasks = service.list(query, max_results=max_results)
        if before is not None:
            tasks = [t for t in tasks if window_ms(t.raw) is None or window_ms(t.raw) <= before]

    if wait_for and waiter is not None:
        task = tasks[0]
        if task.status not in wait_for:
            try:
                waiter().wait(lambda: service.refresh(task),
                              lambda t: t.status in wait_for or t.status in TaskStatus.TERMINAL)
            except WaitTimeout as error:
                message = '%s is still %s after waiting for %s: %s; the task goes on: raise wait_timeout, or run this task ' \
                          'again to wait more' % (task.label, task.status_raw or 'without a status', ', '.join(wait_for), error)
                raise OperationError(message, tasks=[info_entry(task)], polls=error.polls) from None
        if task.status not in wait_for:
            message = '%s reached %s, not one of %s' % (task.label, task.status_raw, ', '.join(wait_for))
            if task.status in TaskStatus.FAILED_ALL:
                message += '; ' + describe_failure(task)
            raise OperationError(message, tasks=[info_entry(task)])
    return {'changed': False, 'tasks': [info_entry(t) for t in tasks]}
