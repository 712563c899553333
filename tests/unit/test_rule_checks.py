"""The event rules as pure functions: each fires, and just under its threshold does not."""

from decimal import Decimal

from waste_tracker.rules import checks
from waste_tracker.rules.catalogue import RULES, explain

LD = RULES["long_distance"].defaults
QD = RULES["quantity_discrepancy"].defaults


def test_long_distance() -> None:
    assert checks.long_distance("hazardous", 60_001, LD)["threshold_km"] == "60"
    assert checks.long_distance("hazardous", 60_000, LD) is None
    assert checks.long_distance("general", 30_500, LD) is not None
    assert checks.long_distance("general", 29_999, LD) is None


def test_nearer_capacity_ignored_needs_both_ratio_and_extra_distance() -> None:
    t = RULES["nearer_capacity_ignored"].defaults
    assert checks.nearer_capacity_ignored(70_000, 15_000, t) is not None
    assert checks.nearer_capacity_ignored(29_000, 15_000, t) is None  # < 2x
    assert checks.nearer_capacity_ignored(30_000, 10_000, t) is None  # 3x but only 20 km more
    assert checks.nearer_capacity_ignored(30_001, 10_000, t) is not None


def test_quantity_discrepancy_needs_both_tolerances() -> None:
    d = Decimal("1500")
    assert checks.quantity_discrepancy(d, None, Decimal("1400"), QD)["difference_kg"] == "100.000"
    assert checks.quantity_discrepancy(d, None, Decimal("1450"), QD) is None  # 50 kg: not above 50
    assert checks.quantity_discrepancy(d, None, Decimal("1430"), QD) is None  # 70 kg but 4.7 %
    assert checks.quantity_discrepancy(Decimal("500"), Decimal("440"), None, QD)["between"] == ["declared", "picked_up"]
    assert checks.quantity_discrepancy(Decimal("10"), None, Decimal("5"), QD) is None  # 50 % but 5 kg


def test_left_jurisdiction() -> None:
    base = {"generator_county": 330402, "generator_city": 330400, "receiver_county": 330402, "receiver_city": 330400}
    assert (
        checks.left_jurisdiction(kind="general", actual_county=330402, actual_city=330400, exemption_scope=None, **base) is None
    )
    rule, e = checks.left_jurisdiction(kind="general", actual_county=330421, actual_city=330400, exemption_scope=None, **base)
    assert rule == "solid_waste_left_county" and e["dropoff_county"] == 330421
    # Hazardous waste may cross counties inside the city...
    assert (
        checks.left_jurisdiction(kind="hazardous", actual_county=330421, actual_city=330400, exemption_scope=None, **base) is None
    )
    # ...but not the city line.
    rule, _ = checks.left_jurisdiction(kind="hazardous", actual_county=330109, actual_city=330100, exemption_scope=None, **base)
    assert rule == "hazardous_left_city"
    # An exemption covers its named receiver's city only.
    far = dict(base, receiver_county=330109, receiver_city=330100)
    assert (
        checks.left_jurisdiction(kind="hazardous", actual_county=330109, actual_city=330100, exemption_scope="cross_city", **far)
        is None
    )
    assert (
        checks.left_jurisdiction(kind="hazardous", actual_county=320509, actual_city=320500, exemption_scope="cross_city", **far)
        is not None
    )


def test_dropoff_not_at_receiver() -> None:
    t = RULES["dropoff_not_at_receiver"].defaults
    assert checks.dropoff_not_at_receiver(2500, None, 500, t)["reason"] == "far_from_receiver"
    assert checks.dropoff_not_at_receiver(300, ("s", "别家", 100.0), 500, t) is None  # inside the geofence
    assert checks.dropoff_not_at_receiver(900, ("s", "别家", 200.0), 500, t)["reason"] == "nearer_to_another_site"
    assert checks.dropoff_not_at_receiver(900, ("s", "别家", 1200.0), 500, t) is None


def test_over_capacity() -> None:
    assert checks.over_capacity(Decimal("1000001"), Decimal("1000")) is not None
    assert checks.over_capacity(Decimal("1000000"), Decimal("1000")) is None


def test_every_rule_explains_itself_in_both_languages() -> None:
    for rid, rule in RULES.items():
        for lang in ("zh-CN", "en"):
            text = explain(rid, lang)
            assert text and "{" not in text, (rid, lang)
        assert rule.trigger in ("event", "sweep")
        assert rule.severity in ("critical", "warning", "info")
