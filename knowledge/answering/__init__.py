"""TEMPORARY shim of the answering contract (replaced by the real module on merge)."""

from __future__ import annotations

from knowledge.answering.model import Answer, AnswerKind, Fact
from knowledge.ask import answer as _old
from knowledge.base import KnowledgeBase

__all__ = ["Answer", "AnswerKind", "Answerer", "Fact"]


class Answerer:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def answer(self, question: str, *, subject: str | None = None) -> Answer:
        old = _old(self.kb, question)
        topic = old.topic or (self.kb.get(subject) if subject else None)
        if topic is None:
            return Answer(question, "unknown", "Not in the framework", (), (), False)
        if old.topic is None:
            old = _old(self.kb, f"{question} {topic.short_name}")
        facts = tuple(Fact(topic, old.aspect, f) for f in old.facts)
        return Answer(question, "aspect", f"{topic.short_name}: {old.aspect}", facts, (topic,), True)
