# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which auth an IBM Cloud Orchestrator connection uses: the one choice behind the modules
(``OrchestratorModule.build_auth``) and the ico_tasks event source (``_watch.build_auth``), without Ansible.

``api.py`` names this file so that ansible-core ships it with every ICO module; the callers import it by name.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import require_login
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_ico import IcoAuth

PREFIX = 'ICO'


def choose_auth(options, environment=None):
    """Basic plus the domain and project headers, or :class:`ConfigError` (one line: what to set). ``environment``
    is not read (the same call as the other products)."""
    require_login(options, 'IBM Cloud Orchestrator', PREFIX)
    return IcoAuth(options['username'], options['password'], options.get('domain'), options.get('project'))
