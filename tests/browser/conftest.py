"""Browser tests of ``mlorg try``: one real ``mlorg try`` process and one Chromium per session.

Chromium is Debian's package (``/usr/bin/chromium``), driven by Playwright for Python;
no browser build is ever downloaded. Without it the tests skip on a developer's
machine and fail in CI (``CI`` set). Each test starts from a reset workspace and a
fresh database, works only by clicking and typing, saves a screenshot under
``tests/browser/screenshots/``, and fails if the page showed a rendering warning, a
"Slack would reject this" warning, or a console error.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.slack_page import SlackPage

CHROMIUM = os.environ.get("MLORG_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def _chromium_or_stop() -> str:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    message = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def mlorg_try(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real command, on a free port, with its own data directory."""
    _chromium_or_stop()
    data = tmp_path_factory.mktemp("mlorg-try")
    log = (data / "mlorg-try.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "try",
            "--no-browser",
            "--port",
            "0",
            "--data-dir",
            str(data / "data"),
        ],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("mlorg is running in a local workspace: "), line
    yield line.rsplit(" ", 1)[1].strip()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)
    log.close()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One Chromium for the package. Playwright's sync API keeps an event loop running in this
    thread while it is open, so it is closed before the asyncio tests of other packages run."""
    chromium = _chromium_or_stop()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        yield launched
        launched.close()


@pytest.fixture
def slack(browser: Any, mlorg_try: str, request: pytest.FixtureRequest) -> Iterator[SlackPage]:
    """A fresh workspace in a fresh browser context; checked for warnings and console errors after."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.request.post(f"{mlorg_try}/control/reset")
    slack_page = SlackPage(page, mlorg_try)
    slack_page.open()
    try:
        yield slack_page
    finally:
        SCREENSHOTS.mkdir(exist_ok=True)
        slack_page.settle()
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"))
        warnings = page.locator("[data-testid=render-warning], [data-testid=slack-warning]").all_inner_texts()
        context.close()
        failed = getattr(request.node, "rep_call", None)
        if failed is None or failed.passed:
            assert warnings == [], f"the page showed warnings: {warnings}"
            assert errors == [], f"the browser console showed errors: {errors}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
