import RadiatorBuild
import RadiatorStore
import RockingCurve
import Topography

/// The one place where a stored reduced scan becomes RadiatorBuild's input: the manifest's geometry,
/// the motor-corrected peak position when there is one (else the nominal), the integrated intensity
/// (else the amplitude), the reduction's validity and its baseline.
enum ReducedScanBuildInput {
    /// The maps a build reads of a scan with `maps`, in order: peak, intensity, baseline (optional).
    static func mapNames(_ maps: [String]) -> (peak: String, intensity: String, baseline: String?) {
        (maps.contains(MapName.hmuMoco.rawValue) ? MapName.hmuMoco.rawValue : MapName.hmu.rawValue,
         maps.contains(MapName.hintegral.rawValue) ? MapName.hintegral.rawValue : MapName.hamp.rawValue,
         maps.contains(MapName.hbase.rawValue) ? MapName.hbase.rawValue : nil)
    }

    static func scanMaps(facts: ReducedScanFacts, peak: [Float], intensity: [Float], validity: [Float], baseline: [Float]?) throws(RCIFailure) -> ScanMaps {
        guard let rocking = RockingDirection(rawValue: facts.rocking), let face = ViewSide(rawValue: facts.face) else {
            throw RCIFailure(400, "\(facts.name): rocking '\(facts.rocking)', face '\(facts.face)' are not thetah/thetav, front/back")
        }
        let manifest = ScanManifest(name: facts.name, rocking: rocking, face: face, sampleRotationDegrees: facts.sampleRotationDegrees,
                                    mirror: facts.mirror, pixelXMillimeters: facts.pixelXMillimeters, pixelYMillimeters: facts.pixelYMillimeters)
        return ScanMaps(manifest: manifest, columns: facts.width, rows: facts.height, peakMicroradians: peak, intensity: intensity,
                        valid: validity.map { $0 == Float(PixelValidity.valid.rawValue) }, baseline: baseline)
    }

    /// The contract's map name for a build diagnostic ("elevation front" → "elevation", "peak S" → "aligned:S", …).
    static func publicName(_ diagnostic: String) -> String {
        if diagnostic == "front-back elevation difference" { return "front_back" }
        if diagnostic == "mask" { return "mask" }
        if diagnostic.hasPrefix("peak ") { return "aligned:" + diagnostic.dropFirst(5) }
        if diagnostic.hasPrefix("intensity ") { return "intensity:" + diagnostic.dropFirst(10) }
        var words = diagnostic.split(separator: " ").map(String.init)
        let side = words.last == "back" ? ":back" : ""
        if words.last == "front" || words.last == "back" { words.removeLast() }
        return words.joined(separator: "_").replacingOccurrences(of: "-", with: "") + side
    }
}
