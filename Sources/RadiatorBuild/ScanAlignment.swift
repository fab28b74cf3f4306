/// Alignment on its own: one scan against a reference scan, for a quick look before a build (and the bench).
public struct ScanAlignment: Sendable, Equatable, Codable {
    public var shift_x_px: Double
    public var shift_y_px: Double
    public var rotation_deg: Double
    public var scale: Double
    public var walk_mm_per_mrad: Double
    public var correlation: Double
    public var residual: Double

    /// Prepares both scans (hot pixels, spikes, outlines) and aligns `scan` onto `reference`'s grid.
    public static func align(_ scan: ScanMaps, to reference: ScanMaps, rotationSearchDegrees: Double = 10) throws(BuildError) -> ScanAlignment {
        let ref = try PreparedScan(reference), moving = try PreparedScan(scan)
        let grid = WorkingGrid(reference: ref.geometry)
        let warp = ScanWarp(geometry: ref.geometry, similarity: Similarity(), walk: reference.overrides.walkMillimetersPerMilliradian ?? 0,
                            walkField: ref.walkField)
        var image = FloatImage(width: grid.columns, height: grid.rows)
        for row in 0..<grid.rows {
            for column in 0..<grid.columns {
                let q = warp.cameraPoint(grid.x(column), grid.y(row))
                image[column, row] = ref.alignmentImage.bilinear(q.column, q.row)
            }
        }
        let found = Aligner(grid: grid, reference: image).align(moving, overrides: scan.overrides, rotationSearchDegrees: rotationSearchDegrees)
        return ScanAlignment(shift_x_px: found.similarity.shiftX / grid.pixel, shift_y_px: found.similarity.shiftY / grid.pixel,
                             rotation_deg: found.similarity.rotation * 180 / .pi, scale: found.similarity.scale, walk_mm_per_mrad: found.walk,
                             correlation: found.correlation, residual: found.residualRMS)
    }
}
