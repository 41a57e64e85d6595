# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile answer bodies (part 25): endless, decompression bombs, JSON nested past the parser's depth, integers past
Python's digit limit, NaN and Infinity, a UTF-8 BOM, other encodings.

The modules talk to :class:`HostileProxy`, a plain-HTTP reverse proxy in front of the simulator that forwards every
request (so a write is applied, as on a real server) and replaces the body of the chosen answer. Each test asserts the
one-line message, how many times the proxy saw the request (a write never twice) and, for writes, what the simulator
holds (the effect adopted, or a failure saying it may have happened). Never durations. The tests of a read or a login
are marked ``answer_replaced``: the proxy replaces the very answer they assert on, so the quirks stage skips them
(no reading of the simulator could change them); the writes stay there (finding a write's effect reads the simulator).
"""

from __future__ import annotations

import json
import re
import threading
import zlib

import pytest

from _harness import FakeRequest, LocalHttpServer, failed_once, run_playbook, write_playbook

ECHO = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
RETRY_SUCCEEDS = '7a5e0001-5e1f-4c0d-9a11-000000000001'
ICO_CREATE = {'task': {'eventTopic': 'com/ibm/orchestrator/serviceinstance/plan/ibm_bpm_process',
                       'parm': {'processName': 'Deploy'}, 'delayInSeconds': 1}, 'poll_interval': 0.2}
# The answer bound of the client (plugins/module_utils/_client.py MAX_ANSWER_BYTES): the bodies below pass it.
BOUND_MB = 64
HOP_HEADERS = ('content-length', 'transfer-encoding', 'content-encoding', 'connection', 'keep-alive', 'content-type')


def _bomb():
    """A gzip answer of a few hundred KB that inflates past the bound (256 MiB of a JSON string's spaces)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b' ' * (1 << 20)
    parts = [packer.compress(b'"')] + [packer.compress(block) for ignored in range(256)]
    parts.append(packer.compress(b'"') + packer.flush())
    return b''.join(parts)


BOMB = []
BOMB_LOCK = threading.Lock()


def bomb():
    with BOMB_LOCK:
        if not BOMB:
            BOMB.append(_bomb())
        return BOMB[0]


class HostileRequest(FakeRequest):
    """Forwards to the simulator; the first ``count`` answers of the proxy's ``target`` get ``body`` instead."""

    def respond(self):
        proxy = self.server.fake
        key = '%s %s' % (self.command, self.url_path)
        hostile = None
        with proxy.lock:
            proxy.seen.append(key)
            if proxy.left and re.fullmatch(proxy.target, key):
                proxy.left -= 1
                hostile = proxy.body
        if hostile is not None and not proxy.act:
            return self.answer(200, {}, hostile)
        import requests  # pylint: disable=import-outside-toplevel
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ('host', 'connection', 'accept-encoding')}
        upstream = requests.request(self.command, proxy.sim.url + self.path, headers=headers, data=self.raw or None,
                                    verify=proxy.sim.ca_path, allow_redirects=False, timeout=60)
        kept = {k: v.replace(proxy.sim.url, proxy.url) for k, v in upstream.headers.items() if k.lower() not in HOP_HEADERS}
        if hostile is None:
            return self.send(upstream.status_code, upstream.content, kept, upstream.headers.get('Content-Type', 'application/json'))
        if callable(hostile):
            hostile = hostile(upstream.content)
        return self.answer(upstream.status_code, kept, hostile)

    def answer(self, status, headers, hostile):
        """``hostile`` is bytes (sent with its Content-Length and a JSON Content-Type), ``'endless'`` or ``'bomb'``."""
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        content_type = self.server.fake.content_type
        self.send_header('Content-Type', content_type)
        if hostile == 'endless':
            self.send_header('Transfer-Encoding', 'chunked')
            self.end_headers()
            chunk = b'{},' * 20000
            framed = b'%x\r\n%s\r\n' % (len(chunk), chunk)
            try:
                self.wfile.write(b'1\r\n[\r\n')
                while True:
                    self.wfile.write(framed)
            except OSError:
                self.close_connection = True
                return None
        data = bomb() if hostile == 'bomb' else hostile
        if hostile == 'bomb':
            self.send_header('Content-Encoding', 'gzip')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:
            self.close_connection = True
        return None


class HostileProxy(LocalHttpServer):
    """``target``: a regular expression matched against ``'METHOD /path'``; ``body``: what its answer carries;
    ``act``: forward it first (the write is applied), else answer without forwarding."""

    def __init__(self, sim, target, body, act=True, count=1, content_type='application/json'):
        super().__init__(handler=HostileRequest)
        self.sim = sim
        self.target = target
        self.body = body
        self.act = act
        self.left = count
        self.content_type = content_type
        self.lock = threading.Lock()
        self.seen = []

    def sent(self, pattern):
        return sum(1 for key in self.seen if re.fullmatch(pattern, key))


def env_for(sim, product, proxy):
    env = sim.env(product)
    env['%s_URL' % product.upper()] = proxy.url
    return env


def play(tmp_path, module, args, name='it'):
    return write_playbook(tmp_path, 'bodies', [{'name': name, 'cloudops.orchestrator.%s' % module: args}], ignore_errors=True)


def outcome(res, name='it'):
    record = res.record(name)
    return record['status'], record['result']


DEEP = b'[' * 100000 + b']' * 100000
BIG_INT = b'{"id": ' + b'9' * 5000 + b'}'

# -- 1. endless bodies and decompression bombs ------------------------------------------------------------------

INFO_READS = [
    ('vro_workflow_info', 'vro', {'workflow_id': ECHO}, r'GET /vco/api/workflows/%s/?' % ECHO),
    ('orch_task_info', 'ico', {}, r'GET /orchestrator/v2/tasks/?'),
    ('vcf_task_info', 'vcf', {'task_id': RETRY_SUCCEEDS}, r'GET /v1/tasks/%s' % RETRY_SUCCEEDS),
]


@pytest.mark.answer_replaced
@pytest.mark.parametrize('hostile', ['endless', 'bomb'])
@pytest.mark.parametrize('module, product, args, target', INFO_READS, ids=[r[0] for r in INFO_READS])
def test_an_endless_or_inflating_read_fails_at_the_bound_in_one_line(fresh_simulator, tmp_path, module, product, args,
                                                                     target, hostile):
    sim = fresh_simulator
    with HostileProxy(sim, target, hostile, act=False, count=10) as proxy:
        res = run_playbook(play(tmp_path, module, dict(args, timeout=30)), env=env_for(sim, product, proxy), timeout=120)
    result = failed_once(res)
    assert 'the answer is larger than %d MiB' % BOUND_MB in result['msg'], result['msg']
    assert result['error']['kind'] == 'size'
    # Read once: a bigger answer the next time would be as big.
    assert proxy.sent(target) == 1, proxy.seen


WRITES = [
    ('vro_workflow_run', 'vro', {'workflow_id': ECHO, 'inputs': {'str': 'one'}, 'poll_interval': 0.2},
     r'POST /vco/api/workflows/%s/executions/?' % ECHO),
    ('orch_task', 'ico', ICO_CREATE, r'POST /orchestrator/v2/tasks/?'),
    ('vcf_task_retry', 'vcf', {'task_id': RETRY_SUCCEEDS, 'poll_interval': 0.2}, r'PATCH /v1/tasks/%s' % RETRY_SUCCEEDS),
]


def applied(sim, module):
    """How many times the simulator applied the write of ``module``."""
    if module == 'vro_workflow_run':
        return len(sim.admin('GET', 'vro/runs?workflow=%s' % ECHO)['runs'])
    if module == 'orch_task':
        return sum(1 for t in sim.admin('GET', 'requests')['requests']
                   if t['method'] == 'POST' and t['path'].rstrip('/') == '/orchestrator/v2/tasks')
    return sim.admin('GET', 'vcf/tasks/%s/attempts' % RETRY_SUCCEEDS)['retry_requests']


@pytest.mark.parametrize('hostile', ['endless', 'bomb', 'deep', 'big_int', 'nan'])
@pytest.mark.parametrize('module, product, args, target', WRITES, ids=[w[0] for w in WRITES])
def test_a_hostile_answer_to_a_write_is_never_sent_again(fresh_simulator, tmp_path, module, product, args, target, hostile):
    sim = fresh_simulator
    body = {'deep': DEEP, 'big_int': BIG_INT, 'nan': b'{"id": NaN, "state": Infinity}'}.get(hostile, hostile)
    with HostileProxy(sim, target, body) as proxy:
        res = run_playbook(play(tmp_path, module, dict(args, timeout=30)), env=env_for(sim, product, proxy), timeout=120)
    status, result = outcome(res)
    text = json.dumps(result)
    assert 'Traceback' not in text and 'MODULE FAILURE' not in text and 'module_stderr' not in text, text[:3000]
    assert proxy.sent(target) == 1, proxy.seen
    assert applied(sim, module) == 1
    if status == 'ignored':
        assert '\n' not in result['msg'].strip()
        assert 'may' in result['msg'] or 'was started' in result['msg'] or 'applied' in result['msg'], result['msg']
    else:
        assert status in ('ok', 'changed') and result['changed'] is True, result


# -- 2. bodies Python's parser chokes on, or takes although JSON does not allow them -----------------------------

UNREADABLE = {
    'deep': (DEEP, 'it is nested deeper than a JSON parser here can read'),
    'big_int': (BIG_INT, 'it holds a number of more than 4300 digits'),
    'nan': (b'[{"id": NaN}]', 'it holds NaN, which JSON does not allow'),
    'infinity': (b'{"elements": [{"id": -Infinity}]}', 'it holds -Infinity, which JSON does not allow'),
}


@pytest.mark.answer_replaced
@pytest.mark.parametrize('hostile', sorted(UNREADABLE))
@pytest.mark.parametrize('module, product, args, target', INFO_READS, ids=[r[0] for r in INFO_READS])
def test_a_read_answer_json_cannot_hold_fails_in_one_line(fresh_simulator, tmp_path, module, product, args, target, hostile):
    sim = fresh_simulator
    body, words = UNREADABLE[hostile]
    with HostileProxy(sim, target, body, act=False, count=10) as proxy:
        res = run_playbook(play(tmp_path, module, args), env=env_for(sim, product, proxy))
    result = failed_once(res)
    assert 'the answer is not valid JSON: %s' % words in result['msg'], result['msg']
    assert result['error']['kind'] == 'json'
    assert proxy.sent(target) == 1, proxy.seen


NAME = 'T\u00e2che n\u00e9e \u2013 sfo'


def renamed(encoding, bom=b''):
    def body(upstream):
        task = json.loads(upstream)
        task['name'] = NAME if encoding != 'iso-8859-1' else NAME.replace('\u2013', '-')
        return bom + json.dumps(task, ensure_ascii=False).encode(encoding)
    return body


ENCODINGS = {
    # RFC 8259 8.1: a parser MAY ignore a byte order mark.
    'utf-8 with a BOM': (renamed('utf-8', b'\xef\xbb\xbf'), 'application/json;charset=UTF-8'),
    'utf-16 without charset': (renamed('utf-16'), 'application/json'),
    'utf-16 declared': (renamed('utf-16-le', b'\xff\xfe'), 'application/json; charset=utf-16'),
    'latin-1 declared': (renamed('iso-8859-1'), 'application/json; charset=ISO-8859-1'),
    'latin-1 sent as utf-8': (renamed('iso-8859-1'), 'application/json;charset=UTF-8'),
    'latin-1 without charset': (renamed('iso-8859-1'), 'application/json'),
}


@pytest.mark.answer_replaced
@pytest.mark.parametrize('encoding', sorted(ENCODINGS))
def test_an_answer_in_another_encoding_is_read_whole(fresh_simulator, tmp_path, encoding):
    sim = fresh_simulator
    body, content_type = ENCODINGS[encoding]
    target = r'GET /v1/tasks/%s' % RETRY_SUCCEEDS
    with HostileProxy(sim, target, body, content_type=content_type) as proxy:
        res = run_playbook(play(tmp_path, 'vcf_task_info', {'task_id': RETRY_SUCCEEDS}), env=env_for(sim, 'vcf', proxy))
    status, result = outcome(res)
    assert status == 'ok', result
    expected = NAME.replace('\u2013', '-') if encoding.startswith('latin-1') else NAME
    assert [t['name'] for t in result['tasks']] == [expected]
    assert proxy.sent(target) == 1
    if encoding in ('latin-1 sent as utf-8', 'latin-1 without charset'):
        assert any('is not valid utf-8; read as ISO-8859-1' in w for w in result.get('warnings', [])), result


# -- 3. the login answer -------------------------------------------------------------------------------------------

@pytest.mark.answer_replaced
@pytest.mark.parametrize('hostile', ['endless', 'bomb', 'deep', 'big_int', 'nan'])
def test_a_hostile_login_answer_fails_in_one_line_without_showing_it(fresh_simulator, tmp_path, hostile):
    sim = fresh_simulator
    body = {'deep': DEEP, 'big_int': b'{"accessToken": "eyJhbGciOiJIUzI1NiJ9.secret", "n": ' + b'1' * 5000 + b'}',
            'nan': b'{"accessToken": "eyJhbGciOiJIUzI1NiJ9.secret", "refreshToken": NaN}'}.get(hostile, hostile)
    target = r'POST /v1/tokens'
    with HostileProxy(sim, target, body) as proxy:
        res = run_playbook(play(tmp_path, 'vcf_task_info', {'task_id': RETRY_SUCCEEDS, 'timeout': 30}),
                           env=env_for(sim, 'vcf', proxy), timeout=120)
    result = failed_once(res)
    assert 'secret' not in json.dumps(result) and 'eyJ' not in json.dumps(result)
    assert proxy.sent(target) == 1, proxy.seen
    assert proxy.sent(r'GET /v1/tasks.*') == 0
    if hostile in ('endless', 'bomb'):
        assert 'the answer is larger than %d MiB' % BOUND_MB in result['msg'], result['msg']
    else:
        assert 'the answer is not valid JSON' in result['msg'] and 'login answer is not shown' in result['msg'], result['msg']


# -- a hostile answer while waiting on a run already started ---------------------------------------------------

@pytest.mark.parametrize('hostile', ['endless', 'deep'])
def test_a_hostile_answer_while_waiting_names_the_started_run(fresh_simulator, tmp_path, hostile):
    sim = fresh_simulator
    target = r'GET /vco/api/workflows/%s/executions/[^/]+(/state)?/?' % ECHO
    start = r'POST /vco/api/workflows/%s/executions/?' % ECHO
    with HostileProxy(sim, target, DEEP if hostile == 'deep' else hostile, act=False, count=100) as proxy:
        res = run_playbook(play(tmp_path, 'vro_workflow_run', {'workflow_id': ECHO, 'inputs': {'str': 'one'},
                                                               'poll_interval': 0.2, 'wait_timeout': 20, 'timeout': 30}),
                           env=env_for(sim, 'vro', proxy), timeout=120)
    result = failed_once(res)
    runs = sim.admin('GET', 'vro/runs?workflow=%s' % ECHO)['runs']
    assert len(runs) == 1 and proxy.sent(start) == 1
    assert result['execution_id'] == runs[0]['id'] and runs[0]['id'] in result['msg'], result['msg']
    assert result['changed'] is True
