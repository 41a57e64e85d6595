# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Server text in an event never runs as a template in the playbook of a rulebook action. ansible-rulebook's
run_playbook writes the event into the runner's extra vars, which ansible-playbook templates: a task name, a run's
error text or inputs that any user of the server can choose holding ``{{ lookup('ansible.builtin.pipe', ...) }}``
(or a ``#jinja2:`` header that sets other delimiters) would run a command on the EDA host. The real ansible-rulebook
runs the shipped VCF rulebook and playbook, and vRO and ICO rulebooks whose playbook writes what it sees: no marker file is
ever created, and the playbook sees the server's exact text.

Outcomes are polled for with a generous deadline; nothing asserts a duration.
"""

from __future__ import annotations

import json
import os

import requests

from _harness import REPO_ROOT
from test_eda import RULEBOOKS, Rulebook, attempts, eventually, new_failed_task, workdir  # noqa: F401  pylint: disable=unused-import

TEST_RULEBOOKS = REPO_ROOT / 'tests' / 'integration' / 'rulebooks'
ECHO_ID = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'


def pipe(marker):
    """A template that creates ``marker`` when it runs."""
    return "{{ lookup('ansible.builtin.pipe', 'touch %s') }}" % marker


def header(marker):
    """The same with other delimiters, set by a ``#jinja2:`` header (no ``{`` at all)."""
    return "#jinja2:variable_start_string:'[[', variable_end_string:']]'\n[[ lookup('ansible.builtin.pipe', 'touch %s') ]]" % marker


def markers(workdir):  # noqa: F811
    return sorted(name for name in os.listdir(workdir) if name.startswith('pwned'))


def test_vcf_task_names_reach_the_shipped_retry_playbook_as_text(fresh_simulator, workdir):  # noqa: F811
    sim = fresh_simulator
    state_file = os.path.join(workdir, 'state', 'vcf.json')
    names = {'pipe': 'Remediate %s now' % pipe(os.path.join(workdir, 'pwned-name')),
             'header': header(os.path.join(workdir, 'pwned-header'))}
    rulebook = Rulebook(str(RULEBOOKS / 'vcf_retry_failed_tasks.yml'), sim.env('vcf'),
                        {'vcf_interval': 1, 'vcf_state_file': state_file}, workdir).start()
    try:
        eventually('the first poll (state file written)', lambda: os.path.exists(state_file), rulebook=rulebook)
        ids = dict((key, new_failed_task(sim, name)) for key, name in names.items())
        for key, task_id in ids.items():
            eventually('the retry of the %s task' % key, lambda task_id=task_id: attempts(sim, task_id)['retry_requests'] >= 1,
                       rulebook=rulebook)
        eventually('both playbook runs to end', lambda: rulebook.text().count('PLAY RECAP') >= 2, rulebook=rulebook)
    finally:
        rulebook.stop()
    output = rulebook.text()
    assert markers(workdir) == [], output[-3000:]
    # The playbook's "Say what was done" line quotes the task name exactly as the server has it.
    assert 'task %s (%s): ' % (ids['pipe'], names['pipe']) in output, output[-3000:]
    assert 'task %s (%s): ' % (ids['header'], json.dumps(names['header'])[1:-1]) in output, output[-3000:]
    assert "{{ '{' }}" not in output and "{{ '#' }}" not in output
    assert all(attempts(sim, task_id)['retry_requests'] == 1 for task_id in ids.values())


def start_echo(sim, parameters):
    name, entry = sim.user('vro')
    answer = requests.post('%s/vco/api/workflows/%s/executions' % (sim.url, ECHO_ID), json={'parameters': parameters},
                           auth=(name, entry['password']), verify=sim.verify, timeout=30,
                           headers={'Accept': 'application/json'})
    assert answer.status_code in (201, 202), answer.text
    data = answer.json() if answer.content else {}
    return data.get('id') or answer.headers['Location'].rstrip('/').rsplit('/', 1)[-1]


def test_vro_error_text_and_inputs_reach_a_playbook_as_text(fresh_simulator, workdir):  # noqa: F811
    sim = fresh_simulator
    state_file = os.path.join(workdir, 'state', 'vro.json')
    seen_file = os.path.join(workdir, 'seen.json')
    texts = {
        'error': 'Scriptable task failed: %s' % pipe(os.path.join(workdir, 'pwned-error')),
        'str': header(os.path.join(workdir, 'pwned-input-header')),
        'tag': pipe(os.path.join(workdir, 'pwned-input-array')),
        # A Properties key is the run user's text too; a playbook sees it when ansible-rulebook renders it into a string.
        'key': pipe(os.path.join(workdir, 'pwned-key')),
        'value': '{%% if true %%}%s{%% endif %%}' % pipe(os.path.join(workdir, 'pwned-value')),
    }
    parameters = [
        {'name': 'str', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': texts['str']}}},
        {'name': 'tags', 'type': 'Array/string', 'scope': 'local',
         'value': {'array': {'elements': [{'string': {'value': texts['tag']}}]}}},
        {'name': 'props', 'type': 'Properties', 'scope': 'local',
         'value': {'properties': {'property': [{'key': texts['key'], 'value': {'string': {'value': texts['value']}}}]}}},
    ]
    rulebook = Rulebook(str(TEST_RULEBOOKS / 'vro_failed_event_text.yml'), sim.env('vro'),
                        {'vro_workflow_ids': [ECHO_ID], 'vro_state_file': state_file, 'eda_seen_file': seen_file,
                         'eda_playbook': str(TEST_RULEBOOKS / 'playbooks' / 'write_event.yml')}, workdir).start()
    try:
        eventually('the first poll (state file written)', lambda: os.path.exists(state_file), rulebook=rulebook)
        run_id = start_echo(sim, parameters)
        sim.admin('POST', 'vro/executions/%s/outcome' % run_id, json={'state': 'failed', 'exception': texts['error']})
        eventually('the playbook run to end', lambda: 'PLAY RECAP' in rulebook.text(), rulebook=rulebook)
    finally:
        rulebook.stop()
    output = rulebook.text()
    assert markers(workdir) == [], output[-3000:]
    assert 'EDA-SEEN-ERROR %s EDA-SEEN-END' % texts['error'] in output, output[-3000:]
    seen = json.load(open(seen_file))
    event = seen['event']
    assert event['error'] == texts['error'] and event['vro_execution']['content_exception'] == texts['error']
    assert event['vro_execution']['execution_id'] == run_id and event['state'] == 'failed'
    inputs = event['vro_execution']['inputs']
    assert inputs['str'] == texts['str'] and inputs['tags'] == [texts['tag']]
    # ansible-core does not template dict keys: the playbook sees the key escaped, its value exact.
    assert inputs['props'] == {texts['key'].replace('{{', "{{ '{' }}{", 1): texts['value']}
    # The text ansible-rulebook rendered from the inputs (keys included) renders back to the server's text.
    assert texts['key'] in seen['summary'] and texts['value'] in seen['summary'] and texts['str'].replace('\n', '\\n') in seen['summary']
    assert "{{ '{' }}" not in seen['summary']


def test_ico_error_message_reaches_a_playbook_as_text(fresh_simulator, workdir):  # noqa: F811
    sim = fresh_simulator
    state_file = os.path.join(workdir, 'state', 'ico.json')
    seen_file = os.path.join(workdir, 'seen.json')
    message = 'CTJCO0003E: %s' % pipe(os.path.join(workdir, 'pwned-ico'))
    rulebook = Rulebook(str(TEST_RULEBOOKS / 'ico_failed_event_text.yml'), sim.env('ico'),
                        {'ico_projects': ['finance'], 'ico_state_file': state_file, 'eda_seen_file': seen_file,
                         'eda_playbook': str(TEST_RULEBOOKS / 'playbooks' / 'write_event.yml')}, workdir).start()
    try:
        eventually('the first poll (state file written)', lambda: os.path.exists(state_file), rulebook=rulebook)
        # 1006 (finance) is RUNNING: made FAILED with the text, it is one event.
        sim.admin('POST', 'ico/tasks/1006/status', json={'status': 'FAILED', 'error_message': message})
        eventually('the playbook run to end', lambda: 'PLAY RECAP' in rulebook.text(), rulebook=rulebook)
    finally:
        rulebook.stop()
    output = rulebook.text()
    assert markers(workdir) == [], output[-3000:]
    assert 'EDA-SEEN-ERROR %s EDA-SEEN-END' % message in output, output[-3000:]
    seen = json.load(open(seen_file))
    assert seen['event']['ico_task']['error_message'] == message and seen['event']['status'] == 'FAILED'
    assert message in seen['summary'] and "{{ '{' }}" not in seen['summary']
