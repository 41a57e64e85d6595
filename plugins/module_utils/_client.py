# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP client shared by every module of the collection.

Internal use only: this file may change without notice between releases.

One ``requests.Session`` per module run (keep-alive; a write never on a connection idle past
:data:`FRESH_WRITE_AFTER_IDLE`), TLS settings, retries with backoff for safe requests (GET,
HEAD, OPTIONS; any request that provably never left), one error type (:class:`ApiError`) for every failure, and a bounded pagination loop.

Product-neutral: a product's API layer passes in its API path, its name, the parser of its error bodies
(``parse_error``) and its pager (see :meth:`Client.paginate`); nothing here knows a product.
"""

from __future__ import annotations

import codecs
import copy
import email.utils
import json as _json
import math
import os
import random
import re
import socket
import ssl
import threading
import time
import traceback
from http.client import BadStatusLine
from urllib.parse import quote, quote_plus, unquote, urljoin, urlsplit

try:
    import requests
    from requests.adapters import HTTPAdapter
    from requests.utils import get_environ_proxies, guess_json_utf, select_proxy
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.exceptions import ConnectTimeoutError, DecodeError, NewConnectionError, ProtocolError, ReadTimeoutError
    from urllib3.util import Timeout as Urllib3Timeout
except ImportError:  # pragma: no cover - reported through missing_required_lib
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, answer_lost, one_line, safe_url

RETRY_STATUSES = frozenset((429, 502, 503, 504))
# A proxy or load balancer's answer that its upstream gave no valid or timely answer (RFC 9110 15.6.3, 15.6.5): the
# request may have been forwarded and acted upon, so one that is not resent (all but GET, HEAD, OPTIONS) is "may have been applied" (AnswerLost).
GATEWAY_STATUSES = {502: 'Bad Gateway', 504: 'Gateway Timeout'}
# The methods sent again after an attempt that may have reached the server (RFC 9110 9.2.1 "safe": they change
# nothing). PUT, DELETE and PATCH are not among them, idempotent or not: a request that may have reached the server is
# never sent again (a resent PUT can overwrite a change made in between); its caller looks for its effect instead.
RESENDABLE_METHODS = frozenset(('GET', 'HEAD', 'OPTIONS'))
# 5xx answers in which the server itself says it did not handle the request (RFC 9110 15.6.2 501, 15.6.4 503, 15.6.6
# 505). Any other 5xx that is not a gateway's (500, 507, ...) is the application failing while it handled the request:
# what it did before failing may stay done, so a request that is not resent is "may have been applied" (AnswerLost).
NOT_HANDLED_5XX = frozenset((501, 503, 505))
RETRY_AFTER_MAX = 120.0
# Paging stops with an error after this many items' worth of pages (ceil(PAGING_MAX_ITEMS / page size) pages), so
# that a server which never says "last page" cannot keep a task reading forever.
PAGING_MAX_ITEMS = 100000
# The most bytes of one answer's body, counted after gzip/deflate decoding: past it the read stops and the request fails
# (kind ``size``) instead of holding an endless body (``[{},{},...`` streamed forever) or a decompression bomb (a few
# hundred KB of gzip inflating to GBs) in memory until the timeout. The largest real answers are far below it: a page of
# 100 vRO workflows, runs or log entries or of 100 SDDC Manager tasks with their sub-tasks (KBs to a few MB), a workflow
# schema PNG (KBs, a few MB for the largest workflows). ICO's task list is not paged: its read asks for
# UNPAGED_LIST_MAX_BYTES instead (``max_bytes``).
MAX_ANSWER_BYTES = 64 * 1024 * 1024
# The bound of one answer that is a whole collection the server does not page (ICO 2.5's GET /tasks, a JSON array of
# every task the user may see, about 1-2 KB a task): as many items as paging reads at most (PAGING_MAX_ITEMS), at
# 2.5 KB each, so that an installation which keeps 100,000 tasks is still read whole, as it was before any bound.
UNPAGED_LIST_MAX_BYTES = 256 * 1024 * 1024
EXCERPT_LEN = 200
HTML_HINT = ('the server answered with an HTML page instead of JSON: a proxy, a load balancer or a login portal in front '
             'of the product, or the product\'s own error page; the start of the page (body_excerpt) tells which')
PROXY_PAGE_HINT = ('the page is a proxy\'s or load balancer\'s (%s), not the product\'s: the server behind it did not '
                   'answer, or not in time; check that the product\'s server is up and reachable from that proxy')
APP_SERVER_PAGE_HINT = ('the page is the application server\'s own (%s), not a proxy\'s: the product itself answered %s; look '
                        'in the product\'s server logs at this time for the cause, and ask its administrator if it persists')
# Whose HTML error page it is, from its own words. A proxy's or load balancer's: nginx signs its pages
# ("<hr><center>nginx</center>", src/http/ngx_http_special_response.c), Apache httpd and IBM HTTP Server theirs
# ("<address>Apache/2.4 ... Server at", mod_proxy's "Proxy Error"), and HAProxy, F5 BIG-IP, Envoy, Squid, Varnish,
# Traefik and Cloudflare name themselves. An application server's: WebSphere and Open Liberty answer an exception with
# "Error 500: <exception>" and SRVE messages as text/html (OpenLiberty/openliberty.io#2517 "Error 500:
# javax.servlet.ServletException: ... SRVE0190E"; OpenLiberty/open-liberty#32962 "SRVE0232E: An exception occurred";
# open-liberty#16118: the web container sets text/html on an error) - ICO runs on WebSphere -, Tomcat (vRO 7.x) with
# "HTTP Status 500 - ..." pages; a page quoting an ICO message id (CTJCOnnnnX, as in IBM's task sample) is ICO's.
_PROXY_PAGE = re.compile(r'<center>\s*(nginx)|\b(nginx)/|(Apache/\d[^<]*Server at)|(IBM_HTTP_Server)|(Proxy Error)|\b(HAProxy)\b|'
                         r'\b(BIG-IP)\b|\b(F5)\b|\b(envoy)\b|\b(squid)/?|\b(Varnish)\b|\b(Traefik)\b|\b(cloudflare)\b',
                         re.IGNORECASE)
_APP_SERVER_PAGE = re.compile(r'^\s*(Error \d{3}:[^<]{0,80})|\b(SRVE\d{4}[EIW])\b|\b((?:javax|jakarta)\.servlet)\b|'
                              r'\b(com\.ibm\.ws)\.|\b(WebSphere)\b|\b(Open ?Liberty)\b|\b(Apache Tomcat)\b|'
                              r'(HTTP Status \d{3}\b)|\b(CTJCO\d{4}[EIW])\b', re.IGNORECASE)
_TAG = re.compile(r'<[^>]*>')
_HTML_TITLE = re.compile(r'<title[^>]*>(.*?)</title>', re.IGNORECASE | re.DOTALL)
_CONNECTION_PREFIX = re.compile(r'^<?\w*Connection(?:Pool)?\([^)]*\)>?: ')
_ENCODED_DOT = re.compile(r'%2e', re.IGNORECASE)
DEFAULT_PORTS = {'http': 80, 'https': 443}
REDIRECT_HINT = 'the URL may point at a login page or a load balancer; set url to the address the API itself answers on'
# A JWT, or the start of one cut off by an excerpt: tokens the client has not learnt yet are masked by their shape.
_JWT = re.compile(r'eyJ[\w-]{6,}(?:\.[\w-]*){0,2}')
# Secrets shorter than this are not masked: replacing every 'e' of a result would mangle it and reveal the secret.
MIN_SECRET_LEN = 3
SHORT_SECRET_WARNING = ('a secret value shorter than %d characters is not masked in the results (masking it would '
                        'replace every occurrence of those characters): use a longer secret' % MIN_SECRET_LEN)
# Seconds to open a connection (TCP and TLS handshake), within ``timeout``: a firewall that drops packets or a
# wrong host shows within seconds, not after the whole ``timeout``.
DEFAULT_CONNECT_TIMEOUT = 5.0
# How many read timeouts one request may have: a server that accepted the connection and did not answer within
# ``timeout`` is asked once more (safe requests only, see RESENDABLE_METHODS), then the request fails.
MAX_READ_TIMEOUTS = 2
# Seconds a pooled keep-alive connection may have been idle and still carry a request that is not resent (any method
# but RESENDABLE_METHODS: a start, create, retry, answer, cancel); past that, the request goes on a fresh connection.
# Servers close idle keep-alive connections on their own clock (Apache httpd and Node.js after 5 s, Tomcat's
# keepAliveTimeout 20-60 s, nginx 75 s), and urllib3 notices only a close that has already arrived: a request sent in
# the instant the server closes is lost unanswered ("Remote end closed connection without response"), and a write
# lost that way may have been applied, so it is never sent again (AnswerLost, then adoption). A write right after
# another request (a start after its workflow's read) keeps the warm connection: no extra handshake.
FRESH_WRITE_AFTER_IDLE = 1.0
# OpenSSL's words when an https:// URL meets a port that speaks plain HTTP (the answer is not a TLS record).
_PLAIN_HTTP_ON_TLS = re.compile(r'wrong version number|record layer failure|packet length too long|unknown protocol',
                                re.IGNORECASE)


SEGMENT_RULE = "an id is one URL path segment, so it cannot be empty, '.' or '..', nor contain '/', '?', '#' or a percent-encoded dot"


def path_segment(value, what='id', option=None):
    """``value`` quoted as one URL path segment; ApiError (nothing sent) for a value that could leave its segment.

    Every id that goes into a URL path, from a user or from a server, goes through here, for all three products.
    ``option`` names the user's option that gave the value (``_module`` checks every id option with it before anything
    is sent): its refusal says to check that value. Without it the value came from a server's answer (an id in a list,
    an attribute or a link), which the user never gave: the refusal says so, and what to do.
    """
    text = str(value)
    if not text or text in ('.', '..') or any(c in text for c in '/?#') or _ENCODED_DOT.search(text):
        if option:
            raise ApiError("refusing %s %r: %s; check the value" % (option, text, SEGMENT_RULE), kind='validation')
        raise ApiError("refusing %s %r, which the server sent in its answer: %s, so no request was sent with it; the "
                       "server, or a proxy in front of it, named an object that its API cannot address: look at that "
                       "object in the product's own interface, and report the id to the server's administrator"
                       % (what, text, SEGMENT_RULE), kind='validation')
    return quote(text, safe='')


def url_origin(url):
    """``(scheme, host, port)`` of an absolute URL: scheme and host lower-case, the default port made explicit."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return '', '', -1  # an unreadable URL (an unclosed '[' host) is on no origin, so never on the configured one
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1  # an unreadable port never equals the configured one
    return scheme, (parts.hostname or '').lower(), port if port is not None else DEFAULT_PORTS.get(scheme)


def join_reference(base, reference):
    """``reference`` (a server's ``Location`` or ``href``) resolved against ``base`` (RFC 3986), as ``urljoin`` does;
    a reference ``urljoin`` cannot read (``https://[::1:8443/x``: ValueError) is returned as it came, so that the
    origin rule refuses it and messages quote it, instead of a bare "Invalid IPv6 URL" with the request's outcome lost."""
    try:
        return urljoin(base, reference)
    except ValueError:
        return reference


def no_redirect_target(response):  # pylint: disable=unused-argument
    """The Session's ``get_redirect_target``: none, ever; this client follows no redirect (see Client.__init__)."""
    return None


def secret_forms(secret):
    """``secret`` as it may appear in an answer's text: as is, escaped in a JSON string (``\\"``, ``\\u00e9``), and
    percent-encoded as in a URL or a form body; longest first, so that no form is left half replaced."""
    forms = {secret, _json.dumps(secret)[1:-1], _json.dumps(secret, ensure_ascii=False)[1:-1], quote(secret, safe=''),
             quote_plus(secret)}
    return sorted(forms, key=len, reverse=True)


def redact(text, secrets):
    """Replace every known secret in ``text`` (in each of its :func:`secret_forms`), and anything shaped like a JWT,
    by ``********``."""
    if not text:
        return text
    for secret in secrets or ():
        if secret and len(secret) >= MIN_SECRET_LEN:
            for form in secret_forms(secret):
                text = text.replace(form, '********')
    return _JWT.sub('********', text)


# The one rule for values under secret-named keys, in any product's answer or user data (moved from _vcf/model.py): the
# VCF 9.0 spec's secret-named properties (password, passphrase, clientSecret, apiKey, privateKey, access/refresh/id
# tokens) and any key holding these words (an ICO task's ``parm``: ``password``, ``db_password``, ``adminSecret``);
# referenceToken, which a user gives support, is not a secret.
# passwd and the API, auth and bearer tokens (``api_token``: the vRA refresh token's own name here) are secrets as well.
_SECRET_KEY = re.compile(r'password|passphrase|secret|apikey|privatekey|accesstoken|refreshtoken|idtoken|passwd|apitoken|authtoken'
                         r'|bearertoken', re.IGNORECASE)
SECRET_MASK = '********'


def secret_key(key):
    """True when a mapping ``key`` names a secret (case, ``_`` and ``-`` ignored: ``db_password``, ``API-Key``)."""
    return isinstance(key, str) and bool(_SECRET_KEY.search(key.replace('_', '').replace('-', '')))


# The words of a key: camelCase and snake_case parts ('newPassword' -> new, password; 'APIKey' -> api, key).
_KEY_WORDS = re.compile(r'[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])')
_SECRET_LAST_WORD = frozenset(('password', 'passphrase', 'secret', 'passwd'))
_SECRET_LAST_TWO = frozenset(('apikey', 'privatekey', 'secretkey', 'accesstoken', 'refreshtoken', 'idtoken', 'apitoken', 'authtoken',
                              'bearertoken'))


def names_a_secret(key):
    """True when ``key`` names the secret itself (``newPassword``, ``clientSecret``, ``api_key``), not something about
    it (``passwordExpiresAt``, ``lastPasswordChange`` in the VCF 9.0 spec: dates, not secrets; ``passwordPolicy``)."""
    words = [word.lower() for word in _KEY_WORDS.findall(key)] if isinstance(key, str) else []
    if words and words[-1].endswith('s'):
        words[-1] = words[-1][:-1]  # a list of them: passwords, apiKeys, client_secrets
    return bool(words) and (words[-1] in _SECRET_LAST_WORD or ''.join(words[-2:]) in _SECRET_LAST_TWO)


def secret_values(value, found=None, shortest=MIN_SECRET_LEN):
    """The texts (at least :data:`MIN_SECRET_LEN` long) under a key naming a secret itself (:func:`names_a_secret`)
    anywhere in ``value``: the words :func:`masked` hides wherever they are quoted. Numbers and flags under such keys
    (``passwordExpired``), and texts under a key about a secret (``passwordExpiresAt``: a date, ``passwordPolicy``)
    are not words to mask elsewhere; they stay masked under their own key. Every text at any depth under a key naming
    a secret counts (``passwords: [..]``, ``password: {current: ..}``)."""
    found = set() if found is None else found
    if isinstance(value, dict):
        for key, inner in value.items():
            if names_a_secret(key):
                _texts(inner, found, shortest)
            else:
                secret_values(inner, found, shortest)
    elif isinstance(value, list):
        for inner in value:
            secret_values(inner, found, shortest)
    return found


def _texts(value, found, shortest=MIN_SECRET_LEN):
    """Add every text (at least ``shortest`` long) at any depth of ``value`` to ``found``."""
    if isinstance(value, str):
        if len(value) >= max(1, shortest):
            found.add(value)
    elif isinstance(value, dict):
        for inner in value.values():
            _texts(inner, found, shortest)
    elif isinstance(value, list):
        for inner in value:
            _texts(inner, found, shortest)


def masked(value, secrets=None):
    """A deep copy of ``value`` whose values under a password- or secret-named key are ``********`` (when set), and
    whose texts have those values (a host's error message quoting the password it refused) replaced as well."""
    if secrets is None:
        secrets = sorted(secret_values(value), key=len, reverse=True)
    if isinstance(value, dict):
        return dict((key, SECRET_MASK if secret_key(key) and value[key] not in (None, '')
                     else masked(value[key], secrets)) for key in value)
    if isinstance(value, list):
        return [masked(inner, secrets) for inner in value]
    if isinstance(value, str) and secrets:
        return redact_values(value, secrets)
    return copy.deepcopy(value)


def redact_values(text, secrets):
    """``text`` with each of ``secrets`` (at least :data:`MIN_SECRET_LEN` long) replaced by ``********``."""
    for secret in secrets:
        if len(secret) >= MIN_SECRET_LEN:
            text = text.replace(secret, SECRET_MASK)
    return text


def split_url(url, api_path=''):
    """Return ``(root, api_base)`` for a user-given URL, with or without the product's ``api_path`` (``/v1``)."""
    if url and '://' not in url:
        # A host (and port) without the scheme: say which url to give. Anything before an '@' is left out (a password).
        shown = str(url).rsplit('@', 1)[-1].strip()
        raise ApiError("url %r has no scheme: set url to %r (or http:// for a plain HTTP port)" % (
            shown, 'https://' + shown.lstrip('/')), kind='config')
    if not url or '://' not in url:
        raise ApiError("url %r is not an absolute http(s) URL, e.g. 'https://vro.example.com'" % (url,),
                       kind='config')
    if not url.lower().startswith(('https://', 'http://')):
        raise ApiError("url %r must start with https:// or http://" % (safe_url(url),), kind='config')
    if '@' in urlsplit(url).netloc:
        # requests would send them as Basic credentials, in place of the configured ones (a token's Authorization).
        raise ApiError("url %s holds a user name or password (user:password@host): remove them from url and set username "
                       "and password (or token) instead" % (safe_url(url),), kind='config')
    root = url.rstrip('/')
    if api_path and root.endswith(api_path):
        root = root[:-len(api_path)]
    return root, root + api_path


def url_password(url):
    """The password in the user info of ``url`` (``https://user:password@host``), or None, to be masked everywhere."""
    try:
        return urlsplit(str(url or '')).password
    except ValueError:
        return None


def absent_on(statuses, call, *args, **kwargs):
    """``call(*args, **kwargs)``, or None when it fails with an HTTP status in ``statuses`` (e.g. ``(404,)``).

    The one place where "not found means absent": an API layer passes the statuses its product uses for that.
    """
    try:
        return call(*args, **kwargs)
    except ApiError as error:
        if error.status in statuses:
            return None
        raise


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class JsonProblem(ValueError):
    """A body that is not JSON this collection reads; ``problem`` says why, in words for the one-line error."""

    def __init__(self, problem):
        super().__init__(problem)
        self.problem = problem


def _no_constant(name):
    raise JsonProblem('it holds %s, which JSON does not allow (RFC 8259, section 6)' % name)


def parse_json(text):
    """``text`` parsed as strict JSON: a leading byte order mark is ignored (RFC 8259, section 8.1 allows it); ``NaN``,
    ``Infinity`` and ``-Infinity`` (which Python's parser takes, and which would reach the playbook as values no JSON
    reader, AWX's database included, accepts), arrays or objects nested past Python's recursion limit and numbers of
    more than 4300 digits (Python 3.11+ refuses to convert them) raise :class:`JsonProblem`, a ValueError."""
    if text.startswith('\ufeff'):
        text = text[1:]
    try:
        return _json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise JsonProblem('it is nested deeper than a JSON parser here can read') from None
    except JsonProblem:
        raise
    except ValueError as exc:
        if 'digits' in str(exc):
            raise JsonProblem('it holds a number of more than 4300 digits, past what Python converts') from None
        raise


_CHARSET = re.compile(r';\s*charset\s*=\s*"?([^";\s]+)', re.IGNORECASE)


def json_text(response, warn=None):
    """The text of a JSON answer: decoded by the ``charset`` of its Content-Type when it names one Python knows, else
    as RFC 8259 section 8.1 reads JSON (UTF-8, or UTF-16/32 known by their byte order mark or zero bytes). Bytes that
    are not valid in that encoding (Latin-1 sent as UTF-8, as servlet containers default to ISO-8859-1) are read as
    ISO-8859-1, which maps every byte to a character, so that nothing is lost; ``warn`` says so."""
    content = response.content or b''
    if not content:
        return ''
    found = _CHARSET.search(response.headers.get('Content-Type') or '')
    encoding = found.group(1).lower() if found else None
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            encoding = None
    if not encoding:
        encoding = guess_json_utf(content) or 'utf-8'
    if encoding.replace('_', '-') in ('utf-8', 'utf8') and content.startswith(codecs.BOM_UTF8):
        encoding = 'utf-8-sig'
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        if warn is not None:
            request = getattr(response, 'request', None)
            warn('%s %s: the answer is not valid %s; read as ISO-8859-1 (Latin-1) instead' % (
                getattr(request, 'method', None) or 'the request', safe_url(response.url), encoding))
        return content.decode('iso-8859-1')


def looks_like_html(text, content_type=''):
    head = (text or '').lstrip()[:512].lower()
    return 'html' in (content_type or '').lower() or head.startswith(('<!doctype html', '<html')) or '<body' in head


def html_page_hint(text, status=None):
    """What an HTML answer (``status``) means and what to do next, from whose page it is: a proxy's or load balancer's
    (its signature, or a 502/504, a gateway's statuses: RFC 9110 15.6.3, 15.6.5), the application server's own error
    page (its words), else :data:`HTML_HINT` (the page may be either)."""
    text = text or ''
    proxy = _PROXY_PAGE.search(text)
    if proxy:
        return PROXY_PAGE_HINT % one_line(next(g for g in proxy.groups() if g))
    words = one_line(_TAG.sub(' ', text))
    app = _APP_SERVER_PAGE.search(words) or _APP_SERVER_PAGE.search(text)
    if app:
        return APP_SERVER_PAGE_HINT % (repr(one_line(next(g for g in app.groups() if g)).strip()),
                                       'HTTP %s' % status if status else 'with it')
    if status in GATEWAY_STATUSES:
        return PROXY_PAGE_HINT % ('HTTP %s %s, a gateway\'s answer' % (status, GATEWAY_STATUSES[status]))
    return HTML_HINT


def html_title(text):
    """The ``<title>`` of an HTML page (e.g. ``HTTP Status 401 - Unauthorized``), whitespace collapsed; None if absent."""
    match = _HTML_TITLE.search(text or '')
    title = one_line(match.group(1)) if match else ''
    return title[:EXCERPT_LEN] or None


def server_words(body, message_keys=('message', 'detail', 'details'), detail_keys=(), cause_keys=()):
    """``(message, details)``: the server's own words from a decoded error body, and extra details.

    Products call this with their keys (``parse_error`` of :class:`Client`): the first non-empty string among
    ``message_keys``, else ``error.message`` / ``error.messageKey`` or a string ``error``; ``detail_keys`` copied
    into ``details``; the ``message`` of every entry of the lists under ``cause_keys`` as ``details['causes']``.
    A text body is its own message (cut to EXCERPT_LEN).
    """
    details = {}
    if isinstance(body, dict):
        for key in detail_keys:
            if body.get(key):
                details[key] = body[key]
        causes = [c for key in cause_keys if isinstance(body.get(key), list) for c in body[key]]
        messages = [c.get('message') for c in causes if isinstance(c, dict) and c.get('message')]
        if messages:
            details['causes'] = messages
        message = None
        for key in message_keys:
            if isinstance(body.get(key), str) and body[key].strip():
                message = body[key].strip()
                break
        if message is None and isinstance(body.get('error'), dict):
            message = body['error'].get('message') or body['error'].get('messageKey')
        if message is None and isinstance(body.get('error'), str):
            message = body['error']
        return message, details
    if isinstance(body, str) and body.strip():
        return body.strip()[:EXCERPT_LEN], details
    return None, details


# Words for JSON types in shape messages.
_JSON_NAMES = ((bool, 'a JSON boolean'), (dict, 'a JSON object'), (list, 'a JSON list'), (str, 'a JSON string'),
               ((int, float), 'a JSON number'))
OBJECT = (dict,)
LIST = (list,)


def json_name(value):
    """``a JSON string``, ``a JSON list``... for ``value`` (``null`` for None)."""
    if value is None:
        return 'null'
    return next((name for kinds, name in _JSON_NAMES if isinstance(value, kinds)), 'a %s' % type(value).__name__)


def shape_problem(body, kinds, fields=None):
    """What is wrong with ``body`` (None when nothing): it must be one of ``kinds`` (a tuple of types; ``type(None)``
    allows an empty answer) and, when an object, each present, non-null ``fields[key]`` one of its types."""
    if not isinstance(body, kinds) or (isinstance(body, bool) and bool not in kinds):
        return json_name(body)
    if isinstance(body, dict):
        for key, wanted in (fields or {}).items():
            value = body.get(key)
            if value is not None and not isinstance(value, wanted):
                return 'an object whose %s is %s' % (key, json_name(value))
    return None


def describe_shape(kinds, fields=None):
    names = [n for k, n in ((dict, 'an object'), (list, 'a list'), (str, 'a string')) if k in kinds]
    what = ' or '.join(names) or 'another value'
    if fields:
        what += ' with %s' % ', '.join('%s (%s)' % (key, ' or '.join(
            n for k, n in ((dict, 'an object'), (list, 'a list'), (str, 'a string'), (int, 'a number')) if k in
            (wanted if isinstance(wanted, tuple) else (wanted,)))) for key, wanted in fields.items())
    return what


def items_problem(items, kinds, where, fields=None):
    """``(problem, expected)`` for the first element of the list ``items`` that is not one of ``kinds`` (objects: with
    ``fields``), for :func:`check_shape`'s ``inner``; ``where`` names the list ("an object whose logs"). None when all are."""
    for index, item in enumerate(items if isinstance(items, list) else []):
        problem = shape_problem(item, kinds, fields)
        if problem is not None:
            return '%s[%d] is %s' % (where, index, problem), describe_shape(kinds, fields)
    return None


def check_shape(body, kinds, fields=None, method=None, url=None, status=None, inner=None):
    """Return ``body`` when it has the expected shape; else raise :class:`ApiError` (kind ``shape``) in one line:
    "GET <url> returned HTTP 200; the answer is a JSON string where an object with link (a list) was expected".

    ``inner(body)``, called once the top level is right, looks deeper: it returns None, or ``(problem, expected)``
    ("an object whose logs[2] is a JSON string", "an object").
    """
    problem = shape_problem(body, kinds, fields)
    expected = None
    if problem is None and inner is not None:
        problem, expected = inner(body) or (None, None)
    if problem is None:
        return body
    raise ApiError('the answer is %s where %s was expected' % (problem, expected or describe_shape(kinds, fields)), kind='shape',
                   status=status, method=method, url=url,
                   hint='the URL may point at another service, or a proxy rewrote the answer')


def _not_sent(exc):
    """True when a connection error proves the request never reached the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, 'reason', reason)
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


def _chain(exc):
    """``exc`` and every exception it wraps (``reason``, ``args``, ``__cause__``, ``__context__``), breadth first."""
    found = []
    todo = [exc]
    while todo and len(found) < 32:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is known for known in found):
            continue
        found.append(item)
        todo.extend([getattr(item, 'reason', None), item.__cause__, item.__context__])
        todo.extend(item.args)
    return found


def closed_before_answer(exc):
    """True when a connection failure is the server closing or resetting the connection before any byte of an answer
    (``RemoteDisconnected``, a reset, a broken pipe): what a kept-alive connection the server closed for idleness gives."""
    return any(isinstance(item, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)) for item in _chain(exc))


def failure_cause(exc):
    """What a connection failure says of its cause: ``dns`` (the host name does not resolve), ``refused`` (nothing
    listens on the port), ``reset`` (the server closed or reset the connection without an answer), or None."""
    chain = _chain(exc)
    if any(isinstance(item, socket.gaierror) for item in chain):
        return 'dns'
    if any(isinstance(item, ConnectionRefusedError) for item in chain):
        return 'refused'
    if any(isinstance(item, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)) for item in chain):
        return 'reset'
    if any(isinstance(item, BadStatusLine) for item in chain):
        return 'reset'
    return None


def plain_http_on_tls(exc):
    """True when a TLS failure says the port answered in plain HTTP (an https:// URL on an http port)."""
    return any(_PLAIN_HTTP_ON_TLS.search(str(item)) for item in _chain(exc))


def tls_failure_hint(verify, reason, host, source='ca_path'):
    """What to do after a failed certificate check, given what was trusted (``verify``: a CA bundle path or True for
    the system store; ``source``: ``ca_path`` or the environment variable the path came from) and the TLS library's
    ``reason``: a ca_path that is a directory, holds no PEM certificate or holds another CA is named as such (the
    general advice to set ca_path would send the user back to the same value)."""
    text = str(reason)
    given = "ca_path '%s'" % verify if source == 'ca_path' else "'%s' (from %s; ca_path is unset)" % (verify, source)
    lab = ' (or validate_certs: false for a lab, which is insecure)'
    if re.search(r'hostname mismatch|doesn.t match|not valid for', text, re.IGNORECASE):
        return ('the server certificate is not issued for %s: set url to a host name the certificate names, not an '
                'alias or address%s' % (host, lab))
    if re.search(r'certificate has expired|not yet valid', text, re.IGNORECASE):
        return 'the server certificate is outside its validity dates: renew it on the server, or check the clock of both hosts'
    if not isinstance(verify, str):
        return 'set ca_path to the CA bundle that signed the server certificate' + lab
    if os.path.isdir(verify):
        return ("%s is a directory, which OpenSSL reads only through hashed file names (openssl rehash): set "
                "ca_path to the PEM file of the CA that signed the server certificate" % given)
    if re.search(r'NO_CERTIFICATE|PEM lib|no certificate or crl|NOT_ENOUGH_DATA|BAD_BASE64|X509', text, re.IGNORECASE) \
            and 'CERTIFICATE_VERIFY_FAILED' not in text:
        return ("%s holds no PEM certificate: set ca_path to a file with -----BEGIN CERTIFICATE----- blocks (convert a "
                "DER .cer with openssl x509 -inform der -in FILE -out ca.pem)" % given)
    return ("the CA bundle %s did not sign the server certificate of %s: set ca_path to the bundle of the CA that did "
            "(with its intermediates)%s" % (given, host, lab))


# The 400 pages of servers spoken to in plain HTTP on their TLS port: nginx (ngx_http_special_response.c,
# ngx_http_error_497_page), Apache httpd mod_ssl (ssl_engine_io.c), Tomcat (TLSClientHelloExtractor.USE_TLS_RESPONSE),
# Go net/http (server.go).
_PLAIN_HTTP_PAGE = re.compile(r'(?:The )?plain HTTP request was sent to HTTPS port|'
                              r'speaking plain HTTP to an SSL-enabled server port|'
                              r'This combination of host and port requires TLS|'
                              r'Client sent an HTTP request to an HTTPS server', re.IGNORECASE)


def speaks_tls(host, port, timeout):
    """True when ``host`` ``port`` completes a TLS handshake, or answers one with a TLS alert: it speaks TLS.

    Only to tell what a port speaks after a plain-HTTP request got no answer (a reset, an empty close): nothing is sent
    over the connection and it is closed at once, so no certificate is checked (nothing is trusted to it). False for
    any other outcome (a reset, plain bytes, no connection within ``timeout``)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=host):
                return True
    except ssl.SSLError as exc:
        return 'ALERT' in str(getattr(exc, 'reason', '') or '').upper()
    except (OSError, ValueError):
        return False


def tls_alert_as_status_line(exc):
    """True when a plain-HTTP request got a TLS alert record (content type 21, version 3.x) where a status line was
    expected: the port speaks TLS (an http:// URL on an HTTPS port). A plain reset says nothing of the kind."""
    return any(isinstance(item, BadStatusLine) and str(getattr(item, 'line', '')).startswith('\x15\x03')
               for item in _chain(exc))


# The method of the request a thread is sending: set by FreshWritesAdapter.send, read by the pool's _get_conn, which
# urllib3 calls to pick a connection without telling it the method.
_SENDING = threading.local()


def _idle_clock():
    return time.monotonic()


class _FreshWritesMixin(object):
    """A urllib3 connection pool that never sends a request that is not resent (see :data:`RESENDABLE_METHODS`) over
    a kept-alive connection idle longer than :data:`FRESH_WRITE_AFTER_IDLE`: that connection is closed and opened
    again, exactly as urllib3 itself does with a connection it finds dropped. Reads keep any pooled connection (a read
    lost to a closing server is sent again)."""

    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout)
        since = getattr(conn, 'cloudops_idle_since', None)
        method = str(getattr(_SENDING, 'method', None) or 'GET').upper()
        if (since is not None and method not in RESENDABLE_METHODS and getattr(conn, 'sock', None) is not None
                and _idle_clock() - since > FRESH_WRITE_AFTER_IDLE):
            conn.close()
        # Whether the request goes on a kept-alive connection (urllib3 has dropped one it found closed: no socket then),
        # which the server may close as the request arrives (Client.request resends such a read at once).
        _SENDING.reused = getattr(conn, 'sock', None) is not None
        return conn

    def _put_conn(self, conn):
        if conn is not None:
            conn.cloudops_idle_since = _idle_clock()
        super()._put_conn(conn)


if HAS_REQUESTS:
    class FreshWritesHTTPPool(_FreshWritesMixin, HTTPConnectionPool):
        """:class:`_FreshWritesMixin` over plain HTTP."""

    class FreshWritesHTTPSPool(_FreshWritesMixin, HTTPSConnectionPool):
        """:class:`_FreshWritesMixin` over HTTPS."""

    class FreshWritesAdapter(HTTPAdapter):
        """requests' adapter whose pools (direct and through an HTTP proxy) are :class:`_FreshWritesMixin` pools;
        urllib3 never resends on its own (``max_retries=0``: our own loop decides what may be resent)."""

        def __init__(self, pool_maxsize=16):
            super().__init__(max_retries=0, pool_connections=4, pool_maxsize=pool_maxsize)

        def send(self, request, *args, **kwargs):  # pylint: disable=arguments-differ
            outer = getattr(_SENDING, 'method', None)
            _SENDING.method = request.method
            _SENDING.reused = False
            try:
                return super().send(request, *args, **kwargs)
            finally:
                _SENDING.method = outer

        def init_poolmanager(self, *args, **kwargs):  # pylint: disable=arguments-differ
            super().init_poolmanager(*args, **kwargs)
            _fresh_writes(self.poolmanager)

        def proxy_manager_for(self, proxy, **proxy_kwargs):  # pylint: disable=arguments-differ
            manager = super().proxy_manager_for(proxy, **proxy_kwargs)
            _fresh_writes(manager)
            return manager


def _fresh_writes(manager):
    """Make the pools that ``manager`` (a urllib3 PoolManager or ProxyManager) creates from now on fresh-write pools;
    a SOCKS proxy manager's own pool classes are left as they are."""
    classes = getattr(manager, 'pool_classes_by_scheme', None)
    if isinstance(classes, dict) and classes.get('http') is HTTPConnectionPool and classes.get('https') is HTTPSConnectionPool:
        manager.pool_classes_by_scheme = {'http': FreshWritesHTTPPool, 'https': FreshWritesHTTPSPool}


def _keep_answer(answered):
    """A requests ``response`` hook that records the answer as soon as its status line and headers are read."""
    def hook(response, *args, **kwargs):  # pylint: disable=unused-argument
        answered.append(response)
    return hook


class Client:
    """A session to one server. ``path`` arguments are relative to the product's API base URL."""

    def __init__(self, base_url, auth=None, validate_certs=True, ca_path=None, timeout=30, retries=3,
                 use_proxy=True, backoff_base=0.5, backoff_max=8.0, warn=None, api_path='', name='the server',
                 parse_error=server_words, user_agent=None, sleep=time.sleep, connect_timeout=DEFAULT_CONNECT_TIMEOUT,
                 probe_path=None, debug=None):
        # What the product's API layer passes in (its CONNECTION): where its API lives, its name, its error bodies.
        self.name = name
        self.parse_error = parse_error
        # A path every server of the product answers (vRO /about): probed once, without credentials, after a 404 that
        # came before any success, when check_base is set (OrchestratorModule sets it; see wrong_base).
        self.probe_path = probe_path
        self.check_base = False
        self.root, self.api_base = split_url(base_url, api_path)
        self.auth = auth
        self.timeout = float(timeout) if timeout else None
        self.retries = max(0, int(retries or 0))
        if connect_timeout is not None and (float(connect_timeout) <= 0 or math.isnan(float(connect_timeout))):
            # Options and event source arguments take durations (_time.parse_duration): a unit is accepted too.
            raise ApiError('connect_timeout must be greater than 0, got %s: set a number of seconds such as %s, or a '
                           'duration with a unit such as 5s or 500ms' % (connect_timeout, DEFAULT_CONNECT_TIMEOUT), kind='config')
        self.connect_timeout = float(connect_timeout) if connect_timeout is not None else None
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.warn = warn or (lambda msg: None)
        # What the user need not see (a read resent after a keep-alive race): the module's debug log, a source's debug.
        self.debug = debug or (lambda msg: None)
        self.sleep = sleep
        self.requests_sent = 0
        # The Date header of the last answer (see request); None before any.
        self.server_date = None
        # The CA bundle variables requests reads itself when it trusts the environment (below it does not).
        env_ca = os.environ.get('REQUESTS_CA_BUNDLE') or os.environ.get('CURL_CA_BUNDLE')
        self.verify = (ca_path or env_ca or True) if validate_certs else False
        # Where a CA bundle path in verify came from, for the hint of a failed certificate check.
        self.verify_source = 'ca_path' if ca_path else ('REQUESTS_CA_BUNDLE' if os.environ.get('REQUESTS_CA_BUNDLE') else 'CURL_CA_BUNDLE')
        self.use_proxy = bool(use_proxy)
        self.origin = url_origin(self.root)
        self.root_path = urlsplit(self.root).path.rstrip('/')
        self.origin_url = self.root[:len(self.root) - len(self.root_path)]
        # A monotonic time set by the waiter (see set_deadline): no backoff sleeps past it.
        self.deadline = None
        self.deadline_reason = None
        self.clock = time.monotonic
        self.session = requests.Session()
        # Our own retry loop decides what may be resent; urllib3 must never resend on its own. A write never goes on a
        # connection the server may be closing (FreshWritesAdapter).
        adapter = FreshWritesAdapter()
        self.session.mount('https://', adapter)
        self.session.mount('http://', adapter)
        # Never trust the environment wholesale: requests would replace our Authorization header with ~/.netrc
        # credentials. Proxies and the CA bundle are taken from the environment explicitly instead.
        self.session.trust_env = False
        # Redirects are never followed (allow_redirects=False), yet requests still parses a 3xx's Location to prepare
        # the request it would send next, and raises a bare ValueError ("Invalid IPv6 URL") on an unreadable one,
        # losing the answer; without a target, the 3xx comes back to us and redirect_error names it.
        self.session.get_redirect_target = no_redirect_target
        self.session.proxies = {}
        self.session.headers.update({
            'Accept': 'application/json',
            'User-Agent': user_agent or 'cloudops.orchestrator',
        })

    @property
    def secrets(self):
        return list(getattr(self.auth, 'secrets', ()) or ()) + list(getattr(self, '_learned_secrets', ()))

    def add_secret(self, value):
        """Mask ``value`` too (each of its :func:`secret_forms`) in every error text this client builds from now on: a
        secret the user gave or one read from an answer (an ICO task's parm password)."""
        if isinstance(value, str) and len(value) >= MIN_SECRET_LEN and value not in self.secrets:
            self._learned_secrets = list(getattr(self, '_learned_secrets', ())) + [value]

    def url_for(self, path, at_root=False):
        if '://' in path.split('?', 1)[0] or path.startswith('//'):
            # A URL from a server (Location, href): only its path and query, and only on the configured origin.
            return self.origin_url + self.same_origin_path(path)
        base = self.root if at_root else self.api_base
        relative = path if path.startswith('/') else '/' + path
        # URL normalisation would turn /tasks/../tokens into /tokens: an id must never reach another resource.
        if any(unquote(segment) in ('.', '..') for segment in relative.split('?', 1)[0].split('/')):
            raise ApiError("refusing to send a request to '%s': an id cannot be '.' or '..' nor contain '/'" % relative,
                           kind='validation')
        return base + relative

    def same_origin_path(self, url):
        """The path and query of an absolute ``url`` on the configured origin, under its root; else ApiError.

        Credentials go only to the scheme, host and port of the configured ``url``: a URL elsewhere is refused
        before anything is sent (default ports equal explicit ones, the host compares case-insensitively).
        """
        if url_origin(url) != self.origin:
            raise ApiError("refusing to follow %s: it is not on the configured server %s, and credentials are only "
                           "sent there" % (safe_url(url), safe_url(self.root)), kind='origin', url=self.root)
        parts = urlsplit(url)
        path = parts.path or '/'
        if self.root_path and path != self.root_path and not path.startswith(self.root_path + '/'):
            raise ApiError("refusing to follow %s: it is outside the configured url %s" % (safe_url(url), safe_url(self.root)),
                           kind='origin', url=self.root)
        segments = path.split('/')
        if any(unquote(segment) in ('.', '..') for segment in segments):
            raise ApiError("refusing to follow %s: its path has '.' or '..' segments" % safe_url(url), kind='origin',
                           url=self.root)
        return path + ('?' + parts.query if parts.query else '')

    def resolve(self, reference, base=None):
        """An absolute URL on the configured origin for a URL reference from a server (RFC 3986).

        ``reference`` may be absolute (``https://host/...``), absolute-path (``/orchestrator/v2/tasks/99``) or
        relative (``tasks/99``, ``../x``); it is resolved against ``base`` (the URL of the request it answered,
        default the API base) and refused with ApiError (kind ``origin``) when it leaves the configured origin.
        """
        absolute = join_reference(base or self.api_base + '/', str(reference).strip())
        return self.origin_url + self.same_origin_path(absolute)

    def proxies_for(self, url):
        """The environment's proxies for ``url`` (``{}`` without ``use_proxy``); ApiError (kind ``config``, nothing sent)
        when the proxy it would use has no host: requests fails on one with a TypeError."""
        if not self.use_proxy:
            return {}
        proxies = get_environ_proxies(url)
        proxy = select_proxy(url, proxies)
        if proxy and not urlsplit(proxy if '://' in proxy else 'http://' + proxy).hostname:
            raise ApiError('the proxy %s that the environment sets for %s has no host: correct https_proxy / http_proxy, or '
                           'set use_proxy to false' % (safe_url(proxy), safe_url(url)), kind='config', details={'sent': False})
        return proxies

    def close(self):
        self.session.close()

    def _pool_size(self, url):
        """How many kept-alive connections the pool for ``url`` may hold (1 when the adapter does not say)."""
        try:
            return max(1, int(getattr(self.session.get_adapter(url), '_pool_maxsize', 1)))
        except (TypeError, ValueError, requests.exceptions.InvalidSchema):
            return 1

    def allow_parallel(self, count):
        """Keep up to ``count`` connections for requests made at the same time from several threads (a batch).

        With fewer pooled connections than threads, urllib3 closes the surplus as they come back while the pool is
        full, and answers of a 100-thread batch were lost ("Bad file descriptor") and had to be adopted.
        """
        if count > getattr(self, '_parallel', 16):
            self._parallel = count
            adapter = FreshWritesAdapter(pool_maxsize=count)
            self.session.mount('https://', adapter)
            self.session.mount('http://', adapter)

    # -- requests ----------------------------------------------------------------------------------------

    def request(self, method, path, params=None, json=None, data=None, headers=None, expected=None,
                idempotent=None, at_root=False, auth_request=False, timeout=None, retries=None, max_bytes=None):
        """Send one request with retries; return the ``requests.Response`` or raise :class:`ApiError`.

        ``max_bytes``: the most bytes of its answer's body read (default :data:`MAX_ANSWER_BYTES`); past it the request
        fails with kind ``size`` (:meth:`too_large`).

        ``idempotent`` (True: may be sent again after an attempt that may have reached the server) defaults from the
        method: True for GET, HEAD and OPTIONS only (:data:`RESENDABLE_METHODS`). Any other request (POST, PUT, DELETE,
        PATCH) is resent only when the connection failed before anything was sent (refused, connect timeout), or when
        the server refused it with 429 or 401 (nothing was acted upon). A lost, late or cut-short answer to it raises
        :class:`AnswerLost`, and so do a gateway's 502/504 (see :meth:`gateway_lost`) and the server's own 5xx but
        501/503/505 (see :meth:`server_error_lost`): its caller looks for the effect (``may_have_been_applied``).
        """
        method = method.upper()
        url = self.url_for(path, at_root)
        if idempotent is None:
            idempotent = method in RESENDABLE_METHODS
        budget = self.retries if retries is None else retries
        bound = MAX_ANSWER_BYTES if max_bytes is None else max_bytes
        attempts = 0
        read_timeouts = 0
        refreshed = False
        # Quiet resends of a read lost on a kept-alive connection the server had closed: one per pooled connection at most
        # (each may be stale after a batch left several in the pool), never more than the pool holds.
        stale_resends = 0
        while True:
            attempts += 1
            req_headers = dict(headers or {})
            if json is not None:
                req_headers.setdefault('Content-Type', 'application/json')
            if self.auth is not None and not auth_request:
                self.auth.apply(self, req_headers)
            # The answer whose status line and headers arrived: a body lost after that was acted upon.
            answered = []
            try:
                self.requests_sent += 1
                started = self.clock()
                response = self.session.request(
                    method, url, params=params, json=json, data=data, headers=req_headers,
                    timeout=self.timeouts(timeout or self.timeout), verify=self.verify, allow_redirects=False,
                    proxies=self.proxies_for(url),
                    hooks={'response': _keep_answer(answered)}, stream=True)
                self._read_within(response, started, timeout or self.timeout, bound)
            except AnswerTooLarge:
                raise self.too_large(method, url, attempts, answered[-1] if answered else None, bound) from None
            except requests.exceptions.SSLError as exc:
                if answered:
                    raise answer_lost('the answer was cut short: %s' % self._reason(exc), 'connection', method, url,
                                      attempts, answered[-1]) from None
                if plain_http_on_tls(exc):
                    raise ApiError('TLS handshake failed: %s' % self._reason(exc), kind='tls', method=method, url=url,
                                   attempts=attempts, details={'sent': False}, hint=self.hint('plain_http')) from None
                raise ApiError(
                    'TLS verification failed: %s' % self._reason(exc), kind='tls', method=method, url=url,
                    attempts=attempts,
                    hint=tls_failure_hint(self.verify, self._reason(exc), self.origin[1], self.verify_source)) from None
            except requests.exceptions.Timeout as exc:
                sent = not isinstance(exc, requests.exceptions.ConnectTimeout)
                if sent:
                    read_timeouts += 1
                    # Headers that came before the deadline (answered) keep their status and Location.
                    error = answer_lost('no answer within %ss (read timeout)' % (timeout or self.timeout), 'timeout',
                                        method, url, attempts, answered[-1] if answered else None,
                                        hint=self.hint('read_timeout'))
                else:
                    connect = self.timeouts(timeout or self.timeout).connect_timeout
                    error = ApiError('no connection within %ss (connect timeout)' % connect, kind='timeout', method=method,
                                     url=url, attempts=attempts, details={'sent': sent}, hint=self.hint('connect_timeout'))
                # A server that accepted the connection and kept silent for the whole timeout is asked once more at most.
                if self._may_resend(idempotent, sent, attempts, budget) and read_timeouts < MAX_READ_TIMEOUTS:
                    if sent:
                        self._resend_at_once(error)
                    else:
                        self._backoff(attempts, None, error)
                    continue
                raise error from None
            except requests.exceptions.ConnectionError as exc:
                if (idempotent and not answered and stale_resends < self._pool_size(url) and getattr(_SENDING, 'reused', False)
                        and closed_before_answer(exc)):
                    # A kept-alive connection the server closed as this read arrived (its idle timeout; not a TLS port,
                    # which answered nothing before): normal keep-alive behaviour, and a read is safe to send again. Once,
                    # at once, on a new connection (urllib3 dropped this one), without a warning nor a retry spent; never
                    # a write (those go on a fresh connection after FRESH_WRITE_AFTER_IDLE and are never resent). urllib3
                    # gives the resend a new connection, unless another thread (a batch) took that slot first: then the
                    # next pooled one, closed as well, is sent again the same way, up to the pool's size.
                    stale_resends += 1
                    attempts -= 1
                    self.debug('%s %s: the kept-alive connection was closed before an answer (%s); sent again at once on '
                               'a new connection' % (method, safe_url(url), self._reason(exc)))
                    continue
                if self.origin[0] == 'http' and not answered and tls_alert_as_status_line(exc):
                    raise self.https_port_error(method, url, attempts, 'a TLS alert') from None
                if self.origin[0] == 'http' and not answered and self._reset_by_tls_port(exc, url):
                    # Never sent again: each resend would carry the credentials in clear text to a port that reads none.
                    raise self.https_port_error(method, url, attempts, 'a reset to plain HTTP, and a handshake to TLS') from None
                sent = bool(answered) or not _not_sent(exc)
                cause = failure_cause(exc)
                if sent:
                    error = answer_lost('connection failed: %s' % self._reason(exc), 'connection', method, url, attempts,
                                        answered[-1] if answered else None,
                                        hint=self.hint('reset') if cause == 'reset' and not answered else None)
                else:
                    error = ApiError('connection failed: %s' % self._reason(exc), kind='connection', method=method,
                                     url=url, attempts=attempts, details={'sent': sent}, hint=self.hint(cause) or self.hint(None))
                # A name that does not resolve will not resolve a second later: never retried.
                if cause != 'dns' and self._may_resend(idempotent, sent, attempts, budget):
                    self._backoff(attempts, None, error)
                    continue
                raise error from None
            except requests.exceptions.ChunkedEncodingError as exc:
                # Status and headers came, then the body was cut short (IncompleteRead): the server acted on it.
                error = answer_lost('the answer was cut short: %s' % self._reason(exc), 'connection', method, url,
                                    attempts, answered[-1] if answered else None)
                if self._may_resend(idempotent, True, attempts, budget):
                    self._backoff(attempts, None, error)
                    continue
                raise error from None
            except requests.exceptions.RequestException as exc:
                if answered:
                    # An answer whose body could not be read (e.g. a broken gzip stream): the server acted on it.
                    raise answer_lost('the answer could not be read: %s' % self._reason(exc), 'connection', method, url,
                                      attempts, answered[-1]) from None
                raise ApiError('request failed: %s' % self._reason(exc), kind='connection', method=method,
                               url=url, attempts=attempts, details={'sent': False}) from None

            status = response.status_code
            # The server's clock as its last answer gave it (the HTTP Date header): the vcf_tasks source's first start
            # reads it to place its first hour on SDDC Manager's clock when that clock is behind this host's.
            self.server_date = response.headers.get('Date')
            if status < 300 and not at_root:
                self.base_confirmed = True
            if 300 <= status < 400 and not (expected and status in expected):
                raise self.redirect_error(response, attempts)
            if status == 400 and self.origin[0] == 'http' and _PLAIN_HTTP_PAGE.search(response.text or ''):
                raise self.https_port_error(method, url, attempts, "HTTP 400 '%s'" % _PLAIN_HTTP_PAGE.search(response.text).group(0))
            if status == 401 and self.auth is not None and not auth_request and not refreshed:
                refreshed = True
                if self.auth.refresh(self):
                    attempts -= 1
                    continue
            # A scheme whose server may answer an expired token with 403 (SDDC Manager) says so: refreshed once too.
            if (status == 403 and getattr(self.auth, 'renews_on_403', None) and not auth_request and not refreshed
                    and self.auth.renews_on_403()):
                refreshed = True
                if self.auth.refresh(self):
                    attempts -= 1
                    continue
            if not idempotent and status in GATEWAY_STATUSES and not auth_request and not (expected and status in expected):
                raise self.gateway_lost(response, attempts)
            if (not idempotent and status >= 500 and status not in GATEWAY_STATUSES and status not in NOT_HANDLED_5XX
                    and not auth_request and not (expected and status in expected)):
                raise self.server_error_lost(response, attempts)
            if status in RETRY_STATUSES and (idempotent or status == 429) and attempts <= budget:
                self._backoff(attempts, parse_retry_after(response.headers.get('Retry-After')),
                              self.error_from_response(response, attempts))
                continue
            if (expected and status not in expected) or (not expected and status >= 400):
                error = self.error_from_response(response, attempts)
                if status == 404 and not at_root:
                    # A 404 at the server's root (a login route a product may not serve) says nothing of url's path.
                    error = self.wrong_base(error) or error
                if status == 401 and getattr(self.auth, 'refused_hint', None) and not auth_request:
                    error.hint = self.auth.refused_hint  # what to do when a reused token is refused (expired)
                if status == 401 and not error.hint and getattr(self.auth, 'challenge_hint', None) and not auth_request:
                    # A scheme that reads the server's challenge (RFC 9110 11.6.1: the schemes it takes) says what to do.
                    error.hint = self.auth.challenge_hint(response.headers.get('WWW-Authenticate'))
                raise error
            return response

    def too_large(self, method, url, attempts, response, bound=MAX_ANSWER_BYTES):
        """The error of an answer whose body passed ``bound`` bytes (kind ``size``): never read again (the next
        answer would be as large). An :class:`AnswerLost`, since the request reached the server: a write that got it is
        never resent, its caller looks for its effect."""
        size = '%d MiB' % (bound // 1048576) if bound >= 1048576 and not bound % 1048576 else '%d KiB' % (bound // 1024)
        error = answer_lost('the answer is larger than %s, the most this collection reads of one answer (counted after '
                            'gzip decoding): reading stopped there' % size, 'size', method,
                            url, attempts, response,
                            hint='the server, or a proxy in front of it, sent an endless or inflating body, or a list far '
                                 'larger than any real one: narrow the query (filters, max_results) or check what answers '
                                 'on url')
        error.details['bound'] = bound
        return error

    def gateway_lost(self, response, attempts):
        """The :class:`AnswerLost` of a 502/504 answer: a gateway's, after which the request may have been applied."""
        status = response.status_code
        plain = self.error_from_response(response, attempts)
        error = answer_lost('a gateway answered HTTP %d %s: the request may have reached the server and been acted upon' % (
            status, GATEWAY_STATUSES[status]), 'http', plain.method, plain.url, attempts, response,
            hint='check on the server whether it was applied before sending it again')
        error.server_message = plain.server_message
        return error

    def _reset_by_tls_port(self, exc, url):
        """True when a plain-HTTP request that got no answer (``exc``: a reset or an empty close) went to a port that
        speaks TLS (:func:`speaks_tls`, asked once per client, never through a proxy): as an OpenSSL server (the
        simulator's) resets a connection whose first bytes are no TLS record."""
        if failure_cause(exc) != 'reset':
            return False
        if getattr(self, '_port_speaks_tls', None) is None:
            try:
                proxied = bool(self.proxies_for(url))
            except ApiError:
                proxied = True
            ignored, host, port = self.origin
            timeout = self.timeouts(self.timeout).connect_timeout
            self._port_speaks_tls = False if proxied else speaks_tls(host, port, min(float(timeout or 10.0), 10.0))
            # The probe's word for hint('reset'): only a port asked directly is known not to speak TLS.
            self._port_not_tls = not proxied and not self._port_speaks_tls
        return self._port_speaks_tls

    def https_port_error(self, method, url, attempts, answer):
        """The one-line failure of an http:// url whose port speaks HTTPS (it answered ``answer``): never retried, and
        nothing was acted upon (a TLS port reads no HTTP request)."""
        ignored, host, port = self.origin
        host = '[%s]' % host if ':' in host else host
        return ApiError('url is http:// but %s port %s serves HTTPS (it answered %s): use https://%s:%s (same host and port)'
                        % (host, port, answer, host, port), kind='config', method=method, url=url, attempts=attempts,
                        details={'sent': False})

    def server_error_lost(self, response, attempts):
        """The :class:`AnswerLost` of a 500 (any 5xx but a gateway's and 501/503/505) to a request that is not resent: the
        server failed while handling it, and what it did before failing may stay done. ``details['answered']``: the
        server had finished with the request, so the adoption window is the margin alone, not the request timeout plus
        the margin (see ``_adopt.adopt_each``)."""
        plain = self.error_from_response(response, attempts)
        words = one_line(plain.server_message or '')
        said = " saying '%s'" % words if words else ''
        error = answer_lost('the server failed while handling it (HTTP %d%s): it may have acted upon the request before '
                            'failing' % (response.status_code, said), 'http', plain.method, plain.url, attempts, response,
                            hint='check on the server whether it was applied before sending it again')
        error.details = dict(plain.details, **error.details)
        error.details['answered'] = True
        error.server_message = plain.server_message
        error.body_excerpt = plain.body_excerpt
        return error

    # True once the API base answered a request with a success: a 404 after that is about the object asked for.
    base_confirmed = False
    base_probed = False
    base_wrong = False

    def wrong_base(self, error):
        """After a 404 before the API base ever answered: ``GET probe_path`` once, without credentials; when that is a
        404 too, the ApiError (kind ``config``, no status, so never read as "absent") saying that the path of url
        looks wrong and what url should look like; else None (the 404 is about the object asked for)."""
        if self.base_confirmed or not (self.check_base and self.probe_path):
            return None
        if not self.base_probed:
            self.base_probed = True  # before the probe, whose own 404 comes back here
            try:
                self.request('GET', self.probe_path, auth_request=True, retries=0)
            except ApiError as probe:
                self.base_wrong = probe.status == 404
        if not self.base_wrong:
            return None
        api_path = self.api_base[len(self.root):]
        return ApiError('the %s API is not under %s (HTTP 404 here and at %s): the path in url looks wrong; set url to %s, '
                        'without a path (the collection adds %s; a url ending in %s works too)' % (
                            self.name, safe_url(self.api_base), self.probe_path, safe_url(self.origin_url), api_path,
                            api_path), kind='config', method=error.method, url=error.url, server_message=error.server_message,
                        details={'status': 404, 'probe': safe_url(self.api_base + self.probe_path)})

    def _read_within(self, response, started, seconds, max_bytes=MAX_ANSWER_BYTES):
        """Read the body of a streamed ``response`` before ``started + seconds`` (connect and answer together).

        Each read waits at most the time left, so a server trickling its answer cannot stretch ``timeout``. At the
        deadline the connection is closed and ``requests.exceptions.ReadTimeout`` raised: the request was sent, and
        the caller maps it as any read timeout. Read errors are raised as the ``requests`` errors that a
        non-streamed request would raise. Afterwards ``response.content``, ``.text`` and ``.json()`` work as usual.
        """
        raw = response.raw
        if raw is None or not hasattr(raw, 'read') or getattr(response, '_content_consumed', False):
            return  # a response built in memory (tests) has its body already
        deadline = started + seconds if seconds else None
        chunks = []
        size = 0
        cut = []
        watchdog = None
        if deadline is not None and not hasattr(raw, 'read1'):
            # urllib3 1.26 (RHEL 9, Debian 12) has no read1: its read(amt) fills amt from as many socket reads as it
            # takes, each with the socket's timeout, so a server trickling bytes could hold it past the deadline.
            # There, the connection is cut at the deadline instead.
            sock = _socket_of(raw)
            if sock is not None:
                watchdog = threading.Timer(max(0.0, deadline - self.clock()), _cut_at_deadline, (sock, cut))
                watchdog.daemon = True
                watchdog.start()
        try:
            while True:
                if deadline is not None:
                    left = deadline - self.clock()
                    if left <= 0:
                        raise socket.timeout('deadline')
                    # Found again before every read: once the body has been read to its end, urllib3 gives the
                    # connection back to the pool, which closes it when full or hands it to another thread; its socket
                    # is no longer ours to touch (setting its timeout then failed with "Bad file descriptor" and lost
                    # the answer of a batch start, or cut another thread's read short).
                    sock = _socket_of(raw)
                    if sock is not None:
                        sock.settimeout(left)
                # decode_content: a gzip/deflate answer (requests asks for them) is decoded here, as requests does.
                if hasattr(raw, 'read1'):
                    chunk = raw.read1(65536, decode_content=True)
                else:
                    chunk = raw.read(65536, decode_content=True)
                if not chunk or cut:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > max_bytes:
                    # An endless body or a decompression bomb: stop before memory grows further.
                    del chunks[:]
                    raw.close()
                    raise AnswerTooLarge(size)
            if cut:
                raise socket.timeout('deadline')
        except (socket.timeout, ReadTimeoutError):
            raw.close()
            raise requests.exceptions.ReadTimeout('the whole answer did not arrive within %ss' % seconds) from None
        except ProtocolError as exc:
            raw.close()
            if cut:
                raise requests.exceptions.ReadTimeout('the whole answer did not arrive within %ss' % seconds) from None
            raise requests.exceptions.ChunkedEncodingError(exc) from None
        except DecodeError as exc:
            raw.close()
            raise requests.exceptions.ContentDecodingError(exc) from None
        except OSError as exc:
            raw.close()
            if cut:
                raise requests.exceptions.ReadTimeout('the whole answer did not arrive within %ss' % seconds) from None
            raise requests.exceptions.ConnectionError(exc) from None
        finally:
            if watchdog is not None:
                watchdog.cancel()
        # urllib3 1.26 (Debian 12's, RHEL 9's) does not hold the body to its Content-Length: an answer cut short
        # there ends like a whole one. The bytes still owed say so (urllib3 2 raises IncompleteRead above instead).
        owed = getattr(raw, 'length_remaining', None)
        if isinstance(owed, int) and not isinstance(owed, bool) and owed > 0:
            raw.close()
            raise requests.exceptions.ChunkedEncodingError(
                'the connection closed %d bytes before the end of the answer its Content-Length announced' % owed)
        response._content = b''.join(chunks)  # pylint: disable=protected-access
        response._content_consumed = True  # pylint: disable=protected-access
        # The body is complete: the connection goes back to the pool for the next request (keep-alive).
        response.close()

    def timeouts(self, whole):
        """The timeout given to requests: the connection within ``connect_timeout``, the whole attempt (connection and
        answer) within ``whole`` seconds (None: no limit)."""
        connect = self.connect_timeout
        if whole is None:
            return Urllib3Timeout(connect=connect, read=None)
        if connect is None or connect > whole:
            connect = whole
        return Urllib3Timeout(connect=connect, read=whole, total=whole)

    def worst_case(self, idempotent=True):
        """The most seconds one request can take before it fails when the server is dead, by how it is dead.

        ``no_answer``: the port accepts connections and never answers (each attempt ends at ``timeout``; a read
        timeout is resent once, at once, and only for a safe request: GET, HEAD, OPTIONS). ``no_connection``: connections are
        never accepted (each attempt ends at ``connect_timeout``; every retry waits its longest backoff first). A
        refused connection or a name that does not resolve fails faster than either. Retry-After and HTTP errors
        are answers, not a dead server, and are not counted here.
        """
        whole = self.timeout
        connect = self.timeouts(whole).connect_timeout
        read_attempts = min(self.retries + 1, MAX_READ_TIMEOUTS if idempotent else 1)
        backoffs = sum(min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1))) for attempt in range(1, self.retries + 1))
        return {
            'no_answer': None if whole is None else read_attempts * whole,
            'no_connection': None if connect is None else (self.retries + 1) * connect + backoffs,
        }

    def hint(self, cause):
        """What to check next after a failure of ``cause`` (``dns``, ``refused``, ``reset``, ``connect_timeout``,
        ``read_timeout``, ``plain_http``; anything else: the general hint), naming the configured host and port."""
        scheme, host, port = self.origin
        tls_hint = '; if that port serves HTTPS, use https://' if scheme == 'http' else ''
        if cause == 'dns':
            return ('the host name %s does not resolve: check the host in url and the DNS settings of the machine running '
                    'the module (not retried)' % host)
        if cause == 'refused':
            return 'nothing accepts connections on %s port %s: check the port in url and that the service is running' % (
                host, port)
        if cause == 'reset':
            if scheme != 'http':
                return None  # a dropped connection on https:// has no usual cause to name
            if getattr(self, '_port_not_tls', False):
                # The port was asked (speaks_tls) and does not speak TLS: https:// is not the answer.
                return ('%s port %s closed the connection without answering, and it does not speak TLS either (so https:// '
                        'would not help): the service, or a proxy, load balancer or firewall in front of it, dropped the '
                        'connection; check that url names the API port and the service logs on that host' % (host, port))
            return ('url is http:// and %s port %s closed the connection without answering, as an HTTPS port does with '
                    'plain HTTP: use https://' % (host, port))
        if cause == 'connect_timeout':
            return ('no connection to %s port %s: a firewall may drop the packets, or the host or port in url is wrong; '
                    'raise connect_timeout only for a slow network' % (host, port))
        if cause == 'read_timeout':
            return ('%s port %s accepted the connection but sent no answer: check that url names the API port (a proxy, '
                    'firewall or another service may hold connections open), or raise timeout if the server is slow%s' % (
                        host, port, tls_hint))
        if cause == 'plain_http':
            return ('url is https:// but %s port %s answered in plain HTTP: use http:// for that port, or the port of its '
                    'HTTPS listener' % (host, port))
        return 'check url, the network path and use_proxy'

    def _resend_at_once(self, error):
        """The one resend after a read timeout: no backoff (the server already had ``timeout``), never past the deadline."""
        if self.deadline is not None and self.clock() > self.deadline:
            raise self._past_deadline(0.0, False, error)
        self.warn('%s %s: %s; sending it once more (a read timeout is retried once)' % (error.method, error.url, error.message))

    def _may_resend(self, idempotent, sent, attempts, budget):
        return attempts <= budget and (idempotent or not sent)

    @staticmethod
    def _reason(exc):
        reason = exc.args[0] if exc.args else exc
        reason = getattr(reason, 'reason', reason)
        return safe_url(_CONNECTION_PREFIX.sub('', str(reason)))

    def set_deadline(self, deadline, reason=None):
        """Bound every backoff by ``deadline`` (a ``clock()`` time, None to clear); ``reason`` names it in messages."""
        self.deadline = deadline
        self.deadline_reason = reason if deadline is not None else None

    def _backoff(self, attempts, retry_after, error):
        if retry_after is not None:
            delay = min(retry_after, RETRY_AFTER_MAX)
        else:
            delay = min(self.backoff_max, self.backoff_base * (2 ** (attempts - 1))) * random.uniform(0.5, 1.0)
        if self.deadline is not None and self.clock() + delay > self.deadline:
            raise self._past_deadline(delay, retry_after is not None, error)
        self.warn('%s %s: %s; retrying in %.1fs (retry %d of %d)' % (
            error.method, error.url, error.message, delay, attempts, self.retries))
        self.sleep(delay)

    def redirect_error(self, response, attempts=1):
        """A 3xx answer is never a success: the API does not redirect, a login page or a load balancer does."""
        location = (response.headers.get('Location') or '').strip()
        target = safe_url(join_reference(response.url or self.root, location)) if location else None
        message = ('redirected to %s: %s' % (target, REDIRECT_HINT) if target else
                   'the server answered a redirect without a Location: %s' % REDIRECT_HINT)
        return ApiError(message, kind='redirect', status=response.status_code,
                        method=response.request.method if response.request is not None else None,
                        url=response.url, attempts=attempts, details={'location': target} if target else None)

    def _past_deadline(self, delay, asked, error):
        """The error of a retry that would sleep past the deadline: final (``details['deadline']``), never retried."""
        reason = self.deadline_reason or 'the deadline of this task'
        if asked:
            what = 'the server asked to retry in %s s (Retry-After), after %s' % (('%.1f' % delay).rstrip('0').rstrip('.'), reason)
        else:
            what = 'the next retry would come after %s' % reason
        return ApiError('%s; %s: raise wait_timeout or try again later' % (error.message, what), kind=error.kind,
                        status=error.status, method=error.method, url=error.url, server_message=error.server_message,
                        details=dict(error.details, deadline=True), attempts=error.attempts)

    def error_from_response(self, response, attempts=1):
        """Map an HTTP error response to :class:`ApiError` with the server's own message."""
        method = response.request.method if response.request is not None else None
        text = redact(response.text or '', self.secrets)
        content_type = response.headers.get('Content-Type', '')
        status = response.status_code
        html = looks_like_html(text, content_type)
        if html and not (400 <= status < 500 and status not in (408, 429)):
            return ApiError('unexpected HTML answer', kind='html', status=status, method=method, url=response.url,
                            body_excerpt=text.strip()[:EXCERPT_LEN], attempts=attempts, hint=html_page_hint(text, status))
        if html:
            # The servlet container's own page for a 401/403/404 (Tomcat on vRO 7.x): the status says what
            # happened; taken for a proxy error it would be retried by a waiter until the deadline.
            body = html_title(text)
        else:
            try:
                body = parse_json(text) if text.strip() else None
            except ValueError:
                body = text
        server_message, details = self.parse_error(body)
        message = {
            400: 'the server rejected the request as invalid',
            401: 'authentication failed: check username, password or token',
            403: 'permission denied for this user',
            404: 'not found',
            409: 'conflict with the current state',
            429: 'too many requests',
        }.get(status, 'the server answered HTTP %s' % status)
        return ApiError(message, kind='auth' if status in (401, 403) else 'http', status=status, method=method,
                        url=response.url, server_message=server_message, details=details,
                        body_excerpt=text.strip()[:EXCERPT_LEN] if server_message is None else None,
                        attempts=attempts)

    def decode(self, response):
        """The JSON body of a successful response (None when empty); bad JSON raises :class:`ApiError`.

        Strict JSON (RFC 8259), read by :func:`json_text` and :func:`parse_json`: a body that Python's parser would take
        but JSON does not allow (``NaN``, ``Infinity``), or that it cannot read (nested past its recursion limit, a
        number of more than 4300 digits), is a ``json`` error in one line, never a traceback.
        """
        text = json_text(response, self.warn)
        if not text or not text.strip():
            return None
        try:
            return parse_json(text)
        except ValueError as exc:
            text = redact(text, self.secrets)
            html = looks_like_html(text, response.headers.get('Content-Type', ''))
            problem = getattr(exc, 'problem', None)
            raise ApiError('unexpected HTML answer' if html else 'the answer is not valid JSON%s' % (
                ': %s' % problem if problem else ''), kind='html' if html else 'json', status=response.status_code,
                method=response.request.method if response.request is not None else None,
                url=response.url, body_excerpt=text.strip()[:EXCERPT_LEN],
                hint=html_page_hint(text, response.status_code) if html else 'the server or a proxy sent a garbled body') from None

    def call(self, method, path, shape=None, fields=None, inner=None, **kwargs):
        """Send a request and decode its JSON answer; ``shape`` (a tuple of types), ``fields`` and ``inner`` check what
        came (see :func:`check_shape`)."""
        response = self.request(method, path, **kwargs)
        try:
            body = self.decode(response)
            if shape is not None:
                self.check(response, body, shape, fields, inner)
            return body
        except ApiError as error:
            if kwargs.get('auth_request'):
                # A garbled login answer holds a token that is not known yet, so it cannot be redacted: never quote it.
                error.body_excerpt = None
                error.message += ' (the body of a login answer is not shown: it may hold a token)'
            elif (error.kind != 'html' and not kwargs.get('idempotent', method.upper() in RESENDABLE_METHODS)
                  and 200 <= response.status_code < 300):
                # An HTML page is left as it is: a login portal or a proxy may answer it without forwarding the request.
                raise self.unreadable_success(error, response) from None
            raise

    @staticmethod
    def unreadable_success(error, response):
        """The :class:`AnswerLost` of a write the server accepted (2xx) whose JSON answer cannot be read (``error``:
        garbled, not JSON this collection reads, of the wrong shape): it was applied, so it is never sent again, and its
        caller looks for its effect as after a lost answer (``details['accepted']``: applied for sure)."""
        lost = answer_lost(error.message, error.kind, error.method, error.url, error.attempts, response)
        lost.details['accepted'] = response.status_code
        lost.body_excerpt = error.body_excerpt
        return lost

    @staticmethod
    def check(response, body, shape, fields=None, inner=None):
        """``check_shape`` of a decoded answer, naming the request that got it."""
        request = getattr(response, 'request', None)
        return check_shape(body, shape, fields, method=getattr(request, 'method', None), url=response.url,
                           status=response.status_code, inner=inner)

    def get(self, path, params=None, **kwargs):
        return self.call('GET', path, params=params, **kwargs)

    def post(self, path, json=None, **kwargs):
        return self.call('POST', path, json=json, **kwargs)

    def put(self, path, json=None, **kwargs):
        return self.call('PUT', path, json=json, **kwargs)

    def patch(self, path, json=None, **kwargs):
        return self.call('PATCH', path, json=json, **kwargs)

    def delete(self, path, **kwargs):
        return self.call('DELETE', path, **kwargs)

    # -- paging ------------------------------------------------------------------------------------------

    def paginate(self, path, pager, params=None, page_size=100, max_items=None, **options):
        """Yield the items of a paged collection, one at a time, reading only the pages needed.

        ``pager(client, path, params, page_size, **options)`` is the product's paging style (its API layer defines
        it): a generator of items that reads one page at a time and bounds itself with :meth:`page_guard`.
        Stops after ``max_items`` items without reading another page.
        """
        count = 0
        for item in pager(self, path, dict(params or {}), page_size, **options):
            yield item
            count += 1
            if max_items is not None and count >= max_items:
                return

    def page_guard(self, path, page_size, parameter):
        """The :class:`PageGuard` of one paging loop over ``path`` (``parameter`` names its position in messages)."""
        return PageGuard(self, path, page_size, parameter)


class AnswerTooLarge(Exception):
    """Raised by :meth:`Client._read_within` when a body passes :data:`MAX_ANSWER_BYTES` (decoded): mapped by
    :meth:`Client.request` to :meth:`Client.too_large`."""


def _cut_at_deadline(sock, cut):
    """The watchdog of a read without read1 (urllib3 1.26): mark the read as cut and shut the connection down, which
    ends the socket read it is blocked in."""
    cut.append(True)
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: the read ends by itself


def _socket_of(raw):
    """The socket under a urllib3 response (to bound each read by the time left), or None when it cannot be found or
    the response no longer holds its connection (read to its end, the connection is back in the pool)."""
    if getattr(raw, 'closed', False) or (hasattr(raw, '_connection') and raw._connection is None):  # pylint: disable=protected-access
        return None
    for path in (('_connection', 'sock'), ('_fp', 'fp', 'raw', '_sock')):
        node = raw
        for name in path:
            node = getattr(node, name, None)
        if node is not None and hasattr(node, 'settimeout'):
            return node
    return None


class PageGuard(object):
    """Bounds one paging loop: fails on a page that repeats the previous one and past the page-count bound."""

    def __init__(self, client, path, page_size, parameter):
        self.client = client
        self.path = path
        self.parameter = parameter
        self.max_pages = -(-PAGING_MAX_ITEMS // max(1, int(page_size or 1))) + 1
        self.pages = 0
        self.previous = None

    def check(self, signature, position):
        """Count one page; ``signature`` (its items, or None not to compare) must differ from the previous page's."""
        self.pages += 1
        if signature is not None:
            key = _json.dumps(signature, sort_keys=True, default=str)
            if signature and key == self.previous:
                self.fail('the server sent the same page again for %s=%s: it may ignore %s; narrow the query or '
                          'ask the server administrator' % (self.parameter, position, self.parameter))
            self.previous = key
        if self.pages > self.max_pages:
            self.fail('read %d pages without reaching the last one (the bound is %d items): the server may ignore %s; '
                      'narrow the query or set max_results' % (self.max_pages, PAGING_MAX_ITEMS, self.parameter))

    def fail(self, message):
        raise ApiError(message, kind='paging', method='GET', url=self.client.url_for(self.path), details={'pages': self.pages})
