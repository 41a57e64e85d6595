# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Return values shared by several modules, written once here and copied into each module's RETURN.

ansible-doc merges doc fragments into DOCUMENTATION only (plugins/doc_fragments/ holds the shared options), so
a return value that several modules document is kept here and written between two comment lines of the module's
RETURN string::

    # shared:error (written by tools/shared_returns.py; edit it there)
    error:
      ...
    # end shared:error

The block takes the indentation of its first comment line, so it can sit at the top of RETURN or inside a
``contains:``. Every module documents ``error``.

Usage::

    python tools/shared_returns.py           # rewrite every shared block in plugins/modules/*.py
    python tools/shared_returns.py --check   # list modules whose blocks differ or are missing; exit 1 if any

tests/integration/test_shared_docs.py runs the check, so a block edited in one module fails the tests.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODULES = os.path.join(ROOT, 'plugins', 'modules')

# Every module returns this on a failed request (ApiError.to_result() in plugins/module_utils).
ERROR = r'''
error:
  description:
    - The structured error of the request that failed, when the task failed on an API call or could not recover
      a lost answer. C(msg) says the same in one line.
    - Never holds credentials. URLs are shown without user information or secret-looking query values.
  returned: when the task failed on a request
  type: dict
  contains:
    kind:
      description:
        - What went wrong. V(http) an HTTP error status, V(connection) no connection or a connection dropped,
          V(timeout) no answer in time, V(tls) a certificate or TLS failure, V(auth) a failed log-in,
          V(json) an answer that is not the JSON the API sends, V(html) an HTML page instead of the API (usually
          a proxy or a log-in page), V(validation) a value refused before sending, V(config) a missing or wrong
          connection setting, V(paging) a list that never ends, V(size) an answer larger than the collection reads
          of one answer (64 MiB; 256 MiB for ICO's unpaged task list), V(shape) a JSON answer of the wrong shape,
          V(origin) a server URL on another origin (not followed), V(redirect) an HTTP 3xx (not followed).
      type: str
      sample: http
    status:
      description: The HTTP status of the answer; null when no answer came.
      type: int
      sample: 404
    method:
      description: The HTTP method of the request.
      type: str
      sample: GET
    url:
      description: The URL of the request.
      type: str
      sample: https://vro.example.com/vco/api/workflows/5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002
    message:
      description: What happened.
      type: str
    server_message:
      description: The server's own error message, read from the answer's body; null when it had none.
      type: str
    attempts:
      description: How many times the request was sent, retries included.
      type: int
      sample: 1
    body_excerpt:
      description: The start of the answer's body, when the module could not read an error message from it.
      returned: when the body had no readable error message
      type: str
    hint:
      description: What to check next, for failures with a usual cause.
      returned: when the failure has a usual cause
      type: str
    details:
      description:
        - More from the server's body, its keys in snake_case (C(error_code), C(remediation_message),
          C(reference_token), C(causes)).
        - When the answer to a request that changes something was lost, C(sent=true) and what is known of its
          effect (C(status), C(location), C(id)).
      returned: when known
      type: dict
'''

# vro_task (task) and vro_task_info (tasks[]): one scheduled task, as ScheduledTask.to_result() returns it.
SCHEDULED_TASK = r'''
id:
  description: The task id.
  type: str
name:
  description: The task name.
  type: str
state:
  description: C(pending), C(running), C(finished), C(canceled), C(error), C(suspended) or C(unknown).
  type: str
workflow_id:
  description: The id of the workflow it runs.
  type: str
workflow_name:
  description: The name of the workflow it runs.
  type: str
recurrence:
  description: C(cycle), C(start), C(end) and C(pattern); dates as ISO 8601 in UTC.
  type: dict
  sample: {"cycle": "every-days", "start": "2026-03-01T02:00:00.000Z", "end": null, "pattern": null}
start_mode:
  description: C(normal) or C(start-in-the-past).
  type: str
description:
  description: The task description.
  type: str
user:
  description: The user the task runs as.
  type: str
inputs:
  description: The inputs, decoded to plain values, SecureString values masked.
  type: dict
running_instance_id:
  description: The id of the task's latest run, when the server says.
  type: str
href:
  description: The task's API URL.
  type: str
'''

BLOCKS = {'error': ERROR, 'scheduled_task': SCHEDULED_TASK}
REQUIRED = ('error',)  # in every module
START = re.compile(r'^(?P<indent> *)# shared:(?P<name>[a-z_]+)\b.*$')
HEADER = '# shared:%s (written by tools/shared_returns.py; edit it there)'
FOOTER = '# end shared:%s'


def render(name, indent):
    """The block ``name`` between its two comment lines, every line indented by ``indent``."""
    lines = [HEADER % name] + BLOCKS[name].strip('\n').split('\n') + [FOOTER % name]
    return [(indent + line) if line else line for line in lines]


def rewrite(text):
    """``(new text, names of the blocks found)``: every shared block of a module's source written afresh.

    Raises ValueError for an unknown block name or a block without its closing comment.
    """
    lines = text.split('\n')
    out, found = [], []
    i = 0
    while i < len(lines):
        match = START.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        name, indent = match.group('name'), match.group('indent')
        if name not in BLOCKS:
            raise ValueError('line %d: unknown shared block %r (known: %s)' % (i + 1, name, ', '.join(sorted(BLOCKS))))
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == FOOTER % name), None)
        if end is None:
            raise ValueError('line %d: shared block %r has no closing line %r' % (i + 1, name, FOOTER % name))
        out.extend(render(name, indent))
        found.append(name)
        i = end + 1
    return '\n'.join(out), found


def module_files(modules_dir=MODULES):
    return sorted(glob.glob(os.path.join(modules_dir, '*.py')))


def problems(modules_dir=MODULES):
    """One line per module whose shared blocks differ from the ones here, or that lacks a required block."""
    found_problems = []
    for path in module_files(modules_dir):
        name = os.path.basename(path)
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
        try:
            fresh, found = rewrite(text)
        except ValueError as error:
            found_problems.append('%s: %s' % (name, error))
            continue
        for required in REQUIRED:
            if required not in found:
                found_problems.append('%s: no shared block %r in RETURN' % (name, required))
        if fresh != text:
            changed = sorted(set(found))
            found_problems.append('%s: shared block(s) %s differ from tools/shared_returns.py' % (name, ', '.join(changed)))
    return found_problems


def write(modules_dir=MODULES):
    """Rewrite the shared blocks of every module; the names of the files changed."""
    changed = []
    for path in module_files(modules_dir):
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
        fresh = rewrite(text)[0]
        if fresh != text:
            with open(path, 'w', encoding='utf-8') as handle:
                handle.write(fresh)
            changed.append(os.path.basename(path))
    return changed


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--check', action='store_true', help='change nothing; exit 1 when a module differs')
    parser.add_argument('--modules', default=MODULES, help='the directory of the modules (default plugins/modules)')
    args = parser.parse_args(argv)
    if args.check:
        found = problems(args.modules)
        for line in found:
            print(line)
        if found:
            print('shared_returns: %d problem(s); run: python tools/shared_returns.py' % len(found))
            return 1
        print('shared_returns: every module has the shared return values as written in tools/shared_returns.py')
        return 0
    for name in write(args.modules):
        print('shared_returns: rewrote %s' % name)
    missing = problems(args.modules)
    for line in missing:
        print(line)
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
