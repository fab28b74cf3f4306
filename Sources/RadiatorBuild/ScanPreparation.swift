import Foundation
import Topography

/// One scan cleaned on its own camera grid: hot pixels and peak spikes removed, its own crystal outline,
/// the image alignment looks at, and the field the y-walk needs.
struct PreparedScan: Sendable {
    let maps: ScanMaps
    let geometry: DeclaredGeometry
    /// Peak positions with spikes and isolated pixels removed (NaN = invalid), µrad.
    let peak: [Float]
    /// Intensity with hot pixels replaced by their neighbours' median.
    let intensity: [Float]
    /// The scan's own crystal outline (camera grid): Otsu threshold, large components, small holes filled.
    let crystal: [Bool]
    /// Median intensity over the crystal: what "1" means in normalised intensity.
    let crystalLevel: Float
    /// Normalised, clipped intensity (0 background … 1 crystal), camera grid: what alignment matches.
    let alignmentImage: FloatImage
    /// Peak position minus its crystal median, mrad, filled and smoothed: how far each pixel walked.
    let walkField: FloatImage
    let hotPixels: Int
    let spikes: Int
    /// Crystal pixels with a valid peak / crystal pixels.
    let validFraction: Double
    let crystalPixels: Int

    /// A hot pixel stands this many robust σ (of the image's pixel-minus-neighbours'-median) above the brightest of
    /// its neighbours, and at least half as much again as that neighbour (the crystal's own noise is not "hot").
    static let hotPixelSigmas: Float = 8
    static let hotPixelExcess: Float = 0.5
    static let spikeSigmas: Float = 8
    /// Smallest peak spike removed whatever the noise, µrad.
    static let minimumSpikeMicroradians: Float = 2
    static let minimumCrystalPixels = 64
    /// Intensity (in crystal levels) at which the alignment image saturates: only hot spots are cut, so an edge keeps its
    /// symmetric sub-pixel ramp (a clip inside the ramp biases edges outwards once interpolation blurs them: a false scale).
    static let alignmentSaturation: Float = 1.5
    /// Width of the texture the outline image divides out, pixels.
    static let textureSigma = 8.0

    init(_ maps: ScanMaps) throws(BuildError) {
        let m = maps.manifest, w = maps.columns, h = maps.rows, n = w * h
        let label = "scan '\(m.name)' (\(m.face.rawValue) \(m.rocking.rawValue))"
        guard w >= 16, h >= 16, w <= 8192, h <= 8192 else {
            throw BuildError("\(label): maps of \(w) × \(h) pixels: each side must be 16 … 8192")
        }
        for (field, count) in [("peak", maps.peakMicroradians.count), ("intensity", maps.intensity.count), ("valid", maps.valid?.count ?? n),
                               ("baseline", maps.baseline?.count ?? n)] where count != n {
            throw BuildError("\(label): the \(field) map has \(count) values but the grid is \(w) × \(h) = \(n)")
        }
        for (field, p) in [("pixel_x_mm", m.pixelXMillimeters), ("pixel_y_mm", m.pixelYMillimeters)] {
            guard p.isFinite, p >= 0.0005, p <= 1 else { throw BuildError("\(label): \(field) = \(p) is out of range: must be in [0.0005, 1] mm") }
        }
        guard m.sampleRotationDegrees.isFinite, abs(m.sampleRotationDegrees) <= 360 else {
            throw BuildError("\(label): sample_rotation_deg = \(m.sampleRotationDegrees) is out of range: must be within ±360°")
        }
        self.maps = maps
        geometry = DeclaredGeometry(manifest: m, columns: w, rows: h)

        // Hot pixels: far above every one of their neighbours (a crystal's edge pixel is never above the crystal
        // next to it), replaced by the neighbours' median.
        var intensity = maps.intensity
        let (medians, highest) = MaskOperations.neighbourStatistics(maps.intensity, width: w, height: h)
        let excess = (0..<n).map { maps.intensity[$0] - highest[$0] }
        let intensitySigma = MaskOperations.robustSigma((0..<n).map { maps.intensity[$0] - medians[$0] })
        var hot = [Bool](repeating: false, count: n)
        for i in 0..<n where excess[i].isFinite && excess[i] > max(Self.hotPixelSigmas * max(intensitySigma, 1e-6), Self.hotPixelExcess * abs(highest[i])) {
            hot[i] = true; intensity[i] = medians[i]
        }
        hotPixels = hot.filter { $0 }.count
        for i in 0..<n where !intensity[i].isFinite { intensity[i] = medians[i].isFinite ? medians[i] : 0 }
        self.intensity = intensity

        // Peak spikes and isolated valid pixels.
        var peak = [Float](repeating: .nan, count: n)
        for i in 0..<n where maps.isValid(i) && !hot[i] { peak[i] = maps.peakMicroradians[i] }
        let peakMedians = MaskOperations.neighbourStatistics(peak, width: w, height: h, only: peak.map(\.isFinite)).median
        let deviation = (0..<n).map { peak[$0] - peakMedians[$0] }
        let peakSigma = MaskOperations.robustSigma(deviation)
        let spikeLimit = max(Self.spikeSigmas * peakSigma, Self.minimumSpikeMicroradians)
        var spikes = 0
        for i in 0..<n where peak[i].isFinite && (!peakMedians[i].isFinite || abs(deviation[i]) > spikeLimit) {
            peak[i] = .nan; spikes += 1
        }
        self.peak = peak
        self.spikes = spikes

        // The scan's own outline.
        guard let threshold = MaskOperations.otsuThreshold(intensity) else {
            throw BuildError("\(label): the intensity map is flat: no crystal can be told from the background")
        }
        let bright = intensity.map { $0 > threshold }
        let kept = MaskOperations.keepLargeComponents(bright, width: w, height: h, fraction: 0.2)
        let crystalArea = kept.filter { $0 }.count
        let crystal = MaskOperations.fillHoles(kept, width: w, height: h, maxHolePixels: max(9, crystalArea / 100)).mask
        self.crystal = crystal
        crystalPixels = crystal.filter { $0 }.count
        guard crystalPixels >= Self.minimumCrystalPixels else {
            throw BuildError("\(label): only \(crystalPixels) crystal pixels were found: at least \(Self.minimumCrystalPixels) are needed")
        }
        crystalLevel = MaskOperations.median((0..<n).filter { crystal[$0] }.map { intensity[$0] })
        guard crystalLevel > 0, crystalLevel.isFinite else {
            throw BuildError("\(label): the crystal's median intensity is \(crystalLevel): it must be positive")
        }
        let validOnCrystal = (0..<n).filter { crystal[$0] && peak[$0].isFinite }.count
        validFraction = Double(validOnCrystal) / Double(crystalPixels)

        // The outline image: intensity over the crystal's local level (its texture, which differs from scan to scan,
        // divided out over ~8 pixels), so every edge is the same 0 → 1 ramp whatever the brightness beside it.
        let interior = MaskOperations.eroded(crystal, width: w, height: h, radius: 2)
        let weights = FloatImage(width: w, height: h, pixels: interior.map { $0 ? 1 : 0 }).blurred(sigma: Self.textureSigma)
        let sums = FloatImage(width: w, height: h, pixels: (0..<n).map { interior[$0] ? intensity[$0] : 0 }).blurred(sigma: Self.textureSigma)
        let level = crystalLevel
        alignmentImage = FloatImage(width: w, height: h, pixels: (0..<n).map { i in
            let local = weights.pixels[i] > 0.05 ? sums.pixels[i] / weights.pixels[i] : level
            return min(max(intensity[i] / max(local, level * 0.1), 0), Self.alignmentSaturation) / Self.alignmentSaturation
        })

        // Walk field: mrad from the crystal median, voids filled by normalised smoothing.
        let centre = MaskOperations.median((0..<n).filter { crystal[$0] && peak[$0].isFinite }.map { peak[$0] })
        let offsets = FloatImage(width: w, height: h, pixels: (0..<n).map { crystal[$0] && peak[$0].isFinite ? (peak[$0] - centre) * 1e-3 : .nan })
        walkField = Inpainting.filled(offsets, everywhere: true, maxSigma: 2).blurred(sigma: 1)
    }

    var label: String { "scan '\(maps.manifest.name)' (\(maps.manifest.face.rawValue) \(maps.manifest.rocking.rawValue)\(maps.manifest.complementary ? ", complementary" : ""))" }
}

/// Fills NaN pixels from their valid neighbours by normalised Gaussian smoothing of growing width (the
/// original toolkit's void filling, made deterministic).
enum Inpainting {
    /// Every NaN pixel in `target` (all NaN pixels when `everywhere`) within reach of valid ones (σ up to `maxSigma` pixels)
    /// gets the weighted mean of the valid values around it; unreachable pixels stay NaN (or become 0 when `everywhere`).
    static func filled(_ image: FloatImage, target: [Bool]? = nil, everywhere: Bool = false, maxSigma: Double = 16) -> FloatImage {
        var out = image
        var sigma = 1.0
        while sigma <= maxSigma {
            let missing = (0..<image.count).filter { !out.pixels[$0].isFinite && (everywhere || target?[$0] ?? true) }
            guard !missing.isEmpty else { break }
            let weights = FloatImage(width: image.width, height: image.height, pixels: out.pixels.map { $0.isFinite ? 1 : 0 })
            let values = FloatImage(width: image.width, height: image.height, pixels: out.pixels.map { $0.isFinite ? $0 : 0 })
            let wb = weights.blurred(sigma: sigma), vb = values.blurred(sigma: sigma)
            for i in missing where wb.pixels[i] > 1e-3 { out.pixels[i] = vb.pixels[i] / wb.pixels[i] }
            sigma *= 2
        }
        if everywhere { for i in 0..<out.count where !out.pixels[i].isFinite { out.pixels[i] = 0 } }
        return out
    }
}
