# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark statistics: measured values by figure name, their summaries, ratios and the issue's targets.

Pure functions over numbers (standard library only): no process, simulator or file is touched here.
"""

from __future__ import annotations

import statistics


class Figures:
    """Named lists of measured values, summarised as median, quartiles, min/max and mean."""

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

    def mean(self, name):
        values = self.values.get(name)
        return statistics.fmean(values) if values else None

    def stat(self, name, which='median'):
        """``median``, ``mean``, ``max`` or ``min`` of a figure; None when it has no value."""
        values = self.values.get(name)
        if not values:
            return None
        return {'median': statistics.median, 'mean': statistics.fmean, 'max': max, 'min': min}[which](values)

    def summary(self, name):
        values = self.values.get(name) or []
        if not values:
            return None
        q1, q3 = quartiles(values)
        return {'unit': self.units[name], 'median': round_value(statistics.median(values)), 'q1': round_value(q1),
                'q3': round_value(q3), 'min': round_value(min(values)), 'max': round_value(max(values)),
                'mean': round_value(statistics.fmean(values)), 'n': len(values), 'values': [round_value(v) for v in values]}

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


def quartiles(values):
    """(first, third) quartile, inclusive method (one value: itself twice)."""
    values = sorted(values)
    if len(values) == 1:
        return float(values[0]), float(values[0])
    cuts = statistics.quantiles(values, n=4, method='inclusive')
    return cuts[0], cuts[2]


def overhead(wall, seconds, base):
    """What a way of running and waiting costs beyond the run itself and one plain uri GET task: ``wall - seconds -
    base``, each a whole ansible-playbook process (issue 16). None when a part is missing."""
    if wall is None or seconds is None or base is None:
        return None
    return wall - seconds - base


def detection_lag(request_times, end):
    """Seconds from a run's end to the first request about it after that end (None: no such request)."""
    if end is None:
        return None
    after = [t for t in request_times if t >= end]
    return (min(after) - end) if after else None


def max_gap(times):
    """The longest time between two consecutive requests (None for fewer than two)."""
    times = sorted(times)
    if len(times) < 2:
        return None
    return max(b - a for a, b in zip(times, times[1:]))


def per_run(value, runs):
    return (value / float(runs)) if value is not None and runs else None


def round_value(value):
    """Floats to 4 decimals (as stored in results.json); anything else unchanged."""
    return round(value, 4) if isinstance(value, float) else value


def ratio(figs, a, b, which='median'):
    """Figure ``a`` over figure ``b`` (their medians, or means with ``which='mean'``); None when either is missing or
    ``b``'s is 0."""
    ma, mb = figs.stat(a, which), figs.stat(b, which)
    return (ma / mb) if ma is not None and mb else None


# Seconds the 60 s wait's longest gap between polls may exceed poll_interval_max: the request's own time.
GAP_SLACK = 0.1
# The module's default poll_interval_max (INTERVAL_MAX in plugins/module_utils/_waiter.py; bench/test_stats_report.py
# keeps the two equal). The 60 s wait runs with the defaults, so no gap between its polls may exceed it.
POLL_INTERVAL_MAX = 15.0


def targets(figs):
    """Each target of issue 16 (and the earlier ones still measured): scenario, target, value, limit, unit, met."""
    rows = []

    def check(scenario, text, value, limit, unit=''):
        rows.append({'scenario': scenario, 'target': text, 'value': round_value(value) if value is not None else None,
                     'limit': limit, 'unit': unit, 'met': None if value is None else bool(value <= limit)})

    def worst(name):
        values = figs.values.get(name)
        return max(values) if values else None

    check('1 one task', 'vro_execution_info / uri GET, whole playbook', ratio(figs, 'floor.get_ours.wall', 'floor.get_uri.wall'), 1.05, 'x')
    check('1 one task', 'zero-second vro_workflow_run / uri GET, whole playbook', ratio(figs, 'floor.run0_ours.wall', 'floor.get_uri.wall'),
          1.05, 'x')
    check('2 run and wait', 'overhead beyond a uri GET task, mean over 1-30 s', figs.mean('wait.ours.overhead'), 0.15, 's')
    check('2 run and wait', '... / the uri loop\'s (means)', ratio(figs, 'wait.ours.overhead', 'wait.uri.overhead', 'mean'), 0.35, 'x')
    check('2 run and wait', 'detection lag / run duration, mean over 1-30 s', figs.mean('wait.ours.lag_fraction'), 0.10, 'x')
    check('2 run and wait', 'detection lag, mean for runs under 3 s', figs.mean('wait.short.ours.lag'), 0.15, 's')
    check('3 wait 60 s', 'requests, worst repetition', worst('long.ours.requests'), 25, 'requests')
    check('3 wait 60 s', 'longest gap between polls (poll_interval_max %g s + %g s), worst' % (POLL_INTERVAL_MAX, GAP_SLACK),
          worst('long.ours.max_gap'), POLL_INTERVAL_MAX + GAP_SLACK, 's')
    check('4 batch', '1,000 runs of 1 s, no outputs: wall', figs.median('batch.1000.none.wall'), 8.0, 's')
    check('4 batch', '1,000 runs of 1 s, no outputs: requests per run', figs.median('batch.1000.none.requests_per_run'), 1.2, 'requests')
    check('4 batch', '1,000 runs of 1 s, with outputs: wall', figs.median('batch.1000.outputs.wall'), 8.0, 's')
    check('4 batch', '1,000 runs of 1 s, with outputs: requests per run', figs.median('batch.1000.outputs.requests_per_run'), 2.2, 'requests')
    found_reqs = figs.values.get('find.running.requests')
    check('6 find', 'requests, worst repetition', max(found_reqs) if found_reqs else None, 2, 'requests')
    all_times = [t for t in (figs.median('find.all_ours.wall'), figs.median('find.all_uri.wall')) if t]
    running = figs.median('find.running.wall')
    check('6 find', 'state=running / fastest way of listing every run', running / min(all_times) if running and all_times else None, 0.05, 'x')
    check('7 VCF', 'vcf_task_retry / uri PATCH + until loops', ratio(figs, 'vcf.ours.wall', 'vcf.uri.wall'), 0.2, 'x')
    ours_rss, uri_rss = figs.median('memory.ours.peak_rss'), figs.median('memory.uri.peak_rss')
    check('8 memory', 'peak RSS of our module process - uri\'s (MiB)', (ours_rss - uri_rss) if ours_rss and uri_rss else None, 10.0, 'MiB')
    return rows
