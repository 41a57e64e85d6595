# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Times in orch_task's create messages (a lost answer, an answer naming no task) are written as every other message
and return value writes them: ``2026-04-24T03:06:40.175Z``, never ``...175000+00:00``."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import OperationError, answer_lost
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine, since_text
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.task import manage_task
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_ico_create_answers import FIELDS, NoIdCreate

# The create is sent at 1777000005.175 s (epoch): the tasks looked at are those created since 5 s (SKEW_MS) before.
SENT = 1777000005.175
SINCE = '2026-04-24T03:06:40.175Z'


class LostCreate(NoIdCreate):
    """POST /tasks loses its answer; GET /tasks lists nothing; sleeps cost nothing."""

    def request(self, method, path, **kw):
        assert (method, path) == ('POST', '/tasks')
        self.posts += 1
        raise answer_lost('read timed out', 'timeout', method, 'https://ico.example.com/orchestrator/v2/tasks')

    def sleep(self, seconds):
        pass


def test_since_text_is_the_z_form_with_milliseconds():
    assert since_text(1777000000175) == SINCE
    assert since_text(1777000000000) == '2026-04-24T03:06:40.000Z'


def test_a_lost_create_names_the_time_in_the_z_form():
    client = LostCreate(201, '', [])
    with pytest.raises(OperationError) as caught:
        manage_task(TaskEngine(client, user='admin', clock=lambda: SENT), None, FIELDS, 'present')
    message = str(caught.value)
    assert 'the tasks created since %s (orch_task_info)' % SINCE in message, message
    assert '+00:00' not in message and client.posts == 1


@pytest.mark.parametrize('listing', [[], ['a', 'b']], ids=['none', 'two'])
def test_a_create_answer_naming_no_task_names_the_time_in_the_z_form(listing):
    tasks = [{'id': name, 'user': 'admin', 'status': 'QUEUED', 'created': int(SENT * 1000)} for name in listing]
    client = NoIdCreate(201, '', [dict(t, **FIELDS) for t in tasks])
    with pytest.raises(OperationError) as caught:
        manage_task(TaskEngine(client, user='admin', clock=lambda: SENT), None, FIELDS, 'present')
    message = str(caught.value)
    assert '(tasks created since %s)' % SINCE in message, message
    assert '+00:00' not in message and client.posts == 1
