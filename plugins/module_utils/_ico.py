# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IBM Cloud Orchestrator 2.5 task engine (REST API V2) layer.

Internal use only: this file may change without notice between releases.

Speaks in the task engine's nouns: a :class:`Task` under ``/orchestrator/v2/tasks``. The pure parts (field
mapping, diffing, client-side filters, status handling) have no I/O; :class:`TaskEngine` does the HTTP through
the shared client; :func:`run_task` and :func:`run_task_info` are what the modules call.
"""

from __future__ import annotations

import copy
import fnmatch
import re
import time

from ansible_collections.cloudops.orchestrator.plugins.module_utils._adopt import adopt, adoption_window
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import OBJECT, path_segment, server_words
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import (
    AnswerLost, ApiError, OperationError, WaitTimeout, may_have_been_applied, safe_url,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import iso_from_ms, to_epoch_ms

# The id in a task's URL (a create answer's Location): ``.../orchestrator/v2/tasks/<id>``.
_TASK_LOCATION = re.compile(r'/orchestrator/v2/tasks/([^/?#]+)/?(?:[?#]|$)')

# Fields the server owns: sending them is refused before anything goes out.
READ_ONLY_FIELDS = frozenset(('id', 'created', 'updated', 'created_iso', 'updated_iso', 'serviceInstance'))

# snake_case spellings a playbook author may use, mapped to the API's own names.
FIELD_ALIASES = {
    'event_topic': 'eventTopic',
    'delay_in_seconds': 'delayInSeconds',
    'service_instance_id': 'serviceInstanceId',
    'parameters': 'parm',
    'params': 'parm',
}


class TaskStatus:
    """ICO task statuses. The full list is not public: only these are known to be final."""

    COMPLETED = 'COMPLETED'
    FAILED = 'FAILED'
    # Unknown statuses are treated as still running (the API notes say so), unless the user names them.
    KNOWN_TERMINAL = frozenset(('COMPLETED', 'FAILED', 'CANCELLED', 'CANCELED', 'ERROR', 'REJECTED', 'TERMINATED'))

    @staticmethod
    def normalise(raw):
        if raw is None:
            return ''
        return re.sub(r'\s+', '_', str(raw).strip()).upper()


def task_fields(task):
    """The API field mapping for a user's ``task`` option: aliases mapped, read-only fields refused."""
    fields = {}
    for key, value in (task or {}).items():
        name = FIELD_ALIASES.get(key, key)
        if name in READ_ONLY_FIELDS:
            raise ValueError("task field %r is set by IBM Cloud Orchestrator and cannot be sent; remove it from "
                             "'task'" % key)
        if name in fields:
            raise ValueError("task field %r is given twice (as %r and as its alias)" % (name, key))
        if name == 'delayInSeconds' and isinstance(value, str) and _number(value.strip()) is not None:
            # Templating turns numbers into strings; ICO wants a number here.
            value = _number(value.strip())
        fields[name] = value
    return fields


def same_value(current, desired):
    """True when ``desired`` equals ``current`` as ICO stores it (``'30'`` equals ``30``; dicts and lists deeply)."""
    if isinstance(desired, dict) and isinstance(current, dict):
        return set(desired) == set(current) and all(same_value(current[k], desired[k]) for k in desired)
    if isinstance(desired, (list, tuple)) and isinstance(current, (list, tuple)):
        return len(desired) == len(current) and all(same_value(c, d) for c, d in zip(current, desired))
    if isinstance(current, bool) or isinstance(desired, bool):
        if isinstance(current, bool) and isinstance(desired, bool):
            return current == desired
        return str(current).lower() == str(desired).lower()
    if isinstance(current, (int, float)) and isinstance(desired, str):
        return _number(desired) == current
    if isinstance(desired, (int, float)) and isinstance(current, str):
        return _number(current) == desired
    return current == desired


def _number(text):
    try:
        return float(text) if '.' in text else int(text)
    except ValueError:
        return None


def diff_task(current, desired):
    """Compare a task with the desired fields; returns ``(changes, diff)``.

    ``changes`` holds only the fields that differ (what a PUT should carry); ``diff`` is the Ansible
    ``{'before': ..., 'after': ...}`` for them. Fields not named in ``desired`` are never touched.
    """
    changes = {}
    before = {}
    after = {}
    for name, value in desired.items():
        present = name in current
        if present and same_value(current[name], value):
            continue
        if not present and value is None:
            continue
        changes[name] = value
        before[name] = copy.deepcopy(current.get(name))
        after[name] = copy.deepcopy(value)
    return changes, {'before': before, 'after': after}


def with_iso_times(task):
    """The task with ``created_iso`` and ``updated_iso`` always present (from the epoch ms when missing)."""
    task = dict(task)
    for key in ('created', 'updated'):
        if not task.get(key + '_iso'):
            task[key + '_iso'] = iso_from_ms(task.get(key))
    return task


def updated_ms(task):
    """When a task was last updated, in epoch ms (``updated``, else ``updated_iso``); None if unknown."""
    value = task.get('updated')
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    for candidate in (value, task.get('updated_iso')):
        if candidate:
            try:
                return to_epoch_ms(candidate)
            except ValueError:
                continue
    return None


class TaskFilter:
    """The client-side filters of ``orch_task_info`` (the API has none on the server)."""

    def __init__(self, status=None, user=None, project=None, event_topic=None, updated_after=None):
        if isinstance(status, str):
            status = [status]
        self.status = frozenset(TaskStatus.normalise(s) for s in status or [])
        self.user = user
        self.project = project
        self.event_topic = event_topic
        self.updated_after = to_epoch_ms(updated_after, option='updated_after')

    def __call__(self, task):
        if self.status and TaskStatus.normalise(task.get('status')) not in self.status:
            return False
        if self.user is not None and task.get('user') != self.user:
            return False
        if self.project is not None and task.get('project') != self.project:
            return False
        if self.event_topic is not None:
            topic = task.get('eventTopic') or ''
            if topic != self.event_topic and not fnmatch.fnmatchcase(topic, self.event_topic):
                return False
        if self.updated_after is not None:
            when = updated_ms(task)
            if when is None or when <= self.updated_after:
                return False
        return True


def wait_done(statuses):
    """The "done" predicate of ``wait_for_status``: a wanted status, or a known final one that is not wanted."""
    wanted = frozenset(TaskStatus.normalise(s) for s in statuses)

    def done(task):
        status = TaskStatus.normalise(task.get('status'))
        return status in wanted or status in TaskStatus.KNOWN_TERMINAL
    return done


# -- HTTP ------------------------------------------------------------------------------------------------------

def _explain(error, what, task_id=None, user=None, project=None, roles='the admin role'):
    """Give an ApiError the words a user needs: which role a refusal asks for, which id was not found."""
    status = getattr(error, 'status', None)
    who = "user %r" % user if user else 'this user'
    if project:
        who += " (project %r)" % project
    if status in (401, 403):
        error.message = '%s was refused for %s: it needs %s' % (what, who, roles)
        if status == 401:
            error.hint = ('ICO answers 401 both for wrong credentials and for a missing role: check username, '
                          'password, domain and project, and that the user has %s' % roles)
        else:
            error.hint = 'ask an ICO administrator for %s, or use such an account' % roles
    elif status == 404 and task_id is not None:
        error.message = ("task %r not found (non-admin users only see the tasks of their own project %r)"
                         % (str(task_id), project) if project else 'task %r not found' % str(task_id))
    return error


class TaskEngine:
    """``/orchestrator/v2/tasks`` through the shared :class:`Client`."""

    # Clock skew tolerated between this host and ICO when recognising a task created by a lost POST.
    SKEW_MS = 5000

    def __init__(self, client, user=None, project=None, clock=time.time):
        self.client = client
        self.user = user
        self.project = project
        self.clock = clock

    def find_created(self, fields, started_ms):
        """The tasks this user created since ``started_ms`` (less the clock skew) with exactly ``fields``."""
        candidates = []
        for task in self.list():
            if not isinstance(task, dict) or (self.user and task.get('user') not in (None, self.user)):
                continue
            created = task.get('created')
            if not isinstance(created, (int, float)) or created < started_ms - self.SKEW_MS:
                continue
            if all(name in task and same_value(task[name], value) for name, value in fields.items()
                   if name not in ('status', 'project')):
                candidates.append(task)
        return candidates

    def _params(self, expand):
        return {'expand': 'serviceInstance'} if expand else None

    def list(self, expand=False):
        """Every task this user may see (non-admins: their project's; admins: all)."""
        try:
            body = self.client.get('/tasks', params=self._params(expand), shape=(list, dict, type(None)))
        except ApiError as error:
            raise _explain(error, 'listing tasks', user=self.user, project=self.project,
                           roles='a valid account in the project') from None
        if isinstance(body, dict):
            for key in ('tasks', 'items', 'elements', 'members'):
                if isinstance(body.get(key), list):
                    return body[key]
            return []
        return body or []

    def get(self, task_id, expand=False, missing_ok=False):
        """The task, or None when ``missing_ok`` and the server says 404."""
        try:
            return self.client.get('/tasks/%s' % path_segment(task_id), params=self._params(expand), shape=OBJECT)
        except ApiError as error:
            if missing_ok and getattr(error, 'status', None) == 404:
                return None
            raise _explain(error, 'reading task %s' % task_id, task_id, self.user, self.project,
                           roles='the admin role or membership of the task\'s project') from None

    def create(self, fields, warn=None):
        """POST a new task (admin only); the created task, read back when the answer has no body.

        A POST whose answer was lost is never resent (``_adopt.adopt``): the task the server named before the
        answer was cut short, else the one task this user created since with exactly these fields, is adopted.
        """
        started = int(self.clock() * 1000)
        try:
            response = self.client.request('POST', '/tasks', json=fields, expected=(200, 201, 202))
        except AnswerLost as error:
            lost = error
        except ApiError as error:
            raise _explain(error, 'creating a task', user=self.user, project=self.project) from None
        else:
            location = response.headers.get('Location')
            created = self.client.decode(response)
            try:
                self.client.check(response, created, (dict, type(None)), CREATED_FIELDS)
            except ApiError as error:
                if not location:
                    error.message += ('; the task was created, but the answer does not name it: look for it with '
                                      'orch_task_info before running this task again')
                    raise
                created = None  # Location names the task: read it back
            if isinstance(created, dict) and created.get('id') is not None:
                return created
            if location:
                return self.read_created(location, response.url, fields)
            return created if isinstance(created, dict) else dict(fields)

        def find():
            if lost.created_id:
                made = self.get(lost.created_id, missing_ok=True)
                return [made] if isinstance(made, dict) else []
            return self.find_created(fields, started)

        return adopt(lost, find, adoption_window(self.client.timeout), 'task',
                     look_at='the tasks created since %s (orch_task_info)' % iso_from_ms(started - self.SKEW_MS),
                     rerun='re-running orch_task without id creates another task, so look first and give the id of '
                           'the one that exists',
                     ident=lambda t: str(t.get('id')), describe=lambda t: '%s (%s)' % (t.get('id'), t.get('status')),
                     warn=warn, fail=OperationError, ids_key='task_ids', sleep=self.client.sleep)

    def read_created(self, location, request_url, fields):
        """The task a create answer named in ``Location``, read from the configured server only.

        A relative ``Location`` is resolved against the POST's URL. One on another origin is never followed
        (credentials stay home): the task id it names is read from the configured server instead, and kept
        only when that task has the fields just sent; otherwise the failure says the task was created.
        """
        try:
            return self.client.get(self.client.resolve(location, request_url), shape=OBJECT)
        except ApiError as error:
            if error.kind != 'origin':
                raise OperationError('created a task at %s, but reading it back failed: %s; look for it with '
                                     'orch_task_info before running this task again' % (safe_url(location), error),
                                     changed=True, location=safe_url(location), error=error.to_result()) from None
            refused = error
        match = _TASK_LOCATION.search(location)
        task_id = match.group(1) if match else None
        task = None
        if task_id:
            try:
                task = self.get(task_id, missing_ok=True)
            except ApiError:
                task = None  # the failure below says what matters: a task was created
        if isinstance(task, dict) and all(name in task and same_value(task[name], value)
                                          for name, value in fields.items() if name not in ('status', 'project')):
            self.client.warn('%s; task %s was read from the configured server instead' % (refused.message, task_id))
            return task
        raise OperationError('the server created a task (HTTP 201) but %s; the new task may be %s: look with '
                             'orch_task_info before running this again, or a second task is created'
                             % (refused.message, task_id or 'unknown'), task={'id': task_id}, changed=True)

    def update(self, task_id, changes):
        try:
            updated = self.client.put('/tasks/%s' % path_segment(task_id), json=changes)
        except ApiError as error:
            raise _explain(error, 'updating task %s' % task_id, task_id, self.user, self.project,
                           roles='the admin role or membership of the task\'s project') from None
        return updated if isinstance(updated, dict) else None

    def delete(self, task_id):
        """DELETE the task (admin only); False when it was already gone before this task."""
        try:
            self.client.delete('/tasks/%s' % path_segment(task_id))
        except ApiError as error:
            if getattr(error, 'status', None) == 404:
                # A 404 to a resend whose first DELETE lost its answer: that first DELETE removed the task.
                return may_have_been_applied(error.lost_before)
            raise _explain(error, 'deleting task %s' % task_id, task_id, self.user, self.project) from None
        return True


# The id of a created task is its handle: a list or an object there is a wrong-shape answer.
CREATED_FIELDS = {'id': (str, int)}


def _engine(module):
    params = module.params
    return TaskEngine(module.client(), user=params.get('username'), project=params.get('project'))


def _wait_for_status(module, engine, task_id, statuses, result):
    """Poll the task until its status is one of ``statuses``; fail on a known final status that is not wanted."""
    wanted = [TaskStatus.normalise(s) for s in statuses]
    try:
        task = module.waiter().wait(lambda: engine.get(task_id), wait_done(wanted))
    except WaitTimeout as error:
        if error.last is not None:
            result['task'] = with_iso_times(error.last)
        status = (error.last or {}).get('status')
        raise OperationError('task %s is still %s after waiting for %s: %s' % (
            task_id, status, ', '.join(wanted), error), polls=error.polls, **result) from None
    result['task'] = with_iso_times(task)
    status = TaskStatus.normalise(task.get('status'))
    if status not in wanted:
        message = 'task %s reached %s, not one of %s' % (task_id, task.get('status'), ', '.join(wanted))
        if task.get('error_message'):
            message += ': %s' % task['error_message']
        raise OperationError(message, **result)


def run_task(module):
    """``orch_task``: create, update, delete and wait, with check mode predicting change and diff."""
    params = module.params
    engine = _engine(module)
    task_id = params.get('id')
    desired = task_fields(params.get('task'))
    statuses = params.get('wait_for_status') or []
    result = {'changed': False}

    if params['state'] == 'absent':
        if not task_id:
            raise ValueError('state=absent needs the id of the task to delete')
        current = engine.get(task_id, missing_ok=True)
        if current is None:
            return {'changed': False, 'task': None, 'diff': {'before': {}, 'after': {}},
                    'msg': 'task %s does not exist' % task_id}
        result['task'] = with_iso_times(current)
        result['diff'] = {'before': result['task'], 'after': {}}
        result['changed'] = True if module.check_mode else engine.delete(task_id)
        result['msg'] = '%s task %s' % ('would delete' if module.check_mode else 'deleted', task_id)
        return result

    if not task_id:
        if not desired:
            raise ValueError("creating a task needs 'task' (at least eventTopic and parm); to read or follow an "
                             "existing task give its id")
        result['changed'] = True
        result['diff'] = {'before': {}, 'after': copy.deepcopy(desired)}
        if module.check_mode:
            result['task'] = dict(desired)
            result['msg'] = 'would create a task'
            return result
        created = engine.create(desired, warn=module.warn)
        task_id = created.get('id')
        result['task'] = with_iso_times(created)
        result['msg'] = 'created task %s' % task_id
    else:
        current = engine.get(task_id)
        changes, diff = diff_task(current, desired)
        result['task'] = with_iso_times(current)
        result['diff'] = diff
        if changes:
            result['changed'] = True
            predicted = dict(current)
            predicted.update(changes)
            if module.check_mode:
                result['task'] = with_iso_times(predicted)
            else:
                updated = engine.update(task_id, changes)
                result['task'] = with_iso_times(updated if updated and updated.get('id') is not None else predicted)
            result['msg'] = '%s task %s: %s' % ('would update' if module.check_mode else 'updated', task_id,
                                                ', '.join(sorted(changes)))
        else:
            result['msg'] = 'task %s already as wanted' % task_id

    if statuses and params['wait'] and not module.check_mode:
        if task_id is None:
            raise ValueError('the server did not return the id of the created task, so it cannot be followed')
        try:
            _wait_for_status(module, engine, task_id, statuses, result)
        except ApiError as error:
            # The task exists (and may be new): the failure names it, so that it is not lost track of.
            done = dict(result, error=error.to_result())
            done.pop('msg', None)
            raise OperationError('%s; task %s %s: follow it with orch_task_info' % (
                error, task_id, 'was created' if not params.get('id') else 'exists'), **done) from None
    return result


def run_task_info(module):
    """``orch_task_info``: one task by id, or the filtered list (filters applied on the client)."""
    params = module.params
    engine = _engine(module)
    expand = bool(params.get('expand_service_instance'))
    filters = params.get('filters') or {}
    keep = TaskFilter(status=filters.get('status'), user=filters.get('user'), project=filters.get('project'),
                      event_topic=filters.get('event_topic'), updated_after=filters.get('updated_after'))
    if params.get('id'):
        tasks = [engine.get(params['id'], expand=expand)]
    else:
        tasks = engine.list(expand=expand)
    seen = len(tasks)
    tasks = [with_iso_times(t) for t in tasks if isinstance(t, dict) and keep(t)]
    return {'changed': False, 'tasks': tasks, 'seen': seen, 'matched': len(tasks)}


# -- connection: what the shared client needs to know about ICO --------------------------------------------------

def error_body(body):
    """ICO's words in an error body: ``error_message``, ``message`` or ``{"error": {"message", "messageKey"}}``."""
    return server_words(body, ('message', 'error_message', 'errorMessage', 'detail', 'details'))


CONNECTION = dict(api_path='/orchestrator/v2', name='IBM Cloud Orchestrator', parse_error=error_body)


def paged(client, path, params, page_size, items=None):
    """ICO paging (``_start``/``_limit``): yields the list in the body, or the one under ``items`` when given."""
    start = int(params.pop('_start', 0))
    guard = client.page_guard(path, page_size, '_start')
    while True:
        page = client.get(path, params=dict(params, _start=start, _limit=page_size), shape=(list, dict, type(None)),
                          fields={items: list} if items else None)
        if isinstance(page, list):
            entries, total, has_next = page, None, len(page) >= page_size
        else:
            page = page or {}
            entries = page.get(items) if items else next(
                (v for v in page.values() if isinstance(v, list)), [])
            total = page.get('total')
            has_next = bool(page.get('next')) or (total is not None and start + len(entries or []) < total)
        guard.check(entries, start)
        yield from entries or []
        if not entries or not has_next:
            return
        start += len(entries)
