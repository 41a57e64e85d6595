"""vRO parameter values on the wire: validation as the server does it, normalisation, encoding of plain values.

A wire value is an object with exactly one key, the value kind (``string``, ``number``, ``array`` ...), see
API-NOTES "Parameter value encoding". The server checks a value's kind against the parameter's declared type;
a mismatch is a 400. Values are normalised to the form the server emits (numbers as doubles, Properties under
``property``, MimeAttachment content under ``mime-content``, dates as ISO strings).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
from xml.etree import ElementTree

SIMPLE_KINDS = {
    "string": "string",
    "number": "number",
    "boolean": "boolean",
    "securestring": "secure-string",
    "encryptedstring": "encrypted-string",
    "date": "date",
    "regexp": "regex",
    "properties": "properties",
    "mimeattachment": "mime-attachment",
    "text": "string",
}
KINDS = ("string", "number", "boolean", "secure-string", "encrypted-string", "date", "regex", "array", "properties",
         "composite", "sdk-object", "mime-attachment")


class ValueError_(ValueError):
    """A parameter value the server rejects (answered with 400)."""


def valid_name(name):
    """The vRO parameter name rule ``^[\\p{L}_$][\\p{L}0-9_$]*$``."""
    if not isinstance(name, str) or not name:
        return False
    first, rest = name[0], name[1:]
    if not (first.isalpha() or first in "_$"):
        return False
    return all(ch.isalpha() or ch in "0123456789_$" for ch in rest)


def kind_of(type_name):
    """The wire value kind for a declared vRO type (``Array/string`` -> ``array``; ``VC:VirtualMachine`` -> ``sdk-object``)."""
    type_name = (type_name or "").strip()
    if type_name.startswith("Array/"):
        return "array"
    if type_name.startswith("CompositeType("):
        return "composite"
    if ":" in type_name:
        return "sdk-object"
    if type_name.lower() == "any":
        return None
    return SIMPLE_KINDS.get(type_name.lower(), "string")


def element_type(type_name):
    """``Array/Array/number`` -> ``Array/number``."""
    return type_name[len("Array/"):]


def composite_fields(type_name):
    """``CompositeType(host:string,port:number):Endpoint`` -> ``{'host': 'string', 'port': 'number'}``. A comma inside
    a field's own parentheses (``b:CompositeType(x:number,y:string):Inner``) does not split."""
    name = type_name.strip()
    fields = {}
    if not name.startswith("CompositeType("):
        return fields
    depth, start, parts = 0, len("CompositeType("), []
    for index in range(start - 1, len(name)):
        char = name[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                parts.append(name[start:index])
                break
        elif char == "," and depth == 1:
            parts.append(name[start:index])
            start = index + 1
    else:
        return fields
    for part in parts:
        if ":" in part:
            key, sub = part.split(":", 1)
            fields[key.strip()] = sub.strip()
    return fields


def parse_date(value):
    """ISO-8601 string or epoch milliseconds -> aware datetime (raises ValueError_)."""
    if isinstance(value, bool):
        raise ValueError_("a date is an ISO-8601 string or epoch milliseconds")
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value / 1000.0, tz=datetime.timezone.utc)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-?\d+", text):
            return datetime.datetime.fromtimestamp(int(text) / 1000.0, tz=datetime.timezone.utc)
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValueError_("'%s' is not an ISO-8601 date" % value) from exc
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.timezone.utc)
        return parsed
    raise ValueError_("a date is an ISO-8601 string or epoch milliseconds")


def iso(dt):
    """``2026-01-31T10:00:00.000Z`` (UTC, milliseconds)."""
    dt = dt.astimezone(datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


# Declared kinds that also take a plain 'string' value (public clients send a SecureString input as
# {"string": {...}}: the vmware_vro_workflow Ansible module's documented example, "Tested on vRO 7.2").
STRING_LIKE = ("secure-string", "encrypted-string")
_NUMERIC_TEXT = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def _inner(value, kind, where, strict=True):
    if not isinstance(value, dict) or len(value) != 1:
        raise ValueError_("%s: a value is an object with exactly one key naming its kind" % where)
    got = next(iter(value))
    if not strict and kind in STRING_LIKE and got == "string":
        inner = value[got]
        if not isinstance(inner, dict):
            raise ValueError_("%s: the '%s' value must be an object" % (where, got))
        return kind, inner
    if kind is not None and got != kind:
        raise ValueError_("%s: expected a '%s' value, got '%s'" % (where, kind, got))
    if got not in KINDS:
        raise ValueError_("%s: unknown value kind '%s'" % (where, got))
    inner = value[got]
    if not isinstance(inner, dict):
        raise ValueError_("%s: the '%s' value must be an object" % (where, got))
    return got, inner


def _coerced(got, scalar):
    """A number or boolean sent as text (``"20"``, ``"true"``), as Jackson reads it into the value's field;
    ``scalar`` unchanged when it is not such text."""
    if not isinstance(scalar, str):
        return scalar
    if got == "number" and _NUMERIC_TEXT.match(scalar):
        return float(scalar)
    if got == "boolean" and scalar.strip().lower() in ("true", "false"):
        return scalar.strip().lower() == "true"
    return scalar


def normalise(type_name, value, where="value", strict=True):
    """Check ``value`` (wire form) against ``type_name``; return the normalised wire value or raise ValueError_.

    ``strict=False`` (the default reading of the server, see ``check_parameters``) also takes numbers and booleans
    written as text and a ``string`` value for a SecureString or EncryptedString input."""
    kind = kind_of(type_name)
    got, inner = _inner(value, kind, where, strict)
    if not strict and got in ("number", "boolean") and "value" in inner:
        inner = dict(inner, value=_coerced(got, inner["value"]))
    if got in ("string", "secure-string", "encrypted-string", "regex"):
        text = inner.get("value")
        if text is not None and not isinstance(text, str):
            raise ValueError_("%s: a %s value must be a string" % (where, got))
        if got == "regex" and text is not None:
            try:
                re.compile(text)
            except re.error as exc:
                raise ValueError_("%s: invalid regular expression: %s" % (where, exc)) from exc
        return {got: {"value": text}} if text is not None else {got: {}}
    if got == "number":
        num = inner.get("value")
        if num is None:
            return {"number": {}}
        if isinstance(num, bool) or not isinstance(num, (int, float)):
            raise ValueError_("%s: a number value must be numeric, got %r" % (where, num))
        return {"number": {"value": float(num)}}
    if got == "boolean":
        flag = inner.get("value")
        if flag is not None and not isinstance(flag, bool):
            raise ValueError_("%s: a boolean value must be true or false, got %r" % (where, flag))
        return {"boolean": {"value": flag}} if flag is not None else {"boolean": {}}
    if got == "date":
        when = inner.get("value")
        if when is None:
            return {"date": {}}
        return {"date": {"value": iso(parse_date(when))}}
    if got == "array":
        elements = inner.get("elements", [])
        if not isinstance(elements, list):
            raise ValueError_("%s: array elements must be a list" % where)
        sub = element_type(type_name) if kind == "array" else "Any"
        return {"array": {"elements": [normalise(sub, e, "%s[%d]" % (where, i), strict) for i, e in enumerate(elements)]}}
    if got == "properties":
        items = inner.get("property", inner.get("properties", []))
        if not isinstance(items, list):
            raise ValueError_("%s: properties must be a list of {key, value}" % where)
        out = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("key"), str):
                raise ValueError_("%s: each property needs a string key" % where)
            entry = {"key": item["key"]}
            if item.get("value") is not None:
                entry["value"] = normalise("Any", item["value"], "%s.%s" % (where, item["key"]), strict)
            out.append(entry)
        return {"properties": {"property": out}}
    if got == "composite":
        fields = composite_fields(type_name) if kind == "composite" else {}
        items = inner.get("property", [])
        if not isinstance(items, list):
            raise ValueError_("%s: a composite's property must be a list of {id, value}" % where)
        out = []
        for item in items:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise ValueError_("%s: each composite property needs a string id" % where)
            if fields and item["id"] not in fields:
                raise ValueError_("%s: composite type has no field '%s' (fields: %s)" % (where, item["id"], ", ".join(fields)))
            entry = {"id": item["id"]}
            if item.get("value") is not None:
                entry["value"] = normalise(fields.get(item["id"], "Any"), item["value"], "%s.%s" % (where, item["id"]), strict)
            out.append(entry)
        return {"composite": {"type": inner.get("type") or type_name, "property": out}}
    if got == "sdk-object":
        sdk_type, sdk_id = inner.get("type"), inner.get("id")
        if not isinstance(sdk_id, str) or not sdk_id:
            raise ValueError_("%s: an sdk-object needs a string id" % where)
        if kind == "sdk-object" and sdk_type not in (None, type_name):
            raise ValueError_("%s: expected an sdk-object of type '%s', got '%s'" % (where, type_name, sdk_type))
        out = {"type": sdk_type or type_name, "id": sdk_id}
        for key in ("displayValue", "href"):
            if isinstance(inner.get(key), str):
                out[key] = inner[key]
        return {"sdk-object": out}
    if got == "mime-attachment":
        content = inner.get("mime-content", inner.get("content"))
        if content is not None:
            if not isinstance(content, str):
                raise ValueError_("%s: mime-content must be base64 text" % where)
            try:
                base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ValueError_("%s: mime-content is not valid base64" % where) from exc
        out = {"name": inner.get("name"), "mime-type": inner.get("mime-type")}
        if content is not None:
            out["mime-content"] = content
        return {"mime-attachment": out}
    raise ValueError_("%s: unsupported value kind '%s'" % (where, got))


def check_parameters(declared, params, strict=False):
    """Validate an execution-context's parameters against the declared inputs.

    ``declared`` is ``[{name, type, ...}]``; ``params`` the list from the body. Returns ``{name: normalised
    wire value or None}`` for declared inputs only: real vRO ignores names the workflow does not declare (so
    ``Name`` does not set ``name``). Raises ValueError_ with vRO-like messages. Numbers and booleans written as
    text and a ``string`` value for a SecureString/EncryptedString input are taken unless ``strict`` (the quirk
    ``vro-values-strict``).
    """
    if params is None:
        return {}
    if not isinstance(params, list):
        raise ValueError_("'parameters' must be a list")
    types = {p["name"]: p["type"] for p in declared}
    values = {}
    for index, param in enumerate(params):
        if not isinstance(param, dict):
            raise ValueError_("parameters[%d] must be an object" % index)
        name = param.get("name")
        if not valid_name(name):
            raise ValueError_("Invalid parameter name %r: it must match ^[\\p{L}_$][\\p{L}0-9_$]*$" % (name,))
        if name not in types:
            continue
        sent_type = param.get("type")
        if sent_type is not None and not isinstance(sent_type, str):
            raise ValueError_("parameter '%s': type must be a string" % name)
        value = param.get("value")
        values[name] = None if value is None else normalise(types[name], value, "parameter '%s'" % name, strict)
    return values


# Value kinds an XML execution-context may carry as element text; numbers and booleans are read as such (JAXB does).
XML_TEXT_KINDS = ("string", "number", "boolean", "secure-string", "encrypted-string", "date", "regex")


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _xml_text(kind, text):
    text = (text or "").strip() if kind in ("number", "boolean") else (text or "")
    if kind == "number":
        # text that is no number stays text: the checker refuses it as it refuses such JSON text
        return float(text) if _NUMERIC_TEXT.match(text) else text
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def context_from_xml(raw):
    """The JSON form ``{"parameters": [...]}`` of an XML execution-context: the 8.18 OpenAPI's ``ExecutionContext``
    (XML name ``execution-context``, namespace ``http://www.vmware.com/vco``, wrapped ``parameters``), each
    ``<parameter name=".." type=".." scope="..">`` holding one value element such as ``<string>web01</string>`` (the
    form the vmwvro client writes). Raises ValueError_ for malformed XML, another root, or a value kind that is not
    plain text (arrays, properties ...: send those as JSON)."""
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        raise ValueError_("Malformed XML request body: %s" % exc) from None
    if _local(root.tag) != "execution-context":
        raise ValueError_("The XML request body must be an execution-context (namespace http://www.vmware.com/vco), "
                          "not <%s>" % _local(root.tag))
    params = []
    for wrapper in root:
        if _local(wrapper.tag) != "parameters":
            continue
        for element in wrapper:
            if _local(element.tag) != "parameter":
                continue
            name = element.get("name")
            values = list(element)
            if len(values) != 1:
                raise ValueError_("parameter '%s': an XML parameter holds exactly one value element" % name)
            kind = _local(values[0].tag)
            if kind not in XML_TEXT_KINDS:
                raise ValueError_("parameter '%s': the simulator reads XML values of kind %s only; send a '%s' value "
                                  "in a JSON execution-context" % (name, ", ".join(XML_TEXT_KINDS), kind))
            params.append({"name": name, "type": element.get("type"), "scope": element.get("scope", "local"),
                           "value": {kind: {"value": _xml_text(kind, values[0].text)}}})
    return {"parameters": params}


def render(value, type_name="Any", epoch_dates=False, bare_single=False, secure_as_string=False):
    """A stored (normalised) wire value of the declared ``type_name`` as the server emits it.

    ``epoch_dates``: old servers emit dates as epoch milliseconds. ``bare_single`` (quirk ``vro-one-element-bare``):
    an array with exactly one element gives it as the bare object ``{"array": {"element": {...}}}`` and a
    Properties with exactly one entry gives ``{"properties": {"property": {key, value}}}`` (XML-born JSON writers).
    ``secure_as_string`` (quirk ``vro-secure-as-string``): every part the declared type makes a SecureString (the
    value itself, the elements of an ``Array/SecureString``, the SecureString fields of a composite, at any depth)
    comes with the ``string`` kind; a ``secure-string`` value under an undeclared type (Properties, Any) stays so.
    The stored value is never changed."""
    if not isinstance(value, dict) or not value:
        return value
    kind, inner = next(iter(value.items()))
    declared = (type_name or "Any").strip()
    if kind == "secure-string" and secure_as_string and declared.lower() == "securestring":
        return {"string": dict(inner)}
    if kind == "date" and epoch_dates and "value" in inner:
        return {"date": {"value": int(parse_date(inner["value"]).timestamp() * 1000)}}
    options = {"epoch_dates": epoch_dates, "bare_single": bare_single, "secure_as_string": secure_as_string}
    if kind == "array":
        sub = element_type(declared) if declared.startswith("Array/") else "Any"
        elements = [render(e, sub, **options) for e in inner.get("elements", [])]
        if bare_single and len(elements) == 1:
            return {"array": {"element": elements[0]}}
        return {"array": {"elements": elements}}
    if kind == "properties":
        entries = [dict(p, value=render(p["value"], "Any", **options)) if "value" in p else p
                   for p in inner.get("property", [])]
        if bare_single and len(entries) == 1:
            return {"properties": {"property": entries[0]}}
        return {"properties": {"property": entries}}
    if kind == "composite":
        fields = composite_fields(declared) or composite_fields(inner.get("type") or "")
        return {"composite": dict(inner, property=[dict(p, value=render(p["value"], fields.get(p.get("id"), "Any"), **options))
                                                   if "value" in p else p for p in inner.get("property", [])])}
    return value


def plain(value):
    """A wire value -> plain Python (used by built-in workflow behaviours)."""
    if not isinstance(value, dict) or not value:
        return None
    kind, inner = next(iter(value.items()))
    if kind == "array":
        return [plain(e) for e in inner.get("elements", [])]
    if kind == "properties":
        return {p["key"]: plain(p.get("value")) for p in inner.get("property", [])}
    if kind == "composite":
        return {p["id"]: plain(p.get("value")) for p in inner.get("property", [])}
    if kind == "sdk-object":
        return inner.get("id")
    if kind == "mime-attachment":
        return dict(inner)
    return inner.get("value")


def encode(type_name, data):
    """A plain value -> the wire value for ``type_name`` (catalogue outputs are written plainly)."""
    kind = kind_of(type_name)
    if data is None:
        return None
    if kind == "array":
        sub = element_type(type_name)
        return {"array": {"elements": [encode(sub, item) for item in (data if isinstance(data, list) else [data])]}}
    if kind == "properties":
        items = data.items() if isinstance(data, dict) else []
        return {"properties": {"property": [{"key": str(k), "value": _guess(v)} for k, v in items]}}
    if kind == "composite":
        fields = composite_fields(type_name)
        items = data.items() if isinstance(data, dict) else []
        return {"composite": {"type": type_name, "property": [{"id": k, "value": encode(fields.get(k, "string"), v)} for k, v in items]}}
    if kind == "sdk-object":
        return {"sdk-object": {"type": type_name, "id": str(data)}}
    if kind == "number":
        return {"number": {"value": float(data)}}
    if kind == "boolean":
        return {"boolean": {"value": bool(data)}}
    if kind == "date":
        return {"date": {"value": iso(parse_date(data))}}
    if kind == "mime-attachment":
        if isinstance(data, dict):
            return {"mime-attachment": {"name": data.get("name"), "mime-type": data.get("mime-type", "text/plain"),
                                        "mime-content": data.get("mime-content") or base64.b64encode(str(data.get("text", "")).encode()).decode()}}
        return {"mime-attachment": {"name": "output.txt", "mime-type": "text/plain", "mime-content": base64.b64encode(str(data).encode()).decode()}}
    if kind is None:
        return _guess(data)
    return {kind: {"value": data if isinstance(data, str) else str(data)}}


def _guess(data):
    if isinstance(data, bool):
        return {"boolean": {"value": data}}
    if isinstance(data, (int, float)):
        return {"number": {"value": float(data)}}
    if isinstance(data, list):
        return {"array": {"elements": [_guess(d) for d in data]}}
    if isinstance(data, dict):
        return {"properties": {"property": [{"key": str(k), "value": _guess(v)} for k, v in data.items()]}}
    return {"string": {"value": "" if data is None else str(data)}}
