# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A server's words that span lines (a Java stack trace in a 500's ``message``) reach every message on one line, once.

Over a real socket (the replay server): a 500 to a POST (``AnswerLost``, adopted or failed by the runner with its
message) and to a GET (a plain ``ApiError``).
"""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond

TRACE = {'message': 'Internal error\n\tat ch.dunes.vso.TaskService.update(TaskService.java:42)\r\n\tat java.base/Thread.run'}
WORDS = 'Internal error at ch.dunes.vso.TaskService.update(TaskService.java:42) at java.base/Thread.run'


def make(server):
    return Client(server.url, retries=0, sleep=lambda seconds: None, **CONNECTIONS['vro'])


def test_a_500_to_a_post_says_the_servers_words_once_on_one_line():
    with ReplayServer({'POST /vco/api/tasks/t1': [respond(500, TRACE)]}) as server:
        with pytest.raises(AnswerLost) as info:
            make(server).post('/tasks/t1', json={})
    for text in (info.value.message, str(info.value)):
        assert '\n' not in text and '\r' not in text and '\t' not in text, text
    assert str(info.value).count('Internal error') == 1, str(info.value)
    assert WORDS in info.value.message
    assert info.value.server_message == TRACE['message']  # the structured result keeps them as they came


def test_a_500_to_a_get_says_the_servers_words_on_one_line():
    with ReplayServer({'GET /vco/api/tasks/t1': [respond(500, TRACE)]}) as server:
        with pytest.raises(ApiError) as info:
            make(server).get('/tasks/t1')
    text = str(info.value)
    assert '\n' not in text and '\r' not in text and '\t' not in text, text
    assert text.count('Internal error') == 1 and 'server said: ' + WORDS in text, text
