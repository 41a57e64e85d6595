"""Route helpers shared by the product blueprints (``vro``, ``vcf``, ``ico``) and the admin API.

- ``context()``: the :class:`simulator.context.SimContext` of the app serving the current request (``app.py``
  stores it under ``app.extensions[CONTEXT_KEY]``), so blueprints are module-level objects with plain views;
- ``json_response(body, status, headers)``: a JSON answer as Spring/JAX-RS servers write it (``json.dumps``
  defaults, not Flask's compact form);
- ``add_catch_all(bp, view)``: the catch-all route that answers unmatched paths in the product's error shape;
- ``allowed_methods(path, catch_all)``: the methods other routes serve at ``path`` (for a 405's ``Allow``).
"""

from __future__ import annotations

import json

from flask import Response, current_app
from werkzeug.exceptions import HTTPException

CONTEXT_KEY = "simulator"

# The methods the APIs' catch-all routes answer (with a JSON 404 or 405 in the product's error shape).
ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']


def context():
    """The simulator context of the app handling the current request."""
    return current_app.extensions[CONTEXT_KEY]


def json_response(body, status=200, headers=None):
    """``body`` as an ``application/json`` answer."""
    return Response(json.dumps(body), status=status, mimetype='application/json', headers=headers)


def add_catch_all(bp, view):
    """Route every path under ``bp``'s prefix (its root included) that no other route serves to ``view(rest)``."""
    bp.add_url_rule('/', view_func=view, defaults={'rest': ''}, methods=ROUTE_METHODS)
    bp.add_url_rule('/<path:rest>', view_func=view, methods=ROUTE_METHODS)


def allowed_methods(path, catch_all):
    """Methods a route other than the catch-all endpoint ``catch_all`` serves at ``path`` (for a 405's Allow)."""
    adapter = current_app.url_map.bind('localhost')
    allowed = []
    for method in ROUTE_METHODS:
        try:
            endpoint, _args = adapter.match(path, method=method)
        except HTTPException:
            continue
        if endpoint != catch_all:
            allowed.append(method)
    return allowed
