# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vRO scheduled tasks (the Task service's WsTask) without I/O: the task nouns, views, differences and bodies, the
50-task limit. Internal use only.

Kept apart from ``model.py`` so that only vro_task and vro_task_info ship and compile it: AnsiballZ sends every
module_utils file an import names and compiles it from source on every run (docs/architecture.md, rule 4).
"""

from __future__ import annotations

import datetime

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import OBJECT, items_problem, shape_problem
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._shape import no_empty
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import format_date, parse_date
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import (
    decode_date, decode_parameters, parameter_list, parameters_problem,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.inputs import same_inputs
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import DATA_KEYS, MAYBE_OBJECT, vro_attributes


# "The maximum number of scheduled tasks supported by Orchestrator is 50" (vRO REST API guide).
TASK_LIMIT = 50


CYCLES = ('one-time', 'every-minutes', 'every-hours', 'every-days', 'every-weeks', 'every-months')


START_MODES = ('normal', 'start-in-the-past')


TASK_STATES = ('finished', 'canceled', 'error', 'pending', 'running', 'suspended', 'unknown')


# Tasks in these states will not run again: the first candidates to delete when the limit is reached.
SPENT_STATES = ('finished', 'canceled', 'error')


# The parts of a WsTask that are parsed (its inputs: parameters_problem); a list of them, and a links list.
TASK_FIELDS = {'id': str, 'name': str, 'href': str, 'state': str, 'workflow': dict,
               'input-parameters': (list, dict), 'inputParameters': (list, dict)}


LINKS_FIELDS = {'link': list, 'relations': dict}


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


def whole_task(body):
    """Whether ``body`` is a whole WsTask (id, name, workflow, start date), not the small ``{"id", "state"}`` some servers
    answer a create or update with: only a whole one is taken as the task; the others are read back."""
    return (isinstance(body, dict) and bool(body.get('id')) and bool(body.get('name')) and isinstance(body.get('workflow'), dict)
            and _pick_set(body, 'recurrence-start-date', 'recurrenceStartDate') is not None)


def task_list_problem(body):
    """The first task of a plain-list answer that cannot be read."""
    if not isinstance(body, list):
        return None
    found = items_problem(body, OBJECT, 'a list whose item', TASK_FIELDS)
    for index, item in enumerate(body):
        found = found or task_problem(item, 'a list whose item[%d].' % index)
    return found


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
        self.user = _pick_set(data, 'userName', 'user', 'user-name')
        self.description = data.get('description')
        workflow = data.get('workflow') if isinstance(data.get('workflow'), dict) else {}
        self.workflow_id = workflow.get('id') or data.get('workflowId')
        if not self.workflow_id and workflow.get('href'):
            self.workflow_id = workflow['href'].rstrip('/').rsplit('/', 1)[-1]
        self.workflow_name = workflow.get('name') or data.get('workflowName')
        self.cycle = _enum_value(_pick_set(data, 'recurrence-cycle', 'recurrenceCycle'))
        self.pattern = _pick_set(data, 'recurrence-pattern', 'recurrencePattern')
        self.start = decode_date(_pick_set(data, 'recurrence-start-date', 'recurrenceStartDate'))
        self.end = decode_date(_pick_set(data, 'recurrence-end-date', 'recurrenceEndDate'))
        self.start_mode = _enum_value(_pick_set(data, 'start-mode', 'startMode'))
        self.running_instance_id = _pick_set(data, 'running-instance-id', 'runningInstanceId')
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
        return no_empty(result, DATA_KEYS)


class DesiredTask(object):
    """What the user asked for. A field left as None is not managed: it is neither compared nor changed.

    ``recurrence`` is managed as a whole when given: its ``end`` left out means none; its ``pattern`` left out (None)
    keeps the current pattern and ``''`` removes it; its ``start`` left out keeps the current start (and means "now" at
    creation). ``parameters`` are the encoded
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
                # None: not managed (vRO may derive a pattern from the start, and tasks made in its client carry one);
                # '': remove the task's pattern.
                'pattern': recurrence.get('pattern'),
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
        recurrence['pattern'] = view['recurrence']['pattern'] if recurrence['pattern'] is None else recurrence['pattern'] or None
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
            if key in ('start', 'pattern') and want is None:
                continue
            want = want or None
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


def task_body(view, parameters=None, task_id=None, current=None):
    """A WsTask body from a view (see :func:`desired_view`); ``parameters`` are the encoded inputs (None: left out).

    An update (``task_id``) sends ``recurrence-end-date`` and ``recurrence-pattern`` as null only to remove a value the
    ``current`` task (a ScheduledTask; None: not known, so always) has: the 8.18 spec does not allow null there (a
    strict server refuses it), and a server that merges the body keeps a field left out. Otherwise they are sent
    with a value, or left out."""
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
    # An update sends an empty end date or pattern (null) only to remove one the task has, so that this takes effect.
    removing = dict((key, bool(task_id) and (current is None or bool(getattr(current, attr))))
                    for key, attr in (('end', 'end'), ('pattern', 'pattern')))
    if recurrence.get('end') or removing['end']:
        body['recurrence-end-date'] = recurrence.get('end')
    if recurrence.get('pattern') or removing['pattern']:
        body['recurrence-pattern'] = recurrence.get('pattern')
    if view.get('description'):
        body['description'] = view['description']
    elif task_id:
        body['description'] = ''
    if parameters is not None:
        body['input-parameters'] = parameters
    return body


# Secret input types: a server need not echo their values (or may mask them), so they are never sent back.
_SECRET_TYPES = ('securestring', 'encryptedstring')
_SECRET_KINDS = ('secure-string', 'encrypted-string')


def kept_parameters(task):
    """The input parameters of ``task`` (a full ScheduledTask) to send back in an update that does not change them,
    or None when they cannot be: a server that replaces the task with the update's body resets inputs left out, and
    one that merges keeps them either way. Each as ``name``, ``type``, ``scope``, ``value`` (the WsParameter fields).
    None when the task has a SecureString or EncryptedString input, or one holding them (an array, a composite field):
    its value as read back need not be the real one, and sending it would overwrite the secret."""
    kept = []
    for param in task.input_parameters:
        if not isinstance(param, dict):
            return None
        if any(kind in str(param.get('type', '')).lower() for kind in _SECRET_TYPES) or _holds_secret(param.get('value')):
            return None
        kept.append(dict((key, param[key]) for key in ('name', 'type', 'scope', 'value') if param.get(key) is not None))
    return kept


def _holds_secret(value):
    """Whether a wire value has a SecureString or EncryptedString at any depth (an array element, a composite field)."""
    if isinstance(value, dict):
        return any(kind in value for kind in _SECRET_KINDS) or any(_holds_secret(inner) for inner in value.values())
    if isinstance(value, list):
        return any(_holds_secret(inner) for inner in value)
    return False


def inputs_reset(before, after):
    """The names of the input parameters that ``before`` (a full ScheduledTask) has a value for and ``after`` has not:
    what a server that replaces a task with an update's body reset when the update left the inputs out."""
    def named(task):
        return dict((p.get('name'), p.get('value')) for p in task.input_parameters if isinstance(p, dict))

    now = named(after)
    return sorted(name for name, value in named(before).items() if value not in (None, {}) and now.get(name) in (None, {}))


def removed_but_kept(task, desired):
    """The recurrence fields (``recurrence.end``, ``recurrence.pattern``) that ``desired`` removes but ``task`` still
    has: what a server that keeps a field left out of an update, or set to null in it, did not remove."""
    if desired.recurrence is None:
        return []
    return [field for field in task_differences(task, desired)
            if field in ('recurrence.end', 'recurrence.pattern') and not desired.recurrence[field.split('.')[1]]]


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


def mentions_limit(error):
    text = ' '.join(str(x) for x in (error.server_message, error.body_excerpt) if x).lower()
    return str(TASK_LIMIT) in text or 'at most' in text or 'maximum' in text or 'limit' in text


def _enum_value(value):
    """A recurrence cycle or start mode as the 8.18 spec spells it (``every-days``, ``start-in-the-past``): vRO's 7.3
    API reference lists the Java names (``EVERY_DAYS``, ``START_IN_THE_PAST``), which would otherwise differ from what is
    asked on every run."""
    return value.strip().lower().replace('_', '-') if isinstance(value, str) else value


def _pick_set(data, *keys):
    """The value of the first of ``keys`` that is neither None nor empty (task bodies send empty strings)."""
    for key in keys:
        if data.get(key) not in (None, ''):
            return data[key]
    return None
