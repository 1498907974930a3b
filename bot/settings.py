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
from typing import Final, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_BOT_SCOPES", "ConfigError", "Settings", "load_settings"]

#: The bot scopes an install asks for: the ones ``app_manifest.yml`` declares (a test keeps them equal).
DEFAULT_BOT_SCOPES: Final = (
    "commands",
    "chat:write",
    "chat:write.public",
    "files:write",
    "app_mentions:read",
    "im:history",
    "users:read",
    "channels:history",
    "groups:history",
)

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
    "SLACK_CLIENT_ID": "the app's client id (Basic Information > App Credentials), such as 1234567890.1234567890",
    "SLACK_CLIENT_SECRET": "the app's client secret (Basic Information > App Credentials)",
    "SLACK_SCOPES": "comma-separated bot scopes such as commands,chat:write",
    "SLACK_INSTALL_PATH": "a URL path starting with /, such as /slack/install",
    "SLACK_REDIRECT_URI_PATH": "a URL path starting with /, such as /slack/oauth_redirect",
    "SLACK_REDIRECT_URI": "the full https URL of the redirect path, as listed under OAuth & Permissions",
    "MLORG_ENCRYPTION_KEY": (
        "one or more comma-separated Fernet keys (make one with: python -c "
        "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
    ),
}
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_SCOPE = re.compile(r"[a-z][a-z0-9_.:-]*")
_PATH = re.compile(r"/[A-Za-z0-9_./-]*")


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
    #: OAuth distribution (:attr:`oauth_mode`): the app's credentials instead of one bot token.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    #: Comma-separated bot scopes an install asks for; a plain string, like ``mlorg_admins``.
    slack_scopes: str = ",".join(DEFAULT_BOT_SCOPES)
    slack_install_path: str = "/slack/install"
    slack_redirect_uri_path: str = "/slack/oauth_redirect"
    #: Only needed when the app lists several redirect URLs; Slack then wants the one used.
    slack_redirect_uri: str | None = None
    #: Fernet keys, comma-separated: the first encrypts, every one decrypts (key rotation).
    mlorg_encryption_key: SecretStr | None = None

    @field_validator(
        "slack_client_id",
        "slack_client_secret",
        "slack_redirect_uri",
        "mlorg_encryption_key",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """``VAR=`` (empty, as a .env template leaves it) means "not set", as for SLACK_APP_TOKEN."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_client_id")
    @classmethod
    def _client_id_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[0-9]+\.[0-9]+", value.strip()):
            raise ValueError("expected a client id")
        return value.strip() if value is not None else None

    @field_validator("slack_scopes")
    @classmethod
    def _scopes_shape(cls, value: str) -> str:
        scopes = [part.strip() for part in value.split(",") if part.strip()]
        if not scopes or not all(_SCOPE.fullmatch(scope) for scope in scopes):
            raise ValueError("expected scopes")
        return ",".join(scopes)

    @field_validator("slack_install_path", "slack_redirect_uri_path")
    @classmethod
    def _path_shape(cls, value: str) -> str:
        if not _PATH.fullmatch(value) or value in {"/", "/slack/events", "/healthz", "/metrics"}:
            raise ValueError("expected a path of its own")
        return value

    @field_validator("slack_redirect_uri")
    @classmethod
    def _redirect_uri_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("expected an http(s) URL")
        return value

    @field_validator("mlorg_encryption_key")
    @classmethod
    def _encryption_key_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        from cryptography.fernet import Fernet  # only paid for when a key is configured

        keys = [part.strip() for part in value.get_secret_value().split(",") if part.strip()]
        if not keys:
            return None
        for key in keys:
            try:
                Fernet(key)
            except (ValueError, TypeError):
                raise ValueError("expected Fernet keys") from None
        return SecretStr(",".join(keys))

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

    @property
    def oauth_mode(self) -> bool:
        """Installed by many workspaces through "Add to Slack", each with its own bot token."""
        return self.slack_client_id is not None or self.slack_client_secret is not None

    @property
    def scopes(self) -> list[str]:
        return self.slack_scopes.split(",")

    @property
    def slack_authorize_url(self) -> str:
        """Slack's "Allow" page, on the host of ``SLACK_API_URL`` (so a local stand-in serves both)."""
        base = self.slack_api_url.removesuffix("api/") if self.slack_api_url.endswith("/api/") else None
        return f"{base}oauth/v2/authorize" if base else "https://slack.com/oauth/v2/authorize"

    @property
    def encryption_keys(self) -> list[str]:
        """The Fernet keys, newest (the one that encrypts) first."""
        if self.mlorg_encryption_key is None:
            return []
        return self.mlorg_encryption_key.get_secret_value().split(",")

    def require_slack(self, *, socket_mode: bool) -> None:
        """Check that the credentials needed to serve are present, and name one mode only.

        OAuth mode refuses Socket Mode: the install pages are HTTP pages Slack's redirect must
        reach, and Socket Mode serves no HTTP; ``mlorg serve --http`` ignores SLACK_APP_TOKEN.
        """
        if self.oauth_mode:
            self._require_oauth(socket_mode=socket_mode)
            return
        needed = ["slack_bot_token", "slack_signing_secret"]
        if socket_mode:
            needed.append("slack_app_token")
        for name in needed:
            if getattr(self, name) is None:
                env = name.upper()
                raise ConfigError(f"{env} is not set: expected {_EXPECTED[env]}")

    def _require_oauth(self, *, socket_mode: bool) -> None:
        if self.slack_bot_token is not None:
            raise ConfigError(
                "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: expected one mode, a bot token "
                "for one workspace or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET to install through OAuth"
            )
        if socket_mode:
            raise ConfigError(
                "SLACK_APP_TOKEN is set with SLACK_CLIENT_ID: installing through OAuth needs HTTP "
                "(unset SLACK_APP_TOKEN, or run mlorg serve --http)"
            )
        for name in (
            "slack_client_id",
            "slack_client_secret",
            "slack_signing_secret",
            "mlorg_encryption_key",
        ):
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
