/// Where a front-view point of the common grid is read in a scan's camera image: through the residual
/// similarity, the declared geometry, and the y-walk (the value that belongs to camera point q₀ was seen
/// at q = q₀ + w·m(q)·v̂, m the pixel's peak offset from the scan's median, so q is found by fixed-point
/// iteration).
struct ScanWarp: Sendable {
    let geometry: DeclaredGeometry
    var similarity: Similarity
    /// mm of image slide along +v per mrad of rocking angle.
    var walk: Double
    let walkField: FloatImage

    static let walkIterations = 3

    /// Camera pixel coordinates (column, row) of front-view point (x, y), mm.
    @inline(__always) func cameraPoint(_ x: Double, _ y: Double) -> (column: Double, row: Double) {
        let s = similarity.apply(x, y)
        let q0 = geometry.frontToCamera.apply(s.x, s.y)
        guard walk != 0 else { return (q0.x, q0.y) }
        var row = q0.y
        let perPixel = walk / geometry.manifest.pixelYMillimeters
        for _ in 0..<Self.walkIterations {
            row = q0.y - perPixel * Double(walkField.bilinear(q0.x, row))
        }
        return (q0.x, row)
    }
}
