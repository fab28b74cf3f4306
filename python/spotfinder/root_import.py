"""Radiators from ROOT files: two TH2 tilt maps (TH2D, TH2F or subclasses such as the original tool's
Map2D, by name, also inside directories) read with uproot, turned into the README's import JSON.

Conventions (README, "Bring your own diamond"): axes in mm (axis_unit), tilts in µrad (tilt_unit);
a bin where both tilts are exactly 0 (the original tool's empty bins) or either is NaN/±inf is
"nothing"; an optional mask histogram makes its zero (or NaN) bins "nothing"; an optional mount
rectangle (x0, y0, x1, y1 in mm) makes the bins whose centres lie in it "mount". Bins must be
square and uniform: other binnings are refused (rebin in ROOT first), never resampled.
The original tool's scans keep each direction's map in its own results file under the same name
(hmu_moco): a map may be named in another file as `OTHER.root:NAME` (uproot's file:object form).
"""
import argparse
import json
import math
import os
import re
import sys
import tempfile

import numpy as np

from .errors import INVALID_ARGUMENT, SpotfinderError
from .radiator_json import validate

AXIS_UNITS = {"mm": 1.0, "um": 1e-3, "cm": 10.0}
TILT_UNITS = {"urad": 1.0, "mrad": 1e3, "rad": 1e6}


def invalid(message):
    return SpotfinderError(INVALID_ARGUMENT, message)


def import_root(path, thetah=None, thetav=None, mask=None, name=None, view="front", thickness_um=None, crystal="diamond",
                notes=None, mount=None, axis_unit="mm", tilt_unit="urad", output=None, store=None, token=None, timeout=60.0):
    """Build a radiator (the README's import JSON, as a dict) from the TH2 maps `thetah` and `thetav`
    in the ROOT file at `path`; validated as the store validates. With `output`, also write it there
    (atomically); with `store` ("HOST:PORT" of the topograph-store or the edge), also import it there with `token`.
    Raises SpotfinderError (status INVALID_ARGUMENT) with a sentence naming what is wrong."""
    if view not in ("front", "back"):
        raise invalid(f"view = '{view}' is not allowed: must be front or back")
    if axis_unit not in AXIS_UNITS:
        raise invalid(f"axis_unit = '{axis_unit}' is not allowed: must be one of {', '.join(AXIS_UNITS)}")
    if tilt_unit not in TILT_UNITS:
        raise invalid(f"tilt_unit = '{tilt_unit}' is not allowed: must be one of {', '.join(TILT_UNITS)}")
    histograms = _RootFile(path)
    files = {str(path): histograms}

    def read(spec, parameter):
        other, key = _split_source(spec)
        if other is None:
            return histograms.map(spec, parameter)
        if other not in files:
            files[other] = _RootFile(other)
        return files[other].map(key, parameter)

    h, grid = read(thetah, "thetah")
    v, grid_v = read(thetav, "thetav")
    _same_binning(grid, grid_v, thetah, thetav)
    if thickness_um is None:  # after the maps: a first try without names learns them from the message
        raise invalid("thickness_um is required: the radiator's thickness in µm, in [1, 5000]")
    h, v = h * TILT_UNITS[tilt_unit], v * TILT_UNITS[tilt_unit]
    nothing = ((h == 0) & (v == 0)) | ~np.isfinite(h) | ~np.isfinite(v)
    if mask is not None:
        m, grid_m = read(mask, "mask")
        _same_binning(grid, grid_m, thetah, mask)
        nothing |= (m == 0) | ~np.isfinite(m)
    kind = np.where(nothing, 0, 1).astype(np.uint8)
    scale = AXIS_UNITS[axis_unit]
    pixel = grid["dx"] * scale
    origin_x, origin_y = (grid["x0"] + grid["dx"] / 2) * scale, (grid["y0"] + grid["dy"] / 2) * scale
    rows, columns = h.shape
    if mount is not None:
        x0, y0, x1, y1 = _rectangle(mount)
        xs = origin_x + np.arange(columns) * pixel
        ys = origin_y + np.arange(rows) * pixel
        inside = (ys[:, None] >= y0) & (ys[:, None] <= y1) & (xs[None, :] >= x0) & (xs[None, :] <= x1)
        kind[inside] = 2
    radiator = {
        "name": name if name is not None else _default_name(path),
        "crystal": crystal,
        "thickness_um": float(thickness_um),
        "notes": notes if notes is not None else f"imported from {os.path.basename(str(path))} ({thetah}, {thetav})",
        "views": [{
            "view": view,
            "grid": {"origin_x_mm": round(float(origin_x), 9), "origin_y_mm": round(float(origin_y), 9), "pixel_mm": round(float(pixel), 12),
                     "columns": int(columns), "rows": int(rows)},
            "thetah_urad": _tilts(h, kind), "thetav_urad": _tilts(v, kind),
            "mask": kind.ravel().tolist(),
        }],
    }
    validate(radiator)
    if output is not None:
        write_json(radiator, output)
    if store is not None:
        from .client import Client
        with Client(store, token=token, timeout=timeout) as c:
            c.import_radiator(radiator)
    return radiator


def write_json(radiator, path):
    """Write atomically: a temporary file in the same folder, then rename (never half a file)."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".radiator-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(radiator, f, separators=(",", ":"))
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


class _RootFile:
    """The TH2 maps of one ROOT file, found by name or path; every uproot failure becomes a clear error."""

    def __init__(self, path):
        import uproot  # imported here: the client alone does not need it
        self.uproot, self.path = uproot, str(path)
        self.label = os.path.basename(self.path)  # messages name the file, not where it sits (uploads sit in a temporary folder)
        if not os.path.isfile(self.path):
            raise invalid(f"cannot read {self.label}: no such file")
        with open(self.path, "rb") as f:
            magic = f.read(4)
        if magic != b"root":
            raise invalid(f"{self.label} is not a ROOT file (it does not start with 'root'); give a .root file written by ROOT or uproot")
        try:
            self.file = uproot.open(self.path)
            self.classes = {k.rsplit(";", 1)[0]: c for k, c in self.file.classnames(recursive=True).items()}
            end, size = int(self.file.file.fEND), os.path.getsize(self.path)
        except Exception as e:
            raise invalid(f"{self.label} is a damaged or truncated ROOT file: {type(e).__name__}: {_first_line(e)}") from None
        if size < end:  # the header knows the length: a cut-off copy is refused even if the maps came first
            raise invalid(f"{self.label} is truncated: its header says {end} bytes, the file has {size}")

    def listing(self):
        items = [f"{k} ({c})" for k, c in sorted(self.classes.items()) if c != "TDirectory"]
        return ", ".join(items) if items else "nothing"

    def map(self, name, parameter):
        """(values[row, column] with row 0 at the lowest y, grid) of the 2-D histogram `name`."""
        key = self._find(name, parameter)
        try:
            obj = self.file[key]
        except Exception as e:
            raise invalid(f"{parameter} = '{name}': cannot read it from {self.label} (damaged or truncated?): {type(e).__name__}: {_first_line(e)}") from None
        cls = self.classes.get(key, type(obj).__name__)
        th2 = _with_behaviour(obj, self.uproot.behaviors.TH2.TH2)
        if th2 is None:
            kind = "a 1-D histogram" if _with_behaviour(obj, self.uproot.behaviors.TH1.TH1) is not None else "not a histogram"
            raise invalid(f"{parameter} = '{name}' is a {cls}, {kind}: it needs a 2-D map (TH2D, TH2F or a subclass such as Map2D)")
        obj = th2
        try:
            values = np.asarray(obj.values(flow=False), dtype=float)
            xe, ye = np.asarray(obj.axis(0).edges(), dtype=float), np.asarray(obj.axis(1).edges(), dtype=float)
        except Exception as e:
            raise invalid(f"{parameter} = '{name}' ({cls}): cannot read its bins: {type(e).__name__}: {_first_line(e)}") from None
        dx, dy = _uniform(xe, parameter, name, "x"), _uniform(ye, parameter, name, "y")
        if not math.isclose(dx, dy, rel_tol=1e-6):
            raise invalid(f"{parameter} = '{name}': bins are {dx:g} wide in x but {dy:g} in y; Spotfinder needs square pixels "
                          f"(rebin in ROOT, e.g. TH2::Rebin2D, so both are equal)")
        return values.T.copy(), {"x0": xe[0], "y0": ye[0], "dx": dx, "dy": dy, "shape": values.shape, "xe": xe, "ye": ye}

    def _find(self, name, parameter):
        if not name:
            raise invalid(f"{parameter} is required: the name of the {parameter} map; {self.label} has {self.listing()}")
        wanted = str(name).strip("/")
        if wanted in self.classes:
            return wanted
        matches = [k for k in self.classes if k.rsplit("/", 1)[-1] == wanted]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise invalid(f"{parameter} = '{name}' is ambiguous in {self.label}: {', '.join(sorted(matches))}; give the path")
        raise invalid(f"{parameter} = '{name}': no such histogram in {self.label}; it has {self.listing()}")


def _split_source(spec):
    """'OTHER.root:NAME' → (OTHER.root, NAME): a map in another file; anything else → (None, spec)."""
    text = str(spec) if spec is not None else ""
    head, marker, name = text.rpartition(".root:")
    return (head + ".root", name) if marker and head else (None, spec)


def _with_behaviour(obj, behaviour):
    """`obj` itself, or the base part of a user class that has `behaviour`: uproot reads a class it
    does not know (the original tool's Map2D : TH2D) from the file's streamers, with its C++ bases
    as `.bases` but without their Python behaviours."""
    pending = [obj]
    while pending:
        o = pending.pop(0)
        if isinstance(o, behaviour):
            return o
        pending.extend(getattr(o, "bases", None) or [])
    return None


def _uniform(edges, parameter, name, axis):
    d = np.diff(edges)
    if len(d) < 2 or not np.all(np.isfinite(edges)) or not np.all(d > 0):
        raise invalid(f"{parameter} = '{name}': the {axis} axis needs at least 2 increasing bins")
    if not np.allclose(d, d.mean(), rtol=1e-6, atol=0):
        raise invalid(f"{parameter} = '{name}': the {axis} axis has variable bin widths; Spotfinder needs a regular grid of square pixels")
    return float((edges[-1] - edges[0]) / len(d))


def _same_binning(a, b, name_a, name_b):
    if a["shape"] != b["shape"] or not (np.allclose(a["xe"], b["xe"], rtol=0, atol=1e-9 * a["dx"] + 1e-12)
                                        and np.allclose(a["ye"], b["ye"], rtol=0, atol=1e-9 * a["dy"] + 1e-12)):
        raise invalid(f"'{name_a}' ({a['shape'][0]} × {a['shape'][1]} bins, x from {a['x0']:g}, y from {a['y0']:g}) and "
                      f"'{name_b}' ({b['shape'][0]} × {b['shape'][1]} bins, x from {b['x0']:g}, y from {b['y0']:g}) must have the same binning")


def _rectangle(mount):
    try:
        x0, y0, x1, y1 = (float(x) for x in (mount.split(",") if isinstance(mount, str) else mount))
    except (TypeError, ValueError):
        raise invalid(f"mount = {mount!r}: give the rectangle as x0,y0,x1,y1 in mm") from None
    if not all(math.isfinite(t) for t in (x0, y0, x1, y1)) or x0 >= x1 or y0 >= y1:
        raise invalid(f"mount = {mount!r}: need finite x0 < x1 and y0 < y1 (mm)")
    return x0, y0, x1, y1


def _tilts(a, kind):
    out = np.round(a, 4).ravel().astype(object)
    out[(kind.ravel() == 0) | ~np.isfinite(a.ravel())] = None
    return out.tolist()


def _default_name(path):
    stem = os.path.splitext(os.path.basename(str(path)))[0]
    return (re.sub(r"[^A-Za-z0-9_.-]", "-", stem).lstrip(".") or "radiator")[:64]


def _first_line(e):
    return (str(e).strip().splitlines() or [""])[0][:300]


def main(argv=None):
    """spotfinder-root2json FILE.root --thetah NAME --thetav NAME --thickness-um UM [...] > radiator.json"""
    ap = argparse.ArgumentParser(prog="spotfinder-root2json",
                                 description="Convert two TH2 tilt maps in a ROOT file into Spotfinder's radiator import JSON.")
    ap.add_argument("file", help="the ROOT file")
    # Required, but checked by import_root: its message lists the file's histograms.
    ap.add_argument("--thetah", help="(required) histogram of the horizontal tilt θH (µrad), e.g. hmu_moco or dir/hmu_moco")
    ap.add_argument("--thetav", help="(required) histogram of the vertical tilt θV (µrad); OTHER.root:NAME reads it from another "
                                     "file (the original tool kept each scan's hmu_moco in its own results file)")
    ap.add_argument("--thickness-um", type=float, help="(required) radiator thickness, µm, in [1, 5000]")
    ap.add_argument("--mask", help="optional histogram whose zero bins are not crystal")
    ap.add_argument("--mount", help="optional mount rectangle x0,y0,x1,y1 (mm, histogram axes)")
    ap.add_argument("--name", help="radiator name (default: the file's name)")
    ap.add_argument("--view", default="front", choices=["front", "back"])
    ap.add_argument("--crystal", default="diamond", choices=["diamond", "silicon"])
    ap.add_argument("--notes")
    ap.add_argument("--axis-unit", default="mm", choices=list(AXIS_UNITS))
    ap.add_argument("--tilt-unit", default="urad", choices=list(TILT_UNITS))
    ap.add_argument("-o", "--output", help="write the JSON to this file instead of standard output")
    # The token only from the environment, as every Spotfinder program takes it: a command line shows in `ps`.
    ap.add_argument("--send", metavar="HOST:PORT", help="import it into a running store (or through the edge) instead of printing; "
                                                        "the token is $SPOTFINDER_TOKEN")
    a = ap.parse_args(argv)
    try:
        radiator = import_root(a.file, a.thetah, a.thetav, mask=a.mask, name=a.name, view=a.view, thickness_um=a.thickness_um,
                               crystal=a.crystal, notes=a.notes, mount=a.mount, axis_unit=a.axis_unit, tilt_unit=a.tilt_unit,
                               output=a.output)
        if a.send:
            from .client import Client
            with Client(a.send, token=os.environ.get("SPOTFINDER_TOKEN")) as c:
                print(json.dumps(c.import_radiator(radiator), sort_keys=True))
        elif a.output is None:
            json.dump(radiator, sys.stdout, separators=(",", ":"))
            sys.stdout.write("\n")
    except SpotfinderError as e:
        print(f"spotfinder-root2json: error: {e.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
