# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which auth an SDDC Manager connection uses: the one choice behind the modules (``OrchestratorModule.build_auth``)
and the vcf_tasks event source (``_watch.build_auth``), from the plain options, without Ansible.

``api.py`` names this file so that ansible-core ships it with every VCF module; the callers import it by name.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import missing_credentials
from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_vcf import VcfTokenAuth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ConfigError

PREFIX = 'VCF'


def choose_auth(options, environment=None):
    """The token pair (from a login with username and password, or the access token in token), or
    :class:`ConfigError` (one line: what to set). ``environment`` is not read (the same call as the other products)."""
    token, user, password = options.get('token'), options.get('username'), options.get('password')
    if token or (user and password):
        return VcfTokenAuth(user, password, access_token=token)
    raise ConfigError('no SDDC Manager credentials: set %s, or an access token in token' % missing_credentials(options, PREFIX))
