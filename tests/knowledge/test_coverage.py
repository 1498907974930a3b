"""Every fact of the seed material is reachable through the bot.

The seed (``shared/seed/ml-team-structure.txt`` and the tables in its README) is
what the product is built from. Each case below is one bullet of the seed text or
one row/cell of a README table, written as the key facts it states. A fact is a
lower-case word or short phrase; a tuple lists acceptable alternatives (the
content is in the project's own words, so "phd" may stand for "doctorate"). Each
fact must appear in the rendered card a user sees for the topic, so a content
edit that drops a fact, or a renderer that stops showing a section, fails here.
"""

from __future__ import annotations

import pytest

from knowledge import Archetype, KnowledgeBase, explain, render_card

#: One fact: a phrase, or alternatives of which at least one must appear.
Fact = str | tuple[str, ...]

ARCHETYPE_IDS = ("nascent", "rnd", "embedded", "independent", "ml_first")
DIMENSION_IDS = ("engineering_vs_research", "data_ownership", "model_ownership")


def card_text(kb: KnowledgeBase, topic_id: str) -> str:
    topic = kb.get(topic_id)
    assert topic is not None, f"no topic with id {topic_id!r}"
    return render_card(explain(kb, topic)).lower()


def missing_facts(text: str, facts: tuple[Fact, ...]) -> list[Fact]:
    """The facts of which no alternative appears in ``text`` (all reported at once)."""
    return [fact for fact in facts if not any(alt in text for alt in _alternatives(fact))]


def _alternatives(fact: Fact) -> tuple[str, ...]:
    return (fact,) if isinstance(fact, str) else fact


# --- The seed text: each archetype's three bullets, and the three dimension bullets -------------

SEED_BULLETS = [
    # The Nascent and Ad-Hoc Machine Learning organization
    pytest.param(
        "nascent",
        (("nobody", "no one"), "doing ml", "ad-hoc"),
        id="nascent-1-nobody-or-ad-hoc",
    ),
    pytest.param("nascent", ("low-hanging fruit",), id="nascent-2-low-hanging-fruit"),
    pytest.param(
        "nascent",
        ("little support", ("very hard", "very difficult"), "hire", "retain", "talent"),
        id="nascent-3-little-support-hard-to-hire-and-retain",
    ),
    # The Research and Development Machine Learning organization
    pytest.param(
        "rnd",
        ("r&d arm", "researchers", ("phd", "doctoral", "doctorate"), "publish", "papers"),
        id="rnd-1-r-and-d-arm-researchers-phds-who-publish",
    ),
    pytest.param(
        "rnd",
        ("experienced researchers", "long-term business priorities", "big wins"),
        id="rnd-2-experienced-researchers-long-term-big-wins",
    ),
    pytest.param(
        "rnd",
        (
            "quality data",
            ("very difficult", "very hard"),
            ("seldom", "rarely"),
            "business value",
            "investment",
            ("stays small", "remains small"),
        ),
        id="rnd-3-no-quality-data-little-value-small-investment",
    ),
    # The Business and Product Embedded Machine Learning organization
    pytest.param(
        "embedded",
        (
            "product teams",
            "business units",
            "ml expertise",
            "software",
            "analytics",
            "report up",
            ("engineering or tech lead", "engineering/tech lead"),
        ),
        id="embedded-1-ml-inside-product-teams-reporting-to-their-tech-lead",
    ),
    pytest.param(
        "embedded",
        (
            "likely",
            "business value",
            ("tight feedback loop", "tight feedback cycle"),
            ("iterating on an idea", "idea iteration"),
            "product improve",
        ),
        id="embedded-2-business-value-and-a-tight-feedback-loop",
    ),
    pytest.param(
        "embedded",
        (
            "hire and develop top talent",
            ("data and compute", "data & compute"),
            "lag",
            "conflict",
            "engineering management",
            "long-term ml projects",
            "hard to justify",
        ),
        id="embedded-3-talent-data-compute-and-cycle-conflicts",
    ),
    # The Independent Machine Learning organization
    pytest.param(
        "independent",
        (
            "reports directly to senior leadership",
            ("ml product managers", "machine learning product managers"),
            "researchers and engineers",
            "client-facing products",
            "publish long-term research",
        ),
        id="independent-1-reports-to-senior-leadership-pms-build-ml-into-products",
    ),
    pytest.param(
        "independent",
        (
            "talent density",
            "hire top practitioners",
            "train",
            "senior leaders",
            "marshal",
            "data and compute",
            "invest",
            "tooling",
            "practices",
            "culture",
        ),
        id="independent-2-talent-density-marshalled-resources-tooling-and-culture",
    ),
    pytest.param(
        "independent",
        (
            ("handoff", "hand-off", "handing off"),
            "business lines",
            "challenging",
            "buy-in",
            "educated",
            "feedback cycles can be slow",
        ),
        id="independent-3-hard-handoffs-buy-in-education-slow-feedback",
    ),
    # The Machine Learning First organization
    pytest.param(
        "ml_first",
        (
            "ceo invests",
            "experts",
            "across the business",
            "quick wins",
            "ml division",
            "challenging",
            "long-term projects",
        ),
        id="ml-first-1-ceo-invests-quick-wins-and-long-term-projects",
    ),
    pytest.param(
        "ml_first",
        (
            "best data access",
            "data thinking permeates",
            "most attractive recruiting funnel",
            "challenging ml problems",
            "attract top talent",
            "easiest deployment",
            "product teams understand ml",
        ),
        id="ml-first-2-best-data-recruiting-and-deployment",
    ),
    pytest.param(
        "ml_first",
        ("hard to implement in practice", "culturally difficult", "embed ml thinking everywhere"),
        id="ml-first-3-culturally-hard-to-implement",
    ),
    # Organizational design follows three broad categories
    pytest.param(
        "engineering_vs_research",
        (
            "software engineering",
            "research",
            "responsible for building software",
            "integrating",
            "how important are software engineering skills",
        ),
        id="dimension-software-engineering-vs-research",
    ),
    pytest.param(
        "data_ownership",
        ("data ownership", "control", "collection", "warehousing", "labeling", "pipelin"),
        id="dimension-data-ownership",
    ),
    pytest.param(
        "model_ownership",
        ("model ownership", "deploying models into production", "who maintains the deployed models"),
        id="dimension-model-ownership",
    ),
]


@pytest.mark.parametrize(("topic_id", "facts"), SEED_BULLETS)
def test_every_seed_bullet_is_on_its_card(kb: KnowledgeBase, topic_id: str, facts: tuple[Fact, ...]) -> None:
    assert missing_facts(card_text(kb, topic_id), facts) == []


# --- README: where each archetype is typically found ------------------------------------------

TYPICAL_ORGANIZATIONS = [
    pytest.param(
        "nascent",
        (
            "small and medium businesses",
            "less technology-forward",
            "education",
            "logistics",
            "little in-house ml expertise",
        ),
        id="nascent",
    ),
    pytest.param(
        "rnd",
        ("larger companies", "oil and gas", "manufacturing", "telecommunications"),
        id="rnd",
    ),
    pytest.param("embedded", ("software companies", "financial services"), id="embedded"),
    pytest.param("independent", ("large financial services companies",), id="independent"),
    pytest.param("ml_first", ("large tech companies", "ml-focused startups"), id="ml-first"),
]


@pytest.mark.parametrize(("topic_id", "facts"), TYPICAL_ORGANIZATIONS)
def test_every_typical_organization_is_on_its_card(
    kb: KnowledgeBase, topic_id: str, facts: tuple[Fact, ...]
) -> None:
    text = card_text(kb, topic_id)
    assert "typical organizations" in text
    assert missing_facts(text, facts) == []


# --- README: each archetype's suggested position on each dimension ----------------------------

POSITIONS = [
    # R&D
    pytest.param(
        "rnd",
        "engineering_vs_research",
        ("research clearly first", "risk", "researchers and engineers", "collaborating very little"),
        id="rnd-x-engineering-vs-research",
    ),
    pytest.param(
        "rnd",
        "data_ownership",
        (("controls no data", "controls none of the data"), "no data engineers"),
        id="rnd-x-data-ownership",
    ),
    pytest.param(
        "rnd",
        "model_ownership",
        (("rarely reach production", "seldom make it into production"),),
        id="rnd-x-model-ownership",
    ),
    # Product-embedded
    pytest.param(
        "embedded",
        "engineering_vs_research",
        ("engineering skills first", "researchers", "productionize their own models"),
        id="embedded-x-engineering-vs-research",
    ),
    pytest.param(
        "embedded",
        "data_ownership",
        ("does not own", "produced or managed", "pipelines together with the data engineers"),
        id="embedded-x-data-ownership",
    ),
    pytest.param(
        "embedded",
        "model_ownership",
        ("ml engineers", ("full ownership", "fully own"), "models they deploy"),
        id="embedded-x-model-ownership",
    ),
    # Independent ML division
    pytest.param(
        "independent",
        "engineering_vs_research",
        ("mixes engineering and research", "work closely"),
        id="independent-x-engineering-vs-research",
    ),
    pytest.param(
        "independent",
        "data_ownership",
        ("voice in data governance", "strong data-engineering function"),
        id="independent-x-data-ownership",
    ),
    pytest.param(
        "independent",
        "model_ownership",
        ("handed off", ("still maintains", "remains the one that maintains")),
        id="independent-x-model-ownership",
    ),
    # ML-first
    pytest.param(
        "ml_first",
        "engineering_vs_research",
        (("teams vary", "teams differ"), "research-oriented", "research works closely with engineering"),
        id="ml-first-x-engineering-vs-research",
    ),
    pytest.param(
        "ml_first",
        "data_ownership",
        ("own", "company-wide data infrastructure"),
        id="ml-first-x-data-ownership",
    ),
    pytest.param(
        "ml_first",
        "model_ownership",
        ("handed to their users", "operate and maintain"),
        id="ml-first-x-model-ownership",
    ),
]


def _position_line(card: str, label: str) -> str:
    """The one line of a card that states the position labelled ``label``."""
    lines = [line for line in card.splitlines() if line.strip().startswith(f"- {label.lower()}:")]
    assert len(lines) == 1, f"expected one position line for {label!r}, got {lines}"
    return lines[0]


@pytest.mark.parametrize(("archetype_id", "dimension_id", "facts"), POSITIONS)
def test_every_position_is_on_the_archetype_card(
    kb: KnowledgeBase, archetype_id: str, dimension_id: str, facts: tuple[Fact, ...]
) -> None:
    line = _position_line(card_text(kb, archetype_id), kb.dimension(dimension_id).name)
    assert missing_facts(line, facts) == []


@pytest.mark.parametrize(("archetype_id", "dimension_id", "facts"), POSITIONS)
def test_every_position_is_on_the_dimension_card(
    kb: KnowledgeBase, archetype_id: str, dimension_id: str, facts: tuple[Fact, ...]
) -> None:
    line = _position_line(card_text(kb, dimension_id), kb.archetype(archetype_id).short_name)
    assert missing_facts(line, facts) == []


def test_the_position_cases_cover_every_archetype_with_a_position_on_every_dimension() -> None:
    covered = {(p.values[0], p.values[1]) for p in POSITIONS}
    expected = {(a, d) for a in ARCHETYPE_IDS if a != "nascent" for d in DIMENSION_IDS}
    assert covered == expected


@pytest.mark.parametrize("dimension_id", DIMENSION_IDS)
def test_each_dimension_card_shows_every_archetypes_stance(kb: KnowledgeBase, dimension_id: str) -> None:
    card = card_text(kb, dimension_id)
    assert [a.id for a in kb.archetypes] == list(ARCHETYPE_IDS)
    for archetype in kb.archetypes:
        line = _position_line(card, archetype.short_name)
        position = archetype.positions.get(dimension_id)
        if archetype.id == "nascent":
            assert position is None
            assert "no position" in line
        else:
            assert position is not None, f"{archetype.id} has no position on {dimension_id}"
            assert position.stance.lower() in line
            assert position.detail.lower() in line


@pytest.mark.parametrize("dimension_id", DIMENSION_IDS)
def test_nascent_shows_no_position_on_every_dimension(kb: KnowledgeBase, dimension_id: str) -> None:
    line = _position_line(card_text(kb, "nascent"), kb.dimension(dimension_id).name)
    assert "no position" in line


def test_every_archetype_card_names_the_framework_as_its_source(kb: KnowledgeBase) -> None:
    for topic in kb.topics:
        assert "source: the ml team-structure framework" in card_text(kb, topic.id)


def test_the_seed_cases_cover_every_archetype_three_times_and_every_dimension_once() -> None:
    counts: dict[str, int] = {}
    for case in SEED_BULLETS:
        topic_id = case.values[0]
        assert isinstance(topic_id, str)
        counts[topic_id] = counts.get(topic_id, 0) + 1
    assert counts == {**dict.fromkeys(ARCHETYPE_IDS, 3), **dict.fromkeys(DIMENSION_IDS, 1)}
    assert {case.values[0] for case in TYPICAL_ORGANIZATIONS} == set(ARCHETYPE_IDS)


def test_the_knowledge_base_has_exactly_the_seed_topics_in_seed_order(kb: KnowledgeBase) -> None:
    assert [a.id for a in kb.archetypes] == list(ARCHETYPE_IDS)
    assert [a.number for a in kb.archetypes] == [1, 2, 3, 4, 5]
    assert all(isinstance(a, Archetype) for a in kb.archetypes)
    assert [d.id for d in kb.dimensions] == list(DIMENSION_IDS)
