"""Fault injection, per-route request counters and the bounded request log.

The core applies these to every route (``/_sim/`` excepted), so API modules know nothing about them.
A fault matches a request by a glob on the path (``*`` also crosses ``/``; a trailing slash is ignored) and
optionally the method; it fires for the next ``count`` matching requests (forever when unset), each time
with ``probability`` (default 1) drawn from a generator seeded by ``seed``.
"""

from __future__ import annotations

import collections
import fnmatch
import http
import json
import random
import threading
import time
import uuid
from urllib.parse import urlsplit

KINDS = ("latency", "status", "throttle", "reset_before", "reset_after", "html", "bad_json", "token_expired", "redirect",
         "rewrite_location", "slow_answer", "truncated", "ignore_paging", "trickle", "body")

# The paging parameters an ``ignore_paging`` fault hides from the API (page sizes are kept), and the counts it drops.
PAGING_PARAMS = ("startIndex", "pageNumber", "_start")
PAGING_TOTALS = ("total", "pageMetadata", "next", "last")

# Kinds that answer instead of the API (nothing is acted upon).
ANSWERING_KINDS = ("status", "throttle", "reset_before", "html", "token_expired", "redirect")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# Kinds that, with ``act``, let the API handle the request first and then answer in its place (a gateway's 502/504).
ACTING_GATEWAY_KINDS = ("status", "html")
DEFAULT_LOCATIONS = {"redirect": "https://sso.example/login", "rewrite_location": "http://other-host.invalid{path}"}


class FaultError(ValueError):
    """A fault specification that cannot be used."""


def _json_option(value):
    """A ``body`` option: any JSON value; from the CLI form (a string) parsed as JSON when it is JSON."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _flag(value):
    """A boolean option, also from the CLI form (``true``/``false``)."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def parse_spec(text):
    """Parse the CLI form ``route=/vco/api/*,method=POST,kind=status,status=503,count=2`` into a dict."""
    spec = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise FaultError("fault option %r is not key=value (in %r)" % (part, text))
        key, value = part.split("=", 1)
        spec[key.strip()] = value.strip()
    return spec


class Fault:
    """One injected fault (see the module docstring for matching rules)."""

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise FaultError("a fault is a JSON object")
        unknown = set(spec) - {"route", "method", "kind", "count", "probability", "seed", "latency", "retry_after", "status", "id",
                               "body", "act", "location"}
        if unknown:
            raise FaultError("unknown fault option(s): %s" % ", ".join(sorted(unknown)))
        self.kind = spec.get("kind")
        if self.kind not in KINDS:
            raise FaultError("fault kind must be one of %s, got %r" % (", ".join(KINDS), self.kind))
        self.route = str(spec.get("route") or "*")
        self.method = str(spec["method"]).upper() if spec.get("method") else None
        try:
            self.count = None if spec.get("count") in (None, "") else int(spec["count"])
            self.probability = 1.0 if spec.get("probability") in (None, "") else float(spec["probability"])
            self.latency = float(spec.get("latency") or (1.0 if self.kind in ("latency", "slow_answer", "trickle") else 0.0))
            self.retry_after = int(float(spec.get("retry_after") or 1))
            default_status = {"status": 503, "throttle": 429, "html": 502, "token_expired": 401, "bad_json": 200,
                              "redirect": 302}.get(self.kind)
            self.status = int(spec.get("status") or default_status or 0) or None
            seed = spec.get("seed")
            self.seed = None if seed in (None, "") else int(seed)
            # kind body: the JSON value answered instead of the real body; act: the API handles the request first.
            self.body = _json_option(spec.get("body"))
            self.act = _flag(spec.get("act"))
        except (TypeError, ValueError) as exc:
            raise FaultError("bad fault value: %s" % exc) from exc
        if self.kind == "status" and self.status not in (404, 500, 502, 503, 504):
            raise FaultError("a 'status' fault answers 404, 500, 502, 503 or 504, not %s" % self.status)
        if self.kind == "redirect" and self.status not in REDIRECT_STATUSES:
            raise FaultError("a 'redirect' fault answers 301, 302, 303, 307 or 308, not %s" % self.status)
        self.location = str(spec.get("location") or DEFAULT_LOCATIONS.get(self.kind) or "")
        if not 0.0 <= self.probability <= 1.0:
            raise FaultError("probability must be between 0 and 1")
        self.id = str(spec.get("id") or uuid.uuid4())
        self.fired = 0
        self._random = random.Random(self.seed)

    def matches(self, method, path):
        """True when the fault applies to this request (does not consume it)."""
        if self.count is not None and self.fired >= self.count:
            return False
        if self.method and self.method != method:
            return False
        return fnmatch.fnmatchcase(path.rstrip("/") or "/", self.route.rstrip("/") or "/")

    def draw(self):
        """Consume one matching request: True when the fault fires this time."""
        if self.probability < 1.0 and self._random.random() >= self.probability:
            return False
        self.fired += 1
        return True

    @property
    def exhausted(self):
        return self.count is not None and self.fired >= self.count

    def to_dict(self):
        return {
            "id": self.id, "route": self.route, "method": self.method, "kind": self.kind, "count": self.count,
            "probability": self.probability, "seed": self.seed, "latency": self.latency,
            "retry_after": self.retry_after, "status": self.status, "fired": self.fired, "location": self.location,
            "body": self.body, "act": self.act,
        }


class FaultSet:
    """The active faults (thread-safe)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def add(self, spec):
        fault = Fault(spec)
        with self._lock:
            self._faults.append(fault)
        return fault

    def remove(self, fault_id):
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if f.id != fault_id]
            return len(self._faults) != before

    def clear(self):
        with self._lock:
            self._faults = []

    def list(self):
        with self._lock:
            return [f.to_dict() for f in self._faults]

    def pick(self, method, path):
        """Return ``(latency_seconds, fault_or_None)`` for a request, consuming what fires.

        Every firing latency fault adds its delay; the first firing fault of another kind is returned.
        """
        delay, chosen = 0.0, None
        with self._lock:
            if not self._faults:
                return 0.0, None
            for fault in self._faults:
                if fault.kind != "latency" and chosen is not None:
                    continue
                if fault.matches(method, path) and fault.draw():
                    if fault.kind == "latency":
                        delay += fault.latency
                    else:
                        chosen = fault
        return delay, chosen


class RequestLog:
    """Per-route counters and a ring buffer of recent requests (memory bounded)."""

    def __init__(self, maxlen=5000):
        self._lock = threading.Lock()
        self.routes = collections.Counter()
        self.entries = collections.deque(maxlen=maxlen)
        self.total = 0

    def record(self, route_key, entry):
        with self._lock:
            self.routes[route_key] += 1
            self.total += 1
            self.entries.append(entry)

    def counters(self):
        with self._lock:
            return {"routes": dict(self.routes), "total": self.total}

    def recent(self, limit=None):
        with self._lock:
            items = list(self.entries)
        if limit:
            items = items[-int(limit):]
        return items

    def clear(self):
        with self._lock:
            self.routes.clear()
            self.entries.clear()
            self.total = 0


def product_of(path):
    """The product a path belongs to: 'vro', 'vra', 'vcf', 'ico' or None."""
    if path.startswith("/vco/"):
        return "vro"
    if path.startswith("/csp/") or path.startswith("/iaas/"):
        return "vra"
    if path.startswith("/v1/") or path == "/v1":
        return "vcf"
    if path.startswith("/orchestrator/"):
        return "ico"
    return None


def error_body(path, status, message, error_code=None):
    """An error body in the shape the product behind ``path`` uses."""
    product = product_of(path)
    if product == "vcf":
        return {
            "errorCode": error_code or ("TOKEN_EXPIRED" if status == 401 else "SERVER_ERROR_%d" % status),
            "errorType": "ERROR", "arguments": [], "context": {}, "message": message,
            "remediationMessage": "Retry the request later." if status != 401 else "Obtain a new access token.",
            "causes": [], "nestedErrors": [], "referenceToken": uuid.uuid4().hex[:6].upper(),
        }
    if product == "ico":
        return {"error_message": message, "status": status}
    if product == "vra":
        return {"statusCode": status, "errorCode": status, "message": message}
    return {"status": status, "message": message}


# nginx's own titles where they differ from the RFC reason phrase (src/http/ngx_http_special_response.c).
NGINX_TITLES = {503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


def html_page(status):
    """The kind of HTML page a reverse proxy (nginx) answers when the upstream fails, titled by ``status``."""
    try:
        phrase = NGINX_TITLES.get(status) or http.HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    title = "%d %s" % (status, phrase)
    return (
        "<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n"
        "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n" % (title, title)
    )


def answer(fault, path):
    """``(status, headers, body_bytes)`` for an answering fault."""
    if fault.kind == "html":
        return fault.status or 502, {"Content-Type": "text/html"}, html_page(fault.status or 502).encode()
    if fault.kind == "throttle":
        body = error_body(path, 429, "Too many requests, retry after %d seconds" % fault.retry_after)
        return 429, {"Content-Type": "application/json", "Retry-After": str(fault.retry_after)}, json.dumps(body).encode()
    if fault.kind == "token_expired":
        body = error_body(path, 401, "The access token has expired.", error_code="TOKEN_EXPIRED")
        headers = {"Content-Type": "application/json"}
        if product_of(path) != "vcf":
            headers["WWW-Authenticate"] = 'Bearer error="invalid_token", error_description="The access token expired"'
        return 401, headers, json.dumps(body).encode()
    if fault.kind == "redirect":
        # An SSO gateway or load balancer in front of the API: a redirect to its login page, nothing acted upon.
        return fault.status, {"Location": fault.location, "Content-Type": "text/html"}, b""
    if fault.kind == "status":
        message = "Not found (simulated)" if fault.status == 404 else "Simulated server error %d" % fault.status
        body = error_body(path, fault.status, message)
        return fault.status, {"Content-Type": "application/json"}, json.dumps(body).encode()
    return 200, {}, b""


def acts_first(fault):
    """True for a ``status``/``html`` fault with ``act``: the API handles the request, then the fault answers instead
    (RFC 9110 15.6.3/15.6.5: a gateway whose upstream acted but sent no valid or timely answer)."""
    return fault.act and fault.kind in ACTING_GATEWAY_KINDS


def rewrite_location(fault, response):
    """After the request was handled: the answer's ``Location`` becomes ``fault.location`` and the body is dropped.

    ``{path}`` in ``fault.location`` stands for the path of the original ``Location`` and ``{id}`` for its last
    segment, so ``http://other-host{path}`` names the same object on another origin and ``{path}`` or ``tasks/{id}``
    make it relative. Models a server behind a proxy that answers a create with its internal address and no body.
    """
    original = response.headers.get("Location") or ""
    path = urlsplit(original).path
    ident = path.rstrip("/").rsplit("/", 1)[-1]
    response.headers["Location"] = fault.location.replace("{path}", path).replace("{id}", ident)
    response.set_data(b"")
    response.headers.pop("Content-Type", None)


def truncate(body):
    """A JSON body cut in half (never valid JSON)."""
    if not body:
        return b'{"status": "ok", "trunc'
    return body[: max(1, len(body) // 2)]


def sleep(seconds):
    if seconds > 0:
        time.sleep(seconds)


def without_paging(args):
    """The query arguments (a MultiDict) minus the paging parameters: every request gets the first page."""
    return [(key, value) for key, value in args.items(multi=True) if key not in PAGING_PARAMS]


def drop_totals(body):
    """A JSON list answer without its totals and paging links (top level and under ``relations``)."""
    try:
        doc = json.loads(body or b"null")
    except ValueError:
        return body
    if isinstance(doc, dict):
        for holder in (doc, doc.get("relations")):
            if isinstance(holder, dict):
                for key in PAGING_TOTALS:
                    holder.pop(key, None)
    return json.dumps(doc).encode()


def wrong_body(fault):
    """``(status, headers, body_bytes)`` of a ``body`` fault that answers without acting: its JSON value, 200 by
    default."""
    return fault.status or 200, {"Content-Type": "application/json"}, json.dumps(fault.body).encode()
