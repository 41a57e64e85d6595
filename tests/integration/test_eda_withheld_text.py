# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vro_executions, run in-process against the simulator (as test_eda_hostile.py): a failed run whose details cannot be
read (gone, an answer of the wrong shape, garbled JSON) is emitted from its list entry, whose error text quotes the run's
SecureString input. The run's secrets are known only from its details, so the event leaves the text out and says why;
the secret is in no event and no log line.

Outcomes are waited for with a generous deadline; nothing asserts a duration.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os

import pytest
import requests

from test_eda import DEADLINE, RunningSource, load_source, workdir  # noqa: F401  pylint: disable=unused-import

ECHO_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
SECRET = 'Run-s3cret-quoted!'
DETAILS = {
    'gone': {'kind': 'body', 'status': 404, 'body': {'status': 404, 'message': 'not found'}},
    'wrong_shape': {'kind': 'body', 'body': ['not', 'a', 'run']},
    # Garbled details (a 200 whose body is not JSON): one hostile run, not an outage of every event.
    'bad_json': {'kind': 'bad_json'},
}


def start_with_secret(sim):
    """Start the echo workflow with a SecureString input; its run id."""
    name, entry = sim.user('vro')
    body = {'parameters': [{'name': 'secret', 'type': 'SecureString', 'scope': 'local',
                            'value': {'secure-string': {'value': SECRET}}}]}
    answer = requests.post('%s/vco/api/workflows/%s/executions' % (sim.url, ECHO_ID), json=body,
                           auth=(name, entry['password']), verify=sim.verify, timeout=30,
                           headers={'Accept': 'application/json'})
    assert answer.status_code in (201, 202), answer.text
    data = answer.json() if answer.content else {}
    return data.get('id') or answer.headers['Location'].rstrip('/').rsplit('/', 1)[-1]


@pytest.mark.parametrize('details', sorted(DETAILS))
def test_an_event_from_the_list_entry_never_carries_the_runs_secret(fresh_simulator, workdir, monkeypatch, caplog,  # noqa: F811
                                                                    details):
    sim = fresh_simulator
    for key, value in sim.env('vro').items():
        monkeypatch.setenv(key, value)
    state_file = os.path.join(workdir, 'vro-%s.json' % details)
    source = load_source('vro_executions')
    args = {'workflow_ids': [ECHO_ID], 'interval': 0.2, 'state_file': state_file, 'timeout': 5}

    async def scenario():
        async with RunningSource(source, args) as running:
            await running.until('the first poll', lambda: os.path.exists(state_file))
            # Every read of a run's details fails; the listing works.
            await asyncio.to_thread(sim.faults, dict(DETAILS[details], method='GET',
                                                     route='/vco/api/workflows/%s/executions/*' % ECHO_ID))
            run_id = await asyncio.to_thread(start_with_secret, sim)
            await asyncio.to_thread(sim.admin, 'POST', 'vro/executions/%s/outcome' % run_id,
                                    json={'state': 'failed', 'exception': 'login with %s refused' % SECRET})
            event = await asyncio.wait_for(running.queue.get(), DEADLINE)
            return run_id, event

    with caplog.at_level(logging.DEBUG):
        run_id, event = asyncio.run(scenario())
    listed = [entry for entry in sim.admin('GET', 'requests?limit=5000')['requests']
              if entry.get('method') == 'GET' and entry.get('path', '').split('?')[0].endswith('/executions/%s' % run_id)]
    assert listed, 'the source did not try to read the run details'
    assert event['vro_execution']['execution_id'] == run_id and event['state'] == 'failed'
    assert SECRET not in json.dumps(event)
    assert event['error'] is None and 'content_exception' not in event['vro_execution']
    assert 'SecureString' in event['error_withheld'] and 'vro_execution_info' in event['error_withheld']
    assert SECRET not in caplog.text
    if details != 'gone':
        assert 'details of run %s' % run_id in caplog.text and 'cannot be read' in caplog.text
