# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark reporting: the Markdown tables of a run and the generated part of the docs site's Performance page.

Pure text layout over :class:`stats.Figures` and a results.json dictionary (standard library only); the one
file written is ``docs/docsite/rst/performance.rst``, by :func:`update_page` (the figures' only home: the
top-level README keeps a short summary and a link to that page).
"""

from __future__ import annotations

import os
import re

from stats import ratio

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.path.join(ROOT, 'docs', 'docsite', 'rst', 'performance.rst')
PAGE_BEGIN = '.. performance: begin (written by bench/run.py --docs; edit the text above or below this part)'
PAGE_END = '.. performance: end'


def fmt(summary, which='median'):
    """One cell: ``median (min-max)`` in the figure's unit (or the mean alone with ``which='mean'``), ``-`` when
    there is no figure."""
    if not summary:
        return '-'
    unit = summary['unit']
    if which == 'mean':
        return ('%.3f' if unit in ('s', 'x') else '%.1f' if unit == 'MiB' else '%.2f') % summary['mean']
    if unit in ('s', 'x'):
        return '%.3f (%.3f-%.3f)' % (summary['median'], summary['min'], summary['max'])
    if unit == 'MiB':
        return '%.1f (%.1f-%.1f)' % (summary['median'], summary['min'], summary['max'])
    if unit in ('requests', 'runs', 'processes', 'logins'):
        if summary['min'] == summary['max']:
            return '%g' % summary['median']
        return '%g (%g-%g)' % (summary['median'], summary['min'], summary['max'])
    return '%g' % summary['median']


def _table_rows():
    """(row label "A vs B", figure A, figure B, statistic); a row without figures is a heading. The ratio column is
    A / B of that statistic (median unless the row says mean)."""
    rows = [
        ('Scenario 1: one task, whole ansible-playbook process', None, None, None),
        ('vro_execution_info read vs uri GET', 'floor.get_ours.wall', 'floor.get_uri.wall', 'median'),
        ('zero-second vro_workflow_run vs uri GET', 'floor.run0_ours.wall', 'floor.get_uri.wall', 'median'),
        ('the same, first task on a host (bytecode cache empty)', 'floor.run0_cold.wall', 'floor.get_uri.wall', 'median'),
        ('the task alone: read vs uri GET', 'floor.get_ours.task', 'floor.get_uri.task', 'median'),
        ('the task alone: zero-second run vs uri GET', 'floor.run0_ours.task', 'floor.get_uri.task', 'median'),
        ('task start -> first request: read vs uri GET', 'floor.get_ours.to_first_request', 'floor.get_uri.to_first_request', 'median'),
        ('HTTP requests: read vs uri GET', 'floor.get_ours.requests', 'floor.get_uri.requests', 'median'),
        ('HTTP requests: zero-second run vs uri GET', 'floor.run0_ours.requests', 'floor.get_uri.requests', 'median'),
        ('Scenario 2: run and wait, durations drawn over 1-30 s; ours vs uri POST + until (delay 1)', None, None, None),
        ('overhead beyond a uri GET task, mean', 'wait.ours.overhead', 'wait.uri.overhead', 'mean'),
        ('overhead beyond a uri GET task', 'wait.ours.overhead', 'wait.uri.overhead', 'median'),
        ('the same from task times (no start-up), mean', 'wait.ours.task_overhead', 'wait.uri.task_overhead', 'mean'),
        ('overhead less the detection lag, mean', 'wait.ours.fixed_overhead', 'wait.uri.fixed_overhead', 'mean'),
        ('detection lag / duration, mean', 'wait.ours.lag_fraction', 'wait.uri.lag_fraction', 'mean'),
        ('detection lag', 'wait.ours.lag', 'wait.uri.lag', 'median'),
        ('detection lag, runs under 3 s, mean', 'wait.short.ours.lag', 'wait.short.uri.lag', 'mean'),
        ('HTTP requests per run', 'wait.ours.requests', 'wait.uri.requests', 'median'),
        ('the base: one uri GET task, whole playbook', 'wait.base.wall', None, 'median'),
        ('Scenario 3: Sleep 60 s side by side; ours vs uri (delay 5)', None, None, None),
        ('whole playbook less the run', 'long.ours.overhead', 'long.uri.overhead', 'median'),
        ('detection lag', 'long.ours.lag', 'long.uri.lag', 'median'),
        ('longest gap between polls', 'long.ours.max_gap', 'long.uri.max_gap', 'median'),
        ('HTTP requests', 'long.ours.requests', 'long.uri.requests', 'median'),
        ('peak RSS of a module process (MiB)', 'memory.ours.peak_rss', 'memory.uri.peak_rss', 'median'),
        ('module processes started', 'memory.ours.processes', 'memory.uri.processes', 'median'),
        ('Scenario 4: batch, one task with runs: (concurrency 100), runs of 1 s; no outputs vs with outputs', None, None, None),
    ]
    for size in ('10', '100', '1000'):
        rows += [
            ('%s runs: wall' % size, 'batch.%s.none.wall' % size, 'batch.%s.outputs.wall' % size, 'median'),
            ('%s runs: requests per run' % size, 'batch.%s.none.requests_per_run' % size, 'batch.%s.outputs.requests_per_run' % size, 'median'),
        ]
    rows += [
        ('10 runs with outputs, wall: batch task vs uri POST loop + until loops', 'batch.10.outputs.wall', 'batch.10.uri.wall', 'median'),
        ('10 runs with outputs, requests per run: batch vs uri', 'batch.10.outputs.requests_per_run', 'batch.10.uri.requests_per_run',
         'median'),
        ('Scenario 5: vRA login (vRO 8) with login latency, per read of 5', None, None, None),
        ('wall per read: login in every task vs token reused (vro_login)', 'login.every.per_task', 'login.reuse.per_task', 'median'),
        ('wall per read: login in every task vs basic auth (no login)', 'login.every.per_task', 'login.basic.per_task', 'median'),
        ('wall per read: token reused vs uri (log in once, then GETs)', 'login.reuse.per_task', 'login.uri.per_task', 'median'),
        ('login cost per task (every task - basic auth)', 'login.cost', None, 'median'),
        ('vRA logins: every task vs token reused', 'login.every.logins', 'login.reuse.logins', 'median'),
        ('Scenario 6: find 5 running among 10,000 runs', None, None, None),
        ('wall: state=running vs ours listing all', 'find.running.wall', 'find.all_ours.wall', 'median'),
        ('wall: state=running vs uri listing all', 'find.running.wall', 'find.all_uri.wall', 'median'),
        ('server time: state=running vs ours all', 'find.running.server_time', 'find.all_ours.server_time', 'median'),
        ('server time: state=running vs uri all', 'find.running.server_time', 'find.all_uri.server_time', 'median'),
        ('HTTP requests: state=running vs ours all', 'find.running.requests', 'find.all_ours.requests', 'median'),
        ('HTTP requests: state=running vs uri all', 'find.running.requests', 'find.all_uri.requests', 'median'),
        ('Scenario 7: VCF, retry 20 failed tasks and wait; ours vs uri', None, None, None),
        ('wall', 'vcf.ours.wall', 'vcf.uri.wall', 'median'),
        ('HTTP requests', 'vcf.ours.requests', 'vcf.uri.requests', 'median'),
    ]
    return rows


TABLE = _table_rows()
HEADER = ['| figure: A vs B | A: median (min-max) | B: median (min-max) | A / B |', '|---|---|---|---|']


def render_table(figs):
    """The figures table: one row per figure pair that has a value, headings only above such rows, then the import
    times in milliseconds."""
    lines = list(HEADER)
    heading = None
    for label, first, second, which in TABLE:
        if first is None:
            heading = '| **%s** | | | |' % label
            continue
        a, b = figs.summary(first), figs.summary(second) if second else None
        if a is None and b is None:
            continue
        if heading:
            lines.append(heading)
            heading = None
        r = ratio(figs, first, second, which) if second else None
        lines.append('| %s | %s | %s | %s |' % (label, fmt(a, which), fmt(b, which), '%.2f' % r if r is not None else '-'))
    imports = sorted(n for n in figs.values if n.startswith('imports.'))
    if imports:
        lines.append('| **Import time after ansible.module_utils.basic, fresh interpreter (ms)** | | | |')
        for name in imports:
            s = figs.summary(name)
            lines.append('| %s | %.1f (%.1f-%.1f) | | |' % (name[len('imports.'):], s['median'] * 1000, s['min'] * 1000, s['max'] * 1000))
    return '\n'.join(lines)


def render_targets(rows):
    """The targets table from :func:`stats.targets`: met is yes, **no** or n/a (not measured)."""
    lines = ['| scenario | target | measured | limit | met |', '|---|---|---|---|---|']
    for row in rows:
        value = '-' if row['value'] is None else ('%.3f' % row['value'] if isinstance(row['value'], float) else str(row['value']))
        met = 'n/a' if row['met'] is None else ('yes' if row['met'] else '**no**')
        lines.append('| %s | %s | %s %s | %s %s | %s |' % (row['scenario'], row['target'], value, row['unit'], row['limit'], row['unit'], met))
    return '\n'.join(lines)


def missed_clause(result):
    """``, and why the target(s) of scenario(s) N (and M) is/are not met`` -- empty when every target was met."""
    missed = sorted({t['scenario'].split(' ')[0] for t in result.get('targets') or [] if t.get('met') is False})
    if not missed:
        return ''
    return ', and why the target%s of scenario%s %s %s not met' % (
        's' if len(missed) > 1 else '', 's' if len(missed) > 1 else '', ' and '.join(missed), 'are' if len(missed) > 1 else 'is')


def rst_inline(text):
    """Markdown inline text as reStructuredText: `code` becomes ``code``; a leading list marker is escaped."""
    text = re.sub(r'(?<!`)`([^`]+)`(?!`)', r'``\1``', text.strip())
    if re.match(r'[-+]|\*(\s|$)|#?\d*\.(\s|$)', text):
        text = '\\' + text
    return text


def rst_table(markdown):
    """A Markdown pipe table (header, separator, rows) as a reStructuredText ``list-table`` with a header row."""
    rows = [[cell.strip() for cell in line.strip().strip('|').split('|')] for line in markdown.strip().split('\n')]
    rows = rows[:1] + rows[2:]
    lines = ['.. list-table::', '  :header-rows: 1', '']
    for row in rows:
        for index, cell in enumerate(row):
            cell = rst_inline(cell)
            lines.append(('  * - ' if index == 0 else '    - ') + cell if cell else ('  * -' if index == 0 else '    -'))
    return '\n'.join(lines)


def durations_text(durations):
    """Drawn durations, shortest first: ``1.42, 2.9, 17.3``."""
    return ', '.join('%g' % d for d in sorted(durations)) or 'no durations'


def page_section(result):
    """The generated part of the Performance page for one run: the machine, the figures, the targets."""
    m, v, c = result['machine'], result['versions'], result['config']
    lines = [
        PAGE_BEGIN,
        '',
        'Times are seconds, median (min-max) over the repetitions, of a whole ``ansible-playbook`` process unless a row says',
        'otherwise; in each scenario the contenders run interleaved, their order rotating every round (%d rounds for' % c['reps_floor'],
        'scenario 1, %d for the batch and login scenarios, %d of the 60 s wait). Scenario 2 ran Sleep for %s s, drawn (seed %s)'
        % (c['reps'], c['reps_long'], durations_text(c.get('wait_durations') or []), c.get('seed')),
        'over %g-%g s (the runs of every 1-30 s mean) and %g-%g s (more runs for the under-3 s lag only); its overhead is the'
        % tuple(list(c.get('wait_range') or (1, 30)) + list(c.get('short_range') or (1, 3))),
        'playbook\'s wall less the run and less the uri GET playbook of the same round.',
        '',
        'Machine: %s, %s cores, %s GiB RAM, %s; Python %s, ansible-core %s; load average %s at the start, %s at the end'
        % (m.get('cpu_model'), m.get('cores'), m.get('memory_gib'), m.get('os'), v['python'], v['ansible_core'],
           '/'.join(str(x) for x in m.get('load_average_at_start') or []), '/'.join(str(x) for x in m.get('load_average_at_end') or [])),
        '(run on %s, %s s, at commit %s).' % (result['generated'], result['duration_seconds'], v.get('git_commit', '?')),
        'What moved each figure%s: "Findings" in ``bench/README.md``.' % missed_clause(result),
        '',
        'Figures',
        '-------',
        '',
        rst_table(result['table_markdown']),
        '',
        'Targets',
        '-------',
        '',
        rst_table(result['targets_markdown']),
    ]
    if result['notes']:
        lines += ['', 'Notes from this run:', ''] + ['- %s' % rst_inline(n) for n in result['notes']]
    lines += ['', PAGE_END]
    return '\n'.join(lines) + '\n'


def update_page(result, path=PAGE):
    """Replace the delimited generated part of the Performance page (append it at the end the first time)."""
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    section = page_section(result)
    if PAGE_BEGIN in text and PAGE_END in text:
        head, rest = text.split(PAGE_BEGIN, 1)
        tail = rest.split(PAGE_END, 1)[1].lstrip('\n')
        text = head + section + ('\n' + tail if tail else '')
    else:
        text = text.rstrip('\n') + '\n\n' + section
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)
