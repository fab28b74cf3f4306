"""Fixtures: ROOT files written with uproot, and the whole Spotfinder system as real processes on loopback
(the built programs of .build/debug, or $SPOTFINDER_BIN), every service on a port it picks itself."""
import json
import os
import re
import shutil
import struct
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
    def __init__(self, scans=None):
        self.token = "py-" + uuid.uuid4().hex[:12]
        self.data = tempfile.mkdtemp(prefix="sf-py-system-")
        self.services = []
        os.environ["SPOTFINDER_TOKEN"] = self.token  # services read it from the environment, never argv
        store = self._start("topograph-store", ["--listen", "127.0.0.1:0", "--data", self.data])
        self.store_port = store.port("listening on ")
        tilt = self._start("tilt-service", ["--listen", "127.0.0.1:0", "--store", f"127.0.0.1:{self.store_port}"])
        renderer = self._start("plot-renderer", ["--listen", "127.0.0.1:0"])
        tilt_port, renderer_port = tilt.port("listening on "), renderer.port("listening on ")
        edge = self._start("edge", ["--http", "127.0.0.1:0", "--rpc", "127.0.0.1:0", "--store", f"127.0.0.1:{self.store_port}",
                                    "--tilt", f"127.0.0.1:{tilt_port}", "--renderer", f"127.0.0.1:{renderer_port}"]
                           + (["--scans", scans] if scans else []))
        self.rpc = f"127.0.0.1:{edge.port('rpc listening on ')}"
        self.http = f"127.0.0.1:{edge.port('http listening on ')}"
        node = self._start("cobrems-node", ["--listen", "127.0.0.1:0", "--edge", self.rpc, "--capacity", "2"])
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


def _bytecount(payload, version=None):
    body = (struct.pack(">H", version) if version is not None else b"") + payload
    return struct.pack(">I", 0x40000000 | len(body)) + body


def _tstring(s):
    return bytes([len(s)]) + s.encode()


def _tobject(bits):
    return struct.pack(">HII", 1, 0, bits)


def _map2d_streamer():
    """The TStreamerInfo record of `class Map2D : public TH2D` (class version 1), as ROOT writes it
    for the original tool's maps (uproot's raw streamers end with the TList's empty option string)."""
    th2d_checksum = 0x7FBA82F0
    element = _bytecount(_tobject(0x03000000) + _tstring("TH2D") + _tstring("2-D histogram with a double per channel"), 1)
    element = _bytecount(element + struct.pack(">4i", 0, 0, 0, 0) + struct.pack(">5i", 0, th2d_checksum, 0, 0, 0) + _tstring("BASE"), 4)
    base = _bytecount(b"\xff\xff\xff\xffTStreamerBase\x00" + _bytecount(element + struct.pack(">i", 4), 3))
    elements = _bytecount(b"\xff\xff\xff\xffTObjArray\x00" + _bytecount(_tobject(0x02000000) + _tstring("") + struct.pack(">ii", 1, 0) + base, 3))
    named = _bytecount(_tobject(0x03010000) + _tstring("Map2D") + _tstring(""), 1)
    info = _bytecount(named + struct.pack(">Ii", 0x4D617032, 1) + elements, 9)
    return (None, _bytecount(b"\xff\xff\xff\xffTStreamerInfo\x00" + info) + b"\x00", "Map2D", 1)


def map2d(values, xe, ye, name="h"):
    """A Map2D (a user subclass of TH2D, like the original tool's) that uproot can write."""
    import uproot.serialization
    h = th2(values, xe, ye, name=name)
    base = type(h)

    class Model_Map2D_v1(base):
        class_rawstreamers = base.class_rawstreamers + (_map2d_streamer(),)

        def _serialize(self, out, header, name, tobject_flags):
            where = len(out)
            base._serialize(self, out, True, name, tobject_flags)
            if header:
                out.insert(where, uproot.serialization.numbytes_version(sum(len(x) for x in out[where:]), 1))

    h.__class__ = Model_Map2D_v1
    return h


def write_maps(path, h, v, xe, ye, names=("hmu_moco_h", "hmu_moco_v"), extra=None, th2f=False, as_map2d=False):
    """Write θH and θV maps (arrays indexed [ix, iy], µrad) as TH2D (or TH2F, or Map2D) histograms with uproot."""
    import uproot
    kind = np.float32 if th2f else np.float64
    with uproot.recreate(path) as f:
        for key, values in zip(names, (h, v)):
            short = key.rsplit("/", 1)[-1]
            f[key] = map2d(values, xe, ye, short) if as_map2d else th2(values, xe, ye, kind, short)
        for k, value in (extra or {}).items():
            f[k] = value
    return path


@pytest.fixture
def tmp(tmp_path):
    return tmp_path
