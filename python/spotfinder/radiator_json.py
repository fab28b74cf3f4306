"""The radiator import layout of the README (JSON), checked as the store checks it
(Sources/Topography/RadiatorValidation.swift), and turned into the wire's Radiator message."""
import math
import re

import numpy as np

from . import spotfinder_pb2 as pb
from .errors import INVALID_ARGUMENT, SpotfinderError

MAX_PIXELS = 4_000_000
MAX_TILT_URAD = 20_000.0
NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def invalid(message):
    return SpotfinderError(INVALID_ARGUMENT, message)


def validate(radiator):
    """Raise SpotfinderError(INVALID_ARGUMENT) naming the field and what is allowed, as the store would."""
    try:
        _validate(radiator)
    except KeyError as e:
        raise invalid(f"the radiator does not follow the import layout: missing field {e}") from None
    except (TypeError, AttributeError, ValueError) as e:
        raise invalid(f"the radiator does not follow the import layout (README, 'Radiators and their files'): {e}") from None


def _validate(radiator):
    name = radiator.get("name", "")
    if not isinstance(name, str) or not NAME.match(name) or name == "ideal" or name.startswith("."):
        raise invalid(f"name '{name}' is not allowed: 1–64 letters, digits, '-', '_' or '.', not 'ideal', not starting with '.'")
    if radiator.get("crystal", "diamond") not in ("diamond", "silicon"):
        raise invalid(f"crystal '{radiator.get('crystal')}' is not known: must be diamond or silicon")
    t = radiator.get("thickness_um")
    if not isinstance(t, (int, float)) or not math.isfinite(t) or not 1 <= t <= 5000:
        raise invalid(f"thickness_um = {t} is out of range: must be in [1, 5000] µm")
    views = radiator.get("views") or []
    if not views:
        raise invalid(f"radiator {name} has no views: give at least the front")
    if len({v.get("view") for v in views}) != len(views):
        raise invalid(f"radiator {name} has the same view twice")
    for v in views:
        label = f"{name} {v.get('view')} view"
        if v.get("view") not in ("front", "back"):
            raise invalid(f"view '{v.get('view')}' is not front or back")
        g = v["grid"]
        n = g["columns"] * g["rows"]
        if g["columns"] < 2 or g["rows"] < 2 or n > MAX_PIXELS:
            raise invalid(f"{label}: grid of {g['columns']} × {g['rows']} pixels: must be at least 2 × 2 and at most {MAX_PIXELS} pixels")
        if not (math.isfinite(g["pixel_mm"]) and 0.001 <= g["pixel_mm"] <= 1):
            raise invalid(f"{label}: pixel_mm = {g['pixel_mm']} is out of range: must be in [0.001, 1] mm")
        if not all(math.isfinite(g[k]) and abs(g[k]) <= 100 for k in ("origin_x_mm", "origin_y_mm")):
            raise invalid(f"{label}: origin must be finite and within ±100 mm")
        for field in ("thetah_urad", "thetav_urad", "mask"):
            if len(v[field]) != n:
                raise invalid(f"{label}: {field} has {len(v[field])} values but the grid has {g['columns']} × {g['rows']} = {n} pixels")
        mask = np.asarray(v["mask"])
        if not np.isin(mask, (0, 1, 2)).all():
            raise invalid(f"{label}: mask values must be 0 (nothing), 1 (crystal) or 2 (mount)")
        crystal = np.flatnonzero(mask == 1)
        if len(crystal) == 0:
            raise invalid(f"{label}: the mask has no crystal pixels")
        for field in ("thetah_urad", "thetav_urad"):
            a = np.array([np.nan if x is None else x for x in v[field]], dtype=float)[crystal]
            bad = np.flatnonzero(~np.isfinite(a) | (np.abs(np.nan_to_num(a)) > MAX_TILT_URAD))
            if len(bad):
                i = int(crystal[bad[0]])
                where = f"column {i % g['columns']}, row {i // g['columns']}"
                if not math.isfinite(a[bad[0]]):
                    raise invalid(f"{label}: {field} at {where} is not a number, but the mask says crystal there")
                raise invalid(f"{label}: {field} = {a[bad[0]]} µrad at {where} is absurd: must be within ±{int(MAX_TILT_URAD)} µrad")


def to_message(radiator):
    """The wire's Radiator for an import-layout dict (validated first)."""
    validate(radiator)
    out = pb.Radiator(name=radiator["name"], crystal=radiator.get("crystal", "diamond"),
                      thickness_um=float(radiator["thickness_um"]), notes=radiator.get("notes", ""))
    for v in radiator["views"]:
        g = v["grid"]
        out.views.append(pb.RadiatorView(
            view=v["view"],
            grid=pb.Grid(origin_x_mm=g["origin_x_mm"], origin_y_mm=g["origin_y_mm"], pixel_mm=g["pixel_mm"], columns=g["columns"], rows=g["rows"]),
            thetah_urad=[math.nan if x is None else x for x in v["thetah_urad"]],
            thetav_urad=[math.nan if x is None else x for x in v["thetav_urad"]],
            mask=bytes(int(m) for m in v["mask"])))
    return out
