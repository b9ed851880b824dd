"""Distances and the public position: the one place that says where the public sees a project and what lies within
a radius of a point. Plain numbers and numpy arrays; no database, no Flask."""

from __future__ import annotations

import math

import numpy as np
from pyproj import Geod

WGS84 = Geod(ellps="WGS84")
ROUGH_DECIMALS = 2  # "Standort nur ungefähr": 0.01° is about 1.1 km north–south, 0.7 km east–west
ROUGH_SLACK = 0.5 * 10**-ROUGH_DECIMALS  # a rounded position lies at most this far (in degrees) from the exact one


def distance_km(lat1, lon1, lat2, lon2):
    """Distance on the WGS84 ellipsoid; numbers or arrays (pyproj's geodesic, about 100× faster than geopy's)."""
    _azimuth, _back, metres = WGS84.inv(lon1, lat1, lon2, lat2)
    return metres / 1000.0


def public_position(values: np.ndarray, approximate: np.ndarray) -> np.ndarray:
    """Latitudes or longitudes as the public sees them: rounded to about 1 km where the submitter asked for it."""
    return np.where(approximate, np.round(values, ROUGH_DECIMALS), values)


def box_around(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(south, north, west, east) of a box that holds every exact position whose public one may lie within the
    radius: what a database asks of its indexed coordinates before the exact distance is measured."""
    dlat = radius_km / 110.5 + ROUGH_SLACK
    dlon = radius_km / (111.3 * max(math.cos(math.radians(lat)), 0.01)) + ROUGH_SLACK
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def within(area, lats, lons, approximate) -> np.ndarray:
    """Which of these exact positions lie, as the public sees them, within `area` (lat, lon, radius_km)."""
    return distances(area.lat, area.lon, lats, lons, approximate) <= area.radius_km


def distances(lat: float, lon: float, lats, lons, approximate) -> np.ndarray:
    """Kilometres from a point to each project's public position."""
    lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
    if not len(lats):
        return np.zeros(0)
    rough = np.asarray(approximate, dtype=bool)
    return distance_km(np.full(len(lats), lat), np.full(len(lats), lon), public_position(lats, rough),
                       public_position(lons, rough))
