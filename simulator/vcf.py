"""VMware Cloud Foundation SDDC Manager API (base ``/v1``): tokens, tasks and credentials tasks.

Handlers follow the VCF API reference (``Tokens``, ``Tasks``, ``Credentials`` sections). Every task is one
store document of kind ``vcf_task`` holding the public task and the simulator's script for it::

    {"task": {<Task as served by GET /v1/tasks/{id}>},
     "sim":  {"outcomes": [...], "attempts": 0, "retry_requests": 0, "retry_seconds": 2.5,
              "due": <epoch s or null>, "due_outcome": "successful"|"failed"|null,
              "retryable": true, "credentials": false, "base_subtasks": [...], "base_errors": [...]}}

Indexed columns: ``state`` = normalised status (``IN_PROGRESS``), ``sort_key`` = creation time in epoch ms,
``name`` = task name, ``owner`` = task type, ``parent`` = ``vcf`` (one constant parent keeps ordering and paging on
the store's ``(kind, parent, sort_key)`` index). Credentials tasks also get a small marker document of kind
``vcf_credentials_task`` with the same columns, which ``/v1/credentials/tasks`` pages through.
An in-flight task finishes when ``now >= sim.due``; that is decided from the stored timestamp, so a restart
with the same data directory continues it.
"""

from __future__ import annotations

import calendar
import json
import math
import secrets
import time
import uuid

from flask import Blueprint, Response, request

from simulator import tokens, vcf_catalog
from simulator.context import same_secret
from simulator.routing import add_catch_all, allowed_methods, context, json_response

KIND = 'vcf_task'
CREDENTIALS_KIND = 'vcf_credentials_task'
PARENT = 'vcf'
REFRESH_KIND = 'vcf_refresh_token'
SECRET_KIND = 'vcf_signing_key'

USERS = {
    'administrator@vsphere.local': {'password': 'VcfSim-Adm1n!7Qx', 'roles': ['ADMIN']},
    'operator@vsphere.local': {'password': 'VcfSim-0per!4Lk', 'roles': ['OPERATOR']},
    'viewer@vsphere.local': {'password': 'VcfSim-V1ew!9Zt', 'roles': ['VIEWER']},
}

MAX_PAGE_SIZE = 100
DEFAULT_RETRY_SECONDS = 2.5
DEFAULT_IN_PROGRESS_SECONDS = 3600

RETRY_CONFLICT = 'Task can not be retried. Only a failed Task can be retried.'
CANCEL_CONFLICT = 'Only a IN_PROGRESS task can be cancelled.'

# Answers the VCF 9.0 OpenAPI document does not describe for an operation, each with its reason. Collected by
# simulator/fidelity.py (the one place that names spec deviations); ``path`` is a spec template or ``*``.
SPEC_DEVIATIONS = [
    {'method': 'POST', 'path': '/v1/tokens', 'status': 200,
     'why': 'real SDDC Manager answers 200 to a token request; the spec says 201 (API-NOTES, VCF tokens)'},
    {'method': 'POST', 'path': '/v1/tokens', 'status': 401,
     'why': 'wrong user name or password; the spec lists only 400 and 500'},
    {'method': '*', 'path': '*', 'status': 401,
     'why': 'missing, forged or expired bearer token; the spec documents 401 on almost no operation'},
    {'method': '*', 'path': '*', 'status': 403,
     'why': 'a VIEWER may read but not retry or cancel; the spec documents 403 on almost no operation'},
    {'method': 'GET', 'path': '/v1/tasks', 'status': 400,
     'why': 'a query parameter that is not an integer (pageNumber=x), as Spring parameter binding answers'},
]

# Status spellings the simulator emits for a normalised state, per view.
_TASK_STATUS = {'IN_PROGRESS': 'In Progress', 'SUCCESSFUL': 'Successful', 'FAILED': 'Failed', 'CANCELLED': 'Cancelled',
                'PENDING': 'Pending'}
_CREDENTIALS_STATUS = {'CANCELLED': 'USER_CANCELLED'}
_TERMINAL = ('SUCCESSFUL', 'FAILED', 'CANCELLED', 'COMPLETED_WITH_WARNING', 'SKIPPED', 'USER_CANCELLED', 'TIMED_OUT')
_SUBTASK_FIELDS = ('name', 'type', 'description', 'status', 'creationTimestamp', 'completionTimestamp', 'stages',
                   'errors', 'resources')
_CREDENTIALS_SUBTASK_FIELDS = ('id', 'resourceName', 'name', 'description', 'creationTimestamp', 'completionTimestamp',
                               'status', 'errors', 'entityType', 'username', 'credentialType')


# -- helpers: time, status, errors -----------------------------------------------------------------------
def normalise_status(status):
    """``"In Progress"`` -> ``IN_PROGRESS``: upper-case, spaces to ``_`` (how clients must compare statuses)."""
    return str(status or '').strip().upper().replace(' ', '_')


def iso_ms(epoch_seconds):
    """SDDC Manager timestamp format, e.g. ``2019-06-20T12:03:18.890Z``."""
    millis = int(round(epoch_seconds * 1000))
    seconds, rest = divmod(millis, 1000)
    return time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(seconds)) + '.%03dZ' % rest


def parse_iso_ms(text):
    """Epoch milliseconds of an SDDC Manager timestamp (``Z`` or no zone, optional fraction)."""
    text = str(text).strip().rstrip('Z')
    frac = 0.0
    if '.' in text:
        text, digits = text.split('.', 1)
        frac = float('0.' + ''.join(ch for ch in digits if ch.isdigit()) or '0')
    return int(calendar.timegm(time.strptime(text, '%Y-%m-%dT%H:%M:%S')) * 1000 + round(frac * 1000))


def error_body(code, message, remediation=None, error_type='ERROR', arguments=None):
    """An ``Error`` document as the VCF spec defines it."""
    body = {'errorCode': code, 'errorType': error_type, 'arguments': [str(a) for a in arguments or []], 'context': {},
            'message': message, 'causes': [], 'nestedErrors': [], 'referenceToken': _reference_token()}
    if remediation:
        body['remediationMessage'] = remediation
    return body


def _reference_token():
    return ''.join(secrets.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') for _pos in range(6))


def _error(status, code, message, remediation=None, arguments=None):
    return json_response(error_body(code, message, remediation, arguments=arguments), status)


def _issue_access_token(ctx, username, refresh_id):
    now = ctx.now()
    lifetime = float(ctx.get_setting('vcf_access_token_lifetime', 3600))
    claims = {'sub': username, 'iat': int(now), 'exp': int(math.ceil(now + lifetime)), 'jti': str(uuid.uuid4()),
              'iss': 'sddc-manager', 'roles': ctx.users.get('vcf', USERS).get(username, {}).get('roles', []),
              'rid': refresh_id, 'sim_issued': now}
    return tokens.encode_jwt(claims, tokens.signing_key(ctx, SECRET_KIND, 'jwt'))


def _request_json():
    """The request body as JSON, or the raw text when it is not JSON (some clients send a bare token id)."""
    raw = request.get_data(cache=True, as_text=True)
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.strip()


# -- task documents --------------------------------------------------------------------------------------
def record_from_entry(entry, now, index=0):
    """Turn one catalogue entry (built-in or ``vcf_tasks:`` YAML) into a store document (see module docstring)."""
    if not isinstance(entry, dict) or not entry.get('name'):
        raise ValueError('a vcf_tasks entry needs at least a name: %r' % (entry,))
    task_id = str(entry.get('id') or uuid.uuid5(uuid.NAMESPACE_URL, 'vcf-catalog/%d/%s' % (index, entry['name'])))
    status = str(entry.get('status') or 'Failed')
    state = normalise_status(status)
    created = entry.get('created') or iso_ms(now)
    if isinstance(created, (int, float)):
        created = iso_ms(created / 1000.0)
    created_ms = parse_iso_ms(created)
    task_type = str(entry.get('type') or 'OPERATION')
    credentials = bool(entry.get('credentials', task_type.startswith('CREDENTIALS_')))
    subtasks = [_subtask_from_entry(s, created) for s in entry.get('subtasks') or []]
    errors = [_error_from_entry(e) for e in entry.get('errors') or []]
    if state == 'FAILED' and not errors:
        errors = [{'errorCode': 'TASK_FAILED', 'errorType': 'ERROR', 'message': 'Task %s failed' % entry['name'],
                   'causes': []}]
    task = {'id': task_id, 'name': str(entry['name']), 'type': task_type, 'status': status, 'creationTimestamp': created,
            'subTasks': subtasks, 'errors': errors if state == 'FAILED' else [],
            'resources': [_resource_from_entry(r) for r in entry.get('resources') or []]}
    sim = {'outcomes': [_outcome(o) for o in entry.get('outcomes') or []], 'attempts': 0, 'retry_requests': 0,
           'cancel_requests': 0, 'retry_seconds': float(entry.get('retry_seconds', DEFAULT_RETRY_SECONDS)),
           'due': None, 'due_outcome': None, 'retryable': bool(entry.get('retryable', True)),
           'credentials': credentials, 'base_subtasks': [dict(s) for s in subtasks], 'base_errors': list(errors),
           'created_ms': created_ms, 'completed_ms': None}
    if state in _TERMINAL:
        completed = entry.get('completed') or iso_ms(created_ms / 1000.0 + 60)
        task['completionTimestamp'] = completed
        sim['completed_ms'] = parse_iso_ms(completed)
    elif state == 'IN_PROGRESS':
        seconds = entry.get('in_progress_seconds', DEFAULT_IN_PROGRESS_SECONDS)
        sim['due'] = None if seconds is None else now + float(seconds)
        sim['due_outcome'] = _outcome(entry.get('outcome', 'successful'))
    doc = {'task': task, 'sim': sim}
    _refresh_flags(doc)
    return doc


def _outcome(value):
    value = normalise_status(value)
    if value in ('SUCCESSFUL', 'SUCCESS', 'SUCCEEDED', 'COMPLETED'):
        return 'successful'
    if value in ('FAILED', 'FAIL', 'FAILURE'):
        return 'failed'
    raise ValueError('an outcome is "successful" or "failed", not %r' % (value,))


def _subtask_from_entry(entry, created):
    if isinstance(entry, str):
        entry = {'name': entry}
    sub = {k: v for k, v in entry.items() if v is not None}
    sub.setdefault('description', sub.get('name', ''))
    sub.setdefault('status', 'SUCCESSFUL')
    sub.setdefault('creationTimestamp', created)
    return sub


def _error_from_entry(entry):
    if isinstance(entry, str):
        entry = {'message': entry}
    err = dict(entry)
    err.setdefault('errorCode', 'TASK_FAILED')
    err.setdefault('errorType', 'ERROR')
    err.setdefault('causes', [])
    return err


def _resource_from_entry(entry):
    if isinstance(entry, str):
        entry = {'resourceId': entry}
    res = dict(entry)
    res.setdefault('type', 'RESOURCE')
    res['resourceId'] = str(res.get('resourceId') or uuid.uuid5(uuid.NAMESPACE_URL, json.dumps(res, sort_keys=True)))
    return res


def _refresh_flags(doc):
    """Derive isRetryable/isCancellable/resolutionStatus from the current status."""
    task, sim = doc['task'], doc['sim']
    state = normalise_status(task['status'])
    task['isRetryable'] = state == 'FAILED' and sim['retryable']
    task['isCancellable'] = state == 'IN_PROGRESS'
    task['resolutionStatus'] = 'RESOLVED' if state in ('SUCCESSFUL', 'COMPLETED_WITH_WARNING') else 'UNRESOLVED'


def _put(ctx, doc):
    task, sim = doc['task'], doc['sim']
    columns = {'parent': PARENT, 'state': normalise_status(task['status']), 'sort_key': sim['created_ms'],
               'name': task['name'], 'owner': task['type']}
    ctx.store.put(KIND, task['id'], doc, **columns)
    if sim['credentials']:
        ctx.store.put(CREDENTIALS_KIND, task['id'], {'id': task['id']}, **columns)


def _settle(ctx, doc):
    """Start a retry whose lag (quirk vcf-retry-lag) is over, and finish an in-flight task whose stored due time
    has passed; True when the document changed."""
    sim = doc['sim']
    started = False
    if sim.get('lag_until') is not None and ctx.now() >= sim['lag_until']:
        _start(doc, sim['lag_until'], sim['retry_seconds'], sim.pop('lag_outcome', None) or 'successful')
        sim['lag_until'] = None
        started = True
    if sim.get('due') is None or normalise_status(doc['task']['status']) != 'IN_PROGRESS' or ctx.now() < sim['due']:
        return started
    outcome = sim['due_outcome'] or 'successful'
    _finish(doc, outcome, sim['due'])
    if outcome != 'successful' and sim.get('failed_stamp') and ctx.quirk('vcf-refail-keeps-stamp'):
        # Quirk vcf-refail-keeps-stamp: a failure again reads exactly as the failure before the retry.
        doc['task']['completionTimestamp'] = sim['failed_stamp']
    return True


def _finish(doc, outcome, when):
    task, sim = doc['task'], doc['sim']
    stamp = iso_ms(when)
    if outcome == 'successful':
        task['status'] = 'Successful'
        task['errors'] = []
        for sub in task['subTasks']:
            sub['status'] = 'SUCCESSFUL'
            sub['completionTimestamp'] = stamp
    else:
        task['status'] = 'Failed'
        task['subTasks'] = [dict(s) for s in sim['base_subtasks']]
        if not any(normalise_status(s['status']) == 'FAILED' for s in task['subTasks']) and task['subTasks']:
            task['subTasks'][-1]['status'] = 'FAILED'
        task['errors'] = list(sim['base_errors']) or [{'errorCode': 'TASK_FAILED', 'errorType': 'ERROR',
                                                       'message': 'Task %s failed' % task['name'], 'causes': []}]
    task['completionTimestamp'] = stamp
    sim['completed_ms'] = int(when * 1000)
    sim['due'] = None
    sim['due_outcome'] = None
    _refresh_flags(doc)


def _start(doc, now, seconds, outcome):
    """Put a task in progress until ``now + seconds`` (forever when seconds is None), then ``outcome``."""
    task, sim = doc['task'], doc['sim']
    task['status'] = 'In Progress'
    task['errors'] = []
    task.pop('completionTimestamp', None)
    for sub in task['subTasks']:
        sub.pop('completionTimestamp', None)
        if normalise_status(sub['status']) in ('FAILED', 'CANCELLED', 'SKIPPED'):
            sub['status'] = 'IN_PROGRESS'
    sim['completed_ms'] = None
    sim['due'] = None if seconds is None else now + float(seconds)
    sim['due_outcome'] = outcome
    _refresh_flags(doc)


def settle_due(ctx):
    """Ticker: finish every in-flight task whose due time has passed (reads also settle, so this is a nicety)."""
    now = ctx.now()
    # Under the vcf-retry-lag quirk a retried task waits, still FAILED, for its lag to end.
    states = ['IN_PROGRESS', 'FAILED'] if ctx.quirk('vcf-retry-lag') else ['IN_PROGRESS']
    for task_id in ctx.store.ids(KIND, states=states):
        doc = ctx.store.get(KIND, task_id)
        if doc and any(doc['sim'].get(key) is not None and now >= doc['sim'][key] for key in ('due', 'lag_until')):
            with ctx.store.transaction():
                doc = ctx.store.get(KIND, task_id)
                if doc and _settle(ctx, doc):
                    _put(ctx, doc)


def _load(ctx, task_id):
    doc = ctx.store.get(KIND, task_id)
    if doc is not None and _settle(ctx, doc):
        with ctx.store.transaction():
            doc = ctx.store.get(KIND, task_id)
            if doc is not None and _settle(ctx, doc):
                _put(ctx, doc)
    return doc


# -- views -----------------------------------------------------------------------------------------------
def task_view(doc, sparse=None):
    """The ``Task`` representation (``/v1/tasks``). ``sparse`` (quirk vcf-task-fields-omitted, read from the request's
    context when None): the optional fields left out as the 4.4 reference's samples have them."""
    task = doc['task']
    out = {k: v for k, v in task.items() if k != 'subTasks'}
    out['subTasks'] = [{k: s[k] for k in _SUBTASK_FIELDS if k in s} for s in task['subTasks']]
    if sparse is None:
        sparse = context().quirk('vcf-task-fields-omitted')
    if sparse:
        out.pop('isRetryable', None)
        if normalise_status(out.get('status')) == 'FAILED':
            out.pop('completionTimestamp', None)
        for key in ('subTasks', 'errors', 'resources'):
            if not out.get(key):
                out.pop(key, None)
    return out


def credentials_task_view(doc):
    """The ``CredentialsTask`` representation (``/v1/credentials/tasks``): upper-case statuses, short types."""
    task = doc['task']
    state = normalise_status(task['status'])
    out = {'id': task['id'], 'name': task['name'], 'type': task['type'].replace('CREDENTIALS_', '', 1),
           'creationTimestamp': task['creationTimestamp'], 'status': _CREDENTIALS_STATUS.get(state, state),
           'errors': task['errors'], 'isAutoRotate': bool(doc['sim'].get('auto_rotate', False)), 'subTasks': []}
    if 'completionTimestamp' in task:
        out['completionTimestamp'] = task['completionTimestamp']
    for index, sub in enumerate(task['subTasks']):
        view = {k: sub[k] for k in _CREDENTIALS_SUBTASK_FIELDS if k in sub}
        view.setdefault('id', str(uuid.uuid5(uuid.NAMESPACE_URL, '%s/subtask/%d' % (task['id'], index))))
        view['status'] = _CREDENTIALS_STATUS.get(normalise_status(sub['status']), normalise_status(sub['status']))
        out['subTasks'].append(view)
    return out


def resource_credentials(doc):
    """``ResourceCredentials`` of a credentials task, one per resource, built from its sub-tasks (no passwords)."""
    resources = {}
    default_type = (doc['task']['resources'] or [{}])[0].get('type', 'ESXI')
    for sub in doc['task']['subTasks']:
        name = sub.get('resourceName') or sub['name'].split(':', 1)[0]
        entry = resources.setdefault(name, {'resourceName': name, 'resourceType': sub.get('entityType') or default_type,
                                            'credentials': []})
        entry['credentials'].append({'credentialType': sub.get('credentialType') or sub['name'].rpartition(':')[2] or 'SSH',
                                     'username': sub.get('username') or 'root'})
    return list(resources.values())


# -- listing ---------------------------------------------------------------------------------------------
def _int_arg(name, default=None):
    value = request.args.get(name)
    if value is None or value == '':
        return default
    try:
        return int(value)
    except ValueError:
        return 'bad'


def list_tasks(ctx, kind=KIND, view=task_view):
    """``GET /v1/tasks`` semantics: filters, ordering, 0-based ``pageNumber`` and ``pageSize`` <= 100."""
    settle_due(ctx)
    args = request.args
    numbers = {n: _int_arg(n) for n in ('pageNumber', 'pageSize', 'limit', 'completedAfter')}
    for name, value in numbers.items():
        if value == 'bad':
            return _error(400, 'INVALID_QUERY_PARAMETER', "Query parameter '%s' must be an integer" % name,
                          'Send an integer value for %s.' % name, [name])
    status = args.get('taskStatus')
    states = None
    if status:
        state = normalise_status(status)
        # The credentials view spells a cancelled task USER_CANCELLED; both mean the same stored state.
        states = ['CANCELLED'] if state == 'USER_CANCELLED' else [state]
    order_by = args.get('orderBy') or 'creationTimestamp'
    descending = (args.get('orderDirection') or 'DESC').upper() != 'ASC'
    query = {'parent': PARENT, 'states': states, 'owner': args.get('taskType') or None,
             'name_contains': args.get('taskName') or None}
    resource_id, resource_type = args.get('resourceId'), args.get('resourceType')
    completed_after = numbers['completedAfter']
    page_size = numbers['pageSize']
    # Quirk vcf-paging-one-based: pages count from 1 (0 or none is the first); the store counts from 0.
    first_page = 1 if ctx.quirk('vcf-paging-one-based') else 0
    page_number = max(first_page, numbers['pageNumber'] or first_page) - first_page
    if page_size is not None:
        page_size = min(page_size, MAX_PAGE_SIZE) if page_size > 0 else None
    elif numbers['limit'] is not None and numbers['limit'] > 0:
        page_size, page_number = numbers['limit'], 0
    if ctx.quirk('vcf-paging-ignored'):
        page_size, page_number = None, 0
    # Quirk vcf-status-exact: taskStatus matches the status exactly as the view spells it.
    exact = status if status and ctx.quirk('vcf-status-exact') else None
    if exact:
        query['states'] = None
    python_filter = (resource_id or resource_type or completed_after is not None or order_by != 'creationTimestamp'
                     or exact)
    if not python_filter:
        offset = page_number * page_size if page_size else 0
        docs, total = ctx.store.query(kind, limit=page_size, offset=offset, descending=descending, **query)
        docs = _resolve(ctx, kind, docs)
    else:
        # Resource and completion filters look inside documents: filter the SQL-narrowed set here.
        docs, _total = ctx.store.query(kind, descending=descending, **query)
        docs = _resolve(ctx, kind, docs)
        # Quirk vcf-task-fields-omitted: a failed task has no completion time, so completedAfter cannot match it.
        undated_failures = ctx.quirk('vcf-task-fields-omitted')
        docs = [d for d in docs if _matches(d, resource_id, resource_type, completed_after, undated_failures)
                and (exact is None or view(d)['status'] == exact)]
        if order_by != 'creationTimestamp':
            docs.sort(key=lambda d: str(d['task'].get(order_by) or ''), reverse=descending)
        total = len(docs)
        if page_size:
            docs = docs[page_number * page_size:(page_number + 1) * page_size]
    effective_size = page_size or total
    pages = int(math.ceil(total / float(effective_size))) if effective_size else 0
    body = {'elements': [view(d) for d in docs],
            'pageMetadata': {'pageNumber': page_number + first_page, 'pageSize': effective_size, 'totalElements': total,
                             'totalPages': pages}}
    return json_response(body)


def _resolve(ctx, kind, docs):
    """Task documents for a page of ``kind`` (credentials markers point at their task)."""
    if kind == KIND:
        return docs
    found = (ctx.store.get(KIND, marker['id']) for marker in docs)
    return [doc for doc in found if doc is not None]


def _matches(doc, resource_id, resource_type, completed_after, undated_failures=False):
    task = doc['task']
    if resource_id and not any(r.get('resourceId') == resource_id for r in task['resources']):
        return False
    if resource_type and not any(str(r.get('type', '')).upper() == resource_type.upper() for r in task['resources']):
        return False
    if completed_after is not None:
        completed = doc['sim'].get('completed_ms')
        if completed is None or completed <= completed_after:
            return False
        if normalise_status(task['status']) not in ('SUCCESSFUL', 'FAILED'):
            return False
        if undated_failures and normalise_status(task['status']) == 'FAILED':
            return False
    return True


# -- auth ------------------------------------------------------------------------------------------------
def _users(ctx):
    return ctx.users.get('vcf') or USERS


def authenticate(ctx):
    """(username, roles) of the request's valid bearer token, or an Error response (401)."""
    header = request.headers.get('Authorization', '')
    if not header.lower().startswith('bearer '):
        return None, _error(401, 'UNAUTHORIZED', 'Authentication is required: send an access token as "Authorization: Bearer <token>"',
                            'Create a token pair with POST /v1/tokens.')
    claims = tokens.decode_jwt(header[7:].strip(), tokens.signing_key(ctx, SECRET_KIND, 'jwt'))
    if claims is None:
        return None, _error(401, 'INVALID_TOKEN', 'The access token is invalid', 'Create a new token pair with POST /v1/tokens.')
    now = ctx.now()
    if now >= float(claims.get('exp', 0)) or float(claims.get('sim_issued', claims.get('iat', 0))) <= ctx.tokens_valid_after():
        # Quirk: answered with 403, as terraform-provider-vcf says SDDC Manager may (README, open readings).
        return None, _error(403 if ctx.quirk('vcf-expired-token-403') else 401, 'TOKEN_EXPIRED', 'The access token has expired',
                            'Refresh it with PATCH /v1/tokens/access-token/refresh or create a new token pair.')
    user = _users(ctx).get(claims.get('sub'))
    if user is None:
        return None, _error(401, 'INVALID_TOKEN', 'The access token names an unknown user')
    ctx.set_request_user(claims['sub'])
    return (claims['sub'], list(user.get('roles', []))), None


def _may_change(roles):
    return any(r in ('ADMIN', 'OPERATOR') for r in roles)


def _forbidden():
    return _error(403, 'FORBIDDEN', 'The user is not authorized to perform this operation',
                  'Use an account with the ADMIN or OPERATOR role.')


# -- blueprint -------------------------------------------------------------------------------------------
BLUEPRINT = Blueprint('vcf', __name__, url_prefix='/v1')
# Views served without a bearer token, and views that change a task (ADMIN or OPERATOR only).
_PUBLIC = ('vcf.create_token', 'vcf.refresh_access_token', 'vcf.invalidate_refresh_token', 'vcf.unknown_route')
_CHANGING = ('vcf.retry_task', 'vcf.cancel_task', 'vcf.retry_credentials_task', 'vcf.cancel_credentials_task')


def setup(ctx):
    """Per-instance setup: the ticker that finishes due tasks."""
    ctx.add_ticker(settle_due)


@BLUEPRINT.before_request
def _authorize():
    """The bearer token of every view but the token and catch-all ones; ADMIN or OPERATOR to change a task."""
    if request.endpoint in _PUBLIC or request.method == 'OPTIONS':
        return None
    who, denied = authenticate(context())
    if denied:
        return denied
    if request.endpoint in _CHANGING and not _may_change(who[1]):
        return _forbidden()
    return None


@BLUEPRINT.route('/tokens', methods=['POST'])
def create_token():
    ctx = context()
    spec = _request_json()
    if not isinstance(spec, dict) or not isinstance(spec.get('username'), str) or not isinstance(spec.get('password'), str) \
            or not spec['username'] or not spec['password']:
        return _error(400, 'TOKEN_CREATION_SPEC_INVALID', 'The token creation spec must contain username and password',
                      'Send {"username": ..., "password": ...}.')
    user = _users(ctx).get(spec['username'])
    if user is None or not same_secret(user['password'], spec['password']):
        return _error(401, 'AUTHENTICATION_FAILED', 'Unable to authenticate user %s: invalid user name or password' % spec['username'],
                      'Check the user name and password.', [spec['username']])
    now = ctx.now()
    refresh_id = str(uuid.uuid4())
    lifetime = float(ctx.get_setting('vcf_refresh_token_lifetime', 86400))
    ctx.store.put(REFRESH_KIND, refresh_id, {'id': refresh_id, 'username': spec['username'], 'issued': now,
                                             'expires': now + lifetime}, owner=spec['username'], sort_key=now)
    ctx.set_request_user(spec['username'])
    # Real servers answer 200 although the spec says 201 (see simulator/fidelity.py).
    return json_response({'accessToken': _issue_access_token(ctx, spec['username'], refresh_id), 'refreshToken': {'id': refresh_id}})


@BLUEPRINT.route('/tokens/access-token/refresh', methods=['PATCH'])
def refresh_access_token():
    ctx = context()
    refresh_id = _request_json()
    if isinstance(refresh_id, dict):
        refresh_id = refresh_id.get('id') or (refresh_id.get('refreshToken') or {}).get('id')
    if not isinstance(refresh_id, str) or not refresh_id:
        return _error(400, 'REFRESH_TOKEN_MISSING', 'The request body must be the refresh token id as a JSON string',
                      'Send the refreshToken.id returned by POST /v1/tokens.')
    record = ctx.store.get(REFRESH_KIND, refresh_id)
    if record is None:
        return _error(404, 'REFRESH_TOKEN_NOT_FOUND', 'Refresh token %s not found' % refresh_id,
                      'Create a new token pair with POST /v1/tokens.', [refresh_id])
    if ctx.now() >= record['expires'] or record['issued'] <= ctx.tokens_valid_after():
        return _error(404, 'REFRESH_TOKEN_EXPIRED', 'Refresh token %s has expired' % refresh_id,
                      'Create a new token pair with POST /v1/tokens.', [refresh_id])
    ctx.set_request_user(record['username'])
    return json_response(_issue_access_token(ctx, record['username'], refresh_id))


@BLUEPRINT.route('/tokens/refresh-token', methods=['DELETE'])
def invalidate_refresh_token():
    refresh_id = _request_json()
    if isinstance(refresh_id, dict):
        refresh_id = refresh_id.get('id')
    if isinstance(refresh_id, str) and refresh_id:
        context().store.delete(REFRESH_KIND, refresh_id)
    return Response(status=204)


@BLUEPRINT.route('/tasks', methods=['GET'])
def get_tasks():
    return list_tasks(context())


@BLUEPRINT.route('/tasks/<task_id>', methods=['GET'])
def get_task(task_id):
    doc = _load(context(), task_id)
    if doc is None:
        return _task_not_found(task_id)
    return json_response(task_view(doc))


@BLUEPRINT.route('/tasks/<task_id>', methods=['PATCH'])
def retry_task(task_id):
    return _retry(context(), task_id, credentials_api=False)


@BLUEPRINT.route('/tasks/<task_id>', methods=['DELETE'])
def cancel_task(task_id):
    return _cancel(context(), task_id, credentials_api=False)


@BLUEPRINT.route('/credentials/tasks', methods=['GET'])
def get_credentials_tasks():
    return list_tasks(context(), kind=CREDENTIALS_KIND, view=credentials_task_view)


def _credentials_answer(task_id, view):
    """``view`` of credentials task ``task_id``, or the credentials API's 400 when there is none."""
    doc = _load(context(), task_id)
    if doc is None or not doc['sim']['credentials']:
        return _credentials_task_not_found(task_id)
    return json_response(view(doc))


@BLUEPRINT.route('/credentials/tasks/<task_id>', methods=['GET'])
def get_credentials_task(task_id):
    return _credentials_answer(task_id, credentials_task_view)


@BLUEPRINT.route('/credentials/tasks/<task_id>/resource-credentials', methods=['GET'])
def get_credentials_task_resources(task_id):
    return _credentials_answer(task_id, resource_credentials)


@BLUEPRINT.route('/credentials/tasks/<task_id>', methods=['PATCH'])
def retry_credentials_task(task_id):
    spec = _request_json()
    if not isinstance(spec, dict) or not spec.get('operationType') or not isinstance(spec.get('elements'), list):
        return _error(400, 'CREDENTIALS_UPDATE_SPEC_INVALID',
                      'The request body must be a CredentialsUpdateSpec with operationType and elements',
                      'Send {"operationType": "ROTATE", "elements": [...]}; GET .../resource-credentials lists the elements.')
    problem = credentials_spec_problem(spec)
    if problem:
        return _error(400, 'CREDENTIALS_UPDATE_SPEC_INVALID', 'Invalid CredentialsUpdateSpec: %s' % problem,
                      'Send the resources with resourceType and credentials (username; for UPDATE the new password).')
    return _retry(context(), task_id, credentials_api=True)


def credentials_spec_problem(spec):
    """What is wrong with a CredentialsUpdateSpec (VCF 9.0 spec: ResourceCredentials needs resourceType and
    credentials, BaseCredential needs username; an UPDATE carries each new password, as PowerVCF's
    updateCredentialSpec.json does); None when it is acceptable. Passwords are never echoed."""
    operation = str(spec.get('operationType')).upper()
    if operation not in ('UPDATE', 'ROTATE', 'REMEDIATE', 'UPDATE_AUTO_ROTATE_POLICY'):
        return 'operationType must be one of UPDATE, ROTATE, REMEDIATE, UPDATE_AUTO_ROTATE_POLICY'
    if operation == 'UPDATE' and not spec['elements']:
        return 'an UPDATE names at least one resource in elements'
    for index, element in enumerate(spec['elements']):
        if not isinstance(element, dict) or not element.get('resourceType') or not isinstance(element.get('credentials'), list):
            return 'elements[%d] needs resourceType and a credentials list' % index
        for number, credential in enumerate(element['credentials']):
            if not isinstance(credential, dict) or not credential.get('username'):
                return 'elements[%d].credentials[%d] needs username' % (index, number)
            if operation == 'UPDATE' and not (isinstance(credential.get('password'), str) and credential['password']):
                return 'elements[%d].credentials[%d] needs the new password for an UPDATE' % (index, number)
    return None


@BLUEPRINT.route('/credentials/tasks/<task_id>', methods=['DELETE'])
def cancel_credentials_task(task_id):
    return _cancel(context(), task_id, credentials_api=True)


def unknown_route(rest):
    # Unmatched /v1 paths answer with the spec's Error body, as the real (Spring) server does, not an HTML page.
    allowed = allowed_methods(request.path, 'vcf.unknown_route')
    if allowed:
        response = _error(405, 'METHOD_NOT_ALLOWED', 'Request method %s is not supported for %s' % (request.method, request.path),
                          'Use one of: %s.' % ', '.join(allowed))
        response.headers['Allow'] = ', '.join(allowed)
        return response
    return _error(404, 'RESOURCE_NOT_FOUND', 'No API is served at /v1/%s' % rest, 'Check the URL against the VCF API reference.')


add_catch_all(BLUEPRINT, unknown_route)


def _credentials_task_not_found(task_id):
    # The credentials API documents only 400 for a bad id (no 404), so that is what it answers.
    return _error(400, 'CREDENTIALS_TASK_NOT_FOUND', 'Credentials task with id %s not found' % task_id,
                  'Check the id; credentials tasks are listed by GET /v1/credentials/tasks.', [task_id])


def _task_not_found(task_id):
    return _error(404, 'TASK_NOT_FOUND', 'Task with id %s not found' % task_id, 'Check the task id.', [task_id])


# Per change: the counter, the 409 code and wording for a credentials task on /v1/tasks, and the credentials API's verb.
_CHANGES = {'retry': ('retry_requests', 'TASK_RETRY_NOT_SUPPORTED', 'retried', 'Retry the task with PATCH'),
            'cancel': ('cancel_requests', 'TASK_CANCEL_NOT_SUPPORTED', 'cancelled', 'Cancel the task with DELETE')}


def _open_for_change(ctx, task_id, credentials_api, change):
    """The task for a retry or cancel on either API, with the request counted: ``(doc, None)`` or ``(None, 4xx)``
    (unknown task, or a credentials task changed through /v1/tasks)."""
    counter, code, verb, remediation = _CHANGES[change]
    doc = _load(ctx, task_id)
    if doc is None or (credentials_api and not doc['sim']['credentials']):
        return None, (_credentials_task_not_found(task_id) if credentials_api else _task_not_found(task_id))
    doc['sim'][counter] = doc['sim'].get(counter, 0) + 1
    if doc['sim']['credentials'] and not credentials_api:
        _put(ctx, doc)
        return None, _error(409, code, 'Task can not be %s. Credentials update/rotate tasks can not be %s using this API.' % (verb, verb),
                            '%s /v1/credentials/tasks/%s.' % (remediation, task_id), [task_id])
    return doc, None


def _changed(doc, credentials_api):
    """The answer to an accepted retry or cancel: the credentials API returns the task (202), /v1/tasks nothing (200)."""
    if credentials_api:
        return json_response(task_view(doc), 202)
    return Response(status=200)


def _retry(ctx, task_id, credentials_api):
    """PATCH retry on either API (see simulator/README.md for the decision table)."""
    with ctx.store.transaction():
        doc, refused = _open_for_change(ctx, task_id, credentials_api, 'retry')
        if refused is not None:
            return refused
        sim = doc['sim']
        state = normalise_status(doc['task']['status'])
        if state != 'FAILED':
            _put(ctx, doc)
            if credentials_api:
                return _error(400, 'CREDENTIALS_TASK_NOT_FAILED', 'Credentials task %s is not in a failed state and can not be retried' % task_id,
                              'Only a failed credentials task can be retried.', [task_id])
            return _error(409, 'TASK_NOT_RETRYABLE', RETRY_CONFLICT, 'Only a failed Task can be retried.', [task_id])
        if not sim['retryable']:
            _put(ctx, doc)
            if credentials_api:
                return _error(400, 'CREDENTIALS_TASK_NOT_RETRYABLE', 'Credentials task %s can not be retried' % task_id, None, [task_id])
            return _error(409, 'TASK_NOT_RETRYABLE', 'Task can not be retried. The task %s is not retryable.' % task_id,
                          'Start a new operation instead of retrying this task.', [task_id])
        sim['attempts'] = sim.get('attempts', 0) + 1
        sim['failed_stamp'] = doc['task'].get('completionTimestamp')
        outcome = sim['outcomes'].pop(0) if sim['outcomes'] else 'successful'
        if ctx.quirk('vcf-retry-lag'):
            # The task keeps its failed state (status, errors, completionTimestamp) until the lag is over.
            sim['lag_until'] = ctx.now() + float(ctx.get_setting('vcf_retry_lag_seconds', 2.0))
            sim['lag_outcome'] = outcome
        else:
            _start(doc, ctx.now(), sim['retry_seconds'], outcome)
        _put(ctx, doc)
    return _changed(doc, credentials_api)


def _cancel(ctx, task_id, credentials_api):
    """DELETE cancel on either API."""
    with ctx.store.transaction():
        doc, refused = _open_for_change(ctx, task_id, credentials_api, 'cancel')
        if refused is not None:
            return refused
        sim = doc['sim']
        state = normalise_status(doc['task']['status'])
        # The credentials API cancels failed tasks (its reference says so) as well as running ones.
        allowed = ('IN_PROGRESS', 'FAILED') if credentials_api else ('IN_PROGRESS',)
        if state not in allowed:
            _put(ctx, doc)
            if credentials_api:
                return _error(400, 'CREDENTIALS_TASK_NOT_CANCELLABLE', 'Credentials task %s can not be cancelled in state %s' % (task_id, state),
                              None, [task_id])
            return _error(409, 'TASK_NOT_CANCELLABLE', 'Task can not be cancelled. ' + CANCEL_CONFLICT,
                          'Only a IN_PROGRESS task can be cancelled.', [task_id])
        now = ctx.now()
        task = doc['task']
        task['status'] = 'Cancelled'
        for sub in task['subTasks']:
            if normalise_status(sub['status']) in ('IN_PROGRESS', 'PENDING'):
                sub['status'] = 'CANCELLED'
        task['completionTimestamp'] = iso_ms(now)
        sim['completed_ms'] = int(now * 1000)
        sim['due'] = None
        sim['due_outcome'] = None
        _refresh_flags(doc)
        _put(ctx, doc)
    return _changed(doc, credentials_api)


# -- admin -----------------------------------------------------------------------------------------------
ADMIN = Blueprint('sim_vcf', __name__, url_prefix='/_sim/vcf')


def _bad(message):
    return json_response({'error': message}, 400)


@ADMIN.route('/tasks', methods=['POST'])
def create_tasks():
    ctx = context()
    spec = request.get_json(silent=True)
    if not isinstance(spec, dict):
        return _bad('send a JSON object: {"tasks": [entries]} or {"count": N, "prefix": "...", ...}')
    now = ctx.now()
    entries = spec.get('tasks')
    if entries is None:
        count = spec.get('count', 1)
        if not isinstance(count, int) or not 0 < count <= 100000:
            return _bad('count must be an integer between 1 and 100000')
        template = {k: v for k, v in spec.items() if k not in ('count', 'prefix', 'start')}
        prefix = str(spec.get('prefix') or 'Simulated task')
        start = int(spec.get('start', 1))
        entries = []
        for number in range(start, start + count):
            entry = dict(template)
            entry['name'] = '%s %02d' % (prefix, number)
            entry.setdefault('status', 'Failed')
            entry['id'] = str(uuid.uuid4())
            entry.setdefault('created', iso_ms(now - (start + count - number) / 1000.0))
            entries.append(entry)
    if not isinstance(entries, list):
        return _bad('tasks must be a list')
    try:
        docs = [record_from_entry(e, now, i) for i, e in enumerate(entries)]
    except (ValueError, TypeError) as exc:
        return _bad(str(exc))
    with ctx.store.transaction():
        for doc in docs:
            _put(ctx, doc)
    return json_response({'ids': [d['task']['id'] for d in docs], 'count': len(docs)}, 201)


@ADMIN.route('/tasks/<task_id>/outcome', methods=['POST'])
def set_outcome(task_id):
    ctx = context()
    spec = request.get_json(silent=True)
    if not isinstance(spec, dict):
        return _bad('send a JSON object, e.g. {"outcomes": ["failed", "successful"]} or {"status": "Failed"}')
    with ctx.store.transaction():
        doc = _load(ctx, task_id)
        if doc is None:
            return json_response({'error': 'no VCF task %s' % task_id}, 404)
        sim = doc['sim']
        try:
            if 'outcomes' in spec:
                sim['outcomes'] = [_outcome(o) for o in spec['outcomes'] or []]
            if 'retry_seconds' in spec:
                sim['retry_seconds'] = float(spec['retry_seconds'])
            if 'retryable' in spec:
                sim['retryable'] = bool(spec['retryable'])
            if 'status' in spec:
                _force_status(ctx, doc, spec)
        except (TypeError, ValueError) as exc:
            return _bad(str(exc))
        _refresh_flags(doc)
        _put(ctx, doc)
    return json_response(_admin_view(doc))


@ADMIN.route('/tasks/<task_id>/attempts', methods=['GET'])
def get_attempts(task_id):
    doc = _load(context(), task_id)
    if doc is None:
        return json_response({'error': 'no VCF task %s' % task_id}, 404)
    return json_response(_admin_view(doc))


def _force_status(ctx, doc, spec):
    """Admin: set the current status; "In Progress" lasts ``seconds`` (forever when absent) then ``outcome``."""
    status = str(spec['status'])
    state = normalise_status(status)
    now = ctx.now()
    if state == 'IN_PROGRESS':
        _start(doc, now, spec.get('seconds'), _outcome(spec.get('outcome', 'successful')))
        doc['task']['status'] = status
    elif state in ('SUCCESSFUL', 'FAILED'):
        _finish(doc, state.lower(), now)
        doc['task']['status'] = status
    else:
        doc['task']['status'] = status
        doc['sim']['due'] = None
        if state in _TERMINAL:
            doc['task']['completionTimestamp'] = iso_ms(now)
            doc['sim']['completed_ms'] = int(now * 1000)


def _admin_view(doc):
    sim = doc['sim']
    return {'id': doc['task']['id'], 'status': doc['task']['status'], 'attempts': sim.get('attempts', 0),
            'retry_requests': sim.get('retry_requests', 0), 'cancel_requests': sim.get('cancel_requests', 0),
            'outcomes': sim['outcomes'], 'retry_seconds': sim['retry_seconds'], 'retryable': sim['retryable'],
            'due': sim.get('due')}


# -- catalogue -------------------------------------------------------------------------------------------
def seed(ctx):
    """Insert the built-in tasks and the ``vcf_tasks:`` section of ``--catalog`` (fresh data dir or reset only)."""
    now = ctx.now()
    entries = vcf_catalog.builtin_entries() + list(ctx.catalog.get('vcf_tasks') or [])
    docs = [record_from_entry(e, now, i) for i, e in enumerate(entries)]
    with ctx.store.transaction():
        for doc in docs:
            _put(ctx, doc)
