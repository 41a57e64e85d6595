"""The vRO REST API (base ``/vco/api``), 7.6 and 8.18 flavours, following the vRO 8.18.1 OpenAPI spec.

Executions are an asynchronous state machine played from stored timestamps (``vro_runs.py``); scheduled tasks
(``vro_tasks.py``) fire from the same ticker; ``vro_interactions.py`` answers a waiting run and
``vro_workflows.py`` lists the catalogue. They are functions over one ``VroServer`` per simulator
(``vro_server.py``, ``ctx.vro``).

This file holds the module-level ``BLUEPRINT`` (``/vco/api`` plus the vRA login views of ``vra.py``), which
authenticates once in ``before_request``, its views, and ``ADMIN`` (``/_sim/vro``).
"""

from __future__ import annotations

import base64
import json
import re

from flask import Blueprint, Response, current_app, g, jsonify, request

from simulator import vra, vro_catalog, vro_interactions, vro_runs, vro_tasks, vro_values, vro_workflows
from simulator.context import same_secret
from simulator.routing import ROUTE_METHODS, context
from simulator.vro_server import BASE, VroError, VroServer, host_url

USERS = {
    "vcoadmin": {"password": "VcoAdm1n!sim-7Qz", "roles": ["admin"], "description": "vRO administrator"},
    "vcoreader": {"password": "R3adOnly!sim-4Kp", "roles": ["read-only"],
                  "description": "may read workflows outside category 'Restricted'; cannot start runs"},
}

WORKFLOW_KIND = "vro_workflow"

ABOUT = {
    "8.18": {"version": "8.18.1.24280767", "build-number": "24280767", "build-date": "2024-09-24T10:01:34Z", "api-version": "6.0.0"},
    "7.6": {"version": "7.6.0.13020602", "build-number": "13020602", "build-date": "2019-04-02T05:41:35Z", "api-version": "2.0"},
}

# The vRO API under /vco/api and, in front of it, the vRA login (simulator/vra.py); the admin routes under /_sim/vro.
BLUEPRINT = Blueprint("vro", __name__)
ADMIN = Blueprint("sim_vro", __name__, url_prefix="/_sim/vro")
# Views answered without authentication, and views served on 8.x only (a 404 on 7.x, before any authentication).
_LOGIN = ("vro.csp_login", "vro.iaas_login", "vro.tenant_token", "vro.csp_authorize")
_PUBLIC = ("vro.about", "vro.versions", "vro.healthstatus", "vro.liveness", "vro.api_docs")
_V8_ONLY = ("vro.versions", "vro.liveness", "vro.interactions", "vro.api_docs")


def setup(ctx):
    """Per-instance setup: the vRO server state (``ctx.vro``) and its ticker (runs and scheduled tasks)."""
    ctx.vro = VroServer(ctx)
    ctx.add_ticker(tick)


def tick(ctx):
    """Play the due events of every active run, then start the runs of the tasks that are due."""
    vro_runs.advance(ctx.vro)
    vro_tasks.fire_due(ctx.vro)


def _server():
    return context().vro


def _json_body():
    """The request JSON (400 on malformed JSON, as vRO answers a body it cannot parse; 415 for an XML body, which
    this simulator reads only as a run's execution-context)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    if _is_xml(request.mimetype):
        raise VroError(415, "This simulator reads %s bodies only as an execution-context (starting or answering a run); "
                       "send this body as JSON with Content-Type: application/json" % request.mimetype)
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise VroError(400, "Malformed JSON request body: %s" % exc) from None


def _is_xml(mimetype):
    return mimetype in ("application/xml", "text/xml") or mimetype.endswith("+xml")


def _context_body():
    """A run's execution-context: JSON, or the XML form (``<execution-context xmlns="http://www.vmware.com/vco">``)
    that the 8.18 OpenAPI also lists for these calls, read into the JSON form (simple values only)."""
    if not _is_xml(request.mimetype):
        return _json_body()
    try:
        return vro_values.context_from_xml(request.get_data(cache=True))
    except vro_values.ValueError_ as exc:
        raise VroError(400, str(exc)) from None


def _accepts_json():
    """False when the request's Accept names no type that a JSON answer satisfies (only application/xml, say)."""
    if not request.headers.get("Accept", "").strip():
        return True
    return request.accept_mimetypes.best_match(["application/json"]) is not None


def _vro_error(exc):
    response = jsonify({"status": exc.status, "message": exc.message})
    response.status_code = exc.status
    for key, value in exc.headers.items():
        response.headers[key] = value
    return response


BLUEPRINT.register_error_handler(VroError, _vro_error)
ADMIN.register_error_handler(VroError, _vro_error)
BLUEPRINT.add_url_rule("/csp/gateway/am/api/login", view_func=vra.csp_login, methods=["POST"])
BLUEPRINT.add_url_rule("/iaas/api/login", view_func=vra.iaas_login, methods=["POST"])
BLUEPRINT.add_url_rule("/csp/gateway/am/api/auth/api-tokens/authorize", view_func=vra.csp_authorize, methods=["POST"])
BLUEPRINT.add_url_rule("/oauth/tenant/<tenant>/token", view_func=vra.tenant_token, methods=["POST"])
BLUEPRINT.add_url_rule("/tm/oauth/tenant/<tenant>/token", view_func=vra.tenant_token, methods=["POST"])


# -- auth -------------------------------------------------------------------------------------------------
def authenticate(server):
    """The user of the current request (Basic, or a vRA bearer token on 8.x); raises 401."""
    header = request.headers.get("Authorization", "").strip()
    users = server.ctx.users.get("vro", {})
    # The auth scheme is case-insensitive (RFC 9110): "basic ..." and "BEARER ..." are accepted.
    scheme = header[:7].lower()
    if scheme.startswith("basic "):
        cached = server.basic_cache.get(header)
        if cached is not None and cached in users:
            return cached
        try:
            name, _sep, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            name, password = None, None
        entry = users.get(name) if name else None
        if entry is None and name and "@" in name:
            name = name.split("@", 1)[0]
            entry = users.get(name)
        elif entry is None and name and "\\" in name:
            # DOMAIN\user, as Windows clients send a directory account (JulianWe/vRealizeAutomation, vRO 8.2).
            name = name.split("\\", 1)[1]
            entry = users.get(name)
        if entry is not None and same_secret(entry["password"], password or ""):
            if len(server.basic_cache) < 1000:
                server.basic_cache[header] = name
            return name
        raise VroError(401, "Authentication failed: bad user name or password",
                       {"WWW-Authenticate": 'Basic realm="vRealize Orchestrator"'})
    if scheme == "bearer " and not server.v7:
        user = vra.check(server.ctx, header[7:].strip(), kind="access")
        if user is not None and user in users:
            return user
        raise VroError(401, "The bearer token is invalid or has expired",
                       {"WWW-Authenticate": 'Bearer error="invalid_token"'})
    raise VroError(401, "Full authentication is required to access this resource",
                   {"WWW-Authenticate": 'Basic realm="vRealize Orchestrator"'})


@BLUEPRINT.before_request
def _authenticate():
    """The 8.x-only checks (vRA login included), then Basic or bearer auth for every view but the public ones (the
    user goes to ``g.vro_user``)."""
    if request.method == "OPTIONS":
        return None
    if request.endpoint in _LOGIN:
        return vra.refuse_on_vro7()
    ctx = context()
    if request.endpoint in _V8_ONLY and ctx.vro7:
        raise VroError(404, "Not found: %s is not available on vRO %s" % (request.path, ctx.vro_version))
    if request.endpoint in _PUBLIC:
        return None
    name = authenticate(ctx.vro)
    ctx.set_request_user(name)
    g.vro_user = name
    return None


# Views whose answer is not JSON or that answer whatever the Accept header says.
_ANY_ACCEPT = ("vro.workflow_schema", "vro.unknown")


@BLUEPRINT.before_request
def _negotiate():
    """A GET whose Accept header admits no JSON (``application/xml`` only, say) is a 406: real servers answer XML
    there, which this simulator does not write, and a JSON body would break such a client in a harder way."""
    if request.method not in ("GET", "HEAD") or not request.path.startswith(BASE) or request.endpoint in _ANY_ACCEPT:
        return None
    if _accepts_json():
        return None
    raise VroError(406, "This simulator answers JSON only, and the Accept header (%s) does not admit application/json; "
                   "send Accept: application/json" % request.headers.get("Accept"))


@BLUEPRINT.after_request
def _drop_json_for_xml_clients(response):
    """A write (POST, PUT, DELETE) from a client that accepts no JSON is still carried out; its answer keeps the status
    and headers (``Location``) and loses the JSON body, as vRO's 202 to a new run may come without a body."""
    if (request.method not in ("GET", "HEAD") and request.path.startswith(BASE) and 200 <= response.status_code < 300
            and response.mimetype == "application/json" and not _accepts_json()):
        response.set_data(b"")
        del response.headers["Content-Type"]
    return response


# -- service ---------------------------------------------------------------------------------------
@BLUEPRINT.get("/vco/api/")
def services():
    names = ["workflows", "tasks", "interactions", "about", "versions", "healthstatus"]
    return jsonify({"descriptors": [{"href": "%s%s/%s/" % (host_url(), BASE, n), "description": n} for n in names]})


@BLUEPRINT.get("/vco/api/about/")
def about():
    server = _server()
    info = dict(ABOUT["7.6" if server.v7 else "8.18"])
    info["features"] = [{"name": "Bearer authentication"}] if not server.v7 else []
    if server.ctx.quirk("vro-about-no-version"):
        del info["version"]  # only api-version is left, which is not the product's version
    return jsonify(info)


@BLUEPRINT.get("/vco/api/api-docs/")
def api_docs():
    """The server's OpenAPI 3 document, as a springdoc-built 8.x serves it (the 8.18 document's ``info`` and
    ``servers``), without credentials: JulianWe/vRealizeAutomation's script reads its ``paths`` so. Its paths are the
    routes this simulator serves (on its current quirks), each with its methods; the 8.x-only views are in it, as is
    everything else; schemas are left out (the official document has them)."""
    ctx = context()
    hidden = {"vro.unknown", "vro.api_docs"} | set(_LOGIN)
    if not ctx.quirk("vro-8-server-permissions"):
        hidden.add("vro.server_permissions")
    if ctx.quirk("vro-catalog-workflowexecution"):
        hidden.add("vro.catalog_workflow_tokens")
    else:
        hidden.update(("vro.catalog_workflow_executions", "vro.catalog_workflow_execution"))
    paths = {}
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint in hidden or not rule.endpoint.startswith("vro.") or not rule.rule.startswith(BASE + "/"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule[len(BASE):]).rstrip("/") or "/"
        for method in sorted(set(rule.methods) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = {
                "operationId": rule.endpoint.split(".", 1)[1],
                "responses": {"200": {"description": "The request is successful"}}}
    return jsonify({"openapi": "3.0.1",
                    "info": {"title": "VMware Aria Automation Orchestrator API", "version": "8.x"},
                    "servers": [{"url": host_url() + BASE, "description": "Generated server url"}],
                    "paths": dict(sorted(paths.items()))})


@BLUEPRINT.get("/vco/api/versions/")
def versions():
    return jsonify({"versions": [{"versionCode": "6.0.0", "isLatest": True}, {"versionCode": "5.0.0", "isLatest": False}]})


def _health(ctx):
    return {"serverState": "RUNNING", "instance-id": "simulator",
            "health-status": {"healthStatus": "OK", "time": int(ctx.now() * 1000), "description": "Simulated vRO",
                              "health-status-providers": [{"name": "database", "state": "OK", "critical": True, "message": "ok"}]}}


@BLUEPRINT.get("/vco/api/healthstatus/")
def healthstatus():
    return jsonify(_health(context()))


@BLUEPRINT.get("/vco/api/health/liveness/")
def liveness():
    return jsonify(_health(context()))


# -- workflows -------------------------------------------------------------------------------------
@BLUEPRINT.get("/vco/api/workflows/")
def workflows():
    return jsonify(vro_workflows.list_workflows(_server(), g.vro_user))


@BLUEPRINT.get("/vco/api/workflows/<wid>/")
def workflow(wid):
    server = _server()
    return jsonify(vro_workflows.workflow_body(server, server.workflow(wid, g.vro_user)))


@BLUEPRINT.get("/vco/api/categories/")
def categories():
    return jsonify(vro_workflows.list_category_links(_server(), g.vro_user))


@BLUEPRINT.get("/vco/api/categories/<cid>/")
def category(cid):
    return jsonify(vro_workflows.category_body(_server(), g.vro_user, cid))


# The System catalog of workflows and their categories: PowervRO's Get-vROWorkflow -CategoryId, a public vRO log-tail
# script and sammcgeown/vra-cli read them ("Public clients" in simulator/README.md).
@BLUEPRINT.get("/vco/api/catalog/System/Workflow/")
def catalog_workflows():
    return jsonify(vro_workflows.list_workflows(_server(), g.vro_user))


@BLUEPRINT.get("/vco/api/catalog/System/WorkflowCategory/")
def catalog_categories():
    return jsonify(vro_workflows.list_categories(_server(), g.vro_user))


@BLUEPRINT.get("/vco/api/catalog/System/WorkflowCategory/<cid>/")
def catalog_category(cid):
    return jsonify(vro_workflows.category_item(_server(), g.vro_user, cid))


@BLUEPRINT.get("/vco/api/catalog/System/WorkflowCategory/<cid>/workflows/")
def catalog_category_workflows(cid):
    return jsonify(vro_workflows.category_workflows(_server(), g.vro_user, cid))


@BLUEPRINT.get("/vco/api/workflows/<wid>/schema/")
def workflow_schema(wid):
    workflow_ = _server().workflow(wid, g.vro_user)
    return Response(vro_catalog.schema_png(workflow_["id"]), mimetype="image/png")


@BLUEPRINT.get("/vco/api/workflows/<wid>/interactions/")
def workflow_interactions(wid):
    server = _server()
    who = g.vro_user
    server.workflow(wid, who)
    return jsonify(vro_interactions.list_interactions(server, who, wid))


@BLUEPRINT.get("/vco/api/interactions/")
def interactions():
    return jsonify(vro_interactions.list_interactions(_server(), g.vro_user))


# -- executions ------------------------------------------------------------------------------------
@BLUEPRINT.post("/vco/api/workflows/<wid>/executions/")
def start_execution(wid):
    server = _server()
    who = g.vro_user
    workflow_ = server.workflow(wid, who)
    body = _context_body()
    if body is not None and not isinstance(body, dict):
        raise VroError(400, "The request body must be an execution-context JSON object")
    body = body or {}
    params = body.get("parameters", body.get("parameter"))
    try:
        values = vro_values.check_parameters(workflow_["inputs"], params, strict=server.ctx.quirk("vro-values-strict"))
    except vro_values.ValueError_ as exc:
        raise VroError(400, str(exc)) from None
    server.require_execute(who, workflow_)
    run = vro_runs.start_run(server, workflow_, values, who)
    response = jsonify(vro_runs.run_body(server, run, full=False))
    response.status_code = 202
    response.headers["Location"] = vro_runs.run_href(run)
    return response


@BLUEPRINT.get("/vco/api/workflows/<wid>/executions/")
def list_executions(wid):
    server = _server()
    server.workflow(wid, g.vro_user)
    href = server.workflow_href(wid)
    return jsonify(vro_runs.list_runs(server, parent=wid, up_href=href, self_href=href + "executions/"))


@BLUEPRINT.get("/vco/api/workflows/<wid>/executions/<eid>/")
def get_execution(wid, eid):
    server = _server()
    return jsonify(vro_runs.run_body(server, vro_runs.run_for(server, wid, eid, g.vro_user)))


@BLUEPRINT.delete("/vco/api/workflows/<wid>/executions/<eid>/")
def delete_execution(wid, eid):
    server = _server()
    who = g.vro_user
    run = vro_runs.run_for(server, wid, eid, who)
    server.require_execute(who, server.workflows[wid])
    if server.v7 and not context().quirk("vro-7-cancel-state"):
        vro_runs.cancel(server, run, who)  # 7.x: DELETE on the execution cancels it (the 7.1 guide)
    else:  # 8.x, and 7.x under the quirk (captured 7.x payloads label this call rel: remove)
        vro_runs.delete_run(server, run)
    return "", 204


@BLUEPRINT.get("/vco/api/workflows/<wid>/executions/<eid>/state/")
def execution_state(wid, eid):
    return jsonify({"value": vro_runs.state_of(_server(), wid, eid, g.vro_user)})


@BLUEPRINT.delete("/vco/api/workflows/<wid>/executions/<eid>/state/")
def cancel_execution(wid, eid):
    server = _server()
    who = g.vro_user
    if server.v7 and not context().quirk("vro-7-cancel-state"):
        raise VroError(405, "Request method 'DELETE' is not supported on %s in vRO %s; DELETE the execution to cancel it"
                       % (request.path, context().vro_version), {"Allow": "GET, HEAD"})
    run = vro_runs.run_for(server, wid, eid, who)
    server.require_execute(who, server.workflows[wid])
    vro_runs.cancel(server, run, who)
    return "", 204


@BLUEPRINT.get("/vco/api/workflows/<wid>/executions/<eid>/logs/")
def execution_logs(wid, eid):
    server = _server()
    return jsonify(vro_runs.logs_body(server, vro_runs.run_for(server, wid, eid, g.vro_user), system=False))


@BLUEPRINT.get("/vco/api/workflows/<wid>/executions/<eid>/syslogs/")
def execution_syslogs(wid, eid):
    server = _server()
    return jsonify(vro_runs.logs_body(server, vro_runs.run_for(server, wid, eid, g.vro_user), system=True))


@BLUEPRINT.get("/vco/api/workflows/<wid>/executions/<eid>/interaction/")
def get_interaction(wid, eid):
    return jsonify(vro_interactions.interaction_body(vro_interactions.waiting_run(_server(), wid, eid, g.vro_user)))


@BLUEPRINT.post("/vco/api/workflows/<wid>/executions/<eid>/interaction/")
def answer_interaction(wid, eid):
    server = _server()
    who = g.vro_user
    run = vro_interactions.waiting_run(server, wid, eid, who)
    body = _context_body()
    if not isinstance(body, dict):
        raise VroError(400, "The request body must be an execution-context JSON object with the answers as parameters")
    try:
        values = vro_values.check_parameters(run["interaction"]["inputs"], body.get("parameters", body.get("parameter")) or [],
                                             strict=server.ctx.quirk("vro-values-strict"))
    except vro_values.ValueError_ as exc:
        raise VroError(400, str(exc)) from None
    server.require_execute(who, server.workflows[wid])
    vro_interactions.answer(server, run, values, who)
    return "", 204


@BLUEPRINT.delete("/vco/api/workflows/<wid>/executions/<eid>/interaction/")
def delete_interaction(wid, eid):
    server = _server()
    who = g.vro_user
    run = vro_interactions.waiting_run(server, wid, eid, who)
    server.require_execute(who, server.workflows[wid])
    vro_runs.cancel(server, run, who, reason="canceled (user interaction deleted)")
    return "", 204


# -- scheduled tasks -------------------------------------------------------------------------------
@BLUEPRINT.get("/vco/api/tasks/")
def list_tasks():
    return jsonify(vro_tasks.list_body(_server()))


@BLUEPRINT.post("/vco/api/tasks/")
def create_task():
    server = _server()
    task = vro_tasks.create_task(server, _json_body(), g.vro_user)
    response = jsonify(_task_answer(server, task))
    response.status_code = 202
    response.headers["Location"] = vro_tasks.task_href(task["id"])
    return response


@BLUEPRINT.get("/vco/api/tasks/<tid>/")
def get_task(tid):
    server = _server()
    return jsonify(vro_tasks.task_body(server, vro_tasks.task_for(server, tid)))


@BLUEPRINT.post("/vco/api/tasks/<tid>/")
def update_task(tid):
    server = _server()
    return jsonify(_task_answer(server, vro_tasks.update_task(server, tid, _json_body(), g.vro_user)))


def _task_answer(server, task):
    """The answer to a task create or update: the whole task, or (quirk vro-task-answer-small) only its id and state."""
    if server.ctx.quirk("vro-task-answer-small"):
        return {"id": task["id"], "state": task["state"]}
    return vro_tasks.task_body(server, task)


@BLUEPRINT.delete("/vco/api/tasks/<tid>/")
def delete_task(tid):
    vro_tasks.delete_task(_server(), tid, g.vro_user)
    return "", 204


@BLUEPRINT.get("/vco/api/tasks/<tid>/executions/")
def task_executions(tid):
    server = _server()
    task = vro_tasks.task_for(server, tid)
    href = vro_tasks.task_href(tid)
    return jsonify(vro_runs.list_runs(server, ids=list(task.get("runs") or []), up_href=href, self_href=href + "executions/"))


@BLUEPRINT.get("/vco/api/catalog/System/WorkflowToken/")
def catalog_workflow_tokens():
    server = _server()
    if server.ctx.quirk("vro-catalog-workflowexecution"):
        raise VroError(404, "Not found: %s/catalog/System/WorkflowToken is not a catalog type of this server" % BASE)
    return jsonify(vro_runs.list_tokens(server, g.vro_user))


@BLUEPRINT.get("/vco/api/catalog/System/WorkflowExecution/")
def catalog_workflow_executions():
    """The same catalog of runs under the type name public clients read (quirk ``vro-catalog-workflowexecution``);
    a 404 otherwise."""
    server = _server()
    if not server.ctx.quirk("vro-catalog-workflowexecution"):
        raise VroError(404, "Not found: %s/catalog/System/WorkflowExecution is not a catalog type of this server" % BASE)
    return jsonify(vro_runs.list_tokens(server, g.vro_user, type_name="WorkflowExecution"))


@BLUEPRINT.get("/vco/api/catalog/System/WorkflowExecution/<eid>/")
def catalog_workflow_execution(eid):
    server = _server()
    if not server.ctx.quirk("vro-catalog-workflowexecution"):
        raise VroError(404, "Not found: %s/catalog/System/WorkflowExecution is not a catalog type of this server" % BASE)
    return jsonify(vro_runs.catalog_item(server, g.vro_user, eid, "WorkflowExecution"))


@BLUEPRINT.get("/vco/api/server/permissions/")
def server_permissions():
    """The server's permissions: jakkulabs/PowervRO ``Connect-vROServer`` reads it to test the credentials. Served on
    7.x; not in the 8.18 OpenAPI, so a 404 on 8.x unless the quirk ``vro-8-server-permissions``."""
    ctx = context()
    if not ctx.vro7 and not ctx.quirk("vro-8-server-permissions"):
        raise VroError(404, "Not found: %s/server/permissions is not an endpoint of vRO %s" % (BASE, ctx.vro_version))
    rights = "rxica" if "admin" in ctx.users["vro"][g.vro_user]["roles"] else "r"
    return jsonify({"permissions": [{"principal": g.vro_user, "rights": rights}]})


@BLUEPRINT.route("/vco/api/<path:rest>", methods=ROUTE_METHODS)
def unknown(rest):
    # Routes the simulator does not implement answer in vRO's error shape, not with Flask's HTML page.
    raise VroError(404, "Not found: %s/%s is not implemented by the simulator" % (BASE, rest))


# -- admin ----------------------------------------------------------------------------------------------
def _body():
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


@ADMIN.get("/runs")
def runs():
    wid = request.args.get("workflow") or None
    limit = request.args.get("limit", default=1000, type=int)
    vro_runs.advance(_server(), wid)
    docs, total = context().store.query(vro_runs.RUN_KIND, parent=wid, limit=limit)
    return jsonify({"count": total, "runs": [vro_runs.summary(r) for r in docs]})


@ADMIN.post("/workflows/<wid>/runs")
def bulk_runs(wid):
    server = _server()
    workflow = server.workflows.get(wid)
    if workflow is None:
        raise VroError(404, "no workflow %s" % wid)
    data = _body()
    count = int(data.get("count", 0))
    running = int(data.get("running", 0))
    state = data.get("state", "completed")
    if state not in vro_runs.TERMINAL_STATES:
        raise VroError(400, "state must be one of %s" % ", ".join(vro_runs.TERMINAL_STATES))
    user = data.get("started_by") or "vcoadmin"
    created = vro_runs.add_history(server, workflow, count, running, state, user, float(data.get("spacing", 60.0)))
    return jsonify({"created": created, "total": server.store.count(vro_runs.RUN_KIND, parent=wid)}), 201


@ADMIN.post("/executions/<eid>/outcome")
def outcome(eid):
    server = _server()
    run = vro_runs.load_run(server, eid)
    if run is None:
        raise VroError(404, "no execution %s" % eid)
    data = _body()
    run = vro_runs.set_outcome(server, run, data.get("state"), exception=data.get("exception"), outputs=data.get("outputs"))
    return jsonify(vro_runs.summary(run))


@ADMIN.get("/workflows")
def all_workflows():
    return jsonify({"workflows": [{"id": w["id"], "name": w["name"], "category": w["category"], "inputs": w["inputs"],
                                   "outputs": w["outputs"]} for w in _server().workflows.values()]})


def seed(ctx):
    """Store the workflow catalogue (informational: the server serves it from memory)."""
    for workflow in vro_catalog.all_workflows(ctx.catalog).values():
        ctx.store.put(WORKFLOW_KIND, workflow["id"], {k: v for k, v in workflow.items() if k != "behaviour"},
                      name=workflow["name"], parent=workflow["category"])
