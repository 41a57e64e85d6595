# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What vro_workflow_run does. Internal use only.

``run(module)`` reads the options once into :class:`RunOptions` and calls :func:`start_runs`, which works over a
``RunApi`` and returns the module result (or raises OperationError / ApiError / WaitTimeout / ValueError, which
``OrchestratorModule.run`` turns into a failure). Nothing below ``run`` sees the module.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, OperationError, WaitTimeout
from ansible_collections.cloudops.orchestrator.plugins.module_utils._inputs import inputs_with_secrets
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_api import ADOPTION_MARGIN, RunApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import note_state
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import decode_parameters, mask_parameters
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.inputs import same_inputs, secure_values
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.encode import EncodeError, encode_parameters
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_shared import (
    CHECK_MODE_EXECUTION_ID, interaction_hint, placeholder_run)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import (
    REUSABLE_ACTIVE_STATES, TERMINAL_STATES, Execution, unknown_state)

# Most recent runs read when looking for one to reuse (per state queried).
REUSE_CANDIDATES = 50
# The most runs one task may start: a bigger list is almost always a templating mistake, and one task holding
# thousands of runs in one result is unreadable.
MAX_RUNS = 1000
ERROR_LINES_IN_MESSAGE = 5
# From this many runs on, one list of the workflow's runs per poll replaces one state request per run.
LIST_POLL_MIN = 3


# ---------------------------------------------------------------- helpers

class RunOptions(object):
    """The settings of one vro_workflow_run call (defaults: the module's), and the callbacks of its host.

    ``batch``: the inputs came as ``runs`` (results per run); ``user``: the user runs are started as, when the auth
    scheme tells it (None for a bare token); ``warn(msg)``, ``add_secret(value)`` and ``waiter()`` (a configured
    Waiter) come from the module.
    """

    def __init__(self, workflow_id=None, workflow_name=None, category=None, raw_inputs=None, batch=False, reuse='never',
                 reuse_max_age=3600.0, concurrency=4, wait=True, wait_timeout=600.0, cancel_on_timeout=False,
                 on_user_interaction='fail', fetch_logs=False, user=None, check_mode=False, warn=None, add_secret=None,
                 waiter=None, strict_inputs=False, return_secure_outputs=False):
        self.workflow_id = workflow_id
        self.workflow_name = workflow_name
        self.category = category
        self.raw_inputs = raw_inputs
        self.batch = batch
        self.reuse = reuse
        self.reuse_max_age = reuse_max_age
        self.concurrency = concurrency
        self.wait = wait
        self.wait_timeout = wait_timeout
        self.cancel_on_timeout = cancel_on_timeout
        self.on_user_interaction = on_user_interaction
        self.fetch_logs = fetch_logs
        self.user = user
        self.check_mode = check_mode
        self.warn = warn or (lambda msg: None)
        self.add_secret = add_secret or (lambda value: None)
        self.waiter = waiter
        self.strict_inputs = strict_inputs
        self.return_secure_outputs = return_secure_outputs


def _error_lines(logs):
    return [entry for entry in logs or [] if entry.get('severity') == 'error']


def _describe_errors(logs):
    lines = _error_lines(logs)[-ERROR_LINES_IN_MESSAGE:]
    return ' | '.join(line.get('short_description') or line.get('long_description') or '' for line in lines)


class _Slot(object):
    """One requested run of a vro_workflow_run call."""

    def __init__(self, index, inputs, params):
        self.index = index
        self.inputs = inputs
        self.params = params
        self.execution = None
        self.reused = False
        self.adopted = False
        self.started = False
        self.state = None
        self.error = None
        self.logs = None
        self.interaction = None
        # The run as the executions list last showed it (a summary: dates and state, no parameters), when it did.
        self.summary = None

    def label(self, batch):
        return 'runs[%d]' % self.index if batch else 'the run'


# ---------------------------------------------------------------- vro_workflow_run

def _forgotten_inputs(workflow, inputs, raw_inputs):
    """The declared inputs of ``workflow`` that ``inputs`` (or ``raw_inputs``) do not name, in declaration order.

    An input given as null counts as given: that is how a task leaves one out on purpose."""
    given = set(inputs or {}) | set(item.get('name') for item in raw_inputs or [] if isinstance(item, dict))
    return [p['name'] for p in workflow.input_parameters or [] if p.get('name') and p['name'] not in given]


def _check_forgotten_inputs(opts, workflow, input_sets):
    """Warn (or, with ``strict_inputs``, fail before anything is sent) naming the declared inputs not given."""
    parts = []
    for index, inputs in enumerate(input_sets):
        missing = _forgotten_inputs(workflow, inputs, opts.raw_inputs)
        if missing:
            names = ', '.join(missing)
            parts.append('runs[%d]: %s' % (index, names) if opts.batch else names)
    if not parts:
        return
    what = "workflow '%s' declares inputs that were not given (nothing is sent for them): %s" % (
        workflow.name or workflow.id, '; '.join(parts))
    if opts.strict_inputs:
        raise ValueError('%s; nothing was started: give them (null to leave one out on purpose) or set strict_inputs: false'
                         % what)
    opts.warn('%s; give them (null to leave one out on purpose), or set strict_inputs: true to make this an error' % what)


def _find_reusable(api, workflow, slots, mode, max_age):
    """Attach slots to identical runs that are still going (and, for ``completed``, recent completed ones)."""
    states = list(REUSABLE_ACTIVE_STATES) + (['completed'] if mode == 'completed' else [])
    candidates = api.list_executions(workflow.id, states=states, max_results=REUSE_CANDIDATES)
    cutoff = api.server_now() - max_age if max_age is not None else None
    active = [r for r in candidates if r.state != 'completed']
    done = [r for r in candidates if r.state == 'completed' and (cutoff is None or (r.started_at() or 0) >= cutoff)]
    full = {}
    claimed = set()
    for slot in slots:
        for candidate in active + done:
            if candidate.id in claimed:
                continue
            if candidate.id not in full:
                full[candidate.id] = api.execution(workflow.id, candidate.id)
            run = full[candidate.id]
            if same_inputs(slot.params, run.input_parameters):
                slot.execution = run
                slot.state = run.state
                slot.reused = True
                claimed.add(run.id)
                break
    return claimed


def _start_all(opts, api, workflow, slots, claimed):
    """Start every slot that has no run yet, at most ``concurrency`` at a time; errors stay on their slot."""
    user = opts.user
    todo = [s for s in slots if s.execution is None]

    lost = {}

    def start(slot):
        posted_at = api.server_now()
        try:
            slot.execution = api.start(workflow.id, slot.params)
            slot.started = True
            slot.state = slot.execution.state
        except AnswerLost as error:
            lost[slot.index] = (error, posted_at)  # never sent again: adopted below, once every start has answered
        except (ApiError, OperationError) as error:
            slot.error = error

    _each(opts, todo, start, api.client)
    # The runs the other starts of this batch made are known before the lost starts look for their own, so that none
    # adopts one of them (identical inputs). The lost starts are looked for jointly (one listing per look for all, one
    # window in all), each adopted run claimed before the next start of the same look is decided.
    claimed.update(s.execution.id for s in todo if s.execution is not None)
    waiting = [slot for slot in todo if slot.index in lost]
    if not waiting:
        return
    outcomes = api.adopt_lost_all(workflow.id, [(slot.params,) + lost[slot.index] for slot in waiting], user=user,
                                  warn=opts.warn, claimed=claimed)
    for slot, (run, failure) in zip(waiting, outcomes):
        if failure is not None:
            slot.error = failure
            continue
        slot.execution = run
        slot.adopted = slot.started = True
        slot.state = run.state


def _each(opts, items, fn, client):
    """``fn(item)`` for every item, at most ``concurrency`` at a time over ``client`` (its connection pool sized
    to match); an exception raised by one propagates."""
    workers = max(1, min(opts.concurrency or 1, len(items)))
    if workers == 1:
        for item in items:
            fn(item)
        return
    client.allow_parallel(workers)
    # Imported here: single runs never pay for the thread pool import.
    from concurrent.futures import ThreadPoolExecutor  # pylint: disable=import-outside-toplevel
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(fn, items))


def _not_readable_yet(error, slot, readable_by, waiter):
    """True when ``error`` (reading the state of ``slot``'s run) is a 404 on a run this task started and no read
    has shown yet, before ``readable_by`` (``waiter``'s clock: ``Waiter.readable_by``)."""
    return (slot.started and not slot.reused and not getattr(slot, 'readable', False)
            and waiter.not_readable_yet(error, readable_by))


def _is_settled(state, on_user_interaction):
    if state in TERMINAL_STATES:
        return True
    return state == 'waiting' and on_user_interaction != 'keep_waiting'


def _wait_all(opts, api, workflow, slots, since=None):
    """One poll loop for every run until all are settled.

    A few runs are polled with ``GET .../state`` each; from ``LIST_POLL_MIN`` watched runs on, one list of the
    workflow's runs started since ``since`` (server clock, epoch seconds, read in pages) gives every state per
    poll, and only runs missing from it are asked one by one. What the list showed of each run (its dates and
    state) is kept on its slot, so that :func:`_finish` need not read it again when there is nothing more to read.
    """
    oui = opts.on_user_interaction
    watched = [s for s in slots if s.execution is not None]
    if all(_is_settled(s.state, oui) for s in watched):
        return
    starts = [s.execution.started_at() for s in watched]
    if any(t is None for t in starts):
        starts.append(since)
    known = [t for t in starts if t is not None]
    window = min(known) - ADOPTION_MARGIN if known else None
    waiter = opts.waiter()
    # A run this task just started may answer 404 for a while (eventual consistency between nodes): for the request
    # timeout plus a margin, as long as no read has shown it yet, a 404 is a run not readable yet, not a deleted one.
    readable_by = waiter.readable_by(getattr(api.client, 'timeout', None))

    def fetch():
        pending = [s for s in watched if not _is_settled(s.state, oui)]
        listed = {}
        # A batch keeps listing to its last run: one page tells every state and what _finish needs to know.
        if len(watched) >= LIST_POLL_MIN and window is not None:
            listed = dict((r.id, r) for r in api.list_executions(workflow.id, started_after=window) if r.state)
        for slot in pending:
            summary = listed.get(slot.execution.id)
            slot.summary = summary
            if summary is not None:
                slot.state = summary.state
                note_state(api.client, slot.execution.id, slot.state)
                continue
            try:
                slot.state = api.state(workflow.id, slot.execution.id)
            except ApiError as error:
                if not _not_readable_yet(error, slot, readable_by, waiter):
                    raise
                # The server named this run when it started it; another node may not serve it yet: keep looking.
                continue
            slot.readable = True
        return [s.state for s in watched]

    try:
        # A run just started is still going: the first look waits one interval.
        waiter.wait(fetch, lambda states: all(_is_settled(st, oui) for st in states), first_delay=waiter.interval)
    except WaitTimeout as timeout:
        _on_timeout(opts, api, workflow, slots, timeout)


def _on_timeout(opts, api, workflow, slots, timeout):
    batch = opts.batch
    late = [s for s in slots if s.execution is not None and not _is_settled(s.state, opts.on_user_interaction)]
    canceled, ended = [], []
    if opts.cancel_on_timeout:
        for slot in late:
            try:
                api.cancel(workflow.id, slot.execution.id)
                canceled.append(slot)
            except OperationError as error:
                # The cancel's answer was lost and the run is still going (RunApi._cancel_lost): not sent again.
                opts.warn('could not cancel run %s after the timeout: %s' % (slot.execution.id, error))
            except ApiError as error:
                state = _state_after_refused_cancel(api, workflow, slot, error)
                if state == 'canceled':
                    canceled.append(slot)
                    continue
                if state in TERMINAL_STATES:
                    # It ended (completed, failed) between the last poll and the cancel: report it as it ended.
                    _read_ended(api, workflow, slot)
                    ended.append(slot)
                    continue
                opts.warn('could not cancel run %s after the timeout: %s' % (slot.execution.id, error))
    parts = []
    for slot in late:
        label = '%s: ' % slot.label(True) if batch else ''
        if slot in ended:
            parts.append('%srun %s had ended (%s) before its cancel' % (label, slot.execution.id, slot.state))
        else:
            unknown = ' (not a vRO run state, see the warning)' if unknown_state(slot.state) else ''
            parts.append('%srun %s is still %s%s' % (label, slot.execution.id, slot.state, unknown))
    if canceled:
        tail = '; canceled %s (cancel_on_timeout)' % ', '.join(s.execution.id for s in canceled)
    elif len(ended) == len(late):
        tail = ''
    else:
        tail = ('; it goes on running: cancel it with cloudops.orchestrator.vro_execution_cancel, raise wait_timeout, '
                'or set cancel_on_timeout: true')
    message = "workflow '%s': %s after wait_timeout %ss (%s)%s" % (
        workflow.name, ', '.join(parts), opts.wait_timeout, timeout, tail)
    result = {'changed': any(s.started for s in slots), 'workflow_id': workflow.id, 'workflow_name': workflow.name,
              'timed_out': True, 'canceled': [s.execution.id for s in canceled]}
    if batch:
        result['executions'] = [_slot_result(workflow, s) for s in slots]
    else:
        result.update(_slot_result(workflow, late[0]))
    raise OperationError(message, **result)


def _state_after_refused_cancel(api, workflow, slot, error):
    """The run's state after a refused cancel (400/404/409), else None: ``canceled`` when someone else canceled it
    between the last read and the DELETE (as ``vro_execution_cancel`` reads it), another terminal state when it ended
    on its own meanwhile (a server refuses to cancel a finished run). The state read is kept on ``slot``. A DELETE
    whose answer was lost is never sent again: the run's state decides it in ``RunApi._cancel_lost``."""
    if error.status not in (400, 404, 409):
        return None
    try:
        state = api.state(workflow.id, slot.execution.id)
    except ApiError:
        return None
    slot.state = state or slot.state
    return state


def _read_ended(api, workflow, slot):
    """Read a run that ended by itself in full, so that its result holds its dates and outputs (as :func:`_finish`)."""
    try:
        slot.execution = api.execution(workflow.id, slot.execution.id)
    except ApiError:
        return
    slot.state = slot.execution.state or slot.state


def _slot_result(workflow, slot, check_request=None, check_href=None, reveal=False):
    if slot.execution is None and check_request is not None:
        # Check mode: every key a later task may read, with documented placeholders (see placeholder_run).
        result = placeholder_run(workflow, check_href, decode_parameters(slot.params, mask_secrets=True))
        result['changed'] = True
    elif slot.execution is None:
        result = {'execution_id': None, 'workflow_id': workflow.id, 'workflow_name': workflow.name, 'state': None,
                  'changed': False}
    else:
        result = slot.execution.to_result(workflow)
        result['state'] = slot.state or result['state']
        result['changed'] = slot.started
        if reveal and 'outputs' in result:
            # return_secure_outputs: SecureString outputs as the server sent them (the module docs warn about this).
            result['outputs'] = decode_parameters(slot.execution.output_parameters, mask_secrets=False)
            result['outputs_raw'] = slot.execution.output_parameters
    result['reused'] = slot.reused
    result['adopted'] = slot.adopted
    if check_request is not None:
        result['request'] = check_request
    if slot.logs is not None:
        result['logs'] = slot.logs
    if slot.interaction is not None:
        result['interaction'] = slot.interaction
    if slot.error is not None:
        result['error'] = slot.error.to_result() if isinstance(slot.error, ApiError) else {'message': str(slot.error)}
    return result


def _known_from_list(opts, workflow, slot):
    """The run of ``slot`` without reading it again, or None when it must be read (``GET .../executions/{id}``).

    Only a run the executions list showed completed, of a workflow that declares no outputs, when no logs are
    asked for: the list gave its dates and state, it has no outputs to read, and its inputs are those it was
    started with. Anything else (a failure to explain, an interaction to name, outputs) is read in full.
    """
    summary = slot.summary
    if workflow.output_parameters or opts.fetch_logs or summary is None or summary.state != 'completed' \
            or slot.state != 'completed':
        return None
    data = dict(summary.raw)
    data['input-parameters'] = slot.params
    data['output-parameters'] = []
    return Execution(data, workflow.id)


def _finish(opts, api, workflow, slots):
    """Read every run once in full unless the list said all there is to know (:func:`_known_from_list`), at most
    ``concurrency`` at a time; fetch logs where asked or failed, and collect the problems."""
    oui = opts.on_user_interaction
    problems = []

    def read(slot):
        slot.execution = _known_from_list(opts, workflow, slot) or api.execution(workflow.id, slot.execution.id)

    _each(opts, [s for s in slots if s.execution is not None], read, api.client)
    for slot in slots:
        if slot.execution is None:
            continue
        slot.state = slot.execution.state or slot.state
        if opts.fetch_logs or slot.state == 'failed':
            try:
                slot.logs = slot.execution.masked_logs(api.logs(workflow.id, slot.execution.id))
            except ApiError as error:
                opts.warn('could not read the logs of run %s: %s' % (slot.execution.id, error))
                slot.logs = []
        if slot.state == 'failed':
            detail = slot.execution.content_exception or 'no exception text'
            errors = _describe_errors(slot.logs)
            tail = '; error log: %s' % errors if errors else ''
            problems.append((slot, 'run %s failed: %s%s' % (slot.execution.id, detail, tail)))
        elif slot.state == 'canceled':
            problems.append((slot, 'run %s was canceled' % slot.execution.id))
        elif slot.state == 'waiting':
            name, hint = interaction_hint(api, workflow.id, slot.execution.id)
            slot.interaction = {'name': name}
            if oui == 'fail':
                problems.append((slot, hint))
    return problems


def run(module):
    """vro_workflow_run (see the module docs): reads the options once, then :func:`start_runs`."""
    p = module.params
    batch = p['runs'] is not None
    if batch and not p['runs']:
        raise ValueError('runs is an empty list: give at least one mapping of inputs (or use inputs for one run)')
    if batch and len(p['runs']) > MAX_RUNS:
        raise ValueError('runs has %d entries; one task starts at most %d runs: split the list over several tasks' % (
            len(p['runs']), MAX_RUNS))
    api = RunApi(module.client())
    input_sets = [inputs_with_secrets(module, inputs, 'runs[%d]' % index if batch else 'inputs')
                  for index, inputs in enumerate(p['runs'] if batch else [p['inputs'] or {}])]
    opts = RunOptions(p['workflow_id'], p['workflow_name'], p['category'], p['raw_inputs'], batch, p['reuse'],
                      p['reuse_max_age'], p['concurrency'], p['wait'], p['wait_timeout'], p['cancel_on_timeout'],
                      p['on_user_interaction'], p['fetch_logs'], user=None if p.get('auth') == 'token' else p.get('username'),
                      check_mode=module.check_mode, warn=module.warn, add_secret=module.add_secret, waiter=module.waiter,
                      strict_inputs=bool(p.get('strict_inputs')),
                      return_secure_outputs=bool(p.get('return_secure_outputs')))
    return start_runs(api, input_sets, opts)


def start_runs(api, input_sets, opts):
    """Resolve, validate and encode, reuse or start (never twice), wait, report: one run per entry of ``input_sets``
    (plain inputs, secret inputs merged in)."""
    batch = opts.batch
    workflow = api.resolve_workflow(opts.workflow_id, opts.workflow_name, opts.category)
    slots = []
    for index, inputs in enumerate(input_sets):
        try:
            params = encode_parameters(workflow.input_parameters, inputs, workflow.name or workflow.id,
                                       raw_inputs=opts.raw_inputs)
        except EncodeError as error:
            raise ValueError('runs[%d]: %s' % (index, error) if batch else str(error))
        for secret in secure_values(params):
            opts.add_secret(secret)
        slots.append(_Slot(index, inputs, params))
    _check_forgotten_inputs(opts, workflow, input_sets)

    claimed = set()
    if opts.reuse != 'never' and slots:
        claimed = _find_reusable(api, workflow, slots, opts.reuse, opts.reuse_max_age)

    if opts.check_mode:
        url = api.client.url_for(api.executions_path(workflow.id))
        href = api.client.url_for(api.executions_path(workflow.id, CHECK_MODE_EXECUTION_ID)) + '/'
        results = []
        for slot in slots:
            request = None
            if slot.execution is None:
                request = {'method': 'POST', 'url': url, 'body': {'parameters': mask_parameters(slot.params)}}
            results.append(_slot_result(workflow, slot, request, href))
        return _result(workflow, slots, results, batch, changed=any(s.execution is None for s in slots))

    since = api.server_now()
    _start_all(opts, api, workflow, slots, claimed)
    failed_starts = [s for s in slots if s.error is not None]
    if failed_starts and not batch:
        raise failed_starts[0].error
    if failed_starts:
        started = [s for s in slots if s.execution is not None]
        raise OperationError(
            "workflow '%s': %d of %d runs could not be started: %s%s" % (
                workflow.name, len(failed_starts), len(slots),
                '; '.join('runs[%d]: %s' % (s.index, s.error) for s in failed_starts),
                '; started: %s' % ', '.join('runs[%d] %s' % (s.index, s.execution.id) for s in started) if started else ''),
            changed=any(s.started for s in slots), workflow_id=workflow.id, workflow_name=workflow.name,
            executions=[_slot_result(workflow, s) for s in slots])

    try:
        if opts.wait:
            _wait_all(opts, api, workflow, slots, since)
            problems = _finish(opts, api, workflow, slots)
        else:
            problems = []
            for slot in slots:
                slot.execution = api.execution(workflow.id, slot.execution.id)
                slot.state = slot.execution.state or slot.state
    except ApiError as error:
        # The runs exist: a failure after starting them must still name every one, so that none is lost track of.
        started = [s for s in slots if s.execution is not None]
        result = _result(workflow, slots, [_slot_result(workflow, s) for s in slots], batch,
                         changed=any(s.started for s in slots))
        result['error'] = error.to_result()
        raise OperationError("workflow '%s': %s; started: %s (follow them with cloudops.orchestrator.vro_execution_info)" % (
            workflow.name, error, ', '.join(('runs[%d] %s' % (s.index, s.execution.id)) if batch else s.execution.id
                                            for s in started)), **result)

    results = [_slot_result(workflow, s, reveal=opts.return_secure_outputs) for s in slots]
    result = _result(workflow, slots, results, batch, changed=any(s.started for s in slots))
    if problems:
        if batch:
            message = "workflow '%s': %d of %d runs did not complete: %s" % (
                workflow.name, len(problems), len(slots), '; '.join('runs[%d]: %s' % (s.index, m) for s, m in problems))
            result['failed_runs'] = [s.index for s, _m in problems]
        else:
            message = "workflow '%s': %s" % (workflow.name, problems[0][1])
        raise OperationError(message, **result)
    return result


def _result(workflow, slots, results, batch, changed):
    if batch:
        return {'changed': changed, 'workflow_id': workflow.id, 'workflow_name': workflow.name, 'executions': results}
    result = dict(results[0])
    result['changed'] = changed
    return result


# ---------------------------------------------------------------- vro_execution_cancel
