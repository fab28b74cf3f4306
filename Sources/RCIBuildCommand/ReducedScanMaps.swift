import RadiatorBuild
import RadiatorStore
import RockingCurve
import Topography

/// A reduction folder's record (part 1's output, read by `ReductionFolder`) as the build's input: the
/// motor-corrected peak positions, the integrated intensity (amplitude if absent), the baseline, validity.
public enum ReducedScanMaps {
    public static func scanMaps(_ record: ReducedScanRecord, complementary: Bool = false, overrides: ScanOverrides = ScanOverrides(), source: String) throws(BuildError) -> ScanMaps {
        let f = record.facts
        guard let rocking = RockingDirection(rawValue: f.rocking) else {
            throw BuildError("\(source): rocking '\(f.rocking)' is not thetah or thetav")
        }
        guard let face = ViewSide(rawValue: f.face) else { throw BuildError("\(source): face '\(f.face)' is not front or back") }
        guard let peak = record.maps[.hmuMoco] ?? record.maps[.hmu] else {
            throw BuildError("\(source): the reduction has neither hmu_moco nor hmu: no peak positions to build from")
        }
        guard let intensity = record.maps[.hintegral] ?? record.maps[.hamp] else {
            throw BuildError("\(source): the reduction has neither hintegral nor hamp: no intensity to find the crystal's outline in")
        }
        let manifest = ScanManifest(name: f.name, rocking: rocking, face: face, sampleRotationDegrees: f.sampleRotationDegrees, mirror: f.mirror,
                                    pixelXMillimeters: f.pixelXMillimeters, pixelYMillimeters: f.pixelYMillimeters, complementary: complementary)
        return ScanMaps(manifest: manifest, columns: f.width, rows: f.height, peakMicroradians: peak, intensity: intensity,
                        valid: record.validity.map { $0 == .valid }, baseline: record.maps[.hbase], overrides: overrides)
    }
}
