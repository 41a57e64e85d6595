# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one return style (issue 14 item 7): the key converter, times, "missing", and the entry shapers of each product
(which the EDA event sources call too)."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.model import with_iso_times
from ansible_collections.cloudops.orchestrator.plugins.module_utils._shape import iso_z, no_empty, snake_case, snake_keys
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import Task, info_entry
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import Execution, UserInteraction
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_model import ScheduledTask


@pytest.mark.parametrize('name, expected', [
    ('isRetryable', 'is_retryable'),
    ('completionTimestamp', 'completion_timestamp'),
    ('subTasks', 'sub_tasks'),
    ('vROId', 'vro_id'),
    ('vCenterName', 'vcenter_name'),
    ('URL', 'url'),
    ('baseURL', 'base_url'),
    ('getURLForID', 'get_url_for_id'),
    ('HTTPStatus', 'http_status'),
    ('URLs', 'urls'),
    ('resourceIDs', 'resource_ids'),
    ('ipv4Address', 'ipv4_address'),
    ('start-date', 'start_date'),
    ('Name', 'name'),
    ('status_raw', 'status_raw'),
    ('already_snake_2', 'already_snake_2'),
    ('a1b2', 'a1b2'),
    ('_links', '_links'),
    ('id', 'id'),
])
def test_snake_case(name, expected):
    assert snake_case(name) == expected


def test_snake_keys_converts_nested_dicts_in_lists_and_leaves_data_alone():
    given = {'subTasks': [{'creationTimestamp': 'x', 'errors': [{'errorCode': 'E1', 'context': {'vcenterName': 'vc'}}]}],
             'parm': {'processName': 'Deploy', 'nested': {'camelKey': 1}}, 'status_raw': 'Failed', 7: 'not a string'}
    shaped = snake_keys(given, data_keys=frozenset(('parm', 'context')))
    assert shaped == {'sub_tasks': [{'creation_timestamp': 'x', 'errors': [{'error_code': 'E1',
                                                                           'context': {'vcenterName': 'vc'}}]}],
                      'parm': {'processName': 'Deploy', 'nested': {'camelKey': 1}}, 'status_raw': 'Failed',
                      7: 'not a string'}
    # A copy: shaping never changes what the server sent.
    assert given['subTasks'][0]['creationTimestamp'] == 'x' and 'sub_tasks' not in given


@pytest.mark.parametrize('value, expected', [
    ('2014-03-31T13:03:50+0200', '2014-03-31T11:03:50.000Z'),
    ('2026-01-31T10:00:00.120+00:00', '2026-01-31T10:00:00.120Z'),
    ('2026-01-31T10:00:00Z', '2026-01-31T10:00:00.000Z'),
    (1396263830875, '2014-03-31T11:03:50.875Z'),
    ('', None),
    (None, None),
    ('not a time', 'not a time'),
])
def test_iso_z(value, expected):
    assert iso_z(value) == expected


def test_iso_z_of_a_millisecond_field_reads_small_numbers_as_milliseconds():
    assert iso_z(1000, ms=True) == '1970-01-01T00:00:01.000Z'
    assert iso_z(1000) == '1970-01-01T00:16:40.000Z'  # the collection's rule: below 10**10 is seconds


def test_no_empty_keeps_user_data():
    assert no_empty({'description': '', 'inputs': {'name': ''}, 'recurrence': {'pattern': ''}},
                    frozenset(('inputs',))) == {'description': None, 'inputs': {'name': ''}, 'recurrence': {'pattern': None}}


VCF_TASK = {
    'id': 't1', 'name': 'Deploy', 'type': 'DEPLOY', 'status': 'Failed', 'isRetryable': False, 'isCancellable': False,
    'resolutionStatus': '', 'creationTimestamp': '2026-01-31T11:00:00.000+01:00', 'completionTimestamp': None,
    'resources': [{'resourceId': 'r1', 'type': 'NSXT_MANAGER'}],
    'subTasks': [{'name': 'Step', 'status': 'FAILED', 'creationTimestamp': '2026-01-31T10:00:01Z',
                  'errors': [{'errorCode': 'E1', 'remediationMessage': 'Fix it', 'referenceToken': 'TOK',
                              'context': {'hostName': 'esx01'}}]}],
    'errors': [],
}


def test_vcf_info_entry_is_snake_case_with_raw():
    entry = info_entry(Task(VCF_TASK))
    assert entry['is_retryable'] is False and entry['is_cancellable'] is False
    assert entry['resolution_status'] is None
    assert entry['creation_timestamp'] == '2026-01-31T10:00:00.000Z' and entry['completion_timestamp'] is None
    assert entry['resources'] == [{'resource_id': 'r1', 'type': 'NSXT_MANAGER'}]
    sub = entry['sub_tasks'][0]
    assert sub['creation_timestamp'] == '2026-01-31T10:00:01.000Z'
    assert sub['errors'][0] == {'error_code': 'E1', 'remediation_message': 'Fix it', 'reference_token': 'TOK',
                                'context': {'hostName': 'esx01'}}
    assert entry['status'] == 'FAILED' and entry['status_raw'] == 'Failed' and entry['credentials_task'] is False
    assert entry['subtask_summary']['counts'] == {'FAILED': 1}
    assert entry['raw'] == VCF_TASK
    assert not [key for key in entry if key != 'raw' and snake_case(key) != key]


def test_vcf_retry_entry_errors_are_snake_case():
    entry = Task(VCF_TASK).result()
    assert entry['errors'][0]['remediation_message'] == 'Fix it' and entry['errors'][0]['reference_token'] == 'TOK'
    assert entry['errors'][0]['error_code'] == 'E1' and entry['resolution_status'] is None
    assert entry['creation_timestamp'] == '2026-01-31T10:00:00.000Z' and entry['raw'] == VCF_TASK


def test_ico_entry_is_snake_case_keeps_parm_and_raw():
    task = {'id': '1003', 'eventTopic': 'a/b', 'delayInSeconds': 0, 'serviceInstanceId': 'si',
            'serviceInstance': {'offeringName': 'x'}, 'parm': {'processApp': 'X', 'processName': 'Y'},
            'created': 1396263830875, 'updated': 1396263914896, 'created_iso': '2014-03-31T13:03:50+0200',
            'error_message': '', 'description': {'resourceBundle': 'b', 'messageKey': 'K'}}
    entry = with_iso_times(task)
    assert entry['event_topic'] == 'a/b' and entry['delay_in_seconds'] == 0 and entry['service_instance_id'] == 'si'
    assert entry['service_instance'] == {'offering_name': 'x'}
    assert entry['parm'] == {'processApp': 'X', 'processName': 'Y'}
    assert entry['created'] == 1396263830875
    assert entry['created_iso'] == '2014-03-31T11:03:50.000Z' and entry['updated_iso'] == '2014-03-31T11:05:14.896Z'
    assert entry['error_message'] is None
    assert entry['description'] == {'resource_bundle': 'b', 'message_key': 'K'}
    assert entry['raw'] == task


def test_vro_entries_say_null_not_empty_and_keep_inputs():
    run = Execution({'id': 'e1', 'state': 'running', 'current-item-display-name': '', 'business-state': '',
                     'content-exception': '', 'start-date': '2026-01-31T10:00:00.000+01:00',
                     'input-parameters': [{'name': 'note', 'type': 'string', 'value': {'string': {'value': ''}}}]},
                    workflow_id='w1').to_result()
    assert run['current_item'] is None and run['business_state'] is None and run['content_exception'] is None
    assert run['start_date'] == '2026-01-31T09:00:00.000Z'
    assert run['inputs'] == {'note': ''}
    listed = Execution.from_link({'href': 'https://vro/vco/api/workflows/w1/executions/e2/', 'attributes': [
        {'name': 'id', 'value': 'e2'}, {'name': 'state', 'value': 'running'}, {'name': 'endDate', 'value': ''},
        {'name': 'contentException', 'value': ''}]}, 'w1').to_result()
    assert listed['end_date'] is None and listed['content_exception'] is None
    task = ScheduledTask({'id': 't1', 'name': 'n', 'description': '', 'recurrence-pattern': ''}).to_result()
    assert task['description'] is None and task['recurrence']['pattern'] is None


def test_vro_interaction_list_entry_keeps_the_server_attributes_under_raw():
    attributes = {'id': 'i1', 'name': 'Approve', 'state': 'waiting', 'executionId': 'e1'}
    entry = UserInteraction({'href': 'h'}, attributes).to_result()
    assert entry['raw'] == attributes and 'attributes' not in entry and entry['execution_id'] == 'e1'


def test_error_details_are_snake_case_in_the_result_and_unchanged_on_the_error():
    details = {'errorCode': 'E1', 'remediationMessage': 'Fix', 'causes': ['a'], 'sent': False}
    error = ApiError('refused', kind='http', status=409, details=details)
    assert error.to_result()['details'] == {'error_code': 'E1', 'remediation_message': 'Fix', 'causes': ['a'],
                                            'sent': False}
    assert error.details['errorCode'] == 'E1'


def test_vcf_credentials_sub_task_passwords_are_never_returned():
    sub = {'name': 'Rotate', 'status': 'FAILED', 'username': 'root', 'oldPassword': 'Old-s3cret!', 'newPassword': 'New-s3cret!'}
    raw = {'id': 'c1', 'status': 'FAILED', 'subTasks': [sub]}
    for entry in (info_entry(Task(raw)), Task(raw).result()):
        text = repr(entry)
        assert 'Old-s3cret!' not in text and 'New-s3cret!' not in text, entry
        assert entry['raw']['subTasks'][0]['newPassword'] == '********'
    assert info_entry(Task(raw))['sub_tasks'][0]['old_password'] == '********'
    assert raw['subTasks'][0]['oldPassword'] == 'Old-s3cret!'
