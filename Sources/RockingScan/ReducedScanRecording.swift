import RadiatorStore
import RockingCurve

extension ReducedScan {
    /// The scan as the topograph-store keeps it: the in-memory reduction (maps and mask) with the
    /// manifest's geometry, `folder` being where the raw images are relative to the edge's scans root.
    /// `spotfinder rci publish` reads the same things back from a reduction folder (RCIPublish).
    public func record(manifest: ScanManifest, folder: String, seconds: Double, notes: String = "") throws(ReducedScanError) -> ReducedScanRecord {
        guard let method = PeakMethod(rawValue: report.method) else {
            throw ReducedScanError("method", "'\(report.method)' is not moments, gauss or pvoigt")
        }
        var named: [MapName: [Float]] = [:]
        for (key, values) in maps {
            guard let name = MapName(rawValue: key) else { throw ReducedScanError("maps", "'\(key)' is not a map name") }
            named[name] = values
        }
        var validity: [PixelValidity] = []
        validity.reserveCapacity(mask.count)
        for code in mask {
            guard let v = PixelValidity(rawValue: code) else { throw ReducedScanError("validity", "code \(code) is not a pixel validity") }
            validity.append(v)
        }
        var facts = ReducedScanFacts(name: manifest.name, rocking: manifest.rocking, face: manifest.face,
                                     sampleRotationDegrees: manifest.sampleRotationDegrees, mirror: manifest.mirror,
                                     pixelXMillimeters: manifest.pixelMillimeters.x, pixelYMillimeters: manifest.pixelMillimeters.y,
                                     width: width, height: height, anglesMicroradians: report.nominalAngles,
                                     motorErrorsMicroradians: report.motor?.errorsMicroradians ?? [], method: method, maps: [],
                                     reductionSeconds: seconds, motorCorrectionSeconds: report.timings["motor_s"] ?? 0, notes: notes)
        facts.folder = folder
        let record = ReducedScanRecord(facts: facts, maps: named, validity: validity)
        try record.validate()
        return record
    }
}
