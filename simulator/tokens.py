"""HS256 JSON Web Tokens, written out so the simulator needs no JWT library, and the per-data-directory key that
signs them. Used by the vRA login (``vra.py``) and the VCF token API (``vcf.py``), each with its own key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

# The JWT header as vcf.py writes it (compact) and as vra.py writes it (json.dumps defaults, with spaces).
_HEADER = {"alg": "HS256", "typ": "JWT"}
_COMPACT = (",", ":")


def b64(data):
    """Base64url without padding, as JWT segments are written."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_key(ctx, kind, name):
    """The key stored as document ``name`` of ``kind``, created once per data directory (and again after a
    reset), so tokens survive a restart."""
    doc = ctx.store.get(kind, name)
    if doc is None:
        with ctx.store.transaction():
            doc = ctx.store.get(kind, name)
            if doc is None:
                doc = {"key": secrets.token_hex(32)}
                ctx.store.put(kind, name, doc)
    return doc["key"].encode("ascii")


def encode_jwt(claims, key, spaced_header=False):
    """Compact HS256 JWT of ``claims`` (``spaced_header``: the header JSON with ``json.dumps``' default spaces)."""
    header = b64(json.dumps(_HEADER, separators=None if spaced_header else _COMPACT).encode())
    payload = b64(json.dumps(claims, separators=_COMPACT).encode())
    signing_input = ("%s.%s" % (header, payload)).encode("ascii")
    return "%s.%s.%s" % (header, payload, b64(hmac.new(key, signing_input, hashlib.sha256).digest()))


def decode_jwt(token, key):
    """Claims of a valid HS256 JWT signed with ``key``, else None (expiry is checked by the caller)."""
    try:
        header, payload, signature = token.split(".")
        expected = hmac.new(key, ("%s.%s" % (header, payload)).encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, unb64(signature)):
            return None
        if json.loads(unb64(header)).get("alg") != "HS256":
            return None
        claims = json.loads(unb64(payload))
        return claims if isinstance(claims, dict) else None
    except (ValueError, TypeError, UnicodeError):
        return None
