# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vRO inputs beyond reading them: the comparison of two runs' inputs (reuse, adoption, task diffing), the secure
values to mask, and the declared type names (:func:`parse_type`; vro_workflow_info's example inputs and the encoder).

Internal use only. Apart from ``decode.py`` so that the read module (vro_execution_info) neither ships nor compiles it
(docs/architecture.md, rule 4).
"""

from __future__ import annotations

import re

from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import (
    composite_fields, declared_secure, decode_value, secret_strings,
)


def comparable_inputs(params):
    """Reduce wire parameters to a value that is equal for runs started with the same inputs.

    Used by reuse and by adoption after a lost answer. Values compare after decoding (so 20 equals 20.0
    and an epoch-ms date equals its ISO form); null values are ignored. SecureString values cannot be
    compared (servers do not echo them): only the set of secure input names that carry a value must match.
    Returns ``(plain_inputs_without_secrets, frozenset_of_secure_names)``.
    """
    plain = {}
    secure = set()
    for param in params or []:
        value = param.get('value')
        is_secure = (str(param.get('type', '')).lower() == 'securestring'
                     or (isinstance(value, dict) and 'secure-string' in value))
        decoded = decode_value(declared_secure(value, param.get('type')), mask_secrets=True)
        if is_secure:
            if decoded is not None and decoded != '':
                secure.add(param.get('name'))
            continue
        if decoded is None:
            continue
        plain[param.get('name')] = decoded
    return plain, frozenset(secure)


def secure_values(params):
    """Every plain-text secure-string value in wire parameters (for the module's no_log list)."""
    return secret_strings(params)


def same_inputs(wanted, recorded):
    """True when a run recorded with parameters ``recorded`` was started with the inputs ``wanted`` (both wire lists).

    Non-secret values must be equal after decoding (``comparable_inputs``). SecureString values are never
    compared, and a server may leave them out of a run's echo, so a run is still identical when it shows fewer
    secret inputs than ``wanted`` holds; one that holds a secret input ``wanted`` does not send is different.
    """
    plain_wanted, secure_wanted = comparable_inputs(wanted)
    plain_recorded, secure_recorded = comparable_inputs(recorded)
    return plain_wanted == plain_recorded and secure_recorded <= secure_wanted


# ---------------------------------------------------------------- declared types

# Declared scalar type names (vRO spells them inconsistently: 'string' but 'Date'), matched case-insensitively.
_SIMPLE_TYPES = {
    'string': 'string',
    'number': 'number',
    'boolean': 'boolean',
    'securestring': 'secure',
    'encryptedstring': 'encrypted',
    'date': 'date',
    'regexp': 'regex',
    'properties': 'properties',
    'mimeattachment': 'mime',
    'any': 'any',
}


_SDK_TYPE = re.compile(r'^[A-Za-z_][\w.-]*:[A-Za-z_][\w.$-]*$')


class VroType(object):
    """A parsed vRO type name.

    ``kind`` is one of string, number, boolean, secure, encrypted, date, regex, array, properties,
    composite, sdk, mime, any, unknown. ``element`` is the element VroType of an array; ``fields`` the
    ordered ``[(name, VroType)]`` of a composite; ``name`` the type name as declared.
    """

    __slots__ = ('kind', 'name', 'element', 'fields')

    def __init__(self, kind, name, element=None, fields=None):
        self.kind = kind
        self.name = name
        self.element = element
        self.fields = fields

    def __repr__(self):
        return 'VroType(%r, %r)' % (self.kind, self.name)


def parse_type(type_name):
    """Parse a declared vRO type name into a VroType (never raises; odd names become kind 'unknown')."""
    name = (type_name or '').strip()
    if name.startswith('Array/') or name.lower().startswith('array/'):
        return VroType('array', name, element=parse_type(name[6:]))
    if name.lower() == 'array':
        return VroType('array', name, element=VroType('any', 'Any'))
    if name.startswith('CompositeType('):
        fields = composite_fields(name)
        if fields is None:
            return VroType('unknown', name)
        return VroType('composite', name, fields=[(field, parse_type(field_type)) for field, field_type in fields])
    simple = _SIMPLE_TYPES.get(name.lower())
    if simple:
        return VroType(simple, name)
    if _SDK_TYPE.match(name):
        return VroType('sdk', name)
    return VroType('unknown', name)
