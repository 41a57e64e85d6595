# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile answer bodies (part 25): endless, decompression bombs, JSON nested past the parser's depth, integers past
Python's digit limit, NaN and Infinity, a UTF-8 BOM, other encodings.

The modules talk to :class:`HostileProxy`, a plain-HTTP reverse proxy in front of the simulator that forwards every
request (so a write is applied, as on a real server) and replaces the body of the chosen answers. Each task asserts the
one-line message, how many times the proxy saw its request (a write never twice) and, for writes, what the simulator
holds (the effect adopted, or a failure saying it may have happened). Never durations. Cases on distinct routes share
one playbook (a task each, ``ignore_errors``, the proxy holding one rule per route): each ansible-playbook costs CPU
to start, and the stages run on two cores. The tests of a read or a login
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
# The answer bound of the client (plugins/module_utils/_client.py MAX_ANSWER_BYTES): the bodies below pass it. The ICO
# task list, the one unpaged collection, has its own (UNPAGED_LIST_MAX_BYTES), which they pass too.
BOUND_MB = 64
LIST_BOUND_MB = {'orch_task_info': 256}
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
    """Forwards to the simulator; the first ``count`` answers of each rule's ``target`` get its ``body`` instead."""

    def respond(self):
        proxy = self.server.fake
        key = '%s %s' % (self.command, self.url_path)
        hostile = content_type = None
        with proxy.lock:
            proxy.seen.append(key)
            for rule in proxy.rules:
                if re.fullmatch(rule['target'], key):
                    if rule['left']:
                        rule['left'] -= 1
                        hostile, content_type = rule['body'], rule['content_type']
                    break
        if hostile is not None and not proxy.act:
            return self.answer(200, {}, hostile, content_type)
        import requests  # pylint: disable=import-outside-toplevel
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ('host', 'connection', 'accept-encoding')}
        upstream = requests.request(self.command, proxy.sim.url + self.path, headers=headers, data=self.raw or None,
                                    verify=proxy.sim.ca_path, allow_redirects=False, timeout=60)
        kept = {k: v.replace(proxy.sim.url, proxy.url) for k, v in upstream.headers.items() if k.lower() not in HOP_HEADERS}
        if hostile is None:
            return self.send(upstream.status_code, upstream.content, kept, upstream.headers.get('Content-Type', 'application/json'))
        if callable(hostile):
            hostile = hostile(upstream.content)
        return self.answer(upstream.status_code, kept, hostile, content_type)

    def answer(self, status, headers, hostile, content_type):
        """``hostile`` is bytes (sent with its Content-Length and a JSON Content-Type), ``'endless'`` or ``'bomb'``."""
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
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
    ``act``: forward it first (the write is applied), else answer without forwarding. ``rules``: several
    ``(target, body[, content_type])`` instead, each with its own ``count`` (the first rule matching a request is its)."""

    def __init__(self, sim, target=None, body=None, act=True, count=1, content_type='application/json', rules=None):
        super().__init__(handler=HostileRequest)
        self.sim = sim
        rules = [(target, body)] if rules is None else rules
        self.rules = [{'target': rule[0], 'body': rule[1], 'left': count,
                       'content_type': rule[2] if len(rule) > 2 else content_type} for rule in rules]
        self.act = act
        self.lock = threading.Lock()
        self.seen = []

    def sent(self, pattern):
        return sum(1 for key in self.seen if re.fullmatch(pattern, key))


def env_for(sim, product, proxy):
    env = sim.env(product)
    env['%s_URL' % product.upper()] = proxy.url
    return env


def env_all(sim, proxy, products=('vro', 'ico', 'vcf')):
    """The variables of every product (their names do not overlap), each product's URL the proxy's."""
    env = {}
    for product in products:
        env.update(env_for(sim, product, proxy))
    return env


def play(tmp_path, module, args, name='it'):
    return write_playbook(tmp_path, 'bodies', [{'name': name, 'cloudops.orchestrator.%s' % module: args}], ignore_errors=True)


def play_each(tmp_path, tasks):
    """One playbook of ``(name, module, args)`` tasks, each with ``ignore_errors``."""
    return write_playbook(tmp_path, 'bodies', [{'name': name, 'cloudops.orchestrator.%s' % module: args}
                                               for name, module, args in tasks], ignore_errors=True)


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
def test_an_endless_or_inflating_read_fails_at_the_bound_in_one_line(fresh_simulator, tmp_path, hostile):
    sim = fresh_simulator
    # One task per module (INFO_READS: each its own route).
    with HostileProxy(sim, rules=[(r[3], hostile) for r in INFO_READS], act=False, count=10) as proxy:
        res = run_playbook(play_each(tmp_path, [(module, module, dict(args, timeout=30))
                                                for module, product, args, target in INFO_READS]),
                           env=env_all(sim, proxy), timeout=360)
    for module, product, args, target in INFO_READS:
        result = failed_once(res, module)
        assert 'the answer is larger than %d MiB' % LIST_BOUND_MB.get(module, BOUND_MB) in result['msg'], (module, result['msg'])
        assert result['error']['kind'] == 'size', module
        # Read once: a bigger answer the next time would be as big.
        assert proxy.sent(target) == 1, (module, proxy.seen)


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
def test_a_hostile_answer_to_a_write_is_never_sent_again(fresh_simulator, tmp_path, hostile):
    sim = fresh_simulator
    body = {'deep': DEEP, 'big_int': BIG_INT, 'nan': b'{"id": NaN, "state": Infinity}'}.get(hostile, hostile)
    # One task per module (WRITES: each its own route, and applied() counts each module's own effect).
    with HostileProxy(sim, rules=[(w[3], body) for w in WRITES]) as proxy:
        res = run_playbook(play_each(tmp_path, [(module, module, dict(args, timeout=30))
                                                for module, product, args, target in WRITES]),
                           env=env_all(sim, proxy), timeout=360)
    for module, product, args, target in WRITES:
        status, result = outcome(res, module)
        text = json.dumps(result)
        assert 'Traceback' not in text and 'MODULE FAILURE' not in text and 'module_stderr' not in text, (module, text[:3000])
        assert proxy.sent(target) == 1, (module, proxy.seen)
        assert applied(sim, module) == 1, module
        if status == 'ignored':
            assert '\n' not in result['msg'].strip(), module
            assert 'may' in result['msg'] or 'was started' in result['msg'] or 'applied' in result['msg'], (module, result['msg'])
        else:
            assert status in ('ok', 'changed') and result['changed'] is True, (module, result)


# -- 2. bodies Python's parser chokes on, or takes although JSON does not allow them -----------------------------

UNREADABLE = {
    'deep': (DEEP, 'it is nested deeper than a JSON parser here can read'),
    'big_int': (BIG_INT, 'it holds a number of more than 4300 digits'),
    'nan': (b'[{"id": NaN}]', 'it holds NaN, which JSON does not allow'),
    'infinity': (b'{"elements": [{"id": -Infinity}]}', 'it holds -Infinity, which JSON does not allow'),
}


@pytest.mark.answer_replaced
@pytest.mark.parametrize('hostile', sorted(UNREADABLE))
def test_a_read_answer_json_cannot_hold_fails_in_one_line(fresh_simulator, tmp_path, hostile):
    sim = fresh_simulator
    body, words = UNREADABLE[hostile]
    # One task per module (INFO_READS: each its own route).
    with HostileProxy(sim, rules=[(r[3], body) for r in INFO_READS], act=False, count=10) as proxy:
        res = run_playbook(play_each(tmp_path, [(module, module, args) for module, product, args, target in INFO_READS]),
                           env=env_all(sim, proxy))
    for module, product, args, target in INFO_READS:
        result = failed_once(res, module)
        assert 'the answer is not valid JSON: %s' % words in result['msg'], (module, result['msg'])
        assert result['error']['kind'] == 'json', module
        assert proxy.sent(target) == 1, (module, proxy.seen)


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


# The encodings' tasks (built-in VCF tasks, simulator/README.md), one each, so that the proxy tells the cases apart by
# the path: the answer is the task renamed, whichever it is.
ENCODING_TASKS = dict(zip(sorted(ENCODINGS), ['7a5e000%d-5e1f-4c0d-9a11-00000000000%d' % (n, n) for n in range(1, 7)]))


@pytest.mark.answer_replaced
def test_an_answer_in_another_encoding_is_read_whole(fresh_simulator, tmp_path):
    sim = fresh_simulator
    targets = {encoding: r'GET /v1/tasks/%s' % task_id for encoding, task_id in ENCODING_TASKS.items()}
    with HostileProxy(sim, rules=[(targets[e], ENCODINGS[e][0], ENCODINGS[e][1]) for e in sorted(ENCODINGS)]) as proxy:
        res = run_playbook(play_each(tmp_path, [(e, 'vcf_task_info', {'task_id': ENCODING_TASKS[e]}) for e in sorted(ENCODINGS)]),
                           env=env_for(sim, 'vcf', proxy))
    for encoding in sorted(ENCODINGS):
        status, result = outcome(res, encoding)
        assert status == 'ok', (encoding, result)
        expected = NAME.replace('\u2013', '-') if encoding.startswith('latin-1') else NAME
        assert [t['name'] for t in result['tasks']] == [expected], encoding
        assert proxy.sent(targets[encoding]) == 1, encoding
        if encoding in ('latin-1 sent as utf-8', 'latin-1 without charset'):
            assert any('is not valid utf-8; read as ISO-8859-1' in w for w in result.get('warnings', [])), (encoding, result)


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
