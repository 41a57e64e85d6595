# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vcf_task_retry and vcf_task_info under each reading of the behaviours the evidence leaves open (issue 13):
every test runs against the default simulator and against one started with the quirk that plays the other reading."""

from __future__ import annotations

import pytest
import requests

from _harness import run_playbook, write_playbook

RETRY_SUCCEEDS = '7a5e0001-5e1f-4c0d-9a11-000000000001'
RETRY = 'playbooks/vcf/retry.yml'
LIST = 'playbooks/vcf/list.yml'
TASK = 'Retry the tasks'


def simulator(request, fresh_simulator, simulator_factory, quirk):
    """The default simulator (reset), or a new one started with ``--quirk quirk``."""
    del request
    return simulator_factory('--quirk', quirk) if quirk else fresh_simulator


def patches_sent(sim):
    return {route: n for route, n in sim.counters().get('routes', {}).items() if route.startswith('PATCH /v1/') and
            'tokens' not in route and n}


def task_count(sim, **params):
    """totalElements of /v1/tasks straight from the server (independent of the collection)."""
    name, entry = sim.user('vcf')
    token = requests.post(sim.url + '/v1/tokens', json={'username': name, 'password': entry['password']},
                          verify=sim.ca_path, timeout=30).json()['accessToken']
    body = requests.get(sim.url + '/v1/tasks', params=dict(params, pageSize=1), headers={'Authorization': 'Bearer ' + token},
                        verify=sim.ca_path, timeout=30).json()
    return body['pageMetadata']['totalElements']


@pytest.mark.parametrize('quirk', [None, 'vcf-retry-lag=2'])
def test_a_retried_task_that_keeps_its_failed_state_for_a_while_is_waited_on_not_failed(
        request, fresh_simulator, simulator_factory, quirk):
    sim = simulator(request, fresh_simulator, simulator_factory, quirk)
    res = run_playbook(RETRY, extra_vars={'task_id': RETRY_SUCCEEDS}, env=sim.env('vcf'))
    result = res.result(TASK)
    assert result['tasks'][0]['status'] == 'SUCCESSFUL' and result['tasks'][0]['attempts'] == 1
    assert patches_sent(sim) == {'PATCH /v1/tasks/<task_id>': 1}
    assert sim.admin('GET', 'vcf/tasks/%s/attempts' % RETRY_SUCCEEDS)['retry_requests'] == 1


@pytest.mark.parametrize('quirk', [None, 'vcf-status-exact'])
def test_status_filters_give_the_same_answer_whether_the_server_matches_the_spelling_or_not(
        request, fresh_simulator, simulator_factory, quirk):
    sim = simulator(request, fresh_simulator, simulator_factory, quirk)
    res = run_playbook(LIST, extra_vars={'status': 'failed', 'name_contains': 'Bench remediation'}, env=sim.env('vcf'))
    tasks = res.result('List the tasks')['tasks']
    assert len(tasks) == 24 and {t['status'] for t in tasks} == {'FAILED'}
    res = run_playbook(RETRY, extra_vars={'failed_tasks': {'type': 'HOST_COMMISSION'}, 'wait': False}, env=sim.env('vcf'))
    result = res.result(TASK)
    spellings = {t['status_raw'] for t in result['tasks']}
    assert spellings == {'Failed', 'FAILED'} and len(result['retried']) == result['matched'] > 0


@pytest.mark.parametrize('quirk', [None, 'vcf-paging-one-based', 'vcf-paging-ignored'])
def test_listing_is_complete_whatever_the_paging(request, fresh_simulator, simulator_factory, quirk):
    sim = simulator(request, fresh_simulator, simulator_factory, quirk)
    total = task_count(sim)
    assert total > 250
    res = run_playbook(LIST, extra_vars={'max_results': 1000}, env=sim.env('vcf'))
    ids = [t['id'] for t in res.result('List the tasks')['tasks']]
    assert len(ids) == len(set(ids)) == total


CREDENTIALS_UPDATE = {'name': 'Credentials update operation', 'type': 'CREDENTIALS_UPDATE', 'status': 'Failed',
                      'credentials': True, 'outcomes': ['successful'], 'retry_seconds': 0.5,
                      'subtasks': [{'name': 'sfo01-m01-esx01.rainpole.io:SSH', 'status': 'FAILED',
                                    'resourceName': 'sfo01-m01-esx01.rainpole.io', 'credentialType': 'SSH',
                                    'username': 'root', 'entityType': 'ESXI'}]}
NEW_PASSWORD = 'Upd8-Quirk-Pw!93xQ'


def test_a_credentials_update_retry_needs_the_new_passwords_and_keeps_them_secret(fresh_simulator):
    sim = fresh_simulator
    task_id = sim.admin('POST', 'vcf/tasks', json={'tasks': [CREDENTIALS_UPDATE]})['ids'][0]
    refused = run_playbook(RETRY, extra_vars={'task_id': task_id}, env=sim.env('vcf'), expect_failure=True)
    assert 'credentials_update' in refused.result(TASK)['msg'] and task_id in refused.result(TASK)['msg']
    assert patches_sent(sim) == {}
    update = [{'resource_type': 'ESXI', 'resource_name': 'sfo01-m01-esx01.rainpole.io',
               'credentials': [{'credential_type': 'SSH', 'username': 'root', 'password': NEW_PASSWORD}]}]
    res = run_playbook('playbooks/vcf/retry_update.yml', extra_vars={'task_id': task_id, 'update': update},
                       env=sim.env('vcf'))
    assert res.result(TASK)['tasks'][0]['status'] == 'SUCCESSFUL'
    assert patches_sent(sim) == {'PATCH /v1/credentials/tasks/<task_id>': 1}
    assert NEW_PASSWORD not in res.stdout and NEW_PASSWORD not in str(res.results)


@pytest.mark.parametrize('quirk', [None, 'vcf-refail-keeps-stamp'])
def test_a_lost_retry_answer_whose_retry_failed_again_at_once_is_never_resent(
        request, fresh_simulator, simulator_factory, quirk):
    # Part 18: the PATCH is applied and its answer lost; the retry fails again at once. By default the new failure has
    # a new completionTimestamp: the retry is adopted and its failure reported. Under the quirk it reads exactly as
    # before the PATCH: the module cannot tell, and fails saying the retry may or may not have happened. One PATCH.
    sim = simulator(request, fresh_simulator, simulator_factory, quirk)
    sim.admin('POST', 'vcf/tasks/%s/outcome' % RETRY_SUCCEEDS, json={'retry_seconds': 0, 'outcomes': ['failed']})
    sim.faults({'route': '/v1/tasks/%s' % RETRY_SUCCEEDS, 'method': 'PATCH', 'kind': 'reset_after', 'count': 1})
    res = run_playbook('playbooks/once/retry.yml', extra_vars={'task_id': RETRY_SUCCEEDS, 'timeout': 1},
                       env=sim.env('vcf'), expect_failure=True)
    [failed] = res.failed_results()
    msg = failed['result']['msg']
    assert patches_sent(sim) == {'PATCH /v1/tasks/<task_id>': 1}
    assert sim.admin('GET', 'vcf/tasks/%s/attempts' % RETRY_SUCCEEDS)['attempts'] == 1
    warnings = failed['result'].get('warnings', [])
    # The quirk is on by this parameter, or by CLOUDOPS_SIM_QUIRKS for every simulator of the suite.
    if 'vcf-refail-keeps-stamp' in sim.quirks:
        assert 'may or may not have been applied' in msg and 'whether this retry ran' in msg, msg
        assert not any('the retry was applied' in w for w in warnings), warnings
    else:
        assert 'may or may not' not in msg and failed['result']['tasks'][0]['status'] == 'FAILED', msg
        assert any('the retry was applied' in w for w in warnings), warnings


SEED_FAILED = '9d63e8b9-fa17-4465-912a-69aa1f2a2840'


@pytest.mark.parametrize('quirk', [None, 'vcf-task-fields-omitted'])
def test_tasks_without_their_optional_fields_are_read_retried_and_emitted_once(
        request, fresh_simulator, simulator_factory, quirk, monkeypatch, tmp_path):
    """The 4.4 reference's samples leave out completionTimestamp and isRetryable (and a task may lack subTasks, errors,
    resources): vcf_task_info reads such a task with nulls, vcf_task_retry retries it, and the vcf_tasks source emits a
    new failure once although completedAfter cannot list it."""
    import asyncio  # pylint: disable=import-outside-toplevel
    import os  # pylint: disable=import-outside-toplevel
    from test_eda import RunningSource, load_source  # pylint: disable=import-outside-toplevel
    sim = simulator(request, fresh_simulator, simulator_factory, quirk)
    sparse = 'vcf-task-fields-omitted' in sim.quirks
    res = run_playbook(LIST, extra_vars={'max_results': 1000}, env=sim.env('vcf'))
    seed = [t for t in res.result('List the tasks')['tasks'] if t['id'] == SEED_FAILED][0]
    assert seed['status'] == 'FAILED'
    assert (seed['completion_timestamp'] is None, seed['is_retryable'] is None) == (sparse, sparse)
    res = run_playbook(RETRY, extra_vars={'task_id': RETRY_SUCCEEDS}, env=sim.env('vcf'))
    assert res.result(TASK)['tasks'][0]['status'] == 'SUCCESSFUL'
    assert patches_sent(sim) == {'PATCH /v1/tasks/<task_id>': 1}

    for key, value in sim.env('vcf').items():
        monkeypatch.setenv(key, value)
    state_file = os.path.join(str(tmp_path), 'vcf.json')
    source = load_source('vcf_tasks')

    async def scenario():
        async with RunningSource(source, {'interval': 0.1, 'state_file': state_file}) as running:
            await running.until('the first poll', lambda: os.path.exists(state_file))
            task_id = await asyncio.to_thread(lambda: sim.admin('POST', 'vcf/tasks', json={'tasks': [
                {'name': 'Quirk remediation', 'status': 'Failed'}]})['ids'][0])
            event = await asyncio.wait_for(running.queue.get(), 120)
            # Two more sweeps (every 10th poll) go by: the failure is not emitted again.
            sweeps = await asyncio.to_thread(lambda: sim.counters()['routes'].get('GET /v1/tasks', 0))
            await running.until('30 more listings', lambda: sim.counters()['routes'].get('GET /v1/tasks', 0) >= sweeps + 30)
            return task_id, event, running.queue.qsize()

    task_id, event, more = asyncio.run(scenario())
    assert (event['vcf_task']['id'], event['status'], more) == (task_id, 'FAILED', 0)
    assert (event['vcf_task']['completion_timestamp'] is None) == sparse


# The failed tasks the simulator's catalogue has in March 2026 (simulator/vcf_catalog.py), each created and failed after
# MARCH_WINDOW; the catalogue's other failures (the 4.4 samples of 2019 and 1970, the bench tasks of 2026-03-01 before
# noon, the history of 2025) are older.
MARCH_WINDOW = '2026-03-01T12:00:00Z'
RETRY_FAILS_ONCE = '7a5e0002-5e1f-4c0d-9a11-000000000002'
NOT_RETRYABLE = '7a5e0006-5e1f-4c0d-9a11-000000000006'
CREDENTIALS_FAILED = '7a5e0007-5e1f-4c0d-9a11-000000000007'
MARCH_FAILED = sorted([RETRY_SUCCEEDS, RETRY_FAILS_ONCE, NOT_RETRYABLE, CREDENTIALS_FAILED])
LISTS = 'GET /v1/tasks'


@pytest.mark.parametrize('quirk', [None, 'vcf-task-fields-omitted'])
def test_completed_after_finds_the_failures_of_the_window_with_or_without_completion_time(
        request, fresh_simulator, simulator_factory, quirk, tmp_path):
    """The 4.4 reference's list sample has a Failed task without completionTimestamp, which completedAfter cannot list:
    vcf_task_info (status FAILED, or none) and vcf_task_retry's failed_tasks find the failures of the window either way
    (an undated one by its creation), no older one, each once, with one more listing each (test_roles.py: the role)."""
    sim = simulator(request, fresh_simulator, simulator_factory, quirk)
    sparse = 'vcf-task-fields-omitted' in sim.quirks
    lists = sim.counters()['routes'].get(LISTS, 0)
    path = write_playbook(tmp_path, 'window', [
        {'name': 'Failed', 'cloudops.orchestrator.vcf_task_info': {
            'status': 'FAILED', 'completed_after': MARCH_WINDOW, 'order': 'asc', 'order_by': 'completionTimestamp'}},
        {'name': 'Any', 'cloudops.orchestrator.vcf_task_info': {'completed_after': MARCH_WINDOW}},
        {'name': 'Select', 'check_mode': True, 'cloudops.orchestrator.vcf_task_retry': {
            'failed_tasks': {'completed_after': MARCH_WINDOW}, 'skip_not_retryable': True, 'wait': False}},
    ])
    res = run_playbook(path, env=sim.env('vcf'))
    failed = res.result('Failed')['tasks']
    assert sorted(t['id'] for t in failed) == MARCH_FAILED
    assert [t['completion_timestamp'] is None for t in failed] == [sparse] * 4
    # Ordered by completion as asked, an undated failure at its creation: the catalogue's order either way.
    assert [t['id'] for t in failed] == MARCH_FAILED
    listed = [t['id'] for t in res.result('Any')['tasks']]
    assert sorted(set(listed) & set(MARCH_FAILED)) == MARCH_FAILED and len(listed) == len(set(listed))
    selected = res.result('Select')
    assert selected['matched'] == 4
    assert sorted(selected['retried'] + [s['id'] for s in selected['skipped_tasks']]) == MARCH_FAILED
    # Per module: its listing and one listing by creation (each in two spellings of FAILED at most), one page each.
    extra = sim.counters()['routes'].get(LISTS, 0) - lists
    assert extra <= 4 + 2 + 4, extra
    assert patches_sent(sim) == {}
