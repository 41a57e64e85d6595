# -*- coding: utf-8 -*-
# Copyright (c) cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What vro_task does: find a scheduled task by name, then create, update, recreate, delete or leave it.

Internal use only. ``run(module)`` reads the options once; :class:`TaskRun` works over a ``VroApi`` with explicit
arguments. The WsTask nouns (views, differences, bodies, the 50-task limit) are in ``task_model.py``, the ``/tasks``
calls in ``task_api.py`` (``ScheduledTasks``).
"""

from __future__ import annotations

import datetime

from ansible_collections.cloudops.orchestrator.plugins.module_utils._adopt import adopt, adoption_window
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._inputs import inputs_with_secrets
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import format_date, parse_date
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import VroApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.inputs import secure_values
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.encode import encode_parameters
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import same_user
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_api import ScheduledTasks
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_model import (
    TASK_LIMIT, DesiredTask, desired_view, inputs_reset, kept_parameters, limit_error, mentions_limit, removed_but_kept,
    task_body, task_differences, task_view,
)


# -- vro_task -------------------------------------------------------------------------------------------------

class TaskRun(object):
    """One vro_task invocation: find the task by name, then create, update, recreate, delete or leave it."""

    def __init__(self, api, name, user=None, check_mode=False, warn=None, add_secret=None):
        """``user``: the user tasks are created as, when known (adoption only keeps tasks it owns); ``warn`` and
        ``add_secret`` (callables) report warnings and mask SecureString values."""
        self.api = api
        self.client = api.client
        self.service = ScheduledTasks(api.client)
        self.name = name
        self.user = user
        self.check_mode = check_mode
        self.warn = warn or (lambda msg: None)
        self.add_secret = add_secret or (lambda value: None)

    def __call__(self, present=True, workflow_id=None, workflow_name=None, category=None, recurrence=None, start_mode=None,
                 description=None, inputs=None, raw_inputs=None):
        """Make the task ``present`` (as described) or absent. ``inputs`` None: the inputs are not managed."""
        tasks = self.service.list()
        existing = self.service.find(self.name, tasks)
        if len(existing) > 1:
            raise OperationError("task name '%s' is ambiguous: %d scheduled tasks have it: %s; delete the extra ones "
                                 "by hand or rename them" % (self.name, len(existing), ', '.join(
                                     '%s (workflow %s, %s)' % (t.id, t.workflow_id, t.state) for t in existing)),
                                 task_ids=[t.id for t in existing])
        current = existing[0] if existing else None
        if not present:
            return self.absent(current)
        desired = self.desired(workflow_id, workflow_name, category, recurrence, start_mode, description, inputs,
                               raw_inputs)
        return self.present(current, desired, tasks)

    def absent(self, current):
        if current is None:
            return {'changed': False, 'msg': "no scheduled task named '%s'" % self.name, 'task': None,
                    'diff': {'before': {}, 'after': {}}}
        result = {'changed': True, 'diff': {'before': task_view(current), 'after': {}},
                  'task': current.to_result(), 'msg': "deleted scheduled task '%s' (%s)" % (current.name, current.id)}
        if self.check_mode:
            result['msg'] = 'would have ' + result['msg']
            return result
        if not self.service.delete(current.id):
            result.update(changed=False, msg="scheduled task '%s' was already gone" % current.name)
        return result

    def desired(self, workflow_id, workflow_name, category, recurrence, start_mode, description, inputs, raw_inputs):
        definition = self.api.resolve_workflow(workflow_id, workflow_name, category)
        parameters = None
        if inputs is not None:
            parameters = encode_parameters(definition.input_parameters, inputs, definition.name or definition.id,
                                           raw_inputs=raw_inputs)
            for secret in secure_values(parameters):
                self.add_secret(secret)
        return DesiredTask(self.name, definition.id, definition.name, recurrence, start_mode, description, parameters)

    def present(self, current, desired, tasks):
        now = self.api.server_now()
        after = desired_view(current, desired, now=format_date(datetime.datetime.fromtimestamp(now, datetime.timezone.utc)))
        if current is None:
            result = self.create(desired, after, tasks)
            self.timing(desired, after, now, result, created=True)
            return result
        result = self.changed(current, desired, after, tasks)
        if result.get('recreated') or any(d.startswith(('recurrence', 'start_mode')) for d in result['differences']):
            self.timing(desired, after, now, result, created=False)
        return result

    def timing(self, desired, after, now, result, created):
        """Say when a created or changed task runs. Created without a start (no ``recurrence``, or one without
        ``start``): it runs at once (``runs_at_once`` and the message say so). A one-time task whose start the user
        set in the past, in ``normal`` mode: vRO keeps it but never runs it, so a warning says what to do."""
        recurrence = after['recurrence']
        given = desired.recurrence['start'] if desired.recurrence is not None else None
        start = parse_date(recurrence['start'])
        past = given is not None and start is not None and start.timestamp() < now
        at_once = created and given is None or past and after['start_mode'] == 'start-in-the-past'
        if created:
            result['runs_at_once'] = bool(at_once)
            if given is None:
                result['msg'] += '; it has no recurrence start, so it runs once, now (set recurrence.start to schedule it)'
        if past and recurrence['cycle'] == 'one-time' and after['start_mode'] != 'start-in-the-past':
            self.warn("scheduled task '%s' is one-time and its start %s is already past (server time %s): vRO %s it but "
                      'never runs it; set recurrence.start in the future, or start_mode: start-in-the-past to run it once '
                      'now' % (desired.name, recurrence['start'], format_date(datetime.datetime.fromtimestamp(
                          now, datetime.timezone.utc)), 'would keep' if self.check_mode else 'keeps'))

    def changed(self, current, desired, after, tasks):
        differences = task_differences(current, desired)
        result = {'changed': bool(differences), 'differences': differences, 'task': current.to_result(),
                  'diff': {'before': task_view(current), 'after': after}}
        if not differences:
            result['msg'] = "scheduled task '%s' is up to date" % current.name
            return result
        if 'workflow_id' in differences:
            return self.recreate(current, desired, after, tasks, result)
        result['msg'] = "updated scheduled task '%s': %s" % (current.name, ', '.join(differences))
        if self.check_mode:
            result['msg'] = 'would have ' + result['msg']
            return result
        # The spec does not say whether an update merges its body into the task or replaces the task with it: the
        # body holds the whole task, the current inputs too when the user leaves them unmanaged.
        parameters = desired.parameters if desired.parameters is not None else kept_parameters(current)
        body = task_body(after, parameters, task_id=current.id, current=current)
        body['workflow'] = {'id': current.workflow_id}
        nulls = [key for key in ('recurrence-end-date', 'recurrence-pattern') if key in body and body[key] is None]
        try:
            updated = self.service.update(current.id, body)
        except AnswerLost as lost:
            updated = self._adopt_update(lost, current, desired)
        except ApiError as error:
            if error.status != 400 or not nulls:
                raise
            # A 400 applied nothing. A server strict to the 8.18 spec refuses null (WsTask allows none): the update
            # is sent without those fields, which removes them on a server that replaces the task with the body.
            for key in nulls:
                del body[key]
            try:
                updated = self.service.update(current.id, body)
            except AnswerLost as lost:
                updated = self._adopt_update(lost, current, desired, merged=True)
        if updated is not None and parameters is None and inputs_reset(current, updated):
            # The update left out inputs it could not send back (SecureString values are not shown), and this server
            # replaced the task with the body: the inputs are gone. Never silent: the user must give them again.
            raise OperationError("updated scheduled task '%s' (%s), but the server reset its inputs %s (it replaces a task "
                                 'with the update, and SecureString inputs cannot be sent back as they are not shown): '
                                 'run again with inputs (secret_inputs for the secret ones) to set them' % (
                                     current.name, current.id, ', '.join(inputs_reset(current, updated))),
                                 changed=True, task=updated.to_result())
        if updated is not None and removed_but_kept(updated, desired):
            # This server keeps an end date or pattern that an update leaves out or sets to null (the 7.x guide: an
            # update only adds or changes scheduling properties; replacing them takes a new task).
            return self.recreate(current, desired, after, tasks, result, kept=updated, parameters=parameters)
        if updated is not None:
            result['task'] = updated.to_result()
        return result

    def _adopt_update(self, lost, current, desired, merged=False):
        """An update (``POST /tasks/{id}``) whose answer was lost is never sent again: the task is read back
        (``_adopt.adopt``) until it shows the change (nothing left to update); none in the adoption window is a one-line
        failure saying the update may or may not have been applied. ``merged``: the update left out the end date or
        pattern it removes, so a task showing every other change, still with those, shows it too (the caller then
        recreates the task, which gives the asked state whether or not the update was applied)."""
        label = "scheduled task '%s' (%s)" % (current.name, current.id)

        def shows(task):
            left = task_differences(task, desired)
            return not left or merged and set(left) <= set(removed_but_kept(task, desired))

        def find():
            task = self.service.get(current.id)
            return [task] if task is not None and shows(task) else []

        return adopt(lost, find, adoption_window(self.client.timeout), 'update', ident=lambda t: t.id,
                     describe=lambda t: label, missing='%s does not show the change' % label,
                     adopted='adopted the update: %s shows the change', look_at='%s (vro_task_info with task_id)' % label,
                     rerun='re-running the task is safe: it compares the task with what is asked and updates only what differs',
                     warn=self.warn, fail=OperationError, ids_key='task_ids', sleep=self.client.sleep)

    def _create(self, desired, after, tasks, parameters=None):
        """POST the new task; a full service raises the limit error; a lost answer adopts the task it made.

        A POST whose answer was lost is never sent again (``_adopt.adopt``): the task the server named before the
        answer was cut short, else the one new task with this name, workflow, settings and inputs, owned by this
        user, is adopted; several are listed; none within the adoption window is a one-line failure.
        """
        if parameters is None:
            parameters = desired.parameters if desired.parameters is not None else []
        body = task_body(after, parameters)
        known = set(t.id for t in tasks)
        try:
            return self.service.create(body)
        except AnswerLost as error:
            lost = error
        except ApiError as error:
            if error.status == 400 and (len(tasks) >= TASK_LIMIT or mentions_limit(error)):
                raise limit_error(desired.name, self.service.list(), error)
            raise
        user = self.user

        def find():
            if lost.created_id:
                made = self.service.get(lost.created_id)
                return [made] if made is not None else []
            # Only tasks that were not there before the POST, named and set up as asked, owned by this user. SecureString
            # inputs are not compared (servers need not echo them): the other fields must tell the task apart.
            return [t for t in self.service.find(desired.name) if t.id not in known
                    and (not user or not t.user or same_user(t.user, user)) and not task_differences(t, desired)]

        return adopt(lost, find, adoption_window(self.client.timeout), 'scheduled task',
                     look_at="the scheduled tasks named '%s' (vro_task_info with name)" % desired.name,
                     rerun='re-running the task is safe: its lookup by name adopts the task if the create was applied',
                     ident=lambda t: t.id, describe=lambda t: '%s (%s)' % (t.id, t.state), warn=self.warn,
                     fail=OperationError, ids_key='task_ids', sleep=self.client.sleep)

    def create(self, desired, after, tasks):
        result = {'changed': True, 'differences': ['created'], 'diff': {'before': {}, 'after': after},
                  'msg': "created scheduled task '%s' for workflow '%s'" % (desired.name, desired.workflow_name)}
        if self.check_mode:
            if len(tasks) >= TASK_LIMIT:
                # Predicted: the server would refuse the POST.
                raise limit_error(desired.name, tasks)
            result['msg'] = 'would have ' + result['msg']
            result['task'] = None
            return result
        created = self._create(desired, after, tasks)
        result['task'] = created.to_result() if created is not None else None
        return result

    def recreate(self, current, desired, after, tasks, result, kept=None, parameters=None):
        """A new workflow needs a new task (the API refuses to change it): create the new one, then delete the old.

        ``kept``: the task as updated, still with an end date or pattern the server would not remove; the task is
        created again as asked (``parameters``: the inputs it keeps) and the old one deleted. With the service full,
        the old task is deleted first to make room.
        """
        if kept is not None:
            reason = ("the server kept the %s of scheduled task '%s' (%s) that the update removes: the task is deleted "
                      'and created again without it (a new id; its past runs stay with the old one)' % (
                          ' and '.join(f.split('.')[1].replace('end', 'end date') for f in removed_but_kept(kept, desired)),
                          current.name, current.id))
        else:
            reason = ("the workflow of scheduled task '%s' changes from %s to %s, which vRO cannot update: the task is "
                      'deleted and created again' % (current.name, current.workflow_id, desired.workflow_id))
        if kept is not None and parameters is None:
            raise OperationError("updated scheduled task '%s' (%s), but the server kept the end date or pattern the update "
                                 'removes, and creating the task again without them would lose its SecureString inputs, '
                                 'which the server does not show: give inputs (with secret_inputs) and run again, or '
                                 'delete the task (state: absent) and create it again' % (current.name, current.id),
                                 changed=True, task=kept.to_result())
        result['recreated'] = True
        result['msg'] = "recreated scheduled task '%s': %s" % (current.name, reason)
        self.warn(reason)
        if desired.parameters is None and kept is None:
            # The old inputs belong to the old workflow: they do not carry over.
            after['inputs'] = {}
            result['diff']['after'] = after
        if self.check_mode:
            result['msg'] = 'would have ' + result['msg']
            return result
        if len(tasks) >= TASK_LIMIT:
            self.service.delete(current.id)
            try:
                created = self._create(desired, after, [t for t in tasks if t.id != current.id], parameters)
            except (ApiError, OperationError) as error:
                # The old task is gone already: hand back everything needed to restore it.
                raise OperationError("scheduled task '%s' (%s) was deleted to make room for the task that replaces it, but "
                                     'creating the new task failed: %s; the deleted task is in deleted_task' % (
                                         current.name, current.id, error), deleted_task=current.to_result(),
                                     **(error.result if isinstance(error, OperationError) else {'error': error.to_result()}))
        else:
            created = self._create(desired, after, tasks, parameters)
            self._delete_replaced(current, created)
        result['task'] = created.to_result() if created is not None else None
        result['previous_task_id'] = current.id
        return result

    def _delete_replaced(self, current, created):
        """Delete the task a recreate replaced. A failure (a lost answer included, when the old task is still there: a
        DELETE is never sent again) never passes silently: both tasks may now run the same schedule, so it names them."""
        try:
            self.service.delete(current.id)
        except (ApiError, OperationError) as error:
            new = created.id if created is not None else None
            raise OperationError("created scheduled task '%s' (%s) to replace task %s, but deleting the old task failed, so it "
                                 'may still be there and run the same schedule: %s; check task %s (vro_task_info with '
                                 'task_id) and delete it if it is there (a run of vro_task stops while two tasks have this '
                                 'name)' % (current.name, new, current.id, error, current.id), changed=True,
                                 task=created.to_result() if created is not None else None, previous_task_id=current.id,
                                 task_ids=[i for i in (new, current.id) if i],
                                 error=error.to_result() if isinstance(error, ApiError) else error.result.get('error')) from None


def run(module):
    """The vro_task operation (see the module docs): reads the options once."""
    p = module.params
    present = p['state'] != 'absent'
    inputs = None
    if present and (p['inputs'] is not None or p['raw_inputs'] or p.get('secret_inputs')):
        inputs = inputs_with_secrets(module, p['inputs'] or {})
    user = p.get('username') if p.get('auth') != 'token' else None
    manage = TaskRun(VroApi(module.client()), p['name'], user=user, check_mode=module.check_mode, warn=module.warn,
                     add_secret=module.add_secret)
    return manage(present, p['workflow_id'], p['workflow_name'], p['category'], p['recurrence'], p['start_mode'],
                  p['description'], inputs, p['raw_inputs'])
