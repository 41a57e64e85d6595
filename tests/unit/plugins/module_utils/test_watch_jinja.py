# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The events of the EDA sources are made inert for Jinja (``_watch.jinja_inert``): ansible-rulebook's run_playbook
writes the event into the runner's extra vars file with ``yaml.dump`` and ansible-playbook templates those (loaded
from the file as trusted, ``-e @file``), so a run name or error text the server holds would run as a template on the
EDA controller. Each round trip here goes the same way: ``yaml.dump``, ansible's loader of extra vars files, then
ansible's Templar."""

from __future__ import annotations

import asyncio
import os

import pytest
import yaml

from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from ansible_collections.cloudops.orchestrator.plugins.module_utils import _watch
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.test_watch import Flaky, Queue, _logger

TEXTS = [
    '{{ x }}',
    "Workflow failed: {{ lookup('env', 'HOME') }} and {% if true %}yes{% endif %} {# note #}\n",
    "{{ '{' }}",  # the escape itself, as the server's text
    '{{{x',
    'end {{\n\n',  # not even a valid template: must not break the playbook either
    '{%- raw %}{{ y }}{% endraw -%}',
    '}} {  } { x } %} #}',
    "#jinja2:variable_start_string:'[[', variable_end_string:']]'\n[[ x ]] {{ x }}",
    '#jinja2 is just text here',
    'plain text, no template\n',
    '',
    'ünïcode {{ x }} ✓',
]


def extra_vars(tmp_path, data):
    """``data`` as ansible-playbook sees the extra vars file ansible-rulebook wrote for it."""
    path = tmp_path / 'extravars'
    path.write_text(yaml.dump(data), encoding='utf-8')
    return DataLoader().load_from_file(str(path), trusted_as_template=True)


def render(value, **variables):
    return Templar(loader=DataLoader(), variables=dict(x='XX', y='YY', **variables)).template(value)


@pytest.mark.parametrize('text', TEXTS)
def test_an_escaped_text_renders_back_to_the_servers_text(tmp_path, text):
    loaded = extra_vars(tmp_path, {'v': _watch.jinja_inert(text)})
    assert render(loaded['v']) == text


def test_an_escaped_text_changes_only_when_it_holds_a_delimiter_or_header():
    assert _watch.jinja_inert('{{ x }}') == "{{ '{' }}{ x }}"
    assert _watch.jinja_inert("{{ '{' }}") == "{{ '{' }}{ '{' }}"
    assert _watch.jinja_inert('a {% b %} {# c #}') == "a {{ '{' }}% b %} {{ '{' }}# c #}"
    assert _watch.jinja_inert("#jinja2:trim_blocks: False\nx") == "{{ '#' }}jinja2:trim_blocks: False\nx"
    for text in ('}} { x } %}', '#jinja2 is just text here', 'a #jinja2:x\n', 'plain', ''):
        assert _watch.jinja_inert(text) == text


def test_a_call_in_the_servers_text_never_runs(tmp_path):
    """A callable stands for a lookup (the unit tests load no plugins): the integration tests run the real pipe lookup."""
    calls = []

    def hit():
        calls.append(1)
        return 'ran'
    payload = '{{ hit() }}'
    header = "#jinja2:variable_start_string:'[[', variable_end_string:']]'\n[[ hit() ]]"
    # The harness templates for real: unescaped, both texts run.
    for text in (payload, header):
        assert render(extra_vars(tmp_path, {'v': text})['v'], hit=hit) == 'ran'
    assert len(calls) == 2
    for text in (payload, header):
        assert render(extra_vars(tmp_path, {'v': _watch.jinja_inert(text)})['v'], hit=hit) == text
    assert len(calls) == 2


def test_nested_events_keys_and_non_strings(tmp_path):
    event = {
        'state': 'failed',
        'vro_execution': {
            'name': 'run {{ x }}',
            'content_exception': '{% raw %}boom',
            'inputs': {'{{ y }}': ['a {{ x }}', 2, 2.5, True, None, {'deep': '{#'}], 'count': 3},
            'ok': False,
        },
        'ids': ('7a5e-{{', 'plain'),
    }
    escaped = _watch.jinja_inert(event)
    assert escaped['state'] == 'failed' and escaped['vro_execution']['ok'] is False
    inputs = escaped['vro_execution']['inputs']
    assert list(inputs) == ["{{ '{' }}{ y }}", 'count'] and inputs['count'] == 3
    assert inputs["{{ '{' }}{ y }}"][1:5] == [2, 2.5, True, None]
    assert escaped['ids'] == ["7a5e-{{ '{' }}{", 'plain']
    assert event['vro_execution']['name'] == 'run {{ x }}'  # the event given is not changed

    loaded = extra_vars(tmp_path, escaped)
    # Values render back to the server's text at any depth.
    assert render(loaded['vro_execution']['name']) == 'run {{ x }}'
    assert render(loaded['vro_execution']['content_exception']) == '{% raw %}boom'
    assert render(loaded['ids'][0]) == '7a5e-{{'
    rendered_inputs = render(loaded['vro_execution']['inputs'])
    assert rendered_inputs["{{ '{' }}{ y }}"][0] == 'a {{ x }}' and rendered_inputs["{{ '{' }}{ y }}"][5] == {'deep': '{#'}
    # ansible-core does not template dict keys; a key still shows the escape, and renders back when a template
    # puts it in a text (as ansible-rulebook does with "{{ event.vro_execution.inputs }}" inside a string).
    assert render(trust_as_template("{{ '{' }}{ y }}")) == '{{ y }}'


def test_run_source_escapes_each_event_unless_told_not_to(tmp_path, monkeypatch):
    async def sleep(seconds):
        return None
    monkeypatch.setattr(_watch.asyncio, 'sleep', sleep)
    log = _logger()[0]
    event = {'status': 'FAILED', 'vcf_task': {'id': 'a1', 'name': "{{ lookup('pipe', 'id') }}"}}
    queue = Queue()
    store = _watch.StateFile(str(tmp_path / 'state.json'))
    asyncio.run(_watch.run_source(queue, Flaky([[event]]), store, 1.0, 'src', log, polls=1))
    assert queue.events == [{'status': 'FAILED', 'vcf_task': {'id': 'a1', 'name': "{{ '{' }}{ lookup('pipe', 'id') }}"}}]
    assert store.load()['n'] == 1
    queue = Queue()
    asyncio.run(_watch.run_source(queue, Flaky([[event]]), _watch.StateFile(str(tmp_path / 'other.json')), 1.0, 'src',
                                  log, polls=1, escape=False))
    assert queue.events == [event]


def test_serve_reads_escape_jinja_and_warns_when_it_is_off(tmp_path, monkeypatch):
    seen = []

    async def run_source(*args, **kwargs):
        seen.append(kwargs['escape'])
    monkeypatch.setattr(_watch, 'run_source', run_source)
    log, records = _logger()
    for value in (None, 'false', True):
        args = {'state_file': str(tmp_path / 's.json'), 'interval': 5}
        if value is not None:
            args['escape_jinja'] = value
        asyncio.run(_watch.serve(Queue(), args, 'vcf_tasks', Flaky([]), [], {}, log))
    assert seen == [True, False, True]
    assert len(records.lines) == 1 and 'escape_jinja is false' in records.lines[0]
    with pytest.raises(_watch.SourceError, match='escape_jinja must be true or false'):
        asyncio.run(_watch.serve(Queue(), {'escape_jinja': 'maybe'}, 'vcf_tasks', Flaky([]), [], {}, log))
    assert not os.path.exists(str(tmp_path / 's.json'))
