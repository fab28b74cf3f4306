"""Three topographs with known tilt fields, written as ROOT files, imported through the package, the
`spotfinder` CLI and the edge's POST /api/import; the tilt distribution under a spot is then the
analytic one. Bad ROOT input through each path: a clear error and nothing imported."""
import json
import math
import os
import subprocess
import tempfile
import urllib.parse

import numpy as np
import pytest

import spotfinder
from spotfinder import SpotfinderError
from conftest import REPO, bin_dir, centres, write_maps

# Axes far from zero, as a scan's stage coordinates: x 7..13 mm, y -12.5..-7.5 mm, 0.05 mm bins; centre (10, -10).
XE, YE = np.linspace(7.0, 13.0, 121), np.linspace(-12.5, -7.5, 101)
X, Y = np.meshgrid(centres(XE), centres(YE), indexing="ij")
CX, CY = 10.0, -10.0


def phi(z):
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


# name: (θH map, θV map, mount rectangle, spot centre on the radiator (mm), σx, σy, ρ, expectation)
# Expectations: mean/rms tilts in µrad and the fractions of the beam on crystal and mount.
CASES = {
    # θ = a + b·x: mean = a + b·x̄, rms = |b|·σ (bilinear interpolation reproduces a linear field exactly).
    "gradient": (40 + 100 * (X - CX), -25 + 60 * (Y - CY), None, (10.3, -10.2), 0.3, 0.2, 0.0,
                 dict(mean_h=70, mean_v=-37, rms_h=30, rms_v=12, on_crystal=1, on_mount=0)),
    # A spherical bow of radius 12.5 m: θH = k·x, θV = k·y; the correlation ρ leaves the marginal rms alone.
    "bow": (80 * (X - CX), 80 * (Y - CY), None, (9.6, -9.7), 0.4, 0.25, -0.6,
            dict(mean_h=-32, mean_v=24, rms_h=32, rms_v=20, on_crystal=1, on_mount=0)),
    # A flat crystal glued at its lower right corner, the spot near the corner: fractions are Gaussian quadrants.
    "corner": (np.full_like(X, 50.0), np.full_like(X, -20.0), (11.5, -12.5, 13.0, -11.0), (11.56, -11.03), 0.3, 0.3, 0.0,
               dict(mean_h=50, mean_v=-20, rms_h=0, rms_v=0, on_mount=phi(0.06 / 0.3) * phi(0.03 / 0.3))),
}
CASES["corner"][7]["on_crystal"] = 1 - CASES["corner"][7]["on_mount"]


def write_case(folder, name):
    h, v, *_ = CASES[name]
    h, v = h.copy(), v.copy()
    h[:8, -8:] = 0; v[:8, -8:] = 0  # an empty (chipped) top-left corner, far from every spot: nothing
    # The bow is written as the original tool wrote its maps: Map2D, a subclass of TH2D.
    return write_maps(os.path.join(folder, f"{name}.root"), h, v, XE, YE, as_map2d=name == "bow")


def root_options(name):
    mount = CASES[name][2]
    options = {"thetah": "hmu_moco_h", "thetav": "hmu_moco_v", "thickness_um": "50"}
    if mount:
        options["mount"] = ",".join(str(x) for x in mount)
    return options


def spot_query(name, radiator):
    _, _, _, (x, y), sx, sy, rho, _ = CASES[name]
    # The beam stays at the lab origin: radiator point under it = centre − offset.
    return urllib.parse.urlencode({"radiator_name": radiator, "rad_xoffset": round(CX - x, 9), "rad_yoffset": round(CY - y, 9),
                                   "ebeam_xsigma": sx, "ebeam_ysigma": sy, "ebeam_xycorr": rho, "ebeam_xyresol": 0.01,
                                   "rad_tilt_range": 0.4, "rad_tilt_resol": 0.001})


def check_tilt(name, t):
    e = CASES[name][7]
    assert t["fraction_on_crystal"] == pytest.approx(e["on_crystal"], abs=0.003)
    assert t["fraction_on_mount"] == pytest.approx(e["on_mount"], abs=0.003)
    assert t["mean_thetah_mr"] * 1e3 == pytest.approx(e["mean_h"], abs=0.2)
    assert t["mean_thetav_mr"] * 1e3 == pytest.approx(e["mean_v"], abs=0.2)
    assert t["rms_thetah_mr"] * 1e3 == pytest.approx(e["rms_h"], rel=0.01, abs=0.5)
    assert t["rms_thetav_mr"] * 1e3 == pytest.approx(e["rms_v"], rel=0.01, abs=0.5)


def run_cli(*args, data):
    return subprocess.run([os.path.join(bin_dir(), "spotfinder"), *args, "--data", data], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def files():
    with tempfile.TemporaryDirectory() as d:
        yield {name: write_case(d, name) for name in CASES}


@pytest.mark.parametrize("name", list(CASES))
def test_package_import_then_the_tilt_is_analytic(system, files, name):
    radiator = f"{name}-pkg"
    o = root_options(name)
    spotfinder.import_root(files[name], o["thetah"], o["thetav"], mount=o.get("mount"), thickness_um=50, name=radiator,
                           store=system.rpc, token=system.token)
    status, t = system.get("/api/tilt?" + spot_query(name, radiator))
    assert status == 200, t
    check_tilt(name, t)


@pytest.mark.parametrize("name", list(CASES))
def test_http_import_then_the_tilt_is_analytic(system, files, name):
    query = urllib.parse.urlencode({"filename": f"{name}-http.root", **root_options(name)})
    with open(files[name], "rb") as f:
        status, body = system.request("POST", "/api/import?" + query, f.read(), {"X-Spotfinder-Token": system.token})
    assert status == 200, body
    assert body["name"] == f"{name}-http" and body["views"] == ["front", "back"] and body["pixel_mm"] == pytest.approx(0.05)
    status, t = system.get("/api/tilt?" + spot_query(name, f"{name}-http"))
    assert status == 200, t
    check_tilt(name, t)


@pytest.mark.parametrize("name", list(CASES))
def test_cli_import_then_the_tilt_is_analytic(files, name, tmp_path):
    data = str(tmp_path / "radiators")
    args = [a for k, v in root_options(name).items() for a in (f"--{k.replace('_', '-')}", v)]
    r = run_cli("import", files[name], *args, "--name", f"{name}-cli", data=data)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["name"] == f"{name}-cli"
    r = run_cli("tilt", spot_query(name, f"{name}-cli"), data=data)
    assert r.returncode == 0, r.stderr
    check_tilt(name, json.loads(r.stdout))


def test_bad_root_input_through_every_path_imports_nothing(system, files, tmp_path):
    data = open(files["gradient"], "rb").read()
    truncated = data[: len(data) // 2]
    cases = [  # (body, options, expected message, parameter)
        (data, {"thetah": "hmu_mocco_h"}, "thetah = 'hmu_mocco_h': no such histogram", "thetah"),
        (truncated, {}, "is truncated", None),
        (b"x_mm,y_mm\n1,2\n", {}, "is not a ROOT file", None),
        (data, {"thickness_um": "0"}, "thickness_um = 0.0 is out of range", "thickness_um"),
    ]
    before = sorted(r["name"] for r in spotfinder.Client(system.rpc).radiators())
    for i, (body, override, message, parameter) in enumerate(cases):
        options = {**root_options("gradient"), **override}
        status, answer = system.request("POST", "/api/import?" + urllib.parse.urlencode({"filename": f"bad{i}.root", **options}), body,
                                        {"X-Spotfinder-Token": system.token})
        assert status == 400 and message in answer["error"], answer
        assert answer.get("parameter") == parameter
        if i == 0:
            assert "it has hmu_moco_h (TH2D), hmu_moco_v (TH2D)" in answer["error"]
        path = tmp_path / f"bad{i}.root"
        path.write_bytes(body)
        cli_data = str(tmp_path / f"data{i}")
        r = run_cli("import", str(path), *[a for k, v in options.items() for a in (f"--{k.replace('_', '-')}", v)], data=cli_data)
        assert r.returncode == 2 and message in r.stderr and not r.stdout
        assert not [f for f in os.listdir(cli_data) if f.startswith("bad")] if os.path.isdir(cli_data) else True
        with pytest.raises(SpotfinderError) as e:
            spotfinder.import_root(str(path), options["thetah"], options["thetav"], thickness_um=float(options["thickness_um"]),
                                   store=system.rpc, token=system.token)
        assert e.value.code == 3 and message in e.value.message
    after = sorted(r["name"] for r in spotfinder.Client(system.rpc).radiators())
    assert after == before


def test_http_import_errors_name_the_parameter_or_line(system, files):
    token = {"X-Spotfinder-Token": system.token}
    status, body = system.request("POST", "/api/import?filename=x.root&thetav=hmu_moco_v&thickness_um=50", open(files["bow"], "rb").read(), token)
    assert status == 400 and body["parameter"] == "thetah"  # the page learns the names from the message
    assert body["error"] == "thetah is required: the name of the thetah map; x.root has hmu_moco_h (Map2D), hmu_moco_v (Map2D)"
    status, body = system.request("POST", "/api/import?filename=x.root&thetah=hmu_moco_h&thetav=hmu_moco_v&thickness_um=50&colour=red",
                                  open(files["bow"], "rb").read(), token)
    assert status == 400 and body["parameter"] == "colour"
    # A map in another file (the CLI's and Python's two-scan form) would read the server's own files: refused.
    status, body = system.request("POST", "/api/import?filename=x.root&thetah=hmu_moco_h&thetav=/etc/scan0.root:hmu_moco&thickness_um=50",
                                  open(files["bow"], "rb").read(), token)
    assert status == 400 and body["parameter"] == "thetav" and "an upload is one ROOT file" in body["error"]
    status, body = system.request("POST", "/api/import?filename=x.txt", b"{}", token)
    assert status == 400 and body["parameter"] == "filename"
    csv = b"# name: csv-http\n# thickness_um: 50\nx_mm,y_mm,thetah_urad,thetav_urad,surface\n0,0,1,2,crystal\n0.05,0,1,2,cristal\n"
    status, body = system.request("POST", "/api/import?filename=scan.csv", csv, token)
    assert status == 400 and body["line"] == 5 and "surface 'cristal'" in body["error"]
    status, body = system.request("POST", "/api/import?filename=x.root&thetah=a&thetav=b&thickness_um=50", open(files["bow"], "rb").read(),
                                  {"X-Spotfinder-Token": "wrong"})
    assert status == 401 and body["parameter"] == "token"
    status, body = system.request("POST", "/api/import?filename=x.json", b"{}")
    assert status == 401 and "X-Spotfinder-Token" in body["error"]


def test_http_import_of_json_and_csv(system):
    token = {"X-Spotfinder-Token": system.token}
    n = 4 * 3
    radiator = {"name": "json-http", "thickness_um": 60, "views": [{"view": "back", "grid": {"origin_x_mm": 0, "origin_y_mm": 0, "pixel_mm": 0.1,
                "columns": 4, "rows": 3}, "thetah_urad": [5] * n, "thetav_urad": [1] * n, "mask": [1] * n}]}
    status, body = system.request("POST", "/api/import?filename=r.json", json.dumps(radiator).encode(), token)
    assert status == 200 and body["name"] == "json-http" and body["thickness_um"] == 60
    csv = b"# name: csv-http\n# thickness_um: 50\nx_mm,y_mm,thetah_urad,thetav_urad,surface\n0,0,1,2,crystal\n0.05,0,1,2,crystal\n0,0.05,1,2,crystal\n0.05,0.05,1,2,mount\n"
    status, body = system.request("POST", "/api/import?filename=scan.csv", csv, token)
    assert status == 200 and body["name"] == "csv-http"
    status, radiators = system.get("/api/radiators")
    assert {"json-http", "csv-http"} <= {r["name"] for r in radiators}


def test_cli_names_the_radiators_for_an_unknown_one(tmp_path):
    r = run_cli("tilt", "radiator_name=JD70-103", data=str(tmp_path / "radiators"))
    assert r.returncode == 2
    assert "radiator_name = 'JD70-103': no such radiator; the store has SF-E01" in r.stderr and "spotfinder import" in r.stderr
