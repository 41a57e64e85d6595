#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vcf_task_retry
short_description: Retry failed VMware Cloud Foundation SDDC Manager tasks and wait for them
version_added: 0.1.0
description:
  - Retries failed SDDC Manager tasks with C(PATCH /v1/tasks/{id}), chosen by id or by a selector, and waits
    until each retried task has finished.
  - Statuses are normalised before they are compared (upper-case, spaces to C(_)), because SDDC Manager
    mixes C(FAILED) and C(Failed) in one listing.
  - A C(FAILED) task whose C(isRetryable) is not false is retried (C(changed=true)). C(PENDING), C(QUEUED) and
    C(IN_PROGRESS) tasks are not retried; with O(wait) the module waits for them. C(SUCCESSFUL),
    C(COMPLETED_WITH_WARNING) and C(SKIPPED) tasks need nothing. A C(CANCELLED) task, or one SDDC Manager
    marks as not retryable, makes the module fail and say why; nothing is then sent for any task, unless
    O(skip_not_retryable) is set.
  - Credential rotation and update tasks cannot be retried through C(/v1/tasks). They are recognised by their
    type (or by the server refusing the retry for that reason) and retried with
    C(PATCH /v1/credentials/tasks/{id}) instead.
  - A retry is never sent twice. When the answer to a retry is lost (connection reset or timeout after the request
    was sent), the task is read again for the adoption window (O(timeout) plus 10 seconds, within O(wait_timeout));
    once it moves on, the retry is counted as done; if it is still failed at the end, the module fails saying the
    retry may or may not have been applied.
  - The access token is refreshed while waiting, so waits longer than a token's lifetime work.
  - SDDC Manager may show a retried task in its old failed state for a while before it runs again (VMware's own
    samples wait minutes before polling a retried task). For O(retry_grace) seconds after a retry, a task that
    still reads the failure it had before (same status, C(completionTimestamp) and C(errors)) counts as not started
    yet, not as failed again, and no second retry is sent for it.
  - Task lists filtered by status ask for each spelling of the status (C(Failed) and C(FAILED)), so that the
    answer is the same whether SDDC Manager matches C(taskStatus) exactly or not. Paging works whether the server
    counts pages from 0 or 1, or ignores paging.
author:
  - cloudops.orchestrator contributors (@cloudops)
extends_documentation_fragment:
  - cloudops.orchestrator.connection.vcf
  - cloudops.orchestrator.wait
  - cloudops.orchestrator.attributes
  - cloudops.orchestrator.attributes.vcf_group
attributes:
  check_mode:
    support: full
    details: Reports which tasks would be retried; sends no retry and does not wait.
  diff_mode:
    support: none
options:
  task_id:
    description:
      - The id of one task to retry.
    type: str
  task_ids:
    description:
      - The ids of several tasks to retry. May be combined with O(task_id).
    type: list
    elements: str
  failed_tasks:
    description:
      - Retry every failed task matching this selector. Every given field must match.
      - The filters are sent to SDDC Manager and checked again on each returned task. Paging is handled.
      - An empty mapping selects every failed task.
    type: dict
    suboptions:
      name_contains:
        description: Text the task name contains (case-insensitive).
        type: str
      type:
        description: The task type, for example C(HOST_COMMISSION) or C(CREDENTIALS_ROTATE).
        type: str
      resource_id:
        description: The id of a resource the task is about.
        type: str
      resource_type:
        description: The type of a resource the task is about, for example C(ESXI) or C(CLUSTER).
        type: str
      completed_after:
        description:
          - Only tasks that completed after this time, as ISO 8601 (C(2026-03-01T00:00:00Z)) or epoch
            milliseconds.
          - A failed task without a completion time (SDDC Manager may leave it out; the VCF 4.4 API reference's sample
            has such a task) is selected when it was created after this time, never when it was created before; see
            O(cloudops.orchestrator.vcf_task_info#module:completed_after).
        type: raw
  max_results:
    description:
      - The most tasks O(failed_tasks) reads from SDDC Manager (pages of 100).
    type: int
    default: 1000
  max_attempts:
    description:
      - How many retries this module sends per task, in total. With V(1) a task that fails again makes the module
        fail; with V(2) it is retried once more first, and so on.
      - Needs O(wait), since a task that fails again is only seen by waiting.
    type: int
    default: 1
  retry_grace:
    description:
      - Seconds after a retry during which a task still reading its pre-retry failure (same status,
        C(completionTimestamp) and C(errors)) is taken as not started yet rather than failed again. No second retry
        is sent for a task within this time.
      - When the task still shows no sign of the retry after this time, the module fails saying so, or, with
        O(max_attempts) left, retries it again.
      - A number of seconds (V(120), V("1.5")) or a duration with units ms, s, m, h, d (V(90s), V(2m), V(1h30m)).
    type: raw
    default: 120
  skip_not_retryable:
    description:
      - What to do with tasks that cannot be retried (cancelled, marked C(isRetryable=false), C(INCONSISTENT), a
        credentials C(UPDATE) without O(credentials_update), or a status no retry applies to).
      - V(false) keeps the retry all-or-nothing - one such task makes the module fail and nothing is sent for any task.
      - V(true) retries the others and lists each skipped task, with the reason, in RV(skipped_tasks); in check mode too.
    type: bool
    default: false
  credentials_update:
    description:
      - The resources and new passwords to send when retrying a credentials C(UPDATE) task (the C(elements) of the
        C(CredentialsUpdateSpec) of C(PATCH /v1/credentials/tasks/{id})). SDDC Manager does not keep the passwords
        of a failed update, so such a retry needs them again.
      - Without it a credentials C(UPDATE) task is not retried and the module fails saying so (nothing is sent for
        any task). Credentials C(ROTATE) tasks do not need it.
    type: list
    elements: dict
    suboptions:
      resource_type:
        description: The resource type, for example C(ESXI), C(VCENTER) or C(NSXT_MANAGER).
        type: str
        required: true
      resource_name:
        description: The resource name (FQDN), as the task lists it.
        type: str
      resource_id:
        description: The resource id.
        type: str
      credentials:
        description: The accounts of the resource to update.
        type: list
        elements: dict
        required: true
        suboptions:
          username:
            description: The account name.
            type: str
            required: true
          password:
            description: The new password.
            type: str
            required: true
          credential_type:
            description: The credential type, for example C(SSH) or C(API).
            type: str
          account_type:
            description: The account type, for example C(USER) or C(SYSTEM).
            type: str
notes:
  - At least one of O(task_id), O(task_ids) or O(failed_tasks) is required.
  - Tasks that fail again make the module fail. The failure names the failed sub-tasks and carries the task's
    errors with their C(message), C(remediation_message) and C(reference_token).
  - A C(409) from SDDC Manager (for example when someone else retried the task first) fails the module with the
    server's C(message) and C(remediation_message).
seealso:
  - module: cloudops.orchestrator.vcf_task_info
'''

EXAMPLES = r'''
- name: Retry one failed task and wait for it
  cloudops.orchestrator.vcf_task_retry:
    url: https://sddc-manager.example.com
    username: administrator@vsphere.local
    password: "{{ vcf_password }}"
    task_id: 7a5e0001-5e1f-4c0d-9a11-000000000001

- name: Retry a task that sometimes fails twice, waiting at most 30 minutes
  cloudops.orchestrator.vcf_task_retry:
    task_id: "{{ task_id }}"
    max_attempts: 2
    wait_timeout: 1800

- name: Retry every failed remediation task of the last day, without waiting
  cloudops.orchestrator.vcf_task_retry:
    failed_tasks:
      name_contains: remediation
      completed_after: "{{ '%Y-%m-%dT%H:%M:%SZ' | strftime(now(utc=true).timestamp() - 86400) }}"
    wait: false
  register: retried

- name: Connection set once for the whole play
  module_defaults:
    group/cloudops.orchestrator.vcf:
      url: https://sddc-manager.example.com
      username: administrator@vsphere.local
      password: "{{ vcf_password }}"
      ca_path: /etc/pki/sddc-ca.pem
  block:
    - name: Show what would be retried
      cloudops.orchestrator.vcf_task_retry:
        failed_tasks:
          type: CREDENTIALS_ROTATE
      check_mode: true
      register: plan

    - name: Report
      ansible.builtin.debug:
        msg: "{{ plan.retried | length }} credentials task(s) would be retried"

- name: Retry every failed task that can be retried, listing the ones that cannot
  cloudops.orchestrator.vcf_task_retry:
    failed_tasks: {}
    skip_not_retryable: true
  register: bulk

- name: Show what was skipped and why
  ansible.builtin.debug:
    msg: "{{ item.id }}: {{ item.reason }}"
  loop: "{{ bulk.skipped_tasks }}"

- name: Retry a failed credentials update with the new password
  cloudops.orchestrator.vcf_task_retry:
    task_id: "{{ update_task_id }}"
    credentials_update:
      - resource_type: ESXI
        resource_name: sfo01-m01-esx01.rainpole.io
        credentials:
          - credential_type: SSH
            username: root
            password: "{{ new_root_password }}"
'''

RETURN = r'''
changed:
  description: Whether a retry was sent (or, in check mode, would be).
  returned: always
  type: bool
msg:
  description: A one-line summary, or why the module failed.
  returned: always
  type: str
  sample: "retried 1 task(s): 7a5e0001-5e1f-4c0d-9a11-000000000001"
retried:
  description: The ids of the tasks retried (in check mode, the ones that would be).
  returned: always
  type: list
  elements: str
skipped_tasks:
  description:
    - The tasks left alone because they cannot be retried, each with its C(id) and the C(reason), with
      O(skip_not_retryable=true). Empty otherwise.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 7a5e0005-5e1f-4c0d-9a11-000000000005
      reason: "task 7a5e0005-5e1f-4c0d-9a11-000000000005 was cancelled (Cancelled); a cancelled task cannot be retried, start
        the operation again"
  contains:
    id:
      description: The task id.
      type: str
    reason:
      description: Why it cannot be retried.
      type: str
matched:
  description: How many failed tasks matched O(failed_tasks).
  returned: when O(failed_tasks) is set
  type: int
tasks:
  description: One entry per task considered, in its state at the end of the run.
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
    type:
      description: The task type, when SDDC Manager gives one.
      type: str
    status:
      description: The normalised status (upper-case, C(_) for spaces), for example C(IN_PROGRESS).
      type: str
      sample: SUCCESSFUL
    status_raw:
      description: The status exactly as SDDC Manager spelled it.
      type: str
      sample: Successful
    attempts:
      description: How many retries this run sent for the task.
      type: int
    retried:
      description: Whether this run retried the task (or would, in check mode).
      type: bool
    credentials_task:
      description: Whether the task was handled through the credentials task API.
      type: bool
    is_retryable:
      description: The server's C(isRetryable) flag; null when it gives none.
      type: bool
    resolution_status:
      description: C(RESOLVED) or C(UNRESOLVED).
      type: str
    creation_timestamp:
      description: When the task was created, ISO 8601 UTC (C(Z)).
      type: str
      sample: "2026-01-31T10:00:00.120Z"
    completion_timestamp:
      description: When the task completed, ISO 8601 UTC (C(Z)); null while it runs.
      type: str
    subtasks:
      description: The task's sub-task summary.
      type: dict
      contains:
        total:
          description: How many sub-tasks (nested ones included).
          type: int
        counts:
          description: Sub-task counts by normalised status.
          type: dict
          sample: {"SUCCESSFUL": 2, "FAILED": 1}
        failed:
          description: The names of the failed sub-tasks.
          type: list
          elements: str
    errors:
      description: The task's errors (see RV(errors)).
      type: list
      elements: dict
    raw:
      description:
        - The task exactly as SDDC Manager sent it (camelCase keys, its own time format). The keys above are the
          collection's; read C(raw) only for what they leave out.
      type: dict
subtasks:
  description: The sub-task summary over every task.
  returned: always
  type: dict
  contains:
    total:
      description: How many sub-tasks.
      type: int
    counts:
      description: Sub-task counts by normalised status.
      type: dict
    failed:
      description: The failed sub-tasks, each with C(task_id) and C(name).
      type: list
      elements: dict
errors:
  description: The errors of every task, from the task and from its sub-tasks.
  returned: always
  type: list
  elements: dict
  contains:
    task_id:
      description: The task the error belongs to.
      type: str
    subtask:
      description: The sub-task the error belongs to, when it is a sub-task's.
      type: str
    message:
      description: SDDC Manager's message.
      type: str
    remediation_message:
      description: What SDDC Manager suggests doing about it (its C(remediationMessage)).
      type: str
    reference_token:
      description: The token that finds the error in the SDDC Manager logs (give it to support).
      type: str
    error_code:
      description: The error code.
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
from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import OrchestratorModule
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf import task_retry


def main():
    module = OrchestratorModule(
        product='vcf',
        wait=True,
        argument_spec=dict(
            task_id=dict(type='str'),
            task_ids=dict(type='list', elements='str'),
            failed_tasks=dict(type='dict', options=dict(
                name_contains=dict(type='str'),
                type=dict(type='str'),
                resource_id=dict(type='str'),
                resource_type=dict(type='str'),
                completed_after=dict(type='raw'),
            )),
            max_results=dict(type='int', default=1000),
            max_attempts=dict(type='int', default=1),
            retry_grace=dict(type='raw', default=120.0),
            skip_not_retryable=dict(type='bool', default=False),
            credentials_update=dict(type='list', elements='dict', options=dict(
                resource_type=dict(type='str', required=True),
                resource_name=dict(type='str'),
                resource_id=dict(type='str'),
                credentials=dict(type='list', elements='dict', required=True, options=dict(
                    username=dict(type='str', required=True),
                    password=dict(type='str', required=True, no_log=True),
                    credential_type=dict(type='str'),
                    account_type=dict(type='str'),
                )),
            )),
        ),
        required_one_of=[('task_id', 'task_ids', 'failed_tasks')],
        supports_check_mode=True,
        minimums={'max_attempts': 1, 'max_results': 1, 'retry_grace': 0},
    )
    module.run(task_retry.run)


if __name__ == '__main__':
    main()
