# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The layers of module_utils, read statically (``ast``) from every import, function-level ones included.

Rules (docs/architecture.md): imports go one way (module -> runner -> api/model -> _client/_errors/_time); nothing
below the module layer imports Ansible; no private name is imported across files; no cycles; a read-only module
never compiles the vRO encoder; only the task modules ship the scheduled-task code; each module ships its own
product's auth scheme only.
"""

from __future__ import annotations

import ast
import os

import pytest

PREFIX = 'ansible_collections.cloudops.orchestrator.plugins.module_utils.'
HERE = os.path.dirname(os.path.abspath(__file__))
PLUGINS = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..', 'plugins'))
UTILS = os.path.join(PLUGINS, 'module_utils')
MODULES = os.path.join(PLUGINS, 'modules')
READ_ONLY = ('vro_execution_info', 'vcf_task_info', 'orch_task_info', 'vro_task_info',
             'vro_workflow_info', 'vro_workflow_schema')


def _name(path):
    """``_vro/api.py`` -> ``_vro.api``."""
    rel = os.path.relpath(path, UTILS)[:-3].replace(os.sep, '.')
    return rel[:-len('.__init__')] if rel.endswith('.__init__') else rel


def _imports(path, top_only=False):
    """``[(target, [names])]`` of every import in the file (any depth, or the top level only), targets as module_utils
    names or others."""
    found = []
    tree = ast.parse(open(path).read())
    for node in (tree.body if top_only else ast.walk(tree)):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(PREFIX):
                found.append((node.module[len(PREFIX):], [a.name for a in node.names]))
            elif node.module + '.' == PREFIX:
                found.extend((a.name, []) for a in node.names)
            else:
                found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((a.name, []) for a in node.names)
    return found


def _utils():
    files = {}
    for root, dirs, names in os.walk(UTILS):
        dirs.sort()
        for name in sorted(names):
            if name.endswith('.py'):
                files[_name(os.path.join(root, name))] = os.path.join(root, name)
    return files


UTILS_FILES = _utils()
GRAPH = {name: [t for t, n in _imports(path) if t in UTILS_FILES] for name, path in UTILS_FILES.items()}
# What a run compiles: _module's function-level imports (one auth scheme, one product's CONNECTION) are chosen by the
# product at run time, so the module's own imports say which product it is; every other file counts in full.
RUN_GRAPH = {name: [t for t, n in _imports(path, top_only=True) if t in UTILS_FILES] for name, path in UTILS_FILES.items()}


def closure(starts, graph=None):
    graph = GRAPH if graph is None else graph
    seen, todo = set(), list(starts)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(graph.get(name, []))
    return seen


def module_uses(module):
    path = os.path.join(MODULES, module + '.py')
    return closure((t for t, n in _imports(path) for t in ([t] + ['%s.%s' % (t, x) for x in n]) if t in UTILS_FILES), RUN_GRAPH)


MODULE_NAMES = sorted(n[:-3] for n in os.listdir(MODULES) if n.endswith('.py') and not n.startswith('_'))


def test_the_tree_is_what_the_architecture_page_draws():
    for package in ('_vro', '_vcf', '_ico'):
        assert package in UTILS_FILES, package  # each product is a package with an __init__.py
        assert '%s.api' % package in UTILS_FILES and '%s.model' % package in UTILS_FILES or package == '_vro'
    for name in ('_errors', '_client', '_time', '_waiter', '_module', '_adopt'):
        assert name in UTILS_FILES


def test_only_the_module_layer_imports_ansible():
    for name, path in UTILS_FILES.items():
        ansible = [t for t, n in _imports(path) if t.startswith('ansible.')]
        assert not ansible or name == '_module', (name, ansible)


def test_nothing_below_the_runners_imports_the_module_layer():
    for name in UTILS_FILES:
        if name != '_module':
            assert '_module' not in GRAPH[name], name


def test_no_private_name_is_imported_across_files():
    for name, path in UTILS_FILES.items():
        for target, names in _imports(path):
            if target in UTILS_FILES:
                private = [n for n in names if n.startswith('_') and n != '__future__']
                assert not private, (name, target, private)


def test_function_level_imports_only_go_down():
    # _module and _watch name no product: the product's api (connection()) and auth choice (build_auth) by name, never an
    # import; the vRO choice compiles the vRA login only when it is the scheme in use.
    allowed = {'_vro.auth': ('_auth_vra',), '_module': ('_waiter',), '_vro.run_api': ('_adopt',),
               '_vro.execution_info': ('_vro.catalog_api',)}
    for name, path in UTILS_FILES.items():
        top = set(t for t, n in _imports(path, top_only=True))
        lazy = [t for t, n in _imports(path) if t in UTILS_FILES and t not in top]
        assert all(t in allowed.get(name, ()) for t in lazy), (name, lazy)


def test_no_cycles():
    for name in UTILS_FILES:
        others = closure(GRAPH[name])
        assert name not in others, name


def test_api_and_model_never_import_a_runner():
    for package in ('_vro', '_vcf', '_ico'):
        layer = ('api', 'model', 'decode', 'encode', 'task_api', 'task_model', 'auth', 'run_api', 'interaction_api', 'inputs',
                 'workflow_api', 'catalog_api')
        lower = [n for n in UTILS_FILES if n in ['%s.%s' % (package, x) for x in layer]]
        for name in lower:
            for target in GRAPH[name]:
                assert not (target.startswith(package + '.') and target.split('.')[-1] not in layer), (name, target)


@pytest.mark.parametrize('module', MODULE_NAMES)
def test_each_module_imports_the_module_layer_and_its_own_product_only(module):
    used = module_uses(module)
    assert '_module' in used
    product = {'vro': '_vro', 'vcf': '_vcf', 'orch': '_ico'}[module.split('_')[0]]
    others = {'_vro', '_vcf', '_ico'} - {product}
    assert not [u for u in used if u.split('.')[0] in others], (module, used)


@pytest.mark.parametrize('module', READ_ONLY)
def test_a_read_only_module_never_compiles_the_encoder(module):
    assert '_vro.encode' not in module_uses(module)


def module_payload(module):
    """What ansible-core ships for the module: every module_utils file an import names, at any depth (its payload
    builder reads imports inside functions too), and the files those name in turn."""
    path = os.path.join(MODULES, module + '.py')
    return closure(t for t, n in _imports(path) for t in ([t] + ['%s.%s' % (t, x) for x in n]) if t in UTILS_FILES)


@pytest.mark.parametrize('module', MODULE_NAMES)
def test_a_module_payload_holds_no_other_product(module):
    # Every file shipped is parsed and zipped by the controller on each run: another product's API layer is dead weight.
    product = {'vro': '_vro', 'vcf': '_vcf', 'orch': '_ico'}[module.split('_')[0]]
    others = {'_vro', '_vcf', '_ico'} - {product}
    assert not sorted(u for u in module_payload(module) if u.split('.')[0] in others), module
    # ... and its own product's API layer, which OrchestratorModule.connection() imports by name at run time.
    assert '%s.api' % product in module_payload(module), module


# The auth scheme files each product's modules ship: their own product's (and the shared _auth), never another's.
AUTH_FILES = {'_vro': ('_auth', '_auth_vra'), '_vcf': ('_auth', '_auth_vcf'), '_ico': ('_auth', '_auth_ico')}


@pytest.mark.parametrize('module', MODULE_NAMES)
def test_a_module_payload_holds_its_own_auth_scheme_only(module):
    # OrchestratorModule.build_auth imports the product's auth choice by name; the product's api.py names it, so that it
    # ships with the module, with the scheme files it imports (the vRA login lazily: shipped, compiled only when used).
    product = {'vro': '_vro', 'vcf': '_vcf', 'orch': '_ico'}[module.split('_')[0]]
    shipped = module_payload(module)
    assert '%s.auth' % product in shipped, module
    assert sorted(u for u in shipped if u.startswith('_auth')) == sorted(AUTH_FILES[product]), module


# What only some modules run, by the names that define it: the vRO Task service and its nouns (vro_task, vro_task_info)
# and the encoder of inputs (the modules that write). A definition of one of these names in another module's payload is
# code that the controller parses and zips, and the module compiles, on every run for nothing.
TASK_ONLY = ('ScheduledTasks', 'ScheduledTask', 'DesiredTask', 'task_differences', 'task_body', 'limit_error')
TASK_MODULES = ('vro_task', 'vro_task_info')
ENCODE_ONLY = ('encode_parameters', 'encode_value')
WRITE_MODULES = ('vro_workflow_run', 'vro_interaction', 'vro_task')


def payload_definitions(module):
    """``{name: file}`` of the top-level classes and functions defined by the module_utils files the module ships."""
    return payload_names(module, methods=False)


@pytest.mark.parametrize('module', [m for m in MODULE_NAMES if m.startswith('vro_')])
def test_only_the_task_modules_ship_the_scheduled_task_code(module):
    defined = payload_definitions(module)
    shipped = sorted('%s (%s)' % (n, defined[n]) for n in TASK_ONLY if n in defined)
    if module in TASK_MODULES:
        assert 'ScheduledTasks' in defined and 'ScheduledTask' in defined, (module, shipped)  # the scan sees it where it is
    else:
        assert not shipped, (module, shipped)


@pytest.mark.parametrize('module', [m for m in MODULE_NAMES if m.startswith('vro_')])
def test_only_the_writing_modules_ship_the_encoder(module):
    defined = payload_definitions(module)
    shipped = sorted('%s (%s)' % (n, defined[n]) for n in ENCODE_ONLY if n in defined)
    assert bool(shipped) == (module in WRITE_MODULES), (module, shipped)


def payload_names(module, methods=True):
    """``{name: file}`` of the top-level classes and functions, and (``methods``) the methods of the classes, defined by
    the module_utils files the module ships (a method by its own name: ``start_once``)."""
    found = {}
    for name in module_payload(module):
        tree = ast.parse(open(UTILS_FILES[name]).read())
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                found[node.name] = name
            if methods and isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        found.setdefault(item.name, '%s.%s' % (name, node.name))
    return found


# Code that only some vRO modules can run, by the names that define it, and the modules that ship it (issue 16: every
# file shipped is parsed and zipped by the controller, and compiled twice by the module, on every run). The read
# module (vro_execution_info) and the other read-only modules ship none of it.
ONLY_IN = {
    # starting a run, and the adoption of a start whose answer was lost (_vro/run_api.py, _adopt.py)
    'start_once': ('vro_workflow_run', 'vro_execution_cancel'),
    'adopt_lost_all': ('vro_workflow_run', 'vro_execution_cancel'),
    'adopt_each': ('vro_workflow_run', 'vro_execution_cancel', 'vro_interaction', 'vro_task'),
    # cancelling a run, by version (_vro/run_api.py)
    'cancel_path': ('vro_workflow_run', 'vro_execution_cancel'),
    'major_version': ('vro_workflow_run', 'vro_execution_cancel'),
    # answering, dismissing and listing user interactions (_vro/interaction_api.py)
    'answer_interaction': ('vro_interaction',),
    'dismiss_interaction': ('vro_interaction',),
    'workflow_of_pending_run': ('vro_interaction',),
    # comparing the inputs of runs (reuse, adoption, task diffing) and the declared types (_vro/inputs.py)
    'same_inputs': ('vro_workflow_run', 'vro_execution_cancel', 'vro_interaction', 'vro_task', 'vro_task_info',
                    'vro_workflow_info'),
    # the secret inputs of a run (_inputs.py): only the modules that take inputs
    'inputs_with_secrets': ('vro_workflow_run', 'vro_interaction', 'vro_task'),
    # the read runner: only the read module (the runners that start, cancel or answer share _vro/run_shared.py)
    'all_runs': ('vro_execution_info',),
    # a workflow's schema image and its interactions (_vro/workflow_api.py): the workflow modules only
    'schema': ('vro_workflow_info', 'vro_workflow_schema'),
    'workflow_interactions': ('vro_workflow_info', 'vro_workflow_schema'),
    # the catalog of runs across workflows (_vro/catalog_api.py): the read module only
    'list_all_executions': ('vro_execution_info',),
}


@pytest.mark.parametrize('module', [m for m in MODULE_NAMES if m.startswith('vro_')])
def test_code_only_some_modules_run_is_shipped_by_those_only(module):
    defined = payload_names(module)
    wrong = sorted('%s (%s)' % (name, defined.get(name)) for name, users in ONLY_IN.items()
                   if (name in defined) != (module in users))
    assert not wrong, (module, wrong)


@pytest.mark.parametrize('module', [m for m in READ_ONLY if m.startswith('vro_')])
def test_a_read_only_module_ships_no_start_adoption_cancel_or_answer_code(module):
    defined = payload_names(module)
    shipped = sorted(n for n in ('start', 'start_once', 'adopt_lost', 'adopt_lost_all', 'adopt', 'adopt_each', 'cancel',
                                 'cancel_call', 'answer_interaction', 'dismiss_interaction') if n in defined)
    assert not shipped, (module, shipped)
    assert '_adopt' not in module_payload(module), module


@pytest.mark.parametrize('module', MODULE_NAMES)
def test_only_a_module_that_waits_compiles_the_poll_loop(module):
    # OrchestratorModule.waiter() imports _waiter when it builds a waiter: shipped with every module, compiled only by a
    # run that waits (a read without wait_for, an info module, never).
    assert '_waiter' in module_payload(module), module
    assert '_waiter' not in module_uses(module), module


# Public API methods that no runner calls (the unit tests walk them against the spec).
UNCALLED_API = ('other_case', 'start_once')
# What the read and run modules still ship uncalled, small and shared with the runners that call them (about 1.2 KB and
# 0.6 KB): a method added to VroApi or RunApi for other modules fails the test below; put it in a *_api.py file of its own.
SHIPPED_UNCALLED = {
    'vro_execution_info': ('VroApi.resolve_workflow', 'VroApi.server_now'),
    'vro_workflow_run': ('RunApi.cancel_call', 'VroApi.syslogs'),
}


def api_methods_not_called(module):
    """The public methods of the vRO API classes (``_vro/api.py`` and the ``*_api.py`` files) shipped with ``module`` that
    no code in its payload (the module file included) names: code shipped, parsed and zipped for another module."""
    files = [os.path.join(MODULES, module + '.py')] + [UTILS_FILES[n] for n in module_payload(module)]
    named, methods = set(), {}
    for path in files:
        tree = ast.parse(open(path).read())
        named.update(node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute))
        named.update(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))
        if os.path.basename(path) == 'api.py' or path.endswith('_api.py'):
            for node in tree.body:
                if isinstance(node, ast.ClassDef):
                    methods.update(('%s.%s' % (node.name, item.name), item.name) for item in node.body
                                   if isinstance(item, ast.FunctionDef) and not item.name.startswith('_'))
    return sorted(q for q, name in methods.items() if name not in named and name not in UNCALLED_API)


@pytest.mark.parametrize('module', ('vro_execution_info', 'vro_workflow_run'))
def test_the_read_and_run_modules_ship_only_api_methods_they_call(module):
    # Issue 16: the read (vro_execution_info) and the zero-second run (vro_workflow_run) pay for every shipped byte twice
    # (the controller parses and zips it, the module compiles it): an endpoint only other modules call lives in a
    # *_api.py file that only they import (_vro/workflow_api.py, _vro/catalog_api.py, run_api, interaction_api, task_api).
    assert [m for m in api_methods_not_called(module) if m not in SHIPPED_UNCALLED[module]] == [], module


def test_a_read_of_one_run_ships_the_catalog_of_runs_but_never_compiles_it():
    # vro_execution_info lists the runs of every workflow only without a workflow: all_runs imports _vro/catalog_api.py
    # when it runs, so that the read of one run (issue 16) does not compile it; no other module ships it.
    assert '_vro.catalog_api' in module_payload('vro_execution_info')
    assert '_vro.catalog_api' not in module_uses('vro_execution_info')
    assert [m for m in MODULE_NAMES if '_vro.catalog_api' in module_payload(m)] == ['vro_execution_info']
