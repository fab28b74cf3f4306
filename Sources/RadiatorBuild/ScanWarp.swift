import Foundation

/// Where a front-view point of the common grid is read in a scan's camera image: through the residual
/// similarity, the declared geometry, and the y-walk (the value that belongs to camera point q₀ was seen
/// at q = q₀ + w·m(q)·v̂, m the pixel's peak offset from the scan's median, so q is found by fixed-point
/// iteration).
struct ScanWarp: Sendable {
    let geometry: DeclaredGeometry
    var similarity: Similarity { didSet { composite = Self.compose(geometry, similarity) } }
    /// mm of image slide along +v per mrad of rocking angle.
    var walk: Double
    let walkField: FloatImage
    /// Front-view mm → camera pixel before the walk: the similarity and the declared map in one affine map
    /// (no sine or cosine per pixel).
    private(set) var composite: Affine2

    static let walkIterations = 3

    init(geometry: DeclaredGeometry, similarity: Similarity, walk: Double, walkField: FloatImage) {
        self.geometry = geometry
        self.similarity = similarity
        self.walk = walk
        self.walkField = walkField
        composite = Self.compose(geometry, similarity)
    }

    static func compose(_ g: DeclaredGeometry, _ s: Similarity) -> Affine2 {
        let k = s.scale, c = cos(s.rotation), n = sin(s.rotation)
        // S(p) = centre + k·R(θ)(p − centre) + shift.
        let linear = Affine2(a: k * c, b: -k * n, c: k * n, d: k * c, tx: 0, ty: 0)
        let moved = linear.apply(-s.centreX, -s.centreY)
        let similarity = Affine2(a: linear.a, b: linear.b, c: linear.c, d: linear.d,
                                 tx: moved.x + s.centreX + s.shiftX, ty: moved.y + s.centreY + s.shiftY)
        return g.frontToCamera.after(similarity)
    }

    /// Camera pixel coordinates (column, row) of front-view point (x, y), mm.
    @inline(__always) func cameraPoint(_ x: Double, _ y: Double) -> (column: Double, row: Double) {
        let q0 = composite.apply(x, y)
        guard walk != 0 else { return (q0.x, q0.y) }
        var row = q0.y
        let perPixel = walk / geometry.manifest.pixelYMillimeters
        for _ in 0..<Self.walkIterations {
            row = q0.y - perPixel * Double(walkField.bilinear(q0.x, row))
        }
        return (q0.x, row)
    }
}
