"""The Flask application factory: core hooks (faults, counters, request log) plus every API module.

Each API module (``simulator.vro``, ``simulator.vra``, ``simulator.vcf``, ``simulator.ico``) exposes ``USERS``,
``register(app, ctx)`` and ``seed(ctx)``. A module that is not present yet is skipped.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
import time

from flask import Flask, Response, current_app, g, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException

from simulator import faults as faults_mod

LOG = logging.getLogger("simulator")

# (module name, product key in ctx.users)
API_MODULES = (("vro", "vro"), ("vra", "vro"), ("vcf", "vcf"), ("ico", "ico"))

_SEED_KIND = "sim_meta"
_SLASHES = re.compile(r"/{2,}")


# The methods the APIs' catch-all routes answer (with a JSON 404 or 405 in the product's error shape).
ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']


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


def load_api_modules():
    """The importable API modules, as ``[(product, module)]``."""
    found = []
    for name, product in API_MODULES:
        try:
            module = importlib.import_module("simulator." + name)
        except ModuleNotFoundError as exc:
            if exc.name != "simulator." + name:
                raise
            LOG.warning("simulator.%s is not available; its API is not served", name)
            continue
        found.append((product, module))
    return found


def seed_all(ctx):
    """Seed every API module's built-in catalogue and mark the store as seeded."""
    for _product, module in ctx.modules:
        seed = getattr(module, "seed", None)
        if seed is not None:
            seed(ctx)
    ctx.store.put(_SEED_KIND, "seeded", {"at": ctx.now()})


def is_seeded(ctx):
    """True when this data directory was seeded before (a restart keeps its state)."""
    return ctx.store.get(_SEED_KIND, "seeded") is not None


def reset_state(ctx, settings=False):
    """Clear all state, faults and counters, then re-seed (``settings=True`` also restores default settings)."""
    keep = () if settings else ("sim_setting",)
    ctx.store.reset(keep_kinds=keep)
    if settings:
        ctx.reset_settings()
    ctx.faults.clear()
    ctx.request_log.clear()
    seed_all(ctx)


def create_app(ctx):
    """Build the Flask app serving all APIs under their real base paths plus ``/_sim/``.

    Sets ``ctx.faults``, ``ctx.request_log``, ``ctx.modules`` and ``ctx.app``; merges each module's USERS into
    ``ctx.users``. Seeds a fresh store.
    """
    app = Flask("simulator")
    app.json.sort_keys = False
    app.json.compact = True
    app.url_map.strict_slashes = False
    ctx.app = app
    if not hasattr(ctx, "faults"):
        ctx.faults = faults_mod.FaultSet()
    ctx.request_log = faults_mod.RequestLog()
    ctx.modules = load_api_modules()
    for product, module in ctx.modules:
        ctx.users.setdefault(product, {}).update(getattr(module, "USERS", {}) or {})

    _install_hooks(app, ctx)
    _collapse_slashes(app)

    from simulator import admin  # pylint: disable=import-outside-toplevel
    admin.register(app, ctx)
    for _product, module in ctx.modules:
        module.register(app, ctx)

    if not is_seeded(ctx):
        seed_all(ctx)
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
            from simulator.admin import refuse_without_token  # pylint: disable=import-outside-toplevel
            return refuse_without_token(ctx)
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
        if fault.kind in faults_mod.ANSWERING_KINDS:
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
                "path": path + ("?" + query if query else ""),
                "status": 0 if reset else response.status_code,
                "time": ctx.now(),
                "duration_ms": round((time.perf_counter() - g.get("sim_start", time.perf_counter())) * 1000.0, 3),
                "user": g.get("sim_user"),
                "fault": g.get("sim_fault"),
            })
        if after == "slow_answer":
            # The work is done (a run created, a task retried) and counted; only the answer is late.
            faults_mod.sleep(g.get("sim_fault_latency") or 0.0)
        return response
