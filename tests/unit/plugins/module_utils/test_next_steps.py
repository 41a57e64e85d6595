# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Refusals and failures that say what to do next, true to who gave the value or who sees what."""

from __future__ import annotations

import pytest

from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import HTML_HINT, html_page_hint, path_segment
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._ico.api import TaskEngine
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.api import run_target
from ansible_collections.cloudops.orchestrator.plugins.module_utils._vro.watch import VroExecutionWatch


@pytest.mark.parametrize('value', ['..', 'a/b', '%2e%2e', ''])
def test_an_id_from_a_server_is_refused_as_the_servers(value):
    with pytest.raises(ApiError) as caught:
        path_segment(value)
    message = str(caught.value)
    assert 'which the server sent' in message and 'check the value' not in message, message
    assert "product's own interface" in message and '\n' not in message


def test_an_id_option_is_refused_as_the_users():
    with pytest.raises(ApiError) as caught:
        path_segment('..', option='task_id')
    assert str(caught.value).startswith("refusing task_id '..': an id is one URL path segment")
    assert str(caught.value).endswith('check the value') and 'server' not in str(caught.value)


def test_an_execution_url_naming_a_traversal_is_refused_as_the_users():
    with pytest.raises(ApiError) as caught:
        run_target(None, execution_url='https://vro.example.com/vco/api/workflows/%2e%2e/executions/e-1/')
    assert "the id in execution_url '..'" in str(caught.value) and 'check the value' in str(caught.value)


def test_watched_workflow_ids_are_refused_as_the_users():
    with pytest.raises(ValueError) as caught:
        VroExecutionWatch(None, workflow_ids=['../tokens'])
    assert "workflow_ids '../tokens'" in str(caught.value) and 'check the value' in str(caught.value)


class _NotFound:
    timeout = 1.0

    def get(self, path, **kw):
        raise ApiError('not found', status=404, method='GET', url='https://ico.example.com/orchestrator/v2' + path,
                       server_message='CTJCO0404E: The task with ID 7 was not found.')


def _not_found(user, project):
    with pytest.raises(ApiError) as caught:
        TaskEngine(_NotFound(), user=user, project=project).get('7')
    return str(caught.value)


def test_ico_404_for_the_admin_names_the_next_step():
    message = _not_found('admin', 'admin')
    assert "task '7' not found" in message and 'non-admin' not in message and 'set project' not in message, message
    assert "user 'admin' sees the tasks of every project" in message and 'check the id' in message
    assert 'may have been deleted' in message and 'orch_task_info' in message and '\n' not in message


def test_ico_404_for_another_user_names_both_causes():
    message = _not_found('alice', 'finance')
    assert "task '7' not found" in message and 'check the id' in message and 'may have been deleted' in message
    assert "own project ('finance')" in message and 'set project to that one' in message, message


NGINX_502 = ('<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>'
             '\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n')
APACHE_PROXY = ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN"><html><head><title>502 Proxy Error</title></head><body>'
                '<h1>Proxy Error</h1><hr><address>Apache/2.4.37 Server at ico.example.com Port 443</address></body></html>')


@pytest.mark.parametrize('page,status,who', [
    (NGINX_502, 500, 'nginx'),
    (APACHE_PROXY, 502, 'Proxy Error'),
    ('<!DOCTYPE html><html><head><title>504 Gateway Time-out</title></head><body></body></html>', 504,
     "HTTP 504 Gateway Timeout, a gateway's answer"),
])
def test_a_proxys_page_is_named_a_proxys(page, status, who):
    hint = html_page_hint(page, status)
    assert hint.startswith("the page is a proxy's or load balancer's (%s)" % who), hint
    assert 'reachable from that proxy' in hint


@pytest.mark.parametrize('page,words', [
    ('Error 500: javax.servlet.ServletException: SRVE0232E: An exception occurred', 'Error 500: javax.servlet'),
    ('<html><body><h1>Error 500: java.lang.NullPointerException</h1></body></html>', 'Error 500: java.lang.Null'),
    ('<html><head><title>HTTP Status 500 - Internal Server Error</title></head></html>', 'HTTP Status 500'),
    ('<html><body><p>CTJCO0001E: the task engine is not available</p></body></html>', 'CTJCO0001E'),
])
def test_the_application_servers_own_page_is_not_called_a_proxys(page, words):
    hint = html_page_hint(page, 500)
    assert hint.startswith("the page is the application server's own ('%s" % words), hint
    assert 'proxy or load balancer' not in hint and 'the product itself answered HTTP 500' in hint
    assert "look in the product's server logs" in hint


def test_a_page_that_names_no_one_says_it_may_be_either():
    hint = html_page_hint('<html><head><title>500 Internal Server Error</title></head><body>oops</body></html>', 500)
    assert hint == HTML_HINT and 'often' not in hint and "the product's own error page" in hint
