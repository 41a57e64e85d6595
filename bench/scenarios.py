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

from plan import rounds
from runner import PY, ROOT, SHIELD, note, shield, tail
from sim import LOGIN_ROUTES, ONE_SECOND_ID, ONE_SECOND_OUTPUTS_ID, SLEEP_ID, Sim, parse_time
from stats import Figures, detection_lag, max_gap, overhead, per_run


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
    for rep in range(ctx.plan.reps_imports):
        for module, label in (targets if rep % 2 == 0 else list(reversed(targets))):
            out = subprocess.run([PY, '-c', code, module], capture_output=True, text=True, check=False,
                                 env=dict(os.environ, PYTHONDONTWRITEBYTECODE=''))
            if out.returncode != 0:
                note('import of %s failed: %s' % (module, tail(out.stderr, 3)))
                continue
            figs.add('imports.%s' % label, float(out.stdout.strip()))


def _execution_ids(play):
    """The ids of the runs a play's requests were about, in the order first seen."""
    ids = []
    for entry in play.log:
        match = re.search(r'/executions/([0-9a-fA-F-]{36})', entry.get('path', ''))
        if match and match.group(1) not in ids:
            ids.append(match.group(1))
    return ids


def _run_end(play, workflow_id=SLEEP_ID):
    """(execution_id, end) of the run a play started, read back from the simulator."""
    ids = _execution_ids(play)
    if not ids:
        return None, None
    data = play.sim.execution(workflow_id, ids[0])
    return ids[0], parse_time(data.get('end-date') or data.get('endDate'))


def _polls(play, execution_id):
    """Times of the requests about one run (its start excluded: the POST names the workflow, not the run)."""
    return [e['time'] for e in play.log if execution_id in e.get('path', '')]


def _base_extra(ctx):
    """The finished run every uri GET and vro_execution_info read reads (started once per scenario)."""
    return {'workflow_id': SLEEP_ID, 'execution_id': ctx.sim.start_sleep(0)}


def scenario_floor(ctx):
    """1. One task, whole playbook: vro_execution_info read and a zero-second vro_workflow_run vs one uri GET task."""
    why = needs(ctx.sim, 'vro_execution_info', 'vro_workflow_run')
    if why:
        return note('floor skipped: ' + why)
    base = _base_extra(ctx)
    run0 = {'workflow_id': SLEEP_ID, 'seconds': 0}
    playbooks = {'get_uri': ('get_uri.yml', base), 'get_ours': ('get_ours.yml', base), 'run0_ours': ('run_ours.yml', run0),
                 'run0_cold': ('run_ours.yml', run0)}
    for index, order in enumerate(rounds(list(playbooks), ctx.plan.reps_floor)):
        for side in order:
            playbook, extra = playbooks[side]
            # run0_cold: the first task on a host, its bytecode cache empty (a new directory each time)
            env = {'CLOUDOPS_ORCHESTRATOR_BYTECODE_CACHE': os.path.join(ctx.runner.workdir, 'bytecode-cold-%d' % index)} \
                if side == 'run0_cold' else None
            play = ctx.runner.play(playbook, extra, env=env)
            if play.failed():
                continue
            ctx.figures.add('floor.%s.wall' % side, play.process_wall)
            ctx.figures.add('floor.%s.task' % side, play.wall('bench'))
            ctx.figures.add('floor.%s.to_first_request' % side, play.request_span('bench')[0])
            ctx.figures.add('floor.%s.requests' % side, play.requests(), 'requests')
    return None


def _wait_figures(ctx, key, side, play, seconds, base=None):
    """Figures of one run-and-wait playbook: overhead (beyond the run and, given ``base``, one uri GET playbook),
    detection lag, requests and the longest gap between two polls."""
    figs = ctx.figures
    if base is not None:
        figs.add('%s.%s.overhead' % (key, side), overhead(play.process_wall, seconds, base.process_wall))
        figs.add('%s.%s.task_overhead' % (key, side), overhead(play.wall('bench'), seconds, base.wall('bench')))
    else:
        figs.add('%s.%s.overhead' % (key, side), overhead(play.process_wall, seconds, 0.0))
    figs.add('%s.%s.requests' % (key, side), play.requests(), 'requests')
    execution_id, end = _run_end(play)
    if execution_id is None:
        return note('%s: no request about the run in the log' % play.name)
    polls = _polls(play, execution_id)
    lag = detection_lag(polls, end)
    figs.add('%s.%s.lag' % (key, side), lag)
    if base is not None and lag is not None:
        # What the wait costs beyond its run, the uri GET playbook and its own detection lag: start-up, the start and
        # the requests' time. The lag is the price of the request budget; this part is the code's.
        figs.add('%s.%s.fixed_overhead' % (key, side), overhead(play.process_wall, seconds + lag, base.process_wall))
    if lag is not None and seconds:
        figs.add('%s.%s.lag_fraction' % (key, side), lag / seconds, 'x')
    if seconds < 3:
        figs.add('wait.short.%s.lag' % side, lag)
    figs.add('%s.%s.max_gap' % (key, side), max_gap(polls))
    return None


def scenario_wait(ctx):
    """2. Run and wait, Sleep for durations drawn over 1-30 s (and a few under 3 s): vro_workflow_run wait=true vs uri
    POST + until (delay 1), each round also timing one uri GET playbook, the base of the overhead."""
    why = needs(ctx.sim, 'vro_workflow_run')
    if why:
        return note('wait skipped: ' + why)
    base_extra = _base_extra(ctx)
    spread, short = ctx.plan.spread_durations(), ctx.plan.short_durations()
    # The 1-30 s draws run ours, the uri loop and the base (one uri GET) in rotating order; the extra short draws run
    # ours and the uri loop only, and give only the under-3 s lag figure (key 'wait_short').
    schedule = list(zip(spread, rounds(['ours', 'uri', 'base'], len(spread)), ['wait'] * len(spread)))
    schedule += list(zip(short, rounds(['ours', 'uri'], len(short)), ['wait_short'] * len(short)))
    for index, (seconds, order, key) in enumerate(schedule):
        extra = {'workflow_id': SLEEP_ID, 'seconds': seconds, 'delay': ctx.plan.uri_delay, 'retries': int(math.ceil(seconds)) + 60}
        plays = {}
        for side in order:
            if side == 'base':
                plays[side] = ctx.runner.play('get_uri.yml', base_extra)
            else:
                plays[side] = ctx.runner.play('run_%s.yml' % side, extra, timeout=seconds * 4 + 120)
        if ctx.args_verbose:
            print('    round %d: Sleep %.2f s' % (index + 1, seconds), flush=True)
        base = plays['base'] if 'base' in plays and not plays['base'].failed() else None
        if base is not None:
            ctx.figures.add('wait.base.wall', base.process_wall)
        for side in ('ours', 'uri'):
            if not plays[side].failed():
                _wait_figures(ctx, key, side, plays[side], seconds, base)
    return None


def scenario_long(ctx):
    """3 and 8. Sleep 60 s: ours (vro_workflow_run wait) and uri (delay 5) side by side, each on its own simulator,
    with the peak RSS of every module process."""
    why = needs(ctx.sim, 'vro_workflow_run')
    if why:
        return note('long skipped: ' + why)
    seconds = ctx.plan.long_seconds
    if ctx.second_sim is None:
        ctx.second_sim = Sim.start()
        if SHIELD:
            shield(SHIELD[0], ctx.second_sim)
    sims = (ctx.sim, ctx.second_sim)
    extra = {'workflow_id': SLEEP_ID, 'seconds': seconds, 'delay': ctx.plan.uri_long_delay, 'retries': int(seconds / 5) + 60}
    for rep in range(ctx.plan.reps_long):
        # Each side alternates between the two simulators, so neither owns the quieter one.
        pair = [(sims[rep % 2], 'ours'), (sims[(rep + 1) % 2], 'uri')]
        plays = ctx.runner.side_by_side([(sim, 'run_%s.yml' % side, extra, True) for sim, side in pair],
                                        timeout=seconds * 4 + 300)
        for (ignored, side), play in zip(pair, plays):
            if play.failed():
                continue
            _wait_figures(ctx, 'long', side, play, seconds)
            peaks = [kib for ignored, kib in play.rss]
            if peaks:
                ctx.figures.add('memory.%s.peak_rss' % side, max(peaks) / 1024.0, 'MiB')
                ctx.figures.add('memory.%s.processes' % side, len(peaks), 'processes')
    return None


def scenario_batch(ctx):
    """4. One vro_workflow_run task with runs: (concurrency 100), 10, 100 and 1,000 runs of one second, of a workflow
    without outputs and of one with outputs; at 10 runs also the uri POST loop + until loops."""
    why = needs(ctx.sim, 'vro_workflow_run')
    if why:
        return note('batch skipped: ' + why)
    plan = ctx.plan
    workflows = {'none': {'workflow_id': ONE_SECOND_ID}, 'outputs': {'workflow_id': ONE_SECOND_OUTPUTS_ID}}
    if not ctx.sim.has_workflow(ONE_SECOND_ID):
        note('batch: bench/catalog.yml is not loaded in the simulator; without outputs, Sleep 1 s runs instead, and '
             'nothing with outputs is measured (make bench loads it)')
        workflows = {'none': {'workflow_id': SLEEP_ID, 'seconds': plan.batch_seconds}}
    contenders = [(size, kind) for size in plan.batch_sizes for kind in workflows]
    if 'outputs' in workflows and plan.batch_uri_size:
        contenders.append((plan.batch_uri_size, 'uri'))
    for order in rounds(contenders, plan.reps):
        for size, kind in order:
            extra = dict(workflows['outputs' if kind == 'uri' else kind], count=size, concurrency=plan.batch_concurrency, delay=plan.uri_delay, retries=60)
            play = ctx.runner.play('batch_uri.yml' if kind == 'uri' else 'batch_ours.yml', extra, timeout=1800)
            ctx.sim.admin('POST', 'reset')  # the next batch starts from an empty run list
            if play.failed():
                continue
            ctx.figures.add('batch.%s.%s.wall' % (size, kind), play.wall('bench'))
            ctx.figures.add('batch.%s.%s.process_wall' % (size, kind), play.process_wall)
            ctx.figures.add('batch.%s.%s.requests_per_run' % (size, kind), per_run(play.requests(), size), 'requests')
    return None


def _logins(play):
    """vRA logins a play made (each one POST to the CSP login, then the token exchange)."""
    return sum(1 for e in play.log if e.get('method') == 'POST' and e.get('path', '').startswith(LOGIN_ROUTES[0]))


def scenario_login(ctx):
    """5. The vRO 8 login (vRA) with a realistic login latency: 5 reads each logging in, 5 reads with one vro_login
    token (when the module exists), the uri pattern (log in once, then GETs) and 5 reads with basic auth (no login)."""
    why = needs(ctx.sim, 'vro_execution_info')
    if why:
        return note('login skipped: ' + why)
    if not str(ctx.sim.settings().get('vro_version', '8')).startswith('8'):
        return note('login skipped: the simulator plays vRO 7, which has no vRA login')
    how, undo = ctx.sim.login_latency(ctx.login_latency)
    ctx.login_how = how
    sides = ['every', 'basic', 'uri'] + (['reuse'] if module_exists('vro_login') else [])
    if 'reuse' not in sides:
        note('login: token reuse not measured: the vro_login module is not present yet (login_reuse.yml runs once it is)')
    count = ctx.plan.login_tasks
    extra = dict(_base_extra(ctx), count=count)
    try:
        for order in rounds(sides, ctx.plan.reps_login):
            walls = {}
            for side in order:
                play = ctx.runner.play('login_%s.yml' % side, extra)
                if play.failed():
                    continue
                walls[side] = play.wall('bench')
                ctx.figures.add('login.%s.per_task' % side, per_run(walls[side], count))
                ctx.figures.add('login.%s.process_wall' % side, play.process_wall)
                ctx.figures.add('login.%s.logins' % side, _logins(play), 'logins')
            if 'every' in walls and 'basic' in walls:
                ctx.figures.add('login.cost', per_run(walls['every'] - walls['basic'], count))
    finally:
        undo()
    return None


def scenario_find(ctx):
    """5. 10,000 past runs, 5 running: vro_execution_info state=running vs listing every run."""
    why = needs(ctx.sim, 'vro_execution_info')
    if why:
        return note('find skipped: ' + why)
    if not ctx.plan.reps_find:
        return note('find: not part of a --quick run')
    try:
        ctx.sim.admin('POST', 'vro/workflows/%s/runs' % SLEEP_ID, json={'count': ctx.plan.find_runs - 5, 'running': 5, 'state': 'completed'})
    except requests.RequestException as exc:
        return note('find skipped: could not bulk-create runs through /_sim/vro/workflows/<id>/runs: %s' % exc)
    extra = {'workflow_id': SLEEP_ID, 'count': ctx.plan.find_runs}
    for order in rounds(['running', 'all_ours', 'all_uri'], ctx.plan.reps_find):
        for side in order:
            play = ctx.runner.play('find_%s.yml' % side, extra, timeout=1800)
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
    if not ctx.plan.reps_vcf:
        return note('vcf: not part of a --quick run')
    for order in rounds(['ours', 'uri'], ctx.plan.reps_vcf):
        for side in order:
            prefix = 'bench-%s-%s' % (side, uuid.uuid4().hex[:8])
            created = ctx.sim.admin('POST', 'vcf/tasks', json={'count': ctx.plan.vcf_tasks, 'prefix': prefix, 'status': 'Failed',
                                                               'outcomes': ['successful'],
                                                               'retry_seconds': ctx.plan.vcf_retry_seconds})
            extra = {'name_contains': prefix, 'task_ids': created['ids'], 'delay': 1, 'retries': 120}
            play = ctx.runner.play('vcf_%s.yml' % side, extra, timeout=1800)
            if play.failed():
                continue
            ctx.figures.add('vcf.%s.wall' % side, play.wall('bench'))
            ctx.figures.add('vcf.%s.requests' % side, play.requests(), 'requests')
    return None


class Context:  # pylint: disable=too-few-public-methods
    """Everything a scenario needs: the simulator(s), the runner, the plan and the figures so far."""

    def __init__(self, plan, sim, runner, login_latency=0.5, verbose=False):  # pylint: disable=too-many-arguments
        self.plan = plan
        self.sim = sim
        self.second_sim = None
        self.runner = runner
        self.figures = Figures()
        self.login_latency = login_latency
        self.login_how = None
        self.args_verbose = verbose


# The scenarios by name, in the order a run takes them (--only picks among them; plan.Plan.estimate has one entry each).
SCENARIOS = {
    'imports': scenario_imports,
    'floor': scenario_floor,
    'wait': scenario_wait,
    'long': scenario_long,
    'batch': scenario_batch,
    'login': scenario_login,
    'find': scenario_find,
    'vcf': scenario_vcf,
}
