import Foundation
import Topography

/// p' = M·p + t in the plane.
struct Affine2: Sendable, Equatable {
    var a: Double, b: Double, c: Double, d: Double
    var tx: Double, ty: Double

    static let identity = Affine2(a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0)

    @inline(__always) func apply(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        (a * x + b * y + tx, c * x + d * y + ty)
    }
    /// The linear part applied to a direction.
    @inline(__always) func applyLinear(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        (a * x + b * y, c * x + d * y)
    }
    /// self ∘ other: first `other`, then self.
    func after(_ other: Affine2) -> Affine2 {
        Affine2(a: a * other.a + b * other.c, b: a * other.b + b * other.d,
                c: c * other.a + d * other.c, d: c * other.b + d * other.d,
                tx: a * other.tx + b * other.ty + tx, ty: c * other.tx + d * other.ty + ty)
    }
    var inverse: Affine2 {
        let det = a * d - b * c
        let ia = d / det, ib = -b / det, ic = -c / det, id = a / det
        return Affine2(a: ia, b: ib, c: ic, d: id, tx: -(ia * tx + ib * ty), ty: -(ic * tx + id * ty))
    }
    static func rotation(radians phi: Double) -> Affine2 {
        Affine2(a: cos(phi), b: -sin(phi), c: sin(phi), d: cos(phi), tx: 0, ty: 0)
    }
}

/// The declared map of a scan (docs/rci-conventions.md): camera pixel (column c, row r) → the front
/// view's frame, mm. Centre and flip rows, mirror u if declared, rotate by the sample rotation, and for a
/// back-face scan turn the back view over onto the front one (x → −x).
struct DeclaredGeometry: Sendable {
    let manifest: ScanManifest
    let columns: Int
    let rows: Int
    /// Camera pixel → camera-centred mm (u right, v up), before mirror.
    let cameraToCentred: Affine2
    /// Camera pixel → front-view mm.
    let cameraToFront: Affine2
    let frontToCamera: Affine2

    init(manifest m: ScanManifest, columns: Int, rows: Int) {
        manifest = m
        self.columns = columns
        self.rows = rows
        cameraToCentred = Affine2(a: m.pixelXMillimeters, b: 0, c: 0, d: -m.pixelYMillimeters,
                                  tx: -Double(columns - 1) / 2 * m.pixelXMillimeters, ty: Double(rows - 1) / 2 * m.pixelYMillimeters)
        let mirror = Affine2(a: m.mirror ? -1 : 1, b: 0, c: 0, d: 1, tx: 0, ty: 0)
        let turnOver = Affine2(a: m.face == .back ? -1 : 1, b: 0, c: 0, d: 1, tx: 0, ty: 0)
        cameraToFront = turnOver.after(.rotation(radians: m.sampleRotationDegrees * .pi / 180)).after(mirror).after(cameraToCentred)
        frontToCamera = cameraToFront.inverse
    }

    /// The camera's horizontal coordinate u (mm, centred, before mirror) of a camera pixel: the dispersion's axis.
    @inline(__always) func cameraU(column: Double) -> Double {
        (column - Double(columns - 1) / 2) * manifest.pixelXMillimeters
    }

    /// Unit vector of the rocking axis in the scan's own face frame for a rocking-axis error χ: the camera's
    /// horizontal (θH) or vertical (θV) axis turned by χ, (cos χ, sin χ) or (−sin χ, cos χ) in camera (u, v),
    /// carried into the sample frame exactly as positions are (u negated if mirrored, then rotated by the
    /// sample rotation). The peak position is this vector dotted with the lattice tilt (θH, θV) of that face.
    func sensitivity(chiRadians chi: Double) -> (h: Double, v: Double) {
        let phi = manifest.sampleRotationDegrees * .pi / 180
        var (x, y) = manifest.rocking == .thetah ? (cos(chi), sin(chi)) : (-sin(chi), cos(chi))
        if manifest.mirror { x = -x }
        return (cos(phi) * x - sin(phi) * y, sin(phi) * x + cos(phi) * y)
    }
}

/// The residual similarity between the reference and a scan, found by alignment: a front-view point p
/// of the reference lies at S(p) = c + s·R(θ)(p − c) + t in the scan's declared frame, c the reference
/// crystal's centroid (so shift and rotation are nearly independent).
struct Similarity: Sendable, Equatable {
    var shiftX: Double = 0  // mm
    var shiftY: Double = 0  // mm
    var rotation: Double = 0  // rad
    var logScale: Double = 0
    var centreX: Double = 0
    var centreY: Double = 0

    var scale: Double { exp(logScale) }

    @inline(__always) func apply(_ x: Double, _ y: Double) -> (x: Double, y: Double) {
        let s = exp(logScale), c = cos(rotation), n = sin(rotation)
        let dx = x - centreX, dy = y - centreY
        return (centreX + s * (c * dx - n * dy) + shiftX, centreY + s * (n * dx + c * dy) + shiftY)
    }
}

/// The common grid every scan is brought onto: the reference scan's footprint in the front view's frame,
/// at the reference's pixel size, row 0 at the bottom (y up).
struct WorkingGrid: Sendable, Equatable {
    var originX: Double
    var originY: Double
    var pixel: Double
    var columns: Int
    var rows: Int

    var count: Int { columns * rows }
    @inline(__always) func x(_ column: Int) -> Double { originX + Double(column) * pixel }
    @inline(__always) func y(_ row: Int) -> Double { originY + Double(row) * pixel }
    /// Fractional grid coordinates of a front-view point.
    @inline(__always) func position(_ x: Double, _ y: Double) -> (column: Double, row: Double) {
        ((x - originX) / pixel, (y - originY) / pixel)
    }

    init(originX: Double, originY: Double, pixel: Double, columns: Int, rows: Int) {
        self.originX = originX
        self.originY = originY
        self.pixel = pixel
        self.columns = columns
        self.rows = rows
    }

    /// The axis-aligned box around the reference camera's corners in the front frame.
    init(reference g: DeclaredGeometry) {
        let p = min(g.manifest.pixelXMillimeters, g.manifest.pixelYMillimeters)
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for (c, r) in [(-0.5, -0.5), (Double(g.columns) - 0.5, -0.5), (-0.5, Double(g.rows) - 0.5), (Double(g.columns) - 0.5, Double(g.rows) - 0.5)] {
            let q = g.cameraToFront.apply(c, r)
            minX = min(minX, q.x); maxX = max(maxX, q.x); minY = min(minY, q.y); maxY = max(maxY, q.y)
        }
        let columns = max(2, Int(((maxX - minX) / p - 1e-6).rounded(.up)))
        let rows = max(2, Int(((maxY - minY) / p - 1e-6).rounded(.up)))
        let cx = (minX + maxX) / 2, cy = (minY + maxY) / 2
        self.init(originX: cx - Double(columns - 1) / 2 * p, originY: cy - Double(rows - 1) / 2 * p, pixel: p, columns: columns, rows: rows)
    }
}
