"""IBM Cloud Orchestrator 2.5 task engine REST API V2 (base ``/orchestrator/v2``).

Handlers follow IBM's "Task engine REST API V2" page: ``GET/POST /tasks``, ``GET/PUT/DELETE /tasks/{id}``,
``?expand=serviceInstance``; plus ``GET /serviceinstances[/{id}]`` paged with ``_start``/``_limit``.

A task is one store document of kind ``ico_task``: ``{"task": {...stored fields...}, "sim": {"forced": status|null,
"forced_at": epoch s, "fail": bool}}`` with ``owner`` = project and ``sort_key`` = ``created`` (epoch ms).
Its status is computed on every read from stored timestamps (see :func:`status_at`), so a restart continues it.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import time
import urllib.parse

from flask import Blueprint, Response, g, request

from simulator import ico_catalog
from simulator.context import same_secret
from simulator.routing import add_catch_all, allowed_methods, context, json_response

KIND = 'ico_task'
SI_KIND = 'ico_service_instance'
BASE = '/orchestrator/v2'

USERS = {
    'admin': {'password': 'IcoSim-Adm1n!5Wd', 'roles': ['admin'], 'domain': 'Default', 'project': 'admin',
              'projects': ['admin', ico_catalog.PROJECT_A, ico_catalog.PROJECT_B]},
    'alice': {'password': 'IcoSim-Al1ce!8Fn', 'roles': ['member'], 'domain': 'Default', 'project': ico_catalog.PROJECT_A,
              'projects': [ico_catalog.PROJECT_A]},
    'bob': {'password': 'IcoSim-B0b!2Eng', 'roles': ['member'], 'domain': 'Default', 'project': ico_catalog.PROJECT_B,
            'projects': [ico_catalog.PROJECT_B]},
}

STATUSES = ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELED')
TERMINAL = ('COMPLETED', 'FAILED', 'CANCELED')
_LOCALIZED = {'QUEUED': 'Queued', 'RUNNING': 'Running', 'COMPLETED': 'Completed', 'FAILED': 'Failed', 'CANCELED': 'Canceled'}
_BUNDLE = 'com.ibm.orchestrator.messages.orchestratormessages'
_DEFAULT_TOPIC = 'com/ibm/orchestrator/serviceinstance/plan/ibm_bpm_process'
# Fields a PUT may change; everything else (id, user, project, created ...) belongs to the server.
# Quirk ico-tasks-paged: the page size of GET /tasks without _limit (IBM publishes none; small, so that lists page).
TASKS_PAGE = 10
_UPDATABLE = ('status', 'parm', 'eventTopic', 'delayInSeconds', 'serviceInstanceId', 'description', 'error',
              'description_message', 'error_message')


# -- formatting ------------------------------------------------------------------------------------------
def iso(epoch_ms):
    """ICO's ``created_iso`` form, e.g. ``2014-03-31T13:05:14+0000`` (the simulator runs in UTC)."""
    return time.strftime('%Y-%m-%dT%H:%M:%S+0000', time.gmtime(int(epoch_ms) // 1000))


def _error(status, message, headers=None):
    return json_response({'error_message': message}, status, headers)


def _json_object(what):
    """``(body, None)`` for the request's JSON body, or ``(None, answer)``: 415 when the body is declared as another
    type (IBM's page gives every call ``Content-Type application/JSON``; curl's ``-d`` sends a form), 400 when it is
    not a JSON object. A body without a Content-Type is read as JSON, as the vRO side of the simulator does."""
    raw = request.get_data(cache=True)
    if raw.strip() and request.mimetype and not request.is_json:
        return None, _error(415, 'CTJCO0415E: The request body was sent as %s; send the task as JSON with '
                                 'Content-Type: application/json.' % request.mimetype)
    body = request.get_json(silent=True, force=True)
    if not isinstance(body, dict):
        return None, _error(400, 'CTJCO0400E: The request body must be a JSON object %s.' % what)
    return body, None


def _message(key, args=()):
    return {'resourceBundle': _BUNDLE, 'message': None, 'messageKey': key, 'args': [str(a) for a in args]}


# -- status machine --------------------------------------------------------------------------------------
def status_at(doc, now, step):
    """(status, changed-at epoch s) of a task at ``now``.

    A forced status (catalogue, PUT, admin) holds. Otherwise: QUEUED until ``created + delayInSeconds``,
    RUNNING for ``step`` seconds, then COMPLETED, or FAILED when ``parm.simulate`` is ``fail``.
    """
    sim, task = doc['sim'], doc['task']
    if sim.get('forced'):
        return sim['forced'], sim.get('forced_at') or task['created'] / 1000.0
    start = task['created'] / 1000.0 + float(task.get('delayInSeconds') or 0)
    if now < start:
        return 'QUEUED', task['created'] / 1000.0
    if now < start + step:
        return 'RUNNING', start
    return ('FAILED' if sim.get('fail') else 'COMPLETED'), start + step


def task_view(doc, now, step):
    """The task as ICO returns it, with status, timestamps and messages for ``now``."""
    task = dict(doc['task'])
    status, changed = status_at(doc, now, step)
    task['status'] = status
    task['status_localized'] = _LOCALIZED.get(status, status.title())
    task['updated'] = max(int(changed * 1000), task['created'], int(doc['sim'].get('edited_ms') or 0))
    if doc['sim'].get('keep_iso'):
        # Catalogue entries may carry IBM's own ISO strings (with their +0200 offset) until first changed.
        task.setdefault('created_iso', iso(task['created']))
        task.setdefault('updated_iso', iso(task['updated']))
    else:
        task['created_iso'] = iso(task['created'])
        task['updated_iso'] = iso(task['updated'])
    for key, value in _messages(task, status).items():
        if doc['sim'].get('custom_' + key) is None:
            task[key] = value
    return task


def _messages(task, status):
    """Default description/error fields per status (the error field carries the final result, as in IBM's sample)."""
    instance = task['id']
    if status == 'QUEUED':
        return {'description': _message('PROCESS_QUEUED'), 'description_message': 'The process is queued.',
                'error': _message('BPM_PROCESS_QUEUED', [instance]), 'error_message': ''}
    if status == 'RUNNING':
        return {'description': _message('PROCESS_RUNNING'), 'description_message': 'The process is running.',
                'error': _message('BPM_PROCESS_RUNNING', [instance]), 'error_message': ''}
    if status == 'COMPLETED':
        return {'description': _message('PROCESS_COMPLETE'), 'description_message': 'The process is complete.',
                'error': _message('BPM_PROCESS_COMPLETE', [instance]),
                'error_message': 'CTJCO0002I: Business process instance %s completed successfully.' % instance}
    if status == 'FAILED':
        return {'description': _message('PROCESS_FAILED'), 'description_message': 'The process failed.',
                'error': _message('BPM_PROCESS_FAILED', [instance]),
                'error_message': 'CTJCO0003E: Business process instance %s failed.' % instance}
    return {'description': _message('PROCESS_CANCELED'), 'description_message': 'The process was canceled.',
            'error': _message('BPM_PROCESS_CANCELED', [instance]),
            'error_message': 'CTJCO0004W: Business process instance %s was canceled.' % instance}


# -- documents -------------------------------------------------------------------------------------------
def record_from_entry(entry, now_ms, default_id=None):
    """A store document from a catalogue entry or a POST body (see simulator/README.md for the fields)."""
    if not isinstance(entry, dict):
        raise ValueError('an ICO task is a JSON object')
    task_id = str(entry.get('id') or default_id)
    created = entry.get('created', now_ms)
    if not isinstance(created, (int, float)) or isinstance(created, bool):
        raise ValueError("'created' must be epoch milliseconds")
    delay = entry.get('delayInSeconds', 0)
    if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0:
        raise ValueError("'delayInSeconds' must be a number >= 0")
    parm = entry.get('parm', {})
    if not isinstance(parm, dict):
        raise ValueError("'parm' must be a JSON object")
    status = entry.get('status')
    if status is not None:
        status = str(status).upper()
        if status not in STATUSES:
            raise ValueError("'status' must be one of %s" % ', '.join(STATUSES))
    task = {'id': task_id, 'created': int(created), 'user': str(entry.get('user') or 'admin'),
            'domain': str(entry.get('domain') or 'Default'), 'project': str(entry.get('project') or 'admin'),
            'parm': parm, 'eventTopic': str(entry.get('eventTopic') or _DEFAULT_TOPIC), 'delayInSeconds': delay}
    if entry.get('serviceInstanceId') is not None:
        task['serviceInstanceId'] = str(entry['serviceInstanceId'])
    sim = {'forced': status, 'forced_at': int(entry.get('updated', created)) / 1000.0 if status else None,
           'fail': str(parm.get('simulate', '')).lower() == 'fail', 'keep_iso': bool(entry.get('created_iso'))}
    for key in ('description', 'error', 'description_message', 'error_message', 'created_iso', 'updated_iso'):
        if entry.get(key) is not None:
            task[key] = entry[key]
            sim['custom_' + key] = True
    return {'task': task, 'sim': sim}


def _put(ctx, doc):
    task = doc['task']
    ctx.store.put(KIND, task['id'], doc, owner=task['project'], sort_key=task['created'], name=task.get('user'))


def _step(ctx):
    return float(ctx.get_setting('ico_status_step_seconds', 2))


# -- auth ------------------------------------------------------------------------------------------------
class Caller:
    """The authenticated user of a request, with the domain and project it acts in."""

    def __init__(self, name, user, domain, project):
        self.name, self.user, self.domain, self.project = name, user, domain, project

    @property
    def admin(self):
        return 'admin' in self.user.get('roles', [])


def authenticate(ctx):
    """A :class:`Caller` from Basic auth plus ``domainName``/``projectName`` headers, or a 401 response."""
    challenge = {'WWW-Authenticate': 'Basic realm="IBM Cloud Orchestrator"'}
    header = request.headers.get('Authorization', '')
    if not header.lower().startswith('basic '):
        return None, _error(401, 'CTJCO0401E: Authentication is required: send HTTP Basic credentials.', challenge)
    try:
        name, _sep, password = base64.b64decode(header[6:].strip()).decode('utf-8').partition(':')
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None, _error(401, 'CTJCO0401E: The Authorization header is not valid HTTP Basic.', challenge)
    user = (ctx.users.get('ico') or USERS).get(name)
    if user is None or not same_secret(user['password'], password):
        return None, _error(401, 'CTJCO0401E: The user name or password is not valid.', challenge)
    domain = request.headers.get('domainName') or user.get('domain', 'Default')
    project = request.headers.get('projectName') or user.get('project')
    if domain != user.get('domain', 'Default'):
        return None, _error(401, 'CTJCO0402E: User %s is not a member of domain %s.' % (name, domain), challenge)
    if project not in user.get('projects', [user.get('project')]):
        return None, _error(401, 'CTJCO0403E: User %s is not a member of project %s in domain %s.' % (name, project, domain),
                            challenge)
    ctx.set_request_user(name)
    return Caller(name, user, domain, project), None


def _visible(caller, doc):
    return caller.admin or doc['task']['project'] == caller.project


# -- blueprint -------------------------------------------------------------------------------------------
BLUEPRINT = Blueprint('ico', __name__, url_prefix=BASE)


def setup(ctx):
    """Per-instance setup: nothing (every status is computed on read)."""
    del ctx


@BLUEPRINT.before_request
def _authenticate():
    """Basic auth for every view but the catch-all; the caller goes to ``g.ico_caller``."""
    if request.endpoint == 'ico.unknown_route' or request.method == 'OPTIONS':
        return None
    caller, denied = authenticate(context())
    if denied:
        return denied
    g.ico_caller = caller
    return None


def _expand_of():
    return {v.strip() for part in request.args.getlist('expand') for v in part.split(',')}


# Quirk ico-secrets-masked-on-read: the parm keys whose values such a server hides (at any depth).
_SECRET_PARM_KEY = re.compile(r'password|passwd|secret|apikey|token', re.IGNORECASE)


def _masked_parm(value):
    """``value`` with the text under each secret-named key replaced by asterisks (quirk ico-secrets-masked-on-read)."""
    if isinstance(value, dict):
        return {key: '********' if isinstance(inner, str) and _SECRET_PARM_KEY.search(str(key).replace('_', '').replace('-', ''))
                else _masked_parm(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_masked_parm(inner) for inner in value]
    return value


def _view(ctx, doc, expand=()):
    task = task_view(doc, ctx.now(), _step(ctx))
    if ctx.quirk('ico-secrets-masked-on-read'):
        task['parm'] = _masked_parm(task.get('parm'))
    if 'serviceInstance' in expand and task.get('serviceInstanceId'):
        instance = ctx.store.get(SI_KIND, task['serviceInstanceId'])
        if instance is not None:
            task['serviceInstance'] = instance
    return task


def _load(ctx, caller, task_id):
    doc = ctx.store.get(KIND, task_id)
    if doc is None or not _visible(caller, doc):
        return None
    return doc


def _not_found(task_id):
    return _error(404, 'CTJCO0404E: The task with ID %s was not found.' % task_id)


@BLUEPRINT.route('/tasks', methods=['GET'])
def get_tasks():
    ctx = context()
    caller = g.ico_caller
    paged = ctx.quirk('ico-tasks-paged')
    start, limit = _paging(default_limit=TASKS_PAGE if paged else None)
    if start is None:
        return _error(400, 'CTJCO0400E: _start and _limit must be integers >= 0.')
    docs, total = ctx.store.query(KIND, owner=None if caller.admin else caller.project, descending=False,
                                  limit=limit, offset=start)
    expand = _expand_of()
    views = [_view(ctx, d, expand) for d in docs]
    href = '%s%s/tasks' % (ctx.base_url or request.host_url.rstrip('/'), BASE)
    if ctx.quirk('ico-item-wrapped'):
        # Quirk ico-item-wrapped: each entry wrapped as {"href": ..., "item": {...}}, as IBM shows the entries of the
        # other /orchestrator/v2 collections and as one real client script reads them.
        views = [{'href': '%s/%s' % (href, view.get('id')), 'item': view} for view in views]
    if paged:
        # Quirk ico-tasks-paged: the page object of the other /orchestrator/v2 collections, links on our own origin.
        return json_response(_collection(href, views, start, limit, total))
    return json_response(views)


def _refused_host(ctx):
    """Quirk ico-fqdn-required: the cookie_domain check refuses POST/PUT sent to an IP address or a short name
    (IBM: "The FQDN is also necessary for all HTTP POST and PUT operations"); the status and words are not public."""
    if not ctx.quirk('ico-fqdn-required'):
        return None
    host = urllib.parse.urlsplit('//' + request.host).hostname or ''
    try:
        ipaddress.ip_address(host)
        short = True
    except ValueError:
        short = '.' not in host
    if not short:
        return None
    return _error(403, 'The request was sent to %s, which is not the fully qualified domain name this server accepts '
                       'POST and PUT requests on (cookie_domain).' % host)


@BLUEPRINT.route('/tasks', methods=['POST'])
def create_task():
    ctx = context()
    caller = g.ico_caller
    refused = _refused_host(ctx)
    if refused is not None:
        return refused
    if not caller.admin:
        return _error(401, 'CTJCO0405E: User %s is not authorized to create tasks: the admin role is required.' % caller.name)
    body, refused = _json_object('describing the task')
    if refused is not None:
        return refused
    entry = {k: v for k, v in body.items() if k in _UPDATABLE}
    entry.update({'user': caller.name, 'domain': caller.domain, 'project': body.get('project') or caller.project})
    entry.pop('status', None)
    try:
        doc = record_from_entry(entry, int(ctx.now() * 1000), default_id=str(2000 + ctx.store.next_id(KIND)))
    except ValueError as exc:
        return _error(400, 'CTJCO0400E: %s' % exc)
    _put(ctx, doc)
    if ctx.quirk('ico-create-answers-array'):
        # Quirk ico-create-answers-array: IBM's page gives this POST's response as "Tasks Response" (the array form)
        # and names no Location header.
        return json_response([_view(ctx, doc)], 201)
    location = '%s%s/tasks/%s' % (ctx.base_url or request.host_url.rstrip('/'), BASE, doc['task']['id'])
    return json_response(_view(ctx, doc), 201, {'Location': location})


@BLUEPRINT.route('/tasks/<task_id>', methods=['GET'])
def get_task(task_id):
    ctx = context()
    caller = g.ico_caller
    doc = _load(ctx, caller, task_id)
    if doc is None:
        return _not_found(task_id)
    return json_response(_view(ctx, doc, _expand_of()))


@BLUEPRINT.route('/tasks/<task_id>', methods=['PUT'])
def update_task(task_id):
    ctx = context()
    caller = g.ico_caller
    refused = _refused_host(ctx)
    if refused is not None:
        return refused
    with ctx.store.transaction():
        doc = ctx.store.get(KIND, task_id)
        if doc is None:
            return _not_found(task_id)
        if not _visible(caller, doc):
            return _error(401, 'CTJCO0406E: User %s is not authorized to update task %s: it belongs to another project.'
                          % (caller.name, task_id))
        body, refused = _json_object('with the task fields to change')
        if refused is not None:
            return refused
        try:
            if ctx.quirk('ico-put-replaces'):
                _replace_definition(doc, body)
            _apply_update(ctx, doc, body)
        except ValueError as exc:
            return _error(400, 'CTJCO0400E: %s' % exc)
        _put(ctx, doc)
    return json_response(_view(ctx, doc))


@BLUEPRINT.route('/tasks/<task_id>', methods=['DELETE'])
def delete_task(task_id):
    caller = g.ico_caller
    if not caller.admin:
        return _error(401, 'CTJCO0407E: User %s is not authorized to delete tasks: the admin role is required.' % caller.name)
    if not context().store.delete(KIND, task_id):
        return _not_found(task_id)
    return Response(status=204)


@BLUEPRINT.route('/serviceinstances', methods=['GET'])
def get_service_instances():
    caller = g.ico_caller
    start, limit = _paging(default_limit=50)
    if start is None:
        return _error(400, 'CTJCO0400E: _start and _limit must be integers >= 0.')
    docs, total = context().store.query(SI_KIND, owner=None if caller.admin else caller.project, descending=False,
                                        limit=limit, offset=start)
    return json_response(_collection(request.base_url, docs, start, limit, total))


@BLUEPRINT.route('/serviceinstances/<instance_id>', methods=['GET'])
def get_service_instance(instance_id):
    caller = g.ico_caller
    instance = context().store.get(SI_KIND, instance_id)
    if instance is None or not (caller.admin or instance.get('project') == caller.project):
        return _error(404, 'CTJCO0404E: The service instance with ID %s was not found.' % instance_id)
    return json_response(instance)


def unknown_route(rest):
    # Unmatched paths answer with ICO's JSON error body rather than an HTML page.
    allowed = allowed_methods(request.path, 'ico.unknown_route')
    if allowed:
        return _error(405, 'CTJCO0408E: Method %s is not supported for %s.' % (request.method, request.path),
                      {'Allow': ', '.join(allowed)})
    return _error(404, 'CTJCO0404E: No resource is served at %s/%s.' % (BASE, rest))


add_catch_all(BLUEPRINT, unknown_route)


def _paging(default_limit=None):
    """(start, limit) from ``_start``/``_limit``; (None, None) when malformed."""
    try:
        start = int(request.args.get('_start', 0))
        limit = request.args.get('_limit')
        limit = default_limit if limit in (None, '') else int(limit)
    except ValueError:
        return None, None
    if start < 0 or (limit is not None and limit < 0):
        return None, None
    return start, limit


def _collection(href, items, start, limit, total):
    """The ``{href,start,limit,total,first,previous,next,last}`` envelope of ICO collections, items under ``items``."""
    def page(at):
        return '%s?_start=%d&_limit=%d' % (href, at, limit)
    limit = limit or max(total, 1)
    last_start = max(0, ((total - 1) // limit) * limit) if total else 0
    return {'href': page(start), 'start': start, 'limit': limit, 'total': total,
            'first': page(0), 'previous': page(max(0, start - limit)) if start > 0 else None,
            'next': page(start + limit) if start + limit < total else None, 'last': page(last_start),
            'items': items}


def _replace_definition(doc, body):
    """Quirk ico-put-replaces: the PUT body is the whole task definition; a definition field it leaves out is reset
    (IBM's page documents no PUT body, so merge and replace are both possible)."""
    task, sim = doc['task'], doc['sim']
    if 'parm' not in body:
        task['parm'] = {}
        sim['fail'] = False
    if 'eventTopic' not in body:
        task['eventTopic'] = _DEFAULT_TOPIC
    if 'delayInSeconds' not in body:
        task['delayInSeconds'] = 0
    if 'serviceInstanceId' not in body:
        task.pop('serviceInstanceId', None)


def _apply_update(ctx, doc, body):
    task, sim = doc['task'], doc['sim']
    unknown = [k for k in body if k not in _UPDATABLE and k not in task and k not in ('status_localized', 'created_iso',
                                                                                      'updated_iso', 'updated', 'serviceInstance')]
    if unknown:
        raise ValueError('unknown task field(s): %s' % ', '.join(sorted(unknown)))
    for key in ('id', 'user', 'domain', 'project', 'created'):
        if key in body and body[key] != task.get(key):
            raise ValueError("the task's %s can not be changed" % key)
    if 'status' in body:
        status = str(body['status']).upper()
        if status not in STATUSES:
            raise ValueError("'status' must be one of %s" % ', '.join(STATUSES))
        sim['forced'] = status
        sim['forced_at'] = ctx.now()
    if 'parm' in body:
        if not isinstance(body['parm'], dict):
            raise ValueError("'parm' must be a JSON object")
        task['parm'] = body['parm']
        sim['fail'] = str(body['parm'].get('simulate', '')).lower() == 'fail'
    if 'delayInSeconds' in body:
        delay = body['delayInSeconds']
        if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0:
            raise ValueError("'delayInSeconds' must be a number >= 0")
        task['delayInSeconds'] = delay
    for key in ('eventTopic', 'serviceInstanceId'):
        if key in body:
            task[key] = body[key]
    for key in ('description', 'error', 'description_message', 'error_message'):
        if key in body:
            task[key] = body[key]
            sim['custom_' + key] = True
    sim['edited_ms'] = int(ctx.now() * 1000)
    sim['keep_iso'] = False


# -- admin -----------------------------------------------------------------------------------------------
ADMIN = Blueprint('sim_ico', __name__, url_prefix='/_sim/ico')


@ADMIN.route('/tasks/<task_id>', methods=['GET'])
def stored_task(task_id):
    """The task's definition as stored, secrets in clear whatever the quirks (what a test checks a PUT kept)."""
    doc = context().store.get(KIND, task_id)
    if doc is None:
        return json_response({'error': 'no ICO task %s' % task_id}, 404)
    return json_response(doc['task'])


@ADMIN.route('/tasks/<task_id>/status', methods=['POST'])
def force_status(task_id):
    ctx = context()
    spec = request.get_json(silent=True)
    if not isinstance(spec, dict) or 'status' not in spec:
        return json_response({'error': 'send {"status": "FAILED"} (or null to let the task move on its own again)'}, 400)
    with ctx.store.transaction():
        doc = ctx.store.get(KIND, task_id)
        if doc is None:
            return json_response({'error': 'no ICO task %s' % task_id}, 404)
        status = spec['status']
        if status is None:
            doc['sim']['forced'] = None
        else:
            status = str(status).upper()
            if status not in STATUSES:
                return json_response({'error': 'status must be one of %s' % ', '.join(STATUSES)}, 400)
            doc['sim']['forced'] = status
            doc['sim']['forced_at'] = ctx.now()
        doc['sim']['keep_iso'] = False
        for key in ('error_message', 'description_message'):
            if key in spec:
                doc['task'][key] = spec[key]
                doc['sim']['custom_' + key] = True
        _put(ctx, doc)
    return json_response(_view(ctx, doc))


@ADMIN.route('/tasks', methods=['POST'])
def create_tasks():
    """``{"tasks": [entries]}`` (``ico_tasks:`` catalogue entries) or ``{"count": N, ...one entry}``: stores the tasks
    as they are (any project or user, no admin check, no FQDN check) -> 201 ``{"ids": [...], "count": N}``."""
    ctx = context()
    spec = request.get_json(silent=True)
    if not isinstance(spec, dict):
        return json_response({'error': 'send {"tasks": [entries]} or {"count": N, ...fields of each task}'}, 400)
    entries = spec.get('tasks')
    if entries is None:
        count = spec.get('count', 1)
        if not isinstance(count, int) or isinstance(count, bool) or not 0 < count <= 10000:
            return json_response({'error': 'count must be an integer between 1 and 10000'}, 400)
        entries = [{k: v for k, v in spec.items() if k not in ('count', 'id')} for ignored in range(count)]
    if not isinstance(entries, list):
        return json_response({'error': 'tasks must be a list'}, 400)
    now_ms = int(ctx.now() * 1000)
    try:
        docs = [record_from_entry(e, now_ms, default_id=None if isinstance(e, dict) and e.get('id') else
                                  str(2000 + ctx.store.next_id(KIND))) for e in entries]
    except ValueError as exc:
        return json_response({'error': str(exc)}, 400)
    with ctx.store.transaction():
        for doc in docs:
            _put(ctx, doc)
    return json_response({'ids': [d['task']['id'] for d in docs], 'count': len(docs)}, 201)


# -- catalogue -------------------------------------------------------------------------------------------
def seed(ctx):
    """Insert the built-in tasks and service instances plus the ``ico_tasks:`` section of ``--catalog``."""
    now_ms = int(ctx.now() * 1000)
    entries = list(ico_catalog.BUILTIN_TASKS) + list(ctx.catalog.get('ico_tasks') or [])
    docs = [record_from_entry(e, now_ms, default_id=str(1100 + i)) for i, e in enumerate(entries)]
    with ctx.store.transaction():
        for doc in docs:
            _put(ctx, doc)
        for instance in ico_catalog.SERVICE_INSTANCES:
            ctx.store.put(SI_KIND, instance['id'], instance, owner=instance['project'], sort_key=instance['created'],
                          name=instance['name'])
