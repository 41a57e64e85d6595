# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What vro_execution_info does (the read path). Internal use only.

Kept apart from ``workflow_run.py`` so that the info module compiles only what it runs (never the encoder).
``run(module)`` reads the options once and calls :func:`execution_info`; raises OperationError / ApiError / ValueError.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import absent_on
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import OperationError, WaitTimeout
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import VroApi, run_target
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import mask_text
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import TERMINAL_STATES, state_options
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_shared import CHECK_MODE_EXECUTION_ID, interaction_hint, placeholder_run, read_run
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import parse_date


def _parse_when(option, value):
    if value is None:
        return None
    moment = parse_date(value)
    if moment is None:
        raise ValueError("%s '%s' is not an ISO-8601 date such as 2026-01-31T10:00:00Z" % (option, value))
    return moment.timestamp()


class _Named(object):
    """The bits of a workflow that results need when no definition was read."""

    def __init__(self, wid, name):
        self.id = wid
        self.name = name


def execution_info(api, workflow_id=None, workflow_name=None, category=None, execution_id=None, execution_url=None,
                   state=None, started_by=None, started_after=None, started_before=None, name=None, max_results=20,
                   details=False, fetch_logs=False, fetch_syslogs=False, wait_for=None, wait=True, wait_timeout=600.0,
                   waiter=None, on_user_interaction='fail', check_mode=False, warn=None):
    """One run (optionally waiting for ``wait_for`` states; ``waiter()`` gives a configured Waiter) or a filtered
    list, newest first.

    While waiting, a run in ``waiting`` (a user interaction) that ``wait_for`` does not name is handled as
    vro_workflow_run does: ``fail`` at once naming the interaction, ``return`` it, or ``keep_waiting``.

    In check mode, the placeholder run vro_workflow_run returns for a run it would start (``CHECK_MODE_EXECUTION_ID``)
    is answered from the workflow's definition, without waiting.

    Without any workflow (nor ``execution_url``), lists the runs of every workflow from the catalog
    (:func:`all_runs`)."""
    if not (workflow_id or workflow_name or execution_url):
        if execution_id:
            raise ValueError('execution_id needs its workflow: give workflow_id or workflow_name too, or use execution_url')
        if wait_for:
            raise ValueError('wait_for needs one run: give execution_id or execution_url')
        return all_runs(api, state, started_by, started_after, started_before, name, max_results, details, fetch_logs,
                        fetch_syslogs, warn)
    wid, wname, eid = run_target(api, workflow_id, workflow_name, category, execution_id, execution_url)
    if check_mode and eid == CHECK_MODE_EXECUTION_ID:
        href = execution_url or api.client.url_for(api.executions_path(wid, eid)) + '/'
        result = placeholder_run(api.definition(wid), href)
        result.update(changed=False, waited=False)
        if fetch_logs:
            result['logs'] = []
        if fetch_syslogs:
            result['syslogs'] = []
        return result
    if eid is None:
        if wait_for:
            raise ValueError('wait_for needs one run: give execution_id or execution_url')
        runs = api.list_executions(wid, states=state, started_by=started_by,
                                   started_after=_parse_when('started_after', started_after),
                                   started_before=_parse_when('started_before', started_before),
                                   name=name, max_results=max_results)
        if details:
            runs = [api.execution(wid, r.id) for r in runs]
        executions = []
        for run in runs:
            item = run.to_result(_Named(wid, wname or run.name))
            _add_logs(api, wid, run, item, fetch_logs, fetch_syslogs, warn)
            executions.append(item)
        return {'changed': False, 'workflow_id': wid, 'executions': executions, 'count': len(executions)}

    waited = False
    interaction = None
    if wait_for and wait:
        wanted = set(wait_for)
        stop_on_interaction = 'waiting' not in wanted and on_user_interaction != 'keep_waiting'
        state = read_run(api.state, wid, eid)
        if state not in wanted and not (stop_on_interaction and state == 'waiting'):
            waited = True

            def settled(current):
                return current in wanted or current in TERMINAL_STATES or (stop_on_interaction and current == 'waiting')

            try:
                waiter = waiter()
                # The state was read just now: the next look waits one interval.
                state = waiter.wait(lambda: api.state(wid, eid), settled, first_delay=waiter.interval)
            except WaitTimeout as timeout:
                message = ("run %s did not reach %s within wait_timeout %ss; last state: %s (%s); the run goes on: "
                           "raise wait_timeout, or run this task again to wait more" % (
                               eid, ' or '.join(wait_for), wait_timeout, timeout.last or 'none given', timeout))
                raise OperationError(message, execution_id=eid, workflow_id=wid, state=timeout.last, timed_out=True)
        if state == 'waiting' and state not in wanted:
            name, hint = interaction_hint(api, wid, eid)
            interaction = {'name': name}
            if on_user_interaction == 'fail':
                run = api.execution(wid, eid)
                result = run.to_result(_Named(wid, wname or run.name))
                result.update(interaction=interaction, waited=waited)
                raise OperationError('wait_for (%s): %s' % (', '.join(wait_for), hint), **result)
        elif state not in wanted:
            run = api.execution(wid, eid)
            result = run.to_result(_Named(wid, wname or run.name))
            detail = ': %s' % run.content_exception if run.content_exception else ''
            raise OperationError("run %s ended %s%s, which is not one of wait_for (%s)" % (
                eid, state, detail, ', '.join(wait_for)), **result)
    run = read_run(api.execution, wid, eid)
    result = run.to_result(_Named(wid, wname or run.name))
    result['changed'] = False
    result['waited'] = waited
    if interaction is not None:
        result['interaction'] = interaction
    if fetch_logs:
        result['logs'] = run.masked_logs(api.logs(wid, eid))
    if fetch_syslogs:
        result['syslogs'] = run.masked_logs(api.syslogs(wid, eid))
    return result


def _full(api, workflow_id, run, item, logs):
    """``run`` with its parameters, to mask its texts with: a list entry (a summary) holds none, so the SecureString
    values that its exception (a list attribute) or a log line may quote are only known from the run read in full
    (one GET per run, only when logs are fetched or the entry quotes an exception). ``item`` (the run's result entry)
    gets the exception masked. None when the run was deleted since it was listed (404)."""
    if not run.summary or not (logs or run.content_exception):
        return run
    full = absent_on((404,), api.execution, workflow_id, run.id)
    if full is None:
        return None  # deleted since it was listed: nothing more is known
    if item.get('content_exception'):
        item['content_exception'] = mask_text(item['content_exception'], full.secrets)
    return full


def _add_logs(api, workflow_id, run, item, fetch_logs, fetch_syslogs, warn=None):
    """The logs and syslogs asked for of a listed ``run`` into ``item``, masked with the run read in full (:func:`_full`).
    A run deleted between the listing and its read (404) has none to read: empty, with a warning, and the list goes on."""
    full = _full(api, workflow_id, run, item, fetch_logs or fetch_syslogs)
    for kind, wanted, read in (('logs', fetch_logs, api.logs), ('syslogs', fetch_syslogs, api.syslogs)):
        if wanted:
            item[kind] = [] if full is None else full.masked_logs(read(workflow_id, run.id))
    if full is None and (fetch_logs or fetch_syslogs) and warn is not None:
        warn('run %s of workflow %s was deleted after it was listed (HTTP 404 on reading it): its logs are left empty; '
             'list the runs again to see those that remain' % (run.id, workflow_id))


def all_runs(api, state=None, started_by=None, started_after=None, started_before=None, name=None, max_results=20,
             details=False, fetch_logs=False, fetch_syslogs=False, warn=None):
    """The runs of every workflow (``CatalogApi.list_all_executions``), newest first, as the list result; ``warn`` says
    when the bounded read of the catalog may have left older runs out, or entries whose ids cannot be in a URL."""
    # Imported here: the read of one run (issue 16) ships the catalog of runs but never compiles it.
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.catalog_api import (  # pylint: disable=import-outside-toplevel
        CATALOG_SCAN_MAX, CatalogApi,
    )
    runs, truncated = CatalogApi(api.client).list_all_executions(states=state, started_by=started_by,
                                                                 started_after=_parse_when('started_after', started_after),
                                                                 started_before=_parse_when('started_before', started_before),
                                                                 name=name, max_results=max_results, warn=warn)
    if truncated and warn:
        warn('the run catalog holds more runs than the %d read per query (it is filtered and sorted here, not on the '
             'server): older runs may be missing; narrow the list with state, or give workflow_id' % CATALOG_SCAN_MAX)
    executions = []
    for run in runs:
        if details and run.workflow_id:
            run = api.execution(run.workflow_id, run.id)
        item = run.to_result()
        if run.workflow_id:
            _add_logs(api, run.workflow_id, run, item, fetch_logs, fetch_syslogs, warn)
        executions.append(item)
    return {'changed': False, 'workflow_id': None, 'executions': executions, 'count': len(executions)}


def run(module):
    """The vro_execution_info operation (see the module docs): reads the options once."""
    p = module.params
    return execution_info(VroApi(module.client()), p.get('workflow_id'), p.get('workflow_name'), p.get('category'),
                          p.get('execution_id'), p.get('execution_url'), state_options(p['state']), p['started_by'], p['started_after'],
                          p['started_before'], p['name'], p['max_results'], p['details'], p['fetch_logs'],
                          p['fetch_syslogs'], state_options(p['wait_for']), p['wait'], p['wait_timeout'], module.waiter,
                          p['on_user_interaction'], module.check_mode, module.warn)
