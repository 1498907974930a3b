"""slack-sdk's SQLAlchemy installation store on mlorg's own (migrated) tables, for tests.

The app's store (encrypted tokens) lives in :mod:`bot.tenancy`; what the code under test
needs is any ``AsyncInstallationStore``, and this is slack-sdk's own, pointed at the tables
migration 0008 created instead of tables of its own.
"""

from __future__ import annotations

import time

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from sqlalchemy import MetaData, Table

from bot.store import SLACK_BOTS, SLACK_INSTALLATIONS

__all__ = ["CLIENT_ID", "MlorgTablesInstallationStore", "installation"]

CLIENT_ID = "111.222"


class MlorgTablesInstallationStore(AsyncSQLAlchemyInstallationStore):
    @classmethod
    def build_installations_table(cls, metadata: MetaData, table_name: str) -> Table:
        return SLACK_INSTALLATIONS

    @classmethod
    def build_bots_table(cls, metadata: MetaData, table_name: str) -> Table:
        return SLACK_BOTS


def installation(
    token: str,
    *,
    team_id: str | None,
    enterprise_id: str | None = None,
    org_wide: bool = False,
    refresh_token: str | None = None,
    expires_in: int | None = None,
) -> Installation:
    """An installation as the OAuth flow saves it (a token that expires when ``expires_in`` is set)."""
    return Installation(
        app_id="A0001",
        enterprise_id=enterprise_id,
        team_id=None if org_wide else team_id,
        is_enterprise_install=org_wide,
        user_id="UINSTALLER",
        bot_token=token,
        bot_id="B0001",
        bot_user_id="UBOT",
        bot_scopes="chat:write,commands",
        bot_refresh_token=refresh_token,
        bot_token_expires_at=int(time.time()) + expires_in if expires_in is not None else None,
        installed_at=time.time(),
    )
