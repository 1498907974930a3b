"""``mlorg workspaces`` and ``mlorg workspaces purge TEAM``: the operator's view of installations.

Like tests/test_cli_operator.py, most tests call the console script's ``main`` in-process on a
SQLite database named by DATABASE_URL; one runs the real process, as an operator would.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation

from bot.cli import main
from bot.store import Store
from bot.store.events import utc_now
from bot.tenancy.crypto import TokenCipher
from bot.tenancy.stores import EncryptedInstallationStore
from tests.e2e.processes import child_env
from tests.support.workspace_data import fill_workspace, rows_of
from tests.test_cli_operator import database_url as database_url  # a fresh SQLite file, clean environment

TEAM = "T0001"
OTHER = "T0002"
ORG = "E0ORG"

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def mlorg(database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    def run(*args: str, answer: str | None = None) -> tuple[int, str, str]:
        def ask(prompt: str) -> str:
            print(prompt, end="")
            if answer is None:
                raise EOFError  # no terminal
            return answer

        monkeypatch.setattr("builtins.input", ask)
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def on_store(url: str, work: Callable[[Store], Awaitable[object]]) -> object:
    async def go() -> object:
        async with Store.open(url) as store:
            await store.migrate()
            return await work(store)

    return asyncio.run(go())


def test_an_empty_database_says_no_installation_is_recorded(mlorg: Run) -> None:
    code, out, err = mlorg("workspaces")

    assert (code, err) == (0, "")
    assert out.startswith("No installations recorded yet")


def test_the_list_is_a_table_of_team_name_install_date_status_and_purge_date(
    mlorg: Run, database_url: str
) -> None:
    async def setup(store: Store) -> None:
        await store.installs.record_install(TEAM, None, "Acme Research", False)
        await store.installs.record_install(OTHER, None, "Beta", False)
        await store.installs.record_departure(OTHER, None, utc_now() + timedelta(days=30))
        await store.installs.record_install("", ORG, "Grid Org", True)

    on_store(database_url, setup)
    code, out, _ = mlorg("workspaces", "list")

    header, *rows = out.splitlines()
    assert code == 0 and header.split() == ["TEAM", "NAME", "INSTALLED", "AT", "STATUS", "PURGE", "AFTER"]
    assert len(rows) == 3
    acme, beta, org = rows  # by org, then team
    assert org.startswith("E0ORG (org-wide)") and "Grid Org" in org
    assert acme.startswith(TEAM) and "Acme Research" in acme and " active" in acme and acme.endswith("-")
    purge_date = (utc_now() + timedelta(days=30)).strftime("%Y-%m-%d")
    assert "uninstalled" in beta and purge_date in beta
    assert header.index("STATUS") == acme.index("active"), "columns line up"


def test_purge_with_yes_deletes_the_workspace_now_and_says_what_it_deleted(
    mlorg: Run, database_url: str
) -> None:
    async def setup(store: Store) -> None:
        await fill_workspace(store, TEAM)
        await fill_workspace(store, OTHER)

    on_store(database_url, setup)
    code, out, err = mlorg("workspaces", "purge", TEAM, "--yes")

    assert (code, err) == (0, "")
    assert "still installed" in out and f"Purged {TEAM}:" in out and "diagnosis_flows=1" in out
    assert on_store(database_url, lambda store: rows_of(store, TEAM)) == {}
    assert on_store(database_url, lambda store: rows_of(store, OTHER)) != {}


def test_purge_asks_first_and_a_no_deletes_nothing(mlorg: Run, database_url: str) -> None:
    on_store(database_url, lambda store: fill_workspace(store, TEAM))

    code, out, err = mlorg("workspaces", "purge", TEAM, answer="n")
    assert code == 1 and "cannot be undone" in out and "Nothing was deleted" in err
    code, _, err = mlorg("workspaces", "purge", TEAM)  # no terminal to answer from
    assert code == 1 and "Nothing was deleted" in err
    assert on_store(database_url, lambda store: rows_of(store, TEAM)) != {}

    code, out, _ = mlorg("workspaces", "purge", TEAM, answer="yes")
    assert code == 0 and f"Purged {TEAM}" in out
    assert on_store(database_url, lambda store: rows_of(store, TEAM)) == {}


def test_purging_an_org_wide_install_names_its_workspaces(mlorg: Run, database_url: str) -> None:
    async def setup(store: Store) -> None:
        await store.installs.record_install("", ORG, "Grid Org", True)
        await fill_workspace(store, "T0ORGA", enterprise=ORG, installed=False)

    on_store(database_url, setup)
    code, out, _ = mlorg("workspaces", "purge", ORG, "--yes")

    assert code == 0 and "org-wide: T0ORGA" in out
    assert on_store(database_url, lambda store: rows_of(store, "T0ORGA")) == {}
    assert on_store(database_url, lambda store: store.installs.list()) == []


@pytest.mark.parametrize("team", ["T0NOBODY", "  "])
def test_purging_an_unknown_workspace_is_one_friendly_line(mlorg: Run, team: str) -> None:
    code, out, err = mlorg("workspaces", "purge", team, "--yes")

    assert code == 1 and out == ""
    [line] = err.strip().splitlines()
    assert "mlorg workspaces" in line


def test_the_real_command_lists_and_purges(database_url: str, tmp_path: Path) -> None:
    on_store(database_url, lambda store: fill_workspace(store, TEAM))
    env = {**child_env(), "DATABASE_URL": database_url}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", "workspaces", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )

    listed = run()
    purged = run("purge", TEAM, "--yes")

    assert listed.returncode == 0 and TEAM in listed.stdout and "Team T0001" in listed.stdout
    assert purged.returncode == 0 and f"Purged {TEAM}" in purged.stdout, purged.stderr
    assert "Traceback" not in listed.stderr + purged.stderr


def test_rekey_rewrites_every_token_under_the_new_key_so_the_old_one_can_go(
    mlorg: Run, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()

    async def install(store: Store) -> None:
        await _installations(store, [old]).async_save(_installation(TEAM, "xoxb-acme-token"))

    on_store(database_url, install)
    monkeypatch.setenv("MLORG_ENCRYPTION_KEY", f"{new},{old}")

    code, out, err = mlorg("workspaces", "rekey")

    assert (code, err) == (0, "")
    assert "Re-encrypted 2 token records" in out  # the installation row and the bot row

    async def read_with_new_key_only(store: Store) -> object:
        return await _installations(store, [new]).async_find_bot(enterprise_id=None, team_id=TEAM)

    bot = on_store(database_url, read_with_new_key_only)
    assert bot is not None and bot.bot_token == "xoxb-acme-token"  # type: ignore[attr-defined]


def test_rekey_without_a_key_says_which_variable_and_changes_nothing(mlorg: Run) -> None:
    code, _out, err = mlorg("workspaces", "rekey")

    assert code == 1
    assert "MLORG_ENCRYPTION_KEY is not set" in err


def _installations(store: Store, keys: list[str]) -> EncryptedInstallationStore:
    return EncryptedInstallationStore(client_id="111.222", engine=store.engine, cipher=TokenCipher(keys))


def _installation(team: str, token: str) -> Installation:
    return Installation(
        app_id="A0001",
        enterprise_id=None,
        team_id=team,
        team_name="Acme",
        bot_token=token,
        bot_id="B0001",
        bot_user_id="UBOT",
        bot_scopes="commands,chat:write",
        user_id="U0INSTALLER",
        installed_at=utc_now().timestamp(),
    )
