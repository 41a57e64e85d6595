# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every SDDC Manager endpoint the collection calls (``/v1/tasks``, ``/v1/credentials/tasks``), and what the shared
client needs to know about SDDC Manager (:data:`CONNECTION`, :func:`paged`).

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import EXCERPT_LEN, OBJECT, absent_on, check_shape, path_segment, server_words
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
# The connection's auth choice, which OrchestratorModule.build_auth and _watch.build_auth import by name: named here
# so that ansible-core ships it (and the product's auth scheme) with every module of this product, and no other.
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.auth import choose_auth  # noqa: F401 pylint: disable=unused-import
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import (
    COMPLETED_AFTER_COVERS, TASK_FIELDS, CredentialsTask, Task, TaskStatus, stamp_ms, task_problem,
)


def error_body(body):
    """SDDC Manager's Error: ``message``, plus errorCode, remediationMessage, referenceToken and every cause (``causes``
    of Error, ``cause`` of the 9.0 spec's ErrorResponse, ``nestedErrors``). Without a ``message`` of its own, a
    composite error's words are those of its causes."""
    message, details = server_words(body, ('message', 'detail', 'details'),
                                    detail_keys=('errorCode', 'remediationMessage', 'referenceToken', 'errorType'),
                                    cause_keys=('causes', 'cause', 'nestedErrors'))
    if message is None and details.get('causes'):
        message = '; '.join(details['causes'])[:EXCERPT_LEN]
    return message, details


CONNECTION = dict(api_path='/v1', name='SDDC Manager', parse_error=error_body, probe_path='/tasks')


def paged(client, path, params, page_size, first=None, progress=None, max_pages=None, stop=None):
    """SDDC Manager paging (``pageNumber``/``pageSize``): yields the ``elements`` of each page.

    ``first``: the ``pageNumber`` of the first page asked (the server's own numbering, as its pageMetadata gave it;
    None for the first page); ``max_pages``: at most that many pages are read. ``progress`` (a dict) is told ``pages``
    (read), ``done`` (True once the last page was read) and ``next`` (the ``pageNumber`` after the last page read).
    ``stop``: called with the elements of each page once they were yielded; True: no further page is read."""
    progress = {} if progress is None else progress
    progress.update(pages=0, done=False, next=None)
    number, previous = first, None
    pages_read = seen = 0
    # True while the next page number is a guess (no pageMetadata.pageNumber seen): a repeat may mean 1-based.
    guessed = False
    guard = client.page_guard(path, page_size, 'pageNumber')
    while True:
        query = dict(params, pageSize=page_size)
        if number is not None:
            query['pageNumber'] = number
        page = client.get(path, params=query, shape=(dict, type(None)),
                          fields={'elements': list, 'pageMetadata': dict}) or {}
        elements = page.get('elements') or []
        if previous is not None and elements == previous:
            if guessed and number == 1:
                # Without pageMetadata, page 1 may be the first page again on a server counting from 1: try 2 once.
                guessed, number = False, 2
                continue
            # The server ignores pageNumber and sent the same page again: it had no more, unless that page was full
            # (it may honour pageSize): then the list may be cut short, which is said rather than kept silent.
            warn = getattr(client, 'warn', None)
            if warn and len(elements) == page_size:
                warn('SDDC Manager answered %s with the same %d entries for page %s as for the page before (it ignores '
                     'pageNumber): the list may stop there; narrow it (status, type, a time range) so that it fits one page'
                     % (path, len(elements), number))
            progress['done'] = len(elements) < page_size
            return
        previous = elements
        # A repeated page is the end (above); a page count past the bound is a server that never ends.
        guard.check(None, number)
        pages_read += 1
        progress['pages'] = pages_read
        seen += len(elements)
        yield from elements
        if stop is not None and stop(elements):
            return
        meta = page.get('pageMetadata') or {}
        total_pages, total = meta.get('totalPages'), meta.get('totalElements')
        disproved = bool(elements) and (total_pages == 0 or (isinstance(total, int) and total < seen))
        if disproved:
            # Counts this very answer disproves (no page, or fewer tasks than it holds): not trusted to end the list;
            # a short or empty page does.
            total_pages = total = None
        progress.setdefault('total', total)
        # Read from a later page (first), the counts of pageMetadata do not say where this page is: a short page ends.
        if not elements or (first is not None and len(elements) < page_size) or (first is None and (
                (total_pages is not None and pages_read >= total_pages) or (total is not None and seen >= total))):
            progress['done'] = True
            return
        # Without pageMetadata (the 4.4 reference's sample answer has none) a short page is the last.
        if (disproved or not meta) and len(elements) < page_size:
            progress['done'] = True
            return
        # The first page's own number tells whether the server counts pages from 0 or from 1.
        current = meta.get('pageNumber')
        guessed = current is None and number is None
        number = (current if current is not None else (number or 0)) + 1
        progress['next'] = number
        if max_pages is not None and pages_read >= max_pages:
            return


def status_spellings(status):
    """Every spelling of a normalised status a server matching ``taskStatus`` exactly may hold: the 9.0 spec lists
    ``Failed`` and ``FAILED``, ``In Progress`` and ``IN_PROGRESS`` as separate values (real tasks read ``Failed``)."""
    upper = str(status).strip().upper().replace(' ', '_')
    spaced = ' '.join(word.capitalize() for word in upper.split('_'))
    return [spaced, upper] if spaced != upper else [upper]


def checked_element(client, raw, path='/tasks'):
    """One element of a ``/v1/tasks`` page, checked like a task read (the page's URL named when it is wrong)."""
    return check_shape(raw, OBJECT, TASK_FIELDS, method='GET', url=client.url_for(path), status=200, inner=task_problem)


def readable_elements(client, raws, skip=None):
    """The elements of ``raws`` checked as :func:`checked_element`; with ``skip`` (the event sources), one that cannot be
    read is given to ``skip(raw, error)`` and left out instead of failing the whole listing, once the listing is read.
    A listing in which no element can be read is a wrong answer (an outage for a source), not elements to leave out:
    its first error is raised."""
    skipped, readable = [], 0
    for raw in raws:
        if skip is None:
            yield checked_element(client, raw)
            continue
        try:
            element = checked_element(client, raw)
        except ApiError as error:
            skipped.append((raw, error))
            continue
        readable += 1
        yield element
    if skipped and not readable:
        raise skipped[0][1]
    for raw, error in skipped:
        skip(raw, error)


class CompletedPages:
    """What :meth:`TaskService.completed_pages` read: ``raws`` in the server's order, ``pages`` read, ``complete`` (the
    last page was read), ``next_page`` (the ``pageNumber`` that follows, when not complete), ``total``
    (pageMetadata.totalElements of the first page read, when given)."""

    def __init__(self, raws, progress):
        self.raws = raws
        self.pages = progress.get('pages') or 0
        self.complete = bool(progress.get('done'))
        self.next_page = None if self.complete else progress.get('next')
        self.total = progress.get('total')


def created_before(after_ms):
    """A ``stop`` for :func:`paged` over a listing asked newest creation first: True after the page whose last task was
    created at or before ``after_ms``, as long as every creation read so far came newest first (a server that ignores
    ``orderBy``/``orderDirection`` is read on, up to the listing's bound)."""
    times = []

    def done(elements):
        times.extend(ms for ms in (stamp_ms(raw.get('creationTimestamp')) for raw in elements if isinstance(raw, dict))
                     if ms is not None)
        return bool(times) and times[-1] <= after_ms and all(a >= b for a, b in zip(times, times[1:]))
    return done


def order_key(raw, key):
    """What orders a task by ``key`` (an ``orderBy``): a time as epoch ms, before any text; a task without a completion
    time is ordered by ``completionTimestamp`` at its creation (see ``window_ms``)."""
    value = raw.get(key)
    if key == 'completionTimestamp' and stamp_ms(value) is None:
        value = raw.get('creationTimestamp')
    ms = stamp_ms(value) if key.endswith('Timestamp') else None
    return (0, ms, '') if ms is not None else (1, 0, str(value or ''))


def list_refused(error):
    """True when a server will not list tasks with these filters (the answer says so), rather than failing."""
    return getattr(error, 'status', None) in (400, 403, 404, 405, 501)


class TaskService:
    """``/v1/tasks`` and ``/v1/credentials/tasks`` through the shared :class:`Client`."""

    PAGE_SIZE = 100

    def __init__(self, client):
        self.client = client

    def get(self, task_id):
        """The task by id: a :class:`Task`, or a :class:`CredentialsTask` when it is one.

        A 404 on ``/v1/tasks`` falls back to ``/v1/credentials/tasks`` before giving up.
        """
        try:
            task = Task(self.client.get('/tasks/%s' % path_segment(task_id), shape=OBJECT, fields=TASK_FIELDS, inner=task_problem), task_id)
        except ApiError as error:
            if getattr(error, 'status', None) != 404:
                raise
            try:
                return CredentialsTask(self.client.get('/credentials/tasks/%s' % path_segment(task_id), shape=OBJECT, fields=TASK_FIELDS,
                                                       inner=task_problem), task_id)
            except ApiError as second:
                # The credentials API answers an unknown id with 400 (its spec documents no 404).
                if getattr(second, 'status', None) in (400, 404):
                    raise error from None
                raise
        if task.looks_like_credentials:
            return self.as_credentials(task)
        return task

    def as_credentials(self, task):
        """Re-read a task through the credentials API; keep the ``/v1/tasks`` view when that API has no record."""
        # The credentials API answers an unknown id with 400 (its spec documents no 404).
        raw = absent_on((400, 404), self.client.get, '/credentials/tasks/%s' % path_segment(task.id),
                        shape=(dict, type(None)), fields=TASK_FIELDS, inner=task_problem)
        cred = CredentialsTask(raw if isinstance(raw, dict) and raw else task.raw, task.id)
        cred.record_missing = not (isinstance(raw, dict) and raw)
        cred.attempts = task.attempts
        # The credentials view may lack the fields /v1/tasks has; keep them for the result.
        for key in ('name', 'isRetryable', 'resources', 'resolutionStatus'):
            if key not in cred.raw and key in task.raw:
                cred.raw[key] = task.raw[key]
        return cred

    def refresh(self, task):
        path = '/credentials/tasks/%s' if task.credentials else '/tasks/%s'
        return task.update(self.client.get(path % path_segment(task.id), shape=OBJECT, fields=TASK_FIELDS, inner=task_problem))

    def _each_spelling(self, params, max_items, first=None, skip=None, stop=None):
        """The ``/v1/tasks`` elements for ``params``, one listing per spelling of ``taskStatus`` (see
        :func:`status_spellings`; ``first``, when it is one of them, is asked first), each task once. A listing whose
        answer holds another spelling than the one sent shows a server that normalises the filter: the other spellings
        are then not asked. Yields ``(raw, spelled)`` where ``spelled`` is True when more than one spelling was listed.
        ``stop``: makes the :func:`paged` ``stop`` of each listing (None: every page up to ``max_items``)."""
        params = dict(params or {})
        status = params.get('taskStatus')
        spellings = status_spellings(status) if status else [None]
        if first in spellings:
            spellings.remove(first)
            spellings.insert(0, first)
        ids = set()
        for index, spelling in enumerate(spellings):
            if spelling is not None:
                params['taskStatus'] = spelling
            normalising = False
            options = {} if stop is None else {'stop': stop()}
            pages = self.client.paginate('/tasks', paged, params=params, page_size=self.PAGE_SIZE, max_items=max_items,
                                         **options)
            for raw in readable_elements(self.client, pages, skip):
                task_id = str(raw.get('id') or '')
                if spelling is not None and raw.get('status') != spelling:
                    normalising = True
                if task_id not in ids:
                    ids.add(task_id)
                    yield raw, index > 0
            if normalising:
                return

    def list(self, params=None, max_results=None, skip=None):
        """Every task matching the server-side ``params``, paging with ``pageSize`` 100 up to ``max_results``.

        A ``taskStatus`` is asked in each spelling and the answers merged, so that a server matching it exactly
        gives the same answer as one that normalises it (ordered again by ``orderBy``/``orderDirection`` then).
        With ``completedAfter``, the tasks it cannot list (see :meth:`undated_since`) are merged in, each task once.
        ``skip``: see :func:`readable_elements`."""
        params = dict(params or {})
        found, merged = [], False
        for raw, spelled in self._each_spelling(params, max_results, skip=skip):
            found.append(raw)
            merged = merged or spelled
        if params.get('completedAfter') is not None:
            ids = set(str(raw.get('id') or '') for raw in found)
            for raw in self.undated_since(params, max_results, skip=skip):
                if str(raw.get('id') or '') not in ids:
                    found.append(raw)
                    merged = True
        if merged:
            key = params.get('orderBy') or 'creationTimestamp'
            descending = str(params.get('orderDirection') or 'DESC').upper() != 'ASC'
            found.sort(key=lambda raw: order_key(raw, key), reverse=descending)
        if max_results is not None:
            found = found[:max_results]
        return [Task(raw) for raw in found]

    def undated_since(self, params, max_results=None, skip=None):
        """The tasks a ``completedAfter`` listing (``params``) cannot return although they belong to it: in a status it
        covers (FAILED, SUCCESSFUL; the one ``taskStatus`` asks) but without a completion time (the 4.4 reference's
        list sample has such a ``Failed`` task), created strictly after ``completedAfter`` (a failure comes after its
        task's creation; one created before the window may have failed long before it, and is left out).

        One listing with the same filters but ``completedAfter``, newest creation first (``taskStatus`` in each spelling,
        see :meth:`_each_spelling`), read only until a page reaches a task created at or before the window's start (see
        :func:`created_before`), at most ``max_results`` tasks. A server that refuses it is said once (warning) and no
        such task is added."""
        after = int(params['completedAfter'])
        status = TaskStatus.normalise(params.get('taskStatus'))
        covered = (status,) if status else tuple(COMPLETED_AFTER_COVERS)
        if not set(covered) <= COMPLETED_AFTER_COVERS:
            return []
        query = dict(params, orderBy='creationTimestamp', orderDirection='DESC')
        del query['completedAfter']
        found = []
        try:
            for raw, _spelled in self._each_spelling(query, max_results, skip=skip, stop=lambda: created_before(after)):
                created = stamp_ms(raw.get('creationTimestamp'))
                if (TaskStatus.normalise(raw.get('status')) in covered and stamp_ms(raw.get('completionTimestamp')) is None
                        and created is not None and created > after):
                    found.append(raw)
        except ApiError as error:
            if not list_refused(error):
                raise
            warn = getattr(self.client, 'warn', None)
            if warn:
                warn('SDDC Manager refused to list tasks by creation (%s): tasks that %s without a completion time are '
                     'not listed (completedAfter cannot list them)' % (
                         getattr(error, 'message', None) or error, 'failed' if status == TaskStatus.FAILED else 'ended'))
        return found

    def find(self, ids, params, max_items=None, first=None):
        """``{id: raw}`` of the ``/v1/tasks`` list elements whose id is in ``ids``, reading pages only until every one
        was seen (at most ``max_items`` elements). A ``taskStatus`` is asked in each spelling, ``first`` (the spelling
        the tasks read last, when it is one) first, and the next spelling only while a task is missing: a server
        matching ``taskStatus`` exactly lists a task spelt ``IN_PROGRESS`` (terraform-provider-vcf's task tracker
        expects both ``In Progress`` and ``IN_PROGRESS``) only for that spelling."""
        seen = {}
        for raw, _spelled in self._each_spelling(params, max_items, first=first):
            task_id = str(raw.get('id') or '')
            if task_id in ids and task_id not in seen:
                seen[task_id] = raw
                if len(seen) == len(ids):
                    break
        return seen

    def retry(self, task, update_elements=None):
        """Send the retry PATCH once; never resent blindly (``idempotent=False``). A credentials UPDATE task sends
        ``update_elements`` (the ResourceCredentials with the new passwords)."""
        if task.credentials:
            if task.operation_type == 'UPDATE' and update_elements:
                spec = {'operationType': 'UPDATE', 'elements': update_elements}
            else:
                spec = self.credentials_retry_spec(task)
            self.client.patch('/credentials/tasks/%s' % path_segment(task.id), json=spec, idempotent=False)
        else:
            self.client.patch('/tasks/%s' % path_segment(task.id), idempotent=False)

    def credentials_retry_spec(self, task):
        """The CredentialsUpdateSpec the credentials retry wants: the task's operation and its resources."""
        elements = []
        found = absent_on((400, 404, 405), self.client.get, '/credentials/tasks/%s/resource-credentials' % path_segment(task.id))
        if isinstance(found, dict):
            found = found.get('elements')
        if isinstance(found, list):
            elements = [e for e in found if isinstance(e, dict)]
        return {'operationType': task.operation_type, 'elements': elements}

    def completed_since(self, after_ms, max_items=1000, skip=None):
        """The raw ``/v1/tasks`` elements that completed strictly after ``after_ms`` (``completedAfter``: the spec's
        SUCCESSFUL and FAILED tasks), newest first, one page when there are fewer than :attr:`PAGE_SIZE`. ``skip``: see
        :func:`readable_elements`."""
        params = {'completedAfter': int(after_ms)}
        return list(readable_elements(self.client, self.client.paginate(
            '/tasks', paged, params=params, page_size=self.PAGE_SIZE, max_items=max_items), skip))

    def completed_pages(self, after_ms, max_pages, page=None, skip=None):
        """The raw ``/v1/tasks`` elements that completed strictly after ``after_ms``, asked oldest completion first
        (``orderBy=completionTimestamp``, ``orderDirection=ASC``: the spec's free-text sort parameters, which a server
        may ignore), at most ``max_pages`` pages from ``page`` (a ``pageNumber``; None: the first page), as a
        :class:`CompletedPages`. ``skip``: see :func:`readable_elements`."""
        params = {'completedAfter': int(after_ms), 'orderBy': 'completionTimestamp', 'orderDirection': 'ASC'}
        progress = {}
        pages = paged(self.client, '/tasks', params, self.PAGE_SIZE, first=page, progress=progress,
                      max_pages=max(1, int(max_pages)))
        return CompletedPages(list(readable_elements(self.client, pages, skip)), progress)
