# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of what the three vRO core modules do, against a scripted in-memory vRO behind a requests adapter.

The real Client is used; only its transport is replaced, so no socket and no sleep is involved.
"""

from __future__ import annotations

import datetime
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.execution_cancel import run as cancel_executions
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.execution_info import run as execution_info
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.workflow_run import run as run_workflow
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import decode_parameters
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import format_date
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.fake_module import FakeVroModule

BASE = 'https://vro.test/vco/api'
WID = 'wf-echo'
DECLARED = [{'name': 'text', 'type': 'string'}, {'name': 'count', 'type': 'number'}, {'name': 'pw', 'type': 'SecureString'}]


class FakeVro(BaseAdapter):
    """A tiny vRO: one workflow; each run plays ``script`` (the states its /state answers, in order)."""

    def __init__(self, version='8.18.1', script=('running', 'completed'), outcome=None, cancel_answer=None):
        super().__init__()
        self.cancel_answer = cancel_answer
        self.version = version
        self.script = list(script)
        self.outcome = outcome or {}
        self.runs = {}
        self.calls = []

    # -- transport ---------------------------------------------------------------------------------------
    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        path = url.path[len('/vco/api'):]
        query = parse_qs(url.query)
        body = json.loads(request.body) if request.body else None
        self.calls.append((request.method, path, query))
        status, data, headers = self.route(request.method, path.rstrip('/'), query, body)
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(data).encode() if data is not None else b''
        response.headers = CaseInsensitiveDict(headers or {})
        if data is not None:
            response.headers['Content-Type'] = 'application/json'
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass

    def sent(self, method):
        return [c for c in self.calls if c[0] == method]

    @staticmethod
    def tick(run):
        """Time passes for a run each time its state is looked at (alone or in a list)."""
        if run['script']:
            run['state'] = run['script'].pop(0)

    # -- the API -----------------------------------------------------------------------------------------
    def route(self, method, path, query, body):
        if path == '/about':
            return 200, {'version': self.version}, None
        if path == '/workflows' and method == 'GET':
            return 200, {'link': [{'rel': 'down', 'href': BASE + '/workflows/%s/' % WID, 'attributes': [
                {'name': 'id', 'value': WID}, {'name': 'name', 'value': 'Echo'},
                {'name': 'categoryName', 'value': 'Library'}]}], 'total': 1}, None
        if path == '/workflows/' + WID:
            return 200, {'id': WID, 'name': 'Echo', 'input-parameters': DECLARED,
                         'output-parameters': [{'name': 'out', 'type': 'string'}]}, None
        match = re.match(r'^/workflows/%s/executions(?:/([^/]+))?(/state|/logs|/interaction)?$' % WID, path)
        if not match:
            return 404, {'message': 'no route %s %s' % (method, path)}, None
        eid, tail = match.groups()
        if eid is None and method == 'POST':
            eid = 'run-%d' % (len(self.runs) + 1)
            self.runs[eid] = {'params': body['parameters'], 'script': list(self.script), 'state': 'running',
                              'start': format_date(datetime.datetime.now(datetime.timezone.utc))}
            return 202, None, {'Location': BASE + '/workflows/%s/executions/%s/' % (WID, eid)}
        if eid is None:
            for run in self.runs.values():
                self.tick(run)
            wanted = [c.split('=', 1)[1] for c in query.get('conditions', []) if c.startswith('state=')]
            links = [{'rel': 'down', 'href': BASE + '/workflows/%s/executions/%s/' % (WID, rid), 'attributes': [
                {'name': 'id', 'value': rid}, {'name': 'state', 'value': run['state']},
                {'name': 'startDate', 'value': run['start']}]}
                for rid, run in sorted(self.runs.items(), reverse=True) if not wanted or run['state'] in wanted]
            return 200, {'relations': {'link': links, 'total': len(links)}}, None
        run = self.runs.get(eid)
        if run is None:
            return 404, {'message': 'no run %s' % eid}, None
        if tail == '/state' and method == 'GET':
            self.tick(run)
            return 200, {'value': run['state']}, None
        if (tail == '/state' and method == 'DELETE' and not self.version.startswith('7')) or (
                tail is None and method == 'DELETE' and self.version.startswith('7')):
            if self.cancel_answer:
                # a cancel whose first answer was lost (now 'canceled'), or a run that ended meanwhile
                run['state'], run['script'] = self.cancel_answer, []
                return 400, {'message': 'Workflow execution is already %s' % self.cancel_answer}, None
            run['state'], run['script'] = 'canceled', []
            return 204, None, None
        if tail == '/logs':
            return 200, {'logs': [{'severity': 'error', 'short-description': 'it broke'}]}, None
        if tail == '/interaction':
            return 200, {'name': 'Approve', 'input-parameters': [{'name': 'approved', 'type': 'boolean'}]}, None
        if tail is None and method == 'GET':
            return 200, {'id': eid, 'state': run['state'], 'name': 'Echo', 'start-date': run['start'],
                         'input-parameters': run['params'],
                         'content-exception': self.outcome.get('exception') if run['state'] == 'failed' else None,
                         'output-parameters': [{'name': 'out', 'type': 'string', 'value': {'string': {'value': 'ok'}}}]}, None
        return 405, {'message': 'unexpected %s %s' % (method, path)}, None


class FakeModule(FakeVroModule):
    """The module, with a real client whose HTTPS goes to ``server`` (a requests adapter)."""

    def __init__(self, server, check_mode=False, **params):
        client = Client(BASE, **CONNECTIONS['vro'], retries=0, sleep=lambda s: None)
        client.session.mount('https://', server)
        params.setdefault('workflow_name', 'Echo')
        super().__init__(client, check_mode, **params)


def test_a_run_is_started_once_polled_on_state_and_read_in_full_once():
    server = FakeVro(script=('running', 'running', 'completed'))
    result = run_workflow(FakeModule(server, inputs={'text': 'a', 'count': 2, 'pw': 'hunter22'}))
    assert result['changed'] is True and result['state'] == 'completed' and result['execution_id'] == 'run-1'
    assert result['outputs'] == {'out': 'ok'}
    assert result['inputs'] == {'text': 'a', 'count': 2, 'pw': '********'}
    assert len(server.sent('POST')) == 1
    reads = [c for c in server.calls if c[0] == 'GET' and c[1].endswith('/executions/run-1')]
    assert len(reads) == 1
    assert len([c for c in server.calls if c[1].endswith('/state')]) == 3


def test_check_mode_posts_nothing_masks_secrets_and_registers_them():
    server = FakeVro()
    module = FakeModule(server, check_mode=True, inputs={'text': 'a', 'pw': 'hunter22'})
    result = run_workflow(module)
    assert server.sent('POST') == [] and result['changed'] is True and result['execution_id'] == 'check-mode-not-started'
    sent = {p['name']: p['value'] for p in result['request']['body']['parameters']}
    assert sent == {'text': {'string': {'value': 'a'}}, 'pw': {'secure-string': {'value': '********'}}}
    assert module.secrets == ['hunter22']


def test_a_failed_run_fails_with_exception_error_logs_outputs_and_id():
    server = FakeVro(script=('failed',), outcome={'exception': 'division by zero'})
    with pytest.raises(OperationError) as exc:
        run_workflow(FakeModule(server, inputs={'text': 'a'}))
    assert 'run-1 failed: division by zero; error log: it broke' in str(exc.value)
    assert exc.value.result['execution_id'] == 'run-1' and exc.value.result['outputs'] == {'out': 'ok'}
    assert exc.value.result['logs'][0]['short_description'] == 'it broke'


@pytest.mark.parametrize('version, cancel', [('8.18.1', [('DELETE', '/workflows/wf-echo/executions/run-1/state')]),
                                             # FakeVro plays the 7.1 guide: .../state refused (405), then the run's DELETE
                                             ('7.6.0', [('DELETE', '/workflows/wf-echo/executions/run-1/state'),
                                                        ('DELETE', '/workflows/wf-echo/executions/run-1/')])])
def test_timeout_cancels_with_the_versions_call_when_asked(version, cancel):
    server = FakeVro(version=version, script=['running'] * 1000)
    module = FakeModule(server, inputs={'text': 'a'}, wait_timeout=0.05, cancel_on_timeout=True)
    with pytest.raises(OperationError) as exc:
        run_workflow(module)
    assert exc.value.result['timed_out'] is True and exc.value.result['canceled'] == ['run-1']
    assert exc.value.result['state'] == 'running' and 'run-1 is still running' in str(exc.value)
    assert [(m, p) for m, p, _q in server.sent('DELETE')] == cancel


def test_timeout_without_cancel_sends_no_delete():
    server = FakeVro(script=['running'] * 1000)
    with pytest.raises(OperationError) as exc:
        run_workflow(FakeModule(server, inputs={'text': 'a'}, wait_timeout=0.05))
    assert server.sent('DELETE') == [] and 'vro_execution_cancel' in str(exc.value)


def test_waiting_run_fails_or_returns_by_on_user_interaction():
    with pytest.raises(OperationError) as exc:
        run_workflow(FakeModule(FakeVro(script=('waiting',)), inputs={'text': 'a'}))
    assert "user interaction 'Approve' (inputs: approved)" in str(exc.value)
    result = run_workflow(FakeModule(FakeVro(script=('waiting',)), inputs={'text': 'a'}, on_user_interaction='return'))
    assert result['state'] == 'waiting' and result['interaction'] == {'name': 'Approve'}
    server = FakeVro(script=('waiting', 'waiting', 'completed'))
    result = run_workflow(FakeModule(server, inputs={'text': 'a'}, on_user_interaction='keep_waiting'))
    assert result['state'] == 'completed'


def test_batch_starts_every_run_keeps_the_order_and_names_failures():
    server = FakeVro(script=('completed',))
    runs = [{'text': 't%d' % i, 'count': i} for i in range(7)]
    result = run_workflow(FakeModule(server, runs=runs, concurrency=3))
    assert len(server.sent('POST')) == 7 and len(result['executions']) == 7
    by_id = dict((eid, decode_parameters(run['params'])) for eid, run in server.runs.items())
    assert [by_id[e['execution_id']]['text'] for e in result['executions']] == ['t%d' % i for i in range(7)]
    assert all(e['state'] == 'completed' for e in result['executions'])
    # seven runs are waited for through one list request per poll, not seven state requests
    assert [c for c in server.calls if c[1].endswith('/state')] == []
    lists = [c for c in server.calls if c[0] == 'GET' and c[1].rstrip('/').endswith('/executions')]
    assert lists and all(any(cond.startswith('startDate>=') for cond in q['conditions']) for _m, _p, q in lists)
    server = FakeVro(script=('failed',))
    with pytest.raises(OperationError) as exc:
        run_workflow(FakeModule(server, runs=[{'text': 'a'}, {'text': 'b'}], concurrency=1))
    assert exc.value.result['failed_runs'] == [0, 1] and '2 of 2 runs did not complete' in str(exc.value)


def test_reuse_running_attaches_and_posts_nothing():
    server = FakeVro(script=['running'] * 3 + ['completed'])
    first = run_workflow(FakeModule(server, inputs={'text': 'a', 'count': 1}, wait=False))
    again = run_workflow(FakeModule(server, inputs={'text': 'a', 'count': 1.0}, reuse='running'))
    assert again['execution_id'] == first['execution_id'] and again['changed'] is False and again['reused'] is True
    assert again['state'] == 'completed' and len(server.sent('POST')) == 1
    other = run_workflow(FakeModule(server, inputs={'text': 'b'}, reuse='completed', wait=False))
    assert other['changed'] is True and len(server.sent('POST')) == 2


def test_cancel_skips_terminal_runs_and_uses_the_versions_call():
    server = FakeVro(version='7.6.0', script=())
    run_workflow(FakeModule(server, inputs={'text': 'a'}, wait=False))
    server.runs['run-1']['state'] = 'completed'
    result = cancel_executions(FakeModule(server, workflow_id=WID, workflow_name=None, execution_id='run-1'))
    assert result['changed'] is False and server.sent('DELETE') == []
    server.runs['run-1']['state'] = 'running'
    check = cancel_executions(FakeModule(server, check_mode=True, workflow_id=WID, workflow_name=None, execution_id='run-1'))
    assert check['changed'] is True and server.sent('DELETE') == []
    result = cancel_executions(FakeModule(server, workflow_id=WID, workflow_name=None, execution_id='run-1'))
    assert result['changed'] is True and result['state'] == 'canceled' and result['api_version'] == '7'
    # FakeVro plays the 7.1 guide: DELETE .../state is refused (405), then the run's DELETE cancels it.
    run = '/workflows/wf-echo/executions/run-1/'
    assert [p for _m, p, _q in server.sent('DELETE')] == [run + 'state', run]
    with pytest.raises(ValueError):
        cancel_executions(FakeModule(server, workflow_id=WID, workflow_name=None))


def test_execution_info_waits_or_fails_on_another_terminal_state():
    server = FakeVro(script=('running', 'completed'))
    run_workflow(FakeModule(server, inputs={'text': 'a'}, wait=False))
    server.runs['run-1']['script'] = ['running', 'running', 'completed']
    url = BASE + '/workflows/%s/executions/run-1/' % WID
    result = execution_info(FakeModule(server, workflow_name=None, execution_url=url, wait_for=['completed']))
    assert result['state'] == 'completed' and result['waited'] is True and result['changed'] is False
    with pytest.raises(OperationError) as exc:
        execution_info(FakeModule(server, workflow_name=None, execution_url=url, wait_for=['failed']))
    assert 'ended completed' in str(exc.value)
    listed = execution_info(FakeModule(server, state=['completed'], max_results=5))
    assert listed['count'] == 1 and listed['executions'][0]['execution_id'] == 'run-1'
    lists = [q for m, p, q in server.calls if m == 'GET' and p.rstrip('/').endswith('/executions')]
    assert lists[-1]['conditions'] == ['state=completed'] and lists[-1]['sortOrders'] == ['-startDate']


@pytest.mark.parametrize('now, changed', [('canceled', True), ('completed', False)])
def test_a_refused_cancel_reads_the_state_again(now, changed):
    server = FakeVro(script=(), cancel_answer=now)
    run_workflow(FakeModule(server, inputs={'text': 'a'}, wait=False))
    result = cancel_executions(FakeModule(server, workflow_id=WID, workflow_name=None, execution_id='run-1'))
    assert result['changed'] is changed and result['state'] == now
    assert result['executions'][0]['canceled'] is changed and result['executions'][0]['state_before'] == 'running'
