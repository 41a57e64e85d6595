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


def fmt(summary):
    """One cell: ``median (min-max)`` in the figure's unit, ``-`` when there is no figure."""
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


def _table_rows():
    """(row label, our figure, baseline figure); a row without figures is a heading. The ratio column is ours /
    baseline of the medians."""
    rows = [
        ('Scenario 1: the floor (one GET)', None, None),
        ('wall, first task of a play', 'floor.ours.wall', 'floor.uri.wall'),
        ('wall, same task again (warm)', 'floor.ours.warm', 'floor.uri.warm'),
        ('task start -> first request', 'floor.ours.to_first_request', 'floor.uri.to_first_request'),
        ('last request -> task end', 'floor.ours.after_last_request', 'floor.uri.after_last_request'),
        ('HTTP requests', 'floor.ours.requests', 'floor.uri.requests'),
    ]
    for key in ('0_5', '2', '10'):
        rows += [
            ('Scenario 2: run and wait, Sleep %s s (uri delay 1)' % key.replace('_', '.'), None, None),
            ('wall', 'wait.%s.ours.wall' % key, 'wait.%s.uri.wall' % key),
            ('overhead beyond the run', 'wait.%s.ours.overhead' % key, 'wait.%s.uri.overhead' % key),
            ('end of run -> noticed', 'wait.%s.ours.noticed' % key, 'wait.%s.uri.noticed' % key),
            ('first -> last request, less the run', 'wait.%s.ours.span_overhead' % key, 'wait.%s.uri.span_overhead' % key),
            ('HTTP requests', 'wait.%s.ours.requests' % key, 'wait.%s.uri.requests' % key),
        ]
    rows += [
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
    return rows


TABLE = _table_rows()


def render_table(figs):
    """The figures table: one row per figure pair that has a value, headings only above such rows, then the import
    times in milliseconds."""
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
        lines.append('| %s | %s | %s | %s |' % (label, fmt(a), fmt(b), '%.2f' % r if r is not None else '-'))
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


def page_section(result):
    """The generated part of the Performance page for one run: the machine, the figures, the targets."""
    m, v, c = result['machine'], result['versions'], result['config']
    lines = [
        PAGE_BEGIN,
        '',
        'Times are seconds, median (min-max) of %d repetitions (7 for the floor,' % c['reps'],
        '%d for our fan-out loops, %d for the naive uri loop); ours and the baseline alternate within each repetition.'
        % (c['reps_fanout_loops'], c['reps_fanout_naive']),
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
