"""The README's "Python client in ten lines" runs as written (against the test system)."""
import os
import re

import numpy as np

from conftest import REPO, centres, write_maps


def test_the_readme_client_example_runs(system, tmp_path, monkeypatch):
    readme = open(os.path.join(REPO, "README.md"), encoding="utf-8").read()
    code = re.search(r"### The Python client in ten lines.*?```python\n(.*?)```", readme, re.S).group(1)
    assert len(code.strip().splitlines()) <= 10
    xe, ye = np.linspace(0, 3, 61), np.linspace(0, 2, 41)
    x, y = np.meshgrid(centres(xe), centres(ye), indexing="ij")
    monkeypatch.chdir(tmp_path)
    write_maps("scan.root", 10 + x, 5 + y, xe, ye)
    monkeypatch.setenv("SPOTFINDER_TOKEN", system.token)
    names = {}
    exec(code.replace("127.0.0.1:7100", system.rpc), names)
    assert names["s"].fraction_on_crystal > 0.9 and names["t"].rms_thetah_mr > 0 and 0 < names["g"]["rad_thetah"] < 10
    assert "scan" in [r["name"] for r in names["c"].radiators()]
