"""``mlorg`` from a terminal, run as a real process.

Each run starts in an empty temporary directory, so the built-in content must come
from the installed package rather than the source tree, and with a clean
environment, so only what a test sets is configured. Expected failures end with a
readable message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest

RunMlorg = Callable[..., subprocess.CompletedProcess[str]]

ARCHETYPE_NAMES = (
    "Nascent / ad-hoc ML",
    "Research and development (R&D) ML",
    "Business and product embedded ML",
    "Independent ML division",
    "ML-first organization",
)
#: Settings the CLI reads; a developer's shell must not leak them into these runs.
_SETTING_PREFIXES = ("MLORG_", "SLACK_", "DATABASE_URL", "PORT")


def _clean_env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SETTING_PREFIXES)}
    env.update(overrides)
    return env


@pytest.fixture
def run_mlorg(tmp_path: Path) -> RunMlorg:
    workdir = tmp_path / "anywhere"
    workdir.mkdir()

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli", *args],
            cwd=workdir,
            env=_clean_env(**(env or {})),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run


def _assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


@pytest.fixture
def broken_overlay(tmp_path: Path) -> Path:
    overlay = tmp_path / "broken"
    overlay.mkdir()
    (overlay / "ours.yaml").write_text(
        "archetypes:\n"
        "  - id: rnd\n"
        "    aliases: [5]\n"
        "    challanges: [typo]\n"
        "  - id: embedded\n"
        "    related: [skunkworks]\n",
        encoding="utf-8",
    )
    return overlay


def test_python_dash_m_bot_cli_runs_the_same_command_line() -> None:
    # Tests, the sandbox runner and the e2e processes all start `python -m bot.cli ...`.
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "explain", "rnd"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2. Research and development (R&D) ML\n")


# --- explain -------------------------------------------------------------------------------------


def test_explain_rnd_shows_the_r_and_d_card(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("explain", "rnd")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2. Research and development (R&D) ML\n")
    for section in ("Strengths", "Challenges", "Typical organizations", "Position on the design dimensions"):
        assert section in result.stdout
    assert "quality data" in result.stdout
    assert result.stderr == ""


def test_explain_accepts_a_multi_word_topic_without_quotes(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("explain", "Research", "&", "Development")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2. Research and development (R&D) ML\n")


def test_explain_a_typo_says_what_it_shows(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("explain", "embeded")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("(showing Business and product embedded ML for 'embeded')")


def test_explain_without_a_topic_shows_the_overview(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("explain")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("The five ML organization archetypes")
    for name in ARCHETYPE_NAMES:
        assert name in result.stdout
    for dimension in ("Software engineering vs research", "Data ownership", "Model ownership"):
        assert dimension in result.stdout


def test_explain_an_unknown_topic_fails_with_a_hint_on_stderr(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("explain", "xyzzy")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "I don't know a topic called 'xyzzy'" in result.stderr
    assert "Try one of the archetypes" in result.stderr
    _assert_no_traceback(result)


def test_explain_an_ambiguous_topic_suggests_the_candidates(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("explain", "ownership")
    assert result.returncode == 1
    assert "Did you mean" in result.stderr
    assert "data_ownership" in result.stderr
    assert "model_ownership" in result.stderr
    _assert_no_traceback(result)


# --- compare -------------------------------------------------------------------------------------


def test_compare_two_archetypes_shows_both_side_by_side(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("compare", "rnd", "embedded")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Research and development (R&D) ML  vs  Business and product embedded ML")
    assert "R&D: strengths" in result.stdout
    assert "Product-embedded: challenges" in result.stdout


def test_compare_an_archetype_with_a_dimension_fails_kindly(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("compare", "rnd", "data")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "R&D is an archetype and Data is a dimension" in result.stderr
    assert "compare two archetypes, or two dimensions" in result.stderr
    _assert_no_traceback(result)


def test_compare_with_one_unknown_topic_names_it(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("compare", "rnd", "xyzzy")
    assert result.returncode == 1
    assert "'xyzzy'" in result.stderr
    _assert_no_traceback(result)


# --- knowledge check -----------------------------------------------------------------------------


def test_knowledge_check_passes_on_the_built_in_content(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("knowledge", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "OK: built-in content: 5 archetypes, 3 dimensions."


def test_knowledge_check_of_a_broken_directory_lists_every_problem(
    run_mlorg: RunMlorg, broken_overlay: Path
) -> None:
    result = run_mlorg("knowledge", "check", str(broken_overlay))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "2 problem(s) found:"
    assert lines[1].strip().startswith("ours.yaml: archetypes[0].aliases[0]: ")
    assert lines[2].strip().startswith("ours.yaml: archetypes[0].challanges: ")
    _assert_no_traceback(result)


def test_knowledge_check_of_a_missing_directory_says_so(run_mlorg: RunMlorg, tmp_path: Path) -> None:
    result = run_mlorg("knowledge", "check", str(tmp_path / "nowhere"))
    assert result.returncode == 1
    assert "not a directory" in result.stderr
    _assert_no_traceback(result)


def test_knowledge_check_of_a_valid_overlay_reports_what_it_loaded(
    run_mlorg: RunMlorg, tmp_path: Path
) -> None:
    overlay = tmp_path / "ours"
    overlay.mkdir()
    (overlay / "notes.yaml").write_text("archetypes:\n  - id: rnd\n    notes: [Ours.]\n", encoding="utf-8")
    result = run_mlorg("knowledge", "check", str(overlay))
    assert result.returncode == 0, result.stderr
    assert f"built-in content plus {overlay}" in result.stdout


# --- the program itself --------------------------------------------------------------------------


def test_version_prints_the_program_and_its_version(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"mlorg {version('mlorg')}"


def test_help_lists_every_command(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: mlorg")
    for command in ("explain", "compare", "ask", "knowledge", "serve"):
        assert command in result.stdout


def test_no_command_prints_the_help(run_mlorg: RunMlorg) -> None:
    result = run_mlorg()
    assert result.returncode == 0
    assert "explain" in result.stdout
    assert "serve" in result.stdout


def test_the_installed_console_script_runs() -> None:
    script = shutil.which("mlorg", path=str(Path(sys.executable).parent)) or shutil.which("mlorg")
    assert script is not None, "the mlorg console script is not installed"
    result = subprocess.run(
        [script, "explain", "3"], env=_clean_env(), capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("3. Business and product embedded ML\n")


# --- settings ------------------------------------------------------------------------------------


def test_a_broken_knowledge_overlay_stops_explain_with_one_clear_message(
    run_mlorg: RunMlorg, broken_overlay: Path
) -> None:
    result = run_mlorg("explain", "rnd", env={"MLORG_KNOWLEDGE_DIR": str(broken_overlay)})
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "mlorg: the knowledge content is invalid:"
    assert all(line.startswith("  ours.yaml: ") for line in lines[1:])
    assert len(lines) == 3
    _assert_no_traceback(result)


def test_a_knowledge_overlay_from_the_environment_is_applied(run_mlorg: RunMlorg, tmp_path: Path) -> None:
    overlay = tmp_path / "ours"
    overlay.mkdir()
    (overlay / "ours.yaml").write_text(
        "archetypes:\n  - id: rnd\n    name: Research lab ML\n    notes: [Our Zurich lab.]\n",
        encoding="utf-8",
    )
    result = run_mlorg("explain", "R&D", env={"MLORG_KNOWLEDGE_DIR": str(overlay)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("2. Research lab ML\n")
    assert "Our Zurich lab." in result.stdout


def test_a_malformed_port_is_one_line_naming_mlorg_port(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("explain", "rnd", env={"MLORG_PORT": "abc"})
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "MLORG_PORT" in lines[0]
    assert "abc" not in lines[0]
    _assert_no_traceback(result)


@pytest.mark.parametrize("value", ["0", "3651", "a month", "-1"])
def test_a_malformed_retention_is_one_line_naming_mlorg_retention_days(
    run_mlorg: RunMlorg, value: str
) -> None:
    result = run_mlorg("explain", "rnd", env={"MLORG_RETENTION_DAYS": value})
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "MLORG_RETENTION_DAYS" in line and "a whole number of days from 1 to 3650" in line
    _assert_no_traceback(result)


# --- diagnose ------------------------------------------------------------------------------------


def _run_with_input(run_mlorg_dir: Path, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "diagnose", *args],
        cwd=run_mlorg_dir,
        env=_clean_env(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_diagnose_in_the_terminal_asks_every_question_and_gives_the_result(tmp_path: Path) -> None:
    # Option 3 of the first question is "Inside product teams"; everything else "don't know" (last).
    from knowledge import load_knowledge

    kb = load_knowledge()
    replies = ["3"] + [str(len(q.options)) for q in kb.questions[1:]]
    result = _run_with_input(tmp_path, "\n".join(replies) + "\n")
    assert result.returncode == 0, result.stderr
    _assert_no_traceback(result)
    assert f"Question 1 of {len(kb.questions)}" in result.stdout
    assert f"Question {len(kb.questions)} of {len(kb.questions)}" in result.stdout
    assert "Closest to: Business and product embedded ML" in result.stdout
    assert "rough guess" in result.stdout
    assert "mlorg's own model" in result.stdout


def test_diagnose_in_the_terminal_goes_back_and_rejects_nonsense(tmp_path: Path) -> None:
    from knowledge import load_knowledge

    kb = load_knowledge()
    # Answer 1, go back, answer "In a research lab" (2), type garbage once, then research answers.
    replies = ["1", "b", "2", "banana"] + ["2"] * (len(kb.questions) - 1)
    result = _run_with_input(tmp_path, "\n".join(replies) + "\n")
    assert result.returncode == 0, result.stderr
    assert "Please type a number" in result.stdout
    assert result.stdout.count("Question 1 of") == 2
    assert "Closest to: Research and development (R&D) ML" in result.stdout


def test_diagnose_in_the_terminal_quits_cleanly_at_end_of_input(tmp_path: Path) -> None:
    result = _run_with_input(tmp_path, "1\n")
    assert result.returncode == 1
    assert "Cancelled" in result.stderr
    _assert_no_traceback(result)


def test_diagnose_with_answers_on_the_command_line(run_mlorg: RunMlorg) -> None:
    result = run_mlorg(
        "diagnose", "--answers", "where_ml_happens=own_division,leadership=senior_sponsor,bogus=x"
    )
    assert result.returncode == 0, result.stderr
    assert "Closest to: Independent ML division" in result.stdout


def test_ask_prints_the_headline_and_each_fact_with_its_topic(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("ask", "what goes wrong when ML sits in the R&D lab?")

    _assert_no_traceback(result)
    assert result.returncode == 0
    assert result.stdout.startswith("R&D: challenges")
    assert "[R&D] Getting hold of quality data is very difficult." in result.stdout


def test_ask_about_our_situation_suggests_the_diagnosis(run_mlorg: RunMlorg) -> None:
    result = run_mlorg(
        "ask", "our only ML person sits in finance and builds forecasts when she has time, what are we?"
    )

    assert result.returncode == 0
    assert "Nascent" in result.stdout.splitlines()[0]
    assert "mlorg diagnose" in result.stdout


def test_ask_a_follow_up_with_a_subject(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("ask", "--subject", "rnd", "how is that different from embedded?")

    assert result.returncode == 0
    assert "R&D vs Product-embedded" in result.stdout


def test_ask_something_the_framework_does_not_cover_says_so_and_exits_zero(run_mlorg: RunMlorg) -> None:
    result = run_mlorg("ask", "what's the weather")

    _assert_no_traceback(result)
    assert result.returncode == 0
    assert "doesn't cover that" in result.stdout and "[" not in result.stdout


# -- diagnose --chart -------------------------------------------------------------------------------


def test_diagnose_with_chart_writes_the_png_slack_shows(run_mlorg: RunMlorg, tmp_path: Path) -> None:
    from knowledge import load_knowledge, score
    from knowledge.charts import render_diagnosis

    answers = "where_ml_happens=product_teams,path_to_production=builders_run_them"
    target = tmp_path / "result.png"
    result = run_mlorg("diagnose", "--answers", answers, "--chart", str(target))
    assert result.returncode == 0, result.stderr
    assert f"Chart written to {target}" in result.stdout
    expected = render_diagnosis(score(load_knowledge(), dict(p.split("=") for p in answers.split(","))))
    assert target.read_bytes() == expected.png


def test_diagnose_names_an_unwritable_chart_before_asking_anything(
    run_mlorg: RunMlorg, tmp_path: Path
) -> None:
    result = run_mlorg("diagnose", "--chart", str(tmp_path / "missing" / "result.png"))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"mlorg: cannot write the chart to {tmp_path / 'missing' / 'result.png'}: "
        f"the folder {tmp_path / 'missing'} does not exist"
    )
    assert "Question 1" not in result.stdout
