import Foundation
import RadiatorBuild
import Render
import TIFFImage
import Topography

/// `--report DIR`: report.json and every diagnostic map as a float32 TIFF (NaN = no value), written with row 0
/// at the top so the picture stands as the beam sees the radiator (the maps' own grids have row 0 at the bottom),
/// and as a PNG picture with axes, colour bar and the mount (the evidence at a glance).
enum BuildReportFiles {
    static func write(_ result: RadiatorBuildResult, to directory: String) throws(BuildError) {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw BuildError("--report \(directory): cannot create the folder (\(error.localizedDescription))")
        }
        var files: [[String: String]] = []
        for map in result.diagnostics {
            let file = fileName(map.name)
            let g = map.grid
            var rows: [Float] = []
            rows.reserveCapacity(g.count)
            for row in stride(from: g.rows - 1, through: 0, by: -1) { rows += map.values[row * g.columns..<(row + 1) * g.columns] }
            do { try TIFFWriter.write([TIFFPage(width: g.columns, height: g.rows, float32: rows)], to: "\(directory)/\(file)", compression: .deflate) } catch {
                throw BuildError("--report: \(error.description)")
            }
            let picture = String(file.dropLast(4)) + ".png"
            try writePicture(map, mask: result.radiator.views[0].mask, to: "\(directory)/\(picture)")
            files.append(["map": map.name, "file": file, "picture": picture, "unit": map.unit])
        }
        struct ReportFile: Encodable {
            let report: BuildReport
            let maps: [[String: String]]
            let maps_grid: [String: Double]
            let maps_orientation: String
        }
        let g = result.radiator.views[0].grid
        let document = ReportFile(report: result.report, maps: files,
                                  maps_grid: ["columns": Double(g.columns), "rows": Double(g.rows), "pixel_mm": g.pixelMillimeters,
                                              "origin_x_mm": g.originXMillimeters, "origin_y_mm": g.originYMillimeters],
                                  maps_orientation: "front view as the beam sees it: first TIFF row at the top (largest y), x to the right; "
                                      + "the crystal's bounding-box centre is (0, 0) mm")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(document) else { throw BuildError("--report: cannot encode report.json") }
        do { try data.write(to: URL(fileURLWithPath: "\(directory)/report.json"), options: .atomic) } catch {
            throw BuildError("--report \(directory)/report.json: cannot write (\(error.localizedDescription))")
        }
    }

    /// A 600 × 600 map plot: signed quantities (tilts, curl, differences) on the diverging palette around 0.
    static func writePicture(_ map: DiagnosticMap, mask: [SurfaceKind], to path: String) throws(BuildError) {
        let g = map.grid
        let signed = !map.name.hasPrefix("elevation") && !map.name.hasPrefix("intensity") && !map.name.hasPrefix("residual") && map.name != "mask"
        var plot = MapPlot(title: [map.name], xTitle: "x (mm)", yTitle: "y (mm)", zTitle: map.unit,
                           grid: MapPlot.Grid(x0: g.originXMillimeters, y0: g.originYMillimeters, dx: g.pixelMillimeters, dy: g.pixelMillimeters,
                                              columns: g.columns, rows: g.rows),
                           values: map.values.map { $0.isFinite ? Double($0) : .nan })
        if map.name != "mask" {
            plot.mask = (0..<g.count).map { mask[$0] == .mount ? 2 : (map.values[$0].isFinite ? 1 : (mask[$0] == .crystal ? 4 : 0)) }
        }
        if signed { plot.palette = .diverging }
        do {
            let png = try PNGEncoder.encode(plot.render())
            try png.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch { throw BuildError("--report \(path): cannot write the picture (\(error))") }
    }

    /// "front-back elevation difference" → "front-back_elevation_difference.tif"; only letters, digits, '-', '_', '.'.
    static func fileName(_ map: String) -> String {
        let safe = map.unicodeScalars.map { s -> Character in
            s.isASCII && (CharacterSet.alphanumerics.contains(s) || "-_.".unicodeScalars.contains(s)) ? Character(s) : "_"
        }
        return String(safe) + ".tif"
    }
}
