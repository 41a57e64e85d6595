# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ``cloudops.orchestrator.vcf_tasks`` event source does: one event per SDDC Manager task that reaches a
watched status, each once (also across restarts, through the state the source saves; see ``_watch``).

Cheap polling: ``completedAfter`` (the newest completion seen, less an overlap) lists only what finished since the
last poll, one page in the steady state; statuses that ``completedAfter`` does not cover (anything but FAILED and
SUCCESSFUL), or a server that refuses it, are listed by ``taskStatus``, newest first, one page each. A task in a
status ``completedAfter`` covers but without a completion time (the 4.4 reference's list sample has a ``Failed`` task
without ``completionTimestamp``) is never in that listing: the statuses it covers are also listed by ``taskStatus``
at the first poll (the baseline) and then every :data:`SWEEP_POLLS` polls or :data:`SWEEP_MS`, whichever comes
first (a *sweep*), and the tasks of those listings that have no completion time are watched like the others.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, one_line
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import iso_from_ms, to_epoch_ms
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import list_refused
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import CredentialsTask, Task, TaskStatus, info_entry

# The statuses the spec's completedAfter returns ("Successful/Failed tasks completed after").
COMPLETED_AFTER_COVERS = frozenset((TaskStatus.FAILED, TaskStatus.SUCCESSFUL))
# Each poll asks again for this much before the newest completion seen: a task committed late is not missed.
OVERLAP_MS = 5 * 60 * 1000
# At the first start, what completed this long before now is read once and taken as already there. The start of that
# window is kept as the floor: no later poll asks for less (the overlap never reaches behind it), and a change that
# completed before it is never emitted unless emit_existing (it was already there when the source first started).
BASELINE_MS = 60 * 60 * 1000
# Tasks read per status listing (one page) and, with emit_existing, at the first start.
PAGE = 100
# Pages of the completedAfter listing read in one poll at most (100 tasks each). When more tasks completed since the
# cursor, the cursor moves only as far as what was read allows and the next poll reads on (see poll).
PAGES_PER_POLL = 10
EXISTING_MAX = 1000
# Last statuses remembered (for previous_status).
LAST_MAX = 5000
# A sweep (the statuses completedAfter covers, listed by taskStatus for the tasks without a completion time) runs at
# the first poll, then at every SWEEP_POLLS-th poll or once SWEEP_MS passed since the last one, whichever comes first.
SWEEP_POLLS = 10
SWEEP_MS = 5 * 60 * 1000


def http_date_ms(text):
    """Epoch ms of an HTTP ``Date`` header (RFC 7231: ``Mon, 30 Nov 2026 14:00:00 GMT``); None when it is not one."""
    try:
        return int(parsedate_to_datetime(str(text)).timestamp() * 1000) if text else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def completion_ms(raw):
    try:
        return to_epoch_ms(raw.get('completionTimestamp'))
    except (ValueError, OverflowError):
        return None


def iso(ms):
    """A time of a log line: ISO 8601 UTC ending in Z."""
    return (iso_from_ms(ms) or '').replace('+00:00', 'Z')


def ascending(raws):
    """Whether the listing came oldest completion first (what it asked): each completion no earlier than the one before
    (the tasks whose completion does not read as a time do not count)."""
    times = [ms for ms in (completion_ms(raw) for raw in raws) if ms is not None]
    return all(a <= b for a, b in zip(times, times[1:]))


def change_key(raw):
    """What makes one change of a task: its id, status and completion (a retried task that fails again is new). The
    completion as epoch ms when it reads as a time: the same instant written in another form (``Z``, ``+00:00``, a
    fraction; another node or the listing by status) is the same change."""
    completed = completion_ms(raw)
    return '%s|%s|%s' % (raw.get('id'), TaskStatus.normalise(raw.get('status')),
                         raw.get('completionTimestamp') or '' if completed is None else completed)


def undated(raw):
    """Whether a task has no completion time that reads as one (``completedAfter`` cannot list it)."""
    return completion_ms(raw) is None


def key_statuses(key):
    """The parts of a change key (``id|STATUS|completion``) that may be its status."""
    return set(key.split('|')[1:])


def legacy_key(raw):
    """The key of a change as states saved before the completion was read as a time (the text as it came)."""
    return '%s|%s|%s' % (raw.get('id'), TaskStatus.normalise(raw.get('status')), raw.get('completionTimestamp') or '')


def as_task(raw):
    task = Task(raw)
    return CredentialsTask(raw) if task.looks_like_credentials else task


class VcfTaskWatch:
    """Change detection for ``vcf_tasks`` over a :class:`TaskService`."""

    def __init__(self, service, statuses=None, emit_existing=False, clock=time.time, log=None):
        self.service = service
        self.statuses = frozenset(TaskStatus.checked(statuses or [TaskStatus.FAILED], 'statuses'))
        self.emit_existing = emit_existing
        self.clock = clock
        self.log = log
        self.started = False
        self.cursor = None
        self.floor = None
        self.seen = {}
        self.last = {}
        self.refused = False
        # Set while a poll could not read every task completed since the cursor (see poll): where the next poll reads
        # on, as {'after': ms, 'page': pageNumber or None, 'mark': ms or None}.
        self.resume = None
        self.listing = None
        # The tasks skipped as unreadable (logged once each while the source runs).
        self.skipped = set()
        # True once a task dated after this host's clock was said (see _not_ahead; once while the source runs).
        self.ahead = False
        # The last sweep, as {'at': ms, 'polls': polls since}; None before the first (see poll).
        self.swept = None
        # True once SDDC Manager refused a sweep's taskStatus listing: no more sweeps.
        self.sweep_refused = False
        # What the current poll listed by taskStatus (normalised statuses), and the keys of its sweep's tasks.
        self.listed = frozenset()
        self.sweep_keys = set()

    # -- state ---------------------------------------------------------------------------------------------

    def load(self, state):
        if not state:
            return
        self.started = bool(state.get('started'))
        self.cursor = state.get('cursor')
        self.floor = state.get('floor')
        self.seen = dict(state.get('seen') or {})
        self.last = dict(state.get('last') or {})
        self.refused = bool(state.get('completed_after_refused'))
        self.resume = state.get('resume') if isinstance(state.get('resume'), dict) else None
        self.swept = state.get('swept') if isinstance(state.get('swept'), dict) else None
        self.sweep_refused = bool(state.get('sweep_refused'))

    def dump(self):
        return {'started': self.started, 'cursor': self.cursor, 'floor': self.floor, 'seen': self.seen, 'last': self.last,
                'completed_after_refused': self.refused, 'resume': self.resume, 'swept': self.swept,
                'sweep_refused': self.sweep_refused}

    # -- polling -------------------------------------------------------------------------------------------

    def _completed(self, after, page=None):
        """The :class:`CompletedPages` of the tasks completed after ``after`` (ms), or None when the server will not
        filter on completedAfter."""
        if self.refused:
            return None
        try:
            return self.service.completed_pages(max(0, int(after)), PAGES_PER_POLL, page=page, skip=self._skip)
        except ApiError as error:
            if not list_refused(error):
                raise
            self.refused = True
            if self.log:
                self.log.warning('vcf_tasks: SDDC Manager refused completedAfter (%s); tasks are listed by status from '
                                 'now on', error)
            return None

    def _skip(self, raw, error):
        """One task of a listing that cannot be read: left out, with one line naming it (once per task and problem)."""
        task_id = raw.get('id') if isinstance(raw, dict) else None
        what = 'task %s' % task_id if task_id is not None else 'a task without an id'
        problem = str(getattr(error, 'message', None) or error)
        if (what, problem) in self.skipped:
            return
        self.skipped.add((what, problem))
        if self.log:
            self.log.warning('vcf_tasks: %s is skipped: %s; the other tasks are still watched', what,
                             one_line(error))

    def _by_status(self, statuses, limit):
        found = []
        for status in sorted(statuses):
            found.extend(task.raw for task in self.service.list({'taskStatus': status}, max_results=limit, skip=self._skip))
        return found

    def _sweep_due(self, now, first):
        """Whether this poll sweeps (see the module's docstring): at the first poll, after a state saved without a
        sweep, every :data:`SWEEP_POLLS`-th poll, once :data:`SWEEP_MS` passed (or the clock went back)."""
        if self.refused or self.sweep_refused or not self.statuses & COMPLETED_AFTER_COVERS:
            return False
        if first or self.swept is None:
            return True
        try:
            polls, at = int(self.swept.get('polls') or 0), int(self.swept.get('at') or 0)
        except (TypeError, ValueError):
            return True
        return polls + 1 >= SWEEP_POLLS or not at <= now < at + SWEEP_MS

    def _sweep(self, statuses):
        """The tasks without a completion time in ``statuses``, listed by ``taskStatus`` (one page each); None when
        SDDC Manager refuses that listing (said once: no more sweeps)."""
        try:
            return [raw for raw in self._by_status(statuses, PAGE) if isinstance(raw, dict) and undated(raw)]
        except ApiError as error:
            if not list_refused(error):
                raise
            self.sweep_refused = True
            self._warn('vcf_tasks: SDDC Manager refused the listing by taskStatus (%s); tasks that fail without a '
                       'completion time are not seen from now on (completedAfter cannot list them)', one_line(error))
            return None

    def observe(self, after, existing=False, page=None, sweep=False):
        """The raw tasks of one poll: completed after ``after`` (from ``page`` on), plus the listings by status it
        needs, plus with ``sweep`` the tasks without a completion time in the statuses ``completedAfter`` covers. The
        :class:`CompletedPages` read is kept in ``self.listing`` (None when none was), the statuses listed by
        ``taskStatus`` in ``self.listed``, the keys of the sweep's tasks in ``self.sweep_keys``."""
        raws = []
        covered = self.statuses & COMPLETED_AFTER_COVERS
        self.listing = self._completed(after, page) if covered else None
        if covered and self.listing is None:
            listed = set(self.statuses)
        else:
            listed = set(self.statuses - COMPLETED_AFTER_COVERS)
        if self.listing is not None:
            raws.extend(self.listing.raws)
        raws.extend(self._by_status(listed, PAGE))
        self.sweep_keys = set()
        if existing:
            raws.extend(self._by_status(self.statuses, EXISTING_MAX))
            listed = set(self.statuses)
        elif sweep and self.listing is not None:
            swept = self._sweep(covered)
            if swept is not None:
                raws.extend(swept)
                listed |= covered
                self.sweep_keys = set(change_key(raw) for raw in swept)
        self.listed = frozenset(listed)
        unique = {}
        for raw in raws:
            if isinstance(raw, dict) and raw.get('id') is not None:
                unique.setdefault(change_key(raw), raw)
        return sorted(unique.values(), key=lambda raw: (completion_ms(raw) or 0, str(raw.get('id'))))

    def poll(self):
        """``(pending, observed)`` (see ``_watch``)."""
        now = int(self.clock() * 1000)
        first = not self.started
        page = None
        if first:
            after = now - BASELINE_MS
            floor = None if self.emit_existing else after
        elif self.resume:
            # The last poll could not read every task completed since the cursor: read on from where it stopped (a
            # page before it too, so that a task that left the list since, a retry, shifts no unread task past it).
            after, page, floor = int(self.resume['after']), self.resume.get('page'), self.floor
            page = None if page is None else max(0, int(page) - 1)
        else:
            after = (self.cursor if self.cursor is not None else now - BASELINE_MS) - OVERLAP_MS
            floor = self.floor
            if floor is not None:
                after = max(after, floor)
        sweep = self._sweep_due(now, first)
        raws = self.observe(after, existing=first and self.emit_existing, page=page, sweep=sweep)
        base = self._server_behind(now) if first else None
        if base is not None:
            # SDDC Manager dates its tasks on its own clock, behind this host's: the first start's hour is read again on
            # that clock, or what fails in the first hours (dated before this host's hour ago) would be taken as there.
            after = base - BASELINE_MS
            floor = None if self.emit_existing else after
            raws = self.observe(after, existing=self.emit_existing, page=page, sweep=sweep)
        listing, listed = self.listing, self.listed
        emit = self.emit_existing or not first
        # A state saved before sweeps existed (an older release): what its first sweep shows was there before it.
        baseline = self.sweep_keys if self.swept is None and not first else set()
        pending = []
        for raw in raws:
            key = change_key(raw)
            try:
                task = as_task(raw)
                if (emit and task.status in self.statuses and not self._known(key, raw) and not self._before(raw, floor)
                        and key not in baseline):
                    event = {'vcf_task': info_entry(task), 'status': task.status, 'previous_status': self.last.get(task.id)}
                    pending.append((event, self._committer(key, raw)))
            except (ApiError, OSError):
                raise
            except Exception as error:  # pylint: disable=broad-except
                # This code cannot make an event of that one task (an answer it did not foresee): the other tasks are
                # still emitted rather than every poll failing on it.
                self._skip(raw, error)

        def observed():
            for raw in raws:
                self._record(change_key(raw), raw)
            self.floor = self._advance(after, first, page, listing, raws, now if base is None else base, floor)
            self.started = True
            if listed >= self.statuses & COMPLETED_AFTER_COVERS and sweep:
                self.swept = {'at': now, 'polls': 0}
            elif self.swept is not None:
                self.swept = dict(self.swept, polls=int(self.swept.get('polls') or 0) + 1)
            self._prune(set(change_key(raw) for raw in raws), listed)
        return pending, observed

    def _advance(self, after, first, page, listing, raws, now, floor):
        """Move the cursor after a poll that asked completedAfter ``after`` (from ``page``), never past a task completed
        after it that was not read; returns the floor. A listing cut by :data:`PAGES_PER_POLL` moves it to the last
        completion read when the server listed oldest completion first (the next poll reads on from there), else keeps
        it and the next poll reads on from the next page: the cursor then moves once every page was read, to the newest
        completion of the poll that read the first page (what completes later lands in pages already read)."""
        resume, self.resume = self.resume, None
        if listing is None or listing.complete:
            if resume and resume.get('page') is not None:
                self.cursor = max(self.cursor or 0, resume.get('mark') or 0) or self.cursor
            else:
                newest = max([completion_ms(raw) or 0 for raw in raws] + [self.cursor or 0])
                self.cursor = newest or (after if first else self.cursor)
            self._not_ahead(now, raws)
            return floor
        read = [ms for ms in (completion_ms(raw) for raw in listing.raws) if ms is not None]
        since = iso(after)
        if first and not self.emit_existing:
            # The first start's hour holds more tasks than a poll reads: they were there before the source started.
            floor = self.cursor = now - OVERLAP_MS
            self._warn('vcf_tasks: more than %d tasks completed in the hour before the first start (since %s): they are '
                       'taken as already there, and tasks that complete after %s are watched', len(listing.raws), since,
                       iso(floor))
            return floor
        if page is None and read and ascending(listing.raws) and read[-1] - 1 > after:
            self.cursor = read[-1]
            self.resume = {'after': read[-1] - 1, 'page': None, 'mark': None}
            self._warn('vcf_tasks: more than %d tasks completed since %s; the %d that completed first (up to %s) were '
                       'read, and the next poll reads on from there (the cursor never passes a task not read)',
                       len(listing.raws), since, len(listing.raws), iso(read[-1]))
            return floor
        mark = resume.get('mark') if resume and resume.get('page') is not None else (max(read) if read else None)
        self.cursor = self.cursor if self.cursor is not None else after
        self.resume = {'after': after, 'page': listing.next_page, 'mark': mark}
        self._warn('vcf_tasks: more than %d tasks completed since %s and SDDC Manager did not list them oldest first (it '
                   'may ignore orderBy=completionTimestamp): %d were read (of %s); the next poll reads on from page %s, '
                   'and the cursor stays at %s until every page was read', len(listing.raws), since, len(listing.raws),
                   listing.total if listing.total is not None else 'more', listing.next_page, iso(self.cursor))
        return floor

    def _not_ahead(self, now, raws):
        """Keep the cursor at or before this host's clock: a completion dated after it (a server or node whose clock ran
        ahead, since corrected) would move ``completedAfter`` past every task that completes later with a true date,
        and their events would be lost. The first task dated more than :data:`OVERLAP_MS` ahead is said, once while
        the source runs (a server whose clock is ahead dates every task so)."""
        if self.cursor is None or self.cursor <= now:
            return
        self.cursor = now
        for raw in raws:
            completed = completion_ms(raw)
            if self.ahead or completed is None or completed <= now + OVERLAP_MS:
                continue
            self.ahead = True
            self._warn('vcf_tasks: task %s reads a completion at %s, after this host\'s clock (%s): SDDC Manager\'s clock '
                       'or this host\'s may be wrong (check NTP on both); the cursor stays at this host\'s time, so that '
                       'tasks completing later are still listed (said once)', raw.get('id'), iso(completed), iso(now))

    def _server_behind(self, now):
        """SDDC Manager's clock (epoch ms, from the Date header of its last answer) when it is more than
        :data:`OVERLAP_MS` behind this host's ``now``, said once; None otherwise (or without a Date header)."""
        server = http_date_ms(getattr(getattr(self.service, 'client', None), 'server_date', None))
        if server is None or server >= now - OVERLAP_MS:
            return None
        self._warn('vcf_tasks: SDDC Manager\'s clock reads %s, %d minutes behind this host\'s (%s): the first start '
                   'takes what completed in the hour before %s (SDDC Manager\'s clock) as already there; check NTP on '
                   'both', iso(server), (now - server) // 60000, iso(now), iso(server))
        return server

    def _warn(self, message, *args):
        if self.log:
            self.log.warning(message, *args)

    def _known(self, key, raw):
        """Whether the change was emitted or seen already (under its key, or the key a state of an older release has)."""
        return key in self.seen or legacy_key(raw) in self.seen

    @staticmethod
    def _before(raw, floor):
        """Whether the task completed at or before the first start's floor (already there when the source started)."""
        completed = completion_ms(raw)
        return floor is not None and completed is not None and completed <= floor

    def _committer(self, key, raw):
        return lambda: self._record(key, raw)

    def _record(self, key, raw):
        task_id = str(raw.get('id'))
        self.seen[key] = completion_ms(raw)
        self.last.pop(task_id, None)
        self.last[task_id] = TaskStatus.normalise(raw.get('status'))
        while len(self.last) > LAST_MAX:
            self.last.pop(next(iter(self.last)))

    def _prune(self, observed, listed=frozenset()):
        """Forget the changes that no later poll can return again: completed before the overlap window, or without a
        completion time and not in this poll's listing of their status (``listed``: the statuses it listed by
        ``taskStatus``; a change without a completion time whose status was not listed is kept until one is)."""
        horizon = (self.cursor or 0) - 2 * OVERLAP_MS
        self.seen = dict((key, ms) for key, ms in self.seen.items()
                         if key in observed or (ms is not None and (ms >= horizon or self._first_window(ms)))
                         or (ms is None and not key_statuses(key) & listed))

    def _first_window(self, ms):
        """Whether a change completed in the first start's window (after the floor, before the first poll): it was
        there at the first start, and is kept (that hour bounds them) so that a listing by status that drops it and
        lists it again later does not emit it."""
        return self.floor is not None and self.floor < ms <= self.floor + BASELINE_MS
