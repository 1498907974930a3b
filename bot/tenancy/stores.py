"""slack-sdk's SQLAlchemy installation and OAuth state stores, on mlorg's database.

The storage logic (which row is the latest install, how org-wide installs are keyed by
``enterprise_id``, how a state is consumed once) is slack-sdk's, unchanged. What mlorg adds:

- the tables are mlorg's (:mod:`bot.store.installation_tables`), created by its Alembic
  migrations on SQLite and PostgreSQL, never by ``create_tables``;
- every token is encrypted before it is written and decrypted after it is read
  (:class:`~bot.tenancy.crypto.TokenCipher`), so no row ever holds a usable token. A row no
  configured key opens is treated as "not installed", with a warning naming the variable.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final, TypeVar

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import MetaData, Table, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.installation_tables import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_OAUTH_STATES
from bot.tenancy.crypto import TokenCipher, UndecryptableToken

__all__ = ["BOT_TOKEN_FIELDS", "INSTALLATION_TOKEN_FIELDS", "EncryptedInstallationStore", "OAuthStateStore"]

log = logging.getLogger("mlorg.tenancy")

BOT_TOKEN_FIELDS: Final = ("bot_token", "bot_refresh_token")
INSTALLATION_TOKEN_FIELDS: Final = (*BOT_TOKEN_FIELDS, "user_token", "user_refresh_token")

#: Set while slack-sdk's own code runs inside one of our overrides: its nested calls back into
#: ``async_save_bot`` / ``async_find_bot`` then see rows as stored (already sealed, not yet
#: opened), so nothing is encrypted or decrypted twice. A context variable is per task, so
#: concurrent requests never see each other's flag.
_raw: ContextVar[bool] = ContextVar("mlorg_installation_store_raw", default=False)

_Entity = TypeVar("_Entity", Bot, Installation)


@contextmanager
def _as_stored() -> Iterator[None]:
    reset = _raw.set(True)
    try:
        yield
    finally:
        _raw.reset(reset)


class EncryptedInstallationStore(AsyncSQLAlchemyInstallationStore):
    """Bolt's installation store for OAuth mode: slack-sdk's, on mlorg's tables, tokens encrypted."""

    def __init__(
        self,
        *,
        client_id: str,
        engine: AsyncEngine,
        cipher: TokenCipher,
        logger: logging.Logger = log,
    ) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=logger)
        self.cipher = cipher
        self._warned: set[tuple[str | None, str | None]] = set()

    @classmethod
    def build_installations_table(cls, metadata: MetaData, table_name: str) -> Table:
        return SLACK_INSTALLATIONS

    @classmethod
    def build_bots_table(cls, metadata: MetaData, table_name: str) -> Table:
        return SLACK_BOTS

    async def create_tables(self) -> None:
        """Alembic owns the schema (migration 0008); creating tables here would bypass it."""

    # -- writing -------------------------------------------------------------------------------------
    async def async_save(self, installation: Installation) -> None:
        sealed = self._seal(installation, INSTALLATION_TOKEN_FIELDS)
        with _as_stored():  # slack-sdk's save then saves sealed.to_bot(), already sealed
            await super().async_save(sealed)

    async def async_save_bot(self, bot: Bot) -> None:
        if _raw.get():
            await super().async_save_bot(bot)
            return
        await super().async_save_bot(self._seal(bot, BOT_TOKEN_FIELDS))

    # -- reading -------------------------------------------------------------------------------------
    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        bot = await super().async_find_bot(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )
        if bot is None or _raw.get():
            return bot
        return self._open(bot, BOT_TOKEN_FIELDS)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        with _as_stored():
            installation = await super().async_find_installation(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                is_enterprise_install=is_enterprise_install,
            )
        if installation is None:
            return None
        return self._open(installation, INSTALLATION_TOKEN_FIELDS)

    # -- key rotation ------------------------------------------------------------------------------
    async def rotate_keys(self) -> int:
        """Re-encrypt every stored token under the first key of ``MLORG_ENCRYPTION_KEY``.

        After it, the older keys can be dropped from the variable. Rows no listed key opens are
        left as they are (and keep reading as "not installed"). Returns the rows rewritten.
        """
        rewritten = 0
        for table, fields in ((self.installations, INSTALLATION_TOKEN_FIELDS), (self.bots, BOT_TOKEN_FIELDS)):
            async with self.engine.begin() as conn:
                rows = (await conn.execute(select(table.c.id, *(table.c[name] for name in fields)))).all()
                for row in rows:
                    try:
                        values = {
                            name: self.cipher.rotate(value)
                            for name, value in zip(fields, row[1:], strict=True)
                            if value is not None
                        }
                    except UndecryptableToken:
                        continue
                    if values:
                        await conn.execute(update(table).where(table.c.id == row[0]).values(**values))
                        rewritten += 1
        return rewritten

    # -- the cipher ------------------------------------------------------------------------------------
    def _seal(self, entity: _Entity, fields: tuple[str, ...]) -> _Entity:
        sealed = copy.copy(entity)  # the caller keeps its plaintext object (Bolt uses it afterwards)
        for name in fields:
            value: Any = getattr(entity, name, None)
            if value is not None:
                setattr(sealed, name, self.cipher.encrypt(value))
        return sealed

    def _open(self, entity: _Entity, fields: tuple[str, ...]) -> _Entity | None:
        try:
            for name in fields:
                value: Any = getattr(entity, name, None)
                if value is not None:
                    setattr(entity, name, self.cipher.decrypt(value))
        except UndecryptableToken:
            where = (entity.enterprise_id, entity.team_id)
            if where not in self._warned:  # once per workspace, not on every request
                self._warned.add(where)
                log.warning(
                    "the stored tokens of workspace %s (enterprise %s) cannot be decrypted with "
                    "MLORG_ENCRYPTION_KEY (a key it was written with is no longer listed?): "
                    "treating it as not installed",
                    entity.team_id,
                    entity.enterprise_id,
                )
            return None
        return entity


class OAuthStateStore(AsyncSQLAlchemyOAuthStateStore):
    """slack-sdk's OAuth state store on mlorg's ``slack_oauth_states`` table: each state once."""

    def __init__(self, *, engine: AsyncEngine, expiration_seconds: int = 600) -> None:
        super().__init__(expiration_seconds=expiration_seconds, engine=engine, logger=log)

    @classmethod
    def build_oauth_states_table(cls, metadata: MetaData, table_name: str) -> Table:
        return SLACK_OAUTH_STATES

    async def create_tables(self) -> None:
        """Alembic owns the schema (migration 0008)."""
