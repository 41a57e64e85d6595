"""The simulator is safe to run: /_sim needs the admin token, non-loopback binds need --allow-remote, a non-ASCII
password is a 401 on every login route (not a 500), and the data dir is owner-only."""

# pylint: disable=redefined-outer-name

from __future__ import annotations

import os
import stat

import requests

from conftest import admin_headers, basic, sim_session  # pylint: disable=import-error
from simulator import __main__ as sim_main
from simulator import tls as tls_mod

NON_ASCII = "pässwörd-€"


def test_admin_api_needs_the_token(fresh_sim):
    web = sim_session(fresh_sim)
    for headers in ({}, {"X-Sim-Admin-Token": "wrong"}, {"X-Sim-Admin-Token": NON_ASCII.encode("utf-8")}):
        for method, path in (("GET", "/_sim/users"), ("POST", "/_sim/reset"), ("POST", "/_sim/faults"), ("GET", "/_sim/")):
            answer = web.request(method, fresh_sim.url + path, headers=headers, json={}, timeout=30)
            assert answer.status_code == 401, (method, path, answer.status_code)
            assert "X-Sim-Admin-Token" in answer.json()["message"]
            assert fresh_sim.users["vro"]["vcoadmin"]["password"] not in answer.text
    assert web.get(fresh_sim.url + "/_sim/faults", timeout=30).status_code == 401
    users = web.get(fresh_sim.url + "/_sim/users", headers=admin_headers(fresh_sim), timeout=30)
    assert users.status_code == 200 and users.json()["vro"]["vcoadmin"]["password"]
    assert fresh_sim.info()["admin_token"] == fresh_sim.admin_token and len(fresh_sim.admin_token) >= 24


def test_admin_token_random_per_start_or_given(make_sim):
    first, second = make_sim(), make_sim()
    assert first.admin_token != second.admin_token
    assert make_sim(admin_token="fixed-token-for-a-lab").info()["admin_token"] == "fixed-token-for-a-lab"


def test_non_loopback_bind_needs_allow_remote(capsys):
    assert sim_main.main(["--host", "0.0.0.0"]) == 2
    assert "--allow-remote" in capsys.readouterr().err
    assert sim_main.is_loopback("127.0.0.1") and sim_main.is_loopback("::1") and sim_main.is_loopback("localhost")
    assert not sim_main.is_loopback("0.0.0.0") and not sim_main.is_loopback("192.0.2.1")


def test_non_ascii_password_is_401_on_every_login_route(fresh_sim):
    web = sim_session(fresh_sim)
    url = fresh_sim.url
    answers = {
        "vRO basic": web.get(url + "/vco/api/workflows", headers={"Authorization": basic("vcoadmin", NON_ASCII)}, timeout=30),
        "vRO basic, unknown user": web.get(url + "/vco/api/workflows", headers={"Authorization": basic("nö", NON_ASCII)},
                                           timeout=30),
        "vRA/CSP login": web.post(url + "/csp/gateway/am/api/login?access_token",
                                  json={"username": "vcoadmin", "password": NON_ASCII}, timeout=30),
        "vRA/CSP login, lone surrogate": web.post(url + "/csp/gateway/am/api/login?access_token",
                                                  data='{"username": "vcoadmin", "password": "\\ud800x"}',
                                                  headers={"Content-Type": "application/json"}, timeout=30),
        "VCF tokens": web.post(url + "/v1/tokens", json={"username": "administrator@vsphere.local", "password": NON_ASCII},
                               timeout=30),
        "ICO basic": web.get(url + "/orchestrator/v2/tasks", headers={"Authorization": basic("admin", NON_ASCII)}, timeout=30),
    }
    # The CSP login refuses credentials with 400, as the vendor's reference documents (issue 13 item 7).
    expected = {name: 400 if name.startswith("vRA/CSP") else 401 for name in answers}
    assert {name: a.status_code for name, a in answers.items()} == expected


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_data_dir_owner_only(make_sim, tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    sim = make_sim(data_dir=str(data_dir))
    requests.get(sim.url + "/_sim/counters", verify=sim.ca_path, headers=admin_headers(sim), timeout=30)
    assert _mode(data_dir) == 0o700
    databases = [name for name in os.listdir(data_dir) if name.startswith("simulator.sqlite")]
    assert "simulator.sqlite" in databases
    for name in databases:  # the database and its -wal / -shm files
        assert _mode(data_dir / name) == 0o600, (name, oct(_mode(data_dir / name)))
    assert _mode(data_dir / tls_mod.KEY_FILE) == 0o600
