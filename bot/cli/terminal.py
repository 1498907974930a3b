"""The commands that need no Slack and no database: the knowledge base in a terminal.

``explain``, ``compare``, ``ask``, ``diagnose`` and ``knowledge check`` print plain text;
an expected miss (an unknown topic) is one line on stderr and exit code 1.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bot.settings import load_settings
from knowledge import (
    Answer,
    Answerer,
    Archetype,
    KnowledgeBase,
    check_knowledge,
    compare,
    explain,
    load_knowledge,
    overview,
    render_card,
    render_comparison,
    render_diagnosis,
    render_miss,
    render_overview,
    score,
)
from knowledge.charts import render_diagnosis as render_diagnosis_chart

__all__ = ["ask", "check", "compare_topics", "diagnose", "explain_topic", "knowledge", "render_answer"]


def knowledge() -> KnowledgeBase:
    return load_knowledge(load_settings().mlorg_knowledge_dir)


def explain_topic(kb: KnowledgeBase, topic: str) -> int:
    if not topic.strip():
        print(render_overview(overview(kb)))
        return 0
    lookup = kb.find(topic)
    if lookup.topic is None:
        print(render_miss(lookup), file=sys.stderr)
        return 1
    if lookup.corrected:
        print(f"(showing {lookup.topic.name} for '{topic}')\n")
    print(render_card(explain(kb, lookup.topic)))
    return 0


def compare_topics(kb: KnowledgeBase, text: str) -> int:
    left, right = kb.find_pair(text)
    for side in (left, right):
        if side.topic is None:
            message = render_miss(side) if side.query else "Name two topics, e.g. 'rnd independent'."
            print(message, file=sys.stderr)
            return 1
    assert left.topic is not None and right.topic is not None
    try:
        print(render_comparison(compare(kb, left.topic, right.topic)))
    except ValueError:
        print(
            f"{left.topic.short_name} is {_kind(left.topic)} and {right.topic.short_name} is "
            f"{_kind(right.topic)}: compare two archetypes, or two dimensions.",
            file=sys.stderr,
        )
        return 1
    return 0


def ask(kb: KnowledgeBase, question: str, subject: str | None) -> int:
    """Print the answer; a question the framework does not answer is still a clean exit 0."""
    print(render_answer(Answerer(kb).answer(question, subject=subject)))
    return 0


def render_answer(result: Answer) -> str:
    """The answer as plain text: headline, each fact with its topic, and the diagnose hint."""
    if not result.answered:
        lines = [
            "The framework doesn't cover that.",
            "Ask about the five ML organization archetypes or the three team-design dimensions,",
            'e.g. mlorg ask "what goes wrong when ML sits in the R&D lab?"',
        ]
    else:
        lines = [result.headline, ""]
        for fact in result.facts:
            whose = (
                f"mlorg's advice for {fact.topic.short_name}"
                if fact.aspect == "next_steps"
                else fact.topic.short_name
            )
            lines.append(f"  - [{whose}] {fact.text}")
        if result.declined:
            lines += ["", f"The framework doesn't cover: {result.declined}"]
    if result.suggest_diagnose:
        lines += ["", "For a fuller picture of your team, run: mlorg diagnose"]
    return "\n".join(lines)


def _kind(topic: object) -> str:
    return "an archetype" if isinstance(topic, Archetype) else "a dimension"


def diagnose(kb: KnowledgeBase, given: str | None, *, chart: Path | None = None) -> int:
    """The Slack questionnaire in a terminal: number to answer, b to go back, q to quit.

    With ``chart``, the result is also drawn as the PNG Slack shows; where it cannot be
    written is said before any question is asked, not after the last one.
    """
    if not kb.questions:
        print("No questionnaire is loaded.", file=sys.stderr)
        return 1
    if chart is not None and (problem := _unwritable(chart)):
        print(f"mlorg: cannot write the chart to {chart}: {problem}", file=sys.stderr)
        return 2
    if given is not None:
        answers = dict(pair.split("=", 1) for pair in given.split(",") if "=" in pair)
        return _result(kb, answers, chart)
    answers = {}
    step = 0
    total = len(kb.questions)
    print("mlorg diagnosis: which ML organization archetype are you closest to?")
    print("Answer with a number; 'b' goes back, 'q' quits.\n")
    while step < total:
        question = kb.questions[step]
        print(f"Question {step + 1} of {total}: {question.prompt}")
        if question.help:
            print(f"  ({question.help})")
        for number, option in enumerate(question.options, start=1):
            print(f"  {number}. {option.label}")
        try:
            reply = input("> ").strip().lower()
        except EOFError:
            print("\nCancelled.", file=sys.stderr)
            return 1
        if reply == "q":
            print("Cancelled.", file=sys.stderr)
            return 1
        if reply == "b":
            step = max(0, step - 1)
            continue
        if reply.isdigit() and 1 <= int(reply) <= len(question.options):
            answers[question.id] = question.options[int(reply) - 1].id
            step += 1
            print()
            continue
        print(f"Please type a number from 1 to {len(question.options)}, 'b' or 'q'.\n")
    return _result(kb, answers, chart)


def _result(kb: KnowledgeBase, answers: dict[str, str], chart: Path | None) -> int:
    diagnosis = score(kb, answers)
    print(render_diagnosis(diagnosis))
    if chart is not None:
        chart.write_bytes(render_diagnosis_chart(diagnosis).png)
        print(f"\nChart written to {chart}")
    return 0


def _unwritable(path: Path) -> str | None:
    """Why a chart could not be written at ``path``, or None."""
    if path.is_dir():
        return "it is a directory; name a file, e.g. result.png"
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return f"the folder {parent} does not exist"
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return "permission denied"
    return None


def check(directory: Path | None) -> int:
    problems = check_knowledge(directory)
    if problems:
        print(f"{len(problems)} problem(s) found:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    kb = load_knowledge(directory)
    where = f"built-in content plus {directory}" if directory else "built-in content"
    print(f"OK: {where}: {len(kb.archetypes)} archetypes, {len(kb.dimensions)} dimensions.")
    return 0
