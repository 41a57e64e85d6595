"""The ``html`` fault's page is titled by the status it answers (nginx's titles), not "Bad Gateway" for all."""

from __future__ import annotations

import re

import pytest

from simulator import faults


@pytest.mark.parametrize("status, title", [
    (502, "502 Bad Gateway"), (500, "500 Internal Server Error"), (503, "503 Service Temporarily Unavailable"),
    (504, "504 Gateway Time-out"), (404, "404 Not Found"), (599, "599 Error"),
])
def test_the_html_page_is_titled_by_its_status(status, title):
    page = faults.html_page(status)
    assert re.search(r"<title>(.*?)</title>", page).group(1) == title
    assert re.search(r"<h1>(.*?)</h1>", page).group(1) == title
    if status != 502:
        assert "Bad Gateway" not in page


def test_an_html_fault_answers_its_status_with_a_page_of_that_status():
    fault = faults.Fault({"route": "/vco/api/*", "kind": "html", "status": 503})
    status, headers, body = faults.answer(fault, "/vco/api/about")
    assert status == 503 and headers["Content-Type"] == "text/html"
    assert b"<title>503 Service Temporarily Unavailable</title>" in body
