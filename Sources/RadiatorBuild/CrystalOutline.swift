/// Where the crystal and its mount are on the common grid.
///
/// Crystal: the mean of the aligned scans' normalised intensities above one half (half the crystal's
/// median), the components at least a fifth of the largest (no frame-fraction rule: a small crystal
/// survives), holes up to 1 % of its area filled (larger ones are real holes and stay).
///
/// Mount: given as a polygon on the reference scan's camera, or detected as what is present in the frame
/// but does not diffract: pixels outside the crystal whose baseline (or, without baselines, intensity)
/// differs from the empty background by more than five robust σ, in components of at least 0.5 % of the
/// crystal touching it (the glued tab is adjacent to the crystal), plus the two-pixel seam between them.
struct CrystalOutline: Sendable {
    var crystal: [Bool]
    var mount: [Bool]
    var filledHoles: Int
    var mountSource: String

    static let crystalThreshold: Float = 0.5
    static let mountSigmas: Float = 5

    static func find(scans: [AlignedScan], grid: WorkingGrid, mountPolygon: [CameraPoint]?, reference: DeclaredGeometry) -> CrystalOutline {
        let n = grid.count, w = grid.columns, h = grid.rows
        var mean = [Float](repeating: .nan, count: n)
        for i in 0..<n {
            var s: Float = 0, k: Float = 0
            for scan in scans where scan.intensity[i].isFinite { s += scan.intensity[i]; k += 1 }
            if k > 0 { mean[i] = s / k }
        }
        let bright = mean.map { $0.isFinite && $0 > crystalThreshold }
        let kept = MaskOperations.keepLargeComponents(bright, width: w, height: h, fraction: 0.2)
        let area = kept.filter { $0 }.count
        let (crystal, filled) = MaskOperations.fillHoles(kept, width: w, height: h, maxHolePixels: max(9, area / 100))

        if let polygon = mountPolygon, polygon.count >= 3 {
            let vertices = polygon.map { reference.cameraToFront.apply($0.column, $0.row) }
            var mount = [Bool](repeating: false, count: n)
            for row in 0..<h {
                for column in 0..<w where !crystal[row * w + column] {
                    mount[row * w + column] = MaskOperations.contains(vertices, grid.x(column), grid.y(row))
                }
            }
            return CrystalOutline(crystal: crystal, mount: mount, filledHoles: filled, mountSource: "polygon")
        }

        let baselines = scans.compactMap(\.baseline)
        var signal = [Float](repeating: .nan, count: n)
        for i in 0..<n {
            if baselines.isEmpty { signal[i] = mean[i]; continue }
            var s: Float = 0, k: Float = 0
            for b in baselines where b[i].isFinite { s += b[i]; k += 1 }
            if k > 0 { signal[i] = s / k }
        }
        let near = MaskOperations.dilated(crystal, width: w, height: h, radius: 4)
        let background = (0..<n).filter { !near[$0] && signal[$0].isFinite }.map { signal[$0] }
        guard background.count >= 32 else {
            return CrystalOutline(crystal: crystal, mount: [Bool](repeating: false, count: n), filledHoles: filled, mountSource: "none (no background to compare with)")
        }
        let level = MaskOperations.median(background), sigma = max(MaskOperations.robustSigma(background), 1e-6)
        let seam = MaskOperations.dilated(crystal, width: w, height: h, radius: 2)
        let candidates = (0..<n).map { !seam[$0] && signal[$0].isFinite && abs(signal[$0] - level) > mountSigmas * sigma }
        let (labels, sizes) = MaskOperations.components(candidates, width: w, height: h)
        let touching = MaskOperations.dilated(crystal, width: w, height: h, radius: 3)
        var adjacent = [Bool](repeating: false, count: sizes.count)
        for i in 0..<n where labels[i] >= 0 && touching[i] { adjacent[Int(labels[i])] = true }
        let minimum = max(20, area / 200)
        var mount = (0..<n).map { labels[$0] >= 0 && adjacent[Int(labels[$0])] && sizes[Int(labels[$0])] >= minimum }
        let grown = MaskOperations.dilated(mount, width: w, height: h, radius: 2)
        for i in 0..<n where grown[i] && seam[i] && !crystal[i] { mount[i] = true }
        let found = mount.contains(true)
        return CrystalOutline(crystal: crystal, mount: mount, filledHoles: filled,
                              mountSource: found ? (baselines.isEmpty ? "detected in the intensity" : "detected in the baseline") : "none found")
    }
}
