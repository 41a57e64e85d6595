#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vro_interaction
short_description: Answer or dismiss the pending user interaction of a vRealize / Aria Orchestrator workflow run
version_added: 0.1.0
description:
  - Answers the user interaction that a workflow run in state C(waiting) is waiting on, with O(inputs) given as
    plain YAML and typed by the interaction's own input parameters (read from
    C(GET /workflows/{id}/executions/{id}/interaction)).
  - Unknown input names and values that do not fit their type fail before anything is sent, as in
    M(cloudops.orchestrator.vro_workflow_run).
  - A run that is not waiting gives RV(changed=false) and says so in RV(msg). An interaction that is already
    answered (by this task earlier, or by someone else) is not an error.
  - After answering, waits (O(wait), O(wait_for)) until the run reaches its next state, and returns it with its
    decoded outputs.
  - With O(state=absent), deletes (dismisses) the pending interaction, idempotently. vRO then cancels the run.
  - The run is given by O(execution_url) (the RV(cloudops.orchestrator.vro_workflow_run#module:href) of a run, which
    names its workflow too), or by O(execution_id); exactly one of them is required.
  - With O(execution_id), the run's workflow is given by O(workflow_id) or O(workflow_name), or left out. Without
    either, it is found in the list of pending interactions (C(GET /interactions), vRO 8.x only); a run not listed
    there has nothing to answer (RV(changed=false)).
author:
  - cloudops.orchestrator contributors (@cloudops)
extends_documentation_fragment:
  - cloudops.orchestrator.connection.vro
  - cloudops.orchestrator.vro_options.workflow_selector
  - cloudops.orchestrator.vro_options.secret_inputs
  - cloudops.orchestrator.wait
  - cloudops.orchestrator.attributes
  - cloudops.orchestrator.attributes.vro_group
attributes:
  check_mode:
    support: full
    details:
      - Reads the run and its interaction and encodes O(inputs), so bad names and values fail as they would;
        reports RV(changed) and the RV(parameters) that would be sent, without sending them and without waiting.
  diff_mode:
    support: none
options:
  execution_id:
    description:
      - The id of the run, for example RV(cloudops.orchestrator.vro_workflow_run#module:execution_id).
    type: str
  execution_url:
    description:
      - The URL of the run (the C(href) of a run, for example
        RV(cloudops.orchestrator.vro_workflow_run#module:href)); the workflow and the run are read from it.
      - Excludes O(execution_id), O(workflow_id) and O(workflow_name).
    type: str
  state:
    description:
      - V(present) answers the pending interaction with O(inputs).
      - V(absent) deletes (dismisses) it, which cancels the run.
    type: str
    choices: [present, absent]
    default: present
  inputs:
    description:
      - The answers, as a mapping of the interaction's input names to plain values. Names are case sensitive.
      - Values are encoded by the type each input of the interaction declares, with the rules of
        O(cloudops.orchestrator.vro_workflow_run#module:inputs).
      - SecureString answers are masked in every output of the module.
    type: dict
  raw_inputs:
    description:
      - Answers sent verbatim, in vRO's JSON form, for types that cannot be given as plain YAML; as
        O(cloudops.orchestrator.vro_workflow_run#module:raw_inputs).
    type: list
    elements: dict
  wait_for:
    description:
      - After answering, wait until the run is in one of these states (for example C(completed)), even with
        O(wait=false).
      - When the run ends in another terminal state (for example C(failed) for a rejected request), the module
        fails with the run's error.
      - Without O(wait_for), O(wait=true) waits for the run's next resting state, whatever it is
        (C(completed), C(failed), C(canceled), C(waiting) on a new interaction, C(waiting-signal), C(suspended)),
        and does not fail on it.
      - C(cancelled) is read as C(canceled).
    type: list
    elements: str
    choices: [running, waiting, waiting-signal, suspended, completed, failed, canceled, cancelled]
notes:
  - Waiting for a state polls C(GET .../state) on the adaptive schedule of the wait options, then reads the run once.
  - vRO addresses a run under its workflow; naming the workflow saves the look-up in C(GET /interactions) and lets
    the module report the state of a run that is not waiting.
seealso:
  - module: cloudops.orchestrator.vro_workflow_run
  - module: cloudops.orchestrator.vro_workflow_info
  - module: cloudops.orchestrator.vro_execution_info
'''

EXAMPLES = r'''
- name: Start an approval and return when it waits for the approver
  cloudops.orchestrator.vro_workflow_run:
    url: https://vro.example.com
    username: vcoadmin
    password: "{{ vro_password }}"
    workflow_name: Request approval
    inputs:
      request: a new VM for the web team
    on_user_interaction: return
  register: run

- name: Approve it and wait until the run has completed
  cloudops.orchestrator.vro_interaction:
    url: https://vro.example.com
    username: vcoadmin
    password: "{{ vro_password }}"
    workflow_id: "{{ run.workflow_id }}"
    execution_id: "{{ run.execution_id }}"
    inputs:
      approved: true
      comment: go ahead
    wait_for: [completed]
  register: answered

- name: Show the run's outputs
  ansible.builtin.debug:
    var: answered.outputs

- name: Reject another one; the run then fails, which is what is expected here
  cloudops.orchestrator.vro_interaction:
    workflow_name: Request approval
    execution_id: "{{ other_run.execution_id }}"
    inputs:
      approved: false
      comment: not this quarter
    wait_for: [failed]

- name: Dismiss a pending interaction (vRO cancels the run), the run given by its URL
  cloudops.orchestrator.vro_interaction:
    execution_url: "{{ run.href }}"
    state: absent

- name: Answer without waiting for what happens next, the workflow found from the run (vRO 8.x)
  cloudops.orchestrator.vro_interaction:
    execution_id: "{{ run.execution_id }}"
    inputs:
      approved: true
    wait: false
'''

RETURN = r'''
changed:
  description: True when the interaction was answered or dismissed (or would be, in check mode).
  returned: always
  type: bool
msg:
  description: What was done, or why nothing was done (for example the run is not waiting).
  returned: always
  type: str
  sample: run 8a8a0011 is completed, not waiting for a user interaction; nothing to answer
workflow_id:
  description: The run's workflow id (null when it was not given and the run waits on no interaction).
  returned: always
  type: str
execution_id:
  description: The run's id.
  returned: always
  type: str
previous_state:
  description: The run's state before the module acted.
  returned: when the run was read
  type: str
  sample: waiting
state:
  description:
    - The run's state at the end. After an answer without waiting it may still be C(waiting) or C(running).
      In check mode, C(waiting).
  returned: when the run was read
  type: str
  sample: completed
outputs:
  description: The run's outputs, decoded to plain values (SecureString values masked).
  returned: when the run was read at the end (not in check mode when something would change)
  type: dict
  sample: {"approved": true, "comment": "go ahead"}
execution:
  description:
    - The run as M(cloudops.orchestrator.vro_execution_info) returns it (C(state), C(start_date), C(end_date),
      C(content_exception), C(inputs), C(outputs) ...).
  returned: when the run was read at the end
  type: dict
interaction:
  description: The pending interaction that was answered or dismissed.
  returned: when the run had one
  type: dict
  contains:
    id:
      description: The interaction id.
      type: str
    name:
      description: The interaction name.
      type: str
    state:
      description: C(waiting) or C(finished).
      type: str
    input_parameters:
      description: Its declared inputs, with C(name), C(type) and C(description).
      type: list
      elements: dict
    assignees:
      description: Who may answer it.
      type: list
      elements: str
    timeout_date:
      description: When it times out, if it does.
      type: str
parameters:
  description: The answers as sent (or as they would be sent), in vRO's JSON form, SecureString values masked.
  returned: when answering
  type: list
  elements: dict
polls:
  description: How many times the state was read while waiting.
  returned: when the module waited
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
from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import SECRET_INPUTS_SPEC, OrchestratorModule, workflow_selector
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro import interaction


def main():
    module = OrchestratorModule(
        product='vro',
        wait=True,
        argument_spec=dict(
            execution_id=dict(type='str'),
            execution_url=dict(type='str'),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            inputs=dict(type='dict'),
            raw_inputs=dict(type='list', elements='dict'),
            secret_inputs=SECRET_INPUTS_SPEC,
            wait_for=dict(type='list', elements='str',
                          choices=['running', 'waiting', 'waiting-signal', 'suspended', 'completed', 'failed', 'canceled',
                                   'cancelled']),
        ),
        selector=workflow_selector(alternatives=('execution_url',)),
        mutually_exclusive=[('execution_id', 'execution_url')],
        required_one_of=[('execution_id', 'execution_url')],
        supports_check_mode=True,
    )
    module.run(interaction.run)


if __name__ == '__main__':
    main()
