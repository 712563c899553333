"""The draw as a pure function: reproducible with its seed, different with another, strata and
exclusions respected, and re-checkable by hand (SHA-256 of seed|USCC, ascending)."""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal

from waste_tracker.audit import sampling
from waste_tracker.registry.uscc import make_uscc


def _frame() -> list[sampling.Unit]:
    units = []
    for i in range(40):
        county = 330402 if i % 2 else 330481
        size = Decimal([50_000, 500_000, 2_000_000][i % 3])  # kg: small, medium, large
        units.append(sampling.Unit(uuid.UUID(int=i + 1), make_uscc("330402", f"AB{i:07d}"), f"企业{i}", county, size))
    return units


def _draw(seed: str, exclusions: dict[uuid.UUID, str] | None = None) -> tuple[list[sampling.Drawn], list[sampling.Stratum]]:
    return sampling.draw(
        _frame(), seed=seed, rate=Decimal("0.3"), small_t=Decimal(100), large_t=Decimal(1000), exclusions=exclusions or {}
    )


def _selected(drawn: list[sampling.Drawn]) -> set[uuid.UUID]:
    return {d.unit.organisation_id for d in drawn if d.outcome == "selected"}


def test_same_seed_same_sample_other_seed_another() -> None:
    a, sa = _draw("seed-1")
    b, sb = _draw("seed-1")
    assert _selected(a) == _selected(b) and sa == sb
    assert _selected(a) != _selected(_draw("seed-2")[0])


def test_strata_by_county_and_size_each_drawn_by_its_rate() -> None:
    drawn, strata = _draw("x")
    assert [(s.county_adcode, s.band) for s in strata] == [
        (330402, "small"),
        (330402, "medium"),
        (330402, "large"),
        (330481, "small"),
        (330481, "medium"),
        (330481, "large"),
    ]
    for s in strata:
        members = [d for d in drawn if (d.unit.county_adcode, d.band) == (s.county_adcode, s.band)]
        assert len(members) == s.population
        assert sum(d.outcome == "selected" for d in members) == s.drawn == sampling.allocation(s.population, Decimal("0.3"))


def test_exclusions_are_honoured_and_kept_with_their_reason() -> None:
    first = sorted(_selected(_draw("x")[0]))[0]
    drawn, strata = _draw("x", {first: "正在立案调查"})
    assert first not in _selected(drawn)
    (excluded,) = [d for d in drawn if d.outcome == "excluded"]
    assert excluded.unit.organisation_id == first and excluded.exclusion_reason == "正在立案调查" and excluded.draw_rank is None
    assert sum(s.excluded for s in strata) == 1


def test_an_outsider_recomputes_the_order_with_sha256() -> None:
    drawn, _ = _draw("check-me")
    stratum = [d for d in drawn if (d.unit.county_adcode, d.band) == (330402, "small")]
    by_hand = sorted(stratum, key=lambda d: hashlib.sha256(f"check-me|{d.unit.uscc}".encode()).hexdigest())
    assert [d.draw_rank for d in by_hand] == list(range(1, len(stratum) + 1))
    assert all(d.draw_key == hashlib.sha256(f"check-me|{d.unit.uscc}".encode()).hexdigest() for d in stratum)


def test_at_least_one_per_stratum_never_more_than_it_holds() -> None:
    assert sampling.allocation(0, Decimal("0.2")) == 0
    assert sampling.allocation(1, Decimal("0.01")) == 1
    assert sampling.allocation(3, Decimal(1)) == 3
    assert sampling.allocation(10, Decimal("0.25")) == 3
