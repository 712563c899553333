"""The GCJ-02 <-> WGS-84 conversion on known points."""

import pytest

from waste_tracker.geo.distance import haversine_m
from waste_tracker.geo.gcj02 import gcj02_to_wgs84, out_of_china, wgs84_to_gcj02


def test_forward_matches_published_reference_point() -> None:
    # Tiananmen, the reference value published with the public-domain formula (coordtransform).
    lon, lat = wgs84_to_gcj02(116.404, 39.915)
    assert lon == pytest.approx(116.41024449916938, abs=1e-9)
    assert lat == pytest.approx(39.91640428150164, abs=1e-9)


@pytest.mark.parametrize("point", [(120.755, 30.746), (120.688, 30.525), (121.014, 30.699), (116.404, 39.915)])
def test_inverse_round_trips_to_within_a_centimetre(point: tuple[float, float]) -> None:
    g = wgs84_to_gcj02(*point)
    back = gcj02_to_wgs84(*g)
    assert haversine_m(*point, *back) < 0.01


def test_offset_around_jiaxing_is_about_490_m_east_south_east() -> None:
    wgs = (120.755, 30.746)
    g = wgs84_to_gcj02(*wgs)
    assert 400 < haversine_m(*wgs, *g) < 600
    assert g[0] > wgs[0]  # east
    assert g[1] < wgs[1]  # south


def test_outside_china_is_unchanged() -> None:
    assert out_of_china(2.35, 48.85)
    assert gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)
