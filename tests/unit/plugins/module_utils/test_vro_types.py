# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for the vRO parameter encoder/decoder (plain YAML <-> typed vRO JSON)."""

from __future__ import annotations

import base64
import datetime
import json
import os

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import (
    SECRET_MASK, decode_date, decode_parameters, decode_value, mask_parameters, parameter_list,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.inputs import comparable_inputs, same_inputs
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.encode import EncodeError, encode_parameters, encode_value
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.inputs import parse_type

FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')

DISK = 'CompositeType(label:string,sizeGb:number):Disk'

# A declaration with every type of the API notes (the shape of `Echo typed inputs`).
DECLARED = [
    {'name': 'text', 'type': 'string'},
    {'name': 'count', 'type': 'number'},
    {'name': 'ratio', 'type': 'number'},
    {'name': 'enabled', 'type': 'boolean'},
    {'name': 'secret', 'type': 'SecureString'},
    {'name': 'cipher', 'type': 'EncryptedString'},
    {'name': 'when', 'type': 'Date'},
    {'name': 'pattern', 'type': 'Regexp'},
    {'name': 'names', 'type': 'Array/string'},
    {'name': 'matrix', 'type': 'Array/Array/number'},
    {'name': 'labels', 'type': 'Properties'},
    {'name': 'disk', 'type': DISK},
    {'name': 'disks', 'type': 'Array/' + DISK},
    {'name': 'vm', 'type': 'VC:VirtualMachine'},
    {'name': 'vms', 'type': 'Array/VC:VirtualMachine'},
    {'name': 'attachment', 'type': 'MimeAttachment'},
    {'name': 'anything', 'type': 'Any'},
    {'name': 'exotic', 'type': 'ResourceElementCategory'},
]


def load(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return json.load(handle)


def enc(type_name, value, **kw):
    return encode_value(type_name, value, 'x', **kw)


# ------------------------------------------------------------------ type names

@pytest.mark.parametrize('name, kind', [
    ('string', 'string'), ('number', 'number'), ('boolean', 'boolean'), ('SecureString', 'secure'),
    ('EncryptedString', 'encrypted'), ('Date', 'date'), ('Regexp', 'regex'), ('Properties', 'properties'),
    ('MimeAttachment', 'mime'), ('Any', 'any'), ('Array/string', 'array'), (DISK, 'composite'),
    ('VC:VirtualMachine', 'sdk'), ('AD:User', 'sdk'), ('ResourceElement', 'unknown'), ('', 'unknown'),
])
def test_parse_type_kinds(name, kind):
    assert parse_type(name).kind == kind


def test_parse_nested_composite_fields():
    vtype = parse_type('CompositeType(a:string,b:Array/CompositeType(x:number,y:VC:Datastore):Inner,c:Properties):Outer')
    assert [f for f, _t in vtype.fields] == ['a', 'b', 'c']
    inner = vtype.fields[1][1].element
    assert inner.kind == 'composite'
    assert [(f, t.kind) for f, t in inner.fields] == [('x', 'number'), ('y', 'sdk')]
    assert inner.fields[1][1].name == 'VC:Datastore'


# ------------------------------------------------------------------ encoding, type by type

def test_string_family():
    assert enc('string', 'web01') == {'string': {'value': 'web01'}}
    assert enc('string', 8080) == {'string': {'value': '8080'}}
    assert enc('SecureString', 'pw') == {'secure-string': {'value': 'pw'}}
    assert enc('EncryptedString', 'ENC(x)') == {'encrypted-string': {'value': 'ENC(x)'}}
    assert enc('Regexp', '^a.*') == {'regex': {'value': '^a.*'}}


def test_string_refuses_boolean_and_mapping():
    with pytest.raises(EncodeError) as exc:
        enc('string', True)
    assert "input 'x' is declared as string but the value is a boolean" in str(exc.value)
    assert 'quote' in str(exc.value)
    with pytest.raises(EncodeError) as exc:
        enc('SecureString', {'a': 1})
    assert exc.value.kind == 'a mapping' and exc.value.type_name == 'SecureString'


def test_number():
    assert enc('number', 20) == {'number': {'value': 20}}
    assert enc('number', 2.5) == {'number': {'value': 2.5}}
    assert enc('number', '42') == {'number': {'value': 42}}
    assert enc('number', ' -1.5e3 ') == {'number': {'value': -1500.0}}
    for bad in (True, False, 'ten', [1], None, float('nan')):
        with pytest.raises(EncodeError) as exc:
            enc('number', bad)
        assert "'x'" in str(exc.value) and 'number' in str(exc.value)
    with pytest.raises(EncodeError) as exc:
        enc('number', True)
    assert exc.value.kind == 'a boolean'


def test_boolean():
    assert enc('boolean', True) == {'boolean': {'value': True}}
    assert enc('boolean', False) == {'boolean': {'value': False}}
    for text, expected in (('yes', True), ('True', True), ('on', True), ('no', False), ('FALSE', False), ('off', False)):
        assert enc('boolean', text) == {'boolean': {'value': expected}}
    for bad in (1, 0, 'maybe', [True]):
        with pytest.raises(EncodeError):
            enc('boolean', bad)


@pytest.mark.parametrize('value, expected', [
    ('2026-01-31T10:00:00Z', '2026-01-31T10:00:00.000Z'),
    ('2026-01-31T10:00:00.5Z', '2026-01-31T10:00:00.500Z'),
    ('2026-01-31T10:00:00.123456789Z', '2026-01-31T10:00:00.123Z'),
    ('2026-01-31T12:30:00+02:30', '2026-01-31T10:00:00.000Z'),
    ('2026-01-31T10:00:00-0100', '2026-01-31T11:00:00.000Z'),
    ('2026-01-31 10:00', '2026-01-31T10:00:00.000Z'),
    ('2026-01-31', '2026-01-31T00:00:00.000Z'),
    (datetime.date(2026, 1, 31), '2026-01-31T00:00:00.000Z'),
    (datetime.datetime(2026, 1, 31, 10, 0, 0, 250000), '2026-01-31T10:00:00.250Z'),
    (datetime.datetime(2026, 1, 31, 11, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1))), '2026-01-31T10:00:00.000Z'),
])
def test_date(value, expected):
    assert enc('Date', value) == {'date': {'value': expected}}


@pytest.mark.parametrize('bad', ['31/01/2026', '2026-13-01', 1769853600000, True, 'tomorrow'])
def test_date_refused(bad):
    with pytest.raises(EncodeError) as exc:
        enc('Date', bad)
    assert 'declared as Date' in str(exc.value)


def test_arrays_nest():
    assert enc('Array/string', ['a', 'b']) == {'array': {'elements': [{'string': {'value': 'a'}}, {'string': {'value': 'b'}}]}}
    assert enc('Array/Array/number', [[1, 2], []]) == {'array': {'elements': [
        {'array': {'elements': [{'number': {'value': 1}}, {'number': {'value': 2}}]}},
        {'array': {'elements': []}}]}}
    with pytest.raises(EncodeError) as exc:
        enc('Array/number', [1, 'two'])
    assert "input 'x[1]' is declared as number but the value is a string" in str(exc.value)
    with pytest.raises(EncodeError) as exc:
        enc('Array/string', 'not-a-list')
    assert 'Array/string' in str(exc.value) and 'a string' in str(exc.value)
    with pytest.raises(EncodeError) as exc:
        enc('Array/string', ['a', None])
    assert 'x[1]' in str(exc.value)


def test_properties_from_mapping():
    value = enc('Properties', {'env': 'prod', 'replicas': 3, 'debug': False, 'tags': ['a'], 'nested': {'k': 1.5},
                               'skip': None, 'since': datetime.date(2026, 1, 1)})
    assert value == {'properties': {'property': [
        {'key': 'env', 'value': {'string': {'value': 'prod'}}},
        {'key': 'replicas', 'value': {'number': {'value': 3}}},
        {'key': 'debug', 'value': {'boolean': {'value': False}}},
        {'key': 'tags', 'value': {'array': {'elements': [{'string': {'value': 'a'}}]}}},
        {'key': 'nested', 'value': {'properties': {'property': [{'key': 'k', 'value': {'number': {'value': 1.5}}}]}}},
        {'key': 'since', 'value': {'date': {'value': '2026-01-01T00:00:00.000Z'}}},
    ]}}
    with pytest.raises(EncodeError):
        enc('Properties', ['a'])


def test_composite_from_mapping():
    assert enc(DISK, {'label': 'data', 'sizeGb': '40'}) == {'composite': {'type': DISK, 'property': [
        {'id': 'label', 'value': {'string': {'value': 'data'}}},
        {'id': 'sizeGb', 'value': {'number': {'value': 40}}}]}}
    # a missing or null field is left out
    assert enc(DISK, {'label': 'data', 'sizeGb': None})['composite']['property'] == [
        {'id': 'label', 'value': {'string': {'value': 'data'}}}]
    with pytest.raises(EncodeError) as exc:
        enc(DISK, {'label': 'data', 'sizegb': 1})
    assert "no field 'sizegb'" in str(exc.value) and "did you mean 'sizeGb'" in str(exc.value)
    with pytest.raises(EncodeError) as exc:
        enc(DISK, {'label': 'data', 'sizeGb': 'big'})
    assert "input 'x.sizeGb' is declared as number but the value is a string" in str(exc.value)
    with pytest.raises(EncodeError):
        enc(DISK, 'data')


def test_sdk_object():
    assert enc('VC:VirtualMachine', 'vc01/vm-42') == {'sdk-object': {'type': 'VC:VirtualMachine', 'id': 'vc01/vm-42'}}
    assert enc('VC:VirtualMachine', {'id': 'vc01/vm-42'}) == {'sdk-object': {'type': 'VC:VirtualMachine', 'id': 'vc01/vm-42'}}
    assert enc('VC:ManagedEntity', {'type': 'VC:HostSystem', 'id': 'h-1', 'display_value': 'esx1'}) == {
        'sdk-object': {'type': 'VC:HostSystem', 'id': 'h-1', 'displayValue': 'esx1'}}
    for bad in ({'type': 'VC:VirtualMachine'}, {'id': 'x', 'name': 'y'}, 42, ''):
        with pytest.raises(EncodeError):
            enc('VC:VirtualMachine', bad)


def test_mime_attachment_from_content_base64_and_src(tmp_path):
    expected = base64.b64encode(b'id,name\n1,web01\n').decode()
    assert enc('MimeAttachment', {'name': 'a.csv', 'mime_type': 'text/csv', 'content': 'id,name\n1,web01\n'}) == {
        'mime-attachment': {'name': 'a.csv', 'mime-type': 'text/csv', 'mime-content': expected}}
    assert enc('MimeAttachment', {'name': 'a.csv', 'mime_type': 'text/csv', 'content_base64': expected}) == {
        'mime-attachment': {'name': 'a.csv', 'mime-type': 'text/csv', 'mime-content': expected}}
    blob = tmp_path / 'report.bin'
    blob.write_bytes(b'\x00\xffbinary')
    value = enc('MimeAttachment', {'mime_type': 'application/octet-stream', 'src': str(blob)})
    assert value['mime-attachment']['name'] == 'report.bin'
    assert base64.b64decode(value['mime-attachment']['mime-content']) == b'\x00\xffbinary'
    # the reader is injectable (modules read on their own host)
    value = enc('MimeAttachment', {'name': 'n', 'src': '/nowhere'}, read_file=lambda path: b'via ' + path.encode())
    assert base64.b64decode(value['mime-attachment']['mime-content']) == b'via /nowhere'
    assert value['mime-attachment']['mime-type'] == 'application/octet-stream'


@pytest.mark.parametrize('bad', [
    'a.csv',
    {'name': 'a', 'content': 'x', 'src': '/etc/hosts'},
    {'name': 'a'},
    {'name': 'a', 'content_base64': '***'},
    {'name': 'a', 'content': 'x', 'mime': 'text/plain'},
    {'name': 'a', 'src': '/definitely/not/here'},
])
def test_mime_attachment_refused(bad):
    with pytest.raises(EncodeError) as exc:
        enc('MimeAttachment', bad)
    assert "'x'" in str(exc.value)


def test_any_is_inferred_and_unknown_types_point_to_raw_inputs():
    assert enc('Any', 3) == {'number': {'value': 3}}
    assert enc('Any', 'a') == {'string': {'value': 'a'}}
    with pytest.raises(EncodeError) as exc:
        enc('ResourceElementCategory', 'x')
    assert 'raw_inputs' in str(exc.value) and 'ResourceElementCategory' in str(exc.value)


# ------------------------------------------------------------------ encode_parameters

def test_encode_parameters_order_scope_and_nulls():
    params = encode_parameters(DECLARED, {'count': 1, 'text': 'a', 'ratio': None}, 'Echo typed inputs')
    assert params == [
        {'name': 'text', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'a'}}},
        {'name': 'count', 'type': 'number', 'scope': 'local', 'value': {'number': {'value': 1}}},
    ]


def test_unknown_input_case_only_difference():
    with pytest.raises(EncodeError) as exc:
        encode_parameters([{'name': 'name', 'type': 'string'}], {'Name': 'x'}, 'AWSNEW')
    assert str(exc.value) == ("workflow 'AWSNEW' has no input 'Name'; did you mean 'name'? "
                              "vRO input names are case sensitive")


def test_unknown_input_typo_and_no_match():
    with pytest.raises(EncodeError) as exc:
        encode_parameters(DECLARED, {'conut': 1}, 'Echo typed inputs')
    assert str(exc.value) == "workflow 'Echo typed inputs' has no input 'conut'; did you mean 'count'?"
    with pytest.raises(EncodeError) as exc:
        encode_parameters([{'name': 'a', 'type': 'string'}], {'zzzzzz': 1}, 'W')
    assert "has no input 'zzzzzz'; its inputs are: a" in str(exc.value)


def test_bad_value_names_workflow_input_type_and_kind():
    with pytest.raises(EncodeError) as exc:
        encode_parameters(DECLARED, {'enabled': 3}, 'Echo typed inputs')
    assert str(exc.value).startswith("workflow 'Echo typed inputs': input 'enabled' is declared as boolean but the value is an integer")
    assert exc.value.input == 'enabled' and exc.value.type_name == 'boolean' and exc.value.kind == 'an integer'


def test_raw_inputs_are_sent_verbatim():
    raw = [{'name': 'exotic', 'type': 'ResourceElementCategory', 'value': {'sdk-object': {'type': 'x', 'id': '1'}}}]
    params = encode_parameters(DECLARED, {'text': 'a'}, 'W', raw_inputs=raw)
    assert params[-1] == dict(raw[0], scope='local')
    with pytest.raises(EncodeError) as exc:
        encode_parameters(DECLARED, {'exotic': 'a'}, 'W', raw_inputs=raw)
    assert 'both inputs and raw_inputs' in str(exc.value)
    with pytest.raises(EncodeError):
        encode_parameters(DECLARED, {}, 'W', raw_inputs=[{'name': 'x'}])


# ------------------------------------------------------------------ decoding, both real-traffic shapes

def test_decode_recorded_8x_execution():
    run = load('vro_execution_8x.json')
    inputs = decode_parameters(parameter_list(run, 'input'))
    assert inputs == {
        'text': u'h\u00e9llo',
        'count': 20,
        'ratio': 0.25,
        'enabled': True,
        'secret': SECRET_MASK,
        'cipher': 'ENC(abc)',
        'when': '2026-01-31T10:00:00.000Z',
        'pattern': '^web[0-9]+$',
        'matrix': [[1, 2], [3.5]],
        'labels': {'env': 'prod', 'replicas': 3},
        'disk': {'label': 'data', 'sizeGb': 40},
        'vm': {'type': 'VC:VirtualMachine', 'id': 'vc01.example.com/vm-42'},
        'attachment': {'name': 'a.csv', 'mime_type': 'text/csv', 'content': 'id,name\n1,web01\n'},
        'unset': None,
    }
    assert isinstance(inputs['count'], int)
    assert decode_parameters(parameter_list(run, 'input'), mask_secrets=False)['secret'] == 's3cr3t'
    assert decode_parameters(parameter_list(run, 'output')) == {'result': 'ok', 'tokens': ['a', 'b']}


def test_decode_recorded_old_server_shapes():
    run = load('vro_execution_old.json')
    inputs = decode_parameters(parameter_list(run, 'input'))
    assert inputs == {
        'when': '2026-01-31T10:00:00.000Z',
        'labels': {'env': 'prod', 'replicas': 3},
        'disk': {'label': 'data', 'sizeGb': 40},
        'attachment': {'name': 'a.csv', 'mime_type': 'text/csv', 'content': 'id,name\n1,web01\n'},
        # declared SecureString but sent as a plain string value: still masked
        'secret': SECRET_MASK,
    }
    assert decode_parameters(parameter_list(run, 'output')) == {'result': 'ok'}


def test_decode_dates_both_forms():
    assert decode_date(1769853600120) == '2026-01-31T10:00:00.120Z'
    assert decode_date('1769853600120') == '2026-01-31T10:00:00.120Z'
    assert decode_date('2026-01-31T11:00:00.120+01:00') == '2026-01-31T10:00:00.120Z'
    assert decode_date(None) is None
    assert decode_date('garbage') == 'garbage'


def test_decode_binary_mime_and_unknown_kinds():
    raw = base64.b64encode(b'\xff\xfe\x00').decode()
    assert decode_value({'mime-attachment': {'name': 'b', 'mime-type': 'x/y', 'mime-content': raw}}) == {
        'name': 'b', 'mime_type': 'x/y', 'content_base64': raw}
    odd = {'attribute-reference': {'configurationElementId': 'c1'}}
    assert decode_value(odd) == odd
    assert decode_value({}) is None
    assert decode_value({'number': {'value': 1e300}}) == 1e300


def test_parameter_list_accepts_both_spellings_and_wrappers():
    assert parameter_list({'input-parameters': [1]}) == [1]
    assert parameter_list({'inputParameters': [2]}) == [2]
    assert parameter_list({'output-parameters': {'parameter': [3]}}, 'output') == [3]
    assert parameter_list({}) == []
    assert parameter_list(None) == []


# ------------------------------------------------------------------ round trips

ROUND_TRIP = {
    'text': u'h\u00e9llo "quoted"',
    'count': 20,
    'ratio': -0.125,
    'enabled': False,
    'cipher': 'ENC(x)',
    'when': '2026-01-31T10:00:00.000Z',
    'pattern': '^a(b|c)*$',
    'names': ['a', 'b', ''],
    'matrix': [[1, 2.5], [], [3]],
    'labels': {'env': 'prod', 'n': 1, 'ok': True, 'list': ['x', 2], 'deep': {'k': 'v'}},
    'disk': {'label': 'data', 'sizeGb': 40},
    'disks': [{'label': 'a', 'sizeGb': 1}, {'label': 'b', 'sizeGb': 2.5}],
    'vm': {'type': 'VC:VirtualMachine', 'id': 'vc01/vm-42'},
    'vms': [{'type': 'VC:VirtualMachine', 'id': 'vm-1'}, {'type': 'VC:VirtualMachine', 'id': 'vm-2'}],
    'attachment': {'name': 'a.txt', 'mime_type': 'text/plain', 'content': 'line1\nline2\n'},
    'anything': {'k': [1, 'two']},
}


def test_round_trip_every_type():
    params = encode_parameters(DECLARED, ROUND_TRIP, 'Echo typed inputs')
    # through JSON as a server would see and echo it
    echoed = json.loads(json.dumps(params))
    assert decode_parameters(echoed) == ROUND_TRIP


def test_round_trip_after_server_turns_numbers_to_doubles():
    params = encode_parameters(DECLARED, {'count': 20, 'matrix': [[1]]}, 'W')
    text = json.dumps(params).replace('"value": 20}', '"value": 20.0}').replace('"value": 1}', '"value": 1.0}')
    assert '20.0' in text and '1.0' in text
    assert decode_parameters(json.loads(text)) == {'count': 20, 'matrix': [[1]]}


# ------------------------------------------------------------------ masking and comparison

def test_mask_parameters_hides_secrets_everywhere():
    declared = DECLARED + [{'name': 'pws', 'type': 'Array/SecureString'},
                           {'name': 'cred', 'type': 'CompositeType(user:string,pw:SecureString):Cred'}]
    params = encode_parameters(declared, {'secret': 'pw1', 'pws': ['pw2'], 'cred': {'user': 'u', 'pw': 'pw3'}, 'text': 't'}, 'W')
    masked = mask_parameters(params)
    dumped = json.dumps(masked)
    for secret in ('pw1', 'pw2', 'pw3'):
        assert secret not in dumped
    assert '"u"' in dumped and '"t"' in dumped
    # the original is untouched
    assert 'pw1' in json.dumps(params)


def test_comparable_inputs_ignore_secret_values_but_not_their_presence():
    ours = encode_parameters(DECLARED, {'text': 'a', 'count': 2, 'secret': 'pw'}, 'W')
    echoed = json.loads(json.dumps(ours).replace('"value": 2}', '"value": 2.0}').replace('"pw"', '"other"'))
    echoed.append({'name': 'ratio', 'type': 'number', 'value': {}})
    assert comparable_inputs(ours) == comparable_inputs(echoed)
    assert comparable_inputs(ours)[1] == frozenset(['secret'])
    different = encode_parameters(DECLARED, {'text': 'b', 'count': 2, 'secret': 'pw'}, 'W')
    assert comparable_inputs(ours) != comparable_inputs(different)
    no_secret = encode_parameters(DECLARED, {'text': 'a', 'count': 2}, 'W')
    assert comparable_inputs(ours) != comparable_inputs(no_secret)


def test_same_inputs_tolerates_hidden_secrets_but_not_extra_ones():
    ours = encode_parameters(DECLARED, {'text': 'a', 'count': 2, 'secret': 'pw'}, 'W')
    echoed = json.loads(json.dumps(ours).replace('"value": 2}', '"value": 2.0}').replace('"pw"', '"other"'))
    assert same_inputs(ours, echoed)
    hidden = [p for p in echoed if p['name'] != 'secret'] + [{'name': 'secret', 'type': 'SecureString', 'value': {}}]
    assert same_inputs(ours, hidden)
    without = encode_parameters(DECLARED, {'text': 'a', 'count': 2}, 'W')
    assert not same_inputs(without, ours)
    assert not same_inputs(ours, encode_parameters(DECLARED, {'text': 'a', 'count': 3, 'secret': 'pw'}, 'W'))
