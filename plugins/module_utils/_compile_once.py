# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each module_utils file of ours compiled once, not twice, when a module runs from its AnsiballZ payload.

Internal use only: this file may change without notice between releases.

Why: AnsiballZ puts the payload zip on ``sys.path``, so ``zipimport`` loads our files from source, and CPython
3.11 to 3.13 compile each of them twice: ``zipimporter.find_spec`` -> ``importlib._bootstrap.spec_from_loader`` ->
``spec_from_file_location`` asks ``zipimporter.get_filename``, which compiles the file only to learn its path
(``_get_module_code``), and ``exec_module`` -> ``get_code`` compiles it again. Every module imports this file
first: when it was itself loaded by a ``zipimport.zipimporter``, it puts :class:`CompileOnceFinder` at the front of
``sys.meta_path``. For names under our module_utils package it makes the very spec zipimport would make (same
loader object, origin, cached path, package search locations), with the path written out instead of asked for:
the zipimporter still loads and runs the file, compiling it once. Anything unexpected (a ``.pyc`` in the zip, a
relative archive path, another path hook, any error) returns None and the normal import decides. Elsewhere (the
controller, unit tests, ansible-test's import test, an installed collection, an exploded payload) our files are
not loaded by a zipimporter and nothing is installed.

CPython issue gh-141276 (its duplicated SyntaxWarnings; open for 3.13 to 3.15, a fix proposed in gh-153799). Remove
this file (and the first import of every module) when no supported Python's ``zipimporter.get_filename`` compiles
(Lib/zipimport.py). ``tests/unit/plugins/module_utils/test_compile_once.py`` shows the double
compile on the Python that runs it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import zipimport

PACKAGE = __name__.rpartition('.')[0]


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


def zip_spec(fullname, path):
    """The spec zipimport would make for ``fullname`` in the package path ``path``, without its compile; None when
    it is not a source file in a zip with an absolute path (the normal import then decides)."""
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
    spec = importlib.util.spec_from_file_location(fullname, origin, loader=importer,
                                                  submodule_search_locations=[] if is_package else None)
    return spec if spec is not None and spec.origin == origin else None


class CompileOnceFinder:
    """A ``sys.meta_path`` finder for our module_utils in a zip (see the file's docstring)."""

    def __init__(self, package):
        self.prefix = package + '.'

    def find_spec(self, fullname, path=None, target=None):
        if path is None or not fullname.startswith(self.prefix):
            return None
        try:
            return zip_spec(fullname, list(path))
        except Exception:  # pylint: disable=broad-except  # any surprise: the normal import decides
            return None

    def invalidate_caches(self):
        """Nothing cached here."""


def install(loader, meta_path=None):
    """Put the finder first in ``meta_path`` (``sys.meta_path``) once, when ``loader`` (this file's) is a zipimporter;
    return whether it is there."""
    meta_path = sys.meta_path if meta_path is None else meta_path
    if type(loader) is not zipimport.zipimporter:  # pylint: disable=unidiomatic-typecheck  # as in zip_spec
        return False
    if not any(isinstance(finder, CompileOnceFinder) for finder in meta_path):
        meta_path.insert(0, CompileOnceFinder(PACKAGE))
    return True


install(globals().get('__loader__'))
