"""Typos mended against the words mlorg reads, before anything else reads the question.

People type "strenghts", "ml frist", "framwork", "logisitics" and "promted" in Slack; every
rule downstream (the kind cues, the property table, the scope test, the topic names) matches
whole words, so one transposed letter would send a question down the wrong path. A word
that mlorg does not know is replaced by the one word it knows at one edit away (a letter
added, dropped, changed, or two swapped), found through a table of single-letter deletions
built once (the SymSpell idea), so a question costs a few dictionary look-ups per word, not a
comparison with every known word. Words mlorg does not know and cannot mend stay as typed.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["Speller"]

#: Shorter words have too many neighbours one edit away ("data" and "date") to mend safely;
#: from four letters two swapped neighbours are mended, from six other slips too.
MIN_LENGTH = 5
MIN_SWAPPED = 4


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Speller:
    """The known words, and for each single-letter deletion the known words it comes from."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = frozenset(w for w in known if w.isalpha())
        self._by_deletion: dict[str, set[str]] = {}
        for word in self.known:
            if len(word) >= MIN_SWAPPED:
                for variant in _deletions(word) | {word}:
                    self._by_deletion.setdefault(variant, set()).add(word)
        self._cache: dict[str, str] = {}

    def mend(self, word: str) -> str:
        """``word``, or the known word one edit away when there is exactly one best candidate."""
        if len(word) < MIN_SWAPPED or word in self.known or not word.isalpha():
            return word
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        candidates: set[str] = set(self._by_deletion.get(word, ()))  # a letter was dropped
        for variant in _deletions(word):
            if variant in self.known:
                candidates.add(variant)  # a letter was added
            candidates.update(self._by_deletion.get(variant, ()))  # changed or swapped
        candidates = {c for c in candidates if _one_edit(word, c) and _safe(word, c)}
        mended = min(candidates, key=lambda c: (abs(len(c) - len(word)), c)) if candidates else word
        if len(self._cache) < 4096:
            self._cache[word] = mended
        return mended

    def mend_text(self, normalized: str) -> str:
        """Every word of a normalized text mended."""
        return " ".join(self.mend(w) for w in normalized.split())


def _safe(typed: str, known: str) -> bool:
    """Whether mending ``typed`` to ``known`` is safe at its length.

    A short unknown word is often a real word mlorg simply never uses ("gives" is one letter
    from "lives"), so the shorter the word, the fewer kinds of slip are mended: at five
    letters only two swapped neighbours, at six or seven also a dropped letter ("usualy"), and
    from eight letters any one edit.
    """
    swapped = len(typed) == len(known) and sorted(typed) == sorted(known)
    if len(typed) <= MIN_LENGTH:
        return swapped  # "lsit" is "list", but "gives" is no "lives"
    if len(typed) < 8:
        return swapped or len(typed) < len(known)  # a dropped letter; "backend" is no "backed"
    return True


def _one_edit(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with one letter added, dropped, changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))
