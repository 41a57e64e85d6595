# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One return style (issue 14 item 7): every module, each way it answers, returns snake_case keys outside the
server's own answer (``raw``) and the user-named data (run inputs and outputs, ICO task parameters), times as
ISO 8601 UTC ending in ``Z``, and null (never ``""``) for what is missing. See docs/docsite/rst/return_values.rst."""

from __future__ import annotations

import re

import pytest

from _harness import run_playbook

PLAYBOOK = 'playbooks/returns/every_module.yml'
VCF_IDS = {'vcf_failed_id': '7a5e0002-5e1f-4c0d-9a11-000000000002',
           'vcf_credentials_id': '7a5e0007-5e1f-4c0d-9a11-000000000007',
           'vcf_retry_id': '7a5e0001-5e1f-4c0d-9a11-000000000001'}

# Keys whose value is the server's answer as it came (raw; vRO's typed outputs_raw and parameters), or names the user
# or the server chose (run inputs and outputs, example_inputs, ICO parm, VCF error context, sub-task counts keyed by
# status), or what Ansible adds (invocation; diff, in the API's names): the walk does not look inside them.
NOT_OURS = frozenset(('raw', 'inputs', 'outputs', 'outputs_raw', 'parameters', 'example_inputs', 'parm', 'context',
                      'counts', 'invocation', 'diff'))
# Ansible's own result keys, which are snake_case already or are not the module's.
ANSIBLE_KEYS = frozenset(('_ansible_no_log', '_ansible_verbose_always', '_ansible_verbose_override'))
SNAKE = re.compile(r'^[a-z0-9]+(_[a-z0-9]+)*$')
# Anything that looks like a time: a date followed by a time of day.
TIMELIKE = re.compile(r'^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}')
ISO_Z = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$')


def style_problems(value, path='result'):
    """Every place where ``value`` breaks the return style, as ``path: what`` lines."""
    problems = []
    if isinstance(value, dict):
        for key, inner in value.items():
            where = '%s.%s' % (path, key)
            if key in ANSIBLE_KEYS:
                continue
            if not SNAKE.match(str(key)):
                problems.append('%s: key is not snake_case' % where)
            if key in NOT_OURS:
                continue
            problems.extend(style_problems(inner, where))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            problems.extend(style_problems(inner, '%s[%d]' % (path, index)))
    elif value == '':
        problems.append('%s: "" instead of null' % path)
    elif isinstance(value, str) and TIMELIKE.match(value) and not ISO_Z.match(value):
        problems.append('%s: time %r is not ISO 8601 UTC with Z' % (path, value))
    return problems


@pytest.fixture(scope='module')
def every_module(simulator):
    simulator.reset()
    return run_playbook(PLAYBOOK, env=simulator.all_env(), extra_vars=VCF_IDS)


def test_the_scan_finds_what_it_looks_for():
    """The scanner itself: each kind of problem is reported, data and raw subtrees are left alone."""
    found = style_problems({'isRetryable': True, 'end_date': '', 'created_iso': '2026-01-01T10:00:00.000+0000',
                            'start_date': '2026-01-01T10:00:00.000Z', 'raw': {'subTasks': ''},
                            'outputs': {'instanceId': ''}, 'tasks': [{'ok': None, 'subTasks': []}]})
    assert found == ['result.isRetryable: key is not snake_case', 'result.end_date: "" instead of null',
                     "result.created_iso: time '2026-01-01T10:00:00.000+0000' is not ISO 8601 UTC with Z",
                     'result.tasks[0].subTasks: key is not snake_case']


def test_every_module_returns_one_style(every_module):
    problems = []
    seen = set()
    for record in every_module.results:
        if not record['action'].startswith('cloudops.orchestrator.'):
            continue
        seen.add(record['action'].rsplit('.', 1)[-1])
        problems.extend('%s: %s' % (record['task'], line) for line in style_problems(record['result']))
    assert seen == {'vro_workflow_info', 'vro_workflow_run', 'vro_execution_info', 'vro_interaction',
                    'vro_execution_cancel', 'vro_task', 'vro_task_info', 'vcf_task_info', 'vcf_task_retry',
                    'orch_task', 'orch_task_info'}
    assert problems == []
