# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What only the workflow modules read about a workflow: :class:`WorkflowApi`, a :class:`api.VroApi` that also reads
its schema image and its user interactions. Internal use only.

Apart from ``api.py`` so that only vro_workflow_info and vro_workflow_schema ship and compile it (docs/architecture.md,
rule 4): every other vRO module (the read and run modules first) ships ``api.py`` on every run.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import path_segment
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import VroApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import (
    INTERACTION_LIST_FIELDS, PNG_SIGNATURE, UserInteraction, interactions_problem, vro_links,
)


# The last chunk of every PNG (PNG specification, 11.2.5 IEND: empty, so length 0, type and a fixed CRC): an image
# without it at the end was cut short.
PNG_END = b'\x00\x00\x00\x00IEND\xaeB`\x82'


class WorkflowApi(VroApi):
    """The vRO REST API over one client, with a workflow's schema image and its user interactions."""

    def schema(self, workflow_id):
        """``GET /workflows/{id}/schema``: the PNG bytes; OperationError when the answer is not a PNG."""
        response = self.client.request('GET', '/workflows/%s/schema' % path_segment(workflow_id), headers={'Accept': 'image/png'})
        content = response.content or b''
        if not content.startswith(PNG_SIGNATURE):
            raise OperationError("the schema of workflow '%s' is not a PNG image (Content-Type %s, %d bytes starting %r); "
                                 'check that url points at vRO' % (
                                     workflow_id, response.headers.get('Content-Type'), len(content), content[:16]))
        if not content.endswith(PNG_END):
            raise OperationError("the schema of workflow '%s' is not a complete PNG image (%d bytes, without the IEND "
                                 'chunk that ends every PNG: the answer was cut short); nothing was written: run the task '
                                 'again' % (workflow_id, len(content)))
        return content

    def workflow_interactions(self, workflow_id):
        """``GET /workflows/{id}/interactions``: the workflow's user interactions (list entries, or full bodies)."""
        body = self.client.get('/workflows/%s/interactions' % path_segment(workflow_id), shape=(dict, list, type(None)),
                               fields=INTERACTION_LIST_FIELDS, inner=interactions_problem) or {}
        if isinstance(body, list):
            return [UserInteraction(item) for item in body]
        links = vro_links(body)[0]
        if links:
            return [UserInteraction.from_link(link) for link in links]
        items = body.get('interactions') or body.get('user-interactions') or body.get('items') or []
        return [UserInteraction(item) for item in items if isinstance(item, dict)]
