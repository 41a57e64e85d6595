# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for OrchestratorModule: composed argument spec, late-bound environment fallbacks, failures."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.cloudops.orchestrator.plugins.module_utils import _auth, _auth_ico, _auth_vcf, _auth_vra
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import OrchestratorModule, check_minimum, workflow_selector


_STACK = []


def build(args, product='vro', **kwargs):
    # The patch stays active until the test ends: exit_json and fail_json read the module's arguments too.
    context = patch_module_args(args)
    context.__enter__()
    _STACK.append(context)
    return OrchestratorModule(product, supports_check_mode=True, **kwargs)


def exit_result(capsys, call):
    with pytest.raises(SystemExit):
        call()
    return json.loads(capsys.readouterr().out)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    yield from _clean_env(monkeypatch)
    while _STACK:
        _STACK.pop().__exit__(None, None, None)


def _clean_env(monkeypatch):
    for prefix in ('VRO', 'VCF', 'ICO'):
        for name in ('URL', 'USERNAME', 'PASSWORD', 'TOKEN', 'AUTH', 'VALIDATE_CERTS', 'CA_PATH', 'TIMEOUT',
                     'RETRIES', 'USE_PROXY', 'DOMAIN', 'PROJECT', 'AUTH_DOMAIN', 'AUTH_TENANT'):
            monkeypatch.delenv('%s_%s' % (prefix, name), raising=False)
    yield


def test_environment_fills_unset_options_only(monkeypatch):
    monkeypatch.setenv('VRO_URL', 'https://env.example.com')
    monkeypatch.setenv('VRO_USERNAME', 'envuser')
    monkeypatch.setenv('VRO_PASSWORD', 'env-Secret-1')
    monkeypatch.setenv('VRO_VALIDATE_CERTS', 'no')
    monkeypatch.setenv('VRO_RETRIES', '7')
    module = build({'url': 'https://task.example.com'})
    assert module.params['url'] == 'https://task.example.com'
    assert module.params['username'] == 'envuser'
    assert module.params['validate_certs'] is False
    assert module.params['retries'] == 7
    assert 'env-Secret-1' in module.no_log_values


def test_defaults_apply_after_the_environment():
    module = build({'url': 'https://vro', 'username': 'u', 'password': 'pw-unit-1'})
    assert module.params['validate_certs'] is True
    assert module.params['timeout'] == 30.0
    assert module.params['retries'] == 3


def test_product_prefix_is_used(monkeypatch):
    monkeypatch.setenv('VRO_URL', 'https://vro')
    monkeypatch.setenv('ICO_URL', 'https://ico')
    monkeypatch.setenv('ICO_PROJECT', 'projA')
    module = build({}, product='ico')
    assert module.params['url'] == 'https://ico'
    assert module.params['project'] == 'projA'


def test_missing_url_names_the_variable(capsys):
    result = exit_result(capsys, lambda: build({'username': 'u'}, product='vcf'))
    assert result['failed'] is True
    assert 'VCF_URL' in result['msg']


def test_missing_ca_path_fails_clearly(capsys):
    result = exit_result(capsys, lambda: build({'url': 'https://vro', 'ca_path': '/nonexistent/ca.pem'}))
    assert "ca_path '/nonexistent/ca.pem' does not exist" in result['msg']


def test_bad_environment_value_fails_clearly(capsys, monkeypatch):
    monkeypatch.setenv('VRO_TIMEOUT', 'soon')
    result = exit_result(capsys, lambda: build({'url': 'https://vro'}))
    assert 'VRO_TIMEOUT' in result['msg']


def test_wait_options_are_merged_and_checked(capsys):
    module = build({'url': 'https://vro'}, wait=True, argument_spec={'name': {'type': 'str'}})
    assert module.params['wait'] is True and module.params['poll_interval'] == 0.25
    result = exit_result(capsys, lambda: build({'url': 'https://vro', 'wait_timeout': -5}, wait=True))
    assert 'wait_timeout must not be negative' in result['msg']


@pytest.mark.parametrize('args,kind', [
    ({'username': 'u', 'password': 'p'}, _auth.BasicAuth),
    ({'token': 't'}, _auth.BearerAuth),
    ({'auth': 'vra', 'username': 'u', 'password': 'p'}, _auth_vra.VraLoginAuth),
    ({'auth': 'vra', 'token': 'refresh'}, _auth_vra.VraLoginAuth),
    ({'auth_tenant': 'org-a', 'token': 'api'}, _auth_vra.VraTenantAuth),
    ({'auth': 'vra', 'auth_tenant': 'org-a', 'token': 'api', 'username': 'u', 'password': 'p'}, _auth_vra.VraTenantAuth),
])
def test_vro_auth_choice(args, kind):
    module = build(dict(args, url='https://vro'))
    assert module.build_auth().__class__ is kind


@pytest.mark.parametrize('args,words', [
    ({'auth_tenant': 'org-a', 'username': 'u', 'password': 'p'}, 'set token (or VRO_TOKEN) to an API token of tenant org-a'),
    ({'auth_tenant': 'org-a', 'auth': 'basic', 'token': 'api'}, 'but auth is basic: set auth to vra'),
])
def test_vro_tenant_login_needs_a_token_and_auth_vra(capsys, args, words):
    result = exit_result(capsys, lambda: build(dict(args, url='https://vro')).build_auth())
    assert words in result['msg'] and '\n' not in result['msg']


def test_vro_tenant_from_the_environment(monkeypatch):
    monkeypatch.setenv('VRO_AUTH_TENANT', 'org-env')
    auth = build({'url': 'https://vro', 'token': 'api'}).build_auth()
    assert isinstance(auth, _auth_vra.VraTenantAuth) and auth.tenant == 'org-env'


def test_vro_task_auth_token_wins_over_a_tenant_from_the_environment(monkeypatch, capsys):
    # An AWX credential injects VRO_AUTH_TENANT; vro_login's token is reused with auth: token in module_defaults.
    monkeypatch.setenv('VRO_AUTH_TENANT', 'org-env')
    auth = build({'url': 'https://vro', 'auth': 'token', 'token': 'bearer'}).build_auth()
    assert auth.__class__ is _auth.BearerAuth
    # Both set in the task: still a contradiction, refused.
    result = exit_result(capsys, lambda: build({'url': 'https://vro', 'auth': 'token', 'token': 'api',
                                                'auth_tenant': 'org-a'}).build_auth())
    assert 'but auth is token: set auth to vra' in result['msg']


def test_vcf_and_ico_auth_choice():
    assert isinstance(build({'url': 'https://sddc', 'username': 'u', 'password': 'p'}, product='vcf').build_auth(),
                      _auth_vcf.VcfTokenAuth)
    auth = build({'url': 'https://ico', 'username': 'u', 'password': 'p', 'domain': 'Default', 'project': 'admin'},
                 product='ico').build_auth()
    assert isinstance(auth, _auth_ico.IcoAuth) and auth.project == 'admin'


def test_missing_credentials_fail_with_what_to_set(capsys):
    result = exit_result(capsys, lambda: build({'url': 'https://vro'}).build_auth())
    assert 'VRO_USERNAME' in result['msg']


def test_api_error_becomes_a_structured_failure_without_secrets(capsys):
    module = build({'url': 'https://vro', 'username': 'u', 'password': 'Hunter2-secret'})
    error = ApiError('authentication failed', kind='auth', status=401, method='GET',
                     url='https://u:Hunter2-secret@vro/vco/api/about', server_message='bad Hunter2-secret')

    def operation(m):
        raise error
    result = exit_result(capsys, lambda: module.run(operation))
    assert result['failed'] is True
    assert result['error']['status'] == 401 and result['error']['kind'] == 'auth'
    assert 'Hunter2-secret' not in json.dumps(result)


def test_operation_error_carries_its_result(capsys):
    module = build({'url': 'https://vro', 'username': 'u', 'password': 'pw-unit-1'})

    def operation(m):
        raise OperationError('workflow run 42 failed: boom', execution_id='42', state='failed')
    result = exit_result(capsys, lambda: module.run(operation))
    assert result['msg'] == 'workflow run 42 failed: boom'
    assert result['execution_id'] == '42' and result['state'] == 'failed'


def test_value_error_is_a_one_line_failure(capsys):
    module = build({'url': 'https://vro', 'username': 'u', 'password': 'pw-unit-1'})

    def operation(m):
        raise ValueError("no input 'Name'")
    result = exit_result(capsys, lambda: module.run(operation))
    assert result['msg'] == "no input 'Name'"
    assert 'exception' not in result or 'Traceback' not in result.get('exception', '')


@pytest.mark.parametrize('value', ['INF', '-inf', float('inf')])
def test_infinite_integer_is_a_one_line_failure_not_a_traceback(capsys, value):
    # ansible-core's own int check raises OverflowError on these (found by hypothesis).
    result = exit_result(capsys, lambda: build({'url': 'https://vro', 'username': 'u', 'password': 'Secret-Pw-inf',
                                                'retries': value}))
    assert result['failed'] is True
    assert result['msg'].startswith('retries must be a whole number')
    assert 'Secret-Pw-inf' not in json.dumps(result)


def test_check_minimum_names_the_option_and_the_value():
    check_minimum({'max_results': 1, 'reuse_max_age': None}, 'max_results', 1)
    check_minimum({'reuse_max_age': None}, 'reuse_max_age', 0)
    with pytest.raises(ValueError, match=r'^max_results must be at least 1, got 0$'):
        check_minimum({'max_results': 0}, 'max_results', 1)
    with pytest.raises(ValueError, match=r'^reuse_max_age must not be negative, got -0.5$'):
        check_minimum({'reuse_max_age': -0.5}, 'reuse_max_age', 0)


# Negative infinity for timeout is already refused by its 'greater than 0' check; every other option meets the new rule.
NOT_FINITE = ['nan', 'NaN', 'inf', 'Infinity', float('nan'), float('inf')]


@pytest.mark.parametrize('option', ['timeout', 'wait_timeout', 'poll_interval', 'poll_interval_max', 'reuse_max_age'])
@pytest.mark.parametrize('value', NOT_FINITE)
def test_not_finite_float_options_are_refused_in_one_line(capsys, option, value):
    # nan compares false with everything, so the range checks let it through; inf overflows sleep(): one generic rule.
    extra = {'reuse_max_age': dict(type='float', default=3600.0)}
    result = exit_result(capsys, lambda: build({'url': 'https://vro', 'username': 'u', 'password': 'Secret-Pw-nan',
                                                option: value}, wait=True, argument_spec=extra))
    assert result['failed'] is True
    assert result['msg'].startswith('%s must be a finite number of seconds, got ' % option)
    assert '\n' not in result['msg']
    assert 'Secret-Pw-nan' not in json.dumps(result)


@pytest.mark.parametrize('product', ['vro', 'vcf', 'ico'])
@pytest.mark.parametrize('value', ['nan', 'inf', '+Infinity'])
def test_not_finite_timeout_from_the_environment_names_the_variable(capsys, monkeypatch, product, value):
    prefix = product.upper()
    monkeypatch.setenv('%s_TIMEOUT' % prefix, value)
    result = exit_result(capsys, lambda: build({'url': 'https://h', 'username': 'u', 'password': 'p'}, product=product))
    assert result['failed'] is True
    assert result['msg'].startswith('timeout must be a finite number of seconds')
    assert '%s_TIMEOUT' % prefix in result['msg']


def test_finite_float_options_pass():
    module = build({'url': 'https://vro', 'timeout': '2.5', 'wait_timeout': 0, 'poll_interval': 1e-3}, wait=True)
    assert module.params['timeout'] == 2.5 and module.params['wait_timeout'] == 0


# -- option validation in one place (issue 15) ------------------------------------------------------------------


def test_check_bounds_is_the_one_check_of_connection_wait_and_module_bounds():
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._module import (  # pylint: disable=import-outside-toplevel
        CONNECTION_BOUNDS, WAIT_BOUNDS, check_bounds)
    cases = [({'timeout': 0}, CONNECTION_BOUNDS, 'timeout must be greater than 0, got 0'),
             ({'retries': -1}, CONNECTION_BOUNDS, 'retries must not be negative, got -1'),
             ({'wait_timeout': -1, 'poll_interval': 1, 'poll_interval_max': 2}, WAIT_BOUNDS, 'wait_timeout must not be negative, got -1'),
             ({'wait_timeout': 1, 'poll_interval': 0, 'poll_interval_max': 2}, WAIT_BOUNDS, 'poll_interval must be greater than 0, got 0'),
             ({'wait_timeout': 1, 'poll_interval': 3, 'poll_interval_max': 2}, WAIT_BOUNDS,
              'poll_interval_max (2) must be at least poll_interval (3)'),
             ({'max_results': 0}, {'max_results': (1, True)}, 'max_results must be at least 1, got 0')]
    for params, bounds, message in cases:
        with pytest.raises(ValueError) as info:
            check_bounds(params, bounds)
        assert str(info.value) == message
    check_bounds({'timeout': None, 'retries': 0, 'wait_timeout': 0, 'poll_interval': 0.1, 'poll_interval_max': 0.1},
                 dict(CONNECTION_BOUNDS, **WAIT_BOUNDS))


def test_the_waiter_does_not_repeat_the_modules_option_messages():
    from ansible_collections.cloudops.orchestrator.plugins.module_utils._waiter import Waiter  # pylint: disable=import-outside-toplevel
    for kwargs in ({'timeout': -1}, {'interval': 0}, {'interval': 2, 'interval_max': 1}):
        with pytest.raises(ValueError) as info:
            Waiter(**kwargs)
        assert not [name for name in ('wait_timeout', 'poll_interval') if name in str(info.value)], str(info.value)


def test_shared_option_sets_are_written_once():
    # Every vRO module takes the workflow selector and secret_inputs from _module's argspec constants.
    import ast  # pylint: disable=import-outside-toplevel
    import os  # pylint: disable=import-outside-toplevel
    modules = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'plugins', 'modules')
    written = []
    for name in sorted(os.listdir(modules)):
        if not name.endswith('.py'):
            continue
        tree = ast.parse(open(os.path.join(modules, name)).read())
        # Sub-options (e.g. vcf_task_retry's credentials_update: username, password) are not the shared sets.
        nested = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == 'options':
                nested.update(id(inner) for inner in ast.walk(node.value))
        for node in ast.walk(tree):
            if id(node) in nested:
                continue
            if isinstance(node, ast.keyword) and node.arg in ('workflow_id', 'workflow_name', 'category', 'secret_inputs',
                                                              'wait', 'wait_timeout', 'url', 'username', 'password'):
                if isinstance(node.value, ast.Call):
                    written.append((name, node.arg))
    assert written == []


@pytest.mark.parametrize('product', ['vro', 'vcf', 'ico'])
def test_an_empty_url_that_hides_the_variable_says_so(capsys, monkeypatch, product):
    """url: "" (an unanswered survey field, a lookup of an unset variable) hides VRO_URL; the message used to be "no vRO
    URL: set the url option or the VRO_URL environment variable" although VRO_URL was set."""
    monkeypatch.setenv('%s_URL' % product.upper(), 'https://env.example.com')
    result = exit_result(capsys, lambda: build({'url': ''}, product=product))
    assert result['failed'] is True
    assert result['msg'] == ('url is empty, which hides the %s_URL environment variable: leave url out (or give it as '
                             '"{{ value | default(omit) }}") to use the variable, or set it' % product.upper())


def test_an_empty_url_without_the_variable_still_names_it(capsys):
    result = exit_result(capsys, lambda: build({'url': ''}))
    assert result['msg'] == 'no vRO URL: set the url option or the VRO_URL environment variable'


def test_an_empty_option_that_hides_a_variable_is_warned_and_stays_empty(monkeypatch, tmp_path):
    ca_file = tmp_path / 'ca.pem'
    ca_file.write_text('-----BEGIN CERTIFICATE-----\n')
    monkeypatch.setenv('VRO_CA_PATH', str(ca_file))
    monkeypatch.setenv('VRO_USERNAME', 'envuser')
    warnings = []
    monkeypatch.setattr(OrchestratorModule, 'warn', lambda self, text: warnings.append(text))
    module = build({'url': 'https://vro', 'ca_path': '', 'username': '', 'password': ''})
    assert module.params['ca_path'] == '' and module.params['username'] == ''
    assert sorted(warnings) == [
        'ca_path is empty, which hides the VRO_CA_PATH environment variable: leave ca_path out (or give it as '
        '"{{ value | default(omit) }}") to use the variable',
        'username is empty, which hides the VRO_USERNAME environment variable: leave username out (or give it as '
        '"{{ value | default(omit) }}") to use the variable']


def test_an_empty_selector_beside_a_given_one_is_no_choice():
    """workflow_id: "" (an unanswered survey field) next to workflow_name failed with ansible-core's bare "parameters
    are mutually exclusive: workflow_id|workflow_name"."""
    module = build({'url': 'https://vro', 'workflow_id': '', 'workflow_name': 'Backup'},
                   selector=workflow_selector())
    assert module.params['workflow_name'] == 'Backup' and module.params['workflow_id'] is None


def test_two_given_selectors_still_exclude_each_other(capsys):
    result = exit_result(capsys, lambda: build({'url': 'https://vro', 'workflow_id': 'w-1', 'workflow_name': 'Backup'},
                                               selector=workflow_selector()))
    assert result['failed'] is True and 'mutually exclusive' in result['msg']


def test_an_empty_selector_alone_is_still_refused(capsys):
    result = exit_result(capsys, lambda: build({'url': 'https://vro', 'workflow_id': ''}, selector=workflow_selector()))
    assert result['failed'] is True and result['msg'].startswith("refusing workflow_id '': an id is one URL path segment")
