# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""vRO run state words the API's list does not hold, against the fake vRO of ``test_blind_vro_runs`` (real HTTP,
ansible-playbook).

The 8.18 spec's ``ExecutionState.state`` enum: canceled, completed, running, suspended, waiting, waiting-signal,
failed, initializing; the 8.x reference page names them in Java (``CANCELED``, ``STATE_WAITING_ON_SIGNAL``). A word
outside them was waited on silently until ``wait_timeout``:

- ``cancelled`` (British; VMware's own vCO SOAP client names the state ``CANCELLED``, SDDC Manager answers
  ``Cancelled``) and ``CANCELLED`` are the run canceled: the wait ends;
- ``canceling`` / ``cancelling`` (a cancel taken, the run not ended yet) is waited on, without a warning;
- any other word is waited on too (nothing says the run ended), with one warning naming it, and a timeout that names
  it as no vRO run state.
"""

from __future__ import annotations

import pytest

from test_blind_vro_runs import START, RunVro, run


def warnings_naming(result, word):
    return [w for w in result.get('warnings') or [] if "reads state '%s'" % word in w]


@pytest.mark.parametrize('script, java', [
    (('running', 'cancelling', 'cancelled'), False),
    (('running', 'canceling', 'cancelled'), True),      # CANCELING, CANCELLED
    (('running', 'cancelled'), False),
])
def test_a_run_read_cancelled_ends_the_wait_as_canceled(tmp_path, script, java):
    with RunVro(script=script, java=java) as server:
        res = run(tmp_path, server, [('start', 'vro_workflow_run', dict(START, wait_timeout=30))])
    result = res.record('start')['result']
    assert not result.get('timed_out'), result.get('msg')
    assert result['state'] == 'canceled', result.get('msg')
    assert 'was canceled' in result['msg'], result['msg']
    assert not [w for w in result.get('warnings') or [] if 'reads state' in w], result.get('warnings')
    assert server.count('POST', '/executions') == 1


# wait_for cannot name canceling (not in the 8.18 spec's enum; a passing word): waiting for canceled goes through it.
@pytest.mark.parametrize('script', [('running', 'cancelled'), ('running', 'canceling', 'canceling', 'canceled'),
                                    ('canceling', 'CANCELLING', 'cancelled')])
def test_execution_info_waiting_for_canceled_takes_cancelled(tmp_path, script):
    with RunVro() as server:
        eid = server.add_run([('vmName', 'string', 'web01')], state=script[0], script=list(script))
        res = run(tmp_path, server, [('read', 'vro_execution_info', {
            'workflow_id': START['workflow_id'], 'execution_id': eid, 'wait_for': ['canceled'], 'wait_timeout': 30,
            'poll_interval': 0.05, 'poll_interval_max': 0.1})])
    rec = res.record('read')
    assert rec['status'] == 'ok', rec['result'].get('msg')
    assert rec['result']['state'] == 'canceled'
    assert not [w for w in rec['result'].get('warnings') or [] if 'reads state' in w], rec['result'].get('warnings')


def test_an_unknown_state_word_is_waited_on_with_one_warning_naming_it(tmp_path):
    with RunVro(script=('running', 'paused-by-admin', 'paused-by-admin', 'paused-by-admin', 'completed')) as server:
        res = run(tmp_path, server, [('start', 'vro_workflow_run', dict(START, wait_timeout=30))])
    result = res.record('start')['result']
    assert res.record('start')['status'] == 'ok', result.get('msg')
    assert result['state'] == 'completed'
    warned = warnings_naming(result, 'paused-by-admin')
    assert len(warned) == 1, result.get('warnings')
    assert 'not a vRO run state' in warned[0] and 'waited on' in warned[0], warned[0]


def test_an_unknown_state_word_to_the_timeout_is_named_in_the_failure(tmp_path):
    with RunVro(script=('running', 'ZOMBIE_STATE')) as server:
        res = run(tmp_path, server, [('start', 'vro_workflow_run', dict(START, wait_timeout=2))])
    result = res.record('start')['result']
    assert result.get('timed_out') is True, result.get('msg')
    assert "is still zombie-state (not a vRO run state, see the warning)" in result['msg'], result['msg']
    assert len(warnings_naming(result, 'zombie-state')) == 1, result.get('warnings')
    assert server.count('POST', '/executions') == 1


def test_a_batch_reading_an_unknown_word_from_the_run_list_warns_once(tmp_path):
    # From three runs on, a batch reads every state from one list of runs (LIST_POLL_MIN), not from .../state.
    with RunVro(script=('running', 'paused-by-admin', 'paused-by-admin', 'completed')) as server:
        res = run(tmp_path, server, [('batch', 'vro_workflow_run', dict(
            {k: v for k, v in START.items() if k != 'inputs'},
            runs=[{'vmName': 'web%02d' % i, 'cpu': 2} for i in range(3)]))])
    rec = res.record('batch')
    assert rec['status'] == 'ok', rec['result'].get('msg')
    assert [e['state'] for e in rec['result']['executions']] == ['completed'] * 3
    assert len(warnings_naming(rec['result'], 'paused-by-admin')) == 1, rec['result'].get('warnings')
