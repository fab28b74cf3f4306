import Foundation

/// Photon-energy bins of width `binWidthGeV` aligned to 0 (bin i spans [i·w, (i+1)·w]).
///
/// The model is evaluated at bin centres over the window widened by a margin
/// (0.2 GeV, as the reference does) so that the beam–crystal smearing near the
/// window's ends sees the spectrum beyond them; the output is the bins whose
/// centres lie inside [minGeV, maxGeV].
///
/// Which bins the margin reaches is decided exactly as the reference's ROOT
/// histogram decides it (`ReferenceAxis`), because the smearing is normalised
/// over that window and a one-bin difference moves the window's end bins by up
/// to 1.5 %. One deliberate difference: when min − margin < 0 the reference
/// starts in ROOT's underflow bin (centre −w/2, x < 0), whose NaN spreads
/// through its convolution and zeroes its whole output; we start at bin 0.
public struct EnergyGrid: Sendable, Hashable {
    public let minGeV: Double
    public let maxGeV: Double
    public let binWidthGeV: Double
    public let marginGeV: Double
    /// Index of the first and last computed bin (margin included).
    public let firstComputedBin: Int
    public let lastComputedBin: Int
    /// Index of the first and last output bin.
    public let firstOutputBin: Int
    public let lastOutputBin: Int

    /// Output bins are rounded with a small tolerance so that a window end on a bin edge is stable.
    private static let indexTolerance = 1e-9

    public init(minGeV: Double, maxGeV: Double, binWidthGeV: Double, beamEnergyGeV: Double, marginGeV: Double = 0.2) {
        self.minGeV = minGeV
        self.maxGeV = maxGeV
        self.binWidthGeV = binWidthGeV
        self.marginGeV = marginGeV
        let w = binWidthGeV
        let axis = ReferenceAxis(beamEnergyGeV: beamEnergyGeV, binWidthGeV: w)
        // ROOT bin b (1-based) is our bin b − 1; its underflow bin 0 becomes our bin 0 (see above).
        firstComputedBin = max(0, axis.findBin(minGeV - marginGeV) - 1)
        // Never past the end point: x must stay below 1. (The reference's overflow bin is
        // kept when its centre is below the end point; beyond it the reference's rates are 0.)
        let lastBelowEndpoint = Int((beamEnergyGeV / w - 0.5 - Self.indexTolerance).rounded(.up)) - 1
        lastComputedBin = min(axis.findBin(maxGeV + marginGeV) - 1, lastBelowEndpoint)
        firstOutputBin = Int((minGeV / w - 0.5 - Self.indexTolerance).rounded(.up))
        lastOutputBin = Int((maxGeV / w - 0.5 + Self.indexTolerance).rounded(.down))
    }

    public var computedCount: Int { lastComputedBin - firstComputedBin + 1 }
    public var outputCount: Int { lastOutputBin - firstOutputBin + 1 }
    /// Position of the first output bin within the computed bins.
    public var outputOffset: Int { firstOutputBin - firstComputedBin }

    public func centreGeV(ofBin i: Int) -> Double { (Double(i) + 0.5) * binWidthGeV }

    public var computedCentresGeV: [Double] { (firstComputedBin...lastComputedBin).map(centreGeV) }
    public var outputCentresGeV: [Double] {
        outputCount > 0 ? (firstOutputBin...lastOutputBin).map(centreGeV) : []
    }
}

/// The reference's histogram axis (`TProfile(nbins, 0, w·nbins)` with `nbins = int(E/w)`)
/// and ROOT's `TAxis::FindBin` on it, in the same floating-point steps:
/// x < 0 → 0 (underflow), x ≥ w·nbins → nbins + 1 (overflow), else 1 + int(nbins·x / (w·nbins)).
public struct ReferenceAxis: Sendable, Hashable {
    public let bins: Int
    public let upperEdgeGeV: Double

    public init(beamEnergyGeV: Double, binWidthGeV: Double) {
        bins = Int(beamEnergyGeV / binWidthGeV)  // C++ int(): truncation
        upperEdgeGeV = binWidthGeV * Double(bins)
    }

    public func findBin(_ x: Double) -> Int {
        if x < 0 { return 0 }
        if !(x < upperEdgeGeV) { return bins + 1 }
        return 1 + Int(Double(bins) * (x - 0) / (upperEdgeGeV - 0))
    }
}
