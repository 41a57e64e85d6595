#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: vro_workflow_schema
short_description: Download a vRealize / Aria Orchestrator workflow's schema image to a file
version_added: 0.1.0
description:
  - Downloads the schema image (PNG, C(GET /workflows/{id}/schema)) of one workflow, given by O(workflow_id) or
    O(workflow_name), and writes it to O(dest) on the host the module runs on, like a file-writing module does,
    honouring O(mode), O(owner) and O(group).
  - B(Idempotent by content.) The image is always downloaded and compared with the file; the file is written
    (atomically) only when its content differs, and RV(changed) is true only then, or when O(mode), O(owner) or
    O(group) change.
  - This replaces the C(schema_dest) option of M(cloudops.orchestrator.vro_workflow_info), which reads only.
author:
  - cloudops.orchestrator contributors (@cloudops)
extends_documentation_fragment:
  - cloudops.orchestrator.connection.vro
  - cloudops.orchestrator.vro_options.workflow_selector
  - cloudops.orchestrator.attributes
  - cloudops.orchestrator.attributes.vro_group
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    details:
      - The image is downloaded and compared but not written; RV(changed) says whether the file would change.
  diff_mode:
    support: none
options:
  dest:
    description:
      - Where to write the image. When the path is an existing directory, the file is C(<workflow id>.png) inside it.
      - The parent directory must exist.
    type: path
    required: true
notes:
  - One of O(workflow_id) and O(workflow_name) is required.
seealso:
  - module: cloudops.orchestrator.vro_workflow_info
'''

EXAMPLES = r'''
- name: Save the schema image next to the playbook, readable by the team
  cloudops.orchestrator.vro_workflow_schema:
    url: https://vro.example.com
    username: vcoadmin
    password: "{{ vro_password }}"
    workflow_name: Request approval
    dest: "{{ playbook_dir }}/approval-schema.png"
    mode: "0644"

- name: Save it by id into a directory (the file is <workflow id>.png there)
  cloudops.orchestrator.vro_workflow_schema:
    workflow_id: 5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0004
    dest: "{{ playbook_dir }}/schemas/"
'''

RETURN = r'''
changed:
  description: True when the file was written (or would be, in check mode) or its attributes changed.
  returned: always
  type: bool
dest:
  description: The file path written (O(dest), or C(<workflow id>.png) inside it).
  returned: success
  type: str
  sample: /srv/docs/approval-schema.png
size:
  description: The image size in bytes.
  returned: success
  type: int
  sample: 2048
sha256:
  description: The SHA-256 of the image.
  returned: success
  type: str
content_changed:
  description: Whether the file content differed (and was written, outside check mode).
  returned: success
  type: bool
workflow:
  description: The workflow whose image was read, with C(id), C(name) and C(category).
  returned: success
  type: dict
  sample: {"id": "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0004", "name": "Request approval", "category": "Library"}
state:
  description: The state of RV(dest) after the task, added by Ansible as for any module returning a path
    (C(absent) in check mode for a file not written yet).
  returned: success
  type: str
  sample: file
mode:
  description: The permissions of RV(dest), in octal.
  returned: success, when the file exists
  type: str
  sample: "0644"
owner:
  description: The owner of RV(dest).
  returned: success, when the file exists
  type: str
  sample: root
group:
  description: The group of RV(dest).
  returned: success, when the file exists
  type: str
  sample: root
uid:
  description: The owner's user id.
  returned: success, when the file exists
  type: int
  sample: 0
gid:
  description: The group's id.
  returned: success, when the file exists
  type: int
  sample: 0
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
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro import workflow_schema


def main():
    module = OrchestratorModule(
        product='vro',
        argument_spec=dict(
            dest=dict(type='path', required=True),
        ),
        selector=workflow_selector(required=True),
        add_file_common_args=True,
        supports_check_mode=True,
    )
    module.run(workflow_schema.run)


if __name__ == '__main__':
    main()
