/// Alignment on its own: one scan against a reference scan, for a quick look before a build (and the bench).
public struct ScanAlignment: Sendable, Equatable, Codable {
    public var shift_x_px: Double
    public var shift_y_px: Double
    public var rotation_deg: Double
    public var scale: Double
    public var walk_mm_per_mrad: Double
    public var correlation: Double
    public var residual: Double
    /// The point the rotation and scale turn about: the reference crystal's centroid, reference frame, mm.
    public var centre_x_mm: Double
    public var centre_y_mm: Double

    /// Prepares both scans (hot pixels, spikes, outlines) and aligns `scan` onto `reference`'s grid.
    public static func align(_ scan: ScanMaps, to reference: ScanMaps, rotationSearchDegrees: Double = 10) throws(BuildError) -> ScanAlignment {
        let ref = try PreparedScan(reference), moving = try PreparedScan(scan)
        let aligner = Aligner(reference: ref, walk: reference.overrides.walkMillimetersPerMilliradian ?? 0)
        let found = aligner.align(moving, overrides: scan.overrides, rotationSearchDegrees: rotationSearchDegrees)
        let grid = aligner.grid
        return ScanAlignment(shift_x_px: found.similarity.shiftX / grid.pixel, shift_y_px: found.similarity.shiftY / grid.pixel,
                             rotation_deg: found.similarity.rotation * 180 / .pi, scale: found.similarity.scale, walk_mm_per_mrad: found.walk,
                             correlation: found.correlation, residual: found.residualRMS,
                             centre_x_mm: aligner.centre.x, centre_y_mm: aligner.centre.y)
    }
}
