"""Spotfinder for lab tools.

    import spotfinder
    c = spotfinder.Client("127.0.0.1:7100")                 # the edge's RPC address
    s = c.spectrum(rad_thetah=1.2296, rad_thetav=50)        # NumPy arrays: s.energy_GeV, s.polarization, ...
    r = spotfinder.import_root("scan.root", thetah="hmu_moco_h", thetav="hmu_moco_v", thickness_um=50)
"""
from .client import Client, Spectrum, TiltDistribution
from .errors import STATUS_NAMES, SpotfinderError
from .root_import import import_root, write_json

__all__ = ["Client", "Spectrum", "TiltDistribution", "SpotfinderError", "STATUS_NAMES", "import_root", "write_json"]
