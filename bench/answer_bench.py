"""Micro-benchmark of answering: cost per question on the built-in content and on a big overlay.

Run it as a plain script (``python bench/answer_bench.py``); it asserts nothing and
prints median and p99 milliseconds per question. The questions are the ones in
``tests/knowledge/questions.yaml``; the big case adds a synthetic overlay of
archetype-like topics so the content is about ten times the built-in size, to show
that the index (built once) keeps the per-question cost flat as content grows.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from knowledge import Answerer, KnowledgeBase, load_knowledge

ROOT = Path(__file__).resolve().parents[1]
_WORDS = [
    "data",
    "pipelines",
    "models",
    "production",
    "research",
    "engineers",
    "leadership",
    "budget",
    "talent",
    "hiring",
    "feedback",
    "product",
    "teams",
    "platform",
    "governance",
    "compute",
    "tooling",
    "culture",
    "handoff",
    "users",
    "deployment",
    "analytics",
    "retail",
    "healthcare",
    "telecoms",
    "insurance",
    "logistics",
    "startups",
    "agencies",
    "public",
    "sector",
    "manufacturing",
]


def synthetic_overlay(directory: Path, topics: int, seed: int = 7) -> Path:
    """``topics`` extra archetypes with random but plausible facts, written as one overlay file."""
    rng = random.Random(seed)

    def sentence() -> str:
        return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."

    archetypes = [
        {
            "id": f"synthetic_{n:02d}",
            "number": 6 + n,
            "name": f"Synthetic archetype {n}",
            "short_name": f"Synthetic {n}",
            "summary": sentence(),
            "looks_like": [sentence() for _ in range(2)],
            "strengths": [sentence() for _ in range(3)],
            "challenges": [sentence() for _ in range(3)],
            "typical_organizations": [sentence() for _ in range(2)],
        }
        for n in range(topics)
    ]
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "synthetic.yaml").write_text(yaml.safe_dump({"archetypes": archetypes}), encoding="utf-8")
    return directory


def measure(kb: KnowledgeBase, questions: list[tuple[str, str | None]], rounds: int) -> dict[str, float]:
    started = time.perf_counter()
    answerer = Answerer(kb)
    build_ms = (time.perf_counter() - started) * 1000
    for question, subject in questions:  # warm-up: caches, first numpy calls
        answerer.answer(question, subject=subject)
    samples: list[float] = []
    for _ in range(rounds):
        for question, subject in questions:
            t0 = time.perf_counter()
            answerer.answer(question, subject=subject)
            samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "passages": float(len(answerer.index.facts)),
        "build_ms": build_ms,
        "median_ms": statistics.median(samples),
        "p99_ms": samples[min(len(samples) - 1, int(len(samples) * 0.99))],
        "samples": float(len(samples)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20, help="passes over the question set (default 20)")
    args = parser.parse_args()
    cases = yaml.safe_load((ROOT / "tests/knowledge/questions.yaml").read_text(encoding="utf-8"))["questions"]
    questions = [(c["q"], c.get("subject")) for c in cases]
    questions += [("which archetype has the best data access " * 250, None), ("\x00" * 10_000, None)]
    builtin = load_knowledge()
    rows = {"built-in": measure(builtin, questions, args.rounds)}
    with tempfile.TemporaryDirectory() as tmp:
        extra = 9 * len(builtin.topics)  # built-in + 9x as much again = ten times the size
        rows["overlay x10"] = measure(
            load_knowledge(synthetic_overlay(Path(tmp), extra)), questions, args.rounds
        )
    print(f"{'content':<12} {'passages':>9} {'build ms':>9} {'median ms':>10} {'p99 ms':>8} {'samples':>8}")
    for name, row in rows.items():
        print(
            f"{name:<12} {row['passages']:>9.0f} {row['build_ms']:>9.1f} {row['median_ms']:>10.3f} "
            f"{row['p99_ms']:>8.3f} {row['samples']:>8.0f}"
        )


if __name__ == "__main__":
    main()
