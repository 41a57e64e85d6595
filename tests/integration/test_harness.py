# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests of the integration harness itself: the playbook runner, the recording callback, the simulator fixture."""

from __future__ import annotations

import os
import subprocess

import pytest
import requests

import _harness
from _harness import REPO_ROOT, PlaybookError, run_playbook

HAS_SIMULATOR = os.path.exists(os.path.join(str(REPO_ROOT), 'simulator', '__main__.py'))
CONFTEST = os.path.join(os.path.dirname(_harness.__file__), 'conftest.py')
needs_simulator = pytest.mark.skipif(not HAS_SIMULATOR, reason='simulator/__main__.py is not in the tree yet')


def test_run_playbook_records_every_task():
    res = run_playbook('playbooks/harness_smoke.yml', extra_vars={'greeting': 'hi'}, env={'HARNESS_PROBE': 'probe-42'})
    assert res.rc == 0
    assert res.result('Echo a variable')['ansible_facts'] == {'echoed': 'hi'}
    assert res.result('Show an environment variable')['msg'] == 'probe-42'
    assert res.record('Skipped task')['status'] == 'skipped'
    assert res.failed_results() == []
    assert res.stats['localhost']['ok'] == 3
    assert 'PLAY RECAP' in res.stdout


def test_check_mode_is_passed():
    res = run_playbook('playbooks/harness_smoke.yml', check=True)
    assert res.result('Report check mode')['msg'] is True


def test_expected_failure_is_reported():
    res = run_playbook('playbooks/harness_smoke.yml', extra_vars={'fail_reason': 'on purpose'}, expect_failure=True)
    assert res.rc != 0
    failed = res.failed_results()
    assert [r['task'] for r in failed] == ['Fail on request']
    assert failed[0]['result']['msg'] == 'asked to fail: on purpose'


def test_unexpected_failure_raises_with_output():
    with pytest.raises(PlaybookError, match='asked to fail'):
        run_playbook('playbooks/harness_smoke.yml', extra_vars={'fail_reason': 'surprise'})


def test_unexpected_success_raises():
    with pytest.raises(PlaybookError, match='failure was expected'):
        run_playbook('playbooks/harness_smoke.yml', expect_failure=True)


def test_missing_task_name_lists_tasks_that_ran():
    res = run_playbook('playbooks/harness_smoke.yml')
    with pytest.raises(KeyError, match='Echo a variable'):
        res.result('No such task')


def test_collection_is_found_from_the_working_tree():
    link = REPO_ROOT / 'build' / 'playbook' / 'ansible_collections' / 'cloudops' / 'orchestrator'
    run_playbook('playbooks/harness_smoke.yml')
    assert link.resolve() == REPO_ROOT
    assert (link / 'galaxy.yml').exists()


@needs_simulator
def test_simulator_first_line_and_env(simulator):
    assert simulator.url.startswith('https://127.0.0.1:')
    assert os.path.exists(simulator.ca_path)
    products = [(p, x) for p, x in (('vro', 'VRO'), ('vcf', 'VCF'), ('ico', 'ICO')) if simulator.users.get(p)]
    assert products, 'the simulator announced no users at all'
    for product, prefix in products:
        env = simulator.env(product)
        assert env[prefix + '_URL'] == simulator.url
        assert env[prefix + '_CA_PATH'] == simulator.ca_path
        assert env[prefix + '_USERNAME'] in simulator.users[product]
        assert env[prefix + '_PASSWORD'] == simulator.users[product][env[prefix + '_USERNAME']]['password']
    if simulator.users.get('ico'):
        assert simulator.env('ico')['ICO_DOMAIN']


@needs_simulator
def test_simulator_tls_is_verified_with_its_ca(simulator):
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(simulator.url + '/_sim/counters', verify=True, timeout=10)
    assert isinstance(simulator.counters(), dict)


@needs_simulator
def test_simulator_reset_answers(fresh_simulator):
    fresh_simulator.reset()
    assert isinstance(fresh_simulator.counters(), dict)


@needs_simulator
def test_restart_keeps_data_dir(simulator_factory):
    sim = simulator_factory()
    data_dir, first_pid = sim.data_dir, sim.proc.pid
    sim.restart()
    assert sim.data_dir == data_dir
    assert sim.proc.pid != first_pid
    assert isinstance(sim.counters(), dict)


@needs_simulator
def test_playbook_reaches_simulator_with_exported_env(simulator):
    res = run_playbook('playbooks/harness_uri.yml', env=simulator.env('vcf'))
    assert res.result('Read the simulator counters over verified TLS')['status'] == 200


def test_long_tmpdir_failure_names_the_cause(tmp_path):
    # ansible-core's RPC socket path must fit in 107 bytes; a deep TMPDIR breaks every playbook before its first task.
    deep = tmp_path / ('d' * 60) / ('e' * 60)
    deep.mkdir(parents=True)
    with pytest.raises(PlaybookError, match='short TMPDIR'):
        run_playbook('playbooks/harness_smoke.yml', env={'TMPDIR': str(deep)})


def test_failures_are_not_repeated(monkeypatch):
    calls = []

    def failing_run(cmd, **kwargs):
        calls.append(cmd)
        return subprocess.CompletedProcess(cmd, 2, 'fatal: something else\n', '')

    monkeypatch.setattr(_harness.subprocess, 'run', failing_run)
    with pytest.raises(PlaybookError, match='something else') as exc:
        run_playbook('playbooks/harness_smoke.yml')
    assert len(calls) == 1
    assert 'HINT' not in str(exc.value)


def test_a_test_without_the_simulator_fixtures_is_unmarked_and_cannot_start_one(request, tmp_path):
    # make integration-quirks runs only the tests marked uses_simulator: a simulator started by any other test would
    # escape the quirks, so it is refused before its process starts.
    assert request.node.get_closest_marker('uses_simulator') is None
    sim = _harness.Simulator(data_dir=tmp_path)
    try:
        with pytest.raises(_harness.SimulatorError, match='without requesting the simulator or simulator_factory fixture'):
            sim.start()
        assert sim.proc is None
    finally:
        sim.cleanup()


@needs_simulator
def test_a_test_requesting_a_simulator_fixture_is_marked(request, fresh_simulator):
    assert request.node.get_closest_marker('uses_simulator') is not None
    assert _harness.UNMARKED_TEST['nodeid'] is None and isinstance(fresh_simulator.counters(), dict)


def test_nothing_but_the_harness_reads_the_quirks_variable():
    # What lets make integration-quirks leave out the tests that start no Simulator: no other code (module, simulator,
    # tool, playbook, rulebook) reads CLOUDOPS_SIM_QUIRKS; in other Python files the name may only appear in comments.
    # conftest.py reads it through _harness.env_quirk_args, to skip default_reading tests (all of them use a simulator).
    readers = []
    skip_dirs = {'.git', 'build', 'tests/output', 'docs/build', 'changelogs'}
    for root, dirs, files in os.walk(str(REPO_ROOT)):
        rel = os.path.relpath(root, str(REPO_ROOT))
        dirs[:] = [d for d in dirs if not d.startswith('.venv') and os.path.normpath(os.path.join(rel, d)) not in skip_dirs
                   and d not in ('.git', '__pycache__', 'node_modules')]
        for name in files:
            path = os.path.join(root, name)
            if name.endswith(('.md', '.rst', '.txt')) or name in ('Makefile', 'pytest.ini') or path in (_harness.__file__, CONFTEST):
                continue
            try:
                with open(path, encoding='utf-8') as handle:
                    text = handle.read()
            except (UnicodeDecodeError, OSError):
                continue
            if _harness.QUIRKS_ENV not in text:
                continue
            lines = [line for line in text.splitlines() if _harness.QUIRKS_ENV in line]
            if not (name.endswith('.py') and all(line.lstrip().startswith('#') for line in lines)):
                readers.append(os.path.relpath(path, str(REPO_ROOT)))
    assert readers == [], readers


# -- the fake servers' helper (LocalHttpServer, FakeRequest, BasicJsonApi) -----------------------------------------
def test_a_fake_answers_json_bytes_and_no_body_through_its_route():
    seen = []

    def answer(request):
        seen.append((request.command, request.url_path, request.query, request.json_body()))
        if request.url_path == '/json':
            return request.send(201, {'a': 1}, headers={'Location': '/json/1'})
        if request.url_path == '/page':
            return request.send(400, b'<html>no</html>', content_type='text/html')
        return request.send(204)

    with _harness.LocalHttpServer(answer=answer) as server, requests.Session() as session:
        made = session.post(server.url + '/json?x=1', json={'k': 'v'}, timeout=10)
        page = session.get(server.url + '/page', timeout=10)
        empty = session.delete(server.url + '/none', timeout=10)
    assert (made.status_code, made.json(), made.headers['Location']) == (201, {'a': 1}, '/json/1')
    assert made.headers['Content-Type'] == 'application/json' and made.raw.version == 11
    assert (page.status_code, page.headers['Content-Type'], page.content) == (400, 'text/html', b'<html>no</html>')
    assert empty.status_code == 204 and empty.content == b'' and 'Content-Type' not in empty.headers
    assert seen == [('POST', '/json', 'x=1', {'k': 'v'}), ('GET', '/page', '', None), ('DELETE', '/none', '', None)]


def test_a_fake_without_a_route_answers_404_and_drop_loses_the_answer():
    with _harness.LocalHttpServer() as server:
        assert requests.get(server.url + '/x', timeout=10).status_code == 404

    def answer(request):
        request.drop()

    with _harness.LocalHttpServer(answer=answer) as server:
        with pytest.raises(requests.ConnectionError):
            requests.post(server.url + '/x', json={}, timeout=10)


def test_a_basic_json_api_records_checks_credentials_and_strips_its_prefix():
    class Api(_harness.BasicJsonApi):
        def route(self, h, method, rel, query, body):
            if rel == '/missing':
                return self.error(h, 404, 'gone')
            return h.send(200, {'method': method, 'rel': rel, 'query': query, 'body': body})

    with Api('/api', 'fake-user', 'fake-pw-1') as api:
        ok = requests.put(api.url + '/api/things/?q=1', json={'n': 2}, auth=('fake-user', 'fake-pw-1'), timeout=10)
        missing = requests.get(api.url + '/api/missing', auth=('fake-user', 'fake-pw-1'), timeout=10)
        outside = requests.get(api.url + '/other', auth=('fake-user', 'fake-pw-1'), timeout=10)
        refused = requests.get(api.url + '/api/things', auth=('fake-user', 'wrong'), timeout=10)
    assert ok.json() == {'method': 'PUT', 'rel': '/things', 'query': 'q=1', 'body': {'n': 2}}
    assert missing.status_code == 404 and missing.json() == {'status': 404, 'message': 'gone', 'details': None}
    assert outside.status_code == 404 and refused.status_code == 401
    assert api.requests == [('PUT', '/api/things/?q=1', {'n': 2}), ('GET', '/api/missing', None), ('GET', '/other', None),
                            ('GET', '/api/things', None)]


class _Item(object):
    """Just what conftest.same_as_unquirked reads of a pytest item."""

    def __init__(self, nodeid, params, default_reading=False):
        self.nodeid = nodeid
        self.callspec = type('CallSpec', (), {'params': params})()
        self.default_reading = default_reading

    def get_closest_marker(self, name):
        return True if name == 'default_reading' and self.default_reading else None


def test_quirks_stage_drops_only_explicit_quirks_the_environment_already_plays_beside_a_running_sibling():
    import conftest  # pylint: disable=import-outside-toplevel
    parse = conftest._quirk_parse()  # pylint: disable=protected-access
    items = [
        _Item('t.py::a[None]', {'quirk': None}), _Item('t.py::a[vro-conditions-comma-split]', {'quirk': 'vro-conditions-comma-split'}),
        # not in 'all': the environment does not play it, so the explicit run differs
        _Item('t.py::b[None]', {'quirk': None}), _Item('t.py::b[vcf-task-fields-omitted]', {'quirk': 'vcf-task-fields-omitted'}),
        # a value: a setting 'all' does not give
        _Item('t.py::c[None]', {'quirk': None}), _Item('t.py::c[vcf-retry-lag=2]', {'quirk': 'vcf-retry-lag=2'}),
        # the None sibling is skipped under quirks (default_reading): the explicit one is the only run left
        _Item('t.py::d[None]', {'quirk': None}, default_reading=True), _Item('t.py::d[vro-about-no-version]', {'quirk': 'vro-about-no-version'}),
        # no None sibling with the same other parameters
        _Item('t.py::e[x-8.18]', {'quirk': None, 'version': '7.6'}), _Item('t.py::e[y-8.18]', {'quirk': 'vro-logs-newest-first', 'version': '8.18'}),
        _Item('t.py::f[vro-date-conditions-rejected]', {'quirk': 'vro-date-conditions-rejected'}),
    ]
    dropped = [i.nodeid for i in conftest.same_as_unquirked(items, ['all'], parse)]
    assert dropped == ['t.py::a[vro-conditions-comma-split]']
    assert [i.nodeid for i in conftest.same_as_unquirked(items, ['vcf-task-fields-omitted'], parse)] == ['t.py::b[vcf-task-fields-omitted]']
    assert conftest.same_as_unquirked(items, ['ico-item-wrapped'], parse) == []


def test_quirks_stage_drops_quirks_tuples_and_explicit_variants_that_start_the_same_simulator():
    import conftest  # pylint: disable=import-outside-toplevel
    parse = conftest._quirk_parse()  # pylint: disable=protected-access
    refused, replaces, kept = 'vro-task-null-refused', 'vro-task-update-replaces', 'vro-task-null-kept'
    items = [
        # a quirks tuple: () is the unquirked sibling
        _Item('t.py::g[default]', {'quirks': ()}), _Item('t.py::g[refused]', {'quirks': (refused,)}),
        _Item('t.py::g[refused+replaces]', {'quirks': (refused, replaces)}),
        # no unquirked sibling: of the variants starting the same simulator, the first is kept
        _Item('t.py::h[refused]', {'quirks': (refused,)}), _Item('t.py::h[kept]', {'quirks': (kept,)}),
        _Item('t.py::i[vro-date-conditions-rejected]', {'quirk': 'vro-date-conditions-rejected'}),
        _Item('t.py::i[vro-date-conditions-ignored]', {'quirk': 'vro-date-conditions-ignored'}),
        # not in 'all': a simulator of its own
        _Item('t.py::j[]', {'quirks': ()}), _Item('t.py::j[fields]', {'quirks': ('vcf-task-fields-omitted',)}),
        # other parameters differ: no sibling
        _Item('t.py::k[a]', {'quirks': (), 'v': 1}), _Item('t.py::k[b]', {'quirks': (refused,), 'v': 2}),
    ]
    dropped = [i.nodeid for i in conftest.same_as_unquirked(items, ['all'], parse)]
    assert dropped == ['t.py::g[refused]', 't.py::g[refused+replaces]', 't.py::h[kept]', 't.py::i[vro-date-conditions-ignored]']
    # One quirk played: only the variant adding nothing else repeats the unquirked one.
    dropped = [i.nodeid for i in conftest.same_as_unquirked(items, [refused], parse)]
    assert dropped == ['t.py::g[refused]']
    assert conftest.same_as_unquirked(items, [], parse) == []


def test_modules_take_ansible_core_module_utils_from_the_session_bytecode_cache(tmp_path):
    """module_log/sitecustomize.py: ansible-core's files in the payload zip compiled once, then read from the cache."""
    cache = tmp_path / 'ansible-bytecode'
    play = _harness.write_playbook(tmp_path, 'ping', [{'name': 'ping', 'ansible.builtin.ping': {}}])
    first = run_playbook(play, env={'CLOUDOPS_TEST_ANSIBLE_BYTECODE': str(cache)})
    assert first.result('ping')['ping'] == 'pong'
    stored = sorted(p.name for p in cache.rglob('*.bin'))
    # basic.py and the files it imports: dozens, one per source
    assert len(stored) > 20, stored
    again = run_playbook(play, env={'CLOUDOPS_TEST_ANSIBLE_BYTECODE': str(cache)})
    assert again.result('ping')['ping'] == 'pong'
    assert sorted(p.name for p in cache.rglob('*.bin')) == stored
