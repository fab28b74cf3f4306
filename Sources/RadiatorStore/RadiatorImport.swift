import Foundation
import Topography

/// Radiators from open formats any analysis chain can write (layouts in the README).
/// A single front view is enough: the back view is then derived by mirroring.
public enum RadiatorImport {
    /// The JSON layout: grid geometry plus row-major arrays.
    struct JSONRadiator: Decodable {
        struct Grid: Decodable { let origin_x_mm: Double; let origin_y_mm: Double; let pixel_mm: Double; let columns: Int; let rows: Int }
        struct View: Decodable { let view: String; let grid: Grid; let thetah_urad: [Double?]; let thetav_urad: [Double?]; let mask: [Int] }
        let name: String
        let crystal: String?
        let thickness_um: Double
        let notes: String?
        let views: [View]
        let mount_material: String?
        let mount_thickness_mm: Double?
    }

    public static func fromJSON(_ data: Data) throws(RadiatorError) -> Radiator {
        let j: JSONRadiator
        do { j = try JSONDecoder().decode(JSONRadiator.self, from: data) } catch {
            throw RadiatorError("the JSON does not follow the radiator layout: \(describe(error))")
        }
        var views: [RadiatorView] = []
        for v in j.views {
            guard let side = ViewSide(rawValue: v.view) else { throw RadiatorError("view '\(v.view)' is not front or back") }
            let grid = TopographGrid(originXMillimeters: v.grid.origin_x_mm, originYMillimeters: v.grid.origin_y_mm,
                                     pixelMillimeters: v.grid.pixel_mm, columns: v.grid.columns, rows: v.grid.rows)
            var mask: [SurfaceKind] = []
            for (i, m) in v.mask.enumerated() {
                guard let k = UInt8(exactly: m).flatMap(SurfaceKind.init(rawValue:)) else {
                    throw RadiatorError("\(v.view) view: mask[\(i)] = \(m) is not 0 (nothing), 1 (crystal) or 2 (mount)")
                }
                mask.append(k)
            }
            views.append(RadiatorView(side: side, grid: grid, thetaHMicroradians: v.thetah_urad.map { Float($0 ?? .nan) },
                                      thetaVMicroradians: v.thetav_urad.map { Float($0 ?? .nan) }, mask: mask))
        }
        return try finish(Radiator(name: j.name, crystal: j.crystal ?? "diamond", thicknessMicrons: j.thickness_um,
                                   notes: j.notes ?? "", views: views,
                                   mountMaterial: j.mount_material ?? Radiator.defaultMountMaterial,
                                   mountThicknessMillimeters: j.mount_thickness_mm ?? Radiator.defaultMountThicknessMillimeters))
    }

    /// Largest |x_mm|, |y_mm| a CSV row may give: far beyond any radiator, small enough for exact grid arithmetic.
    public static let maxCoordinateMillimeters = 1000.0

    /// The CSV layout: one row per pixel, `x_mm,y_mm,thetah_urad,thetav_urad,surface`, with
    /// `# name:`, `# thickness_um:`, `# view:`, `# crystal:`, `# notes:`, `# mount_material:`,
    /// `# mount_thickness_mm:` header comments.
    /// Sizes are checked before anything is allocated for the grid; every error names the line or field.
    public static func fromCSV(_ text: String, source: String = "CSV") throws(RadiatorError) -> Radiator {
        var meta: [String: String] = [:]
        var rows: [(x: Double, y: Double, h: Double, v: Double, kind: SurfaceKind, line: Int)] = []
        for (n, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let body = line.dropFirst().trimmingCharacters(in: .whitespaces)
                if let colon = body.firstIndex(of: ":") {
                    meta[body[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                continue
            }
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if rows.isEmpty && f.first?.lowercased() == "x_mm" { continue }
            guard f.count == 5 else { throw RadiatorError("\(source) line \(n + 1): expected x_mm,y_mm,thetah_urad,thetav_urad,surface, got '\(line.prefix(200))'") }
            var xy: [Double] = []
            for (field, text) in [("x_mm", f[0]), ("y_mm", f[1])] {
                guard let v = Double(text), v.isFinite, abs(v) <= maxCoordinateMillimeters else {
                    throw RadiatorError("\(source) line \(n + 1): \(field) = '\(text.prefix(40))' is not allowed: must be a number within ±\(Int(maxCoordinateMillimeters)) mm")
                }
                xy.append(v)
            }
            let kind: SurfaceKind
            switch f[4].lowercased() {
            case "crystal", "1": kind = .crystal
            case "mount", "2": kind = .mount
            case "nothing", "0", "": kind = .nothing
            default: throw RadiatorError("\(source) line \(n + 1): surface '\(f[4].prefix(40))' is not crystal, mount or nothing")
            }
            let h = Double(f[2]) ?? .nan, v = Double(f[3]) ?? .nan
            if kind == .crystal && !(h.isFinite && v.isFinite) {
                throw RadiatorError("\(source) line \(n + 1): crystal pixel needs numeric thetah_urad and thetav_urad")
            }
            rows.append((xy[0], xy[1], h, v, kind, n + 1))
        }
        guard !rows.isEmpty else { throw RadiatorError("\(source): no pixel rows") }
        let xs = Array(Set(rows.map(\.x))).sorted(), ys = Array(Set(rows.map(\.y))).sorted()
        guard xs.count >= 2, ys.count >= 2 else { throw RadiatorError("\(source): need at least 2 distinct x and y values") }
        // The pixel is the smallest x spacing; it must be one a radiator can have before any grid is sized from it.
        let (pixel, at) = zip(xs.dropFirst(), xs).map { ($0 - $1, $1) }.min { $0.0 < $1.0 }!
        let allowed = Radiator.pixelMillimetersRange
        guard allowed.contains(pixel) else {
            throw RadiatorError("\(source): x_mm values \(at) and \(at + pixel) give a pixel of \(pixel) mm: the pixel (smallest x spacing) must be in [\(allowed.lowerBound), \(allowed.upperBound)] mm")
        }
        // Coordinates within ±1000 mm and a pixel ≥ 0.001 mm bound every index by 2 × 10⁶: no overflow below.
        func index(_ value: Double, _ origin: Double, _ axis: String) throws(RadiatorError) -> Int {
            let f = (value - origin) / pixel
            guard abs(f - f.rounded()) < 1e-3 else { throw RadiatorError("\(source): \(axis) = \(value) mm is off the regular \(pixel) mm grid") }
            return Int(f.rounded())
        }
        let columns = try index(xs.last!, xs[0], "x_mm") + 1, rowCount = try index(ys.last!, ys[0], "y_mm") + 1
        guard columns * rowCount <= Radiator.maxPixels else {
            throw RadiatorError("\(source): x_mm \(xs[0])…\(xs.last!) and y_mm \(ys[0])…\(ys.last!) at a \(pixel) mm pixel make a grid of \(columns) × \(rowCount) pixels: at most \(Radiator.maxPixels) pixels (what one \(Radiator.frameBytes >> 20) MiB RPC message can serve)")
        }
        let grid = TopographGrid(originXMillimeters: xs[0], originYMillimeters: ys[0], pixelMillimeters: pixel, columns: columns, rows: rowCount)
        var h = [Float](repeating: .nan, count: grid.count), v = h
        var mask = [SurfaceKind](repeating: .nothing, count: grid.count)
        var firstLine = [Int32](repeating: 0, count: grid.count)
        for r in rows {
            let i = grid.index(column: try index(r.x, xs[0], "x_mm"), row: try index(r.y, ys[0], "y_mm"))
            guard firstLine[i] == 0 else {
                throw RadiatorError("\(source) line \(r.line): pixel x_mm = \(r.x), y_mm = \(r.y) was already given on line \(firstLine[i]): each pixel once")
            }
            firstLine[i] = Int32(clamping: r.line)
            h[i] = Float(r.h); v[i] = Float(r.v); mask[i] = r.kind
        }
        guard let side = ViewSide(rawValue: meta["view"] ?? "front") else { throw RadiatorError("\(source): '# view:' must be front or back") }
        guard let name = meta["name"] else { throw RadiatorError("\(source): missing '# name: ...' header line") }
        guard let thickness = meta["thickness_um"].flatMap(Double.init) else { throw RadiatorError("\(source): missing '# thickness_um: ...' header line") }
        let view = RadiatorView(side: side, grid: grid, thetaHMicroradians: h, thetaVMicroradians: v, mask: mask)
        var mountThickness = Radiator.defaultMountThicknessMillimeters
        if let text = meta["mount_thickness_mm"] {
            guard let t = Double(text) else { throw RadiatorError("\(source): '# mount_thickness_mm: \(text)' is not a number") }
            mountThickness = t
        }
        return try finish(Radiator(name: name, crystal: meta["crystal"] ?? "diamond", thicknessMicrons: thickness,
                                   notes: meta["notes"] ?? "", views: [view],
                                   mountMaterial: meta["mount_material"] ?? Radiator.defaultMountMaterial,
                                   mountThicknessMillimeters: mountThickness))
    }

    /// Derive a missing side by mirroring, then validate.
    static func finish(_ r: Radiator) throws(RadiatorError) -> Radiator {
        var r = r
        try r.validate()  // before mirroring: the arrays must match the grid first
        if r.views.count == 1 { r.views.append(r.views[0].mirrored()) }
        return r
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "wrong type at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        default: return "\(error)"
        }
    }

    /// Import by file name: .json or .csv.
    public static func file(_ path: String) throws(RadiatorError) -> Radiator {
        guard let data = FileManager.default.contents(atPath: path) else { throw RadiatorError("cannot read \(path)") }
        if path.lowercased().hasSuffix(".csv") { return try fromCSV(String(decoding: data, as: UTF8.self), source: path) }
        return try fromJSON(data)
    }
}
