"""Reading ``/mlorg quiz [N] [TOPIC] [timer [S]]`` and ``/mlorg quiz end``.

Pure and total: any text gives a request (a number out of range is clamped, the
rest is the topic), so the handler never has to guess what went wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.quiz import DEFAULT_COUNT, MAX_COUNT

__all__ = ["DEFAULT_TIMER", "MAX_TIMER", "MIN_TIMER", "QuizRequest", "parse_quiz"]

DEFAULT_TIMER = 30
MIN_TIMER = 10
MAX_TIMER = 300

#: "45s", "45sec", "45 seconds" (the number alone counts only right after "timer").
_SECONDS = re.compile(r"^(\d{1,4})(?:s|secs?|seconds?)$")
_NUMBER = re.compile(r"^(\d{1,4})$")


@dataclass(frozen=True)
class QuizRequest:
    count: int = DEFAULT_COUNT
    topic: str = ""
    time_limit: int | None = None
    end: bool = False


def parse_quiz(text: str) -> QuizRequest:
    words = text.split()
    if len(words) == 1 and words[0].lower() in {"end", "stop", "finish"}:
        return QuizRequest(end=True)
    count = DEFAULT_COUNT
    time_limit: int | None = None
    topic: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        lower = word.lower()
        seconds = _SECONDS.match(lower)
        if lower in {"timer", "timed", "time"}:
            time_limit = DEFAULT_TIMER
            following = words[index + 1].lower() if index + 1 < len(words) else ""
            match = _SECONDS.match(following) or _NUMBER.match(following)
            if match:
                time_limit = int(match.group(1))
                index += 1
        elif seconds:
            time_limit = int(seconds.group(1))
        elif _NUMBER.match(word) and count == DEFAULT_COUNT and not topic:
            count = int(word)
        else:
            topic.append(word)
        index += 1
    count = min(max(count, 1), MAX_COUNT)
    if time_limit is not None:
        time_limit = min(max(time_limit, MIN_TIMER), MAX_TIMER)
    return QuizRequest(count=count, topic=" ".join(topic), time_limit=time_limit)
