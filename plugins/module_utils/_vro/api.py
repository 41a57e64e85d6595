# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vRO API layer: every vRO endpoint, here or in the ``*_api.py`` files next to it. Internal use only.

:class:`VroApi` over one ``_client.Client``: workflows (lookup and search, definitions), runs (read, state, logs,
list) and the user interaction a run waits on. Apart, so that only the modules that use them ship and compile them
(docs/architecture.md, rule 4): ``run_api.RunApi`` (start, the safe start and its adoption, cancel by version),
``interaction_api.InteractionApi`` (answer and dismiss interactions), ``workflow_api.WorkflowApi`` (a workflow's schema
image and its interactions), ``catalog_api.CatalogApi`` (the catalog of runs across workflows), and the Task service
(``/tasks``), ``task_api.ScheduledTasks``. The nouns they return live in ``model.py``;
a 404 that means "absent" goes through ``_client.absent_on``. Failures that are not HTTP errors (an ambiguous
workflow name, a run that cannot be adopted) raise :class:`OperationError`; nothing here knows about Ansible.
"""

from __future__ import annotations

import email.utils
import re
import time

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import (
    EXCERPT_LEN, OBJECT, absent_on, path_segment, server_words,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, OperationError
# The connection's auth choice, which OrchestratorModule.build_auth and _watch.build_auth import by name: named here
# so that ansible-core ships it (and the product's auth scheme) with every module of this product, and no other.
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.auth import choose_auth  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import parameters_problem
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import (
    EXECUTION_FIELDS, INTERACTION_FIELDS, MAYBE_OBJECT, RUN_FIELDS, STATES, Execution, UserInteraction, Workflow,
    WorkflowDefinition, category_matches, definition_folders, epoch, logs_problem, normalize_log, parse_execution_url, run_matches, state_value,
    unknown_state, vro_links,
)


# The most log lines read from a run (``maxResult``): a failure message and a result need the last ones, not all.
LOG_LINES_MAX = 500
# The most workflows listed to suggest the right case of a name that was not found (only when '~' did not find it).
CASE_SCAN_MAX = 5000


def _q(value):
    """One id as a URL path segment (quoted; refused when it could leave its segment)."""
    return path_segment(value)


# Characters a vRO ``conditions`` value cannot carry safely: vRO splits the parameter at commas (and at '&' even when
# URL-encoded), and '=' and '~' may be read as another condition's operator.
_UNSAFE_IN_CONDITION = re.compile(r'[,&=~]')


def safe_fragment(value):
    """``(safe, text)`` for a value put in a ``conditions`` entry: ``(True, value)`` when it can be sent as it is,
    else ``(False, the longest part free of , & = ~)`` for a ``~`` (contains) condition, or ``(False, '')`` when no
    part is left; the caller then compares the whole value itself."""
    if not _UNSAFE_IN_CONDITION.search(value):
        return True, value
    return False, max((part.strip() for part in _UNSAFE_IN_CONDITION.split(value)), key=len)


def caseless_fragment(value):
    """The part of ``value`` a ``~`` condition may carry for a case-insensitive "contains" filter, or ``''``.

    Servers differ on whether ``~`` ignores case (the simulator's default reading) or not (vRO conditions are
    case-sensitive in public accounts; quirk ``vro-conditions-case-sensitive``): a fragment with a letter that has
    case could hide a match spelled otherwise, so only a caseless fragment (digits, punctuation) is sent; the
    caller filters on the client in any case.
    """
    text = safe_fragment(value)[1]
    return text if text.lower() == text.upper() else ''


def _ignored(runs, started_after, started_before):
    """True when runs listed with date conditions and ``sortOrders=-startDate`` show that the server ignored them."""
    starts = [r.started_at() for r in runs]
    starts = [t for t in starts if t is not None]
    if started_after is not None and any(t < started_after - 0.001 for t in starts):
        return True
    if started_before is not None and any(t > started_before + 0.001 for t in starts):
        return True
    return any(later > earlier for earlier, later in zip(starts, starts[1:]))


def by_time(entries):
    """Log entries (``normalize_log``) oldest first, by their time stamps, not by their position: captured real logs
    come newest first. A list that reads newest first is turned round before the (stable) sort, so that lines of
    the same millisecond keep their order; entries without a time keep their place relative to their neighbours."""
    times = [epoch(e.get('time_stamp')) for e in entries]
    known = [t for t in times if t is not None]
    if len(known) < 2:
        return list(entries)
    if known[0] > known[-1]:
        entries, times = entries[::-1], times[::-1]
    if None in times:
        return list(entries)
    return [e for t, e in sorted(zip(times, entries), key=lambda pair: pair[0])]


def _condition_date(seconds):
    """A date in the form used by list conditions (vRO compares them as epoch milliseconds)."""
    return str(int(seconds * 1000))


def note_state(client, execution_id, state):
    """Warn once per word and ``client`` when a run reads a state the modules do not know (:func:`unknown_state`): it
    is waited on as a run going on, since nothing says it has ended, and the user learns why a wait may last to its
    timeout."""
    seen = client.__dict__.setdefault('vro_unknown_states', set())
    if unknown_state(state) and state not in seen:
        seen.add(state)
        client.warn("run %s reads state '%s', which is not a vRO run state (%s): it is taken for a run still going and "
                    "waited on (until wait_timeout at most); look at the run in the vRO client" % (
                        execution_id, state, ', '.join(STATES)))


class VroApi(object):
    """The vRO REST API over one client. Paths are relative to ``/vco/api``."""

    def __init__(self, client):
        self.client = client
        self._about = None
        # The state words of listed runs that are no vRO run state (unknown_state), each with a run reading it: a
        # caller that cannot take such runs (the vro_executions source watches known states) says so once per word.
        self.unknown_states = {}
        # Server clock minus local clock, in seconds, learnt from a Date header (None until seen).
        self.clock_offset = None

    # -- server ------------------------------------------------------------------------------------------

    def _learn_clock(self, response):
        date = response.headers.get('Date') if response is not None else None
        if not date:
            return
        try:
            server = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            return
        # The header is truncated to the second: the server's clock read somewhere in [server, server + 1) before
        # the answer came back. A local clock inside that window (with a second for latency) cannot be told apart
        # from the server's, so it is taken as right; outside it, the middle of the window is the best estimate.
        local = time.time()
        if server <= local <= server + 2.0:
            self.clock_offset = 0.0
        else:
            self.clock_offset = server + 0.5 - local

    def server_now(self):
        """Now on the server's clock as far as known (Date headers have a one-second resolution)."""
        return time.time() + (self.clock_offset or 0.0)

    # -- workflows ---------------------------------------------------------------------------------------

    def find_workflows(self, name=None, category=None, name_contains=None, max_results=None, page_size=100):
        """Workflows named exactly ``name``, or whose name contains ``name_contains`` (case-insensitive), optionally
        in ``category``, in the server's order; at most ``max_results``.

        ``category`` matches the category name, or the end of a category path such as ``Library/Demo``. Every
        condition is sent to the server (``name=X``, ``name~X``; for a search, a plain category as
        ``categoryName=X``) and checked again here, so that a server that ignores one cannot widen the answer.
        """
        conditions = []
        if name is not None:
            # A name holding , & = or ~ would break the condition (vRO splits at commas, and at '&' even when it is
            # URL-encoded): ask for its longest safe part, compare the whole name exactly below.
            safe, text = safe_fragment(name)
            if safe:
                conditions.append('name=%s' % name)
            elif text:
                conditions.append('name~%s' % text)
        if name_contains:
            # Case-insensitive here: no cased text goes to a server whose '~' may match case (caseless_fragment).
            text = caseless_fragment(name_contains)
            if text:
                conditions.append('name~%s' % text)
        if category and '/' not in category and name is None and safe_fragment(category)[0]:
            conditions.append('categoryName=%s' % category)
        found = []
        for link in self.client.paginate('/workflows', paged, params={'conditions': conditions} if conditions else None,
                                         page_size=page_size):
            workflow = Workflow.from_link(link)
            if name is not None and workflow.name != name:
                continue
            if name_contains and name_contains.lower() not in (workflow.name or '').lower():
                continue
            if category and workflow.id and not workflow.knows_category():
                # Older servers name no category in the list (the vCenter Orchestrator 5.5 guide's entries): the
                # definition's 'up' link gives the path. One more read, only for such an entry that matched so far.
                workflow.learn_folders(definition_folders(absent_on((404,), self.client.get, '/workflows/%s' % _q(workflow.id),
                                                                    shape=MAYBE_OBJECT)))
            if category and not category_matches(workflow, category):
                continue
            found.append(workflow)
            if max_results and len(found) >= max_results:
                break
        return found

    def definition(self, workflow_id):
        """``GET /workflows/{id}`` as a WorkflowDefinition (also learns the server clock)."""
        response = self.client.request('GET', '/workflows/%s' % _q(workflow_id))
        self._learn_clock(response)
        return WorkflowDefinition(self.client.check(response, self.client.decode(response), OBJECT, RUN_FIELDS,
                                                    parameters_problem))

    def lookup_workflow(self, name, category=None):
        """The one Workflow (summary) named ``name`` (in ``category``); OperationError when none or several."""
        candidates = self.find_workflows(name, category)
        if not candidates:
            where = " in category '%s'" % category if category else ''
            others = ''
            if category:
                elsewhere = self.find_workflows(name)
                if elsewhere:
                    others = '; it exists in: %s' % ', '.join(w.describe() for w in elsewhere)
            if not others:
                others = self.case_hint(name)
            raise OperationError("no workflow named '%s'%s is visible to this user%s" % (name, where, others))
        if len(candidates) > 1:
            raise OperationError(
                "workflow name '%s' is ambiguous: %d workflows have it: %s; set category or use workflow_id" % (
                    name, len(candidates), ', '.join(w.describe() for w in candidates)),
                candidates=[w.to_result() for w in candidates])
        return candidates[0]

    def other_case(self, name, scan_max=None):
        """Workflows whose name equals ``name`` except for case (never picked: vRO names are case-sensitive).

        One listing of at most ``scan_max`` workflows (:data:`CASE_SCAN_MAX`), compared here without case. It carries
        a ``name~`` condition only when ``name`` has a fragment with no cased letter (:func:`caseless_fragment`): servers
        differ on whether ``~`` ignores case, and such a fragment narrows the listing the same way on both. Only on the
        failure path of a lookup.
        """
        wanted = name.lower()
        return [w for w in self._hint_listing(name, scan_max) if (w.name or '').lower() == wanted]

    def _hint_listing(self, name, scan_max=None):
        """The bounded listing :meth:`other_case` and :meth:`case_hint` compare ``name`` with (see other_case)."""
        scan_max = scan_max or CASE_SCAN_MAX
        text = caseless_fragment(name)
        params = {'conditions': ['name~%s' % text]} if text else None
        links = self.client.paginate('/workflows', paged, params=params, page_size=min(500, scan_max), max_items=scan_max)
        return [Workflow.from_link(link) for link in links]

    def case_hint(self, name):
        """What to do about a workflow name that was not found, from one bounded listing: ``'; names are
        case-sensitive: did you mean ...'`` when workflows differ from ``name`` only by case, else the names close to
        it (a typo), else how to list the workflows this user may read."""
        listed = self._hint_listing(name)
        wanted = name.lower()
        others = [w for w in listed if (w.name or '').lower() == wanted]
        if others:
            return '; names are case-sensitive: did you mean %s? set workflow_name to that exact name' % ', '.join(
                "'%s' (%s)" % (w.name, w.describe()) for w in others)
        by_name = {}
        for workflow in listed:
            by_name.setdefault((workflow.name or '').lower(), []).append(workflow)
        # Imported here: only a name that was not found needs it (every read compiles this file).
        import difflib  # pylint: disable=import-outside-toplevel
        close = difflib.get_close_matches(wanted, [key for key in by_name if key], n=3, cutoff=0.75)
        if close:
            return '; did you mean %s? set workflow_name to that exact name' % ', '.join(
                "'%s' (%s)" % (w.name, w.describe()) for key in close for w in by_name[key])
        return ('; check the spelling and that this user may read it, or list the workflows it sees with '
                'cloudops.orchestrator.vro_workflow_info and name_contains')

    def resolve_workflow(self, workflow_id=None, name=None, category=None):
        """The definition of the workflow given by id, or by name (and category).

        An unknown name or an ambiguous one raises OperationError listing every candidate with its id
        and category.
        """
        if workflow_id:
            try:
                return self.definition(workflow_id)
            except ApiError as error:
                if error.status == 404:
                    raise OperationError("workflow id '%s' not found, or this user may not read it (HTTP 404); "
                                         'check workflow_id, or use workflow_name' % workflow_id, error=error.to_result())
                raise
        if not name:
            raise ValueError('give workflow_id or workflow_name')
        found = self.lookup_workflow(name, category)
        definition = self.definition(found.id)
        definition.category = definition.category or found.category
        return definition

    # -- executions --------------------------------------------------------------------------------------

    def executions_path(self, workflow_id, execution_id=None, suffix=''):
        path = '/workflows/%s/executions' % _q(workflow_id)
        if execution_id is not None:
            path += '/%s' % _q(execution_id)
        return path + suffix

    def execution(self, workflow_id, execution_id):
        """``GET .../executions/{id}``: the full run."""
        data = self.client.get(self.executions_path(workflow_id, execution_id), shape=OBJECT, fields=EXECUTION_FIELDS,
                               inner=parameters_problem)
        return Execution(data, workflow_id)

    def state(self, workflow_id, execution_id):
        """``GET .../executions/{id}/state``: the state string (``{"value":..}`` or ``{"state":..}``)."""
        state = state_value(self.client.get(self.executions_path(workflow_id, execution_id, '/state'), shape=(dict, str),
                                            fields={'value': str, 'state': str}))
        note_state(self.client, execution_id, state)
        return state

    def _log_list(self, workflow_id, execution_id, kind, max_results=None, severity=None):
        params = {'maxResult': min(max_results or LOG_LINES_MAX, LOG_LINES_MAX)}
        if severity:
            params['conditions'] = 'severity=%s' % severity
        body = self.client.get(self.executions_path(workflow_id, execution_id, '/' + kind), params=params or None,
                               shape=(dict, list, type(None)), inner=logs_problem)
        if isinstance(body, dict):
            entries = body.get('logs')
            if entries is None:
                entries = next((v for v in body.values() if isinstance(v, list)), [])
        else:
            entries = body or []
        return by_time([normalize_log(entry) for entry in entries])[-params['maxResult']:]

    def logs(self, workflow_id, execution_id, max_results=None, severity=None):
        """``GET .../logs``: the run's log lines, as plain fields, oldest first (by their time, whatever order the
        server lists them in); at most ``max_results`` (and :data:`LOG_LINES_MAX`), the newest."""
        return self._log_list(workflow_id, execution_id, 'logs', max_results, severity)

    def syslogs(self, workflow_id, execution_id, max_results=None, severity=None):
        """``GET .../syslogs``: the run's system log lines."""
        return self._log_list(workflow_id, execution_id, 'syslogs', max_results, severity)

    # -- user interactions -------------------------------------------------------------------------------

    def pending_interaction(self, workflow_id, execution_id):
        """``GET .../executions/{id}/interaction``: the UserInteraction a run waits on, or None (404: there is none)."""
        data = absent_on((404,), self.client.get, self.executions_path(workflow_id, execution_id, '/interaction'),
                         shape=MAYBE_OBJECT, fields=INTERACTION_FIELDS, inner=parameters_problem)
        return UserInteraction(data) if isinstance(data, dict) else None

    def list_executions(self, workflow_id, states=None, started_by=None, started_after=None, started_before=None,
                        name=None, max_results=None, page_size=500, start_index=0):
        """Runs of a workflow as summaries, newest first, filtered on the server where it can be, always here.

        ``states`` (one or several), ``started_by``, ``name`` (contains) and the dates (epoch seconds, on the
        server's clock) become ``conditions``, with ``sortOrders=-startDate``; several states are one query each,
        merged, so that no page is read that the filter could have skipped. Stops after ``max_results`` runs when
        the server applied every filter and the order. No public client shows the date conditions or
        ``sortOrders`` on this list: a server that rejects them (400) or ignores them (a run outside the dates,
        or out of order, comes back) switches this object to plain listing (:attr:`plain_listing`) for the rest
        of the task: every page is read (bounded) and filtered and sorted here.

        ``start_index``: skip that many of the newest runs (the next page of a listing). It goes to the server
        (``startIndex``) only for one query the server filters and sorts; otherwise the runs are read from the first and
        skipped here.
        """
        if isinstance(states, str):
            states = [states]
        start_index = max(0, int(start_index or 0))
        conditions, exact = [], True
        # A value holding , & = or ~ cannot be a condition (see safe_fragment): it is checked here only (run_matches).
        if started_by:
            if safe_fragment(started_by)[0]:
                conditions.append('startedBy=%s' % started_by)
            else:
                exact = False
        if name:
            # Case-insensitive contains (run_matches): only a caseless part is sent (caseless_fragment).
            text = caseless_fragment(name)
            exact = exact and text == name
            if text:
                conditions.append('name~%s' % text)
        dates = []
        if started_after is not None:
            dates.append('startDate>=%s' % _condition_date(started_after))
        if started_before is not None:
            dates.append('startDate<=%s' % _condition_date(started_before))
        queries = [conditions + ['state=%s' % s] for s in states] if states else [conditions]
        # The offset the server applies: one exact query only (merged or filtered here, the positions are ours).
        offset = start_index if exact and len(queries) == 1 and not self.plain_listing else 0
        wanted = max_results + start_index - offset if max_results else None
        runs = {}
        for query in queries:
            for run in self._list_query(workflow_id, query, dates, exact, wanted, page_size,
                                        started_after, started_before, offset):
                runs[run.id] = run
        if self.plain_listing:
            offset = 0  # plain listing (maybe since this call): every run was read
        for run in runs.values():
            if unknown_state(run.state):
                self.unknown_states.setdefault(run.state, run.id)
        # Servers that ignore a condition must not widen the answer: filter again here.
        result = [r for r in runs.values() if run_matches(r, states, started_by, name, started_after, started_before)]
        result.sort(key=lambda r: r.started_at() or 0.0, reverse=True)
        result = result[start_index - offset:]
        return result[:max_results] if max_results else result

    # Set once a server rejected or ignored the date conditions or sortOrders of the executions list.
    plain_listing = False

    def _list_query(self, workflow_id, query, dates, exact, max_results, page_size, started_after, started_before,
                    start_index=0):
        """The runs of one executions query: with the dates and ``sortOrders`` (from ``start_index``) unless
        :attr:`plain_listing` (every run, from the first)."""
        if not self.plain_listing:
            params = {'sortOrders': '-startDate', 'conditions': query + dates}
            if start_index:
                params['startIndex'] = start_index
            # Two runs at least, so that the order of what came back can be checked.
            size = max(2, min(page_size, max_results or page_size))
            try:
                runs = [Execution.from_link(link, workflow_id) for link in self.client.paginate(
                    self.executions_path(workflow_id), paged, params=params, page_size=size,
                    max_items=max(2, max_results) if exact and max_results else None)]
            except ApiError as error:
                if error.status != 400:
                    raise
                self.plain_listing = True  # rejected: plain listing from now on
            else:
                if not _ignored(runs, started_after, started_before):
                    return runs
                self.plain_listing = True  # ignored: a run outside the dates, or out of order, came back
        params = {'conditions': query} if query else None
        return [Execution.from_link(link, workflow_id) for link in self.client.paginate(
            self.executions_path(workflow_id), paged, params=params, page_size=page_size)]


# -- connection: what the shared client needs to know about vRO -------------------------------------------------

def error_body(body):
    """vRO's words in an error body: ``{"status", "message"}`` (8.x Spring: ``errorMessage``) or plain text; vRA's
    ServiceErrorResponse (``message``, ``details`` as a list of strings, ``stackTrace``...) in front of an embedded vRO
    may leave ``message`` empty: then the ``details`` lines are the words (never the stack trace)."""
    message, details = server_words(body, ('message', 'errorMessage', 'detail', 'details'))
    lines = body.get('details') if isinstance(body, dict) else None
    if message is None and isinstance(lines, list):
        words = [line.strip() for line in lines if isinstance(line, str) and line.strip()]
        message = '; '.join(words)[:EXCERPT_LEN] or None
    return message, details


CONNECTION = dict(api_path='/vco/api', name='vRO', parse_error=error_body, probe_path='/about')


def paged(client, path, params, page_size):
    """vRO paging (``maxResult``/``startIndex``): yields the ``rel: down`` links of an inventory or relations list."""
    start = int(params.pop('startIndex', 0))
    guard = client.page_guard(path, page_size, 'startIndex')
    while True:
        page = client.get(path, params=dict(params, maxResult=page_size, startIndex=start),
                          shape=(dict, type(None)), fields={'link': list, 'relations': dict}) or {}
        links, total = vro_links(page)
        guard.check([link.get('href') for link in links], start)
        yield from links
        start += page_size
        if not links or len(links) < page_size or (total is not None and start >= total):
            return


def run_target(api, workflow_id=None, workflow_name=None, category=None, execution_id=None, execution_url=None):
    """``(workflow_id, workflow_name, execution_id)`` from ``execution_url``, or the workflow (id, or name looked up
    in ``category``) and ``execution_id``."""
    if execution_url:
        wid, eid = parse_execution_url(execution_url)
        for value in (wid, eid):
            path_segment(value, option='the id in execution_url')  # the user's value: refused as such
        return wid, None, eid
    if workflow_id:
        return workflow_id, None, execution_id
    found = api.lookup_workflow(workflow_name, category)
    return found.id, found.name, execution_id
