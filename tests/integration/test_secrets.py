# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""No secret ever leaves the modules: the whole integration suite runs at -vvv with its results recorded as JSON
(conftest.py sets CLOUDOPS_PLAYBOOK_VERBOSITY=3 and keeps every run's transcript), and the last test of the session
scans every transcript (output, recorded results, and what the modules sent to syslog/journald: ``.modlog``, captured
by ``module_log/sitecustomize.py``) and every ansible-runner artifact (the AWX test's job output and events; not runner's
``command`` record of the job's input environment, see ``is_runner_input``) for every password,
token, refresh token and SecureString value used. The target is zero hits.

Also: error messages strip credentials from URLs, ``validate_certs: false`` warns, and by default a server with a
self-signed certificate fails with a message pointing at ``ca_path``, which then makes it work.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from _harness import REPO_ROOT, run_playbook

PLAYBOOK = 'playbooks/secrets/secrets.yml'
SECURE_VALUE = 'SecStr-9f3K-never-printed'
WRONG_PASSWORD = 'Wrong-Pa55-never-printed'
URL_PASSWORD = 'UrlPa55-never-printed'
# A JWT (every access token, and the vRA refresh tokens) and a VCF refresh token id next to its name.
JWT = re.compile(r'eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}')
REFRESH_ID = re.compile(r'(?i)refresh[_ -]?(?:token|id)["\':= ]{1,6}[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-')
# SecureString values shorter than this are ordinary words ('one', 'hidden') that other output contains anyway.
MIN_SECRET_LEN = 8
TEXT_SUFFIXES = ('.out', '.jsonl', '.json', '.txt', 'stdout', 'stderr', 'command', '.yml', '.log', '.modlog')


def secure_values_in_playbooks():
    """The literal SecureString (``secret``) values the suite's playbooks send to the Echo workflow."""
    found = set()
    for root in (REPO_ROOT / 'tests' / 'integration' / 'playbooks', REPO_ROOT / 'playbooks'):
        for path in root.rglob('*.yml'):
            for match in re.finditer(r'\bsecret:\s*["\']?([^"\'{},\n]+)', path.read_text(encoding='utf-8')):
                value = match.group(1).strip()
                if len(value) >= MIN_SECRET_LEN and '{{' not in value:
                    found.add(value)
    return found


def every_secret(sim):
    secrets = {SECURE_VALUE, WRONG_PASSWORD, URL_PASSWORD}
    for users in sim.users.values():
        for entry in users.values():
            if entry.get('password'):
                secrets.add(str(entry['password']))
    return secrets | secure_values_in_playbooks()


def files_to_scan(transcripts, basetemp):
    """Every transcript, plus every file under an ansible-runner ``artifacts`` directory of this session."""
    files = sorted(Path(transcripts).glob('*')) if transcripts and Path(transcripts).is_dir() else []
    for artifacts in Path(basetemp).rglob('artifacts'):
        if artifacts.is_dir():
            files += [p for p in artifacts.rglob('*') if p.is_file() and not is_runner_input(p)]
    return files


def is_runner_input(path):
    """ansible-runner's ``artifacts/<ident>/command``: its record of the job's input (command line and environment).

    The credential types inject connection settings as environment variables, as AWX does, so this file holds them
    by design, like ``env/envvars``; it is not output (never shown by AWX, removed with the private data dir) and
    runner makes it owner-only. It is left out of the scan, and its mode is checked instead.
    """
    if path.name != 'command' or path.parent.parent.name != 'artifacts':
        return False
    assert path.stat().st_mode & 0o077 == 0, '%s is readable by others' % path
    return True


def scan(files, secrets):
    hits = []
    for path in files:
        try:
            text = path.read_text(encoding='utf-8', errors='replace')
        except OSError:
            continue
        for secret in secrets:
            if secret in text:
                hits.append('%s: %s...' % (path, secret[:3]))
        for pattern in (JWT, REFRESH_ID):
            match = pattern.search(text)
            if match:
                hits.append('%s: %s %s...' % (path, pattern.pattern[:12], match.group(0)[:12]))
    return hits


def test_secrets_playbook_at_vvv(fresh_simulator):
    sim = fresh_simulator
    env = sim.all_env()
    host = sim.url.split('://', 1)[1]
    res = run_playbook(PLAYBOOK, env=env, verbosity=3, extra_vars={
        'secure_value': SECURE_VALUE, 'wrong_password': WRONG_PASSWORD, 'sim_url': sim.url, 'ca_path': sim.ca_path,
        'url_with_credentials': 'https://svc-user:%s@%s' % (URL_PASSWORD, host)})
    everything = res.stdout + res.stderr + repr(res.results)
    for secret in every_secret(sim):
        assert secret not in everything, 'a secret (%s...) is in the -vvv output' % secret[:3]
    assert not JWT.search(everything)

    echo = res.result('A SecureString input')
    assert echo['state'] == 'completed' and echo['inputs']['secret'] == '********'

    # Wrong passwords: a clean 401 that does not repeat the password.
    for task in ('Wrong vRO password', 'Wrong VCF password'):
        assert res.record(task)['status'] == 'ignored'
        assert '401' in res.result(task)['msg']

    # Credentials in the URL are refused before anything is sent (requests would send them as Basic credentials in
    # place of the configured ones), and neither they nor the user name are in the result.
    url_result = res.result('Credentials in the URL')
    assert 'svc-user' not in repr(url_result) and URL_PASSWORD not in repr(url_result)
    assert res.record('Credentials in the URL')['status'] == 'ignored' and 'user name or password' in url_result['msg']

    # validate_certs false warns; a self-signed server without ca_path fails pointing at ca_path; ca_path fixes it.
    warnings = ' '.join(res.result('Certificate checks off').get('warnings', []))
    assert 'validate_certs' in warnings and 'insecure' in warnings
    tls = res.result('Self-signed server without ca_path')
    assert res.record('Self-signed server without ca_path')['status'] == 'ignored'
    assert 'ca_path' in tls['msg'] and 'TLS' in tls['msg'], tls['msg']
    assert res.result('Self-signed server with ca_path')['workflows'], 'ca_path did not make it work'


def test_zero_secret_hits_in_the_whole_suite(simulator, tmp_path_factory):
    """Runs last (conftest.py): every transcript of the session and every ansible-runner artifact, zero hits."""
    transcripts = os.environ.get('CLOUDOPS_TRANSCRIPT_DIR')
    files = files_to_scan(transcripts, tmp_path_factory.getbasetemp())
    assert files, 'no transcripts were kept: is CLOUDOPS_TRANSCRIPT_DIR set by conftest.py?'
    verbose = [p for p in files if p.suffix == '.out' and ' -vvv' in p.read_text(encoding='utf-8', errors='replace')[:4000]]
    assert verbose, 'no playbook ran at -vvv'
    # What the modules sent to syslog/journald (module_log/sitecustomize.py, kept by the harness as .modlog).
    module_logs = [p for p in files if p.suffix == '.modlog']
    assert module_logs, 'no module log was captured: is run_playbook putting tests/integration/module_log on PYTHONPATH?'
    secrets = every_secret(simulator)
    hits = scan(files, secrets)
    summary = {'files': len(files), 'verbose_runs': len(verbose), 'module_logs': len(module_logs), 'secrets': len(secrets),
               'hits': len(hits)}
    out = Path(transcripts) / 'secrets-scan.yml'
    out.write_text(yaml.safe_dump(summary), encoding='utf-8')
    print('secrets scan: %s' % summary)
    assert hits == [], '%d secret hits:\n%s' % (len(hits), '\n'.join(hits[:50]))


def test_garbled_login_answers_do_not_leak_tokens(fresh_simulator):
    """A login answer cut in half holds a token the client does not know yet: the failure must not quote it."""
    sim = fresh_simulator
    sim.faults({'route': '/v1/tokens', 'method': 'POST', 'kind': 'bad_json', 'count': 1})
    sim.faults({'route': '/csp/gateway/am/api/login', 'method': 'POST', 'kind': 'bad_json', 'count': 1})
    sim.faults({'route': '/iaas/api/login', 'method': 'POST', 'kind': 'bad_json', 'count': 1})
    res = run_playbook('playbooks/secrets/garbled_logins.yml', env=sim.all_env(), verbosity=3)
    assert all(f['fired'] == 1 for f in sim.admin('GET', 'faults')['faults'])
    for task in ('Garbled VCF login', 'Garbled vRA login', 'Garbled vRA token exchange'):
        assert res.record(task)['status'] == 'ignored'
        assert 'not valid JSON' in res.result(task)['msg']
    everything = res.stdout + res.stderr + repr(res.results)
    assert not JWT.search(everything) and 'eyJ' not in everything
    assert not REFRESH_ID.search(everything)


# -- what modules log ----------------------------------------------------------------------------------------
LOGGED_SECURE = 'SecStr-Log-7Qw2-never-logged'
SECRET_INPUT = 'SecretInput-3Zr8-never-logged'
ANSWER_SECRET = 'Answer-5Tp1-never-logged'
PLAIN_VALUE = 'Plain-Value-1Kx9-not-logged'


def module_log_records(res):
    """The JSON lines module_log/sitecustomize.py captured during one run."""
    import json  # pylint: disable=import-outside-toplevel
    return [json.loads(line) for line in res.module_log.splitlines() if line.strip()]


def test_secret_inputs_never_in_module_logs_nor_results(fresh_simulator):
    """SecureString inputs, secret_inputs and interaction answers: not in syslog, journald, results or -vvv output.

    ansible-core < 2.21 always returns invocation.module_args; 2.21 does with inject_invocation, set here.
    """
    sim = fresh_simulator
    env = dict(sim.env('vro'), ANSIBLE_INJECT_INVOCATION='true')
    res = run_playbook('playbooks/secrets/module_logs.yml', env=env, verbosity=3, extra_vars={
        'secure_value': LOGGED_SECURE, 'secret_input': SECRET_INPUT, 'answer_secret': ANSWER_SECRET,
        'plain_value': PLAIN_VALUE})
    records = module_log_records(res)
    invoked = [r for r in records if r['sink'] == 'syslog' and 'Invoked with' in r['message']]
    idents = set(r['ident'] for r in invoked)
    assert {'ansible-cloudops.orchestrator.%s' % m for m in ('vro_workflow_run', 'vro_task', 'vro_interaction')} <= idents, idents
    assert any(r['sink'] == 'journal' for r in records)
    everything = res.stdout + res.stderr + repr(res.results)
    for secret in (LOGGED_SECURE, SECRET_INPUT, ANSWER_SECRET):
        assert secret not in res.module_log, 'a secret (%s...) is in what the modules logged' % secret[:6]
        assert secret not in everything, 'a secret (%s...) is in the -vvv output or a result' % secret[:6]
    # Input values are logged masked until their types are known: the plain one too, only the names stay.
    assert PLAIN_VALUE not in res.module_log
    first = [r for r in invoked if 'workflow_name=Echo typed inputs' in r['message']][0]['message']
    assert "'secret': '********'" in first and "'str': '********'" in first, first

    # The failure before the definition is read: masked in invocation.module_args, names kept.
    missing = res.result('A SecureString input to a workflow that does not exist')
    assert res.record('A SecureString input to a workflow that does not exist')['status'] == 'ignored'
    assert missing['invocation']['module_args']['inputs'] == {'secret': '********'}
    secret_missing = res.result('A secret input to a workflow that does not exist')
    assert secret_missing['invocation']['module_args']['secret_inputs'] == {'secret': '********'}

    run = res.result('A SecureString input')
    assert run['state'] == 'completed' and run['inputs']['secret'] == '********'
    assert run['invocation']['module_args']['inputs'] == {'str': '********', 'secret': '********'}
    assert run['inputs']['str'] == PLAIN_VALUE  # the result itself is not masked beyond the secrets
    given = res.result('A secret input')
    assert given['state'] == 'completed' and given['inputs']['secret'] == '********'
    batch = res.result('A batch with a SecureString input and a secret input')
    assert [e['state'] for e in batch['executions']] == ['completed', 'completed']
    assert batch['invocation']['module_args']['raw_inputs'] == [{'name': 'num', 'value': '********'}]
    assert res.result('A scheduled task with a secret input')['changed'] is True
    assert res.result('Answer it with a secret comment')['changed'] is True


def test_securestring_input_not_logged_before_its_type_is_known(fresh_simulator):
    """ansible-core logs the invocation before the workflow is read: the SecureString value must not be in it."""
    env = dict(fresh_simulator.env('vro'), ANSIBLE_INJECT_INVOCATION='true')
    res = run_playbook('playbooks/secrets/module_logs.yml', env=env, tags=['always_secure'], extra_vars={
        'secure_value': LOGGED_SECURE, 'plain_value': PLAIN_VALUE})
    assert [r['task'] for r in res.results] == ['A SecureString input', 'A SecureString input to a workflow that does not exist']
    assert 'Invoked with' in res.module_log
    assert LOGGED_SECURE not in res.module_log
    failed = res.result('A SecureString input to a workflow that does not exist')
    assert 'No such workflow' in failed['msg'] and LOGGED_SECURE not in repr(failed)


def test_one_letter_securestring_does_not_mangle_the_result(fresh_simulator):
    """A SecureString shorter than the redactor's minimum is not masked (with a warning) instead of masking every 'e'."""
    res = run_playbook('playbooks/secrets/module_logs.yml', env=fresh_simulator.env('vro'), tags=['short_secret'],
                       extra_vars={'plain_value': PLAIN_VALUE})
    run = res.result('A one-letter SecureString')
    assert run['state'] == 'completed', run['state']
    assert run['workflow_name'] == 'Echo typed inputs'
    assert run['inputs']['secret'] == '********' and run['inputs']['str'] == PLAIN_VALUE
    warnings = ' '.join(run.get('warnings', []))
    assert 'shorter than 3 characters is not masked' in warnings, warnings
    # ansible-core masks every scalar of the no_log secret_inputs: a one-letter one is taken off that list too.
    given = res.result('A one-letter secret input')
    assert given['state'] == 'completed' and given['workflow_name'] == 'Echo typed inputs', given['state']
    assert 'shorter than 3 characters is not masked' in ' '.join(given.get('warnings', []))
