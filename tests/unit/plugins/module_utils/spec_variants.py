# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Spec-valid variants of an answer, generated from the official OpenAPI documents in ``../shared/specs``.

Our simulator always sends every field in the shape our code expects; the specs allow more. From a realistic base
answer and the schema the spec gives it, :func:`variants` yields ``(label, answer)`` pairs: each optional field
removed in turn, each field the spec marks nullable set to null (and, as Jackson writes an unset field, each
optional one), each enum value (also the informal "One among: A, B" lists of the VCF spec), each array empty,
numbers as integers and floats, dates in each documented form, and an unknown extra field in every object.

The specs are third-party and never copied here: :func:`find_spec` looks for ``shared/specs/<name>`` next to the
repository (or in any directory above it, or under ``$CLOUDOPS_SHARED``) and returns None when absent.
"""

from __future__ import annotations

import copy
import json
import os
import pathlib
import re

import pytest

EXTRA_FIELD = 'xUnknownFieldFromANewerServer'

# Dates in each form the specs and the API notes allow (date-time, any offset, with or without fraction).
DATE_FORMS = ('2026-01-31T10:00:00Z', '2026-01-31T10:00:00.123Z', '2026-01-31T11:00:00+01:00',
              '2026-01-31T11:00:00.123456+0100', '2026-01-31T10:00:00.000+0000')

# The wire names real servers use where the spec's differ (API-NOTES: "Accept both").
ALIASES = {'input-parameters': 'inputParameters', 'output-parameters': 'outputParameters', 'user': 'userName'}

_ONE_AMONG = re.compile(r'(?:One among|only one of the (?:two )?values)\s*:\s*(.+)$', re.IGNORECASE)


# The official documents the tests read: (what the skip reason calls it, its file under shared/specs).
SPEC_FILES = {'vcf': ('VCF 9.0', 'vcf-9.0-openapi.json'), 'vro': ('vRO 8.18.1', 'vro-8.18.1-openapi.json')}


def spec_or_skip(product):
    """The :class:`Spec` of ``product`` (a key of :data:`SPEC_FILES`); the test is skipped, saying why, when
    ``../shared`` is absent."""
    label, name = SPEC_FILES[product]
    path = find_spec(name)
    if path is None:
        pytest.skip('the %s OpenAPI document (shared/specs/%s) is absent: ../shared is not checked out next to the '
                    'repository' % (label, name))
    return Spec(path)


def find_spec(name):
    """The path of ``shared/specs/<name>`` next to the repository or above it (``$CLOUDOPS_SHARED`` first); None."""
    candidates = []
    if os.environ.get('CLOUDOPS_SHARED'):
        candidates.append(pathlib.Path(os.environ['CLOUDOPS_SHARED']))
    here = pathlib.Path(__file__).resolve()
    candidates.extend(parent / 'shared' for parent in here.parents)
    for shared in candidates:
        path = shared / 'specs' / name
        if path.is_file():
            return path
    return None


class Spec:
    """One OpenAPI document: schemas by name, ``$ref`` and ``allOf`` resolved."""

    def __init__(self, path):
        with open(path, encoding='utf-8') as handle:
            self.doc = json.load(handle)
        self.schemas = self.doc['components']['schemas']

    def resolve(self, schema):
        """``schema`` with its ``$ref`` followed and its ``allOf`` parts merged (properties, required)."""
        seen = 0
        while isinstance(schema, dict) and '$ref' in schema and seen < 20:
            schema = self.schemas[schema['$ref'].rsplit('/', 1)[-1]]
            seen += 1
        if isinstance(schema, dict) and 'allOf' in schema:
            merged = dict((k, v) for k, v in schema.items() if k != 'allOf')
            merged['properties'] = dict(schema.get('properties') or {})
            merged['required'] = list(schema.get('required') or [])
            for part in schema['allOf']:
                part = self.resolve(part)
                merged['properties'].update(part.get('properties') or {})
                merged['required'].extend(part.get('required') or [])
            return merged
        return schema or {}

    def schema(self, name):
        return self.resolve({'$ref': '#/components/schemas/' + name})


def enum_values(schema):
    """The enum of a string schema: ``enum``, or the informal list in its ``example`` ("One among: A, B")."""
    if schema.get('enum'):
        return list(schema['enum'])
    match = _ONE_AMONG.search(str(schema.get('example') or ''))
    if not match:
        return []
    return [v.strip() for v in re.split(r',|\bor\b', match.group(1)) if v.strip()]


def _set(answer, path, value):
    """A deep copy of ``answer`` with the value at ``path`` (keys and list indexes) replaced, or removed (``...``)."""
    out = copy.deepcopy(answer)
    node = out
    for step in path[:-1]:
        node = node[step]
    if value is Ellipsis:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


def _name(path):
    text = ''
    for step in path:
        text += '[%d]' % step if isinstance(step, int) else ('.' if text else '') + step
    return text or '<answer>'


def property_schema(spec, schema, key, kinds=None):
    """The schema of ``key`` in an object ``schema`` (spec names and the real wire aliases); a vRO wire kind
    (``{"string": {...}}``) maps to the kind's schema when ``kinds`` names it."""
    props = schema.get('properties') or {}
    if key in props:
        return spec.resolve(props[key])
    if ALIASES.get(key) in props:
        return spec.resolve(props[ALIASES[key]])
    if kinds and key in kinds and key in spec.schemas:
        return spec.schema(key)
    return None


def variants(spec, base, schema, kinds=None, lenient_nulls=True, path=()):
    """Yield ``(label, answer)``: the spec-valid variants of ``base`` (see the module docstring). ``schema`` is the
    base's (resolved) schema; ``kinds`` the vRO wire kinds, whose bodies are described by the schema of that name."""
    node = base
    for step in path:
        node = node[step]
    schema = spec.resolve(schema)
    if isinstance(node, dict):
        # A wire value ({"string": {...}}: the spec's oneOf of kinds) holds its one kind and nothing else.
        if not (kinds and 'oneOf' in schema and not schema.get('properties')):
            yield 'extra field in %s' % _name(path), _set(base, path + (EXTRA_FIELD,), 'new')
        required = set(schema.get('required') or [])
        for key in list(node):
            inner = property_schema(spec, schema, key, kinds)
            if inner is None:
                continue
            where = path + (key,)
            # A wire kind ({"string": {...}}) is the value's wrapper, not a property: it is never left out.
            wrapper = bool(kinds) and key in kinds and key not in (schema.get('properties') or {})
            if not wrapper and key not in required and ALIASES.get(key) not in required:
                yield 'no %s' % _name(where), _set(base, where, Ellipsis)
                if inner.get('nullable') or lenient_nulls:
                    yield 'null %s' % _name(where), _set(base, where, None)
            for value in enum_values(inner):
                if value != node[key]:
                    yield '%s = %r' % (_name(where), value), _set(base, where, value)
            kind = inner.get('type')
            if kind == 'number' and isinstance(node[key], (int, float)) and not isinstance(node[key], bool):
                yield '%s as integer' % _name(where), _set(base, where, int(node[key]))
                yield '%s as float' % _name(where), _set(base, where, float(node[key]))
            if inner.get('format') == 'date-time' and isinstance(node[key], str):
                for form in DATE_FORMS:
                    yield '%s = %s' % (_name(where), form), _set(base, where, form)
            if isinstance(node[key], (dict, list)):
                yield from variants(spec, base, inner, kinds, lenient_nulls, where)
    elif isinstance(node, list):
        if node:
            yield 'empty %s' % _name(path), _set(base, path, []) if path else []
        items = spec.resolve(schema.get('items') or {})
        for index in range(len(node)):
            yield from variants(spec, base, items, kinds, lenient_nulls, path + (index,))


def count(spec, base, schema, kinds=None):
    return sum(1 for ignored in variants(spec, base, schema, kinds))


def spec_spelled(value):
    """``value`` (a vRO answer in the real wire spelling) in the 8.18 spec's own names: ``inputParameters`` and
    ``outputParameters``, Properties entries under ``properties``, composite fields under ``CompositeObjectValue``,
    each wrapped as ``{"composite-value": {id, value}}``. A fake server written from the spec sends these."""
    if isinstance(value, list):
        return [spec_spelled(item) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, inner in value.items():
        if key in ('input-parameters', 'output-parameters'):
            key = ALIASES[key]
        if key == 'properties' and isinstance(inner, dict) and 'property' in inner:
            inner = dict((k, v) for k, v in inner.items() if k != 'property')
            inner['properties'] = value[key]['property']
        if key == 'composite' and isinstance(inner, dict) and 'property' in inner:
            fields = inner['property']
            inner = dict((k, v) for k, v in inner.items() if k != 'property')
            inner['CompositeObjectValue'] = [{'composite-value': field} for field in fields]
        out[key] = spec_spelled(inner)
    return out
