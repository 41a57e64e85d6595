# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The three event sources (vcf_tasks, vro_executions, ico_tasks) against a hostile server, run in-process (their
``main``, no ansible-rulebook) as test_eda_paging.py does: while the listing each poll reads fails (503, 429, a reset,
an HTML page, garbled JSON, a wrong-shape answer, an error that echoes the password), the source never stops, backs
off, logs one line when the outage starts and one when it ends, logs no secret, and emits the change that happened in
the outage once.

Outcomes are waited for with a generous deadline; nothing asserts a duration.
"""

from __future__ import annotations

import asyncio
import logging
import os

import pytest

from test_eda import DEADLINE, RunningSource, load_source, new_failed_task, reads_of, start_run, workdir  # noqa: F401  pylint: disable=unused-import

OUTAGE = 'polling goes on with a backoff'
RECOVERED = 'polling works again'
# A server (or a proxy) whose error echoes what it was sent: the source's log must not repeat the secret.
ECHO = 'ECHO'

FAULTS = {
    '503': {'kind': 'status', 'status': 503},
    '429': {'kind': 'throttle', 'retry_after': 1},
    'reset': {'kind': 'reset_before'},
    'html': {'kind': 'html'},
    'bad_json': {'kind': 'bad_json'},
    'wrong_shape': {'kind': 'body', 'body': ['not', 'a', 'page']},
    'echo_secret': {'kind': 'body', 'status': 500, 'body': ECHO},
}


def vro_setup(sim):
    workflows = sim.admin('GET', 'vro/workflows')
    workflow = next(w for w in (workflows.get('workflows') if isinstance(workflows, dict) else workflows)
                    if w.get('name') == 'Always fail')
    route = '/vco/api/workflows/%s/executions' % workflow['id']

    def change():
        return start_run(sim, workflow['id'])

    def ident(event):
        return event['vro_execution']['execution_id']
    return 'vro_executions', {'workflow_ids': [workflow['id']]}, route, change, ident


def vcf_setup(sim):
    def change():
        return new_failed_task(sim, 'hostile outage task')

    def ident(event):
        return event['vcf_task']['id']
    return 'vcf_tasks', {}, '/v1/tasks', change, ident


def ico_setup(sim):
    def change():
        sim.admin('POST', 'ico/tasks/1006/status', json={'status': 'FAILED', 'error_message': 'CTJCO0003E: disk full'})
        return '1006'

    def ident(event):
        return str(event['ico_task']['id'])
    return 'ico_tasks', {'projects': ['finance']}, '/orchestrator/v2/tasks', change, ident


SETUPS = {'vro': vro_setup, 'vcf': vcf_setup, 'ico': ico_setup}


def fired(sim):
    return sum(f['fired'] for f in sim.admin('GET', 'faults')['faults'])


@pytest.mark.parametrize('fault', sorted(FAULTS))
@pytest.mark.parametrize('product', sorted(SETUPS))
def test_a_source_survives_an_outage_logs_it_once_without_secrets_and_emits_its_change_once(
        fresh_simulator, workdir, monkeypatch, caplog, product, fault):  # noqa: F811
    sim = fresh_simulator
    env = sim.env(product)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    password = env['%s_PASSWORD' % product.upper()]
    name, args, route, change, ident = SETUPS[product](sim)
    spec = dict(FAULTS[fault], route=route, method='GET', count=4)
    if spec.get('body') == ECHO:
        spec['body'] = {'message': 'login refused for password %s' % password, 'error_message': 'password %s' % password}
    state_file = os.path.join(workdir, '%s-%s.json' % (product, fault))
    source = load_source(name)

    async def scenario():
        async with RunningSource(source, dict(args, interval=0.2, state_file=state_file, timeout=5)) as running:
            await running.until('the first poll', lambda: os.path.exists(state_file))
            await asyncio.to_thread(sim.faults, spec)
            await running.until('the fault', lambda: fired(sim) >= 1)
            # The change happens in the middle of the outage.
            changed = await asyncio.to_thread(change)
            await running.until('the end of the outage', lambda: fired(sim) >= spec['count'])
            event = await asyncio.wait_for(running.queue.get(), DEADLINE)
            polls = await asyncio.to_thread(reads_of, sim, route)
            await running.until('three more polls', lambda: reads_of(sim, route) >= polls + 3)
            running.assert_running()
            return changed, event, running.queue.qsize()

    with caplog.at_level(logging.DEBUG):
        changed, event, more = asyncio.run(scenario())
    assert ident(event) == str(changed)
    assert more == 0, 'an event was emitted twice or one more came'
    lines = [r.getMessage() for r in caplog.records if r.name.startswith('cloudops.orchestrator.')]
    outages = [line for line in lines if OUTAGE in line]
    assert len(outages) == 1 and '\n' not in outages[0], lines
    assert route in outages[0] or sim.url in outages[0], outages[0]
    assert len([line for line in lines if RECOVERED in line]) == 1, lines
    assert password not in caplog.text


# An answer of the right shape that lists nothing for a poll (a server in trouble, a proxy's cached empty page), then
# the whole list again: the tasks it left out are not new, and only the change made meanwhile is emitted.
EMPTY = {'vro': {'relations': {'link': [], 'total': 0}}, 'vcf': {'elements': []}, 'ico': []}


@pytest.mark.parametrize('product', sorted(SETUPS))
def test_a_poll_that_lists_nothing_then_everything_again_emits_only_the_change(fresh_simulator, workdir, monkeypatch,
                                                                                 product):  # noqa: F811
    sim = fresh_simulator
    for key, value in sim.env(product).items():
        monkeypatch.setenv(key, value)
    name, args, route, change, ident = SETUPS[product](sim)
    state_file = os.path.join(workdir, '%s-empty.json' % product)
    source = load_source(name)

    async def scenario():
        async with RunningSource(source, dict(args, interval=0.2, state_file=state_file, emit_existing=False)) as running:
            await running.until('the first poll', lambda: os.path.exists(state_file))
            await asyncio.to_thread(sim.faults, {'route': route, 'method': 'GET', 'kind': 'body', 'body': EMPTY[product],
                                                 'count': 2})
            await running.until('the empty answers', lambda: fired(sim) >= 2)
            changed = await asyncio.to_thread(change)
            event = await asyncio.wait_for(running.queue.get(), DEADLINE)
            polls = await asyncio.to_thread(reads_of, sim, route)
            await running.until('three more polls', lambda: reads_of(sim, route) >= polls + 3)
            return changed, event, [running.queue.get_nowait() for ignored in range(running.queue.qsize())]

    changed, event, more = asyncio.run(scenario())
    assert ident(event) == str(changed)
    assert [ident(e) for e in more] == []
