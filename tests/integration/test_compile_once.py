# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_compile_once in real AnsiballZ runs: each module_utils file of ours is compiled at most once by the module process,
and not at all once its bytecode is in the cache.

A ``sitecustomize.py`` (first on ``PYTHONPATH``, which ansible-playbook passes to the module's interpreter) counts
``compile`` calls per file of the payload zip with an audit hook and appends them, at exit, to a file. Counts only.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from _harness import run_playbook, write_playbook

SITECUSTOMIZE = '''
import atexit, collections, json, os, sys
_counts = collections.Counter()


def _audit(event, args):
    if event == 'compile' and isinstance(args[1], str) and '.zip/' in args[1]:
        _counts[args[1].split('.zip/', 1)[1]] += 1


def _write():
    if _counts:
        with open(os.environ['CLOUDOPS_COMPILE_COUNTS'], 'a') as handle:
            handle.write(json.dumps(_counts) + '\\n')


sys.addaudithook(_audit)
atexit.register(_write)
'''
UTILS = 'ansible_collections/cloudops/orchestrator/plugins/module_utils/'
# Imported before the hook is in place: compiled twice, as every file was before it.
BEFORE = {UTILS + '_compile_once.py', UTILS + '__init__.py'}


def _counted_run(simulator, tmp_path, cache):
    """Compile counts (one dict per module process) of a playbook reading a workflow, then running one."""
    work = Path(tempfile.mkdtemp(prefix='co-'))
    try:
        (work / 'sitecustomize.py').write_text(SITECUSTOMIZE, encoding='utf-8')
        counts_file = work / 'counts.jsonl'
        path = write_playbook(tmp_path, 'compile_once', [
            {'name': 'info', 'cloudops.orchestrator.vro_workflow_info': {'workflow_name': 'Sleep'}},
            {'name': 'run', 'cloudops.orchestrator.vro_workflow_run': {'workflow_name': 'Sleep', 'inputs': {'seconds': 0},
                                                                       'wait': True}},
        ])
        env = dict(simulator.env('vro'), PYTHONPATH=str(work), CLOUDOPS_COMPILE_COUNTS=str(counts_file),
                   CLOUDOPS_ORCHESTRATOR_BYTECODE_CACHE=str(cache))
        res = run_playbook(path, env=env)
        assert res.result('info')['workflows'][0]['name'] == 'Sleep'
        assert res.result('run')['state'] == 'completed'
        return [json.loads(line) for line in counts_file.read_text(encoding='utf-8').splitlines()]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_a_read_and_a_run_compile_each_file_of_ours_once(simulator, tmp_path):
    lines = _counted_run(simulator, tmp_path, 'off')
    assert len(lines) == 2, lines  # one module process per task
    for counts in lines:
        ours = {name: n for name, n in counts.items() if name.startswith(UTILS) and name not in BEFORE}
        assert len(ours) > 10, counts
        assert set(ours.values()) == {1}, ours
        # ansible's own basic.py, loaded before any of ours, is untouched: compiled as zipimport compiles (twice on the
        # Pythons the hook is for), and so are the files imported before the hook is in place
        by_zipimport = counts['ansible/module_utils/basic.py']
        assert by_zipimport in (1, 2) and all(counts[name] == by_zipimport for name in BEFORE), counts
    assert UTILS + '_vro/workflow_info.py' in lines[0] and UTILS + '_vro/workflow_run.py' in lines[1]


def test_with_the_cache_a_file_is_compiled_by_the_first_run_that_needs_it_and_never_again(simulator, tmp_path):
    cache = Path(tempfile.mkdtemp(prefix='co-bc-'))
    try:
        first = _counted_run(simulator, tmp_path, cache)
        second = _counted_run(simulator, tmp_path, cache)
        stored = sorted(p.name for p in cache.rglob('*.bin'))
    finally:
        shutil.rmtree(str(cache), ignore_errors=True)
    ours = [{name: n for name, n in counts.items() if name.startswith(UTILS) and name not in BEFORE} for counts in first]
    # the read compiles and stores its files; the run compiles only those the read did not need
    assert len(ours[0]) > 10 and set(ours[0].values()) == {1}, ours[0]
    assert ours[1] and set(ours[1].values()) == {1} and not set(ours[0]) & set(ours[1]), ours[1]
    assert UTILS + '_client.py' in ours[0] and UTILS + '_vro/workflow_run.py' in ours[1]
    assert len(stored) == len(ours[0]) + len(ours[1])
    # the next playbook compiles nothing of ours; ansible's own files are compiled as before
    for counts in second:
        assert not [name for name in counts if name.startswith(UTILS) and name not in BEFORE], counts
        assert counts['ansible/module_utils/basic.py'] in (1, 2)
