# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ICO task ``parm`` values under secret-named keys: masked in every result, diff and event entry, compared on their
real values (an unchanged password is not a change, a changed one is), and a server that masks them on read."""

from __future__ import annotations

import copy
import json

from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.model import (
    CHANGED_SECRET, diff_task, full_update, server_masked_secrets, with_iso_times)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.task import manage_task
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.watch import IcoTaskWatch

SECRET = 'Sup3r-s3cret!'
OTHER = 'An0ther-s3cret'
STORED = {'id': '7', 'status': 'COMPLETED', 'eventTopic': 'a/b', 'delayInSeconds': 0,
          'parm': {'host': 'db1', 'password': SECRET, 'nested': {'db_apiKey': SECRET}},
          'error_message': 'login to db1 with %s refused' % SECRET}


class Engine:
    """The TaskEngine calls manage_task makes, on one stored task."""

    def __init__(self, stored=None):
        self.stored = copy.deepcopy(stored)
        self.puts = []

    def get(self, task_id, missing_ok=False, expand=False):
        return copy.deepcopy(self.stored)

    def create(self, fields, warn=None):
        self.stored = dict(copy.deepcopy(fields), id='8', status='QUEUED')
        return copy.deepcopy(self.stored)

    def update(self, task_id, body):
        self.puts.append(copy.deepcopy(body))
        return None

    def delete(self, task_id):
        return True


def _text(value):
    return json.dumps(value, sort_keys=True)


def test_a_task_entry_masks_secret_named_parm_values_and_their_quotes():
    entry = with_iso_times(STORED)
    assert SECRET not in _text(entry)
    assert entry['parm']['password'] == '********' and entry['raw']['parm']['nested']['db_apiKey'] == '********'
    assert entry['parm']['host'] == 'db1' and entry['error_message'] == 'login to db1 with ******** refused'
    assert STORED['parm']['password'] == SECRET  # the server's answer itself is left alone


def test_create_result_and_diff_never_show_the_password():
    warnings = []
    result = manage_task(Engine(), None, {'eventTopic': 'a/b', 'parm': {'password': SECRET}}, 'present', warn=warnings.append)
    assert result['changed'] is True
    assert SECRET not in _text(result) + _text(warnings)
    assert result['diff']['after']['parm']['password'] == '********'


def test_an_unchanged_password_is_not_a_change():
    engine = Engine(STORED)
    result = manage_task(engine, '7', {'parm': copy.deepcopy(STORED['parm'])}, 'present')
    assert result['changed'] is False and engine.puts == []
    assert SECRET not in _text(result)


def test_a_changed_password_is_a_change_whose_diff_says_so_without_values():
    engine = Engine(STORED)
    parm = dict(copy.deepcopy(STORED['parm']), password=OTHER)
    result = manage_task(engine, '7', {'parm': parm}, 'present')
    assert result['changed'] is True and result['msg'] == 'updated task 7: parm'
    assert engine.puts[0]['parm']['password'] == OTHER  # the real value goes to the server
    shown = _text(result)
    assert SECRET not in shown and OTHER not in shown
    assert result['diff']['before']['parm']['password'] == '********'
    assert result['diff']['after']['parm']['password'] == CHANGED_SECRET
    assert result['diff']['after']['parm']['nested']['db_apiKey'] == '********'  # unchanged: plain mask


def test_check_mode_and_delete_mask_too():
    predicted = manage_task(Engine(STORED), '7', {'parm': {'password': OTHER}}, 'present', check_mode=True)
    deleted = manage_task(Engine(STORED), '7', None, 'absent')
    for result in (predicted, deleted):
        assert result['changed'] is True
        assert SECRET not in _text(result) and OTHER not in _text(result)


def test_the_event_source_masks_its_events():
    class Listing(Engine):
        def list(self, expand=False, skip=None):
            return [copy.deepcopy(self.stored)]
    pending, observed = IcoTaskWatch([Listing(STORED)], emit_existing=True).poll()
    events = [event for event, commit in pending]
    assert events and SECRET not in _text(events)


def test_a_password_the_server_masks_on_read_cannot_be_compared_and_is_never_sent_back_as_asterisks():
    # IBM documents no masking on read; a server that did would make every run "changed" and a PUT of the whole
    # definition would set the password to asterisks. It counts as unchanged, with a warning.
    read_masked = dict(STORED, parm={'host': 'db1', 'password': '********'})
    assert server_masked_secrets(read_masked, {'parm': {'host': 'db1', 'password': OTHER}}) == ['parm.password']
    engine, warnings = Engine(read_masked), []
    result = manage_task(engine, '7', {'parm': {'host': 'db1', 'password': OTHER}}, 'present', warn=warnings.append)
    assert result['changed'] is False and engine.puts == []
    assert len(warnings) == 1 and 'parm.password' in warnings[0] and 'masked' in warnings[0] and OTHER not in warnings[0]
    # Another field changes: the given password goes with the definition, not the server's asterisks.
    result = manage_task(engine, '7', {'eventTopic': 'c/d', 'parm': {'host': 'db1', 'password': OTHER}}, 'present',
                         warn=warnings.append)
    assert result['changed'] is True and engine.puts[-1]['parm']['password'] == OTHER
    assert OTHER not in _text(result)
    # Without a parm to send, a masked one is left out of the PUT rather than written back as asterisks.
    assert 'parm' not in full_update(read_masked, {'eventTopic': 'x/y'})


def test_diff_task_compares_real_values():
    same, diff = diff_task(STORED, {'parm': copy.deepcopy(STORED['parm'])})
    changed, diff = diff_task(STORED, {'parm': dict(STORED['parm'], password=OTHER)})
    assert same == {} and changed['parm']['password'] == OTHER
    assert OTHER not in _text(diff) and SECRET not in _text(diff)


def test_a_task_handled_by_id_without_its_password_learns_it_from_the_read_before_anything_is_sent():
    class Recording(Engine):
        def delete(self, task_id):
            sent.append(('DELETE', sorted(learned)))
            return True

        def update(self, task_id, body):
            sent.append(('PUT', sorted(learned)))
            return None
    for task, state in ((None, 'absent'), ({'eventTopic': 'c/d'}, 'present')):
        learned, sent = [], []
        manage_task(Recording(STORED), '7', task, state, add_secret=learned.append)
        assert sent == [(sent[0][0], [SECRET])]
