# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vRO parameter decoder, dates and secret masking: typed vRO JSON -> plain values.

Internal use only. The read half of the parameter conversion (``encode.py`` is the write half and states the
conversion rules), kept apart so that modules that only read never compile the encoder. The comparison of inputs, the
secure values and the declared type names (:func:`inputs.parse_type`) are in ``inputs.py``, which the read module
(vro_execution_info) does not ship.
"""

from __future__ import annotations

import base64
import binascii
import copy

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import SECRET_MASK, json_name, redact_values
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import format_date, moment_from_ms, number_ms, parse_date


def decode_date(raw):
    """Decode a date as servers send it (ISO string, or epoch milliseconds on old servers) to canonical ISO.

    Numbers follow the one rule of ``_time`` (:func:`_time.number_ms`). Returns the input unchanged when it cannot
    be read, and None for None.
    """
    if raw is None or raw == '':
        return None
    if isinstance(raw, bool):
        return raw
    ms = number_ms(raw)
    if ms is not None:
        moment = moment_from_ms(ms)
        return format_date(moment) if moment else raw
    parsed = parse_date(raw)
    return format_date(parsed) if parsed else raw


# ---------------------------------------------------------------- decoding

def _first(mapping, *keys):
    for key in keys:
        if key in mapping and mapping[key] is not None:
            return mapping[key]
    return None


def _listed(found):
    """A list read from a wire value (array elements, Properties or composite entries): a list as it is, one object as a
    list of it. XML-born JSON writers (Jettison, Staxon) give a one-element list as the bare element, and a public vRO
    client reads them so; anything else is left for :func:`value_problem` to name."""
    return [found] if isinstance(found, dict) else found


def _list_keys(kind):
    """The keys under which the decoder reads a wire kind's list (every spelling, read in this order)."""
    if kind == 'array':
        return ('elements', 'element')
    if kind == 'properties':
        return ('property', 'properties')
    return ('property', 'properties', 'CompositeObjectValue')


def _decode_number(raw):
    if isinstance(raw, str):
        try:
            raw = float(raw)
        except ValueError:
            return raw
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 2 ** 53:
        return int(raw)
    return raw


def _decode_mime(body):
    content = _first(body, 'mime-content', 'content', 'mimeContent')
    out = {'name': body.get('name'), 'mime_type': _first(body, 'mime-type', 'mimeType', 'mime_type')}
    if content is None:
        out['content'] = None
        return out
    try:
        data = base64.b64decode(content)
        out['content'] = data.decode('utf-8')
    except (binascii.Error, ValueError, TypeError):
        out['content_base64'] = content
    return out


def decode_value(value, mask_secrets=True):
    """Decode one vRO wire value (``{"kind": {...}}``) into a plain value.

    Secure strings become ``********`` when ``mask_secrets``. Unknown kinds come back unchanged;
    an empty or missing value is None.
    """
    if not isinstance(value, dict) or not value:
        return None if value in (None, {}) else value
    kind = None
    for key in value:
        if key != 'objectType':
            kind = key
            break
    if kind is None:
        return None
    body = value[kind]
    if kind in ('string', 'regex', 'encrypted-string'):
        return body.get('value') if isinstance(body, dict) else body
    if kind == 'secure-string':
        plain = body.get('value') if isinstance(body, dict) else body
        return SECRET_MASK if mask_secrets and plain is not None else plain
    if kind == 'number':
        return _decode_number(body.get('value') if isinstance(body, dict) else body)
    if kind == 'boolean':
        raw = body.get('value') if isinstance(body, dict) else body
        if isinstance(raw, str):
            return raw.strip().lower() == 'true'
        return raw
    if kind == 'date':
        return decode_date(body.get('value') if isinstance(body, dict) else body)
    if kind == 'array':
        elements = _listed(_first(body, *_list_keys(kind)) if isinstance(body, dict) else body)
        return [decode_value(item, mask_secrets) for item in (elements or [])]
    if kind == 'properties':
        entries = _listed(_first(body, *_list_keys(kind)) if isinstance(body, dict) else body)
        return dict((entry.get('key'), decode_value(entry.get('value'), mask_secrets)) for entry in (entries or []))
    if kind == 'composite':
        entries = [composite_entry(entry) for entry in _listed(_first(body, *_list_keys(kind))) or []]
        return dict((entry.get('id'), decode_value(entry.get('value'), mask_secrets)) for entry in entries)
    if kind == 'sdk-object':
        return {'type': body.get('type'), 'id': body.get('id')}
    if kind == 'mime-attachment':
        return _decode_mime(body)
    return value


def composite_fields(type_name):
    """The ``[(field name, field type name)]`` of a declared ``CompositeType(a:string,b:Array/number):Name``, in order;
    None for a name that is not a composite type or cannot be read. Commas inside parentheses do not split."""
    name = type_name.strip() if isinstance(type_name, str) else ''
    if not name.startswith('CompositeType('):
        return None
    depth, start, parts = 0, len('CompositeType('), []
    for index in range(start - 1, len(name)):
        char = name[index]
        if char == '(':
            depth += 1
        elif char == ')':
            depth -= 1
            if depth == 0:
                parts.append(name[start:index])
                break
        elif char == ',' and depth == 1:
            parts.append(name[start:index])
            start = index + 1
    else:
        return None
    fields = []
    for part in parts:
        field, sep, field_type = part.strip().partition(':')
        if not part.strip():
            continue
        if not sep:
            return None
        fields.append((field.strip(), field_type.strip()))
    return fields


def declared_secure(value, type_name):
    """``value`` with each part that its declared type makes a SecureString, whatever wire kind the server gave it, as
    a ``secure-string`` value: the value of a ``SecureString``, the elements of an ``Array/SecureString``, the
    SecureString fields of a composite type, at any depth. Masking and the secret list go by wire kind, so a secret
    sent as a ``string`` in a SecureString place is masked too. Other values come back unchanged (not copied)."""
    name = type_name.strip() if isinstance(type_name, str) else ''
    if not isinstance(value, dict) or not name:
        return value
    if name.lower() == 'securestring':
        kind = next((key for key in value if key != 'objectType'), None)
        if kind is None or kind == 'secure-string':
            return value
        body = value[kind]
        return {'secure-string': body if isinstance(body, dict) else {'value': body}}
    if name.lower().startswith('array/') and isinstance(value.get('array'), dict):
        return dict(value, array=_each_listed(value['array'], 'array', lambda item: declared_secure(item, name[6:])))
    fields = composite_fields(name)
    if fields and isinstance(value.get('composite'), dict):
        types = dict(fields)
        return dict(value, composite=_each_listed(value['composite'], 'composite',
                                                  lambda entry: _declared_secure_field(entry, types)))
    return value


def _declared_secure_field(entry, types):
    """A composite's field entry with its value made secure when its declared field type is SecureString."""
    inner = composite_entry(entry)
    if not isinstance(inner, dict) or not isinstance(inner.get('id'), str) or inner['id'] not in types:
        return entry
    made = dict(inner, value=declared_secure(inner.get('value'), types[inner['id']]))
    return made if inner is entry else dict(entry, **{'composite-value': made})


def _each_listed(body, kind, change):
    """A copy of a wire kind's body with ``change`` applied to every item of each list the decoder reads (a bare
    object stays one)."""
    body = dict(body)
    for list_key in _list_keys(kind):
        found = body.get(list_key)
        if isinstance(found, list):
            body[list_key] = [change(item) for item in found]
        elif isinstance(found, dict):
            body[list_key] = change(found)
    return body


def composite_entry(entry):
    """A composite's field ``{id, value}``: the 8.18 spec wraps each one as ``{"composite-value": {id, value}}``."""
    if isinstance(entry, dict) and isinstance(entry.get('composite-value'), dict) and 'id' not in entry:
        return entry['composite-value']
    return entry


def _parameter_keys(key):
    """The spellings of an ``input``/``output`` parameter list; for inputs also ``parameter``, the name vRO's 7.x API
    reference gives the list of a task and of a user interaction (developer.broadcom.com, vRO 7.3: Get Task, Get User
    Interaction)."""
    keys = ('%s-parameters' % key, '%sParameters' % key, '%s_parameters' % key)
    return keys + ('parameter',) if key == 'input' else keys


def parameter_list(container, key='input'):
    """Return a run's or definition's parameter list, accepting ``input-parameters`` and ``inputParameters``.

    ``key`` is ``input`` or ``output``; returns [] when absent.
    """
    if not isinstance(container, dict):
        return []
    found = _first(container, *_parameter_keys(key))
    if isinstance(found, dict):
        # XML-born shapes wrap the list: {"parameter": [...]}
        found = _first(found, 'parameter', 'parameters') or []
    return found or []


# -- shape: what the decoders above index into, checked where an answer is read (see _client.check_shape's inner)

PARAMETER = 'a parameter (an object with a string name and a typed value)'
TYPED_VALUE = 'a typed value (an object such as {"string": {"value": ...}})'
_SCALAR = (str, int, float, bool, type(None))
# Wire kinds whose body the decoders read as an object.
_OBJECT_KINDS = ('sdk-object', 'mime-attachment', 'composite')


def _problem(path, value, expected):
    return '%s is %s' % (path, json_name(value)), expected


def _entries_problem(entries, path, key):
    """The first entry of a properties/composite list that is not ``{key: scalar, value: typed value}``."""
    entries = _listed(entries)
    if entries is None:
        return None
    if not isinstance(entries, list):
        return _problem(path, entries, 'a list of entries')
    for index, entry in enumerate(entries):
        where = '%s[%d]' % (path, index)
        if key == 'id' and composite_entry(entry) is not entry:
            entry, where = composite_entry(entry), where + '.composite-value'
        if not isinstance(entry, dict):
            return _problem(where, entry, 'an entry (an object with %s and value)' % key)
        if not isinstance(entry.get(key), _SCALAR):
            return _problem('%s.%s' % (where, key), entry.get(key), 'a string')
        found = value_problem(entry.get('value'), where + '.value')
        if found:
            return found
    return None


def value_problem(value, path='value'):
    """``(problem, expected)`` for the first part of a wire value that :func:`decode_value`, :func:`mask_parameters`,
    :func:`comparable_inputs` or :func:`secure_values` could not read; None when all can. ``path`` names it."""
    if not isinstance(value, dict):
        return None  # scalars and lists come back unchanged
    for kind, body in value.items():
        where = '%s.%s' % (path, kind)
        if kind in _OBJECT_KINDS and not isinstance(body, dict):
            return _problem(where, body, 'an object')
        if kind == 'array':
            elements = _listed(_first(body, *_list_keys(kind)) if isinstance(body, dict) else body)
            if elements is not None and not isinstance(elements, list):
                return _problem(where + '.elements', elements, 'a list')
            for index, item in enumerate(elements or []):
                found = value_problem(item, '%s.elements[%d]' % (where, index))
                if found:
                    return found
        elif kind == 'properties':
            entries = _first(body, *_list_keys(kind)) if isinstance(body, dict) else body
            found = _entries_problem(entries, where + '.property', 'key')
            if found:
                return found
        elif kind == 'composite':
            for list_key in _list_keys(kind):
                found = _entries_problem(body.get(list_key), '%s.%s' % (where, list_key), 'id')
                if found:
                    return found
    return None


def parameters_problem(container, where='an object whose '):
    """``(problem, expected)`` for the first part of ``container``'s input and output parameter lists that the
    decoders could not read (a list that is not one, a parameter that is not an object, a bad value); None when
    all can. For ``check_shape(..., inner=parameters_problem)``."""
    if not isinstance(container, dict):
        return None
    for direction in ('input', 'output'):
        key = next((k for k in _parameter_keys(direction) if container.get(k) is not None), None)
        if key is None:
            continue
        found = container[key]
        if isinstance(found, dict):
            key += '.parameter'
            found = _first(found, 'parameter', 'parameters')
        if found is None:
            continue
        if not isinstance(found, list):
            return _problem(where + key, found, 'a list of parameters')
        for index, param in enumerate(found):
            path = '%s%s[%d]' % (where, key, index)
            if not isinstance(param, dict):
                return _problem(path, param, PARAMETER)
            for field in ('name', 'type'):
                if not isinstance(param.get(field), (str, type(None))):
                    return _problem('%s.%s' % (path, field), param.get(field), 'a string')
            problem = value_problem(param.get('value'), path + '.value')
            if problem:
                return problem
    return None


def decode_parameters(params, mask_secrets=True):
    """Decode a parameter list (``[{name, type, value}]``) into ``{name: plain value}``.

    SecureString values (by wire kind or declared type) are masked when ``mask_secrets``.
    """
    out = {}
    for param in params or []:
        value = decode_value(declared_secure(param.get('value'), param.get('type')), mask_secrets)
        if mask_secrets and value is not None and str(param.get('type', '')).lower() == 'securestring':
            value = SECRET_MASK
        out[param.get('name')] = value
    return out


def _mask_value(value):
    if not isinstance(value, dict):
        return value
    out = {}
    for kind, body in value.items():
        if kind == 'secure-string' and isinstance(body, dict):
            body = dict(body, value=SECRET_MASK)
        elif kind in ('array', 'properties', 'composite') and isinstance(body, dict):
            # Every list the decoder reads (decode_value), in every spelling and as a bare object, is masked too.
            body = _each_listed(body, 'array' if kind == 'array' else 'composite', _mask_value if kind == 'array' else _mask_entry)
        out[kind] = body
    return out


def _mask_entry(entry):
    """A Properties or composite entry with its value masked (a spec-wrapped ``composite-value`` one too)."""
    if not isinstance(entry, dict):
        return entry
    inner = composite_entry(entry)
    if inner is not entry:
        return dict(entry, **{'composite-value': _mask_entry(inner)})
    return dict(entry, value=_mask_value(entry.get('value')))


def mask_parameters(params):
    """Return a deep copy of wire parameters with every secure-string value replaced by ``********``."""
    masked = []
    for param in params or []:
        param = copy.deepcopy(param)
        if str(param.get('type', '')).lower() == 'securestring' and isinstance(param.get('value'), dict):
            param['value'] = {'secure-string': {'value': SECRET_MASK}}
        else:
            param['value'] = _mask_value(declared_secure(param.get('value'), param.get('type')))
        masked.append(param)
    return masked


def secret_strings(params):
    """Every plain-text SecureString value in wire parameters: a parameter declared SecureString, a part its declared
    type makes one (:func:`declared_secure`), or a secure-string value at any depth (an Array, Properties, a
    composite); the mask itself is not a secret."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            for kind, body in value.items():
                if kind == 'secure-string' and isinstance(body, dict) and isinstance(body.get('value'), str):
                    found.append(body['value'])
                else:
                    walk(body)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for param in params or []:
        value = param.get('value') if isinstance(param, dict) else None
        if isinstance(param, dict) and str(param.get('type', '')).lower() == 'securestring' and isinstance(value, dict):
            for body in value.values():
                if isinstance(body, dict) and isinstance(body.get('value'), str):
                    found.append(body['value'])
        walk(declared_secure(value, param.get('type')) if isinstance(param, dict) else value)
    return [secret for secret in dict.fromkeys(found) if secret and secret != SECRET_MASK]


def mask_text(text, secrets):
    """``text`` with every one of ``secrets`` replaced by ``********`` (the longest first; as the client's ``redact``,
    none shorter than ``_client.MIN_SECRET_LEN``, which would mangle the text); other values unchanged."""
    if not isinstance(text, str) or not secrets:
        return text
    return redact_values(text, sorted(secrets, key=len, reverse=True))
