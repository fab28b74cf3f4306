import Foundation

/// Probability that a photon emitted at polar angle θ passes a centred
/// collimator, with the aperture edge smeared by the virtual spot at the
/// collimator and by multiple scattering in the radiator (reference `Acceptance`).
///
/// It depends on θ² alone, so it is tabulated once per beamline and looked up
/// by every term of every spectrum. Angles are in units of m_e/E. The table is
/// read with cubic (4-point Lagrange) interpolation, and the kernel the table is
/// built from likewise, so a lookup agrees with the reference's direct
/// evaluation to ~1e-6 (tested) at the cost of linear lookups.
public struct CollimatorAcceptance: Sendable {
    /// How the acceptance is evaluated: from the table (fast) or directly, as the
    /// reference does at every call (for tests of the table).
    public enum Evaluation: Sendable { case table, direct }

    /// Beyond this θ² the acceptance is below ~1e-10 and counted as zero.
    public let maxTheta2: Double
    private let inverseThetaStep: Double
    private let table: CubicTable
    private let fullyAcceptedTheta: Double
    private let collimated: Bool
    private let direct: (thetaC: Double, var0: Double, varMS: Double)?

    public static let defaultTablePoints = 1024

    public init(beamline: Beamline, tablePoints: Int = defaultTablePoints, evaluation: Evaluation = .table) {
        self.init(beamline: beamline, multipleScatteringVariance: beamline.multipleScatteringVariance,
                  tablePoints: tablePoints, evaluation: evaluation)
    }

    /// The same collimator seen from a radiator with another multiple scattering
    /// (the mount), variance in rad².
    public init(beamline: Beamline, multipleScatteringVariance: Double, tablePoints: Int = defaultTablePoints,
                evaluation: Evaluation = .table) {
        collimated = beamline.collimated
        let scale = 1 / beamline.characteristicAngleRadians
        let thetaC = beamline.collimatorDiameterMeters / (2 * beamline.collimatorDistanceMeters) * scale
        let var0 = pow(beamline.virtualSpotRmsMeters / beamline.collimatorDistanceMeters * scale, 2)
        let varMS = multipleScatteringVariance * scale * scale
        guard collimated else {
            maxTheta2 = .infinity; inverseThetaStep = 1; table = CubicTable(values: [0, 0]); fullyAcceptedTheta = .infinity
            direct = nil
            return
        }
        let sigma = (var0 + varMS).squareRoot()
        let thetaMax = thetaC + 7 * sigma
        maxTheta2 = thetaMax * thetaMax
        fullyAcceptedTheta = thetaC - (20 * (var0 + varMS)).squareRoot()
        if evaluation == .direct {
            direct = (thetaC, var0, varMS)
            inverseThetaStep = 1; table = CubicTable(values: [0, 0])
            return
        }
        direct = nil
        let step = thetaMax / Double(tablePoints - 1)
        inverseThetaStep = 1 / step
        let kernel = SmearingKernel(var0: var0, varMS: varMS, maxU: thetaMax + thetaC)
        table = CubicTable(values: (0..<tablePoints).map { i in
            Self.referenceAcceptance(theta: Double(i) * step, thetaC: thetaC, var0: var0, varMS: varMS, kernel: kernel.value)
        })
    }

    /// Acceptance at θ² (units of (m_e/E)²).
    @inline(__always)
    public func acceptance(theta2: Double) -> Double {
        guard collimated else { return 1 }
        if theta2 >= maxTheta2 { return 0 }
        let theta = theta2.squareRoot()
        if theta < fullyAcceptedTheta { return 1 }
        if let d = direct {
            return Self.referenceAcceptance(theta: theta, thetaC: d.thetaC, var0: d.var0, varMS: d.varMS) {
                SmearingKernel.exact(u2: $0, var0: d.var0, varMS: d.varMS)
            }
        }
        return table.value(at: theta * inverseThetaStep)
    }

    /// The reference's integral: 50-point midpoint rule over the smearing kernel
    /// p(u), the spread of the photon direction relative to the collimator axis.
    static func referenceAcceptance(theta: Double, thetaC: Double, var0: Double, varMS: Double,
                                    kernel: (Double) -> Double) -> Double {
        let steps = 50
        let theta2 = theta * theta
        var acceptance = 0.0
        if theta < thetaC {
            let u1 = thetaC - theta
            if u1 * u1 / (var0 + varMS) > 20 { return 1 }
            for i in 0..<steps {
                let u = u1 * (Double(i) + 0.5) / Double(steps)
                acceptance += kernel(u * u) * 2 * u * u1 / Double(steps)
            }
        }
        let u0 = abs(theta - thetaC), u1 = theta + thetaC
        for i in 0..<steps {
            let u = u0 + (u1 - u0) * (Double(i) + 0.5) / Double(steps)
            let u2 = u * u
            let du2 = 2 * u * (u1 - u0) / Double(steps)
            let opening = atan2(max(0, (theta2 - pow(thetaC - u, 2)) * (pow(thetaC + u, 2) - theta2)).squareRoot(),
                                theta2 - thetaC * thetaC + u2)
            acceptance += kernel(u2) * du2 / Double.pi * opening
        }
        return acceptance
    }
}

/// The radial density p(u) of the photon direction about the collimator axis
/// (virtual spot ⊗ multiple scattering), a function of u² alone: tabulated once
/// so the acceptance table costs lookups, not thousands of E₁ evaluations.
struct SmearingKernel {
    private let inverseStep: Double
    private let table: CubicTable

    init(var0: Double, varMS: Double, maxU: Double, points: Int = 4096) {
        let step = maxU / Double(points - 1)
        inverseStep = 1 / step
        table = CubicTable(values: (0..<points).map { i in
            let u = Double(i) * step
            return Self.exact(u2: u * u, var0: var0, varMS: varMS)
        })
    }

    /// p at u², evaluated directly (the reference's formula).
    static func exact(u2: Double, var0: Double, varMS: Double) -> Double {
        if varMS / var0 <= 1e-4 { return exp(-u2 / (2 * var0)) / (2 * var0) }
        // At u = 0 the two E₁ singularities cancel to ln(1 + varMS/var0).
        if u2 == 0 { return log((var0 + varMS) / var0) / (2 * varMS) }
        return (SpecialFunctions.expint1(u2 / (2 * (var0 + varMS))) - SpecialFunctions.expint1(u2 / (2 * var0))) / (2 * varMS)
    }

    /// p at u² (cubic interpolation in u).
    func value(_ u2: Double) -> Double {
        table.value(at: u2.squareRoot() * inverseStep)
    }
}

/// Samples f(0), f(h), f(2h)… of a function that is even about 0, read back by
/// 4-point Lagrange interpolation (error O(h⁴) where the function is smooth).
/// Past the last sample it holds the last value.
struct CubicTable: Sendable {
    private let values: [Double]

    init(values: [Double]) {
        precondition(values.count >= 2, "a table needs two samples")
        self.values = values
    }

    /// f at s steps from 0 (s ≥ 0).
    @inline(__always)
    func value(at s: Double) -> Double {
        let n = values.count
        let i = Int(s)
        guard i + 1 < n else { return values[n - 1] }
        let f = s - Double(i)
        let y1 = values[i], y2 = values[i + 1]
        // Evenness about 0 gives the sample left of the first; near the end fall back to linear.
        let y0 = i > 0 ? values[i - 1] : values[1]
        guard i + 2 < n else { return y1 + f * (y2 - y1) }
        let y3 = values[i + 2]
        let fm1 = f - 1, fm2 = f - 2, fp1 = f + 1
        return -f * fm1 * fm2 / 6 * y0 + fp1 * fm1 * fm2 / 2 * y1 - fp1 * f * fm2 / 2 * y2 + fp1 * f * fm1 / 6 * y3
    }
}
