# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vRO user-interaction calls beyond reading the one a run waits on: :class:`InteractionApi`, a
:class:`api.VroApi` that also answers and dismisses interactions and finds the workflow of a waiting run. Internal use
only.

Apart from ``api.py`` so that only vro_interaction ships and compiles it (docs/architecture.md, rule 4). The reads
(the interaction a run waits on, a workflow's interactions) stay in ``api.py``: the read, run and workflow info modules
use them.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, OperationError, settle_lost_delete
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import VroApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import MAYBE_OBJECT, run_in_href, vro_attributes, vro_links


class InteractionApi(VroApi):
    """The vRO REST API over one client, with the calls that answer and dismiss user interactions."""

    def answer_interaction(self, workflow_id, execution_id, parameters):
        """``POST .../interaction`` with an execution-context holding the answers (204 expected)."""
        self.client.request('POST', self.executions_path(workflow_id, execution_id, '/interaction'),
                            json={'parameters': parameters}, expected=(200, 202, 204))

    def dismiss_interaction(self, workflow_id, execution_id):
        """``DELETE .../interaction``; False when there was nothing to delete (404).

        A DELETE whose answer was lost is never sent again: the run's pending interaction is read instead. None pending
        is this DELETE's doing (True, with a warning); one still pending raises OperationError saying the dismissal may
        still be applied.
        """
        try:
            self.client.request('DELETE', self.executions_path(workflow_id, execution_id, '/interaction'),
                                expected=(200, 202, 204))
        except AnswerLost as lost:
            return settle_lost_delete(lost, lambda: self.pending_interaction(workflow_id, execution_id), self.client.warn,
                                      'dismissal', 'the interaction of run %s' % execution_id, 'none is pending now',
                                      'it is still pending', 'cloudops.orchestrator.vro_execution_info')
        except ApiError as error:
            if error.status == 404:
                return False
            raise
        return True

    def workflow_of_pending_run(self, execution_id):
        """The workflow id of a run that waits on an interaction, from ``GET /interactions`` (8.x); None when not listed.

        The 8.18 spec gives ``/interactions`` no parameters, and a server that answers with every interaction reads one
        page. One whose ``total`` says that more are listed than it sent is asked for the rest with the inventory's
        ``startIndex``/``maxResult`` (within the client's page guard), until the run is found or the list ends.
        7.x has no ``/interactions``: its 404 means the workflow must be given.
        """
        try:
            body = self.client.get('/interactions', shape=MAYBE_OBJECT) or {}
        except ApiError as error:
            if error.status in (404, 405):
                raise OperationError('this vRO server has no GET /interactions (vRO 7.x): give workflow_id or workflow_name '
                                     'with execution_id', error=error.to_result())
            raise
        links, total = vro_links(body)
        guard = self.client.page_guard('/interactions', max(1, len(links)), 'startIndex')
        guard.check([link.get('href') for link in links], 0)
        read = 0
        while True:
            found = _workflow_of(links, execution_id)
            if found:
                return found
            read += len(links)
            if not links or total is None or read >= total:
                return None
            page = self.client.get('/interactions', params={'startIndex': read, 'maxResult': len(links)},
                                   shape=MAYBE_OBJECT) or {}
            links, total = vro_links(page)
            guard.check([link.get('href') for link in links], read)


def _workflow_of(links, execution_id):
    """The workflow id of the interaction of run ``execution_id`` among ``links`` (None when not there).

    An entry names its run by an ``executionId`` (or ``workflowExecutionId``) attribute, or only by its href
    (``.../workflows/<wid>/executions/<eid>/interaction/``): VMware's o11n workflow manager (``UserInteractionModel``)
    reads only ``id``, ``createDate``, ``name`` and ``description`` from the attributes, the two ids from the href."""
    for link in links:
        attrs = vro_attributes(link)
        href = link.get('href') or ''
        by_href = run_in_href(href)
        if attrs.get('executionId') == execution_id or attrs.get('workflowExecutionId') == execution_id:
            if attrs.get('workflowId'):
                return attrs['workflowId']
            if '/workflows/' in href:
                return href.split('/workflows/', 1)[1].split('/', 1)[0]
        elif by_href and by_href[1] == execution_id:
            return by_href[0]
    return None
