/// Why a pixel has (or has no) values in the maps. Stored as `mask.tif` (0 = valid) and
/// counted in `reduction.json`, so a physicist sees what was rejected and why.
/// Judged in this order; the first that applies wins.
public enum PixelValidity: UInt8, Sendable, Codable, CaseIterable {
    /// A peak was found and measured.
    case valid = 0
    /// The raw counts never change (a dead or stuck pixel).
    case dead = 1
    /// The background alone is above `hotBackgroundCounts` (a hot pixel).
    case hot = 2
    /// Some frame reached `saturationCounts` in the raw image: the peak is clipped.
    case saturated = 3
    /// The peak is below `minimumSignalToNoise` times the background noise, or narrower than 1.5
    /// angle steps (a noise spike): no diffraction, e.g. outside the crystal or in the mount's shadow.
    case tooWeak = 4
    /// The maximum is within the scan's end frames: the peak is (partly) outside the scan.
    case peakAtScanEnd = 5
    /// No usable peak: width or position undefined or outside the scanned range, or the fit diverged.
    case noPeakInRange = 6

    /// The name used in `reduction.json` and the README.
    public var name: String {
        switch self {
        case .valid: "valid"
        case .dead: "dead"
        case .hot: "hot"
        case .saturated: "saturated"
        case .tooWeak: "too_weak"
        case .peakAtScanEnd: "peak_at_scan_end"
        case .noPeakInRange: "no_peak_in_range"
        }
    }
}
