import RockingCurve
import RockingScanSimulation
import Testing

/// The stepper motor's error recovered from the data, on a simulated scan with a known error
/// (CLS-like: 21 µrad full step, 2.4 µrad image step, 0.8 + 0.3 µrad harmonics).
@Suite struct MotorCorrectionTests {
    /// Rms of recovered − injected after removing the best line (a common shift or stretch is invisible).
    static func mismatch(_ recovered: [Double], _ truth: [Double], _ angles: [Double]) -> Double {
        let d = zip(recovered, truth).map { $0 - $1 }
        let n = Double(d.count), mx = angles.reduce(0, +) / n, my = d.reduce(0, +) / n
        let sxy = zip(angles, d).map { ($0 - mx) * ($1 - my) }.reduce(0, +), sxx = angles.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
        let slope = sxy / sxx
        let r = zip(angles, d).map { $1 - my - slope * ($0 - mx) }
        return (r.map { $0 * $0 }.reduce(0, +) / n).squareRoot()
    }

    @Test func periodicErrorIsRecoveredToAFractionOfTheStep() throws {
        let scan = try SimulatedScanFixture { $0.sigmaMicroradians = 5; $0.startMicroradians = -100; $0.frameCount = 90 }
        let truth = scan.simulation.truth
        let estimate = try MotorCorrection.estimate(sample: scan.rows, nominal: scan.frames, options: ReductionOptions(method: .gauss),
                                                    model: .periodic(stepMicroradians: 21, harmonics: 3))
        let error = Self.mismatch(estimate.errorsMicroradians, truth.motorErrors, truth.nominalAngles)
        #expect(error < 0.1 * 2.4)
    }
}
