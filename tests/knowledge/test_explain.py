"""Explain, overview and compare: the structured results every renderer draws from."""

from __future__ import annotations

import pytest

from knowledge import (
    Archetype,
    ArchetypeCard,
    ArchetypeComparison,
    Dimension,
    DimensionCard,
    DimensionComparison,
    KnowledgeBase,
    Lookup,
    compare,
    explain,
    overview,
    render_card,
    render_comparison,
    render_miss,
    render_overview,
)

ARCHETYPE_IDS = ("nascent", "rnd", "embedded", "independent", "ml_first")
DIMENSION_IDS = ("engineering_vs_research", "data_ownership", "model_ownership")


# --- explain -------------------------------------------------------------------------------------


@pytest.mark.parametrize("archetype_id", ARCHETYPE_IDS)
def test_an_archetype_card_has_a_position_slot_for_every_dimension_in_order(
    kb: KnowledgeBase, archetype_id: str
) -> None:
    archetype = kb.archetype(archetype_id)
    card = explain(kb, archetype)
    assert isinstance(card, ArchetypeCard)
    assert card.archetype is archetype
    assert [d.id for d, _ in card.positions] == list(DIMENSION_IDS)
    for dimension, position in card.positions:
        assert position == archetype.positions.get(dimension.id)


def test_nascent_has_no_position_on_any_dimension_and_the_others_have_all(kb: KnowledgeBase) -> None:
    for archetype in kb.archetypes:
        card = explain(kb, archetype)
        assert isinstance(card, ArchetypeCard)
        filled = [position is not None for _, position in card.positions]
        assert filled == [archetype.id != "nascent"] * len(DIMENSION_IDS), archetype.id


@pytest.mark.parametrize("archetype_id", ARCHETYPE_IDS)
def test_an_archetype_card_resolves_its_related_topics(kb: KnowledgeBase, archetype_id: str) -> None:
    archetype = kb.archetype(archetype_id)
    card = explain(kb, archetype)
    assert isinstance(card, ArchetypeCard)
    assert [t.id for t in card.related] == list(archetype.related)
    assert card.related, f"{archetype_id} suggests nothing to read next"
    assert all(kb.get(t.id) is t for t in card.related)


@pytest.mark.parametrize("dimension_id", DIMENSION_IDS)
def test_a_dimension_card_covers_every_archetype_in_order(kb: KnowledgeBase, dimension_id: str) -> None:
    dimension = kb.dimension(dimension_id)
    card = explain(kb, dimension)
    assert isinstance(card, DimensionCard)
    assert card.dimension is dimension
    assert [a.id for a, _ in card.positions] == list(ARCHETYPE_IDS)
    for archetype, position in card.positions:
        assert position == archetype.positions.get(dimension_id)


def test_an_archetype_card_renders_every_section(kb: KnowledgeBase) -> None:
    text = render_card(explain(kb, kb.archetype("embedded")))
    assert text.startswith("3. Business and product embedded ML\n")
    for heading in (
        "What it looks like",
        "Strengths",
        "Challenges",
        "Typical organizations",
        "Position on the design dimensions",
        "Read next: ",
        "Source: ",
    ):
        assert heading in text, heading
    assert text.index("Strengths") < text.index("Challenges") < text.index("Typical organizations")


def test_a_dimension_card_renders_its_questions_scale_and_archetypes(kb: KnowledgeBase) -> None:
    dimension = kb.dimension("model_ownership")
    text = render_card(explain(kb, dimension))
    assert text.startswith("Model ownership\n")
    assert "The questions it asks" in text
    assert "What it covers" in text
    assert f"Scale: {dimension.low_end} <-> {dimension.high_end}" in text
    assert "Where each archetype sits" in text


# --- overview ------------------------------------------------------------------------------------


def test_the_overview_lists_every_archetype_and_dimension_in_order(kb: KnowledgeBase) -> None:
    view = overview(kb)
    assert [a.id for a in view.archetypes] == list(ARCHETYPE_IDS)
    assert [d.id for d in view.dimensions] == list(DIMENSION_IDS)
    text = render_overview(view)
    positions = [text.index(f"{a.number}. {a.name} ({a.id})") for a in kb.archetypes]
    assert positions == sorted(positions)
    for dimension in kb.dimensions:
        assert f"{dimension.name} ({dimension.id})" in text
    assert "mlorg explain TOPIC" in text


# --- compare -------------------------------------------------------------------------------------


def test_comparing_two_archetypes_gives_one_row_per_dimension(kb: KnowledgeBase) -> None:
    rnd, embedded = kb.archetype("rnd"), kb.archetype("embedded")
    comparison = compare(kb, rnd, embedded)
    assert isinstance(comparison, ArchetypeComparison)
    assert (comparison.a, comparison.b) == (rnd, embedded)
    assert [d.id for d, _, _ in comparison.rows] == list(DIMENSION_IDS)
    for dimension, left, right in comparison.rows:
        assert left == rnd.positions[dimension.id]
        assert right == embedded.positions[dimension.id]


def test_comparing_with_nascent_leaves_its_side_empty(kb: KnowledgeBase) -> None:
    comparison = compare(kb, kb.archetype("nascent"), kb.archetype("ml_first"))
    assert all(left is None and right is not None for _, left, right in comparison.rows)
    assert "The framework suggests no position here." in render_comparison(comparison)


def test_a_rendered_archetype_comparison_shows_both_sides_strengths_and_challenges(
    kb: KnowledgeBase,
) -> None:
    rnd, independent = kb.archetype("rnd"), kb.archetype("independent")
    text = render_comparison(compare(kb, rnd, independent))
    assert text.startswith(f"{rnd.name}  vs  {independent.name}\n")
    for archetype in (rnd, independent):
        assert f"{archetype.short_name}: strengths" in text
        assert f"{archetype.short_name}: challenges" in text
        for fact in (*archetype.strengths, *archetype.challenges):
            assert fact in text, fact
        for position in archetype.positions.values():
            assert f"{archetype.short_name}: {position.stance}. {position.detail}" in text


def test_comparing_two_dimensions_gives_one_row_per_archetype(kb: KnowledgeBase) -> None:
    data, models = kb.dimension("data_ownership"), kb.dimension("model_ownership")
    comparison = compare(kb, data, models)
    assert isinstance(comparison, DimensionComparison)
    assert [a.id for a, _, _ in comparison.rows] == list(ARCHETYPE_IDS)
    for archetype, left, right in comparison.rows:
        assert left == archetype.positions.get("data_ownership")
        assert right == archetype.positions.get("model_ownership")
    text = render_comparison(comparison)
    assert "strengths" not in text
    assert text.startswith("Data ownership  vs  Model ownership\n")


@pytest.mark.parametrize(("a_id", "b_id"), [("rnd", "data_ownership"), ("model_ownership", "embedded")])
def test_comparing_an_archetype_with_a_dimension_is_refused(kb: KnowledgeBase, a_id: str, b_id: str) -> None:
    a, b = kb.get(a_id), kb.get(b_id)
    assert a is not None
    assert b is not None
    assert isinstance(a, Archetype) != isinstance(b, Archetype)
    with pytest.raises(ValueError, match="two archetypes, or two dimensions"):
        compare(kb, a, b)


def test_a_topic_compared_with_itself_is_allowed(kb: KnowledgeBase) -> None:
    rnd = kb.archetype("rnd")
    comparison = compare(kb, rnd, rnd)
    assert all(left == right for _, left, right in comparison.rows)


# --- render_miss ---------------------------------------------------------------------------------


def test_a_miss_on_an_ambiguous_word_offers_each_suggestion(kb: KnowledgeBase) -> None:
    text = render_miss(kb.find("ownership"))
    assert "'ownership' could mean several topics" in text
    assert "Did you mean" in text
    assert "Data (data_ownership)" in text
    assert "Models (model_ownership)" in text


def test_a_miss_on_a_near_word_offers_it(kb: KnowledgeBase) -> None:
    lookup = kb.find("r")
    assert lookup.topic is None
    assert [t.id for t in lookup.suggestions] == ["rnd"]
    assert render_miss(lookup) == "I don't know a topic called 'r'. Did you mean: R&D (rnd)?"


def test_a_miss_with_no_suggestion_points_at_the_overview(kb: KnowledgeBase) -> None:
    text = render_miss(kb.find("xyzzy"))
    assert text.startswith("I don't know a topic called 'xyzzy'.")
    assert "Did you mean" not in text
    assert "mlorg explain" in text


def test_a_miss_on_empty_input_asks_for_a_topic() -> None:
    assert render_miss(Lookup("   ")).startswith("Name a topic")


def test_a_miss_clips_a_long_query(kb: KnowledgeBase) -> None:
    text = render_miss(kb.find("x" * 500))
    assert "x" * 100 not in text
    assert "…" in text


def test_cards_exist_for_every_kind_of_topic(kb: KnowledgeBase) -> None:
    for topic in kb.topics:
        card = explain(kb, topic)
        expected = ArchetypeCard if isinstance(topic, Archetype) else DimensionCard
        assert isinstance(card, expected)
        assert isinstance(topic, Archetype | Dimension)
