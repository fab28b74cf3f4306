"""spotfinder.Client against the running system (real processes on loopback), and against
misbehaving servers: every call, deadlines, tokens, unknown radiators, a connection cut mid-frame."""
import socket
import struct
import threading

import numpy as np
import pytest

import spotfinder
from spotfinder import SpotfinderError, spotfinder_pb2 as pb

ARRAYS = ("energy_GeV", "coherent", "coherent_polarized", "incoherent", "enhancement", "polarization")


def small_radiator(name, tilt=30.0):
    n = 6 * 5
    return {"name": name, "crystal": "diamond", "thickness_um": 40, "notes": "from the Python client test",
            "views": [{"view": "front", "grid": {"origin_x_mm": -0.5, "origin_y_mm": 0, "pixel_mm": 0.2, "columns": 6, "rows": 5},
                       "thetah_urad": [tilt] * n, "thetav_urad": [-tilt] * n, "mask": [1] * n}]}


def test_spectrum_of_one_orientation_equals_the_http_answer(system):
    with spotfinder.Client(system.rpc) as c:
        s = c.spectrum(rad_thetah=1.2296, rad_thetav=50, ebeam_energy=11.6)
    status, http = system.get("/api/spectrum?radiator_name=ideal&rad_thetah=1.2296&rad_thetav=50&ebeam_energy=11.6")
    assert status == 200
    for name in ARRAYS:
        assert isinstance(getattr(s, name), np.ndarray)
        np.testing.assert_allclose(getattr(s, name), http[name], rtol=1e-9, atol=0)
    assert len(s.energy_GeV) == 125 and s.orientations_averaged == 1 and s.polarization.max() > 0.3
    # The plane of polarization in the page's words and GlueX's (issue #21), carried over RPC.
    assert s.gluex_plane == http["gluex_plane"] and s.gluex_plane is not None
    assert s.polarization_plane == http["polarization_plane"]
    assert s.polarization_plane_halld_deg == pytest.approx(http["polarization_plane_halld_deg"], abs=1e-9)
    assert s.polarization_plane_deg == pytest.approx(http["polarization_plane_deg"], abs=1e-6)


def test_a_node_answers_the_same_spectrum(system):
    with spotfinder.Client(system.rpc) as edge, spotfinder.Client(system.node_rpc) as node:
        a, b = edge.spectrum(rad_thetah=1.5), node.spectrum(rad_thetah=1.5)
    np.testing.assert_allclose(a.coherent, b.coherent, rtol=1e-9)


def test_orientation_table_averages(system):
    table = np.array([[-0.02, 0.0, 1.0], [0.0, 0.0, 2.0], [0.02, 0.01, 1.0]])
    with spotfinder.Client(system.rpc) as c:
        avg = c.spectrum(orientations=table)
        parts = [c.spectrum(rad_thetah=1.2296 + h, rad_thetav=50 + v) for h, v, _ in table]
    assert avg.orientations_averaged == 3
    expected = sum(w * p.coherent for (_, _, w), p in zip(table, parts)) / table[:, 2].sum()
    np.testing.assert_allclose(avg.coherent, expected, rtol=2e-3, atol=1e-9 * expected.max())


def test_spot_spectrum_tilt_and_snap_equal_the_page(system):
    q = "radiator_name=SF-G03&rad_xoffset=0.7&rad_thetah=1.22&rad_thetav=50"
    with spotfinder.Client(system.rpc) as c:
        s = c.spot_spectrum("SF-G03", rad_xoffset=0.7, rad_thetah=1.22, rad_thetav=50)
        t = c.tilt("SF-G03", rad_xoffset=0.7)
        snap = c.snap(snap_edge=8, snap_action="snap_perp", radiator_name="SF-E02")
        ideal_snap = c.snap(snap_edge=9, ebeam_energy=12)
    status, http = system.get("/api/spectrum?" + q)
    assert status == 200
    for name in ARRAYS:
        np.testing.assert_allclose(getattr(s, name), http[name], rtol=1e-9, atol=1e-12)
    assert s.orientations_averaged == http["orientations_averaged"] > 100
    _, tilt = system.get("/api/tilt?radiator_name=SF-G03&rad_xoffset=0.7")
    assert t.weights.shape == (len(tilt["weights"]), len(tilt["weights"][0]))
    np.testing.assert_allclose(t.weights, tilt["weights"], rtol=1e-12)
    for k in ("fraction_on_crystal", "fraction_on_mount", "mean_thetah_mr", "mean_thetav_mr", "rms_thetah_mr", "rms_thetav_mr"):
        assert getattr(t, k) == pytest.approx(tilt[k], rel=1e-12)
    assert t.samples.shape[1] == 3 and t.samples[:, 2].sum() == pytest.approx(1, rel=1e-9)
    for got, query in ((snap, "radiator_name=SF-E02&snap_action=snap_perp&snap_edge=8"),
                       (ideal_snap, "radiator_name=ideal&snap_action=snap_para&snap_edge=9&ebeam_energy=12")):
        _, want = system.get("/api/snap?" + query)
        assert got["rad_thetah"] == pytest.approx(want["rad_thetah"], rel=1e-12)
        assert got["rad_thetav"] == pytest.approx(want["rad_thetav"], rel=1e-12)
        assert got["snapped_as"] == want["snapped_as"] and got["gluex_plane"] == want["gluex_plane"] is not None
        assert got["polarization_plane_halld_deg"] == pytest.approx(want["polarization_plane_halld_deg"], abs=1e-9)
    assert snap["snapped_as"] == "snap_perp" and ideal_snap["snapped_as"] == "snap_para"
    assert snap["gluex_plane"] != ideal_snap["gluex_plane"]


def test_spot_spectrum_of_an_imported_radiator_equals_the_page(system):
    # Its own thickness (40 µm) and a copper mount under part of the spot: both must reach the spectrum.
    n = 20 * 20
    mask = [2 if i % 20 >= 14 else 1 for i in range(n)]
    radiator = {"name": "py-client-mounted", "crystal": "diamond", "thickness_um": 40, "mount_material": "copper",
                "mount_thickness_mm": 2.0,
                "views": [{"view": "front", "grid": {"origin_x_mm": -1.9, "origin_y_mm": -1.9, "pixel_mm": 0.2, "columns": 20, "rows": 20},
                           "thetah_urad": [20.0] * n, "thetav_urad": [-10.0] * n, "mask": mask}]}
    spot = dict(ebeam_xsigma=0.4, ebeam_ysigma=0.4, rad_xoffset=-0.3)
    with spotfinder.Client(system.rpc, token=system.token) as c:
        c.import_radiator(radiator)
        s = c.spot_spectrum("py-client-mounted", rad_thetah=1.22, rad_thetav=50, **spot)
    assert 0.02 < s.tilt.fraction_on_mount < 0.5
    status, http = system.get("/api/spectrum?radiator_name=py-client-mounted&rad_thetah=1.22&rad_thetav=50&"
                              + "&".join(f"{k}={v}" for k, v in spot.items()))
    assert status == 200 and http["parameters"]["rad_thickness"] in ("40", "40.0")
    for name in ARRAYS:
        np.testing.assert_allclose(getattr(s, name), http[name], rtol=1e-9, atol=1e-12)


def test_radiators_nodes_and_import(system):
    with spotfinder.Client(system.rpc, token=system.token) as c:
        names = [r["name"] for r in c.radiators()]
        assert {"SF-E01", "SF-G03", "SF-P07"} <= set(names)
        nodes = c.nodes()
        assert len(nodes) >= 1 and nodes[0]["capacity"] == 2 and nodes[0]["address"] == system.node_rpc
        summary = c.import_radiator(small_radiator("py-client-small"))
        assert summary["name"] == "py-client-small" and summary["views"] == ["front", "back"] and summary["thickness_um"] == 40
        assert "py-client-small" in [r["name"] for r in c.radiators()]
        t = c.tilt("py-client-small", ebeam_xsigma=0.1, ebeam_ysigma=0.1, rad_xoffset=0.0, rad_yoffset=0.0)
        assert t.mean_thetah_mr == pytest.approx(0.030, rel=1e-5) and t.mean_thetav_mr == pytest.approx(-0.030, rel=1e-5)


def test_wrong_or_missing_token_is_refused_and_nothing_imported(system):
    for token in ("wrong", None):
        with spotfinder.Client(system.rpc, token=token) as c:
            with pytest.raises(SpotfinderError) as e:
                c.import_radiator(small_radiator("never-imported"))
            assert e.value.code == 16 and e.value.status == "UNAUTHENTICATED" and "token" in e.value.message
            assert "never-imported" not in [r["name"] for r in c.radiators()]


def test_unknown_radiator_names_the_radiators_and_how_to_import(system):
    with spotfinder.Client(system.rpc) as c:
        for call in (lambda: c.tilt("JD70-103"), lambda: c.spot_spectrum("JD70-103")):
            with pytest.raises(SpotfinderError) as e:
                call()
            assert e.value.code == 5 and e.value.status == "NOT_FOUND"
            assert e.value.message.startswith("radiator_name = 'JD70-103': no such radiator")
            assert "SF-E01" in e.value.message and "spotfinder import" in e.value.message
    status, body = system.get("/api/spectrum?radiator_name=JD70-103")
    assert status == 404 and body["parameter"] == "radiator_name" and "SF-G03" in body["error"] and "/api/import" in body["error"]


def test_an_expiring_deadline_and_the_client_recovers(system):
    with spotfinder.Client(system.rpc) as c:
        c.radiators()  # connected
        with pytest.raises(SpotfinderError) as e:  # a fresh 4000-bin model takes far longer than 1 ms
            c.spectrum(pbeam_energy_min=2.0, pbeam_energy_max=11.0, pbeam_energy_resol=0.0024, rad_thetah=1.7, timeout=0.001)
        assert e.value.code == 4 and e.value.status == "DEADLINE_EXCEEDED"
        assert len(c.radiators()) >= 1


def test_bad_parameters_are_named(system):
    with spotfinder.Client(system.rpc) as c:
        with pytest.raises(SpotfinderError) as e:
            c.spectrum(ebeam_energy=1000)
        assert e.value.code == 3 and "ebeam_energy" in e.value.message
        with pytest.raises(SpotfinderError, match="rad_xofset is not a parameter here"):
            c.tilt("SF-E01", rad_xofset=1)
        with pytest.raises(SpotfinderError, match="must be HOST:PORT"):
            spotfinder.Client("localhost")


class FakeServer:
    """Reads one request frame, then does what `reply` says with the connection."""

    def __init__(self, reply):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.listener.getsockname()[1]}"
        self.reply, self.release = reply, threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        conn, _ = self.listener.accept()
        with conn:
            (n,) = struct.unpack(">I", self.read(conn, 4))
            request = pb.Envelope.FromString(self.read(conn, n))
            self.reply(conn, request)
            self.release.wait(10)

    @staticmethod
    def read(conn, n):
        data = b""
        while len(data) < n:
            data += conn.recv(n - len(data))
        return data

    def close(self):
        self.release.set()
        self.listener.close()


def test_a_server_that_closes_mid_frame():
    def half(conn, request):
        conn.sendall(struct.pack(">I", 100) + b"\x08\x01" + b"\x00" * 8)
        conn.close()
    s = FakeServer(half)
    try:
        with pytest.raises(SpotfinderError) as e:
            spotfinder.Client(s.address).radiators(timeout=5)
        assert e.value.code == 14 and "closed the connection mid-frame (10 of 100 bytes)" in e.value.message
    finally:
        s.close()


def test_a_server_that_never_answers_meets_the_deadline():
    s = FakeServer(lambda conn, request: None)
    try:
        with pytest.raises(SpotfinderError) as e:
            spotfinder.Client(s.address).spectrum(timeout=0.3)
        assert e.value.code == 4
    finally:
        s.close()


def test_answers_carry_the_request_id_and_status():
    seen = {}

    def status(conn, request):
        seen["request"] = request
        body = pb.Envelope(kind=pb.FRAME_KIND_RESPONSE, method=request.method, request_id=request.request_id,
                           status_code=8, status_message="too many chunks").SerializeToString()
        conn.sendall(struct.pack(">I", len(body)) + body)
    s = FakeServer(status)
    try:
        with pytest.raises(SpotfinderError) as e:
            spotfinder.Client(s.address).radiators(timeout=2.5)
        assert (e.value.code, e.value.status, e.value.message) == (8, "RESOURCE_EXHAUSTED", "too many chunks")
        r = seen["request"]
        assert r.method == "/spotfinder.v1.TopographStore/ListRadiators" and r.request_id >= 1 and 0 < r.timeout_ms <= 2500
    finally:
        s.close()


def test_nothing_listens():
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(SpotfinderError) as e:
        spotfinder.Client(f"127.0.0.1:{port}").radiators(timeout=2)
    assert e.value.code == 14


def test_wrong_types_are_named_before_anything_is_sent():
    c = spotfinder.Client("127.0.0.1:9")  # nothing is sent: no server needed
    for call, message in ((lambda: c.spectrum(ebeam_energy="high"), "ebeam_energy = 'high': must be a number"),
                          (lambda: c.spectrum(rad_thetah=None), "rad_thetah = None: must be a number"),
                          (lambda: c.tilt("SF-E01", rad_xoffset="1mm"), "rad_xoffset = '1mm': must be a number"),
                          (lambda: c.snap(snap_edge="8"), "snap_edge and ebeam_energy must be numbers"),
                          (lambda: c.spectrum(timeout=0), "timeout = 0: must be > 0 seconds"),
                          (lambda: c.spectrum(orientations=[[1, 2]]), "orientations: need rows")):
        with pytest.raises(SpotfinderError, match=message) as e:
            call()
        assert e.value.code == 3
