# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``orch_task`` create against ICO servers whose success answer does not name the new task: 201 or 202 with an empty
body, or with a body that has no ``id``, and no ``Location``. The task was created: it is found (the one task this
user created since with these fields) and never POSTed again; without a single match the failure says a task was
created and to look with orch_task_info, rather than "created task None" with no id to follow."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.task import manage_task

BASE = 'https://ico.example.com/orchestrator/v2'
FIELDS = {'eventTopic': 'x/y', 'parm': {'a': 1}}


def answer(status, text):
    response = requests.Response()
    response.status_code = status
    response._content = text.encode('utf-8')  # pylint: disable=protected-access
    response.headers['Content-Type'] = 'application/json'
    response.url = BASE + '/tasks'
    response.request = requests.Request('POST', response.url).prepare()
    return response


class NoIdCreate:
    """POST /tasks answers ``status`` with ``text`` (the server created the task); GET /tasks lists ``listing``."""

    timeout = 1.0
    secrets = []
    decode = Client.decode
    check = staticmethod(Client.check)

    def __init__(self, status, text, listing):
        self.status, self.text, self.listing = status, text, listing
        self.posts = 0
        self.gets = 0
        self.warnings = []
        self.now = 0.0
        self.slept = []

    def request(self, method, path, **kw):
        assert (method, path) == ('POST', '/tasks')
        self.posts += 1
        return answer(self.status, self.text)

    def get(self, path, **kw):
        self.gets += 1
        return self.listing

    def url_for(self, path):
        return BASE + path

    def clock(self):
        return self.now

    def sleep(self, seconds):
        # A pause between two reads of the list (a node not in step may not list the task yet); it costs nothing here.
        self.slept.append(seconds)
        self.now += seconds

    def warn(self, message):
        self.warnings.append(message)


def task(task_id, created, **fields):
    return dict({'id': task_id, 'user': 'admin', 'project': 'admin', 'status': 'QUEUED', 'created': created}, **fields)


NO_ID_ANSWERS = [(201, ''), (202, ''), (201, '{"status": "QUEUED", "eventTopic": "x/y"}'), (200, 'null')]


@pytest.mark.parametrize('status,text', NO_ID_ANSWERS)
def test_a_create_answer_without_an_id_finds_the_created_task_and_posts_once(status, text):
    listing = [task('1', 1000, **FIELDS), task('2', 100000, **FIELDS), task('3', 100000, eventTopic='x/y', parm={'a': 2})]
    client = NoIdCreate(status, text, listing)
    engine = TaskEngine(client, user='admin', project='admin', clock=lambda: 99.0)
    result = manage_task(engine, None, FIELDS, 'present', warn=client.warn)
    assert result['task']['id'] == '2' and result['changed'] is True
    assert result['msg'] == 'created task 2'
    assert client.posts == 1 and client.gets == 1 and not client.slept
    assert len(client.warnings) == 1 and 'named no task' in client.warnings[0] and '2' in client.warnings[0]


@pytest.mark.parametrize('status,text', NO_ID_ANSWERS)
@pytest.mark.parametrize('matches', [0, 2])
def test_a_create_answer_without_an_id_and_no_single_match_says_a_task_was_created(status, text, matches):
    listing = [task(str(n), 100000, **FIELDS) for n in range(matches)]
    client = NoIdCreate(status, text, listing)
    engine = TaskEngine(client, user='admin', project='admin', clock=lambda: 99.0)
    with pytest.raises(OperationError) as info:
        manage_task(engine, None, FIELDS, 'present', warn=client.warn)
    message = str(info.value)
    assert '\n' not in message and 'HTTP %d' % status in message and 'orch_task_info' in message, message
    assert 'created' in message and 'before running' in message, message
    assert info.value.result.get('changed') is True
    assert client.posts == 1
    assert json.dumps(info.value.result, default=str)  # a result Ansible can return
    if matches:
        assert client.gets == 1 and not client.slept  # several: reading again cannot make one of them
    else:
        # None listed: read again for the window (timeout 1 s + 10 s), pauses doubling from 0.25 s to 2 s.
        assert client.gets > 2 and client.slept[:4] == [0.25, 0.5, 1.0, 2.0] and max(client.slept) == 2.0
        assert sum(client.slept) == pytest.approx(11.0)


class NotInStep(NoIdCreate):
    """The list shows the created task from its third read on (a node not in step yet answers the first two)."""

    def get(self, path, **kw):
        self.gets += 1
        return self.listing if self.gets > 2 else []


def test_a_create_answer_without_an_id_finds_the_task_a_node_lists_late():
    client = NotInStep(201, '', [task('2', 100000, **FIELDS)])
    result = manage_task(TaskEngine(client, user='admin', project='admin', clock=lambda: 99.0), None, FIELDS, 'present',
                         warn=client.warn)
    assert result['task']['id'] == '2' and result['changed'] is True
    assert client.posts == 1 and client.gets == 3 and client.slept == [0.25, 0.5]
