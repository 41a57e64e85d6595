# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The quality gates themselves: a gate must never pass by running nothing.

The Makefile runs its recipes under ``bash -o pipefail``. There, ``find ... | grep -q .`` fails at random: ``grep -q``
exits at its first line and ``find``, still writing, dies of SIGPIPE, so the pipeline reports failure and the
"nothing found" branch runs. That is how ``make units`` once printed "no tests under tests/unit yet, skipped" in CI
and passed without running a unit test. ``tools/step.sh`` used to count pytest's exit code 5 (nothing collected) as a
pass, which hid the same kind of mistake in every other suite.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from _harness import REPO_ROOT

STEP = os.path.join(REPO_ROOT, 'tools', 'step.sh')
# A pipe into a reader that may stop early: grep with -q (or -m), head.
EARLY_READER = re.compile(r'\|\s*(grep\s+(-\w*[qm]\w*\b)|head\b)')


def _recipe_lines():
    with open(os.path.join(REPO_ROOT, 'Makefile'), encoding='utf-8') as handle:
        return [(number, line) for number, line in enumerate(handle, 1) if line.startswith('\t') or line.startswith('    ')]


def test_the_makefile_runs_under_pipefail():
    with open(os.path.join(REPO_ROOT, 'Makefile'), encoding='utf-8') as handle:
        assert re.search(r'^\.SHELLFLAGS\s*:=.*-o pipefail', handle.read(), re.M)


def test_no_recipe_pipes_into_a_reader_that_stops_early():
    found = [(number, line.strip()) for number, line in _recipe_lines() if EARLY_READER.search(line)]
    assert not found, 'under pipefail these fail at random (the writer dies of SIGPIPE): %s' % found


def test_the_early_reader_pattern_sees_the_old_unit_gate():
    # The line that skipped the unit suite in CI, as it was: the check above must catch its shape.
    old = "\t@if ! find $(COLL)/tests/unit -name 'test_*.py' 2>/dev/null | grep -q .; then \\"
    assert EARLY_READER.search(old)
    assert not EARLY_READER.search('\t    | { grep -v "is ignored" || true; }')


def _step(tmp_path, allow_empty):
    """Run tools/step.sh on a directory without tests; a copy of it, so that its log and summary go under tmp_path."""
    tools = tmp_path / 'tools'
    tools.mkdir()
    shutil.copy2(STEP, str(tools / 'step.sh'))
    empty = tmp_path / 'empty'
    empty.mkdir()
    env = dict(os.environ)
    env.pop('STEP_ALLOW_EMPTY', None)
    if allow_empty:
        env['STEP_ALLOW_EMPTY'] = '1'
    return subprocess.run([str(tools / 'step.sh'), 'empty', 'pytest', '--', sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider',
                           str(empty)], cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_pytest_gate_that_collects_nothing_fails(tmp_path):
    result = _step(tmp_path, allow_empty=False)
    assert result.returncode == 5, result.stdout + result.stderr
    assert 'collected no tests' in result.stdout
    with open(str(tmp_path / 'build' / 'summary-tests.txt'), encoding='utf-8') as handle:
        assert 'FAILED rc=5' in handle.read()


def test_a_narrowed_run_that_selects_nothing_passes(tmp_path):
    result = _step(tmp_path, allow_empty=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_tracked_link_points_outside_the_repository():
    # A worktree's links to the main checkout's venvs (.venv-eda -> /work/main/.venv-eda) were once committed: merged,
    # they replaced the venvs they pointed to, and a clean clone elsewhere holds links to nowhere.
    listed = subprocess.run(['git', 'ls-files', '-s', '-z'], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    links = [entry.split(b'\t', 1)[1].decode('utf-8') for entry in listed.split(b'\0') if entry.startswith(b'120000 ')]
    outside = []
    for path in links:
        target = os.readlink(os.path.join(REPO_ROOT, path)) if os.path.islink(os.path.join(REPO_ROOT, path)) else ''
        resolved = os.path.normpath(os.path.join(REPO_ROOT, os.path.dirname(path), target))
        if os.path.isabs(target) or not resolved.startswith(REPO_ROOT.rstrip(os.sep) + os.sep):
            outside.append((path, target))
    assert not outside, outside
    assert not [path for path in links if os.path.basename(path).startswith('.venv')], links
