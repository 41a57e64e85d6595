# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudops.orchestrator.vcf_tasks: an ansible-rulebook event source for SDDC Manager tasks that reach a status."""

from __future__ import annotations

import logging
import os
import sys

DOCUMENTATION = r"""
---
short_description: One event per SDDC Manager task that reaches a watched status (failed by default).
description:
  - >-
    An ansible-rulebook event source that polls SDDC Manager (C(/v1/tasks)) and puts one event per task that reaches
    one of O(statuses), as C({"vcf_task": {...}, "status": "FAILED", "previous_status": ...}). C(vcf_task) is the task as
    M(cloudops.orchestrator.vcf_task_info) returns it; C(previous_status) is the status the source saw last for that task
    (null for a task it had not seen).
  - Each change is emitted once, also across a restart of the source, through a small state file (O(state_file)). At the
    first start, what is already in a watched status is not emitted unless O(emit_existing) is true.
  - Polling is cheap. C(completedAfter) lists only what finished since the last poll (one page in the steady state).
    Statuses it does not cover, or a server that refuses it, are listed by C(taskStatus), newest first, one page each.
  - A task without a completion time (the 4.4 API reference shows a C(Failed) task without C(completionTimestamp)) is
    never listed by C(completedAfter). So the statuses it covers (C(FAILED), C(SUCCESSFUL)) are also listed by
    C(taskStatus), newest 100, at the first poll and then every 10th poll or every 5 minutes, whichever comes first.
    That costs one or two more requests each time (C(Failed) and C(FAILED), both asked unless the server's answer shows
    that it matches any spelling). Such a task is emitted at the first of those listings after it failed. What one of
    them shows at the first start is taken as already there.
  - A failed poll (server down, HTML, wrong shape, 429, 401) is logged once per outage and retried with a backoff.
    The source never stops for it.
options:
  url:
    description: SDDC Manager URL. Falls back to E(VCF_URL).
    type: str
    required: true
  username:
    description: User for C(POST /v1/tokens). Falls back to E(VCF_USERNAME).
    type: str
  password:
    description: Password of O(username). Falls back to E(VCF_PASSWORD).
    type: str
  token:
    description: A ready access token instead of O(username)/O(password). Falls back to E(VCF_TOKEN).
    type: str
  validate_certs:
    description: Check the server certificate. Falls back to E(VCF_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description: CA bundle (PEM) that signed the server certificate. Falls back to E(VCF_CA_PATH).
    type: path
  timeout:
    description: Per-request timeout, in seconds (V(30)) or with units ms, s, m, h, d (V(30s), V(2m)). Falls back to E(VCF_TIMEOUT).
    type: raw
    default: 30
  interval:
    description: Time between polls, in seconds (V(30)) or with units ms, s, m, h, d (V(30s), V(5m), V(1h)) (backoff after failures goes up to 300 seconds).
    type: raw
    default: 30
  statuses:
    description: Task statuses to emit, any spelling (C(Failed), C(FAILED)).
    type: list
    elements: str
    default: [FAILED]
  emit_existing:
    description: At the first start (no state file yet), also emit the tasks already in a watched status.
    type: bool
    default: false
  escape_jinja:
    description:
      - Make the text of each event inert for Jinja, dict keys included. Each C({) that opens a Jinja delimiter
        (C({{), C({%), C({#)) is written as C({{ '{' }}), and the C(#) of a leading C(#jinja2:) header as C({{ '#' }}).
        Text without them is not changed.
      - ansible-rulebook's C(run_playbook) and C(run_module) hand the event to ansible-playbook as extra vars, which it
        templates. Unescaped, a name, error text, input or output that any user of the server can choose would run as
        a template on this host, lookups and commands included. Escaped, the playbook sees exactly the server's text.
      - Where nothing templates the event, the escape shows in such a text (rule conditions, C(print_event), C(debug),
        the launch-time extra vars of an AWX/AAP job template, which AWX marks unsafe).
      - Set V(false) only when every action of the rulebook hands the event to something that does not template it
        (C(run_job_template) with the AWX setting C(ALLOW_JINJA_IN_EXTRA_VARS) at its default C(template)). With
        C(run_playbook) or C(run_module), V(false) lets anyone who can name a run or fail a task run commands on this
        host.
    type: bool
    default: true
  state_file:
    description:
      - Where the source keeps what it emitted (JSON, mode 0600, written atomically).
      - The default is C($XDG_CACHE_HOME/cloudops.orchestrator/eda/vcf_tasks-<hash>.json) (C(~/.cache) without
        E(XDG_CACHE_HOME)). The hash is taken over the URL, the user and O(statuses).
    type: path
"""

EXAMPLES = r"""
- name: Retry failed SDDC Manager tasks
  hosts: localhost
  sources:
    - cloudops.orchestrator.vcf_tasks:
        url: https://sddc-manager.example.com
        username: administrator@vsphere.local
        password: "{{ vcf_password }}"
        interval: 30
  rules:
    - name: Retry a failed task
      condition: event.status == "FAILED"
      action:
        run_playbook:
          name: cloudops.orchestrator.eda_vcf_retry_task
"""


def _collections_path():
    """Make ``ansible_collections.cloudops.orchestrator`` importable from the tree this file was loaded from
    (``<root>/ansible_collections/cloudops/orchestrator/extensions/eda/plugins/event_source/<source>.py``)."""
    parts = os.path.abspath(__file__).split(os.sep)
    if len(parts) > 8 and parts[-8] == 'ansible_collections':
        root = os.sep.join(parts[:-8]) or os.sep
        if root not in sys.path:
            sys.path.insert(0, root)


_collections_path()

# pylint: disable=wrong-import-position
from ansible_collections.cloudops.orchestrator.plugins.module_utils import _watch  # noqa: E402
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import CONNECTION, TaskService  # noqa: E402
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.watch import VcfTaskWatch  # noqa: E402

NAME = 'cloudops.orchestrator.vcf_tasks'


async def main(queue, args):
    """Poll SDDC Manager and put one event per task that reaches a watched status."""
    log = logging.getLogger(NAME)
    options = _watch.connection('vcf', args)
    emit_existing = _watch.to_bool(args.get('emit_existing', False), 'emit_existing')
    client = _watch.build_client('vcf', options, CONNECTION, log)
    watcher = VcfTaskWatch(TaskService(client), _watch.string_list(args.get('statuses'), 'statuses'), emit_existing,
                           log=log)
    identity = {'url': options['url'], 'user': options.get('username'), 'statuses': sorted(watcher.statuses)}
    await _watch.serve(queue, args, 'vcf_tasks', watcher, [client], identity, log)
