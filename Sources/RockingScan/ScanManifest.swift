import Foundation
import RockingCurve

/// A scan's `scan.json`, parsed and checked field by field (files are checked by `ScanInput`).
///
///     {"images": ["a_0001.tif", …] | "stack": "scan.tif",
///      "angles_urad": [one per image] | "angles": "angles.txt" | "start_urad": -120, "step_urad": 2.4,
///      "pixel_mm": 0.01 | [x, y], "rocking": "thetah" | "thetav", "face": "front" | "back",
///      "sample_rotation_deg": 0, "mirror": false, "monitor": [one per image], "dark": ["d1.tif", …],
///      "name": "JD70-103_010", "motor_step_urad": 21}
///
/// The angles text file holds one angle per image, or "FILE ANGLE" lines (then the files are
/// those named, in that order, unless `images` lists them too: then the names must agree).
public struct ScanManifest: Sendable, Equatable {
    public enum Images: Sendable, Equatable {
        case files([String])
        case stack(String)
    }

    public var directory: String
    public var name: String
    public var images: Images
    public var anglesMicroradians: [Double]
    public var pixelMillimeters: (x: Double, y: Double)
    public var rocking: String
    public var face: String
    public var sampleRotationDegrees: Double
    public var mirror: Bool
    public var monitor: [Double]?
    public var dark: [String]
    public var motorStepMicroradians: Double?

    public static func == (a: ScanManifest, b: ScanManifest) -> Bool {
        a.directory == b.directory && a.name == b.name && a.images == b.images && a.anglesMicroradians == b.anglesMicroradians
            && a.pixelMillimeters == b.pixelMillimeters && a.rocking == b.rocking && a.face == b.face
            && a.sampleRotationDegrees == b.sampleRotationDegrees && a.mirror == b.mirror && a.monitor == b.monitor
            && a.dark == b.dark && a.motorStepMicroradians == b.motorStepMicroradians
    }

    public var imageCount: Int {
        switch images {
        case .files(let f): f.count
        case .stack: anglesMicroradians.count
        }
    }

    /// Reads and checks `directory/scan.json`.
    public static func load(directory: String) throws(ScanError) -> ScanManifest {
        let path = "\(directory)/scan.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScanError(FileManager.default.fileExists(atPath: directory)
                ? "\(path): missing; a scan folder needs a scan.json manifest (see README)"
                : "\(directory): no such scan folder")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let json = object as? [String: Any] else {
            throw ScanError("\(path): not a JSON object")
        }
        return try parse(json, directory: directory, file: path)
    }

    static let knownFields: Set<String> = ["images", "stack", "angles_urad", "angles", "start_urad", "step_urad", "pixel_mm", "rocking", "face",
                                           "sample_rotation_deg", "mirror", "monitor", "dark", "name", "motor_step_urad"]

    static func parse(_ json: [String: Any], directory: String, file: String) throws(ScanError) -> ScanManifest {
        func fail(_ field: String, _ problem: String) -> ScanError { ScanError("\(file): \(field): \(problem)") }
        if let unknown = json.keys.sorted().first(where: { !knownFields.contains($0) }) {
            throw fail(unknown, "unknown field; known: \(knownFields.sorted().joined(separator: ", "))")
        }
        /// JSON true/false arrive as a boolean NSNumber subclass; 0 and 1 also cast to Bool, so ask the type.
        func isBoolean(_ v: Any) -> Bool { String(describing: type(of: v)).contains("Boolean") || type(of: v) == Bool.self }
        func number(_ key: String) throws(ScanError) -> Double? {
            guard let v = json[key] else { return nil }
            guard let n = v as? NSNumber, !isBoolean(v), n.doubleValue.isFinite else { throw fail(key, "must be a finite number") }
            return n.doubleValue
        }
        func numbers(_ key: String) throws(ScanError) -> [Double]? {
            guard let v = json[key] else { return nil }
            guard let list = v as? [Any] else { throw fail(key, "must be a list of numbers") }
            var out: [Double] = []
            for (i, item) in list.enumerated() {
                guard let n = item as? NSNumber, !isBoolean(item), n.doubleValue.isFinite else { throw fail(key, "item \(i) is not a finite number (\(item))") }
                out.append(n.doubleValue)
            }
            return out
        }
        func strings(_ key: String) throws(ScanError) -> [String]? {
            guard let v = json[key] else { return nil }
            guard let list = v as? [String] else { throw fail(key, "must be a list of file names") }
            return list
        }
        func word(_ key: String, _ allowed: [String], _ fallback: String) throws(ScanError) -> String {
            guard let v = json[key] else { return fallback }
            guard let s = v as? String, allowed.contains(s) else { throw fail(key, "\(v); allowed: \(allowed.joined(separator: ", "))") }
            return s
        }

        var listed = try strings("images")
        let stack: String? = try {
            () throws(ScanError) -> String? in
            guard let v = json["stack"] else { return nil }
            guard let s = v as? String, !s.isEmpty else { throw fail("stack", "must be a file name") }
            return s
        }()
        if listed != nil, stack != nil { throw fail("images", "give either images or stack, not both") }

        // Angles: a list, a text file, or start/step.
        var angles = try numbers("angles_urad")
        if let textFile = json["angles"] {
            guard angles == nil else { throw fail("angles", "give the angles once: angles_urad or angles, not both") }
            guard let name = textFile as? String else { throw fail("angles", "must be the name of a text file") }
            let parsed = try AnglesFile.load("\(directory)/\(name)")
            angles = parsed.angles
            if let named = parsed.files {
                if let listed, listed != named {
                    throw ScanError("\(directory)/\(name): the files named there differ from scan.json's images")
                }
                if stack != nil { throw ScanError("\(directory)/\(name): names files, but scan.json gives a stack") }
                listed = named
            }
        }
        let start = try number("start_urad"), step = try number("step_urad")
        if start != nil || step != nil {
            guard angles == nil else { throw fail("start_urad", "give the angles once: a list, a file, or start_urad/step_urad") }
            guard let start, let step else { throw fail(start == nil ? "start_urad" : "step_urad", "missing; start_urad and step_urad go together") }
            guard step != 0 else { throw fail("step_urad", "0; the step must be a non-zero angle (µrad)") }
            guard let count = listed?.count else { throw fail("start_urad", "a stack needs its angles listed (angles_urad or angles); start/step needs images") }
            angles = (0..<count).map { start + Double($0) * step }
        }
        guard let angles else { throw fail("angles_urad", "missing; give angles_urad, angles (a text file) or start_urad/step_urad") }

        let images: Images
        if let listed {
            guard !listed.isEmpty else { throw fail("images", "empty list") }
            guard listed.count == angles.count else {
                throw fail("angles_urad", "\(angles.count) angles for \(listed.count) images; give one angle per image")
            }
            images = .files(listed)
        } else if let stack {
            images = .stack(stack)
        } else {
            throw fail("images", "missing; give images (a list of TIFF files) or stack (one multi-page TIFF)")
        }
        do { _ = try ScanFrames(anglesMicroradians: angles) } catch { throw fail(error.parameter, error.message) }

        let pixel: (x: Double, y: Double)
        switch json["pixel_mm"] {
        case nil: throw fail("pixel_mm", "missing; the camera pixel size on the sample, mm (a number or [x, y])")
        case let n as NSNumber where !isBoolean(n): pixel = (n.doubleValue, n.doubleValue)
        case let list as [NSNumber] where list.count == 2: pixel = (list[0].doubleValue, list[1].doubleValue)
        default: throw fail("pixel_mm", "must be a number or [x, y] (mm)")
        }
        guard pixel.x > 0, pixel.y > 0, pixel.x.isFinite, pixel.y.isFinite, pixel.x < 10, pixel.y < 10 else {
            throw fail("pixel_mm", "\(pixel.x), \(pixel.y); a pixel must be larger than 0 and below 10 mm")
        }
        let monitor = try numbers("monitor")
        if let monitor {
            guard monitor.count == angles.count else { throw fail("monitor", "\(monitor.count) values for \(angles.count) images; give one per image") }
            if let k = monitor.firstIndex(where: { $0 <= 0 }) { throw fail("monitor", "value \(k) is \(monitor[k]); the incident intensity must be positive") }
        }
        let rotation = try number("sample_rotation_deg") ?? 0
        guard abs(rotation) <= 360 else { throw fail("sample_rotation_deg", "\(rotation); allowed −360 to 360") }
        let mirror: Bool
        switch json["mirror"] {
        case nil: mirror = false
        case let b as Bool where isBoolean(json["mirror"]!): mirror = b
        default: throw fail("mirror", "must be true or false")
        }
        let motorStep = try number("motor_step_urad")
        if let motorStep, motorStep <= 0 { throw fail("motor_step_urad", "\(motorStep); the motor's full step must be positive (µrad)") }
        let name: String
        switch json["name"] {
        case nil: name = (directory as NSString).lastPathComponent
        case let s as String where !s.isEmpty: name = s
        default: throw fail("name", "must be a non-empty string")
        }
        return ScanManifest(directory: directory, name: name, images: images, anglesMicroradians: angles, pixelMillimeters: pixel,
                            rocking: try word("rocking", ["thetah", "thetav"], "thetah"), face: try word("face", ["front", "back"], "front"),
                            sampleRotationDegrees: rotation, mirror: mirror, monitor: monitor, dark: try strings("dark") ?? [],
                            motorStepMicroradians: motorStep)
    }
}

/// The plain-text angles file: one angle per line, or "FILE ANGLE" per line; `#` starts a comment.
enum AnglesFile {
    static func load(_ path: String) throws(ScanError) -> (angles: [Double], files: [String]?) {
        guard let data = FileManager.default.contents(atPath: path) else { throw ScanError("\(path): missing angles file") }
        guard let text = String(data: data, encoding: .utf8) else { throw ScanError("\(path): not UTF-8 text") }
        var angles: [Double] = [], files: [String] = []
        var withFiles: Bool?
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" }).map(String.init)
            if fields.isEmpty { continue }
            let hasFile = fields.count == 2
            guard fields.count <= 2 else { throw ScanError("\(path): line \(i + 1): \(fields.count) fields; give ANGLE or FILE ANGLE") }
            if let withFiles, withFiles != hasFile { throw ScanError("\(path): line \(i + 1): mixes ANGLE and FILE ANGLE lines") }
            withFiles = hasFile
            guard let angle = Double(fields.last!), angle.isFinite else {
                throw ScanError("\(path): line \(i + 1): \(fields.last!) is not a finite angle (µrad)")
            }
            angles.append(angle)
            if hasFile { files.append(fields[0]) }
        }
        guard !angles.isEmpty else { throw ScanError("\(path): no angles") }
        return (angles, withFiles == true ? files : nil)
    }
}
