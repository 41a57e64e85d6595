"""The built-in vRO workflows, the ``--catalog`` workflows, and how each one behaves when run.

A workflow definition is ``{id, name, category, description, version, inputs, outputs, interactions}``. Its
behaviour turns the run's inputs into a script: ``{duration, result, outputs, exception, logs, interaction}``,
``result`` being ``completed``, ``failed`` or ``waiting``. The execution state machine in ``vro_runs.py`` plays the
script from stored timestamps.
"""

from __future__ import annotations

import hashlib
import struct
import uuid
import zlib

from simulator import vro_values

AWSNEW_ID = "3a0ab069-cf2f-47e0-96f5-4a8920a5dc51"
ECHO_ID = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001"
SLEEP_ID = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002"
FAIL_ID = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0003"
APPROVAL_ID = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0004"
DUPLICATE_A_ID = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0005"
DUPLICATE_B_ID = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0006"
RESTRICTED_ID = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0007"

RESTRICTED_CATEGORY = "Restricted"

ENDPOINT_TYPE = "CompositeType(host:string,port:number):Endpoint"

# name, type, description: the "Echo typed inputs" workflow takes one input of every documented type.
ECHO_INPUTS = [
    ("str", "string", "a string"),
    ("num", "number", "a number (a double: 20 comes back as 20.0)"),
    ("flag", "boolean", "a boolean"),
    ("secret", "SecureString", "a secure string"),
    ("when", "Date", "a date"),
    ("tags", "Array/string", "an array of strings"),
    ("matrix", "Array/Array/number", "an array of arrays of numbers"),
    ("props", "Properties", "a Properties map"),
    ("endpoint", ENDPOINT_TYPE, "a composite type"),
    ("vm", "VC:VirtualMachine", "an SDK object"),
    ("attachment", "MimeAttachment", "a MIME attachment"),
    ("encrypted", "EncryptedString", "an encrypted string"),
    ("pattern", "Regexp", "a regular expression"),
]


def _params(items):
    return [{"name": n, "type": t, "description": d} for n, t, d in items]


def _category_id(name):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "vro-category:" + name))


def builtin_workflows():
    """The built-in catalogue (names and ids are relied on by tests and docs)."""
    workflows = [
        {"id": AWSNEW_ID, "name": "AWSNEW", "category": "Cloud", "description": "Deploy an instance to AWS (the seed blog's workflow).",
         "inputs": _params([("name", "string", "instance name")]),
         "outputs": _params([("instanceId", "string", "the new instance id")]),
         "behaviour": "awsnew"},
        {"id": ECHO_ID, "name": "Echo typed inputs", "category": "Library",
         "description": "Returns every input unchanged as out_<name>.",
         "inputs": _params(ECHO_INPUTS),
         "outputs": _params([("out_" + n, t, "echo of " + n) for n, t, _d in ECHO_INPUTS]),
         "behaviour": "echo"},
        {"id": SLEEP_ID, "name": "Sleep", "category": "Library", "description": "Completes after `seconds` seconds.",
         "inputs": _params([("seconds", "number", "how long to run")]), "outputs": [], "behaviour": "sleep"},
        {"id": FAIL_ID, "name": "Always fail", "category": "Library", "description": "Fails at once.",
         "inputs": [], "outputs": [], "behaviour": "fail"},
        {"id": APPROVAL_ID, "name": "Request approval", "category": "Library",
         "description": "Waits for a user interaction (approved, comment); completes when approved, fails when rejected.",
         "inputs": _params([("request", "string", "what is asked for")]),
         "outputs": _params([("approved", "boolean", "the answer"), ("comment", "string", "the approver's comment")]),
         "interactions": [{"name": "Approve request",
                           "inputs": _params([("approved", "boolean", "approve the request?"), ("comment", "string", "comment")])}],
         "behaviour": "approval"},
        {"id": DUPLICATE_A_ID, "name": "Duplicate name", "category": "Library", "description": "Same name as another workflow.",
         "inputs": [], "outputs": _params([("category", "string", "which one ran")]), "behaviour": "duplicate"},
        {"id": DUPLICATE_B_ID, "name": "Duplicate name", "category": "Cloud", "description": "Same name as another workflow.",
         "inputs": [], "outputs": _params([("category", "string", "which one ran")]), "behaviour": "duplicate"},
        {"id": RESTRICTED_ID, "name": "Restricted maintenance", "category": RESTRICTED_CATEGORY,
         "description": "Only administrators may read this workflow.",
         "inputs": _params([("reason", "string", "why")]), "outputs": [], "behaviour": {"duration": 0.5, "result": "completed"}},
    ]
    for workflow in workflows:
        workflow.setdefault("version", "1.0.0")
        workflow.setdefault("interactions", [])
    return workflows


def catalogue_workflows(entries):
    """Workflows from the ``--catalog`` file (already shape-checked by ``simulator.catalog``)."""
    out = []
    for entry in entries or []:
        behaviour = dict(entry.get("behaviour") or {})
        workflow = {
            "id": str(entry.get("id") or uuid.uuid5(uuid.NAMESPACE_URL, "vro-workflow:%s:%s" % (entry.get("category", "Catalog"), entry["name"]))),
            "name": entry["name"],
            "category": entry.get("category") or "Catalog",
            "description": entry.get("description") or "",
            "version": str(entry.get("version") or "1.0.0"),
            "inputs": [{"name": p["name"], "type": p["type"], "description": p.get("description", "")} for p in entry.get("inputs") or []],
            "outputs": [{"name": p["name"], "type": p["type"], "description": p.get("description", "")} for p in entry.get("outputs") or []],
            "interactions": [],
            "behaviour": behaviour,
        }
        if behaviour.get("result") == "waiting":
            fields = behaviour.get("interaction") or [{"name": "approved", "type": "boolean"}]
            workflow["interactions"] = [{"name": "User interaction", "inputs": [
                {"name": f["name"], "type": f["type"], "description": f.get("description", "")} for f in fields]}]
        out.append(workflow)
    return out


def all_workflows(catalog):
    """Built-in plus catalogue workflows, by id (a catalogue entry with a built-in id replaces it)."""
    by_id = {}
    for workflow in builtin_workflows() + catalogue_workflows((catalog or {}).get("workflows")):
        workflow["category_id"] = _category_id(workflow["category"])
        by_id[workflow["id"]] = workflow
    return by_id


# -- behaviours --------------------------------------------------------------------------------------------
def script(workflow, values):
    """The run script for ``workflow`` started with normalised input ``values`` ({name: wire value or None})."""
    behaviour = workflow.get("behaviour")
    plain = {name: vro_values.plain(value) for name, value in values.items()}
    if isinstance(behaviour, dict):
        return _catalogue_script(workflow, behaviour, values)
    if behaviour == "awsnew":
        name = str(plain.get("name") or "")
        digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:17]
        return {"duration": 2.0, "result": "completed",
                "outputs": {"instanceId": {"string": {"value": "i-" + digest}}},
                "logs": [("info", "Launching instance %s" % name), ("info", "Instance i-%s is running" % digest)]}
    if behaviour == "echo":
        outputs = {"out_" + name: value for name, value in values.items() if value is not None}
        return {"duration": 0.3, "result": "completed", "outputs": outputs,
                "logs": [("info", "Echoing %d input(s)" % len(outputs))]}
    if behaviour == "sleep":
        seconds = plain.get("seconds")
        seconds = float(seconds) if isinstance(seconds, (int, float)) and seconds > 0 else 0.0
        return {"duration": seconds, "result": "completed", "outputs": {},
                "logs": [("info", "Sleeping %s second(s)" % seconds)]}
    if behaviour == "fail":
        message = "Simulated failure: this workflow always fails (Workflow:Always fail / Scriptable task (item1)#3)"
        return {"duration": 0.1, "result": "failed", "outputs": {}, "exception": message,
                "logs": [("error", "Something went wrong in the scriptable task"), ("error", message)]}
    if behaviour == "approval":
        return {"duration": 0.3, "result": "waiting", "outputs": {}, "interaction": workflow["interactions"][0],
                "logs": [("info", "Waiting for approval of: %s" % (plain.get("request") or ""))]}
    if behaviour == "duplicate":
        return {"duration": 0.3, "result": "completed", "outputs": {"category": {"string": {"value": workflow["category"]}}}, "logs": []}
    return {"duration": 0.5, "result": "completed", "outputs": {}, "logs": []}


def _catalogue_script(workflow, behaviour, values):
    types = {p["name"]: p["type"] for p in workflow["outputs"]}
    outputs = {}
    for name, data in (behaviour.get("outputs") or {}).items():
        if isinstance(data, str) and data.startswith("$") and data[1:] in values:
            outputs[name] = values[data[1:]]  # "$input" copies an input value
        else:
            outputs[name] = vro_values.encode(types.get(name, "Any"), data)
    result = behaviour.get("result", "completed")
    out = {"duration": float(behaviour.get("duration", 1.0)), "result": result, "outputs": outputs,
           "logs": [("info", line) for line in behaviour.get("logs") or []]}
    if result == "failed":
        out["logs"] += [("error", line) for line in behaviour.get("error_logs") or []]
    if result == "failed":
        out["exception"] = behaviour.get("error") or "Workflow '%s' failed (scripted)" % workflow["name"]
        out["logs"].append(("error", out["exception"]))
    if result == "waiting" and workflow["interactions"]:
        out["interaction"] = workflow["interactions"][0]
    return out


# -- schema image ------------------------------------------------------------------------------------------
def schema_png(workflow_id, width=240, height=120):
    """A valid PNG, stable per workflow: a start node, one box per step, an end node, on a tinted background."""
    digest = hashlib.sha256(workflow_id.encode()).digest()
    background = (235 + digest[0] % 20, 235 + digest[1] % 20, 235 + digest[2] % 20)
    box = (60 + digest[3] % 120, 90 + digest[4] % 120, 140 + digest[5] % 100)
    steps = 1 + digest[6] % 3
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            pixel = background
            in_band = height // 2 - 14 <= y <= height // 2 + 14
            if in_band:
                slot = (x - 20) // ((width - 40) // (steps + 2)) if x >= 20 else -1
                inner = (x - 20) % ((width - 40) // (steps + 2)) if x >= 20 else -1
                if 0 <= slot < steps + 2 and 4 <= inner <= (width - 40) // (steps + 2) - 8:
                    pixel = (40, 160, 60) if slot == 0 else (200, 60, 60) if slot == steps + 1 else box
            elif y == height // 2 and 20 <= x < width - 20:
                pixel = (90, 90, 90)
            row.extend(pixel)
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
