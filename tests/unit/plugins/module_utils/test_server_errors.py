# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A 500 answering a change: the server failed while handling it, which does not prove that nothing happened.

A change (POST, PUT, DELETE, PATCH) answered 500 (or any 5xx but a gateway's 502/504 and the "not handled"
501/503/505) is "may have been applied" (AnswerLost, ``details['answered']``), never resent; a 4xx stays "not applied".
"""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._adopt import ADOPTION_MARGIN, adopt
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import (
    AdoptionFailed, AnswerLost, ApiError, may_have_been_applied,
)
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_client import make

START = '/vco/api/workflows/w1/executions'


@pytest.mark.parametrize('status', [500, 507])
def test_a_post_answered_by_the_servers_own_5xx_may_have_been_applied(status):
    body = {'status': status, 'message': 'NullPointerException in WorkflowExecutionService'}
    with ReplayServer({'POST %s' % START: [respond(status, body), respond(202, {'id': 'e2'})]}) as server:
        client = make(server, retries=3)
        with pytest.raises(AnswerLost) as info:
            client.post('/workflows/w1/executions', json={'parameters': []})
        assert len(server.calls('POST')) == 1
    error = info.value
    assert may_have_been_applied(error) and error.details['sent'] is True and error.details['answered'] is True
    assert error.details['status'] == status and error.status is None and client.sleep == []
    text = str(error)
    assert 'may have acted upon the request' in text and 'NullPointerException' in text and '\n' not in text


def test_the_vcf_retry_patch_answered_500_keeps_the_servers_error_fields():
    body = {'errorCode': 'TASK_RETRY_FAILED', 'message': 'Retry of the task failed', 'referenceToken': 'QX7P2L',
            'causes': [{'type': 'java.lang.IllegalStateException', 'message': 'workflow engine is busy'}]}
    with ReplayServer({'PATCH /v1/tasks/t1': [respond(500, body)]}) as server:
        client = make(server, product='vcf', retries=3)
        with pytest.raises(AnswerLost) as info:
            client.patch('/tasks/t1', idempotent=False)
        assert len(server.calls('PATCH')) == 1
    error = info.value
    assert error.server_message == 'Retry of the task failed' and error.details['referenceToken'] == 'QX7P2L'
    assert error.details['status'] == 500 and 'referenceToken: QX7P2L' in str(error)


@pytest.mark.parametrize('status', [400, 404, 409, 501, 503])
def test_a_post_refused_with_a_4xx_or_a_not_handled_5xx_stays_not_applied(status):
    with ReplayServer({'POST %s' % START: [respond(status, {'message': 'refused'})]}) as server:
        client = make(server, retries=0)
        with pytest.raises(ApiError) as info:
            client.post('/workflows/w1/executions', json={'parameters': []})
        assert len(server.calls('POST')) == 1
    assert not may_have_been_applied(info.value) and info.value.status == status
    assert 'may have' not in str(info.value)


def test_a_delete_answered_500_says_it_may_have_been_applied_and_how_to_check():
    with ReplayServer({'DELETE /vco/api/tasks/t1': [respond(500, {'message': 'boom'})]}) as server:
        client = make(server, retries=3)
        with pytest.raises(AnswerLost) as info:
            client.delete('/tasks/t1')
        assert len(server.calls('DELETE')) == 1
    assert info.value.details['answered'] is True
    assert 'may have acted upon the request' in str(info.value) and 'check on the server whether it was applied' in str(info.value)


def test_a_read_answered_500_has_no_write_hint():
    with ReplayServer({'GET /vco/api/tasks/t1': [respond(500, {'message': 'boom'})]}) as server:
        with pytest.raises(ApiError) as info:
            make(server, retries=0).get('/tasks/t1')
    assert 'may have applied' not in str(info.value)


def test_adoption_after_a_servers_own_500_looks_for_the_margin_only():
    lost = AnswerLost('the server failed while handling it (HTTP 500)', kind='http', method='POST', url='https://x/y',
                      details={'sent': True, 'status': 500, 'answered': True})
    now = [0.0]
    looks = []

    def sleep(seconds):
        now[0] += seconds

    with pytest.raises(AdoptionFailed) as info:
        adopt(lost, lambda: looks.append(now[0]) or [], 40.0, 'run', look_at='the runs', rerun='re-running starts another',
              clock=lambda: now[0], sleep=sleep)
    # The window of a lost answer would be 40 s here; the server answered, so ADOPTION_MARGIN (10 s) is enough.
    assert looks == [float(n) for n in range(int(ADOPTION_MARGIN) + 1)]
    assert info.value.result['adoption_window'] == ADOPTION_MARGIN
    assert 'may or may not have been applied' in str(info.value) and 'within 10s (11 looks)' in str(info.value)
    # the server answered: its answer was an error, not lost
    assert 'its answer was a server error (the server failed' in str(info.value) and 'lost' not in str(info.value)


def test_an_adoption_after_a_500_says_the_server_failed_not_that_the_answer_was_lost():
    lost = AnswerLost('the server failed while handling it (HTTP 500)', kind='http', method='POST', url='https://x/y',
                      details={'sent': True, 'status': 500, 'answered': True})
    warnings = []
    assert adopt(lost, lambda: ['e7'], 40.0, 'run', look_at='the runs', rerun='re-running starts another',
                 warn=warnings.append, clock=lambda: 0.0, sleep=lambda seconds: None) == 'e7'
    assert warnings == ['POST https://x/y was answered with a server error (the server failed while handling it (HTTP 500)); '
                        'adopted run e7, which it made, instead of sending it again']
    with pytest.raises(AdoptionFailed) as info:
        adopt(lost, lambda: ['e7', 'e8'], 40.0, 'run', look_at='the runs', rerun='re-running starts another',
              clock=lambda: 0.0, sleep=lambda seconds: None)
    assert str(info.value).startswith('POST https://x/y was answered with a server error (') and 'lost' not in str(info.value)
    # a lost answer keeps its words
    gone = AnswerLost('read timed out', kind='timeout', method='POST', url='https://x/y', details={'sent': True})
    warnings = []
    adopt(gone, lambda: ['e7'], 40.0, 'run', look_at='the runs', rerun='re-running starts another', warn=warnings.append,
          clock=lambda: 0.0, sleep=lambda seconds: None)
    assert warnings == ['the answer to POST https://x/y was lost (read timed out); adopted run e7, which it made, instead of sending it again']
