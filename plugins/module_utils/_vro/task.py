# -*- coding: utf-8 -*-
# Copyright (c) cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vRO scheduled tasks (the Task service): WsTask bodies, diffing, the 50-task limit; vro_task(_info) runs. Internal use only.

A task is compared field by field in a plain, YAML-friendly view (:func:`task_view`): ``name``,
``workflow_id``, ``recurrence`` (``cycle``, ``start``, ``end``, ``pattern``), ``start_mode``,
``description`` and ``inputs``. Only the fields the user manages are compared (see :class:`DesiredTask`).
"""

from __future__ import annotations

import datetime

from ansible_collections.cloudops.orchestrator.plugins.module_utils._adopt import adopt, adoption_window
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import OBJECT, items_problem, shape_problem
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import vro_attributes, vro_links
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, OperationError, may_have_been_applied
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import path_segment
from ansible_collections.cloudops.orchestrator.plugins.module_utils._inputs import inputs_with_secrets
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import Execution, VroApi, same_user
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import parameters_problem
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import (
    decode_date, decode_parameters, parameter_list, same_inputs, secure_values,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import format_date, parse_date

# "The maximum number of scheduled tasks supported by Orchestrator is 50" (vRO REST API guide).
TASK_LIMIT = 50
CYCLES = ('one-time', 'every-minutes', 'every-hours', 'every-days', 'every-weeks', 'every-months')
START_MODES = ('normal', 'start-in-the-past')
TASK_STATES = ('finished', 'canceled', 'error', 'pending', 'running', 'suspended', 'unknown')
# Tasks in these states will not run again: the first candidates to delete when the limit is reached.
SPENT_STATES = ('finished', 'canceled', 'error')


def _q(value):
    """One id as a URL path segment (quoted; refused when it could leave its segment)."""
    return path_segment(value)


# The parts of a WsTask that are parsed (its inputs: parameters_problem); a list of them, and a links list.
TASK_FIELDS = {'id': str, 'name': str, 'href': str, 'state': str, 'workflow': dict,
               'input-parameters': (list, dict), 'inputParameters': (list, dict)}
LINKS_FIELDS = {'link': list, 'relations': dict}
MAYBE_OBJECT = (dict, type(None))


def task_problem(body, where='an object whose '):
    """``(problem, expected)`` for a task body that :class:`ScheduledTask` could not read (its workflow link, its
    inputs); None when it can. For ``check_shape``'s ``inner``."""
    if not isinstance(body, dict):
        return None
    workflow = body.get('workflow')
    problem = shape_problem(workflow, MAYBE_OBJECT, {'id': str, 'href': str, 'name': str})
    if problem is not None:
        return '%sworkflow is %s' % (where, problem), 'an object with id, href and name (strings)'
    return parameters_problem(body, where)


def _list_problem(body):
    """The first task of a plain-list answer that cannot be read."""
    if not isinstance(body, list):
        return None
    found = items_problem(body, OBJECT, 'a list whose item', TASK_FIELDS)
    for index, item in enumerate(body):
        found = found or task_problem(item, 'a list whose item[%d].' % index)
    return found


def _pick(data, *keys):
    for key in keys:
        if data.get(key) not in (None, ''):
            return data[key]
    return None


def canonical_date(value, option=None):
    """A vRO date (ISO string, epoch milliseconds, date or datetime) as ``YYYY-MM-DDTHH:MM:SS.mmmZ``; None stays None.

    Raises ValueError for text that is not a date, naming ``option`` (where the value came from) when given.
    """
    if value in (None, ''):
        return None
    if isinstance(value, (datetime.date, datetime.datetime)):
        return format_date(parse_date(value))
    decoded = decode_date(value)
    if not isinstance(decoded, str) or parse_date(decoded) is None:
        raise ValueError("%s'%s' is not a date: give ISO 8601 such as 2026-01-31T10:00:00Z"
                         % ('%s: ' % option if option else '', value))
    return decoded


class ScheduledTask(object):
    """A task from ``GET /tasks/{id}`` (full) or from a ``GET /tasks`` link (summary: no inputs)."""

    def __init__(self, data, summary=False):
        data = data or {}
        self.raw = data
        self.summary = summary
        self.id = data.get('id')
        self.name = data.get('name')
        self.href = data.get('href')
        self.state = data['state'].lower() if isinstance(data.get('state'), str) and data['state'] else None
        self.user = _pick(data, 'userName', 'user', 'user-name')
        self.description = data.get('description')
        workflow = data.get('workflow') if isinstance(data.get('workflow'), dict) else {}
        self.workflow_id = workflow.get('id') or data.get('workflowId')
        if not self.workflow_id and workflow.get('href'):
            self.workflow_id = workflow['href'].rstrip('/').rsplit('/', 1)[-1]
        self.workflow_name = workflow.get('name') or data.get('workflowName')
        self.cycle = _pick(data, 'recurrence-cycle', 'recurrenceCycle')
        self.pattern = _pick(data, 'recurrence-pattern', 'recurrencePattern')
        self.start = decode_date(_pick(data, 'recurrence-start-date', 'recurrenceStartDate'))
        self.end = decode_date(_pick(data, 'recurrence-end-date', 'recurrenceEndDate'))
        self.start_mode = _pick(data, 'start-mode', 'startMode')
        self.running_instance_id = _pick(data, 'running-instance-id', 'runningInstanceId')
        self.input_parameters = parameter_list(data, 'input')

    @classmethod
    def from_link(cls, link):
        attrs = vro_attributes(link)
        data = dict(attrs)
        data['href'] = link.get('href') if isinstance(link.get('href'), str) else None
        if not data.get('id') and data['href']:
            data['id'] = data['href'].rstrip('/').rsplit('/', 1)[-1]
        return cls(data, summary=True)

    def to_result(self):
        """The documented fields of one task (inputs decoded, SecureString values masked)."""
        result = {
            'id': self.id, 'name': self.name, 'href': self.href, 'state': self.state, 'user': self.user,
            'description': self.description, 'workflow_id': self.workflow_id, 'workflow_name': self.workflow_name,
            'recurrence': {'cycle': self.cycle, 'start': self.start, 'end': self.end, 'pattern': self.pattern},
            'start_mode': self.start_mode, 'running_instance_id': self.running_instance_id,
        }
        if not self.summary:
            result['inputs'] = decode_parameters(self.input_parameters, mask_secrets=True)
        return result


class DesiredTask(object):
    """What the user asked for. A field left as None is not managed: it is neither compared nor changed.

    ``recurrence`` is managed as a whole when given: its ``end`` and ``pattern`` left out mean none; its
    ``start`` left out keeps the current start (and means "now" at creation). ``parameters`` are the encoded
    input parameters (None: inputs not managed).
    """

    def __init__(self, name, workflow_id=None, workflow_name=None, recurrence=None, start_mode=None, description=None,
                 parameters=None):
        self.name = name
        self.workflow_id = workflow_id
        self.workflow_name = workflow_name
        self.recurrence = None
        if recurrence is not None:
            cycle = recurrence.get('cycle') or 'one-time'
            if cycle not in CYCLES:
                raise ValueError("recurrence cycle '%s' is not one of %s" % (cycle, ', '.join(CYCLES)))
            self.recurrence = {
                'cycle': cycle,
                'start': canonical_date(recurrence.get('start'), option='recurrence.start'),
                'end': canonical_date(recurrence.get('end'), option='recurrence.end'),
                'pattern': recurrence.get('pattern') or None,
            }
            if self.recurrence['start'] and self.recurrence['end'] and \
                    parse_date(self.recurrence['end']) < parse_date(self.recurrence['start']):
                raise ValueError('recurrence end %s is before its start %s' % (self.recurrence['end'], self.recurrence['start']))
        if start_mode is not None and start_mode not in START_MODES:
            raise ValueError("start_mode '%s' is not one of %s" % (start_mode, ', '.join(START_MODES)))
        self.start_mode = start_mode
        self.description = description
        self.parameters = parameters


def task_view(task):
    """The compared fields of a ScheduledTask as plain values (the ``before``/``after`` of a diff)."""
    return {
        'name': task.name,
        'workflow_id': task.workflow_id,
        'recurrence': {'cycle': task.cycle or 'one-time', 'start': task.start, 'end': task.end, 'pattern': task.pattern or None},
        'start_mode': task.start_mode or 'normal',
        'description': task.description or '',
        'inputs': decode_parameters(task.input_parameters, mask_secrets=True),
    }


def desired_view(current, desired, now=None):
    """The view of the task as it should be: ``current``'s view (or defaults when None) with ``desired`` applied."""
    if current is not None:
        view = task_view(current)
    else:
        view = {'name': desired.name, 'workflow_id': None,
                'recurrence': {'cycle': 'one-time', 'start': None, 'end': None, 'pattern': None},
                'start_mode': 'normal', 'description': '', 'inputs': {}}
    view['name'] = desired.name
    if desired.workflow_id:
        view['workflow_id'] = desired.workflow_id
    if desired.recurrence is not None:
        recurrence = dict(desired.recurrence)
        recurrence['start'] = recurrence['start'] or view['recurrence']['start']
        view['recurrence'] = recurrence
    if not view['recurrence']['start']:
        view['recurrence']['start'] = now or format_date(datetime.datetime.now(datetime.timezone.utc))
    if desired.start_mode is not None:
        view['start_mode'] = desired.start_mode
    if desired.description is not None:
        view['description'] = desired.description
    if desired.parameters is not None:
        view['inputs'] = decode_parameters(desired.parameters, mask_secrets=True)
    return view


def _same_inputs(current_params, desired_params):
    # Servers may leave SecureString values out of a task's echo: never compare them (see same_inputs).
    return same_inputs(desired_params, current_params)


def task_differences(current, desired):
    """The names of the fields where ``current`` (a full ScheduledTask) differs from ``desired``.

    Possible names: ``workflow_id`` (needs a new task), ``recurrence.cycle``, ``recurrence.start``,
    ``recurrence.end``, ``recurrence.pattern``, ``start_mode``, ``description``, ``inputs``. Dates compare
    as instants; inputs compare after decoding (``20`` equals ``20.0``); SecureString values are never compared,
    because servers need not echo them (a secret input the task holds but ``desired`` leaves out still differs).
    """
    fields = []
    if desired.workflow_id and desired.workflow_id != current.workflow_id:
        fields.append('workflow_id')
    if desired.recurrence is not None:
        have = {'cycle': current.cycle or 'one-time', 'start': current.start, 'end': current.end,
                'pattern': current.pattern or None}
        for key in ('cycle', 'start', 'end', 'pattern'):
            want = desired.recurrence[key]
            if key == 'start' and want is None:
                continue
            if key in ('start', 'end'):
                same = _same_instant(have[key], want)
            else:
                same = have[key] == want
            if not same:
                fields.append('recurrence.%s' % key)
    if desired.start_mode is not None and desired.start_mode != (current.start_mode or 'normal'):
        fields.append('start_mode')
    if desired.description is not None and desired.description != (current.description or ''):
        fields.append('description')
    if desired.parameters is not None and not _same_inputs(current.input_parameters, desired.parameters):
        fields.append('inputs')
    return fields


def _same_instant(a, b):
    if a in (None, '') or b in (None, ''):
        return a in (None, '') and b in (None, '')
    pa, pb = parse_date(decode_date(a)), parse_date(decode_date(b))
    if pa is None or pb is None:
        return a == b
    return pa == pb


def task_body(view, parameters=None, task_id=None):
    """A WsTask body from a view (see :func:`desired_view`); ``parameters`` are the encoded inputs (None: left out)."""
    recurrence = view['recurrence']
    body = {
        'name': view['name'],
        'workflow': {'id': view['workflow_id']},
        'recurrence-cycle': recurrence['cycle'],
        'recurrence-start-date': recurrence['start'],
        'start-mode': view['start_mode'],
    }
    if task_id:
        body['id'] = task_id
    # An update sends the end date and pattern even when empty, so that removing them takes effect.
    if recurrence.get('end') or task_id:
        body['recurrence-end-date'] = recurrence.get('end')
    if recurrence.get('pattern') or task_id:
        body['recurrence-pattern'] = recurrence.get('pattern')
    if view.get('description'):
        body['description'] = view['description']
    elif task_id:
        body['description'] = ''
    if parameters is not None:
        body['input-parameters'] = parameters
    return body


def limit_error(name, tasks, server_error=None):
    """The OperationError for a full Task service: the count, the server's words, and how to free room."""
    spent = [t for t in tasks if t.state in SPENT_STATES]
    hint = 'delete tasks that are no longer needed (cloudops.orchestrator.vro_task with state: absent; ' \
           'cloudops.orchestrator.vro_task_info lists them)'
    if spent:
        shown = ', '.join("'%s' (%s)" % (t.name, t.state) for t in spent[:10])
        hint += '; these will not run again: %s%s' % (shown, ' and %d more' % (len(spent) - 10) if len(spent) > 10 else '')
    server = ''
    if server_error is not None:
        server = ' (server: %s)' % (server_error.server_message or server_error.message)
    message = "cannot create scheduled task '%s': vRO allows at most %d scheduled tasks and %d exist%s; %s" % (
        name, TASK_LIMIT, len(tasks), server, hint)
    result = {'task_count': len(tasks), 'task_limit': TASK_LIMIT,
              'spent_tasks': [{'id': t.id, 'name': t.name, 'state': t.state} for t in spent]}
    if server_error is not None:
        result['error'] = server_error.to_result()
    return OperationError(message, **result)


def _mentions_limit(error):
    text = ' '.join(str(x) for x in (error.server_message, error.body_excerpt) if x).lower()
    return str(TASK_LIMIT) in text or 'at most' in text or 'maximum' in text or 'limit' in text


class TaskService(object):
    """``/tasks`` over one client."""

    def __init__(self, client):
        self.client = client

    def list(self):
        """Every task as a summary (``GET /tasks``; the service holds at most 50, so one page)."""
        body = self.client.get('/tasks', shape=(dict, list, type(None)), fields=LINKS_FIELDS, inner=_list_problem) or {}
        if isinstance(body, list):
            return [ScheduledTask(item, summary=True) for item in body]
        links, _total = vro_links(body)
        return [ScheduledTask.from_link(link) for link in links]

    def get(self, task_id):
        """``GET /tasks/{id}``: the full task, or None when it does not exist."""
        try:
            return ScheduledTask(self.client.get('/tasks/%s' % _q(task_id), shape=OBJECT, fields=TASK_FIELDS,
                                                 inner=task_problem))
        except ApiError as error:
            if error.status == 404:
                return None
            raise

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
        task = ScheduledTask(data) if isinstance(data, dict) and data.get('id') else None
        if task is None and location:
            task_id = location.rstrip('/').rsplit('/', 1)[-1]
            try:
                task = self.get(task_id)
            except ApiError as error:
                raise OperationError('created scheduled task %s, but reading it back failed: %s; run the task again '
                                     'to adopt it by name' % (task_id, error), changed=True, task_id=task_id,
                                     task={'id': task_id, 'href': location}, error=error.to_result()) from None
        return task

    def update(self, task_id, body):
        """``POST /tasks/{id}``: returns the updated task."""
        data = self.client.post('/tasks/%s' % _q(task_id), json=body, expected=(200, 202, 204))
        # A body of the wrong shape is not trusted: the task is read back instead.
        if (isinstance(data, dict) and data.get('id') and shape_problem(data, OBJECT, TASK_FIELDS) is None
                and task_problem(data) is None):
            return ScheduledTask(data)
        return self.get(task_id)

    def delete(self, task_id):
        """``DELETE /tasks/{id}``; False when it was already gone (404).

        A 404 to a resend whose first DELETE lost its answer is True: the task is gone because of that first DELETE.
        """
        try:
            self.client.request('DELETE', '/tasks/%s' % _q(task_id), expected=(200, 202, 204))
        except ApiError as error:
            if error.status == 404:
                return may_have_been_applied(error.lost_before)
            raise
        return True

    def executions(self, task_id, max_results=None):
        """``GET /tasks/{id}/executions``: the task's runs as summaries, newest first."""
        body = self.client.get('/tasks/%s/executions' % _q(task_id), shape=MAYBE_OBJECT, fields=LINKS_FIELDS) or {}
        links, _total = vro_links(body)
        runs = [Execution.from_link(link) for link in links]
        runs.sort(key=lambda r: r.started_at() or 0.0, reverse=True)
        return runs[:max_results] if max_results else runs


# -- vro_task -------------------------------------------------------------------------------------------------

class TaskRun(object):
    """One vro_task invocation: find the task by name, then create, update, recreate, delete or leave it."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.client = module.client()
        self.service = TaskService(self.client)
        self.api = VroApi(self.client)
        self.warnings = []

    def __call__(self):
        p = self.params
        tasks = self.service.list()
        existing = self.service.find(p['name'], tasks)
        if len(existing) > 1:
            raise OperationError("task name '%s' is ambiguous: %d scheduled tasks have it: %s; delete the extra ones "
                                 "by hand or rename them" % (p['name'], len(existing), ', '.join(
                                     '%s (workflow %s, %s)' % (t.id, t.workflow_id, t.state) for t in existing)),
                                 task_ids=[t.id for t in existing])
        current = existing[0] if existing else None
        if p['state'] == 'absent':
            return self.absent(current)
        return self.present(current, tasks)

    def absent(self, current):
        if current is None:
            return {'changed': False, 'msg': "no scheduled task named '%s'" % self.params['name'], 'task': None,
                    'diff': {'before': {}, 'after': {}}}
        result = {'changed': True, 'diff': {'before': task_view(current), 'after': {}},
                  'task': current.to_result(), 'msg': "deleted scheduled task '%s' (%s)" % (current.name, current.id)}
        if self.module.check_mode:
            result['msg'] = 'would have ' + result['msg']
            return result
        if not self.service.delete(current.id):
            result.update(changed=False, msg="scheduled task '%s' was already gone" % current.name)
        return result

    def desired(self):
        p = self.params
        definition = self.api.resolve_workflow(p['workflow_id'], p['workflow_name'], p['category'])
        parameters = None
        if p['inputs'] is not None or p['raw_inputs'] or p.get('secret_inputs'):
            parameters = definition.encode(inputs_with_secrets(self.module, p['inputs'] or {}), raw_inputs=p['raw_inputs'])
            for secret in secure_values(parameters):
                self.module.add_secret(secret)
        return DesiredTask(p['name'], definition.id, definition.name, p['recurrence'], p['start_mode'], p['description'],
                           parameters)

    def present(self, current, tasks):
        desired = self.desired()
        after = desired_view(current, desired, now=format_date(datetime.datetime.fromtimestamp(
            self.api.server_now(), datetime.timezone.utc)))
        if current is None:
            return self.create(desired, after, tasks)
        differences = task_differences(current, desired)
        result = {'changed': bool(differences), 'differences': differences, 'task': current.to_result(),
                  'diff': {'before': task_view(current), 'after': after}}
        if not differences:
            result['msg'] = "scheduled task '%s' is up to date" % current.name
            return result
        if 'workflow_id' in differences:
            return self.recreate(current, desired, after, tasks, result)
        result['msg'] = "updated scheduled task '%s': %s" % (current.name, ', '.join(differences))
        if self.module.check_mode:
            result['msg'] = 'would have ' + result['msg']
            return result
        parameters = desired.parameters
        body = task_body(after, parameters, task_id=current.id)
        body['workflow'] = {'id': current.workflow_id}
        updated = self.service.update(current.id, body)
        if updated is not None:
            result['task'] = updated.to_result()
        return result

    def _create(self, desired, after, tasks):
        """POST the new task; a full service raises the limit error; a lost answer adopts the task it made.

        A POST whose answer was lost is never sent again (``_adopt.adopt``): the task the server named before the
        answer was cut short, else the one new task with this name, workflow, settings and inputs, owned by this
        user, is adopted; several are listed; none within the adoption window is a one-line failure.
        """
        parameters = desired.parameters if desired.parameters is not None else []
        body = task_body(after, parameters)
        known = set(t.id for t in tasks)
        try:
            return self.service.create(body)
        except AnswerLost as error:
            lost = error
        except ApiError as error:
            if error.status == 400 and (len(tasks) >= TASK_LIMIT or _mentions_limit(error)):
                raise limit_error(desired.name, self.service.list(), error)
            raise
        user = self.params.get('username') if self.params.get('auth') != 'token' else None

        def find():
            if lost.created_id:
                made = self.service.get(lost.created_id)
                return [made] if made is not None else []
            # Only tasks that were not there before the POST, named and set up as asked, owned by this user. SecureString
            # inputs are not compared (servers need not echo them): the other fields must tell the task apart.
            return [t for t in self.service.find(desired.name) if t.id not in known
                    and (not user or not t.user or same_user(t.user, user)) and not task_differences(t, desired)]

        return adopt(lost, find, adoption_window(self.client.timeout), 'scheduled task',
                     look_at="the scheduled tasks named '%s' (vro_task_info with name)" % desired.name,
                     rerun='re-running the task is safe: its lookup by name adopts the task if the create was applied',
                     ident=lambda t: t.id, describe=lambda t: '%s (%s)' % (t.id, t.state), warn=self.module.warn,
                     fail=OperationError, ids_key='task_ids', sleep=self.client.sleep)

    def create(self, desired, after, tasks):
        result = {'changed': True, 'differences': ['created'], 'diff': {'before': {}, 'after': after},
                  'msg': "created scheduled task '%s' for workflow '%s'" % (desired.name, desired.workflow_name)}
        if self.module.check_mode:
            if len(tasks) >= TASK_LIMIT:
                # Predicted: the server would refuse the POST.
                raise limit_error(desired.name, tasks)
            result['msg'] = 'would have ' + result['msg']
            result['task'] = None
            return result
        created = self._create(desired, after, tasks)
        result['task'] = created.to_result() if created is not None else None
        return result

    def recreate(self, current, desired, after, tasks, result):
        """A new workflow needs a new task (the API refuses to change it): create the new one, then delete the old.

        With the service full, the old task is deleted first to make room.
        """
        reason = ("the workflow of scheduled task '%s' changes from %s to %s, which vRO cannot update: the task is "
                  'deleted and created again' % (current.name, current.workflow_id, desired.workflow_id))
        result['recreated'] = True
        result['msg'] = "recreated scheduled task '%s': %s" % (current.name, reason)
        self.module.warn(reason)
        if desired.parameters is None:
            # The old inputs belong to the old workflow: they do not carry over.
            after['inputs'] = {}
            result['diff']['after'] = after
        if self.module.check_mode:
            result['msg'] = 'would have ' + result['msg']
            return result
        if len(tasks) >= TASK_LIMIT:
            self.service.delete(current.id)
            try:
                created = self._create(desired, after, [t for t in tasks if t.id != current.id])
            except (ApiError, OperationError) as error:
                # The old task is gone already: hand back everything needed to restore it.
                raise OperationError("scheduled task '%s' (%s) was deleted to make room for its new workflow, but "
                                     'creating the new task failed: %s; the deleted task is in deleted_task' % (
                                         current.name, current.id, error), deleted_task=current.to_result(),
                                     **(error.result if isinstance(error, OperationError) else {'error': error.to_result()}))
        else:
            created = self._create(desired, after, tasks)
            self.service.delete(current.id)
        result['task'] = created.to_result() if created is not None else None
        result['previous_task_id'] = current.id
        return result


def run(module):
    """The vro_task operation (see the module docs)."""
    return TaskRun(module)()


# -- vro_task_info ------------------------------------------------------------------------------------------

def run_task_info(module):
    """The vro_task_info operation: list tasks (filtered) or read one with its recent runs."""
    p = module.params
    client = module.client()
    service = TaskService(client)
    states = [s.lower() for s in p['state'] or []]
    workflow_id = p['workflow_id']
    if p['workflow_name'] and not workflow_id:
        workflow_id = VroApi(client).lookup_workflow(p['workflow_name'], p['category']).id
    if p['task_id']:
        task = service.get(p['task_id'])
        if task is None:
            raise OperationError("scheduled task '%s' not found; list the tasks with vro_task_info and no task_id"
                                 % p['task_id'])
        candidates = [task]
        total = None
    else:
        candidates = []
        summaries = service.list()
        total = len(summaries)
        for summary in summaries:
            if p['name'] and summary.name is not None and summary.name != p['name']:
                continue
            if p['name_contains'] and summary.name is not None and p['name_contains'].lower() not in summary.name.lower():
                continue
            if states and summary.state and summary.state not in states:
                continue
            if workflow_id and summary.workflow_id and summary.workflow_id != workflow_id:
                continue
            task = service.get(summary.id)
            if task is not None:
                candidates.append(task)
    tasks = []
    for task in candidates:
        # The full read is the truth: filter again, for servers whose list lacks an attribute.
        if p['name'] and task.name != p['name']:
            continue
        if p['name_contains'] and p['name_contains'].lower() not in (task.name or '').lower():
            continue
        if states and task.state not in states:
            continue
        if workflow_id and task.workflow_id != workflow_id:
            continue
        tasks.append(task)
    with_runs = p['executions'] if p['executions'] is not None else (bool(p['task_id']) or (bool(p['name']) and len(tasks) == 1))
    results = []
    for task in tasks:
        entry = task.to_result()
        if with_runs:
            entry['executions'] = [run.to_result() for run in service.executions(task.id, p['max_executions'])]
        results.append(entry)
    result = {'changed': False, 'tasks': results, 'task_limit': TASK_LIMIT}
    if total is not None:
        result['task_count'] = total
    return result
