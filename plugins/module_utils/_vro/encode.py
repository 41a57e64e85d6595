# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vRO parameter encoder and decoder: plain YAML values <-> typed vRO JSON. Internal use only.

The encoder takes a workflow's declared ``input-parameters`` (``[{name, type, ...}]``) and a mapping of
plain values, and returns the ``parameters`` list of an execution-context. The decoder reads the same
table backwards and accepts every shape real servers send (``property``/``properties``,
``mime-content``/``content``, ISO dates and epoch milliseconds).

Conversion rules (documented for users in the module docs):

- ``string``, ``SecureString``, ``EncryptedString``, ``Regexp``: a string; integers and floats are
  converted with ``str()``; booleans are refused (YAML turns an unquoted ``yes`` into ``true``).
- ``number``: an integer or a float, or a string holding a decimal number; booleans are refused.
  Integral numbers decode back to integers (vRO echoes ``20`` as ``20.0``).
- ``boolean``: ``true``/``false``, or one of the strings ``true``, ``false``, ``yes``, ``no``, ``on``,
  ``off`` (any case); numbers are refused.
- ``Date``: an ISO-8601 string, a date or a datetime; no zone means UTC. Sent and returned as
  ``YYYY-MM-DDTHH:MM:SS.mmmZ``.
- ``Array/T``: a list, each element encoded as ``T`` (arrays nest); a null element is refused (it cannot be
  left out without moving the others).
- ``Properties``: a mapping; each value is typed from its YAML kind (string, number, boolean, list,
  mapping, date); null values are left out (as are null composite fields).
- ``CompositeType(a:string,b:number):Name``: a mapping of the declared fields, each encoded by its field type.
- SDK objects (``PLUGIN:Type``): ``{type, id}`` (``type`` defaults to the declared one, optional
  ``display_value`` and ``href``) or a plain id string.
- ``MimeAttachment``: ``{name, mime_type, content}`` (text), ``{name, mime_type, content_base64}`` or
  ``{name, mime_type, src}`` (a file on the host the module runs on).
- ``Any``: typed from the YAML kind, as for Properties values.
- Any other type name cannot be encoded from plain YAML: give it in ``raw_inputs`` instead.
- An input whose value is null is not sent.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import math
import re

from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import format_date, parse_date
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.inputs import VroType, parse_type


# Wire value kinds of the vRO "Value" union, by our internal kind name.
_WIRE_KIND = {
    'string': 'string',
    'number': 'number',
    'boolean': 'boolean',
    'secure': 'secure-string',
    'encrypted': 'encrypted-string',
    'date': 'date',
    'regex': 'regex',
    'array': 'array',
    'properties': 'properties',
    'composite': 'composite',
    'sdk': 'sdk-object',
    'mime': 'mime-attachment',
}


_NUMBER = re.compile(r'^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$')
_TRUE_STRINGS = frozenset(('true', 'yes', 'on'))
_FALSE_STRINGS = frozenset(('false', 'no', 'off'))
_MIME_KEYS = ('name', 'mime_type', 'content', 'content_base64', 'src')
_SDK_KEYS = ('type', 'id', 'display_value', 'href')


class EncodeError(ValueError):
    """A value that cannot be encoded as its declared type, or an input the workflow does not declare.

    ``input`` is the input's path (``disks[2]``, ``labels.env``), ``type_name`` the declared vRO type and
    ``kind`` the kind of the YAML value (``a boolean``, ``a mapping`` ...); any may be None.
    """

    def __init__(self, message, input=None, type_name=None, kind=None):  # pylint: disable=redefined-builtin
        # Names and values are quoted into the message: escape control characters so that it stays one line.
        message = re.sub(r'[\x00-\x1f\x7f]', lambda m: repr(m.group(0))[1:-1], str(message))
        super(EncodeError, self).__init__(message)
        self.input = input
        self.type_name = type_name
        self.kind = kind


def value_kind(value):
    """Describe the kind of a YAML value for error messages (never the value itself)."""
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, int):
        return 'an integer'
    if isinstance(value, float):
        return 'a float'
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, datetime.datetime):
        return 'a datetime'
    if isinstance(value, datetime.date):
        return 'a date'
    if isinstance(value, dict):
        return 'a mapping'
    if isinstance(value, (list, tuple)):
        return 'a list'
    if isinstance(value, bytes):
        return 'bytes'
    return 'a %s' % type(value).__name__


def _fail(path, vtype, value, why=None):
    kind = value_kind(value)
    msg = "input '%s' is declared as %s but the value is %s" % (path, vtype.name, kind)
    if why:
        msg += ': %s' % why
    raise EncodeError(msg, input=path, type_name=vtype.name, kind=kind)


# ---------------------------------------------------------------- encoding

def _text(path, vtype, value):
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(path, vtype, value, 'quote the value to send it as text' if isinstance(value, bool) else 'give text')
    return str(value)


def _number(path, vtype, value):
    if isinstance(value, bool):
        _fail(path, vtype, value, 'give a number such as 20 or 2.5')
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            _fail(path, vtype, value, 'NaN and infinity cannot be sent')
        return value
    if isinstance(value, str) and _NUMBER.match(value):
        text = value.strip()
        if re.match(r'^[+-]?\d+$', text):
            return int(text)
        return float(text)
    _fail(path, vtype, value, "'%s' is not a number: give one such as 20 or 2.5" % value[:40] if isinstance(value, str)
          else 'give a number such as 20 or 2.5')
    return None  # unreachable


def _boolean(path, vtype, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE_STRINGS:
            return True
        if low in _FALSE_STRINGS:
            return False
        _fail(path, vtype, value, 'expected true/false, yes/no or on/off')
    _fail(path, vtype, value, 'give true or false')
    return None  # unreachable


def _date(path, vtype, value):
    parsed = parse_date(value)
    if parsed is None:
        if isinstance(value, str):
            _fail(path, vtype, value, "'%s' is not an ISO-8601 date such as 2026-01-31T10:00:00Z" % value[:40])
        _fail(path, vtype, value, 'give an ISO-8601 string such as 2026-01-31T10:00:00Z')
    return format_date(parsed)


def _null_element(path):
    """The one line for a null list element: unlike a null input or Properties value (left out, as not given), an
    element cannot be left out without moving the ones after it."""
    return ("input '%s' is null; a list element cannot be left out as a null input or Properties value is: remove it "
            "from the list, or give the input in raw_inputs with the element in vRO's JSON form (such as "
            "{\"string\": {}})" % path)


def infer_value(value, path='value'):
    """Encode a value whose vRO type is not declared (Properties values, Any), typed from its YAML kind.

    Returns None for None (the caller leaves the entry out).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return {'boolean': {'value': value}}
    if isinstance(value, (int, float)):
        return {'number': {'value': _number(path, VroType('number', 'number'), value)}}
    if isinstance(value, str):
        return {'string': {'value': value}}
    if isinstance(value, (datetime.datetime, datetime.date)):
        return {'date': {'value': format_date(parse_date(value))}}
    if isinstance(value, (list, tuple)):
        elements = []
        for i, item in enumerate(value):
            encoded = infer_value(item, '%s[%d]' % (path, i))
            if encoded is None:
                raise EncodeError(_null_element('%s[%d]' % (path, i)), input='%s[%d]' % (path, i), type_name='Any', kind='null')
            elements.append(encoded)
        return {'array': {'elements': elements}}
    if isinstance(value, dict):
        return {'properties': {'property': _properties(path, value)}}
    kind = value_kind(value)
    raise EncodeError("input '%s' is %s, which has no vRO equivalent" % (path, kind), input=path, type_name='Any', kind=kind)


def _properties(path, mapping):
    entries = []
    for key, item in mapping.items():
        encoded = infer_value(item, '%s.%s' % (path, key))
        if encoded is not None:
            entries.append({'key': str(key), 'value': encoded})
    return entries


def _suggest(name, candidates):
    """Return a close match for name among candidates, preferring a case-only difference."""
    for candidate in candidates:
        if candidate.lower() == name.lower():
            return candidate
    # Imported here: only a misspelt name pays for it.
    import difflib  # pylint: disable=import-outside-toplevel
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _composite(path, vtype, value):
    if not isinstance(value, dict):
        _fail(path, vtype, value, 'give a mapping of its fields: %s' % ', '.join(f for f, _t in vtype.fields))
    declared = dict(vtype.fields)
    for key in value:
        if key not in declared:
            hint = _suggest(str(key), declared)
            raise EncodeError(
                "input '%s' (%s) has no field '%s'%s; its fields are: %s" % (
                    path, vtype.name, key, "; did you mean '%s'?" % hint if hint else '',
                    ', '.join(f for f, _t in vtype.fields)),
                input='%s.%s' % (path, key), type_name=vtype.name, kind=value_kind(value[key]))
    props = []
    for field, ftype in vtype.fields:
        if value.get(field) is None:
            continue
        props.append({'id': field, 'value': encode_value(ftype, value[field], '%s.%s' % (path, field))})
    return {'type': vtype.name, 'property': props}


def _sdk_object(path, vtype, value):
    if isinstance(value, str):
        if not value:
            _fail(path, vtype, value, 'the object id is empty')
        return {'type': vtype.name, 'id': value}
    if isinstance(value, dict):
        unknown = [k for k in value if k not in _SDK_KEYS]
        if unknown or not value.get('id'):
            _fail(path, vtype, value, 'give a plain id string or a mapping with id and optionally type, display_value, href'
                  + (' (unknown keys: %s)' % ', '.join(sorted(str(k) for k in unknown)) if unknown else ''))
        out = {'type': value.get('type') or vtype.name, 'id': str(value['id'])}
        if value.get('display_value') is not None:
            out['displayValue'] = value['display_value']
        if value.get('href') is not None:
            out['href'] = value['href']
        return out
    _fail(path, vtype, value, 'give a plain id string or {type, id}')
    return None  # unreachable


def _read_file(path):
    with open(path, 'rb') as handle:
        return handle.read()


def _mime(path, vtype, value, read_file):
    if not isinstance(value, dict):
        _fail(path, vtype, value, 'give {name, mime_type, content} or {name, mime_type, src}')
    unknown = [k for k in value if k not in _MIME_KEYS]
    if unknown:
        _fail(path, vtype, value, 'unknown keys %s; allowed: %s' % (', '.join(sorted(str(k) for k in unknown)), ', '.join(_MIME_KEYS)))
    sources = [k for k in ('content', 'content_base64', 'src') if value.get(k) is not None]
    if len(sources) != 1:
        _fail(path, vtype, value, 'give exactly one of content, content_base64 and src')
    source = sources[0]
    if source == 'content':
        content = value['content']
        if not isinstance(content, str):
            _fail(path, vtype, content, 'content must be text; use content_base64 or src for binary data')
        payload = base64.b64encode(content.encode('utf-8')).decode('ascii')
    elif source == 'content_base64':
        try:
            base64.b64decode(value['content_base64'], validate=True)
        except (binascii.Error, ValueError, TypeError):
            _fail(path, vtype, value, 'content_base64 is not valid base64')
        payload = value['content_base64']
        if isinstance(payload, bytes):
            payload = payload.decode('ascii')
    else:
        try:
            payload = base64.b64encode((read_file or _read_file)(value['src'])).decode('ascii')
        except (IOError, OSError) as exc:
            raise EncodeError("input '%s' (MimeAttachment): cannot read src '%s': %s" % (path, value['src'], exc),
                              input=path, type_name=vtype.name, kind='a mapping')
    name = value.get('name')
    if not name and source == 'src':
        name = str(value['src']).replace('\\', '/').rsplit('/', 1)[-1]
    if not name:
        _fail(path, vtype, value, 'name is required')
    return {'name': name, 'mime-type': value.get('mime_type') or 'application/octet-stream', 'mime-content': payload}


def encode_value(vtype, value, path='value', read_file=None):
    """Encode one plain value as the vRO wire value of ``vtype`` (a VroType or a type name).

    Raises EncodeError naming ``path``, the declared type and the value's kind.
    """
    if not isinstance(vtype, VroType):
        vtype = parse_type(vtype)
    kind = vtype.kind
    if kind in ('string', 'secure', 'encrypted', 'regex'):
        return {_WIRE_KIND[kind]: {'value': _text(path, vtype, value)}}
    if kind == 'number':
        return {'number': {'value': _number(path, vtype, value)}}
    if kind == 'boolean':
        return {'boolean': {'value': _boolean(path, vtype, value)}}
    if kind == 'date':
        return {'date': {'value': _date(path, vtype, value)}}
    if kind == 'array':
        if not isinstance(value, (list, tuple)):
            _fail(path, vtype, value, 'give a list')
        elements = []
        for i, item in enumerate(value):
            item_path = '%s[%d]' % (path, i)
            if item is None:
                raise EncodeError(_null_element(item_path), input=item_path, type_name=vtype.element.name, kind='null')
            elements.append(encode_value(vtype.element, item, item_path, read_file))
        return {'array': {'elements': elements}}
    if kind == 'properties':
        if not isinstance(value, dict):
            _fail(path, vtype, value, 'give a mapping')
        return {'properties': {'property': _properties(path, value)}}
    if kind == 'composite':
        return {'composite': _composite(path, vtype, value)}
    if kind == 'sdk':
        return {'sdk-object': _sdk_object(path, vtype, value)}
    if kind == 'mime':
        return {'mime-attachment': _mime(path, vtype, value, read_file)}
    if kind == 'any':
        return infer_value(value, path)
    raise EncodeError(
        "input '%s' has type '%s', which cannot be encoded from a plain value; give it in raw_inputs as "
        "{name, type, value} with the value in vRO's JSON form" % (path, vtype.name),
        input=path, type_name=vtype.name, kind=value_kind(value))


def encode_parameters(declared_params, inputs, context_name, read_file=None, raw_inputs=None, context_kind='workflow'):
    """Encode ``inputs`` (name -> plain value) against ``declared_params`` into execution-context parameters.

    ``declared_params`` is the definition's ``input-parameters`` list (``[{name, type, ...}]``);
    ``context_name`` names the workflow (or other owner, see ``context_kind``) in error messages.
    ``raw_inputs`` (``[{name, type, value[, scope]}]``) are appended verbatim after a shape check; an
    input given in both places is an error. Inputs whose value is None are left out.
    Returns ``[{name, type, scope: 'local', value}]`` in the order of the declaration.
    Raises EncodeError before anything is sent: an unknown input name (with a suggestion), or a value
    that its declared type cannot hold.
    """
    inputs = inputs or {}
    if not isinstance(inputs, dict):
        raise EncodeError('inputs must be a mapping of input names to values, not %s' % value_kind(inputs))
    declared = []
    types = {}
    for param in declared_params or []:
        declared.append(param['name'])
        types[param['name']] = param.get('type') or 'string'
    raw_names = set()
    for item in raw_inputs or []:
        if not isinstance(item, dict) or not item.get('name') or 'value' not in item:
            raise EncodeError('each raw_inputs entry needs at least name and value, in vRO JSON form: '
                              '{name, type, value: {string: {value: ...}}}')
        raw_names.add(item['name'])
    for name in inputs:
        if name in types:
            continue
        hint = _suggest(str(name), declared)
        label = "%s '%s'" % (context_kind, context_name)
        if hint and hint.lower() == str(name).lower():
            msg = "%s has no input '%s'; did you mean '%s'? vRO input names are case sensitive" % (label, name, hint)
        elif hint:
            msg = "%s has no input '%s'; did you mean '%s'?" % (label, name, hint)
        elif declared:
            msg = "%s has no input '%s'; its inputs are: %s" % (label, name, ', '.join(declared))
        else:
            msg = "%s has no input '%s'; it declares no inputs" % (label, name)
        raise EncodeError(msg, input=str(name))
    both = sorted(set(inputs) & raw_names)
    if both:
        raise EncodeError('input %s is given in both inputs and raw_inputs; give it once' % ', '.join("'%s'" % n for n in both),
                          input=both[0])
    params = []
    for name in declared:
        if name not in inputs or inputs[name] is None:
            continue
        vtype = parse_type(types[name])
        try:
            value = encode_value(vtype, inputs[name], name, read_file)
        except EncodeError as exc:
            raise EncodeError("%s '%s': %s" % (context_kind, context_name, exc), exc.input, exc.type_name, exc.kind)
        params.append({'name': name, 'type': types[name], 'scope': 'local', 'value': value})
    for item in raw_inputs or []:
        param = dict(item)
        param.setdefault('scope', 'local')
        if not param.get('type') and param['name'] in types:
            param['type'] = types[param['name']]
        params.append(param)
    return params
