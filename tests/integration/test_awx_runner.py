# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbooks run the way AWX / AAP runs them: ansible-runner with a private data dir, the connection
delivered by the collection's credential types (extensions/awx/credential_types/*.yml), job parameters as
extra vars. Nothing secret may show up in runner's job events or stdout.

The injectors are rendered as AWX renders them (awx/main/models/credential: a Jinja sandbox over the
credential's inputs, unset booleans False and unset strings empty, each ``file`` template written to a file in the
private data dir and named by ``tower.filename``).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

from _harness import PYTHON, REPO_ROOT, ensure_playbook_collection, run_playbook, venv_bin
from test_vro_fidelity import api_token as tenant_api_token

ansible_runner = pytest.importorskip('ansible_runner')
sandbox = pytest.importorskip('jinja2.sandbox')

CREDENTIAL_TYPES = REPO_ROOT / 'extensions' / 'awx' / 'credential_types'
JWT = re.compile(r'eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}')


def credential_type(product):
    return yaml.safe_load((CREDENTIAL_TYPES / ('%s.yml' % product)).read_text(encoding='utf-8'))


def inject(product, inputs, private_data_dir):
    """Render the credential type's injectors for these inputs, as AWX does; return the environment."""
    ctype = credential_type(product)
    env = sandbox.ImmutableSandboxedEnvironment()
    namespace = {}
    for field in ctype['inputs']['fields']:
        namespace[field['id']] = inputs.get(field['id'], False if field['type'] == 'boolean' else '')
    unknown = set(inputs) - set(namespace)
    assert not unknown, 'inputs the %s credential type does not declare: %s' % (product, unknown)
    missing = [name for name in ctype['inputs'].get('required', []) if not inputs.get(name)]
    assert not missing, 'required %s inputs missing: %s' % (product, missing)
    files = {}
    for label, template in ctype['injectors'].get('file', {}).items():
        path = Path(private_data_dir) / ('cred-%s-%s' % (product, label.replace('.', '-')))
        path.write_text(env.from_string(template).render(**namespace), encoding='utf-8')
        files[label] = str(path)
    if files:
        if list(files) == ['template']:
            namespace['tower'] = {'filename': files['template']}
        else:
            namespace['tower'] = {'filename': {k.split('.', 1)[1]: v for k, v in files.items()}}
    return {name: env.from_string(template).render(**namespace) for name, template in ctype['injectors']['env'].items()}


def credentials(sim, private_data_dir):
    """The three credentials of a job template, as the injectors deliver them, and the secrets they hold."""
    with open(sim.ca_path, encoding='utf-8') as handle:
        ca_pem = handle.read()
    env, secrets = {}, []
    for product in ('vro', 'vcf', 'ico'):
        name, entry = sim.user(product)
        inputs = {'url': sim.url, 'username': name, 'password': entry['password'], 'ca_cert': ca_pem}
        if product == 'ico':
            inputs.update(domain=entry['domain'], project=entry['project'])
        env.update(inject(product, inputs, private_data_dir))
        secrets.append(entry['password'])
    return env, secrets


def run_job(sim, tmp_path, playbook, extravars):
    """Run playbooks/<playbook> with ansible-runner in a private data dir; return (runner, stdout, events)."""
    private = tmp_path / 'private'
    (private / 'inventory').mkdir(parents=True)
    (private / 'env').mkdir()
    (private / 'inventory' / 'hosts').write_text(
        'localhost ansible_connection=local ansible_python_interpreter=%s\n' % PYTHON, encoding='utf-8')
    cred_env, secrets = credentials(sim, private)
    assert cred_env['VRO_CA_PATH'] and Path(cred_env['VRO_CA_PATH']).read_text(encoding='utf-8').startswith('-----BEGIN')
    envvars = dict(cred_env, ANSIBLE_COLLECTIONS_PATH=str(ensure_playbook_collection()),
                   ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false', ANSIBLE_NOCOLOR='1',
                   # An execution environment has ansible-playbook on PATH; here it is the venv's.
                   PATH=os.pathsep.join([os.path.dirname(venv_bin('ansible-playbook')), os.environ.get('PATH', '')]))
    (private / 'env' / 'envvars').write_text(yaml.safe_dump(envvars), encoding='utf-8')
    (private / 'env' / 'extravars').write_text(yaml.safe_dump(extravars), encoding='utf-8')
    runner = ansible_runner.run(private_data_dir=str(private), project_dir=str(REPO_ROOT / 'playbooks'),
                                playbook=playbook, quiet=True, timeout=600)
    stdout = runner.stdout.read()
    events = list(runner.events)
    # Every secret must stay out of what AWX stores and shows: the job output and every job event.
    dumped = stdout + '\n'.join(json.dumps(e, default=str) for e in events)
    for secret in secrets:
        assert secret not in dumped, 'a password appears in the runner output of %s' % playbook
    assert not JWT.search(dumped), 'a token appears in the runner output of %s' % playbook
    assert runner.status == 'successful' and runner.rc == 0, '%s: %s rc=%s\n%s' % (playbook, runner.status, runner.rc, stdout)
    return runner, stdout, events


def ok_results(events, task):
    return [e['event_data']['res'] for e in events
            if e.get('event') == 'runner_on_ok' and e['event_data'].get('task') == task]


def test_run_workflow_as_an_awx_job(simulator, tmp_path):
    _runner, stdout, events = run_job(simulator, tmp_path, 'run_workflow.yml', {
        'vro_workflow_name': 'AWSNEW',
        'vro_inputs': {'name': 'awx-job-01'},
        'vro_wait_timeout': 300,
    })
    report = ok_results(events, 'Report')
    assert report and report[0]['msg'][0].endswith(': completed')
    stats = ok_results(events, 'Hand the outputs to the next job of a workflow template')[0]['ansible_stats']['data']
    assert stats['vro_outputs']['instanceId'].startswith('i-')
    assert 'ok=' in stdout and 'failed=0' in stdout


def test_retry_failed_vcf_tasks_as_an_awx_job(fresh_simulator, tmp_path):
    _runner, _stdout, events = run_job(fresh_simulator, tmp_path, 'retry_failed_vcf_tasks.yml', {
        'vcf_since': '2026-03-01T12:00:00Z',
        'vcf_max_attempts': 2,
        'vcf_fail_on_remaining': False,
    })
    summary = ok_results(events, 'Summary')[0]['msg']
    assert summary[-1] == '4 failed task(s): 3 retried, 3 succeeded, 0 still failed, 1 not retryable.'


def test_injectors_follow_the_module_environment_contract(tmp_path):
    """Every injected variable is a fallback a module reads, and certificate checks stay on by default."""
    expected = {
        'vro': {'VRO_URL', 'VRO_USERNAME', 'VRO_PASSWORD', 'VRO_TOKEN', 'VRO_AUTH', 'VRO_AUTH_DOMAIN', 'VRO_AUTH_TENANT',
                'VRO_CA_PATH', 'VRO_VALIDATE_CERTS'},
        'vcf': {'VCF_URL', 'VCF_USERNAME', 'VCF_PASSWORD', 'VCF_TOKEN', 'VCF_CA_PATH', 'VCF_VALIDATE_CERTS'},
        'ico': {'ICO_URL', 'ICO_USERNAME', 'ICO_PASSWORD', 'ICO_DOMAIN', 'ICO_PROJECT', 'ICO_CA_PATH',
                'ICO_VALIDATE_CERTS'},
    }
    for product, names in expected.items():
        ctype = credential_type(product)
        assert set(ctype['injectors']['env']) == names
        fields = {f['id']: f for f in ctype['inputs']['fields']}
        assert all(fields[name].get('secret') for name in ('password', 'token') if name in fields)
        assert not any(f.get('secret') for name, f in fields.items() if name not in ('password', 'token'))
        minimal = {'url': 'https://h', 'username': 'u', 'password': 'p'}
        env = inject(product, minimal, tmp_path)
        assert env['%s_VALIDATE_CERTS' % product.upper()] == 'true'
        assert env['%s_CA_PATH' % product.upper()] == ''  # unset: the module uses the system CA store
        env = inject(product, dict(minimal, skip_tls_verify=True), tmp_path)
        assert env['%s_VALIDATE_CERTS' % product.upper()] == 'false'


LOGIN_THEN_REUSE = [{'name': 'tenant credential', 'hosts': 'localhost', 'gather_facts': False, 'tasks': [
    {'name': 'Log in', 'cloudops.orchestrator.vro_login': {}, 'register': 'vro_session'},
    {'name': 'Reuse', 'module_defaults': {'group/cloudops.orchestrator.vro': {
        'auth': 'token', 'token': '{{ vro_session.token }}'}},
     'block': [{'name': 'Read', 'cloudops.orchestrator.vro_workflow_info': {
         'workflow_id': '3a0ab069-cf2f-47e0-96f5-4a8920a5dc51'}}]},
]}]


def test_a_tenant_credential_logs_in_once_and_vro_login_token_is_reused(fresh_simulator, tmp_path):
    """A vRO credential with an OAuth tenant and its API token (no username, no password) carries what vro_login
    needs; the later tasks send vro_login's token (auth: token in module_defaults) although the credential still
    injects VRO_AUTH_TENANT and the API token."""
    sim = fresh_simulator
    api_token = tenant_api_token(sim)  # a CSP login's refresh token
    with open(sim.ca_path, encoding='utf-8') as handle:
        ca_pem = handle.read()
    env = inject('vro', {'url': sim.url, 'token': api_token, 'auth_tenant': 'vsphere.local', 'ca_cert': ca_pem},
                 tmp_path)
    assert env['VRO_AUTH_TENANT'] == 'vsphere.local' and env['VRO_TOKEN'] == api_token and env['VRO_USERNAME'] == ''
    play = tmp_path / 'play.yml'
    play.write_text(json.dumps(LOGIN_THEN_REUSE), encoding='utf-8')
    res = run_playbook(play, env={k: v for k, v in env.items() if v != ''})
    assert res.result('Read')['workflow']['id'] == '3a0ab069-cf2f-47e0-96f5-4a8920a5dc51'
    routes = {key.rstrip('/'): n for key, n in sim.counters().get('routes', {}).items()}
    tenant_logins = routes.get('POST /oauth/tenant/<tenant>/token', 0) + routes.get('POST /tm/oauth/tenant/<tenant>/token', 0)
    assert tenant_logins == (2 if 'vra-oauth-tenant-tm' in sim.quirks else 1)  # /tm/ only after the plain path's 404
    assert routes.get('POST /csp/gateway/am/api/login') == 1  # the one of tenant_api_token()
    assert api_token not in res.stdout + res.stderr
