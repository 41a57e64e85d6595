# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blind audit of vRO typed inputs and outputs (part 23, types): a small fake vRO written from public evidence only,
run against the real modules through real playbooks.

Evidence for each reading the fake plays (nothing here was taken from our simulator):
- vRO 8.18.1 OpenAPI (/work/shared/specs): ``WsParameter``/``Value`` (string, number as a double, boolean,
  secure-string with ``fallback``/``plainText``, encrypted-string, date as ``date-time``, regex, array ``elements``,
  properties holding a ``properties`` list of ``KeyValuePair``, composite ``CompositeObjectValue`` of
  ``composite-value``, sdk-object ``type``/``id``/``displayValue`` (XML name ``display-value``)/``href``,
  mime-attachment ``name``/``mime-type``/``mime-content``); execution ``inputParameters``/``outputParameters``
  (XML names ``input-parameters``/``output-parameters``).
- vaquero-io/vcoworkflows ``spec/vcoworkflows/workflowtoken_spec.rb``: a captured 7.x run, ``start-date`` as epoch
  milliseconds, ``number`` echoed as ``326.0``, ``Array/string`` as ``{"array":{"elements":[...]}}``.
- A public PowerShell upload script (found by ``"mime-attachment"``) sends ``{"mime-attachment":{"name","mime-type",
  "content"}}``: the ``content`` spelling.
- A public TypeScript vRO client (``fromWire``): arrays as ``elements`` or ``element`` (one element not in a list),
  properties as ``property`` or ``properties`` or a bare list, composite fields as ``property`` or
  ``CompositeObjectValue``, sdk-object ``displayValue`` or ``display-value``, values carrying ``objectType`` beside
  the kind key; another one notes "Shapes verified on vRO 8.18.1": ``{"sdk-object":{"type","href","id"}}``.
- API-NOTES.md, encoding table: ``{"properties":{"property":[{"key","value"}]}}`` (accept ``properties`` too),
  composite ``{"composite":{"type","property":[{"id","value"}]}}``, dates ISO on 8.x and epoch ms on old servers.
"""

from __future__ import annotations

import base64
import datetime
import json
import re
import threading
import uuid

import pytest

from _harness import FakeRequest, LocalHttpServer, run_playbook, write_playbook

WF_ID = '0b1d7e55-7a9e-4d1c-8e3b-000000000023'
WF_NAME = 'Blind typed echo'
USER = 'blind-admin'
PASSWORD = 'Blind-Pa55word-23'
SECRET_IN = 'Sekr1t-Input-Value-23'
SECRET_OUT = 'Sekr1t-Output-Value-23'
SECRET_DEEP = 'Sekr1t-Deep-Value-23'
PNG = (b'\x89PNG\r\n\x1a\n' + b'\x00\x00\x00\rIHDR' + b'\x00' * 17
       + b'\x00\x00\x00\x00IEND\xaeB`\x82')

COMPOSITE = 'CompositeType(host:string,port:number,tags:Array/string):Endpoint'

INPUT_DEFS = [
    ('str', 'string'), ('num', 'number'), ('flag', 'boolean'), ('secret', 'SecureString'),
    ('encrypted', 'EncryptedString'), ('when', 'Date'), ('pattern', 'Regexp'), ('tags', 'Array/string'),
    ('matrix', 'Array/Array/string'), ('props', 'Properties'), ('endpoint', COMPOSITE),
    ('vm', 'VC:VirtualMachine'), ('vms', 'Array/VC:VirtualMachine'), ('attachment', 'MimeAttachment'),
    ('anything', 'Any'),
]
OUTPUT_DEFS = [
    ('o_str', 'string'), ('o_num', 'number'), ('o_frac', 'number'), ('o_flag', 'boolean'), ('o_secret', 'SecureString'),
    ('o_enc', 'EncryptedString'), ('o_date_iso', 'Date'), ('o_date_ms', 'Date'), ('o_date_offset', 'Date'),
    ('o_regex', 'Regexp'), ('o_matrix', 'Array/Array/string'), ('o_props', 'Properties'), ('o_comp', COMPOSITE),
    ('o_vm', 'VC:VirtualMachine'), ('o_mime', 'MimeAttachment'), ('o_any', 'Any'), ('o_null', 'string'),
    ('o_novalue', 'string'), ('o_empty', 'string'), ('o_unknown', 'Properties'),
]


def sv(kind, value):
    return {kind: {'value': value}}


def standard_outputs():
    """Output parameters in the reading of API-NOTES and the captured 7.x run (8.x field spellings)."""
    values = {
        'o_str': sv('string', 'hello'),
        'o_num': sv('number', 20.0),
        'o_frac': sv('number', 2.5),
        'o_flag': sv('boolean', False),
        'o_secret': sv('secure-string', SECRET_OUT),
        'o_enc': sv('encrypted-string', 'ENC(abc==)'),
        'o_date_iso': sv('date', '2026-01-31T10:00:00.000Z'),
        'o_date_ms': sv('date', 1769853600000),
        'o_date_offset': sv('date', '2026-01-31T11:00:00.000+01:00'),
        'o_regex': sv('regex', '^web[0-9]+$'),
        'o_matrix': {'array': {'elements': [{'array': {'elements': [sv('string', 'a'), sv('string', 'b')]}},
                                            {'array': {'elements': []}}]}},
        'o_props': {'properties': {'property': [
            {'key': 'env', 'value': sv('string', 'prod')},
            {'key': 'tier', 'value': sv('number', 2.0)},
            {'key': 'nested', 'value': {'properties': {'property': [
                {'key': 'deep', 'value': sv('boolean', True)},
                {'key': 'list', 'value': {'array': {'elements': [sv('number', 1.0), sv('string', 'x')]}}}]}}}]}},
        'o_comp': {'composite': {'type': COMPOSITE, 'property': [
            {'id': 'host', 'value': sv('string', 'api.example.com')},
            {'id': 'port', 'value': sv('number', 8443.0)},
            {'id': 'tags', 'value': {'array': {'elements': [sv('string', 't1')]}}}]}},
        'o_vm': {'sdk-object': {'type': 'VC:VirtualMachine', 'id': 'vc01.example.com/vm-42',
                                'href': 'https://vro.example.com/vco/api/catalog/VC/VirtualMachine/vc01.example.com%2Fvm-42/'}},
        'o_mime': {'mime-attachment': {'name': 'r.csv', 'mime-type': 'text/csv',
                                       'mime-content': base64.b64encode(b'id,name\n1,web01\n').decode()}},
        'o_any': sv('string', 'anything'),
        'o_null': None,
        'o_novalue': 'ABSENT',
        'o_empty': sv('string', ''),
        'o_unknown': {'attribute-reference': {'config-id': 'c1', 'config-key': 'k'}},
    }
    return values


class FakeVro(FakeRequest):
    """A vRO 8 as the evidence allows; class attributes are the per-test knobs and records."""

    lock = threading.Lock()
    posts = []            # bodies of every POST .../executions
    requests_seen = []    # (method, path)
    runs = {}             # execution id -> execution body
    outputs = {}          # name -> value (or 'ABSENT') for the next run
    params_key = ('input-parameters', 'output-parameters')
    echo_secret_inputs = True   # a server may echo a SecureString input in clear
    date_style = 'iso'          # start-date / end-date: iso or ms
    input_defs = INPUT_DEFS
    output_defs = OUTPUT_DEFS

    def respond(self):
        if self.command == 'GET':
            return self._get()
        if self.command == 'POST':
            return self._post()
        return self.send_error(501, 'Unsupported method (%r)' % self.command)  # as BaseHTTPRequestHandler answers

    def _base(self):
        return 'http://%s' % self.headers.get('Host')

    def _definition(self):
        base = self._base()
        return {
            'id': WF_ID, 'name': WF_NAME, 'version': '1.0.0', 'description': 'echo', 'href': '%s/vco/api/workflows/%s/' % (base, WF_ID),
            self.params_key[0]: [{'name': n, 'type': t, 'description': n} for n, t in self.input_defs],
            self.params_key[1]: [{'name': n, 'type': t, 'description': n} for n, t in self.output_defs],
        }

    def _date(self, when):
        if self.date_style == 'ms':
            return int(when.timestamp() * 1000)
        return when.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (when.microsecond // 1000)

    def _get(self):
        with self.lock:
            self.requests_seen.append(('GET', self.path))
        path = self.path.split('?')[0].rstrip('/')
        if path.endswith('/vco/api/about'):
            return self.send(200, {'version': '8.18.1.24000', 'build-number': '24000', 'api-version': '8.18.1'})
        if path.endswith('/vco/api/workflows'):
            link = {'href': '%s/vco/api/workflows/%s/' % (self._base(), WF_ID), 'rel': 'down',
                    'attributes': [{'name': 'id', 'value': WF_ID}, {'name': 'name', 'value': WF_NAME},
                                   {'name': 'categoryName', 'value': 'Blind'}]}
            return self.send(200, {'link': [link], 'total': 1})
        if path.endswith('/workflows/%s' % WF_ID):
            return self.send(200, self._definition())
        if path.endswith('/workflows/%s/schema' % WF_ID):
            return self.send(200, PNG, content_type='image/png')
        m = re.search(r'/workflows/%s/executions/([^/]+)(/state|/logs|/syslogs)?$' % WF_ID, path)
        if m:
            run = self.runs.get(m.group(1))
            if run is None:
                return self.send(404, {'status': 404, 'message': 'no such run'})
            if m.group(2) == '/state':
                return self.send(200, {'value': run['state']})
            if m.group(2) in ('/logs', '/syslogs'):
                return self.send(200, {'logs': []})
            return self.send(200, run)
        if path.endswith('/workflows/%s/executions' % WF_ID):
            return self.send(200, {'relations': {'total': 0, 'link': []}})
        return self.send(404, {'status': 404, 'message': 'not found: %s' % path})

    def _post(self):
        with self.lock:
            self.requests_seen.append(('POST', self.path))
        path = self.path.split('?')[0].rstrip('/')
        if not path.endswith('/workflows/%s/executions' % WF_ID):
            return self.send(404, {'status': 404, 'message': 'not found'})
        body = json.loads(self.raw or b'{}')
        with self.lock:
            self.posts.append(body)
        eid = uuid.uuid4().hex
        now = datetime.datetime.now(datetime.timezone.utc)
        echoed = []
        for param in body.get('parameters') or []:
            param = json.loads(json.dumps(param))
            if not self.echo_secret_inputs and 'secure-string' in (param.get('value') or {}):
                param['value'] = {'secure-string': {}}
            echoed.append(param)
        outs = []
        for name, typ in self.output_defs:
            value = self.outputs.get(name, 'ABSENT')
            entry = {'name': name, 'type': typ, 'scope': 'local'}
            if value != 'ABSENT':
                entry['value'] = value
            outs.append(entry)
        self.runs[eid] = {
            'id': eid, 'name': WF_NAME, 'state': 'completed', 'href': '%s/vco/api/workflows/%s/executions/%s/' % (self._base(), WF_ID, eid),
            'start-date': self._date(now), 'end-date': self._date(now), 'started-by': USER,
            self.params_key[0]: echoed, self.params_key[1]: outs,
        }
        return self.send(202, None, headers={'Location': '%s/vco/api/workflows/%s/executions/%s/' % (self._base(), WF_ID, eid)})


@pytest.fixture
def vro():
    FakeVro.posts = []
    FakeVro.requests_seen = []
    FakeVro.runs = {}
    FakeVro.outputs = standard_outputs()
    FakeVro.params_key = ('input-parameters', 'output-parameters')
    FakeVro.echo_secret_inputs = True
    FakeVro.date_style = 'iso'
    FakeVro.input_defs = INPUT_DEFS
    FakeVro.output_defs = OUTPUT_DEFS
    with LocalHttpServer(FakeVro) as server:
        yield server


def env_for(server):
    return {'VRO_URL': server.url, 'VRO_USERNAME': USER, 'VRO_PASSWORD': PASSWORD, 'VRO_AUTH': 'basic'}


ALL_INPUTS = {
    'str': 'web01', 'num': 3, 'flag': True, 'secret': SECRET_IN, 'encrypted': 'ENC(abc==)',
    'when': '2026-01-31T11:00:00+01:00', 'pattern': '^web[0-9]+$', 'tags': ['a', 'b'],
    'matrix': [['a', 'b'], []], 'props': {'env': 'prod', 'tier': 2, 'nested': {'deep': True, 'list': [1, 'x']}},
    'endpoint': {'host': 'api.example.com', 'port': 8443, 'tags': ['t1']},
    'vm': 'vc01.example.com/vm-42', 'vms': ['vc01/vm-1', {'type': 'VC:VirtualMachine', 'id': 'vc01/vm-2'}],
    'attachment': {'name': 'r.csv', 'mime_type': 'text/csv', 'content': 'id,name\n1,web01\n'},
    'anything': {'k': [1, 2.5, 'z']},
}


def play(tmp_path, module, args, name='it'):
    return write_playbook(tmp_path, 'blind_types', [{'name': name, 'cloudops.orchestrator.%s' % module: args}], ignore_errors=True)


def by_name(params):
    return {p['name']: p for p in params}


def run_all(vro, tmp_path, extra=None, check=False):
    args = {'workflow_id': WF_ID, 'inputs': ALL_INPUTS, 'poll_interval': 0.2}
    args.update(extra or {})
    res = run_playbook(play(tmp_path, 'vro_workflow_run', args), env=env_for(vro), check=check, verbosity=3)
    return res, res.record('it')


def assert_no_secret(res, *secrets):
    text = res.stdout + res.stderr + json.dumps(res.results) + res.module_log
    for secret in secrets:
        assert secret not in text, 'secret %r leaked' % secret


# ---------------------------------------------------------------------------------------------------------------
# Inputs: encoding of plain YAML as a real server expects it


def test_inputs_are_encoded_as_the_wire_format(vro, tmp_path):
    res, record = run_all(vro, tmp_path)
    assert record['status'] == 'ok', record['result'].get('msg')
    assert len(FakeVro.posts) == 1
    sent = by_name(FakeVro.posts[0]['parameters'])
    assert set(sent) == set(ALL_INPUTS)
    for name, typ in INPUT_DEFS:
        assert sent[name]['type'] == typ, sent[name]
        assert sent[name].get('scope', 'local') == 'local'
    assert sent['str']['value'] == sv('string', 'web01')
    assert sent['num']['value'] == sv('number', 3)
    assert sent['flag']['value'] == sv('boolean', True)
    assert sent['secret']['value'] == sv('secure-string', SECRET_IN)
    assert sent['encrypted']['value'] == sv('encrypted-string', 'ENC(abc==)')
    assert sent['when']['value'] == sv('date', '2026-01-31T10:00:00.000Z')
    assert sent['pattern']['value'] == sv('regex', '^web[0-9]+$')
    assert sent['tags']['value'] == {'array': {'elements': [sv('string', 'a'), sv('string', 'b')]}}
    assert sent['matrix']['value'] == {'array': {'elements': [
        {'array': {'elements': [sv('string', 'a'), sv('string', 'b')]}}, {'array': {'elements': []}}]}}
    props = sent['props']['value']['properties']['property']
    assert {p['key']: p['value'] for p in props} == {
        'env': sv('string', 'prod'), 'tier': sv('number', 2),
        'nested': {'properties': {'property': [
            {'key': 'deep', 'value': sv('boolean', True)},
            {'key': 'list', 'value': {'array': {'elements': [sv('number', 1), sv('string', 'x')]}}}]}}}
    comp = sent['endpoint']['value']['composite']
    assert comp['type'] == COMPOSITE
    assert {p['id']: p['value'] for p in comp['property']} == {
        'host': sv('string', 'api.example.com'), 'port': sv('number', 8443),
        'tags': {'array': {'elements': [sv('string', 't1')]}}}
    assert sent['vm']['value'] == {'sdk-object': {'type': 'VC:VirtualMachine', 'id': 'vc01.example.com/vm-42'}}
    assert sent['vms']['value'] == {'array': {'elements': [
        {'sdk-object': {'type': 'VC:VirtualMachine', 'id': 'vc01/vm-1'}},
        {'sdk-object': {'type': 'VC:VirtualMachine', 'id': 'vc01/vm-2'}}]}}
    mime = sent['attachment']['value']['mime-attachment']
    assert mime['name'] == 'r.csv' and mime['mime-type'] == 'text/csv'
    assert base64.b64decode(mime['mime-content']) == b'id,name\n1,web01\n'
    anything = sent['anything']['value']['properties']['property']
    assert anything == [{'key': 'k', 'value': {'array': {'elements': [sv('number', 1), sv('number', 2.5), sv('string', 'z')]}}}]
    result = record['result']
    # The run's echoed inputs decode back to what was given (secret masked).
    assert result['inputs']['secret'] == '********'
    assert result['inputs']['when'].startswith('2026-01-31T10:00:00')
    assert result['inputs']['matrix'] == [['a', 'b'], []]
    assert result['inputs']['props'] == {'env': 'prod', 'tier': 2, 'nested': {'deep': True, 'list': [1, 'x']}}
    assert result['inputs']['endpoint'] == {'host': 'api.example.com', 'port': 8443, 'tags': ['t1']}
    assert_no_secret(res, SECRET_IN, SECRET_OUT, PASSWORD)


# ---------------------------------------------------------------------------------------------------------------
# Outputs: decoding, lossless, in every spelling the evidence allows


def expected_outputs():
    return {
        'o_str': 'hello', 'o_num': 20, 'o_frac': 2.5, 'o_flag': False, 'o_secret': '********', 'o_enc': 'ENC(abc==)',
        'o_regex': '^web[0-9]+$', 'o_matrix': [['a', 'b'], []],
        'o_props': {'env': 'prod', 'tier': 2, 'nested': {'deep': True, 'list': [1, 'x']}},
        'o_comp': {'host': 'api.example.com', 'port': 8443, 'tags': ['t1']},
        'o_any': 'anything', 'o_null': None, 'o_novalue': None, 'o_empty': '',
    }


def check_outputs(outputs):
    for key, value in expected_outputs().items():
        assert outputs.get(key, 'MISSING') == value, (key, outputs.get(key, 'MISSING'))
    for key in ('o_date_iso', 'o_date_ms', 'o_date_offset'):
        assert isinstance(outputs[key], str) and outputs[key].startswith('2026-01-31T10:00:00') and outputs[key].endswith('Z'), \
            (key, outputs[key])
    assert outputs['o_vm']['type'] == 'VC:VirtualMachine' and outputs['o_vm']['id'] == 'vc01.example.com/vm-42', outputs['o_vm']
    mime = outputs['o_mime']
    assert mime['name'] == 'r.csv' and mime['mime_type'] == 'text/csv', mime
    assert mime.get('content') == 'id,name\n1,web01\n' or base64.b64decode(mime.get('content_base64', '')) == b'id,name\n1,web01\n', mime
    assert 'o_unknown' in outputs, outputs


def test_outputs_decode_losslessly(vro, tmp_path):
    res, record = run_all(vro, tmp_path)
    assert record['status'] == 'ok', record['result'].get('msg')
    check_outputs(record['result']['outputs'])
    raw = by_name(record['result']['outputs_raw'])
    assert SECRET_OUT not in json.dumps(raw)
    assert_no_secret(res, SECRET_IN, SECRET_OUT, PASSWORD)


def spec_spelled(outputs):
    """The same values in the spec's spellings: properties lists named ``properties``, composite fields as
    ``CompositeObjectValue`` of ``composite-value`` wrappers, sdk-object ``display-value``."""
    def convert(value):
        if not isinstance(value, dict):
            return value
        if 'properties' in value:
            return {'properties': {'properties': [{'key': p['key'], 'value': convert(p['value'])}
                                                  for p in value['properties']['property']]}}
        if 'array' in value:
            return {'array': {'elements': [convert(e) for e in value['array']['elements']]}}
        if 'composite' in value:
            return {'composite': {'type': value['composite']['type'], 'CompositeObjectValue': [
                {'composite-value': {'id': p['id'], 'value': convert(p['value'])}} for p in value['composite']['property']]}}
        if 'sdk-object' in value:
            return {'sdk-object': dict(value['sdk-object'], **{'display-value': 'vm-42 (web01)'})}
        return value
    return {k: convert(v) for k, v in outputs.items()}


def objecttyped(outputs):
    """Values carrying the spec's read-only ``objectType`` beside their kind key, and a one-element array given as a
    bare object under ``element`` (an XML-to-JSON artifact one public client tolerates)."""
    def convert(value):
        if not isinstance(value, dict) or value == {}:
            return value
        kind = next(iter(value))
        if kind == 'array':
            elements = [convert(e) for e in value['array']['elements']]
            return {'objectType': 'array', 'array': {'elements': elements}}
        if kind == 'properties':
            return {'objectType': 'properties', 'properties': {'property': [
                {'key': p['key'], 'value': convert(p['value'])} for p in value['properties']['property']]}}
        return {'objectType': kind, kind: value[kind]}
    return {k: convert(v) for k, v in outputs.items()}


@pytest.mark.parametrize('reading', ['spec-keys', 'spec-values', 'objecttype', 'epoch-dates'])
def test_outputs_decode_in_every_spelling(vro, tmp_path, reading):
    if reading == 'spec-keys':
        FakeVro.params_key = ('inputParameters', 'outputParameters')
    elif reading == 'spec-values':
        FakeVro.outputs = spec_spelled(standard_outputs())
    elif reading == 'objecttype':
        FakeVro.outputs = objecttyped(standard_outputs())
    else:
        FakeVro.date_style = 'ms'
        outs = standard_outputs()
        outs['o_date_iso'] = sv('date', '1769853600000')
        FakeVro.outputs = outs
    res, record = run_all(vro, tmp_path)
    assert record['status'] == 'ok', record['result'].get('msg')
    result = record['result']
    check_outputs(result['outputs'])
    # The decoded SDK object is {type, id} as documented (the display value stays in outputs_raw): a run's echoed
    # inputs decode the same way, and reuse compares them with the inputs given.
    if reading == 'spec-values':
        assert by_name(result['outputs_raw'])['o_vm']['value']['sdk-object']['display-value'] == 'vm-42 (web01)'
    assert result['start_date'].endswith('Z')
    assert_no_secret(res, SECRET_IN, SECRET_OUT, PASSWORD)


# ---------------------------------------------------------------------------------------------------------------
# Secrets hidden in types and kinds


def test_secure_values_stay_masked_whatever_their_place(vro, tmp_path):
    """A SecureString output sent with the ``string`` kind, SecureString elements of an array, a ``secure-string``
    value inside Properties or a composite: none of them may come out."""
    FakeVro.output_defs = [('o_secret_as_string', 'SecureString'), ('o_secret_array', 'Array/SecureString'),
                           ('o_props_secret', 'Properties'), ('o_comp_secret', 'CompositeType(user:string,pw:SecureString):Cred'),
                           ('o_any_secret', 'Any'), ('o_array_as_string', 'Array/SecureString')]
    FakeVro.outputs = {
        'o_secret_as_string': sv('string', SECRET_OUT),
        'o_secret_array': {'array': {'elements': [sv('secure-string', SECRET_DEEP)]}},
        'o_props_secret': {'properties': {'property': [{'key': 'pw', 'value': sv('secure-string', SECRET_DEEP + 'P')}]}},
        'o_comp_secret': {'composite': {'type': 'CompositeType(user:string,pw:SecureString):Cred', 'property': [
            {'id': 'user', 'value': sv('string', 'alice')}, {'id': 'pw', 'value': sv('string', SECRET_DEEP + 'C')}]}},
        'o_any_secret': sv('secure-string', SECRET_DEEP + 'A'),
        'o_array_as_string': {'array': {'elements': [sv('string', SECRET_DEEP + 'S')]}},
    }
    res, record = run_all(vro, tmp_path)
    assert record['status'] == 'ok', record['result'].get('msg')
    outs = record['result']['outputs']
    assert outs['o_secret_as_string'] == '********', outs
    assert outs['o_comp_secret']['user'] == 'alice', outs
    assert_no_secret(res, SECRET_IN, SECRET_OUT, SECRET_DEEP, PASSWORD)


def test_execution_info_reads_a_run_with_every_type(vro, tmp_path):
    res, record = run_all(vro, tmp_path, extra={'wait': False})
    assert record['status'] == 'ok', record['result'].get('msg')
    eid = list(FakeVro.runs)[0]
    res = run_playbook(play(tmp_path, 'vro_execution_info', {'workflow_id': WF_ID, 'execution_id': eid}), env=env_for(vro),
                       verbosity=3)
    result = res.record('it')['result']
    assert res.record('it')['status'] == 'ok', result.get('msg')
    check_outputs(result['outputs'])
    assert result['inputs']['secret'] == '********'
    assert result['inputs']['vm'] == {'type': 'VC:VirtualMachine', 'id': 'vc01.example.com/vm-42'} or \
        result['inputs']['vm']['id'] == 'vc01.example.com/vm-42'
    assert_no_secret(res, SECRET_IN, SECRET_OUT, PASSWORD)


# ---------------------------------------------------------------------------------------------------------------
# Unsupported types and bad values: one clear line, nothing started


@pytest.mark.parametrize('typ,value', [
    ('Array/Any', [1]),
    ('ResourceElement', 'x'),
    ('Text', 'x'),
])
def test_inputs_of_unusual_types(vro, tmp_path, typ, value):
    FakeVro.input_defs = [('x', typ)]
    args = {'workflow_id': WF_ID, 'inputs': {'x': value}, 'poll_interval': 0.2}
    res = run_playbook(play(tmp_path, 'vro_workflow_run', args), env=env_for(vro))
    record = res.record('it')
    msg = record['result'].get('msg', '')
    if typ == 'Array/Any':
        assert record['status'] == 'ok', msg
        assert FakeVro.posts[0]['parameters'][0]['value'] == {'array': {'elements': [sv('number', 1)]}}
    else:
        assert record['status'] == 'ignored', record['result']
        assert "input 'x' has type '%s'" % typ in msg and 'raw_inputs' in msg and '\n' not in msg.strip(), msg
        assert FakeVro.posts == []


@pytest.mark.parametrize('name,value,needle', [
    ('num', 'twenty', 'num'),
    ('flag', 'maybe', 'flag'),
    ('when', 'not a date', 'when'),
    ('tags', 'a', 'tags'),
    ('endpoint', {'host': 'h', 'nope': 1}, 'endpoint'),
    ('attachment', {'name': 'a'}, 'attachment'),
    ('num', float('inf'), 'num'),
])
def test_bad_values_fail_before_starting(vro, tmp_path, name, value, needle):
    args = {'workflow_id': WF_ID, 'inputs': {name: value}, 'poll_interval': 0.2}
    res = run_playbook(play(tmp_path, 'vro_workflow_run', args), env=env_for(vro))
    record = res.record('it')
    msg = record['result'].get('msg', '')
    assert record['status'] == 'ignored', record['result']
    assert needle in msg and '\n' not in msg.strip(), msg
    assert FakeVro.posts == []


# ---------------------------------------------------------------------------------------------------------------
# workflow_info and workflow_schema


def test_workflow_info_examples_for_every_type(vro, tmp_path):
    res = run_playbook(play(tmp_path, 'vro_workflow_info', {'workflow_id': WF_ID}), env=env_for(vro))
    record = res.record('it')
    assert record['status'] == 'ok', record['result'].get('msg')
    result = record['result']
    example = result['example_inputs']
    assert set(example) == {n for n, t in INPUT_DEFS}
    assert example['matrix'] in ([['']], [[]]), example['matrix']
    assert example['endpoint'] == {'host': '', 'port': 0, 'tags': ['']} or set(example['endpoint']) == {'host', 'port', 'tags'}
    assert [p['name'] for p in result['workflow']['input_parameters']] == [n for n, t in INPUT_DEFS]
    # The examples, given back, run.
    args = {'workflow_id': WF_ID, 'inputs': {k: v for k, v in example.items() if v is not None}, 'poll_interval': 0.2}
    res = run_playbook(play(tmp_path, 'vro_workflow_run', args, name='again'), env=env_for(vro))
    assert res.record('again')['status'] == 'ok', res.record('again')['result'].get('msg')


def test_workflow_info_with_spec_keys(vro, tmp_path):
    FakeVro.params_key = ('inputParameters', 'outputParameters')
    res = run_playbook(play(tmp_path, 'vro_workflow_info', {'workflow_id': WF_ID}), env=env_for(vro))
    record = res.record('it')
    assert record['status'] == 'ok', record['result'].get('msg')
    assert [p['name'] for p in record['result']['workflow']['input_parameters']] == [n for n, t in INPUT_DEFS]


def test_workflow_schema_downloads(vro, tmp_path):
    dest = tmp_path / 'schema.png'
    res = run_playbook(play(tmp_path, 'vro_workflow_schema', {'workflow_id': WF_ID, 'dest': str(dest)}), env=env_for(vro))
    record = res.record('it')
    assert record['status'] == 'ok', record['result'].get('msg')
    assert dest.read_bytes() == PNG


def test_one_element_lists_given_as_a_bare_object(vro, tmp_path):
    """An array whose one element comes as an object under ``element``, a Properties list with one entry given as an
    object (XML-to-JSON artifacts a public client tolerates): the run completed, so the read must not fail."""
    FakeVro.output_defs = [('o_arr', 'Array/string'), ('o_props', 'Properties'), ('o_secrets', 'Array/SecureString'),
                           ('o_secret_kind', 'Array/string')]
    FakeVro.outputs = {'o_arr': {'array': {'element': sv('string', 'only')}},
                       'o_props': {'properties': {'property': {'key': 'k', 'value': sv('string', 'v')}}},
                       'o_secrets': {'array': {'elements': sv('string', SECRET_DEEP + 'B')}},
                       'o_secret_kind': {'array': {'element': sv('secure-string', SECRET_DEEP + 'K')}}}
    res, record = run_all(vro, tmp_path)
    result = record['result']
    assert record['status'] == 'ok', result.get('msg')
    assert result['outputs'] == {'o_arr': ['only'], 'o_props': {'k': 'v'}, 'o_secrets': ['********'],
                                 'o_secret_kind': ['********']}
    assert_no_secret(res, SECRET_IN, SECRET_DEEP, PASSWORD)


def test_nulls_and_containers_of_containers(vro, tmp_path):
    FakeVro.input_defs = [('props', 'Properties'), ('arr', 'Array/string'), ('plist', 'Array/Properties'),
                          ('clist', 'Array/CompositeType(a:string,b:number):AB'), ('any', 'Any')]
    args = {'workflow_id': WF_ID, 'poll_interval': 0.2,
            'inputs': {'props': {'a': None, 'b': 'x'}, 'arr': ['x'], 'plist': [{'k': 1}], 'clist': [{'a': 'x', 'b': 2}],
                       'any': [1, {'k': None}]}}
    res = run_playbook(play(tmp_path, 'vro_workflow_run', args), env=env_for(vro))
    record = res.record('it')
    assert record['status'] == 'ok', record['result'].get('msg')
    sent = by_name(FakeVro.posts[0]['parameters'])
    # A null Properties value is left out, as a null input is.
    assert sent['props']['value'] == {'properties': {'property': [{'key': 'b', 'value': sv('string', 'x')}]}}
    assert sent['plist']['value'] == {'array': {'elements': [
        {'properties': {'property': [{'key': 'k', 'value': sv('number', 1)}]}}]}}
    assert sent['clist']['value']['array']['elements'][0]['composite']['property'] == [
        {'id': 'a', 'value': sv('string', 'x')}, {'id': 'b', 'value': sv('number', 2)}]


def test_nulls_inside_outputs_are_read_as_null(vro, tmp_path):
    """A completed run's outputs holding null inside containers (a Properties entry whose value is null, absent or
    an empty object, an array element that is null or a value with no ``value``, a composite field with none) read
    as null in place: the 8.18 spec requires neither ``KeyValuePair.value`` nor a kind's ``value``, and null is a
    value in YAML. Nothing is dropped, nothing fails."""
    FakeVro.output_defs = [('o_props', 'Properties'), ('o_arr', 'Array/string'), ('o_any', 'Any'),
                           ('o_comp', 'CompositeType(a:string,b:number):AB')]
    FakeVro.outputs = {
        'o_props': {'properties': {'property': [{'key': 'none', 'value': None}, {'key': 'absent'},
                                                {'key': 'empty', 'value': {}}, {'key': 'k', 'value': sv('string', 'v')}]}},
        'o_arr': {'array': {'elements': [None, sv('string', 'x'), {'string': {}}, {}]}},
        'o_any': {'array': {'elements': [{'properties': {'property': [{'key': 'n', 'value': None}]}}, None]}},
        'o_comp': {'composite': {'type': 'CompositeType(a:string,b:number):AB',
                                 'property': [{'id': 'a', 'value': None}, {'id': 'b'}]}},
    }
    res, record = run_all(vro, tmp_path)
    result = record['result']
    assert record['status'] == 'ok', result.get('msg')
    assert result['outputs'] == {'o_props': {'none': None, 'absent': None, 'empty': None, 'k': 'v'},
                                 'o_arr': [None, 'x', None, None], 'o_any': [{'n': None}, None],
                                 'o_comp': {'a': None, 'b': None}}, result['outputs']
    eid = list(FakeVro.runs)[0]
    res = run_playbook(play(tmp_path, 'vro_execution_info', {'workflow_id': WF_ID, 'execution_id': eid}, name='info'),
                       env=env_for(vro), verbosity=3)
    assert res.record('info')['status'] == 'ok', res.record('info')['result'].get('msg')
    assert res.record('info')['result']['outputs'] == result['outputs']


@pytest.mark.parametrize('name,typ,value,path', [
    ('arr', 'Array/string', ['x', None], 'arr[1]'),
    ('any', 'Any', [{'k': None}, None], 'any[1]'),
    ('matrix', 'Array/Array/string', [['a', None]], 'matrix[0][1]'),
])
def test_null_list_elements_given_back_say_what_to_do(vro, tmp_path, name, typ, value, path):
    """Outputs read with a null element (test_nulls_inside_outputs_are_read_as_null), given back as an input: a null
    Properties value or input is left out, an element cannot be, so one line says how to send it, nothing started."""
    FakeVro.input_defs = [(name, typ), ('props', 'Properties')]
    args = {'workflow_id': WF_ID, 'inputs': {name: value, 'props': {'gone': None, 'kept': 'x'}}, 'poll_interval': 0.2}
    res = run_playbook(play(tmp_path, 'vro_workflow_run', args), env=env_for(vro))
    record = res.record('it')
    msg = record['result'].get('msg', '')
    assert record['status'] == 'ignored', record['result']
    assert "input '%s' is null" % path in msg and 'remove it' in msg and 'raw_inputs' in msg, msg
    assert '\n' not in msg.strip(), msg
    assert FakeVro.posts == []


def test_a_null_list_element_sent_as_the_message_says(vro, tmp_path):
    FakeVro.input_defs = [('arr', 'Array/string')]
    value = {'array': {'elements': [sv('string', 'x'), {'string': {}}]}}
    args = {'workflow_id': WF_ID, 'raw_inputs': [{'name': 'arr', 'value': value}], 'poll_interval': 0.2}
    res = run_playbook(play(tmp_path, 'vro_workflow_run', args), env=env_for(vro))
    record = res.record('it')
    assert record['status'] == 'ok', record['result'].get('msg')
    assert by_name(FakeVro.posts[0]['parameters'])['arr']['value'] == value
    assert record['result']['inputs']['arr'] == ['x', None]
