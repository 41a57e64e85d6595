# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudops.orchestrator.ico_tasks: an ansible-rulebook event source for ICO task status changes."""

from __future__ import annotations

import logging
import os
import sys

DOCUMENTATION = r"""
---
short_description: One event per IBM Cloud Orchestrator task status change in the watched projects.
description:
  - >-
    An ansible-rulebook event source that polls the ICO 2.5 task engine (C(/orchestrator/v2/tasks)). It puts one
    event per task status change as C({"ico_task": {...}, "status": "FAILED", "previous_status": "RUNNING"}).
  - C(ico_task) is the task as M(cloudops.orchestrator.orch_task_info) returns it. A task that appears after the
    first start has C(previous_status) null. With O(statuses), only changes to those statuses are emitted.
  - Each change is emitted once, also across a restart of the source, through a small state file (O(state_file)).
    At the first start, the tasks as they are then are not emitted unless O(emit_existing) is true.
  - ICO's task list takes no filters, so each poll is one C(GET /tasks) per project.
  - A failed poll (server down, HTML, wrong shape, 401) is logged once per outage and retried with a backoff.
    The source never stops for it.
options:
  url:
    description: ICO URL. Falls back to E(ICO_URL).
    type: str
    required: true
  username:
    description: ICO user (HTTP Basic). Falls back to E(ICO_USERNAME).
    type: str
  password:
    description: Password of O(username). Falls back to E(ICO_PASSWORD).
    type: str
  domain:
    description: Sent as the C(domainName) header. Falls back to E(ICO_DOMAIN).
    type: str
  project:
    description: Sent as the C(projectName) header when O(projects) is not set. Falls back to E(ICO_PROJECT).
    type: str
  validate_certs:
    description: Check the server certificate. Falls back to E(ICO_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description: CA bundle (PEM) that signed the server certificate. Falls back to E(ICO_CA_PATH).
    type: path
  timeout:
    description: Per-request timeout, in seconds (V(30)) or with units ms, s, m, h, d (V(30s), V(2m)). Falls back to E(ICO_TIMEOUT).
    type: raw
    default: 30
  interval:
    description: Time between polls, in seconds (V(30)) or with units ms, s, m, h, d (V(30s), V(5m), V(1h)) (backoff after failures goes up to 300 seconds).
    type: raw
    default: 30
  projects:
    description:
      - Projects whose tasks are watched. Each is listed with its own C(projectName) header, and tasks of other
        projects are left out (an admin sees every project's tasks).
      - Without it, the tasks O(project) (or the user's default project) shows.
    type: list
    elements: str
  statuses:
    description: Emit only changes to these statuses (C(FAILED), C(COMPLETED), ...). Default every change.
    type: list
    elements: str
  emit_existing:
    description: At the first start (no state file yet), also emit every task as it is then (those in O(statuses) when given).
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
      - The default is C($XDG_CACHE_HOME/cloudops.orchestrator/eda/ico_tasks-<hash>.json) (C(~/.cache) without
        E(XDG_CACHE_HOME)). The hash is taken over the URL, the user and the projects.
    type: path
"""

EXAMPLES = r"""
- name: React to failed ICO tasks
  hosts: localhost
  sources:
    - cloudops.orchestrator.ico_tasks:
        url: https://ico.example.com
        username: admin
        password: "{{ ico_password }}"
        projects: [finance, engineering]
        statuses: [FAILED]
  rules:
    - name: Print the failure
      condition: event.status == "FAILED"
      action:
        debug:
          msg: "{{ event.ico_task.id }} failed: {{ event.ico_task.error_message }}"
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
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import CONNECTION, TaskEngine  # noqa: E402
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.watch import IcoTaskWatch  # noqa: E402

NAME = 'cloudops.orchestrator.ico_tasks'


async def main(queue, args):
    """Poll the ICO task engine and put one event per task status change."""
    log = logging.getLogger(NAME)
    options = _watch.connection('ico', args)
    emit_existing = _watch.to_bool(args.get('emit_existing', False), 'emit_existing')
    projects = _watch.string_list(args.get('projects'), 'projects')
    clients = [_watch.build_client('ico', options, CONNECTION, log, project=project)
               for project in (projects or [options.get('project')])]
    engines = [TaskEngine(client, user=options.get('username'), project=client.auth.project) for client in clients]
    statuses = _watch.string_list(args.get('statuses'), 'statuses')
    watcher = IcoTaskWatch(engines, statuses, projects, emit_existing, log=log)
    identity = {'url': options['url'], 'user': options.get('username'), 'projects': sorted(projects),
                'project': options.get('project'), 'statuses': sorted(watcher.statuses)}
    await _watch.serve(queue, args, 'ico_tasks', watcher, clients, identity, log)
