#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: orch_task_info
short_description: Read IBM Cloud Orchestrator 2.5 task engine tasks
version_added: 0.1.0
description:
  - Reads one task of the IBM Cloud Orchestrator (ICO) 2.5 task engine by O(id), or the task list.
  - The task engine has no server-side filters, so O(filters) are applied here, on the list the server returns.
  - Users other than C(admin) see only the tasks of their O(project); C(admin) sees every project's tasks.
  - Each task's fields are returned in snake_case (C(event_topic), C(delay_in_seconds), C(service_instance_id));
    C(parm) is returned as it is, except that values under password- or secret-named keys are C(********) (in
    C(raw) too). The task as the server sent it is in C(raw).
  - Each task carries its C(created) and C(updated) times as ISO 8601 UTC strings too (C(created_iso),
    C(updated_iso), ending in C(Z)), computed from the epoch milliseconds when the server sends none.
author:
  - cloudops.orchestrator contributors (@cloudops)
extends_documentation_fragment:
  - cloudops.orchestrator.connection.ico
  - cloudops.orchestrator.attributes
  - cloudops.orchestrator.attributes.info_module
  - cloudops.orchestrator.attributes.ico_group
options:
  id:
    description:
      - The id of one task. A task that does not exist, or that belongs to another project for a non-admin
        user, fails the module naming the id.
    type: str
  filters:
    description:
      - Keep only the tasks matching every given field. Applied on the client.
      - The task's project filter lives here, since O(project) is the project the user works in.
    type: dict
    suboptions:
      status:
        description: Keep tasks with one of these statuses (case does not matter).
        type: list
        elements: str
      user:
        description: Keep tasks created by this user.
        type: str
      project:
        description: Keep tasks of this project (useful for C(admin), who sees every project).
        type: str
      event_topic:
        description:
          - Keep tasks with this event topic. Shell-style wildcards work,
            for example C(com/ibm/orchestrator/serviceinstance/*).
        type: str
      updated_after:
        description:
          - Keep tasks updated after this time, as ISO 8601 (C(2026-03-01T00:00:00Z)) or epoch milliseconds.
        type: raw
  expand_service_instance:
    description:
      - Embed the service instance named by each task's C(service_instance_id) as C(service_instance)
        (C(?expand=serviceInstance)).
    type: bool
    default: false
seealso:
  - module: cloudops.orchestrator.orch_task
'''

EXAMPLES = r'''
- name: Failed tasks of the finance project since May, with their service instance
  cloudops.orchestrator.orch_task_info:
    url: https://ico.example.com
    username: admin
    password: "{{ ico_password }}"
    domain: Default
    project: admin
    filters:
      project: finance
      status: [FAILED]
      updated_after: "2026-05-01T00:00:00Z"
    expand_service_instance: true
  register: failed

- name: Show them
  ansible.builtin.debug:
    msg: "{{ item.id }} {{ item.service_instance.name | default('-') }}: {{ item.error_message }}"
  loop: "{{ failed.tasks }}"

- name: One task
  cloudops.orchestrator.orch_task_info:
    id: "1003"
  register: one
'''

RETURN = r'''
changed:
  description: Always false.
  returned: always
  type: bool
tasks:
  description: The tasks that matched, as the task engine returns them.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The task id.
      type: str
    status:
      description: The task status, for example C(QUEUED), C(RUNNING), C(COMPLETED), C(FAILED).
      type: str
    created:
      description: Creation time, epoch milliseconds.
      type: int
    updated:
      description: Last update, epoch milliseconds.
      type: int
    created_iso:
      description: Creation time, ISO 8601 UTC ending in C(Z) (the server's text converted, else from C(created)).
      type: str
      sample: "2014-03-31T11:03:50.000Z"
    updated_iso:
      description: Last update, ISO 8601 UTC ending in C(Z) (the server's text converted, else from C(updated)).
      type: str
    user:
      description: The user who created the task.
      type: str
    project:
      description: The project of the task.
      type: str
    event_topic:
      description: The event topic (the API's C(eventTopic)).
      type: str
    parm:
      description: The process parameters, as the server sent them (their names are never converted), values under
        password- or secret-named keys masked as C(********).
      type: dict
    service_instance_id:
      description: The service instance the task works on.
      type: str
    service_instance:
      description: That service instance, its keys in snake_case.
      type: dict
      returned: with O(expand_service_instance), when the task names one
    error_message:
      description: The result message of the process; null when it has none.
      type: str
    raw:
      description:
        - The task exactly as the server sent it (C(eventTopic), C(delayInSeconds), times with its own offset).
          The keys above are the collection's; read C(raw) only for what they leave out.
      type: dict
seen:
  description: How many tasks the server returned before filtering.
  returned: always
  type: int
matched:
  description: How many tasks matched O(filters).
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
from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import OrchestratorModule
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico import task_info


def main():
    module = OrchestratorModule(
        product='ico',
        argument_spec=dict(
            id=dict(type='str'),
            filters=dict(type='dict', options=dict(
                status=dict(type='list', elements='str'),
                user=dict(type='str'),
                project=dict(type='str'),
                event_topic=dict(type='str'),
                updated_after=dict(type='raw'),
            )),
            expand_service_instance=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    module.run(task_info.run)


if __name__ == '__main__':
    main()
