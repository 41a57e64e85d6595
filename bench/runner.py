# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark process control and timing: ``ansible-playbook`` runs of bench/playbooks/, one at a time or side by
side, each read back as a :class:`Play` (the bench_timer callback's task times, the simulator's counters and
request log, peak RSS of each module process); the run's notes and its scheduling priority."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PLAYBOOKS = os.path.join(BENCH, 'playbooks')
PY = sys.executable
sys.path.insert(0, os.path.join(ROOT, 'tests', 'integration'))

from _harness import ensure_playbook_collection, venv_bin  # noqa: E402  # pylint: disable=wrong-import-position

NOTES = []
SHIELD = []


def note(text):
    """Print and keep a remark for results.json (skips, fewer repetitions, anomalies)."""
    print('  note: ' + text, flush=True)
    NOTES.append(text)


class Play:
    """The outcome of one ansible-playbook run: task records, the simulator's counters and log, RSS samples."""

    def __init__(self, name, rc, records, counters, log, rss, output, sim=None, process_wall=None):  # pylint: disable=too-many-arguments
        self.name = name
        # Seconds from starting ansible-playbook to its exit, seen from outside: what a user waits for.
        self.process_wall = process_wall
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

    def _env(self, sim, timings, rss_log, extra_env=None):
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
            # the modules' bytecode cache (plugins/module_utils/_compile_once.py): the bench's own, empty at its start,
            # so that a figure never depends on what an earlier run left in the home directory
            'CLOUDOPS_ORCHESTRATOR_BYTECODE_CACHE': os.path.join(self.workdir, 'bytecode'),
        })
        env.update(extra_env or {})
        return env

    def _spawn(self, sim, playbook, extra_vars, rss, extra_env=None):
        self.count += 1
        tag = '%03d-%s' % (self.count, os.path.splitext(playbook)[0])
        timings = os.path.join(self.workdir, tag + '.jsonl')
        rss_log = os.path.join(self.workdir, tag + '.rss')
        out = os.path.join(self.workdir, tag + '.out')
        sim.clear_counters()
        handle = open(out, 'w', encoding='utf-8')  # pylint: disable=consider-using-with
        # pylint: disable-next=consider-using-with
        command, env = self._command(playbook, extra_vars, rss), self._env(sim, timings, rss_log, extra_env)
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT)
        return {'proc': proc, 'handle': handle, 'tag': tag, 'timings': timings, 'rss_log': rss_log, 'out': out,
                'sim': sim, 'playbook': playbook, 'started': started, 'ended': None}

    @staticmethod
    def _wait(jobs, timeout):
        """Wait for every job's process, noting when each one exited (a poll every 5 ms: side by side, the first to
        finish must not be timed by the last)."""
        deadline = time.perf_counter() + timeout
        while any(job['ended'] is None for job in jobs):
            for job in jobs:
                if job['ended'] is None and job['proc'].poll() is not None:
                    job['ended'] = time.perf_counter()
            if time.perf_counter() > deadline:
                for job in jobs:
                    if job['ended'] is None:
                        job['proc'].kill()
                        job['proc'].wait()
                        job['ended'] = time.perf_counter()
                        job['killed'] = True
                        note('%s: killed after %ss' % (job['tag'], timeout))
            time.sleep(0.005)

    def _collect(self, job):
        rc = job['proc'].wait()
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
        rss = read_rss(job['rss_log'])
        with open(job['out'], encoding='utf-8', errors='replace') as handle:
            output = handle.read()
        play = Play(job['tag'], rc, records, counters, log, rss, output, sim,
                    process_wall=None if job.get('killed') else job['ended'] - job['started'])
        if play.failed():
            print('    !! %s failed (rc=%s); last output lines:\n%s' % (job['tag'], rc, tail(output, 25)), flush=True)
        elif self.verbose:
            tasks = ', '.join('%s %.3fs' % (r['task'], r['end'] - r['start']) for r in records)
            print('    %s: %.3fs; %s' % (job['tag'], play.process_wall or 0.0, tasks))
        return play

    def play(self, playbook, extra_vars=None, rss=False, timeout=900, sim=None, env=None):
        """Run one playbook and return its :class:`Play`; ``env``: variables added to its environment."""
        return self.side_by_side([(sim or self.sim, playbook, extra_vars, rss)], timeout, env)[0]

    def side_by_side(self, jobs, timeout=900, env=None):
        """Run several ``(sim, playbook, extra_vars, rss)`` at once (each against its own simulator)."""
        spawned = [self._spawn(sim, playbook, extra, rss, env) for sim, playbook, extra, rss in jobs]
        self._wait(spawned, timeout)
        return [self._collect(job) for job in spawned]


def read_rss(path):
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


def tail(text, lines):
    return '\n'.join(text.rstrip().splitlines()[-lines:])


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
