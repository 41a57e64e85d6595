# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SDDC Manager's nouns, without I/O: :class:`Task`, :class:`CredentialsTask`, :class:`TaskStatus`, the retry decision
table (:func:`decide_retry`), sub-task summaries, selector matching and the shapes of a task.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import difflib
import re

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import OBJECT, items_problem, masked
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import InputError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._shape import iso_z, shaped_entry
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
    # KNOWN in the order of the documentation: the Task enum of the 9.0 spec, QUEUED and TIMED_OUT (9.1), the
    # credentials task statuses USER_CANCELLED and INCONSISTENT, and the sub-task status NOT_APPLICABLE.
    DOCUMENTED = (PENDING, QUEUED, IN_PROGRESS, SUCCESSFUL, COMPLETED_WITH_WARNING, SKIPPED, FAILED, TIMED_OUT,
                  CANCELLED, USER_CANCELLED, INCONSISTENT, NOT_APPLICABLE)

    @staticmethod
    def normalise(raw):
        """``'In Progress'`` -> ``'IN_PROGRESS'``: upper-case, runs of spaces to one ``_``; None -> ``''``."""
        if raw is None:
            return ''
        return re.sub(r'\s+', '_', str(raw).strip()).upper()

    @classmethod
    def is_terminal(cls, status):
        return cls.normalise(status) in cls.TERMINAL

    @classmethod
    def checked(cls, values, option):
        """``values`` (a status or a list of them, any spelling) normalised; InputError naming ``option``, the unknown
        ones and every valid status when one is not a documented SDDC Manager task status. Nothing is sent before."""
        given = [values] if isinstance(values, str) else list(values or [])
        normalised = [cls.normalise(value) for value in given]
        unknown = [raw for raw, value in zip(given, normalised) if value not in cls.KNOWN]
        if unknown:
            guesses = []
            for raw in unknown:
                guesses.extend(difflib.get_close_matches(cls.normalise(raw), cls.DOCUMENTED, n=1, cutoff=0.6))
            what = 'is not an SDDC Manager task status' if len(unknown) == 1 else 'are not SDDC Manager task statuses'
            raise InputError('%s %s %s; nothing was sent: use one of %s (any spelling, e.g. Failed or In Progress)%s' % (
                option, ', '.join(repr(str(raw)) for raw in unknown), what, ', '.join(cls.DOCUMENTED),
                '; did you mean %s?' % ', '.join(guesses) if guesses else ''))
        return normalised


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
    if task.status_raw in (None, ''):
        # A task answer without its status: nothing is known of it, so nothing is retried (never a made-up status).
        return Action.FAIL, ('%s has no status in SDDC Manager\'s answer; only FAILED tasks can be retried: look at the '
                             'task in SDDC Manager (or vcf_task_info) and run again' % label)
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
        # Read from the masked task: a message may quote a password the task carries (a credentials sub-task's).
        raw = masked(self.raw)
        found = [task_error(e, self.id) for e in raw.get('errors') or [] if isinstance(e, dict)]
        for sub in _walk_subtasks(raw.get('subTasks')):
            for err in sub.get('errors') or []:
                if isinstance(err, dict):
                    found.append(task_error(err, self.id, sub.get('name')))
        return found

    def result(self):
        """The per-task entry of ``vcf_task_retry``'s result: the fields a retry needs, snake_case, times in ``Z``,
        and ``raw`` (the task as SDDC Manager sent it)."""
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
            'resolution_status': self.raw.get('resolutionStatus') or None,
            'creation_timestamp': iso_z(self.raw.get('creationTimestamp')),
            'completion_timestamp': iso_z(self.raw.get('completionTimestamp')),
            'subtasks': summary,
            'errors': self.errors(),
            'raw': masked(self.raw),
        }


class CredentialsTask(Task):
    """A credentials rotation/update task (``/v1/credentials/tasks``): retried with its own PATCH."""

    credentials = True
    # True when /v1/credentials/tasks has no record of the task (only its /v1/tasks view is known): it cannot be retried.
    record_missing = False

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
        'message': err.get('message') or None,
        'remediation_message': err.get('remediationMessage') or None,
        'reference_token': err.get('referenceToken') or None,
        'error_code': err.get('errorCode') or None,
    }
    if subtask:
        entry['subtask'] = subtask
    causes = _cause_messages(err)
    if causes:
        entry['causes'] = causes
    return entry


def _cause_messages(err, depth=0):
    """The messages under an Error's ``causes`` (ErrorResponse: ``cause``) and, depth first, its ``nestedErrors``
    (a composite error: the 9.0 spec's Error), each once, in order."""
    found = []
    for key in ('causes', 'cause', 'nestedErrors'):
        for inner in err.get(key) if isinstance(err.get(key), list) else []:
            if not isinstance(inner, dict):
                continue
            words = [inner.get('message')] if isinstance(inner.get('message'), str) and inner['message'].strip() else []
            if key == 'nestedErrors' and depth < 8:
                words += _cause_messages(inner, depth + 1)
            for word in words:
                if word not in found:
                    found.append(word)
    return found


def describe_failure(task):
    """One line on why a task failed: its failed sub-tasks and each error with remediation and token."""
    parts = ['%s ended %s' % (task.label, task.status_raw if task.status_raw not in (None, '') else 'without a status')]
    if task.attempts:
        parts[0] += ' after %d retr%s' % (task.attempts, 'y' if task.attempts == 1 else 'ies')
    failed = task.subtask_summary()['failed']
    if failed:
        parts.append('failed sub-tasks: %s' % ', '.join(failed))
    for err in task.errors():
        text = err['message'] or '; '.join(err.get('causes') or []) or err['error_code'] or 'error'
        if err.get('subtask'):
            text = '%s: %s' % (err['subtask'], text)
        if err['remediation_message']:
            text += ' (remediation: %s)' % err['remediation_message']
        if err['reference_token']:
            text += ' [referenceToken %s]' % err['reference_token']
        parts.append(text)
    return '; '.join(parts)


# The statuses ``completedAfter`` lists: the 9.0 spec, "A task is completed if its status is 'Successful' or 'Failed'".
COMPLETED_AFTER_COVERS = frozenset((TaskStatus.FAILED, TaskStatus.SUCCESSFUL))


def stamp_ms(value):
    """Epoch milliseconds of a task time (ISO 8601 or epoch ms); None when there is none or it does not read as one."""
    try:
        return to_epoch_ms(value)
    except (ValueError, OverflowError):
        return None


def window_ms(raw):
    """The time that places a task in a time window: its ``completionTimestamp``; for a task without one that reads as a
    time (the 4.4 reference's failed tasks), its ``creationTimestamp``: the failure came at or after it. None: neither."""
    raw = raw if isinstance(raw, dict) else {}
    completed = stamp_ms(raw.get('completionTimestamp'))
    return completed if completed is not None else stamp_ms(raw.get('creationTimestamp'))


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
    if after not in (None, ''):
        # A failure without a completion time is placed by its creation (see window_ms): a server that ignores
        # completedAfter (or the listing by status that finds such failures) cannot widen a retry to old failures.
        when, start = window_ms(raw), stamp_ms(after)
        if when is not None and start is not None and when <= start:
            return False
    return True


def is_credentials_refusal(error):
    """True when ``/v1/tasks`` refused a retry because the task belongs to the credentials API."""
    if getattr(error, 'status', None) not in (400, 403, 409, 422, 501):
        return False
    text = ' '.join(str(x) for x in (getattr(error, 'server_message', None) or '',
                                     (getattr(error, 'details', None) or {}).get('errorCode') or '',
                                     (getattr(error, 'details', None) or {}).get('remediationMessage') or ''))
    return bool(re.search(r'credential', text, re.IGNORECASE))


def task_ids(task_id=None, ids_given=None):
    """``task_id`` then ``task_ids``, each id once, in order."""
    ids = []
    for one in ([task_id] if task_id else []) + list(ids_given or []):
        if one not in ids:
            ids.append(one)
    return ids


# A credentials sub-task carries oldPassword and newPassword (CredentialsSubTask in the 9.0 spec): never returned. The
# rule for secret-named keys (and their values quoted in texts) is _client.py's masked/secret_values, shared with ICO.


# In a task: the SDDC Manager Error's ``context`` is a map whose keys the server chose (left as they are); these
# hold times (ISO 8601 in the spec, any offset; epoch milliseconds accepted).
DATA_KEYS = frozenset(('context',))
TIME_KEYS = frozenset(('creation_timestamp', 'completion_timestamp'))

# Fields of a Task (9.0 spec) that every vcf_task_info entry has, null when the server did not send them.
INFO_SCALARS = ('name', 'type', 'creation_timestamp', 'completion_timestamp', 'resolution_status', 'is_cancellable',
                'is_retryable')
# Lists of a Task that every entry has, empty when the server did not send them.
INFO_LISTS = ('sub_tasks', 'errors', 'resources')


def info_entry(task):
    """The entry of ``vcf_task_info``: every field of the task in snake_case (sub-tasks, errors and resources
    included; times in ``Z``; ``""`` as null), ``status`` normalised, ``status_raw``, ``credentials_task``, a
    sub-task summary, and ``raw``: the task as SDDC Manager sent it. Passwords (a credentials sub-task's
    ``oldPassword``, ``newPassword``) are ``********`` in both."""
    entry = shaped_entry(masked(task.raw), DATA_KEYS, TIME_KEYS, id=task.id, status=task.status, status_raw=task.status_raw,
                         credentials_task=task.credentials, subtask_summary=task.subtask_summary())
    # The documented keys are there even when SDDC Manager leaves the field out (the reference's own samples have no
    # completionTimestamp nor isRetryable; terraform-provider-vcf meets tasks without subTasks): null, or no items.
    for key in INFO_SCALARS:
        entry.setdefault(key, None)
    for key in INFO_LISTS:
        if entry.get(key) is None:
            entry[key] = []
    return entry
