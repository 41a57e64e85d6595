# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vro_executions event source against the simulator, run in-process (its ``main``, no ansible-rulebook): more
runs fail between two polls than one page holds, and each is emitted once, oldest first.

Outcomes are waited for with a generous deadline; nothing asserts a duration.
"""

from __future__ import annotations

import asyncio
import os
import time

from test_eda import DEADLINE, load_source, reads_of, workdir  # noqa: F401  pylint: disable=unused-import

STORM = 250


def test_vro_source_emits_a_storm_of_failed_runs_beyond_one_page_each_once(fresh_simulator, workdir, monkeypatch):  # noqa: F811
    sim = fresh_simulator
    for key, value in sim.env('vro').items():
        monkeypatch.setenv(key, value)
    workflows = sim.admin('GET', 'vro/workflows')
    workflow = next(w for w in (workflows.get('workflows') if isinstance(workflows, dict) else workflows)
                    if w.get('name') == 'Always fail')
    listings = '/vco/api/workflows/%s/executions' % workflow['id']
    state_file = os.path.join(workdir, 'vro-storm.json')
    source = load_source('vro_executions')

    async def scenario():
        queue = asyncio.Queue()
        running = asyncio.create_task(source.main(queue, {'workflow_ids': [workflow['id']], 'interval': 0.2,
                                                          'state_file': state_file}))
        try:
            end = time.monotonic() + DEADLINE
            while not os.path.exists(state_file):
                assert not running.done(), running.result()
                assert time.monotonic() < end, 'no first poll within %ss' % DEADLINE
                await asyncio.sleep(0.2)
            # 250 runs that failed in the last 250 seconds, one a second (after the baseline's floor).
            await asyncio.to_thread(sim.admin, 'POST', 'vro/workflows/%s/runs' % workflow['id'],
                                    {'count': STORM, 'state': 'failed', 'spacing': 1.0})
            events = []
            while len(events) < STORM:
                events.append(await asyncio.wait_for(queue.get(), DEADLINE))
            polls = await asyncio.to_thread(reads_of, sim, listings)
            while await asyncio.to_thread(reads_of, sim, listings) < polls + 3:
                assert not running.done(), running.result()
                assert time.monotonic() < end, 'no three more polls within %ss' % DEADLINE
                await asyncio.sleep(0.2)
            return events, queue.qsize()
        finally:
            running.cancel()
            try:
                await running
            except asyncio.CancelledError:
                pass

    events, more = asyncio.run(scenario())
    assert more == 0
    failed = [run for run in sim.admin('GET', 'vro/runs?workflow=%s&limit=1000' % workflow['id'])['runs']
              if run['state'] == 'failed']
    oldest_first = [run['id'] for run in sorted(failed, key=lambda run: run['start'])]
    assert len(oldest_first) == STORM
    assert [e['vro_execution']['execution_id'] for e in events] == oldest_first
    assert {e['state'] for e in events} == {'failed'}
