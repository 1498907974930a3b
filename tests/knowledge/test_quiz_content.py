"""The quiz content: the shipped file is valid, and broken quiz entries name file and field.

A quiz question with no right option, or about a topic that does not exist, would
only surface as a confused player in a Slack thread; the loader catches it at
start-up instead and points the operator at the exact file and field.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from knowledge import (
    CONTENT_DIR,
    KnowledgeError,
    QuestionBank,
    QuizQuestion,
    check_knowledge,
    load_knowledge,
)

#: A valid question; cases below break one thing about it.
GOOD = """\
  - id: {qid}
    topic: {topic}
    prompt: Where does an independent ML division report?
    options:
      - {{id: leaders, text: "To senior leadership"}}
      - {{id: tech_lead, text: "{second}"}}
    answer: {answer}
    explanation: It reports directly to senior leadership.
"""


def entry(
    *,
    qid: str = "ours_one",
    topic: str = "independent",
    answer: str = "leaders",
    second: str = "To a tech lead",
) -> str:
    return GOOD.format(qid=qid, topic=topic, answer=answer, second=second)


def write_overlay(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def problems_of(overlay: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(overlay)
    problems = list(caught.value.problems)
    assert problems == check_knowledge(overlay)
    return problems


# --- The shipped file ----------------------------------------------------------------------------


def test_the_shipped_quiz_file_validates_on_its_own() -> None:
    document = yaml.safe_load((CONTENT_DIR / "quiz.yaml").read_text(encoding="utf-8"))
    assert set(document) == {"quiz"}
    questions = [QuizQuestion.model_validate(raw) for raw in document["quiz"]]
    assert len(questions) >= 30
    assert len({q.id for q in questions}) == len(questions)


def test_the_loaded_knowledge_base_exposes_the_authored_questions() -> None:
    kb = load_knowledge()
    assert kb.quiz
    first = kb.quiz[0]
    assert kb.quiz_question(first.id) is first
    assert kb.quiz_question("no_such_question") is None


# --- Broken entries name the file and the field ----------------------------------------------------

BROKEN = [
    pytest.param(
        "quiz:\n" + entry(answer="nowhere"),
        ["a.yaml: quiz[0].answer: 'nowhere' is not one of the question's options", "leaders, tech_lead"],
        id="answer-not-among-the-options",
    ),
    pytest.param(
        "quiz:\n" + entry(topic="skunkworks"),
        ["a.yaml: quiz[0].topic: unknown topic 'skunkworks'", "independent", "data_ownership"],
        id="unknown-topic",
    ),
    pytest.param(
        "quiz:\n" + entry(second="to SENIOR leadership!"),
        ["a.yaml: quiz[0].options[1].text", "reads the same as options[0]"],
        id="duplicate-option-text",
    ),
    pytest.param(
        "quiz:\n" + entry() + entry(),
        ["a.yaml: quiz[1].id: duplicate id 'ours_one' in this file"],
        id="duplicate-id-in-one-file",
    ),
    pytest.param(
        "quiz:\n" + entry().replace("id: tech_lead", "id: leaders"),
        ["a.yaml: quiz[0].options", "option id 'leaders' is used twice"],
        id="duplicate-option-id",
    ),
    pytest.param(
        "quiz:\n" + entry().replace("id: tech_lead", "id: a_very_long_option_identifier"),
        ["a.yaml: quiz[0].options[1].id"],
        id="option-id-too-long-for-a-button-value",
    ),
    pytest.param(
        "quiz:\n" + entry(second="x" * 76),
        ["a.yaml: quiz[0].options[1].text", "75"],
        id="option-text-too-long-for-a-button",
    ),
    pytest.param(
        "quiz:\n" + entry().replace("Where does an independent ML division report?", "y" * 301),
        ["a.yaml: quiz[0].prompt", "300"],
        id="prompt-too-long",
    ),
    pytest.param(
        "quiz:\n" + entry().replace('      - {id: tech_lead, text: "To a tech lead"}\n', ""),
        ["a.yaml: quiz[0].options", "at least 2"],
        id="a-single-option",
    ),
    pytest.param(
        "quiz:\n" + entry() + "    difficulty: brutal\n",
        ["a.yaml: quiz[0].difficulty"],
        id="unknown-difficulty",
    ),
    pytest.param(
        "quiz:\n" + entry() + "    hint: no such field\n",
        ["a.yaml: quiz[0].hint", "not permitted"],
        id="unknown-field",
    ),
    pytest.param(
        "quiz:\n  - id: ours_one\n    topic: rnd\n",
        [
            "a.yaml: quiz[0].prompt",
            "a.yaml: quiz[0].options",
            "a.yaml: quiz[0].answer",
            "a.yaml: quiz[0].explanation",
        ],
        id="missing-fields",
    ),
]


@pytest.mark.parametrize(("yaml_text", "expected"), BROKEN)
def test_a_broken_quiz_entry_names_the_file_and_the_field(
    tmp_path: Path, yaml_text: str, expected: list[str]
) -> None:
    report = "\n".join(problems_of(write_overlay(tmp_path / "overlay", {"a.yaml": yaml_text})))
    for fragment in expected:
        assert fragment in report, f"{fragment!r} not in:\n{report}"


def test_every_quiz_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    text = "quiz:\n" + entry(answer="nowhere") + entry(qid="ours_two", topic="skunkworks")
    problems = problems_of(write_overlay(tmp_path / "overlay", {"a.yaml": text}))
    assert any(p.startswith("a.yaml: quiz[0].answer: ") for p in problems)
    assert any(p.startswith("a.yaml: quiz[1].topic: ") for p in problems)


def test_two_base_files_defining_one_question_id_clash(tmp_path: Path) -> None:
    base = write_overlay(
        tmp_path / "base",
        {
            "archetypes.yaml": (CONTENT_DIR / "archetypes.yaml").read_text(encoding="utf-8"),
            "dimensions.yaml": (CONTENT_DIR / "dimensions.yaml").read_text(encoding="utf-8"),
            "quiz_a.yaml": "quiz:\n" + entry(),
            "quiz_b.yaml": "quiz:\n" + entry(),
        },
    )
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(base=base)
    assert any(
        p.startswith("quiz_b.yaml: quiz[0].id: id 'ours_one' is already defined in quiz_a.yaml: quiz[0]")
        for p in caught.value.problems
    )


def test_an_overlay_that_changes_the_options_of_a_built_in_question_must_keep_its_answer_valid(
    tmp_path: Path,
) -> None:
    overlay = write_overlay(
        tmp_path / "overlay",
        {
            "ours.yaml": """\
                quiz:
                  - id: rnd_where_ml_sits
                    options:
                      - {id: lab, text: "In our research lab"}
                      - {id: product, text: "In product teams"}
                """
        },
    )
    problems = problems_of(overlay)
    assert any(p.startswith("ours.yaml: quiz[0].answer: 'rnd_arm' is not one of") for p in problems)


# --- Valid overlays ------------------------------------------------------------------------------


def test_an_overlay_adds_a_question_that_a_quiz_about_its_topic_can_ask(tmp_path: Path) -> None:
    overlay = write_overlay(tmp_path / "overlay", {"ours.yaml": "quiz:\n" + entry()})
    kb = load_knowledge(overlay)
    bank = QuestionBank(kb)
    item = bank.by_id("ours_one")
    assert item is not None
    assert item.source == "authored"
    assert item.topic == "independent"
    asked = {i.id for seed in range(40) for i in bank.select(20, "independent ml division", seed=seed).items}
    assert "ours_one" in asked


def test_an_overlay_rewords_a_built_in_question_by_id(tmp_path: Path) -> None:
    overlay = write_overlay(
        tmp_path / "overlay",
        {
            "ours.yaml": (
                "quiz:\n  - id: rnd_where_ml_sits\n    prompt: Where does our research lab's ML live?\n"
            )
        },
    )
    kb = load_knowledge(overlay)
    question = kb.quiz_question("rnd_where_ml_sits")
    assert question is not None
    assert question.prompt == "Where does our research lab's ML live?"
    assert question.answer == "rnd_arm"
    assert len(kb.quiz) == len(load_knowledge().quiz)
