# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the HTML documentation site with antsibull-docs and Sphinx, offline-safe.

Usage: build_docs.py COLLECTION_DIR OUTPUT_DIR

COLLECTION_DIR is a collection laid out as .../ansible_collections/cloudops/orchestrator (the build tree). The
site (module and role reference from the collection, plus the guides of docs/docsite/extra-docs.yml) is written to
OUTPUT_DIR/html; the Sphinx project itself is generated under OUTPUT_DIR/src.

Every Sphinx warning fails the build, except the two that only mean "no network": an intersphinx inventory that
cannot be reached, and, when one could not be, the links into those external sites (for example
``common_return_values`` on docs.ansible.com). They are reported and the pages keep the plain link text.
Set DOCS_INTERSPHINX=off to skip fetching the inventories at all.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTION = 'cloudops.orchestrator'
OUR_LABEL = 'ansible_collections.cloudops.orchestrator.'
CONF_EXTRA = '''
# -- added by tools/build_docs.py ------------------------------------------------------------------------------
project = 'cloudops.orchestrator'
copyright = 'cloudops.orchestrator contributors'
title = 'cloudops.orchestrator documentation'
html_short_title = 'cloudops.orchestrator'
# Offline builds must not hang on unreachable inventories.
intersphinx_timeout = 5
if os.environ.get('DOCS_INTERSPHINX', 'on') == 'off':
    intersphinx_mapping = {}
'''
UNREACHABLE = re.compile(r"WARNING: failed to reach any of the inventories")
UNDEFINED_LABEL = re.compile(r"WARNING: undefined label: '([^']+)'")


def tool(name):
    """A console script from the running Python's venv, else from PATH."""
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    return candidate if os.path.exists(candidate) else (shutil.which(name) or name)


def run(cmd, cwd, env):
    """Run one step; its output is shown only when it fails (Sphinx repeats its warnings on stderr)."""
    print('+ ' + ' '.join(os.path.basename(c) if i == 0 else c for i, c in enumerate(cmd)), flush=True)
    proc = subprocess.run(cmd, cwd=cwd, env=env, check=False, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode:
        sys.stderr.write(proc.stdout)
        sys.exit('build_docs: %s failed (rc=%d)' % (os.path.basename(cmd[0]), proc.returncode))


def classify(warning_text):
    """Split Sphinx's warning log into (fatal warnings, tolerated offline warnings)."""
    entries = []
    for line in warning_text.splitlines():
        if 'WARNING:' in line or 'ERROR:' in line or not entries:
            entries.append(line)
        else:
            entries[-1] += '\n' + line  # continuation of a multi-line warning
    offline = any(UNREACHABLE.search(e) for e in entries)
    fatal, tolerated = [], []
    for entry in entries:
        if not entry.strip():
            continue
        label = UNDEFINED_LABEL.search(entry)
        if UNREACHABLE.search(entry):
            tolerated.append(entry)
        elif offline and label and not label.group(1).startswith(OUR_LABEL) and not label.group(1).startswith('cloudops_'):
            tolerated.append(entry)
        else:
            fatal.append(entry)
    return fatal, tolerated


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    collection_dir, output_dir = (os.path.abspath(a) for a in argv)
    collections_root = os.path.dirname(os.path.dirname(os.path.dirname(collection_dir)))
    if os.path.basename(os.path.dirname(os.path.dirname(collection_dir))) != 'ansible_collections':
        sys.exit('build_docs: %s is not .../ansible_collections/cloudops/orchestrator' % collection_dir)
    site = os.path.join(output_dir, 'src')
    shutil.rmtree(output_dir, ignore_errors=True)
    os.makedirs(site, mode=0o700)  # also creates output_dir
    os.chmod(site, 0o700)  # antsibull-docs insists on a directory only its owner can write
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_root, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
               ANSIBLE_NOCOLOR='1')
    env['PATH'] = os.path.dirname(sys.executable) + os.pathsep + env.get('PATH', '')

    run([tool('antsibull-docs'), 'sphinx-init', '--use-current', '--squash-hierarchy', '--fail-on-error',
         '--dest-dir', site, COLLECTION], site, env)
    with open(os.path.join(site, 'conf.py'), 'a', encoding='utf-8') as conf:
        conf.write('\nimport os  # noqa: E402\n' + CONF_EXTRA)
    rst = os.path.join(site, 'rst')
    os.makedirs(rst, exist_ok=True)
    os.chmod(rst, 0o700)
    run([tool('antsibull-docs'), '--config-file', os.path.join(site, 'antsibull-docs.cfg'), 'collection',
         '--cleanup', 'everything', '--fail-on-error', '--use-current', '--squash-hierarchy', '--dest-dir', rst,
         COLLECTION], site, env)

    warnings_file = os.path.join(site, 'sphinx-warnings.txt')
    run([tool('sphinx-build'), '-M', 'html', rst, output_dir, '-c', site, '--keep-going', '-q', '-w', warnings_file],
        site, env)
    with open(warnings_file, encoding='utf-8') as handle:
        fatal, tolerated = classify(handle.read())
    if tolerated:
        print('build_docs: offline -- %d intersphinx inventory or external-link warning(s) tolerated; '
              'links to docs.python.org / docs.ansible.com stay plain text.' % len(tolerated))
    if fatal:
        print('build_docs: %d warning(s) in the documentation:' % len(fatal))
        for entry in fatal:
            print('  ' + entry.replace('\n', '\n    '))
        return 1
    index = os.path.join(output_dir, 'html', 'index.html')
    pages = sum(1 for name in os.listdir(os.path.dirname(index)) if name.endswith('.html'))
    print('build_docs: %d HTML pages; open %s' % (pages, os.path.relpath(index, os.getcwd())))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
