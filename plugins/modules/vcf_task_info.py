#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vcf_task_info
short_description: Read VMware Cloud Foundation SDDC Manager tasks, or wait for one to reach a status
version_added: 0.1.0
description:
  - Reads one SDDC Manager task by id, several by id, or the task list filtered on the server.
  - Paging is complete, C(pageSize) 100 at a time up to O(max_results).
  - Each task carries its normalised status (upper-case, C(_) for spaces) and the raw one, because SDDC Manager
    mixes C(FAILED) and C(Failed) in one listing.
  - With O(wait_for), waits until one task reaches one of the given statuses; the access token is refreshed
    while waiting.
  - Credential rotation and update tasks are read through C(/v1/credentials/tasks) when C(/v1/tasks) does not
    know them.
author:
  - cloudops.orchestrator contributors (@cloudops)
extends_documentation_fragment:
  - cloudops.orchestrator.connection.vcf
  - cloudops.orchestrator.wait
  - cloudops.orchestrator.attributes
  - cloudops.orchestrator.attributes.info_module
  - cloudops.orchestrator.attributes.vcf_group
options:
  task_id:
    description:
      - The id of one task.
    type: str
  task_ids:
    description:
      - The ids of several tasks. May be combined with O(task_id).
    type: list
    elements: str
  status:
    description:
      - List filter, on the server. Any spelling works (C(In Progress) or C(IN_PROGRESS)).
      - A documented SDDC Manager task status (C(PENDING), C(QUEUED), C(IN_PROGRESS), C(SUCCESSFUL),
        C(COMPLETED_WITH_WARNING), C(SKIPPED), C(FAILED), C(TIMED_OUT), C(CANCELLED), C(USER_CANCELLED),
        C(INCONSISTENT), C(NOT_APPLICABLE)); any other name fails the task before anything is sent, listing them.
    type: str
  type:
    description:
      - List filter, on the server, the task type, for example C(HOST_COMMISSION).
    type: str
  name_contains:
    description:
      - List filter, on the server, text the task name contains.
    type: str
  resource_id:
    description:
      - List filter, on the server, the id of a resource the task is about.
    type: str
  resource_type:
    description:
      - List filter, on the server, the type of a resource the task is about, for example C(ESXI).
    type: str
  completed_after:
    description:
      - List filter, tasks completed after this time, as ISO 8601 (C(2026-03-01T00:00:00Z)) or epoch milliseconds.
      - SDDC Manager filters on it (C(completedAfter)), and counts only C(SUCCESSFUL) and C(FAILED) tasks as
        completed (the VCF 9.0 API reference), so tasks of other statuses are not listed with it.
      - SDDC Manager may leave out the completion time of a failed task (the VCF 4.4 API reference's own sample has
        such a C(Failed) task); C(completedAfter) cannot return such a task. So a C(SUCCESSFUL) or C(FAILED) task
        without a completion time is listed when it was B(created) after this time (its failure came after its
        creation); one created before it is left out, as its failure may be long past. Its C(completion_timestamp) is
        null, and with O(order_by=completionTimestamp) it is ordered at its creation.
      - Finding them takes one more listing (with the other filters, newest creation first, read until a task created
        before this time; in each spelling of O(status) on a server that matches it exactly).
    type: raw
  completed_before:
    description:
      - List filter, applied by the module (SDDC Manager has none), tasks completed at or before this time, as ISO 8601
        with any offset (C(2026-03-31T23:59:59Z), C(2026-04-01T01:59:59+02:00)) or epoch milliseconds. Times are
        compared as instants.
      - A task without a completion time is placed by its creation time, as with O(completed_after); a task with
        neither is kept.
      - With O(max_results), the server's list is cut first and filtered after.
    type: raw
  order:
    description:
      - The order of the list by O(order_by) (C(orderDirection)).
    type: str
    choices: [asc, desc]
  order_by:
    description:
      - The field the list is ordered by (C(orderBy)); SDDC Manager orders by C(creationTimestamp) by default.
    type: str
  max_results:
    description:
      - The most tasks returned from a list.
    type: int
    default: 1000
  wait_for:
    description:
      - Wait until the task (exactly one, by O(task_id)) reaches one of these statuses, given in any spelling
        (C(SUCCESSFUL), C(Successful)).
      - Each must be a documented status, as for O(status); any other name fails the task before anything is sent.
      - When the task ends in a status that is not listed (for example C(FAILED) while waiting for
        C(SUCCESSFUL)), the module fails at once with the task's failed sub-tasks and errors.
      - Uses O(wait_timeout), O(poll_interval) and O(poll_interval_max). O(wait) is not used.
    type: list
    elements: str
notes:
  - In check mode O(wait_for) does not wait.
seealso:
  - module: cloudops.orchestrator.vcf_task_retry
'''

EXAMPLES = r'''
- name: Read one task
  cloudops.orchestrator.vcf_task_info:
    url: https://sddc-manager.example.com
    username: administrator@vsphere.local
    password: "{{ vcf_password }}"
    task_id: 7a5e0001-5e1f-4c0d-9a11-000000000001
  register: one

- name: Show its status and failed sub-tasks
  ansible.builtin.debug:
    msg: "{{ one.tasks[0].status }}: {{ one.tasks[0].subtask_summary.failed | join(', ') }}"

- name: Every failed host commissioning of this year, newest first
  cloudops.orchestrator.vcf_task_info:
    status: FAILED
    type: HOST_COMMISSION
    completed_after: "2026-01-01T00:00:00Z"
    order: desc
  register: failed

- name: Wait up to an hour for an upgrade to finish well
  cloudops.orchestrator.vcf_task_info:
    task_id: "{{ upgrade_task_id }}"
    wait_for: [SUCCESSFUL, COMPLETED_WITH_WARNING]
    wait_timeout: 3600
'''

RETURN = r'''
changed:
  description: Always false.
  returned: always
  type: bool
tasks:
  description:
    - Every field of each task in snake_case (C(id), C(name), C(type), C(creation_timestamp),
      C(completion_timestamp), C(sub_tasks), C(errors) (C(error_code), C(remediation_message), C(reference_token),
      ...), C(resources) (C(resource_id), ...), C(resolution_status), C(is_cancellable), C(is_retryable)), sub-tasks
      and errors included, plus the keys below. Times are ISO 8601 UTC ending in C(Z); an empty string from the
      server is null; the keys of an error's C(context) are kept as the server sent them.
    - The fields named above are always there; one SDDC Manager did not send is null (C(sub_tasks), C(errors) and
      C(resources) are then empty lists).
    - The task as SDDC Manager sent it (camelCase) is in C(raw).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The task id.
      type: str
    status:
      description: The normalised status, for example C(IN_PROGRESS).
      type: str
      sample: FAILED
    status_raw:
      description: The status exactly as SDDC Manager spelled it.
      type: str
      sample: Failed
    credentials_task:
      description: Whether the task was read through the credentials task API.
      type: bool
    subtask_summary:
      description: Sub-task counts by normalised status (C(counts)), their C(total), and the C(failed) ones by name.
      type: dict
      sample: {"total": 3, "counts": {"SUCCESSFUL": 1, "FAILED": 1, "PENDING": 1}, "failed": ["ConfigureVsanDatastoreAction"]}
    is_retryable:
      description: SDDC Manager's retry flag (C(isRetryable)); null when it gives none.
      type: bool
    completion_timestamp:
      description: When the task completed, ISO 8601 UTC (C(Z)); null while it runs.
      type: str
      sample: "2026-01-31T10:00:02.450Z"
    sub_tasks:
      description: The sub-tasks, each in snake_case like the task (C(name), C(status), C(creation_timestamp), C(errors), ...).
      type: list
      elements: dict
    raw:
      description:
        - The task exactly as SDDC Manager sent it (camelCase keys, its own time format). The keys above are the
          collection's; read C(raw) only for what they leave out.
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
from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import OrchestratorModule
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf import task_info


def main():
    module = OrchestratorModule(
        product='vcf',
        wait=True,
        argument_spec=dict(
            task_id=dict(type='str'),
            task_ids=dict(type='list', elements='str'),
            status=dict(type='str'),
            type=dict(type='str'),
            name_contains=dict(type='str'),
            resource_id=dict(type='str'),
            resource_type=dict(type='str'),
            completed_after=dict(type='raw'),
            completed_before=dict(type='raw'),
            order=dict(type='str', choices=['asc', 'desc']),
            order_by=dict(type='str'),
            max_results=dict(type='int', default=1000),
            wait_for=dict(type='list', elements='str'),
        ),
        supports_check_mode=True,
        minimums={'max_results': 1},
    )
    module.run(task_info.run)


if __name__ == '__main__':
    main()
