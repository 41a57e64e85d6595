# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blind audit (part 23) of the vRO scheduled-task and user-interaction modules against a fake vRO written from public
evidence only, over real HTTP, the modules run through ansible-playbook.

Sources of the fake's behaviour (each reading the evidence leaves open is a switch of ``BlindVro.variant``):

- ``/work/shared/specs/vro-8.18.1-openapi.json``: ``WsTask`` (``recurrence-*``, ``start-mode``, ``state``,
  ``running-instance-id``, ``input-parameters``, ``userName`` whose XML name is ``user``), ``WsTaskList`` and
  ``PresentationExecutionsList`` (``relations.link[].attributes``), ``POST /tasks`` 202, ``POST /tasks/{id}`` 200,
  ``DELETE /tasks/{id}`` 204, ``WsUserInteraction`` (``input-parameters``, ``assignees``, ``timeout-date``,
  state ``waiting|finished``), ``UserInteractionsList`` (top-level ``link``/``total``), answer 204.
- developer.broadcom.com vRO 7.3 / "vrealize-orchestrator-api latest" reference pages (Get Task, Create Task, Get User
  Interaction): the 7.x JSON names the parameter list ``parameter`` and the link attributes ``attribute`` (singular).
- VCF Operations Orchestrator reference (developer.broadcom.com ``vmware-cloud-foundation-operations-orchestrator-api``):
  ``userName`` in the task JSON.
- a public terraform provider for Aria (``OrchestratorTaskAPIModel``, and its test fixtures): ``user``, a
  ``recurrence-pattern`` of the form ``(Europe/Zurich) 01 00:00:00,`` returned by the server, ``POST /vco/api/tasks``
  answered 202 with ``Location: /vco/api/tasks/<id>`` and a small body ``{"id", "state"}``; input parameter
  descriptions echoed back empty.
- API-NOTES.md section 1: dates ISO on 8.x, epoch milliseconds on old servers; task states; at most 50 tasks.
"""

from __future__ import annotations

import copy
import datetime
import json
import uuid
from urllib.parse import unquote_plus

from _harness import BasicJsonApi, run_playbook, write_playbook

API = '/vco/api'
USER, PASSWORD = 'blind-user', 'blind-Pa55word-9'
WF_ID = 'b11d0000-0000-4000-8000-000000000001'
WF2_ID = 'b11d0000-0000-4000-8000-000000000002'
APPROVAL_WF = 'b11d0000-0000-4000-8000-0000000000a1'
SECRET_ANSWER = 'blind-s3cret-answer'


class BlindVro(BasicJsonApi):
    """A fake vRO 8 task and interaction service. ``variant`` holds the open readings:

    ``dates``: ``iso`` (8.x) or ``ms`` (epoch milliseconds, old servers) in what the server returns.
    ``list_shape``: ``relations`` (spec: ``relations.link``) or ``top`` (top-level ``link``).
    ``attr_key``: ``attributes`` (8.x) or ``attribute`` (7.x reference).
    ``params_key``: ``input-parameters`` (8.x) or ``parameter`` (7.x reference).
    ``user_key``: ``user`` or ``userName``.
    ``create_reply``: ``small`` (202, Location, ``{"id","state"}``), ``empty`` (202, Location, no body), ``full``.
    ``update_reply``: ``full`` (200 and the task, as the spec says) or ``small`` (``{"id","state"}``).
    ``lose_create``: the first POST /tasks is applied, then the connection is closed without an answer.
    ``lose_answer``: the first interaction POST is applied, then the connection is closed without an answer.
    ``pattern``: a recurrence pattern the server makes up when none is given (``None``: none).
    """

    def __init__(self, **variant):
        super().__init__(API, USER, PASSWORD)  # requests: (method, path, body)
        self.variant = dict(dict(dates='iso', list_shape='relations', attr_key='attributes', params_key='input-parameters',
                                 user_key='user', create_reply='small', update_reply='full', lose_create=False, lose_answer=False, pattern=None),
                            **variant)
        self.tasks = {}         # id -> stored task (internal form, ISO dates)
        self.workflows = {
            WF_ID: {'id': WF_ID, 'name': 'Blind clean-up', 'category': 'Blind',
                    'inputs': [('olderThanDays', 'number'), ('dryRun', 'boolean'), ('target', 'string'),
                               ('adminPassword', 'SecureString')]},
            WF2_ID: {'id': WF2_ID, 'name': 'Blind report', 'category': 'Blind', 'inputs': [('target', 'string')]},
            APPROVAL_WF: {'id': APPROVAL_WF, 'name': 'Blind approval', 'category': 'Blind', 'inputs': [('request', 'string')]},
        }
        self.executions = {}    # eid -> dict(workflow, state, interaction, outputs)
        self.answers = []       # bodies of interaction POSTs

    # -- helpers ------------------------------------------------------------------------------------------------
    def href(self, rel):
        return '%s%s%s/' % (self.url, API, rel)

    def out_date(self, value):
        if value is None:
            return None
        if self.variant['dates'] == 'ms':
            parsed = datetime.datetime.strptime(value[:19], '%Y-%m-%dT%H:%M:%S').replace(tzinfo=datetime.timezone.utc)
            return int(parsed.timestamp() * 1000)
        return value

    def attrs(self, pairs):
        return {self.variant['attr_key']: [{'name': k, 'value': v} for k, v in pairs if v is not None]}

    def listing(self, links):
        if self.variant['list_shape'] == 'top':
            return {'link': links, 'total': len(links)}
        return {'relations': {'link': links, 'total': len(links)}}

    def task_json(self, task):
        out = {'id': task['id'], 'name': task['name'], 'href': self.href('/tasks/%s' % task['id']), 'state': task['state'],
               'recurrence-cycle': task['cycle'], 'recurrence-start-date': self.out_date(task['start']),
               'start-mode': task['start_mode'], self.variant['user_key']: USER,
               'workflow': {'id': task['workflow'], 'name': self.workflows[task['workflow']]['name'],
                            'href': self.href('/workflows/%s' % task['workflow'])},
               'relations': {'link': [{'rel': 'down', 'href': self.href('/tasks/%s/executions' % task['id'])}]}}
        if task.get('end'):
            out['recurrence-end-date'] = self.out_date(task['end'])
        if task.get('pattern'):
            out['recurrence-pattern'] = task['pattern']
        if task.get('description') is not None:
            out['description'] = task['description']
        params = []
        for param in task['params']:
            param = copy.deepcopy(param)
            param['description'] = ''
            if param.get('type') == 'SecureString':
                param.pop('value', None)   # vRO need not return secrets
            params.append(param)
        if params:
            out[self.variant['params_key']] = params
        return out

    # -- routes -------------------------------------------------------------------------------------------------
    def route(self, h, method, rel, query, body):  # pylint: disable=too-many-return-statements,too-many-branches
        parts = rel.strip('/').split('/')
        send = h.send
        if rel == '/about':
            return send(200, {'version': '8.18.1.24069580', 'build-number': '24069580', 'api-version': '2.0'})
        if parts[0] == 'workflows' and len(parts) == 1 and method == 'GET':
            cond = unquote_plus(query.split('conditions=', 1)[1].split('&')[0]) if 'conditions=' in query else ''
            name = cond.split('name=', 1)[1] if cond.startswith('name=') else None
            links = [dict(self.attrs([('id', wf['id']), ('name', wf['name']), ('categoryName', wf['category'])]),
                          rel='down', href=self.href('/workflows/%s' % wf['id']))
                     for wf in self.workflows.values() if name is None or wf['name'] == name]
            return send(200, {'link': links, 'total': len(links)})
        if parts[0] == 'workflows' and len(parts) == 2 and method == 'GET':
            wf = self.workflows.get(parts[1])
            if not wf:
                return self.error(h, 404, "Workflow with id '%s' not found" % parts[1])
            return send(200, {'id': wf['id'], 'name': wf['name'], 'version': '1.0.0', 'href': self.href('/workflows/%s' % wf['id']),
                              'input-parameters': [{'name': n, 'type': t} for n, t in wf['inputs']], 'output-parameters': []})
        if parts[0] == 'tasks':
            return self.route_tasks(h, method, parts, body)
        if parts[0] == 'interactions' and method == 'GET':
            links = []
            for eid, run in self.executions.items():
                inter = run.get('interaction')
                if inter and run['state'] == 'waiting':
                    links.append(dict(self.attrs([('id', inter['id']), ('name', inter['name']), ('state', 'waiting'),
                                                  ('executionId', eid), ('workflowId', run['workflow'])]),
                                      rel='down', href=self.href('/workflows/%s/executions/%s/interaction' % (run['workflow'], eid))))
            return send(200, {'link': links, 'total': len(links), 'startIndex': 0, 'count': len(links)})
        if parts[0] == 'workflows' and len(parts) >= 4 and parts[2] == 'executions':
            return self.route_run(h, method, parts, body)
        return self.error(h, 404, 'No route for %s %s' % (method, rel))

    def route_tasks(self, h, method, parts, body):  # pylint: disable=too-many-return-statements
        send = h.send
        if len(parts) == 1 and method == 'GET':
            links = [dict(self.attrs([('id', t['id']), ('name', t['name']), ('state', t['state']),
                                      ('workflowName', self.workflows[t['workflow']]['name'])]),
                          rel='down', href=self.href('/tasks/%s' % t['id'])) for t in self.tasks.values()]
            return send(200, dict(self.listing(links), href=self.href('/tasks')))
        if len(parts) == 1 and method == 'POST':
            if not body or not body.get('recurrence-start-date') or not (body.get('workflow') or {}).get('id'):
                return self.error(h, 400, 'recurrence-start-date and workflow are required')
            if len(self.tasks) >= 50:
                return self.error(h, 400, 'The maximum number of scheduled tasks (50) is reached')
            task = self.store(str(uuid.uuid4()), body, None)
            if self.variant['lose_create']:
                self.variant['lose_create'] = False
                return h.drop()
            location = {'Location': self.href('/tasks/%s' % task['id'])}
            reply = self.variant['create_reply']
            if reply == 'empty':
                return send(202, None, location)
            if reply == 'small':
                return send(202, {'id': task['id'], 'state': task['state']}, location)
            return send(202, self.task_json(task), location)
        task = self.tasks.get(parts[1])
        if task is None:
            return self.error(h, 404, "Can not find task with id '%s'" % parts[1])
        if len(parts) == 2 and method == 'GET':
            return send(200, self.task_json(task))
        if len(parts) == 2 and method == 'POST':
            if (body.get('workflow') or {}).get('id') not in (None, task['workflow']):
                return self.error(h, 400, 'It is not allowed to update the scheduled workflow')
            task = self.store(task['id'], body, task)
            if self.variant['update_reply'] == 'small':
                return send(200, {'id': task['id'], 'state': task['state']})
            return send(200, self.task_json(task))
        if len(parts) == 2 and method == 'DELETE':
            del self.tasks[task['id']]
            return send(204)
        if len(parts) == 3 and parts[2] == 'executions' and method == 'GET':
            links = []
            for eid, run in self.executions.items():
                if run.get('task') == task['id']:
                    links.append(dict(self.attrs([('id', eid), ('name', self.workflows[run['workflow']]['name']),
                                                  ('state', run['state']), ('startDate', self.out_date('2026-03-01T02:00:00.000Z')),
                                                  ('endDate', self.out_date('2026-03-01T02:00:05.000Z')), ('startedBy', USER)]),
                                      rel='down', href=self.href('/workflows/%s/executions/%s' % (run['workflow'], eid))))
            return send(200, dict(self.listing(links), href=self.href('/tasks/%s/executions' % task['id'])))
        return self.error(h, 404, 'No route')

    def store(self, task_id, body, old):
        wf = (body.get('workflow') or {}).get('id') or old['workflow']
        params = body.get('input-parameters') if 'input-parameters' in body else body.get('parameter')
        task = {'id': task_id, 'name': body.get('name') or (old or {}).get('name'), 'workflow': wf,
                'state': (old or {}).get('state', 'pending'),
                'cycle': body.get('recurrence-cycle') or 'one-time', 'start': body.get('recurrence-start-date'),
                'end': body.get('recurrence-end-date'), 'pattern': body.get('recurrence-pattern') or self.variant['pattern'],
                'start_mode': body.get('start-mode') or 'normal', 'description': body.get('description'),
                'params': params if params is not None else (old or {}).get('params', [])}
        self.tasks[task_id] = task
        return task

    def add_waiting_run(self, eid, secret=True):
        params = [{'name': 'approved', 'type': 'boolean', 'description': 'Approve?'},
                  {'name': 'comment', 'type': 'string'}]
        if secret:
            params.append({'name': 'approverPin', 'type': 'SecureString'})
        self.executions[eid] = {'workflow': APPROVAL_WF, 'state': 'waiting',
                                'interaction': {'id': 'ui-' + eid, 'name': 'Approve the request', 'params': params}}

    def route_run(self, h, method, parts, body):  # pylint: disable=too-many-return-statements
        send = h.send
        wid, eid = parts[1], parts[3]
        run = self.executions.get(eid)
        if run is None or run['workflow'] != wid:
            return self.error(h, 404, "Can not find execution '%s'" % eid)
        tail = parts[4] if len(parts) > 4 else None
        if tail is None and method == 'GET':
            return send(200, {'id': eid, 'name': self.workflows[wid]['name'], 'state': run['state'],
                              'href': self.href('/workflows/%s/executions/%s' % (wid, eid)),
                              'start-date': self.out_date('2026-03-01T02:00:00.000Z'),
                              'end-date': self.out_date('2026-03-01T02:00:05.000Z') if run['state'] in ('completed', 'failed', 'canceled') else None,
                              'started-by': USER, 'input-parameters': [], 'output-parameters': run.get('outputs', [])})
        if tail == 'state' and method == 'GET':
            return send(200, {'value': run['state']})
        if tail == 'interaction':
            inter = run.get('interaction')
            if method == 'GET':
                if not inter or run['state'] != 'waiting':
                    return self.error(h, 404, 'No user interaction for execution %s' % eid)
                key = self.variant['params_key']
                return send(200, {'id': inter['id'], 'name': inter['name'], 'state': 'waiting',
                                  'href': self.href('/workflows/%s/executions/%s/interaction' % (wid, eid)),
                                  'assignees': [USER], key: inter['params']})
            if method == 'POST':
                if not inter or run['state'] != 'waiting':
                    return self.error(h, 400, 'The workflow execution is not waiting for a user interaction')
                self.answers.append(body)
                run['state'] = 'completed'
                run['outputs'] = [{'name': 'approved', 'type': 'boolean', 'scope': 'local', 'value': {'boolean': {'value': True}}}]
                if self.variant['lose_answer']:
                    self.variant['lose_answer'] = False
                    return h.drop()
                return send(204)
            if method == 'DELETE':
                if not inter or run['state'] != 'waiting':
                    return self.error(h, 404, 'No user interaction')
                run['state'] = 'canceled'
                return send(204)
        return self.error(h, 404, 'No route')

    def count(self, method, prefix):
        return sum(1 for m, p, _b in self.requests if m == method and p.split('?')[0].rstrip('/') == API + prefix)


def env_for(server):
    return {'VRO_URL': server.url, 'VRO_USERNAME': USER, 'VRO_PASSWORD': PASSWORD, 'VRO_AUTH': 'basic'}


def play(tmp_path, tasks):
    return write_playbook(tmp_path, 'blind', [{'name': name, 'cloudops.orchestrator.%s' % module: args}
                                              for name, module, args in tasks], ignore_errors=True)


def run(tmp_path, server, tasks, check=False):
    return run_playbook(play(tmp_path, tasks), env=env_for(server), check=check)


def seed_task(server, name, workflow=WF_ID, **extra):
    task = {'id': str(uuid.uuid4()), 'name': name, 'workflow': workflow, 'state': 'pending', 'cycle': 'every-days',
            'start': '2026-03-01T02:00:00.000Z', 'end': None, 'pattern': None, 'start_mode': 'normal', 'description': None,
            'params': [{'name': 'olderThanDays', 'type': 'number', 'scope': 'local', 'value': {'number': {'value': 7.0}}}]}
    task.update(extra)
    server.tasks[task['id']] = task
    return task


def changed_runs(server):
    """The writes the server took: (method, path) of every POST and DELETE."""
    return [(m, p.split('?')[0]) for m, p, _b in server.requests if m in ('POST', 'DELETE')]


NIGHTLY = {'name': 'nightly', 'workflow_id': WF_ID, 'recurrence': {'cycle': 'every-days', 'start': '2026-03-01T02:00:00Z'},
           'inputs': {'olderThanDays': 7, 'dryRun': False}}


def whole(task):
    """The fields of a returned task that a small create or update answer does not hold."""
    return {'name': task['name'], 'workflow_id': task['workflow_id'], 'workflow_name': task['workflow_name'],
            'cycle': task['recurrence']['cycle'], 'start': task['recurrence']['start'], 'start_mode': task['start_mode'],
            'inputs': task['inputs']}


EXPECTED = {'name': 'nightly', 'workflow_id': WF_ID, 'workflow_name': 'Blind clean-up', 'cycle': 'every-days',
            'start': '2026-03-01T02:00:00.000Z', 'start_mode': 'normal', 'inputs': {'olderThanDays': 7, 'dryRun': False}}


# -- 1. a create or update answered with a small body ----------------------------------------------------------------
def test_a_create_answered_with_only_id_and_state_returns_the_task_read_back(tmp_path):
    """POST /tasks answered 202 with ``{"id", "state"}`` and a Location (the answer a public Aria terraform provider's
    tests play): the module returned that small body as "the task as the server holds it" - name, workflow, recurrence
    and inputs null. The task is now read back; the POST is sent once."""
    with BlindVro(create_reply='small') as server:
        res = run(tmp_path, server, [('create', 'vro_task', NIGHTLY)])
    result = res.record('create')['result']
    assert res.record('create')['status'] == 'ok', result
    assert result['changed'] is True and whole(result['task']) == EXPECTED, result['task']
    assert [w for w in changed_runs(server) if w[0] == 'POST'] == [('POST', API + '/tasks')]


def test_an_update_answered_with_only_id_and_state_returns_the_task_read_back(tmp_path):
    with BlindVro(update_reply='small') as server:
        seed_task(server, 'nightly', params=[])
        res = run(tmp_path, server, [('update', 'vro_task', NIGHTLY)])
    result = res.record('update')['result']
    assert res.record('update')['status'] == 'ok', result
    assert result['changed'] is True and result['differences'] == ['inputs'], result
    assert whole(result['task']) == EXPECTED, result['task']


# -- 2. a recurrence pattern the server holds that the user did not give ------------------------------------------------
def test_a_pattern_the_server_derives_is_kept_not_removed_by_recreating_the_task_on_every_run(tmp_path):
    """A server that gives a task a recurrence pattern of its own (``(UTC) 02:00:00,``: tasks made in the vRO client
    carry one, and the Aria terraform provider's fixtures read one back): with ``recurrence`` given without ``pattern``
    the module read the pattern as one to remove, and, the server keeping it, deleted and created the task again on
    every run (a new id each time, its past runs left behind). A pattern left out is now kept; nothing is sent again."""
    with BlindVro(pattern='(UTC) 02:00:00,', create_reply='empty') as server:
        res = run(tmp_path, server, [('create', 'vro_task', NIGHTLY), ('again', 'vro_task', NIGHTLY),
                                     ('third', 'vro_task', dict(NIGHTLY, inputs={'olderThanDays': 8, 'dryRun': False}))])
        tasks = list(server.tasks.values())
    for name in ('create', 'again', 'third'):
        assert res.record(name)['status'] == 'ok', res.record(name)['result']
    again = res.record('again')['result']
    assert again['changed'] is False and again['differences'] == [], again
    assert 'recreated' not in again and not again.get('warnings', [])[1:], again
    third = res.record('third')['result']
    assert third['differences'] == ['inputs'] and 'recreated' not in third, third
    assert third['task']['recurrence']['pattern'] == '(UTC) 02:00:00,', third['task']
    assert len(tasks) == 1 and tasks[0]['pattern'] == '(UTC) 02:00:00,'
    writes = changed_runs(server)
    assert [w for w in writes if w[0] == 'DELETE'] == [] and writes.count(('POST', API + '/tasks')) == 1, writes


def test_an_empty_pattern_removes_the_pattern(tmp_path):
    with BlindVro() as server:
        task = seed_task(server, 'nightly', pattern='(UTC) 02:00:00,')
        recurrence = dict(NIGHTLY['recurrence'], pattern='')
        res = run(tmp_path, server, [('remove', 'vro_task', dict(NIGHTLY, recurrence=recurrence)),
                                     ('again', 'vro_task', dict(NIGHTLY, recurrence=recurrence))])
    first = res.record('remove')['result']
    assert first['differences'] == ['recurrence.pattern', 'inputs'], first
    assert first['task']['id'] == task['id'] and first['task']['recurrence']['pattern'] is None, first['task']
    assert res.record('again')['result']['changed'] is False
    assert server.tasks[task['id']]['pattern'] is None


# -- 3. the 7.x reference's spellings: ``parameter`` and ``attribute`` ------------------------------------------------
def test_the_singular_spellings_of_the_7x_reference_are_read(tmp_path):
    """vRO's 7.3 API reference (developer.broadcom.com) names a task's and a user interaction's parameter list
    ``parameter``, a link's attributes ``attribute`` and the assignees ``assignee``: the task's inputs read as {},
    its runs had no id, state nor dates, and an interaction "declared no inputs", so no answer could be given."""
    with BlindVro(attr_key='attribute', params_key='parameter', user_key='userName') as server:
        task = seed_task(server, 'nightly')
        server.executions['run-1'] = {'workflow': WF_ID, 'state': 'completed', 'task': task['id']}
        server.add_waiting_run('e-1', secret=False)
        res = run(tmp_path, server, [('info', 'vro_task_info', {'task_id': task['id']}),
                                     ('answer', 'vro_interaction', {'workflow_id': APPROVAL_WF, 'execution_id': 'e-1',
                                                                    'inputs': {'approved': True, 'comment': 'ok'}})])
        answers = list(server.answers)
    info = res.record('info')['result']['tasks'][0]
    assert info['inputs'] == {'olderThanDays': 7} and info['user'] == USER, info
    assert [(r['execution_id'], r['state'], r['start_date']) for r in info['executions']] == [
        ('run-1', 'completed', '2026-03-01T02:00:00.000Z')], info['executions']
    answer = res.record('answer')['result']
    assert res.record('answer')['status'] == 'ok' and answer['changed'] is True, answer
    assert answer['interaction']['assignees'] == [USER], answer['interaction']
    assert [p['name'] for p in answers[0]['parameters']] == ['approved', 'comment']


# -- 4. what already matched the evidence: lost answers adopted, never resent; secrets never shown -----------------
def test_matched_a_lost_create_is_adopted_and_dates_in_epoch_ms_read(tmp_path):
    with BlindVro(lose_create=True, dates='ms', list_shape='top') as server:
        res = run(tmp_path, server, [('create', 'vro_task', NIGHTLY), ('again', 'vro_task', NIGHTLY)])
    result = res.record('create')['result']
    assert res.record('create')['status'] == 'ok' and whole(result['task']) == EXPECTED, result
    assert res.record('again')['result']['changed'] is False
    assert changed_runs(server).count(('POST', API + '/tasks')) == 1


def test_matched_a_lost_answer_is_not_sent_again_and_its_secret_never_shown(tmp_path):
    with BlindVro(lose_answer=True) as server:
        server.add_waiting_run('e-1')
        res = run(tmp_path, server, [('answer', 'vro_interaction', {
            'workflow_id': APPROVAL_WF, 'execution_id': 'e-1', 'inputs': {'approved': True, 'comment': 'ok',
                                                                          'approverPin': SECRET_ANSWER}})])
        answers = list(server.answers)
    result = res.record('answer')['result']
    assert res.record('answer')['status'] == 'ok' and result['changed'] is True and result['state'] == 'completed', result
    assert len(answers) == 1
    assert SECRET_ANSWER not in json.dumps(res.results) and SECRET_ANSWER not in res.stdout + res.stderr
