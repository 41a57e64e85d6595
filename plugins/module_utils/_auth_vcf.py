# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The SDDC Manager token-pair scheme (see _auth for the interface).

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import json
import re
import time

from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import Auth, jwt_claims
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError


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
            raise ApiError('SDDC Manager answered without an access token', kind='auth',
                           hint='check that url is the SDDC Manager address (https://<sddc-manager>) and that no proxy or '
                                'login page answers in its place, then run again')
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
        # idempotent=True: resent after a lost answer, the one exception to "never sent again" (_client.RESENDABLE_METHODS):
        # a second token is not an effect a user sees.
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
            # idempotent=True, as the login: a second access token is not an effect a user sees (a PATCH is otherwise never
            # sent again once it may have reached the server).
            response = client.request('PATCH', '/tokens/access-token/refresh', json=self.refresh_id,
                                      auth_request=True, idempotent=True, expected=(200,))
        except ApiError as error:
            if error.status not in (400, 401, 403, 404):
                raise
            # The refresh token itself is gone or expired: start over.
            self.refresh_id = None
            self._login(client)
            return
        token = refreshed_token(response.text)
        if token is None and self.username and self.password:
            # A login page or a proxy in front of a refresh token that is gone: start over once with a login (nothing
            # else would ever renew the token: every later call, every poll of a source, would fail the same way).
            self.refresh_id = None
            self._login(client)
            return
        if token is None:
            raise ApiError('SDDC Manager answered the token refresh with something that is not an access token',
                           kind='json', status=response.status_code, method='PATCH', url=response.url,
                           hint='set username and password so that the collection can log in again, or give a new token')
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

    def renews_on_403(self):
        """True when a 403 is worth one refresh: SDDC Manager may answer an expired access token with 403 as well as
        401 (terraform-provider-vcf logs in again every 20 minutes for that reason), and this scheme can renew it. A
        403 refuses the request (nothing was done), so it is sent once more; a second 403 is the role's refusal."""
        return bool(self.refresh_id or (self.username and self.password))
