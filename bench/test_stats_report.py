# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's pure parts: statistics (stats.py), the tables and the docs page section (report.py), the parsers of
runner.py and sim.py, and the command line of run.py. No simulator and no playbook: `make integration` runs this file
first, on its own (``pytest bench``).

The recorded run (bench/recorded.json, committed with the docs page section it produced) is the reference layout: its
stored values rebuild its own tables, targets and the section of docs/docsite/rst/performance.rst exactly.
"""

from __future__ import annotations

import json
import os
import re

import pytest
import yaml

import plan
import report
import run
import runner
import scenarios
import sim
import stats

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)


@pytest.fixture(name='recorded')
def recorded_fixture():
    with open(os.path.join(BENCH, 'recorded.json'), encoding='utf-8') as handle:
        return json.load(handle)


def figures(**named):
    """Figures from ``name=(unit, [values])`` with dots written as double underscores."""
    figs = stats.Figures()
    for key, (unit, values) in named.items():
        for value in values:
            figs.add(key.replace('__', '.'), value, unit)
    return figs


# ---------------------------------------------------------------------------------------------------------------
# stats.py

def test_figures_summary_median_min_max_and_rounding():
    figs = stats.Figures()
    for value in (0.123456, 0.5, 0.2, None, 0.4):
        figs.add('floor.ours.wall', value)
    figs.add('floor.ours.requests', 1, 'requests')
    assert figs.values['floor.ours.wall'] == [0.123456, 0.5, 0.2, 0.4]  # None is not a measurement
    assert figs.median('floor.ours.wall') == pytest.approx(0.3)
    assert figs.summary('floor.ours.wall') == {'unit': 's', 'median': 0.3, 'q1': 0.1809, 'q3': 0.425, 'min': 0.1235, 'max': 0.5,
                                               'mean': 0.3059, 'n': 4, 'values': [0.1235, 0.5, 0.2, 0.4]}
    assert figs.mean('floor.ours.wall') == pytest.approx(1.223456 / 4)
    assert figs.stat('floor.ours.wall', 'max') == 0.5 and figs.stat('missing', 'mean') is None
    assert figs.summary('floor.ours.requests')['median'] == 1 and figs.summary('floor.ours.requests')['unit'] == 'requests'
    assert figs.summary('missing') is None and figs.median('missing') is None
    assert list(figs.to_dict()) == ['floor.ours.requests', 'floor.ours.wall']


def test_figures_from_dict_reads_back_to_dict():
    figs = figures(wait__2__ours__wall=('s', [2.5, 2.25, 2.75]), memory__ours__peak_rss=('MiB', [36.5]))
    again = stats.Figures.from_dict(figs.to_dict())
    assert again.to_dict() == figs.to_dict()
    assert stats.Figures.from_dict(None).to_dict() == {}


def test_ratio_of_medians_and_missing_figures():
    figs = figures(a=('s', [1.0, 3.0, 2.0]), b=('s', [4.0]), zero=('s', [0.0]))
    assert stats.ratio(figs, 'a', 'b') == 0.5
    assert stats.ratio(figs, 'a', 'missing') is None
    assert stats.ratio(figs, 'missing', 'b') is None
    assert stats.ratio(figs, 'a', 'zero') is None
    skewed = figures(a=('s', [1.0, 1.0, 7.0]), b=('s', [1.0, 2.0, 3.0]))
    assert stats.ratio(skewed, 'a', 'b') == 0.5 and stats.ratio(skewed, 'a', 'b', 'mean') == 1.5


def test_quartiles_overhead_lag_gap_and_per_run():
    assert stats.quartiles([3.0]) == (3.0, 3.0)
    assert stats.quartiles([1, 2, 3, 4, 5]) == (2.0, 4.0)
    # wall - run - one uri GET playbook
    assert stats.overhead(20.5, 18.0, 1.75) == pytest.approx(0.75)
    assert stats.overhead(None, 18.0, 1.75) is None and stats.overhead(2.0, 1.0, None) is None
    # the first request about the run at or after its end
    assert stats.detection_lag([10.0, 11.0, 12.5, 14.0], 12.0) == pytest.approx(0.5)
    assert stats.detection_lag([10.0, 12.0], 12.0) == 0.0
    assert stats.detection_lag([10.0], 12.0) is None and stats.detection_lag([10.0], None) is None
    assert stats.max_gap([4.0, 1.0, 2.0, 9.5]) == 5.5
    assert stats.max_gap([1.0]) is None and stats.max_gap([]) is None
    assert stats.per_run(2010, 1000) == 2.01 and stats.per_run(None, 10) is None and stats.per_run(5, 0) is None


def test_targets_met_missed_and_not_measured():
    figs = figures(floor__get_ours__wall=('s', [1.0, 1.04]), floor__get_uri__wall=('s', [1.0]),
                   floor__run0_ours__wall=('s', [1.2]),
                   wait__ours__overhead=('s', [0.1, 0.3, 0.05]), wait__uri__overhead=('s', [0.5, 0.6, 0.4, 0.9]),
                   wait__ours__lag_fraction=('x', [0.02, 0.2, 0.05]), wait__short__ours__lag=('s', [0.1, 0.3]),
                   long__ours__requests=('requests', [20, 26, 22]), long__ours__max_gap=('s', [5.0, 5.05]),
                   batch__1000__none__wall=('s', [7.5]), batch__1000__none__requests_per_run=('requests', [1.25]),
                   batch__1000__outputs__requests_per_run=('requests', [2.2]),
                   find__running__wall=('s', [0.5]), find__all_ours__wall=('s', [20.0]), find__all_uri__wall=('s', [10.0]))
    rows = {(row['scenario'], row['target']): row for row in stats.targets(figs)}
    assert len(rows) == 16

    def row(scenario, start):
        found = [r for key, r in rows.items() if key[0] == scenario and key[1].startswith(start)]
        assert len(found) == 1
        return found[0]
    read = row('1 one task', 'vro_execution_info / uri GET')
    assert read['value'] == 1.02 and read['limit'] == 1.05 and read['unit'] == 'x' and read['met'] is True
    assert row('1 one task', 'zero-second')['met'] is False
    # the means over the drawn durations, not the medians
    assert row('2 run and wait', 'overhead beyond a uri GET task')['value'] == 0.15 and row('2 run and wait', 'overhead')['met'] is True
    assert row('2 run and wait', '... / the uri loop')['value'] == 0.25
    assert row('2 run and wait', 'detection lag / run duration')['value'] == 0.09
    assert row('2 run and wait', 'detection lag, mean for runs under 3 s')['met'] is False
    worst = row('3 wait 60 s', 'requests')
    assert worst['value'] == 26 and worst['met'] is False  # the worst repetition, not the median
    assert row('3 wait 60 s', 'longest gap')['met'] is True and row('3 wait 60 s', 'longest gap')['limit'] == stats.POLL_INTERVAL_MAX + stats.GAP_SLACK
    assert row('4 batch', '1,000 runs of 1 s, no outputs: wall')['met'] is True
    assert row('4 batch', '1,000 runs of 1 s, no outputs: requests')['met'] is False
    assert row('4 batch', '1,000 runs of 1 s, with outputs: requests')['met'] is True
    assert row('4 batch', '1,000 runs of 1 s, with outputs: wall')['met'] is None
    # the fastest way of listing every run is the reference
    assert row('6 find', 'state=running')['value'] == 0.05
    for scenario, start in (('7 VCF', 'vcf_task_retry'), ('8 memory', 'peak RSS'), ('6 find', 'requests')):
        assert row(scenario, start)['value'] is None and row(scenario, start)['met'] is None


# ---------------------------------------------------------------------------------------------------------------
# plan.py

def test_drawn_durations_are_seeded_spread_over_the_range_and_shuffled():
    first = plan.draw_durations(16, 10, 1.0, 30.0)
    assert first == plan.draw_durations(16, 10, 1.0, 30.0)  # the same seed draws the same durations
    assert first != plan.draw_durations(17, 10, 1.0, 30.0)
    assert len(first) == 10 and all(1.0 <= d <= 30.0 for d in first)
    # one draw in each tenth of the range: no chosen points, no gap
    assert sorted(int((d - 1.0) // 2.9) for d in first) == list(range(10))
    assert first != sorted(first)  # not run shortest first
    assert all(round(d, 2) == d for d in first)
    assert plan.draw_durations(16, 0, 1.0, 30.0) == []


def test_rounds_interleave_every_contender_and_rotate_the_order():
    assert plan.rounds(['ours', 'uri'], 4) == [['ours', 'uri'], ['uri', 'ours'], ['ours', 'uri'], ['uri', 'ours']]
    three = plan.rounds(['a', 'b', 'c'], 3)
    assert three == [['a', 'b', 'c'], ['b', 'c', 'a'], ['c', 'a', 'b']]
    # each contender takes every place once in len(contenders) rounds, and runs once per round (ABAB, not AAAA BBBB)
    assert all(sorted(order) == ['a', 'b', 'c'] for order in three)
    assert [sorted(order[i] for order in three) for i in range(3)] == [['a', 'b', 'c']] * 3
    assert plan.rounds([], 3) == [] and plan.rounds(['a'], 0) == []


def test_plan_full_and_quick_stay_within_their_time_budget():
    full, quick = plan.Plan(), plan.Plan(quick=True)
    assert set(full.estimate()) == set(run.SCENARIOS)  # every scenario is in the estimate
    assert sum(full.estimate().values()) <= plan.BUDGET_SECONDS['full'] == 1200
    assert sum(quick.estimate().values()) <= plan.BUDGET_SECONDS['quick'] == 300
    assert quick.estimate()['find'] == 0 and quick.estimate()['vcf'] == 0
    assert list(full.estimate(['floor', 'batch'])) == ['floor', 'batch']
    # the wait scenario: durations across 1-30 s plus a few under 3 s, all of them drawn
    waits = full.wait_durations()
    assert len(waits) == full.draws + full.short_draws == 26
    assert waits == full.spread_durations() + full.short_durations() and len(full.spread_durations()) == full.draws
    assert len([d for d in waits if d < 3.0]) >= full.short_draws
    assert max(waits) > 25 and min(waits) < 2
    # more draws cost more time; the estimate line says when a plan is over budget
    assert plan.Plan(draws=40).estimate()['wait'] > full.estimate()['wait']
    assert 'OVER BUDGET' in plan.format_estimate(plan.Plan(draws=60).estimate(), quick=False)
    assert plan.format_estimate({'floor': 30.0, 'wait': 90.0}, quick=True) == \
        'estimate: 2.0 min on a quiet 2-core machine (budget 5 min): floor 30s, wait 90s'


def test_uri_polls_and_playbook_estimate():
    assert plan.uri_polls(0, 1) == 1
    assert plan.uri_polls(2.9, 1) == 1 + int(2.9 // (1 + plan.MODULE_SECONDS))
    assert plan.playbook_seconds(2, 3.0) == pytest.approx(plan.PLAYBOOK_SECONDS + 2 * plan.MODULE_SECONDS + 3.0)


# ---------------------------------------------------------------------------------------------------------------
# report.py

@pytest.mark.parametrize('summary, cell', [
    (None, '-'),
    ({'unit': 's', 'median': 0.41234, 'min': 0.4, 'max': 0.5}, '0.412 (0.400-0.500)'),
    ({'unit': 'MiB', 'median': 36.44, 'min': 36.0, 'max': 37.06}, '36.4 (36.0-37.1)'),
    ({'unit': 'requests', 'median': 23, 'min': 23, 'max': 23}, '23'),
    ({'unit': 'requests', 'median': 23, 'min': 22, 'max': 25}, '23 (22-25)'),
    ({'unit': 'logins', 'median': 5, 'min': 5, 'max': 5}, '5'),
    ({'unit': 'x', 'median': 0.05, 'min': 0.01, 'max': 0.2}, '0.050 (0.010-0.200)'),
    ({'unit': 'other', 'median': 1.5, 'min': 1, 'max': 2}, '1.5'),
])
def test_cell_format_per_unit(summary, cell):
    assert report.fmt(summary) == cell


@pytest.mark.parametrize('summary, cell', [
    (None, '-'),
    ({'unit': 's', 'mean': 0.41234}, '0.412'),
    ({'unit': 'x', 'mean': 0.0456}, '0.046'),
    ({'unit': 'MiB', 'mean': 36.44}, '36.4'),
    ({'unit': 'requests', 'mean': 2.016}, '2.02'),
])
def test_cell_format_of_a_mean(summary, cell):
    assert report.fmt(summary, 'mean') == cell


def test_table_shows_a_heading_only_above_measured_rows_and_imports_in_ms():
    figs = figures(floor__get_ours__wall=('s', [0.5, 0.6, 0.7]), floor__get_uri__wall=('s', [0.5]),
                   wait__ours__overhead=('s', [0.1, 0.2, 0.6]), wait__uri__overhead=('s', [0.5, 0.5, 0.8]),
                   vcf__ours__requests=('requests', [30]),
                   imports___client=('s', [0.002, 0.003, 0.004]))
    lines = report.render_table(figs).split('\n')
    assert lines[:2] == ['| figure: A vs B | A: median (min-max) | B: median (min-max) | A / B |', '|---|---|---|---|']
    assert lines[2:] == [
        '| **Scenario 1: one task, whole ansible-playbook process** | | | |',
        '| vro_execution_info read vs uri GET | 0.600 (0.500-0.700) | 0.500 (0.500-0.500) | 1.20 |',
        '| zero-second vro_workflow_run vs uri GET | - | 0.500 (0.500-0.500) | - |',  # one side measured: shown
        '| the same, first task on a host (bytecode cache empty) | - | 0.500 (0.500-0.500) | - |',
        '| **Scenario 2: run and wait, durations drawn over 1-30 s; ours vs uri POST + until (delay 1)** | | | |',
        '| overhead beyond a uri GET task, mean | 0.300 | 0.600 | 0.50 |',
        '| overhead beyond a uri GET task | 0.200 (0.100-0.600) | 0.500 (0.500-0.800) | 0.40 |',
        '| **Scenario 7: VCF, retry 20 failed tasks and wait; ours vs uri** | | | |',
        '| HTTP requests | 30 | - | - |',
        '| **Import time after ansible.module_utils.basic, fresh interpreter (ms)** | | | |',
        '| _client | 3.0 (2.0-4.0) | | |',
    ]
    assert report.render_table(stats.Figures()).count('\n') == 1  # the header alone


def test_table_rows_name_only_figures_the_scenarios_measure():
    """Every figure a row names is one the scenarios add (a typo would leave a row empty for ever)."""
    with open(os.path.join(BENCH, 'scenarios.py'), encoding='utf-8') as handle:
        source = handle.read()
    for label, first, second, which in report.TABLE:
        assert which in (None, 'median', 'mean'), label
        for name in (first, second):
            if name is None:
                continue
            parts = name.split('.')
            # each dotted name's last part is written literally by a scenario ('%s.%s.wall' % ...)
            assert ".%s'" % parts[-1] in source or "'%s'" % name in source, name


def test_targets_table_marks_missed_and_unmeasured():
    rows = [{'scenario': '1 floor', 'target': 't1', 'value': 1.2345, 'limit': 1.15, 'unit': 'x', 'met': False},
            {'scenario': '5 find', 'target': 't2', 'value': 1, 'limit': 2, 'unit': 'requests', 'met': True},
            {'scenario': '6 VCF', 'target': 't3', 'value': None, 'limit': 0.2, 'unit': 'x', 'met': None}]
    assert report.render_targets(rows).split('\n')[2:] == [
        '| 1 floor | t1 | 1.234 x | 1.15 x | **no** |',
        '| 5 find | t2 | 1 requests | 2 requests | yes |',
        '| 6 VCF | t3 | - x | 0.2 x | n/a |',
    ]


def test_missed_clause_names_the_scenarios_whose_target_was_not_met():
    def result(*mets):
        return {'targets': [{'scenario': '%d x' % (i + 1), 'met': met} for i, met in enumerate(mets)]}
    assert report.missed_clause(result(True, None)) == ''
    assert report.missed_clause({'targets': None}) == ''
    assert report.missed_clause(result(True, False)) == ', and why the target of scenario 2 is not met'
    assert report.missed_clause(result(False, True, False, False)) == ', and why the targets of scenarios 1 and 3 and 4 are not met'


def test_recorded_run_rebuilds_its_own_tables_and_targets(recorded):
    figs = stats.Figures.from_dict(recorded['figures'])
    assert figs.to_dict() == recorded['figures']
    assert stats.targets(figs) == recorded['targets']
    assert report.render_table(figs) == recorded['table_markdown']
    assert report.render_targets(stats.targets(figs)) == recorded['targets_markdown']


def test_performance_page_shows_the_section_of_the_recorded_run(recorded):
    with open(report.PAGE, encoding='utf-8') as handle:
        page = handle.read()
    section = report.page_section(recorded)
    assert section.startswith(report.PAGE_BEGIN + '\n') and section.endswith(report.PAGE_END + '\n')
    assert section in page
    assert page.startswith('.. _ansible_collections.cloudops.orchestrator.docsite.performance:\n')


def test_readme_keeps_a_summary_and_a_link_not_the_figures():
    with open(os.path.join(ROOT, 'README.md'), encoding='utf-8') as handle:
        readme = handle.read()
    performance = readme.split('\n## Performance\n', 1)[1].split('\n## ', 1)[0].strip()
    assert len(performance.split('\n')) <= 6
    assert '(docs/docsite/rst/performance.rst)' in performance
    assert '| figure |' not in readme and '<!-- performance' not in readme


def test_page_tables_are_rst_list_tables_that_parse_cleanly(recorded):
    docutils_core = pytest.importorskip('docutils.core')
    section = report.page_section(dict(recorded, notes=['`--quick` run', '- a note starting with a dash']))
    assert '| figure |' not in section and section.count('.. list-table::') == 2
    memory = [t for t in recorded['targets'] if t['scenario'] == '8 memory'][0]['value']
    assert memory < 0 and '    - \\-%.3f MiB\n' % -memory in section  # a cell starting with "-" is text, not a nested list
    assert '    - **no**\n' in section and '- ``--quick`` run' in section
    warnings = []

    class Stream:
        def write(self, text):
            warnings.append(text)

    html = docutils_core.publish_string(section, writer='html', settings_overrides={
        'warning_stream': Stream(), 'report_level': 2, 'halt_level': 5}).decode('utf-8')
    assert warnings == []
    assert html.count('<table') == 2 and '<strong>no</strong>' in html and '-%.3f MiB' % -memory in html
    assert html.count('<tr') == len(recorded['table_markdown'].split('\n')) - 1 + len(recorded['targets_markdown'].split('\n')) - 1


@pytest.mark.parametrize('cell, rst', [
    ('-', '\\-'), ('-1.5 x', '\\-1.5 x'), ('+3', '\\+3'), ('* x', '\\* x'), ('**no**', '**no**'), ('1. x', '\\1. x'),
    ('1.121 x', '1.121 x'), ('`make bench`', '``make bench``'), ('``already``', '``already``'), ('', ''),
])
def test_rst_inline_escapes_list_markers_and_turns_code_spans(cell, rst):
    assert report.rst_inline(cell) == rst


def test_update_page_replaces_the_section_or_appends_it(recorded, tmp_path):
    path = tmp_path / 'performance.rst'
    path.write_text('Title\n=====\n\nIntro.\n', encoding='utf-8')
    report.update_page(recorded, str(path))
    first = path.read_text(encoding='utf-8')
    assert first == 'Title\n=====\n\nIntro.\n\n' + report.page_section(recorded)
    path.write_text(first.replace(report.PAGE_END + '\n', report.PAGE_END + '\n\nAfter\n'), encoding='utf-8')
    changed = dict(recorded, notes=['a note of this run'])
    report.update_page(changed, str(path))
    second = path.read_text(encoding='utf-8')
    assert second == 'Title\n=====\n\nIntro.\n\n' + report.page_section(changed) + '\nAfter\n'
    assert second.count(report.PAGE_BEGIN) == 1 and '- a note of this run\n' in second


# ---------------------------------------------------------------------------------------------------------------
# runner.py, sim.py, run.py

def test_read_rss_takes_module_processes_only(tmp_path):
    log = tmp_path / 'x.rss'
    log.write_text('37288 0.61 /venv/bin/python /tmp/ansible-tmp-1/AnsiballZ_vro_execution_info.py\n'
                   '  39100 1.02 /venv/bin/python /tmp/ansible-tmp-2/AnsiballZ_uri.py\n'
                   'Command exited with non-zero status 1\n'
                   '20000 0.10 /venv/bin/python -c pass\n', encoding='utf-8')
    assert runner.read_rss(str(log)) == [('vro_execution_info', 37288), ('uri', 39100)]
    assert runner.read_rss(str(tmp_path / 'absent.rss')) == []
    assert runner.tail('a\nb\nc\n\n', 2) == 'b\nc'


def test_parse_time_reads_iso_and_epoch_milliseconds():
    assert sim.parse_time('2026-11-26T00:00:01.500Z') == pytest.approx(1795651201.5)
    assert sim.parse_time('2026-11-26T01:00:01.500+01:00') == pytest.approx(1795651201.5)
    assert sim.parse_time(1795651201500) == pytest.approx(1795651201.5)
    assert sim.parse_time(None) is None


def test_play_windows_and_requests():
    records = [{'task': 'setup', 'start': 0.0, 'end': 1.0, 'status': 'ok'},
               {'task': 'bench: POST', 'start': 1.0, 'end': 1.5, 'status': 'ok'},
               {'task': 'bench: until', 'start': 1.5, 'end': 4.0, 'status': 'ok'},
               {'task': 'warm: again', 'start': 4.0, 'end': 4.5, 'status': 'ok'}]
    log = [{'time': t, 'path': '/x'} for t in (0.5, 1.2, 2.0, 3.9, 4.2)]
    play = runner.Play('001-x', 0, records, {}, log, [], '')
    assert play.wall() == 3.0 and play.wall('warm') == 0.5
    assert play.requests() == 3 and play.requests('warm') == 1
    assert play.request_span() == pytest.approx((0.2, 2.7, 0.1))
    assert play.wall('none') is None and play.requests('none') is None and play.request_span('none') == (None, None, None)
    assert not play.failed()
    assert runner.Play('x', 0, records + [{'task': 'bench: y', 'start': 5, 'end': 6, 'status': 'failed'}], {}, log, [], '').failed()
    assert runner.Play('x', 2, records, {}, log, [], '').failed()


def test_command_line_defaults_quick_and_unknown_scenarios(capsys):
    full = run.parse_args([])
    assert (full.plan.reps, full.plan.reps_floor, full.plan.draws, full.plan.long_seconds, full.only) == (3, 15, 10, 60.0, list(run.SCENARIOS))
    assert list(run.SCENARIOS) == ['imports', 'floor', 'wait', 'long', 'batch', 'login', 'find', 'vcf']
    assert full.plan.batch_sizes == (10, 100, 1000) and full.login_latency == run.LOGIN_LATENCY
    quick = run.parse_args(['--quick', '--only', 'floor,wait'])
    assert (quick.plan.reps, quick.plan.draws, quick.plan.long_seconds, quick.only) == (1, 3, 60.0, ['floor', 'wait'])
    mine = run.parse_args(['--quick', '--reps', '4', '--draws', '6', '--seed', '3', '--batch-sizes', '5,50'])
    assert (mine.plan.reps, mine.plan.reps_floor, mine.plan.draws, mine.plan.seed, mine.plan.batch_sizes) == (4, 4, 6, 3, (5, 50))
    with pytest.raises(SystemExit):
        run.parse_args(['--only', 'floor,nope'])
    assert 'unknown scenario(s): nope' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run.parse_args(['--batch-sizes', 'ten'])
    assert '--batch-sizes: comma-separated whole numbers' in capsys.readouterr().err


def test_estimate_prints_the_plan_and_runs_nothing(capsys):
    assert run.main(['--estimate', '--quick']) == 0
    out = capsys.readouterr().out.split('\n')
    assert out[0].startswith('bench: estimate: ') and '(budget 5 min)' in out[0] and 'OVER BUDGET' not in out[0]
    assert out[1] == 'bench: wait durations (seed 16): %s s' % report.durations_text(plan.Plan(quick=True).wait_durations())


def _plays():
    found = {}
    folder = os.path.join(BENCH, 'playbooks')
    for name in sorted(os.listdir(folder)):
        if name.endswith('.yml'):
            with open(os.path.join(folder, name), encoding='utf-8') as handle:
                found[name] = yaml.safe_load(handle)
    return found


def test_every_contender_runs_in_the_same_play_framing():
    """One play per playbook, and the same play around the tasks in all of them (ours and uri alike): hosts, facts,
    vars and module_defaults; only the VCF pair shares its own (its uri tasks log in to SDDC Manager)."""
    plays = _plays()
    assert {'get_uri.yml', 'get_ours.yml', 'run_ours.yml', 'run_uri.yml', 'batch_ours.yml', 'batch_uri.yml'} <= set(plays)
    frames = {}
    for name, document in plays.items():
        assert isinstance(document, list) and len(document) == 1, name
        frame = {key: value for key, value in document[0].items() if key != 'tasks'}
        frames.setdefault('vcf' if name.startswith('vcf_') else 'vro', {})[name] = frame
        assert all(task['name'].startswith('bench: ') for task in document[0]['tasks']), name
    for group in frames.values():
        assert len({json.dumps(frame, sort_keys=True) for frame in group.values()}) == 1, sorted(group)
    assert frames['vro']['get_uri.yml']['gather_facts'] is False


def test_the_uri_baseline_in_the_readme_is_the_one_that_runs():
    """bench/README.md shows the uri baseline's tasks; they are the tasks of run_uri.yml, word for word."""
    with open(os.path.join(BENCH, 'README.md'), encoding='utf-8') as handle:
        readme = handle.read()
    shown = readme.split('<!-- baseline: begin -->', 1)[1].split('<!-- baseline: end -->', 1)[0]
    shown = shown.split('```yaml\n', 1)[1].split('```', 1)[0]
    assert yaml.safe_load(shown) == _plays()['run_uri.yml'][0]['tasks']
    assert 'until: polled.json.state' in shown and 'delay' in shown


def test_scenario_helpers_read_the_request_log():
    entry = {'method': 'GET', 'time': 3.0, 'path': '/vco/api/workflows/%s/executions/%s/' % (sim.SLEEP_ID, 'a' * 8 + '-1111-2222-3333-' + 'b' * 12)}
    log = [{'method': 'POST', 'time': 1.0, 'path': '/vco/api/workflows/%s/executions' % sim.SLEEP_ID},
           {'method': 'POST', 'time': 1.1, 'path': '/csp/gateway/am/api/login'}, {'method': 'POST', 'time': 1.2, 'path': '/iaas/api/login'},
           entry, dict(entry, time=4.5)]
    play = runner.Play('x', 0, [], {}, log, [], '')
    run_id = 'a' * 8 + '-1111-2222-3333-' + 'b' * 12
    assert scenarios._execution_ids(play) == [run_id]  # pylint: disable=protected-access
    assert scenarios._polls(play, run_id) == [3.0, 4.5]  # pylint: disable=protected-access
    assert scenarios._logins(play) == 1  # pylint: disable=protected-access


def test_the_imports_scenario_sees_the_files_of_the_product_packages():
    names = scenarios.module_utils_names()
    assert {'_client', '_module', '_vro.api', '_vro.model', '_vro.decode', '_vro.encode', '_vcf.api', '_ico.api'} <= set(names)
    assert not [n for n in names if n.endswith('__init__')]


def test_the_gap_target_follows_the_modules_default_poll_interval_max():
    waiter = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'plugins', 'module_utils', '_waiter.py')
    with open(waiter, encoding='utf-8') as handle:
        default = re.search(r'^INTERVAL_MAX = ([0-9.]+)$', handle.read(), re.M)
    assert default, 'INTERVAL_MAX not found in _waiter.py'
    assert stats.POLL_INTERVAL_MAX == float(default.group(1))
    rows = [row for row in stats.targets(stats.Figures()) if 'longest gap' in row['target']]
    assert [row['limit'] for row in rows] == [stats.POLL_INTERVAL_MAX + stats.GAP_SLACK]


def test_wait_figures_split_the_overhead_into_lag_and_the_rest():
    """The overhead of a wait less its detection lag: what start-up and requests cost, apart from the poll schedule."""
    run_id = 'a' * 8 + '-1111-2222-3333-' + 'b' * 12

    class FakeSim:  # pylint: disable=too-few-public-methods
        def execution(self, workflow_id, execution_id):
            assert (workflow_id, execution_id) == (sim.SLEEP_ID, run_id)
            return {'end-date': '2026-01-01T00:00:12.000Z'}

    path = '/vco/api/workflows/%s/executions/%s/' % (sim.SLEEP_ID, run_id)
    end = sim.parse_time('2026-01-01T00:00:12.000Z')
    log = [{'method': 'POST', 'time': end - 10.0, 'path': '/vco/api/workflows/%s/executions' % sim.SLEEP_ID}] + [
        {'method': 'GET', 'time': end + delta, 'path': path} for delta in (-5.0, -1.0, 0.75)]
    records = [{'task': 'bench: run', 'start': end - 10.5, 'end': end + 1.0, 'status': 'ok'}]
    play = runner.Play('001-ours', 0, records, {}, log, [], '', sim=FakeSim(), process_wall=12.5)
    base = runner.Play('002-base', 0, [{'task': 'bench: get', 'start': 0.0, 'end': 0.25, 'status': 'ok'}], {}, [], [], '',
                       process_wall=1.0)

    class Ctx:  # pylint: disable=too-few-public-methods
        figures = stats.Figures()

    assert scenarios._wait_figures(Ctx, 'wait', 'ours', play, 10.0, base) is None  # pylint: disable=protected-access
    figs = Ctx.figures
    assert figs.values['wait.ours.overhead'] == [pytest.approx(1.5)]  # 12.5 - 10 - 1
    assert figs.values['wait.ours.lag'] == [pytest.approx(0.75)]
    assert figs.values['wait.ours.fixed_overhead'] == [pytest.approx(0.75)]  # 1.5 less the lag
    # without a base playbook there is no overhead beyond it, so no split either
    alone = Ctx.figures = stats.Figures()
    scenarios._wait_figures(Ctx, 'long', 'ours', play, 10.0)  # pylint: disable=protected-access
    assert 'long.ours.fixed_overhead' not in alone.values and alone.values['long.ours.lag'] == [pytest.approx(0.75)]
