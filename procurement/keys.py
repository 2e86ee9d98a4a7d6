"""The key-encryption key (KEK) that wraps every project's private key; never in the database."""
from __future__ import annotations

import os
from pathlib import Path

from flask import current_app

from procurement.domain.sealing import KEK_SIZE, generate_kek


def load_kek() -> bytes:
    """The KEK from ``SEAL_KEK`` (hex), ``SEAL_KEK_FILE``, or ``<instance>/seal.kek`` (made once).

    Production must name one of the first two: the instance default is for the embedded set-up.
    """
    config = current_app.config
    if config.get("SEAL_KEK"):
        kek = bytes.fromhex(config["SEAL_KEK"])
    else:
        path = Path(config.get("SEAL_KEK_FILE") or os.path.join(current_app.instance_path, "seal.kek"))
        if not config.get("SEAL_KEK_FILE") and config.get("ENV_NAME") == "production":
            raise RuntimeError("SEAL_KEK or SEAL_KEK_FILE must be set in production.")
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another worker made it first
                pass
            else:
                with os.fdopen(fd, "w") as handle:
                    handle.write(generate_kek().hex())
        kek = bytes.fromhex(path.read_text().strip())
    if len(kek) != KEK_SIZE:
        raise RuntimeError(f"the seal KEK must be {KEK_SIZE} bytes")
    return kek
