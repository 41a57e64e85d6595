# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vRO calls that start and cancel runs: :class:`RunApi`, a :class:`api.VroApi` that also starts runs (the safe
start and the adoption of a start whose answer was lost) and cancels them (by version). Internal use only.

Apart from ``api.py`` so that only the modules that start or cancel runs (vro_workflow_run, vro_execution_cancel)
ship and compile it, and ship the adoption (``_adopt``, compiled only when a start lost its answer): AnsiballZ ships
and compiles every module_utils file an import names (docs/architecture.md, rule 4).
"""

from __future__ import annotations

import time

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import absent_on, join_reference, path_segment, url_origin
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import (
    AnswerLost, ApiError, OperationError, answer_lost, safe_url,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import VroApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import parameters_problem
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.inputs import same_inputs
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import (
    EXECUTION_FIELDS, MAYBE_OBJECT, TERMINAL_STATES, Execution, parse_execution_url, parse_version, run_matches, same_user,
)


# How far before the lost POST a run may have been created and still be ours (server clock, seconds).
ADOPTION_MARGIN = 5.0
# The most recent runs read when looking for the one a lost POST created.
ADOPTION_CANDIDATES = 20


def _q(value):
    """One id as a URL path segment (quoted; refused when it could leave its segment)."""
    return path_segment(value)


class RunApi(VroApi):
    """The vRO REST API over one client, with the calls that start runs (never twice) and cancel them."""

    # -- server ------------------------------------------------------------------------------------------

    def about(self):
        """``GET /about`` (cached): version, build, api-version."""
        if self._about is None:
            self._about = self.client.get('/about', shape=MAYBE_OBJECT) or {}
        return self._about

    def version(self):
        """The server's ``(major, minor)`` from the product ``version`` of ``/about``, or None when it does not say.

        ``api-version`` is the REST API's own number ("2.0" on 7.6, "6.0.0" on 8.18), not the product's: it is never
        read as one (a 2 would pick the 7.x cancel, which deletes the run's record on 8.x).
        """
        parsed = parse_version(self.about().get('version'))
        return parsed if parsed and parsed[0] >= 5 else None

    def major_version(self, api_version=None, unknown_ok=False):
        """7 or 8 (or later): from ``api_version`` when given (``7``, ``7.6``, ``8.18``), else from ``GET /about``;
        None when ``/about`` does not tell and ``unknown_ok``, else OperationError asking for ``api_version``."""
        if api_version not in (None, '', 'auto'):
            parsed = parse_version(api_version)
            if not parsed:
                raise ValueError("api_version '%s' is not a version such as 7.6 or 8.18" % api_version)
            return parsed[0]
        version = self.version()
        if not version:
            if unknown_ok:
                return None
            raise OperationError('GET /about did not tell the vRO version (answer: %r); set api_version to 7 or 8'
                                 % (self.about(),))
        return version[0]

    # -- runs: start, cancel ---------------------------------------------------------------------------

    def start(self, workflow_id, parameters):
        """``POST .../executions``; returns the new Execution (id from ``Location``, else from the body).

        A lost answer raises ApiError with ``details['sent']``; see :meth:`start_once` for the safe start. So does an
        accepted start whose answer names no run (no ``Location`` that names one, no id in the body): the run exists,
        and only looking for it (adoption) can find it; a resend would start a second one. A relative ``Location``
        (RFC 9110 allows one) is read against the URL of the POST; only the run id is taken from it, never its host.
        """
        url = self.client.url_for(self.executions_path(workflow_id))
        response = self.client.request('POST', self.executions_path(workflow_id), json={'parameters': parameters},
                                       expected=(200, 201, 202))
        self._learn_clock(response)
        location = response.headers.get('Location')
        execution_id = None
        if location:
            location = join_reference(url, location.strip())
            try:
                execution_id = parse_execution_url(location)[1]
                # An id that would leave its path segment (..%2F, %2e%2e) names no run we may read: as no Location.
                path_segment(execution_id)
            except (ValueError, ApiError):
                execution_id = None
        try:
            body = self.client.decode(response) if response.content else None
            self.client.check(response, body, MAYBE_OBJECT, EXECUTION_FIELDS, parameters_problem)
        except ApiError as error:
            # The run exists once the server accepted it: a garbled body must not hide the run Location names.
            if not execution_id:
                raise self._unnamed('%s; the run was started, but the answer does not name it' % error.message,
                                    error.kind, url, response) from None
            body = None
        data = dict(body) if isinstance(body, dict) else {}
        if execution_id:
            data['id'] = execution_id
        if not data.get('id'):
            raise self._unnamed('the server accepted the run but named no execution (%s, no id in the body)' % (
                "a Location that names no run: '%s'" % safe_url(location) if location else 'no Location header'),
                'json', url, response)
        href = data.get('href') or location
        if not isinstance(href, str) or url_origin(href) != self.client.origin:
            # The run's URL on the configured server: one naming another host (a vRO node behind the load balancer,
            # or worse) would lead a playbook that hands it to ansible.builtin.uri with credentials there.
            href = self.client.url_for(self.executions_path(workflow_id, data['id'], '/'))
        data['href'] = href
        return Execution(data, workflow_id, summary=not data.get('state'))

    @staticmethod
    def _unnamed(message, kind, url, response):
        """The AnswerLost of a start the server accepted (``response``) without naming the run: the run exists but only
        looking for it can find it (adoption), and a resend would start a second one."""
        error = answer_lost(message, kind=kind, method='POST', url=url)
        error.status = response.status_code
        error.details['accepted'] = response.status_code  # applied for sure: _adopt says so, never "may or may not"
        return error

    def cancel(self, workflow_id, execution_id, api_version=None):
        """Cancel one run; returns a description of the call made.

        ``DELETE .../executions/{id}/state`` first, on every version: it cancels on 8.x and, per VMware's REST client
        SDK, on 7.x. Only a 7.x server (version known) refusing it with 405 gets the 7.1 guide's
        ``DELETE .../executions/{id}/``, which cancels there; a 7.x server where ``/state`` cancels is never sent that
        call (its captured payloads label it ``rel: remove``, and it may delete the run's record). Never
        ``DELETE .../executions/{id}`` on 8.x or on an unknown version, which deletes the run's record.

        A DELETE whose answer was lost is never sent again (:meth:`_cancel_lost`): the run's state says whether it was
        taken.
        """
        major = self.major_version(api_version, unknown_ok=True)
        path = self.cancel_path(workflow_id, execution_id, major)
        try:
            self.client.request('DELETE', path, expected=(200, 202, 204))
        except AnswerLost as lost:
            self._cancel_lost(workflow_id, execution_id, lost)
        except ApiError as error:
            if error.status != 405 or (major is not None and major >= 8):
                raise
            if major is None:
                # Not the 8.x call, and the version is unknown: the 7.x call is never chosen from a guess.
                raise OperationError('GET /about does not tell the vRO version, and the server refused the 8.x cancel '
                                     '(DELETE %s: HTTP 405); set api_version (7 for vRO 7.x) and run again' % path,
                                     error=error.to_result()) from None
            # 405: nothing was acted upon, and this 7.x server cancels as the 7.1 guide says.
            path = self.cancel_path(workflow_id, execution_id, major, guide=True)
            try:
                self.client.request('DELETE', path, expected=(200, 202, 204))
            except AnswerLost as lost:
                self._cancel_lost(workflow_id, execution_id, lost)
        return 'DELETE %s' % path

    def _cancel_lost(self, workflow_id, execution_id, lost):
        """After a cancel whose answer was lost (``lost``, an AnswerLost), read the run's state instead of sending the
        DELETE again: ``canceling`` or a terminal state is the cancel taken (adopted, with a warning); a run still going
        raises OperationError saying the cancel may still be applied, and so does a state that cannot be read."""
        try:
            state = self.state(workflow_id, execution_id)
        except ApiError as error:
            raise OperationError('the answer to the cancel of run %s was lost (%s), and its state could not be read (%s): '
                                 'the cancel may have been applied; read the state with cloudops.orchestrator.'
                                 'vro_execution_info (running this task again is safe)' % (execution_id, lost, error),
                                 error=lost.to_result()) from None
        if state == 'canceling' or state in TERMINAL_STATES:
            self.client.warn('the answer to the cancel of run %s was lost (%s); the run is %s: the cancel was taken, not '
                             'sending it again' % (execution_id, lost, state))
            return state
        raise OperationError('the answer to the cancel of run %s was lost (%s), and the run is still %s: the cancel may '
                             'still be applied; read the state with cloudops.orchestrator.vro_execution_info (running this '
                             'task again is safe)' % (execution_id, lost, state), error=lost.to_result(), state=state)

    def cancel_path(self, workflow_id, execution_id, major, guide=False):
        """The path of the cancel call (``execution_id`` may be a ``{id}`` placeholder): ``.../state`` on every version,
        or with ``guide`` (vRO 7.x only, after a 405 on ``.../state``) the 7.1 guide's ``.../executions/{id}/``."""
        path = self.executions_path(workflow_id) + '/' + (execution_id if execution_id == '{id}' else _q(execution_id))
        return path + ('/' if guide and major is not None and major < 8 else '/state')

    def cancel_call(self, workflow_id, major):
        """What :meth:`cancel` sends, in words, for a result (``{id}`` for the run)."""
        call = 'DELETE %s' % self.cancel_path(workflow_id, '{id}', major)
        if major is not None and major < 8:
            call += ' (vRO 7.x refusing it with HTTP 405: DELETE %s)' % self.cancel_path(workflow_id, '{id}', major, guide=True)
        return call

    # -- safe start --------------------------------------------------------------------------------------

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
        return self.adopt_lost(workflow_id, parameters, lost, posted_at, user=user, warn=warn, claimed=claimed), True

    def adopt_lost(self, workflow_id, parameters, lost, posted_at, user=None, warn=None, claimed=None):
        """The run a start whose answer was lost (``lost``, an AnswerLost; POST sent at ``posted_at``, server clock)
        made, as :meth:`start_once` adopts it (added to ``claimed``); OperationError when none or several."""
        run, failure = self.adopt_lost_all(workflow_id, [(parameters, lost, posted_at)], user=user, warn=warn,
                                           claimed=claimed)[0]
        if failure is not None:
            raise failure
        return run

    def adopt_lost_all(self, workflow_id, starts, user=None, warn=None, claimed=None):
        """The runs several starts of one batch whose answers were lost made, looked for jointly: per start
        ``(run, None)`` or ``(None, failure)`` (OperationError, or the ApiError of a read). Never resends.

        ``starts``: ``(parameters, lost, posted_at)`` each (``posted_at``: when its POST was sent, server clock), in
        the order each look decides them. A start whose answer named its run (``lost.created_id``) reads that run,
        before the others; the others share one listing of the workflow's runs per look (``_adopt.adopt_each``),
        every second for one adoption window in all. Each start's candidates are as for one start: runs started
        since just before its POST, by ``user``, with its inputs, none claimed (``claimed``: runs of other starts of
        the batch, and every run adopted here, added as it is adopted, so that no run is adopted twice) and none named
        by another start's answer; exactly one is adopted, several fail listing them, none in time fails saying the
        start may or may not have happened.
        """
        claimed = claimed if claimed is not None else set()
        named = set(lost.created_id for parameters, lost, posted_at in starts if lost.created_id)
        # Runs named by an answer first (a read each), then the searches in the batch's order.
        order = sorted(range(len(starts)), key=lambda index: 0 if starts[index][1].created_id else 1)
        ordered = [starts[index] for index in order]
        searching = [posted_at for parameters, lost, posted_at in ordered if not lost.created_id]
        full = {}

        def read(run_id):
            # The inputs of a run never change: each run is read in full once per adoption, not once per start.
            if run_id not in full:
                full[run_id] = self.execution(workflow_id, run_id)
            return full[run_id]

        def look(pending):
            recent = []
            if any(not ordered[index][1].created_id for index in pending):
                # One listing for every pending search: from just before the earliest POST, and deep enough for the
                # runs of this batch on top of the candidates one start would read.
                earliest = min(ordered[index][2] for index in pending if not ordered[index][1].created_id)
                recent = self.list_executions(workflow_id, max_results=ADOPTION_CANDIDATES + len(searching) - 1 + len(claimed),
                                              started_after=earliest - ADOPTION_MARGIN)

            def find(index):
                parameters, lost, posted_at = ordered[index]
                if lost.created_id:
                    # The server named the run before its answer was cut short: that one is ours.
                    run = absent_on((404,), self.execution, workflow_id, lost.created_id)
                    return [run] if run is not None else []
                # Only runs started since just before the POST (server clock), by this user, with these inputs. The
                # user is compared here, not in the query: servers may record 'bob' as 'bob@corp.local'. SecureString
                # inputs come back masked, so they cannot be compared (see same_inputs): the other inputs, the user and
                # the start date must then tell the run apart, and several matches are refused rather than guessed.
                mine = [r for r in recent if r.id not in claimed and r.id not in named
                        and run_matches(r, None, None, None, posted_at - ADOPTION_MARGIN, None)
                        and (not user or not r.started_by or same_user(r.started_by, user))]
                matches = [run for run in (read(r.id) for r in mine) if same_inputs(parameters, run.input_parameters)]
                # Oldest first, so that a listing is the same whatever order the server's list had.
                matches.sort(key=lambda r: (r.started_at() or 0, r.id))
                return matches

            return find

        look_at = ['the runs of workflow %s started since %s (vro_execution_info with workflow_id)' % (
            workflow_id, time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(posted_at - ADOPTION_MARGIN)))
            for parameters, lost, posted_at in ordered]
        # Imported here: only a start whose answer was lost compiles the adoption (docs/architecture.md, rule 4).
        from ansible_collections.cloudops.orchestrator.plugins.module_utils._adopt import adopt_each, adoption_window  # pylint: disable=import-outside-toplevel
        outcomes = adopt_each(
            [lost for parameters, lost, posted_at in ordered], look, adoption_window(self.client.timeout), 'run',
            look_at=look_at,
            rerun=('re-running the task with reuse: running adopts the run if the start was applied and it is still '
                   'going; once it has ended only reuse: completed finds it, and without reuse another run starts'),
            ident=lambda r: r.id, describe=lambda r: '%s (%s, %s)' % (r.id, r.state, r.start_date),
            adopted=lambda r: 'adopted run %s (%s, %s), %s' % (r.id, r.state, r.start_date, (
                'which its answer named' if r.id in named else
                'the one run started since by this user with these inputs: the run it made, unless another process '
                'started this workflow as the same user with the same inputs at the same moment')),
            warn=warn, fail=OperationError, ids_key='execution_ids', sleep=self.client.sleep,
            clock=getattr(self.client, 'clock', time.monotonic), on_adopt=lambda index, run: claimed.add(run.id),
            errors=(ApiError,))
        result = [(None, None)] * len(starts)
        for position, index in enumerate(order):
            result[index] = outcomes[position]
        return result
