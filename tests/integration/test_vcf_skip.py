# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bulk VCF retry with ``skip_not_retryable`` (issue 14, item 6), both ways, in check mode too.

Default (false): one task that cannot be retried fails the run and nothing is sent (today's refusal, kept). True:
the retryable tasks are retried and the others are listed in ``skipped_tasks`` (Ansible reserves ``skipped``) with their reasons. The simulator's
counters prove what was sent.
"""

from __future__ import annotations

import json

import pytest

from _harness import run_playbook

RETRY_SUCCEEDS = '7a5e0001-5e1f-4c0d-9a11-000000000001'
CANCELLED = '7a5e0005-5e1f-4c0d-9a11-000000000005'
NOT_RETRYABLE = '7a5e0006-5e1f-4c0d-9a11-000000000006'


def play(tmp_path, args, check=False, name='it'):
    path = tmp_path / 'vcf_skip.yml'
    task = {'name': name, 'cloudops.orchestrator.vcf_task_retry': args, 'ignore_errors': True}
    if check:
        task['check_mode'] = True
    path.write_text(json.dumps([{'name': 'vcf skip', 'hosts': 'localhost', 'gather_facts': False, 'tasks': [task]}]),
                    encoding='utf-8')
    return path


def changes_sent(sim):
    return {route: n for route, n in sim.counters()['routes'].items()
            if route.split(' ', 1)[0] in ('PATCH', 'PUT', 'DELETE') and n}


@pytest.mark.parametrize('check', [False, True], ids=['run', 'check_mode'])
def test_by_default_one_task_that_cannot_be_retried_fails_the_whole_retry(fresh_simulator, tmp_path, check):
    sim = fresh_simulator
    res = run_playbook(play(tmp_path, {'task_ids': [RETRY_SUCCEEDS, CANCELLED, NOT_RETRYABLE], 'wait': False}, check),
                       env=sim.env('vcf'))
    record = res.record('it')
    assert record['status'] == 'ignored'
    result = record['result']
    assert 'was cancelled' in result['msg'] and 'not retryable' in result['msg']
    assert result['changed'] is False and result['skipped_tasks'] == []
    assert changes_sent(sim) == {}


def test_skip_not_retryable_retries_the_others_and_lists_the_skipped_with_reasons(fresh_simulator, tmp_path):
    sim = fresh_simulator
    res = run_playbook(play(tmp_path, {'task_ids': [RETRY_SUCCEEDS, CANCELLED, NOT_RETRYABLE], 'skip_not_retryable': True}),
                       env=sim.env('vcf'))
    record = res.record('it')
    result = record['result']
    assert record['status'] == 'ok' and result['changed'] is True, result
    assert result['retried'] == [RETRY_SUCCEEDS]
    assert [entry['id'] for entry in result['skipped_tasks']] == [CANCELLED, NOT_RETRYABLE]
    reasons = {entry['id']: entry['reason'] for entry in result['skipped_tasks']}
    assert 'was cancelled' in reasons[CANCELLED] and 'isRetryable: false' in reasons[NOT_RETRYABLE]
    assert result['msg'] == ('retried 1 task(s): %s; skipped 2 that cannot be retried: %s, %s (see skipped_tasks for the '
                             'reasons)' % (RETRY_SUCCEEDS, CANCELLED, NOT_RETRYABLE))
    by_id = {task['id']: task for task in result['tasks']}
    assert by_id[RETRY_SUCCEEDS]['status'] == 'SUCCESSFUL' and by_id[CANCELLED]['retried'] is False
    # One retry sent, for the retryable task only.
    assert changes_sent(sim) == {'PATCH /v1/tasks/<task_id>': 1}


def test_skip_not_retryable_in_check_mode_sends_nothing_and_says_what_would_happen(fresh_simulator, tmp_path):
    sim = fresh_simulator
    res = run_playbook(play(tmp_path, {'task_ids': [RETRY_SUCCEEDS, CANCELLED], 'skip_not_retryable': True}, check=True),
                       env=sim.env('vcf'))
    result = res.record('it')['result']
    assert result['changed'] is True and result['retried'] == [RETRY_SUCCEEDS]
    assert [entry['id'] for entry in result['skipped_tasks']] == [CANCELLED]
    assert result['msg'].startswith('would retry 1 task(s): %s; skipped 1 that cannot be retried: %s' % (RETRY_SUCCEEDS, CANCELLED))
    assert changes_sent(sim) == {}


def test_skip_not_retryable_with_a_selector_skips_the_failed_task_marked_not_retryable(fresh_simulator, tmp_path):
    sim = fresh_simulator
    res = run_playbook(play(tmp_path, {'failed_tasks': {}, 'skip_not_retryable': True}, check=True), env=sim.env('vcf'))
    result = res.record('it')['result']
    assert res.record('it')['status'] != 'ignored', result['msg']
    assert NOT_RETRYABLE in [entry['id'] for entry in result['skipped_tasks']]
    assert NOT_RETRYABLE not in result['retried'] and RETRY_SUCCEEDS in result['retried']
    assert changes_sent(sim) == {}
