#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vro_task_info
short_description: List vRealize / Aria Orchestrator scheduled tasks, or read one with its recent runs
version_added: 0.1.0
description:
  - Lists the scheduled tasks of the vRO Task service, filtered by name, workflow and state.
  - The workflow filter is O(workflow_id), or O(workflow_name) resolved to its id; only the tasks that run that
    workflow are kept.
  - Reads one task, by O(task_id) or by an exact O(name), with its recent runs (C(GET /tasks/{id}/executions)).
  - Every task comes with its recurrence, start mode and inputs decoded to plain values.
author:
  - cloudops.orchestrator contributors (@cloudops)
extends_documentation_fragment:
  - cloudops.orchestrator.connection.vro
  - cloudops.orchestrator.vro_options.workflow_selector
  - cloudops.orchestrator.attributes
  - cloudops.orchestrator.attributes.info_module
  - cloudops.orchestrator.attributes.vro_group
options:
  task_id:
    description:
      - The id of one task, read with its recent runs. Fails when there is no such task.
    type: str
  name:
    description:
      - Filter, the exact task name. When exactly one task has it, its recent runs are read too.
    type: str
  name_contains:
    description:
      - Filter, text the task name contains, case-insensitive.
    type: str
  state:
    description:
      - Filter, the task states to keep.
    type: list
    elements: str
    choices: [finished, canceled, error, pending, running, suspended, unknown]
  executions:
    description:
      - Whether to read each task's recent runs into RV(tasks[].executions).
      - By default they are read for O(task_id), and for O(name) when it matches one task.
    type: bool
  max_executions:
    description:
      - The most recent runs returned per task, newest first.
    type: int
    default: 20
notes:
  - Each listed task is read in full (C(GET /tasks/{id})); the service holds at most 50.
seealso:
  - module: cloudops.orchestrator.vro_task
  - module: cloudops.orchestrator.vro_execution_info
'''

EXAMPLES = r'''
- name: Every scheduled task
  cloudops.orchestrator.vro_task_info:
    url: https://vro.example.com
    username: vcoadmin
    password: "{{ vro_password }}"
  register: all_tasks

- name: How much room is left in the Task service
  ansible.builtin.debug:
    msg: "{{ all_tasks.task_count }} of {{ all_tasks.task_limit }} tasks used"

- name: One task, with its recent runs
  cloudops.orchestrator.vro_task_info:
    name: nightly clean-up
  register: nightly

- name: Show the state of its latest run
  ansible.builtin.debug:
    msg: "{{ nightly.tasks[0].executions[0].state | default('never ran') }}"

- name: The tasks of one workflow that will not run again (candidates to delete)
  cloudops.orchestrator.vro_task_info:
    workflow_name: AWSNEW
    state: [finished, canceled, error]
  register: spent
'''

RETURN = r'''
changed:
  description: Always false.
  returned: always
  type: bool
tasks:
  description: The tasks that match, as the server lists them.
  returned: always
  type: list
  elements: dict
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
    executions:
      description:
        - The task's recent runs, newest first, as summaries (C(execution_id), C(workflow_id), C(name),
          C(state), C(start_date), C(end_date), C(duration_seconds), C(started_by), C(href)).
      returned: when runs are read (see O(executions))
      type: list
      elements: dict
task_count:
  description: How many tasks the service holds in all (unfiltered).
  returned: when tasks are listed (not with O(task_id))
  type: int
task_limit:
  description: The most tasks vRO supports (50).
  returned: always
  type: int
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
from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import OrchestratorModule, workflow_selector
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro import task_info
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_model import TASK_STATES


def main():
    module = OrchestratorModule(
        product='vro',
        argument_spec=dict(
            task_id=dict(type='str'),
            name=dict(type='str'),
            name_contains=dict(type='str'),
            state=dict(type='list', elements='str', choices=list(TASK_STATES)),
            executions=dict(type='bool'),
            max_executions=dict(type='int', default=20),
        ),
        selector=workflow_selector(),
        supports_check_mode=True,
    )
    module.run(task_info.run)


if __name__ == '__main__':
    main()
