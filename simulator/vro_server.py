"""What every vRO file shares: the server's per-instance state (``VroServer``, ``ctx.vro``), its error, and the
request helpers (query integers, ``conditions``, dates, hrefs).

``VroServer`` holds the workflow catalogue, the caches (Basic credentials, the state of each run), the flavour
(7.6 or 8.18) with its time format, and who may read or run a workflow. The run state machine
(``vro_runs.py``), the interactions (``vro_interactions.py``), the scheduled tasks (``vro_tasks.py``) and the
workflow listing (``vro_workflows.py``) are functions over it; the blueprint (``vro.py``) calls them.
"""

from __future__ import annotations

import re
import time

from flask import request

from simulator import vro_catalog, vro_values
from simulator.routing import context

BASE = "/vco/api"

_CONDITION = re.compile(r"^\s*([A-Za-z][\w.-]*)\s*(!=|>=|<=|=|~|>|<)(.*)$", re.S)


class VroError(Exception):
    """An error answered in vRO's shape ``{"status": N, "message": "..."}``."""

    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# -- request helpers ----------------------------------------------------------------------------------------
def host_url():
    """The scheme and host of the current request (hrefs are absolute, as vRO writes them)."""
    return request.host_url.rstrip("/")


def iso(ts):
    """Epoch seconds -> vRO 8.x's ISO-8601 with milliseconds and ``+00:00``."""
    millis = int(round(ts * 1000))
    t = time.gmtime(millis // 1000)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03d+00:00" % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, millis % 1000)


def int_arg(name, default, minimum=0):
    """The integer query parameter ``name`` (400 when it is not one or below ``minimum``)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise VroError(400, "Invalid value '%s' for query parameter '%s': an integer is expected" % (raw, name)) from None
    if value < minimum:
        raise VroError(400, "Invalid value '%s' for query parameter '%s': must be >= %d" % (raw, name, minimum))
    return min(value, 2147483647)


def list_arg(name):
    """A list query parameter (``keys``, ``tags``): repeated (``keys=id&keys=state``) or comma-joined (``keys=id,state``),
    as Spring binds a comma-delimited value to the list parameter the 8.18 spec declares (``type: array``); blanks are
    dropped."""
    return [item.strip() for raw in request.args.getlist(name) for item in raw.split(",") if item.strip()]


def _split_before_conditions(raw, separator):
    """``raw`` split at ``separator`` only where the next piece is itself a condition (``a=b,c~d`` is two; the comma
    of ``name=Deploy VM, Linux`` stays in the value)."""
    parts = []
    for piece in raw.split(separator):
        if parts and not _CONDITION.match(piece):
            parts[-1] += separator + piece
        else:
            parts.append(piece)
    return parts


def parse_conditions(raw_list, comma_split=None):
    """``conditions`` query values -> ``[(key, op, value)]``. Repeated params and ``&``- or ``,``-joined ones all work
    (sammcgeown/vra-cli sends ``conditions=name~X,categoryName~Y``); a comma or ``&`` followed by no condition stays in
    the value.

    With the quirk ``vro-conditions-comma-split`` (or ``comma_split=True``) every value is also split at each comma,
    as a real vRO does: a piece that is not a condition (``Deploy VM, Linux`` leaves `` Linux``) is a 400.
    """
    if comma_split is None:
        comma_split = context().quirk("vro-conditions-comma-split")
    if comma_split:
        raw_list = [piece for raw in raw_list for piece in raw.split(",")]
    else:
        raw_list = [piece for raw in raw_list for piece in _split_before_conditions(raw, ",")]
    out = []
    for raw in raw_list:
        # '&' inside one value: split only before a condition too, so a name containing '&' survives.
        for part in _split_before_conditions(raw, "&"):
            if not part.strip():
                continue
            match = _CONDITION.match(part)
            if not match:
                raise VroError(400, "Invalid condition '%s': expected <attribute><operator><value>, e.g. name=MyWorkflow" % part)
            out.append((match.group(1), match.group(2), match.group(3)))
    return out


def date_arg(text):
    """A date in a condition or a task body (ISO-8601 or epoch milliseconds) -> epoch seconds (400 otherwise)."""
    try:
        return vro_values.parse_date(text).timestamp()
    except ValueError:
        raise VroError(400, "Invalid date '%s' in condition: use ISO-8601 or epoch milliseconds" % text) from None


class VroServer:
    """The vRO server's state (one per simulator): the catalogue, the caches, the flavour and access rules."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.store = ctx.store
        self.workflows = vro_catalog.all_workflows(ctx.catalog)
        # Authorization header -> user name, for Basic credentials already checked (vro.authenticate).
        self.basic_cache = {}
        # eid -> (workflow id, state, time of the next scripted event or None, store generation): lets a state
        # poll skip reading and decoding the run document until something is due (vro_runs).
        self.run_states = {}

    # -- flavour and formatting --------------------------------------------------------------------------
    @property
    def v7(self):
        return self.ctx.vro7

    def fmt_time(self, ts):
        if ts is None:
            return None
        return int(round(ts * 1000)) if self.v7 else iso(ts)

    def fmt_attr_time(self, ts):
        return "" if ts is None else str(self.fmt_time(ts))

    def parameters(self, declared, values):
        """The ``input-parameters``/``output-parameters`` list of ``declared`` with the ``values`` that are set."""
        out = []
        for param in declared:
            entry = {"name": param["name"], "type": param["type"], "scope": "local"}
            value = values.get(param["name"])
            if value is not None:
                entry["value"] = vro_values.render(value, param["type"], epoch_dates=self.v7,
                                                   bare_single=self.ctx.quirk("vro-one-element-bare"),
                                                   secure_as_string=self.ctx.quirk("vro-secure-as-string"))
            out.append(entry)
        return out

    # -- access -------------------------------------------------------------------------------------------
    def is_admin(self, user):
        return "admin" in self.ctx.users.get("vro", {}).get(user, {}).get("roles", [])

    def can_read(self, user, workflow):
        return self.is_admin(user) or workflow["category"] != vro_catalog.RESTRICTED_CATEGORY

    def workflow(self, wid, user):
        """The workflow ``wid`` if ``user`` may read it; 404 otherwise (as vRO does for both cases)."""
        workflow = self.workflows.get(wid)
        if workflow is None or not self.can_read(user, workflow):
            raise VroError(404, "Can not find a workflow with the specified ID '%s' or the user does not have 'read' access rights for that workflow" % wid)
        return workflow

    def require_execute(self, user, workflow):
        if not self.is_admin(user):
            raise VroError(403, "User '%s' is not authorized to execute workflow '%s' (%s)" % (user, workflow["name"], workflow["id"]))

    def workflow_href(self, wid):
        return "%s%s/workflows/%s/" % (host_url(), BASE, wid)
