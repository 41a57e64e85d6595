# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Recovery after a lost answer: look for what the request did, adopt it, never send the request again.

Internal use only: this file may change without notice between releases.

A create, start, retry or answer whose answer was lost (``_client.AnswerLost``) may have been applied. The one
rule of the collection: such a request is never sent again by the module. :func:`adopt` looks for its effect for
a bounded **adoption window** (:func:`adoption_window`: the request ``timeout`` plus :data:`ADOPTION_MARGIN`
seconds, counted from the moment the answer was lost, and never past a deadline the caller gives), adopts the
one object that appears, fails listing them when several match, and fails in one line saying the request may or
may not have been applied when nothing appears in time (after a server's own 500, ``details['answered']``, the
window is the margin alone: the request timeout played no part). :func:`adopt_each` does the same for several requests
jointly (the lost starts of one batch): one look serves all of them, for one window in all.
"""

from __future__ import annotations

import math
import time

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import AdoptionFailed
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import after_timeout

# Seconds added to the request timeout: a server slower than the timeout may commit after the client gave up.
ADOPTION_MARGIN = 10.0
# The request timeout assumed when the client has none.
DEFAULT_TIMEOUT = 30.0
# Seconds between two looks.
ADOPTION_INTERVAL = 1.0


def adoption_window(timeout, margin=ADOPTION_MARGIN):
    """How long (seconds) to look for the effect of a request whose answer was lost: ``timeout`` plus ``margin``."""
    return after_timeout(timeout, margin, DEFAULT_TIMEOUT)


def _request(lost):
    method, url = getattr(lost, 'method', None), getattr(lost, 'url', None)
    return '%s %s' % (method, url) if method and url else 'the request'


def _answered(lost):
    """True when the server answered ``lost`` with its own failure (a 500: ``details['answered']``), not lost it."""
    return bool((getattr(lost, 'details', None) or {}).get('answered'))


def _accepted(lost):
    """The status of a success whose answer named nothing it made (``details['accepted']``: a vRO 202 without a run
    id): the request was applied, its effect is only unnamed; None for an answer that was lost."""
    return (getattr(lost, 'details', None) or {}).get('accepted')


def _what_came(lost, makes=True):
    """How the answer to ``lost`` went wrong, to begin a sentence: lost, a server error (which is not lost), or a
    success that could not be read. ``makes``: the request makes something (a start, a create), whose answer should
    have named it; a request that changes an existing object (a retry, an update, an answer) made nothing to name."""
    if _accepted(lost):
        return 'the server accepted %s (HTTP %s) but its answer %s (%s)' % (
            _request(lost), _accepted(lost), 'did not name what it made' if makes else 'could not be read', lost.message)
    if _answered(lost):
        return '%s was answered with a server error (%s)' % (_request(lost), lost.message)
    return 'the answer to %s was lost (%s)' % (_request(lost), lost.message)


def adopt(lost, find, window, noun, look_at, rerun, ident=str, describe=None, warn=None, fail=AdoptionFailed,
          ids_key='candidates', deadline=None, interval=ADOPTION_INTERVAL, clock=time.monotonic, sleep=time.sleep,
          missing=None, adopted=None):
    """Look for the effect of the request that raised ``lost``; return the one object it made. Never resends.

    ``find()`` returns the candidates: only objects this request can have made (created after it was sent, by this
    user, with these inputs; or, for a retry or an answer, the object once it shows the effect). It is called at
    once, then every ``interval`` seconds until ``window`` seconds have passed (or the monotonic ``deadline``, when
    sooner). Exactly one candidate is adopted (with a warning through ``warn``); several raise ``fail`` listing
    them (their ids under ``ids_key``); none in time raises ``fail`` saying the request may or may not have been
    applied, what to look at (``look_at``) and what re-running the task does (``rerun``, a clause such as
    ``re-running the task is safe: ...``).
    ``noun`` names what the request makes (``run``, ``scheduled task`` ...); ``ident`` gives a candidate's id,
    ``describe`` a short description (default: the id). For a request that changes an existing object (a retry,
    an update, an answer), ``missing`` replaces "no <noun> it would have made appeared" and ``adopted`` (a format
    taking the description, or a callable taking the candidate) replaces "adopted <noun> <description>, which it
    made"; ``missing`` also marks the request as one that makes nothing (a success whose answer cannot be read is
    then said to be unreadable, not to leave unnamed what it made).
    One request is the special case of :func:`adopt_each` with one entry.
    """
    found, failure = adopt_each([lost], lambda pending: lambda index: find(), window, noun, look_at, rerun, ident=ident,
                                describe=describe, warn=warn, fail=fail, ids_key=ids_key, deadline=deadline,
                                interval=interval, clock=clock, sleep=sleep, missing=missing, adopted=adopted)[0]
    if failure is not None:
        raise failure
    return found


def adopt_each(losts, look, window, noun, look_at, rerun, ident=str, describe=None, warn=None, fail=AdoptionFailed,
               ids_key='candidates', deadline=None, interval=ADOPTION_INTERVAL, clock=time.monotonic, sleep=time.sleep,
               missing=None, adopted=None, on_adopt=None, errors=()):
    """:func:`adopt` for several requests whose answers were lost, jointly: one look serves all, one window for all.

    ``losts`` are the AnswerLost errors, in the order each look decides them. ``look(pending)`` is called at once,
    then every ``interval`` seconds, with the indexes of ``losts`` still undecided; it reads what this look needs
    (one listing for all of them) and returns ``find(index)``, the candidates of one request from that read,
    called in order for each pending index. A request is decided as :func:`adopt` decides it: exactly one
    candidate is adopted (warning through ``warn``, then ``on_adopt(index, candidate)``, so that the next
    ``find`` of the same look can leave it out), several fail at once listing them, none once the window (counted
    from the first look, capped by ``deadline``) has passed fail saying the request may or may not have been
    applied. The looks stop when every request is decided or the window ends: never one window per request.
    ``look_at`` is one string, or a list with one per request. An exception of a type in ``errors`` raised by
    ``find(index)`` fails that request; raised by ``look``, every pending one. Returns, per request,
    ``(adopted, None)`` or ``(None, failure)``; nothing is raised for a request that could not be adopted.
    """
    describe = describe or ident
    look_ats = list(look_at) if isinstance(look_at, (list, tuple)) else [look_at] * len(losts)
    outcomes = [(None, None)] * len(losts)
    pending = list(range(len(losts)))
    start = clock()
    if losts and all(_answered(lost) for lost in losts):
        # The server answered (a 500): no commit after a client timeout to wait for, only an effect the server shows a
        # moment later (a VCF retry may read FAILED for seconds after its PATCH): the margin alone.
        window = min(window, ADOPTION_MARGIN)
    end = start + max(0.0, window)
    if deadline is not None:
        end = min(end, deadline)
    # Bounded in looks as well as in time: with a sleep that does not sleep (tests), the window still ends.
    max_looks = int(math.ceil(max(0.0, end - start) / interval)) + 1 if interval > 0 else 1
    looks = 0
    while pending:
        looks += 1
        try:
            find = look(list(pending))
        except errors as error:
            for index in pending:
                outcomes[index] = (None, error)
            return outcomes
        for index in list(pending):
            lost = losts[index]
            try:
                found = list(find(index) or [])
            except errors as error:
                found, outcomes[index] = None, (None, error)
            if found is None:
                pass
            elif len(found) == 1:
                if warn:
                    if callable(adopted):
                        done = adopted(found[0])
                    else:
                        done = (adopted or 'adopted ' + noun + ' %s, which it made') % describe(found[0])
                    warn('%s; %s, instead of sending it again' % (_what_came(lost, missing is None), done))
                outcomes[index] = (found[0], None)
                if on_adopt:
                    on_adopt(index, found[0])
            elif found:
                outcomes[index] = (None, fail(
                    '%s and %d %ss that it may have made appeared since it was sent: '
                    '%s; not adopting any and not sending it again: look at %s' % (
                        _what_came(lost, missing is None), len(found), noun, ', '.join(describe(c) for c in found),
                        look_ats[index]),
                    error=lost.to_result(), **dict({ids_key: [ident(c) for c in found]}, **(
                        {'changed': True} if _accepted(lost) else {}))))
            else:
                continue
            pending.remove(index)
        now = clock()
        if not pending or now >= end or looks >= max_looks:
            break
        sleep(min(interval, end - now))
    for index in pending:
        lost = losts[index]
        if _accepted(lost):
            # Applied for sure (a success): never "may or may not", which would let a re-run look safe.
            outcomes[index] = (None, fail(
                '%s and %s within %.0fs (%d looks): it was applied, so do not simply run it again; look at %s; %s' % (
                    _what_came(lost, missing is None), missing or 'no %s it would have made appeared' % noun,
                    max(0.0, end - start), looks, look_ats[index], rerun),
                error=lost.to_result(), adoption_window=window, changed=True, **{ids_key: []}))
            continue
        outcomes[index] = (None, fail(
            '%s may or may not have been applied: its answer %s (%s) and %s within %.0fs (%d looks); '
            'look at %s; %s' % (_request(lost), 'was a server error' if _answered(lost) else 'was lost', lost.message,
                                missing or 'no %s it would have made appeared' % noun,
                                max(0.0, end - start), looks, look_ats[index], rerun),
            error=lost.to_result(), adoption_window=window, **{ids_key: []}))
    return outcomes
