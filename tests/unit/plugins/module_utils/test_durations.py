# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Durations with units: the one grammar (_time.parse_duration), every duration option of every module typed raw and
read through it (_module.DURATION_OPTIONS), the environment variables, and the event sources' arguments."""

from __future__ import annotations

import json
import math

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.cloudops.orchestrator.plugins.module_utils import _watch
from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import (
    CONNECTION_SPECS, DURATION_OPTIONS, WAIT_SPEC, OrchestratorModule)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import DURATION_FORMS, parse_duration


ACCEPTED = [
    # plain numbers: exactly what ansible-core's float gave before
    (90, 90.0), (0, 0.0), (1.5, 1.5), (0.25, 0.25), (1e-3, 0.001),
    # numbers as text (AWX surveys, -a key=value, extra vars)
    ('90', 90.0), (' 1.5 ', 1.5), ('0', 0.0), ('1e3', 1000.0), ('+5', 5.0), ('-0', 0.0),
    # text with units, case-insensitive, spaces around and between the parts, parts added up
    ('90s', 90.0), ('10m', 600.0), ('1h', 3600.0), ('1d', 86400.0), ('500ms', 0.5), ('1h30m', 5400.0),
    ('1h 30m', 5400.0), ('1H30M', 5400.0), (' 10 m ', 600.0), ('1.5h', 5400.0), ('.5s', 0.5), ('2m30s', 150.0),
    ('1m 500ms', 60.5), ('2 minutes', 120.0), ('1 hour 30 mins', 5400.0), ('45 sec', 45.0), ('3 Days', 259200.0),
    ('250 milliseconds', 0.25), ('0s', 0.0), ('+2m', 120.0),
]


@pytest.mark.parametrize('value, seconds', ACCEPTED)
def test_every_accepted_form(value, seconds):
    result = parse_duration(value, 'wait_timeout')
    assert isinstance(result, float)
    assert result == seconds
    assert math.copysign(1.0, result) == 1.0  # '-0' reads 0.0, not -0.0


def test_none_is_unset():
    assert parse_duration(None, 'timeout') is None


REFUSED = [
    (True, 'be a duration', 'True (a boolean)'),
    (False, 'be a duration', 'False (a boolean)'),
    (-5, 'not be negative', '-5'),
    (-0.5, 'not be negative', '-0.5'),
    ('-5', 'not be negative', "'-5'"),
    ('-5s', 'not be negative', "'-5s'"),
    ('- 1h', 'not be negative', "'- 1h'"),
    (float('nan'), 'be a finite number of seconds', 'nan'),
    (float('inf'), 'be a finite number of seconds', 'inf'),
    ('nan', 'be a finite number of seconds', "'nan'"),
    ('NaN', 'be a finite number of seconds', "'NaN'"),
    ('inf', 'be a finite number of seconds', "'inf'"),
    ('-Infinity', 'be a finite number of seconds', "'-Infinity'"),
    ('1e400', 'be a finite number of seconds', "'1e400'"),
    (10 ** 400, 'be a finite number of seconds', '1000000000000000000000000000000000000000...0000000000'),
    ('10 minuets', 'be a duration', "'10 minuets'"),
    ('10y', 'be a duration', "'10y'"),
    ('1w', 'be a duration', "'1w'"),
    ('1m30', 'be a duration', "'1m30'"),
    ('m', 'be a duration', "'m'"),
    ('1.2.3s', 'be a duration', "'1.2.3s'"),
    ('1e3s', 'be a duration', "'1e3s'"),
    ('soon', 'be a duration', "'soon'"),
    ('10m\nrm -rf', 'be a duration', "'10m\\nrm -rf'"),
    ('', 'be a duration', "'' (empty)"),
    ('   ', 'be a duration', "'   ' (empty)"),
    ([10], 'be a duration', '[10] (list)'),
    ({'m': 10}, 'be a duration', "{'m': 10} (dict)"),
]


@pytest.mark.parametrize('value, rule, shown', REFUSED)
def test_every_refusal_is_one_line_naming_option_value_and_forms(value, rule, shown):
    with pytest.raises(ValueError) as info:
        parse_duration(value, 'poll_interval')
    assert str(info.value) == 'poll_interval must %s, got %s: give %s' % (rule, shown, DURATION_FORMS)
    assert '\n' not in str(info.value)


def test_the_accepted_forms_text():
    assert DURATION_FORMS == 'a number of seconds (90, 1.5) or a number with units ms, s, m, h, d (500ms, 90s, 10m, 1h30m)'


def test_the_origin_follows_the_value():
    with pytest.raises(ValueError) as info:
        parse_duration('10 parsecs', 'timeout', origin=' (from the environment variable VRO_TIMEOUT)')
    assert str(info.value).startswith("timeout must be a duration, got '10 parsecs' (from the environment variable VRO_TIMEOUT): give ")


# -- every duration option of every module ---------------------------------------------------------------------


@pytest.fixture
def module_args():
    contexts = []

    def enter(args):
        context = patch_module_args(args)
        context.__enter__()
        contexts.append(context)
    yield enter
    while contexts:
        contexts.pop().__exit__(None, None, None)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for prefix in ('VRO', 'VCF', 'ICO'):
        for name in ('URL', 'USERNAME', 'PASSWORD', 'TOKEN', 'AUTH', 'TIMEOUT', 'CONNECT_TIMEOUT', 'RETRIES'):
            monkeypatch.delenv('%s_%s' % (prefix, name), raising=False)


def test_the_shared_duration_options_are_raw_so_ansible_core_passes_units_through():
    for product in CONNECTION_SPECS:
        assert CONNECTION_SPECS[product]['timeout']['type'] == 'raw'
        assert CONNECTION_SPECS[product]['connect_timeout']['type'] == 'raw'
    for name in ('wait_timeout', 'poll_interval', 'poll_interval_max'):
        assert WAIT_SPEC[name]['type'] == 'raw' and name in DURATION_OPTIONS


MODULE_OWN = {'reuse_max_age': dict(type='raw', default=3600.0), 'retry_grace': dict(type='raw', default=120.0)}


def test_module_options_with_units_become_seconds(module_args):
    module_args({'url': 'https://vro', 'timeout': '1m', 'connect_timeout': '1500ms', 'wait_timeout': '2m',
                 'poll_interval': '500ms', 'poll_interval_max': '1M', 'reuse_max_age': '1h30m', 'retry_grace': '90'})
    module = OrchestratorModule('vro', wait=True, argument_spec=dict(MODULE_OWN), supports_check_mode=True)
    assert dict((name, module.params[name]) for name in DURATION_OPTIONS) == {
        'timeout': 60.0, 'connect_timeout': 1.5, 'wait_timeout': 120.0, 'poll_interval': 0.5, 'poll_interval_max': 60.0,
        'reuse_max_age': 5400.0, 'retry_grace': 90.0}


def test_defaults_and_plain_numbers_stay_floats_as_before(module_args):
    module_args({'url': 'https://vro', 'wait_timeout': 30})
    module = OrchestratorModule('vcf', wait=True, argument_spec=dict(MODULE_OWN))
    assert module.params['wait_timeout'] == 30.0 and isinstance(module.params['wait_timeout'], float)
    assert (module.params['poll_interval'], module.params['poll_interval_max']) == (0.25, 15.0)
    assert (module.params['timeout'], module.params['connect_timeout']) == (30.0, 5.0)
    assert (module.params['reuse_max_age'], module.params['retry_grace']) == (3600.0, 120.0)


@pytest.mark.parametrize('option', DURATION_OPTIONS)
@pytest.mark.parametrize('value, rule', [(True, 'be a duration'), ('10 minuets', 'be a duration'), ('-1m', 'not be negative'),
                                         ('inf', 'be a finite number of seconds'), ('', 'be a duration')])
def test_every_duration_option_refuses_in_one_line(capsys, module_args, option, value, rule):
    module_args({'url': 'https://vro', 'password': 'Secret-Pw-dur', option: value})
    with pytest.raises(SystemExit):
        OrchestratorModule('vro', wait=True, argument_spec=dict(MODULE_OWN))
    result = json.loads(capsys.readouterr().out)
    assert result['failed'] is True
    assert result['msg'].startswith('%s must %s, got %r' % (option, rule, value))
    assert result['msg'].endswith(': give ' + DURATION_FORMS)
    assert 'Secret-Pw-dur' not in json.dumps(result)


def test_bounds_still_apply_after_conversion(capsys, module_args):
    module_args({'url': 'https://vro', 'poll_interval': '2s', 'poll_interval_max': '1500ms'})
    with pytest.raises(SystemExit):
        OrchestratorModule('vro', wait=True)
    assert json.loads(capsys.readouterr().out)['msg'] == 'poll_interval_max (1.5) must be at least poll_interval (2.0)'


@pytest.mark.parametrize('product', ['vro', 'vcf', 'ico'])
def test_environment_durations_take_units_and_name_the_variable(capsys, monkeypatch, module_args, product):
    prefix = product.upper()
    monkeypatch.setenv('%s_TIMEOUT' % prefix, '2m')
    monkeypatch.setenv('%s_CONNECT_TIMEOUT' % prefix, '1500ms')
    module_args({'url': 'https://h'})
    module = OrchestratorModule(product)
    assert (module.params['timeout'], module.params['connect_timeout']) == (120.0, 1.5)

    monkeypatch.setenv('%s_TIMEOUT' % prefix, 'two minutes')
    with pytest.raises(SystemExit):
        OrchestratorModule(product)
    msg = json.loads(capsys.readouterr().out)['msg']
    assert msg == ("timeout must be a duration, got 'two minutes' (from the environment variable %s_TIMEOUT): give %s"
                   % (prefix, DURATION_FORMS))


# -- event sources ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize('value, seconds', [(30, 30.0), ('30', 30.0), ('30s', 30.0), ('5m', 300.0), ('1h', 3600.0)])
def test_event_source_durations_take_units(value, seconds):
    assert _watch.to_number(value, 'interval') == seconds


@pytest.mark.parametrize('value, start', [('0s', "interval must be greater than 0.0, got '0s'"),
                                          ('5 fortnights', "interval must be a duration, got '5 fortnights'"),
                                          (True, 'interval must be a duration, got True (a boolean)')])
def test_event_source_duration_refusals(value, start):
    with pytest.raises(_watch.SourceError) as info:
        _watch.to_number(value, 'interval')
    assert str(info.value).startswith(start) and str(info.value).endswith(DURATION_FORMS)


def test_event_source_timeout_from_the_environment_takes_units():
    options = _watch.connection('vcf', {'url': 'https://sddc'}, environ={'VCF_TIMEOUT': '1m'})
    assert options['timeout'] == 60.0
