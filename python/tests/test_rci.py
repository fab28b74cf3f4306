"""Rocking-curve imaging through Python against the running system: two simulated scans of one crystal
under `edge --scans`, reduced and built on the server; the radiator lists and gives a spectrum; a stored
scan written as the toolkit's TH2D histograms, read back with uproot, and (read_root) stored and built again."""
import os
import shutil
import subprocess
import tempfile

import numpy as np
import pytest
import uproot

import spotfinder
from spotfinder import rci
from conftest import System, bin_dir

SIMULATE = ["--radiator", "SF-E02", "--size", "100x100", "--frames", "40", "--step", "4.8", "--motor-error", "0.8", "--motor-step", "21",
            "--pixel-mm", "0.08"]


@pytest.fixture(scope="module")
def rci_system():
    root = tempfile.mkdtemp(prefix="sf-py-scans-")
    for folder, args in (("demo/front_thetah", ["--rocking", "thetah", "--chi", "0.4", "--seed", "1", "--name", "py-front-h"]),
                         ("demo/front_thetav", ["--rocking", "thetav", "--chi", "-0.3", "--rotation", "0.5", "--seed", "2", "--name", "py-front-v"])):
        subprocess.run([os.path.join(bin_dir(), "spotfinder"), "rci", "simulate", os.path.join(root, folder), *SIMULATE, *args],
                       check=True, capture_output=True)
    s = System(scans=root)
    yield s
    s.stop()
    shutil.rmtree(root, ignore_errors=True)


def test_reduce_build_spectrum_and_root_round_trip(rci_system, tmp_path):
    with spotfinder.Client(rci_system.rpc, token=rci_system.token, timeout=120) as c:
        for folder in ("demo/front_thetah", "demo/front_thetav"):
            r = c.rci_reduce(folder)
            assert r["width"] == 100 and r["motor_corrected"] is True and r["validity_counts"]["valid"] > 3000
        built = c.rci_build("py-built", 45, front_h="py-front-h", front_v="py-front-v")
        assert [v["scan"] for v in built["verdicts"]] == ["py-front-h", "py-front-v"] and "elevation" in built["maps"]
        assert c.rci_build_report("py-built")["verdicts"] == built["verdicts"]
        assert any(r["name"] == "py-built" and r["thickness_um"] == 45 for r in c.radiators())
        s = c.spot_spectrum("py-built")
        assert s.fraction_on_crystal > 0.5 and np.nanmax(s.coherent) > 0

        # The toolkit's TH2D histograms: names, 0 = no data, the image upright (bin iy = 0 is the last row).
        path = str(tmp_path / "front_h.root")
        names = rci.write_root(c, "py-front-h", path)
        assert {"hmu", "hmu_moco", "hsigma", "hsigma_moco", "hamp", "hbase"} <= set(names)
        stored = c.reduced_scan("py-front-h", maps=["hmu_moco"])["values"]["hmu_moco"]
        with uproot.open(path) as f:
            assert f["hmu_moco"].classname == "TH2D"
            counts, xe, ye = f["hmu_moco"].to_numpy()
        assert counts.shape == (100, 100) and xe[-1] == pytest.approx(8.0)
        expected = np.nan_to_num(stored[::-1, :].T.astype(np.float64), nan=0.0)
        assert np.array_equal(counts, expected)

        # read_root of toolkit-style files -> stored scans -> a radiator built from them.
        angles = np.arange(40) * 4.8 - 93.6
        for scan_name, rocking in (("py-front-h", "thetah"), ("py-front-v", "thetav")):
            file = str(tmp_path / f"{scan_name}.root")
            rci.write_root(c, scan_name, file)
            scan = rci.read_root(file, name=f"{scan_name}-root", rocking=rocking, face="front")
            assert scan["pixel_x_mm"] == pytest.approx(0.08) and scan["values"]["hmu_moco"].shape == (100, 100)
            assert np.isnan(scan["values"]["hmu_moco"]).any()
            c.put_reduced_scan(scan, angles_urad=angles)
        again = c.rci_build("py-built-root", 45, front_h="py-front-h-root", front_v="py-front-v-root")
        assert len(again["verdicts"]) == 2


def test_refusals_name_the_parameter(rci_system):
    with spotfinder.Client(rci_system.rpc, token="wrong", timeout=30) as c:
        with pytest.raises(spotfinder.SpotfinderError) as e:
            c.rci_reduce("demo/front_thetah")
        assert e.value.code == 16  # UNAUTHENTICATED
    with spotfinder.Client(rci_system.rpc, token=rci_system.token, timeout=30) as c:
        with pytest.raises(spotfinder.SpotfinderError) as e:
            c.rci_reduce("../etc")
        assert "folder" in str(e.value)
    with pytest.raises(spotfinder.SpotfinderError) as e:
        rci.read_root(__file__, name="x", rocking="thetah", face="front")
    assert "not a readable ROOT file" in str(e.value)
