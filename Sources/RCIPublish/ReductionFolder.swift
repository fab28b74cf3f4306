import Foundation
import RadiatorStore
import RockingCurve
import RockingScan
import TIFFImage

/// A folder written by `spotfinder rci reduce` (maps as float32 TIFFs, `mask.tif`, `reduction.json`)
/// and its scan's `scan.json`, read back as the record the topograph-store keeps.
public enum ReductionFolder {
    /// - Parameters:
    ///   - folder: the reduction's output folder (`SCAN_DIR/reduced` by default).
    ///   - scanDirectory: the scan folder with `scan.json`; nil: the one `reduction.json` names.
    ///   - name: the stored scan's name; nil: the scan's own.
    public static func record(folder: String, scanDirectory: String? = nil, name: String? = nil, notes: String = "") throws(ReducedScanError) -> ReducedScanRecord {
        let reportPath = "\(folder)/reduction.json"
        guard let data = FileManager.default.contents(atPath: reportPath) else {
            throw ReducedScanError("folder", "\(reportPath): missing; give the folder `spotfinder rci reduce` wrote (default SCAN_DIR/reduced)")
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let report: ReductionReport
        do { report = try decoder.decode(ReductionReport.self, from: data) } catch {
            throw ReducedScanError("folder", "\(reportPath): not a reduction report (\(error))")
        }
        let manifest: ScanManifest
        do { manifest = try ScanManifest.load(directory: scanDirectory ?? report.scanDirectory) } catch {
            throw ReducedScanError("scan", "\(error.message) (the scan's scan.json gives rocking axis, face, rotation and pixel size; name its folder with --scan)")
        }
        guard let method = PeakMethod(rawValue: report.method) else {
            throw ReducedScanError("method", "\(reportPath): method '\(report.method)' is not moments, gauss or pvoigt")
        }
        let n = report.width * report.height
        func read(_ file: String) throws(ReducedScanError) -> TIFFReader {
            do {
                let reader = try TIFFReader(path: "\(folder)/\(file)")
                let info = try reader.page(0)
                guard info.width == report.width, info.height == report.height else {
                    throw ReducedScanError(file, "\(folder)/\(file): \(info.width) × \(info.height) pixels, but reduction.json says \(report.width) × \(report.height)")
                }
                return reader
            } catch let e as ReducedScanError { throw e } catch {
                throw ReducedScanError(file, "\(error)")
            }
        }
        var maps: [MapName: [Float]] = [:]
        for mapName in report.maps where mapName != "mask" {
            guard let map = MapName(rawValue: mapName) else { throw ReducedScanError("maps", "\(reportPath): '\(mapName)' is not a map name") }
            do { maps[map] = try read("\(mapName).tif").readFloat(page: 0) } catch let e as ReducedScanError { throw e } catch {
                throw ReducedScanError(mapName, "\(error)")
            }
        }
        let codes: [UInt16]
        do { codes = try read("mask.tif").readUInt16(page: 0) } catch let e as ReducedScanError { throw e } catch {
            throw ReducedScanError("mask", "\(error)")
        }
        var validity: [PixelValidity] = []
        validity.reserveCapacity(n)
        for c in codes {
            guard let v = PixelValidity(rawValue: UInt8(clamping: c)), c < 256 else {
                throw ReducedScanError("mask", "\(folder)/mask.tif: code \(c) is not a pixel validity (0 to 6)")
            }
            validity.append(v)
        }
        let facts = ReducedScanFacts(name: name ?? report.name, rocking: manifest.rocking, face: manifest.face,
                                     sampleRotationDegrees: manifest.sampleRotationDegrees, mirror: manifest.mirror,
                                     pixelXMillimeters: manifest.pixelMillimeters.x, pixelYMillimeters: manifest.pixelMillimeters.y,
                                     width: report.width, height: report.height, anglesMicroradians: report.nominalAngles,
                                     motorErrorsMicroradians: report.motor?.errorsMicroradians ?? [], method: method, maps: [],
                                     reductionSeconds: report.timings["total_s"] ?? report.timings["reduce_s"] ?? 0,
                                     motorCorrectionSeconds: report.timings["motor_s"] ?? 0, notes: notes)
        let record = ReducedScanRecord(facts: facts, maps: maps, validity: validity)
        try record.validate()
        return record
    }
}
