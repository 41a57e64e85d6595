# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """vRO option sets shared by several modules, one named fragment each (C(cloudops.orchestrator.vro_options.NAME)).

    A module that uses a fragment does not document those options again: an option it documented itself would
    replace the fragment's text for that option. What differs between modules (which option is required, what
    happens without any) is said in the module's own description.
    """

    # vro_workflow_run, vro_workflow_info, vro_execution_info, vro_execution_cancel, vro_interaction, vro_task,
    # vro_task_info, vro_workflow_schema: the argument specs hold workflow_id, workflow_name and category, all type str
    # without a default.
    WORKFLOW_SELECTOR = r'''
options:
  workflow_id:
    description:
      - The id of the workflow, as shown on its General tab in the vRO client.
      - Mutually exclusive with O(workflow_name). The module's description says when one of the two is required.
    type: str
  workflow_name:
    description:
      - The name of the workflow, matched exactly (C(GET /workflows?conditions=name=...)).
      - vRO workflow names are not unique. When several workflows have this name the module fails and lists
        each with its id and category; set O(category) or use O(workflow_id).
      - Mutually exclusive with O(workflow_id).
    type: str
  category:
    description:
      - The category (folder) of the workflow named O(workflow_name), by name (C(Demo)) or by the end of its
        path (C(Library/Demo)).
    type: str
'''

    # vro_workflow_run, vro_interaction, vro_task: secret_inputs is type dict, no_log, without a default.
    SECRET_INPUTS = r'''
options:
  secret_inputs:
    description:
      - Inputs whose values are secret, as a mapping of input name to plain value, merged into O(inputs) (and,
        in M(cloudops.orchestrator.vro_workflow_run), into each entry of C(runs)). A name may not be given both
        here and there.
      - Encoded by the declared type like O(inputs); unlike there, every value is masked in every result, log and
        message from the start, whatever its type, because the option is C(no_log).
      - O(inputs) and O(raw_inputs) (and C(runs)) are logged and returned in C(invocation) with their values
        masked (names only), since a SecureString is recognised only once the declared types are read (the
        workflow's definition, or the interaction). Use this option for passwords that must also stay out of a
        failed task's output when the declared types are never read.
      - Values shorter than 3 characters cannot be masked safely and are not masked (with a warning).
    type: dict
'''
