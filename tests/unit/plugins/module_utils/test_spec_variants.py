# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every answer the official specs allow, fed to the functions that read it (``spec_variants.py`` generates them).

Real servers and fake servers written from the specs send what the specs allow: optional fields absent, null,
every enum value, empty lists, unknown extra fields, numbers as integers or floats, dates in each form. For each
variant of a realistic base answer: no exception but our own one-line errors, states mapped as the spec means them
(an unknown status never reads as success), nothing made up for an absent field. ICO has no spec: its variants are
written by hand from API-NOTES and IBM's sample in the seeds. The spec-driven tests skip when ``../shared`` is absent.
"""

from __future__ import annotations

import copy
import json
import pathlib

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import OBJECT, PageGuard, check_shape
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._waiter import Waiter, poll_schedule
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.model import TaskStatus as IcoStatus
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.task import manage_task
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.model import wait_done, with_iso_times
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import error_body as vcf_error_body
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.api import paged as vcf_pages
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.task_info import task_info
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.task_retry import retry as vcf_retry
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import (
    TASK_FIELDS, Action, CredentialsTask, Task, TaskStatus, decide_retry, describe_failure, info_entry, task_problem,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.decode import decode_parameters, mask_parameters, parameters_problem
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.execution_info import execution_info
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import (
    EXECUTION_FIELDS, INTERACTION_FIELDS, TERMINAL_STATES, Execution, UserInteraction, WorkflowDefinition, logs_problem,
    normalize_log, state_value, vro_attributes, vro_links,
)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_model import TASK_FIELDS as VRO_TASK_FIELDS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_model import ScheduledTask
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.task_model import task_problem as vro_task_problem

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.spec_variants import EXTRA_FIELD, spec_spelled, variants
from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.clocks import SleepClock

HERE = pathlib.Path(__file__).resolve().parent
VRO_KINDS = ('string', 'secure-string', 'encrypted-string', 'regex', 'number', 'boolean', 'date', 'array', 'properties',
             'composite', 'sdk-object', 'mime-attachment', 'attribute-reference')


def one_line(text):
    assert isinstance(text, str) and '\n' not in text, text
    return text


def no_made_up_none(text, raw):
    """A message never shows Python's None (or 'null') for a field the answer left out."""
    words = json.dumps(raw)
    for word in ("'None'", ' None', 'None ', '(None)'):
        assert word not in text or word.strip(" '()") in words, (word, text)


# -- VCF: Task, SubTask, Error, Resource, CredentialsTask, CredentialsSubTask, PageOfTask --------------------------

VCF_TASK = {
    'id': 'a1b2c3d4-0000-4000-8000-000000000001', 'name': 'Adding host(s) to cluster', 'type': 'HOST_ADDITION',
    'status': 'Failed', 'creationTimestamp': '2024-03-01T10:00:00.123Z', 'completionTimestamp': '2024-03-01T10:20:00.456Z',
    'localizableDescriptionPack': {'component': 'com.vmware.vcf', 'messageKey': 'HOST_ADDITION', 'arguments': ['esx05'],
                                   'message': 'Adding host esx05'},
    'subTasks': [
        {'name': 'Validate host', 'type': 'VALIDATE', 'description': 'Validate host', 'status': 'SUCCESSFUL',
         'creationTimestamp': '2024-03-01T10:00:01.000Z', 'completionTimestamp': '2024-03-01T10:00:02.000Z',
         'stages': [{'name': 'Check', 'type': 'CHECK', 'description': 'Check', 'status': 'SUCCESSFUL',
                     'creationTimestamp': '2024-03-01T10:00:01.000Z'}],
         'resources': [{'resourceId': 'r-1', 'type': 'ESXI', 'fqdn': 'esx05.corp.local', 'name': 'esx05'}],
         'subTasks': []},
        {'name': 'Add host to vCenter', 'description': 'Add host to vCenter', 'status': 'FAILED',
         'creationTimestamp': '2024-03-01T10:00:02.000Z',
         'errors': [{'errorCode': 'ADD_HOST_FAILED', 'errorType': 'ERROR', 'message': 'SSL thumbprint mismatch',
                     'arguments': ['esx05'], 'context': {'component': 'vc'}, 'causes': [{'type': 'Fault', 'message': 'thumbprint'}],
                     'nestedErrors': [{'message': 'thumbprint AB:CD expected'}], 'referenceToken': 'R1'}]},
    ],
    'errors': [{'errorCode': 'HOST_ADDITION_FAILED', 'errorType': 'ERROR', 'message': 'Failed to add host(s)',
                'remediationMessage': 'Check the host and retry', 'referenceToken': 'K8ZQ1M', 'label': 'Failure',
                'remediationUrl': 'https://kb.example.com/1', 'arguments': [], 'context': {'host': 'esx05'},
                'causes': [{'type': 'com.vmware.Error', 'message': 'vCenter task failed'}], 'nestedErrors': []}],
    'resources': [{'resourceId': '2478efd9', 'type': 'ESXI', 'fqdn': 'esx05.corp.local', 'name': 'esx05', 'sans': ['esx05']}],
    'resolutionStatus': 'UNRESOLVED', 'isCancellable': False, 'isRetryable': True,
}

VCF_CREDENTIALS_TASK = {
    'id': 'c0ffee00-0000-4000-8000-000000000002', 'name': 'Password rotation', 'type': 'ROTATE', 'status': 'FAILED',
    'creationTimestamp': '2024-03-01T10:00:00.000Z', 'completionTimestamp': '2024-03-01T10:05:00.000Z', 'isAutoRotate': False,
    'subTasks': [{'id': 's1', 'resourceName': 'vc01', 'name': 'Rotate vc01', 'description': 'Rotate root of vc01',
                  'creationTimestamp': '2024-03-01T10:00:00.000Z', 'completionTimestamp': '2024-03-01T10:05:00.000Z',
                  'status': 'FAILED', 'oldPassword': 'old-Secret1', 'newPassword': 'new-Secret2', 'entityType': 'VCENTER',
                  'username': 'root', 'credentialType': 'SSH',
                  'errors': [{'message': 'rotation refused', 'remediationMessage': 'check SSH'}],
                  'dependentSubTasks': [{'name': 'Sync', 'description': 'Sync', 'status': 'PENDING',
                                         'creationTimestamp': '2024-03-01T10:00:00.000Z'}]}],
    'errors': [{'message': 'rotation failed', 'referenceToken': 'T2'}],
}

# What each status of the 9.0 spec (and 9.1's QUEUED and TIMED_OUT) means to a waiter and to a retry.
VCF_MEANING = {
    'PENDING': 'running', 'QUEUED': 'running', 'IN_PROGRESS': 'running',
    'SUCCESSFUL': 'succeeded', 'COMPLETED_WITH_WARNING': 'succeeded', 'SKIPPED': 'succeeded',
    'FAILED': 'failed', 'TIMED_OUT': 'failed', 'INCONSISTENT': 'failed',
    'CANCELLED': 'cancelled', 'USER_CANCELLED': 'cancelled',
}


def meaning(status):
    normalised = TaskStatus.normalise(status)
    if normalised in TaskStatus.RUNNING:
        return 'running'
    if normalised in TaskStatus.SUCCEEDED:
        return 'succeeded'
    if normalised in TaskStatus.FAILED_ALL:
        return 'failed'
    if normalised in TaskStatus.CANCELLED_ALL:
        return 'cancelled'
    return 'terminal' if normalised in TaskStatus.TERMINAL else 'unknown'


def check_vcf_task(label, raw, cls=Task):
    """The checks every VCF task variant passes; returns the task."""
    assert check_shape(raw, OBJECT, TASK_FIELDS, inner=task_problem) is raw, label
    task = cls(copy.deepcopy(raw))
    result = task.result()
    entry = info_entry(task)
    action, reason = decide_retry(task)
    no_made_up_none(one_line(reason), raw)
    no_made_up_none(one_line(describe_failure(task)), raw)
    no_made_up_none(task.label, raw)
    # nothing made up: a field the answer lacks is null in both results
    for key, name in (('completionTimestamp', 'completion_timestamp'), ('resolutionStatus', 'resolution_status'),
                      ('isRetryable', 'is_retryable'), ('name', 'name'), ('type', 'type')):
        if raw.get(key) is None:
            assert result.get(name) is None and entry.get(name) is None, (label, name)
    if raw.get('subTasks') in (None, []):
        assert result['subtasks']['total'] == 0
    assert entry['raw'] == json.loads(json.dumps(entry['raw']))
    assert 'new-Secret2' not in json.dumps(entry) + json.dumps(result)
    return task, action


def test_vcf_task_variants(vcf_spec):
    count = 0
    for label, raw in variants(vcf_spec, VCF_TASK, vcf_spec.schema('Task')):
        count += 1
        task, action = check_vcf_task(label, raw)
        status = raw['status']
        if label.startswith('status = '):
            assert meaning(status) == VCF_MEANING[TaskStatus.normalise(status)], label
        if task.status in TaskStatus.RETRYABLE and raw.get('isRetryable') is not False:
            assert action == Action.RETRY, label
    assert count > 150


def test_vcf_credentials_task_variants(vcf_spec):
    count = 0
    for label, raw in variants(vcf_spec, VCF_CREDENTIALS_TASK, vcf_spec.schema('CredentialsTask')):
        count += 1
        task, ignored = check_vcf_task(label, raw, CredentialsTask)
        if label.startswith('status = '):
            assert meaning(raw['status']) == VCF_MEANING[TaskStatus.normalise(raw['status'])], label
        assert task.operation_type in ('UPDATE', 'ROTATE', 'REMEDIATE', 'UPDATE_AUTO_ROTATE_POLICY')
    assert count > 40


@pytest.mark.parametrize('status', ['NEW_IN_9_1', 'Aborted', 'WAITING_FOR_INPUT', '', None])
def test_vcf_unknown_status_is_neither_success_nor_retried(status):
    raw = dict(VCF_TASK, status=status)
    task, action = check_vcf_task(status, raw)
    assert task.status not in TaskStatus.SUCCEEDED and not TaskStatus.is_terminal(status)
    assert action == Action.FAIL


def test_vcf_error_variants(vcf_spec):
    base = dict(VCF_TASK['errors'][0], nestedErrors=[{'message': 'inner', 'errorCode': 'E2'}])
    for name in ('Error', 'ErrorResponse'):
        raw_base = dict(base)
        if name == 'ErrorResponse':
            raw_base['cause'] = raw_base.pop('causes')
            for key in ('errorType', 'label', 'remediationUrl'):
                raw_base.pop(key)
        for label, raw in variants(vcf_spec, raw_base, vcf_spec.schema(name)):
            message, details = vcf_error_body(raw)
            if message is not None:
                no_made_up_none(one_line(message), raw)
            assert isinstance(details, dict), label


# -- vRO: WsWorkflowExecution, ExecutionState, WsLogsList, WsSysLogsList, WsUserInteraction, WsTask, lists -----


def vro_execution_base():
    """The captured 8.x run, with outputs holding a secret inside a composite and inside Properties."""
    with open(HERE / 'fixtures' / 'vro_execution_8x.json', encoding='utf-8') as handle:
        base = json.load(handle)
    base['output-parameters'].extend([
        {'name': 'account', 'type': 'CompositeType(user:string,password:SecureString):Account', 'scope': 'local',
         'value': {'composite': {'type': 'CompositeType(user:string,password:SecureString):Account', 'property': [
             {'id': 'user', 'value': {'string': {'value': 'svc'}}},
             {'id': 'password', 'value': {'secure-string': {'value': 'Out-Secret9'}}}]}}},
        {'name': 'bag', 'type': 'Properties', 'scope': 'local', 'value': {'properties': {'property': [
            {'key': 'token', 'value': {'secure-string': {'value': 'Out-Secret9'}}}]}}},
    ])
    return base


def test_vro_execution_in_the_spec_spelling_reads_as_the_wire_spelling():
    wire = Execution(vro_execution_base(), 'wf-1').to_result()
    spelled = Execution(spec_spelled(vro_execution_base()), 'wf-1').to_result()
    assert spelled['inputs'] == wire['inputs'] and spelled['outputs'] == wire['outputs']
    assert wire['outputs']['account'] == {'user': 'svc', 'password': '********'}
    assert wire['inputs']['disk'] == {'label': 'data', 'sizeGb': 40}
    # the secret is masked wherever it sits: decoded outputs and the server's own parameters (outputs_raw)
    assert 'Out-Secret9' not in json.dumps(spelled) and 's3cr3t' not in json.dumps(spelled)


def test_vro_outputs_raw_masks_a_secret_in_a_composite_of_the_spec_spelling():
    outputs = spec_spelled(vro_execution_base())['outputParameters']
    assert 'Out-Secret9' in json.dumps(outputs)
    masked = mask_parameters(outputs)
    assert 'Out-Secret9' not in json.dumps(masked)
    account = next(p for p in masked if p['name'] == 'account')['value']['composite']['CompositeObjectValue']
    assert account[1] == {'composite-value': {'id': 'password', 'value': {'secure-string': {'value': '********'}}}}
    assert account[0] == {'composite-value': {'id': 'user', 'value': {'string': {'value': 'svc'}}}}


@pytest.mark.parametrize('spelling', ['wire', 'spec'])
def test_vro_execution_variants(vro_spec, spelling):
    base = vro_execution_base() if spelling == 'wire' else spec_spelled(vro_execution_base())
    count = 0
    for label, raw in variants(vro_spec, base, vro_spec.schema('WsWorkflowExecution'), VRO_KINDS):
        count += 1
        assert check_shape(raw, OBJECT, EXECUTION_FIELDS, inner=parameters_problem) is raw, label
        run = Execution(copy.deepcopy(raw), 'wf-1')
        result = run.to_result()
        assert run.terminal == (raw.get('state') in TERMINAL_STATES), label
        for key, name in (('start-date', 'start_date'), ('end-date', 'end_date'), ('started-by', 'started_by'),
                          ('business-state', 'business_state'), ('content-exception', 'content_exception'),
                          ('name', 'name')):
            if raw.get(key) is None:
                assert result.get(name) is None, (label, name)
        if raw.get('start-date') is None or raw.get('end-date') is None:
            assert result.get('duration_seconds') is None, label
        text = json.dumps(result)
        assert 's3cr3t' not in text and 'Out-Secret9' not in text, label
        assert None not in result.get('inputs', {}) and None not in result.get('outputs', {}), label
        assert EXTRA_FIELD not in json.dumps(result.get('inputs')), label
    assert count > 250


@pytest.mark.parametrize('key', ['state', 'value'])
def test_vro_execution_state_every_value(vro_spec, key):
    states = vro_spec.schema('ExecutionState')['properties']['state']['enum']
    for state in states:
        assert state_value({key: state}) == state
    assert sorted(states) == sorted(('canceled', 'completed', 'running', 'suspended', 'waiting', 'waiting-signal',
                                     'failed', 'initializing'))


@pytest.mark.parametrize('schema, entry', [
    ('WsLogsList', {'severity': 'error', 'userName': 'bob', 'short-description': 'boom', 'long-description': 'long',
                    'time-stamp': '2026-01-31T10:00:00.000+00:00'}),
    ('WsSysLogsList', {'severity': 'info', 'userName': 'bob', 'origin': 'server', 'short-description': 'ok',
                       'long-description': 'long', 'time-stamp': '2026-01-31T10:00:00.000+00:00',
                       'time-stamp-val': 1769853600000}),
])
def test_vro_log_variants(vro_spec, schema, entry):
    for label, raw in variants(vro_spec, {'logs': [entry]}, vro_spec.schema(schema)):
        assert logs_problem(raw) is None, label
        for item in raw.get('logs') or []:
            log = normalize_log(item)
            for key, name in (('short-description', 'short_description'), ('long-description', 'long_description'),
                              ('userName', 'user')):
                if item.get(key) is None:
                    assert log[name] is None, (label, name)
            if item.get('time-stamp') is None and item.get('time-stamp-val') is None:
                assert log['time_stamp'] is None, label


def test_vro_interaction_variants(vro_spec):
    base = {'id': 'ui-1', 'name': 'Approve', 'state': 'waiting', 'href': 'https://vro/vco/api/interactions/ui-1/',
            'assignees': ['bob'], 'user-assignees': ['bob'], 'group-assignees': ['ops'],
            'timeout-date': '2026-02-01T10:00:00.000+00:00',
            'input-parameters': [{'name': 'approved', 'type': 'boolean', 'description': 'ok?'}]}
    for label, raw in variants(vro_spec, base, vro_spec.schema('WsUserInteraction'), VRO_KINDS):
        assert check_shape(raw, OBJECT, INTERACTION_FIELDS, inner=parameters_problem) is raw, label
        interaction = UserInteraction(copy.deepcopy(raw))
        result = interaction.to_result()
        assert interaction.pending == (raw.get('state') in (None, 'waiting')), label
        if raw.get('timeout-date') is None:
            assert result.get('timeout_date') is None
        assert 'None' not in result.get('assignees', []) + result.get('user_assignees', []), label


def test_vro_workflow_definition_variants(vro_spec):
    base = {'id': 'wf-1', 'name': 'Echo', 'version': '1.0.0', 'description': 'd', 'href': 'https://vro/vco/api/workflows/wf-1/',
            'customized-icon': False, 'category-id': 'cat-1',
            'input-parameters': [{'name': 'text', 'type': 'string', 'description': 'a text'}],
            'output-parameters': [{'name': 'out', 'type': 'number'}]}
    for label, raw in variants(vro_spec, base, vro_spec.schema('WsWorkflow'), VRO_KINDS):
        definition = WorkflowDefinition(copy.deepcopy(raw))
        result = definition.to_result()
        if raw.get('input-parameters') is None:
            assert definition.input_types() == {} and not result.get('input_parameters'), label
        for key in ('version', 'description', 'href'):
            if raw.get(key) is None:
                assert result.get(key) is None, label


def test_vro_inventory_and_relations_variants(vro_spec):
    link = {'href': 'https://vro/vco/api/workflows/wf-1/executions/ex-1/', 'rel': 'down', 'type': 'x',
            'attributes': [{'name': 'id', 'value': 'ex-1', 'displayName': 'id', 'displayValue': 'ex-1'},
                           {'name': 'state', 'value': 'running'}, {'name': 'startDate', 'value': '2026-01-31T10:00:00Z'}]}
    for schema, base in (('inventory-items', {'link': [link], 'total': 1, 'startIndex': 0, 'count': 1}),
                         ('WsTaskList', {'href': 'https://vro/vco/api/tasks/', 'relations': {'link': [link], 'total': 1}})):
        for label, raw in variants(vro_spec, base, vro_spec.schema(schema)):
            links, total = vro_links(raw)
            for found in links:
                run = Execution.from_link(found, 'wf-1')
                attrs = vro_attributes(found)
                if attrs.get('id') is None and found.get('href') is None:
                    assert run.id is None, label
                run.to_result()
            assert total is None or isinstance(total, int), label


def test_vro_scheduled_task_variants(vro_spec):
    base = {'id': 't-1', 'name': 'nightly', 'userName': 'bob', 'description': 'd', 'state': 'pending',
            'href': 'https://vro/vco/api/tasks/t-1/', 'workflow': {'id': 'wf-1', 'name': 'Echo', 'href': 'https://vro/vco/api/workflows/wf-1/'},
            'recurrence-pattern': '10:00:00', 'running-instance-id': 'ri-1', 'recurrence-cycle': 'every-days',
            'recurrence-start-date': '2026-01-31T10:00:00.000+00:00', 'recurrence-end-date': '2026-12-31T10:00:00.000+00:00',
            'start-mode': 'normal',
            'input-parameters': [{'name': 'text', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'x'}}}]}
    for label, raw in variants(vro_spec, base, vro_spec.schema('WsTask'), VRO_KINDS):
        assert check_shape(raw, OBJECT, VRO_TASK_FIELDS, inner=vro_task_problem) is raw, label
        task = ScheduledTask(copy.deepcopy(raw))
        result = task.to_result()
        if raw.get('recurrence-end-date') is None:
            assert result['recurrence']['end'] is None, label
        if raw.get('state') is None:
            assert result.get('state') is None, label
        assert decode_parameters(task.input_parameters) == result.get('inputs')


# -- ICO 2.5: no spec; variants by hand from API-NOTES and IBM's sample task (seeds) -----------------------------

ICO_TASK = {
    'updated_iso': '2014-03-31T13:05:14+0200', 'description_message': 'The process is complete.', 'domain': 'Default',
    'created': 1396263830875, 'error': {'resourceBundle': 'b', 'message': None, 'messageKey': 'BPM_PROCESS_COMPLETE', 'args': ['3']},
    'user': 'ksadmin', 'parm': {'a': 1}, 'created_iso': '2014-03-31T13:03:50+0200', 'status_localized': 'Completed',
    'error_message': 'CTJCO0002I: done', 'status': 'COMPLETED', 'eventTopic': 'com/ibm/orchestrator/x', 'delayInSeconds': 30,
    'project': 'admin', 'id': '1003', 'updated': 1396263914896,
    'description': {'resourceBundle': 'b', 'message': None, 'messageKey': 'PROCESS_COMPLETE', 'args': []},
}


def ico_variants():
    yield 'base', ICO_TASK
    for key in ICO_TASK:
        if key != 'id':
            yield 'no %s' % key, dict((k, v) for k, v in ICO_TASK.items() if k != key)
            yield 'null %s' % key, dict(ICO_TASK, **{key: None})
    for status in ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'Completed', 'NEW_STATUS', ''):
        yield 'status %s' % status, dict(ICO_TASK, status=status)
    yield 'created as float', dict(ICO_TASK, created=1396263830875.0, updated=1396263914896.0)
    yield 'created as text', dict(ICO_TASK, created='1396263830875')
    yield 'iso with Z', dict(ICO_TASK, created_iso='2014-03-31T11:03:50Z', updated_iso='2014-03-31T11:05:14.000Z')
    yield 'extra field', dict(ICO_TASK, **{EXTRA_FIELD: 'new'})


def test_ico_task_variants():
    for label, raw in ico_variants():
        entry = with_iso_times(copy.deepcopy(raw))
        if raw.get('created') is None and raw.get('created_iso') is None:
            assert entry['created_iso'] is None, label
        elif raw.get('created_iso'):
            assert entry['created_iso'] == '2014-03-31T11:03:50.000Z', label
        done = wait_done(['COMPLETED'])(raw)
        status = IcoStatus.normalise(raw.get('status'))
        assert done == (status in IcoStatus.KNOWN_TERMINAL | {'COMPLETED'}), label
        if status not in IcoStatus.KNOWN_TERMINAL:
            assert not done, label


# -- the waiters: a status the spec allows but the collection does not know never reads as success ----------------


WAIT_TIMEOUT = 30.0


def test_waiter_polls_are_bounded():
    # the bound the waiter tests below hold the polls to: the schedule up to wait_timeout, and no more
    assert len(poll_schedule(1.0, 5.0, WAIT_TIMEOUT)) == POLLS_MAX - 1


def make_waiter(clock, timeout=WAIT_TIMEOUT):
    return Waiter(timeout=timeout, interval=1.0, interval_max=5.0, clock=clock, sleep=clock.sleep)


POLLS_MAX = len(poll_schedule(1.0, 5.0, WAIT_TIMEOUT)) + 1


class VcfService:
    """``TaskService``'s reads over one task whose every read answers ``raw`` (the retry is recorded)."""

    client = None

    def __init__(self, raw, after_retry=None):
        self.raw = raw
        self.after_retry = after_retry
        self.reads = 0
        self.retries = 0

    def get(self, task_id):
        self.reads += 1
        return Task(copy.deepcopy(self.raw), task_id)

    def refresh(self, task):
        self.reads += 1
        return task.update(copy.deepcopy(self.raw))

    def retry(self, task, update_elements=None):
        self.retries += 1
        self.raw = self.after_retry

    def as_credentials(self, task):
        return task


UNKNOWN_VCF = ['NEW_IN_9_1', 'Aborted', 'WAITING_FOR_INPUT', 'Paused by user']


@pytest.mark.parametrize('status', UNKNOWN_VCF + [None])
def test_vcf_task_info_wait_for_an_unknown_status_times_out(status):
    clock = SleepClock()
    service = VcfService(dict(VCF_TASK, status=status))
    with pytest.raises(OperationError) as failure:
        task_info(service, [VCF_TASK['id']], {}, wait_for=['SUCCESSFUL'], waiter=lambda: make_waiter(clock))
    message = one_line(str(failure.value))
    assert 'after waiting for SUCCESSFUL' in message and 'raise wait_timeout' in message
    # one read before the wait, then the polls of the schedule
    assert clock.now <= WAIT_TIMEOUT and service.reads <= POLLS_MAX + 1
    if status is None:
        assert 'still None' not in message and 'still without a status' in message


@pytest.mark.parametrize('status', ['FAILED', 'Failed', 'CANCELLED', 'Cancelled', 'TIMED_OUT', 'SKIPPED'])
def test_vcf_task_info_wait_for_success_stops_on_every_other_final_status(status):
    clock = SleepClock()
    service = VcfService(dict(VCF_TASK, status=status))
    with pytest.raises(OperationError) as failure:
        task_info(service, [VCF_TASK['id']], {}, wait_for=['SUCCESSFUL'], waiter=lambda: make_waiter(clock))
    assert 'reached %s, not one of SUCCESSFUL' % status in one_line(str(failure.value))
    assert service.reads <= 2


@pytest.mark.parametrize('status', UNKNOWN_VCF + [None])
def test_vcf_retry_then_an_unknown_status_is_not_success(status):
    clock = SleepClock()
    service = VcfService(dict(VCF_TASK, status='FAILED'), after_retry=dict(VCF_TASK, status=status))
    with pytest.raises(OperationError) as failure:
        vcf_retry(service, [VCF_TASK['id']], None, wait=True, wait_timeout=WAIT_TIMEOUT,
                  waiter_factory=lambda remaining: make_waiter(clock, remaining))
    message = one_line(str(failure.value))
    assert 'still waited on' in message and service.retries == 1
    assert clock.now <= WAIT_TIMEOUT and service.reads <= POLLS_MAX + 1
    assert '(None)' not in message


class VroApi:
    """The reads ``execution_info`` makes of one run whose state is ``state``."""

    def __init__(self, state):
        self.state_now = state
        self.reads = 0

    def state(self, workflow_id, execution_id):
        self.reads += 1
        return state_value({'value': self.state_now})

    def execution(self, workflow_id, execution_id):
        return Execution(dict(vro_execution_base(), state=self.state_now), workflow_id)


@pytest.mark.parametrize('state', ['retrying', 'paused', 'WAITING_ON_EVENT', None])
def test_vro_wait_for_an_unknown_state_times_out(state):
    clock = SleepClock()
    api = VroApi(state)
    with pytest.raises(OperationError) as failure:
        execution_info(api, workflow_id='wf-1', execution_id='ex-1', wait_for=['completed'], wait_timeout=WAIT_TIMEOUT,
                       waiter=lambda: make_waiter(clock))
    message = one_line(str(failure.value))
    assert 'did not reach completed within wait_timeout' in message
    assert clock.now <= WAIT_TIMEOUT and api.reads <= POLLS_MAX
    assert failure.value.result.get('timed_out') is True
    if state is None:
        assert 'last state: None' not in message and 'last state: none given' in message


class IcoEngine:
    def __init__(self, raw):
        self.raw = raw
        self.reads = 0

    def get(self, task_id, missing_ok=False):
        self.reads += 1
        return copy.deepcopy(self.raw)


@pytest.mark.parametrize('status', ['NEW_STATUS', 'Pending approval', None, 'absent'])
def test_ico_wait_for_an_unknown_status_times_out(status):
    raw = dict(ICO_TASK, status=status)
    if status == 'absent':
        del raw['status']
    clock = SleepClock()
    engine = IcoEngine(raw)
    with pytest.raises(OperationError) as failure:
        manage_task(engine, '1003', None, 'present', ['COMPLETED'], waiter=lambda: make_waiter(clock))
    message = one_line(str(failure.value))
    assert 'after waiting for COMPLETED' in message
    assert clock.now <= WAIT_TIMEOUT and engine.reads <= POLLS_MAX + 1
    if status in (None, 'absent'):
        assert 'still None' not in message and 'still without a status' in message


class PageClient:
    """A client whose ``/v1/tasks`` answers ``page`` for the first page and the same page without elements after."""

    def __init__(self, page):
        self.page = page
        self.gets = []

    def url_for(self, path):
        return 'https://sddc.example.com/v1' + path

    def page_guard(self, path, page_size, parameter):
        return PageGuard(self, path, page_size, parameter)

    def get(self, path, params=None, shape=None, fields=None):
        self.gets.append(dict(params or {}))
        if len(self.gets) > 5:
            raise AssertionError('the pager does not stop: %r' % self.gets)
        if len(self.gets) == 1:
            return check_shape(copy.deepcopy(self.page), (dict, type(None)), fields)
        return dict(copy.deepcopy(self.page), elements=[])


def test_vcf_page_of_task_variants(vcf_spec):
    base = {'elements': [VCF_TASK, dict(VCF_TASK, id='t-2', status='In Progress')],
            'pageMetadata': {'pageNumber': 0, 'pageSize': 100, 'totalElements': 2, 'totalPages': 1}}
    count = 0
    for label, raw in variants(vcf_spec, base, vcf_spec.schema('PageOfTask')):
        count += 1
        client = PageClient(raw)
        found = list(vcf_pages(client, '/tasks', {}, 100))
        assert found == (raw.get('elements') or []), label
        assert len(client.gets) <= 3, label
    assert count > 300
