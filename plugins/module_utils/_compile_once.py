# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each module_utils file of ours compiled at most once per run, and its bytecode kept for the next run, when a
module runs from its AnsiballZ payload.

Internal use only: this file may change without notice between releases.

Why: AnsiballZ puts the payload zip on ``sys.path``, so ``zipimport`` loads our files from source on every run
(it neither reads nor writes ``__pycache__``), and CPython 3.11 to 3.13 compile each of them twice:
``zipimporter.find_spec`` -> ``importlib._bootstrap.spec_from_loader`` -> ``spec_from_file_location`` asks
``zipimporter.get_filename``, which compiles the file only to learn its path (``_get_module_code``), and
``exec_module`` -> ``get_code`` compiles it again. Every module imports this file first: when it was itself loaded
by a ``zipimport.zipimporter``, it puts :class:`CompileOnceFinder` at the front of ``sys.meta_path``. For names
under our module_utils package it makes the spec zipimport would make (origin, cached path, package search
locations), with the path written out instead of asked for. Its loader is the zipimporter itself (one compile per
run) or, when the bytecode cache below can be used, :class:`CachedZipLoader`, which reads the source from the same
zip and takes its code from the cache (no compile) or compiles it once and stores it there. Anything unexpected (a
``.pyc`` in the zip, a relative archive path, another path hook, any error) returns None and the normal import
decides. Elsewhere (the controller, unit tests, ansible-test's import test, an installed collection, an exploded
payload) our files are not loaded by a zipimporter and nothing is installed.

The bytecode cache, what Python's own ``__pycache__`` does for an installed package: one file per source content,
named by the SHA-256 of the source (and the Python's magic number and optimization level), in a directory private
to the user the module runs as: ``$CLOUDOPS_ORCHESTRATOR_BYTECODE_CACHE`` when set (``off`` turns the cache off),
else ``$XDG_CACHE_HOME/cloudops.orchestrator/bytecode`` (``~/.cache/...``), then one subdirectory per Python
(``sys.implementation.cache_tag``). It is made only under a directory of the effective user (root under sudo with
another user's ``HOME`` leaves that home alone, as pip does), and used only when it is owned by the effective user
and writable by nobody else, its files only when they are regular files of that user whose header repeats the magic number and
the hash of the very source read from the zip; files are written whole (a private temporary file renamed into
place) and the directory is trimmed past :data:`LIMIT` files. ``PYTHONDONTWRITEBYTECODE`` does not turn it off: that
variable keeps ``__pycache__`` directories out of source trees (container images set it for that), and this cache is
in the user's cache directory, as pip's is; ``CLOUDOPS_ORCHESTRATOR_BYTECODE_CACHE=off`` does. Any failure (no home,
a read-only disk, a damaged file) costs a compile, never the run.

CPython issue gh-141276 (its duplicated SyntaxWarnings; open for 3.13 to 3.15, a fix proposed in gh-153799).
``tests/unit/plugins/module_utils/test_compile_once.py`` shows the double compile on the Python that runs it.
"""

from __future__ import annotations

import importlib.util
import os
import stat
import sys
import zipimport

PACKAGE = __name__.rpartition('.')[0]
ENV = 'CLOUDOPS_ORCHESTRATOR_BYTECODE_CACHE'
OFF = ('', '0', 'off', 'no', 'false', 'none')
LIMIT = 400  # files kept per Python (ours are ~40 per release); past it the older half is removed
MAGIC = importlib.util.MAGIC_NUMBER
HEADER = len(MAGIC) + 32  # magic number, then the SHA-256 of the source


def _path_importer(entry):
    """The path entry finder for ``entry``, found and cached as ``importlib.machinery.PathFinder`` would."""
    finder = sys.path_importer_cache.get(entry)
    if finder is None and entry not in sys.path_importer_cache:
        for hook in sys.path_hooks:
            try:
                finder = hook(entry)
            except ImportError:
                continue
            sys.path_importer_cache[entry] = finder
            break
    return finder


def zip_spec(fullname, path, cache=None):
    """The spec zipimport would make for ``fullname`` in the package path ``path``, without its compile, loaded
    through ``cache`` (a :class:`BytecodeCache`) when given; None when it is not a source file in a zip with an
    absolute path (the normal import then decides)."""
    if len(path) != 1:
        return None
    importer = _path_importer(path[0])
    # zipimport's own class, not a subclass (which may load differently)
    if type(importer) is not zipimport.zipimporter or not os.path.isabs(importer.archive):  # pylint: disable=unidiomatic-typecheck
        return None
    is_package = importer.is_package(fullname)  # ZipImportError when not in this zip
    inner = importer.prefix + fullname.rpartition('.')[2] + (os.sep + '__init__' if is_package else '')
    try:
        importer.get_data(inner + '.pyc')  # zipimport prefers bytecode: leave that case to it
        return None
    except OSError:
        pass
    origin = importer.archive + os.sep + inner + '.py'
    loader = importer if cache is None else CachedZipLoader(importer, inner + '.py', origin, cache)
    spec = importlib.util.spec_from_file_location(fullname, origin, loader=loader,
                                                  submodule_search_locations=[] if is_package else None)
    return spec if spec is not None and spec.origin == origin else None


def cache_dir(environ=None):
    """The bytecode directory for this Python (see the file's docstring), or None when the cache is off."""
    environ = os.environ if environ is None else environ
    setting = environ.get(ENV)
    if setting is not None and setting.strip().lower() in OFF:
        return None
    if setting is not None:
        root = os.path.expanduser(setting.strip())
    else:
        base = environ.get('XDG_CACHE_HOME') or ''
        base = base if os.path.isabs(base) else os.path.join(os.path.expanduser('~'), '.cache')
        root = os.path.join(base, 'cloudops.orchestrator', 'bytecode')
    tag = sys.implementation.cache_tag
    if not tag or not os.path.isabs(root):
        return None
    return os.path.join(root, tag)


def _fix_filename(code, origin):
    """Tracebacks name this run's file: the code was compiled in another run's payload."""
    fix = getattr(__import__('_imp'), '_fix_co_filename', None)
    if fix is not None:
        fix(code, origin)
        return code
    consts = tuple(_fix_filename(c, origin) if isinstance(c, type(code)) else c for c in code.co_consts)
    return code.replace(co_filename=origin, co_consts=consts)


def _ours_to_create(directory):
    """Whether the nearest existing directory on the way to ``directory`` belongs to the effective user: under sudo
    without -H, root's run must not fill another user's home (that user's cache is then left alone)."""
    path = directory
    while not os.path.lexists(path):
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent
    return os.lstat(path).st_uid == os.geteuid()


class BytecodeCache:
    """Compiled code of our files kept across runs in one private directory (see the file's docstring)."""

    def __init__(self, directory):
        self.directory = directory
        self.fd = None

    @classmethod
    def open(cls, directory):
        """The cache at ``directory``, or None when it cannot be used safely here."""
        if directory is None or not hasattr(os, 'geteuid') or os.rename not in os.supports_dir_fd \
                or os.open not in os.supports_dir_fd or not hasattr(os, 'O_NOFOLLOW') or not hasattr(os, 'O_DIRECTORY'):
            return None
        cache = cls(directory)
        try:
            if not _ours_to_create(directory):
                return None
            os.makedirs(directory, mode=0o700, exist_ok=True)
            cache.fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
            info = os.fstat(cache.fd)
        except OSError:
            cache.close()
            return None
        if info.st_uid != os.geteuid() or info.st_mode & 0o022:
            cache.close()
            return None
        return cache

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def code(self, source, origin):
        """The code object of ``source`` (bytes) named ``origin``: from the cache, else compiled (and stored)."""
        import hashlib  # pylint: disable=import-outside-toplevel  # only when the cache is in use
        digest = hashlib.sha256(MAGIC + bytes([sys.flags.optimize & 0xff]) + source).digest()
        name = digest.hex()[:40] + '.bin'
        found = self._read(name, digest)
        if found is not None:
            return _fix_filename(found, origin)
        code = compile(source, origin, 'exec', dont_inherit=True)
        self._write(name, MAGIC + digest + __import__('marshal').dumps(code))
        return code

    def _read(self, name, digest):
        try:
            # O_NONBLOCK: a FIFO under that name must not hang the run (the check below then refuses it)
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, 'O_NONBLOCK', 0), dir_fd=self.fd)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                return None
            with os.fdopen(fd, 'rb') as handle:
                fd = None
                data = handle.read()
            if data[:HEADER] != MAGIC + digest:
                return None
            code = __import__('marshal').loads(data[HEADER:])
            return code if isinstance(code, type(_fix_filename.__code__)) else None
        except (OSError, ValueError, EOFError, TypeError):
            return None
        finally:
            if fd is not None:
                os.close(fd)

    def _write(self, name, data):
        temp = '.%s.%d.tmp' % (name, os.getpid())
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=self.fd)
            with os.fdopen(fd, 'wb') as handle:
                handle.write(data)
            os.replace(temp, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
            self._trim()
        except OSError:
            try:
                os.unlink(temp, dir_fd=self.fd)
            except OSError:
                pass

    def _trim(self):
        """Past LIMIT files, remove the older half (by modification time)."""
        names = os.listdir(self.fd)
        if len(names) <= LIMIT:
            return
        dated = []
        for name in names:
            try:
                dated.append((os.stat(name, dir_fd=self.fd, follow_symlinks=False).st_mtime, name))
            except OSError:
                continue
        for stamp, name in sorted(dated)[:len(dated) // 2]:  # pylint: disable=unused-variable
            try:
                os.unlink(name, dir_fd=self.fd)
            except OSError:
                pass


class CachedZipLoader:
    """zipimport's loading of one source file of ours, with its code from a :class:`BytecodeCache`."""

    def __init__(self, importer, inner, origin, cache):
        self.importer, self.inner, self.origin, self.cache = importer, inner, origin, cache

    def create_module(self, spec):  # pylint: disable=unused-argument
        return None  # the default module

    def exec_module(self, module):
        exec(self.get_code(module.__name__), module.__dict__)  # pylint: disable=exec-used  # as zipimporter.exec_module

    def get_code(self, fullname):  # pylint: disable=unused-argument
        return self.cache.code(self.importer.get_data(self.inner), self.origin)

    def get_source(self, fullname):
        return self.importer.get_source(fullname)

    def is_package(self, fullname):
        return self.importer.is_package(fullname)

    def get_filename(self, fullname):  # pylint: disable=unused-argument
        return self.origin

    def get_data(self, pathname):
        return self.importer.get_data(pathname)

    def get_resource_reader(self, fullname):
        return self.importer.get_resource_reader(fullname)


class CompileOnceFinder:
    """A ``sys.meta_path`` finder for our module_utils in a zip (see the file's docstring)."""

    def __init__(self, package, cache=None):
        self.prefix = package + '.'
        self.cache = cache

    def find_spec(self, fullname, path=None, target=None):
        if path is None or not fullname.startswith(self.prefix):
            return None
        try:
            return zip_spec(fullname, list(path), self.cache)
        except Exception:  # pylint: disable=broad-except  # any surprise: the normal import decides
            return None

    def invalidate_caches(self):
        """Nothing cached here."""


def install(loader, meta_path=None, environ=None):
    """Put the finder first in ``meta_path`` (``sys.meta_path``) once, when ``loader`` (this file's) is a zipimporter,
    with the bytecode cache of ``environ`` (``os.environ``) when it can be used; return whether it is there."""
    meta_path = sys.meta_path if meta_path is None else meta_path
    if type(loader) is not zipimport.zipimporter:  # pylint: disable=unidiomatic-typecheck  # as in zip_spec
        return False
    if not any(isinstance(finder, CompileOnceFinder) for finder in meta_path):
        try:
            cache = BytecodeCache.open(cache_dir(environ))
        except Exception:  # pylint: disable=broad-except  # no cache rather than no run
            cache = None
        meta_path.insert(0, CompileOnceFinder(PACKAGE, cache))
    return True


install(globals().get('__loader__'))
