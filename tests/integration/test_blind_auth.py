# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blind audit of credentials, tokens and where they go, against independent fakes of the three servers.

The fakes below were written from public evidence only, before reading the simulator or the modules' code:

- Broadcom API reference, vRA 8 "Login" ``POST /csp/gateway/am/api/login`` (developer.broadcom.com/xapis/
  vm-apps-org-identity/latest/csp/gateway/am/api/login/post): body ``{username, password, domain?, scope?}``, 200 with a
  ``Token`` holding ``cspAuthToken``, 400 "Wrong username or password" without a body; with ``?access_token`` the answer
  also holds a refresh token (an OAuth answer: ``access_token``, ``refresh_token``, ``id_token``, ``token_type``,
  ``expires_in``, ``scope``, as captured by cars/getVRAToken and the vRO action gist imtrinity94/5c0eabe5...);
- Broadcom API reference, "Retrieve Auth Token" ``POST /iaas/api/login`` (cloud-assembly-iaas-api): ``{refreshToken}``
  in, ``{tokenType: "Bearer", token}`` out, 400 with a ``ServiceErrorResponse`` (``message``, ``statusCode``,
  ``errorCode``, ``serverErrorId``) or 403 without a body;
- VCF 9.0 OpenAPI (shared/specs): ``POST /v1/tokens`` 201 TokenPair, ``PATCH /v1/tokens/access-token/refresh`` answers a
  string; terraform-provider-vcf: calls fail with 401/403 once the token expires;
- RFC 9110 15.4 / RFC 6750 3: a 3xx answer carries an absolute ``Location`` that may name any origin, and a 401 carries
  ``WWW-Authenticate`` (``Basic realm=...``, ``Bearer error="invalid_token", error_description=...``);
- vmw-loginsight/webhook-shims#84: vRO 8 behind a load balancer names internal nodes in ``Location`` and ``href``;
- ICO 2.5 "Resource instances REST API": collections page with absolute ``next`` links (``{href,start,limit,total,
  first,previous,next,last}``); WebSphere in front of ICO answers an unauthenticated request with a 302 to its form
  login page (``/ibm/console/logon.jsp``) or the page itself.

What the audit found (each test below fails on the code before its fix): a CSP login answering an access token
without a refresh token (``cspAuthToken``) failed the task; concurrent starts (``runs``) refused with 401 each logged
in again, spending a rotating OAuth API token several times; an ICO domain or project name outside Latin-1 failed
with a codec error; a token refused right after a successful login gave no next step.

Every run is at -vvv with ``no_log`` off; the helper ``assert_no_secret`` greps the output, every task result, and the
module log for the passwords, the tokens, and the Basic header value.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid

from _harness import LocalHttpServer, run_playbook, write_playbook

USER = 'opsuser'
PASSWORD = 'Pw-Auth-s3cret-9081'
BASIC = 'Basic ' + base64.b64encode(('%s:%s' % (USER, PASSWORD)).encode()).decode()
REFRESH = 'q7ZkR2vN9pLw4TbX1cYe8HsJ0uMa5DgF'  # a vRA refresh token is 32 opaque characters (cars/getVRAToken)
ID_TOKEN = 'IdTok-eyJ0eXAi-0c9e8a'
CSP_ACCESS = 'CspAccess-5be2f01d77'
WF_ID = '3f6c1b2a-aaaa-4bbb-8ccc-000000000001'
EXEC_ID = '8e1d0c9b-eeee-4fff-8000-000000000002'
VCF_TASK = '6b1e2f3a-0000-4d5e-9f00-task00000001'


def jwt(exp_in=3600, tag=''):
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b'=').decode()
    now = int(time.time())
    return '%s.%s.%s' % (part({'alg': 'RS256', 'typ': 'JWT'}),
                         part({'sub': USER, 'iat': now, 'exp': now + exp_in, 'jti': str(uuid.uuid4())}),
                         'sig' + tag + uuid.uuid4().hex)


class Recorder(LocalHttpServer):
    """A fake that records every request (method, path, headers, body) and answers with ``route(self, request)``."""

    def __init__(self, route=None):
        super().__init__()
        self.route = route
        self.lock = threading.Lock()
        self.seen = []
        self.state = {}

    def answer(self, request):
        with self.lock:
            self.seen.append((request.command, request.path, dict(request.headers), request.raw.decode('latin-1')))
        if self.route is None:
            return request.send(200, {'ok': True})
        return self.route(self, request)

    def paths(self, method=None):
        return [p for m, p, h, b in self.seen if method is None or m == method]


def assert_no_secret(res, secrets):
    text = '\n'.join([res.stdout, res.stderr, json.dumps(res.results), res.module_log])
    for secret in secrets:
        assert secret not in text, 'secret %r shown:\n%s' % (secret, text[max(0, text.find(secret) - 800):text.find(secret) + 200])


def one_line(res, name):
    record = res.record(name)
    result = record['result']
    assert record['status'] in ('ignored', 'failed'), result
    assert result['msg'] and '\n' not in result['msg'].strip(), result['msg']
    text = json.dumps(result)
    assert 'Traceback' not in text and 'MODULE FAILURE' not in text, text[:2000]
    return result


# ---------------------------------------------------------------- vRO

def vro_definition(base):
    return {'id': WF_ID, 'name': 'Deploy VM', 'version': '1.0.0', 'description': '', 'href': base + '/vco/api/workflows/%s/' % WF_ID,
            'input-parameters': [{'name': 'vmName', 'type': 'string'}], 'output-parameters': []}


def vro_run(base):
    return {'id': EXEC_ID, 'name': 'Deploy VM', 'state': 'completed', 'href': base + '/vco/api/workflows/%s/executions/%s/' % (WF_ID, EXEC_ID),
            'start-date': '2026-01-31T10:00:00.000Z', 'end-date': '2026-01-31T10:00:05.000Z', 'started-by': USER,
            'input-parameters': [{'name': 'vmName', 'type': 'string', 'scope': 'local', 'value': {'string': {'value': 'web01'}}}],
            'output-parameters': []}


def vro_api(fake, h, foreign, accept):
    """vRO 8 under /vco/api, for a request already authenticated; ``foreign`` is the base URL links name."""
    path = h.url_path
    if path.rstrip('/') == '/vco/api/about':
        return h.send(200, {'version': '8.18.0', 'build-number': '24029603', 'api-version': '6.0.0'})
    if path.rstrip('/') == '/vco/api/workflows':
        link = {'href': foreign + '/vco/api/workflows/%s/' % WF_ID, 'rel': 'down',
                'attributes': [{'name': 'id', 'value': WF_ID}, {'name': 'name', 'value': 'Deploy VM'},
                               {'name': 'categoryName', 'value': 'Demo'}, {'name': 'version', 'value': '1.0.0'}]}
        return h.send(200, {'link': [link], 'total': 1})
    if path.rstrip('/') == '/vco/api/workflows/%s' % WF_ID:
        return h.send(200, vro_definition(foreign))
    if path.rstrip('/') == '/vco/api/workflows/%s/executions' % WF_ID and h.command == 'POST':
        fake.state['started'] = fake.state.get('started', 0) + 1
        return h.send(202, None, headers={'Location': foreign + '/vco/api/workflows/%s/executions/%s/' % (WF_ID, EXEC_ID)})
    if path.rstrip('/') == '/vco/api/workflows/%s/executions' % WF_ID:
        link = {'href': foreign + '/vco/api/workflows/%s/executions/%s/' % (WF_ID, EXEC_ID), 'rel': 'down',
                'attributes': [{'name': 'id', 'value': EXEC_ID}, {'name': 'state', 'value': 'completed'},
                               {'name': 'name', 'value': 'Deploy VM'}, {'name': 'startDate', 'value': '2026-01-31T10:00:00.000Z'},
                               {'name': 'endDate', 'value': '2026-01-31T10:00:05.000Z'}, {'name': 'startedBy', 'value': USER}]}
        return h.send(200, {'relations': {'total': 1, 'link': [{'rel': 'up', 'href': foreign + '/vco/api/workflows/%s/' % WF_ID}, link]}})
    if path.rstrip('/') == '/vco/api/workflows/%s/executions/%s' % (WF_ID, EXEC_ID):
        fake.state['reads'] = fake.state.get('reads', 0) + 1
        return h.send(200, vro_run(foreign))
    if path.rstrip('/') == '/vco/api/workflows/%s/executions/%s/state' % (WF_ID, EXEC_ID):
        return h.send(200, {'value': 'completed'})
    if path.rstrip('/').endswith('/logs') or path.rstrip('/').endswith('/syslogs'):
        return h.send(200, {'logs': []})
    return h.send(404, {'status': 404, 'message': 'Not found: %s' % path})


def vro_basic(foreign_url):
    def route(fake, h):
        if h.headers.get('Authorization') != BASIC:
            return h.send(401, {'status': 401, 'message': 'Unauthorized'}, headers={'WWW-Authenticate': 'Basic realm="vco"'})
        return vro_api(fake, h, foreign_url(fake), None)
    return route


def vro_task(name, module, args, base, **conn):
    params = dict(url=base, username=USER, password=PASSWORD, auth='basic', timeout=5, retries=0)
    params.update(conn)
    params.update(args)
    return {'name': name, 'cloudops.orchestrator.%s' % module: params, 'ignore_errors': True}


def test_foreign_links_and_location_are_never_followed(tmp_path):
    """vRO 8 behind a load balancer: list hrefs, a definition's href and a start's Location name another origin
    (host and port, and the https scheme); the run is still read, every request goes to the configured origin."""
    with Recorder() as evil:
        with Recorder(vro_basic(lambda fake: evil.url)) as vro:
            tasks = [vro_task('by name', 'vro_workflow_info', {'workflow_name': 'Deploy VM'}, vro.url),
                     vro_task('run', 'vro_workflow_run', {'workflow_name': 'Deploy VM', 'inputs': {'vmName': 'web01'}}, vro.url),
                     vro_task('runs', 'vro_execution_info', {'workflow_id': WF_ID, 'details': True}, vro.url),
                     vro_task('by url', 'vro_execution_info', {'execution_url': evil.url + '/vco/api/workflows/%s/executions/%s/' % (WF_ID, EXEC_ID)},
                              vro.url)]
            res = run_playbook(write_playbook(tmp_path, 'foreign', tasks), verbosity=3)
    assert evil.seen == [], evil.seen
    if res.record('by url')['status'] != 'ok':
        one_line(res, 'by url')
    assert res.record('by name')['status'] == 'ok', res.result('by name')
    assert res.record('run')['status'] == 'ok', res.result('run')
    assert vro.state.get('started') == 1
    assert res.record('runs')['status'] == 'ok', res.result('runs')
    assert_no_secret(res, [PASSWORD, BASIC.split()[1]])


def redirecting(status, target):
    def route(fake, h):
        if h.url_path.rstrip('/').endswith('/about'):
            # a redirect from the very first call, with or without credentials
            return h.send(status, None, headers={'Location': target(fake) + h.path})
        if h.headers.get('Authorization') != BASIC:
            return h.send(401, {'status': 401, 'message': 'Unauthorized'}, headers={'WWW-Authenticate': 'Basic realm="vco"'})
        if h.url_path.rstrip('/').endswith(WF_ID):
            return h.send(status, None, headers={'Location': target(fake) + h.path})
        return vro_api(fake, h, 'http://127.0.0.1:%d' % fake.port, None)
    return route


def test_redirects_are_not_followed_and_say_so(tmp_path):
    """302, 307 and 308 to another port, and to http:// on the same host: nothing reaches the other origin, one line."""
    with Recorder() as evil:
        servers = [Recorder(redirecting(status, lambda fake: evil.url)) for status in (302, 307, 308)]
        for server in servers:
            server.__enter__()
        try:
            tasks = []
            for status, server in zip((302, 307, 308), servers):
                tasks.append(vro_task('def %d' % status, 'vro_workflow_info', {'workflow_id': WF_ID}, server.url))
            res = run_playbook(write_playbook(tmp_path, 'redirects', tasks), verbosity=3)
        finally:
            for server in servers:
                server.__exit__(None, None, None)
    assert evil.seen == [], evil.seen
    for status in (302, 307, 308):
        result = one_line(res, 'def %d' % status)
        assert 'redirect' in result['msg'].lower() or str(status) in result['msg'], result['msg']
    assert_no_secret(res, [PASSWORD, BASIC.split()[1]])


def test_url_with_user_information_is_never_shown(tmp_path):
    """A URL written with ``user:password@`` (a habit from curl) shows neither in errors nor in output."""
    secret = 'Url-Pw-77c1e2'
    with Recorder(lambda fake, h: h.send(500, b'<html><body>Internal error</body></html>', content_type='text/html')) as vro:
        url = 'http://%s:%s@127.0.0.1:%d' % (USER, secret, vro.port)
        tasks = [vro_task('it', 'vro_workflow_info', {'workflow_id': WF_ID}, url)]
        res = run_playbook(write_playbook(tmp_path, 'userinfo', tasks), verbosity=3)
    one_line(res, 'it')
    assert_no_secret(res, [PASSWORD, secret, BASIC.split()[1]])
    # the credentials of the URL are never sent either: only the configured ones
    for method, path, headers, body in vro.seen:
        assert secret not in json.dumps(headers), headers


# ---------------------------------------------------------------- vRA login


def vra_fake(csp_answer, iaas_answer=None, api_ok=None):
    """A vRA 8 / vRO 8 front: CSP login answered by ``csp_answer(fake, h, body)``, the iaas login by ``iaas_answer``,
    the API accepting the bearer tokens in ``fake.state['valid']`` (or ``api_ok(fake, h)``)."""
    def route(fake, h):
        body = None
        try:
            body = json.loads(h.raw) if h.raw else None
        except ValueError:
            pass
        if h.url_path.rstrip('/') == '/csp/gateway/am/api/login':
            fake.state['csp'] = fake.state.get('csp', 0) + 1
            return csp_answer(fake, h, body)
        if h.url_path.rstrip('/') == '/iaas/api/login':
            fake.state['iaas'] = fake.state.get('iaas', 0) + 1
            if iaas_answer is not None:
                return iaas_answer(fake, h, body)
            if not isinstance(body, dict) or body.get('refreshToken') != REFRESH:
                return h.send(400, {'message': 'Invalid refresh token', 'statusCode': 400, 'errorCode': 10001})
            token = jwt(tag='vra')
            fake.state.setdefault('valid', set()).add(token)
            return h.send(200, {'tokenType': 'Bearer', 'token': token})
        auth = h.headers.get('Authorization') or ''
        ok = api_ok(fake, h) if api_ok else auth.startswith('Bearer ') and auth[7:] in fake.state.get('valid', set())
        if not ok:
            return h.send(401, {'status': 401, 'message': 'Unauthorized'},
                          headers={'WWW-Authenticate': 'Bearer realm="vco", error="invalid_token", error_description="The access token expired"'})
        return vro_api(fake, h, 'http://127.0.0.1:%d' % fake.port, None)
    return route


def csp_by_user(fake, h, body):
    """The CSP login, answering in the form the user name asks for (one playbook plays every form)."""
    if not isinstance(body, dict) or body.get('password') != PASSWORD:
        return h.send(400, None)
    form = body.get('username')
    oauth = {'access_token': CSP_ACCESS, 'refresh_token': REFRESH, 'id_token': ID_TOKEN, 'token_type': 'bearer',
             'expires_in': 1799, 'scope': 'openid offline_access'}
    if form == 'oauth':
        return h.send(200, oauth)
    if form == 'oauth-camel':
        return h.send(200, {'cspAuthToken': CSP_ACCESS, 'refresh_token': REFRESH, 'id_token': ID_TOKEN})
    if form == 'csp-only':
        # vRA 8.4 and later (vCROCS "Automating Automation (Updated)"): the login answers {cspAuthToken}, used as the bearer
        fake.state.setdefault('valid', set()).add(CSP_ACCESS)
        return h.send(200, {'cspAuthToken': CSP_ACCESS})
    if form == 'access-only':
        # vRA 8.3 scripts take access_token of the same answer as the bearer (no refresh token when it is not asked for)
        fake.state.setdefault('valid', set()).add(CSP_ACCESS)
        return h.send(200, {'access_token': CSP_ACCESS, 'token_type': 'bearer', 'expires_in': 1799, 'scope': ''})
    if form == 'html':
        return h.send(200, ('<html><head><title>VMware Aria Automation</title></head><body><form action="/login">'
                            'user %s</form></body></html>' % form).encode(), content_type='text/html;charset=UTF-8')
    if form == 'bare':
        return h.send(200, REFRESH)
    if form == 'echo':
        # a 500 whose message echoes the request (seen on gateways): the password must still stay hidden
        return h.send(500, {'message': 'Login failed for request %s' % json.dumps(body)})
    return h.send(400, None)


def test_vra_login_answer_forms_and_no_secret(tmp_path):
    with Recorder(vra_fake(csp_by_user)) as vra:
        tasks = []
        for form in ('oauth', 'oauth-camel', 'csp-only', 'access-only', 'html', 'bare', 'echo', 'wrong'):
            task = vro_task(form, 'vro_login', {}, vra.url, auth='vra', username=form if form != 'wrong' else 'nobody')
            tasks.append(task)
            tasks.append({'name': 'use %s' % form, 'ignore_errors': True, 'when': '%s is succeeded' % form.replace('-', '_'),
                          'cloudops.orchestrator.vro_workflow_info': {'url': vra.url, 'auth': 'token', 'workflow_id': WF_ID,
                                                                      'token': '{{ %s.token }}' % form.replace('-', '_')}})
            task['register'] = form.replace('-', '_')
        res = run_playbook(write_playbook(tmp_path, 'vra_forms', tasks), verbosity=3)
    tokens = sorted(vra.state.get('valid', ()))
    assert res.record('oauth')['status'] == 'ok', res.result('oauth')
    assert res.record('use oauth')['status'] == 'ok', res.result('use oauth')
    assert res.record('oauth-camel')['status'] == 'ok', res.result('oauth-camel')
    for form in ('html', 'echo', 'wrong'):
        one_line(res, form)
    if res.record('bare')['status'] != 'ok':
        one_line(res, 'bare')
    assert 'html' in json.dumps(res.result('html')).lower(), res.result('html')
    assert '400' in res.result('wrong')['msg'] or 'password' in res.result('wrong')['msg'].lower(), res.result('wrong')['msg']
    assert_no_secret(res, [PASSWORD, REFRESH, ID_TOKEN, CSP_ACCESS] + [t.split('.')[-1] for t in tokens])
    for form in ('csp-only', 'access-only'):
        # a login answer without a refresh token but with the access token: usable as it is
        assert res.record(form)['status'] == 'ok', res.result(form)
        assert res.record('use %s' % form)['status'] == 'ok', res.result('use %s' % form)


def test_vra_login_redirected_elsewhere_sends_no_password_there(tmp_path):
    with Recorder() as evil:
        def csp(fake, h, body):
            return h.send(307, None, headers={'Location': evil.url + '/csp/gateway/am/api/login?access_token'})

        def iaas(fake, h, body):
            return h.send(308, None, headers={'Location': evil.url + '/iaas/api/login'})
        with Recorder(vra_fake(csp)) as vra, Recorder(vra_fake(lambda f, h, b: csp_by_user(f, h, {'username': 'oauth', 'password': PASSWORD}), iaas)) as vra2:
            tasks = [vro_task('csp', 'vro_login', {}, vra.url, auth='vra'),
                     vro_task('iaas', 'vro_login', {}, vra2.url, auth='vra'),
                     vro_task('api token', 'vro_login', {}, vra2.url, auth='vra', token=REFRESH, username=None, password=None)]
            res = run_playbook(write_playbook(tmp_path, 'vra_redirect', tasks), verbosity=3)
    assert evil.seen == [], evil.seen
    for name in ('csp', 'iaas', 'api token'):
        one_line(res, name)
    assert_no_secret(res, [PASSWORD, REFRESH, ID_TOKEN, CSP_ACCESS])


def test_token_expired_mid_wait_logs_in_again_once(tmp_path):
    """auth=vra with username and password: the bearer token is refused mid-run (401, Bearer invalid_token); the
    module obtains a new one once and reads on. With a bare token it says what to do."""
    def api_ok(fake, h):
        auth = h.headers.get('Authorization') or ''
        token = auth[7:] if auth.startswith('Bearer ') else None
        valid = fake.state.setdefault('valid', set())
        if token in valid:
            # the first token dies on the second API call
            fake.state['api_calls'] = fake.state.get('api_calls', 0) + 1
            if fake.state['api_calls'] == 2:
                valid.discard(token)
                fake.state['killed'] = token
                return False
        return token in valid
    old = jwt(tag='old')
    with Recorder(vra_fake(lambda f, h, b: csp_by_user(f, h, dict(b or {}, username='oauth')), api_ok=api_ok)) as vra:
        tasks = [vro_task('wait', 'vro_execution_info', {'workflow_id': WF_ID, 'execution_id': EXEC_ID, 'wait_for': ['completed'],
                                                         'fetch_logs': True, 'details': True}, vra.url, auth='vra'),
                 vro_task('expired', 'vro_workflow_info', {'workflow_id': WF_ID}, vra.url, auth='token', token=old,
                          username=None, password=None)]
        res = run_playbook(write_playbook(tmp_path, 'expired', tasks), verbosity=3)
    assert res.record('wait')['status'] == 'ok', res.result('wait')
    # one new login: the refresh token exchanged again (iaas), or the whole login again
    assert vra.state.get('killed') and vra.state['csp'] + vra.state['iaas'] in (3, 4) and vra.state['iaas'] == 2, vra.state
    result = one_line(res, 'expired')
    assert 'vro_login' in result['msg'] or 'expired' in result['msg'].lower() or 'token' in result['msg'].lower(), result['msg']
    assert_no_secret(res, [PASSWORD, REFRESH, ID_TOKEN, CSP_ACCESS, old.split('.')[2], vra.state['killed'].split('.')[2]]
                     + [t.split('.')[-1] for t in vra.state.get('valid', ())])


def test_login_answered_slowly_then_lost(tmp_path):
    """The CSP login reaches the server, which answers late and then drops the connection: one clear line, and
    the login is not repeated behind the user's back more than the read policy allows; no secret shown."""
    def csp(fake, h, body):
        time.sleep(1.5)
        return h.drop()
    with Recorder(vra_fake(csp)) as vra:
        tasks = [vro_task('it', 'vro_login', {}, vra.url, auth='vra', timeout=1)]
        res = run_playbook(write_playbook(tmp_path, 'lost_login', tasks), verbosity=3)
    one_line(res, 'it')
    assert vra.state.get('csp', 0) >= 1
    assert_no_secret(res, [PASSWORD, BASIC.split()[1]])


# ---------------------------------------------------------------- VCF

def vcf_fake(evil_url, mode):
    def route(fake, h):
        body = None
        try:
            body = json.loads(h.raw) if h.raw else None
        except ValueError:
            body = h.raw.decode()
        valid = fake.state.setdefault('valid', set())
        if h.url_path == '/v1/tokens' and h.command == 'POST':
            if mode == 'redirect-login':
                return h.send(307, None, headers={'Location': evil_url + '/v1/tokens'})
            if not isinstance(body, dict) or body.get('password') != PASSWORD:
                return h.send(400, {'errorCode': 'INVALID_CREDENTIALS', 'message': 'Invalid credentials', 'arguments': [],
                                    'context': {}, 'referenceToken': 'ABC123'})
            token = jwt(tag='vcf')
            valid.add(token)
            return h.send(200, {'accessToken': token, 'refreshToken': {'id': REFRESH}, 'idToken': ID_TOKEN})
        if h.url_path == '/v1/tokens/access-token/refresh':
            token = jwt(tag='vcfr')
            valid.add(token)
            return h.send(200, json.dumps(token).encode())
        auth = h.headers.get('Authorization') or ''
        if not (auth.startswith('Bearer ') and auth[7:] in valid):
            return h.send(401, {'errorCode': 'UNAUTHORIZED', 'message': 'Invalid or expired token %s' % auth[7:], 'arguments': [], 'context': {}})
        if h.url_path.startswith('/v1/tasks'):
            if mode == 'foreign-next':
                return h.send(302, None, headers={'Location': evil_url + h.path})
            return h.send(200, {'id': VCF_TASK, 'name': 'Commission host', 'type': 'HOST_COMMISSION', 'status': 'Successful',
                                'creationTimestamp': '2026-01-31T10:00:00.000Z', 'completionTimestamp': '2026-01-31T10:05:00.000Z',
                                'subTasks': [], 'errors': [], 'resources': [], 'isCancellable': False, 'isRetryable': False})
        return h.send(404, {'errorCode': 'NOT_FOUND', 'message': 'Not found'})
    return route


def test_vcf_token_login_redirect_and_echoed_token(tmp_path):
    with Recorder() as evil:
        with Recorder(vcf_fake(evil.url, 'redirect-login')) as redirected, Recorder(vcf_fake(evil.url, 'foreign-next')) as moved:
            old = jwt(tag='stale')
            conn = {'username': USER, 'password': PASSWORD, 'task_id': VCF_TASK, 'timeout': 5, 'retries': 0}
            tasks = [{'name': 'login', 'ignore_errors': True, 'cloudops.orchestrator.vcf_task_info': dict(conn, url=redirected.url)},
                     {'name': 'moved', 'ignore_errors': True, 'cloudops.orchestrator.vcf_task_info': dict(conn, url=moved.url)},
                     {'name': 'stale', 'ignore_errors': True, 'cloudops.orchestrator.vcf_task_info': dict(
                         conn, url=moved.url, token=old, username=None, password=None)}]
            res = run_playbook(write_playbook(tmp_path, 'vcf_auth', tasks), verbosity=3)
    assert evil.seen == [], evil.seen
    for name in ('login', 'moved', 'stale'):
        one_line(res, name)
    assert_no_secret(res, [PASSWORD, REFRESH, ID_TOKEN, old.split('.')[2]] + [t.split('.')[-1] for t in moved.state.get('valid', ())])


# ---------------------------------------------------------------- ICO

def ico_fake(evil_url, mode):
    def route(fake, h):
        if h.headers.get('Authorization') != BASIC:
            if mode == 'logon-page':
                return h.send(302, None, headers={'Location': evil_url + '/ibm/console/logon.jsp'})
            return h.send(401, b'<html><body>Error 401: SRVE0295E</body></html>', content_type='text/html',
                          headers={'WWW-Authenticate': 'Basic realm="ICO"'})
        task = {'id': '101', 'status': 'COMPLETED', 'created': 1769853600000, 'updated': 1769853605000, 'user': USER,
                'domain': 'Default', 'project': 'admin', 'parm': {}, 'eventTopic': 'demo'}
        if h.url_path.rstrip('/') == '/orchestrator/v2/tasks':
            if mode == 'foreign-next' and '_start=1' not in h.query:
                return h.send(200, {'href': evil_url + '/orchestrator/v2/tasks', 'start': 0, 'limit': 1, 'total': 2,
                                    'first': evil_url + '/orchestrator/v2/tasks?_start=0&_limit=1',
                                    'next': evil_url + '/orchestrator/v2/tasks?_start=1&_limit=1',
                                    'items': [task]})
            if mode == 'foreign-next':
                return h.send(200, {'href': evil_url + '/orchestrator/v2/tasks', 'start': 1, 'limit': 1, 'total': 2,
                                    'items': [dict(task, id='102')]})
            return h.send(200, [task])
        return h.send(404, b'Error 404', content_type='text/plain')
    return route


def test_ico_foreign_next_and_logon_redirect(tmp_path):
    with Recorder() as evil:
        with Recorder(ico_fake(evil.url, 'foreign-next')) as paged, Recorder(ico_fake(evil.url, 'logon-page')) as logon:
            conn = {'username': USER, 'password': PASSWORD, 'domain': 'Default', 'project': 'admin', 'timeout': 5, 'retries': 0}
            tasks = [{'name': 'paged', 'ignore_errors': True, 'cloudops.orchestrator.orch_task_info': dict(conn, url=paged.url)},
                     {'name': 'logon', 'ignore_errors': True, 'cloudops.orchestrator.orch_task_info': dict(
                         conn, url=logon.url, password='wrong-' + PASSWORD)}]
            res = run_playbook(write_playbook(tmp_path, 'ico_auth', tasks), verbosity=3)
    assert evil.seen == [], evil.seen
    assert res.record('paged')['status'] == 'ok', res.result('paged')
    one_line(res, 'logon')
    assert_no_secret(res, [PASSWORD, BASIC.split()[1]])


def test_start_refused_401_is_sent_again_once_after_login_and_never_loops(tmp_path):
    """A start whose token is refused (401: nothing was done) runs once after one new login; a server that refuses
    every fresh token costs at most one more login and ends in one line."""
    def kill_on_first_start(fake, h):
        auth = h.headers.get('Authorization') or ''
        token = auth[7:] if auth.startswith('Bearer ') else None
        valid = fake.state.setdefault('valid', set())
        if token in valid and h.command == 'POST' and not fake.state.get('killed'):
            valid.discard(token)
            fake.state['killed'] = token
            return False
        return token in valid

    def csp(f, h, b):
        return csp_by_user(f, h, dict(b or {}, username='oauth'))
    with Recorder(vra_fake(csp, api_ok=kill_on_first_start)) as vra, Recorder(vra_fake(csp, api_ok=lambda f, h: False)) as never:
        tasks = [vro_task('run', 'vro_workflow_run', {'workflow_id': WF_ID, 'inputs': {'vmName': 'web01'}}, vra.url, auth='vra'),
                 vro_task('never', 'vro_workflow_info', {'workflow_id': WF_ID}, never.url, auth='vra')]
        res = run_playbook(write_playbook(tmp_path, 'start401', tasks), verbosity=3)
    assert res.record('run')['status'] == 'ok', res.result('run')
    assert vra.state.get('started') == 1 and vra.state['iaas'] == 2, vra.state
    result = one_line(res, 'never')
    assert 'login succeeded' in result['msg'] and 'role' in result['msg'], result['msg']
    assert never.state['csp'] <= 2 and never.state['iaas'] <= 2, never.state
    assert_no_secret(res, [PASSWORD, REFRESH, ID_TOKEN, CSP_ACCESS]
                     + [t.split('.')[-1] for t in vra.state.get('valid', set()) | never.state.get('valid', set())])


def tenant_route(fake, h):
    """VCF Automation 9 tenant OAuth (developer.broadcom.com org-management-vm-apps-org: POST
    /tm/oauth/tenant/{tenant}/token, form grant_type=refresh_token&refresh_token=<API token>, 200 {access_token,
    token_type, expires_in}); errors as RFC 6749 5.2 (400 {"error": "invalid_grant", "error_description"})."""
    from urllib.parse import parse_qs
    parts = h.url_path.strip('/').split('/')
    if h.command == 'POST' and parts[-1] == 'token' and 'tenant' in parts:
        fake.state.setdefault('token_posts', []).append((h.url_path, h.headers.get('Content-Type'), h.raw.decode()))
        if parts[0] != 'tm':
            return h.send(404, b'<html><body>404 Not Found</body></html>', content_type='text/html')
        form = parse_qs(h.raw.decode())
        tenant = parts[parts.index('tenant') + 1]
        if form.get('grant_type') != ['refresh_token'] or form.get('refresh_token') != [REFRESH] or tenant != 'acme':
            return h.send(400, {'error': 'invalid_grant', 'error_description': 'Invalid or expired refresh token %s' % form.get('refresh_token')})
        token = jwt(tag='tenant')
        fake.state.setdefault('valid', set()).add(token)
        return h.send(200, {'access_token': token, 'token_type': 'Bearer', 'expires_in': 3600, 'refresh_token': 'Rotated-' + REFRESH,
                            'id_token': ID_TOKEN, 'scope': 'openid'})
    auth = h.headers.get('Authorization') or ''
    if not (auth.startswith('Bearer ') and auth[7:] in fake.state.get('valid', set())):
        return h.send(401, {'status': 401, 'message': 'Unauthorized'})
    return vro_api(fake, h, 'http://127.0.0.1:%d' % fake.port, None)


def test_tenant_oauth_answer_with_extra_fields_and_refused_token(tmp_path):
    with Recorder(tenant_route) as vcfa:
        tasks = [vro_task('good', 'vro_login', {}, vcfa.url, auth='vra', auth_tenant='acme', token=REFRESH, username=None, password=None),
                 vro_task('bad', 'vro_login', {}, vcfa.url, auth='vra', auth_tenant='acme', token='Wrong-' + REFRESH,
                          username=None, password=None),
                 vro_task('use', 'vro_workflow_info', {'workflow_id': WF_ID}, vcfa.url, auth='vra', auth_tenant='acme', token=REFRESH,
                          username=None, password=None)]
        res = run_playbook(write_playbook(tmp_path, 'tenant', tasks), verbosity=3)
    assert res.record('good')['status'] == 'ok', res.result('good')
    assert res.record('use')['status'] == 'ok', res.result('use')
    result = one_line(res, 'bad')
    assert 'token' in result['msg'].lower(), result['msg']
    posts = vcfa.state['token_posts']
    assert all(ctype and ctype.startswith('application/x-www-form-urlencoded') for path, ctype, body in posts), posts
    assert_no_secret(res, [REFRESH, ID_TOKEN] + [t.split('.')[-1] for t in vcfa.state.get('valid', ())])


def test_basic_refused_with_bearer_challenge_says_what_to_do(tmp_path):
    """vRO 8 without basic authentication enabled (vmware/vrealize-developer-tools#87) answers 401 with a Bearer
    challenge: one line that points at the way out (auth=vra, or enabling basic authentication)."""
    def route(fake, h):
        return h.send(401, {'status': 401, 'message': 'Unauthorized'}, headers={'WWW-Authenticate': 'Bearer realm="vco"'})

    def login_page(fake, h):
        # vmware-archive/vra-api-samples-for-postman#4: "I get login page back if I try to access vro api with bearer
        # authorization token" (a vIDM front answers 200 with its HTML login page)
        return h.send(200, b'<!DOCTYPE html><html><head><title>Workspace ONE Access</title></head><body>Login</body></html>',
                      content_type='text/html;charset=UTF-8')
    stale = jwt(tag='stale')
    with Recorder(route) as vro, Recorder(login_page) as vidm:
        tasks = [vro_task('it', 'vro_workflow_info', {'workflow_id': WF_ID}, vro.url),
                 vro_task('page', 'vro_workflow_info', {'workflow_id': WF_ID}, vidm.url, auth='token', token=stale,
                          username=None, password=None)]
        res = run_playbook(write_playbook(tmp_path, 'basic_off', tasks), verbosity=3)
    result = one_line(res, 'it')
    assert 'vra' in json.dumps(result).lower() or 'basic' in json.dumps(result).lower(), result
    result = one_line(res, 'page')
    assert 'html' in result['msg'].lower() or 'login' in result['msg'].lower() or 'log-in' in result['msg'].lower(), result['msg']
    assert_no_secret(res, [PASSWORD, BASIC.split()[1], stale.split('.')[2]])


def test_netrc_is_never_read(tmp_path):
    """requests reads ~/.netrc (or $NETRC) for a request without auth: a bearer-token call or a login POST must not
    pick up the machine's netrc password for the host."""
    import tempfile
    home = tempfile.mkdtemp(prefix='netrc-')
    netrc_pw = 'Netrc-Pw-31337'
    with open(home + '/.netrc', 'w', encoding='utf-8') as handle:
        handle.write('machine 127.0.0.1 login netrcuser password %s\n' % netrc_pw)
    import os
    os.chmod(home + '/.netrc', 0o600)
    netrc_b64 = base64.b64encode(('netrcuser:%s' % netrc_pw).encode()).decode()

    def csp(f, h, b):
        return csp_by_user(f, h, dict(b or {}, username='oauth'))
    with Recorder(vra_fake(csp)) as vra, Recorder(vcf_fake('http://127.0.0.1:9', 'plain')) as vcf:
        tasks = [vro_task('vra', 'vro_workflow_info', {'workflow_id': WF_ID}, vra.url, auth='vra'),
                 {'name': 'vcf', 'ignore_errors': True, 'cloudops.orchestrator.vcf_task_info': {
                     'url': vcf.url, 'username': USER, 'password': PASSWORD, 'task_id': VCF_TASK, 'timeout': 5, 'retries': 0}}]
        res = run_playbook(write_playbook(tmp_path, 'netrc', tasks), verbosity=3, env={'NETRC': home + '/.netrc', 'HOME': home})
    assert res.record('vra')['status'] == 'ok', res.result('vra')
    assert res.record('vcf')['status'] == 'ok', res.result('vcf')
    for server in (vra, vcf):
        for method, path, headers, body in server.seen:
            assert netrc_b64 not in json.dumps(headers), (method, path, headers)


def test_csp_login_without_refresh_token_is_the_bearer_and_logs_in_again(tmp_path):
    """The CSP login answers only ``{"cspAuthToken"}`` (Broadcom's reference documents that field alone; vRA 8.4 and
    later scripts send it as the bearer, vCROCS "Automating Automation (Updated)"): the module uses it, and when it is
    refused mid-run logs in again through the CSP login (there is no refresh token to exchange)."""
    def csp(fake, h, body):
        if not isinstance(body, dict) or body.get('password') != PASSWORD:
            return h.send(400, None)
        token = jwt(tag='csp')
        fake.state.setdefault('valid', set()).add(token)
        return h.send(200, {'cspAuthToken': token})

    def api_ok(fake, h):
        auth = h.headers.get('Authorization') or ''
        token = auth[7:] if auth.startswith('Bearer ') else None
        valid = fake.state.setdefault('valid', set())
        if token in valid:
            fake.state['api_calls'] = fake.state.get('api_calls', 0) + 1
            if fake.state['api_calls'] == 2:
                valid.discard(token)
                fake.state['killed'] = token
                return False
        return token in valid
    with Recorder(vra_fake(csp, api_ok=api_ok)) as vra:
        tasks = [vro_task('wait', 'vro_execution_info', {'workflow_id': WF_ID, 'execution_id': EXEC_ID, 'wait_for': ['completed']},
                          vra.url, auth='vra'),
                 dict(vro_task('login', 'vro_login', {}, vra.url, auth='vra'), register='session'),
                 vro_task('reuse', 'vro_workflow_info', {'workflow_id': WF_ID}, vra.url, auth='token', token='{{ session.token }}',
                          username=None, password=None)]
        res = run_playbook(write_playbook(tmp_path, 'csp_only', tasks), verbosity=3)
    assert res.record('wait')['status'] == 'ok', res.result('wait')
    assert res.record('login')['status'] == 'ok', res.result('login')
    assert res.record('reuse')['status'] == 'ok', res.result('reuse')
    assert vra.state.get('killed') and vra.state['csp'] == 3 and not vra.state.get('iaas'), vra.state
    assert_no_secret(res, [PASSWORD, vra.state['killed'].split('.')[-1]] + [t.split('.')[-1] for t in vra.state['valid']])


def test_fan_out_whose_token_expires_starts_each_run_once(tmp_path):
    """Four starts in flight (``runs``, concurrency 4) all refused with 401 once the token dies: each run starts exactly
    once after the new login, none twice, and the task succeeds."""
    barrier = threading.Barrier(4, timeout=5)

    def api_ok(fake, h):
        auth = h.headers.get('Authorization') or ''
        token = auth[7:] if auth.startswith('Bearer ') else None
        valid = fake.state.setdefault('valid', set())
        if h.command == 'POST' and token in valid and not fake.state.get('killed'):
            # the four first starts meet here, then the token dies under all of them
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
            valid.discard(token)
            fake.state['killed'] = token
        if h.command == 'POST' and token == fake.state.get('killed'):
            return False
        if h.command == 'POST' and token in valid:
            fake.state.setdefault('names', []).append(json.loads(h.raw)['parameters'][0]['value']['string']['value'])
        return token in valid

    def csp(f, h, b):
        return csp_by_user(f, h, dict(b or {}, username='oauth'))
    fake = Recorder(vra_fake(csp, api_ok=api_ok))
    fake.lock = threading.Lock()
    with fake as vra:
        runs = [{'vmName': 'web%02d' % i} for i in range(4)]
        tasks = [vro_task('fan', 'vro_workflow_run', {'workflow_id': WF_ID, 'runs': runs, 'concurrency': 4}, vra.url, auth='vra')]
        res = run_playbook(write_playbook(tmp_path, 'fan401', tasks), verbosity=3)
    assert res.record('fan')['status'] == 'ok', res.result('fan')
    assert sorted(vra.state.get('names', [])) == ['web00', 'web01', 'web02', 'web03'], vra.state
    # one login, and one exchange for the token that died under the four (not one per request in flight)
    assert vra.state.get('csp') == 1 and vra.state.get('iaas') == 2, vra.state
    assert_no_secret(res, [PASSWORD, REFRESH, ID_TOKEN, CSP_ACCESS] + [t.split('.')[-1] for t in vra.state.get('valid', set())])


def test_fan_out_with_a_rotating_tenant_token_starts_every_run(tmp_path):
    """OAuth refresh-token rotation (RFC 6749 section 6, RFC 9700 4.14.2: a used refresh token is spent, the answer
    carries the next one): four starts in flight refused with 401 once the access token dies must not each exchange
    the same spent API token (three of them would be refused with invalid_grant); every run starts exactly once."""
    from urllib.parse import parse_qs
    barrier = threading.Barrier(4, timeout=5)
    lock = threading.Lock()

    def route(fake, h):
        parts = h.url_path.strip('/').split('/')
        refresh = fake.state.setdefault('refresh', {REFRESH})
        valid = fake.state.setdefault('valid', set())
        if h.command == 'POST' and parts[-1] == 'token' and 'tenant' in parts:
            form = parse_qs(h.raw.decode())
            with lock:
                fake.state['exchanges'] = fake.state.get('exchanges', 0) + 1
                given = (form.get('refresh_token') or [''])[0]
                if given not in refresh:
                    fake.state['refused'] = fake.state.get('refused', 0) + 1
                    return h.send(400, {'error': 'invalid_grant', 'error_description': 'Invalid refresh token'})
                refresh.discard(given)
                nxt = 'Rot%02d' % fake.state['exchanges'] + REFRESH[5:]
                refresh.add(nxt)
                fake.state.setdefault('spent', []).append(given)
                token = jwt(tag='rot')
                valid.add(token)
            return h.send(200, {'access_token': token, 'token_type': 'Bearer', 'expires_in': 3600, 'refresh_token': nxt})
        auth = h.headers.get('Authorization') or ''
        token = auth[7:] if auth.startswith('Bearer ') else None
        if h.command == 'POST' and token in valid and not fake.state.get('killed'):
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
            with lock:
                valid.discard(token)
                fake.state['killed'] = token
        if token not in valid:
            return h.send(401, {'status': 401, 'message': 'Unauthorized'})
        if h.command == 'POST':
            with lock:
                fake.state.setdefault('names', []).append(json.loads(h.raw)['parameters'][0]['value']['string']['value'])
        return vro_api(fake, h, 'http://127.0.0.1:%d' % fake.port, None)
    with Recorder(route) as vcfa:
        runs = [{'vmName': 'web%02d' % i} for i in range(4)]
        tasks = [vro_task('fan', 'vro_workflow_run', {'workflow_id': WF_ID, 'runs': runs, 'concurrency': 4}, vcfa.url,
                          auth='vra', auth_tenant='acme', token=REFRESH, username=None, password=None)]
        res = run_playbook(write_playbook(tmp_path, 'fan_rotate', tasks), verbosity=3)
    assert res.record('fan')['status'] == 'ok', res.result('fan')
    assert sorted(vcfa.state.get('names', [])) == ['web00', 'web01', 'web02', 'web03'], vcfa.state
    assert not vcfa.state.get('refused'), vcfa.state
    assert_no_secret(res, [REFRESH, REFRESH[5:]] + [t.split('.')[-1] for t in vcfa.state.get('valid', set())])


def test_start_redirected_elsewhere_and_vcf_login_lost_once(tmp_path):
    """A start answered 307 to another origin sends nothing there and fails in one line; an SDDC Manager login whose
    answer is lost once is sent again (a token is no effect a user sees) and the task goes on."""
    with Recorder() as evil:
        def start_moved(fake, h):
            if h.headers.get('Authorization') != BASIC:
                return h.send(401, {'status': 401, 'message': 'Unauthorized'})
            if h.command == 'POST':
                fake.state['posts'] = fake.state.get('posts', 0) + 1
                return h.send(307, None, headers={'Location': evil.url + h.path})
            return vro_api(fake, h, 'http://127.0.0.1:%d' % fake.port, None)
        plain = vcf_fake(evil.url, 'plain')

        def vcf_lossy(fake, h):
            if h.url_path == '/v1/tokens' and not fake.state.get('dropped'):
                fake.state['dropped'] = True
                return h.drop()
            return plain(fake, h)
        with Recorder(start_moved) as vro, Recorder(vcf_lossy) as vcf:
            tasks = [vro_task('start', 'vro_workflow_run', {'workflow_id': WF_ID, 'inputs': {'vmName': 'web01'}}, vro.url),
                     {'name': 'vcf', 'ignore_errors': True, 'cloudops.orchestrator.vcf_task_info': {
                         'url': vcf.url, 'username': USER, 'password': PASSWORD, 'task_id': VCF_TASK, 'timeout': 5, 'retries': 1}}]
            res = run_playbook(write_playbook(tmp_path, 'moved_start', tasks), verbosity=3)
    assert evil.seen == [], evil.seen
    result = one_line(res, 'start')
    assert '307' in result['msg'] and 'redirect' in result['msg'], result['msg']
    assert vro.state['posts'] == 1, vro.state
    assert res.record('vcf')['status'] == 'ok', res.result('vcf')
    assert_no_secret(res, [PASSWORD, BASIC.split()[1], REFRESH, ID_TOKEN] + [t.split('.')[-1] for t in vcf.state.get('valid', ())])


def test_vcf_forbidden_is_permission_not_expiry(tmp_path):
    """SDDC Manager answers 403 both for an expired token (terraform-provider-vcf) and for a role without the right
    (the VIEWER role, VCF docs "Roles and permissions"): after one fresh token the 403 stays, and the message says
    permission, once, without looping over logins."""
    plain = vcf_fake('http://127.0.0.1:9', 'plain')

    def forbidding(fake, h):
        if h.url_path.startswith('/v1/tasks') and h.url_path != '/v1/tokens':
            auth = h.headers.get('Authorization') or ''
            if auth.startswith('Bearer ') and auth[7:] in fake.state.get('valid', set()):
                fake.state['forbidden'] = fake.state.get('forbidden', 0) + 1
                return h.send(403, {'errorCode': 'ACCESS_DENIED', 'errorType': 'ERROR', 'arguments': [], 'context': {},
                                    'message': 'Access is denied', 'remediationMessage': 'Use an account with the ADMIN role',
                                    'referenceToken': 'F0RB1D'})
        return plain(fake, h)
    with Recorder(forbidding) as vcf:
        tasks = [{'name': 'it', 'ignore_errors': True, 'cloudops.orchestrator.vcf_task_info': {
            'url': vcf.url, 'username': USER, 'password': PASSWORD, 'task_id': VCF_TASK, 'timeout': 5, 'retries': 0}}]
        res = run_playbook(write_playbook(tmp_path, 'vcf403', tasks), verbosity=3)
    result = one_line(res, 'it')
    assert '403' in result['msg'] and ('ADMIN' in result['msg'] or 'permission' in result['msg'].lower()), result['msg']
    assert vcf.state['forbidden'] <= 2, vcf.state
    assert len([p for m, p, h, b in vcf.seen if p.startswith('/v1/tokens')]) <= 3, vcf.seen
    assert_no_secret(res, [PASSWORD, REFRESH, ID_TOKEN] + [t.split('.')[-1] for t in vcf.state.get('valid', ())])


def test_ico_names_outside_latin1(tmp_path):
    """Keystone domain and project names are Unicode; HTTP header values are Latin-1 on the wire (RFC 9110 5.5):
    a project named in Cyrillic gives one clear line or works, never a traceback, and no password shown."""
    with Recorder(ico_fake('http://127.0.0.1:9', 'plain')) as ico:
        tasks = [{'name': 'it', 'ignore_errors': True, 'cloudops.orchestrator.orch_task_info': {
            'url': ico.url, 'username': USER, 'password': PASSWORD, 'domain': 'Default', 'project': 'Проект',
            'timeout': 5, 'retries': 0}}]
        res = run_playbook(write_playbook(tmp_path, 'ico_unicode', tasks), verbosity=3)
    assert res.record('it')['status'] == 'ok', res.result('it')
    # the header carries the name's UTF-8 bytes (http.server reads header bytes as Latin-1)
    projects = {h.get('projectName') for m, p, h, b in ico.seen}
    assert {v.encode('latin-1').decode('utf-8') for v in projects} == {'Проект'}, projects
    assert_no_secret(res, [PASSWORD, BASIC.split()[1]])
