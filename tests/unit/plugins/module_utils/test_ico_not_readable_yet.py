# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""orch_task with wait_for_status right after a create: a 404 on the task it just created, before any read showed it,
is waited out for the request timeout plus UNREADABLE_MARGIN (nodes not in step); a 404 after a read showed the
task, one past the grace, and one on a task given by id still fail at once. Hand-moved clock: no real time."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.cloudops.orchestrator.plugins.module_utils._adopt import adoption_window
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.task import manage_task
from ansible_collections.cloudops.orchestrator.plugins.module_utils._waiter import UNREADABLE_MARGIN, Waiter

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.clocks import SleepClock

URL = 'https://ico.example.com/orchestrator/v2/tasks/41'
FIELDS = {'eventTopic': 'a/b', 'parm': {'processName': 'Deploy'}}


class _Client:
    timeout = 5.0


class _Engine:
    """A task engine whose reads answer from ``answers`` in turn (a status, or 404), the last one for ever."""

    def __init__(self, answers):
        self.client = _Client()
        self.answers = list(answers)
        self.posts = 0
        self.reads = 0

    def create(self, fields, warn=None):
        self.posts += 1
        return dict(fields, id='41', status='QUEUED')

    def get(self, task_id, expand=False, missing_ok=False):
        self.reads += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if answer == 404:
            raise ApiError("task '41' not found", status=404, method='GET', url=URL)
        return dict(FIELDS, id=task_id, status=answer)


def _run(engine, clock, task_id=None, wait_timeout=600.0):
    def waiter():
        return Waiter(timeout=wait_timeout, interval=1.0, interval_max=1.0, clock=clock, sleep=clock.sleep)
    return manage_task(engine, task_id, None if task_id else FIELDS, 'present', ['COMPLETED'], waiter=waiter)


def test_404s_just_after_the_create_are_waited_out():
    engine, clock = _Engine([404, 404, 404, 'RUNNING', 'COMPLETED']), SleepClock()
    result = _run(engine, clock)
    assert result['changed'] is True and result['task']['status'] == 'COMPLETED'
    assert engine.posts == 1 and engine.reads == 5


def test_a_404_past_the_grace_fails_naming_the_created_task():
    engine, clock = _Engine([404]), SleepClock()
    with pytest.raises(OperationError) as caught:
        _run(engine, clock)
    message = str(caught.value)
    assert 'HTTP 404' in message and 'task 41 was created' in message and '\n' not in message, message
    assert caught.value.result['changed'] is True
    # Read every second until the request timeout plus the margin had passed, then the 404 failed.
    assert engine.reads == int(_Client.timeout + UNREADABLE_MARGIN) + 1
    assert clock.now == _Client.timeout + UNREADABLE_MARGIN
    assert engine.posts == 1


def test_a_404_after_a_read_showed_the_task_fails_at_once():
    engine, clock = _Engine(['RUNNING', 404]), SleepClock()
    with pytest.raises(OperationError) as caught:
        _run(engine, clock)
    assert 'HTTP 404' in str(caught.value) and 'task 41 was created' in str(caught.value)
    assert engine.reads == 2 and clock.now == 1.0


def test_a_404_on_a_task_given_by_id_fails_at_once():
    engine, clock = _Engine([404]), SleepClock()
    with pytest.raises(ApiError) as caught:
        _run(engine, clock, task_id='41')
    assert caught.value.status == 404
    assert engine.reads == 1 and engine.posts == 0 and clock.now == 0.0


def test_a_wait_timeout_within_the_grace_says_the_task_answered_404():
    engine, clock = _Engine([404]), SleepClock()
    with pytest.raises(OperationError) as caught:
        _run(engine, clock, wait_timeout=3.0)
    message = str(caught.value)
    assert message.startswith('task 41 was created, but every read of it answered HTTP 404 until wait_timeout'), message
    assert 'orch_task (id: 41, wait_for_status)' in message and '\n' not in message
    assert caught.value.result['changed'] is True and caught.value.result['error']['status'] == 404
    assert engine.reads == 4 and engine.posts == 1


# -- the read of the Location a create answer named (201, no body) ------------------------------------------------

class _LocationOnly:
    """A client whose POST /tasks answers 201 with ``Location`` and no body, and whose GETs answer from ``answers``
    (404, or a task), the last one for ever; time moves only by the engine's own sleeps."""

    timeout = 5.0
    deadline = None
    decode = Client.decode
    check = staticmethod(Client.check)

    def __init__(self, answers, location='/orchestrator/v2/tasks/41'):
        self.answers = list(answers)
        self.location = location
        self.clock = SleepClock()
        self.sleep = self.clock.sleep
        self.posts = 0
        self.reads = []
        self.warnings = []

    def request(self, method, path, **kw):
        assert (method, path) == ('POST', '/tasks')
        self.posts += 1
        response = requests.Response()
        response.status_code = 201
        response._content = b''  # pylint: disable=protected-access
        response.headers['Location'] = self.location
        response.url = 'https://ico.example.com/orchestrator/v2/tasks'
        return response

    def resolve(self, reference, base=None):
        if reference.startswith('https://other.example'):
            raise ApiError('the Location %s is not on the configured server' % reference, kind='origin')
        return 'https://ico.example.com' + reference

    def get(self, path, **kw):
        self.reads.append(path)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if answer in (401, 404):
            raise ApiError('GET %s returned HTTP %d' % (path, answer), status=answer, method='GET', url=path)
        return dict(FIELDS, id='41', status=answer)

    def warn(self, message):
        self.warnings.append(message)


def test_a_location_answering_404_for_a_moment_is_read_again_never_posted_again():
    client = _LocationOnly([404, 404, 404, 'QUEUED'])
    task = TaskEngine(client).create(FIELDS)
    assert task['id'] == '41' and task['status'] == 'QUEUED'
    assert client.posts == 1 and len(client.reads) == 4
    assert 0 < client.clock.now < adoption_window(_LocationOnly.timeout)


def test_a_location_that_stays_404_fails_after_the_grace_saying_the_task_was_created():
    client = _LocationOnly([404])
    with pytest.raises(OperationError) as caught:
        TaskEngine(client).create(FIELDS)
    message = str(caught.value)
    assert message.startswith('created a task at /orchestrator/v2/tasks/41, but reading it back failed: ') and '\n' not in message
    assert 'HTTP 404' in message and 'orch_task_info (id: 41)' in message, message
    assert caught.value.result['changed'] is True
    # Read until the request timeout plus the margin had passed, never sleeping past it; one POST.
    assert client.clock.now == adoption_window(_LocationOnly.timeout) and len(client.reads) > 2
    assert client.posts == 1


def test_a_read_that_fails_otherwise_is_not_read_again():
    client = _LocationOnly([401])
    with pytest.raises(OperationError) as caught:
        TaskEngine(client).create(FIELDS)
    assert caught.value.result['changed'] is True and len(client.reads) == 1 and client.clock.now == 0.0


def test_a_foreign_location_whose_task_answers_404_for_a_moment_is_read_from_the_configured_server():
    client = _LocationOnly([404, 404, 'QUEUED'], location='https://other.example/orchestrator/v2/tasks/41')
    task = TaskEngine(client).create(FIELDS)
    assert task['id'] == '41' and client.posts == 1 and client.reads == ['/tasks/41'] * 3
    assert any('read from the configured server instead' in w for w in client.warnings)
