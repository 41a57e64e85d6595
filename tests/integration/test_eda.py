# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The example rulebooks of extensions/eda run by ansible-rulebook (``make eda`` installs it into .venv-eda) against the
simulator: a task the simulator makes fail is retried exactly once, a failed vRO run gets its report, and a restart of
the source in the middle emits nothing twice.

Outcomes are polled for with a generous deadline; nothing asserts a duration.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import tempfile
import time

import pytest

from _harness import PLAYBOOK_COLLECTIONS, REPO_ROOT, _clean_environ

EDA_BIN = REPO_ROOT / '.venv-eda' / 'bin'
RULEBOOKS = REPO_ROOT / 'extensions' / 'eda' / 'rulebooks'
# Generous: ansible-rulebook starts a JVM, and each action runs ansible-playbook.
DEADLINE = float(os.environ.get('CLOUDOPS_EDA_DEADLINE', '240'))


def eventually(what, check, deadline=DEADLINE, rulebook=None):
    """Poll ``check()`` until it returns something true; fail naming ``what`` (and the rulebook output) at the deadline."""
    end = time.monotonic() + deadline
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            pytest.fail('%s did not happen within %ss%s' % (what, deadline, rulebook.describe() if rulebook else ''))
        if rulebook is not None and rulebook.proc.poll() is not None:
            pytest.fail('ansible-rulebook ended (rc %s) before %s%s' % (rulebook.proc.returncode, what, rulebook.describe()))
        time.sleep(0.5)


class Rulebook:
    """One ansible-rulebook process running a rulebook of extensions/eda against the simulator."""

    def __init__(self, rulebook, env, variables, workdir):
        if not (EDA_BIN / 'ansible-rulebook').exists():
            pytest.fail('ansible-rulebook is not installed in .venv-eda: run `make eda` (make integration does)')
        self.workdir = workdir
        self.rulebook = rulebook
        self.env = dict(_clean_environ(), **env)
        self.env.update(ANSIBLE_COLLECTIONS_PATH=str(PLAYBOOK_COLLECTIONS), PATH='%s:%s' % (EDA_BIN, os.environ['PATH']),
                        HOME=workdir, ANSIBLE_LOCAL_TEMP=os.path.join(workdir, 'tmp'), ANSIBLE_NOCOLOR='1')
        self.vars_file = os.path.join(workdir, 'vars.json')
        with open(self.vars_file, 'w') as out:
            json.dump(variables, out)
        self.inventory = os.path.join(workdir, 'inventory.ini')
        with open(self.inventory, 'w') as out:
            out.write('localhost ansible_connection=local ansible_python_interpreter=%s\n' % (EDA_BIN / 'python'))
        self.proc = None
        self.runs = 0

    def start(self):
        self.runs += 1
        self.output = os.path.join(self.workdir, 'rulebook-%d.log' % self.runs)
        with open(self.output, 'w') as out:
            self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
                [str(EDA_BIN / 'ansible-rulebook'), '-i', self.inventory, '--rulebook', self.rulebook, '--vars',
                 self.vars_file, '-v'], cwd=self.workdir, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(30)

    def text(self):
        with open(self.output) as handle:
            return handle.read()

    def describe(self):
        return '\n--- ansible-rulebook output (last 3000 characters) ---\n%s' % self.text()[-3000:]


@pytest.fixture
def workdir():
    # Short: ansible-core binds a Unix socket under it (107-byte limit).
    path = tempfile.mkdtemp(prefix='eda-')
    yield path
    if not os.environ.get('CLOUDOPS_EDA_KEEP'):
        subprocess.run(['rm', '-rf', path], check=False)


def request_log(sim):
    return sim.admin('GET', 'requests?limit=5000').get('requests', [])


def reads_of(sim, path):
    """How many times ``path`` (no query) was read with GET (the source lists /v1/tasks; a playbook reads one task)."""
    return sum(1 for entry in request_log(sim) if entry.get('method') == 'GET' and entry.get('path', '').split('?')[0] == path)


def attempts(sim, task_id):
    return sim.admin('GET', 'vcf/tasks/%s/attempts' % task_id)


def new_failed_task(sim, name, **fields):
    entry = dict(name=name, status='Failed', **fields)
    return sim.admin('POST', 'vcf/tasks', json={'tasks': [entry]})['ids'][0]


def start_run(sim, workflow_id):
    """Start a run of ``workflow_id`` as the vRO admin user; its id."""
    import requests  # pylint: disable=import-outside-toplevel
    name, entry = sim.user('vro')
    answer = requests.post('%s/vco/api/workflows/%s/executions' % (sim.url, workflow_id), json={'parameters': []},
                           auth=(name, entry['password']), verify=sim.verify, timeout=30,
                           headers={'Accept': 'application/json'})
    assert answer.status_code in (201, 202), answer.text
    body = answer.json() if answer.content else {}
    return body.get('id') or answer.headers['Location'].rstrip('/').rsplit('/', 1)[-1]


def test_vcf_rulebook_retries_a_failed_task_once_across_a_restart(fresh_simulator, workdir):
    sim = fresh_simulator
    state_file = os.path.join(workdir, 'state', 'vcf.json')
    rulebook = Rulebook(str(RULEBOOKS / 'vcf_retry_failed_tasks.yml'), sim.env('vcf'),
                        {'vcf_interval': 1, 'vcf_state_file': state_file}, workdir).start()
    try:
        # The first poll takes what is failed now as already there (emit_existing false): nothing of the seed is retried.
        eventually('the first poll (state file written)', lambda: os.path.exists(state_file), rulebook=rulebook)
        assert oct(os.stat(state_file).st_mode & 0o777) == '0o600'
        retryable = new_failed_task(sim, 'EDA remediation A')
        refused = new_failed_task(sim, 'EDA remediation B', retryable=False)
        eventually('the retry of task A', lambda: attempts(sim, retryable)['retry_requests'] >= 1, rulebook=rulebook)
        eventually('task A successful after its retry', lambda: attempts(sim, retryable)['status'] == 'Successful',
                   rulebook=rulebook)
        # Task B is not retryable: its playbook reads it and refuses, so its reads show that its event came.
        eventually('the playbook run for task B', lambda: reads_of(sim, '/v1/tasks/%s' % refused) >= 1, rulebook=rulebook)
        eventually('the playbook run for task B to end', lambda: rulebook.text().count('PLAY RECAP') >= 2,
                   rulebook=rulebook)
        rulebook.stop()
        reads_of_b = reads_of(sim, '/v1/tasks/%s' % refused)

        # While the source is down, task C fails: after the restart it is retried, A and B are not emitted again.
        later = new_failed_task(sim, 'EDA remediation C')
        rulebook.start()
        eventually('the retry of task C after the restart', lambda: attempts(sim, later)['retry_requests'] >= 1,
                   rulebook=rulebook)
        lists = reads_of(sim, '/v1/tasks')
        eventually('three more polls after the restart', lambda: reads_of(sim, '/v1/tasks') >= lists + 3, rulebook=rulebook)
        eventually('the playbook run for task C to end', lambda: 'PLAY RECAP' in rulebook.text(), rulebook=rulebook)
    finally:
        rulebook.stop()
    assert attempts(sim, retryable)['retry_requests'] == 1
    assert attempts(sim, later)['retry_requests'] == 1
    assert reads_of(sim, '/v1/tasks/%s' % refused) == reads_of_b
    # The seeded failed tasks were there at the first start: never retried.
    assert attempts(sim, '7a5e0001-5e1f-4c0d-9a11-000000000001')['retry_requests'] == 0
    state = json.load(open(state_file))
    assert state['version'] == 1 and state['cursor']


def test_vro_rulebook_reports_a_failed_run_once(fresh_simulator, workdir):
    sim = fresh_simulator
    workflows = sim.admin('GET', 'vro/workflows')
    workflow = next(w for w in (workflows.get('workflows') if isinstance(workflows, dict) else workflows)
                    if w.get('name') == 'Always fail')
    state_file = os.path.join(workdir, 'state', 'vro.json')
    rulebook = Rulebook(str(RULEBOOKS / 'vro_failed_runs.yml'), sim.env('vro'),
                        {'vro_interval': 1, 'vro_state_file': state_file, 'vro_workflow_names': ['Always fail']}, workdir).start()
    reports = os.path.join(workdir, 'vro-failed-runs')
    try:
        eventually('the first poll (state file written)', lambda: os.path.exists(state_file), rulebook=rulebook)
        run = start_run(sim, workflow['id'])
        report = os.path.join(reports, '%s.json' % run)
        eventually('the report of the failed run', lambda: os.path.exists(report), rulebook=rulebook)
        lists = reads_of(sim, '/vco/api/workflows/%s/executions' % workflow['id'])
        eventually('three more polls', lambda: reads_of(sim, '/vco/api/workflows/%s/executions' % workflow['id']) >= lists + 3,
                   rulebook=rulebook)
    finally:
        rulebook.stop()
    written = json.load(open(report))
    assert written['execution_id'] == run and written['state'] == 'failed'
    assert written['error']
    assert written['logs'], written
    assert os.listdir(reports) == ['%s.json' % run]
    assert reads_of(sim, '/vco/api/workflows/%s/executions/%s' % (workflow['id'], run)) >= 1


def test_decision_environment_definition_builds_a_context_with_rulebook_and_java(tmp_path):
    from _harness import venv_bin  # pylint: disable=import-outside-toplevel
    import yaml  # pylint: disable=import-outside-toplevel
    definition = REPO_ROOT / 'meta' / 'decision-environment.yml'
    data = yaml.safe_load(definition.read_text(encoding='utf-8'))
    assert data['version'] == 3 and data['dependencies']['galaxy']['collections'][0]['name'] == 'cloudops.orchestrator'
    try:
        binary = venv_bin('ansible-builder')
    except FileNotFoundError:
        pytest.skip('ansible-builder is not installed (requirements/tools.txt)')
    context = tmp_path / 'context'
    proc = subprocess.run([binary, 'create', '-f', str(definition), '--context', str(context), '--output-filename',
                           'Containerfile'], capture_output=True, text=True, timeout=300, check=False, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    build = context / '_build'
    assert 'ansible-rulebook' in (build / 'requirements.txt').read_text(encoding='utf-8')
    assert 'java-17-openjdk-headless' in (build / 'bindep.txt').read_text(encoding='utf-8')
    assert 'JAVA_HOME' in (context / 'Containerfile').read_text(encoding='utf-8')


def test_ico_source_emits_each_status_change_once_across_a_restart(fresh_simulator, workdir):
    sim = fresh_simulator
    state_file = os.path.join(workdir, 'state', 'ico.json')
    rulebook = Rulebook(str(REPO_ROOT / 'tests' / 'integration' / 'rulebooks' / 'ico_print_failed.yml'), sim.env('ico'),
                        {'ico_state_file': state_file, 'ico_projects': ['finance']}, workdir).start()
    try:
        eventually('the first poll (state file written)', lambda: os.path.exists(state_file), rulebook=rulebook)
        # 1006 (finance) is RUNNING: made FAILED, it is one event; 1005 was FAILED at the first start: none.
        sim.admin('POST', 'ico/tasks/1006/status', json={'status': 'FAILED', 'error_message': 'CTJCO0003E: disk full'})
        eventually('the event of task 1006', lambda: 'EDA-ICO-EVENT 1006 RUNNING -> FAILED' in rulebook.text(),
                   rulebook=rulebook)
        rulebook.stop()
        # While stopped: 1008 is in another project (not watched); 1007 (finance) fails.
        sim.admin('POST', 'ico/tasks/1008/status', json={'status': 'FAILED'})
        sim.admin('POST', 'ico/tasks/1007/status', json={'status': 'FAILED'})
        rulebook.start()
        eventually('the event of task 1007 after the restart', lambda: 'EDA-ICO-EVENT 1007 QUEUED -> FAILED' in rulebook.text(),
                   rulebook=rulebook)
        lists = reads_of(sim, '/orchestrator/v2/tasks')
        eventually('three more polls', lambda: reads_of(sim, '/orchestrator/v2/tasks') >= lists + 3, rulebook=rulebook)
    finally:
        rulebook.stop()
    after_restart = rulebook.text()
    assert 'EDA-ICO-EVENT 1006' not in after_restart
    assert after_restart.count('EDA-ICO-EVENT 1007') == 1
    assert 'EDA-ICO-EVENT 1005' not in after_restart and 'EDA-ICO-EVENT 1008' not in after_restart


def load_source(name):
    """An event source module, loaded from the tree ansible-rulebook would load it from (no ansible-rulebook needed)."""
    import importlib.util  # pylint: disable=import-outside-toplevel
    path = PLAYBOOK_COLLECTIONS / 'ansible_collections' / 'cloudops' / 'orchestrator' / 'extensions' / 'eda' / 'plugins' / \
        'event_source' / ('%s.py' % name)
    spec = importlib.util.spec_from_file_location('eda_source_%s' % name, str(path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class RunningSource:
    """``async with RunningSource(source, args) as running:`` runs an event source's ``main`` in this event loop (no
    ansible-rulebook), its events in ``running.queue``; ``await running.until(what, check)`` waits, within DEADLINE,
    for ``check()`` (called in a thread) while failing at once if the source stopped; on exit the source is cancelled."""

    def __init__(self, source, args):
        self.source, self.args = source, args
        self.queue = self.task = self.end = None

    async def __aenter__(self):
        self.queue = asyncio.Queue()
        self.task = asyncio.create_task(self.source.main(self.queue, self.args))
        self.end = time.monotonic() + DEADLINE
        return self

    async def until(self, what, check):
        while not await asyncio.to_thread(check):
            self.assert_running()
            assert time.monotonic() < self.end, '%s did not happen within %ss' % (what, DEADLINE)
            await asyncio.sleep(0.2)

    def assert_running(self):
        assert not self.task.done(), self.task.result()

    async def __aexit__(self, *exc):
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass


def test_vro_source_logs_in_once_with_the_tenant_api_token(fresh_simulator, workdir, monkeypatch, caplog):
    """auth_tenant (from VRO_AUTH_TENANT, as the AWX credential injects it): the source exchanges the API token at the
    OAuth tenant login once, and polls with the access token; the API token is never sent as a bearer token."""
    from test_vro_fidelity import CSP_LOGIN, api_token, route_count  # pylint: disable=import-outside-toplevel
    sim = fresh_simulator
    token = api_token(sim)
    tm = 'vra-oauth-tenant-tm' in sim.quirks
    for key, value in dict(sim.env('vro'), VRO_AUTH_TENANT='vsphere.local', VRO_TOKEN=token,
                           VRO_PASSWORD='not-used-here').items():
        monkeypatch.setenv(key, value)
    workflows = sim.admin('GET', 'vro/workflows')
    workflow = next(w for w in (workflows.get('workflows') if isinstance(workflows, dict) else workflows)
                    if w.get('name') == 'Always fail')
    state_file = os.path.join(workdir, 'vro-tenant.json')
    source = load_source('vro_executions')
    listings = '/vco/api/workflows/%s/executions' % workflow['id']

    async def scenario():
        async with RunningSource(source, {'workflow_names': ['Always fail'], 'interval': 0.2,
                                          'state_file': state_file}) as running:
            await running.until('the first poll', lambda: os.path.exists(state_file))
            run = await asyncio.to_thread(start_run, sim, workflow['id'])
            event = await asyncio.wait_for(running.queue.get(), DEADLINE)
            polls = await asyncio.to_thread(reads_of, sim, listings)
            await running.until('three more polls', lambda: reads_of(sim, listings) >= polls + 3)
            return run, event, running.queue.qsize()

    with caplog.at_level('DEBUG'):
        run, event, more = asyncio.run(scenario())
    assert (event['vro_execution']['execution_id'], event['state'], event['workflow_name']) == (run, 'failed', 'Always fail')
    assert more == 0
    # One tenant login for all the polls (the /tm path only after the plain one's 404 under the quirk).
    assert route_count(sim, 'POST /oauth/tenant/<tenant>/token') == 1
    assert route_count(sim, 'POST /tm/oauth/tenant/<tenant>/token') == (1 if tm else 0)
    assert route_count(sim, CSP_LOGIN) == 1 and route_count(sim, 'POST /iaas/api/login') == 0  # the one of api_token()
    assert token not in caplog.text
