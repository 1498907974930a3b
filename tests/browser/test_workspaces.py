"""Two workspaces in the browser: the Workspace menu switches, and each keeps its own channels.

The app is the bare distributed Bolt app of ``tests/sandbox/bolt_oauth_app.py`` (installed
in both workspaces through OAuth at start-up), so this checks the page itself, whatever
mlorg's OAuth mode does; with mlorg the menu is the same.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def two_workspaces(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("two-workspaces")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.sandbox.bolt_oauth_app", str(data)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("running: http://127.0.0.1:"), line
    yield line.split(" ", 1)[1].strip()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)


def test_the_workspace_menu_switches_and_each_workspace_keeps_its_messages(
    browser: Any, two_workspaces: str
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{two_workspaces}/?user=U0MIA&conv=C0GENERAL")
        expect(page.locator(".team")).to_have_text("Acme ML (sandbox)")
        expect(page.get_by_test_id("install-status")).to_contain_text("installed through OAuth by Ada Admin")

        page.get_by_test_id("workspace-switcher").select_option(label="Globex Research (sandbox)")
        expect(page).to_have_url(f"{two_workspaces}/w/T0GLOBEX/?user=U0MIA")
        expect(page.locator(".team")).to_have_text("Globex Research (sandbox)")
        expect(page.locator("body")).to_have_attribute("data-user", "U0MIA")  # still Mia

        box = page.get_by_test_id("composer-input")
        box.fill("/mlorg help")
        box.press("Enter")
        expect(page.get_by_test_id("messages")).to_contain_text("hello from T0GLOBEX")

        page.get_by_test_id("workspace-switcher").select_option(label="Acme ML (sandbox)")
        expect(page.locator(".team")).to_have_text("Acme ML (sandbox)")
        expect(page.get_by_test_id("messages")).to_contain_text("No messages yet")
        expect(page.get_by_test_id("messages")).not_to_contain_text("hello from")
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "test_the_workspace_menu_switches.png"))
        assert page.locator("[data-testid=render-warning], [data-testid=slack-warning]").count() == 0
        assert errors == [], f"the browser console showed errors: {errors}"
    finally:
        context.close()
