# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ico_tasks source, run in-process as in test_eda_hostile.py, watching two projects of which ICO refuses one (the
simulator answers 401 CTJCO0403E for a project the user is not a member of, as ICO does): the other project's changes
are still emitted, once, the refusal is one log line (not an outage), and the source keeps running."""

from __future__ import annotations

import asyncio
import logging
import os

from test_eda import DEADLINE, RunningSource, load_source, reads_of, workdir  # noqa: F401  pylint: disable=unused-import

ROUTE = '/orchestrator/v2/tasks'


def test_a_refused_project_leaves_the_other_watched(fresh_simulator, workdir, monkeypatch, caplog):  # noqa: F811
    sim = fresh_simulator
    env = sim.env('ico')
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    state_file = os.path.join(workdir, 'ico-projects.json')
    source = load_source('ico_tasks')

    async def scenario():
        args = {'projects': ['finance', 'retired'], 'interval': 0.2, 'state_file': state_file, 'timeout': 5}
        async with RunningSource(source, args) as running:
            await running.until('the first poll', lambda: os.path.exists(state_file))
            await asyncio.to_thread(sim.admin, 'POST', 'ico/tasks/1006/status',
                                    json={'status': 'FAILED', 'error_message': 'CTJCO0003E: disk full'})
            event = await asyncio.wait_for(running.queue.get(), DEADLINE)
            polls = await asyncio.to_thread(reads_of, sim, ROUTE)
            await running.until('three more polls', lambda: reads_of(sim, ROUTE) >= polls + 6)
            running.assert_running()
            return event, running.queue.qsize()

    with caplog.at_level(logging.DEBUG):
        event, more = asyncio.run(scenario())
    assert str(event['ico_task']['id']) == '1006' and event['status'] == 'FAILED'
    assert more == 0
    lines = [r.getMessage() for r in caplog.records if r.name.startswith('cloudops.orchestrator.')]
    refused = [line for line in lines if "'retired'" in line]
    assert len(refused) == 1 and 'still watched' in refused[0] and '\n' not in refused[0], lines
    assert not [line for line in lines if 'polling goes on with a backoff' in line], lines
    assert env['ICO_PASSWORD'] not in caplog.text
