# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Payload shapes seen in public material (captured answers, public clients, vendor references), fed to the code paths
the runners use. Each fixture is written here from the facts of its source (named above it); no text is copied.

The shapes already covered by test_real_traffic.py are not repeated.
"""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, respond
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import TaskService
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import (
    Action, Task, TaskStatus, decide_retry, describe_failure, info_entry,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import VroApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import decode_parameters

API = '/vco/api'
WID = 'dc31fd60-86f3-4cb0-b036-d95e79e685fb'
EID = 'be78d6a6-0f1e-4d0d-bd4d-c80d8c91108b'
RUN = '%s/workflows/%s/executions/%s' % (API, WID, EID)


def vro(server):
    return VroApi(Client(server.url, **CONNECTIONS['vro'], retries=0, sleep=lambda s: None))


def vcf(server):
    return TaskService(Client(server.url, **CONNECTIONS['vcf'], retries=0, sleep=lambda s: None))


# -- vRO 8.x log entries ----------------------------------------------------------------------------------------
# A public PowerShell sample for Aria Automation 8 (onboarding workflows) pastes the /syslogs answer of a real run:
# each line wrapped as {"entry": {...}} on 8.x too, with origin, an ISO time-stamp (+00:00, milliseconds), the
# same moment as epoch ms in time-stamp-val, and neither user nor long-description. The 8.18 spec (WsLog, WsSysLog)
# names the user "userName" in JSON ("user" is only the XML attribute). A public Python log tailer for vRO 8 and a
# VS Code extension for vRO read time-stamp-val, not time-stamp.
SYSLOG_8X = {'logs': [
    {'entry': {'origin': 'system', 'short-description': 'Resource Element //tmp/data.csv Saved to Folder Onboarding',
               'time-stamp': '2024-06-27T01:46:55.891+00:00', 'time-stamp-val': 1719452815891, 'severity': 'info'}},
    {'entry': {'origin': 'system', 'short-description': "Workflow 'Capture data' has started", 'userName': 'svc-vro@corp.local',
               'time-stamp': '2024-06-27T01:46:54.002+00:00', 'time-stamp-val': 1719452814002, 'severity': 'info'}},
]}


def test_vro8_syslogs_as_captured_read_time_and_user():
    with ReplayServer({'GET %s/syslogs' % RUN: [respond(200, SYSLOG_8X)]}) as server:
        lines = vro(server).syslogs(WID, EID)
    # Newest first on the wire, oldest first out; userName is the user; a line without one has none.
    assert lines == [
        {'severity': 'info', 'time_stamp': '2024-06-27T01:46:54.002Z', 'user': 'svc-vro@corp.local',
         'short_description': "Workflow 'Capture data' has started", 'long_description': None},
        {'severity': 'info', 'time_stamp': '2024-06-27T01:46:55.891Z', 'user': None,
         'short_description': 'Resource Element //tmp/data.csv Saved to Folder Onboarding', 'long_description': None},
    ]


@pytest.mark.parametrize('entry, expected', [
    ({'time-stamp-val': 1719452815891}, '2024-06-27T01:46:55.891Z'),                           # the number alone
    ({'time-stamp': 'Jun 27, 2024 1:46:55 AM', 'time-stamp-val': 1719452815891}, '2024-06-27T01:46:55.891Z'),
    ({'timeStampVal': 1719452815891}, '2024-06-27T01:46:55.891Z'),
    ({'time-stamp': '2024-06-27T03:46:55.891+02:00', 'time-stamp-val': 1719452815891}, '2024-06-27T01:46:55.891Z'),
])
def test_vro8_log_time_falls_back_to_time_stamp_val(entry, expected):
    entries = [dict(entry, severity='info', userName='svc', **{'short-description': 'x'}),
               {'severity': 'info', 'time-stamp': '2024-06-27T01:46:56.000+00:00', 'userName': 'svc', 'short-description': 'y'}]
    with ReplayServer({'GET %s/logs' % RUN: [respond(200, {'logs': entries})]}) as server:
        lines = vro(server).logs(WID, EID)
    assert [(line['time_stamp'], line['short_description'], line['user']) for line in lines] == [
        (expected, 'x', 'svc'), ('2024-06-27T01:46:56.000Z', 'y', 'svc')]


# -- vRO 8.x inputs as a run echoes them --------------------------------------------------------------------------
# Broadcom KB 322683 (400 Bad Request when running a workflow through the API) shows an execution's parameters as
# captured from the UI: sdk-object values with type, href and id (the id "host,id:group-v4", the href with %252C),
# parameters without a value (unset SDK inputs), and empty strings.
def test_vro8_execution_parameters_from_the_broadcom_kb():
    params = [
        {'value': {'sdk-object': {'type': 'VC:VmFolder', 'id': 'vc01.corp.local,id:group-v4',
                                  'href': 'https://vra.corp.local:443/vco/api/catalog/VC/VmFolder/vc01.corp.local%252Cid%253Agroup-v4/'}},
         'type': 'VC:VmFolder', 'name': 'folder', 'scope': 'local'},
        {'value': {'boolean': {'value': False}}, 'type': 'boolean', 'name': 'powerOn', 'scope': 'local'},
        {'type': 'VC:Datastore', 'name': 'datastore', 'scope': 'local'},
        {'value': {'string': {'value': ''}}, 'type': 'string', 'name': 'productId', 'scope': 'local'},
    ]
    assert decode_parameters(params) == {
        'folder': {'type': 'VC:VmFolder', 'id': 'vc01.corp.local,id:group-v4'}, 'powerOn': False,
        'datastore': None, 'productId': ''}


# -- vRA / Aria Automation in front of vRO: its error body --------------------------------------------------------
# The Aria Automation orchestrator-gateway reference (developer.broadcom.com, /vro/runs, /vro/workflows/{id})
# documents ServiceErrorResponse: message, messageId, stackTrace (a list), statusCode, errorCode, details (a list
# of strings). A message left empty must not put the raw body (and its stack trace) in front of the user.
@pytest.mark.parametrize('body, words', [
    ({'message': '', 'messageId': None, 'stackTrace': ['com.vmware.o11n.Gateway.run(Gateway.java:42)'], 'statusCode': 400,
      'errorCode': 0, 'details': ["Workflow input 'vm' is required"]}, "Workflow input 'vm' is required"),
    ({'message': 'Workflow not found', 'statusCode': 404, 'errorCode': 0, 'stackTrace': ['a.B.c(B.java:1)'],
      'details': ['ignored when there is a message']}, 'Workflow not found'),
    ({'statusCode': 400, 'details': ['first problem', '  ', 'second problem']}, 'first problem; second problem'),
])
def test_vra_gateway_service_error_response(body, words):
    with ReplayServer({'GET %s/workflows/%s' % (API, WID): [respond(body['statusCode'], body)]}) as server:
        with pytest.raises(ApiError) as caught:
            vro(server).definition(WID)
    error = caught.value
    assert error.server_message == words
    text = str(error)
    assert words in text and 'Gateway.java' not in text and 'B.java' not in text and '\n' not in text
    assert error.body_excerpt is None


# -- SDDC Manager: error bodies and task errors -------------------------------------------------------------------
# The VCF 9.0 spec (shared/specs/vcf-9.0-openapi.json) has two error types: Error (causes, nestedErrors) and
# ErrorResponse, whose cause list is named "cause"; an Error's nestedErrors are Errors of their own ("the nested
# errors when the error is a composite one").
def test_vcf_error_response_with_its_cause_list():
    body = {'errorCode': 'TASK_RETRY_FAILED', 'arguments': [], 'context': {}, 'message': 'Retry of the task failed',
            'cause': [{'type': 'java.lang.IllegalStateException', 'message': 'workflow engine is busy'}],
            'referenceToken': 'QX7P2L'}
    with ReplayServer({'PATCH /v1/tasks/t1': [respond(500, body)]}) as server:
        with pytest.raises(ApiError) as caught:
            vcf(server).retry(Task({'id': 't1', 'status': 'Failed'}))
    error = caught.value
    assert error.server_message == 'Retry of the task failed'
    assert error.details['causes'] == ['workflow engine is busy'] and error.details['referenceToken'] == 'QX7P2L'


def test_vcf_composite_error_without_a_message_of_its_own():
    body = {'errorCode': 'VALIDATION_FAILED', 'arguments': [], 'referenceToken': 'R2D2C3',
            'nestedErrors': [{'errorCode': 'HOST_UNREACHABLE', 'message': 'Host esx05.corp.local is not reachable'},
                             {'errorCode': 'DNS', 'message': 'Forward lookup of esx06.corp.local failed'}]}
    with ReplayServer({'GET /v1/tasks/t9': [respond(400, body)]}) as server:
        with pytest.raises(ApiError) as caught:
            vcf(server).get('t9')
    error = caught.value
    words = 'Host esx05.corp.local is not reachable; Forward lookup of esx06.corp.local failed'
    assert error.server_message == words
    text = str(error)
    assert words in text and 'R2D2C3' in text and 'body starts with' not in text


# terraform-provider-vcf's task tracker logs a task's localizableDescriptionPack.message when it has no sub-tasks,
# and skips sub-tasks whose status is IN_PROGRESS, PENDING or NOT_APPLICABLE (a sub-task status of the 9.0 spec).
FAILED_TASK = {
    'id': 'a1b2c3d4-0000-4000-8000-000000000001', 'name': 'Adding host(s) to cluster', 'type': 'HOST_ADDITION',
    'status': 'Failed', 'creationTimestamp': '2024-03-01T10:00:00.123Z', 'completionTimestamp': '2024-03-01T10:20:00.456Z',
    'localizableDescriptionPack': {'component': 'com.vmware.vcf.common.fsm.plugins.action.i18n', 'messageKey': 'HOST_ADDITION',
                                   'arguments': ['esx05.corp.local'], 'message': 'Adding host esx05.corp.local'},
    'subTasks': [
        {'name': 'Validate host', 'description': 'Validate host', 'status': 'SUCCESSFUL', 'creationTimestamp': '2024-03-01T10:00:01.000Z'},
        {'name': 'Configure NSX', 'description': 'Configure NSX on host', 'status': 'NOT_APPLICABLE',
         'creationTimestamp': '2024-03-01T10:00:01.000Z'},
        {'name': 'Add host to vCenter', 'description': 'Add host to vCenter', 'status': 'FAILED',
         'creationTimestamp': '2024-03-01T10:00:02.000Z',
         'errors': [{'errorCode': 'ADD_HOST_FAILED', 'errorType': 'ERROR', 'arguments': [],
                     'nestedErrors': [{'errorCode': 'VC_FAULT', 'message': 'SSL thumbprint of esx05.corp.local does not match',
                                       'nestedErrors': [{'message': 'thumbprint AB:CD expected, 12:34 presented'}]}]}]},
    ],
    'errors': [{'errorCode': 'HOST_ADDITION_FAILED', 'errorType': 'ERROR', 'message': 'Failed to add host(s)',
                'remediationMessage': 'Check the host and retry', 'referenceToken': 'K8ZQ1M',
                'cause': [{'type': 'com.vmware.evo.sddc.common.Error', 'message': 'vCenter task failed'}]}],
    'resources': [{'resourceId': '2478efd9-9882-469f-9d74-629dddf760a0', 'type': 'HOST', 'name': 'esx05.corp.local'}],
    'resolutionStatus': 'UNRESOLVED', 'isCancellable': False, 'isRetryable': True,
}


def test_vcf_failed_task_with_nested_errors_says_why():
    task = Task(FAILED_TASK)
    assert task.status == 'FAILED' and decide_retry(task)[0] == Action.RETRY
    errors = task.errors()
    assert errors[0]['causes'] == ['vCenter task failed']
    assert errors[1]['subtask'] == 'Add host to vCenter' and errors[1]['message'] is None
    assert errors[1]['causes'] == ['SSL thumbprint of esx05.corp.local does not match', 'thumbprint AB:CD expected, 12:34 presented']
    line = describe_failure(task)
    assert 'Add host to vCenter: SSL thumbprint of esx05.corp.local does not match' in line
    assert 'Failed to add host(s) (remediation: Check the host and retry) [referenceToken K8ZQ1M]' in line
    assert '\n' not in line


def test_vcf_task_info_of_the_failed_task_keeps_every_part():
    task = Task(FAILED_TASK)
    entry = info_entry(task)
    assert entry['status'] == 'FAILED' and entry['status_raw'] == 'Failed'
    assert entry['localizable_description_pack']['message'] == 'Adding host esx05.corp.local'
    assert entry['localizable_description_pack']['arguments'] == ['esx05.corp.local']
    assert entry['subtask_summary'] == {'total': 3, 'counts': {'SUCCESSFUL': 1, 'NOT_APPLICABLE': 1, 'FAILED': 1},
                                        'failed': ['Add host to vCenter']}
    assert entry['creation_timestamp'] == '2024-03-01T10:00:00.123Z' and entry['is_retryable'] is True
    assert TaskStatus.is_terminal('NOT_APPLICABLE')
