#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vro_task
short_description: Schedule a vRealize / Aria Orchestrator workflow with a scheduled task
version_added: 0.1.0
description:
  - Ensures that a scheduled task (vRO Task service, C(/tasks)) named O(name) exists for a workflow, with the
    given recurrence, start mode and inputs; or that it does not exist.
  - The workflow the task runs is given by O(workflow_id) or O(workflow_name); with O(state=present), exactly one
    of them is required.
  - B(Idempotent by name.) A missing task is created (C(POST /tasks)). An existing one is updated
    (C(POST /tasks/{id})) only when a field differs, and RV(diff) shows the fields before and after.
  - The API cannot change the workflow of a task. A task that must run another workflow is deleted and created
    again; RV(msg), RV(recreated) and a warning say so. When the service is full, the old task is deleted
    first to make room; otherwise the new one is created first, so that a failure never loses the schedule.
  - vRO supports at most 50 scheduled tasks. Creating one more fails with the count and the tasks that will not
    run again (finished, canceled, error), which are the first to delete; not with a bare HTTP 400.
  - O(inputs) are typed exactly as in M(cloudops.orchestrator.vro_workflow_run), by the workflow's declared inputs.
  - B(Without O(recurrence)) (or without O(recurrence.start)), a new task starts now on the server's clock, so the
    workflow runs once, at once; RV(runs_at_once) and RV(msg) say so. Give O(recurrence.start) to schedule it.
  - A V(one-time) task whose O(recurrence.start) is already past is created, but vRO never runs it (in
    V(normal) O(start_mode)), so the module warns, in check mode too. O(start_mode=start-in-the-past) runs it at once.
author:
  - cloudops.orchestrator contributors (@cloudops)
extends_documentation_fragment:
  - cloudops.orchestrator.connection.vro
  - cloudops.orchestrator.vro_options.workflow_selector
  - cloudops.orchestrator.vro_options.secret_inputs
  - cloudops.orchestrator.attributes
  - cloudops.orchestrator.attributes.vro_group
attributes:
  check_mode:
    support: full
    details:
      - Reads the tasks and the workflow and encodes O(inputs); predicts RV(changed) and RV(diff), and the
        50-task limit error, without sending anything that changes the server.
  diff_mode:
    support: full
    details: RV(diff) holds the compared fields before and after, inputs decoded, SecureString values masked.
options:
  name:
    description:
      - The task name, which identifies the task. When several tasks have it, the module fails and lists them.
    type: str
    required: true
  state:
    description:
      - V(present) ensures the task exists as described; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  recurrence:
    description:
      - When the task runs. When given, it is managed as a whole (but for a O(recurrence.pattern) left out, which is
        kept); left out, the recurrence of an existing task is kept, and a new task runs once, now.
    type: dict
    suboptions:
      cycle:
        description:
          - How often the task runs.
        type: str
        choices: [one-time, every-minutes, every-hours, every-days, every-weeks, every-months]
        default: one-time
      start:
        description:
          - The first run (C(recurrence-start-date)), as ISO 8601 (C(2026-03-01T02:00:00Z)); without a zone, UTC.
          - Left out, an existing task keeps its start and a new task starts now (on the server's clock).
        type: str
      end:
        description:
          - When the recurrence ends (C(recurrence-end-date)), as O(recurrence.start). Left out means no end.
        type: str
      pattern:
        description:
          - The vRO recurrence pattern (C(recurrence-pattern)), passed as it is.
          - Left out, the task keeps the pattern it has (tasks made in the vRO client carry one, and a server may derive
            one from the start), and a new task gets none from the module. V('') removes the pattern.
        type: str
  start_mode:
    description:
      - V(normal) runs the task at its next occurrence; V(start-in-the-past) also runs it at once when its start
        is already past.
      - Left out, an existing task keeps its start mode and a new task gets V(normal).
    type: str
    choices: [normal, start-in-the-past]
  description:
    description:
      - The task description. Left out, an existing task keeps its description.
    type: str
  inputs:
    description:
      - The inputs the workflow is run with, as a mapping of input name to plain value, typed by the workflow's
        declared inputs with the rules of O(cloudops.orchestrator.vro_workflow_run#module:inputs). Unknown names
        and bad values fail before anything is sent.
      - Left out, an existing task keeps its inputs and a new task has none. V({}) means no inputs.
      - Inputs are compared after encoding, so C(20) equals C(20.0) and dates compare in UTC.
      - SecureString values are never compared, because vRO need not return them. To change only a secret,
        delete the task and create it again (O(state=absent), then O(state=present)).
    type: dict
  raw_inputs:
    description:
      - Inputs sent verbatim, in vRO's JSON form, for types that cannot be given as plain YAML; as
        O(cloudops.orchestrator.vro_workflow_run#module:raw_inputs).
    type: list
    elements: dict
notes:
  - Tasks are found with C(GET /tasks) and read with C(GET /tasks/{id}); the service holds at most 50 tasks.
  - Dates are compared as instants, so C(2026-03-01T03:00:00+01:00) equals C(2026-03-01T02:00:00Z).
  - The vRO API does not say whether an update replaces the task with its body or merges the body into it, so an
    update sends the whole task, the current inputs too when O(inputs) is left out (not when the task has
    SecureString or EncryptedString inputs, whose values vRO need not return). When a server that replaces the task
    then shows those inputs reset, the task fails naming them (the update was applied); give them again, the secret
    ones with O(secret_inputs).
  - Removing an end date (O(recurrence) without O(recurrence.end)) or a pattern (O(recurrence.pattern) set to V(''))
    sends them as null; a server that refuses null (HTTP 400, nothing applied) gets the update again without them.
    A server that still keeps them (the 7.x guide says an update only adds or changes scheduling properties) gets the
    task deleted and created again without them, with a new id; RV(msg), RV(recreated) and a warning say so, and its
    past runs stay listed under the old id.
seealso:
  - module: cloudops.orchestrator.vro_task_info
  - module: cloudops.orchestrator.vro_workflow_run
'''

EXAMPLES = r'''
- name: Run the nightly clean-up every day at 02:00 UTC
  cloudops.orchestrator.vro_task:
    url: https://vro.example.com
    username: vcoadmin
    password: "{{ vro_password }}"
    name: nightly clean-up
    workflow_name: Clean up snapshots
    category: Maintenance
    recurrence:
      cycle: every-days
      start: "2026-03-01T02:00:00Z"
    inputs:
      olderThanDays: 7
      dryRun: false

- name: Run a workflow once, at a given time
  cloudops.orchestrator.vro_task:
    name: deploy web03 tonight
    workflow_id: 3a0ab069-cf2f-47e0-96f5-4a8920a5dc51
    recurrence:
      cycle: one-time
      start: "2026-03-01T22:30:00Z"
    inputs:
      name: web03

- name: Every hour until the end of March, starting now if the start is past
  cloudops.orchestrator.vro_task:
    name: hourly report
    workflow_name: Report
    recurrence:
      cycle: every-hours
      start: "2026-03-01T00:00:00Z"
      end: "2026-03-31T23:59:59Z"
    start_mode: start-in-the-past

- name: Preview the change to a task's inputs
  cloudops.orchestrator.vro_task:
    name: nightly clean-up
    workflow_name: Clean up snapshots
    category: Maintenance
    inputs:
      olderThanDays: 14
      dryRun: false
  check_mode: true
  diff: true
  register: preview

- name: Delete a task (nothing happens when it does not exist)
  cloudops.orchestrator.vro_task:
    name: deploy web03 tonight
    state: absent
'''

RETURN = r'''
changed:
  description: True when the task was created, updated, recreated or deleted (or would be, in check mode).
  returned: always
  type: bool
msg:
  description: What was done, or that the task is up to date.
  returned: always
  type: str
  sample: "updated scheduled task 'nightly clean-up': inputs"
task:
  description: The task as the server holds it after the change (before it, in check mode); null when there is none.
  returned: always
  type: dict
  contains:
    # shared:scheduled_task (written by tools/shared_returns.py; edit it there)
    id:
      description: The task id.
      type: str
    name:
      description: The task name.
      type: str
    state:
      description: C(pending), C(running), C(finished), C(canceled), C(error), C(suspended) or C(unknown).
      type: str
    workflow_id:
      description: The id of the workflow it runs.
      type: str
    workflow_name:
      description: The name of the workflow it runs.
      type: str
    recurrence:
      description: C(cycle), C(start), C(end) and C(pattern); dates as ISO 8601 in UTC.
      type: dict
      sample: {"cycle": "every-days", "start": "2026-03-01T02:00:00.000Z", "end": null, "pattern": null}
    start_mode:
      description: C(normal) or C(start-in-the-past).
      type: str
    description:
      description: The task description.
      type: str
    user:
      description: The user the task runs as.
      type: str
    inputs:
      description: The inputs, decoded to plain values, SecureString values masked.
      type: dict
    running_instance_id:
      description: The id of the task's latest run, when the server says.
      type: str
    href:
      description: The task's API URL.
      type: str
    # end shared:scheduled_task
differences:
  description:
    - The fields that differed, for example C(recurrence.start), C(inputs), C(workflow_id), or C(created).
  returned: with O(state=present)
  type: list
  elements: str
runs_at_once:
  description:
    - True when the new task runs at once rather than at a later start - created without O(recurrence.start) (it
      starts now), or with O(start_mode=start-in-the-past) and a start already past; false when it waits for its start
      (or, one-time with a past start in V(normal) mode, never runs, as the warning says).
  returned: when a task is created (or would be, in check mode)
  type: bool
  sample: true
recreated:
  description: True when the task was deleted and created again, for a new workflow or to remove an end date or
    pattern that the server keeps on update.
  returned: when it was
  type: bool
previous_task_id:
  description: The id of the task deleted by a recreation.
  returned: when a task was recreated (not in check mode)
  type: str
diff:
  description:
    - The compared fields before and after (C(name), C(workflow_id), C(recurrence), C(start_mode),
      C(description), C(inputs)); C({}) for a missing task.
  returned: always
  type: dict
  sample: {"before": {"inputs": {"olderThanDays": 7}}, "after": {"inputs": {"olderThanDays": 14}}}
task_count:
  description: How many tasks existed when the 50-task limit refused a new one.
  returned: on the limit failure
  type: int
spent_tasks:
  description: The tasks that will not run again (C(id), C(name), C(state)), the first candidates to delete.
  returned: on the limit failure
  type: list
  elements: dict
deleted_task:
  description:
    - The task deleted to make room for its recreation when creating the new one then failed, as in RV(task),
      so that it can be restored.
  returned: on that failure
  type: dict
# shared:error (written by tools/shared_returns.py; edit it there)
error:
  description:
    - The structured error of the request that failed, when the task failed on an API call or could not recover
      a lost answer. C(msg) says the same in one line.
    - Never holds credentials. URLs are shown without user information or secret-looking query values.
  returned: when the task failed on a request
  type: dict
  contains:
    kind:
      description:
        - What went wrong. V(http) an HTTP error status, V(connection) no connection or a connection dropped,
          V(timeout) no answer in time, V(tls) a certificate or TLS failure, V(auth) a failed log-in,
          V(json) an answer that is not the JSON the API sends, V(html) an HTML page instead of the API (usually
          a proxy or a log-in page), V(validation) a value refused before sending, V(config) a missing or wrong
          connection setting, V(paging) a list that never ends, V(size) an answer larger than the collection reads
          of one answer (64 MiB; 256 MiB for ICO's unpaged task list), V(shape) a JSON answer of the wrong shape,
          V(origin) a server URL on another origin (not followed), V(redirect) an HTTP 3xx (not followed).
      type: str
      sample: http
    status:
      description: The HTTP status of the answer; null when no answer came.
      type: int
      sample: 404
    method:
      description: The HTTP method of the request.
      type: str
      sample: GET
    url:
      description: The URL of the request.
      type: str
      sample: https://vro.example.com/vco/api/workflows/5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002
    message:
      description: What happened.
      type: str
    server_message:
      description: The server's own error message, read from the answer's body; null when it had none.
      type: str
    attempts:
      description: How many times the request was sent, retries included.
      type: int
      sample: 1
    body_excerpt:
      description: The start of the answer's body, when the module could not read an error message from it.
      returned: when the body had no readable error message
      type: str
    hint:
      description: What to check next, for failures with a usual cause.
      returned: when the failure has a usual cause
      type: str
    details:
      description:
        - More from the server's body, its keys in snake_case (C(error_code), C(remediation_message),
          C(reference_token), C(causes)).
        - When the answer to a request that changes something was lost, C(sent=true) and what is known of its
          effect (C(status), C(location), C(id)).
      returned: when known
      type: dict
# end shared:error
'''

from ansible_collections.cloudops.orchestrator.plugins.module_utils import _compile_once  # noqa: F401 pylint: disable=unused-import  # first: see its docstring
from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import SECRET_INPUTS_SPEC, OrchestratorModule, workflow_selector
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro import task
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_model import CYCLES, START_MODES


def main():
    module = OrchestratorModule(
        product='vro',
        argument_spec=dict(
            name=dict(type='str', required=True),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            recurrence=dict(type='dict', options=dict(
                cycle=dict(type='str', default='one-time', choices=list(CYCLES)),
                start=dict(type='str'),
                end=dict(type='str'),
                pattern=dict(type='str'),
            )),
            start_mode=dict(type='str', choices=list(START_MODES)),
            description=dict(type='str'),
            inputs=dict(type='dict'),
            raw_inputs=dict(type='list', elements='dict'),
            secret_inputs=SECRET_INPUTS_SPEC,
        ),
        required_if=[('state', 'present', ('workflow_id', 'workflow_name'), True)],
        selector=workflow_selector(),
        supports_check_mode=True,
    )
    module.run(task.run)


if __name__ == '__main__':
    main()
