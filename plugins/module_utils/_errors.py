# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The error types of the collection, for every layer: no Ansible imports, no I/O.

Internal use only: this file may change without notice between releases.

:class:`ApiError` is every failed request (built by ``_client``); :class:`AnswerLost` is the one that may have been
applied (rule: decided by the type alone, recovered by ``_adopt``); :class:`OperationError` is a failure that is not
an HTTP error; :class:`InputError` is invalid user input; :class:`WaitTimeout` is a wait past its deadline.
``OrchestratorModule.run`` turns each into ``fail_json`` with a one-line ``msg``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from ansible_collections.cloudops.orchestrator.plugins.module_utils._shape import snake_keys

_SECRET_QUERY = re.compile(r'([?&][^=&#]*(?:token|password|secret|key)[^=&#]*=)[^&#]*', re.IGNORECASE)
# The user info of every URL in a text (a library's message may quote a proxy URL in the middle of a sentence); up to
# the last '@' of the authority, since a password may hold an unescaped '@'.
_USERINFO = re.compile(r'\b([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\s\'"]*@')


def one_line(text):
    """``str(text)`` on one line: every run of white space, line breaks included (a stack trace's), folded to one
    space."""
    return ' '.join(str(text).split())


def safe_url(url):
    """Return ``url`` (or a text quoting URLs) without user info or secret-looking query values, for messages."""
    if not url:
        return url
    url = _USERINFO.sub(r'\1', str(url))
    return _SECRET_QUERY.sub(r'\1********', url)


class ApiError(Exception):
    """Every failure of a request, mapped to one type.

    ``kind`` is one of ``http``, ``connection``, ``timeout``, ``tls``, ``json``, ``html``, ``auth``,
    ``validation``, ``config``, ``paging`` (a list that never ends), ``size`` (an answer past the client's
    ``MAX_ANSWER_BYTES``), ``shape`` (a JSON answer of the wrong shape),
    ``origin`` (a server URL on another origin, not followed) or ``redirect`` (a 3xx).
    ``details['sent']`` is true when a request may have reached the server before its answer was lost.
    """

    def __init__(self, message, kind='http', status=None, method=None, url=None, server_message=None,
                 details=None, body_excerpt=None, attempts=None, hint=None):
        self.message = message
        self.kind = kind
        self.status = status
        self.method = method
        self.url = safe_url(url)
        self.server_message = server_message
        self.details = details or {}
        self.body_excerpt = body_excerpt
        self.attempts = attempts
        self.hint = hint
        super().__init__(message)

    def __str__(self):
        parts = []
        if self.method and self.url:
            where = '%s %s' % (self.method, self.url)
            parts.append('%s failed' % where if self.status is None else '%s returned HTTP %s' % (where, self.status))
        message = self.message
        echo = 'the server answered HTTP %s' % self.status
        if self.status is not None and self.method and self.url and (message == echo or message.startswith(echo + ';')):
            message = message[len(echo):].lstrip('; ')  # "returned HTTP 503" already says it
        parts.append(message)
        said = one_line(self.server_message or '')
        if said and said not in self.message and self.server_message not in self.message:
            parts.append('server said: %s' % said)
        for key in ('remediationMessage', 'referenceToken'):
            if self.details.get(key):
                parts.append('%s: %s' % (key, self.details[key]))
        if self.body_excerpt and self.kind in ('html', 'json', 'http') and not self.server_message:
            parts.append('body starts with: %r' % self.body_excerpt)
        if self.attempts and self.attempts > 1:
            parts.append('after %d attempts' % self.attempts)
        if self.hint:
            parts.append(self.hint)
        return '; '.join(p for p in parts if p)

    def to_result(self):
        """The structured ``error`` result returned to the playbook (never carries credentials)."""
        result = {
            'kind': self.kind,
            'status': self.status,
            'method': self.method,
            'url': self.url,
            'message': self.message,
            'server_message': self.server_message,
            'attempts': self.attempts,
        }
        if self.body_excerpt:
            result['body_excerpt'] = self.body_excerpt
        if self.hint:
            result['hint'] = self.hint
        if self.details:
            # The server's error fields in the one return style (errorCode -> error_code); self.details keeps them.
            result['details'] = snake_keys(self.details)
        return result


class AnswerLost(ApiError):
    """A request that may have reached the server, and been acted upon, but whose answer was lost.

    The one place that decides "may have been applied": a read timeout, a connection reset or abort after
    sending, an answer cut short, a gateway's 502/504 or a server's own 500 to a request that is not resent (all
    but GET, HEAD, OPTIONS: a PUT or DELETE as well as a POST). ``kind`` (``timeout``,
    ``connection``, or ``http`` for a gateway's answer, whose status is in ``details``) and ``details['sent']``
    (always true) are as for any ApiError. When the server's status line and headers arrived before the body was cut,
    ``details`` keeps ``status``, ``location`` and the ``id`` (last path segment of ``location``), so that
    recovery can look there first. A create/start/retry/answer that raised this is never sent again:
    see ``_adopt``; an update, cancel or delete reads the object back instead.
    """

    @property
    def location(self):
        return self.details.get('location')

    @property
    def created_id(self):
        return self.details.get('id')


def answer_lost(message, kind, method, url, attempts=None, response=None, hint=None):
    """Build the :class:`AnswerLost` for a request that was sent but got no (complete) answer.

    ``response`` is the answer whose headers arrived before its body was lost, when there is one. Every code
    path that raises "sent, but no answer" builds its error here, so that callers can rely on the type.
    """
    details = {'sent': True}
    if response is not None:
        details['status'] = response.status_code
        location = response.headers.get('Location')
        if location:
            details['location'] = safe_url(location)
            created = location.split('?', 1)[0].rstrip('/').rsplit('/', 1)[-1]
            if created:
                details['id'] = unquote(created)
    return AnswerLost(message, kind=kind, method=method, url=url, attempts=attempts, details=details, hint=hint)


def may_have_been_applied(error):
    """True when ``error`` says a request may have reached the server and been acted upon (its answer was lost)."""
    return isinstance(error, AnswerLost)


class OperationError(Exception):
    """A failure that is not an HTTP error: a failed run, an ambiguous name, a bad input value.

    ``result`` is merged into the failed module result.
    """

    def __init__(self, message, **result):
        super().__init__(message)
        self.result = result


def lost_answer(lost, what):
    """How the answer to ``what`` (``the update of task 7``) went wrong, to begin a sentence: lost, or, for a success
    whose answer could not be read (``details['accepted']``), accepted: a write that makes nothing (an update, a
    delete) has nothing else to name."""
    accepted = (getattr(lost, 'details', None) or {}).get('accepted')
    if accepted:
        return '%s was accepted (HTTP %s) but its answer could not be read (%s)' % (what, accepted, lost)
    return 'the answer to %s was lost (%s)' % (what, lost)


def settle_lost_delete(lost, read, warn, action, subject, gone, there, look_with):
    """After a DELETE whose answer was lost (``lost``, an AnswerLost), which is never sent again: ``read()`` the object
    back (None: gone). Gone is the DELETE taken: ``warn`` says so and True is returned. Still there, or a read that
    fails, raises OperationError saying the ``action`` may still be (or may have been) applied and to look with
    ``look_with``. ``subject`` names the object (``task 7``), ``gone`` and ``there`` say what the read found."""
    try:
        still = read()
    except ApiError as error:
        raise OperationError('%s, and reading it back failed (%s): the %s may have been applied; look with %s (running '
                             'this task again is safe)' % (lost_answer(lost, 'the %s of %s' % (action, subject)), error,
                                                           action, look_with), error=lost.to_result()) from None
    if still is None:
        warn('%s; %s: the %s was taken, not sending it again'
             % (lost_answer(lost, 'the %s of %s' % (action, subject)), gone, action))
        return True
    raise OperationError('%s, and %s: the %s may still be applied; look with %s (running this task again is safe)'
                         % (lost_answer(lost, 'the %s of %s' % (action, subject)), there, action, look_with),
                         error=lost.to_result()) from None


class InputError(ValueError):
    """Invalid user input found below the module layer (a ValueError, so that callers catching that still do)."""


class ConfigError(ValueError):
    """Connection options that cannot work together (no credentials, contradicting auth settings), found before
    anything is sent; the message is the one line the user sees (a module fails with it, an event source stops)."""


class WaitTimeout(Exception):
    """The deadline passed; ``last`` is the last observation (None if every poll failed)."""

    def __init__(self, message, last=None, elapsed=0.0, polls=0, last_error=None):
        super().__init__(message)
        self.last = last
        self.elapsed = elapsed
        self.polls = polls
        self.last_error = last_error


class AdoptionFailed(Exception):
    """Nothing, or more than one thing, could be adopted; ``result`` is merged into the failed module result."""

    def __init__(self, message, **result):
        super().__init__(message)
        self.result = result
