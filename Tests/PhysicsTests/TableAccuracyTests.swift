import Foundation
import Testing
@testable import Physics

/// The acceptance and kernel tables against the reference's direct evaluation (issue 12, item 2).
@Suite struct TableAccuracyTests {
    struct Case: Sendable, CustomStringConvertible {
        var label: String
        var beamline: Beamline
        var grid: EnergyGrid
        var orientation = CrystalOrientation(thetaHMilliradians: 1.2296467307569028, thetaVMilliradians: 50)
        var smeared = true
        var description: String { label }
    }

    static let cases: [Case] = [
        Case(label: "default diamond 50 µm", beamline: Beamline(),
             grid: EnergyGrid(minGeV: 5.7, maxGeV: 6.3, binWidthGeV: 0.02, beamEnergyGeV: 11.6)),
        Case(label: "silicon 412 µm, 0.002 GeV bins", beamline: Beamline(radiatorThicknessMeters: 412e-6, crystal: .silicon),
             grid: EnergyGrid(minGeV: 5.9, maxGeV: 6.1, binWidthGeV: 0.002, beamEnergyGeV: 11.6),
             orientation: CrystalOrientation(thetaHMilliradians: 2.0, thetaVMilliradians: 50)),
        Case(label: "diamond 5000 µm, unsmeared", beamline: Beamline(radiatorThicknessMeters: 5000e-6),
             grid: EnergyGrid(minGeV: 5.5, maxGeV: 6.3, binWidthGeV: 0.02, beamEnergyGeV: 11.6), smeared: false),
        Case(label: "thin 10 µm, narrow collimator far away", beamline: Beamline(collimatorDistanceMeters: 200,
             collimatorDiameterMeters: 1e-3, radiatorThicknessMeters: 10e-6),
             grid: EnergyGrid(minGeV: 5.5, maxGeV: 6.3, binWidthGeV: 0.01, beamEnergyGeV: 11.6)),
    ]

    /// Every rate of every bin within 1e-4 of the directly evaluated model (bins above 1e-9 of the maximum).
    @Test(arguments: cases)
    func spectraAgreeWithDirectEvaluation(_ c: Case) {
        let table = SpectrumModel(beamline: c.beamline, grid: c.grid).spectrum(at: c.orientation, smeared: c.smeared)
        let direct = SpectrumModel(beamline: c.beamline, grid: c.grid, acceptanceEvaluation: .direct)
            .spectrum(at: c.orientation, smeared: c.smeared)
        var worst = 0.0
        for (label, a, b) in [("coherent", table.coherent, direct.coherent),
                              ("polarized", table.coherentPolarized, direct.coherentPolarized),
                              ("incoherent", table.incoherent, direct.incoherent)] {
            let top = b.map(abs).max() ?? 0
            for i in b.indices where abs(b[i]) > 1e-9 * top {
                let rel = abs(a[i] - b[i]) / abs(b[i])
                worst = max(worst, rel)
                #expect(rel <= 1e-4, "\(c) \(label) at \(table.energyGeV[i]) GeV: table \(a[i]), direct \(b[i])")
            }
        }
        if ProcessInfo.processInfo.environment["SPOTFINDER_VERBOSE"] != nil { print("\(c): worst \(worst)") }
    }

    /// The acceptance function itself, densely sampled, where it is not negligible.
    @Test(arguments: cases)
    func acceptanceAgreesWithDirectEvaluation(_ c: Case) {
        let table = CollimatorAcceptance(beamline: c.beamline)
        let direct = CollimatorAcceptance(beamline: c.beamline, evaluation: .direct)
        let steps = 4000
        for k in 0..<steps {
            let theta2 = table.maxTheta2 * (Double(k) + 0.37) / Double(steps)
            let a = table.acceptance(theta2: theta2), b = direct.acceptance(theta2: theta2)
            #expect(abs(a - b) <= 1e-5 * max(b, 1e-3), "\(c) θ² = \(theta2): table \(a), direct \(b)")
        }
    }
}
