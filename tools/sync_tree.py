# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mirror the collection's files into build/ansible_collections/cloudops/orchestrator (or DEST).

ansible-test resolves symlinks to the real working directory, so it needs a real copy laid out as
ansible_collections/<namespace>/<name>. The copy holds git's tracked and untracked-but-not-ignored files
(`git ls-files -co --exclude-standard`); without git it walks the tree, skipping build output.
Only changed files are copied and files gone from the source are removed, so a re-sync is cheap.
Usage: sync_tree.py [SRC] [DEST]
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

SKIP_DIRS = {'.git', '.venv', '.venv-2.19', 'build', 'tests/output', '__pycache__', '.pytest_cache', '.hypothesis',
             'docs/build', '.sim-data'}


def listed_files(src):
    """Relative paths of the files that make up the collection source."""
    try:
        out = subprocess.run(['git', 'ls-files', '-z', '-co', '--exclude-standard'], cwd=src, check=True,
                             capture_output=True).stdout
        files = [p for p in out.decode('utf-8').split('\0') if p]
        # deleted-but-still-tracked files are listed too; keep what exists
        return sorted(p for p in files if os.path.isfile(os.path.join(src, p)))
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for root, dirs, names in os.walk(src):
        rel_root = os.path.relpath(root, src)
        dirs[:] = [d for d in dirs if os.path.normpath(os.path.join(rel_root, d)) not in SKIP_DIRS and d not in SKIP_DIRS]
        files += [os.path.normpath(os.path.join(rel_root, n)) for n in names if not n.endswith(('.pyc', '.tar.gz'))]
    return sorted(files)


def sync(src, dest):
    """Copy changed files from src to dest and delete files in dest that src no longer has; return counts."""
    wanted = set(listed_files(src))
    copied = removed = 0
    for rel in sorted(wanted):
        s, d = os.path.join(src, rel), os.path.join(dest, rel)
        st = os.stat(s)
        try:
            dt = os.stat(d)
            if dt.st_size == st.st_size and int(dt.st_mtime) == int(st.st_mtime):
                continue
        except FileNotFoundError:
            pass
        os.makedirs(os.path.dirname(d), exist_ok=True)
        shutil.copy2(s, d)
        copied += 1
    for root, dirs, names in os.walk(dest, topdown=False):
        rel_root = os.path.relpath(root, dest)
        for name in names:
            rel = os.path.normpath(os.path.join(rel_root, name))
            if rel not in wanted and not rel.startswith('tests' + os.sep + 'output' + os.sep):
                os.unlink(os.path.join(root, name))
                removed += 1
        for name in dirs:
            path = os.path.join(root, name)
            if not os.path.islink(path) and not os.listdir(path):
                os.rmdir(path)
    return len(wanted), copied, removed


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    src = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else here
    dest = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(src, 'build', 'ansible_collections', 'cloudops', 'orchestrator')
    total, copied, removed = sync(src, dest)
    print('build tree %s: %d files (%d copied, %d removed)' % (os.path.relpath(dest, os.getcwd()), total, copied, removed))


if __name__ == '__main__':
    main()
