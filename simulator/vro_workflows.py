"""The vRO workflow catalogue as the API shows it: the list (``conditions``, paging), one workflow, its link."""

from __future__ import annotations

from flask import request

from simulator.vro_server import BASE, VroError, host_url, int_arg, parse_conditions


def _workflow_link(server, workflow):
    attributes = [
        ("id", workflow["id"]), ("name", workflow["name"]), ("description", workflow["description"]),
        ("categoryName", workflow["category"]), ("categoryId", workflow["category_id"]), ("type", "Workflow"),
        ("version", workflow["version"]), ("canExecute", "true"), ("canEdit", "true"),
        # Read by PowervRO's Get-vROWorkflow (jakkulabs/PowervRO) from the list of a real server.
        ("itemHref", server.workflow_href(workflow["id"])),
        ("categoryHref", "%s%s/catalog/System/WorkflowCategory/%s/" % (host_url(), BASE, workflow["category_id"])),
    ]
    return {"href": server.workflow_href(workflow["id"]), "rel": "down",
            "attributes": [{"name": n, "value": v} for n, v in attributes]}


def list_workflows(server, user):
    conditions = parse_conditions(request.args.getlist("conditions"))
    items = [w for w in server.workflows.values() if server.can_read(user, w)]
    for key, op, value in conditions:
        field = {"name": "name", "categoryName": "category", "categoryId": "category_id", "id": "id",
                 "description": "description"}.get(key)
        if field is None:
            raise VroError(400, "Unsupported condition attribute '%s' for workflows (supported: name, categoryName, categoryId, id, description)" % key)
        if op == "=":
            items = [w for w in items if w[field] == value]
        elif op == "~" and server.ctx.quirk("vro-conditions-case-sensitive"):
            items = [w for w in items if value in w[field]]
        elif op == "~":
            items = [w for w in items if value.lower() in w[field].lower()]
        elif op == "!=":
            items = [w for w in items if w[field] != value]
        else:
            raise VroError(400, "Operator '%s' is not supported for workflow attribute '%s'" % (op, key))
    items.sort(key=lambda w: (w["name"].lower(), w["category"], w["id"]))
    start = int_arg("startIndex", 0)
    limit = int_arg("maxResult", 2147483647)
    page = items[start:start + limit]
    body = {"link": [_workflow_link(server, w) for w in page], "total": len(items)}
    if request.args.get("queryCount", "").lower() == "true":
        body["startIndex"], body["count"] = start, len(page)
    return body


def workflow_body(server, workflow):
    href = server.workflow_href(workflow["id"])
    return {
        "id": workflow["id"], "name": workflow["name"], "version": workflow["version"],
        "description": workflow["description"], "href": href, "category-id": workflow["category_id"],
        "customized-icon": False,
        "input-parameters": [dict(p) for p in workflow["inputs"]],
        "output-parameters": [dict(p) for p in workflow["outputs"]],
        "relations": {"link": [
            {"href": "%s%s/categories/%s/" % (host_url(), BASE, workflow["category_id"]), "rel": "up"},
            {"href": href + "executions/", "rel": "executions"},
            {"href": href + "presentation/", "rel": "presentation"},
            {"href": href + "tasks/", "rel": "tasks"},
            {"href": href + "icon/", "rel": "icon"},
            {"href": href + "schema/", "rel": "schema"},
            {"href": href + "permissions/", "rel": "permissions"},
            {"href": href + "interactions/", "rel": "interactions"},
        ]},
    }
