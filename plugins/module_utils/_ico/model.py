# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ICO 2.5 task engine nouns, without I/O: task fields and aliases, :class:`TaskStatus`, diffing, the client-side
:class:`TaskFilter` and time fields.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import copy
import fnmatch
import math
import re

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import SECRET_MASK, masked, secret_key, secret_values
from ansible_collections.cloudops.orchestrator.plugins.module_utils._shape import iso_z, shaped_entry
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import to_epoch_ms


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


# Every task field IBM's sample and documentation name (API-NOTES section 2). Not a closed list: another key is sent as
# given, but a key that is one of these spelt otherwise (eventtopic, EventTopic, event-topic) is refused, since ICO
# would store it beside the real field and the task would start without it.
KNOWN_FIELDS = ('parm', 'eventTopic', 'delayInSeconds', 'serviceInstanceId', 'status', 'status_localized', 'user',
                'domain', 'project', 'description', 'description_message', 'error', 'error_message') + tuple(READ_ONLY_FIELDS)


def _field_key(name):
    return re.sub(r'[_\-\s]', '', str(name)).lower()


_KNOWN_BY_KEY = dict((_field_key(name), name) for name in KNOWN_FIELDS)


class TaskStatus:
    """ICO task statuses. The full list is not public: only these are known to be final."""

    COMPLETED = 'COMPLETED'
    FAILED = 'FAILED'
    # Unknown statuses are treated as still running (the API notes say so), unless the user names them.
    KNOWN_TERMINAL = frozenset(('COMPLETED', 'FAILED', 'CANCELLED', 'CANCELED', 'ERROR', 'REJECTED', 'TERMINATED'))
    # Every status this collection knows of (QUEUED and RUNNING come before the final ones). Not the full list, which
    # IBM does not publish: a name outside it is warned about, never refused.
    KNOWN = frozenset(('QUEUED', 'RUNNING')) | KNOWN_TERMINAL

    @classmethod
    def unknown_warning(cls, statuses, option):
        """The warning for the names in ``statuses`` this collection does not know (None when it knows them all)."""
        unknown = [str(s) for s in statuses or [] if cls.normalise(s) not in cls.KNOWN]
        if not unknown:
            return None
        return ('%s names %s, which IBM Cloud Orchestrator is not known to use (known: %s); its full list of statuses is '
                'not public, so the module waits for %s anyway: check the spelling' % (
                    option, ', '.join(repr(s) for s in unknown), ', '.join(sorted(cls.KNOWN)),
                    'it' if len(unknown) == 1 else 'them'))

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
        known = _KNOWN_BY_KEY.get(_field_key(name))
        if known is not None and known != name:
            raise ValueError("task field %r is not spelt as the task engine names it; did you mean %r? nothing was sent: "
                             "fix the key in 'task' (field names are case sensitive)" % (key, known))
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

    ``changes`` holds only the fields that differ (what a PUT should carry), compared on the real values; ``diff`` is
    the Ansible ``{'before': ..., 'after': ...}`` for them, values under secret-named keys masked (:func:`masked_diff`).
    A secret the server returned masked counts as unchanged (:func:`server_masked_secrets`). Fields not named in
    ``desired`` are never touched.
    """
    current = with_desired_secrets(current, desired)
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
    return changes, masked_diff(before, after)


# What an ICO server that masks secrets on read may put in their place (IBM documents no such masking; a task's
# ``parm`` comes back as it was sent in every public sample): asterisks only.
_SERVER_MASK = re.compile(r'^\*{3,}$')
CHANGED_SECRET = SECRET_MASK + ' (changed)'


def masked_diff(before, after):
    """``before`` and ``after`` with values under secret-named keys masked; a secret whose value differs shows as
    ``******** (changed)`` after, so that the diff says that it changed and never what it was or is."""
    shown_before, shown_after = masked(before), masked(after)
    _mark_changed(before, after, shown_after)
    return {'before': shown_before, 'after': shown_after}


def _mark_changed(before, after, shown_after):
    if isinstance(before, list) and isinstance(after, list) and isinstance(shown_after, list):
        # A list of mappings (parm.databases[0].password): entry by entry; an entry added has every secret changed.
        for index, value in enumerate(after):
            _mark_changed(before[index] if index < len(before) else {}, value, shown_after[index])
        return
    if not (isinstance(before, dict) and isinstance(after, dict) and isinstance(shown_after, dict)):
        return
    for key, value in after.items():
        if secret_key(key) and value not in (None, ''):
            if key not in before or not same_value(before[key], value):
                shown_after[key] = CHANGED_SECRET
        else:
            # A mapping or list new to the task: every secret in it is changed.
            _mark_changed(before[key] if key in before else ({} if isinstance(value, dict) else []), value, shown_after.get(key))


def server_masked_secrets(current, desired, path=''):
    """The dotted names (``parm.password``) of the secrets that ``current`` holds masked by the server (asterisks)
    where ``desired`` gives a value: they cannot be compared."""
    found = []
    if isinstance(current, list) and isinstance(desired, list):
        # A list of mappings (parm.replicas[0].password): entry by entry.
        for index, (here, value) in enumerate(zip(current, desired)):
            found.extend(server_masked_secrets(here, value, '%s[%d]' % (path, index)))
    if isinstance(current, dict) and isinstance(desired, dict):
        for key, value in desired.items():
            if key not in current:
                continue
            name = '%s.%s' % (path, key) if path else str(key)
            here = current[key]
            if secret_key(key) and isinstance(here, str) and _SERVER_MASK.match(here) and value not in (None, '') \
                    and not same_value(here, value):
                found.append(name)
            else:
                found.extend(server_masked_secrets(here, value, name))
    return found


def with_desired_secrets(current, desired):
    """``current`` with each secret the server returned masked (:func:`server_masked_secrets`) replaced by the desired
    value: what is compared, and what a PUT of the whole definition carries (never the server's asterisks)."""
    if not server_masked_secrets(current, desired):
        return current
    return _fill(current, desired)


def _fill(current, desired):
    if isinstance(current, list) and isinstance(desired, list):
        return [_fill(here, desired[index]) if index < len(desired) else here for index, here in enumerate(current)]
    if not (isinstance(current, dict) and isinstance(desired, dict)):
        return current
    filled = dict(current)
    for key, value in desired.items():
        if key not in current:
            continue
        here = current[key]
        if secret_key(key) and isinstance(here, str) and _SERVER_MASK.match(here) and value not in (None, ''):
            filled[key] = copy.deepcopy(value)
        else:
            filled[key] = _fill(here, value)
    return filled


# In a task: ``parm`` holds the user's own parameters (their names are data, never converted).
DATA_KEYS = frozenset(('parm',))
TIME_KEYS = frozenset(('created_iso', 'updated_iso'))


def with_iso_times(task, known=None):
    """The entry of ``orch_task`` and ``orch_task_info`` for one task: its fields in snake_case (``eventTopic`` ->
    ``event_topic``; ``parm`` as it is), ``""`` as null, ``created``/``updated`` as the server's epoch milliseconds
    with ``created_iso``/``updated_iso`` always present as ISO 8601 UTC ``Z`` (from the server's text in any offset,
    else from the milliseconds), and ``raw``: the task as the server sent it. Values under secret-named keys
    (``parm.password``, ``parm.apiKey``: :func:`_client.masked`) are ``********`` in both, and masked where other
    texts of the task quote them, with those of ``known`` (the task as read, for one predicted from it)."""
    secrets = sorted(secret_values(task) | secret_values(known), key=len, reverse=True)
    task = masked(task, secrets) if isinstance(task, dict) else {}
    times = {}
    for key in ('created', 'updated'):
        times[key + '_iso'] = iso_z(task.get(key + '_iso')) or iso_z(task.get(key), ms=True)
    if isinstance(task.get('id'), (int, float)) and not isinstance(task.get('id'), bool):
        # IBM's sample has the id as a string ("1003"); a server that sends a number gets the same text (raw keeps it).
        times['id'] = task_id_text(task['id'])
    return shaped_entry(task, DATA_KEYS, TIME_KEYS, **times)


def task_id_text(value):
    """A task id as text: ``1003`` and ``1003.0`` as ``'1003'``, a string as it is, None as None."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return None if value is None else str(value)


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


def created_ms(task):
    """When a task was created, in epoch ms: ``created`` (epoch ms, as a number or a digit string; or an ISO text),
    else ``created_iso``; None if neither is a time."""
    for candidate in (task.get('created'), task.get('created_iso')):
        if candidate is None or isinstance(candidate, bool):
            continue
        if isinstance(candidate, (int, float)) or (isinstance(candidate, str) and candidate.strip().isdigit()):
            # ICO's ``created`` is epoch milliseconds, however small (no seconds-or-milliseconds guess here).
            number = float(candidate)
            if math.isfinite(number):
                return int(number)
            continue
        try:
            when = to_epoch_ms(candidate)
        except (TypeError, ValueError):
            continue
        if when is not None:
            return when
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


# The fields that define a task (what a PUT that replaces rather than merges would lose when left out).
DEFINITION_FIELDS = ('parm', 'eventTopic', 'delayInSeconds', 'serviceInstanceId')


def full_update(current, changes, desired=None):
    """The PUT body for ``changes`` to ``current``: the task's whole definition with the changes merged in, so that a
    server replacing the task rather than merging the body loses nothing (IBM documents no PUT body). A field the user
    gave (``desired``) goes as given, whole: their ``parm`` with its secrets, also where the server shows them masked."""
    body = dict((name, copy.deepcopy(current[name])) for name in DEFINITION_FIELDS if name in current)
    body.update((name, copy.deepcopy(value)) for name, value in (desired or {}).items() if name in body)
    for name in list(body):
        if name not in changes and name not in (desired or {}) and _holds_server_mask(body[name]):
            # A secret the server returned as asterisks: sending them back would set the secret to asterisks.
            del body[name]
    body.update(changes)
    return body


def masked_fields_left_out(current, changes, desired=None):
    """The definition fields that :func:`full_update` leaves out of the PUT because the server shows a secret of
    theirs masked and the user did not give them."""
    return [name for name in DEFINITION_FIELDS if name in current and name not in changes
            and name not in (desired or {}) and _holds_server_mask(current[name])]


def _holds_server_mask(value):
    if isinstance(value, dict):
        return any((secret_key(k) and isinstance(v, str) and bool(_SERVER_MASK.match(v))) or _holds_server_mask(v)
                   for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_server_mask(v) for v in value)
    return False


def unwrap_item(entry):
    """A collection entry as the task itself: some ICO answers wrap each entry as ``{"item": {...}}``, and the
    ``/orchestrator/v2`` entries IBM shows (ICO 2.5 "Managing entities by using actions") come as ``{"href": ...,
    "item": {...}}`` beside other links. An object with an ``id`` of its own is a task, never unwrapped."""
    if isinstance(entry, dict) and isinstance(entry.get('item'), dict) and entry.get('id') is None:
        return entry['item']
    return entry
