# -*- coding: utf-8 -*-
# Copyright (c) cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What vro_interaction does: answer or dismiss the pending user interaction of a waiting run. Internal use only.

A run in state ``waiting`` has one pending interaction at ``.../executions/{id}/interaction`` (``InteractionApi``'s
interaction calls; the :class:`UserInteraction` noun is in ``model.py``). Answers are typed by the interaction's
own ``input-parameters`` with the encoder. ``run(module)`` reads the options once; :class:`InteractionRun` works
over an ``InteractionApi`` with explicit arguments.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._adopt import adopt, adoption_window
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, OperationError, WaitTimeout
from ansible_collections.cloudops.orchestrator.plugins.module_utils._inputs import inputs_with_secrets
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.interaction_api import InteractionApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import mask_parameters
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.inputs import secure_values
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.encode import encode_parameters
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_shared import CHECK_MODE_EXECUTION_ID
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import TERMINAL_STATES, parse_execution_url, state_options

# Where a run rests after an answer when the user names no state: the end, or its next question.
NEXT_STATES = frozenset(TERMINAL_STATES | {'waiting', 'waiting-signal', 'suspended'})


def _run_not_found(error, workflow_id, execution_id):
    return OperationError("run '%s' of workflow '%s' not found, or this user may not read it (HTTP %s); check "
                          'execution_id and the workflow' % (execution_id, workflow_id, error.status),
                          error=error.to_result())


class InteractionRun(object):
    """One vro_interaction task: look at the run, answer or dismiss its interaction, wait for the next state."""

    def __init__(self, api, execution_id, check_mode=False, warn=None, add_secret=None, waiter=None):
        """``warn``/``add_secret``: callables for warnings and SecureString values; ``waiter()``: a configured Waiter."""
        self.api = api
        self.client = api.client
        self.execution_id = execution_id
        self.workflow_id = None
        self.check_mode = check_mode
        self.warn = warn or (lambda msg: None)
        self.add_secret = add_secret or (lambda value: None)
        self.waiter = waiter

    def resolve_workflow_id(self, workflow_id=None, workflow_name=None, category=None):
        """The run's workflow id: given, by name, or else from the pending interactions list (None when not listed)."""
        if workflow_id:
            return workflow_id
        if workflow_name:
            return self.api.lookup_workflow(workflow_name, category).id
        return self.api.workflow_of_pending_run(self.execution_id)

    def run_state(self):
        try:
            return self.api.state(self.workflow_id, self.execution_id)
        except ApiError as error:
            if error.status == 404:
                raise _run_not_found(error, self.workflow_id, self.execution_id)
            raise

    def execution_result(self, result):
        """Add the run as it is now (state, decoded outputs) to ``result``."""
        run = self.api.execution(self.workflow_id, self.execution_id)
        result['state'] = run.state
        result['outputs'] = run.outputs()
        result['execution'] = run.to_result()
        return run

    def encode(self, interaction, inputs, raw_inputs):
        label = interaction.name or interaction.id or 'pending'
        parameters = encode_parameters(interaction.input_parameters, inputs, label, raw_inputs=raw_inputs,
                                       context_kind='user interaction')
        for secret in secure_values(parameters):
            self.add_secret(secret)
        return parameters

    def __call__(self, workflow_id=None, workflow_name=None, category=None, absent=False, answers=dict, raw_inputs=None,
                 wait=True, wait_for=None, poll_interval=0.25):
        """Answer (with ``answers()``, the plain answers, read only when there is a question, and ``raw_inputs``)
        or dismiss (``absent``) the run's pending interaction, then wait (``wait``, ``wait_for``) for its next state."""
        if self.check_mode and self.execution_id == CHECK_MODE_EXECUTION_ID:
            return self.placeholder(workflow_id, workflow_name, category, absent)
        self.workflow_id = self.resolve_workflow_id(workflow_id, workflow_name, category)
        result = {'changed': False, 'workflow_id': self.workflow_id, 'execution_id': self.execution_id}
        if self.workflow_id is None:
            result['msg'] = ('run %s has no pending user interaction (GET /interactions does not list it): nothing to '
                             "%s; give workflow_id or workflow_name, or the run's href as execution_url, to read the run "
                             'itself' % (self.execution_id, 'dismiss' if absent else 'answer'))
            return result
        before = self.run_state()
        result['previous_state'] = before
        if before != 'waiting':
            verb = 'dismiss' if absent else 'answer'
            result['msg'] = 'run %s is %s, not waiting for a user interaction: nothing to %s' % (
                self.execution_id, before, verb)
            self.execution_result(result)
            return result
        interaction = self.api.pending_interaction(self.workflow_id, self.execution_id)
        if interaction is None or not interaction.pending:
            result['msg'] = 'run %s has no pending user interaction (already answered or dismissed)' % self.execution_id
            if interaction is not None:
                result['interaction'] = interaction.to_result()
            self.execution_result(result)
            return result
        result['interaction'] = interaction.to_result()
        if absent:
            return self.dismiss(interaction, result, wait, wait_for, poll_interval)
        return self.answer(interaction, result, answers(), raw_inputs, wait, wait_for, poll_interval)

    def placeholder(self, workflow_id, workflow_name, category, absent):
        """Check mode, for the placeholder run vro_workflow_run returns for a run it would start: nothing to read on
        the server; the interaction that run would ask would be answered (or dismissed), as vro_execution_info and
        vro_execution_cancel take the same placeholder."""
        if workflow_id or workflow_name:
            self.workflow_id = self.resolve_workflow_id(workflow_id, workflow_name, category)
        return {'changed': True, 'workflow_id': self.workflow_id, 'execution_id': self.execution_id, 'state': 'waiting',
                'msg': 'check mode: run %s is the run vro_workflow_run would start, so there is nothing to read yet; '
                       'its user interaction would be %s once it waits' % (self.execution_id,
                                                                           'dismissed' if absent else 'answered')}

    def answer(self, interaction, result, inputs, raw_inputs, wait, wait_for, poll_interval):
        parameters = self.encode(interaction, inputs, raw_inputs)
        result['parameters'] = mask_parameters(parameters)
        result['changed'] = True
        if self.check_mode:
            result['state'] = 'waiting'
            result['msg'] = "would answer user interaction '%s' of run %s with %d input(s)" % (
                interaction.name, self.execution_id, len(parameters))
            return result
        try:
            self.api.answer_interaction(self.workflow_id, self.execution_id, parameters)
        except AnswerLost as error:
            self._after_lost_answer(error, interaction)
        except ApiError as error:
            if not self._recover(error, interaction):
                result['changed'] = False
                result['msg'] = "user interaction '%s' of run %s was answered by someone else meanwhile" % (
                    interaction.name, self.execution_id)
                self.execution_result(result)
                return result
        result['msg'] = "answered user interaction '%s' of run %s" % (interaction.name, self.execution_id)
        return self.after(interaction, result, wait, wait_for, poll_interval)

    def _still_pending(self, interaction):
        current = self.api.pending_interaction(self.workflow_id, self.execution_id)
        return current is not None and current.pending and (
            not current.id or not interaction.id or current.id == interaction.id)

    def _after_lost_answer(self, lost, interaction):
        """The answer POST may have been applied: read the interaction (``_adopt.adopt``) until it is no longer
        pending; never send the answer again."""
        label = "user interaction '%s' of run %s" % (interaction.name or interaction.id or 'pending', self.execution_id)
        adopt(lost, lambda: [] if self._still_pending(interaction) else [interaction],
              adoption_window(self.client.timeout), 'answer', ident=lambda i: i.id,
              describe=lambda i: label, missing='%s is still pending' % label, adopted='%s is answered',
              look_at=('the state and logs of run %s (vro_execution_info with execution_id and fetch_logs: true): the run may '
                       'have taken the answer and asked the same question again' % self.execution_id),
              rerun='re-running the task answers whatever interaction is pending then, so check first whether this answer was taken',
              warn=self.warn, fail=OperationError, ids_key='interaction_ids', sleep=self.client.sleep)

    def _recover(self, error, interaction):
        """After a refused POST (400/404/409): False when someone else answered meanwhile; else re-raise."""
        if error.status not in (400, 404, 409) or self._still_pending(interaction):
            raise error
        return False

    def dismiss(self, interaction, result, wait, wait_for, poll_interval):
        result['changed'] = True
        if self.check_mode:
            result['state'] = 'waiting'
            result['msg'] = "would dismiss user interaction '%s' of run %s" % (interaction.name, self.execution_id)
            return result
        if not self.api.dismiss_interaction(self.workflow_id, self.execution_id):
            result['changed'] = False
            result['msg'] = 'run %s has no pending user interaction (already answered or dismissed)' % self.execution_id
            self.execution_result(result)
            return result
        result['msg'] = "dismissed user interaction '%s' of run %s" % (interaction.name, self.execution_id)
        return self.after(interaction, result, wait, wait_for, poll_interval)

    def after(self, interaction, result, wait, wait_for, poll_interval):
        """Wait (when asked) for the run's next state, then report the run with decoded outputs."""
        wait_for = [s.lower() for s in wait_for or []]
        if wait or wait_for:
            targets = set(wait_for) | TERMINAL_STATES if wait_for else NEXT_STATES
            seen_other = []

            def fetch():
                state = self.api.state(self.workflow_id, self.execution_id)
                pending = None
                if state == 'waiting':
                    pending = self.api.pending_interaction(self.workflow_id, self.execution_id)
                return state, pending

            def done(observation):
                state, pending = observation
                if state != 'waiting':
                    seen_other.append(state)
                if state not in targets:
                    return False
                if state == 'waiting':
                    # Still the question we answered: the server has not moved the run on yet.
                    if pending is None or not pending.pending:
                        return False
                    if pending.id and interaction.id:
                        return pending.id != interaction.id or bool(seen_other)
                    return bool(seen_other)
                return True

            waiter = self.waiter()
            try:
                waiter.wait(fetch, done, first_delay=poll_interval)
            except WaitTimeout as timeout:
                # The answer was sent: say so, with the state last seen, instead of a bare timeout.
                last = timeout.last[0] if timeout.last else None
                result.update(state=last, polls=timeout.polls)
                raise OperationError('%s, but run %s was still %s after %.0fs of waiting for %s; look at it with '
                                     'vro_execution_info' % (result['msg'], self.execution_id, last or 'unreadable',
                                                             timeout.elapsed, ' or '.join(sorted(targets))), **result)
            result['polls'] = waiter.polls
        run = self.execution_result(result)
        if wait_for and run.state not in wait_for:
            raise OperationError('run %s ended %s, not %s%s' % (
                self.execution_id, run.state, ' or '.join(wait_for),
                ': %s' % run.content_exception if run.content_exception else ''), **result)
        return result


def run(module):
    """The vro_interaction operation (see the module docs): reads the options once."""
    p = module.params
    workflow_id, execution_id = p['workflow_id'], p['execution_id']
    if p['execution_url']:
        # Only the ids are read from the URL: every request goes to the configured url.
        workflow_id, execution_id = parse_execution_url(p['execution_url'])
    answer = InteractionRun(InteractionApi(module.client()), execution_id, check_mode=module.check_mode, warn=module.warn,
                            add_secret=module.add_secret, waiter=module.waiter)
    return answer(workflow_id, p['workflow_name'], p['category'], absent=p['state'] == 'absent',
                  answers=lambda: inputs_with_secrets(module, p['inputs'] or {}), raw_inputs=p['raw_inputs'],
                  wait=p['wait'], wait_for=state_options(p['wait_for']), poll_interval=p['poll_interval'])
