"""A running ``mlorg try`` in process (the real app and the stand-in) on free loopback ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox.runner import Sandbox
from tests.sandbox.driver import Driver


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    running = Sandbox(tmp_path / "try", port=0)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
def people(sandbox: Sandbox) -> Driver:
    return Driver(sandbox)
