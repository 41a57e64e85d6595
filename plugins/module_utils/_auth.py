# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication schemes, one class per scheme, behind one interface.

Internal use only: this file may change without notice between releases.

Every class has ``apply(client, headers)`` (adds its headers, logging in lazily), ``refresh(client)``
(called once after a 401; True when new credentials were obtained) and ``secrets`` (every secret it knows,
so that error texts can be redacted).

The schemes that log in live in their own files (``_auth_vra``, ``_auth_vcf``, ``_auth_ico``) so that a module
compiles only the one it uses.
"""

from __future__ import annotations

import base64
import json

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ConfigError


class Auth:
    """No authentication."""

    def __init__(self):
        self.secrets = []

    def apply(self, client, headers):
        """Add this scheme's headers to ``headers``."""

    def refresh(self, client):
        """Obtain new credentials after a 401; True when the request is worth sending again."""
        return False


def _basic_header(username, password):
    raw = ('%s:%s' % (username or '', password or '')).encode('utf-8')
    return 'Basic ' + base64.b64encode(raw).decode('ascii')


class BasicAuth(Auth):
    """HTTP Basic (vRO 7.x, vRO 8.x with basic authentication enabled)."""

    def __init__(self, username, password):
        super().__init__()
        self.header = _basic_header(username, password)
        self.secrets = [s for s in (password, self.header.split(' ', 1)[1]) if s]

    def apply(self, client, headers):
        headers['Authorization'] = self.header


class BearerAuth(Auth):
    """A static bearer token (``refused_hint``: what to do when the server refuses it, e.g. once it has expired)."""

    def __init__(self, token, refused_hint=None):
        super().__init__()
        self.token = token
        self.secrets = [token]
        self.refused_hint = refused_hint

    def apply(self, client, headers):
        headers['Authorization'] = 'Bearer %s' % self.token


def jwt_claims(token):
    """The claims of a JWT, without verifying it (only ``exp`` and ``iat`` are read), or {}."""
    try:
        payload = token.split('.')[1]
        payload += '=' * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload.encode('ascii')).decode('utf-8'))
        return claims if isinstance(claims, dict) else {}
    except (IndexError, ValueError, UnicodeDecodeError, AttributeError):
        return {}


def missing_credentials(options, prefix=None):
    """What a log-in still needs, named: 'password (or VRO_PASSWORD)' when only the password is missing, etc."""
    missing = [name for name, present in (('username', bool(options.get('username'))),
                                          ('password', options.get('password') not in (None, ''))) if not present]
    missing = missing or ['username', 'password']
    text = ' and '.join(missing)
    if prefix:
        text += ' (or %s)' % ' and '.join('%s_%s' % (prefix, name.upper()) for name in missing)
    return text


def require_login(options, product_name, prefix):
    """Raise :class:`ConfigError` unless ``options`` hold a user name and a password (an empty one counts)."""
    if not (options.get('username') and options.get('password') is not None):
        raise ConfigError('no %s credentials: set %s' % (product_name, missing_credentials(options, prefix)))
