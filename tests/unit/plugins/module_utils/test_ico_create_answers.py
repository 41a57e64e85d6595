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

    def request(self, method, path, **kw):
        assert (method, path) == ('POST', '/tasks')
        self.posts += 1
        return answer(self.status, self.text)

    def get(self, path, **kw):
        self.gets += 1
        return self.listing

    def url_for(self, path):
        return BASE + path

    def sleep(self, seconds):
        raise AssertionError('no wait is needed: the task was created')

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
    assert client.posts == 1
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
