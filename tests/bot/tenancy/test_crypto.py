"""Tokens at rest: Fernet encryption, and rotating to a new key without losing the old rows."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from bot.tenancy.crypto import TokenCipher, UndecryptableToken

TOKEN = "xoxb-T0001-123456789-secretpart"


def key() -> str:
    return Fernet.generate_key().decode()


def test_an_encrypted_token_decrypts_and_never_shows_the_token() -> None:
    cipher = TokenCipher([key()])

    stored = cipher.encrypt(TOKEN)

    assert TOKEN not in stored and "secretpart" not in stored
    assert cipher.decrypt(stored) == TOKEN


def test_encrypting_twice_gives_different_texts() -> None:
    cipher = TokenCipher([key()])

    assert cipher.encrypt(TOKEN) != cipher.encrypt(TOKEN)


def test_a_wrong_key_cannot_decrypt_and_says_so_without_the_value() -> None:
    stored = TokenCipher([key()]).encrypt(TOKEN)

    with pytest.raises(UndecryptableToken) as caught:
        TokenCipher([key()]).decrypt(stored)

    assert "MLORG_ENCRYPTION_KEY" in str(caught.value)
    assert stored not in str(caught.value)


def test_an_altered_value_is_refused() -> None:
    cipher = TokenCipher([key()])
    stored = cipher.encrypt(TOKEN)

    with pytest.raises(UndecryptableToken):
        cipher.decrypt(stored[:-4] + ("AAAA" if not stored.endswith("AAAA") else "BBBB"))
    with pytest.raises(UndecryptableToken):
        cipher.decrypt("plain-xoxb-token-é")


def test_a_rotation_keeps_old_rows_readable_and_moves_them_to_the_new_key() -> None:
    old, new = key(), key()
    written_before = TokenCipher([old]).encrypt(TOKEN)
    rotating = TokenCipher.from_setting(f"{new},{old}")

    assert rotating.decrypt(written_before) == TOKEN, "the old key still decrypts"
    rewritten = rotating.rotate(written_before)
    assert TokenCipher([new]).decrypt(rewritten) == TOKEN, "now readable without the old key"
    assert TokenCipher([new]).decrypt(rotating.encrypt(TOKEN)) == TOKEN, "the first key encrypts"
    with pytest.raises(UndecryptableToken):
        TokenCipher([new]).decrypt(written_before)


def test_no_key_is_refused() -> None:
    with pytest.raises(ValueError, match="key"):
        TokenCipher([])
