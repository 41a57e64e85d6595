# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unknown status names (issue 14, item 4): VCF refuses them before anything is sent, ICO warns before creating."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import InputError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico import model as ico_model
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.task import manage_task
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.model import TaskStatus
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vcf.task_info import task_info


class NothingSent(object):
    """A service or engine that fails the test on any use: proves that nothing was sent."""

    def __getattr__(self, name):
        raise AssertionError('%s was called: something would have been sent' % name)


def test_the_documented_list_is_the_known_set_in_order():
    assert set(TaskStatus.DOCUMENTED) == TaskStatus.KNOWN and len(TaskStatus.DOCUMENTED) == len(TaskStatus.KNOWN)


@pytest.mark.parametrize('raw, normalised', [('Failed', 'FAILED'), ('In Progress', 'IN_PROGRESS'), ('in  progress', 'IN_PROGRESS'),
                                             ('COMPLETED_WITH_WARNING', 'COMPLETED_WITH_WARNING'), ('user_cancelled', 'USER_CANCELLED'),
                                             ('Timed Out', 'TIMED_OUT')])
def test_every_spelling_of_a_documented_status_is_accepted(raw, normalised):
    assert TaskStatus.checked(raw, 'status') == [normalised]
    assert TaskStatus.checked([raw, 'Successful'], 'wait_for') == [normalised, 'SUCCESSFUL']


def test_an_unknown_status_is_refused_with_every_valid_one_and_a_guess():
    with pytest.raises(InputError) as info:
        TaskStatus.checked('FAIL', 'status')
    message = str(info.value)
    assert message.startswith("status 'FAIL' is not an SDDC Manager task status; nothing was sent: use one of PENDING, ")
    assert all(status in message for status in TaskStatus.DOCUMENTED)
    assert message.endswith('did you mean FAILED?') and '\n' not in message


def test_several_unknown_statuses_are_named_together():
    with pytest.raises(InputError) as info:
        TaskStatus.checked(['Successful', 'SUCCESFUL', 'done'], 'wait_for')
    assert "wait_for 'SUCCESFUL', 'done' are not SDDC Manager task statuses" in str(info.value)


@pytest.mark.parametrize('kwargs', [dict(status='FAIL'), dict(status='Failed', wait_for=['Succesful'])])
def test_vcf_task_info_refuses_before_any_request(kwargs):
    ids = ['t-1'] if kwargs.get('wait_for') else []
    with pytest.raises(InputError):
        task_info(NothingSent(), ids, {}, **kwargs)


def test_ico_warns_on_an_unknown_status_before_creating():
    events = []

    class Engine(object):
        def create(self, fields, warn=None):
            events.append('create')
            return dict(fields, id='77', status='QUEUED')

    result = manage_task(Engine(), None, {'eventTopic': 'x', 'parm': {'a': 1}}, 'present', ['COMPLETE', 'Completed'],
                         wait=False, warn=events.append)
    assert result['changed'] is True and events[1] == 'create'
    warning = events[0]
    assert warning.startswith("wait_for_status names 'COMPLETE', which IBM Cloud Orchestrator is not known to use (known: ")
    assert 'RUNNING' in warning and 'COMPLETED' in warning and 'check the spelling' in warning


def test_ico_known_statuses_in_any_spelling_give_no_warning():
    assert ico_model.TaskStatus.unknown_warning(['completed', 'Failed', 'RUNNING'], 'wait_for_status') is None
