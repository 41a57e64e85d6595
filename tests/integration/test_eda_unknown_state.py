# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vro_executions, run in-process against the simulator (as test_eda_hostile.py), when a run of the executions list reads
a state word that is no vRO run state (the 8.18 spec's ``ExecutionState.state`` enum; the modules warn once per word,
``_vro.api.note_state``): the source cannot emit that run (its watched states are known ones), and says so in one log
line per word, however many polls and runs read it, without a secret; the known spellings (``cancelled``) are no
unknown word.

Outcomes are waited for with a generous deadline; nothing asserts a duration.
"""

from __future__ import annotations

import asyncio
import logging
import os

from test_eda import DEADLINE, RunningSource, load_source, workdir  # noqa: F401  pylint: disable=unused-import


def page(sim, workflow_id, states):
    """An executions list (the 8.x ``relations`` shape) of one run per state word, as a server that ignores the state
    condition answers it."""
    links = []
    for number, state in enumerate(states):
        run_id = 'c0ffee00-0000-4000-8000-%012d' % number
        links.append({'rel': 'down', 'href': '%s/vco/api/workflows/%s/executions/%s/' % (sim.url, workflow_id, run_id),
                      'attributes': [{'name': 'id', 'value': run_id}, {'name': 'state', 'value': state},
                                     {'name': 'name', 'value': 'Always fail'},
                                     {'name': 'startDate', 'value': '2026-03-01T10:00:00.000Z'}]})
    return {'relations': {'link': links, 'total': len(links)}}


def test_vro_source_logs_an_unknown_state_word_once(fresh_simulator, workdir, monkeypatch, caplog):  # noqa: F811
    sim = fresh_simulator
    env = sim.env('vro')
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    workflows = sim.admin('GET', 'vro/workflows')
    workflow = next(w for w in (workflows.get('workflows') if isinstance(workflows, dict) else workflows)
                    if w.get('name') == 'Always fail')
    route = '/vco/api/workflows/%s/executions' % workflow['id']
    sim.faults({'route': route, 'method': 'GET', 'kind': 'body', 'count': 4,
                'body': page(sim, workflow['id'], ['PAUSED_BY_ADMIN', 'paused-by-admin', 'cancelled', 'Hibernating'])})
    state_file = os.path.join(workdir, 'vro-unknown-state.json')
    source = load_source('vro_executions')

    def fired():
        return sum(f['fired'] for f in sim.admin('GET', 'faults')['faults'])

    async def scenario():
        async with RunningSource(source, {'workflow_ids': [workflow['id']], 'states': ['failed', 'canceled'],
                                          'interval': 0.2, 'state_file': state_file}) as running:
            await running.until('four polls', lambda: fired() >= 4)
            running.assert_running()

    with caplog.at_level(logging.DEBUG):
        asyncio.run(scenario())
    lines = [r for r in caplog.records if r.name.startswith('cloudops.orchestrator.') and 'not a vRO run state' in r.getMessage()]
    words = sorted(w for w in ('paused-by-admin', 'hibernating') for r in lines if "'%s'" % w in r.getMessage())
    assert words == ['hibernating', 'paused-by-admin'], [r.getMessage() for r in lines]
    assert len(lines) == 2 and all(r.levelno == logging.WARNING and '\n' not in r.getMessage() for r in lines), lines
    assert env['VRO_PASSWORD'] not in caplog.text
