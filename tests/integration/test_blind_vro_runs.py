# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blind audit (part 23) of a vRO run's whole life - vro_workflow_run, vro_execution_info, vro_execution_cancel and
vro_interaction - against a fake vRO written from public evidence only, over real HTTP, the modules run through
ansible-playbook.

Sources of the fake's behaviour (each reading the evidence leaves open is a switch of ``RunVro.variant``):

- ``/work/shared/specs/vro-8.18.1-openapi.json``: ``POST /workflows/{id}/executions`` 202 (``WsWorkflowExecution``),
  ``GET .../executions`` (``PresentationExecutionsList``: ``relations.link[].attributes``, ``total``),
  ``GET .../executions/{id}`` (``WsWorkflowExecution``: ``inputParameters``/``outputParameters`` whose XML names
  are ``input-parameters``/``output-parameters``), ``GET .../state`` (``ExecutionState``: ``state``),
  ``DELETE .../state`` (cancel, 204), ``DELETE .../executions/{id}`` (deletes the record, 204),
  ``.../interaction`` GET (``WsUserInteraction``) / POST (answer, 204) / DELETE (204).
- developer.broadcom.com "Start Workflow Execution" (seed ``vro-8-start-workflow-execution.txt``): "the call does
  not return a response body"; the same page's state enum in Java names (``COMPLETED``, ``STATE_WAITING_ON_SIGNAL``).
- jakkulabs/PowervRO ``Invoke-vROWorkflow.ps1`` (the run is the ``Location`` header's path),
  ``Get-vROWorkflowExecutionState.ps1`` (``.value`` of ``/state``), ``Get-vROWorkflowExecution.ps1`` (list entries
  are the links that have ``attributes``; ``up``/``add`` links have none).
- vaquero-io/vcoworkflows ``spec/vcoworkflows/workflowservice_spec.rb``: a captured 7.x list of 100 runs,
  ``relations.total`` only (no ``start``/paging fields), oldest run first, an ``up`` and an ``add`` link without
  attributes, ``{"name":"currentItemDisplayName"}`` without a value; a run with ``start-date``/``end-date`` in epoch
  milliseconds and numbers echoed as ``326.0``; ``workflowtoken_spec.rb``: a run's ``relations`` (``remove`` names
  ``.../executions/{id}/``, ``state`` names ``.../state/``).
- API-NOTES.md section 1: 202 with ``Location`` and an empty or small body, ``{"value":...}`` on real servers,
  the eight states, ``waiting`` for a user interaction.
"""

from __future__ import annotations

import datetime
import json
import time
import uuid
from urllib.parse import parse_qs, unquote_plus

import pytest

from _harness import BasicJsonApi, run_playbook, write_playbook

API = '/vco/api'
USER, PASSWORD = 'blind-runner', 'blind-Run-Pa55-7'
WF_ID = 'b1e40000-0000-4000-8000-000000000001'
SECRET_IN = 'blind-in-s3cret-4411'
SECRET_OUT = 'blind-out-s3cret-8822'
SECRET_ANSWER = 'blind-answer-s3cret-6633'
TERMINAL = ('completed', 'failed', 'canceled')
JAVA = {'waiting-signal': 'STATE_WAITING_ON_SIGNAL'}


def iso(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (int(epoch * 1000) % 1000)


class RunVro(BasicJsonApi):
    """A fake vRO 8 workflow-run service. ``variant`` holds the open readings:

    ``start_reply``: ``empty`` (202, no body: the 8.x reference page), ``small`` (202, ``{"id","state"}``),
    ``full`` (202, the whole run), ``ok200`` (200 and the whole run, the 8.x reference page's "200 successful").
    ``location``: ``absolute``, ``relative`` (``/vco/api/...``), ``internal`` (another host: a node behind a load
    balancer), ``none`` (no header; the id only in the body).
    ``state_key``: ``value`` (real servers) or ``state`` (the spec).
    ``java``: states in the Java enum names of the reference page (``COMPLETED``...).
    ``dates``: ``iso`` or ``ms``.  ``params_key``: ``input-parameters`` (real JSON) or ``inputParameters`` (spec).
    ``paging``: ``honour`` (maxResult/startIndex applied, ``sortOrders`` ignored), ``ignore`` (every run at once).
    ``echo_secret``: SecureString values echoed in the run's parameters.
    ``lose_start``: the first start is applied, then the connection is closed without an answer.
    ``ui_params_key``: ``input-parameters`` (8.x) or ``parameter`` (7.x reference).
    """

    def __init__(self, **variant):
        super().__init__(API, USER, PASSWORD)  # requests: (method, path, body)
        self.variant = dict(dict(start_reply='empty', location='absolute', state_key='value', java=False, dates='iso',
                                 params_key='input-parameters', paging='honour', echo_secret=True, lose_start=False,
                                 ui_params_key='input-parameters', script=('running', 'running', 'completed')),
                            **variant)
        self.runs = {}          # eid -> run (insertion order = start order, oldest first)
        self.clock = time.time()
        self.workflow = {'id': WF_ID, 'name': 'Blind deploy', 'category': 'Blind',
                         'inputs': [('vmName', 'string'), ('cpu', 'number'), ('adminPassword', 'SecureString'), ('note', 'string')],
                         'outputs': [('result', 'string'), ('token', 'SecureString'), ('count', 'number')]}

    # -- helpers ------------------------------------------------------------------------------------------------
    def href(self, rel, host=None):
        return '%s%s%s/' % (host or self.url, API, rel)

    def date(self, epoch):
        if epoch is None:
            return None
        return int(epoch * 1000) if self.variant['dates'] == 'ms' else iso(epoch)

    def state_name(self, state):
        return JAVA.get(state, state.upper()) if self.variant['java'] else state

    def params_out(self, params):
        out = []
        for param in params:
            param = dict(param)
            if param.get('type') == 'SecureString' and not self.variant['echo_secret']:
                param.pop('value', None)
            out.append(param)
        return out

    def add_run(self, inputs=None, state='running', script=None, started_by=USER, age=0.0, outputs=None, interaction=None,
                exception=None):
        """A run that already exists (started ``age`` seconds before the clock)."""
        eid = uuid.uuid4().hex
        params = []
        for name, kind, value in inputs or []:
            key = {'SecureString': 'secure-string'}.get(kind, kind)
            params.append({'name': name, 'type': kind, 'scope': 'local', 'value': {key: {'value': value}}})
        self.runs[eid] = {'id': eid, 'state': state, 'script': list(script or []), 'inputs': params, 'started_by': started_by,
                          'start': self.clock - age, 'end': None, 'outputs': outputs, 'interaction': interaction,
                          'exception': exception}
        if state in TERMINAL:
            self.runs[eid]['end'] = self.clock - age + 5
        return eid

    def advance(self, run):
        """The run's next state: each look at it (its state, or a list that shows it) is a step of its script."""
        if run['state'] in TERMINAL or not run['script']:
            return
        run['state'] = run['script'].pop(0)
        if run['state'] in TERMINAL:
            run['end'] = self.clock + 30
            if run['state'] == 'completed' and run['outputs'] is None:
                run['outputs'] = [
                    {'name': 'result', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'deployed'}}},
                    {'name': 'token', 'type': 'SecureString', 'scope': 'local', 'value': {'secure-string': {'value': SECRET_OUT}}},
                    {'name': 'count', 'type': 'number', 'scope': 'local', 'value': {'number': {'value': 3.0}}}]

    def run_json(self, run):
        wid = WF_ID
        base = '/workflows/%s/executions/%s' % (wid, run['id'])
        out = {'id': run['id'], 'name': self.workflow['name'], 'state': self.state_name(run['state']), 'href': self.href(base),
               'start-date': self.date(run['start']), 'started-by': run['started_by'],
               'relations': {'link': [{'rel': 'up', 'href': self.href('/workflows/%s/executions' % wid)},
                                      {'rel': 'remove', 'href': self.href(base)},
                                      {'rel': 'logs', 'href': self.href(base + '/logs')},
                                      {'rel': 'state', 'href': self.href(base + '/state')}]}}
        if run['end']:
            out['end-date'] = self.date(run['end'])
        if run['exception']:
            out['content-exception'] = run['exception']
        key = self.variant['params_key']
        out[key] = self.params_out(run['inputs'])
        out[key.replace('input', 'output')] = self.params_out(run['outputs'] or [])
        return out

    # -- routes -------------------------------------------------------------------------------------------------
    def route(self, h, method, rel, query, body):  # pylint: disable=too-many-return-statements,too-many-branches
        parts = rel.strip('/').split('/')
        send = h.send
        wf = self.workflow
        if rel == '/about':
            return send(200, {'version': '8.18.1.24069580', 'build-number': '24069580', 'api-version': '2.0'})
        if parts == ['workflows'] and method == 'GET':
            cond = unquote_plus(query.split('conditions=', 1)[1].split('&')[0]) if 'conditions=' in query else ''
            name = cond.split('name=', 1)[1] if cond.startswith('name=') else None
            links = []
            if name in (None, wf['name']):
                links.append({'rel': 'down', 'href': self.href('/workflows/%s' % WF_ID),
                              'attributes': [{'name': 'id', 'value': WF_ID}, {'name': 'name', 'value': wf['name']},
                                             {'name': 'categoryName', 'value': wf['category']}]})
            return send(200, {'link': links, 'total': len(links)})
        if parts[0] == 'workflows' and len(parts) > 1 and parts[1] != WF_ID:
            return self.error(h, 404, "Workflow with id '%s' not found" % parts[1])
        if len(parts) == 2 and method == 'GET':
            return send(200, {'id': WF_ID, 'name': wf['name'], 'version': '1.0.0', 'href': self.href('/workflows/%s' % WF_ID),
                              'input-parameters': [{'name': n, 'type': t} for n, t in wf['inputs']],
                              'output-parameters': [{'name': n, 'type': t} for n, t in wf['outputs']]})
        if len(parts) == 3 and parts[2] == 'executions':
            if method == 'POST':
                return self.start(h, body)
            if method == 'GET':
                return self.listing(h, query)
        if parts[0] == 'interactions' and method == 'GET':
            links = [{'rel': 'down', 'href': self.href('/workflows/%s/executions/%s/interaction' % (WF_ID, eid)),
                      'attributes': [{'name': 'id', 'value': 'ui-' + eid}, {'name': 'state', 'value': 'waiting'},
                                     {'name': 'executionId', 'value': eid}, {'name': 'workflowId', 'value': WF_ID}]}
                     for eid, run in self.runs.items() if run['state'] == 'waiting' and run['interaction']]
            return send(200, {'link': links, 'total': len(links)})
        if len(parts) >= 4 and parts[2] == 'executions':
            return self.route_run(h, method, parts, body)
        return self.error(h, 404, 'No route for %s %s' % (method, rel))

    def start(self, h, body):
        send = h.send
        params = (body or {}).get('parameters') or []
        eid = uuid.uuid4().hex
        self.runs[eid] = {'id': eid, 'state': 'initializing', 'script': list(self.variant['script']), 'inputs': params,
                          'started_by': USER, 'start': time.time(), 'end': None, 'outputs': None, 'interaction': None,
                          'exception': None}
        if self.variant['lose_start']:
            self.variant['lose_start'] = False
            return h.drop()
        rel = '/workflows/%s/executions/%s' % (WF_ID, eid)
        where = self.variant['location']
        headers = {}
        if where == 'absolute':
            headers['Location'] = self.href(rel)
        elif where == 'relative':
            headers['Location'] = API + rel + '/'
        elif where == 'internal':
            headers['Location'] = self.href(rel, host='https://vro-node-2.internal.example:8281')
        reply = self.variant['start_reply']
        if reply == 'empty':
            return send(202, None, headers)
        if reply == 'small':
            return send(202, {'id': eid, 'state': 'initializing'}, headers)
        return send(200 if reply == 'ok200' else 202, self.run_json(self.runs[eid]), headers)

    def listing(self, h, query):
        args = {k: v[0] for k, v in parse_qs(query).items()}
        runs = list(self.runs.values())      # oldest first, as the captured list
        for cond in (args.get('conditions') or '').split(','):
            if cond.startswith('state='):
                runs = [r for r in runs if r['state'] == cond[6:]]
        links = [{'rel': 'up', 'href': self.href('/workflows/%s' % WF_ID)},
                 {'rel': 'add', 'href': self.href('/workflows/%s/executions' % WF_ID)}]
        total = len(runs)
        if self.variant['paging'] == 'honour':
            start = int(args.get('startIndex') or 0)
            size = int(args.get('maxResult') or 20)
            runs = runs[start:start + size]
        for run in runs:
            self.advance(run)
            links.append({'rel': 'down', 'href': self.href('/workflows/%s/executions/%s' % (WF_ID, run['id'])),
                          'attributes': [{'name': 'id', 'value': run['id']},
                                         {'name': 'startDate', 'value': iso(run['start'])},
                                         {'name': 'endDate', 'value': iso(run['end']) if run['end'] else None},
                                         {'name': 'startedBy', 'value': run['started_by']},
                                         {'name': 'state', 'value': run['state']},
                                         {'name': 'name', 'value': self.workflow['name']},
                                         {'name': 'currentItemDisplayName'}]})
        for link in links:
            for attr in link.get('attributes', []):
                if attr.get('value') is None:
                    attr.pop('value', None)
        return h.send(200, {'relations': {'total': total, 'link': links}})

    def route_run(self, h, method, parts, body):  # pylint: disable=too-many-return-statements
        send = h.send
        run = self.runs.get(parts[3])
        if run is None:
            return self.error(h, 404, "Can not find workflow execution with id '%s'" % parts[3])
        tail = parts[4] if len(parts) > 4 else None
        if tail is None and method == 'GET':
            return send(200, self.run_json(run))
        if tail is None and method == 'DELETE':
            del self.runs[run['id']]
            return send(204)
        if tail == 'state' and method == 'GET':
            self.advance(run)
            return send(200, {self.variant['state_key']: self.state_name(run['state'])})
        if tail == 'state' and method == 'DELETE':
            if self.variant.get('cancel_race'):
                # the run ended between the module's last look and its cancel
                self.variant['cancel_race'] -= 1
                run['script'] = ['completed']
                self.advance(run)
            if run['state'] in TERMINAL:
                return self.error(h, 400, 'Workflow execution already finished')
            run['state'], run['script'], run['end'] = 'canceled', [], self.clock + 10
            return send(204)
        if tail in ('logs', 'syslogs') and method == 'GET':
            lines = [{'entry': {'severity': 'info', 'time-stamp': self.date(run['start']), 'user': USER,
                                'short-description': 'Workflow has started'}}]
            for text in run.get('log_lines', []):
                lines.insert(0, {'entry': {'severity': 'error', 'time-stamp': self.date(run['start'] + 1), 'user': USER,
                                           'short-description': text, 'long-description': text}})
            return send(200, {'logs': lines})
        if tail == 'interaction':
            inter = run['interaction']
            waiting = inter and run['state'] == 'waiting'
            if method == 'GET':
                if not waiting:
                    return self.error(h, 404, 'No user interaction for execution %s' % run['id'])
                return send(200, {'id': 'ui-' + run['id'], 'name': inter['name'], 'state': self.variant.get('ui_state', 'waiting'),
                                  'timeout-date': self.date(run['start'] + 3600),
                                  'href': self.href('/workflows/%s/executions/%s/interaction' % (WF_ID, run['id'])),
                                  self.variant.get('assignees_key', 'assignees'): [USER], self.variant['ui_params_key']: inter['params']})
            if method == 'POST':
                if not waiting:
                    return self.error(h, 400, 'The workflow execution is not waiting for a user interaction')
                inter['answers'] = body
                run['state'], run['script'] = 'running', ['completed']
                return send(204)
            if method == 'DELETE':
                if not waiting:
                    return self.error(h, 404, 'No user interaction')
                run['state'], run['script'], run['end'] = 'canceled', [], self.clock + 10
                return send(204)
        return self.error(h, 404, 'No route')

    def count(self, method, suffix=''):
        return sum(1 for m, p, _b in self.requests if m == method and p.split('?')[0].rstrip('/').endswith(suffix))


def env_for(server):
    return {'VRO_URL': server.url, 'VRO_USERNAME': USER, 'VRO_PASSWORD': PASSWORD, 'VRO_AUTH': 'basic'}


def run(tmp_path, server, tasks, check=False, verbosity=3):
    path = write_playbook(tmp_path, 'blind', [{'name': name, 'cloudops.orchestrator.%s' % module: args}
                                              for name, module, args in tasks], ignore_errors=True)
    res = run_playbook(path, env=env_for(server), check=check, verbosity=verbosity)
    for secret in (SECRET_IN, SECRET_OUT, SECRET_ANSWER, PASSWORD):
        assert secret not in res.stdout + res.stderr, 'secret %s in the output' % secret
        assert secret not in json.dumps(res.results), 'secret %s in a result' % secret
    return res


START = {'workflow_id': WF_ID, 'inputs': {'vmName': 'web01', 'cpu': 2, 'adminPassword': SECRET_IN},
         'wait_timeout': 60, 'poll_interval': 0.05, 'poll_interval_max': 0.1}
RUN_INPUTS = [('vmName', 'string', 'web01'), ('cpu', 'number', 2.0), ('adminPassword', 'SecureString', SECRET_IN)]


# -- coverage: readings the modules already took ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize('variant', [
    dict(start_reply='empty'), dict(start_reply='small'), dict(start_reply='full'), dict(start_reply='ok200'),
    dict(location='relative'), dict(location='internal'), dict(location='none', start_reply='small'),
    dict(state_key='state'), dict(java=True), dict(dates='ms'), dict(params_key='inputParameters'),
    dict(script=('running', 'waiting-signal', 'suspended', 'running', 'completed')),
])
def test_blind_start_and_wait(tmp_path, variant):
    with RunVro(**variant) as server:
        res = run(tmp_path, server, [('start', 'vro_workflow_run', START)])
    rec = res.record('start')
    result = rec['result']
    assert rec['status'] == 'ok', result
    assert server.count('POST', '/executions') == 1
    assert result['state'] == 'completed'
    assert result['outputs']['result'] == 'deployed' and result['outputs']['count'] == 3, result['outputs']
    assert result['inputs']['vmName'] == 'web01', result['inputs']
    assert result['execution_id'] in server.runs
    assert result['start_date'] and result['end_date'], result


def seed_old(server, count, **kw):
    """``count`` completed runs of other inputs, older than anything the test starts."""
    for i in range(count):
        server.add_run([('vmName', 'string', 'old%02d' % i), ('cpu', 'number', 1.0)], state='completed',
                       age=86400 - i * 60, **kw)


@pytest.mark.parametrize('paging', ['honour', 'ignore'])
def test_blind_lost_start_adopted(tmp_path, paging):
    with RunVro(lose_start=True, paging=paging) as server:
        seed_old(server, 45)
        res = run(tmp_path, server, [('start', 'vro_workflow_run', dict(START, timeout=3))])
    rec = res.record('start')
    assert server.count('POST', '/executions') == 1
    assert rec['status'] == 'ok', rec['result']
    assert rec['result']['state'] == 'completed'


@pytest.mark.parametrize('paging', ['honour', 'ignore'])
def test_blind_reuse_running_finds_newest(tmp_path, paging):
    with RunVro(paging=paging) as server:
        seed_old(server, 45)
        eid = server.add_run(RUN_INPUTS, state='running', script=['running', 'running', 'completed'], age=30)
        res = run(tmp_path, server, [('start', 'vro_workflow_run', dict(START, reuse='running'))])
    rec = res.record('start')
    assert server.count('POST', '/executions') == 0
    assert rec['result']['execution_id'] == eid and rec['result']['changed'] is False


def test_blind_reuse_not_other_inputs(tmp_path):
    with RunVro() as server:
        server.add_run([('vmName', 'string', 'web01'), ('cpu', 'number', 4.0), ('adminPassword', 'SecureString', SECRET_IN)],
                       state='running', script=['completed'], age=30)
        server.add_run(RUN_INPUTS + [('note', 'string', 'abc')], state='running', script=['completed'], age=10)
        res = run(tmp_path, server, [('start', 'vro_workflow_run', dict(START, reuse='running'))])
    rec = res.record('start')
    assert server.count('POST', '/executions') == 1


@pytest.mark.parametrize('paging', ['honour', 'ignore'])
def test_blind_list_newest_first(tmp_path, paging):
    with RunVro(paging=paging) as server:
        seed_old(server, 45)
        newest = list(server.runs)[-5:][::-1]
        res = run(tmp_path, server, [('list', 'vro_execution_info', {'workflow_id': WF_ID, 'max_results': 5}),
                                     ('failed', 'vro_execution_info', {'workflow_id': WF_ID, 'state': ['failed']})])
    rec = res.record('list')
    assert [e['execution_id'] for e in rec['result']['executions']] == newest


@pytest.mark.parametrize('variant', [dict(), dict(ui_params_key='parameter', assignees_key='assignee', ui_state='WAITING'), dict(java=True),
                                     dict(dates='ms')])
def test_blind_interaction(tmp_path, variant):
    with RunVro(script=('running', 'waiting'), **variant) as server:
        res = run(tmp_path, server, [('start', 'vro_workflow_run', dict(START, on_user_interaction='return'))])
        eid = res.record('start')['result']['execution_id']
        params = [{'name': 'approved', 'type': 'boolean'}, {'name': 'pin', 'type': 'SecureString'}]
        server.runs[eid]['interaction'] = {'name': 'Approve', 'params': params}
        res2 = run(tmp_path, server, [
            ('info', 'vro_execution_info', {'workflow_id': WF_ID, 'execution_id': eid}),
            ('fail', 'vro_execution_info', {'workflow_id': WF_ID, 'execution_id': eid, 'wait_for': ['completed'],
                                            'poll_interval': 0.05}),
            ('answer', 'vro_interaction', {'workflow_id': WF_ID, 'execution_id': eid, 'inputs': {'approved': True, 'pin': SECRET_ANSWER},
                                           'wait_for': ['completed'], 'poll_interval': 0.05})])
    assert res.record('start')['result']['state'] == 'waiting'
    assert res2.record('answer')['result']['state'] == 'completed'
    answers = server.runs[eid]['interaction']['answers']
    assert {p['name'] for p in answers['parameters']} == {'approved', 'pin'}


@pytest.mark.parametrize('variant', [dict(), dict(java=True), dict(state_key='state')])
def test_blind_cancel(tmp_path, variant):
    with RunVro(**variant) as server:
        eid = server.add_run(RUN_INPUTS, state='running', script=['running'] * 50, age=30)
        eid2 = server.add_run(RUN_INPUTS, state='waiting-signal', script=['waiting-signal'] * 50, age=20)
        done = server.add_run(RUN_INPUTS, state='completed', age=10)
        res = run(tmp_path, server, [('one', 'vro_execution_cancel', {'workflow_id': WF_ID, 'execution_id': eid, 'poll_interval': 0.05}),
                                     ('done', 'vro_execution_cancel', {'workflow_id': WF_ID, 'execution_id': done}),
                                     ('all', 'vro_execution_cancel', {'workflow_id': WF_ID, 'all_running': True, 'poll_interval': 0.05})])
    assert server.runs[eid]['state'] == 'canceled' and server.runs[eid2]['state'] == 'canceled'
    assert res.record('done')['result']['changed'] is False
    assert all(not (m == 'DELETE' and p.rstrip('/').endswith(('/' + eid, '/' + eid2, '/' + done))) for m, p, _b in server.requests)


@pytest.mark.parametrize('variant', [dict(), dict(java=True), dict(dates='ms')])
def test_blind_failed_and_timeout(tmp_path, variant):
    with RunVro(script=('running', 'failed'), **variant) as server:
        res = run(tmp_path, server, [('failed', 'vro_workflow_run', START)])
        server.variant['script'] = ['running'] * 1000
        res2 = run(tmp_path, server, [('timeout', 'vro_workflow_run', dict(START, wait_timeout=2, cancel_on_timeout=True))])
    assert res.record('failed')['status'] == 'ignored'
    assert res2.record('timeout')['status'] == 'ignored'
    assert server.count('DELETE', '/state') == 1
    assert server.count('POST', '/executions') == 2


@pytest.mark.parametrize('variant', [dict(), dict(dates='ms')])
def test_blind_secrets_in_exception_and_logs(tmp_path, variant):
    with RunVro(**variant) as server:
        bad = 'Login to web01 as admin with %s refused; token %s' % (SECRET_IN, SECRET_OUT)
        eid = server.add_run(RUN_INPUTS, state='failed', age=30, exception=bad,
                             outputs=[{'name': 'token', 'type': 'SecureString', 'scope': 'local',
                                       'value': {'secure-string': {'value': SECRET_OUT}}}])
        server.runs[eid]['log_lines'] = [bad]
        res = run(tmp_path, server, [
            ('one', 'vro_execution_info', {'workflow_id': WF_ID, 'execution_id': eid, 'fetch_logs': True, 'fetch_syslogs': True}),
            ('list', 'vro_execution_info', {'workflow_id': WF_ID, 'fetch_logs': True}),
            ('listd', 'vro_execution_info', {'workflow_id': WF_ID, 'details': True, 'state': ['failed']}),
            ('wait', 'vro_execution_info', {'workflow_id': WF_ID, 'execution_id': eid, 'wait_for': ['completed']})])
    # run() checked that neither secret appears in any result or in the -vvv output; the exception is still told
    one = res.record('one')['result']
    assert one['state'] == 'failed' and 'refused' in one['content_exception'] and one['logs'], one
    assert res.record('wait')['status'] == 'ignored' and 'refused' in res.record('wait')['result']['msg']


def test_blind_batch_with_a_lost_start(tmp_path):
    with RunVro(paging='honour') as server:
        seed_old(server, 45)
        server.variant['lose_start'] = True
        res = run(tmp_path, server, [('batch', 'vro_workflow_run', dict(
            {k: v for k, v in START.items() if k != 'inputs'}, timeout=3,
            runs=[{'vmName': 'web%02d' % i, 'cpu': 2, 'adminPassword': SECRET_IN} for i in range(5)]))])
    rec = res.record('batch')
    assert server.count('POST', '/executions') == 5
    assert rec['status'] == 'ok'
    assert [e['inputs']['vmName'] for e in rec['result']['executions']] == ['web%02d' % i for i in range(5)]


@pytest.mark.parametrize('variant', [dict(java=True), dict(state_key='state')])
def test_blind_wait_for_states(tmp_path, variant):
    with RunVro(**variant) as server:
        eid = server.add_run(RUN_INPUTS, state='running', script=['running', 'waiting-signal', 'running', 'completed'], age=30)
        eid2 = server.add_run(RUN_INPUTS, state='running', script=['running', 'waiting-signal', 'running', 'completed'], age=30)
        res = run(tmp_path, server, [
            ('signal', 'vro_execution_info', {'workflow_id': WF_ID, 'execution_id': eid, 'wait_for': ['waiting-signal'], 'poll_interval': 0.05}),
            ('done', 'vro_execution_info', {'workflow_id': WF_ID, 'execution_id': eid2, 'wait_for': ['completed'], 'poll_interval': 0.05}),
            ('list', 'vro_execution_info', {'workflow_id': WF_ID, 'state': ['completed']})])
    assert res.record('signal')['result']['state'] == 'waiting-signal'
    assert res.record('done')['result']['state'] == 'completed'


@pytest.mark.parametrize('count', [600])
def test_blind_many_runs_oldest_first(tmp_path, count):
    with RunVro(paging='honour') as server:
        seed_old(server, count)
        done = server.add_run(RUN_INPUTS, state='completed', age=60,
                              outputs=[{'name': 'result', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'old'}}}])
        res = run(tmp_path, server, [('reuse', 'vro_workflow_run', dict(START, reuse='completed')),
                                     ('list', 'vro_execution_info', {'workflow_id': WF_ID, 'max_results': 3})])
        server.variant['lose_start'] = True
        res2 = run(tmp_path, server, [('lost', 'vro_workflow_run', dict(START, timeout=3))])
    assert res.record('reuse')['result']['execution_id'] == done
    assert [e['execution_id'] for e in res.record('list')['result']['executions']][0] == done
    assert res2.record('lost')['status'] == 'ok'
    assert server.count('POST', '/executions') == 1


def test_keep_waiting_goes_on_past_waiting(tmp_path):
    with RunVro(script=('running', 'waiting', 'waiting', 'running', 'completed')) as server:
        res = run(tmp_path, server, [('keep', 'vro_workflow_run', dict(START, on_user_interaction='keep_waiting'))])
    assert res.record('keep')['result']['state'] == 'completed'
    assert server.count('POST', '/executions') == 1


def test_a_run_that_ends_before_its_cancel_on_timeout_is_reported_as_it_ended(tmp_path):
    """cancel_on_timeout on a batch whose first run completes between the last poll and its DELETE .../state (the
    server refuses to cancel a finished run: 400): the task said "runs[0]: run X is still running", returned the run
    with state running and no outputs, and warned that it could not be canceled. The state read after the refusal is
    now kept: the run is reported as it ended, read in full (its outputs), and only the others as canceled."""
    with RunVro(script=['running'] * 1000, cancel_race=1) as server:
        res = run(tmp_path, server, [('batch', 'vro_workflow_run', dict(
            {k: v for k, v in START.items() if k != 'inputs'}, wait_timeout=2, cancel_on_timeout=True,
            runs=[{'vmName': 'web%02d' % i, 'cpu': 2, 'adminPassword': SECRET_IN} for i in range(3)]))])
    rec = res.record('batch')
    result = rec['result']
    assert rec['status'] == 'ignored' and result['timed_out'] is True, result
    first, second, third = result['executions']
    assert server.runs[first['execution_id']]['state'] == 'completed'
    assert first['state'] == 'completed' and first['outputs']['result'] == 'deployed', first
    assert second['state'] == 'running' and third['state'] == 'running'
    assert result['canceled'] == [second['execution_id'], third['execution_id']]
    assert 'run %s had ended (completed) before its cancel' % first['execution_id'] in result['msg'], result['msg']
    assert 'run %s is still' % first['execution_id'] not in result['msg'], result['msg']
    assert not [w for w in result.get('warnings', []) if 'could not cancel' in w], result['warnings']
    assert server.count('POST', '/executions') == 3


def test_a_single_run_that_ends_before_its_cancel_on_timeout_is_not_said_to_go_on(tmp_path):
    with RunVro(script=['running'] * 1000, cancel_race=1) as server:
        res = run(tmp_path, server, [('one', 'vro_workflow_run', dict(START, wait_timeout=2, cancel_on_timeout=True))])
    result = res.record('one')['result']
    assert result['state'] == 'completed' and result['outputs']['result'] == 'deployed', result
    assert 'had ended (completed) before its cancel' in result['msg'] and 'goes on running' not in result['msg'], result['msg']
    assert result['canceled'] == []
