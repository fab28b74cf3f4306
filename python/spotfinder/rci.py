"""Rocking-curve imaging for lab tools: reduced scans as NumPy maps, ROOT files in the original toolkit's
layout, and the server's reduce and build (also as `Client.rci_reduce`, `Client.rci_build`).

    import spotfinder, spotfinder.rci as rci
    c = spotfinder.Client("127.0.0.1:7100", token=TOKEN)
    c.rci_reduce("demo/front_thetah")                       # a folder under the edge's scans root
    rci.write_root(c, "demo-front-thetah", "front_h.root")  # TH2D hmu, hmu_moco, hsigma, ... (0 = no data)
    scan = rci.read_root("old_results.root", name="JD70-103_h", rocking="thetah", face="front", pixel_mm=0.01)
    c.put_reduced_scan(scan, angles_urad=range(-120, 121, 2))   # then c.rci_build(...) uses it

Maps are NumPy arrays indexed [row, column], row 0 the image's first (top) row, as the server keeps them.
In a ROOT file the image stands upright: bin (ix, iy) is column ix, row height − 1 − iy, axes in mm from
the image's lower-left corner. The toolkit's convention holds in ROOT files: a bin of exactly 0 is "no data".
"""
import json
import math

import numpy as np

from .errors import INVALID_ARGUMENT, SpotfinderError
from . import spotfinder_pb2 as pb

REDUCE_SCAN_FOLDER = "/spotfinder.v1.Edge/ReduceScanFolder"
BUILD_RADIATOR = "/spotfinder.v1.Edge/BuildRadiator"
GET_BUILD_REPORT = "/spotfinder.v1.Edge/GetBuildReport"
LIST_REDUCED_SCANS = "/spotfinder.v1.TopographStore/ListReducedScans"
GET_REDUCED_SCAN = "/spotfinder.v1.TopographStore/GetReducedScan"
PUT_REDUCED_SCAN = "/spotfinder.v1.TopographStore/PutReducedScan"

# The toolkit's histogram names, in the order a file lists them.
ROOT_MAPS = ("hmu", "hmu_moco", "hsigma", "hsigma_moco", "hamp", "hbase", "hfwhm", "hintegral", "hmu_err", "hsnr", "hchi2", "heta")
# Values in one put or get call at most (the store's limit).
VALUES_PER_CALL = 3_500_000


def invalid(message):
    return SpotfinderError(INVALID_ARGUMENT, message)


def _query(**params):
    from urllib.parse import urlencode
    return urlencode({k: v for k, v in params.items() if v is not None})


def _json_call(client, method, query, timeout):
    r = client.call(method, pb.RCIRequest(token=client.token or "", query=query), pb.RCIResponse, timeout)
    return json.loads(r.json)


def reduce(client, folder, method="moments", motor=None, timeout=3600.0):
    """Reduce a raw scan folder (relative to the edge's scans root) on the server, its tiles over the nodes;
    the reduced scan is stored under its manifest name. Returns the answer of POST /api/rci/reduce."""
    return _json_call(client, REDUCE_SCAN_FOLDER, _query(folder=folder, method=method, motor=motor), timeout)


def build(client, radiator_name, thickness_um, front_h, front_v, back_h=None, back_v=None, timeout=900.0):
    """Build a radiator on the server from stored reduced scans and store it with its build report.
    Returns the answer of POST /api/rci/build (verdicts per scan, curl and residual, maps)."""
    return _json_call(client, BUILD_RADIATOR, _query(radiator_name=radiator_name, thickness_um=thickness_um, front_h=front_h,
                                                     front_v=front_v, back_h=back_h, back_v=back_v), timeout)


def build_report(client, radiator_name, timeout=None):
    """The stored build report of a radiator built on the server (GET /api/rci/build_report)."""
    return _json_call(client, GET_BUILD_REPORT, _query(radiator_name=radiator_name), timeout)


def _facts(f):
    return {"name": f.name, "rocking": f.rocking, "face": f.face, "sample_rotation_deg": f.sample_rotation_deg, "mirror": f.mirror,
            "pixel_x_mm": f.pixel_x_mm, "pixel_y_mm": f.pixel_y_mm, "width": f.width, "height": f.height,
            "angles_urad": list(f.angles_urad), "motor_errors_urad": list(f.motor_errors_urad), "method": f.method,
            "maps": list(f.maps), "folder": f.folder, "notes": f.notes,
            "validity_counts": {c.reason: c.pixels for c in f.validity_counts}}


def reduced_scans(client, timeout=None):
    """The store's reduced scans: their facts (name, rocking, face, size, pixel, angles, maps, ...)."""
    r = client.call(LIST_REDUCED_SCANS, pb.ListReducedScansRequest(), pb.ListReducedScansResponse, timeout)
    return [_facts(s.facts) for s in r.scans]


def reduced_scan(client, scan_name, maps=None, timeout=60.0):
    """One stored scan: its facts and maps (NumPy float32 [row, column], NaN = no data; "validity" holds the
    PixelValidity codes). `maps`: names to read (default every one the scan holds, and "validity")."""
    deadline = client.deadline(timeout)
    head = client.call(GET_REDUCED_SCAN, pb.GetReducedScanRequest(scan_name=scan_name), pb.GetReducedScanResponse, deadline=deadline)
    facts = _facts(head.scan.facts)
    width, height = facts["width"], facts["height"]
    out = {}
    for name in (maps if maps is not None else facts["maps"]):
        values = np.empty(width * height, dtype=np.float32)
        row = 0
        while row < height:
            r = client.call(GET_REDUCED_SCAN, pb.GetReducedScanRequest(scan_name=scan_name, map=name, first_row=row), pb.GetReducedScanResponse,
                            deadline=deadline)
            band = r.band
            if band.rows == 0:
                raise SpotfinderError(13, f"{scan_name}: the store sent an empty band of {name} at row {row}")
            values[row * width:(row + band.rows) * width] = np.asarray(band.values, dtype=np.float32)
            row += band.rows
        out[name] = values.reshape(height, width)
    facts["values"] = out
    return facts


def put_reduced_scan(client, scan, angles_urad=None, motor_errors_urad=None, method="moments", notes="", timeout=120.0):
    """Store a scan given as maps (what `read_root` returns: name, rocking, face, pixel sizes and
    `values` {map: [row, column] array}) in the store, so `rci_build` can use it. The store keeps each
    scan's angles: give `angles_urad` (one per image of the original scan) when the scan has none."""
    angles = list(scan.get("angles_urad") or []) if angles_urad is None else [float(a) for a in angles_urad]
    if len(angles) < 5:
        raise invalid(f"angles_urad: {len(angles)} angles; the store keeps a scan's rocking angles (at least 5): give the original scan's")
    values = scan.get("values") or {}
    maps = [m for m in ROOT_MAPS if m in values]
    if not maps:
        raise invalid(f"values: no map named {', '.join(ROOT_MAPS)}")
    height, width = np.asarray(values[maps[0]]).shape
    for m in maps:
        if np.asarray(values[m]).shape != (height, width):
            raise invalid(f"values['{m}']: shape {np.asarray(values[m]).shape}, but {maps[0]} is {(height, width)}")
    validity = values.get("validity")
    if validity is None:
        peak = np.asarray(values["hmu_moco" if "hmu_moco" in values else maps[0]], dtype=np.float64)
        validity = np.where(np.isfinite(peak), 0, 4)  # too_weak where the toolkit had no data
    facts = pb.ReducedScanFacts(name=scan["name"], rocking=scan["rocking"], face=scan["face"],
                                sample_rotation_deg=float(scan.get("sample_rotation_deg", 0)), mirror=bool(scan.get("mirror", False)),
                                pixel_x_mm=float(scan["pixel_x_mm"]), pixel_y_mm=float(scan["pixel_y_mm"]), width=width, height=height,
                                angles_urad=angles, motor_errors_urad=list(motor_errors_urad or []), method=method, maps=maps,
                                notes=notes or scan.get("notes", ""))
    deadline = client.deadline(timeout)
    token = client.token or ""
    upload = client.call(PUT_REDUCED_SCAN, pb.PutReducedScanRequest(token=token, facts=facts), pb.PutReducedScanResponse, deadline=deadline).upload_id
    rows_per_call = max(1, VALUES_PER_CALL // width)
    for name, array in [(m, values[m]) for m in maps] + [("validity", validity)]:
        flat = np.asarray(array, dtype=np.float32).reshape(height, width)
        for first in range(0, height, rows_per_call):
            rows = min(rows_per_call, height - first)
            band = pb.ReducedScanBand(map=name, first_row=first, rows=rows, values=flat[first:first + rows].ravel().tolist())
            client.call(PUT_REDUCED_SCAN, pb.PutReducedScanRequest(token=token, upload_id=upload, bands=[band]), pb.PutReducedScanResponse,
                        deadline=deadline)
    done = client.call(PUT_REDUCED_SCAN, pb.PutReducedScanRequest(token=token, upload_id=upload, commit=True), pb.PutReducedScanResponse,
                       deadline=deadline)
    return _facts(done.scan.facts)


def write_root(client_or_maps, scan_name, path, timeout=120.0):
    """Write a reduced scan's maps as TH2D histograms named as the original toolkit's (hmu, hmu_moco,
    hsigma, hsigma_moco, hamp, hbase, and the others the scan holds), NaN written as 0 (the toolkit's
    "no data"), axes in mm. `client_or_maps`: a Client (the scan is read from the store) or a dict as
    `reduced_scan` returns. Returns the names written."""
    import uproot
    scan = reduced_scan(client_or_maps, scan_name, timeout=timeout) if hasattr(client_or_maps, "call") else client_or_maps
    values = scan["values"]
    names = [m for m in ROOT_MAPS if m in values]
    if not names:
        raise invalid(f"{scan_name}: no map named {', '.join(ROOT_MAPS)} to write")
    height, width = np.asarray(values[names[0]]).shape
    xe = np.linspace(0.0, width * float(scan["pixel_x_mm"]), width + 1)
    ye = np.linspace(0.0, height * float(scan["pixel_y_mm"]), height + 1)
    with uproot.recreate(path) as f:
        for name in names:
            image = np.asarray(values[name], dtype=np.float64)
            upright = np.nan_to_num(image[::-1, :], nan=0.0, posinf=0.0, neginf=0.0)  # [iy, ix], iy = 0 the bottom row
            f[name] = (upright.T, xe, ye)
    return names


def read_root(path, name, rocking, face, pixel_mm=None, peak="hmu_moco", intensity="hamp", sample_rotation_deg=0.0, mirror=False):
    """A results file of the original toolkit (TH2 maps such as hmu_moco and hamp, 0 = no data) as a
    scan for `put_reduced_scan` and the server's build: name, rocking ("thetah"/"thetav"), face
    ("front"/"back"), pixel sizes (from the histogram's bins, or `pixel_mm`) and `values`
    {map: [row, column] float32, NaN = no data}."""
    import uproot
    if rocking not in ("thetah", "thetav"):
        raise invalid(f"rocking = '{rocking}': allowed thetah, thetav")
    if face not in ("front", "back"):
        raise invalid(f"face = '{face}': allowed front, back")
    try:
        f = uproot.open(path)
    except Exception as e:
        raise invalid(f"{path}: not a readable ROOT file ({e})") from None
    with f:
        values = {}
        px = py = None
        for key in dict.fromkeys([peak, intensity, *ROOT_MAPS]):
            if key not in f:
                if key == peak:
                    raise invalid(f"{path}: no histogram '{peak}' (the file has {', '.join(sorted(k.split(';')[0] for k in f.keys()))})")
                continue
            h = f[key]
            if not hasattr(h, "to_numpy") or len(h.axes) != 2:
                continue
            counts, xe, ye = h.to_numpy(flow=False)
            dx, dy = np.diff(xe), np.diff(ye)
            if not (np.allclose(dx, dx[0]) and np.allclose(dy, dy[0])):
                raise invalid(f"{path}:{key}: bins are not uniform; rebin in ROOT first")
            px, py = (float(dx[0]), float(dy[0])) if pixel_mm is None else (float(pixel_mm), float(pixel_mm))
            image = np.asarray(counts, dtype=np.float64).T[::-1, :].astype(np.float32)  # [row, column], row 0 at the top
            image[image == 0] = np.nan
            name_out = "hmu_moco" if key == peak else "hamp" if key == intensity else key
            values[name_out] = image
    if not (px and py and math.isfinite(px) and math.isfinite(py) and px > 0 and py > 0):
        raise invalid(f"{path}: the pixel size is unknown or not positive: give pixel_mm")
    return {"name": name, "rocking": rocking, "face": face, "sample_rotation_deg": float(sample_rotation_deg), "mirror": bool(mirror),
            "pixel_x_mm": px, "pixel_y_mm": py, "values": values}
