# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the scheduled-task layer: reading WsTask bodies, diffing, WsTask bodies, the 50-task limit error.

Recorded task bodies only (shaped as vRO 8.x and 7.x send them); no server.
"""

from __future__ import annotations

import copy

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import check_shape
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_api import ScheduledTasks as TaskService
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_model import (
    TASK_LIMIT, DesiredTask, ScheduledTask, canonical_date, desired_view, kept_parameters, limit_error, removed_but_kept,
    task_body, task_differences, task_view)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.encode import encode_parameters
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_model import inputs_reset

WORKFLOW = 'a0ab069-cf2f-47e0-96f5-4a8920a5dc51'
OTHER_WORKFLOW = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0002'
DECLARED = [
    {'name': 'name', 'type': 'string'},
    {'name': 'count', 'type': 'number'},
    {'name': 'when', 'type': 'Date'},
    {'name': 'password', 'type': 'SecureString'},
    {'name': 'tags', 'type': 'Array/string'},
]

# GET /tasks/{id} on 8.x: ISO dates with an offset, numbers as doubles.
TASK_8X = {
    'id': 't-1', 'name': 'nightly', 'href': 'https://vro/vco/api/tasks/t-1/', 'state': 'pending', 'userName': 'vcoadmin',
    'description': '',
    'workflow': {'id': WORKFLOW, 'name': 'AWSNEW', 'href': 'https://vro/vco/api/workflows/%s/' % WORKFLOW},
    'recurrence-cycle': 'every-days', 'recurrence-start-date': '2030-01-01T10:00:00.000+00:00', 'start-mode': 'normal',
    'input-parameters': [
        {'name': 'name', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'web01'}}},
        {'name': 'count', 'type': 'number', 'scope': 'local', 'value': {'number': {'value': 20.0}}},
        {'name': 'when', 'type': 'Date', 'scope': 'local', 'value': {'date': {'value': '2030-01-02T00:00:00.000+00:00'}}},
        {'name': 'password', 'type': 'SecureString', 'scope': 'local'},
        {'name': 'tags', 'type': 'Array/string', 'scope': 'local'},
    ],
}


def current(**changes):
    data = copy.deepcopy(TASK_8X)
    data.update(changes)
    return ScheduledTask(data)


def encoded(**inputs):
    return encode_parameters(DECLARED, inputs, 'AWSNEW')


def desired(**kwargs):
    kwargs.setdefault('workflow_id', WORKFLOW)
    return DesiredTask('nightly', **kwargs)


# -- reading ---------------------------------------------------------------------------------------------------

def test_reads_a_full_task_in_both_date_forms():
    old = copy.deepcopy(TASK_8X)
    old['recurrence-start-date'] = 1893492000000  # epoch milliseconds, as 7.x sends it
    task_old, task_new = ScheduledTask(old), ScheduledTask(TASK_8X)
    assert task_new.start == task_old.start == '2030-01-01T10:00:00.000Z'
    assert task_new.workflow_id == WORKFLOW
    assert task_new.user == 'vcoadmin'
    assert task_new.to_result()['inputs'] == {'name': 'web01', 'count': 20, 'when': '2030-01-02T00:00:00.000Z',
                                              'password': None, 'tags': None}


def test_reads_a_list_link_as_summary():
    link = {'href': 'https://vro/vco/api/tasks/t-9/', 'rel': 'down', 'attributes': [
        {'name': 'name', 'value': 'nightly'}, {'name': 'state', 'value': 'finished'},
        {'name': 'workflowId', 'value': WORKFLOW}, {'name': 'recurrenceCycle', 'value': 'one-time'}]}
    task = ScheduledTask.from_link(link)
    assert (task.id, task.name, task.state, task.workflow_id, task.cycle) == ('t-9', 'nightly', 'finished', WORKFLOW, 'one-time')
    assert 'inputs' not in task.to_result()


def test_workflow_id_from_href_only():
    data = copy.deepcopy(TASK_8X)
    data['workflow'] = {'href': 'https://vro/vco/api/workflows/%s/' % OTHER_WORKFLOW}
    assert ScheduledTask(data).workflow_id == OTHER_WORKFLOW


# -- diffing -----------------------------------------------------------------------------------------------------

def test_nothing_managed_means_no_difference():
    assert task_differences(current(), desired()) == []


def test_same_values_in_other_forms_are_equal():
    want = desired(recurrence={'cycle': 'every-days', 'start': '2030-01-01T11:00:00+01:00'},
                   parameters=encoded(name='web01', count='20', when='2030-01-02', password='s3cret'),
                   start_mode='normal', description='')
    have = current(**{'input-parameters': TASK_8X['input-parameters'][:3] + [
        {'name': 'password', 'type': 'SecureString', 'scope': 'local', 'value': {'secure-string': {'value': '****'}}}]})
    assert task_differences(have, want) == []


@pytest.mark.parametrize('kwargs, expected', [
    ({'recurrence': {'cycle': 'every-hours', 'start': '2030-01-01T10:00:00Z'}}, ['recurrence.cycle']),
    ({'recurrence': {'cycle': 'every-days', 'start': '2030-01-01T10:00:01Z'}}, ['recurrence.start']),
    ({'recurrence': {'cycle': 'every-days', 'end': '2031-01-01T00:00:00Z'}}, ['recurrence.end']),
    ({'recurrence': {'cycle': 'every-days', 'pattern': '02:00:00'}}, ['recurrence.pattern']),
    ({'start_mode': 'start-in-the-past'}, ['start_mode']),
    ({'description': 'nightly build'}, ['description']),
    ({'workflow_id': OTHER_WORKFLOW}, ['workflow_id']),
])
def test_each_field_is_reported(kwargs, expected):
    assert task_differences(current(), desired(**kwargs)) == expected


def test_recurrence_without_start_keeps_the_start():
    assert task_differences(current(), desired(recurrence={'cycle': 'every-days'})) == []


def test_recurrence_is_managed_as_a_whole():
    have = current(**{'recurrence-end-date': '2031-01-01T00:00:00.000+00:00', 'recurrence-pattern': '02:00:00'})
    assert task_differences(have, desired(recurrence={'cycle': 'every-days', 'pattern': ''})) == ['recurrence.end', 'recurrence.pattern']
    # A pattern left out is not managed: servers may derive one from the start, and tasks made in the vRO client carry one.
    assert task_differences(have, desired(recurrence={'cycle': 'every-days'})) == ['recurrence.end']
    assert desired_view(have, desired(recurrence={'cycle': 'every-days'}))['recurrence']['pattern'] == '02:00:00'


def test_the_java_names_of_cycle_and_start_mode_read_as_the_spec_spells_them():
    # vRO's 7.3 API reference lists recurrence-cycle and start-mode by their Java names (and states in capitals).
    have = current(**{'recurrence-cycle': 'EVERY_DAYS', 'start-mode': 'START_IN_THE_PAST', 'state': 'PENDING'})
    assert (have.cycle, have.start_mode, have.state) == ('every-days', 'start-in-the-past', 'pending')
    assert task_differences(have, desired(recurrence={'cycle': 'every-days'}, start_mode='start-in-the-past')) == []


def test_inputs_differ_by_value_and_by_presence():
    assert task_differences(current(), desired(parameters=encoded(name='web02', count=20, when='2030-01-02'))) == ['inputs']
    # A new input, an input left out, a secret newly given: each is a difference.
    assert task_differences(current(), desired(parameters=encoded(name='web01', count=20, when='2030-01-02',
                                                                  tags=['a']))) == ['inputs']
    assert task_differences(current(), desired(parameters=encoded(name='web01', count=20))) == ['inputs']


def test_secure_values_are_never_compared():
    data = copy.deepcopy(TASK_8X)
    data['input-parameters'][3]['value'] = {'secure-string': {'value': 'old-secret'}}
    want = desired(parameters=encoded(name='web01', count=20, when='2030-01-02', password='new-secret'))
    assert task_differences(ScheduledTask(data), want) == []
    # A server that leaves the secret out of its echo: still the same task.
    assert task_differences(current(), want) == []
    # A secret the task holds but the user no longer sends is a difference.
    without_secret = desired(parameters=encoded(name='web01', count=20, when='2030-01-02'))
    assert task_differences(ScheduledTask(data), without_secret) == ['inputs']


def test_empty_inputs_mapping_clears_inputs():
    assert task_differences(current(), desired(parameters=encoded())) == ['inputs']
    empty = current(**{'input-parameters': []})
    assert task_differences(empty, desired(parameters=encoded())) == []


def test_several_differences_in_a_stable_order():
    want = desired(workflow_id=OTHER_WORKFLOW, description='x', start_mode='start-in-the-past',
                   recurrence={'cycle': 'one-time', 'start': '2030-01-01T10:00:00Z'}, parameters=encoded(name='web09'))
    assert task_differences(current(), want) == ['workflow_id', 'recurrence.cycle', 'start_mode', 'description', 'inputs']


# -- desired values ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize('kwargs, message', [
    ({'recurrence': {'cycle': 'every-years'}}, 'recurrence cycle'),
    ({'recurrence': {'start': 'tomorrow'}}, "'tomorrow' is not a date"),
    ({'recurrence': {'start': '2030-01-02T00:00:00Z', 'end': '2030-01-01T00:00:00Z'}}, 'before its start'),
    ({'start_mode': 'later'}, 'start_mode'),
])
def test_bad_desired_values_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        desired(**kwargs)


def test_canonical_date_forms():
    assert canonical_date('2030-01-01 11:00:00+01:00') == '2030-01-01T10:00:00.000Z'
    assert canonical_date(1893492000000) == '2030-01-01T10:00:00.000Z'
    assert canonical_date(None) is None
    with pytest.raises(ValueError, match="^recurrence.start: 'tomorrow' is not a date"):
        canonical_date('tomorrow', option='recurrence.start')


# -- views and bodies ----------------------------------------------------------------------------------------------

def test_diff_views_of_an_update():
    want = desired(description='nightly build', parameters=encoded(name='web02', password='s3cret'))
    before = task_view(current())
    after = desired_view(current(), want)
    assert before['description'] == '' and after['description'] == 'nightly build'
    assert before['inputs']['name'] == 'web01' and after['inputs'] == {'name': 'web02', 'password': '********'}
    expected = {'cycle': 'every-days', 'start': '2030-01-01T10:00:00.000Z', 'end': None, 'pattern': None}
    assert after['recurrence'] == before['recurrence'] == expected
    assert 's3cret' not in repr(after)


def test_view_of_a_new_task_starts_now_by_default():
    after = desired_view(None, desired(), now='2030-05-05T05:05:05.000Z')
    assert after['recurrence'] == {'cycle': 'one-time', 'start': '2030-05-05T05:05:05.000Z', 'end': None, 'pattern': None}
    assert after['start_mode'] == 'normal' and after['inputs'] == {} and after['workflow_id'] == WORKFLOW


def test_create_body_is_a_wstask():
    want = desired(recurrence={'cycle': 'every-weeks', 'start': '2030-01-01T10:00:00Z'}, parameters=encoded(name='web01'))
    body = task_body(desired_view(None, want), want.parameters)
    assert body == {'name': 'nightly', 'workflow': {'id': WORKFLOW}, 'recurrence-cycle': 'every-weeks',
                    'recurrence-start-date': '2030-01-01T10:00:00.000Z', 'start-mode': 'normal',
                    'input-parameters': [{'name': 'name', 'type': 'string', 'scope': 'local',
                                          'value': {'string': {'value': 'web01'}}}]}


def test_update_body_clears_end_and_pattern_and_leaves_unmanaged_inputs_out():
    have = current(**{'recurrence-end-date': '2031-01-01T00:00:00.000+00:00', 'recurrence-pattern': '02:00:00'})
    body = task_body(desired_view(have, desired(recurrence={'cycle': 'every-days', 'pattern': ''})), None, task_id='t-1')
    assert body['id'] == 't-1'
    assert body['recurrence-end-date'] is None and body['recurrence-pattern'] is None
    assert body['recurrence-start-date'] == '2030-01-01T10:00:00.000Z'
    assert 'input-parameters' not in body


def test_kept_parameters_send_the_current_inputs_back_but_never_a_secret():
    plain = current(**{'input-parameters': TASK_8X['input-parameters'][:3] + [
        {'name': 'tags', 'type': 'Array/string', 'scope': 'local', 'description': 'd', 'updated': False}]})
    kept = kept_parameters(plain)
    assert [p['name'] for p in kept] == ['name', 'count', 'when', 'tags']
    assert kept[0] == {'name': 'name', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'web01'}}}
    assert kept[3] == {'name': 'tags', 'type': 'Array/string', 'scope': 'local'}  # WsParameter fields only
    assert kept_parameters(current(**{'input-parameters': []})) == []
    # A SecureString input (shown or not, masked or not): its value read back need not be the real one.
    assert kept_parameters(current()) is None
    hidden_kind = {'name': 'token', 'type': 'string', 'scope': 'local', 'value': {'encrypted-string': {'value': '****'}}}
    assert kept_parameters(current(**{'input-parameters': [hidden_kind]})) is None


def test_kept_parameters_never_send_back_a_secret_inside_an_array_or_composite():
    # Array/SecureString and a composite with a SecureString field: the secrets are inside the value (or declared in
    # the type only, with no value shown); sending what was read back would overwrite them.
    array = {'name': 'keys', 'type': 'Array/SecureString', 'scope': 'local',
             'value': {'array': {'elements': [{'secure-string': {'value': '****'}}]}}}
    composite = {'name': 'creds', 'type': 'CompositeType(user:string,password:SecureString):Creds', 'scope': 'local',
                 'value': {'composite': {'type': 'Creds', 'property': [
                     {'id': 'user', 'value': {'string': {'value': 'bob'}}},
                     {'id': 'password', 'value': {'secure-string': {'value': '****'}}}]}}}
    unshown = {'name': 'keys', 'type': 'Array/EncryptedString', 'scope': 'local'}
    spec_spelled = {'name': 'creds', 'type': 'Creds', 'scope': 'local', 'value': {'composite': {'CompositeObjectValue': [
        {'composite-value': {'id': 'password', 'value': {'encrypted-string': {'value': '****'}}}}]}}}
    for param in (array, composite, unshown, spec_spelled):
        assert kept_parameters(current(**{'input-parameters': TASK_8X['input-parameters'][:1] + [param]})) is None, param
    plain_array = {'name': 'tags', 'type': 'Array/string', 'scope': 'local',
                   'value': {'array': {'elements': [{'string': {'value': 'a'}}]}}}
    assert kept_parameters(current(**{'input-parameters': [plain_array]})) == [plain_array]


def test_removed_but_kept_names_only_the_removals_the_server_did_not_apply():
    have = current(**{'recurrence-end-date': '2031-01-01T00:00:00.000+00:00', 'recurrence-pattern': '02:00:00'})
    assert removed_but_kept(have, desired(recurrence={'cycle': 'every-days', 'pattern': ''})) == ['recurrence.end', 'recurrence.pattern']
    assert removed_but_kept(have, desired(recurrence={'cycle': 'every-days'})) == ['recurrence.end']
    # Another end (a change, not a removal), a recurrence left unmanaged, nothing left to remove.
    assert removed_but_kept(have, desired(recurrence={'cycle': 'every-days', 'end': '2032-01-01T00:00:00Z',
                                                      'pattern': '02:00:00'})) == []
    assert removed_but_kept(have, desired(description='x')) == []
    assert removed_but_kept(current(), desired(recurrence={'cycle': 'every-days'})) == []


def test_inputs_reset_names_the_inputs_an_update_took_away():
    secret = {'name': 'password', 'type': 'SecureString', 'scope': 'local', 'value': {'secure-string': {'value': 'x'}}}
    before = current(**{'input-parameters': TASK_8X['input-parameters'][:3] + [secret]})
    # A server that replaced the task with a body without inputs: every value is gone (a declared input stays listed).
    emptied = current(**{'input-parameters': [{'name': p['name'], 'type': p['type']} for p in before.input_parameters]})
    assert inputs_reset(before, emptied) == ['count', 'name', 'password', 'when']
    assert inputs_reset(before, current(**{'input-parameters': []})) == ['count', 'name', 'password', 'when']
    # Kept (a merge), or never set: nothing to report.
    assert inputs_reset(before, before) == []
    assert inputs_reset(current(**{'input-parameters': [{'name': 'tags', 'type': 'Array/string'}]}), emptied) == []


# -- the 50-task limit ---------------------------------------------------------------------------------------------

def _tasks(count, spent=0):
    return [ScheduledTask({'id': 't-%d' % i, 'name': 'task %d' % i, 'state': 'finished' if i < spent else 'pending'},
                          summary=True) for i in range(count)]


def test_limit_error_names_the_count_and_how_to_free_room():
    server = ApiError('the server rejected the request as invalid', status=400,
                      server_message='Orchestrator supports at most 50 scheduled tasks')
    error = limit_error('one more', _tasks(TASK_LIMIT, spent=12), server)
    text = str(error)
    assert isinstance(error, OperationError)
    assert "'one more'" in text and 'at most 50' in text and '50 exist' in text
    assert 'state: absent' in text and 'vro_task_info' in text
    assert "'task 0' (finished)" in text and 'and 2 more' in text
    assert error.result['task_count'] == 50 and len(error.result['spent_tasks']) == 12
    assert error.result['error']['status'] == 400


def test_limit_error_without_spent_tasks():
    text = str(limit_error('x', _tasks(50)))
    assert 'will not run again' not in text and '50 exist' in text


# -- the service over a fake client ------------------------------------------------------------------------------

class FakeResponse(object):
    def __init__(self, status, body=None, headers=None):
        self.status_code = status
        self.body = body
        self.headers = headers or {}
        self.content = b'x' if body is not None else b''


class FakeClient(object):
    def __init__(self, routes):
        self.routes = routes
        self.sent = []

    def get(self, path, params=None, shape=None, fields=None, inner=None):
        self.sent.append(('GET', path))
        answer = self.routes[('GET', path)]
        if isinstance(answer, Exception):
            raise answer
        return answer if shape is None else check_shape(answer, shape, fields, 'GET', path, 200, inner)

    def request(self, method, path, json=None, expected=None):
        self.sent.append((method, path, json))
        answer = self.routes[(method, path)]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def decode(self, response):
        return response.body

    @staticmethod
    def check(response, body, shape, fields=None, inner=None):
        return check_shape(body, shape, fields, status=response.status_code, inner=inner)


def test_find_reads_only_tasks_with_the_name():
    listing = {'relations': {'link': [
        {'href': 'https://vro/vco/api/tasks/t-1/', 'attributes': [{'name': 'id', 'value': 't-1'}, {'name': 'name', 'value': 'nightly'}]},
        {'href': 'https://vro/vco/api/tasks/t-2/', 'attributes': [{'name': 'id', 'value': 't-2'}, {'name': 'name', 'value': 'other'}]},
    ], 'total': 2}}
    client = FakeClient({('GET', '/tasks'): listing, ('GET', '/tasks/t-1'): TASK_8X})
    found = TaskService(client).find('nightly')
    assert [t.id for t in found] == ['t-1']
    assert ('GET', '/tasks/t-2') not in client.sent


def test_create_reads_back_by_location_when_the_body_is_empty():
    client = FakeClient({('POST', '/tasks'): FakeResponse(202, None, {'Location': 'https://vro/vco/api/tasks/t-1/'}),
                         ('GET', '/tasks/t-1'): TASK_8X})
    task = TaskService(client).create({'name': 'nightly'})
    assert task.id == 't-1' and task.name == 'nightly'


def test_delete_of_a_missing_task_is_not_an_error():
    client = FakeClient({('DELETE', '/tasks/t-1'): ApiError('not found', status=404)})
    assert TaskService(client).delete('t-1') is False
