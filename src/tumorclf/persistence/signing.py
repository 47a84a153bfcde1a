"""A per-machine key that marks model files this machine's own training wrote.

A model file may be unpickled only if its HMAC-SHA256 under this key
verifies; a file from anywhere else cannot carry a valid signature, so it is
read by skops with an explicit trusted-type list instead (see
:mod:`tumorclf.persistence.artifacts`). The key lives outside the project, readable by
its owner only: ``$TUMORCLF_SIGNING_KEY`` names the file, else
``$XDG_DATA_HOME/tumorclf/signing.key`` (``~/.local/share/...``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_BYTES = 32


def key_path() -> Path:
    configured = os.environ.get("TUMORCLF_SIGNING_KEY")
    if configured:
        return Path(configured).expanduser()
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "tumorclf" / "signing.key"


def _read_key(create: bool) -> bytes | None:
    path = key_path()
    try:
        key = path.read_bytes()
        return key if len(key) == KEY_BYTES else None
    except FileNotFoundError:
        if not create:
            return None
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key)
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    return key


def sign(data: bytes) -> str:
    """The HMAC of ``data`` under this machine's key (created on first use)."""
    key = _read_key(create=True)
    assert key is not None
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def verify(data: bytes, signature: str | None) -> bool:
    """True only if ``signature`` is this machine's HMAC of ``data``."""
    if not signature:
        return False
    key = _read_key(create=False)
    if key is None:
        return False
    return hmac.compare_digest(hmac.new(key, data, hashlib.sha256).hexdigest(), signature)
