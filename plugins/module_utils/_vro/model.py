# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vRO nouns without I/O: workflows, definitions, runs, logs, user interactions. Internal use only.

Everything here parses what the server sent (links, bodies, the shape checks of the answers) or shapes a result;
nothing here sends a request (that is ``api.py``) or knows about Ansible (that is the runners').
"""

from __future__ import annotations

import re

try:
    from urllib.parse import unquote
except ImportError:  # pragma: no cover - Python 2 is not supported by the collection
    from urllib import unquote  # type: ignore

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import OBJECT, items_problem, json_name
from ansible_collections.cloudops.orchestrator.plugins.module_utils._shape import no_empty
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import (
    decode_date, decode_parameters, mask_parameters, mask_text, parameter_list, parameters_problem, secret_strings,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import parse_date

MAYBE_OBJECT = (dict, type(None))


# The parts of a vRO result that are user data or the server's own answer: their keys and values are never reshaped
# (an input given as "" stays ""). Everything else follows the return style: "" from the server is null.
DATA_KEYS = frozenset(('inputs', 'outputs', 'outputs_raw', 'raw', 'parameters', 'example_inputs'))


# -- workflows and runs -------------------------------------------------------------------------------------------


STATES = ('initializing', 'running', 'waiting', 'waiting-signal', 'suspended', 'completed', 'failed', 'canceled')


TERMINAL_STATES = frozenset(('completed', 'failed', 'canceled'))


ACTIVE_STATES = tuple(s for s in STATES if s not in TERMINAL_STATES)


# Other spellings of the API's run states (lower-case, '_' read as '-'), each read as the state it spells: the Java enum
# name of the 8.x reference page (STATE_WAITING_ON_SIGNAL; the others are the states upper-cased), and the British
# spelling of canceled (VMware's own vCO SOAP client names the state CANCELLED; SDDC Manager answers 'Cancelled').
STATE_SPELLINGS = {'state-waiting-on-signal': 'waiting-signal', 'waiting-on-signal': 'waiting-signal',
                   'cancelled': 'canceled', 'cancelling': 'canceling'}


# The choices of a module option that names run states: the API's states, and the British spelling of canceled, which
# the modules read from servers as canceled (STATE_SPELLINGS) and so take from users as well (see state_options).
STATE_CHOICES = STATES + ('cancelled',)


def state_options(values):
    """The run states a module option names (``None`` stays ``None``): each spelling read as its state
    (``cancelled``: ``canceled``), each state once, in the order given."""
    if values is None:
        return None
    states = []
    for value in values:
        state = state_value(value)
        if state not in states:
            states.append(state)
    return states


# Words a run may read on its way to a state of the API's list, waited on as a run going on, without a warning:
# canceling (a cancel taken, the run not ended yet; RunApi._cancel_lost reads it as the cancel taken).
PASSING_STATES = frozenset(('canceling',))


# Every state word the modules know; any other is waited on as a run going on, with a warning naming it once.
KNOWN_STATES = frozenset(STATES) | PASSING_STATES


def unknown_state(state):
    """True for a state word (as :func:`state_value` reads it) that is neither one of the API's run states nor a
    known passing one: nothing says whether the run has ended."""
    return state is not None and state not in KNOWN_STATES


# Runs that `reuse: running` attaches to (the "initializing, running or waiting").
REUSABLE_ACTIVE_STATES = ('initializing', 'running', 'waiting', 'waiting-signal')


# What a run without a current item names as its current item (a captured 7.x run; vaquero-io/vcoworkflows).
NO_CURRENT_ITEM = '__item-undefined__'


_EXECUTION_URL = re.compile(r'/workflows/([^/?#]+)/executions/([^/?#]+)')


_VERSION = re.compile(r'(\d+)(?:\.(\d+))?')


def run_in_href(href):
    """``(workflow_id, execution_id)`` named by a link's ``href`` (``.../workflows/<id>/executions/<id>/...``), or None."""
    try:
        return parse_execution_url(href)
    except ValueError:
        return None


def parse_execution_url(url):
    """Return ``(workflow_id, execution_id)`` from a run's ``Location`` or ``href``; ValueError otherwise."""
    match = _EXECUTION_URL.search(url or '')
    if not match:
        raise ValueError("'%s' is not the URL of a workflow run: expected .../workflows/<id>/executions/<id>/" % url)
    return unquote(match.group(1)), unquote(match.group(2))


def parse_version(text):
    """``(major, minor)`` from a version string such as ``8.18.1.24180498`` or ``7.6``; None if absent."""
    match = _VERSION.search(str(text or ''))
    if not match:
        return None
    return int(match.group(1)), int(match.group(2) or 0)


def epoch(value):
    """Seconds since the epoch of a vRO date (ISO string or epoch milliseconds); None if unreadable."""
    iso = decode_date(value)
    moment = parse_date(iso) if isinstance(iso, str) else None
    return moment.timestamp() if moment else None


# The parameter lists of a definition or a run: a list, or the XML-born {"parameter": [...]} wrapper.
RUN_FIELDS = {'input-parameters': (list, dict), 'inputParameters': (list, dict), 'output-parameters': (list, dict), 'outputParameters': (list, dict)}


# What a run adds: its id and href are parsed as text.
EXECUTION_FIELDS = dict(RUN_FIELDS, id=str, href=str)


def logs_problem(body):
    """``(problem, expected)`` for a logs answer whose entries :func:`normalize_log` could not read; None when it can."""
    if isinstance(body, dict):
        entries, where = body.get('logs'), 'an object whose logs'
        if entries is None:
            entries = next((v for v in body.values() if isinstance(v, list)), [])
    else:
        entries, where = body, 'a list whose item'
    if not isinstance(entries, list):
        return '%s is %s' % (where, json_name(entries)), 'a list of log entries'
    for index, entry in enumerate(entries):
        inner = entry.get('entry') if isinstance(entry, dict) and isinstance(entry.get('entry'), dict) else entry
        if not isinstance(inner, (dict, type(None))):
            return '%s[%d] is %s' % (where, index, json_name(inner)), 'a log entry (an object)'
        severity = (inner or {}).get('severity')
        if not isinstance(severity, (str, type(None))):
            return '%s[%d].severity is %s' % (where, index, json_name(severity)), 'a string'
    return None


def vro_links(page):
    """The ``rel: down`` links and the total of a vRO inventory-items or relations list."""
    container = page.get('relations') if isinstance(page.get('relations'), dict) else page
    found = container.get('link') if isinstance(container.get('link'), list) else []
    links = [link for link in found if isinstance(link, dict) and link.get('rel', 'down') == 'down']
    total = container.get('total', page.get('total'))
    try:
        total = int(total) if total is not None else None
    except (TypeError, ValueError):
        # XML-born JSON may quote numbers; an unreadable total is ignored (paging then stops on a short page).
        total = None
    return links, total


def vro_attributes(link):
    """A vRO link's ``attributes`` list as a plain mapping (``attribute``, as vRO's 7.x API reference spells it, too).

    A name spelt the XML-attribute way (``@id``, ``@name``, ``@type``, as a public client of vRO 8 / VCF Automation
    reads them) is read without its ``@``; the plain name wins when both are there."""
    attributes = next((link[key] for key in ('attributes', 'attribute') if isinstance(link.get(key), list)), [])
    pairs = [(a['name'], a.get('value')) for a in attributes if isinstance(a, dict) and isinstance(a.get('name'), str)]
    found = {name[1:]: value for name, value in pairs if name.startswith('@') and len(name) > 1}
    found.update((name, value) for name, value in pairs if not name.startswith('@'))
    return found


_INVENTORY_FOLDERS = re.compile(r'/inventory/System/Workflows/([^?#]*)')


def definition_folders(data):
    """The folders of a workflow's category path, in order, from its definition's ``up`` link
    (``.../inventory/System/Workflows/Library/Demo/``, as the vCenter Orchestrator 5.5 guide and captured 6.x/7.x
    definitions show it); [] when the definition has none. A segment is decoded once, or twice when the server
    encoded it twice (``dlinsley%2540vmware.com``)."""
    relations = data.get('relations') if isinstance(data, dict) else None
    links = relations.get('link') if isinstance(relations, dict) else None
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, dict) or link.get('rel') != 'up':
            continue
        match = _INVENTORY_FOLDERS.search(str(link.get('href') or ''))
        if match:
            folders = []
            for segment in match.group(1).split('/'):
                text = unquote(segment)
                folders.append(unquote(text) if '%25' in segment else text)
            return [f for f in folders if f]
    return []


class Workflow(object):
    """One entry of the workflows inventory list: ``id``, ``name``, ``category`` (its name), ``href``; ``folders``, the
    category path when it was learnt from the definition (an entry that names no category)."""

    def __init__(self, id, name=None, category=None, href=None, attributes=None):  # pylint: disable=redefined-builtin
        self.id = id
        self.name = name
        self.category = category
        self.href = href
        self.attributes = attributes or {}
        self.folders = []

    def knows_category(self):
        """Whether the entry says anything of its category (a name, folder tags, a path, or folders learnt)."""
        return bool(self.category or self.folders or folder_tags(self.attributes.get('globalTags'))
                    or self.attributes.get('categoryPath'))

    def learn_folders(self, folders):
        """Take the category path read from the definition (:func:`definition_folders`)."""
        self.folders = list(folders)
        if self.folders and not self.category:
            self.category = self.folders[-1]

    @classmethod
    def from_link(cls, link):
        attrs = vro_attributes(link)
        return cls(attrs.get('id'), attrs.get('name'), attrs.get('categoryName'), link.get('href'), attrs)

    def describe(self):
        return "%s (category '%s')" % (self.id, self.category or '')

    def to_result(self):
        return no_empty({'id': self.id, 'name': self.name, 'category': self.category, 'href': self.href})


class WorkflowDefinition(object):
    """A workflow as ``GET /workflows/{id}`` returns it, with its declared inputs and outputs."""

    def __init__(self, data, category=None):
        self.raw = data or {}
        self.id = self.raw.get('id')
        self.name = self.raw.get('name')
        self.version = self.raw.get('version')
        self.description = self.raw.get('description')
        self.href = self.raw.get('href')
        self.category = category or self.raw.get('categoryName') or self.raw.get('category-name')
        self.input_parameters = parameter_list(self.raw, 'input')
        self.output_parameters = parameter_list(self.raw, 'output')

    def input_types(self):
        """``{name: declared type}`` of the inputs."""
        return dict((p.get('name'), p.get('type')) for p in self.input_parameters)

    def to_result(self):
        return no_empty({'id': self.id, 'name': self.name, 'version': self.version, 'description': self.description,
                         'href': self.href, 'category': self.category,
                         'input_parameters': self.input_parameters, 'output_parameters': self.output_parameters},
                        DATA_KEYS)


class Execution(object):
    """One run, from ``GET .../executions/{id}`` (full) or from a list entry (summary: no parameters).

    Both spellings of the parameter lists and both date forms are accepted; dates are kept as canonical
    ISO strings (``...Z``).
    """

    def __init__(self, data, workflow_id=None, summary=False):
        data = data or {}
        self.raw = data
        self.summary = summary
        self.id = data.get('id')
        self.workflow_id = workflow_id
        self.href = data.get('href')
        if isinstance(self.href, str) and (not self.workflow_id or not self.id):
            try:
                wid, eid = parse_execution_url(self.href)
                self.workflow_id = self.workflow_id or wid
                self.id = self.id or eid
            except ValueError:
                pass
        self.name = data.get('name')
        self.state = state_value(data.get('state'))
        self.start_date = decode_date(_pick(data, 'start-date', 'startDate', 'start_date'))
        self.end_date = decode_date(_pick(data, 'end-date', 'endDate', 'end_date'))
        self.started_by = _pick(data, 'started-by', 'startedBy', 'started_by')
        self.business_state = _pick(data, 'business-state', 'businessState')
        self.content_exception = _pick(data, 'content-exception', 'contentException')
        # '__item-undefined__' is how a real run says it has no current item (captured 7.x payloads).
        self.current_item = _pick(data, 'current-item-display-name', 'currentItemDisplayName', 'current-item-for-display')
        if self.current_item == NO_CURRENT_ITEM:
            self.current_item = None
        self.input_parameters = parameter_list(data, 'input')
        self.output_parameters = parameter_list(data, 'output')
        # SecureString values the server sent in clear (outputs, on vRO 8): masked wherever the run quotes them.
        self.secrets = secret_strings(self.input_parameters) + secret_strings(self.output_parameters)
        self.content_exception = mask_text(self.content_exception, self.secrets)

    @classmethod
    def from_link(cls, link, workflow_id=None):
        """A summary from a ``rel: down`` link of the executions list (its attributes)."""
        attrs = vro_attributes(link)
        data = {'id': attrs.get('id'), 'href': link.get('href'), 'name': attrs.get('name'), 'state': attrs.get('state'),
                'start-date': attrs.get('startDate'), 'end-date': attrs.get('endDate'),
                'started-by': attrs.get('startedBy'), 'business-state': attrs.get('businessState'),
                'content-exception': attrs.get('contentException')}
        return cls(data, workflow_id, summary=True)

    @classmethod
    def from_token(cls, link):
        """A summary from a ``System:WorkflowToken`` catalog entry: its workflow from the ``workflowId`` attribute, its
        state from ``state`` or ``globalState`` (the Web Services name); ``href`` is the catalog's, not the run's."""
        attrs = vro_attributes(link)
        data = {'id': attrs.get('id'), 'name': attrs.get('name') or attrs.get('title'),
                'state': attrs.get('state') or attrs.get('globalState'), 'start-date': attrs.get('startDate'),
                'end-date': attrs.get('endDate'), 'started-by': attrs.get('startedBy'),
                'business-state': attrs.get('businessState'), 'content-exception': attrs.get('contentException')}
        if not data['id'] and isinstance(link.get('href'), str):
            data['id'] = link['href'].rstrip('/').rsplit('/', 1)[-1] or None
        return cls(data, attrs.get('workflowId') or attrs.get('workflow-id') or None, summary=True)

    @property
    def terminal(self):
        return self.state in TERMINAL_STATES

    def started_at(self):
        """Start time in epoch seconds, or None."""
        return epoch(self.start_date)

    def duration_seconds(self):
        start, end = epoch(self.start_date), epoch(self.end_date)
        if start is None or end is None:
            return None
        return round(end - start, 3)

    def inputs(self, mask_secrets=True):
        return decode_parameters(self.input_parameters, mask_secrets)

    def outputs(self):
        return decode_parameters(self.output_parameters, mask_secrets=True)

    def masked_logs(self, logs):
        """Log entries (:func:`normalize_log`) of this run with its SecureString values masked in their texts."""
        if not self.secrets:
            return logs
        return [dict(entry, **dict((key, mask_text(entry.get(key), self.secrets))
                                   for key in ('short_description', 'long_description'))) for entry in logs or []]

    def to_result(self, workflow=None):
        """The documented result fields of one run."""
        result = {
            'execution_id': self.id,
            'workflow_id': self.workflow_id or (workflow.id if workflow else None),
            'workflow_name': workflow.name if workflow else self.name,
            'name': self.name,
            'state': self.state,
            'href': self.href,
            'start_date': self.start_date,
            'end_date': self.end_date,
            'duration_seconds': self.duration_seconds(),
            'started_by': self.started_by,
            'business_state': self.business_state,
            'content_exception': self.content_exception,
            'current_item': self.current_item,
        }
        if not self.summary:
            result['inputs'] = self.inputs()
            result['outputs'] = self.outputs()
            result['outputs_raw'] = mask_parameters(self.output_parameters)
        return no_empty(result, DATA_KEYS)


def _pick(data, *keys):
    """The value of the first of ``keys`` that is not None."""
    for key in keys:
        if data.get(key) is not None:
            return data[key]
    return None


def state_value(raw):
    """A state from ``{"value": ..}``, ``{"state": ..}`` or a plain string; lower-case (the 7.x guide upper-cases), other
    spellings of a state read as that state (:data:`STATE_SPELLINGS`)."""
    if isinstance(raw, dict):
        raw = _pick(raw, 'value', 'state')
    if raw is None:
        return None
    state = str(raw).strip().lower().replace('_', '-')
    return STATE_SPELLINGS.get(state, state)


def _log_time(entry):
    """An entry's time: ``time-stamp`` (ISO on 8.x, epoch ms on 7.x), else the epoch ms of 8.x's ``time-stamp-val``
    (WsSysLog), which public clients read instead; the number also stands in for a ``time-stamp`` that cannot be read."""
    stamp = decode_date(_pick(entry, 'time-stamp', 'timeStamp', 'time_stamp'))
    number = _pick(entry, 'time-stamp-val', 'timeStampVal')
    if number is not None and (stamp is None or parse_date(stamp) is None):
        return decode_date(number)
    return stamp


def normalize_log(entry):
    """A log entry as plain fields; old servers wrap each one as ``{"entry": {...}}``."""
    if isinstance(entry, dict) and isinstance(entry.get('entry'), dict):
        entry = entry['entry']
    entry = entry or {}
    return {
        'severity': (_pick(entry, 'severity') or '').lower() or None,
        'time_stamp': _log_time(entry),
        # 8.x JSON names the user userName (WsLog, WsSysLog in the 8.18 spec); 7.x and the XML attribute: user.
        'user': _pick(entry, 'user', 'userName'),
        'short_description': _pick(entry, 'short-description', 'shortDescription'),
        'long_description': _pick(entry, 'long-description', 'longDescription'),
    }


SYSTEM_TAG = ':__SYSTEM_TAG__'


def folder_tags(value):
    """The folders of a workflow's path from a vRO 8.x ``globalTags`` attribute, in order: each folder is a system tag
    (``"Library:__SYSTEM_TAG__ Demo:__SYSTEM_TAG__"`` -> ``['Library', 'Demo']``). Split at the marker, so that a
    folder name holding a space survives; [] when there is no system tag."""
    if not isinstance(value, str) or SYSTEM_TAG not in value:
        return []
    return [part.strip() for part in value.split(SYSTEM_TAG)[:-1] if part.strip()]


def category_matches(workflow, category):
    """True when ``workflow`` is in ``category``: its category name, or the end of its category path (``Library/Demo``).

    A real 8.x list names only the last folder (``categoryName``) and gives the path as folder tags in ``globalTags``;
    ``categoryPath`` (a path with ``/`` or ``.``) is read too."""
    wanted = category.strip('/')
    if workflow.category == wanted:
        return True
    segments = [s for s in wanted.split('/') if s]
    folders = workflow.folders or folder_tags(workflow.attributes.get('globalTags'))
    if len(segments) > 1 and workflow.category in (None, segments[-1]):
        # The path's end: the workflow's own category (categoryName) or, when the list names none, the last folder.
        ends = [i + len(segments) for i in range(len(folders) - len(segments) + 1) if folders[i:i + len(segments)] == segments]
        if any(workflow.category is not None or end == len(folders) for end in ends):
            return True
    path = workflow.attributes.get('categoryPath') or ''
    path = str(path).replace('.', '/').strip('/')
    return bool(path) and (path == wanted or path.endswith('/' + wanted))


def same_user(a, b):
    """True when two user names are the same person (``bob`` and ``bob@corp.local`` are, case aside)."""
    a, b = str(a).lower(), str(b).lower()
    return a == b or a.split('@', 1)[0] == b or b.split('@', 1)[0] == a


def run_matches(run, states, started_by, name, started_after, started_before):
    if states and run.state not in states:
        return False
    if started_by and run.started_by and not same_user(run.started_by, started_by):
        return False
    if name and run.name and name.lower() not in run.name.lower():
        return False
    start = run.started_at()
    if start is not None:
        if started_after is not None and start < started_after:
            return False
        if started_before is not None and start > started_before:
            return False
    return True


# -- user interactions ---------------------------------------------------------------------------------------


def _list(value):
    """A list from a plain list or an XML-born wrapper such as ``{"assignee": [...]}``."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for inner in value.values():
            if isinstance(inner, list):
                return inner
    return [] if value in (None, '') else [value]


# The parts of an interaction body that are parsed as text or lists (see parameters_problem for its inputs).
INTERACTION_FIELDS = {'id': str, 'name': str, 'href': str, 'state': str, 'timeout-date': (str, int, float),
                      'timeoutDate': (str, int, float), 'input-parameters': (list, dict), 'inputParameters': (list, dict)}


INTERACTION_LIST_FIELDS = {'link': list, 'interactions': list, 'user-interactions': list, 'items': list}


def interactions_problem(body):
    """The first interaction of a list answer (a plain list, or under interactions/items) that cannot be read."""
    if isinstance(body, list):
        items, where = body, 'a list whose item'
    else:
        key = next((k for k in ('interactions', 'user-interactions', 'items') if body.get(k)), None)
        if key is None:
            return None
        items, where = body[key], 'an object whose %s' % key
    found = items_problem(items, OBJECT, where, INTERACTION_FIELDS)
    for index, item in enumerate(items):
        found = found or parameters_problem(item, '%s[%d].' % (where, index))
    return found


class UserInteraction(object):
    """A user interaction, from a WsUserInteraction body or from a list entry (its link attributes)."""

    def __init__(self, data=None, attributes=None):
        data = data or {}
        attrs = attributes or {}
        self.raw = data
        self.attributes = attrs
        self.id = data.get('id') or attrs.get('id')
        self.name = data.get('name') or attrs.get('name')
        self.display_name = data.get('displayName')
        self.href = data.get('href')
        self.state = (data.get('state') or attrs.get('state') or '').lower() or None
        self.input_parameters = parameter_list(data, 'input')
        self.assignees = [str(a) for a in _list(data.get('assignees') if data.get('assignees') is not None else data.get('assignee'))]
        self.user_assignees = [str(a) for a in _list(data.get('user-assignees'))]
        self.group_assignees = [str(a) for a in _list(data.get('group-assignees'))]
        self.timeout_date = decode_date(data.get('timeout-date') or data.get('timeoutDate') or attrs.get('timeoutDate'))
        self.execution_id = attrs.get('executionId') or attrs.get('workflowExecutionId') or attrs.get('execution-id')
        if not self.execution_id and self.href:
            # an entry whose attributes name no run (those VMware's UserInteractionModel reads: id, createDate, name,
            # description) names it in its href: .../workflows/<wid>/executions/<eid>/interaction/
            ids = run_in_href(self.href)
            self.execution_id = ids[1] if ids else None

    @classmethod
    def from_link(cls, link):
        attrs = vro_attributes(link)
        interaction = cls({'href': link.get('href')}, attrs)
        return interaction

    @property
    def pending(self):
        return self.state in (None, 'waiting')

    def to_result(self):
        result = {
            'id': self.id,
            'name': self.name,
            'state': self.state,
            'href': self.href,
            'input_parameters': [{'name': p.get('name'), 'type': p.get('type'), 'description': p.get('description')}
                                 for p in self.input_parameters],
            'assignees': self.assignees,
            'user_assignees': self.user_assignees,
            'group_assignees': self.group_assignees,
            'timeout_date': self.timeout_date,
        }
        if self.execution_id:
            result['execution_id'] = self.execution_id
        if self.attributes:
            # The list entry's attributes as the server sent them: the server's answer, under raw like every module.
            result['raw'] = dict(self.attributes)
        return no_empty(result, DATA_KEYS)


PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'
