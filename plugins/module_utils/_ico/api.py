# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every ICO 2.5 task-engine endpoint the collection calls (``/orchestrator/v2/tasks``), and what the shared client
needs to know about ICO (:data:`CONNECTION`, :func:`paged`).

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import ipaddress
import re
import time
from urllib.parse import urlsplit

from ansible_collections.cloudops.orchestrator.plugins.module_utils._adopt import adopt, adoption_window
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import LIST, OBJECT, absent_on, check_shape, json_name, path_segment, server_words
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import UNPAGED_LIST_MAX_BYTES
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AnswerLost, ApiError, OperationError, lost_answer, safe_url
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import settle_lost_delete
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import format_date, moment_from_ms
# The connection's auth choice, which OrchestratorModule.build_auth and _watch.build_auth import by name: named here
# so that ansible-core ships it (and the product's auth scheme) with every module of this product, and no other.
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.auth import choose_auth  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.model import created_ms, same_value, unwrap_item, with_desired_secrets


def error_body(body):
    """ICO's words in an error body: ``error_message``, ``message`` or ``{"error": {"message", "messageKey"}}``."""
    return server_words(body, ('message', 'error_message', 'errorMessage', 'detail', 'details'))


CONNECTION = dict(api_path='/orchestrator/v2', name='IBM Cloud Orchestrator', parse_error=error_body, probe_path='/tasks')


def paged(client, path, params, page_size, items=None):
    """ICO paging (``_start``/``_limit``): yields the list in the body, or the one under ``items`` when given."""
    start = int(params.pop('_start', 0))
    guard = client.page_guard(path, page_size, '_start')
    while True:
        page = client.get(path, params=dict(params, _start=start, _limit=page_size), shape=(list, dict, type(None)),
                          fields={items: list} if items else None)
        if isinstance(page, list):
            entries, total, has_next = page, None, len(page) >= page_size
        else:
            page = page or {}
            entries = page.get(items) if items else next(
                (v for v in page.values() if isinstance(v, list)), [])
            total = page.get('total')
            has_next = bool(page.get('next')) or (total is not None and start + len(entries or []) < total)
        guard.check(entries, start)
        yield from entries or []
        if not entries or not has_next:
            return
        start += len(entries)


# The id in a task's URL (a create answer's Location): ``.../orchestrator/v2/tasks/<id>``.
_TASK_LOCATION = re.compile(r'/orchestrator/v2/tasks/([^/?#]+)/?(?:[?#]|$)')


# The id of a created task is its handle: a list or an object there is a wrong-shape answer.
CREATED_FIELDS = {'id': (str, int)}


def since_text(ms):
    """Epoch milliseconds as the collection writes a time in a message: ``2026-01-31T10:00:00.175Z`` (UTC)."""
    moment = moment_from_ms(ms)
    return format_date(moment) if moment else str(ms)


def not_fqdn(url):
    """The host of ``url`` when it is an IP address or a short name (no dot), else None."""
    host = urlsplit(str(url or '')).hostname or ''
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        return host if host and '.' not in host else None


# ICO's administrator account, which has the admin role and so sees every project's tasks (IBM, "Task engine REST API
# V2": "Users with role admin can see all the tasks"); the role itself is not visible to a client, the name is (the
# modules' documentation: "Users other than admin see only the tasks of their project").
ADMIN_NAME = 'admin'


def likely_admin(user):
    """True when the connection's user is ICO's administrator account (``admin``)."""
    return str(user or '').lower() == ADMIN_NAME


def _not_found_hint(user, project):
    """What to do about a task id ICO answered 404 for: for the administrator (who sees every project's tasks), the id
    is wrong or the task is gone; for another user, the task may also belong to a project it cannot see."""
    look = 'list the tasks with cloudops.orchestrator.orch_task_info'
    if likely_admin(user):
        return ('%s sees the tasks of every project, so no task has this id: check the id (the task may have been '
                'deleted); %s' % ('user %r' % user, look))
    return ('check the id (the task may have been deleted; %s); a user without the admin role sees only the tasks of '
            'its own project%s: if the task is in another project, set project to that one or use an account with the '
            'admin role' % (look, ' (%r)' % project if project else ''))


def _explain(error, what, task_id=None, user=None, project=None, roles='the admin role', writes=False):
    """Give an ApiError the words a user needs: which role a refusal asks for, which id was not found, and for a
    refused POST/PUT sent to an IP address or a short name, that ICO wants its FQDN there."""
    status = getattr(error, 'status', None)
    # IBM: "The FQDN is also necessary for all HTTP POST and PUT operations" (the cookie_domain check).
    host = not_fqdn(getattr(error, 'url', None)) if writes and status in (400, 401, 403) else None
    fqdn_hint = ('ICO accepts POST and PUT only on its fully qualified domain name (its cookie_domain check): set url '
                 'to https://<the server\'s FQDN> instead of %s' % host) if host else None
    who = "user %r" % user if user else 'this user'
    if project:
        who += " (project %r)" % project
    if status == 401:
        # ICO answers 401 both for wrong credentials and for a missing role: the likely cause first, the role second.
        error.message = '%s was refused for %s: check username, password, domain and project' % (what, who)
        if host:
            error.message += ', and the server\'s FQDN in url (%s is not one)' % host
        error.hint = 'if they are right, the user needs %s (ICO answers 401 both for wrong credentials and a missing role)' % roles
    elif status == 403:
        error.message = '%s was refused for %s: it needs %s' % (what, who, roles)
        if host:
            error.message += ', or the server\'s FQDN in url (%s is not one)' % host
        error.hint = 'ask an ICO administrator for %s, or use such an account' % roles
    elif status == 404 and task_id is not None:
        error.message = 'task %r not found' % str(task_id)
        error.hint = _not_found_hint(user, project)
    if fqdn_hint:
        error.hint = fqdn_hint + ('; ' + error.hint if error.hint else '')
    return error


def _count(value):
    """A paging number of a collection answer (``start``, ``total``, ``limit``) when it is one (>= 0), else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


# The keys under which a page of an /orchestrator/v2 collection holds its entries.
PAGE_KEYS = ('tasks', 'items', 'elements', 'members')


def _entries_problem(tasks):
    """A task list entry that is not an object (a broken server or proxy): None when every one is."""
    for index, task in enumerate(tasks):
        if not isinstance(task, dict):
            return 'a list whose [%d] is %s' % (index, json_name(task)), 'a list of task objects'
    return None


def _task_id(entry):
    """The id of a list entry (wrapped as ``{"item": {...}}`` or not) as text; None when it has none."""
    task = unwrap_item(entry)
    return str(task['id']) if isinstance(task, dict) and task.get('id') is not None else None


class TaskEngine:
    """``/orchestrator/v2/tasks`` through the shared :class:`Client`."""

    # Clock skew tolerated between this host and ICO when recognising a task created by a lost POST.
    SKEW_MS = 5000

    def __init__(self, client, user=None, project=None, clock=time.time):
        self.client = client
        self.user = user
        self.project = project
        self.clock = clock

    def find_created(self, fields, started_ms):
        """The tasks this user created since ``started_ms`` (less the clock skew) with exactly ``fields``."""
        candidates = []
        for task in self.list():
            if not isinstance(task, dict) or (self.user and task.get('user') not in (None, self.user)):
                continue
            # ``created`` as epoch ms, or as text (a digit string, an ISO time), else ``created_iso``.
            created = created_ms(task)
            if created is None or created < started_ms - self.SKEW_MS:
                continue
            if all(name in task and same_value(task[name], value) for name, value in fields.items()
                   if name not in ('status', 'project')):
                candidates.append(task)
        return candidates

    def _params(self, expand):
        return {'expand': 'serviceInstance'} if expand else None

    def list(self, expand=False, skip=None):
        """Every task this user may see (non-admins: their project's; admins: all). ``skip`` (the event sources): an
        entry that is not a task is given to ``skip(index, entry)`` and left out instead of failing the listing."""
        try:
            # ICO 2.5 answers every task in one array (no paging): a large installation's list is the one answer
            # allowed past the client's usual bound (UNPAGED_LIST_MAX_BYTES).
            body = self.client.get('/tasks', params=self._params(expand), shape=(list, dict, type(None)),
                                   max_bytes=UNPAGED_LIST_MAX_BYTES)
        except ApiError as error:
            raise _explain(error, 'listing tasks', user=self.user, project=self.project,
                           roles='a valid account in the project') from None
        if isinstance(body, dict):
            body = self._rest_of_pages(body, expand)
        # Entries that are not tasks are a wrong answer, not tasks to leave out: a list is never silently shorter.
        tasks = [unwrap_item(entry) for entry in body or []]
        # Only beside tasks: a list in which no entry is a task is a wrong answer (an outage for a source), not an
        # empty project.
        if skip is not None and any(isinstance(task, dict) for task in tasks):
            for index, task in enumerate(tasks):
                if not isinstance(task, dict):
                    skip(index, task)
            tasks = [task for task in tasks if isinstance(task, dict)]
        if _entries_problem(tasks):
            check_shape(tasks, LIST, method='GET', status=200, url=self.client.url_for('/tasks'), inner=_entries_problem)
        return tasks

    def _rest_of_pages(self, page, expand):
        """The entries of a list answered as a page of the other ``/orchestrator/v2`` collections (``{href, start,
        limit, total, first, previous, next, last}`` with the list under ``tasks``, ``items``, ``elements`` or
        ``members``): those of this page, then of the pages ``next`` or ``total`` say follow (``_start``/``_limit``),
        each task once."""
        key = next((name for name in PAGE_KEYS if isinstance(page.get(name), list)), None)
        entries = list(page[key]) if key else []
        start, total, limit = (_count(page.get(name)) for name in ('start', 'total', 'limit'))
        if key is None:
            # A page whose entries are not a list, or that counts tasks it does not hold, is a wrong answer: an empty
            # list would hide the tasks it counts.
            url = self.client.url_for('/tasks')
            check_shape(page, OBJECT, dict((name, list) for name in PAGE_KEYS), method='GET', url=url, status=200)
            if total:
                check_shape(page, OBJECT, method='GET', url=url, status=200,
                            inner=lambda body: ('an object with total %d and no list of tasks' % total,
                                                'an object with its tasks under %s' % ', '.join(PAGE_KEYS)))
        start = start or 0
        if not entries or not (page.get('next') or (total is not None and start + len(entries) < total)):
            return entries
        seen = set(_task_id(entry) for entry in entries)
        params = dict(self._params(expand) or {}, _start=start + len(entries))
        for entry in self.client.paginate('/tasks', paged, params=params, page_size=limit or len(entries), items=key):
            if _task_id(entry) is None or _task_id(entry) not in seen:
                seen.add(_task_id(entry))
                entries.append(entry)
        return entries

    def get(self, task_id, expand=False, missing_ok=False):
        """The task, or None when ``missing_ok`` and the server says 404."""
        try:
            # Unwrapped like the collection's entries, which some ICO answers wrap as {"item": {...}}.
            return unwrap_item(absent_on((404,) if missing_ok else (), self.client.get, '/tasks/%s' % path_segment(task_id),
                                         params=self._params(expand), shape=OBJECT))
        except ApiError as error:
            raise _explain(error, 'reading task %s' % task_id, task_id, self.user, self.project,
                           roles='the admin role or membership of the task\'s project') from None

    def create(self, fields, warn=None):
        """POST a new task (admin only); the created task, read back when the answer has no body.

        A POST whose answer was lost is never resent (``_adopt.adopt``): the task the server named before the
        answer was cut short, else the one task this user created since with exactly these fields, is adopted.
        """
        started = int(self.clock() * 1000)
        try:
            response = self.client.request('POST', '/tasks', json=fields, expected=(200, 201, 202))
        except AnswerLost as error:
            lost = error
        except ApiError as error:
            raise _explain(error, 'creating a task', user=self.user, project=self.project, writes=True) from None
        else:
            location = response.headers.get('Location')
            try:
                created = self.client.decode(response)
                if isinstance(created, list) and len(created) == 1:
                    # IBM's page gives this POST's response as "Tasks Response", the array form: [the created task].
                    created = created[0]
                created = unwrap_item(created)
                self.client.check(response, created, (dict, type(None)), CREATED_FIELDS)
            except ApiError:
                # A success whose body cannot be read (an HTML page, a list): the task was created all the same. Read
                # back from Location when it names it, else found as an answer without id is (never POSTed again).
                created = None
            if isinstance(created, dict) and created.get('id') is not None:
                return created
            if location:
                return self.read_created(location, response.url, fields)
            return self._find_unnamed(response.status_code, fields, started, warn)

        def find():
            if lost.created_id:
                made = self.get(lost.created_id, missing_ok=True)
                return [made] if isinstance(made, dict) else []
            return self.find_created(fields, started)

        return adopt(lost, find, adoption_window(self.client.timeout), 'task',
                     look_at='the tasks created since %s (orch_task_info)' % since_text(started - self.SKEW_MS),
                     rerun='re-running orch_task without id creates another task, so look first and give the id of '
                           'the one that exists',
                     ident=lambda t: str(t.get('id')), describe=lambda t: '%s (%s)' % (t.get('id'), t.get('status')),
                     adopted=lambda t: 'adopted task %s (%s), %s' % (t.get('id'), t.get('status'), (
                         'which its answer named' if lost.created_id else
                         'the one task created since by this user with these fields: the task it made, unless another '
                         'process created the same task as the same user at the same moment')),
                     warn=warn, fail=OperationError, ids_key='task_ids', sleep=self.client.sleep)

    def _find_unnamed(self, status, fields, started, warn=None):
        """The task a create answered with success but without naming it (an empty body, or one without ``id``, and
        no ``Location``): the one task this user created since ``started`` with exactly ``fields`` (never POSTed again).
        A node not in step yet may not list it for a moment: the list is read again while it shows none, for the window
        of :meth:`_read_new`; otherwise the failure says that a task was created and where to look."""
        look = ('look for it with orch_task_info (tasks created since %s) before running this again, or a second task '
                'is created' % since_text(started - self.SKEW_MS))
        try:
            found = self._read_new(lambda: self.find_created(fields, started), pending=lambda found: not found)
        except ApiError as error:
            raise OperationError('the server created a task (HTTP %s) but its answer named no task, and listing the tasks '
                                 'to find it failed: %s; %s' % (status, error, look), changed=True,
                                 error=error.to_result()) from None
        if len(found) != 1:
            raise OperationError('the server created a task (HTTP %s) but its answer named no task, and %s of this user\'s '
                                 'tasks created since have these fields; %s' % (
                                     status, 'none' if not found else len(found), look), changed=True,
                                 task_ids=[str(t.get('id')) for t in found])
        if warn is not None:
            warn('the server created a task (HTTP %s) but its answer named no task: task %s, the one task this user '
                 'created since with these fields, is taken as the one it made' % (status, found[0].get('id')))
        return found[0]

    # Between two reads of a task just created that answers 404: short at first, then doubling up to the maximum.
    UNREAD_INTERVAL = 0.25
    UNREAD_INTERVAL_MAX = 2.0

    def _read_new(self, read, pending=None):
        """``read()`` of the task a create just made, a 404 (or an answer ``pending(answer)`` says does not show it yet)
        waited out: the node that answered the POST and the one answering the GET may not be in step yet. GETs only (the
        POST is never sent again), for the request timeout plus a margin (``_adopt.adoption_window``), never past the
        client's deadline; then the last 404 is raised, or the last answer returned."""
        client = self.client
        clock = getattr(client, 'clock', time.monotonic)
        sleep = getattr(client, 'sleep', time.sleep)
        start = clock()
        # The window of a create's lost answer (the request timeout plus a margin), which is also how long a waiter takes a
        # 404 on a task this run created for one not readable yet (Waiter.readable_by).
        until = start + adoption_window(getattr(client, 'timeout', None))
        deadline = getattr(client, 'deadline', None)
        if isinstance(deadline, (int, float)):
            until = min(until, deadline)
        due, interval = 0.0, self.UNREAD_INTERVAL
        while True:
            try:
                answer, last = read(), None
            except ApiError as error:
                if getattr(error, 'status', None) != 404:
                    raise
                answer, last = None, error
            if last is None and (pending is None or not pending(answer)):
                return answer
            if clock() >= until:
                break
            due += interval
            interval = min(interval * 2, self.UNREAD_INTERVAL_MAX)
            pause = min(start + due, until) - clock()
            if pause > 0:
                sleep(pause)
        if last is not None:
            raise last
        return answer

    def read_created(self, location, request_url, fields):
        """The task a create answer named in ``Location``, read from the configured server only.

        A relative ``Location`` is resolved against the POST's URL. One on another origin is never followed
        (credentials stay home): the task id it names is read from the configured server instead, and kept
        only when that task has the fields just sent; otherwise the failure says the task was created. A 404 is
        waited out for a while (:meth:`_read_new`): the task was just created, and is never POSTed again.
        """
        match = _TASK_LOCATION.search(location)
        task_id = match.group(1) if match else None
        clock = getattr(self.client, 'clock', time.monotonic)
        started = clock()
        try:
            return unwrap_item(self._read_new(lambda: self.client.get(self.client.resolve(location, request_url),
                                                                      shape=OBJECT)))
        except ApiError as error:
            if error.kind != 'origin':
                unread = ('every read for %.0f s answered it' % (clock() - started)
                          if getattr(error, 'status', None) == 404 else None)
                raise OperationError('created a task at %s, but reading it back failed: %s%s; look for it with '
                                     'orch_task_info%s before running this task again, or a second task is created' % (
                                         safe_url(location), error,
                                         ' (%s: the server may not serve it yet)' % unread if unread else '',
                                         ' (id: %s)' % task_id if task_id else ''),
                                     changed=True, location=safe_url(location), error=error.to_result()) from None
            refused = error
        task = None
        if task_id:
            try:
                task = self._read_new(lambda: self.get(task_id))
            except ApiError:
                task = None  # the failure below says what matters: a task was created
        if isinstance(task, dict) and all(name in task and same_value(task[name], value)
                                          for name, value in fields.items() if name not in ('status', 'project')):
            self.client.warn('%s; task %s was read from the configured server instead' % (refused.message, task_id))
            return task
        raise OperationError('the server created a task (HTTP 201) but %s; the new task may be %s: look with '
                             'orch_task_info before running this again, or a second task is created'
                             % (refused.message, task_id or 'unknown'), task={'id': task_id}, changed=True)

    def update(self, task_id, changes):
        """PUT ``changes`` (the task's whole definition); the updated task (None when the answer has none).

        A PUT whose answer was lost is never sent again (a resend could overwrite a change made in between): the task is
        read back, and adopted when every field holds the value sent; otherwise OperationError says the update may have
        been applied.
        """
        try:
            updated = self.client.put('/tasks/%s' % path_segment(task_id), json=changes)
        except AnswerLost as lost:
            return self._update_lost(task_id, changes, lost)
        except ApiError as error:
            raise _explain(error, 'updating task %s' % task_id, task_id, self.user, self.project,
                           roles='the admin role or membership of the task\'s project', writes=True) from None
        updated = unwrap_item(updated)
        return updated if isinstance(updated, dict) else None

    def _update_lost(self, task_id, changes, lost):
        """The task after a PUT whose answer was lost: adopted (with a warning) when it holds every field as sent."""
        try:
            task = self.get(task_id, missing_ok=True)
        except ApiError as error:
            raise OperationError('%s, and reading it back failed (%s): the update may have been applied; running this '
                                 'task again compares and updates' % (lost_answer(lost, 'the update of task %s' % task_id),
                                                                      error), error=lost.to_result(), changed=True) from None
        # A secret the server shows masked cannot be compared: it counts as sent (as the module's own comparison does).
        shown = with_desired_secrets(task, changes) if isinstance(task, dict) else None
        differ = sorted(name for name, value in changes.items()
                        if not isinstance(shown, dict) or name not in shown or not same_value(shown[name], value))
        if not differ:
            self.client.warn('%s; the task holds every field as sent: the update was taken, not sending it again'
                             % lost_answer(lost, 'the update of task %s' % task_id))
            return task
        raise OperationError('%s, and the task %s: the update may have been applied (or changed since by someone else); '
                             'running this task again compares and updates' % (
                                 lost_answer(lost, 'the update of task %s' % task_id),
                                 'is gone' if task is None else 'differs in %s' % ', '.join(differ)),
                             error=lost.to_result(), changed=True) from None

    def delete(self, task_id):
        """DELETE the task (admin only); False when it was already gone before this task.

        A DELETE whose answer was lost is never sent again: the task is read instead. Gone is this DELETE's doing (True,
        with a warning); still there raises OperationError saying the delete may still be applied.
        """
        try:
            self.client.delete('/tasks/%s' % path_segment(task_id))
        except AnswerLost as lost:
            return settle_lost_delete(lost, lambda: self.get(task_id, missing_ok=True), self.client.warn, 'delete',
                                      'task %s' % task_id, 'the task is gone', 'the task is still there',
                                      'cloudops.orchestrator.orch_task_info')
        except ApiError as error:
            if getattr(error, 'status', None) == 404:
                return False
            if getattr(error, 'status', None) == 409:
                # IBM documents 204, 401 and 404 for this DELETE and no call that cancels a task: a conflict is read as
                # a task still in progress (the server's own words come first).
                error.hint = ('the task may still be queued or running (ICO has no call that cancels a task): read its status '
                              'with cloudops.orchestrator.orch_task_info (id: %s), or wait for a final one with orch_task '
                              '(id: %s, wait_for_status: [completed, failed]), then delete it again' % (task_id, task_id))
            raise _explain(error, 'deleting task %s' % task_id, task_id, self.user, self.project) from None
        return True
