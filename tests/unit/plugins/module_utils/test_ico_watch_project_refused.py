# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``ico_tasks`` watching several projects when ICO refuses one of them (the user was removed from it, the project was
renamed: 401 or 403 to the listing with that ``projectName``, or 404): the other projects are still watched and their
changes emitted, the refusal is logged once (again only after it worked in between), and when access comes back the
refused project's tasks are neither lost nor all new. When every project is refused, the poll fails (an outage)."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.watch import IcoTaskWatch

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_watch_variants import FakeClient, drain, logger


class Projects:
    """GET /tasks per project; a project in ``refused`` is answered with ``status``."""

    def __init__(self, status):
        self.tasks = {'finance': [], 'gone': []}
        self.refused = set()
        self.status = status

    def client(self, project):
        def answer(path, params):
            if project in self.refused:
                return ApiError('HTTP %d' % self.status, kind='http', status=self.status)
            return [dict(t) for t in self.tasks[project]]
        return FakeClient('https://ico.example.com/orchestrator/v2', answer)

    def set(self, project, task_id, status):
        self.tasks[project] = [t for t in self.tasks[project] if t['id'] != task_id] + [
            {'id': task_id, 'status': status, 'project': project}]


def watcher(server, log):
    engines = [TaskEngine(server.client(p), user='admin', project=p) for p in ('finance', 'gone')]
    return IcoTaskWatch(engines, projects=['finance', 'gone'], log=log)


def ids(events):
    return [(e['ico_task']['project'], e['ico_task']['id'], e['status']) for e in events]


@pytest.mark.parametrize('status', [401, 403, 404])
def test_a_refused_project_does_not_stop_the_others(status):
    server = Projects(status)
    server.set('finance', '1', 'RUNNING')
    server.set('gone', '2', 'RUNNING')
    log, handler = logger()
    watch = watcher(server, log)
    assert drain(watch) == []
    server.refused.add('gone')
    server.set('finance', '1', 'FAILED')
    server.set('gone', '2', 'FAILED')
    assert ids(drain(watch)) == [('finance', '1', 'FAILED')]
    server.set('finance', '3', 'FAILED')
    assert ids(drain(watch)) == [('finance', '3', 'FAILED')]
    said = [line for line in handler.lines if "'gone'" in line]
    assert len(said) == 1 and 'still watched' in said[0] and '\n' not in said[0], handler.lines
    # Access comes back: the change made meanwhile is emitted once, with the status known before.
    server.refused.clear()
    events = drain(watch)
    assert ids(events) == [('gone', '2', 'FAILED')] and events[0]['previous_status'] == 'RUNNING'
    assert drain(watch) == []


def test_a_project_refused_from_the_first_start_starts_with_its_baseline_when_it_works():
    server = Projects(403)
    server.set('finance', '1', 'RUNNING')
    server.set('gone', '2', 'FAILED')
    server.refused.add('gone')
    log, handler = logger()
    watch = watcher(server, log)
    assert drain(watch) == []
    server.refused.clear()
    # Task 2 was already failed: not a change this source saw happen.
    assert drain(watch) == []
    server.set('gone', '2', 'RUNNING')
    assert ids(drain(watch)) == [('gone', '2', 'RUNNING')]


def test_every_project_refused_is_an_outage():
    server = Projects(403)
    server.refused.update(('finance', 'gone'))
    log, handler = logger()
    with pytest.raises(ApiError):
        watcher(server, log).poll()
