# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""pytest fixtures for the integration suite; the machinery and its documentation are in _harness.py."""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# pylint: disable-next=wrong-import-position
import _harness  # noqa: E402
from _harness import QUIRKS_ENV, Simulator, ensure_playbook_collection, env_quirk_args  # noqa: E402

# A test requesting one of these can start a simulator, and only such a test can run differently under quirks.
SIMULATOR_FIXTURES = frozenset(('simulator', 'simulator_factory'))


@pytest.fixture(scope='session', autouse=True)
def playbook_transcripts(tmp_path_factory):
    """The whole suite runs at -vvv with transcripts kept, so that test_secrets.py can scan everything it printed."""
    os.environ.setdefault('CLOUDOPS_PLAYBOOK_VERBOSITY', '3')
    if not os.environ.get('CLOUDOPS_TRANSCRIPT_DIR'):
        os.environ['CLOUDOPS_TRANSCRIPT_DIR'] = str(tmp_path_factory.getbasetemp() / 'transcripts')
    return os.environ['CLOUDOPS_TRANSCRIPT_DIR']


@pytest.fixture(scope='session', autouse=True)
def bytecode_cache(tmp_path_factory):
    """Modules keep their bytecode in a directory of this session (one per worker), not in the home directory: every
    playbook after the first takes it from there, as a user's do (plugins/module_utils/_compile_once.py)."""
    if 'CLOUDOPS_ORCHESTRATOR_BYTECODE_CACHE' not in os.environ:
        os.environ['CLOUDOPS_ORCHESTRATOR_BYTECODE_CACHE'] = str(tmp_path_factory.getbasetemp() / 'bytecode')
    return os.environ['CLOUDOPS_ORCHESTRATOR_BYTECODE_CACHE']


@pytest.fixture(scope='session', autouse=True)
def ansible_bytecode_cache(tmp_path_factory):
    """ansible-core's own module_utils, compiled from the payload zip on every module task, compiled once per session
    instead (module_log/sitecustomize.py: a test aid, the same code). Set CLOUDOPS_TEST_ANSIBLE_BYTECODE to an empty
    value to run without it."""
    if 'CLOUDOPS_TEST_ANSIBLE_BYTECODE' not in os.environ:
        os.environ['CLOUDOPS_TEST_ANSIBLE_BYTECODE'] = str(tmp_path_factory.getbasetemp() / 'ansible-bytecode')
    return os.environ['CLOUDOPS_TEST_ANSIBLE_BYTECODE']


def uses_simulator(item):
    """True when the test requests the ``simulator`` or ``simulator_factory`` fixture (directly or through another)."""
    return bool(SIMULATOR_FIXTURES.intersection(getattr(item, 'fixturenames', ())))


def _quirk_parse():
    """The simulator's own reading of quirk names (``simulator/quirks.py`` ``parse``: what ``all`` holds, values)."""
    path = os.path.join(_harness.REPO_ROOT, 'simulator', 'quirks.py')
    spec = importlib.util.spec_from_file_location('_sim_quirks_for_tests', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.parse


# The parameters through which a test picks the quirks of the simulator it starts: ``quirk`` (None, a name or a list of
# them) and ``quirks`` (a tuple of names, () for none). A test parametrized with them takes its expectations from what
# the simulator plays (``sim.quirks``), never from the parameter: the variants that start the very same simulator
# assert the very same things.
QUIRK_PARAMS = ('quirk', 'quirks')


def _runs(item):
    return not item.get_closest_marker('default_reading') and not item.get_closest_marker('answer_replaced')


def same_as_unquirked(items, env_names, parse):
    """The items parametrized with ``quirk`` or ``quirks`` (QUIRK_PARAMS) that repeat a sibling (same test, same other
    parameters) under CLOUDOPS_SIM_QUIRKS (``env_names``): the quirks they add to those of the environment make the same
    set (the simulator's ``parse``: what ``all`` holds, values), so both start the very same simulator. Of each such
    set the sibling kept is the one adding no quirk when it runs (not skipped as ``default_reading`` or
    ``answer_replaced``), else the first that runs; the others that would run are returned."""
    groups = {}
    for item in items:
        params = getattr(getattr(item, 'callspec', None), 'params', {})
        if not any(name in params for name in QUIRK_PARAMS):
            continue
        extra = _extra_quirks(params)
        key = (_sibling_key(item, params), repr(parse(list(env_names) + extra)))
        groups.setdefault(key, []).append((bool(extra), item))
    same = []
    for group in groups.values():
        running = [item for ignored, item in sorted(group, key=lambda entry: entry[0]) if _runs(item)]
        same.extend(running[1:])
    order = {id(item): n for n, item in enumerate(items)}
    return sorted(same, key=lambda item: order[id(item)])


def _extra_quirks(params):
    """The quirk names a test adds through its QUIRK_PARAMS."""
    extra = []
    for name in QUIRK_PARAMS:
        value = params.get(name)
        if value:
            extra.extend([value] if isinstance(value, str) else value)
    return extra


def _sibling_key(item, params):
    return (item.nodeid.split('[', 1)[0], tuple(sorted((k, repr(v)) for k, v in params.items() if k not in QUIRK_PARAMS)))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """test_secrets.py scans the output of every other test, so it runs last. Under CLOUDOPS_SIM_QUIRKS, tests marked
    ``default_reading`` (they assert what a quirk changes by design) and ``answer_replaced`` (their own proxy replaces
    the answer they assert on, or they reach no route of the simulator) are skipped, and a test's explicit ``quirk``
    or ``quirks`` parametrization that starts the very same simulator as a sibling that runs is deselected
    (:func:`same_as_unquirked`). Each test that can start a simulator is marked ``uses_simulator`` (before ``-m``
    selects: `make integration-quirks` runs ``-m uses_simulator``)."""
    items.sort(key=lambda item: item.nodeid.split('::')[0].endswith('test_secrets.py'))
    for item in items:
        if uses_simulator(item):
            item.add_marker(pytest.mark.uses_simulator)
    if env_quirk_args():
        skip = pytest.mark.skip(reason='asserts the default reading; the simulator plays quirks (%s)' % QUIRKS_ENV)
        same = pytest.mark.skip(reason='no answer of the simulator decides what it asserts, whatever the simulator plays (answer_replaced)')
        for item in items:
            if item.get_closest_marker('default_reading'):
                item.add_marker(skip)
            elif item.get_closest_marker('answer_replaced'):
                item.add_marker(same)
        names = [n.strip() for n in os.environ.get(QUIRKS_ENV, '').split(',') if n.strip()]
        repeated = same_as_unquirked(items, names, _quirk_parse())
        if repeated:
            config.hook.pytest_deselected(items=repeated)
            dropped = set(id(item) for item in repeated)
            items[:] = [item for item in items if id(item) not in dropped]


@pytest.fixture(scope='session')
def simulator():
    """One TLS simulator for the whole session (python -m simulator --port 0 --data-dir <tmp>)."""
    ensure_playbook_collection()
    sim = Simulator().start()
    try:
        yield sim
    finally:
        sim.cleanup()


@pytest.fixture
def fresh_simulator(simulator):  # pylint: disable=redefined-outer-name
    """The session simulator, reset to its seed data (POST /_sim/reset) before the test."""
    simulator.reset()
    return simulator


@pytest.fixture
def reset(simulator):  # pylint: disable=redefined-outer-name
    """Reset the session simulator before the test; yields nothing useful, use it for the side effect."""
    simulator.reset()
    yield


@pytest.fixture
def simulator_factory(tmp_path):
    """Start extra simulators with command-line options: sim = simulator_factory('--vro-version', '7.6').

    Keyword arguments data_dir and port are passed to Simulator. Every simulator started is stopped after the test.
    """
    started = []

    def start(*args, **kwargs):
        kwargs.setdefault('data_dir', tmp_path / ('sim-%d' % len(started)))
        os.makedirs(str(kwargs['data_dir']), exist_ok=True)
        sim = Simulator(*args, **kwargs)
        started.append(sim)
        return sim.start()

    yield start
    for sim in started:
        sim.cleanup()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Remember a test that is not marked uses_simulator: _harness.Simulator.start refuses to start under it."""
    _harness.UNMARKED_TEST['nodeid'] = None if uses_simulator(item) else item.nodeid
