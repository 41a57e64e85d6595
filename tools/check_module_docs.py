# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run `ansible-doc` on every module of the installed collection; exit 1 if any doc fails to render.

Usage: check_module_docs.py COLLECTIONS_PATH   (the -p path the built tarball was installed into)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

FQCN = 'cloudops.orchestrator'


def main():
    root = os.path.abspath(sys.argv[1])
    modules_dir = os.path.join(root, 'ansible_collections', 'cloudops', 'orchestrator', 'plugins', 'modules')
    names = sorted(f[:-3] for f in os.listdir(modules_dir) if f.endswith('.py') and not f.startswith('_')) \
        if os.path.isdir(modules_dir) else []
    if not names:
        print('ansible-doc: the installed collection has no modules yet')
        return 0
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=root, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false', ANSIBLE_NOCOLOR='1')
    doc = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')
    failures = []
    for name in names:
        fqcn = '%s.%s' % (FQCN, name)
        text = subprocess.run([doc, fqcn], env=env, capture_output=True, text=True, check=False)
        js = subprocess.run([doc, '--json', fqcn], env=env, capture_output=True, text=True, check=False)
        problem = None
        if text.returncode or js.returncode:
            problem = 'rc=%s/%s' % (text.returncode, js.returncode)
        elif '[ERROR]' in text.stderr or '[ERROR]' in js.stderr:
            problem = 'error output'
        else:
            try:
                data = json.loads(js.stdout)[fqcn]
                if not data.get('doc', {}).get('short_description') or data.get('examples') is None:
                    problem = 'no short_description or EXAMPLES'
            except (ValueError, KeyError, TypeError) as exc:
                problem = 'unreadable --json output (%s)' % exc
        if problem:
            failures.append(fqcn)
            print('FAIL %s: %s\n%s%s' % (fqcn, problem, text.stderr, js.stderr))
        else:
            print('ok   %s' % fqcn)
    print('ansible-doc: %d modules rendered, %d failed' % (len(names) - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
