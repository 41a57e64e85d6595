# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_compile_once: our module_utils compiled once when zipimport loads them, as from an AnsiballZ payload.

A real zip laid out as ansible-core lays out a payload (empty ``__init__.py`` down to ``module_utils``, our files
beneath) is put on ``sys.path`` of a fresh interpreter, which counts ``compile`` calls per file (an audit hook) while
it imports every file of ours, with the hook imported first or not. Counts and module attributes, never timings.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import platform
import shutil
import stat
import subprocess
import sys
import zipfile
import zipimport

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils import _compile_once

HERE = os.path.dirname(os.path.abspath(__file__))
UTILS = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..', 'plugins', 'module_utils'))
PACKAGE = 'ansible_collections.cloudops.orchestrator.plugins.module_utils'
HOOK = PACKAGE + '._compile_once'
PARENTS = ('ansible_collections', 'ansible_collections/cloudops', 'ansible_collections/cloudops/orchestrator',
           'ansible_collections/cloudops/orchestrator/plugins', 'ansible_collections/cloudops/orchestrator/plugins/module_utils')

# Imported by the child: compile counts (audit hook) and what each module looks like; argv: zip, hook first (0/1),
# names. The hook is imported first when asked, then every name; a function's code filename shows what tracebacks say.
CHILD = r'''
import collections, json, sys
counts = collections.Counter()
def audit(event, args):
    if event == 'compile' and isinstance(args[1], str) and '.zip' in args[1]:
        counts[args[1].split('.zip/', 1)[1]] += 1
sys.addaudithook(audit)
archive, first, names = sys.argv[1], sys.argv[2] == '1', sys.argv[3:]
sys.path.insert(0, archive)
import importlib
if first:
    importlib.import_module('%(hook)s')
seen = {}
for name in names:
    module = importlib.import_module(name)
    spec = module.__spec__
    functions = [v for v in vars(module).values() if getattr(v, '__module__', None) == name and hasattr(v, '__code__')]
    seen[name] = dict(file=module.__file__, origin=spec.origin, cached=spec.cached, path=getattr(module, '__path__', None),
                      search=spec.submodule_search_locations, loader=type(spec.loader).__name__,
                      same_loader=spec.loader is module.__loader__, parent=spec.parent,
                      code_file=functions[0].__code__.co_filename if functions else None)
hooks = [type(f).__name__ for f in sys.meta_path]
print(json.dumps(dict(counts=counts, seen=seen, meta_path=hooks)))
''' % dict(hook=HOOK)


def _sources():
    """``{zip path: source path}`` of every module_utils file of ours."""
    found = {}
    for root, dirs, names in os.walk(UTILS):
        dirs[:] = sorted(d for d in dirs if d != '__pycache__')
        for name in sorted(names):
            if name.endswith('.py'):
                rel = os.path.relpath(os.path.join(root, name), UTILS).replace(os.sep, '/')
                found[PARENTS[-1] + '/' + rel] = os.path.join(root, name)
    return found


def _module_name(zip_path):
    name = zip_path[:-3].replace('/', '.')
    return name[:-len('.__init__')] if name.endswith('.__init__') else name


def build_payload(directory, extra=None):
    """A payload-like zip of our module_utils; ``extra``: ``{zip path: bytes}`` added to it."""
    archive = os.path.join(str(directory), 'payload.zip')
    with zipfile.ZipFile(archive, 'w', zipfile.ZIP_DEFLATED) as zf:
        for parent in PARENTS:
            zf.writestr(parent + '/__init__.py', b'')
        for inner, source in _sources().items():
            with open(source, 'rb') as f:
                zf.writestr(inner, f.read())
        for inner, data in (extra or {}).items():
            zf.writestr(inner, data)
    return archive


# Every file of ours but _module (the only one importing Ansible, which the zip does not hold).
NAMES = [_module_name(p) for p in _sources() if not p.endswith('/_module.py') and not p.endswith('/_compile_once.py')]


def run_child(archive, first, names=None, cache=None, flags=()):
    """Import ``names`` in a fresh interpreter from ``archive``; ``cache``: the bytecode cache setting (off unless
    given, so that no test writes into the home directory)."""
    env = dict(os.environ, CLOUDOPS_ORCHESTRATOR_BYTECODE_CACHE=str(cache) if cache is not None else 'off')
    out = subprocess.run([sys.executable, '-I'] + list(flags) + ['-c', CHILD, archive, '1' if first else '0'] + list(names or NAMES),
                         capture_output=True, text=True, timeout=120, check=False, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope='module')
def payload(tmp_path_factory):
    return build_payload(tmp_path_factory.mktemp('payload'))


@pytest.fixture(scope='module')
def without_hook(payload):
    return run_child(payload, first=False)


@pytest.fixture(scope='module')
def with_hook(payload):
    return run_child(payload, first=True)


def _ours(counts):
    return {k: v for k, v in counts.items() if k.startswith(PARENTS[-1] + '/') and not k.endswith('/module_utils/__init__.py')}


def test_zipimport_compiles_each_source_twice_without_the_hook(without_hook):
    # The CPython behaviour the hook works around (3.11 to 3.13). On a Python whose zipimport compiles once the test
    # skips saying so: the hook is not needed there (see _compile_once's docstring).
    ours = _ours(without_hook['counts'])
    assert len(ours) == len(NAMES) > 20
    if set(ours.values()) == {1}:
        pytest.skip('this Python (%s) compiles a zipped source module once (gh-141276 fixed): _compile_once is not needed '
                    'on it; remove it once no supported Python needs it' % platform.python_version())
    assert set(ours.values()) == {2}, ours
    assert 'CompileOnceFinder' not in without_hook['meta_path']


def test_with_the_hook_first_every_other_file_of_ours_compiles_once(with_hook):
    ours = _ours(with_hook['counts'])
    hook_file = PARENTS[-1] + '/_compile_once.py'
    assert ours.pop(hook_file) in (1, 2)  # imported before it is in place: as often as zipimport compiles
    assert len(ours) == len(NAMES)
    assert set(ours.values()) == {1}, ours
    assert with_hook['meta_path'][0] == 'CompileOnceFinder'


def test_the_hook_changes_no_module_attribute(with_hook, without_hook, payload):
    assert with_hook['seen'] == without_hook['seen']
    execution = with_hook['seen'][PACKAGE + '._vro.execution_info']
    assert execution['file'] == execution['origin'] == execution['code_file'] == payload + '/' + PARENTS[-1] + '/_vro/execution_info.py'
    assert execution['loader'] == 'zipimporter' and execution['same_loader']
    vro = with_hook['seen'][PACKAGE + '._vro']
    assert vro['path'] == vro['search'] == [payload + '/' + PARENTS[-1] + '/_vro']


def test_a_name_outside_our_package_is_left_to_the_normal_import(payload, without_hook):
    seen = run_child(payload, first=True, names=['ansible_collections.cloudops.orchestrator.plugins'])
    plugins = 'ansible_collections/cloudops/orchestrator/plugins/__init__.py'
    # compiled as often as zipimport alone compiles it (twice on the Pythons the hook is for)
    assert seen['counts'][plugins] == without_hook['counts'][plugins]
    assert without_hook['counts'][plugins] in (1, 2)


def _importer(payload, monkeypatch):
    entry = payload + '/' + PARENTS[-1]
    importer = zipimport.zipimporter(entry)
    monkeypatch.setitem(sys.path_importer_cache, entry, importer)
    return entry, importer


@pytest.mark.parametrize('inner', sorted(_sources()))
def test_the_spec_is_the_one_zipimport_makes(payload, monkeypatch, inner, tmp_path):
    name = _module_name(inner)
    entry, importer = _importer(payload, monkeypatch)
    if name.count('.') > PACKAGE.count('.') + 1:  # in a subpackage: its own path entry
        entry = payload + '/' + inner.rsplit('/', 1)[0]
        importer = zipimport.zipimporter(entry)
        monkeypatch.setitem(sys.path_importer_cache, entry, importer)
    ours = _compile_once.CompileOnceFinder(PACKAGE).find_spec(name, [entry])
    assert ours is not None
    assert ours == importer.find_spec(name)  # name, loader, origin, search locations, cached, has_location
    assert ours.loader is importer
    cache = _compile_once.BytecodeCache(str(tmp_path))
    cached = _compile_once.CompileOnceFinder(PACKAGE, cache).find_spec(name, [entry])
    assert isinstance(cached.loader, _compile_once.CachedZipLoader) and cached.loader.cache is cache
    cached.loader = importer
    assert cached == ours


def test_bytecode_in_the_zip_is_left_to_zipimport(tmp_path, monkeypatch):
    code = importlib.util.MAGIC_NUMBER + b'\0' * 12
    archive = build_payload(tmp_path, extra={PARENTS[-1] + '/_pyc_only.pyc': code})
    entry, importer = _importer(archive, monkeypatch)
    assert _compile_once.zip_spec(PACKAGE + '._time', [entry]).origin.endswith('/_time.py')
    assert _compile_once.zip_spec(PACKAGE + '._pyc_only', [entry]) is None
    assert importer.is_package(PACKAGE + '._pyc_only') is False  # zipimport itself finds it


def test_a_name_not_in_the_zip_or_a_path_not_in_a_zip_is_left_to_the_normal_import(payload, monkeypatch):
    entry = _importer(payload, monkeypatch)[0]
    finder = _compile_once.CompileOnceFinder(PACKAGE)
    assert finder.find_spec(PACKAGE + '._nothing_here', [entry]) is None
    assert finder.find_spec(PACKAGE + '._time', [UTILS]) is None  # a directory on disk: FileFinder's
    assert finder.find_spec(PACKAGE + '._time', None) is None
    assert finder.find_spec(PACKAGE + '._time', [entry, UTILS]) is None
    assert finder.find_spec('json', [entry]) is None


def test_a_relative_archive_path_is_left_to_the_normal_import(payload, monkeypatch):
    monkeypatch.chdir(os.path.dirname(payload))
    entry = os.path.join('payload.zip', *PARENTS[-1].split('/'))
    monkeypatch.setitem(sys.path_importer_cache, entry, zipimport.zipimporter(entry))
    assert _compile_once.zip_spec(PACKAGE + '._time', [entry]) is None


def test_installed_only_when_loaded_by_a_zipimporter(payload):
    meta_path = []
    assert _compile_once.install(_compile_once.__loader__, meta_path) is False  # a file on disk, as here
    assert meta_path == []
    assert not [f for f in sys.meta_path if isinstance(f, _compile_once.CompileOnceFinder)]
    off = {_compile_once.ENV: 'off'}
    assert _compile_once.install(zipimport.zipimporter(payload), meta_path, off) is True
    assert _compile_once.install(zipimport.zipimporter(payload), meta_path, off) is True
    assert len(meta_path) == 1 and isinstance(meta_path[0], _compile_once.CompileOnceFinder)
    assert meta_path[0].cache is None


def test_installed_with_the_cache_of_the_environment(payload, tmp_path):
    meta_path = []
    assert _compile_once.install(zipimport.zipimporter(payload), meta_path, {_compile_once.ENV: str(tmp_path / 'bc')}) is True
    cache = meta_path[0].cache
    try:
        assert cache.directory == str(tmp_path / 'bc' / sys.implementation.cache_tag)
        assert os.path.isdir(cache.directory) and stat.S_IMODE(os.stat(cache.directory).st_mode) & 0o077 == 0
    finally:
        cache.close()


MODULES = os.path.normpath(os.path.join(UTILS, '..', 'modules'))


@pytest.mark.parametrize('module', sorted(n for n in os.listdir(MODULES) if n.endswith('.py') and not n.startswith('_')))
def test_every_module_imports_the_hook_before_any_other_file_of_ours(module):
    with open(os.path.join(MODULES, module), encoding='utf-8') as f:
        tree = ast.parse(f.read())
    ours = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
            and (getattr(node, 'module', None) or node.names[0].name).startswith(PACKAGE)]
    first = ours[0]
    assert isinstance(first, ast.ImportFrom) and first.module == PACKAGE and [a.name for a in first.names] == ['_compile_once'], module


# The bytecode cache: a second run takes every file of ours from it (no compile), tracebacks name the second run's
# file, and a cache that cannot be trusted or read costs a compile, never the run.

TAG = sys.implementation.cache_tag


def _others(counts):
    """Compile counts of our files but the hook (imported before it is in place)."""
    return {k: v for k, v in _ours(counts).items() if not k.endswith('/_compile_once.py')}


def _cached_files(directory):
    where = os.path.join(str(directory), TAG)
    return sorted(n for n in os.listdir(where) if n.endswith('.bin')) if os.path.isdir(where) else []


def test_a_second_run_compiles_nothing_of_ours_and_looks_the_same(payload, tmp_path, without_hook):
    cache = tmp_path / 'bc'
    first = run_child(payload, first=True, cache=cache)
    assert set(_others(first['counts']).values()) == {1}  # compiled once, and stored
    files = _cached_files(cache)
    assert len(files) == len(NAMES)
    # the second run from another payload (another temporary directory, as every AnsiballZ run has)
    moved = tmp_path / 'elsewhere' / 'payload.zip'
    moved.parent.mkdir()
    shutil.copy(payload, str(moved))
    second = run_child(str(moved), first=True, cache=cache)
    ours = _ours(second['counts'])
    assert ours == {PARENTS[-1] + '/_compile_once.py': ours[PARENTS[-1] + '/_compile_once.py']}, ours  # only the hook itself
    assert _cached_files(cache) == files
    # every module attribute as without the cache, in the new place, and tracebacks name the new file
    for name, seen in second['seen'].items():
        plain = dict(without_hook['seen'][name])
        assert seen.pop('loader') == 'CachedZipLoader' and plain.pop('loader') == 'zipimporter'
        assert seen == {k: (v.replace(payload, str(moved)) if isinstance(v, str) else
                            [x.replace(payload, str(moved)) for x in v] if isinstance(v, list) else v) for k, v in plain.items()}
    execution = second['seen'][PACKAGE + '._vro.execution_info']
    assert execution['code_file'] == str(moved) + '/' + PARENTS[-1] + '/_vro/execution_info.py'


@pytest.mark.parametrize('damage', ['garbage', 'truncated', 'other_source', 'symlink', 'fifo'])
def test_a_damaged_or_foreign_cache_file_is_compiled_again(payload, tmp_path, damage):
    cache = tmp_path / 'bc'
    run_child(payload, first=True, cache=cache)
    where = tmp_path / 'bc' / TAG
    files = _cached_files(cache)
    target = where / files[0]
    good = target.read_bytes()
    if damage == 'garbage':
        target.write_bytes(b'not bytecode at all')
    elif damage == 'truncated':
        target.write_bytes(good[:len(good) // 2])
    elif damage == 'other_source':  # a whole, valid file of another source under this name
        target.write_bytes((where / files[1]).read_bytes())
    elif damage == 'fifo':  # would block a plain open for ever
        target.unlink()
        os.mkfifo(str(target))
    else:
        target.unlink()
        (tmp_path / 'elsewhere.bin').write_bytes(good)
        target.symlink_to(tmp_path / 'elsewhere.bin')
    again = run_child(payload, first=True, cache=cache)
    recompiled = _others(again['counts'])
    assert list(recompiled.values()) == [1], recompiled  # that one file, once; the run went on
    assert len(again['seen']) == len(NAMES)
    assert not target.is_symlink() and stat.S_ISREG(target.stat().st_mode) and target.read_bytes() == good  # written whole again


def test_a_directory_others_can_write_is_not_used(payload, tmp_path):
    where = tmp_path / 'bc' / TAG
    where.mkdir(parents=True)
    where.chmod(0o777)
    for attempt in range(2):  # pylint: disable=unused-variable
        seen = run_child(payload, first=True, cache=tmp_path / 'bc')
        assert set(_others(seen['counts']).values()) == {1} and len(_others(seen['counts'])) == len(NAMES)
        assert seen['seen'][PACKAGE + '._time']['loader'] == 'zipimporter'
    assert _cached_files(tmp_path / 'bc') == []


@pytest.mark.skipif(not hasattr(os, 'geteuid') or os.geteuid() != 0, reason='giving a directory to another user needs root')
def test_a_directory_of_another_user_is_not_used(payload, tmp_path):
    where = tmp_path / 'bc' / TAG
    where.mkdir(parents=True, mode=0o700)
    os.chown(str(where), 4242, 4242)
    seen = run_child(payload, first=True, cache=tmp_path / 'bc')
    assert seen['seen'][PACKAGE + '._time']['loader'] == 'zipimporter'
    assert _cached_files(tmp_path / 'bc') == []


@pytest.mark.skipif(not hasattr(os, 'geteuid') or os.geteuid() != 0, reason='giving a directory to another user needs root')
def test_root_does_not_make_its_cache_in_another_users_home(payload, tmp_path):
    home = tmp_path / 'alice'
    home.mkdir()
    os.chown(str(home), 4242, 4242)
    seen = run_child(payload, first=True, cache=home / '.cache' / 'bc')
    assert seen['seen'][PACKAGE + '._time']['loader'] == 'zipimporter'
    assert list(home.iterdir()) == []


def test_a_directory_that_cannot_be_made_costs_a_compile_not_the_run(payload, tmp_path):
    blocker = tmp_path / 'not-a-directory'
    blocker.write_text('a file where the cache would go', encoding='utf-8')
    seen = run_child(payload, first=True, cache=blocker / 'bc')
    assert len(seen['seen']) == len(NAMES) and seen['seen'][PACKAGE + '._time']['loader'] == 'zipimporter'
    assert set(_others(seen['counts']).values()) == {1}


def test_off_turns_it_off_and_dont_write_bytecode_does_not(payload, tmp_path):
    seen = run_child(payload, first=True, cache='off')
    assert seen['seen'][PACKAGE + '._time']['loader'] == 'zipimporter'
    cache = tmp_path / 'bc'
    # PYTHONDONTWRITEBYTECODE (-B) keeps __pycache__ out of source trees; this cache is elsewhere (see the docstring)
    seen = run_child(payload, first=True, cache=cache, flags=['-B'])
    assert seen['seen'][PACKAGE + '._time']['loader'] == 'CachedZipLoader'
    assert len(_cached_files(cache)) == len(NAMES)


def test_the_cache_directory(tmp_path):
    env = _compile_once.ENV
    assert _compile_once.cache_dir({env: str(tmp_path)}) == os.path.join(str(tmp_path), TAG)
    for off in ('off', 'OFF', '0', 'no', 'false', '', ' none '):
        assert _compile_once.cache_dir({env: off}) is None
    assert _compile_once.cache_dir({env: 'relative/dir'}) is None
    assert _compile_once.cache_dir({'XDG_CACHE_HOME': '/x/cache'}) == os.path.join('/x/cache', 'cloudops.orchestrator', 'bytecode', TAG)
    home = os.path.expanduser('~')
    default = os.path.join(home, '.cache', 'cloudops.orchestrator', 'bytecode', TAG)
    assert _compile_once.cache_dir({}) == default
    assert _compile_once.cache_dir({'XDG_CACHE_HOME': 'relative'}) == default  # XDG: a relative path is ignored


def test_the_directory_is_trimmed_past_its_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(_compile_once, 'LIMIT', 6)
    cache = _compile_once.BytecodeCache.open(str(tmp_path / 'bc'))
    try:
        codes = [cache.code(b'x = %d\n' % n, '/z.zip/m%d.py' % n) for n in range(20)]
        assert [c.co_filename for c in codes[:2]] == ['/z.zip/m0.py', '/z.zip/m1.py']
        left = os.listdir(cache.directory)
        assert 3 <= len(left) <= 6, left
        again = cache.code(b'x = 19\n', '/other.zip/m.py')  # the newest stays, read back under its new name
        assert again.co_filename == '/other.zip/m.py'
        namespace = {}
        exec(again, namespace)  # pylint: disable=exec-used
        assert namespace['x'] == 19
    finally:
        cache.close()
