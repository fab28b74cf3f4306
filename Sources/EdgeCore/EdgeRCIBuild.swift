import Foundation
import PlotRendererCore
import RadiatorBuild
import RadiatorStore
import Render
import RockingCurve
import RPC
import ServiceClients
import TopographStoreCore
import Topography
import Wire
import WireMapping
import Zlib

/// POST /api/rci/build, GET /api/rci/build_report and /api/rci/build_map: a radiator built from stored
/// reduced scans (RadiatorBuild, on a thread of its own), stored as an import is, with its build report
/// and maps stored next to it in the topograph-store.
extension EdgeRCI {
    /// The scans of a build by the query's parameter names, with the rocking and face each must have.
    static let roles: [(parameter: String, rocking: String, face: String)] = [
        ("front_h", "thetah", "front"), ("front_v", "thetav", "front"), ("back_h", "thetah", "back"), ("back_v", "thetav", "back"),
    ]

    public func build(radiatorName: String, thicknessMicrons: Double, scans: [String: String], deadline: Deadline) async throws(RCIFailure) -> [String: Any] {
        let started = Date()
        var inputs: [ScanMaps] = []
        for role in Self.roles {
            guard let name = scans[role.parameter] else { continue }
            let summary: ReducedScanSummaryMessage
            do throws(RPCError) { summary = try await app.scans.summary(name, deadline: deadline) } catch {
                throw Self.failure(error, parameter: role.parameter)
            }
            let facts: ReducedScanFacts
            do throws(ReducedScanError) { facts = try ReducedScanFacts(summary.facts ?? ReducedScanFactsMessage()) } catch {
                throw RCIFailure(400, "\(role.parameter) = '\(name)': \(error.message)", parameter: role.parameter)
            }
            guard facts.rocking == role.rocking, facts.face == role.face else {
                throw RCIFailure(400, "\(role.parameter) = '\(name)': that scan is \(facts.face) \(facts.rocking); \(role.parameter) takes a \(role.face) \(role.rocking) scan",
                                 parameter: role.parameter)
            }
            var maps: [MapName: [Float]] = [:]
            var validity: [Float] = []
            do throws(RPCError) {
                for map in ReducedScanBuildInput.mapsToRead(facts.maps) {
                    maps[map] = try await app.scans.map(name, map: map.rawValue, deadline: deadline).values
                }
                validity = try await app.scans.map(name, map: ReducedScanFacts.validityMapName, deadline: deadline).values
            } catch { throw Self.failure(error, parameter: role.parameter) }
            inputs.append(try ReducedScanBuildInput.scanMaps(facts: facts, maps: maps, validity: validity, parameter: role.parameter))
        }
        let options = BuildOptions(name: radiatorName, thicknessMicrons: thicknessMicrons)
        let frozen = inputs
        let built: Result<RadiatorBuildResult, BuildError> = await Self.onOwnThread {
            do throws(BuildError) { return .success(try RadiatorBuilder.build(frozen, options: options)) } catch { return .failure(error) }
        }
        let result: RadiatorBuildResult
        switch built {
        case .success(let r): result = r
        case .failure(let e):
            // The parameter of the scan the builder names first (the reference, front_h, when it names none).
            let named = Self.roles.compactMap { role in scans[role.parameter].flatMap { e.message.range(of: "'\($0)'") }.map { (role.parameter, $0.lowerBound) } }
                .min { $0.1 < $1.1 }
            throw RCIFailure(400, "the build failed: \(e.message)", parameter: named?.0 ?? "front_h")
        }

        // The radiator as an import, then its report: a report never names a radiator the store lacks.
        do throws(RPCError) {
            let _: ImportRadiatorResponse = try await app.store.rpc.call(
                TopographStoreService.importRadiator, ImportRadiatorRequest(radiator: RadiatorMessage(result.radiator), token: token),
                deadline: deadline, idempotent: false)
        } catch { throw Self.failure(error, parameter: "radiator_name") }
        onRadiatorStored()
        var scanOfRole: [String: String] = [:]
        for role in Self.roles { if let name = scans[role.parameter] { scanOfRole["\(role.face) \(role.rocking)"] = name } }
        let publicName = { (diagnostic: String) in ReducedScanBuildInput.publicName(diagnostic, scanOfRole: scanOfRole) }
        var answer = Self.answer(result.report, maps: result.diagnostics.map { publicName($0.name) })
        answer["seconds"] = Date().timeIntervalSince(started)
        let stored = try Self.stored(result, answer: answer, mapName: publicName)
        do throws(RPCError) {
            let _: PutBuildReportResponse = try await app.store.rpc.call(BuildReportService.putBuildReport, PutBuildReportRequest(token: token, report: stored),
                                                                         deadline: deadline, idempotent: true)
        } catch { throw Self.failure(error, parameter: "radiator_name") }
        return answer
    }

    /// The contract's answer from the builder's report (the whole report under "report").
    static func answer(_ r: BuildReport, maps: [String]) -> [String: Any] {
        let verdicts: [[String: Any]] = r.scans.map { s in
            ["scan": s.name, "verdict": s.verdict, "shift_px": [s.shift_x_px, s.shift_y_px], "rotation_deg": s.rotation_deg, "scale": s.scale,
             "chi_deg": s.chi_deg, "dispersion_urad_per_mm": s.dispersion_urad_per_mm, "ywalk_mm_per_mrad": s.walk_mm_per_mrad,
             "valid_fraction": s.valid_fraction]
        }
        let front = r.views.first { $0.side == "front" } ?? r.views.first
        var out: [String: Any] = ["radiator_name": r.radiator, "verdicts": verdicts, "maps": maps,
                                  "curl_rms_urad": front.map { $0.curl_rms_urad_per_mm.jsonSafe } ?? NSNull(),
                                  "residual_rms_urad": front.map { $0.residual_rms_urad.jsonSafe } ?? NSNull(),
                                  "front_back_rms_nm": r.front_back_difference_rms_nm.map { $0.jsonSafe } ?? NSNull(),
                                  "elevation_range_nm": front.map { $0.elevation_range_nm.jsonSafe } ?? NSNull(),
                                  "seconds": r.seconds]
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        if let data = try? encoder.encode(r), let object = try? JSONSerialization.jsonObject(with: data) { out["report"] = object }
        return out
    }

    static func stored(_ result: RadiatorBuildResult, answer: [String: Any], mapName: (String) -> String) throws(RCIFailure) -> StoredBuildReportMessage {
        guard let json = try? JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys]),
              let m = StoredBuildReportMessage(result, answerJSON: String(decoding: json, as: UTF8.self), mapName: mapName) else {
            throw RCIFailure(500, "the build gave no maps to store")
        }
        return m
    }

    /// GET /api/rci/build_report: the build's answer as stored.
    public func buildReport(radiatorName: String, deadline: Deadline) async throws(RCIFailure) -> Data {
        let m = try await storedReport(radiatorName, map: "", deadline: deadline)
        return Data(m.reportJson.utf8)
    }

    func storedReport(_ name: String, map: String, deadline: Deadline) async throws(RCIFailure) -> StoredBuildReportMessage {
        do throws(RPCError) {
            let r: GetBuildReportResponse = try await app.store.rpc.call(BuildReportService.getBuildReport, GetBuildReportRequest(radiatorName: name, map: map),
                                                                         deadline: deadline, idempotent: true)
            guard let report = r.report else { throw RPCError(.internalError, "the topograph-store answered without a report") }
            return report
        } catch {
            throw Self.failure(error, parameter: error.message.hasPrefix("map ") ? "map" : "radiator_name")
        }
    }

    /// The round contour interval for a map's finite values (nil when they are all equal or absent).
    static func contourInterval(_ values: [Float]) -> Double? {
        var lo = Double.infinity, hi = -Double.infinity
        for v in values where v.isFinite { lo = min(lo, Double(v)); hi = max(hi, Double(v)) }
        return lo < hi ? MapContours.niceInterval(range: lo...hi) : nil
    }

    /// GET /api/rci/build_map: one map on the radiator's grid (row 0 at the bottom, as Topography).
    /// JSON rows are listed top first, for drawing; CSV likewise; TIFF is row 0 at the top too (an image).
    public func buildMap(radiatorName: String, map: String, format: String, deadline: Deadline) async throws(RCIFailure) -> (String, Data) {
        let m = try await storedReport(radiatorName, map: map, deadline: deadline)
        guard let stored = m.maps.first else { throw RCIFailure(404, "map '\(map)': not in the build report", parameter: "map") }
        let columns = Int(m.columns), rows = Int(m.rows)
        let values: [Float]
        do throws(Zlib.Failure) { values = RadiatorFile.floats(try Zlib.decompress(stored.valuesZlib, expectedSize: columns * rows * 4)) } catch {
            throw RCIFailure(500, "the stored map '\(map)' of \(radiatorName) is damaged")
        }
        // Top row first (the grid's last row).
        var topFirst: [Float] = []
        topFirst.reserveCapacity(values.count)
        for r in stride(from: rows - 1, through: 0, by: -1) { topFirst += values[(r * columns)..<((r + 1) * columns)] }
        // Elevation maps carry contour lines at a round interval (about 10 levels over the range), named in the bar's label.
        let contourInterval = map.hasPrefix("elevation") ? Self.contourInterval(values) : nil
        switch format {
        case "tiff":
            return ("image/tiff", FloatTIFF.encode(width: columns, height: rows, values: topFirst))
        case "csv":
            var text = "# radiator_name=\(radiatorName) map=\(map) unit=\(stored.unit) columns=\(columns) rows=\(rows) pixel_mm=\(m.pixelMm) (first line = the top row, beam view; empty = no value)\n"
            for r in 0..<rows { text += topFirst[(r * columns)..<((r + 1) * columns)].map { $0.isNaN ? "" : "\($0)" }.joined(separator: ",") + "\n" }
            return ("text/csv; charset=utf-8", Data(text.utf8))
        case "json":
            let list: [[Any]] = (0..<rows).map { r in topFirst[(r * columns)..<((r + 1) * columns)].map { $0.isNaN ? NSNull() : Double($0) as Any } }
            let object: [String: Any] = ["radiator_name": radiatorName, "map": map, "unit": stored.unit, "columns": columns, "rows": rows,
                                         "origin_x_mm": m.originXMm, "origin_y_mm": m.originYMm, "pixel_mm": m.pixelMm,
                                         "row_order": "top first (beam view; the grid's row 0 is the bottom one)", "values": list,
                                         "contour_interval": contourInterval.map { $0 as Any } ?? NSNull()]
            return ("application/json", (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
        default:
            var p = MapPlotRequest()
            p.title = ["\(radiatorName): \(map)"]
            p.xTitle = "x (mm, beam view)"
            p.yTitle = "y (mm)"
            p.zTitle = "\(map) (\(stored.unit))"
            if let contourInterval {
                p.contourInterval = contourInterval
                p.zTitle += ", contours every \(MapContours.label(contourInterval)) \(stored.unit)"
            }
            p.grid = MapGridMessage(x0: m.originXMm + m.pixelMm / 2, y0: m.originYMm + m.pixelMm / 2, dx: m.pixelMm, dy: m.pixelMm,
                                    columns: UInt32(columns), rows: UInt32(rows))
            p.values = values.map(Double.init)
            p.widthPx = 800; p.heightPx = 800
            p.palette = "viridis"
            do throws(RPCError) {
                let r: PlotResponse = try await app.renderer.call(PlotRendererService.renderMap, p, deadline: deadline, idempotent: true)
                return ("image/png", r.png)
            } catch { throw Self.failure(error) }
        }
    }
}
