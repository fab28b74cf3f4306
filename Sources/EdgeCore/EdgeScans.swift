import Foundation
import PlotRendererCore
import RadiatorStore
import RockingCurve
import RPC
import ServiceClients
import Wire

/// Reduced rocking-curve scans over HTTP: the list, a scan's facts, and one map as JSON, CSV, a
/// float32 TIFF (full resolution, for analysis) or a PNG (drawn by the plot-renderer, block-averaged
/// to at most `pngCells` a side so its request fits a frame).
extension EdgeApp {
    var scans: ReducedScanClient { ReducedScanClient(rpc: store.rpc) }

    /// Largest side drawn as PNG: a 2048 × 2048 map is averaged over 2 × 2 blocks.
    static let pngCells = 1024

    /// Units of each map, for titles and the JSON answer.
    static func unit(of map: String) -> String {
        switch map {
        case "hmu", "hmu_moco", "hsigma", "hsigma_moco", "hfwhm", "hmu_err": "µrad"
        case "hamp", "hbase": "counts"
        case "hintegral": "counts·µrad"
        case "validity": "code (0 valid, 1 dead, 2 hot, 3 saturated, 4 too_weak, 5 peak_at_scan_end, 6 no_peak_in_range)"
        default: ""
        }
    }

    static func factsJSON(_ s: ReducedScanSummaryMessage, full: Bool) -> [String: Any] {
        let f = s.facts ?? ReducedScanFactsMessage()
        var out: [String: Any] = [
            "name": f.name, "rocking": f.rocking, "face": f.face, "sample_rotation_deg": f.sampleRotationDeg, "mirror": f.mirror,
            "pixel_x_mm": f.pixelXMm, "pixel_y_mm": f.pixelYMm, "width": f.width, "height": f.height, "images": f.anglesUrad.count,
            "method": f.method, "maps": f.maps + [ReducedScanFacts.validityMapName], "motor_corrected": !f.motorErrorsUrad.isEmpty,
            "validity_counts": Dictionary(uniqueKeysWithValues: f.validityCounts.map { ($0.reason, $0.pixels) }),
            "reduction_seconds": f.reductionSeconds, "motor_correction_seconds": f.motorCorrectionSeconds, "notes": f.notes,
            "revision": s.revision,
        ]
        if full {
            out["angles_urad"] = f.anglesUrad
            out["motor_errors_urad"] = f.motorErrorsUrad
        }
        return out
    }

    /// One map of a scan in `format` (json, csv, tiff, png), read from the store in bands.
    func scanMap(name: String, map: String, format: String, deadline: Deadline) async throws(RPCError) -> (String, Data) {
        let (f, revision, values) = try await scans.map(name, map: map, deadline: deadline)
        let width = Int(f.width), height = Int(f.height)
        switch format {
        case "tiff":
            return ("image/tiff", FloatTIFF.encode(width: width, height: height, values: values))
        case "json", "csv":
            guard values.count <= Self.maxExportCells else {
                throw RPCError(.invalidArgument, "format = \(format): \(name) has \(values.count) pixels, more than the \(Self.maxExportCells) a JSON or CSV export holds; use format=tiff (every pixel) or png")
            }
            if format == "csv" {
                var text = "# scan_name=\(name) map=\(map) unit=\(Self.unit(of: map)) width=\(width) height=\(height) revision=\(revision) (row 0 = the image's first row; empty = no data)\n"
                for r in 0..<height {
                    text += values[(r * width)..<((r + 1) * width)].map { $0.isNaN ? "" : "\($0)" }.joined(separator: ",")
                    text += "\n"
                }
                return ("text/csv; charset=utf-8", Data(text.utf8))
            }
            let rows: [[Any]] = (0..<height).map { r in values[(r * width)..<((r + 1) * width)].map { $0.isNaN ? NSNull() : Double($0) as Any } }
            let object: [String: Any] = ["scan_name": name, "map": map, "unit": Self.unit(of: map), "width": width, "height": height,
                                         "pixel_x_mm": f.pixelXMm, "pixel_y_mm": f.pixelYMm, "revision": revision, "values": rows]
            return ("application/json", (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
        default:
            let (cells, columns, rows, block) = Self.blockAverage(values, width: width, height: height, limit: Self.pngCells)
            // The renderer's rows go upwards; the image's row 0 is at the top: flip.
            var flipped: [Double] = []
            flipped.reserveCapacity(cells.count)
            for r in stride(from: rows - 1, through: 0, by: -1) { flipped += cells[(r * columns)..<((r + 1) * columns)].map(Double.init) }
            let px = f.pixelXMm * Double(block), py = f.pixelYMm * Double(block)
            var m = MapPlotRequest()
            m.title = ["\(name): \(map)\(block > 1 ? " (mean of \(block) × \(block) pixels)" : "")"]
            m.xTitle = "camera x (mm, from column 0)"
            m.yTitle = "camera y (mm, up from the last row)"
            m.zTitle = "\(map) (\(Self.unit(of: map)))"
            m.grid = MapGridMessage(x0: px / 2, y0: py / 2, dx: px, dy: py, columns: UInt32(columns), rows: UInt32(rows))
            m.values = flipped
            m.widthPx = 800; m.heightPx = 800
            m.palette = map == "validity" ? "bird" : "viridis"
            let r: PlotResponse = try await renderer.call(PlotRendererService.renderMap, m, deadline: deadline, idempotent: true)
            return ("image/png", r.png)
        }
    }

    /// Means of `block` × `block` pixels (NaN ignored; NaN where a block has no data), the block the
    /// smallest that brings both sides to at most `limit`.
    static func blockAverage(_ v: [Float], width: Int, height: Int, limit: Int) -> (values: [Float], columns: Int, rows: Int, block: Int) {
        let block = max(1, (max(width, height) + limit - 1) / limit)
        guard block > 1 else { return (v, width, height, 1) }
        let columns = (width + block - 1) / block, rows = (height + block - 1) / block
        var out = [Float](repeating: .nan, count: columns * rows)
        for j in 0..<rows {
            for i in 0..<columns {
                var sum = 0.0, n = 0
                for r in (j * block)..<min(height, (j + 1) * block) {
                    for c in (i * block)..<min(width, (i + 1) * block) where !v[r * width + c].isNaN {
                        sum += Double(v[r * width + c]); n += 1
                    }
                }
                if n > 0 { out[j * columns + i] = Float(sum / Double(n)) }
            }
        }
        return (out, columns, rows, block)
    }
}

extension EdgeHTTP {
    /// GET /api/scans and GET /api/scan?scan_name=NAME[&map=MAP&format=json|csv|tiff|png].
    func scanRoute(_ path: String, query: String) async throws -> HTTPResponseParts {
        let deadline = Deadline.after(seconds: max(requestSeconds, 60))
        if path == "/api/scans" {
            let list = try await rpc { try await self.app.scans.list(deadline: deadline) }
            return ("application/json", try JSONSerialization.data(withJSONObject: list.map { EdgeApp.factsJSON($0, full: false) }, options: [.sortedKeys]))
        }
        var parameters: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            guard let key = parts.first else { continue }
            guard ["scan_name", "map", "format"].contains(key) else {
                throw Failure(status: .badRequest, json: ["error": "\(key) is not a parameter of /api/scan: use scan_name, map, format", "parameter": key])
            }
            parameters[key] = parts.count > 1 ? parts[1] : ""
        }
        guard let name = parameters["scan_name"], !name.isEmpty else {
            throw Failure(status: .badRequest, json: ["error": "scan_name: name the reduced scan (GET /api/scans lists them)", "parameter": "scan_name"])
        }
        let format = parameters["format"] ?? "json"
        guard ["json", "csv", "tiff", "png"].contains(format) else {
            throw Failure(status: .badRequest, json: ["error": "format = '\(format)': allowed json, csv, tiff, png", "parameter": "format"])
        }
        guard let map = parameters["map"], !map.isEmpty else {
            let summary = try await rpc { try await self.app.scans.summary(name, deadline: deadline) }
            return ("application/json", try JSONSerialization.data(withJSONObject: EdgeApp.factsJSON(summary, full: true), options: [.sortedKeys]))
        }
        return try await rpc { try await self.app.scanMap(name: name, map: map, format: format, deadline: deadline) }
    }

    typealias HTTPResponseParts = (String, Data)
}
