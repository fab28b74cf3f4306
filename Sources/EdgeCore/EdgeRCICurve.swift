import Foundation
import RadiatorStore
import RockingCurve
import RockingScan
import RPC
import ServiceClients
import TopographStoreCore
import Wire

/// GET /api/rci/curve: one pixel's rocking curve from the raw images beside the curve drawn from the
/// stored fit, so a user sees whether the reduction understood that pixel.
extension EdgeRCI {
    /// GET /api/rci/curve: the pixel's raw curve (when the folder is under the root) and the curve
    /// drawn from the stored fit at the same (motor-corrected) angles.
    public func curve(scanName: String, column: Int, row: Int, deadline: Deadline) async throws(RCIFailure) -> [String: Any] {
        let summary: ReducedScanSummaryMessage
        do throws(RPCError) { summary = try await app.scans.summary(scanName, deadline: deadline) } catch {
            throw Self.failure(error, parameter: "scan_name")
        }
        let f = summary.facts ?? ReducedScanFactsMessage()
        guard column >= 0, column < Int(f.width) else {
            throw RCIFailure(400, "column = \(column): \(scanName) has columns 0 to \(Int(f.width) - 1)", parameter: "column")
        }
        guard row >= 0, row < Int(f.height) else {
            throw RCIFailure(400, "row = \(row): \(scanName) has rows 0 to \(Int(f.height) - 1)", parameter: "row")
        }
        let corrected = !f.motorErrorsUrad.isEmpty && f.motorErrorsUrad.count == f.anglesUrad.count
        let angles = corrected ? zip(f.anglesUrad, f.motorErrorsUrad).map { $0 + $1 } : f.anglesUrad
        var values: [String: Float] = [:]
        for map in ["hmu", "hmu_moco", "hsigma", "hsigma_moco", "hamp", "hbase", "hfwhm", "heta", ReducedScanFacts.validityMapName] where map == ReducedScanFacts.validityMapName || f.maps.contains(map) {
            var request = GetReducedScanRequest()
            request.scanName = scanName; request.map = map; request.firstRow = UInt32(row); request.rows = 1
            do throws(RPCError) {
                let r: GetReducedScanResponse = try await app.store.rpc.call(ReducedScanService.getReducedScan, request, deadline: deadline, idempotent: true)
                if let band = r.band, column < band.values.count { values[map] = band.values[column] }
            } catch { throw Self.failure(error, parameter: "scan_name") }
        }
        let code = UInt8(clamping: Int(values[ReducedScanFacts.validityMapName] ?? 0))
        let validity = PixelValidity(rawValue: code)?.name ?? "code \(code)"
        var out: [String: Any] = ["scan_name": scanName, "column": column, "row": row, "angles_urad": angles, "validity": validity,
                                  "motor_corrected": corrected]
        let position = corrected ? values["hmu_moco"] : values["hmu"]
        if let position, position.isFinite, let amplitude = values["hamp"], let background = values["hbase"] {
            let sigma = Double(values[corrected ? "hsigma_moco" : "hsigma"] ?? .nan)
            let fwhm = Double(values["hfwhm"].flatMap { $0.isFinite ? $0 : nil } ?? Float(sigma * 2.354_820_045))
            let eta = Double(values["heta"].flatMap { $0.isFinite ? $0 : nil } ?? 0)
            let shape = PeakShape(centre: Double(position), fwhm: fwhm, eta: eta)
            out["fit"] = ["method": f.method, "position_urad": Double(values["hmu"] ?? .nan).jsonSafe, "sigma_urad": sigma.jsonSafe,
                          "fwhm_urad": fwhm.jsonSafe, "amplitude": Double(amplitude).jsonSafe, "background": Double(background).jsonSafe,
                          "background_slope": NSNull(), "eta": eta, "position_moco_urad": corrected ? Double(position).jsonSafe : NSNull()] as [String: Any]
            out["model"] = angles.map { (Double(background) + Double(amplitude) * shape.value($0)).jsonSafe }
        } else {
            out["fit"] = NSNull()
            out["model"] = NSNull()
        }
        let raw = await Self.onOwnThread { [root] in Self.rawCurve(root: root, folder: f.folder, width: Int(f.width), height: Int(f.height),
                                                                   images: f.anglesUrad.count, column: column, row: row) }
        switch raw {
        case .success(let counts):
            out["counts"] = counts.map { Double($0).jsonSafe }
            out["raw_available"] = true
        case .failure(let note):
            out["counts"] = NSNull()
            out["raw_available"] = false
            out["raw_note"] = note.message
        }
        return out
    }

    /// One pixel's curve from the raw images: dark-subtracted and monitor-normalised as the reduction saw it.
    static func rawCurve(root: ScansRoot, folder: String, width: Int, height: Int, images: Int, column: Int, row: Int) -> Result<[Float], RCIFailure> {
        guard !folder.isEmpty else {
            return .failure(RCIFailure(404, "the scan was reduced elsewhere (stored with spotfinder rci publish): its raw images are not known to this server"))
        }
        let directory: String
        do throws(RCIFailure) { directory = try root.resolve(folder) } catch {
            return .failure(RCIFailure(404, "the raw images of folder '\(folder)' are not under this edge's scans root"))
        }
        do throws(ScanError) {
            let input = try ScanInput.open(directory: directory)
            guard input.width == width, input.height == height, input.frameCount == images else {
                return .failure(RCIFailure(404, "folder '\(folder)' now holds \(input.width) × \(input.height) × \(input.frameCount) images, not the \(width) × \(height) × \(images) that were reduced"))
            }
            let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: input.bytesPerBandRow, alignment: 16)
            defer { raw.deallocate() }
            try input.readBand(rows: row..<(row + 1), into: raw)
            let dark = try input.darkLevel(rows: row..<(row + 1))?[column] ?? 0
            let scale = input.frames.monitorScale
            var counts = [Float](repeating: 0, count: images)
            for k in 0..<images {
                let value: Float = switch input.sampleType {
                case .uint16: Float(raw.load(fromByteOffset: (k * width + column) * 2, as: UInt16.self))
                case .float32: raw.load(fromByteOffset: (k * width + column) * 4, as: Float.self)
                }
                counts[k] = (value - dark) * scale[k]
            }
            return .success(counts)
        } catch {
            return .failure(RCIFailure(404, "the raw images of folder '\(folder)' cannot be read: \(root.publicMessage(error.message))"))
        }
    }

}
