"""The admin API under ``/_sim/`` (JSON): reset, faults, counters, request log, settings, tokens.

Every ``/_sim`` request needs the header ``X-Sim-Admin-Token`` with the simulator's admin token (random per start,
printed in the first JSON line as ``admin_token``; ``--admin-token`` / ``SIM_ADMIN_TOKEN`` fix it): the admin API
hands out every password (``/_sim/users``) and can reset or break the server.

Product-specific admin routes (``/_sim/vro/...``, ``/_sim/vcf/...``, ``/_sim/ico/...``) live in the API modules.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from simulator import faults as faults_mod
from simulator import quirks as quirks_mod
from simulator.context import same_secret
from simulator.routing import context
from simulator.state import reset_state

ADMIN_HEADER = "X-Sim-Admin-Token"


def _json_body():
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _error(status, message):
    response = jsonify({"status": status, "message": message})
    response.status_code = status
    return response


def refuse_without_token(ctx):
    """A 401 response unless the request carries the admin token (None when it does); checked for every /_sim path."""
    expected = getattr(ctx, "admin_token", None)
    if expected and same_secret(expected, request.headers.get(ADMIN_HEADER)):
        return None
    response = _error(401, "the simulator admin API needs the %s header: its value is admin_token in the simulator's "
                           "first JSON line" % ADMIN_HEADER)
    return response


BLUEPRINT = Blueprint("sim_admin", __name__, url_prefix="/_sim")


@BLUEPRINT.get("/")
def index():
    ctx = context()
    return jsonify({"url": ctx.base_url, "vro_version": ctx.vro_version, "data_dir": getattr(ctx, "data_dir", None),
                    "modules": [m.__name__ for _p, m in ctx.modules]})


@BLUEPRINT.post("/reset")
def reset():
    ctx = context()
    reset_state(ctx, settings=bool(_json_body().get("settings")))
    return jsonify({"reset": True, "settings": ctx.settings})


@BLUEPRINT.post("/faults")
def add_fault():
    spec = request.get_json(silent=True)
    try:
        fault = context().faults.add(spec)
    except faults_mod.FaultError as exc:
        return _error(400, str(exc))
    return jsonify(fault.to_dict()), 201


@BLUEPRINT.get("/faults")
def list_faults():
    return jsonify({"faults": context().faults.list()})


@BLUEPRINT.delete("/faults")
def clear_faults():
    context().faults.clear()
    return "", 204


@BLUEPRINT.delete("/faults/<fault_id>")
def delete_fault(fault_id):
    if not context().faults.remove(fault_id):
        return _error(404, "no fault %s" % fault_id)
    return "", 204


@BLUEPRINT.get("/counters")
def counters():
    return jsonify(context().request_log.counters())


@BLUEPRINT.delete("/counters")
def clear_counters():
    context().request_log.clear()
    return "", 204


@BLUEPRINT.get("/requests")
def requests_log():
    limit = request.args.get("limit", type=int)
    entries = context().request_log.recent(limit)
    return jsonify({"requests": entries, "count": len(entries)})


@BLUEPRINT.get("/settings")
def get_settings():
    return jsonify(context().settings)


@BLUEPRINT.route("/settings", methods=["PUT", "POST", "PATCH"])
def put_settings():
    ctx = context()
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _error(400, "settings must be a JSON object")
    for key, value in data.items():
        if key == "vro_version" and str(value) not in ("7.6", "8.18"):
            return _error(400, "vro_version must be '7.6' or '8.18'")
        if key == quirks_mod.SETTING:
            try:
                value = quirks_mod.check(value)
            except quirks_mod.QuirkError as exc:
                return _error(400, str(exc))
        ctx.set_setting(key, str(value) if key == "vro_version" else value)
    return jsonify(ctx.settings)


@BLUEPRINT.get("/quirks")
def list_quirks():
    """Every known quirk with its description, and the enabled ones."""
    return jsonify({"known": quirks_mod.describe(), "enabled": list(context().settings.get(quirks_mod.SETTING) or [])})


@BLUEPRINT.post("/tokens/expire")
def expire_tokens():
    ctx = context()
    ctx.expire_tokens()
    return jsonify({"tokens_valid_after": ctx.tokens_valid_after()})


@BLUEPRINT.get("/users")
def users():
    return jsonify(context().users)
