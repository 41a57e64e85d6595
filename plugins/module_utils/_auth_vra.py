# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vRA / Aria Automation login scheme for vRO 8.x (see _auth for the interface).

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import threading
from urllib.parse import quote

from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import Auth
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError


# What a login endpoint answers to credentials it refuses: the vendor reference documents 400 for the CSP login.
LOGIN_REFUSED = (400, 401, 403)


def login_refused(error, message, hint):
    """An authentication ApiError (never retried) for a login refused with ``error`` (a 400, 401 or 403)."""
    return ApiError('%s (HTTP %s)' % (message, error.status), kind='auth', status=error.status, method=error.method,
                    url=error.url, server_message=error.server_message, attempts=error.attempts, hint=hint)


class ObtainedBearer(Auth):
    """A bearer token that ``_obtain(client)`` gets from a login (lazily, at the first request) and again when the
    server refuses it; subclasses set ``self.token`` in ``_obtain``.

    Requests in flight at once (vro_workflow_run ``runs``) share the token: one login at a time, and a request refused
    with a token that another request has already replaced is sent again with the new token instead of logging in
    once more (an OAuth refresh token with rotation on is single-use, so a second exchange of it would be refused)."""

    token = None
    # A 401 that stays is one for a token this scheme has just obtained (the client asks for a new one first).
    refused_hint = ('the login succeeded but the server refused the token it gave: check that url names the vRO of '
                    'this vRA / Aria Automation, and that the user holds an Orchestrator service role (administrator, '
                    'workflow designer or viewer)')

    def __init__(self):
        super().__init__()
        self._lock = threading.RLock()
        self._sent = threading.local()  # the token this thread's last request carried

    def _obtain(self, client):
        raise NotImplementedError

    def apply(self, client, headers):
        with self._lock:
            if not self.token:
                self._obtain(client)
            token = self.token
        self._sent.token = token
        headers['Authorization'] = 'Bearer %s' % token

    def refresh(self, client):
        with self._lock:
            if self.token and self.token != getattr(self._sent, 'token', None):
                return True  # already replaced by another request's login: send again with the new token
            self.token = None
            self._obtain(client)
            return True


class VraLoginAuth(ObtainedBearer):
    """vRA / Aria Automation login for vRO 8.x.

    ``POST /csp/gateway/am/api/login?access_token`` turns a user name and password into a refresh token;
    ``POST /iaas/api/login`` turns a refresh token (or a console API token) into a bearer token. A vRO 8 appliance
    without Aria Automation has no ``/iaas/api/login`` (404, nothing acted upon): there the refresh token is exchanged
    at the CSP gateway, ``POST /csp/gateway/am/api/auth/api-tokens/authorize`` with the form
    ``refresh_token=<token>`` answering ``{"access_token", ...}``, as VMware's own vRO client does
    (vmware/build-tools-for-vmware-aria, ``typescript/codify/src/client/vro.ts``); the exchange that answered is kept.
    """

    LOGIN_PATH = '/csp/gateway/am/api/login?access_token'
    EXCHANGE_PATH = '/iaas/api/login'
    AUTHORIZE_PATH = '/csp/gateway/am/api/auth/api-tokens/authorize'
    # Set once /iaas/api/login answered 404: the refresh token goes to AUTHORIZE_PATH from then on.
    csp_exchange = False

    def __init__(self, username=None, password=None, domain=None, refresh_token=None, access_token=None):
        """``access_token``: a bearer token obtained earlier (vro_login), used until the server refuses it; then the
        user name and password log in again (once)."""
        super().__init__()
        self.username = username
        self.password = password
        self.domain = domain
        self.refresh_token = refresh_token
        self.token = access_token
        self.secrets = [s for s in (password, refresh_token, access_token) if s]

    def _login(self, client):
        if not (self.username and self.password):
            raise ApiError('the vRA refresh token was refused and there is no username/password to log in again',
                           kind='auth', hint='set username and password, or a fresh token')
        refused = None
        for body in self.login_bodies():
            try:
                # idempotent=True: resent after a lost answer, the one exception to "never sent again" (_client.RESENDABLE_METHODS): a
                # second token is not an effect a user sees.
                # An object, or no body (read as no token): a list or a string is the client's one-line shape error.
                answer = client.call('POST', self.LOGIN_PATH, json=body, at_root=True, auth_request=True,
                                     idempotent=True, expected=(200, 201), shape=(dict, type(None))) or {}
            except ApiError as error:
                if error.status not in LOGIN_REFUSED:
                    raise
                refused = error  # the next way of writing the user, if any
                continue
            break
        else:
            raise login_refused(refused, 'the vRA login (POST /csp/gateway/am/api/login) refused the credentials',
                                'check username and password, and auth_domain (user@domain is tried as user + domain, '
                                'then as the full name)')
        access = answer.get('cspAuthToken') or answer.get('access_token')
        if access:
            self.secrets.append(access)
        self.refresh_token = answer.get('refresh_token') or answer.get('refreshToken')
        if self.refresh_token:
            self.secrets.append(self.refresh_token)
        elif access:
            # The CSP login answered an access token and no refresh token (the Broadcom reference documents only
            # ``cspAuthToken``; vRA 8.4 and later scripts send it as the bearer): it is the bearer token itself.
            self.token = access
        else:
            raise ApiError('the vRA login answered without a refresh_token or an access token', kind='auth',
                           method='POST', url=client.url_for(self.LOGIN_PATH, at_root=True))

    def login_bodies(self):
        """The login bodies to try, in order: ``user@domain`` without ``auth_domain`` is first split into
        ``username`` + ``domain`` (as VMware's own tooling does), then sent as the full name."""
        base = {'username': self.username, 'password': self.password}
        if self.domain:
            return [dict(base, domain=self.domain)]
        local, sep, domain = self.username.rpartition('@')
        if sep and local and domain:
            return [{'username': local, 'password': self.password, 'domain': domain}, base]
        return [base]

    def _exchange(self, client):
        if self.csp_exchange:
            return self._authorize(client)
        try:
            # idempotent=True: resent after a lost answer, the one exception to "never sent again" (_client.RESENDABLE_METHODS): a
            # second token is not an effect a user sees.
            answer = client.call('POST', self.EXCHANGE_PATH, json={'refreshToken': self.refresh_token},
                                 at_root=True, auth_request=True, idempotent=True, expected=(200, 201)) or {}
        except ApiError as error:
            if error.status == 404:
                # No Aria Automation in front of this vRO 8: exchange at the CSP gateway from now on.
                self.csp_exchange = True
                return self._authorize(client)
            if error.status not in LOGIN_REFUSED:
                raise
            raise login_refused(error, 'the vRA token exchange (POST /iaas/api/login) refused the refresh token',
                                'set username and password, or a fresh token') from None
        if not isinstance(answer, dict):
            answer = {}
        token = answer.get('token') or answer.get('access_token')
        if not token:
            raise ApiError('the vRA token exchange answered without a token', kind='auth',
                           method='POST', url=client.url_for(self.EXCHANGE_PATH, at_root=True))
        self.token = token
        self.secrets.append(token)

    def _authorize(self, client):
        """The refresh token for an access token at the CSP gateway (a vRO 8 without ``/iaas/api/login``)."""
        try:
            # idempotent=True: resent after a lost answer, the one exception to "never sent again" (_client.RESENDABLE_METHODS): a
            # second token is not an effect a user sees.
            answer = client.call('POST', self.AUTHORIZE_PATH, data={'refresh_token': self.refresh_token},
                                 headers={'Accept': 'application/json'}, at_root=True, auth_request=True,
                                 idempotent=True, expected=(200, 201)) or {}
        except ApiError as error:
            if error.status not in LOGIN_REFUSED:
                raise
            raise login_refused(error, 'the CSP token exchange (POST %s) refused the refresh token' % self.AUTHORIZE_PATH,
                                'set username and password, or a fresh token') from None
        token = answer.get('access_token') if isinstance(answer, dict) else None
        if not token:
            raise ApiError('the CSP token exchange answered without an access_token', kind='auth',
                           method='POST', url=client.url_for(self.AUTHORIZE_PATH, at_root=True))
        self.token = token
        self.secrets.append(token)

    def _obtain(self, client):
        if not self.refresh_token:
            self._login(client)
            if not self.refresh_token:
                return  # the login answered the bearer token itself
        try:
            self._exchange(client)
        except ApiError as error:
            if error.status not in (400, 401, 403) or not (self.username and self.password):
                raise
            # The refresh token has expired: log in again once.
            self.refresh_token = None
            self._login(client)
            if self.refresh_token:
                self._exchange(client)


class VraTenantAuth(ObtainedBearer):
    """The OAuth tenant login of VCF Automation 9 / Aria Automation (the successor of the CSP login).

    ``POST /oauth/tenant/{tenant}/token`` with the form ``grant_type=refresh_token&refresh_token=<API token>``
    answers ``{"access_token", "token_type": "Bearer", "expires_in", "refresh_token"?}``; the access token is the
    bearer. Broadcom's VCF Automation 9.1 reference serves the same call under ``/tm``: a 404 at the first path
    (nothing was acted upon) tries the second, and the one that answered is kept. A ``refresh_token`` in the answer
    replaces the API token (a token with rotation on is single-use). See simulator/README.md for the sources.
    """

    PATHS = ('/oauth/tenant/%s/token', '/tm/oauth/tenant/%s/token')

    def __init__(self, tenant, api_token):
        super().__init__()
        self.tenant = tenant
        self.api_token = api_token
        self.token = None
        self.path = None  # the path that answered, once known
        self.secrets = [api_token] if api_token else []

    def paths(self):
        """The login paths to try, in order (the one that answered before, alone)."""
        quoted = quote(self.tenant, safe='')
        return [self.path] if self.path else [p % quoted for p in self.PATHS]

    def _obtain(self, client):
        form = {'grant_type': 'refresh_token', 'refresh_token': self.api_token}
        missing = None
        for path in self.paths():
            try:
                # idempotent=True: resent after a lost answer, the one exception to "never sent again" (_client.RESENDABLE_METHODS): a
                # second token is not an effect a user sees.
                answer = client.call('POST', path, data=form, headers={'Accept': 'application/json'}, at_root=True,
                                     auth_request=True, idempotent=True, expected=(200,)) or {}
            except ApiError as error:
                if error.status == 404:
                    missing = error  # not served here: nothing was acted upon, try the next path
                    continue
                if error.status not in LOGIN_REFUSED:
                    raise
                raise login_refused(error, 'the vRA tenant login (POST %s) refused the API token' % path,
                                    'check token (an API token created in tenant %r) and auth_tenant' % self.tenant) from None
            break
        else:
            raise ApiError('no OAuth tenant login at %s (HTTP 404)' % ' or '.join(self.paths()), kind='auth',
                           status=404, method='POST', url=missing.url if missing else None,
                           hint='check auth_tenant, or unset it to use the CSP login (auth: vra with username and password)')
        if not isinstance(answer, dict) or not answer.get('access_token'):
            raise ApiError('the vRA tenant login answered without an access_token', kind='auth', method='POST',
                           url=client.url_for(path, at_root=True))
        self.path = path
        self.token = answer['access_token']
        self.secrets.append(self.token)
        if answer.get('refresh_token') and answer['refresh_token'] != self.api_token:
            # Rotation: the API token just used is spent; the next exchange uses the new one.
            self.api_token = answer['refresh_token']
            self.secrets.append(self.api_token)
