# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark statistics: measured values by figure name, their summaries, ratios and the issue's targets.

Pure functions over numbers (standard library only): no process, simulator or file is touched here.
"""

from __future__ import annotations

import statistics


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
        return {'unit': self.units[name], 'median': round_value(statistics.median(values)), 'min': round_value(min(values)),
                'max': round_value(max(values)), 'n': len(values), 'values': [round_value(v) for v in values]}

    def to_dict(self):
        return {name: self.summary(name) for name in sorted(self.values)}

    @classmethod
    def from_dict(cls, figures):
        """The inverse of :meth:`to_dict` (from the stored values): re-reads the ``figures`` of a results.json."""
        figs = cls()
        for name, summary in (figures or {}).items():
            for value in (summary or {}).get('values') or []:
                figs.add(name, value, summary['unit'])
        return figs


def round_value(value):
    """Floats to 4 decimals (as stored in results.json); anything else unchanged."""
    return round(value, 4) if isinstance(value, float) else value


def ratio(figs, a, b):
    """Median of figure ``a`` over median of figure ``b``; None when either is missing or ``b``'s is 0."""
    ma, mb = figs.median(a), figs.median(b)
    return (ma / mb) if ma is not None and mb else None


def targets(figs):
    """Each target of the issue: (scenario, description, value, limit, met)."""
    rows = []

    def check(scenario, text, value, limit, unit=''):
        rows.append({'scenario': scenario, 'target': text, 'value': round_value(value) if value is not None else None,
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
