import Foundation
import Testing
import Topography
@testable import RadiatorBuild

/// Bad inputs are refused with a sentence naming the scans and what is allowed, and nothing is built.
struct RefusalTests {
    static let crystal = SimulatedCrystal.bow()

    func refusal(_ scans: [ScanMaps]) -> String? {
        do {
            _ = try RadiatorBuilder.build(scans, options: BuildOptions(name: "refused", thicknessMicrons: 50))
            return nil
        } catch { return error.message }
    }

    @Test func twoThetaHScansAndNoThetaVAreRefused() {
        let a = Self.crystal.scan(.standard("first", .thetah, .front)), b = Self.crystal.scan(.standard("second", .thetah, .front))
        let message = refusal([a, b])
        #expect(message?.contains("2 front thetah scans ('first', 'second')") == true, "\(message ?? "built")")
    }

    @Test func aBackViewWithOneScanIsRefused() {
        let scans = [Self.crystal.scan(.standard("fh", .thetah, .front)), Self.crystal.scan(.standard("fv", .thetav, .front)),
                     Self.crystal.scan(.standard("bh", .thetah, .back))]
        let message = refusal(scans)
        #expect(message?.contains("the back view needs one thetah and one thetav scan: got 'bh' only") == true, "\(message ?? "built")")
    }

    @Test func aScanOfAnotherCrystalIsRefused() {
        var other = Self.crystal
        other.xRange = -1.0...1.6; other.yRange = -2.2...0.6; other.cut = 0.3
        let scans = [Self.crystal.scan(.standard("fh", .thetah, .front)), other.scan(.standard("other", .thetav, .front))]
        let message = refusal(scans)
        #expect(message?.contains("scan 'other' (front thetav) does not match the reference") == true, "\(message ?? "built")")
    }

    @Test func tooFewValidPixelsAreRefused() {
        var sparse = ScanRecipe.standard("sparse", .thetav, .front)
        sparse.invalidFraction = 0.7
        let message = refusal([Self.crystal.scan(.standard("fh", .thetah, .front)), Self.crystal.scan(sparse)])
        #expect(message?.contains("scan 'sparse' (front thetav): only") == true && message?.contains("have a valid peak") == true, "\(message ?? "built")")
    }

    @Test func aWrongPixelSizeIsRefused() {
        var wrong = Self.crystal.scan(.standard("wrong", .thetav, .front))
        wrong.manifest.pixelXMillimeters = 0.0465; wrong.manifest.pixelYMillimeters = 0.0465
        let message = refusal([Self.crystal.scan(.standard("fh", .thetah, .front)), wrong])
        #expect(message?.contains("appears 0.93") == true && message?.contains("pixel size") == true, "\(message ?? "built")")
    }

    @Test func badManifestNumbersAreRefused() {
        var bad = Self.crystal.scan(.standard("bad", .thetav, .front))
        bad.manifest.pixelXMillimeters = 0
        #expect(refusal([Self.crystal.scan(.standard("fh", .thetah, .front)), bad]) == "scan 'bad' (front thetav): pixel_x_mm = 0.0 is out of range: must be in [0.0005, 1] mm")
    }
}
