"""The vRO workflow catalogue as the API shows it: the list (``conditions``, paging), one workflow, its link, and the
workflow categories (``/categories/{id}`` and the ``System`` catalog types ``Workflow`` and ``WorkflowCategory``)."""

from __future__ import annotations

from flask import request

from simulator.vro_server import BASE, VroError, host_url, int_arg, list_arg, parse_conditions


SYSTEM_TAG = ":__SYSTEM_TAG__"


def workflow_tags(workflow):
    """The workflow's system tags on 8.x: one per folder of its category path (categories are flat here: one)."""
    return [workflow["category"]]


def _workflow_link(server, workflow, keys=None):
    attributes = [
        ("id", workflow["id"]), ("name", workflow["name"]), ("description", workflow["description"]),
        ("categoryName", workflow["category"]), ("categoryId", workflow["category_id"]), ("type", "Workflow"),
        ("version", workflow["version"]), ("canExecute", "true"), ("canEdit", "true"),
        # Read by PowervRO's Get-vROWorkflow (jakkulabs/PowervRO) from the list of a real server.
        ("itemHref", server.workflow_href(workflow["id"])),
        ("categoryHref", "%s%s/catalog/System/WorkflowCategory/%s/" % (host_url(), BASE, workflow["category_id"])),
        # A real 8.x list entry (captured in vmware/build-tools-for-vmware-aria, codify's workflow model test): the
        # inventory's own @-attributes, customIcon, editable; a public script reads '@id' as the workflow's id.
        ("customIcon", "false"), ("editable", "true"),
        ("@id", workflow["id"]), ("@name", workflow["name"]), ("@type", "Workflow"), ("@fullType", "Workflow"),
    ]
    if not server.v7:
        # "Codify:__SYSTEM_TAG__" for a workflow in the folder Codify; one tag per folder of the path, space-separated
        # (PowervRO's Get-vROWorkflow and Search-vRO8ScriptItem parse it so); tags came with 8.x (PowervRO).
        attributes.append(("globalTags", " ".join(tag + SYSTEM_TAG for tag in workflow_tags(workflow))))
    if keys:
        attributes = [a for a in attributes if a[0] in keys]
    # An empty description comes as {"name": "description"}, without a value (the same capture).
    return {"href": server.workflow_href(workflow["id"]), "rel": "down",
            "attributes": [{"name": n, "value": v} if v != "" else {"name": n} for n, v in attributes]}


def list_workflows(server, user, category_id=None):
    """The inventory-items list of the workflows ``user`` may read (those of one category when ``category_id``)."""
    conditions = parse_conditions(request.args.getlist("conditions"))
    items = [w for w in server.workflows.values() if server.can_read(user, w)
             and (category_id is None or w["category_id"] == category_id)]
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
    tags = [] if server.v7 else [t.lower() for t in list_arg("tags")]
    if tags:
        # tags=a&tags=b (PowervRO -Tag) or tags=a,b (Search-vRO8ScriptItem): every tag, case aside.
        items = [w for w in items if set(tags) <= {t.lower() for t in workflow_tags(w)}]
    items.sort(key=lambda w: (w["name"].lower(), w["category"], w["id"]))
    start = int_arg("startIndex", 0)
    limit = int_arg("maxResult", 2147483647)
    page = items[start:start + limit]
    keys = list_arg("keys")
    body = {"link": [_workflow_link(server, w, keys) for w in page], "total": len(items)}
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


# -- categories ---------------------------------------------------------------------------------------------
# A category exists while it holds a workflow the user may read (categories are flat: a category's path is its name).
def _categories(server, user):
    found = {}
    for workflow in server.workflows.values():
        if server.can_read(user, workflow):
            found.setdefault(workflow["category_id"], workflow["category"])
    return [{"id": cid, "name": name} for cid, name in sorted(found.items(), key=lambda item: (item[1].lower(), item[0]))]


def _category(server, user, cid):
    for category in _categories(server, user):
        if category["id"] == cid:
            return category
    raise VroError(404, "Can not find a catalog item System:WorkflowCategory with ID '%s'" % cid)


def _category_href(category):
    return "%s%s/catalog/System/WorkflowCategory/%s/" % (host_url(), BASE, category["id"])


def _category_attributes(category):
    # displayName: read by a public vRO log-tail script from GET /catalog/System/WorkflowCategory/{id}.
    pairs = (("id", category["id"]), ("name", category["name"]), ("displayName", category["name"]),
             ("type", "WorkflowCategory"))
    return [{"name": n, "value": v} for n, v in pairs]


def list_categories(server, user):
    """``GET /catalog/System/WorkflowCategory``: inventory-items; ``conditions`` on ``name`` (``=``, ``~``, ``!=``)
    and ``id`` (``=``, ``!=``), ``maxResult``, ``startIndex``, ``queryCount``, ``keys`` (as on the workflow list)."""
    items = _categories(server, user)
    for key, op, value in parse_conditions(request.args.getlist("conditions")):
        if key not in ("name", "displayName", "id") or (key == "id" and op == "~") or op not in ("=", "~", "!="):
            raise VroError(400, "Unsupported condition '%s%s%s' for System:WorkflowCategory (supported: name=, name~, "
                                "name!=, id=, id!=)" % (key, op, value))
        field = "id" if key == "id" else "name"
        if op == "=":
            items = [c for c in items if c[field] == value]
        elif op == "!=":
            items = [c for c in items if c[field] != value]
        elif server.ctx.quirk("vro-conditions-case-sensitive"):
            items = [c for c in items if value in c[field]]
        else:
            items = [c for c in items if value.lower() in c[field].lower()]
    start = int_arg("startIndex", 0)
    page = items[start:start + int_arg("maxResult", 2147483647)]
    keys = list_arg("keys")
    body = {"link": [{"href": _category_href(c), "rel": "down", "type": "System:WorkflowCategory",
                      "attributes": [a for a in _category_attributes(c) if not keys or a["name"] in keys]} for c in page],
            "total": len(items)}
    if request.args.get("queryCount", "").lower() == "true":
        body["startIndex"], body["count"] = start, len(page)
    return body


def category_item(server, user, cid):
    """``GET /catalog/System/WorkflowCategory/{id}``: the category as an inventory item (WsInventoryItem)."""
    category = _category(server, user, cid)
    return {"href": _category_href(category), "attributes": _category_attributes(category),
            "relations": {"link": [{"href": _category_href(category) + "workflows/", "rel": "down"}]}}


def category_workflows(server, user, cid):
    """``GET /catalog/System/WorkflowCategory/{id}/workflows``: the category's workflows, listed as ``/workflows``."""
    _category(server, user, cid)
    return list_workflows(server, user, category_id=cid)


# The category types of the 8.18 spec (WsCategory.type, category-context.categoryType); only workflow categories exist here.
CATEGORY_TYPES = ("ResourceElementCategory", "ConfigurationElementCategory", "WorkflowCategory", "PolicyTemplateCategory",
                  "ScriptModuleCategory")
_BOOLEANS = {"true": True, "on": True, "yes": True, "1": True, "false": False, "off": False, "no": False, "0": False}


def list_category_links(server, user):
    """``GET /categories``: the 8.18 spec's ``CategoriesList`` (``link`` entries with the attributes jakkulabs/PowervRO's
    Get-vROCategory reads: ``id``, ``name``, ``description``, ``type``); ``categoryType`` (one of the spec's category
    types; another value is a 400) and ``isRoot`` (categories are flat here, so every one is a root)."""
    kind = request.args.get("categoryType") or None
    if kind is not None and kind not in CATEGORY_TYPES:
        raise VroError(400, "Invalid value '%s' for query parameter 'categoryType': use one of %s" % (kind, ", ".join(CATEGORY_TYPES)))
    root = request.args.get("isRoot") or "false"
    if root.lower() not in _BOOLEANS:
        raise VroError(400, "Invalid value '%s' for query parameter 'isRoot': true or false is expected" % root)
    items = _categories(server, user) if kind in (None, "WorkflowCategory") else []
    links = [{"href": "%s%s/categories/%s/" % (host_url(), BASE, c["id"]), "rel": "down",
              "attributes": [{"name": "id", "value": c["id"]}, {"name": "name", "value": c["name"]},
                             {"name": "description"}, {"name": "type", "value": "WorkflowCategory"}]} for c in items]
    return {"link": links, "total": len(links)}


def category_body(server, user, cid):
    """``GET /categories/{id}``: the 8.18 spec's ``WsCategory`` (404 for an unknown id)."""
    try:
        category = _category(server, user, cid)
    except VroError:
        raise VroError(404, "Cannot find a category with the specified ID '%s'" % cid) from None
    return {"id": category["id"], "name": category["name"], "path": category["name"], "type": "WorkflowCategory",
            "href": "%s%s/categories/%s/" % (host_url(), BASE, category["id"]), "path-ids": [category["id"]]}
