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

    /// The free model (one error per image) on the same scan: measured where peaks lie (images
    /// between the lowest and highest peak position; elsewhere no curve has a slope).
    @Test func freeErrorIsRecoveredWherePeaksLie() throws {
        let scan = try SimulatedScanFixture { $0.sigmaMicroradians = 5; $0.startMicroradians = -100; $0.frameCount = 90 }
        let truth = scan.simulation.truth
        let positions = try scan.reduce(options: ReductionOptions()).position.filter(\.isFinite)
        let low = Double(positions.min()!), high = Double(positions.max()!)
        let k = truth.nominalAngles.indices.filter { truth.nominalAngles[$0] >= low && truth.nominalAngles[$0] <= high }
        #expect(k.count > 15)
        let estimate = try MotorCorrection.estimate(sample: scan.rows, nominal: scan.frames, options: ReductionOptions(method: .gauss), model: .free)
        let error = Self.mismatch(k.map { estimate.errorsMicroradians[$0] }, k.map { truth.motorErrors[$0] }, k.map { truth.nominalAngles[$0] })
        let injected = Self.mismatch([Double](repeating: 0, count: k.count), k.map { truth.motorErrors[$0] }, k.map { truth.nominalAngles[$0] })
        #expect(error < 0.3)  // an eighth of the 2.4 µrad step
        #expect(error < injected / 2)
    }

    @Test func solveRefusesSumsWithoutPixels() throws {
        let frames = try ScanFrames(anglesMicroradians: (0..<10).map { Double($0) })
        #expect(throws: RockingCurveError.self) { try MotorCorrection.solve(MotorResidualSums(frameCount: 10), nominal: frames, model: .free) }
        #expect(throws: RockingCurveError.self) { try MotorModel.periodic(stepMicroradians: 0, harmonics: 2).validate() }
    }

    /// The asynchronous form (passes as node requests) gives the same estimate, bit for bit.
    @Test func asynchronousPassesGiveTheSameEstimate() async throws {
        let scan = try SimulatedScanFixture { $0.height = 12; $0.sigmaMicroradians = 5; $0.startMicroradians = -100; $0.frameCount = 90 }
        let options = ReductionOptions(method: .gauss), model = MotorModel.periodic(stepMicroradians: 21, harmonics: 2)
        let direct = try MotorCorrection.estimate(sample: scan.rows, nominal: scan.frames, options: options, model: model, iterations: 2)
        let rows = scan.rows
        let remote = try await MotorCorrection.estimate(nominal: scan.frames, options: options, model: model, iterations: 2) { frames, fit in
            var total = MotorResidualSums(frameCount: frames.count)
            for tile in rows {
                let maps = try TileReduction.reduce(tile, frames: frames, options: fit)
                try total.add(MotorCorrection.residualSums(tile, frames: frames, maps: maps, options: fit))
            }
            return total
        }
        #expect(direct == remote)
        #expect(direct.iterations == 2 && direct.pixels > 100)
    }
}
