# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the event sources of ``extensions/eda`` share: their connection options (with the modules' environment
fallbacks), the state file that makes each change emitted once across restarts, the outage log and backoff, and
the poll loop that ansible-rulebook runs (``run_source``).

A product's watcher (``_vcf/watch.py``, ``_vro/watch.py``, ``_ico/watch.py``) has ``load(state)``, ``dump()`` and
``poll()``; ``poll()`` returns ``(pending, observed)``: ``pending`` a list of ``(event, commit)`` and ``observed`` a
callable. Each ``commit()`` records one event as emitted and ``observed()`` the rest of what the poll saw; the state is
written after each of them, right after the event was put (no await in between), so that a stop at any point emits
nothing twice.

Internal use only: this file may change without notice between releases.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import logging
import os
import random
import re
import sys
import tempfile
import traceback

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client, redact
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, ConfigError, OperationError, one_line, safe_url
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import DURATION_FORMS, parse_duration

# The package of this file, for the products' auth choice imported by name (see build_auth).
UTILS_PACKAGE = __name__.rpartition('.')[0]
ENV_PREFIX = {'vro': 'VRO', 'vcf': 'VCF', 'ico': 'ICO'}
PRODUCT_NAMES = {'vro': 'vRO', 'vcf': 'SDDC Manager', 'ico': 'IBM Cloud Orchestrator'}
# The connection arguments of a source per product, each with its environment fallback (<PREFIX>_<NAME>).
CONNECTION_ARGS = {
    'vro': ('url', 'username', 'password', 'token', 'auth', 'auth_domain', 'auth_tenant', 'validate_certs', 'ca_path',
            'timeout'),
    'vcf': ('url', 'username', 'password', 'token', 'validate_certs', 'ca_path', 'timeout'),
    'ico': ('url', 'username', 'password', 'domain', 'project', 'validate_certs', 'ca_path', 'timeout'),
}
STATE_VERSION = 1
# Backoff after failed polls: the interval doubled per failure, up to this many seconds (a 429's Retry-After wins).
BACKOFF_MAX = 300.0
# The per-request timeout of a source (seconds) unless the timeout argument says otherwise.
DEFAULT_TIMEOUT = 30.0
# Retries inside one poll: the source's own backoff takes over after that.
REQUEST_RETRIES = 1

# A `{` that opens a Jinja delimiter ({{, {%, {#), and the template text that renders it (see jinja_inert).
_JINJA_OPEN = re.compile(r'\{(?=[{%#])')
_LITERAL_BRACE = "{{ '{' }}"
# A text that starts with this header sets its own Jinja delimiters for ansible-core (for example [[ ]]).
_JINJA_HEADER = '#jinja2:'
_LITERAL_HASH = "{{ '#' }}"

_TRUE = ('1', 'true', 'yes', 'on', 'y')
_FALSE = ('0', 'false', 'no', 'off', 'n')


class SourceError(ValueError):
    """A source cannot start (bad arguments): one line saying what to change."""


def to_bool(value, name):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SourceError('%s must be true or false, got %r' % (name, value))


def to_number(value, name, minimum=0.0):
    """Seconds of a duration argument (``30``, ``'30'``, ``'30s'``, ``'5m'``: _time.parse_duration), above ``minimum``."""
    try:
        number = parse_duration(value, name)
    except ValueError as error:
        raise SourceError(str(error)) from None
    if number is None or number <= minimum:
        raise SourceError('%s must be greater than %s, got %r: give %s' % (name, minimum, value, DURATION_FORMS))
    return number


def string_list(value, name):
    """A list of strings from a list or one comma-separated string; [] for None."""
    if value in (None, ''):
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(',') if part.strip()]
    if isinstance(value, (list, tuple)):
        return [str(item).strip() for item in value if str(item).strip()]
    raise SourceError('%s must be a list of strings, got %r' % (name, value))


def connection(product, args, environ=None):
    """The connection options of a source: each argument, else its environment variable (``VCF_URL``...)."""
    environ = os.environ if environ is None else environ
    options = {}
    from_environment = []
    for name in CONNECTION_ARGS[product]:
        value = args.get(name)
        if value in (None, ''):
            value = environ.get('%s_%s' % (ENV_PREFIX[product], name.upper()))
            if value not in (None, ''):
                from_environment.append(name)
        if value in (None, ''):
            continue
        options[name] = value
    # Which options came from the environment only (an AWX credential): see build_auth.
    options['from_environment'] = tuple(from_environment)
    if not options.get('url'):
        raise SourceError('no %s URL: set the url argument or the %s_URL environment variable' % (
            PRODUCT_NAMES[product], ENV_PREFIX[product]))
    options['validate_certs'] = to_bool(options.get('validate_certs', True), 'validate_certs')
    options['timeout'] = to_number(options.get('timeout', DEFAULT_TIMEOUT), 'timeout')
    ca_path = options.get('ca_path')
    if ca_path:
        options['ca_path'] = os.path.expanduser(str(ca_path))
        if not os.path.exists(options['ca_path']):
            raise SourceError("ca_path '%s' does not exist: give the CA bundle (PEM) that signed the server certificate"
                              % ca_path)
    return options


def build_auth(product, options):
    """The auth scheme of a source: the modules' own choice (``_<product>/auth.py`` ``choose_auth``, imported by name as
    ``OrchestratorModule.build_auth`` does), with a tenant that only the environment gave (``from_environment``) as the
    environment's; a configuration that cannot work is a :class:`SourceError`."""
    chooser = importlib.import_module('%s._%s.auth' % (UTILS_PACKAGE, product))
    environment = dict((name, options[name]) for name in options.get('from_environment', ()) if name in options)
    try:
        return chooser.choose_auth(options, environment)
    except ConfigError as error:
        raise SourceError(str(error)) from None


def build_client(product, options, api_connection, log=None, project=None):
    """One client (and so one login, refreshed across polls) for a source. ``project``: the ICO project header."""
    if product == 'ico' and project is not None:
        options = dict(options, project=project)
    log = log or logging.getLogger(__name__)
    if not options['validate_certs']:
        log.warning('validate_certs is false: the server certificate of %s is not checked, which is insecure; prefer '
                    'ca_path', safe_url(options['url']))
    try:
        auth = build_auth(product, options)
        # The client's warnings (retries) at debug level, without the secrets the auth knows at that time.
        quiet = RedactingLog(log, lambda: getattr(auth, 'secrets', ()))
        return Client(options['url'], auth=auth, validate_certs=options['validate_certs'],
                      ca_path=options.get('ca_path'), timeout=options['timeout'], retries=REQUEST_RETRIES,
                      warn=lambda msg: quiet.debug('%s', msg), debug=lambda msg: quiet.debug('%s', msg),
                      user_agent='cloudops.orchestrator/eda', **api_connection)
    except ApiError as error:
        raise SourceError(str(error)) from None


class RedactingLog:
    """A logger whose every line (traceback included) has the secrets of ``secrets()`` and anything shaped like a JWT
    replaced, as the outage lines have: what the event sources log through."""

    def __init__(self, log, secrets=lambda: ()):
        self.logger = log
        self.secrets = secrets

    def isEnabledFor(self, level):  # noqa: N802 (the logging.Logger name)
        return self.logger.isEnabledFor(level)

    def log(self, level, msg, *args, exc_info=False):
        if not self.logger.isEnabledFor(level):
            return
        text = str(msg) % args if args else str(msg)
        if exc_info:
            # The traceback as text, redacted like the rest (exc_info=True would let logging print it as it is).
            if isinstance(exc_info, BaseException):
                exc_info = (type(exc_info), exc_info, exc_info.__traceback__)
            elif not isinstance(exc_info, tuple):
                exc_info = sys.exc_info()
            if exc_info[0] is not None:
                text = '%s\n%s' % (text, ''.join(traceback.format_exception(*exc_info)).rstrip())
        self.logger.log(level, '%s', redact(text, [str(s) for s in (self.secrets() or ()) if s]))

    def debug(self, msg, *args, **kwargs):
        self.log(logging.DEBUG, msg, *args, **kwargs)

    def info(self, msg, *args, **kwargs):
        self.log(logging.INFO, msg, *args, **kwargs)

    def warning(self, msg, *args, **kwargs):
        self.log(logging.WARNING, msg, *args, **kwargs)

    def error(self, msg, *args, **kwargs):
        self.log(logging.ERROR, msg, *args, **kwargs)


def jinja_inert(value):
    """``value`` (an event: dicts, lists, strings, numbers...) with every string, dict keys included, made inert for
    Jinja: each ``{`` that opens a delimiter (``{{``, ``{%``, ``{#``) written as ``{{ '{' }}``, and the ``#`` of a
    leading ``#jinja2:`` header (which would set other delimiters) as ``{{ '#' }}``. ansible-playbook templates the
    extra vars that ansible-rulebook's ``run_playbook`` writes from the event, so a run name or error text that the
    server holds would run there as a template; escaped, it renders back to exactly the server's text. A string
    without such a delimiter or header is left as it is; so are numbers, booleans and None."""
    if isinstance(value, str):
        text = _JINJA_OPEN.sub(_LITERAL_BRACE, value)
        if text.startswith(_JINJA_HEADER):
            text = _LITERAL_HASH + text[1:]
        return text
    if isinstance(value, dict):
        return dict((jinja_inert(key), jinja_inert(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [jinja_inert(item) for item in value]
    return value


# -- the state file ------------------------------------------------------------------------------------------


def cache_dir(environ=None):
    environ = os.environ if environ is None else environ
    base = environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'cloudops.orchestrator', 'eda')


def default_state_path(source, identity, environ=None):
    """``<cache>/cloudops.orchestrator/eda/<source>-<hash of what is watched>.json``: two sources watching different
    servers or selections never share a file."""
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode('utf-8')).hexdigest()[:16]
    return os.path.join(cache_dir(environ), '%s-%s.json' % (source, digest))


class StateFile:
    """A small JSON file, written atomically (temporary file, fsync, rename) and readable by its owner only."""

    def __init__(self, path):
        self.path = os.path.expanduser(str(path))

    def load(self):
        """The saved state, or None when there is none yet (first start). An unreadable file is an error."""
        try:
            with open(self.path) as handle:
                state = json.load(handle)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise SourceError("state_file '%s' cannot be read (%s): fix or delete it (deleting it starts over: what is "
                              'in the watched state then is not emitted)' % (self.path, error)) from None
        if not isinstance(state, dict) or state.get('version') != STATE_VERSION:
            raise SourceError("state_file '%s' is not a state file of this source (version %s): delete it or choose "
                              'another state_file' % (self.path, STATE_VERSION))
        return state

    def save(self, state):
        folder = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(folder, mode=0o700, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix='.state-', dir=folder)  # mode 0600
        try:
            with os.fdopen(handle, 'w') as out:
                json.dump(dict(state, version=STATE_VERSION), out, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise


# -- outages -------------------------------------------------------------------------------------------------


def retry_after(error):
    """Seconds a 429 or 503 asked to wait (``Retry-After``), when the error carries them."""
    details = getattr(error, 'details', None) or {}
    value = details.get('retry_after') if isinstance(details, dict) else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class Outage:
    """One log line when polls start failing and one when they work again; the delay before the next poll."""

    def __init__(self, name, interval, log, backoff_max=BACKOFF_MAX, secrets=(), jitter=random.random):
        self.name = name
        self.interval = interval
        self.log = log
        self.backoff_max = max(backoff_max, interval)
        self.secrets = secrets
        self.failures = 0
        self.jitter = jitter

    def failed(self, error):
        """Record a failed poll; returns the seconds to wait before the next one."""
        self.failures += 1
        delay = min(self.backoff_max, self.interval * (2 ** min(self.failures, 16)))
        delay = delay * (0.75 + 0.25 * self.jitter())
        asked = retry_after(error)
        if getattr(error, 'status', None) == 429 and asked is None:
            asked = self.interval * 2
        if asked is not None:
            delay = max(delay, min(asked, self.backoff_max))
        if self.failures == 1:
            self.log.warning('%s: %s; polling goes on with a backoff up to %ss, and one line is logged when it works '
                             'again', self.name, redact(error_line(error), list(self.secrets())), int(self.backoff_max))
        return delay

    def recovered(self):
        if self.failures:
            self.log.warning('%s: polling works again after %d failed poll%s', self.name, self.failures,
                             '' if self.failures == 1 else 's')
        self.failures = 0


def error_line(error):
    """``error`` on one line, or its class name when it says nothing."""
    return one_line(error) or error.__class__.__name__


# -- the loop ansible-rulebook runs --------------------------------------------------------------------------


async def put_then(queue, event, commit, store, watcher):
    """Put one event, then record it as emitted and save, with no await in between: a stop (cancellation) lands either
    before the event was queued (it is emitted again after a restart) or after the state was saved."""
    await queue.put(event)
    commit()
    store.save(watcher.dump())


async def serve(queue, args, source, watcher, clients, identity, log):
    """The end of every source's ``main``: the state file (``state_file``, or the default for ``identity``), the poll
    loop every ``interval`` seconds with the clients' secrets redacted, and the clients closed when it stops."""
    try:
        interval = to_number(args.get('interval', 30), 'interval')
        escape = to_bool(args.get('escape_jinja', True), 'escape_jinja')
        store = StateFile(args.get('state_file') or default_state_path(source, identity))
        if not escape:
            log.warning('cloudops.orchestrator.%s: escape_jinja is false: text from the server in the events is not '
                        'escaped, so an action that templates it (run_playbook, run_module) runs any Jinja it holds',
                        source)
        await run_source(queue, watcher, store, interval, 'cloudops.orchestrator.' + source, log,
                         secrets=lambda: [s for client in clients for s in client.secrets], escape=escape)
    finally:
        for client in clients:
            client.close()


async def run_source(queue, watcher, store, interval, name, log, secrets=lambda: (), polls=None, escape=True):
    """Poll for ever (``polls``: that many times, for tests): every event once, state saved after each; each event
    through :func:`jinja_inert` unless ``escape`` is false (the source's ``escape_jinja``)."""
    log = RedactingLog(log, secrets)
    if getattr(watcher, 'log', None) is not None:
        # What the watcher logs (a refused filter, with the server's answer) goes through the same redaction.
        watcher.log = RedactingLog(watcher.log, secrets)
    outage = Outage(name, interval, log, secrets=secrets)
    watcher.load(store.load())
    done = 0
    while polls is None or done < polls:
        done += 1
        try:
            pending, observed = await asyncio.to_thread(watcher.poll)
        except SourceError:
            raise
        except (ApiError, OperationError, OSError, ValueError) as error:
            delay = outage.failed(error)
        except Exception as error:  # pylint: disable=broad-except
            # An answer this code did not foresee: one line per outage as for the others, the traceback at debug level.
            log.debug('%s: unexpected error while polling: %s', name, error_line(error), exc_info=True)
            delay = outage.failed(error)
        else:
            outage.recovered()
            for event, commit in pending:
                await put_then(queue, jinja_inert(event) if escape else event, commit, store, watcher)
            observed()
            store.save(watcher.dump())
            delay = interval
        if polls is None or done < polls:
            await asyncio.sleep(delay)
