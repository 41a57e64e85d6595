# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ICO task secrets held in lists: ``passwords: [..]`` (a list under a key naming secrets) are words hidden in every
text of the task and masked by value for the whole run; a changed password inside a list of mappings
(``databases[0].password``) shows as changed in the diff, never as the same ``********`` before and after."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import names_a_secret, secret_values
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.model import CHANGED_SECRET, diff_task, with_iso_times
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.task import manage_task, run

FIRST = 'L1st-s3cret-one'
SECOND = 'L1st-s3cret-two'


@pytest.mark.parametrize('key', ['passwords', 'apiKeys', 'client_secrets', 'password'])
def test_texts_in_a_list_under_a_key_naming_secrets_are_words_to_hide(key):
    assert names_a_secret(key)
    assert secret_values({'parm': {key: [FIRST, {'current': SECOND}]}}) == {FIRST, SECOND}


def test_a_task_quoting_a_listed_password_shows_it_nowhere():
    task = {'id': '7', 'parm': {'host': 'db1', 'passwords': [FIRST, SECOND]},
            'error_message': 'login to db1 refused %s and %s' % (FIRST, SECOND)}
    entry = with_iso_times(task)
    assert FIRST not in json.dumps(entry) and SECOND not in json.dumps(entry)
    assert entry['error_message'] == 'login to db1 refused ******** and ********'
    assert entry['parm'] == {'host': 'db1', 'passwords': '********'}


def test_a_password_changed_inside_a_list_of_mappings_shows_as_changed():
    current = {'parm': {'databases': [{'host': 'db1', 'password': FIRST}, {'host': 'db2', 'password': FIRST}]}}
    desired = {'parm': {'databases': [{'host': 'db1', 'password': FIRST}, {'host': 'db2', 'password': SECOND},
                                      {'host': 'db3', 'password': SECOND}]}}
    changes, diff = diff_task(current, desired)
    assert changes == desired
    after = diff['after']['parm']['databases']
    assert [db['password'] for db in after] == ['********', CHANGED_SECRET, CHANGED_SECRET]
    assert [db['password'] for db in diff['before']['parm']['databases']] == ['********', '********']
    assert FIRST not in json.dumps(diff) and SECOND not in json.dumps(diff)


def test_a_secret_in_a_mapping_new_to_the_task_shows_as_changed():
    changes, diff = diff_task({'parm': {'host': 'db1'}}, {'parm': {'host': 'db1', 'admin': {'password': FIRST}}})
    assert changes and diff['after']['parm']['admin']['password'] == CHANGED_SECRET


class _Module:
    """What orch_task's run() reads of the module, stopping at the first request (the secrets are registered first)."""

    def __init__(self, task):
        self.params = {'task': task, 'id': None, 'state': 'present', 'wait_for_status': None, 'wait': True,
                       'username': 'admin', 'project': 'admin'}
        self.secrets = []
        self.warnings = []
        self.check_mode = True

    def add_secret(self, value):
        self.secrets.append(value)

    def warn(self, message):
        self.warnings.append(message)

    def client(self):
        raise RuntimeError('stop')


def test_listed_passwords_are_masked_by_value_for_the_whole_run():
    module = _Module({'eventTopic': 'a/b', 'parm': {'passwords': [FIRST, SECOND]}})
    with pytest.raises(RuntimeError):
        run(module)
    assert sorted(module.secrets) == [FIRST, SECOND] and module.warnings == []


def test_a_secret_too_short_to_mask_by_value_is_said_so_once():
    module = _Module({'eventTopic': 'a/b', 'parm': {'password': 'ab', 'passwords': ['x1'], 'apiKey': FIRST}})
    with pytest.raises(RuntimeError):
        run(module)
    assert module.secrets == [FIRST]
    assert len(module.warnings) == 1 and 'shorter than 3 characters' in module.warnings[0]
    assert 'masked under its own key' in module.warnings[0] and "'ab'" not in module.warnings[0]


# -- names the rule missed: passwd, api/auth/bearer tokens (api_token is the vRA refresh token's name in this collection)

@pytest.mark.parametrize('key', ['passwd', 'db_passwd', 'api_token', 'apiToken', 'auth_token', 'bearerToken'])
def test_passwd_and_api_tokens_are_secrets_shown_nowhere(key):
    assert names_a_secret(key)
    task = {'id': '7', 'parm': {'host': 'db1', key: FIRST}, 'error_message': 'refused %s' % FIRST}
    entry = with_iso_times(task)
    assert entry['parm'][key] == '********' and FIRST not in json.dumps(entry)


# -- a task followed by id (no parm given, so nothing registered by value) that fails quoting its password ----------

class _Engine:
    def __init__(self, stored):
        self.stored = stored

    def get(self, task_id, missing_ok=False, expand=False):
        return json.loads(json.dumps(self.stored))


class _Waiter:
    def wait(self, fetch, done, on_transient=None, first_delay=0.0):
        return fetch()


def test_a_final_status_not_wanted_never_quotes_the_password_the_server_holds():
    stored = {'id': '7', 'status': 'FAILED', 'eventTopic': 'a/b', 'parm': {'host': 'db1', 'password': FIRST},
              'error_message': 'login to db1 with %s refused' % FIRST}
    with pytest.raises(OperationError) as caught:
        manage_task(_Engine(stored), '7', None, 'present', statuses=['completed'], waiter=_Waiter)
    assert str(caught.value) == 'task 7 reached FAILED, not one of COMPLETED: login to db1 with ******** refused'
    assert FIRST not in json.dumps(vars(caught.value), default=str)
