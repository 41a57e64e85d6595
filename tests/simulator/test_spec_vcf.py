"""The simulator's SDDC Manager API against the official VCF 9.0 OpenAPI document.

``VcfSpec.problems()`` is the checker: test_vcf.py runs it on every ``/v1`` response it receives, and this module
adds a bounded property-based run (hypothesis) over the implemented endpoints: no 5xx, no schema violation.
Schemas are applied strictly (an object may not carry properties its schema does not name), so a misspelt field
fails. Responses the spec does not describe are accepted only when ``simulator/fidelity.py`` lists them.
The spec lives in ../shared (third-party, never copied here): without it these tests skip.
"""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest
import requests

from conftest import ROOT, StandIn, strict  # pylint: disable=import-error

SPEC_PATH = ROOT.parent / 'shared' / 'specs' / 'vcf-9.0-openapi.json'
NO_SPEC = 'the VCF OpenAPI document %s is absent (../shared is not checked out next to the repository)' % SPEC_PATH

ADMIN = 'administrator@vsphere.local'


def fidelity_allows(method, template, status):
    """True when the simulator names this (method, spec path, status) as a known deviation from the spec.

    The list is ``simulator/fidelity.py`` (``allows(product, method, path, status)``); until that module exists,
    its VCF source, ``simulator.vcf.SPEC_DEVIATIONS``, is read directly.
    """
    try:
        from simulator import fidelity  # pylint: disable=import-outside-toplevel
    except ImportError:
        fidelity = None
    allows = getattr(fidelity, 'allows', None)
    if allows is not None:
        return bool(allows('vcf', method, template, status))
    from simulator import vcf  # pylint: disable=import-outside-toplevel
    return any(d['status'] == status and d['method'] in ('*', method) and d['path'] in ('*', template)
               for d in vcf.SPEC_DEVIATIONS)


class VcfSpec:
    """The VCF OpenAPI document, ready to check responses: ``problems(method, path, response)``."""

    def __init__(self, path=SPEC_PATH):
        with open(path, encoding='utf-8') as handle:
            self.doc = json.load(handle)
        self.components = strict(self.doc['components'])
        self.templates = []
        for template in self.doc['paths']:
            pattern = '^' + re.sub(r'\\\{[^/]+?\\\}', '[^/]+', re.escape(template)) + '$'
            # Literal segments must win over parameters (/v1/tasks/latest vs /v1/tasks/{id}).
            self.templates.append((template.count('{'), template, re.compile(pattern)))
        self.templates.sort()
        self.seen = []

    def template_of(self, path):
        """The spec path template that ``path`` (no query string) instantiates, or None."""
        for _params, template, pattern in self.templates:
            if pattern.match(path):
                return template
        return None

    def validator(self, schema):
        import jsonschema  # pylint: disable=import-outside-toplevel
        root = dict(strict(schema))
        root['components'] = self.components
        return jsonschema.Draft7Validator(root)

    def error_problems(self, body):
        return [e.message for e in self.validator({'$ref': '#/components/schemas/Error'}).iter_errors(body)]

    def problems(self, method, path, response):
        """Every way ``response`` breaks the spec (an empty list when it conforms)."""
        # Like Spring (before 6), the simulator ignores a trailing slash.
        path = urllib.parse.urlsplit(path).path.rstrip('/') or '/'
        status = response.status_code
        template = self.template_of(path)
        body = _body(response)
        self.seen.append((method, template or path, status))
        if status >= 500:
            return ['%s %s answered %d' % (method, path, status)]
        operation = (self.doc['paths'].get(template) or {}).get(method.lower()) if template else None
        documented = (operation or {}).get('responses', {}).get(str(status))
        if documented is None:
            where = '%s %s -> %d' % (method, template or path, status)
            # Unknown routes and methods are the framework's answers, in the spec's Error shape.
            if not (status in (404, 405) and operation is None) and not fidelity_allows(method, template or path, status):
                return ['%s is not in the spec and not listed in simulator/fidelity.py' % where]
            if body is _EMPTY:
                return []
            if body is _NOT_JSON:
                return ['%s: body is not JSON' % where]
            if status < 400:
                # A success code the spec spells differently (200 for 201): the body is the documented success body.
                success = [r for code, r in (operation or {}).get('responses', {}).items() if code.startswith('2')]
                schema = next((((r.get('content') or {}).get('application/json') or {}).get('schema') for r in success), None)
                if schema is None:
                    return ['%s: no documented success body to compare with' % where]
                return ['%s: %s' % (where, e.message) for e in self.validator(schema).iter_errors(body)]
            return ['%s: %s' % (where, p) for p in self.error_problems(body)]
        schema = ((documented.get('content') or {}).get('application/json') or {}).get('schema')
        if schema is None:
            if body is not _EMPTY:
                return ['%s %s -> %d: the spec describes no body, got %r' % (method, template, status, response.text[:80])]
            return []
        if body is _EMPTY or body is _NOT_JSON:
            return ['%s %s -> %d: expected a JSON body, got %r' % (method, template, status, response.text[:80])]
        if 'json' not in response.headers.get('Content-Type', ''):
            return ['%s %s -> %d: Content-Type %s' % (method, template, status, response.headers.get('Content-Type'))]
        return ['%s %s -> %d: %s at %s' % (method, template, status, e.message, '/'.join(str(p) for p in e.absolute_path))
                for e in self.validator(schema).iter_errors(body)]


_EMPTY = object()
_NOT_JSON = object()


def _body(response):
    if not response.content:
        return _EMPTY
    try:
        return response.json()
    except ValueError:
        return _NOT_JSON


def load_spec():
    """The checker, or None when ../shared is absent."""
    if not SPEC_PATH.is_file():
        return None
    return VcfSpec(SPEC_PATH)


# -- the checker itself ------------------------------------------------------------------------------------
@pytest.fixture(scope='module')
def spec():
    checker = load_spec()
    if checker is None:
        pytest.skip(NO_SPEC)
    return checker


def test_checker_rejects_what_the_spec_forbids(spec):
    task = {'id': 'x', 'name': 'n', 'status': 'Failed', 'creationTimestamp': '2019-06-20T12:03:18.890Z'}
    assert spec.problems('GET', '/v1/tasks/x', StandIn(200, task)) == []
    assert spec.problems('GET', '/v1/tasks/x', StandIn(200, dict(task, isRetryable='yes')))  # wrong type
    assert spec.problems('GET', '/v1/tasks/x', StandIn(200, dict(task, retryable=True)))  # unknown field
    assert spec.problems('GET', '/v1/tasks/x', StandIn(200, {'name': 'n'}))  # required fields missing
    assert spec.problems('GET', '/v1/tasks', StandIn(500, {}))
    assert spec.problems('PATCH', '/v1/tasks/x', StandIn(200, None)) == []
    assert spec.problems('PATCH', '/v1/tasks/x', StandIn(418, {'message': 'teapot'}))
    assert spec.template_of('/v1/tasks/abc') == '/v1/tasks/{id}'
    assert spec.template_of('/v1/credentials/tasks/abc') == '/v1/credentials/tasks/{id}'


# -- property-based run over the implemented endpoints ------------------------------------------------------
@pytest.fixture(scope='module')
def live(tmp_path_factory, spec):
    from simulator.runner import Simulator  # pylint: disable=import-outside-toplevel
    sim = Simulator(tls=True, data_dir=str(tmp_path_factory.mktemp('vcf-spec'))).start()
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace the simulator's CA
    session.verify = sim.ca_path
    password = sim.users['vcf'][ADMIN]['password']
    pair = session.post(sim.url + '/v1/tokens', json={'username': ADMIN, 'password': password}).json()
    session.headers['Authorization'] = 'Bearer ' + pair['accessToken']
    try:
        yield sim, session, pair['refreshToken']['id']
    finally:
        session.close()
        sim.stop()


def test_property_based_run_finds_no_5xx_and_no_schema_violation(live, spec):
    hypothesis = pytest.importorskip('hypothesis')
    st = pytest.importorskip('hypothesis.strategies')
    sim, session, refresh_id = live
    known_ids = ['9d63e8b9-fa17-4465-912a-69aa1f2a2840', '7a5e0003-5e1f-4c0d-9a11-000000000003',
                 '7a5e0007-5e1f-4c0d-9a11-000000000007', '7a5e0006-5e1f-4c0d-9a11-000000000006',
                 '4d3736c1-7345-4c20-a778-5e46f9715036']
    statuses = ['PENDING', 'Pending', 'IN_PROGRESS', 'In Progress', 'SUCCESSFUL', 'Successful', 'FAILED', 'Failed',
                'CANCELLED', 'Cancelled', 'COMPLETED_WITH_WARNING', 'SKIPPED', 'USER_CANCELLED']
    text = st.text(min_size=0, max_size=12)
    number = st.one_of(st.integers(min_value=-5, max_value=400), st.sampled_from(['', 'x', '1.5', '99999999999']))
    params = st.fixed_dictionaries({}, optional={
        'taskStatus': st.one_of(st.sampled_from(statuses), text), 'taskType': st.one_of(st.sampled_from(['UPGRADE', 'HOST_COMMISSION']), text),
        'taskName': text, 'resourceId': text, 'resourceType': st.sampled_from(['ESXI', 'VCENTER', 'HOST', 'x']),
        'completedAfter': number, 'pageNumber': number, 'pageSize': number, 'limit': number,
        'orderBy': st.sampled_from(['creationTimestamp', 'name', 'status', 'completionTimestamp', 'bogus']),
        'orderDirection': st.sampled_from(['ASC', 'DESC', 'asc', 'sideways'])})
    task_id = st.one_of(st.sampled_from(known_ids), text.filter(lambda s: s not in ('.', '..')))
    body = st.one_of(st.none(), text, st.dictionaries(st.sampled_from(['username', 'password', 'operationType', 'elements', 'id']),
                                                      st.one_of(text, st.lists(text, max_size=2), st.integers())))
    request = st.one_of(
        st.tuples(st.just('GET'), st.sampled_from(['/v1/tasks', '/v1/credentials/tasks']), params, st.none()),
        st.tuples(st.sampled_from(['GET', 'PATCH', 'DELETE']), task_id.map(lambda i: '/v1/tasks/' + urllib.parse.quote(i, safe='')),
                  st.just({}), st.none()),
        st.tuples(st.sampled_from(['GET', 'PATCH', 'DELETE']),
                  task_id.map(lambda i: '/v1/credentials/tasks/' + urllib.parse.quote(i, safe='')), st.just({}), body),
        st.tuples(st.just('GET'), task_id.map(lambda i: '/v1/credentials/tasks/%s/resource-credentials' % urllib.parse.quote(i, safe='')),
                  st.just({}), st.none()),
        st.tuples(st.just('POST'), st.just('/v1/tokens'), st.just({}), body),
        st.tuples(st.just('DELETE'), st.just('/v1/tokens/refresh-token'), st.just({}), body),
        st.tuples(st.just('PATCH'), st.just('/v1/tokens/access-token/refresh'), st.just({}),
                  st.one_of(st.just(refresh_id), body)),
    )
    problems = []

    @hypothesis.settings(max_examples=150, deadline=None, database=None, derandomize=True,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(request)
    def check(call):
        method, path, query, payload = call
        kwargs = {'params': query}
        if payload is not None:
            kwargs['data'] = json.dumps(payload)
            kwargs['headers'] = {'Content-Type': 'application/json'}
        response = session.request(method, sim.url + path, **kwargs)
        found = spec.problems(method, path, response)
        if found:
            problems.append((method, path, query, payload, found))
        assert not found, found

    check()
    assert not problems
