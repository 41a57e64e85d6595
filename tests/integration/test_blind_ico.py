# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blind audit of orch_task and orch_task_info against an independent ICO 2.5 task engine fake.

The fake below was written from public evidence only, before reading the simulator or the modules' code:

- IBM Knowledge Center, ICO 2.5.0.2 "Task engine REST API V2" (r_task_engine_apiv2.html; seeds/ico-2.5-task-engine-
  api-v2.txt): the Task Response (``id`` a string, ``created``/``updated`` epoch ms, ``created_iso``/``updated_iso``
  with a ``+0200`` offset, ``status`` upper case and ``status_localized``, ``error``/``description`` message objects
  with ``message: null``), the list as a bare array, POST 201, PUT 200 (no documented body), DELETE 204 whose
  "Response" is nevertheless a Task Response, 401/404/500 without a documented body;
- APAR ZZ00214 (SmartCloud Orchestrator 2.3): Basic authentication, the domain and project in the ``domainName`` and
  ``projectName`` request headers;
- ICO 2.5 "REST API reference" overview (rat_overview.html): HTTPS only, ``Accept: application/json``,
  ``Accept-Language`` chooses the language of localized texts, POST and PUT check the cookie domain (FQDN);
- ICO 2.5.0.2 "Resource instances REST API" and "Managing entities by using actions": other ``/orchestrator/v2``
  collections page with ``_start``/``_limit`` and answer ``{href,start,limit,total,first,previous,next,last}``,
  single entries come as ``{"href": ..., "item": {...}}``; a task list may therefore come in those forms too.

What the evidence leaves open is played both ways (options of ``FakeTaskEngine``): list forms, ids as numbers,
times as text, a 201 without a body, a DELETE answering 200 with the task, error bodies as HTML or JSON.
"""

from __future__ import annotations

import base64
import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

import pytest

from _harness import LocalHttpServer, run_playbook, write_playbook

ADMIN = 'admin'
ADMIN_PASSWORD = 'Ico-Adm1n-pa55!word'
USER = 'jdoe'
USER_PASSWORD = 'Jd0e-user-pa55!word'
PARM_SECRET = 'Parm-S3cret-db-pa55word'

USERS = {ADMIN: {'password': ADMIN_PASSWORD, 'admin': True, 'projects': ('admin', 'finance')},
         USER: {'password': USER_PASSWORD, 'admin': False, 'projects': ('finance',)}}

SEED = {
    'updated_iso': '2014-03-31T13:05:14+0200',
    'description_message': 'The process is complete.',
    'domain': 'Default',
    'created': 1396263830875,
    'error': {'resourceBundle': 'com.ibm.orchestrator.messages.orchestratormessages', 'message': None,
              'messageKey': 'BPM_PROCESS_COMPLETE', 'args': ['3']},
    'user': 'ksadmin',
    'parm': {'processApp': 'SCOrchestrator_Toolkit', 'db_password': PARM_SECRET},
    'created_iso': '2014-03-31T13:03:50+0200',
    'status_localized': 'Completed',
    'error_message': 'CTJCO0002I: Business process instance 3 completed successfully.',
    'status': 'COMPLETED',
    'eventTopic': 'com/ibm/orchestrator/serviceinstance/plan/ibm_bpm_process',
    'delayInSeconds': 30,
    'project': 'admin',
    'id': '1003',
    'updated': 1396263914896,
    'description': {'resourceBundle': 'com.ibm.orchestrator.messages.orchestratormessages', 'message': None,
                    'messageKey': 'PROCESS_COMPLETE', 'args': []},
}

TOPIC = 'com/ibm/orchestrator/serviceinstance/plan/ibm_bpm_process'

HTML_401 = (b'<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN"><html><head><title>Error 401</title></head>'
            b'<body><h1>Error 401: SRVE0295E: Error reported: 401</h1></body></html>')


def now_ms():
    return int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000)


def iso_offset(ms):
    """ICO's ``*_iso`` text: local time with a ``+0200`` offset (no colon), seconds only."""
    tz = datetime.timezone(datetime.timedelta(hours=2))
    return datetime.datetime.fromtimestamp(ms / 1000.0, tz).strftime('%Y-%m-%dT%H:%M:%S%z')


class FakeTaskEngine(LocalHttpServer):
    """An ICO 2.5 task engine as the public evidence allows it to behave; ``options`` choose the open readings.

    options:
      list_form: 'bare' (a JSON array, as documented), 'item' (entries as {"href", "item"}), 'paged' ({href,start,
                 limit,total,first,previous,next,last,items}, _start/_limit honoured, limit 2)
      numeric_ids: ids as JSON numbers
      times: 'ms' (created/updated epoch ms plus *_iso text, as documented), 'iso_only' (no epoch fields),
             'text' (created/updated as ISO text, no *_iso)
      post_answer: 'task' (201 with the task), 'empty' (201, no body, Location header), 'bare201' (201, no body, no
                   Location), 'lost' (created, then the connection is dropped), 'lost_unapplied' (dropped before
                   creating), 'gateway' (created, then a proxy's 504 HTML page), 'list' (201 with a one-task array: the
                   page's "Response: Tasks Response" for this POST), 'list_noloc' (the same without Location)
      put_answer: 'task' (200 with the task), 'empty' (200, no body), 'lost', 'lost_unapplied'
      list_status: answer GET /tasks with this status and an HTML page (500: the documented error)
      put_merges: True merges the body into the task, False replaces it (IBM documents no PUT body)
      delete_answer: 'empty' (204), 'task' (200 with the task, as the page's "Response: Task Response" reads),
                     'lost'
      error_body: 'html' or 'json'
      single_form: 'bare' (one task as documented) or 'item' ({"href", "item"}, as other /orchestrator/v2 entries
                   come) for GET /tasks/{id} and the POST/PUT answers
      steps: statuses a task goes through, one per read of it after its creation or update; the last one stays
    """

    def __init__(self, tasks=(SEED,), **options):
        self.options = dict(list_form='bare', numeric_ids=False, times='ms', post_answer='task', put_answer='task',
                            put_merges=True, delete_answer='empty', error_body='json', single_form='bare', list_status=None,
                            steps=('QUEUED', 'RUNNING', 'COMPLETED'))
        self.options.update(options)
        self.tasks = {}
        for task in tasks:
            self.tasks[str(task['id'])] = json.loads(json.dumps(task))
        self.next_id = 2001
        self.log = []
        self.lock = threading.Lock()
        self.pending = {}   # id -> remaining statuses
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):  # quiet
                return

            def _body(self):
                length = int(self.headers.get('Content-Length') or 0)
                return self.rfile.read(length) if length else b''

            def _send(self, status, body=None, raw=None, ctype='application/json', headers=None):
                data = raw if raw is not None else (b'' if body is None else json.dumps(body).encode())
                self.send_response(status)
                if data:
                    self.send_header('Content-Type', ctype)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                if data:
                    self.wfile.write(data)

            def _error(self, status, key, text):
                if fake.options['error_body'] == 'html':
                    page = ('<html><head><title>Error %d</title></head><body><h1>%s</h1></body></html>' % (status, text)).encode()
                    return self._send(status, raw=page, ctype='text/html;charset=ISO-8859-1')
                return self._send(status, {'resourceBundle': 'com.ibm.orchestrator.messages.orchestratormessages',
                                           'messageKey': key, 'args': [], 'message': text})

            def _drop(self):
                self.close_connection = True
                self.connection.shutdown(2)

            def _user(self):
                auth = self.headers.get('Authorization') or ''
                if not auth.startswith('Basic '):
                    return None
                name, ignored, password = base64.b64decode(auth[6:]).decode().partition(':')
                entry = USERS.get(name)
                if not entry or entry['password'] != password:
                    return None
                return name, entry

            def _handle(self, method):
                url = urlsplit(self.path)
                body = self._body()
                with fake.lock:
                    fake.log.append({'method': method, 'path': url.path, 'query': parse_qs(url.query),
                                     'body': body.decode('utf-8', 'replace'), 'headers': dict(self.headers.items())})
                who = self._user()
                if who is None:
                    return self._send(401, raw=HTML_401, ctype='text/html')
                name, entry = who
                project = self.headers.get('projectName') or entry['projects'][0]
                if project not in entry['projects']:
                    return self._send(401, raw=HTML_401, ctype='text/html')
                base = '/orchestrator/v2/tasks'
                if url.path.rstrip('/') == base:
                    if method == 'GET':
                        return self._list(entry, project, parse_qs(url.query))
                    if method == 'POST':
                        return self._create(name, entry, project, body)
                elif url.path.startswith(base + '/'):
                    task_id = url.path[len(base) + 1:]
                    with fake.lock:
                        task = fake.tasks.get(task_id)
                        visible = task is not None and (entry['admin'] or task.get('project') == project)
                    if not visible:
                        return self._error(404, 'TASK_NOT_FOUND', 'CTJCO1003E: The task %s was not found.' % task_id)
                    if method == 'GET':
                        with fake.lock:
                            fake.advance(task_id)
                            return self._send(200, fake.single(fake.view(task_id)))
                    if method == 'PUT':
                        return self._update(entry, task_id, body)
                    if method == 'DELETE':
                        if not entry['admin']:
                            return self._send(401, raw=HTML_401, ctype='text/html')
                        with fake.lock:
                            shown = fake.view(task_id)
                            del fake.tasks[task_id]
                        answer = fake.options['delete_answer']
                        if answer == 'lost':
                            return self._drop()
                        if answer == 'task':
                            return self._send(200, shown)
                        return self._send(204)
                return self._error(404, 'NOT_FOUND', 'Not found: %s' % url.path)

            def _list(self, entry, project, query):
                if fake.options['list_status']:
                    return self._send(fake.options['list_status'], raw=b'<html><body><h1>Error 500: java.lang.NullPointerException'
                                      b'</h1></body></html>', ctype='text/html')
                with fake.lock:
                    for task_id in list(fake.pending):
                        fake.advance(task_id)
                    tasks = [fake.view(task_id) for task_id in sorted(fake.tasks, key=int)
                             if entry['admin'] or fake.tasks[task_id].get('project') == project]
                form = fake.options['list_form']
                href = fake.url + '/orchestrator/v2/tasks'
                if form == 'item':
                    return self._send(200, [{'href': '%s/%s' % (href, t['id']), 'item': t} for t in tasks])
                if form == 'paged':
                    start = int(query.get('_start', ['0'])[0])
                    limit = int(query.get('_limit', ['2'])[0])
                    limit = min(limit, 2)
                    page = tasks[start:start + limit]

                    def link(at):
                        return '%s?_start=%d&_limit=%d' % (href, at, limit)
                    last = max(0, (len(tasks) - 1) // limit * limit)
                    return self._send(200, {'href': link(start), 'start': start, 'limit': limit, 'total': len(tasks),
                                            'first': link(0), 'previous': link(start - limit) if start else None,
                                            'next': link(start + limit) if start + limit < len(tasks) else None,
                                            'last': link(last), 'items': page})
                return self._send(200, tasks)

            def _create(self, name, entry, project, body):
                if not entry['admin']:
                    return self._send(401, raw=HTML_401, ctype='text/html')
                answer = fake.options['post_answer']
                if answer == 'lost_unapplied':
                    return self._drop()
                spec = json.loads(body or b'{}')
                with fake.lock:
                    task_id = str(fake.next_id)
                    fake.next_id += 1
                    stamp = now_ms()
                    task = dict(spec, id=task_id, user=name, domain=self.headers.get('domainName') or 'Default',
                                project=project, status='QUEUED', status_localized='Queued', created=stamp,
                                updated=stamp, created_iso=iso_offset(stamp), updated_iso=iso_offset(stamp),
                                error_message=None, description_message=None)
                    fake.tasks[task_id] = task
                    fake.pending[task_id] = list(fake.options['steps'])
                    shown = fake.view(task_id)
                if answer == 'lost':
                    return self._drop()
                if answer == 'gateway':
                    return self._send(504, raw=b'<html><body><h1>504 Gateway Time-out</h1></body></html>', ctype='text/html')
                if answer == 'bare201':
                    return self._send(201)
                if answer == 'list_noloc':
                    return self._send(201, [fake.single(shown)])
                location = {'Location': '%s/orchestrator/v2/tasks/%s' % (fake.url, task_id)}
                if answer == 'empty':
                    return self._send(201, headers=location)
                if answer == 'list':
                    return self._send(201, [fake.single(shown)], headers=location)
                return self._send(201, fake.single(shown), headers=location)

            def _update(self, entry, task_id, body):
                answer = fake.options['put_answer']
                if answer == 'lost_unapplied':
                    return self._drop()
                spec = json.loads(body or b'{}')
                with fake.lock:
                    task = fake.tasks[task_id]
                    owned = {key: task[key] for key in ('id', 'user', 'domain', 'project', 'created', 'created_iso') if key in task}
                    if fake.options['put_merges']:
                        task.update(spec)
                    else:
                        task.clear()
                        task.update(spec)
                    task.update(owned)
                    stamp = now_ms()
                    task['updated'] = stamp
                    task['updated_iso'] = iso_offset(stamp)
                    shown = fake.view(task_id)
                if answer == 'lost':
                    return self._drop()
                if answer == 'empty':
                    return self._send(200)
                return self._send(200, fake.single(shown))

            def do_GET(self):
                self._handle('GET')

            def do_POST(self):
                self._handle('POST')

            def do_PUT(self):
                self._handle('PUT')

            def do_DELETE(self):
                self._handle('DELETE')

        super().__init__(Handler)

    def advance(self, task_id):
        """One read of a task that is moving: the next status (under the lock)."""
        steps = self.pending.get(task_id)
        if not steps:
            self.pending.pop(task_id, None)
            return
        status = steps.pop(0)
        task = self.tasks.get(task_id)
        if task is None:
            return
        task['status'] = status
        task['status_localized'] = status.capitalize()
        if status.upper() == 'FAILED':
            task['error_message'] = 'CTJCO0003E: Business process instance 7 failed.'
        if status.upper() == 'COMPLETED':
            task['error_message'] = 'CTJCO0002I: Business process instance 7 completed successfully.'

    def view(self, task_id):
        """The task as served, in the forms the options choose (under the lock)."""
        task = json.loads(json.dumps(self.tasks[task_id]))
        if self.options['numeric_ids']:
            task['id'] = int(task['id'])
        times = self.options['times']
        if times == 'iso_only':
            task.pop('created', None)
            task.pop('updated', None)
        elif times == 'text':
            for key in ('created', 'updated'):
                if isinstance(task.get(key), int):
                    task[key] = datetime.datetime.fromtimestamp(task[key] / 1000.0, datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'
                task.pop(key + '_iso', None)
        return task

    def single(self, task):
        if self.options['single_form'] == 'item':
            return {'href': '%s/orchestrator/v2/tasks/%s' % (self.url, task['id']), 'item': task}
        return task

    def env(self, user=ADMIN, project='admin'):
        return {'ICO_URL': self.url, 'ICO_USERNAME': user, 'ICO_PASSWORD': USERS[user]['password'],
                'ICO_DOMAIN': 'Default', 'ICO_PROJECT': project}

    def calls(self, method, prefix='/orchestrator/v2/tasks'):
        return [entry for entry in self.log if entry['method'] == method and entry['path'].startswith(prefix)]


FAST = {'poll_interval': 0.2, 'poll_interval_max': 0.5, 'wait_timeout': 60}


def run(tmp_path, server, tasks, verbosity=0, **env_args):
    body = [dict(task, ignore_errors=True) for task in tasks]
    path = write_playbook(tmp_path, 'blind_ico', body)
    return run_playbook(path, env=server.env(**env_args), verbosity=verbosity)


def info(args, name='info'):
    return {'name': name, 'cloudops.orchestrator.orch_task_info': args}


def task(args, name='task'):
    return {'name': name, 'cloudops.orchestrator.orch_task': dict(FAST, **args)}


def failed(res, name):
    return res.record(name)['status'] in ('failed', 'ignored')


def no_secret(res):
    text = res.stdout + res.stderr + json.dumps(res.results) + json.dumps(res.module_log)
    for secret in (ADMIN_PASSWORD, USER_PASSWORD, PARM_SECRET):
        assert secret not in text


# ----------------------------------------------------------------------------------------------------- reading tasks

def test_seed_task_read_as_documented(tmp_path):
    with FakeTaskEngine() as server:
        res = run(tmp_path, server, [info({'id': '1003'})], verbosity=3)
        headers = server.calls('GET')[0]['headers']
    result = res.result('info')
    assert not failed(res, 'info'), result
    one = result['tasks'][0]
    assert one['id'] == '1003'
    assert one['status'] == 'COMPLETED'
    assert one['created_iso'] == '2014-03-31T11:03:50.000Z'
    assert one['updated_iso'] == '2014-03-31T11:05:14.000Z'
    assert one['created'] == 1396263830875
    assert one['event_topic'] == TOPIC
    assert one['delay_in_seconds'] == 30
    assert one['parm']['db_password'] == '********'
    assert one['raw']['eventTopic'] == TOPIC
    lower = {key.lower(): value for key, value in headers.items()}
    assert lower.get('domainname') == 'Default' and lower.get('projectname') == 'admin'
    assert 'application/json' in lower.get('accept', '')
    no_secret(res)


@pytest.mark.parametrize('form', ['bare', 'item', 'paged'])
@pytest.mark.parametrize('numeric_ids', [False, True])
def test_list_every_form(tmp_path, form, numeric_ids):
    seeds = [dict(SEED, id=str(n), status=status) for n, status in
             ((1003, 'COMPLETED'), (1004, 'FAILED'), (1005, 'RUNNING'), (1006, 'QUEUED'), (1007, 'COMPLETED'))]
    with FakeTaskEngine(seeds, list_form=form, numeric_ids=numeric_ids) as server:
        res = run(tmp_path, server, [info({}, 'all'), info({'filters': {'status': ['completed']}}, 'done'),
                                     info({'id': '1004'}, 'one')])
    result = res.result('all')
    assert not failed(res, 'all'), result
    assert [t['id'] for t in result['tasks']] == ['1003', '1004', '1005', '1006', '1007']
    assert [t['id'] for t in res.result('done')['tasks']] == ['1003', '1007']
    one = res.result('one')
    assert not failed(res, 'one'), one
    assert one['tasks'][0]['id'] == '1004'
    no_secret(res)


@pytest.mark.parametrize('times', ['iso_only', 'text'])
def test_times_in_other_forms(tmp_path, times):
    with FakeTaskEngine(times=times) as server:
        res = run(tmp_path, server, [info({'id': '1003'}), info({'filters': {'updated_after': '2014-03-31T11:05:00Z'}}, 'after')])
    result = res.result('info')
    assert not failed(res, 'info'), result
    one = result['tasks'][0]
    millis = ('875', '896') if times == 'text' else ('000', '000')
    assert one['created_iso'] == '2014-03-31T11:03:50.%sZ' % millis[0]
    assert one['updated_iso'] == '2014-03-31T11:05:14.%sZ' % millis[1]
    after = res.result('after')
    assert not failed(res, 'after'), after
    assert [t['id'] for t in after['tasks']] == ['1003']


@pytest.mark.parametrize('error_body', ['html', 'json'])
def test_unknown_task_one_clear_line(tmp_path, error_body):
    with FakeTaskEngine(error_body=error_body) as server:
        res = run(tmp_path, server, [info({'id': '9999'}), task({'id': '9999', 'task': {'delayInSeconds': 5}}, 'upd')])
    for name in ('info', 'upd'):
        result = res.result(name)
        assert failed(res, name), result
        assert '9999' in result['msg'] and '\n' not in result['msg'], result['msg']
        assert 'not found' in result['msg'].lower() or 'no task' in result['msg'].lower(), result['msg']


def test_bad_password_says_so(tmp_path):
    with FakeTaskEngine() as server:
        path = write_playbook(tmp_path, 'badpw', [dict(info({'id': '1003'}), ignore_errors=True)])
        res = run_playbook(path, env=dict(server.env(), ICO_PASSWORD='wrong-password'))
    result = res.result('info')
    assert failed(res, 'info'), result
    assert '401' in result['msg'] or 'password' in result['msg'].lower() or 'credential' in result['msg'].lower(), result['msg']
    assert '\n' not in result['msg']
    assert 'wrong-password' not in res.stdout


def test_non_admin_sees_own_project(tmp_path):
    seeds = [dict(SEED, id='1003', project='admin'), dict(SEED, id='1004', project='finance')]
    with FakeTaskEngine(seeds) as server:
        res = run(tmp_path, server, [info({}, 'all'), info({'id': '1003'}, 'other')], user=USER, project='finance')
    assert [t['id'] for t in res.result('all')['tasks']] == ['1004']
    assert failed(res, 'other')


# ----------------------------------------------------------------------------------------------------- creating

CREATE = {'task': {'eventTopic': TOPIC, 'parm': {'processApp': 'SCOrchestrator_Toolkit', 'db_password': PARM_SECRET},
                   'delayInSeconds': 0}}


@pytest.mark.parametrize('post_answer', ['task', 'empty', 'bare201', 'list', 'list_noloc'])
@pytest.mark.parametrize('numeric_ids', [False, True])
def test_create_and_follow(tmp_path, post_answer, numeric_ids):
    with FakeTaskEngine(post_answer=post_answer, numeric_ids=numeric_ids) as server:
        res = run(tmp_path, server, [task(dict(CREATE, wait_for_status=['COMPLETED']), 'create')], verbosity=3)
        posts = server.calls('POST')
    result = res.result('create')
    assert not failed(res, 'create'), result
    assert result['changed']
    assert result['task']['id'] == '2001'
    assert result['task']['status'] == 'COMPLETED'
    assert len(posts) == 1
    if post_answer != 'bare201':
        # An answer that names the task (in its body, or in Location) is no answer to guess from.
        assert not [w for w in result.get('warnings', []) if not w.startswith('url http://')], result['warnings']
    sent = json.loads(posts[0]['body'])
    assert sent['parm']['db_password'] == PARM_SECRET and sent['eventTopic'] == TOPIC
    no_secret(res)


@pytest.mark.parametrize('list_form,times', [('bare', 'ms'), ('item', 'ms'), ('paged', 'ms'), ('bare', 'iso_only'),
                                             ('bare', 'text')])
def test_create_answer_lost_is_adopted_never_resent(tmp_path, list_form, times):
    seeds = [dict(SEED, id=str(n)) for n in (1003, 1004, 1005)]
    with FakeTaskEngine(seeds, post_answer='lost', list_form=list_form, times=times) as server:
        res = run(tmp_path, server, [task(dict(CREATE, timeout=3), 'create')], verbosity=3)
        posts = server.calls('POST')
    assert len(posts) == 1
    result = res.result('create')
    assert not failed(res, 'create'), result
    assert result['task']['id'] == '2001'
    no_secret(res)


def test_create_answer_lost_unapplied_fails_without_resending(tmp_path):
    with FakeTaskEngine(post_answer='lost_unapplied') as server:
        res = run(tmp_path, server, [task(dict(CREATE, timeout=2), 'create')])
        posts = server.calls('POST')
    assert len(posts) == 1
    result = res.result('create')
    assert failed(res, 'create'), result
    assert 'may' in result['msg'].lower(), result['msg']
    no_secret(res)


def test_create_refused_for_non_admin(tmp_path):
    with FakeTaskEngine() as server:
        res = run(tmp_path, server, [task(CREATE, 'create')], user=USER, project='finance')
        posts = server.calls('POST')
    assert len(posts) == 1
    result = res.result('create')
    assert failed(res, 'create') and 'admin' in result['msg'], result
    no_secret(res)


# ----------------------------------------------------------------------------------------------------- updating

@pytest.mark.parametrize('put_merges,put_answer', [(True, 'task'), (False, 'task'), (True, 'empty')])
def test_update_keeps_the_rest_of_the_task(tmp_path, put_merges, put_answer):
    seeds = [dict(SEED, status='QUEUED', status_localized='Queued')]
    with FakeTaskEngine(seeds, put_merges=put_merges, put_answer=put_answer, steps=()) as server:
        res = run(tmp_path, server, [task({'id': '1003', 'task': {'delayInSeconds': 600}}, 'upd'),
                                     task({'id': '1003', 'task': {'delayInSeconds': 600}}, 'again')])
        puts = server.calls('PUT')
        stored = server.tasks['1003']
    result = res.result('upd')
    assert not failed(res, 'upd'), result
    assert result['changed']
    assert len(puts) == 1
    assert stored['delayInSeconds'] == 600
    assert stored['eventTopic'] == TOPIC and stored['parm']['db_password'] == PARM_SECRET
    assert result['task']['delay_in_seconds'] == 600 and result['task']['event_topic'] == TOPIC
    assert not res.result('again')['changed']
    no_secret(res)


@pytest.mark.parametrize('put_answer', ['lost', 'lost_unapplied'])
def test_update_answer_lost_never_resent(tmp_path, put_answer):
    seeds = [dict(SEED, status='QUEUED', status_localized='Queued')]
    with FakeTaskEngine(seeds, put_answer=put_answer, steps=()) as server:
        res = run(tmp_path, server, [task({'id': '1003', 'task': {'delayInSeconds': 600}, 'timeout': 2}, 'upd')])
        puts = server.calls('PUT')
    assert len(puts) == 1
    result = res.result('upd')
    if put_answer == 'lost':
        assert not failed(res, 'upd'), result
        assert result['changed'] and result['task']['delay_in_seconds'] == 600
    else:
        assert failed(res, 'upd'), result
        assert 'may' in result['msg'].lower(), result['msg']
    no_secret(res)


# ----------------------------------------------------------------------------------------------------- deleting

@pytest.mark.parametrize('delete_answer', ['empty', 'task', 'lost'])
def test_delete_every_answer(tmp_path, delete_answer):
    with FakeTaskEngine(delete_answer=delete_answer) as server:
        res = run(tmp_path, server, [task({'id': '1003', 'state': 'absent', 'timeout': 2}, 'del'),
                                     task({'id': '1003', 'state': 'absent'}, 'again')])
        deletes = server.calls('DELETE')
    result = res.result('del')
    assert not failed(res, 'del'), result
    assert result['changed']
    assert result['task']['id'] == '1003'
    assert len(deletes) == 1
    again = res.result('again')
    assert not failed(res, 'again') and not again['changed'], again
    no_secret(res)


# ----------------------------------------------------------------------------------------------------- waiting

@pytest.mark.parametrize('status_case', ['upper', 'title'])
def test_wait_any_status_case(tmp_path, status_case):
    steps = ('QUEUED', 'RUNNING', 'FAILED') if status_case == 'upper' else ('Queued', 'Running', 'Failed')
    with FakeTaskEngine(steps=steps) as server:
        res = run(tmp_path, server, [task(dict(CREATE, wait_for_status=['COMPLETED']), 'create')])
        posts = server.calls('POST')
    assert len(posts) == 1
    result = res.result('create')
    assert failed(res, 'create'), result
    assert 'failed' in result['msg'].lower() and 'CTJCO0003E' in result['msg'], result['msg']
    no_secret(res)


# ----------------------------------------------------------------------------------------------------- entry forms

def test_single_entries_wrapped_as_item(tmp_path):
    """Other /orchestrator/v2 entries come as {"href", "item"}: a task read, created or updated that way."""
    with FakeTaskEngine(single_form='item', list_form='item') as server:
        res = run(tmp_path, server, [info({'id': '1003'}, 'one'),
                                     task(dict(CREATE, wait_for_status=['COMPLETED']), 'create'),
                                     task({'id': '1003', 'task': {'delayInSeconds': 600}}, 'upd')])
        posts = server.calls('POST')
    one = res.result('one')
    assert not failed(res, 'one'), one
    assert one['tasks'][0]['id'] == '1003' and one['tasks'][0]['status'] == 'COMPLETED'
    assert one['tasks'][0]['raw']['id'] == '1003'
    created = res.result('create')
    assert not failed(res, 'create'), created
    assert created['task']['id'] == '2001' and created['task']['status'] == 'COMPLETED'
    assert len(posts) == 1
    upd = res.result('upd')
    assert not failed(res, 'upd'), upd
    assert upd['task']['delay_in_seconds'] == 600
    no_secret(res)


def test_create_answered_by_a_gateway_timeout_is_never_resent(tmp_path):
    """A proxy's 504 after the task engine created the task: the POST reached the server, so it is not sent again; the
    one task made since with these fields is adopted, with a warning."""
    with FakeTaskEngine(post_answer='gateway') as server:
        res = run(tmp_path, server, [task(CREATE, 'create')])
        posts = server.calls('POST')
    assert len(posts) == 1
    result = res.result('create')
    assert not failed(res, 'create'), result
    assert result['task']['id'] == '2001'
    assert any('504' in w and 'adopted task 2001' in w for w in result['warnings']), result['warnings']
    no_secret(res)


def test_list_server_error_one_clear_line(tmp_path):
    with FakeTaskEngine(list_status=500) as server:
        res = run(tmp_path, server, [info({}, 'all')])
    result = res.result('all')
    assert failed(res, 'all'), result
    assert '500' in result['msg'] and '\n' not in result['msg'], result['msg']


def test_delete_refused_for_non_admin_names_the_role(tmp_path):
    seeds = [dict(SEED, project='finance')]
    with FakeTaskEngine(seeds) as server:
        res = run(tmp_path, server, [task({'id': '1003', 'state': 'absent'}, 'del')], user=USER, project='finance')
        deletes = server.calls('DELETE')
    assert len(deletes) == 1
    result = res.result('del')
    assert failed(res, 'del'), result
    assert 'admin' in result['msg'] + result.get('error', {}).get('hint', ''), result
    no_secret(res)


# ----------------------------------------------------------------------------------------------------- event source

@pytest.mark.parametrize('list_form,numeric_ids', [('bare', True), ('item', False), ('paged', True)])
def test_event_source_reads_every_list_form(tmp_path, monkeypatch, caplog, list_form, numeric_ids):
    """ico_tasks, in-process as in test_eda.py: one event for a task that fails, its id as text, its secrets masked."""
    import asyncio  # pylint: disable=import-outside-toplevel
    import logging  # pylint: disable=import-outside-toplevel
    import os  # pylint: disable=import-outside-toplevel
    from test_eda import DEADLINE, RunningSource, load_source  # pylint: disable=import-outside-toplevel

    seeds = [dict(SEED, id=str(n), status=status) for n, status in ((1003, 'COMPLETED'), (1004, 'RUNNING'), (1005, 'QUEUED'))]
    with FakeTaskEngine(seeds, list_form=list_form, numeric_ids=numeric_ids) as server:
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        state_file = str(tmp_path / 'ico-blind.json')
        source = load_source('ico_tasks')

        async def scenario():
            args = {'interval': 0.2, 'state_file': state_file, 'timeout': 5}
            async with RunningSource(source, args) as running:
                await running.until('the first poll', lambda: os.path.exists(state_file))
                with server.lock:
                    server.tasks['1004']['status'] = 'FAILED'
                    server.tasks['1004']['error_message'] = 'CTJCO0003E: disk full'
                event = await asyncio.wait_for(running.queue.get(), DEADLINE)
                reads = len(server.calls('GET'))
                await running.until('three more polls', lambda: len(server.calls('GET')) >= reads + 3)
                running.assert_running()
                return event, running.queue.qsize()

        with caplog.at_level(logging.DEBUG):
            event, more = asyncio.run(scenario())
    assert event['ico_task']['id'] == '1004' and event['status'] == 'FAILED' and event['previous_status'] == 'RUNNING'
    assert event['ico_task']['parm']['db_password'] == '********'
    assert more == 0
    assert ADMIN_PASSWORD not in caplog.text and PARM_SECRET not in caplog.text and PARM_SECRET not in json.dumps(event)
