#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vro_login
short_description: Log in to vRealize / Aria Orchestrator 8 once and return a token for later tasks
version_added: 0.2.0
description:
  - Logs in through the vRA / Aria Automation login in front of vRO 8 (C(POST /csp/gateway/am/api/login), then
    C(POST /iaas/api/login)) and returns the bearer token, so that later tasks send it with O(auth=token) instead
    of logging in again. A vRA login costs two round trips and the server's token work, often more than the call
    the task is for.
  - Logs in with O(username) and O(password), or exchanges a vRA refresh or API token given in O(token).
    With O(auth=token) (inherited from C(module_defaults) next to the token of an earlier login) the token is not
    used and the module logs in afresh with O(username) and O(password).
  - The result is hidden from the output at every verbosity, as with C(no_log) (an action plugin marks it so); the
    registered variable still holds RV(token). Keep it out of C(set_fact) with C(cacheable), of C(debug) and of
    files, since it is a credential until it expires.
  - The token expires (RV(expires), 8 hours by default on vRA 8). A task whose token is refused fails with a message
    saying so, or, when O(username) and O(password) are also given, logs in again once and goes on (each task
    whose token is refused logs in again, since a task cannot hand its new token to the next ones; run
    M(cloudops.orchestrator.vro_login) again for a new one).
  - In AWX / Automation Controller the job events of this task are hidden like any C(no_log) result; facts and
    artifacts never hold the token unless a task puts it there.
  - The module never changes anything on the server. vRO 7.x has no vRA login and only basic authentication.
author:
  - cloudops.orchestrator contributors (@cloudops)
extends_documentation_fragment:
  - cloudops.orchestrator.connection.vro
  - cloudops.orchestrator.attributes
  - cloudops.orchestrator.attributes.info_module
  - cloudops.orchestrator.attributes.vro_group
notes:
  - O(auth=basic) is refused, since basic authentication has no token to reuse.
'''

EXAMPLES = r'''
- name: Log in once
  cloudops.orchestrator.vro_login:
    url: https://vro.example.com
    username: "{{ vro_user }}"
    password: "{{ vro_password }}"
  register: vro_session

- name: Every vRO task of the block reuses the token
  module_defaults:
    group/cloudops.orchestrator.vro:
      url: https://vro.example.com
      auth: token
      token: "{{ vro_session.token }}"
  block:
    - name: Run a workflow
      cloudops.orchestrator.vro_workflow_run:
        workflow_name: Deploy VM
        inputs:
          name: web-01

    - name: Read its last runs
      cloudops.orchestrator.vro_execution_info:
        workflow_name: Deploy VM

- name: Reuse the token, and log in again if it has expired meanwhile
  cloudops.orchestrator.vro_execution_info:
    url: https://vro.example.com
    auth: token
    token: "{{ vro_session.token }}"
    username: "{{ vro_user }}"
    password: "{{ vro_password }}"
    workflow_name: Deploy VM
'''

RETURN = r'''
token:
  description:
    - The bearer token, for O(token) with O(auth=token) in later tasks. Hidden from the task's output.
  returned: success
  type: str
token_type:
  description: How the token is sent, C(Bearer).
  returned: success
  type: str
  sample: Bearer
expires:
  description: When the token expires (ISO 8601 UTC with milliseconds and Z), read from the token; null when the token does not say.
  returned: success
  type: str
  sample: '2026-05-01T20:00:00.000Z'
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
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro import login


def main():
    module = OrchestratorModule(product='vro', argument_spec={}, supports_check_mode=True)
    module.run(login.run)


if __name__ == '__main__':
    main()
