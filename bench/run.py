# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark: the collection's modules against the hand-written ``ansible.builtin.uri`` loop.

Usage (``make bench`` runs it under tools/with_simulator.py; run alone, it starts its own simulator)::

    python bench/run.py [--reps N] [--quick] [--only floor,wait,...] [--out bench/results.json]

Every scenario runs real ``ansible-playbook`` processes (local connection, the venv's Python) from
bench/playbooks/, ours and the baseline alternating within each repetition (the order flips every repetition).
Task times come from the bench_timer callback (bench/callback_plugins/), request counts from the simulator's
``/_sim/counters`` (cleared before each playbook), peak RSS from ``/usr/bin/time -f %M`` wrapped around the
module interpreter. bench/README.md explains each scenario, figure and target.

This file is the command line only: sim.py (the simulator), runner.py (playbook runs and timing), scenarios.py
(one function per scenario), stats.py (figures and targets), report.py (tables and the docs site's Performance page) and
machine.py (what the run ran on) do the work.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import time

from machine import machine, versions
from plan import Plan, format_estimate
from report import PAGE, durations_text, render_table, render_targets, update_page
from runner import BENCH, NOTES, ROOT, SHIELD, Runner, shield
from scenarios import SCENARIOS, Context
from sim import Sim
from stats import Figures, targets

RECORDED = os.path.join(ROOT, 'bench', 'recorded.json')
# Seconds the login scenario adds to each vRA login (two round trips and the server's token work). A chosen value:
# no public figure of vRA 8's login time was found; --login-latency changes it.
LOGIN_LATENCY = 0.5


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--quick', action='store_true',
                        help='development run, under 5 minutes: fewer rounds and drawn durations, one 60 s wait, no find/vcf')
    parser.add_argument('--reps', type=int, default=None,
                        help='rounds of the floor, batch, login, find and vcf scenarios (default 7 for the floor, 3 for the others)')
    parser.add_argument('--draws', type=int, default=None, help='run durations drawn over 1-30 s for the wait scenario (default 10, 3 with --quick)')
    parser.add_argument('--seed', type=int, default=16, help='seed of the drawn durations (default 16)')
    parser.add_argument('--only', default='', help='comma-separated scenarios: ' + ','.join(SCENARIOS))
    parser.add_argument('--long-seconds', type=float, default=60.0)
    parser.add_argument('--batch-sizes', default='10,100,1000', help='runs per batch task (default 10,100,1000)')
    parser.add_argument('--login-latency', type=float, default=LOGIN_LATENCY,
                        help='seconds the simulator adds to each vRA login in the login scenario (default %(default)s)')
    parser.add_argument('--estimate', action='store_true', help='print the plan and its estimated time, run nothing')
    parser.add_argument('--out', default=os.path.join(BENCH, 'results.json'))
    parser.add_argument('--collections-path', default=None,
                        help='run the modules from this ANSIBLE_COLLECTIONS_PATH instead of the working tree (to compare a change)')
    parser.add_argument('--priority', type=int, default=-10,
                        help='nice value for the benchmark and the simulator (default -10; 0 leaves it alone)')
    # --readme / --readme-only: the names from when the figures lived in README.md.
    parser.add_argument('--docs', '--readme', dest='docs', action='store_true',
                        help='write the tables into the docs site page docs/docsite/rst/performance.rst')
    parser.add_argument('--docs-only', '--readme-only', dest='docs_only', action='store_true',
                        help='run nothing: write the tables of docs/docsite/rst/performance.rst from an existing --out file')
    parser.add_argument('--keep', action='store_true', help='keep the working directory (playbook output, timings)')
    parser.add_argument('-v', '--verbose', action='store_true')
    args = parser.parse_args(argv)
    args.only = [s for s in args.only.split(',') if s] or list(SCENARIOS)
    unknown = set(args.only) - set(SCENARIOS)
    if unknown:
        parser.error('unknown scenario(s): %s' % ', '.join(sorted(unknown)))
    try:
        sizes = tuple(int(size) for size in args.batch_sizes.split(',') if size.strip())
    except ValueError:
        parser.error('--batch-sizes: comma-separated whole numbers, e.g. 10,100,1000')
    args.plan = Plan(quick=args.quick, reps=args.reps, draws=args.draws, seed=args.seed, long_seconds=args.long_seconds,
                     batch_sizes=sizes)
    return args


def main(argv):
    args = parse_args(argv)
    if args.docs_only:
        with open(args.out, encoding='utf-8') as handle:
            result = json.load(handle)
        # The tables in the layout of this code, from the stored values.
        figs = Figures.from_dict(result['figures'])
        result.update(figures=figs.to_dict(), targets=targets(figs), table_markdown=render_table(figs))
        result['targets_markdown'] = render_targets(result['targets'])
        update_page(result)
        with open(RECORDED, 'w', encoding='utf-8') as handle:
            json.dump(result, handle, indent=2)
            handle.write('\n')
        print('bench: %s written from %s, kept as %s' % (os.path.relpath(PAGE, ROOT), args.out, os.path.relpath(RECORDED, ROOT)))
        return 0
    plan = args.plan
    estimate = plan.estimate(args.only)
    print('bench: ' + format_estimate(estimate, args.quick), flush=True)
    print('bench: wait durations (seed %d): %s s' % (plan.seed, durations_text(plan.wait_durations())), flush=True)
    if args.estimate:
        return 0
    started = time.time()
    workdir = tempfile.mkdtemp(prefix='cloudops-bench-')
    sim = Sim.from_environment()
    shield(args.priority, sim)
    load_start = [round(x, 2) for x in os.getloadavg()]
    tree = versions()
    runner = Runner(sim, workdir, verbose=args.verbose, collections_path=args.collections_path)
    ctx = Context(plan, sim, runner, login_latency=args.login_latency, verbose=args.verbose)
    print('bench: simulator %s, scenarios %s, work dir %s' % (sim.url, ','.join(args.only), workdir), flush=True)
    took = {}
    try:
        for name in SCENARIOS:
            if name not in args.only:
                continue
            print('== %s (estimate %.0fs)' % (name, estimate[name]), flush=True)
            t0 = time.time()
            if name not in ('imports',):
                sim.admin('POST', 'reset')
            SCENARIOS[name](ctx)
            took[name] = round(time.time() - t0, 1)
            print('   %s took %.0fs' % (name, took[name]), flush=True)
    finally:
        if ctx.second_sim is not None:
            ctx.second_sim.stop()
        sim.stop()
    # Every summary from the values as stored (rounded), so that results.json rebuilds its own tables exactly.
    figs = Figures.from_dict(ctx.figures.to_dict())
    rows = targets(figs)
    table = render_table(figs)
    target_table = render_targets(rows)
    config = dict(plan.to_dict(), wait_durations=plan.wait_durations(), scenarios=args.only, playbooks_run=runner.count,
                  collections_path=runner.collections_path, nice=SHIELD[0] if SHIELD else 0,
                  login_latency=args.login_latency, login_latency_how=ctx.login_how,
                  estimate_seconds=estimate, took_seconds=took)
    result = {
        'generated': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'),
        'duration_seconds': round(time.time() - started, 1),
        'machine': dict(machine(), load_average_at_start=load_start),
        'versions': tree,
        'config': config,
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
    print('bench: %d playbooks in %.0fs (estimate %.0fs); results in %s' % (
        runner.count, time.time() - started, sum(estimate.values()), args.out))
    if args.docs:
        update_page(result)
        # The run the docs page shows is kept in the repository; results.json is each machine's own, and ignored.
        shutil.copyfile(args.out, RECORDED)
        print('bench: %s updated; this run kept as %s' % (os.path.relpath(PAGE, ROOT), os.path.relpath(RECORDED, ROOT)))
    if args.keep:
        print('bench: work dir kept: %s' % workdir)
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
