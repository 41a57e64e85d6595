# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's scenarios, one function each (bench/README.md, "Scenarios"), and the run's :class:`Context`.

A scenario takes the context, runs its playbooks through ``ctx.runner`` (ours and the baseline alternating) and
adds what it measured to ``ctx.figures``; it returns None, or skips with a note when a module or the simulator's
vRO API is missing. :data:`SCENARIOS` names them in the order they run.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import uuid

import requests

from runner import PY, ROOT, SHIELD, note, shield, tail
from sim import SLEEP_ID, Sim, parse_time
from stats import Figures


def module_utils_names(root=ROOT):
    """Every module_utils file the imports scenario times, dotted: top-level files (``_client``) and the files of the
    product packages (``_vro/api.py`` as ``_vro.api``); package ``__init__`` files are left out (they are empty)."""
    base = os.path.join(root, 'plugins', 'module_utils')
    names = []
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if not d.startswith(('.', '__')))
        for name in sorted(files):
            if name.endswith('.py') and name != '__init__.py':
                rel = os.path.relpath(os.path.join(folder, name), base)[:-3]
                names.append(rel.replace(os.sep, '.'))
    return names


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


def scenario_imports(ctx):
    """Import time of each module_utils file in a fresh interpreter, after ansible.module_utils.basic (every module
    imports it) -- against ansible.module_utils.urls, what uri imports."""
    figs = ctx.figures
    coll = ctx.runner.collections_path
    targets = [('ansible.module_utils.urls', 'uri: ansible.module_utils.urls'), ('requests', 'requests')]
    for name in module_utils_names():
        targets.append(('ansible_collections.cloudops.orchestrator.plugins.module_utils.' + name, name))
    code = ('import sys, time; sys.path.insert(0, %r); import ansible.module_utils.basic; t = time.perf_counter(); '
            'import importlib; importlib.import_module(sys.argv[1]); print(time.perf_counter() - t)') % coll
    for rep in range(max(ctx.reps, 5)):
        for module, label in (targets if rep % 2 == 0 else list(reversed(targets))):
            out = subprocess.run([PY, '-c', code, module], capture_output=True, text=True, check=False,
                                 env=dict(os.environ, PYTHONDONTWRITEBYTECODE=''))
            if out.returncode != 0:
                note('import of %s failed: %s' % (module, tail(out.stderr, 3)))
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


class Context:  # pylint: disable=too-many-instance-attributes
    """Everything a scenario needs: the simulator(s), the runner, the figures so far and the settings of the run."""

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


# The scenarios by name, in the order a run takes them (--only picks among them).
SCENARIOS = {
    'imports': scenario_imports,
    'floor': scenario_floor,
    'wait': scenario_wait,
    'long': scenario_long,
    'fanout': scenario_fanout,
    'find': scenario_find,
    'vcf': scenario_vcf,
}
