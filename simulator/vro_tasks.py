"""vRO scheduled tasks (``/tasks``): validation of a WsTask body, recurrence, rendering, and the ticker that
starts their runs (``fire_due``) through the run state machine (``vro_runs.py``)."""

from __future__ import annotations

import calendar
import datetime
import re
import uuid

from simulator import vro_values
from simulator.vro_runs import PENDING_STATES, RUN_KIND, start_run
from simulator.vro_server import BASE, VroError, date_arg, host_url

TASK_KIND = "vro_task"
TASK_LIMIT = 50
PAST_GRACE = 60.0
TASK_CYCLES = {"one-time": 0, "every-minutes": 60, "every-hours": 3600, "every-days": 86400, "every-weeks": 7 * 86400,
               "every-months": -1}


def task_for(server, tid):
    """The stored task ``tid``; 404 when there is none."""
    task = server.store.get(TASK_KIND, tid)
    if task is None:
        raise VroError(404, "Can not find a task with the specified ID '%s'" % tid)
    return task


def list_body(server):
    """``GET /tasks``: every task, oldest first."""
    docs, total = server.store.query(TASK_KIND, descending=False)
    return {"relations": {"link": [_task_link(server, t) for t in docs], "total": total},
            "href": "%s%s/tasks/" % (host_url(), BASE)}


def create_task(server, data, user):
    """``POST /tasks``: a new task from the WsTask body ``data`` (at most ``TASK_LIMIT``); returns it."""
    task = {"owner": user, "state": "pending", "runs": [], "created": server.ctx.now(), "description": "", "end": None,
            "pattern": None}
    with server.store.transaction():
        _refuse_nulls(server, data)
        _task_fields(server, data, task, user)
        if server.store.count(TASK_KIND) >= TASK_LIMIT:
            raise VroError(400, "Cannot create task '%s': Orchestrator supports at most %d scheduled tasks; delete a task first"
                           % (task["name"], TASK_LIMIT))
        task["id"] = str(uuid.uuid4())
        if task["next"] is None:
            task["state"] = "finished"
        _save_task(server, task)
    return task


def update_task(server, tid, data, user):
    """``POST /tasks/{id}``: change task ``tid`` (its owner or an admin); returns it."""
    with server.store.transaction():
        task = task_for(server, tid)
        if not server.is_admin(user) and task["owner"] != user:
            raise VroError(403, "User '%s' may not change task '%s'" % (user, task["name"]))
        _task_fields(server, _update_reading(server, data), task, user)
        task["state"] = "pending" if task["next"] is not None else "finished"
        _save_task(server, task)
    return task


# What a task update resets under quirk vro-task-update-replaces (the body is the whole task).
REPLACED_DEFAULTS = {"description": "", "recurrence-end-date": None, "recurrence-pattern": None,
                     "recurrence-cycle": "one-time", "start-mode": "normal", "input-parameters": []}


def _refuse_nulls(server, data):
    """Quirk vro-task-null-refused: a null field is a 400 (WsTask in the 8.18 spec allows null nowhere)."""
    if server.ctx.quirk("vro-task-null-refused") and isinstance(data, dict):
        nulls = sorted(key for key, value in data.items() if value is None)
        if nulls:
            raise VroError(400, "Invalid task: null is not a valid value for %s" % ", ".join("'%s'" % k for k in nulls))


def _update_reading(server, data):
    """The body of ``POST /tasks/{id}`` as this server reads it. Default: merged into the task (a field left out is
    kept; null removes an end date or pattern). Quirks: vro-task-null-refused (null is a 400), vro-task-null-kept (null
    is read as not given), vro-task-update-replaces (the body is the whole task: a field left out is reset)."""
    if not isinstance(data, dict):
        return data
    _refuse_nulls(server, data)
    if server.ctx.quirk("vro-task-null-kept"):
        data = {key: value for key, value in data.items() if value is not None}
    if server.ctx.quirk("vro-task-update-replaces"):
        if data.get("recurrence-start-date") in (None, ""):
            raise VroError(400, "'recurrence-start-date' is required")
        reset = dict(REPLACED_DEFAULTS)
        if "parameters" in data:
            reset.pop("input-parameters")  # the other name of the inputs (read by _task_fields)
        data = dict(reset, **data)
    return data


def delete_task(server, tid, user):
    """``DELETE /tasks/{id}`` (its owner or an admin)."""
    task = task_for(server, tid)
    if not server.is_admin(user) and task["owner"] != user:
        raise VroError(403, "User '%s' may not delete task '%s'" % (user, task["name"]))
    server.store.delete(TASK_KIND, tid)


def task_href(tid):
    return "%s%s/tasks/%s/" % (host_url(), BASE, tid)


def _time_scale(server):
    """The ``vro_task_time_scale`` setting: recurrence intervals are divided by it."""
    try:
        return max(1e-6, float(server.ctx.get_setting("vro_task_time_scale", 1.0) or 1.0))
    except (TypeError, ValueError):
        return 1.0


def _next_occurrence(server, task, after):
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
        step = TASK_CYCLES[cycle] / _time_scale(server)
        if first > after:
            candidate = first
        else:
            candidate = first + (int((after - first) // step) + 1) * step
    end = task.get("end")
    if end is not None and candidate > end:
        return None
    return candidate


def _task_state(server, task):
    if task["state"] in ("canceled", "error", "suspended"):
        return task["state"]
    if task.get("runs"):
        last = server.store.get(RUN_KIND, task["runs"][-1])
        if last is not None and last["state"] in PENDING_STATES:
            return "running"
    return "pending" if task.get("next") is not None else "finished"


def task_body(server, task):
    workflow = server.workflows.get(task["workflow_id"], {"id": task["workflow_id"], "name": "", "description": ""})
    body = {"id": task["id"], "name": task["name"], "href": task_href(task["id"]), "state": _task_state(server, task),
            "userName": task["owner"], "description": task.get("description") or "",
            "workflow": {"id": workflow["id"], "name": workflow.get("name", ""), "href": server.workflow_href(workflow["id"])},
            "recurrence-cycle": task["cycle"], "recurrence-start-date": server.fmt_time(task["start"]),
            "start-mode": task["start_mode"],
            "input-parameters": server.parameters(workflow.get("inputs", []), task["inputs"]),
            "relations": {"link": [{"href": task_href(task["id"]) + "executions/", "rel": "executions"}]}}
    if task.get("end") is not None:
        body["recurrence-end-date"] = server.fmt_time(task["end"])
    if task.get("pattern"):
        body["recurrence-pattern"] = task["pattern"]
    if task.get("runs"):
        body["running-instance-id"] = task["runs"][-1]
    return body


def _task_link(server, task):
    attributes = [("id", task["id"]), ("name", task["name"]), ("state", _task_state(server, task)),
                  ("workflowId", task["workflow_id"]), ("recurrenceCycle", task["cycle"]),
                  ("recurrenceStartDate", server.fmt_attr_time(task["start"])), ("userName", task["owner"])]
    return {"href": task_href(task["id"]), "rel": "down", "attributes": [{"name": n, "value": v} for n, v in attributes]}


def _task_fields(server, data, task, user):
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
        workflow = server.workflow(wid, user)
        server.require_execute(user, workflow)
        task["workflow_id"] = workflow["id"]
    elif wid and wid != task["workflow_id"]:
        raise VroError(400, "The workflow of an existing task cannot be changed (task %s runs workflow %s)" % (task["id"], task["workflow_id"]))
    workflow = server.workflows[task["workflow_id"]]
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
        task["start"] = date_arg(data["recurrence-start-date"])
    if "recurrence-end-date" in data:
        task["end"] = None if data["recurrence-end-date"] in (None, "") else date_arg(data["recurrence-end-date"])
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
            task["inputs"] = vro_values.check_parameters(workflow["inputs"], params or [], strict=server.ctx.quirk("vro-values-strict"))
        except vro_values.ValueError_ as exc:
            raise VroError(400, str(exc)) from None
    now = server.ctx.now()
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
        task["next"] = _next_occurrence(server, task, after)
    return task


def _save_task(server, task):
    server.store.put(TASK_KIND, task["id"], task, state=task["state"], sort_key=task["created"], name=task["name"],
                     owner=task["owner"])


def fire_due(server):
    """Start the runs of every task that is due (called by the ticker)."""
    now = server.ctx.now()
    docs, _total = server.store.query(TASK_KIND, states=["pending"])
    for task in docs:
        if task.get("next") is None or task["next"] > now:
            continue
        with server.store.transaction():
            task = server.store.get(TASK_KIND, task["id"])
            if task is None or task.get("next") is None or task["next"] > server.ctx.now():
                continue
            workflow = server.workflows.get(task["workflow_id"])
            if workflow is None:
                task["state"] = "error"
            else:
                run = start_run(server, workflow, task["inputs"], task["owner"], task_id=task["id"], start=task["next"])
                task.setdefault("runs", []).append(run["id"])
                task["last_fire"] = task["next"]
                task["next"] = _next_occurrence(server, task, max(task["next"], server.ctx.now()))
            if task["next"] is None and task["state"] == "pending":
                task["state"] = "finished"
            _save_task(server, task)
