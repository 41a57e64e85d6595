# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudops.orchestrator.vro_executions: an ansible-rulebook event source for vRO runs that reach a state."""

from __future__ import annotations

import logging
import os
import sys

DOCUMENTATION = r"""
---
short_description: One event per run of the watched vRO workflows that reaches a watched state (failed by default).
description:
  - >-
    An ansible-rulebook event source that polls vRO and puts one event per run of the watched workflows that reaches
    one of O(states). The event is C({"vro_execution": {...}, "state": "failed", "workflow_id": ..., "workflow_name": ...,
    "error": ...}).
  - C(vro_execution) is the run as M(cloudops.orchestrator.vro_execution_info) returns it (id, workflow, state,
    start and end, started-by, the error in C(content_exception), inputs with SecureStrings masked).
  - When the run's details cannot be read (deleted since it was listed, or an answer of the wrong shape), the event
    holds what the list says without the error text (C(error) is null), since the SecureString values it may quote
    are unknown; C(error_withheld) then says so.
  - C(waiting) in O(states) emits the runs waiting for a user interaction. A run that waits a second time is emitted
    again.
  - Each run and state is emitted once, also across a restart of the source, through a small state file
    (O(state_file)). At the first start, the runs already in a watched state are not emitted unless O(emit_existing)
    is true.
  - Polling uses the run filters (C(conditions) on the state, C(sortOrders=-startDate)). That is one page per
    workflow and state in the steady state.
  - When a page of 100 runs holds only new runs, the next page is read, up to 10 pages (1000 runs per workflow and
    state per poll); past that a warning says that older runs may have been missed.
  - A failed poll (server down, HTML, wrong shape, 429, 401) is logged once per outage and retried with a backoff.
    The source never stops for it.
options:
  url:
    description: vRO URL. Falls back to E(VRO_URL).
    type: str
    required: true
  username:
    description: vRO user. Falls back to E(VRO_USERNAME).
    type: str
  password:
    description: Password of O(username). Falls back to E(VRO_PASSWORD).
    type: str
  token:
    description:
      - Bearer token (O(auth=token)), a vRA API/refresh token (O(auth=vra)), or an API token of the tenant
        O(auth_tenant). Falls back to E(VRO_TOKEN).
      - With O(auth=token) and O(username) and O(password) set as well (the token of a C(vro_login) task), the token
        is used until the server refuses it (once it has expired); then the source logs in with the vRA login once
        and goes on with the new token, as the modules do.
    type: str
  auth:
    description: C(basic), C(vra) (vRA/Aria login) or C(token). Falls back to E(VRO_AUTH).
    type: str
    choices: [basic, vra, token]
  auth_domain:
    description: Domain sent to the vRA login. Falls back to E(VRO_AUTH_DOMAIN).
    type: str
  auth_tenant:
    description:
      - The tenant (organization) of a VCF Automation 9 / Aria Automation OAuth tenant login. O(token) must then hold
        an API token created in that tenant. It is exchanged at C(/oauth/tenant/<auth_tenant>/token) (or
        C(/tm/oauth/tenant/<auth_tenant>/token) when the first path is not found) for the bearer token, again when
        that expires. O(username) and O(password) are not used.
      - Implies O(auth=vra); any other O(auth) stops the source at its start.
      - Falls back to E(VRO_AUTH_TENANT). A tenant from that variable only (an AWX credential) is not used with
        O(auth=token), which sends O(token) as it is.
    type: str
  validate_certs:
    description: Check the server certificate. Falls back to E(VRO_VALIDATE_CERTS).
    type: bool
    default: true
  ca_path:
    description: CA bundle (PEM) that signed the server certificate. Falls back to E(VRO_CA_PATH).
    type: path
  timeout:
    description: Per-request timeout, in seconds (V(30)) or with units ms, s, m, h, d (V(30s), V(2m)). Falls back to E(VRO_TIMEOUT).
    type: raw
    default: 30
  interval:
    description: Time between polls, in seconds (V(30)) or with units ms, s, m, h, d (V(30s), V(5m), V(1h)) (backoff after failures goes up to 300 seconds).
    type: raw
    default: 30
  workflow_ids:
    description: Ids of the workflows whose runs are watched.
    type: list
    elements: str
  workflow_names:
    description: Names of the workflows whose runs are watched (each must name exactly one workflow).
    type: list
    elements: str
  states:
    description: Run states to emit, for example C(failed), C(waiting), C(canceled), C(completed).
    type: list
    elements: str
    default: [failed]
  emit_existing:
    description: At the first start (no state file yet), also emit the runs already in a watched state (the newest 100 per workflow and state).
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
      - The default is C($XDG_CACHE_HOME/cloudops.orchestrator/eda/vro_executions-<hash>.json) (C(~/.cache) without
        E(XDG_CACHE_HOME)). The hash is taken over the URL, the user (and O(auth_tenant) when set) and the
        workflows.
    type: path
"""

EXAMPLES = r"""
- name: Report failed runs of the provisioning workflows
  hosts: localhost
  sources:
    - cloudops.orchestrator.vro_executions:
        url: https://vro.example.com
        username: vcoadmin
        password: "{{ vro_password }}"
        workflow_names: [Provision VM]
        states: [failed, waiting]
  rules:
    - name: Gather the logs of a failed run
      condition: event.state == "failed"
      action:
        run_playbook:
          name: cloudops.orchestrator.eda_vro_failed_run_report
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
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import CONNECTION, VroApi  # noqa: E402
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.watch import VroExecutionWatch  # noqa: E402

NAME = 'cloudops.orchestrator.vro_executions'


async def main(queue, args):
    """Poll vRO and put one event per run of the watched workflows that reaches a watched state."""
    log = logging.getLogger(NAME)
    options = _watch.connection('vro', args)
    emit_existing = _watch.to_bool(args.get('emit_existing', False), 'emit_existing')
    ids = _watch.string_list(args.get('workflow_ids'), 'workflow_ids')
    names = _watch.string_list(args.get('workflow_names'), 'workflow_names')
    client = _watch.build_client('vro', options, CONNECTION, log)
    watcher = VroExecutionWatch(VroApi(client), ids, names, _watch.string_list(args.get('states'), 'states'),
                                emit_existing, log=log)
    identity = {'url': options['url'], 'user': options.get('username'), 'workflow_ids': sorted(ids),
                'workflow_names': sorted(names)}
    if options.get('auth_tenant'):
        identity['auth_tenant'] = options['auth_tenant']  # only when set: the other sources keep their file
    await _watch.serve(queue, args, 'vro_executions', watcher, [client], identity, log)
