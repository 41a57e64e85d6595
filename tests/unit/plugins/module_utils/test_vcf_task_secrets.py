# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A credentials task as SDDC Manager may send it: its sub-tasks carry ``oldPassword`` and ``newPassword``
(CredentialsSubTask in the 9.0 spec), and a host's error message may quote the password it refused. Neither the
value under the key nor the same value inside a message reaches a result (vcf_task_info's entry, vcf_task_retry's
task), a failure line or an event. Other secret-named keys of the 9.0 spec (``passphrase``, ``clientSecret``,
``privateKey``, ``apiKey``, ``accessToken``/``refreshToken``) in an error ``context`` are masked too; the
``referenceToken`` a user gives support stays."""

from __future__ import annotations

import json

from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import CredentialsTask, Task, describe_failure, info_entry

OLD = 'Old-Pa55word!'
NEW = 'N3w-Secr3t#9'
PHRASE = 'correct horse battery'
KEY = 'AKIA-not-a-real-key-42'


def credentials_task():
    return {
        'id': 'c0ffee00-0000-4000-8000-000000000001', 'name': 'Credentials update', 'type': 'UPDATE',
        'status': 'FAILED', 'creationTimestamp': '2026-01-31T10:00:00.000Z', 'completionTimestamp': '2026-01-31T10:05:00.000Z',
        'errors': [{'errorCode': 'CREDENTIAL_UPDATE_FAILED', 'referenceToken': 'REF42X',
                    'message': 'Password update failed: host esx01 rejected %s (complexity)' % NEW,
                    'context': {'passphrase': PHRASE, 'apiKey': KEY, 'host': 'esx01'}}],
        'subTasks': [{'name': 'Update password of root on esx01', 'status': 'FAILED', 'username': 'root',
                      'oldPassword': OLD, 'newPassword': NEW, 'entityType': 'ESXI', 'credentialType': 'SSH',
                      'errors': [{'message': 'Could not log in to esx01 as root with %s' % OLD,
                                  'remediationMessage': 'Check that %s is still the password of root' % OLD}]}],
    }


def outputs(task):
    return json.dumps([info_entry(task), task.result(), describe_failure(task)])


def test_a_password_quoted_in_a_task_message_is_masked_in_every_output():
    for task in (CredentialsTask(credentials_task()), Task(credentials_task())):
        text = outputs(task)
        for secret in (OLD, NEW, PHRASE, KEY):
            assert secret not in text, (secret, text)
        # What a user needs stays: the error, the sub-task, the reference token, the other context.
        assert 'REF42X' in text and 'rejected' in text and 'esx01' in text and 'Update password of root' in text
        assert info_entry(task)['errors'][0]['context']['host'] == 'esx01'


def test_the_raw_task_is_left_as_it_came():
    raw = credentials_task()
    task = CredentialsTask(raw)
    outputs(task)
    assert task.raw['subTasks'][0]['oldPassword'] == OLD and NEW in task.raw['errors'][0]['message']
