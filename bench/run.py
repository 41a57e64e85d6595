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
from report import PAGE, render_table, render_targets, update_page
from runner import BENCH, NOTES, ROOT, SHIELD, Runner, shield
from scenarios import SCENARIOS, Context
from sim import Sim
from stats import targets

RECORDED = os.path.join(ROOT, 'bench', 'recorded.json')


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
    # --readme / --readme-only: the names from when the figures lived in README.md.
    parser.add_argument('--docs', '--readme', dest='docs', action='store_true',
                        help='write the tables into the docs site page docs/docsite/rst/performance.rst')
    parser.add_argument('--docs-only', '--readme-only', dest='docs_only', action='store_true',
                        help='run nothing: write the tables of docs/docsite/rst/performance.rst from an existing --out file')
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
    if args.docs_only:
        with open(args.out, encoding='utf-8') as handle:
            update_page(json.load(handle))
        print('bench: %s written from %s' % (os.path.relpath(PAGE, ROOT), args.out))
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
            SCENARIOS[name](ctx)
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
