# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What vro_execution_cancel does: cancel one run or every non-terminal run, with the server version's call.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, OperationError, WaitTimeout
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import run_target
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_shared import CHECK_MODE_EXECUTION_ID, read_run
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import ACTIVE_STATES, TERMINAL_STATES
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_api import RunApi


def cancel_executions(api, workflow_id=None, workflow_name=None, category=None, execution_id=None, execution_url=None,
                      api_version='auto', wait=True, wait_timeout=600.0, check_mode=False, waiter=None):
    """Cancel one run (``execution_id`` or ``execution_url``), or else every non-terminal run of the workflow, with the
    server version's call; ``waiter()`` gives a configured Waiter."""
    wid, wname, eid = run_target(api, workflow_id, workflow_name, category, execution_id, execution_url)
    # None when /about does not tell: the 8.x call, which never deletes a run (api.cancel).
    major = api.major_version(api_version, unknown_ok=True)
    if check_mode and eid == CHECK_MODE_EXECUTION_ID:
        # The placeholder of a run vro_workflow_run would start in check mode: it would be canceled.
        targets = [(eid, None)]
    elif eid is not None:
        targets = [(eid, read_run(api.state, wid, eid))]
    else:
        targets = [(r.id, r.state) for r in api.list_executions(wid, states=list(ACTIVE_STATES))]
    call = api.cancel_call(wid, major)
    entries = []
    for run_id, state in targets:
        entry = {'execution_id': run_id, 'workflow_id': wid, 'state_before': state, 'state': state, 'canceled': False}
        if state not in TERMINAL_STATES:
            entry['canceled'] = True
            if not check_mode:
                try:
                    api.cancel(wid, run_id, major)
                except OperationError as error:
                    # A cancel whose answer was lost, and the run still going (RunApi._cancel_lost): never sent again.
                    entries.append(entry)
                    raise OperationError(str(error), **dict(error.result, changed=True, executions=entries, cancel_call=call,
                                                            api_version=str(major or 'unknown'))) from None
                except ApiError as error:
                    # It ended between the read and the cancel (or another client canceled it).
                    if error.status not in (400, 404, 409):
                        raise
                    entry['state'] = api.state(wid, run_id)
                    if entry['state'] not in TERMINAL_STATES:
                        raise
                    entry['canceled'] = entry['state'] == 'canceled'
        entries.append(entry)

    to_watch = [e for e in entries if e['canceled']]
    if to_watch and not check_mode:
        if wait:
            def fetch():
                for entry in to_watch:
                    if entry['state'] not in TERMINAL_STATES:
                        entry['state'] = api.state(wid, entry['execution_id'])
                return [e['state'] for e in to_watch]

            try:
                waiter().wait(fetch, lambda states: all(s in TERMINAL_STATES for s in states))
            except WaitTimeout as timeout:
                late = [e for e in to_watch if e['state'] not in TERMINAL_STATES]
                raise OperationError('cancel requested, but %s still not canceled after wait_timeout %ss (%s)' % (
                    ', '.join('%s (%s)' % (e['execution_id'], e['state']) for e in late), wait_timeout, timeout),
                    changed=True, executions=entries, api_version=str(major or 'unknown'), cancel_call=call)
        else:
            for entry in to_watch:
                entry['state'] = api.state(wid, entry['execution_id'])

    result = {'changed': bool(to_watch), 'workflow_id': wid, 'executions': entries, 'api_version': str(major or 'unknown'),
              'cancel_call': call}
    if wname:
        result['workflow_name'] = wname
    if eid is not None:
        result['execution_id'] = eid
        result['state'] = entries[0]['state']
    return result


def run(module):
    """The vro_execution_cancel operation (see the module docs): reads the options once."""
    p = module.params
    one = p.get('execution_id') or p.get('execution_url')
    if p['all_running'] and one:
        raise ValueError('all_running cancels every run of the workflow: give it without execution_id and execution_url')
    if not p['all_running'] and not one:
        raise ValueError('give execution_id (with workflow_id or workflow_name), execution_url, or all_running: true')
    return cancel_executions(RunApi(module.client()), p.get('workflow_id'), p.get('workflow_name'), p.get('category'),
                             p.get('execution_id'), p.get('execution_url'), p['api_version'], p['wait'], p['wait_timeout'],
                             module.check_mode, module.waiter)
