# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``vro_executions``: one failed run whose details read fails with a body that is not JSON (garbled, NaN, nested
too deep) or past the client's size bound is emitted from its list entry, like a run whose details have the wrong
shape: the other runs are still emitted, the problem is logged once, and the body's excerpt (which may quote the
run's SecureString values) is in no log line. A server outage on that read still stops the poll."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import iso_from_ms

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_watch_variants import (
    START, VroServer, WID, drain, logger, vro_watch)
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.clocks import MsClock

MINUTE = 60 * 1000
SECRET = 'Run-s3cret-quoted!'
URL = 'https://vro.example.com/vco/api/workflows/%s/executions/bad' % WID
ERRORS = {
    'json': ApiError('the answer is not valid JSON: Expecting value: line 1 column 80 (char 79)', kind='json',
                     method='GET', url=URL, status=200, body_excerpt='{"input-parameters": [{"value": "%s" ' % SECRET),
    'size': ApiError('the answer passed 67108864 bytes (after gzip decoding): reading stopped there', kind='size',
                     method='GET', url=URL, status=200),
}


def run(run_id, ended):
    return {'id': run_id, 'name': 'run %s' % run_id, 'state': 'failed', 'content-exception': 'boom',
            'start-date': iso_from_ms(ended - 1000), 'end-date': iso_from_ms(ended)}


class Server(VroServer):
    def __init__(self, error):
        super().__init__()
        self.error = error

    def answer(self, path, params):
        if path.endswith('/executions/bad'):
            return self.error
        return super().answer(path, params)


@pytest.mark.parametrize('kind', sorted(ERRORS))
def test_one_run_whose_details_cannot_be_read_is_emitted_from_its_list_entry(kind):
    server, clock = Server(ERRORS[kind]), MsClock(START)
    log, handler = logger()
    watcher, ignored = vro_watch(server, clock, log)
    assert drain(watcher) == []
    clock.ms += MINUTE
    server.runs[:0] = [run('bad', START + 30000), run('good', START + 20000)]
    events = drain(watcher)
    assert sorted(e['vro_execution']['execution_id'] for e in events) == ['bad', 'good']
    bad = next(e for e in events if e['vro_execution']['execution_id'] == 'bad')
    assert bad['state'] == 'failed' and bad['error'] is None
    clock.ms += MINUTE
    assert drain(watcher) == []
    said = [line for line in handler.lines if 'details of run bad' in line]
    assert len(said) == 1 and 'cannot be read' in said[0] and ERRORS[kind].message in said[0]
    assert not any(SECRET in line for line in handler.lines)


def test_an_outage_on_the_details_read_still_stops_the_poll():
    server, clock = Server(ApiError('the server answered HTTP 503', kind='http', status=503, method='GET', url=URL)), \
        MsClock(START)
    log, handler = logger()
    watcher, ignored = vro_watch(server, clock, log)
    assert drain(watcher) == []
    clock.ms += MINUTE
    server.runs[:0] = [run('bad', START + 30000)]
    with pytest.raises(ApiError):
        drain(watcher)
