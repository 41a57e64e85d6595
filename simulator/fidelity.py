"""The one place naming where the simulator follows real traffic rather than the official OpenAPI specs.

Both specs (``../shared/specs/``) were generated from annotated Java/XML types; where they and real servers
disagree, real traffic wins (API-NOTES). Each deviation is listed here with its reason, and the spec tests
(``tests/simulator/test_spec_*.py``) accept exactly these and nothing else:

- ``allows(product, method, path, status)``: a status code the spec does not document for an operation;
- ``VRO_SCHEMA_DEVIATIONS`` / ``patch_vro_components(components)``: response fields whose real form differs
  from the spec's schema, applied to a copy of the spec's components before validating;
- ``VRO_ERROR_SCHEMA``: vRO's error body, used for every status >= 400 (the spec reuses the success schema).

The VCF list lives next to the VCF API (``simulator.vcf.SPEC_DEVIATIONS``) and is collected here.
"""

from __future__ import annotations

import copy

VRO_KINDS = ("string", "secure-string", "encrypted-string", "regex", "number", "boolean", "date", "array",
             "properties", "composite", "sdk-object", "mime-attachment")

# -- status codes the vRO spec does not document for an operation ------------------------------------------
VRO_STATUS_DEVIATIONS = [
    {"method": "*", "path": "*", "status": 401,
     "why": "missing or bad credentials, or an expired bearer token: every vRO endpoint answers 401, the spec omits it on some"},
    {"method": "POST", "path": "/workflows/{workflowId}/executions", "status": 403,
     "why": "a read-only user may read a workflow but not start it; vRO answers 403 (the spec lists 400/401/404 only)"},
    {"method": "DELETE", "path": "/workflows/{workflowId}/executions/{executionId}/state", "status": 403,
     "why": "a read-only user may not cancel a run"},
    {"method": "DELETE", "path": "/workflows/{workflowId}/executions/{executionId}", "status": 403,
     "why": "a read-only user may not delete (8.x) or cancel (7.x) a run"},
    {"method": "POST", "path": "/workflows/{workflowId}/executions/{executionId}/interaction", "status": 403,
     "why": "a read-only user may not answer a user interaction"},
    {"method": "DELETE", "path": "/workflows/{workflowId}/executions/{executionId}/interaction", "status": 403,
     "why": "a read-only user may not cancel a user interaction"},
    {"method": "POST", "path": "/tasks", "status": 403, "why": "a read-only user may not schedule a workflow it may not run"},
    {"method": "POST", "path": "/tasks/{id}", "status": 403, "why": "only the owner or an administrator may change a task"},
    {"method": "DELETE", "path": "/tasks/{id}", "status": 403, "why": "only the owner or an administrator may delete a task"},
    {"method": "GET", "path": "/workflows", "status": 400,
     "why": "a malformed conditions, maxResult or startIndex value: Spring parameter binding answers 400"},
    {"method": "GET", "path": "/workflows/{workflowId}/executions", "status": 400,
     "why": "a malformed or unsupported condition, sort order or paging value"},
    {"method": "GET", "path": "/workflows/{workflowId}/executions/{executionId}/logs", "status": 400,
     "why": "a malformed condition or maxResult"},
    {"method": "GET", "path": "/workflows/{workflowId}/executions/{executionId}/syslogs", "status": 400,
     "why": "a malformed condition or maxResult"},
    {"method": "GET", "path": "/tasks/{id}/executions", "status": 400, "why": "a malformed condition or paging value"},
    {"method": "GET", "path": "/categories", "status": 400,
     "why": "a categoryType outside the spec's category types or an isRoot that is no boolean: Spring binding answers 400"},
    {"method": "GET", "path": "/workflows/{workflowId}/executions/{executionId}/interaction", "status": 404,
     "why": "the run is not waiting for a user interaction (documented for the DELETE, not the GET)"},
    {"method": "DELETE", "path": "/tasks/{id}", "status": 404, "why": "documented; listed for symmetry with GET"},
]

# -- response fields whose real form differs from the spec's schema ----------------------------------------
VRO_SCHEMA_DEVIATIONS = [
    {"id": "dashed-parameter-lists", "schemas": ["WsWorkflow", "WsWorkflowExecution"],
     "why": "real JSON spells the lists input-parameters / output-parameters; the spec says inputParameters / "
            "outputParameters (API-NOTES, One run). The simulator emits the dashed form; both are validated alike."},
    {"id": "state-value", "schemas": ["ExecutionState"],
     "why": "GET .../state answers {\"value\": \"running\"} on real servers; the spec says {\"state\": ...}."},
    {"id": "wire-values", "schemas": ["WsParameter", "KeyValuePair", "composite-value"],
     "why": "a parameter value is wrapped in its kind ({\"string\": {\"value\": ...}}); the spec models the kinds as "
            "a recursive oneOf of unwrapped, overlapping objects that no instance can satisfy."},
    {"id": "properties-property", "schemas": ["properties"],
     "why": "Properties entries arrive under 'property' (the spec names the list 'properties'); both are accepted, "
            "'property' is emitted."},
    {"id": "mime-content-alias", "schemas": ["mime-attachment"],
     "why": "clients send the attachment body as 'content' as well as 'mime-content'; accepted, 'mime-content' emitted."},
    {"id": "log-user", "schemas": ["WsLog", "WsSysLog"],
     "why": "log entries carry 'user' (API-NOTES) besides the spec's 'userName'; both are emitted."},
    {"id": "log-entry-wrapper", "schemas": ["WsLogsList", "WsSysLogsList"],
     "why": "vRO 7.x wraps each log entry as {\"entry\": {...}} with epoch-millisecond time stamps (--vro-version 7.6)."},
    {"id": "epoch-dates", "schemas": ["WsWorkflowExecution"],
     "why": "vRO 7.x emits start-date/end-date and Date values as epoch milliseconds (--vro-version 7.6); the spec "
            "(8.18.1) says date-time strings."},
]

# The body of every vRO error answer, whatever schema the spec lists for that status.
VRO_ERROR_SCHEMA = {
    "type": "object",
    "required": ["status", "message"],
    "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
    "additionalProperties": False,
}


def _wire_value_schema(ref_prefix="#/components/schemas/"):
    """A strict schema for one wire value: exactly one kind key with that kind's inner object."""
    value_ref = {"$ref": ref_prefix + "sim-wire-value"}
    text = {"type": "object", "properties": {"value": {"type": "string"}}, "additionalProperties": False}
    inner = {
        "string": text, "secure-string": text, "encrypted-string": text, "regex": text,
        "number": {"type": "object", "properties": {"value": {"type": "number"}}, "additionalProperties": False},
        "boolean": {"type": "object", "properties": {"value": {"type": "boolean"}}, "additionalProperties": False},
        "date": {"type": "object", "properties": {"value": {"type": ["string", "integer"]}}, "additionalProperties": False},
        "array": {"type": "object", "properties": {"elements": {"type": "array", "items": value_ref}}, "additionalProperties": False},
        "properties": {"type": "object", "additionalProperties": False, "properties": {
            "property": {"type": "array", "items": {"$ref": ref_prefix + "KeyValuePair"}},
            "properties": {"type": "array", "items": {"$ref": ref_prefix + "KeyValuePair"}}}},
        "composite": {"type": "object", "additionalProperties": False, "properties": {
            "type": {"type": "string"},
            "property": {"type": "array", "items": {"type": "object", "required": ["id"], "additionalProperties": False,
                                                    "properties": {"id": {"type": "string"}, "value": value_ref}}}}},
        "sdk-object": {"type": "object", "required": ["type", "id"], "additionalProperties": False, "properties": {
            "type": {"type": "string"}, "id": {"type": "string"}, "displayValue": {"type": "string"}, "href": {"type": "string"}}},
        "mime-attachment": {"type": "object", "additionalProperties": False, "properties": {
            "name": {"type": ["string", "null"]}, "mime-type": {"type": ["string", "null"]},
            "mime-content": {"type": "string"}, "content": {"type": "string"}}},
    }
    return {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": False,
            "properties": inner}


def patch_vro_components(components):
    """A copy of the vRO spec's ``components`` with ``VRO_SCHEMA_DEVIATIONS`` applied (see each ``why``)."""
    comps = copy.deepcopy(components)
    schemas = comps["schemas"]
    ref = "#/components/schemas/"
    schemas["sim-wire-value"] = _wire_value_schema(ref)
    # wire-values: parameters, properties entries and composite fields hold wrapped values.
    schemas["WsParameter"]["properties"]["value"] = {"$ref": ref + "sim-wire-value"}
    schemas["KeyValuePair"]["properties"]["value"] = {"$ref": ref + "sim-wire-value"}
    # dashed-parameter-lists
    for name in ("WsWorkflow", "WsWorkflowExecution"):
        props = schemas[name]["properties"]
        props["input-parameters"] = copy.deepcopy(props["inputParameters"])
        props["output-parameters"] = copy.deepcopy(props["outputParameters"])
    # state-value
    schemas["ExecutionState"]["properties"]["value"] = copy.deepcopy(schemas["ExecutionState"]["properties"]["state"])
    # log-user
    for name in ("WsLog", "WsSysLog"):
        schemas[name]["properties"]["user"] = {"type": "string"}
    # log-entry-wrapper (7.x)
    for name, item in (("WsLogsList", "WsLog"), ("WsSysLogsList", "WsSysLog")):
        schemas[name]["properties"]["logs"]["items"] = {"anyOf": [
            {"$ref": ref + item},
            {"type": "object", "required": ["entry"], "additionalProperties": False,
             "properties": {"entry": {"allOf": [{"$ref": ref + item}]}}}]}
    return comps


def _vcf_deviations():
    try:
        from simulator import vcf  # pylint: disable=import-outside-toplevel
    except ImportError:
        return []
    return list(getattr(vcf, "SPEC_DEVIATIONS", []))


def status_deviations(product):
    """The status deviations of ``product`` ('vro' or 'vcf')."""
    if product == "vro":
        return VRO_STATUS_DEVIATIONS
    if product == "vcf":
        return _vcf_deviations()
    return []


def allows(product, method, path, status):
    """True when answering ``status`` to ``method path`` (a spec path template) is a listed deviation."""
    method = method.upper()
    for item in status_deviations(product):
        if item["status"] == status and item["method"] in ("*", method) and item["path"] in ("*", path):
            return True
    return False
