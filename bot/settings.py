"""Settings, read once from the environment (or a ``.env`` file) by pydantic-settings.

Only the composition root and the command line construct :class:`Settings`; the
rest of the code receives values, never reads the environment. A missing or
malformed setting becomes :class:`ConfigError` with one line naming the variable
and what is expected; secret values never appear in that line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ConfigError", "Settings", "load_settings"]

_EXPECTED = {
    "SLACK_BOT_TOKEN": "a bot token starting with xoxb-",
    "SLACK_SIGNING_SECRET": "the app's signing secret (Basic Information > App Credentials)",
    "SLACK_APP_TOKEN": "an app-level token starting with xapp-",
    "SLACK_API_URL": "an http(s) URL ending in /api/",
    "DATABASE_URL": "a SQLAlchemy URL such as sqlite:///mlorg.sqlite3 or postgresql://user@host/db",
    "MLORG_ADMINS": "comma-separated Slack user ids such as U012AB3CD,U045EF6GH",
    "MLORG_KNOWLEDGE_DIR": "a directory of .yaml content files",
    "MLORG_PORT": "a TCP port number from 1 to 65535",
    "MLORG_RETENTION_DAYS": "a whole number of days from 1 to 3650",
    "MLORG_RETENTION_DAYS_AFTER_UNINSTALL": "a whole number of days from 0 (at once) to 3650",
    "PORT": "a TCP port number from 1 to 65535",
    "MLORG_METRICS_PORT": "a TCP port number from 1 to 65535, different from the HTTP port",
    "MLORG_LOG_FORMAT": "text or json",
    "PROMETHEUS_MULTIPROC_DIR": "an existing directory where every worker process can write",
}
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


class ConfigError(Exception):
    """A setting is missing or malformed; ``str()`` is one line fit to print and exit."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str | None = None
    #: A plain string, split by :attr:`admin_ids`: pydantic-settings would want JSON for a list.
    mlorg_admins: str = ""
    mlorg_knowledge_dir: Path | None = None
    port: int = Field(default=3000, ge=1, le=65535, validation_alias=AliasChoices("MLORG_PORT", "PORT"))
    #: Days an unfinished diagnosis is kept after it was last touched.
    mlorg_retention_days: int = Field(default=30, ge=1, le=3650)
    #: Days a workspace's data is kept after it uninstalls mlorg (a reinstall meanwhile finds
    #: it again); 0 deletes it at once. Its tokens are deleted at once either way.
    mlorg_retention_days_after_uninstall: int = Field(default=30, ge=0, le=3650)
    #: Serve ``/metrics`` on this port only (and in Socket Mode, at all); unset: on the main port.
    mlorg_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    #: ``json``: one JSON object per log line, for log shippers.
    mlorg_log_format: Literal["text", "json"] = "text"
    #: prometheus-client's multi-process mode (several worker processes on one host); it reads the
    #: variable itself too, this copy tells ``/metrics`` to add up every process's files.
    prometheus_multiproc_dir: Path | None = None

    @field_validator("mlorg_metrics_port", mode="before")
    @classmethod
    def _metrics_port_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("mlorg_log_format", mode="before")
    @classmethod
    def _log_format_shape(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("prometheus_multiproc_dir")
    @classmethod
    def _multiproc_dir_shape(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError("expected an existing directory")
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xox"):
            raise ValueError("expected a token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value():
            return None  # SLACK_APP_TOKEN= (empty) means "not set": use HTTP mode
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("expected a token starting with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("mlorg_admins")
    @classmethod
    def _admins_shape(cls, value: str) -> str:
        for item in (part.strip() for part in value.split(",")):
            if item and not _USER_ID.fullmatch(item):
                raise ValueError("expected Slack user ids")
        return value

    @property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.mlorg_admins.split(",") if part.strip())

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    def require_slack(self, *, socket_mode: bool) -> None:
        """Check that the credentials needed to serve are present."""
        needed = ["slack_bot_token", "slack_signing_secret"]
        if socket_mode:
            needed.append("slack_app_token")
        for name in needed:
            if getattr(self, name) is None:
                env = name.upper()
                raise ConfigError(f"{env} is not set: expected {_EXPECTED[env]}")


def load_settings() -> Settings:
    """Read the environment once; translate validation errors to one friendly line."""
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "setting"
        env = field.upper()
        if field in {"port", "MLORG_PORT", "PORT"}:
            # Name the variable the operator actually set: PORT is the platform convention.
            env = "MLORG_PORT" if os.environ.get("MLORG_PORT") is not None else "PORT"
        expected = _EXPECTED.get(env, str(first.get("msg", "a valid value")))
        # The message is ours, never the input: the input may be a secret.
        raise ConfigError(f"{env} is malformed: expected {expected}") from None
