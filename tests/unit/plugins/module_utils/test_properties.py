# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests (hypothesis) over the vRO parameter encoder and over the modules' argument handling.

- Any plain value against any declared type either encodes or raises EncodeError (a ValueError with a message that
  names the input); never another exception.
- Values that fit their type round-trip: encode then decode gives the value back (numbers as numbers, dates in UTC).
- Input names of any text (quotes, '&', '=', unicode) are either sent verbatim or refused with EncodeError.
- Secrets never survive masking, whatever their place in a value.
- Any value of any connection/wait option either builds the module or ends in fail_json with a one-line message;
  never a traceback.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest

hypothesis = pytest.importorskip('hypothesis')
# pylint: disable-next=wrong-import-position
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from ansible.module_utils.testing import patch_module_args  # noqa: E402  # pylint: disable=wrong-import-position

from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import (  # noqa: E402  # pylint: disable=wrong-import-position
    OrchestratorModule,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.encode import EncodeError, encode_parameters, encode_value
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import decode_value, mask_parameters
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.inputs import comparable_inputs

# Derandomized: the same examples on every run, so CI is reproducible; a failure found once gets its own unit test.
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
TYPES = ['string', 'number', 'boolean', 'SecureString', 'EncryptedString', 'Date', 'Regexp', 'Array/string',
         'Array/number', 'Array/Array/number', 'Properties', 'CompositeType(host:string,port:number):Endpoint',
         'VC:VirtualMachine', 'MimeAttachment', 'Any', 'Array/Properties', 'Array/CompositeType(a:string):X']

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=20), st.dates(), st.datetimes())
plain = st.recursive(
    scalars, lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=12)
finite = st.one_of(st.integers(min_value=-10 ** 12, max_value=10 ** 12),
                   st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
utc_datetimes = st.datetimes(min_value=datetime.datetime(1971, 1, 1), max_value=datetime.datetime(2999, 12, 31),
                             timezones=st.just(datetime.timezone.utc)).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))


@SETTINGS
@given(vtype=st.sampled_from(TYPES), value=plain)
def test_any_value_encodes_or_raises_encode_error(vtype, value):
    try:
        encoded = encode_value(vtype, value, path="input 'x'")
    except EncodeError as error:
        assert str(error) and '\n' not in str(error)
        return
    if encoded is None:
        return  # null means "not sent" (documented); only 'Any' and Properties values infer it
    assert isinstance(encoded, dict) and len(encoded) == 1
    json.dumps(encoded)  # what is sent must be JSON


@SETTINGS
@given(value=st.text(max_size=200))
def test_strings_round_trip(value):
    assert decode_value(encode_value('string', value)) == value


@SETTINGS
@given(value=finite)
def test_numbers_round_trip_as_numbers(value):
    decoded = decode_value(encode_value('number', value))
    assert isinstance(decoded, (int, float)) and not isinstance(decoded, bool)
    assert decoded == pytest.approx(value)


@SETTINGS
@given(value=st.booleans())
def test_booleans_round_trip(value):
    assert decode_value(encode_value('boolean', value)) is value


@SETTINGS
@given(moment=utc_datetimes)
def test_dates_round_trip_in_utc(moment):
    decoded = decode_value(encode_value('Date', moment.isoformat()))
    back = datetime.datetime.strptime(decoded, '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc)
    assert back == moment


@SETTINGS
@given(value=st.lists(st.lists(finite, max_size=4), max_size=4))
def test_nested_arrays_round_trip(value):
    decoded = decode_value(encode_value('Array/Array/number', value))
    assert len(decoded) == len(value)
    for got, want in zip(decoded, value):
        assert got == pytest.approx(want)


@SETTINGS
@given(value=st.dictionaries(st.text(min_size=1, max_size=10),
                             st.one_of(st.text(max_size=10), st.booleans(), st.integers(-10 ** 6, 10 ** 6)), max_size=6))
def test_properties_round_trip(value):
    assert decode_value(encode_value('Properties', value)) == value


@SETTINGS
@given(host=st.text(max_size=30), port=st.integers(0, 65535))
def test_composites_round_trip(host, port):
    vtype = 'CompositeType(host:string,port:number):Endpoint'
    assert decode_value(encode_value(vtype, {'host': host, 'port': port})) == {'host': host, 'port': port}


@SETTINGS
@given(names=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=4, unique=True), value=st.text(max_size=10))
def test_input_names_of_any_text_are_sent_verbatim_or_refused(names, value):
    declared = [{'name': 'name', 'type': 'string'}, {'name': 'Name', 'type': 'string'}]
    inputs = dict((n, value) for n in names)
    try:
        params = encode_parameters(declared, inputs, 'Workflow "with" & = in its name')
    except EncodeError as error:
        assert '\n' not in str(error)
        unknown = [n for n in names if n not in ('name', 'Name')]
        # Control characters in a name are shown escaped, so that the message stays on one line.
        shown = [re.sub(r'[\x00-\x1f\x7f]', lambda m: repr(m.group(0))[1:-1], n) for n in unknown]
        assert unknown and any(n in str(error) for n in shown)
        return
    assert sorted(p['name'] for p in params) == sorted(names)


@SETTINGS
@given(secret=st.text(min_size=3, max_size=30), other=st.text(max_size=10))
def test_secrets_never_survive_masking(secret, other):
    declared = [{'name': 'pw', 'type': 'SecureString'}, {'name': 'note', 'type': 'string'}]
    params = encode_parameters(declared, {'pw': secret, 'note': other}, 'wf')
    masked = mask_parameters(params)
    assert secret not in [p['value'].get('secure-string', {}).get('value') for p in masked]
    # Identical inputs compare equal, including int/float spellings of one number.
    assert comparable_inputs(params) == comparable_inputs(encode_parameters(declared, {'pw': secret, 'note': other}, 'wf'))


# ---------------------------------------------------------------- argument handling

options = st.fixed_dictionaries({}, optional={
    'timeout': st.one_of(finite, st.text(max_size=6), st.none()),
    'retries': st.one_of(st.integers(-5, 20), st.text(max_size=4), st.none()),
    'validate_certs': st.one_of(st.booleans(), st.sampled_from(['yes', 'no', 'maybe', '']), st.none()),
    'ca_path': st.one_of(st.none(), st.sampled_from(['/nonexistent/ca.pem', ''])),
    'wait_timeout': st.one_of(finite, st.text(max_size=4)),
    'poll_interval': st.one_of(finite, st.text(max_size=4)),
    'poll_interval_max': st.one_of(finite, st.text(max_size=4)),
    'url': st.one_of(st.sampled_from(['https://vro.example.com', 'vro.example.com', 'ftp://x', '']), st.text(max_size=10)),
    'auth': st.one_of(st.sampled_from(['basic', 'vra', 'token', 'kerberos']), st.none()),
})


@settings(max_examples=120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(args=options)
def test_any_option_values_build_the_module_or_fail_in_one_line(args, capsys, monkeypatch):
    for prefix in ('VRO', 'VCF', 'ICO'):
        for name in ('URL', 'USERNAME', 'PASSWORD', 'TOKEN', 'AUTH', 'VALIDATE_CERTS', 'CA_PATH', 'TIMEOUT', 'RETRIES'):
            monkeypatch.delenv('%s_%s' % (prefix, name), raising=False)
    args = dict(args, username='u', password='Secret-Pw-1')
    with patch_module_args(args):
        try:
            module = OrchestratorModule('vro', argument_spec={}, wait=True, supports_check_mode=True)
        except SystemExit:
            out = capsys.readouterr().out
            result = json.loads(out)
            assert result.get('failed') and result['msg'] and '\n' not in result['msg'].strip()
            assert 'Traceback' not in out and 'Secret-Pw-1' not in out
            return
    # Built: what it accepted must be usable.
    assert module.params['timeout'] is None or module.params['timeout'] > 0
    assert module.params['retries'] is None or module.params['retries'] >= 0
    assert module.params['wait_timeout'] >= 0 and 0 < module.params['poll_interval'] <= module.params['poll_interval_max']
