import Foundation
import RadiatorStore
import RCIRemote
import RockingCurve
import RockingScanSimulation
import RPC
import TIFFImage
import Topography

/// `spotfinder rci simulate|reduce`: the command logic, so the executable's main stays a dispatcher.
public enum RCICommand {
    public static let usage = """
    usage: spotfinder rci reduce SCAN_DIR [--out DIR] [--method moments|gauss|pvoigt] [--motor free|periodic|off]
                                 [--motor-step URAD] [--harmonics N] [--workers N] [--edge HOST:PORT | --node HOST:PORT]
           spotfinder rci simulate OUT_DIR [--radiator NAME] [--data DIR] [--size WxH] [--frames N] [--start URAD] [--step URAD]
                                 [--pixel-mm MM] [--rocking thetah|thetav] [--face front|back] [--rotation DEG] [--mirror]
                                 [--chi DEG] [--dispersion URAD_PER_MM] [--ywalk MM_PER_MRAD] [--sigma URAD] [--eta ETA]
                                 [--peak COUNTS] [--motor-error URAD] [--motor-step URAD] [--seed N] [--no-noise] [--name NAME]
                                 [--compression none|lzw|deflate]
    reduce writes float32 TIFF maps (hmu, hsigma, hmu_moco, hsigma_moco, hamp, hbase, hfwhm, hintegral, hmu_err, hsnr, …),
    mask.tif and reduction.json into --out (default SCAN_DIR/reduced). See README "Rocking-curve imaging".
    """

    /// Runs `rci ARGS…`; returns the text for standard output.
    public static func run(_ arguments: [String], dataDirectory: String) throws(ScanError) -> String {
        guard let sub = arguments.first else { throw ScanError(usage) }
        var positional: [String] = [], flags: [String: String] = [:]
        var rest = Array(arguments.dropFirst())
        let switches: Set<String> = ["--mirror", "--no-noise"]
        while !rest.isEmpty {
            let a = rest.removeFirst()
            if switches.contains(a) { flags[a] = "true" } else if a.hasPrefix("--") {
                guard !rest.isEmpty else { throw ScanError("\(a) needs a value\n\(usage)") }
                flags[a] = rest.removeFirst()
            } else { positional.append(a) }
        }
        guard positional.count == 1 else { throw ScanError("rci \(sub) needs one folder\n\(usage)") }
        switch sub {
        case "reduce": return try reduce(positional[0], flags: flags)
        case "simulate": return try simulate(positional[0], flags: flags, dataDirectory: dataDirectory)
        default: throw ScanError("unknown rci command '\(sub)'\n\(usage)")
        }
    }

    static func check(_ flags: [String: String], allowed: Set<String>) throws(ScanError) {
        if let bad = flags.keys.sorted().first(where: { !allowed.contains($0) }) { throw ScanError("unknown option \(bad)\n\(usage)") }
    }

    static func number(_ flags: [String: String], _ key: String, _ range: ClosedRange<Double>) throws(ScanError) -> Double? {
        guard let text = flags[key] else { return nil }
        guard let v = Double(text), v.isFinite, range.contains(v) else {
            throw ScanError("\(key) \(text): allowed \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    static func reduce(_ directory: String, flags: [String: String]) throws(ScanError) -> String {
        try check(flags, allowed: Set(["--out", "--method", "--motor", "--motor-step", "--harmonics", "--workers"]).union(RemoteScanFlags.names))
        var settings = ReduceSettings()
        if let m = flags["--method"] {
            guard let method = PeakMethod(rawValue: m) else { throw ScanError("--method \(m): allowed moments, gauss, pvoigt") }
            settings.method = method
        }
        if let m = flags["--motor"] {
            guard let motor = MotorChoice(rawValue: m) else { throw ScanError("--motor \(m): allowed free, periodic, off") }
            settings.motor = motor
        }
        settings.motorStepMicroradians = try number(flags, "--motor-step", 0.001...1e6)
        if let h = try number(flags, "--harmonics", 1...20) { settings.motorHarmonics = Int(h) }
        do throws(RPCError) { if let remote = try RemoteScanFlags.tileFunction(flags) { settings.reduceTile = remote; settings.workers = RemoteScanFlags.defaultWorkers } } catch { throw ScanError(error.message) }
        if let w = try number(flags, "--workers", 1...64) { settings.workers = Int(w) }
        let out = flags["--out"] ?? "\(directory)/reduced"
        let started = Date()
        let input = try ScanInput.open(directory: directory)
        let terminal = isatty(2) == 1
        let line: @Sendable (Int, Int) -> Void = { done, total in
            FileHandle.standardError.write(Data("\r\u{1B}[Krci reduce: band \(done)/\(total) (\(done * 100 / max(total, 1)) %)".utf8))
        }
        if terminal { FileHandle.standardError.write(Data("rci reduce: thresholds and motor error from a sample of rows…".utf8)) }
        let reduced = try ScanReducer.reduce(input, settings: settings, progress: terminal ? line : nil)
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
        try reduced.write(to: out, startedAt: started)
        let total = Date().timeIntervalSince(started)
        let c = reduced.report.counts
        return "reduced \(input.manifest.name): \(input.width) × \(input.height) × \(input.frameCount) by \(settings.method.rawValue), motor \(reduced.report.motorChoice): "
            + "\(c["valid"] ?? 0) valid pixels, \(reduced.width * reduced.height - (c["valid"] ?? 0)) rejected, in \(String(format: "%.2f", total)) s → \(out)"
    }

    static func simulate(_ directory: String, flags: [String: String], dataDirectory: String) throws(ScanError) -> String {
        try check(flags, allowed: ["--radiator", "--data", "--size", "--frames", "--start", "--step", "--pixel-mm", "--rocking", "--face", "--rotation",
                                   "--mirror", "--chi", "--dispersion", "--ywalk", "--sigma", "--eta", "--peak", "--motor-error", "--motor-step",
                                   "--seed", "--no-noise", "--compression", "--name"])
        let radiatorName = flags["--radiator"] ?? "SF-G03"
        let radiator: Radiator
        if let recipe = SyntheticRadiators.recipes.first(where: { $0.name == radiatorName }) {
            radiator = SyntheticRadiators.make(recipe)
        } else {
            do { radiator = try RadiatorStore(directory: flags["--data"] ?? dataDirectory).load(radiatorName) } catch {
                throw ScanError("--radiator \(radiatorName): not a built-in radiator (\(SyntheticRadiators.recipes.map(\.name).joined(separator: ", "))) and not in the store: \(error.message)")
            }
        }
        var spec = SimulatedScanSpec()
        spec.name = flags["--name"] ?? "\(radiator.name)-simulated"
        guard !spec.name.isEmpty, spec.name.count <= 64, !spec.name.hasPrefix("."),
              spec.name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw ScanError("--name \(spec.name): 1–64 letters, digits, '-', '_' or '.', not starting with '.' (the stored scan's name)")
        }
        if let size = flags["--size"] {
            let parts = size.split(separator: "x").compactMap { Int($0) }
            guard parts.count == 2 else { throw ScanError("--size \(size): give WIDTHxHEIGHT, e.g. 64x64") }
            spec.width = parts[0]; spec.height = parts[1]
        }
        if let f = try number(flags, "--frames", 5...5000) { spec.frameCount = Int(f) }
        if let s = try number(flags, "--step", 0.001...1000) { spec.stepMicroradians = s }
        spec.startMicroradians = try number(flags, "--start", -1e6...1e6) ?? -Double(spec.frameCount - 1) * spec.stepMicroradians / 2
        if let r = flags["--rocking"] {
            guard let axis = RockingAxis(rawValue: r) else { throw ScanError("--rocking \(r): allowed thetah, thetav") }
            spec.rocking = axis
        }
        if let f = flags["--face"] {
            guard let side = ViewSide(rawValue: f) else { throw ScanError("--face \(f): allowed front, back") }
            spec.face = side
        }
        spec.sampleRotationDegrees = try number(flags, "--rotation", -360...360) ?? 0
        spec.mirror = flags["--mirror"] != nil
        spec.chiDegrees = try number(flags, "--chi", -90...90) ?? 0
        spec.dispersionMicroradiansPerMillimeter = try number(flags, "--dispersion", -1000...1000) ?? 0
        spec.yWalkMillimetersPerMilliradian = try number(flags, "--ywalk", -100...100) ?? 0
        if let s = try number(flags, "--sigma", 0.01...10000) { spec.sigmaMicroradians = s }
        if let e = try number(flags, "--eta", 0...1) { spec.eta = e }
        if let p = try number(flags, "--peak", 0...1e6) { spec.peakCounts = p }
        if let m = try number(flags, "--motor-error", 0...1000) { spec.motorErrorMicroradians = m; spec.motorSecondHarmonicMicroradians = m * 0.375 }
        if let m = try number(flags, "--motor-step", 0.001...1e6) { spec.motorStepMicroradians = m }
        if let s = try number(flags, "--seed", 0...1e15) { spec.seed = UInt64(s) }
        spec.noise = flags["--no-noise"] == nil
        let view = radiator.view(spec.face) ?? radiator.views[0]
        let frame = max(view.grid.widthMillimeters, view.grid.heightMillimeters)
        let pixel = try number(flags, "--pixel-mm", 1e-5...10) ?? frame / Double(max(spec.width, spec.height))
        spec.pixelXMillimeters = pixel; spec.pixelYMillimeters = pixel
        var compression = TIFFCompression.none
        if let c = flags["--compression"] {
            guard let chosen = TIFFCompression(rawValue: c) else { throw ScanError("--compression \(c): allowed none, lzw, deflate") }
            compression = chosen
        }
        let simulation: ScanSimulation
        do { simulation = try ScanSimulation(radiator: radiator, spec: spec) } catch { throw ScanError("simulate: \(error.parameter): \(error.message)") }
        try SimulatedScanWriter.write(simulation, to: directory, compression: compression)
        return "simulated \(spec.name): \(spec.width) × \(spec.height) × \(spec.frameCount) images of radiator \(radiator.name) → \(directory)"
    }
}
