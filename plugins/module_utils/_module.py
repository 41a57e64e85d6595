# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base class of every module: composed argument spec, late-bound environment fallbacks, the client
factory and the mapping of errors to ``fail_json``.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import importlib
import math
import os

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import (
    Client, HAS_REQUESTS, MIN_SECRET_LEN, REQUESTS_IMPORT_ERROR, SHORT_SECRET_WARNING, path_segment, redact, url_password,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import masked as masked_secrets
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, ConfigError, OperationError, WaitTimeout, safe_url
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import parse_duration

# The package of this file, for the product API layers imported by name (see OrchestratorModule.connection).
UTILS_PACKAGE = __name__.rpartition('.')[0]

ENV_PREFIX = {'vro': 'VRO', 'vcf': 'VCF', 'ico': 'ICO'}
PRODUCT_NAMES = {'vro': 'vRO', 'vcf': 'SDDC Manager', 'ico': 'IBM Cloud Orchestrator'}

_COMMON = dict(
    url=dict(type='str'),
    username=dict(type='str'),
    password=dict(type='str', no_log=True),
    validate_certs=dict(type='bool'),
    ca_path=dict(type='path'),
    timeout=dict(type='raw'),
    connect_timeout=dict(type='raw'),
    retries=dict(type='int'),
    use_proxy=dict(type='bool'),
)

CONNECTION_SPECS = {
    'vro': dict(_COMMON, token=dict(type='str', no_log=True), auth=dict(type='str', choices=['basic', 'vra', 'token']),
                auth_domain=dict(type='str'), auth_tenant=dict(type='str')),
    'vcf': dict(_COMMON, token=dict(type='str', no_log=True)),
    'ico': dict(_COMMON, domain=dict(type='str'), project=dict(type='str')),
}

# Defaults applied after the environment, so that an unset option can still be taken from it.
CONNECTION_DEFAULTS = dict(validate_certs=True, timeout=30.0, retries=3, use_proxy=True, connect_timeout=5.0)

WAIT_SPEC = dict(
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='raw', default=600.0),
    poll_interval=dict(type='raw', default=0.25),
    poll_interval_max=dict(type='raw', default=15.0),
)

# Options that are durations: typed raw (ansible-core's float refuses '10m'), then turned into seconds (floats, as
# ansible-core's float gave them) by _time.parse_duration, the one grammar, before anything else reads them.
# A module's own duration option is declared dict(type='raw', default=<seconds as a float>) under one of these names.
DURATION_OPTIONS = ('timeout', 'connect_timeout', 'wait_timeout', 'poll_interval', 'poll_interval_max',
                    'reuse_max_age', 'retry_grace')

# Bounds that ansible-core's int and float cannot express, next to the option set they belong to, checked by
# check_bounds: {option: (minimum, inclusive)}; a minimum that is an option name means "at least that option".
# A module adds its own with ``minimums=`` (inclusive).
CONNECTION_BOUNDS = {'timeout': (0, False), 'retries': (0, True)}
WAIT_BOUNDS = {'wait_timeout': (0, True), 'poll_interval': (0, False), 'poll_interval_max': ('poll_interval', True)}

# The workflow selector of the vRO modules (doc fragment vro_options.workflow_selector); its rules: workflow_selector().
WORKFLOW_SELECTOR_SPEC = dict(
    workflow_id=dict(type='str'),
    workflow_name=dict(type='str'),
    category=dict(type='str'),
)

# Options whose values go into URL paths, one segment each: checked before anything is sent.
ID_OPTIONS = ('id', 'task_id', 'task_ids', 'workflow_id', 'execution_id')

# Options whose values may hold secrets that are recognised only later (a SecureString input is known once the
# workflow's definition is read, after ansible-core has logged its invocation): the invocation log and the
# ``invocation`` result show them with every value masked. Per option, the keys of each mapping kept in clear.
LATE_SECRET_OPTIONS = {'inputs': (), 'runs': (), 'raw_inputs': ('name', 'type', 'scope'), 'secret_inputs': ()}
# Inputs known to be secret whatever their declared type: merged into the inputs, never logged nor returned.
SECRET_INPUTS_SPEC = dict(type='dict', no_log=True)
# Options whose mappings may hold secrets by key (orch_task's task.parm.password): the invocation log and the
# ``invocation`` result show the values under secret-named keys masked (_client.masked, the rule of the results).
KEYED_SECRET_OPTIONS = ('task',)
MASK = '********'

_CONVERT = {'bool': boolean, 'float': float, 'int': int, 'str': str, 'path': lambda v: os.path.expanduser(os.path.expandvars(v))}


def _finite(value):
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError, OverflowError):
        return True  # not a number at all: ansible-core reports it itself


def check_bounds(params, bounds):
    """Raise ValueError for the first option of ``bounds`` (``{name: (minimum, inclusive)}``) that is set and out of them.

    The one check of option bounds (ansible-core's int and float have none): the connection's, the wait options' and
    each module's ``minimums``. A minimum that is an option name means "at least that option".
    """
    for name, (minimum, inclusive) in bounds.items():
        value = params.get(name)
        if value is None:
            continue
        if isinstance(minimum, str):
            other = params.get(minimum)
            if other is not None and value < other:
                raise ValueError('%s (%s) must be at least %s (%s)' % (name, value, minimum, other))
        elif value < minimum or (not inclusive and value == minimum):
            need = ('be greater than %s' % minimum if not inclusive else 'not be negative' if minimum == 0
                    else 'be at least %s' % minimum)
            raise ValueError('%s must %s, got %s' % (name, need, value))


def check_minimum(params, name, minimum):
    """Raise ValueError when option ``name`` is set and below ``minimum`` (see :func:`check_bounds`)."""
    check_bounds(params, {name: (minimum, True)})


def workflow_selector(required=False, alternatives=(), category_needs_name=False):
    """The rules of the workflow selector (WORKFLOW_SELECTOR_SPEC), as keyword arguments of OrchestratorModule.

    ``workflow_id``, ``workflow_name`` and the ``alternatives`` (such as ``execution_url``) exclude each other;
    ``required``: one of them must be given; ``category_needs_name``: ``category`` only with ``workflow_name``.
    """
    selector = ('workflow_id', 'workflow_name') + tuple(alternatives)
    rules = {'mutually_exclusive': [selector]}
    if required:
        rules['required_one_of'] = [selector]
    if category_needs_name:
        rules['required_by'] = {'category': 'workflow_name'}
    return rules


def mask_late_secrets(value, clear=()):
    """``value`` of a LATE_SECRET_OPTIONS option with every value masked: mapping keys (input names) and the keys
    named in ``clear`` stay readable; lists are masked element by element."""
    if value is None:
        return None
    if isinstance(value, dict):
        return dict((key, item if key in clear else MASK) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [mask_late_secrets(item, clear) for item in value]
    return MASK


def connection_argument_spec(product):
    """The connection options of one product, as a fresh argument spec."""
    return {name: dict(spec) for name, spec in CONNECTION_SPECS[product].items()}


class OrchestratorModule(AnsibleModule):
    """AnsibleModule with the connection (and optionally wait) options of one product merged in."""

    def __init__(self, product, argument_spec=None, wait=False, minimums=None, selector=None, **kwargs):
        """``wait``: add the wait options; ``selector``: add the workflow selector with these rules (see
        :func:`workflow_selector`); ``minimums``: ``{option: minimum}`` bounds of the module's own options."""
        if product not in ENV_PREFIX:
            raise ValueError('unknown product %r' % (product,))
        self.product = product
        spec = connection_argument_spec(product)
        if wait:
            spec.update({name: dict(opt) for name, opt in WAIT_SPEC.items()})
        if selector is not None:
            spec.update({name: dict(opt) for name, opt in WORKFLOW_SELECTOR_SPEC.items()})
            for key, rules in selector.items():
                if isinstance(rules, dict):
                    kwargs[key] = dict(rules, **kwargs.get(key, {}))
                else:
                    kwargs[key] = list(rules) + list(kwargs.get(key, []))
        spec.update(argument_spec or {})
        try:
            super().__init__(argument_spec=spec, **kwargs)
        except OverflowError:
            # ansible-core's int check overflows on 'inf' instead of reporting a bad value.
            self._fail_not_finite(spec)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        self._client = None
        self._convert_durations(spec)
        self._apply_environment(spec)
        self._check_ids(spec)
        self._check_finite_floats(spec)
        if wait:
            self._check_bounds(WAIT_BOUNDS)
        self._check_bounds(dict((name, (minimum, True)) for name, minimum in (minimums or {}).items()))

    def _load_params(self):
        """The task's arguments, less an empty value beside a given one of the same exclusive group.

        An unanswered AWX survey field or a lookup of an unset variable gives ``workflow_id: ""`` next to
        ``workflow_name: Backup``: no choice was made, and ansible-core's bare "parameters are mutually exclusive"
        would not say which. An empty value alone stays, and fails as before.
        """
        super()._load_params()
        params = self.params if isinstance(self.params, dict) else {}
        for group in self.mutually_exclusive or ():
            if any(params.get(name) not in (None, '') for name in group):
                for name in group:
                    if params.get(name) == '':
                        del params[name]

    # -- options -----------------------------------------------------------------------------------------

    def _fail_not_finite(self, spec):
        params = self.params or {}
        self.no_log_values.update(v for k, v in params.items() if isinstance(v, str) and spec.get(k, {}).get('no_log'))
        bad = sorted(k for k, v in params.items() if spec.get(k, {}).get('type') == 'int' and not _finite(v))
        self.fail_json(msg='%s must be a whole number, got %s' % (
            ' and '.join(bad) or 'an integer option', ', '.join(repr(params[k]) for k in bad) or 'an infinite value'),
            invocation={'module_args': {}})

    def _convert_durations(self, spec):
        """Turn every duration option given (DURATION_OPTIONS typed raw) into seconds, or fail in one line."""
        for name in DURATION_OPTIONS:
            if name in spec and spec[name].get('type') == 'raw':
                try:
                    self.params[name] = parse_duration(self.params.get(name), name)
                except ValueError as error:
                    self.fail_json(msg=str(error))

    def env_name(self, option):
        return '%s_%s' % (ENV_PREFIX[self.product], option.upper())

    def _apply_environment(self, spec):
        hidden = []
        for name in CONNECTION_SPECS[self.product]:
            if self.params.get(name) is not None:
                if self.params.get(name) == '' and os.environ.get(self.env_name(name)) not in (None, ''):
                    hidden.append(name)
                continue
            raw = os.environ.get(self.env_name(name))
            if raw not in (None, ''):
                kind = spec[name].get('type', 'str')
                if name in DURATION_OPTIONS:
                    try:
                        raw = parse_duration(raw, name, origin=' (from the environment variable %s)' % self.env_name(name))
                    except ValueError as error:
                        self.fail_json(msg=str(error))
                    kind = 'float'
                try:
                    value = _CONVERT[kind](raw)
                except (TypeError, ValueError):
                    self.fail_json(msg='environment variable %s=%r is not a valid %s for option %s' % (
                        self.env_name(name), raw if not spec[name].get('no_log') else '********', kind, name))
                if spec[name].get('choices') and value not in spec[name]['choices']:
                    self.fail_json(msg='environment variable %s must be one of %s, got %r' % (
                        self.env_name(name), ', '.join(spec[name]['choices']), value))
                self.params[name] = value
                if spec[name].get('no_log'):
                    self.add_secret(value)
            elif name in CONNECTION_DEFAULTS:
                self.params[name] = CONNECTION_DEFAULTS[name]
        for name in hidden:
            # An empty value (an unanswered AWX survey field, a lookup of an unset variable) is a value: say what it hides.
            if name != 'url':
                self.warn('%s is empty, which hides the %s environment variable: leave %s out (or give it as '
                          '"{{ value | default(omit) }}") to use the variable' % (name, self.env_name(name), name))
        if not self.params.get('url'):
            if 'url' in hidden:
                self.fail_json(msg='url is empty, which hides the %s environment variable: leave url out (or give it as '
                                   '"{{ value | default(omit) }}") to use the variable, or set it' % self.env_name('url'))
            self.fail_json(msg='no %s URL: set the url option or the %s environment variable' % (
                PRODUCT_NAMES[self.product], self.env_name('url')))
        self.add_secret(url_password(self.params['url']))
        self._check_bounds(CONNECTION_BOUNDS)
        ca_path = self.params.get('ca_path')
        if ca_path and not os.path.exists(ca_path):
            self.fail_json(msg="ca_path '%s' does not exist: give the path of the CA bundle (PEM) that signed the "
                               "server certificate" % ca_path)

    def _check_ids(self, spec):
        """Refuse an id that could leave its URL path segment (``../tokens``, ``%2e%2e``), before anything is sent."""
        for name in ID_OPTIONS:
            value = self.params.get(name) if name in spec else None
            for item in value if isinstance(value, list) else [value]:
                if item is None:
                    continue
                try:
                    path_segment(item, option=name)
                except ApiError as error:
                    self.fail_json(msg=str(error))

    def _check_finite_floats(self, spec):
        """Refuse nan and inf in every float option (ansible-core's float accepts them; sleeps and deadlines do not)."""
        for name in sorted(spec):
            value = self.params.get(name)
            if spec[name].get('type') != 'float' or value is None or _finite(value):
                continue
            source = ''
            if name in CONNECTION_SPECS[self.product] and not _finite(os.environ.get(self.env_name(name)) or 0):
                source = ' (from the environment variable %s)' % self.env_name(name)
            self.fail_json(msg='%s must be a finite number of seconds, got %s%s: set a number such as %s' % (
                name, value, source, spec[name].get('default') or CONNECTION_DEFAULTS.get(name) or 30))

    def _check_bounds(self, bounds):
        """Fail on the first option out of ``bounds`` (see :func:`check_bounds`), before anything is sent."""
        try:
            check_bounds(self.params, bounds)
        except ValueError as error:
            self.fail_json(msg=str(error))

    def add_secret(self, value):
        """Mask ``value`` in every result and message of this run; one too short to mask safely is left out (warned)."""
        if value in (None, '') or not isinstance(value, str):
            return
        if len(value) < MIN_SECRET_LEN:
            self._warn_short_secret()
            return
        self.no_log_values.add(value)

    def _warn_short_secret(self):
        if not getattr(self, '_short_secret_warned', False):
            self._short_secret_warned = True
            self.warn(SHORT_SECRET_WARNING)

    # -- secrets in inputs -------------------------------------------------------------------------------

    def masked_params(self):
        """The module's parameters with the values of LATE_SECRET_OPTIONS masked (for logs and ``invocation``)."""
        params = dict(self.params or {})
        spec = getattr(self, 'argument_spec', None) or {}
        for name, clear in LATE_SECRET_OPTIONS.items():
            if name in spec and name in params:
                params[name] = mask_late_secrets(params[name], clear)
        for name in KEYED_SECRET_OPTIONS:
            if name in spec and isinstance(params.get(name), (dict, list)):
                params[name] = masked_secrets(params[name])
        if isinstance(params.get('url'), str):
            params['url'] = safe_url(params['url'])  # a password in url (refused by the client) is logged by no one
        return params

    def _log_invocation(self):
        # ansible-core logs every parameter to syslog/journald from __init__, before a SecureString input can be
        # recognised: log the masked parameters instead (ansible-core's own rules still apply to the others).
        params = self.params
        self.params = self.masked_params()
        try:
            super()._log_invocation()
        finally:
            self.params = params

    def exit_json(self, **kwargs):
        # ansible-core < 2.21 (and 2.21 with inject_invocation) returns the parameters as invocation.module_args.
        kwargs.setdefault('invocation', {'module_args': self.masked_params()})
        super().exit_json(**kwargs)

    def fail_json(self, msg, **kwargs):
        kwargs.setdefault('invocation', {'module_args': self.masked_params()})
        super().fail_json(msg, **kwargs)

    # -- client ------------------------------------------------------------------------------------------

    def build_auth(self):
        """The product's auth scheme for these options (``_<product>/auth.py`` ``choose_auth``, the one choice that the
        event sources make too); options that cannot work fail the task with its one-line message.

        Imported by name, as :meth:`connection` imports the API layer: naming the three products' choices here would
        ship every product's auth scheme with every module. The product's ``api.py`` names its own.
        """
        chooser = importlib.import_module('%s._%s.auth' % (UTILS_PACKAGE, self.product))
        # What the environment holds for the connection options: a tenant equal to VRO_AUTH_TENANT counts as the
        # environment's (an AWX credential), which auth: token in the task overrides (see _vro/auth.tenant_scheme).
        environment = dict((name, os.environ.get(self.env_name(name))) for name in CONNECTION_SPECS[self.product])
        try:
            return chooser.choose_auth(self.params, environment)
        except ConfigError as error:
            self.fail_json(msg=str(error))

    def connection(self):
        """The product's CONNECTION (API path, name, error-body parser) for the client, from its API layer.

        The API module is named at run time, not in an import statement: ansible-core's payload builder ships every
        module_utils file that an import names anywhere in this file, so naming the three products here put the other
        two products' API layers into every module's payload (parsed and zipped by the controller on every run). The
        runner has already imported its own product's API layer, so this costs nothing at run time.
        """
        return importlib.import_module('%s._%s.api' % (UTILS_PACKAGE, self.product)).CONNECTION

    def client(self):
        """The one client of this module run, built on first use."""
        if self._client is None:
            p = self.params
            if not p['validate_certs']:
                self.warn('validate_certs is false: the server certificate is not checked, which is insecure; '
                          'prefer ca_path')
            secret = 'password' if p.get('password') else 'token' if p.get('token') else None
            if secret and str(p['url']).strip().lower().startswith('http://'):
                self.warn('url %s is http://: the %s travels in clear text to the server; use https://' % (
                    safe_url(p['url']), secret))
            try:
                self._client = Client(p['url'], auth=self.build_auth(), validate_certs=p['validate_certs'],
                                      ca_path=p.get('ca_path'), timeout=p['timeout'], retries=p['retries'],
                                      use_proxy=p['use_proxy'], warn=self.warn, debug=self.debug_line,
                                      connect_timeout=p.get('connect_timeout'),
                                      user_agent='cloudops.orchestrator/%s' % self._name, **self.connection())
                self._client.check_base = True  # a 404 before any success probes whether the path in url is wrong
            except ApiError as error:
                self.fail_from(error)
        return self._client

    def debug_line(self, msg):
        """A line of the client the user need not see (a read resent after a keep-alive race), never a warning: Ansible's
        module log (journal or syslog) at -vvv or with ANSIBLE_DEBUG, without the secrets known so far."""
        if getattr(self, '_verbosity', 0) >= 3 or getattr(self, '_debug', False):
            self.log('[debug] %s' % redact(str(msg), self._secrets()))

    def waiter(self, timeout=None):
        """A waiter configured from the wait options."""
        # Imported here: a module that never waits does not compile the poll loop (docs/architecture.md, rule 4).
        from ansible_collections.cloudops.orchestrator.plugins.module_utils._waiter import Waiter  # pylint: disable=import-outside-toplevel
        p = self.params
        return Waiter(timeout=p['wait_timeout'] if timeout is None else timeout, interval=p['poll_interval'],
                      interval_max=p['poll_interval_max'], client=self._client)

    # -- results -----------------------------------------------------------------------------------------

    def _secrets(self):
        secrets = set(self.no_log_values)
        if self._client is not None:
            secrets.update(self._client.secrets)
        return secrets

    def fail_from(self, error, **result):
        """Fail the task from an :class:`ApiError`, :class:`WaitTimeout` or :class:`OperationError`."""
        secrets = self._secrets()
        self.no_log_values.update(s for s in secrets if isinstance(s, str) and s)
        if isinstance(error, ApiError):
            result.setdefault('error', error.to_result())
        elif isinstance(error, OperationError):
            result = dict(error.result, **result)
        elif isinstance(error, WaitTimeout):
            result.setdefault('polls', error.polls)
        result.pop('msg', None)
        self.fail_json(msg=redact(str(error), secrets), **result)

    def reveal(self, value):
        """Return ``value``, a secret the client learnt, unmasked in a successful result (vro_login's token, whose
        result its action plugin hides from every output)."""
        self._revealed = getattr(self, '_revealed', set()) | {value}

    def exit(self, **result):
        revealed = getattr(self, '_revealed', set())
        self.no_log_values.update(s for s in self._secrets() if isinstance(s, str) and s and s not in revealed)
        self.exit_json(**result)

    def run(self, operation):
        """Call ``operation(self)`` and exit with its result dict, mapping every known error to a failure."""
        try:
            result = operation(self)
        except (ApiError, WaitTimeout, OperationError) as error:
            self.fail_from(error)
        except ValueError as error:
            self.fail_json(msg=redact(str(error), self._secrets()))
        self.exit(**result)
