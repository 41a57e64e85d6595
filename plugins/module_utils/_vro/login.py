# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runner of vro_login: one vRA login whose bearer token later tasks reuse (``auth: token``).

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._auth import jwt_claims
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import format_date, moment_from_ms, number_ms
# The client of this run is built with the product's CONNECTION, which OrchestratorModule.connection() imports by name:
# a runner must name its product's API layer so that ansible-core ships it (test_import_graph checks every module).
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import CONNECTION  # noqa: F401 pylint: disable=unused-import

NO_VRA = ('there is no vRA login on this server (%s answered HTTP 404): vRO 7.x has only basic authentication, so '
          'give username and password to each task instead of a token')
BASIC = ('vro_login logs in through the vRA login of vRO 8 (auth vra): with auth basic there is no token to reuse; '
         'remove auth (or set it to vra)')


def login(client, auth):
    """Log in with ``auth`` (a vRA login scheme) through ``client``; the token and when it expires."""
    try:
        auth.apply(client, {})
    except ApiError as error:
        if error.status == 404:
            raise OperationError(NO_VRA % ('%s %s' % (error.method, error.url) if error.url else 'the login'),
                                 error=error.to_result()) from None
        raise
    expires = number_ms(jwt_claims(auth.token).get('exp'))
    moment = moment_from_ms(expires) if expires else None
    # The collection's one time style (ISO 8601 UTC with milliseconds and Z), as every other returned time.
    return dict(changed=False, token=auth.token, token_type='Bearer', expires=format_date(moment) if moment else None)


def run(module):
    p = module.params
    scheme = p.get('auth')
    if scheme == 'basic':
        raise ValueError(BASIC)
    if scheme == 'token':
        # Inherited from module_defaults next to the token of an earlier login: log in afresh with the credentials.
        module.params.update(token=None)
    module.params.update(auth='vra')
    client = module.client()
    result = login(client, client.auth)
    module.reveal(result['token'])
    return result
