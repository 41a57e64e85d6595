"""vRA / Aria Automation login in front of vRO 8.x: CSP login, IaaS token exchange, bearer token checks.

- ``POST /csp/gateway/am/api/login?access_token`` ``{"username","password","domain"?}`` -> ``{"refresh_token", "access_token", ...}``;
  refused credentials (or ``user@domain`` without ``domain``) -> 400
- ``POST /iaas/api/login`` ``{"refreshToken"}`` -> ``{"tokenType": "Bearer", "token": "..."}`` (404 under the quirk
  ``vro-8-standalone-csp-login``: a vRO 8 appliance without Aria Automation)
- ``POST /csp/gateway/am/api/auth/api-tokens/authorize`` with ``refresh_token`` (a form, as VMware's own vRO client
  sends it; a JSON body or the query also work) -> ``{"scope", "access_token", "refresh_token", "id_token",
  "token_type", "expires_in"}``; a missing, unknown or expired refresh token -> 400 in the CSP error shape
- ``POST /oauth/tenant/{tenant}/token`` (``/tm/oauth/tenant/{tenant}/token`` instead under the quirk
  ``vra-oauth-tenant-tm``), form ``grant_type=refresh_token&refresh_token=<API token>`` ->
  ``{"access_token", "token_type": "Bearer", "expires_in"}``; errors as RFC 6749 section 5.2 (400 with ``error``,
  ``error_description``). The API token is a refresh token of the CSP login; the tenant is the setting ``vra_tenant``.

The two login views are served by the vRO blueprint (``simulator/vro.py``).
Tokens are JWT-shaped (``exp`` is real) and stored, so they survive a restart. Access tokens live
``vra_token_lifetime`` seconds, refresh tokens ``vra_refresh_token_lifetime`` (default 30 days);
``POST /_sim/tokens/expire`` expires every token issued so far. Users are the vRO users. Not served on 7.x.
"""

from __future__ import annotations

import hashlib
import time
import uuid

from flask import jsonify, request

from simulator import tokens
from simulator.context import same_secret
from simulator.routing import context

USERS = {}  # vRA login uses the vRO users

TOKEN_KIND = "vra_token"
# A vRO 8 appliance without Aria Automation in front: no /iaas/api/login (the CSP authorize call is the exchange).
STANDALONE_QUIRK = "vro-8-standalone-csp-login"
_SECRET_KIND = "vra_secret"


def issue(ctx, user, kind, lifetime):
    """Issue and store a token of ``kind`` ('access' or 'refresh') for ``user``; returns the token string."""
    now = ctx.now()
    claims = {"sub": user, "iat": int(now), "exp": int(now + float(lifetime)), "jti": str(uuid.uuid4()),
              "token_type": kind, "iss": "simulated-csp", "context_name": "vsphere.local"}
    token = tokens.encode_jwt(claims, tokens.signing_key(ctx, _SECRET_KIND, "hmac"), spaced_header=True)
    ctx.store.put(TOKEN_KIND, _token_id(token), {"user": user, "kind": kind, "issued": now, "expires": now + float(lifetime)},
                  state=kind, owner=user, sort_key=now)
    return token


def _token_id(token):
    return hashlib.sha256(token.encode()).hexdigest()


def check(ctx, token, kind="access"):
    """The user a valid, unexpired token of ``kind`` belongs to, else None."""
    if not token:
        return None
    doc = ctx.store.get(TOKEN_KIND, _token_id(token))
    if doc is None or doc.get("kind") != kind:
        return None
    if doc["issued"] <= ctx.tokens_valid_after() or ctx.now() >= doc["expires"]:
        return None
    return doc["user"]


def login_latency(ctx):
    """Sleep ``vra_login_latency`` seconds (default 0): the server's own work on each of the two login calls (password
    check, token signing and storing), which a real vRA spends and this simulator does not. No public figure exists;
    0.25 (half a second per login) is a chosen value, see simulator/README.md."""
    seconds = float(ctx.get_setting("vra_login_latency", 0) or 0)
    if seconds > 0:
        time.sleep(seconds)


def _error(status, message):
    response = jsonify({"statusCode": status, "errorCode": status, "message": message})
    response.status_code = status
    return response


def refuse_on_vro7():
    """The 404 of both login views on vRO 7.x (which has no vRA in front), else None; the vRO blueprint calls it first."""
    if context().vro7:
        return _error(404, "vRA login is not available on vRO 7.x; use basic authentication")
    return None


def csp_login():
    """``POST /csp/gateway/am/api/login``: user name and password for a refresh and an access token."""
    ctx = context()
    data = request.get_json(force=True, silent=True)  # clients that omit Content-Type still send JSON
    if not isinstance(data, dict) or not isinstance(data.get("username"), str) or not isinstance(data.get("password"), str):
        return _error(400, "The request body must be a JSON object with username and password")
    # The user is "vcoadmin" with an optional "domain"; "vcoadmin@vsphere.local" without a domain is not a user
    # (VMware's own tooling splits it into username + domain before logging in). Refused credentials are a 400,
    # as the vendor's API reference documents for this endpoint.
    login_latency(ctx)
    user = data["username"]
    entry = ctx.users.get("vro", {}).get(user)
    if entry is None or not same_secret(entry["password"], data["password"]):
        return _error(400, "Invalid username or password")
    ctx.set_request_user(user)
    lifetime = float(ctx.get_setting("vra_token_lifetime", 28800))
    refresh_lifetime = float(ctx.get_setting("vra_refresh_token_lifetime", 2592000))
    access = issue(ctx, user, "access", lifetime)
    refresh = issue(ctx, user, "refresh", refresh_lifetime)
    return jsonify({"access_token": access, "refresh_token": refresh, "id_token": access, "token_type": "bearer",
                    "expires_in": int(lifetime), "scope": "openid"})


def iaas_login():
    """``POST /iaas/api/login``: a refresh token for an access token (404 on a standalone vRO 8, quirk
    ``vro-8-standalone-csp-login``)."""
    ctx = context()
    if ctx.quirk(STANDALONE_QUIRK):
        return _error(404, "Not found: %s" % request.path)
    data = request.get_json(force=True, silent=True)  # clients that omit Content-Type still send JSON
    if not isinstance(data, dict) or not isinstance(data.get("refreshToken"), str) or not data["refreshToken"]:
        return _error(400, "refreshToken is required")
    login_latency(ctx)
    user = check(ctx, data["refreshToken"], kind="refresh")
    if user is None:
        return _error(401, "Invalid or expired refresh token")
    ctx.set_request_user(user)
    token = issue(ctx, user, "access", float(ctx.get_setting("vra_token_lifetime", 28800)))
    return jsonify({"tokenType": "Bearer", "token": token})


def _csp_error(status, error_code, message):
    """An error in the shape of the CSP reference's error body."""
    response = jsonify({"cspErrorCode": error_code, "errorCode": error_code, "message": message, "moduleCode": 0,
                        "requestId": uuid.uuid4().hex, "statusCode": status})
    response.status_code = status
    return response


def _authorize_refresh_token():
    """The ``refresh_token`` of an authorize call: the form (VMware's vRO client), a JSON body (the vRA 8 identity
    reference) or the query (the vRA 8.0 reference; the request log masks it)."""
    if request.mimetype == "application/x-www-form-urlencoded" and request.form.get("refresh_token"):
        return request.form["refresh_token"]
    data = request.get_json(force=True, silent=True) if request.mimetype == "application/json" else None
    if isinstance(data, dict) and isinstance(data.get("refresh_token"), str) and data["refresh_token"]:
        return data["refresh_token"]
    return request.args.get("refresh_token") or None


def csp_authorize():
    """``POST /csp/gateway/am/api/auth/api-tokens/authorize``: a refresh token for an access token (the exchange of a
    vRO 8 without ``/iaas/api/login``); served with or without the quirk."""
    ctx = context()
    token = _authorize_refresh_token()
    if token is None:
        return _csp_error(400, "invalid_request", "refresh_token is required")
    login_latency(ctx)
    user = check(ctx, token, kind="refresh")
    if user is None:
        return _csp_error(400, "invalid_grant", "Invalid or expired refresh token")
    ctx.set_request_user(user)
    lifetime = float(ctx.get_setting("vra_token_lifetime", 28800))
    access = issue(ctx, user, "access", lifetime)
    # The answer carries the refresh token it was given (not a new one) and the access token as the ID token.
    return jsonify({"scope": "openid", "access_token": access, "refresh_token": token, "id_token": access,
                    "token_type": "bearer", "expires_in": int(lifetime)})


def _oauth_error(status, error, description):
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    return response


def tenant_token(tenant):
    """``POST /oauth/tenant/{tenant}/token`` (or its ``/tm`` twin): an API token (form) for an access token."""
    ctx = context()
    served_under_tm = request.path.startswith("/tm/")
    if served_under_tm != bool(ctx.quirk("vra-oauth-tenant-tm")):
        return _error(404, "Not found: %s" % request.path)
    if request.mimetype != "application/x-www-form-urlencoded":
        return _oauth_error(400, "invalid_request", "the request body must be application/x-www-form-urlencoded")
    if request.form.get("grant_type") != "refresh_token":
        return _oauth_error(400, "unsupported_grant_type", "grant_type must be refresh_token")
    user = check(ctx, request.form.get("refresh_token"), kind="refresh")
    if user is None or tenant != str(ctx.get_setting("vra_tenant", "vsphere.local")):
        return _oauth_error(400, "invalid_grant", "Invalid refresh token")
    ctx.set_request_user(user)
    lifetime = float(ctx.get_setting("vra_token_lifetime", 28800))
    return jsonify({"access_token": issue(ctx, user, "access", lifetime), "token_type": "Bearer",
                    "expires_in": int(lifetime)})


def seed(ctx):
    """Nothing to seed: tokens are issued on login."""
    del ctx
