#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vro_workflow_info
short_description: Read a vRealize / Aria Orchestrator workflow's interface and user interactions
version_added: 0.1.0
description:
  - Reads one workflow, by id or by name, with its name, id, version, description, category, and its input and
    output parameters with their vRO types and descriptions (C(GET /workflows/{id})).
  - Returns RV(example_inputs), a ready-to-paste O(cloudops.orchestrator.vro_workflow_run#module:inputs) mapping
    with a placeholder of the right shape for every declared input, so the shape of an SDK object or a composite
    type need not be guessed.
  - With O(interactions), adds the workflow's pending user interactions (C(GET /workflows/{id}/interactions)).
  - Reads only, and never reports RV(changed). To save the workflow's schema image (PNG) to a file, use
    M(cloudops.orchestrator.vro_workflow_schema) (the former C(schema_dest) option and the file options of this
    module were removed, since an C(_info) module changes nothing, on the server or on the controller).
  - Without O(workflow_id) and O(workflow_name), lists the workflows matching O(name_contains) and/or
    O(category), paged on the server; O(category) is then a list filter.
author:
  - cloudops.orchestrator contributors (@cloudops)
extends_documentation_fragment:
  - cloudops.orchestrator.connection.vro
  - cloudops.orchestrator.vro_options.workflow_selector
  - cloudops.orchestrator.attributes
  - cloudops.orchestrator.attributes.info_module
  - cloudops.orchestrator.attributes.vro_group
options:
  name_contains:
    description:
      - List filter, text the workflow name contains, case-insensitive (the server condition C(name~TEXT)).
      - Only without O(workflow_id) and O(workflow_name).
    type: str
  max_results:
    description:
      - The most workflows a list returns.
    type: int
    default: 1000
  interactions:
    description:
      - Also return the workflow's pending user interactions in RV(interactions).
    type: bool
    default: false
notes:
  - "RV(example_inputs) uses C('') for text types, C(0) for numbers, C(false) for booleans, midnight UTC of today
    for dates, one element for arrays, C({key: value}) for Properties, every field for composite types,
    C({type, id}) with an id to replace for SDK objects, and C({name, mime_type, content}) for MimeAttachment.
    Inputs of types that cannot be given as plain YAML are null there and listed in RV(raw_only_inputs)."
seealso:
  - module: cloudops.orchestrator.vro_workflow_run
  - module: cloudops.orchestrator.vro_workflow_schema
  - module: cloudops.orchestrator.vro_interaction
'''

EXAMPLES = r'''
- name: Read a workflow's interface by name
  cloudops.orchestrator.vro_workflow_info:
    url: https://vro.example.com
    username: vcoadmin
    password: "{{ vro_password }}"
    workflow_name: Echo typed inputs
    category: Library
  register: wf

- name: Show its inputs and their types
  ansible.builtin.debug:
    msg: "{{ wf.workflow.input_parameters | items2dict(key_name='name', value_name='type') }}"

- name: Run it with the example inputs, edited where needed
  cloudops.orchestrator.vro_workflow_run:
    workflow_id: "{{ wf.workflow.id }}"
    inputs: "{{ wf.example_inputs | combine({'str': 'hello', 'num': 20}) }}"

- name: List the workflows of the Library category whose name contains "echo"
  cloudops.orchestrator.vro_workflow_info:
    name_contains: echo
    category: Library
  register: found

- name: Which runs of the approval workflow wait for an answer?
  cloudops.orchestrator.vro_workflow_info:
    workflow_name: Request approval
    interactions: true
  register: approval

- name: Set connection options once for every vRO module
  module_defaults:
    group/cloudops.orchestrator.vro:
      url: https://vro.example.com
      username: vcoadmin
      password: "{{ vro_password }}"
  block:
    - name: Read by id
      cloudops.orchestrator.vro_workflow_info:
        workflow_id: 3a0ab069-cf2f-47e0-96f5-4a8920a5dc51
'''

RETURN = r'''
changed:
  description: Always false, this module reads only.
  returned: always
  type: bool
  sample: false
workflow:
  description: The workflow read by O(workflow_id) or O(workflow_name).
  returned: when a workflow was named
  type: dict
  contains:
    id:
      description: The workflow id.
      type: str
    name:
      description: The workflow name.
      type: str
    version:
      description: The workflow version.
      type: str
      sample: 1.0.0
    description:
      description: The workflow description.
      type: str
    category:
      description: The category name, when known.
      type: str
    href:
      description: The workflow's API URL.
      type: str
    input_parameters:
      description: The declared inputs, in order, with C(name), C(type) (the vRO type) and C(description).
      type: list
      elements: dict
      sample: [{"name": "vmName", "type": "string", "description": "the VM name"}]
    output_parameters:
      description: The declared outputs, as RV(workflow.input_parameters).
      type: list
      elements: dict
workflows:
  description:
    - The workflows found by a list (C(id), C(name), C(category), C(href), C(description), C(version)), or the one
      workflow read, as in RV(workflow).
  returned: always
  type: list
  elements: dict
example_inputs:
  description:
    - A ready-to-paste O(cloudops.orchestrator.vro_workflow_run#module:inputs) mapping with a placeholder of the
      right shape for every declared input (see the notes).
  returned: when a workflow was named
  type: dict
  sample: {"str": "", "num": 0, "flag": false, "when": "2026-01-31T00:00:00.000Z", "tags": [""],
           "endpoint": {"host": "", "port": 0}, "vm": {"type": "VC:VirtualMachine", "id": "REPLACE_WITH_VC_VIRTUALMACHINE_ID"}}
raw_only_inputs:
  description: Inputs whose type cannot be given as plain YAML, with C(name) and C(type); give them in C(raw_inputs).
  returned: when the workflow has such inputs
  type: list
  elements: dict
interactions:
  description: The workflow's pending user interactions.
  returned: when O(interactions=true)
  type: list
  elements: dict
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
    execution_id:
      description: The run that waits on it.
      type: str
    href:
      description: The interaction's API URL.
      type: str
    raw:
      description: Every attribute of the list entry, as the server sent it (camelCase, e.g. C(executionId)).
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
from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import OrchestratorModule, workflow_selector
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro import workflow_info


def main():
    module = OrchestratorModule(
        product='vro',
        argument_spec=dict(
            name_contains=dict(type='str'),
            max_results=dict(type='int', default=1000),
            interactions=dict(type='bool', default=False),
        ),
        selector=workflow_selector(),
        supports_check_mode=True,
    )
    module.run(workflow_info.run)


if __name__ == '__main__':
    main()
