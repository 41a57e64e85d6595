# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one return style of the collection, without Ansible imports (the model files call it; see
docs/docsite/rst/return_values.rst): snake_case keys, times as ISO 8601 UTC ending in ``Z``, null for a missing
value, the server's own answer under ``raw``.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import copy
import re

from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import format_date, moment_from_ms, number_ms, parse_date

# One word of a key: an acronym with a plural s (URLs, IDs), an acronym (URL, the RO of vROId), a capitalised or
# lower-case word, digits. Digits stay with the word before them (ipv4Address -> ipv4_address).
_SNAKE = re.compile(r'^_*[a-z0-9]+(_[a-z0-9]+)*$')
_WORD = re.compile(r'[A-Z]{2,}s(?![a-z])[0-9]*|[A-Z]+(?![a-z])[0-9]*|[A-Z]?[a-z]+[0-9]*|[0-9]+')


def snake_case(name):
    """``isRetryable`` -> ``is_retryable``, ``URL`` -> ``url``, ``resourceIDs`` -> ``resource_ids``,
    ``ipv4Address`` -> ``ipv4_address``, ``start-date`` -> ``start_date``; a snake_case name comes back as it is.

    A one-letter lower-case prefix before a capital is part of a product name and stays with what follows:
    ``vROId`` -> ``vro_id``, ``vCenterName`` -> ``vcenter_name``. Leading underscores are kept (``_links``).
    Anything that is not a string is returned unchanged.
    """
    if not isinstance(name, str) or _SNAKE.match(name):
        return name
    stripped = name.lstrip('_')
    lead = name[:len(name) - len(stripped)]
    words = []
    for part in re.split(r'[^A-Za-z0-9]+', stripped):
        found = _WORD.findall(part)
        if len(found) > 1 and len(found[0]) == 1 and found[0].islower() and found[1][:1].isupper():
            found = [found[0] + found[1]] + found[2:]
        words.extend(found)
    if not words:
        return name
    return lead + '_'.join(word.lower() for word in words)


def snake_keys(value, data_keys=frozenset()):
    """``value`` with every mapping key in snake_case, recursively through dicts and lists.

    The value under a key named in ``data_keys`` (after conversion) is user data or the server's own answer
    (workflow inputs and outputs, ICO task parameters, ``raw``): it is copied as it is, its keys untouched.
    """
    if isinstance(value, dict):
        shaped = {}
        for key, inner in value.items():
            name = snake_case(key)
            shaped[name] = copy.deepcopy(inner) if name in data_keys else snake_keys(inner, data_keys)
        return shaped
    if isinstance(value, list):
        return [snake_keys(inner, data_keys) for inner in value]
    return value


def iso_z(value, ms=False):
    """A time as ISO 8601 UTC with milliseconds and ``Z`` (``2026-01-31T10:00:00.000Z``), from ISO text with any
    offset (``+0000``, ``+01:00``) or a number: epoch milliseconds when ``ms`` (a field the API documents so),
    else the collection's rule (below 10**10 seconds, else milliseconds). None or ``""`` is None; a value that is
    not a time is returned unchanged (never lost)."""
    if value in (None, ''):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) or (isinstance(value, str) and re.match(r'^\s*\d+\s*$', value)):
        moment = moment_from_ms(float(value) if ms else number_ms(value))
    else:
        moment = parse_date(value)
    return format_date(moment) if moment else value


def none_if_empty(value):
    """``""`` (how some answers say "nothing") as None; anything else unchanged."""
    return None if value == '' else value


def shaped_entry(raw, data_keys=frozenset(), time_keys=frozenset(), **fields):
    """One entry of a module result from a server object ``raw``: its keys in snake_case (``data_keys`` subtrees
    untouched), the values under ``time_keys`` (at any depth, outside the data) as :func:`iso_z`, ``""`` as None
    (outside the data), then ``fields`` (the module's own, which win), and ``raw``: the object as the server sent it."""
    entry = _clean(snake_keys(raw if isinstance(raw, dict) else {}, data_keys), data_keys, time_keys)
    entry.update(fields)
    entry['raw'] = copy.deepcopy(raw)
    return entry


def _clean(value, data_keys, time_keys, key=None):
    if key in data_keys:
        return value
    if isinstance(value, dict):
        return dict((name, _clean(inner, data_keys, time_keys, name)) for name, inner in value.items())
    if isinstance(value, list):
        return [_clean(inner, data_keys, time_keys) for inner in value]
    if key in time_keys:
        return iso_z(value)
    return none_if_empty(value)


def no_empty(value, data_keys=frozenset()):
    """``value`` with every ``""`` as None, recursively, except under the keys in ``data_keys`` (user data: an
    input whose value is ``""`` was given so)."""
    return _clean(value, data_keys, frozenset())
