"""Fixtures for the simulator's own tests: in-process simulators over real HTTPS, and a vRO client that checks
every JSON response it receives against the official vRO 8.18.1 OpenAPI document (when ../shared is present).

Fixtures: ``sim`` (one 8.18 simulator per session), ``fresh_sim`` (``sim`` reset to its seed first),
``make_sim`` (extra simulators with options, stopped after the test), ``vro`` / ``vro_reader`` (spec-checked
clients for the admin and the read-only user of ``fresh_sim``), ``vro_spec`` (the checker or None).
"""

# pylint: disable=redefined-outer-name

from __future__ import annotations

import base64
import copy
import json
import pathlib
import re
import sys
import urllib.parse

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from simulator import fidelity  # noqa: E402  pylint: disable=wrong-import-position
from simulator.runner import Simulator  # noqa: E402  pylint: disable=wrong-import-position

VRO_SPEC_PATH = ROOT.parent / "shared" / "specs" / "vro-8.18.1-openapi.json"
NO_VRO_SPEC = "the vRO OpenAPI document %s is absent (../shared is not checked out next to the repository)" % VRO_SPEC_PATH
BASE = "/vco/api"
ADMIN = "vcoadmin"
READER = "vcoreader"


# -- the spec checker -------------------------------------------------------------------------------------
class VroSpec:
    """The vRO spec with ``simulator.fidelity`` applied: ``problems(method, path, response) -> [str]``.

    Object schemas are strict (no property the schema does not name), so a misspelt field fails. A status the
    spec does not document for the operation fails unless ``fidelity.allows`` names it; error bodies (>= 400)
    must be vRO's ``{status, message}``.
    """

    def __init__(self, path=VRO_SPEC_PATH):
        with open(path, encoding="utf-8") as handle:
            self.doc = json.load(handle)
        self.components = strict(_python_patterns(fidelity.patch_vro_components(self.doc["components"])))
        self.templates = []
        for template in self.doc["paths"]:
            if "**" in template:
                continue
            pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
            self.templates.append((template.count("{"), template, re.compile(pattern)))
        self.templates.sort()
        self._validators = {}
        self.checked = []

    def template_of(self, path):
        """The spec path template (relative to /vco/api) that ``path`` instantiates, or None."""
        for _count, template, pattern in self.templates:
            if pattern.match(path):
                return template
        return None

    def validator(self, schema):
        import jsonschema  # pylint: disable=import-outside-toplevel
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            root = dict(strict(_python_patterns(schema)))
            root["components"] = self.components
            self._validators[key] = jsonschema.Draft7Validator(root)
        return self._validators[key]

    def problems(self, method, url, response):
        path = urllib.parse.urlsplit(url).path
        if not path.startswith(BASE):
            return []
        path = path[len(BASE):].rstrip("/") or "/"
        status = response.status_code
        template = self.template_of(path)
        self.checked.append((method, template or path, status))
        if status >= 500:
            return ["%s %s answered %d" % (method, path, status)]
        operation = (self.doc["paths"].get(template) or {}).get(method.lower()) if template else None
        where = "%s %s -> %d" % (method, template or path, status)
        if operation is None:
            if status == 404:
                return self._error_problems(where, response)
            return ["%s: not an operation of the spec" % where]
        documented = operation.get("responses", {}).get(str(status))
        if documented is None and not fidelity.allows("vro", method, template, status):
            return ["%s is not in the spec and not listed in simulator/fidelity.py" % where]
        if status >= 400:
            return self._error_problems(where, response)
        content = (documented or {}).get("content") or {}
        schema = (content.get("application/json") or {}).get("schema")
        if schema is None:
            # No JSON documented (204s, the schema PNG): a JSON body would be an undocumented answer.
            if response.content and ("json" in response.headers.get("Content-Type", "") or status == 204):
                return ["%s: the spec describes no JSON body, got %r" % (where, response.content[:60])]
            return []
        try:
            body = response.json()
        except ValueError:
            return ["%s: expected a JSON body, got %r" % (where, response.text[:80])]
        if "json" not in response.headers.get("Content-Type", ""):
            return ["%s: Content-Type %s" % (where, response.headers.get("Content-Type"))]
        return ["%s: %s at /%s" % (where, e.message, "/".join(str(p) for p in e.absolute_path))
                for e in self.validator(schema).iter_errors(body)]

    def _error_problems(self, where, response):
        try:
            body = response.json()
        except ValueError:
            return ["%s: error body is not JSON: %r" % (where, response.text[:80])]
        return ["%s: error body %s" % (where, e.message) for e in self.validator(fidelity.VRO_ERROR_SCHEMA).iter_errors(body)]


def strict(node):
    """A deep copy where every object schema with ``properties`` (and no ``allOf``) forbids other properties."""
    node = copy.deepcopy(node)

    def walk(item):
        if isinstance(item, dict):
            if isinstance(item.get("properties"), dict) and "additionalProperties" not in item and "allOf" not in item:
                item["additionalProperties"] = False
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)
    walk(node)
    return node


class StandIn:
    """A stand-in response (status, JSON body or None) for the checkers' own tests."""

    def __init__(self, status, body=None, content_type="application/json"):
        self.status_code = status
        self.content = b"" if body is None else json.dumps(body).encode()
        self.text = self.content.decode()
        self.headers = {"Content-Type": content_type}

    def json(self):
        return json.loads(self.content)


_JAVA_NAME = "^[\\p{L}_$][\\p{L}0-9_$]*$"
_PYTHON_NAME = "^(?:[^\\W\\d_]|[_$])(?:[^\\W\\d_]|[0-9_$])*$"


def _python_patterns(node):
    """Java's ``\\p{L}`` (any letter) in the spec's name pattern, spelt for Python's ``re``."""
    if isinstance(node, dict):
        return {k: (_PYTHON_NAME if k == "pattern" and v == _JAVA_NAME else _python_patterns(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_python_patterns(v) for v in node]
    return node


_SPEC = {}


def load_vro_spec():
    """The checker, or None when ../shared is absent (loaded once)."""
    if "spec" not in _SPEC:
        _SPEC["spec"] = VroSpec() if VRO_SPEC_PATH.exists() else None
    return _SPEC["spec"]


# -- clients ------------------------------------------------------------------------------------------------
class VroClient:
    """A small vRO client for tests: Basic (or bearer) auth, TLS against the simulator CA, spec-checked answers."""

    def __init__(self, sim, user=ADMIN, spec=None, password=None):
        self.sim = sim
        self.url = sim.url
        self.http = requests.Session()
        self.http.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace the simulator's CA
        self.http.verify = sim.ca_path if sim.ca_path else True
        self.http.headers["X-Sim-Admin-Token"] = sim.admin_token  # /_sim needs it; the API routes ignore it
        if user is not None:
            self.http.auth = (user, password if password is not None else sim.users["vro"][user]["password"])
        self.spec = spec if sim.ctx.vro_version == "8.18" else None
        self.violations = []

    def call(self, method, path, **kwargs):
        url = path if path.startswith("http") else self.url + (path if path.startswith("/_sim") or path.startswith(BASE) else BASE + path)
        kwargs.setdefault("timeout", 30)
        response = self.http.request(method, url, **kwargs)
        if self.spec is not None:
            self.violations.extend(self.spec.problems(method, url, response))
        return response

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, **kw):
        return self.call("POST", path, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def admin(self, method, path, **kw):
        response = self.http.request(method, self.url + "/_sim/" + path.lstrip("/"), timeout=30, **kw)
        assert response.status_code < 400, response.text
        return response.json() if response.content else None

    def start(self, wid, params=None, key="parameters"):
        return self.post("/workflows/%s/executions" % wid, json={key: params or []})

    def wait(self, location, states=("completed", "failed", "canceled", "waiting"), timeout=15.0):
        import time  # pylint: disable=import-outside-toplevel
        deadline = time.monotonic() + timeout
        while True:
            state = self.get(location + "state").json()["value"]
            if state in states or time.monotonic() > deadline:
                return state
            time.sleep(0.05)


def param(name, type_, kind, value):
    """One execution-context parameter."""
    return {"name": name, "type": type_, "scope": "local", "value": {kind: value}}


def basic(user, password):
    """An ``Authorization: Basic`` value, as clients build it (RFC 7617, UTF-8)."""
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode("utf-8")).decode("ascii")


def admin_headers(sim):
    """The header the simulator's /_sim admin API needs."""
    return {"X-Sim-Admin-Token": sim.admin_token}


# -- fixtures -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def vro_spec():
    return load_vro_spec()


@pytest.fixture(scope="session")
def sim(tmp_path_factory):
    simulator = Simulator(data_dir=str(tmp_path_factory.mktemp("sim")), tls=True).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def fresh_sim(sim):
    response = requests.post(sim.url + "/_sim/reset", json={"settings": True}, verify=sim.ca_path, timeout=30,
                             headers=admin_headers(sim))
    assert response.status_code == 200, response.text
    return sim


@pytest.fixture
def make_sim(tmp_path):
    started = []

    def factory(**kwargs):
        kwargs.setdefault("data_dir", str(tmp_path / ("sim%d" % len(started))))
        simulator = Simulator(**kwargs).start()
        started.append(simulator)
        return simulator

    yield factory
    for simulator in started:
        simulator.stop()


def _checked_client(sim, user, spec):
    client = VroClient(sim, user, spec)
    yield client
    assert not client.violations, "responses breaking the vRO spec:\n" + "\n".join(client.violations)


@pytest.fixture
def vro(fresh_sim, vro_spec):  # pylint: disable=redefined-outer-name
    yield from _checked_client(fresh_sim, ADMIN, vro_spec)


@pytest.fixture
def vro_reader(fresh_sim, vro_spec):  # pylint: disable=redefined-outer-name
    yield from _checked_client(fresh_sim, READER, vro_spec)


def sim_session(sim):
    """A requests session for ``sim``: its CA, and nothing from the environment (proxies, netrc)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = sim.ca_path
    return session
