"""spotfinder.Client: Spotfinder's RPC for lab tools, with the parameter names of the README.

Point it at the edge's RPC address (scripts/run: 127.0.0.1:7100), which answers every call here
(compute fanned out over the nodes; radiators and tilts forwarded to the store and tilt-service),
or at a single cobrems-node for `spectrum` alone.
"""
import itertools
import json
import threading
import time
import urllib.parse

import numpy as np

from . import spotfinder_pb2 as pb
from .errors import INVALID_ARGUMENT, UNIMPLEMENTED, SpotfinderError
from .framing import Connection

NODE_SPECTRUM = "/spotfinder.v1.CobremsNode/ComputeSpectrum"
EDGE_SPECTRUM = "/spotfinder.v1.Edge/ComputeSpectrum"
LIST_NODES = "/spotfinder.v1.Edge/ListNodes"
EDGE_SNAP = "/spotfinder.v1.Edge/ComputeSnap"
COMPUTE_TILT = "/spotfinder.v1.TiltService/ComputeTilt"
LIST_RADIATORS = "/spotfinder.v1.TopographStore/ListRadiators"
IMPORT_RADIATOR = "/spotfinder.v1.TopographStore/ImportRadiator"

BEAMLINE = tuple(f.name for f in pb.BeamlineParameters.DESCRIPTOR.fields)
SPOT = ("ebeam_xsigma", "ebeam_ysigma", "ebeam_xycorr", "ebeam_xyresol", "rad_xoffset", "rad_yoffset", "rad_phideg")
TILT = ("rad_tilt_range", "rad_tilt_resol")
ORIENTATION = ("rad_thetah", "rad_thetav", "rad_thetaz")


class Spectrum:
    """A photon spectrum: NumPy arrays over the bin centres `energy_GeV` (photons/s/GeV for the rates)."""

    def __init__(self, response, fraction_on_crystal=1.0, tilt=None):
        # A spot's spectrum comes already scaled to the beam on crystal and mount (the request carries the fractions).
        self.energy_GeV = np.array(response.energy_gev, dtype=float)
        self.coherent = np.array(response.coherent, dtype=float)
        self.coherent_polarized = np.array(response.coherent_polarized, dtype=float)
        self.incoherent = np.array(response.incoherent, dtype=float)
        self.enhancement = np.array(response.enhancement, dtype=float)
        self.polarization = np.array(response.polarization, dtype=float)
        self.orientations_averaged = int(response.orientations_averaged)
        # The plane of linear polarization (None when nothing radiates coherently): beam view from the
        # horizontal in [0, 180) degrees and its word; Hall D azimuth in (-90, 90] and GlueX's name ("PARA 0/90" …).
        has_plane = response.polarization_plane != ""
        self.polarization_plane_deg = response.polarization_plane_deg if has_plane else None
        self.polarization_plane = response.polarization_plane or None
        self.polarization_plane_halld_deg = (response.polarization_plane_halld_deg
                                             if response.HasField("polarization_plane_halld_deg") else None)
        self.gluex_plane = response.gluex_plane if response.HasField("gluex_plane") else None
        self.fraction_on_crystal = float(fraction_on_crystal)
        self.tilt = tilt

    def __repr__(self):
        i = int(np.argmax(self.coherent)) if len(self.coherent) else 0
        return (f"Spectrum({len(self.energy_GeV)} bins, coherent peak at {self.energy_GeV[i]:.3f} GeV"
                f" with polarization {self.polarization[i]:.3f}, {self.orientations_averaged} orientations)") if len(self.coherent) else "Spectrum(empty)"


class TiltDistribution:
    """Beam intensity over the crystal tilts under a spot: `weights[v, h]` (normalised to 1 on crystal)
    over bin centres `thetah_mr`, `thetav_mr`; fractions of the beam on crystal, mount and outside;
    mean and rms tilts (mrad); `samples` = rows (thetah_offset_mr, thetav_offset_mr, weight)."""

    def __init__(self, r):
        n = int(r.bins)
        self.bin_mr = r.bin_mr
        self.thetah_mr = r.thetah_min_mr + (np.arange(n) + 0.5) * r.bin_mr
        self.thetav_mr = r.thetav_min_mr + (np.arange(n) + 0.5) * r.bin_mr
        self.weights = np.array(r.weights, dtype=float).reshape(n, n) if n else np.zeros((0, 0))
        self.fraction_on_crystal = r.fraction_on_crystal
        self.fraction_on_mount = r.fraction_on_mount
        self.fraction_outside = r.fraction_outside
        self.mean_thetah_mr, self.mean_thetav_mr = r.mean_thetah_mr, r.mean_thetav_mr
        self.rms_thetah_mr, self.rms_thetav_mr = r.rms_thetah_mr, r.rms_thetav_mr
        self.samples = np.array([(s.thetah_offset_mr, s.thetav_offset_mr, s.weight) for s in r.samples], dtype=float).reshape(-1, 3)
        self._message = r

    def __repr__(self):
        return (f"TiltDistribution(mean {self.mean_thetah_mr * 1e3:.1f}, {self.mean_thetav_mr * 1e3:.1f} µrad, rms "
                f"{self.rms_thetah_mr * 1e3:.1f}, {self.rms_thetav_mr * 1e3:.1f} µrad, {self.fraction_on_crystal:.3f} on crystal)")


class Client:
    """Calls over one connection, one at a time (thread-safe). `timeout` (seconds) is every call's
    deadline unless the call gives its own; it travels to the server as the envelope's timeout_ms."""

    def __init__(self, address, token=None, timeout=30.0):
        host, sep, port = str(address).rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise SpotfinderError(INVALID_ARGUMENT, f"address '{address}' must be HOST:PORT")
        self.address, self.token, self.timeout = address, token, timeout
        self._connection = Connection(host.strip("[]"), int(port), token)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._spectrum_method = NODE_SPECTRUM

    def close(self):
        with self._lock:
            self._connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ the calls

    def deadline(self, timeout=None):
        """The monotonic time by which a call (or a composite call) must be answered."""
        seconds = self.timeout if timeout is None else timeout
        if not (isinstance(seconds, (int, float)) and seconds > 0):
            raise SpotfinderError(INVALID_ARGUMENT, f"timeout = {seconds!r}: must be > 0 seconds")
        return time.monotonic() + seconds

    def call(self, method, request, response_type, timeout=None, deadline=None):
        """One unary call: request message in, response message out, SpotfinderError on any failure.
        `deadline` (from `Client.deadline`) lets several calls share one time budget."""
        deadline = self.deadline(timeout) if deadline is None else deadline
        with self._lock:
            envelope = pb.Envelope(kind=pb.FRAME_KIND_REQUEST, method=method, request_id=next(self._ids),
                                   timeout_ms=max(1, int((deadline - time.monotonic()) * 1000)), payload=request.SerializeToString())
            reply = self._connection.exchange(envelope, deadline)
        if reply.status_code != 0:
            raise SpotfinderError(reply.status_code, reply.status_message)
        out = response_type()
        try:
            out.ParseFromString(reply.payload)
        except Exception as e:
            raise SpotfinderError(13, f"{method}: the answer is not a {response_type.DESCRIPTOR.name}: {e}") from None
        return out

    def spectrum(self, rad_thetah=1.2296, rad_thetav=50.0, rad_thetaz=0.0, orientations=None, timeout=None, **beamline):
        """The spectrum of a perfect crystal at one goniometer setting (mrad), or averaged over an
        orientation table: rows (thetah_offset_mr, thetav_offset_mr, weight), an N×3 array or a CSV path."""
        request = pb.SpectrumRequest(beamline=_beamline(beamline), orientation=_orientation(rad_thetah, rad_thetav, rad_thetaz))
        if orientations is not None:
            request.samples.extend(pb.TiltSample(thetah_offset_mr=h, thetav_offset_mr=v, weight=w) for h, v, w in _table(orientations))
        return Spectrum(self._compute(request, self.deadline(timeout)))

    def tilt(self, radiator_name, radiator_view="front", timeout=None, deadline=None, **spot):
        """The tilt distribution under the beam spot on a stored radiator."""
        request = _tilt_request(radiator_name, radiator_view, spot)
        return TiltDistribution(self.call(COMPUTE_TILT, request, pb.TiltResponse, timeout, deadline))

    def spot_spectrum(self, radiator_name, radiator_view="front", rad_thetah=1.2296, rad_thetav=50.0, rad_thetaz=0.0,
                      timeout=None, **parameters):
        """The spectrum of a beam spot on a stored radiator, as the page computes it: the radiator's own
        thickness, crystal and mount (unless given), the spot's tilt distribution, the average over its
        orientations; the server scales it by the fraction of the beam on the crystal and adds the mount's
        bremsstrahlung for the fraction on the mount."""
        deadline = self.deadline(timeout)  # one budget for all calls
        spot = {k: parameters.pop(k) for k in list(parameters) if k in SPOT + TILT}
        request = pb.SpectrumRequest(beamline=_beamline(parameters), orientation=_orientation(rad_thetah, rad_thetav, rad_thetaz))
        t = self.tilt(radiator_name, radiator_view, deadline=deadline, **spot)
        if t.fraction_on_crystal <= 0:
            raise SpotfinderError(INVALID_ARGUMENT, f"rad_xoffset / rad_yoffset: the beam spot misses the crystal of {radiator_name}; move the radiator under the beam")
        self._fill_radiator_defaults(request.beamline, radiator_name, deadline)
        request.samples.extend(t._message.samples)
        request.fraction_on_crystal = t.fraction_on_crystal
        request.fraction_on_mount = t.fraction_on_mount
        return Spectrum(self._compute(request, deadline), fraction_on_crystal=t.fraction_on_crystal, tilt=t)

    def _fill_radiator_defaults(self, beamline, radiator_name, deadline):
        """The stored radiator's thickness, crystal and mount where the caller gave none (as the edge does)."""
        listed = self.call(LIST_RADIATORS, pb.ListRadiatorsRequest(), pb.ListRadiatorsResponse, deadline=deadline).radiators
        summary = next((s for s in listed if s.name == radiator_name), None)
        if summary is None:
            return
        for field, value in (("rad_thickness", summary.thickness_um), ("rad_crystal", summary.crystal),
                             ("rad_mount_material", summary.mount_material), ("rad_mount_thickness", summary.mount_thickness_mm)):
            if not beamline.HasField(field) and value != "":
                setattr(beamline, field, value)

    def snap(self, snap_edge=6.0, snap_action="snap_para", radiator_name=None, radiator_view="front", ebeam_energy=11.6,
             rad_crystal=None, timeout=None, **spot):
        """The goniometer setting (rad_thetah, rad_thetav, mrad) that puts the coherent edge at `snap_edge`
        GeV, for the spot's mean tilt on `radiator_name` (None: a perfect crystal). The edge computes it
        (Edge/ComputeSnap: the answer of GET /api/snap, with the radiator's own crystal unless
        `rad_crystal` is given)."""
        if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (snap_edge, ebeam_energy)):
            raise SpotfinderError(INVALID_ARGUMENT, "snap_edge and ebeam_energy must be numbers (GeV)")
        query = {"snap_edge": snap_edge, "snap_action": snap_action, "radiator_name": radiator_name or "ideal",
                 "radiator_view": radiator_view, "ebeam_energy": ebeam_energy}
        if rad_crystal is not None:
            query["rad_crystal"] = rad_crystal
        _tilt_request(query["radiator_name"], radiator_view, spot)  # names and types checked before anything is sent
        query.update(spot)
        text = "&".join(f"{k}={urllib.parse.quote(str(v), safe='')}" for k, v in query.items())
        r = self.call(EDGE_SNAP, pb.SnapRequest(query=text), pb.SnapResponse, timeout)
        return {"rad_thetah": r.rad_thetah, "rad_thetav": r.rad_thetav, "snap_action": r.snap_action, "snap_edge": r.snap_edge,
                "ebeam_energy": r.ebeam_energy, "mean_tilt_h": r.mean_tilt_h, "mean_tilt_v": r.mean_tilt_v,
                "radiator_name": r.radiator_name, "snapped_as": r.snapped_as,
                "gluex_plane": r.gluex_plane if r.HasField("gluex_plane") else None,
                "polarization_plane_halld_deg": r.polarization_plane_halld_deg}

    def radiators(self, timeout=None):
        """The store's radiators: name, crystal, thickness, views, size, rms tilt, pixel, notes, revision."""
        r = self.call(LIST_RADIATORS, pb.ListRadiatorsRequest(), pb.ListRadiatorsResponse, timeout)
        return [_summary(s) for s in r.radiators]

    def import_radiator(self, radiator, timeout=None):
        """Store a radiator (needs the token): a dict in the README's import JSON layout (as
        `spotfinder.import_root` returns), or the path of such a .json file. Returns its summary."""
        from .radiator_json import to_message
        if isinstance(radiator, (str, bytes)) or hasattr(radiator, "__fspath__"):
            try:
                with open(radiator, "rb") as f:
                    radiator = json.load(f)
            except (OSError, ValueError) as e:
                raise SpotfinderError(INVALID_ARGUMENT, f"cannot read the radiator JSON {radiator}: {e}") from None
        request = pb.ImportRadiatorRequest(radiator=to_message(radiator), token=self.token or "")
        return _summary(self.call(IMPORT_RADIATOR, request, pb.ImportRadiatorResponse, timeout).radiator)

    # Rocking-curve imaging on the server (spotfinder.rci holds the logic and the ROOT files).

    def rci_reduce(self, folder, method="moments", motor=None, timeout=3600.0):
        """Reduce a raw scan folder under the edge's scans root (needs the token); see `rci.reduce`."""
        from . import rci
        return rci.reduce(self, folder, method=method, motor=motor, timeout=timeout)

    def rci_build(self, radiator_name, thickness_um, front_h, front_v, back_h=None, back_v=None, timeout=900.0):
        """Build and store a radiator from stored reduced scans (needs the token); see `rci.build`."""
        from . import rci
        return rci.build(self, radiator_name, thickness_um, front_h, front_v, back_h=back_h, back_v=back_v, timeout=timeout)

    def rci_build_report(self, radiator_name, timeout=None):
        """The build report of a radiator built on the server."""
        from . import rci
        return rci.build_report(self, radiator_name, timeout=timeout)

    def reduced_scans(self, timeout=None):
        """The store's reduced scans (facts only)."""
        from . import rci
        return rci.reduced_scans(self, timeout=timeout)

    def reduced_scan(self, scan_name, maps=None, timeout=60.0):
        """One stored reduced scan: facts and NumPy maps; see `rci.reduced_scan`."""
        from . import rci
        return rci.reduced_scan(self, scan_name, maps=maps, timeout=timeout)

    def put_reduced_scan(self, scan, angles_urad=None, **options):
        """Store a scan given as maps (e.g. from `rci.read_root`); see `rci.put_reduced_scan`."""
        from . import rci
        return rci.put_reduced_scan(self, scan, angles_urad=angles_urad, **options)

    def nodes(self, timeout=None):
        """The compute nodes registered with the edge."""
        r = self.call(LIST_NODES, pb.ListNodesRequest(), pb.ListNodesResponse, timeout)
        return [{"node_id": n.node_id, "address": n.address, "capacity": n.capacity, "in_flight": n.in_flight,
                 "last_heartbeat_unix_ms": n.last_heartbeat_unix_ms} for n in r.nodes]

    def _compute(self, request, deadline):
        # The node's method; an edge that does not answer it under that name answers its own.
        try:
            return self.call(self._spectrum_method, request, pb.SpectrumResponse, deadline=deadline)
        except SpotfinderError as e:
            if e.code != UNIMPLEMENTED or self._spectrum_method == EDGE_SPECTRUM:
                raise
            self._spectrum_method = EDGE_SPECTRUM
            return self.call(EDGE_SPECTRUM, request, pb.SpectrumResponse, deadline=deadline)


def _set(message, name, value):
    try:
        setattr(message, name, value)
    except (TypeError, ValueError):
        kind = "true or false" if isinstance(getattr(message, name), bool) else "a string" if isinstance(getattr(message, name), str) else "a number"
        raise SpotfinderError(INVALID_ARGUMENT, f"{name} = {value!r}: must be {kind}") from None


def _orientation(h, v, z):
    o = pb.Orientation()
    for name, value in (("rad_thetah", h), ("rad_thetav", v), ("rad_thetaz", z)):
        _set(o, name, value)
    return o


def _beamline(parameters):
    b = pb.BeamlineParameters()
    for k, v in parameters.items():
        if k not in BEAMLINE:
            raise SpotfinderError(INVALID_ARGUMENT, f"{k} is not a parameter here; beamline parameters are {', '.join(BEAMLINE)}")
        if v is not None:
            _set(b, k, v)
    return b


def _tilt_request(name, view, spot):
    r = pb.TiltRequest(radiator_name=name, radiator_view=view)
    for k, v in spot.items():
        if k in SPOT:
            _set(r.spot, k, v)
        elif k in TILT:
            _set(r, k, v)
        else:
            raise SpotfinderError(INVALID_ARGUMENT, f"{k} is not a parameter here; spot parameters are {', '.join(SPOT + TILT)}")
    return r


def _table(orientations):
    if isinstance(orientations, str) or hasattr(orientations, "__fspath__"):
        rows = [line.split(",") for line in open(orientations).read().splitlines()
                if line.strip() and not line.lstrip().startswith("#") and not line.lstrip()[0].isalpha()]
        orientations = [[float(x) for x in row] for row in rows]
    a = np.asarray(orientations, dtype=float)
    if a.ndim != 2 or a.shape[1] != 3 or len(a) == 0:
        raise SpotfinderError(INVALID_ARGUMENT, f"orientations: need rows (thetah_offset_mr, thetav_offset_mr, weight), got shape {a.shape}")
    return a.tolist()


def _summary(s):
    return {"name": s.name, "crystal": s.crystal, "thickness_um": s.thickness_um, "views": list(s.views), "width_mm": s.width_mm,
            "height_mm": s.height_mm, "rms_tilt_urad": s.rms_tilt_urad, "notes": s.notes, "revision": s.revision, "pixel_mm": s.pixel_mm}
