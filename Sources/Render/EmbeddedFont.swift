import Foundation

/// An anti-aliased bitmap font rasterised from DejaVu Sans at a few pixel sizes
/// (see scripts/generate-font): ASCII plus µ σ θ ρ φ Δ × − ° ± ≤ ≥ · superscripts ∥ ⊥ →.
public enum EmbeddedFont {
    struct Glyph {
        let scalar: UInt32
        let advance: Double
        let left: Int
        /// Rows above the baseline.
        let top: Int
        let width: Int
        let height: Int
        let offset: Int
    }

    struct Face {
        let pixelSize: Int
        let ascent: Int
        let descent: Int
        let glyphs: [Glyph]
        let atlasBase64: String
    }

    /// A face ready to draw: glyphs by scalar and the decoded alpha atlas.
    final class LoadedFace: Sendable {
        let pixelSize: Int
        let ascent: Int
        let descent: Int
        let glyphs: [UInt32: Glyph]
        let atlas: [UInt8]

        init(_ f: Face) {
            pixelSize = f.pixelSize
            ascent = f.ascent
            descent = f.descent
            glyphs = Dictionary(uniqueKeysWithValues: f.glyphs.map { ($0.scalar, $0) })
            atlas = [UInt8](Data(base64Encoded: f.atlasBase64) ?? Data())
        }

        func glyph(_ s: Unicode.Scalar) -> Glyph? { glyphs[s.value] ?? glyphs[UInt32(("?" as Unicode.Scalar).value)] }
    }

    static let loaded: [LoadedFace] = faces.map(LoadedFace.init)

    /// The face closest to `pixelSize`.
    static func face(pixelSize: Double) -> LoadedFace {
        loaded.min { abs(Double($0.pixelSize) - pixelSize) < abs(Double($1.pixelSize) - pixelSize) }!
    }
}
