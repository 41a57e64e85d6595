# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IBM Cloud Orchestrator 2.5 scheme: Basic plus domain and project headers (see _auth for the interface).

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import BasicAuth


class IcoAuth(BasicAuth):
    """IBM Cloud Orchestrator: Basic plus the ``domainName`` and ``projectName`` headers."""

    def __init__(self, username, password, domain=None, project=None):
        super().__init__(username, password)
        self.domain = domain
        self.project = project

    def apply(self, client, headers):
        super().apply(client, headers)
        if self.domain:
            headers['domainName'] = header_value(self.domain)
        if self.project:
            headers['projectName'] = header_value(self.project)


def header_value(text):
    """``text`` as a header value: as it is when Latin-1 can carry it, else its UTF-8 bytes (what curl sends for a
    name typed in a UTF-8 terminal); http.client encodes a text value as Latin-1 and fails on anything else, and a
    Keystone domain or project name may be in any script."""
    try:
        text.encode('latin-1')
    except UnicodeEncodeError:
        return text.encode('utf-8')
    return text
