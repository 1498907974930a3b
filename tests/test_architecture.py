"""Dependencies point inward: ``bot`` imports ``knowledge``, never the reverse.

``knowledge`` is the pure core (no Slack, no bot) so the terminal, the app and the
tests share it; these tests fail the moment anything in it reaches outward, and
check that its content files ship with the installed package.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
#: Top-level packages the knowledge core must never import.
FORBIDDEN = ("slack_bolt", "slack_sdk", "bot")


def _forbidden_imports(path: Path, root: Path = ROOT) -> list[str]:
    """``file:line: module`` for each import in ``path`` that reaches a forbidden package."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level > 1:
                # "from ..x import y" climbs out of the knowledge package.
                modules = ["." * node.level + (node.module or "")]
            elif node.level == 0 and node.module:
                modules = [node.module]
        elif isinstance(node, ast.Call) and _is_dynamic_import(node):
            argument = node.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                modules = [argument.value]
        for module in modules:
            if module.startswith("..") or module.split(".")[0] in FORBIDDEN:
                found.append(f"{path.relative_to(root)}:{node.lineno}: {module}")
    return found


def _is_dynamic_import(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    return name in {"import_module", "__import__"} and bool(node.args)


def _knowledge_sources() -> list[Path]:
    return sorted(KNOWLEDGE.rglob("*.py"))


def test_the_knowledge_package_has_sources_to_check() -> None:
    names = {p.name for p in _knowledge_sources()}
    assert {"__init__.py", "models.py", "loader.py", "lookup.py", "base.py", "explain.py"} <= names


@pytest.mark.parametrize("source", _knowledge_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_knowledge_module_imports_slack_or_bot(source: Path) -> None:
    assert _forbidden_imports(source) == []


def test_the_import_checker_catches_the_imports_it_guards_against(tmp_path: Path) -> None:
    # The static check above is only evidence if it can fail.
    bad = tmp_path / "bad.py"
    bad.write_text(
        textwrap.dedent(
            """\
            import slack_bolt
            import bot.settings as settings
            from slack_sdk.models.blocks import SectionBlock
            from bot import cli
            from ..bot import app
            import importlib
            importlib.import_module("slack_sdk")
            import pydantic
            from knowledge.models import Archetype
            from . import lookup
            """
        ),
        encoding="utf-8",
    )
    found = sorted(_forbidden_imports(bad, root=tmp_path), key=lambda entry: int(entry.split(":")[1]))
    modules = [entry.split(": ", 1)[1] for entry in found]
    assert modules == ["slack_bolt", "bot.settings", "slack_sdk.models.blocks", "bot", "..bot", "slack_sdk"]


def test_importing_all_of_knowledge_loads_no_slack_and_no_bot(tmp_path: Path) -> None:
    # A fresh interpreter, so nothing the test session imported can hide a leak.
    probe = textwrap.dedent(
        """\
        import importlib, json, pkgutil, sys
        import knowledge
        names = sorted(m.name for m in pkgutil.walk_packages(knowledge.__path__, "knowledge."))
        for name in names:
            importlib.import_module(name)
        kb = knowledge.load_knowledge()
        knowledge.render_card(knowledge.explain(kb, kb.find("rnd").topic))
        forbidden = ("slack_bolt", "slack_sdk", "bot")
        leaked = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
        print(json.dumps({"imported": names, "leaked": leaked}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    expected = {f"knowledge.{p.stem}" for p in KNOWLEDGE.glob("*.py") if p.stem != "__init__"}
    assert expected <= set(report["imported"])
    assert report["leaked"] == []


def test_the_knowledge_content_is_declared_as_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    assert any(fnmatch.fnmatch("knowledge", pattern) for pattern in setuptools["packages"]["find"]["include"])
    patterns = setuptools["package-data"]["knowledge"]
    assert "content/*.yaml" in patterns
    shipped = [p.relative_to(KNOWLEDGE).as_posix() for p in (KNOWLEDGE / "content").rglob("*")]
    content = [name for name in shipped if name.endswith((".yaml", ".yml"))]
    assert content, "no content files found"
    unshipped = [name for name in content if not any(fnmatch.fnmatch(name, p) for p in patterns)]
    assert unshipped == [], "content files that would be missing from a wheel"


def test_the_app_loads_numpy_and_bm25s_only_when_it_builds_the_answer_index(tmp_path: Path) -> None:
    """They are a quarter of start-up; the server builds the index beside its first requests."""
    probe = textwrap.dedent(
        """\
        import json, sys
        import bot.app, bot.cli, bot.serve
        from knowledge import Answerer, load_knowledge
        answerer = Answerer(load_knowledge())
        before = sorted(m for m in ("numpy", "bm25s") if m in sys.modules)
        answerer.warm()
        after = sorted(m for m in ("numpy", "bm25s") if m in sys.modules)
        print(json.dumps({"before": before, "after": after}))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {"before": [], "after": ["bm25s", "numpy"]}


def test_the_app_loads_matplotlib_only_when_it_draws_its_first_chart(tmp_path: Path) -> None:
    """Start-up and memory pay for the plotting library only once a chart is wanted."""
    probe = textwrap.dedent(
        """\
        import json, sys
        import bot.app, bot.cli, bot.serve
        from knowledge import load_knowledge, score
        from knowledge.charts import render_diagnosis
        before = "matplotlib" in sys.modules
        chart = render_diagnosis(score(load_knowledge(), {}))
        after = "matplotlib" in sys.modules
        print(json.dumps({"before": before, "after": after, "png": chart.png[:8].hex()}))
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {
        "before": False,
        "after": True,
        "png": "89504e470d0a1a0a",
    }
