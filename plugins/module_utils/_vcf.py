# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""VMware Cloud Foundation SDDC Manager task layer.

Internal use only: this file may change without notice between releases.

Speaks in SDDC Manager's nouns: a :class:`Task` (``/v1/tasks``), a :class:`CredentialsTask`
(``/v1/credentials/tasks``), their :class:`TaskStatus` and sub-tasks. The pure parts (status normalisation,
the retry decision table, sub-task summaries, selector matching) have no I/O; :class:`TaskService` does the
HTTP through the shared client; :func:`run_task_retry` and :func:`run_task_info` are what the modules call.
"""

from __future__ import annotations

import re
import time

from ansible_collections.cloudops.orchestrator.plugins.module_utils._adopt import adopt, adoption_window
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, OperationError, WaitTimeout
from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import check_minimum
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import path_segment
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import OBJECT, check_shape, items_problem, server_words
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import to_epoch_ms


class TaskStatus:
    """SDDC Manager task statuses, normalised (the API mixes ``FAILED`` and ``Failed`` in one enum)."""

    PENDING = 'PENDING'
    QUEUED = 'QUEUED'
    IN_PROGRESS = 'IN_PROGRESS'
    SUCCESSFUL = 'SUCCESSFUL'
    COMPLETED_WITH_WARNING = 'COMPLETED_WITH_WARNING'
    SKIPPED = 'SKIPPED'
    FAILED = 'FAILED'
    TIMED_OUT = 'TIMED_OUT'
    CANCELLED = 'CANCELLED'
    USER_CANCELLED = 'USER_CANCELLED'
    INCONSISTENT = 'INCONSISTENT'
    NOT_APPLICABLE = 'NOT_APPLICABLE'

    RUNNING = frozenset((PENDING, QUEUED, IN_PROGRESS))
    SUCCEEDED = frozenset((SUCCESSFUL, COMPLETED_WITH_WARNING, SKIPPED))
    # TIMED_OUT (9.1) is a failure that SDDC Manager offers to retry, like FAILED.
    RETRYABLE = frozenset((FAILED, TIMED_OUT))
    CANCELLED_ALL = frozenset((CANCELLED, USER_CANCELLED))
    FAILED_ALL = frozenset((FAILED, TIMED_OUT, INCONSISTENT))
    TERMINAL = SUCCEEDED | FAILED_ALL | CANCELLED_ALL | frozenset((NOT_APPLICABLE,))
    KNOWN = RUNNING | TERMINAL

    @staticmethod
    def normalise(raw):
        """``'In Progress'`` -> ``'IN_PROGRESS'``: upper-case, runs of spaces to one ``_``; None -> ``''``."""
        if raw is None:
            return ''
        return re.sub(r'\s+', '_', str(raw).strip()).upper()

    @classmethod
    def is_terminal(cls, status):
        return cls.normalise(status) in cls.TERMINAL


class Action:
    """What :func:`decide_retry` tells the caller to do with one task."""

    RETRY = 'retry'      # send the retry
    RUNNING = 'running'  # nothing to retry; wait on it when asked to
    DONE = 'done'        # already finished well; nothing to do
    FAIL = 'fail'        # cannot be retried; the reason says why


def _is_false(value):
    """True only for an explicit false (``isRetryable`` missing or null means "not known": retry)."""
    if isinstance(value, str):
        return value.strip().lower() == 'false'
    return value is False


def decide_retry(task):
    """The retry decision table for one task: returns ``(action, reason)``.

    ``task`` is a :class:`Task` or a raw task mapping. FAILED (or TIMED_OUT) with ``isRetryable`` not false
    is retried; PENDING, QUEUED and IN_PROGRESS are left alone; SUCCESSFUL, COMPLETED_WITH_WARNING and SKIPPED
    need nothing; CANCELLED, a failure marked not retryable, and anything unknown are refused with a reason.
    """
    if not isinstance(task, Task):
        task = Task(task)
    status, label = task.status, task.label
    if status in TaskStatus.RETRYABLE:
        if task.retryable is False:
            return Action.FAIL, ('%s is %s and SDDC Manager marks it as not retryable (isRetryable: false); '
                                 'fix the cause and start the operation again' % (label, status))
        return Action.RETRY, '%s is %s' % (label, status)
    if status in TaskStatus.RUNNING:
        return Action.RUNNING, '%s is %s; nothing to retry' % (label, status)
    if status in TaskStatus.SUCCEEDED:
        return Action.DONE, '%s is already %s; nothing to retry' % (label, status)
    if status in TaskStatus.CANCELLED_ALL:
        return Action.FAIL, ('%s was cancelled (%s); a cancelled task cannot be retried, start the operation '
                             'again' % (label, task.status_raw))
    if status == TaskStatus.INCONSISTENT:
        return Action.FAIL, ('%s is INCONSISTENT; it cannot be retried, remediate the credentials instead '
                             '(operationType REMEDIATE)' % label)
    return Action.FAIL, ('%s has status %r, which is not one this module knows how to retry; only FAILED tasks '
                         'can be retried' % (label, task.status_raw))


_CREDENTIALS_TYPE = re.compile(r'CREDENTIAL|PASSWORD', re.IGNORECASE)
_CREDENTIALS_NAME = re.compile(r'\b(credentials?|passwords?)\b.*\b(rotat|updat|remediat)', re.IGNORECASE)
CREDENTIALS_OPERATIONS = frozenset(('UPDATE', 'ROTATE', 'REMEDIATE', 'UPDATE_AUTO_ROTATE_POLICY'))


# The parts of a VCF Task the modules read: a wrong type there is a wrong-shape answer, not a traceback.
TASK_FIELDS = {'status': str, 'subTasks': list, 'errors': list}
# The nested parts walked by _walk_subtasks, Task.errors and task_error.
SUBTASK_FIELDS = {'subTasks': list, 'dependentSubTasks': list, 'errors': list}
ERROR_FIELDS = {'causes': list}


def task_problem(body, where='an object whose '):
    """``(problem, expected)`` for the first sub-task or error of a Task that cannot be read; None when all can.
    For ``check_shape``'s ``inner``."""
    if not isinstance(body, dict):
        return None
    found = items_problem(body.get('errors'), OBJECT, where + 'errors', ERROR_FIELDS)
    for key in ('subTasks', 'dependentSubTasks'):
        subtasks = body.get(key)
        found = found or items_problem(subtasks, OBJECT, where + key, SUBTASK_FIELDS)
        for index, sub in enumerate(subtasks if isinstance(subtasks, list) else []):
            found = found or task_problem(sub, '%s%s[%d].' % (where, key, index))
    return found


def checked_element(client, raw, path='/tasks'):
    """One element of a ``/v1/tasks`` page, checked like a task read (the page's URL named when it is wrong)."""
    return check_shape(raw, OBJECT, TASK_FIELDS, method='GET', url=client.url_for(path), status=200, inner=task_problem)


class Task:
    """One SDDC Manager task as returned by ``/v1/tasks`` (a thin view over the raw mapping)."""

    credentials = False

    def __init__(self, raw, task_id=None):
        self.raw = raw if isinstance(raw, dict) else {}
        self.id = str(self.raw.get('id') or task_id or '')
        self.attempts = 0

    @property
    def name(self):
        return self.raw.get('name')

    @property
    def type(self):
        return self.raw.get('type')

    @property
    def status_raw(self):
        return self.raw.get('status')

    @property
    def status(self):
        return TaskStatus.normalise(self.status_raw)

    @property
    def retryable(self):
        """False when the server says ``isRetryable: false``; True or None otherwise."""
        value = self.raw.get('isRetryable')
        if _is_false(value):
            return False
        return None if value is None else True

    @property
    def label(self):
        return "task %s%s" % (self.id, " '%s'" % self.name if self.name else '')

    @property
    def looks_like_credentials(self):
        """Credential rotation/update tasks cannot be retried through ``/v1/tasks`` (the API notes say so)."""
        if self.type and _CREDENTIALS_TYPE.search(str(self.type)):
            return True
        return bool(self.name and _CREDENTIALS_NAME.search(str(self.name)))

    def update(self, raw):
        if isinstance(raw, dict) and raw:
            self.raw = raw
        return self

    def subtasks(self):
        """Every sub-task, depth first (sub-tasks may nest, and credentials sub-tasks have dependents)."""
        return list(_walk_subtasks(self.raw.get('subTasks')))

    def subtask_summary(self):
        return summarize_subtasks(self.raw.get('subTasks'))

    def errors(self):
        """The task's ``errors`` (and those of its failed sub-tasks), each with message, remediation and token."""
        found = [task_error(e, self.id) for e in self.raw.get('errors') or [] if isinstance(e, dict)]
        for sub in self.subtasks():
            for err in sub.get('errors') or []:
                if isinstance(err, dict):
                    found.append(task_error(err, self.id, sub.get('name')))
        return found

    def result(self):
        """The per-task entry of the module result."""
        summary = self.subtask_summary()
        return {
            'id': self.id,
            'name': self.name,
            'type': self.type,
            'status': self.status,
            'status_raw': self.status_raw,
            'attempts': self.attempts,
            'credentials_task': self.credentials,
            'is_retryable': self.raw.get('isRetryable'),
            'resolution_status': self.raw.get('resolutionStatus'),
            'creation_timestamp': self.raw.get('creationTimestamp'),
            'completion_timestamp': self.raw.get('completionTimestamp'),
            'subtasks': summary,
            'errors': self.errors(),
        }


class CredentialsTask(Task):
    """A credentials rotation/update task (``/v1/credentials/tasks``): retried with its own PATCH."""

    credentials = True

    def update(self, raw):
        # The credentials view lacks some /v1/tasks fields; keep the last known ones for the result.
        if isinstance(raw, dict) and raw:
            for key in ('resources', 'resolutionStatus'):
                if key not in raw and key in self.raw:
                    raw[key] = self.raw[key]
            self.raw = raw
        return self

    @property
    def operation_type(self):
        kind = TaskStatus.normalise(self.type)
        if kind in CREDENTIALS_OPERATIONS:
            return kind
        for op in ('ROTATE', 'UPDATE', 'REMEDIATE'):
            if op in kind or op in TaskStatus.normalise(self.name):
                return op
        return 'ROTATE'


def _walk_subtasks(subtasks):
    for sub in subtasks or []:
        if not isinstance(sub, dict):
            continue
        yield sub
        for key in ('subTasks', 'dependentSubTasks'):
            yield from _walk_subtasks(sub.get(key))


def summarize_subtasks(subtasks):
    """``{'total', 'counts': {STATUS: n}, 'failed': [names]}`` over every (nested) sub-task."""
    counts = {}
    failed = []
    total = 0
    for sub in _walk_subtasks(subtasks):
        total += 1
        status = TaskStatus.normalise(sub.get('status')) or 'UNKNOWN'
        counts[status] = counts.get(status, 0) + 1
        if status in TaskStatus.FAILED_ALL:
            failed.append(sub.get('name') or sub.get('description') or sub.get('id') or '?')
    return {'total': total, 'counts': counts, 'failed': failed}


def merge_summaries(summaries):
    counts = {}
    failed = []
    total = 0
    for task_id, summary in summaries:
        total += summary['total']
        for status, n in summary['counts'].items():
            counts[status] = counts.get(status, 0) + n
        failed.extend({'task_id': task_id, 'name': name} for name in summary['failed'])
    return {'total': total, 'counts': counts, 'failed': failed}


def task_error(err, task_id=None, subtask=None):
    """The parts of an SDDC Manager Error a user needs: message, remediation and the reference token."""
    entry = {
        'task_id': task_id,
        'message': err.get('message'),
        'remediationMessage': err.get('remediationMessage'),
        'referenceToken': err.get('referenceToken'),
        'errorCode': err.get('errorCode'),
    }
    if subtask:
        entry['subtask'] = subtask
    causes = [c.get('message') for c in err.get('causes') or [] if isinstance(c, dict) and c.get('message')]
    if causes:
        entry['causes'] = causes
    return entry


def describe_failure(task):
    """One line on why a task failed: its failed sub-tasks and each error with remediation and token."""
    parts = ['%s ended %s' % (task.label, task.status_raw)]
    if task.attempts:
        parts[0] += ' after %d retr%s' % (task.attempts, 'y' if task.attempts == 1 else 'ies')
    failed = task.subtask_summary()['failed']
    if failed:
        parts.append('failed sub-tasks: %s' % ', '.join(failed))
    for err in task.errors():
        text = err['message'] or err['errorCode'] or 'error'
        if err.get('subtask'):
            text = '%s: %s' % (err['subtask'], text)
        if err['remediationMessage']:
            text += ' (remediation: %s)' % err['remediationMessage']
        if err['referenceToken']:
            text += ' [referenceToken %s]' % err['referenceToken']
        parts.append(text)
    return '; '.join(parts)


# -- selectors ------------------------------------------------------------------------------------------------

def selector_params(selector, status=None):
    """``/v1/tasks`` query parameters for a selector (``name_contains``, ``type``, ``resource_id``, ...)."""
    selector = selector or {}
    params = {}
    if status:
        params['taskStatus'] = status
    if selector.get('name_contains'):
        params['taskName'] = selector['name_contains']
    if selector.get('type'):
        params['taskType'] = selector['type']
    if selector.get('resource_id'):
        params['resourceId'] = selector['resource_id']
    if selector.get('resource_type'):
        params['resourceType'] = selector['resource_type']
    if selector.get('completed_after') not in (None, ''):
        params['completedAfter'] = to_epoch_ms(selector['completed_after'], option='completed_after')
    return params


def matches_selector(task, selector):
    """Client-side check of a selector, so a server that ignores a filter cannot widen a retry.

    A field the task does not carry is not held against it (the server already filtered on it).
    """
    if not isinstance(task, Task):
        task = Task(task)
    selector = selector or {}
    raw = task.raw
    name_contains = selector.get('name_contains')
    if name_contains and task.name is not None and str(name_contains).lower() not in str(task.name).lower():
        return False
    wanted_type = selector.get('type')
    if wanted_type and task.type is not None and str(wanted_type).upper() != str(task.type).upper():
        return False
    resource_id = selector.get('resource_id')
    resources = raw.get('resources')
    if resource_id and isinstance(resources, list):
        if not any(isinstance(r, dict) and r.get('resourceId') == resource_id for r in resources):
            return False
    resource_type = selector.get('resource_type')
    if resource_type and isinstance(resources, list):
        if not any(isinstance(r, dict) and str(r.get('type', '')).upper() == str(resource_type).upper()
                   for r in resources):
            return False
    after = selector.get('completed_after')
    completed = raw.get('completionTimestamp')
    if after not in (None, '') and completed:
        try:
            if to_epoch_ms(completed) <= to_epoch_ms(after):
                return False
        except ValueError:
            pass
    return True


# -- HTTP ------------------------------------------------------------------------------------------------------

class TaskService:
    """``/v1/tasks`` and ``/v1/credentials/tasks`` through the shared :class:`Client`."""

    PAGE_SIZE = 100

    def __init__(self, client):
        self.client = client

    def get(self, task_id):
        """The task by id: a :class:`Task`, or a :class:`CredentialsTask` when it is one.

        A 404 on ``/v1/tasks`` falls back to ``/v1/credentials/tasks`` before giving up.
        """
        try:
            task = Task(self.client.get('/tasks/%s' % path_segment(task_id), shape=OBJECT, fields=TASK_FIELDS, inner=task_problem), task_id)
        except ApiError as error:
            if getattr(error, 'status', None) != 404:
                raise
            try:
                return CredentialsTask(self.client.get('/credentials/tasks/%s' % path_segment(task_id), shape=OBJECT, fields=TASK_FIELDS,
                                                       inner=task_problem), task_id)
            except ApiError as second:
                # The credentials API answers an unknown id with 400 (its spec documents no 404).
                if getattr(second, 'status', None) in (400, 404):
                    raise error from None
                raise
        if task.looks_like_credentials:
            return self.as_credentials(task)
        return task

    def as_credentials(self, task):
        """Re-read a task through the credentials API; keep the ``/v1/tasks`` view when that API has no record."""
        try:
            raw = self.client.get('/credentials/tasks/%s' % path_segment(task.id), shape=(dict, type(None)), fields=TASK_FIELDS,
                                  inner=task_problem)
        except ApiError as error:
            if getattr(error, 'status', None) not in (400, 404):
                raise
            raw = None
        cred = CredentialsTask(raw if isinstance(raw, dict) and raw else task.raw, task.id)
        cred.attempts = task.attempts
        # The credentials view may lack the fields /v1/tasks has; keep them for the result.
        for key in ('name', 'isRetryable', 'resources', 'resolutionStatus'):
            if key not in cred.raw and key in task.raw:
                cred.raw[key] = task.raw[key]
        return cred

    def refresh(self, task):
        path = '/credentials/tasks/%s' if task.credentials else '/tasks/%s'
        return task.update(self.client.get(path % path_segment(task.id), shape=OBJECT, fields=TASK_FIELDS, inner=task_problem))

    def list(self, params=None, max_results=None):
        """Every task matching the server-side ``params``, paging with ``pageSize`` 100 up to ``max_results``."""
        pages = self.client.paginate('/tasks', paged, params=params, page_size=self.PAGE_SIZE, max_items=max_results)
        return [Task(checked_element(self.client, raw)) for raw in pages]

    def retry(self, task):
        """Send the retry PATCH once; never resent blindly (``idempotent=False``)."""
        if task.credentials:
            self.client.patch('/credentials/tasks/%s' % path_segment(task.id), json=self.credentials_retry_spec(task),
                              idempotent=False)
        else:
            self.client.patch('/tasks/%s' % path_segment(task.id), idempotent=False)

    def credentials_retry_spec(self, task):
        """The CredentialsUpdateSpec the credentials retry wants: the task's operation and its resources."""
        elements = []
        try:
            found = self.client.get('/credentials/tasks/%s/resource-credentials' % path_segment(task.id))
        except ApiError as error:
            if getattr(error, 'status', None) not in (400, 404, 405):
                raise
            found = None
        if isinstance(found, dict):
            found = found.get('elements')
        if isinstance(found, list):
            elements = [e for e in found if isinstance(e, dict)]
        return {'operationType': task.operation_type, 'elements': elements}


def is_credentials_refusal(error):
    """True when ``/v1/tasks`` refused a retry because the task belongs to the credentials API."""
    if getattr(error, 'status', None) not in (400, 403, 409, 422, 501):
        return False
    text = ' '.join(str(x) for x in (getattr(error, 'server_message', None) or '',
                                     (getattr(error, 'details', None) or {}).get('errorCode') or '',
                                     (getattr(error, 'details', None) or {}).get('remediationMessage') or ''))
    return bool(re.search(r'credential', text, re.IGNORECASE))


# -- the retry run ---------------------------------------------------------------------------------------------

def _list_refused(error):
    """True when a server will not list tasks with these filters (the answer says so), rather than failing."""
    return getattr(error, 'status', None) in (400, 403, 404, 405, 501)


class RetryRun:
    """One ``vcf_task_retry`` run: read, decide, retry (once per attempt), wait, retry again up to ``max_attempts``."""

    # Below this many pending /v1/tasks tasks a round reads each by id; from it on, one list covers them.
    LIST_FROM = 3

    def __init__(self, service, wait=True, max_attempts=1, check_mode=False, waiter_factory=None,
                 clock=time.monotonic, wait_timeout=600.0, warn=None, selector=None):
        self.service = service
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
        try:
            self.service.retry(task)
        except AnswerLost as error:
            return self._after_lost_answer(task, error)
        except ApiError as error:
            if not task.credentials and is_credentials_refusal(error):
                # The server told us this is a credentials task: switch APIs and try there.
                cred = self.service.as_credentials(task)
                self._swap(task, cred)
                return self.send_retry(cred)
            raise
        task.attempts += 1
        return True

    def _swap(self, old, new):
        self.tasks[self.tasks.index(old)] = new

    def _after_lost_answer(self, task, lost):
        """The retry PATCH may have been applied: read the task (``_adopt.adopt``) until it has moved on; never resend."""
        def find():
            self.service.refresh(task)
            return [task] if task.status not in TaskStatus.RETRYABLE else []

        client = self.service.client
        adopt(lost, find, adoption_window(getattr(client, 'timeout', None)), 'retry', ident=lambda t: t.id,
              describe=lambda t: '%s (now %s)' % (t.label, t.status_raw),
              missing='%s is still %s' % (task.label, task.status_raw or 'FAILED'),
              adopted='the retry was applied: %s',
              look_at='%s (vcf_task_info with task_id)' % task.label,
              rerun='re-running the task is safe: it retries only a task that is still FAILED',
              warn=self.warn, fail=OperationError, ids_key='task_ids', deadline=self._deadline,
              clock=self.clock, sleep=getattr(client, 'sleep', time.sleep))
        task.attempts += 1
        return True

    def start(self):
        """Decide for every task, then retry each once; returns the tasks to wait on.

        When any task cannot be retried nothing at all is sent: the run fails with every reason.
        """
        decisions = [(task, decide_retry(task)) for task in self.tasks]
        self.failures.extend(reason for _task, (action, reason) in decisions if action == Action.FAIL)
        if self.failures:
            return []
        to_wait = []
        for task, (action, _reason) in decisions:
            if action == Action.RETRY:
                self.changed = True
                self.retried.append(task.id)
                if not self.check_mode:
                    self.send_retry(task)
                    to_wait.append(self._current(task))
            elif action == Action.RUNNING:
                to_wait.append(task)
        return to_wait

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
            waiter.wait(lambda: self.poll(pending, settled), lambda tasks: all(t.id in settled for t in tasks),
                        first_delay=first_delay)
            again = []
            for task in pending:
                if task.status in TaskStatus.SUCCEEDED:
                    continue
                if (task.status in TaskStatus.RETRYABLE and task.retryable is not False
                        and 0 < task.attempts < self.max_attempts):
                    self.send_retry(task)
                    again.append(self._current(task))
                    continue
                self.failures.append(describe_failure(task) if task.status in TaskStatus.FAILED_ALL
                                     else '%s ended %s while waiting' % (task.label, task.status_raw))
            pending = again

    def poll(self, tasks, settled):
        """Refresh the ones of ``tasks`` not in ``settled`` in place, add those now terminal to it; return ``tasks``.

        With at least :attr:`LIST_FROM` unfinished ``/v1/tasks`` tasks, one ``GET /v1/tasks?taskStatus=IN_PROGRESS``
        (narrowed by filters every one of them matches) covers those still running. A task missing from it has
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
        settled.update(t.id for t in unfinished if t.status in TaskStatus.TERMINAL)
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
        try:
            seen = self._find(tasks, self.list_params(tasks))
        except ApiError as error:
            if not _list_refused(error):
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
            seen = self._find(tasks, params, max_items=TaskService.PAGE_SIZE)
        except ApiError as error:
            if not _list_refused(error):
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

    def _find(self, tasks, params, max_items=None):
        """``{id: raw}`` of the list elements that are ``tasks``, reading pages only until every one was seen."""
        wanted = {t.id for t in tasks}
        seen = {}
        for raw in self.service.client.paginate('/tasks', paged, params=params, page_size=TaskService.PAGE_SIZE,
                                                max_items=max_items):
            task_id = str(checked_element(self.service.client, raw).get('id') or '')
            if task_id in wanted and task_id not in seen:
                seen[task_id] = raw
                if len(seen) == len(wanted):
                    break
        return seen

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
        }


def _task_ids(params):
    ids = []
    for task_id in ([params.get('task_id')] if params.get('task_id') else []) + list(params.get('task_ids') or []):
        if task_id not in ids:
            ids.append(task_id)
    return ids


def run_task_retry(module):
    """``vcf_task_retry``: everything after argument parsing; returns the result or raises OperationError."""
    params = module.params
    check_minimum(params, 'max_results', 1)
    service = TaskService(module.client())
    run = RetryRun(service, wait=params['wait'], max_attempts=params['max_attempts'], check_mode=module.check_mode,
                   waiter_factory=module.waiter, wait_timeout=params['wait_timeout'], warn=module.warn,
                   selector=params.get('failed_tasks'))
    for task_id in _task_ids(params):
        run.add(service.get(task_id))
    selector = params.get('failed_tasks')
    matched = None
    if selector is not None:
        matched = 0
        for task in service.list(selector_params(selector, status=TaskStatus.FAILED),
                                 max_results=params.get('max_results')):
            # The server filtered already; checking again keeps a server that ignores a filter from widening a retry.
            if task.status == TaskStatus.FAILED and matches_selector(task, selector):
                matched += 1
                run.add(service.as_credentials(task) if task.looks_like_credentials else task)

    pending = run.start()
    if run.wait and not module.check_mode and pending:
        try:
            run.wait_all(pending)
        except WaitTimeout as error:
            raise OperationError('%s; still running: %s' % (error, ', '.join(
                t.label + ' (' + str(t.status_raw) + ')' for t in run.tasks if t.status not in TaskStatus.TERMINAL)),
                polls=error.polls, **run.result()) from None
    result = run.result()
    if matched is not None:
        result['matched'] = matched
    if run.failures:
        raise OperationError('; '.join(run.failures), **result)
    if run.retried:
        result['msg'] = '%s %d task(s): %s' % ('would retry' if module.check_mode else 'retried', len(run.retried),
                                               ', '.join(run.retried))
    elif not run.tasks:
        result['msg'] = 'no task matched'
    else:
        result['msg'] = 'nothing to retry'
    return result


def run_task_info(module):
    """``vcf_task_info``: one task, several, or a server-filtered list; optionally wait for statuses."""
    params = module.params
    check_minimum(params, 'max_results', 1)
    service = TaskService(module.client())
    ids = _task_ids(params)
    wait_for = [TaskStatus.normalise(s) for s in params.get('wait_for') or []]
    if wait_for and len(ids) != 1:
        raise ValueError('wait_for follows exactly one task: set task_id (or one entry in task_ids)')
    if ids:
        tasks = [service.get(task_id) for task_id in ids]
    else:
        query = selector_params(params, status=TaskStatus.normalise(params.get('status')) or None)
        if params.get('order'):
            query['orderDirection'] = params['order'].upper()
        if params.get('order_by'):
            query['orderBy'] = params['order_by']
        tasks = service.list(query, max_results=params.get('max_results'))

    if wait_for and not module.check_mode:
        task = tasks[0]
        if task.status not in wait_for:
            try:
                module.waiter().wait(lambda: service.refresh(task),
                                     lambda t: t.status in wait_for or t.status in TaskStatus.TERMINAL)
            except WaitTimeout as error:
                raise OperationError('%s is still %s after waiting for %s: %s' % (
                    task.label, task.status_raw, ', '.join(wait_for), error), tasks=[info_entry(task)],
                    polls=error.polls) from None
        if task.status not in wait_for:
            message = '%s reached %s, not one of %s' % (task.label, task.status_raw, ', '.join(wait_for))
            if task.status in TaskStatus.FAILED_ALL:
                message += '; ' + describe_failure(task)
            raise OperationError(message, tasks=[info_entry(task)])
    return {'changed': False, 'tasks': [info_entry(t) for t in tasks]}


def info_entry(task):
    """The raw task plus ``status`` normalised, ``status_raw`` and a sub-task summary."""
    entry = dict(task.raw)
    entry['id'] = task.id
    entry['status'] = task.status
    entry['status_raw'] = task.status_raw
    entry['credentials_task'] = task.credentials
    entry['subtask_summary'] = task.subtask_summary()
    return entry


# -- connection: what the shared client needs to know about SDDC Manager ---------------------------------------

def error_body(body):
    """SDDC Manager's Error: ``message``, plus errorCode, remediationMessage, referenceToken and every cause."""
    return server_words(body, ('message', 'detail', 'details'),
                        detail_keys=('errorCode', 'remediationMessage', 'referenceToken', 'errorType'),
                        cause_keys=('causes', 'nestedErrors'))


CONNECTION = dict(api_path='/v1', name='SDDC Manager', parse_error=error_body)


def paged(client, path, params, page_size):
    """SDDC Manager paging (``pageNumber``/``pageSize``): yields the ``elements`` of each page."""
    number = previous = None
    pages_read = seen = 0
    guard = client.page_guard(path, page_size, 'pageNumber')
    while True:
        query = dict(params, pageSize=page_size)
        if number is not None:
            query['pageNumber'] = number
        page = client.get(path, params=query, shape=(dict, type(None)),
                          fields={'elements': list, 'pageMetadata': dict}) or {}
        elements = page.get('elements') or []
        if previous is not None and elements == previous:
            # The server ignores pageNumber and sent the same page again: it had no more.
            return
        previous = elements
        # A repeated page is the end (above); a page count past the bound is a server that never ends.
        guard.check(None, number)
        pages_read += 1
        seen += len(elements)
        yield from elements
        meta = page.get('pageMetadata') or {}
        total_pages, total = meta.get('totalPages'), meta.get('totalElements')
        if not elements or (total_pages is not None and pages_read >= total_pages) or (
                total is not None and seen >= total):
            return
        # Without pageMetadata (the 4.4 reference's sample answer has none) a short page is the last.
        if not meta and len(elements) < page_size:
            return
        # The first page's own number tells whether the server counts pages from 0 or from 1.
        current = meta.get('pageNumber')
        number = (current if current is not None else (number or 0)) + 1
