import RadiatorBuild
import RadiatorStore
import RCIBuildCommand
import RockingCurve
import Topography

/// What the edge's build reads of a stored scan, and the names it gives the build's maps. The stored
/// scan becomes RadiatorBuild's input through `spotfinder rci build`'s own glue (`ReducedScanMaps`),
/// so the CLI and the server build from the same maps the same way.
enum ReducedScanBuildInput {
    /// The maps a build reads of a scan holding `maps`: the peak (motor-corrected when there), the
    /// intensity (integrated, else the amplitude) and the baseline when there.
    static func mapsToRead(_ maps: [MapName]) -> [MapName] {
        [maps.contains(.hmuMoco) ? .hmuMoco : .hmu, maps.contains(.hintegral) ? .hintegral : .hamp] + (maps.contains(.hbase) ? [.hbase] : [])
    }

    /// The build's input from a stored scan's facts, the maps read and its validity codes.
    static func scanMaps(facts: ReducedScanFacts, maps: [MapName: [Float]], validity: [Float], parameter: String) throws(RCIFailure) -> ScanMaps {
        var codes: [PixelValidity] = []
        codes.reserveCapacity(validity.count)
        for v in validity { codes.append(PixelValidity(rawValue: UInt8(clamping: Int(v.isFinite ? v : 255))) ?? .dead) }
        do throws(BuildError) {
            return try ReducedScanMaps.scanMaps(ReducedScanRecord(facts: facts, maps: maps, validity: codes), source: "\(parameter) = '\(facts.name)'")
        } catch {
            throw RCIFailure(400, error.message, parameter: parameter)
        }
    }

    /// The contract's map name for a build diagnostic: "elevation front" → "elevation", "curl back" →
    /// "curl:back", "peak front thetah" → "aligned:SCAN" (the scan in that role), "front-back elevation
    /// difference" → "front_back". `scanOfRole` maps "front thetah" etc. to the scans' names.
    static func publicName(_ diagnostic: String, scanOfRole: [String: String]) -> String {
        if diagnostic == "front-back elevation difference" { return "front_back" }
        if diagnostic == "mask" { return "mask" }
        for (prefix, name) in [("peak ", "aligned:"), ("intensity ", "intensity:")] where diagnostic.hasPrefix(prefix) {
            let role = String(diagnostic.dropFirst(prefix.count))
            return name + (scanOfRole[role] ?? role.replacingOccurrences(of: " ", with: "_"))
        }
        var words = diagnostic.split(separator: " ").map(String.init)
        let side = words.last == "back" ? ":back" : ""
        if words.last == "front" || words.last == "back" { words.removeLast() }
        return words.joined(separator: "_").replacingOccurrences(of: "-", with: "") + side
    }
}
