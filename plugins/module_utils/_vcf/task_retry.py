# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``vcf_task_retry`` does: read, decide, retry (once per attempt), wait, retry again up to ``max_attempts``.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import json
import time

from ansible_collections.cloudops.orchestrator.plugins.module_utils._adopt import adopt, adoption_window
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, OperationError, WaitTimeout
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import to_epoch_ms
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import TaskService, list_refused
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import (
    Action, TaskStatus, decide_retry, describe_failure, is_credentials_refusal, matches_selector, merge_summaries,
    selector_params, task_ids,
)


RETRY_GRACE_DEFAULT = 120.0


def failure_signature(task):
    """What tells one failure from the next: status, completionTimestamp and errors (a new attempt changes one)."""
    raw = task.raw
    return json.dumps([task.status, raw.get('completionTimestamp'), raw.get('errors')],
                      sort_keys=True, default=str)


def needs_update_spec(task):
    """True for a credentials UPDATE task: its retry must carry the new passwords (the server has none to reuse)."""
    return bool(task.credentials and task.operation_type == 'UPDATE')


def no_record_refusal(task):
    """Why a credentials task the credentials API does not know is not retried (its PATCH would carry no resources)."""
    return ('%s is a credentials task but /v1/credentials/tasks has no record of it, so it cannot be retried; no retry was '
            'sent; check the task in SDDC Manager (Security > Password Management) and start a new credentials operation there'
            % task.label)


def update_refusal(task):
    """Why a credentials UPDATE task cannot be retried without ``credentials_update``."""
    return ('%s is a credentials UPDATE task: its retry must carry the new passwords, which SDDC Manager does not '
            'keep; give them in credentials_update (resource_type, resource_name, credentials: username, password) '
            'and run again' % task.label)


class RetryRun:
    """One ``vcf_task_retry`` run: read, decide, retry (once per attempt), wait, retry again up to ``max_attempts``."""

    # Below this many pending /v1/tasks tasks a round reads each by id; from it on, one list covers them.
    LIST_FROM = 3

    def __init__(self, service, wait=True, max_attempts=1, check_mode=False, waiter_factory=None,
                 clock=time.monotonic, wait_timeout=600.0, warn=None, selector=None, retry_grace=None,
                 update_elements=None, skip_not_retryable=False):
        self.service = service
        # True: a task that cannot be retried is listed in ``skipped_tasks`` with its reason; False: it fails the whole run.
        self.skip_not_retryable = skip_not_retryable
        self.skipped = []
        self.retry_grace = float(RETRY_GRACE_DEFAULT if retry_grace is None else retry_grace)
        # The ResourceCredentials (with the new passwords) a credentials UPDATE retry sends; None: not given.
        self.update_elements = update_elements
        # id -> (the task's failure signature before its last retry, clock time of that retry)
        self._retried_at = {}
        self.selector = selector
        self.use_list = True
        self.wait = wait
        self.max_attempts = max(1, int(max_attempts or 1))
        self.check_mode = check_mode
        self.waiter_factory = waiter_factory
        self.clock = clock
        self.wait_timeout = float(wait_timeout)
        self.warn = warn or (lambda msg: None)
        self.tasks = []
        self.failures = []
        # The tasks still waited on when wait_timeout ran out (see wait_all).
        self.unsettled = []
        self.changed = False
        self.retried = []
        # The monotonic end of wait_timeout once waiting has begun: the adoption of a lost re-retry stops there.
        self._deadline = None

    def add(self, task):
        if any(t.id == task.id for t in self.tasks):
            return
        self.tasks.append(task)

    def send_retry(self, task):
        """Retry ``task``; a lost answer is followed by fresh reads, never by a second PATCH.

        Returns True when the server took the retry. Raises ApiError for a refusal (409 with the server's words).
        """
        if needs_update_spec(task) and not self.update_elements:
            raise OperationError(update_refusal(task), **self.result())
        if getattr(task, 'record_missing', False):
            raise OperationError(no_record_refusal(task), **self.result())
        signature = failure_signature(task)
        try:
            self.service.retry(task, update_elements=self.update_elements)
        except AnswerLost as error:
            return self._after_lost_answer(task, error, signature)
        except ApiError as error:
            if not task.credentials and is_credentials_refusal(error):
                # The server told us this is a credentials task: switch APIs and try there.
                cred = self.service.as_credentials(task)
                self._swap(task, cred)
                return self.send_retry(cred)
            raise
        task.attempts += 1
        self._retried_at[task.id] = (signature, self.clock())
        return True

    def not_started(self, task, grace_over=False):
        """True when ``task`` still reads the failure it had before its last retry (no sign of the new attempt):
        within ``retry_grace`` that means "not started yet"; with ``grace_over``, that the grace has passed."""
        known = self._retried_at.get(task.id)
        if known is None or task.status not in TaskStatus.RETRYABLE or failure_signature(task) != known[0]:
            return False
        within = self.clock() - known[1] < self.retry_grace
        return not within if grace_over else within

    def _swap(self, old, new):
        self.tasks[self.tasks.index(old)] = new

    def _after_lost_answer(self, task, lost, signature=None):
        """The retry PATCH may have been applied: read the task (``_adopt.adopt``) until it has moved on; never resend.

        The task has moved on when it no longer reads FAILED, or when it reads a failure other than the one it had
        before the PATCH (``signature``, see :func:`failure_signature`): a retry that failed again before the first
        look still shows, by its new ``completionTimestamp`` (or errors), that it ran.
        """
        def find():
            self.service.refresh(task)
            if task.status not in TaskStatus.RETRYABLE:
                return [task]
            return [task] if signature is not None and failure_signature(task) != signature else []

        client = self.service.client
        adopt(lost, find, adoption_window(getattr(client, 'timeout', None)), 'retry', ident=lambda t: t.id,
              describe=lambda t: '%s (now %s)' % (t.label, t.status_raw),
              missing='%s is still %s with the failure it had before the retry' % (task.label, task.status or 'FAILED'),
              adopted='the retry was applied: %s',
              look_at='%s (vcf_task_info with task_id)' % task.label,
              rerun=('re-running the task retries it again if it still reads FAILED, so first check in SDDC Manager '
                     'whether this retry ran'),
              warn=self.warn, fail=OperationError, ids_key='task_ids', deadline=self._deadline,
              clock=self.clock, sleep=getattr(client, 'sleep', time.sleep))
        task.attempts += 1
        return True

    def start(self):
        """Decide for every task, then retry each once; returns the tasks to wait on.

        When any task cannot be retried nothing at all is sent: the run fails with every reason. With
        ``skip_not_retryable`` such tasks are listed in ``skipped_tasks`` (id and reason) instead, and the others go on.
        """
        decisions = [(task, decide_retry(task)) for task in self.tasks]
        refusals = [(task, reason) for task, (action, reason) in decisions if action == Action.FAIL]
        refusals.extend((task, update_refusal(task)) for task, (action, _reason) in decisions
                        if action == Action.RETRY and needs_update_spec(task) and not self.update_elements)
        if self.skip_not_retryable:
            self.skipped.extend({'id': task.id, 'reason': reason} for task, reason in refusals)
            skipped = set(entry['id'] for entry in self.skipped)
            decisions = [(task, decision) for task, decision in decisions if task.id not in skipped]
        else:
            self.failures.extend(reason for _task, reason in refusals)
        if self.failures:
            return []
        to_wait = []
        for task, (action, _reason) in decisions:
            if action == Action.RETRY:
                self.changed = True
                self.retried.append(task.id)
                if not self.check_mode:
                    try:
                        self.send_retry(task)
                    except (ApiError, OperationError) as error:
                        self.retried.remove(task.id)
                        if not self.retried:
                            raise
                        raise self.after_sent(error) from None
                    to_wait.append(self._current(task))
            elif action == Action.RUNNING:
                to_wait.append(task)
        return to_wait

    def after_sent(self, error):
        """The failure of a retry PATCH that came after others were sent (and taken): the message and the result say
        that those were retried (``changed``, ``retried``), so that the failure is not read as "nothing was sent"."""
        details = dict(error.result) if isinstance(error, OperationError) else {'error': error.to_result()}
        sent = ', '.join(self.retried)
        message = '%s; the retry of %s was sent before this one and is not waited on: look at %s with ' \
                  'cloudops.orchestrator.vcf_task_info (task_id) before running this again' % (
                      str(error).rstrip('. '), sent, 'it' if len(self.retried) == 1 else 'them')
        details.update(self.result())
        return OperationError(message, **details)

    def _current(self, task):
        """The live object for a task (a retry may have swapped it for its credentials view)."""
        for known in self.tasks:
            if known.id == task.id:
                return known
        return task

    def wait_all(self, pending):
        """Wait for ``pending`` to end; retry the ones that fail again while attempts remain.

        One overall deadline (``wait_timeout``) covers every round of re-retries. The first poll comes one poll
        interval after the retries (a task just retried is running), and each poll reads only unfinished tasks:
        see :meth:`poll`.
        """
        deadline = self.clock() + self.wait_timeout
        self._deadline = deadline
        while pending:
            remaining = max(0.0, deadline - self.clock())
            waiter = self.waiter_factory(remaining)
            first_delay = getattr(waiter, 'interval', 0.0) or 0.0
            # Ids seen terminal by a poll of this round (before the first poll, a retried task still reads FAILED).
            settled = set()
            try:
                waiter.wait(lambda: self.poll(pending, settled), lambda tasks: all(t.id in settled for t in tasks),
                            first_delay=first_delay)
            except WaitTimeout:
                # The ones still waited on (a task just retried may still read its old FAILED: not yet started).
                self.unsettled = [t for t in pending if t.id not in settled]
                raise
            again = []
            for task in pending:
                if task.status in TaskStatus.SUCCEEDED:
                    continue
                never_started = self.not_started(task, grace_over=True)
                if (task.status in TaskStatus.RETRYABLE and task.retryable is not False
                        and 0 < task.attempts < self.max_attempts):
                    # Past retry_grace a retry that never showed may be sent again (never within it).
                    self.send_retry(task)
                    again.append(self._current(task))
                    continue
                if never_started:
                    self.failures.append('%s still reads %s with the failure it had before the retry, %.0f s '
                                         '(retry_grace) after it: SDDC Manager did not visibly start the retry; look at '
                                         'the task in SDDC Manager, or raise retry_grace'
                                         % (task.label, task.status_raw, self.retry_grace))
                    continue
                self.failures.append(describe_failure(task) if task.status in TaskStatus.FAILED_ALL
                                     else '%s ended %s while waiting' % (task.label, task.status_raw))
            pending = again

    def poll(self, tasks, settled):
        """Refresh the ones of ``tasks`` not in ``settled`` in place, add those now terminal to it; return ``tasks``.

        With at least :attr:`LIST_FROM` unfinished ``/v1/tasks`` tasks, one ``GET /v1/tasks?taskStatus=IN_PROGRESS``
        (narrowed by filters every one of them matches; in the spelling the tasks read last, then in the other while a
        task is missing, see ``TaskService.find``) covers those still running. A task missing from it has
        moved on (or is PENDING/QUEUED): when at least :attr:`LIST_FROM` did, one page of ``completedAfter`` their
        creation settles those it shows finished with sub-tasks and errors; every other one is read by id once.
        Fewer tasks, credentials tasks, and servers that refuse the list are read by id.
        """
        unfinished = [t for t in tasks if t.id not in settled]
        by_id = [t for t in unfinished if t.credentials]
        listed = [t for t in unfinished if not t.credentials]
        if not self.use_list or len(listed) < self.LIST_FROM:
            by_id, listed = unfinished, []
        if listed:
            by_id.extend(self._poll_list(listed))
        for task in by_id:
            self.service.refresh(task)
        for task in unfinished:
            if task.status not in TaskStatus.RETRYABLE:
                # The retry showed (running, or finished otherwise): a failure read later is a new one.
                self._retried_at.pop(task.id, None)
        # A retried task still reading its pre-retry failure has not started yet (retry lag): keep waiting.
        settled.update(t.id for t in unfinished if t.status in TaskStatus.TERMINAL and not self.not_started(t))
        return tasks

    def list_params(self, tasks):
        """``/v1/tasks`` filters for the running ``tasks``: IN_PROGRESS, plus the selector's when each task matches."""
        params = {}
        if self.selector and all(matches_selector(t, self.selector) for t in tasks):
            params = selector_params(dict(self.selector, completed_after=None))
        types = {str(t.type) for t in tasks if t.type}
        if 'taskType' not in params and len(types) == 1 and all(t.type for t in tasks):
            params['taskType'] = types.pop()
        params['taskStatus'] = TaskStatus.IN_PROGRESS
        return params

    def _poll_list(self, tasks):
        """Update ``tasks`` from the running list; return the ones it did not settle (to be read by id)."""
        # The running spelling these tasks were last read with is asked first: on a server that spells them IN_PROGRESS
        # and matches taskStatus exactly, one list finds them all while they run.
        spelt = [str(t.raw.get('status')) for t in tasks if TaskStatus.normalise(t.raw.get('status')) == TaskStatus.IN_PROGRESS]
        first = max(sorted(set(spelt)), key=spelt.count) if spelt else None
        try:
            seen = self.service.find({t.id for t in tasks}, self.list_params(tasks), first=first)
        except ApiError as error:
            if not list_refused(error):
                raise
            # This server will not list tasks that way: read by id from now on.
            self.use_list = False
            return list(tasks)
        gone = []
        for task in tasks:
            raw = seen.get(task.id)
            if raw is not None and TaskStatus.normalise(raw.get('status')) in TaskStatus.RUNNING:
                task.update(raw)
            else:
                gone.append(task)
        if len(gone) < self.LIST_FROM:
            return gone
        return self._settle_from_list(gone)

    def _settle_from_list(self, tasks):
        """Tasks that left the running list: one page of those completed since they were created, when it has them
        with their sub-tasks and errors; return the ones it did not settle (to be read by id)."""
        created = []
        for task in tasks:
            try:
                created.append(to_epoch_ms(task.raw.get('creationTimestamp')))
            except ValueError:
                created.append(None)
        if None in created:
            return tasks
        params = self.list_params(tasks)
        del params['taskStatus']
        params['completedAfter'] = min(created) - 1
        try:
            # One page at most: a busy server's history is read by id instead.
            seen = self.service.find({t.id for t in tasks}, params, max_items=TaskService.PAGE_SIZE)
        except ApiError as error:
            if not list_refused(error):
                raise
            return tasks
        unsettled = []
        for task in tasks:
            raw = seen.get(task.id)
            if (raw is not None and TaskStatus.normalise(raw.get('status')) in TaskStatus.TERMINAL
                    and isinstance(raw.get('subTasks'), list) and isinstance(raw.get('errors'), list)):
                task.update(raw)
            else:
                unsettled.append(task)
        return unsettled

    def result(self):
        entries = [t.result() for t in self.tasks]
        for entry in entries:
            entry['retried'] = entry['id'] in self.retried
        errors = []
        for entry in entries:
            errors.extend(entry['errors'])
        return {
            'changed': self.changed,
            'tasks': entries,
            'retried': list(self.retried),
            'subtasks': merge_summaries((t.id, t.subtask_summary()) for t in self.tasks),
            'errors': errors,
            # Not 'skipped': Ansible reserves that key for a task that did not run.
            'skipped_tasks': list(self.skipped),
        }


def run(module):
    """``vcf_task_retry``: reads the options once; returns the result or raises OperationError."""
    p = module.params
    return retry(TaskService(module.client()), task_ids(p.get('task_id'), p.get('task_ids')), p.get('failed_tasks'),
                 max_results=p.get('max_results'), wait=p['wait'], max_attempts=p['max_attempts'],
                 wait_timeout=p['wait_timeout'], check_mode=module.check_mode, waiter_factory=module.waiter,
                 warn=module.warn, retry_grace=p.get('retry_grace'),
                 update_elements=update_elements(p.get('credentials_update')),
                 skip_not_retryable=p.get('skip_not_retryable', False))


def update_elements(given):
    """The CredentialsUpdateSpec ``elements`` (ResourceCredentials) of the ``credentials_update`` option; None when unset."""
    if not given:
        return None
    elements = []
    for resource in given:
        element = {'resourceType': resource['resource_type'], 'credentials': []}
        for key, name in (('resource_name', 'resourceName'), ('resource_id', 'resourceId')):
            if resource.get(key):
                element[name] = resource[key]
        for credential in resource.get('credentials') or []:
            entry = {'username': credential['username'], 'password': credential['password']}
            for key, name in (('credential_type', 'credentialType'), ('account_type', 'accountType')):
                if credential.get(key):
                    entry[name] = credential[key]
            element['credentials'].append(entry)
        elements.append(element)
    return elements


def timeout_tail(waited, retried):
    """What a wait that timed out leaves running: a retry that was sent, or a task that was already running (no retry
    was sent for it, so the message must not say there was one)."""
    sent = set(retried)
    running = [t.id for t in waited if t.id not in sent]
    if not running:
        return 'the retry was sent and goes on'
    if len(running) == len(waited):
        return 'no retry was sent (already running, not failed) and it goes on'
    return 'the retry was sent and goes on; no retry was sent for %s (already running)' % ', '.join(running)


def retry(service, ids, selector, max_results=None, wait=True, max_attempts=1, wait_timeout=600.0, check_mode=False,
          waiter_factory=None, warn=None, retry_grace=None, update_elements=None, skip_not_retryable=False):
    """Retry the tasks ``ids`` and the FAILED ones matching ``selector`` (None: none); the module result.

    ``skip_not_retryable``: tasks that cannot be retried are listed in the result's ``skipped_tasks`` instead of failing it.
    """
    run = RetryRun(service, wait=wait, max_attempts=max_attempts, check_mode=check_mode,
                   waiter_factory=waiter_factory, wait_timeout=wait_timeout, warn=warn, selector=selector,
                   retry_grace=retry_grace, update_elements=update_elements, skip_not_retryable=skip_not_retryable)
    for task_id in ids:
        run.add(service.get(task_id))
    matched = None
    if selector is not None:
        matched = 0
        for task in service.list(selector_params(selector, status=TaskStatus.FAILED), max_results=max_results):
            # The server filtered already; checking again keeps a server that ignores a filter from widening a retry.
            if task.status == TaskStatus.FAILED and matches_selector(task, selector):
                matched += 1
                run.add(service.as_credentials(task) if task.looks_like_credentials else task)

    pending = run.start()
    if run.wait and not check_mode and pending:
        try:
            run.wait_all(pending)
        except WaitTimeout as error:
            waited = run.unsettled or [t for t in run.tasks if t.status not in TaskStatus.TERMINAL]
            running = ', '.join(t.label + ' (' + str(t.status_raw or 'no status') + ')' for t in waited)
            message = '%s; still waited on: %s; %s: wait for it with cloudops.orchestrator.vcf_task_info (task_id, wait_for), ' \
                      'or raise wait_timeout' % (error, running, timeout_tail(waited, run.retried))
            raise OperationError(message, polls=error.polls, **run.result()) from None
    result = run.result()
    if matched is not None:
        result['matched'] = matched
    if run.failures:
        raise OperationError('; '.join(run.failures), **result)
    if run.retried:
        result['msg'] = '%s %d task(s): %s' % ('would retry' if check_mode else 'retried', len(run.retried),
                                               ', '.join(run.retried))
    elif not run.tasks:
        result['msg'] = 'no task matched'
    else:
        result['msg'] = 'nothing to retry'
    if run.skipped:
        result['msg'] += '; skipped %d that cannot be retried: %s (see skipped_tasks for the reasons)' % (
            len(run.skipped), ', '.join(entry['id'] for entry in run.skipped))
    return result
