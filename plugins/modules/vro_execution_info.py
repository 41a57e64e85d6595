#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vro_execution_info
short_description: Read vRealize / Aria Orchestrator workflow runs, or wait for one to reach a state
version_added: 0.1.0
description:
  - Reads one workflow run, by O(workflow_id) or O(workflow_name) plus O(execution_id), or by its URL
    (O(execution_url), the C(Location) or C(href) of a run). Inputs and outputs come back decoded into plain
    values, SecureString values masked.
  - At most one of O(workflow_id), O(workflow_name) and O(execution_url) may be given; O(execution_id) needs
    O(workflow_id) or O(workflow_name).
  - Without an execution, lists the workflow's runs, newest first, filtered by O(state), O(started_by),
    O(started_after), O(started_before) and O(name). Filters are applied by the server (C(conditions)) where
    it can (a value holding C(,), C(&), C(=) or C(~) is matched here only, since vRO splits conditions at
    commas), and always checked again here; pages (C(maxResult)/C(startIndex)) are read only until
    O(max_results) runs are found. A server that rejects or ignores the date conditions or C(sortOrders) is
    read in full (bounded) and filtered and sorted here.
  - B(Without any workflow) (none of O(workflow_id), O(workflow_name), O(execution_url)), lists the runs of every
    workflow the user may read, from vRO's catalog (C(GET /catalog/System/WorkflowToken), or
    C(/catalog/System/WorkflowExecution) where that is not found), with the same filters,
    newest first. Only O(state) is sent to the server there (C(conditions=state=X), one query per state), since no
    public source gives the catalog's names for the user, the run name or the dates; B(O(started_by), O(name),
    O(started_after) and O(started_before) are applied here, not on the server), and the order is made here. At most
    5000 catalog entries are read per query (pages of 500); when that bound is reached, older runs may be missing and
    a warning says so; narrow the list with O(state) or give a workflow. Each run's C(href) in RV(executions) is its
    run URL, usable as O(execution_url).
  - With O(wait_for), waits until the run reaches one of the given states and returns at once if it already
    has. A run started with O(cloudops.orchestrator.vro_workflow_run#module:wait=false) can so be picked up
    later, also inside C(async)/C(poll).
  - The module never changes anything.
  - In check mode, the placeholder run that M(cloudops.orchestrator.vro_workflow_run) returns for a run it would
    start (C(check-mode-not-started)) is answered without waiting, with RV(state=null) and the workflow's declared
    outputs as placeholders, so that a C(--check) run of a playbook goes on.
author:
  - cloudops.orchestrator contributors (@cloudops)
extends_documentation_fragment:
  - cloudops.orchestrator.connection.vro
  - cloudops.orchestrator.vro_options.workflow_selector
  - cloudops.orchestrator.wait
  - cloudops.orchestrator.attributes
  - cloudops.orchestrator.attributes.info_module
  - cloudops.orchestrator.attributes.vro_group
options:
  execution_id:
    description:
      - The id of one run of the workflow. Without it (and without O(execution_url)) the runs are listed.
    type: str
  execution_url:
    description:
      - The URL of one run, such as the RV(cloudops.orchestrator.vro_workflow_run#module:href) that
        M(cloudops.orchestrator.vro_workflow_run) returns, C(https://vro/vco/api/workflows/<id>/executions/<id>/).
      - The workflow and the run are read from it, so no other option is needed.
    type: str
  state:
    description:
      - List filter, on the server; several states are one query each (also across workflows, see above).
      - C(cancelled) is read as C(canceled).
    type: list
    elements: str
    choices: [initializing, running, waiting, waiting-signal, suspended, completed, failed, canceled, cancelled]
  started_by:
    description:
      - List filter, on the server, the user who started the run (across workflows, applied here).
    type: str
  started_after:
    description:
      - List filter, on the server, runs started at or after this time, ISO 8601 (C(2026-01-31T10:00:00Z)) (across
        workflows, applied here).
    type: str
  started_before:
    description:
      - List filter, on the server, runs started at or before this time, ISO 8601 (across workflows, applied here).
    type: str
  name:
    description:
      - List filter, on the server, text the run's name contains (across workflows, applied here).
    type: str
  max_results:
    description:
      - The most runs a list returns, newest first.
    type: int
    default: 20
  details:
    description:
      - For a list, read each run in full so that each entry of RV(executions) has C(inputs) and C(outputs)
        (one more request per run).
    type: bool
    default: false
  fetch_logs:
    description:
      - Also return the log lines of each run in RV(logs).
      - For a list without O(details), each run is also read in full (one more request per run) to learn the
        SecureString values it holds, which are masked in its log lines and its C(content_exception); so is a listed
        run whose entry quotes an exception. A listed run deleted before that read gets empty logs, with a warning.
    type: bool
    default: false
  fetch_syslogs:
    description:
      - Also return the system log lines of each run in RV(syslogs).
    type: bool
    default: false
  wait_for:
    description:
      - Wait until the run (one, by O(execution_id) or O(execution_url)) reaches one of these states, using the
        wait options. A run already in one of them returns at once.
      - A run that ends in another terminal state (for example C(failed) when waiting for C(completed)) fails
        the task at once, with the run's exception.
      - A run that reaches C(waiting) (a user interaction) while O(wait_for) does not name C(waiting) is handled
        by O(on_user_interaction).
      - C(cancelled) is read as C(canceled).
      - Ignored when O(wait=false).
    type: list
    elements: str
    choices: [initializing, running, waiting, waiting-signal, suspended, completed, failed, canceled, cancelled]
  on_user_interaction:
    description:
      - With O(wait_for), what to do when the run reaches C(waiting), that is, when it waits for a user
        interaction, and O(wait_for) does not name C(waiting). The same option, with the same default, as
        O(cloudops.orchestrator.vro_workflow_run#module:on_user_interaction).
      - V(fail) fails at once with a message naming the interaction and how to answer it
        (M(cloudops.orchestrator.vro_interaction)).
      - V(return) returns successfully with RV(state=waiting) and RV(interaction).
      - V(keep_waiting) goes on waiting until someone answers it or O(wait_timeout) passes.
    type: str
    choices: [fail, return, keep_waiting]
    default: fail
seealso:
  - module: cloudops.orchestrator.vro_workflow_run
  - module: cloudops.orchestrator.vro_execution_cancel
'''

EXAMPLES = r'''
- name: Start a long run without waiting
  cloudops.orchestrator.vro_workflow_run:
    workflow_name: Long backup
    inputs: {target: db01}
    wait: false
  register: started

- name: Pick it up later and wait until it has completed
  cloudops.orchestrator.vro_execution_info:
    execution_url: "{{ started.href }}"
    wait_for: [completed]
    wait_timeout: 3600
  register: run

- name: The same, by ids, inside async
  cloudops.orchestrator.vro_execution_info:
    workflow_id: "{{ started.workflow_id }}"
    execution_id: "{{ started.execution_id }}"
    wait_for: [completed, failed]
  async: 7200
  poll: 30

- name: One run with its logs
  cloudops.orchestrator.vro_execution_info:
    workflow_name: Provision VM
    execution_id: 4f9a0c1e-8b3d-4e2a-9f10-6c2d7b5e1a01
    fetch_logs: true

- name: The five newest failed runs of a workflow this week, in full
  cloudops.orchestrator.vro_execution_info:
    workflow_name: Provision VM
    state: [failed]
    started_after: "2026-01-26T00:00:00Z"
    max_results: 5
    details: true
  register: failures

- name: Everything still going that svc-ansible started
  cloudops.orchestrator.vro_execution_info:
    workflow_id: 1f3c2a9e-0000-4000-8000-000000000001
    state: [running, waiting]
    started_by: svc-ansible

- name: Every failed run since yesterday, whatever the workflow (the catalog; the date is filtered here)
  cloudops.orchestrator.vro_execution_info:
    state: [failed]
    started_after: "{{ lookup('ansible.builtin.pipe', 'date -u -d yesterday +%Y-%m-%dT%H:%M:%SZ') }}"
    max_results: 50
  register: failed_everywhere
'''

RETURN = r'''
changed:
  description: Always false.
  returned: always
  type: bool
execution_id:
  description: The run's id.
  returned: for one run
  type: str
workflow_id:
  description: The workflow's id; null for a list across every workflow (each run then has its own C(workflow_id)).
  returned: always
  type: str
workflow_name:
  description: The workflow's name (the run's name when the workflow was given by id).
  returned: for one run
  type: str
name:
  description: The run's name as vRO reports it.
  returned: for one run
  type: str
state:
  description: The run's state, one of C(initializing), C(running), C(waiting), C(waiting-signal), C(suspended),
    C(completed), C(failed), C(canceled).
  returned: for one run
  type: str
href:
  description: The run's URL.
  returned: for one run
  type: str
inputs:
  description: The run's inputs decoded into plain values, SecureString values masked as C(********).
  returned: for one run
  type: dict
outputs:
  description: The run's outputs decoded into plain values.
  returned: for one run
  type: dict
outputs_raw:
  description: The output parameters as vRO sent them, SecureString values masked.
  returned: for one run
  type: list
  elements: dict
start_date:
  description: When the run started (ISO 8601, UTC).
  returned: for one run
  type: str
end_date:
  description: When the run ended (ISO 8601, UTC), null while it runs.
  returned: for one run
  type: str
duration_seconds:
  description: Seconds between start and end, null while it runs.
  returned: for one run
  type: float
started_by:
  description: The user who started the run.
  returned: for one run
  type: str
business_state:
  description: The business state the workflow last set.
  returned: for one run
  type: str
content_exception:
  description: The exception of a failed run.
  returned: for one run
  type: str
current_item:
  description: The display name of the item the run is at.
  returned: for one run
  type: str
waited:
  description: Whether the module had to wait for O(wait_for).
  returned: for one run
  type: bool
interaction:
  description: The pending user interaction (C(name)) of a run that reached C(waiting) while waiting for other
    states (O(on_user_interaction)).
  returned: with O(wait_for), when the run is waiting for a user interaction
  type: dict
logs:
  description: The log lines, each with C(severity), C(time_stamp), C(user), C(short_description), C(long_description).
  returned: when O(fetch_logs) is set
  type: list
  elements: dict
syslogs:
  description: The system log lines, in the same form as RV(logs).
  returned: when O(fetch_syslogs) is set
  type: list
  elements: dict
executions:
  description:
    - The runs of a list, newest first, each with RV(execution_id), RV(workflow_id), RV(workflow_name), RV(name),
      RV(state), RV(href), RV(start_date), RV(end_date), RV(duration_seconds), RV(started_by), RV(business_state),
      RV(content_exception), RV(current_item) and, with O(details), RV(inputs), RV(outputs) and RV(outputs_raw).
  returned: for a list
  type: list
  elements: dict
count:
  description: How many runs the list holds.
  returned: for a list
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
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import STATE_CHOICES
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro import execution_info


def main():
    module = OrchestratorModule(
        product='vro',
        wait=True,
        argument_spec=dict(
            execution_id=dict(type='str'),
            execution_url=dict(type='str'),
            state=dict(type='list', elements='str', choices=list(STATE_CHOICES)),
            started_by=dict(type='str'),
            started_after=dict(type='str'),
            started_before=dict(type='str'),
            name=dict(type='str'),
            max_results=dict(type='int', default=20),
            details=dict(type='bool', default=False),
            fetch_logs=dict(type='bool', default=False),
            fetch_syslogs=dict(type='bool', default=False),
            wait_for=dict(type='list', elements='str', choices=list(STATE_CHOICES)),
            on_user_interaction=dict(type='str', choices=['fail', 'return', 'keep_waiting'], default='fail'),
        ),
        # No selector at all lists the runs of every workflow (the catalog); execution_id alone is refused by the runner.
        selector=workflow_selector(alternatives=('execution_url',), category_needs_name=True),
        mutually_exclusive=[('execution_id', 'execution_url')],
        supports_check_mode=True,
        minimums={'max_results': 1},
    )
    module.run(execution_info.run)


if __name__ == '__main__':
    main()
