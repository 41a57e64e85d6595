# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The vro_executions event source against the simulator, run in-process (its ``main``, no ansible-rulebook): more
runs fail between two polls than one page holds, and each is emitted once, oldest first.

Outcomes are waited for with a generous deadline; nothing asserts a duration.
"""

from __future__ import annotations

import asyncio
import os

from test_eda import DEADLINE, RunningSource, load_source, reads_of, workdir  # noqa: F401  pylint: disable=unused-import

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
        async with RunningSource(source, {'workflow_ids': [workflow['id']], 'interval': 0.2,
                                          'state_file': state_file}) as running:
            await running.until('the first poll', lambda: os.path.exists(state_file))
            # 250 runs that failed in the last 250 seconds, one a second (after the baseline's floor).
            await asyncio.to_thread(sim.admin, 'POST', 'vro/workflows/%s/runs' % workflow['id'],
                                    {'count': STORM, 'state': 'failed', 'spacing': 1.0})
            events = []
            while len(events) < STORM:
                events.append(await asyncio.wait_for(running.queue.get(), DEADLINE))
            polls = await asyncio.to_thread(reads_of, sim, listings)
            await running.until('three more polls', lambda: reads_of(sim, listings) >= polls + 3)
            return events, running.queue.qsize()

    events, more = asyncio.run(scenario())
    assert more == 0
    failed = [run for run in sim.admin('GET', 'vro/runs?workflow=%s&limit=1000' % workflow['id'])['runs']
              if run['state'] == 'failed']
    oldest_first = [run['id'] for run in sorted(failed, key=lambda run: run['start'])]
    assert len(oldest_first) == STORM
    assert [e['vro_execution']['execution_id'] for e in events] == oldest_first
    assert {e['state'] for e in events} == {'failed'}
