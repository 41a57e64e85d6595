# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication schemes, one class per scheme, behind one interface.

Internal use only: this file may change without notice between releases.

Every class has ``apply(client, headers)`` (adds its headers, logging in lazily), ``refresh(client)``
(called once after a 401; True when new credentials were obtained) and ``secrets`` (every secret it knows,
so that error texts can be redacted).
"""

from __future__ import annotations

import base64
import json
import re
import time

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import ApiError


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
    """A static bearer token."""

    def __init__(self, token):
        super().__init__()
        self.token = token
        self.secrets = [token]

    def apply(self, client, headers):
        headers['Authorization'] = 'Bearer %s' % self.token


class VraLoginAuth(Auth):
    """vRA / Aria Automation login for vRO 8.x.

    ``POST /csp/gateway/am/api/login?access_token`` turns a user name and password into a refresh token;
    ``POST /iaas/api/login`` turns a refresh token (or a console API token) into a bearer token.
    """

    LOGIN_PATH = '/csp/gateway/am/api/login?access_token'
    EXCHANGE_PATH = '/iaas/api/login'

    def __init__(self, username=None, password=None, domain=None, refresh_token=None):
        super().__init__()
        self.username = username
        self.password = password
        self.domain = domain
        self.refresh_token = refresh_token
        self.token = None
        self.secrets = [s for s in (password, refresh_token) if s]

    def _login(self, client):
        if not (self.username and self.password):
            raise ApiError('the vRA refresh token was refused and there is no username/password to log in again',
                           kind='auth', hint='set username and password, or a fresh token')
        body = {'username': self.username, 'password': self.password}
        if self.domain:
            body['domain'] = self.domain
        answer = client.call('POST', self.LOGIN_PATH, json=body, at_root=True, auth_request=True,
                             idempotent=True, expected=(200, 201)) or {}
        self.refresh_token = answer.get('refresh_token') or answer.get('refreshToken')
        if not self.refresh_token:
            raise ApiError('the vRA login answered without a refresh_token', kind='auth',
                           method='POST', url=client.url_for(self.LOGIN_PATH, at_root=True))
        self.secrets.append(self.refresh_token)
        if answer.get('access_token'):
            self.secrets.append(answer['access_token'])

    def _exchange(self, client):
        answer = client.call('POST', self.EXCHANGE_PATH, json={'refreshToken': self.refresh_token},
                             at_root=True, auth_request=True, idempotent=True, expected=(200, 201)) or {}
        token = answer.get('token') or answer.get('access_token')
        if not token:
            raise ApiError('the vRA token exchange answered without a token', kind='auth',
                           method='POST', url=client.url_for(self.EXCHANGE_PATH, at_root=True))
        self.token = token
        self.secrets.append(token)

    def _obtain(self, client):
        if not self.refresh_token:
            self._login(client)
        try:
            self._exchange(client)
        except ApiError as error:
            if error.status not in (400, 401, 403) or not (self.username and self.password):
                raise
            # The refresh token has expired: log in again once.
            self._login(client)
            self._exchange(client)

    def apply(self, client, headers):
        if not self.token:
            self._obtain(client)
        headers['Authorization'] = 'Bearer %s' % self.token

    def refresh(self, client):
        self.token = None
        self._obtain(client)
        return True


def jwt_claims(token):
    """The claims of a JWT, without verifying it (only ``exp`` and ``iat`` are read), or {}."""
    try:
        payload = token.split('.')[1]
        payload += '=' * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload.encode('ascii')).decode('utf-8'))
        return claims if isinstance(claims, dict) else {}
    except (IndexError, ValueError, UnicodeDecodeError, AttributeError):
        return {}


def refreshed_token(text):
    """The access token in a refresh answer: a JSON string, ``{"accessToken": ...}``, or the bare JWT.

    Spring writes a controller's String return value as-is, so servers may send the token unquoted even with
    ``Content-Type: application/json``. Anything else is None.
    """
    text = (text or '').strip()
    try:
        value = json.loads(text)
    except ValueError:
        # A bare JWT: three base64url parts, no spaces (an HTML error page is not a token).
        return text if re.match(r'^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$', text) else None
    if isinstance(value, dict):
        value = value.get('accessToken') or value.get('token')
    return value if isinstance(value, str) and value else None


class VcfTokenAuth(Auth):
    """The SDDC Manager token pair.

    ``POST /v1/tokens`` gives an access token (a JWT) and a refresh token. The access token is refreshed with
    ``PATCH /v1/tokens/access-token/refresh`` shortly before its ``exp`` claim, and once after a 401.
    """

    def __init__(self, username=None, password=None, access_token=None, clock=time.time):
        super().__init__()
        self.username = username
        self.password = password
        self.clock = clock
        self.refresh_id = None
        self.access_token = None
        self.expires = None
        self.margin = 0.0
        self.secrets = [s for s in (password,) if s]
        self.logins = 0
        self.refreshes = 0
        if access_token:
            self._set_access(access_token)

    def _set_access(self, token):
        if not isinstance(token, str) or not token:
            raise ApiError('SDDC Manager answered without an access token', kind='auth')
        self.access_token = token
        self.secrets.append(token)
        claims = jwt_claims(token)
        exp = claims.get('exp')
        if isinstance(exp, (int, float)):
            self.expires = float(exp)
            lifetime = self.expires - float(claims.get('iat', self.clock()))
            # Refresh a little before expiry: 10 % of the lifetime, at most a minute.
            self.margin = max(0.0, min(60.0, lifetime * 0.1))
        else:
            self.expires = None

    def _login(self, client):
        if not (self.username and self.password):
            raise ApiError('the SDDC Manager access token was refused and there is no username/password to log in',
                           kind='auth', hint='set username and password (VCF_USERNAME / VCF_PASSWORD)')
        answer = client.call('POST', '/tokens', json={'username': self.username, 'password': self.password},
                             auth_request=True, idempotent=True, expected=(200, 201)) or {}
        refresh = answer.get('refreshToken')
        self.refresh_id = refresh.get('id') if isinstance(refresh, dict) else refresh
        if self.refresh_id:
            self.secrets.append(self.refresh_id)
        self.logins += 1
        self._set_access(answer.get('accessToken'))

    def _refresh_access(self, client):
        if not self.refresh_id:
            self._login(client)
            return
        try:
            response = client.request('PATCH', '/tokens/access-token/refresh', json=self.refresh_id,
                                      auth_request=True, expected=(200,))
        except ApiError as error:
            if error.status not in (400, 401, 403, 404):
                raise
            # The refresh token itself is gone or expired: start over.
            self.refresh_id = None
            self._login(client)
            return
        token = refreshed_token(response.text)
        if token is None:
            raise ApiError('SDDC Manager answered the token refresh with something that is not an access token',
                           kind='json', status=response.status_code, method='PATCH', url=response.url)
        self.refreshes += 1
        self._set_access(token)

    def apply(self, client, headers):
        if not self.access_token:
            self._login(client)
        elif self.expires is not None and self.clock() >= self.expires - self.margin:
            self._refresh_access(client)
        headers['Authorization'] = 'Bearer %s' % self.access_token

    def refresh(self, client):
        self._refresh_access(client)
        return True


class IcoAuth(BasicAuth):
    """IBM Cloud Orchestrator: Basic plus the ``domainName`` and ``projectName`` headers."""

    def __init__(self, username, password, domain=None, project=None):
        super().__init__(username, password)
        self.domain = domain
        self.project = project

    def apply(self, client, headers):
        super().apply(client, headers)
        if self.domain:
            headers['domainName'] = self.domain
        if self.project:
            headers['projectName'] = self.project
