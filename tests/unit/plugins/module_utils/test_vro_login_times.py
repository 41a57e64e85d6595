# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vro_login returns ``expires`` in the collection's one time style (ISO 8601 UTC, milliseconds, ``Z``)."""

from __future__ import annotations

import base64
import json

from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.login import login


def _jwt(claims):
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode('utf-8')).decode('ascii').rstrip('=')
    return '%s.%s.signature' % (part({'alg': 'none'}), part(claims))


class _Auth(object):
    def __init__(self, token):
        self.token = token
        self.applied = 0

    def apply(self, client, headers):
        self.applied += 1


def test_expires_is_iso_utc_with_milliseconds_and_z():
    auth = _Auth(_jwt({'exp': 1777665600, 'iat': 1777636800}))
    result = login(object(), auth)
    assert auth.applied == 1
    assert result['expires'] == '2026-05-01T20:00:00.000Z'
    assert result['token_type'] == 'Bearer' and result['changed'] is False


def test_expires_is_null_when_the_token_does_not_say():
    assert login(object(), _Auth('opaque-token'))['expires'] is None
    assert login(object(), _Auth(_jwt({'iat': 1777636800})))['expires'] is None
