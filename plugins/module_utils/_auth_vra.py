# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vRA / Aria Automation login scheme for vRO 8.x (see _auth for the interface).

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import Auth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError


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
