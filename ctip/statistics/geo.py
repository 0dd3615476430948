"""Cambodia's provinces as SVG paths: projected and simplified once per process, then cached.

The boundaries are geoBoundaries ADM1 (ODbL, © OpenStreetMap contributors, geoBoundaries;
see data/README.md), joined to the gazetteer on `shapeISO` = `Province.iso3166_2`.
"""

import json
import math
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

GEOJSON = Path(__file__).parent / "data" / "provinces_geoboundaries_adm1.geojson"
ATTRIBUTION = _("Boundaries: © OpenStreetMap contributors, geoBoundaries (ODbL 1.0)")
WIDTH = 600.0
# Simplification tolerance in output pixels: finer than a phone can show.
TOLERANCE = 0.6

Point = tuple[float, float]


def _simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker, iterative (no recursion limit on long coastlines)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0:
                d = math.hypot(px - x1, py - y1)
            else:
                d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            if d > worst:
                worst, index = d, i
        if worst > tolerance and index > 0:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


@lru_cache(maxsize=1)
def province_paths() -> tuple[dict[str, str], tuple[float, float]]:
    """SVG path data by ISO 3166-2 code, and the (width, height) of the drawing."""
    data = json.loads(GEOJSON.read_text(encoding="utf-8"))
    polygons_by_iso: dict[str, list] = {}
    lons, lats = [], []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        polygons_by_iso[feature["properties"]["shapeISO"]] = polygons
        for polygon in polygons:
            for ring in polygon:
                for lon, lat in ring:
                    lons.append(lon)
                    lats.append(lat)
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    # Equirectangular, scaled by the cosine of the middle latitude: true enough at 10–15°N.
    kx = math.cos(math.radians((south + north) / 2))
    scale = WIDTH / ((east - west) * kx)
    height = (north - south) * scale

    def project(lon: float, lat: float) -> Point:
        return ((lon - west) * kx * scale, (north - lat) * scale)

    paths = {}
    for iso, polygons in polygons_by_iso.items():
        parts = []
        for polygon in polygons:
            for ring in polygon:
                points = _simplify([project(lon, lat) for lon, lat in ring], TOLERANCE)
                if len(points) < 4:
                    continue  # an islet smaller than a pixel
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points[:-1]) + "Z")
        paths[iso] = "".join(parts)
    return paths, (WIDTH, round(height, 1))
