"""The Flask application factory: core hooks (faults, counters, request log), the admin API and the products.

Each product module (``simulator.vro`` with the vRA login, ``simulator.vcf``, ``simulator.ico``) exposes
``USERS``, ``BLUEPRINT`` (its API; the product's auth runs once, in the blueprint's ``before_request``),
``ADMIN`` (its ``/_sim/<product>`` routes), ``setup(ctx)`` (per-instance state and tickers) and ``seed(ctx)``.
Views reach the context through :func:`simulator.routing.context`.
"""

from __future__ import annotations

import json
import logging
import re
import time

from flask import Flask, Response, g, request
from werkzeug.datastructures import ImmutableMultiDict

from simulator import admin, ico, routing, state, vcf, vra, vro
from simulator import faults as faults_mod

LOG = logging.getLogger("simulator")

# The product modules with a blueprint, in registration order (which is also the order of their tickers).
PRODUCTS = (vro, vcf, ico)
# (product key in ctx.users, module) of every API module: seeded in this order and listed by GET /_sim/.
API_MODULES = (("vro", vro), ("vro", vra), ("vcf", vcf), ("ico", ico))

_SLASHES = re.compile(r"/{2,}")
# Query parameters whose value is a secret: the request log keeps the name and masks the value (the CSP authorize
# call takes refresh_token in the query too, as the vRA 8.0 reference documents).
_SECRET_QUERY = re.compile(r"(^|&)((?:refresh_token|api_token|access_token|password)=)[^&]+")


def logged_query(query):
    """``query`` (a raw query string) as the request log keeps it: every secret parameter's value is ``***``."""
    return _SECRET_QUERY.sub(r"\1\2***", query)


def create_app(ctx):
    """Build the Flask app serving all APIs under their real base paths plus ``/_sim/``.

    Sets ``ctx.faults``, ``ctx.request_log``, ``ctx.modules`` and ``ctx.app``; merges each module's USERS into
    ``ctx.users``. Seeds a fresh store.
    """
    app = Flask("simulator")
    app.json.sort_keys = False
    app.json.compact = True
    app.url_map.strict_slashes = False
    app.extensions[routing.CONTEXT_KEY] = ctx
    ctx.app = app
    if not hasattr(ctx, "faults"):
        ctx.faults = faults_mod.FaultSet()
    ctx.request_log = faults_mod.RequestLog()
    ctx.modules = list(API_MODULES)
    for product, module in ctx.modules:
        ctx.users.setdefault(product, {}).update(module.USERS)

    _install_hooks(app, ctx)
    _collapse_slashes(app)

    app.register_blueprint(admin.BLUEPRINT)
    for module in PRODUCTS:
        module.setup(ctx)
        app.register_blueprint(module.BLUEPRINT)
        app.register_blueprint(module.ADMIN)

    if not state.is_seeded(ctx):
        state.seed_all(ctx)
    return app


def _collapse_slashes(app):
    """Route ``/vco/api//workflows`` as ``/vco/api/workflows``: servlet containers collapse repeated slashes,
    while werkzeug answers a 308 redirect that breaks POST clients joining a base ending in ``/`` with ``/path``."""
    inner = app.wsgi_app

    def wsgi_app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if "//" in path:
            environ["PATH_INFO"] = _SLASHES.sub("/", path)
        return inner(environ, start_response)

    app.wsgi_app = wsgi_app


def _install_hooks(app, ctx):
    @app.before_request
    def _before():
        g.sim_start = time.perf_counter()
        g.sim_fault = None
        path = request.path
        if path.startswith("/_sim"):
            return admin.refuse_without_token(ctx)
        delay, fault = ctx.faults.pick(request.method, path)
        if delay:
            faults_mod.sleep(delay)
            g.sim_fault = "latency"
        if fault is None:
            return None
        g.sim_fault = fault.kind
        if fault.kind == "reset_before":
            request.environ["sim.reset"] = True
            return Response(b"", status=200)
        if fault.kind in faults_mod.ANSWERING_KINDS and not faults_mod.acts_first(fault):
            status, headers, body = faults_mod.answer(fault, path)
            return Response(body, status=status, headers=headers)
        if fault.kind == "body" and not fault.act:
            status, headers, body = faults_mod.wrong_body(fault)
            return Response(body, status=status, headers=headers)
        if fault.kind == "body":
            # act: the API handles the request (a run is started), then the answer's body is replaced.
            g.sim_fault_body = fault
        if fault.kind == "trickle":
            # The request is handled as usual; server.py sends the answer's body one byte every `latency` seconds.
            request.environ["sim.trickle"] = fault.latency
            return None
        if fault.kind == "ignore_paging":
            # A server that ignores the paging parameters: the API sees none (the request log keeps them).
            request.args = ImmutableMultiDict(faults_mod.without_paging(request.args))
        # reset_after, bad_json, slow_answer, truncated, rewrite_location, ignore_paging and body (act) act first
        # and spoil the answer afterwards.
        g.sim_fault_after = fault.kind
        g.sim_fault_spec = fault
        g.sim_fault_latency = fault.latency
        return None

    @app.after_request
    def _after(response):
        after = g.get("sim_fault_after")
        if after == "reset_after":
            request.environ["sim.reset"] = True
        elif after == "rewrite_location":
            faults_mod.rewrite_location(g.sim_fault_spec, response)
        elif after == "truncated":
            request.environ["sim.truncate"] = True
        elif after == "bad_json":
            body = faults_mod.truncate(response.get_data())
            response.set_data(body)
            response.status_code = 200
            response.headers["Content-Type"] = "application/json"
        elif after == "ignore_paging" and response.status_code == 200:
            response.set_data(faults_mod.drop_totals(response.get_data()))
        elif after in faults_mod.ACTING_GATEWAY_KINDS:
            # A gateway that forwarded the request (it was handled) and answered 502/504 instead of the server's answer.
            status, headers, body = faults_mod.answer(g.sim_fault_spec, request.path)
            response = Response(body, status=status, headers=headers)
        elif after == "body":
            # The request was handled (its headers, such as Location, are kept); only the body is wrong.
            fault = g.sim_fault_body
            response.set_data(json.dumps(fault.body).encode())
            response.status_code = fault.status or (response.status_code if response.status_code in (200, 201, 202) else 200)
            response.headers["Content-Type"] = "application/json"
        environ = request.environ
        # Counter keys ignore a trailing slash: "POST /vco/api/workflows/<wid>/executions".
        url_rule = request.url_rule
        rule = (url_rule.rule if url_rule is not None else environ.get("PATH_INFO", "")).rstrip("/") or "/"
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/_sim"):
            query = environ.get("QUERY_STRING")
            reset = environ.get("sim.reset")
            ctx.request_log.record("%s %s" % (request.method, rule), {
                "method": request.method,
                "path": path + ("?" + logged_query(query) if query else ""),
                "status": 0 if reset else response.status_code,
                "time": ctx.now(),
                "duration_ms": round((time.perf_counter() - g.get("sim_start", time.perf_counter())) * 1000.0, 3),
                "user": g.get("sim_user"),
                "fault": g.get("sim_fault"),
                "host": request.host,
            })
        if after == "slow_answer":
            # The work is done (a run created, a task retried) and counted; only the answer is late.
            faults_mod.sleep(g.get("sim_fault_latency") or 0.0)
        return response
