# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared option sets and return values are documented once (issue 15, rule 6).

Options: the named fragments of plugins/doc_fragments/vro_options.py; a module that extends one documents none of
its options itself (its own text would silently replace the fragment's). Return values: tools/shared_returns.py
holds the blocks and writes them into each module's RETURN; every module documents ``error``, identically. No
simulator is needed: the modules' documentation is read from their source.
"""

from __future__ import annotations

import ast
import shutil
import sys

import pytest
import yaml

from _harness import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / 'tools'))
import shared_returns  # noqa: E402  # pylint: disable=wrong-import-position

MODULES = sorted((REPO_ROOT / 'plugins' / 'modules').glob('*.py'))
FRAGMENTS = REPO_ROOT / 'plugins' / 'doc_fragments'


def docs(path):
    """The module's DOCUMENTATION and RETURN, parsed, as ansible-doc reads them before adding fragments."""
    found = {}
    for node in ast.parse(path.read_text(encoding='utf-8')).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and getattr(node.targets[0], 'id', None) in ('DOCUMENTATION', 'RETURN'):
            found[node.targets[0].id] = yaml.safe_load(node.value.value)
    return found['DOCUMENTATION'], found['RETURN']


def fragment_options(name):
    """``{fragment reference: [option names]}`` of one doc_fragments file's named fragments."""
    tree = ast.parse((FRAGMENTS / ('%s.py' % name)).read_text(encoding='utf-8'))
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            target = node.targets[0].id
            options = (yaml.safe_load(node.value.value) or {}).get('options') or {}
            reference = 'cloudops.orchestrator.%s' % name if target == 'DOCUMENTATION' else 'cloudops.orchestrator.%s.%s' % (name, target.lower())
            found[reference] = sorted(options)
    return found


def test_every_module_has_the_shared_return_values_as_written_in_the_tool():
    assert len(MODULES) >= 11
    assert shared_returns.problems() == []


@pytest.mark.parametrize('path', MODULES, ids=lambda p: p.stem)
def test_every_module_documents_the_same_error(path):
    error = yaml.safe_load(shared_returns.ERROR)['error']
    returns = docs(path)[1]
    assert returns['error'] == error
    assert sorted(error['contains']) == ['attempts', 'body_excerpt', 'details', 'hint', 'kind', 'message', 'method',
                                         'server_message', 'status', 'url']


def test_scheduled_task_fields_are_the_same_in_both_modules():
    fields = yaml.safe_load(shared_returns.SCHEDULED_TASK)
    task = docs(REPO_ROOT / 'plugins' / 'modules' / 'vro_task.py')[1]['task']['contains']
    tasks = docs(REPO_ROOT / 'plugins' / 'modules' / 'vro_task_info.py')[1]['tasks']['contains']
    assert task == fields
    assert {k: v for k, v in tasks.items() if k in fields} == fields and sorted(set(tasks) - set(fields)) == ['executions']


@pytest.mark.parametrize('path', MODULES, ids=lambda p: p.stem)
def test_no_module_documents_again_an_option_of_a_fragment_it_extends(path):
    documentation = docs(path)[0]
    shared = {}
    for name in ('vro_options', 'connection', 'wait'):
        shared.update(fragment_options(name))
    own = set(documentation.get('options') or {})
    for reference in documentation.get('extends_documentation_fragment') or []:
        assert not own & set(shared.get(reference, [])), '%s documents options of %s again' % (path.stem, reference)


def test_the_workflow_selector_is_one_fragment_used_by_every_module_with_a_workflow():
    users = [p.stem for p in MODULES if 'cloudops.orchestrator.vro_options.workflow_selector' in (docs(p)[0].get('extends_documentation_fragment') or [])]
    assert users == ['vro_execution_cancel', 'vro_execution_info', 'vro_interaction', 'vro_task', 'vro_task_info',
                     'vro_workflow_info', 'vro_workflow_run', 'vro_workflow_schema']
    secret = [p.stem for p in MODULES if 'cloudops.orchestrator.vro_options.secret_inputs' in (docs(p)[0].get('extends_documentation_fragment') or [])]
    assert secret == ['vro_interaction', 'vro_task', 'vro_workflow_run']
    for path in MODULES:
        own = set(docs(path)[0].get('options') or {})
        assert not own & {'workflow_id', 'workflow_name', 'category', 'secret_inputs'}, path.stem


# ---------------------------------------------------------------------------------------------------------------
# the tool itself, on a copy of the modules

@pytest.fixture(name='modules')
def modules_fixture(tmp_path):
    for path in MODULES:
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_check_reports_a_drifted_block_and_write_restores_it(modules, capsys):
    target = modules / 'vro_task.py'
    original = target.read_text(encoding='utf-8')
    target.write_text(original.replace('description: The task name.', 'description: The name of the task.'), encoding='utf-8')
    assert shared_returns.main(['--check', '--modules', str(modules)]) == 1
    out = capsys.readouterr().out
    assert "vro_task.py: shared block(s) error, scheduled_task differ from tools/shared_returns.py" in out
    assert 'vro_task_info.py' not in out
    assert shared_returns.main(['--modules', str(modules)]) == 0
    assert target.read_text(encoding='utf-8') == original
    assert shared_returns.main(['--check', '--modules', str(modules)]) == 0


def test_check_reports_a_module_without_error_and_broken_markers(modules):
    info = modules / 'orch_task_info.py'
    text = info.read_text(encoding='utf-8')
    start, end = text.index('# shared:error'), text.index('# end shared:error\n') + len('# end shared:error\n')
    info.write_text(text[:start] + text[end:], encoding='utf-8')
    (modules / 'vcf_task_info.py').write_text(text.replace('# end shared:error\n', ''), encoding='utf-8')
    (modules / 'vro_task_info.py').write_text(text.replace('# shared:error', '# shared:errors'), encoding='utf-8')
    found = shared_returns.problems(str(modules))
    assert "orch_task_info.py: no shared block 'error' in RETURN" in found
    assert any(line.startswith('vcf_task_info.py: ') and "has no closing line '# end shared:error'" in line for line in found)
    assert any(line.startswith('vro_task_info.py: ') and "unknown shared block 'errors'" in line for line in found)
    assert len(found) == 3
