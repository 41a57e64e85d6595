# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The migration guide (docs/docsite/rst/migrating.rst): every YAML block on the page is a whole playbook, and both
columns of each pair -- the hand-written uri tasks and the collection's module -- run as they stand against the
simulator (connection from the VRO_/VCF_/ICO_ environment, as the page says) and end with the same answer."""

from __future__ import annotations

import re
import shutil
import tempfile
import textwrap
from pathlib import Path

import pytest
import yaml

from _harness import REPO_ROOT, run_playbook

GUIDE = REPO_ROOT / 'docs' / 'docsite' / 'rst' / 'migrating.rst'
# What the last task of both columns of a pair shows ("Show ..."), on a freshly reset simulator.
ANSWERS = {
    'vro': re.compile(r'^i-[0-9a-f]{17}$'),  # AWSNEW's instanceId output
    'vcf': re.compile(r'^SUCCESSFUL$'),  # the seeded failed task that succeeds on its first retry
    'ico': re.compile(r'^COMPLETED$'),  # a new task-engine task run to its end
}


def yaml_blocks(text):
    """``(name, body)`` of every ``.. code-block:: yaml`` on the page, at any indentation (list-table cells
    included); ``name`` is the block's ``:name:`` option, or None."""
    blocks = []
    lines = text.split('\n')
    for index, line in enumerate(lines):
        match = re.match(r'^(\s*)(?:\* )?(?:- )?\.\. code-block:: yaml\s*$', line)
        if not match:
            continue
        name, body, position = None, [], index + 1
        while position < len(lines) and re.match(r'^\s+:[a-z-]+:', lines[position]):
            option = re.match(r'^\s+:name:\s*(\S+)', lines[position])
            name = option.group(1) if option else name
            position += 1
        indent = None
        while position < len(lines):
            current = lines[position]
            if current.strip():
                width = len(current) - len(current.lstrip())
                if indent is None:
                    indent = width
                if width < indent:
                    break
            body.append(current)
            position += 1
        blocks.append((name, textwrap.dedent('\n'.join(body)).strip() + '\n'))
    return blocks


BLOCKS = yaml_blocks(GUIDE.read_text(encoding='utf-8'))


def test_every_yaml_block_is_a_named_playbook_of_a_pair():
    names = [name for name, ignored in BLOCKS]
    assert names == ['migrating-vro-uri', 'migrating-vro-ours', 'migrating-vcf-uri', 'migrating-vcf-ours',
                     'migrating-ico-uri', 'migrating-ico-ours']
    for name, body in BLOCKS:
        plays = yaml.safe_load(body)
        assert isinstance(plays, list) and plays and all('hosts' in play and 'tasks' in play for play in plays), name
        modules = {key for play in plays for task in play['tasks'] for key in task if '.' in key}
        if name.endswith('-uri'):
            assert 'ansible.builtin.uri' in modules, name
        else:
            assert 'ansible.builtin.uri' not in modules and any(m.startswith('cloudops.orchestrator.') for m in modules), name
        assert plays[-1]['tasks'][-1]['name'].startswith('Show '), name


def test_the_yaml_block_reader_keeps_indentation_and_stops_at_the_cell_end():
    text = textwrap.dedent('''\
        * - .. code-block:: yaml
              :name: a

              - name: one
                hosts: localhost

          - .. code-block:: yaml
              :name: b

              - name: two
        ''')
    assert yaml_blocks(text) == [('a', '- name: one\n  hosts: localhost\n'), ('b', '- name: two\n')]


@pytest.mark.parametrize('name, body', BLOCKS, ids=[name for name, ignored in BLOCKS])
def test_guide_playbook_runs_against_the_simulator(fresh_simulator, name, body):
    product = name.split('-')[1]
    workdir = Path(tempfile.mkdtemp(prefix='i14mig-'))
    playbook = workdir / ('%s.yml' % name)
    playbook.write_text(body, encoding='utf-8')
    try:
        res = run_playbook(playbook, env=fresh_simulator.env(product))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    assert res.failed_results() == []
    shown = [r for r in res.results if r['task'].startswith('Show ')]
    assert len(shown) == 1, [r['task'] for r in res.results]
    assert ANSWERS[product].match(str(shown[0]['result']['msg'])), shown[0]['result']
