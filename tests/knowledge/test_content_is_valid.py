"""The shipped knowledge content parses, validates and hangs together."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from knowledge import models

CONTENT_DIR = Path(__file__).resolve().parents[2] / "knowledge" / "content"

ARCHETYPE_IDS = ("nascent", "rnd", "embedded", "independent", "ml_first")
DIMENSION_IDS = ("engineering_vs_research", "data_ownership", "model_ownership")


def _load(name: str, key: str) -> list[dict[str, Any]]:
    with (CONTENT_DIR / name).open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    assert isinstance(document, dict), f"{name} must be a mapping"
    assert set(document) == {key}, f"{name} must have exactly one top-level key, {key!r}"
    entries = document[key]
    assert isinstance(entries, list), f"{name}: {key} must be a list"
    return entries


@pytest.fixture(scope="module")
def archetypes() -> list[models.Archetype]:
    return [models.Archetype.model_validate(raw) for raw in _load("archetypes.yaml", "archetypes")]


@pytest.fixture(scope="module")
def dimensions() -> list[models.Dimension]:
    return [models.Dimension.model_validate(raw) for raw in _load("dimensions.yaml", "dimensions")]


def test_five_archetypes_in_order(archetypes: list[models.Archetype]) -> None:
    assert [a.id for a in archetypes] == list(ARCHETYPE_IDS)
    assert [a.number for a in archetypes] == [1, 2, 3, 4, 5]


def test_three_dimensions_in_order(dimensions: list[models.Dimension]) -> None:
    assert [d.id for d in dimensions] == list(DIMENSION_IDS)


def test_position_keys_are_dimension_ids(
    archetypes: list[models.Archetype], dimensions: list[models.Dimension]
) -> None:
    dimension_ids = {d.id for d in dimensions}
    for archetype in archetypes:
        unknown = set(archetype.positions) - dimension_ids
        assert not unknown, f"{archetype.id}: unknown dimension ids {sorted(unknown)}"


def test_nascent_has_no_positions_and_others_have_all(archetypes: list[models.Archetype]) -> None:
    for archetype in archetypes:
        if archetype.id == "nascent":
            assert archetype.positions == {}, "the framework gives no positions for nascent"
        else:
            assert set(archetype.positions) == set(DIMENSION_IDS), archetype.id


def test_stances_fit_a_button(archetypes: list[models.Archetype]) -> None:
    for archetype in archetypes:
        for dimension_id, position in archetype.positions.items():
            assert len(position.stance) <= 40, f"{archetype.id}/{dimension_id}: stance too long"


def test_related_points_at_other_archetypes(archetypes: list[models.Archetype]) -> None:
    ids = {a.id for a in archetypes}
    for archetype in archetypes:
        assert archetype.id not in archetype.related, f"{archetype.id} lists itself as related"
        assert set(archetype.related) <= ids, f"{archetype.id}: unknown related ids"


def test_no_alias_is_shared_between_topics(
    archetypes: list[models.Archetype], dimensions: list[models.Dimension]
) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    topics: list[models.Archetype | models.Dimension] = [*archetypes, *dimensions]
    for topic in topics:
        for term in (topic.id, topic.name, topic.short_name, *topic.aliases):
            owners[term.casefold().strip()].add(topic.id)
    shared = {term: sorted(ids) for term, ids in owners.items() if len(ids) > 1}
    assert not shared, f"aliases claimed by more than one topic: {shared}"
