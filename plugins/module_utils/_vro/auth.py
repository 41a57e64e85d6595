# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which auth scheme a vRO connection uses: the one choice behind the modules (``OrchestratorModule.build_auth``) and
the vro_executions event source (``_watch.build_auth``), from the plain options, without Ansible.

``api.py`` names this file so that ansible-core ships it with every vRO module; the callers import it by name.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import re

from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import BasicAuth, BearerAuth, missing_credentials, require_login
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ConfigError

PREFIX = 'VRO'
SCHEMES = ('basic', 'vra', 'token')

# What to do when a bearer token (auth: token) is refused, typically once it has expired.
TOKEN_REFUSED_HINT = ('the token may have expired: get a new one with cloudops.orchestrator.vro_login, or set username '
                      'and password as well so that the module (or event source) logs in again when the token is refused')


# What to do when Basic is refused by a server whose challenge names Bearer and not Basic (API-NOTES: vRO 8 takes Basic
# only when basic authentication is enabled on the server).
BASIC_REFUSED_HINT = ('this server does not take Basic authentication (its 401 asks for a Bearer token; vRO 8 takes Basic '
                      'only when it is enabled on the server): set auth: vra to log in through vRA with username and '
                      'password, or auth: token with a token from cloudops.orchestrator.vro_login')


# An auth scheme's name in a WWW-Authenticate value: a token at the start or after a comma, not a parameter (name=).
_SCHEME = re.compile(r'(?:^|,)\s*([A-Za-z][A-Za-z0-9!#$%&\'*+.^_`|~-]*)(?=\s|,|$)')


def basic_challenge_hint(challenge):
    """What to do after Basic got a 401 whose ``WWW-Authenticate`` is ``challenge`` (the client asks a scheme's
    ``challenge_hint``): :data:`BASIC_REFUSED_HINT` when it names Bearer and not Basic (this server takes no Basic at
    all, whatever the password), else None (the client's own words: check the credentials)."""
    schemes = set(scheme.lower() for scheme in _SCHEME.findall(challenge or ''))
    return BASIC_REFUSED_HINT if 'bearer' in schemes and 'basic' not in schemes else None


def choose_auth(options, environment=None):
    """The Auth of a vRO connection with these options, or :class:`ConfigError` (one line: what to set).

    ``options``: the connection options (``auth``, ``token``, ``username``, ``password``, ``auth_domain``,
    ``auth_tenant``); ``environment``: the values of those options that the environment contributed (an AWX
    credential's ``VRO_AUTH_TENANT``), read only for the tenant rule (:func:`tenant_scheme`).
    """
    token, user, password = options.get('token'), options.get('username'), options.get('password')
    scheme = options.get('auth') or ('token' if token and not user else 'basic')
    # Lazy imports: only the scheme in use is compiled (AnsiballZ runs module_utils from source).
    if options.get('auth_tenant') and tenant_scheme(options, scheme, environment or {}) == 'vra_tenant':
        from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_vra import VraTenantAuth  # pylint: disable=import-outside-toplevel
        return VraTenantAuth(options['auth_tenant'], token)
    if scheme == 'token':
        if not token:
            raise ConfigError('auth is token but no token is set: set token or %s_TOKEN' % PREFIX)
        if user and password:
            # A token from vro_login, reused until it is refused (expired): then log in again, once.
            from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_vra import VraLoginAuth  # pylint: disable=import-outside-toplevel
            return VraLoginAuth(user, password, options.get('auth_domain'), access_token=token)
        return BearerAuth(token, refused_hint=TOKEN_REFUSED_HINT)
    if scheme == 'vra':
        if not (token or (user and password)):
            raise ConfigError('auth is vra: set %s (or a vRA API/refresh token in token)' % missing_credentials(options))
        from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth_vra import VraLoginAuth  # pylint: disable=import-outside-toplevel
        return VraLoginAuth(user, password, options.get('auth_domain'), token)
    if scheme not in SCHEMES:
        raise ConfigError('auth must be basic, vra or token, got %r' % (scheme,))
    require_login(options, 'vRO', PREFIX)
    auth = BasicAuth(user, password)
    auth.challenge_hint = basic_challenge_hint
    return auth


def tenant_scheme(options, scheme, environment):
    """``vra_tenant`` when auth_tenant is set (the OAuth tenant login exchanges the API token in token), or ``scheme``
    unchanged for a tenant that only the environment contributed next to ``auth: token``; :class:`ConfigError` when
    auth names another scheme or there is no token."""
    tenant = options['auth_tenant']
    if scheme == 'token' and options.get('auth') == 'token' and environment.get('auth_tenant') == tenant:
        # The tenant only comes from the environment (an AWX credential), auth token from the task or the source's
        # arguments (vro_login's token in module_defaults): that choice wins over the fallback, the token is sent as it is.
        return scheme
    if options.get('auth') and scheme != 'vra':
        raise ConfigError('auth_tenant selects the vRA OAuth tenant login, but auth is %s: set auth to vra, or unset '
                          'auth_tenant (and %s_AUTH_TENANT)' % (scheme, PREFIX))
    if not options.get('token'):
        raise ConfigError('auth_tenant selects the vRA OAuth tenant login, which exchanges an API token: set token (or '
                          '%s_TOKEN) to an API token of tenant %s, or unset auth_tenant to log in with username and '
                          'password' % (PREFIX, tenant))
    return 'vra_tenant'
