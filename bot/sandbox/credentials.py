"""The distributed app's secrets for ``mlorg try --workspaces N``, made once per data directory.

A real operator gets the client id and secret from the app's settings page and
makes the encryption key once; the sandbox makes all three itself and keeps them
(with the tokens it issued) in the data directory, readable by its owner only, so
a restart finds the app's stored installations still decryptable and the tokens
still valid. ``--reset`` deletes the directory and with it these secrets.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["CREDENTIALS_FILE", "OAuthCredentials", "new_encryption_key"]

log = logging.getLogger("mlorg.sandbox")

CREDENTIALS_FILE = "oauth.json"


def new_encryption_key() -> str:
    """A Fernet key (32 random bytes, URL-safe base64), as ``Fernet.generate_key()`` makes it."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@dataclass
class OAuthCredentials:
    client_id: str
    client_secret: str
    encryption_key: str
    #: team id -> the bot token the stand-in issued there.
    tokens: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls) -> OAuthCredentials:
        # Slack's client ids look like "1234567890.1234567890"; its secrets are 32 hex digits.
        client_id = f"{secrets.randbelow(10**10):010d}.{secrets.randbelow(10**12):012d}"
        return cls(client_id, secrets.token_hex(16), new_encryption_key())

    @classmethod
    def load_or_create(cls, data_dir: Path) -> OAuthCredentials:
        path = data_dir / CREDENTIALS_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                str(data["client_id"]),
                str(data["client_secret"]),
                str(data["encryption_key"]),
                {str(k): str(v) for k, v in dict(data.get("tokens") or {}).items()},
            )
        except FileNotFoundError:
            return cls.create()
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("%s is unreadable; the sandbox app gets new credentials", path)
            return cls.create()

    def save(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        path = data_dir / CREDENTIALS_FILE
        tmp = path.with_suffix(".tmp")
        tmp.touch(mode=0o600)
        with contextlib.suppress(OSError):
            tmp.chmod(0o600)
        tmp.write_text(json.dumps(asdict(self)), encoding="utf-8")
        tmp.replace(path)
