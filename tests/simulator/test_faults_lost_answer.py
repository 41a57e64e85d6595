"""The simulator's faults for a request that was applied but whose answer is lost: slow_answer, truncated, and
latency (which delays *before* acting)."""

# pylint: disable=redefined-outer-name

from __future__ import annotations

import threading
import time

import pytest
import requests

ECHO = "5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001"
RUN_PATH = "/vco/api/workflows/%s/executions" % ECHO
NAME = [{"name": "str", "type": "string", "value": {"string": {"value": "lost answer"}}}]


def _runs(vro):
    return vro.http.get(vro.url + RUN_PATH).json()["relations"]["total"]


def test_slow_answer_creates_the_run_before_the_client_times_out(vro):
    vro.admin("POST", "faults", json={"route": RUN_PATH, "method": "POST", "kind": "slow_answer", "latency": 2, "count": 1})
    with pytest.raises(requests.exceptions.ReadTimeout):
        vro.http.post(vro.url + RUN_PATH, json={"parameters": NAME}, timeout=0.5)
    assert _runs(vro) == 1  # committed although the answer came too late for the client
    posts, deadline = [], time.monotonic() + 30
    while not posts and time.monotonic() < deadline:  # the request is logged once its held answer went out
        time.sleep(0.2)
        posts = [e for e in vro.admin("GET", "requests")["requests"] if e["method"] == "POST"]
    assert posts[-1]["fault"] == "slow_answer" and posts[-1]["status"] == 202


def test_latency_delays_before_acting(vro):
    vro.admin("POST", "faults", json={"route": RUN_PATH, "method": "POST", "kind": "latency", "latency": 2, "count": 1})
    seen = {}

    def post():
        try:
            vro.http.post(vro.url + RUN_PATH, json={"parameters": NAME}, timeout=0.5)
        except requests.exceptions.ReadTimeout:
            seen["timeout"] = True
    thread = threading.Thread(target=post)
    thread.start()
    thread.join()
    assert seen == {"timeout": True}
    assert _runs(vro) == 0  # not created yet: the delay comes first
    deadline = time.monotonic() + 30
    while _runs(vro) == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _runs(vro) == 1


def test_truncated_answer_acts_then_cuts_the_body(vro):
    vro.admin("POST", "faults", json={"route": RUN_PATH, "method": "POST", "kind": "truncated", "count": 1})
    response = vro.http.post(vro.url + RUN_PATH, json={"parameters": NAME}, timeout=10, stream=True)
    assert response.status_code == 202 and "/executions/" in response.headers["Location"]
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        response.content  # pylint: disable=pointless-statement
    assert _runs(vro) == 1
    entry = [e for e in vro.admin("GET", "requests")["requests"] if e["method"] == "POST"][-1]
    assert entry["fault"] == "truncated"
    assert vro.http.get(vro.url + "/vco/api/about").status_code == 200
