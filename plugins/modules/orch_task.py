#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: orch_task
short_description: Create, update, delete and follow IBM Cloud Orchestrator 2.5 task engine tasks
version_added: 0.1.0
description:
  - Manages tasks of the IBM Cloud Orchestrator (ICO) 2.5 task engine, REST API V2 (C(/orchestrator/v2/tasks)).
  - Without O(id), O(state=present) creates a task with C(POST) from O(task). Only the C(admin) role may.
  - With O(id), O(state=present) updates the task with a C(PUT) when a field of O(task) differs from the task's
    current value, and reports only the differing fields as the diff. The C(PUT) carries the task's whole definition
    with those fields changed (IBM documents no C(PUT) body, and a server that replaces the task rather than merging
    the body then loses nothing). When nothing differs, nothing is sent and C(changed) is false.
  - O(state=absent) deletes the task with C(DELETE). Only the C(admin) role may. A task that is already gone gives
    C(changed=false).
  - O(wait_for_status) waits until the task reaches one of the given statuses; this is how a playbook follows a
    business process to completion.
author:
  - cloudops.orchestrator contributors (@cloudops)
extends_documentation_fragment:
  - cloudops.orchestrator.connection.ico
  - cloudops.orchestrator.wait
  - cloudops.orchestrator.attributes
  - cloudops.orchestrator.attributes.ico_group
attributes:
  check_mode:
    support: full
    details: Predicts the change and the diff from the task's current state; sends nothing that changes it.
  diff_mode:
    support: full
options:
  id:
    description:
      - The id of the task to update, follow or delete.
      - Leave it out to create a task from O(task).
    type: str
  state:
    description:
      - V(present) creates the task (without O(id)) or updates it (with O(id)).
      - V(absent) deletes the task with id O(id).
    type: str
    choices: [present, absent]
    default: present
  task:
    description:
      - The task fields, as the task engine names them, for example C(parm) (the process parameters, a mapping),
        C(eventTopic), C(delayInSeconds), C(serviceInstanceId), or C(status) to change a task's status.
      - The spellings C(event_topic), C(delay_in_seconds) and C(service_instance_id) are accepted too.
        Another spelling of a known field (C(eventtopic), C(EventTopic), C(Parm)) is refused before anything is sent;
        other keys are sent as given.
      - Fields the server owns (C(id), C(created), C(updated), C(created_iso), C(updated_iso),
        C(serviceInstance)) cannot be given.
      - On update, each given field is compared with the current value as a whole (a C(parm) mapping is replaced,
        not merged); numbers given as strings compare equal to numbers.
      - Values under secret-named keys at any depth (containing C(password), C(passphrase), C(secret), C(apikey),
        C(privatekey), C(passwd) or C(accesstoken)/C(refreshtoken)/C(idtoken)/C(apitoken)/C(authtoken)/C(bearertoken),
        case, C(_) and C(-) ignored; for example C(parm.db_password), C(parm.api_token)) are compared as given but
        shown as C(********) in every result, diff, warning and log;
        in RV(diff) a changed one shows as C(******** (changed)). One shorter than 3 characters is masked under its
        own key only, not where a server message quotes it, with a warning.
      - A secret the server returns masked (asterisks only) cannot be compared; it counts as unchanged, with a
        warning, and is sent only along with a change of another field.
    type: dict
  wait_for_status:
    description:
      - After creating, updating or reading the task, wait until its status is one of these, for example
        V(COMPLETED). Case does not matter.
      - The complete list of ICO task statuses is not public, so a status the module does not know is treated as
        still running. When the task reaches a known final status that is not listed (C(COMPLETED), C(FAILED),
        C(CANCELED)), the module fails at once with the task's C(error_message).
      - A name outside the statuses the collection knows (C(QUEUED), C(RUNNING), C(COMPLETED), C(FAILED),
        C(CANCELED), C(CANCELLED), C(ERROR), C(REJECTED), C(TERMINATED)) gives a warning before the task is
        created or changed, since it is likely a typo; it is not refused, because the list is not public.
      - Uses O(wait_timeout), O(poll_interval) and O(poll_interval_max); nothing is waited for when O(wait) is
        false or in check mode.
    type: list
    elements: str
notes:
  - A refusal names the role needed. Creating and deleting a task need the C(admin) role; updating needs C(admin)
    or membership of the task's project. ICO answers C(401) for both a bad password and a missing role.
  - Users other than C(admin) only see the tasks of their O(project); a task of another project is reported as
    not found.
seealso:
  - module: cloudops.orchestrator.orch_task_info
'''

EXAMPLES = r'''
- name: Start a business process and follow it to completion
  cloudops.orchestrator.orch_task:
    url: https://ico.example.com
    username: admin
    password: "{{ ico_password }}"
    domain: Default
    project: admin
    task:
      eventTopic: com/ibm/orchestrator/serviceinstance/plan/ibm_bpm_process
      parm:
        processApp: SCOrchestrator_Toolkit
        processName: Deploy single virtual machine
      delayInSeconds: 0
    wait_for_status: [COMPLETED]
    wait_timeout: 1800
  register: created

- name: Connection set once for the whole play
  module_defaults:
    group/cloudops.orchestrator.ico:
      url: https://ico.example.com
      username: admin
      password: "{{ ico_password }}"
      domain: Default
      project: admin
      ca_path: /etc/pki/ico-ca.pem
  block:
    - name: Postpone a queued task (sent only when the delay differs)
      cloudops.orchestrator.orch_task:
        id: "{{ created.task.id }}"
        task:
          delayInSeconds: 600

    - name: Follow an existing task
      cloudops.orchestrator.orch_task:
        id: "1007"
        wait_for_status: [COMPLETED]

    - name: Delete a task (already gone is fine)
      cloudops.orchestrator.orch_task:
        id: "1011"
        state: absent
'''

RETURN = r'''
changed:
  description: Whether the task was created, updated or deleted (in check mode, whether it would be).
  returned: always
  type: bool
msg:
  description: A one-line summary, or why the module failed.
  returned: always
  type: str
  sample: "updated task 2001: delayInSeconds"
task:
  description:
    - The task after the change (in check mode, as predicted), as the task engine returns it.
    - After O(state=absent), the task as it was before deletion, or null when there was none.
  returned: always
  type: dict
  contains:
    id:
      description: The task id.
      type: str
      sample: "1003"
    status:
      description: The task status, for example C(QUEUED), C(RUNNING), C(COMPLETED), C(FAILED).
      type: str
    status_localized:
      description: The status in the server's language.
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
    domain:
      description: The domain of the task.
      type: str
    project:
      description: The project of the task.
      type: str
    parm:
      description: The process parameters, as the server sent them (their names are never converted).
      type: dict
    event_topic:
      description: The event topic (the API's C(eventTopic)).
      type: str
    delay_in_seconds:
      description: The delay before the task starts (the API's C(delayInSeconds)).
      type: int
    service_instance_id:
      description: The service instance the task works on.
      type: str
    error_message:
      description: The result message of the process; null when it has none.
      type: str
    description_message:
      description: The task description.
      type: str
    raw:
      description:
        - The task exactly as the server sent it (C(eventTopic), C(delayInSeconds), times with its own offset).
          The keys above are the collection's; read C(raw) only for what they leave out.
      type: dict
diff:
  description: The fields that change, before and after (the whole task for a creation or deletion), named as the API names them (what is sent).
  returned: always
  type: dict
  sample: {"before": {"delayInSeconds": 30}, "after": {"delayInSeconds": 600}}
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
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico import task


def main():
    module = OrchestratorModule(
        product='ico',
        wait=True,
        argument_spec=dict(
            id=dict(type='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            task=dict(type='dict'),
            wait_for_status=dict(type='list', elements='str'),
        ),
        required_if=[('state', 'absent', ('id',))],
        supports_check_mode=True,
    )
    module.run(task.run)


if __name__ == '__main__':
    main()
