# -*- coding: utf-8 -*-
# Copyright: cloudops.orchestrator contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Connection options of the three products, documented once."""

    VRO = r'''
options:
  url:
    description:
      - Base URL of the vRealize / Aria Orchestrator server, for example C(https://vro.example.com).
      - The API path is added when missing, so a URL that already ends with it works too.
      - Requests, and so credentials, go only to the scheme, host and port of this URL. A server answer naming
        another origin (a C(Location) or link) is not followed, and a redirect (HTTP 3xx) fails the task.
      - An C(http://) URL sends the password or token in clear text, with a warning; prefer C(https://).
      - Required. When unset, the E(VRO_URL) environment variable is used.
    type: str
  username:
    description:
      - User name to authenticate with.
      - When unset, the E(VRO_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username). Never logged, not even at C(-vvv).
      - When unset, the E(VRO_PASSWORD) environment variable is used.
    type: str
  auth:
    description:
      - How to authenticate to vRO.
      - V(basic) sends HTTP Basic with O(username) and O(password) (vRO 7.x, and 8.x with basic
        authentication enabled).
      - V(vra) logs in through vRA / Aria Automation (vRO 8.x embedded), with O(username) and O(password),
        or exchanges O(token) as a vRA refresh token or console API token. A login that answers an access token
        without a refresh token (C(cspAuthToken)) uses that token as it is.
      - V(token) sends O(token) as a ready bearer token.
      - When unset, the E(VRO_AUTH) environment variable is used, then V(token) if only O(token) is set,
        else V(basic).
    type: str
    choices: [basic, vra, token]
  token:
    description:
      - A bearer token (O(auth=token)) or a vRA refresh / API token (O(auth=vra)). Never logged.
      - When unset, the E(VRO_TOKEN) environment variable is used.
    type: str
  auth_domain:
    description:
      - The identity domain sent with a vRA login (O(auth=vra)), when the user is not in the default domain.
      - When unset, the E(VRO_AUTH_DOMAIN) environment variable is used. When neither is set and O(username)
        reads C(user@domain), the login is tried as C(user) in C(domain) first, then with the full name.
      - A login refused with HTTP 400, 401 or 403 fails the task as an authentication error; it is not retried.
    type: str
  auth_tenant:
    description:
      - The tenant (organization) of a VCF Automation 9 / Aria Automation OAuth tenant login, the successor of the
        CSP login. When set, O(token) must hold an API token created in that tenant, and it is exchanged at
        C(/oauth/tenant/<auth_tenant>/token) (or C(/tm/oauth/tenant/<auth_tenant>/token), tried when the first
        path is not found) for the bearer token; O(username) and O(password) are not used.
      - Implies O(auth=vra); any other O(auth) fails the task.
      - When unset, the E(VRO_AUTH_TENANT) environment variable is used. A tenant from that variable (an AWX
        credential, for example) is not used by a task with O(auth=token), which sends O(token) as it is (the token
        of M(cloudops.orchestrator.vro_login) reused through C(module_defaults)).
      - An API token refused with HTTP 400, 401 or 403 fails the task as an authentication error; it is not retried.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Verification is on by default.
      - Setting it to V(false) is insecure and produces a warning; prefer O(ca_path) for private CAs.
      - When unset, the E(VRO_VALIDATE_CERTS) environment variable is used, then V(true).
    type: bool
  ca_path:
    description:
      - Path of a PEM CA bundle used to verify the server certificate, for servers signed by a private CA.
      - When unset, the E(VRO_CA_PATH) environment variable is used, then the system trust store.
    type: path
  timeout:
    description:
      - The most time one attempt of an HTTP request may take, in seconds, from opening the connection to the end
        of the answer.
      - When unset, the E(VRO_TIMEOUT) environment variable is used, then V(30).
      - A server that accepts the connection and does not answer within this time is asked once more at most (and
        only for a request that changes nothing), so with the defaults a port that never answers fails the task
        within a minute.
      - A create, start, retry or answer request whose answer is lost (read timeout, connection dropped after
        sending, answer cut short) is never sent again; the module looks for its effect for O(timeout) plus
        10 seconds (the adoption window) and adopts it, or fails saying the request may or may not have been applied.
      - A number of seconds (V(30), V("2.5")) or a duration with units ms, s, m, h, d (V(30s), V(2m), V(1m30s)), in the
        option or in the environment variable.
    type: raw
  connect_timeout:
    description:
      - The most time opening the connection (TCP and TLS handshake) may take, in seconds, within O(timeout).
        A firewall that drops packets or a wrong host or port shows within these seconds.
      - When unset, the E(VRO_CONNECT_TIMEOUT) environment variable is used, then V(5).
      - A number of seconds (V(5), V("2.5")) or a duration with units (V(5s), V(1500ms)), like O(timeout).
    type: raw
  retries:
    description:
      - How many times a read (C(GET)) is retried after a connection error or an HTTP 429, 502, 503
        or 504, with exponential backoff and jitter (C(Retry-After) is honoured).
      - A read timeout (no answer within O(timeout) on an open connection) is retried once at most, without waiting.
        A host name that does not resolve is never retried.
      - A request that changes something (C(POST), C(PUT), C(DELETE), C(PATCH)) is resent only when it provably never
        reached the server, or was refused with HTTP 429; after a lost answer the module looks for its effect instead.
      - When unset, the E(VRO_RETRIES) environment variable is used, then V(3).
    type: int
  use_proxy:
    description:
      - Whether to use the proxies set in the environment (E(https_proxy), E(http_proxy), E(all_proxy), with
        E(no_proxy) naming the hosts reached directly).
      - V(false) only stops the use of those proxy variables. Whatever the value, C(~/.netrc) is never read (the
        configured credentials are the only ones sent), and the CA bundle named by E(REQUESTS_CA_BUNDLE) or
        E(CURL_CA_BUNDLE) is used when O(validate_certs) is true and O(ca_path) is unset.
      - When unset, the E(VRO_USE_PROXY) environment variable is used, then V(true).
    type: bool
notes:
  - Every connection option can be set once per play with
    C(module_defaults) and the C(group/cloudops.orchestrator.vro) action group.
requirements:
  - requests
'''

    VCF = r'''
options:
  url:
    description:
      - Base URL of the SDDC Manager server, for example C(https://sddc-manager.example.com).
      - The API path is added when missing, so a URL that already ends with it works too.
      - Requests, and so credentials, go only to the scheme, host and port of this URL. A server answer naming
        another origin (a C(Location) or link) is not followed, and a redirect (HTTP 3xx) fails the task.
      - An C(http://) URL sends the password or token in clear text, with a warning; prefer C(https://).
      - Required. When unset, the E(VCF_URL) environment variable is used.
    type: str
  username:
    description:
      - User name to authenticate with.
      - When unset, the E(VCF_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username). Never logged, not even at C(-vvv).
      - When unset, the E(VCF_PASSWORD) environment variable is used.
    type: str
  token:
    description:
      - A ready SDDC Manager access token, used instead of logging in with O(username) and O(password).
        When O(username) and O(password) are also set, they are used to log in again once it expires.
      - The collection normally logs in with C(POST /v1/tokens) and refreshes the access token before it
        expires, so long waits outlive a token. Never logged.
      - When unset, the E(VCF_TOKEN) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Verification is on by default.
      - Setting it to V(false) is insecure and produces a warning; prefer O(ca_path) for private CAs.
      - When unset, the E(VCF_VALIDATE_CERTS) environment variable is used, then V(true).
    type: bool
  ca_path:
    description:
      - Path of a PEM CA bundle used to verify the server certificate, for servers signed by a private CA.
      - When unset, the E(VCF_CA_PATH) environment variable is used, then the system trust store.
    type: path
  timeout:
    description:
      - The most time one attempt of an HTTP request may take, in seconds, from opening the connection to the end
        of the answer.
      - When unset, the E(VCF_TIMEOUT) environment variable is used, then V(30).
      - A server that accepts the connection and does not answer within this time is asked once more at most (and
        only for a request that changes nothing), so with the defaults a port that never answers fails the task
        within a minute.
      - A create, start, retry or answer request whose answer is lost (read timeout, connection dropped after
        sending, answer cut short) is never sent again; the module looks for its effect for O(timeout) plus
        10 seconds (the adoption window) and adopts it, or fails saying the request may or may not have been applied.
      - A number of seconds (V(30), V("2.5")) or a duration with units ms, s, m, h, d (V(30s), V(2m), V(1m30s)), in the
        option or in the environment variable.
    type: raw
  connect_timeout:
    description:
      - The most time opening the connection (TCP and TLS handshake) may take, in seconds, within O(timeout).
        A firewall that drops packets or a wrong host or port shows within these seconds.
      - When unset, the E(VCF_CONNECT_TIMEOUT) environment variable is used, then V(5).
      - A number of seconds (V(5), V("2.5")) or a duration with units (V(5s), V(1500ms)), like O(timeout).
    type: raw
  retries:
    description:
      - How many times a read (C(GET)) is retried after a connection error or an HTTP 429, 502, 503
        or 504, with exponential backoff and jitter (C(Retry-After) is honoured).
      - A read timeout (no answer within O(timeout) on an open connection) is retried once at most, without waiting.
        A host name that does not resolve is never retried.
      - A request that changes something (C(POST), C(PUT), C(DELETE), C(PATCH)) is resent only when it provably never
        reached the server, or was refused with HTTP 429; after a lost answer the module looks for its effect instead.
      - When unset, the E(VCF_RETRIES) environment variable is used, then V(3).
    type: int
  use_proxy:
    description:
      - Whether to use the proxies set in the environment (E(https_proxy), E(http_proxy), E(all_proxy), with
        E(no_proxy) naming the hosts reached directly).
      - V(false) only stops the use of those proxy variables. Whatever the value, C(~/.netrc) is never read (the
        configured credentials are the only ones sent), and the CA bundle named by E(REQUESTS_CA_BUNDLE) or
        E(CURL_CA_BUNDLE) is used when O(validate_certs) is true and O(ca_path) is unset.
      - When unset, the E(VCF_USE_PROXY) environment variable is used, then V(true).
    type: bool
notes:
  - Every connection option can be set once per play with
    C(module_defaults) and the C(group/cloudops.orchestrator.vcf) action group.
requirements:
  - requests
'''

    ICO = r'''
options:
  url:
    description:
      - Base URL of the IBM Cloud Orchestrator server, for example C(https://ico.example.com).
      - The API path is added when missing, so a URL that already ends with it works too.
      - Requests, and so credentials, go only to the scheme, host and port of this URL. A server answer naming
        another origin (a C(Location) or link) is not followed, and a redirect (HTTP 3xx) fails the task.
      - An C(http://) URL sends the password or token in clear text, with a warning; prefer C(https://).
      - Required. When unset, the E(ICO_URL) environment variable is used.
    type: str
  username:
    description:
      - User name to authenticate with.
      - When unset, the E(ICO_USERNAME) environment variable is used.
    type: str
  password:
    description:
      - Password of O(username). Never logged, not even at C(-vvv).
      - When unset, the E(ICO_PASSWORD) environment variable is used.
    type: str
  domain:
    description:
      - The Keystone domain of O(username), sent as the C(domainName) header.
      - When unset, the E(ICO_DOMAIN) environment variable is used.
    type: str
  project:
    description:
      - The project to work in, sent as the C(projectName) header. Users other than C(admin) see only the
        tasks of this project.
      - When unset, the E(ICO_PROJECT) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Verification is on by default.
      - Setting it to V(false) is insecure and produces a warning; prefer O(ca_path) for private CAs.
      - When unset, the E(ICO_VALIDATE_CERTS) environment variable is used, then V(true).
    type: bool
  ca_path:
    description:
      - Path of a PEM CA bundle used to verify the server certificate, for servers signed by a private CA.
      - When unset, the E(ICO_CA_PATH) environment variable is used, then the system trust store.
    type: path
  timeout:
    description:
      - The most time one attempt of an HTTP request may take, in seconds, from opening the connection to the end
        of the answer.
      - When unset, the E(ICO_TIMEOUT) environment variable is used, then V(30).
      - A server that accepts the connection and does not answer within this time is asked once more at most (and
        only for a request that changes nothing), so with the defaults a port that never answers fails the task
        within a minute.
      - A create, start, retry or answer request whose answer is lost (read timeout, connection dropped after
        sending, answer cut short) is never sent again; the module looks for its effect for O(timeout) plus
        10 seconds (the adoption window) and adopts it, or fails saying the request may or may not have been applied.
      - A number of seconds (V(30), V("2.5")) or a duration with units ms, s, m, h, d (V(30s), V(2m), V(1m30s)), in the
        option or in the environment variable.
    type: raw
  connect_timeout:
    description:
      - The most time opening the connection (TCP and TLS handshake) may take, in seconds, within O(timeout).
        A firewall that drops packets or a wrong host or port shows within these seconds.
      - When unset, the E(ICO_CONNECT_TIMEOUT) environment variable is used, then V(5).
      - A number of seconds (V(5), V("2.5")) or a duration with units (V(5s), V(1500ms)), like O(timeout).
    type: raw
  retries:
    description:
      - How many times a read (C(GET)) is retried after a connection error or an HTTP 429, 502, 503
        or 504, with exponential backoff and jitter (C(Retry-After) is honoured).
      - A read timeout (no answer within O(timeout) on an open connection) is retried once at most, without waiting.
        A host name that does not resolve is never retried.
      - A request that changes something (C(POST), C(PUT), C(DELETE), C(PATCH)) is resent only when it provably never
        reached the server, or was refused with HTTP 429; after a lost answer the module looks for its effect instead.
      - When unset, the E(ICO_RETRIES) environment variable is used, then V(3).
    type: int
  use_proxy:
    description:
      - Whether to use the proxies set in the environment (E(https_proxy), E(http_proxy), E(all_proxy), with
        E(no_proxy) naming the hosts reached directly).
      - V(false) only stops the use of those proxy variables. Whatever the value, C(~/.netrc) is never read (the
        configured credentials are the only ones sent), and the CA bundle named by E(REQUESTS_CA_BUNDLE) or
        E(CURL_CA_BUNDLE) is used when O(validate_certs) is true and O(ca_path) is unset.
      - When unset, the E(ICO_USE_PROXY) environment variable is used, then V(true).
    type: bool
notes:
  - Every connection option can be set once per play with
    C(module_defaults) and the C(group/cloudops.orchestrator.ico) action group.
requirements:
  - requests
'''
