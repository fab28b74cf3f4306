import API
import Foundation
import Testing
@testable import Physics

/// GlueX's PARA / PERP (issue #21 item 1): the four orientations a GlueX run uses, from the word to the
/// computed plane, and the frame conversion a physicist checks by hand.
@Suite struct GlueXPlaneTests {
    /// 45° in mrad: the 45/135 setups turn the diamond by this about the beam.
    static let fortyFive = 45 * Double.pi / 180 * 1e3

    /// Beam view (looking downstream, x right, y up) → Hall D (x to beam left, y up): φ → 180° − φ.
    @Test func beamViewAnglesBecomeHallDAngles() {
        for (beamView, hallD, label) in [(0.0, 0.0, "PARA 0/90"), (90, 90, "PERP 0/90"), (45, -45, "PARA 45/135"), (135, 45, "PERP 45/135"),
                                         (2, -2, "PARA 0/90"), (178, 2, "PARA 0/90"), (93, 87, "PERP 0/90")] {
            let g = GlueXPlane(beamViewDegrees: beamView)
            #expect(abs(g.hallDDegrees - hallD) < 1e-9, "beam view \(beamView)° → Hall D \(g.hallDDegrees)°")
            #expect(g.label == label, "beam view \(beamView)°: \(g.label ?? "no name")")
        }
        // Halfway between two nominal planes there is no GlueX name, only the angle.
        #expect(GlueXPlane(beamViewDegrees: 22.5).label == nil)
        #expect(GlueXPlane(beamViewDegrees: 22.5).text.contains("Hall D -22.5°"))
    }

    /// The original tool's words keep their meaning; GlueX's PARA/PERP pick the snap that gives them.
    @Test func snapWordsMapToTheGoniometerAxis() throws {
        #expect(try SpotfinderRequest(query: "snap_action=snap_para").snapPlane == .para)
        #expect(try SpotfinderRequest(query: "snap_action=snap_perp").snapPlane == .perp)
        for thetaZ in [0, Self.fortyFive] {
            #expect(try SpotfinderRequest(query: "snap_action=PARA&rad_thetaz=\(thetaZ)").snapPlane == .perp)
            #expect(try SpotfinderRequest(query: "snap_action=PERP&rad_thetaz=\(thetaZ)").snapPlane == .para)
        }
        // θz = 90°: the crystal's axes swap, and so do the snaps.
        #expect(try SpotfinderRequest(query: "snap_action=PARA&rad_thetaz=\(2 * Self.fortyFive)").snapPlane == .para)
    }

    /// End to end in the physics: 12 GeV beam, edge at 9 GeV, each GlueX orientation snapped and the
    /// plane computed from the radiating reflection; the 45/135 snap is the 0/90 one turned about the
    /// beam, so its spectrum is the same and its edge where asked.
    @Test(arguments: [("PARA", 0.0, "PARA 0/90", 0.0), ("PERP", 0.0, "PERP 0/90", 90.0),
                      ("PARA", 45.0, "PARA 45/135", -45.0), ("PERP", 45.0, "PERP 45/135", 45.0)])
    func theFourGlueXOrientations(word: String, thetaZDegrees: Double, expected: String, hallD: Double) throws {
        let thetaZ = thetaZDegrees * Double.pi / 180 * 1e3
        let request = try SpotfinderRequest(query: "snap_action=\(word)&rad_thetaz=\(thetaZ)&ebeam_energy=12&snap_edge=9&pbeam_energy_min=7&pbeam_energy_max=10")
        let plane = try #require(request.snapPlane)
        let o = try EdgeSnapping.orientation(edgeGeV: 9, plane: plane, beamEnergyGeV: 12, thetaZMilliradians: thetaZ)
        let model = SpectrumModel(beamline: Beamline(beamEnergyGeV: 12), grid: request.energyGrid)
        let turned = CrystalOrientation(thetaHMilliradians: o.thetaH, thetaVMilliradians: o.thetaV, thetaZMilliradians: thetaZ)
        let azimuth = try #require(model.polarizationPlane(at: turned))
        #expect(azimuth.gluex.label == expected, "\(word) at θz \(thetaZDegrees)°: \(azimuth.gluex.text)")
        #expect(GlueXPlane.separation(azimuth.gluex.hallDDegrees, hallD) < 0.1, "\(azimuth.gluex.hallDDegrees)° vs \(hallD)°")
        // Same beam direction relative to the crystal as the unturned snap: the same spectrum.
        let o0 = try EdgeSnapping.orientation(edgeGeV: 9, plane: plane, beamEnergyGeV: 12)
        let s = model.spectrum(at: turned), s0 = model.spectrum(at: CrystalOrientation(thetaHMilliradians: o0.thetaH, thetaVMilliradians: o0.thetaV))
        let top = s0.coherent.max()!
        for k in s.coherent.indices { #expect(abs(s.coherent[k] - s0.coherent[k]) <= 1e-6 * top, "at \(s.energyGeV[k]) GeV") }
        let edge = try #require(s.coherentPeakEnergyGeV)
        #expect(abs(edge - 9) < 0.1, "edge at \(edge) GeV")
    }

    /// θz = 0 is the original tool's snap bit for bit (the golden cases depend on it).
    @Test func unturnedSnapIsTheOriginalFormula() throws {
        let a = try EdgeSnapping.orientation(edgeGeV: 6, plane: .para, beamEnergyGeV: 11.6, meanTiltHMilliradians: 0.013, meanTiltVMilliradians: -0.02)
        let theta = try EdgeSnapping.edgeAngleMilliradians(edgeGeV: 6, beamEnergyGeV: 11.6)
        #expect(a.thetaH == theta - 0.013 && a.thetaV == 50)
        // A spot's mean tilt along the turned small angle is taken off: the turned snap of a tilted spot is
        // the turned snap of a perfect crystal minus that component.
        let z = Self.fortyFive
        let flat = try EdgeSnapping.orientation(edgeGeV: 6, plane: .para, beamEnergyGeV: 11.6, thetaZMilliradians: z)
        let tilted = try EdgeSnapping.orientation(edgeGeV: 6, plane: .para, beamEnergyGeV: 11.6, meanTiltHMilliradians: 0.02,
                                                  meanTiltVMilliradians: 0.02, thetaZMilliradians: z)
        let along = 0.02 * (cos(z * 1e-3) + sin(z * 1e-3))
        #expect(abs(flat.thetaH - tilted.thetaH - along * cos(z * 1e-3)) < 1e-12)
        #expect(abs(flat.thetaV - tilted.thetaV - along * sin(z * 1e-3)) < 1e-12)
    }
}
