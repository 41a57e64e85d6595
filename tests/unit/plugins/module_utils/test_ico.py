# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the ICO 2.5 task engine layer: field mapping, diffing, client-side filters, error wording."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, OperationError, answer_lost
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.model import (
    TaskFilter, created_ms, diff_task, same_value, task_fields, wait_done, with_iso_times)
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import to_epoch_ms

# A task as the engine returns it (shape of IBM's documented Task Response).
RECORDED = {
    'id': '1003',
    'status': 'COMPLETED',
    'status_localized': 'Completed',
    'created': 1396263830875,
    'updated': 1396263914896,
    'created_iso': '2014-03-31T13:03:50+0200',
    'updated_iso': '2014-03-31T13:05:14+0200',
    'user': 'ksadmin',
    'domain': 'Default',
    'project': 'admin',
    'parm': {'plan': 'web', 'size': 2},
    'eventTopic': 'com/ibm/orchestrator/serviceinstance/plan/ibm_bpm_process',
    'delayInSeconds': 30,
    'error_message': 'CTJCO0002I: Business process instance 3 completed successfully.',
}


@pytest.mark.parametrize('key, known', [
    ('eventtopic', 'eventTopic'), ('EventTopic', 'eventTopic'), ('event-topic', 'eventTopic'), ('Parm', 'parm'),
    ('delayinseconds', 'delayInSeconds'), ('serviceInstanceID', 'serviceInstanceId'), ('Status', 'status'),
])
def test_task_fields_refuses_a_known_field_spelt_otherwise(key, known):
    """{eventtopic: ...} used to be sent as given: ICO created a task without an eventTopic (found in the first hour)."""
    with pytest.raises(ValueError) as caught:
        task_fields({key: 'x', 'parm': {}} if key.lower() != 'parm' else {key: {}})
    assert str(caught.value) == ("task field %r is not spelt as the task engine names it; did you mean %r? nothing was "
                                 "sent: fix the key in 'task' (field names are case sensitive)" % (key, known))


def test_task_fields_sends_exact_names_aliases_and_unknown_fields_as_given():
    assert task_fields({'eventTopic': 'a', 'service_instance_id': 's', 'customField': 1}) == {
        'eventTopic': 'a', 'serviceInstanceId': 's', 'customField': 1}


def test_task_fields_maps_aliases_and_refuses_read_only():
    assert task_fields({'event_topic': 'a/b', 'delay_in_seconds': 5, 'parm': {}}) == {
        'eventTopic': 'a/b', 'delayInSeconds': 5, 'parm': {}}
    with pytest.raises(ValueError, match="'created'"):
        task_fields({'created': 1})
    with pytest.raises(ValueError, match='twice'):
        task_fields({'eventTopic': 'a', 'event_topic': 'b'})


@pytest.mark.parametrize('current, desired, same', [
    (30, '30', True),
    (30, 31, False),
    ('30', 30, True),
    ({'a': 1, 'b': [1, 2]}, {'a': '1', 'b': [1, 2]}, True),
    ({'a': 1, 'b': 2}, {'a': 1}, False),
    ([1, 2], [2, 1], False),
    (True, 'true', True),
    (False, True, False),
    (None, None, True),
    ('x', None, False),
])
def test_same_value(current, desired, same):
    assert same_value(current, desired) is same


def test_diff_only_differing_fields():
    desired = {'delayInSeconds': '30', 'eventTopic': 'new/topic', 'parm': {'plan': 'web', 'size': 3}}
    changes, diff = diff_task(RECORDED, desired)
    assert changes == {'eventTopic': 'new/topic', 'parm': {'plan': 'web', 'size': 3}}
    assert diff['before'] == {'eventTopic': RECORDED['eventTopic'], 'parm': {'plan': 'web', 'size': 2}}
    assert diff['after'] == changes


def test_diff_no_change():
    changes, diff = diff_task(RECORDED, {'delayInSeconds': 30, 'parm': {'size': 2, 'plan': 'web'}})
    assert changes == {} and diff == {'before': {}, 'after': {}}


def test_diff_new_field():
    changes, diff = diff_task(RECORDED, {'serviceInstanceId': 'si-7'})
    assert changes == {'serviceInstanceId': 'si-7'} and diff['before'] == {'serviceInstanceId': None}


def test_filters_on_the_client():
    other = dict(RECORDED, id='1004', status='RUNNING', user='bob', project='p2',
                 eventTopic='com/ibm/orchestrator/other', updated=1396263999000)
    tasks = [RECORDED, other]
    assert [t['id'] for t in tasks if TaskFilter(status=['completed'])(t)] == ['1003']
    assert [t['id'] for t in tasks if TaskFilter(user='bob')(t)] == ['1004']
    assert [t['id'] for t in tasks if TaskFilter(project='admin')(t)] == ['1003']
    assert [t['id'] for t in tasks if TaskFilter(event_topic='com/ibm/orchestrator/serviceinstance/*')(t)] == ['1003']
    assert [t['id'] for t in tasks if TaskFilter(updated_after=1396263914896)(t)] == ['1004']
    assert [t['id'] for t in tasks if TaskFilter(updated_after='2014-03-31T11:05:00Z')(t)] == ['1003', '1004']
    assert [t['id'] for t in tasks if TaskFilter()(t)] == ['1003', '1004']


def test_iso_times_are_added_when_missing():
    task = with_iso_times({'id': '1', 'created': 0, 'updated': 1000})
    assert task['created_iso'] == '1970-01-01T00:00:00.000Z' and task['updated_iso'] == '1970-01-01T00:00:01.000Z'
    kept = with_iso_times(RECORDED)
    # The server's own text, in the one time format (UTC, Z); the text as sent stays under raw.
    assert kept['created_iso'] == '2014-03-31T11:03:50.000Z' and kept['raw']['created_iso'] == RECORDED['created_iso']
    assert to_epoch_ms(RECORDED['updated_iso']) == 1396263914000  # the ms of `updated`, without the fraction


def test_wait_done_treats_unknown_statuses_as_running():
    done = wait_done(['completed'])
    assert done({'status': 'COMPLETED'})
    assert not done({'status': 'RUNNING'}) and not done({'status': 'WAITING_FOR_APPROVAL'})
    assert done({'status': 'FAILED'})  # known final: stop and let the caller fail
    assert wait_done(['WAITING_FOR_APPROVAL'])({'status': 'waiting_for_approval'})


class Refusing:
    def __init__(self, status):
        self.status = status

    def _raise(self, method, path):
        raise ApiError('denied', kind='auth' if self.status in (401, 403) else 'http', status=self.status,
                       method=method, url=path)

    def get(self, path, **kw):
        self._raise('GET', path)

    def delete(self, path, **kw):
        self._raise('DELETE', path)

    def put(self, path, json=None, **kw):
        self._raise('PUT', path)

    def request(self, method, path, **kw):
        self._raise(method, path)


def test_delete_refusal_names_the_admin_role():
    engine = TaskEngine(Refusing(403), user='member1', project='p1')
    with pytest.raises(ApiError) as info:
        engine.delete('1003')
    text = str(info.value)
    assert 'admin role' in text and 'member1' in text and '1003' in text


def test_put_refusal_names_admin_or_project():
    with pytest.raises(ApiError) as info:
        TaskEngine(Refusing(401), user='u', project='p').update('9', {'status': 'X'})
    assert "admin role or membership of the task's project" in str(info.value)


def test_create_refusal_names_admin():
    with pytest.raises(ApiError) as info:
        TaskEngine(Refusing(403), user='u', project='p').create({'eventTopic': 'x'})
    assert 'creating a task' in str(info.value) and 'admin role' in str(info.value)


def test_not_found_names_the_id_and_delete_of_missing_is_not_a_change():
    engine = TaskEngine(Refusing(404), user='u', project='p')
    with pytest.raises(ApiError) as info:
        engine.get('4711')
    assert "'4711'" in str(info.value)
    assert engine.get('4711', missing_ok=True) is None
    assert engine.delete('4711') is False


class LostPost:
    """POST answers are lost after the server acted; GET /tasks returns ``listing``."""

    timeout = 1.0

    def __init__(self, listing):
        self.listing = listing
        self.posts = 0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)

    def request(self, method, path, **kw):
        self.posts += 1
        # The client decides "may have been applied" by the error type (issue 12); it used to be details['sent'].
        raise answer_lost('connection reset', 'connection', method, path, 1)

    def get(self, path, **kw):
        return self.listing


def test_lost_create_answer_finds_the_created_task_instead_of_posting_again():
    fields = {'eventTopic': 'x/y', 'parm': {'a': 1}}
    listing = [dict(RECORDED, id='1', user='admin', created=1000, eventTopic='x/y', parm={'a': 1}),  # too old
               dict(RECORDED, id='2', user='admin', created=100000, eventTopic='x/y', parm={'a': 1}),
               dict(RECORDED, id='3', user='admin', created=100000, eventTopic='x/y', parm={'a': 2})]
    client = LostPost(listing)
    engine = TaskEngine(client, user='admin', project='admin', clock=lambda: 99.0)
    assert engine.create(fields)['id'] == '2'
    assert client.posts == 1


@pytest.mark.parametrize('created', ['100000', '1970-01-01T00:01:40Z', '1970-01-01T01:01:40.000+0100', None])
def test_lost_create_answer_finds_the_task_whose_created_is_text(created):
    # Part 18: ``created`` as a digit string or an ISO text (or missing, with only ``created_iso``) is still a time:
    # the task this POST made is adopted (it was skipped, and the create failed as "may or may not" after the window).
    fields = {'eventTopic': 'x/y', 'parm': {'a': 1}}
    old = dict(RECORDED, id='1', user='admin', eventTopic='x/y', parm={'a': 1})
    new = dict(RECORDED, id='2', user='admin', eventTopic='x/y', parm={'a': 1})
    if created is None:
        old['created_iso'], new['created_iso'] = '1970-01-01T00:00:01+0000', '1970-01-01T00:01:40+0000'
        del old['created'], new['created']
    else:
        old['created'], new['created'] = '1000' if created.isdigit() else '1970-01-01T00:00:01Z', created
    client = LostPost([old, new])
    engine = TaskEngine(client, user='admin', project='admin', clock=lambda: 99.0)
    assert engine.create(fields)['id'] == '2'
    assert client.posts == 1 and client.sleeps == []


def test_lost_create_answer_skips_a_task_whose_created_is_no_time():
    listing = [dict(RECORDED, id='7', user='admin', created='soon', created_iso=None, eventTopic='x/y', parm={}),
               dict(RECORDED, id='8', user='admin', created=True, created_iso=None, eventTopic='x/y', parm={})]
    client = LostPost(listing)
    engine = TaskEngine(client, user='admin', project='admin', clock=lambda: 99.0)
    with pytest.raises(OperationError) as info:
        engine.create({'eventTopic': 'x/y', 'parm': {}})
    assert client.posts == 1 and 'may or may not have been applied' in str(info.value)


def test_lost_create_answer_without_a_single_match_fails_without_resending():
    listing = [dict(RECORDED, id=str(i), user='admin', created=100000, eventTopic='x/y', parm={}) for i in (5, 6)]
    client = LostPost(listing)
    engine = TaskEngine(client, user='admin', project='admin', clock=lambda: 99.0)
    with pytest.raises(OperationError) as info:
        engine.create({'eventTopic': 'x/y', 'parm': {}})
    assert '2 tasks' in str(info.value) and '5 (' in str(info.value) and '6 (' in str(info.value) and client.posts == 1
    assert info.value.result['task_ids'] == ['5', '6']


def test_lost_create_answer_with_no_match_looks_for_the_window_and_never_resends():
    client = LostPost([])
    engine = TaskEngine(client, user='admin', project='admin', clock=lambda: 99.0)
    with pytest.raises(OperationError) as info:
        engine.create({'eventTopic': 'x/y', 'parm': {}})
    assert client.posts == 1 and 'may or may not have been applied' in str(info.value)
    assert len(client.sleeps) == 11  # adoption window: timeout 1 s + 10 s, one look a second


@pytest.mark.parametrize('created', [float('nan'), float('inf'), 'NaN', [1], {'ms': 1}])
def test_created_ms_is_none_for_what_is_no_time(created):
    assert created_ms({'created': created}) is None
    assert created_ms({'created': created, 'created_iso': '1970-01-01T00:01:40Z'}) == 100000


def test_delete_conflict_keeps_the_server_words_and_says_what_to_do_next():
    class Conflict(Refusing):
        def _raise(self, method, path):
            raise ApiError('the server answered HTTP 409', kind='http', status=409, method=method, url=path,
                           server_message='Task 1003 is in use')
    with pytest.raises(ApiError) as info:
        TaskEngine(Conflict(409), user='admin', project='admin').delete('1003')
    text = str(info.value)
    assert 'Task 1003 is in use' in text
    assert 'may still be queued or running' in text and 'orch_task_info (id: 1003)' in text and 'delete it again' in text
    assert '\n' not in text
