"""``mlorg serve --http`` as a real process: start-up, requests, SIGTERM, start-up failures, replicas.

Each test starts the console entry point (``python -m bot.cli serve --http``) in a clean
environment against the fake Slack on 127.0.0.1 and talks to it over HTTP exactly as Slack
does. What the process printed is captured to files and read like an operator reads logs.
"""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.fake_slack import FakeSlack, Scripted
from tests.e2e.harness import BOT_TOKEN, SIGNING_SECRET
from tests.e2e.processes import Exited, ServeProcess, child_env, free_port, run_to_exit, serve_command
from tests.e2e.slack_client import SlackPlatform, find_button
from tests.support.postgres import create_pg_database, drop_pg_database, pg_database_url, require_postgres

SECRETS = (BOT_TOKEN, SIGNING_SECRET)
STOP_WITHIN_SECONDS = 5.0


def serve_env(fake: FakeSlack, database_url: str, **extra: str) -> dict[str, str]:
    return child_env(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=database_url,
        **extra,
    )


def sqlite_file_url(tmp_path: Path) -> str:
    # The plain form an operator writes; the app maps it to the async driver.
    return f"sqlite:///{tmp_path / 'mlorg.sqlite3'}"


def assert_no_secrets(output: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in output, f"a secret ({secret[:6]}…) appears in the output:\n{output}"


# -- a running process ---------------------------------------------------------------------------


async def test_mlorg_serve_http_answers_health_and_commands_and_stops_cleanly_on_sigterm(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    app = ServeProcess(serve_command(port=port), serve_env(fake_slack, sqlite_file_url(tmp_path)), tmp_path)
    try:
        app.start()
        await app.wait_healthy(base_url)

        async with aiohttp.ClientSession() as session, session.get(f"{base_url}/healthz") as health:
            assert health.status == 200
            assert (await health.json())["ok"] is True

        async with SlackPlatform(
            f"{base_url}/slack/events", SIGNING_SECRET, fake_slack.response_url()
        ) as slack:
            card = await slack.command("explain rnd")
            assert card.status == 200
            assert card.json["response_type"] == "ephemeral"
            assert "Research and development" in card.text

            forged = await slack.command("explain rnd", signature="v0=" + "0" * 64)
            assert forged.status == 401

        asked_to_stop = time.monotonic()
        assert await app.stop(timeout=15) == 0
        assert time.monotonic() - asked_to_stop < STOP_WITHIN_SECONDS
    finally:
        app.kill()

    assert "stopped" in app.stderr, app.describe()
    assert "Traceback" not in app.output, app.describe()
    assert_no_secrets(app.output, *SECRETS)


async def test_sigterm_lets_work_that_follows_an_ack_finish_before_the_process_exits(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    app = ServeProcess(serve_command(port=port), serve_env(fake_slack, sqlite_file_url(tmp_path)), tmp_path)
    try:
        app.start()
        await app.wait_healthy(base_url)
        async with SlackPlatform(
            f"{base_url}/slack/events", SIGNING_SECRET, fake_slack.response_url()
        ) as slack:
            card = await slack.command("explain rnd")
            share = find_button(card.blocks, "Share in channel")
            # Slack is busy: the post is refused once, and the app must wait a second to retry it.
            fake_slack.script(
                "chat.postMessage",
                Scripted(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}),
            )

            click = await slack.click(share)
            assert click.status == 200
            app.terminate()  # right after the ack, while the post is still to be made
            posts_when_asked_to_stop = len(fake_slack.posts())

            assert await app.wait_exit(timeout=15) == 0
    finally:
        app.kill()

    assert posts_when_asked_to_stop <= 1, "the post was delivered before SIGTERM: nothing was in flight"
    posts = fake_slack.posts()
    assert len(posts) == 2, f"the retried post was lost at shutdown: {app.describe()}"
    refused, second = posts
    assert refused.args["channel"] == "C0001"
    assert second.args["channel"] == "C0001"
    assert "Shared by <@U0001>" in second.text
    assert [c for c in fake_slack.calls_to("response_url:r1") if "Shared in channel" in c.text]
    assert "stopped" in app.stderr, app.describe()
    assert "Traceback" not in app.output, app.describe()
    assert_no_secrets(app.output, *SECRETS)


# -- start-up failures -------------------------------------------------------------------------------

GOOD = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}


@pytest.mark.parametrize(
    ("settings", "variable", "hidden"),
    [
        pytest.param(
            {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET", (BOT_TOKEN,), id="no-signing-secret"
        ),
        pytest.param(
            {"SLACK_SIGNING_SECRET": SIGNING_SECRET}, "SLACK_BOT_TOKEN", (SIGNING_SECRET,), id="no-bot-token"
        ),
        pytest.param(
            {**GOOD, "SLACK_BOT_TOKEN": "not-a-token-secretvalue"},
            "SLACK_BOT_TOKEN",
            ("not-a-token-secretvalue", "secretvalue", SIGNING_SECRET),
            id="malformed-bot-token",
        ),
        pytest.param({**GOOD, "MLORG_PORT": "abc"}, "MLORG_PORT", SECRETS, id="malformed-port"),
        pytest.param(
            {**GOOD, "DATABASE_URL": "mysql://u:hunter2@h/db"},
            "DATABASE_URL",
            ("hunter2", *SECRETS),
            id="unsupported-database",
        ),
        pytest.param(
            {**GOOD, "SLACK_APP_TOKEN": "xoxb-app-token-secretvalue"},
            "SLACK_APP_TOKEN",
            ("secretvalue", *SECRETS),
            id="malformed-app-token",
        ),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(
    settings: dict[str, str], variable: str, hidden: tuple[str, ...], tmp_path: Path
) -> None:
    env = child_env(SLACK_API_URL="http://127.0.0.1:9/api/", **settings)

    exited = run_to_exit(serve_command(port=free_port()), env, tmp_path)

    assert_one_line_failure(exited, variable, hidden)


def test_a_broken_knowledge_overlay_stops_start_up_naming_the_file(tmp_path: Path) -> None:
    overlay = tmp_path / "content"
    overlay.mkdir()
    (overlay / "our-archetypes.yaml").write_text("archetypes:\n  - id: platform\n    name: [unclosed\n")
    env = child_env(SLACK_API_URL="http://127.0.0.1:9/api/", MLORG_KNOWLEDGE_DIR=str(overlay), **GOOD)

    exited = run_to_exit(serve_command(port=free_port()), env, tmp_path)

    assert exited.returncode == 2, exited
    assert "our-archetypes.yaml" in exited.stderr
    assert "YAML" in exited.stderr
    assert "Traceback" not in exited.output
    assert_no_secrets(exited.output, *SECRETS)


def test_an_unreachable_database_stops_start_up_with_one_line_naming_it(tmp_path: Path) -> None:
    nothing_listens = free_port()
    url = f"postgresql://mlorg:hunter2@127.0.0.1:{nothing_listens}/mlorg"
    env = child_env(SLACK_API_URL="http://127.0.0.1:9/api/", DATABASE_URL=url, **GOOD)

    exited = run_to_exit(serve_command(port=free_port()), env, tmp_path)

    assert_last_line_failure(exited, "DATABASE_URL", ("hunter2", *SECRETS))


def test_a_port_already_in_use_stops_start_up_with_one_line_naming_it(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = child_env(
            SLACK_API_URL="http://127.0.0.1:9/api/", DATABASE_URL=sqlite_file_url(tmp_path), **GOOD
        )

        exited = run_to_exit(serve_command(port=port), env, tmp_path)

    assert_last_line_failure(exited, str(port), SECRETS)


def assert_one_line_failure(exited: Exited, variable: str, hidden: tuple[str, ...]) -> None:
    assert exited.returncode == 2, exited
    assert exited.stdout == "", exited
    assert len(exited.stderr_lines) == 1, exited
    [line] = exited.stderr_lines
    assert line.startswith("mlorg: ") and variable in line, line
    assert "Traceback" not in exited.output
    assert_no_secrets(exited.output, *hidden)


def assert_last_line_failure(exited: Exited, named: str, hidden: tuple[str, ...]) -> None:
    """A failure found after logging started: log lines may precede it, the error is one line."""
    assert exited.returncode == 2, exited
    assert "Traceback" not in exited.output, exited.stderr
    errors = [line for line in exited.stderr_lines if line.startswith("mlorg: ")]
    assert len(errors) == 1, exited.stderr
    assert errors[0] == exited.stderr_lines[-1]
    assert named in errors[0], errors[0]
    assert_no_secrets(exited.output, *hidden)


# -- replicas ------------------------------------------------------------------------------------------------


@pytest.mark.postgres
async def test_two_replicas_on_one_postgresql_database_handle_a_redelivered_event_once(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    require_postgres()
    database = create_pg_database()
    replicas: list[ServeProcess] = []
    try:
        # The plain URL an operator writes; both replicas migrate it at start, concurrently.
        url = pg_database_url(database).replace("postgresql+asyncpg://", "postgresql://", 1)
        ports = [free_port(), free_port()]
        for index, port in enumerate(ports):
            replica = ServeProcess(
                serve_command(port=port), serve_env(fake_slack, url), tmp_path, name=f"replica{index}"
            )
            replicas.append(replica)
            replica.start()
        await asyncio.gather(
            *(r.wait_healthy(f"http://127.0.0.1:{p}") for r, p in zip(replicas, ports, strict=True))
        )

        event = {
            "type": "app_mention",
            "user": "U0001",
            "text": f"<@{fake_slack.bot_user_id}> what's the downside of an R&D org?",
            "ts": "1700000200.000200",
            "channel": "C0001",
            "event_ts": "1700000200.000200",
        }
        async with (
            SlackPlatform(
                f"http://127.0.0.1:{ports[0]}/slack/events", SIGNING_SECRET, fake_slack.response_url()
            ) as a,
            SlackPlatform(
                f"http://127.0.0.1:{ports[1]}/slack/events", SIGNING_SECRET, fake_slack.response_url()
            ) as b,
        ):
            # A load balancer hands the same delivery to both replicas at once...
            both = await asyncio.gather(
                a.event(event, event_id="EvREPLICA01"), b.event(event, event_id="EvREPLICA01")
            )
            assert [r.status for r in both] == [200, 200]
            # ...and Slack, not having seen an answer in time, retries it.
            retry = await b.event(event, event_id="EvREPLICA01", retry_num=1)
            assert retry.status == 200

        [post] = await fake_slack.wait_for("chat.postMessage")
        await fake_slack.settle(quiet=0.5)
        assert len(fake_slack.posts()) == 1
        assert post.args["channel"] == "C0001"
        assert post.args.get("thread_ts") == "1700000200.000200"

        codes = await asyncio.gather(*(r.stop(timeout=15) for r in replicas))
        assert codes == [0, 0]
    finally:
        for replica in replicas:
            replica.kill()
        drop_pg_database(database)

    for replica in replicas:
        assert "Traceback" not in replica.output, replica.describe()
        assert_no_secrets(replica.output, *SECRETS)
