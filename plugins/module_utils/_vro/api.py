# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vRO API layer in the product's nouns: workflows, definitions, executions, cancel by version. Internal use only.

Everything here speaks to a :class:`VroApi` built on one ``_client.Client``. Nothing here knows about
Ansible modules except :class:`OperationError`, raised for failures that are not HTTP errors (an ambiguous
workflow name, a run that cannot be adopted).
"""

from __future__ import annotations

import email.utils
import re
import time

try:
    from urllib.parse import unquote
except ImportError:  # pragma: no cover - Python 2 is not supported by the collection
    from urllib import unquote  # type: ignore

from ansible_collections.cloudops.orchestrator.plugins.module_utils._adopt import adopt, adoption_window
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import OBJECT, json_name, server_words
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import path_segment
# The decoder only: the encoder (_vro_types) is imported where a run is started, so read-only modules skip it.
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import (
    decode_date, decode_parameters, mask_parameters, parameter_list, parameters_problem, same_inputs,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import parse_date

STATES = ('initializing', 'running', 'waiting', 'waiting-signal', 'suspended', 'completed', 'failed', 'canceled')
TERMINAL_STATES = frozenset(('completed', 'failed', 'canceled'))
ACTIVE_STATES = tuple(s for s in STATES if s not in TERMINAL_STATES)
# Runs that `reuse: running` attaches to (the "initializing, running or waiting").
REUSABLE_ACTIVE_STATES = ('initializing', 'running', 'waiting', 'waiting-signal')

# How far before the lost POST a run may have been created and still be ours (server clock, seconds).
ADOPTION_MARGIN = 5.0
# The most recent runs read when looking for the one a lost POST created.
ADOPTION_CANDIDATES = 20

_EXECUTION_URL = re.compile(r'/workflows/([^/?#]+)/executions/([^/?#]+)')
_VERSION = re.compile(r'(\d+)(?:\.(\d+))?')


def _q(value):
    """One id as a URL path segment (quoted; refused when it could leave its segment)."""
    return path_segment(value)


def parse_execution_url(url):
    """Return ``(workflow_id, execution_id)`` from a run's ``Location`` or ``href``; ValueError otherwise."""
    match = _EXECUTION_URL.search(url or '')
    if not match:
        raise ValueError("'%s' is not the URL of a workflow run: expected .../workflows/<id>/executions/<id>/" % url)
    return unquote(match.group(1)), unquote(match.group(2))


def parse_version(text):
    """``(major, minor)`` from a version string such as ``8.18.1.24180498`` or ``7.6``; None if absent."""
    match = _VERSION.search(str(text or ''))
    if not match:
        return None
    return int(match.group(1)), int(match.group(2) or 0)


def epoch(value):
    """Seconds since the epoch of a vRO date (ISO string or epoch milliseconds); None if unreadable."""
    iso = decode_date(value)
    moment = parse_date(iso) if isinstance(iso, str) else None
    return moment.timestamp() if moment else None


def _condition_date(seconds):
    """A date in the form used by list conditions (vRO compares them as epoch milliseconds)."""
    return str(int(seconds * 1000))


# The parameter lists of a definition or a run: a list, or the XML-born {"parameter": [...]} wrapper.
RUN_FIELDS = {'input-parameters': (list, dict), 'inputParameters': (list, dict), 'output-parameters': (list, dict), 'outputParameters': (list, dict)}
# What a run adds: its id and href are parsed as text.
EXECUTION_FIELDS = dict(RUN_FIELDS, id=str, href=str)
MAYBE_OBJECT = (dict, type(None))


def logs_problem(body):
    """``(problem, expected)`` for a logs answer whose entries :func:`normalize_log` could not read; None when it can."""
    if isinstance(body, dict):
        entries, where = body.get('logs'), 'an object whose logs'
        if entries is None:
            entries = next((v for v in body.values() if isinstance(v, list)), [])
    else:
        entries, where = body, 'a list whose item'
    if not isinstance(entries, list):
        return '%s is %s' % (where, json_name(entries)), 'a list of log entries'
    for index, entry in enumerate(entries):
        inner = entry.get('entry') if isinstance(entry, dict) and isinstance(entry.get('entry'), dict) else entry
        if not isinstance(inner, (dict, type(None))):
            return '%s[%d] is %s' % (where, index, json_name(inner)), 'a log entry (an object)'
        severity = (inner or {}).get('severity')
        if not isinstance(severity, (str, type(None))):
            return '%s[%d].severity is %s' % (where, index, json_name(severity)), 'a string'
    return None


class Workflow(object):
    """One entry of the workflows inventory list: ``id``, ``name``, ``category`` (its name), ``href``."""

    def __init__(self, id, name=None, category=None, href=None, attributes=None):  # pylint: disable=redefined-builtin
        self.id = id
        self.name = name
        self.category = category
        self.href = href
        self.attributes = attributes or {}

    @classmethod
    def from_link(cls, link):
        attrs = vro_attributes(link)
        return cls(attrs.get('id'), attrs.get('name'), attrs.get('categoryName'), link.get('href'), attrs)

    def describe(self):
        return "%s (category '%s')" % (self.id, self.category or '')

    def to_result(self):
        return {'id': self.id, 'name': self.name, 'category': self.category, 'href': self.href}


class WorkflowDefinition(object):
    """A workflow as ``GET /workflows/{id}`` returns it, with its declared inputs and outputs."""

    def __init__(self, data, category=None):
        self.raw = data or {}
        self.id = self.raw.get('id')
        self.name = self.raw.get('name')
        self.version = self.raw.get('version')
        self.description = self.raw.get('description')
        self.href = self.raw.get('href')
        self.category = category or self.raw.get('categoryName') or self.raw.get('category-name')
        self.input_parameters = parameter_list(self.raw, 'input')
        self.output_parameters = parameter_list(self.raw, 'output')

    def input_types(self):
        """``{name: declared type}`` of the inputs."""
        return dict((p.get('name'), p.get('type')) for p in self.input_parameters)

    def encode(self, inputs, raw_inputs=None, read_file=None):
        """Encode plain ``inputs`` into execution-context parameters (raises EncodeError before anything is sent)."""
        from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.encode import encode_parameters  # pylint: disable=import-outside-toplevel
        return encode_parameters(self.input_parameters, inputs, self.name or self.id, read_file=read_file,
                                 raw_inputs=raw_inputs)

    def to_result(self):
        return {'id': self.id, 'name': self.name, 'version': self.version, 'description': self.description,
                'href': self.href, 'category': self.category,
                'input_parameters': self.input_parameters, 'output_parameters': self.output_parameters}


class Execution(object):
    """One run, from ``GET .../executions/{id}`` (full) or from a list entry (summary: no parameters).

    Both spellings of the parameter lists and both date forms are accepted; dates are kept as canonical
    ISO strings (``...Z``).
    """

    def __init__(self, data, workflow_id=None, summary=False):
        data = data or {}
        self.raw = data
        self.summary = summary
        self.id = data.get('id')
        self.workflow_id = workflow_id
        self.href = data.get('href')
        if isinstance(self.href, str) and (not self.workflow_id or not self.id):
            try:
                wid, eid = parse_execution_url(self.href)
                self.workflow_id = self.workflow_id or wid
                self.id = self.id or eid
            except ValueError:
                pass
        self.name = data.get('name')
        self.state = _state_value(data.get('state'))
        self.start_date = decode_date(_pick(data, 'start-date', 'startDate', 'start_date'))
        self.end_date = decode_date(_pick(data, 'end-date', 'endDate', 'end_date'))
        self.started_by = _pick(data, 'started-by', 'startedBy', 'started_by')
        self.business_state = _pick(data, 'business-state', 'businessState')
        self.content_exception = _pick(data, 'content-exception', 'contentException')
        self.current_item = _pick(data, 'current-item-display-name', 'currentItemDisplayName')
        self.input_parameters = parameter_list(data, 'input')
        self.output_parameters = parameter_list(data, 'output')

    @classmethod
    def from_link(cls, link, workflow_id=None):
        """A summary from a ``rel: down`` link of the executions list (its attributes)."""
        attrs = vro_attributes(link)
        data = {'id': attrs.get('id'), 'href': link.get('href'), 'name': attrs.get('name'), 'state': attrs.get('state'),
                'start-date': attrs.get('startDate'), 'end-date': attrs.get('endDate'),
                'started-by': attrs.get('startedBy'), 'business-state': attrs.get('businessState'),
                'content-exception': attrs.get('contentException')}
        return cls(data, workflow_id, summary=True)

    @property
    def terminal(self):
        return self.state in TERMINAL_STATES

    def started_at(self):
        """Start time in epoch seconds, or None."""
        return epoch(self.start_date)

    def duration_seconds(self):
        start, end = epoch(self.start_date), epoch(self.end_date)
        if start is None or end is None:
            return None
        return round(end - start, 3)

    def inputs(self, mask_secrets=True):
        return decode_parameters(self.input_parameters, mask_secrets)

    def outputs(self):
        return decode_parameters(self.output_parameters, mask_secrets=True)

    def to_result(self, workflow=None):
        """The documented result fields of one run."""
        result = {
            'execution_id': self.id,
            'workflow_id': self.workflow_id or (workflow.id if workflow else None),
            'workflow_name': workflow.name if workflow else self.name,
            'name': self.name,
            'state': self.state,
            'href': self.href,
            'start_date': self.start_date,
            'end_date': self.end_date,
            'duration_seconds': self.duration_seconds(),
            'started_by': self.started_by,
            'business_state': self.business_state,
            'content_exception': self.content_exception,
            'current_item': self.current_item,
        }
        if not self.summary:
            result['inputs'] = self.inputs()
            result['outputs'] = self.outputs()
            result['outputs_raw'] = mask_parameters(self.output_parameters)
        return result


def _pick(data, *keys):
    for key in keys:
        if data.get(key) is not None:
            return data[key]
    return None


def _state_value(raw):
    """A state from ``{"value": ..}``, ``{"state": ..}`` or a plain string; lower-case (the 7.x guide upper-cases)."""
    if isinstance(raw, dict):
        raw = _pick(raw, 'value', 'state')
    if raw is None:
        return None
    state = str(raw).strip().lower().replace('_', '-')
    return 'waiting-signal' if state == 'state-waiting-on-signal' else state


def normalize_log(entry):
    """A log entry as plain fields; old servers wrap each one as ``{"entry": {...}}``."""
    if isinstance(entry, dict) and isinstance(entry.get('entry'), dict):
        entry = entry['entry']
    entry = entry or {}
    return {
        'severity': (_pick(entry, 'severity') or '').lower() or None,
        'time_stamp': decode_date(_pick(entry, 'time-stamp', 'timeStamp', 'time_stamp')),
        'user': entry.get('user'),
        'short_description': _pick(entry, 'short-description', 'shortDescription'),
        'long_description': _pick(entry, 'long-description', 'longDescription'),
    }


class VroApi(object):
    """The vRO REST API over one client. Paths are relative to ``/vco/api``."""

    def __init__(self, client):
        self.client = client
        self._about = None
        # Server clock minus local clock, in seconds, learnt from a Date header (None until seen).
        self.clock_offset = None

    # -- server ------------------------------------------------------------------------------------------

    def about(self):
        """``GET /about`` (cached): version, build, api-version."""
        if self._about is None:
            self._about = self.client.get('/about', shape=MAYBE_OBJECT) or {}
        return self._about

    def version(self):
        """The server's ``(major, minor)`` from ``/about``, or None when it does not say."""
        about = self.about()
        return parse_version(about.get('version') or about.get('api-version') or about.get('apiVersion'))

    def major_version(self, api_version=None):
        """7 or 8 (or later): from ``api_version`` when given (``7``, ``7.6``, ``8.18``), else from ``GET /about``."""
        if api_version not in (None, '', 'auto'):
            parsed = parse_version(api_version)
            if not parsed:
                raise ValueError("api_version '%s' is not a version such as 7.6 or 8.18" % api_version)
            return parsed[0]
        version = self.version()
        if not version:
            raise OperationError('GET /about did not tell the vRO version (answer: %r); set api_version to 7 or 8'
                                 % (self.about(),))
        return version[0]

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

    def find_workflows(self, name, category=None, page_size=100):
        """Workflows named exactly ``name`` (server-side condition), optionally in ``category``.

        ``category`` matches the category name, or the end of a category path such as ``Library/Demo``.
        """
        found = []
        condition = 'name=%s' % name
        if '&' in name:
            # vRO splits conditions at '&' even when it is URL-encoded: ask for a fragment, compare exactly below.
            fragment = max(name.split('&'), key=lambda part: len(part.strip())).strip()
            condition = 'name~%s' % fragment if fragment else None
        for link in self.client.paginate('/workflows', paged, params={'conditions': condition} if condition else None,
                                         page_size=page_size):
            workflow = Workflow.from_link(link)
            if workflow.name != name:
                continue
            if category and not _category_matches(workflow, category):
                continue
            found.append(workflow)
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
            raise OperationError("no workflow named '%s'%s is visible to this user%s" % (name, where, others))
        if len(candidates) > 1:
            raise OperationError(
                "workflow name '%s' is ambiguous: %d workflows have it: %s; set category or use workflow_id" % (
                    name, len(candidates), ', '.join(w.describe() for w in candidates)),
                candidates=[w.to_result() for w in candidates])
        return candidates[0]

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

    def start(self, workflow_id, parameters):
        """``POST .../executions``; returns the new Execution (id from ``Location``, else from the body).

        A lost answer raises ApiError with ``details['sent']``; see :meth:`start_once` for the safe start.
        """
        response = self.client.request('POST', self.executions_path(workflow_id), json={'parameters': parameters},
                                       expected=(200, 201, 202))
        self._learn_clock(response)
        location = response.headers.get('Location')
        execution_id = None
        if location:
            try:
                execution_id = parse_execution_url(location)[1]
            except ValueError:
                execution_id = None
        try:
            body = self.client.decode(response) if response.content else None
            self.client.check(response, body, MAYBE_OBJECT, EXECUTION_FIELDS, parameters_problem)
        except ApiError as error:
            # The run exists once the server accepted it: a garbled body must not hide the run Location names.
            if not execution_id:
                error.message += '; the run was started, but the answer does not name it: find it with vro_execution_info'
                raise
            body = None
        data = dict(body) if isinstance(body, dict) else {}
        if execution_id:
            data['id'] = execution_id
        if not data.get('id'):
            raise ApiError('the server accepted the run but named no execution (no Location header, no id in the body)',
                           kind='json', method='POST', url=self.client.url_for(self.executions_path(workflow_id)))
        data.setdefault('href', location or self.client.url_for(self.executions_path(workflow_id, data['id'], '/')))
        return Execution(data, workflow_id, summary=not data.get('state'))

    def execution(self, workflow_id, execution_id):
        """``GET .../executions/{id}``: the full run."""
        data = self.client.get(self.executions_path(workflow_id, execution_id), shape=OBJECT, fields=EXECUTION_FIELDS,
                               inner=parameters_problem)
        return Execution(data, workflow_id)

    def state(self, workflow_id, execution_id):
        """``GET .../executions/{id}/state``: the state string (``{"value":..}`` or ``{"state":..}``)."""
        return _state_value(self.client.get(self.executions_path(workflow_id, execution_id, '/state'), shape=(dict, str),
                                            fields={'value': str, 'state': str}))

    def _log_list(self, workflow_id, execution_id, kind, max_results=None, severity=None):
        params = {}
        if max_results:
            params['maxResult'] = max_results
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
        return [normalize_log(entry) for entry in entries]

    def logs(self, workflow_id, execution_id, max_results=None, severity=None):
        """``GET .../logs``: the run's log lines, as plain fields, oldest first as the server sends them."""
        return self._log_list(workflow_id, execution_id, 'logs', max_results, severity)

    def syslogs(self, workflow_id, execution_id, max_results=None, severity=None):
        """``GET .../syslogs``: the run's system log lines."""
        return self._log_list(workflow_id, execution_id, 'syslogs', max_results, severity)

    def interaction(self, workflow_id, execution_id):
        """``GET .../executions/{id}/interaction``: the pending user interaction of a waiting run, or None."""
        try:
            return self.client.get(self.executions_path(workflow_id, execution_id, '/interaction'), shape=MAYBE_OBJECT,
                                   inner=parameters_problem)
        except ApiError as error:
            if error.status == 404:
                return None
            raise

    def list_executions(self, workflow_id, states=None, started_by=None, started_after=None, started_before=None,
                        name=None, max_results=None, page_size=500):
        """Runs of a workflow as summaries, newest first, filtered on the server.

        ``states`` (one or several), ``started_by``, ``name`` (contains) and the dates (epoch seconds, on the
        server's clock) become ``conditions``; several states are one query each, merged, so that no page is
        read that the filter could have skipped. Stops after ``max_results`` runs.
        """
        if isinstance(states, str):
            states = [states]
        conditions = []
        if started_by:
            conditions.append('startedBy=%s' % started_by)
        if name:
            conditions.append('name~%s' % name)
        if started_after is not None:
            conditions.append('startDate>=%s' % _condition_date(started_after))
        if started_before is not None:
            conditions.append('startDate<=%s' % _condition_date(started_before))
        queries = [conditions + ['state=%s' % s] for s in states] if states else [conditions]
        runs = {}
        for query in queries:
            params = {'sortOrders': '-startDate'}
            if query:
                params['conditions'] = query
            for link in self.client.paginate(self.executions_path(workflow_id), paged, params=params,
                                             page_size=min(page_size, max_results or page_size),
                                             max_items=max_results):
                run = Execution.from_link(link, workflow_id)
                runs[run.id] = run
        # Servers that ignore a condition must not widen the answer: filter again here.
        result = [r for r in runs.values() if _run_matches(r, states, started_by, name, started_after, started_before)]
        result.sort(key=lambda r: r.started_at() or 0.0, reverse=True)
        return result[:max_results] if max_results else result

    def cancel(self, workflow_id, execution_id, api_version=None):
        """Cancel one run with the call of the server's version; returns a description of the call made.

        8.x: ``DELETE .../executions/{id}/state``. 7.x: ``DELETE .../executions/{id}/`` (the guide's call).
        Never ``DELETE .../executions/{id}`` on 8.x, which deletes the run's record; and never the other
        version's call as a fallback.
        """
        path = self.cancel_path(workflow_id, execution_id, self.major_version(api_version))
        self.client.request('DELETE', path, expected=(200, 202, 204))
        return 'DELETE %s' % path

    def cancel_path(self, workflow_id, execution_id, major):
        """The path the cancel call of vRO ``major`` uses (``execution_id`` may be a ``{id}`` placeholder)."""
        path = self.executions_path(workflow_id) + '/' + (execution_id if execution_id == '{id}' else _q(execution_id))
        return path + ('/state' if major >= 8 else '/')

    # -- safe start --------------------------------------------------------------------------------------

    def matching_runs(self, workflow_id, parameters, candidates, limit=None):
        """The runs among ``candidates`` (summaries) whose inputs equal ``parameters`` after encoding.

        Reads each candidate in full (``GET``); stops after ``limit`` matches. See
        ``_vro_types.same_inputs`` for how SecureString inputs are compared.
        """
        matches = []
        for candidate in candidates:
            run = self.execution(workflow_id, candidate.id)
            if same_inputs(parameters, run.input_parameters):
                matches.append(run)
                if limit and len(matches) >= limit:
                    break
        return matches

    def start_once(self, workflow_id, parameters, user=None, warn=None, claimed=None):
        """Start a run, never twice: returns ``(execution, adopted)``.

        A POST whose answer was lost (``AnswerLost``) is never sent again: ``_adopt.adopt`` looks, for the adoption
        window, for the run it made: the run the server named (``Location``) before the answer was cut short, else
        runs of this workflow that ``user`` (when known) started since just before the POST, with identical inputs.
        Exactly one is adopted (with a warning through ``warn``); several raise OperationError listing them; none
        in time raises OperationError saying the start may or may not have happened. ``claimed`` (a set) holds
        run ids already taken by other starts of the same batch.
        """
        posted_at = self.server_now()
        try:
            return self.start(workflow_id, parameters), False
        except AnswerLost as error:
            lost = error

        def find():
            if lost.created_id:
                # The server named the run before its answer was cut short: that one is ours.
                try:
                    return [self.execution(workflow_id, lost.created_id)]
                except ApiError as error:
                    if error.status != 404:
                        raise
                    return []
            # Only runs started since just before the POST (server clock), by this user, with these inputs. The user
            # is compared here, not in the query: servers may record 'bob' as 'bob@corp.local'. SecureString inputs
            # come back masked, so they cannot be compared (see same_inputs): the other inputs, the user and the
            # start date must then tell the run apart, and several matches are refused rather than guessed.
            recent = self.list_executions(workflow_id, max_results=ADOPTION_CANDIDATES,
                                          started_after=posted_at - ADOPTION_MARGIN)
            recent = [r for r in recent if (not claimed or r.id not in claimed)
                      and (not user or not r.started_by or same_user(r.started_by, user))]
            matches = self.matching_runs(workflow_id, parameters, recent)
            # Oldest first, so that a listing is the same whatever order the server's list had.
            matches.sort(key=lambda r: (r.started_at() or 0, r.id))
            return matches

        run = adopt(lost, find, adoption_window(self.client.timeout), 'run',
                    look_at='the runs of workflow %s started since %s (vro_execution_info with workflow_id)' % (
                        workflow_id, time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(posted_at - ADOPTION_MARGIN))),
                    rerun='re-running the task with reuse: running is safe: it adopts the run if the start was applied',
                    ident=lambda r: r.id, describe=lambda r: '%s (%s, %s)' % (r.id, r.state, r.start_date),
                    warn=warn, fail=OperationError, ids_key='execution_ids', sleep=self.client.sleep)
        if claimed is not None:
            claimed.add(run.id)
        return run, True


def _category_matches(workflow, category):
    wanted = category.strip('/')
    if workflow.category == wanted:
        return True
    path = workflow.attributes.get('categoryPath') or workflow.attributes.get('globalTags') or ''
    path = str(path).replace('.', '/').strip('/')
    return bool(path) and (path == wanted or path.endswith('/' + wanted))


def same_user(a, b):
    """True when two user names are the same person (``bob`` and ``bob@corp.local`` are, case aside)."""
    a, b = str(a).lower(), str(b).lower()
    return a == b or a.split('@', 1)[0] == b or b.split('@', 1)[0] == a


def _run_matches(run, states, started_by, name, started_after, started_before):
    if states and run.state not in states:
        return False
    if started_by and run.started_by and not same_user(run.started_by, started_by):
        return False
    if name and run.name and name.lower() not in run.name.lower():
        return False
    start = run.started_at()
    if start is not None:
        if started_after is not None and start < started_after:
            return False
        if started_before is not None and start > started_before:
            return False
    return True


def find_workflow(client, id=None, name=None, category=None):  # pylint: disable=redefined-builtin
    """Convenience: the WorkflowDefinition for an id, or for a name (and category), over ``client``."""
    return VroApi(client).resolve_workflow(id, name, category)


# -- connection: what the shared client needs to know about vRO -------------------------------------------------

def error_body(body):
    """vRO's words in an error body: ``{"status", "message"}`` (8.x Spring: ``errorMessage``) or plain text."""
    return server_words(body, ('message', 'errorMessage', 'detail', 'details'))


CONNECTION = dict(api_path='/vco/api', name='vRO', parse_error=error_body)


def vro_links(page):
    """The ``rel: down`` links and the total of a vRO inventory-items or relations list."""
    container = page.get('relations') if isinstance(page.get('relations'), dict) else page
    found = container.get('link') if isinstance(container.get('link'), list) else []
    links = [link for link in found if isinstance(link, dict) and link.get('rel', 'down') == 'down']
    total = container.get('total', page.get('total'))
    try:
        total = int(total) if total is not None else None
    except (TypeError, ValueError):
        # XML-born JSON may quote numbers; an unreadable total is ignored (paging then stops on a short page).
        total = None
    return links, total


def vro_attributes(link):
    """A vRO link's ``attributes`` list as a plain mapping."""
    attributes = link.get('attributes') if isinstance(link.get('attributes'), list) else []
    return {a.get('name'): a.get('value') for a in attributes if isinstance(a, dict) and isinstance(a.get('name'), str)}


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
        return wid, None, eid
    if workflow_id:
        return workflow_id, None, execution_id
    found = api.lookup_workflow(workflow_name, category)
    return found.id, found.name, execution_id
