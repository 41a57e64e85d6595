# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""First-hour connection mistakes. A failed certificate check names what was trusted: a ca_path that is a directory, holds no PEM certificate or
holds another CA gets its own advice instead of "set ca_path" (which sent the user back to the same value)."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.cloudops.orchestrator.tests.unit.plugins.module_utils.products import CONNECTIONS
from ansible_collections.cloudops.orchestrator.plugins.module_utils._errors import ApiError
from ansible_collections.cloudops.orchestrator.plugins.module_utils._client import Client, split_url, tls_failure_hint

VERIFY_FAILED = ('[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate '
                 'chain (_ssl.c:1020)')
NO_PEM = '[X509: NO_CERTIFICATE_OR_CRL_FOUND] no certificate or crl found (_ssl.c:4168)'


def test_system_store_keeps_the_general_advice():
    hint = tls_failure_hint(True, VERIFY_FAILED, 'vro.example.com')
    assert hint == ('set ca_path to the CA bundle that signed the server certificate '
                    '(or validate_certs: false for a lab, which is insecure)')


def test_a_directory_is_named(tmp_path):
    hint = tls_failure_hint(str(tmp_path), VERIFY_FAILED, 'vro.example.com')
    assert hint.startswith("ca_path '%s' is a directory" % tmp_path)
    assert 'set ca_path to the PEM file' in hint


def test_a_file_without_pem_certificate_is_named(tmp_path):
    path = tmp_path / 'ca.cer'
    path.write_bytes(b'\x30\x82\x01\x0a')
    hint = tls_failure_hint(str(path), NO_PEM, 'vro.example.com')
    assert hint.startswith("ca_path '%s' holds no PEM certificate" % path)
    assert 'openssl x509 -inform der' in hint


def test_another_ca_is_named_with_the_host(tmp_path):
    path = tmp_path / 'other.pem'
    path.write_text('-----BEGIN CERTIFICATE-----\n')
    hint = tls_failure_hint(str(path), VERIFY_FAILED, 'vro.example.com')
    assert hint.startswith("the CA bundle ca_path '%s' did not sign the server certificate of vro.example.com" % path)


def test_a_bundle_from_the_environment_says_so(tmp_path):
    path = tmp_path / 'system.pem'
    path.write_text('-----BEGIN CERTIFICATE-----\n')
    hint = tls_failure_hint(str(path), VERIFY_FAILED, 'vro.example.com', 'REQUESTS_CA_BUNDLE')
    assert "'%s' (from REQUESTS_CA_BUNDLE; ca_path is unset) did not sign" % path in hint
    assert 'set ca_path to the bundle of the CA that did' in hint


@pytest.mark.parametrize('reason, expected', [
    ("certificate verify failed: Hostname mismatch, certificate is not valid for 'vro'. (_ssl.c:1020)",
     'the server certificate is not issued for vro.example.com'),
    ('certificate verify failed: certificate has expired (_ssl.c:1020)', 'outside its validity dates'),
])
def test_host_name_and_dates_are_not_a_ca_problem(tmp_path, reason, expected):
    hint = tls_failure_hint(str(tmp_path), reason, 'vro.example.com')
    assert expected in hint
    assert 'is a directory' not in hint


@pytest.mark.parametrize('env, ca_path, expected', [
    ({}, 'DIR', "ca_path '{dir}' is a directory"),
    ({'REQUESTS_CA_BUNDLE': 'DIR'}, None, "'{dir}' (from REQUESTS_CA_BUNDLE; ca_path is unset) is a directory"),
    ({'CURL_CA_BUNDLE': 'DIR'}, None, "'{dir}' (from CURL_CA_BUNDLE; ca_path is unset) is a directory"),
    ({}, None, 'set ca_path to the CA bundle that signed the server certificate'),
])
def test_the_client_message_names_the_bundle_and_its_source(monkeypatch, tmp_path, env, ca_path, expected):
    for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, str(tmp_path) if value == 'DIR' else value)
    client = Client('https://vro.example.com', ca_path=str(tmp_path) if ca_path == 'DIR' else ca_path,
                    sleep=lambda seconds: None, **CONNECTIONS['vro'])

    def refuse(*args, **kwargs):
        raise requests.exceptions.SSLError(VERIFY_FAILED)

    monkeypatch.setattr(client.session, 'request', refuse)
    with pytest.raises(ApiError) as caught:
        client.request('GET', '/workflows')
    assert caught.value.kind == 'tls'
    assert expected.format(dir=tmp_path) in str(caught.value)


@pytest.mark.parametrize('url, shown', [
    ('vro.example.com', 'vro.example.com'),
    ('127.0.0.1:8281', '127.0.0.1:8281'),
    ('vro.example.com:8281/vco/api', 'vro.example.com:8281/vco/api'),
    ('svc:Pa55word!xyz@vro.example.com', 'vro.example.com'),
])
def test_a_url_without_scheme_names_the_url_to_give(url, shown):
    """url: vro.example.com used to get "is not an absolute http(s) URL, e.g. 'https://vro.example.com'"."""
    with pytest.raises(ApiError) as caught:
        split_url(url, '/vco/api')
    assert str(caught.value) == "url %r has no scheme: set url to %r (or http:// for a plain HTTP port)" % (
        shown, 'https://' + shown)
    assert 'Pa55word' not in str(caught.value)
