# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""First-hour edges: http:// against an nginx HTTPS port, and a wrong ICO password.

vRO 8 and SDDC Manager sit behind nginx (or an ingress built on it), which answers plain HTTP on its TLS port with
``400 Bad Request`` and its page "400 The plain HTTP request was sent to HTTPS port" (nginx source,
``src/http/ngx_http_special_response.c``, ``ngx_http_error_497_page``). The simulator's TLS port resets such a
connection instead, so a small in-test server plays nginx's answer.
"""

from __future__ import annotations

from _harness import LocalHttpServer, run_playbook
from test_dead_endpoints import FAKE_ENV, failed_once, play

ECHO = '5f1c2d3e-0a4b-4c6d-8e9f-e0c0ffee0001'
# nginx's ngx_http_error_497_page and its tail, as nginx sends them (CRLF line ends).
NGINX_497 = ('<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n'
             '<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n'
             '<center>The plain HTTP request was sent to HTTPS port</center>\r\n<hr><center>nginx</center>\r\n'
             '</body>\r\n</html>\r\n').encode()


class NginxTlsPort(LocalHttpServer):
    """Answers every plain-HTTP request as nginx does on its TLS port; ``requests`` counts them."""

    def __init__(self):
        super().__init__()
        self.requests = 0

    def answer(self, request):
        self.requests += 1
        return request.send(400, NGINX_497, headers={'Server': 'nginx', 'Connection': 'close'}, content_type='text/html')


def test_http_on_an_nginx_https_port_fails_at_once_saying_use_https(tmp_path):
    with NginxTlsPort() as port:
        url = 'http://127.0.0.1:%d' % port.port
        res = run_playbook(play(tmp_path, 'vro_workflow_info', {'url': url, 'workflow_id': ECHO, 'retries': 3}),
                           env=FAKE_ENV)
        seen = port.requests
    result = failed_once(res)
    assert seen == 1 and result['error']['attempts'] == 1 and result['error']['kind'] == 'config'
    msg = result['msg']
    assert ('url is http:// but 127.0.0.1 port %d serves HTTPS' % port.port) in msg, msg
    assert 'use https://127.0.0.1:%d (same host and port)' % port.port in msg, msg
    assert not any('retrying' in w for w in result.get('warnings', [])), result.get('warnings')


def test_a_wrong_ico_password_names_the_credentials_before_the_role(fresh_simulator, tmp_path):
    sim = fresh_simulator
    env = dict(sim.env('ico'), ICO_PASSWORD='not-the-password-1')
    res = run_playbook(play(tmp_path, 'orch_task_info', {}), env=env)
    msg = failed_once(res)['msg']
    assert 'HTTP 401' in msg, msg
    # The likely cause (the credentials) first, the role or membership the user may lack second.
    credentials, role = msg.find('check username, password, domain and project'), msg.find('needs')
    assert 0 <= credentials < role, msg
