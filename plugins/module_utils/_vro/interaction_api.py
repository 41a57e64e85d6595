# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vRO user-interaction calls beyond reading the one a run waits on: :class:`InteractionApi`, a
:class:`api.VroApi` that also answers and dismisses interactions and lists a workflow's. Internal use only.

Apart from ``api.py`` so that only vro_interaction and vro_workflow_info ship and compile it (docs/architecture.md,
rule 4). Reading the interaction a run waits on (``VroApi.pending_interaction``) stays in ``api.py``: the read and
run modules name it when a run waits.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import path_segment
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import VroApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import (
    INTERACTION_LIST_FIELDS, MAYBE_OBJECT, UserInteraction, interactions_problem, vro_attributes, vro_links,
)


def _q(value):
    """One id as a URL path segment (quoted; refused when it could leave its segment)."""
    return path_segment(value)


class InteractionApi(VroApi):
    """The vRO REST API over one client, with the calls that answer, dismiss and list user interactions."""

    def answer_interaction(self, workflow_id, execution_id, parameters):
        """``POST .../interaction`` with an execution-context holding the answers (204 expected)."""
        self.client.request('POST', self.executions_path(workflow_id, execution_id, '/interaction'),
                            json={'parameters': parameters}, expected=(200, 202, 204))

    def dismiss_interaction(self, workflow_id, execution_id):
        """``DELETE .../interaction``; False when there was nothing to delete (404).

        A 404 to a resend whose first DELETE lost its answer is True: the interaction is gone because of that first DELETE.
        """
        try:
            self.client.request('DELETE', self.executions_path(workflow_id, execution_id, '/interaction'),
                                expected=(200, 202, 204))
        except ApiError as error:
            if error.status == 404:
                return isinstance(error.lost_before, AnswerLost)
            raise
        return True

    def workflow_interactions(self, workflow_id):
        """``GET /workflows/{id}/interactions``: the workflow's user interactions (list entries, or full bodies)."""
        body = self.client.get('/workflows/%s/interactions' % _q(workflow_id), shape=(dict, list, type(None)),
                               fields=INTERACTION_LIST_FIELDS, inner=interactions_problem) or {}
        if isinstance(body, list):
            return [UserInteraction(item) for item in body]
        links = vro_links(body)[0]
        if links:
            return [UserInteraction.from_link(link) for link in links]
        items = body.get('interactions') or body.get('user-interactions') or body.get('items') or []
        return [UserInteraction(item) for item in items if isinstance(item, dict)]

    def workflow_of_pending_run(self, execution_id):
        """The workflow id of a run that waits on an interaction, from ``GET /interactions`` (8.x); None when not listed.

        7.x has no ``/interactions``: its 404 means the workflow must be given.
        """
        try:
            body = self.client.get('/interactions', shape=MAYBE_OBJECT) or {}
        except ApiError as error:
            if error.status in (404, 405):
                raise OperationError('this vRO server has no GET /interactions (vRO 7.x): give workflow_id or workflow_name '
                                     'with execution_id', error=error.to_result())
            raise
        for link in vro_links(body)[0]:
            attrs = vro_attributes(link)
            if attrs.get('executionId') == execution_id or attrs.get('workflowExecutionId') == execution_id:
                if attrs.get('workflowId'):
                    return attrs['workflowId']
                href = link.get('href') or ''
                if '/workflows/' in href:
                    return href.split('/workflows/', 1)[1].split('/', 1)[0]
        return None
