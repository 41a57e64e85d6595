# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A strict checker of the requests we send, against the official OpenAPI documents (``spec_variants.Spec``).

A fake server written from a spec may refuse what a lenient server takes. :class:`RequestChecker` reads one request
as such a server would: the path (exactly, no trailing-slash tolerance) and the method, each query parameter declared
for the operation with its type (an ``integer`` is digits, a ``boolean`` true/false, only an ``array`` repeats), the
body present when required and absent when the operation takes none, its ``Content-Type`` one the spec lists, the
``Accept`` one the spec lists for a successful answer, and the body valid against the request schema: required
fields, types, enums (also the VCF spec's informal "One among: A, B"), ``int32``/``int64``, ``date-time``, patterns,
no null unless ``nullable``, no read-only field, and no field the schema does not name.

The one kind of field outside the spec that passes is a wire spelling of :data:`WIRE_ALIASES`, each with its public
source: where real servers and the spec disagree, real traffic wins (API-NOTES), and the collection sends the real
spelling. ICO has no spec: :data:`ICO_ENDPOINTS` is written from API-NOTES section 2 and IBM's page in the seeds.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlsplit

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.spec_variants import enum_values

# Fields real servers use where the vRO 8.18.1 spec has another spelling (schema name, field) -> the field's schema.
# API-NOTES section 1, "Parameter value encoding": Properties are {"properties": {"property": [{key, value}]}} ("The spec
# names the inner list properties; accept both names, emit property"), a composite is {"composite": {"type", "property":
# [{id, value}]}} (the spec's CompositeObjectValue/composite-value wrapping is the XML binding's); vRO's own REST client
# samples (seeds/vro-run-workflow-blog.txt) and every captured payload (tests/unit/.../fixtures) send these.
WIRE_ALIASES = {
    ('properties', 'property'): {'type': 'array', 'items': {'$ref': '#/components/schemas/KeyValuePair'}},
    ('composite', 'property'): {'type': 'array', 'items': {
        'type': 'object', 'required': ['id'],
        'properties': {'id': {'type': 'string'}, 'value': {'$ref': '#/components/schemas/Value'}}}},
    ('composite', 'type'): {'type': 'string'},
}

_INTEGER = re.compile(r'^-?\d+$')
_DATE_TIME = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$')
_RANGES = {'int32': 2 ** 31, 'int64': 2 ** 63}


def media(value):
    """The media type of a header value, lower-case, without parameters."""
    return (value or '').split(';', 1)[0].strip().lower()


def java_pattern(pattern):
    """A Java regex of the specs as a Python one (``\\p{L}``: a letter)."""
    return pattern.replace('\\p{L}', 'a-zA-Z\u00c0-\uffff')


class Sent(object):
    """One request as it went out: method, full URL, headers, body text."""

    def __init__(self, method, url, headers, body):
        self.method = method.upper()
        parts = urlsplit(url)
        self.path = parts.path
        self.query = parse_qsl(parts.query, keep_blank_values=True)
        self.headers = dict((k.lower(), v) for k, v in (headers or {}).items())
        if isinstance(body, bytes):
            body = body.decode('utf-8')
        self.text = body
        self.body = json.loads(body) if body else None

    def label(self):
        query = '&'.join('%s=%s' % pair for pair in self.query)
        return '%s %s%s' % (self.method, self.path, '?' + query if query else '')


def _template(path):
    return re.compile('^' + re.sub(r'\\\{[^}]+\\\}', '[^/]+', re.escape(path)) + '$')


class RequestChecker(object):
    """The requests an OpenAPI document (:class:`spec_variants.Spec`) describes, under ``base`` (``/vco/api``)."""

    def __init__(self, spec, base):
        self.spec = spec
        self.base = base
        self.templates = [(_template(path), path) for path in spec.doc['paths']]

    def operation(self, sent):
        """``(template, operation)`` of a request, or ``(None, None)`` when no path matches."""
        path = sent.path[len(self.base):] if sent.path.startswith(self.base) else None
        if path is None:
            return None, None
        # The most specific template first: fewer path variables win (/tasks/credentials/{id} before /tasks/{id}/{x}).
        matches = sorted((t for regex, t in self.templates if regex.match(path)), key=lambda t: t.count('{'))
        if not matches:
            return None, None
        template = matches[0]
        return template, self.spec.doc['paths'][template].get(sent.method.lower())

    def problems(self, sent):
        """What a strict server following the spec would refuse or misread in ``sent`` (an empty list: nothing)."""
        template, op = self.operation(sent)
        if template is None:
            return ['no path of the spec matches %s' % sent.path]
        if op is None:
            return ['the spec has no %s for %s' % (sent.method, template)]
        found = []
        declared = dict((p['name'], p) for p in op.get('parameters') or [] if p.get('in') == 'query')
        counts = {}
        for name, value in sent.query:
            counts[name] = counts.get(name, 0) + 1
            param = declared.get(name)
            if param is None:
                found.append('query parameter %s is not declared for %s %s' % (name, sent.method, template))
                continue
            found.extend(self.query_value(name, value, self.spec.resolve(param.get('schema') or {})))
        for name, number in counts.items():
            schema = self.spec.resolve((declared.get(name) or {}).get('schema') or {})
            if number > 1 and name in declared and schema.get('type') != 'array':
                found.append('query parameter %s is sent %d times but is not an array' % (name, number))
        found.extend(self.body_problems(sent, op, template))
        found.extend(self.accept_problems(sent, op))
        return found

    def query_value(self, name, value, schema):
        kind = schema.get('type')
        if kind == 'array':
            schema = self.spec.resolve(schema.get('items') or {})
            kind = schema.get('type')
        if kind == 'integer':
            if not _INTEGER.match(value):
                return ['query parameter %s=%r is not an integer' % (name, value)]
            bound = _RANGES.get(schema.get('format'))
            if bound and not -bound <= int(value) < bound:
                return ['query parameter %s=%s is out of the %s range' % (name, value, schema.get('format'))]
        if kind == 'boolean' and value not in ('true', 'false'):
            return ['query parameter %s=%r is not a boolean' % (name, value)]
        return []

    def body_problems(self, sent, op, template):
        body = op.get('requestBody')
        content_type = media(sent.headers.get('content-type'))
        if body is None:
            if sent.text:
                return ['%s %s takes no body, but one was sent' % (sent.method, template)]
            return []
        if not sent.text:
            return ['%s %s needs a body (%s)' % (sent.method, template, ', '.join(body['content']))] if body.get('required') else []
        listed = dict((media(k), v) for k, v in body['content'].items())
        if content_type not in listed:
            return ['Content-Type %r is not one the spec lists for %s %s (%s)' % (
                content_type, sent.method, template, ', '.join(listed))]
        return self.validate(sent.body, listed[content_type].get('schema') or {}, 'body')

    def accept_problems(self, sent, op):
        accept = sent.headers.get('accept')
        answers = [r for status, r in (op.get('responses') or {}).items() if str(status).startswith('2')]
        kinds = set(media(k) for r in answers for k in (r.get('content') or {}))
        if not accept or not kinds:
            return []  # nothing asked, or an answer without a documented body (any Accept is served)
        wanted = [media(part) for part in accept.split(',')]
        if any(w in kinds or w == '*/*' or (w.endswith('/*') and any(k.startswith(w[:-1]) for k in kinds)) for w in wanted):
            return []
        return ['Accept %r is none of the answer types the spec lists (%s)' % (accept, ', '.join(sorted(kinds)))]

    # -- JSON schema, the subset the two specs use --------------------------------------------------------------

    def validate(self, value, schema, where, owner=None):
        """Problems of ``value`` against ``schema`` (``owner``: the schema name, for :data:`WIRE_ALIASES`)."""
        if isinstance(schema, dict) and '$ref' in schema:
            owner = schema['$ref'].rsplit('/', 1)[-1]
        schema = self.spec.resolve(schema)
        if value is None:
            return [] if schema.get('nullable') else ['%s is null, which the spec does not allow (not nullable)' % where]
        refs = [s['$ref'].rsplit('/', 1)[-1] for s in schema.get('oneOf') or [] if '$ref' in s]
        if refs and isinstance(value, dict) and len(value) == 1 and next(iter(value)) in refs:
            # A vRO value union on the wire: {"<kind>": {...}}, the kind one of the oneOf schemas.
            kind = next(iter(value))
            return self.validate(value[kind], {'$ref': '#/components/schemas/' + kind}, '%s.%s' % (where, kind))
        kind = schema.get('type')
        found = []
        if kind == 'object' or 'properties' in schema:
            if not isinstance(value, dict):
                return ['%s is %s where the spec wants an object' % (where, type(value).__name__)]
            props = schema.get('properties') or {}
            for name in schema.get('required') or []:
                if name not in value:
                    found.append('%s lacks the required field %s' % (where, name))
            for name, item in value.items():
                inner = props.get(name)
                if inner is None and (owner, name) in WIRE_ALIASES:
                    inner = WIRE_ALIASES[(owner, name)]
                if inner is None:
                    if schema.get('additionalProperties') is True or isinstance(schema.get('additionalProperties'), dict):
                        continue
                    if not props and kind == 'object' and 'items' not in schema:
                        continue  # a free-form object ({"type": "object"}): anything goes
                    found.append('%s has the field %s, which the spec does not name' % (where, name))
                    continue
                if self.spec.resolve(inner).get('readOnly'):
                    found.append('%s.%s is read-only in the spec' % (where, name))
                found.extend(self.validate(item, inner, '%s.%s' % (where, name)))
            return found
        if kind == 'array':
            if not isinstance(value, list):
                return ['%s is %s where the spec wants an array' % (where, type(value).__name__)]
            for index, item in enumerate(value):
                found.extend(self.validate(item, schema.get('items') or {}, '%s[%d]' % (where, index)))
            return found
        if kind == 'string':
            if not isinstance(value, str):
                return ['%s is %s where the spec wants a string' % (where, type(value).__name__)]
            allowed = enum_values(schema)
            if allowed and value not in allowed:
                found.append('%s is %r, not one of %s' % (where, value, ', '.join(allowed)))
            if schema.get('format') == 'date-time' and not _DATE_TIME.match(value):
                found.append('%s is %r, not an RFC 3339 date-time' % (where, value))
            if schema.get('pattern') and not re.match(java_pattern(schema['pattern']), value):
                found.append('%s is %r, which does not match %s' % (where, value, schema['pattern']))
            return found
        if kind in ('integer', 'number'):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind == 'integer' and not isinstance(value, int)):
                return ['%s is %s where the spec wants %s' % (where, type(value).__name__, kind)]
            bound = _RANGES.get(schema.get('format'))
            if kind == 'integer' and bound and not -bound <= value < bound:
                found.append('%s is out of the %s range' % (where, schema.get('format')))
            return found
        if kind == 'boolean' and not isinstance(value, bool):
            return ['%s is %s where the spec wants a boolean' % (where, type(value).__name__)]
        return found


# ICO 2.5 has no machine-readable spec. From API-NOTES section 2 and seeds/ico-2.5-task-engine-api-v2.txt: the
# endpoints (method, path under /orchestrator/v2) with their query parameters, and whether they take a JSON body.
# ``expand=serviceInstance`` ("Request Parameters: Expand"); ``_start``/``_limit`` page the other /orchestrator/v2
# collections, and are sent only when a server answered /tasks as such a page.
ICO_BASE = '/orchestrator/v2'
ICO_ENDPOINTS = {
    ('GET', '/tasks'): ({'expand': ('serviceInstance',), '_start': 'integer', '_limit': 'integer'}, False),
    ('POST', '/tasks'): ({}, True),
    ('GET', '/tasks/{id}'): ({'expand': ('serviceInstance',)}, False),
    ('PUT', '/tasks/{id}'): ({}, True),
    ('DELETE', '/tasks/{id}'): ({}, False),
}
# The Task Response fields of IBM's sample and API-NOTES (what a POST or PUT may carry, less the server's own).
ICO_TASK_FIELDS = frozenset(('updated_iso', 'description_message', 'domain', 'created', 'error', 'user', 'parm',
                             'created_iso', 'status_localized', 'error_message', 'status', 'eventTopic', 'delayInSeconds',
                             'project', 'id', 'updated', 'description', 'serviceInstanceId'))


def ico_problems(sent):
    """What a server built from IBM's page and API-NOTES would refuse in ``sent``."""
    if not sent.path.startswith(ICO_BASE):
        return ['%s is not under %s' % (sent.path, ICO_BASE)]
    path = sent.path[len(ICO_BASE):]
    template = '/tasks/{id}' if re.match(r'^/tasks/[^/]+$', path) else path
    endpoint = ICO_ENDPOINTS.get((sent.method, template))
    if endpoint is None:
        return ['IBM documents no %s %s' % (sent.method, template)]
    params, takes_body = endpoint
    found = []
    for name, value in sent.query:
        kind = params.get(name)
        if kind is None:
            found.append('query parameter %s is not documented for %s %s' % (name, sent.method, template))
        elif kind == 'integer' and not _INTEGER.match(value):
            found.append('query parameter %s=%r is not an integer' % (name, value))
        elif isinstance(kind, tuple) and value not in kind:
            found.append('query parameter %s=%r is not one of %s' % (name, value, ', '.join(kind)))
    if takes_body:
        if media(sent.headers.get('content-type')) != 'application/json':
            found.append('Content-Type %r is not application/JSON' % sent.headers.get('content-type'))
        if not isinstance(sent.body, dict):
            found.append('the body is not a task object')
    elif sent.text:
        found.append('%s %s takes no body' % (sent.method, template))
    if not sent.headers.get('authorization', '').startswith('Basic '):
        found.append('no HTTP Basic Authorization header')
    return found
