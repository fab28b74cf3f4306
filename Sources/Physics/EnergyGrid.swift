import Foundation

/// Photon-energy bins of width `binWidthGeV` aligned to 0 (bin i spans [i·w, (i+1)·w]).
///
/// The model is evaluated at bin centres over the window widened by a margin
/// (0.2 GeV, as the reference does) so that the beam–crystal smearing near the
/// window's ends sees the spectrum beyond them; the output is the bins whose
/// centres lie inside [minGeV, maxGeV].
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

    /// Bin indices are rounded with a small tolerance so that 4.3/0.02 lands in bin 215, as ROOT's FindBin does.
    private static let indexTolerance = 1e-9

    public init(minGeV: Double, maxGeV: Double, binWidthGeV: Double, beamEnergyGeV: Double, marginGeV: Double = 0.2) {
        self.minGeV = minGeV
        self.maxGeV = maxGeV
        self.binWidthGeV = binWidthGeV
        self.marginGeV = marginGeV
        let w = binWidthGeV
        firstComputedBin = max(0, Int((max(minGeV - marginGeV, 0) / w + Self.indexTolerance).rounded(.down)))
        // Never past the end point: x must stay below 1.
        let lastBelowEndpoint = Int((beamEnergyGeV / w - 0.5 - Self.indexTolerance).rounded(.up)) - 1
        lastComputedBin = min(Int(((maxGeV + marginGeV) / w + Self.indexTolerance).rounded(.down)), lastBelowEndpoint)
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
