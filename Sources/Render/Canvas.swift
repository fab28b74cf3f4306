import Foundation

/// An sRGB colour with alpha, 0…1.
public struct RGBA: Sendable, Hashable {
    public var r: Double, g: Double, b: Double, a: Double
    public init(_ r: Double, _ g: Double, _ b: Double, _ a: Double = 1) { self.r = r; self.g = g; self.b = b; self.a = a }
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(Double(hex >> 16 & 0xFF) / 255, Double(hex >> 8 & 0xFF) / 255, Double(hex & 0xFF) / 255, alpha)
    }
    public func withAlpha(_ a: Double) -> RGBA { RGBA(r, g, b, a) }
    public static let black = RGBA(0, 0, 0), white = RGBA(1, 1, 1), clear = RGBA(0, 0, 0, 0)
}

/// A raster image, RGBA8, with the drawing operations plots need: filled
/// rectangles, anti-aliased lines and polylines, text, and "over" blending.
/// Pure Swift and deterministic: the same calls give the same bytes.
///
/// Every primitive takes any Double: non-finite coordinates are ignored and
/// shapes are clipped (to the canvas, or to `clip` when set) before any
/// conversion to Int, so nothing off the canvas can trap or run long.
public struct Canvas: Sendable {
    public let width: Int
    public let height: Int
    public private(set) var pixels: [UInt8]
    /// Pixels outside this rectangle are never touched (overlays drawn inside a plot area).
    public var clip: Clip

    /// A pixel rectangle [x0, x1) × [y0, y1).
    public struct Clip: Sendable, Equatable {
        public var x0: Int, y0: Int, x1: Int, y1: Int
        public init(x0: Int, y0: Int, x1: Int, y1: Int) { self.x0 = x0; self.y0 = y0; self.x1 = x1; self.y1 = y1 }
    }

    public init(width: Int, height: Int, background: RGBA = .white) {
        let width = max(0, width), height = max(0, height)
        self.width = width
        self.height = height
        clip = Clip(x0: 0, y0: 0, x1: width, y1: height)
        let px: [UInt8] = [Self.byte(background.r), Self.byte(background.g), Self.byte(background.b), Self.byte(background.a)]
        pixels = [UInt8](unsafeUninitializedCapacity: width * height * 4) { buffer, count in
            for i in 0..<(width * height) {
                buffer[4 * i] = px[0]; buffer[4 * i + 1] = px[1]; buffer[4 * i + 2] = px[2]; buffer[4 * i + 3] = px[3]
            }
            count = width * height * 4
        }
    }

    static func byte(_ v: Double) -> UInt8 {
        guard v.isFinite else { return v == .infinity ? 255 : 0 }
        return UInt8(max(0, min(255, (v * 255).rounded())))
    }

    /// Restrict drawing to the pixels covering [x0, x1) × [y0, y1) (intersected with the canvas); nil: the whole canvas.
    public mutating func setClip(x0: Double, y0: Double, x1: Double, y1: Double) {
        let full = Clip(x0: 0, y0: 0, x1: width, y1: height)
        guard x0.isFinite, y0.isFinite, x1.isFinite, y1.isFinite else { clip = full; return }
        clip = Clip(x0: Self.clamped(min(x0, x1).rounded(.down), 0, width), y0: Self.clamped(min(y0, y1).rounded(.down), 0, height),
                    x1: Self.clamped(max(x0, x1).rounded(.up), 0, width), y1: Self.clamped(max(y0, y1).rounded(.up), 0, height))
    }

    public mutating func resetClip() { clip = Clip(x0: 0, y0: 0, x1: width, y1: height) }

    /// A finite Double as an Int in [lo, hi]; never traps.
    @inline(__always)
    static func clamped(_ v: Double, _ lo: Int, _ hi: Int) -> Int {
        !(v > Double(lo)) ? lo : v >= Double(hi) ? hi : Int(v)  // NaN → lo
    }

    /// The clip rectangle's pixel rows/columns a box [lx, hx] × [ly, hy] touches, or nil if none (or non-finite).
    func span(_ lx: Double, _ hx: Double, _ ly: Double, _ hy: Double) -> (x: ClosedRange<Int>, y: ClosedRange<Int>)? {
        guard lx.isFinite, hx.isFinite, ly.isFinite, hy.isFinite, clip.x1 > clip.x0, clip.y1 > clip.y0 else { return nil }
        let x0 = Self.clamped(lx.rounded(.down), clip.x0, clip.x1 - 1), x1 = Self.clamped(hx.rounded(.up), clip.x0, clip.x1 - 1)
        let y0 = Self.clamped(ly.rounded(.down), clip.y0, clip.y1 - 1), y1 = Self.clamped(hy.rounded(.up), clip.y0, clip.y1 - 1)
        guard hx >= Double(clip.x0), lx < Double(clip.x1), hy >= Double(clip.y0), ly < Double(clip.y1), x0 <= x1, y0 <= y1 else { return nil }
        return (x0...x1, y0...y1)
    }

    /// The columns of row y (within `columns`) that may lie within `reach` of the segment: a thin
    /// diagonal costs its length × width, not its bounding box.
    @inline(__always)
    static func rowColumns(_ y: Int, _ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, reach: Double,
                           within columns: ClosedRange<Int>) -> ClosedRange<Int>? {
        let py = Double(y) + 0.5, dy = y1 - y0
        var lo: Double, hi: Double
        if abs(dy) < 1e-9 {
            lo = min(x0, x1); hi = max(x0, x1)
        } else {
            let ta = max(0, min(1, (py - reach - y0) / dy)), tb = max(0, min(1, (py + reach - y0) / dy))
            let xa = x0 + ta * (x1 - x0), xb = x0 + tb * (x1 - x0)
            lo = min(xa, xb); hi = max(xa, xb)
        }
        lo -= reach; hi += reach
        let a = clamped(lo.rounded(.down), columns.lowerBound, columns.upperBound)
        let b = clamped(hi.rounded(.up), columns.lowerBound, columns.upperBound)
        guard hi >= Double(columns.lowerBound), lo <= Double(columns.upperBound + 1), a <= b else { return nil }
        return a...b
    }

    /// Blend `c` over pixel (x, y) with extra coverage `coverage` (0…1).
    @inline(__always)
    public mutating func blend(x: Int, y: Int, _ c: RGBA, coverage: Double = 1) {
        guard x >= clip.x0, y >= clip.y0, x < clip.x1, y < clip.y1 else { return }
        guard coverage > 0 else { return }  // also NaN
        let raw = c.a * (coverage < 1 ? coverage : 1)
        guard raw > 0 else { return }  // also NaN
        let a = raw < 1 ? raw : 1
        let i = (y * width + x) * 4
        let da = Double(pixels[i + 3]) / 255
        let outA = a + da * (1 - a)
        guard outA > 0 else { return }
        func mix(_ src: Double, _ dst: UInt8) -> UInt8 {
            Self.byte((src * a + Double(dst) / 255 * da * (1 - a)) / outA)
        }
        pixels[i] = mix(c.r, pixels[i])
        pixels[i + 1] = mix(c.g, pixels[i + 1])
        pixels[i + 2] = mix(c.b, pixels[i + 2])
        pixels[i + 3] = Self.byte(outA)
    }

    public func pixel(x: Int, y: Int) -> RGBA {
        let i = (y * width + x) * 4
        return RGBA(Double(pixels[i]) / 255, Double(pixels[i + 1]) / 255, Double(pixels[i + 2]) / 255, Double(pixels[i + 3]) / 255)
    }

    /// Fill the rectangle [x0, x1) × [y0, y1) (pixel units, fractional edges anti-aliased).
    public mutating func fill(x0: Double, y0: Double, x1: Double, y1: Double, _ c: RGBA) {
        let lx = min(x0, x1), hx = max(x0, x1), ly = min(y0, y1), hy = max(y0, y1)
        guard hx > lx, hy > ly, let s = span(lx, hx, ly, hy) else { return }
        for y in s.y {
            let cy = min(hy, Double(y + 1)) - max(ly, Double(y))
            guard cy > 0 else { continue }
            for x in s.x {
                let cx = min(hx, Double(x + 1)) - max(lx, Double(x))
                if cx > 0 { blend(x: x, y: y, c, coverage: min(1, cx) * min(1, cy)) }
            }
        }
    }

    /// An anti-aliased line of the given width (pixels), by coverage of a capsule.
    public mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, width w: Double, _ c: RGBA) {
        guard w.isFinite, w > 0 else { return }
        let half = w / 2
        guard let s = span(min(x0, x1) - half - 1, max(x0, x1) + half + 1, min(y0, y1) - half - 1, max(y0, y1) + half + 1) else { return }
        let dx = x1 - x0, dy = y1 - y0
        let len2 = dx * dx + dy * dy
        guard len2.isFinite else { return }
        for y in s.y {
            guard let columns = Self.rowColumns(y, x0, y0, x1, y1, reach: half + 1, within: s.x) else { continue }
            for x in columns {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                var t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0
                t = min(1, max(0, t))
                let ex = px - (x0 + t * dx), ey = py - (y0 + t * dy)
                let d = (ex * ex + ey * ey).squareRoot()
                let coverage = min(1, max(0, half + 0.5 - d))
                if coverage > 0 { blend(x: x, y: y, c, coverage: coverage) }
            }
        }
    }

    /// Connected segments; a non-finite point breaks the line there (a gap, not a crash).
    public mutating func polyline(_ points: [(Double, Double)], width w: Double, _ c: RGBA) {
        guard points.count >= 2, w.isFinite, w > 0 else { return }
        let half = w / 2
        // Each drawable segment with the pixels it may touch; the coverage mask spans only their union,
        // so many short pieces (dashes) cost what they cover, not the whole canvas each.
        var segments: [(x0: Double, y0: Double, x1: Double, y1: Double, x: ClosedRange<Int>, y: ClosedRange<Int>)] = []
        var bx0 = Int.max, by0 = Int.max, bx1 = Int.min, by1 = Int.min
        for k in 0..<(points.count - 1) {
            let (x0, y0) = points[k], (x1, y1) = points[k + 1]
            let dx = x1 - x0, dy = y1 - y0
            guard (dx * dx + dy * dy).isFinite,
                  let s = span(min(x0, x1) - half - 1, max(x0, x1) + half + 1, min(y0, y1) - half - 1, max(y0, y1) + half + 1) else { continue }
            segments.append((x0, y0, x1, y1, s.x, s.y))
            bx0 = min(bx0, s.x.lowerBound); bx1 = max(bx1, s.x.upperBound)
            by0 = min(by0, s.y.lowerBound); by1 = max(by1, s.y.upperBound)
        }
        guard !segments.isEmpty else { return }
        // Draw into a coverage mask first so joints are not blended twice.
        let mw = bx1 - bx0 + 1
        var mask = [Double](repeating: 0, count: mw * (by1 - by0 + 1))
        for seg in segments {
            let dx = seg.x1 - seg.x0, dy = seg.y1 - seg.y0, len2 = dx * dx + dy * dy
            for y in seg.y {
                guard let columns = Self.rowColumns(y, seg.x0, seg.y0, seg.x1, seg.y1, reach: half + 1, within: seg.x) else { continue }
                for x in columns {
                    let px = Double(x) + 0.5, py = Double(y) + 0.5
                    let t = len2 > 0 ? min(1, max(0, ((px - seg.x0) * dx + (py - seg.y0) * dy) / len2)) : 0
                    let ex = px - (seg.x0 + t * dx), ey = py - (seg.y0 + t * dy)
                    let coverage = min(1, max(0, half + 0.5 - (ex * ex + ey * ey).squareRoot()))
                    let i = (y - by0) * mw + (x - bx0)
                    if coverage > mask[i] { mask[i] = coverage }
                }
            }
        }
        for i in mask.indices where mask[i] > 0 { blend(x: bx0 + i % mw, y: by0 + i / mw, c, coverage: mask[i]) }
    }

    // MARK: Text

    public enum Anchor: Sendable { case left, centre, right }

    /// Width of `text` in pixels at `size`.
    public static func textWidth(_ text: String, size: Double) -> Double {
        let face = EmbeddedFont.face(pixelSize: size)
        return text.unicodeScalars.reduce(0) { $0 + (face.glyph($1)?.advance ?? 0) }
    }

    /// Draw `text` with its baseline at y; `vertical` rotates it 90° counter-clockwise (for y-axis titles),
    /// in which case (x, y) is the baseline point and the anchor runs along the rotated direction.
    public mutating func text(_ text: String, x: Double, y: Double, size: Double, color: RGBA = .black,
                              anchor: Anchor = .left, vertical: Bool = false) {
        // Off-canvas or non-finite anchors draw nothing (a label is never wider than this).
        guard x.isFinite, y.isFinite, abs(x) < 1e7, abs(y) < 1e7, size.isFinite, size > 0 else { return }
        let face = EmbeddedFont.face(pixelSize: size)
        let width = Self.textWidth(text, size: size)
        var pen = switch anchor { case .left: 0.0; case .centre: -width / 2; case .right: -width }
        for s in text.unicodeScalars {
            guard let g = face.glyph(s) else { continue }
            let ox = Int((pen).rounded()) + g.left
            for gy in 0..<g.height {
                for gx in 0..<g.width {
                    let alpha = Double(face.atlas[g.offset + gy * g.width + gx]) / 255
                    guard alpha > 0 else { continue }
                    let u = ox + gx, v = gy - g.top  // along, and down from the baseline
                    if vertical {
                        blend(x: Int(x.rounded()) + v, y: Int(y.rounded()) - u, color, coverage: alpha)
                    } else {
                        blend(x: Int(x.rounded()) + u, y: Int(y.rounded()) + v, color, coverage: alpha)
                    }
                }
            }
            pen += g.advance
        }
    }
}
