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
  - A run that has already ended (C(completed), C(failed) or C(canceled)) is left alone, with C(changed=false).
  - B(The cancel call depends on the server version.) On vRO 8.x it is C(DELETE .../executions/{id}/state).
    On 7.x it is the guide's C(DELETE .../executions/{id}/). The version comes from C(GET /about), or from
    O(api_version).
  - The module never sends the 8.x C(DELETE .../executions/{id}), which deletes the run's record instead of
    cancelling it, and never falls back from one version's call to the other's.
  - With O(wait), waits until each run reports a terminal state (normally C(canceled)).
author:
  - cloudops.orchestrator contributors (@cloudops)
extends_documentation_fragment:
  - cloudops.orchestrator.connection.vro
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
  workflow_id:
    description:
      - The id of the workflow.
    type: str
  workflow_name:
    description:
      - The name of the workflow, matched exactly. An ambiguous name fails and lists the candidates.
    type: str
  category:
    description:
      - The category of the workflow named O(workflow_name).
    type: str
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
  description: The major vRO version whose cancel call was used (C(7) or C(8)).
  returned: always
  type: str
  sample: '8'
cancel_call:
  description: The cancel call of that version, for example C(DELETE /workflows/<id>/executions/{id}/state).
  returned: always
  type: str
'''

from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import OrchestratorModule
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro import execution_cancel


def main():
    module = OrchestratorModule(
        product='vro',
        wait=True,
        argument_spec=dict(
            workflow_id=dict(type='str'),
            workflow_name=dict(type='str'),
            category=dict(type='str'),
            execution_id=dict(type='str'),
            execution_url=dict(type='str'),
            all_running=dict(type='bool', default=False),
            api_version=dict(type='str', default='auto'),
        ),
        mutually_exclusive=[('workflow_id', 'workflow_name', 'execution_url'), ('execution_id', 'execution_url')],
        required_one_of=[('workflow_id', 'workflow_name', 'execution_url')],
        required_by={'category': 'workflow_name'},
        supports_check_mode=True,
    )
    module.run(execution_cancel.run)


if __name__ == '__main__':
    main()
