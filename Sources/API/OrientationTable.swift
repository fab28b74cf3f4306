import Physics

/// The `--orientations` CSV: rows of `thetah_offset_mr,thetav_offset_mr,weight`;
/// a header row, blank lines and `#` comments are allowed.
public enum OrientationTable {
    /// Offsets beyond this are not tilts of one crystal, mrad.
    public static let maxOffsetMilliradians = 50.0

    public static func parse(_ text: String, source: String = "orientations") throws(ParameterError) -> [TiltSample] {
        var samples: [TiltSample] = []
        var total = 0.0
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let numbers = fields.map(Double.init)
            if samples.isEmpty && numbers.contains(where: { $0 == nil }) && line.lowercased().contains("thetah") { continue }
            let here = "\(source) line \(index + 1)"
            guard fields.count == 3, let dh = numbers[0], let dv = numbers[1], let w = numbers[2] else {
                throw ParameterError(parameter: "orientations", message: "\(here): expected 3 numbers thetah_offset_mr,thetav_offset_mr,weight, got '\(line)'")
            }
            guard dh.isFinite, dv.isFinite, abs(dh) <= maxOffsetMilliradians, abs(dv) <= maxOffsetMilliradians else {
                throw ParameterError(parameter: "orientations", message: "\(here): tilt offsets must be finite and within ±\(Int(maxOffsetMilliradians)) mrad, got \(dh), \(dv)")
            }
            guard w.isFinite, w >= 0 else {
                throw ParameterError(parameter: "orientations", message: "\(here): weight must be a finite number ≥ 0, got \(w)")
            }
            total += w
            samples.append(TiltSample(thetaHOffsetMilliradians: dh, thetaVOffsetMilliradians: dv, weight: w))
        }
        guard !samples.isEmpty, total > 0 else {
            throw ParameterError(parameter: "orientations", message: "\(source): needs at least one row with positive weight")
        }
        return samples
    }
}

extension OrientationTable {
    /// The same checks for samples that arrive by other routes (RPC, tilt-service).
    public static func validate(_ samples: [TiltSample], source: String = "samples") throws(ParameterError) {
        var total = 0.0
        for (i, s) in samples.enumerated() {
            let dh = s.thetaHOffsetRadians * 1e3, dv = s.thetaVOffsetRadians * 1e3
            guard dh.isFinite, dv.isFinite, abs(dh) <= maxOffsetMilliradians, abs(dv) <= maxOffsetMilliradians else {
                throw ParameterError(parameter: source, message: "\(source)[\(i)]: tilt offsets must be finite and within ±\(Int(maxOffsetMilliradians)) mrad, got \(dh), \(dv)")
            }
            guard s.weight.isFinite, s.weight >= 0 else {
                throw ParameterError(parameter: source, message: "\(source)[\(i)]: weight must be a finite number ≥ 0, got \(s.weight)")
            }
            total += s.weight
        }
        guard total > 0 else {
            throw ParameterError(parameter: source, message: "\(source): the weights must add up to more than 0")
        }
    }
}
