"""Micro-benchmark of the knowledge core: start-up load and per-lookup cost.

Run it as a plain script (``python bench/knowledge_bench.py``); it asserts nothing
and prints a small table. The figures answer two questions from DESIGN.md: what
parsing and validating the content once at start-up costs (cold, in a fresh
process, imports included), and what one lookup costs per request (exact name,
alias, typo, miss, and the pair splitter used by ``compare``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass

#: Run in a fresh interpreter: ``t0`` is taken before any import of ours, so the
#: reported import time includes pydantic, yaml and the package itself.
_COLD_PROBE = """\
import time
t0 = time.perf_counter()
from knowledge import load_knowledge
t1 = time.perf_counter()
kb = load_knowledge()
t2 = time.perf_counter()
kb.find("rnd")
t3 = time.perf_counter()
import json
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "first_lookup": t3 - t2}))
"""


@dataclass(frozen=True)
class ColdStart:
    process_ms: float  # wall time of the whole child process, interpreter start to exit
    bare_python_ms: float  # the same for `python -c pass`, the floor no package can beat
    import_ms: float
    load_ms: float
    first_lookup_ms: float


def _wall_ms(argv: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, check=True)
    return (time.perf_counter() - started) * 1000, result.stdout


def cold_start(runs: int) -> ColdStart:
    process, bare, imports, loads, firsts = [], [], [], [], []
    for _ in range(runs):
        wall, out = _wall_ms([sys.executable, "-c", _COLD_PROBE])
        inner = json.loads(out)
        process.append(wall)
        imports.append(inner["import"] * 1000)
        loads.append(inner["load"] * 1000)
        firsts.append(inner["first_lookup"] * 1000)
        bare.append(_wall_ms([sys.executable, "-c", "pass"])[0])
    median = statistics.median
    return ColdStart(median(process), median(bare), median(imports), median(loads), median(firsts))


def warm_load_ms(runs: int) -> float:
    """``load_knowledge()`` in this process, after imports: parse + validate + index only."""
    from knowledge import load_knowledge

    load_knowledge()  # warm the import caches and the file cache
    timings = timeit.repeat(load_knowledge, number=1, repeat=runs)
    return statistics.median(timings) * 1000


def per_call_us(call: Callable[[], object], repeat: int = 5) -> float:
    """Median microseconds per call; ``autorange`` picks a loop count worth ~0.2 s."""
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def lookups() -> list[tuple[str, str, float, str]]:
    from knowledge import load_knowledge

    kb = load_knowledge()
    cases: list[tuple[str, str, Callable[[], object], Callable[[], str]]] = []
    for kind, query in [
        ("exact", "rnd"),
        ("alias", "Research & Development"),
        ("number", "type 3"),
        ("prefix", "indep div"),
        ("typo", "indepndent"),
        ("ambiguous", "ownership"),
        ("miss", "xyzzy"),
        ("miss (120+ chars)", "lorem ipsum dolor sit amet " * 10),
    ]:
        cases.append((kind, query, lambda q=query: kb.find(q), lambda q=query: _describe(kb.find(q))))
    for kind, text in [
        ("pair, separator", "rnd vs independent"),
        ("pair, no separator", "product embedded r&d"),
        ("pair, miss", "xyzzy plugh"),
        ("pair, long garbage", "x " * 200),
    ]:
        cases.append(
            (
                kind,
                text,
                lambda t=text: kb.find_pair(t),
                lambda t=text: " + ".join(_describe(side) for side in kb.find_pair(t)),
            )
        )
    return [(kind, query, per_call_us(call), describe()) for kind, query, call, describe in cases]


def _describe(lookup: object) -> str:
    from knowledge import Lookup

    assert isinstance(lookup, Lookup)
    if lookup.topic is not None:
        return lookup.topic.id + (" (corrected)" if lookup.corrected else "")
    if lookup.suggestions:
        return "suggests " + ",".join(t.id for t in lookup.suggestions)
    return "-"


def _clip(text: str, width: int = 26) -> str:
    text = repr(text)
    return text if len(text) <= width else text[: width - 2] + "…'"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes for the cold start (median)")
    args = parser.parse_args()

    cold = cold_start(args.runs)
    warm = warm_load_ms(max(args.runs, 5))
    print(f"knowledge core, Python {sys.version.split()[0]}, median of {args.runs} fresh processes\n")
    print(f"{'start-up':<44}{'ms':>10}")
    print("-" * 54)
    rows = [
        ("process: python -c pass (floor)", cold.bare_python_ms),
        ("process: import knowledge + load + 1 lookup", cold.process_ms),
        ("  of which: import knowledge", cold.import_ms),
        ("  of which: load_knowledge() (cold)", cold.load_ms),
        ("  of which: first lookup", cold.first_lookup_ms),
        ("load_knowledge() in-process, after imports", warm),
    ]
    for label, value in rows:
        print(f"{label:<44}{value:>10.1f}")

    print(f"\n{'lookup':<20}{'query':<28}{'us/call':>10}  result")
    print("-" * 80)
    for kind, query, micros, result in lookups():
        print(f"{kind:<20}{_clip(query):<28}{micros:>10.1f}  {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
