# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The event sources' DOCUMENTATION and EXAMPLES are YAML that documentation tools can read.

ansible-rulebook never parses them, so nothing else notices when they stop being YAML: an unquoted ``C({"a": ...})``
in a plain list item is a mapping to a YAML parser, and the whole page fails to load.
"""

from __future__ import annotations

import ast
import os

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SOURCES = os.path.join(ROOT, 'extensions', 'eda', 'plugins', 'event_source')
NAMES = sorted(name[:-3] for name in os.listdir(SOURCES) if name.endswith('.py') and not name.startswith('_')) \
    if os.path.isdir(SOURCES) else []


def constants(name):
    with open(os.path.join(SOURCES, name + '.py'), encoding='utf-8') as handle:
        tree = ast.parse(handle.read())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            found[node.targets[0].id] = node.value.value
    return found


def test_there_are_event_sources_to_check():
    assert set(NAMES) >= {'vcf_tasks', 'vro_executions', 'ico_tasks'}


@pytest.mark.parametrize('name', NAMES)
def test_event_source_documentation_is_yaml_with_every_option_described(name):
    doc = yaml.safe_load(constants(name)['DOCUMENTATION'])
    assert isinstance(doc, dict), doc
    assert isinstance(doc.get('short_description'), str) and doc['short_description']
    assert doc['description'] and all(isinstance(line, str) and line for line in doc['description'])
    assert doc['options'], 'no options documented'
    for option, spec in doc['options'].items():
        assert isinstance(spec, dict) and spec.get('description'), option
        assert spec.get('type') in ('str', 'int', 'float', 'bool', 'list', 'dict', 'path', 'raw'), (option, spec.get('type'))


@pytest.mark.parametrize('name', NAMES)
def test_event_source_examples_are_yaml_naming_the_source(name):
    examples = yaml.safe_load(constants(name)['EXAMPLES'])
    assert examples, 'no examples'
    assert 'cloudops.orchestrator.' + name in constants(name)['EXAMPLES']
