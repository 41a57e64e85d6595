#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vro_execution_cancel
short_description: Cancel vRealize / Aria Orchestrator workflow runs with the call of the server's version
version_added: 0.1.0
description:
  - Cancels one workflow run, or every run of a workflow that has not ended with O(all_running=true).
  - Exactly one of O(workflow_id), O(workflow_name) and O(execution_url) is required.
  - A run that has already ended (C(completed), C(failed) or C(canceled)) is left alone, with C(changed=false).
  - B(The cancel call depends on the server version.) The module sends C(DELETE .../executions/{id}/state), which
    cancels on vRO 8.x and, as VMware's REST client SDK does it, on 7.x. Only a 7.x server that refuses it with
    HTTP 405 gets the 7.1 guide's C(DELETE .../executions/{id}/), which cancels there. The version comes from the
    C(version) of C(GET /about) (never from its C(api-version), the REST API's own number), or from
    O(api_version). When C(/about) does not tell, a server refusing C(.../state) (HTTP 405) makes the task fail
    asking for O(api_version).
  - The module never sends C(DELETE .../executions/{id}) to a server where C(.../state) cancels (8.x, and 7.x
    servers whose run links name that call C(remove)), since there it deletes the run's record instead of cancelling it.
  - With O(wait), waits until each run reports a terminal state (normally C(canceled)).
author:
  - cloudops.orchestrator contributors (@cloudops)
extends_documentation_fragment:
  - cloudops.orchestrator.connection.vro
  - cloudops.orchestrator.vro_options.workflow_selector
  - cloudops.orchestrator.wait
  - cloudops.orchestrator.attributes
  - cloudops.orchestrator.attributes.vro_group
attributes:
  check_mode:
    support: full
    details: Reports which runs would be cancelled, and with which call; sends nothing that changes them.
  diff_mode:
    support: none
options:
  execution_id:
    description:
      - The id of the run to cancel.
    type: str
  execution_url:
    description:
      - The URL of the run to cancel (the C(href) of a run); the workflow is read from it.
    type: str
  all_running:
    description:
      - Cancel every run of the workflow that has not ended (C(initializing), C(running), C(waiting),
        C(waiting-signal), C(suspended)).
    type: bool
    default: false
  api_version:
    description:
      - The vRO version whose cancel call to use, for example V(7.6) or V(8.18); V(auto) asks the server
        (C(GET /about)).
    type: str
    default: auto
seealso:
  - module: cloudops.orchestrator.vro_workflow_run
  - module: cloudops.orchestrator.vro_execution_info
'''

EXAMPLES = r'''
- name: Cancel one run and wait until it reports canceled
  cloudops.orchestrator.vro_execution_cancel:
    workflow_name: Long backup
    execution_id: "{{ started.execution_id }}"

- name: Cancel a run by its URL, without waiting
  cloudops.orchestrator.vro_execution_cancel:
    execution_url: "{{ started.href }}"
    wait: false

- name: Cancel everything still going of a workflow on an old vRO 7.6
  cloudops.orchestrator.vro_execution_cancel:
    url: https://vro7.example.com:8281
    workflow_id: 3a0ab069-cf2f-47e0-96f5-4a8920a5dc51
    all_running: true
    api_version: "7.6"

- name: What would be cancelled?
  cloudops.orchestrator.vro_execution_cancel:
    workflow_name: Long backup
    all_running: true
  check_mode: true
  register: would_cancel
'''

RETURN = r'''
changed:
  description: Whether any run was (or, in check mode, would be) cancelled.
  returned: always
  type: bool
workflow_id:
  description: The workflow's id.
  returned: always
  type: str
workflow_name:
  description: The workflow's name, when it was given by name.
  returned: when O(workflow_name) is given
  type: str
execution_id:
  description: The run's id.
  returned: for one run
  type: str
state:
  description: The run's state after the cancel (and the wait); in check mode, its current state.
  returned: for one run
  type: str
  sample: canceled
executions:
  description: Every run considered, each with C(execution_id), C(workflow_id), C(state_before), C(state) and
    C(canceled) (whether this task cancelled it, or would in check mode).
  returned: always
  type: list
  elements: dict
api_version:
  description: The major vRO version whose cancel call was used (C(7) or C(8)), or C(unknown) when C(GET /about)
    did not tell and the 8.x call was used.
  returned: always
  type: str
  sample: '8'
cancel_call:
  description: The cancel call of that version, for example C(DELETE /workflows/<id>/executions/{id}/state), with
    the 7.x guide's call after it on vRO 7.x.
  returned: always
  type: str
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
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro import execution_cancel


def main():
    module = OrchestratorModule(
        product='vro',
        wait=True,
        argument_spec=dict(
            execution_id=dict(type='str'),
            execution_url=dict(type='str'),
            all_running=dict(type='bool', default=False),
            api_version=dict(type='str', default='auto'),
        ),
        selector=workflow_selector(required=True, alternatives=('execution_url',), category_needs_name=True),
        mutually_exclusive=[('execution_id', 'execution_url')],
        supports_check_mode=True,
    )
    module.run(execution_cancel.run)


if __name__ == '__main__':
    main()
