# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the vRO API layer over recorded responses replayed on a real socket."""

from __future__ import annotations

import datetime
import email.utils
import json
import os

import pytest

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError, OperationError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import caseless_fragment
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.interaction_api import InteractionApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.run_api import RunApi
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.model import Execution, normalize_log, parse_execution_url, parse_version, same_user
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.encode import encode_parameters
from ansible_collections.cloudops.orchestrator.plugins.module_utils._time import format_date

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.replay import ReplayServer, hang, reset, respond, truncated


class AllVroApi(RunApi, InteractionApi):
    """Every vRO call: api.VroApi and the *_api.py files next to it (each module ships only those it uses)."""


FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')
API = '/vco/api'
WID = 'wf-1'
EID = 'ex-1'
DECLARED = [{'name': 'name', 'type': 'string'}, {'name': 'size', 'type': 'number'}, {'name': 'pw', 'type': 'SecureString'}]


def load(name):
    with open(os.path.join(FIXTURES, name)) as handle:
        return json.load(handle)


def api_for(server, **kw):
    kw.setdefault('retries', 0)
    return AllVroApi(Client(server.url, **CONNECTIONS['vro'], sleep=lambda s: None, **kw))


def now_iso():
    # Computed when the server answers, so that a slow machine never ages the runs out of the adoption window.
    return format_date(datetime.datetime.now(datetime.timezone.utc))


def link(eid, state='running', start=None, user='svc', wid=WID):
    start = start or now_iso()
    return {'rel': 'down', 'href': 'https://vro/vco/api/workflows/%s/executions/%s/' % (wid, eid),
            'attributes': [{'name': 'id', 'value': eid}, {'name': 'state', 'value': state},
                           {'name': 'name', 'value': 'Provision'}, {'name': 'startDate', 'value': start},
                           {'name': 'startedBy', 'value': user}]}


def executions_list(*links):
    return {'relations': {'total': len(links), 'link': [{'rel': 'up', 'href': 'https://vro/vco/api/workflows/'}] + list(links)}}


def run_body(eid, inputs, state='running'):
    return {'id': eid, 'state': state, 'name': 'Provision', 'start-date': now_iso(),
            'input-parameters': encode_parameters(DECLARED, inputs, 'Provision')}


# ------------------------------------------------------------------ cancel: the call of the server's version

def test_cancel_on_8x_uses_delete_state_and_never_the_destructive_delete():
    routes = {
        'GET %s/about' % API: [respond(200, {'version': '8.18.1.24180498', 'api-version': '8.18'})],
        'DELETE %s/workflows/%s/executions/%s/state' % (API, WID, EID): [respond(204)],
        'DELETE %s/workflows/%s/executions/%s' % (API, WID, EID): [respond(204)],
        'DELETE %s/workflows/%s/executions/%s/' % (API, WID, EID): [respond(204)],
    }
    with ReplayServer(routes) as server:
        api = api_for(server)
        call = api.cancel(WID, EID)
        deletes = [r.path for r in server.requests if r.method == 'DELETE']
    assert call == 'DELETE /workflows/%s/executions/%s/state' % (WID, EID)
    assert deletes == ['%s/workflows/%s/executions/%s/state' % (API, WID, EID)]
    for path in deletes:
        assert not path.rstrip('/').endswith('/executions/%s' % EID), 'the destructive 8.x DELETE was sent'


@pytest.mark.parametrize('state_answer, sent', [
    # The 7.1 guide's reading: /state refuses DELETE (405, nothing acted upon), the DELETE of the run cancels.
    (respond(405, {'message': "Request method 'DELETE' is not supported"}), ['/state', '/']),
    # VMware's SDK reading: /state cancels; the run's own DELETE (rel: remove) may delete its record: never sent.
    (respond(204), ['/state']),
])
def test_cancel_on_7x_sends_the_runs_delete_only_after_state_is_refused(state_answer, sent):
    run = '%s/workflows/%s/executions/%s' % (API, WID, EID)
    routes = {
        'GET %s/about' % API: [respond(200, {'version': '7.6.0', 'build-number': '13020602'})],
        'DELETE %s/state' % run: [state_answer],
        'DELETE %s/' % run: [respond(204)],
    }
    with ReplayServer(routes) as server:
        call = api_for(server).cancel(WID, EID)
        deletes = [r.path for r in server.requests if r.method == 'DELETE']
    assert deletes == [run + tail for tail in sent]
    assert call == 'DELETE /workflows/%s/executions/%s%s' % (WID, EID, sent[-1])


def test_cancel_on_7x_does_not_send_the_runs_delete_after_another_refusal():
    run = '%s/workflows/%s/executions/%s' % (API, WID, EID)
    routes = {'DELETE %s/state' % run: [respond(403, {'message': 'not allowed'})], 'DELETE %s/' % run: [respond(204)]}
    with ReplayServer(routes) as server:
        with pytest.raises(ApiError):
            api_for(server).cancel(WID, EID, api_version='7.6')
        assert [r.path for r in server.requests] == [run + '/state']


@pytest.mark.parametrize('given, expected', [('8.18', '/state'), ('8', '/state'), ('7.6', '/state')])
def test_cancel_with_explicit_api_version_does_not_ask_about(given, expected):
    routes = {
        'DELETE %s/workflows/%s/executions/%s%s' % (API, WID, EID, expected): [respond(204)],
    }
    with ReplayServer(routes) as server:
        api_for(server).cancel(WID, EID, api_version=given)
        assert [(r.method, r.path) for r in server.requests] == [
            ('DELETE', '%s/workflows/%s/executions/%s%s' % (API, WID, EID, expected))]


@pytest.mark.parametrize('about', [{'build-date': 'x'}, {'api-version': '2.0'}, {'api-version': '6.0.0'}])
def test_cancel_without_a_known_version_refuses_to_guess(about):
    # Issue 13 item 9: with no product version (api-version is not one), only the non-destructive 8.x call is sent;
    # refused with 405 (a 7.x server), the error asks for api_version; the 7.x DELETE of the run is never chosen.
    state = '%s/workflows/%s/executions/%s/state' % (API, WID, EID)
    routes = {'GET %s/about' % API: [respond(200, about)], 'DELETE ' + state: [respond(405, {'message': 'no'})]}
    with ReplayServer(routes) as server:
        with pytest.raises(OperationError) as exc:
            api_for(server).cancel(WID, EID)
        deletes = [r.path for r in server.requests if r.method == 'DELETE']
    assert deletes == [state]
    assert 'set api_version' in str(exc.value) and 'HTTP 405' in str(exc.value)


def test_cancel_error_on_8x_does_not_fall_back_to_another_call():
    routes = {
        'GET %s/about' % API: [respond(200, {'version': '8.18.1'})],
        'DELETE %s/workflows/%s/executions/%s/state' % (API, WID, EID): [respond(500, {'message': 'boom'})],
    }
    with ReplayServer(routes) as server:
        with pytest.raises(Exception):
            api_for(server).cancel(WID, EID)
        deletes = [r.path for r in server.requests if r.method == 'DELETE']
    assert deletes == ['%s/workflows/%s/executions/%s/state' % (API, WID, EID)]


# ------------------------------------------------------------------ start and state

def test_start_reads_the_id_from_location_with_an_empty_body():
    location = 'https://vro:443/vco/api/workflows/%s/executions/%s/' % (WID, 'new-1')
    with ReplayServer({'POST %s/workflows/%s/executions' % (API, WID): [respond(202, None, {'Location': location})]}) as server:
        run = api_for(server).start(WID, [{'name': 'name', 'type': 'string', 'value': {'string': {'value': 'a'}}}])
        sent = server.requests[0].json()
        on_server = '%s%s/workflows/%s/executions/new-1/' % (server.url, API, WID)
    # The id from a Location that names another host (here 'vro'), the URL on the configured server.
    assert run.id == 'new-1' and run.workflow_id == WID and run.href == on_server
    assert sent == {'parameters': [{'name': 'name', 'type': 'string', 'value': {'string': {'value': 'a'}}}]}


def test_start_reads_the_id_from_a_small_body():
    with ReplayServer({'POST %s/workflows/%s/executions' % (API, WID): [respond(202, {'id': 'b-1', 'state': 'running'})]}) as server:
        run = api_for(server).start(WID, [])
    assert run.id == 'b-1' and run.state == 'running'


@pytest.mark.parametrize('body', [{'value': 'running'}, {'state': 'running'}, {'value': 'RUNNING'}])
def test_state_accepts_both_shapes(body):
    with ReplayServer({'GET %s/workflows/%s/executions/%s/state' % (API, WID, EID): [respond(200, body)]}) as server:
        assert api_for(server).state(WID, EID) == 'running'


# ------------------------------------------------------------------ never a double start

def test_lost_answer_adopts_the_one_identical_run():
    inputs = {'name': 'web01', 'size': 2, 'pw': 'secret'}
    params = encode_parameters(DECLARED, inputs, 'Provision')
    routes = {
        'POST %s/workflows/%s/executions' % (API, WID): [reset()],
        'GET %s/workflows/%s/executions' % (API, WID): [lambda request: respond(200, executions_list(
            link('other'), link('mine', user='SVC@corp.local'), link('someone-elses', user='eve')))],
        'GET %s/workflows/%s/executions/other' % (API, WID): [respond(200, run_body('other', dict(inputs, size=3)))],
        'GET %s/workflows/%s/executions/mine' % (API, WID): [respond(200, run_body('mine', dict(inputs, pw='hidden')))],
    }
    warnings = []
    with ReplayServer(routes) as server:
        run, adopted = api_for(server).start_once(WID, params, user='svc', warn=warnings.append)
        posts = server.calls('POST')
        listing = server.calls('GET', '%s/workflows/%s/executions' % (API, WID))[0].path
        assert not server.calls('GET', '%s/workflows/%s/executions/someone-elses' % (API, WID))
    assert adopted and run.id == 'mine'
    assert len(posts) == 1
    assert 'startDate%3E%3D' in listing and 'sortOrders=-startDate' in listing
    assert len(warnings) == 1 and 'adopted run mine' in warnings[0]


def test_lost_answer_ignores_identical_runs_from_before_the_request_and_never_resends():
    # Changed by issue 12: a POST whose answer was lost is never sent again (it used to be resent here).
    params = encode_parameters(DECLARED, {'name': 'web01'}, 'Provision')
    location = 'https://vro/vco/api/workflows/%s/executions/second/' % WID
    routes = {
        'POST %s/workflows/%s/executions' % (API, WID): [reset(), respond(202, None, {'Location': location})],
        # a server that ignores the date condition still must not make us adopt yesterday's run
        'GET %s/workflows/%s/executions' % (API, WID): [respond(200, executions_list(link('old', start='2026-01-01T00:00:00Z')))],
        'GET %s/workflows/%s/executions/old' % (API, WID): [respond(200, run_body('old', {'name': 'web01'}))],
    }
    with ReplayServer(routes) as server:
        with pytest.raises(OperationError) as exc:
            api_for(server, timeout=2).start_once(WID, params, user='svc')
        assert len(server.calls('POST')) == 1
    assert 'may or may not have been applied' in str(exc.value) and exc.value.result['execution_ids'] == []


def test_lost_answer_with_no_identical_run_looks_for_the_window_then_fails_without_resending():
    # Changed by issue 12: this used to start once more after one look.
    params = encode_parameters(DECLARED, {'name': 'web01'}, 'Provision')
    location = 'https://vro/vco/api/workflows/%s/executions/second/' % WID
    routes = {
        'POST %s/workflows/%s/executions' % (API, WID): [reset(), respond(202, None, {'Location': location})],
        'GET %s/workflows/%s/executions' % (API, WID): [lambda request: respond(200, executions_list(link('other')))],
        'GET %s/workflows/%s/executions/other' % (API, WID): [respond(200, run_body('other', {'name': 'web02'}))],
    }
    with ReplayServer(routes) as server:
        with pytest.raises(OperationError) as exc:
            api_for(server, timeout=2).start_once(WID, params, user='svc')
        assert len(server.calls('POST')) == 1
        looks = len(server.calls('GET', '%s/workflows/%s/executions' % (API, WID)))
    # window = timeout 2 + margin 10 s, one look a second, plus the first: 13 looks, then a one-line failure
    assert looks == 13
    message = str(exc.value)
    assert '\n' not in message and 'may or may not have been applied' in message and 'reuse: running' in message
    # Part 18: reuse: running never finds a run that has already ended, so it is not called safe on its own.
    assert 'is safe' not in message and 'reuse: completed' in message


def test_lost_answer_adopts_a_run_that_appears_later_in_the_window():
    inputs = {'name': 'web01'}
    params = encode_parameters(DECLARED, inputs, 'Provision')
    empty = respond(200, executions_list())
    routes = {
        'POST %s/workflows/%s/executions' % (API, WID): [hang(1.0)],
        # a slow server: the run shows only on the third look
        'GET %s/workflows/%s/executions' % (API, WID): [empty, empty, lambda request: respond(200, executions_list(link('late')))],
        'GET %s/workflows/%s/executions/late' % (API, WID): [respond(200, run_body('late', inputs))],
    }
    warnings = []
    with ReplayServer(routes) as server:
        run, adopted = api_for(server, timeout=0.3).start_once(WID, params, user='svc', warn=warnings.append)
        assert len(server.calls('POST')) == 1
    assert adopted and run.id == 'late'
    assert len(warnings) == 1 and 'adopted run late' in warnings[0]


def test_truncated_start_answer_adopts_the_run_its_location_names():
    location = 'http://127.0.0.1/vco/api/workflows/%s/executions/named/' % WID
    routes = {
        'POST %s/workflows/%s/executions' % (API, WID): [truncated(202, {'id': 'named', 'state': 'running'}, {'Location': location})],
        'GET %s/workflows/%s/executions/named' % (API, WID): [respond(200, run_body('named', {'name': 'web01'}))],
    }
    with ReplayServer(routes) as server:
        run, adopted = api_for(server).start_once(WID, encode_parameters(DECLARED, {'name': 'web01'}, 'Provision'))
        assert len(server.calls('POST')) == 1
        assert not server.calls('GET', '%s/workflows/%s/executions' % (API, WID)), 'searched although the server named the run'
    assert adopted and run.id == 'named'


@pytest.mark.parametrize('where', ['node', 'scheme', 'relative'])
def test_a_started_runs_href_is_on_the_configured_server_whatever_location_names(where):
    path = '%s/workflows/%s/executions/named/' % (API, WID)
    with ReplayServer({}) as server:
        location = {'node': 'https://vro-node-2.internal:8281' + path,  # a vRO node behind the load balancer
                    'scheme': 'https://' + server.url.split('://', 1)[1] + path,  # the configured host and port over https
                    'relative': path}[where]
        server.routes['POST %s/workflows/%s/executions' % (API, WID)] = [
            respond(202, {'id': 'named', 'state': 'running'}, {'Location': location})]
        run, adopted = api_for(server).start_once(WID, encode_parameters(DECLARED, {'name': 'web01'}, 'Provision'))
        assert len(server.calls('POST')) == 1 and not adopted
        expected = server.url + path
    assert run.id == 'named' and run.href == expected, 'a result must not hand the playbook a URL elsewhere: %s' % run.href


def test_lost_answer_with_several_identical_runs_fails_listing_them():
    inputs = {'name': 'web01'}
    params = encode_parameters(DECLARED, inputs, 'Provision')
    routes = {
        'POST %s/workflows/%s/executions' % (API, WID): [reset()],
        'GET %s/workflows/%s/executions' % (API, WID): [lambda request: respond(200, executions_list(link('a'), link('b')))],
        'GET %s/workflows/%s/executions/a' % (API, WID): [respond(200, run_body('a', inputs))],
        'GET %s/workflows/%s/executions/b' % (API, WID): [respond(200, run_body('b', inputs))],
    }
    with ReplayServer(routes) as server:
        with pytest.raises(OperationError) as exc:
            api_for(server).start_once(WID, params, user='svc')
        assert len(server.calls('POST')) == 1
    assert 'a (running' in str(exc.value) and 'b (running' in str(exc.value)
    assert exc.value.result['execution_ids'] == ['a', 'b']


def test_an_http_error_on_start_is_not_treated_as_lost():
    routes = {'POST %s/workflows/%s/executions' % (API, WID): [respond(400, {'message': 'bad input'})]}
    with ReplayServer(routes) as server:
        with pytest.raises(Exception) as exc:
            api_for(server).start_once(WID, [], user='svc')
        assert len(server.requests) == 1
    assert 'bad input' in str(exc.value)


# ------------------------------------------------------------------ workflows

def _workflows(*entries):
    return {'link': [{'rel': 'down', 'href': 'https://vro/vco/api/workflows/%s/' % wid,
                      'attributes': [{'name': 'id', 'value': wid}, {'name': 'name', 'value': name},
                                     {'name': 'categoryName', 'value': cat}]} for wid, name, cat in entries],
            'total': len(entries)}


def test_ambiguous_name_lists_every_candidate_with_id_and_category():
    routes = {'GET %s/workflows' % API: [respond(200, _workflows(('d-a', 'Duplicate name', 'Library'),
                                                                 ('d-b', 'Duplicate name', 'Cloud')))]}
    with ReplayServer(routes) as server:
        with pytest.raises(OperationError) as exc:
            api_for(server).resolve_workflow(name='Duplicate name')
        assert 'conditions=name%3DDuplicate+name' in server.requests[0].path
    text = str(exc.value)
    assert "d-a (category 'Library')" in text and "d-b (category 'Cloud')" in text and 'category' in text


def test_category_disambiguates_and_the_definition_is_read():
    routes = {
        'GET %s/workflows' % API: [respond(200, _workflows(('d-a', 'Duplicate name', 'Library'),
                                                           ('d-b', 'Duplicate name', 'Cloud'),
                                                           ('x', 'Duplicate name (copy)', 'Cloud')))],
        'GET %s/workflows/d-b' % API: [respond(200, {'id': 'd-b', 'name': 'Duplicate name',
                                                     'input-parameters': [{'name': 'a', 'type': 'string'}]},
                                               {'Date': 'Sat, 31 Jan 2026 10:00:00 GMT'})],
    }
    with ReplayServer(routes) as server:
        api = api_for(server)
        definition = api.resolve_workflow(name='Duplicate name', category='Cloud')
    assert definition.id == 'd-b' and definition.category == 'Cloud'
    assert definition.input_types() == {'a': 'string'}
    assert api.clock_offset is not None


class _Dated(object):
    def __init__(self, when):
        self.headers = {'Date': email.utils.formatdate(when, usegmt=True)}


def test_server_clock_within_the_date_header_resolution_is_taken_as_local():
    """A Date header is truncated to the second: a local clock inside that second is not skewed (was up to -1 s)."""
    import time  # pylint: disable=import-outside-toplevel
    api = AllVroApi(Client('https://vro.example', **CONNECTIONS['vro']))
    api._learn_clock(_Dated(int(time.time())))
    assert api.clock_offset == 0.0
    assert abs(api.server_now() - time.time()) < 0.5
    api._learn_clock(_Dated(time.time() + 3600))
    assert 3599.0 < api.clock_offset < 3601.0
    api._learn_clock(_Dated(time.time() - 7200))
    assert -7201.0 < api.clock_offset < -7199.0


def test_unknown_id_says_what_to_check():
    with ReplayServer({}) as server:
        with pytest.raises(OperationError) as exc:
            api_for(server).resolve_workflow(workflow_id='nope')
    assert "workflow id 'nope' not found" in str(exc.value)


# ------------------------------------------------------------------ listing

def test_several_states_are_one_server_side_query_each_newest_first_and_bounded():
    def answer(request):
        state = 'failed' if 'state%3Dfailed' in request.path else 'canceled'
        day = '01' if state == 'failed' else '02'
        return respond(200, executions_list(
            link('%s-new' % state, state, '2026-01-%sT10:00:00.000Z' % day),
            link('%s-old' % state, state, '2026-01-%sT09:00:00.000Z' % day)))

    with ReplayServer({'GET %s/workflows/%s/executions' % (API, WID): [answer]}) as server:
        runs = api_for(server).list_executions(WID, states=['failed', 'canceled'], max_results=2)
        paths = [r.path for r in server.requests]
    assert [r.id for r in runs] == ['canceled-new', 'canceled-old']
    assert len(paths) == 2
    assert all('maxResult=2' in p and 'sortOrders=-startDate' in p for p in paths)


def test_listing_stops_paging_at_max_results():
    page = executions_list(*[link('e%d' % i, 'completed', '2026-01-01T10:00:%02d.000Z' % (59 - i)) for i in range(3)])
    page['relations']['total'] = 1000
    with ReplayServer({'GET %s/workflows/%s/executions' % (API, WID): [respond(200, page)]}) as server:
        runs = api_for(server).list_executions(WID, max_results=3)
        assert len(server.requests) == 1
    assert [r.id for r in runs] == ['e0', 'e1', 'e2']


# ------------------------------------------------------------------ executions and logs, both real-traffic shapes

def test_execution_from_both_recorded_shapes():
    new = Execution(load('vro_execution_8x.json'), 'wf')
    old = Execution(load('vro_execution_old.json'), 'wf')
    assert new.start_date == '2026-01-31T10:00:00.120Z' and new.duration_seconds() == 2.33
    assert old.start_date == '2026-01-31T10:00:00.120Z' and old.duration_seconds() == 2.33
    assert new.outputs() == {'result': 'ok', 'tokens': ['a', 'b']}
    assert old.outputs() == {'result': 'ok'}
    result = new.to_result()
    assert result['inputs']['secret'] == '********' and result['state'] == 'completed'


def test_logs_in_both_forms():
    flat = {'severity': 'ERROR', 'time-stamp': 1769853600000, 'user': 'svc', 'short-description': 'boom'}
    wrapped = {'entry': {'severity': 'info', 'time-stamp': '2026-01-31T10:00:00Z', 'short-description': 'hi'}}
    routes = {'GET %s/workflows/%s/executions/%s/logs' % (API, WID, EID): [respond(200, {'logs': [wrapped, flat]})]}
    with ReplayServer(routes) as server:
        logs = api_for(server).logs(WID, EID)
    assert [(log['severity'], log['short_description'], log['time_stamp']) for log in logs] == [
        ('info', 'hi', '2026-01-31T10:00:00.000Z'), ('error', 'boom', '2026-01-31T10:00:00.000Z')]
    assert normalize_log(None)['severity'] is None


def test_small_parsers():
    assert parse_execution_url('https://h/vco/api/workflows/w%201/executions/e1/') == ('w 1', 'e1')
    with pytest.raises(ValueError):
        parse_execution_url('https://h/vco/api/workflows/w1')
    assert parse_version('8.18.1.24180498 (build)') == (8, 18)
    assert parse_version('7.6') == (7, 6) and parse_version(None) is None
    assert same_user('svc', 'SVC@corp.local') and not same_user('svc', 'other')


@pytest.mark.parametrize('value, sent', [('Deploy', ''), ('2024-05', '2024-05'), ('vm, lin', ''), ('a,12345', '12345'),
                                         ('', '')])
def test_a_case_insensitive_filter_sends_only_a_caseless_fragment(value, sent):
    # A server whose '~' matches case (quirk vro-conditions-case-sensitive) would hide 'DEPLOY' from 'name~Deploy'.
    assert caseless_fragment(value) == sent
