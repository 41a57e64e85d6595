#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vro_workflow_run
short_description: Run a vRealize / Aria Orchestrator workflow with plain YAML inputs and wait for it
version_added: 0.1.0
description:
  - Starts a vRO workflow, chosen by id or by name, with inputs given as plain YAML values, and waits until the
    run has finished.
  - Exactly one of O(workflow_id) and O(workflow_name) is required.
  - Each input is encoded as the type the workflow's definition declares (C(GET /workflows/{id})), so no
    C({"value":{"string":{"value":...}}}) has to be written by hand. Unknown input names and values that do not
    fit their type fail before anything is sent.
  - B(Never a double start.) When the answer to the start request is lost after the request may have reached the
    server (read timeout, connection dropped after sending, answer cut short), the request is never sent again.
    For the adoption window (O(timeout) plus 10 seconds) the module looks for the run the server named, else a run
    of this workflow that the same user started since just before the request, with identical inputs. Exactly one
    is adopted (with a warning); if there are several, the module fails and lists them; if none appears, it fails
    saying the start may or may not have happened (re-running with O(reuse=running) then adopts the run if it was
    started and is still going; once it has ended only O(reuse=completed) finds it). With O(runs),
    the starts whose answers were lost are looked for together, once every start has answered; one listing of the
    workflow's runs per look serves them all, for one adoption window in all, and a run is adopted by one start at
    most, never one that another entry started.
  - With O(reuse), an identical run that is still going (or, with V(completed), a recent completed one) is
    returned instead of starting another, which makes the task idempotent.
  - With O(runs), several runs of the same workflow are started at most O(concurrency) at a time and waited for
    in one poll loop.
  - Waiting polls the cheap C(GET .../state) on an adaptive schedule over one keep-alive connection, and reads
    the full run once at the end.
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
      - Resolves the workflow, validates and encodes the inputs and applies the O(reuse) look-up.
      - Reports C(changed) (true unless a reusable run exists) and, in RV(request), the request that would be
        sent, with SecureString values masked. Nothing is started and nothing is waited for.
      - So that later tasks of a C(--check) run keep working, a run that would be started is returned with every
        key a real run has, as placeholders, RV(execution_id=check-mode-not-started), an RV(href) ending in it
        (which M(cloudops.orchestrator.vro_execution_info) accepts in check mode), RV(state=null), the given
        RV(inputs) and RV(outputs) holding every declared output with an empty value of its type (C("") for
        string types, C(0), C(false), C([]) for arrays, C({}) for Properties and composite types, null for others).
  diff_mode:
    support: none
options:
  inputs:
    description:
      - The workflow's inputs, as a mapping of input name to plain value. Names are case sensitive.
      - "Values are encoded by the declared type of each input:"
      - "C(string), C(SecureString), C(EncryptedString), C(Regexp): a string; numbers are turned into text;
        booleans are refused, because YAML reads an unquoted C(yes) as a boolean: quote such values."
      - "C(number): an integer or float, or a string holding a number; booleans are refused. vRO stores numbers
        as doubles; integral values come back as integers."
      - "C(boolean): V(true)/V(false), or one of the strings C(true), C(false), C(yes), C(no), C(on), C(off)."
      - "C(Date): an ISO-8601 string (C(2026-01-31T10:00:00Z)), a date or a datetime; without a zone, UTC is
        assumed. Sent and returned as C(YYYY-MM-DDTHH:MM:SS.mmmZ)."
      - "C(Array/T): a list; each element is encoded as C(T); arrays nest (C(Array/Array/string))."
      - "C(Properties): a mapping; each value is typed from its YAML kind (string, number, boolean, list,
        mapping, date)."
      - "C(CompositeType(a:string,b:number):Name): a mapping of its fields, each encoded by its field type."
      - "An SDK object such as C(VC:VirtualMachine): C({type, id}) (C(type) defaults to the declared type;
        C(display_value) and C(href) may be added) or a plain id string. The exact id form is plug-in specific:
        run the workflow once by hand and read the run's inputs with M(cloudops.orchestrator.vro_execution_info)."
      - "C(MimeAttachment): C({name, mime_type, content}) with text content, C({name, mime_type, content_base64}),
        or C({name, mime_type, src}) where C(src) is the path of a file on the host the module runs on."
      - "C(Any): typed from the YAML kind, as Properties values are."
      - An input whose value is null is not sent. Types not listed here must be given in O(raw_inputs).
      - Mutually exclusive with O(runs).
    type: dict
  runs:
    description:
      - Start several runs of the workflow, one per mapping of inputs (each as in O(inputs)).
      - Runs are started at most O(concurrency) at a time and waited for together in one poll loop.
      - The results are in RV(executions), in the same order. The task fails if any run fails, naming which.
      - At most 1000 entries; an empty list is an error.
      - Mutually exclusive with O(inputs).
    type: list
    elements: dict
  raw_inputs:
    description:
      - "Parameters sent verbatim, in vRO's JSON form, for types the module cannot encode from plain YAML, for
        example C({name: x, type: Array/VC:Datastore, value: {array: {elements: [...]}}})."
      - Each entry needs C(name) and C(value); C(type) defaults to the declared type, C(scope) to C(local).
      - They are added to every run; an input may not be given both here and in O(inputs).
    type: list
    elements: dict
  reuse:
    description:
      - V(never) always starts a new run.
      - V(running) attaches to a run of this workflow with identical inputs that is C(initializing), C(running)
        or C(waiting), instead of starting one (C(changed=false)), and waits for it.
      - V(completed) also returns an identical C(completed) run started within the last O(reuse_max_age)
        seconds, without starting a new one.
      - Inputs are compared after encoding, so C(20) equals C(20.0) and dates compare in UTC. Inputs not sent
        (null) are ignored.
      - SecureString values are never compared (a server need not return them), so runs that differ only in a
        secret are taken as identical. A run that holds a SecureString input this task does not send is not.
        The same rule picks the run to adopt after a lost answer.
      - Runs of every user that the connecting user can see are considered.
    type: str
    choices: [never, running, completed]
    default: never
  reuse_max_age:
    description:
      - With O(reuse=completed), how recent (by start date) a completed run must be to be reused.
      - A number of seconds (V(3600), V("1.5")) or a duration with units ms, s, m, h, d (V(90m), V(1h30m), V(2d)).
    type: raw
    default: 3600
  concurrency:
    description:
      - With O(runs), how many start requests may be in flight at once.
    type: int
    default: 4
  cancel_on_timeout:
    description:
      - When O(wait_timeout) passes, cancel the runs that are still going before failing.
      - Either way, the failure reports each run's id and last state.
    type: bool
    default: false
  on_user_interaction:
    description:
      - What to do when a run reaches C(waiting), that is, when it waits for a user interaction.
      - V(fail) fails with a message naming the interaction and how to answer it
        (M(cloudops.orchestrator.vro_interaction)).
      - V(return) returns successfully with RV(state=waiting).
      - V(keep_waiting) goes on waiting until someone answers it or O(wait_timeout) passes.
    type: str
    choices: [fail, return, keep_waiting]
    default: fail
  fetch_logs:
    description:
      - Return the run's log lines in RV(logs). Logs are always returned for a failed run.
    type: bool
    default: false
  strict_inputs:
    description:
      - An input the workflow declares but the task does not give (in O(inputs), O(raw_inputs), or an entry of
        O(runs)) is not sent at all, so vRO runs the workflow with that input unset.
      - V(false) warns, naming those inputs per run. V(true) fails before anything is started (check mode
        included), with the same names.
      - An input given as C(null) counts as given, which is how a task leaves one out on purpose without a warning.
    type: bool
    default: false
  return_secure_outputs:
    description:
      - Return the values of SecureString outputs in RV(outputs) and RV(outputs_raw) instead of C(********).
      - "B(Warning:) the values are then part of the task result, so they appear wherever results go, in the
        C(-vvv) output, callback plugins and logs, AWX/AAP job events, and in registered variables. Set
        C(no_log: true) on the task (the registered variable still holds the values for later tasks)."
      - A value equal to a secret this task sent (a SecureString input, a O(secret_inputs) value, a password)
        stays masked by Ansible.
      - Inputs are always masked, and in check mode there are no output values to return.
    type: bool
    default: false
notes:
  - The module talks to the vRO REST API only; it runs wherever the task runs, usually C(localhost).
  - SecureString values are masked (C(********)) in every result and message, unless O(return_secure_outputs)
    asks for SecureString outputs.
seealso:
  - module: cloudops.orchestrator.vro_execution_info
  - module: cloudops.orchestrator.vro_execution_cancel
  - module: cloudops.orchestrator.vro_interaction
'''

EXAMPLES = r'''
- name: Set the connection once for every vRO module of the play
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/cloudops.orchestrator.vro:
      url: https://vro.example.com
      username: svc-ansible@corp.local
      password: "{{ vault_vro_password }}"
      ca_path: /etc/pki/corp-ca.pem
  tasks:
    - name: Run a workflow by name, inputs in plain YAML
      cloudops.orchestrator.vro_workflow_run:
        workflow_name: AWSNEW
        inputs:
          name: web01
      register: run

    - name: Use its outputs
      ansible.builtin.debug:
        msg: "{{ run.outputs }} after {{ run.duration_seconds }}s"

- name: Fail before starting when a declared input is forgotten (by default, a warning names it)
  cloudops.orchestrator.vro_workflow_run:
    workflow_name: AWSNEW
    inputs:
      name: web02
    strict_inputs: true

- name: One input of every type (the simulator's Echo typed inputs workflow)
  cloudops.orchestrator.vro_workflow_run:
    workflow_name: Echo typed inputs
    category: Library
    inputs:
      str: hello                        # string
      num: 3                            # number
      flag: true                        # boolean
      secret: "{{ vault_secret }}"      # SecureString, masked in the results
      encrypted: "ENC(abc==)"           # EncryptedString
      when: "2026-01-31T10:00:00Z"      # Date
      pattern: "^web[0-9]+$"            # Regexp
      tags: [a, b]                      # Array/string
      matrix: [[1, 2], [3]]             # Array/Array/number
      props: {env: prod, tier: 2}       # Properties
      endpoint: {host: api.example.com, port: 8443}   # CompositeType(host:string,port:number):Endpoint
      vm: {type: "VC:VirtualMachine", id: "vc01.example.com/vm-42"}   # SDK object (a plain id string works too)
      attachment:                       # MimeAttachment from text; {name, mime_type, src: files/logo.png} reads a file
        name: report.csv
        mime_type: text/csv
        content: "id,name\n1,web01\n"
  register: echoed

- name: A password passed as a secret input (never logged, masked in every result)
  cloudops.orchestrator.vro_workflow_run:
    workflow_name: Create user
    inputs:
      user: alice
    secret_inputs:
      password: "{{ vault_alice_password }}"

- name: Something exotic, sent verbatim
  cloudops.orchestrator.vro_workflow_run:
    workflow_id: 1f3c2a9e-0000-4000-8000-000000000001
    inputs:
      text: hello
    raw_inputs:
      - name: datastores
        type: Array/VC:Datastore
        value: {array: {elements: [{sdk-object: {type: "VC:Datastore", id: "vc01/datastore-11"}}]}}

- name: Idempotent run - attach to an identical run that is still going
  cloudops.orchestrator.vro_workflow_run:
    workflow_name: Provision VM
    inputs: {name: web01, size: small}
    reuse: running

- name: Reuse a completed identical run from the last 10 minutes
  cloudops.orchestrator.vro_workflow_run:
    workflow_name: Provision VM
    inputs: {name: web01, size: small}
    reuse: completed
    reuse_max_age: 600

- name: Start and come back later
  cloudops.orchestrator.vro_workflow_run:
    workflow_name: Long backup
    inputs: {target: db01}
    wait: false
  register: started

- name: Do other things, then wait for that run
  cloudops.orchestrator.vro_execution_info:
    execution_url: "{{ started.href }}"
    wait_for: [completed]
    wait_timeout: 3600

- name: A bounded wait that cancels what is left
  cloudops.orchestrator.vro_workflow_run:
    workflow_name: Long backup
    inputs: {target: db01}
    wait_timeout: 300
    poll_interval: 1
    poll_interval_max: 10
    cancel_on_timeout: true

- name: A run that asks for approval - return while it waits
  cloudops.orchestrator.vro_workflow_run:
    workflow_name: Request approval
    inputs: {request: "more disk for db01"}
    on_user_interaction: return
  register: approval

- name: Several runs, four at a time, one wait
  cloudops.orchestrator.vro_workflow_run:
    workflow_name: Provision VM
    runs:
      - {name: web01, size: small}
      - {name: web02, size: small}
      - {name: db01, size: large}
    concurrency: 4
  register: batch

- name: Their ids, in the order given
  ansible.builtin.debug:
    msg: "{{ batch.executions | map(attribute='execution_id') | list }}"

- name: Preview the request without starting anything
  cloudops.orchestrator.vro_workflow_run:
    workflow_name: AWSNEW
    inputs: {name: web01}
  check_mode: true
  register: preview
'''

RETURN = r'''
changed:
  description:
    - Whether a run was started (or would be, in check mode). False when an existing run was reused.
    - A run adopted after a lost answer was started by this task, so it counts as a change.
  returned: always
  type: bool
execution_id:
  description: The id of the run. In check mode, when a run would be started, the placeholder C(check-mode-not-started).
  returned: without O(runs)
  type: str
  sample: 4f9a0c1e-8b3d-4e2a-9f10-6c2d7b5e1a01
workflow_id:
  description: The id of the workflow.
  returned: always
  type: str
workflow_name:
  description: The name of the workflow.
  returned: always
  type: str
name:
  description: The run's name as vRO reports it (usually the workflow's name).
  returned: without O(runs), when a run exists
  type: str
state:
  description:
    - The run's state, one of C(initializing), C(running), C(waiting), C(waiting-signal), C(suspended),
      C(completed), C(failed), C(canceled).
    - C(completed) after a successful wait; C(waiting) with O(on_user_interaction=return).
  returned: without O(runs)
  type: str
  sample: completed
href:
  description: The run's URL on the configured server, with the run id the start answer named (a C(Location) that
    names another host, such as a vRO node behind a load balancer, gives only the id). Give it to
    M(cloudops.orchestrator.vro_execution_info) as O(cloudops.orchestrator.vro_execution_info#module:execution_url).
    In check mode, a placeholder URL ending in C(check-mode-not-started/).
  returned: without O(runs), when a run exists or in check mode
  type: str
outputs:
  description: The run's output parameters decoded into plain values, by the same table as the inputs (dates as
    ISO strings, SDK objects as C({type, id}), attachments as C({name, mime_type, content})).
    In check mode, every declared output with a placeholder (see the check_mode attribute).
  returned: without O(runs), when a run exists or in check mode
  type: dict
  sample: {result: ok, tokens: [a, b]}
outputs_raw:
  description: The output parameters as vRO sent them, SecureString values masked (unless O(return_secure_outputs)).
  returned: without O(runs), when a run exists
  type: list
  elements: dict
inputs:
  description: The run's inputs as vRO recorded them, decoded, with SecureString values masked as C(********).
  returned: without O(runs), when a run exists
  type: dict
start_date:
  description: When the run started (ISO 8601, UTC).
  returned: without O(runs), when a run exists
  type: str
  sample: '2026-01-31T10:00:00.120Z'
end_date:
  description: When the run ended (ISO 8601, UTC); null while it runs.
  returned: without O(runs), when a run exists
  type: str
duration_seconds:
  description: Seconds between RV(start_date) and RV(end_date); null while it runs.
  returned: without O(runs), when a run exists
  type: float
started_by:
  description: The user who started the run.
  returned: without O(runs), when a run exists
  type: str
business_state:
  description: The business state the workflow last set, if any.
  returned: without O(runs), when a run exists
  type: str
content_exception:
  description: The exception text of a failed run.
  returned: without O(runs), when a run exists
  type: str
current_item:
  description: The display name of the workflow item the run is at.
  returned: without O(runs), when a run exists
  type: str
reused:
  description: True when an existing identical run was returned because of O(reuse).
  returned: always, per run
  type: bool
adopted:
  description: True when the answer to the start request was lost and the run it had created was found and
    adopted instead of starting another.
  returned: always, per run
  type: bool
logs:
  description:
    - The run's log lines, each with C(severity), C(time_stamp), C(user), C(short_description) and
      C(long_description).
  returned: when O(fetch_logs) is set or the run failed
  type: list
  elements: dict
interaction:
  description: The pending user interaction of a C(waiting) run (C(name)).
  returned: when the run is waiting
  type: dict
request:
  description: In check mode, the request that would be sent, with SecureString values masked.
  returned: in check mode, when a run would be started
  type: dict
  contains:
    method:
      description: C(POST).
      type: str
    url:
      description: The URL it would be sent to.
      type: str
    body:
      description: The execution-context, C({parameters:[{name, type, scope, value}]}).
      type: dict
  sample:
    method: POST
    url: https://vro.example.com/vco/api/workflows/1f3c2a9e/executions
    body:
      parameters:
        - {name: name, type: string, scope: local, value: {string: {value: web01}}}
        - {name: password, type: SecureString, scope: local, value: {secure-string: {value: '********'}}}
executions:
  description:
    - With O(runs), one entry per requested run, in the same order, each with the keys returned for a single
      run (RV(execution_id), RV(state), RV(outputs), RV(inputs), RV(changed), RV(reused), ...).
    - An entry whose run could not be started has a null C(execution_id) and an C(error) saying why.
  returned: with O(runs)
  type: list
  elements: dict
failed_runs:
  description: With O(runs), the indexes of the runs that failed, were canceled, or wait for an interaction.
  returned: when the task fails with O(runs)
  type: list
  elements: int
timed_out:
  description: True when the task failed because O(wait_timeout) passed.
  returned: on timeout
  type: bool
canceled:
  description: The ids of runs canceled because of O(cancel_on_timeout).
  returned: on timeout
  type: list
  elements: str
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
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro import workflow_run


def main():
    module = OrchestratorModule(
        product='vro',
        wait=True,
        argument_spec=dict(
            inputs=dict(type='dict'),
            runs=dict(type='list', elements='dict'),
            secret_inputs=SECRET_INPUTS_SPEC,
            raw_inputs=dict(type='list', elements='dict'),
            reuse=dict(type='str', default='never', choices=['never', 'running', 'completed']),
            reuse_max_age=dict(type='raw', default=3600.0),
            concurrency=dict(type='int', default=4),
            cancel_on_timeout=dict(type='bool', default=False),
            on_user_interaction=dict(type='str', default='fail', choices=['fail', 'return', 'keep_waiting']),
            fetch_logs=dict(type='bool', default=False),
            strict_inputs=dict(type='bool', default=False),
            return_secure_outputs=dict(type='bool', default=False),
        ),
        selector=workflow_selector(required=True, category_needs_name=True),
        mutually_exclusive=[('inputs', 'runs')],
        supports_check_mode=True,
        minimums={'concurrency': 1, 'reuse_max_age': 0},
    )
    module.run(workflow_run.run)


if __name__ == '__main__':
    main()
