"""vRO user interactions: a run waiting for an answer (``waiting_run``), answering it, and how it is shown.

An answer rewrites the run's unplayed events (``vro_runs.py``): it resumes and finishes 0.3 s later; an approval
workflow fails when the answer does not approve.
"""

from __future__ import annotations

from simulator import vro_values
from simulator.vro_runs import RUN_KIND, advance, play_and_save, reread, run_for, run_href
from simulator.vro_server import VroError


def waiting_run(server, wid, eid, user):
    """Run ``eid`` of ``wid`` if it waits for an answer; 404 otherwise."""
    run = run_for(server, wid, eid, user)
    if run["state"] != "waiting" or not run.get("interaction") or run["interaction"]["state"] != "waiting":
        raise VroError(404, "Can not find a user interaction for the workflow run '%s' (state: %s)" % (eid, run["state"]))
    return run


def answer(server, run, values, user):
    """Answer the pending interaction of a waiting run; it resumes and finishes shortly after."""
    with server.store.transaction():
        run, now = reread(server, run)
        if run["state"] != "waiting" or not run.get("interaction"):
            raise VroError(400, "Workflow execution '%s' is not waiting for a user interaction (state: %s)" % (run["id"], run["state"]))
        workflow = server.workflows.get(run["workflow_id"], {})
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
        return play_and_save(server, run, now)


def _interaction_link(server, run):
    interaction = run["interaction"]
    attributes = [("id", interaction["id"]), ("name", interaction["name"]), ("state", interaction["state"]),
                  ("executionId", run["id"]), ("workflowId", run["workflow_id"]), ("workflowName", run["workflow_name"]),
                  ("createDate", server.fmt_attr_time(interaction["created"]))]
    if server.ctx.quirk("vro-interactions-bare-attributes"):  # what VMware's UserInteractionModel reads
        attributes = [(n, v) for n, v in attributes if n in ("id", "name", "createDate")] + [("description", "")]
    return {"href": run_href(run) + "interaction/", "rel": "down", "attributes": [{"name": n, "value": v} for n, v in attributes]}


def interaction_body(run):
    interaction = run["interaction"]
    return {"id": interaction["id"], "name": interaction["name"], "state": interaction["state"],
            "href": run_href(run) + "interaction/", "assignees": [], "user-assignees": [], "group-assignees": [],
            "input-parameters": [dict(p) for p in interaction["inputs"]],
            "relations": {"link": [{"href": run_href(run), "rel": "up"}]}}


def list_interactions(server, user, wid=None):
    advance(server, wid)
    docs, _total = server.store.query(RUN_KIND, parent=wid, states=["waiting"], descending=False)
    links = []
    for run in docs:
        workflow = server.workflows.get(run["workflow_id"])
        if run.get("interaction") and workflow is not None and server.can_read(user, workflow):
            links.append(_interaction_link(server, run))
    return {"link": links, "total": len(links)}
