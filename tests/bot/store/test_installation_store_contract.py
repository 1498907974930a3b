"""slack-sdk's installation and OAuth state stores on mlorg's tables, on SQLite and PostgreSQL.

What an install stores is found again with its tokens, but no row ever holds a usable token:
every token column holds Fernet ciphertext. A row no configured key opens reads as "not
installed", with a warning naming MLORG_ENCRYPTION_KEY.
"""

from __future__ import annotations

import logging
import time

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import select

from bot.store import Store
from bot.store.installation_tables import SLACK_BOTS, SLACK_INSTALLATIONS
from bot.tenancy.crypto import TokenCipher
from bot.tenancy.stores import EncryptedInstallationStore, OAuthStateStore

CLIENT_ID = "1111.2222"
KEY = Fernet.generate_key().decode()
BOT_TOKEN = "xoxb-T0001-plaintext-bot-token"
REFRESH = "xoxe-1-plaintext-refresh-token"
USER_TOKEN = "xoxp-plaintext-user-token"


def installation(team_id: str | None = "T0001", **overrides: object) -> Installation:
    values: dict[str, object] = {
        "app_id": "A0001",
        "enterprise_id": None,
        "team_id": team_id,
        "team_name": "Acme",
        "bot_token": BOT_TOKEN,
        "bot_id": "B1",
        "bot_user_id": "UBOT",
        "bot_scopes": "commands,chat:write",
        "bot_refresh_token": REFRESH,
        "bot_token_expires_in": 43200,
        "user_id": "U0001",
        "user_token": USER_TOKEN,
        "installed_at": time.time(),
        **overrides,
    }
    return Installation(**values)  # type: ignore[arg-type]


def installations(store: Store, *keys: str) -> EncryptedInstallationStore:
    return EncryptedInstallationStore(
        client_id=CLIENT_ID, engine=store.engine, cipher=TokenCipher(list(keys or [KEY]))
    )


async def raw_rows(store: Store) -> list[str]:
    """Every stored value of both tables, as text, the way a database dump shows them."""
    async with store.engine.connect() as conn:
        rows = [*(await conn.execute(select(SLACK_INSTALLATIONS))).all()]
        rows += [*(await conn.execute(select(SLACK_BOTS))).all()]
    return [str(value) for row in rows for value in row]


async def test_an_installation_is_found_again_with_its_tokens(store: Store) -> None:
    saved = installations(store)
    await saved.async_save(installation())

    found = await saved.async_find_installation(enterprise_id=None, team_id="T0001")
    bot = await saved.async_find_bot(enterprise_id=None, team_id="T0001")

    assert found is not None and bot is not None
    assert (found.bot_token, found.bot_refresh_token, found.user_token) == (BOT_TOKEN, REFRESH, USER_TOKEN)
    assert (bot.bot_token, bot.bot_refresh_token) == (BOT_TOKEN, REFRESH)
    assert found.team_name == "Acme" and bot.bot_user_id == "UBOT"
    assert await saved.async_find_bot(enterprise_id=None, team_id="T0002") is None


async def test_no_stored_row_holds_a_plaintext_token(store: Store) -> None:
    saved = installations(store)
    given = installation()
    await saved.async_save(given)
    await saved.async_save_bot(given.to_bot())  # as a token refresh saves it

    values = await raw_rows(store)

    assert values, "the rows are there"
    for secret in (BOT_TOKEN, REFRESH, USER_TOKEN, "plaintext"):
        assert not [v for v in values if secret in v], f"{secret[:6]}… stored in clear"
    assert given.bot_token == BOT_TOKEN, "the caller's object keeps its plaintext"


async def test_a_user_specific_lookup_decrypts_each_token_once(store: Store) -> None:
    saved = installations(store)
    await saved.async_save(installation())

    found = await saved.async_find_installation(enterprise_id=None, team_id="T0001", user_id="U0001")

    assert found is not None and found.bot_token == BOT_TOKEN and found.user_token == USER_TOKEN


async def test_an_org_wide_install_is_found_by_its_enterprise(store: Store) -> None:
    saved = installations(store)
    await saved.async_save(installation(team_id=None, enterprise_id="E0001", is_enterprise_install=True))

    bot = await saved.async_find_bot(enterprise_id="E0001", team_id="T0009", is_enterprise_install=True)

    assert bot is not None and bot.bot_token == BOT_TOKEN


async def test_rows_written_under_an_old_key_are_read_after_a_rotation(store: Store) -> None:
    old = Fernet.generate_key().decode()
    await installations(store, old).async_save(installation())

    bot = await installations(store, KEY, old).async_find_bot(enterprise_id=None, team_id="T0001")

    assert bot is not None and bot.bot_token == BOT_TOKEN


async def test_rotating_keys_rewrites_every_row_so_the_old_key_can_go(store: Store) -> None:
    old = Fernet.generate_key().decode()
    await installations(store, old).async_save(installation())

    assert await installations(store, KEY, old).rotate_keys() == 2  # the installation and its bot

    found = await installations(store, KEY).async_find_installation(enterprise_id=None, team_id="T0001")
    assert found is not None and (found.bot_token, found.user_token) == (BOT_TOKEN, USER_TOKEN)
    assert not [v for v in await raw_rows(store) if "plaintext" in v]


async def test_a_row_no_key_opens_reads_as_not_installed_with_a_warning(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    await installations(store, Fernet.generate_key().decode()).async_save(installation())
    other_key = installations(store)

    with caplog.at_level(logging.WARNING, logger="mlorg.tenancy"):
        assert await other_key.async_find_installation(enterprise_id=None, team_id="T0001") is None
        assert await other_key.async_find_bot(enterprise_id=None, team_id="T0001") is None

    warnings = [r.getMessage() for r in caplog.records if r.name == "mlorg.tenancy"]
    assert len(warnings) == 1, "once per workspace, not per lookup"
    assert "MLORG_ENCRYPTION_KEY" in warnings[0] and "T0001" in warnings[0]


async def test_an_oauth_state_is_consumed_once(store: Store) -> None:
    states = OAuthStateStore(engine=store.engine)

    state = await states.async_issue()

    assert await states.async_consume(state) is True
    assert await states.async_consume(state) is False, "a replayed state is refused"
    assert await states.async_consume("never-issued") is False


async def test_an_expired_oauth_state_is_refused(store: Store) -> None:
    states = OAuthStateStore(engine=store.engine, expiration_seconds=-1)

    assert await states.async_consume(await states.async_issue()) is False
