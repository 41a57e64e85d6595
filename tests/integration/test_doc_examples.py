# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every documented playbook that targets the simulator's catalogue runs, normally and with --check (issue 14 item 1).

Sources: README.md's "A first playbook", every YAML block of the getting-started guide, and the EXAMPLES block of
every vRO module. A module's EXAMPLES mix plays and tasks against made-up workflows: a task is kept when each
workflow it names by name is in the simulator's catalogue, it names no literal workflow or run id, and every variable
it reads was registered by a kept task (or is one of the vault_* values given here). The connection comes from the
environment, so ``module_defaults`` pointing at vro.example.com are dropped. All blocks run in one playbook per mode.
"""

from __future__ import annotations

import ast
import re

import pytest
import yaml

from _harness import REPO_ROOT, run_playbook

CATALOGUE = {'AWSNEW', 'Echo typed inputs', 'Sleep', 'Always fail', 'Request approval'}
VAULT = {'vault_vro_password': 'unused', 'vro_password': 'unused', 'vault_secret': 'Ex4mple-s3cret'}
ID_KEYS = ('workflow_id', 'execution_id', 'execution_url', 'task_id', 'id')
JINJA_ROOT = re.compile(r'{{\s*([A-Za-z_][A-Za-z0-9_]*)')
BARE_ROOT = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)')
# Names a template may read without a registering task (filters, lookups and magic variables).
KNOWN = {'lookup', 'query', 'ansible_check_mode', 'item', 'omit', 'playbook_dir'} | set(VAULT)
# Connection options an example names in a task; dropped like module_defaults (the environment gives the simulator's).
CONNECTION_KEYS = ('url', 'username', 'password', 'auth', 'token', 'validate_certs', 'ca_path')
CHANGING = ('POST', 'PUT', 'PATCH', 'DELETE')
LOGIN_ROUTES = ('POST /csp/gateway/am/api/login', 'POST /iaas/api/login', 'POST /csp/gateway/am/api/auth/api-tokens/authorize')


def readme_blocks():
    text = (REPO_ROOT / 'README.md').read_text(encoding='utf-8')
    section = text.split('## A first playbook', 1)[1].split('\n## ', 1)[0]
    return [yaml.safe_load(block) for block in re.findall(r'```yaml\n(.*?)```', section, re.S)]


def rst_blocks(path):
    blocks = []
    lines = path.read_text(encoding='utf-8').splitlines()
    for index, line in enumerate(lines):
        if line.strip() == '.. code-block:: yaml':
            body = []
            for following in lines[index + 1:]:
                if following.strip() and not following.startswith('    '):
                    break
                body.append(following[4:])
            blocks.append(yaml.safe_load('\n'.join(body)))
    return blocks


def module_examples(name):
    tree = ast.parse((REPO_ROOT / 'plugins' / 'modules' / (name + '.py')).read_text(encoding='utf-8'))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', None) == 'EXAMPLES':
            return yaml.safe_load(node.value.value)
    return []


def _strings(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _args(task):
    return next((v for k, v in task.items() if k.startswith('cloudops.orchestrator.')), None)


def keep_task(task, registered):
    reads = set(m for s in _strings(task) for m in JINJA_ROOT.findall(s))
    # Bare expressions: when/until and debug's var.
    bare = [task.get('when'), task.get('until'), (task.get('ansible.builtin.debug') or {}).get('var')]
    reads |= set(m.group(1) for s in bare if isinstance(s, str) for m in [BARE_ROOT.match(s)] if m)
    if reads - registered - KNOWN:
        return False
    args = _args(task)
    if args is None:
        return True
    if any(isinstance(args.get(k), str) and '{{' not in args[k] for k in ID_KEYS):
        return False
    names = [args['workflow_name']] if 'workflow_name' in args else []
    if names:
        return all(n in CATALOGUE for n in names)
    return bool(reads & registered)


def for_simulator(task):
    """``task`` without the connection it names (module_defaults, or the connection options in its arguments): the
    environment gives the simulator's."""
    task = dict(task)
    task.pop('module_defaults', None)
    name = next((k for k in task if k.startswith('cloudops.orchestrator.')), None)
    if name and isinstance(task[name], dict):
        task[name] = dict((k, v) for k, v in task[name].items() if k not in CONNECTION_KEYS)
    return task


def kept_tasks(tasks, registered):
    kept = []
    for task in tasks:
        if 'block' in task:
            block = dict(for_simulator(task), block=kept_tasks(task['block'], registered))
            if block['block']:
                kept.append(block)
        elif keep_task(task, registered):
            kept.append(for_simulator(task))
            if 'register' in task:
                registered.add(task['register'])
    return kept


def simulator_play(play):
    play = dict(play)
    play.pop('module_defaults', None)
    play['hosts'] = 'localhost'
    play['gather_facts'] = False
    play['tasks'] = kept_tasks(play.get('tasks', []), set())
    return play


def documented_plays():
    """``[(source, play)]``: every kept block as a play."""
    plays = []
    sources = [('README.md', readme_blocks()), ('getting_started.rst',
                                                rst_blocks(REPO_ROOT / 'docs' / 'docsite' / 'rst' / 'getting_started.rst'))]
    modules = sorted(p.stem for p in (REPO_ROOT / 'plugins' / 'modules').glob('vro_*.py'))
    sources += [(m, module_examples(m)) for m in modules]
    for source, blocks in sources:
        loose = []
        for block in blocks:
            items = block if isinstance(block, list) else [block]
            for item in items:
                if isinstance(item, dict) and 'hosts' in item:
                    plays.append((source, simulator_play(item)))
                elif isinstance(item, dict) and 'name' in item and 'collections' not in item:
                    loose.append(item)
                # else: not a task (e.g. the install guide's requirements.yml)
        if loose:
            plays.append((source, simulator_play({'name': '%s examples' % source, 'tasks': loose})))
    return [(s, p) for s, p in plays if p['tasks']]


def test_the_extraction_finds_the_documented_playbooks():
    plays = documented_plays()
    tasks = dict((t['name'], s) for s, p in plays for t in p['tasks'])
    # README: both runs, the output and the pick-up of the second run; the guide: the play and the role.
    for name in ('Provision a VM with the AWSNEW workflow', 'Show what the workflow returned',
                 'Start a second run without waiting', 'Do other work here, then wait for that run to complete',
                 'Use the decoded output', 'Run AWSNEW', "One input of every type (the simulator's Echo typed inputs workflow)",
                 'Preview the request without starting anything', 'A run that asks for approval - return while it waits',
                 # The examples that name their connection in the task (url, username, password) run too.
                 'Save the schema image next to the playbook, readable by the team',
                 'Approve it and wait until the run has completed'):
        assert name in tasks, name
    assert 'A password passed as a secret input (never logged, masked in every result)' not in tasks


@pytest.mark.parametrize('check', [False, True], ids=['run', 'check'])
def test_every_documented_playbook_runs(fresh_simulator, tmp_path, check):
    sim = fresh_simulator
    plays = documented_plays()
    playbook = tmp_path / 'documented.yml'
    playbook.write_text(yaml.safe_dump([p for s, p in plays], sort_keys=False), encoding='utf-8')
    res = run_playbook(playbook, env=sim.env('vro'), extra_vars=dict(VAULT), check=check)
    assert res.failed_results() == []
    names = [t['name'] for s, p in plays for t in p['tasks']]
    ran = [r['task'] for r in res.results if r['status'] == 'ok']
    assert [n for n in names if n not in ran] == []
    picked = res.result('Do other work here, then wait for that run to complete')
    started = res.result('Start a second run without waiting')
    assert picked['execution_id'] == started['execution_id']
    assert set(res.result('Use the decoded output')['msg'].split()) >= {'instance', 'after', 's'}
    answered = res.result('Approve it and wait until the run has completed')
    schema = res.result('Save the schema image next to the playbook, readable by the team')
    assert schema['dest'] == str(tmp_path / 'approval-schema.png') and schema['changed'] is True
    aws = res.result('Provision a VM with the AWSNEW workflow')
    assert list(aws['outputs']) == ['instanceId']
    if check:
        assert aws['state'] is None and aws['execution_id'] == 'check-mode-not-started'
        # The run was not started: vro_interaction takes its placeholder, as vro_execution_info does.
        assert answered['changed'] is True and answered['state'] == 'waiting' and 'would be answered' in answered['msg']
        assert not (tmp_path / 'approval-schema.png').exists()
        assert picked['state'] is None and picked['outputs'] == {'instanceId': ''}
        routes = sim.counters().get('routes', {})
        assert {r: n for r, n in routes.items() if r.split(' ', 1)[0] in CHANGING and n
                and r.rstrip('/') not in LOGIN_ROUTES} == {}
    else:
        assert aws['state'] == 'completed' and aws['outputs']['instanceId'].startswith('i-')
        assert picked['state'] == 'completed'
        assert answered['state'] == 'completed' and answered['outputs'] == {'approved': True, 'comment': 'go ahead'}
        assert (tmp_path / 'approval-schema.png').stat().st_size == schema['size'] and schema['mode'] == '0644'
        assert res.result("One input of every type (the simulator's Echo typed inputs workflow)")['outputs']['out_num'] == 3
