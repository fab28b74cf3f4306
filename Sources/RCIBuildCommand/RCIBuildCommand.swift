import Foundation
import RadiatorBuild
import RadiatorStore
import RCIPublish
import Topography

/// `spotfinder rci build`: reduction folders → a stored radiator (and the evidence), so the executable's main
/// stays a dispatcher.
public enum RCIBuildCommand {
    public static let usage = """
    usage: spotfinder rci build --name NAME --thickness-um T --front-h DIR --front-v DIR [--back-h DIR --back-v DIR]
                                [--complementary DIR]… [--data DIR] [--report DIR] [--mount-polygon C,R,C,R,C,R…]
                                [--overrides FILE.json] [--curl-free] [--estimate-dispersion] [--crystal diamond|silicon]
                                [--mount-material NAME] [--mount-thickness-mm MM]
    Each DIR is a folder `spotfinder rci reduce` wrote (maps, mask.tif, reduction.json; its scan.json gives rocking, face,
    rotation, mirror and pixel size). --complementary adds a scan turned by 180° (its face and rocking from its scan.json).
    --mount-polygon: the glued mount on the front θH scan's camera, pixel column,row pairs. --overrides: a JSON object
    from role (front-h, front-v, back-h, back-v, or complementary-N) to numbers fixed by hand: shiftXMillimeters,
    shiftYMillimeters, rotationDegrees, scale, walkMillimetersPerMilliradian, chiDegrees, dispersionMicroradiansPerMillimeter.
    The radiator goes into the data folder (--data, else $SPOTFINDER_DATA, else data/radiators); --report DIR gets
    report.json and the diagnostic maps as float32 TIFFs. README: "Rocking-curve imaging: maps to a radiator".
    """

    /// Runs `rci build ARGS…` (without "rci build"); returns the text for standard output.
    public static func run(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<String, BuildError> {
        do throws(BuildError) { return .success(try execute(arguments, environment: environment)) } catch { return .failure(error) }
    }

    static let valued: Set<String> = ["--name", "--thickness-um", "--front-h", "--front-v", "--back-h", "--back-v", "--complementary", "--data",
                                      "--report", "--mount-polygon", "--overrides", "--crystal", "--mount-material", "--mount-thickness-mm"]
    static let switches: Set<String> = ["--curl-free", "--estimate-dispersion"]

    static func execute(_ arguments: [String], environment: [String: String]) throws(BuildError) -> String {
        var flags: [String: String] = [:], complementary: [String] = [], on: Set<String> = []
        var rest = arguments
        while !rest.isEmpty {
            let a = rest.removeFirst()
            if switches.contains(a) { on.insert(a); continue }
            guard valued.contains(a) else { throw BuildError("unknown option \(a)\n\(usage)") }
            guard !rest.isEmpty else { throw BuildError("\(a) needs a value\n\(usage)") }
            let value = rest.removeFirst()
            if a == "--complementary" { complementary.append(value) } else {
                guard flags[a] == nil else { throw BuildError("\(a) is given twice") }
                flags[a] = value
            }
        }
        guard let name = flags["--name"] else { throw BuildError("--name is required\n\(usage)") }
        guard let thicknessText = flags["--thickness-um"] else { throw BuildError("--thickness-um is required\n\(usage)") }
        guard let thickness = Double(thicknessText), thickness.isFinite, (1...5000).contains(thickness) else {
            throw BuildError("--thickness-um \(thicknessText): allowed 1 to 5000 µm")
        }
        var roles: [(role: String, folder: String, complementary: Bool)] = []
        for (flag, role) in [("--front-h", "front-h"), ("--front-v", "front-v"), ("--back-h", "back-h"), ("--back-v", "back-v")] {
            if let folder = flags[flag] { roles.append((role, folder, false)) }
        }
        guard flags["--front-h"] != nil, flags["--front-v"] != nil else { throw BuildError("--front-h and --front-v are required\n\(usage)") }
        guard (flags["--back-h"] == nil) == (flags["--back-v"] == nil) else { throw BuildError("give both --back-h and --back-v, or neither") }
        for (k, folder) in complementary.enumerated() { roles.append(("complementary-\(k + 1)", folder, true)) }

        var options = BuildOptions(name: name, thicknessMicrons: thickness)
        if let c = flags["--crystal"] { options.crystal = c }
        if let m = flags["--mount-material"] { options.mountMaterial = m }
        if let t = flags["--mount-thickness-mm"] {
            guard let v = Double(t), v.isFinite else { throw BuildError("--mount-thickness-mm \(t): not a number") }
            options.mountThicknessMillimeters = v
        }
        options.curlFreeTilts = on.contains("--curl-free")
        options.estimateDispersion = on.contains("--estimate-dispersion")
        if let polygon = flags["--mount-polygon"] { options.mountPolygon = try parsePolygon(polygon) }
        let overrides = try flags["--overrides"].map { path throws(BuildError) in try loadOverrides(path) } ?? [:]
        if let unknown = overrides.keys.sorted().first(where: { key in !roles.contains { $0.role == key } }) {
            throw BuildError("--overrides: role '\(unknown)' is not one of \(roles.map(\.role).joined(separator: ", "))")
        }

        var scans: [ScanMaps] = []
        for entry in roles {
            let folder = Self.reductionFolder(entry.folder)
            let record: ReducedScanRecord
            do { record = try ReductionFolder.record(folder: folder) } catch { throw BuildError("--\(entry.complementary ? "complementary" : entry.role) \(entry.folder): \(error.description)") }
            var maps = try ReducedScanMaps.scanMaps(record, complementary: entry.complementary, overrides: overrides[entry.role] ?? ScanOverrides(), source: folder)
            if !entry.complementary {
                // The flag names the role; the scan's own manifest must agree, or the build would mix views up.
                let want = entry.role.split(separator: "-")
                guard maps.manifest.face.rawValue == want[0], maps.manifest.rocking.rawValue == "theta\(want[1])" else {
                    throw BuildError("--\(entry.role) \(entry.folder): its scan.json says face \(maps.manifest.face.rawValue), rocking \(maps.manifest.rocking.rawValue)")
                }
            }
            maps.manifest.name = record.facts.name
            scans.append(maps)
        }
        let result = try RadiatorBuilder.build(scans, options: options)
        let data = flags["--data"] ?? environment["SPOTFINDER_DATA"] ?? "data/radiators"
        do {
            let store = try RadiatorStore(directory: data)
            try store.save(result.radiator)
        } catch { throw BuildError("storing radiator \(name) in \(data): \(error.message)") }
        if let report = flags["--report"] { try BuildReportFiles.write(result, to: report) }
        var lines = ["built radiator \(name) from \(scans.count) scans in \(BuildReport.fixed(result.report.seconds, 2)) s → \(data)"]
        lines += result.report.scans.map { "  \($0.name): \($0.verdict)" }
        for v in result.report.views {
            lines.append("  \(v.side) view: elevation range \(BuildReport.fixed(v.elevation_range_nm, 1)) nm, curl rms \(BuildReport.fixed(v.curl_rms_urad_per_mm, 2)) µrad/mm, residual rms \(BuildReport.fixed(v.residual_rms_urad, 2)) µrad")
        }
        if let d = result.report.front_back_difference_rms_nm { lines.append("  front − back elevation: rms \(BuildReport.fixed(d, 2)) nm") }
        lines.append("  mount: \(result.report.mount_source) (\(result.report.mount_pixels) px)")
        return lines.joined(separator: "\n")
    }

    /// A scan folder with its reduction in `reduced/` is accepted for the reduction folder itself.
    static func reductionFolder(_ path: String) -> String {
        FileManager.default.fileExists(atPath: "\(path)/reduction.json") || !FileManager.default.fileExists(atPath: "\(path)/reduced/reduction.json")
            ? path : "\(path)/reduced"
    }

    static func parsePolygon(_ text: String) throws(BuildError) -> [CameraPoint] {
        let numbers = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard numbers.count >= 6, numbers.count % 2 == 0, numbers.allSatisfy({ $0?.isFinite == true }) else {
            throw BuildError("--mount-polygon \(text): give at least three column,row pairs of numbers, e.g. 10,700,200,700,200,840")
        }
        let values = numbers.compactMap { $0 }
        return stride(from: 0, to: values.count, by: 2).map { CameraPoint(column: values[$0], row: values[$0 + 1]) }
    }

    static func loadOverrides(_ path: String) throws(BuildError) -> [String: ScanOverrides] {
        guard let data = FileManager.default.contents(atPath: path) else { throw BuildError("--overrides \(path): cannot read the file") }
        do { return try JSONDecoder().decode([String: ScanOverrides].self, from: data) } catch {
            throw BuildError("--overrides \(path): not a JSON object of role → overrides (\(error))")
        }
    }
}
