# -*- coding: utf-8 -*-
# Copyright (c) cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A vRO workflow's interface: search, example inputs; the vro_workflow_info run (reads only). Internal use only.

``example_inputs`` builds, from a definition's declared input parameters, a plain mapping that the encoder
of ``encode.py`` accepts as it is: one placeholder of the right shape per declared type.
"""

from __future__ import annotations

import datetime

from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import format_date
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.workflow_api import WorkflowApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.inputs import parse_type


# -- example inputs ------------------------------------------------------------------------------------------

def _today():
    now = datetime.datetime.now(datetime.timezone.utc)
    return format_date(now.replace(hour=0, minute=0, second=0, microsecond=0))


def example_value(type_name, today=None):
    """A placeholder plain value of the shape the encoder expects for ``type_name``.

    Text types give ``''``, numbers ``0``, booleans ``false``, dates midnight UTC of ``today`` (an ISO
    string), arrays one element, Properties ``{key: value}``, composites every field, SDK objects
    ``{type, id}`` with an id to replace, MimeAttachment ``{name, mime_type, content}``. A type that cannot be
    encoded from plain YAML gives None (it would go in ``raw_inputs``).
    """
    vtype = parse_type(type_name) if not hasattr(type_name, 'kind') else type_name
    today = today or _today()
    kind = vtype.kind
    if kind in ('string', 'secure', 'encrypted', 'regex'):
        return ''
    if kind == 'number':
        return 0
    if kind == 'boolean':
        return False
    if kind == 'date':
        return today
    if kind == 'array':
        element = example_value(vtype.element, today)
        return [] if element is None else [element]
    if kind in ('properties', 'any'):
        return {'key': 'value'} if kind == 'properties' else ''
    if kind == 'composite':
        return dict((name, example_value(ftype, today)) for name, ftype in vtype.fields)
    if kind == 'sdk':
        return {'type': vtype.name, 'id': 'REPLACE_WITH_%s_ID' % vtype.name.replace(':', '_').upper()}
    if kind == 'mime':
        return {'name': 'example.txt', 'mime_type': 'text/plain', 'content': ''}
    return None


def example_inputs(input_parameters, today=None):
    """``{name: placeholder}`` for every declared input, in declaration order; see :func:`example_value`."""
    today = today or _today()
    return dict((p.get('name'), example_value(p.get('type') or 'string', today)) for p in input_parameters or [])


def raw_only_inputs(input_parameters):
    """The declared inputs whose type cannot be given as plain YAML (``[{name, type}]``)."""
    return [{'name': p.get('name'), 'type': p.get('type')} for p in input_parameters or []
            if parse_type(p.get('type') or 'string').kind == 'unknown']


def parameter_summary(params):
    """Declared parameters as ``[{name, type, description}]`` (description None when absent)."""
    return [{'name': p.get('name'), 'type': p.get('type'), 'description': p.get('description')} for p in params or []]


# -- search ----------------------------------------------------------------------------------------------------


def workflow_summary(workflow):
    """The list entry of one workflow: id, name, category, href, description and version when the list has them."""
    attrs = workflow.attributes
    return {'id': workflow.id, 'name': workflow.name, 'category': workflow.category, 'href': workflow.href,
            'description': attrs.get('description'), 'version': attrs.get('version')}


# -- vro_workflow_info ---------------------------------------------------------------------------------------

def workflow_info(api, workflow_id=None, workflow_name=None, category=None, name_contains=None, max_results=None,
                  interactions=False):
    """The vro_workflow_info result: one definition (by id or name) or a search. Reads only: never ``changed``
    (the schema image is written by vro_workflow_schema, ``workflow_schema.py``)."""
    if not (workflow_id or workflow_name):
        if interactions:
            raise ValueError('interactions needs one workflow: give workflow_id or workflow_name')
        found = api.find_workflows(category=category, name_contains=name_contains, max_results=max_results)
        return {'changed': False, 'workflows': [workflow_summary(w) for w in found]}
    if name_contains:
        raise ValueError('name_contains searches; it cannot be combined with workflow_id or workflow_name')
    definition = api.resolve_workflow(workflow_id, workflow_name, category)
    workflow = {
        'id': definition.id, 'name': definition.name, 'version': definition.version,
        'description': definition.description, 'category': definition.category, 'href': definition.href,
        'input_parameters': parameter_summary(definition.input_parameters),
        'output_parameters': parameter_summary(definition.output_parameters),
    }
    result = {'changed': False, 'workflow': workflow, 'workflows': [workflow],
              'example_inputs': example_inputs(definition.input_parameters)}
    raw_only = raw_only_inputs(definition.input_parameters)
    if raw_only:
        result['raw_only_inputs'] = raw_only
    if interactions:
        result['interactions'] = [i.to_result() for i in api.workflow_interactions(definition.id)]
    return result


def run(module):
    """The vro_workflow_info operation (see the module docs): reads the options once."""
    p = module.params
    return workflow_info(WorkflowApi(module.client()), p['workflow_id'], p['workflow_name'], p['category'], p['name_contains'],
                         p['max_results'], p['interactions'])
