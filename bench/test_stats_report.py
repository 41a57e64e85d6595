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

import pytest

import report
import run
import runner
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
    assert figs.summary('floor.ours.wall') == {'unit': 's', 'median': 0.3, 'min': 0.1235, 'max': 0.5, 'n': 4,
                                               'values': [0.1235, 0.5, 0.2, 0.4]}
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


def test_targets_met_missed_and_not_measured():
    figs = figures(floor__ours__wall=('s', [0.5]), floor__uri__wall=('s', [0.4]),
                   wait__2__ours__overhead=('s', [0.7]), wait__2__uri__overhead=('s', [1.0]),
                   long__ours__requests=('requests', [20, 26, 22]), long__ours__noticed=('s', [0.1, 4.9]),
                   find__running__wall=('s', [0.5]), find__all_ours__wall=('s', [20.0]), find__all_uri__wall=('s', [10.0]))
    rows = {(row['scenario'], row['target']): row for row in stats.targets(figs)}
    assert len(rows) == 12
    floor = rows[('1 floor', 'vro_execution_info / uri wall time (first task of a play)')]
    assert floor['value'] == 1.25 and floor['limit'] == 1.15 and floor['unit'] == 'x' and floor['met'] is False
    beyond = rows[('2 wait 2 s', 'our overhead beyond the floor: median wall - 2 s - median floor')]
    assert beyond['value'] == 0.2 and beyond['met'] is True
    assert rows[('2 wait 2 s', '... / uri overhead (median wall - 2 s)')]['value'] == 0.2
    worst = rows[('3 wait 60 s', 'requests, worst repetition')]
    assert worst['value'] == 26 and worst['met'] is False  # the worst repetition, not the median
    assert rows[('3 wait 60 s', 'end noticed within poll_interval_max (5 s), worst repetition')]['met'] is True
    # the fastest way of listing every run is the reference
    assert rows[('5 find', 'state=running / fastest way of listing every run')]['value'] == 0.05
    for key in (('6 VCF', 'vcf_task_retry / uri PATCH + until loops'), ('4 fan-out', 'batch task / best uri pattern (b)'),
                ('2 wait 2 s', 'our overhead beyond the floor: first -> last request - 2 s')):
        assert rows[key]['value'] is None and rows[key]['met'] is None


# ---------------------------------------------------------------------------------------------------------------
# report.py

@pytest.mark.parametrize('summary, cell', [
    (None, '-'),
    ({'unit': 's', 'median': 0.41234, 'min': 0.4, 'max': 0.5}, '0.412 (0.400-0.500)'),
    ({'unit': 'MiB', 'median': 36.44, 'min': 36.0, 'max': 37.06}, '36.4 (36.0-37.1)'),
    ({'unit': 'requests', 'median': 23, 'min': 23, 'max': 23}, '23'),
    ({'unit': 'requests', 'median': 23, 'min': 22, 'max': 25}, '23 (22-25)'),
    ({'unit': 'x', 'median': 1.5, 'min': 1, 'max': 2}, '1.5'),
])
def test_cell_format_per_unit(summary, cell):
    assert report.fmt(summary) == cell


def test_table_shows_a_heading_only_above_measured_rows_and_imports_in_ms():
    figs = figures(floor__ours__wall=('s', [0.5, 0.6, 0.7]), floor__uri__wall=('s', [0.5]),
                   vcf__ours__requests=('requests', [30]),
                   imports___client=('s', [0.002, 0.003, 0.004]))
    lines = report.render_table(figs).split('\n')
    assert lines[:2] == ['| figure | ours: median (min-max) | baseline: median (min-max) | ratio |', '|---|---|---|---|']
    assert lines[2:] == [
        '| **Scenario 1: the floor (one GET)** | | | |',
        '| wall, first task of a play | 0.600 (0.500-0.700) | 0.500 (0.500-0.500) | 1.20 |',
        '| **Scenario 6: VCF, retry 20 failed tasks and wait** | | | |',
        '| HTTP requests | 30 | - | - |',
        '| **Import time after ansible.module_utils.basic, fresh interpreter (ms)** | | | |',
        '| _client | 3.0 (2.0-4.0) | | |',
    ]
    assert report.render_table(stats.Figures()).count('\n') == 1  # the header alone


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
    assert '    - \\-1.758 MiB\n' in section  # a cell starting with "-" is text, not a nested list
    assert '    - **no**\n' in section and '- ``--quick`` run' in section
    warnings = []

    class Stream:
        def write(self, text):
            warnings.append(text)

    html = docutils_core.publish_string(section, writer='html', settings_overrides={
        'warning_stream': Stream(), 'report_level': 2, 'halt_level': 5}).decode('utf-8')
    assert warnings == []
    assert html.count('<table') == 2 and '<strong>no</strong>' in html and '-1.758 MiB' in html
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
    assert (full.reps, full.long_seconds, full.fanout_runs, full.only) == (5, 60.0, 50, list(run.SCENARIOS))
    assert list(run.SCENARIOS) == ['imports', 'floor', 'wait', 'long', 'fanout', 'find', 'vcf']
    quick = run.parse_args(['--quick', '--only', 'floor,wait'])
    assert (quick.reps, quick.long_seconds, quick.fanout_runs, quick.only) == (2, 20.0, 10, ['floor', 'wait'])
    assert run.parse_args(['--quick', '--long-seconds', '30', '--reps', '3']).long_seconds == 30.0
    with pytest.raises(SystemExit):
        run.parse_args(['--only', 'floor,nope'])
    assert 'unknown scenario(s): nope' in capsys.readouterr().err


def test_the_imports_scenario_sees_the_files_of_the_product_packages():
    import scenarios  # pylint: disable=import-outside-toplevel
    names = scenarios.module_utils_names()
    assert {'_client', '_module', '_vro.api', '_vro.model', '_vro.decode', '_vro.encode', '_vcf.api', '_ico.api'} <= set(names)
    assert not [n for n in names if n.endswith('__init__')]
