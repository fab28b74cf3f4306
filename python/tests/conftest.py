"""Fixtures: ROOT files written with uproot, and the whole Spotfinder system as real processes on loopback
(the built programs of .build/debug, or $SPOTFINDER_BIN), every service on a port it picks itself."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

import numpy as np
import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def bin_dir():
    d = os.path.join(REPO, os.environ.get("SPOTFINDER_BIN") or os.path.join(".build", "debug"))
    if not os.path.isfile(os.path.join(d, "edge")):
        pytest.fail(f"the Spotfinder programs are not built in {d}: run `swift build` (or set SPOTFINDER_BIN)")
    return d


class Service:
    """One program, its standard error collected; `port(marker)` reads the port it reports."""

    def __init__(self, name, args, env=None):
        self.name = name
        self.proc = subprocess.Popen([os.path.join(bin_dir(), name)] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     env={**os.environ, **(env or {})})
        self.log = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.log.append(line.decode(errors="replace"))

    def text(self):
        return "".join(self.log)

    def port(self, marker, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = re.search(re.escape(marker) + r"127\.0\.0\.1:(\d+)", self.text())
            if m:
                return int(m.group(1))
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.text()}")
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not report '{marker}' within {timeout} s: {self.text()}")

    def wait_for(self, text, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if text in self.text():
                return
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not log '{text}': {self.text()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class System:
    def __init__(self):
        self.token = "py-" + uuid.uuid4().hex[:12]
        self.data = tempfile.mkdtemp(prefix="sf-py-system-")
        self.services = []
        store = self._start("topograph-store", ["--listen", "127.0.0.1:0", "--data", self.data, "--token", self.token])
        self.store_port = store.port("listening on ")
        tilt = self._start("tilt-service", ["--listen", "127.0.0.1:0", "--store", f"127.0.0.1:{self.store_port}"])
        renderer = self._start("plot-renderer", ["--listen", "127.0.0.1:0"])
        tilt_port, renderer_port = tilt.port("listening on "), renderer.port("listening on ")
        edge = self._start("edge", ["--http", "127.0.0.1:0", "--rpc", "127.0.0.1:0", "--store", f"127.0.0.1:{self.store_port}",
                                    "--tilt", f"127.0.0.1:{tilt_port}", "--renderer", f"127.0.0.1:{renderer_port}", "--token", self.token])
        self.rpc = f"127.0.0.1:{edge.port('rpc listening on ')}"
        self.http = f"127.0.0.1:{edge.port('http listening on ')}"
        node = self._start("cobrems-node", ["--listen", "127.0.0.1:0", "--edge", self.rpc, "--token", self.token, "--capacity", "2"])
        node.wait_for("registered")
        self.node_rpc = f"127.0.0.1:{node.port('listening on ')}"

    def _start(self, name, args):
        s = Service(name, args)
        self.services.append(s)
        return s

    def get(self, path):
        """(status, parsed JSON body) of a GET on the edge."""
        return self.request("GET", path)

    def request(self, method, path, body=None, headers=None):
        req = urllib.request.Request(f"http://{self.http}{path}", data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def stop(self):
        for s in reversed(self.services):
            s.stop()
        shutil.rmtree(self.data, ignore_errors=True)


@pytest.fixture(scope="session")
def system():
    s = System()
    yield s
    s.stop()


# ---------------------------------------------------------------- topographs as ROOT files

def centres(edges):
    return (edges[:-1] + edges[1:]) / 2


def th2(values, xe, ye, dtype=np.float64, name="h"):
    """A TH2 of `values[ix, iy]` on uniform edges; its class follows dtype (float64 TH2D, float32 TH2F)."""
    import uproot.writing.identify as w
    nx, ny = values.shape
    data = np.zeros((ny + 2, nx + 2), dtype=dtype)  # ROOT's global bin: ix + (nx + 2)·iy, flow bins around
    data[1:-1, 1:-1] = np.asarray(values, dtype=dtype).T
    z = 0.0
    return w.to_TH2x(fName=name, fTitle="", data=data.ravel(), fEntries=float(nx * ny), fTsumw=z, fTsumw2=z, fTsumwx=z, fTsumwx2=z,
                     fTsumwy=z, fTsumwy2=z, fTsumwxy=z, fSumw2=np.zeros(data.size),
                     fXaxis=w.to_TAxis("xaxis", "x (mm)", nx, float(xe[0]), float(xe[-1])),
                     fYaxis=w.to_TAxis("yaxis", "y (mm)", ny, float(ye[0]), float(ye[-1])))


def write_maps(path, h, v, xe, ye, names=("hmu_moco_h", "hmu_moco_v"), extra=None, th2f=False):
    """Write θH and θV maps (arrays indexed [ix, iy], µrad) as TH2D (or TH2F) histograms with uproot."""
    import uproot
    kind = np.float32 if th2f else np.float64
    with uproot.recreate(path) as f:
        f[names[0]] = th2(h, xe, ye, kind, names[0].rsplit("/", 1)[-1])
        f[names[1]] = th2(v, xe, ye, kind, names[1].rsplit("/", 1)[-1])
        for k, value in (extra or {}).items():
            f[k] = value
    return path


@pytest.fixture
def tmp(tmp_path):
    return tmp_path
