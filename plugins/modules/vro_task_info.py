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
  - Reads one task, by O(task_id) or by an exact O(name), with its recent runs (C(GET /tasks/{id}/executions)).
  - Every task comes with its recurrence, start mode and inputs decoded to plain values.
author:
  - cloudops.orchestrator contributors (@cloudops)
extends_documentation_fragment:
  - cloudops.orchestrator.connection.vro
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
  workflow_id:
    description:
      - Filter, the id of the workflow the tasks run.
    type: str
  workflow_name:
    description:
      - Filter, the name of the workflow the tasks run (resolved to its id; see O(category)).
    type: str
  category:
    description:
      - The category of the workflow named O(workflow_name).
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
'''

from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import OrchestratorModule
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task import TASK_STATES, run_task_info


def main():
    module = OrchestratorModule(
        product='vro',
        argument_spec=dict(
            task_id=dict(type='str'),
            name=dict(type='str'),
            name_contains=dict(type='str'),
            workflow_id=dict(type='str'),
            workflow_name=dict(type='str'),
            category=dict(type='str'),
            state=dict(type='list', elements='str', choices=list(TASK_STATES)),
            executions=dict(type='bool'),
            max_executions=dict(type='int', default=20),
        ),
        mutually_exclusive=[('workflow_id', 'workflow_name')],
        supports_check_mode=True,
    )
    module.run(run_task_info)


if __name__ == '__main__':
    main()
