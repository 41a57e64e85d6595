# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of vro_login: runs the module and hides its successful result (the token) from every output."""

from __future__ import annotations

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    """Run the vro_login module; a successful result is marked no_log, so callbacks (any verbosity, AWX job events)
    show it censored while the registered variable keeps the token."""

    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        result.update(self._execute_module(module_name=self._task.action, task_vars=task_vars))
        if not result.get('failed'):
            result['_ansible_no_log'] = True
        return result
