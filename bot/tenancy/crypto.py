"""Tokens at rest: encrypted with Fernet keys from ``MLORG_ENCRYPTION_KEY``.

A database dump, a backup or a replica's disk must not hand out working Slack tokens, so
every token an OAuth install stores goes through :class:`TokenCipher` first. Fernet
(``cryptography``'s authenticated encryption) also detects tampering and a wrong key.

Key rotation: set ``MLORG_ENCRYPTION_KEY=NEW,OLD``. The first key encrypts what is written
from then on; every listed key decrypts, so rows written under OLD keep working. Once every
row is rewritten under NEW (``EncryptedInstallationStore.rotate_keys()`` does all rows with
:meth:`TokenCipher.rotate`), OLD can be dropped from the list.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["TokenCipher", "UndecryptableToken"]


class UndecryptableToken(Exception):
    """No configured key opens this value: written under a key no longer listed, or altered.

    The message never carries the value itself.
    """


class TokenCipher:
    """Encrypts and decrypts tokens with the first key; decrypts with any listed key."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one Fernet key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    @classmethod
    def from_setting(cls, value: str) -> TokenCipher:
        """From ``MLORG_ENCRYPTION_KEY``'s comma-separated form."""
        return cls([part.strip() for part in value.split(",") if part.strip()])

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode("ascii")

    def decrypt(self, stored: str) -> str:
        try:
            return self._fernet.decrypt(stored.encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise UndecryptableToken("no key in MLORG_ENCRYPTION_KEY decrypts this token") from None

    def rotate(self, stored: str) -> str:
        """The same token, re-encrypted under the first key (for a key rotation)."""
        try:
            return self._fernet.rotate(stored.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise UndecryptableToken("no key in MLORG_ENCRYPTION_KEY decrypts this token") from None
