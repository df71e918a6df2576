"""Signing keys: RSA, made on first use, kept in the instance folder readable by the owner only,
and rotated by adding a new current key; old keys stay in the JWKS so old certificates verify."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from joserfc.jwk import RSAKey

from ..state import state


@dataclass(frozen=True)
class SigningKey:
    kid: str
    key: RSAKey


def key_dir() -> Path:
    return Path(current_app.config["LMS_KEY_DIR"] or Path(current_app.instance_path) / "keys")


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _load(path: Path) -> SigningKey:
    """Parsing a private key takes OpenSSL tens of milliseconds: each file is parsed once."""
    _loaded = state().cache("certificates.keys")
    cache_key = (str(path), path.stat().st_mtime_ns)
    if cache_key not in _loaded:
        key = RSAKey.import_key(path.read_bytes())
        _loaded[cache_key] = SigningKey(key.thumbprint(), key)
    return _loaded[cache_key]


def create_key() -> SigningKey:
    """A new RSA-2048 key, made the current one."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key = RSAKey.import_key(pem)
    kid = key.thumbprint()
    _write_private(key_dir() / f"{kid}.pem", pem)
    (key_dir() / "current").write_text(kid)
    return SigningKey(kid, key)


def current_key() -> SigningKey:
    pointer = key_dir() / "current"
    if not pointer.is_file():
        return create_key()
    return _load(key_dir() / f"{pointer.read_text().strip()}.pem")


def all_keys() -> list[SigningKey]:
    folder = key_dir()
    if not folder.is_dir():
        current_key()
    return [_load(path) for path in sorted(folder.glob("*.pem"))]


def jwks() -> dict[str, list[dict[str, str]]]:
    """The public keys, as published at ``/.well-known/jwks.json``."""
    keys = []
    for signing in all_keys():
        public = signing.key.as_dict(private=False)
        keys.append({**public, "kid": signing.kid, "use": "sig", "alg": "RS256"})
    return {"keys": keys}


def jwks_json() -> str:
    return json.dumps(jwks(), indent=2)
