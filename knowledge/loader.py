"""Read, merge and validate content files into one :class:`KnowledgeBase`.

Content is parsed and validated once, at start-up: a request never touches YAML.
The built-in files ship inside the package; an optional overlay directory
(``MLORG_KNOWLEDGE_DIR``) extends them with new topics or overrides fields of
existing ones by id, so an organization can rename things or add its own notes
without forking the project. Every problem names the file and the field path,
because the person fixing it is an operator with an editor, not a debugger.

The diagnosis questionnaire (``questions``) is checked against the framework it
scores: its weights must name real archetypes and its positions real dimensions,
and no question may be dead weight, so a content edit cannot quietly break a
diagnosis. The quiz bank (``quiz``) is checked the same way: each answer must be
one of its question's options, each topic a real archetype or dimension, and no
two options of a question may read the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.base import KnowledgeBase
from knowledge.errors import KnowledgeError
from knowledge.lookup import normalize
from knowledge.models import Archetype, Dimension, Question, QuizQuestion

__all__ = ["CONTENT_DIR", "check_knowledge", "load_knowledge"]

#: libyaml's safe loader parses the content ten times faster than the pure-Python one (a
#: tenth of a second at every start); the pure-Python one is the fallback where libyaml is absent.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Where the built-in content lives, inside the installed package.
CONTENT_DIR = Path(__file__).resolve().parent / "content"

#: Top-level keys a content file may have, and the model each entry must satisfy.
SECTIONS: dict[str, type[BaseModel]] = {
    "archetypes": Archetype,
    "dimensions": Dimension,
    "questions": Question,
    "quiz": QuizQuestion,
}

#: How many scored questions a diagnosis has: enough to place a team, few enough to finish.
MIN_SCORED_QUESTIONS = 6
MAX_SCORED_QUESTIONS = 10


@dataclass
class _Entry:
    """One entry as read from YAML, before validation, with where it came from."""

    raw: dict[str, Any]
    where: str  # e.g. "archetypes.yaml: archetypes[2]"


@dataclass
class _Collected:
    sections: dict[str, dict[str, _Entry]] = field(default_factory=lambda: {name: {} for name in SECTIONS})
    problems: list[str] = field(default_factory=list)


def load_knowledge(overlay: Path | str | None = None, *, base: Path | str = CONTENT_DIR) -> KnowledgeBase:
    """Load the built-in content, apply ``overlay`` if given, and validate everything.

    Raises :class:`KnowledgeError` listing every problem found.
    """
    collected = _Collected()
    _read_directory(Path(base), collected, overlay=False)
    if overlay is not None:
        overlay_dir = Path(overlay)
        if not overlay_dir.is_dir():
            collected.problems.append(f"{overlay_dir}: not a directory of YAML content files")
        else:
            _read_directory(overlay_dir, collected, overlay=True)
    if collected.problems:
        raise KnowledgeError(collected.problems)
    return _validate(collected)


def check_knowledge(overlay: Path | str | None = None) -> list[str]:
    """Every problem in the built-in content plus ``overlay``; empty when it is valid."""
    try:
        load_knowledge(overlay)
    except KnowledgeError as error:
        return list(error.problems)
    return []


def _read_directory(directory: Path, collected: _Collected, *, overlay: bool) -> None:
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
    if overlay and not files:
        collected.problems.append(f"{directory}: no .yaml files found")
    for path in files:
        _read_file(path, collected, overlay=overlay)


def _read_file(path: Path, collected: _Collected, *, overlay: bool) -> None:
    name = path.name
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
        collected.problems.append(f"{name}: {where}: YAML syntax error: {error.problem}")
        return
    except (yaml.YAMLError, OSError, UnicodeDecodeError) as error:
        collected.problems.append(f"{name}: cannot be read: {error}")
        return
    if document is None:
        return  # an empty overlay file is harmless
    if not isinstance(document, Mapping):
        collected.problems.append(
            f"{name}: expected a mapping with keys {', '.join(SECTIONS)}, got {_kind(document)}"
        )
        return
    for section, entries in document.items():
        if section not in SECTIONS:
            collected.problems.append(
                f"{name}: {section}: unknown section (expected one of: {', '.join(SECTIONS)})"
            )
            continue
        if not isinstance(entries, list):
            collected.problems.append(f"{name}: {section}: expected a list, got {_kind(entries)}")
            continue
        _collect_entries(name, section, entries, collected, overlay=overlay)


def _collect_entries(
    name: str, section: str, entries: list[Any], collected: _Collected, *, overlay: bool
) -> None:
    known = collected.sections[section]
    seen_here: set[str] = set()
    for index, raw in enumerate(entries):
        where = f"{name}: {section}[{index}]"
        if not isinstance(raw, Mapping):
            collected.problems.append(f"{where}: expected a mapping, got {_kind(raw)}")
            continue
        topic_id = raw.get("id")
        if not isinstance(topic_id, str) or not topic_id:
            collected.problems.append(f"{where}.id: Field required (a lower-case slug such as 'rnd')")
            continue
        if topic_id in seen_here:
            collected.problems.append(f"{where}.id: duplicate id {topic_id!r} in this file")
            continue
        seen_here.add(topic_id)
        if topic_id in known and not overlay:
            collected.problems.append(
                f"{where}.id: id {topic_id!r} is already defined in {known[topic_id].where}"
            )
            continue
        if topic_id in known:
            known[topic_id] = _Entry(_merge(known[topic_id].raw, dict(raw)), where)
        else:
            known[topic_id] = _Entry(dict(raw), where)


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Field-level override; mappings (such as ``positions``) merge one level deep."""
    merged = dict(base)
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _validate(collected: _Collected) -> KnowledgeBase:
    problems: list[str] = []
    models: dict[str, list[tuple[BaseModel, str]]] = {name: [] for name in SECTIONS}
    for section, entries in collected.sections.items():
        model = SECTIONS[section]
        for entry in entries.values():
            try:
                models[section].append((model.model_validate(entry.raw), entry.where))
            except ValidationError as error:
                problems.extend(_describe(entry.where, error))
    archetypes = [(m, w) for m, w in models["archetypes"] if isinstance(m, Archetype)]
    dimensions = [(m, w) for m, w in models["dimensions"] if isinstance(m, Dimension)]
    questions = [(m, w) for m, w in models["questions"] if isinstance(m, Question)]
    quiz = [(m, w) for m, w in models["quiz"] if isinstance(m, QuizQuestion)]
    if not problems:
        problems.extend(_cross_reference(archetypes, dimensions))
        problems.extend(_check_questions(questions, archetypes, dimensions))
        problems.extend(_check_quiz(quiz, archetypes, dimensions))
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(
        archetypes=tuple(sorted((a for a, _ in archetypes), key=lambda a: a.number)),
        dimensions=tuple(d for d, _ in dimensions),
        questions=tuple(q for q, _ in questions if q.purpose == "score"),
        role_question=next((q for q, _ in questions if q.purpose == "role"), None),
        quiz=tuple(q for q, _ in quiz),
    )


def _cross_reference(
    archetypes: list[tuple[Archetype, str]], dimensions: list[tuple[Dimension, str]]
) -> list[str]:
    """Problems no single entry can see: clashes and dangling references."""
    problems: list[str] = []
    if not archetypes:
        problems.append("archetypes: at least one archetype is required")
    if not dimensions:
        problems.append("dimensions: at least one dimension is required")
    archetype_ids = {a.id for a, _ in archetypes}
    dimension_ids = {d.id for d, _ in dimensions}
    for clash in sorted(archetype_ids & dimension_ids):
        problems.append(f"id {clash!r} is used by both an archetype and a dimension")

    numbers: dict[int, str] = {}
    for archetype, where in archetypes:
        if archetype.number in numbers:
            problems.append(
                f"{where}.number: {archetype.number} is already used by {numbers[archetype.number]!r}"
            )
        numbers.setdefault(archetype.number, archetype.id)
        for dimension_id in archetype.positions:
            if dimension_id not in dimension_ids:
                problems.append(
                    f"{where}.positions.{dimension_id}: unknown dimension "
                    f"(known: {', '.join(sorted(dimension_ids))})"
                )
        for index, related in enumerate(archetype.related):
            if related not in archetype_ids | dimension_ids:
                problems.append(f"{where}.related[{index}]: unknown topic {related!r}")

    # Lookup answers to an archetype's number ("2", "type 2"), so numbers are claimed names too.
    claimed: dict[str, str] = {str(number): owner for number, owner in numbers.items()}
    topics: list[tuple[Archetype | Dimension, str]] = [*archetypes, *dimensions]
    for topic, where in topics:
        names = [("id", topic.id), ("name", topic.name), ("short_name", topic.short_name)]
        names += [(f"aliases[{i}]", alias) for i, alias in enumerate(topic.aliases)]
        for field_path, text in names:
            key = normalize(text)
            if not key:
                problems.append(f"{where}.{field_path}: {text!r} has no letters or digits to look up by")
                continue
            owner = claimed.setdefault(key, topic.id)
            if owner != topic.id:
                problems.append(f"{where}.{field_path}: {text!r} is already claimed by {owner!r}")
    return problems


def _check_questions(
    questions: list[tuple[Question, str]],
    archetypes: list[tuple[Archetype, str]],
    dimensions: list[tuple[Dimension, str]],
) -> list[str]:
    """Problems that make the questionnaire unable to score against this framework."""
    if not questions:
        return []  # a content set without a diagnosis is valid; the diagnosis is then unavailable
    problems: list[str] = []
    archetype_ids = {a.id for a, _ in archetypes}
    dimension_ids = {d.id for d, _ in dimensions}
    role_question_at: str | None = None
    scored: list[str] = []
    for question, where in questions:
        for index, option in enumerate(question.options):
            at = f"{where}.options[{index}]"
            for archetype_id in option.weights:
                if archetype_id not in archetype_ids:
                    problems.append(
                        f"{at}.weights.{archetype_id}: unknown archetype "
                        f"(known: {', '.join(sorted(archetype_ids))})"
                    )
            for dimension_id in option.positions:
                if dimension_id not in dimension_ids:
                    problems.append(
                        f"{at}.positions.{dimension_id}: unknown dimension "
                        f"(known: {', '.join(sorted(dimension_ids))})"
                    )
            if option.dont_know and (any(option.weights.values()) or option.positions):
                problems.append(
                    f"{at}: a 'don't know' option must carry no weights and no positions, "
                    "so not knowing never moves the result"
                )
            if option.role is not None and question.purpose != "role":
                problems.append(f"{at}.role: only the role question (purpose: role) may set a role")
            if question.purpose == "role" and (option.weights or option.positions):
                problems.append(
                    f"{at}: options of the role question carry no weights or positions; "
                    "the role sorts answers, it does not score them"
                )
        if question.purpose == "role":
            if role_question_at is not None:
                problems.append(
                    f"{where}.purpose: only one role question is allowed; {role_question_at} is already one"
                )
            role_question_at = role_question_at or where
            roles = {o.role for o in question.options}
            for role in ("leader", "contributor"):
                if role not in roles:
                    problems.append(f"{where}.options: the role question needs an option with role: {role}")
            continue
        scored.append(where)
        if not any(weight > 0 for o in question.options for weight in o.weights.values()):
            problems.append(
                f"{where}.options: dead question: no option gives any archetype a weight above 0, "
                "so its answers could never change a result"
            )
        dont_knows = sum(o.dont_know for o in question.options)
        if dont_knows != 1:
            problems.append(
                f"{where}.options: needs exactly one honest don't-know option "
                f"(dont_know: true), found {dont_knows}"
            )
    if not MIN_SCORED_QUESTIONS <= len(scored) <= MAX_SCORED_QUESTIONS:
        files = sorted({where.split(":", 1)[0] for where in scored}) or ["no file"]
        problems.append(
            f"questions: the diagnosis needs {MIN_SCORED_QUESTIONS} to {MAX_SCORED_QUESTIONS} scored "
            f"questions, found {len(scored)} (defined in {', '.join(files)})"
        )
    return problems


def _check_quiz(
    quiz: list[tuple[QuizQuestion, str]],
    archetypes: list[tuple[Archetype, str]],
    dimensions: list[tuple[Dimension, str]],
) -> list[str]:
    """Problems that would make a quiz question unanswerable, unfair, or about nothing.

    Ids are already unique across the bank: two base files defining one id clash, and an
    overlay entry with a known id overrides that question field by field, which is exactly
    why the answer is re-checked against the options here.
    """
    problems: list[str] = []
    topic_ids = sorted({a.id for a, _ in archetypes} | {d.id for d, _ in dimensions})
    for question, where in quiz:
        option_ids = [o.id for o in question.options]
        if question.answer not in option_ids:
            problems.append(
                f"{where}.answer: {question.answer!r} is not one of the question's options "
                f"(option ids: {', '.join(option_ids)})"
            )
        if question.topic not in topic_ids:
            problems.append(
                f"{where}.topic: unknown topic {question.topic!r} "
                f"(an archetype or dimension id: {', '.join(topic_ids)})"
            )
        first_with: dict[str, int] = {}
        for index, option in enumerate(question.options):
            key = normalize(option.text)
            if key in first_with:
                problems.append(
                    f"{where}.options[{index}].text: {option.text!r} reads the same as "
                    f"options[{first_with[key]}]; each option needs its own text"
                )
            first_with.setdefault(key, index)
    return problems


def _describe(where: str, error: ValidationError) -> list[str]:
    described = []
    for detail in error.errors():
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in detail["loc"])
        described.append(f"{where}{path}: {detail['msg']}")
    return described


def _kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "text" if isinstance(value, str) else type(value).__name__
