"""The vRO execution (run) state machine and its rendering.

A run's document holds its script as timed events (``initializing`` -> ``running`` -> ``completed|failed|waiting``);
reading a run applies the events that are due (``load_run``), and the ticker does the same for every active run
(``advance``), so SQL filters on state stay right and a restart continues in-flight runs. Cancelling, an admin
outcome and an answered interaction (``vro_interactions.py``) rewrite the events that are not played yet.
"""

from __future__ import annotations

import uuid

from flask import request

from simulator import vro_catalog
from simulator.vro_server import BASE, VroError, date_arg, host_url, int_arg, iso, list_arg, parse_conditions

RUN_KIND = "vro_execution"

ACTIVE_STATES = ("initializing", "running")
PENDING_STATES = ("initializing", "running", "waiting")
TERMINAL_STATES = ("completed", "failed", "canceled")
ALL_STATES = ("initializing", "running", "waiting", "waiting-signal", "suspended", "completed", "failed", "canceled")


def start_run(server, workflow, values, user, task_id=None, start=None):
    """Create a run of ``workflow`` with normalised ``values``; returns the stored run document."""
    # vRO keeps milliseconds: rounding here makes startDate conditions exact against what was shown.
    now = round(server.ctx.now() if start is None else start, 3)
    scripted = vro_catalog.script(workflow, values)
    duration = max(0.0, float(scripted.get("duration") or 0.0))
    eid = str(uuid.uuid4())
    result = scripted["result"]
    events = [
        {"at": now, "state": "initializing", "item": "", "syslog": [("info", "Workflow '%s' is initializing" % workflow["name"])]},
        {"at": now + min(0.1, duration / 2.0), "state": "running", "item": "item1",
         "logs": [entry for entry in scripted.get("logs", []) if entry[0] != "error"],
         "syslog": [("info", "Workflow '%s' is running" % workflow["name"])]},
    ]
    final = {"at": now + duration, "state": result, "item": "item1" if result == "waiting" else "",
             "logs": [entry for entry in scripted.get("logs", []) if entry[0] == "error"]}
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
    return play_and_save(server, run, now)


def _save(server, run):
    """Store ``run`` and remember its state for the polls."""
    server.store.put(RUN_KIND, run["id"], run, parent=run["workflow_id"], state=run["state"], sort_key=run["start"],
                     name=run["workflow_name"], owner=run["started_by"])
    _remember(server, run)


def _remember(server, run):
    if len(server.run_states) > 100000:
        server.run_states.clear()
    pending = run["events"][run["applied"]]["at"] if run["applied"] < len(run["events"]) else None
    server.run_states[run["id"]] = (run["workflow_id"], run["state"], pending, server.store.generation)


def _forget(server, eid):
    server.run_states.pop(eid, None)


def state_of(server, wid, eid, user):
    """The state of run ``eid`` of ``wid`` (404s as ``run_for``), from memory while nothing is due."""
    server.workflow(wid, user)
    known = server.run_states.get(eid)
    if known is not None and known[0] == wid and known[3] == server.store.generation and (known[2] is None or server.ctx.now() < known[2]):
        return known[1]
    return run_for(server, wid, eid, user)["state"]


def _apply_event(run, event, user=None):
    """Play one scripted event on ``run`` (state, item, log lines, outputs, exception, interaction, end)."""
    at = event["at"]
    run["state"] = event["state"]
    if "item" in event:
        run["item"] = event["item"]
    # One millisecond apart, so that the lines' time stamps tell their order (vRO keeps milliseconds).
    lines = [(s, t, "workflow") for s, t in event.get("logs") or ()] + [(s, t, "server") for s, t in event.get("syslog") or ()]
    for index, (severity, text, origin) in enumerate(lines):
        run["logs"].append({"t": round(at + index * 0.001, 3), "severity": severity, "text": text, "origin": origin,
                            "user": user or run["started_by"]})
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


def _apply_due(run, now):
    """Play every event of ``run`` that is due at ``now``; True when one was."""
    changed = False
    events = run["events"]
    while run["applied"] < len(events) and events[run["applied"]]["at"] <= now:
        _apply_event(run, events[run["applied"]])
        run["applied"] += 1
        changed = True
    return changed


def _is_due(run, now):
    return run["applied"] < len(run["events"]) and run["events"][run["applied"]]["at"] <= now


def reread(server, run):
    """``run`` as stored, with its due events played, and the time they were played at (inside a transaction)."""
    run = server.store.get(RUN_KIND, run["id"])
    now = server.ctx.now()
    _apply_due(run, now)
    return run, now


def play_and_save(server, run, now):
    """Play the events of ``run`` due at ``now`` (after its events were rewritten), store it and return it."""
    _apply_due(run, now)
    _save(server, run)
    return run


def load_run(server, eid, wid=None):
    """The run, with every due event applied (persisted when something changed), or None."""
    # Under the store lock, so a concurrent save cannot be overtaken by this read's older view in the cache.
    with server.store.lock:
        run = server.store.get(RUN_KIND, eid)
        if run is None or (wid is not None and run["workflow_id"] != wid):
            _forget(server, eid)
            return None
        if _is_due(run, server.ctx.now()):
            with server.store.transaction():
                if _apply_due(run, server.ctx.now()):
                    _save(server, run)
        _remember(server, run)
    return run


def advance(server, parent=None):
    """Apply due events of every active run (optionally of one workflow)."""
    now = server.ctx.now()
    ids = server.store.ids(RUN_KIND, states=ACTIVE_STATES, parent=parent)
    generation = server.store.generation
    for eid in ids:
        known = server.run_states.get(eid)
        if known is not None and known[3] == generation and known[2] is not None and now < known[2]:
            continue  # its next scripted event is not due yet
        load_run(server, eid)


def run_for(server, wid, eid, user):
    server.workflow(wid, user)
    run = load_run(server, eid, wid)
    if run is None:
        raise VroError(404, "Can not find a workflow execution with ID '%s' for workflow '%s'" % (eid, wid))
    return run


def cancel(server, run, user, reason="canceled by user"):
    """Cancel an unfinished run (a no-op for a finished one unless the setting asks for an error)."""
    with server.store.transaction():
        run, now = reread(server, run)
        if run["state"] in TERMINAL_STATES:
            if server.ctx.get_setting("vro_cancel_finished", "noop") == "error":
                raise VroError(400, "Workflow execution '%s' is already %s and cannot be canceled" % (run["id"], run["state"]))
            return run
        run["events"] = run["events"][:run["applied"]]
        event = {"at": now, "state": "canceled", "end": True, "item": "",
                 "syslog": [("warning", "Workflow '%s' was %s by '%s'" % (run["workflow_name"], reason, user))]}
        run["events"].append(event)
        return play_and_save(server, run, now)


def set_outcome(server, run, state, exception=None, outputs=None):
    """Admin: change the scripted outcome; applied now if the run is waiting or finished."""
    if state not in TERMINAL_STATES:
        raise VroError(400, "outcome state must be one of %s" % ", ".join(TERMINAL_STATES))
    with server.store.transaction():
        run, now = reread(server, run)
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
        return play_and_save(server, run, now)


def delete_run(server, run):
    """Delete a finished run (8.x); 400 while it is pending."""
    if run["state"] in PENDING_STATES:
        raise VroError(400, "Workflow execution '%s' is %s: cancel it (DELETE .../state) before deleting it" % (run["id"], run["state"]))
    with server.store.lock:
        server.store.delete(RUN_KIND, run["id"])
        _forget(server, run["id"])


def add_history(server, workflow, count, running, state, user, spacing):
    """Admin: store ``count`` finished runs of ``workflow`` (``spacing`` seconds apart, ending now) and ``running``
    runs that stay running for a year; returns how many were stored."""
    wid = workflow["id"]
    now = server.ctx.now()
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
    server.store.put_many(rows)
    return len(rows)


def summary(run):
    """A run as the admin API lists it."""
    return {"id": run["id"], "workflow": run["workflow_id"], "name": run["workflow_name"], "state": run["state"],
            "started_by": run["started_by"], "start": run["start"], "end": run.get("end"), "task": run.get("task_id")}


def run_href(run):
    return "%s%s/workflows/%s/executions/%s/" % (host_url(), BASE, run["workflow_id"], run["id"])


def run_body(server, run, full=True):
    workflow = server.workflows.get(run["workflow_id"]) or {"inputs": [], "outputs": []}
    href = run_href(run)
    body = {"id": run["id"], "name": run["workflow_name"], "href": href, "state": run["state"],
            "start-date": server.fmt_time(run["start"]), "started-by": run["started_by"]}
    if run.get("end") is not None:
        body["end-date"] = server.fmt_time(run["end"])
    if not full:
        return body
    if run.get("business_state"):
        body["business-state"] = run["business_state"]
    if run.get("exception"):
        body["content-exception"] = run["exception"]
    body["current-item-display-name"] = run.get("item") or ""
    body["input-parameters"] = server.parameters(workflow["inputs"], run["inputs"])
    body["output-parameters"] = server.parameters(workflow["outputs"], run["outputs"])
    links = [{"href": server.workflow_href(run["workflow_id"]), "rel": "up"},
             {"href": href + "state/", "rel": "state"},
             {"href": href + "logs/", "rel": "logs"},
             {"href": href + "syslogs/", "rel": "syslogs"}]
    if run["state"] == "waiting":
        links.append({"href": href + "interaction/", "rel": "interaction"})
    body["relations"] = {"link": links}
    return body


def _run_link(server, run, keys=None):
    attributes = [("id", run["id"]), ("name", run["workflow_name"]), ("state", run["state"]),
                  ("startDate", server.fmt_attr_time(run["start"])), ("endDate", server.fmt_attr_time(run.get("end"))),
                  ("startedBy", run["started_by"]), ("businessState", run.get("business_state") or ""),
                  ("contentException", run.get("exception") or "")]
    if keys:
        attributes = [a for a in attributes if a[0] in keys]
    return {"href": run_href(run), "rel": "down", "attributes": [{"name": n, "value": v} for n, v in attributes]}


def list_runs(server, parent=None, ids=None, up_href=None, self_href=None):
    """The executions list (``relations`` shape), filtered, sorted and paged in SQL."""
    advance(server, parent)
    ctx = server.ctx
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
                # Quirk vro-conditions-case-sensitive: '~' matches the case as written.
                kwargs["name_contains_cased" if ctx.quirk("vro-conditions-case-sensitive") else "name_contains"] = value
            else:
                raise VroError(400, "Operator '%s' is not supported for 'name' (use = or ~)" % op)
        elif key == "startedBy":
            if op != "=":
                raise VroError(400, "Operator '%s' is not supported for 'startedBy' (use =)" % op)
            kwargs["owner"] = value
        elif key == "startDate":
            if ctx.quirk("vro-date-conditions-rejected"):
                raise VroError(400, "Unsupported condition attribute 'startDate' for executions (supported: state, name, startedBy, id)")
            if ctx.quirk("vro-date-conditions-ignored"):
                continue
            when = date_arg(value)
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
    if orders and ctx.quirk("vro-date-conditions-rejected"):
        raise VroError(400, "Unsupported parameter 'sortOrders' for executions")
    if ctx.quirk("vro-date-conditions-ignored"):
        # sortOrders is ignored and the list comes oldest first (the order least kind to a client that trusts it).
        descending, orders = False, []
    if orders:
        order = orders[0].strip()
        field = order.lstrip("+-")
        if field not in ("startDate", "start-date"):
            raise VroError(400, "Unsupported sort order '%s' for executions (supported: +startDate, -startDate)" % order)
        descending = order.startswith("-")
    start = int_arg("startIndex", 0)
    limit = int_arg("maxResult", 2147483647)
    docs, total = server.store.query(RUN_KIND, parent=parent, limit=limit, offset=start, descending=descending, **kwargs)
    keys = list_arg("keys")  # keys=id&keys=state or keys=id,state
    links = ([{"href": up_href, "rel": "up"}] if up_href else []) + [_run_link(server, d, keys) for d in docs]
    return {"relations": {"link": links, "total": total, "startIndex": start, "count": len(docs)}, "href": self_href}


_TIME_OPS = {">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
             "=": lambda a, b: a == b}


def logs_body(server, run, system):
    """``/logs`` (workflow log lines) or ``/syslogs`` (state changes and errors) in the flavour's shape."""
    wanted = [e for e in run["logs"] if system or e["origin"] == "workflow"]
    for key, op, value in parse_conditions(request.args.getlist("conditions")):
        if key == "severity" and op == "=":
            wanted = [e for e in wanted if e["severity"] == value]
        elif key == "severity" and op == "!=":
            wanted = [e for e in wanted if e["severity"] != value]
        elif key == "timestamp" and op in _TIME_OPS:
            # A public vRO log-tail script polls /syslogs with conditions=timestamp><the last time-stamp-val>.
            bound = int(round(date_arg(value) * 1000))
            wanted = [e for e in wanted if _TIME_OPS[op](int(e["t"] * 1000), bound)]
        else:
            raise VroError(400, "Unsupported log condition '%s%s%s' (supported: severity=, severity!=, timestamp> >= < <= = "
                                "with epoch milliseconds or ISO-8601)" % (key, op, value))
    limit = int_arg("maxResult", 2147483647)
    wanted = wanted[-limit:] if limit else []
    if server.ctx.quirk("vro-logs-newest-first"):
        wanted = wanted[::-1]
    entries = []
    for entry in wanted:
        if server.v7:
            item = {"severity": entry["severity"], "time-stamp": int(entry["t"] * 1000), "user": entry["user"],
                    "short-description": entry["text"], "long-description": entry["text"], "origin": entry["origin"]}
            entries.append({"entry": item})
        else:
            item = {"severity": entry["severity"], "time-stamp": iso(entry["t"]), "userName": entry["user"],
                    "user": entry["user"], "short-description": entry["text"], "long-description": entry["text"]}
            if system:
                item["origin"] = entry["origin"]
                item["time-stamp-val"] = int(entry["t"] * 1000)
            if server.ctx.quirk("vro-8x-logs-wrapped"):
                # As captured from an 8.x server: each line under "entry", the user only as userName (8.18 spec).
                del item["user"]
                item = {"entry": item}
            entries.append(item)
    return {"logs": entries}


# -- the catalog: every run as a System/WorkflowToken object ---------------------------------------------------

TOKEN_CONDITIONS = {"state": "states", "name": "name", "startedBy": "owner", "workflowId": "parent"}


def _token_link(server, run, type_name="WorkflowToken"):
    attributes = [("id", run["id"]), ("name", run["workflow_name"]), ("state", run["state"]),
                  ("workflowId", run["workflow_id"]), ("startDate", server.fmt_attr_time(run["start"])),
                  ("endDate", server.fmt_attr_time(run.get("end"))), ("startedBy", run["started_by"]),
                  ("businessState", run.get("business_state") or "")]
    if type_name == "WorkflowExecution":  # the attributes VMware's o11n workflow manager reads: no workflowId
        attributes = [a for a in attributes if a[0] != "workflowId"] + [("type", "WorkflowExecution")]
    return {"href": "%s%s/catalog/System/%s/%s/" % (host_url(), BASE, type_name, run["id"]), "rel": "down",
            "type": "System:" + type_name, "attributes": [{"name": n, "value": v} for n, v in attributes]}


def list_tokens(server, user, type_name="WorkflowToken"):
    """``GET /catalog/System/WorkflowToken``: the runs of every workflow ``user`` may read, as inventory-items, newest
    first; ``conditions`` on ``state``, ``name``, ``startedBy`` and ``workflowId`` (``=``; ``name~`` too), ignored
    under the quirk ``vro-catalog-conditions-ignored``; ``maxResult``, ``startIndex``, ``queryCount``."""
    advance(server)
    kwargs = {}
    if not server.ctx.quirk("vro-catalog-conditions-ignored"):
        for key, op, value in parse_conditions(request.args.getlist("conditions")):
            if key == "name" and op == "~":
                kwargs["name_contains"] = value
            elif key in TOKEN_CONDITIONS and op == "=":
                kwargs[TOKEN_CONDITIONS[key]] = [value] if key == "state" else value
            else:
                raise VroError(400, "Unsupported condition '%s%s' for System:WorkflowToken (supported: state=, name=, "
                                    "name~, startedBy=, workflowId=)" % (key, op))
    start = int_arg("startIndex", 0)
    limit = int_arg("maxResult", 2147483647)
    if server.is_admin(user):
        docs, total = server.store.query(RUN_KIND, limit=limit, offset=start, **kwargs)
    else:
        # Runs of workflows the user may not read are left out, as vRO leaves out objects without read rights.
        docs = [d for d in server.store.query(RUN_KIND, **kwargs)[0]
                if server.can_read(user, server.workflows.get(d["workflow_id"]) or {"category": ""})]
        total, docs = len(docs), docs[start:start + limit]
    body = {"link": [_token_link(server, d, type_name) for d in docs], "total": total}
    if request.args.get("queryCount", "").lower() == "true":
        body["startIndex"], body["count"] = start, len(docs)
    return body


def catalog_item(server, user, eid, type_name):
    """``GET /catalog/System/<type>/{id}``: one run as an inventory item; its first relations link is its workflow
    (VMware's o11n workflow manager, ``getWorkflowIdForExecutionId``, reads the workflow id from there)."""
    run = load_run(server, eid)
    if run is None or not server.can_read(user, server.workflows.get(run["workflow_id"]) or {"category": ""}):
        raise VroError(404, "Can not find a catalog item System:%s with ID '%s'" % (type_name, eid))
    link = _token_link(server, run, type_name)
    return {"href": link["href"], "type": link["type"], "attributes": link["attributes"],
            "relations": {"link": [{"href": "%s%s/workflows/%s/" % (host_url(), BASE, run["workflow_id"]), "rel": "up"}]}}
