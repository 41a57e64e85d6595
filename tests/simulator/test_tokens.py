"""simulator/tokens.py: the one HS256 JWT writer behind the vRA login and the VCF token API, each keeping its bytes."""

from __future__ import annotations

import base64

import requests

from simulator import tokens

SPACED = b'{"alg": "HS256", "typ": "JWT"}'  # vra.py's header (json.dumps defaults)
COMPACT = b'{"alg":"HS256","typ":"JWT"}'  # vcf.py's header


def _segment(token, index):
    text = token.split(".")[index]
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_encode_decode_round_trip_and_refusals():
    key = b"k" * 64
    claims = {"sub": "someone", "exp": 4102444800}
    compact = tokens.encode_jwt(claims, key)
    spaced = tokens.encode_jwt(claims, key, spaced_header=True)
    assert _segment(compact, 0) == COMPACT and _segment(spaced, 0) == SPACED
    assert _segment(compact, 1) == b'{"sub":"someone","exp":4102444800}' == _segment(spaced, 1)
    assert tokens.decode_jwt(compact, key) == claims == tokens.decode_jwt(spaced, key)
    assert tokens.decode_jwt(compact, b"other") is None
    header, payload, signature = compact.split(".")
    assert tokens.decode_jwt("%s.%s.%s" % (tokens.b64(b'{"alg":"none"}'), payload, signature), key) is None
    assert tokens.decode_jwt("%s.%s" % (header, payload), key) is None


def test_each_product_keeps_its_header_and_its_stored_key(fresh_sim):
    sim = fresh_sim
    web = requests.Session()
    web.trust_env = False
    web.verify = sim.ca_path
    vro_password = sim.users["vro"]["vcoadmin"]["password"]
    login = web.post(sim.url + "/csp/gateway/am/api/login", params={"access_token": ""},
                     json={"username": "vcoadmin", "password": vro_password}, timeout=30)
    assert login.status_code == 200, login.text
    vra_token = login.json()["access_token"]
    vcf_user = next(iter(sim.users["vcf"]))
    issued = web.post(sim.url + "/v1/tokens", json={"username": vcf_user, "password": sim.users["vcf"][vcf_user]["password"]},
                      timeout=30)
    assert issued.status_code == 200, issued.text
    vcf_token = issued.json()["accessToken"]
    assert _segment(vra_token, 0) == SPACED and _segment(vcf_token, 0) == COMPACT
    # Keys stay where earlier data directories keep them, so a restart after an upgrade still accepts old tokens.
    vra_claims = tokens.decode_jwt(vra_token, tokens.signing_key(sim.ctx, "vra_secret", "hmac"))
    vcf_claims = tokens.decode_jwt(vcf_token, tokens.signing_key(sim.ctx, "vcf_signing_key", "jwt"))
    assert vra_claims["sub"] == "vcoadmin" and vra_claims["token_type"] == "access"
    assert vcf_claims["sub"] == vcf_user and vcf_claims["iss"] == "sddc-manager"
