# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``orch_task`` does: create, update, delete and wait, with check mode predicting change and diff.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import MIN_SECRET_LEN, masked, secret_values
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, InputError, OperationError, WaitTimeout
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.model import (
    TaskStatus, diff_task, full_update, masked_fields_left_out, server_masked_secrets, task_fields, task_id_text,
    wait_done, with_desired_secrets, with_iso_times,
)


def _learner(add_secret):
    """``learn(task)``: each secret value of a task read from the server (:func:`_client.secret_values`) goes to
    ``add_secret``, so that an error text or a warning quoting it later (a 409 echoing the task) is masked too;
    returns the task."""
    def learn(task):
        if add_secret is not None:
            for secret in sorted(secret_values(task)):
                add_secret(secret)
        return task
    return learn


def _wait_for_status(waiter, engine, task_id, statuses, result, learn=None, created=False):
    """Poll the task until its status is one of ``statuses``; fail on a known final status that is not wanted.

    ``created``: this run just created the task, which may answer 404 for a moment (the node that answered the POST
    and the one answering the read are not in step): until a read shows it, for the request timeout plus a margin
    (``Waiter.readable_by``), a 404 is a task not readable yet, and polling goes on; a 404 after that, or after a
    read showed the task, fails (the caller names the task)."""
    wanted = [TaskStatus.normalise(s) for s in statuses]
    learn = learn or _learner(None)
    poller = waiter()
    unread = {'until': poller.readable_by(getattr(engine.client, 'timeout', None)) if created else None, 'error': None}
    done = wait_done(wanted)

    def fetch():
        try:
            task = learn(engine.get(task_id))
        except ApiError as error:
            if unread['until'] is None or not poller.not_readable_yet(error, unread['until']):
                raise
            unread['error'] = error
            return None
        unread['until'] = None  # shown once: a 404 from now on is a task gone
        return task

    try:
        task = poller.wait(fetch, lambda task: task is not None and done(task))
    except WaitTimeout as error:
        if error.last is None and unread['error'] is not None:
            # Every read answered 404 until wait_timeout ended, within the grace: said so, never "without a status".
            raise OperationError('task %s was created, but every read of it answered HTTP 404 until wait_timeout (%s): '
                                 'the server may not serve it yet; follow it with cloudops.orchestrator.orch_task (id: %s, '
                                 'wait_for_status) rather than running this again, which creates another task' % (
                                     task_id, error, task_id), polls=error.polls, error=unread['error'].to_result(),
                                 **result) from None
        if error.last is not None:
            result['task'] = with_iso_times(error.last)
        # An answer without a status is said so, never as "None".
        status = (error.last or {}).get('status') or 'without a status'
        raise OperationError('task %s is still %s after waiting for %s: %s; the task goes on: follow it with '
                             'cloudops.orchestrator.orch_task (id: %s, wait_for_status), or raise wait_timeout' % (
                                 task_id, status, ', '.join(wanted), error, task_id), polls=error.polls, **result) from None
    result['task'] = with_iso_times(task)
    status = TaskStatus.normalise(task.get('status'))
    if status not in wanted:
        message = 'task %s reached %s, not one of %s' % (task_id, task.get('status'), ', '.join(wanted))
        if task.get('error_message'):
            # As the entry shows it: a password of the task's parm that it quotes is masked (given or not in this run).
            message += ': %s' % result['task'].get('error_message')
        raise OperationError(message, **result)


def run(module):
    """``orch_task``: reads the options once; returns the result or raises."""
    p = module.params
    # A password in the task's parm: masked by value in every result, warning and message of this run (the shaped
    # results mask it by key; a server's error quoting it is caught here).
    given = sorted(secret_values(p.get('task') or {}))
    for secret in given:
        module.add_secret(secret)
    if secret_values(p.get('task') or {}, shortest=1) - secret_values(p.get('task') or {}):
        module.warn('a secret in task is shorter than %d characters: it is masked under its own key, but not where a '
                    'server message quotes it (masking it there would replace every occurrence of those characters); '
                    'use a longer secret' % MIN_SECRET_LEN)
    client = module.client()

    def add_secret(value):
        # Masked by value in every result, warning and message of this run, and in the error texts the client builds
        # (in every form an answer may quote it: JSON-escaped, percent-encoded).
        module.add_secret(value)
        client.add_secret(value)
    for secret in given:
        client.add_secret(secret)
    return manage_task(TaskEngine(client, user=p.get('username'), project=p.get('project')), p.get('id'),
                       p.get('task'), p['state'], p.get('wait_for_status'), p['wait'], check_mode=module.check_mode,
                       waiter=module.waiter, warn=module.warn, add_secret=add_secret)


def manage_task(engine, task_id, task, state, statuses=None, wait=True, check_mode=False, waiter=None, warn=None,
                add_secret=None):
    """Create (no ``task_id``), update or delete (``state`` absent) one task; wait for ``statuses`` with ``waiter()``.
    ``add_secret(value)`` is given each secret value of the task as read, before anything else is sent."""
    given_id = task_id
    learn = _learner(add_secret)
    desired = task_fields(task)
    statuses = statuses or []
    # A misspelt status would be waited for until wait_timeout: said before anything is created.
    unknown = TaskStatus.unknown_warning(statuses, 'wait_for_status')
    if unknown and warn is not None:
        warn(unknown)
    result = {'changed': False}

    if state == 'absent':
        if not task_id:
            raise InputError('state=absent needs the id of the task to delete')
        current = learn(engine.get(task_id, missing_ok=True))
        if current is None:
            return {'changed': False, 'task': None, 'diff': {'before': {}, 'after': {}},
                    'msg': 'task %s does not exist' % task_id}
        result['task'] = with_iso_times(current)
        # A diff names the fields as the API does (what a change sends), like the update's diff.
        result['diff'] = {'before': masked(current), 'after': {}}
        result['changed'] = True if check_mode else engine.delete(task_id)
        result['msg'] = '%s task %s' % ('would delete' if check_mode else 'deleted', task_id)
        return result

    if not task_id:
        if not desired:
            raise InputError("creating a task needs 'task' (at least eventTopic and parm); to read or follow an "
                             "existing task give its id")
        result['changed'] = True
        result['diff'] = {'before': {}, 'after': masked(desired)}
        if check_mode:
            result['task'] = with_iso_times(desired)
            result['msg'] = 'would create a task'
            return result
        created = engine.create(desired, warn=warn)
        task_id = task_id_text(created.get('id'))
        result['task'] = with_iso_times(created)
        result['msg'] = 'created task %s' % task_id
    else:
        current = learn(engine.get(task_id))
        unreadable = server_masked_secrets(current, desired)
        if unreadable and warn is not None:
            warn('task %s: the server returns %s masked, so the value given cannot be compared with it: it is not '
                 'reported as changed and is sent only along with a change of another field; to set it for sure, '
                 'delete the task (state: absent) and create it again' % (task_id, ', '.join(unreadable)))
        changes, diff = diff_task(current, desired)
        result['task'] = with_iso_times(current)
        result['diff'] = diff
        if changes:
            result['changed'] = True
            predicted = dict(current)
            predicted.update(changes)
            if check_mode:
                result['task'] = with_iso_times(predicted, known=current)
            else:
                # The whole definition goes out: a server that replaces the task on PUT loses nothing. The user's
                # own fields go as given (their parm with its secrets), never the server's asterisks.
                left_out = masked_fields_left_out(current, changes, desired)
                if left_out and warn is not None:
                    warn('task %s: %s left out of the update, since the server shows its secrets masked; a server '
                         'that replaces the task on PUT resets it: give the whole %s in task' % (
                             task_id, ', '.join(left_out), ', '.join(left_out)))
                updated = engine.update(task_id, full_update(with_desired_secrets(current, desired), changes, desired))
                result['task'] = with_iso_times(updated if updated and updated.get('id') is not None else predicted,
                                                known=current)
            result['msg'] = '%s task %s: %s' % ('would update' if check_mode else 'updated', task_id,
                                                ', '.join(sorted(changes)))
        else:
            result['msg'] = 'task %s already as wanted' % task_id

    if statuses and wait and not check_mode:
        if task_id is None:
            raise InputError('the server did not return the id of the created task, so it cannot be followed')
        try:
            _wait_for_status(waiter, engine, task_id, statuses, result, learn, created=not given_id)
        except ApiError as error:
            # The task exists (and may be new): the failure names it, so that it is not lost track of.
            done = dict(result, error=error.to_result())
            done.pop('msg', None)
            raise OperationError('%s; task %s %s: follow it with orch_task_info' % (
                error, task_id, 'was created' if not given_id else 'exists'), **done) from None
    return result
