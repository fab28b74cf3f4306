#!/usr/bin/env python3
"""Call Spotfinder's compute RPC from Python: a spectrum for one crystal orientation.

Usage: compute_spectrum.py HOST:PORT [--thetah 1.2296] [--thetav 50] [--json]
Needs Google's protobuf package and spotfinder_pb2.py, generated from Protos/spotfinder.proto into
python/spotfinder/ (the package's own copy, loaded here as a plain module: no NumPy or install needed).
"""
import argparse, json, os, socket, struct, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python", "spotfinder"))
import spotfinder_pb2 as pb

def call(address, method, request, response_type, timeout_ms=10000):
    host, port = address.rsplit(":", 1)
    envelope = pb.Envelope(kind=pb.FRAME_KIND_REQUEST, method=method, request_id=1,
                           timeout_ms=timeout_ms, payload=request.SerializeToString())
    body = envelope.SerializeToString()
    with socket.create_connection((host, int(port)), timeout=timeout_ms / 1000) as s:
        s.sendall(struct.pack(">I", len(body)) + body)
        def read(n):
            data = b""
            while len(data) < n:
                chunk = s.recv(n - len(data))
                if not chunk:
                    raise ConnectionError("server closed the connection")
                data += chunk
            return data
        (length,) = struct.unpack(">I", read(4))
        reply = pb.Envelope.FromString(read(length))
    if reply.status_code != 0:
        raise RuntimeError(f"status {reply.status_code}: {reply.status_message}")
    return response_type.FromString(reply.payload)

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("address")
    ap.add_argument("--thetah", type=float, default=1.2296)
    ap.add_argument("--thetav", type=float, default=50.0)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    req = pb.SpectrumRequest(orientation=pb.Orientation(rad_thetah=a.thetah, rad_thetav=a.thetav))
    req.beamline.ebeam_energy = 11.6          # unset fields take the README's defaults
    spec = call(a.address, "/spotfinder.v1.CobremsNode/ComputeSpectrum", req, pb.SpectrumResponse)
    if a.json:
        print(json.dumps({"energy_GeV": list(spec.energy_gev), "coherent": list(spec.coherent),
                          "polarization": list(spec.polarization)}))
    else:
        peak = max(range(len(spec.coherent)), key=lambda i: spec.coherent[i])
        print(f"coherent peak at {spec.energy_gev[peak]:.3f} GeV, polarization there {spec.polarization[peak]:.3f}")
