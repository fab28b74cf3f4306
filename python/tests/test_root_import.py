"""ROOT topographs → import JSON, without any service: bins, axes, empty bins, NaNs, masks, errors."""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import spotfinder
from spotfinder import SpotfinderError
from conftest import centres, th2, write_maps

ROOT2JSON = os.path.join(os.path.dirname(sys.executable), "spotfinder-root2json")

# A uniform gradient on axes that start far from zero: 120 × 80 bins of 0.05 mm.
XE, YE = np.linspace(-3.2, 2.8, 121), np.linspace(10.0, 14.0, 81)
X, Y = np.meshgrid(centres(XE), centres(YE), indexing="ij")  # [ix, iy], as ROOT and uproot index bins
H, V = 40 + 100 * X, -300 + 30 * Y


def view(r):
    return r["views"][0]


def test_grid_and_values_follow_the_axes(tmp):
    path = write_maps(str(tmp / "gradient.root"), H, V, XE, YE)
    r = spotfinder.import_root(path, thetah="hmu_moco_h", thetav="hmu_moco_v", thickness_um=50, name="gradient")
    v = view(r)
    assert v["grid"] == {"origin_x_mm": -3.175, "origin_y_mm": 10.025, "pixel_mm": 0.05, "columns": 120, "rows": 80}
    h = np.array(v["thetah_urad"], dtype=float).reshape(80, 120)  # row-major, row 0 at the bottom
    t = np.array(v["thetav_urad"], dtype=float).reshape(80, 120)
    assert h[0, 0] == pytest.approx(40 + 100 * -3.175) and h[0, 119] == pytest.approx(40 + 100 * 2.775)
    assert t[0, 5] == pytest.approx(-300 + 30 * 10.025) and t[79, 5] == pytest.approx(-300 + 30 * 13.975)
    assert set(v["mask"]) == {1}
    assert r["name"] == "gradient" and r["thickness_um"] == 50 and r["crystal"] == "diamond" and v["view"] == "front"


def test_empty_bins_and_nans_are_nothing(tmp):
    h, v = H.copy(), V.copy()
    h[:10, :] = 0; v[:10, :] = 0          # the original tool's empty bins: both tilts exactly 0
    h[50, 40] = np.nan                    # one NaN tilt: no data there
    v[60, 41] = np.inf
    h[70, 30] = 0                         # one tilt 0, the other not: a real (if flat) pixel
    path = write_maps(str(tmp / "holes.root"), h, v, XE, YE)
    r = view(spotfinder.import_root(path, "hmu_moco_h", "hmu_moco_v", thickness_um=50))
    mask = np.array(r["mask"]).reshape(80, 120)
    hh = np.array(r["thetah_urad"], dtype=object).reshape(80, 120)
    assert (mask[:, :10] == 0).all() and all(x is None for x in hh[:, :10].ravel())
    assert mask[40, 50] == 0 and mask[41, 60] == 0 and hh[40, 50] is None
    assert mask[30, 70] == 1 and hh[30, 70] == 0
    assert mask.sum() == 80 * 110 - 2


def test_mask_histogram_and_mount_rectangle(tmp):
    m = np.ones_like(H)
    m[:, :5] = 0                          # mask zero: not crystal, whatever the maps say
    path = write_maps(str(tmp / "mask.root"), H, V, XE, YE, extra={"zeromask": (m, XE, YE)})
    r = view(spotfinder.import_root(path, "hmu_moco_h", "hmu_moco_v", mask="zeromask", mount=(1.0, 10.0, 2.8, 11.0), thickness_um=50))
    mask = np.array(r["mask"]).reshape(80, 120)
    xs, ys = -3.175 + 0.05 * np.arange(120), 10.025 + 0.05 * np.arange(80)
    inside = (ys[:, None] <= 11.0) & (xs[None, :] >= 1.0)  # the mount is there even where the maps have no data
    masked = np.arange(80)[:, None] < 5 + np.zeros(120, dtype=int)[None, :]
    assert (mask[inside] == 2).all() and inside.sum() == 20 * 36
    assert (mask[masked & ~inside] == 0).all() and (mask[~masked & ~inside] == 1).all()


def test_histograms_inside_directories_and_th2f(tmp):
    import uproot
    path = str(tmp / "nested.root")
    with uproot.recreate(path) as f:
        f["scan/front/hmu_moco_h"] = th2(H, XE, YE, np.float32)
        f["scan/front/hmu_moco_v"] = th2(V, XE, YE, np.float32)
    assert uproot.open(path)["scan/front/hmu_moco_h"].classname == "TH2F"
    by_name = spotfinder.import_root(path, "hmu_moco_h", "hmu_moco_v", thickness_um=50)
    by_path = spotfinder.import_root(path, "scan/front/hmu_moco_h", "/scan/front/hmu_moco_v", thickness_um=50)
    assert by_name["views"] == by_path["views"]
    assert view(by_name)["thetah_urad"][0] == pytest.approx(40 + 100 * -3.175, abs=1e-3)


def test_the_original_tools_map2d_subclass_is_read_through_its_th2d_base(tmp):
    import uproot
    path = write_maps(str(tmp / "map2d.root"), H, V, XE, YE, names=("results/hmu_moco_h", "results/hmu_moco_v"), as_map2d=True)
    assert uproot.open(path).classnames()["results/hmu_moco_h;1"] == "Map2D"
    r = spotfinder.import_root(path, "hmu_moco_h", "hmu_moco_v", thickness_um=50)
    plain = spotfinder.import_root(write_maps(str(tmp / "th2d.root"), H, V, XE, YE), "hmu_moco_h", "hmu_moco_v", thickness_um=50)
    assert r["views"] == plain["views"]
    with pytest.raises(SpotfinderError, match=r"it has results/hmu_moco_h \(Map2D\), results/hmu_moco_v \(Map2D\)"):
        spotfinder.import_root(path, "hmu_moco", "hmu_moco_v", thickness_um=50)


def test_missing_histogram_lists_what_the_file_has(tmp):
    path = write_maps(str(tmp / "f.root"), H, V, XE, YE, extra={"dir/amplitude": (H, XE, YE), "profile": np.histogram([1, 2, 3])})
    with pytest.raises(SpotfinderError) as e:
        spotfinder.import_root(path, "hmu_mocco_h", "hmu_moco_v", thickness_um=50)
    assert e.value.code == 3 and e.value.status == "INVALID_ARGUMENT"
    for listed in ("hmu_moco_h (TH2D)", "hmu_moco_v (TH2D)", "dir/amplitude (TH2D)", "profile (TH1D)"):
        assert listed in e.value.message
    assert e.value.message.startswith("thetah = 'hmu_mocco_h'")


def test_without_names_the_message_lists_the_maps(tmp):
    path = write_maps(str(tmp / "scan.root"), H, V, XE, YE)
    with pytest.raises(SpotfinderError, match=r"^INVALID_ARGUMENT: thetah is required: the name of the thetah map; scan.root has hmu_moco_h \(TH2D\), hmu_moco_v \(TH2D\)$"):
        spotfinder.import_root(path)
    r = subprocess.run([ROOT2JSON, path], capture_output=True, text=True)
    assert r.returncode == 2 and "thetah is required" in r.stderr and "hmu_moco_v (TH2D)" in r.stderr


def test_one_dimensional_histogram_is_refused(tmp):
    path = write_maps(str(tmp / "f.root"), H, V, XE, YE, extra={"profile": np.histogram([1, 2, 3])})
    with pytest.raises(SpotfinderError, match=r"thetav = 'profile' is a TH1D, a 1-D histogram: it needs a 2-D map"):
        spotfinder.import_root(path, "hmu_moco_h", "profile", thickness_um=50)


def test_truncated_and_non_root_files_are_refused(tmp):
    path = write_maps(str(tmp / "f.root"), H, V, XE, YE)
    data = open(path, "rb").read()
    for n in (100, 2000, len(data) // 2, len(data) - 1):
        cut = tmp / f"cut{n}.root"
        cut.write_bytes(data[:n])
        with pytest.raises(SpotfinderError, match=r"truncated|damaged"):
            spotfinder.import_root(str(cut), "hmu_moco_h", "hmu_moco_v", thickness_um=50)
    text = tmp / "notes.root"
    text.write_text("x_mm,y_mm,thetah_urad,thetav_urad,surface\n")
    with pytest.raises(SpotfinderError, match=r"is not a ROOT file"):
        spotfinder.import_root(str(text), "hmu_moco_h", "hmu_moco_v", thickness_um=50)
    with pytest.raises(SpotfinderError, match=r"no such file"):
        spotfinder.import_root(str(tmp / "absent.root"), "hmu_moco_h", "hmu_moco_v", thickness_um=50)


def test_non_square_variable_and_mismatched_bins_are_refused(tmp):
    ye = np.linspace(10.0, 14.0, 41)  # 0.1 mm in y, 0.05 in x
    x, y = np.meshgrid(centres(XE), centres(ye), indexing="ij")
    path = write_maps(str(tmp / "rect.root"), 1 + x, 1 + y, XE, ye)
    with pytest.raises(SpotfinderError, match=r"bins are 0.05 wide in x but 0.1 in y; Spotfinder needs square pixels"):
        spotfinder.import_root(path, "hmu_moco_h", "hmu_moco_v", thickness_um=50)
    import uproot
    xe = np.concatenate([XE[:60], XE[60:] + np.linspace(0, 0.3, 61)])
    path = str(tmp / "var.root")
    with uproot.recreate(path) as f:  # uproot writes variable edges from (values, xedges, yedges)
        f["hmu_moco_h"], f["hmu_moco_v"] = (H, xe, YE), (V, xe, YE)
    with pytest.raises(SpotfinderError, match=r"variable bin widths"):
        spotfinder.import_root(path, "hmu_moco_h", "hmu_moco_v", thickness_um=50)
    path = write_maps(str(tmp / "mismatch.root"), H, V, XE, YE, extra={"shifted": (V, XE + 0.05, YE)})
    with pytest.raises(SpotfinderError, match=r"must have the same binning"):
        spotfinder.import_root(path, "hmu_moco_h", "shifted", thickness_um=50)


def test_validated_like_every_import(tmp):
    path = write_maps(str(tmp / "f.root"), H, V, XE, YE)
    cases = [
        (dict(thickness_um=0), r"thickness_um = 0.0 is out of range: must be in \[1, 5000\]"),
        (dict(thickness_um=None), r"thickness_um is required"),
        (dict(thickness_um=50, name="ideal"), r"name 'ideal' is not allowed"),
        (dict(thickness_um=50, view="side"), r"view = 'side' is not allowed"),
        (dict(thickness_um=50, mount="1,2,0,3"), r"mount = '1,2,0,3': need finite x0 < x1"),
    ]
    for kwargs, message in cases:
        with pytest.raises(SpotfinderError, match=message):
            spotfinder.import_root(path, "hmu_moco_h", "hmu_moco_v", **kwargs)
    h = H.copy()
    h[3, 7] = 25000
    path = write_maps(str(tmp / "absurd.root"), h, V, XE, YE)
    with pytest.raises(SpotfinderError, match=r"thetah_urad = 25000.0 µrad at column 3, row 7 is absurd"):
        spotfinder.import_root(path, "hmu_moco_h", "hmu_moco_v", thickness_um=50)
    path = write_maps(str(tmp / "empty.root"), np.zeros_like(H), np.zeros_like(V), XE, YE)
    with pytest.raises(SpotfinderError, match=r"the mask has no crystal pixels"):
        spotfinder.import_root(path, "hmu_moco_h", "hmu_moco_v", thickness_um=50)


def test_console_command_prints_the_json_and_fails_clearly(tmp):
    path = write_maps(str(tmp / "JD70-103.root"), H, V, XE, YE)
    r = subprocess.run([ROOT2JSON, path, "--thetah", "hmu_moco_h", "--thetav", "hmu_moco_v", "--thickness-um", "50",
                        "--mount=-3.2,10,-2,11"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out == spotfinder.import_root(path, "hmu_moco_h", "hmu_moco_v", thickness_um=50, mount=(-3.2, 10, -2, 11))
    assert out["name"] == "JD70-103"
    written = tmp / "out.json"
    bad = subprocess.run([ROOT2JSON, path, "--thetah", "nope", "--thetav", "hmu_moco_v", "--thickness-um", "50", "-o", str(written)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("spotfinder-root2json: error: thetah = 'nope': no such histogram") and "hmu_moco_h (TH2D)" in bad.stderr
    assert not written.exists() and not [p for p in os.listdir(tmp) if p.startswith(".radiator-")]
    good = subprocess.run([ROOT2JSON, path, "--thetah", "hmu_moco_h", "--thetav", "hmu_moco_v", "--thickness-um", "50", "-o", str(written)],
                          capture_output=True, text=True)
    assert good.returncode == 0 and good.stdout == ""
    assert json.loads(written.read_text()) == spotfinder.import_root(path, "hmu_moco_h", "hmu_moco_v", thickness_um=50)


def test_malformed_radiator_dicts_are_refused_by_the_client_before_sending():
    c = spotfinder.Client("127.0.0.1:9")  # never reached
    for radiator, message in (({"name": "x", "thickness_um": 50, "views": [{"view": "front"}]}, "missing field 'grid'"),
                              ({"name": "x", "thickness_um": "thick", "views": []}, "thickness_um = thick is out of range"),
                              ("not-a-dict.json", "cannot read the radiator JSON not-a-dict.json")):
        with pytest.raises(SpotfinderError, match=message):
            c.import_radiator(radiator)


def test_each_scan_in_its_own_file_as_the_original_tool_kept_them(tmp):
    # Two results files, each with its scan's centroid map under the same name (hmu_moco).
    scan1 = write_maps(str(tmp / "scan1_results.root"), H, H, XE, YE, names=("hmu_moco", "unused"))
    scan0 = write_maps(str(tmp / "scan0_results.root"), V, V, XE, YE, names=("hmu_moco", "unused"))
    r = spotfinder.import_root(scan1, thetah="hmu_moco", thetav=f"{scan0}:hmu_moco", thickness_um=50, name="two-scans")
    both = spotfinder.import_root(write_maps(str(tmp / "both.root"), H, V, XE, YE), thetah="hmu_moco_h", thetav="hmu_moco_v",
                                  thickness_um=50, name="two-scans")
    assert view(r)["thetah_urad"] == view(both)["thetah_urad"] and view(r)["thetav_urad"] == view(both)["thetav_urad"]
    # The other file's problems are named by that file.
    with pytest.raises(SpotfinderError, match=r"thetav = 'nope': no such histogram in scan0_results.root; it has hmu_moco \(TH2D\)"):
        spotfinder.import_root(scan1, thetah="hmu_moco", thetav=f"{scan0}:nope", thickness_um=50)
    with pytest.raises(SpotfinderError, match=r"cannot read missing.root: no such file"):
        spotfinder.import_root(scan1, thetah="hmu_moco", thetav=str(tmp / "missing.root") + ":hmu_moco", thickness_um=50)


def test_the_cli_takes_the_token_from_the_environment_only(capsys):
    # A command line shows in `ps`: like every Spotfinder program, the converter has no --token.
    from spotfinder.root_import import main
    with pytest.raises(SystemExit) as e:
        main(["scan.root", "--send", "127.0.0.1:7100", "--token", "secret"])
    assert e.value.code == 2 and "--token" in capsys.readouterr().err
