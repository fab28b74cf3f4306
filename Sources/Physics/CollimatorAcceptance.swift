import Foundation

/// Probability that a photon emitted at polar angle θ passes a centred
/// collimator, with the aperture edge smeared by the virtual spot at the
/// collimator and by multiple scattering in the radiator (reference `Acceptance`).
///
/// It depends on θ² alone, so it is tabulated once per beamline and looked up
/// by every term of every spectrum. Angles are in units of m_e/E.
public struct CollimatorAcceptance: Sendable {
    /// Beyond this θ² the acceptance is below ~1e-10 and counted as zero.
    public let maxTheta2: Double
    private let thetaStep: Double
    private let table: [Double]
    private let fullyAcceptedTheta: Double
    private let collimated: Bool

    public init(beamline: Beamline, tablePoints: Int = 1024) {
        collimated = beamline.collimated
        let scale = 1 / beamline.characteristicAngleRadians
        let thetaC = beamline.collimatorDiameterMeters / (2 * beamline.collimatorDistanceMeters) * scale
        let var0 = pow(beamline.virtualSpotRmsMeters / beamline.collimatorDistanceMeters * scale, 2)
        let varMS = beamline.multipleScatteringVariance * scale * scale
        guard collimated else {
            maxTheta2 = .infinity; thetaStep = 1; table = []; fullyAcceptedTheta = .infinity
            return
        }
        let sigma = (var0 + varMS).squareRoot()
        let thetaMax = thetaC + 7 * sigma
        maxTheta2 = thetaMax * thetaMax
        fullyAcceptedTheta = thetaC - (20 * (var0 + varMS)).squareRoot()
        thetaStep = thetaMax / Double(tablePoints - 1)
        let kernel = SmearingKernel(var0: var0, varMS: varMS, maxU: thetaMax + thetaC)
        table = (0..<tablePoints).map { i in
            Self.referenceAcceptance(theta: Double(i) * (thetaMax / Double(tablePoints - 1)),
                                     thetaC: thetaC, var0: var0, varMS: varMS, kernel: kernel.value)
        }
    }

    /// Acceptance at θ² (units of (m_e/E)²).
    @inline(__always)
    public func acceptance(theta2: Double) -> Double {
        guard collimated else { return 1 }
        if theta2 >= maxTheta2 { return 0 }
        let theta = theta2.squareRoot()
        if theta < fullyAcceptedTheta { return 1 }
        let s = theta / thetaStep
        let i = Int(s)
        let f = s - Double(i)
        return table[i] + f * (table[i + 1] - table[i])
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
    private let step: Double
    private let table: [Double]

    init(var0: Double, varMS: Double, maxU: Double, points: Int = 4096) {
        step = maxU / Double(points - 1)
        let useMS = varMS / var0 > 1e-4
        table = (0..<points).map { i in
            let u = Double(i) * (maxU / Double(points - 1))
            let u2 = u * u
            if !useMS { return exp(-u2 / (2 * var0)) / (2 * var0) }
            // At u = 0 the two E₁ singularities cancel to ln(1 + varMS/var0).
            if u2 == 0 { return log((var0 + varMS) / var0) / (2 * varMS) }
            return (SpecialFunctions.expint1(u2 / (2 * (var0 + varMS))) - SpecialFunctions.expint1(u2 / (2 * var0))) / (2 * varMS)
        }
    }

    /// p at u² (linear interpolation in u).
    func value(_ u2: Double) -> Double {
        let s = u2.squareRoot() / step
        let i = Int(s)
        guard i + 1 < table.count else { return table[table.count - 1] }
        let f = s - Double(i)
        return table[i] + f * (table[i + 1] - table[i])
    }
}
