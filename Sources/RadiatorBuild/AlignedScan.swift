/// One scan brought onto the common grid (front view, row 0 at the bottom): what every later stage reads.
struct AlignedScan: Sendable {
    let prepared: PreparedScan
    let alignment: AlignmentResult
    /// Peak position, µrad, NaN where fewer than half of the bilinear weight came from valid pixels.
    let peak: [Float]
    /// Intensity in crystal levels (1 = the scan's median crystal intensity), NaN outside the camera's frame.
    let intensity: [Float]
    /// Baseline (counts) when the scan has one, NaN outside the frame and where fewer than half of the
    /// bilinear weight came from pixels with a measured baseline.
    let baseline: [Float]?
    /// The camera's horizontal coordinate u (mm) each grid pixel was read at: the dispersion's axis.
    let cameraU: [Float]

    var manifest: ScanManifest { prepared.maps.manifest }

    /// Deterministic, invalid-aware resampling: bilinear weights of the four camera pixels around the
    /// warped point, invalid ones dropped and the rest renormalised (no random sub-samples).
    init(_ scan: PreparedScan, alignment: AlignmentResult, grid: WorkingGrid) {
        prepared = scan
        self.alignment = alignment
        let warp = ScanWarp(geometry: scan.geometry, similarity: alignment.similarity, walk: alignment.walk, walkField: scan.walkField)
        let w = scan.maps.columns, h = scan.maps.rows
        var peak = [Float](repeating: .nan, count: grid.count)
        var intensity = peak, cameraU = peak
        var baseline: [Float]? = scan.maps.baseline == nil ? nil : peak
        let level = 1 / scan.crystalLevel
        for row in 0..<grid.rows {
            for column in 0..<grid.columns {
                let k = row * grid.columns + column
                let q = warp.cameraPoint(grid.x(column), grid.y(row))
                guard q.column > -0.5, q.row > -0.5, q.column < Double(w) - 0.5, q.row < Double(h) - 0.5 else { continue }
                cameraU[k] = Float(scan.geometry.cameraU(column: q.column))
                let c0 = min(max(Int(q.column.rounded(.down)), 0), w - 2), r0 = min(max(Int(q.row.rounded(.down)), 0), h - 2)
                let tx = min(max(q.column - Double(c0), 0), 1), ty = min(max(q.row - Double(r0), 0), 1)
                var sp = 0.0, wp = 0.0, si = 0.0, sb = 0.0, wb = 0.0
                for (dc, dr, weight) in [(0, 0, (1 - tx) * (1 - ty)), (1, 0, tx * (1 - ty)), (0, 1, (1 - tx) * ty), (1, 1, tx * ty)] {
                    let i = (r0 + dr) * w + c0 + dc
                    si += weight * Double(scan.intensity[i])
                    if let b = scan.maps.baseline, b[i].isFinite { sb += weight * Double(b[i]); wb += weight }
                    let v = scan.peak[i]
                    if v.isFinite { sp += weight * Double(v); wp += weight }
                }
                intensity[k] = Float(si) * level
                // Like the peak: unmeasured baselines (dead, hot, saturated pixels) are dropped, not read as 0.
                if wb >= 0.5 { baseline?[k] = Float(sb / wb) }
                if wp >= 0.5 { peak[k] = Float(sp / wp) }
            }
        }
        self.peak = peak
        self.intensity = intensity
        self.baseline = baseline
        self.cameraU = cameraU
    }
}
