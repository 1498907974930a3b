"""OAuth mode's settings: one mode at a time, every missing or malformed piece named in one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography.fernet import Fernet

from bot.settings import DEFAULT_BOT_SCOPES, ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[3]
KEY = Fernet.generate_key().decode()
OLD_KEY = Fernet.generate_key().decode()
CLIENT_SECRET = "client-secret-never-shown-42"
VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_SCOPES",
    "SLACK_INSTALL_PATH",
    "SLACK_REDIRECT_URI_PATH",
    "SLACK_REDIRECT_URI",
    "MLORG_ENCRYPTION_KEY",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env
    return monkeypatch


def oauth_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_client_id": "1234567890.0987654321",
        "slack_client_secret": CLIENT_SECRET,
        "slack_signing_secret": "signing",
        "mlorg_encryption_key": KEY,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def one_line(error: ConfigError) -> str:
    message = str(error)
    assert "\n" not in message
    assert CLIENT_SECRET not in message and KEY not in message
    return message


def test_the_default_scopes_are_the_manifests_bot_scopes() -> None:
    manifest = yaml.safe_load((ROOT / "app_manifest.yml").read_text(encoding="utf-8"))

    assert list(DEFAULT_BOT_SCOPES) == manifest["oauth_config"]["scopes"]["bot"]
    assert Settings(_env_file=None).scopes == list(DEFAULT_BOT_SCOPES)  # type: ignore[call-arg]


def test_a_complete_oauth_configuration_passes(clean_env: pytest.MonkeyPatch) -> None:
    settings = oauth_settings()

    settings.require_slack(socket_mode=False)
    assert settings.oauth_mode
    assert settings.slack_install_path == "/slack/install"
    assert settings.slack_redirect_uri_path == "/slack/oauth_redirect"


def test_single_token_mode_is_not_oauth_mode(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings(_env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="s")  # type: ignore[call-arg]

    settings.require_slack(socket_mode=False)
    assert not settings.oauth_mode


def test_a_bot_token_beside_a_client_id_is_refused(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError) as caught:
        oauth_settings(slack_bot_token="xoxb-1").require_slack(socket_mode=False)

    message = one_line(caught.value)
    assert "SLACK_BOT_TOKEN" in message and "SLACK_CLIENT_ID" in message


@pytest.mark.parametrize(
    ("unset", "named"),
    [
        ("slack_client_secret", "SLACK_CLIENT_SECRET"),
        ("slack_client_id", "SLACK_CLIENT_ID"),
        ("mlorg_encryption_key", "MLORG_ENCRYPTION_KEY"),
        ("slack_signing_secret", "SLACK_SIGNING_SECRET"),
    ],
)
def test_oauth_mode_names_what_is_missing(clean_env: pytest.MonkeyPatch, unset: str, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        oauth_settings(**{unset: None}).require_slack(socket_mode=False)

    assert one_line(caught.value).startswith(f"{named} is not set")


def test_oauth_mode_refuses_socket_mode(clean_env: pytest.MonkeyPatch) -> None:
    settings = oauth_settings(slack_app_token="xapp-1-A1-1-abc")

    with pytest.raises(ConfigError) as caught:
        settings.require_slack(socket_mode=True)

    assert "SLACK_APP_TOKEN" in one_line(caught.value)
    settings.require_slack(socket_mode=False)  # mlorg serve --http ignores the app token


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MLORG_ENCRYPTION_KEY", "not-a-fernet-key-but-secret"),
        ("MLORG_ENCRYPTION_KEY", f"{KEY},also-not-a-key-but-secret"),
        ("SLACK_CLIENT_ID", "not an id"),
        ("SLACK_SCOPES", "commands, CHAT WRITE"),
        ("SLACK_INSTALL_PATH", "slack/install"),
        ("SLACK_REDIRECT_URI_PATH", "/slack/events"),
        ("SLACK_REDIRECT_URI", "ftp://example.com/cb"),
    ],
)
def test_a_malformed_oauth_setting_is_named_but_never_shown(
    clean_env: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    clean_env.setenv(variable, value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    message = one_line(caught.value)
    assert message.startswith(f"{variable} is malformed: expected")
    assert "secret" not in message.replace("client secret", "")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_several_keys_are_read_newest_first(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("MLORG_ENCRYPTION_KEY", f" {KEY} , {OLD_KEY} ")

    assert load_settings().encryption_keys == [KEY, OLD_KEY]


def test_the_oauth_variables_are_read_from_the_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("SLACK_CLIENT_ID", "1.2")
    clean_env.setenv("SLACK_CLIENT_SECRET", CLIENT_SECRET)
    clean_env.setenv("SLACK_SCOPES", "commands , chat:write")
    clean_env.setenv("SLACK_INSTALL_PATH", "/add")
    clean_env.setenv("SLACK_REDIRECT_URI_PATH", "/added")
    clean_env.setenv("MLORG_ENCRYPTION_KEY", KEY)

    settings = load_settings()

    assert settings.oauth_mode
    assert settings.scopes == ["commands", "chat:write"]
    assert (settings.slack_install_path, settings.slack_redirect_uri_path) == ("/add", "/added")
    assert CLIENT_SECRET not in repr(settings)
