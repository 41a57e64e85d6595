# -*- coding: utf-8 -*-
# Copyright (c) cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vRO user interactions: read, answer and dismiss the pending interaction of a waiting run. Internal use only.

A run in state ``waiting`` has one pending interaction at ``.../executions/{id}/interaction``
(a WsUserInteraction: ``id, name, state (waiting|finished), input-parameters, assignees, timeout-date``).
Answers are typed by the interaction's own ``input-parameters`` with the encoder of ``_vro_types``.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._adopt import adopt, adoption_window
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import OBJECT, items_problem
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import vro_attributes, vro_links
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, OperationError, WaitTimeout
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import path_segment
from ansible_collections.cloudops.orchestrator.plugins.module_utils._inputs import inputs_with_secrets
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import TERMINAL_STATES, VroApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import parameters_problem
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import decode_date, mask_parameters, parameter_list, secure_values
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.encode import encode_parameters

# Where a run rests after an answer when the user names no state: the end, or its next question.
NEXT_STATES = frozenset(TERMINAL_STATES | {'waiting', 'waiting-signal', 'suspended'})


def _q(value):
    """One id as a URL path segment (quoted; refused when it could leave its segment)."""
    return path_segment(value)


def _list(value):
    """A list from a plain list or an XML-born wrapper such as ``{"assignee": [...]}``."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for inner in value.values():
            if isinstance(inner, list):
                return inner
    return [] if value in (None, '') else [value]


# The parts of an interaction body that are parsed as text or lists (see parameters_problem for its inputs).
INTERACTION_FIELDS = {'id': str, 'name': str, 'href': str, 'state': str, 'timeout-date': (str, int, float),
                      'timeoutDate': (str, int, float), 'input-parameters': (list, dict), 'inputParameters': (list, dict)}
INTERACTION_LIST_FIELDS = {'link': list, 'interactions': list, 'user-interactions': list, 'items': list}
MAYBE_OBJECT = (dict, type(None))


def _items_problem(body):
    """The first interaction of a list answer (a plain list, or under interactions/items) that cannot be read."""
    if isinstance(body, list):
        items, where = body, 'a list whose item'
    else:
        key = next((k for k in ('interactions', 'user-interactions', 'items') if body.get(k)), None)
        if key is None:
            return None
        items, where = body[key], 'an object whose %s' % key
    found = items_problem(items, OBJECT, where, INTERACTION_FIELDS)
    for index, item in enumerate(items):
        found = found or parameters_problem(item, '%s[%d].' % (where, index))
    return found


class UserInteraction(object):
    """A user interaction, from a WsUserInteraction body or from a list entry (its link attributes)."""

    def __init__(self, data=None, attributes=None):
        data = data or {}
        attrs = attributes or {}
        self.raw = data
        self.attributes = attrs
        self.id = data.get('id') or attrs.get('id')
        self.name = data.get('name') or attrs.get('name')
        self.href = data.get('href')
        self.state = (data.get('state') or attrs.get('state') or '').lower() or None
        self.input_parameters = parameter_list(data, 'input')
        self.assignees = [str(a) for a in _list(data.get('assignees'))]
        self.user_assignees = [str(a) for a in _list(data.get('user-assignees'))]
        self.group_assignees = [str(a) for a in _list(data.get('group-assignees'))]
        self.timeout_date = decode_date(data.get('timeout-date') or data.get('timeoutDate') or attrs.get('timeoutDate'))
        self.execution_id = attrs.get('executionId') or attrs.get('workflowExecutionId') or attrs.get('execution-id')

    @classmethod
    def from_link(cls, link):
        attrs = vro_attributes(link)
        interaction = cls({'href': link.get('href')}, attrs)
        return interaction

    @property
    def pending(self):
        return self.state in (None, 'waiting')

    def to_result(self):
        result = {
            'id': self.id,
            'name': self.name,
            'state': self.state,
            'href': self.href,
            'input_parameters': [{'name': p.get('name'), 'type': p.get('type'), 'description': p.get('description')}
                                 for p in self.input_parameters],
            'assignees': self.assignees,
            'user_assignees': self.user_assignees,
            'group_assignees': self.group_assignees,
            'timeout_date': self.timeout_date,
        }
        if self.execution_id:
            result['execution_id'] = self.execution_id
        if self.attributes:
            result['attributes'] = self.attributes
        return result


def workflow_interactions(client, workflow_id):
    """``GET /workflows/{id}/interactions``: the workflow's user interactions (list entries, or full bodies)."""
    body = client.get('/workflows/%s/interactions' % _q(workflow_id), shape=(dict, list, type(None)),
                      fields=INTERACTION_LIST_FIELDS, inner=_items_problem) or {}
    if isinstance(body, list):
        return [UserInteraction(item) for item in body]
    links, _total = vro_links(body)
    if links:
        return [UserInteraction.from_link(link) for link in links]
    items = body.get('interactions') or body.get('user-interactions') or body.get('items') or []
    return [UserInteraction(item) for item in items if isinstance(item, dict)]


def workflow_of_pending_run(client, execution_id):
    """The workflow id of a run that waits on an interaction, from ``GET /interactions`` (8.x); None when not listed.

    7.x has no ``/interactions``: its 404 means the workflow must be given.
    """
    try:
        body = client.get('/interactions', shape=MAYBE_OBJECT) or {}
    except ApiError as error:
        if error.status in (404, 405):
            raise OperationError('this vRO server has no GET /interactions (vRO 7.x): give workflow_id or workflow_name '
                                 'with execution_id', error=error.to_result())
        raise
    links, _total = vro_links(body)
    for link in links:
        attrs = vro_attributes(link)
        if attrs.get('executionId') == execution_id or attrs.get('workflowExecutionId') == execution_id:
            if attrs.get('workflowId'):
                return attrs['workflowId']
            href = link.get('href') or ''
            if '/workflows/' in href:
                return href.split('/workflows/', 1)[1].split('/', 1)[0]
    return None


def interaction_path(workflow_id, execution_id):
    return '/workflows/%s/executions/%s/interaction' % (_q(workflow_id), _q(execution_id))


def pending_interaction(client, workflow_id, execution_id):
    """The interaction a run waits on, or None (a 404 means there is none)."""
    try:
        data = client.get(interaction_path(workflow_id, execution_id), shape=MAYBE_OBJECT, fields=INTERACTION_FIELDS,
                          inner=parameters_problem)
    except ApiError as error:
        if error.status == 404:
            return None
        raise
    return UserInteraction(data) if isinstance(data, dict) else None


def answer(client, workflow_id, execution_id, parameters):
    """``POST .../interaction`` with an execution-context holding the answers (204 expected)."""
    client.request('POST', interaction_path(workflow_id, execution_id), json={'parameters': parameters},
                   expected=(200, 202, 204))


def dismiss(client, workflow_id, execution_id):
    """``DELETE .../interaction``; returns False when there was nothing to delete (404)."""
    try:
        client.request('DELETE', interaction_path(workflow_id, execution_id), expected=(200, 202, 204))
    except ApiError as error:
        if error.status == 404:
            return False
        raise
    return True


# -- vro_interaction ---------------------------------------------------------------------------------------

def _run_not_found(error, workflow_id, execution_id):
    return OperationError("run '%s' of workflow '%s' not found, or this user may not read it (HTTP %s); check "
                          'execution_id and the workflow' % (execution_id, workflow_id, error.status),
                          error=error.to_result())


class InteractionRun(object):
    """One vro_interaction task: look at the run, answer or dismiss its interaction, wait for the next state."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.client = module.client()
        self.api = VroApi(self.client)
        self.workflow_id = None
        self.execution_id = self.params['execution_id']

    def resolve_workflow_id(self):
        """The run's workflow id: given, by name, or else from the pending interactions list (None when not listed)."""
        p = self.params
        if p['workflow_id']:
            return p['workflow_id']
        if p['workflow_name']:
            return self.api.lookup_workflow(p['workflow_name'], p['category']).id
        return workflow_of_pending_run(self.client, self.execution_id)

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

    def encode(self, interaction):
        p = self.params
        label = interaction.name or interaction.id or 'pending'
        parameters = encode_parameters(interaction.input_parameters, inputs_with_secrets(self.module, p['inputs'] or {}), label,
                                       raw_inputs=p['raw_inputs'], context_kind='user interaction')
        for secret in secure_values(parameters):
            self.module.add_secret(secret)
        return parameters

    def __call__(self):
        p = self.params
        self.workflow_id = self.resolve_workflow_id()
        absent = p['state'] == 'absent'
        result = {'changed': False, 'workflow_id': self.workflow_id, 'execution_id': self.execution_id}
        if self.workflow_id is None:
            result['msg'] = ('run %s has no pending user interaction (GET /interactions does not list it): nothing to '
                             '%s; give workflow_id or workflow_name to read the run itself' % (
                                 self.execution_id, 'dismiss' if absent else 'answer'))
            return result
        before = self.run_state()
        result['previous_state'] = before
        if before != 'waiting':
            verb = 'dismiss' if absent else 'answer'
            result['msg'] = 'run %s is %s, not waiting for a user interaction: nothing to %s' % (
                self.execution_id, before, verb)
            self.execution_result(result)
            return result
        interaction = pending_interaction(self.client, self.workflow_id, self.execution_id)
        if interaction is None or not interaction.pending:
            result['msg'] = 'run %s has no pending user interaction (already answered or dismissed)' % self.execution_id
            if interaction is not None:
                result['interaction'] = interaction.to_result()
            self.execution_result(result)
            return result
        result['interaction'] = interaction.to_result()
        if absent:
            return self.dismiss(interaction, result)
        return self.answer(interaction, result)

    def answer(self, interaction, result):
        parameters = self.encode(interaction)
        result['parameters'] = mask_parameters(parameters)
        result['changed'] = True
        if self.module.check_mode:
            result['state'] = 'waiting'
            result['msg'] = "would answer user interaction '%s' of run %s with %d input(s)" % (
                interaction.name, self.execution_id, len(parameters))
            return result
        try:
            answer(self.client, self.workflow_id, self.execution_id, parameters)
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
        return self.after(interaction, result)

    def _still_pending(self, interaction):
        current = pending_interaction(self.client, self.workflow_id, self.execution_id)
        return current is not None and current.pending and (
            not current.id or not interaction.id or current.id == interaction.id)

    def _after_lost_answer(self, lost, interaction):
        """The answer POST may have been applied: read the interaction (``_adopt.adopt``) until it is no longer
        pending; never send the answer again."""
        label = "user interaction '%s' of run %s" % (interaction.name or interaction.id or 'pending', self.execution_id)
        adopt(lost, lambda: [] if self._still_pending(interaction) else [interaction],
              adoption_window(self.client.timeout), 'answer', ident=lambda i: i.id,
              describe=lambda i: label, missing='%s is still pending' % label, adopted='%s is answered',
              look_at='%s (vro_execution_info, or the vRO client)' % label,
              rerun='re-running the task is safe: it answers only an interaction that is still pending',
              warn=self.module.warn, fail=OperationError, ids_key='interaction_ids', sleep=self.client.sleep)

    def _recover(self, error, interaction):
        """After a refused POST (400/404/409): False when someone else answered meanwhile; else re-raise."""
        if error.status not in (400, 404, 409) or self._still_pending(interaction):
            raise error
        return False

    def dismiss(self, interaction, result):
        result['changed'] = True
        if self.module.check_mode:
            result['state'] = 'waiting'
            result['msg'] = "would dismiss user interaction '%s' of run %s" % (interaction.name, self.execution_id)
            return result
        if not dismiss(self.client, self.workflow_id, self.execution_id):
            result['changed'] = False
            result['msg'] = 'run %s has no pending user interaction (already answered or dismissed)' % self.execution_id
            self.execution_result(result)
            return result
        result['msg'] = "dismissed user interaction '%s' of run %s" % (interaction.name, self.execution_id)
        return self.after(interaction, result)

    def after(self, interaction, result):
        """Wait (when asked) for the run's next state, then report the run with decoded outputs."""
        p = self.params
        wait_for = [s.lower() for s in p['wait_for'] or []]
        if p['wait'] or wait_for:
            targets = set(wait_for) | TERMINAL_STATES if wait_for else NEXT_STATES
            seen_other = []

            def fetch():
                state = self.api.state(self.workflow_id, self.execution_id)
                pending = None
                if state == 'waiting':
                    pending = pending_interaction(self.client, self.workflow_id, self.execution_id)
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

            waiter = self.module.waiter()
            try:
                waiter.wait(fetch, done, first_delay=p['poll_interval'])
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
    """The vro_interaction operation (see the module docs)."""
    return InteractionRun(module)()
