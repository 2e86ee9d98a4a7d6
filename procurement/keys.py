"""Keys that never live in the database: the KEK that wraps every project's private key, and the
audit key that seals the audit chains' heads. Each comes from configuration (hex), from a file
the configuration names, or, in the embedded set-up only, from a file made once in the instance
folder."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app

from procurement.domain.audit import KEY_SIZE as AUDIT_KEY_SIZE
from procurement.domain.sealing import KEK_SIZE, generate_kek


def load_kek() -> bytes:
    """The KEK from ``SEAL_KEK`` (hex), ``SEAL_KEK_FILE``, or ``<instance>/seal.kek`` (made once).

    Production must name one of the first two: the instance default is for the embedded set-up.
    """
    return _load_key("SEAL_KEK", "seal.kek", KEK_SIZE, generate_kek, "the seal KEK")


def load_audit_key() -> bytes:
    """The audit key from ``AUDIT_KEY`` (hex), ``AUDIT_KEY_FILE``, or ``<instance>/audit.key`` (made once).

    Production must name one of the first two: the instance default is for the embedded set-up.
    """
    return _load_key("AUDIT_KEY", "audit.key", AUDIT_KEY_SIZE, lambda: secrets.token_bytes(AUDIT_KEY_SIZE), "the audit key")


def _load_key(setting: str, default_name: str, size: int, generate, label: str) -> bytes:
    config = current_app.config
    if config.get(setting):
        key = bytes.fromhex(config[setting])
    else:
        named = config.get(f"{setting}_FILE")
        if not named and config.get("ENV_NAME") == "production":
            raise RuntimeError(f"{setting} or {setting}_FILE must be set in production.")
        path = Path(named or os.path.join(current_app.instance_path, default_name))
        if not path.exists():
            _create_once(path, generate().hex())
        key = bytes.fromhex(path.read_text().strip())
    if len(key) != size:
        raise RuntimeError(f"{label} must be {size} bytes")
    return key


def _create_once(path: Path, text: str) -> None:
    """Write ``path`` unless it exists; another worker racing here sees a whole file or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    try:
        os.link(draft, path)  # fails if another worker published its key first
    except FileExistsError:
        pass
    finally:
        draft.unlink()
