"""What lies within a circle: the quick look (geo.inside_circle) answers as the ellipsoid's distance does."""

from __future__ import annotations

import numpy as np
import pytest

from atlas.geo import WGS84, distance_km, inside_circle


@pytest.mark.parametrize("radius_km", [0.5, 5, 10, 25, 50, 400, 3000])
@pytest.mark.parametrize("lat, lon", [(52.37, 9.73), (53.55, 6.9), (0.0, 0.0), (-33.9, 151.2), (78.2, 15.6)])
def test_a_circle_holds_what_the_distance_says(lat, lon, radius_km):
    rng = np.random.default_rng(int(radius_km * 10 + abs(lat)))
    span = radius_km / 80 + 0.01
    lats = np.clip(lat + rng.uniform(-span, span, 3000), -89.9, 89.9)
    lons = lon + rng.uniform(-2 * span, 2 * span, 3000)
    measured = distance_km(np.full(3000, lat), np.full(3000, lon), lats, lons)
    assert (inside_circle(lat, lon, lats, lons, radius_km) == (measured <= radius_km)).all()


@pytest.mark.parametrize("radius_km", [5, 50, 400])
def test_at_the_edge_the_ellipsoid_decides(radius_km):
    """Points a nanometre to a micrometre either side of the radius, in every direction: each as distance_km says."""
    azimuths = np.linspace(-180, 180, 720, endpoint=False)
    for offset in (-1e-3, -1e-6, 0.0, 1e-6, 1e-3):  # metres
        lons, lats, _back = WGS84.fwd(np.full(720, 9.73), np.full(720, 52.37), azimuths,
                                      np.full(720, radius_km * 1000 + offset))
        measured = distance_km(np.full(720, 52.37), np.full(720, 9.73), lats, lons)
        assert (inside_circle(52.37, 9.73, lats, lons, radius_km) == (measured <= radius_km)).all()


def test_the_centre_and_nothing():
    assert inside_circle(52.37, 9.73, np.array([52.37]), np.array([9.73]), 5).tolist() == [True]
    assert inside_circle(52.37, 9.73, np.zeros(0), np.zeros(0), 5).tolist() == []
