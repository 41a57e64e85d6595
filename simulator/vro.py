"""The vRO REST API (base ``/vco/api``), 7.6 and 8.18 flavours, following the vRO 8.18.1 OpenAPI spec.

Executions are an asynchronous state machine played from stored timestamps: a run's document holds its
script as timed events (``initializing`` -> ``running`` -> ``completed|failed|waiting``); reading a run applies
the events that are due, and a ticker does the same for every active run, so SQL filters on state stay right
and a restart continues in-flight runs. Scheduled tasks fire from the same ticker.

``VroApi`` (one per simulator, ``ctx.vro``) holds that state machine and the rendering; the module-level
``BLUEPRINT`` (``/vco/api`` plus the vRA login views of ``vra.py``) authenticates once in ``before_request`` and
its views call ``VroApi``; ``ADMIN`` serves ``/_sim/vro``.
"""

from __future__ import annotations

import base64
import calendar
import datetime
import json
import re
import time
import uuid

from flask import Blueprint, Response, g, jsonify, request

from simulator import vra, vro_catalog, vro_values
from simulator.context import same_secret
from simulator.routing import ROUTE_METHODS, context

BASE = "/vco/api"

USERS = {
    "vcoadmin": {"password": "VcoAdm1n!sim-7Qz", "roles": ["admin"], "description": "vRO administrator"},
    "vcoreader": {"password": "R3adOnly!sim-4Kp", "roles": ["read-only"],
                  "description": "may read workflows outside category 'Restricted'; cannot start runs"},
}

RUN_KIND = "vro_execution"
TASK_KIND = "vro_task"
WORKFLOW_KIND = "vro_workflow"

ACTIVE_STATES = ("initializing", "running")
PENDING_STATES = ("initializing", "running", "waiting")
TERMINAL_STATES = ("completed", "failed", "canceled")
ALL_STATES = ("initializing", "running", "waiting", "waiting-signal", "suspended", "completed", "failed", "canceled")
TASK_LIMIT = 50
PAST_GRACE = 60.0
TASK_CYCLES = {"one-time": 0, "every-minutes": 60, "every-hours": 3600, "every-days": 86400, "every-weeks": 7 * 86400,
               "every-months": -1}

ABOUT = {
    "8.18": {"version": "8.18.1.24280767", "build-number": "24280767", "build-date": "2024-09-24T10:01:34Z", "api-version": "6.0.0"},
    "7.6": {"version": "7.6.0.13020602", "build-number": "13020602", "build-date": "2019-04-02T05:41:35Z", "api-version": "2.0"},
}

_CONDITION = re.compile(r"^\s*([A-Za-z][\w.-]*)\s*(!=|>=|<=|=|~|>|<)(.*)$", re.S)


class VroError(Exception):
    """An error answered in vRO's shape ``{"status": N, "message": "..."}``."""

    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


# -- helpers ----------------------------------------------------------------------------------------------
def _host():
    return request.host_url.rstrip("/")


def _iso(ts):
    millis = int(round(ts * 1000))
    t = time.gmtime(millis // 1000)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03d+00:00" % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, millis % 1000)


def _int_arg(name, default, minimum=0):
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


def parse_conditions(raw_list):
    """``conditions`` query values -> ``[(key, op, value)]``. Repeated params and ``&``-joined ones both work."""
    out = []
    for raw in raw_list:
        parts = [raw]
        if "&" in raw:
            # Split only where the next piece is itself a condition, so a name containing '&' survives.
            parts = []
            for piece in raw.split("&"):
                if parts and not _CONDITION.match(piece):
                    parts[-1] += "&" + piece
                else:
                    parts.append(piece)
        for part in parts:
            if not part.strip():
                continue
            match = _CONDITION.match(part)
            if not match:
                raise VroError(400, "Invalid condition '%s': expected <attribute><operator><value>, e.g. name=MyWorkflow" % part)
            out.append((match.group(1), match.group(2), match.group(3)))
    return out


def _date_arg(text):
    try:
        return vro_values.parse_date(text).timestamp()
    except ValueError:
        raise VroError(400, "Invalid date '%s' in condition: use ISO-8601 or epoch milliseconds" % text) from None


class VroApi:
    """The vRO server state and behaviour (one per simulator)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.store = ctx.store
        self.workflows = vro_catalog.all_workflows(ctx.catalog)
        self._basic_cache = {}
        # eid -> (workflow id, state, time of the next scripted event or None, store generation): lets a state
        # poll skip reading and decoding the run document until something is due.
        self._states = {}

    # -- flavour and formatting --------------------------------------------------------------------------
    @property
    def v7(self):
        return self.ctx.vro7

    def fmt_time(self, ts):
        if ts is None:
            return None
        return int(round(ts * 1000)) if self.v7 else _iso(ts)

    def fmt_attr_time(self, ts):
        return "" if ts is None else str(self.fmt_time(ts))

    # -- auth ---------------------------------------------------------------------------------------------
    def authenticate(self):
        """The user of the current request (Basic, or a vRA bearer token on 8.x); raises 401."""
        header = request.headers.get("Authorization", "").strip()
        users = self.ctx.users.get("vro", {})
        # The auth scheme is case-insensitive (RFC 9110): "basic ..." and "BEARER ..." are accepted.
        scheme = header[:7].lower()
        if scheme.startswith("basic "):
            cached = self._basic_cache.get(header)
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
            if entry is not None and same_secret(entry["password"], password or ""):
                if len(self._basic_cache) < 1000:
                    self._basic_cache[header] = name
                return name
            raise VroError(401, "Authentication failed: bad user name or password",
                           {"WWW-Authenticate": 'Basic realm="vRealize Orchestrator"'})
        if scheme == "bearer " and not self.v7:
            user = vra.check(self.ctx, header[7:].strip(), kind="access")
            if user is not None and user in users:
                return user
            raise VroError(401, "The bearer token is invalid or has expired",
                           {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        raise VroError(401, "Full authentication is required to access this resource",
                       {"WWW-Authenticate": 'Basic realm="vRealize Orchestrator"'})

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

    # -- workflows ----------------------------------------------------------------------------------------
    def workflow_href(self, wid):
        return "%s%s/workflows/%s/" % (_host(), BASE, wid)

    def workflow_link(self, workflow):
        attributes = [
            ("id", workflow["id"]), ("name", workflow["name"]), ("description", workflow["description"]),
            ("categoryName", workflow["category"]), ("categoryId", workflow["category_id"]), ("type", "Workflow"),
            ("version", workflow["version"]), ("canExecute", "true"), ("canEdit", "true"),
        ]
        return {"href": self.workflow_href(workflow["id"]), "rel": "down",
                "attributes": [{"name": n, "value": v} for n, v in attributes]}

    def list_workflows(self, user):
        conditions = parse_conditions(request.args.getlist("conditions"))
        items = [w for w in self.workflows.values() if self.can_read(user, w)]
        for key, op, value in conditions:
            field = {"name": "name", "categoryName": "category", "categoryId": "category_id", "id": "id",
                     "description": "description"}.get(key)
            if field is None:
                raise VroError(400, "Unsupported condition attribute '%s' for workflows (supported: name, categoryName, categoryId, id, description)" % key)
            if op == "=":
                items = [w for w in items if w[field] == value]
            elif op == "~":
                items = [w for w in items if value.lower() in w[field].lower()]
            elif op == "!=":
                items = [w for w in items if w[field] != value]
            else:
                raise VroError(400, "Operator '%s' is not supported for workflow attribute '%s'" % (op, key))
        items.sort(key=lambda w: (w["name"].lower(), w["category"], w["id"]))
        start = _int_arg("startIndex", 0)
        limit = _int_arg("maxResult", 2147483647)
        page = items[start:start + limit]
        body = {"link": [self.workflow_link(w) for w in page], "total": len(items)}
        if request.args.get("queryCount", "").lower() == "true":
            body["startIndex"], body["count"] = start, len(page)
        return body

    def workflow_body(self, workflow):
        href = self.workflow_href(workflow["id"])
        return {
            "id": workflow["id"], "name": workflow["name"], "version": workflow["version"],
            "description": workflow["description"], "href": href, "category-id": workflow["category_id"],
            "customized-icon": False,
            "input-parameters": [dict(p) for p in workflow["inputs"]],
            "output-parameters": [dict(p) for p in workflow["outputs"]],
            "relations": {"link": [
                {"href": "%s%s/categories/%s/" % (_host(), BASE, workflow["category_id"]), "rel": "up"},
                {"href": href + "executions/", "rel": "executions"},
                {"href": href + "presentation/", "rel": "presentation"},
                {"href": href + "tasks/", "rel": "tasks"},
                {"href": href + "icon/", "rel": "icon"},
                {"href": href + "schema/", "rel": "schema"},
                {"href": href + "permissions/", "rel": "permissions"},
                {"href": href + "interactions/", "rel": "interactions"},
            ]},
        }

    # -- executions: the state machine --------------------------------------------------------------------
    def start_run(self, workflow, values, user, task_id=None, start=None):
        """Create a run of ``workflow`` with normalised ``values``; returns the stored run document."""
        # vRO keeps milliseconds: rounding here makes startDate conditions exact against what was shown.
        now = round(self.ctx.now() if start is None else start, 3)
        scripted = vro_catalog.script(workflow, values)
        duration = max(0.0, float(scripted.get("duration") or 0.0))
        eid = str(uuid.uuid4())
        result = scripted["result"]
        events = [
            {"at": now, "state": "initializing", "item": "", "syslog": [("info", "Workflow '%s' is initializing" % workflow["name"])]},
            {"at": now + min(0.1, duration / 2.0), "state": "running", "item": "item1",
             "logs": [l for l in scripted.get("logs", []) if l[0] != "error"],
             "syslog": [("info", "Workflow '%s' is running" % workflow["name"])]},
        ]
        final = {"at": now + duration, "state": result, "item": "item1" if result == "waiting" else "",
                 "logs": [l for l in scripted.get("logs", []) if l[0] == "error"]}
        if result == "waiting":
            final["interaction"] = scripted.get("interaction")
            final["syslog"] = [("info", "Workflow '%s' is waiting for a user interaction" % workflow["name"])]
        else:
            final["end"] = True
            final["outputs"] = scripted.get("outputs") or {}
            if result == "failed":
                final["exception"] = scripted.get("exception") or "Workflow failed"
                final["syslog"] = [("error", "Workflow '%s' has failed: %s" % (workflow["name"], final["exception"]))]
            else:
                final["syslog"] = [("info", "Workflow '%s' has completed" % workflow["name"])]
        events.append(final)
        run = {
            "id": eid, "workflow_id": workflow["id"], "workflow_name": workflow["name"], "started_by": user,
            "start": now, "end": None, "state": "initializing", "item": "", "exception": None, "business_state": None,
            "inputs": values, "outputs": {}, "pending_outputs": scripted.get("outputs") or {},
            "events": events, "applied": 0, "logs": [], "interaction": None, "task_id": task_id,
        }
        self._apply_due(run, now)
        self._save(run)
        return run

    def _save(self, run):
        self.store.put(RUN_KIND, run["id"], run, parent=run["workflow_id"], state=run["state"], sort_key=run["start"],
                       name=run["workflow_name"], owner=run["started_by"])
        self._remember(run)

    def _remember(self, run):
        if len(self._states) > 100000:
            self._states.clear()
        pending = run["events"][run["applied"]]["at"] if run["applied"] < len(run["events"]) else None
        self._states[run["id"]] = (run["workflow_id"], run["state"], pending, self.store.generation)

    def forget(self, eid):
        self._states.pop(eid, None)

    def state_of(self, wid, eid, user):
        """The state of run ``eid`` of ``wid`` (404s as ``run_for``), from memory while nothing is due."""
        self.workflow(wid, user)
        known = self._states.get(eid)
        if known is not None and known[0] == wid and known[3] == self.store.generation and (known[2] is None or self.ctx.now() < known[2]):
            return known[1]
        return self.run_for(wid, eid, user)["state"]

    @staticmethod
    def _apply(run, event, user=None):
        at = event["at"]
        run["state"] = event["state"]
        if "item" in event:
            run["item"] = event["item"]
        for severity, text in event.get("logs") or ():
            run["logs"].append({"t": at, "severity": severity, "text": text, "origin": "workflow", "user": user or run["started_by"]})
        for severity, text in event.get("syslog") or ():
            run["logs"].append({"t": at, "severity": severity, "text": text, "origin": "server", "user": user or run["started_by"]})
        if event.get("outputs"):
            run["outputs"].update(event["outputs"])
        if event.get("exception"):
            run["exception"] = event["exception"]
        if event.get("interaction"):
            interaction = event["interaction"]
            run["interaction"] = {"id": run["id"], "name": interaction["name"], "inputs": interaction["inputs"],
                                  "state": "waiting", "created": at}
            run["business_state"] = interaction["name"]
        if event.get("end"):
            run["end"] = at
            run["business_state"] = None
            if run.get("interaction"):
                run["interaction"]["state"] = "finished"

    def _apply_due(self, run, now):
        changed = False
        events = run["events"]
        while run["applied"] < len(events) and events[run["applied"]]["at"] <= now:
            self._apply(run, events[run["applied"]])
            run["applied"] += 1
            changed = True
        return changed

    def _due(self, run, now):
        return run["applied"] < len(run["events"]) and run["events"][run["applied"]]["at"] <= now

    def load_run(self, eid, wid=None):
        """The run, with every due event applied (persisted when something changed), or None."""
        # Under the store lock, so a concurrent save cannot be overtaken by this read's older view in the cache.
        with self.store.lock:
            run = self.store.get(RUN_KIND, eid)
            if run is None or (wid is not None and run["workflow_id"] != wid):
                self.forget(eid)
                return None
            if self._due(run, self.ctx.now()):
                with self.store.transaction():
                    if self._apply_due(run, self.ctx.now()):
                        self._save(run)
            self._remember(run)
        return run

    def advance(self, parent=None):
        """Apply due events of every active run (optionally of one workflow)."""
        now = self.ctx.now()
        ids = self.store.ids(RUN_KIND, states=ACTIVE_STATES, parent=parent)
        generation = self.store.generation
        for eid in ids:
            known = self._states.get(eid)
            if known is not None and known[3] == generation and known[2] is not None and now < known[2]:
                continue  # its next scripted event is not due yet
            self.load_run(eid)

    def run_for(self, wid, eid, user):
        self.workflow(wid, user)
        run = self.load_run(eid, wid)
        if run is None:
            raise VroError(404, "Can not find a workflow execution with ID '%s' for workflow '%s'" % (eid, wid))
        return run

    def cancel(self, run, user, reason="canceled by user"):
        """Cancel an unfinished run (a no-op for a finished one unless the setting asks for an error)."""
        with self.store.transaction():
            run = self.store.get(RUN_KIND, run["id"])
            now = self.ctx.now()
            self._apply_due(run, now)
            if run["state"] in TERMINAL_STATES:
                if self.ctx.get_setting("vro_cancel_finished", "noop") == "error":
                    raise VroError(400, "Workflow execution '%s' is already %s and cannot be canceled" % (run["id"], run["state"]))
                return run
            run["events"] = run["events"][:run["applied"]]
            event = {"at": now, "state": "canceled", "end": True, "item": "",
                     "syslog": [("warning", "Workflow '%s' was %s by '%s'" % (run["workflow_name"], reason, user))]}
            run["events"].append(event)
            self._apply_due(run, now)
            self._save(run)
            return run

    def set_outcome(self, run, state, exception=None, outputs=None):
        """Admin: change the scripted outcome; applied now if the run is waiting or finished."""
        if state not in TERMINAL_STATES:
            raise VroError(400, "outcome state must be one of %s" % ", ".join(TERMINAL_STATES))
        with self.store.transaction():
            run = self.store.get(RUN_KIND, run["id"])
            now = self.ctx.now()
            self._apply_due(run, now)
            pending = run["events"][run["applied"]:]
            final = {"at": now, "state": state, "end": True, "item": "",
                     "syslog": [("info" if state == "completed" else "error", "Workflow '%s' outcome set to %s" % (run["workflow_name"], state))]}
            if state == "failed":
                final["exception"] = exception or "Simulated failure (outcome set by the simulator admin API)"
                final["logs"] = [("error", final["exception"])]
            if state == "completed":
                final["outputs"] = outputs if outputs is not None else run.get("pending_outputs") or {}
            if pending and pending[-1].get("end"):
                final["at"] = pending[-1]["at"]
                run["events"] = run["events"][:run["applied"]] + pending[:-1] + [final]
            else:
                run["events"] = run["events"][:run["applied"]] + [final]
                if run["state"] in TERMINAL_STATES:
                    run["end"] = None
                    run["exception"] = None
            self._apply_due(run, now)
            self._save(run)
            return run

    def answer(self, run, values, user):
        """Answer the pending interaction of a waiting run; it resumes and finishes shortly after."""
        with self.store.transaction():
            run = self.store.get(RUN_KIND, run["id"])
            now = self.ctx.now()
            self._apply_due(run, now)
            if run["state"] != "waiting" or not run.get("interaction"):
                raise VroError(400, "Workflow execution '%s' is not waiting for a user interaction (state: %s)" % (run["id"], run["state"]))
            workflow = self.workflows.get(run["workflow_id"], {})
            plain = {k: vro_values.plain(v) for k, v in values.items()}
            outputs = dict(run.get("pending_outputs") or {})
            declared_outputs = {p["name"] for p in workflow.get("outputs", [])}
            for name, value in values.items():
                if name in declared_outputs and value is not None:
                    outputs[name] = value
            state, exception = "completed", None
            if workflow.get("behaviour") == "approval" and plain.get("approved") is not True:
                state = "failed"
                exception = "Request rejected by '%s': %s" % (user, plain.get("comment") or "no comment")
            run["interaction"]["state"] = "finished"
            run["interaction"]["answered_by"] = user
            run["business_state"] = None
            resume = {"at": now, "state": "running", "item": "item2",
                      "logs": [("info", "User interaction answered by '%s'" % user)],
                      "syslog": [("info", "Workflow '%s' resumed" % run["workflow_name"])]}
            final = {"at": now + 0.3, "state": state, "end": True, "item": "", "outputs": outputs if state == "completed" else {}}
            if exception:
                final["exception"] = exception
                final["logs"] = [("error", exception)]
                final["syslog"] = [("error", "Workflow '%s' has failed: %s" % (run["workflow_name"], exception))]
            else:
                final["syslog"] = [("info", "Workflow '%s' has completed" % run["workflow_name"])]
            run["events"] = run["events"][:run["applied"]] + [resume, final]
            self._apply_due(run, now)
            self._save(run)
            return run

    # -- executions: rendering ----------------------------------------------------------------------------
    def run_href(self, run):
        return "%s%s/workflows/%s/executions/%s/" % (_host(), BASE, run["workflow_id"], run["id"])

    def _params(self, declared, values):
        out = []
        for param in declared:
            entry = {"name": param["name"], "type": param["type"], "scope": "local"}
            value = values.get(param["name"])
            if value is not None:
                entry["value"] = vro_values.render(value, epoch_dates=self.v7)
            out.append(entry)
        return out

    def run_body(self, run, full=True):
        workflow = self.workflows.get(run["workflow_id"]) or {"inputs": [], "outputs": []}
        href = self.run_href(run)
        body = {"id": run["id"], "name": run["workflow_name"], "href": href, "state": run["state"],
                "start-date": self.fmt_time(run["start"]), "started-by": run["started_by"]}
        if run.get("end") is not None:
            body["end-date"] = self.fmt_time(run["end"])
        if not full:
            return body
        if run.get("business_state"):
            body["business-state"] = run["business_state"]
        if run.get("exception"):
            body["content-exception"] = run["exception"]
        body["current-item-display-name"] = run.get("item") or ""
        body["input-parameters"] = self._params(workflow["inputs"], run["inputs"])
        body["output-parameters"] = self._params(workflow["outputs"], run["outputs"])
        links = [{"href": self.workflow_href(run["workflow_id"]), "rel": "up"},
                 {"href": href + "state/", "rel": "state"},
                 {"href": href + "logs/", "rel": "logs"},
                 {"href": href + "syslogs/", "rel": "syslogs"}]
        if run["state"] == "waiting":
            links.append({"href": href + "interaction/", "rel": "interaction"})
        body["relations"] = {"link": links}
        return body

    def run_link(self, run, keys=None):
        attributes = [("id", run["id"]), ("name", run["workflow_name"]), ("state", run["state"]),
                      ("startDate", self.fmt_attr_time(run["start"])), ("endDate", self.fmt_attr_time(run.get("end"))),
                      ("startedBy", run["started_by"]), ("businessState", run.get("business_state") or ""),
                      ("contentException", run.get("exception") or "")]
        if keys:
            attributes = [a for a in attributes if a[0] in keys]
        return {"href": self.run_href(run), "rel": "down", "attributes": [{"name": n, "value": v} for n, v in attributes]}

    def list_runs(self, parent=None, ids=None, up_href=None, self_href=None):
        """The executions list (``relations`` shape), filtered, sorted and paged in SQL."""
        self.advance(parent)
        kwargs = {}
        for key, op, value in parse_conditions(request.args.getlist("conditions")):
            if key == "state":
                if op == "=":
                    kwargs["states"] = [s for s in kwargs.get("states", ALL_STATES) if s == value]
                elif op == "!=":
                    kwargs["states"] = [s for s in kwargs.get("states", ALL_STATES) if s != value]
                else:
                    raise VroError(400, "Operator '%s' is not supported for 'state' (use = or !=)" % op)
            elif key == "name":
                if op == "=":
                    kwargs["name"] = value
                elif op == "~":
                    kwargs["name_contains"] = value
                else:
                    raise VroError(400, "Operator '%s' is not supported for 'name' (use = or ~)" % op)
            elif key == "startedBy":
                if op != "=":
                    raise VroError(400, "Operator '%s' is not supported for 'startedBy' (use =)" % op)
                kwargs["owner"] = value
            elif key == "startDate":
                when = _date_arg(value)
                if op in (">", ">="):
                    kwargs["sort_after"] = max(kwargs.get("sort_after", when), when) - (1e-6 if op == ">=" else 0)
                elif op in ("<", "<="):
                    kwargs["sort_before"] = min(kwargs.get("sort_before", when), when) + (1e-6 if op == "<=" else 0)
                else:
                    raise VroError(400, "Operator '%s' is not supported for 'startDate' (use > or <)" % op)
            elif key == "id":
                kwargs["ids"] = [value]
            else:
                raise VroError(400, "Unsupported condition attribute '%s' for executions (supported: state, name, startedBy, startDate, id)" % key)
        if ids is not None:
            kwargs["ids"] = [i for i in ids if i in kwargs["ids"]] if "ids" in kwargs else ids
        descending = True
        orders = [o for o in request.args.getlist("sortOrders") if o.strip()]
        if orders:
            order = orders[0].strip()
            field = order.lstrip("+-")
            if field not in ("startDate", "start-date"):
                raise VroError(400, "Unsupported sort order '%s' for executions (supported: +startDate, -startDate)" % order)
            descending = order.startswith("-")
        start = _int_arg("startIndex", 0)
        limit = _int_arg("maxResult", 2147483647)
        docs, total = self.store.query(RUN_KIND, parent=parent, limit=limit, offset=start, descending=descending, **kwargs)
        keys = [k for k in request.args.getlist("keys") if k]
        links = ([{"href": up_href, "rel": "up"}] if up_href else []) + [self.run_link(d, keys) for d in docs]
        return {"relations": {"link": links, "total": total, "startIndex": start, "count": len(docs)}, "href": self_href}

    def logs_body(self, run, system):
        """``/logs`` (workflow log lines) or ``/syslogs`` (state changes and errors) in the flavour's shape."""
        wanted = [e for e in run["logs"] if system or e["origin"] == "workflow"]
        for key, op, value in parse_conditions(request.args.getlist("conditions")):
            if key == "severity" and op == "=":
                wanted = [e for e in wanted if e["severity"] == value]
            elif key == "severity" and op == "!=":
                wanted = [e for e in wanted if e["severity"] != value]
            else:
                raise VroError(400, "Unsupported log condition '%s%s%s' (supported: severity=...)" % (key, op, value))
        limit = _int_arg("maxResult", 2147483647)
        wanted = wanted[-limit:] if limit else []
        entries = []
        for entry in wanted:
            if self.v7:
                item = {"severity": entry["severity"], "time-stamp": int(entry["t"] * 1000), "user": entry["user"],
                        "short-description": entry["text"], "long-description": entry["text"], "origin": entry["origin"]}
                entries.append({"entry": item})
            else:
                item = {"severity": entry["severity"], "time-stamp": _iso(entry["t"]), "userName": entry["user"],
                        "user": entry["user"], "short-description": entry["text"], "long-description": entry["text"]}
                if system:
                    item["origin"] = entry["origin"]
                    item["time-stamp-val"] = int(entry["t"] * 1000)
                entries.append(item)
        return {"logs": entries}

    # -- interactions --------------------------------------------------------------------------------------
    def interaction_link(self, run):
        interaction = run["interaction"]
        attributes = [("id", interaction["id"]), ("name", interaction["name"]), ("state", interaction["state"]),
                      ("executionId", run["id"]), ("workflowId", run["workflow_id"]), ("workflowName", run["workflow_name"]),
                      ("createDate", self.fmt_attr_time(interaction["created"]))]
        return {"href": self.run_href(run) + "interaction/", "rel": "down", "attributes": [{"name": n, "value": v} for n, v in attributes]}

    def interaction_body(self, run):
        interaction = run["interaction"]
        return {"id": interaction["id"], "name": interaction["name"], "state": interaction["state"],
                "href": self.run_href(run) + "interaction/", "assignees": [], "user-assignees": [], "group-assignees": [],
                "input-parameters": [dict(p) for p in interaction["inputs"]],
                "relations": {"link": [{"href": self.run_href(run), "rel": "up"}]}}

    def list_interactions(self, user, wid=None):
        self.advance(wid)
        docs, _total = self.store.query(RUN_KIND, parent=wid, states=["waiting"], descending=False)
        links = []
        for run in docs:
            workflow = self.workflows.get(run["workflow_id"])
            if run.get("interaction") and workflow is not None and self.can_read(user, workflow):
                links.append(self.interaction_link(run))
        return {"link": links, "total": len(links)}

    # -- scheduled tasks -----------------------------------------------------------------------------------
    def task_href(self, tid):
        return "%s%s/tasks/%s/" % (_host(), BASE, tid)

    def _scale(self):
        try:
            return max(1e-6, float(self.ctx.get_setting("vro_task_time_scale", 1.0) or 1.0))
        except (TypeError, ValueError):
            return 1.0

    def next_occurrence(self, task, after):
        """The first occurrence of ``task`` strictly after ``after`` (None when there is none)."""
        cycle, first = task["cycle"], task["start"]
        if cycle == "one-time":
            return first if first > after else None
        if cycle == "every-months":
            dt = datetime.datetime.fromtimestamp(first, tz=datetime.timezone.utc)
            months = 0
            while True:
                year, month = divmod(dt.month - 1 + months, 12)
                day = min(dt.day, calendar.monthrange(dt.year + year, month + 1)[1])
                candidate = dt.replace(year=dt.year + year, month=month + 1, day=day).timestamp()
                if candidate > after:
                    break
                months += 1
        else:
            step = TASK_CYCLES[cycle] / self._scale()
            if first > after:
                candidate = first
            else:
                candidate = first + (int((after - first) // step) + 1) * step
        end = task.get("end")
        if end is not None and candidate > end:
            return None
        return candidate

    def task_state(self, task):
        if task["state"] in ("canceled", "error", "suspended"):
            return task["state"]
        if task.get("runs"):
            last = self.store.get(RUN_KIND, task["runs"][-1])
            if last is not None and last["state"] in PENDING_STATES:
                return "running"
        return "pending" if task.get("next") is not None else "finished"

    def task_body(self, task):
        workflow = self.workflows.get(task["workflow_id"], {"id": task["workflow_id"], "name": "", "description": ""})
        body = {"id": task["id"], "name": task["name"], "href": self.task_href(task["id"]), "state": self.task_state(task),
                "userName": task["owner"], "description": task.get("description") or "",
                "workflow": {"id": workflow["id"], "name": workflow.get("name", ""), "href": self.workflow_href(workflow["id"])},
                "recurrence-cycle": task["cycle"], "recurrence-start-date": self.fmt_time(task["start"]),
                "start-mode": task["start_mode"],
                "input-parameters": self._params(workflow.get("inputs", []), task["inputs"]),
                "relations": {"link": [{"href": self.task_href(task["id"]) + "executions/", "rel": "executions"}]}}
        if task.get("end") is not None:
            body["recurrence-end-date"] = self.fmt_time(task["end"])
        if task.get("pattern"):
            body["recurrence-pattern"] = task["pattern"]
        if task.get("runs"):
            body["running-instance-id"] = task["runs"][-1]
        return body

    def task_link(self, task):
        attributes = [("id", task["id"]), ("name", task["name"]), ("state", self.task_state(task)),
                      ("workflowId", task["workflow_id"]), ("recurrenceCycle", task["cycle"]),
                      ("recurrenceStartDate", self.fmt_attr_time(task["start"])), ("userName", task["owner"])]
        return {"href": self.task_href(task["id"]), "rel": "down", "attributes": [{"name": n, "value": v} for n, v in attributes]}

    def task_fields(self, data, task, user):
        """Validate a WsTask body into ``task`` (creation when ``task`` has no id yet)."""
        if not isinstance(data, dict):
            raise VroError(400, "The request body must be a task (WsTask) JSON object")
        creating = "id" not in task
        ref = data.get("workflow")
        wid = None
        if isinstance(ref, dict):
            wid = ref.get("id")
            if not wid and isinstance(ref.get("href"), str):
                match = re.search(r"/workflows/([^/]+)/?$", ref["href"])
                wid = match.group(1) if match else None
        if creating:
            if not wid:
                raise VroError(400, "A task needs 'workflow' with an 'id' or 'href'")
            workflow = self.workflow(wid, user)
            self.require_execute(user, workflow)
            task["workflow_id"] = workflow["id"]
        elif wid and wid != task["workflow_id"]:
            raise VroError(400, "The workflow of an existing task cannot be changed (task %s runs workflow %s)" % (task["id"], task["workflow_id"]))
        workflow = self.workflows[task["workflow_id"]]
        if "name" in data or creating:
            name = data.get("name")
            if not isinstance(name, str) or not name.strip():
                raise VroError(400, "A task needs a non-empty 'name'")
            task["name"] = name
        if "description" in data:
            task["description"] = data["description"] if isinstance(data["description"], str) else ""
        if "recurrence-cycle" in data or creating:
            cycle = data.get("recurrence-cycle", "one-time")
            if cycle not in TASK_CYCLES:
                raise VroError(400, "Invalid recurrence-cycle '%s' (one of %s)" % (cycle, ", ".join(TASK_CYCLES)))
            task["cycle"] = cycle
        if "recurrence-start-date" in data or creating:
            if data.get("recurrence-start-date") in (None, ""):
                raise VroError(400, "'recurrence-start-date' is required")
            task["start"] = _date_arg(data["recurrence-start-date"])
        if "recurrence-end-date" in data:
            task["end"] = None if data["recurrence-end-date"] in (None, "") else _date_arg(data["recurrence-end-date"])
        if "recurrence-pattern" in data:
            task["pattern"] = data["recurrence-pattern"] if isinstance(data["recurrence-pattern"], str) else None
        if "start-mode" in data or creating:
            mode = data.get("start-mode") or "normal"
            if mode not in ("normal", "start-in-the-past"):
                raise VroError(400, "Invalid start-mode '%s' (normal or start-in-the-past)" % mode)
            task["start_mode"] = mode
        params = data.get("input-parameters", data.get("parameters"))
        if params is not None or creating:
            try:
                task["inputs"] = vro_values.check_parameters(workflow["inputs"], params or [])
            except vro_values.ValueError_ as exc:
                raise VroError(400, str(exc)) from None
        now = self.ctx.now()
        if task.get("end") is not None and task["end"] < task["start"]:
            raise VroError(400, "recurrence-end-date is before recurrence-start-date")
        last = task.get("last_fire")
        if task["start_mode"] == "start-in-the-past" and task["start"] <= now and last is None:
            task["next"] = now
        else:
            # A start date a little in the past (clock skew) still fires; older occurrences are skipped.
            after = now - PAST_GRACE
            if last is not None:
                after = max(after, last)
            task["next"] = self.next_occurrence(task, after)
        return task

    def save_task(self, task):
        self.store.put(TASK_KIND, task["id"], task, state=task["state"], sort_key=task["created"], name=task["name"],
                       owner=task["owner"])

    def fire_tasks(self):
        """Start the runs of every task that is due (called by the ticker)."""
        now = self.ctx.now()
        docs, _total = self.store.query(TASK_KIND, states=["pending"])
        for task in docs:
            if task.get("next") is None or task["next"] > now:
                continue
            with self.store.transaction():
                task = self.store.get(TASK_KIND, task["id"])
                if task is None or task.get("next") is None or task["next"] > self.ctx.now():
                    continue
                workflow = self.workflows.get(task["workflow_id"])
                if workflow is None:
                    task["state"] = "error"
                else:
                    run = self.start_run(workflow, task["inputs"], task["owner"], task_id=task["id"], start=task["next"])
                    task.setdefault("runs", []).append(run["id"])
                    task["last_fire"] = task["next"]
                    task["next"] = self.next_occurrence(task, max(task["next"], self.ctx.now()))
                if task["next"] is None and task["state"] == "pending":
                    task["state"] = "finished"
                self.save_task(task)

    def tick(self, _ctx=None):
        self.advance()
        self.fire_tasks()


# -- the blueprint ----------------------------------------------------------------------------------------
def _json_body():
    """The request JSON (400 on malformed JSON, as vRO answers a body it cannot parse)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise VroError(400, "Malformed JSON request body: %s" % exc) from None


# The vRO API under /vco/api and, in front of it, the vRA login (simulator/vra.py); the admin routes under /_sim/vro.
BLUEPRINT = Blueprint("vro", __name__)
ADMIN = Blueprint("sim_vro", __name__, url_prefix="/_sim/vro")
# Views answered without authentication, and views served on 8.x only (a 404 on 7.x, before any authentication).
_LOGIN = ("vro.csp_login", "vro.iaas_login")
_PUBLIC = ("vro.about", "vro.versions", "vro.healthstatus", "vro.liveness")
_V8_ONLY = ("vro.versions", "vro.liveness", "vro.interactions")


def setup(ctx):
    """Per-instance setup: the vRO server state (``ctx.vro``) and its ticker (runs and scheduled tasks)."""
    ctx.vro = VroApi(ctx)
    ctx.add_ticker(ctx.vro.tick)


def _api():
    return context().vro


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
    name = ctx.vro.authenticate()
    ctx.set_request_user(name)
    g.vro_user = name
    return None


# -- service ---------------------------------------------------------------------------------------
@BLUEPRINT.get("/vco/api/")
def services():
    names = ["workflows", "tasks", "interactions", "about", "versions", "healthstatus"]
    return jsonify({"descriptors": [{"href": "%s%s/%s/" % (_host(), BASE, n), "description": n} for n in names]})


@BLUEPRINT.get("/vco/api/about/")
def about():
    api = _api()
    info = dict(ABOUT["7.6" if api.v7 else "8.18"])
    info["features"] = [{"name": "Bearer authentication"}] if not api.v7 else []
    return jsonify(info)


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
    return jsonify(_api().list_workflows(g.vro_user))


@BLUEPRINT.get("/vco/api/workflows/<wid>/")
def workflow(wid):
    api = _api()
    return jsonify(api.workflow_body(api.workflow(wid, g.vro_user)))


@BLUEPRINT.get("/vco/api/workflows/<wid>/schema/")
def workflow_schema(wid):
    workflow_ = _api().workflow(wid, g.vro_user)
    return Response(vro_catalog.schema_png(workflow_["id"]), mimetype="image/png")


@BLUEPRINT.get("/vco/api/workflows/<wid>/interactions/")
def workflow_interactions(wid):
    api = _api()
    who = g.vro_user
    api.workflow(wid, who)
    return jsonify(api.list_interactions(who, wid))


@BLUEPRINT.get("/vco/api/interactions/")
def interactions():
    return jsonify(_api().list_interactions(g.vro_user))


# -- executions ------------------------------------------------------------------------------------
@BLUEPRINT.post("/vco/api/workflows/<wid>/executions/")
def start_execution(wid):
    api = _api()
    who = g.vro_user
    workflow_ = api.workflow(wid, who)
    body = _json_body()
    if body is not None and not isinstance(body, dict):
        raise VroError(400, "The request body must be an execution-context JSON object")
    body = body or {}
    params = body.get("parameters", body.get("parameter"))
    try:
        values = vro_values.check_parameters(workflow_["inputs"], params)
    except vro_values.ValueError_ as exc:
        raise VroError(400, str(exc)) from None
    api.require_execute(who, workflow_)
    run = api.start_run(workflow_, values, who)
    response = jsonify(api.run_body(run, full=False))
    response.status_code = 202
    response.headers["Location"] = api.run_href(run)
    return response


@BLUEPRINT.get("/vco/api/workflows/<wid>/executions/")
def list_executions(wid):
    api = _api()
    api.workflow(wid, g.vro_user)
    return jsonify(api.list_runs(parent=wid, up_href=api.workflow_href(wid), self_href=api.workflow_href(wid) + "executions/"))


@BLUEPRINT.get("/vco/api/workflows/<wid>/executions/<eid>/")
def get_execution(wid, eid):
    api = _api()
    return jsonify(api.run_body(api.run_for(wid, eid, g.vro_user)))


@BLUEPRINT.delete("/vco/api/workflows/<wid>/executions/<eid>/")
def delete_execution(wid, eid):
    api = _api()
    ctx = context()
    who = g.vro_user
    run = api.run_for(wid, eid, who)
    api.require_execute(who, api.workflows[wid])
    if api.v7:
        api.cancel(run, who)  # 7.x: DELETE on the execution cancels it
        return "", 204
    if run["state"] in PENDING_STATES:
        raise VroError(400, "Workflow execution '%s' is %s: cancel it (DELETE .../state) before deleting it" % (eid, run["state"]))
    with ctx.store.lock:
        ctx.store.delete(RUN_KIND, eid)
        api.forget(eid)
    return "", 204


@BLUEPRINT.get("/vco/api/workflows/<wid>/executions/<eid>/state/")
def execution_state(wid, eid):
    return jsonify({"value": _api().state_of(wid, eid, g.vro_user)})


@BLUEPRINT.delete("/vco/api/workflows/<wid>/executions/<eid>/state/")
def cancel_execution(wid, eid):
    api = _api()
    who = g.vro_user
    if api.v7:
        raise VroError(405, "Request method 'DELETE' is not supported on %s in vRO %s; DELETE the execution to cancel it"
                       % (request.path, context().vro_version), {"Allow": "GET, HEAD"})
    run = api.run_for(wid, eid, who)
    api.require_execute(who, api.workflows[wid])
    api.cancel(run, who)
    return "", 204


@BLUEPRINT.get("/vco/api/workflows/<wid>/executions/<eid>/logs/")
def execution_logs(wid, eid):
    api = _api()
    return jsonify(api.logs_body(api.run_for(wid, eid, g.vro_user), system=False))


@BLUEPRINT.get("/vco/api/workflows/<wid>/executions/<eid>/syslogs/")
def execution_syslogs(wid, eid):
    api = _api()
    return jsonify(api.logs_body(api.run_for(wid, eid, g.vro_user), system=True))


def _waiting_run(api, wid, eid, who):
    run = api.run_for(wid, eid, who)
    if run["state"] != "waiting" or not run.get("interaction") or run["interaction"]["state"] != "waiting":
        raise VroError(404, "Can not find a user interaction for the workflow run '%s' (state: %s)" % (eid, run["state"]))
    return run


@BLUEPRINT.get("/vco/api/workflows/<wid>/executions/<eid>/interaction/")
def get_interaction(wid, eid):
    api = _api()
    return jsonify(api.interaction_body(_waiting_run(api, wid, eid, g.vro_user)))


@BLUEPRINT.post("/vco/api/workflows/<wid>/executions/<eid>/interaction/")
def answer_interaction(wid, eid):
    api = _api()
    who = g.vro_user
    run = _waiting_run(api, wid, eid, who)
    body = _json_body()
    if not isinstance(body, dict):
        raise VroError(400, "The request body must be an execution-context JSON object with the answers as parameters")
    try:
        values = vro_values.check_parameters(run["interaction"]["inputs"], body.get("parameters", body.get("parameter")) or [])
    except vro_values.ValueError_ as exc:
        raise VroError(400, str(exc)) from None
    api.require_execute(who, api.workflows[wid])
    api.answer(run, values, who)
    return "", 204


@BLUEPRINT.delete("/vco/api/workflows/<wid>/executions/<eid>/interaction/")
def delete_interaction(wid, eid):
    api = _api()
    who = g.vro_user
    run = _waiting_run(api, wid, eid, who)
    api.require_execute(who, api.workflows[wid])
    api.cancel(run, who, reason="canceled (user interaction deleted)")
    return "", 204


# -- scheduled tasks -------------------------------------------------------------------------------
@BLUEPRINT.get("/vco/api/tasks/")
def list_tasks():
    docs, total = context().store.query(TASK_KIND, descending=False)
    return jsonify({"relations": {"link": [_api().task_link(t) for t in docs], "total": total},
                    "href": "%s%s/tasks/" % (_host(), BASE)})


@BLUEPRINT.post("/vco/api/tasks/")
def create_task():
    api = _api()
    ctx = context()
    who = g.vro_user
    body = _json_body()
    task = {"owner": who, "state": "pending", "runs": [], "created": ctx.now(), "description": "", "end": None, "pattern": None}
    with ctx.store.transaction():
        api.task_fields(body, task, who)
        if ctx.store.count(TASK_KIND) >= TASK_LIMIT:
            raise VroError(400, "Cannot create task '%s': Orchestrator supports at most %d scheduled tasks; delete a task first"
                           % (task["name"], TASK_LIMIT))
        task["id"] = str(uuid.uuid4())
        if task["next"] is None:
            task["state"] = "finished"
        api.save_task(task)
    response = jsonify(api.task_body(task))
    response.status_code = 202
    response.headers["Location"] = api.task_href(task["id"])
    return response


def _task_for(ctx, tid):
    task = ctx.store.get(TASK_KIND, tid)
    if task is None:
        raise VroError(404, "Can not find a task with the specified ID '%s'" % tid)
    return task


@BLUEPRINT.get("/vco/api/tasks/<tid>/")
def get_task(tid):
    return jsonify(_api().task_body(_task_for(context(), tid)))


@BLUEPRINT.post("/vco/api/tasks/<tid>/")
def update_task(tid):
    api = _api()
    ctx = context()
    who = g.vro_user
    body = _json_body()
    with ctx.store.transaction():
        task = _task_for(ctx, tid)
        if not api.is_admin(who) and task["owner"] != who:
            raise VroError(403, "User '%s' may not change task '%s'" % (who, task["name"]))
        api.task_fields(body, task, who)
        task["state"] = "pending" if task["next"] is not None else "finished"
        api.save_task(task)
    return jsonify(api.task_body(task))


@BLUEPRINT.delete("/vco/api/tasks/<tid>/")
def delete_task(tid):
    ctx = context()
    who = g.vro_user
    task = _task_for(ctx, tid)
    if not _api().is_admin(who) and task["owner"] != who:
        raise VroError(403, "User '%s' may not delete task '%s'" % (who, task["name"]))
    ctx.store.delete(TASK_KIND, tid)
    return "", 204


@BLUEPRINT.get("/vco/api/tasks/<tid>/executions/")
def task_executions(tid):
    api = _api()
    task = _task_for(context(), tid)
    return jsonify(api.list_runs(ids=list(task.get("runs") or []), up_href=api.task_href(tid),
                                 self_href=api.task_href(tid) + "executions/"))


@BLUEPRINT.route("/vco/api/<path:rest>", methods=ROUTE_METHODS)
def unknown(rest):
    # Routes the simulator does not implement answer in vRO's error shape, not with Flask's HTML page.
    raise VroError(404, "Not found: %s/%s is not implemented by the simulator" % (BASE, rest))


# -- admin ----------------------------------------------------------------------------------------------
def _body():
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _summary(run):
    return {"id": run["id"], "workflow": run["workflow_id"], "name": run["workflow_name"], "state": run["state"],
            "started_by": run["started_by"], "start": run["start"], "end": run.get("end"), "task": run.get("task_id")}


@ADMIN.get("/runs")
def runs():
    wid = request.args.get("workflow") or None
    limit = request.args.get("limit", default=1000, type=int)
    _api().advance(wid)
    docs, total = context().store.query(RUN_KIND, parent=wid, limit=limit)
    return jsonify({"count": total, "runs": [_summary(r) for r in docs]})


@ADMIN.post("/workflows/<wid>/runs")
def bulk_runs(wid):
    ctx = context()
    workflow = _api().workflows.get(wid)
    if workflow is None:
        raise VroError(404, "no workflow %s" % wid)
    data = _body()
    count = int(data.get("count", 0))
    running = int(data.get("running", 0))
    state = data.get("state", "completed")
    if state not in TERMINAL_STATES:
        raise VroError(400, "state must be one of %s" % ", ".join(TERMINAL_STATES))
    user = data.get("started_by") or "vcoadmin"
    now = ctx.now()
    spacing = float(data.get("spacing", 60.0))
    rows = []
    for index in range(count + running):
        historical = index < count
        start = now - (count + running - index) * spacing if historical else now - (running - (index - count)) * 0.001
        eid = str(uuid.uuid4())
        run = {"id": eid, "workflow_id": wid, "workflow_name": workflow["name"], "started_by": user, "start": start,
               "end": start + 1.0 if historical else None, "state": state if historical else "running", "item": "",
               "exception": "Historical failure" if historical and state == "failed" else None, "business_state": None,
               "inputs": {}, "outputs": {}, "pending_outputs": {}, "applied": 2 if historical else 1,
               "events": [{"at": start, "state": "initializing"}, {"at": start, "state": "running"}] if historical else
               [{"at": start, "state": "running"}, {"at": now + 86400 * 365, "state": "completed", "end": True}],
               "logs": [], "interaction": None, "task_id": None}
        if historical:
            run["events"] = run["events"][:2]
        rows.append((RUN_KIND, eid, run, wid, run["state"], start, workflow["name"], user))
    ctx.store.put_many(rows)
    return jsonify({"created": len(rows), "total": ctx.store.count(RUN_KIND, parent=wid)}), 201


@ADMIN.post("/executions/<eid>/outcome")
def outcome(eid):
    api = _api()
    run = api.load_run(eid)
    if run is None:
        raise VroError(404, "no execution %s" % eid)
    data = _body()
    run = api.set_outcome(run, data.get("state"), exception=data.get("exception"), outputs=data.get("outputs"))
    return jsonify(_summary(run))


@ADMIN.get("/workflows")
def all_workflows():
    return jsonify({"workflows": [{"id": w["id"], "name": w["name"], "category": w["category"], "inputs": w["inputs"],
                                   "outputs": w["outputs"]} for w in _api().workflows.values()]})


def seed(ctx):
    """Store the workflow catalogue (informational: the server serves it from memory)."""
    for workflow in vro_catalog.all_workflows(ctx.catalog).values():
        ctx.store.put(WORKFLOW_KIND, workflow["id"], {k: v for k, v in workflow.items() if k != "behaviour"},
                      name=workflow["name"], parent=workflow["category"])
