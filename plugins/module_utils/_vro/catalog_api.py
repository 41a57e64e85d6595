# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The catalog of runs across workflows: :class:`CatalogApi`, a :class:`api.VroApi` that also lists the runs of every
workflow (``/catalog/System/WorkflowToken``, or ``/catalog/System/WorkflowExecution`` where that is a 404). Internal use
only.

Apart from ``api.py`` so that only vro_execution_info ships it, and compiles it only when it lists the runs of every
workflow (``execution_info.all_runs`` imports it there; docs/architecture.md, rule 4).
"""

from __future__ import annotations

import re

from urllib.parse import unquote

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import OBJECT, absent_on, path_segment
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import VroApi, paged
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import Execution, run_matches


# The catalog of runs across workflows, and the most entries read from it per query (filtered and sorted here).
TOKEN_CATALOG = '/catalog/System/WorkflowToken'
# The same catalog under the type name public clients read (VMware's o11n workflow manager, VcoWorkflowService
# ``catalog/System/WorkflowExecution``): read when the server answers 404 for TOKEN_CATALOG (a GET, safe to repeat).
EXECUTION_CATALOG = '/catalog/System/WorkflowExecution'
CATALOG_SCAN_MAX = 5000
# A workflow's id in the path of a link of one catalog entry (``.../workflows/<id>/...``).
_WORKFLOW_IN_HREF = re.compile(r'/workflows/([^/?#]+)')


def _is_segment(value):
    """True when ``value`` can be one URL path segment (:func:`path_segment` would quote it, not refuse it)."""
    try:
        path_segment(value)
    except ApiError:
        return False
    return True


class CatalogApi(VroApi):
    """The vRO REST API over one client, with the catalog of runs across workflows."""

    def list_all_executions(self, states=None, started_by=None, started_after=None, started_before=None, name=None,
                            max_results=None, scan_max=None, page_size=500, warn=None):
        """Runs of every workflow the user may read, from the catalog (``GET /catalog/System/WorkflowToken``), newest
        first: ``(runs, truncated)``.

        Only ``state`` goes to the server (``conditions=state=X``, one query per state; a 400 drops it): no public
        source gives the catalog's attribute names for the user, name or dates, nor its order. Every filter is applied
        here, the list sorted here, and at most ``scan_max`` (:data:`CATALOG_SCAN_MAX`) entries are read per query;
        ``truncated`` is True when that bound cut a query short (older runs may be missing). Each run's ``href`` is its
        executions URL (``.../workflows/{wid}/executions/{id}/``), which vro_execution_info accepts as execution_url.
        An entry whose run or workflow id is not one URL path segment (``..``, a ``/``) is left out, never made into a
        URL, and ``warn`` says how many were.
        """
        if isinstance(states, str):
            states = [states]
        scan_max = scan_max or CATALOG_SCAN_MAX
        queries = [['state=%s' % s] for s in states] if states else [[]]
        runs, truncated, unsafe = {}, False, set()
        for query in queries:
            try:
                links = list(self._tokens(query, page_size, scan_max))
            except ApiError as error:
                if error.status != 400 or not query:
                    raise
                query = []  # the catalog refused the condition: one plain (bounded) read for every state, filtered here
                links = list(self._tokens(query, page_size, scan_max))
            truncated = truncated or len(links) >= scan_max
            for link in links:
                run = Execution.from_token(link)
                if not all(_is_segment(value) for value in (run.id, run.workflow_id) if value is not None):
                    unsafe.add((run.workflow_id, run.id))
                    continue
                if run.id and run.workflow_id:
                    run.href = self.client.url_for(self.executions_path(run.workflow_id, run.id)) + '/'
                runs[run.id] = run
            if not query:
                break
        if unsafe and warn:
            warn('the run catalog listed %d entr%s whose run or workflow id cannot be one URL path segment (such as '
                 "'..' or an id holding '/'): left out of executions; check those runs in the vRO client" % (
                     len(unsafe), 'y' if len(unsafe) == 1 else 'ies'))
        result = [r for r in runs.values() if run_matches(r, states, started_by, name, started_after, started_before)]
        result.sort(key=lambda r: r.started_at() or 0.0, reverse=True)
        result = result[:max_results] if max_results else result
        for run in result:
            if run.id and not run.workflow_id:
                self._find_workflow(run)
        return result, truncated

    def _find_workflow(self, run):
        """The workflow of a listed run whose entry names none (VMware's o11n workflow manager reads only ``id``,
        ``state``, ``startDate``, ``endDate``, ``businessState``, ``startedBy``, ``name`` and ``type`` from the list):
        one ``GET <catalog>/{id}``, whose first relations link holding ``/workflows/<id>`` names it (as that client's
        ``getWorkflowIdForExecutionId`` reads it). Left unknown when the entry is gone (404) or names no workflow."""
        item = absent_on((404,), self.client.get, '%s/%s' % (self._catalog_path or TOKEN_CATALOG, path_segment(run.id)),
                         shape=OBJECT)
        relations = item.get('relations') if isinstance(item, dict) else None
        links = relations.get('link') if isinstance(relations, dict) else None
        for link in links if isinstance(links, list) else []:
            found = _WORKFLOW_IN_HREF.search(link.get('href') or '') if isinstance(link, dict) else None
            if found and _is_segment(unquote(found.group(1))):
                run.workflow_id = unquote(found.group(1))
                run.href = self.client.url_for(self.executions_path(run.workflow_id, run.id)) + '/'
                return

    _catalog_path = None  # the catalog path this server answered, once known

    def _tokens(self, query, page_size, scan_max):
        """The entries of one catalog query (a list). The catalog is ``System/WorkflowToken`` or, when that is a 404,
        ``System/WorkflowExecution``; the one that answered is kept for the next queries."""
        params = {'conditions': query} if query else None
        paths = [self._catalog_path] if self._catalog_path else [TOKEN_CATALOG, EXECUTION_CATALOG]
        for path in paths:
            try:
                links = list(self.client.paginate(path, paged, params=params, page_size=min(page_size, scan_max),
                                                  max_items=scan_max))
            except ApiError as error:
                if error.status != 404 or path == paths[-1]:
                    raise
                continue
            self._catalog_path = path
            return links
        return []
