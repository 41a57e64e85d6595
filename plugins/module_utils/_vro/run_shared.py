# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the vRO runners that handle one run share (vro_execution_info, vro_workflow_run, vro_execution_cancel,
vro_interaction). Internal use only.

Apart from ``execution_info.py`` so that the runners that start, cancel or answer runs compile these few functions,
not the whole read runner: AnsiballZ ships and compiles every module_utils file an import names (docs/architecture.md,
rule 4).
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, OperationError


# The execution id vro_workflow_run returns in check mode for a run it would start (its href ends with it), which
# vro_execution_info in check mode accepts: later tasks of a --check run keep working.
CHECK_MODE_EXECUTION_ID = 'check-mode-not-started'


def placeholder_value(declared_type):
    """The documented check-mode stand-in for an output of ``declared_type``: an empty value of its kind."""
    declared = declared_type or ''
    if declared in ('string', 'SecureString', 'EncryptedString', 'Regexp', 'Text'):
        return ''
    if declared == 'number':
        return 0
    if declared == 'boolean':
        return False
    if declared.startswith('Array/'):
        return []
    if declared == 'Properties' or declared.startswith('CompositeType'):
        return {}
    return None


def placeholder_run(definition, href, inputs=None):
    """The result fields of a run that check mode did not start: every documented key, the declared outputs with
    placeholder values, ``state`` null."""
    outputs = dict((p.get('name'), placeholder_value(p.get('type'))) for p in definition.output_parameters
                   if isinstance(p, dict) and p.get('name'))
    return {'execution_id': CHECK_MODE_EXECUTION_ID, 'workflow_id': definition.id, 'workflow_name': definition.name,
            'name': definition.name, 'state': None, 'href': href, 'start_date': None, 'end_date': None,
            'duration_seconds': None, 'started_by': None, 'business_state': None, 'content_exception': None,
            'current_item': None, 'inputs': dict(inputs or {}), 'outputs': outputs, 'outputs_raw': []}


def interaction_hint(api, workflow_id, execution_id):
    """``(name, sentence)``: the pending interaction of a waiting run (None when unknown) and a sentence naming it and
    saying how to answer it (one request; a failure to read it only makes the sentence vaguer)."""
    name = None
    inputs = []
    try:
        interaction = api.pending_interaction(workflow_id, execution_id)
    except ApiError:
        interaction = None
    if interaction is not None:
        name = interaction.name or interaction.display_name
        inputs = [p.get('name') for p in interaction.input_parameters if isinstance(p, dict)]
    what = "user interaction '%s'" % name if name else 'a user interaction'
    needs = ' (inputs: %s)' % ', '.join(inputs) if inputs else ''
    return name, ("run %s is waiting for %s%s; answer it with cloudops.orchestrator.vro_interaction "
                  "(workflow_id: %s, execution_id: %s) or in the vRO client, or set on_user_interaction to return or "
                  "keep_waiting" % (execution_id, what, needs, workflow_id, execution_id))


def read_run(call, workflow_id, execution_id):
    """``call(workflow_id, execution_id)`` (``api.state`` or ``api.execution``), a 404 turned into one friendly line
    (as vro_interaction says it) instead of the raw HTTP error."""
    try:
        return call(workflow_id, execution_id)
    except ApiError as error:
        if error.status != 404:
            raise
        raise OperationError("run '%s' of workflow '%s' not found, or this user may not read it (HTTP 404); check "
                             'execution_id (or execution_url) and the workflow, or list its runs with '
                             'cloudops.orchestrator.vro_execution_info' % (execution_id, workflow_id),
                             error=error.to_result(), execution_id=execution_id, workflow_id=workflow_id)
