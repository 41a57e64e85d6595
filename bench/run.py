# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the collection's modules against the hand-written ``ansible.builtin.uri`` loop.

Usage (``make bench`` runs it under tools/with_simulator.py; run alone, it starts its own simulator)::

    python bench/run.py [--reps N] [--quick] [--only floor,wait,...] [--out bench/results.json]

Every scenario runs real ``ansible-playbook`` processes (local connection, the venv's Python) from
bench/playbooks/, ours and the baseline alternating within each repetition (the order flips every repetition).
Task times come from the bench_timer callback (bench/callback_plugins/), request counts from the simulator's
``/_sim/counters`` (cleared before each playbook), peak RSS from ``/usr/bin/time -f %M`` wrapped around the
module interpreter. bench/README.md explains each scenario, figure and target.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PLAYBOOKS = os.path.join(BENCH, 'playbooks')
PY = sys.executable
sys.path.insert(0, os.path.join(ROOT, 'tests', 'integration'))

import requests  # noqa: E402  # pylint: disable=wrong-import-position
from _harness import Simulator, ensure_playbook_collection, venv_bin  # noqa: E402  # pylint: disable=wrong-import-position

SLEEP_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002'  # the simulator's built-in "Sleep" workflow
TERMINAL = ('completed', 'failed', 'canceled')
SCENARIOS = ('imports', 'floor', 'wait', 'long', 'fanout', 'find', 'vcf')
MODULE_UTILS = ('_client', '_auth', '_waiter', '_module', '_vro_types', '_vro', '_vro_runs', '_vcf', '_ico')
NOTES = []
SHIELD = []


def note(text):
    """Print and keep a remark for results.json (skips, fewer repetitions, anomalies)."""
    print('  note: ' + text, flush=True)
    NOTES.append(text)


# ---------------------------------------------------------------------------------------------------------------
# figures

class Figures:
    """Named lists of measured values, summarised as median/min/max."""

    def __init__(self):
        self.values = {}
        self.units = {}

    def add(self, name, value, unit='s'):
        if value is None:
            return
        self.values.setdefault(name, []).append(value)
        self.units[name] = unit

    def median(self, name):
        values = self.values.get(name)
        return statistics.median(values) if values else None

    def summary(self, name):
        values = self.values.get(name) or []
        if not values:
            return None
        return {'unit': self.units[name], 'median': _round(statistics.median(values)), 'min': _round(min(values)),
                'max': _round(max(values)), 'n': len(values), 'values': [_round(v) for v in values]}

    def to_dict(self):
        return {name: self.summary(name) for name in sorted(self.values)}


def _round(value):
    return round(value, 4) if isinstance(value, float) else value


# ---------------------------------------------------------------------------------------------------------------
# the simulator

class Sim:
    """A running simulator: the environment a module reads, admin calls and vRO/VCF calls for setting up."""

    def __init__(self, url, ca_path, users, owned=None, pid=None, admin_token=''):  # pylint: disable=too-many-arguments
        self.url = url.rstrip('/')
        self.pid = pid
        self.ca_path = ca_path
        self.users = users
        self.owned = owned
        self.http = requests.Session()
        self.http.headers['X-Sim-Admin-Token'] = admin_token or ''  # /_sim needs the simulator's admin token
        self.verify = ca_path or True  # per request: REQUESTS_CA_BUNDLE would override a Session default

    @classmethod
    def from_environment(cls):
        if os.environ.get('SIM_URL') and os.environ.get('SIM_INFO'):
            info = json.loads(os.environ['SIM_INFO'])
            return cls(os.environ['SIM_URL'], os.environ.get('SIM_CA_PATH') or None, info.get('users', {}), pid=info.get('pid'),
                       admin_token=info.get('admin_token'))
        return cls.start()

    @classmethod
    def start(cls):
        sim = Simulator().start()
        return cls(sim.url, sim.ca_path, sim.users, owned=sim, pid=sim.proc.pid if sim.proc else None,
                   admin_token=sim.info.get('admin_token'))

    def stop(self):
        if self.owned is not None:
            self.owned.cleanup()

    def user(self, product):
        users = self.users.get(product) or {}
        for name, entry in users.items():
            if any('admin' in str(role).lower() for role in (entry or {}).get('roles', [])):
                return name, entry.get('password', '')
        for name, entry in users.items():
            return name, entry.get('password', '')
        return None, None

    def env(self):
        env = {}
        for product, prefix in (('vro', 'VRO'), ('vcf', 'VCF')):
            name, password = self.user(product)
            if name is None:
                continue
            env.update({prefix + '_URL': self.url, prefix + '_USERNAME': name, prefix + '_PASSWORD': password})
            if self.ca_path:
                env[prefix + '_CA_PATH'] = self.ca_path
        return env

    def admin(self, method, path, **kw):
        resp = self.http.request(method, '%s/_sim/%s' % (self.url, path.lstrip('/')), timeout=120, verify=self.verify, **kw)
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def vro(self, method, path, **kw):
        name, password = self.user('vro')
        resp = self.http.request(method, '%s/vco/api/%s' % (self.url, path.lstrip('/')), auth=(name, password),
                                 headers={'Accept': 'application/json'}, timeout=120, verify=self.verify, **kw)
        return resp

    def has_vro(self):
        try:
            return self.user('vro')[0] is not None and self.vro('GET', 'workflows/%s' % SLEEP_ID).status_code == 200
        except requests.RequestException:
            return False

    def start_sleep(self, seconds):
        body = {'parameters': [{'name': 'seconds', 'type': 'number', 'scope': 'local',
                                'value': {'number': {'value': seconds}}}]}
        resp = self.vro('POST', 'workflows/%s/executions' % SLEEP_ID, json=body)
        resp.raise_for_status()
        return resp.headers['Location'].rstrip('/').rsplit('/', 1)[1]

    def execution(self, workflow_id, execution_id):
        resp = self.vro('GET', 'workflows/%s/executions/%s' % (workflow_id, execution_id))
        resp.raise_for_status()
        return resp.json()

    def clear_counters(self):
        self.admin('DELETE', 'counters')

    def counters(self):
        return self.admin('GET', 'counters')

    def request_log(self):
        return self.admin('GET', 'requests', params={'limit': 5000}).get('requests', [])


def parse_time(value):
    """vRO dates: ISO 8601 (8.x) or epoch milliseconds (7.x) -> epoch seconds."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return value / 1000.0
    text = str(value).replace('Z', '+00:00')
    return datetime.datetime.fromisoformat(text).timestamp()


# ---------------------------------------------------------------------------------------------------------------
# running playbooks

class Play:
    """The outcome of one ansible-playbook run: task records, the simulator's counters and log, RSS samples."""

    def __init__(self, name, rc, records, counters, log, rss, output, sim=None):  # pylint: disable=too-many-arguments
        self.name = name
        self.sim = sim
        self.rc = rc
        self.records = records
        self.counters = counters
        self.log = log
        self.rss = rss
        self.output = output

    def bench_tasks(self, prefix='bench'):
        return [r for r in self.records if r['task'].startswith(prefix)]

    def wall(self, prefix='bench'):
        """Seconds from the start of the first task named ``prefix...`` to the end of the last one."""
        tasks = self.bench_tasks(prefix)
        if not tasks:
            return None
        return max(t['end'] for t in tasks) - min(t['start'] for t in tasks)

    def window(self, prefix='bench'):
        tasks = self.bench_tasks(prefix)
        return min(t['start'] for t in tasks), max(t['end'] for t in tasks)

    def requests(self, prefix='bench'):
        """Requests the simulator answered while the ``prefix...`` tasks ran (its log, by time window)."""
        if not self.bench_tasks(prefix):
            return None
        start, end = self.window(prefix)
        return sum(1 for e in self.log if start <= e['time'] <= end)

    def request_span(self, prefix='bench'):
        """(task start -> first request, first -> last request, last request -> task end) of the timed window."""
        if not self.bench_tasks(prefix):
            return None, None, None
        start, end = self.window(prefix)
        times = [e['time'] for e in self.log if start <= e['time'] <= end]
        if not times:
            return None, None, None
        return min(times) - start, max(times) - min(times), end - max(times)

    def failed(self):
        return self.rc != 0 or any(r['status'] == 'failed' for r in self.records)


class Runner:
    """Runs bench playbooks against one simulator, one at a time or two side by side."""

    def __init__(self, sim, workdir, verbose=False, collections_path=None):
        self.sim = sim
        self.collections_path = collections_path or str(ensure_playbook_collection())
        self.workdir = workdir
        self.verbose = verbose
        self.playbook = venv_bin('ansible-playbook')
        self.count = 0
        self.rss_wrapper = self._write_rss_wrapper()

    def _write_rss_wrapper(self):
        # /usr/bin/time reports the child's peak RSS (ru_maxrss) exactly, at the cost of one fork+exec.
        if not os.access('/usr/bin/time', os.X_OK):
            return None
        path = os.path.join(self.workdir, 'python-rss')
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write('#!/bin/sh\nexec /usr/bin/time -a -o "$BENCH_RSS_LOG" -f "%%M %%e %%C" %s "$@"\n' % PY)
        os.chmod(path, 0o755)
        return path

    def _command(self, playbook, extra_vars, rss):
        interpreter = self.rss_wrapper if rss and self.rss_wrapper else PY
        extra = dict(extra_vars or {}, ansible_python_interpreter=interpreter)
        return [self.playbook, '-i', 'localhost,', '-c', 'local', '-e', json.dumps(extra),
                os.path.join(PLAYBOOKS, playbook)]

    def _env(self, sim, timings, rss_log):
        env = dict(os.environ)
        for key in list(env):
            if key.startswith(('VRO_', 'VCF_', 'ICO_')):
                del env[key]
        env.update(sim.env())
        env.update({
            'BENCH_TIMINGS': timings,
            'BENCH_RSS_LOG': rss_log,
            'ANSIBLE_CALLBACK_PLUGINS': os.path.join(BENCH, 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'bench_timer',
            'ANSIBLE_COLLECTIONS_PATH': self.collections_path,
            'ANSIBLE_LOCALHOST_WARNING': 'false',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': 'false',
            'PYTHONDONTWRITEBYTECODE': '',
        })
        return env

    def _spawn(self, sim, playbook, extra_vars, rss):
        self.count += 1
        tag = '%03d-%s' % (self.count, os.path.splitext(playbook)[0])
        timings = os.path.join(self.workdir, tag + '.jsonl')
        rss_log = os.path.join(self.workdir, tag + '.rss')
        out = os.path.join(self.workdir, tag + '.out')
        sim.clear_counters()
        handle = open(out, 'w', encoding='utf-8')  # pylint: disable=consider-using-with
        # pylint: disable-next=consider-using-with
        proc = subprocess.Popen(self._command(playbook, extra_vars, rss), cwd=ROOT, env=self._env(sim, timings, rss_log),
                                stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT)
        return {'proc': proc, 'handle': handle, 'tag': tag, 'timings': timings, 'rss_log': rss_log, 'out': out,
                'sim': sim, 'playbook': playbook}

    def _collect(self, job, timeout):
        try:
            rc = job['proc'].wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            job['proc'].kill()
            rc = job['proc'].wait()
            note('%s: killed after %ss' % (job['tag'], timeout))
        job['handle'].close()
        sim = job['sim']
        counters = sim.counters()
        log = sim.request_log()
        records = []
        if os.path.exists(job['timings']):
            with open(job['timings'], encoding='utf-8') as handle:
                records = [json.loads(line) for line in handle if line.strip()]
        with open(os.path.join(self.workdir, job['tag'] + '.requests.json'), 'w', encoding='utf-8') as handle:
            json.dump({'counters': counters, 'requests': log}, handle, indent=1)
        rss = _read_rss(job['rss_log'])
        with open(job['out'], encoding='utf-8', errors='replace') as handle:
            output = handle.read()
        play = Play(job['tag'], rc, records, counters, log, rss, output, sim)
        if play.failed():
            print('    !! %s failed (rc=%s); last output lines:\n%s' % (job['tag'], rc, _tail(output, 25)), flush=True)
        elif self.verbose:
            print('    %s: %s' % (job['tag'], ', '.join('%s %.3fs' % (r['task'], r['end'] - r['start']) for r in records)))
        return play

    def play(self, playbook, extra_vars=None, rss=False, timeout=900, sim=None):
        """Run one playbook and return its :class:`Play`."""
        return self._collect(self._spawn(sim or self.sim, playbook, extra_vars, rss), timeout)

    def side_by_side(self, jobs, timeout=900):
        """Run several ``(sim, playbook, extra_vars, rss)`` at once (each against its own simulator)."""
        spawned = [self._spawn(sim, playbook, extra, rss) for sim, playbook, extra, rss in jobs]
        return [self._collect(job, timeout) for job in spawned]


def _read_rss(path):
    """``[(module, peak_kib)]`` from the /usr/bin/time lines of one playbook run."""
    found = []
    if not os.path.exists(path):
        return found
    with open(path, encoding='utf-8', errors='replace') as handle:
        for line in handle:
            match = re.match(r'\s*(\d+) ([\d.]+) .*AnsiballZ_(\w+)\.py', line)
            if match:
                found.append((match.group(3), int(match.group(1))))
    return found


def _tail(text, lines):
    return '\n'.join(text.rstrip().splitlines()[-lines:])


def alternate(rep, ours, baseline):
    """Ours first on even repetitions, the baseline first on odd ones."""
    return [ours, baseline] if rep % 2 == 0 else [baseline, ours]


def module_exists(name):
    return os.path.exists(os.path.join(ROOT, 'plugins', 'modules', name + '.py'))


def needs(sim, *modules, vro=True):
    missing = [m for m in modules if not module_exists(m)]
    if missing:
        return 'module(s) %s not present yet' % ', '.join(missing)
    if vro and not sim.has_vro():
        return 'the simulator does not serve the vRO API (simulator/vro.py) yet'
    return None


# ---------------------------------------------------------------------------------------------------------------
# scenarios

def scenario_imports(ctx):
    """Import time of each module_utils file in a fresh interpreter, after ansible.module_utils.basic (every module
    imports it) -- against ansible.module_utils.urls, what uri imports."""
    figs = ctx.figures
    coll = ctx.runner.collections_path
    targets = [('ansible.module_utils.urls', 'uri: ansible.module_utils.urls'), ('requests', 'requests')]
    for name in MODULE_UTILS:
        if os.path.exists(os.path.join(ROOT, 'plugins', 'module_utils', name + '.py')):
            targets.append(('ansible_collections.cloudops.orchestrator.plugins.module_utils.' + name, name))
    code = ('import sys, time; sys.path.insert(0, %r); import ansible.module_utils.basic; t = time.perf_counter(); '
            'import importlib; importlib.import_module(sys.argv[1]); print(time.perf_counter() - t)') % coll
    for rep in range(max(ctx.reps, 5)):
        for module, label in (targets if rep % 2 == 0 else list(reversed(targets))):
            out = subprocess.run([PY, '-c', code, module], capture_output=True, text=True, check=False,
                                 env=dict(os.environ, PYTHONDONTWRITEBYTECODE=''))
            if out.returncode != 0:
                note('import of %s failed: %s' % (module, _tail(out.stderr, 3)))
                continue
            figs.add('imports.%s' % label, float(out.stdout.strip()))


def scenario_floor(ctx):
    """1. One GET: vro_execution_info on a finished run vs uri GET of that run."""
    why = needs(ctx.sim, 'vro_execution_info')
    if why:
        return note('floor skipped: ' + why)
    execution_id = ctx.sim.start_sleep(0)
    extra = {'workflow_id': SLEEP_ID, 'execution_id': execution_id}
    for rep in range(ctx.reps_floor):
        for side in alternate(rep, 'ours', 'uri'):
            play = ctx.runner.play('floor_%s.yml' % side, extra)
            if play.failed():
                continue
            ctx.figures.add('floor.%s.wall' % side, play.wall('bench'))
            before, _span, after = play.request_span('bench')
            ctx.figures.add('floor.%s.to_first_request' % side, before)
            ctx.figures.add('floor.%s.after_last_request' % side, after)
            ctx.figures.add('floor.%s.warm' % side, play.wall('warm'))
            ctx.figures.add('floor.%s.requests' % side, play.requests(), 'requests')
    return None


def _run_end(sim, play):
    """(execution_id, start, end) of the run a play started, read back from the simulator."""
    ids = []
    for entry in play.log:
        match = re.search(r'/executions/([0-9a-fA-F-]{36})', entry.get('path', ''))
        if match and match.group(1) not in ids:
            ids.append(match.group(1))
    if not ids:
        return None, None, None
    data = sim.execution(SLEEP_ID, ids[0])
    return ids[0], parse_time(data.get('start-date') or data.get('startDate')), parse_time(data.get('end-date') or data.get('endDate'))


def _noticed(play, execution_id, end):
    """Seconds from the run's end to the first request about it answered after that end."""
    if end is None:
        return None
    after = [e['time'] for e in play.log if execution_id in e.get('path', '') and e['time'] >= end]
    return (min(after) - end) if after else None


def _wait_figures(ctx, key, side, play, seconds):
    figs = ctx.figures
    wall = play.wall('bench')
    figs.add('%s.%s.wall' % (key, side), wall)
    figs.add('%s.%s.overhead' % (key, side), wall - seconds)
    figs.add('%s.%s.requests' % (key, side), play.requests(), 'requests')
    _before, span, _after = play.request_span('bench')
    # First to last request, less the run's own duration: the waiting overhead without process start-up noise.
    figs.add('%s.%s.span_overhead' % (key, side), span - seconds if span is not None else None)
    execution_id, _start, end = _run_end(play.sim, play)
    figs.add('%s.%s.noticed' % (key, side), _noticed(play, execution_id, end))
    figs.add('%s.%s.after_end' % (key, side), (play.window('bench')[1] - end) if end else None)


def scenario_wait(ctx):
    """2. Run and wait for Sleep 0.5, 2 and 10 s: vro_workflow_run wait=true vs uri POST + GET until (delay 1)."""
    why = needs(ctx.sim, 'vro_workflow_run')
    if why:
        return note('wait skipped: ' + why)
    for seconds in ctx.wait_seconds:
        key = 'wait.%s' % _label(seconds)
        extra = {'workflow_id': SLEEP_ID, 'seconds': seconds, 'delay': 1, 'retries': int(math.ceil(seconds)) + 60}
        for rep in range(ctx.reps):
            for side in alternate(rep, 'ours', 'uri'):
                play = ctx.runner.play('wait_%s.yml' % side, extra)
                if not play.failed():
                    _wait_figures(ctx, key, side, play, seconds)
    return None


def _label(seconds):
    return ('%g' % seconds).replace('.', '_')


def scenario_long(ctx):
    """3 and 7. Sleep 60 s: ours (vro_workflow_run wait) and uri (delay 5) side by side, each on its own simulator,
    with the peak RSS of every module process."""
    why = needs(ctx.sim, 'vro_workflow_run')
    if why:
        return note('long skipped: ' + why)
    seconds = ctx.long_seconds
    key = 'long'
    if ctx.second_sim is None:
        ctx.second_sim = Sim.start()
        if SHIELD:
            shield(SHIELD[0], ctx.second_sim)
    sims = (ctx.sim, ctx.second_sim)
    extra = {'workflow_id': SLEEP_ID, 'seconds': seconds, 'delay': 5, 'retries': int(seconds / 5) + 60}
    for rep in range(ctx.reps_long):
        # Each side alternates between the two simulators, so neither owns the quieter one.
        pair = [(sims[rep % 2], 'ours'), (sims[(rep + 1) % 2], 'uri')]
        plays = ctx.runner.side_by_side([(sim, 'wait_%s.yml' % side, extra, True) for sim, side in pair],
                                        timeout=seconds * 4 + 300)
        for (sim, side), play in zip(pair, plays):
            if play.failed():
                continue
            _wait_figures(ctx, key, side, play, seconds)
            peaks = [kib for _module, kib in play.rss]
            if peaks:
                ctx.figures.add('memory.%s.peak_rss' % side, max(peaks) / 1024.0, 'MiB')
                ctx.figures.add('memory.%s.processes' % side, len(peaks), 'processes')
    return None


def scenario_fanout(ctx):
    """4. 50 runs of Sleep 2 s: one vro_workflow_run with runs: vs uri loops (naive, best) and our own loops."""
    why = needs(ctx.sim, 'vro_workflow_run', 'vro_execution_info')
    if why:
        return note('fanout skipped: ' + why)
    extra = {'workflow_id': SLEEP_ID, 'seconds': ctx.fanout_seconds, 'count': ctx.fanout_runs, 'delay': 1, 'retries': 120}
    sides = [('batch', 'fanout_batch.yml'), ('uri_best', 'fanout_uri_best.yml'), ('own_loop', 'fanout_own_loop.yml'),
             ('uri_naive', 'fanout_uri_naive.yml')]
    reps = {'batch': ctx.reps, 'uri_best': ctx.reps, 'own_loop': ctx.reps_fanout_loops, 'uri_naive': ctx.reps_fanout_naive}
    for rep in range(ctx.reps):
        order = sides if rep % 2 == 0 else list(reversed(sides))
        for side, playbook in order:
            if rep >= reps[side]:
                continue
            play = ctx.runner.play(playbook, extra, timeout=1800)
            if play.failed():
                continue
            ctx.figures.add('fanout.%s.wall' % side, play.wall('bench'))
            ctx.figures.add('fanout.%s.requests' % side, play.requests(), 'requests')
    return None


def scenario_find(ctx):
    """5. 10,000 past runs, 5 running: vro_execution_info state=running vs listing every run."""
    why = needs(ctx.sim, 'vro_execution_info')
    if why:
        return note('find skipped: ' + why)
    try:
        ctx.sim.admin('POST', 'vro/workflows/%s/runs' % SLEEP_ID, json={'count': ctx.find_runs - 5, 'running': 5, 'state': 'completed'})
    except requests.RequestException as exc:
        return note('find skipped: could not bulk-create runs through /_sim/vro/workflows/<id>/runs: %s' % exc)
    extra = {'workflow_id': SLEEP_ID, 'count': ctx.find_runs}
    sides = [('running', 'find_running.yml'), ('all_ours', 'find_all_ours.yml'), ('all_uri', 'find_all_uri.yml')]
    for rep in range(ctx.reps):
        for side, playbook in (sides if rep % 2 == 0 else list(reversed(sides))):
            play = ctx.runner.play(playbook, extra, timeout=1800)
            if play.failed():
                continue
            ctx.figures.add('find.%s.wall' % side, play.wall('bench'))
            ctx.figures.add('find.%s.requests' % side, play.requests(), 'requests')
            start, end = play.window('bench')
            ctx.figures.add('find.%s.server_time' % side, sum(e.get('duration_ms') or 0 for e in play.log if start <= e['time'] <= end) / 1000.0)
            found = [r['result'] for r in play.bench_tasks()]
            if side == 'running' and found:
                ctx.figures.add('find.running.found', found[-1].get('len_executions', found[-1].get('count')), 'runs')
    return None


def scenario_vcf(ctx):
    """6. Retry 20 failed VCF tasks and wait: one vcf_task_retry selector task vs uri PATCH loop + GET until loop."""
    why = needs(ctx.sim, 'vcf_task_retry', vro=False)
    if why:
        return note('vcf skipped: ' + why)
    for rep in range(ctx.reps):
        for side in alternate(rep, 'ours', 'uri'):
            prefix = 'bench-%s-%s' % (side, uuid.uuid4().hex[:8])
            created = ctx.sim.admin('POST', 'vcf/tasks', json={'count': ctx.vcf_tasks, 'prefix': prefix, 'status': 'Failed',
                                                               'outcomes': ['successful'],
                                                               'retry_seconds': ctx.vcf_retry_seconds})
            extra = {'name_contains': prefix, 'task_ids': created['ids'], 'delay': 1, 'retries': 120}
            play = ctx.runner.play('vcf_%s.yml' % side, extra, timeout=1800)
            if play.failed():
                continue
            ctx.figures.add('vcf.%s.wall' % side, play.wall('bench'))
            ctx.figures.add('vcf.%s.requests' % side, play.requests(), 'requests')
    return None


# ---------------------------------------------------------------------------------------------------------------
# targets and the table

def ratio(figs, a, b):
    ma, mb = figs.median(a), figs.median(b)
    return (ma / mb) if ma is not None and mb else None


def targets(figs):
    """Each target of the issue: (scenario, description, value, limit, met)."""
    rows = []

    def check(scenario, text, value, limit, unit=''):
        rows.append({'scenario': scenario, 'target': text, 'value': _round(value) if value is not None else None,
                     'limit': limit, 'unit': unit, 'met': None if value is None else bool(value <= limit)})

    check('1 floor', 'vro_execution_info / uri wall time (first task of a play)', ratio(figs, 'floor.ours.wall', 'floor.uri.wall'), 1.15, 'x')
    floor = figs.median('floor.ours.wall')
    over = figs.median('wait.2.ours.overhead')
    base_over = figs.median('wait.2.uri.overhead')
    beyond = (over - floor) if over is not None and floor is not None else None
    check('2 wait 2 s', 'our overhead beyond the floor: median wall - 2 s - median floor', beyond, 0.3, 's')
    check('2 wait 2 s', '... / uri overhead (median wall - 2 s)', beyond / base_over if beyond is not None and base_over else None, 0.35, 'x')
    # The same two figures from the requests of each run: no process start-up in them, so a busy machine barely moves them.
    span = figs.median('wait.2.ours.span_overhead')
    base_span = figs.median('wait.2.uri.span_overhead')
    check('2 wait 2 s', 'our overhead beyond the floor: first -> last request - 2 s', span, 0.3, 's')
    check('2 wait 2 s', '... / uri first -> last request - 2 s', span / base_span if span is not None and base_span else None, 0.35, 'x')
    reqs = figs.values.get('long.ours.requests')
    check('3 wait 60 s', 'requests, worst repetition', max(reqs) if reqs else None, 25, 'requests')
    noticed = figs.values.get('long.ours.noticed')
    check('3 wait 60 s', 'end noticed within poll_interval_max (5 s), worst repetition', max(noticed) if noticed else None, 5.0, 's')
    check('4 fan-out', 'batch task / best uri pattern (b)', ratio(figs, 'fanout.batch.wall', 'fanout.uri_best.wall'), 0.2, 'x')
    found_reqs = figs.values.get('find.running.requests')
    check('5 find', 'requests, worst repetition', max(found_reqs) if found_reqs else None, 2, 'requests')
    all_times = [t for t in (figs.median('find.all_ours.wall'), figs.median('find.all_uri.wall')) if t]
    running = figs.median('find.running.wall')
    check('5 find', 'state=running / fastest way of listing every run', running / min(all_times) if running and all_times else None, 0.05, 'x')
    check('6 VCF', 'vcf_task_retry / uri PATCH + until loops', ratio(figs, 'vcf.ours.wall', 'vcf.uri.wall'), 0.2, 'x')
    ours_rss, uri_rss = figs.median('memory.ours.peak_rss'), figs.median('memory.uri.peak_rss')
    check('7 memory', 'peak RSS of our module process - uri\'s (MiB)', (ours_rss - uri_rss) if ours_rss and uri_rss else None, 10.0, 'MiB')
    return rows


def _fmt(summary):
    if not summary:
        return '-'
    unit = summary['unit']
    if unit == 's':
        return '%.3f (%.3f-%.3f)' % (summary['median'], summary['min'], summary['max'])
    if unit == 'MiB':
        return '%.1f (%.1f-%.1f)' % (summary['median'], summary['min'], summary['max'])
    if unit in ('requests', 'runs', 'processes'):
        if summary['min'] == summary['max']:
            return '%g' % summary['median']
        return '%g (%g-%g)' % (summary['median'], summary['min'], summary['max'])
    return '%g' % summary['median']


# (row label, our figure, baseline figure); the ratio column is ours / baseline of the medians
TABLE = [
    ('Scenario 1: the floor (one GET)', None, None),
    ('wall, first task of a play', 'floor.ours.wall', 'floor.uri.wall'),
    ('wall, same task again (warm)', 'floor.ours.warm', 'floor.uri.warm'),
    ('task start -> first request', 'floor.ours.to_first_request', 'floor.uri.to_first_request'),
    ('last request -> task end', 'floor.ours.after_last_request', 'floor.uri.after_last_request'),
    ('HTTP requests', 'floor.ours.requests', 'floor.uri.requests'),
]
for _s in ('0_5', '2', '10'):
    TABLE += [
        ('Scenario 2: run and wait, Sleep %s s (uri delay 1)' % _s.replace('_', '.'), None, None),
        ('wall', 'wait.%s.ours.wall' % _s, 'wait.%s.uri.wall' % _s),
        ('overhead beyond the run', 'wait.%s.ours.overhead' % _s, 'wait.%s.uri.overhead' % _s),
        ('end of run -> noticed', 'wait.%s.ours.noticed' % _s, 'wait.%s.uri.noticed' % _s),
        ('first -> last request, less the run', 'wait.%s.ours.span_overhead' % _s, 'wait.%s.uri.span_overhead' % _s),
        ('HTTP requests', 'wait.%s.ours.requests' % _s, 'wait.%s.uri.requests' % _s),
    ]
TABLE += [
    ('Scenario 3: Sleep 60 s (uri delay 5), side by side', None, None),
    ('wall', 'long.ours.wall', 'long.uri.wall'),
    ('overhead beyond the run', 'long.ours.overhead', 'long.uri.overhead'),
    ('end of run -> noticed', 'long.ours.noticed', 'long.uri.noticed'),
    ('first -> last request, less the run', 'long.ours.span_overhead', 'long.uri.span_overhead'),
    ('HTTP requests', 'long.ours.requests', 'long.uri.requests'),
    ('Scenario 7: memory during the 60 s wait', None, None),
    ('peak RSS of a module process (MiB)', 'memory.ours.peak_rss', 'memory.uri.peak_rss'),
    ('module processes started', 'memory.ours.processes', 'memory.uri.processes'),
    ('Scenario 4: fan-out, 50 x Sleep 2 s', None, None),
    ('wall: runs: batch vs uri best (b)', 'fanout.batch.wall', 'fanout.uri_best.wall'),
    ('wall: runs: batch vs uri naive (a)', 'fanout.batch.wall', 'fanout.uri_naive.wall'),
    ('wall: our loops vs uri best (b)', 'fanout.own_loop.wall', 'fanout.uri_best.wall'),
    ('HTTP requests: batch vs (b)', 'fanout.batch.requests', 'fanout.uri_best.requests'),
    ('HTTP requests: batch vs (a)', 'fanout.batch.requests', 'fanout.uri_naive.requests'),
    ('HTTP requests: our loops vs (b)', 'fanout.own_loop.requests', 'fanout.uri_best.requests'),
    ('Scenario 5: find 5 running among 10,000 runs', None, None),
    ('wall: state=running vs ours listing all', 'find.running.wall', 'find.all_ours.wall'),
    ('wall: state=running vs uri listing all', 'find.running.wall', 'find.all_uri.wall'),
    ('server time: state=running vs ours all', 'find.running.server_time', 'find.all_ours.server_time'),
    ('server time: state=running vs uri all', 'find.running.server_time', 'find.all_uri.server_time'),
    ('HTTP requests: state=running vs ours all', 'find.running.requests', 'find.all_ours.requests'),
    ('HTTP requests: state=running vs uri all', 'find.running.requests', 'find.all_uri.requests'),
    ('Scenario 6: VCF, retry 20 failed tasks and wait', None, None),
    ('wall', 'vcf.ours.wall', 'vcf.uri.wall'),
    ('HTTP requests', 'vcf.ours.requests', 'vcf.uri.requests'),
]


def render_table(figs):
    lines = ['| figure | ours: median (min-max) | baseline: median (min-max) | ratio |', '|---|---|---|---|']
    heading = None
    for label, ours, base in TABLE:
        if ours is None:
            heading = '| **%s** | | | |' % label
            continue
        a, b = figs.summary(ours), figs.summary(base)
        if a is None and b is None:
            continue
        if heading:
            lines.append(heading)
            heading = None
        r = ratio(figs, ours, base)
        lines.append('| %s | %s | %s | %s |' % (label, _fmt(a), _fmt(b), '%.2f' % r if r is not None else '-'))
    imports = sorted(n for n in figs.values if n.startswith('imports.'))
    if imports:
        lines.append('| **Import time after ansible.module_utils.basic, fresh interpreter (ms)** | | | |')
        for name in imports:
            s = figs.summary(name)
            lines.append('| %s | %.1f (%.1f-%.1f) | | |' % (name[len('imports.'):], s['median'] * 1000, s['min'] * 1000, s['max'] * 1000))
    return '\n'.join(lines)


def render_targets(rows):
    lines = ['| scenario | target | measured | limit | met |', '|---|---|---|---|---|']
    for row in rows:
        value = '-' if row['value'] is None else ('%.3f' % row['value'] if isinstance(row['value'], float) else str(row['value']))
        met = 'n/a' if row['met'] is None else ('yes' if row['met'] else '**no**')
        lines.append('| %s | %s | %s %s | %s %s | %s |' % (row['scenario'], row['target'], value, row['unit'], row['limit'], row['unit'], met))
    return '\n'.join(lines)


# ---------------------------------------------------------------------------------------------------------------
# the machine

def machine():
    info = {'cpu_model': None, 'cores': os.cpu_count(), 'memory_gib': None, 'os': platform.platform(),
            'kernel': platform.release()}
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('model name'):
                    info['cpu_model'] = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open('/proc/meminfo', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('MemTotal:'):
                    info['memory_gib'] = round(int(line.split()[1]) / 1024.0 / 1024.0, 1)
    except OSError:
        pass
    try:
        with open('/etc/os-release', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('PRETTY_NAME='):
                    info['os'] = line.split('=', 1)[1].strip().strip('"') + ' (Linux %s)' % platform.release()
    except OSError:
        pass
    try:
        info['load_average_at_end'] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


def versions():
    from ansible.release import __version__ as ansible_version  # pylint: disable=import-outside-toplevel
    found = {'python': platform.python_version(), 'ansible_core': ansible_version, 'requests': requests.__version__,
             'python_executable': PY}
    try:
        found['git_commit'] = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True, text=True,
                                             check=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--', 'plugins'], cwd=ROOT, capture_output=True, text=True,
                               check=True).stdout.split('\n')
        found['uncommitted_plugin_files'] = sorted(line[3:] for line in dirty if line.strip())
    except (OSError, subprocess.CalledProcessError):
        pass
    return found


# ---------------------------------------------------------------------------------------------------------------

class Context:  # pylint: disable=too-many-instance-attributes
    def __init__(self, args, sim, runner):
        self.sim = sim
        self.second_sim = None
        self.runner = runner
        self.figures = Figures()
        self.reps = args.reps
        self.reps_floor = max(args.reps, 7) if not args.quick else args.reps
        self.reps_long = args.reps_long if args.reps_long is not None else args.reps
        self.reps_fanout_loops = args.reps_fanout_loops if args.reps_fanout_loops is not None else min(args.reps, 3)
        self.reps_fanout_naive = 1
        self.wait_seconds = (0.5, 2, 10)
        self.long_seconds = args.long_seconds
        self.fanout_runs = args.fanout_runs
        self.fanout_seconds = 2
        self.find_runs = 10000
        self.vcf_tasks = 20
        self.vcf_retry_seconds = 2.5


README_BEGIN = '<!-- performance: begin (written by bench/run.py --readme) -->'
README_END = '<!-- performance: end -->'
RECORDED = os.path.join(ROOT, 'bench', 'recorded.json')


def _missed_clause(result):
    missed = sorted({t['scenario'].split(' ')[0] for t in result.get('targets') or [] if t.get('met') is False})
    if not missed:
        return ''
    return ', and why the target%s of scenario%s %s %s not met' % (
        's' if len(missed) > 1 else '', 's' if len(missed) > 1 else '', ' and '.join(missed), 'are' if len(missed) > 1 else 'is')


def readme_section(result):
    """The README's "Performance" section for one run: the machine, the table, the targets, how to rerun."""
    m, v, c = result['machine'], result['versions'], result['config']
    lines = [
        README_BEGIN,
        '## Performance',
        '',
        'The modules against the hand-written `ansible.builtin.uri` POST and `until` loop, on the local simulator.',
        'Reproduce with `make bench` (about 20 minutes; `bench/README.md` explains every scenario and figure).',
        'Every value of the run below is in `bench/recorded.json`; `make bench` writes yours to `bench/results.json`.',
        'Times are seconds, median (min-max) of %d repetitions (7 for the floor,' % c['reps'],
        '%d for our fan-out loops, %d for the naive uri loop); ours and the baseline alternate within each repetition.'
        % (c['reps_fanout_loops'], c['reps_fanout_naive']),
        '',
        'Machine: %s, %s cores, %s GiB RAM, %s; Python %s, ansible-core %s; load average %s at the start, %s at the end'
        % (m.get('cpu_model'), m.get('cores'), m.get('memory_gib'), m.get('os'), v['python'], v['ansible_core'],
           '/'.join(str(x) for x in m.get('load_average_at_start') or []), '/'.join(str(x) for x in m.get('load_average_at_end') or [])),
        '(run on %s, %s s, at commit %s).' % (result['generated'], result['duration_seconds'], v.get('git_commit', '?')),
        'What moved each figure%s: "Findings" in `bench/README.md`.' % _missed_clause(result),
        '',
        result['table_markdown'],
        '',
        '### Targets',
        '',
        result['targets_markdown'],
    ]
    if result['notes']:
        lines += ['', 'Notes from this run:', ''] + ['- %s' % n for n in result['notes']]
    lines.append(README_END)
    return '\n'.join(lines) + '\n'


def update_readme(result, path=os.path.join(ROOT, 'README.md')):
    """Replace the delimited Performance section of README.md (append it at the end the first time)."""
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    section = readme_section(result)
    if README_BEGIN in text and README_END in text:
        head, rest = text.split(README_BEGIN, 1)
        tail = rest.split(README_END, 1)[1].lstrip('\n')
        text = head + section + ('\n' + tail if tail else '')
    else:
        text = text.rstrip('\n') + '\n\n' + section
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)


def shield(priority, sim):
    """Raise the scheduling priority of this process (inherited by every playbook) and of the simulator, so that
    other work on the machine disturbs the figures less. Needs root (or CAP_SYS_NICE) for a negative value."""
    if priority is None or priority == 0:
        return
    # Nice values are per thread on Linux: every thread of the simulator, whose later threads inherit it.
    pids = [0]
    if sim.pid:
        try:
            pids += [int(tid) for tid in os.listdir('/proc/%d/task' % sim.pid)]
        except OSError:
            pids.append(sim.pid)
    try:
        for pid in pids:
            os.setpriority(os.PRIO_PROCESS, pid, priority)
        if not SHIELD:
            SHIELD.append(priority)
    except (OSError, AttributeError) as exc:
        note('could not set scheduling priority %s (%s); figures are more exposed to other load' % (priority, exc))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--reps', type=int, default=None, help='repetitions of each figure (default 5, 2 with --quick)')
    parser.add_argument('--quick', action='store_true',
                        help='development run: 2 repetitions, a 20 s "long" wait, 10 fan-out runs, no naive fan-out loop')
    parser.add_argument('--only', default='', help='comma-separated scenarios: ' + ','.join(SCENARIOS))
    parser.add_argument('--reps-long', type=int, default=None, help='repetitions of the 60 s scenario (default --reps)')
    parser.add_argument('--reps-fanout-loops', type=int, default=None,
                        help='repetitions of our own fan-out loop pattern (default min(--reps, 3))')
    parser.add_argument('--long-seconds', type=float, default=60.0)
    parser.add_argument('--fanout-runs', type=int, default=50)
    parser.add_argument('--out', default=os.path.join(BENCH, 'results.json'))
    parser.add_argument('--collections-path', default=None,
                        help='run the modules from this ANSIBLE_COLLECTIONS_PATH instead of the working tree (to compare a change)')
    parser.add_argument('--priority', type=int, default=-10,
                        help='nice value for the benchmark and the simulator (default -10; 0 leaves it alone)')
    parser.add_argument('--readme', action='store_true', help='write the table into the Performance section of README.md')
    parser.add_argument('--readme-only', action='store_true',
                        help='run nothing: write the Performance section of README.md from an existing --out file')
    parser.add_argument('--keep', action='store_true', help='keep the working directory (playbook output, timings)')
    parser.add_argument('-v', '--verbose', action='store_true')
    args = parser.parse_args(argv)
    if args.reps is None:
        args.reps = 2 if args.quick else 5
    if args.quick:
        if args.long_seconds == 60.0:
            args.long_seconds = 20.0
        if args.fanout_runs == 50:
            args.fanout_runs = 10
    args.only = [s for s in args.only.split(',') if s] or list(SCENARIOS)
    unknown = set(args.only) - set(SCENARIOS)
    if unknown:
        parser.error('unknown scenario(s): %s' % ', '.join(sorted(unknown)))
    return args


def main(argv):
    args = parse_args(argv)
    if args.readme_only:
        with open(args.out, encoding='utf-8') as handle:
            update_readme(json.load(handle))
        print('bench: README.md Performance section written from %s' % args.out)
        return 0
    started = time.time()
    workdir = tempfile.mkdtemp(prefix='cloudops-bench-')
    sim = Sim.from_environment()
    shield(args.priority, sim)
    load_start = [round(x, 2) for x in os.getloadavg()]
    tree = versions()
    ctx = Context(args, sim, Runner(sim, workdir, verbose=args.verbose, collections_path=args.collections_path))
    if args.quick:
        ctx.reps_fanout_naive = 0
    print('bench: simulator %s, %d repetition(s), scenarios %s, work dir %s' % (sim.url, args.reps, ','.join(args.only), workdir),
          flush=True)
    try:
        for name in SCENARIOS:
            if name not in args.only:
                continue
            print('== %s' % name, flush=True)
            t0 = time.time()
            if name not in ('imports',):
                sim.admin('POST', 'reset')
            globals()['scenario_' + name](ctx)
            print('   %s took %.0fs' % (name, time.time() - t0), flush=True)
    finally:
        if ctx.second_sim is not None:
            ctx.second_sim.stop()
        sim.stop()
    figs = ctx.figures
    rows = targets(figs)
    table = render_table(figs)
    target_table = render_targets(rows)
    result = {
        'generated': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        'duration_seconds': round(time.time() - started, 1),
        'machine': dict(machine(), load_average_at_start=load_start),
        'versions': tree,
        'config': {'reps': args.reps, 'reps_floor': ctx.reps_floor, 'reps_long': ctx.reps_long,
                   'reps_fanout_loops': ctx.reps_fanout_loops, 'reps_fanout_naive': ctx.reps_fanout_naive,
                   'quick': args.quick, 'scenarios': args.only, 'wait_seconds': list(ctx.wait_seconds),
                   'long_seconds': ctx.long_seconds, 'fanout_runs': ctx.fanout_runs, 'find_runs': ctx.find_runs,
                   'vcf_tasks': ctx.vcf_tasks, 'playbooks_run': ctx.runner.count,
                   'collections_path': ctx.runner.collections_path, 'nice': SHIELD[0] if SHIELD else 0},
        'figures': figs.to_dict(),
        'targets': rows,
        'notes': NOTES,
        'table_markdown': table,
        'targets_markdown': target_table,
    }
    with open(args.out, 'w', encoding='utf-8') as handle:
        json.dump(result, handle, indent=2)
        handle.write('\n')
    print()
    print(table)
    print()
    print(target_table)
    print()
    m = result['machine']
    print('machine: %s, %s cores, %s GiB, %s; Python %s, ansible-core %s' % (
        m['cpu_model'], m['cores'], m['memory_gib'], m['os'], result['versions']['python'], result['versions']['ansible_core']))
    print('bench: %d playbooks in %.0fs; results in %s' % (ctx.runner.count, time.time() - started, args.out))
    if args.readme:
        update_readme(result)
        # The run the README shows is kept in the repository; results.json is each machine's own, and ignored.
        shutil.copyfile(args.out, RECORDED)
        print('bench: README.md Performance section updated; this run kept as %s' % os.path.relpath(RECORDED, ROOT))
    if args.keep:
        print('bench: work dir kept: %s' % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
