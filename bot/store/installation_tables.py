"""The tables slack-sdk's SQLAlchemy installation and OAuth state stores read and write.

slack-sdk builds these tables itself (``build_installations_table`` and friends) and can create
them with ``create_all``; mlorg instead declares them here, on :data:`~bot.store.tables.Base`'s
metadata, so that its Alembic migrations own the schema on SQLite and PostgreSQL like every
other table, and the schema test compares them too. The stores in :mod:`bot.tenancy` override
slack-sdk's ``build_*_table`` class methods to hand back these very tables.

The columns and types are slack-sdk's (3.x), with one change: the token columns have no length
limit. mlorg stores tokens encrypted (Fernet), and a Fernet token of a 150-character refresh
token is over 300 characters, which slack-sdk's ``String(200)`` would refuse on PostgreSQL.
Datetimes are naive UTC, as slack-sdk writes them.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, func

from bot.store.tables import Base

__all__ = ["SLACK_BOTS", "SLACK_INSTALLATIONS", "SLACK_OAUTH_STATES"]

_metadata = Base.metadata

SLACK_INSTALLATIONS: Final = Table(
    "slack_installations",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String),
    Column("bot_token_expires_at", DateTime),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", String(32)),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_installations_idx", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"),
)

SLACK_BOTS: Final = Table(
    "slack_bots",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String),
    Column("bot_token_expires_at", DateTime),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("installed_at", DateTime, nullable=False, default=func.now()),
    Index("slack_bots_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

#: One row per "Add to Slack" page shown; consumed (deleted) by the redirect that comes back.
SLACK_OAUTH_STATES: Final = Table(
    "slack_oauth_states",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)
