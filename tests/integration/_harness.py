# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration harness: run the simulator and real playbooks from pytest.

How to use it (tests live in ``tests/integration/test_*.py``, playbooks beside them, e.g. ``playbooks/*.yml``)::

    from _harness import run_playbook          # tests/integration is on sys.path (conftest.py puts it there)

    def test_run_workflow(simulator):           # session-scoped fixture from conftest.py
        res = run_playbook('playbooks/vro_run.yml', env=simulator.env('vro'),
                           extra_vars={'workflow': 'AWSNEW'})
        assert res.result('run it')['state'] == 'completed'
        assert simulator.counters()['...'] == 1

    def test_fault(fresh_simulator):            # same simulator, reset to its seed data first
        fresh_simulator.admin('POST', 'faults', json={...})
        res = run_playbook('playbooks/vro_run.yml', env=fresh_simulator.env('vro'), expect_failure=True)
        assert 'HTML page' in res.failed_results()[0]['result']['msg']

    def test_old_vro(simulator_factory):        # a second simulator with its own options, stopped after the test
        sim = simulator_factory('--vro-version', '7.6')

Fixtures (conftest.py): ``simulator`` (session), ``fresh_simulator`` / ``reset`` (function: reset before the test),
``simulator_factory`` (function: start extra simulators with command-line options).

``Simulator``: ``.url``, ``.ca_path``, ``.users``, ``.data_dir``, ``.info`` (the whole first stdout line),
``.admin(method, path, json=None)`` (``/_sim/<path>`` with the ``admin_token`` header of the first line, TLS verified
against ``ca_path``), ``.counters()``,
``.reset()``, ``.restart()`` (same data dir, same port when it can be had), ``.env(product, user=None)`` (the
``VRO_*``/``VCF_*``/``ICO_*`` variables a module reads; ``user`` defaults to the product's first user holding an
admin role, else its first user), ``.log()`` (what the simulator printed, for assertion messages).

``run_playbook(path, extra_vars=None, check=False, env=None, verbosity=0, expect_failure=False, timeout=None)``
runs ``ansible-playbook`` from the venv against localhost (local connection, the venv's Python) with the collection
from the working tree (``build/playbook/ansible_collections/cloudops/orchestrator`` is a symlink to the repo,
so edits need no rebuild). ``path`` is absolute or relative to the calling test file's directory, the current
directory or the repo root. Every task result is recorded by ``callback_plugins/record_results.py``. The returned
``PlaybookResult`` has ``rc``, ``stdout``, ``stderr``, ``results`` (one dict per task result: ``play``, ``task``,
``action``, ``host``, ``status`` in ok/failed/ignored/skipped/unreachable, ``result``), ``stats``,
``result(task_name)`` (the result dict of the last run of that task), ``failed_results()`` and ``module_log`` (what
the modules sent to syslog/journald, captured by ``module_log/sitecustomize.py``: JSON lines). An unexpected
exit code raises ``PlaybookError`` (an AssertionError) carrying the playbook output. VRO_/VCF_/ICO_ variables of
the calling environment are not passed on, so tests only see what they set. Keep TMPDIR short if you set it:
ansible-core binds a Unix socket under it (107-byte limit), and pytest's ``tmp_path`` under xdist is too long.

``CLOUDOPS_PLAYBOOK_VERBOSITY`` (conftest.py sets 3) raises the verbosity of every run, and every run's output and
recorded results are copied into ``CLOUDOPS_TRANSCRIPT_DIR`` (conftest.py: ``<pytest basetemp>/transcripts``), which
test_secrets.py scans at the end of the session together with ansible-runner artifacts.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
INTEGRATION_DIR = Path(__file__).resolve().parent
CALLBACK_DIR = INTEGRATION_DIR / 'callback_plugins'
# sitecustomize.py that writes what modules send to syslog/journald into CLOUDOPS_MODULE_LOG (read by the secrets tests).
MODULE_LOG_DIR = INTEGRATION_DIR / 'module_log'
PLAYBOOK_COLLECTIONS = REPO_ROOT / 'build' / 'playbook'
PYTHON = sys.executable
# The Python the modules run under (the host's): CLOUDOPS_MODULE_PYTHON picks another, e.g. .venv-old-stack/bin/python
# (requests 2.25.1 on urllib3 1.26.5, made by `make units-old-stack`); the controller stays on PYTHON.
MODULE_PYTHON = os.environ.get('CLOUDOPS_MODULE_PYTHON') or PYTHON
PLAYBOOK_TIMEOUT = float(os.environ.get('CLOUDOPS_PLAYBOOK_TIMEOUT', '300'))
START_TIMEOUT = float(os.environ.get('CLOUDOPS_SIM_START_TIMEOUT', '60'))
PRODUCT_PREFIX = {'vro': 'VRO', 'vcf': 'VCF', 'ico': 'ICO'}


class SimulatorError(RuntimeError):
    """The simulator did not start, did not become ready, or an admin call failed."""


class PlaybookError(AssertionError):
    """ansible-playbook ended with an exit code the test did not expect."""


def _requests():
    # Imported lazily so that collecting tests does not need requests; the venv always has it.
    import requests  # pylint: disable=import-outside-toplevel
    return requests


def venv_bin(name):
    """Path of a console script next to the running Python, else the one on PATH."""
    candidate = Path(PYTHON).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError('%s not found next to %s nor on PATH (run `make venv`)' % (name, PYTHON))
    return found


def ensure_playbook_collection():
    """Make build/playbook/ansible_collections/cloudops/orchestrator point at the working tree; return the root."""
    link = PLAYBOOK_COLLECTIONS / 'ansible_collections' / 'cloudops' / 'orchestrator'
    if not link.is_symlink() or link.resolve() != REPO_ROOT:
        link.parent.mkdir(parents=True, exist_ok=True)
        tmp = link.with_name('.orchestrator.%d' % os.getpid())
        if tmp.is_symlink():
            tmp.unlink()
        tmp.symlink_to(REPO_ROOT, target_is_directory=True)
        if link.exists() and not link.is_symlink():
            shutil.rmtree(link)
        os.replace(tmp, link)  # atomic, so parallel workers never see a missing collection
    return PLAYBOOK_COLLECTIONS


# CLOUDOPS_SIM_QUIRKS (comma-separated quirk names, or 'all'; see simulator/README.md): every simulator the suite
# starts plays those quirks too (`make integration-quirks` runs the suite with 'all'). Tests marked
# `default_reading` assert the default reading of a behaviour a quirk changes by design: they are skipped then.
QUIRKS_ENV = 'CLOUDOPS_SIM_QUIRKS'


def env_quirk_args():
    """``--quirk NAME`` for each name in CLOUDOPS_SIM_QUIRKS (none when unset)."""
    names = [n.strip() for n in os.environ.get(QUIRKS_ENV, '').split(',') if n.strip()]
    return [arg for name in names for arg in ('--quirk', name)]


# Nothing but Simulator.start reads CLOUDOPS_SIM_QUIRKS (test_harness.py checks it), so a test that starts no Simulator
# runs the same with quirks on: `make integration-quirks` runs only the tests marked `uses_simulator`, which
# conftest.py puts on each test requesting the `simulator` or `simulator_factory` fixture. The node id of a running
# test without that mark is kept here, and a Simulator it starts is refused, so that no test escapes the quirks stage.
UNMARKED_TEST = {'nodeid': None}


class Simulator:
    """One `python -m simulator` process with TLS, started from the repo root (see the module docstring)."""

    def __init__(self, *args, data_dir=None, port=0, python=None):
        self.args = [str(a) for a in args]
        self._own_dir = data_dir is None
        self.data_dir = str(data_dir or tempfile.mkdtemp(prefix='cloudops-sim-'))
        self.port = port
        self.python = python or PYTHON
        self.proc = None
        self.info = {}
        self._log = []
        self._drain = None

    # -- lifecycle ---------------------------------------------------------------------------------------
    def start(self):
        """Start the process, read its first stdout line and wait until /_sim/counters answers."""
        if UNMARKED_TEST['nodeid']:
            raise SimulatorError('%s starts a simulator without requesting the simulator or simulator_factory fixture: '
                                 'request one of them, so that make integration-quirks runs it too' % UNMARKED_TEST['nodeid'])
        cmd = [self.python, '-m', 'simulator', '--port', str(self.port), '--data-dir', self.data_dir] + self.args
        cmd += env_quirk_args()
        env = dict(os.environ, PYTHONUNBUFFERED='1')
        # pylint: disable-next=consider-using-with
        self.proc = subprocess.Popen(cmd, cwd=str(REPO_ROOT), env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        line = self._first_json_line(time.monotonic() + START_TIMEOUT)
        self.info = line
        self._drain = threading.Thread(target=self._drain_output, daemon=True)
        self._drain.start()
        self.port = int(self.url.rsplit(':', 1)[1].split('/')[0])
        self._wait_ready(time.monotonic() + START_TIMEOUT)
        return self

    def _first_json_line(self, deadline):
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                raise SimulatorError('simulator printed no JSON line within %.0fs; output:\n%s' % (START_TIMEOUT, self.log()))
            ready = select.select([self.proc.stdout], [], [], remaining)[0]
            if not ready:
                continue
            line = self.proc.stdout.readline()
            if not line:
                code = self.proc.wait()
                raise SimulatorError('simulator exited (rc=%s) before printing its address; output:\n%s' % (code, self.log()))
            self._log.append(line)
            if line.lstrip().startswith('{'):
                try:
                    return json.loads(line)
                except ValueError:
                    pass

    def _drain_output(self):
        # Keep reading so a chatty simulator never blocks on a full pipe.
        for line in self.proc.stdout:
            self._log.append(line)

    def _wait_ready(self, deadline):
        requests = _requests()
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SimulatorError('simulator exited (rc=%s) during start; output:\n%s' % (self.proc.returncode, self.log()))
            try:
                requests.get(self.url + '/_sim/counters', verify=self.verify, timeout=2, headers=self.admin_headers)
                return
            except requests.RequestException as exc:
                last = exc
                time.sleep(0.1)
        self.stop()
        raise SimulatorError('simulator at %s not ready within %.0fs: %s' % (self.url, START_TIMEOUT, last))

    def stop(self):
        """SIGTERM, then SIGKILL after 10 seconds. Safe to call twice."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if self._drain is not None:
            self._drain.join(timeout=5)
        if proc.stdout:
            proc.stdout.close()

    def restart(self):
        """Stop and start again on the same data dir, and on the same port unless it cannot be bound again."""
        self.stop()
        try:
            return self.start()
        except SimulatorError:
            self.port = 0
            return self.start()

    def cleanup(self):
        """Stop and remove the data dir if this object created it."""
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # -- what the first line said ------------------------------------------------------------------------
    @property
    def url(self):
        return self.info['url'].rstrip('/')

    @property
    def ca_path(self):
        return self.info.get('ca_path')

    @property
    def users(self):
        return self.info.get('users', {})

    @property
    def admin_headers(self):
        """The header /_sim needs: the admin token of the first line (simulator/admin.py)."""
        return {self.info.get('admin_header', 'X-Sim-Admin-Token'): self.info.get('admin_token', '')}

    @property
    def verify(self):
        return self.ca_path if self.ca_path else True

    @property
    def quirks(self):
        """The quirks this simulator plays (the first line's ``quirks``: its --quirk options, CLOUDOPS_SIM_QUIRKS)."""
        return frozenset(self.info.get('quirks') or ())

    def log(self):
        """Everything the simulator printed so far."""
        return ''.join(self._log)

    # -- admin API ---------------------------------------------------------------------------------------
    def admin(self, method, path, json=None):  # pylint: disable=redefined-outer-name
        """Call /_sim/<path>; return the decoded JSON body (None when empty). Raises SimulatorError on >= 400."""
        requests = _requests()
        path = path.lstrip('/')
        if path.startswith('_sim/'):
            path = path[len('_sim/'):]
        resp = requests.request(method.upper(), '%s/_sim/%s' % (self.url, path), json=json, verify=self.verify, timeout=30,
                                headers=self.admin_headers)
        if resp.status_code >= 400:
            raise SimulatorError('%s /_sim/%s -> %s: %s' % (method.upper(), path, resp.status_code, resp.text[:500]))
        if not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            return resp.text

    def counters(self):
        return self.admin('GET', 'counters')

    def reset(self):
        return self.admin('POST', 'reset')

    def faults(self, payload):
        """Install faults (body as described in simulator/README.md)."""
        return self.admin('POST', 'faults', json=payload)

    # -- connection settings for modules -----------------------------------------------------------------
    def user(self, product, user=None):
        """Return (name, entry) of a simulator user for 'vro' | 'vcf' | 'ico'."""
        users = self.users.get(product) or {}
        if not users:
            raise SimulatorError('simulator has no %s users: %r' % (product, self.users))
        if user is not None:
            if user not in users:
                raise SimulatorError('no %s user %r; known: %s' % (product, user, ', '.join(sorted(users))))
            return user, users[user]
        for name, entry in users.items():
            if any('admin' in str(role).lower() for role in (entry or {}).get('roles', [])):
                return name, entry
        name = next(iter(users))
        return name, users[name]

    def env(self, product, user=None):
        """The PREFIX_URL/USERNAME/PASSWORD/CA_PATH variables (plus ICO_DOMAIN/ICO_PROJECT) for one user, and
        SIM_ADMIN_TOKEN."""
        prefix = PRODUCT_PREFIX[product]
        name, entry = self.user(product, user)
        env = {
            prefix + '_URL': self.url,
            prefix + '_USERNAME': name,
            prefix + '_PASSWORD': str(entry.get('password', '')),
        }
        if self.ca_path:
            env[prefix + '_CA_PATH'] = self.ca_path
        if self.info.get('admin_token'):
            env['SIM_ADMIN_TOKEN'] = self.info['admin_token']  # for playbooks that call /_sim themselves
        if product == 'ico':
            for key in ('domain', 'project'):
                if entry.get(key) is not None:
                    env['ICO_' + key.upper()] = str(entry[key])
        return env

    def all_env(self):
        """env() for every product, merged (what `make demo` exports)."""
        merged = {}
        for product in PRODUCT_PREFIX:
            if self.users.get(product):
                merged.update(self.env(product))
        return merged


class PlaybookResult:
    """What one ansible-playbook run did (see the module docstring)."""

    def __init__(self, rc, stdout, stderr, records, command):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.command = command
        self.module_log = ''
        self.results = [r for r in records if 'task' in r]
        stats = [r['stats'] for r in records if 'stats' in r]
        self.stats = stats[-1] if stats else {}

    def result(self, task_name):
        """The result dict of the last run of task_name; KeyError names the tasks that did run."""
        for record in reversed(self.results):
            if record['task'] == task_name:
                return record['result']
        raise KeyError('no result for task %r; tasks that ran: %s' % (task_name, [r['task'] for r in self.results]))

    def record(self, task_name):
        """The whole record (status, host, result, ...) of the last run of task_name."""
        for record in reversed(self.results):
            if record['task'] == task_name:
                return record
        raise KeyError('no result for task %r' % task_name)

    def failed_results(self, include_ignored=False):
        """Records of failed (and, if asked, ignore_errors) tasks."""
        wanted = {'failed', 'unreachable'} | ({'ignored'} if include_ignored else set())
        return [r for r in self.results if r['status'] in wanted]

    def __repr__(self):
        return '<PlaybookResult rc=%s tasks=%d>' % (self.rc, len(self.results))


def _resolve_playbook(path):
    path = Path(path)
    if path.is_absolute():
        return path
    bases = []
    frame = sys._getframe(1)  # pylint: disable=protected-access
    while frame is not None and len(bases) < 3:
        caller = Path(frame.f_code.co_filename).resolve()
        if caller != Path(__file__).resolve() and caller.parent not in bases:
            bases.append(caller.parent)
        frame = frame.f_back
    bases += [Path.cwd(), INTEGRATION_DIR, REPO_ROOT]
    for base in bases:
        if (base / path).exists():
            return base / path
    raise FileNotFoundError('playbook %s not found under %s' % (path, ', '.join(str(b) for b in bases)))


def _clean_environ():
    env = {k: v for k, v in os.environ.items() if not k.startswith(('VRO_', 'VCF_', 'ICO_', 'ANSIBLE_'))}
    env.pop('PYTHONPATH', None)
    return env


def _keep_transcript(playbook, result, record):
    """Copy what one run printed and recorded into CLOUDOPS_TRANSCRIPT_DIR, when set (scanned by test_secrets.py)."""
    target = os.environ.get('CLOUDOPS_TRANSCRIPT_DIR')
    if not target:
        return
    os.makedirs(target, exist_ok=True)
    stem = os.path.join(target, '%s-%d-%d' % (playbook.stem, os.getpid(), time.monotonic_ns()))
    with open(stem + '.out', 'w', encoding='utf-8') as handle:
        handle.write('$ %s\n--- stdout\n%s\n--- stderr\n%s\n' % (' '.join(result.command), result.stdout, result.stderr))
    if record.exists():
        shutil.copyfile(str(record), stem + '.jsonl')
    if result.module_log:
        with open(stem + '.modlog', 'w', encoding='utf-8') as handle:
            handle.write(result.module_log)


def _hint(proc, env):
    """A next step for failures whose cause is the test's environment rather than the collection."""
    if 'Local RPC server did not start' in proc.stdout + proc.stderr:
        return ('\nHINT: ansible-core could not bind its RPC socket under TMPDIR=%s (%d characters); Unix socket '
                'paths are limited to 107 bytes, so give ansible-playbook a short TMPDIR (tempfile.mkdtemp()).'
                % (env.get('TMPDIR', tempfile.gettempdir()), len(env.get('TMPDIR', tempfile.gettempdir()))))
    return ''


def run_playbook(path, extra_vars=None, check=False, env=None, verbosity=0, expect_failure=False, timeout=None, tags=None):
    """Run a playbook with ansible-playbook from the venv; return a PlaybookResult (see the module docstring)."""
    playbook = _resolve_playbook(path)
    collections = ensure_playbook_collection()
    with tempfile.TemporaryDirectory(prefix='cloudops-play-') as tmp:
        tmp = Path(tmp)
        inventory = tmp / 'inventory.ini'
        inventory.write_text('localhost ansible_connection=local ansible_python_interpreter=%s\n' % MODULE_PYTHON, encoding='utf-8')
        record = tmp / 'results.jsonl'
        cmd = [venv_bin('ansible-playbook'), '-i', str(inventory), str(playbook)]
        if extra_vars:
            vars_file = tmp / 'extra_vars.json'
            vars_file.write_text(json.dumps(extra_vars), encoding='utf-8')
            cmd += ['-e', '@%s' % vars_file]
        if check:
            cmd.append('--check')
        if tags:
            cmd += ['--tags', ','.join(tags) if isinstance(tags, (list, tuple)) else str(tags)]
        # CLOUDOPS_PLAYBOOK_VERBOSITY raises every run's verbosity (conftest sets 3, for the secrets scan).
        verbosity = max(verbosity or 0, int(os.environ.get('CLOUDOPS_PLAYBOOK_VERBOSITY') or 0))
        if verbosity:
            cmd.append('-' + 'v' * verbosity)
        run_env = _clean_environ()
        run_env.update({
            'ANSIBLE_COLLECTIONS_PATH': str(collections),
            'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false',
            'ANSIBLE_CALLBACK_PLUGINS': str(CALLBACK_DIR),
            'ANSIBLE_CALLBACKS_ENABLED': 'record_results',
            'CLOUDOPS_RECORD_RESULTS': str(record),
            'ANSIBLE_LOCAL_TEMP': str(tmp / 'ansible-tmp'),
            'ANSIBLE_REMOTE_TEMP': str(tmp / 'ansible-tmp'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_FORCE_COLOR': '0',
            'ANSIBLE_RETRY_FILES_ENABLED': 'false',
            'ANSIBLE_HOST_KEY_CHECKING': 'false',
            'ANSIBLE_PYTHON_INTERPRETER': MODULE_PYTHON,
            'PATH': '%s%s%s' % (Path(PYTHON).parent, os.pathsep, os.environ.get('PATH', '')),
            'PYTHONPATH': str(MODULE_LOG_DIR),
            'CLOUDOPS_MODULE_LOG': str(tmp / 'module.log'),
        })
        run_env.update({k: str(v) for k, v in (env or {}).items()})
        try:
            proc = subprocess.run(cmd, cwd=str(playbook.parent), env=run_env, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=timeout or PLAYBOOK_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or '')
            raise PlaybookError('playbook %s did not finish within %ss; output so far:\n%s' % (playbook, exc.timeout, out)) from None
        records = []
        if record.exists():
            with record.open(encoding='utf-8') as handle:
                records = [json.loads(line) for line in handle if line.strip()]
        result = PlaybookResult(proc.returncode, proc.stdout, proc.stderr, records, cmd)
        module_log = tmp / 'module.log'
        result.module_log = module_log.read_text(encoding='utf-8') if module_log.exists() else ''
        _keep_transcript(playbook, result, record)
    if expect_failure and result.rc == 0:
        raise PlaybookError('playbook %s succeeded but a failure was expected; output:\n%s' % (playbook, result.stdout))
    if not expect_failure and result.rc != 0:
        raise PlaybookError('playbook %s failed (rc=%s); output:\n%s\n%s%s' % (playbook, result.rc, result.stdout, result.stderr,
                                                                               _hint(result, run_env)))
    if not records:
        warnings.warn('playbook %s recorded no results; is the record_results callback loading?\n%s' % (playbook, result.stderr))
    return result


def write_playbook(tmp_path, name, tasks, ignore_errors=False, play_vars=None):
    """``tmp_path/<name>.yml``: one play of ``tasks`` on localhost without facts (each task with ``ignore_errors``
    when asked, so that one play checks several failures), with ``play_vars``; returns its path."""
    play = {'name': name, 'hosts': 'localhost', 'gather_facts': False,
            'tasks': [dict(task, ignore_errors=True) for task in tasks] if ignore_errors else tasks}
    if play_vars:
        play['vars'] = play_vars
    path = tmp_path / ('%s.yml' % name)
    path.write_text(json.dumps([play]), encoding='utf-8')
    return path


# What shows that a module crashed rather than failed cleanly.
TRACEBACK_MARKERS = ('Traceback (most recent call last)', 'MODULE FAILURE', 'module_stderr', 'Module failed: ')


def failed_once(res, name='it'):
    """The failed result of task ``name`` (run with ``ignore_errors``), checked to be one clean line."""
    record = res.record(name)
    result = record['result']
    assert record['status'] == 'ignored', result
    text = json.dumps(result)
    assert not any(marker in text for marker in TRACEBACK_MARKERS), text[:2000]
    assert result['msg'] and '\n' not in result['msg'].strip(), result['msg']
    return result


def ico_task_list(sim, user=None):
    """Every ICO task ``user`` sees, read straight from the simulator: a plain array, or (quirk ico-tasks-paged) page
    after page with ``_start``; ``{"item": {...}}`` entries (quirk ico-item-wrapped) unwrapped."""
    requests = _requests()
    name, entry = sim.user('ico', user)
    tasks, start = [], 0
    while True:
        body = requests.get(sim.url + '/orchestrator/v2/tasks', params={'_start': start} if start else None,
                            auth=(name, entry['password']), verify=sim.ca_path, timeout=30).json()
        page = body['items'] if isinstance(body, dict) else body
        tasks.extend(t['item'] if isinstance(t.get('item'), dict) else t for t in page)
        if not isinstance(body, dict) or not page or not body.get('next'):
            return tasks
        start += len(page)


class FakeRequest(http.server.BaseHTTPRequestHandler):
    """One request to a fake server of ``LocalHttpServer``: HTTP/1.1 (connections kept open, as real servers keep
    them), nothing logged, every method read whole and handed to ``respond()``, which calls the server's
    ``answer(request)``; a subclass may override ``respond()`` instead (the handler hook).

    For the route: ``command``, ``path`` (with its query), ``url_path`` and ``query`` (split at ``?``), ``headers``,
    ``raw`` (the body's bytes), ``json_body()``, ``send(status, body, headers)`` and ``drop()``."""

    protocol_version = 'HTTP/1.1'
    url_path = query = ''
    raw = b''

    def log_message(self, *args):
        pass

    def _dispatch(self):
        self.url_path, self.query = (self.path.split('?', 1) + [''])[:2]
        length = int(self.headers.get('Content-Length') or 0)
        self.raw = self.rfile.read(length) if length else b''
        self.respond()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch  # noqa: N815 - the stdlib's names

    def respond(self):
        """Answer the request: the server's ``answer`` (the route) by default."""
        self.server.fake.answer(self)

    def json_body(self):
        """The body decoded from JSON; None when there is none."""
        return json.loads(self.raw) if self.raw else None

    def send(self, status, body=None, headers=None, content_type='application/json'):
        """Answer ``status`` with ``headers`` and ``body`` (None: no body and no Content-Type; bytes: as they are; else
        JSON), with its Content-Length."""
        data = b'' if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if body is not None:
            self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def drop(self):
        """Close the connection without an answer: a lost answer (what the request did stays done)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class LocalHttpServer(object):
    """A plain-HTTP server on a free local port, serving from a thread, for the cases the simulator cannot play; a
    context manager. ``port`` and ``url`` name it.

    A fake is a subclass that overrides ``answer(request)``, or ``LocalHttpServer(answer=function)``: each request is a
    ``FakeRequest`` (read whole; ``send``, ``drop``, ``json_body``). ``handler`` (a ``BaseHTTPRequestHandler`` class,
    ``FakeRequest`` or a subclass of it) serves instead, for a fake written at the byte level."""

    def __init__(self, handler=FakeRequest, answer=None):
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.server.daemon_threads = True
        self.server.fake = self
        self._answer = answer
        self.port = self.server.server_address[1]
        self.url = 'http://127.0.0.1:%d' % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, request):
        """Answer one ``FakeRequest``: the ``answer`` function given, else 404."""
        if self._answer is not None:
            return self._answer(request)
        return request.send(404, {'status': 404, 'message': 'no route for %s %s' % (request.command, request.url_path)})

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class BasicJsonApi(LocalHttpServer):
    """A fake JSON API under ``prefix`` with one Basic user (``user``, ``password``), answered as vRO answers: each
    request is recorded in ``requests`` as ``(method, path, body)``, other credentials get 401 and a path outside
    ``prefix`` 404 (vRO's ``{status, message}`` bodies), the rest goes to ``route(request, method, rel, query, body)``
    under ``lock`` (``rel``: the path after ``prefix`` without its trailing ``/``, ``body``: the JSON body or None)."""

    def __init__(self, prefix, user, password):
        super().__init__()
        self.prefix = prefix
        self.authorization = 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode()).decode()
        self.lock = threading.Lock()
        self.requests = []

    def answer(self, request):
        body = request.json_body()
        with self.lock:
            self.requests.append((request.command, request.path, body))
        if request.headers.get('Authorization') != self.authorization:
            return request.send(401, {'status': 401, 'message': 'Unauthorized'})
        if not request.url_path.startswith(self.prefix):
            return request.send(404, {'status': 404, 'message': 'Not found: %s' % request.url_path})
        rel = request.url_path[len(self.prefix):].rstrip('/') or '/'
        with self.lock:
            return self.route(request, request.command, rel, request.query, body)

    def route(self, h, method, rel, query, body):
        """Answer ``h`` (a ``FakeRequest`` of the user under ``prefix``): a subclass's routes."""
        raise NotImplementedError

    @staticmethod
    def error(request, status, message):
        """vRO's error answer."""
        return request.send(status, {'status': status, 'message': message, 'details': None})
